//! Reading an OCI image layout directory (`oci-layout`, `index.json`, `blobs/<alg>/<hex>`) into a
//! push plan, without any network: which manifests to put (children of an index first), which blobs
//! they need, and every blob checked against its descriptor's digest and size.
//!
//! This is what `docker buildx build --output type=oci`, `skopeo copy … oci:DIR:TAG`, `crane` and
//! `oras` write. Errors name the file and what is wrong with it, since the layout usually comes
//! from another tool and the user has to know which part to regenerate.

use std::collections::{BTreeMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::sanitize::clean_line;

pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
pub const DOCKER_MANIFEST_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";
/// The annotation image tools put the tag in, on index.json's descriptors.
pub const REF_NAME: &str = "org.opencontainers.image.ref.name";
/// Indexes nest (an index of indexes is legal); this bounds a malicious or cyclic layout.
const MAX_DEPTH: usize = 4;

/// A content descriptor: what index.json and manifests say a blob is.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Descriptor {
    #[serde(default)]
    pub media_type: String,
    pub digest: String,
    pub size: u64,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub platform: Option<Platform>,
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Platform {
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    pub fn label(&self) -> String {
        match &self.variant {
            Some(v) => format!("{}/{}/{v}", self.os, self.architecture),
            None => format!("{}/{}", self.os, self.architecture),
        }
    }
}

#[derive(Deserialize)]
struct IndexDoc {
    #[serde(default)]
    manifests: Vec<Descriptor>,
}

/// A manifest or index to PutImage: its exact bytes (the digest is of these) and media type.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub digest: String,
    pub media_type: String,
    pub text: String,
    /// Set for a child of an index, for the progress line.
    pub platform: Option<String>,
    /// Config and layers (empty for an index).
    pub blobs: Vec<Descriptor>,
    pub is_index: bool,
}

/// One tag to push: `manifests` in push order, the last one being the image the tag names; the
/// ones before it are an index's children, pushed by digest.
#[derive(Debug, Clone)]
pub struct ImagePlan {
    pub tag: String,
    pub manifests: Vec<Manifest>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub images: Vec<ImagePlan>,
    /// Every blob the manifests need, each digest once, in first-use order.
    pub blobs: Vec<Descriptor>,
}

impl Plan {
    pub fn total_bytes(&self) -> u64 {
        self.blobs.iter().map(|b| b.size).sum()
    }
}

#[derive(Debug, Clone)]
pub struct Layout {
    pub dir: PathBuf,
    pub entries: Vec<Descriptor>,
}

/// The tag in a ref.name annotation: tools write either a bare tag (`v1`) or a whole reference
/// (`docker.io/library/alpine:3.20`); a reference by digest has no tag.
pub fn tag_of(ref_name: &str) -> Option<&str> {
    let (name, by_digest) = match ref_name.split_once('@') {
        Some((name, _)) => (name, true),
        None => (ref_name, false),
    };
    match name.rfind(':') {
        // A colon after the last slash starts a tag; one before it is a registry's port.
        Some(i) if !name[i..].contains('/') => Some(&name[i + 1..]).filter(|t| !t.is_empty()),
        _ if by_digest || name.contains(['/', ':']) || name.is_empty() => None,
        _ => Some(name),
    }
}

/// `sha256:<64 hex>` only: ECR Public addresses content by sha256, and a strict check keeps
/// a digest from index.json from naming a path outside `blobs/`.
fn check_digest(d: &str) -> Result<&str> {
    match d.split_once(':') {
        Some(("sha256", hex))
            if hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) =>
        {
            Ok(hex)
        }
        Some((alg, _)) if alg != "sha256" => {
            bail!("digest {d:?} uses {alg}; only sha256 is supported")
        }
        _ => bail!("{d:?} is not a sha256 digest (sha256: and 64 lowercase hex digits)"),
    }
}

