//! BatchDeleteImage: each image id succeeds or fails on its own. By tag removes the tag (removing
//! an image's last tag deletes the image); by digest deletes the image with all its tags. An image
//! a manifest list references cannot be deleted while that list exists.

use serde_json::{Value, json};

use super::ctx::Ctx;
use super::error::ApiResult;
use super::input::Input;
use super::limits::*;
use super::state::{Repository, State};
use super::validate::{self, Validator};

fn id_json(digest: Option<&str>, tag: Option<&str>) -> Value {
    let mut id = json!({});
    if let Some(d) = digest {
        id["imageDigest"] = d.into();
    }
    if let Some(t) = tag {
        id["imageTag"] = t.into();
    }
    id
}

/// Deletes one image id; Ok(deleted ids) or Err((failureCode, failureReason)).
pub fn delete_one(
    repo: &mut Repository,
    digest: Option<&str>,
    tag: Option<&str>,
) -> Result<Vec<Value>, (&'static str, String)> {
    if digest.is_none() && tag.is_none() {
        return Err((
            "MissingDigestAndTag",
            "Invalid request parameters: both tag and digest cannot be null".into(),
        ));
    }
    if let Some(d) = digest
        && !validate::is_image_digest(d)
    {
        return Err((
            "InvalidImageDigest",
            format!(
                "Invalid request parameters: image digest '{d}' should be sha256 followed by 64 hex digits"
            ),
        ));
    }
    if let Some(t) = tag
        && (t.is_empty() || t.chars().count() > IMAGE_TAG_MAX)
    {
        return Err((
            "InvalidImageTag",
            format!(
                "Invalid request parameters: image tag must be 1 to {IMAGE_TAG_MAX} characters"
            ),
        ));
    }
    let target = match (digest, tag) {
        (Some(d), Some(t)) => match repo.image_tags.get(t) {
            Some(r) if r.digest == d => d.to_string(),
            Some(_) => {
                return Err((
                    "ImageTagDoesNotMatchDigest",
                    "Invalid request parameters: given tag does not map to the given digest".into(),
                ));
            }
            None if repo.images.contains_key(d) => {
                return Err((
                    "ImageTagDoesNotMatchDigest",
                    "Invalid request parameters: given tag does not map to the given digest".into(),
                ));
            }
            None => return Err(("ImageNotFound", "Requested image not found".into())),
        },
        (Some(d), None) => d.to_string(),
        (None, Some(t)) => match repo.image_tags.get(t) {
            Some(r) => r.digest.clone(),
            None => return Err(("ImageNotFound", "Requested image not found".into())),
        },
        (None, None) => unreachable!("checked above"),
    };
    let Some(image) = repo.images.get(&target) else {
        return Err(("ImageNotFound", "Requested image not found".into()));
    };
    // By tag while other tags remain: only the tag goes.
    if let Some(t) = tag
        && image.tags.len() > 1
    {
        repo.remove_tag(t, &target);
        return Ok(vec![id_json(Some(&target), Some(t))]);
    }
    if let Some(parents) = repo.parents.get(&target) {
        let list: Vec<&String> = parents.iter().collect();
        return Err((
            "ImageReferencedByManifestList",
            format!("Requested image is referenced by manifest lists: {list:?}"),
        ));
    }
    let image = repo
        .remove_image(&target)
        .ok_or(("ImageNotFound", "Requested image not found".to_string()))?;
    if let Some(t) = tag {
        return Ok(vec![id_json(Some(&target), Some(t))]);
    }
    if image.tags.is_empty() {
        return Ok(vec![id_json(Some(&target), None)]);
    }
    Ok(image
        .tags
        .iter()
        .map(|t| id_json(Some(&target), Some(t)))
        .collect())
}

