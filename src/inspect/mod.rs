//! `ecrp inspect` and `ecrp tags`: what is inside an image, and every tag of a repository, read
//! through the registry API (crate::registry) of public.ecr.aws or any registry.
//!
//! Everything shown comes from the server: text output is sanitised line by line, JSON output has
//! every character a terminal would act on escaped, and `--raw` prints the exact (digest-verified)
//! bytes, refusing to send control characters to a terminal.

use std::io::{self, IsTerminal, Write};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};

use crate::registry::{
    ClientOptions, Credentials, Descriptor, ECR_PUBLIC_HOST, ImageConfig, ImageManifest, Manifest,
    ManifestKind, Platform, Reference, RegistryClient, Target, registry_base,
};
use crate::sanitize::{clean_line, is_unsafe_char};

mod text;

pub use text::render as render_text;

/// What an anonymous user who hit public.ecr.aws's rate limit is told.
pub const ECR_PUBLIC_LOGIN_HINT: &str = "anonymous pulls from public.ecr.aws are limited to 1 \
     request per second; with AWS credentials, --login (the token `ecrp login` uses) raises that \
     to 10 per second";

/// A client for `reference`'s registry; `registry_url` remaps public.ecr.aws.
pub fn client_for(
    reference: &Reference,
    registry_url: Option<&str>,
    credentials: Option<Credentials>,
) -> Result<RegistryClient> {
    let base = registry_base(reference, registry_url)?;
    let is_ecr_public = reference.hostname().eq_ignore_ascii_case(ECR_PUBLIC_HOST);
    let opts = ClientOptions {
        credentials,
        login_hint: is_ecr_public.then(|| ECR_PUBLIC_LOGIN_HINT.to_string()),
        ..ClientOptions::default()
    };
    Ok(RegistryClient::new(base, opts)?)
}

/// `OS/ARCH[/VARIANT]`, as `--platform` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformSpec {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl PlatformSpec {
    pub fn parse(s: &str) -> Result<Self, String> {
        let parts: Vec<&str> = s.split('/').collect();
        let ok = |p: &str| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        };
        if !(2..=3).contains(&parts.len()) || !parts.iter().all(|p| ok(p)) {
            return Err(format!(
                "--platform {s:?}: expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm/v7"
            ));
        }
        Ok(PlatformSpec {
            os: parts[0].to_string(),
            arch: parts[1].to_string(),
            variant: parts.get(2).map(|v| v.to_string()),
        })
    }

    /// This machine's platform, as images name it (Linux images are what registries hold).
    pub fn host() -> Self {
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "x86" => "386",
            "powerpc64" => "ppc64le",
            other => other,
        };
        PlatformSpec {
            os: "linux".into(),
            arch: arch.into(),
            variant: None,
        }
    }

    /// A variant left out matches any; arm64's only variant, v8, is the same as none.
    pub fn matches(&self, p: &Platform) -> bool {
        let norm = |v: Option<&str>| match (p.architecture.as_str(), v) {
            ("arm64", Some("v8")) => None,
            (_, v) => v.map(str::to_string),
        };
        p.os == self.os
            && p.architecture == self.arch
            && (self.variant.is_none()
                || norm(self.variant.as_deref()) == norm(p.variant.as_deref()))
    }
}

