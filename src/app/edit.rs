//! Editing: forms opened prefilled from the service's current values (fetched first when they
//! are not known), their keys, and saving through effects. The answers are handled in `outcomes`,
//! drafts in `drafts`.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::base::{edit_form, open_form, refuse_read_only, set_error};
use super::drafts::{find_draft, has_draft, remove_draft, restore, save_draft};
use super::modal::{ConfirmAction, ConfirmModal, EditTarget, FormKind, Modal, PendingEdit};
use super::msg::{Effect, Mutation};
use super::policy_menu::policy_start_menu;
use super::state::{App, Fetch, Overlay, Pane, Status};
use super::strings;
use crate::aws::RepoRow;
use crate::config::{Action, KeyContext};
use crate::drafts::{self, Draft, DraftKind};
use crate::forms::{
    FormEvent, FormOutcome, FormRequest, PathCheck, catalog, policy, registry, repository, tags,
};

/// `e`: edit what is selected (or the open view).
pub fn edit(app: &mut App, fx: &mut Vec<Effect>) {
    if refuse_read_only(app, "editing") {
        return;
    }
    let target = match &app.overlay {
        Some(Overlay::Policy { .. }) => Some(EditTarget::Policy),
        Some(Overlay::ResourceTags { arn, .. }) => Some(EditTarget::Tags { arn: arn.clone() }),
        Some(_) => Some(EditTarget::Catalog),
        None if app.pane == Pane::Registries => None,
        None => Some(EditTarget::Catalog),
    };
    match target {
        None => registry_name(app),
        Some(t) => {
            let Some(repo) = app.current_repo().cloned() else {
                app.status = Status::Warning(strings::needs_repository("catalog"));
                return;
            };
            begin(app, t, &repo, None, fx);
        }
    }
}

/// `:name`, or `e` on a registry: the display name form, prefilled.
pub fn registry_name(app: &mut App) {
    if refuse_read_only(app, "editing") {
        return;
    }
    match &app.remote.display_name {
        Some(Fetch::Ready(name)) => {
            let form = registry::registry_name_form(name.as_deref());
            open_form(app, form, FormKind::RegistryName);
        }
        Some(Fetch::Failed(e)) => {
            app.status = Status::Warning(strings::cannot_prefill("display name", e))
        }
        _ => app.status = Status::Warning(strings::STILL_FETCHING.into()),
    }
}

/// `n`: a new repository.
pub fn new_repository(app: &mut App) {
    if refuse_read_only(app, "creating repositories") {
        return;
    }
    open_form(
        app,
        repository::new_repository_form(),
        FormKind::NewRepository,
    );
}

/// Open an edit of `repo` once what it starts from is known; fetch it first when it is not.
pub fn begin(
    app: &mut App,
    what: EditTarget,
    repo: &RepoRow,
    draft: Option<Draft>,
    fx: &mut Vec<Effect>,
) {
    let name = repo.repository_name.clone();
    let pending = PendingEdit {
        what,
        repo: name.clone(),
        registry: repo.registry_id.clone(),
        draft,
        on_selection: true,
    };
    begin_pending(app, pending, fx);
}

pub fn begin_pending(app: &mut App, pending: PendingEdit, fx: &mut Vec<Effect>) {
    let name = pending.repo.clone();
    let ready = match &pending.what {
        EditTarget::Catalog => matches!(app.remote.catalogs.get(&name), Some(Fetch::Ready(_))),
        EditTarget::Policy => matches!(app.remote.policies.get(&name), Some(Fetch::Ready(_))),
        EditTarget::Tags { arn } => {
            matches!(app.remote.resource_tags.get(arn), Some(Fetch::Ready(_)))
        }
    };
    if !ready {
        // Fetch (again, after a failure) unless a fetch is already on its way.
        let client = app.remote.client;
        match &pending.what {
            EditTarget::Catalog => app.remote.catalogs.want(&name, client, fx),
            EditTarget::Policy => app.remote.policies.want(&name, client, fx),
            EditTarget::Tags { arn } => app.remote.resource_tags.want(arn, client, fx),
        }
        app.status = Status::Info(strings::fetching_before_edit(&name));
        app.pending_edit = Some(pending);
        return;
    }
    open_ready(app, pending, fx);
}

/// Drop the edit waiting for its fetch, saying so with `why(repo)`; false when none waits.
pub fn cancel_pending(app: &mut App, why: fn(&str) -> String) -> bool {
    let Some(p) = app.pending_edit.take() else {
        return false;
    };
    app.status = Status::Info(why(&p.repo));
    true
}

