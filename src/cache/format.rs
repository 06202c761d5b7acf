//! The listing cache's file format: compact, versioned, checked.
//!
//! Hand-written rather than a serde format: the row types stay free of `Deserialize` (they are
//! built from SDK types only), and knowing the rows lets it store what a generic format cannot:
//! `sha256:` digests as their 32 raw bytes instead of 71 characters, the handful of media types
//! once in a table, numbers as varints. 100,000 images take about 60 bytes each on disk.
//!
//! Layout: `MAGIC`, version, kind, saved-at (i64 LE), body length (u64 LE), body, and the first 16
//! bytes of the SHA-256 of everything before it. A file that is short, long, of another version or
//! kind, or whose checksum differs decodes to `None`: the caller treats it as absent.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::aws::{AliasRow, ImageRow, RegistryRow, RepoRow, TagRow};

const MAGIC: &[u8; 6] = b"ECRPLC";
/// Bumped whenever the layout changes: an older file is then ignored and rewritten.
pub const VERSION: u8 = 1;
const HEADER: usize = 6 + 1 + 1 + 8 + 8;
const CHECK: usize = 16;
/// No cached listing holds more rows than a listing may (the loader's own cap).
pub const MAX_ROWS: usize = crate::aws::MAX_LISTING_ROWS;

/// A complete listing as it was last seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    Registries(Vec<RegistryRow>),
    Repositories(Vec<RepoRow>),
    Images(Vec<ImageRow>),
    Tags(Vec<TagRow>),
}

