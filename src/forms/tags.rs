//! Resource tags (TagResource / UntagResource): edited as `key=value` lines (add a line, change
//! one, delete one), checked live, and turned into the delta of the two calls.

use crate::aws::Tag;
use crate::model::limits::{
    RESERVED_TAG_PREFIX, TAG_KEY_MAX, TAG_KEY_MIN, TAG_VALUE_MAX, TAGS_PER_REPOSITORY_MAX,
};

use super::Form;
use super::field::{Check, Field, Value};

/// Parse `key=value` lines (split at the first `=`; blank lines skipped), enforcing the model's
/// limits. Errors name the line.
pub fn parse_tag_lines(text: &str) -> Result<Vec<Tag>, String> {
    let mut tags: Vec<Tag> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!("line {n}: expected key=value"));
        };
        let (key, value) = (k.trim(), v.trim());
        let kl = key.chars().count();
        if !(TAG_KEY_MIN..=TAG_KEY_MAX).contains(&kl) {
            return Err(format!(
                "line {n}: key is {kl} characters; must be {TAG_KEY_MIN}–{TAG_KEY_MAX}"
            ));
        }
        if key.starts_with(RESERVED_TAG_PREFIX) {
            return Err(format!(
                "line {n}: keys starting with \"{RESERVED_TAG_PREFIX}\" are reserved for AWS"
            ));
        }
        let vl = value.chars().count();
        if vl > TAG_VALUE_MAX {
            return Err(format!(
                "line {n}: value is {vl} characters; at most {TAG_VALUE_MAX}"
            ));
        }
        if tags.iter().any(|t| t.key == key) {
            return Err(format!("line {n}: duplicate key \"{key}\""));
        }
        tags.push(Tag {
            key: key.to_string(),
            value: value.to_string(),
        });
    }
    if tags.len() > TAGS_PER_REPOSITORY_MAX {
        return Err(format!("{} / {TAGS_PER_REPOSITORY_MAX} tags", tags.len()));
    }
    Ok(tags)
}

pub fn tag_lines_check(v: &Value) -> Option<Check> {
    Some(match parse_tag_lines(v.as_text()) {
        Ok(t) => Check::ok(format!("{} / {TAGS_PER_REPOSITORY_MAX} tags", t.len())),
        Err(e) => Check::err(e),
    })
}

pub fn tags_text(tags: &[Tag]) -> String {
    tags.iter()
        .map(|t| format!("{}={}", t.key, t.value))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `e` on a repository's resource tags.
pub fn tags_form(repo: &str, current: &[Tag]) -> Form {
    Form::new(
        format!("Resource tags · {repo}"),
        vec![
            Field::multi(
                "tags",
                "Tags (key=value per line)",
                &tags_text(current),
                false,
            )
            .validated(tag_lines_check),
        ],
    )
}

/// The calls that turn `old` into `new`: TagResource with added or changed tags, UntagResource
/// with removed keys. Either may be empty (then skip that call).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TagDelta {
    pub tag: Vec<Tag>,
    pub untag: Vec<String>,
}

impl TagDelta {
    pub fn is_empty(&self) -> bool {
        self.tag.is_empty() && self.untag.is_empty()
    }
}

pub fn tag_delta(old: &[Tag], new: &[Tag]) -> TagDelta {
    TagDelta {
        tag: new
            .iter()
            .filter(|n| !old.iter().any(|o| o == *n))
            .cloned()
            .collect(),
        untag: old
            .iter()
            .filter(|o| !new.iter().any(|n| n.key == o.key))
            .map(|o| o.key.clone())
            .collect(),
    }
}

/// The delta for a saved tags form (call on a valid form).
pub fn tags_request(old: &[Tag], form: &Form) -> TagDelta {
    let new = form
        .value("tags")
        .and_then(|v| parse_tag_lines(v.as_text()).ok())
        .unwrap_or_default();
    tag_delta(old, &new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(k: &str, v: &str) -> Tag {
        Tag {
            key: k.into(),
            value: v.into(),
        }
    }

    #[test]
    fn parse_and_limits() {
        assert_eq!(
            parse_tag_lines("team=web\n\n env = prod \nempty=").unwrap(),
            vec![t("team", "web"), t("env", "prod"), t("empty", "")]
        );
        assert_eq!(parse_tag_lines("a=b=c").unwrap(), vec![t("a", "b=c")]);
        assert_eq!(
            parse_tag_lines("novalue").unwrap_err(),
            "line 1: expected key=value"
        );
        assert_eq!(
            parse_tag_lines("=x").unwrap_err(),
            "line 1: key is 0 characters; must be 1–128"
        );
        assert!(parse_tag_lines(&format!("{}=x", "k".repeat(128))).is_ok());
        assert!(parse_tag_lines(&format!("{}=x", "k".repeat(129))).is_err());
        assert!(parse_tag_lines(&format!("k={}", "v".repeat(256))).is_ok());
        assert_eq!(
            parse_tag_lines(&format!("k={}", "v".repeat(257))).unwrap_err(),
            "line 1: value is 257 characters; at most 256"
        );
        assert_eq!(
            parse_tag_lines("a=1\nb=2\na=3").unwrap_err(),
            "line 3: duplicate key \"a\""
        );
        assert!(parse_tag_lines("aws:x=1").unwrap_err().contains("reserved"));
        let fifty: Vec<String> = (0..50).map(|i| format!("k{i}=v")).collect();
        assert!(parse_tag_lines(&fifty.join("\n")).is_ok());
        let many: Vec<String> = (0..51).map(|i| format!("k{i}=v")).collect();
        assert_eq!(
            parse_tag_lines(&many.join("\n")).unwrap_err(),
            "51 / 50 tags"
        );
    }

    #[test]
    fn delta_adds_changes_and_removes() {
        let old = [t("team", "web"), t("env", "dev"), t("gone", "x")];
        let new = [t("team", "web"), t("env", "prod"), t("new", "1")];
        let d = tag_delta(&old, &new);
        assert_eq!(d.tag, vec![t("env", "prod"), t("new", "1")]);
        assert_eq!(d.untag, vec!["gone".to_string()]);
        assert!(tag_delta(&old, &old).is_empty());
        let f = tags_form("acme/web", &old);
        assert!(tags_request(&old, &f).is_empty());
    }
}
