//! Issue 4 in the TUI, driven with keys as a user types them, through the real effect runner and
//! SDK client against the in-process emulator: the catalog form (description, the limit, the logo),
//! the registry display name and a new repository. What the service holds afterwards is read back
//! with a fresh client. Policies and resource tags: tests/tui/tui_edit_policy.rs; failures, read-only
//! and drafts: tests/tui/tui_edit_safety.rs; deletions: tests/tui/tui_delete.rs.

use crate::support::mutate::*;
use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::app::modal::{FormKind, Modal};
use ecrp::app::{self, Fetch, Overlay, Pane, Status, strings};
use ecrp::forms::Status as FormStatus;
use sha2::{Digest, Sha256};

const W: u16 = 160;
const H: u16 = 45;

/// ctrl-s, showing the form's saving state before the answer is let in.
async fn save_and_see_saving(h: &mut Harness) {
    let fx = app::update(&mut h.app, ctrl('s'));
    assert_eq!(form(&h.app).form.status, FormStatus::Saving);
    assert!(h.screen().contains("saving…"), "{}", h.screen());
    h.run(fx);
    h.settle().await;
}

#[tokio::test]
async fn catalog_description_is_saved_and_every_untouched_field_kept() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    let before = catalog_of(&emu, "worker").await;
    assert!(before.logo_url.is_some() && before.about_text.is_some());

    select_repo(&mut h, "worker").await;
    h.keys("e").await;
    let ef = form(&h.app);
    assert!(matches!(&ef.kind, FormKind::Catalog { repo, .. } if &**repo == "worker"));
    assert_eq!(ef.form.focus, 0, "the description is focused on open");
    assert_eq!(ef.form.fields[0].key, "description");
    assert_eq!(
        field(&h.app, "description"),
        before.description.clone().unwrap()
    );
    assert_eq!(field(&h.app, "architectures"), "x86-64");
    assert_eq!(field(&h.app, "operatingSystems"), "Linux");
    assert_eq!(
        field(&h.app, "aboutText"),
        before.about_text.clone().unwrap()
    );
    let s = h.screen();
    assert!(
        s.contains("Catalog · worker") && s.contains("▸ Description"),
        "{s}"
    );
    insta::assert_snapshot!("catalog_form", redact(&s));

    h.send(ctrl('u')).await;
    type_text(&mut h, "Runs queued jobs, schedules and retries.").await;
    assert_eq!(
        ops(&emu, "PutRepositoryCatalogData"),
        0,
        "nothing sent while typing"
    );
    save_and_see_saving(&mut h).await;

    assert!(h.app.modal.is_none(), "the form closed");
    assert_eq!(
        h.app.status,
        Status::Info("saved the catalog of worker".into())
    );
    assert_eq!(ops(&emu, "PutRepositoryCatalogData"), 1);
    let after = catalog_of(&emu, "worker").await;
    assert_eq!(
        after.description.as_deref(),
        Some("Runs queued jobs, schedules and retries.")
    );
    assert_eq!(after.architectures, before.architectures);
    assert_eq!(after.operating_systems, before.operating_systems);
    assert_eq!(after.about_text, before.about_text);
    assert_eq!(after.usage_text, before.usage_text);
    assert_eq!(after.logo_url, before.logo_url, "the logo stays");
    // The preview was fetched again and shows the service's new value.
    match h.app.remote.catalogs.get("worker") {
        Some(Fetch::Ready(c)) => assert_eq!(
            c.description.as_deref(),
            Some("Runs queued jobs, schedules and retries.")
        ),
        other => panic!("catalog not reloaded: {other:?}"),
    }
    let s = h.screen();
    assert!(
        s.contains("Runs queued jobs, schedules and retries."),
        "{s}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn a_description_over_the_limit_is_counted_and_never_sent() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "worker").await;
    h.keys("e").await;
    h.send(ctrl('u')).await;
    type_text(&mut h, &"x".repeat(1031)).await;
    let s = h.screen();
    assert!(s.contains("description: 1,031 / 1,024 characters"), "{s}");
    h.send(ctrl('s')).await;
    assert_eq!(
        h.app.status,
        Status::Warning(strings::form_invalid(
            form(&h.app).form.fields[form(&h.app).form.focus].label
        ))
    );
    assert_eq!(form(&h.app).form.status, FormStatus::Editing);
    assert_eq!(form(&h.app).form.focus, 0, "focus on the field to fix");
    assert_eq!(ops(&emu, "PutRepositoryCatalogData"), 0, "nothing sent");

    // Exactly at the limit it goes.
    press(&mut h, code(KeyCode::Backspace), 7).await;
    assert!(h.screen().contains("description: 1,024 / 1,024 characters"));
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(ops(&emu, "PutRepositoryCatalogData"), 1);
    let after = catalog_of(&emu, "worker").await;
    assert_eq!(after.description.as_deref(), Some(&*"x".repeat(1024)));
    emu.shutdown().await;
}

