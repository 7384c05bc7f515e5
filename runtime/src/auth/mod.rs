//! Authorization: no auth, an API key, or a token source (with adapters for gcp_auth and
//! yup-oauth2 behind features).

#[cfg(feature = "gcp_auth")]
mod gcp;
#[cfg(feature = "yup-oauth2")]
mod yup;

#[cfg(feature = "gcp_auth")]
pub use gcp::GcpAuth;

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use http::HeaderValue;

use crate::Error;

/// A boxed, sendable future (what [`TokenSource`] methods return).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The error a token source reports.
pub type AuthError = Box<dyn std::error::Error + Send + Sync>;

/// Supplies `Authorization` header values, e.g. from OAuth 2.0 credentials.
///
/// Implement it to plug in any credential crate; the runtime asks for a token for the scopes
/// of the call (or of every call in a batch request), and asks for a refresh once when a call
/// is answered 401.
pub trait TokenSource: Send + Sync {
    /// The complete header value, e.g. `Bearer ya29.…`, valid for `scopes`.
    fn authorization<'a>(
        &'a self,
        scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, AuthError>>;

    /// Called after a 401: drop any cached token for `scopes` so that the next
    /// [`authorization`](TokenSource::authorization) gets a fresh one.
    fn refresh<'a>(&'a self, scopes: &'a [&'a str]) -> BoxFuture<'a, Result<(), AuthError>> {
        let _ = scopes;
        Box::pin(async { Ok(()) })
    }
}

/// A fixed bearer token (tests, short scripts, tokens obtained elsewhere).
#[derive(Clone)]
pub struct StaticToken(String);

impl StaticToken {
    /// `token` without the `Bearer ` prefix.
    pub fn bearer(token: impl Into<String>) -> Self {
        StaticToken(format!("Bearer {}", token.into()))
    }
}

impl fmt::Debug for StaticToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StaticToken(<redacted>)")
    }
}

impl TokenSource for StaticToken {
    fn authorization<'a>(
        &'a self,
        _scopes: &'a [&'a str],
    ) -> BoxFuture<'a, Result<String, AuthError>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// How a client authorizes its calls.
#[derive(Clone, Default)]
pub enum Auth {
    /// No credentials (public data, emulators, tests).
    #[default]
    None,
    /// An API key, sent as the `key` query parameter.
    ApiKey(String),
    /// OAuth 2.0 (or any other scheme) through a token source.
    Token(Arc<dyn TokenSource>),
}

impl Auth {
    /// An API key.
    pub fn api_key(key: impl Into<String>) -> Self {
        Auth::ApiKey(key.into())
    }

    /// A token source.
    pub fn token_source(source: impl TokenSource + 'static) -> Self {
        Auth::Token(Arc::new(source))
    }

    /// The API key to send as the `key` query parameter, if this is [`Auth::ApiKey`].
    pub(crate) fn key(&self) -> Option<&str> {
        match self {
            Auth::ApiKey(key) => Some(key),
            _ => None,
        }
    }

    /// The `Authorization` value for a request needing `scopes`, if this auth sends one.
    pub(crate) async fn header(&self, scopes: &[&str]) -> Result<Option<HeaderValue>, Error> {
        let Auth::Token(source) = self else {
            return Ok(None);
        };
        let value = source
            .authorization(scopes)
            .await
            .map_err(|e| Error::Auth(Arc::from(e)))?;
        let mut value = HeaderValue::from_str(&value).map_err(|_| {
            // Never echo the value: it is a secret.
            Error::Auth(Arc::from(AuthError::from(
                "the token source returned an Authorization value that is not a valid header value",
            )))
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    /// Asks the token source for a fresh token after a 401. Returns `false` when there is
    /// nothing to refresh (no auth, an API key): the 401 is then final.
    pub(crate) async fn refresh(&self, scopes: &[&str]) -> Result<bool, Error> {
        match self {
            Auth::Token(source) => {
                source
                    .refresh(scopes)
                    .await
                    .map_err(|e| Error::Auth(Arc::from(e)))?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Auth::None => f.write_str("None"),
            Auth::ApiKey(_) => f.write_str("ApiKey(<redacted>)"),
            Auth::Token(_) => f.write_str("Token(..)"),
        }
    }
}

impl From<StaticToken> for Auth {
    fn from(token: StaticToken) -> Self {
        Auth::token_source(token)
    }
}

impl From<Arc<dyn TokenSource>> for Auth {
    fn from(source: Arc<dyn TokenSource>) -> Self {
        Auth::Token(source)
    }
}
