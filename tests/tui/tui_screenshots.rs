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
        "ecrp — after the bulk delete: the list reloaded, the summary in the status line",
        "deleted ",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn inspector_screenshots() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    shoot(
        &h,
        "inspector-platforms",
        "ecrp — the inspector: an index's platforms",
        "index of 2 platforms",
    );
    h.send(code(KeyCode::Enter)).await;
    shoot(
        &h,
        "inspector-config",
        "ecrp — the inspector: an image's config",
        "Entrypoint",
    );
    h.send(code(KeyCode::Tab)).await;
    shoot(
        &h,
        "inspector-history",
        "ecrp — the inspector: history beside the layers it made",
        "CREATED BY",
    );
    h.send(code(KeyCode::Tab)).await;
    shoot(
        &h,
        "inspector-layers",
        "ecrp — the inspector: layers and their share",
        "SHARE",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn open_screenshot() {
    let (emu, mut h) = demo(W, H).await;
    // The emulator serves public.ecr.aws's registry API too: `:open` reads it anonymously.
    h.keys(":open public.ecr.aws/acme/web").await;
    h.send(code(KeyCode::Enter)).await;
    let screen = h.screen();
    // Every row on screen has its manifest read: digest, and size and age or the index's
    // platform count.
    assert_eq!(screen.matches("sha256:").count(), 10, "{screen}");
    assert!(
        screen.contains("12.3 kB        6 months ago") && screen.contains("index · 2"),
        "{screen}"
    );
    shoot(
        &h,
        "open",
        "ecrp — :open, a repository of any registry read through the registry API",
        "public.ecr.aws/acme/web ·",
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn lifecycle_screenshot() {
    let emu = ecrp::emulator::start(ecrp::emulator::EmulatorOptions {
        clock: Some(NOW),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let url = emu.url();
    let policy = r#"{"rules":[
    {"rulePriority":1,"description":"keep the last two v1 releases","selection":{"tagStatus":"tagged","tagPatternList":["v1.*"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}},
    {"rulePriority":2,"description":"untagged after a day","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;
    let mut h = Harness::start_with(&emu.url(), W, H, NOW, |o| {
        o.config.registry_url = Some(url);
        o.config.lifecycle.insert(
            "web".into(),
            ecrp::config::lifecycle::PolicySource::Inline(policy.into()),
        );
    })
    .await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("L").await;
    shoot(
        &h,
        "lifecycle",
        "ecrp — lifecycle preview",
        "kept for multi-arch safety",
    );
    emu.shutdown().await;
}
