//! The lifecycle policy document of private ECR (`{"rules": [...]}`): parsed and validated into
//! typed rules, sorted by `rulePriority`.
//!
//! Validation reports every problem at once, each naming the rule (by its `rulePriority` when it
//! has a usable one, else its position) and the field, so a policy can be fixed in one pass. The
//! checks follow the ECR user guide's property reference; fields ECR has added for its archive
//! storage class (`storageClass`, `transition`, `sinceImagePulled`, ...) are refused by name,
//! since ECR Public has no storage classes and ecrp only expires.

use std::fmt;

use serde_json::{Map, Value};

use super::select::{MAX_WILDCARDS, Pattern};

/// What a rule looks at: images with tags, without, or all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagStatus {
    Tagged,
    Untagged,
    Any,
}

impl TagStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            TagStatus::Tagged => "tagged",
            TagStatus::Untagged => "untagged",
            TagStatus::Any => "any",
        }
    }
}

/// Which tags a `tagged` rule requires: every entry must match some tag of the image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagFilter {
    None,
    Prefixes(Vec<String>),
    Patterns(Vec<Pattern>),
}

/// When a selected image expires.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    /// Keep the newest N (by push time) of the images the rule selects; expire the rest.
    MoreThan(u32),
    /// Expire images pushed more than N days before "now".
    SincePushedDays(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub priority: u32,
    pub description: Option<String>,
    pub tag_status: TagStatus,
    pub filter: TagFilter,
    pub count: Count,
}

impl Rule {
    /// A short account of the selection, for reasons: `tagged [prod*, beta*]`, `untagged`.
    pub fn selection_text(&self) -> String {
        let list = match &self.filter {
            TagFilter::None => return self.tag_status.as_str().to_string(),
            TagFilter::Prefixes(p) => p.iter().map(|p| format!("{p}…")).collect::<Vec<_>>(),
            TagFilter::Patterns(p) => p.iter().map(|p| p.source().to_string()).collect(),
        };
        format!("{} [{}]", self.tag_status.as_str(), list.join(", "))
    }
}

/// A valid policy: rules in evaluation order (ascending `rulePriority`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub rules: Vec<Rule>,
}

/// One problem, located by rule and field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// `rulePriority` of the rule, when it has a valid one.
    pub priority: Option<i64>,
    /// Position of the rule in `rules` (0-based); `None` for document-level problems.
    pub index: Option<usize>,
    /// JSON path of the field inside the rule (`selection.countUnit`), or at the top.
    pub field: String,
    pub message: String,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.priority, self.index) {
            (Some(p), _) => write!(f, "rule with rulePriority {p}: ")?,
            (None, Some(i)) => write!(f, "rules[{i}]: ")?,
            (None, None) => {}
        }
        write!(f, "{}: {}", self.field, self.message)
    }
}

/// The largest `countNumber` and `rulePriority` (the service takes a 32-bit integer).
const MAX_INT: i64 = i32::MAX as i64;
/// A description longer than this is refused (generous: the service's own limit is not stated).
const MAX_DESCRIPTION: usize = 1024;
/// Policy text limit, as private ECR's `lifecyclePolicyText` (30,720 characters).
pub const MAX_POLICY_CHARS: usize = 30_720;

const RULE_FIELDS: &[&str] = &["rulePriority", "description", "selection", "action"];
const SELECTION_FIELDS: &[&str] = &[
    "tagStatus",
    "tagPrefixList",
    "tagPatternList",
    "countType",
    "countUnit",
    "countNumber",
];
/// Fields of newer private-ECR policies that have no meaning without storage classes.
const ARCHIVE_FIELDS: &[&str] = &["storageClass", "targetStorageClass"];

struct Ctx {
    priority: Option<i64>,
    index: usize,
    errors: Vec<PolicyError>,
}

impl Ctx {
    fn err(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(PolicyError {
            priority: self.priority,
            index: Some(self.index),
            field: field.to_string(),
            message: message.into(),
        });
    }
}

fn top(field: &str, message: impl Into<String>) -> PolicyError {
    PolicyError {
        priority: None,
        index: None,
        field: field.to_string(),
        message: message.into(),
    }
}

