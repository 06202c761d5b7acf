//! `ecrp ls`: headless listings through exactly the loaders behind the panes.
//!
//! `--json` streams one JSON array (objects with the API's field names) as pages arrive; the plain
//! form collects, then prints an aligned table with every string neutralised for the terminal.

use std::io::{BufWriter, Write};
use std::sync::Arc;

use anyhow::Result;
use futures::StreamExt;

use crate::aws::{
    self, Api, ClientOptions, ImageRow, MediaTypes, PageStream, RegistryRow, RepoRow, TagRow,
};
use crate::cli::{LsArgs, LsWhat};
use crate::fmt::{absolute, size};
use crate::sanitize::clean_line;

mod cached;

pub async fn run(opts: &ClientOptions, args: &LsArgs) -> Result<()> {
    // Loading the SDK's configuration sends nothing (credentials resolve at the first request):
    // `--cached` takes only the profile, region and endpoint from it.
    let (client, info) = aws::connect(opts).await;
    if args.cached {
        return cached::print(&info, args);
    }
    // Listing never mutates; read-only makes that structural.
    let api = Api::new(client, true).with_endpoint(info.endpoint.as_deref());
    list(&api, args).await.map_err(|e| {
        // A credentials problem gets the advice the TUI gives (`aws sso login …`), on a line of
        // its own.
        let advice = e
            .downcast_ref::<aws::AwsError>()
            .and_then(|a| crate::profiles::explain_aws_error(&info.profile, a));
        match advice {
            Some(advice) => crate::profiles::Advised {
                error: format!("{e:#}"),
                advice,
            }
            .into(),
            None => e,
        }
    })
}

async fn list(api: &Api, args: &LsArgs) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match &args.what {
        LsWhat::Registries => {
            emit(
                api.registries(None),
                |r| r,
                args.json,
                &mut out,
                registry_cells,
                REGISTRY_HEADER,
            )
            .await?
        }
        LsWhat::Repos => {
            emit(
                api.repositories(None),
                |r| r,
                args.json,
                &mut out,
                repo_cells,
                REPO_HEADER,
            )
            .await?
        }
        LsWhat::Images { repo } => {
            let mut media = MediaTypes::default();
            emit(
                api.image_details(repo, None),
                move |d| ImageRow::from_sdk(d, &mut media),
                args.json,
                &mut out,
                image_cells,
                IMAGE_HEADER,
            )
            .await?
        }
        LsWhat::Tags { repo } => {
            let mut media = MediaTypes::default();
            emit(
                api.image_tag_details(repo, None),
                move |t| TagRow::from_sdk(t, &mut media),
                args.json,
                &mut out,
                tag_cells,
                TAG_HEADER,
            )
            .await?
        }
    }
    out.flush()?;
    Ok(())
}

// The table's columns, shared by the live listing and `--cached`.
const REGISTRY_HEADER: &[&str] = &["REGISTRY ID", "URI", "VERIFIED", "ALIASES"];
const REPO_HEADER: &[&str] = &["NAME", "URI", "CREATED"];
const IMAGE_HEADER: &[&str] = &["TAGS", "DIGEST", "SIZE", "PUSHED", "TYPE"];
const TAG_HEADER: &[&str] = &["TAG", "DIGEST", "SIZE", "PUSHED"];

fn registry_cells(r: &RegistryRow) -> Vec<String> {
    let aliases: Vec<String> = r
        .aliases
        .iter()
        .map(|a| {
            let mut s = format!("{} ({})", a.name, a.status);
            if a.primary_registry_alias {
                s.push_str(" primary");
            }
            if a.default_registry_alias {
                s.push_str(" default");
            }
            s
        })
        .collect();
    vec![
        r.registry_id.clone(),
        r.registry_uri.clone(),
        if r.verified { "verified" } else { "-" }.into(),
        aliases.join(", "),
    ]
}

fn repo_cells(r: &RepoRow) -> Vec<String> {
    vec![
        r.repository_name.to_string(),
        r.repository_uri.to_string(),
        absolute(r.created_at),
    ]
}

