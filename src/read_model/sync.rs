//! Keeps the read model in step with PostgreSQL.
//!
//! Triggers (migration 0003) keep `lane_days` exact and `NOTIFY rates_changed`
//! at commit. On each notification the model reads the `lane_days` rows whose
//! `version` is at or above its horizon (the xmin of the snapshot it last read
//! in, so no commit is missed whatever order transactions commit in), applies
//! them, and swaps in the new snapshot. Reference changes reload everything.
//! A lost listener connection, and a periodic poll, lead to the same catch-up,
//! so a notification lost in a reconnect gap delays an update but cannot
//! leave the model stale.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use futures_util::TryStreamExt;
use sqlx::{Executor, PgPool, Postgres, Transaction, postgres::PgListener};

use super::{Lanes, ReadModel, Reference, Snapshot, lanes::day_number};
use crate::telemetry::metrics as m;

const CHANNEL: &str = "rates_changed";
/// Backstop for notifications lost while the listener was reconnecting.
const POLL: Duration = Duration::from_secs(5);

/// The sync task's position in the database's history.
struct Sync {
    pool: PgPool,
    model: Arc<ReadModel>,
    /// Rows with a version at or above this may be new to us.
    horizon: i64,
    reference_version: i64,
}

/// The running sync task; [`SyncHandle::stop`] (or dropping it) stops it.
pub struct SyncHandle(tokio::task::JoinHandle<()>);

impl SyncHandle {
    pub fn stop(self) {}
}