pub fn batch_delete_image(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = input.str("repositoryName")?;
    let registry = input.str("registryId")?;
    v.required("repositoryName", &name);
    if let Some(n) = &name {
        v.repository_name("repositoryName", n);
    }
    if let Some(r) = &registry {
        v.registry_id_or_alias("registryId", r);
    }
    let ids = input.obj_list("imageIds")?;
    v.required("imageIds", &ids);
    let ids = match &ids {
        Some(ids) => {
            v.count("imageIds", ids.len(), IMAGE_IDS_MIN, IMAGE_IDS_MAX);
            v.image_ids(ids)?
        }
        None => Vec::new(),
    };
    v.finish()?;
    let mut wanted: Vec<(Option<String>, Option<String>)> = Vec::new();
    for pair in ids {
        if !wanted.contains(&pair) {
            wanted.push(pair);
        }
    }
    let name = name.unwrap_or_default();
    if let Some(r) = registry
        .as_deref()
        .filter(|r| *r != state.registry.id && !state.registry.aliases.iter().any(|a| a.name == *r))
    {
        return Err(super::error::ApiError::repo_not_found(&name, r));
    }
    let repo = state.repo_mut(&name)?;
    let (mut deleted, mut failures) = (Vec::new(), Vec::new());
    for (d, t) in &wanted {
        match delete_one(repo, d.as_deref(), t.as_deref()) {
            Ok(ids) => deleted.extend(ids),
            Err((code, reason)) => failures.push(json!({
                "imageId": id_json(d.as_deref(), t.as_deref()),
                "failureCode": code,
                "failureReason": reason,
            })),
        }
    }
    Ok(json!({ "imageIds": deleted, "failures": failures }))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use serde_json::json;

    fn del(s: &mut super::State, ids: serde_json::Value) -> serde_json::Value {
        call(
            s,
            "BatchDeleteImage",
            json!({ "repositoryName": "app", "imageIds": ids }),
        )
        .unwrap()
    }

    #[test]
    fn by_tag_removes_the_tag_and_the_last_tag_deletes_the_image() {
        let mut s = empty();
        let d = repo_with_images(&mut s, "app", &[Some("a")]);
        s.repo_mut("app").unwrap().place_tag("b", &d[0], T0);
        let out = del(&mut s, json!([{ "imageTag": "a" }]));
        assert_eq!(
            out["imageIds"],
            json!([{ "imageDigest": d[0], "imageTag": "a" }])
        );
        assert!(s.repo("app").unwrap().images.contains_key(&d[0]));
        del(&mut s, json!([{ "imageTag": "b" }]));
        assert!(s.repo("app").unwrap().images.is_empty());
        assert!(s.repo("app").unwrap().order.is_empty());
    }

    #[test]
    fn by_digest_deletes_the_image_and_all_tags() {
        let mut s = empty();
        let d = repo_with_images(&mut s, "app", &[Some("a"), None]);
        s.repo_mut("app").unwrap().place_tag("b", &d[0], T0);
        let out = del(
            &mut s,
            json!([{ "imageDigest": d[0] }, { "imageDigest": d[1] }]),
        );
        assert_eq!(out["imageIds"].as_array().unwrap().len(), 3, "{out}");
        assert_eq!(out["failures"], json!([]));
        let repo = s.repo("app").unwrap();
        assert!(repo.images.is_empty() && repo.image_tags.is_empty());
    }

    #[test]
    fn failure_codes() {
        let mut s = empty();
        let d = repo_with_images(&mut s, "app", &[Some("a"), Some("b")]);
        let index = json!({ "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
            "manifests": [{ "mediaType": "application/vnd.docker.distribution.manifest.v2+json", "size": 1, "digest": d[0] }] })
        .to_string();
        call(
            &mut s,
            "PutImage",
            json!({ "repositoryName": "app", "imageManifest": index }),
        )
        .unwrap();
        let out = del(
            &mut s,
            json!([
                {},
                { "imageDigest": "sha256:xyz" },
                { "imageTag": "nope" },
                { "imageDigest": d[1], "imageTag": "a" },
                { "imageDigest": d[0] },
                { "imageTag": "a" },
            ]),
        );
        let codes: Vec<&str> = out["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["failureCode"].as_str().unwrap())
            .collect();
        assert_eq!(
            codes,
            vec![
                "MissingDigestAndTag",
                "InvalidImageDigest",
                "ImageNotFound",
                "ImageTagDoesNotMatchDigest",
                "ImageReferencedByManifestList",
                "ImageReferencedByManifestList"
            ]
        );
        assert_eq!(out["imageIds"], json!([]));
        let too_many: Vec<_> = (0..101)
            .map(|i| json!({ "imageTag": format!("t{i}") }))
            .collect();
        let e = call(
            &mut s,
            "BatchDeleteImage",
            json!({ "repositoryName": "app", "imageIds": too_many }),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        assert!(e.message.contains("'imageIds'") && e.message.contains("100"));
    }
}