fn image_cells(i: &ImageRow) -> Vec<String> {
    vec![
        if i.image_tags.is_empty() {
            "<untagged>".to_string()
        } else {
            i.image_tags.join(", ")
        },
        i.image_digest.to_string(),
        size(i.image_size_in_bytes),
        absolute(i.image_pushed_at),
        if i.is_multi_arch() { "index" } else { "image" }.into(),
    ]
}

fn tag_cells(t: &TagRow) -> Vec<String> {
    vec![
        t.image_tag.to_string(),
        t.image_digest.to_string(),
        size(t.image_size_in_bytes),
        absolute(t.image_pushed_at),
    ]
}

/// Print every row of `pages`, each converted by `convert` here, on the writing side: the task
/// that fetches only parses, so it asks for the next page sooner.
async fn emit<R: Send + 'static, T: JsonRow>(
    mut pages: PageStream<R>,
    mut convert: impl FnMut(R) -> T,
    json: bool,
    out: &mut impl Write,
    cells: impl Fn(&T) -> Vec<String>,
    header: &[&str],
) -> Result<()> {
    if json {
        // The next request needs only the last token, not this output: the fetching task asks
        // for the next page before the rows are converted and written, so writing overlaps the
        // round trip instead of following it (on one thread too: `main` runs `ls` on a
        // current-thread runtime, where the request goes out before this loop resumes).
        let (tx, mut rx) = tokio::sync::mpsc::channel(2);
        tokio::spawn(async move {
            while let Some(page) = pages.next().await {
                if tx.send(page).await.is_err() {
                    break;
                }
            }
        });
        let mut media = MediaJson::default();
        let mut buf = Vec::with_capacity(1 << 20);
        buf.push(b'[');
        let mut first = true;
        while let Some(page) = rx.recv().await {
            for row in page?.rows {
                buf.extend_from_slice(if first { b"\n  " } else { b",\n  " });
                first = false;
                convert(row).write_json(&mut buf, &mut media)?;
            }
            escape_unsafe(&mut buf);
            out.write_all(&buf)?;
            buf.clear();
        }
        out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
        return Ok(());
    }
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    let mut failed = None;
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => rows.extend(page.rows.into_iter().map(|r| {
                cells(&convert(r))
                    .iter()
                    .map(|c| clean_line(c).into_owned())
                    .collect()
            })),
            Err(e) => {
                failed = Some(e);
                break;
            }
        }
    }
    // The rows that did arrive are printed before the error, as the TUI keeps them on screen;
    // the exit status still says the listing is incomplete. (JSON has written them already, and
    // leaves its array open so no reader takes a part for the whole.)
    if rows.len() > 1 || failed.is_none() {
        write!(out, "{}", table(&rows))?;
    }
    match failed {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// A row as one JSON object with the API's field names.
///
/// Images and tags are written by hand: through serde, escaping every row's six keys and its two
/// media types was most of the CPU `ls` spent on its own at 100,000 rows. The bytes are serde's
/// (a test compares them); the other lists are short and use serde.
trait JsonRow {
    fn write_json(&self, out: &mut Vec<u8>, media: &mut MediaJson) -> serde_json::Result<()>;
}

impl JsonRow for RegistryRow {
    fn write_json(&self, out: &mut Vec<u8>, _: &mut MediaJson) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

impl JsonRow for RepoRow {
    fn write_json(&self, out: &mut Vec<u8>, _: &mut MediaJson) -> serde_json::Result<()> {
        serde_json::to_writer(out, self)
    }
}

impl JsonRow for ImageRow {
    fn write_json(&self, out: &mut Vec<u8>, media: &mut MediaJson) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"imageDigest\":");
        json_str(out, &self.image_digest)?;
        out.extend_from_slice(b",\"imageTags\":[");
        for (i, t) in self.image_tags.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            json_str(out, t)?;
        }
        out.push(b']');
        out.extend_from_slice(b",\"imageSizeInBytes\":");
        serde_json::to_writer(&mut *out, &self.image_size_in_bytes)?;
        out.extend_from_slice(b",\"imagePushedAt\":");
        serde_json::to_writer(&mut *out, &self.image_pushed_at)?;
        media.write(
            out,
            &self.image_manifest_media_type,
            &self.artifact_media_type,
        )
    }
}

