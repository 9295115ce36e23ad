//! `rates migrate`, `rates import`, `rates demo`: jobs that change the data.

use std::path::PathBuf;

use anyhow::Context;

use crate::{
    config::Settings,
    db::{self, Database, audit},
    demo::{self, DemoOptions},
    import::{self, ImportMode, ImportOptions},
};

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    with_database(&settings, |db| async move {
        let result = db::migrate::run(&db).await;
        audit_migration(&db, &result).await;
        result.context("applying migrations")?;
        println!("migrations applied");
        Ok(())
    })
    .await
}

/// The audit row of a migration run (after it: the table is a migration).
pub(super) async fn audit_migration(
    pool: &sqlx::PgPool,
    result: &Result<(), sqlx::migrate::MigrateError>,
) {
    let latest = db::migrate::MIGRATOR.iter().map(|m| m.version).max();
    let detail = match result {
        Ok(()) => serde_json::json!({ "latest": latest }),
        Err(e) => serde_json::json!({ "latest": latest, "error": e.to_string() }),
    };
    audit::record(
        pool,
        "migrate",
        "schema",
        audit::Outcome::of(result),
        detail,
    )
    .await;
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
        audit_import(&db, &files, append, &result).await;
        println!("{}", result?);
        Ok(())
    })
    .await
}

pub async fn demo(settings: Settings, options: DemoOptions) -> anyhow::Result<()> {
    with_database(&settings, |db| async move {
        ensure_schema(&db).await?;
        let summary = demo::load_demo(&db, &options).await?;
        println!("{summary}");
        Ok(())
    })
    .await
}

/// The audit row of an import: the files' names, never their contents.
async fn audit_import<T: std::fmt::Display, E: std::fmt::Display>(
    pool: &sqlx::PgPool,
    files: &[PathBuf],
    append: bool,
    result: &Result<T, E>,
) {
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    let detail = match result {
        Ok(summary) => {
            serde_json::json!({ "files": names, "append": append, "summary": summary.to_string() })
        }
        Err(e) => serde_json::json!({ "files": names, "append": append, "error": e.to_string() }),
    };
    audit::record(pool, "import", "data", audit::Outcome::of(result), detail).await;
}

/// Jobs that load data first bring the schema up to date.
async fn ensure_schema(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    if !db::migrate::is_up_to_date(pool).await? {
        db::migrate::run(pool)
            .await
            .context("applying migrations")?;
    }
    Ok(())
}

/// Opens the database, runs `job`, and closes it (stopping an embedded server)
/// whether the job succeeded or not.
async fn with_database<F, Fut>(settings: &Settings, job: F) -> anyhow::Result<()>
where
    F: FnOnce(sqlx::PgPool) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    let database = Database::open(settings).await?;
    let result = job(database.pool.clone()).await;
    database.close().await;
    result
}
