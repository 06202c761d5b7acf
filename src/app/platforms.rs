//! Multi-arch structure in the images pane: which untagged images are the platform manifests of
//! an index. DescribeImages cannot say (an index's children are plain untagged images there);
//! the registry API can, so the index manifests of the open repository are read through it (in
//! an effect task, a few at a time), cached per digest for the client in use, and the rows they
//! list are marked as the index's children. The delete plan leaves those out while their index
//! stays, since the service refuses to delete them (ImageReferencedByManifestList).

use std::collections::{HashMap, HashSet};

use super::msg::Effect;
use super::state::App;
use crate::aws::ImageRow;
use crate::fmt::short_digest;
use crate::sanitize::clean_line;

/// The most platform manifests kept per index: a hostile registry cannot make us hold more
/// (real indexes list a few platforms and their attestations).
pub const MAX_PLATFORMS: usize = 1_000;

/// What the registry API said about one index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexRead {
    Loading,
    /// The digests of the manifests it lists.
    Ready(Box<[Box<str>]>),
    /// Why it could not be read (already one line, not yet sanitised).
    Failed(String),
}

/// The indexes of the open repository and their platform manifests, for the client in use
/// (`Remote` is replaced with the client, so nothing of another account lingers).
#[derive(Debug, Default)]
pub struct Platforms {
    /// Index digest → what its manifest lists. Content-addressed: the same digest lists the
    /// same manifests in any repository, so the cache outlives opening another one.
    indexes: HashMap<Box<str>, IndexRead>,
    /// The index digests among the open repository's loaded rows, and their tags.
    live: HashMap<Box<str>, Box<[Box<str>]>>,
    /// Platform manifest digest → the label of the live index that lists it ("2.8.0, latest"),
    /// and whether that index is tagged.
    parents: HashMap<Box<str>, (Box<str>, bool)>,
    /// What `live` was computed from: the repository, its rows and its load.
    seen: Option<(Box<str>, usize, u64, usize)>,
}

impl Platforms {
    /// The label of the live index listing `digest`, when it is a platform manifest.
    pub fn parent_of(&self, digest: &str) -> Option<&str> {
        self.parents.get(digest).map(|(label, _)| &**label)
    }

    /// Live indexes whose manifest is not known (still loading, or failed): their platform
    /// manifests cannot be told from other untagged images.
    pub fn unknown(&self) -> (usize, Option<&str>) {
        let mut n = 0;
        let mut why = None;
        for d in self.live.keys() {
            match self.indexes.get(d) {
                Some(IndexRead::Ready(_)) => {}
                Some(IndexRead::Failed(e)) => {
                    n += 1;
                    why.get_or_insert(e.as_str());
                }
                _ => n += 1,
            }
        }
        (n, why)
    }

    /// The children of the index `digest`, when read.
    pub fn children(&self, digest: &str) -> Option<&[Box<str>]> {
        match self.indexes.get(digest) {
            Some(IndexRead::Ready(c)) => Some(c),
            _ => None,
        }
    }

    /// An answer from the registry API.
    pub fn arrived(&mut self, digest: Box<str>, result: Result<Vec<Box<str>>, String>) {
        let read = match result {
            Ok(mut c) => {
                c.truncate(MAX_PLATFORMS);
                IndexRead::Ready(c.into())
            }
            Err(e) => IndexRead::Failed(e),
        };
        self.indexes.insert(digest, read);
        self.link();
    }

    /// Recompute which platform manifests belong to a live index.
    fn link(&mut self) {
        self.parents.clear();
        for (index, tags) in &self.live {
            let Some(IndexRead::Ready(children)) = self.indexes.get(index) else {
                continue;
            };
            let label: Box<str> = if tags.is_empty() {
                short_digest(index).into()
            } else {
                tags.iter()
                    .map(|t| clean_line(t))
                    .collect::<Vec<_>>()
                    .join(", ")
                    .into()
            };
            let tagged = !tags.is_empty();
            for c in children.iter() {
                // Listed by several indexes: a tagged one names it best.
                if self.parents.get(c).is_none_or(|(_, t)| !t && tagged) {
                    self.parents.insert(c.clone(), (label.clone(), tagged));
                }
            }
        }
    }
}

/// Where the registry API is: the config file's `registry_url`, else, on the built-in emulator
/// (`--demo`, tests), the emulator itself, which serves both APIs; else public.ecr.aws.
fn registry_url(app: &App) -> Option<String> {
    app.opts.config.registry_url.clone().or_else(|| {
        app.opts
            .demo
            .then(|| app.opts.client.endpoint_url.clone())
            .flatten()
    })
}

