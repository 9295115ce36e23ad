//! Settings. Each one is declared once, in [`registry`], by its dotted key;
//! its config-file key, environment variable and flag are derived from that
//! key by one rule (see [`registry::Setting`]), and every source goes through
//! the same parser, so a value is validated the same way however it arrives.
//! Precedence, lowest first: built-in default, TOML file, environment, flag.
//!
//! The process environment is read in one place, [`env`]. Secrets are
//! `SecretString`s, redacted in `Debug` and in `rates config`.

pub mod check;
mod credentials;
pub mod env;
mod load;
pub mod registry;
pub mod render;
pub mod value;

use std::{
    net::SocketAddr,
    path::{Path, PathBuf},
    time::Duration,
};

use secrecy::{ExposeSecret, SecretString};
use sqlx::postgres::{PgConnectOptions, PgSslMode};

pub use credentials::{
    AzureCredentialKind, AzureSettings, BootstrapSettings, CredentialSettings,
    CredentialSourceKind, EntraSettings, KeyVaultSettings, RdsIamGrant, RdsIamSettings,
    RotateSettings, RotateStore, SecretsManagerSettings,
};
pub use env::Env;
pub use load::{ConfigError, Loaded, Source, load, load_each};
pub use registry::{Commands, SETTINGS, Setting};

/// Every setting, typed. Field paths are the settings' keys (`db.host` is
/// `settings.db.host`); defaults are the `Default` impls below.
#[derive(Debug, Clone)]
pub struct Settings {
    pub config: Option<PathBuf>,
    /// `None` until resolved: inferred from the other database settings.
    pub database: Option<DatabaseMode>,
    pub listen: SocketAddr,
    pub container_name: Option<String>,
    pub max_range_days: u32,
    pub request_timeout_secs: u64,
    pub shutdown_delay_secs: u64,
    pub shutdown_grace_secs: u64,
    pub max_staleness_secs: u64,
    /// `None`: true for the embedded database, false for an external one.
    pub migrate: Option<bool>,
    pub header_read_timeout_secs: u64,
    pub keep_alive_timeout_secs: u64,
    pub max_client_connections: u32,
    pub access_log: bool,
    pub metrics: bool,
    pub metrics_listen: Option<SocketAddr>,
    pub otel: OtelSettings,
    pub log: LogSettings,
    pub db: DbSettings,
    pub embedded: EmbeddedSettings,
    pub credentials: CredentialSettings,
    pub key_vault: KeyVaultSettings,
    pub azure: AzureSettings,
    pub entra: EntraSettings,
    pub secrets_manager: SecretsManagerSettings,
    pub rds_iam: RdsIamSettings,
    pub rotate: RotateSettings,
    pub bootstrap: BootstrapSettings,
    /// Facts about the platform read from the environment (not settings).
    pub platform: env::Platform,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            config: None,
            database: None,
            listen: SocketAddr::from(([0, 0, 0, 0], 3000)),
            container_name: None,
            max_range_days: 366,
            request_timeout_secs: 30,
            shutdown_delay_secs: 0,
            shutdown_grace_secs: 20,
            max_staleness_secs: 60,
            migrate: None,
            header_read_timeout_secs: 10,
            keep_alive_timeout_secs: 75,
            max_client_connections: 1024,
            access_log: true,
            metrics: true,
            metrics_listen: None,
            otel: OtelSettings::default(),
            log: LogSettings::default(),
            db: DbSettings::default(),
            embedded: EmbeddedSettings::default(),
            credentials: CredentialSettings::default(),
            key_vault: KeyVaultSettings::default(),
            azure: AzureSettings::default(),
            entra: EntraSettings::default(),
            secrets_manager: SecretsManagerSettings::default(),
            rds_iam: RdsIamSettings::default(),
            rotate: RotateSettings::default(),
            bootstrap: BootstrapSettings::default(),
            platform: env::Platform::default(),
        }
    }
}

/// OpenTelemetry traces, configured by the standard `OTEL_*` variables.
#[derive(Debug, Clone)]
pub struct OtelSettings {
    pub endpoint: Option<String>,
    pub traces_endpoint: Option<String>,
    pub protocol: String,
    pub service_name: String,
    pub traces_sampler: value::TracesSampler,
    pub traces_sampler_arg: f64,
}

impl Default for OtelSettings {
    fn default() -> Self {
        Self {
            endpoint: None,
            traces_endpoint: None,
            protocol: "http/protobuf".into(),
            service_name: "rates".into(),
            traces_sampler: value::TracesSampler::ParentbasedAlwaysOn,
            traces_sampler_arg: 1.0,
        }
    }
}

impl OtelSettings {
    /// Where spans go, when tracing is on.
    pub fn traces_url(&self) -> Option<String> {
        self.traces_endpoint.clone().or_else(|| {
            self.endpoint
                .as_ref()
                .map(|base| format!("{}/v1/traces", base.trim_end_matches('/')))
        })
    }
}

/// Where the data lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DatabaseMode {
    /// A private PostgreSQL started and stopped by `rates` (laptops, demos).
    Embedded,
    /// A PostgreSQL you run, reached through the `db.*` settings.
    External,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

