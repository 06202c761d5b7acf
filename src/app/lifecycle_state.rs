//! The lifecycle view's data: the plan computed in a task, the preview's filter and cursor, the
//! last apply's journal and the restore report. Pure data and the computations on it; the feature
//! (opening, keys, answers) is `app::lifecycle`, the tasks `app::effects::lifecycle`.

use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::platforms::Parent;
use crate::aws::ImageRow;
use crate::lifecycle::{Manifest, Plan, Policy, Topology};
use crate::prune::restore::RestoreReport;

/// A plan and everything it was computed from; shared (`Arc`) between the view and the apply task.
#[derive(Debug, PartialEq)]
pub struct Planned {
    pub rows: Vec<ImageRow>,
    pub plan: Plan,
    pub topology: Topology,
    /// The index manifests read for the topology, reused by the journal.
    pub manifests: HashMap<Box<str>, Manifest>,
    /// Why the registry API could not be read at all (then every index's manifests are unknown).
    pub registry_note: Option<String>,
    /// Indexes whose manifests could not be read.
    pub unknown: usize,
    /// Platform manifest digest → the index that lists it (with the platform the index names),
    /// so the preview marks it as the images pane does (`↳ arm64 of v1.4.2`).
    pub parents: HashMap<Box<str>, Parent>,
}

/// Answers of the lifecycle tasks.
#[derive(Debug, Clone, PartialEq)]
pub enum LifecycleMsg {
    Planned {
        generation: u64,
        result: Result<Arc<Planned>, String>,
    },
    /// The journal was written (its path) before any deletion, or why nothing was deleted.
    Journal(Result<PathBuf, String>),
    Restored(Result<RestoreReport, String>),
    /// `:lifecycle load PATH` or a `policy_file` from the config: the text, or why not.
    Loaded {
        path: String,
        result: Result<String, String>,
    },
    /// The policy was kept in the config file (its path), or why not.
    Saved(Result<PathBuf, String>),
}

/// Work for the lifecycle tasks.
#[derive(Debug, Clone)]
pub enum LifecycleEffect {
    /// List every image, read the indexes through the registry API, evaluate.
    Plan {
        generation: u64,
        repo: Box<str>,
        registry_id: Option<String>,
        registry_url: Option<String>,
        policy: Policy,
        now: i64,
    },
    /// Journal, then delete the plan's phases through the stoppable bulk delete (answering with
    /// `Msg::Deleted` per chunk and `Msg::DeleteEnded`, as the images pane's delete does).
    Apply {
        repo: Box<str>,
        registry_id: Option<String>,
        registry_url: Option<String>,
        journal_dir: Option<PathBuf>,
        planned: Arc<Planned>,
        now: i64,
    },
    Restore {
        journal: PathBuf,
    },
    LoadFile {
        path: String,
    },
    Save {
        config: Option<PathBuf>,
        repo: Box<str>,
        text: String,
    },
}

/// The lifecycle view of one repository.
#[derive(Debug)]
pub struct LifecycleView {
    /// The client generation it was opened with: answers for another client are dropped.
    pub client: u64,
    pub repo: Box<str>,
    pub registry_id: Option<String>,
    /// The policy text in use (empty: none yet).
    pub text: String,
    /// Where the text came from, for the header ("config", "file …", "edited, not saved").
    pub origin: String,
    /// Validation problems of `text`, each naming the rule and the field.
    pub invalid: Option<String>,
    /// The valid policy's rules in a few words each, for the view's header.
    pub rules: Vec<String>,
    pub generation: u64,
    pub planning: bool,
    pub planned: Option<Arc<Planned>>,
    pub error: Option<String>,
    pub filter: String,
    pub filter_editing: bool,
    /// Positions into the plan's rows that match the filter: expiring first, then kept.
    pub shown: Vec<u32>,
    pub cursor: usize,
    pub offset: usize,
    /// Rows the preview showed in the last frame (paging and keeping the cursor on screen).
    pub page: Cell<usize>,
    /// An apply is running (its progress is the bulk delete's popup).
    pub applying: bool,
    /// The journal of the last apply: `u` restores from it.
    pub journal: Option<PathBuf>,
    pub restoring: bool,
    /// The last restore's report, shown instead of the preview until esc.
    pub restored: Option<RestoreReport>,
}

impl LifecycleView {
    pub fn new(client: u64, repo: &str, registry_id: Option<String>) -> Self {
        LifecycleView {
            client,
            repo: repo.into(),
            registry_id,
            text: String::new(),
            origin: String::new(),
            invalid: None,
            rules: Vec::new(),
            generation: 0,
            planning: false,
            planned: None,
            error: None,
            filter: String::new(),
            filter_editing: false,
            shown: Vec::new(),
            cursor: 0,
            offset: 0,
            page: Cell::new(10),
            applying: false,
            journal: None,
            restoring: false,
            restored: None,
        }
    }

    /// Recompute `shown` from the plan and the filter (case-insensitive words, all of which must
    /// match the row's digest, its TAGS cell as drawn — the tags, `<untagged>`, or a platform
    /// manifest's `↳ arm64 of v1.4.2` with the full platform and every tag of its index —,
    /// `expire`/`keep`, `rule N` or `multi-arch`).
    pub fn refilter(&mut self) {
        self.shown.clear();
        let Some(p) = &self.planned else {
            return;
        };
        let words: Vec<String> = self
            .filter
            .split_whitespace()
            .map(str::to_lowercase)
            .collect();
        let multi: std::collections::HashSet<usize> =
            p.plan.kept_for_multiarch.iter().copied().collect();
        let matches = |i: usize| {
            if words.is_empty() {
                return true;
            }
            let r = &p.rows[i];
            let d = &p.plan.decisions[i];
            // What the TAGS cell shows when there are no tags (and the parent's words in full).
            let untagged = r.image_tags.is_empty().then(|| {
                match p.parents.get(&r.image_digest) {
                    Some(parent) => format!("{} {}", parent.mark(), parent.describe()),
                    None => crate::app::strings::UNTAGGED.to_string(),
                }
                .to_lowercase()
            });
            words.iter().all(|w| {
                r.image_digest.contains(w.as_str())
                    || r.image_tags.iter().any(|t| t.to_lowercase().contains(w))
                    || untagged.as_ref().is_some_and(|u| u.contains(w.as_str()))
                    || (if d.expire { "expire" } else { "keep" }).starts_with(w.as_str())
                    || (w == "rule" && d.rule.is_some())
                    || d.rule.is_some_and(|n| *w == n.to_string())
                    || (multi.contains(&i) && "multi-arch".starts_with(w.as_str()))
            })
        };
        let n = p.rows.len();
        for pass in [true, false] {
            self.shown.extend(
                (0..n)
                    .filter(|&i| p.plan.decisions[i].expire == pass && matches(i))
                    .map(|i| i as u32),
            );
        }
        self.cursor = self.cursor.min(self.shown.len().saturating_sub(1));
        self.scroll_into_view();
    }

    /// Move the cursor by `delta` rows (clamped), keeping it on screen.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
        self.scroll_into_view();
    }

    pub fn scroll_into_view(&mut self) {
        let page = self.page.get().max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + page {
            self.offset = self.cursor + 1 - page;
        }
    }

    /// The selected row's position in the plan's rows.
    pub fn selected(&self) -> Option<usize> {
        self.shown.get(self.cursor).map(|&i| i as usize)
    }
}
