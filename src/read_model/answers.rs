//! Serialized answers of one snapshot. The same question asked again while the
//! data is unchanged is answered from here; a new snapshot starts with an
//! empty cache, so nothing is ever invalidated by hand.

use std::{
    collections::HashMap,
    sync::{
        RwLock,
        atomic::{AtomicUsize, Ordering},
    },
};

use axum::body::Bytes;

/// Bounds the memory one snapshot's answers may take.
const MAX_BYTES: usize = 32 * 1024 * 1024;

/// (origin, destination, first day, last day)
pub type Question = (String, String, i32, i32);

#[derive(Default)]
pub struct Answers {
    map: RwLock<HashMap<Question, Bytes>>,
    bytes: AtomicUsize,
}

impl Answers {
    /// The cached answer, or `compute`'s, cached while under the bound.
    pub fn get_or_compute(&self, question: Question, compute: impl FnOnce() -> Bytes) -> Bytes {
        if let Some(hit) = self.map.read().expect("answers lock").get(&question) {
            return hit.clone();
        }
        let answer = compute();
        let size = answer.len() + question.0.len() + question.1.len();
        if self.bytes.fetch_add(size, Ordering::Relaxed) + size <= MAX_BYTES {
            self.map
                .write()
                .expect("answers lock")
                .insert(question, answer.clone());
        } else {
            self.bytes.fetch_sub(size, Ordering::Relaxed);
        }
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_question() {
        let answers = Answers::default();
        let q = || ("A".to_owned(), "B".to_owned(), 1, 2);
        assert_eq!(
            answers.get_or_compute(q(), || Bytes::from_static(b"one")),
            "one"
        );
        assert_eq!(
            answers.get_or_compute(q(), || Bytes::from_static(b"two")),
            "one"
        );
        let other = ("A".to_owned(), "B".to_owned(), 1, 3);
        assert_eq!(
            answers.get_or_compute(other, || Bytes::from_static(b"two")),
            "two"
        );
    }

    #[test]
    fn stops_caching_past_the_bound() {
        let answers = Answers::default();
        let big = Bytes::from(vec![0u8; MAX_BYTES]);
        answers.get_or_compute(("A".into(), "B".into(), 0, 0), || big.clone());
        let again = answers.get_or_compute(("A".into(), "B".into(), 0, 0), || {
            Bytes::from_static(b"fresh")
        });
        assert_eq!(again, "fresh");
    }
}
