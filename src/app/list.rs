//! A list pane's data: the rows as loaded (never copied), the sorted order and the current filter
//! as index vectors, the cursor and the load state.
//!
//! Sorting happens once per change (a page is merged into the sorted order, not re-sorted), and a
//! filter that extends the previous query only re-checks the previous matches.

use std::cmp::Ordering;

use nucleo_matcher::pattern::{Atom, AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Matcher, Utf32Str};

use super::load::Load;

mod marks;

/// What a list needs from its row type.
pub trait Row {
    /// Sortable column names, the first being the default.
    const SORT_COLUMNS: &'static [&'static str];
    /// Default direction per column (`true` = descending, e.g. newest first).
    const SORT_DESC: &'static [bool];
    fn compare(&self, other: &Self, column: usize) -> Ordering;
    /// Order among rows equal in the sort column, whatever its direction (e.g. an image index
    /// before the per-platform images pushed with it).
    fn tiebreak(&self, _other: &Self) -> Ordering {
        Ordering::Equal
    }
    /// The text the fuzzy filter matches against.
    fn haystack(&self, out: &mut String);
    /// What identifies the row across reloads (name, digest, tag): auto-refresh keeps the cursor
    /// on it.
    fn key(&self) -> &str;
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Position in `view`.
    pub selected: usize,
    /// First visible position in `view`.
    pub offset: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sort {
    pub column: usize,
    pub descending: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    pub query: String,
    /// The `/` prompt is open and typing goes to the query.
    pub editing: bool,
}

pub struct List<T> {
    pub rows: Vec<T>,
    /// Every row index in sort order.
    sorted: Vec<u32>,
    /// Whether each row matches the current query.
    hit: Vec<bool>,
    /// Every row's filter text back to back, row `i`'s ending at `ends[i]`: a keystroke scans
    /// this one buffer instead of following each row's strings around the heap.
    texts: String,
    ends: Vec<usize>,
    /// What is shown: `sorted` restricted to hits.
    pub view: Vec<u32>,
    pub cursor: Cursor,
    pub sort: Sort,
    pub filter: Filter,
    /// The query `hit` was computed for.
    applied: String,
    pub load: Load,
    /// Pages of a background reload (auto-refresh): the old rows stay on screen until the whole
    /// new set has arrived, then `replace` swaps them in at once.
    pub staged: Option<Vec<T>>,
    /// Marked for deletion, per row (parallel to `rows`).
    marked: Vec<bool>,
    n_marked: usize,
    /// The rows shown came from the listing cache and the fresh listing is still being staged.
    pub stale: Option<super::stale::Stale>,
}

impl<T: Row> Default for List<T> {
    fn default() -> Self {
        List {
            rows: Vec::new(),
            sorted: Vec::new(),
            hit: Vec::new(),
            texts: String::new(),
            ends: Vec::new(),
            view: Vec::new(),
            cursor: Cursor::default(),
            sort: Sort {
                column: 0,
                descending: T::SORT_DESC.first().copied().unwrap_or(false),
            },
            filter: Filter::default(),
            applied: String::new(),
            load: Load::default(),
            staged: None,
            marked: Vec::new(),
            n_marked: 0,
            stale: None,
        }
    }
}

fn pattern(query: &str) -> Pattern {
    // Plain fuzzy atoms (no `!`/`^` syntax), so a longer query always matches a subset of what a
    // shorter one matched: that is what makes incremental filtering correct.
    Pattern::new(
        query,
        CaseMatching::Smart,
        Normalization::Smart,
        AtomKind::Fuzzy,
    )
}

/// Decides whether rows match a query. The list needs whether a row matches, not how well, so
/// nucleo's scoring (quadratic, ~0.7 µs a row: ~70 ms a keystroke at 100,000 rows) is skipped.
/// Whether a fuzzy atom matches at all is whether its needle is a subsequence of the haystack
/// (case-folded when the atom ignores case); that is tested directly when both are ASCII, and by
/// nucleo's linear-time greedy matcher otherwise (normalization needs nucleo's tables).
struct Scorer {
    /// Each atom with the case and normalization settings nucleo chose for it.
    atoms: Vec<(Atom, bool, bool)>,
    buf: Vec<char>,
}

impl Scorer {
    fn new(query: &str, matcher: &mut Matcher) -> Self {
        let atoms = if query.trim().is_empty() {
            Vec::new()
        } else {
            pattern(query)
                .atoms
                .into_iter()
                .map(|a| {
                    // `Atom::score` sets the atom's case and normalization on the matcher (as its
                    // documentation says); an empty haystack makes that all it does.
                    a.score(Utf32Str::Ascii(b""), matcher);
                    let c = &matcher.config;
                    let (ignore_case, normalize) = (c.ignore_case, c.normalize);
                    (a, ignore_case, normalize)
                })
                .collect()
        };
        Scorer {
            atoms,
            buf: Vec::new(),
        }
    }

