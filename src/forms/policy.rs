//! Repository policies (SetRepositoryPolicy / DeleteRepositoryPolicy): a JSON editor checked
//! locally, templates to start from, a unified diff of old → new for the confirm step, and a
//! warning when a statement lets anyone write.

use ratatui::style::{Color, Style};
use ratatui::text::Line;
use serde_json::Value as Json;

use crate::model::limits::POLICY_MAX;
use crate::model::names::is_registry_id;

use super::checklist::Checklist;
use super::confirm::{Confirm, WRAP, wrap_words};
use super::field::{Check, Field, Value};
use super::{Form, Values};
use crate::fmt::thousands;

/// Check policy text the way the service will: JSON (errors with line and column), a top-level
/// object with Version and Statement, at most 10,240 characters.
pub fn check_policy(text: &str) -> Result<(), String> {
    let n = text.chars().count();
    if n > POLICY_MAX {
        return Err(format!(
            "policy: {} / {} characters",
            thousands(n),
            thousands(POLICY_MAX)
        ));
    }
    let v: Json = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let what = msg
            .rsplit_once(" at line ")
            .map_or(msg.as_str(), |(w, _)| w)
            .to_string();
        format!("line {}, column {}: {what}", e.line(), e.column())
    })?;
    let Json::Object(o) = &v else {
        return Err("the policy must be a JSON object".into());
    };
    for k in ["Version", "Statement"] {
        if !o.contains_key(k) {
            return Err(format!("the policy has no \"{k}\""));
        }
    }
    Ok(())
}

fn policy_check(v: &Value) -> Option<Check> {
    Some(match check_policy(v.as_text()) {
        Ok(()) => Check::ok(format!(
            "valid JSON · {} / {} characters",
            thousands(v.as_text().chars().count()),
            thousands(POLICY_MAX)
        )),
        Err(e) => Check::err(e),
    })
}

/// `e` on a repository's policy: edit the current one (or an empty one).
pub fn policy_form(repo: &str, current: Option<&str>) -> Form {
    policy_form_from(repo, current, current.unwrap_or(""))
}

/// The policy form starting from `text` (a template or a draft) rather than the current policy;
/// unchanged is still measured against `current`, so esc asks before dropping the template.
pub fn policy_form_from(repo: &str, current: Option<&str>, text: &str) -> Form {
    let mut f = Form::new(
        format!("Policy · {repo}"),
        vec![
            Field::multi("policyText", "Policy (JSON)", current.unwrap_or(""), false)
                .validated(policy_check),
        ],
    );
    f.set_text(0, text);
    f
}

/// The text to send (call on a valid form).
pub fn policy_request(values: &Values) -> String {
    values
        .get("policyText")
        .map(|v| v.as_text().to_string())
        .unwrap_or_default()
}

/// Starting points for a new policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    PublicPullOnly,
    PushFromAccount,
}

pub const TEMPLATES: [(Template, &str); 2] = [
    (Template::PublicPullOnly, "Public pull only"),
    (Template::PushFromAccount, "Pushes from one account"),
];

fn account_check(v: &Value) -> Option<Check> {
    let s = v.as_text().trim();
    if s.is_empty() || is_registry_id(s) {
        None
    } else {
        Some(Check::err("account id: twelve digits"))
    }
}

/// Pick a template (and the account id it needs).
pub fn template_form() -> Form {
    let names: Vec<&str> = TEMPLATES.iter().map(|t| t.1).collect();
    Form::new(
        "Start from a template",
        vec![
            Field::checklist("template", "Template", Checklist::radio(&names, 0)),
            Field::line("accountId", "Account id (for pushes from one account)", "")
                .validated(account_check),
        ],
    )
}

