//! Manifests: the four media types ecrp accepts, parsing of image manifests and indexes, and
//! GET/HEAD with the digest of what arrived checked against what was asked for and announced.

use std::collections::BTreeMap;

use bytes::Bytes;
use http::{HeaderMap, Method};
use serde::{Deserialize, Serialize};

use super::client::RegistryClient;
use super::error::RegistryError;
use super::reference::{Digest, Target};
use super::transport::endpoint;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
pub const DOCKER_MANIFEST: &str = "application/vnd.docker.distribution.manifest.v2+json";
const DOCKER_SCHEMA1: &[&str] = &[
    "application/vnd.docker.distribution.manifest.v1+json",
    "application/vnd.docker.distribution.manifest.v1+prettyjws",
];

/// Manifests larger than this are refused (the distribution registry's own limit is 4 MiB).
pub const MANIFEST_CAP: u64 = 4 << 20;

/// The Accept header for manifest requests: every type ecrp can read, indexes first.
pub fn accept_header() -> String {
    [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].join(", ")
}

pub fn is_index_type(mt: &str) -> bool {
    mt == OCI_INDEX || mt == DOCKER_LIST
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Platform {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub variant: Option<String>,
    #[serde(
        rename = "os.version",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub os_version: Option<String>,
}

impl std::fmt::Display for Platform {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.architecture)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

/// A content descriptor; `digest` is checked to be a digest before it goes into a URL path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<BTreeMap<String, String>>,
}

