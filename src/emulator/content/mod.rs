//! Real image content for the demo and synthetic images: layer archives, config blobs and the
//! manifests that name them, built deterministically so the same inputs give the same digests.

pub mod archive;

use axum::body::Bytes;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::image::{DOCKER_MANIFEST, DOCKER_MANIFEST_LIST, OCI_INDEX, OCI_MANIFEST};

pub const DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const DOCKER_LAYER: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";
pub const OCI_CONFIG: &str = "application/vnd.oci.image.config.v1+json";
pub const OCI_LAYER: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

/// The media types of one image format (Docker schema 2 or OCI).
#[derive(Clone, Copy)]
pub struct Format {
    pub manifest: &'static str,
    pub config: &'static str,
    pub layer: &'static str,
    pub index: &'static str,
}

pub const DOCKER: Format = Format {
    manifest: DOCKER_MANIFEST,
    config: DOCKER_CONFIG,
    layer: DOCKER_LAYER,
    index: DOCKER_MANIFEST_LIST,
};

pub const OCI: Format = Format {
    manifest: OCI_MANIFEST,
    config: OCI_CONFIG,
    layer: OCI_LAYER,
    index: OCI_INDEX,
};

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

/// A blob with its digest.
#[derive(Clone)]
pub struct Blob {
    pub digest: String,
    pub bytes: Bytes,
}

impl Blob {
    pub fn new(bytes: Vec<u8>) -> Self {
        Blob {
            digest: sha256(&bytes),
            bytes: Bytes::from(bytes),
        }
    }
    pub fn size(&self) -> i64 {
        self.bytes.len() as i64
    }
}

/// A gzipped layer and the digest of its uncompressed tar (the config's diff_id).
#[derive(Clone)]
pub struct Layer {
    pub blob: Blob,
    pub diff_id: String,
    /// The history line that made it.
    pub created_by: String,
}

pub fn layer(files: &[archive::File<'_>], mtime_secs: u64, created_by: String) -> Layer {
    let tar = archive::tar(files, mtime_secs);
    Layer {
        diff_id: sha256(&tar),
        blob: Blob::new(archive::gzip(&tar)),
        created_by,
    }
}

/// os/arch[/variant] as the config and the index's platform objects spell them.
#[derive(Clone, Debug, PartialEq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Platform {
    pub fn parse(s: &str) -> Platform {
        let (os, rest) = s.split_once('/').unwrap_or(("linux", s));
        let (arch, variant) = rest
            .split_once('/')
            .map_or((rest, None), |(a, v)| (a, Some(v.to_string())));
        Platform {
            os: os.into(),
            arch: arch.into(),
            variant,
        }
    }

    fn json(&self) -> Value {
        let mut p = json!({ "architecture": self.arch, "os": self.os });
        if let Some(v) = &self.variant {
            p["variant"] = v.as_str().into();
        }
        p
    }
}

/// What an image's config says beyond its layers.
pub struct ConfigSpec<'a> {
    pub platform: &'a Platform,
    pub created_ms: i64,
    pub env: Vec<String>,
    pub entrypoint: Vec<String>,
    pub cmd: Vec<String>,
    pub working_dir: &'a str,
    pub user: &'a str,
    pub ports: &'a [&'a str],
    pub volumes: &'a [&'a str],
    pub labels: Vec<(&'a str, String)>,
    pub stop_signal: &'a str,
}

