//! Checks across settings, after each was parsed: the database mode and
//! whether what it needs is all there. A database setting that is present but
//! incomplete is an error naming what is missing, never a silent fallback.

use super::{
    Commands, CredentialSourceKind, DatabaseMode, Loaded, RotateStore, Setting, Settings, Source,
    load::ConfigError,
};

/// Settings that say which external database to use: any of them set means
/// the database is external.
const CONNECTION_KEYS: &[&str] = &[
    "db.url",
    "db.host",
    "db.port",
    "db.name",
    "db.user",
    "db.user_file",
    "db.password",
    "db.password_file",
    "db.sslrootcert",
    "db.sslmode",
];

/// The connection settings that are set (keys).
pub fn database_settings_present(s: &Settings) -> Vec<&'static str> {
    let mut present: Vec<&'static str> = CONNECTION_KEYS
        .iter()
        .copied()
        .filter(|key| Setting::find(key).is_some_and(|setting| setting.get(s).is_some()))
        .collect();
    if s.credentials.source != CredentialSourceKind::Static {
        present.push("credentials.source");
    }
    present
}

pub fn check(mut loaded: Loaded, commands: Commands) -> Result<Loaded, ConfigError> {
    if commands.intersects(Commands::DATA) {
        let mode = database_mode(&loaded)?;
        loaded.settings.database = Some(mode);
        if mode == DatabaseMode::External {
            external_is_complete(&loaded)?;
        }
    }
    if commands == Commands::ROTATE {
        rotate_store_is_complete(&loaded.settings)?;
    }
    Ok(loaded)
}

fn database_mode(loaded: &Loaded) -> Result<DatabaseMode, ConfigError> {
    let s = &loaded.settings;
    let present = database_settings_present(s);
    match s.database {
        Some(DatabaseMode::Embedded) if !present.is_empty() => {
            Err(ConfigError::Inconsistent(format!(
                "database = embedded (from {}), but {} set: remove {} or set database = external",
                source(loaded, "database"),
                describe(loaded, &present),
                if present.len() == 1 { "it" } else { "them" },
            )))
        }
        Some(mode) => Ok(mode),
        None if present.is_empty() => Ok(DatabaseMode::Embedded),
        None => Ok(DatabaseMode::External),
    }
}

fn external_is_complete(loaded: &Loaded) -> Result<(), ConfigError> {
    let s = &loaded.settings;
    let url = s.db.url.as_ref();
    let mut missing = Vec::new();
    match s.credentials.source {
        // These stores hold host, database, user and password themselves.
        CredentialSourceKind::KeyVault => {
            if s.key_vault.url.is_none() {
                missing.push("the vault (key_vault.url: RATES_KEY_VAULT_URL)");
            }
        }
        CredentialSourceKind::SecretsManager => {
            if s.secrets_manager.secret_id.is_none() {
                missing.push(
                    "the secret (secrets_manager.secret_id: RATES_SECRETS_MANAGER_SECRET_ID)",
                );
            }
        }
        CredentialSourceKind::Static
        | CredentialSourceKind::EntraToken
        | CredentialSourceKind::RdsIam => {
            if s.db.host.is_none() && !url.is_some_and(|u| u.has_host()) {
                missing.push("the host (db.host: PGHOST, or db.url: DATABASE_URL)");
            }
            if s.db.user.is_none() && s.db.user_file.is_none() && !url.is_some_and(|u| u.has_user())
            {
                missing.push(
                    "the user (db.user: PGUSER, db.user_file: PGUSER_FILE, or in DATABASE_URL)",
                );
            }
            if s.db.name.is_none() && !url.is_some_and(|u| u.has_database()) {
                missing.push("the database name (db.name: PGDATABASE, or in DATABASE_URL)");
            }
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    let why = match s.database {
        Some(_) if source(loaded, "database") != Source::Default => {
            format!("database = external (from {})", source(loaded, "database"))
        }
        _ => {
            let present = database_settings_present(s);
            format!(
                "the database is external because {} set",
                describe(loaded, &present)
            )
        }
    };
    Err(ConfigError::Inconsistent(format!(
        "{why}, but its settings are incomplete: missing {}",
        missing.join("; ")
    )))
}

fn rotate_store_is_complete(s: &Settings) -> Result<(), ConfigError> {
    let r = &s.rotate;
    let missing = match r.store {
        RotateStore::Files if r.password_file.is_none() || r.user_file.is_none() => {
            "rotate.password_file (RATES_ROTATE_PASSWORD_FILE) and rotate.user_file (RATES_ROTATE_USER_FILE)"
        }
        RotateStore::KeyVault if s.key_vault.url.is_none() => "key_vault.url (RATES_KEY_VAULT_URL)",
        RotateStore::SecretsManager if s.secrets_manager.secret_id.is_none() => {
            "secrets_manager.secret_id (RATES_SECRETS_MANAGER_SECRET_ID)"
        }
        _ => return Ok(()),
    };
    Err(ConfigError::Inconsistent(format!(
        "rotate.store = {} needs {missing}",
        super::value::Show::show(&r.store).unwrap_or_default()
    )))
}

fn source(loaded: &Loaded, key: &str) -> Source {
    loaded.source_of(key).cloned().unwrap_or(Source::Default)
}

/// "db.port (env PGPORT) is" / "db.host (flag --db-host) and db.user (...) are"
fn describe(loaded: &Loaded, keys: &[&str]) -> String {
    let parts: Vec<String> = keys
        .iter()
        .map(|key| format!("{key} ({})", source(loaded, key)))
        .collect();
    let verb = if parts.len() == 1 { "is" } else { "are" };
    format!("{} {verb}", parts.join(" and "))
}
