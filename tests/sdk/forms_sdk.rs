//! Forms end to end without the keyboard wiring: a form's request goes through the real client
//! layer (`Api`, the SDK over HTTP) to the emulator, and what the service says comes back into the
//! form — the whole catalog preserved, the tag delta applied, a failed save keeping the input.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::aws::{Api, ClientOptions, ImageRef, collect_all};
use ecrp::emulator::{self, Emulator, EmulatorOptions, Seed};
use ecrp::forms::catalog::{catalog_form, catalog_input};
use ecrp::forms::delete::{DeletePlan, DeleteProgress};
use ecrp::forms::policy::{
    check_policy, policy_form_from, policy_request, template_form, template_policy,
};
use ecrp::forms::repository::{new_repository_form, new_repository_request};
use ecrp::forms::tags::{tags_form, tags_request};
use ecrp::forms::{Form, FormEvent, FormOutcome};
use futures::StreamExt;

async fn start(synthetic: Vec<(String, usize)>, read_only: bool) -> (Emulator, Api) {
    let emu = emulator::start(EmulatorOptions {
        seed: Seed::Empty,
        synthetic,
        ..Default::default()
    })
    .await
    .expect("emulator starts");
    let (client, _) = ecrp::aws::connect(&ClientOptions::for_emulator(&emu.url())).await;
    (emu, Api::new(client, read_only))
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
fn typed(form: &mut Form, s: &str) {
    for c in s.chars() {
        form.handle_key(key(if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        }));
    }
}
fn save(form: &mut Form) {
    let ev = form.handle_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    assert!(
        matches!(ev, FormEvent::Outcome(FormOutcome::Save(_))),
        "{ev:?}"
    );
    form.saving();
}

