//! Helpers for the tests of forms and deletions in the TUI (tests/tui/tui_edit*.rs, tests/tui/tui_delete.rs):
//! typing like a user, reading the open form, restarting the app on the same drafts directory, and
//! reading the service's truth back with a fresh SDK client.
#![allow(dead_code)]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::app::modal::{ConfirmModal, EditForm, Modal};
use ecrp::app::{self, App, Msg};
use ecrp::emulator::{Emulator, EmulatorOptions};

use super::tui::{Harness, NOW, code, key};

/// A fresh SDK client: what the service holds, independent of the app's own client and state.
pub async fn truth(emu: &Emulator) -> aws_sdk_ecrpublic::Client {
    ecrp::aws::connect(&ecrp::aws::ClientOptions::for_emulator(&emu.url()))
        .await
        .0
}

/// The catalog the service holds for `repo`, read back with a fresh client.
pub async fn catalog_of(
    emu: &Emulator,
    repo: &str,
) -> aws_sdk_ecrpublic::types::RepositoryCatalogData {
    truth(emu)
        .await
        .get_repository_catalog_data()
        .repository_name(repo)
        .send()
        .await
        .expect("GetRepositoryCatalogData")
        .catalog_data
        .expect("catalog data")
}

/// Requests the emulator received for `op` so far (failed ones included).
pub fn ops(emu: &Emulator, op: &str) -> u64 {
    emu.op_counts().get(op).copied().unwrap_or(0)
}

/// Every mutating operation's count, to prove that nothing was sent.
pub fn mutations(emu: &Emulator) -> u64 {
    [
        "PutRepositoryCatalogData",
        "PutRegistryCatalogData",
        "CreateRepository",
        "DeleteRepository",
        "SetRepositoryPolicy",
        "DeleteRepositoryPolicy",
        "TagResource",
        "UntagResource",
        "BatchDeleteImage",
    ]
    .iter()
    .map(|op| ops(emu, op))
    .sum()
}

pub async fn demo_emulator(tweak: impl FnOnce(&mut EmulatorOptions)) -> Emulator {
    let mut opts = EmulatorOptions {
        clock: Some(NOW),
        ..Default::default()
    };
    tweak(&mut opts);
    ecrp::emulator::start(opts).await.expect("emulator")
}

/// One key as a terminal sends it (`\n` is enter).
pub fn char_key(c: char) -> Msg {
    if c == '\n' {
        code(KeyCode::Enter)
    } else {
        key(c)
    }
}

pub fn ctrl_code(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::CONTROL))
}

/// Type `text` as fast as a paste: every key goes through `update` and its effects start, without
/// waiting for them in between (draft writes coalesce as they do for a fast typist). Then settle.
pub async fn type_text(h: &mut Harness, text: &str) {
    for c in text.chars() {
        h.deliver(char_key(c));
    }
    h.settle().await;
}

/// Press `k` `n` times (then settle).
pub async fn press(h: &mut Harness, k: Msg, n: usize) {
    for _ in 0..n {
        h.deliver(k.clone());
    }
    h.settle().await;
}

/// Put the cursor on repository `name` as a user would: from the top, `j` until it is selected.
pub async fn select_repo(h: &mut Harness, name: &str) {
    h.keys("g").await;
    for _ in 0..h.app.remote.repos.len() {
        if h.app.remote.repos.selected().map(|r| &*r.repository_name) == Some(name) {
            return;
        }
        h.keys("j").await;
    }
    panic!("repository {name} is not in the list:\n{}", h.screen());
}

/// Open `repo`'s images (all pages loaded), then filter them with `/query` enter.
pub async fn open_images(h: &mut Harness, repo: &str, query: Option<&str>) {
    select_repo(h, repo).await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.pane, ecrp::app::Pane::Images);
    if let Some(q) = query {
        h.keys("/").await;
        type_text(h, q).await;
        h.send(code(KeyCode::Enter)).await;
    }
}

pub fn form(app: &App) -> &EditForm {
    match &app.modal {
        Some(Modal::Form(ef)) => ef,
        Some(Modal::Confirm(m)) => m.under.as_deref().expect("a confirmation over a form"),
        other => panic!("no form open: {other:?}"),
    }
}

pub fn confirm(app: &App) -> &ConfirmModal {
    match &app.modal {
        Some(Modal::Confirm(m)) => m,
        other => panic!("no confirmation open: {other:?}"),
    }
}

/// A form field's value as text (a checklist's entries joined by ", ").
pub fn field(app: &App, k: &str) -> String {
    let v = form(app)
        .form
        .value(k)
        .unwrap_or_else(|| panic!("no field {k}"));
    match v {
        ecrp::forms::Value::Text(t) => t,
        ecrp::forms::Value::List(l) => l.join(", "),
    }
}

/// Quit and start again on the same emulator and drafts directory: a new `App` (as a new run of
/// ecrp would build it) behind the same runner, so the drafts on disk are read at start.
pub async fn restart(h: &mut Harness) {
    let (w, hh) = (h.app.width, h.app.height);
    h.app = App::new(h.app.opts.clone(), NOW, w, hh);
    let fx = app::start(&mut h.app);
    h.run(fx);
    h.settle().await;
}

/// A valid PNG: the signature, an IHDR for a 1×1 image, an IEND.
pub fn tiny_png() -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    v.extend([0, 0, 0, 13]);
    v.extend(b"IHDR");
    v.extend([0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0]);
    v.extend([0x1f, 0x15, 0xc4, 0x89]);
    v.extend([0, 0, 0, 0]);
    v.extend(b"IEND");
    v.extend([0xae, 0x42, 0x60, 0x82]);
    v
}
