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
    if let (Some(param), Some(declared)) = (req.media_type, declared)
        && param != declared
    {
        return Err(ApiError::invalid(format!(
            "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: \
                 'it is {param} but the manifest declares {declared}'"
        )));
    }
    // Without a mediaType in the manifest, the request must name it.
    let media_type = req
        .media_type
        .or(declared)
        .map(str::to_string)
        .ok_or_else(|| {
            ApiError::invalid(
                "Invalid parameter at 'imageManifestMediaType' failed to satisfy constraint: \
             'the manifest has no mediaType field, so imageManifestMediaType is required'",
            )
        })?;
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
        // A manifest list is as large as its largest manifest.
        let size = digests
            .iter()
            .filter_map(|d| repo.images.get(d))
            .map(|i| i.size)
            .max()
            .unwrap_or(0);
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
            let layer = repo.layer_mut(digest_of(entry).unwrap_or_default());
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
            manifest: Some(std::sync::Arc::from(req.manifest)),
            synthetic: None,
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
    ctx.quotas.check_put_image(state, &repo, &manifest)?;
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

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use serde_json::json;

    fn put(
        s: &mut super::State,
        m: &str,
        tag: Option<&str>,
    ) -> super::ApiResult<serde_json::Value> {
        let mut body = json!({ "repositoryName": "app", "imageManifest": m });
        if let Some(t) = tag {
            body["imageTag"] = t.into();
        }
        call(s, "PutImage", body)
    }

    #[test]
    fn digest_size_media_type_and_missing_layers() {
        let mut s = empty();
        call(
            &mut s,
            "CreateRepository",
            json!({ "repositoryName": "app" }),
        )
        .unwrap();
        let config = upload(&mut s, "app", b"cfg");
        let l1 = upload(&mut s, "app", b"layer one");
        let m = manifest(&config, &[&l1]);
        let out = put(&mut s, &m, Some("v1")).unwrap();
        assert_eq!(out["image"]["imageId"]["imageDigest"], sha(m.as_bytes()));
        assert_eq!(
            out["image"]["imageManifestMediaType"],
            super::DOCKER_MANIFEST
        );
        let img = &s.repo("app").unwrap().images[&sha(m.as_bytes())];
        assert_eq!(img.size, 9, "size is the sum of the layers' sizes");
        let missing = manifest(&config, &[&sha(b"never uploaded")]);
        assert_eq!(
            put(&mut s, &missing, None).unwrap_err().code,
            "LayersNotFoundException"
        );
        let wrong = call(
            &mut s,
            "PutImage",
            json!({ "repositoryName": "app", "imageManifest": m, "imageTag": "v2", "imageDigest": sha(b"x") }),
        );
        assert_eq!(wrong.unwrap_err().code, "ImageDigestDoesNotMatchException");
        let mismatch = call(
            &mut s,
            "PutImage",
            json!({ "repositoryName": "app", "imageManifest": m, "imageManifestMediaType": super::OCI_MANIFEST }),
        );
        assert_eq!(mismatch.unwrap_err().code, "InvalidParameterException");
        assert_eq!(
            put(&mut s, "{not json", None).unwrap_err().code,
            "InvalidParameterException"
        );
    }

    #[test]
    fn same_digest_and_tag_is_refused_and_tags_move() {
        let mut s = empty();
        let d = repo_with_images(&mut s, "app", &[Some("latest"), None]);
        let repo = s.repo("app").unwrap();
        assert_eq!(repo.images[&d[0]].tags, vec!["latest"]);
        assert!(repo.images[&d[1]].tags.is_empty());
        // Re-pushing the first manifest with its own tag: nothing changes, so it is refused.
        // The config repo_with_images uploaded.
        let config = sha(b"{\"config\":true}");
        let m0 = manifest(&config, &[&sha(b"layer-app-0")]);
        assert_eq!(sha(m0.as_bytes()), d[0]);
        assert_eq!(
            put(&mut s, &m0, Some("latest")).unwrap_err().code,
            "ImageAlreadyExistsException"
        );
        assert_eq!(
            put(&mut s, &m0, None).unwrap_err().code,
            "ImageAlreadyExistsException"
        );
        // A new tag on an existing digest is accepted.
        put(&mut s, &m0, Some("stable")).unwrap();
        // Tagging the second image "latest" moves the tag off the first.
        let m1 = manifest(&config, &[&sha(b"layer-app-1")]);
        put(&mut s, &m1, Some("latest")).unwrap();
        let repo = s.repo("app").unwrap();
        assert_eq!(repo.images[&d[0]].tags, vec!["stable"]);
        assert_eq!(repo.images[&d[1]].tags, vec!["latest"]);
        assert_eq!(repo.image_tags["latest"].digest, d[1]);
    }

    #[test]
    fn indexes_reference_existing_images() {
        let mut s = empty();
        let d = repo_with_images(&mut s, "app", &[None, None]);
        let index = |digests: &[&str]| {
            json!({
                "schemaVersion": 2,
                "mediaType": super::OCI_INDEX,
                "manifests": digests.iter().map(|d| json!({ "mediaType": super::DOCKER_MANIFEST, "size": 1, "digest": d,
                    "platform": { "architecture": "amd64", "os": "linux" } })).collect::<Vec<_>>(),
            })
            .to_string()
        };
        let missing = index(&[&d[0], &sha(b"nope")]);
        assert_eq!(
            put(&mut s, &missing, Some("multi")).unwrap_err().code,
            "ReferencedImagesNotFoundException"
        );
        let ok = index(&[&d[0], &d[1]]);
        let out = put(&mut s, &ok, Some("multi")).unwrap();
        assert_eq!(out["image"]["imageManifestMediaType"], super::OCI_INDEX);
        let repo = s.repo("app").unwrap();
        let img = &repo.images[&sha(ok.as_bytes())];
        assert_eq!(
            img.size,
            repo.images[&d[0]].size.max(repo.images[&d[1]].size)
        );
        assert!(repo.parents[&d[0]].contains(&img.digest));
    }
}
