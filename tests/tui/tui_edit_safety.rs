//! Nothing typed is lost, nothing is sent when it must not be: a save that fails keeps the form
//! and every typed character; read-only mode refuses at the keys and at the effect runner; drafts
//! are written while typing, removed on discard, and offered back on the next run.

use crate::support::mutate::*;
use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::app::modal::{ConfirmAction, FormKind, Modal};
use ecrp::app::{Effect, Fetch, Mutation, Overlay, PickerKind, Status, strings};
use ecrp::aws::ImageRef;
use ecrp::drafts::{DraftKind, Drafts};
use ecrp::emulator::DEMO_REGISTRY_ID;
use ecrp::forms::{Status as FormStatus, Value, Values};

const W: u16 = 160;
const H: u16 = 45;

async fn description_of(emu: &ecrp::emulator::Emulator, repo: &str) -> Option<String> {
    catalog_of(emu, repo).await.description
}

fn drafts(h: &Harness) -> Drafts {
    Drafts::at(h.drafts_dir.path())
}

/// A catalog draft of `repo` as an earlier run would have left it, saved five minutes before the
/// fixed clock.
fn leave_draft(h: &Harness, repo: &str, description: &str) {
    let mut values = Values::new();
    values.insert("description".into(), Value::Text(description.into()));
    let path = drafts(h)
        .save(DEMO_REGISTRY_ID, repo, DraftKind::Catalog, &values)
        .unwrap();
    let mut d: ecrp::drafts::Draft =
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    d.saved_at = (NOW - 300) as u64;
    std::fs::write(&path, serde_json::to_vec(&d).unwrap()).unwrap();
}

#[tokio::test]
async fn a_failed_save_keeps_every_typed_character_and_a_retry_succeeds() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "db/migrate").await;
    h.keys("e").await;
    type_text(&mut h, " Now with rollbacks.").await;
    press(&mut h, code(KeyCode::Tab), 4).await;
    assert_eq!(field(&h.app, "aboutText"), "");
    type_text(&mut h, "# Migrate\n\nRuns `migrate up`.").await;
    let description = field(&h.app, "description");
    assert_eq!(
        description,
        "Schema migration runner for Acme databases. Now with rollbacks."
    );

    // The repository goes away behind the form's back.
    truth(&emu)
        .await
        .delete_repository()
        .repository_name("db/migrate")
        .force(true)
        .send()
        .await
        .unwrap();
    h.send(ctrl('s')).await;

    assert_eq!(ops(&emu, "PutRepositoryCatalogData"), 1);
    let ef = form(&h.app);
    assert_eq!(ef.form.status, FormStatus::Editing, "the form stays open");
    let error = ef.form.error.clone().expect("the error above the fields");
    assert!(
        error.starts_with("RepositoryNotFoundException: "),
        "{error}"
    );
    assert_eq!(field(&h.app, "description"), description);
    assert_eq!(
        field(&h.app, "aboutText"),
        "# Migrate\n\nRuns `migrate up`."
    );
    let s = h.screen();
    assert!(s.contains("✗ RepositoryNotFoundException"), "{s}");
    assert!(s.contains("Now with rollbacks."), "{s}");
    assert!(
        matches!(h.app.status, Status::Error(ref e) if e.code == "RepositoryNotFoundException")
    );
    let kept = drafts(&h).load(DEMO_REGISTRY_ID, "db/migrate", DraftKind::Catalog);
    assert_eq!(
        kept.map(|d| d.values["description"].clone()),
        Some(Value::Text(description.clone())),
        "the draft survives a failed save"
    );

    // Fix the cause, save again: it lands.
    truth(&emu)
        .await
        .create_repository()
        .repository_name("db/migrate")
        .send()
        .await
        .unwrap();
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(ops(&emu, "PutRepositoryCatalogData"), 2);
    assert_eq!(description_of(&emu, "db/migrate").await, Some(description));
    assert_eq!(
        drafts(&h).load(DEMO_REGISTRY_ID, "db/migrate", DraftKind::Catalog),
        None,
        "saved: the draft is gone"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn read_only_refuses_at_the_keys_and_at_the_runner() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start_with(&emu.url(), W, H, NOW, |o| o.read_only = true).await;
    assert!(h.screen().contains("READ-ONLY"));
    select_repo(&mut h, "web").await;
    for (keys, what) in [
        ("e", "editing"),
        ("n", "creating repositories"),
        ("d", "deleting"),
        ("pe", "editing"),
    ] {
        h.keys(keys).await;
        assert_eq!(
            h.app.status,
            Status::Warning(strings::read_only_refusal(what)),
            "{keys}"
        );
        assert!(h.app.modal.is_none(), "{keys}: nothing opened");
        assert!(h.screen().contains("read-only: "), "{keys}: {}", h.screen());
    }
    assert!(matches!(h.app.overlay, Some(Overlay::Policy { .. })));
    h.send(code(KeyCode::Esc)).await;
    assert_eq!(h.app.overlay, None);
    h.keys(":name").await;
    h.send(code(KeyCode::Enter)).await;
    assert!(h.app.modal.is_none());
    assert_eq!(
        h.app.status,
        Status::Warning(strings::read_only_refusal("editing"))
    );
    // Marks are only for deleting: space and ctrl-a mark nothing, and say why; d refuses.
    assert_eq!(h.app.pane, ecrp::app::Pane::Repositories);
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.pane, ecrp::app::Pane::Images);
    let at = h.app.remote.images.cursor.selected;
    h.keys(" ").await;
    assert_eq!(h.app.remote.images.marked_count(), 0);
    assert_eq!(
        h.app.remote.images.cursor.selected, at,
        "space did not move on"
    );
    assert_eq!(
        h.app.status,
        Status::Warning(strings::read_only_refusal("marking rows"))
    );
    h.send(ctrl('a')).await;
    assert_eq!(h.app.remote.images.marked_count(), 0);
    h.keys("d").await;
    assert_eq!(
        h.app.status,
        Status::Warning(strings::read_only_refusal("deleting"))
    );
    // Help names the keys read-only turns off, and marks each one.
    h.keys("?").await;
    let s = h.screen();
    assert!(
        s.contains("read-only: editing, creating, marking and deleting are off"),
        "{s}"
    );
    assert!(s.contains("space mark"), "{s}");
    assert!(s.contains("(off: read-only)"), "{s}");
    h.send(code(KeyCode::Esc)).await;
    assert_eq!(mutations(&emu), 0);

    // The runner refuses too, before any request: a mutation sent straight to it …
    h.run(vec![Effect::Mutate(Mutation::PutRegistryName(
        "Hacked".into(),
    ))]);
    h.settle().await;
    let e = h.app.last_error.clone().expect("the refusal is reported");
    assert_eq!(e.code, "ReadOnly");
    assert!(
        e.message.contains("PutRegistryCatalogData not sent"),
        "{e:?}"
    );
    // … and a bulk delete.
    let digest = h.app.remote.images.rows[0].image_digest.to_string();
    h.run(vec![Effect::DeleteImages {
        repo: "web".into(),
        ids: vec![ImageRef::Digest(digest.clone())],
    }]);
    h.settle().await;
    assert_eq!(mutations(&emu), 0, "nothing reached the emulator");
    let c = truth(&emu).await;
    let name = c.get_registry_catalog_data().send().await.unwrap();
    assert_eq!(
        name.registry_catalog_data.unwrap().display_name.as_deref(),
        Some("Acme Containers")
    );
    let still = c
        .describe_images()
        .repository_name("web")
        .image_ids(
            aws_sdk_ecrpublic::types::ImageIdentifier::builder()
                .image_digest(digest)
                .build(),
        )
        .send()
        .await;
    assert!(still.is_ok(), "the image is still there");
    emu.shutdown().await;
}

