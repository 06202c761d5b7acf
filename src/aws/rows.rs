//! Compact rows for the panes, converted once from SDK types as pages arrive.
//!
//! A repository can hold 100,000 images, so rows own boxed strings (no spare capacity), media types
//! are shared `Arc<str>` (a handful of distinct values), and times are epoch seconds.
//! Strings are kept exactly as the API sent them: the UI neutralises them when drawing
//! (`crate::sanitize`), and `ecrp ls --json` prints them faithfully.

use std::sync::Arc;

use aws_sdk_ecrpublic::types as sdk;
use serde::Serialize;

pub type Epoch = i64;

pub const MEDIA_DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const MEDIA_OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AliasRow {
    pub name: String,
    pub status: String,
    pub primary_registry_alias: bool,
    pub default_registry_alias: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RegistryRow {
    pub registry_id: String,
    pub registry_arn: String,
    pub registry_uri: String,
    pub verified: bool,
    pub aliases: Vec<AliasRow>,
    /// From GetRegistryCatalogData (only for the caller's own registry); `None` until fetched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
}

impl RegistryRow {
    /// The alias pull URIs use: the primary one, else the default one, else the first.
    pub fn primary_alias(&self) -> Option<&str> {
        self.aliases
            .iter()
            .find(|a| a.primary_registry_alias)
            .or_else(|| self.aliases.iter().find(|a| a.default_registry_alias))
            .or_else(|| self.aliases.first())
            .map(|a| a.name.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepoRow {
    pub repository_name: Box<str>,
    pub repository_uri: Box<str>,
    pub repository_arn: Box<str>,
    pub registry_id: Box<str>,
    pub created_at: Epoch,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRow {
    pub image_digest: Box<str>,
    pub image_tags: Box<[Box<str>]>,
    pub image_size_in_bytes: i64,
    pub image_pushed_at: Epoch,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_manifest_media_type: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_media_type: Option<Arc<str>>,
}

impl ImageRow {
    /// A manifest list or OCI index: an image for several platforms.
    pub fn is_multi_arch(&self) -> bool {
        is_index_media_type(self.image_manifest_media_type.as_deref())
    }
}

pub fn is_index_media_type(mt: Option<&str>) -> bool {
    matches!(mt, Some(MEDIA_DOCKER_LIST) | Some(MEDIA_OCI_INDEX))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagRow {
    pub image_tag: Box<str>,
    pub created_at: Epoch,
    pub image_digest: Box<str>,
    pub image_size_in_bytes: i64,
    pub image_pushed_at: Epoch,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_manifest_media_type: Option<Arc<str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_media_type: Option<Arc<str>>,
}

/// A repository's catalog as GetRepositoryCatalogData returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub description: Option<String>,
    pub architectures: Vec<String>,
    pub operating_systems: Vec<String>,
    pub logo_url: Option<String>,
    pub about_text: Option<String>,
    pub usage_text: Option<String>,
    pub marketplace_certified: bool,
}

/// What PutRepositoryCatalogData and CreateRepository take. `logo_png` is the raw PNG bytes;
/// `None` leaves the current logo as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogInput {
    pub description: Option<String>,
    pub architectures: Vec<String>,
    pub operating_systems: Vec<String>,
    pub logo_png: Option<Vec<u8>>,
    pub about_text: Option<String>,
    pub usage_text: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    #[serde(rename = "Key")]
    pub key: String,
    #[serde(rename = "Value")]
    pub value: String,
}

/// Which image a delete names: by digest (the whole image, all its tags) or by tag (only the tag,
/// unless it is the image's last one).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImageRef {
    Digest(String),
    Tag(String),
}

fn epoch(t: Option<&aws_smithy_types::DateTime>) -> Epoch {
    t.map(|t| t.secs()).unwrap_or(0)
}

/// Shares one `Arc<str>` per distinct media type across a whole load.
///
/// A repository uses a handful of media types, so a short list compared by value beats hashing
/// every row's strings; past `MAX` distinct values (never seen in practice) rows get their own copy
/// instead of the scan growing.
#[derive(Default)]
pub struct MediaTypes(Vec<Arc<str>>);

impl MediaTypes {
    const MAX: usize = 16;

    pub fn intern(&mut self, s: Option<String>) -> Option<Arc<str>> {
        let s = s?;
        if let Some(a) = self.0.iter().find(|a| ***a == *s) {
            return Some(a.clone());
        }
        let a: Arc<str> = Arc::from(s);
        if self.0.len() < Self::MAX {
            self.0.push(a.clone());
        }
        Some(a)
    }
}

impl RegistryRow {
    pub fn from_sdk(r: sdk::Registry) -> Self {
        RegistryRow {
            registry_id: r.registry_id,
            registry_arn: r.registry_arn,
            registry_uri: r.registry_uri,
            verified: r.verified,
            aliases: r
                .aliases
                .into_iter()
                .map(|a| AliasRow {
                    name: a.name,
                    status: a.status.as_str().to_string(),
                    primary_registry_alias: a.primary_registry_alias,
                    default_registry_alias: a.default_registry_alias,
                })
                .collect(),
            display_name: None,
        }
    }
}

impl RepoRow {
    pub fn from_sdk(r: sdk::Repository) -> Self {
        RepoRow {
            repository_name: r.repository_name.unwrap_or_default().into(),
            repository_uri: r.repository_uri.unwrap_or_default().into(),
            repository_arn: r.repository_arn.unwrap_or_default().into(),
            registry_id: r.registry_id.unwrap_or_default().into(),
            created_at: epoch(r.created_at.as_ref()),
        }
    }
}

impl ImageRow {
    pub fn from_sdk(d: sdk::ImageDetail, media: &mut MediaTypes) -> Self {
        ImageRow {
            image_digest: d.image_digest.unwrap_or_default().into(),
            image_tags: d
                .image_tags
                .unwrap_or_default()
                .into_iter()
                .map(String::into_boxed_str)
                .collect(),
            image_size_in_bytes: d.image_size_in_bytes.unwrap_or(0),
            image_pushed_at: epoch(d.image_pushed_at.as_ref()),
            image_manifest_media_type: media.intern(d.image_manifest_media_type),
            artifact_media_type: media.intern(d.artifact_media_type),
        }
    }
}

impl TagRow {
    pub fn from_sdk(t: sdk::ImageTagDetail, media: &mut MediaTypes) -> Self {
        let d = t
            .image_detail
            .unwrap_or_else(|| sdk::ReferencedImageDetail::builder().build());
        TagRow {
            image_tag: t.image_tag.unwrap_or_default().into(),
            created_at: epoch(t.created_at.as_ref()),
            image_digest: d.image_digest.unwrap_or_default().into(),
            image_size_in_bytes: d.image_size_in_bytes.unwrap_or(0),
            image_pushed_at: epoch(d.image_pushed_at.as_ref()),
            image_manifest_media_type: media.intern(d.image_manifest_media_type),
            artifact_media_type: media.intern(d.artifact_media_type),
        }
    }
}

impl Catalog {
    pub fn from_sdk(c: sdk::RepositoryCatalogData) -> Self {
        Catalog {
            description: c.description,
            architectures: c.architectures.unwrap_or_default(),
            operating_systems: c.operating_systems.unwrap_or_default(),
            logo_url: c.logo_url,
            about_text: c.about_text,
            usage_text: c.usage_text,
            marketplace_certified: c.marketplace_certified.unwrap_or(false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alias(name: &str, primary: bool, default: bool) -> AliasRow {
        AliasRow {
            name: name.into(),
            status: "ACTIVE".into(),
            primary_registry_alias: primary,
            default_registry_alias: default,
        }
    }

    #[test]
    fn primary_alias_prefers_primary_then_default() {
        let mut r = RegistryRow {
            registry_id: "123456789012".into(),
            registry_arn: String::new(),
            registry_uri: String::new(),
            verified: false,
            aliases: vec![alias("a", false, false), alias("b", false, true)],
            display_name: None,
        };
        assert_eq!(r.primary_alias(), Some("b"));
        r.aliases.push(alias("c", true, false));
        assert_eq!(r.primary_alias(), Some("c"));
    }

    #[test]
    fn media_types_are_shared() {
        let mut m = MediaTypes::default();
        let a = m.intern(Some(MEDIA_OCI_INDEX.into())).unwrap();
        let other = m.intern(Some(MEDIA_DOCKER_LIST.into())).unwrap();
        let b = m.intern(Some(MEDIA_OCI_INDEX.into())).unwrap();
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &other));
        assert_eq!(m.intern(None), None);
        assert!(is_index_media_type(Some(&a)));
        assert!(!is_index_media_type(Some(
            "application/vnd.oci.image.manifest.v1+json"
        )));
    }

    #[test]
    fn media_types_stop_growing_but_stay_correct() {
        let mut m = MediaTypes::default();
        for i in 0..100 {
            let s = format!("type/{i}");
            assert_eq!(m.intern(Some(s.clone())).as_deref(), Some(s.as_str()));
        }
        assert_eq!(m.0.len(), MediaTypes::MAX);
    }
}
