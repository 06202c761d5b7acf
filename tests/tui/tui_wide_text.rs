//! Wide (CJK, emoji), combining and halfwidth text keeps the layout aligned, in the real views:
//! the app against the in-process emulator, whose state holds repository names, descriptions,
//! catalog text and image tags in those scripts. On the rendered buffer, every column of a list
//! starts where its header says on every row, no wide character straddles a column start or a
//! pane border, and every border stays in place.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::emulator::{self, EmulatorOptions};
use ratatui::buffer::{Buffer, CellWidth};
use serde_json::{Value, json};

const W: u16 = 160;
const H: u16 = 45;

/// Names the SDK passes through as the server sends them: the service's pattern would refuse most
/// of these, a hostile or broken endpoint would not.
const NAMES: &[&str] = &[
    "世界/服务",
    "日本語のリポジトリ",
    "漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字漢字",
    "🚀rocket",
    "👩\u{200d}💻dev",
    "cafe\u{301}/api",
    "e\u{301}\u{302}\u{303}/stacked",
    "ｶﾞｷﾞ/half",
    "한국어/저장소",
    "x漢",
];

const DESCRIPTIONS: &[&str] = &[
    "中文描述：这是一个很长的描述文本，用来测试截断和对齐是否正确处理宽字符",
    "Café crème — naïve résumé with e\u{301} combining accents",
    "🚀🚀🚀 launch images, 🐳 whale of a time, 👍",
    "ｱｲｳｴｵ halfwidth ｶﾞｷﾞｸﾞ and fullwidth ＡＢＣ１２３",
];

/// The buffer as a terminal shows it: one line per row, the cell a wide grapheme covers skipped.
fn display(buf: &Buffer) -> String {
    (0..buf.area.height)
        .map(|y| row_from(buf, 0, y).trim_end().to_string() + "\n")
        .collect()
}

/// How many columns the cell's grapheme takes, as ratatui counts them when it draws: 2 for a wide
/// grapheme, 1 for most others (combining marks join their base in the same cell), and see
/// `the_alignment_checks_catch_overlaps` for halfwidth katakana with a sound mark.
fn cell_width(buf: &Buffer, x: u16, y: u16) -> u16 {
    buf[(x, y)].symbol().cell_width().max(1)
}

/// Checks row `y`: the grapheme drawn in any cell left of `x` ends at or before `x`.
fn nothing_straddles(buf: &Buffer, x: u16, y: u16) -> Result<(), String> {
    for left in 0..x {
        let end = left + cell_width(buf, left, y);
        if end > x {
            return Err(format!(
                "{:?} at ({left}, {y}) covers column {x}",
                buf[(left, y)].symbol()
            ));
        }
    }
    Ok(())
}

/// Every vertical border cell is reached by nothing wide on its left, and each pane's right
/// border is on every row of the pane.
fn assert_borders_intact(buf: &Buffer) {
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            if buf[(x, y)].symbol() == "│" {
                nothing_straddles(buf, x, y).unwrap_or_else(|e| panic!("border: {e}"));
            }
        }
    }
}

/// Column starts from a header row: the x of each label in `labels`.
fn header_columns(buf: &Buffer, labels: &[&str]) -> (u16, Vec<u16>) {
    for y in 0..buf.area.height {
        let row: Vec<&str> = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
        let xs: Option<Vec<u16>> = labels
            .iter()
            .map(|label| {
                let n = label.chars().count();
                (0..row.len().saturating_sub(n)).find_map(|x| {
                    (row[x..x + n].concat() == *label
                        && (x == 0 || row[x - 1] == " ")
                        && row.get(x + n).is_none_or(|c| *c == " "))
                    .then_some(x as u16)
                })
            })
            .collect();
        if let Some(xs) = xs {
            return (y, xs);
        }
    }
    panic!("no header with {labels:?}:\n{}", display(buf));
}

