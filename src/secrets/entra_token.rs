//! Passwordless on Azure: an Entra ID access token for Azure Database for
//! PostgreSQL is the password. Tokens live about an hour; the refresher asks
//! for a new one at half its remaining life, so the pool never holds an
//! expired one. The user name is the Entra principal's, from `[database]`.

use std::sync::Arc;

use azure_core::credentials::TokenCredential;
use chrono::{DateTime, Utc};
use secrecy::SecretString;

use super::{CredentialError, Credentials, azure_identity_chain};
use crate::config::Settings;

const NAME: &str = "entra token";

pub struct EntraTokenSource {
    credential: Arc<dyn TokenCredential>,
    scope: String,
}

impl EntraTokenSource {
    pub fn new(settings: &Settings) -> Result<Self, CredentialError> {
        let (_, credential) = azure_identity_chain::credential(settings)?;
        Ok(Self {
            credential,
            scope: settings.entra.scope.clone(),
        })
    }

    pub async fn fetch(&self) -> Result<Credentials, CredentialError> {
        let token = self
            .credential
            .get_token(&[self.scope.as_str()], None)
            .await
            .map_err(|e| CredentialError::new(NAME, e))?;
        let expires_at = DateTime::<Utc>::from_timestamp(token.expires_on.unix_timestamp(), 0);
        Ok(Credentials {
            password: Some(SecretString::from(token.token.secret())),
            expires_at,
            ..Default::default()
        })
    }
}
