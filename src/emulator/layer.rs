//! The layer upload flow: InitiateLayerUpload, UploadLayerPart (contiguous byte ranges),
//! CompleteLayerUpload (sha256 over the bytes received), BatchCheckLayerAvailability.
//! Layer bytes are hashed as they arrive and appended to a temporary file of the blob store,
//! which keeps them once the digest is verified: the registry API serves them back.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::limits::*;
use super::state::{Layer, State};
use super::validate::{self, Validator};

pub const DEFAULT_LAYER_MEDIA_TYPE: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

#[derive(Clone)]
pub struct Upload {
    pub repo: String,
    /// The bytes so far, in the blob store's temporary area.
    file: std::path::PathBuf,
    hasher: Sha256,
    /// Bytes received so far; the next part must start here.
    received: u64,
    /// Size of the latest part; every part but the last must reach LAYER_PART_MIN_BYTES.
    last_part: u64,
    undersized_part: bool,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("repo", &self.repo)
            .field("received", &self.received)
            .finish()
    }
}

/// Validates repositoryName and registryId-or-alias and resolves the repository.
fn repo_args(state: &State, input: &Input, v: &mut Validator) -> ApiResult<String> {
    let name = input.str("repositoryName")?;
    let registry = input.str("registryId")?;
    v.required("repositoryName", &name);
    if let Some(n) = &name {
        v.repository_name("repositoryName", n);
    }
    if let Some(r) = &registry {
        v.registry_id_or_alias("registryId", r);
    }
    if v.is_empty() {
        state.check_registry_id_or_alias(registry.as_deref())?;
    }
    Ok(name.unwrap_or_default())
}

fn upload_id_arg(input: &Input, v: &mut Validator) -> ApiResult<String> {
    let id = input.str("uploadId")?;
    v.required("uploadId", &id);
    if let Some(id) = &id {
        v.pattern("uploadId", id, validate::is_upload_id, UPLOAD_ID_PATTERN);
    }
    Ok(id.unwrap_or_default())
}

fn upload_not_found(id: &str) -> ApiError {
    ApiError::new(
        "UploadNotFoundException",
        format!("Upload with id '{id}' is not found"),
    )
}

pub fn initiate_layer_upload(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(state, input, &mut v)?;
    v.finish()?;
    state.repo(&name)?;
    let id = uuid::Uuid::new_v4().to_string();
    let file = state.blobs.temp_path().map_err(storage_error)?;
    state.uploads.insert(
        id.clone(),
        Upload {
            repo: name,
            file,
            hasher: Sha256::new(),
            received: 0,
            last_part: 0,
            undersized_part: false,
        },
    );
    Ok(json!({ "uploadId": id, "partSize": LAYER_PART_SIZE }))
}

pub fn upload_layer_part(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(state, input, &mut v)?;
    let id = upload_id_arg(input, &mut v)?;
    let first = input.int("partFirstByte")?;
    let last = input.int("partLastByte")?;
    let blob = input.blob("layerPartBlob")?;
    v.required("partFirstByte", &first);
    v.required("partLastByte", &last);
    v.required("layerPartBlob", &blob);
    for (field, n) in [("partFirstByte", first), ("partLastByte", last)] {
        if let Some(n) = n {
            v.range(field, n, 0, i64::MAX);
        }
    }
    if let Some(b) = &blob {
        v.bytes("layerPartBlob", b.len(), LAYER_PART_MAX_BYTES);
    }
    v.finish()?;
    let registry_id = state.registry.id.clone();
    state.repo(&name)?;
    let upload = state
        .uploads
        .get_mut(&id)
        .filter(|u| u.repo == name)
        .ok_or_else(|| upload_not_found(&id))?;
    let (first, last, blob) = (
        first.unwrap_or(0) as u64,
        last.unwrap_or(0) as u64,
        blob.unwrap_or_default(),
    );
    let contiguous =
        first == upload.received && !blob.is_empty() && last == first + blob.len() as u64 - 1;
    if !contiguous {
        return Err(ApiError::new(
            "InvalidLayerPartException",
            format!(
                "The part [{first}, {last}] of {} bytes does not continue the upload: the next part must start at byte {}",
                blob.len(),
                upload.received
            ),
        )
        .with("registryId", registry_id)
        .with("repositoryName", name)
        .with("uploadId", id)
        .with("lastValidByteReceived", upload.received.saturating_sub(1)));
    }
    append(&upload.file, &blob).map_err(storage_error)?;
    upload.hasher.update(&blob);
    upload.received += blob.len() as u64;
    // The previous part turned out not to be the last one.
    if upload.last_part > 0 && upload.last_part < LAYER_PART_MIN_BYTES {
        upload.undersized_part = true;
    }
    upload.last_part = blob.len() as u64;
    let last_byte = upload.received - 1;
    Ok(
        json!({ "registryId": registry_id, "repositoryName": name, "uploadId": id, "lastByteReceived": last_byte }),
    )
}

