//! Helpers for the unit tests: an empty registry and a way to call operations with JSON.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ctx::Ctx;
use super::error::ApiResult;
use super::input::Input;
use super::state::State;
use super::{Seed, ops, seed};

pub const T0: i64 = 1_700_000_000_000;

pub fn empty() -> State {
    seed::build(Seed::Empty, T0).unwrap()
}

pub fn call_at(state: &mut State, op: &str, body: Value, now_ms: i64) -> ApiResult<Value> {
    let input = Input::parse(body.to_string().as_bytes())?;
    let ctx = Ctx {
        now_ms,
        base_url: "http://emu".into(),
        access_key: "AKID".into(),
        quotas: Default::default(),
    };
    match (ops::find(op).unwrap().handler)(state, &input, &ctx)? {
        ops::Reply::Json(v) => Ok(v),
        ops::Reply::Encoded(bytes) => Ok(serde_json::from_slice(&bytes).unwrap()),
    }
}

pub fn call(state: &mut State, op: &str, body: Value) -> ApiResult<Value> {
    call_at(state, op, body, T0)
}

pub fn sha(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// Uploads `bytes` as one layer through the real upload flow; returns its digest.
pub fn upload(state: &mut State, repo: &str, bytes: &[u8]) -> String {
    let id = call(
        state,
        "InitiateLayerUpload",
        json!({ "repositoryName": repo }),
    )
    .unwrap()["uploadId"]
        .as_str()
        .unwrap()
        .to_string();
    let part = json!({
        "repositoryName": repo, "uploadId": id, "partFirstByte": 0,
        "partLastByte": bytes.len() - 1, "layerPartBlob": STANDARD.encode(bytes),
    });
    call(state, "UploadLayerPart", part).unwrap();
    let digest = sha(bytes);
    call(
        state,
        "CompleteLayerUpload",
        json!({ "repositoryName": repo, "uploadId": id, "layerDigests": [digest] }),
    )
    .unwrap();
    digest
}

/// A Docker v2 manifest over a config and layers.
pub fn manifest(config: &str, layers: &[&str]) -> String {
    let layers: Vec<Value> = layers
        .iter()
        .map(|d| json!({ "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 1, "digest": d }))
        .collect();
    json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": { "mediaType": "application/vnd.docker.container.image.v1+json", "size": 1, "digest": config },
        "layers": layers,
    })
    .to_string()
}

/// A repository with a pushed image per tag given (each image distinct); returns the digests.
pub fn repo_with_images(state: &mut State, repo: &str, tags: &[Option<&str>]) -> Vec<String> {
    if !state.repos.contains_key(repo) {
        call(state, "CreateRepository", json!({ "repositoryName": repo })).unwrap();
    }
    let config = upload(state, repo, b"{\"config\":true}");
    tags.iter()
        .enumerate()
        .map(|(i, tag)| {
            let layer = upload(state, repo, format!("layer-{repo}-{i}").as_bytes());
            let m = manifest(&config, &[&layer]);
            let mut body = json!({ "repositoryName": repo, "imageManifest": m });
            if let Some(t) = tag {
                body["imageTag"] = (*t).into();
            }
            let out = call_at(state, "PutImage", body, T0 + i as i64 * 1000).unwrap();
            out["image"]["imageId"]["imageDigest"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}
