//! Azure Key Vault: host, database, user and password in four named secrets
//! (the reference deployment's `Webapp-DB-Server-*` names by default), read
//! with the official client and written by `rates db rotate`.

use std::sync::Arc;

use azure_core::http::{RequestContent, Url};
use azure_security_keyvault_secrets::{
    SecretClient, SecretClientOptions, models::SetSecretParameters,
};
use secrecy::{ExposeSecret, SecretString};

use super::{CredentialError, Credentials, azure_identity_chain, transport::Transport};
use crate::config::{KeyVaultSettings, Settings};

const NAME: &str = "key vault";

pub struct KeyVaultStore {
    client: SecretClient,
    names: KeyVaultSettings,
}

impl KeyVaultStore {
    pub fn new(settings: &Settings) -> Result<Self, CredentialError> {
        let names = settings.key_vault.clone();
        let url = names
            .url
            .clone()
            .ok_or_else(|| CredentialError::new(NAME, "set the vault URL (RATES_KEY_VAULT_URL)"))?;
        let vault = Url::parse(&url).map_err(|e| CredentialError::new(NAME, e))?;
        let transport = match &names.redirect_to {
            Some(to) => {
                let to = Url::parse(to).map_err(|e| CredentialError::new(NAME, e))?;
                tracing::warn!(to = %to, "Key Vault requests are redirected (emulators and tests only)");
                Transport::redirecting(vault.host_str().unwrap_or_default(), to)
            }
            None => Transport::direct(),
        };
        let (_, credential) = azure_identity_chain::credential(settings)?;
        let options = SecretClientOptions {
            client_options: Transport::client_options(transport),
            ..Default::default()
        };
        let client = SecretClient::new(&url, Arc::clone(&credential), Some(options))
            .map_err(|e| CredentialError::new(NAME, e))?;
        Ok(Self { client, names })
    }

    async fn get(&self, name: &str) -> Result<Option<SecretString>, CredentialError> {
        let response = match self.client.get_secret(name, None).await {
            Ok(response) => response,
            Err(e)
                if matches!(
                    e.http_status(),
                    Some(azure_core::http::StatusCode::NotFound)
                ) =>
            {
                return Ok(None);
            }
            Err(e) => return Err(summarise(name, &e)),
        };
        let secret = response
            .into_model()
            .map_err(|e| CredentialError::new(NAME, format!("secret {name}: {}", e.kind())))?;
        Ok(secret.value.map(SecretString::from))
    }

    async fn get_required(&self, name: &str) -> Result<SecretString, CredentialError> {
        self.get(name)
            .await?
            .ok_or_else(|| CredentialError::new(NAME, format!("secret {name} is missing")))
    }

    pub async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let n = &self.names;
        let server = self.get_required(&n.server_secret).await?;
        let database = self.get_required(&n.database_secret).await?;
        let username = self.get_required(&n.username_secret).await?;
        let password = self.get_required(&n.password_secret).await?;
        let (host, port) = split_server(server.expose_secret());
        Ok(Credentials {
            host: Some(host),
            port,
            database: Some(database.expose_secret().to_owned()),
            username: Some(username.expose_secret().to_owned()),
            password: Some(password),
            expires_at: None,
        })
    }

    pub async fn current_username(&self) -> Result<Option<String>, CredentialError> {
        Ok(self
            .get(&self.names.username_secret)
            .await?
            .map(|s| s.expose_secret().to_owned()))
    }

    /// The password first, then the user name: the user name is what makes
    /// the new pair current (readers check a pair before using it). Server
    /// and database are written only when missing: the address the
    /// administrator rotated through need not be the one the API should use.
    pub async fn publish(&self, c: &Credentials) -> Result<(), CredentialError> {
        let n = &self.names;
        if let Some(host) = &c.host
            && self.get(&n.server_secret).await?.is_none()
        {
            let server = match c.port {
                Some(port) if port != 5432 => format!("{host}:{port}"),
                _ => host.clone(),
            };
            self.set(&n.server_secret, &server).await?;
        }
        if let Some(database) = &c.database
            && self.get(&n.database_secret).await?.is_none()
        {
            self.set(&n.database_secret, database).await?;
        }
        if let Some(password) = &c.password {
            self.set(&n.password_secret, password.expose_secret())
                .await?;
        }
        if let Some(username) = &c.username {
            self.set(&n.username_secret, username).await?;
        }
        Ok(())
    }

    async fn set(&self, name: &str, value: &str) -> Result<(), CredentialError> {
        let parameters = SetSecretParameters {
            value: Some(value.to_owned()),
            ..Default::default()
        };
        let content: RequestContent<SetSecretParameters> = parameters
            .try_into()
            .map_err(|e: azure_core::Error| CredentialError::new(NAME, e.kind()))?;
        self.client
            .set_secret(name, content, None)
            .await
            .map_err(|e| summarise(name, &e))?;
        Ok(())
    }
}

/// The status and kind only: a response body may echo a secret.
fn summarise(name: &str, e: &azure_core::Error) -> CredentialError {
    match e.http_status() {
        Some(status) => CredentialError::new(NAME, format!("secret {name}: HTTP {status}")),
        None => CredentialError::new(NAME, format!("secret {name}: {e}")),
    }
}

/// `host` or `host:port`.
fn split_server(server: &str) -> (String, Option<u16>) {
    match server.rsplit_once(':') {
        Some((host, port)) if !host.contains(':') || host.ends_with(']') => match port.parse() {
            Ok(port) => (host.to_owned(), Some(port)),
            Err(_) => (server.to_owned(), None),
        },
        _ => (server.to_owned(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_secret_may_carry_a_port() {
        assert_eq!(split_server("db.example"), ("db.example".into(), None));
        assert_eq!(
            split_server("127.0.0.1:6543"),
            ("127.0.0.1".into(), Some(6543))
        );
    }
}
