//! Secrets stay out of `Debug` output and error messages: Authorization values, API keys and
//! tokens given as query parameters (`key`, `access_token`, `oauth_token`).

mod common;

use common::media::insert_photo;
use common::*;
use discogen_runtime::http::header::AUTHORIZATION;
use discogen_runtime::{Auth, Call, Error, Media, StaticToken};

const SECRETS: [&str; 6] = [
    "the-api-key",
    "query-key",
    "query-token",
    "query-oauth",
    "header-token",
    "client-token",
];

fn assert_no_secret(shown: &str) {
    for secret in SECRETS {
        assert!(!shown.contains(secret), "{secret} in {shown}");
    }
}

/// A call carrying every kind of secret a caller can give it.
fn secret_laden<T: serde::de::DeserializeOwned + 'static>(mut call: Call<T>) -> Call<T> {
    call.set_query("key", "query-key");
    call.set_query("access_token", "query-token");
    call.set_query("oauth_token", "query-oauth");
    call.set_query("fields", "animalName");
    call.set_header(AUTHORIZATION, "Bearer header-token");
    call
}

#[test]
fn calls_batches_uploads_downloads_and_clients_hide_secrets() {
    let client = farm_client("http://127.0.0.1:9/", Auth::api_key("the-api-key"));
    let call = secret_laden(get_animal(&client, "pony"));
    let shown = format!("{call:?}");
    assert!(
        shown.contains("animalName") && shown.contains("<redacted>"),
        "{shown}"
    );
    assert_no_secret(&shown);
    assert_no_secret(&format!("{:?}", call.download(false)));
    let upload =
        secret_laden(insert_photo(&client, &[], None)).upload(Media::new("image/png", "x"));
    assert_no_secret(&format!("{upload:?}"));

    let mut batch = client.new_batch();
    secret_laden(get_animal(&client, "pony"))
        .queue_with_id(&mut batch, "first", |_, _| {})
        .unwrap();
    let shown = format!("{batch:?}");
    assert!(
        shown.contains("\"first\"") && shown.contains("fields"),
        "{shown}"
    );
    assert_no_secret(&shown);
    assert_no_secret(&format!("{client:?}"));

    let with_token = farm_client("http://127.0.0.1:9/", StaticToken::bearer("client-token"));
    assert_no_secret(&format!("{with_token:?}"));
    assert_no_secret(&format!(
        "{:?}",
        Auth::from(StaticToken::bearer("client-token"))
    ));
}

#[tokio::test]
async fn transport_errors_do_not_carry_the_api_key() {
    // A port nothing listens on: the error names the URL, which holds the key.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let client = farm_client(&format!("http://{addr}/"), Auth::api_key("the-api-key"));
    let mut call = get_animal(&client, "pony");
    call.set_query("access_token", "query-token");
    call.set_query("fields", "animalName");
    let error = call.send().await.unwrap_err();
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(
        shown.contains("REDACTED"),
        "the URL is still named: {shown}"
    );
    assert!(shown.contains("fields=animalName"), "{shown}");
    assert_no_secret(&shown);
}