pub fn complete_layer_upload(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(state, input, &mut v)?;
    let id = upload_id_arg(input, &mut v)?;
    let digests = input.str_list("layerDigests")?;
    v.required("layerDigests", &digests);
    if let Some(d) = &digests {
        v.count(
            "layerDigests",
            d.len(),
            LAYER_DIGESTS_MIN,
            LAYER_DIGESTS_MAX,
        );
        for (i, d) in d.iter().enumerate() {
            v.pattern(
                &format!("layerDigests.{}.member", i + 1),
                d,
                validate::is_layer_digest,
                LAYER_DIGEST_PATTERN,
            );
        }
    }
    v.finish()?;
    state.repo(&name)?;
    let upload = state
        .uploads
        .get(&id)
        .filter(|u| u.repo == name)
        .ok_or_else(|| upload_not_found(&id))?;
    if upload.received == 0 {
        return Err(ApiError::new(
            "EmptyUploadException",
            format!("The upload with id '{id}' contains no layer parts"),
        ));
    }
    if upload.undersized_part {
        return Err(ApiError::new(
            "LayerPartTooSmallException",
            format!("Every layer part but the last must be at least {LAYER_PART_MIN_BYTES} bytes"),
        ));
    }
    let computed = format!("sha256:{}", hex::encode(upload.hasher.clone().finalize()));
    let size = upload.received as i64;
    let digests = digests.unwrap_or_default();
    if !digests.iter().any(|d| d.eq_ignore_ascii_case(&computed)) {
        return Err(ApiError::new(
            "InvalidLayerException",
            format!(
                "The layer digest calculated for the upload, '{computed}', does not match the digest provided"
            ),
        ));
    }
    let file = upload.file.clone();
    state.uploads.remove(&id);
    let known = state.repo(&name)?.layers.contains_key(&computed);
    if known {
        // Best effort: the answer is the error below whether or not the file goes.
        let _ = std::fs::remove_file(&file);
    } else {
        state
            .blobs
            .commit(&file, &computed)
            .map_err(storage_error)?;
    }
    let repo = state.repo_mut(&name)?;
    if known {
        return Err(ApiError::new(
            "LayerAlreadyExistsException",
            format!("The layer with digest '{computed}' already exists in the repository '{name}'"),
        ));
    }
    repo.add_layer(
        &computed,
        Layer {
            size,
            media_type: DEFAULT_LAYER_MEDIA_TYPE.into(),
        },
    );
    Ok(
        json!({ "registryId": state.registry.id, "repositoryName": name, "uploadId": id, "layerDigest": computed }),
    )
}

