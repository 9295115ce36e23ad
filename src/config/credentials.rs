//! The settings of database credentials: where they come from, the Azure
//! and AWS stores and identities, and what the administration commands do.

use std::path::PathBuf;

#[derive(Debug, Clone, Default)]
pub struct CredentialSettings {
    pub source: CredentialSourceKind,
    /// `None`: 5 s for files, 300 s for secret stores.
    pub refresh_secs: Option<u64>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum CredentialSourceKind {
    /// `db.*`: URL, libpq variables, password and user name files.
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

#[derive(Debug, Clone)]
pub struct KeyVaultSettings {
    pub url: Option<String>,
    pub server_secret: String,
    pub database_secret: String,
    pub username_secret: String,
    pub password_secret: String,
    /// Key Vault emulators and tests only.
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

#[derive(Debug, Clone, Default)]
pub struct AzureSettings {
    pub credential: AzureCredentialKind,
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
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

#[derive(Debug, Clone)]
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

#[derive(Debug, Clone, Default)]
pub struct SecretsManagerSettings {
    pub secret_id: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RdsIamSettings {
    pub region: Option<String>,
}

/// Where `rates db rotate` publishes the API's new login.
#[derive(Debug, Clone, Default)]
pub struct RotateSettings {
    pub store: RotateStore,
    pub password_file: Option<PathBuf>,
    pub user_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum RotateStore {
    /// `rotate.password_file` and `rotate.user_file`.
    #[default]
    Files,
    KeyVault,
    SecretsManager,
}

#[derive(Debug, Clone, Default)]
pub struct BootstrapSettings {
    pub owner_password_file: Option<PathBuf>,
    pub rds_iam: RdsIamGrant,
}

/// Which roles `rates db bootstrap` makes log in with RDS IAM tokens (on
/// RDS, such a role can no longer log in with a password).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum RdsIamGrant {
    #[default]
    None,
    /// The owner, which runs migrations (the API reads a password).
    Owner,
    /// The owner and the API's login roles.
    All,
}