#[tokio::test]
async fn logo_path_is_checked_and_a_png_is_uploaded() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    let dir = tempfile::tempdir().unwrap();
    let gif = dir.path().join("logo.gif");
    std::fs::write(&gif, b"GIF89a\x01\x00\x01\x00\x00\x00\x00;").unwrap();
    let png_bytes = tiny_png();
    let png = dir.path().join("logo.png");
    std::fs::write(&png, &png_bytes).unwrap();
    let before = catalog_of(&emu, "ml/notebook").await;
    assert_eq!(before.logo_url, None, "the seed gives ml/notebook no logo");

    select_repo(&mut h, "ml/notebook").await;
    h.keys("e").await;
    press(&mut h, code(KeyCode::Tab), 3).await;
    assert_eq!(
        form(&h.app).form.fields[form(&h.app).form.focus].key,
        "logoImageBlob"
    );
    type_text(&mut h, "/nonexistent/logo.png").await;
    assert!(h.screen().contains("cannot read: "), "{}", h.screen());
    h.send(ctrl('u')).await;
    type_text(&mut h, gif.to_str().unwrap()).await;
    let s = h.screen();
    assert!(s.contains("not a PNG file (no PNG signature)"), "{s}");
    h.send(ctrl('s')).await;
    assert_eq!(
        h.app.status,
        Status::Warning(strings::form_invalid(
            form(&h.app).form.fields[form(&h.app).form.focus].label
        ))
    );
    assert_eq!(ops(&emu, "PutRepositoryCatalogData"), 0);

    h.send(ctrl('u')).await;
    type_text(&mut h, png.to_str().unwrap()).await;
    let s = h.screen();
    assert!(
        s.contains(&format!("PNG, {} bytes", png_bytes.len())),
        "{s}"
    );
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    let after = catalog_of(&emu, "ml/notebook").await;
    let hash = hex::encode(Sha256::digest(&png_bytes));
    let url = after.logo_url.expect("logoUrl set");
    assert!(url.ends_with(&format!("/logo/{hash}")), "{url}");
    assert_eq!(after.description, before.description);
    assert_eq!(after.about_text, before.about_text);
    assert_eq!(after.usage_text, before.usage_text);
    assert_eq!(after.architectures, before.architectures, "in their order");
    emu.shutdown().await;
}

/// The checklist once sent its known entries in its own order (ARM, ARM 64, x86, x86-64), turning
/// web's [x86-64, ARM 64] into [ARM 64, x86-64] on a description-only save.
#[tokio::test]
async fn untouched_architectures_keep_their_order() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    let before = catalog_of(&emu, "web").await;
    assert_eq!(
        before.architectures.as_deref(),
        Some(&["x86-64".to_string(), "ARM 64".to_string()][..])
    );
    select_repo(&mut h, "web").await;
    h.keys("e").await;
    type_text(&mut h, " Now faster.").await;
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    let after = catalog_of(&emu, "web").await;
    assert!(after.description.unwrap().ends_with(" Now faster."));
    assert_eq!(after.architectures, before.architectures);
    emu.shutdown().await;
}

