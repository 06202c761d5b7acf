//! Deleting a repository in the TUI: its name must be typed, and when it still holds images force
//! is explained and asked for on its own — through the real effect runner and SDK client against
//! the in-process emulator, checked with a fresh client.

use crate::support::mutate::*;
use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::app::modal::Modal;
use ecrp::app::{Pane, Status};

const W: u16 = 160;
const H: u16 = 45;

async fn repo_exists(emu: &ecrp::emulator::Emulator, repo: &str) -> bool {
    truth(emu)
        .await
        .describe_repositories()
        .repository_names(repo)
        .send()
        .await
        .is_ok()
}

#[tokio::test]
async fn an_empty_repository_is_deleted_once_its_name_is_typed() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    truth(&emu)
        .await
        .create_repository()
        .repository_name("tmp/empty")
        .send()
        .await
        .unwrap();
    h.keys("r").await;
    select_repo(&mut h, "tmp/empty").await;
    h.keys("d").await;
    assert!(matches!(h.app.modal, Some(Modal::RepoDelete { .. })));
    let s = h.screen();
    assert!(s.contains("Delete repository tmp/empty?"), "{s}");
    assert!(
        s.contains("Type its name and press enter to confirm."),
        "{s}"
    );
    // A wrong name: enter deletes nothing and says why.
    type_text(&mut h, "tmp/empt").await;
    h.send(code(KeyCode::Enter)).await;
    assert!(matches!(h.app.modal, Some(Modal::RepoDelete { .. })));
    assert!(
        h.screen()
            .contains("That is not the name: type tmp/empty exactly"),
        "{}",
        h.screen()
    );
    assert_eq!(ops(&emu, "DeleteRepository"), 0);
    type_text(&mut h, "y").await;
    assert!(h.screen().contains("enter deletes · esc cancels"));
    h.send(code(KeyCode::Enter)).await;

    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(
        h.app.status,
        Status::Info("deleted repository tmp/empty".into())
    );
    assert_eq!(ops(&emu, "DeleteRepository"), 1);
    assert!(!repo_exists(&emu, "tmp/empty").await);
    assert!(
        h.app
            .remote
            .repos
            .rows
            .iter()
            .all(|r| &*r.repository_name != "tmp/empty")
    );
    assert_eq!(h.app.remote.repos.len(), 13);
    // The cursor is on the repository after it, not back at the top.
    let at = h
        .app
        .remote
        .repos
        .selected()
        .map(|r| r.repository_name.to_string());
    assert_eq!(at.as_deref(), Some("tools/acme-cli"), "{}", h.screen());
    emu.shutdown().await;
}

#[tokio::test]
async fn a_repository_with_images_asks_about_force_apart() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;

    // Images not loaded: the service refuses the plain delete, then force is asked with its words.
    select_repo(&mut h, "db/migrate").await;
    h.keys("d").await;
    type_text(&mut h, "db/migrate").await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(ops(&emu, "DeleteRepository"), 1);
    let s = h.screen();
    assert!(s.contains("db/migrate still holds images."), "{s}");
    assert!(s.contains("The service refused: "), "{s}");
    assert!(
        s.contains("delete it and all its images (force)? y yes · n no"),
        "{s}"
    );
    insta::assert_snapshot!("repo_delete_force", redact(&s));
    h.keys("n").await;
    assert!(h.app.modal.is_none());
    assert!(repo_exists(&emu, "db/migrate").await, "n keeps it");

    // Images loaded: the question comes right after the name, with the count, before any call.
    open_images(&mut h, "worker", None).await;
    assert_eq!(h.app.remote.images.rows.len(), 4);
    h.send(code(KeyCode::Esc)).await;
    assert_eq!(h.app.pane, Pane::Repositories);
    h.keys("d").await;
    type_text(&mut h, "worker").await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(ops(&emu, "DeleteRepository"), 1, "not sent yet");
    let s = h.screen();
    assert!(s.contains("worker still holds 4 images."), "{s}");
    assert!(
        s.contains("Deleting it with force deletes every image in it as well;"),
        "{s}"
    );
    h.keys("y").await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(ops(&emu, "DeleteRepository"), 2);
    assert!(!repo_exists(&emu, "worker").await);
    assert!(
        h.app
            .remote
            .repos
            .rows
            .iter()
            .all(|r| &*r.repository_name != "worker")
    );
    assert_eq!(h.app.remote.repo, None, "its images are forgotten");
    emu.shutdown().await;
}
