//! Policies and resource tags in the TUI, typed as a user would, through the real effect runner and
//! SDK client against the in-process emulator; the service's truth is read back with a fresh client.

use crate::support::mutate::*;
use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::app::modal::{ConfirmAction, FormKind};
use ecrp::app::{Fetch, Overlay, PickerKind, Status, strings};
use ecrp::forms::Status as FormStatus;

const W: u16 = 160;
const H: u16 = 45;

const OPEN_PUSH: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"OpenPush","Effect":"Allow","Principal":"*","Action":["ecr-public:PutImage","ecr-public:BatchGetImage"]}]}"#;
const LOCKOUT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Freeze","Effect":"Deny","Principal":"*","Action":"ecr-public:SetRepositoryPolicy"}]}"#;

async fn policy_of(emu: &ecrp::emulator::Emulator, repo: &str) -> Option<String> {
    match truth(emu)
        .await
        .get_repository_policy()
        .repository_name(repo)
        .send()
        .await
    {
        Ok(out) => out.policy_text,
        Err(e) => {
            let code = aws_sdk_ecrpublic::error::ProvideErrorMetadata::code(&e).map(str::to_string);
            assert_eq!(code.as_deref(), Some("RepositoryPolicyNotFoundException"));
            None
        }
    }
}

async fn tags_of(emu: &ecrp::emulator::Emulator, repo: &str) -> Vec<(String, String)> {
    let c = truth(emu).await;
    let arn = c
        .describe_repositories()
        .repository_names(repo)
        .send()
        .await
        .unwrap()
        .repositories
        .unwrap()
        .remove(0)
        .repository_arn
        .unwrap();
    let mut tags: Vec<(String, String)> = c
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .unwrap()
        .tags
        .unwrap_or_default()
        .into_iter()
        .map(|t| (t.key.unwrap(), t.value.unwrap()))
        .collect();
    tags.sort();
    tags
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Select all of the focused multi-line field and type `text` instead: from the end, backspace
/// over every character (a newline is one), then type.
async fn replace_text(h: &mut Harness, key: &str, text: &str) {
    let n = field(&h.app, key).chars().count();
    h.send(ctrl_code(KeyCode::End)).await;
    press(h, code(KeyCode::Backspace), n).await;
    assert_eq!(field(&h.app, key), "");
    type_text(h, text).await;
    assert_eq!(field(&h.app, key), text);
}

#[tokio::test]
async fn a_template_policy_is_reviewed_with_its_diff_then_applied() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "worker").await;
    h.keys("p").await;
    assert!(h.screen().contains(strings::NO_POLICY), "{}", h.screen());
    h.keys("e").await;
    let ef = form(&h.app);
    assert!(
        matches!(ef.kind, FormKind::PolicyTemplate { .. }),
        "{:?}",
        ef.kind
    );
    assert!(h.screen().contains("Start from a template"));
    assert_eq!(field(&h.app, "template"), "Public pull only");
    // The second template, then the account it needs.
    h.keys("j ").await;
    assert_eq!(field(&h.app, "template"), "Pushes from one account");
    h.send(ctrl('s')).await;
    let err = form(&h.app).form.fields[1].error.clone();
    assert_eq!(err.as_deref(), Some("this template needs the account id"));
    assert_eq!(form(&h.app).form.focus, 1, "the field to fix has the focus");
    assert!(h.screen().contains("✗ this template needs the account id"));
    type_text(&mut h, "21098765432").await;
    assert!(
        h.screen().contains("account id: twelve digits"),
        "{}",
        h.screen()
    );
    type_text(&mut h, "1").await;
    h.send(ctrl('s')).await;

    let ef = form(&h.app);
    assert!(matches!(ef.kind, FormKind::Policy { .. }), "{:?}", ef.kind);
    let text = field(&h.app, "policyText");
    assert!(text.contains("arn:aws:iam::210987654321:root"), "{text}");
    assert!(text.contains("AllowPushFromAccount"), "{text}");
    assert!(h.screen().contains("valid JSON"), "{}", h.screen());

    h.send(ctrl('s')).await;
    let m = confirm(&h.app);
    assert_eq!(m.confirm.title, "Apply policy · worker");
    let review = m.confirm.text();
    assert!(
        review.contains("--- current") && review.contains("+++ new"),
        "{review}"
    );
    assert!(review.contains("@@ -0,0 +1,19 @@"), "all new: {review}");
    assert!(
        review.contains("+  \"Version\": \"2012-10-17\""),
        "{review}"
    );
    assert!(!review.contains('⚠'), "no public write here: {review}");
    assert_eq!(ops(&emu, "SetRepositoryPolicy"), 0, "nothing sent before y");

    h.keys("y").await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(
        h.app.status,
        Status::Info("applied the policy of worker".into())
    );
    assert_eq!(ops(&emu, "SetRepositoryPolicy"), 1);
    assert_eq!(policy_of(&emu, "worker").await.as_deref(), Some(&*text));
    assert_eq!(
        h.app.remote.policies.get("worker"),
        Some(&Fetch::Ready(Some(text.clone()))),
        "the policy view reloaded"
    );
    assert!(
        h.screen().contains("AllowPushFromAccount"),
        "{}",
        h.screen()
    );
    let left = std::fs::read_dir(h.drafts_dir.path()).unwrap().count();
    assert_eq!(left, 0, "the saved policy's draft is gone");
    emu.shutdown().await;
}

