//! A repository's policy: where an edit starts (the current policy, or a template when there is
//! none or the user asks), the review of the diff before anything is sent, SetRepositoryPolicy
//! (with `force` only after the user confirmed the service's lock-out warning), and what follows.

use crate::app::base::{edit_form, open_form};
use crate::app::drafts::{form_closed, has_draft, save_draft};
use crate::app::modal::{ConfirmAction, ConfirmModal, EditForm, FormKind, Modal, PendingEdit};
use crate::app::msg::{Effect, Mutation};
use crate::app::state::{App, Fetch, Overlay, PickItem, Picker, PickerKind, Status};
use crate::app::strings;
use crate::aws::AwsError;
use crate::drafts::DraftKind;
use crate::forms::{Form, Values, policy};

/// The form for `p`'s repository once its policy is known; `None` when the edit starts
/// elsewhere (a template form or the start menu, opened here) or the policy is not known.
pub(super) fn form(app: &mut App, p: &PendingEdit) -> Option<(Form, FormKind)> {
    let Some(Fetch::Ready(current)) = app.remote.policies.get(&p.repo) else {
        return None;
    };
    let current = current.clone();
    // A draft goes straight to the policy form (restored, or offered back there).
    if p.draft.is_none() && !has_draft(app, p, DraftKind::Policy) {
        if current.is_none() {
            // Nothing to edit yet: start from a template.
            let kind = FormKind::PolicyTemplate {
                repo: p.repo.clone(),
                registry: p.registry.clone(),
                current,
            };
            open_form(app, policy::template_form(), kind);
        } else {
            start_menu(app, p);
        }
        return None;
    }
    let form = policy::policy_form(&p.repo, current.as_deref());
    let kind = FormKind::Policy {
        repo: p.repo.clone(),
        registry: p.registry.clone(),
        current,
    };
    Some((form, kind))
}

/// With a policy in place: edit it, or start over from a template.
fn start_menu(app: &mut App, p: &PendingEdit) {
    let items = vec![
        PickItem {
            label: strings::POLICY_EDIT_CURRENT.into(),
            detail: String::new(),
            value: format!("current\t{}\t{}", p.registry, p.repo),
        },
        PickItem {
            label: strings::POLICY_FROM_TEMPLATE.into(),
            detail: policy::TEMPLATES.map(|t| t.1).join(" · "),
            value: format!("template\t{}\t{}", p.registry, p.repo),
        },
    ];
    app.overlay = Some(Overlay::Picker(Picker {
        kind: PickerKind::PolicyStart,
        items,
        selected: 0,
    }));
}

/// The start menu's choice (`value` as built by `start_menu`).
pub fn start_chosen(app: &mut App, value: &str) {
    let mut parts = value.splitn(3, '\t');
    let (Some(how), Some(registry), Some(repo)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let Some(Fetch::Ready(current)) = app.remote.policies.get(repo).cloned() else {
        return;
    };
    let (repo, registry): (Box<str>, Box<str>) = (repo.into(), registry.into());
    // The menu replaced the policy view; the form is about it, so it comes back beneath.
    app.overlay = Some(Overlay::Policy {
        repo: repo.clone(),
        scroll: 0,
    });
    if how == "template" {
        let kind = FormKind::PolicyTemplate {
            repo,
            registry,
            current,
        };
        open_form(app, policy::template_form(), kind);
    } else {
        let form = policy::policy_form(&repo, current.as_deref());
        let kind = FormKind::Policy {
            repo,
            registry,
            current,
        };
        open_form(app, form, kind);
    }
}

/// ctrl-s on the policy form: nothing is sent before the user has seen the diff (and any
/// public-write warning); the form waits under the review.
pub(super) fn review(app: &mut App, repo: &str, current: Option<&str>, values: &Values) {
    let text = policy::policy_request(values);
    let confirm = policy::policy_review(repo, current, &text);
    let Some(Modal::Form(ef)) = app.modal.take() else {
        return;
    };
    app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
        confirm,
        action: ConfirmAction::ApplyPolicy { text, force: false },
        under: Some(ef),
    })));
}

/// ctrl-s (`continue`) on the template form: the policy form, filled from the template.
pub(super) fn from_template(
    app: &mut App,
    (repo, registry, current): (&str, &str, Option<&str>),
    values: &Values,
    fx: &mut Vec<Effect>,
) {
    match policy::template_policy(values) {
        Ok(text) => {
            let form = policy::policy_form_from(repo, current, &text);
            let kind = FormKind::Policy {
                repo: repo.into(),
                registry: registry.into(),
                current: current.map(Into::into),
            };
            let ef = edit_form(app, form, kind);
            save_draft(&ef, fx);
            app.modal = Some(Modal::Form(Box::new(ef)));
        }
        Err((key, msg)) => {
            if let Some(Modal::Form(ef)) = app.modal.as_mut() {
                ef.form.field_failed(key, &msg)
            }
        }
    }
}

/// `y` on the review: send it, with the form (still holding every character) back on top.
pub fn apply_confirmed(
    app: &mut App,
    mut ef: Box<EditForm>,
    text: String,
    force: bool,
    fx: &mut Vec<Effect>,
) {
    let FormKind::Policy { repo, .. } = &ef.kind else {
        return;
    };
    fx.push(Effect::Mutate(Mutation::SetPolicy {
        repo: repo.clone(),
        text,
        force,
    }));
    ef.form.saving();
    app.modal = Some(Modal::Form(ef));
}

pub fn set(app: &mut App, repo: &str, fx: &mut Vec<Effect>) {
    form_closed(app, fx);
    app.status = Status::Info(strings::done("applied the policy of", repo));
    app.remote.policies.request(repo, app.remote.client, fx);
}

pub fn deleted(app: &mut App, repo: &str, fx: &mut Vec<Effect>) {
    app.status = Status::Info(strings::done("removed the policy of", repo));
    app.remote.policies.request(repo, app.remote.client, fx);
}

/// SetRepositoryPolicy refused a policy that only `force` would apply (it would lock the caller
/// out; the service's message says to set force): ask, with the form kept under the question.
/// False when the refusal was another one.
pub fn refused_without_force(app: &mut App, repo: &str, text: String, e: &AwsError) -> bool {
    if !e.message.to_ascii_lowercase().contains("force") {
        return false;
    }
    if let Some(Modal::Form(mut ef)) = app.modal.take() {
        ef.form.status = crate::forms::Status::Editing;
        app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
            confirm: policy::policy_force_confirm(repo, &e.message),
            action: ConfirmAction::ApplyPolicy { text, force: true },
            under: Some(ef),
        })));
    }
    true
}
