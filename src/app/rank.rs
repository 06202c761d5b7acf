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
/// 2,000 (~1.4 ms) is picked instead. Fuzzy-only hits are what is left when no name contains the
/// query as a word, so a longer query soon narrows them below this.
const FUZZY_SCORED: usize = 2_000;

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
        // Only a strictly better rank matters: a row is not checked for what could not win.
        let bound = best.map(|(b, _)| b);
        let Some(rank) = rank(text(i), q, fold, bound) else {
            continue;
        };
        best = Some((rank, pos));
        if rank == (0, 0) {
            break;
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

/// (how well, which field) of the best field of `text` that `q` names without fuzziness, if it
/// ranks before `bound`.
fn rank(text: &str, q: &[u8], fold: bool, bound: Option<(u8, usize)>) -> Option<(u8, usize)> {
    let mut best = bound;
    let mut found = None;
    for (f, field) in text.as_bytes().split(|&b| b == b' ').enumerate() {
        // The worst tier that would still rank before the best so far in this field.
        let worst = match best {
            None => 2,
            Some((bt, bf)) if f < bf => bt,
            Some((0, _)) => break,
            Some((bt, _)) => bt - 1,
        };
        if let Some(t) = tier(field, q, fold, worst) {
            best = Some((t, f));
            found = best;
        }
    }
    found
}

/// 0: the field is the query; 1: starts with it; 2: a word in it does. Tiers after `worst` are
/// not looked for.
fn tier(field: &[u8], q: &[u8], fold: bool, worst: u8) -> Option<u8> {
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
    if worst >= 1 && eq(&field[..q.len()]) {
        return Some(1);
    }
    if worst < 2 {
        return None;
    }
    (1..=field.len() - q.len())
        .any(|at| WORD_BREAKS.contains(&field[at - 1]) && eq(&field[at..at + q.len()]))
        .then_some(2)
}

#[cfg(test)]
mod tests {
    use super::{rank, tier};

    fn t(field: &[u8], q: &[u8], fold: bool) -> Option<u8> {
        tier(field, q, fold, 2)
    }

    #[test]
    fn tiers() {
        assert_eq!(t(b"api", b"api", true), Some(0));
        assert_eq!(t(b"API", b"api", true), Some(0));
        assert_eq!(t(b"API", b"Api", false), None);
        assert_eq!(t(b"api-gateway", b"api", true), Some(1));
        assert_eq!(t(b"team/api", b"api", true), Some(2));
        assert_eq!(t(b"web_api.v2", b"v2", true), Some(2));
        assert_eq!(t(b"rapid", b"api", true), None);
        assert_eq!(t(b"base/alpine", b"api", true), None);
        assert_eq!(t(b"ap", b"api", true), None);
    }

    #[test]
    fn earlier_fields_and_better_tiers_win_and_bounds_prune() {
        // Tags before the digest at the same tier; a better tier in a later field still wins.
        assert_eq!(rank("x-ab sha256:ab", b"ab", true, None), Some((2, 0)));
        assert_eq!(rank("x-ab ab", b"ab", true, None), Some((0, 1)));
        // Nothing that cannot beat the bound is reported.
        assert_eq!(rank("x-ab", b"ab", true, Some((2, 0))), None);
        assert_eq!(rank("ab-x y-ab", b"ab", true, Some((2, 0))), Some((1, 0)));
        assert_eq!(rank("y ab", b"ab", true, Some((0, 1))), None);
    }
}
