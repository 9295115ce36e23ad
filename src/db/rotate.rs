//! `rates db rotate`: the alternating-users strategy. Two login roles share
//! the API's grants; each rotation
//!
//! 1. picks the one that is *not* published in the store,
//! 2. gives it a fresh random password (sent as a SCRAM verifier),
//! 3. checks that it can log in with it,
//! 4. publishes user and password to the store, which makes it current.
//!
//! The previously published role keeps its password until the next rotation,
//! so replicas that have not re-read the store yet, and connections already
//! open, keep working. A crash at any step leaves the published credentials
//! valid, and running again simply rotates the inactive role again.

use anyhow::{Context, bail};
use secrecy::ExposeSecret;
use sqlx::{ConnectOptions, Connection, Executor, PgPool};

use super::roles::Roles;
use crate::secrets::{CredentialStore, Credentials, scram};

#[derive(Debug)]
pub struct Rotation {
    /// The role that was current before (still valid until the next rotation).
    pub previous: Option<String>,
    /// The role now published.
    pub current: String,
}

pub async fn rotate(
    admin: &PgPool,
    store: &CredentialStore,
    roles: &Roles,
) -> anyhow::Result<Rotation> {
    let previous = store
        .current_username()
        .await
        .context("reading the current user from the store")?;
    let next = roles.other_login(previous.as_deref()).to_owned();
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)")
            .bind(&next)
            .fetch_one(admin)
            .await?;
    if !exists {
        bail!("role {next} does not exist: run `rates db bootstrap` first");
    }

    let password = scram::random_password();
    // Only the verifier reaches the server (and its logs).
    let verifier = scram::verifier(&password);
    admin
        .execute(sqlx::AssertSqlSafe(format!(
            "ALTER ROLE {next} WITH LOGIN PASSWORD '{verifier}'"
        )))
        .await
        .with_context(|| format!("setting the password of {next}"))?;

    let admin_options = admin.connect_options();
    let login = (*admin_options)
        .clone()
        .username(&next)
        .password(password.expose_secret());
    let mut conn = login
        .connect()
        .await
        .with_context(|| format!("logging in as {next} with its new password"))?;
    conn.execute("SELECT 1").await?;
    conn.close().await?;

    let published = Credentials {
        host: Some(admin_options.get_host().to_owned()),
        port: Some(admin_options.get_port()),
        database: admin_options.get_database().map(str::to_owned),
        username: Some(next.clone()),
        password: Some(password),
        expires_at: None,
    };
    store
        .publish(&published)
        .await
        .with_context(|| format!("publishing the credentials of {next}"))?;
    Ok(Rotation {
        previous,
        current: next,
    })
}