/// Parse and validate a policy document.
pub fn parse(text: &str) -> Result<Policy, Vec<PolicyError>> {
    if text.chars().count() > MAX_POLICY_CHARS {
        return Err(vec![top(
            "policy",
            format!("longer than {MAX_POLICY_CHARS} characters"),
        )]);
    }
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| vec![top("policy", format!("not valid JSON: {e}"))])?;
    let Some(obj) = doc.as_object() else {
        return Err(vec![top("policy", "must be a JSON object with \"rules\"")]);
    };
    let mut errors = Vec::new();
    for k in obj.keys().filter(|k| *k != "rules") {
        errors.push(top(k, "unknown field (a policy has only \"rules\")"));
    }
    let rules = match obj.get("rules") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        Some(Value::Array(_)) => return Err(vec![top("rules", "must hold at least one rule")]),
        Some(_) => return Err(vec![top("rules", "must be an array of rules")]),
        None => return Err(vec![top("rules", "required")]),
    };
    let mut parsed = Vec::new();
    for (index, r) in rules.iter().enumerate() {
        let mut ctx = Ctx {
            priority: None,
            index,
            errors: Vec::new(),
        };
        if let Some(rule) = parse_rule(r, &mut ctx) {
            parsed.push(rule);
        }
        errors.append(&mut ctx.errors);
    }
    check_across(&parsed, &mut errors);
    if errors.is_empty() {
        parsed.sort_by_key(|r| r.priority);
        Ok(Policy { rules: parsed })
    } else {
        Err(errors)
    }
}

/// Rules in relation to each other: unique priorities, `any` last, one `untagged` rule.
fn check_across(rules: &[Rule], errors: &mut Vec<PolicyError>) {
    let mut seen = std::collections::BTreeMap::new();
    for r in rules {
        *seen.entry(r.priority).or_insert(0usize) += 1;
    }
    for (p, n) in &seen {
        if *n > 1 {
            errors.push(PolicyError {
                priority: Some(*p as i64),
                index: None,
                field: "rulePriority".into(),
                message: format!("{n} rules share this value; each rule needs a unique one"),
            });
        }
    }
    let highest = rules.iter().map(|r| r.priority).max();
    for r in rules.iter().filter(|r| r.tag_status == TagStatus::Any) {
        if Some(r.priority) != highest || seen.get(&r.priority) != Some(&1) {
            errors.push(PolicyError {
                priority: Some(r.priority as i64),
                index: None,
                field: "selection.tagStatus".into(),
                message: "a rule with tagStatus \"any\" must have the highest rulePriority \
                          (it is evaluated last)"
                    .into(),
            });
        }
    }
    // ECR's evaluation rules ask for a unique set of tag prefixes: two rules over the same tags
    // would make the second one a silent no-op.
    let mut lists: std::collections::BTreeMap<Vec<String>, u32> = std::collections::BTreeMap::new();
    let mut by_priority: Vec<&Rule> = rules.iter().collect();
    by_priority.sort_by_key(|r| r.priority);
    for r in by_priority {
        let mut key: Vec<String> = match &r.filter {
            TagFilter::None => continue,
            TagFilter::Prefixes(p) => p.iter().map(|p| format!("prefix:{p}")).collect(),
            TagFilter::Patterns(p) => p
                .iter()
                .map(|p| format!("pattern:{}", p.source()))
                .collect(),
        };
        key.sort();
        key.dedup();
        if let Some(first) = lists.get(&key) {
            errors.push(PolicyError {
                priority: Some(r.priority as i64),
                index: None,
                field: "selection".into(),
                message: format!(
                    "selects the same tags as rulePriority {first}; each rule needs its own set"
                ),
            });
        } else {
            lists.insert(key, r.priority);
        }
    }
    let untagged: Vec<u32> = rules
        .iter()
        .filter(|r| r.tag_status == TagStatus::Untagged)
        .map(|r| r.priority)
        .collect();
    if untagged.len() > 1 {
        errors.push(PolicyError {
            priority: untagged.get(1).map(|p| *p as i64),
            index: None,
            field: "selection.tagStatus".into(),
            message: format!(
                "only one rule may select untagged images; rulePriority {} does already",
                untagged[0]
            ),
        });
    }
}

