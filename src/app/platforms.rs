//! Multi-arch structure in the images pane: which untagged images are the platform manifests of
//! an index. DescribeImages cannot say (an index's children are plain untagged images there);
//! the registry API can, so the index manifests of the open repository are read through it (in
//! an effect task, a few at a time), cached per digest for the client in use, and the rows they
//! list are marked as the index's children. The delete plan leaves those out while their index
//! stays, since the service refuses to delete them (ImageReferencedByManifestList).

use std::collections::{HashMap, HashSet};

use super::msg::Effect;
use super::state::{App, Pane};
use crate::aws::ImageRow;
use crate::fmt::short_digest;
use crate::sanitize::clean_line;

/// The most platform manifests kept per index: a hostile registry cannot make us hold more
/// (real indexes list a few platforms and their attestations).
pub const MAX_PLATFORMS: usize = 1_000;

/// One manifest an index lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Child {
    pub digest: Box<str>,
    /// Its platform ("linux/arm64/v8"), "attestation" for a build attestation, or empty when the
    /// index does not say (as the registry sent it: sanitised when drawn).
    pub platform: Box<str>,
}

/// What the registry API said about one index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexRead {
    Loading,
    /// The manifests it lists.
    Ready(Box<[Child]>),
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
    /// Platform manifest digest → what marks it in the images pane.
    parents: HashMap<Box<str>, Parent>,
    /// What `live` was computed from: the repository, its rows, its load, and whether the
    /// images pane is shown.
    seen: Option<Seen>,
}

/// The repository, its row count, its load generation and pages, and whether it is shown.
type Seen = (Box<str>, usize, u64, usize, bool);

/// The live index that lists a platform manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parent {
    /// The index's digest.
    pub index: Box<str>,
    /// Its tags ("v1.4.2, latest"), or its short digest when untagged; sanitised.
    pub label: Box<str>,
    /// The child's platform, sanitised (empty when the index does not say).
    pub platform: Box<str>,
    tagged: bool,
}

impl Parent {
    /// The index `index`, tagged `tags`, as the parent of its manifest for `platform` (as the
    /// index names it, not yet sanitised).
    pub fn new(index: &str, tags: &[Box<str>], platform: &str) -> Parent {
        let label: Box<str> = if tags.is_empty() {
            clean_line(&short_digest(index)).into()
        } else {
            tags.iter()
                .map(|t| clean_line(t))
                .collect::<Vec<_>>()
                .join(", ")
                .into()
        };
        Parent {
            index: index.into(),
            label,
            platform: clean_line(platform).into(),
            tagged: !tags.is_empty(),
        }
    }

    /// The TAGS cell of a platform manifest, short enough for a narrow column: "↳ arm64 of
    /// v1.4.2" (Linux goes without saying; the first tag names the index).
    pub fn mark(&self) -> String {
        let platform = match &*self.platform {
            "" => "platform",
            p => p.strip_prefix("linux/").unwrap_or(p),
        };
        let first = self.label.split(", ").next().unwrap_or_default();
        format!("↳ {platform} of {first}")
    }

    /// In full, for the details pane: "linux/arm64 of v1.4.2, latest".
    pub fn describe(&self) -> String {
        let platform = match &*self.platform {
            "" => "a platform",
            p => p,
        };
        format!("{platform} of {}", self.label)
    }
}

