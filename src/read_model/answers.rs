//! Serialized answers of one snapshot. The same question asked again while the
//! data is unchanged is answered from here; a new snapshot starts with an
//! empty cache, so nothing is ever invalidated by hand.

use std::{collections::HashMap, sync::RwLock};

use bytes::Bytes;

use crate::telemetry::metrics as m;

/// Bounds the memory one snapshot's answers may take.
pub const MAX_BYTES: usize = 32 * 1024 * 1024;

/// (origin, destination, first day, last day, representation)
pub type Question = (String, String, i32, i32, &'static str);

#[derive(Default)]
pub struct Answers {
    cache: RwLock<Cache>,
}

#[derive(Default)]
struct Cache {
    map: HashMap<Question, Bytes>,
    /// Exactly the bytes of the entries in `map` (and their keys' strings).
    bytes: usize,
}

impl Answers {
    /// The cached answer, or `compute`'s, cached while under the bound.
    /// Concurrent misses on one question both compute; the first stored
    /// answer wins and is counted once.
    pub fn get_or_compute(&self, question: Question, compute: impl FnOnce() -> Bytes) -> Bytes {
        if let Some(hit) = self.cache.read().expect("answers lock").map.get(&question) {
            m::record_cache(true);
            return hit.clone();
        }
        m::record_cache(false);
        let answer = compute();
        let size = answer.len() + question.0.len() + question.1.len();
        let mut cache = self.cache.write().expect("answers lock");
        if let Some(stored) = cache.map.get(&question) {
            return stored.clone();
        }
        if cache.bytes + size <= MAX_BYTES {
            cache.bytes += size;
            cache.map.insert(question, answer.clone());
        }
        answer
    }

    /// Bytes held (for metrics and the memory formula).
    pub fn bytes(&self) -> usize {
        self.cache.read().expect("answers lock").bytes
    }
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Barrier};

    use super::*;

    fn q(from: i32) -> Question {
        ("A".to_owned(), "B".to_owned(), from, 2, "json")
    }

    #[test]
    fn computes_once_per_question() {
        let answers = Answers::default();
        assert_eq!(
            answers.get_or_compute(q(1), || Bytes::from_static(b"one")),
            "one"
        );
        assert_eq!(
            answers.get_or_compute(q(1), || Bytes::from_static(b"two")),
            "one"
        );
        assert_eq!(
            answers.get_or_compute(q(0), || Bytes::from_static(b"two")),
            "two"
        );
        assert_eq!(answers.bytes(), 2 * (3 + 2));
    }

    #[test]
    fn stops_caching_past_the_bound() {
        let answers = Answers::default();
        let big = Bytes::from(vec![0u8; MAX_BYTES]);
        answers.get_or_compute(q(0), || big.clone());
        assert_eq!(answers.bytes(), 0);
        let again = answers.get_or_compute(q(0), || Bytes::from_static(b"fresh"));
        assert_eq!(again, "fresh");
    }

    #[test]
    fn accounting_is_exact_under_concurrent_misses() {
        let answers = Arc::new(Answers::default());
        let threads = 16;
        let barrier = Arc::new(Barrier::new(threads));
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (answers, barrier) = (answers.clone(), barrier.clone());
                std::thread::spawn(move || {
                    for round in 0..200 {
                        // Every thread misses on the same questions at once.
                        barrier.wait();
                        let body = Bytes::from(vec![b'x'; 10 + t]);
                        answers.get_or_compute(q(round % 50), || body);
                    }
                })
            })
            .collect();
        for h in handles {
            h.join().unwrap();
        }
        let cache = answers.cache.read().unwrap();
        let expected: usize = cache
            .map
            .iter()
            .map(|(k, v)| v.len() + k.0.len() + k.1.len())
            .sum();
        assert_eq!(cache.map.len(), 50);
        assert_eq!(cache.bytes, expected);
    }
}
