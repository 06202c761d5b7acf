//! Marks on a list's rows (for deleting): toggling, marking all shown, and what may be marked
//! while cached rows wait for the fresh listing.

use super::{List, Row};

impl<T: Row> List<T> {
    /// Rows in view order from `start` (at most `n`), each with whether it is marked.
    pub fn window_marked(&self, start: usize, n: usize) -> impl Iterator<Item = (&T, bool)> {
        let end = self.view.len().min(start.saturating_add(n));
        let start = start.min(end);
        self.view[start..end]
            .iter()
            .map(|&i| (&self.rows[i as usize], self.marked[i as usize]))
    }

    pub fn marked_count(&self) -> usize {
        self.n_marked
    }

    /// Every marked row in sort order, shown or hidden by the filter.
    pub fn marked_rows(&self) -> impl Iterator<Item = &T> {
        self.sorted
            .iter()
            .filter(|&&i| self.marked[i as usize])
            .map(|&i| &self.rows[i as usize])
    }

    /// `space`: mark or unmark the selected row.
    pub fn toggle_mark(&mut self) {
        if let Some(i) = self.selected_index() {
            let m = &mut self.marked[i as usize];
            *m = !*m;
            if *m {
                self.n_marked += 1;
            } else {
                self.n_marked -= 1;
            }
        }
    }

    /// Whether the selected row may be marked: always, unless it is a cached row the fresh
    /// listing has not brought back unchanged yet.
    pub fn selected_confirmed(&self) -> bool {
        match (&self.stale, self.selected_index()) {
            (Some(s), Some(i)) => s.confirmed(i),
            _ => true,
        }
    }

    /// Whether the selected row is marked.
    pub fn selected_marked(&self) -> bool {
        self.selected_index()
            .is_some_and(|i| self.marked[i as usize])
    }

    /// `ctrl-a`: mark every row shown (after a filter: every match) that may be marked (see
    /// `selected_confirmed`); when all those are marked already, unmark them. Returns whether
    /// rows are now marked, and how many shown rows were left out as unconfirmed.
    pub fn mark_all_shown(&mut self) -> (bool, usize) {
        let stale = &self.stale;
        let ok = |i: u32| stale.as_ref().is_none_or(|s| s.confirmed(i));
        let marked = &mut self.marked;
        let all = self
            .view
            .iter()
            .filter(|&&i| ok(i))
            .all(|&i| marked[i as usize]);
        let mut left_out = 0;
        for &i in &self.view {
            if !ok(i) {
                left_out += 1;
                continue;
            }
            let m = &mut marked[i as usize];
            if *m == all {
                *m = !all;
                if all {
                    self.n_marked -= 1;
                } else {
                    self.n_marked += 1;
                }
            }
        }
        (!all, left_out)
    }

    pub fn clear_marks(&mut self) {
        self.marked.iter_mut().for_each(|m| *m = false);
        self.n_marked = 0;
    }
}
