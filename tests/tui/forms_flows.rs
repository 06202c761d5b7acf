//! Form state machines and request builders, driven with keys as the app will drive them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::aws::{Catalog, CatalogInput, DeleteOutcome, ImageRef, ImageRow, Tag, TagRow};
use ecrp::forms::catalog::{catalog_form, catalog_input};
use ecrp::forms::delete::{DeletePlan, DeleteProgress, RepoDeleteConfirm, RepoDeleteEvent};
use ecrp::forms::policy::{
    check_policy, policy_diff, policy_form, policy_request, policy_review, pretty_json,
    public_write_warnings, template_form, template_policy,
};
use ecrp::forms::registry::{registry_name_form, registry_name_request};
use ecrp::forms::repository::{new_repository_form, new_repository_request};
use ecrp::forms::tags::{tags_form, tags_request};
use ecrp::forms::{FormEvent, FormOutcome, FormRequest, PathCheck, Status, Value};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}
fn ctrl(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
}
fn typed(form: &mut ecrp::forms::Form, s: &str) {
    for c in s.chars() {
        let code = if c == '\n' {
            KeyCode::Enter
        } else {
            KeyCode::Char(c)
        };
        form.handle_key(key(code));
    }
}

fn catalog() -> Catalog {
    Catalog {
        description: Some("Web frontend".into()),
        architectures: vec!["x86-64".into(), "RISC-V".into()],
        operating_systems: vec!["Linux".into()],
        logo_url: Some("http://logo".into()),
        about_text: Some("# About\nServes pages.".into()),
        usage_text: Some("docker pull it".into()),
        marketplace_certified: false,
    }
}

#[test]
fn catalog_form_opens_on_description_and_sends_the_whole_catalog() {
    let mut f = catalog_form("acme/web", &catalog());
    assert_eq!(f.fields[f.focus].key, "description");
    typed(&mut f, "!");
    assert_eq!(
        f.handle_key(ctrl('s')),
        FormEvent::Outcome(FormOutcome::Save(f.values()))
    );
    assert_eq!(
        catalog_input(&f),
        CatalogInput {
            description: Some("Web frontend!".into()),
            architectures: vec!["x86-64".into(), "RISC-V".into()],
            operating_systems: vec!["Linux".into()],
            logo_png: None,
            about_text: Some("# About\nServes pages.".into()),
            usage_text: Some("docker pull it".into()),
        },
        "untouched fields are sent as they were; no logo keeps the current one"
    );
}

#[test]
fn focus_moves_with_tab_and_shift_tab_and_wraps() {
    let mut f = catalog_form("r", &Catalog::default());
    assert_eq!(f.handle_key(key(KeyCode::Tab)), FormEvent::Moved);
    assert_eq!(f.fields[f.focus].key, "architectures");
    f.handle_key(key(KeyCode::BackTab));
    f.handle_key(key(KeyCode::BackTab));
    assert_eq!(f.fields[f.focus].key, "usageText");
    f.handle_key(key(KeyCode::Tab));
    assert_eq!(f.focus, 0);
}

#[test]
fn checklists_toggle_known_and_add_free_entries() {
    let mut f = catalog_form("r", &Catalog::default());
    f.handle_key(key(KeyCode::Tab));
    assert_eq!(f.handle_key(key(KeyCode::Char(' '))), FormEvent::Changed); // ARM
    for _ in 0..4 {
        f.handle_key(key(KeyCode::Right));
    }
    f.handle_key(key(KeyCode::Enter)); // "+ add…"
    typed(&mut f, "RISC-V");
    // esc inside the entry closes the entry, not the form.
    assert_eq!(f.handle_key(key(KeyCode::Esc)), FormEvent::Moved);
    f.handle_key(key(KeyCode::Enter));
    typed(&mut f, "RISC-V");
    assert_eq!(f.handle_key(key(KeyCode::Enter)), FormEvent::Changed);
    assert_eq!(
        f.value("architectures"),
        Some(Value::List(vec!["ARM".into(), "RISC-V".into()]))
    );
}

#[test]
fn save_is_blocked_by_an_invalid_field_which_gets_focus() {
    let mut f = catalog_form("r", &Catalog::default());
    typed(&mut f, &"x".repeat(1031));
    f.handle_key(key(KeyCode::Tab));
    assert_eq!(f.handle_key(ctrl('s')), FormEvent::Invalid);
    assert_eq!(f.focus, 0);
    let check = f.fields[0].check().unwrap();
    assert!(!check.ok);
    assert_eq!(check.text, "description: 1,031 / 1,024 characters");
    for _ in 0..7 {
        f.handle_key(key(KeyCode::Backspace));
    }
    assert!(matches!(
        f.handle_key(ctrl('s')),
        FormEvent::Outcome(FormOutcome::Save(_))
    ));
}

