//! `ecrp prune --restore JOURNAL`: the journalled images back with PutImage, same bytes (so the
//! same digests) and tags, platform manifests before the indexes that reference them. PutImage
//! needs the layers to be there still; what cannot come back is reported with the service's code.
//! A tag that meanwhile names another image is left where it is: moving it back would change
//! what people pull, which an undo must not do behind their back.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use anyhow::Result;
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::journal;
use crate::aws::{Api, PushTarget, PutOutcome, collect_all};
use crate::sanitize::clean_line;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageRestore {
    pub image_digest: String,
    /// `restored`, `present` (it was never gone, or came back already) or `failed`.
    pub status: &'static str,
    pub tags_restored: Vec<String>,
    /// Tags not put back, each with why (`CODE: message`).
    pub tags_skipped: Vec<(String, String)>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RestoreReport {
    pub repository_name: String,
    pub images: Vec<ImageRestore>,
}

impl RestoreReport {
    pub fn failed(&self) -> bool {
        self.images
            .iter()
            .any(|i| i.status == "failed" || !i.tags_skipped.is_empty())
    }
}

/// Restore the journal at `path`, printing one line per image; the report says what came back.
/// Generic over the writer so the TUI's task (writing to a buffer) stays `Send`.
pub async fn run<W: Write>(api: &Api, path: &Path, out: &mut W) -> Result<Vec<RestoreReport>> {
    let j = journal::read(path).map_err(anyhow::Error::msg)?;
    api.check_can_push()?;
    // The registry the images were deleted from, whatever the command line says.
    let api = &api.clone().with_registry_id(j.registry_id.clone());
    let target = PushTarget {
        registry_id: j.registry_id.clone(),
        repository: j.repository_name.clone(),
    };
    // Where each tag points now.
    let current: HashMap<String, String> = collect_all(api.image_tags(&j.repository_name, None))
        .await?
        .into_iter()
        .map(|t| (t.image_tag.to_string(), t.image_digest.to_string()))
        .collect();
    let mut report = RestoreReport {
        repository_name: j.repository_name.clone(),
        images: Vec::new(),
    };
    // The journal is in deletion order (indexes first): backwards puts manifests first.
    for image in j.images.iter().rev() {
        let r = restore_one(api, &target, image, &current).await;
        print_line(out, &r)?;
        report.images.push(r);
    }
    let back = report
        .images
        .iter()
        .filter(|i| i.status != "failed")
        .count();
    writeln!(
        out,
        "{}: {back} of {} image(s) back",
        clean_line(&report.repository_name),
        report.images.len()
    )?;
    Ok(vec![report])
}

async fn restore_one(
    api: &Api,
    target: &PushTarget,
    image: &journal::JournalImage,
    current: &HashMap<String, String>,
) -> ImageRestore {
    let mut r = ImageRestore {
        image_digest: image.image_digest.clone(),
        status: "failed",
        tags_restored: Vec::new(),
        tags_skipped: Vec::new(),
        error: None,
    };
    let text = match checked_manifest(image) {
        Ok(t) => t,
        Err(e) => {
            r.error = Some(e);
            return r;
        }
    };
    let (free, taken): (Vec<&String>, Vec<&String>) = image
        .image_tags
        .iter()
        .partition(|t| current.get(*t).is_none_or(|d| *d == image.image_digest));
    for t in taken {
        r.tags_skipped.push((
            t.clone(),
            format!("TagInUse: now names {}, left there", current[t]),
        ));
    }
    let first = free.first().map(|t| t.as_str());
    match api
        .put_image(
            target,
            &text,
            &image.image_manifest_media_type,
            first,
            &image.image_digest,
        )
        .await
    {
        Ok(PutOutcome::Put) => r.status = "restored",
        Ok(PutOutcome::AlreadyExists) => r.status = "present",
        Err(e) => {
            r.error = Some(format!("{}: {}", e.code, e.message));
            return r;
        }
    }
    r.tags_restored.extend(first.map(str::to_string));
    for t in free.iter().skip(1) {
        match api
            .put_image(
                target,
                &text,
                &image.image_manifest_media_type,
                Some(t),
                &image.image_digest,
            )
            .await
        {
            Ok(_) => r.tags_restored.push(t.to_string()),
            Err(e) => r
                .tags_skipped
                .push((t.to_string(), format!("{}: {}", e.code, e.message))),
        }
    }
    r
}

/// The journalled bytes, checked against their digest and as the text PutImage carries.
fn checked_manifest(image: &journal::JournalImage) -> Result<String, String> {
    let bytes = image.manifest_bytes()?;
    let got = format!("sha256:{}", hex::encode(Sha256::digest(&bytes)));
    if got != image.image_digest {
        return Err(format!(
            "JournalCorrupt: the journalled manifest's digest is {got}"
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| "JournalCorrupt: the manifest is not UTF-8 text, which PutImage needs".into())
}

fn print_line(out: &mut dyn Write, r: &ImageRestore) -> std::io::Result<()> {
    let tags = if r.tags_restored.is_empty() {
        String::new()
    } else {
        format!(" ({})", r.tags_restored.join(", "))
    };
    let line = match &r.error {
        Some(e) => format!("not restored {}: {e}", r.image_digest),
        None => format!("{} {}{tags}", r.status, r.image_digest),
    };
    writeln!(out, "{}", clean_line(&line))?;
    for (t, why) in &r.tags_skipped {
        writeln!(
            out,
            "{}",
            clean_line(&format!("  tag {t} not restored: {why}"))
        )?;
    }
    Ok(())
}