#[tokio::test]
async fn a_public_write_policy_is_flagged_in_the_review_before_anything_is_sent() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    let current = policy_of(&emu, "web").await.expect("web has a policy");
    select_repo(&mut h, "web").await;
    h.keys("pe").await;
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("a menu first: {}", h.screen());
    };
    assert_eq!(p.kind, PickerKind::PolicyStart);
    let labels: Vec<&str> = p.items.iter().map(|i| i.label.as_str()).collect();
    assert_eq!(
        labels,
        vec![strings::POLICY_EDIT_CURRENT, strings::POLICY_FROM_TEMPLATE]
    );
    let s = h.screen();
    assert!(s.contains("Edit the current policy") && s.contains("Start from a template"));
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(
        field(&h.app, "policyText"),
        current,
        "prefilled with the current policy"
    );

    replace_text(&mut h, "policyText", OPEN_PUSH).await;
    h.send(ctrl('s')).await;
    let review = confirm(&h.app).confirm.text();
    assert!(
        review
            .starts_with("⚠ \"OpenPush\" lets anyone (Principal \"*\") write: ecr-public:PutImage"),
        "{review}"
    );
    // Both sides pretty-printed: the diff is the statement's changed lines, not the layout.
    assert!(
        review.contains("-      \"Sid\": \"AllowPushFromCi\",\n+      \"Sid\": \"OpenPush\","),
        "the old text goes: {review}"
    );
    assert!(
        review.contains("\n   \"Version\": \"2012-10-17\","),
        "{review}"
    );
    let s = h.screen();
    assert!(s.contains("⚠ \"OpenPush\" lets anyone"), "{s}");
    insta::assert_snapshot!("policy_review_public_write", redact(&s));
    assert_eq!(ops(&emu, "SetRepositoryPolicy"), 0);

    // n: back to the form, the text as typed; still nothing sent.
    h.keys("n").await;
    assert_eq!(form(&h.app).form.status, FormStatus::Editing);
    assert_eq!(field(&h.app, "policyText"), OPEN_PUSH);
    h.send(code(KeyCode::Esc)).await;
    assert!(h.screen().contains("discard your changes?"));
    h.keys("y").await;
    assert!(h.app.modal.is_none());
    assert_eq!(ops(&emu, "SetRepositoryPolicy"), 0);
    assert_eq!(policy_of(&emu, "web").await, Some(current));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_lockout_policy_needs_force_and_a_policy_can_be_deleted() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "worker").await;
    h.keys("pe").await;
    h.send(ctrl('s')).await; // the first template
    replace_text(&mut h, "policyText", LOCKOUT).await;
    h.send(ctrl('s')).await;
    h.keys("y").await;

    // Refused without force: the question comes with the service's own words.
    assert_eq!(ops(&emu, "SetRepositoryPolicy"), 1);
    let m = confirm(&h.app);
    assert_eq!(m.confirm.title, "Apply policy with force · worker");
    assert!(
        matches!(&m.action, ConfirmAction::ApplyPolicy { force: true, text } if text == LOCKOUT)
    );
    let said = m.confirm.text();
    assert!(
        said.contains("The service refused: ") && said.contains("set force to true"),
        "{said}"
    );
    assert!(h.screen().contains("apply with force? y yes · n no"));
    assert_eq!(policy_of(&emu, "worker").await, None, "not applied yet");

    h.keys("y").await;
    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(ops(&emu, "SetRepositoryPolicy"), 2);
    assert_eq!(policy_of(&emu, "worker").await.as_deref(), Some(LOCKOUT));

    // d in the policy view: a confirmation, then it is gone.
    assert!(matches!(h.app.overlay, Some(Overlay::Policy { .. })));
    h.keys("d").await;
    let m = confirm(&h.app);
    assert_eq!(m.confirm.title, "Delete policy");
    assert!(
        m.confirm
            .text()
            .contains("Remove the repository policy of worker?")
    );
    assert_eq!(ops(&emu, "DeleteRepositoryPolicy"), 0);
    h.keys("y").await;
    assert_eq!(ops(&emu, "DeleteRepositoryPolicy"), 1);
    assert_eq!(
        h.app.status,
        Status::Info("removed the policy of worker".into())
    );
    assert_eq!(policy_of(&emu, "worker").await, None);
    assert_eq!(
        h.app.remote.policies.get("worker"),
        Some(&Fetch::Ready(None))
    );
    assert!(h.screen().contains(strings::NO_POLICY));
    h.keys("d").await;
    assert_eq!(
        h.app.status,
        Status::Warning(strings::NO_POLICY_TO_DELETE.into())
    );
    assert_eq!(ops(&emu, "DeleteRepositoryPolicy"), 1);
    emu.shutdown().await;
}