/// After every message: when the open repository's rows changed, find its indexes and ask for
/// the manifests not read yet. Scanning the rows costs what merging a page into the sorted order
/// costs already, and only happens when rows arrived or went.
pub fn sync(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(repo) = app.remote.repo.as_ref().map(|r| r.repository_name.clone()) else {
        return;
    };
    let images = &app.remote.images;
    let seen = (
        repo.clone(),
        images.rows.len(),
        images.load.generation,
        images.load.pages,
    );
    let p = &mut app.remote.platforms;
    if p.seen.as_ref() == Some(&seen) {
        return;
    }
    p.seen = Some(seen);
    p.live = images
        .rows
        .iter()
        .filter(|r| r.is_multi_arch())
        .map(|r| (r.image_digest.clone(), r.image_tags.clone()))
        .collect();
    let wanted: Vec<Box<str>> = p
        .live
        .keys()
        .filter(|d| !p.indexes.contains_key(*d))
        .cloned()
        .collect();
    p.link();
    if wanted.is_empty() || app.remote.connection.is_none() {
        return;
    }
    for d in &wanted {
        p.indexes.insert(d.clone(), IndexRead::Loading);
    }
    fx.push(Effect::ReadIndexes {
        client: app.remote.client,
        registry_id: app.registry().map(|r| r.registry_id.as_str().into()),
        registry_url: registry_url(app),
        repo,
        digests: wanted,
    });
}

/// Images marked for deletion, split: what the plan sends, and how many platform manifests of
/// indexes that stay it leaves out. The platform manifests of an index deleted in the same plan
/// go too, right after their index (the service refuses them only while the index exists).
pub fn plan_rows<'a>(app: &'a App, rows: Vec<&'a ImageRow>) -> (Vec<&'a ImageRow>, usize) {
    let p = &app.remote.platforms;
    let going: HashSet<&str> = rows.iter().map(|r| &*r.image_digest).collect();
    // Listed by a live index that stays: the service refuses these.
    let mut held: HashSet<&str> = HashSet::new();
    // Listed by an index in the plan: deletable once it is gone.
    let mut goes_with: HashSet<&str> = HashSet::new();
    for i in p.live.keys() {
        if let Some(children) = p.children(i) {
            let set = if going.contains(&**i) {
                &mut goes_with
            } else {
                &mut held
            };
            set.extend(children.iter().map(|c| &**c));
        }
    }
    let mut kept = 0;
    let mut send: Vec<&ImageRow> = Vec::with_capacity(rows.len());
    let mut after: Vec<&ImageRow> = Vec::new();
    for r in rows {
        if held.contains(&*r.image_digest) {
            kept += 1;
        } else if goes_with.contains(&*r.image_digest) {
            after.push(r);
        } else {
            send.push(r);
        }
    }
    send.extend(after);
    (send, kept)
}

/// The caveat for a plan with untagged images while some indexes' manifests are unknown.
pub fn caveat(app: &App, rows: &[&ImageRow]) -> Option<String> {
    if !rows.iter().any(|r| r.image_tags.is_empty()) {
        return None;
    }
    let (n, why) = app.remote.platforms.unknown();
    (n > 0).then(|| super::strings::platforms_unknown(n, why.map(|w| clean_line(w).into_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tagged_index_names_its_platforms_and_caps_what_it_holds() {
        let mut p = Platforms::default();
        p.live.insert(
            "sha256:ix".into(),
            vec!["v1".into(), "latest".into()].into(),
        );
        p.live
            .insert("sha256:untagged-index".into(), Vec::new().into());
        p.arrived("sha256:untagged-index".into(), Ok(vec!["sha256:a".into()]));
        assert_eq!(p.parent_of("sha256:a"), Some("sha256:untagged-index"));
        p.arrived(
            "sha256:ix".into(),
            Ok(vec!["sha256:a".into(), "sha256:b".into()]),
        );
        assert_eq!(
            p.parent_of("sha256:a"),
            Some("v1, latest"),
            "the tagged one"
        );
        assert_eq!(p.parent_of("sha256:b"), Some("v1, latest"));
        assert_eq!(p.parent_of("sha256:ix"), None);
        let many: Vec<Box<str>> = (0..MAX_PLATFORMS + 5)
            .map(|i| format!("sha256:{i}").into())
            .collect();
        p.arrived("sha256:ix".into(), Ok(many));
        assert_eq!(p.children("sha256:ix").unwrap().len(), MAX_PLATFORMS);
        p.live.insert("sha256:bad".into(), Vec::new().into());
        p.arrived("sha256:bad".into(), Err("toomanyrequests".into()));
        assert_eq!(p.unknown(), (1, Some("toomanyrequests")));
    }
}