/// The text of row `y` from column `x` on (continuation cells of wide graphemes skipped).
fn row_from(buf: &Buffer, x: u16, y: u16) -> String {
    let mut s = String::new();
    let mut col = x;
    while col < buf.area.width {
        s.push_str(buf[(col, y)].symbol());
        col += cell_width(buf, col, y);
    }
    s
}

async fn wide_state_emulator(dir: &std::path::Path) -> emulator::Emulator {
    let path = dir.join("state.json");
    let opts = || EmulatorOptions {
        clock: Some(NOW),
        state_file: Some(path.clone()),
        ..Default::default()
    };
    // The first start writes the demo state to the file.
    emulator::start(opts())
        .await
        .expect("emulator")
        .shutdown()
        .await;
    let mut state: Value =
        serde_json::from_slice(&std::fs::read(&path).expect("state")).expect("state JSON");
    let repos = state["repos"].as_object_mut().expect("repos");
    let mut template = repos["worker"].clone();
    template["created_ms"] = json!((NOW - 2 * 86_400) * 1000);
    for (i, name) in NAMES.iter().enumerate() {
        let mut repo = template.clone();
        repo["name"] = json!(name);
        repo["catalog"]["description"] = json!(DESCRIPTIONS[i % DESCRIPTIONS.len()]);
        repos.insert(name.to_string(), repo);
    }
    let web = repos.get_mut("web").expect("web");
    web["catalog"]["description"] = json!(DESCRIPTIONS[0]);
    web["catalog"]["about_text"] = json!(format!(
        "# 关于 🚀\n\n{}\n\n| 列 | 说明 |\n| --- | --- |\n| 版本 | 漢字とｶﾀｶﾅ |\n",
        DESCRIPTIONS.join(" ")
    ));
    // Wide, emoji and combining image tags on web's images.
    let tags = ["版本-一", "🐳-latest", "cafe\u{301}", "ｶﾞｷﾞ", "한국어"];
    let digests: Vec<String> = web["images"]
        .as_object()
        .expect("images")
        .keys()
        .cloned()
        .collect();
    for (tag, digest) in tags.iter().zip(&digests) {
        let image = &mut web["images"][digest];
        let pushed = image["pushed_ms"].clone();
        image["tags"].as_array_mut().expect("tags").push(json!(tag));
        web["image_tags"][tag] = json!({ "digest": digest, "created_ms": pushed });
    }
    std::fs::write(&path, serde_json::to_vec(&state).expect("encode")).expect("write state");
    emulator::start(opts()).await.expect("emulator")
}

