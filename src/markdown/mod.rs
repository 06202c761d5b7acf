//! Markdown (catalog about/usage text) to ratatui `Text`, laid out for a given width.
//!
//! pulldown-cmark parses (CommonMark plus tables, strikethrough and task lists); this module walks
//! its events. Inline content collects into fragments that are word-wrapped by display width when
//! the block ends; containers (block quotes, list items) add a prefix to every line they hold, so
//! wrapped lines keep the quote bar and the list's hanging indent. Every piece of input text goes
//! through `sanitize::clean_text`/`clean_line`, raw HTML is dropped, and each finished line is
//! clipped to the width, so the output never holds a control character or an over-wide line.

mod table;
mod wrap;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, LinkType, Options, Parser, Tag, TagEnd};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span, Text};

use crate::sanitize::{clean_line, clean_text};
use table::Table;
use wrap::{Frag, LineBuf, hard_wrap, truncate, wrap};

/// Background of fenced code blocks (and of inline code).
pub const CODE_BG: Color = Color::Rgb(40, 44, 52);

/// Render `md` wrapped to `width` columns. Never panics; never emits control characters; no line is
/// wider than `width`.
pub fn render(md: &str, width: u16) -> Text<'static> {
    let width = usize::from(width);
    if width == 0 {
        return Text::default();
    }
    // Clean the source first: the parser splits text at `]`, `*`, … so an escape sequence could
    // straddle two text events; entity-decoded text is cleaned again per event.
    let md = clean_text(md);
    let opts = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    let mut r = Renderer::new(width);
    for event in Parser::new_ext(&md, opts) {
        r.event(event);
    }
    r.flush(Style::new());
    Text::from(r.lines)
}

/// Plain (not markdown) text word-wrapped to `width` the way `render` wraps paragraphs: `\n` starts
/// a new line, blank lines stay, runs of spaces collapse; cleaned; no line wider than `width`.
/// Use it rather than `Paragraph::wrap` for untrusted text: ratatui 0.30's wrapper can overrun its
/// area and panic on wide characters in narrow areas (ratatui issue #2679).
pub fn wrap_plain(text: &str, width: u16, style: Style) -> Text<'static> {
    let width = usize::from(width);
    if width == 0 {
        return Text::default();
    }
    let mut lines = Vec::new();
    for line in clean_text(text).split('\n') {
        let wrapped = wrap(&[Frag::Text(line.to_string(), Style::new())], style, width);
        if wrapped.is_empty() {
            lines.push(Line::default());
        }
        for l in wrapped {
            lines.push(Line::from(truncate(&l.spans, width, false).spans));
        }
    }
    Text::from(lines)
}

enum Container {
    Quote,
    Item {
        marker: String,
        style: Style,
        width: usize,
        used: bool,
    },
}

struct LinkState {
    url: String,
    start: usize,
    show_url: bool,
}

struct Renderer {
    width: usize,
    lines: Vec<Line<'static>>,
    containers: Vec<Container>,
    inline: Vec<Frag>,
    styles: Vec<Style>,
    /// A blank line is owed before the next output (blocks are separated by one).
    pending_blank: bool,
    /// Next number of each open list (`None` for bullet lists).
    lists: Vec<Option<u64>>,
    links: Vec<LinkState>,
    images: Vec<String>,
    code: Option<(String, String)>,
    table: Option<Table>,
}

fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

fn heading_style(level: HeadingLevel) -> Style {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    match level {
        HeadingLevel::H1 => bold.fg(Color::LightCyan),
        HeadingLevel::H2 => bold.fg(Color::Cyan),
        HeadingLevel::H3 => bold.fg(Color::LightYellow),
        HeadingLevel::H4 => bold.fg(Color::LightGreen),
        HeadingLevel::H5 => bold.add_modifier(Modifier::ITALIC),
        HeadingLevel::H6 => Style::new().add_modifier(Modifier::ITALIC),
    }
}

