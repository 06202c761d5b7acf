//! Small, valid layer archives built by hand: a ustar tar of regular files, gzip-wrapped with
//! stored (uncompressed) deflate blocks. The demo's layers are a few KB of text, so compression
//! would buy nothing, and building them by hand keeps two crates out of the tree.

/// One file of a layer: a path relative to the root and its bytes.
pub struct File<'a> {
    pub path: &'a str,
    pub bytes: &'a [u8],
}

const BLOCK: usize = 512;

/// A ustar archive of `files` (with their parent directories), ending in two zero blocks.
pub fn tar(files: &[File<'_>], mtime: u64) -> Vec<u8> {
    let mut out = Vec::new();
    let mut dirs: Vec<String> = Vec::new();
    for f in files {
        // Parent directories first, each once, as `tar` itself writes them.
        let parts: Vec<&str> = f.path.split('/').collect();
        for depth in 1..parts.len() {
            let dir = format!("{}/", parts[..depth].join("/"));
            if !dirs.contains(&dir) {
                header(&mut out, &dir, 0, b'5', 0o755, mtime);
                dirs.push(dir);
            }
        }
        header(&mut out, f.path, f.bytes.len() as u64, b'0', 0o644, mtime);
        out.extend_from_slice(f.bytes);
        out.resize(out.len().div_ceil(BLOCK) * BLOCK, 0);
    }
    out.resize(out.len() + 2 * BLOCK, 0);
    out
}

fn octal(field: &mut [u8], value: u64) {
    // Zero-padded octal digits, then a NUL, filling the field.
    let digits = field.len() - 1;
    let text = format!("{value:0digits$o}");
    field[..digits].copy_from_slice(&text.as_bytes()[text.len() - digits..]);
    field[digits] = 0;
}

fn header(out: &mut Vec<u8>, name: &str, size: u64, kind: u8, mode: u64, mtime: u64) {
    let mut h = [0u8; BLOCK];
    let name = name.as_bytes();
    h[..name.len().min(100)].copy_from_slice(&name[..name.len().min(100)]);
    octal(&mut h[100..108], mode);
    octal(&mut h[108..116], 0);
    octal(&mut h[116..124], 0);
    octal(&mut h[124..136], size);
    octal(&mut h[136..148], mtime);
    h[148..156].fill(b' ');
    h[156] = kind;
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[265..269].copy_from_slice(b"root");
    h[297..301].copy_from_slice(b"root");
    let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
    let text = format!("{sum:06o}\0 ");
    h[148..156].copy_from_slice(text.as_bytes());
    out.extend_from_slice(&h);
}

/// `data` in the gzip format (RFC 1952) with stored deflate blocks (RFC 1951 §3.2.4).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    const MAX_STORED: usize = 65_535;
    let mut out = Vec::with_capacity(data.len() + data.len() / MAX_STORED * 5 + 23);
    // Magic, deflate, no flags, mtime 0 (reproducible bytes), no extra flags, unknown OS.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    let mut chunks = data.chunks(MAX_STORED).peekable();
    if chunks.peek().is_none() {
        out.extend_from_slice(&[1, 0, 0, 0xff, 0xff]);
    }
    while let Some(chunk) = chunks.next() {
        let last = chunks.peek().is_none();
        let len = chunk.len() as u16;
        out.push(u8::from(last));
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&crc32(data).to_le_bytes());
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    static TABLE: std::sync::OnceLock<[u32; 256]> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 == 1 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    });
    !data.iter().fold(!0u32, |c, &b| {
        table[((c ^ u32::from(b)) & 0xff) as usize] ^ (c >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xcbf4_3926);
    }

    #[test]
    fn tar_headers_checksum_and_pad() {
        let t = tar(
            &[File {
                path: "etc/hello.txt",
                bytes: b"hi\n",
            }],
            0,
        );
        // Directory header, file header, one data block, two end blocks.
        assert_eq!(t.len(), 5 * BLOCK);
        assert_eq!(t[156], b'5');
        assert_eq!(&t[BLOCK..BLOCK + 13], b"etc/hello.txt");
        let h = &t[BLOCK..2 * BLOCK];
        let stored = u64::from_str_radix(std::str::from_utf8(&h[148..154]).unwrap(), 8).unwrap();
        let sum: u64 = h
            .iter()
            .enumerate()
            .map(|(i, &b)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u64::from(b)
                }
            })
            .sum();
        assert_eq!(stored, sum);
        assert_eq!(&t[2 * BLOCK..2 * BLOCK + 3], b"hi\n");
    }

    #[test]
    fn gzip_frames_large_input_in_stored_blocks() {
        let data = vec![7u8; 70_000];
        let g = gzip(&data);
        assert_eq!(&g[..3], &[0x1f, 0x8b, 8]);
        assert_eq!(g.len(), 10 + 5 + 65_535 + 5 + (70_000 - 65_535) + 8);
        assert_eq!(g[10], 0, "the first of two blocks is not final");
        let tail = &g[g.len() - 4..];
        assert_eq!(u32::from_le_bytes(tail.try_into().unwrap()), 70_000);
        assert_eq!(gzip(b"").len(), 10 + 5 + 8);
    }
}
