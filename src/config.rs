//! Settings, layered: built-in defaults, then an optional TOML file, then
//! environment variables and command-line flags (clap reads both; a flag wins
//! over its variable). Secrets are `SecretString`s so `Debug` cannot leak them.

use std::{
    path::{Path, PathBuf},
    str::FromStr,
    time::Duration,
};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sqlx::postgres::{PgConnectOptions, PgSslMode};

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Address the HTTP server binds, `host:port`.
    pub listen: String,
    /// Name reported by `/health`; the host name when unset.
    pub container_name: Option<String>,
    /// Longest `/rates` range accepted, in days (inclusive).
    pub max_range_days: u32,
    /// A request still running after this long is answered with 503.
    pub request_timeout_secs: u64,
    /// On SIGTERM, in-flight requests get this long to finish.
    pub shutdown_grace_secs: u64,
    /// Apply pending migrations before serving.
    pub migrate_on_start: bool,
    pub log: LogSettings,
    pub database: DatabaseSettings,
    pub embedded: EmbeddedSettings,
    pub credentials: CredentialSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: "0.0.0.0:3000".into(),
            container_name: None,
            max_range_days: 366,
            request_timeout_secs: 30,
            shutdown_grace_secs: 30,
            migrate_on_start: true,
            log: LogSettings::default(),
            database: DatabaseSettings::default(),
            embedded: EmbeddedSettings::default(),
            credentials: CredentialSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogSettings {
    pub format: LogFormat,
    /// A `tracing` env-filter directive, e.g. `info,sqlx=warn`.
    pub filter: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::Text,
            filter: "info".into(),
        }
    }
}

/// An external PostgreSQL. When nothing here is set the embedded one is used.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `postgres://user:password@host:port/db?sslmode=...`
    pub url: Option<SecretString>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub user: Option<String>,
    pub name: Option<String>,
    pub password: Option<SecretString>,
    /// A file holding the password (Docker and Kubernetes secrets).
    pub password_file: Option<PathBuf>,
    pub sslmode: Option<String>,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    /// Connections are replaced after this long, so credential and server
    /// changes reach every connection in bounded time.
    pub max_lifetime_secs: u64,
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        Self {
            url: None,
            host: None,
            port: None,
            user: None,
            name: None,
            password: None,
            password_file: None,
            sslmode: None,
            max_connections: 16,
            acquire_timeout_secs: 5,
            max_lifetime_secs: 30 * 60,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddedSettings {
    /// Where the private PostgreSQL keeps its data.
    pub data_dir: PathBuf,
    /// PostgreSQL server binaries; discovered when unset.
    pub pg_bin_dir: Option<PathBuf>,
    /// Load the generated demo dataset into an empty embedded database.
    pub demo_data: bool,
}

impl Default for EmbeddedSettings {
    fn default() -> Self {
        Self {
            data_dir: default_data_dir(),
            pg_bin_dir: None,
            demo_data: true,
        }
    }
}

/// Root's home is not traversable by the unprivileged user the embedded server
/// runs as, so root gets the conventional system location.
fn default_data_dir() -> PathBuf {
    if nix::unistd::geteuid().is_root() {
        return PathBuf::from("/var/lib/rates");
    }
    let base = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("rates")
}

/// Where the database credentials come from, and how rotation publishes them.
/// See `src/secrets/`.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialSettings {
    pub source: CredentialSourceKind,
    /// Re-read the source this often; token sources renew at half their
    /// lifetime when that comes sooner. Default: 5 s for files, 300 s for
    /// secret stores.
    pub refresh_secs: Option<u64>,
    /// A file holding the user name, beside the password file (Kubernetes
    /// secrets mount `username` and `password`); needed to rotate to files.
    pub username_file: Option<PathBuf>,
    /// Roles made by `rates db bootstrap` are named `{prefix}_owner`,
    /// `{prefix}_api`, `{prefix}_api_a`, ...
    pub role_prefix: String,
    pub key_vault: KeyVaultSettings,
    pub azure: AzureSettings,
    pub secrets_manager: SecretsManagerSettings,
    pub entra: EntraSettings,
    pub rds_iam: RdsIamSettings,
}

