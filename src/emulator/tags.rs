//! Resource tags on repositories: ListTagsForResource, TagResource, UntagResource, and the tag
//! validation CreateRepository shares.

use serde_json::{Value, json};

use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::limits::*;
use super::state::State;
use super::validate::Validator;

/// Parses a TagList member. Key/value constraint violations are InvalidTagParameterException.
/// A tag's Value is optional (the model requires neither member); a tag without one is kept with
/// an empty value, which is how AWS tagging shows a value-less tag. The Key stays required: a tag
/// is named by it, and the reference's messages treat a missing key as an invalid tag.
pub fn parse_tags(
    input: &Input,
    key: &str,
    v: &mut Validator,
) -> ApiResult<Option<Vec<(String, String)>>> {
    let Some(items) = input.obj_list(key)? else {
        return Ok(None);
    };
    v.count(key, items.len(), 0, TAG_LIST_MAX);
    let mut tv = Validator::new();
    let mut tags = Vec::with_capacity(items.len());
    for item in &items {
        let k = item.str("Key")?;
        let val = item.str("Value")?;
        tv.required(&item.name("Key"), &k);
        if let Some(k) = &k {
            tv.len(&item.name("Key"), k, TAG_KEY_MIN, TAG_KEY_MAX);
        }
        if let Some(val) = &val {
            tv.len(&item.name("Value"), val, TAG_VALUE_MIN, TAG_VALUE_MAX);
        }
        tags.push((k.unwrap_or_default(), val.unwrap_or_default()));
    }
    tv.finish_as("InvalidTagParameterException")?;
    check_reserved(tags.iter().map(|(k, _)| k))?;
    Ok(Some(tags))
}

fn check_reserved<'a>(keys: impl Iterator<Item = &'a String>) -> ApiResult<()> {
    for k in keys {
        if k.to_ascii_lowercase().starts_with(RESERVED_TAG_PREFIX) {
            return Err(ApiError::new(
                "InvalidTagParameterException",
                format!(
                    "Tag key '{k}' is invalid: keys starting with '{RESERVED_TAG_PREFIX}' are reserved for AWS use"
                ),
            ));
        }
    }
    Ok(())
}

/// Merges `new` into `existing` (a key set again takes the new value) and enforces the
/// per-repository limit on the result.
pub fn merge(
    existing: &[(String, String)],
    new: Vec<(String, String)>,
) -> ApiResult<Vec<(String, String)>> {
    let mut merged = existing.to_vec();
    for (k, val) in new {
        match merged.iter_mut().find(|(mk, _)| *mk == k) {
            Some(slot) => slot.1 = val,
            None => merged.push((k, val)),
        }
    }
    if merged.len() > TAGS_PER_REPOSITORY_MAX {
        return Err(ApiError::new(
            "TooManyTagsException",
            format!(
                "A repository can have at most {TAGS_PER_REPOSITORY_MAX} tags; this request would leave it with {}",
                merged.len()
            ),
        ));
    }
    Ok(merged)
}

pub fn tags_json(tags: &[(String, String)]) -> Value {
    tags.iter()
        .map(|(k, v)| json!({ "Key": k, "Value": v }))
        .collect::<Vec<_>>()
        .into()
}

/// Resolves a repository ARN of this registry to the repository name.
fn resolve_arn(state: &State, input: &Input, v: &mut Validator) -> ApiResult<String> {
    let arn = input.str("resourceArn")?;
    v.required("resourceArn", &arn);
    if let Some(a) = &arn {
        v.len("resourceArn", a, ARN_MIN, ARN_MAX);
    }
    let arn = arn.unwrap_or_default();
    let parsed = arn
        .strip_prefix("arn:aws:ecr-public::")
        .and_then(|rest| rest.split_once(":repository/"));
    match parsed {
        Some((account, name)) if !name.is_empty() => {
            if account != state.registry.id || !state.repos.contains_key(name) {
                return Err(ApiError::repo_not_found(name, account));
            }
            Ok(name.to_string())
        }
        _ if !v.is_empty() => Ok(String::new()),
        _ => Err(ApiError::invalid(format!(
            "Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN {arn}'"
        ))),
    }
}