impl Renderer {
    fn new(width: usize) -> Self {
        Renderer {
            width,
            lines: Vec::new(),
            containers: Vec::new(),
            inline: Vec::new(),
            styles: Vec::new(),
            pending_blank: false,
            lists: Vec::new(),
            links: Vec::new(),
            images: Vec::new(),
            code: None,
            table: None,
        }
    }

    fn style(&self) -> Style {
        self.styles
            .iter()
            .fold(Style::new(), |acc, s| acc.patch(*s))
    }

    fn text(&mut self, s: &str, style: Style) {
        let s = clean_text(s);
        if !s.is_empty() {
            self.inline.push(Frag::Text(s.into_owned(), style));
        }
    }

    fn prefix_width(&self) -> usize {
        self.containers
            .iter()
            .map(|c| match c {
                Container::Quote => 2,
                Container::Item { width, .. } => *width,
            })
            .sum()
    }

    /// Nesting so deep that prefixes would leave almost no room: content then gets the whole width
    /// and the prefixes are left out, rather than one character per line.
    fn squeezed(&self) -> bool {
        self.prefix_width() + self.width.min(4) > self.width
    }

    /// Columns left for content after the container prefixes.
    fn avail(&self) -> usize {
        if self.squeezed() {
            self.width
        } else {
            self.width - self.prefix_width()
        }
    }

