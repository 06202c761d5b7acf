//! Lifecycle rules for ECR Public: private ECR's lifecycle policy format, evaluated by ecrp
//! (ECR Public has no lifecycle policies of its own).
//!
//! Pure: parsing and validation ([`policy`]), tag matching ([`select`]), the evaluation with
//! multi-arch safety ([`evaluate`]) and its result ([`plan`]). The only thing from outside is the
//! topology of multi-arch indexes, which the caller reads through a [`ManifestSource`] (the
//! registry API: the ECR Public API cannot return manifests) and passes in as data.

pub mod evaluate;
pub mod plan;
pub mod policy;
pub mod select;

use std::future::Future;
use std::pin::Pin;

pub use evaluate::evaluate;
pub use plan::{Decision, Plan, Reason, Topology, Totals};
pub use policy::{Policy, PolicyError, parse};

/// A manifest exactly as the registry stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    pub bytes: Vec<u8>,
    pub media_type: String,
}

pub type ManifestFuture<'a> = Pin<Box<dyn Future<Output = Result<Manifest, String>> + Send + 'a>>;

/// Reads manifests by digest (the registry API's `GET /v2/<name>/manifests/<digest>`). The error
/// is a message for the person running ecrp (with the service's code when there is one).
pub trait ManifestSource: Send + Sync {
    fn manifest<'a>(&'a self, repository: &'a str, digest: &'a str) -> ManifestFuture<'a>;
}

/// The largest manifest ecrp reads: OCI asks registries to accept at least 4 MiB, and a server
/// must not make us hold more.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;
/// The most platform manifests one index may list before ecrp calls it malformed.
pub const MAX_INDEX_ENTRIES: usize = 10_000;

/// The digests an index (OCI image index or Docker manifest list) references.
pub fn index_children(bytes: &[u8]) -> Result<Vec<Box<str>>, String> {
    if bytes.len() > MAX_MANIFEST_BYTES {
        return Err(format!(
            "index manifest of {} bytes, over the {MAX_MANIFEST_BYTES}-byte limit",
            bytes.len()
        ));
    }
    #[derive(serde::Deserialize)]
    struct Entry {
        digest: String,
    }
    #[derive(serde::Deserialize)]
    struct Index {
        manifests: Vec<Entry>,
    }
    let index: Index = serde_json::from_slice(bytes)
        .map_err(|e| format!("not an index manifest (no manifests[].digest): {e}"))?;
    if index.manifests.len() > MAX_INDEX_ENTRIES {
        return Err(format!(
            "index lists {} manifests, over the limit of {MAX_INDEX_ENTRIES}",
            index.manifests.len()
        ));
    }
    index
        .manifests
        .into_iter()
        .map(|e| {
            if is_digest(&e.digest) {
                Ok(e.digest.into_boxed_str())
            } else {
                Err(format!(
                    "index entry with a malformed digest {:?}",
                    crate::sanitize::clean_line(&e.digest)
                ))
            }
        })
        .collect()
}

/// `sha256:` and 64 lowercase hex digits (the only algorithm ECR uses).
pub fn is_digest(s: &str) -> bool {
    s.strip_prefix("sha256:")
        .is_some_and(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_of_an_index() {
        let d1 = format!("sha256:{}", "a".repeat(64));
        let d2 = format!("sha256:{}", "b".repeat(64));
        let idx = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"digest":"{d1}","platform":{{}}}},{{"digest":"{d2}"}}]}}"#
        );
        let kids = index_children(idx.as_bytes()).unwrap();
        assert_eq!(kids, vec![d1.into_boxed_str(), d2.into_boxed_str()]);
        assert!(index_children(br#"{"schemaVersion":2,"layers":[]}"#).is_err());
        let bad = index_children(br#"{"manifests":[{"digest":"sha256:\u001b[31m"}]}"#).unwrap_err();
        assert!(!bad.contains('\u{1b}'), "{bad}");
        assert!(index_children(&vec![b' '; MAX_MANIFEST_BYTES + 1]).is_err());
    }
}
