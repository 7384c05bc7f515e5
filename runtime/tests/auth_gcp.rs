//! The gcp_auth adapter (feature `gcp_auth`) against a local token endpoint: a service
//! account key whose `token_uri` is the test server.

mod common;

use std::sync::Arc;

use common::oauth::{
    CLIENT_EMAIL, TokenEndpoint, service_account_json, service_account_key, token_uri,
};
use common::*;
use discogen_runtime::gcp_auth::{CustomServiceAccount, TokenProvider};
use discogen_runtime::{Auth, Error, GcpAuth};

/// The `Authorization` values the Farm API received, in order.
fn farm_authorizations(server: &discogen_runtime::testing::TestServer) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.path != "/token")
        .map(|r| r.header("authorization").unwrap_or("-").to_owned())
        .collect()
}

#[tokio::test]
async fn tokens_are_fetched_for_each_methods_scopes_and_cached() {
    let (endpoint, server) = TokenEndpoint::start().await;
    let auth = GcpAuth::service_account_json(&service_account_json(&server)).unwrap();
    let client = farm_client(&server.url(), auth);
    get_animal(&client, "pony").send().await.unwrap();
    delete_animal(&client, "pony").send().await.unwrap();
    get_animal(&client, "sheep").send().await.unwrap();

    let requests = endpoint.requests();
    assert_eq!(
        requests.len(),
        2,
        "one token per set of scopes, then cached"
    );
    let grant = requests[0].get("grant_type");
    assert_eq!(grant, Some("urn:ietf:params:oauth:grant-type:jwt-bearer"));
    let claims = requests[0].claims();
    assert_eq!(claims["iss"], CLIENT_EMAIL);
    assert_eq!(claims["aud"], token_uri(&server));
    assert_eq!(claims["scope"], format!("{SCOPE} {READONLY}"));
    assert_eq!(requests[1].claims()["scope"], SCOPE);
    assert_eq!(
        farm_authorizations(&server),
        ["Bearer tok-1", "Bearer tok-2", "Bearer tok-1"]
    );
}

#[tokio::test]
async fn a_batch_asks_for_the_union_of_its_calls_scopes() {
    let (endpoint, server) = TokenEndpoint::start().await;
    let provider: Arc<dyn TokenProvider> =
        Arc::new(CustomServiceAccount::from_json(&service_account_json(&server)).unwrap());
    let client = farm_client(&server.url(), Auth::gcp_auth(provider));
    let mut batch = client.new_batch();
    get_animal(&client, "pony")
        .queue(&mut batch, |_, _| {})
        .unwrap();
    delete_animal(&client, "pony")
        .queue(&mut batch, |_, _| {})
        .unwrap();
    let summary = batch.execute().await;
    assert_eq!(summary.http_requests, 1);
    let requests = endpoint.requests();
    assert_eq!(requests.len(), 1);
    // Sorted union: farm, farm.readonly.
    assert_eq!(requests[0].claims()["scope"], format!("{SCOPE} {READONLY}"));
    assert_eq!(farm_authorizations(&server), ["Bearer tok-1"]);
}

#[tokio::test]
async fn a_token_endpoint_that_answers_no_token_is_an_auth_error() {
    let (_endpoint, server) = TokenEndpoint::start().await;
    // The Farm API (not a token endpoint) answers at this URI.
    let key = service_account_json(&server).replace("/token", "/not-a-token-endpoint");
    let auth = GcpAuth::service_account_json(&key).unwrap();
    let client = farm_client(&server.url(), auth);
    let error = get_animal(&client, "pony").send().await.unwrap_err();
    assert!(matches!(error, Error::Auth(_)), "{error:?}");
    assert!(
        error.to_string().starts_with("authorization failed"),
        "{error}"
    );
    assert_eq!(
        farm_authorizations(&server).len(),
        1,
        "only the token request was sent"
    );
}

#[test]
fn a_bad_key_is_an_error_and_debug_shows_no_key() {
    assert!(GcpAuth::service_account_json("{}").is_err());
    let key = service_account_key("http://127.0.0.1:9/token");
    let auth = GcpAuth::service_account_json(&key).unwrap();
    assert_eq!(format!("{auth:?}"), "GcpAuth { .. }");
    let auth: Auth = auth.into();
    assert!(!format!("{auth:?}").contains("PRIVATE"));
}