#[tokio::test]
async fn typing_keeps_a_draft_and_discarding_removes_it() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "worker").await;
    h.keys("e").await;
    assert_eq!(
        drafts(&h).load(DEMO_REGISTRY_ID, "worker", DraftKind::Catalog),
        None
    );
    type_text(&mut h, " Draft.").await;
    let d = drafts(&h)
        .load(DEMO_REGISTRY_ID, "worker", DraftKind::Catalog)
        .expect("a draft on disk");
    assert_eq!(
        d.values["description"],
        Value::Text("Background job runner for queues, schedules and retries. Draft.".into())
    );
    assert_eq!(
        d.values["architectures"],
        Value::List(vec!["x86-64".into()])
    );

    h.send(code(KeyCode::Esc)).await;
    assert_eq!(form(&h.app).form.status, FormStatus::ConfirmDiscard);
    assert!(
        h.screen()
            .contains("discard your changes? y discard · n keep editing")
    );
    h.keys("n").await;
    assert_eq!(form(&h.app).form.status, FormStatus::Editing);
    assert!(field(&h.app, "description").ends_with(" Draft."));
    h.send(code(KeyCode::Esc)).await;
    h.keys("y").await;
    assert!(h.app.modal.is_none());
    assert_eq!(
        drafts(&h).load(DEMO_REGISTRY_ID, "worker", DraftKind::Catalog),
        None,
        "discarded: the draft is gone"
    );
    assert_eq!(mutations(&emu), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_draft_from_an_earlier_run_is_offered_and_reopens_the_form() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    assert_eq!(h.app.overlay, None, "no drafts, no offer");
    leave_draft(&h, "worker", "Restored from the draft.");
    restart(&mut h).await;

    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("drafts offered at start:\n{}", h.screen());
    };
    assert_eq!(p.kind, PickerKind::Drafts);
    assert_eq!(p.items.len(), 1);
    assert_eq!(p.items[0].label, "catalog of worker");
    assert_eq!(p.items[0].detail, "5 min ago");
    assert_eq!(h.app.status, Status::Info(strings::DRAFTS_OFFER.into()));
    let s = h.screen();
    assert!(
        s.contains("Unsaved edits") && s.contains("catalog of worker"),
        "{s}"
    );
    insta::assert_snapshot!("drafts_picker", redact(&s));

    h.send(code(KeyCode::Enter)).await;
    let ef = form(&h.app);
    assert!(matches!(&ef.kind, FormKind::Catalog { repo, .. } if &**repo == "worker"));
    assert_eq!(field(&h.app, "description"), "Restored from the draft.");
    // What the draft did not hold comes from the service.
    assert_eq!(field(&h.app, "architectures"), "x86-64");
    assert!(field(&h.app, "aboutText").starts_with("# Acme Worker"));
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(
        description_of(&emu, "worker").await.as_deref(),
        Some("Restored from the draft.")
    );
    assert!(drafts(&h).list().is_empty(), "saved: no draft left");
    emu.shutdown().await;
}

