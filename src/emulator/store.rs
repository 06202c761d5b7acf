//! `--data-dir DIR`: the emulator's metadata in an embedded database (`DIR/meta.redb`), one row
//! per registry, repository, image, image tag, layer and logo, and blobs as content-addressed
//! files (`DIR/blobs/`, the blob store). A save writes only the rows a mutation marked (see
//! `state::Touched`) in one transaction that is on disk when `commit` returns, so an operation
//! costs in proportion to what it changed and a `kill -9` after the answer loses nothing.
//!
//! redb rather than SQLite: it is pure Rust with no dependency but libc (SQLite's bundled C
//! source is the longest single compile a 2-core CI would add), copy-on-write B-trees whose
//! commit is atomic and crash-safe without a separate journal, and all we need is a sorted map.
//!
//! Rows are JSON (serde_json is already here); a row's key is `repository NUL name`, so one
//! repository's rows are a key range (repository names cannot hold NUL).

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use super::state::{Catalog, Image, Layer, Logo, Registry, Repository, State, SyntheticManifest};

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const REPOS: TableDefinition<&str, &[u8]> = TableDefinition::new("repositories");
const IMAGES: TableDefinition<&str, &[u8]> = TableDefinition::new("images");
const TAGS: TableDefinition<&str, &[u8]> = TableDefinition::new("image_tags");
const LAYERS: TableDefinition<&str, &[u8]> = TableDefinition::new("layers");
const LOGOS: TableDefinition<&str, &[u8]> = TableDefinition::new("logos");

/// Bumped when rows change shape; a directory of another version is refused, not misread.
const FORMAT: &[u8] = b"1";

pub struct Store {
    db: Database,
    dir: PathBuf,
}

/// A repository without its images, tags and layers (those are rows of their own).
#[derive(Serialize, Deserialize)]
struct RepoRow {
    created_ms: i64,
    catalog: Catalog,
    policy: Option<String>,
    tags: Vec<(String, String)>,
    synthetic: Option<SyntheticManifest>,
}

fn key(repo: &str, name: &str) -> String {
    format!("{repo}\0{name}")
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).context("encoding a row")
}

impl Store {
    /// Opens (creating) the database under `dir` and loads the state it holds, if any.
    pub fn open(dir: &Path) -> Result<(Store, Option<State>)> {
        crate::private_fs::ensure_own_dir(dir)
            .with_context(|| format!("creating data directory {}", dir.display()))?;
        let path = dir.join("meta.redb");
        if fs::symlink_metadata(&path).is_ok_and(|m| m.file_type().is_symlink()) {
            // Never write the state through a link someone planted.
            bail!("{} is a symbolic link; refusing to use it", path.display());
        }
        let existed = path.exists();
        let db = Database::create(&path).with_context(|| format!("opening {}", path.display()))?;
        if !existed {
            // redb creates the file with the process umask; the rows include unpublished catalogs.
            fs::set_permissions(
                &path,
                fs::Permissions::from_mode(crate::private_fs::FILE_MODE),
            )?;
        }
        let store = Store {
            db,
            dir: dir.to_path_buf(),
        };
        let state = store.load()?;
        Ok((store, state))
    }

    pub fn blob_dir(&self) -> PathBuf {
        self.dir.join("blobs")
    }

