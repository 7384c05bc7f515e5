//! A local OAuth 2.0 token endpoint (`POST /token`) on the test server, next to the Farm API,
//! and a service account key whose `token_uri` points at it. The key in
//! `tests/data/test_service_account_key.pem` was made for these tests and is no credential
//! of anything.

use std::sync::{Arc, Mutex};

use base64::Engine as _;
use discogen_runtime::testing::{TestRequest, TestResponse, TestServer};
use serde_json::json;

pub const TEST_PRIVATE_KEY: &str = include_str!("../data/test_service_account_key.pem");
pub const CLIENT_EMAIL: &str = "tester@discogen-test.iam.gserviceaccount.com";

/// One request to the token endpoint: its form fields.
#[derive(Clone, Debug)]
pub struct TokenRequest {
    pub form: Vec<(String, String)>,
}

impl TokenRequest {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.form
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The claims of the JWT in `assertion` (service account flow).
    pub fn claims(&self) -> serde_json::Value {
        let assertion = self.get("assertion").expect("a JWT assertion");
        let claims = assertion.split('.').nth(1).expect("a three-part JWT");
        let claims = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(claims.trim_end_matches('='))
            .expect("base64url claims");
        serde_json::from_slice(&claims).expect("JSON claims")
    }
}

/// The token endpoint's records.
#[derive(Default)]
pub struct TokenEndpoint {
    requests: Mutex<Vec<TokenRequest>>,
    /// Farm calls answer 401 to these tokens.
    rejected: Mutex<Vec<String>>,
}

impl TokenEndpoint {
    pub fn requests(&self) -> Vec<TokenRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// Farm calls with `Bearer token` are answered 401.
    pub fn reject(&self, token: &str) {
        self.rejected
            .lock()
            .unwrap()
            .push(format!("Bearer {token}"));
    }

    /// A server with the token endpoint at `/token` (tokens `tok-1`, `tok-2`, …, with a
    /// refresh token for the authorization-code grant) and the Farm API everywhere else
    /// (answering 200, or 401 to a rejected token).
    pub async fn start() -> (Arc<TokenEndpoint>, TestServer) {
        let endpoint = Arc::new(TokenEndpoint::default());
        let state = Arc::clone(&endpoint);
        let server = TestServer::start(move |request| state.answer(request)).await;
        (endpoint, server)
    }

    fn answer(&self, request: &TestRequest) -> TestResponse {
        if request.path != "/token" {
            let authorization = request.header("authorization").unwrap_or_default();
            if self
                .rejected
                .lock()
                .unwrap()
                .iter()
                .any(|t| t == authorization)
            {
                return TestResponse::google_error(401, "token rejected");
            }
            return TestResponse::json(200, &json!({"animalName": "pony"}));
        }
        let form = request.form();
        let mut requests = self.requests.lock().unwrap();
        requests.push(TokenRequest { form });
        let token = format!("tok-{}", requests.len());
        TestResponse::json(
            200,
            &json!({
                "access_token": token,
                "expires_in": 3600,
                "token_type": "Bearer",
                "refresh_token": "refresh-1",
            }),
        )
    }
}

/// A service account key JSON whose `token_uri` is the test server's `/token`.
pub fn service_account_json(server: &TestServer) -> String {
    service_account_key(&token_uri(server))
}

/// A service account key JSON with this `token_uri`.
pub fn service_account_key(token_uri: &str) -> String {
    json!({
        "type": "service_account",
        "project_id": "discogen-test",
        "private_key_id": "test-key-1",
        "private_key": TEST_PRIVATE_KEY,
        "client_email": CLIENT_EMAIL,
        "client_id": "1",
        "auth_uri": token_uri.replace("/token", "/auth"),
        "token_uri": token_uri,
    })
    .to_string()
}

pub fn token_uri(server: &TestServer) -> String {
    format!("{}token", server.url())
}
