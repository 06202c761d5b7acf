//! Paginated loads through the real SDK and effect runner against the emulator: every page
//! arrives, counts are exact, leaving cancels, returning reuses the rows.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::app::load::LoadState;
use ecrp::app::{ListId, Pane};
use ecrp::emulator::{EmulatorOptions, start};

async fn big(images: usize) -> (ecrp::emulator::Emulator, Harness) {
    let emu = start(EmulatorOptions {
        synthetic: vec![("big/images".into(), images)],
        clock: Some(NOW),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let h = Harness::start(&emu.url(), 160, 45, NOW).await;
    (emu, h)
}

#[tokio::test]
async fn every_page_arrives_and_is_counted() {
    let (emu, mut h) = big(2_500).await;
    h.keys("/big").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.pane, Pane::Images);
    assert_eq!(h.app.remote.images.rows.len(), 2_500);
    assert_eq!(h.app.remote.images.load.pages, 3, "1,000 rows per page");
    assert_eq!(h.app.remote.images.load.state, LoadState::Done);
    let mut digests: Vec<&str> = h
        .app
        .remote
        .images
        .rows
        .iter()
        .map(|r| &*r.image_digest)
        .collect();
    digests.sort_unstable();
    digests.dedup();
    assert_eq!(digests.len(), 2_500, "no row twice");
    let s = h.screen();
    assert!(s.contains("Images · big/images (2,500)"), "{s}");

    // The tags view loads the same way, and tab back reuses the images.
    h.send(code(KeyCode::Tab)).await;
    assert_eq!(h.app.remote.tags.rows.len(), 2_500);
    h.send(code(KeyCode::Tab)).await;
    assert_eq!(h.app.remote.images.load.pages, 3, "not reloaded");

    // The last row is reachable and drawn.
    h.keys("G").await;
    assert_eq!(h.app.remote.images.cursor.selected, 2_499);
    assert!(h.screen().contains("▶ "));
    emu.shutdown().await;
}

#[tokio::test]
async fn leaving_cancels_and_returning_resumes() {
    let (emu, mut h) = big(3_000).await;
    h.keys("/big").await;
    h.send(code(KeyCode::Enter)).await;
    // Open the repository and leave before the load can finish.
    let fx = ecrp::app::update(&mut h.app, code(KeyCode::Enter));
    assert!(load_generation(&fx, ListId::Images).is_some());
    let fx2 = ecrp::app::update(&mut h.app, code(KeyCode::Esc));
    assert!(
        fx2.iter()
            .any(|e| matches!(e, ecrp::app::Effect::Cancel(ListId::Images)))
    );
    // Both go to the real runner: the load starts, then is aborted; whatever page made it
    // through before the abort carries a stale generation and is dropped.
    h.run(fx);
    h.run(fx2);
    h.settle().await;
    assert_eq!(h.app.remote.images.load.state, LoadState::Stopped);
    // At most the first page, which the prefetch brought while the cursor rested on `big`.
    assert!(h.app.remote.images.rows.len() <= 1_000);
    // Returning starts (resumes) and finishes the load.
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.remote.images.rows.len(), 3_000);
    assert_eq!(h.app.remote.images.load.state, LoadState::Done);
    emu.shutdown().await;
}

#[tokio::test]
async fn the_cursor_stays_on_screen_while_pages_reorder_the_list() {
    // Tags arrive in name order but are shown newest first, so every page reorders the rows.
    let (emu, mut h) = big(2_500).await;
    h.keys("/big").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Tab)).await;
    assert_eq!(h.app.pane, Pane::Tags);
    assert_eq!(h.app.remote.tags.rows.len(), 2_500);
    // Untouched, the cursor is on the first row: the newest tag.
    assert_eq!(h.app.remote.tags.cursor.selected, 0);
    assert_eq!(h.app.remote.tags.cursor.offset, 0);
    let newest = h
        .app
        .remote
        .tags
        .rows
        .iter()
        .map(|t| t.image_pushed_at)
        .max()
        .unwrap();
    assert_eq!(
        h.app.remote.tags.selected().unwrap().image_pushed_at,
        newest
    );
    assert!(h.screen().contains("▶ "), "the selected row is drawn");

    emu.shutdown().await;
}