    fn load(&self) -> Result<Option<State>> {
        let tx = self.db.begin_read()?;
        let Ok(meta) = tx.open_table(META) else {
            return Ok(None); // a new database: no table yet
        };
        let format = meta.get("format")?.map(|v| v.value().to_vec());
        match format.as_deref() {
            None => return Ok(None),
            Some(FORMAT) => {}
            Some(other) => bail!(
                "{} holds data format {:?}; this ecrp reads format {:?}",
                self.dir.display(),
                String::from_utf8_lossy(other),
                String::from_utf8_lossy(FORMAT)
            ),
        }
        let registry: Registry = match meta.get("registry")? {
            Some(v) => serde_json::from_slice(v.value()).context("reading the registry row")?,
            None => bail!("{}: the registry row is missing", self.dir.display()),
        };
        let mut state = State::new(registry);
        for row in tx.open_table(LOGOS)?.iter()? {
            let (k, v) = row?;
            let logo: Logo = serde_json::from_slice(v.value()).context("reading a logo row")?;
            state.logos.insert(k.value().to_string(), logo);
        }
        let mut repos = BTreeMap::new();
        for row in tx.open_table(REPOS)?.iter()? {
            let (k, v) = row?;
            let r: RepoRow = serde_json::from_slice(v.value())
                .with_context(|| format!("reading repository row {}", k.value()))?;
            let mut repo = Repository::new(k.value().to_string(), r.created_ms);
            repo.catalog = r.catalog;
            repo.policy = r.policy;
            repo.tags = r.tags;
            repo.synthetic = r.synthetic;
            repos.insert(k.value().to_string(), repo);
        }
        let split = |k: &str| -> Result<(String, String)> {
            let (r, n) = k
                .split_once('\0')
                .context("a row key without a repository")?;
            Ok((r.to_string(), n.to_string()))
        };
        for row in tx.open_table(IMAGES)?.iter()? {
            let (k, v) = row?;
            let (r, _) = split(k.value())?;
            let image: Image = serde_json::from_slice(v.value()).context("reading an image row")?;
            if let Some(repo) = repos.get_mut(&r) {
                repo.images.insert(image.digest.clone(), image);
            }
        }
        for row in tx.open_table(TAGS)?.iter()? {
            let (k, v) = row?;
            let (r, tag) = split(k.value())?;
            if let Some(repo) = repos.get_mut(&r) {
                let t = serde_json::from_slice(v.value()).context("reading a tag row")?;
                repo.image_tags.insert(tag, t);
            }
        }
        for row in tx.open_table(LAYERS)?.iter()? {
            let (k, v) = row?;
            let (r, digest) = split(k.value())?;
            if let Some(repo) = repos.get_mut(&r) {
                let l: Layer = serde_json::from_slice(v.value()).context("reading a layer row")?;
                repo.layers.insert(digest, l);
            }
        }
        state.repos = repos;
        state.reindex();
        Ok(Some(state))
    }