impl Descriptor {
    pub fn parsed_digest(&self) -> Result<Digest, String> {
        Digest::parse(&self.digest)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageManifest {
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageIndex {
    pub manifests: Vec<Descriptor>,
    #[serde(default)]
    pub annotations: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ManifestKind {
    Image(ImageManifest),
    Index(ImageIndex),
}

/// A manifest as received: its exact bytes, its digest (verified) and what it says.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub digest: Digest,
    pub media_type: String,
    pub bytes: Bytes,
    pub kind: ManifestKind,
}

/// What HEAD tells: enough to know whether and what a manifest is without its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestHead {
    pub digest: Option<Digest>,
    pub media_type: Option<String>,
    pub size: Option<u64>,
}

impl RegistryClient {
    /// GET a manifest. The bytes must hash to the reference's digest (when pulling by digest) and
    /// to Docker-Content-Digest (when sent); anything else is a lying or corrupted server.
    pub async fn get_manifest(
        &self,
        name: &str,
        target: &Target,
    ) -> Result<Manifest, RegistryError> {
        let url = self.url(name, &format!("manifests/{}", target.as_path()));
        let ep = endpoint(&Method::GET, &url);
        let resp = self
            .request(Method::GET, url, &pull_scope(name), Some(&accept_header()))
            .await?;
        let headers = resp.headers().clone();
        let bytes = self
            .transport
            .read_capped(&ep, resp, MANIFEST_CAP, "manifest")
            .await?;
        let digest = verify_manifest_digest(&ep, target, &headers, &bytes)?;
        let (media_type, kind) = parse_manifest(&ep, content_type(&headers), &bytes)?;
        Ok(Manifest {
            digest,
            media_type,
            bytes,
            kind,
        })
    }

    /// HEAD a manifest: its digest, media type and size as the registry announces them.
    pub async fn head_manifest(
        &self,
        name: &str,
        target: &Target,
    ) -> Result<ManifestHead, RegistryError> {
        let url = self.url(name, &format!("manifests/{}", target.as_path()));
        let ep = endpoint(&Method::HEAD, &url);
        let resp = self
            .request(Method::HEAD, url, &pull_scope(name), Some(&accept_header()))
            .await?;
        let h = resp.headers();
        let digest = match docker_content_digest(&ep, h)? {
            Some(d) => Some(d),
            None => match target {
                Target::Digest(d) => Some(d.clone()),
                Target::Tag(_) => None,
            },
        };
        Ok(ManifestHead {
            digest,
            media_type: content_type(h).map(str::to_string),
            size: super::transport::content_length(h),
        })
    }
}

pub(crate) fn pull_scope(name: &str) -> String {
    format!("repository:{name}:pull")
}

/// The Content-Type without parameters.
fn content_type(h: &HeaderMap) -> Option<&str> {
    let v = h.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    Some(v.split(';').next().unwrap_or(v).trim())
}

pub(crate) fn docker_content_digest(
    ep: &str,
    h: &HeaderMap,
) -> Result<Option<Digest>, RegistryError> {
    let Some(v) = h.get("docker-content-digest") else {
        return Ok(None);
    };
    let s = v
        .to_str()
        .map_err(|_| RegistryError::bad(ep, "the Docker-Content-Digest header is not text"))?;
    Digest::parse(s.trim())
        .map(Some)
        .map_err(|e| RegistryError::bad(ep, format!("Docker-Content-Digest: {e}")))
}

fn verify_manifest_digest(
    ep: &str,
    target: &Target,
    headers: &HeaderMap,
    bytes: &[u8],
) -> Result<Digest, RegistryError> {
    let mismatch = |expected: &Digest, actual: Digest| RegistryError::DigestMismatch {
        endpoint: ep.to_string(),
        expected: expected.to_string(),
        actual: actual.to_string(),
    };
    if let Target::Digest(want) = target {
        want.verify(bytes)
            .map_err(|actual| mismatch(want, actual))?;
    }
    if let Some(announced) = docker_content_digest(ep, headers)? {
        announced
            .verify(bytes)
            .map_err(|actual| mismatch(&announced, actual))?;
    }
    Ok(match target {
        Target::Digest(d) => d.clone(),
        Target::Tag(_) => Digest::sha256(bytes),
    })
}

/// The media type (from the body's `mediaType`, else Content-Type, else the shape) and the parse.
pub fn parse_manifest(
    ep: &str,
    content_type: Option<&str>,
    bytes: &[u8],
) -> Result<(String, ManifestKind), RegistryError> {
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Probe {
        #[serde(default)]
        media_type: Option<String>,
        #[serde(default)]
        schema_version: Option<u32>,
        #[serde(default)]
        manifests: Option<serde::de::IgnoredAny>,
    }
    let probe: Probe = serde_json::from_slice(bytes)
        .map_err(|e| RegistryError::bad(ep, format!("the manifest is not JSON ({e})")))?;
    let known = |t: &str| [OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST].contains(&t);
    let media_type = match (probe.media_type.as_deref(), content_type) {
        (Some(t), _) if known(t) => t.to_string(),
        (_, Some(t)) if known(t) => t.to_string(),
        (Some(t), _) | (_, Some(t)) if DOCKER_SCHEMA1.contains(&t) => {
            return Err(RegistryError::bad(
                ep,
                "Docker schema 1 manifests are not supported (deprecated since 2017)",
            ));
        }
        _ if probe.schema_version == Some(1) => {
            return Err(RegistryError::bad(
                ep,
                "Docker schema 1 manifests are not supported (deprecated since 2017)",
            ));
        }
        // OCI allows omitting mediaType; the shape tells.
        _ if probe.manifests.is_some() => OCI_INDEX.to_string(),
        _ => OCI_MANIFEST.to_string(),
    };
    let kind = if is_index_type(&media_type) {
        let index: ImageIndex = serde_json::from_slice(bytes)
            .map_err(|e| RegistryError::bad(ep, format!("the image index is invalid ({e})")))?;
        for d in &index.manifests {
            d.parsed_digest()
                .map_err(|e| RegistryError::bad(ep, format!("index entry: {e}")))?;
        }
        ManifestKind::Index(index)
    } else {
        let m: ImageManifest = serde_json::from_slice(bytes)
            .map_err(|e| RegistryError::bad(ep, format!("the image manifest is invalid ({e})")))?;
        for d in std::iter::once(&m.config).chain(&m.layers) {
            d.parsed_digest()
                .map_err(|e| RegistryError::bad(ep, format!("manifest descriptor: {e}")))?;
        }
        ManifestKind::Image(m)
    };
    Ok((media_type, kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn image_and_index_parse() {
        let img = format!(
            r#"{{"schemaVersion":2,"mediaType":"{DOCKER_MANIFEST}","config":{{"mediaType":"c","digest":"{D}","size":3}},"layers":[{{"mediaType":"l","digest":"{D}","size":5}}],"annotations":{{"a":"b"}}}}"#
        );
        let (mt, kind) = parse_manifest("e", Some("application/json"), img.as_bytes()).unwrap();
        assert_eq!(mt, DOCKER_MANIFEST);
        let ManifestKind::Image(m) = kind else {
            panic!()
        };
        assert_eq!(m.layers[0].size, 5);
        assert_eq!(m.annotations.unwrap()["a"], "b");

        let idx = format!(
            r#"{{"schemaVersion":2,"manifests":[{{"mediaType":"{OCI_MANIFEST}","digest":"{D}","size":9,"platform":{{"os":"linux","architecture":"arm64","variant":"v8"}}}}]}}"#
        );
        let (mt, kind) = parse_manifest("e", None, idx.as_bytes()).unwrap();
        assert_eq!(mt, OCI_INDEX);
        let ManifestKind::Index(i) = kind else {
            panic!()
        };
        assert_eq!(
            i.manifests[0].platform.as_ref().unwrap().to_string(),
            "linux/arm64/v8"
        );
    }

    #[test]
    fn bad_manifests_are_errors() {
        let e = parse_manifest("e", None, b"nope").unwrap_err().to_string();
        assert!(e.contains("not JSON"), "{e}");
        let e = parse_manifest("e", None, br#"{"schemaVersion":1,"fsLayers":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(e.contains("schema 1"), "{e}");
        let bad = r#"{"manifests":[{"digest":"sha256:../../etc","size":1}]}"#;
        let e = parse_manifest("e", None, bad.as_bytes())
            .unwrap_err()
            .to_string();
        assert!(e.contains("index entry"), "{e}");
    }

    #[test]
    fn digests_are_checked_both_ways() {
        let body = b"{}";
        let right = Digest::sha256(body);
        let mut h = HeaderMap::new();
        h.insert("docker-content-digest", right.to_string().parse().unwrap());
        let got = verify_manifest_digest("e", &Target::Tag("t".into()), &h, body).unwrap();
        assert_eq!(got, right);
        let wrong = Digest::parse(D).unwrap();
        let e = verify_manifest_digest("e", &Target::Digest(wrong), &HeaderMap::new(), body)
            .unwrap_err();
        assert!(matches!(e, RegistryError::DigestMismatch { .. }));
        h.insert("docker-content-digest", D.parse().unwrap());
        let e = verify_manifest_digest("e", &Target::Tag("t".into()), &h, body).unwrap_err();
        assert!(e.to_string().contains("digest mismatch"), "{e}");
    }
}
