//! `GcpAuth::application_default` (feature `gcp_auth`) finds a service account key through
//! `GOOGLE_APPLICATION_CREDENTIALS`, as on a developer's machine or in CI. Alone in its test
//! binary because it sets an environment variable.

mod common;

use common::oauth::{TokenEndpoint, service_account_json};
use common::*;
use discogen_runtime::GcpAuth;

#[tokio::test]
async fn application_default_credentials_come_from_the_environment() {
    let (endpoint, server) = TokenEndpoint::start().await;
    let dir = std::env::temp_dir().join(format!("discogen-adc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key.json");
    std::fs::write(&path, service_account_json(&server)).unwrap();
    // SAFETY: this binary's only test; nothing else reads the environment meanwhile.
    unsafe { std::env::set_var("GOOGLE_APPLICATION_CREDENTIALS", &path) };
    let auth = GcpAuth::application_default().await.unwrap();
    let client = farm_client(&server.url(), auth);
    get_animal(&client, "pony").send().await.unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(endpoint.requests().len(), 1);
    let farm = server
        .requests()
        .into_iter()
        .find(|r| r.path != "/token")
        .unwrap();
    assert_eq!(farm.header("authorization"), Some("Bearer tok-1"));
}