/// After a key or a click: an edit still waiting for its fetch is dropped once another repository
/// is selected, so a form never pops up over a repository the user has moved away from.
pub fn drop_pending_if_moved(app: &mut App) {
    let moved = app.pending_edit.as_ref().is_some_and(|p| {
        p.on_selection && app.current_repo().map(|r| &*r.repository_name) != Some(&*p.repo)
    });
    if moved {
        cancel_pending(app, strings::edit_dropped_moved);
    }
}

/// After a catalog, policy or tags fetch: open the edit that waited for it (or say why not).
pub fn fetched(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(p) = app.pending_edit.clone() else {
        return;
    };
    let state = match &p.what {
        EditTarget::Catalog => state_of(app.remote.catalogs.get(&p.repo)),
        EditTarget::Policy => state_of(app.remote.policies.get(&p.repo)),
        EditTarget::Tags { arn } => state_of(app.remote.resource_tags.get(arn)),
    };
    match state {
        Some(Fetch::Ready(())) => {
            app.pending_edit = None;
            if matches!(app.status, Status::Info(_)) {
                app.status = Status::None;
            }
            open_ready(app, p, fx);
        }
        Some(Fetch::Failed(e)) => {
            app.pending_edit = None;
            set_error(app, e);
        }
        _ => {}
    }
}

fn state_of<T>(f: Option<&Fetch<T>>) -> Option<Fetch<()>> {
    f.map(|f| match f {
        Fetch::Loading => Fetch::Loading,
        Fetch::Ready(_) => Fetch::Ready(()),
        Fetch::Failed(e) => Fetch::Failed(e.clone()),
    })
}

fn open_ready(app: &mut App, p: PendingEdit, fx: &mut Vec<Effect>) {
    let (form, kind) = match &p.what {
        EditTarget::Catalog => {
            let Some(Fetch::Ready(c)) = app.remote.catalogs.get(&p.repo) else {
                return;
            };
            (
                catalog::catalog_form(&p.repo, c),
                FormKind::Catalog {
                    repo: p.repo.clone(),
                    registry: p.registry.clone(),
                },
            )
        }
        EditTarget::Policy => {
            let Some(Fetch::Ready(current)) = app.remote.policies.get(&p.repo) else {
                return;
            };
            let current = current.clone();
            // A draft goes straight to the policy form (restored, or offered back there).
            if p.draft.is_none() && !has_draft(app, &p, DraftKind::Policy) {
                if current.is_none() {
                    // Nothing to edit yet: start from a template.
                    let kind = FormKind::PolicyTemplate {
                        repo: p.repo.clone(),
                        registry: p.registry.clone(),
                        current,
                    };
                    open_form(app, policy::template_form(), kind);
                } else {
                    policy_start_menu(app, &p);
                }
                return;
            }
            (
                policy::policy_form(&p.repo, current.as_deref()),
                FormKind::Policy {
                    repo: p.repo.clone(),
                    registry: p.registry.clone(),
                    current,
                },
            )
        }
        EditTarget::Tags { arn } => {
            let Some(Fetch::Ready(current)) = app.remote.resource_tags.get(arn) else {
                return;
            };
            (
                tags::tags_form(&p.repo, current),
                FormKind::Tags {
                    repo: p.repo.clone(),
                    arn: arn.clone(),
                    current: current.clone(),
                },
            )
        }
    };
    let mut ef = edit_form(app, form, kind);
    match p.draft {
        // Chosen from the start-up offer: restore at once.
        Some(d) => {
            restore(&mut ef, &d, fx);
            app.modal = Some(Modal::Form(Box::new(ef)));
        }
        None => match ef
            .kind
            .draft()
            .and_then(|(r, n, k)| find_draft(app, r, n, k))
        {
            Some(d) => {
                app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
                    confirm: drafts::offer(&d, app.now.max(0) as u64),
                    action: ConfirmAction::RestoreDraft { draft: d },
                    under: Some(Box::new(ef)),
                })))
            }
            None => app.modal = Some(Modal::Form(Box::new(ef))),
        },
    }
}

