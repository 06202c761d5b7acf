//! The new-repository form (CreateRepository): name, the catalog fields, and resource tags.

use crate::aws::{Catalog, CatalogInput, Tag};
use crate::model::limits::{REPOSITORY_NAME_MAX, REPOSITORY_NAME_MIN};
use crate::model::names::is_repository_name;

use super::Form;
use super::catalog::{catalog_fields, catalog_input, catalog_is_empty};
use super::field::{Check, Field, Value};
use super::tags::{parse_tag_lines, tag_lines_check};

/// The name rule in words, then which part of it the name breaks.
fn repository_name(v: &Value) -> Option<Check> {
    let name = v.as_text();
    let n = name.chars().count();
    if !(REPOSITORY_NAME_MIN..=REPOSITORY_NAME_MAX).contains(&n) {
        return Some(Check::err(format!(
            "name: {n} characters; must be {REPOSITORY_NAME_MIN}–{REPOSITORY_NAME_MAX}"
        )));
    }
    if !is_repository_name(name) {
        let why = if name.chars().any(|c| c.is_ascii_uppercase()) {
            "lowercase only"
        } else {
            "lowercase letters and digits, separated by single . _ - or /; \
             no separator at the start or end"
        };
        return Some(Check::err(format!("name: {why}")));
    }
    Some(Check::ok(format!(
        "name: {n} / {REPOSITORY_NAME_MAX} characters"
    )))
}

/// `n`: a new repository.
pub fn new_repository_form() -> Form {
    let mut fields = vec![
        Field::line("repositoryName", "Name", "")
            .validated(repository_name)
            .hinted("e.g. team/app"),
    ];
    fields.extend(catalog_fields(&Catalog::default()));
    fields.push(
        Field::multi("tags", "Resource tags (key=value per line)", "", false)
            .validated(tag_lines_check),
    );
    Form::new("New repository", fields)
}

/// What `Api::create_repository(name, catalog.as_ref(), &tags)` takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateRepositoryRequest {
    pub name: String,
    /// `None` when no catalog field was filled in.
    pub catalog: Option<CatalogInput>,
    pub tags: Vec<Tag>,
}

/// Call on a valid form (after `FormOutcome::Save`).
pub fn new_repository_request(form: &Form) -> CreateRepositoryRequest {
    let catalog = catalog_input(form);
    let tags = form
        .value("tags")
        .and_then(|v| parse_tag_lines(v.as_text()).ok())
        .unwrap_or_default();
    CreateRepositoryRequest {
        name: form
            .value("repositoryName")
            .map(|v| v.as_text().to_string())
            .unwrap_or_default(),
        catalog: (!catalog_is_empty(&catalog)).then_some(catalog),
        tags,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(s: &str) -> Check {
        repository_name(&Value::Text(s.into())).unwrap()
    }

    #[test]
    fn name_rule_messages() {
        assert!(check("acme/web").ok);
        assert_eq!(check("acme/web").text, "name: 8 / 205 characters");
        assert_eq!(check("a").text, "name: 1 characters; must be 2–205");
        assert!(!check(&"a".repeat(206)).ok);
        assert!(check(&"a".repeat(205)).ok);
        assert_eq!(check("Acme").text, "name: lowercase only");
        assert!(!check("acme//web").ok);
        assert!(!check("-acme").ok);
        assert!(!check("acme_").ok);
        assert!(check("a.b-c_d/e").ok);
    }
}
