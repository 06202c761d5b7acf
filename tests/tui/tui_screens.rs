//! Screen snapshots of every pane and popup, driven against the in-process emulator's demo data
//! through the real SDK client and effect runner.

use crate::support::tui::*;
use crossterm::event::KeyCode;

const W: u16 = 160;
const H: u16 = 45;

fn snap(name: &str, h: &Harness) {
    insta::assert_snapshot!(name, redact(&h.screen()));
}

#[tokio::test]
async fn repositories_with_catalog_preview() {
    let (emu, h) = demo(W, H).await;
    let s = h.screen();
    assert!(
        s.contains("Acme Containers"),
        "registry display name in the header:\n{s}"
    );
    assert!(s.contains("DEMO"));
    snap("repositories", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn registries() {
    let (emu, mut h) = demo(W, H).await;
    h.keys(":registries").await;
    h.send(code(KeyCode::Enter)).await;
    snap("registries", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn images_and_tags() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(s.contains("docker pull public.ecr.aws/acme/web:"), "{s}");
    snap("images", &h);
    h.send(code(KeyCode::Tab)).await;
    snap("tags", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn full_screen_catalog() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("c").await;
    snap("catalog", &h);
    h.keys("jjj").await;
    snap("catalog_scrolled", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn policy_and_resource_tags() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("p").await;
    snap("policy", &h);
    h.send(code(KeyCode::Esc)).await;
    h.keys("t").await;
    snap("resource_tags", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn help_and_command_line() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("?").await;
    snap("help", &h);
    h.send(code(KeyCode::Esc)).await;
    h.keys(":p").await;
    snap("command_line", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn error_in_status_and_details_popup() {
    let (emu, mut h) = demo(W, H).await;
    // The repository disappears behind the app's back; opening it fails with the service's error.
    let (client, _) = ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(&emu.url())).await;
    let api = ecrp::aws::Api::new(client, false);
    let name = h
        .app
        .remote
        .repos
        .selected()
        .expect("a repository")
        .repository_name
        .to_string();
    api.delete_repository(&name, true).await.expect("delete");
    // Away and back, so the first page prefetched while the cursor rested (from before the
    // delete) is dropped and enter asks the service.
    h.keys("jk").await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(s.contains("RepositoryNotFoundException"), "{s}");
    snap("error_status", &h);
    h.keys("!").await;
    snap("error_popup", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn too_small_terminal() {
    let (emu, mut h) = demo(W, H).await;
    h.send(ecrp::app::Msg::Resize(50, 12)).await;
    snap("too_small", &h);
    h.send(ecrp::app::Msg::Resize(W, H)).await;
    assert!(h.screen().contains("Repositories"));
    emu.shutdown().await;
}

#[tokio::test]
async fn narrow_terminal_keeps_one_list() {
    let (emu, mut h) = demo(80, 24).await;
    snap("narrow_repositories", &h);
    h.send(code(KeyCode::Enter)).await;
    snap("narrow_images", &h);
    emu.shutdown().await;
}

/// At 120 columns the images pane (beside the details) leaves TYPE out so the tags stay readable,
/// and a tag list too long for its column ends in "…" instead of being cut silently.
#[tokio::test]
async fn images_at_120_columns_keep_the_tags_readable() {
    let (emu, mut h) = demo(120, 35).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    let header = s.lines().find(|l| l.contains("TAGS")).expect(&s);
    assert!(
        header.contains("DIGEST") && !header.contains("TYPE"),
        "{header}"
    );
    // The footer gives up whole hints, never half a word, and keeps help and quit.
    let footer = s.lines().rev().find(|l| !l.trim().is_empty()).expect(&s);
    assert!(footer.trim_end().ends_with("? help  q quit"), "{footer}");
    snap("images_120", &h);
    // At 100 columns the digest goes too (the details show it whole): the tags still read in full.
    h.send(ecrp::app::Msg::Resize(100, 30)).await;
    let s = h.screen();
    let header = s.lines().find(|l| l.contains("TAGS")).expect(&s);
    assert!(!header.contains("DIGEST"), "{header}");
    assert!(s.contains("│▶ v1.4.2, latest "), "{s}");
    emu.shutdown().await;
}

/// Every form at 80×24: each field keeps its label and input row, the form scrolls to the focused
/// field (and so to the one whose message is red), and says when there is more above or below.
#[tokio::test]
async fn forms_at_80x24() {
    let (emu, mut h) = demo(80, 24).await;
    h.keys("n").await;
    let s = h.screen();
    assert!(s.contains("▸ Name"), "the Name label is drawn:\n{s}");
    assert!(s.contains("↓ more"), "more fields below:\n{s}");
    h.keys("Acme").await;
    snap("form_80x24_new_repository", &h);
    // The last field: scrolled into view with its label.
    for _ in 0..7 {
        h.send(code(KeyCode::Tab)).await;
    }
    let s = h.screen();
    assert!(s.contains("▸ Resource tags"), "{s}");
    assert!(s.contains("↑ more"), "{s}");
    snap("form_80x24_new_repository_last_field", &h);
    // ctrl-s on the invalid name scrolls back to it, and the status line names it.
    h.send(ctrl('s')).await;
    let s = h.screen();
    assert!(
        s.contains("▸ Name") && s.contains("name: lowercase only"),
        "{s}"
    );
    assert!(s.contains("Name needs fixing"), "{s}");
    h.send(code(KeyCode::Esc)).await;
    h.keys("y").await;
    // The catalog of a repository with a description: the description's text is on screen.
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("e").await;
    let s = h.screen();
    assert!(s.contains("▸ Description"), "{s}");
    snap("form_80x24_catalog", &h);
    h.send(code(KeyCode::Esc)).await;
    // e in the policy view offers a menu: edit the current policy.
    h.keys("pe").await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(s.contains("▸ Policy (JSON)"), "{s}");
    snap("form_80x24_policy", &h);
    h.send(code(KeyCode::Esc)).await;
    h.send(code(KeyCode::Esc)).await;
    h.keys("t").await;
    h.keys("e").await;
    snap("form_80x24_tags", &h);
    h.send(code(KeyCode::Esc)).await;
    h.send(code(KeyCode::Esc)).await;
    h.keys(":registries").await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("e").await;
    snap("form_80x24_registry_name", &h);
    emu.shutdown().await;
}

/// Help at 80×24: descriptions wrap under themselves inside the border (nothing is cut at the
/// right edge), the border says there is more below, and G reaches the last line.
#[tokio::test]
async fn help_at_80x24_wraps_and_scrolls() {
    let (emu, mut h) = demo(80, 24).await;
    h.keys("?").await;
    let s = h.screen();
    assert!(s.contains("↓ more (j, PgDn)"), "{s}");
    snap("help_80x24", &h);
    // Every row of the popup ends with its own border: no text runs over it.
    for line in s.lines().filter(|l| l.starts_with('│')) {
        assert!(line.trim_end().ends_with('│'), "{line:?}");
    }
    h.keys("G").await;
    let s = h.screen();
    assert!(s.contains("an image index (several platforms)"), "{s}");
    assert!(!s.contains("↓ more"), "{s}");
    emu.shutdown().await;
}

/// A wide terminal gives its spare width to what runs long: the images pane shows whole digests.
#[tokio::test]
async fn wide_terminals_show_whole_digests() {
    let (emu, mut h) = demo(260, 45).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h.settle().await;
    let digest = h
        .app
        .remote
        .images
        .selected()
        .expect("an image")
        .image_digest
        .to_string();
    assert_eq!(digest.len(), 71);
    let s = h.screen();
    let row = s
        .lines()
        .find(|l| l.contains("v1.4.2, latest") && l.contains("sha256:"))
        .expect("the row");
    assert!(row.contains(&digest), "{row}");
    emu.shutdown().await;
}