fn parse_rule(v: &Value, ctx: &mut Ctx) -> Option<Rule> {
    let Some(obj) = v.as_object() else {
        ctx.err("rule", "must be an object");
        return None;
    };
    let priority = match obj.get("rulePriority") {
        Some(p) => match p.as_i64() {
            Some(n) if (1..=MAX_INT).contains(&n) => {
                ctx.priority = Some(n);
                Some(n as u32)
            }
            _ => {
                ctx.err(
                    "rulePriority",
                    format!("must be a whole number from 1 to {MAX_INT}, got {p}"),
                );
                None
            }
        },
        None => {
            ctx.err("rulePriority", "required");
            None
        }
    };
    unknown_fields(obj, RULE_FIELDS, "", ctx);
    let description = match obj.get("description") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= MAX_DESCRIPTION => Some(s.clone()),
        Some(Value::String(_)) => {
            ctx.err(
                "description",
                format!("longer than {MAX_DESCRIPTION} characters"),
            );
            None
        }
        Some(_) => {
            ctx.err("description", "must be a string");
            None
        }
    };
    check_action(obj.get("action"), ctx);
    let selection = match obj.get("selection") {
        Some(Value::Object(s)) => parse_selection(s, ctx),
        Some(_) => {
            ctx.err("selection", "must be an object");
            None
        }
        None => {
            ctx.err("selection", "required");
            None
        }
    };
    let (tag_status, filter, count) = selection?;
    Some(Rule {
        priority: priority?,
        description,
        tag_status,
        filter,
        count,
    })
}

fn unknown_fields(obj: &Map<String, Value>, known: &[&str], path: &str, ctx: &mut Ctx) {
    for k in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        let field = format!("{path}{k}");
        if ARCHIVE_FIELDS.contains(&k.as_str()) {
            ctx.err(
                &field,
                "storage classes do not exist in ECR Public; only expire rules apply",
            );
        } else {
            ctx.err(&field, "unknown field");
        }
    }
}

fn check_action(v: Option<&Value>, ctx: &mut Ctx) {
    let Some(v) = v else {
        ctx.err("action", "required ({\"type\": \"expire\"})");
        return;
    };
    let Some(obj) = v.as_object() else {
        ctx.err("action", "must be an object ({\"type\": \"expire\"})");
        return;
    };
    unknown_fields(obj, &["type"], "action.", ctx);
    match obj.get("type").and_then(Value::as_str) {
        Some("expire") => {}
        Some(other) => ctx.err(
            "action.type",
            format!("\"{other}\" is not supported: the only action is \"expire\""),
        ),
        None => ctx.err("action.type", "required (\"expire\")"),
    }
}

type Selection = (TagStatus, TagFilter, Count);

fn parse_selection(s: &Map<String, Value>, ctx: &mut Ctx) -> Option<Selection> {
    unknown_fields(s, SELECTION_FIELDS, "selection.", ctx);
    let status = match s.get("tagStatus").and_then(Value::as_str) {
        Some("tagged") => Some(TagStatus::Tagged),
        Some("untagged") => Some(TagStatus::Untagged),
        Some("any") => Some(TagStatus::Any),
        Some(other) => {
            ctx.err(
                "selection.tagStatus",
                format!("\"{other}\" is not one of tagged, untagged, any"),
            );
            None
        }
        None => {
            ctx.err("selection.tagStatus", "required (tagged, untagged or any)");
            None
        }
    };
    let prefixes = string_list(s, "tagPrefixList", ctx);
    let patterns = string_list(s, "tagPatternList", ctx);
    let filter = match (status, prefixes, patterns) {
        (_, Err(()), _) | (_, _, Err(())) | (None, _, _) => None,
        (Some(_), Ok(Some(_)), Ok(Some(_))) => {
            ctx.err(
                "selection.tagPatternList",
                "give tagPrefixList or tagPatternList, not both",
            );
            None
        }
        (Some(TagStatus::Tagged), Ok(None), Ok(None)) => {
            ctx.err(
                "selection.tagPrefixList",
                "required when tagStatus is tagged (or give tagPatternList)",
            );
            None
        }
        (Some(TagStatus::Tagged), Ok(Some(p)), Ok(None)) => Some(TagFilter::Prefixes(p)),
        (Some(TagStatus::Tagged), Ok(None), Ok(Some(p))) => {
            let mut out = Vec::new();
            for (i, src) in p.iter().enumerate() {
                match Pattern::new(src) {
                    Some(pat) => out.push(pat),
                    None => ctx.err(
                        &format!("selection.tagPatternList[{i}]"),
                        format!(
                            "\"{src}\" has more than {MAX_WILDCARDS} wildcards (*); at most \
                             {MAX_WILDCARDS} per pattern"
                        ),
                    ),
                }
            }
            (out.len() == p.len()).then_some(TagFilter::Patterns(out))
        }
        (Some(st), Ok(pre), Ok(pat)) => {
            let field = if pre.is_some() {
                "selection.tagPrefixList"
            } else {
                "selection.tagPatternList"
            };
            if pre.is_some() || pat.is_some() {
                ctx.err(
                    field,
                    format!("must be omitted when tagStatus is {}", st.as_str()),
                );
                None
            } else {
                Some(TagFilter::None)
            }
        }
    };
    let count = parse_count(s, ctx);
    Some((status?, filter?, count?))
}

