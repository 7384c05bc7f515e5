//! Lists the objects of a Cloud Storage bucket, authorized with application default
//! credentials through gcp_auth (feature `gcp_auth`; `rustls` for https).
//!
//! ```text
//! cargo run -p discogen-runtime --example gcp_auth --features gcp_auth,rustls -- BUCKET
//! ```
//!
//! gcp_auth looks at `GOOGLE_APPLICATION_CREDENTIALS`, gcloud's application default
//! credentials, the metadata server and the gcloud CLI. When it finds nothing the example
//! says what it would have done and exits with an error.

use std::process::ExitCode;

use discogen_runtime::http::Method;
use discogen_runtime::{ApiInfo, Call, Client, GcpAuth, path};
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
    size: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let Some(bucket) = std::env::args().nth(1) else {
        eprintln!("usage: gcp_auth BUCKET");
        return ExitCode::from(2);
    };
    let auth = match GcpAuth::application_default().await {
        Ok(auth) => auth,
        Err(error) => {
            eprintln!(
                "no application default credentials ({error}).\n\
                 Would list gs://{bucket} with a token for {SCOPES:?}. Set \
                 GOOGLE_APPLICATION_CREDENTIALS to a service account key, or run \
                 `gcloud auth application-default login`."
            );
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
        format!("b/{}/o", path::segment(&bucket)),
        SCOPES,
    );
    match list.send().await {
        Ok(response) => {
            for object in response.body.items {
                println!("{:>12}  {}", object.size, object.name);
            }
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("listing gs://{bucket} failed: {error}");
            ExitCode::FAILURE
        }
    }
}