#[test]
fn esc_cancels_at_once_when_unchanged_and_asks_when_dirty() {
    let mut f = registry_name_form(Some("Acme"));
    assert_eq!(
        f.handle_key(key(KeyCode::Esc)),
        FormEvent::Outcome(FormOutcome::Cancel)
    );
    typed(&mut f, "x");
    assert_eq!(f.handle_key(key(KeyCode::Esc)), FormEvent::Moved);
    assert_eq!(f.status, Status::ConfirmDiscard);
    assert_eq!(f.handle_key(key(KeyCode::Char('n'))), FormEvent::Moved);
    assert_eq!(f.status, Status::Editing);
    assert_eq!(registry_name_request(&f.values()), "Acmex", "input kept");
    f.handle_key(key(KeyCode::Esc));
    assert_eq!(
        f.handle_key(key(KeyCode::Char('y'))),
        FormEvent::Outcome(FormOutcome::Cancel)
    );
    // Typing back to the original value is "unchanged" again.
    let mut g = registry_name_form(Some("Acme"));
    typed(&mut g, "x");
    g.handle_key(key(KeyCode::Backspace));
    assert_eq!(
        g.handle_key(key(KeyCode::Esc)),
        FormEvent::Outcome(FormOutcome::Cancel)
    );
}

#[test]
fn saving_disables_input_and_a_failure_keeps_input_with_the_error_beside_its_field() {
    let mut f = catalog_form("acme/web", &catalog());
    f.handle_key(key(KeyCode::Tab));
    f.handle_key(key(KeyCode::Tab));
    f.handle_key(key(KeyCode::Tab));
    f.handle_key(key(KeyCode::Tab));
    typed(&mut f, "more");
    let before = f.values();
    f.saving();
    assert_eq!(f.status, Status::Saving);
    assert_eq!(f.handle_key(key(KeyCode::Char('z'))), FormEvent::Ignored);
    assert_eq!(f.handle_key(key(KeyCode::Esc)), FormEvent::Ignored);
    f.save_failed(
        "1 validation error detected: Value at 'catalogData.description' failed to satisfy \
         constraint: Member must have length less than or equal to 1024",
    );
    assert_eq!(f.status, Status::Editing);
    assert_eq!(f.values(), before);
    assert_eq!(f.fields[f.focus].key, "description");
    assert!(
        f.fields[0]
            .error
            .as_deref()
            .unwrap()
            .contains("catalogData.description")
    );
    // Errors naming no field go above the fields; editing a field clears its error.
    f.save_failed("ThrottlingException: Rate exceeded");
    assert_eq!(
        f.error.as_deref(),
        Some("ThrottlingException: Rate exceeded")
    );
    typed(&mut f, "y");
    assert_eq!(f.fields[0].error, None);
}

#[test]
fn ctrl_e_in_a_multiline_field_asks_for_the_external_editor() {
    let mut f = catalog_form("r", &catalog());
    assert_eq!(
        f.handle_key(ctrl('e')),
        FormEvent::Ignored,
        "single line: already at the end"
    );
    f.handle_key(key(KeyCode::Home));
    assert_eq!(
        f.handle_key(ctrl('e')),
        FormEvent::Moved,
        "single line: end of line"
    );
    f.focus = 4;
    assert_eq!(
        f.handle_key(ctrl('e')),
        FormEvent::Request(FormRequest::ExternalEditor {
            field: 4,
            text: "# About\nServes pages.".into()
        })
    );
    f.set_text(4, "# New\n");
    assert_eq!(catalog_input(&f).about_text.as_deref(), Some("# New\n"));
}

