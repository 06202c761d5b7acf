//! PutImage: digest = sha256 of the exact manifest bytes; the layers and config an image manifest
//! names, or the images a manifest list / OCI index names, must already be in the repository.
//! Seed data goes through `put_image` too, so stored images are always consistent.

use serde::Serialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::limits::*;
use super::state::{Image, State};
use super::validate::Validator;

pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";

/// What a PutImage request asks for, after validation.
pub struct PutImage<'a> {
    pub repo: &'a str,
    pub manifest: &'a str,
    pub media_type: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub digest: Option<&'a str>,
}

fn invalid_manifest(why: &str) -> ApiError {
    ApiError::invalid(format!(
        "Invalid parameter at 'imageManifest' failed to satisfy constraint: '{why}'"
    ))
}

fn digest_of(v: &Value) -> Option<&str> {
    v.get("digest").and_then(Value::as_str)
}

/// Stores an image (or moves/adds its tag) and returns the digest and final media type.
pub fn put_image(state: &mut State, req: PutImage<'_>, now_ms: i64) -> ApiResult<(String, String)> {
    let registry_id = state.registry.id.clone();
    let repo = state.repo_mut(req.repo)?;
    let doc: Value =
        serde_json::from_str(req.manifest).map_err(|_| invalid_manifest("Invalid JSON syntax"))?;
    if doc.get("schemaVersion").and_then(Value::as_i64) != Some(2) {
        return Err(invalid_manifest(
            "Unsupported manifest schemaVersion; only schema 2 manifests are accepted",
        ));
    }
    let declared = doc.get("mediaType").and_then(Value::as_str);
    let children = doc.get("manifests").and_then(Value::as_array);
    let is_index = children.is_some();
    if let (Some(param), Some(declared)) = (req.media_type, declared)
        && param != declared
    {
        return Err(ApiError::invalid(format!(
            "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: \
                 'it is {param} but the manifest declares {declared}'"
        )));
    }
    let media_type = req
        .media_type
        .or(declared)
        .unwrap_or(if is_index { OCI_INDEX } else { OCI_MANIFEST })
        .to_string();
    let digest = format!(
        "sha256:{}",
        hex::encode(Sha256::digest(req.manifest.as_bytes()))
    );
    if let Some(given) = req.digest
        && given != digest
    {
        return Err(ApiError::new(
            "ImageDigestDoesNotMatchException",
            format!(
                "The image digest '{given}' does not match the digest '{digest}' calculated for the manifest"
            ),
        ));
    }

    let (size, artifact, child_digests) = if let Some(children) = children {
        let digests: Vec<String> = children
            .iter()
            .filter_map(digest_of)
            .map(str::to_string)
            .collect();
        if digests.len() != children.len() {
            return Err(invalid_manifest("every entry of manifests needs a digest"));
        }
        let missing: Vec<&str> = digests
            .iter()
            .filter(|d| !repo.images.contains_key(*d))
            .map(String::as_str)
            .collect();
        if !missing.is_empty() {
            return Err(ApiError::new(
                "ReferencedImagesNotFoundException",
                format!(
                    "The images with digests {missing:?} referenced by the manifest list do not exist in the repository '{}'",
                    req.repo
                ),
            ));
        }
        let size = digests
            .iter()
            .filter_map(|d| repo.images.get(d))
            .map(|i| i.size)
            .sum::<i64>();
        (size, None, digests)
    } else {
        let config = doc
            .get("config")
            .ok_or_else(|| invalid_manifest("a manifest needs config and layers"))?;
        let layers = doc
            .get("layers")
            .and_then(Value::as_array)
            .ok_or_else(|| invalid_manifest("a manifest needs config and layers"))?;
        let mut needed = vec![config];
        needed.extend(layers.iter());
        let mut missing = Vec::new();
        for entry in &needed {
            match digest_of(entry) {
                Some(d) if repo.layers.contains_key(d) => {}
                Some(d) => missing.push(d.to_string()),
                None => return Err(invalid_manifest("every layer and the config need a digest")),
            }
        }
        if !missing.is_empty() {
            return Err(ApiError::new(
                "LayersNotFoundException",
                format!(
                    "Layers with digests {missing:?} required for pushing image into repository with name '{}' in registry with id '{registry_id}' do not exist",
                    req.repo
                ),
            ));
        }
        let mut size = 0;
        for entry in layers {
            let layer = repo.layers.get_mut(digest_of(entry).unwrap_or_default());
            if let Some(layer) = layer {
                size += layer.size;
                // The manifest is the first place a layer's media type is known.
                if let Some(mt) = entry.get("mediaType").and_then(Value::as_str) {
                    layer.media_type = mt.to_string();
                }
            }
        }
        let artifact = config
            .get("mediaType")
            .and_then(Value::as_str)
            .map(str::to_string);
        (size, artifact, Vec::new())
    };

    if let Some(existing) = repo.images.get(&digest) {
        let same_tag = match req.tag {
            None => true,
            Some(t) => existing.tags.iter().any(|x| x == t),
        };
        if same_tag {
            let tag = req
                .tag
                .map(|t| format!(" and tag '{t}'"))
                .unwrap_or_default();
            return Err(ApiError::new(
                "ImageAlreadyExistsException",
                format!(
                    "Image with digest '{digest}'{tag} already exists in the repository with name '{}' in registry with id '{registry_id}'",
                    req.repo
                ),
            ));
        }
    } else {
        repo.insert_image(Image {
            digest: digest.clone(),
            tags: Vec::new(),
            size,
            pushed_ms: now_ms,
            media_type: media_type.clone(),
            artifact_media_type: artifact,
            children: child_digests,
        });
    }
    if let Some(tag) = req.tag {
        repo.place_tag(tag, &digest, now_ms);
    }
    let media_type = repo
        .images
        .get(&digest)
        .map(|i| i.media_type.clone())
        .unwrap_or(media_type);
    Ok((digest, media_type))
}