    fn matches(&mut self, text: &str, matcher: &mut Matcher) -> bool {
        if self.atoms.is_empty() {
            return true;
        }
        let haystack = Utf32Str::new(text, &mut self.buf);
        self.atoms.iter().all(|(atom, ignore_case, normalize)| {
            match (haystack, atom.needle_text()) {
                (Utf32Str::Ascii(h), Utf32Str::Ascii(n)) => subsequence(h, n, *ignore_case),
                (h, n) => {
                    matcher.config.ignore_case = *ignore_case;
                    matcher.config.normalize = *normalize;
                    matcher.fuzzy_match_greedy(h, n).is_some()
                }
            }
        })
    }
}

/// Whether `needle` occurs in order in `haystack`; an atom that ignores case has a lower-case
/// needle.
fn subsequence(haystack: &[u8], needle: &[u8], fold: bool) -> bool {
    let mut rest = haystack.iter();
    needle.iter().all(|&c| {
        rest.any(|&b| {
            let b = if fold { b.to_ascii_lowercase() } else { b };
            b == c
        })
    })
}

impl<T: Row> List<T> {
    pub fn len(&self) -> usize {
        self.view.len()
    }

    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    pub fn selected(&self) -> Option<&T> {
        self.view
            .get(self.cursor.selected)
            .map(|&i| &self.rows[i as usize])
    }

    pub fn selected_index(&self) -> Option<u32> {
        self.view.get(self.cursor.selected).copied()
    }

    /// Rows in view order, from `start`, at most `n` (what a pane draws).
    pub fn window(&self, start: usize, n: usize) -> impl Iterator<Item = &T> {
        let end = self.view.len().min(start.saturating_add(n));
        let start = start.min(end);
        self.view[start..end]
            .iter()
            .map(|&i| &self.rows[i as usize])
    }

    /// Forget every row (refresh from zero, or another repository).
    pub fn clear(&mut self) {
        self.rows.clear();
        self.sorted.clear();
        self.hit.clear();
        self.texts.clear();
        self.ends.clear();
        self.view.clear();
        self.cursor = Cursor::default();
        self.staged = None;
        self.marked.clear();
        self.n_marked = 0;
        self.stale = None;
    }

    /// Room for `rows` in the per-row vectors and the texts at once (the texts' size estimated
    /// from a sample): a 100,000-row listing shown in one message would otherwise grow them by
    /// doubling, copying megabytes on the UI's thread.
    fn reserve_for(&mut self, rows: &[T]) {
        const SAMPLE: usize = 32;
        self.ends.reserve(rows.len());
        self.hit.reserve(rows.len());
        self.rows.reserve(rows.len());
        if rows.len() <= SAMPLE {
            return;
        }
        let mut probe = String::new();
        for r in rows.iter().step_by(rows.len() / SAMPLE).take(SAMPLE) {
            r.haystack(&mut probe);
        }
        // A quarter more than the sample's average, so most listings fit without a regrowth.
        let per_row = probe.len() / SAMPLE;
        self.texts.reserve(rows.len() * (per_row + per_row / 4 + 1));
    }

    /// Every row index in display order (filtered or not).
    pub fn sort_order(&self) -> &[u32] {
        &self.sorted
    }

    fn order(&self, a: u32, b: u32) -> Ordering {
        let (ra, rb) = (&self.rows[a as usize], &self.rows[b as usize]);
        let o = ra.compare(rb, self.sort.column);
        let o = if self.sort.descending { o.reverse() } else { o };
        // Remaining ties keep load order, so equal rows never swap places between frames.
        o.then_with(|| ra.tiebreak(rb)).then(a.cmp(&b))
    }

    /// Add a page: the new rows are sorted among themselves and merged into the order.
    ///
    /// A cursor still on the first row stays there (the newest rows float to the top as pages
    /// arrive, as in k9s); a cursor the user moved stays on its row, at the same screen line.
    pub fn append(&mut self, rows: Vec<T>, matcher: &mut Matcher) {
        let at_top = self.cursor.selected == 0;
        let before = self.cursor.selected;
        let keep = if at_top { None } else { self.selected_index() };
        let first = self.rows.len() as u32;
        let mut scorer = Scorer::new(&self.applied, matcher);
        self.reserve_for(&rows);
        for r in &rows {
            let start = self.texts.len();
            r.haystack(&mut self.texts);
            self.ends.push(self.texts.len());
            self.hit.push(scorer.matches(&self.texts[start..], matcher));
        }
        self.marked.resize(self.marked.len() + rows.len(), false);
        self.rows.extend(rows);
        let mut new: Vec<u32> = (first..self.rows.len() as u32).collect();
        new.sort_by(|&a, &b| self.order(a, b));
        let old = std::mem::take(&mut self.sorted);
        let mut merged = Vec::with_capacity(old.len() + new.len());
        let (mut i, mut j) = (0, 0);
        while i < old.len() && j < new.len() {
            if self.order(old[i], new[j]) != Ordering::Greater {
                merged.push(old[i]);
                i += 1;
            } else {
                merged.push(new[j]);
                j += 1;
            }
        }
        merged.extend_from_slice(&old[i..]);
        merged.extend_from_slice(&new[j..]);
        self.sorted = merged;
        self.rebuild_view(keep);
        if at_top {
            self.cursor.offset = 0;
        } else {
            let moved = self.cursor.selected as isize - before as isize;
            self.cursor.offset = (self.cursor.offset as isize + moved).max(0) as usize;
        }
    }