#[tokio::test]
async fn registry_display_name_is_saved_and_the_header_follows() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    assert!(h.screen().contains("public.ecr.aws/acme (Acme Containers)"));
    h.keys(":name").await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(form(&h.app).kind, FormKind::RegistryName);
    assert_eq!(field(&h.app, "displayName"), "Acme Containers");
    h.send(ctrl('u')).await;
    type_text(&mut h, "Acme Public Images").await;
    save_and_see_saving(&mut h).await;
    assert!(h.app.modal.is_none());
    assert_eq!(
        h.app.status,
        Status::Info("display name set to Acme Public Images".into())
    );
    let out = truth(&emu)
        .await
        .get_registry_catalog_data()
        .send()
        .await
        .unwrap();
    assert_eq!(
        out.registry_catalog_data.unwrap().display_name.as_deref(),
        Some("Acme Public Images")
    );
    let s = h.screen();
    assert!(
        s.contains("public.ecr.aws/acme (Acme Public Images)"),
        "{s}"
    );

    // `e` on the registries pane opens the same form, prefilled with the new name.
    h.keys(":registries").await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.pane, Pane::Registries);
    h.keys("e").await;
    assert_eq!(form(&h.app).kind, FormKind::RegistryName);
    assert_eq!(field(&h.app, "displayName"), "Acme Public Images");
    h.send(code(KeyCode::Esc)).await;
    assert!(
        h.app.modal.is_none(),
        "unchanged: esc closes without asking"
    );
    assert_eq!(ops(&emu, "PutRegistryCatalogData"), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn new_repository_is_created_selected_and_tagged() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    h.keys("n").await;
    assert_eq!(form(&h.app).kind, FormKind::NewRepository);
    assert_eq!(form(&h.app).form.fields[0].key, "repositoryName");
    type_text(&mut h, "T").await;
    assert!(h.screen().contains("name: 1 characters; must be 2–205"));
    type_text(&mut h, "eam").await;
    let s = h.screen();
    assert!(s.contains("name: lowercase only"), "{s}");
    insta::assert_snapshot!("new_repository_form", redact(&s));
    h.send(ctrl('s')).await;
    assert_eq!(
        h.app.status,
        Status::Warning(strings::form_invalid(
            form(&h.app).form.fields[form(&h.app).form.focus].label
        ))
    );
    assert_eq!(ops(&emu, "CreateRepository"), 0);

    h.send(ctrl('u')).await;
    type_text(&mut h, "team/shop").await;
    assert!(h.screen().contains("name: 9 / 205 characters"));
    h.send(code(KeyCode::Tab)).await;
    type_text(&mut h, "Shop frontend").await;
    press(&mut h, code(KeyCode::Tab), 6).await;
    assert_eq!(
        form(&h.app).form.fields[form(&h.app).form.focus].key,
        "tags"
    );
    type_text(&mut h, "team=web").await;
    assert!(h.screen().contains("1 / 50 tags"));
    save_and_see_saving(&mut h).await;

    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(
        h.app.status,
        Status::Info("created repository team/shop".into())
    );
    assert_eq!(h.app.pane, Pane::Repositories);
    assert_eq!(h.app.remote.repos.len(), 14, "the list reloaded");
    assert_eq!(
        h.app.remote.repos.selected().map(|r| &*r.repository_name),
        Some("team/shop"),
        "the new repository is selected"
    );
    assert!(h.screen().contains("▶ team/shop"), "{}", h.screen());

    let c = truth(&emu).await;
    let repo = c
        .describe_repositories()
        .repository_names("team/shop")
        .send()
        .await
        .expect("DescribeRepositories finds it")
        .repositories
        .unwrap()
        .remove(0);
    let tags = c
        .list_tags_for_resource()
        .resource_arn(repo.repository_arn.unwrap())
        .send()
        .await
        .unwrap()
        .tags
        .unwrap();
    let tags: Vec<(String, String)> = tags
        .into_iter()
        .map(|t| (t.key.unwrap(), t.value.unwrap()))
        .collect();
    assert_eq!(tags, vec![("team".to_string(), "web".to_string())]);
    let cat = catalog_of(&emu, "team/shop").await;
    assert_eq!(cat.description.as_deref(), Some("Shop frontend"));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_duplicate_name_keeps_the_form_and_everything_typed() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    h.keys("n").await;
    type_text(&mut h, "web").await;
    h.send(code(KeyCode::Tab)).await;
    type_text(&mut h, "A second storefront").await;
    press(&mut h, code(KeyCode::Tab), 6).await;
    type_text(&mut h, "team=web\nenv=dev").await;
    h.send(ctrl('s')).await;

    assert_eq!(ops(&emu, "CreateRepository"), 1);
    let ef = form(&h.app);
    assert_eq!(ef.form.status, FormStatus::Editing, "the form stays open");
    // The error names no member, but it is about the name: it sits beside that field, focused.
    assert_eq!(ef.form.focus, 0, "the name field is focused");
    let error = ef.form.fields[0]
        .error
        .clone()
        .expect("the error is shown beside the name");
    assert!(
        error.contains("RepositoryAlreadyExistsException"),
        "{error}"
    );
    assert_eq!(field(&h.app, "repositoryName"), "web");
    assert_eq!(field(&h.app, "description"), "A second storefront");
    assert_eq!(field(&h.app, "tags"), "team=web\nenv=dev");
    let s = h.screen();
    assert!(s.contains("✗ RepositoryAlreadyExistsException"), "{s}");
    assert!(s.contains("A second storefront"), "{s}");

    // Fix the name and save again.
    type_text(&mut h, "-next").await;
    h.send(ctrl('s')).await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(
        h.app.remote.repos.selected().map(|r| &*r.repository_name),
        Some("web-next")
    );
    assert_eq!(ops(&emu, "CreateRepository"), 2);
    let cat = catalog_of(&emu, "web-next").await;
    assert_eq!(cat.description.as_deref(), Some("A second storefront"));
    assert!(!matches!(h.app.overlay, Some(Overlay::Picker(_))));
    assert!(!matches!(h.app.modal, Some(Modal::Confirm(_))));
    emu.shutdown().await;
}
