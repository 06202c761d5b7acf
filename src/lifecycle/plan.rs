//! What an evaluation decides: per image keep or expire, the rule that decided and why, the order
//! to delete in, and the totals. Reasons are small values rendered on demand, so a plan for
//! 100,000 images holds no 100,000 strings.

use std::collections::HashMap;

use crate::aws::ImageRow;

/// The platform manifests of each multi-arch index, as read from the index manifests, and the
/// indexes that could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Topology {
    pub children: HashMap<Box<str>, Vec<Box<str>>>,
    /// Index digest → why its manifests are unknown.
    pub unknown: HashMap<Box<str>, String>,
}

impl Topology {
    pub fn add(&mut self, index: &str, children: Vec<Box<str>>) {
        self.children.insert(index.into(), children);
    }

    pub fn mark_unknown(&mut self, index: &str, why: impl Into<String>) {
        self.unknown.insert(index.into(), why.into());
    }
}

/// Why an image is kept or expired. Positions (`usize`) are indices into the evaluated rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// No rule's tag selection matches it.
    NotSelected,
    /// Selected by `rule` (the first that matches it), which keeps it.
    KeptBy { rule: u32 },
    /// `rule` would expire it, but the higher-priority rule `by` selects it.
    ShieldedBy { rule: u32, by: u32 },
    /// Beyond the newest `keep` of the `selected` images `rule` selects; `rank` is 1 = newest.
    Count { rule: u32, keep: u32, rank: usize },
    /// Pushed `age_days` days before now, more than `days`.
    Age { rule: u32, days: u32, age_days: i64 },
    /// A platform manifest of the index at this position, which stays.
    ChildOfStaying { index: usize },
    /// A platform manifest of the index at this position, which expires, and nothing that
    /// stays references it.
    WithIndex { index: usize },
    /// Untagged and not an index while some index's manifests could not be read: it may be a
    /// platform manifest of that index (`index` is one such).
    TopologyUnknown { index: usize, unknown: usize },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub expire: bool,
    /// The `rulePriority` that decided (for `WithIndex`, the rule that expired the index).
    pub rule: Option<u32>,
    pub reason: Reason,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub images: usize,
    pub tags: usize,
    /// Sum of `imageSizeInBytes` of the non-index images that expire: an index's own size
    /// repeats its largest platform manifest's, so counting it would count bytes twice.
    pub bytes: i64,
}

/// The outcome of evaluating a policy over a repository's images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// One per input row, in the input's order.
    pub decisions: Vec<Decision>,
    /// Positions of the images to delete, in phases: the images of one phase can go at once
    /// (concurrently); every index comes in a phase before the images (and nested indexes) it
    /// references; the last phase holds every image that is not an index.
    pub phases: Vec<Vec<usize>>,
    /// Positions kept for multi-arch safety that the policy alone would have expired.
    pub kept_for_multiarch: Vec<usize>,
    pub totals: Totals,
}

impl Plan {
    /// Every image to delete, in the order of the phases.
    pub fn apply_order(&self) -> impl Iterator<Item = usize> + '_ {
        self.phases.iter().flatten().copied()
    }

    /// The reason of row `i` in words; `rows` are the rows the plan was computed from. For an
    /// expiring image it reads after its rule (`rulePriority 2: pushed 15 days ago, ...`).
    pub fn reason_text(&self, i: usize, rows: &[ImageRow]) -> String {
        let digest = |p: usize| rows.get(p).map_or("?", |r| &*r.image_digest).to_string();
        match self.decisions[i].reason {
            Reason::NotSelected => "no rule selects it".into(),
            Reason::KeptBy { rule } => format!("selected by rulePriority {rule}, which keeps it"),
            Reason::ShieldedBy { rule, by } => format!(
                "rulePriority {rule} would expire it, but it matches the selection of \
                 rulePriority {by}, which comes first"
            ),
            Reason::Count { keep, rank, .. } => format!(
                "keeps the newest {keep} of the images it selects; this is number {rank} by push \
                 time"
            ),
            Reason::Age { days, age_days, .. } => {
                format!(
                    "pushed {age_days} days ago, more than {days} day{}",
                    if days == 1 { "" } else { "s" }
                )
            }
            Reason::ChildOfStaying { index } => {
                format!("platform manifest of {} which stays", digest(index))
            }
            Reason::WithIndex { index } => format!(
                "platform manifest of {}, which expires; nothing that stays references it",
                digest(index)
            ),
            Reason::TopologyUnknown { index, unknown } => format!(
                "kept: untagged and possibly a platform manifest of {} ({unknown} index(es) \
                 whose manifests could not be read)",
                digest(index)
            ),
        }
    }
}