impl Layout {
    pub fn open(dir: &Path) -> Result<Layout> {
        if !dir.is_dir() {
            bail!(
                "{}: not a directory (an OCI image layout is a directory; untar an OCI tarball first)",
                dir.display()
            );
        }
        let marker = dir.join("oci-layout");
        let text = std::fs::read_to_string(&marker).with_context(|| {
            format!(
                "{}: not an OCI image layout (no readable oci-layout file)",
                dir.display()
            )
        })?;
        let v: Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not valid JSON", marker.display()))?;
        if v.get("imageLayoutVersion")
            .and_then(Value::as_str)
            .is_none()
        {
            bail!("{}: no imageLayoutVersion", marker.display());
        }
        let index = dir.join("index.json");
        let bytes =
            std::fs::read(&index).with_context(|| format!("{}: cannot read", index.display()))?;
        let doc: IndexDoc = serde_json::from_slice(&bytes)
            .with_context(|| format!("{}: not a valid OCI index", index.display()))?;
        if doc.manifests.is_empty() {
            bail!("{}: lists no manifests", index.display());
        }
        Ok(Layout {
            dir: dir.to_path_buf(),
            entries: doc.manifests,
        })
    }

    pub fn blob_path(&self, digest: &str) -> Result<PathBuf> {
        let hex = check_digest(digest)?;
        Ok(self.dir.join("blobs").join("sha256").join(hex))
    }

    fn index_path(&self) -> String {
        self.dir.join("index.json").display().to_string()
    }

    /// The tags index.json names, for messages.
    fn tags(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter_map(|e| e.annotations.get(REF_NAME).and_then(|r| tag_of(r)))
            .collect()
    }

    /// Which index.json entries to push, with the tag each gets. `tag` picks by ref.name (or
    /// names the only, untagged, entry); without it the only entry is pushed under its own
    /// ref.name, else `latest` as docker does; `all_tags` takes every tagged entry.
    pub fn select(&self, tag: Option<&str>, all_tags: bool) -> Result<Vec<(String, Descriptor)>> {
        let tagged = |e: &Descriptor| {
            e.annotations
                .get(REF_NAME)
                .and_then(|r| tag_of(r))
                .map(str::to_string)
        };
        let listing = || {
            let tags = self.tags();
            if tags.is_empty() {
                format!(
                    "{} manifest(s), none tagged with {REF_NAME}",
                    self.entries.len()
                )
            } else {
                let tags: Vec<_> = tags.into_iter().map(clean_line).collect();
                format!("tags: {}", tags.join(", "))
            }
        };
        if all_tags {
            let all: Vec<_> = self
                .entries
                .iter()
                .filter_map(|e| Some((tagged(e)?, e.clone())))
                .collect();
            if all.is_empty() {
                bail!(
                    "{}: no tagged manifest for --all-tags ({})",
                    self.index_path(),
                    listing()
                );
            }
            // Pushing both would leave the tag on whichever went last.
            for (i, (t, d)) in all.iter().enumerate() {
                if all[..i].iter().any(|(u, e)| u == t && e.digest != d.digest) {
                    bail!(
                        "{}: different manifests are tagged '{}'",
                        self.index_path(),
                        clean_line(t)
                    );
                }
            }
            return Ok(all);
        }
        match tag {
            Some(t) => {
                let hits: Vec<&Descriptor> = self
                    .entries
                    .iter()
                    .filter(|e| tagged(e).as_deref() == Some(t))
                    .collect();
                match hits.as_slice() {
                    [one] => Ok(vec![(t.to_string(), (*one).clone())]),
                    [] if self.entries.len() == 1 && tagged(&self.entries[0]).is_none() => {
                        Ok(vec![(t.to_string(), self.entries[0].clone())])
                    }
                    [] => bail!(
                        "{}: no manifest tagged '{t}' ({})",
                        self.index_path(),
                        listing()
                    ),
                    _ if hits.iter().all(|h| h.digest == hits[0].digest) => {
                        Ok(vec![(t.to_string(), hits[0].clone())])
                    }
                    _ => bail!(
                        "{}: different manifests are tagged '{t}'",
                        self.index_path()
                    ),
                }
            }
            None => match self.entries.as_slice() {
                [one] => Ok(vec![(
                    tagged(one).unwrap_or_else(|| "latest".into()),
                    one.clone(),
                )]),
                _ => bail!(
                    "{}: {} manifests ({}): name one with REPO:TAG, or push them all with --all-tags",
                    self.index_path(),
                    self.entries.len(),
                    listing()
                ),
            },
        }
    }