pub fn list_tags_for_resource(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = resolve_arn(state, input, &mut v)?;
    v.finish()?;
    Ok(json!({ "tags": tags_json(&state.repo(&name)?.tags) }))
}

pub fn tag_resource(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let tags = parse_tags(input, "tags", &mut v)?;
    v.required("tags", &tags);
    let name = resolve_arn(state, input, &mut v)?;
    v.finish()?;
    let repo = state.repo_mut(&name)?;
    repo.tags = merge(&repo.tags, tags.unwrap_or_default())?;
    Ok(json!({}))
}

pub fn untag_resource(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let keys = input.str_list("tagKeys")?;
    v.required("tagKeys", &keys);
    let mut tv = Validator::new();
    if let Some(keys) = &keys {
        v.count("tagKeys", keys.len(), 0, TAG_KEY_LIST_MAX);
        for (i, k) in keys.iter().enumerate() {
            tv.len(
                &format!("tagKeys.{}.member", i + 1),
                k,
                TAG_KEY_MIN,
                TAG_KEY_MAX,
            );
        }
    }
    let name = resolve_arn(state, input, &mut v)?;
    v.finish()?;
    tv.finish_as("InvalidTagParameterException")?;
    let keys = keys.unwrap_or_default();
    check_reserved(keys.iter())?;
    state
        .repo_mut(&name)?
        .tags
        .retain(|(k, _)| !keys.contains(k));
    Ok(json!({}))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(n: usize) -> Vec<(String, String)> {
        (0..n).map(|i| (format!("k{i}"), format!("v{i}"))).collect()
    }

    #[test]
    fn merge_overwrites_and_limits() {
        let merged = merge(
            &tags(2),
            vec![("k1".into(), "new".into()), ("x".into(), "".into())],
        )
        .unwrap();
        assert_eq!(
            merged,
            vec![
                ("k0".into(), "v0".into()),
                ("k1".into(), "new".into()),
                ("x".into(), "".into())
            ]
        );
        assert!(merge(&tags(50), tags(50)).is_ok());
        assert_eq!(
            merge(&tags(50), vec![("y".into(), "".into())])
                .unwrap_err()
                .code,
            "TooManyTagsException"
        );
    }

    #[test]
    fn a_tag_without_a_value_is_kept_with_an_empty_one() {
        let mut v = Validator::new();
        let input = Input::parse(br#"{"tags": [{"Key": "onlykey"}, {"Key": "n", "Value": null}]}"#)
            .unwrap();
        let tags = parse_tags(&input, "tags", &mut v).unwrap().unwrap();
        assert_eq!(
            tags,
            vec![
                ("onlykey".into(), String::new()),
                ("n".into(), String::new())
            ]
        );
        assert!(v.is_empty());
        let input = Input::parse(br#"{"tags": [{"Value": "x"}]}"#).unwrap();
        let e = parse_tags(&input, "tags", &mut v).unwrap_err();
        assert!(
            e.message.contains("Value null at 'tags.1.member.Key'"),
            "{}",
            e.message
        );
    }

    #[test]
    fn reserved_and_overlong_keys_are_tag_parameter_errors() {
        let mut v = Validator::new();
        let input = Input::parse(br#"{"tags": [{"Key": "aws:x", "Value": "1"}]}"#).unwrap();
        assert_eq!(
            parse_tags(&input, "tags", &mut v).unwrap_err().code,
            "InvalidTagParameterException"
        );
        let body = format!(
            r#"{{"tags": [{{"Key": "{}", "Value": "1"}}]}}"#,
            "k".repeat(129)
        );
        let input = Input::parse(body.as_bytes()).unwrap();
        let e = parse_tags(&input, "tags", &mut v).unwrap_err();
        assert_eq!(e.code, "InvalidTagParameterException");
        assert!(e.message.contains("'tags.1.member.Key'") && e.message.contains("128"));
    }
}
