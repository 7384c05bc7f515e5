//! A token source over [`yup_oauth2`] (feature `yup-oauth2`): service accounts, the installed
//! application flow, the device flow, authorized users, application default credentials.

use hyper_util::client::legacy::connect::Connect;
use yup_oauth2::authenticator::Authenticator;

use super::{Auth, AuthError, BoxFuture, TokenSource};

/// A yup-oauth2 [`Authenticator`] gives `Bearer` tokens for the scopes of each call (the
/// method's scopes from the Discovery document); after a 401 it is asked for a new token
/// ([`Authenticator::force_refreshed_token`]).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use discogen_runtime::Auth;
/// use discogen_runtime::yup_oauth2::{self, ServiceAccountAuthenticator};
/// let key = yup_oauth2::read_service_account_key("service-account.json").await?;
/// let authenticator = ServiceAccountAuthenticator::builder(key).build().await?;
/// let auth = Auth::yup_oauth2(authenticator);
/// # let _ = auth; Ok(()) }
/// ```
impl<C> TokenSource for Authenticator<C>
where
    C: Connect + Clone + Send + Sync + 'static,
{
    fn authorization<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, AuthError>> {
        Box::pin(async move {
            let token = self.token(scopes).await?;
            match token.token() {
                Some(token) => Ok(format!("Bearer {token}")),
                None => Err("yup-oauth2 returned no access token for these scopes".into()),
            }
        })
    }

    fn refresh<'a>(&'a self, scopes: &'a [&'a str]) -> BoxFuture<'a, Result<(), AuthError>> {
        Box::pin(async move {
            self.force_refreshed_token(scopes).await?;
            Ok(())
        })
    }
}

impl Auth {
    /// Authorization through a yup-oauth2 authenticator (feature `yup-oauth2`).
    pub fn yup_oauth2<C>(authenticator: Authenticator<C>) -> Auth
    where
        C: Connect + Clone + Send + Sync + 'static,
    {
        Auth::token_source(authenticator)
    }
}

impl<C> From<Authenticator<C>> for Auth
where
    C: Connect + Clone + Send + Sync + 'static,
{
    fn from(authenticator: Authenticator<C>) -> Self {
        Auth::token_source(authenticator)
    }
}