    fn prefix(&mut self, consume_marker: bool) -> Vec<Span<'static>> {
        let mut spans = Vec::new();
        if self.squeezed() {
            for c in &mut self.containers {
                if let Container::Item { used, .. } = c {
                    *used |= consume_marker;
                }
            }
            return spans;
        }
        for c in &mut self.containers {
            match c {
                Container::Quote => spans.push(Span::styled("│ ", dim())),
                Container::Item {
                    marker,
                    style,
                    width,
                    used,
                } => {
                    if consume_marker && !*used {
                        *used = true;
                        spans.push(Span::styled(marker.clone(), *style));
                    } else {
                        spans.push(Span::raw(" ".repeat(*width)));
                    }
                }
            }
        }
        spans
    }

    fn push_line(&mut self, spans: Vec<Span<'static>>) {
        let line = truncate(&spans, self.width, false);
        self.lines.push(Line::from(line.spans));
    }

    fn blank_if_pending(&mut self) {
        if std::mem::take(&mut self.pending_blank) && !self.lines.is_empty() {
            let mut spans = self.prefix(false);
            // A blank line inside a quote keeps its bar but no trailing spaces.
            while let Some(last) = spans.last_mut() {
                let trimmed = last.content.trim_end().to_string();
                if trimmed.is_empty() {
                    spans.pop();
                } else {
                    last.content = trimmed.into();
                    break;
                }
            }
            self.push_line(spans);
        }
    }

    fn emit(&mut self, content: Vec<Span<'static>>) {
        self.blank_if_pending();
        let mut spans = self.prefix(true);
        spans.extend(content);
        self.push_line(spans);
    }

    /// Wraps and emits the collected inline content.
    fn flush(&mut self, base: Style) -> Vec<usize> {
        if self.inline.is_empty() {
            return Vec::new();
        }
        let frags = std::mem::take(&mut self.inline);
        let lines = wrap(&frags, base, self.avail());
        let widths = lines.iter().map(|l| l.width).collect();
        for line in lines {
            self.emit(line.spans);
        }
        widths
    }

    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) => match &mut self.code {
                Some((_, body)) => body.push_str(&t),
                None => self.text(&t, self.style()),
            },
            Event::Code(t) => {
                let style = self.style().fg(Color::LightYellow).bg(CODE_BG);
                self.text(&t, style);
            }
            Event::SoftBreak => self.inline.push(Frag::Text(" ".into(), self.style())),
            Event::HardBreak => self.inline.push(Frag::Break),
            Event::InlineHtml(html) => {
                // Tags are never shown or interpreted; only a line break keeps its meaning.
                let tag = html.trim().to_ascii_lowercase();
                if matches!(tag.as_str(), "<br>" | "<br/>" | "<br />") {
                    self.inline.push(Frag::Break);
                }
            }
            Event::Rule => {
                self.flush(Style::new());
                let rule = "─".repeat(self.avail());
                self.emit(vec![Span::styled(rule, dim())]);
                self.pending_blank = true;
            }
            Event::TaskListMarker(done) => {
                let (mark, style) = if done {
                    ("[x] ", Style::new().fg(Color::Green))
                } else {
                    ("[ ] ", dim())
                };
                self.inline.push(Frag::Text(mark.into(), style));
            }
            Event::FootnoteReference(name) => {
                self.text(&format!("[^{name}]"), self.style());
            }
            // Block HTML is dropped whole; math and other extensions are not enabled.
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>) {
        match tag {
            Tag::Paragraph | Tag::Heading { .. } => {
                self.flush(Style::new());
            }
            Tag::BlockQuote(_) => {
                self.flush(Style::new());
                self.blank_if_pending();
                self.containers.push(Container::Quote);
            }
            Tag::List(start) => {
                self.flush(Style::new());
                self.blank_if_pending();
                self.lists.push(start);
            }
            Tag::Item => {
                self.flush(Style::new());
                self.blank_if_pending();
                let depth = self.lists.len().saturating_sub(1);
                let (marker, style) = match self.lists.last_mut() {
                    Some(Some(n)) => {
                        let m = format!("{n}. ");
                        *n = n.saturating_add(1);
                        (m, Style::new().fg(Color::LightBlue))
                    }
                    _ => {
                        let bullet = ["• ", "◦ ", "▪ "][depth % 3];
                        (bullet.to_string(), Style::new().fg(Color::LightBlue))
                    }
                };
                let width = crate::sanitize::display_width(&marker);
                self.containers.push(Container::Item {
                    marker,
                    style,
                    width,
                    used: false,
                });
            }
            Tag::CodeBlock(kind) => {
                self.flush(Style::new());
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        clean_line(info.split_whitespace().next().unwrap_or("")).into_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((lang, String::new()));
            }
            Tag::Table(aligns) => {
                self.flush(Style::new());
                self.table = Some(Table::new(aligns));
            }
            Tag::TableHead | Tag::TableRow => {
                let head = matches!(tag, Tag::TableHead);
                if let Some(t) = &mut self.table {
                    t.start_row(head);
                }
            }
            Tag::TableCell => self.inline.clear(),
            Tag::Emphasis => self
                .styles
                .push(Style::new().add_modifier(Modifier::ITALIC)),
            Tag::Strong => self.styles.push(Style::new().add_modifier(Modifier::BOLD)),
            Tag::Strikethrough => self
                .styles
                .push(Style::new().add_modifier(Modifier::CROSSED_OUT)),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                self.styles.push(
                    Style::new()
                        .fg(Color::LightBlue)
                        .add_modifier(Modifier::UNDERLINED),
                );
                let autolink = matches!(link_type, LinkType::Autolink | LinkType::Email);
                self.links.push(LinkState {
                    url: clean_line(&dest_url).into_owned(),
                    start: self.inline.len(),
                    show_url: !autolink,
                });
            }
            Tag::Image { dest_url, .. } => {
                self.inline.push(Frag::Text("[image: ".into(), dim()));
                self.styles
                    .push(Style::new().add_modifier(Modifier::ITALIC));
                self.images.push(clean_line(&dest_url).into_owned());
            }
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph => {
                self.flush(Style::new());
                self.pending_blank = true;
            }
            TagEnd::Heading(level) => self.heading(level),
            TagEnd::BlockQuote(_) => {
                self.flush(Style::new());
                self.containers.pop();
                self.pending_blank = true;
            }
            TagEnd::List(_) => {
                self.flush(Style::new());
                self.lists.pop();
                // Nested lists in tight items run on without a gap.
                self.pending_blank = !self
                    .containers
                    .iter()
                    .any(|c| matches!(c, Container::Item { .. }));
            }
            TagEnd::Item => {
                self.flush(Style::new());
                if let Some(Container::Item { used: false, .. }) = self.containers.last() {
                    // An empty item still shows its marker.
                    self.emit(Vec::new());
                }
                self.containers.pop();
            }
            TagEnd::CodeBlock => {
                if let Some((lang, body)) = self.code.take() {
                    self.code_block(&lang, &body);
                }
                self.pending_blank = true;
            }
            TagEnd::Table => {
                if let Some(t) = self.table.take() {
                    for line in t.lines(self.avail()) {
                        self.emit(line);
                    }
                }
                self.pending_blank = true;
            }
            TagEnd::TableCell => {
                let frags = std::mem::take(&mut self.inline);
                if let Some(t) = &mut self.table {
                    t.push_cell(&frags);
                }
            }
            TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough => {
                self.styles.pop();
            }
            TagEnd::Link => {
                self.styles.pop();
                if let Some(link) = self.links.pop() {
                    let text: String = self.inline[link.start.min(self.inline.len())..]
                        .iter()
                        .filter_map(|f| match f {
                            Frag::Text(t, _) => Some(t.as_str()),
                            Frag::Break => None,
                        })
                        .collect();
                    if link.show_url && !link.url.is_empty() && text.trim() != link.url {
                        self.inline
                            .push(Frag::Text(format!(" ({})", link.url), dim()));
                    }
                }
            }
            TagEnd::Image => {
                self.styles.pop();
                self.inline.push(Frag::Text("]".into(), dim()));
                if let Some(url) = self.images.pop().filter(|u| !u.is_empty()) {
                    self.inline.push(Frag::Text(format!(" ({url})"), dim()));
                }
            }
            _ => {}
        }
    }

    /// H1 and H2 are underlined with a rule as wide as their text; H3–H6 keep their `#` marker.
    fn heading(&mut self, level: HeadingLevel) {
        let style = heading_style(level);
        let depth = level as usize;
        if depth >= 3 {
            let marker = format!("{} ", "#".repeat(depth));
            self.inline.insert(0, Frag::Text(marker, dim()));
        }
        let widths = self.flush(style);
        if depth <= 2 && !widths.is_empty() {
            let w = widths.into_iter().max().unwrap_or(0).max(1);
            let ch = if depth == 1 { "═" } else { "─" };
            self.emit(vec![Span::styled(
                ch.repeat(w),
                style.remove_modifier(Modifier::BOLD),
            )]);
        }
        self.pending_blank = true;
    }

    /// Verbatim lines (long ones cut into chunks, never reflowed) on a shaded background, with the
    /// language as a label above.
    fn code_block(&mut self, lang: &str, body: &str) {
        let avail = self.avail();
        if !lang.is_empty() {
            let label = Style::new().fg(Color::Gray).add_modifier(Modifier::ITALIC);
            self.emit(vec![Span::styled(lang.to_string(), label)]);
        }
        let margin = usize::from(avail >= 4);
        let inner = avail.saturating_sub(2 * margin).max(1);
        let style = Style::new().bg(CODE_BG);
        let body = clean_text(body);
        let body = body.strip_suffix('\n').unwrap_or(&body);
        for line in body.split('\n') {
            for (chunk, w) in hard_wrap(line, inner) {
                let mut out = LineBuf::default();
                out.push(&" ".repeat(margin), style);
                out.push(&chunk, style);
                out.push(&" ".repeat(avail.saturating_sub(w + margin)), style);
                self.emit(out.spans);
            }
        }
    }
}

#[cfg(test)]
mod tests;
