//! The repository catalog form (PutRepositoryCatalogData), also reused inside the new-repository
//! form. The whole catalog is sent: every field is prefilled, so nothing untouched is dropped.

use crate::aws::{Catalog, CatalogInput};
use crate::model::limits::{
    ABOUT_TEXT_MAX, ARCHITECTURE_MAX, ARCHITECTURES_MAX, DESCRIPTION_MAX, LOGO_MAX_BYTES,
    OPERATING_SYSTEM_MAX, OPERATING_SYSTEMS_MAX, USAGE_TEXT_MAX,
};

use super::checklist::Checklist;
use super::field::{Check, Editor, Field, PathCheck, Value, length_check};
use super::{Form, Values};
use crate::fmt::thousands;

pub const ARCHITECTURES: [&str; 4] = ["ARM", "ARM 64", "x86", "x86-64"];
pub const OPERATING_SYSTEMS: [&str; 2] = ["Linux", "Windows"];
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

fn description(v: &Value) -> Option<Check> {
    Some(length_check("description", v.as_text(), DESCRIPTION_MAX))
}
fn about(v: &Value) -> Option<Check> {
    Some(length_check("about", v.as_text(), ABOUT_TEXT_MAX))
}
fn usage(v: &Value) -> Option<Check> {
    Some(length_check("usage", v.as_text(), USAGE_TEXT_MAX))
}

fn list_check(what: &str, v: &Value, entry_max: usize, max: usize) -> Option<Check> {
    let l = v.as_list();
    if l.len() > max {
        return Some(Check::err(format!("{what}: {} / {max} entries", l.len())));
    }
    l.iter()
        .find(|e| e.chars().count() > entry_max)
        .map(|e| Check::err(format!("{what}: \"{e}\" is over {entry_max} characters")))
}
fn architectures(v: &Value) -> Option<Check> {
    list_check("architectures", v, ARCHITECTURE_MAX, ARCHITECTURES_MAX)
}
fn operating_systems(v: &Value) -> Option<Check> {
    list_check(
        "operating systems",
        v,
        OPERATING_SYSTEM_MAX,
        OPERATING_SYSTEMS_MAX,
    )
}

/// Is this an acceptable logo? The app reads the file in a task and feeds the result to
/// `Form::set_path_check` (as `logo_check(read result)`).
pub fn check_png(bytes: &[u8]) -> Result<(), String> {
    if !bytes.starts_with(&PNG_SIGNATURE) {
        return Err("not a PNG file (no PNG signature)".into());
    }
    if bytes.len() > LOGO_MAX_BYTES {
        return Err(format!(
            "logo: {} / {} bytes",
            thousands(bytes.len()),
            thousands(LOGO_MAX_BYTES)
        ));
    }
    Ok(())
}

/// The `PathCheck` for a logo file read (or failed to read) by the app.
pub fn logo_check(read: std::io::Result<Vec<u8>>) -> PathCheck {
    match read {
        Err(e) => PathCheck::Err(format!("cannot read: {e}")),
        Ok(bytes) => match check_png(&bytes) {
            Ok(()) => PathCheck::Ok {
                summary: format!("PNG, {} bytes", thousands(bytes.len())),
                bytes,
            },
            Err(e) => PathCheck::Err(e),
        },
    }
}

/// The catalog fields, prefilled from `c`: description first.
pub fn catalog_fields(c: &Catalog) -> Vec<Field> {
    let logo_hint = if c.logo_url.is_some() {
        "a PNG file; empty keeps the current logo"
    } else {
        "a PNG file (optional)"
    };
    vec![
        Field::line(
            "description",
            "Description",
            c.description.as_deref().unwrap_or(""),
        )
        .validated(description),
        Field::checklist(
            "architectures",
            "Architectures",
            Checklist::new(&ARCHITECTURES, &c.architectures, true),
        )
        .validated(architectures),
        Field::checklist(
            "operatingSystems",
            "Operating systems",
            Checklist::new(&OPERATING_SYSTEMS, &c.operating_systems, true),
        )
        .validated(operating_systems),
        Field::path("logoImageBlob", "Logo (PNG path)").hinted(logo_hint),
        Field::multi(
            "aboutText",
            "About (markdown)",
            c.about_text.as_deref().unwrap_or(""),
            true,
        )
        .validated(about),
        Field::multi(
            "usageText",
            "Usage (markdown)",
            c.usage_text.as_deref().unwrap_or(""),
            true,
        )
        .validated(usage),
    ]
}

/// `e` on a repository: edit its catalog.
pub fn catalog_form(repo: &str, c: &Catalog) -> Form {
    Form::new(format!("Catalog · {repo}"), catalog_fields(c))
}

fn text(v: &Values, k: &str) -> Option<String> {
    v.get(k)
        .map(|v| v.as_text().to_string())
        .filter(|s| !s.is_empty())
}

/// The whole catalog from a form's values (the logo only when a checked file was given; `None`
/// keeps the current one).
pub fn catalog_input(form: &Form) -> CatalogInput {
    let v = form.values();
    let logo = form.field("logoImageBlob").and_then(|f| match &f.editor {
        Editor::Path {
            check: PathCheck::Ok { bytes, .. },
            ..
        } => Some(bytes.clone()),
        _ => None,
    });
    CatalogInput {
        description: text(&v, "description"),
        architectures: v
            .get("architectures")
            .map(|l| l.as_list().to_vec())
            .unwrap_or_default(),
        operating_systems: v
            .get("operatingSystems")
            .map(|l| l.as_list().to_vec())
            .unwrap_or_default(),
        logo_png: logo,
        about_text: text(&v, "aboutText"),
        usage_text: text(&v, "usageText"),
    }
}

/// Nothing entered (CreateRepository then sends no catalog at all).
pub fn catalog_is_empty(c: &CatalogInput) -> bool {
    *c == CatalogInput::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_signature_and_size() {
        let mut png = PNG_SIGNATURE.to_vec();
        png.extend([0u8; 100]);
        assert_eq!(check_png(&png), Ok(()));
        assert!(
            check_png(b"GIF89a....")
                .unwrap_err()
                .contains("PNG signature")
        );
        let mut big = PNG_SIGNATURE.to_vec();
        big.resize(LOGO_MAX_BYTES + 1, 0);
        assert_eq!(
            check_png(&big).unwrap_err(),
            "logo: 512,001 / 512,000 bytes"
        );
        big.truncate(LOGO_MAX_BYTES);
        assert_eq!(check_png(&big), Ok(()));
        assert!(matches!(logo_check(Ok(png)), PathCheck::Ok { .. }));
        let e = logo_check(Err(std::io::Error::from(std::io::ErrorKind::NotFound)));
        assert!(matches!(e, PathCheck::Err(m) if m.starts_with("cannot read")));
    }

    #[test]
    fn validators_follow_the_model_limits() {
        assert!(description(&Value::Text("x".repeat(1024))).unwrap().ok);
        assert!(!description(&Value::Text("x".repeat(1025))).unwrap().ok);
        assert!(!about(&Value::Text("x".repeat(25_601))).unwrap().ok);
        assert!(usage(&Value::Text("x".repeat(25_600))).unwrap().ok);
        let many = Value::List((0..51).map(|i| i.to_string()).collect());
        assert!(!architectures(&many).unwrap().ok);
        assert!(
            !operating_systems(&Value::List(vec!["x".repeat(51)]))
                .unwrap()
                .ok
        );
        assert_eq!(operating_systems(&Value::List(vec!["Linux".into()])), None);
    }
}