/// Rows to encode, borrowed from wherever they are shown.
#[derive(Debug, Clone, Copy)]
pub enum Rows<'a> {
    Registries(&'a [RegistryRow]),
    Repositories(&'a [RepoRow]),
    Images(&'a [ImageRow]),
    Tags(&'a [TagRow]),
}

impl Rows<'_> {
    pub fn len(&self) -> usize {
        match self {
            Rows::Registries(r) => r.len(),
            Rows::Repositories(r) => r.len(),
            Rows::Images(r) => r.len(),
            Rows::Tags(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn kind(&self) -> u8 {
        match self {
            Rows::Registries(_) => 1,
            Rows::Repositories(_) => 2,
            Rows::Images(_) => 3,
            Rows::Tags(_) => 4,
        }
    }
}

impl Listing {
    pub fn rows(&self) -> Rows<'_> {
        match self {
            Listing::Registries(r) => Rows::Registries(r),
            Listing::Repositories(r) => Rows::Repositories(r),
            Listing::Images(r) => Rows::Images(r),
            Listing::Tags(r) => Rows::Tags(r),
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Listing::Registries(r) => r.len(),
            Listing::Repositories(r) => r.len(),
            Listing::Images(r) => r.len(),
            Listing::Tags(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The bytes of a cache file for `listing`, saved at `saved_at` (epoch seconds).
pub fn encode(listing: Rows<'_>, saved_at: i64) -> Vec<u8> {
    encode_in(listing, None, saved_at)
}

/// The same, the rows written in `order` (indices into them, each once: the list's display
/// order), so that reading them back for the same sort finds them sorted already.
pub fn encode_in(listing: Rows<'_>, order: Option<&[u32]>, saved_at: i64) -> Vec<u8> {
    // An order that is not a permutation of the rows would drop or repeat some: write them as
    // they are instead.
    let order = order.filter(|o| o.len() == listing.len());
    let mut w = Writer::default();
    match listing {
        Rows::Registries(rows) => {
            w.len(rows.len());
            for r in each(rows, order) {
                w.str(&r.registry_id);
                w.str(&r.registry_arn);
                w.str(&r.registry_uri);
                w.bool(r.verified);
                w.len(r.aliases.len());
                for a in &r.aliases {
                    w.str(&a.name);
                    w.str(&a.status);
                    w.bool(a.primary_registry_alias);
                    w.bool(a.default_registry_alias);
                }
                w.opt_str(r.display_name.as_deref());
            }
        }
        Rows::Repositories(rows) => {
            w.len(rows.len());
            for r in each(rows, order) {
                w.str(&r.repository_name);
                w.str(&r.repository_uri);
                w.str(&r.repository_arn);
                w.str(&r.registry_id);
                w.int(r.created_at);
            }
        }
        Rows::Images(rows) => {
            let table = media_table(
                rows.iter()
                    .flat_map(|r| [&r.image_manifest_media_type, &r.artifact_media_type]),
            );
            w.table(&table);
            w.len(rows.len());
            for r in each(rows, order) {
                w.digest(&r.image_digest);
                w.len(r.image_tags.len());
                for t in &r.image_tags {
                    w.str(t);
                }
                w.int(r.image_size_in_bytes);
                w.int(r.image_pushed_at);
                w.media(&table, &r.image_manifest_media_type);
                w.media(&table, &r.artifact_media_type);
            }
        }
        Rows::Tags(rows) => {
            let table = media_table(
                rows.iter()
                    .flat_map(|r| [&r.image_manifest_media_type, &r.artifact_media_type]),
            );
            w.table(&table);
            w.len(rows.len());
            for r in each(rows, order) {
                w.str(&r.image_tag);
                w.int(r.created_at);
                w.digest(&r.image_digest);
                w.int(r.image_size_in_bytes);
                w.int(r.image_pushed_at);
                w.media(&table, &r.image_manifest_media_type);
                w.media(&table, &r.artifact_media_type);
            }
        }
    }
    let body = w.0;
    let mut out = Vec::with_capacity(HEADER + body.len() + CHECK);
    out.extend_from_slice(MAGIC);
    out.push(VERSION);
    out.push(listing.kind());
    out.extend_from_slice(&saved_at.to_le_bytes());
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    let sum = Sha256::digest(&out);
    out.extend_from_slice(&sum[..CHECK]);
    out
}

/// The listing in `bytes` and when it was saved, or `None` for anything but a whole, intact file
/// of this version.
pub fn decode(bytes: &[u8]) -> Option<(Listing, i64)> {
    if bytes.len() < HEADER + CHECK || &bytes[..6] != MAGIC || bytes[6] != VERSION {
        return None;
    }
    let kind = bytes[7];
    let saved_at = i64::from_le_bytes(bytes[8..16].try_into().ok()?);
    let body_len = usize::try_from(u64::from_le_bytes(bytes[16..24].try_into().ok()?)).ok()?;
    if bytes.len() != HEADER.checked_add(body_len)?.checked_add(CHECK)? {
        return None;
    }
    let (data, sum) = bytes.split_at(HEADER + body_len);
    if Sha256::digest(data)[..CHECK] != *sum {
        return None;
    }
    let mut r = Reader(&data[HEADER..]);
    let listing = match kind {
        1 => {
            let n = r.len()?;
            let mut rows = Vec::with_capacity(n.min(1024));
            for _ in 0..n {
                let registry_id = r.str()?.into();
                let registry_arn = r.str()?.into();
                let registry_uri = r.str()?.into();
                let verified = r.bool()?;
                let na = r.len()?;
                let mut aliases = Vec::with_capacity(na.min(16));
                for _ in 0..na {
                    aliases.push(AliasRow {
                        name: r.str()?.into(),
                        status: r.str()?.into(),
                        primary_registry_alias: r.bool()?,
                        default_registry_alias: r.bool()?,
                    });
                }
                rows.push(RegistryRow {
                    registry_id,
                    registry_arn,
                    registry_uri,
                    verified,
                    aliases,
                    display_name: r.opt_str()?.map(Into::into),
                });
            }
            Listing::Registries(rows)
        }
        2 => {
            let n = r.len()?;
            let mut rows = Vec::with_capacity(n.min(1 << 16));
            for _ in 0..n {
                rows.push(RepoRow {
                    repository_name: r.str()?.into(),
                    repository_uri: r.str()?.into(),
                    repository_arn: r.str()?.into(),
                    registry_id: r.str()?.into(),
                    created_at: r.int()?,
                });
            }
            Listing::Repositories(rows)
        }
        3 => {
            let table = r.table()?;
            let n = r.len()?;
            let mut rows = Vec::with_capacity(n.min(1 << 17));
            for _ in 0..n {
                let image_digest = r.digest()?;
                let nt = r.len()?;
                let mut tags = Vec::with_capacity(nt.min(64));
                for _ in 0..nt {
                    tags.push(Box::<str>::from(r.str()?));
                }
                rows.push(ImageRow {
                    image_digest,
                    image_tags: tags.into_boxed_slice(),
                    image_size_in_bytes: r.int()?,
                    image_pushed_at: r.int()?,
                    image_manifest_media_type: r.media(&table)?,
                    artifact_media_type: r.media(&table)?,
                });
            }
            Listing::Images(rows)
        }
        4 => {
            let table = r.table()?;
            let n = r.len()?;
            let mut rows = Vec::with_capacity(n.min(1 << 17));
            for _ in 0..n {
                rows.push(TagRow {
                    image_tag: r.str()?.into(),
                    created_at: r.int()?,
                    image_digest: r.digest()?,
                    image_size_in_bytes: r.int()?,
                    image_pushed_at: r.int()?,
                    image_manifest_media_type: r.media(&table)?,
                    artifact_media_type: r.media(&table)?,
                });
            }
            Listing::Tags(rows)
        }
        _ => return None,
    };
    // Trailing bytes inside a checked body mean a writer of another layout: not ours.
    r.0.is_empty().then_some((listing, saved_at))
}

/// `rows` in `order` when given, else as they are.
fn each<'a, T>(rows: &'a [T], order: Option<&'a [u32]>) -> Box<dyn Iterator<Item = &'a T> + 'a> {
    match order {
        Some(o) => Box::new(o.iter().map(move |&i| &rows[i as usize])),
        None => Box::new(rows.iter()),
    }
}

/// The distinct media types, in first-seen order (a handful per repository).
fn media_table<'a>(types: impl Iterator<Item = &'a Option<Arc<str>>>) -> Vec<Arc<str>> {
    let mut table: Vec<Arc<str>> = Vec::new();
    for t in types.flatten() {
        if !table.iter().any(|x| x == t) {
            table.push(t.clone());
        }
    }
    table
}

#[derive(Default)]
struct Writer(Vec<u8>);

impl Writer {
    fn varint(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push((v as u8) | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }
    fn len(&mut self, n: usize) {
        self.varint(n as u64);
    }
    /// Zigzag, so small negative times stay short too.
    fn int(&mut self, v: i64) {
        self.varint(((v << 1) ^ (v >> 63)) as u64);
    }
    fn bool(&mut self, b: bool) {
        self.0.push(b as u8);
    }
    fn str(&mut self, s: &str) {
        self.len(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.0.push(1);
                self.str(s);
            }
            None => self.0.push(0),
        }
    }
    /// `sha256:` and 64 lower-case hex digits as 32 bytes; anything else as text.
    fn digest(&mut self, d: &str) {
        let raw = d
            .strip_prefix("sha256:")
            .filter(|h| h.len() == 64 && h.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .and_then(|h| hex::decode(h).ok());
        match raw {
            Some(raw) => {
                self.0.push(1);
                self.0.extend_from_slice(&raw);
            }
            None => {
                self.0.push(0);
                self.str(d);
            }
        }
    }
    fn table(&mut self, table: &[Arc<str>]) {
        self.len(table.len());
        for t in table {
            self.str(t);
        }
    }
    /// 0 for none, else the table index plus one.
    fn media(&mut self, table: &[Arc<str>], t: &Option<Arc<str>>) {
        let i = t
            .as_ref()
            .and_then(|t| table.iter().position(|x| x == t))
            .map_or(0, |i| i + 1);
        self.len(i);
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(b)
    }
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.0.len() {
            return None;
        }
        let (a, b) = self.0.split_at(n);
        self.0 = b;
        Some(a)
    }
    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
    /// A count: never more than the rows a listing may hold, nor than the bytes left (each item
    /// takes at least one), so a hostile length cannot make us reserve memory.
    fn len(&mut self) -> Option<usize> {
        let n = usize::try_from(self.varint()?).ok()?;
        (n <= MAX_ROWS && n <= self.0.len()).then_some(n)
    }
    fn int(&mut self) -> Option<i64> {
        let v = self.varint()?;
        Some(((v >> 1) as i64) ^ -((v & 1) as i64))
    }
    fn bool(&mut self) -> Option<bool> {
        match self.byte()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn str(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.varint()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }
    fn opt_str(&mut self) -> Option<Option<&'a str>> {
        match self.byte()? {
            0 => Some(None),
            1 => Some(Some(self.str()?)),
            _ => None,
        }
    }
    fn digest(&mut self) -> Option<Box<str>> {
        match self.byte()? {
            0 => Some(self.str()?.into()),
            // Written straight into one allocation of the exact size: 100,000 of these are
            // decoded per big listing, and `format!` over `hex::encode` took three.
            1 => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let raw = self.take(32)?;
                let mut s = String::with_capacity(7 + 64);
                s.push_str("sha256:");
                for &b in raw {
                    s.push(char::from(HEX[usize::from(b >> 4)]));
                    s.push(char::from(HEX[usize::from(b & 15)]));
                }
                Some(s.into_boxed_str())
            }
            _ => None,
        }
    }
    fn table(&mut self) -> Option<Vec<Arc<str>>> {
        let n = self.len()?;
        (0..n).map(|_| self.str().map(Arc::from)).collect()
    }
    fn media(&mut self, table: &[Arc<str>]) -> Option<Option<Arc<str>>> {
        match usize::try_from(self.varint()?).ok()? {
            0 => Some(None),
            i => table.get(i - 1).cloned().map(Some),
        }
    }
}
