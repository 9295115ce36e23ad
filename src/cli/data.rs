//! `rates migrate`, `rates import`, `rates demo`: jobs that change the data,
//! run as the schema owner. Each is audited.

use std::{path::PathBuf, time::Duration};

use anyhow::Context;
use serde_json::json;

use crate::{
    config::Settings,
    db::{
        self, Database,
        audit::{self, Outcome},
    },
    demo::{self, DemoOptions},
    import::{self, ImportMode, ImportOptions},
};

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    with_database(&settings, |db| async move {
        db::migrate::run_audited(&db)
            .await
            .context("applying migrations")?;
        println!("migrations applied");
        Ok(())
    })
    .await
}

pub async fn import(settings: Settings, files: Vec<PathBuf>, append: bool) -> anyhow::Result<()> {
    let options = ImportOptions {
        mode: if append {
            ImportMode::Append
        } else {
            ImportMode::Replace
        },
        progress: true,
    };
    with_database(&settings, |db| async move {
        ensure_schema(&db).await?;
        let result = import::import_files(&db, &files, &options).await;
        let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
        let detail = match &result {
            Ok(summary) => {
                json!({ "files": names, "append": append, "summary": summary.to_string() })
            }
            Err(e) => json!({ "files": names, "append": append, "error": e.to_string() }),
        };
        audit::record(&db, "import", "data", Outcome::of(&result), detail).await;
        println!("{}", result?);
        Ok(())
    })
    .await
}

pub async fn demo(settings: Settings, options: DemoOptions) -> anyhow::Result<()> {
    with_database(&settings, |db| async move {
        ensure_schema(&db).await?;
        let result = demo::load_demo(&db, &options).await;
        let detail = match &result {
            Ok(summary) => json!({ "seed": options.seed, "summary": summary.to_string() }),
            Err(e) => json!({ "seed": options.seed, "error": format!("{e:#}") }),
        };
        audit::record(&db, "demo", "data", Outcome::of(&result), detail).await;
        println!("{}", result?);
        Ok(())
    })
    .await
}

/// Jobs that load data first bring the schema up to date (audited like
/// `rates migrate`).
async fn ensure_schema(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    if !db::migrate::is_up_to_date(pool).await? {
        db::migrate::run_audited(pool)
            .await
            .context("applying migrations")?;
    }
    Ok(())
}

/// Opens the database (failing with one clear line when it cannot be
/// reached), runs `job`, and closes it, stopping an embedded server, whether
/// the job succeeded or not.
pub(super) async fn with_database<F, Fut>(settings: &Settings, job: F) -> anyhow::Result<()>
where
    F: FnOnce(sqlx::PgPool) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let database = Database::open_checked(settings).await?;
    let result = job(database.pool.clone()).await;
    database.close(Duration::from_secs(20)).await;
    result
}