pub fn put_image_op(state: &mut State, input: &Input, ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let repo = input.str("repositoryName")?;
    let registry = input.str("registryId")?;
    let manifest = input.str("imageManifest")?;
    let media_type = input.str("imageManifestMediaType")?;
    let tag = input.str("imageTag")?;
    let digest = input.str("imageDigest")?;
    v.required("repositoryName", &repo);
    v.required("imageManifest", &manifest);
    if let Some(r) = &repo {
        v.repository_name("repositoryName", r);
    }
    if let Some(r) = &registry {
        v.registry_id_or_alias("registryId", r);
    }
    if let Some(m) = &manifest {
        v.len("imageManifest", m, IMAGE_MANIFEST_MIN, IMAGE_MANIFEST_MAX);
    }
    if let Some(t) = &tag {
        v.len("imageTag", t, IMAGE_TAG_MIN, IMAGE_TAG_MAX);
    }
    v.finish()?;
    state.check_registry_id_or_alias(registry.as_deref())?;
    let (repo, manifest) = (repo.unwrap_or_default(), manifest.unwrap_or_default());
    let (digest, media_type) = put_image(
        state,
        PutImage {
            repo: &repo,
            manifest: &manifest,
            media_type: media_type.as_deref(),
            tag: tag.as_deref(),
            digest: digest.as_deref(),
        },
        ctx.now_ms,
    )?;
    let mut image_id = json!({ "imageDigest": digest });
    if let Some(t) = &tag {
        image_id["imageTag"] = t.as_str().into();
    }
    Ok(json!({
        "image": {
            "registryId": state.registry.id,
            "repositoryName": repo,
            "imageId": image_id,
            "imageManifest": manifest,
            "imageManifestMediaType": media_type,
        }
    }))
}

/// One ImageDetail row, serialized straight from the stored image (no intermediate Value).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageDetail<'a> {
    pub registry_id: &'a str,
    pub repository_name: &'a str,
    pub image_digest: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    pub image_tags: &'a [String],
    pub image_size_in_bytes: i64,
    pub image_pushed_at: f64,
    pub image_manifest_media_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_media_type: Option<&'a str>,
}

impl<'a> ImageDetail<'a> {
    pub fn new(registry_id: &'a str, repo: &'a str, i: &'a Image) -> Self {
        ImageDetail {
            registry_id,
            repository_name: repo,
            image_digest: &i.digest,
            image_tags: &i.tags,
            image_size_in_bytes: i.size,
            image_pushed_at: i.pushed_ms as f64 / 1000.0,
            image_manifest_media_type: &i.media_type,
            artifact_media_type: i.artifact_media_type.as_deref(),
        }
    }
}