    /// Replaces everything with `state` (the first start: the seed and synthetic repositories).
    pub fn save_all(&self, state: &mut State) -> Result<()> {
        state.take_changes();
        let tx = self.db.begin_write()?;
        for table in [META, REPOS, IMAGES, TAGS, LAYERS, LOGOS] {
            tx.delete_table(table)?;
        }
        {
            let mut meta = tx.open_table(META)?;
            meta.insert("format", FORMAT)?;
            meta.insert("registry", json(&state.registry)?.as_slice())?;
            let mut logos = tx.open_table(LOGOS)?;
            for (hash, logo) in &state.logos {
                logos.insert(hash.as_str(), json(logo)?.as_slice())?;
            }
            let mut tables = Tables::open(&tx)?;
            for repo in state.repos.values() {
                tables.write_repo(repo)?;
                for d in repo.images.keys() {
                    tables.write_image(repo, d)?;
                }
                for t in repo.image_tags.keys() {
                    tables.write_tag(repo, t)?;
                }
                for d in repo.layers.keys() {
                    tables.write_layer(repo, d)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Writes what mutations marked since the last save, in one durable transaction.
    pub fn save_changes(&self, state: &mut State) -> Result<()> {
        let changes = state.take_changes();
        if changes.is_empty() {
            return Ok(());
        }
        let tx = self.db.begin_write()?;
        {
            if changes.registry {
                let mut meta = tx.open_table(META)?;
                meta.insert("registry", json(&state.registry)?.as_slice())?;
            }
            if !changes.logos.is_empty() {
                let mut logos = tx.open_table(LOGOS)?;
                for hash in &changes.logos {
                    match state.logos.get(hash) {
                        Some(logo) => logos.insert(hash.as_str(), json(logo)?.as_slice())?,
                        None => logos.remove(hash.as_str())?,
                    };
                }
            }
            let mut tables = Tables::open(&tx)?;
            for (name, changed) in &changes.repos {
                let Some(repo) = state.repos.get(name) else {
                    tables.delete_repo(name)?;
                    continue;
                };
                tables.write_repo(repo)?;
                for d in &changed.images {
                    tables.write_image(repo, d)?;
                }
                for t in &changed.tags {
                    tables.write_tag(repo, t)?;
                }
                for d in &changed.layers {
                    tables.write_layer(repo, d)?;
                }
            }
        }
        tx.commit()?;
        Ok(())
    }
}

/// The per-repository tables of one write transaction.
struct Tables<'t> {
    repos: redb::Table<'t, &'static str, &'static [u8]>,
    images: redb::Table<'t, &'static str, &'static [u8]>,
    tags: redb::Table<'t, &'static str, &'static [u8]>,
    layers: redb::Table<'t, &'static str, &'static [u8]>,
}

impl<'t> Tables<'t> {
    fn open(tx: &'t redb::WriteTransaction) -> Result<Self> {
        Ok(Tables {
            repos: tx.open_table(REPOS)?,
            images: tx.open_table(IMAGES)?,
            tags: tx.open_table(TAGS)?,
            layers: tx.open_table(LAYERS)?,
        })
    }

    fn write_repo(&mut self, repo: &Repository) -> Result<()> {
        let row = RepoRow {
            created_ms: repo.created_ms,
            catalog: repo.catalog.clone(),
            policy: repo.policy.clone(),
            tags: repo.tags.clone(),
            synthetic: repo.synthetic.clone(),
        };
        self.repos
            .insert(repo.name.as_str(), json(&row)?.as_slice())?;
        Ok(())
    }

    /// Writes the image row if the image exists, else deletes it (and likewise below).
    fn write_image(&mut self, repo: &Repository, digest: &str) -> Result<()> {
        let k = key(&repo.name, digest);
        match repo.images.get(digest) {
            Some(image) => self.images.insert(k.as_str(), json(image)?.as_slice())?,
            None => self.images.remove(k.as_str())?,
        };
        Ok(())
    }

    fn write_tag(&mut self, repo: &Repository, tag: &str) -> Result<()> {
        let k = key(&repo.name, tag);
        match repo.image_tags.get(tag) {
            Some(t) => self.tags.insert(k.as_str(), json(t)?.as_slice())?,
            None => self.tags.remove(k.as_str())?,
        };
        Ok(())
    }

    fn write_layer(&mut self, repo: &Repository, digest: &str) -> Result<()> {
        let k = key(&repo.name, digest);
        match repo.layers.get(digest) {
            Some(l) => self.layers.insert(k.as_str(), json(l)?.as_slice())?,
            None => self.layers.remove(k.as_str())?,
        };
        Ok(())
    }

    /// Deletes a repository's row and every row under it (its key range).
    fn delete_repo(&mut self, name: &str) -> Result<()> {
        self.repos.remove(name)?;
        let (lo, hi) = (format!("{name}\0"), format!("{name}\u{1}"));
        for table in [&mut self.images, &mut self.tags, &mut self.layers] {
            table.retain_in(lo.as_str()..hi.as_str(), |_, _| false)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde_json::{Value, json};

    use super::*;
    use crate::emulator::testutil::{T0, call, manifest, repo_with_images, upload};
    use crate::emulator::{Seed, ops, seed, synthetic};

    fn saved(store: &Store) -> Value {
        serde_json::to_value(store.load().unwrap().expect("a saved state")).unwrap()
    }

    /// The path of the first difference between two JSON trees (the whole states are too large
    /// to print usefully).
    fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                x.keys()
                    .chain(y.keys())
                    .find_map(|k| match (x.get(k), y.get(k)) {
                        (Some(p), Some(q)) => first_difference(p, q, &format!("{path}/{k}")),
                        (p, q) => Some(format!("{path}/{k}: {p:?} vs {q:?}")),
                    })
            }
            _ if a != b => Some(format!("{path}: {a} vs {b}")),
            _ => None,
        }
    }

    fn assert_saved(store: &Store, state: &State, after: &str) {
        let memory = serde_json::to_value(state).unwrap();
        if let Some(d) = first_difference(&saved(store), &memory, "") {
            panic!("after {after}, the database differs from memory at {d}");
        }
    }

    /// Every mutating operation, each followed by a save of what it marked: reading the database
    /// back must give exactly the state in memory. An operation that changed something without
    /// marking it would show here as a difference.
    #[test]
    fn every_mutation_saved_by_its_marks_reads_back_equal() {
        let dir = tempfile::tempdir().unwrap();
        let (store, none) = Store::open(dir.path()).unwrap();
        assert!(none.is_none(), "a new directory holds no state");
        let mut state = seed::build(Seed::Demo, T0).unwrap();
        synthetic::add(&mut state, "big", 50, T0).unwrap();
        store.save_all(&mut state).unwrap();
        assert_saved(&store, &state, "the first save");

        let called = std::cell::RefCell::new(BTreeSet::new());
        let step = |state: &mut State, op: &'static str, body: Value, must_succeed: bool| {
            let out = call(state, op, body);
            assert!(!must_succeed || out.is_ok(), "{op}: {out:?}");
            called.borrow_mut().insert(op);
            store.save_changes(state).unwrap();
            assert_saved(&store, state, op);
        };
        let logos = state.logos.len();
        let png = STANDARD.encode(b"\x89PNG\r\n\x1a\nlogo");
        step(
            &mut state,
            "CreateRepository",
            json!({ "repositoryName": "s/one", "tags": [{ "Key": "k", "Value": "v" }],
                    "catalogData": { "description": "d", "logoImageBlob": png } }),
            true,
        );
        assert_eq!(state.logos.len(), logos + 1);
        let d = repo_with_images(&mut state, "s/one", &[Some("a"), Some("b"), None]);
        called
            .borrow_mut()
            .extend(["CompleteLayerUpload", "PutImage"]);
        store.save_changes(&mut state).unwrap();
        assert_saved(&store, &state, "pushing images");
        // A second tag on image 0, and tag `b` moved from image 1 to image 2.
        let m0 = state.repos["s/one"].images[&d[0]].manifest.clone().unwrap();
        let m2 = state.repos["s/one"].images[&d[2]].manifest.clone().unwrap();
        for (m, tag) in [(&m0, "c"), (&m2, "b")] {
            step(
                &mut state,
                "PutImage",
                json!({ "repositoryName": "s/one", "imageManifest": m.to_string(), "imageTag": tag }),
                true,
            );
        }
        let index = json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{ "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                            "size": m2.len(), "digest": d[2],
                            "platform": { "os": "linux", "architecture": "arm64" } }],
        });
        step(
            &mut state,
            "PutImage",
            json!({ "repositoryName": "s/one", "imageManifest": index.to_string(), "imageTag": "multi" }),
            true,
        );
        // By tag while another remains (only the tag goes), then a whole image by digest.
        for id in [json!({ "imageTag": "c" }), json!({ "imageDigest": d[1] })] {
            step(
                &mut state,
                "BatchDeleteImage",
                json!({ "repositoryName": "s/one", "imageIds": [id] }),
                true,
            );
        }
        let arn = state.registry.repo_arn("s/one");
        step(
            &mut state,
            "TagResource",
            json!({ "resourceArn": arn, "tags": [{ "Key": "t2", "Value": "x" }] }),
            true,
        );
        step(
            &mut state,
            "UntagResource",
            json!({ "resourceArn": arn, "tagKeys": ["k"] }),
            true,
        );
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr-public:*"}]}"#;
        step(
            &mut state,
            "SetRepositoryPolicy",
            json!({ "repositoryName": "s/one", "policyText": policy }),
            true,
        );
        step(
            &mut state,
            "DeleteRepositoryPolicy",
            json!({ "repositoryName": "s/one" }),
            true,
        );
        step(
            &mut state,
            "PutRegistryCatalogData",
            json!({ "displayName": "Renamed" }),
            true,
        );
        step(
            &mut state,
            "PutRepositoryCatalogData",
            json!({ "repositoryName": "s/one", "catalogData": { "aboutText": "about", "logoImageBlob": "" } }),
            true,
        );
        let big: Vec<String> = state.repos["big"].images.keys().take(3).cloned().collect();
        step(
            &mut state,
            "BatchDeleteImage",
            json!({ "repositoryName": "big", "imageIds": big.iter().map(|d| json!({ "imageDigest": d })).collect::<Vec<_>>() }),
            true,
        );
        // A failed operation leaves memory and the database equal too.
        step(
            &mut state,
            "PutImage",
            json!({ "repositoryName": "s/one", "imageManifest": manifest("sha256:00", &["sha256:11"]) }),
            false,
        );
        let layer = upload(&mut state, "big", b"another layer");
        store.save_changes(&mut state).unwrap();
        assert!(saved(&store)["repos"]["big"]["layers"][&layer].is_object());
        step(
            &mut state,
            "DeleteRepository",
            json!({ "repositoryName": "s/one", "force": true }),
            true,
        );
        assert!(state.logos.len() == logos && !state.repos.contains_key("s/one"));

        let mutating: BTreeSet<&str> = ops::OPERATIONS
            .iter()
            .filter(|o| o.mutates)
            .map(|o| o.name)
            .collect();
        let missed: Vec<_> = mutating.difference(&called.borrow()).copied().collect();
        assert!(missed.is_empty(), "mutations not exercised: {missed:?}");
    }

    #[test]
    fn a_directory_of_another_format_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = Store::open(dir.path()).unwrap();
        let mut state = seed::build(Seed::Empty, T0).unwrap();
        store.save_all(&mut state).unwrap();
        let tx = store.db.begin_write().unwrap();
        tx.open_table(META)
            .unwrap()
            .insert("format", b"99".as_slice())
            .unwrap();
        tx.commit().unwrap();
        let err = store.load().unwrap_err().to_string();
        assert!(err.contains("format \"99\""), "{err}");
    }
}
