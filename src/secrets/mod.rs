//! Database credentials: where they come from (one source, chosen by
//! `[credentials] source`), where rotation publishes them, and the background
//! task that keeps the pool's connect options current.
//!
//! Secrets stay in `SecretString`s; `Credentials` has a redacting `Debug`.
//! Never log a `PgConnectOptions`: its `Debug` prints the password.

pub mod aws;
pub mod azure_identity_chain;
pub mod entra_token;
pub mod key_vault;
pub mod rds_iam;
pub mod refresher;
pub mod scram;
pub mod secrets_manager;
pub mod static_file;
pub mod transport;

use std::{fmt, time::Duration};

use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::PgConnectOptions;

use crate::config::{CredentialSourceKind, RotateStore, Settings};
pub use refresher::{CredentialStatus, Refresher};

/// One set of credentials. Fields a source does not know (a token source knows
/// no host) are `None` and leave the configured value in place.
#[derive(Clone, Default)]
pub struct Credentials {
    pub host: Option<String>,
    pub port: Option<u16>,
    pub database: Option<String>,
    pub username: Option<String>,
    pub password: Option<SecretString>,
    /// When the password stops working (tokens); `None` for passwords.
    pub expires_at: Option<DateTime<Utc>>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("database", &self.database)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[REDACTED]"))
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

impl Credentials {
    /// `base` with these credentials on top.
    pub fn apply(&self, mut base: PgConnectOptions) -> PgConnectOptions {
        if let Some(host) = &self.host {
            base = base.host(host);
        }
        if let Some(port) = self.port {
            base = base.port(port);
        }
        if let Some(database) = &self.database {
            base = base.database(database);
        }
        if let Some(username) = &self.username {
            base = base.username(username);
        }
        if let Some(password) = &self.password {
            base = base.password(password.expose_secret());
        }
        base
    }

    /// True when connecting with `other` would be the same as with `self`.
    pub fn same_login(&self, other: &Self) -> bool {
        let password = |c: &Self| c.password.as_ref().map(|p| p.expose_secret().to_owned());
        self.host == other.host
            && self.port == other.port
            && self.database == other.database
            && self.username == other.username
            && password(self) == password(other)
    }
}

/// Why credentials could not be read or published. Messages never hold a
/// secret: store errors are summarised, not echoed with their payloads.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {message}")]
pub struct CredentialError {
    pub source_name: &'static str,
    pub message: String,
}

impl CredentialError {
    pub fn new(source_name: &'static str, message: impl fmt::Display) -> Self {
        Self {
            source_name,
            message: message.to_string(),
        }
    }
}

/// Where the service reads its database credentials.
pub enum CredentialSource {
    Static(static_file::StaticSource),
    KeyVault(Box<key_vault::KeyVaultStore>),
    SecretsManager(Box<secrets_manager::SecretsManagerStore>),
    EntraToken(entra_token::EntraTokenSource),
    RdsIam(Box<rds_iam::RdsIamSource>),
}

impl CredentialSource {
    pub async fn from_settings(settings: &Settings) -> Result<Self, CredentialError> {
        Ok(match settings.credentials.source {
            CredentialSourceKind::Static => Self::Static(static_file::StaticSource::new(settings)),
            CredentialSourceKind::KeyVault => {
                Self::KeyVault(Box::new(key_vault::KeyVaultStore::new(settings)?))
            }
            CredentialSourceKind::SecretsManager => Self::SecretsManager(Box::new(
                secrets_manager::SecretsManagerStore::new(settings).await?,
            )),
            CredentialSourceKind::EntraToken => {
                Self::EntraToken(entra_token::EntraTokenSource::new(settings)?)
            }
            CredentialSourceKind::RdsIam => {
                Self::RdsIam(Box::new(rds_iam::RdsIamSource::new(settings).await?))
            }
        })
    }