/// `Ok(None)` when absent; `Err` (already reported) when malformed.
fn string_list(
    s: &Map<String, Value>,
    key: &str,
    ctx: &mut Ctx,
) -> Result<Option<Vec<String>>, ()> {
    let field = format!("selection.{key}");
    let Some(v) = s.get(key) else {
        return Ok(None);
    };
    let Some(items) = v.as_array() else {
        ctx.err(&field, "must be a list of strings");
        return Err(());
    };
    if items.is_empty() {
        ctx.err(&field, "must hold at least one entry (or be omitted)");
        return Err(());
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item.as_str() {
            Some(t) if !t.is_empty() && t.len() <= 128 => out.push(t.to_string()),
            Some("") => {
                ctx.err(&format!("{field}[{i}]"), "must not be empty");
                return Err(());
            }
            Some(_) => {
                ctx.err(
                    &format!("{field}[{i}]"),
                    "longer than 128 characters (the longest tag)",
                );
                return Err(());
            }
            None => {
                ctx.err(&format!("{field}[{i}]"), "must be a string");
                return Err(());
            }
        }
    }
    Ok(Some(out))
}

fn parse_count(s: &Map<String, Value>, ctx: &mut Ctx) -> Option<Count> {
    let number = match s.get("countNumber") {
        Some(v) => match v.as_i64() {
            Some(n) if (1..=MAX_INT).contains(&n) => Some(n as u32),
            _ => {
                ctx.err(
                    "selection.countNumber",
                    format!("must be a whole number from 1 to {MAX_INT}, got {v}"),
                );
                None
            }
        },
        None => {
            ctx.err("selection.countNumber", "required (a whole number > 0)");
            None
        }
    };
    let unit = s.get("countUnit");
    match s.get("countType").and_then(Value::as_str) {
        Some("imageCountMoreThan") => {
            if unit.is_some() {
                ctx.err(
                    "selection.countUnit",
                    "must be omitted when countType is imageCountMoreThan",
                );
                return None;
            }
            number.map(Count::MoreThan)
        }
        Some("sinceImagePushed") => match unit.map(|u| u.as_str()) {
            Some(Some("days")) => number.map(Count::SincePushedDays),
            Some(_) => {
                ctx.err("selection.countUnit", "must be \"days\" (the only unit)");
                None
            }
            None => {
                ctx.err(
                    "selection.countUnit",
                    "required (\"days\") when countType is sinceImagePushed",
                );
                None
            }
        },
        Some(other @ ("sinceImagePulled" | "sinceImageTransitioned")) => {
            ctx.err(
                "selection.countType",
                format!(
                    "\"{other}\" is not available: ECR Public reports no pull or transition \
                     times (use imageCountMoreThan or sinceImagePushed)"
                ),
            );
            None
        }
        Some(other) => {
            ctx.err(
                "selection.countType",
                format!("\"{other}\" is not one of imageCountMoreThan, sinceImagePushed"),
            );
            None
        }
        None => {
            ctx.err(
                "selection.countType",
                "required (imageCountMoreThan or sinceImagePushed)",
            );
            None
        }
    }
}

#[cfg(test)]
#[path = "policy_tests.rs"]
mod tests;
