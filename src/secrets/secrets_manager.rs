//! AWS Secrets Manager: the JSON secret RDS manages (`username`, `password`,
//! `host`, `port`, `dbname`), read with the official SDK and written by
//! `rates db rotate` (other keys in the JSON are kept).

use aws_sdk_secretsmanager::Client;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Map, Value};

use super::{CredentialError, Credentials, aws};
use crate::config::Settings;

const NAME: &str = "secrets manager";

pub struct SecretsManagerStore {
    client: Client,
    secret_id: String,
}

impl SecretsManagerStore {
    pub async fn new(settings: &Settings) -> Result<Self, CredentialError> {
        let sm = &settings.secrets_manager;
        let secret_id = sm.secret_id.clone().ok_or_else(|| {
            CredentialError::new(NAME, "set the secret (RATES_SECRETS_MANAGER_SECRET_ID)")
        })?;
        let config = aws::sdk_config(sm.region.as_deref(), sm.endpoint_url.as_deref()).await;
        Ok(Self {
            client: Client::new(&config),
            secret_id,
        })
    }

    /// The secret's JSON object; `None` when the secret has no value yet.
    async fn read_json(
        &self,
    ) -> Result<Option<(Map<String, Value>, SecretString)>, CredentialError> {
        let output = match self
            .client
            .get_secret_value()
            .secret_id(&self.secret_id)
            .send()
            .await
        {
            Ok(output) => output,
            Err(e) => {
                let service = e.as_service_error();
                if service.is_some_and(|s| s.is_resource_not_found_exception()) {
                    return Ok(None);
                }
                // The code only: SDK errors can carry the raw response.
                let code = service
                    .and_then(aws_sdk_secretsmanager::error::ProvideErrorMetadata::code)
                    .map(str::to_owned)
                    .unwrap_or_else(|| {
                        format!("{}", aws_sdk_secretsmanager::error::DisplayErrorContext(&e))
                    });
                return Err(CredentialError::new(
                    NAME,
                    format!("{}: {code}", self.secret_id),
                ));
            }
        };
        let Some(text) = output.secret_string() else {
            return Ok(None);
        };
        let text = SecretString::from(text);
        match serde_json::from_str::<Value>(text.expose_secret()) {
            Ok(Value::Object(map)) => Ok(Some((map, text))),
            // The parse error could quote the secret: say only what is wrong.
            _ => Err(CredentialError::new(
                NAME,
                format!("{} is not a JSON object", self.secret_id),
            )),
        }
    }

    pub async fn fetch_existing(&self) -> Result<Option<Credentials>, CredentialError> {
        let Some((map, _)) = self.read_json().await? else {
            return Ok(None);
        };
        let text = |key: &str| map.get(key).and_then(Value::as_str).map(str::to_owned);
        let port = map.get("port").and_then(|p| match p {
            Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
            Value::String(s) => s.parse().ok(),
            _ => None,
        });
        Ok(Some(Credentials {
            host: text("host"),
            port,
            database: text("dbname"),
            username: text("username"),
            password: text("password").map(SecretString::from),
            expires_at: None,
        }))
    }

    pub async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let c = self.fetch_existing().await?.ok_or_else(|| {
            CredentialError::new(NAME, format!("{} has no value", self.secret_id))
        })?;
        if c.username.is_none() || c.password.is_none() {
            return Err(CredentialError::new(
                NAME,
                format!("{} lacks username or password", self.secret_id),
            ));
        }
        Ok(c)
    }

    /// One new version with every field: readers see the old pair or the
    /// new. Host, port and database are filled in only when missing: the
    /// address the administrator rotated through need not be the API's.
    pub async fn publish(&self, c: &Credentials) -> Result<(), CredentialError> {
        let mut map = self.read_json().await?.map(|(m, _)| m).unwrap_or_default();
        map.entry("engine").or_insert_with(|| "postgres".into());
        if let Some(host) = &c.host {
            map.entry("host").or_insert_with(|| host.clone().into());
        }
        if let Some(port) = c.port {
            map.entry("port").or_insert_with(|| port.into());
        }
        if let Some(database) = &c.database {
            map.entry("dbname")
                .or_insert_with(|| database.clone().into());
        }
        if let Some(username) = &c.username {
            map.insert("username".into(), username.clone().into());
        }
        if let Some(password) = &c.password {
            map.insert("password".into(), password.expose_secret().into());
        }
        let body = SecretString::from(Value::Object(map).to_string());
        self.client
            .put_secret_value()
            .secret_id(&self.secret_id)
            .secret_string(body.expose_secret())
            .send()
            .await
            .map_err(|e| {
                let code = e
                    .as_service_error()
                    .and_then(aws_sdk_secretsmanager::error::ProvideErrorMetadata::code)
                    .unwrap_or("request failed")
                    .to_owned();
                CredentialError::new(NAME, format!("{}: {code}", self.secret_id))
            })?;
        Ok(())
    }
}
