//! Word wrapping of styled inline content by display width (as ratatui measures it), plus the
//! clipping and truncation helpers the block renderers share.

use ratatui::style::Style;
use ratatui::text::Span;
use unicode_segmentation::UnicodeSegmentation;

use crate::sanitize::{display_width, grapheme_width};

/// A piece of inline content. Text is already sanitized.
#[derive(Clone, Debug)]
pub(super) enum Frag {
    Text(String, Style),
    /// A hard line break.
    Break,
}

/// A line under construction; adjacent text of the same style shares one span.
#[derive(Clone, Debug, Default)]
pub(super) struct LineBuf {
    pub spans: Vec<Span<'static>>,
    pub width: usize,
}

impl LineBuf {
    pub fn push(&mut self, text: &str, style: Style) {
        self.push_measured(text, style, display_width(text));
    }

    fn push_measured(&mut self, text: &str, style: Style, width: usize) {
        if text.is_empty() {
            return;
        }
        self.width += width;
        match self.spans.last_mut() {
            Some(last) if last.style == style => last.content.to_mut().push_str(text),
            _ => self.spans.push(Span::styled(text.to_string(), style)),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }
}

enum Token {
    Word(Vec<(String, Style)>, usize),
    Space(Style),
    Break,
}

fn is_space(g: &str) -> bool {
    // NBSP is deliberately not a break opportunity.
    g.chars().all(|c| c.is_whitespace() && c != '\u{a0}')
}

/// Splits fragments into words (possibly spanning several styles), collapsed spaces and breaks.
fn tokenize(frags: &[Frag], base: Style) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut word: Vec<(String, Style)> = Vec::new();
    let mut word_width = 0;
    let end_word = |tokens: &mut Vec<Token>, word: &mut Vec<(String, Style)>, w: &mut usize| {
        if !word.is_empty() {
            tokens.push(Token::Word(std::mem::take(word), *w));
            *w = 0;
        }
    };
    for frag in frags {
        match frag {
            Frag::Break => {
                end_word(&mut tokens, &mut word, &mut word_width);
                tokens.push(Token::Break);
            }
            Frag::Text(text, style) => {
                let style = base.patch(*style);
                for g in text.graphemes(true) {
                    if is_space(g) {
                        end_word(&mut tokens, &mut word, &mut word_width);
                        if !matches!(tokens.last(), Some(Token::Space(_))) {
                            tokens.push(Token::Space(style));
                        }
                        continue;
                    }
                    let gw = grapheme_width(g);
                    // A word never starts with a zero-width grapheme: it has no base there.
                    if gw == 0 && word.is_empty() {
                        continue;
                    }
                    word_width += gw;
                    match word.last_mut() {
                        Some((s, st)) if *st == style => s.push_str(g),
                        _ => word.push((g.to_string(), style)),
                    }
                }
            }
        }
    }
    end_word(&mut tokens, &mut word, &mut word_width);
    tokens
}

