//! Editing, dispatched to one module per editable thing (`edit/`): which edit `e` means here,
//! fetching what a form starts from before it opens, offering a draft back, and sending what
//! ctrl-s saved. Keys and pastes inside a form are `form_input`'s; the service's answers go to
//! the same modules through `outcomes`.

use super::base::{edit_form, refuse_read_only, set_error};
use super::drafts::{find_draft, restore};
use super::modal::{ConfirmAction, ConfirmModal, EditTarget, FormKind, Modal, PendingEdit};
use super::msg::Effect;
use super::state::{App, Fetch, Overlay, Pane, Status};
use super::strings;
use crate::aws::RepoRow;
use crate::drafts::{self, Draft};

pub mod catalog;
pub mod display_name;
pub mod policy;
pub mod repository;
pub mod resource_tags;

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
        None => display_name::open(app),
        Some(t) => {
            let Some(repo) = app.current_repo().cloned() else {
                app.status = Status::Warning(strings::needs_repository("catalog"));
                return;
            };
            begin(app, t, &repo, None, fx);
        }
    }
}

/// Open an edit of `repo` once what it starts from is known; fetch it first when it is not.
pub fn begin(
    app: &mut App,
    what: EditTarget,
    repo: &RepoRow,
    draft: Option<Draft>,
    fx: &mut Vec<Effect>,
) {
    let pending = PendingEdit {
        what,
        repo: repo.repository_name.clone(),
        registry: repo.registry_id.clone(),
        draft,
        on_selection: true,
    };
    begin_pending(app, pending, fx);
}

pub fn begin_pending(app: &mut App, pending: PendingEdit, fx: &mut Vec<Effect>) {
    if matches!(
        start_state(app, &pending.what, &pending.repo),
        Some(Fetch::Ready(()))
    ) {
        return open_ready(app, pending, fx);
    }
    // Fetch (again, after a failure) unless a fetch is already on its way.
    let (client, name) = (app.remote.client, &pending.repo);
    match &pending.what {
        EditTarget::Catalog => app.remote.catalogs.want(name, client, fx),
        EditTarget::Policy => app.remote.policies.want(name, client, fx),
        EditTarget::Tags { arn } => app.remote.resource_tags.want(arn, client, fx),
    }
    app.status = Status::Info(strings::fetching_before_edit(name));
    app.pending_edit = Some(pending);
}

/// Whether what an edit of `repo` starts from is known, on its way, or failed.
fn start_state(app: &App, what: &EditTarget, repo: &str) -> Option<Fetch<()>> {
    fn state_of<T>(f: Option<&Fetch<T>>) -> Option<Fetch<()>> {
        f.map(|f| match f {
            Fetch::Loading => Fetch::Loading,
            Fetch::Ready(_) => Fetch::Ready(()),
            Fetch::Failed(e) => Fetch::Failed(e.clone()),
        })
    }
    match what {
        EditTarget::Catalog => state_of(app.remote.catalogs.get(repo)),
        EditTarget::Policy => state_of(app.remote.policies.get(repo)),
        EditTarget::Tags { arn } => state_of(app.remote.resource_tags.get(arn)),
    }
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
    match start_state(app, &p.what, &p.repo) {
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

/// The form, with a draft restored (chosen at start-up) or offered back (found for it).
fn open_ready(app: &mut App, p: PendingEdit, fx: &mut Vec<Effect>) {
    let opened = match &p.what {
        EditTarget::Catalog => catalog::form(app, &p),
        EditTarget::Policy => policy::form(app, &p),
        EditTarget::Tags { arn } => resource_tags::form(app, &p, arn),
    };
    let Some((form, kind)) = opened else {
        return;
    };
    let mut ef = edit_form(app, form, kind);
    match p.draft {
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

/// ctrl-s on a valid form: its module says what to send (or what comes first).
pub fn save(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    let values = ef.form.values();
    let op = match ef.kind.clone() {
        FormKind::Catalog { repo, .. } => catalog::request(&repo, &ef.form),
        FormKind::RegistryName => display_name::request(&values),
        FormKind::NewRepository => repository::request(&ef.form),
        FormKind::Tags { arn, current, .. } => {
            match resource_tags::request(&arn, &current, &ef.form) {
                Some(op) => op,
                None => return resource_tags::unchanged(app),
            }
        }
        FormKind::Policy { repo, current, .. } => {
            return policy::review(app, &repo, current.as_deref(), &values);
        }
        FormKind::Retag { .. } => return super::retag::request(app, fx),
        FormKind::Lifecycle { .. } => return super::lifecycle::form_saved(app, fx),
        FormKind::PolicyTemplate {
            repo,
            registry,
            current,
        } => {
            let at = (&*repo, &*registry, current.as_deref());
            return policy::from_template(app, at, &values, fx);
        }
    };
    if let Some(Modal::Form(ef)) = app.modal.as_mut() {
        ef.form.saving();
    }
    fx.push(Effect::Mutate(op));
}
