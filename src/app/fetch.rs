//! Single reads (a repository's catalog or policy, a resource's tags): a cache that owns "mark it
//! loading and ask for it", so the two never drift apart, and that stamps every request with the
//! generation of the client that asks, so an answer from a client replaced since is recognised.

use std::collections::HashMap;

use super::msg::{Effect, Read};
use crate::aws::AwsError;

/// A single fetched value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch<T> {
    Loading,
    Ready(T),
    Failed(AwsError),
}

impl<T> Fetch<T> {
    pub fn from_result(r: Result<T, AwsError>) -> Self {
        match r {
            Ok(v) => Fetch::Ready(v),
            Err(e) => Fetch::Failed(e),
        }
    }
}

/// Values of one kind, by key (repository name or ARN).
pub struct Cache<V> {
    entries: HashMap<Box<str>, Fetch<V>>,
    /// The read that fetches the value of a key.
    read: fn(Box<str>) -> Read,
}

impl<V> Cache<V> {
    pub fn new(read: fn(Box<str>) -> Read) -> Self {
        Cache {
            entries: HashMap::new(),
            read,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Fetch<V>> {
        self.entries.get(key)
    }

    /// Mark `key` loading and ask for it (again), on behalf of client `client`.
    pub fn request(&mut self, key: &str, client: u64, fx: &mut Vec<Effect>) {
        self.entries.insert(key.into(), Fetch::Loading);
        fx.push(Effect::Fetch {
            client,
            read: (self.read)(key.into()),
        });
    }

    /// Ask unless the value is known or on its way; a failure is asked again.
    pub fn want(&mut self, key: &str, client: u64, fx: &mut Vec<Effect>) {
        if matches!(self.get(key), None | Some(Fetch::Failed(_))) {
            self.request(key, client, fx);
        }
    }

    /// Ask once: a failure stays (a lazily fetched description shows as "?" rather than being
    /// asked for on every frame).
    pub fn want_once(&mut self, key: &str, client: u64, fx: &mut Vec<Effect>) {
        if !self.entries.contains_key(key) {
            self.request(key, client, fx);
        }
    }

    pub fn arrived(&mut self, key: Box<str>, value: Fetch<V>) {
        self.entries.insert(key, value);
    }

    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