/// The user's form keys (the `[keys]` section) mean what the form engine's defaults mean.
fn canonical(app: &App, ev: KeyEvent) -> KeyEvent {
    let k = |code, mods| KeyEvent::new(code, mods);
    match app.keymap().action_for_event(KeyContext::Form, &ev) {
        Some(Action::NextField) => k(KeyCode::Tab, KeyModifiers::NONE),
        Some(Action::PrevField) => k(KeyCode::BackTab, KeyModifiers::SHIFT),
        Some(Action::Save) => k(KeyCode::Char('s'), KeyModifiers::CONTROL),
        Some(Action::CancelForm) => k(KeyCode::Esc, KeyModifiers::NONE),
        Some(Action::Undo) => k(KeyCode::Char('z'), KeyModifiers::CONTROL),
        Some(Action::Redo) => k(KeyCode::Char('y'), KeyModifiers::CONTROL),
        _ => ev,
    }
}

/// A key while a form is open.
pub fn form_key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let ev = canonical(app, ev);
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    let event = ef.form.handle_key(ev);
    form_event(app, event, fx);
}

/// A bracketed paste while a form is open: text for the focused field, as one edit.
pub fn form_paste(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    let event = ef.form.paste(text);
    form_event(app, event, fx);
}

/// What the app does with what the form answered to a key or a paste.
fn form_event(app: &mut App, event: FormEvent, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    match event {
        FormEvent::Ignored | FormEvent::Moved => {}
        FormEvent::Invalid => {
            app.status = Status::Warning(strings::FORM_INVALID.into());
        }
        FormEvent::Changed => save_draft(ef, fx),
        FormEvent::Request(FormRequest::ExternalEditor { field, text }) => {
            fx.push(Effect::Editor { field, text })
        }
        FormEvent::Request(FormRequest::CheckPath { field, path }) => {
            save_draft(ef, fx);
            fx.push(Effect::CheckPath { field, path });
        }
        FormEvent::Outcome(FormOutcome::Cancel) => {
            // Closing without saving is a decision: the draft goes with it.
            remove_draft(&ef.kind, fx);
            app.modal = None;
        }
        FormEvent::Outcome(FormOutcome::Save(_)) => save(app, fx),
    }
}

/// ctrl-s on a valid form.
fn save(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    let values = ef.form.values();
    let op = match &ef.kind {
        FormKind::Catalog { repo, .. } => Mutation::PutCatalog {
            repo: repo.clone(),
            input: catalog::catalog_input(&ef.form),
        },
        FormKind::RegistryName => {
            Mutation::PutRegistryName(registry::registry_name_request(&values))
        }
        FormKind::NewRepository => {
            Mutation::CreateRepository(repository::new_repository_request(&ef.form))
        }
        FormKind::Tags { arn, current, .. } => {
            let delta = tags::tags_request(current, &ef.form);
            if delta.is_empty() {
                app.modal = None;
                app.status = Status::Info(strings::NO_CHANGE.into());
                return;
            }
            Mutation::Tags {
                arn: arn.clone(),
                delta,
            }
        }
        FormKind::Policy { repo, current, .. } => {
            // Nothing is sent before the user has seen the diff (and any public-write warning).
            let text = policy::policy_request(&values);
            let confirm = policy::policy_review(repo, current.as_deref(), &text);
            let Some(Modal::Form(ef)) = app.modal.take() else {
                return;
            };
            app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
                confirm,
                action: ConfirmAction::ApplyPolicy { text, force: false },
                under: Some(ef),
            })));
            return;
        }
        FormKind::Lifecycle { .. } => return super::lifecycle::form_saved(app, fx),
        FormKind::PolicyTemplate {
            repo,
            registry,
            current,
        } => {
            match policy::template_policy(&values) {
                Ok(text) => {
                    let form = policy::policy_form_from(repo, current.as_deref(), &text);
                    let kind = FormKind::Policy {
                        repo: repo.clone(),
                        registry: registry.clone(),
                        current: current.clone(),
                    };
                    let ef2 = edit_form(app, form, kind);
                    save_draft(&ef2, fx);
                    app.modal = Some(Modal::Form(Box::new(ef2)));
                }
                Err((key, msg)) => ef.form.field_failed(key, &msg),
            }
            return;
        }
    };
    ef.form.saving();
    fx.push(Effect::Mutate(op));
}

/// Text back from the editor: into the field; an editor that failed leaves the text as it was.
pub fn editor_done(
    app: &mut App,
    field: usize,
    result: Result<String, String>,
    fx: &mut Vec<Effect>,
) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    match result {
        Ok(text) => {
            ef.form.set_text(field, &text);
            save_draft(ef, fx);
        }
        Err(e) => app.status = Status::Warning(strings::editor_failed(&e)),
    }
}

pub fn path_checked(app: &mut App, field: usize, path: &str, check: PathCheck) {
    if let Some(Modal::Form(ef)) = app.modal.as_mut() {
        ef.form.set_path_check(field, path, check);
    }
}
