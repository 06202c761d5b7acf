//! The README's screenshots, rendered from the demo data through the real app:
//!
//!     ECRP_WRITE_SCREENSHOTS=1 cargo test --test tui tui_screenshots
//!
//! writes screenshots/*.svg. Without the variable the screens are still rendered and checked.

use crate::support::tui::*;
use crossterm::event::KeyCode;

const W: u16 = 150;
const H: u16 = 42;

fn shoot(h: &Harness, name: &str, title: &str, must_show: &str) {
    let buf = render(&h.app);
    let screen = text(&buf);
    assert!(
        screen.contains(must_show),
        "{name}: expected {must_show:?} on\n{screen}"
    );
    let svg = ecrp::screenshot::buffer_to_svg(&buf, title);
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{name}: not an SVG"
    );
    if std::env::var_os("ECRP_WRITE_SCREENSHOTS").is_some() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("screenshots");
        std::fs::create_dir_all(&dir).expect("screenshots dir");
        std::fs::write(dir.join(format!("{name}.svg")), svg).expect("write svg");
    }
}

#[tokio::test]
async fn screenshots() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    shoot(
        &h,
        "repositories",
        "ecrp — repositories and catalog",
        "Acme web frontend",
    );

    h.send(code(KeyCode::Enter)).await;
    shoot(&h, "images", "ecrp — images", "acme/web@sha256:");

    h.send(code(KeyCode::Tab)).await;
    shoot(&h, "tags", "ecrp — image tags", "Image tags");

    h.send(code(KeyCode::Tab)).await;
    h.keys("c").await;
    shoot(&h, "catalog", "ecrp — catalog", "What's inside");

    h.send(code(KeyCode::Esc)).await;
    h.keys("p").await;
    shoot(&h, "policy", "ecrp — repository policy", "\"Statement\"");

    h.send(code(KeyCode::Esc)).await;
    h.keys("?").await;
    shoot(&h, "help", "ecrp — help", "Keys in images");
    emu.shutdown().await;
}

#[tokio::test]
async fn editing_screenshots() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("e").await;
    shoot(
        &h,
        "edit-catalog",
        "ecrp — editing a catalog, with the markdown preview",
        "description: ",
    );
    h.send(code(KeyCode::Esc)).await;

    h.keys("p").await;
    h.keys("e").await;
    // The policy menu: start from a template (public pull only), then review the change.
    h.keys("j").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(ctrl('s')).await;
    h.send(ctrl('s')).await;
    shoot(
        &h,
        "policy-review",
        "ecrp — a policy change reviewed as a diff",
        "+++ new",
    );
    // No, discard, close the policy view, clear the filter.
    h.keys("n").await;
    h.send(code(KeyCode::Esc)).await;
    h.keys("y").await;
    assert!(h.app.modal.is_none(), "the policy form closed");
    h.send(code(KeyCode::Esc)).await;

    h.send(code(KeyCode::Esc)).await;
    h.keys("/ci/builds").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("/untagged").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(ctrl('a')).await;
    h.keys("d").await;
    shoot(
        &h,
        "delete-confirm",
        "ecrp — deleting the untagged images of ci/builds",
        "This cannot be undone.",
    );
    h.keys("y").await;
    shoot(
        &h,
        "delete-report",
        "ecrp — the bulk delete's report",
        "Delete finished",
    );
    emu.shutdown().await;
}
