//! The yup-oauth2 adapter (feature `yup-oauth2`) against a local token endpoint: a service
//! account key and the installed application flow, with a refresh after a 401.

mod common;

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use common::oauth::{CLIENT_EMAIL, TokenEndpoint, service_account_json, token_uri};
use common::*;
use discogen_runtime::Auth;
use discogen_runtime::testing::TestServer;
use discogen_runtime::yup_oauth2::authenticator_delegate::InstalledFlowDelegate;
use discogen_runtime::yup_oauth2::{
    self, ApplicationSecret, InstalledFlowAuthenticator, InstalledFlowReturnMethod,
    ServiceAccountAuthenticator,
};

/// The `Authorization` values the Farm API received, in order.
fn farm_authorizations(server: &TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path != "/token")
        .map(|r| r.header("authorization").unwrap_or("-").to_owned())
        .collect()
}

#[tokio::test]
async fn a_service_account_gets_tokens_for_the_methods_scopes_and_refreshes_after_401() {
    let (endpoint, server) = TokenEndpoint::start().await;
    let key = yup_oauth2::parse_service_account_key(service_account_json(&server)).unwrap();
    let authenticator = ServiceAccountAuthenticator::builder(key)
        .build()
        .await
        .unwrap();
    let client = farm_client(&server.url(), authenticator);
    get_animal(&client, "pony").send().await.unwrap();
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1);
    let claims = requests[0].claims();
    assert_eq!(claims["iss"], CLIENT_EMAIL);
    assert_eq!(claims["aud"], token_uri(&server));
    assert_eq!(claims["scope"], format!("{SCOPE} {READONLY}"));

    // The server stops accepting tok-1: one 401, a forced refresh, and the call goes through.
    endpoint.reject("tok-1");
    get_animal(&client, "pony").send().await.unwrap();
    assert_eq!(endpoint.requests().len(), 2);
    assert_eq!(
        farm_authorizations(&server),
        ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    );
}

/// A user who opens the URL and types back the code the consent page shows.
struct User {
    urls: Arc<Mutex<Vec<String>>>,
}

impl InstalledFlowDelegate for User {
    fn present_user_url<'a>(
        &'a self,
        url: &'a str,
        need_code: bool,
    ) -> Pin<Box<dyn Future<Output = Result<String, String>> + Send + 'a>> {
        assert!(need_code, "the interactive flow asks for the code");
        self.urls.lock().unwrap().push(url.to_owned());
        Box::pin(async { Ok("code-from-the-consent-page".to_owned()) })
    }
}

#[tokio::test]
async fn the_installed_flow_exchanges_the_code_then_refreshes_with_the_refresh_token() {
    let (endpoint, server) = TokenEndpoint::start().await;
    let secret = ApplicationSecret {
        client_id: "client-1".into(),
        client_secret: "client-secret".into(),
        token_uri: token_uri(&server),
        auth_uri: format!("{}auth", server.url()),
        redirect_uris: vec!["urn:ietf:wg:oauth:2.0:oob".into()],
        ..ApplicationSecret::default()
    };
    let urls = Arc::new(Mutex::new(Vec::new()));
    let authenticator =
        InstalledFlowAuthenticator::builder(secret, InstalledFlowReturnMethod::Interactive)
            .flow_delegate(Box::new(User { urls: urls.clone() }))
            .build()
            .await
            .unwrap();
    let client = farm_client(&server.url(), Auth::yup_oauth2(authenticator));
    delete_animal(&client, "pony").send().await.unwrap();

    let urls = urls.lock().unwrap().clone();
    assert_eq!(urls.len(), 1);
    assert!(
        urls[0].starts_with(&format!("{}auth?", server.url())),
        "{}",
        urls[0]
    );
    // yup-oauth2 puts the scopes in the URL as they are.
    let scope = format!("scope={SCOPE}&");
    assert!(
        urls[0].contains(&scope),
        "the method's scope in {}",
        urls[0]
    );
    let requests = endpoint.requests();
    assert_eq!(requests[0].get("grant_type"), Some("authorization_code"));
    assert_eq!(requests[0].get("code"), Some("code-from-the-consent-page"));
    assert_eq!(requests[0].get("client_id"), Some("client-1"));

    endpoint.reject("tok-1");
    delete_animal(&client, "pony").send().await.unwrap();
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[1].get("grant_type"), Some("refresh_token"));
    assert_eq!(requests[1].get("refresh_token"), Some("refresh-1"));
    assert_eq!(
        farm_authorizations(&server),
        ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    );
}
