//! `--synthetic REPO=COUNT`: a repository with COUNT tagged images, built fast. All images share
//! one real config blob and three real layers (kept in the blob store); each manifest differs by
//! an annotation, so each has its own true digest. Manifests are not stored: the repository keeps
//! a template and each image its build number, and the bytes are regenerated when pulled.

use super::content::{self, OCI, OCI_CONFIG, Platform, archive::File};
use super::error::ApiResult;
use super::image::OCI_MANIFEST;
use super::layer::add_blob;
use super::state::{Image, Repository, State, SyntheticManifest, TagRef};

const MTIME: u64 = 1_700_000_000;

/// The shared content: a base, a runtime and an application layer, and their config.
fn content(name: &str, now_ms: i64) -> (content::Blob, Vec<content::Layer>) {
    let files: [(&str, String); 3] = [
        ("etc/os-release", "NAME=\"alpine\"\nID=alpine\n".into()),
        ("usr/lib/runtime.txt", "synthetic runtime\n".into()),
        ("app/build.txt", format!("synthetic images of {name}\n")),
    ];
    let layers: Vec<content::Layer> = files
        .iter()
        .map(|(path, text)| {
            let f = [File {
                path,
                bytes: text.as_bytes(),
            }];
            content::layer(&f, MTIME, format!("COPY {path} /{path} # buildkit"))
        })
        .collect();
    let platform = Platform::parse("linux/amd64");
    let spec = content::ConfigSpec {
        platform: &platform,
        created_ms: now_ms,
        env: vec!["PATH=/usr/local/bin:/usr/bin:/bin".into()],
        entrypoint: vec!["/app/run".into()],
        cmd: vec![],
        working_dir: "/app",
        user: "app",
        ports: &[],
        volumes: &[],
        labels: vec![("org.opencontainers.image.title", name.to_string())],
        stop_signal: "SIGTERM",
    };
    (content::config(&spec, &layers), layers)
}

pub fn add(state: &mut State, name: &str, count: usize, now_ms: i64) -> ApiResult<()> {
    state.insert_repo(Repository::new(name.to_string(), now_ms - 400 * 86_400_000));
    let (config, layers) = content(name, now_ms);
    add_blob(state, name, &config, OCI_CONFIG)?;
    for l in &layers {
        add_blob(state, name, &l.blob, OCI.layer)?;
    }
    // The manifest of `content::manifest` with an annotation appended before its last brace.
    let plain = content::manifest(OCI, &config, &layers, None);
    let prefix = format!(
        r#"{},"annotations":{{"org.opencontainers.image.version":""#,
        plain.strip_suffix('}').unwrap_or(&plain)
    );
    let template = SyntheticManifest {
        prefix,
        suffix: "\"}}".into(),
    };
    let size: i64 = layers.iter().map(|l| l.blob.size()).sum();
    let repo = state.repo_mut(name)?;
    repo.images.reserve(count);
    let mut manifest = String::with_capacity(template.prefix.len() + 32);
    for i in 0..count {
        let tag = format!("build-{i:06}");
        manifest.clear();
        manifest.push_str(&template.prefix);
        manifest.push_str(&tag);
        manifest.push_str(&template.suffix);
        let digest = content::sha256(manifest.as_bytes());
        // One image a minute, the newest a minute ago.
        let pushed_ms = now_ms - (count - i) as i64 * 60_000;
        repo.image_tags.insert(
            tag.clone(),
            TagRef {
                digest: digest.clone(),
                created_ms: pushed_ms,
            },
        );
        repo.changed.tags.insert(tag.clone());
        repo.insert_image(Image {
            digest,
            tags: vec![tag],
            size,
            pushed_ms,
            media_type: OCI_MANIFEST.to_string(),
            artifact_media_type: Some(OCI_CONFIG.to_string()),
            children: Vec::new(),
            manifest: None,
            synthetic: Some(i as u32),
        });
    }
    repo.synthetic = Some(template);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::seed;

    #[test]
    fn synthetic_images_are_consistent() {
        let mut state = seed::build(crate::emulator::Seed::Empty, 1_700_000_000_000).unwrap();
        let t = std::time::Instant::now();
        add(&mut state, "big", 20_000, 1_700_000_000_000).unwrap();
        eprintln!("20k synthetic images in {:?}", t.elapsed());
        let repo = state.repo("big").unwrap();
        assert_eq!(repo.images.len(), 20_000);
        assert_eq!(repo.image_tags.len(), 20_000);
        assert_eq!(repo.order.len(), 20_000);
        let newest = repo
            .order
            .iter()
            .next()
            .map(|(_, d)| &repo.images[d])
            .unwrap();
        assert_eq!(newest.tags, vec!["build-019999".to_string()]);
        // The regenerated manifest is the one the digest was computed from, and its layers'
        // sizes add up to the image size.
        let m = repo.manifest_of(newest).unwrap();
        assert_eq!(content::sha256(m.as_bytes()), newest.digest);
        let doc: serde_json::Value = serde_json::from_str(&m).unwrap();
        let sum: i64 = doc["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["size"].as_i64().unwrap())
            .sum();
        assert_eq!(newest.size, sum);
        for l in doc["layers"].as_array().unwrap() {
            assert!(state.blobs.contains(l["digest"].as_str().unwrap()));
        }
    }
}