#[derive(Debug, Clone)]
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

/// An external PostgreSQL.
#[derive(Debug, Clone)]
pub struct DbSettings {
    pub url: Option<value::DatabaseUrl>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub name: Option<String>,
    pub user: Option<String>,
    pub user_file: Option<PathBuf>,
    pub password: Option<SecretString>,
    pub password_file: Option<PathBuf>,
    pub sslrootcert: Option<PathBuf>,
    pub sslmode: Option<value::SslMode>,
    pub max_connections: u32,
    pub acquire_timeout_secs: u64,
    pub max_lifetime_secs: u64,
    pub role_prefix: String,
}

impl Default for DbSettings {
    fn default() -> Self {
        Self {
            url: None,
            host: None,
            port: None,
            name: None,
            user: None,
            user_file: None,
            password: None,
            password_file: None,
            sslrootcert: None,
            sslmode: None,
            max_connections: 16,
            acquire_timeout_secs: 5,
            max_lifetime_secs: 30 * 60,
            role_prefix: "rates".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct EmbeddedSettings {
    pub data_dir: PathBuf,
    pub pg_bin_dir: Option<PathBuf>,
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
    env::Platform::capture().data_home().join("rates")
}

impl Settings {
    /// The database mode: as set, or inferred (external when any database
    /// setting is present).
    pub fn database_mode(&self) -> DatabaseMode {
        self.database.unwrap_or_else(|| {
            if check::database_settings_present(self).is_empty() {
                DatabaseMode::Embedded
            } else {
                DatabaseMode::External
            }
        })
    }

    pub fn is_embedded(&self) -> bool {
        self.database_mode() == DatabaseMode::Embedded
    }

    /// Whether `serve` applies migrations before serving.
    pub fn migrate_on_start(&self) -> bool {
        self.migrate.unwrap_or(self.is_embedded())
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

impl DbSettings {
    pub fn acquire_timeout(&self) -> Duration {
        Duration::from_secs(self.acquire_timeout_secs)
    }

    pub fn max_lifetime(&self) -> Duration {
        Duration::from_secs(self.max_lifetime_secs)
    }

    /// Connection options: the URL, then the individual settings on top, then
    /// the password (the file wins over the environment: it is what secret
    /// stores rotate).
    pub fn connect_options(&self) -> Result<PgConnectOptions, DbConfigError> {
        let mut options = match &self.url {
            Some(url) => url.connect_options(),
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
        if let Some(mode) = self.sslmode {
            options = options.ssl_mode(mode.into());
        }
        if let Some(ca) = &self.sslrootcert {
            options = options.ssl_root_cert(ca);
        }
        if let Some(password) = self.current_password()? {
            options = options.password(password.expose_secret());
        }
        Ok(options.application_name("rates"))
    }

    fn current_password(&self) -> Result<Option<SecretString>, DbConfigError> {
        match &self.password_file {
            Some(path) => read_secret_file(path).map(Some),
            None => Ok(self.password.clone()),
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct DbConfigError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Reads a mounted secret, dropping the trailing newline editors and `echo` add.
pub fn read_secret_file(path: &Path) -> Result<SecretString, DbConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| DbConfigError {
        path: path.to_owned(),
        source,
    })?;
    Ok(SecretString::from(text.trim_end_matches(['\n', '\r'])))
}

impl From<value::SslMode> for PgSslMode {
    fn from(mode: value::SslMode) -> Self {
        use value::SslMode as M;
        match mode {
            M::Disable => PgSslMode::Disable,
            M::Allow => PgSslMode::Allow,
            M::Prefer => PgSslMode::Prefer,
            M::Require => PgSslMode::Require,
            M::VerifyCa => PgSslMode::VerifyCa,
            M::VerifyFull => PgSslMode::VerifyFull,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_hides_secrets() {
        let db = DbSettings {
            url: Some(value::DatabaseUrl::parse("postgres://u:hunter2@h/db").unwrap()),
            password: Some("hunter2".into()),
            ..Default::default()
        };
        assert!(!format!("{db:?}").contains("hunter2"));
    }

    #[test]
    fn password_file_is_trimmed_and_wins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pw");
        std::fs::write(&path, "s3cret\n").unwrap();
        let db = DbSettings {
            password: Some("other".into()),
            password_file: Some(path),
            ..Default::default()
        };
        let pw = db.current_password().unwrap().unwrap();
        assert_eq!(pw.expose_secret(), "s3cret");
    }

    #[test]
    fn database_mode_is_inferred_from_the_database_settings() {
        let mut s = Settings::default();
        assert_eq!(s.database_mode(), DatabaseMode::Embedded);
        assert!(s.migrate_on_start());
        s.db.port = Some(5433);
        assert_eq!(s.database_mode(), DatabaseMode::External);
        assert!(!s.migrate_on_start());
        s.database = Some(DatabaseMode::Embedded);
        assert_eq!(s.database_mode(), DatabaseMode::Embedded);
    }
}
