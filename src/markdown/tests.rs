use super::*;

fn plain(md: &str, width: u16) -> Vec<String> {
    render(md, width)
        .lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect()
}

/// The span holding `needle` in the rendered text.
fn span_with(md: &str, width: u16, needle: &str) -> Span<'static> {
    render(md, width)
        .lines
        .into_iter()
        .flat_map(|l| l.spans)
        .find(|s| s.content.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not rendered"))
}

fn has(style: Style, m: Modifier) -> bool {
    style.add_modifier.contains(m)
}

#[test]
fn headings_have_distinct_styles() {
    let md = "# Title\n\n## Sub\n\n### Third\n\n###### Sixth";
    assert_eq!(
        plain(md, 40),
        [
            "Title",
            "═════",
            "",
            "Sub",
            "───",
            "",
            "### Third",
            "",
            "###### Sixth"
        ]
    );
    let h1 = span_with(md, 40, "Title").style;
    let h2 = span_with(md, 40, "Sub").style;
    let h3 = span_with(md, 40, "Third").style;
    assert!(has(h1, Modifier::BOLD) && has(h2, Modifier::BOLD) && has(h3, Modifier::BOLD));
    assert_ne!(h1.fg, h2.fg);
    assert_ne!(h2.fg, h3.fg);
}

#[test]
fn long_heading_rule_matches_wrapped_width() {
    assert_eq!(plain("# aaaa bbbb cc", 9), ["aaaa bbbb", "cc", "═════════"]);
}

#[test]
fn paragraphs_wrap_by_width_and_break_long_words() {
    let md = "The quick brown fox jumps over the lazy dog.\n\nabcdefghijklmnop";
    assert_eq!(
        plain(md, 12),
        [
            "The quick",
            "brown fox",
            "jumps over",
            "the lazy",
            "dog.",
            "",
            "abcdefghijkl",
            "mnop"
        ]
    );
}

#[test]
fn inline_styles() {
    let md = "*it* **bold** ~~gone~~ `code`";
    assert_eq!(plain(md, 40), ["it bold gone code"]);
    assert!(has(span_with(md, 40, "it").style, Modifier::ITALIC));
    assert!(has(span_with(md, 40, "bold").style, Modifier::BOLD));
    assert!(has(span_with(md, 40, "gone").style, Modifier::CROSSED_OUT));
    assert_eq!(span_with(md, 40, "code").style.bg, Some(CODE_BG));
}

#[test]
fn soft_and_hard_breaks() {
    assert_eq!(plain("one\ntwo", 20), ["one two"]);
    assert_eq!(plain("one  \ntwo\\\nthree", 20), ["one", "two", "three"]);
    assert_eq!(plain("a<br>b", 20), ["a", "b"]);
}

#[test]
fn fenced_code_is_verbatim_with_label_and_background() {
    let md = "```rust\nfn main() {\n    x  =  1;\n}\n```";
    let lines = plain(md, 16);
    assert_eq!(
        lines,
        [
            "rust",
            " fn main() {    ",
            "     x  =  1;   ",
            " }              "
        ]
    );
    assert_eq!(span_with(md, 16, "fn main").style.bg, Some(CODE_BG));
    // Long lines are cut into chunks, never reflowed.
    assert_eq!(plain("```\nabcdefghij\n```", 8), [" abcdef ", " ghij   "]);
}

#[test]
fn tabs_in_code_expand_to_stops() {
    assert_eq!(plain("```\n\tx\n```", 10), ["     x    "]);
}

#[test]
fn nested_lists_number_and_hang() {
    let md = "- one\n- two that wraps here\n  - inner\n  - more\n- three\n\n1. a\n2. b\n   1. b1\n";
    assert_eq!(
        plain(md, 14),
        [
            "• one",
            "• two that",
            "  wraps here",
            "  ◦ inner",
            "  ◦ more",
            "• three",
            "",
            "1. a",
            "2. b",
            "   1. b1"
        ]
    );
}

#[test]
fn ordered_list_start_and_loose_items() {
    let md = "7. seven\n\n   more\n8. eight";
    assert_eq!(plain(md, 20), ["7. seven", "", "   more", "", "8. eight"]);
}

#[test]
fn task_lists() {
    let md = "- [x] done\n- [ ] todo";
    assert_eq!(plain(md, 20), ["• [x] done", "• [ ] todo"]);
    assert_eq!(span_with(md, 20, "[x]").style.fg, Some(Color::Green));
}

