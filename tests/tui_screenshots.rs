//! The README's screenshots, rendered from the demo data through the real app:
//!
//!     ECRP_WRITE_SCREENSHOTS=1 cargo test --test tui_screenshots
//!
//! writes screenshots/*.svg. Without the variable the screens are still rendered and checked.

mod tui_support;

use crossterm::event::KeyCode;
use tui_support::*;

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
