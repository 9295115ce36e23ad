//! Least privilege: the roles `rates db bootstrap` creates, from a prefix
//! (`rates` by default):
//!
//! | role | login | can |
//! | --- | --- | --- |
//! | `{p}_owner` | yes | owns the schema's objects, runs migrations |
//! | `{p}_api` | no | read the tables (not the audit log) |
//! | `{p}_writer` | no | change the tables (future ingestion), append to the audit log |
//! | `{p}_api_a`, `{p}_api_b` | yes | members of `{p}_api`: the two users `rates db rotate` alternates |
//!
//! The API logs in as `{p}_api_a` or `{p}_api_b`, never as the owner or a
//! superuser. Every statement is idempotent, so bootstrap can run again
//! (after new migrations, say) and only adds what is missing.

use anyhow::{Context, bail};
use secrecy::SecretString;

use crate::config::RdsIamGrant;
use sqlx::{Executor, PgPool};

#[derive(Debug, Clone)]
pub struct Roles {
    pub owner: String,
    pub api: String,
    pub writer: String,
    pub api_logins: [String; 2],
}

impl Roles {
    /// Role names from `prefix`, which must be a plain lower-case identifier
    /// (it is interpolated into SQL).
    pub fn new(prefix: &str) -> anyhow::Result<Self> {
        if let Err(expected) = crate::config::value::role_prefix(prefix) {
            bail!("invalid role prefix {prefix:?}: expected {expected}");
        }
        Ok(Self {
            owner: format!("{prefix}_owner"),
            api: format!("{prefix}_api"),
            writer: format!("{prefix}_writer"),
            api_logins: [format!("{prefix}_api_a"), format!("{prefix}_api_b")],
        })
    }

    /// The other API login role.
    pub fn other_login(&self, current: Option<&str>) -> &str {
        if current == Some(self.api_logins[0].as_str()) {
            &self.api_logins[1]
        } else {
            &self.api_logins[0]
        }
    }
}

/// What bootstrap does beyond roles and grants.
#[derive(Default)]
pub struct BootstrapOptions<'a> {
    /// Set as the owner's password (as a SCRAM verifier: the server never
    /// sees the password), so migrations can log in as the owner.
    pub owner_password: Option<&'a SecretString>,
    /// Amazon RDS: the roles that get `rds_iam`, and then log in with IAM
    /// tokens only.
    pub rds_iam: RdsIamGrant,
}

