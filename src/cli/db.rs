//! `rates db bootstrap` and `rates db rotate`: administration, run with an
//! administrator's login (the `db.*` settings and `credentials.source`). The
//! API's new logins go to the rotation store (`rotate.*`).

use anyhow::Context;
use serde_json::json;

use super::data::with_database;
use crate::{
    config::{Settings, read_secret_file},
    db::{
        audit::{self, Outcome},
        roles::{self, Roles},
        rotate,
    },
    secrets::CredentialStore,
};

pub async fn bootstrap(settings: Settings) -> anyhow::Result<()> {
    let roles = Roles::new(&settings.db.role_prefix)?;
    let owner_password = match &settings.bootstrap.owner_password_file {
        Some(path) => Some(read_secret_file(path)?),
        None => None,
    };
    let prefix = settings.db.role_prefix.clone();
    with_database(&settings, |pool| async move {
        let options = roles::BootstrapOptions {
            owner_password: owner_password.as_ref(),
            rds_iam: settings.bootstrap.rds_iam,
        };
        let result = roles::bootstrap(&pool, &roles, &options).await;
        let detail = match &result {
            Ok(created) => json!({
                "created": created,
                "owner_password_set": owner_password.is_some(),
                "rds_iam": format!("{:?}", settings.bootstrap.rds_iam).to_lowercase(),
            }),
            Err(e) => json!({ "error": format!("{e:#}") }),
        };
        audit::record(&pool, "bootstrap", &roles.api, Outcome::of(&result), detail).await;
        let created = result?;
        if created.is_empty() {
            println!("roles {prefix}_* already in place; grants refreshed");
        } else {
            println!("created roles: {}", created.join(", "));
        }
        Ok(())
    })
    .await
}

pub async fn rotate(settings: Settings) -> anyhow::Result<()> {
    let roles = Roles::new(&settings.db.role_prefix)?;
    let store = CredentialStore::from_settings(&settings)
        .await
        .context("opening the rotation store")?;
    with_database(&settings, |pool| async move {
        let result = rotate::rotate(&pool, &store, &roles).await;
        let detail = match &result {
            Ok(r) => json!({ "store": store.name(), "previous": r.previous, "current": r.current }),
            Err(e) => json!({ "store": store.name(), "error": format!("{e:#}") }),
        };
        let target = result
            .as_ref()
            .map_or_else(|_| roles.api.clone(), |r| r.current.clone());
        audit::record(&pool, "rotate", &target, Outcome::of(&result), detail).await;
        let rotation = result?;
        println!(
            "rotated: {} is now current in {} (previous: {})",
            rotation.current,
            store.name(),
            rotation.previous.as_deref().unwrap_or("none")
        );
        Ok(())
    })
    .await
}