#[test]
fn block_quotes_prefix_every_line_and_nest() {
    let md = "> quoted words wrap here\n>\n> > inner\n\nafter";
    assert_eq!(
        plain(md, 14),
        [
            "│ quoted words",
            "│ wrap here",
            "│",
            "│ │ inner",
            "",
            "after"
        ]
    );
}

#[test]
fn links_show_url_once() {
    assert_eq!(
        plain(
            "[docs](https://d.example) <https://a.example> [https://s.example](https://s.example)",
            80
        ),
        ["docs (https://d.example) https://a.example https://s.example"]
    );
    let md = "[docs](https://d.example)";
    assert!(has(span_with(md, 80, "docs").style, Modifier::UNDERLINED));
    assert_eq!(plain("<me@x.example>", 40), ["me@x.example"]);
}

#[test]
fn images_show_alt_and_url() {
    assert_eq!(
        plain("![the logo](https://x.example/l.png)", 60),
        ["[image: the logo] (https://x.example/l.png)"]
    );
}

#[test]
fn tables_align_columns() {
    let md = "| Name | Size | Note |\n|:--|--:|:-:|\n| api | 41 MB | 世界 |\n| worker | 1 MB | x |";
    assert_eq!(
        plain(md, 40),
        [
            "Name   │  Size │ Note",
            "───────┼───────┼─────",
            "api    │ 41 MB │ 世界",
            "worker │  1 MB │  x"
        ]
    );
    assert!(has(span_with(md, 40, "Name").style, Modifier::BOLD));
    assert!(!has(span_with(md, 40, "api").style, Modifier::BOLD));
}

#[test]
fn wide_tables_shrink_with_ellipsis() {
    let md = "| a | description |\n|---|---|\n| 1 | a very long cell text |";
    assert_eq!(
        plain(md, 14),
        ["a │ descripti…", "──┼───────────", "1 │ a very lo…"]
    );
}

#[test]
fn rules_span_the_width() {
    assert_eq!(plain("a\n\n---\n\nb", 5), ["a", "", "─────", "", "b"]);
}

#[test]
fn raw_html_is_dropped_and_entities_decoded() {
    let md = "<div onclick=\"x\">\n<script>alert(1)</script>\n</div>\n\nkeep <span>this</span> &amp; &lt;that&gt; &copy;";
    assert_eq!(plain(md, 40), ["keep this & <that> ©"]);
}

#[test]
fn control_characters_never_survive() {
    let md = "# \u{1b}]0;evil\u{7}Title\n\nx\u{1b}[2Jy &#27;[31m \u{202e}abc \u{9b}1m\n\n```\n\u{1b}[1mcode\n```\n\n[t](http://\u{1b}[5mx)";
    for width in 0..30u16 {
        for line in render(md, width).lines {
            for span in line.spans {
                assert!(
                    !span.content.chars().any(crate::sanitize::is_unsafe_char),
                    "{:?}",
                    span.content
                );
            }
        }
    }
    assert_eq!(plain(md, 40)[0], "Title");
}

#[test]
fn tiny_widths_do_not_panic_or_overflow() {
    let md = "# H\n\n> > - 1. deep `code` 世界\n\n| a | b | c |\n|---|---|---|\n| 1 | 2 | 3 |\n\n```\ncode\n```";
    assert!(render(md, 0).lines.is_empty());
    for width in 1..=6u16 {
        for line in render(md, width).lines {
            assert!(line.width() <= usize::from(width), "{line:?} at {width}");
        }
    }
}

#[test]
fn wrap_plain_wraps_untrusted_text() {
    let text = wrap_plain(
        "a 世界 word\n\nnext\u{1b}[2J line",
        6,
        Style::new().fg(Color::Red),
    );
    let lines: Vec<String> = text
        .lines
        .iter()
        .map(|l| l.spans.iter().map(|s| s.content.as_ref()).collect())
        .collect();
    assert_eq!(lines, ["a 世界", "word", "", "next", "line"]);
    assert_eq!(text.lines[0].spans[0].style.fg, Some(Color::Red));
    assert!(wrap_plain("世", 1, Style::new()).lines[0].width() <= 1);
    assert!(wrap_plain("x", 0, Style::new()).lines.is_empty());
}

#[test]
fn deep_nesting_gives_up_prefixes_before_squeezing_text() {
    assert_eq!(plain("> > > > deep words", 8), ["deep", "words"]);
    assert_eq!(
        plain("> > deep words", 8),
        ["│ │ deep", "│ │ word", "│ │ s"]
    );
}
