//! Every setting, declared once. A setting's key is the path of its field in
//! [`Settings`] (`db.max_connections`); from it, by one rule:
//!
//! - config file: the key as a TOML path (`[db]` table, `max_connections`);
//! - environment: `RATES_` + the key upper-cased with `.` as `_`
//!   (`RATES_DB_MAX_CONNECTIONS`), plus any standard aliases (`PGHOST`);
//! - flag: `--` + the key with `.` and `_` as `-` (`--db-max-connections`);
//!   secrets have none (flags show in `ps`).

use std::sync::LazyLock;

use super::{Settings, value};

/// The subcommands a setting applies to (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Commands(u16);

impl Commands {
    pub const SERVE: Self = Self(1);
    pub const MIGRATE: Self = Self(1 << 1);
    pub const IMPORT: Self = Self(1 << 2);
    pub const DEMO: Self = Self(1 << 3);
    pub const HEALTHCHECK: Self = Self(1 << 4);
    pub const CONFIG: Self = Self(1 << 5);
    pub const BOOTSTRAP: Self = Self(1 << 6);
    pub const ROTATE: Self = Self(1 << 7);
    /// Every command that opens the database.
    pub const DATA: Self = Self(
        Self::SERVE.0
            | Self::MIGRATE.0
            | Self::IMPORT.0
            | Self::DEMO.0
            | Self::BOOTSTRAP.0
            | Self::ROTATE.0,
    );
    pub const ALL: Self = Self(u16::MAX);

    /// Names as typed on the command line, for `rates config --reference`.
    pub const NAMES: [(Self, &'static str); 8] = [
        (Self::SERVE, "serve"),
        (Self::MIGRATE, "migrate"),
        (Self::IMPORT, "import"),
        (Self::DEMO, "demo"),
        (Self::HEALTHCHECK, "healthcheck"),
        (Self::CONFIG, "config"),
        (Self::BOOTSTRAP, "db bootstrap"),
        (Self::ROTATE, "db rotate"),
    ];

    pub const fn or(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn intersects(self, other: Self) -> bool {
        self.0 & other.0 != 0
    }
}

/// No flag, and `rates config` shows `<redacted>`.
const SECRET: u8 = 1;
/// Not read from the config file (passwords; the file's own path).
const NO_FILE: u8 = 2;
/// Left out of `--help` and the README (test hooks).
const HIDDEN: u8 = 4;

pub struct Setting {
    pub key: &'static str,
    /// First line: the `--help` text; the rest: more detail for the README.
    pub doc: &'static str,
    /// What is accepted, shown as the flag's value name.
    pub accepts: &'static str,
    pub commands: Commands,
    pub aliases: &'static [&'static str],
    options: u8,
    set: fn(&mut Settings, &str) -> Result<(), String>,
    get: fn(&Settings) -> Option<String>,
}

impl Setting {
    pub fn env(&self) -> String {
        format!("RATES_{}", self.key.to_ascii_uppercase().replace('.', "_"))
    }

    /// `None` for secrets.
    pub fn flag(&self) -> Option<String> {
        (!self.is_secret()).then(|| self.key.replace(['.', '_'], "-"))
    }

    pub fn is_secret(&self) -> bool {
        self.options & SECRET != 0
    }

    pub fn in_file(&self) -> bool {
        self.options & NO_FILE == 0
    }

    pub fn is_hidden(&self) -> bool {
        self.options & HIDDEN != 0
    }

    /// Every environment variable read for it, in precedence order.
    pub fn env_names(&self) -> Vec<String> {
        std::iter::once(self.env())
            .chain(self.aliases.iter().map(|a| (*a).to_owned()))
            .collect()
    }

    /// The first line of the doc.
    pub fn help(&self) -> &'static str {
        self.doc.lines().next().unwrap_or_default().trim()
    }