/// Greedy word wrap to `width` columns (at least 1). Words longer than a line are broken between
/// graphemes; spaces at line ends are dropped; hard breaks start a new line.
pub(super) fn wrap(frags: &[Frag], base: Style, width: usize) -> Vec<LineBuf> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut cur = LineBuf::default();
    let mut space: Option<Style> = None;
    for token in tokenize(frags, base) {
        match token {
            Token::Space(style) => space = Some(style),
            Token::Break => {
                lines.push(std::mem::take(&mut cur));
                space = None;
            }
            Token::Word(parts, w) => {
                let gap = usize::from(space.is_some() && !cur.is_empty());
                if cur.width + gap + w <= width {
                    if let (1, Some(style)) = (gap, space) {
                        cur.push_measured(" ", style, 1);
                    }
                    for (text, style) in &parts {
                        cur.push(text, *style);
                    }
                } else {
                    if !cur.is_empty() {
                        lines.push(std::mem::take(&mut cur));
                    }
                    for (text, style) in &parts {
                        for g in text.graphemes(true) {
                            let gw = grapheme_width(g);
                            if cur.width + gw > width && !cur.is_empty() {
                                lines.push(std::mem::take(&mut cur));
                            }
                            cur.push_measured(g, *style, gw);
                        }
                    }
                }
                space = None;
            }
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// All fragments on one line: breaks become spaces, runs of spaces collapse (table cells).
pub(super) fn flatten(frags: &[Frag], base: Style) -> LineBuf {
    let mut line = LineBuf::default();
    let mut space: Option<Style> = None;
    for token in tokenize(frags, base) {
        match token {
            Token::Space(style) => space = Some(style),
            Token::Break => space = Some(base),
            Token::Word(parts, _) => {
                if let Some(style) = space.take().filter(|_| !line.is_empty()) {
                    line.push_measured(" ", style, 1);
                }
                for (text, style) in &parts {
                    line.push(text, *style);
                }
            }
        }
    }
    line
}

/// Cuts `spans` to at most `width` columns; with `ellipsis`, a cut line ends in `…`.
pub(super) fn truncate(spans: &[Span<'static>], width: usize, ellipsis: bool) -> LineBuf {
    let mut out = LineBuf::default();
    let total: usize = spans.iter().map(|s| display_width(&s.content)).sum();
    if total <= width {
        for s in spans {
            out.push(&s.content, s.style);
        }
        return out;
    }
    let budget = if ellipsis {
        width.saturating_sub(1)
    } else {
        width
    };
    let mut last_style = Style::default();
    'outer: for s in spans {
        for g in s.content.graphemes(true) {
            let gw = grapheme_width(g);
            if out.width + gw > budget {
                break 'outer;
            }
            out.push_measured(g, s.style, gw);
        }
        last_style = s.style;
    }
    if ellipsis && width > 0 {
        out.push_measured("…", last_style, 1);
    }
    out
}

/// Splits one verbatim line into chunks of at most `width` columns (code blocks: no reflow).
pub(super) fn hard_wrap(text: &str, width: usize) -> Vec<(String, usize)> {
    let width = width.max(1);
    let mut chunks = vec![(String::new(), 0)];
    for g in text.graphemes(true) {
        let gw = grapheme_width(g);
        let last = chunks.last_mut().expect("never empty");
        if last.1 + gw > width && last.1 > 0 {
            chunks.push((g.to_string(), gw));
        } else {
            last.0.push_str(g);
            last.1 += gw;
        }
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(lines: &[LineBuf]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
            .collect()
    }

    fn text(s: &str) -> Vec<Frag> {
        vec![Frag::Text(s.to_string(), Style::default())]
    }

    #[test]
    fn wraps_words_and_breaks_long_ones() {
        let lines = wrap(&text("the quick  brown fox"), Style::default(), 9);
        assert_eq!(plain(&lines), ["the quick", "brown fox"]);
        let lines = wrap(&text("a abcdefghij b"), Style::default(), 4);
        assert_eq!(plain(&lines), ["a", "abcd", "efgh", "ij b"]);
    }

    #[test]
    fn wide_characters_count_two_columns() {
        let lines = wrap(&text("世界你好 ab"), Style::default(), 5);
        assert_eq!(plain(&lines), ["世界", "你好", "ab"]);
        assert!(lines.iter().all(|l| l.width <= 5));
    }

    #[test]
    fn truncation_uses_an_ellipsis() {
        let spans = [Span::raw("abcdef")];
        assert_eq!(plain(&[truncate(&spans, 4, true)]), ["abc…"]);
        assert_eq!(plain(&[truncate(&spans, 6, true)]), ["abcdef"]);
        assert_eq!(plain(&[truncate(&[Span::raw("世界")], 3, true)]), ["世…"]);
    }

    #[test]
    fn hard_wrap_keeps_spaces() {
        let chunks: Vec<String> = hard_wrap("  ab cd", 3).into_iter().map(|c| c.0).collect();
        assert_eq!(chunks, ["  a", "b c", "d"]);
    }
}