impl std::fmt::Display for PlatformSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.os, self.arch)?;
        if let Some(v) = &self.variant {
            write!(f, "/{v}")?;
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawPart {
    Manifest,
    Config,
}

#[derive(Debug, Clone, Default)]
pub struct InspectOptions {
    /// `None`: this machine's platform when the index has it.
    pub platform: Option<PlatformSpec>,
    pub json: bool,
    pub raw: Option<RawPart>,
}

/// One image: its manifest and, unless only the manifest was asked for, its config.
pub struct ImageView {
    pub platform: Option<Platform>,
    pub manifest: Manifest,
    pub image: ImageManifest,
    pub config: Option<(bytes::Bytes, ImageConfig)>,
}

/// What `inspect` found at a reference.
pub struct Inspection {
    pub reference: String,
    pub top: Manifest,
    /// The index's entries (empty for a single image).
    pub platforms: Vec<Descriptor>,
    /// The image shown: the reference itself, or the chosen platform of an index.
    pub image: Option<ImageView>,
}

/// Fetch what `opts` needs: the manifest at the reference, the chosen platform's manifest for an
/// index, and the config (unless only `--raw manifest` is wanted).
pub async fn inspect(
    client: &RegistryClient,
    reference: &Reference,
    opts: &InspectOptions,
) -> Result<Inspection> {
    let name = &reference.name;
    let top = client.get_manifest(name, &reference.target()).await?;
    let want_config = opts.raw != Some(RawPart::Manifest);
    let (platforms, chosen) = match &top.kind {
        ManifestKind::Image(m) => (Vec::new(), Some((None, top.clone(), m.clone()))),
        ManifestKind::Index(index) => {
            let platforms = index.manifests.clone();
            let spec = opts.platform.clone().or_else(|| {
                // Without --platform, `--raw manifest` means the index itself.
                (opts.raw != Some(RawPart::Manifest)).then(PlatformSpec::host)
            });
            let found = spec.as_ref().and_then(|s| {
                platforms
                    .iter()
                    .find(|d| d.platform.as_ref().is_some_and(|p| s.matches(p)))
            });
            let chosen = match (found, &opts.platform) {
                (Some(d), _) => {
                    let digest = d.parsed_digest().map_err(|e| anyhow!(e))?;
                    let m = client.get_manifest(name, &Target::Digest(digest)).await?;
                    let ManifestKind::Image(img) = &m.kind else {
                        bail!(
                            "{} for {} is itself an index; nested indexes are not supported",
                            d.digest,
                            spec.as_ref().map(|s| s.to_string()).unwrap_or_default()
                        );
                    };
                    let img = img.clone();
                    Some((d.platform.clone(), m, img))
                }
                (None, Some(s)) => bail!(
                    "{} has no {s} image; it has: {}",
                    clean_line(&reference.to_string()),
                    platform_list(&platforms)
                ),
                (None, None) => None,
            };
            (platforms, chosen)
        }
    };
    let image = match chosen {
        None => None,
        Some((platform, manifest, image)) => {
            let config = if want_config {
                Some(client.get_config(name, &image.config).await?)
            } else {
                None
            };
            Some(ImageView {
                platform,
                manifest,
                image,
                config,
            })
        }
    };
    Ok(Inspection {
        reference: reference.to_string(),
        top,
        platforms,
        image,
    })
}

fn platform_list(platforms: &[Descriptor]) -> String {
    let names: Vec<String> = platforms
        .iter()
        .filter_map(|d| d.platform.as_ref())
        .map(|p| clean_line(&p.to_string()).into_owned())
        .collect();
    if names.is_empty() {
        "no platforms".into()
    } else {
        names.join(", ")
    }
}

/// The exact bytes `--raw` prints.
pub fn raw_bytes(ins: &Inspection, part: RawPart) -> Result<&[u8]> {
    match part {
        RawPart::Manifest => Ok(ins
            .image
            .as_ref()
            .filter(|_| !ins.platforms.is_empty())
            .map(|v| &v.manifest.bytes)
            .unwrap_or(&ins.top.bytes)),
        RawPart::Config => match ins.image.as_ref().and_then(|v| v.config.as_ref()) {
            Some((bytes, _)) => Ok(bytes),
            None => bail!(
                "{} is an index without an image for this machine ({}); choose one with \
                 --platform (it has: {})",
                clean_line(&ins.reference),
                PlatformSpec::host(),
                platform_list(&ins.platforms)
            ),
        },
    }
}

/// Write the exact bytes, unless stdout is a terminal and they hold characters a terminal acts on.
pub fn write_raw(out: &mut dyn Write, bytes: &[u8], to_terminal: bool) -> Result<()> {
    if to_terminal {
        let text = String::from_utf8_lossy(bytes);
        if text
            .chars()
            .any(|c| is_unsafe_char(c) && !matches!(c, '\n' | '\t' | '\r'))
        {
            bail!(
                "the content holds control or invisible characters; redirect the output to a \
                 file or a pipe to get the exact bytes"
            );
        }
    }
    out.write_all(bytes)?;
    if to_terminal && !bytes.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One JSON object: the reference's digest and media type, the platforms of an index, and the
/// image shown with its whole config.
pub fn to_json(ins: &Inspection) -> Value {
    let mut v = json!({
        "reference": ins.reference,
        "digest": ins.top.digest.to_string(),
        "mediaType": ins.top.media_type,
        "size": ins.top.bytes.len(),
    });
    if !ins.platforms.is_empty() {
        v["platforms"] = Value::Array(
            ins.platforms
                .iter()
                .map(|d| {
                    let mut p = json!({
                        "digest": d.digest,
                        "mediaType": d.media_type,
                        "size": d.size,
                    });
                    if let Some(pl) = &d.platform {
                        p["os"] = json!(pl.os);
                        p["architecture"] = json!(pl.architecture);
                        if let Some(var) = &pl.variant {
                            p["variant"] = json!(var);
                        }
                    }
                    p
                })
                .collect(),
        );
    }
    if let Some(img) = &ins.image {
        let config: Value = img
            .config
            .as_ref()
            .and_then(|(bytes, _)| serde_json::from_slice(bytes).ok())
            .unwrap_or(Value::Null);
        let mut i = json!({
            "digest": img.manifest.digest.to_string(),
            "mediaType": img.manifest.media_type,
            "size": img.manifest.bytes.len(),
            "configDigest": img.image.config.digest,
            "config": config,
            "layers": img.image.layers,
            "totalLayerSize": img.image.layers.iter().map(|l| l.size).sum::<u64>(),
        });
        if let Some(p) = &img.platform {
            i["platform"] = json!(p.to_string());
        }
        if let Some(a) = &img.image.annotations {
            i["annotations"] = json!(a);
        }
        v["image"] = i;
    }
    v
}

/// Pretty JSON with every character a terminal would act on escaped as `\uXXXX` (serde_json
/// escapes only C0 controls; C1 controls, bidi overrides and invisible characters stay raw).
pub fn json_text(v: &Value) -> String {
    let s = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if is_unsafe_char(c) && !matches!(c, '\n') {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `ecrp inspect`: fetch and print to stdout.
pub async fn run_inspect(
    client: &RegistryClient,
    reference: &Reference,
    opts: &InspectOptions,
) -> Result<()> {
    let ins = inspect(client, reference, opts).await?;
    let stdout = io::stdout();
    let to_terminal = stdout.is_terminal();
    let mut out = stdout.lock();
    let written = match opts.raw {
        Some(part) => write_raw(&mut out, raw_bytes(&ins, part)?, to_terminal),
        None if opts.json => writeln!(out, "{}", json_text(&to_json(&ins))).map_err(Into::into),
        None => out
            .write_all(render_text(&ins).as_bytes())
            .map_err(Into::into),
    };
    finish(written.and_then(|()| out.flush().map_err(Into::into)))
}

/// `ecrp tags`: every tag, one per line, or `{"repository": …, "tags": […]}`.
pub async fn run_tags(client: &RegistryClient, reference: &Reference, json: bool) -> Result<()> {
    if reference.tag.is_some() || reference.digest.is_some() {
        bail!(
            "REF for `ecrp tags` names a repository, without :TAG or @DIGEST (got {})",
            clean_line(&reference.to_string())
        );
    }
    let tags = client
        .list_tags(&reference.name)
        .await
        .with_context(|| format!("could not list the tags of {reference}"))?;
    let mut out = io::stdout().lock();
    let written = if json {
        let v = json!({
            "repository": format!("{}/{}", reference.host, reference.name),
            "tags": tags,
        });
        writeln!(out, "{}", json_text(&v))
    } else {
        tags.iter()
            .try_for_each(|t| writeln!(out, "{}", clean_line(t)))
    };
    finish(
        written
            .and_then(|()| out.flush())
            .map_err(anyhow::Error::from),
    )
}

/// A reader that went away (`ecrp tags | head`) is not an error.
fn finish(r: Result<()>) -> Result<()> {
    match r {
        Err(e)
            if e.downcast_ref::<io::Error>()
                .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe) =>
        {
            Ok(())
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platform_specs_parse_and_match() {
        let s = PlatformSpec::parse("linux/arm64").unwrap();
        let p = |arch: &str, variant: Option<&str>| Platform {
            architecture: arch.into(),
            os: "linux".into(),
            variant: variant.map(str::to_string),
            os_version: None,
        };
        assert!(s.matches(&p("arm64", Some("v8"))));
        assert!(s.matches(&p("arm64", None)));
        assert!(!s.matches(&p("amd64", None)));
        let v8 = PlatformSpec::parse("linux/arm64/v8").unwrap();
        assert!(v8.matches(&p("arm64", None)));
        let v7 = PlatformSpec::parse("linux/arm/v7").unwrap();
        assert!(!v7.matches(&p("arm", Some("v6"))));
        for bad in ["linux", "linux/", "a/b/c/d", "linux/amd 64"] {
            assert!(
                PlatformSpec::parse(bad).unwrap_err().contains("OS/ARCH"),
                "{bad}"
            );
        }
    }

    #[test]
    fn json_text_escapes_what_a_terminal_would_act_on() {
        let v = json!({"a": "x\u{9b}2J\u{202e}y\u{e0041}\u{1b}"});
        let t = json_text(&v);
        assert!(t.contains("\\u009b") && t.contains("\\u202e") && t.contains("\\udb40\\udc41"));
        assert!(!t.chars().any(|c| is_unsafe_char(c) && c != '\n'), "{t:?}");
        assert_eq!(serde_json::from_str::<Value>(&t).unwrap(), v);
    }

    #[test]
    fn raw_output_refuses_controls_on_a_terminal_only() {
        let mut out = Vec::new();
        assert!(write_raw(&mut out, b"{\"a\":\"\xc2\x9b\"}", true).is_err());
        write_raw(&mut out, b"{\"a\":\"\xc2\x9b\"}", false).unwrap();
        assert_eq!(out, b"{\"a\":\"\xc2\x9b\"}");
    }
}