#[tokio::test]
async fn e_on_a_repository_with_a_draft_asks_to_restore_it() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    leave_draft(&h, "worker", "Worker, from the draft.");
    leave_draft(&h, "web", "Web, from the draft.");
    restart(&mut h).await;
    assert!(matches!(h.app.overlay, Some(Overlay::Picker(_))));
    h.send(code(KeyCode::Esc)).await;
    assert_eq!(h.app.overlay, None);
    assert_eq!(h.app.status, Status::Info(strings::DRAFTS_KEPT.into()));
    assert_eq!(drafts(&h).list().len(), 2, "esc keeps them");

    // y: the draft's values.
    select_repo(&mut h, "worker").await;
    h.keys("e").await;
    let m = confirm(&h.app);
    assert!(matches!(m.action, ConfirmAction::RestoreDraft { .. }));
    assert_eq!(m.confirm.title, "Unsaved edits");
    assert!(
        m.confirm
            .text()
            .contains("You have unsaved catalog edits of worker from 5 min ago."),
        "{}",
        m.confirm.text()
    );
    assert!(h.screen().contains("restore them? y restore · n discard"));
    h.keys("y").await;
    assert!(matches!(h.app.modal, Some(Modal::Form(_))));
    assert_eq!(field(&h.app, "description"), "Worker, from the draft.");
    h.send(code(KeyCode::Esc)).await;
    h.keys("y").await;
    assert!(h.app.modal.is_none());

    // n: the service's values, and the draft is dropped.
    select_repo(&mut h, "web").await;
    h.keys("e").await;
    assert!(
        confirm(&h.app)
            .confirm
            .text()
            .contains("catalog edits of web")
    );
    h.keys("n").await;
    let current = description_of(&emu, "web").await.unwrap();
    assert_eq!(field(&h.app, "description"), current);
    assert_eq!(
        drafts(&h).load(DEMO_REGISTRY_ID, "web", DraftKind::Catalog),
        None
    );
    h.send(code(KeyCode::Esc)).await;
    assert!(h.app.modal.is_none(), "unchanged: closes at once");
    assert!(matches!(
        h.app.remote.catalogs.get("web"),
        Some(Fetch::Ready(c)) if c.description.as_deref() == Some(&*current)
    ));
    assert_eq!(mutations(&emu), 0);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_service_refusal_of_tags_keeps_the_lines_typed() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "worker").await;
    h.keys("te").await;
    let added: String = (1..=45).map(|i| format!("\nk{i}=v")).collect();
    h.send(ctrl_code(KeyCode::End)).await;
    type_text(&mut h, &added).await;
    let typed = field(&h.app, "tags");
    assert!(h.screen().contains("46 / 50 tags"));

    // Someone else tags the repository meanwhile: the service now refuses the 45 new ones.
    let c = truth(&emu).await;
    let arn = h
        .app
        .remote
        .repos
        .selected()
        .unwrap()
        .repository_arn
        .to_string();
    let others = (1..=5).map(|i| {
        aws_sdk_ecrpublic::types::Tag::builder()
            .key(format!("x{i}"))
            .value("1")
            .build()
    });
    c.tag_resource()
        .resource_arn(&arn)
        .set_tags(Some(others.collect()))
        .send()
        .await
        .unwrap();
    h.send(ctrl('s')).await;

    assert_eq!(ops(&emu, "TagResource"), 2);
    let ef = form(&h.app);
    assert_eq!(ef.form.status, FormStatus::Editing);
    let error = ef
        .form
        .error
        .clone()
        .or_else(|| ef.form.fields[0].error.clone())
        .expect("the refusal is shown in the form");
    assert!(error.starts_with("TooManyTagsException: "), "{error}");
    assert_eq!(field(&h.app, "tags"), typed, "every line kept");
    assert!(
        h.screen().contains("✗ TooManyTagsException"),
        "{}",
        h.screen()
    );

    // One line fewer fits beside the other five.
    press(&mut h, code(KeyCode::Backspace), "\nk45=v".len()).await;
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    let tags = c
        .list_tags_for_resource()
        .resource_arn(&arn)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    assert_eq!(tags.len(), 50);
    assert!(tags.iter().any(|t| t.key() == Some("k44")));
    assert!(tags.iter().any(|t| t.key() == Some("x5")), "theirs kept");
    emu.shutdown().await;
}