impl Default for CredentialSettings {
    fn default() -> Self {
        Self {
            source: CredentialSourceKind::Static,
            refresh_secs: None,
            username_file: None,
            role_prefix: "rates".into(),
            key_vault: KeyVaultSettings::default(),
            azure: AzureSettings::default(),
            secrets_manager: SecretsManagerSettings::default(),
            entra: EntraSettings::default(),
            rds_iam: RdsIamSettings::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum CredentialSourceKind {
    /// `DATABASE_URL`, libpq variables, a password file.
    #[default]
    Static,
    /// Host, database, user and password from Azure Key Vault secrets.
    KeyVault,
    /// The RDS secret JSON in AWS Secrets Manager.
    SecretsManager,
    /// An Entra ID access token as the password (Azure Database for PostgreSQL).
    EntraToken,
    /// An RDS IAM auth token as the password.
    RdsIam,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KeyVaultSettings {
    /// `https://NAME.vault.azure.net`
    pub url: Option<String>,
    /// Secret holding the server host name (`host` or `host:port`).
    pub server_secret: String,
    pub database_secret: String,
    pub username_secret: String,
    pub password_secret: String,
    /// Sends the vault's requests to this plain-HTTP base URL instead (Key
    /// Vault emulators and tests). Never set in production.
    pub redirect_to: Option<String>,
}

impl Default for KeyVaultSettings {
    fn default() -> Self {
        Self {
            url: None,
            server_secret: "Webapp-DB-Server-Name".into(),
            database_secret: "Webapp-DB-Server-Database".into(),
            username_secret: "Webapp-DB-Server-Username".into(),
            password_secret: "Webapp-DB-Server-UserPassword".into(),
            redirect_to: None,
        }
    }
}

/// How `rates` authenticates to Azure (Key Vault, Entra tokens).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AzureSettings {
    pub credential: AzureCredentialKind,
    /// Client id of a user-assigned managed identity or an app registration
    /// (`AZURE_CLIENT_ID` otherwise).
    pub client_id: Option<String>,
    /// `AZURE_TENANT_ID` otherwise.
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
#[value(rename_all = "snake_case")]
pub enum AzureCredentialKind {
    /// Workload identity, then managed identity, then a client secret, then
    /// the Azure CLI: the first that is configured.
    #[default]
    Auto,
    WorkloadIdentity,
    ManagedIdentity,
    ClientSecret,
    AzureCli,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecretsManagerSettings {
    /// Name or ARN of the secret holding the RDS JSON.
    pub secret_id: Option<String>,
    /// AWS region; the SDK's usual chain otherwise (`AWS_REGION`, profile).
    pub region: Option<String>,
    /// Endpoint override (`AWS_ENDPOINT_URL` works too).
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EntraSettings {
    pub scope: String,
}

impl Default for EntraSettings {
    fn default() -> Self {
        Self {
            scope: "https://ossrdbms-aad.database.windows.net/.default".into(),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RdsIamSettings {
    /// AWS region of the database; the SDK's usual chain otherwise.
    pub region: Option<String>,
}

impl CredentialSettings {
    /// True when the credentials come from somewhere other than the
    /// `[database]` settings themselves.
    pub fn is_external(&self) -> bool {
        self.source != CredentialSourceKind::Static
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    ParseFile { path: PathBuf, message: String },
    #[error("cannot read the database password file {path}: {source}")]
    PasswordFile {
        path: PathBuf,
        source: std::io::Error,
    },
    // The URL itself is never echoed: it may hold a password.
    #[error("invalid database URL: {0}")]
    DatabaseUrl(String),
    #[error(
        "invalid sslmode {0:?}: expected disable, allow, prefer, require, verify-ca or verify-full"
    )]
    SslMode(String),
}

impl Settings {
    /// Defaults overlaid with the TOML file, if any. Env and flags are applied
    /// on top by the CLI.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let Some(path) = file else {
            return Ok(Self::default());
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::ReadFile {
            path: path.to_owned(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::ParseFile {
            path: path.to_owned(),
            message: e.message().to_owned(),
        })
    }

    /// The name `/health` reports.
    pub fn container_name(&self) -> String {
        self.container_name.clone().unwrap_or_else(|| {
            nix::unistd::gethostname()
                .ok()
                .and_then(|h| h.into_string().ok())
                .unwrap_or_else(|| "unknown".into())
        })
    }
}

impl DatabaseSettings {
    /// True when any external database setting is present; otherwise the
    /// embedded server is used.
    pub fn is_configured(&self) -> bool {
        self.url.is_some()
            || self.host.is_some()
            || self.name.is_some()
            || self.user.is_some()
            || self.password_file.is_some()
    }

    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.acquire_timeout_secs)
    }

    pub fn max_lifetime(&self) -> Duration {
        Duration::from_secs(self.max_lifetime_secs)
    }

    /// Connection options: the URL (or libpq's environment, which sqlx reads),
    /// then the individual settings on top.
    pub fn connect_options(&self) -> Result<PgConnectOptions, ConfigError> {
        let mut options = match &self.url {
            Some(url) => PgConnectOptions::from_str(url.expose_secret())
                .map_err(|e| ConfigError::DatabaseUrl(redact_url_error(&e.to_string())))?,
            None => PgConnectOptions::new_without_pgpass(),
        };
        if let Some(host) = &self.host {
            options = options.host(host);
        }
        if let Some(port) = self.port {
            options = options.port(port);
        }
        if let Some(user) = &self.user {
            options = options.username(user);
        }
        if let Some(name) = &self.name {
            options = options.database(name);
        }
        if let Some(mode) = &self.sslmode {
            let mode = PgSslMode::from_str(mode).map_err(|_| ConfigError::SslMode(mode.clone()))?;
            options = options.ssl_mode(mode);
        }
        if let Some(password) = self.current_password()? {
            options = options.password(password.expose_secret());
        }
        Ok(options.application_name("rates"))
    }

    /// The password file wins over an inline password: it is what secret
    /// stores rotate.
    fn current_password(&self) -> Result<Option<SecretString>, ConfigError> {
        match &self.password_file {
            Some(path) => read_password_file(path).map(Some),
            None => Ok(self.password.clone()),
        }
    }
}

/// Reads a mounted secret, dropping the trailing newline editors and `echo` add.
pub fn read_password_file(path: &Path) -> Result<SecretString, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::PasswordFile {
        path: path.to_owned(),
        source,
    })?;
    Ok(SecretString::from(text.trim_end_matches(['\n', '\r'])))
}

/// sqlx's URL errors can quote the URL; keep only the first clause.
fn redact_url_error(message: &str) -> String {
    message
        .split([':', '"'])
        .next()
        .unwrap_or("malformed")
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let db = DatabaseSettings {
            url: Some("postgres://u:hunter2@h/db".into()),
            password: Some("hunter2".into()),
            ..Default::default()
        };
        assert!(!format!("{db:?}").contains("hunter2"));
    }

    #[test]
    fn url_errors_do_not_echo_the_url() {
        let db = DatabaseSettings {
            url: Some("postgres://u:hunter2@h:notaport/db".into()),
            ..Default::default()
        };
        let err = db.connect_options().unwrap_err().to_string();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn password_file_is_trimmed_and_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\n").unwrap();
        let db = DatabaseSettings {
            password: Some("other".into()),
            password_file: Some(path),
            ..Default::default()
        };
        let pw = db.current_password().unwrap().unwrap();
        assert_eq!(pw.expose_secret(), "s3cret");
    }

    #[test]
    fn file_layer_overrides_defaults_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("rates.toml");
        std::fs::write(&path, "max_range_days = 31\n[database]\nhost = \"db\"\n").unwrap();
        let s = Settings::load(Some(&path)).unwrap();
        assert_eq!(s.max_range_days, 31);
        assert_eq!(s.database.host.as_deref(), Some("db"));
        assert_eq!(s.listen, "0.0.0.0:3000");

        std::fs::write(&path, "max_rnage_days = 31\n").unwrap();
        let err = Settings::load(Some(&path)).unwrap_err().to_string();
        assert!(err.contains("max_rnage_days"), "{err}");
    }
}
