//! `rates migrate`, `rates import`, `rates demo`: jobs that change the data.

use std::path::PathBuf;

use anyhow::Context;

use crate::{
    config::Settings,
    db::{self, Database},
    demo::{self, DemoOptions},
    import::{self, ImportMode, ImportOptions},
};

pub async fn migrate(settings: Settings) -> anyhow::Result<()> {
    with_database(&settings, |db| async move {
        db::migrate::run(&db).await.context("applying migrations")?;
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
        let summary = import::import_files(&db, &files, &options).await?;
        println!("{summary}");
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
