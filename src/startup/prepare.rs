//! Getting the database ready while the server already answers `/livez`:
//! reach it (retrying with capped backoff, `/readyz` saying why in one
//! line), apply migrations when configured, load the demo data into an empty
//! embedded database, then start the read model.

use std::{sync::Arc, time::Duration};

use sqlx::PgPool;

use super::Lifecycle;
use crate::{
    config::Settings,
    db::{self, audit::Outcome, connect},
    demo::{self, DemoOptions},
    read_model::{ReadModel, sync::SyncHandle},
    telemetry::metrics as m,
};

const FIRST_RETRY: Duration = Duration::from_millis(250);
const MAX_RETRY: Duration = Duration::from_secs(10);

pub async fn run(
    settings: Settings,
    pool: PgPool,
    embedded: bool,
    lifecycle: Arc<Lifecycle>,
    model: Arc<ReadModel>,
) -> SyncHandle {
    let mut backoff = FIRST_RETRY;
    loop {
        match prepare(&settings, &pool, embedded, &lifecycle).await {
            Ok(()) => break,
            Err(reason) => {
                // Once per distinct reason at WARN; repeats are noise.
                if lifecycle.start_reason().as_deref() != Some(reason.as_str()) {
                    tracing::warn!(
                        retry_in_ms = backoff.as_millis() as u64,
                        "not ready: {reason}"
                    );
                }
                lifecycle.starting_because(reason);
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(MAX_RETRY);
            }
        }
    }
    lifecycle.starting_because("rates still loading");
    let sync = crate::read_model::sync::start(pool, model);
    lifecycle.started();
    sync
}

/// One attempt; the error is the one-line reason `/readyz` shows.
async fn prepare(
    settings: &Settings,
    pool: &PgPool,
    embedded: bool,
    lifecycle: &Lifecycle,
) -> Result<(), String> {
    let reached = connect::check(pool, settings.db.acquire_timeout()).await;
    metrics::gauge!(m::DB_UP).set(if reached.is_ok() { 1.0 } else { 0.0 });
    reached.map_err(|e| format!("database unreachable: {}: {}", e.target, e.why))?;
    if settings.migrate_on_start() {
        lifecycle.starting_because("applying migrations");
        migrate(pool).await?;
    } else if !db::migrate::is_up_to_date(pool)
        .await
        .map_err(|e| format!("checking migrations: {}", connect::why(&e)))?
    {
        return Err("migrations not applied (run `rates migrate` as the schema owner)".into());
    }
    if embedded && settings.embedded.demo_data {
        load_demo_if_empty(pool, lifecycle).await?;
    }
    Ok(())
}

async fn migrate(pool: &PgPool) -> Result<(), String> {
    // Audited only when there was something to apply: replicas restart often.
    let pending = !db::migrate::is_up_to_date(pool).await.unwrap_or(false);
    let result = if pending {
        let result = db::migrate::run_audited(pool).await;
        metrics::counter!(m::MIGRATIONS, "outcome" => Outcome::of(&result).as_str()).increment(1);
        result
    } else {
        db::migrate::run(pool).await
    };
    result.map_err(|e| format!("applying migrations failed: {e}"))
}

async fn load_demo_if_empty(pool: &PgPool, lifecycle: &Lifecycle) -> Result<(), String> {
    let empty = db::reference::is_empty(pool)
        .await
        .map_err(|e| format!("checking for data: {}", connect::why(&e)))?;
    if empty {
        lifecycle.starting_because("loading the demo dataset");
        let loaded = demo::load_demo(pool, &DemoOptions::default()).await;
        metrics::counter!(m::IMPORTS, "outcome" => Outcome::of(&loaded).as_str()).increment(1);
        let summary = loaded.map_err(|e| format!("loading the demo dataset failed: {e:#}"))?;
        db::audit::record(
            pool,
            "demo",
            "data",
            Outcome::Success,
            serde_json::json!({ "summary": summary.to_string(), "by": "serve" }),
        )
        .await;
        tracing::info!(%summary, "loaded the demo dataset into the empty embedded database");
    }
    Ok(())
}