/// Roles created by this run (the others existed).
pub async fn bootstrap(
    admin: &PgPool,
    roles: &Roles,
    options: &BootstrapOptions<'_>,
) -> anyhow::Result<Vec<String>> {
    let mut tx = admin.begin().await?;
    // Two bootstraps at once would race on CREATE ROLE.
    tx.execute("SELECT pg_advisory_xact_lock(hashtext('rates db bootstrap'))")
        .await?;
    let database: String = sqlx::query_scalar("SELECT current_database()")
        .fetch_one(&mut *tx)
        .await?;
    let mut created = Vec::new();
    let wanted = [
        (&roles.owner, "LOGIN NOINHERIT"),
        (&roles.api, "NOLOGIN"),
        (&roles.writer, "NOLOGIN"),
        (&roles.api_logins[0], "LOGIN INHERIT"),
        (&roles.api_logins[1], "LOGIN INHERIT"),
    ];
    for (role, attributes) in wanted {
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
                .bind(role)
                .fetch_one(&mut *tx)
                .await?;
        if !exists {
            exec(&mut tx, &format!("CREATE ROLE {role} {attributes}")).await?;
            created.push(role.clone());
        }
    }
    let (owner, api, writer) = (&roles.owner, &roles.api, &roles.writer);
    if let Some(password) = options.owner_password {
        let verifier = crate::secrets::scram::verifier(password);
        exec_secret(
            &mut tx,
            &format!("ALTER ROLE {owner} WITH LOGIN PASSWORD '{verifier}'"),
        )
        .await
        .with_context(|| format!("setting the password of {owner}"))?;
    }
    let [a, b] = &roles.api_logins;
    let iam_logins = match options.rds_iam {
        RdsIamGrant::None => None,
        RdsIamGrant::Owner => Some(owner.clone()),
        RdsIamGrant::All => Some(format!("{owner}, {a}, {b}")),
    };
    if let Some(logins) = iam_logins {
        exec(&mut tx, &format!("GRANT rds_iam TO {logins}"))
            .await
            .context("granting rds_iam (is this Amazon RDS?)")?;
    }
    let db = quote_ident(&database);
    for statement in [
        format!("GRANT CONNECT ON DATABASE {db} TO {owner}, {api}, {writer}"),
        format!(
            "GRANT {api} TO {}, {}",
            roles.api_logins[0], roles.api_logins[1]
        ),
        format!("GRANT USAGE, CREATE ON SCHEMA public TO {owner}"),
        format!("GRANT USAGE ON SCHEMA public TO {api}, {writer}"),
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC".into(),
    ] {
        exec(&mut tx, &statement).await?;
    }
    transfer_ownership(&mut tx, owner).await?;
    for statement in [
        format!("GRANT SELECT ON ALL TABLES IN SCHEMA public TO {api}"),
        format!(
            "GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA public TO {writer}"
        ),
        format!("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {writer}"),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public GRANT SELECT ON TABLES TO {api}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public \
             GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON TABLES TO {writer}"
        ),
        format!(
            "ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA public \
             GRANT USAGE, SELECT ON SEQUENCES TO {writer}"
        ),
    ] {
        exec(&mut tx, &statement).await?;
    }
    // The audit log is not the API's business, and no one rewrites it.
    let has_audit: bool = sqlx::query_scalar("SELECT to_regclass('public.audit_log') IS NOT NULL")
        .fetch_one(&mut *tx)
        .await?;
    if has_audit {
        exec(&mut tx, &format!("REVOKE ALL ON audit_log FROM {api}")).await?;
        exec(
            &mut tx,
            &format!("REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {writer}"),
        )
        .await?;
    }
    // With pgaudit loaded, log every statement of the API's login roles
    // (session audit per role), on top of the cluster-wide classes.
    let pgaudit: bool =
        sqlx::query_scalar("SELECT current_setting('pgaudit.log', true) IS NOT NULL")
            .fetch_one(&mut *tx)
            .await?;
    if pgaudit {
        for login in &roles.api_logins {
            exec(
                &mut tx,
                &format!("ALTER ROLE {login} SET pgaudit.log = 'read, write, ddl, role, misc'"),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(created)
}

/// Tables, views, sequences and functions in `public` go to the owner role,
/// so that migrations run as it can alter them.
async fn transfer_ownership(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    owner: &str,
) -> anyhow::Result<()> {
    let relations: Vec<(String, String)> = sqlx::query_as(
        "SELECT c.relname::text,
                CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
                               WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
            AND pg_get_userbyid(c.relowner) <> $1
            -- identity sequences follow their table
            AND NOT EXISTS (SELECT 1 FROM pg_depend d
                             WHERE d.objid = c.oid AND d.deptype IN ('a', 'i') AND c.relkind = 'S')",
    )
    .bind(owner)
    .fetch_all(&mut **tx)
    .await?;
    for (name, kind) in relations {
        exec(
            tx,
            &format!(
                "ALTER {kind} public.{} OWNER TO {owner}",
                quote_ident(&name)
            ),
        )
        .await?;
    }
    let functions: Vec<String> = sqlx::query_scalar(
        "SELECT p.oid::regprocedure::text
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> $1",
    )
    .bind(owner)
    .fetch_all(&mut **tx)
    .await?;
    for function in functions {
        exec(tx, &format!("ALTER FUNCTION {function} OWNER TO {owner}")).await?;
    }
    Ok(())
}

async fn exec(tx: &mut sqlx::Transaction<'_, sqlx::Postgres>, sql: &str) -> anyhow::Result<()> {
    tx.execute(sqlx::AssertSqlSafe(sql.to_owned()))
        .await
        .with_context(|| format!("bootstrap: {sql}"))?;
    Ok(())
}

/// Like [`exec`], for a statement whose text must not be quoted in errors.
async fn exec_secret(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    sql: &str,
) -> Result<(), sqlx::Error> {
    tx.execute(sqlx::AssertSqlSafe(sql.to_owned()))
        .await
        .map(|_| ())
}

pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_plain_identifiers() {
        assert!(Roles::new("rates").is_ok());
        assert!(Roles::new("t_42").is_ok());
        for bad in ["", "Rates", "a;drop", "a b", "9x", "a\"b"] {
            assert!(Roles::new(bad).is_err(), "{bad}");
        }
        let roles = Roles::new("r").unwrap();
        assert_eq!(roles.other_login(None), "r_api_a");
        assert_eq!(roles.other_login(Some("r_api_a")), "r_api_b");
        assert_eq!(roles.other_login(Some("r_api_b")), "r_api_a");
    }
}