/// DescribeImageTags' shape (ImageTagDetail): the tag and its creation time, the image it points
/// to nested under `imageDetail` (ReferencedImageDetail), so a script written against
/// `aws ecr-public describe-image-tags` reads `ecrp ls tags --json` unchanged.
impl JsonRow for TagRow {
    fn write_json(&self, out: &mut Vec<u8>, media: &mut MediaJson) -> serde_json::Result<()> {
        out.extend_from_slice(b"{\"imageTag\":");
        json_str(out, &self.image_tag)?;
        out.extend_from_slice(b",\"createdAt\":");
        serde_json::to_writer(&mut *out, &self.created_at)?;
        out.extend_from_slice(b",\"imageDetail\":{\"imageDigest\":");
        json_str(out, &self.image_digest)?;
        out.extend_from_slice(b",\"imageSizeInBytes\":");
        serde_json::to_writer(&mut *out, &self.image_size_in_bytes)?;
        out.extend_from_slice(b",\"imagePushedAt\":");
        serde_json::to_writer(&mut *out, &self.image_pushed_at)?;
        media.write(
            out,
            &self.image_manifest_media_type,
            &self.artifact_media_type,
        )?;
        out.push(b'}');
        Ok(())
    }
}

/// JSON readers decode `\uXXXX` to the same string, but a terminal showing the output would act
/// on a raw C1 control (the 8-bit CSI U+009B) or reorder text around a bidi override: those, and
/// every other character `sanitize` calls unsafe, travel as escapes, so the data stays exact and
/// the output stays inert. Such characters only occur inside strings (the structure is ASCII).
fn escape_unsafe(buf: &mut Vec<u8>) {
    // serde and `json_str` already escape C0; everything else unsafe is DEL or beyond ASCII.
    if !buf.iter().any(|&b| b >= 0x7f) {
        return;
    }
    let Ok(text) = std::str::from_utf8(buf) else {
        return;
    };
    let mut out = String::with_capacity(text.len() + 64);
    for c in text.chars() {
        // Raw C0 here is the output's own line breaks: strings carry theirs escaped already.
        if c >= '\u{7f}' && crate::sanitize::is_unsafe_char(c) {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    *buf = out.into_bytes();
}

/// A JSON string. Digests and tags in practice need no escaping: then the bytes are copied as is
/// (one branch-free pass over the bytes instead of serde's escaping loop).
fn json_str(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    let plain = !s.bytes().fold(false, |esc, b| {
        esc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if plain {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(out, s)
    }
}

/// Media types escaped once per shared string (the loader interns them, so 100,000 rows hold a
/// handful of `Arc`s); a string not seen among the first few is escaped in place.
#[derive(Default)]
struct MediaJson(Vec<(Arc<str>, Vec<u8>)>);

impl MediaJson {
    const MAX: usize = 16;

    /// The two optional media-type fields and the object's closing brace.
    fn write(
        &mut self,
        out: &mut Vec<u8>,
        manifest: &Option<Arc<str>>,
        artifact: &Option<Arc<str>>,
    ) -> serde_json::Result<()> {
        for (key, value) in [
            (&b",\"imageManifestMediaType\":"[..], manifest),
            (&b",\"artifactMediaType\":"[..], artifact),
        ] {
            let Some(v) = value else { continue };
            out.extend_from_slice(key);
            if let Some((_, json)) = self.0.iter().find(|(a, _)| Arc::ptr_eq(a, v)) {
                out.extend_from_slice(json);
            } else if self.0.len() < Self::MAX {
                let json = serde_json::to_vec(&**v)?;
                out.extend_from_slice(&json);
                self.0.push((v.clone(), json));
            } else {
                serde_json::to_writer(&mut *out, &**v)?;
            }
        }
        out.push(b'}');
        Ok(())
    }
}

/// Columns padded to their widest cell (by display width), two spaces apart, no trailing blanks.
pub fn table(rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let mut s = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                line.extend(std::iter::repeat_n(' ', widths[i] - c.width() + 2));
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(row: &impl JsonRow, media: &mut MediaJson) -> String {
        let mut out = Vec::new();
        row.write_json(&mut out, media).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn hand_written_json_is_serdes() {
        let odd: Arc<str> = Arc::from("type/\"quoted\"\\\u{1}\n日本");
        let oci: Arc<str> = Arc::from(crate::aws::MEDIA_OCI_INDEX);
        let images = [
            ImageRow {
                image_digest: "sha256:ab\"c\u{7f}\u{1f}".into(),
                image_tags: vec!["v1".into(), "t\\ä\u{2028}".into()].into(),
                image_size_in_bytes: i64::MAX,
                image_pushed_at: -1,
                image_manifest_media_type: Some(oci.clone()),
                artifact_media_type: Some(odd.clone()),
            },
            ImageRow {
                image_digest: "".into(),
                image_tags: Vec::new().into(),
                image_size_in_bytes: 0,
                image_pushed_at: 0,
                image_manifest_media_type: None,
                artifact_media_type: Some(oci.clone()),
            },
        ];
        let tag = TagRow {
            image_tag: "latest\t".into(),
            created_at: 1_700_000_000,
            image_digest: "sha256:00".into(),
            image_size_in_bytes: 42,
            image_pushed_at: 1_700_000_001,
            image_manifest_media_type: Some(odd.clone()),
            artifact_media_type: None,
        };
        let mut media = MediaJson::default();
        // Twice each: the second time the media types come from the cache.
        for _ in 0..2 {
            for i in &images {
                assert_eq!(json(i, &mut media), serde_json::to_string(i).unwrap());
            }
            let nested: serde_json::Value = serde_json::from_str(&json(&tag, &mut media)).unwrap();
            assert_eq!(nested, tag_api_shape(&tag));
        }
        assert_eq!(media.0.len(), 2);
        // Past the cache's bound, values are escaped in place, still the same bytes.
        let mut full = MediaJson::default();
        for i in 0..MediaJson::MAX + 3 {
            let mut row = images[1].clone();
            row.artifact_media_type = Some(Arc::from(format!("t/{i}\"")));
            assert_eq!(json(&row, &mut full), serde_json::to_string(&row).unwrap());
        }
        assert_eq!(full.0.len(), MediaJson::MAX);
    }

    /// ImageTagDetail as the service model has it, built by serde from the row's fields.
    fn tag_api_shape(t: &TagRow) -> serde_json::Value {
        let mut detail = serde_json::json!({
            "imageDigest": &*t.image_digest,
            "imageSizeInBytes": t.image_size_in_bytes,
            "imagePushedAt": t.image_pushed_at,
        });
        if let Some(m) = &t.image_manifest_media_type {
            detail["imageManifestMediaType"] = (**m).into();
        }
        if let Some(m) = &t.artifact_media_type {
            detail["artifactMediaType"] = (**m).into();
        }
        serde_json::json!({
            "imageTag": &*t.image_tag,
            "createdAt": t.created_at,
            "imageDetail": detail,
        })
    }

    #[test]
    fn unsafe_characters_travel_as_escapes_and_decode_to_the_same_string() {
        let original = "a\u{9b}31mb\u{202e}c\u{7f}d\u{e0041}é😀";
        let mut buf = serde_json::to_vec_pretty(&[original]).unwrap();
        super::escape_unsafe(&mut buf);
        let text = String::from_utf8(buf.clone()).unwrap();
        assert_eq!(
            text,
            "[\n  \"a\\u009b31mb\\u202ec\\u007fd\\udb40\\udc41é😀\"\n]"
        );
        assert!(
            !text
                .chars()
                .any(|c| c != '\n' && crate::sanitize::is_unsafe_char(c))
        );
        let back: Vec<String> = serde_json::from_slice(&buf).unwrap();
        assert_eq!(back, vec![original.to_string()]);
    }

    #[test]
    fn table_aligns_by_display_width() {
        let t = table(&[
            vec!["A".into(), "B".into()],
            vec!["日本".into(), "x".into()],
        ]);
        assert_eq!(t, "A     B\n日本  x\n");
    }
}