pub fn batch_check_layer_availability(
    state: &mut State,
    input: &Input,
    _ctx: &Ctx,
) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(state, input, &mut v)?;
    let digests = input.str_list("layerDigests")?;
    v.required("layerDigests", &digests);
    if let Some(d) = &digests {
        v.count(
            "layerDigests",
            d.len(),
            LAYER_DIGESTS_MIN,
            LAYER_DIGESTS_MAX,
        );
        for (i, d) in d.iter().enumerate() {
            v.len(
                &format!("layerDigests.{}.member", i + 1),
                d,
                BATCHED_LAYER_DIGEST_MIN,
                BATCHED_LAYER_DIGEST_MAX,
            );
        }
    }
    v.finish()?;
    let repo = state.repo(&name)?;
    let (mut layers, mut failures) = (Vec::new(), Vec::new());
    for d in digests.unwrap_or_default() {
        if d.is_empty() {
            failures.push(json!({ "layerDigest": d, "failureCode": "MissingLayerDigest", "failureReason": "The layer digest is empty" }));
        } else if !validate::is_layer_digest(&d) {
            failures.push(json!({ "layerDigest": d, "failureCode": "InvalidLayerDigest", "failureReason": "Invalid layer digest" }));
        } else if let Some(l) = repo.layers.get(&d) {
            layers.push(json!({ "layerDigest": d, "layerAvailability": "AVAILABLE", "layerSize": l.size, "mediaType": l.media_type }));
        } else {
            failures.push(json!({ "layerDigest": d, "failureCode": "MissingLayerDigest", "failureReason": "Requested layer not found" }));
        }
    }
    Ok(json!({ "layers": layers, "failures": failures }))
}

fn append(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    // 0600, never through a symlink: the upload area is private like the store.
    crate::private_fs::open_append(path)?.write_all(bytes)
}

fn storage_error(e: impl std::fmt::Display) -> ApiError {
    tracing::error!("layer storage failed: {e:#}");
    ApiError::new("ServerException", "The layer could not be stored")
}