#[tokio::test]
async fn wide_and_combining_text_keeps_columns_aligned() {
    let dir = tempfile::tempdir().expect("temp dir");
    let emu = wide_state_emulator(dir.path()).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;

    // Repositories: name, description and creation columns start at their headers on every row.
    let buf = render(&h.app);
    let s = display(&buf);
    let total = 13 + NAMES.len();
    assert!(s.contains(&format!("Repositories ({total})")), "{s}");
    assert_borders_intact(&buf);
    let (header, cols) = header_columns(&buf, &["NAME", "DESCRIPTION", "CREATED"]);
    let mut rows = 0;
    for y in header + 1..H {
        if !row_from(&buf, cols[2], y).starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        rows += 1;
        for &x in &cols {
            nothing_straddles(&buf, x, y).unwrap_or_else(|e| panic!("row {y}: {e}\n{s}"));
            assert_eq!(buf[(x - 1, y)].symbol(), " ", "row {y}, column {x}:\n{s}");
        }
        // Names and dates are never empty (a description may be).
        for x in [cols[0], cols[2]] {
            assert_ne!(buf[(x, y)].symbol(), " ", "row {y}, column {x}:\n{s}");
        }
    }
    assert_eq!(rows, total, "every repository is a row:\n{s}");
    for name in [
        "世界/服务",
        "🚀rocket",
        "cafe\u{301}/api",
        "ｶﾞｷﾞ/half",
        "한국어/저장소",
    ] {
        assert!(s.contains(name), "{name} drawn whole:\n{s}");
    }
    assert!(s.contains("👩💻dev"), "ZWJ removed, both emoji kept:\n{s}");

    // The catalog preview and the full-screen catalog wrap wide text inside their borders.
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    let buf = render(&h.app);
    assert!(display(&buf).contains("中文描述"), "{}", display(&buf));
    assert_borders_intact(&buf);
    h.keys("c").await;
    let buf = render(&h.app);
    assert!(display(&buf).contains("漢字とｶﾀｶﾅ"), "{}", display(&buf));
    assert_borders_intact(&buf);
    h.send(code(KeyCode::Esc)).await;

    // Images: the digest column starts at its header on every row, whatever the tags hold.
    h.send(code(KeyCode::Enter)).await;
    let buf = render(&h.app);
    let s = display(&buf);
    assert!(s.contains("🐳-latest") && s.contains("版本-一"), "{s}");
    assert_borders_intact(&buf);
    let (header, cols) = header_columns(&buf, &["TAGS", "DIGEST", "SIZE"]);
    let mut rows = 0;
    for y in header + 1..H {
        let from_digest = row_from(&buf, cols[1], y);
        if !from_digest.contains("sha256:") {
            continue;
        }
        rows += 1;
        assert!(from_digest.starts_with("sha256:"), "row {y}:\n{s}");
        for &x in &cols {
            nothing_straddles(&buf, x, y).unwrap_or_else(|e| panic!("row {y}: {e}\n{s}"));
        }
    }
    assert!(rows >= 10, "image rows:\n{s}");

    // Image tags: the same for the tag list.
    h.send(code(KeyCode::Tab)).await;
    let buf = render(&h.app);
    let s = display(&buf);
    assert!(s.contains("cafe\u{301}"), "{s}");
    assert_borders_intact(&buf);
    let (header, cols) = header_columns(&buf, &["TAG", "DIGEST", "SIZE"]);
    let mut rows = 0;
    for y in header + 1..H {
        let from_digest = row_from(&buf, cols[1], y);
        if !from_digest.contains("sha256:") {
            continue;
        }
        rows += 1;
        assert!(from_digest.starts_with("sha256:"), "row {y}:\n{s}");
    }
    assert!(rows >= 10, "tag rows:\n{s}");
    emu.shutdown().await;
}

/// The checks above catch what they look for: a wide grapheme running over a column start or a
/// border, and a sound-marked halfwidth katakana counted as the columns ratatui gives it.
#[test]
fn the_alignment_checks_catch_overlaps() {
    use ratatui::layout::Rect;
    use ratatui::style::Style;
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
    buf.set_string(0, 0, "ab漢c", Style::new());
    assert!(nothing_straddles(&buf, 2, 0).is_ok());
    assert!(
        nothing_straddles(&buf, 3, 0).is_err(),
        "漢 covers columns 2 and 3"
    );
    assert!(nothing_straddles(&buf, 4, 0).is_ok());
    assert_eq!(row_from(&buf, 0, 0), "ab漢c     ");
    // A border drawn over the second half of a wide character.
    buf[(3, 0)].set_symbol("│");
    assert!(
        std::panic::catch_unwind(|| assert_borders_intact(&buf)).is_err(),
        "a covered border is caught"
    );
    // ratatui-core 0.1.2 adds a column per halfwidth sound mark to unicode-width 0.2.3's count,
    // which already has it: "ｶﾞ" takes 3 columns in the buffer, 2 in a terminal. The explicit
    // cursor move ratatui writes before the next cell keeps columns aligned on screen anyway
    // (tests/props/hostile_output.rs checks that in tmux).
    let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
    buf.set_string(0, 0, "ｶﾞx", Style::new());
    assert_eq!(buf[(0, 0)].symbol().cell_width(), 3);
    assert_eq!(row_from(&buf, 0, 0), "ｶﾞx      ");
    assert!(nothing_straddles(&buf, 2, 0).is_err());
    assert!(nothing_straddles(&buf, 3, 0).is_ok());
}
