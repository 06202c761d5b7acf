//! The emulator's data: one registry, its repositories, their images, tags and layers. Derived
//! indexes (image order, manifest-list references) are rebuilt on load, not persisted.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::error::{ApiError, ApiResult};

pub const PUBLIC_HOST: &str = "public.ecr.aws";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct State {
    pub registry: Registry,
    pub repos: BTreeMap<String, Repository>,
    /// Logo images by the hex sha256 of their bytes (served at `/logo/<hash>`).
    pub logos: BTreeMap<String, Logo>,
    /// In-progress layer uploads live only in memory (a restart abandons them, as a client retries).
    #[serde(skip)]
    pub uploads: HashMap<String, super::layer::Upload>,
    /// Layer and config bytes, by digest, for both planes.
    #[serde(skip)]
    pub blobs: super::blobstore::BlobStore,
    /// Signs registry passwords and tokens; a restart makes earlier ones invalid.
    #[serde(skip)]
    pub auth: super::distribution::auth::Keys,
    /// What mutations touched since the last save: `--data-dir` writes only those rows.
    #[serde(skip)]
    pub touched: Touched,
}

/// State-level marks of change. Every mutation of a repository goes through
/// [`State::repo_mut`] (or creates/removes one), which marks its name; the repository itself
/// marks which images, tags and layers changed ([`Repository::changed`]).
#[derive(Debug, Clone, Default)]
pub struct Touched {
    pub registry: bool,
    pub repos: BTreeSet<String>,
    pub logos: BTreeSet<String>,
}

/// Keys of one repository's rows changed since the last save (present now: write; gone: delete).
#[derive(Debug, Clone, Default)]
pub struct Changed {
    pub images: BTreeSet<String>,
    pub tags: BTreeSet<String>,
    pub layers: BTreeSet<String>,
}