#[tokio::test(flavor = "multi_thread")]
async fn create_then_edit_the_catalog_keeping_every_untouched_field() {
    let (_emu, api) = start(vec![], false).await;
    let mut f = new_repository_form();
    typed(&mut f, "team/app");
    f.handle_key(key(KeyCode::Tab));
    typed(&mut f, "first");
    f.handle_key(key(KeyCode::Tab));
    f.handle_key(key(KeyCode::Char(' '))); // ARM
    f.focus = f.fields.iter().position(|x| x.key == "aboutText").unwrap();
    typed(&mut f, "# About\nkeep me");
    f.focus = f.fields.iter().position(|x| x.key == "tags").unwrap();
    typed(&mut f, "team=web\nenv=dev");
    save(&mut f);
    let req = new_repository_request(&f);
    let row = api
        .create_repository(&req.name, req.catalog.as_ref(), &req.tags)
        .await
        .unwrap();
    assert_eq!(&*row.repository_name, "team/app");
    let tags = api.list_tags(&row.repository_arn).await.unwrap();
    assert_eq!(tags, req.tags);

    // Edit only the description; architectures and about text must survive the put.
    let current = api.repository_catalog("team/app").await.unwrap();
    let mut c = catalog_form("team/app", &current);
    typed(&mut c, " edit");
    save(&mut c);
    api.put_repository_catalog("team/app", &catalog_input(&c))
        .await
        .unwrap();
    let after = api.repository_catalog("team/app").await.unwrap();
    assert_eq!(after.description.as_deref(), Some("first edit"));
    assert_eq!(after.architectures, vec!["ARM"]);
    assert_eq!(after.about_text.as_deref(), Some("# About\nkeep me"));

    // Resource tags: change one, drop one, add one.
    let mut t = tags_form("team/app", &tags);
    t.handle_key(key(KeyCode::Down));
    t.handle_key(key(KeyCode::End));
    t.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(&mut t, "owner=me");
    t.handle_key(key(KeyCode::Up));
    t.handle_key(key(KeyCode::End));
    for _ in 0.."web".len() {
        t.handle_key(key(KeyCode::Backspace));
    }
    typed(&mut t, "api");
    save(&mut t);
    let delta = tags_request(&tags, &t);
    api.tag_resource(&row.repository_arn, &delta.tag)
        .await
        .unwrap();
    api.untag_resource(&row.repository_arn, &delta.untag)
        .await
        .unwrap();
    let mut now: Vec<String> = api
        .list_tags(&row.repository_arn)
        .await
        .unwrap()
        .into_iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect();
    now.sort();
    assert_eq!(now, vec!["owner=me", "team=api"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_save_keeps_the_input_and_puts_the_error_beside_its_field() {
    let (_emu, api) = start(vec![("app".into(), 0)], false).await;
    let mut c = catalog_form("app", &Default::default());
    // The form would refuse this; send it anyway to see where the service's error lands.
    typed(&mut c, &"x".repeat(1031));
    c.focus = 4;
    typed(&mut c, "about");
    c.saving();
    let err = api
        .put_repository_catalog("app", &catalog_input(&c))
        .await
        .unwrap_err();
    let before = c.values();
    c.save_failed(&err.message);
    assert_eq!(c.values(), before, "nothing typed is lost");
    assert_eq!(c.fields[c.focus].key, "description");
    assert!(
        c.fields[0].error.as_deref().unwrap().contains("1024"),
        "{err:?}"
    );

    // A name that exists: the service's error, shown with the name kept.
    let mut n = new_repository_form();
    typed(&mut n, "app");
    save(&mut n);
    let req = new_repository_request(&n);
    let err = api
        .create_repository(&req.name, None, &[])
        .await
        .unwrap_err();
    assert_eq!(err.code, "RepositoryAlreadyExistsException");
    n.save_failed(&format!("{}: {}", err.code, err.message));
    assert_eq!(n.value("repositoryName").unwrap().as_text(), "app");
    assert!(n.error.is_some() || n.fields[0].error.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_refuses_at_the_client_and_the_form_keeps_its_input() {
    let (_emu, api) = start(vec![("app".into(), 0)], true).await;
    let mut c = catalog_form("app", &Default::default());
    typed(&mut c, "new description");
    save(&mut c);
    let err = api
        .put_repository_catalog("app", &catalog_input(&c))
        .await
        .unwrap_err();
    c.save_failed(&err.message);
    assert_eq!(c.value("description").unwrap().as_text(), "new description");
    assert!(c.error.is_some());
}

#[tokio::test(flavor = "multi_thread")]
async fn template_policy_applies_and_deletes() {
    let (_emu, api) = start(vec![("app".into(), 0)], false).await;
    let mut t = template_form();
    t.handle_key(key(KeyCode::Down));
    t.handle_key(key(KeyCode::Char(' ')));
    t.handle_key(key(KeyCode::Tab));
    typed(&mut t, "123456789012");
    save(&mut t);
    let text = template_policy(&t.values()).unwrap();
    let mut p = policy_form_from("app", None, &text);
    save(&mut p);
    let sent = policy_request(&p.values());
    assert_eq!(check_policy(&sent), Ok(()));
    api.set_repository_policy("app", &sent, false)
        .await
        .unwrap();
    let got = api.repository_policy("app").await.unwrap().unwrap();
    let parse = |s: &str| serde_json::from_str::<serde_json::Value>(s).unwrap();
    assert_eq!(parse(&got), parse(&sent));
    api.delete_repository_policy("app").await.unwrap();
    assert_eq!(api.repository_policy("app").await.unwrap(), None);
}

#[tokio::test(flavor = "multi_thread")]
async fn bulk_delete_progress_and_failure_report() {
    let (_emu, api) = start(vec![("syn".into(), 250)], false).await;
    let images = collect_all(api.images("syn", None)).await.unwrap();
    let marked: Vec<_> = images.iter().take(230).collect();
    let plan = DeletePlan::new("syn", &marked, &[], |_| None);
    let mut ids = plan.ids();
    let missing = format!("sha256:{}", "0".repeat(64));
    ids.push(ImageRef::Digest(missing.clone()));
    let mut progress = DeleteProgress::new("syn", ids.len());
    let mut stream = Box::pin(api.delete_images("syn", ids, 2));
    let mut seen = Vec::new();
    while let Some(o) = stream.next().await {
        progress.apply(&o);
        seen.push(progress.done());
    }
    assert_eq!(seen.len(), 3, "chunks of 100: {seen:?}");
    assert!(progress.is_finished());
    assert_eq!(progress.report.deleted, 230);
    let report = progress.report_lines();
    assert_eq!(report[0], "Deleted 230 of 231 from syn.");
    assert_eq!(report[1], "1 failed:");
    assert!(report[2].contains("ImageNotFound"), "{report:?}");
    let left = collect_all(api.images("syn", None)).await.unwrap();
    assert_eq!(left.len(), 20);
}
