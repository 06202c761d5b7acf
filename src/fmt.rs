//! Formatting of numbers, sizes, digests and times, and the popup geometry, shared by the panes,
//! the forms and the subcommands so the same value reads the same everywhere.

use ratatui::layout::Rect;

/// `12345` → `12,345`.
pub fn thousands(n: usize) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Decimal units, as the Gallery and `docker images` show sizes.
pub fn size(bytes: i64) -> String {
    let b = bytes.max(0) as f64;
    const UNITS: [&str; 5] = ["B", "kB", "MB", "GB", "TB"];
    let mut v = b;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{bytes} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}

/// Hex digits of a shortened digest: docker's short image id length, so the value can be compared
/// with `docker images`; and 48 bits keep 100,000 images of a repository apart (32 bits would
/// likely give two of them the same short form, which a delete confirmation must never show).
pub const SHORT_DIGEST_HEX: usize = 12;

/// `sha256:3f2a1b2c9d8e…`: the same short form in the lists, the delete confirmation and `push`;
/// the preview has it whole.
pub fn short_digest(d: &str) -> String {
    match d.split_once(':') {
        Some((alg, hex))
            if hex.len() > SHORT_DIGEST_HEX && hex.is_char_boundary(SHORT_DIGEST_HEX) =>
        {
            format!("{alg}:{}…", &hex[..SHORT_DIGEST_HEX])
        }
        _ => d.to_string(),
    }
}

/// "1 image", "2,418 images".
pub fn count(n: usize, what: &str) -> String {
    format!("{} {what}{}", thousands(n), if n == 1 { "" } else { "s" })
}

/// A rectangle of at most `w`×`h` centred in `area` (popups, forms, confirmations).
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// A time as the config's `date_format` says: relative ("5 hours ago") or absolute.
pub fn when(t: i64, now: i64, format: crate::config::DateFormat) -> String {
    match format {
        crate::config::DateFormat::Relative => relative(t, now),
        crate::config::DateFormat::Absolute => absolute(t),
    }
}

/// "5 hours ago", "in 2 minutes", "just now".
pub fn relative(t: i64, now: i64) -> String {
    if t <= 0 {
        return "—".into();
    }
    let d = now - t;
    let (future, d) = (d < 0, d.unsigned_abs());
    // Rounded, with moment.js-style thresholds: 45 minutes reads "1 hour", 22 hours "1 day".
    let round = |unit: u64| ((d + unit / 2) / unit).max(1);
    let (n, unit) = match d {
        0..=44 => return "just now".into(),
        45..=2_699 => (round(60), "minute"),
        2_700..=79_199 => (round(3_600), "hour"),
        79_200..=2_246_399 => (round(86_400), "day"),
        2_246_400..=27_647_999 => (round(2_592_000), "month"),
        _ => (round(31_536_000), "year"),
    };
    let s = if n == 1 { "" } else { "s" };
    if future {
        format!("in {n} {unit}{s}")
    } else {
        format!("{n} {unit}{s} ago")
    }
}

/// `2026-11-22 13:38 UTC`.
pub fn absolute(t: i64) -> String {
    if t <= 0 {
        return "—".into();
    }
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// Days since 1970-01-01 to (year, month, day), Howard Hinnant's algorithm.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_sizes() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1031), "1,031");
        assert_eq!(thousands(25_600), "25,600");
        assert_eq!(thousands(100_000), "100,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(size(999), "999 B");
        assert_eq!(size(41_200_000), "41.2 MB");
    }

    #[test]
    fn times() {
        assert_eq!(absolute(0), "—");
        assert_eq!(absolute(1_700_000_000), "2023-11-14 22:13 UTC");
        assert_eq!(absolute(951_782_400), "2000-02-29 00:00 UTC");
        let now = 1_700_000_000;
        assert_eq!(relative(now - 10, now), "just now");
        assert_eq!(relative(now - 60, now), "1 minute ago");
        assert_eq!(relative(now - 3600, now), "1 hour ago");
        assert_eq!(relative(now - 50 * 60, now), "1 hour ago");
        assert_eq!(relative(now - 400 * 86_400, now), "1 year ago");
        assert_eq!(relative(now - 5 * 3600, now), "5 hours ago");
        assert_eq!(relative(now - 3 * 86_400, now), "3 days ago");
        assert_eq!(relative(now + 120, now), "in 2 minutes");
    }

    #[test]
    fn digests() {
        assert_eq!(
            short_digest("sha256:0123456789abcdef0123"),
            "sha256:0123456789ab…"
        );
        assert_eq!(short_digest("sha256:0123456789ab"), "sha256:0123456789ab");
        assert_eq!(short_digest("weird"), "weird");
        assert_eq!(count(1, "image"), "1 image");
        assert_eq!(count(2418, "image"), "2,418 images");
    }

    #[test]
    fn centered_fits_inside() {
        let area = Rect::new(10, 5, 40, 20);
        assert_eq!(centered(area, 20, 10), Rect::new(20, 10, 20, 10));
        assert_eq!(centered(area, 99, 99), area);
    }
}