#[test]
fn logo_path_is_checked_off_thread_and_its_bytes_are_sent() {
    let mut f = catalog_form("r", &Catalog::default());
    f.focus = 3;
    let mut last = FormEvent::Ignored;
    for c in "/l.png".chars() {
        last = f.handle_key(key(KeyCode::Char(c)));
    }
    assert_eq!(
        last,
        FormEvent::Request(FormRequest::CheckPath {
            field: 3,
            path: "/l.png".into()
        })
    );
    assert_eq!(
        f.handle_key(ctrl('s')),
        FormEvent::Invalid,
        "pending check blocks saving"
    );
    // A stale answer for an older path is ignored.
    f.set_path_check(3, "/l.pn", PathCheck::Err("nope".into()));
    let png = b"\x89PNG\r\n\x1a\nrest".to_vec();
    f.set_path_check(
        3,
        "/l.png",
        ecrp::forms::catalog::logo_check(Ok(png.clone())),
    );
    assert_eq!(f.fields[3].check().unwrap().text, "PNG, 12 bytes");
    assert_eq!(catalog_input(&f).logo_png, Some(png));
    f.set_path_check(
        3,
        "/l.png",
        ecrp::forms::catalog::logo_check(Ok(b"GIF".to_vec())),
    );
    assert_eq!(f.handle_key(ctrl('s')), FormEvent::Invalid);
}

#[test]
fn new_repository_request_with_and_without_catalog_and_tags() {
    let mut f = new_repository_form();
    typed(&mut f, "Team/App");
    assert_eq!(f.fields[0].check().unwrap().text, "name: lowercase only");
    assert_eq!(f.handle_key(ctrl('s')), FormEvent::Invalid);
    for _ in 0..8 {
        f.handle_key(key(KeyCode::Backspace));
    }
    typed(&mut f, "team/app");
    let r = new_repository_request(&f);
    assert_eq!(
        (r.name.as_str(), r.catalog, r.tags.len()),
        ("team/app", None, 0)
    );
    f.handle_key(key(KeyCode::Tab));
    f.handle_key(key(KeyCode::Tab));
    assert_eq!(f.fields[f.focus].key, "architectures");
    f.handle_key(key(KeyCode::Char(' ')));
    f.focus = f.fields.iter().position(|x| x.key == "tags").unwrap();
    typed(&mut f, "team=web\nteam=dup");
    assert_eq!(f.handle_key(ctrl('s')), FormEvent::Invalid);
    for _ in 0.."team=dup".len() {
        f.handle_key(key(KeyCode::Backspace));
    }
    typed(&mut f, "env=prod");
    assert!(matches!(
        f.handle_key(ctrl('s')),
        FormEvent::Outcome(FormOutcome::Save(_))
    ));
    let r = new_repository_request(&f);
    assert_eq!(r.catalog.unwrap().architectures, vec!["ARM"]);
    assert_eq!(
        r.tags,
        vec![
            Tag {
                key: "team".into(),
                value: "web".into()
            },
            Tag {
                key: "env".into(),
                value: "prod".into()
            },
        ]
    );
}

#[test]
fn tags_form_delta() {
    let old = vec![
        Tag {
            key: "team".into(),
            value: "web".into(),
        },
        Tag {
            key: "env".into(),
            value: "dev".into(),
        },
    ];
    let mut f = tags_form("acme/web", &old);
    // Cursor starts at the top: replace line 1 ("team=web") with "owner=me".
    f.handle_key(ctrl('u'));
    f.handle_key(key(KeyCode::End));
    f.handle_key(ctrl('u'));
    typed(&mut f, "owner=me");
    let d = tags_request(&old, &f);
    assert_eq!(
        d.tag,
        vec![Tag {
            key: "owner".into(),
            value: "me".into()
        }]
    );
    assert_eq!(d.untag, vec!["team".to_string()]);
}

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": ["ecr-public:BatchGetImage"]}
  ]
}"#;

#[test]
fn policy_json_errors_name_line_and_column() {
    assert_eq!(check_policy(POLICY), Ok(()));
    let e = check_policy("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}").unwrap_err();
    assert!(e.starts_with("line 3, column 17: "), "{e}");
    assert_eq!(
        check_policy("[]").unwrap_err(),
        "the policy must be a JSON object"
    );
    assert_eq!(
        check_policy(r#"{"Version":"1"}"#).unwrap_err(),
        "the policy has no \"Statement\""
    );
    assert!(
        check_policy(&format!("{{\"Version\":\"{}\"}}", "x".repeat(10_240)))
            .unwrap_err()
            .starts_with("policy: 10,254 / 10,240 characters")
    );
    let mut f = policy_form("acme/web", None);
    typed(&mut f, "{");
    assert_eq!(f.handle_key(ctrl('s')), FormEvent::Invalid);
}

#[test]
fn public_write_warnings_catch_wildcards_and_anyone() {
    assert!(
        public_write_warnings(POLICY).is_empty(),
        "public pull is fine"
    );
    let w = public_write_warnings(
        r#"{"Version":"1","Statement":[
          {"Effect":"Allow","Principal":{"AWS":"*"},"Action":"ecr-public:Put*"},
          {"Sid":"all","Effect":"Allow","Principal":"*","Action":["ecr-public:*"]},
          {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"*"},
          {"Effect":"Deny","Principal":"*","Action":"*"},
          {"Effect":"Allow","Principal":{"AWS":["*"]},"Action":"ecr-public:batchdeleteimage"}
        ]}"#,
    );
    assert_eq!(w.len(), 3, "{w:?}");
    assert_eq!(
        w[0],
        "statement 1 lets anyone (Principal \"*\") write: ecr-public:Put*"
    );
    assert!(w[1].starts_with("\"all\" lets anyone"));
    assert!(w[2].starts_with("statement 5"));
}

