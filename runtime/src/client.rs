//! The client: one `reqwest::Client`, the API's URLs, auth, default headers and policies.

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::transport::Sender;
use crate::{Auth, Batch, Error, Transport};

/// What a generated client knows about its API, from the Discovery document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiInfo {
    /// The document's `name`, e.g. `storage`.
    pub name: &'static str,
    /// The document's `version`, e.g. `v1`.
    pub version: &'static str,
    /// `rootUrl`, ending in `/`, e.g. `https://storage.googleapis.com/`.
    pub root_url: &'static str,
    /// `servicePath`, e.g. `storage/v1/` (may be empty).
    pub service_path: &'static str,
    /// `batchPath`, relative to `root_url`; `batch/<name>/<version>` when the document has none.
    pub batch_path: &'static str,
}

/// When and how often failed calls are sent again.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Total attempts per call, the first one included (1 = never retry).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled for each further one, with jitter.
    pub initial_backoff: Duration,
    /// Upper bound of one backoff (a longer `Retry-After` is still honoured up to this).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(32),
        }
    }
}

/// A connection to one Google API: cheap to clone, shares its connection pool.
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<ClientInner>,
}

pub(crate) struct ClientInner {
    pub(crate) api: &'static ApiInfo,
    pub(crate) http: Sender,
    /// rootUrl + servicePath.
    pub(crate) base_url: String,
    /// The path of `base_url` (`/farm/v1/`): the start of every inner request line of a batch.
    pub(crate) base_path: String,
    /// rootUrl (possibly overridden), ending in `/`.
    pub(crate) root_url: String,
    /// rootUrl + batchPath.
    pub(crate) batch_url: String,
    pub(crate) auth: Auth,
    pub(crate) default_headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_response_bytes: usize,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field(
                "api",
                &format_args!("{}:{}", self.inner.api.name, self.inner.api.version),
            )
            .field("base_url", &self.inner.base_url)
            .field("batch_url", &self.inner.batch_url)
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Starts a client for `api`; generated hubs call this from their `builder()`.
    pub fn builder(api: &'static ApiInfo) -> ClientBuilder<Client> {
        ClientBuilder::new(api)
    }

    /// The API this client talks to.
    pub fn api(&self) -> &'static ApiInfo {
        self.inner.api
    }

    /// rootUrl + servicePath: the URL every method path is relative to.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// rootUrl + batchPath: where batch requests are posted.
    pub fn batch_url(&self) -> &str {
        &self.inner.batch_url
    }

    /// A new, empty batch bound to this client's batch URL.
    pub fn new_batch<'a>(&self) -> Batch<'a> {
        Batch::new(self)
    }
}

/// Configures a [`Client`] and builds it, or a generated hub (`H: From<Client>`).
pub struct ClientBuilder<H = Client> {
    api: &'static ApiInfo,
    root_url: Option<String>,
    auth: Auth,
    http: Option<Sender>,
    user_agent: Option<String>,
    default_headers: HeaderMap,
    retry: RetryPolicy,
    timeout: Option<Duration>,
    max_response_bytes: usize,
    invalid: Option<String>,
    hub: PhantomData<fn() -> H>,
}

/// Default limit of one response body (a whole batch response included): 256 MiB.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 256 * 1024 * 1024;

impl<H: From<Client>> ClientBuilder<H> {
    /// A builder with the document's URLs, no auth and the default policies.
    pub fn new(api: &'static ApiInfo) -> Self {
        ClientBuilder {
            api,
            root_url: None,
            auth: Auth::None,
            http: None,
            user_agent: None,
            default_headers: HeaderMap::new(),
            retry: RetryPolicy::default(),
            timeout: None,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            invalid: None,
            hub: PhantomData,
        }
    }

    /// Sends every call to `root_url` instead of the document's rootUrl (an emulator, a test
    /// server, a regional endpoint). servicePath and batchPath are kept.
    pub fn root_url(mut self, root_url: impl Into<String>) -> Self {
        let mut root = root_url.into();
        if !root.ends_with('/') {
            root.push('/');
        }
        self.root_url = Some(root);
        self
    }

    /// How calls are authorized (default: [`Auth::None`]).
    pub fn auth(mut self, auth: impl Into<Auth>) -> Self {
        self.auth = auth.into();
        self
    }

    /// Uses this `reqwest::Client` (and its connection pool, proxy and TLS settings). Replaces
    /// an earlier [`transport`](Self::transport), and is replaced by a later one.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(Sender::Reqwest(http));
        self
    }

    /// Sends every exchange through `transport` instead of reqwest (a canned or recorded
    /// answer in tests and benchmarks, another HTTP stack); see [`Transport`]. Replaces an
    /// earlier [`http_client`](Self::http_client), and is replaced by a later one.
    pub fn transport(mut self, transport: impl Transport) -> Self {
        self.http = Some(Sender::Custom(std::sync::Arc::new(transport)));
        self
    }

    /// Replaces the `User-Agent` (default `discogen/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// A header sent with every call (on the outer request of a batch).
    pub fn default_header(mut self, name: HeaderName, value: &str) -> Self {
        match HeaderValue::from_str(value) {
            Ok(value) => {
                self.default_headers.insert(name, value);
            }
            Err(_) => self.invalid = Some(format!("invalid value for default header {name}")),
        }
        self
    }

    /// Retry policy for 429, 5xx and (after one token refresh) 401 answers.
    pub fn retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Timeout of each HTTP request (a single call, or one batch request).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Largest response body accepted (default [`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Builds the client, or the hub wrapping it.
    pub fn build(self) -> Result<H, Error> {
        if let Some(message) = self.invalid {
            return Err(Error::InvalidRequest(message));
        }
        let root_url = self
            .root_url
            .unwrap_or_else(|| self.api.root_url.to_owned());
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| concat!("discogen/", env!("CARGO_PKG_VERSION")).to_owned());
        let mut default_headers = self.default_headers;
        let user_agent = HeaderValue::from_str(&user_agent)
            .map_err(|_| Error::InvalidRequest("invalid User-Agent".into()))?;
        default_headers.insert(http::header::USER_AGENT, user_agent);
        default_headers.insert(
            HeaderName::from_static("x-goog-api-client"),
            HeaderValue::from_static(concat!("gdcl/discogen-", env!("CARGO_PKG_VERSION"))),
        );
        let http = match self.http {
            Some(http) => http,
            None => Sender::Reqwest(reqwest::Client::builder().build().map_err(|e| {
                Error::InvalidRequest(format!("cannot build the HTTP client: {e}"))
            })?),
        };
        let base_url = format!("{root_url}{}", self.api.service_path);
        // Parsed once here so that a bad root URL is reported by `build`, not by every call.
        let base_path = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::InvalidRequest(format!("invalid base URL {base_url:?}: {e}")))?
            .path()
            .to_owned();
        let inner = ClientInner {
            api: self.api,
            http,
            base_url,
            base_path,
            batch_url: format!("{root_url}{}", self.api.batch_path),
            root_url,
            auth: self.auth,
            default_headers,
            retry: self.retry,
            timeout: self.timeout,
            max_response_bytes: self.max_response_bytes,
        };
        Ok(H::from(Client {
            inner: Arc::new(inner),
        }))
    }
}
