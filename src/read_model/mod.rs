//! The `/rates` read model: daily counts and sums per lane and the region tree
//! resolved to ports, held in memory and kept in step with PostgreSQL.
//!
//! Readers take the current [`Snapshot`] without locking; the sync task
//! (see [`sync`]) builds the next one from committed changes and swaps it in.
//! Every answer is computed from one snapshot, so it is always a state the
//! database was in.

mod answers;
pub mod coverage;
pub mod digest;
pub mod lanes;
pub mod places;
mod reference;
pub mod sync;

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, AtomicU64, Ordering},
    },
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use std::sync::OnceLock;

use arc_swap::ArcSwapOption;

use crate::domain::{DailyRate, DayRange, LocationCode};
pub use answers::{Answers, Question};
pub use coverage::Coverage;
pub use lanes::Lanes;
pub use reference::{PortId, Reference};

/// The shared handle: the current snapshot, once the first load is done, and
/// when the model last confirmed it was in step with the database.
#[derive(Default)]
pub struct ReadModel {
    current: ArcSwapOption<Snapshot>,
    /// Milliseconds since the Unix epoch; 0 before the first load.
    synced_at_ms: AtomicU64,
    /// The transaction horizon the model last read at (see `sync`).
    horizon: AtomicI64,
}

impl ReadModel {
    pub fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.current.load_full()
    }

    /// How long ago the model last read the database successfully (a load, a
    /// catch-up, or a poll that found nothing new); `None` before the first.
    pub fn staleness(&self) -> Option<Duration> {
        match self.synced_at_ms.load(Ordering::Acquire) {
            0 => None,
            ms => Some(Duration::from_millis(now_ms().saturating_sub(ms))),
        }
    }

    /// The PostgreSQL transaction horizon the model is in step with: equal
    /// on replicas that are in step (0 before the first load).
    pub fn data_version(&self) -> i64 {
        self.horizon.load(Ordering::Acquire)
    }

    fn replace(&self, snapshot: Snapshot, horizon: i64) {
        self.current.store(Some(Arc::new(snapshot)));
        self.mark_synced(horizon);
    }

    fn mark_synced(&self, horizon: i64) {
        self.horizon.store(horizon, Ordering::Release);
        self.synced_at_ms.store(now_ms().max(1), Ordering::Release);
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// One consistent state of the data.
pub struct Snapshot {
    reference: Arc<Reference>,
    lanes: Lanes,
    version: u64,
    answers: Answers,
    /// Computed on first use (see [`Snapshot::coverage`]).
    coverage: OnceLock<Coverage>,
}

/// Which of the two locations was not found.
#[derive(Debug, PartialEq, Eq)]
pub enum Side {
    Origin,
    Destination,
}

impl Snapshot {
    pub fn new(reference: Arc<Reference>, lanes: Lanes) -> Self {
        let version = reference.digest() ^ lanes.digest().rotate_left(17);
        Self {
            reference,
            lanes,
            version,
            answers: Answers::default(),
            coverage: OnceLock::new(),
        }
    }

    /// A digest of the content: replicas holding the same data agree on it,
    /// and it changes whenever the data does (the basis of `/rates` ETags).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Lane-days with prices held.
    pub fn lane_days(&self) -> usize {
        self.lanes.lane_days()
    }

    /// Answers already computed from this snapshot.
    pub fn answers(&self) -> &Answers {
        &self.answers
    }

    /// What the data covers; computed once per snapshot.
    pub fn coverage(&self) -> &Coverage {
        self.coverage.get_or_init(|| Coverage::of(&self.lanes))
    }

    /// Ports, regions, their names and the tree.
    pub fn reference(&self) -> &Reference {
        &self.reference
    }

    /// The ports on each side of a query; which side is unknown otherwise.
    pub fn route(
        &self,
        origin: &LocationCode,
        destination: &LocationCode,
    ) -> Result<Route<'_>, Side> {
        let reference = &self.reference;
        Ok(Route {
            lanes: &self.lanes,
            origins: reference.ports_of(origin.as_str()).ok_or(Side::Origin)?,
            destinations: reference
                .ports_of(destination.as_str())
                .ok_or(Side::Destination)?,
        })
    }
}

/// Resolved locations, ready to answer for any range.
pub struct Route<'a> {
    lanes: &'a Lanes,
    origins: &'a [reference::PortId],
    destinations: &'a [reference::PortId],
}

impl Route<'_> {
    /// One entry per day of `range`, newest first.
    pub fn daily_rates(&self, range: DayRange) -> Vec<DailyRate> {
        self.lanes
            .daily_rates(self.origins, self.destinations, range)
    }
}
