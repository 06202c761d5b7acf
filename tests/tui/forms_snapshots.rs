//! Screens of every form and confirmation, rendered into a TestBackend (reviewed snapshots).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::aws::{Catalog, DeleteOutcome, ImageRef, ImageRow, Tag, TagRow};
use ecrp::forms::Form;
use ecrp::forms::catalog::catalog_form;
use ecrp::forms::delete::{DeletePlan, DeleteProgress, RepoDeleteConfirm};
use ecrp::forms::policy::{policy_form, policy_review, template_form};
use ecrp::forms::registry::registry_name_form;
use ecrp::forms::repository::new_repository_form;
use ecrp::forms::tags::tags_form;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::widgets::Widget;

fn screen(
    w: u16,
    h: u16,
    draw: impl Fn(ratatui::layout::Rect, &mut ratatui::buffer::Buffer),
) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| {
        let area = f.area();
        draw(area, f.buffer_mut())
    })
    .unwrap();
    let buf = t.backend().buffer().clone();
    (0..h)
        .map(|y| {
            let row: String = (0..w).map(|x| buf[(x, y)].symbol().to_string()).collect();
            row.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn form_screen(f: &Form, w: u16, h: u16) -> String {
    screen(w, h, |a, b| f.render(a, b))
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

fn catalog() -> Catalog {
    Catalog {
        description: Some("Web frontend".into()),
        architectures: vec!["x86-64".into(), "ARM 64".into()],
        operating_systems: vec!["Linux".into()],
        logo_url: None,
        about_text: Some("# About\n\nServes the **acme** site.\n\n- fast\n- small".into()),
        usage_text: Some("```\ndocker pull public.ecr.aws/acme/web\n```".into()),
        marketplace_certified: false,
    }
}

#[test]
fn catalog_form_screen() {
    insta::assert_snapshot!(
        "forms_catalog",
        form_screen(&catalog_form("acme/web", &catalog()), 120, 44)
    );
}

#[test]
fn catalog_form_too_long_and_failed_save() {
    let mut f = catalog_form("acme/web", &catalog());
    typed(&mut f, &" and more".repeat(114));
    f.saving();
    insta::assert_snapshot!("forms_catalog_saving", form_screen(&f, 120, 44));
    f.save_failed("Value at 'catalogData.description' failed to satisfy constraint: Member must have length less than or equal to 1024");
    insta::assert_snapshot!("forms_catalog_failed", form_screen(&f, 120, 44));
}

#[test]
fn registry_name_screens() {
    let mut f = registry_name_form(Some("Acme Containers"));
    insta::assert_snapshot!("forms_registry_name", form_screen(&f, 80, 12));
    typed(&mut f, "!");
    f.handle_key(key(KeyCode::Esc));
    insta::assert_snapshot!("forms_registry_confirm_discard", form_screen(&f, 80, 12));
}

#[test]
fn new_repository_screen() {
    let mut f = new_repository_form();
    typed(&mut f, "Acme/Web");
    insta::assert_snapshot!("forms_new_repository", form_screen(&f, 120, 50));
}

#[test]
fn policy_screens() {
    let mut f = policy_form("acme/web", None);
    typed(
        &mut f,
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}",
    );
    insta::assert_snapshot!("forms_policy_invalid", form_screen(&f, 100, 20));
    insta::assert_snapshot!(
        "forms_policy_template",
        form_screen(&template_form(), 90, 14)
    );
    let old = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "pull", "Effect": "Allow", "Principal": "*", "Action": "ecr-public:BatchGetImage"}
  ]
}"#;
    let new = old.replace("BatchGetImage", "*");
    let r = policy_review("acme/web", Some(old), &new);
    insta::assert_snapshot!(
        "forms_policy_review",
        screen(110, 20, |a, b| (&r).render(a, b))
    );
}

#[test]
fn tags_screen() {
    let f = tags_form(
        "acme/web",
        &[
            Tag {
                key: "team".into(),
                value: "web".into(),
            },
            Tag {
                key: "env".into(),
                value: "prod".into(),
            },
        ],
    );
    insta::assert_snapshot!("forms_tags", form_screen(&f, 80, 20));
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

#[test]
fn delete_screens() {
    let a = format!("sha256:{}", "3f2a".repeat(16));
    let b = format!("sha256:{}", "77aa".repeat(16));
    let c = format!("sha256:{}", "9b1c".repeat(16));
    let imgs = [image(&a, &["v1.4.2", "latest"]), image(&b, &[])];
    let tag = TagRow {
        image_tag: "v1.4.1".into(),
        created_at: 0,
        image_digest: c.as_str().into(),
        image_size_in_bytes: 1,
        image_pushed_at: 0,
        image_manifest_media_type: None,
        artifact_media_type: None,
    };
    let plan = DeletePlan::new(
        "acme/web",
        &imgs.iter().collect::<Vec<_>>(),
        &[&tag],
        |_| Some(vec!["v1.4.1".into(), "stable".into()]),
    );
    let conf = plan.confirm();
    insta::assert_snapshot!(
        "forms_delete_confirm",
        screen(100, 14, |r, buf| (&conf).render(r, buf))
    );

    let mut p = DeleteProgress::new("acme/web", 300);
    p.apply(&DeleteOutcome {
        deleted: vec![(None, None); 100],
        failures: vec![],
        requested: 100,
    });
    insta::assert_snapshot!(
        "forms_delete_progress",
        screen(80, 10, |r, buf| (&p).render(r, buf))
    );
    p.apply(&DeleteOutcome {
        deleted: vec![(None, None); 199],
        failures: vec![(
            ImageRef::Digest(c.clone()),
            "ImageReferencedByManifestList".into(),
            "referenced by an image index".into(),
        )],
        requested: 200,
    });
    insta::assert_snapshot!(
        "forms_delete_report",
        screen(100, 12, |r, buf| (&p).render(r, buf))
    );

    let mut rd = RepoDeleteConfirm::new("acme/web", Some(2418));
    for ch in "acme/web".chars() {
        rd.handle_key(key(KeyCode::Char(ch)));
    }
    insta::assert_snapshot!(
        "forms_repo_delete_typed",
        screen(80, 12, |r, buf| (&rd).render(r, buf))
    );
    rd.handle_key(key(KeyCode::Enter));
    insta::assert_snapshot!(
        "forms_repo_delete_force",
        screen(80, 12, |r, buf| (&rd).render(r, buf))
    );
}
