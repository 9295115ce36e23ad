//! `rates serve`.

use anyhow::Context;

use crate::{
    config::Settings,
    db::{self, Database},
    demo::{self, DemoOptions},
    startup::{Application, shutdown_signal},
};

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    let database = Database::open(&settings).await?;
    // Whatever happens while serving, the embedded server is stopped after.
    let served = serve(&settings, &database).await;
    database.close().await;
    served
}

async fn serve(settings: &Settings, database: &Database) -> anyhow::Result<()> {
    let pool = &database.pool;
    if settings.migrate_on_start {
        // Audited only when there was something to apply: replicas restart often.
        let pending = !db::migrate::is_up_to_date(pool).await.unwrap_or(false);
        let result = db::migrate::run(pool).await;
        if pending {
            super::data::audit_migration(pool, &result).await;
        }
        result.context("applying migrations")?;
    }
    if database.is_embedded()
        && settings.embedded.demo_data
        && db::reference::is_empty(pool).await?
    {
        let summary = demo::load_demo(pool, &DemoOptions::default()).await?;
        tracing::info!(%summary, "loaded the demo dataset into the empty embedded database");
    }
    let app = Application::build_with_credentials(
        settings,
        pool.clone(),
        Some(database.credential_status()),
    )
    .await?;
    app.run_until(shutdown_signal()).await?;
    Ok(())
}