    /// The `--help` heading it is listed under, from the key's section.
    pub fn heading(&self) -> &'static str {
        match self.key.split_once('.').map_or("", |(section, _)| section) {
            "" if self.key == "config" => "Settings file",
            "" if self.key == "database" => "Database",
            "" if self.key.starts_with("metrics") => "Observability",
            "" => "Server",
            "otel" => "Observability",
            "log" => "Logging",
            "db" => "Database",
            "embedded" => "Embedded PostgreSQL (database = embedded)",
            "credentials" => "Credentials",
            "key_vault" => "Credentials: Azure Key Vault",
            "azure" => "Credentials: Azure identity",
            "entra" => "Credentials: Entra ID tokens",
            "secrets_manager" => "Credentials: AWS Secrets Manager",
            "rds_iam" => "Credentials: RDS IAM",
            "rotate" => "Rotation store",
            "bootstrap" => "Bootstrap",
            other => unreachable!("section {other} has no heading"),
        }
    }

    pub fn set(&self, settings: &mut Settings, raw: &str) -> Result<(), String> {
        (self.set)(settings, raw)
    }

    pub fn get(&self, settings: &Settings) -> Option<String> {
        (self.get)(settings)
    }

    /// The default, as shown in help; `None` when the doc says it in words
    /// (it depends on the machine or on other settings).
    pub fn default_shown(&self) -> Option<String> {
        if self.doc.contains("[default:") {
            return None;
        }
        // Built once: the defaults read the environment (the data directory).
        static DEFAULTS: LazyLock<Settings> = LazyLock::new(Settings::default);
        self.get(&DEFAULTS)
    }

    pub fn find(key: &str) -> Option<&'static Setting> {
        SETTINGS.iter().find(|s| s.key == key)
    }
}