impl Platforms {
    /// The live index listing `digest`, when it is a platform manifest.
    pub fn parent_of(&self, digest: &str) -> Option<&Parent> {
        self.parents.get(digest)
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
    pub fn children(&self, digest: &str) -> Option<&[Child]> {
        match self.indexes.get(digest) {
            Some(IndexRead::Ready(c)) => Some(c),
            _ => None,
        }
    }

    /// An answer from the registry API.
    pub fn arrived(&mut self, digest: Box<str>, result: Result<Vec<Child>, String>) {
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
        let read = self.live.iter().filter_map(|(index, tags)| {
            let Some(IndexRead::Ready(children)) = self.indexes.get(index) else {
                return None;
            };
            Some((&**index, &**tags, &**children))
        });
        self.parents = parents(read);
    }
}

/// Platform manifest digest → the index that lists it, from indexes given with their tags and
/// what they list. The images pane and the lifecycle preview mark platform manifests with it.
pub fn parents<'a>(
    indexes: impl IntoIterator<Item = (&'a str, &'a [Box<str>], &'a [Child])>,
) -> HashMap<Box<str>, Parent> {
    let mut out: HashMap<Box<str>, Parent> = HashMap::new();
    for (index, tags, children) in indexes {
        let tagged = !tags.is_empty();
        for c in children {
            // Listed by several indexes: a tagged one names it best (then the lowest digest, so
            // the mark does not depend on the map's order).
            let better = |p: &Parent| (!tagged, index) < (!p.tagged, &*p.index);
            if out.get(&c.digest).is_none_or(better) {
                out.insert(c.digest.clone(), Parent::new(index, tags, &c.platform));
            }
        }
    }
    out
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
/// costs already, and only happens when rows arrived or went. The reads go with the listing:
/// when it is restarted, stopped or left, the reads in flight are cancelled (and asked again
/// when the pane shows the rows again).
pub fn sync(app: &mut App, fx: &mut Vec<Effect>) {
    let repo = app.remote.repo.as_ref().map(|r| r.repository_name.clone());
    let shown = app.pane == Pane::Images;
    let images = &app.remote.images;
    let seen = repo.clone().map(|repo| {
        (
            repo,
            images.rows.len(),
            images.load.generation,
            images.load.pages,
            shown,
        )
    });
    let p = &mut app.remote.platforms;
    if p.seen == seen {
        return;
    }
    let same_listing =
        matches!((&p.seen, &seen), (Some(a), Some(b)) if a.0 == b.0 && a.2 == b.2 && b.4);
    p.seen = seen;
    if !same_listing {
        // A new listing (a refresh, a return to the pane) asks again for what failed, and for
        // what was in flight, which is cancelled.
        let loading = p.indexes.values().any(|r| *r == IndexRead::Loading);
        p.indexes.retain(|_, r| matches!(r, IndexRead::Ready(_)));
        if loading {
            fx.push(Effect::CancelIndexReads);
        }
    }
    let Some(repo) = repo else {
        p.live.clear();
        p.parents.clear();
        return;
    };
    p.live = images
        .rows
        .iter()
        .filter(|r| r.is_multi_arch())
        .map(|r| (r.image_digest.clone(), r.image_tags.clone()))
        .collect();
    p.link();
    if !shown || app.remote.connection.is_none() {
        return;
    }
    let wanted: Vec<Box<str>> = p
        .live
        .keys()
        .filter(|d| !p.indexes.contains_key(*d))
        .cloned()
        .collect();
    if wanted.is_empty() {
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

/// Platform manifests a delete plan leaves out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LeftOut {
    /// Listed by an index that stays: the service refuses them.
    pub of_staying: usize,
    /// Listed by an index deleted in the same plan. The service refuses them until the index is
    /// gone, and the plan's chunks run side by side, so they are not sent with it: once it is
    /// gone they are plain untagged images, for the next delete.
    pub of_going: usize,
}

/// Images marked for deletion, split: what the plan sends, and which platform manifests it
/// leaves out.
pub fn plan_rows<'a>(app: &'a App, rows: Vec<&'a ImageRow>) -> (Vec<&'a ImageRow>, LeftOut) {
    let p = &app.remote.platforms;
    let going: HashSet<&str> = rows.iter().map(|r| &*r.image_digest).collect();
    let mut of_staying: HashSet<&str> = HashSet::new();
    let mut of_going: HashSet<&str> = HashSet::new();
    for i in p.live.keys() {
        if let Some(children) = p.children(i) {
            let set = if going.contains(&**i) {
                &mut of_going
            } else {
                &mut of_staying
            };
            set.extend(children.iter().map(|c| &*c.digest));
        }
    }
    let mut left = LeftOut::default();
    let mut send: Vec<&ImageRow> = Vec::with_capacity(rows.len());
    for r in rows {
        if of_staying.contains(&*r.image_digest) {
            left.of_staying += 1;
        } else if of_going.contains(&*r.image_digest) {
            left.of_going += 1;
        } else {
            send.push(r);
        }
    }
    (send, left)
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

    fn child(d: &str, platform: &str) -> Child {
        Child {
            digest: d.into(),
            platform: platform.into(),
        }
    }

    #[test]
    fn a_tagged_index_names_its_platforms_and_caps_what_it_holds() {
        let mut p = Platforms::default();
        p.live.insert(
            "sha256:ix".into(),
            vec!["v1".into(), "latest".into()].into(),
        );
        p.live.insert("sha256:ux".into(), Vec::new().into());
        p.arrived(
            "sha256:ux".into(),
            Ok(vec![child("sha256:a", "linux/amd64")]),
        );
        assert_eq!(
            p.parent_of("sha256:a").unwrap().mark(),
            "↳ amd64 of sha256:ux"
        );
        p.arrived(
            "sha256:ix".into(),
            Ok(vec![
                child("sha256:a", "linux/amd64"),
                child("sha256:b", "linux/arm64/v8\x1b[31m"),
                child("sha256:c", ""),
            ]),
        );
        let a = p.parent_of("sha256:a").unwrap();
        assert_eq!(a.mark(), "↳ amd64 of v1", "the tagged index names it");
        assert_eq!(a.describe(), "linux/amd64 of v1, latest");
        let b = p.parent_of("sha256:b").unwrap().mark();
        assert!(b.starts_with("↳ arm64/v8") && !b.contains('\x1b'), "{b:?}");
        assert_eq!(p.parent_of("sha256:c").unwrap().mark(), "↳ platform of v1");
        assert_eq!(
            p.parent_of("sha256:c").unwrap().describe(),
            "a platform of v1, latest"
        );
        assert!(p.parent_of("sha256:ix").is_none());
        let many: Vec<Child> = (0..MAX_PLATFORMS + 5)
            .map(|i| child(&format!("sha256:{i}"), ""))
            .collect();
        p.arrived("sha256:ix".into(), Ok(many));
        assert_eq!(p.children("sha256:ix").unwrap().len(), MAX_PLATFORMS);
        assert_eq!(p.unknown(), (0, None));
        p.live.insert("sha256:bad".into(), Vec::new().into());
        p.arrived("sha256:bad".into(), Err("toomanyrequests".into()));
        assert_eq!(p.unknown(), (1, Some("toomanyrequests")));
    }
}
