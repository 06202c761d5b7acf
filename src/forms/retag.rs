//! Retag: one field, the tag to add to an image (or move to it), checked as it is typed against
//! the tag grammar every registry client pulls by; and the question asked before a tag that
//! points at another image is moved.

use ratatui::text::Line;

use super::Form;
use super::confirm::Confirm;
use super::field::{Check, Field, Value};
use crate::fmt::short_digest;
use crate::model::names::{IMAGE_TAG_PULLABLE_MAX, image_tag_problem};

fn tag_check(v: &Value) -> Option<Check> {
    let t = v.as_text().trim();
    Some(match image_tag_problem(t) {
        Some(why) => Check::err(why),
        None => Check::ok(format!(
            "tag: {} / {IMAGE_TAG_PULLABLE_MAX} characters",
            t.chars().count()
        )),
    })
}

/// `a` on an image: its tags today are in the title, so the user sees what it already has.
pub fn retag_form(repo: &str, digest: &str, tags: &[Box<str>]) -> Form {
    let has = if tags.is_empty() {
        "untagged".to_string()
    } else {
        tags.join(", ")
    };
    Form::new(
        format!("Tag {} ({has}) · {repo}", short_digest(digest)),
        vec![Field::line("imageTag", "New tag", "").validated(tag_check)],
    )
}

/// The tag typed in the form.
pub fn retag_request(form: &Form) -> String {
    form.values()
        .get("imageTag")
        .map(|v| v.as_text().trim().to_string())
        .unwrap_or_default()
}

/// Moving `tag` from the image it names now (`now`) to `digest`.
pub fn move_confirm(repo: &str, tag: &str, digest: &str, now: &str) -> Confirm {
    Confirm::new(
        format!("Move tag · {repo}"),
        vec![
            Line::raw(format!("{tag} points to {now} now.")),
            Line::raw(format!(
                "Moving it makes {tag} name {}; the other image keeps its other tags",
                short_digest(digest)
            )),
            Line::raw("(or becomes untagged)."),
        ],
        format!("move {tag}? y yes · n no"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_the_tag_as_typed() {
        assert!(tag_check(&Value::Text("v1.2".into())).unwrap().ok);
        let c = tag_check(&Value::Text("v 1".into())).unwrap();
        assert!(!c.ok && c.text.starts_with("tag:"), "{c:?}");
        let f = retag_form("web", &format!("sha256:{}", "a".repeat(64)), &[]);
        assert!(f.title.contains("untagged"));
        assert_eq!(retag_request(&f), "");
    }
}
