//! A token source over [`gcp_auth`] (feature `gcp_auth`): application default credentials,
//! service account keys, the metadata server, the gcloud CLI.

use std::fmt;
use std::sync::Arc;

use gcp_auth::TokenProvider;

use super::{Auth, AuthError, BoxFuture, TokenSource};

/// Tokens from a [`gcp_auth::TokenProvider`], sent as `Bearer` tokens for the scopes of each
/// call (the method's scopes from the Discovery document).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// use discogen_runtime::{Auth, GcpAuth};
/// // GOOGLE_APPLICATION_CREDENTIALS, gcloud's application default credentials, the
/// // metadata server, then the gcloud CLI, as gcp_auth looks for them.
/// let auth: Auth = GcpAuth::application_default().await?.into();
/// # let _ = auth; Ok(()) }
/// ```
///
/// gcp_auth caches each token until shortly before it expires and cannot be told to drop
/// one, so after a 401 the call is sent once more with the cached token (which helps when it
/// expired in flight) and the 401 stands if that fails too.
#[derive(Clone)]
pub struct GcpAuth {
    provider: Arc<dyn TokenProvider>,
}

impl GcpAuth {
    /// Wraps a provider, e.g. from [`gcp_auth::provider`] or a
    /// [`gcp_auth::CustomServiceAccount`].
    pub fn new(provider: Arc<dyn TokenProvider>) -> Self {
        GcpAuth { provider }
    }

    /// Application default credentials, found as [`gcp_auth::provider`] finds them.
    ///
    /// # Errors
    /// When no credentials are configured (gcp_auth's error lists what it tried).
    pub async fn application_default() -> Result<Self, gcp_auth::Error> {
        Ok(GcpAuth::new(gcp_auth::provider().await?))
    }

    /// A service account key (the JSON file the Cloud console gives), tokens from its
    /// `token_uri`.
    ///
    /// # Errors
    /// When the JSON is not a service account key or its private key cannot be read.
    pub fn service_account_json(json: &str) -> Result<Self, gcp_auth::Error> {
        let account = gcp_auth::CustomServiceAccount::from_json(json)?;
        Ok(GcpAuth::new(Arc::new(account)))
    }

    /// The wrapped provider (e.g. for its `project_id`).
    pub fn provider(&self) -> &Arc<dyn TokenProvider> {
        &self.provider
    }
}

impl fmt::Debug for GcpAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GcpAuth").finish_non_exhaustive()
    }
}

impl TokenSource for GcpAuth {
    fn authorization<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, AuthError>> {
        Box::pin(async move {
            let token = self.provider.token(scopes).await?;
            Ok(format!("Bearer {}", token.as_str()))
        })
    }
}

impl Auth {
    /// Authorization through a gcp_auth provider (feature `gcp_auth`); see [`GcpAuth`].
    pub fn gcp_auth(provider: Arc<dyn TokenProvider>) -> Auth {
        Auth::token_source(GcpAuth::new(provider))
    }
}

impl From<GcpAuth> for Auth {
    fn from(source: GcpAuth) -> Self {
        Auth::token_source(source)
    }
}
