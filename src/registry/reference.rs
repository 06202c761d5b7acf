//! Image references (`HOST[:PORT]/NAME[:TAG|@DIGEST]`) and digests, parsed strictly: names, tags and
//! digests end up in URL paths, so anything outside the distribution spec's grammar is refused
//! before a request is made.

use std::fmt;
use std::net::IpAddr;

use sha2::{Digest as _, Sha256, Sha512};

use super::error::RegistryError;

/// The default registry host of ECR Public, the one `--registry-url` remaps.
pub const ECR_PUBLIC_HOST: &str = "public.ecr.aws";
/// Longest repository name the spec's reference grammar allows.
const MAX_NAME: usize = 255;
const MAX_TAG: usize = 128;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Algorithm {
    Sha256,
    Sha512,
}

/// A content digest, `sha256:<64 hex>` or `sha512:<128 hex>`, lower-case hex.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

impl Digest {
    pub fn parse(s: &str) -> Result<Digest, String> {
        let (algo, hex) = s
            .split_once(':')
            .ok_or_else(|| format!("digest {s:?} has no ':' (expected sha256:<64 hex digits>)"))?;
        let (algorithm, len) = match algo {
            "sha256" => (Algorithm::Sha256, 64),
            "sha512" => (Algorithm::Sha512, 128),
            other => {
                return Err(format!(
                    "digest algorithm {other:?} is not supported (sha256 or sha512)"
                ));
            }
        };
        if hex.len() != len || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
            return Err(format!(
                "digest {s:?}: {algo} needs exactly {len} lower-case hex digits"
            ));
        }
        Ok(Digest {
            algorithm,
            hex: hex.to_string(),
        })
    }

    /// The sha256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Digest {
        Digest::of(Algorithm::Sha256, bytes)
    }

    /// The digest of `bytes` with `algorithm`.
    pub fn of(algorithm: Algorithm, bytes: &[u8]) -> Digest {
        let hex = match algorithm {
            Algorithm::Sha256 => hex::encode(Sha256::digest(bytes)),
            Algorithm::Sha512 => hex::encode(Sha512::digest(bytes)),
        };
        Digest { algorithm, hex }
    }

    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Whether `bytes` hash to this digest.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), Digest> {
        let actual = Digest::of(self.algorithm, bytes);
        if actual == *self { Ok(()) } else { Err(actual) }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let algo = match self.algorithm {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        };
        write!(f, "{algo}:{}", self.hex)
    }
}

/// A streaming hasher for blob downloads.
pub(crate) enum Hasher {
    Sha256(Sha256),
    Sha512(Sha512),
}

impl Hasher {
    pub(crate) fn new(algorithm: Algorithm) -> Self {
        match algorithm {
            Algorithm::Sha256 => Hasher::Sha256(Sha256::new()),
            Algorithm::Sha512 => Hasher::Sha512(Sha512::new()),
        }
    }

    pub(crate) fn update(&mut self, bytes: &[u8]) {
        match self {
            Hasher::Sha256(h) => h.update(bytes),
            Hasher::Sha512(h) => h.update(bytes),
        }
    }

    pub(crate) fn finish(self) -> Digest {
        match self {
            Hasher::Sha256(h) => Digest {
                algorithm: Algorithm::Sha256,
                hex: hex::encode(h.finalize()),
            },
            Hasher::Sha512(h) => Digest {
                algorithm: Algorithm::Sha512,
                hex: hex::encode(h.finalize()),
            },
        }
    }
}

/// What a reference points at inside its repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tag(String),
    Digest(Digest),
}

impl Target {
    /// The last path segment of `/v2/<name>/manifests/<…>`.
    pub fn as_path(&self) -> String {
        match self {
            Target::Tag(t) => t.clone(),
            Target::Digest(d) => d.to_string(),
        }
    }
}

/// `HOST[:PORT]/NAME[:TAG|@DIGEST]`; `name:tag@digest` keeps both and pulls by the digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// As written, with the port: `public.ecr.aws`, `127.0.0.1:5000`, `[::1]:5000`.
    pub host: String,
    pub name: String,
    pub tag: Option<String>,
    pub digest: Option<Digest>,
}