    /// A small blob (manifest or index), read whole and checked.
    fn read_small(&self, d: &Descriptor) -> Result<Vec<u8>> {
        let path = self.blob_path(&d.digest)?;
        let bytes = std::fs::read(&path)
            .with_context(|| format!("{}: missing blob {}", self.dir.display(), d.digest))?;
        check_bytes(&path, d, &bytes)?;
        Ok(bytes)
    }

    /// The manifests `top` needs, in push order (an index's children first, each once).
    fn load(
        &self,
        d: &Descriptor,
        depth: usize,
        out: &mut Vec<Manifest>,
        seen: &mut HashSet<String>,
    ) -> Result<()> {
        if depth > MAX_DEPTH {
            bail!(
                "{}: indexes nested deeper than {MAX_DEPTH}",
                self.index_path()
            );
        }
        let bytes = self.read_small(d)?;
        let path = self.blob_path(&d.digest)?;
        let text = String::from_utf8(bytes)
            .with_context(|| format!("{}: manifest is not UTF-8", path.display()))?;
        let doc: Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: manifest is not valid JSON", path.display()))?;
        // The media type the manifest declares wins; PutImage refuses a request that disagrees.
        let media_type = doc
            .get("mediaType")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .unwrap_or(&d.media_type)
            .to_string();
        if media_type.is_empty() {
            bail!(
                "{}: neither the manifest nor its descriptor names a mediaType",
                path.display()
            );
        }
        let platform = d.platform.as_ref().map(Platform::label);
        let is_index = media_type == OCI_INDEX
            || media_type == DOCKER_MANIFEST_LIST
            || doc.get("manifests").is_some();
        let mut blobs = Vec::new();
        if is_index {
            let children: Vec<Descriptor> =
                serde_json::from_value(doc.get("manifests").cloned().unwrap_or(Value::Null))
                    .with_context(|| {
                        format!("{}: index has no valid manifests list", path.display())
                    })?;
            for c in &children {
                self.load(c, depth + 1, out, seen)?;
            }
        } else {
            let parse = |v: Option<&Value>, what: &str| -> Result<Value> {
                v.cloned()
                    .with_context(|| format!("{}: manifest has no {what}", path.display()))
            };
            let config: Descriptor = serde_json::from_value(parse(doc.get("config"), "config")?)
                .with_context(|| format!("{}: invalid config descriptor", path.display()))?;
            let layers: Vec<Descriptor> =
                serde_json::from_value(parse(doc.get("layers"), "layers")?)
                    .with_context(|| format!("{}: invalid layers list", path.display()))?;
            blobs.push(config);
            blobs.extend(layers);
            for b in &blobs {
                check_digest(&b.digest)
                    .with_context(|| format!("{}: bad blob digest", path.display()))?;
            }
        }
        if seen.insert(d.digest.clone()) {
            out.push(Manifest {
                digest: d.digest.clone(),
                media_type,
                text,
                platform,
                blobs,
                is_index,
            });
        }
        Ok(())
    }

    /// Reads the manifests of every selected entry (not the layer blobs: see `verify_blobs`).
    pub fn plan(&self, selected: Vec<(String, Descriptor)>) -> Result<Plan> {
        let mut images = Vec::new();
        let mut seen_blobs = HashSet::new();
        let mut blobs = Vec::new();
        for (tag, d) in selected {
            let mut manifests = Vec::new();
            self.load(&d, 0, &mut manifests, &mut HashSet::new())?;
            for m in &manifests {
                for b in &m.blobs {
                    if seen_blobs.insert(b.digest.clone()) {
                        blobs.push(b.clone());
                    }
                }
            }
            images.push(ImagePlan { tag, manifests });
        }
        Ok(Plan { images, blobs })
    }