macro_rules! settings {
    ($(
        $(#[doc = $doc:literal])+
        $($field:ident).+ : $accepts:literal for $commands:expr $(, $option:ident)*;
        $(env $($alias:literal),+;)?
        => $parse:expr;
    )+) => {
        /// Every setting, in `--help` and README order.
        pub static SETTINGS: &[Setting] = &[$(
            Setting {
                key: stringify!($($field).+),
                doc: concat!($($doc, "\n"),+),
                accepts: $accepts,
                commands: $commands,
                aliases: &[$($($alias),+)?],
                options: 0 $(| $option)*,
                set: |s, raw| {
                    s.$($field).+ = ($parse)(raw)?;
                    Ok(())
                },
                get: |s| value::Show::show(&s.$($field).+),
            }
        ),+];
    };
}

use Commands as C;
const SERVE: Commands = C::SERVE;
const DATA: Commands = C::DATA;
const ADMIN: Commands = C::BOOTSTRAP.or(C::ROTATE);
const ALL: Commands = C::ALL;

settings! {
    /// TOML settings file; the environment and flags override it.
    config: "FILE" for ALL, NO_FILE;
    => |raw| value::readable_file(raw).map(Some);

    /// Address to listen on.
    listen: "IP:PORT" for SERVE.or(C::HEALTHCHECK);
    => value::socket_addr;

    /// Name reported by /health [default: the host name].
    container_name: "NAME" for SERVE;
    => |raw| value::text(raw).map(Some);

    /// Longest /rates date range accepted, in days.
    max_range_days: "1..=3660" for SERVE;
    => |raw| value::int(raw, 1..=3660);

    /// A request still running after this long is answered 503.
    request_timeout_secs: "1..=600" for SERVE;
    => |raw| value::int(raw, 1..=600);

    /// On SIGTERM: /readyz answers 503 "draining" while serving on for this long, so load balancers stop sending first.
    /// Set it to how long your load balancer takes to notice (Kubernetes: 5,
    /// ECS: the target group's deregistration delay); 0 on a laptop.
    shutdown_delay_secs: "0..=300" for SERVE;
    => |raw| value::int(raw, 0..=300);

    /// After the delay, in-flight requests get this long; rates exits within delay + grace + 1 s.
    shutdown_grace_secs: "0..=300" for SERVE;
    => |raw| value::int(raw, 0..=300);

    /// /readyz stays 200 through a database outage shorter than this (rates are served from memory).
    max_staleness_secs: "1..=86400" for SERVE;
    => |raw| value::int(raw, 1..=86400);

    /// Apply pending migrations at start-up [default: true when embedded, false when external].
    /// Deployments keep it off and run `rates migrate` as the schema owner.
    migrate: "true|false" for SERVE;
    => |raw| value::boolean(raw).map(Some);

    /// A connection must send a request's headers within this long.
    header_read_timeout_secs: "1..=300" for SERVE;
    => |raw| value::int(raw, 1..=300);

    /// Idle keep-alive connections are closed after this long (keep it above your load balancer's idle timeout).
    keep_alive_timeout_secs: "1..=3600" for SERVE;
    => |raw| value::int(raw, 1..=3600);

    /// Most client connections open at once; lowered to fit the open-file limit.
    /// Past it, new connections get a quick 503 (probes are still answered)
    /// or are closed.
    max_client_connections: "16..=100000" for SERVE;
    => |raw| value::int(raw, 16..=100_000);

    /// One log line per request (probes at DEBUG).
    access_log: "true|false" for SERVE;
    => value::boolean;

    /// Prometheus metrics at /metrics.
    metrics: "true|false" for SERVE;
    => value::boolean;

    /// Serve /metrics on this address instead of the main listener, so it need not be public.
    metrics_listen: "IP:PORT" for SERVE;
    => |raw| value::socket_addr(raw).map(Some);

    /// OTLP/HTTP collector base URL (traces go to /v1/traces); tracing is off when unset.
    otel.endpoint: "URL" for SERVE;
    env "OTEL_EXPORTER_OTLP_ENDPOINT";
    => |raw| value::http_url(raw).map(Some);

    /// OTLP/HTTP traces URL, used as is (wins over otel.endpoint).
    otel.traces_endpoint: "URL" for SERVE;
    env "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT";
    => |raw| value::http_url(raw).map(Some);

    /// OTLP protocol: only http/protobuf (collectors listen on 4318 for it).
    otel.protocol: "http/protobuf" for SERVE;
    env "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL";
    => value::otlp_protocol;

    /// service.name of the traces.
    otel.service_name: "NAME" for SERVE;
    env "OTEL_SERVICE_NAME";
    => value::text;

    /// Which traces to keep.
    otel.traces_sampler: "always_on|always_off|traceidratio|parentbased_always_on|parentbased_always_off|parentbased_traceidratio" for SERVE;
    env "OTEL_TRACES_SAMPLER";
    => value::choice;

    /// The ratio for the traceidratio samplers.
    otel.traces_sampler_arg: "0..1" for SERVE;
    env "OTEL_TRACES_SAMPLER_ARG";
    => value::ratio;

    /// Log format: text, or JSON lines for log shippers.
    log.format: "text|json" for ALL;
    => value::choice;

    /// Log filter, tracing syntax (e.g. info,rates=debug).
    log.filter: "FILTER" for ALL;
    => value::log_filter;

    /// Which database: embedded or external [default: external when any db.* or credentials setting is set, else embedded].
    /// A database setting that is present but incomplete is an error, never a
    /// silent fallback to the embedded server.
    database: "embedded|external" for DATA;
    => |raw| value::choice(raw).map(Some);

    /// postgres:// URL; the other db.* settings override its parts.
    db.url: "URL" for DATA, SECRET;
    env "DATABASE_URL";
    => |raw| value::DatabaseUrl::parse(raw).map(Some);

    /// Database host.
    db.host: "HOST" for DATA;
    env "PGHOST";
    => |raw| value::text(raw).map(Some);

    /// Database port [default: 5432].
    db.port: "1..=65535" for DATA;
    env "PGPORT";
    => |raw| value::int(raw, 1..=65535).map(Some);

    /// Database name.
    db.name: "NAME" for DATA;
    env "PGDATABASE";
    => |raw| value::text(raw).map(Some);

    /// Database user.
    db.user: "USER" for DATA;
    env "PGUSER";
    => |raw| value::text(raw).map(Some);

    /// File holding the user name, re-read with the password file (rotation switches users).
    db.user_file: "FILE" for DATA;
    env "PGUSER_FILE";
    => |raw| value::readable_file(raw).map(Some);

    /// Database password; prefer the password file.
    db.password: "PASSWORD" for DATA, SECRET, NO_FILE;
    env "PGPASSWORD";
    => |raw| value::secret(raw).map(Some);

    /// File holding the password (Docker and Kubernetes secrets), re-read so rotated secrets take effect.
    db.password_file: "FILE" for DATA;
    env "PGPASSWORD_FILE", "DB_PASSWORD_FILE";
    => |raw| value::readable_file(raw).map(Some);

    /// CA certificate(s) to verify the server with (verify-ca, verify-full), e.g. the RDS or Azure CA bundle.
    db.sslrootcert: "FILE" for DATA;
    env "PGSSLROOTCERT";
    => |raw| value::readable_file(raw).map(Some);

    /// TLS to the database [default: prefer].
    db.sslmode: "disable|allow|prefer|require|verify-ca|verify-full" for DATA;
    env "PGSSLMODE";
    => |raw| value::choice(raw).map(Some);

    /// Pool size: most connections to PostgreSQL.
    db.max_connections: "1..=1000" for DATA;
    => |raw| value::int(raw, 1..=1000);

    /// Waiting for a pooled connection longer than this is an error.
    db.acquire_timeout_secs: "1..=300" for DATA;
    => |raw| value::int(raw, 1..=300);

    /// Connections are replaced after this long, so new credentials reach every one.
    db.max_lifetime_secs: "1..=86400" for DATA;
    => |raw| value::int(raw, 1..=86_400);

    /// Prefix of the roles `rates db bootstrap` creates and `rates db rotate` alternates.
    db.role_prefix: "PREFIX" for ADMIN;
    => value::role_prefix;

    /// Where the embedded PostgreSQL keeps its data [default: /var/lib/rates as root, else $XDG_DATA_HOME/rates].
    embedded.data_dir: "DIR" for DATA;
    => value::path;

    /// PostgreSQL server binaries [default: discovered].
    embedded.pg_bin_dir: "DIR" for DATA;
    => |raw| value::existing_dir(raw).map(Some);

    /// Load the demo dataset into an empty embedded database.
    embedded.demo_data: "true|false" for SERVE;
    => value::boolean;

    /// Where credentials come from.
    credentials.source: "static|key_vault|secrets_manager|entra_token|rds_iam" for DATA;
    => value::choice;

    /// Re-read credentials this often [default: 5 for files, 300 for secret stores].
    credentials.refresh_secs: "1..=86400" for SERVE;
    => |raw| value::int(raw, 1..=86_400).map(Some);

    /// Key Vault URL (credentials.source or rotate.store key_vault).
    key_vault.url: "URL" for DATA;
    => |raw| value::https_url(raw).map(Some);

    /// Secret holding the server host name (host or host:port).
    key_vault.server_secret: "NAME" for DATA;
    => value::text;

    /// Secret holding the database name.
    key_vault.database_secret: "NAME" for DATA;
    => value::text;

    /// Secret holding the user name.
    key_vault.username_secret: "NAME" for DATA;
    => value::text;

    /// Secret holding the password.
    key_vault.password_secret: "NAME" for DATA;
    => value::text;

    /// Send Key Vault requests to this plain-HTTP URL (emulators, tests).
    key_vault.redirect_to: "URL" for DATA, HIDDEN;
    => |raw| value::http_url(raw).map(Some);

    /// How to authenticate to Azure.
    azure.credential: "auto|workload_identity|managed_identity|client_secret|azure_cli" for DATA;
    => value::choice;

    /// Client id of a user-assigned managed identity or an app registration.
    azure.client_id: "ID" for DATA;
    env "AZURE_CLIENT_ID";
    => |raw| value::text(raw).map(Some);

    /// Entra tenant id.
    azure.tenant_id: "ID" for DATA;
    env "AZURE_TENANT_ID";
    => |raw| value::text(raw).map(Some);

    /// Token scope for Azure Database for PostgreSQL.
    entra.scope: "SCOPE" for DATA;
    => value::text;

    /// Secret (name or ARN) holding the RDS JSON: username, password, host, port, dbname.
    secrets_manager.secret_id: "ID" for DATA;
    => |raw| value::text(raw).map(Some);

    /// AWS region of the secret [default: the SDK's chain, AWS_REGION].
    secrets_manager.region: "REGION" for DATA;
    => |raw| value::text(raw).map(Some);

    /// Secrets Manager endpoint (emulators, tests).
    secrets_manager.endpoint_url: "URL" for DATA, HIDDEN;
    => |raw| value::http_url(raw).map(Some);

    /// AWS region of the database [default: the SDK's chain, AWS_REGION].
    rds_iam.region: "REGION" for DATA;
    => |raw| value::text(raw).map(Some);

    /// Where `rates db rotate` publishes the API's new login.
    rotate.store: "files|key_vault|secrets_manager" for C::ROTATE;
    => value::choice;

    /// Password file rotation writes (the one the API reads as db.password_file).
    rotate.password_file: "FILE" for C::ROTATE;
    => |raw| value::path(raw).map(Some);

    /// User name file rotation writes (the one the API reads as db.user_file).
    rotate.user_file: "FILE" for C::ROTATE;
    => |raw| value::path(raw).map(Some);

    /// File holding a password for the owner role, set by `rates db bootstrap` (so migrations can log in as it).
    bootstrap.owner_password_file: "FILE" for C::BOOTSTRAP;
    => |raw| value::readable_file(raw).map(Some);

    /// Amazon RDS: grant rds_iam (IAM token logins, no passwords) to the owner, or to the owner and the API logins.
    bootstrap.rds_iam: "none|owner|all" for C::BOOTSTRAP;
    => value::choice;
}

#[cfg(test)]
mod tests;