/// The policy text of a saved template form, or (field key, message) for `Form::field_failed`.
pub fn template_policy(values: &Values) -> Result<String, (&'static str, String)> {
    let chosen = values
        .get("template")
        .and_then(|v| v.as_list().first().cloned())
        .unwrap_or_default();
    let t = TEMPLATES
        .iter()
        .find(|t| t.1 == chosen)
        .map_or(Template::PublicPullOnly, |t| t.0);
    let account = values
        .get("accountId")
        .map(|v| v.as_text().trim().to_string())
        .unwrap_or_default();
    // Written out rather than built with `json!`, whose maps sort their keys: a policy reads
    // Version before Statement, and Sid, Effect, Principal, Action in that order.
    let text = match t {
        Template::PublicPullOnly => r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PublicPull",
      "Effect": "Allow",
      "Principal": "*",
      "Action": [
        "ecr-public:BatchGetImage",
        "ecr-public:GetDownloadUrlForLayer",
        "ecr-public:BatchCheckLayerAvailability"
      ]
    }
  ]
}"#
        .to_string(),
        Template::PushFromAccount => {
            if account.is_empty() {
                return Err(("accountId", "this template needs the account id".into()));
            }
            // The form's check allows only twelve digits here: nothing to escape.
            format!(
                r#"{{
  "Version": "2012-10-17",
  "Statement": [
    {{
      "Sid": "AllowPushFromAccount",
      "Effect": "Allow",
      "Principal": {{
        "AWS": "arn:aws:iam::{account}:root"
      }},
      "Action": [
        "ecr-public:BatchCheckLayerAvailability",
        "ecr-public:InitiateLayerUpload",
        "ecr-public:UploadLayerPart",
        "ecr-public:CompleteLayerUpload",
        "ecr-public:PutImage"
      ]
    }}
  ]
}}"#
            )
        }
    };
    Ok(text)
}