/// The config blob: the runtime config, rootfs diff_ids, and a history in which the
/// metadata-only steps (ENV, CMD, ...) are empty layers as `docker build` records them.
pub fn config(spec: &ConfigSpec<'_>, layers: &[Layer]) -> Blob {
    let created = rfc3339(spec.created_ms);
    let set = |items: &[&str]| -> Value {
        Value::Object(items.iter().map(|i| (i.to_string(), json!({}))).collect())
    };
    let mut history: Vec<Value> = Vec::new();
    for (i, l) in layers.iter().enumerate() {
        history.push(json!({ "created": created, "created_by": l.created_by }));
        if i == 0 {
            history.push(json!({ "created": created, "created_by": "/bin/sh -c #(nop)  CMD [\"/bin/sh\"]", "empty_layer": true }));
        }
    }
    for (step, text) in [
        ("ENV", spec.env.join(" ")),
        ("WORKDIR", spec.working_dir.to_string()),
        ("USER", spec.user.to_string()),
        ("EXPOSE", spec.ports.join(" ")),
        ("ENTRYPOINT", format!("{:?}", spec.entrypoint)),
        ("CMD", format!("{:?}", spec.cmd)),
    ] {
        history.push(json!({ "created": created, "created_by": format!("{step} {text}"), "comment": "buildkit.dockerfile.v0", "empty_layer": true }));
    }
    let mut doc = spec.platform.json();
    doc["created"] = created.clone().into();
    doc["config"] = json!({
        "User": spec.user,
        "ExposedPorts": set(spec.ports),
        "Env": spec.env,
        "Entrypoint": spec.entrypoint,
        "Cmd": spec.cmd,
        "Volumes": set(spec.volumes),
        "WorkingDir": spec.working_dir,
        "Labels": Value::Object(spec.labels.iter().map(|(k, v)| (k.to_string(), v.as_str().into())).collect()),
        "StopSignal": spec.stop_signal,
    });
    doc["rootfs"] = json!({ "type": "layers", "diff_ids": layers.iter().map(|l| l.diff_id.as_str()).collect::<Vec<_>>() });
    doc["history"] = history.into();
    // Encoding a Value cannot fail.
    Blob::new(serde_json::to_vec(&doc).unwrap_or_default())
}

/// An image manifest naming the config and layers, with an optional version annotation.
pub fn manifest(format: Format, config: &Blob, layers: &[Layer], version: Option<&str>) -> String {
    let mut m = json!({
        "schemaVersion": 2,
        "mediaType": format.manifest,
        "config": { "mediaType": format.config, "size": config.size(), "digest": config.digest },
        "layers": layers.iter().map(|l| json!({ "mediaType": format.layer, "size": l.blob.size(), "digest": l.blob.digest })).collect::<Vec<_>>(),
    });
    if let Some(v) = version {
        m["annotations"] = json!({ "org.opencontainers.image.version": v });
    }
    m.to_string()
}

/// An index over platform manifests: (manifest bytes, platform, digest).
pub fn index(format: Format, children: &[(String, Platform, String)]) -> String {
    json!({
        "schemaVersion": 2,
        "mediaType": format.index,
        "manifests": children.iter().map(|(m, p, digest)| json!({
            "mediaType": format.manifest, "size": m.len(), "digest": digest, "platform": p.json(),
        })).collect::<Vec<_>>(),
    })
    .to_string()
}

/// Epoch milliseconds as RFC 3339 UTC (`2026-01-02T03:04:05Z`), the form image configs use.
pub fn rfc3339(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_platforms() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_700_000_000_000), "2023-11-14T22:13:20Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        let p = Platform::parse("linux/arm/v7");
        assert_eq!((p.os.as_str(), p.arch.as_str()), ("linux", "arm"));
        assert_eq!(p.variant.as_deref(), Some("v7"));
    }

    #[test]
    fn config_lists_one_diff_id_per_layer_and_empty_history_steps() {
        let l = layer(
            &[archive::File {
                path: "a.txt",
                bytes: b"a",
            }],
            0,
            "COPY a.txt /".into(),
        );
        let p = Platform::parse("linux/amd64");
        let spec = ConfigSpec {
            platform: &p,
            created_ms: 0,
            env: vec!["A=1".into()],
            entrypoint: vec!["/x".into()],
            cmd: vec![],
            working_dir: "/",
            user: "root",
            ports: &["80/tcp"],
            volumes: &[],
            labels: vec![],
            stop_signal: "SIGTERM",
        };
        let c = config(&spec, std::slice::from_ref(&l));
        let doc: Value = serde_json::from_slice(&c.bytes).unwrap();
        assert_eq!(doc["rootfs"]["diff_ids"][0], l.diff_id.as_str());
        let history = doc["history"].as_array().unwrap();
        let real = history
            .iter()
            .filter(|h| h.get("empty_layer").is_none())
            .count();
        assert_eq!(real, 1);
        assert_eq!(doc["config"]["ExposedPorts"]["80/tcp"], json!({}));
        let m: Value = serde_json::from_str(&manifest(OCI, &c, &[l], None)).unwrap();
        assert_eq!(m["config"]["digest"], c.digest.as_str());
    }
}
