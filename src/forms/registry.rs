//! The registry display name form (PutRegistryCatalogData).

use crate::model::limits::DISPLAY_NAME_MAX;

use super::field::{Check, Field, Value, length_check};
use super::{Form, Values};

fn display_name(v: &Value) -> Option<Check> {
    Some(length_check("display name", v.as_text(), DISPLAY_NAME_MAX))
}

/// `e` on a registry.
pub fn registry_name_form(current: Option<&str>) -> Form {
    Form::new(
        "Registry display name",
        vec![
            Field::line("displayName", "Display name", current.unwrap_or(""))
                .validated(display_name),
        ],
    )
}

/// The argument of `Api::put_registry_display_name`.
pub fn registry_name_request(values: &Values) -> String {
    values
        .get("displayName")
        .map(|v| v.as_text().trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_name_limit_and_request() {
        let f = registry_name_form(Some("Acme"));
        assert_eq!(registry_name_request(&f.values()), "Acme");
        assert!(display_name(&Value::Text("x".repeat(100))).unwrap().ok);
        let c = display_name(&Value::Text("x".repeat(101))).unwrap();
        assert_eq!(c, Check::err("display name: 101 / 100 characters"));
    }
}