/// Valid JSON re-indented as `serde_json`'s pretty printer would, keys in the order written (the
/// service may answer with the policy on one line, the editor holds it indented: a diff of the
/// two should show what changed, not the layout). Anything else is returned as it is.
pub fn pretty_json(text: &str) -> String {
    if serde_json::from_str::<Json>(text).is_err() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                while chars.peek().is_some_and(|c| c.is_whitespace()) {
                    chars.next();
                }
                let close = if c == '{' { '}' } else { ']' };
                out.push(c);
                if chars.peek() == Some(&close) {
                    chars.next();
                    out.push(close);
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// A unified diff of the current policy and the new one, with three lines of context.
pub fn policy_diff(old: Option<&str>, new: &str) -> String {
    let (old, new) = (pretty_json(old.unwrap_or("")), pretty_json(new));
    let (old, new) = (old.as_str(), new.as_str());
    let nl = |s: &str| {
        if s.is_empty() || s.ends_with('\n') {
            s.to_string()
        } else {
            format!("{s}\n")
        }
    };
    let (o, n) = (nl(old), nl(new));
    similar::TextDiff::from_lines(&o, &n)
        .unified_diff()
        .context_radius(3)
        .header("current", "new")
        .to_string()
}

/// Actions that change the registry; a pattern matching any of them is a write.
const WRITE_ACTIONS: [&str; 13] = [
    "PutImage",
    "InitiateLayerUpload",
    "UploadLayerPart",
    "CompleteLayerUpload",
    "BatchDeleteImage",
    "DeleteRepository",
    "DeleteRepositoryPolicy",
    "SetRepositoryPolicy",
    "PutRepositoryCatalogData",
    "PutRegistryCatalogData",
    "CreateRepository",
    "TagResource",
    "UntagResource",
];

/// IAM-style glob (`*`, `?`), case-insensitive as IAM action names are.
fn glob(pattern: &str, s: &str) -> bool {
    let (p, s): (Vec<char>, Vec<char>) = (
        pattern.to_ascii_lowercase().chars().collect(),
        s.to_ascii_lowercase().chars().collect(),
    );
    let (mut pi, mut si, mut star, mut mark) = (0, 0, None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(st) = star {
            pi = st + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn strings(v: Option<&Json>) -> Vec<&str> {
    match v {
        Some(Json::String(s)) => vec![s.as_str()],
        Some(Json::Array(a)) => a.iter().filter_map(Json::as_str).collect(),
        _ => vec![],
    }
}

fn anyone(principal: Option<&Json>) -> bool {
    match principal {
        Some(Json::String(s)) => s == "*",
        Some(Json::Object(o)) => strings(o.get("AWS")).contains(&"*"),
        _ => false,
    }
}

/// One warning per statement that Allows a write action to everyone (Principal "*" or
/// {"AWS": "*"}). Invalid JSON yields none: the JSON check reports that.
pub fn public_write_warnings(text: &str) -> Vec<String> {
    let Ok(v) = serde_json::from_str::<Json>(text) else {
        return vec![];
    };
    let stmts: Vec<&Json> = match v.get("Statement") {
        Some(Json::Array(a)) => a.iter().collect(),
        Some(s @ Json::Object(_)) => vec![s],
        _ => vec![],
    };
    let mut out = Vec::new();
    for (i, s) in stmts.iter().enumerate() {
        if s.get("Effect").and_then(Json::as_str) != Some("Allow") || !anyone(s.get("Principal")) {
            continue;
        }
        let writes: Vec<&str> = strings(s.get("Action"))
            .into_iter()
            .filter(|a| {
                WRITE_ACTIONS
                    .iter()
                    .any(|w| glob(a, &format!("ecr-public:{w}")))
            })
            .collect();
        if !writes.is_empty() {
            let name = s
                .get("Sid")
                .and_then(Json::as_str)
                .map_or(format!("statement {}", i + 1), |sid| format!("\"{sid}\""));
            out.push(format!(
                "{name} lets anyone (Principal \"*\") write: {}",
                writes.join(", ")
            ));
        }
    }
    out
}

/// The confirm step before SetRepositoryPolicy: the diff, coloured, then any public-write
/// warnings. `y` applies (force = false); if the service then asks for force, call
/// `policy_force_confirm`.
pub fn policy_review(repo: &str, old: Option<&str>, new: &str) -> Confirm {
    let mut lines: Vec<Line<'static>> = Vec::new();
    for w in public_write_warnings(new) {
        lines.push(Line::styled(format!("⚠ {w}"), Style::new().fg(Color::Red)));
    }
    if !lines.is_empty() {
        lines.push(Line::default());
    }
    let diff = policy_diff(old, new);
    if diff.is_empty() {
        lines.push(Line::raw("No change."));
    }
    for l in diff.lines() {
        let style = match l.chars().next() {
            Some('+') if !l.starts_with("+++") => Style::new().fg(Color::Green),
            Some('-') if !l.starts_with("---") => Style::new().fg(Color::Red),
            Some('@') => Style::new().fg(Color::Cyan),
            _ => Style::new(),
        };
        lines.push(Line::styled(l.to_string(), style));
    }
    Confirm::new(
        format!("Apply policy · {repo}"),
        lines,
        "apply? y yes · n no · j/k scroll",
    )
}

/// The service refused the policy and said `force` would apply it (SetRepositoryPolicy's force
/// flag): offered only then, with its message.
pub fn policy_force_confirm(repo: &str, message: &str) -> Confirm {
    let mut lines: Vec<Line<'static>> =
        wrap_words(&format!("The service refused: {message}"), WRAP)
            .into_iter()
            .map(Line::raw)
            .collect();
    lines.extend([
        Line::raw("With force the policy is applied anyway; it may lock you out of changing"),
        Line::raw("this repository's policy later."),
    ]);
    Confirm::new(
        format!("Apply policy with force · {repo}"),
        lines,
        "apply with force? y yes · n no",
    )
}

/// `d` on a repository's policy.
pub fn delete_policy_confirm(repo: &str) -> Confirm {
    Confirm::new(
        "Delete policy",
        vec![Line::raw(format!(
            "Remove the repository policy of {repo}? Access falls back to the registry defaults."
        ))],
        "delete? y yes · n no",
    )
}
