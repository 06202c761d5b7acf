//! Which images a rule's tag selection matches: prefixes, and patterns where `*` stands for any
//! run of characters (possibly empty). A list selects an image only when every entry matches at
//! least one of its tags (the entries may match different tags).

use super::policy::{Rule, TagFilter, TagStatus};

/// ECR's limit of wildcards per pattern.
pub const MAX_WILDCARDS: usize = 4;

/// A tag pattern split at its wildcards: `prod*-v*` is ["prod", "-v", ""].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    source: String,
    parts: Vec<String>,
}

impl Pattern {
    /// `None` when the pattern has more wildcards than ECR allows.
    pub fn new(source: &str) -> Option<Self> {
        let parts: Vec<String> = source.split('*').map(str::to_string).collect();
        (parts.len() - 1 <= MAX_WILDCARDS).then(|| Pattern {
            source: source.to_string(),
            parts,
        })
    }

    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whole-tag match. Greedy leftmost placement of each middle part is exact for `*`-only
    /// globs: taking the earliest occurrence never leaves less room for the parts after it.
    pub fn matches(&self, tag: &str) -> bool {
        let (first, rest) = self
            .parts
            .split_first()
            .expect("split yields one part at least");
        let Some(mut tail) = tag.strip_prefix(first.as_str()) else {
            return false;
        };
        let Some((last, middle)) = rest.split_last() else {
            return tail.is_empty();
        };
        for part in middle {
            match tail.find(part.as_str()) {
                Some(at) => tail = &tail[at + part.len()..],
                None => return false,
            }
        }
        tail.ends_with(last.as_str())
    }
}

/// Whether `rule` selects an image with these tags (its tag selection only, not its count).
pub fn selects(rule: &Rule, tags: &[Box<str>]) -> bool {
    match rule.tag_status {
        TagStatus::Any => true,
        TagStatus::Untagged => tags.is_empty(),
        TagStatus::Tagged => {
            !tags.is_empty()
                && match &rule.filter {
                    TagFilter::None => true,
                    TagFilter::Prefixes(p) => p
                        .iter()
                        .all(|p| tags.iter().any(|t| t.starts_with(p.as_str()))),
                    TagFilter::Patterns(p) => p.iter().all(|p| tags.iter().any(|t| p.matches(t))),
                }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, t: &str) -> bool {
        Pattern::new(p).unwrap().matches(t)
    }

    #[test]
    fn wildcards_match_any_run() {
        assert!(m("prod*", "prod"));
        assert!(m("prod*", "prod1"));
        assert!(!m("prod*", "xprod"));
        assert!(m("*test*1*2*3", "mytest-1-2-3"));
        assert!(m("test*1*2*3*", "test123"));
        assert!(!m("test*1*2*3*", "test13"));
        assert!(m("*", ""));
        assert!(m("a*a", "aa"));
        assert!(!m("a*a", "a"));
        assert!(m("v*.*.*", "v1.2.3"));
        assert!(!m("latest", "latest2"));
        assert!(m("latest", "latest"));
        assert!(m("**", "x"));
    }

    #[test]
    fn at_most_four_wildcards() {
        // The user guide's own examples.
        assert!(Pattern::new("*test*1*2*3").is_some());
        assert!(Pattern::new("test*1*2*3*").is_some());
        assert!(Pattern::new("test*1*2*3*4*5*6").is_none());
    }
}
