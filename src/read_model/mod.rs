//! The `/rates` read model: daily counts and sums per lane and the region tree
//! resolved to ports, held in memory and kept in step with PostgreSQL.
//!
//! Readers take the current [`Snapshot`] without locking; the sync task
//! (see [`sync`]) builds the next one from committed changes and swaps it in.
//! Every answer is computed from one snapshot, so it is always a state the
//! database was in.

mod answers;
mod digest;
pub mod lanes;
mod reference;
pub mod sync;

use std::sync::Arc;

use arc_swap::ArcSwapOption;
use axum::http::HeaderValue;

use crate::domain::{DailyRate, DayRange, LocationCode};
pub use answers::{Answers, Question};
pub use lanes::Lanes;
pub use reference::Reference;

/// The shared handle: the current snapshot, once the first load is done.
pub struct ReadModel {
    current: ArcSwapOption<Snapshot>,
}

impl ReadModel {
    fn empty() -> Self {
        Self {
            current: ArcSwapOption::empty(),
        }
    }

    pub fn snapshot(&self) -> Option<Arc<Snapshot>> {
        self.current.load_full()
    }

    pub fn is_loaded(&self) -> bool {
        self.current.load().is_some()
    }

    fn replace(&self, snapshot: Snapshot) {
        self.current.store(Some(Arc::new(snapshot)));
    }
}

/// One consistent state of the data.
pub struct Snapshot {
    reference: Arc<Reference>,
    lanes: Lanes,
    etag: HeaderValue,
    answers: Answers,
}

/// Which of the two locations was not found.
#[derive(Debug, PartialEq, Eq)]
pub enum Side {
    Origin,
    Destination,
}

impl Snapshot {
    pub fn new(reference: Arc<Reference>, lanes: Lanes) -> Self {
        // Content-derived, so replicas holding the same data agree on it.
        let tag = reference.digest() ^ lanes.digest().rotate_left(17);
        let etag = HeaderValue::try_from(format!("\"{tag:016x}\"")).expect("hex is a valid header");
        Self {
            reference,
            lanes,
            etag,
            answers: Answers::default(),
        }
    }

    /// The validator for every `/rates` answer computed from this snapshot.
    pub fn etag(&self) -> &HeaderValue {
        &self.etag
    }

    /// Answers already computed from this snapshot.
    pub fn answers(&self) -> &Answers {
        &self.answers
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