#[tokio::test]
async fn resource_tags_are_added_changed_and_removed() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "web").await;
    h.keys("t").await;
    assert!(matches!(h.app.overlay, Some(Overlay::ResourceTags { .. })));
    h.keys("e").await;
    assert!(matches!(form(&h.app).kind, FormKind::Tags { .. }));
    assert_eq!(
        field(&h.app, "tags"),
        "team=frontend\ncost-center=cc-1042\nenv=production"
    );
    // Change the last line, add one after it, then remove the middle one.
    h.send(ctrl_code(KeyCode::End)).await;
    press(&mut h, code(KeyCode::Backspace), "production".len()).await;
    type_text(&mut h, "staging\nowner=alice").await;
    press(&mut h, code(KeyCode::Up), 2).await;
    h.send(code(KeyCode::End)).await;
    press(
        &mut h,
        code(KeyCode::Backspace),
        "cost-center=cc-1042".len() + 1,
    )
    .await;
    assert_eq!(
        field(&h.app, "tags"),
        "team=frontend\nenv=staging\nowner=alice"
    );
    h.send(ctrl('s')).await;

    assert!(h.app.modal.is_none(), "{}", h.screen());
    assert_eq!(
        h.app.status,
        Status::Info("resource tags saved: 2 added or changed, 1 removed".into())
    );
    assert_eq!(ops(&emu, "TagResource"), 1);
    assert_eq!(ops(&emu, "UntagResource"), 1);
    assert_eq!(
        tags_of(&emu, "web").await,
        pairs(&[("env", "staging"), ("owner", "alice"), ("team", "frontend")])
    );
    let s = h.screen();
    assert!(
        s.contains("owner") && s.contains("alice") && !s.contains("cc-1042"),
        "{s}"
    );

    // Unchanged: nothing to send.
    h.keys("e").await;
    h.send(ctrl('s')).await;
    assert_eq!(h.app.status, Status::Info(strings::NO_CHANGE.into()));
    assert_eq!(ops(&emu, "TagResource") + ops(&emu, "UntagResource"), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn tag_limits_are_shown_and_nothing_is_sent() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "worker").await;
    h.keys("te").await;
    assert_eq!(field(&h.app, "tags"), "team=platform");
    let more: String = (1..=50).map(|i| format!("\nk{i}=v")).collect();
    h.send(ctrl_code(KeyCode::End)).await;
    type_text(&mut h, &more).await;
    assert!(h.screen().contains("51 / 50 tags"), "{}", h.screen());
    h.send(ctrl('s')).await;
    assert_eq!(
        h.app.status,
        Status::Warning(strings::form_invalid(
            form(&h.app).form.fields[form(&h.app).form.focus].label
        ))
    );
    assert_eq!(form(&h.app).form.status, FormStatus::Editing);

    // One line fewer is fine again; a 129-character key is not.
    press(&mut h, code(KeyCode::Backspace), "\nk50=v".len()).await;
    assert!(h.screen().contains("50 / 50 tags"), "{}", h.screen());
    replace_text(&mut h, "tags", &format!("{}=v", "k".repeat(129))).await;
    let s = h.screen();
    assert!(
        s.contains("line 1: key is 129 characters; must be 1–128"),
        "{s}"
    );
    h.send(ctrl('s')).await;
    assert_eq!(
        h.app.status,
        Status::Warning(strings::form_invalid(
            form(&h.app).form.fields[form(&h.app).form.focus].label
        ))
    );
    assert_eq!(ops(&emu, "TagResource") + ops(&emu, "UntagResource"), 0);
    assert_eq!(
        tags_of(&emu, "worker").await,
        pairs(&[("team", "platform")])
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn the_policy_review_shows_a_long_line_whole() {
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start(&emu.url(), W, H, NOW).await;
    select_repo(&mut h, "worker").await;
    h.keys("pe").await;
    h.send(ctrl('s')).await;
    // A statement id longer than the popup is wide.
    let sid = "OpenPush".repeat(20);
    replace_text(&mut h, "policyText", &OPEN_PUSH.replace("OpenPush", &sid)).await;
    h.send(ctrl('s')).await;
    let long_line = format!("+      \"Sid\": \"{sid}\",");
    assert!(confirm(&h.app).confirm.text().contains(&long_line));
    // What the review popup shows (the form beneath it also shows the end of the text).
    let s = h.screen();
    let rows: Vec<Vec<char>> = s.lines().map(|l| l.chars().collect()).collect();
    let (top, x) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| {
            let t: String = r.iter().collect();
            t.find("┌ Apply policy")
                .map(|b| (y, t[..b].chars().count()))
        })
        .expect("the review popup");
    let mut shown = String::new();
    for r in &rows[top + 1..] {
        if r.get(x) == Some(&'└') {
            break;
        }
        let inner: String = r.iter().skip(x + 1).take_while(|c| **c != '│').collect();
        shown.push_str(inner.trim_end());
        shown.push('\n');
    }
    assert!(
        // Word-wrapped: compare without the breaks (and the spaces they replaced).
        shown
            .split_whitespace()
            .collect::<String>()
            .contains(&long_line.split_whitespace().collect::<String>()),
        "the long line is visible whole in the review:\n{shown}"
    );
    emu.shutdown().await;
}

