//! Versioned migrations from `migrations/`, embedded in the binary.
//!
//! sqlx takes a PostgreSQL advisory lock around the run, so replicas that start
//! together apply each migration once.

use sqlx::{PgPool, migrate::Migrator};

pub static MIGRATOR: Migrator = sqlx::migrate!();

pub async fn run(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    MIGRATOR.run(pool).await
}

/// [`run`], then its row in the audit trail.
pub async fn run_audited(pool: &PgPool) -> Result<(), sqlx::migrate::MigrateError> {
    let result = run(pool).await;
    super::audit::record_migration(pool, &result).await;
    result
}

/// True when every embedded migration has been applied successfully.
pub async fn is_up_to_date(pool: &PgPool) -> Result<bool, sqlx::Error> {
    let applied: Vec<i64> = match sqlx::query_scalar(
        "SELECT version FROM _sqlx_migrations WHERE success ORDER BY version",
    )
    .fetch_all(pool)
    .await
    {
        Ok(v) => v,
        // No bookkeeping table yet: nothing was ever applied.
        Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P01") => return Ok(false),
        Err(e) => return Err(e),
    };
    Ok(MIGRATOR
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .all(|m| applied.binary_search(&m.version).is_ok()))
}
