//! Which of a filter's matches to select while typing: the one a person meant, the way fzf and
//! k9s rank, so `/api` `enter` `enter` opens `api` and not whatever fuzzy hit the cursor was on.
//!
//! A row's filter text is its fields separated by spaces (a name; an image's tags, then its
//! digest). A field equal to the query ranks first, then one it starts, then one where it starts a
//! word (after `/`, `-`, `_`, `.` or `:`), then fuzzy hits by nucleo's score. Among equals, the
//! earlier field wins (tags before the digest), then the earlier row in the shown order.

use nucleo_matcher::pattern::Pattern;
use nucleo_matcher::{Matcher, Utf32Str};

/// How many fuzzy-only hits are scored, in shown order. nucleo's score costs ~0.7 µs a row, so
/// scoring every hit of a 100,000-row list would add ~70 ms to a keystroke; the best of the first
/// ones is what the top of the screen shows anyway.
const FUZZY_SCORED: usize = 10_000;

/// Bytes after which a word starts.
const WORD_BREAKS: &[u8] = b"/-_.:";

/// The position in `view` of the best match for `query`. `text(i)` is row `i`'s filter text;
/// every row in `view` matches already. `None` for an empty query or view.
pub fn best<'a>(
    query: &str,
    view: &[u32],
    text: impl Fn(u32) -> &'a str,
    pattern: &Pattern,
    matcher: &mut Matcher,
) -> Option<usize> {
    let q = query.trim().as_bytes();
    if q.is_empty() || view.is_empty() {
        return None;
    }
    // Smart case, as the filter itself: a query with a capital letter matches case exactly.
    let fold = !q.iter().any(u8::is_ascii_uppercase);
    let mut best: Option<((u8, usize), usize)> = None;
    for (pos, &i) in view.iter().enumerate() {
        let Some(rank) = rank(text(i), q, fold) else {
            continue;
        };
        if best.is_none_or(|(b, _)| rank < b) {
            best = Some((rank, pos));
            if rank == (0, 0) {
                break;
            }
        }
    }
    if let Some((_, pos)) = best {
        return Some(pos);
    }
    let mut buf = Vec::new();
    let mut top: Option<(u32, usize)> = None;
    for (pos, &i) in view.iter().enumerate().take(FUZZY_SCORED) {
        let score = pattern
            .score(Utf32Str::new(text(i), &mut buf), matcher)
            .unwrap_or(0);
        if top.is_none_or(|(s, _)| score > s) {
            top = Some((score, pos));
        }
    }
    top.map(|(_, pos)| pos)
}

/// (how well, which field) of the best field of `text` that `q` names without fuzziness.
fn rank(text: &str, q: &[u8], fold: bool) -> Option<(u8, usize)> {
    text.split(' ')
        .enumerate()
        .filter_map(|(f, field)| tier(field.as_bytes(), q, fold).map(|t| (t, f)))
        .min()
}

/// 0: the field is the query; 1: starts with it; 2: a word in it does.
fn tier(field: &[u8], q: &[u8], fold: bool) -> Option<u8> {
    let eq = |a: &[u8]| {
        if fold {
            a.eq_ignore_ascii_case(q)
        } else {
            a == q
        }
    };
    if field.len() < q.len() {
        return None;
    }
    if eq(field) {
        return Some(0);
    }
    if eq(&field[..q.len()]) {
        return Some(1);
    }
    (1..=field.len() - q.len())
        .any(|at| WORD_BREAKS.contains(&field[at - 1]) && eq(&field[at..at + q.len()]))
        .then_some(2)
}

#[cfg(test)]
mod tests {
    use super::tier;

    #[test]
    fn tiers() {
        assert_eq!(tier(b"api", b"api", true), Some(0));
        assert_eq!(tier(b"API", b"api", true), Some(0));
        assert_eq!(tier(b"API", b"Api", false), None);
        assert_eq!(tier(b"api-gateway", b"api", true), Some(1));
        assert_eq!(tier(b"team/api", b"api", true), Some(2));
        assert_eq!(tier(b"web_api.v2", b"v2", true), Some(2));
        assert_eq!(tier(b"rapid", b"api", true), None);
        assert_eq!(tier(b"base/alpine", b"api", true), None);
        assert_eq!(tier(b"ap", b"api", true), None);
    }
}