    /// Apply `query` (typed in the `/` prompt) and select its best match. A query that extends
    /// the applied one only re-checks the rows that matched before.
    pub fn set_query(&mut self, query: &str, matcher: &mut Matcher) {
        if query == self.applied {
            return;
        }
        let keep = self.selected_index();
        let incremental = !self.applied.is_empty() && query.starts_with(self.applied.as_str());
        let mut scorer = Scorer::new(query, matcher);
        let mut start = 0;
        for (i, &end) in self.ends.iter().enumerate() {
            if !incremental || self.hit[i] {
                self.hit[i] = scorer.matches(&self.texts[start..end], matcher);
            }
            start = end;
        }
        self.applied = query.to_string();
        self.rebuild_view(keep);
        // Select what was typed: the best match, not whichever row the cursor happened to be on.
        let (texts, ends) = (&self.texts, &self.ends);
        let text = |i: u32| {
            let i = i as usize;
            let start = if i == 0 { 0 } else { ends[i - 1] };
            &texts[start..ends[i]]
        };
        if let Some(pos) = super::rank::best(query, &self.view, text, &pattern(query), matcher) {
            self.cursor.selected = pos;
        }
    }

    /// Forget the query (another repository's rows: a filter belongs to the list it was typed
    /// in).
    pub fn reset_filter(&mut self, matcher: &mut Matcher) {
        self.filter = Filter::default();
        self.set_query("", matcher);
    }

    pub fn applied_query(&self) -> &str {
        &self.applied
    }

    /// `s`: the next sort column, in its default direction.
    pub fn cycle_sort(&mut self) {
        let n = T::SORT_COLUMNS.len().max(1);
        self.sort.column = (self.sort.column + 1) % n;
        self.sort.descending = T::SORT_DESC.get(self.sort.column).copied().unwrap_or(false);
        self.resort();
    }

    /// `S`: reverse the direction.
    pub fn reverse_sort(&mut self) {
        self.sort.descending = !self.sort.descending;
        self.resort();
    }

    fn resort(&mut self) {
        let keep = self.selected_index();
        let mut sorted = std::mem::take(&mut self.sorted);
        sorted.sort_by(|&a, &b| self.order(a, b));
        self.sorted = sorted;
        self.rebuild_view(keep);
    }

    /// Swap in a complete new set of rows, keeping the sort, the filter and the selected row (by
    /// `Row::key`; by position when it is gone) and the marks on rows still there. Returns how
    /// many marks were dropped with their rows.
    pub fn replace(&mut self, rows: Vec<T>, matcher: &mut Matcher) -> usize {
        let key = self.selected().map(|r| r.key().to_string());
        let marks: std::collections::HashSet<String> =
            self.marked_rows().map(|r| r.key().to_string()).collect();
        let (cursor, query) = (self.cursor, std::mem::take(&mut self.applied));
        let before = marks.len();
        self.clear();
        self.append(rows, matcher);
        for (i, r) in self.rows.iter().enumerate() {
            if marks.contains(r.key()) {
                self.marked[i] = true;
                self.n_marked += 1;
            }
        }
        self.set_query(&query, matcher);
        self.cursor = cursor;
        if let Some(pos) = key.and_then(|k| {
            self.view
                .iter()
                .position(|&i| self.rows[i as usize].key() == k)
        }) {
            self.cursor.selected = pos;
        }
        self.clamp();
        before.saturating_sub(self.n_marked)
    }

    /// Recompute `view` and keep the cursor on the same row when it is still shown.
    fn rebuild_view(&mut self, keep: Option<u32>) {
        self.view.clear();
        let hit = &self.hit;
        self.view
            .extend(self.sorted.iter().copied().filter(|&i| hit[i as usize]));
        self.cursor.selected = match keep {
            Some(k) => self
                .view
                .iter()
                .position(|&i| i == k)
                .unwrap_or(self.cursor.selected),
            None => self.cursor.selected,
        };
        self.clamp();
    }