impl Reference {
    pub fn parse(s: &str) -> Result<Reference, RegistryError> {
        parse_reference(s).map_err(|why| RegistryError::Invalid(format!("REF {s:?}: {why}")))
    }

    /// The digest when there is one, else the tag (`latest` when none was given).
    pub fn target(&self) -> Target {
        match (&self.digest, &self.tag) {
            (Some(d), _) => Target::Digest(d.clone()),
            (None, Some(t)) => Target::Tag(t.clone()),
            (None, None) => Target::Tag("latest".into()),
        }
    }

    /// The host without its port (brackets kept off IPv6 addresses).
    pub fn hostname(&self) -> &str {
        split_host_port(&self.host).0
    }
}

impl fmt::Display for Reference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.host, self.name)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

fn parse_reference(s: &str) -> Result<Reference, String> {
    if s.is_empty() {
        return Err("empty".into());
    }
    if let Some(c) = s.chars().find(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("contains {c:?}"));
    }
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(Digest::parse(d)?)),
        None => (s, None),
    };
    let (host, path) = rest.split_once('/').ok_or(
        "expected HOST[:PORT]/NAME[:TAG|@DIGEST], e.g. public.ecr.aws/acme/api:v1 (no '/' after the host)",
    )?;
    check_host(host)?;
    // The tag is after the last ':' of the path (the host's port is already split off).
    let (name, tag) = match path.rsplit_once(':') {
        Some((n, t)) => (n, Some(t)),
        None => (path, None),
    };
    check_name(name)?;
    if let Some(t) = tag {
        check_tag(t)?;
    }
    Ok(Reference {
        host: host.to_string(),
        name: name.to_string(),
        tag: tag.map(str::to_string),
        digest,
    })
}

