//! `--synthetic REPO=COUNT`: a repository with COUNT tagged images, built fast. All images share
//! one config and three layers (uploaded as real layers of the repository); each manifest differs
//! by an annotation, so each has its own true digest (sha256 of its bytes), as PutImage would give.

use sha2::{Digest, Sha256};

use super::error::ApiResult;
use super::image::OCI_MANIFEST;
use super::layer::add_layer;
use super::state::{Image, Repository, State, TagRef};

const CONFIG_MEDIA_TYPE: &str = "application/vnd.oci.image.config.v1+json";
const LAYER_MEDIA_TYPE: &str = "application/vnd.oci.image.layer.v1.tar+gzip";

fn fake_digest(seed: &str) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(seed.as_bytes())))
}

pub fn add(state: &mut State, name: &str, count: usize, now_ms: i64) -> ApiResult<()> {
    state.repos.insert(
        name.to_string(),
        Repository::new(name.to_string(), now_ms - 400 * 86_400_000),
    );
    let config = (fake_digest(&format!("{name}/config")), 1_469_i64);
    let layers: Vec<(String, i64)> = (0..3)
        .map(|i| {
            (
                fake_digest(&format!("{name}/layer/{i}")),
                [29_124_657, 4_201_113, 812_004][i],
            )
        })
        .collect();
    add_layer(state, name, &config.0, config.1, CONFIG_MEDIA_TYPE)?;
    for (d, s) in &layers {
        add_layer(state, name, d, *s, LAYER_MEDIA_TYPE)?;
    }
    let layer_json: String = layers
        .iter()
        .map(|(d, s)| format!(r#"{{"mediaType":"{LAYER_MEDIA_TYPE}","digest":"{d}","size":{s}}}"#))
        .collect::<Vec<_>>()
        .join(",");
    let prefix = format!(
        r#"{{"schemaVersion":2,"mediaType":"{OCI_MANIFEST}","config":{{"mediaType":"{CONFIG_MEDIA_TYPE}","digest":"{}","size":{}}},"layers":[{layer_json}],"annotations":{{"org.opencontainers.image.version":""#,
        config.0, config.1
    );
    let size: i64 = layers.iter().map(|(_, s)| s).sum();
    let repo = state.repo_mut(name)?;
    repo.images.reserve(count);
    let mut manifest = String::with_capacity(prefix.len() + 32);
    for i in 0..count {
        let tag = format!("build-{i:06}");
        manifest.clear();
        manifest.push_str(&prefix);
        manifest.push_str(&tag);
        manifest.push_str("\"}}");
        let digest = format!(
            "sha256:{}",
            hex::encode(Sha256::digest(manifest.as_bytes()))
        );
        // One image a minute, the newest a minute ago.
        let pushed_ms = now_ms - (count - i) as i64 * 60_000;
        repo.image_tags.insert(
            tag.clone(),
            TagRef {
                digest: digest.clone(),
                created_ms: pushed_ms,
            },
        );
        repo.insert_image(Image {
            digest,
            tags: vec![tag],
            size,
            pushed_ms,
            media_type: OCI_MANIFEST.to_string(),
            artifact_media_type: Some(CONFIG_MEDIA_TYPE.to_string()),
            children: Vec::new(),
        });
    }
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
        assert_eq!(newest.size, 29_124_657 + 4_201_113 + 812_004);
    }
}
