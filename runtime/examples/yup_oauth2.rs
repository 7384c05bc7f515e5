//! Lists the objects of a Cloud Storage bucket, authorized through yup-oauth2 (feature
//! `yup-oauth2`; `rustls` for https): with a service account key, or as a user through the
//! installed application flow.
//!
//! ```text
//! cargo run -p discogen-runtime --example yup_oauth2 --features yup-oauth2,rustls -- \
//!     service-account KEY.json BUCKET
//! cargo run -p discogen-runtime --example yup_oauth2 --features yup-oauth2,rustls -- \
//!     installed CLIENT_SECRET.json BUCKET
//! ```
//!
//! Without a readable key or client secret the example says what it would have done and
//! exits with an error.

use std::process::ExitCode;

use discogen_runtime::http::Method;
use discogen_runtime::yup_oauth2::{
    self, InstalledFlowAuthenticator, InstalledFlowReturnMethod, ServiceAccountAuthenticator,
};
use discogen_runtime::{ApiInfo, Auth, Call, Client, path};
use serde::Deserialize;

/// What a generated `storage_v1` module declares.
static STORAGE: ApiInfo = ApiInfo {
    name: "storage",
    version: "v1",
    root_url: "https://storage.googleapis.com/",
    service_path: "storage/v1/",
    batch_path: "batch/storage/v1",
};

/// `storage.objects.list` asks for one of these; the token is requested for them.
const SCOPES: &[&str] = &["https://www.googleapis.com/auth/devstorage.read_only"];

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Objects {
    items: Vec<Object>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Object {
    name: String,
}

/// Builds the authenticator the arguments ask for.
async fn authenticator(flow: &str, file: &str) -> Result<Auth, String> {
    match flow {
        "service-account" => {
            let key = yup_oauth2::read_service_account_key(file)
                .await
                .map_err(|e| format!("cannot read the service account key {file}: {e}"))?;
            let authenticator = ServiceAccountAuthenticator::builder(key)
                .build()
                .await
                .map_err(|e| format!("cannot build the authenticator: {e}"))?;
            Ok(Auth::yup_oauth2(authenticator))
        }
        "installed" => {
            let secret = yup_oauth2::read_application_secret(file)
                .await
                .map_err(|e| format!("cannot read the client secret {file}: {e}"))?;
            // Opens a local port for the browser's redirect; the URL to visit is printed.
            let authenticator = InstalledFlowAuthenticator::builder(
                secret,
                InstalledFlowReturnMethod::HTTPRedirect,
            )
            .persist_tokens_to_disk("discogen-example-tokens.json")
            .build()
            .await
            .map_err(|e| format!("cannot build the authenticator: {e}"))?;
            Ok(Auth::yup_oauth2(authenticator))
        }
        other => Err(format!(
            "unknown flow {other:?}: use service-account or installed"
        )),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [flow, file, bucket] = args.as_slice() else {
        eprintln!(
            "usage: yup_oauth2 (service-account KEY.json | installed CLIENT_SECRET.json) BUCKET"
        );
        return ExitCode::from(2);
    };
    let auth = match authenticator(flow, file).await {
        Ok(auth) => auth,
        Err(error) => {
            eprintln!("{error}\nWould list gs://{bucket} with a token for {SCOPES:?}.");
            return ExitCode::FAILURE;
        }
    };
    let client = match Client::builder(&STORAGE).auth(auth).build() {
        Ok(client) => client,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let list: Call<Objects> = Call::new(
        &client,
        Method::GET,
        "storage.objects.list",
        format!("b/{}/o", path::segment(bucket)),
        SCOPES,
    );
    match list.send().await {
        Ok(response) => {
            for object in response.body.items {
                println!("{}", object.name);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("listing gs://{bucket} failed: {error}");
            ExitCode::FAILURE
        }
    }
}
