//! Keeps the pool's connect options current: re-reads the source on a
//! period, sooner when a token nears expiry, and at once when a login was
//! refused. New credentials are tried on one connection before the pool gets
//! them, so a half-published pair or a wrong secret never replaces working
//! credentials. Open connections keep theirs until `max_lifetime` retires them.

use std::{
    sync::{Arc, RwLock},
    time::Duration,
};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use sqlx::{
    ConnectOptions, Connection, PgPool,
    postgres::{PgConnectOptions, PgConnection},
};
use tokio::{sync::Notify, task::JoinHandle};

use super::{CredentialSource, Credentials};
use crate::telemetry::metrics as m;

/// Woken by [`super::report_if_auth_failure`].
pub(super) static AUTH_FAILED: Notify = Notify::const_new();
/// Notified each time a refresher has re-read its source (whatever it found).
pub(super) static REREAD: Notify = Notify::const_new();

/// After a failed read, try again this soon (or the period, if shorter).
const RETRY: Duration = Duration::from_secs(2);
/// Never re-read more often than this, however close the expiry.
const MIN_WAIT: Duration = Duration::from_millis(500);

/// What `/readyz` says about credentials: never the secret.
#[derive(Clone)]
pub struct CredentialStatus(Arc<RwLock<Status>>);

struct Status {
    source: &'static str,
    user: Option<String>,
    refreshed_at: Option<DateTime<Utc>>,
    expires_at: Option<DateTime<Utc>>,
}

impl CredentialStatus {
    pub fn new(source: &'static str) -> Self {
        Self(Arc::new(RwLock::new(Status {
            source,
            user: None,
            refreshed_at: None,
            expires_at: None,
        })))
    }

    fn record(&self, user: &str, credentials: &Credentials) {
        let mut s = self.0.write().expect("status lock");
        s.user = Some(user.to_owned());
        s.refreshed_at = Some(Utc::now());
        s.expires_at = credentials.expires_at;
    }

    fn touch(&self) {
        self.0.write().expect("status lock").refreshed_at = Some(Utc::now());
    }

    /// The source's name and when the credentials expire (tokens), for
    /// metrics.
    pub fn source_and_expiry(&self) -> (&'static str, Option<DateTime<Utc>>) {
        let s = self.0.read().expect("status lock");
        (s.source, s.expires_at)
    }

    pub fn to_json(&self) -> Value {
        let s = self.0.read().expect("status lock");
        json!({
            "source": s.source,
            "user": s.user,
            "refreshed_at": s.refreshed_at,
            "expires_at": s.expires_at,
        })
    }
}

/// The background task; stops when dropped.
pub struct Refresher {
    pub status: CredentialStatus,
    task: Option<JoinHandle<()>>,
}

impl Drop for Refresher {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Refresher {
    /// Status only: nothing to refresh (the embedded server, a fixed URL).
    pub fn idle(source: &'static str, user: &str) -> Self {
        let status = CredentialStatus::new(source);
        status.record(user, &Credentials::default());
        Self { status, task: None }
    }

    /// Starts refreshing `pool`, whose options are `base` with `current`.
    pub fn spawn(
        pool: PgPool,
        base: PgConnectOptions,
        source: CredentialSource,
        current: Credentials,
        period: Option<Duration>,
    ) -> Self {
        let status = CredentialStatus::new(source.name());
        status.record(current.apply(base.clone()).get_username(), &current);
        let period = period.unwrap_or_else(|| source.default_period());
        let task = tokio::spawn(run(pool, base, source, current, period, status.clone()));
        Self {
            status,
            task: Some(task),
        }
    }
}

async fn run(
    pool: PgPool,
    base: PgConnectOptions,
    source: CredentialSource,
    mut current: Credentials,
    period: Duration,
    status: CredentialStatus,
) {
    let mut wait = next_wait(&current, period);
    loop {
        let woken_by_failure = tokio::select! {
            () = tokio::time::sleep(wait) => false,
            () = AUTH_FAILED.notified() => true,
        };
        if pool.is_closed() {
            return;
        }
        if woken_by_failure {
            tracing::warn!(
                source = source.name(),
                "a login was refused; re-reading credentials"
            );
        }
        let fetched = source.fetch().await;
        let counter = if fetched.is_ok() {
            m::CREDENTIALS_REFRESHES
        } else {
            m::CREDENTIALS_FAILURES
        };
        metrics::counter!(counter).increment(1);
        wait = match fetched {
            Ok(fresh) if fresh.same_login(&current) => {
                status.touch();
                next_wait(&fresh, period)
            }
            Ok(fresh) => {
                let options = fresh.apply(base.clone());
                // A fresh token comes straight from its issuer, and the one in
                // use is about to expire: switch at once. Passwords from a
                // store are tried first (the store may be mid-publication).
                let checked = if fresh.expires_at.is_some() {
                    Ok(())
                } else {
                    try_login(&options).await
                };
                match checked {
                    Ok(()) => {
                        metrics::counter!(m::CREDENTIALS_CHANGES).increment(1);
                        pool.set_connect_options(options.clone());
                        status.record(options.get_username(), &fresh);
                        tracing::info!(
                            source = source.name(),
                            user = options.get_username(),
                            expires_at = ?fresh.expires_at,
                            "database credentials refreshed"
                        );
                        current = fresh;
                        next_wait(&current, period)
                    }
                    Err(e) => {
                        // Keep the working credentials; the store may be
                        // half-way through publishing a new pair.
                        tracing::warn!(
                            source = source.name(),
                            user = options.get_username(),
                            error = %login_error(&e),
                            "new database credentials do not work yet; keeping the current ones"
                        );
                        RETRY.min(period)
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read database credentials; keeping the current ones");
                RETRY.min(period).min(next_wait(&current, period))
            }
        };
        REREAD.notify_waiters();
    }
}

/// The period, or half the token's remaining life when that is sooner.
fn next_wait(credentials: &Credentials, period: Duration) -> Duration {
    let until_half_life = credentials.expires_at.map(|at| {
        (at - Utc::now())
            .to_std()
            .map(|left| left / 2)
            .unwrap_or_default()
    });
    match until_half_life {
        Some(half) => half.min(period).max(MIN_WAIT),
        None => period,
    }
}

async fn try_login(options: &PgConnectOptions) -> Result<(), sqlx::Error> {
    let conn: PgConnection = tokio::time::timeout(Duration::from_secs(10), options.connect())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    conn.close().await
}

/// The SQLSTATE and message only: never `Debug` of options or errors that
/// could carry them.
fn login_error(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(d) => {
            format!("{} ({})", d.message(), d.code().unwrap_or_default())
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_renewed_at_half_life() {
        let period = Duration::from_secs(300);
        let token = Credentials {
            expires_at: Some(Utc::now() + chrono::Duration::seconds(60)),
            ..Default::default()
        };
        let wait = next_wait(&token, period);
        assert!(wait <= Duration::from_secs(30) && wait >= Duration::from_secs(29));
        assert_eq!(next_wait(&Credentials::default(), period), period);
        let expired = Credentials {
            expires_at: Some(Utc::now() - chrono::Duration::seconds(5)),
            ..Default::default()
        };
        assert_eq!(next_wait(&expired, period), MIN_WAIT);
    }
}