/// What one save must write, taken out of the state by [`State::take_changes`].
#[derive(Debug, Default)]
pub struct Changes {
    pub registry: bool,
    pub logos: Vec<String>,
    /// Repositories touched, with their changed rows (empty for a repository that is gone).
    pub repos: Vec<(String, Changed)>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.registry && self.logos.is_empty() && self.repos.is_empty()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Registry {
    pub id: String,
    pub verified: bool,
    pub aliases: Vec<Alias>,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Alias {
    pub name: String,
    pub status: String,
    pub primary: bool,
    pub default: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Logo {
    pub content_type: String,
    #[serde(with = "b64")]
    pub bytes: Vec<u8>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Catalog {
    pub description: Option<String>,
    pub architectures: Option<Vec<String>>,
    pub operating_systems: Option<Vec<String>>,
    /// Hash of the logo in `State::logos`.
    pub logo: Option<String>,
    pub about_text: Option<String>,
    pub usage_text: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Repository {
    pub name: String,
    pub created_ms: i64,
    pub catalog: Catalog,
    pub policy: Option<String>,
    /// Resource tags in the order they were first set.
    pub tags: Vec<(String, String)>,
    pub images: HashMap<String, Image>,
    /// Image tag -> the digest it names and when it was placed there.
    pub image_tags: BTreeMap<String, TagRef>,
    pub layers: HashMap<String, Layer>,
    /// Images newest first: (-pushed_ms, digest). Pagination walks this by key.
    #[serde(skip)]
    pub order: BTreeSet<(i64, String)>,
    /// Child digest -> the manifest lists that reference it.
    #[serde(skip)]
    pub parents: HashMap<String, BTreeSet<String>>,
    /// How `--synthetic` images' manifests are regenerated instead of being stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<SyntheticManifest>,
    /// Rows changed since the last save (see [`Touched`]).
    #[serde(skip)]
    pub changed: Changed,
}

/// A synthetic image's manifest is `prefix`, its build name (`build-000042`), then `suffix`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyntheticManifest {
    pub prefix: String,
    pub suffix: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Image {
    pub digest: String,
    pub tags: Vec<String>,
    pub size: i64,
    pub pushed_ms: i64,
    pub media_type: String,
    pub artifact_media_type: Option<String>,
    /// Digests a manifest list / index references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<String>,
    /// The exact manifest bytes (the digest is their sha256), served by the registry API.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<Arc<str>>,
    /// A synthetic image's build number: its manifest is regenerated from the repository's
    /// template rather than stored, so 100,000 of them stay cheap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synthetic: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TagRef {
    pub digest: String,
    pub created_ms: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Layer {
    pub size: i64,
    pub media_type: String,
}

impl Registry {
    pub fn default_alias(&self) -> &str {
        self.aliases
            .iter()
            .find(|a| a.default)
            .or_else(|| self.aliases.first())
            .map(|a| a.name.as_str())
            .unwrap_or("")
    }
    pub fn arn(&self) -> String {
        format!("arn:aws:ecr-public::{}:registry/{}", self.id, self.id)
    }
    pub fn uri(&self) -> String {
        format!("{PUBLIC_HOST}/{}", self.default_alias())
    }
    pub fn repo_arn(&self, name: &str) -> String {
        format!("arn:aws:ecr-public::{}:repository/{name}", self.id)
    }
    pub fn repo_uri(&self, name: &str) -> String {
        format!("{PUBLIC_HOST}/{}/{name}", self.default_alias())
    }
}

impl Repository {
    pub fn new(name: String, created_ms: i64) -> Self {
        Repository {
            name,
            created_ms,
            catalog: Catalog::default(),
            policy: None,
            tags: Vec::new(),
            images: HashMap::new(),
            image_tags: BTreeMap::new(),
            layers: HashMap::new(),
            order: BTreeSet::new(),
            parents: HashMap::new(),
            synthetic: None,
            changed: Changed::default(),
        }
    }

    /// Rebuilds the derived indexes from the images.
    pub fn reindex(&mut self) {
        self.order = self
            .images
            .values()
            .map(|i| (-i.pushed_ms, i.digest.clone()))
            .collect();
        self.parents.clear();
        for image in self.images.values() {
            for child in &image.children {
                self.parents
                    .entry(child.clone())
                    .or_default()
                    .insert(image.digest.clone());
            }
        }
    }

    pub fn insert_image(&mut self, image: Image) {
        self.changed.images.insert(image.digest.clone());
        self.order.insert((-image.pushed_ms, image.digest.clone()));
        for child in &image.children {
            self.parents
                .entry(child.clone())
                .or_default()
                .insert(image.digest.clone());
        }
        self.images.insert(image.digest.clone(), image);
    }

    pub fn remove_image(&mut self, digest: &str) -> Option<Image> {
        let image = self.images.remove(digest)?;
        self.changed.images.insert(digest.to_string());
        self.order.remove(&(-image.pushed_ms, image.digest.clone()));
        for tag in &image.tags {
            self.image_tags.remove(tag);
            self.changed.tags.insert(tag.clone());
        }
        for child in &image.children {
            if let Some(p) = self.parents.get_mut(child) {
                p.remove(digest);
                if p.is_empty() {
                    self.parents.remove(child);
                }
            }
        }
        Some(image)
    }

    /// The exact bytes of an image's manifest, if the store has them (state files written before
    /// manifests were kept have none).
    pub fn manifest_of(&self, image: &Image) -> Option<Arc<str>> {
        if let Some(m) = &image.manifest {
            return Some(m.clone());
        }
        let (n, t) = (image.synthetic?, self.synthetic.as_ref()?);
        Some(Arc::from(format!("{}build-{n:06}{}", t.prefix, t.suffix)))
    }

    /// Puts `tag` on the image `digest`, taking it off whichever image held it.
    pub fn place_tag(&mut self, tag: &str, digest: &str, now_ms: i64) {
        if let Some(old) = self.image_tags.get(tag).map(|t| t.digest.clone())
            && let Some(img) = self.images.get_mut(&old)
        {
            img.tags.retain(|t| t != tag);
            self.changed.images.insert(old);
        }
        self.changed.tags.insert(tag.to_string());
        self.changed.images.insert(digest.to_string());
        self.image_tags.insert(
            tag.to_string(),
            TagRef {
                digest: digest.to_string(),
                created_ms: now_ms,
            },
        );
        if let Some(img) = self.images.get_mut(digest) {
            img.tags.push(tag.to_string());
        }
    }
}

impl Repository {
    /// Takes `tag` off the image `digest`, which keeps its other tags.
    pub fn remove_tag(&mut self, tag: &str, digest: &str) {
        self.image_tags.remove(tag);
        self.changed.tags.insert(tag.to_string());
        if let Some(img) = self.images.get_mut(digest) {
            img.tags.retain(|x| x != tag);
            self.changed.images.insert(digest.to_string());
        }
    }

    /// Records a layer unless the repository already has it.
    pub fn add_layer(&mut self, digest: &str, layer: Layer) {
        if !self.layers.contains_key(digest) {
            self.layers.insert(digest.to_string(), layer);
            self.changed.layers.insert(digest.to_string());
        }
    }

    /// A layer to update in place (its media type, learnt from a manifest).
    pub fn layer_mut(&mut self, digest: &str) -> Option<&mut Layer> {
        let layer = self.layers.get_mut(digest)?;
        self.changed.layers.insert(digest.to_string());
        Some(layer)
    }
}

impl State {
    pub fn new(registry: Registry) -> Self {
        State {
            registry,
            repos: BTreeMap::new(),
            logos: BTreeMap::new(),
            uploads: HashMap::new(),
            blobs: Default::default(),
            auth: Default::default(),
            touched: Touched::default(),
        }
    }

    /// Adds (or replaces) a repository.
    pub fn insert_repo(&mut self, repo: Repository) {
        self.touched.repos.insert(repo.name.clone());
        self.repos.insert(repo.name.clone(), repo);
    }

    pub fn remove_repo(&mut self, name: &str) -> Option<Repository> {
        self.touched.repos.insert(name.to_string());
        self.repos.remove(name)
    }

    /// Takes the marks of change, leaving none: what the next save must write.
    pub fn take_changes(&mut self) -> Changes {
        let touched = std::mem::take(&mut self.touched);
        let repos = touched
            .repos
            .into_iter()
            .map(|name| {
                let changed = self
                    .repos
                    .get_mut(&name)
                    .map(|r| std::mem::take(&mut r.changed))
                    .unwrap_or_default();
                (name, changed)
            })
            .collect();
        Changes {
            registry: touched.registry,
            logos: touched.logos.into_iter().collect(),
            repos,
        }
    }

    pub fn reindex(&mut self) {
        for repo in self.repos.values_mut() {
            repo.reindex();
        }
    }

    /// Checks an optional `registryId` (pattern already validated) names this registry.
    pub fn check_registry_id(&self, registry_id: Option<&str>, repo: &str) -> ApiResult<()> {
        match registry_id {
            Some(id) if id != self.registry.id => Err(ApiError::repo_not_found(repo, id)),
            _ => Ok(()),
        }
    }

    /// Checks an optional registry id or alias names this registry (RegistryNotFoundException if not).
    pub fn check_registry_id_or_alias(&self, id: Option<&str>) -> ApiResult<()> {
        match id {
            Some(id)
                if id != self.registry.id
                    && !self.registry.aliases.iter().any(|a| a.name == id) =>
            {
                Err(ApiError::new(
                    "RegistryNotFoundException",
                    format!("The registry '{id}' does not exist"),
                ))
            }
            _ => Ok(()),
        }
    }

    pub fn repo(&self, name: &str) -> ApiResult<&Repository> {
        self.repos
            .get(name)
            .ok_or_else(|| ApiError::repo_not_found(name, &self.registry.id))
    }

    /// The repository to change; marks it touched so its header and changed rows are saved.
    pub fn repo_mut(&mut self, name: &str) -> ApiResult<&mut Repository> {
        let id = &self.registry.id;
        let repo = self
            .repos
            .get_mut(name)
            .ok_or_else(|| ApiError::repo_not_found(name, id))?;
        self.touched.repos.insert(name.to_string());
        Ok(repo)
    }
}

mod b64 {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD.decode(text).map_err(serde::de::Error::custom)
    }
}