/// The forms' bottom line names the user's keys, and the template chooser says its key continues
/// (it saves nothing).
#[tokio::test]
async fn form_hints_follow_remapped_keys_and_the_chooser_says_continue() {
    let (cfg, warnings) =
        ecrp::config::parse("[keys]\nsave = \"ctrl-w\"\nnext_field = \"ctrl-n\"\n");
    assert_eq!(warnings, vec![]);
    let emu = demo_emulator(|_| {}).await;
    let mut h = Harness::start_with(&emu.url(), W, H, NOW, |o| o.config = cfg).await;
    select_repo(&mut h, "worker").await;
    h.keys("p").await;
    h.keys("e").await;
    assert!(matches!(form(&h.app).kind, FormKind::PolicyTemplate { .. }));
    let s = h.screen();
    assert!(
        s.contains("ctrl-n next · shift-tab back · ctrl-w continue · esc cancel"),
        "{s}"
    );
    assert!(!s.contains("ctrl-s"), "{s}");
    // The remapped key continues to the policy form, whose line says save.
    h.send(ctrl('w')).await;
    assert!(matches!(form(&h.app).kind, FormKind::Policy { .. }));
    let s = h.screen();
    assert!(
        s.contains("ctrl-n next · shift-tab back · ctrl-w save · esc cancel"),
        "{s}"
    );
    emu.shutdown().await;
}
