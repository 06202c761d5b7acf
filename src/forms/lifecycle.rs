//! The lifecycle policy editor: private ECR's lifecycle policy JSON, validated as it is typed
//! (each problem names the rule and the field, as AWS's validation does), and the templates the
//! usual policies start from.

use super::Form;
use super::field::{Check, Field, Value};
use crate::fmt::thousands;
use crate::lifecycle;

/// Lifecycle policies are small; private ECR takes at most 30,720 characters.
pub const LIFECYCLE_POLICY_MAX: usize = 30_720;

/// Starting points, each with the numbers a user is most likely to change spelled out.
pub const TEMPLATES: [(&str, &str); 3] = [
    ("keep-last", "keep the last N tagged images"),
    ("untagged-age", "expire untagged images older than D days"),
    ("release", "keep release tags, expire the rest after D days"),
];

/// The policy text of template `key` (`None` for an unknown key).
pub fn template(key: &str) -> Option<String> {
    let v = match key {
        "keep-last" => serde_json::json!({"rules": [{
            "rulePriority": 1,
            "description": "keep the last 10 tagged images",
            "selection": {"tagStatus": "tagged", "tagPatternList": ["*"],
                          "countType": "imageCountMoreThan", "countNumber": 10},
            "action": {"type": "expire"}
        }]}),
        "untagged-age" => serde_json::json!({"rules": [{
            "rulePriority": 1,
            "description": "expire untagged images older than 14 days",
            "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                          "countUnit": "days", "countNumber": 14},
            "action": {"type": "expire"}
        }]}),
        "release" => serde_json::json!({"rules": [
            {
                "rulePriority": 1,
                "description": "keep release tags",
                "selection": {"tagStatus": "tagged", "tagPatternList": ["v*"],
                              "countType": "imageCountMoreThan", "countNumber": 9999},
                "action": {"type": "expire"}
            },
            {
                "rulePriority": 2,
                "description": "expire everything else after 30 days",
                "selection": {"tagStatus": "any", "countType": "sinceImagePushed",
                              "countUnit": "days", "countNumber": 30},
                "action": {"type": "expire"}
            }
        ]}),
        _ => return None,
    };
    Some(serde_json::to_string_pretty(&v).expect("a JSON value serializes"))
}

/// Check a policy as `ecrp prune` will read it: every problem, each naming its rule and field.
pub fn check(text: &str) -> Result<lifecycle::Policy, String> {
    let n = text.chars().count();
    if n > LIFECYCLE_POLICY_MAX {
        return Err(format!(
            "lifecycle policy: {} / {} characters",
            thousands(n),
            thousands(LIFECYCLE_POLICY_MAX)
        ));
    }
    lifecycle::parse(text).map_err(|errors| {
        errors
            .iter()
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

fn policy_check(v: &Value) -> Option<Check> {
    Some(match check(v.as_text()) {
        Ok(p) => Check::ok(format!(
            "valid · {} rule(s) · {} / {} characters",
            p.rules.len(),
            thousands(v.as_text().chars().count()),
            thousands(LIFECYCLE_POLICY_MAX)
        )),
        Err(e) => Check::err(crate::sanitize::clean_line(&e)),
    })
}

/// The editor for `repo`'s lifecycle policy, starting from `text`; unchanged is measured against
/// `current`, so esc asks before dropping a template.
pub fn lifecycle_form(repo: &str, current: &str, text: &str) -> Form {
    let mut f = Form::new(
        format!("Lifecycle policy · {repo}"),
        vec![
            Field::multi("lifecyclePolicy", "Lifecycle policy (JSON)", current, false)
                .validated(policy_check),
        ],
    );
    f.set_text(0, text);
    f
}

/// The text of a saved (valid) form.
pub fn lifecycle_request(form: &Form) -> String {
    form.value("lifecyclePolicy")
        .map(|v| v.as_text().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_valid_policies() {
        for (key, _) in TEMPLATES {
            let text = template(key).unwrap();
            assert!(check(&text).is_ok(), "{key}: {:?}", check(&text));
        }
        assert!(template("nope").is_none());
    }

    #[test]
    fn errors_name_the_rule_and_the_field() {
        let e = check(r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":3},"action":{"type":"expire"}}]}"#).unwrap_err();
        assert!(
            e.contains("rulePriority 1") && e.contains("countUnit"),
            "{e}"
        );
        let long = "x".repeat(LIFECYCLE_POLICY_MAX + 1);
        assert!(check(&long).unwrap_err().contains("30,720"));
    }
}
