//! Local stand-ins, on 127.0.0.1, for cloud services we cannot reach here.
//! Each speaks the real wire protocol the official SDKs use:
//!
//! - [`Identity`]: the App Service managed identity endpoint
//!   (`IDENTITY_ENDPOINT`, `IDENTITY_HEADER`), issuing random bearer tokens
//!   with a chosen lifetime, optionally setting a PostgreSQL role's password
//!   to each token (so the token *is* the database password, as with Entra).
//! - [`KeyVault`]: Key Vault's secrets REST API with its bearer challenge.
//! - [`SecretsManager`]: Secrets Manager's JSON 1.1 protocol.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use axum::{
    Json, Router,
    body::Bytes,
    extract::{Query, State},
    http::{HeaderMap, Method, StatusCode, Uri},
    response::{IntoResponse, Response},
    routing::get,
};
use rand::distr::{Alphanumeric, SampleString};
use serde_json::{Value, json};
use sqlx::{Executor, PgPool};

/// Serves `router` on a free loopback port until the test process ends.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    address
}

pub fn random(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

// ---------------------------------------------------------------- identity

/// A managed identity endpoint.
#[derive(Clone)]
pub struct Identity {
    pub endpoint: String,
    /// The `IDENTITY_HEADER` value (itself a secret).
    pub header: String,
    state: Arc<IdentityState>,
}

struct IdentityState {
    header: String,
    lifetime: Duration,
    issued: Mutex<Vec<String>>,
    /// (pool, role): each token becomes the role's password.
    database_role: Option<(PgPool, String)>,
}

impl Identity {
    pub async fn start(lifetime: Duration, database_role: Option<(PgPool, String)>) -> Self {
        let header = random(24);
        let state = Arc::new(IdentityState {
            header: header.clone(),
            lifetime,
            issued: Mutex::new(Vec::new()),
            database_role,
        });
        let router = Router::new()
            .route("/msi/token", get(issue_token))
            .with_state(state.clone());
        let endpoint = format!("{}/msi/token", serve(router).await);
        Self {
            endpoint,
            header,
            state,
        }
    }

    /// Every token issued so far.
    pub fn issued(&self) -> Vec<String> {
        self.state.issued.lock().unwrap().clone()
    }

    fn accepts(&self, token: &str) -> bool {
        self.state.issued.lock().unwrap().iter().any(|t| t == token)
    }

    /// The variables `azure_identity` reads.
    pub fn env(&self) -> Vec<(String, String)> {
        vec![
            ("IDENTITY_ENDPOINT".into(), self.endpoint.clone()),
            ("IDENTITY_HEADER".into(), self.header.clone()),
            ("RATES_AZURE_CREDENTIAL".into(), "managed_identity".into()),
        ]
    }
}

async fn issue_token(
    State(state): State<Arc<IdentityState>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let header_ok = headers
        .get("x-identity-header")
        .is_some_and(|v| v.as_bytes() == state.header.as_bytes());
    if !header_ok || query.get("api-version").map(String::as_str) != Some("2019-08-01") {
        return (StatusCode::UNAUTHORIZED, "bad identity header").into_response();
    }
    let Some(resource) = query.get("resource").cloned() else {
        return (StatusCode::BAD_REQUEST, "no resource").into_response();
    };
    let token = format!("eyFAKE{}", random(48));
    if let Some((pool, role)) = &state.database_role {
        // The token becomes the password, as Azure Database for PostgreSQL
        // accepts any valid token of its principal.
        pool.execute(sqlx::AssertSqlSafe(format!(
            "ALTER ROLE {role} WITH LOGIN PASSWORD '{token}'"
        )))
        .await
        .unwrap();
    }
    state.issued.lock().unwrap().push(token.clone());
    let expires_on = unix_now() + state.lifetime.as_secs();
    Json(json!({
        "access_token": token,
        "expires_on": expires_on.to_string(),
        "resource": resource,
        "token_type": "Bearer",
    }))
    .into_response()
}

// --------------------------------------------------------------- key vault

/// Key Vault's secrets API; accepts the tokens `identity` issued.
#[derive(Clone)]
pub struct KeyVault {
    /// The plain-HTTP address the client is redirected to.
    pub address: String,
    /// The vault URL the client is configured with.
    pub url: String,
    state: Arc<KeyVaultState>,
}

struct KeyVaultState {
    identity: Identity,
    secrets: Mutex<HashMap<String, String>>,
}

impl KeyVault {
    pub async fn start(identity: Identity) -> Self {
        let state = Arc::new(KeyVaultState {
            identity,
            secrets: Mutex::new(HashMap::new()),
        });
        let router = Router::new()
            .fallback(key_vault_request)
            .with_state(state.clone());
        Self {
            address: serve(router).await,
            url: "https://rates-test.vault.azure.net".into(),
            state,
        }
    }

    pub fn secret(&self, name: &str) -> Option<String> {
        self.state.secrets.lock().unwrap().get(name).cloned()
    }

    pub fn identity(&self) -> &Identity {
        &self.state.identity
    }

    /// Where the vault is and how to log in to it (which role it plays,
    /// credential source or rotation store, is the caller's choice).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = self.state.identity.env();
        env.extend([
            ("RATES_KEY_VAULT_URL".into(), self.url.clone()),
            ("RATES_KEY_VAULT_REDIRECT_TO".into(), self.address.clone()),
        ]);
        env
    }
}

