//! `rates db bootstrap` and `rates db rotate`: administration, run with an
//! administrator's connection (`DATABASE_URL` etc.; password and user name
//! files are the API's store, not the administrator's login).

use anyhow::Context;
use serde_json::json;

use crate::{
    config::{CredentialSourceKind, Settings},
    db::{
        Database,
        audit::{self, Outcome},
        roles::{self, Roles},
        rotate,
    },
    secrets::CredentialStore,
};

pub async fn bootstrap(settings: Settings) -> anyhow::Result<()> {
    let roles = Roles::new(&settings.credentials.role_prefix)?;
    let database = Database::open(&admin_settings(&settings)).await?;
    let pool = database.pool.clone();
    let result = roles::bootstrap(&pool, &roles).await;
    let detail = match &result {
        Ok(created) => json!({ "created": created }),
        Err(e) => json!({ "error": format!("{e:#}") }),
    };
    audit::record(&pool, "bootstrap", &roles.api, Outcome::of(&result), detail).await;
    database.close().await;
    let created = result?;
    if created.is_empty() {
        println!(
            "roles {}_* already in place; grants refreshed",
            settings.credentials.role_prefix
        );
    } else {
        println!("created roles: {}", created.join(", "));
    }
    Ok(())
}

pub async fn rotate(settings: Settings) -> anyhow::Result<()> {
    let roles = Roles::new(&settings.credentials.role_prefix)?;
    let store = CredentialStore::from_settings(&settings)
        .await
        .context("opening the credential store")?;
    let database = Database::open(&admin_settings(&settings)).await?;
    let pool = database.pool.clone();
    let result = rotate::rotate(&pool, &store, &roles).await;
    let detail = match &result {
        Ok(r) => json!({ "store": store.name(), "previous": r.previous, "current": r.current }),
        Err(e) => json!({ "store": store.name(), "error": format!("{e:#}") }),
    };
    let target = result
        .as_ref()
        .map_or_else(|_| roles.api.clone(), |r| r.current.clone());
    audit::record(&pool, "rotate", &target, Outcome::of(&result), detail).await;
    database.close().await;
    let rotation = result?;
    println!(
        "rotated: {} is now current in {} (previous: {})",
        rotation.current,
        store.name(),
        rotation.previous.as_deref().unwrap_or("none")
    );
    Ok(())
}

/// The administrator's connection: the static settings, without the API's
/// password and user name files.
fn admin_settings(settings: &Settings) -> Settings {
    let mut admin = settings.clone();
    admin.credentials.source = CredentialSourceKind::Static;
    admin.credentials.username_file = None;
    admin.database.password_file = None;
    admin
}
