//! Rows shown from the listing cache while the fresh listing runs: when they were saved, and how
//! the fresh pages differ from them so far (so the user sees at once whether the cached rows can
//! be trusted, before the whole listing has arrived).

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::list::Row;

/// What a list needs to be shown from the cache and compared with the fresh rows.
pub trait Compare: Row + PartialEq {}
impl<T: Row + PartialEq> Compare for T {}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stale {
    /// When the cached listing was saved, epoch seconds.
    pub saved_at: i64,
    /// Cached rows by the hash of their key (a colliding key only costs a row counted as
    /// changed).
    index: HashMap<u64, u32>,
    /// Fresh rows so far whose key was cached (changed or not), and those new or changed.
    seen: usize,
    pub differ: usize,
    /// Cached rows (by position) that a fresh page brought back unchanged: only these can be
    /// marked before the listing completes, as they will still be there when it replaces them.
    confirmed: Vec<bool>,
}

fn hash_key(key: &str) -> u64 {
    let mut h = DefaultHasher::new();
    key.hash(&mut h);
    h.finish()
}

/// `rows`' positions by the hash of their key.
pub fn index<T: Row>(rows: &[T]) -> HashMap<u64, u32> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| (hash_key(r.key()), i as u32))
        .collect()
}

impl Stale {
    pub fn new<T: Row>(saved_at: i64, cached: &[T]) -> Stale {
        Self::with_index(saved_at, None, cached)
    }

    /// As `new`, through `index` when it was built for these rows already (off the UI thread).
    pub fn with_index<T: Row>(
        saved_at: i64,
        index: Option<HashMap<u64, u32>>,
        cached: &[T],
    ) -> Stale {
        // One entry per row unless keys repeat; a size that fits no listing of these rows means
        // it was built for others: rebuilt rather than trusted.
        let index = index
            .filter(|i| i.len() <= cached.len() && (i.is_empty() == cached.is_empty()))
            .unwrap_or_else(|| self::index(cached));
        Stale {
            saved_at,
            index,
            seen: 0,
            differ: 0,
            confirmed: vec![false; cached.len()],
        }
    }

    /// Compare a page of fresh rows with the cached ones.
    pub fn note<T: Compare>(&mut self, cached: &[T], fresh: &[T]) {
        for r in fresh {
            match self.index.get(&hash_key(r.key())) {
                Some(&i) if cached.get(i as usize).is_some_and(|c| c.key() == r.key()) => {
                    self.seen += 1;
                    if cached[i as usize] != *r {
                        self.differ += 1;
                    } else if let Some(c) = self.confirmed.get_mut(i as usize) {
                        *c = true;
                    }
                }
                _ => self.differ += 1,
            }
        }
    }

    /// Whether the cached row at position `i` came back unchanged in a fresh page.
    pub fn confirmed(&self, i: u32) -> bool {
        self.confirmed.get(i as usize).copied().unwrap_or(false)
    }

    /// Cached rows the complete fresh listing did not contain.
    pub fn gone(&self) -> usize {
        self.index.len().saturating_sub(self.seen)
    }
}