async fn key_vault_request(
    State(state): State<Arc<KeyVaultState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !token.is_some_and(|t| state.identity.accepts(t)) {
        // The challenge the real service sends to an unauthenticated request.
        return (
            StatusCode::UNAUTHORIZED,
            [(
                "www-authenticate",
                "Bearer authorization=\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000\", resource=\"https://vault.azure.net\"",
            )],
            Json(json!({"error": {"code": "Unauthorized", "message": "AKV10000: Request is missing a Bearer or PoP token."}})),
        )
            .into_response();
    }
    let query = uri.query().unwrap_or_default();
    if !query.contains("api-version=") {
        return (StatusCode::BAD_REQUEST, "no api-version").into_response();
    }
    let path: Vec<&str> = uri.path().trim_matches('/').split('/').collect();
    let name = match path.as_slice() {
        ["secrets", name] | ["secrets", name, ""] => (*name).to_owned(),
        _ => return StatusCode::NOT_FOUND.into_response(),
    };
    let bundle = |value: &str| {
        let version = random(32).to_lowercase();
        Json(json!({
            "value": value,
            "id": format!("https://rates-test.vault.azure.net/secrets/{name}/{version}"),
            "attributes": {"enabled": true, "created": unix_now(), "updated": unix_now(),
                           "recoveryLevel": "Recoverable+Purgeable"},
        }))
        .into_response()
    };
    match method {
        Method::GET => match state.secrets.lock().unwrap().get(&name) {
            Some(value) => bundle(value),
            None => (
                StatusCode::NOT_FOUND,
                Json(json!({"error": {"code": "SecretNotFound",
                    "message": format!("A secret with (name/id) {name} was not found in this key vault.")}})),
            )
                .into_response(),
        },
        Method::PUT => {
            let Ok(body) = serde_json::from_slice::<Value>(&body) else {
                return StatusCode::BAD_REQUEST.into_response();
            };
            let Some(value) = body["value"].as_str() else {
                return StatusCode::BAD_REQUEST.into_response();
            };
            state
                .secrets
                .lock()
                .unwrap()
                .insert(name.clone(), value.to_owned());
            bundle(value)
        }
        _ => StatusCode::METHOD_NOT_ALLOWED.into_response(),
    }
}

// --------------------------------------------------------- secrets manager

/// Secrets Manager's JSON protocol; requires SigV4-signed requests.
#[derive(Clone)]
pub struct SecretsManager {
    pub address: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    state: Arc<Mutex<HashMap<String, String>>>,
}

impl SecretsManager {
    pub async fn start() -> Self {
        let state = Arc::new(Mutex::new(HashMap::new()));
        let access_key_id = format!("AKIA{}", random(16).to_uppercase());
        let router = Router::new()
            .fallback(secrets_manager_request)
            .with_state((state.clone(), access_key_id.clone()));
        Self {
            address: serve(router).await,
            access_key_id,
            secret_access_key: random(40),
            state,
        }
    }