    pub fn clamp(&mut self) {
        let n = self.view.len();
        if self.cursor.selected >= n {
            self.cursor.selected = n.saturating_sub(1);
        }
        if self.cursor.offset > self.cursor.selected {
            self.cursor.offset = self.cursor.selected;
        }
    }

    /// Move the cursor by `delta` rows, clamped.
    pub fn move_by(&mut self, delta: isize) {
        let n = self.view.len();
        if n == 0 {
            return;
        }
        let to = (self.cursor.selected as isize + delta).clamp(0, n as isize - 1);
        self.cursor.selected = to as usize;
    }

    pub fn select(&mut self, pos: usize) {
        self.cursor.selected = pos.min(self.view.len().saturating_sub(1));
    }

    /// Scroll so the cursor is inside a window of `height` rows.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        let c = &mut self.cursor;
        if c.selected < c.offset {
            c.offset = c.selected;
        } else if c.selected >= c.offset + height {
            c.offset = c.selected + 1 - height;
        }
        let max_offset = self.view.len().saturating_sub(height);
        if c.offset > max_offset {
            c.offset = max_offset;
        }
    }
}

/// Whatever a list is, seen without its row type: what navigation, filtering, loads and marks
/// need, so code that works on "the focused list" or "list `id`" is written once.
pub trait AnyList {
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn rows_loaded(&self) -> usize;
    fn load(&self) -> &Load;
    fn load_mut(&mut self) -> &mut Load;
    fn filter(&self) -> &Filter;
    fn filter_mut(&mut self) -> &mut Filter;
    fn cursor(&self) -> Cursor;
    fn cursor_mut(&mut self) -> &mut Cursor;
    fn move_by(&mut self, delta: isize);
    fn select(&mut self, pos: usize);
    fn cycle_sort(&mut self);
    fn reverse_sort(&mut self);
    fn set_query(&mut self, query: &str, matcher: &mut Matcher);
    fn scroll_into_view(&mut self, height: usize);
    /// Drop the rows (the load state is the caller's business).
    fn clear(&mut self);
    /// A background reload begins: pages are collected and swapped in whole at the end.
    fn stage(&mut self);
    fn toggle_mark(&mut self);
    /// Mark every row shown, or unmark them when all are: whether they are now marked.
    fn mark_all_shown(&mut self) -> (bool, usize);
    fn marked_count(&self) -> usize;
}

impl<T: Row> AnyList for List<T> {
    fn len(&self) -> usize {
        List::len(self)
    }
    fn rows_loaded(&self) -> usize {
        self.rows.len()
    }
    fn load(&self) -> &Load {
        &self.load
    }
    fn load_mut(&mut self) -> &mut Load {
        &mut self.load
    }
    fn filter(&self) -> &Filter {
        &self.filter
    }
    fn filter_mut(&mut self) -> &mut Filter {
        &mut self.filter
    }
    fn cursor(&self) -> Cursor {
        self.cursor
    }
    fn cursor_mut(&mut self) -> &mut Cursor {
        &mut self.cursor
    }
    fn move_by(&mut self, delta: isize) {
        List::move_by(self, delta)
    }
    fn select(&mut self, pos: usize) {
        List::select(self, pos)
    }
    fn cycle_sort(&mut self) {
        List::cycle_sort(self)
    }
    fn reverse_sort(&mut self) {
        List::reverse_sort(self)
    }
    fn set_query(&mut self, query: &str, matcher: &mut Matcher) {
        List::set_query(self, query, matcher)
    }
    fn scroll_into_view(&mut self, height: usize) {
        List::scroll_into_view(self, height)
    }
    fn clear(&mut self) {
        List::clear(self)
    }
    fn stage(&mut self) {
        self.staged = Some(Vec::new());
    }
    fn toggle_mark(&mut self) {
        List::toggle_mark(self)
    }
    fn mark_all_shown(&mut self) -> (bool, usize) {
        List::mark_all_shown(self)
    }
    fn marked_count(&self) -> usize {
        List::marked_count(self)
    }
}

#[cfg(test)]
mod tests {
    use nucleo_matcher::{Config, Matcher, Utf32Str};
    use proptest::prelude::*;

    use super::{Scorer, pattern};

    proptest! {
        /// Rows match exactly when nucleo's own scoring finds a match.
        #[test]
        fn matches_exactly_what_nucleo_scores(
            hay in "[a-cA-C0-9:/ éÉ-]{0,40}",
            query in "[a-cA-C0-9 éÉ\\\\-]{0,6}",
        ) {
            let mut m = Matcher::new(Config::DEFAULT);
            let mut buf = Vec::new();
            let want = query.trim().is_empty()
                || pattern(&query)
                    .score(Utf32Str::new(&hay, &mut buf), &mut m)
                    .is_some();
            let got = Scorer::new(&query, &mut m).matches(&hay, &mut m);
            prop_assert_eq!(got, want);
        }
    }
}
