//! Repository policies: Get/Set/DeleteRepositoryPolicy.
//!
//! `force`: without it, SetRepositoryPolicy refuses a policy that would lock the caller out of
//! changing the policy again: an unconditional Deny to every principal ("*") whose actions cover
//! ecr-public:SetRepositoryPolicy (directly, by wildcard, or via NotAction that leaves it in).

use serde_json::{Value, json};

use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::limits::*;
use super::state::State;
use super::validate::Validator;

const SET_POLICY_ACTION: &str = "ecr-public:setrepositorypolicy";

fn repo_args(state: &State, input: &Input, v: &mut Validator) -> ApiResult<String> {
    let name = input.str("repositoryName")?;
    let registry_id = input.str("registryId")?;
    v.required("repositoryName", &name);
    if let Some(n) = &name {
        v.repository_name("repositoryName", n);
    }
    if let Some(id) = &registry_id {
        v.registry_id("registryId", id);
    }
    let name = name.unwrap_or_default();
    if v.is_empty() {
        state.check_registry_id(registry_id.as_deref(), &name)?;
    }
    Ok(name)
}

fn not_found(state: &State, name: &str) -> ApiError {
    ApiError::new(
        "RepositoryPolicyNotFoundException",
        format!(
            "Repository policy does not exist for the repository with name '{name}' in the registry with id '{}'",
            state.registry.id
        ),
    )
}

fn answer(state: &State, name: &str, policy: &str) -> Value {
    json!({ "registryId": state.registry.id, "repositoryName": name, "policyText": policy })
}

pub fn get_repository_policy(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(state, input, &mut v)?;
    v.finish()?;
    let policy = state
        .repo(&name)?
        .policy
        .clone()
        .ok_or_else(|| not_found(state, &name))?;
    Ok(answer(state, &name, &policy))
}

pub fn delete_repository_policy(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(state, input, &mut v)?;
    v.finish()?;
    let policy = state
        .repo_mut(&name)?
        .policy
        .take()
        .ok_or_else(|| not_found(state, &name))?;
    Ok(answer(state, &name, &policy))
}

pub fn set_repository_policy(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(state, input, &mut v)?;
    let text = input.str("policyText")?;
    let force = input.bool("force")?.unwrap_or(false);
    v.required("policyText", &text);
    if let Some(t) = &text {
        v.len("policyText", t, POLICY_MIN, POLICY_MAX);
    }
    v.finish()?;
    let text = text.unwrap_or_default();
    state.repo(&name)?;
    let doc = check_policy(&text)?;
    if !force && locks_out_caller(&doc) {
        return Err(ApiError::invalid(
            "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'The policy denies every principal \
             ecr-public:SetRepositoryPolicy, so it could never be changed again; set force to true to apply it anyway'",
        ));
    }
    state.repo_mut(&name)?.policy = Some(text.clone());
    Ok(answer(state, &name, &text))
}

fn invalid_policy(why: &str) -> ApiError {
    ApiError::invalid(format!(
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided: {why}'"
    ))
}

/// Checks the policy is a JSON object with statements that each have an Effect and actions.
pub fn check_policy(text: &str) -> ApiResult<Value> {
    let doc: Value =
        serde_json::from_str(text).map_err(|e| invalid_policy(&format!("not valid JSON ({e})")))?;
    let statements = statements(&doc).ok_or_else(|| invalid_policy("missing Statement"))?;
    if statements.is_empty() {
        return Err(invalid_policy("Statement is empty"));
    }
    for s in statements {
        match s.get("Effect").and_then(Value::as_str) {
            Some("Allow" | "Deny") => {}
            _ => return Err(invalid_policy("each statement needs Effect Allow or Deny")),
        }
        if s.get("Action").is_none() && s.get("NotAction").is_none() {
            return Err(invalid_policy("each statement needs Action or NotAction"));
        }
        if s.get("Principal").is_none() && s.get("NotPrincipal").is_none() {
            return Err(invalid_policy("each statement needs a Principal"));
        }
    }
    Ok(doc)
}

fn statements(doc: &Value) -> Option<Vec<&Value>> {
    match doc.as_object()?.get("Statement")? {
        Value::Array(items) if items.iter().all(Value::is_object) => Some(items.iter().collect()),
        s @ Value::Object(_) => Some(vec![s]),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.to_ascii_lowercase()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_ascii_lowercase)
            .collect(),
        _ => Vec::new(),
    }
}

/// IAM-style wildcard match (`*` any run, `?` one character), already lowercased.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => {
            pattern.len() == text.len()
                && pattern
                    .chars()
                    .zip(text.chars())
                    .all(|(p, t)| p == '?' || p == t)
        }
        Some((head, rest)) => {
            text.len() >= head.len()
                && glob(head, &text[..head.len()])
                && (head.len()..=text.len()).any(|i| glob(rest, &text[i..]))
        }
    }
}

fn everyone(principal: Option<&Value>) -> bool {
    match principal {
        Some(Value::String(s)) => s == "*",
        Some(Value::Object(m)) => m
            .get("AWS")
            .is_some_and(|aws| strings(Some(aws)).iter().any(|p| p == "*")),
        _ => false,
    }
}

pub fn locks_out_caller(doc: &Value) -> bool {
    statements(doc).unwrap_or_default().into_iter().any(|s| {
        let denies = s.get("Effect").and_then(Value::as_str) == Some("Deny");
        let covers = if s.get("Action").is_some() {
            strings(s.get("Action"))
                .iter()
                .any(|a| glob(a, SET_POLICY_ACTION))
        } else {
            !strings(s.get("NotAction"))
                .iter()
                .any(|a| glob(a, SET_POLICY_ACTION))
        };
        denies && covers && everyone(s.get("Principal")) && s.get("Condition").is_none()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(effect: &str, principal: &str, action: &str) -> Value {
        serde_json::from_str(&format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"{effect}","Principal":{principal},"Action":{action}}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn lockout_rule() {
        assert!(locks_out_caller(&doc(
            "Deny",
            r#""*""#,
            r#""ecr-public:*""#
        )));
        assert!(locks_out_caller(&doc(
            "Deny",
            r#"{"AWS":"*"}"#,
            r#"["ecr-public:SetRepositoryPolicy"]"#
        )));
        assert!(locks_out_caller(&doc(
            "Deny",
            r#""*""#,
            r#""ecr-public:Set*""#
        )));
        assert!(locks_out_caller(&doc("Deny", r#""*""#, r#""*""#)));
        assert!(!locks_out_caller(&doc(
            "Allow",
            r#""*""#,
            r#""ecr-public:*""#
        )));
        assert!(!locks_out_caller(&doc(
            "Deny",
            r#""*""#,
            r#""ecr-public:PutImage""#
        )));
        assert!(!locks_out_caller(&doc(
            "Deny",
            r#"{"AWS":"arn:aws:iam::1:root"}"#,
            r#""ecr-public:*""#
        )));
    }

    #[test]
    fn invalid_policies_are_refused() {
        assert!(check_policy("{not json").is_err());
        assert!(check_policy("[]").is_err());
        assert!(
            check_policy(r#"{"Statement":[{"Effect":"Maybe","Principal":"*","Action":"x"}]}"#)
                .is_err()
        );
        assert!(
            check_policy(
                r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"ecr-public:*"}}"#
            )
            .is_ok()
        );
    }
}