#[test]
fn policy_diff_and_review() {
    let new = POLICY.replace("BatchGetImage", "PutImage");
    let d = policy_diff(Some(POLICY), &new);
    assert!(d.starts_with("--- current\n+++ new\n@@"), "{d}");
    // Both sides pretty-printed: the one changed value is the one changed line.
    assert!(
        d.contains("\n-        \"ecr-public:BatchGetImage\"\n"),
        "{d}"
    );
    assert!(d.contains("\n+        \"ecr-public:PutImage\"\n"), "{d}");
    assert_eq!(
        d.lines().filter(|l| l.starts_with(['-', '+'])).count(),
        4,
        "{d}"
    );
    assert_eq!(policy_diff(Some(POLICY), POLICY), "");
    // The service's one-line answer against the same policy indented: no change.
    let one_line = POLICY.replace('\n', "");
    assert_eq!(policy_diff(Some(&one_line), POLICY), "");
    let all_new = policy_diff(None, "{}");
    assert!(all_new.contains("+{}"));
    let r = policy_review("acme/web", Some(POLICY), &new);
    let text = r.text();
    assert!(
        text.starts_with("⚠ \"pull\" lets anyone (Principal \"*\") write: ecr-public:PutImage")
    );
    assert_eq!(
        policy_review("r", Some(POLICY), POLICY).text(),
        "No change."
    );
}

#[test]
fn templates_produce_valid_policies() {
    let mut f = template_form();
    f.handle_key(key(KeyCode::Down));
    f.handle_key(key(KeyCode::Char(' ')));
    let v = f.values();
    assert_eq!(template_policy(&v).unwrap_err().0, "accountId");
    f.handle_key(key(KeyCode::Tab));
    typed(&mut f, "12345");
    assert_eq!(f.handle_key(ctrl('s')), FormEvent::Invalid);
    typed(&mut f, "6789012");
    let text = template_policy(&f.values()).unwrap();
    assert_eq!(check_policy(&text), Ok(()));
    assert!(text.contains("arn:aws:iam::123456789012:root"));
    assert!(public_write_warnings(&text).is_empty());
    let pull = template_policy(&template_form().values()).unwrap();
    assert_eq!(check_policy(&pull), Ok(()));
    // The conventional key order, and the layout pretty_json gives.
    for t in [&pull, &text] {
        let at = |k: &str| t.find(&format!("\"{k}\"")).unwrap();
        assert!(at("Version") < at("Statement"), "{t}");
        assert!(
            at("Sid") < at("Effect") && at("Effect") < at("Principal"),
            "{t}"
        );
        assert!(at("Principal") < at("Action"), "{t}");
        assert_eq!(&pretty_json(t), t);
    }
    let mut p = ecrp::forms::policy::policy_form_from("r", None, &pull);
    assert_eq!(policy_request(&p.values()), pull);
    assert!(p.is_dirty());
    assert_eq!(
        p.handle_key(key(KeyCode::Esc)),
        FormEvent::Moved,
        "asks before dropping it"
    );
}

fn image(d: &str, tags: &[&str]) -> ImageRow {
    ImageRow {
        image_digest: d.into(),
        image_tags: tags.iter().map(|t| Box::from(*t)).collect(),
        image_size_in_bytes: 1,
        image_pushed_at: 0,
        image_manifest_media_type: None,
        artifact_media_type: None,
    }
}
fn tag(t: &str, d: &str) -> TagRow {
    TagRow {
        image_tag: t.into(),
        created_at: 0,
        image_digest: d.into(),
        image_size_in_bytes: 1,
        image_pushed_at: 0,
        image_manifest_media_type: None,
        artifact_media_type: None,
    }
}

