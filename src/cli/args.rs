//! Flag groups. Every flag also reads an environment variable (shown in
//! `--help`); secrets are accepted from the environment or files only.

use std::path::PathBuf;

use clap::{Args, builder::BoolishValueParser};

use crate::{
    config::{AzureCredentialKind, CredentialSourceKind, Settings},
    demo::DemoOptions,
};

/// Overwrites `slot` when a value was given.
pub fn set<T>(slot: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *slot = value;
    }
}

/// Like [`set`], for settings that are themselves optional.
fn set_some<T>(slot: &mut Option<T>, value: Option<T>) {
    if value.is_some() {
        *slot = value;
    }
}

#[derive(Args)]
#[command(next_help_heading = "Server")]
pub struct ServerArgs {
    /// Address to listen on.
    #[arg(long, env = "RATES_LISTEN", value_name = "HOST:PORT", default_value = None)]
    listen: Option<String>,
    /// Name reported by /health [default: the host name].
    #[arg(long, env = "RATES_CONTAINER_NAME")]
    container_name: Option<String>,
    /// Longest /rates date range accepted, in days [default: 366].
    #[arg(long, env = "RATES_MAX_RANGE_DAYS")]
    max_range_days: Option<u32>,
    /// Requests running longer are answered 503 [default: 30].
    #[arg(long, env = "RATES_REQUEST_TIMEOUT_SECS", value_name = "SECS")]
    request_timeout_secs: Option<u64>,
    /// On SIGTERM/SIGINT, time given to in-flight requests [default: 30].
    #[arg(long, env = "RATES_SHUTDOWN_GRACE_SECS", value_name = "SECS")]
    shutdown_grace_secs: Option<u64>,
    /// Apply pending migrations at start-up [default: true].
    #[arg(long, env = "RATES_MIGRATE", value_name = "BOOL", value_parser = BoolishValueParser::new())]
    migrate: Option<bool>,
}

impl ServerArgs {
    fn apply(self, s: &mut Settings) {
        set(&mut s.listen, self.listen);
        set_some(&mut s.container_name, self.container_name);
        set(&mut s.max_range_days, self.max_range_days);
        set(&mut s.request_timeout_secs, self.request_timeout_secs);
        set(&mut s.shutdown_grace_secs, self.shutdown_grace_secs);
        set(&mut s.migrate_on_start, self.migrate);
    }
}

#[derive(Args)]
#[command(next_help_heading = "Database (when none is set, an embedded PostgreSQL is used)")]
pub struct DbArgs {
    /// PostgreSQL URL; prefer the environment variable, flags show in `ps`.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    database_url: Option<String>,
    /// Database host.
    #[arg(long, env = "PGHOST")]
    db_host: Option<String>,
    /// Database port [default: 5432].
    #[arg(long, env = "PGPORT")]
    db_port: Option<u16>,
    /// Database user.
    #[arg(long, env = "PGUSER")]
    db_user: Option<String>,
    /// Database name.
    #[arg(long, env = "PGDATABASE")]
    db_name: Option<String>,
    /// TLS mode: disable, prefer, require, verify-ca, verify-full.
    #[arg(long, env = "PGSSLMODE")]
    db_sslmode: Option<String>,
    /// File holding the password (also read from DB_PASSWORD_FILE). The
    /// password may instead come from PGPASSWORD; there is no flag for it.
    #[arg(long, env = "PGPASSWORD_FILE", value_name = "FILE")]
    db_password_file: Option<PathBuf>,
    /// Pool size [default: 16].
    #[arg(long, env = "RATES_DB_MAX_CONNECTIONS")]
    db_max_connections: Option<u32>,
}

impl DbArgs {
    fn apply(self, s: &mut Settings) {
        let db = &mut s.database;
        set_some(&mut db.url, self.database_url.map(Into::into));
        set_some(&mut db.host, self.db_host);
        set_some(&mut db.port, self.db_port);
        set_some(&mut db.user, self.db_user);
        set_some(&mut db.name, self.db_name);
        set_some(&mut db.sslmode, self.db_sslmode);
        let password_file = self
            .db_password_file
            .or_else(|| std::env::var_os("DB_PASSWORD_FILE").map(PathBuf::from));
        set_some(&mut db.password_file, password_file);
        set_some(
            &mut db.password,
            std::env::var("PGPASSWORD").ok().map(Into::into),
        );
        set(&mut db.max_connections, self.db_max_connections);
    }
}

#[derive(Args)]
#[command(next_help_heading = "Embedded PostgreSQL")]
pub struct EmbeddedArgs {
    /// Where the embedded PostgreSQL keeps its data
    /// [default: /var/lib/rates as root, else $XDG_DATA_HOME/rates].
    #[arg(long, env = "RATES_DATA_DIR", value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// PostgreSQL server binaries [default: discovered].
    #[arg(long, env = "RATES_PG_BIN_DIR", value_name = "DIR")]
    pg_bin_dir: Option<PathBuf>,
    /// Load demo data into an empty embedded database [default: true].
    #[arg(long, env = "RATES_DEMO_DATA", value_name = "BOOL", value_parser = BoolishValueParser::new())]
    demo_data: Option<bool>,
}