    /// The name `/readyz` and the logs show.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Static(_) => "static",
            Self::KeyVault(_) => "key_vault",
            Self::SecretsManager(_) => "secrets_manager",
            Self::EntraToken(_) => "entra_token",
            Self::RdsIam(_) => "rds_iam",
        }
    }

    /// The current credentials, read from the source now.
    pub async fn fetch(&self) -> Result<Credentials, CredentialError> {
        match self {
            Self::Static(s) => s.fetch(),
            Self::KeyVault(s) => s.fetch().await,
            Self::SecretsManager(s) => s.fetch().await,
            Self::EntraToken(s) => s.fetch().await,
            Self::RdsIam(s) => s.fetch().await,
        }
    }

    /// False for a static source with nothing that can change (no file).
    pub fn can_change(&self) -> bool {
        match self {
            Self::Static(s) => s.reads_files(),
            _ => true,
        }
    }

    /// How often to re-read when nothing expires sooner.
    pub fn default_period(&self) -> Duration {
        match self {
            Self::Static(_) => Duration::from_secs(5),
            _ => Duration::from_secs(300),
        }
    }
}

/// Where `rates db rotate` publishes new credentials.
pub enum CredentialStore {
    Files(static_file::FileStore),
    KeyVault(Box<key_vault::KeyVaultStore>),
    SecretsManager(Box<secrets_manager::SecretsManagerStore>),
}

impl CredentialStore {
    pub async fn from_settings(settings: &Settings) -> Result<Self, CredentialError> {
        Ok(match settings.rotate.store {
            RotateStore::Files => Self::Files(static_file::FileStore::new(settings)?),
            RotateStore::KeyVault => {
                Self::KeyVault(Box::new(key_vault::KeyVaultStore::new(settings)?))
            }
            RotateStore::SecretsManager => Self::SecretsManager(Box::new(
                secrets_manager::SecretsManagerStore::new(settings).await?,
            )),
        })
    }

    pub fn name(&self) -> &'static str {
        match self {
            Self::Files(_) => "files",
            Self::KeyVault(_) => "key_vault",
            Self::SecretsManager(_) => "secrets_manager",
        }
    }

    /// The user name currently published, if any.
    pub async fn current_username(&self) -> Result<Option<String>, CredentialError> {
        let current = match self {
            Self::Files(s) => s.current_username(),
            Self::KeyVault(s) => s.current_username().await,
            Self::SecretsManager(s) => s.fetch_existing().await.map(|c| c.and_then(|c| c.username)),
        }?;
        Ok(current.filter(|u| !u.is_empty()))
    }

    /// Makes `credentials` the current ones.
    pub async fn publish(&self, credentials: &Credentials) -> Result<(), CredentialError> {
        match self {
            Self::Files(s) => s.publish(credentials),
            Self::KeyVault(s) => s.publish(credentials).await,
            Self::SecretsManager(s) => s.publish(credentials).await,
        }
    }
}

/// True for the errors PostgreSQL gives a login that is refused (wrong or
/// expired password, unknown role).
fn is_auth_failure(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d)
        if matches!(d.code().as_deref(), Some("28P01" | "28000")))
}

/// When `e` is a refused login: wakes the refreshers (as
/// [`report_if_auth_failure`]) and waits, at most `bound`, until one has
/// re-read its source. Returns whether it was, so that the caller may try once
/// more with what was read.
pub async fn reread_after_refused_login(e: &sqlx::Error, bound: Duration) -> bool {
    if !is_auth_failure(e) {
        return false;
    }
    // Registered before the wake-up, so the notification cannot be missed.
    let reread = refresher::REREAD.notified();
    report_if_auth_failure(e);
    let _ = tokio::time::timeout(bound, reread).await;
    true
}

/// When `e` is a refused login, wakes every refresher so it re-reads its
/// source now: the credentials changed under us. Returns whether it was.
pub fn report_if_auth_failure(e: &sqlx::Error) -> bool {
    let refused = is_auth_failure(e);
    if refused {
        refresher::AUTH_FAILED.notify_waiters();
    }
    refused
}