const A: &str = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc";

#[test]
fn delete_plan_says_tag_or_whole_image() {
    let imgs = [image(A, &["v1", "latest"]), image(B, &[])];
    let tags = [
        tag("v2", C),
        tag("old", "sha256:dd"),
        tag("v1", A),
        tag("x", "sha256:ee"),
    ];
    let tags_of = |d: &str| match d {
        _ if d == C => Some(vec!["v2".to_string(), "stable".to_string()]),
        "sha256:dd" => Some(vec!["old".to_string()]),
        _ => None,
    };
    let plan = DeletePlan::new(
        "acme/web",
        &imgs.iter().collect::<Vec<_>>(),
        &tags.iter().collect::<Vec<_>>(),
        tags_of,
    );
    // 1 byte each: the two images and the one a last tag takes; the images that keep a tag (or
    // may) are not counted.
    assert_eq!(plan.bytes, 3);
    assert_eq!(
        plan.confirm().text(),
        "Will delete 3 images (3 B) from acme/web and remove 2 tags from images that stay.
This cannot be undone.

  image sha256:aaaaaaaaaaaa… (v1, latest): the whole image, with all its tags
  image sha256:bbbbbbbbbbbb… (untagged): the whole image
  tag v2: only the tag; image sha256:cccccccccccc… keeps stable
  tag old: its image's last tag, so the whole image sha256:dd goes
  tag x of sha256:ee: the tag; the image goes too if it is its last tag"
    );
    assert_eq!(
        plan.ids(),
        vec![
            ImageRef::Digest(A.into()),
            ImageRef::Digest(B.into()),
            ImageRef::Tag("v2".into()),
            ImageRef::Tag("old".into()),
            ImageRef::Tag("x".into()),
        ],
        "v1 goes with its image, not twice"
    );
    assert_eq!(plan.confirm().title, "Delete 5 items");
}

#[test]
fn marking_every_tag_of_an_image_deletes_the_image() {
    let tags = [tag("a", C), tag("b", C)];
    let plan = DeletePlan::new("r", &[], &tags.iter().collect::<Vec<_>>(), |_| {
        Some(vec!["a".into(), "b".into()])
    });
    assert_eq!(plan.images_removed(), 1);
    assert!(
        plan.confirm()
            .text()
            .contains("tag b: its image's last tag")
    );
}

#[test]
fn delete_progress_and_report() {
    let mut p = DeleteProgress::new("acme/web", 150);
    assert_eq!(p.ratio(), 0.0);
    p.apply(&DeleteOutcome {
        deleted: vec![(Some(A.into()), None); 100],
        failures: vec![],
        requested: 100,
    });
    assert!(!p.is_finished());
    assert!((p.ratio() - 2.0 / 3.0).abs() < 1e-9);
    p.apply(&DeleteOutcome {
        deleted: vec![(Some(B.into()), None); 48],
        failures: vec![
            (
                ImageRef::Digest(C.into()),
                "ImageReferencedByManifestList".into(),
                "in use by an index".into(),
            ),
            (
                ImageRef::Tag("gone".into()),
                "ImageNotFound".into(),
                "Requested image not found".into(),
            ),
        ],
        requested: 50,
    });
    assert!(p.is_finished());
    assert_eq!(
        p.report_lines(),
        vec![
            "Deleted 148 of 150 from acme/web.",
            "2 failed:",
            "  sha256:cccccccccccc…: ImageReferencedByManifestList: in use by an index",
            "  tag gone: ImageNotFound: Requested image not found",
        ]
    );
}

