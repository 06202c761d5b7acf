//! GFM tables as aligned columns: widths by display width, a bold header with a rule under it,
//! column alignment respected, columns shrunk (widest first) and cells cut with `…` when the table
//! is wider than the space it has.

use pulldown_cmark::Alignment;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::Span;

use super::wrap::{Frag, LineBuf, flatten, truncate};

const SEP: &str = " │ ";
const SEP_WIDTH: usize = 3;

#[derive(Debug, Default)]
pub(super) struct Table {
    aligns: Vec<Alignment>,
    rows: Vec<Vec<LineBuf>>,
    head_rows: usize,
}

impl Table {
    pub fn new(aligns: Vec<Alignment>) -> Self {
        Table {
            aligns,
            ..Table::default()
        }
    }

    pub fn start_row(&mut self, head: bool) {
        self.rows.push(Vec::new());
        if head {
            self.head_rows = self.rows.len();
        }
    }

    pub fn push_cell(&mut self, frags: &[Frag]) {
        let head = self.rows.len() <= self.head_rows;
        let base = if head {
            Style::new().add_modifier(Modifier::BOLD)
        } else {
            Style::new()
        };
        let cell = flatten(frags, base);
        match self.rows.last_mut() {
            Some(row) => row.push(cell),
            None => self.rows.push(vec![cell]),
        }
    }

    /// The table laid out in at most `width` columns (when even one column per cell does not fit,
    /// the caller's clipping cuts the rest).
    pub fn lines(&self, width: usize) -> Vec<Vec<Span<'static>>> {
        let ncols = self
            .rows
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(self.aligns.len());
        if ncols == 0 {
            return Vec::new();
        }
        let mut widths = vec![1; ncols];
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.width);
            }
        }
        fit(&mut widths, width.saturating_sub(SEP_WIDTH * (ncols - 1)));
        let dim = Style::new().fg(Color::DarkGray);
        let empty = LineBuf::default();
        let mut out = Vec::new();
        for (i, row) in self.rows.iter().enumerate() {
            let mut spans = Vec::new();
            for (c, &w) in widths.iter().enumerate() {
                if c > 0 {
                    spans.push(Span::styled(SEP, dim));
                }
                let cell = truncate(&row.get(c).unwrap_or(&empty).spans, w, true);
                let pad = w.saturating_sub(cell.width);
                let (left, right) = match self.aligns.get(c) {
                    Some(Alignment::Right) => (pad, 0),
                    Some(Alignment::Center) => (pad / 2, pad - pad / 2),
                    _ => (0, pad),
                };
                push_pad(&mut spans, left);
                spans.extend(cell.spans);
                // No trailing padding after the last column.
                if c + 1 < ncols {
                    push_pad(&mut spans, right);
                }
            }
            out.push(spans);
            if i + 1 == self.head_rows {
                let rule: Vec<String> = widths.iter().map(|&w| "─".repeat(w)).collect();
                out.push(vec![Span::styled(rule.join("─┼─"), dim)]);
            }
        }
        out
    }
}

fn push_pad(spans: &mut Vec<Span<'static>>, n: usize) {
    if n > 0 {
        spans.push(Span::raw(" ".repeat(n)));
    }
}

/// Caps column widths so that they sum to at most `budget`: the widest columns shrink first, no
/// column below one cell.
fn fit(widths: &mut [usize], budget: usize) {
    if widths.iter().sum::<usize>() <= budget {
        return;
    }
    let total_with = |cap: usize| widths.iter().map(|&w| w.min(cap)).sum::<usize>();
    // Largest cap that fits, by binary search over 1..=max.
    let (mut lo, mut hi) = (1, widths.iter().copied().max().unwrap_or(1));
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if total_with(mid) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let cap = lo;
    let mut spare = budget.saturating_sub(total_with(cap));
    for w in widths.iter_mut() {
        let capped = (*w).min(cap);
        // Hand the remainder to columns that wanted more, left to right.
        let extra = if *w > cap { spare.min(*w - cap) } else { 0 };
        spare -= extra;
        *w = capped + extra;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_shrinks_widest_first() {
        let mut w = vec![3, 20, 5];
        fit(&mut w, 14);
        assert_eq!(w, [3, 6, 5]);
        let mut w = vec![10, 10];
        fit(&mut w, 1);
        assert_eq!(w, [1, 1]);
    }
}
