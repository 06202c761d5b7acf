//! The popups that take every key while they are open: forms, confirmations, the repository
//! delete prompt and the bulk delete's progress. Their state machines live in `crate::forms`;
//! this says what each one is for, so a result can be routed back to it.

use crate::aws::Tag;
use crate::drafts::{Draft, DraftKind};
use crate::forms::Form;
use crate::forms::confirm::Confirm;
use crate::forms::delete::{DeletePlan, DeleteProgress, RepoDeleteConfirm};

use super::msg::ListId;

/// What a form saves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormKind {
    /// PutRepositoryCatalogData; `registry` names the draft.
    Catalog { repo: Box<str>, registry: Box<str> },
    /// PutRegistryCatalogData.
    RegistryName,
    /// CreateRepository.
    NewRepository,
    /// SetRepositoryPolicy, after a review of the diff. `current` is the policy the form started
    /// from (`None`: the repository had none).
    Policy {
        repo: Box<str>,
        registry: Box<str>,
        current: Option<String>,
    },
    /// Choosing a template; its save opens the policy form with the template's text.
    PolicyTemplate {
        repo: Box<str>,
        registry: Box<str>,
        current: Option<String>,
    },
    /// TagResource / UntagResource with the delta from `current`.
    Tags {
        repo: Box<str>,
        arn: Box<str>,
        current: Vec<Tag>,
    },
    /// PutImage of `digest`'s manifest with a new tag.
    Retag {
        registry_id: Box<str>,
        repo: Box<str>,
        digest: Box<str>,
    },
    /// The lifecycle policy: used for the preview (nothing is sent to the service).
    Lifecycle { repo: Box<str> },
}

impl FormKind {
    /// Drafts are kept for catalog and policy edits (the long texts worth keeping).
    pub fn draft(&self) -> Option<(&str, &str, DraftKind)> {
        match self {
            FormKind::Catalog { repo, registry } => Some((registry, repo, DraftKind::Catalog)),
            FormKind::Policy { repo, registry, .. } => Some((registry, repo, DraftKind::Policy)),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct EditForm {
    pub form: Form,
    pub kind: FormKind,
}

/// What `y` in a confirmation does.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfirmAction {
    /// SetRepositoryPolicy with the form's text (under the confirmation); `n` returns to it.
    ApplyPolicy { text: String, force: bool },
    /// DeleteRepositoryPolicy.
    DeletePolicy { repo: Box<str> },
    /// BatchDeleteImage of the plan's ids.
    DeleteImages { plan: DeletePlan },
    /// Restore the draft into the form under the confirmation; `n` discards the draft.
    RestoreDraft { draft: Draft },
    /// Move a tag that names another image (the retag, sent with force).
    Retag { op: crate::app::msg::Mutation },
    /// Journal and delete what the lifecycle view's plan expires.
    LifecycleApply,
}

#[derive(Debug, Clone)]
pub struct ConfirmModal {
    pub confirm: Confirm,
    pub action: ConfirmAction,
    /// The form this confirmation is about, drawn beneath it and returned to on `n`.
    pub under: Option<Box<EditForm>>,
}

/// A bulk delete in progress, then its report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deleting {
    pub progress: DeleteProgress,
    /// esc asked to stop: chunks not yet sent will not be.
    pub stopped: bool,
    /// Set when no more outcomes will arrive: how many ids were never sent.
    pub not_sent: Option<usize>,
    /// The report's scroll position, and how far it could scroll when last drawn.
    pub scroll: u16,
    pub max_scroll: std::cell::Cell<u16>,
    /// Where the cursor goes afterwards: the list, the row it was on, and the next row that
    /// stays (the row itself when its delete failed).
    pub neighbour: Option<(ListId, Box<str>, Option<Box<str>>)>,
}

impl Deleting {
    pub fn is_over(&self) -> bool {
        self.not_sent.is_some()
    }
}

#[derive(Debug, Clone)]
pub enum Modal {
    Form(Box<EditForm>),
    Confirm(Box<ConfirmModal>),
    /// Type the repository's name; `busy` while DeleteRepository is in flight.
    RepoDelete {
        confirm: RepoDeleteConfirm,
        busy: bool,
    },
    Deleting(Deleting),
}

/// An edit that opens once what it starts from has been fetched (the current catalog, policy or
/// tags), so the form is always prefilled with the service's values.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingEdit {
    pub what: EditTarget,
    pub repo: Box<str>,
    pub registry: Box<str>,
    /// A draft the user chose to restore (from the start-up offer).
    pub draft: Option<Draft>,
    /// Started on the selected repository (not from the start-up offer of drafts): moving to
    /// another repository before the fetch answers drops it.
    pub on_selection: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EditTarget {
    Catalog,
    Policy,
    Tags { arn: Box<str> },
}