#[test]
fn repository_delete_needs_the_typed_name_then_force_separately() {
    let mut c = RepoDeleteConfirm::new("acme/web", Some(3));
    for ch in "acme/we".chars() {
        c.handle_key(key(KeyCode::Char(ch)));
    }
    // A wrong name: enter says so instead of doing nothing, until the next edit.
    assert_eq!(c.handle_key(key(KeyCode::Enter)), RepoDeleteEvent::Changed);
    assert!(!c.asking_force());
    let wrong = "That is not the name: type acme/web exactly (esc cancels).";
    assert!(c.lines().contains(&wrong.to_string()), "{:?}", c.lines());
    c.handle_key(key(KeyCode::Char('b')));
    assert!(!c.lines().contains(&wrong.to_string()));
    assert_eq!(c.handle_key(key(KeyCode::Enter)), RepoDeleteEvent::Changed);
    assert!(c.asking_force());
    assert!(c.lines()[0].contains("still holds 3 images"));
    assert_eq!(
        c.handle_key(key(KeyCode::Char('y'))),
        RepoDeleteEvent::Delete { force: true }
    );

    let mut empty = RepoDeleteConfirm::new("r2", Some(0));
    empty.handle_key(key(KeyCode::Char('r')));
    empty.handle_key(key(KeyCode::Char('2')));
    assert_eq!(
        empty.handle_key(key(KeyCode::Enter)),
        RepoDeleteEvent::Delete { force: false }
    );
    // The service says it is not empty after all: force is asked, with its message.
    empty.require_force("The repository cannot be deleted because it still contains images");
    assert!(empty.lines().join("\n").contains("The service refused"));
    assert_eq!(
        empty.handle_key(key(KeyCode::Char('n'))),
        RepoDeleteEvent::Cancel
    );
    let mut c = RepoDeleteConfirm::new("r", None);
    assert_eq!(c.handle_key(key(KeyCode::Esc)), RepoDeleteEvent::Cancel);
}

mod props {
    use super::*;
    use proptest::prelude::*;
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    fn any_key() -> impl Strategy<Value = KeyEvent> {
        let code = prop_oneof![
            any::<char>().prop_map(KeyCode::Char),
            prop::sample::select(vec![
                KeyCode::Enter,
                KeyCode::Tab,
                KeyCode::BackTab,
                KeyCode::Esc,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::Backspace,
                KeyCode::Delete,
                KeyCode::PageUp,
                KeyCode::PageDown,
                KeyCode::Char(' '),
                KeyCode::Char('y'),
                KeyCode::Char('n'),
            ]),
        ];
        let mods = prop::sample::select(vec![
            KeyModifiers::NONE,
            KeyModifiers::CONTROL,
            KeyModifiers::ALT,
            KeyModifiers::SHIFT,
        ]);
        (code, mods).prop_map(|(c, m)| KeyEvent::new(c, m))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any key sequence at any terminal size: no panic, focus in range, and a Save only
        /// ever carries valid values.
        #[test]
        fn random_keys_never_break_a_form(
            keys in prop::collection::vec(any_key(), 0..120),
            w in 1u16..140, h in 1u16..60, which in 0usize..5,
        ) {
            let mut f = match which {
                0 => catalog_form("acme/web", &catalog()),
                1 => new_repository_form(),
                2 => policy_form("r", Some(POLICY)),
                3 => tags_form("r", &[]),
                _ => template_form(),
            };
            let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
            for k in keys {
                if let FormEvent::Outcome(FormOutcome::Save(_)) = f.handle_key(k) {
                    prop_assert!(f.is_valid());
                }
                prop_assert!(f.focus < f.fields.len());
                t.draw(|fr| fr.render_widget(&f, fr.area())).unwrap();
            }
        }
    }
}

#[test]
fn the_report_groups_identical_refusals_in_the_order_they_came() {
    let refused = |d: String| {
        (
            ImageRef::Digest(d),
            "ImageReferencedByManifestList".to_string(),
            "Requested image is referenced by manifest lists: [\"sha256:ix\"]".to_string(),
        )
    };
    let digest = |c: char| format!("sha256:{}", c.to_string().repeat(64));
    let mut p = DeleteProgress::new("acme/web", 6);
    p.apply(&DeleteOutcome {
        deleted: vec![],
        failures: vec![
            refused(digest('1')),
            (
                ImageRef::Tag("gone".into()),
                "ImageNotFound".into(),
                "Requested image not found".into(),
            ),
            refused(digest('2')),
            refused(digest('3')),
            refused(digest('4')),
            (
                ImageRef::Digest(digest('5')),
                "ImageNotFound".into(),
                "Requested image not found".into(),
            ),
        ],
        requested: 6,
    });
    assert_eq!(
        p.report_lines(),
        vec![
            "Deleted 0 of 6 from acme/web.",
            "6 failed:",
            "  4 × ImageReferencedByManifestList: Requested image is referenced by manifest \
             lists: [\"sha256:ix\"]",
            "      sha256:111111111111…, sha256:222222222222…, sha256:333333333333…",
            "      sha256:444444444444…",
            "  2 × ImageNotFound: Requested image not found",
            "      tag gone, sha256:555555555555…",
        ]
    );
}