/// Records a generated blob (demo and synthetic content) as a layer of `repo` and keeps its bytes.
pub fn add_blob(
    state: &mut State,
    repo: &str,
    blob: &super::content::Blob,
    media_type: &str,
) -> ApiResult<()> {
    state
        .blobs
        .insert_generated(&blob.digest, blob.bytes.clone())
        .map_err(storage_error)?;
    state.repo_mut(repo)?.add_layer(
        &blob.digest,
        Layer {
            size: blob.size(),
            media_type: media_type.to_string(),
        },
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde_json::json;

    fn start(state: &mut super::State) -> String {
        call(state, "CreateRepository", json!({ "repositoryName": "up" })).unwrap();
        let r = call(
            state,
            "InitiateLayerUpload",
            json!({ "repositoryName": "up" }),
        )
        .unwrap();
        assert_eq!(r["partSize"], super::LAYER_PART_SIZE);
        r["uploadId"].as_str().unwrap().to_string()
    }

    fn part(id: &str, first: usize, bytes: &[u8]) -> serde_json::Value {
        json!({ "repositoryName": "up", "uploadId": id, "partFirstByte": first,
                "partLastByte": first + bytes.len() - 1, "layerPartBlob": STANDARD.encode(bytes) })
    }

    #[test]
    fn parts_must_be_contiguous_and_digest_must_match() {
        let mut s = empty();
        let id = start(&mut s);
        assert_eq!(
            call(&mut s, "UploadLayerPart", part(&id, 0, b"hello ")).unwrap()["lastByteReceived"],
            5
        );
        let gap = call(&mut s, "UploadLayerPart", part(&id, 7, b"world")).unwrap_err();
        assert_eq!(gap.code, "InvalidLayerPartException");
        assert_eq!(gap.extra["lastValidByteReceived"], 5);
        assert_eq!(
            call(&mut s, "UploadLayerPart", part(&id, 6, b"world")).unwrap()["lastByteReceived"],
            10
        );
        // "hello " was not the last part, and is far below the minimum part size.
        let small = call(
            &mut s,
            "CompleteLayerUpload",
            json!({ "repositoryName": "up", "uploadId": id, "layerDigests": [sha(b"hello world")] }),
        );
        assert_eq!(small.unwrap_err().code, "LayerPartTooSmallException");
        let big = vec![7u8; super::LAYER_PART_MIN_BYTES as usize];
        let id = call(
            &mut s,
            "InitiateLayerUpload",
            json!({ "repositoryName": "up" }),
        )
        .unwrap()["uploadId"]
            .as_str()
            .unwrap()
            .to_string();
        call(&mut s, "UploadLayerPart", part(&id, 0, &big)).unwrap();
        call(
            &mut s,
            "UploadLayerPart",
            part(&id, big.len(), b"hello world"),
        )
        .unwrap();
        let wrong = call(
            &mut s,
            "CompleteLayerUpload",
            json!({ "repositoryName": "up", "uploadId": id, "layerDigests": [sha(b"hello")] }),
        );
        assert_eq!(wrong.unwrap_err().code, "InvalidLayerException");
        let digest = sha(&[big.as_slice(), b"hello world"].concat());
        let done = call(
            &mut s,
            "CompleteLayerUpload",
            json!({ "repositoryName": "up", "uploadId": id, "layerDigests": [digest] }),
        )
        .unwrap();
        assert_eq!(done["layerDigest"], digest);
        // The upload is finished: its id is gone.
        let again = call(&mut s, "UploadLayerPart", part(&id, big.len() + 11, b"!")).unwrap_err();
        assert_eq!(again.code, "UploadNotFoundException");
        let check = call(
            &mut s,
            "BatchCheckLayerAvailability",
            json!({ "repositoryName": "up", "layerDigests": [digest, sha(b"x"), "bad"] }),
        )
        .unwrap();
        assert_eq!(check["layers"][0]["layerSize"], big.len() + 11);
        assert_eq!(check["layers"][0]["layerAvailability"], "AVAILABLE");
        assert_eq!(check["failures"][0]["failureCode"], "MissingLayerDigest");
        assert_eq!(check["failures"][1]["failureCode"], "InvalidLayerDigest");
    }

    #[test]
    fn empty_existing_and_unknown_uploads() {
        let mut s = empty();
        let id = start(&mut s);
        let empty_up = call(
            &mut s,
            "CompleteLayerUpload",
            json!({ "repositoryName": "up", "uploadId": id, "layerDigests": [sha(b"")] }),
        );
        assert_eq!(empty_up.unwrap_err().code, "EmptyUploadException");
        upload(&mut s, "up", b"same");
        let id = call(
            &mut s,
            "InitiateLayerUpload",
            json!({ "repositoryName": "up" }),
        )
        .unwrap()["uploadId"]
            .as_str()
            .unwrap()
            .to_string();
        call(&mut s, "UploadLayerPart", part(&id, 0, b"same")).unwrap();
        let dup = call(
            &mut s,
            "CompleteLayerUpload",
            json!({ "repositoryName": "up", "uploadId": id, "layerDigests": [sha(b"same")] }),
        );
        assert_eq!(dup.unwrap_err().code, "LayerAlreadyExistsException");
        let unknown = "0f8fad5b-d9cb-469f-a165-70867728950e";
        assert_eq!(
            call(&mut s, "UploadLayerPart", part(unknown, 0, b"x"))
                .unwrap_err()
                .code,
            "UploadNotFoundException"
        );
        let bad = call(&mut s, "UploadLayerPart", part("not-a-uuid", 0, b"x")).unwrap_err();
        assert_eq!(bad.code, "InvalidParameterException");
        let other = call(
            &mut s,
            "InitiateLayerUpload",
            json!({ "repositoryName": "up", "registryId": "999999999999" }),
        );
        assert_eq!(other.unwrap_err().code, "RegistryNotFoundException");
        assert!(
            call(
                &mut s,
                "InitiateLayerUpload",
                json!({ "repositoryName": "up", "registryId": "acme" })
            )
            .is_ok()
        );
    }
}