impl EmbeddedArgs {
    fn apply(self, s: &mut Settings) {
        set(&mut s.embedded.data_dir, self.data_dir);
        set_some(&mut s.embedded.pg_bin_dir, self.pg_bin_dir);
        set(&mut s.embedded.demo_data, self.demo_data);
    }
}

#[derive(Args)]
#[command(next_help_heading = "Database credentials (see README, \"Database credentials\")")]
pub struct CredentialArgs {
    /// Where credentials come from [default: static].
    #[arg(long, env = "RATES_CREDENTIALS_SOURCE", value_enum)]
    credentials_source: Option<CredentialSourceKind>,
    /// Re-read the credentials this often [default: 5 for files, 300 for stores].
    #[arg(long, env = "RATES_CREDENTIALS_REFRESH_SECS", value_name = "SECS")]
    credentials_refresh_secs: Option<u64>,
    /// File holding the user name (beside the password file).
    #[arg(long, env = "PGUSER_FILE", value_name = "FILE")]
    db_username_file: Option<PathBuf>,
    /// Prefix of the roles `rates db bootstrap` creates [default: rates].
    #[arg(long, env = "RATES_ROLE_PREFIX", value_name = "PREFIX")]
    role_prefix: Option<String>,
    /// Key Vault URL, https://NAME.vault.azure.net.
    #[arg(long, env = "RATES_KEY_VAULT_URL", value_name = "URL")]
    key_vault_url: Option<String>,
    /// Key Vault: send requests to this plain-HTTP URL (emulators, tests).
    #[arg(
        long,
        env = "RATES_KEY_VAULT_REDIRECT_TO",
        value_name = "URL",
        hide = true
    )]
    key_vault_redirect_to: Option<String>,
    /// How to authenticate to Azure [default: auto].
    #[arg(long, env = "RATES_AZURE_CREDENTIAL", value_enum)]
    azure_credential: Option<AzureCredentialKind>,
    /// AWS Secrets Manager secret holding the RDS JSON.
    #[arg(long, env = "RATES_SECRETS_MANAGER_SECRET_ID", value_name = "ID")]
    secrets_manager_secret_id: Option<String>,
}

impl CredentialArgs {
    fn apply(self, s: &mut Settings) {
        let c = &mut s.credentials;
        set(&mut c.source, self.credentials_source);
        set_some(&mut c.refresh_secs, self.credentials_refresh_secs);
        set_some(&mut c.username_file, self.db_username_file);
        set(&mut c.role_prefix, self.role_prefix);
        set_some(&mut c.key_vault.url, self.key_vault_url);
        set_some(&mut c.key_vault.redirect_to, self.key_vault_redirect_to);
        set(&mut c.azure.credential, self.azure_credential);
        set_some(
            &mut c.secrets_manager.secret_id,
            self.secrets_manager_secret_id,
        );
    }
}

/// Where the data lives: an external database or the embedded one.
#[derive(Args)]
pub struct DataArgs {
    #[command(flatten)]
    db: DbArgs,
    #[command(flatten)]
    embedded: EmbeddedArgs,
    #[command(flatten)]
    credentials: CredentialArgs,
}

impl DataArgs {
    pub fn apply(self, s: &mut Settings) {
        self.db.apply(s);
        self.embedded.apply(s);
        self.credentials.apply(s);
    }
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    server: ServerArgs,
    #[command(flatten)]
    data: DataArgs,
}

impl ServeArgs {
    pub fn apply(self, s: &mut Settings) {
        self.server.apply(s);
        self.data.apply(s);
    }
}

#[derive(Args)]
pub struct ImportArgs {
    /// pg_dump plain-SQL files (their COPY blocks) or CSV files with a header.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Add rows instead of replacing the tables the files contain.
    #[arg(long)]
    pub append: bool,
    #[command(flatten)]
    pub data: DataArgs,
}

#[derive(Args)]
pub struct DemoArgs {
    /// Number of prices to generate.
    #[arg(long, default_value_t = 60_000)]
    prices: u64,
    /// Number of days they span.
    #[arg(long, default_value_t = 31)]
    days: u32,
    /// Random seed: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// First day (YYYY-MM-DD).
    #[arg(long, default_value = "2024-01-01")]
    first_day: chrono::NaiveDate,
    #[command(flatten)]
    pub data: DataArgs,
}

impl DemoArgs {
    pub fn options(&self) -> DemoOptions {
        DemoOptions {
            seed: self.seed,
            prices: self.prices,
            days: self.days,
            first_day: self.first_day,
        }
    }
}

#[derive(Args)]
pub struct HealthcheckArgs {
    /// Address of the server [default: the listen address, on loopback].
    #[arg(long, env = "RATES_LISTEN", value_name = "HOST:PORT")]
    listen: Option<String>,
}

impl HealthcheckArgs {
    pub fn apply(self, s: &mut Settings) {
        set(&mut s.listen, self.listen);
    }
}