fn check_host(host: &str) -> Result<(), String> {
    let (name, port) = split_host_port(host);
    let looks_like_host = name.contains('.')
        || name.contains(':')
        || name.eq_ignore_ascii_case("localhost")
        || port.is_some();
    if name.is_empty() || !looks_like_host {
        return Err(format!(
            "{host:?} is not a registry host: REF starts with the host, e.g. public.ecr.aws/{host}/…"
        ));
    }
    if name.contains(':') {
        name.parse::<std::net::Ipv6Addr>()
            .map_err(|_| format!("{host:?}: not an IPv6 address in brackets"))?;
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
        || name.starts_with(['.', '-'])
        || name.ends_with(['.', '-'])
    {
        return Err(format!(
            "host {name:?} may hold only letters, digits, '.' and '-'"
        ));
    }
    if let Some(p) = port
        && p.parse::<u16>().map_or(true, |p| p == 0)
    {
        return Err(format!("port {p:?} is not a number from 1 to 65535"));
    }
    Ok(())
}

/// `example.com:5000` → (`example.com`, Some(`5000`)); `[::1]:5000` → (`::1`, Some(`5000`)).
pub(crate) fn split_host_port(host: &str) -> (&str, Option<&str>) {
    if let Some(rest) = host.strip_prefix('[') {
        return match rest.split_once(']') {
            Some((ip, tail)) => (ip, tail.strip_prefix(':')),
            None => (host, None),
        };
    }
    match host.rsplit_once(':') {
        Some((h, p)) if !h.contains(':') => (h, Some(p)),
        _ => (host, None),
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("the repository name is empty".into());
    }
    if name.len() > MAX_NAME {
        return Err(format!(
            "the repository name is {} characters long; the limit is {MAX_NAME}",
            name.len()
        ));
    }
    for component in name.split('/') {
        if !valid_component(component) {
            return Err(format!(
                "repository name component {component:?} must be lower-case letters and digits, \
                 separated by '.', '_', '__' or dashes, without a separator at either end"
            ));
        }
    }
    Ok(())
}

/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
pub(crate) fn check_tag(tag: &str) -> Result<(), String> {
    let b = tag.as_bytes();
    let word = |x: u8| x.is_ascii_alphanumeric() || x == b'_';
    if b.is_empty() {
        return Err("the tag after ':' is empty".into());
    }
    if b.len() > MAX_TAG {
        return Err(format!(
            "the tag is {} characters long; the limit is {MAX_TAG}",
            b.len()
        ));
    }
    if !word(b[0]) || !b.iter().all(|&x| word(x) || x == b'.' || x == b'-') {
        return Err(format!(
            "tag {tag:?} may hold only letters, digits, '_', '.' and '-', and must not start with '.' or '-'"
        ));
    }
    Ok(())
}

/// Whether `host` (no port, no brackets) is a loopback address: the only hosts spoken to in plain
/// HTTP, since nothing on the way can read or change what is sent.
pub fn is_loopback_host(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost") || h.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    #[test]
    fn references_parse() {
        let r = Reference::parse("public.ecr.aws/acme/api:v1").unwrap();
        assert_eq!(
            (r.host.as_str(), r.name.as_str(), r.tag.as_deref()),
            ("public.ecr.aws", "acme/api", Some("v1"))
        );
        assert_eq!(r.target(), Target::Tag("v1".into()));
        let r = Reference::parse(&format!("127.0.0.1:5000/acme/api@{D}")).unwrap();
        assert_eq!(r.hostname(), "127.0.0.1");
        assert_eq!(r.target().as_path(), D);
        let r = Reference::parse("localhost/x").unwrap();
        assert_eq!(r.target(), Target::Tag("latest".into()));
        let r = Reference::parse(&format!("[::1]:5000/a/b:t@{D}")).unwrap();
        assert_eq!(r.hostname(), "::1");
        assert!(matches!(r.target(), Target::Digest(_)));
        assert_eq!(r.to_string(), format!("[::1]:5000/a/b:t@{D}"));
    }

    #[test]
    fn bad_references_say_what_is_wrong() {
        let err = |s: &str| Reference::parse(s).unwrap_err().to_string();
        assert!(err("acme/api:v1").contains("not a registry host"));
        assert!(err("api").contains("HOST[:PORT]/NAME"));
        assert!(err("public.ecr.aws/Acme/api").contains("lower-case"));
        assert!(err("public.ecr.aws/acme/api:").contains("tag after ':' is empty"));
        assert!(err("public.ecr.aws/acme/api:-x").contains("must not start"));
        assert!(err(&format!("public.ecr.aws/a:{}", "t".repeat(129))).contains("limit is 128"));
        assert!(err("public.ecr.aws/acme/api@sha256:abc").contains("64 lower-case hex"));
        assert!(err("public.ecr.aws/acme/api@md5:abc").contains("not supported"));
        assert!(err("host.example:0/a").contains("port"));
        assert!(err("host.example:99999/a").contains("port"));
        assert!(err("public.ecr.aws/a/../b").contains("component"));
        assert!(err("public.ecr.aws/a b").contains("contains"));
        assert!(err(&format!("public.ecr.aws/{}", "a".repeat(256))).contains("limit is 255"));
    }

    #[test]
    fn name_components_follow_the_grammar() {
        for ok in ["a", "a.b", "a_b", "a__b", "a---b", "0x"] {
            assert!(valid_component(ok), "{ok}");
        }
        for bad in ["", ".a", "a.", "a..b", "a___b", "a-.b", "A"] {
            assert!(!valid_component(bad), "{bad}");
        }
    }

    #[test]
    fn digests_verify() {
        let d = Digest::parse(D).unwrap();
        assert!(d.verify(b"").is_ok());
        assert_eq!(d.verify(b"x").unwrap_err(), Digest::sha256(b"x"));
        let mut h = Hasher::new(Algorithm::Sha512);
        h.update(b"ab");
        assert_eq!(h.finish(), Digest::of(Algorithm::Sha512, b"ab"));
    }

    #[test]
    fn loopback_hosts() {
        for h in [
            "127.0.0.1",
            "127.9.9.9",
            "::1",
            "[::1]",
            "localhost",
            "LOCALHOST",
        ] {
            assert!(is_loopback_host(h), "{h}");
        }
        for h in [
            "10.0.0.1",
            "public.ecr.aws",
            "localhost.example.com",
            "0.0.0.0",
        ] {
            assert!(!is_loopback_host(h), "{h}");
        }
    }
}
