//! Where the server is in its life: starting (and why it is not ready yet),
//! serving, or draining after a stop signal. Readiness and the connection
//! layer read it; start-up and shutdown write it.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, Ordering},
};

pub struct Lifecycle {
    /// `Some(reason)` until the database is reachable and prepared.
    starting: Mutex<Option<String>>,
    draining: AtomicBool,
}

impl Default for Lifecycle {
    fn default() -> Self {
        Self::new()
    }
}

impl Lifecycle {
    pub fn new() -> Self {
        Self {
            starting: Mutex::new(Some("starting".into())),
            draining: AtomicBool::new(false),
        }
    }

    /// Why the server is not ready yet, while it starts.
    pub fn starting_because(&self, reason: impl Into<String>) {
        *self.starting.lock().expect("lifecycle lock") = Some(reason.into());
    }

    pub fn started(&self) {
        *self.starting.lock().expect("lifecycle lock") = None;
    }

    pub fn start_reason(&self) -> Option<String> {
        self.starting.lock().expect("lifecycle lock").clone()
    }

    pub fn drain(&self) {
        self.draining.store(true, Ordering::Release);
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }
}
