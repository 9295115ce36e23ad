//! The audit trail: one row in `audit_log` (migration 0010, append-only) and
//! one structured log event (target `audit`) per rotation, bootstrap,
//! migration and import. Never a secret: callers pass names and counts.
//!
//! Writing the row must not turn a successful job into a failed one (the
//! table may not exist yet on a database being migrated), so a failed insert
//! is logged, not returned.

use serde_json::Value;
use sqlx::PgPool;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn of<T, E>(result: &Result<T, E>) -> Self {
        if result.is_ok() {
            Self::Success
        } else {
            Self::Failure
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// Records one audited action.
pub async fn record(pool: &PgPool, action: &str, target: &str, outcome: Outcome, detail: Value) {
    let os_user = os_user();
    let host = nix::unistd::gethostname()
        .ok()
        .and_then(|h| h.into_string().ok());
    tracing::info!(
        target: "audit",
        action,
        audit_target = target,
        outcome = outcome.as_str(),
        os_user = os_user.as_str(),
        detail = %detail,
        "audit"
    );
    let inserted = sqlx::query(
        "INSERT INTO audit_log (os_user, host, action, target, outcome, detail)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(os_user)
    .bind(host)
    .bind(action)
    .bind(target)
    .bind(outcome.as_str())
    .bind(detail)
    .execute(pool)
    .await;
    if let Err(e) = inserted {
        tracing::warn!(action, error = %e, "could not write the audit row");
    }
}

/// The audit row of a migration run (written after it: the table is itself
/// a migration).
pub async fn record_migration(pool: &PgPool, result: &Result<(), sqlx::migrate::MigrateError>) {
    let latest = super::migrate::MIGRATOR.iter().map(|m| m.version).max();
    let detail = match result {
        Ok(()) => serde_json::json!({ "latest": latest }),
        Err(e) => serde_json::json!({ "latest": latest, "error": e.to_string() }),
    };
    record(pool, "migrate", "schema", Outcome::of(result), detail).await;
}

/// The name in the password database, else the numeric uid (containers
/// often run as a uid with no name).
fn os_user() -> String {
    let uid = nix::unistd::getuid();
    let name = nix::unistd::User::from_uid(uid)
        .ok()
        .flatten()
        .map(|u| u.name);
    name.unwrap_or_else(|| format!("uid {uid}"))
}