impl Drop for SyncHandle {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Starts the task that loads `model` and keeps it fresh. Until the first
/// load succeeds the model is empty (`/readyz` says so); a database that is
/// not reachable is retried with backoff.
pub fn start(pool: PgPool, model: Arc<ReadModel>) -> SyncHandle {
    SyncHandle(tokio::spawn(load_then_follow(pool, model)))
}

async fn load_then_follow(pool: PgPool, model: Arc<ReadModel>) {
    let mut backoff = Duration::from_millis(100);
    loop {
        match Sync::load(pool.clone(), model.clone()).await {
            Ok((sync, listener)) => return sync.run(listener).await,
            Err(_) if pool.is_closed() => return,
            Err(e) => {
                failed(&e);
                let why = crate::db::connect::why(&e);
                tracing::warn!(error = %why, retry_in_ms = backoff.as_millis() as u64, "loading the read model failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(10));
            }
        }
    }
}

impl Sync {
    async fn load(pool: PgPool, model: Arc<ReadModel>) -> Result<(Self, PgListener), sqlx::Error> {
        // Subscribe before loading: a commit between the two is then seen
        // twice, never missed.
        let mut listener = PgListener::connect_with(&pool).await?;
        listener.listen(CHANNEL).await?;
        let started = Instant::now();
        let mut tx = begin_snapshot(&pool).await?;
        let (horizon, reference_version) = markers(&mut tx).await?;
        let snapshot = full_load(&mut tx).await?;
        tx.commit().await?;
        model.replace(snapshot, horizon);
        reached_database();
        metrics::histogram!(m::MODEL_RELOAD).record(started.elapsed().as_secs_f64());
        tracing::info!("read model loaded");
        let sync = Self {
            pool,
            model,
            horizon,
            reference_version,
        };
        Ok((sync, listener))
    }

    async fn run(mut self, mut listener: PgListener) {
        let mut poll = tokio::time::interval(POLL);
        // An outage is reported once when it starts and once when it ends.
        let mut failing = false;
        loop {
            tokio::select! {
                received = listener.try_recv() => match received {
                    // One catch-up covers every notification queued so far.
                    Ok(Some(_)) => while listener.next_buffered().is_some() {},
                    Ok(None) => tracing::info!("change listener reconnected; catching up"),
                    Err(e) => {
                        if self.pool.is_closed() {
                            return;
                        }
                        tracing::debug!(error = %e, "change listener failed; retrying");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        // Re-subscribe before catching up, so nothing falls in between.
                        let _ = listener.execute("SELECT 1").await;
                    }
                },
                _ = poll.tick() => {}
            }
            match self.catch_up().await {
                Ok(()) if failing => {
                    failing = false;
                    tracing::info!("read model back in step with the database");
                }
                Ok(()) => {}
                Err(e) => {
                    failed(&e);
                    let why = crate::db::connect::why(&e);
                    if failing {
                        tracing::debug!(error = %why, "read model catch-up failed again");
                    } else {
                        failing = true;
                        tracing::warn!(error = %why, "read model catch-up failed; serving the data already loaded and retrying");
                    }
                }
            }
        }
    }

    async fn catch_up(&mut self) -> Result<(), sqlx::Error> {
        let started = Instant::now();
        let current = self.model.snapshot().expect("loaded before following");
        // Past this many changed rows, loading everything afresh is quicker
        // (it reads only live lane-days, in order) than applying them.
        let reload_above = (current.lane_days() / 3).max(10_000) as i64;
        // One statement, so one snapshot and one round trip: the markers and
        // the number of changed lane-days on every row, then the changed
        // lane-days themselves (none: one row of NULLs), streamed. None are
        // sent when the reference data changed or too many did: a reload
        // follows instead.
        let mut rows = sqlx::query_as::<_, ChangeRow>(
            "SELECT m.horizon, m.reference, c.changed,
                    l.orig_code, l.dest_code, l.day, l.n, l.total
               FROM (SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint AS horizon,
                            reference
                       FROM data_version) AS m
              CROSS JOIN (SELECT count(*) AS changed FROM lane_days WHERE version >= $1) AS c
               LEFT JOIN lane_days AS l
                 ON l.version >= $1 AND m.reference = $2 AND c.changed <= $3",
        )
        .bind(self.horizon)
        .bind(self.reference_version)
        .bind(reload_above)
        .fetch(&self.pool);
        let Some(first) = rows.try_next().await? else {
            return Ok(());
        };
        let (horizon, reference_version, changed_rows) = (first.0, first.1, first.2);
        if reference_version != self.reference_version || changed_rows > reload_above {
            drop(rows);
            tracing::debug!(
                changed_rows,
                "many changes or new reference data: reloading"
            );
            return self.reload().await;
        }
        let mut lanes = None;
        let mut changed = 0usize;
        let mut next = Some(first);
        while let Some((_, _, _, orig, dest, day, n, total)) = next {
            if let (Some(orig), Some(dest), Some(day), Some(n), Some(total)) =
                (orig, dest, day, n, total)
            {
                let lanes = lanes.get_or_insert_with(|| current.lanes.clone());
                apply(&current.reference, lanes, (orig, dest, day, n, total));
                changed += 1;
            }
            next = rows.try_next().await?;
        }
        drop(rows);
        match lanes {
            Some(lanes) => {
                self.model
                    .replace(Snapshot::new(current.reference.clone(), lanes), horizon);
                let elapsed_us = started.elapsed().as_micros() as u64;
                tracing::debug!(rows = changed, elapsed_us, "read model updated");
            }
            None => self.model.mark_synced(horizon),
        }
        self.horizon = horizon;
        reached_database();
        metrics::histogram!(m::MODEL_CATCH_UP).record(started.elapsed().as_secs_f64());
        Ok(())
    }

    /// Reference data changed: rebuild everything from one snapshot.
    async fn reload(&mut self) -> Result<(), sqlx::Error> {
        let started = Instant::now();
        let mut tx = begin_snapshot(&self.pool).await?;
        let (horizon, reference_version) = markers(&mut tx).await?;
        let snapshot = full_load(&mut tx).await?;
        tx.commit().await?;
        self.model.replace(snapshot, horizon);
        metrics::histogram!(m::MODEL_RELOAD).record(started.elapsed().as_secs_f64());
        self.horizon = horizon;
        self.reference_version = reference_version;
        Ok(())
    }
}

fn reached_database() {
    metrics::gauge!(m::DB_UP).set(1.0);
}

/// Counts a failed load or catch-up; a refused login wakes the credential
/// refresher.
fn failed(e: &sqlx::Error) {
    crate::secrets::report_if_auth_failure(e);
    metrics::counter!(m::MODEL_SYNC_FAILURES).increment(1);
    if crate::db::connect::is_unavailable(e) {
        metrics::gauge!(m::DB_UP).set(0.0);
    }
}

/// Markers and the number of changed lane-days, then an optional changed
/// lane-day.
type ChangeRow = (
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
    Option<chrono::NaiveDate>,
    Option<i64>,
    Option<i64>,
);

type LaneDay = (String, String, chrono::NaiveDate, i64, i64);

fn apply(reference: &Reference, lanes: &mut Lanes, (orig, dest, day, n, total): LaneDay) {
    let count = u32::try_from(n.max(0)).unwrap_or_else(|_| {
        tracing::error!(orig, dest, %day, n, "more prices on one lane-day than the model counts; clamped");
        u32::MAX
    });
    match (reference.id(&orig), reference.id(&dest)) {
        (Some(o), Some(d)) => lanes.set(o, d, day_number(day), count, total),
        // Only possible for emptied lanes of deleted ports: prices reference
        // ports through foreign keys.
        _ if n == 0 => {}
        _ => tracing::warn!(orig, dest, "lane_days row for an unknown port ignored"),
    }
}

/// A read-only transaction whose statements all see one snapshot.
async fn begin_snapshot(pool: &PgPool) -> Result<Transaction<'static, Postgres>, sqlx::Error> {
    pool.begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .await
}

/// The snapshot's xmin (every transaction below it is finished and visible)
/// and the reference data version.
async fn markers(tx: &mut Transaction<'static, Postgres>) -> Result<(i64, i64), sqlx::Error> {
    sqlx::query_as(
        "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint, reference FROM data_version",
    )
    .fetch_one(&mut **tx)
    .await
}

async fn full_load(tx: &mut Transaction<'static, Postgres>) -> Result<Snapshot, sqlx::Error> {
    let ports: Vec<super::reference::PortRow> =
        sqlx::query_as("SELECT code, parent_slug, name FROM ports")
            .fetch_all(&mut **tx)
            .await?;
    let regions: Vec<super::reference::RegionRow> =
        sqlx::query_as("SELECT slug, parent_slug, name FROM regions")
            .fetch_all(&mut **tx)
            .await?;
    let reference = Arc::new(Reference::build(ports, regions));
    let mut lanes = Lanes::empty(reference.port_count());
    // Ordered like the model stores them, so building only ever appends.
    let mut rows = sqlx::query_as::<_, LaneDay>(
        "SELECT orig_code, dest_code, day, n, total FROM lane_days
          WHERE n <> 0 ORDER BY orig_code, dest_code, day",
    )
    .fetch(&mut **tx);
    while let Some(row) = rows.try_next().await? {
        apply(&reference, &mut lanes, row);
    }
    drop(rows);
    Ok(Snapshot::new(reference, lanes))
}