    /// Hashes every blob file and compares digest and size with its descriptor, so a corrupt
    /// layout fails before anything is sent rather than after half an image is uploaded.
    pub fn verify_blobs(&self, blobs: &[Descriptor]) -> Result<()> {
        for d in blobs {
            let path = self.blob_path(&d.digest)?;
            let mut f = std::fs::File::open(&path)
                .with_context(|| format!("{}: missing blob {}", self.dir.display(), d.digest))?;
            let mut h = Sha256::new();
            let mut buf = vec![0u8; 1 << 20];
            let mut size = 0u64;
            loop {
                let n = f
                    .read(&mut buf)
                    .with_context(|| format!("{}: read failed", path.display()))?;
                if n == 0 {
                    break;
                }
                size += n as u64;
                h.update(&buf[..n]);
            }
            check_hash(&path, d, size, h)?;
        }
        Ok(())
    }
}

fn check_bytes(path: &Path, d: &Descriptor, bytes: &[u8]) -> Result<()> {
    check_hash(path, d, bytes.len() as u64, Sha256::new_with_prefix(bytes))
}

fn check_hash(path: &Path, d: &Descriptor, size: u64, h: Sha256) -> Result<()> {
    let got = format!("sha256:{}", hex::encode(h.finalize()));
    if got != d.digest {
        bail!(
            "{}: corrupt blob: its content hashes to {got}, not {}",
            path.display(),
            d.digest
        );
    }
    if size != d.size {
        bail!(
            "{}: the descriptor says {} bytes, the blob has {size}",
            path.display(),
            d.size
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_from_ref_names() {
        assert_eq!(tag_of("v1"), Some("v1"));
        assert_eq!(tag_of("docker.io/library/alpine:3.20"), Some("3.20"));
        assert_eq!(tag_of("localhost:5000/app"), None);
        assert_eq!(tag_of("localhost:5000/app:dev"), Some("dev"));
        assert_eq!(tag_of("app@sha256:abc"), None);
        assert_eq!(tag_of(""), None);
    }

    fn layout(entries: &[(&str, Option<&str>)]) -> Layout {
        let entries = entries
            .iter()
            .map(|(hex, tag)| Descriptor {
                media_type: OCI_INDEX.into(),
                digest: format!("sha256:{}", hex.repeat(64)),
                size: 1,
                annotations: tag
                    .iter()
                    .map(|t| (REF_NAME.to_string(), t.to_string()))
                    .collect(),
                platform: None,
            })
            .collect();
        Layout {
            dir: PathBuf::from("L"),
            entries,
        }
    }

    fn tags(r: Result<Vec<(String, Descriptor)>>) -> Vec<String> {
        r.unwrap().into_iter().map(|(t, _)| t).collect()
    }

    #[test]
    fn selecting_what_to_push() {
        let one_untagged = layout(&[("a", None)]);
        assert_eq!(tags(one_untagged.select(Some("v1"), false)), ["v1"]);
        assert_eq!(tags(one_untagged.select(None, false)), ["latest"]);
        let one_tagged = layout(&[("a", Some("example.com/app:3.1"))]);
        assert_eq!(tags(one_tagged.select(None, false)), ["3.1"]);
        let e = one_tagged.select(Some("v1"), false).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}: no manifest tagged 'v1' (tags: 3.1)",
                Path::new("L/index.json").display()
            )
        );
        let two = layout(&[("a", Some("v1")), ("b", None)]);
        assert!(
            two.select(None, false)
                .unwrap_err()
                .to_string()
                .contains("--all-tags")
        );
        assert_eq!(tags(two.select(None, true)), ["v1"]);
        let clash = layout(&[("a", Some("v1")), ("b", Some("v1"))]);
        assert!(clash.select(Some("v1"), false).is_err());
        assert!(clash.select(None, true).is_err());
        let none = layout(&[("a", None), ("b", None)]);
        let e = none.select(Some("v1"), false).unwrap_err().to_string();
        assert!(e.contains("2 manifest(s), none tagged"), "{e}");
    }

    #[test]
    fn digests_must_be_sha256_and_stay_inside_blobs() {
        assert!(check_digest(&format!("sha256:{}", "a".repeat(64))).is_ok());
        assert!(check_digest("sha256:../../etc/passwd").is_err());
        assert!(
            check_digest(&format!("sha512:{}", "a".repeat(128)))
                .unwrap_err()
                .to_string()
                .contains("sha512")
        );
        assert!(check_digest(&format!("sha256:{}", "A".repeat(64))).is_err());
    }
}