    /// Creates the secret (infrastructure does this before any rotation).
    pub fn create(&self, id: &str, value: &str) {
        self.state
            .lock()
            .unwrap()
            .insert(id.to_owned(), value.to_owned());
    }

    pub fn secret(&self, id: &str) -> Option<Value> {
        let map = self.state.lock().unwrap();
        map.get(id).map(|s| serde_json::from_str(s).unwrap())
    }

    /// Where the secret is and the AWS credentials for it (which role it
    /// plays, credential source or rotation store, is the caller's choice).
    pub fn env(&self, secret_id: &str) -> Vec<(String, String)> {
        vec![
            ("RATES_SECRETS_MANAGER_SECRET_ID".into(), secret_id.into()),
            ("AWS_ENDPOINT_URL".into(), self.address.clone()),
            ("AWS_REGION".into(), "eu-north-1".into()),
            ("AWS_ACCESS_KEY_ID".into(), self.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY".into(),
                self.secret_access_key.clone(),
            ),
            ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
            ("AWS_CONFIG_FILE".into(), "/nonexistent".into()),
            ("AWS_SHARED_CREDENTIALS_FILE".into(), "/nonexistent".into()),
        ]
    }
}

type SmState = (Arc<Mutex<HashMap<String, String>>>, String);

async fn secrets_manager_request(
    State((state, access_key_id)): State<SmState>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let error = |status: StatusCode, kind: &str, message: &str| {
        (
            status,
            [("content-type", "application/x-amz-json-1.1")],
            Json(json!({"__type": kind, "message": message})),
        )
            .into_response()
    };
    let signed = header("authorization")
        .starts_with(&format!("AWS4-HMAC-SHA256 Credential={access_key_id}/"));
    if method != Method::POST || !signed {
        return error(
            StatusCode::BAD_REQUEST,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        );
    }
    if header("content-type") != "application/x-amz-json-1.1" {
        return error(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            "bad content type",
        );
    }
    let Ok(input) = serde_json::from_slice::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "SerializationException",
            "bad JSON",
        );
    };
    let id = input["SecretId"].as_str().unwrap_or_default().to_owned();
    let arn = format!("arn:aws:secretsmanager:eu-north-1:123456789012:secret:{id}-AbCdEf");
    let version = random(32);
    let mut secrets = state.lock().unwrap();
    let ok = |body: Value| {
        (
            StatusCode::OK,
            [("content-type", "application/x-amz-json-1.1")],
            Json(body),
        )
            .into_response()
    };
    match header("x-amz-target").as_str() {
        "secretsmanager.GetSecretValue" => match secrets.get(&id) {
            Some(value) => ok(json!({
                "ARN": arn, "Name": id, "VersionId": version, "SecretString": value,
                "VersionStages": ["AWSCURRENT"], "CreatedDate": unix_now() as f64,
            })),
            None => error(
                StatusCode::BAD_REQUEST,
                "ResourceNotFoundException",
                "Secrets Manager can't find the specified secret.",
            ),
        },
        "secretsmanager.PutSecretValue" => {
            if !secrets.contains_key(&id) {
                return error(
                    StatusCode::BAD_REQUEST,
                    "ResourceNotFoundException",
                    "Secrets Manager can't find the specified secret.",
                );
            }
            let Some(value) = input["SecretString"].as_str() else {
                return error(
                    StatusCode::BAD_REQUEST,
                    "InvalidParameterException",
                    "no SecretString",
                );
            };
            secrets.insert(id.clone(), value.to_owned());
            ok(
                json!({"ARN": arn, "Name": id, "VersionId": version, "VersionStages": ["AWSCURRENT"]}),
            )
        }
        other => error(StatusCode::BAD_REQUEST, "UnknownOperationException", other),
    }
}

/// Waits (bounded) for `check`.
pub async fn eventually(what: &str, timeout: Duration, mut check: impl AsyncFnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + timeout;
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}
