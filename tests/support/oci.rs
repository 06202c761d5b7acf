//! OCI image layouts written in a temp dir, as buildx, skopeo, crane or oras write them, for the
//! tests that push them (`cli/push_cli`, `registry/registry_client`).

use std::path::Path;

use serde_json::{Value, json};

use super::common::{OCI_CONFIG, OCI_INDEX, OCI_LAYER, OCI_MANIFEST, sha256_digest};

/// Deterministic incompressible bytes (xorshift), so layers of a given seed are reproducible.
pub fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// An OCI image layout being written in a temp dir.
pub struct Oci {
    dir: tempfile::TempDir,
}

impl Oci {
    pub fn new() -> Oci {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("blobs/sha256")).unwrap();
        std::fs::write(
            dir.path().join("oci-layout"),
            r#"{"imageLayoutVersion":"1.0.0"}"#,
        )
        .unwrap();
        Oci { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn blob_path(&self, digest: &str) -> std::path::PathBuf {
        self.path()
            .join("blobs/sha256")
            .join(digest.trim_start_matches("sha256:"))
    }

    /// Stores `bytes` as a blob; returns its descriptor.
    pub fn blob(&self, media_type: &str, bytes: &[u8]) -> Value {
        let digest = sha256_digest(bytes);
        std::fs::write(self.blob_path(&digest), bytes).unwrap();
        json!({ "mediaType": media_type, "digest": digest, "size": bytes.len() })
    }

    /// An image manifest over a config and `layers`, stored pretty-printed with a trailing
    /// newline: re-serialising it would change its digest, so only the exact bytes can work.
    pub fn image(&self, arch: &str, layers: &[Vec<u8>]) -> Value {
        let config = self.blob(
            OCI_CONFIG,
            json!({ "architecture": arch, "os": "linux", "rootfs": { "type": "layers" } })
                .to_string()
                .as_bytes(),
        );
        let layers: Vec<Value> = layers.iter().map(|l| self.blob(OCI_LAYER, l)).collect();
        let m = json!({ "schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": config, "layers": layers });
        let mut bytes = serde_json::to_vec_pretty(&m).unwrap();
        bytes.push(b'\n');
        let mut d = self.blob(OCI_MANIFEST, &bytes);
        d["platform"] = json!({ "architecture": arch, "os": "linux" });
        d
    }

    pub fn index(&self, children: &[Value]) -> Value {
        let idx = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": children });
        self.blob(
            OCI_INDEX,
            serde_json::to_string_pretty(&idx).unwrap().as_bytes(),
        )
    }

    /// An amd64 and an arm64 image sharing their first layer (200 kB), under an index tagged
    /// `tag` in index.json: (amd64, arm64, index) descriptors. `seed` varies the bytes.
    pub fn two_platforms(&self, seed: u64, tag: &str) -> (Value, Value, Value) {
        let base = noise(seed, 200_000);
        let amd = self.image("amd64", &[base.clone(), noise(seed + 1, 5_000)]);
        let arm = self.image("arm64", &[base, noise(seed + 2, 7_000)]);
        let index = self.index(&[amd.clone(), arm.clone()]);
        self.write_index(&[(index.clone(), Some(tag))]);
        (amd, arm, index)
    }

    /// Writes index.json listing `entries`, each with its ref.name annotation when given.
    pub fn write_index(&self, entries: &[(Value, Option<&str>)]) {
        let manifests: Vec<Value> = entries
            .iter()
            .map(|(d, tag)| {
                let mut d = d.clone();
                if let Some(t) = tag {
                    d["annotations"] = json!({ "org.opencontainers.image.ref.name": t });
                }
                d
            })
            .collect();
        let idx = json!({ "schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests });
        std::fs::write(self.path().join("index.json"), idx.to_string()).unwrap();
    }
}

impl Default for Oci {
    fn default() -> Self {
        Oci::new()
    }
}
