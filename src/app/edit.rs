//! Editing: forms opened prefilled from the service's current values, their keys, saving through
//! effects, and the answers routed back (close and reload on success, keep every typed character
//! and show the error beside its field on failure). Drafts of catalog and policy edits are
//! written on every change and offered back.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::modal::{
    ConfirmAction, ConfirmModal, EditForm, EditTarget, FormKind, Modal, PendingEdit,
};
use super::msg::{Effect, ListId, Mutation};
use super::state::{App, Fetch, Overlay, Pane, PickItem, Picker, PickerKind, Status};
use super::{nav, strings, update};
use crate::aws::{AwsError, RepoRow};
use crate::config::{Action, KeyContext};
use crate::drafts::{self, Draft, DraftKind};
use crate::forms::field::Editor;
use crate::forms::{
    FormEvent, FormOutcome, FormRequest, PathCheck, catalog, policy, registry, repository, tags,
};

/// Mutations are off: say so instead of opening anything.
pub fn refuse_read_only(app: &mut App, what: &str) -> bool {
    if app.opts.read_only {
        app.status = Status::Warning(strings::read_only_refusal(what));
    }
    app.opts.read_only
}

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
    match &app.display_name {
        Some(Fetch::Ready(name)) => {
            let form = registry::registry_name_form(name.as_deref());
            open(app, form, FormKind::RegistryName);
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
    open(
        app,
        repository::new_repository_form(),
        FormKind::NewRepository,
    );
}

fn open(app: &mut App, form: crate::forms::Form, kind: FormKind) {
    app.modal = Some(Modal::Form(Box::new(EditForm { form, kind })));
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
    };
    begin_pending(app, pending, fx);
}

pub fn begin_pending(app: &mut App, pending: PendingEdit, fx: &mut Vec<Effect>) {
    let name = pending.repo.clone();
    let ready = match &pending.what {
        EditTarget::Catalog => matches!(app.catalogs.get(&name), Some(Fetch::Ready(_))),
        EditTarget::Policy => matches!(app.policies.get(&name), Some(Fetch::Ready(_))),
        EditTarget::Tags { arn } => matches!(app.resource_tags.get(arn), Some(Fetch::Ready(_))),
    };
    if !ready {
        // Fetch (again, after a failure) unless a fetch is already on its way.
        match &pending.what {
            EditTarget::Catalog => {
                if !matches!(app.catalogs.get(&name), Some(Fetch::Loading)) {
                    app.catalogs.insert(name.clone(), Fetch::Loading);
                    fx.push(Effect::Catalog(name.clone()));
                }
            }
            EditTarget::Policy => {
                if !matches!(app.policies.get(&name), Some(Fetch::Loading)) {
                    app.policies.insert(name.clone(), Fetch::Loading);
                    fx.push(Effect::Policy(name.clone()));
                }
            }
            EditTarget::Tags { arn } => {
                if !matches!(app.resource_tags.get(arn), Some(Fetch::Loading)) {
                    app.resource_tags.insert(arn.clone(), Fetch::Loading);
                    fx.push(Effect::ResourceTags(arn.clone()));
                }
            }
        }
        app.status = Status::Info(strings::fetching_before_edit(&name));
        app.pending_edit = Some(pending);
        return;
    }
    open_ready(app, pending, fx);
}

/// After a catalog, policy or tags fetch: open the edit that waited for it (or say why not).
pub fn fetched(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(p) = app.pending_edit.clone() else {
        return;
    };
    let state = match &p.what {
        EditTarget::Catalog => state_of(app.catalogs.get(&p.repo)),
        EditTarget::Policy => state_of(app.policies.get(&p.repo)),
        EditTarget::Tags { arn } => state_of(app.resource_tags.get(arn)),
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
            update::set_error(app, e);
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
            let Some(Fetch::Ready(c)) = app.catalogs.get(&p.repo) else {
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
            let Some(Fetch::Ready(current)) = app.policies.get(&p.repo) else {
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
                    open(app, policy::template_form(), kind);
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
            let Some(Fetch::Ready(current)) = app.resource_tags.get(arn) else {
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
    let mut ef = EditForm { form, kind };
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

fn has_draft(app: &App, p: &PendingEdit, kind: DraftKind) -> bool {
    find_draft(app, &p.registry, &p.repo, kind).is_some()
}

fn find_draft(app: &App, registry: &str, repo: &str, kind: DraftKind) -> Option<Draft> {
    app.drafts
        .as_deref()?
        .iter()
        .find(|d| d.registry == registry && d.repository == repo && d.kind == kind)
        .cloned()
}

/// Put a draft's values back; a logo path is checked again.
pub fn restore(ef: &mut EditForm, d: &Draft, fx: &mut Vec<Effect>) {
    ef.form.restore(&d.values);
    for (i, f) in ef.form.fields.iter().enumerate() {
        if let Editor::Path { line, .. } = &f.editor
            && !line.text().trim().is_empty()
        {
            fx.push(Effect::CheckPath {
                field: i,
                path: line.text().to_string(),
            });
        }
    }
}

/// With a policy in place: edit it, or start over from a template.
fn policy_start_menu(app: &mut App, p: &PendingEdit) {
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

/// The policy menu's choice (`value` as built by `policy_start_menu`).
pub fn policy_start_chosen(app: &mut App, value: &str) {
    let mut parts = value.splitn(3, '\t');
    let (Some(how), Some(registry), Some(repo)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    let Some(Fetch::Ready(current)) = app.policies.get(repo).cloned() else {
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
        open(app, policy::template_form(), kind);
    } else {
        let form = policy::policy_form(&repo, current.as_deref());
        open(
            app,
            form,
            FormKind::Policy {
                repo,
                registry,
                current,
            },
        );
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
        _ => ev,
    }
}

/// A key while a form is open.
pub fn form_key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let ev = canonical(app, ev);
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    match ef.form.handle_key(ev) {
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

fn save_draft(ef: &EditForm, fx: &mut Vec<Effect>) {
    if let Some((registry, repo, kind)) = ef.kind.draft() {
        fx.push(Effect::SaveDraft {
            registry: registry.into(),
            repo: repo.into(),
            kind,
            values: ef.form.values(),
        });
    }
}

fn remove_draft(kind: &FormKind, fx: &mut Vec<Effect>) {
    if let Some((registry, repo, kind)) = kind.draft() {
        fx.push(Effect::RemoveDraft {
            registry: registry.into(),
            repo: repo.into(),
            kind,
        });
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
        FormKind::PolicyTemplate {
            repo,
            registry,
            current,
        } => {
            match policy::template_policy(&values) {
                Ok(text) => {
                    let form = policy::policy_form_from(repo, current.as_deref(), &text);
                    let ef2 = EditForm {
                        form,
                        kind: FormKind::Policy {
                            repo: repo.clone(),
                            registry: registry.clone(),
                            current: current.clone(),
                        },
                    };
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

/// A confirmation's answer. `yes` runs its action; `no` returns to the form under it, if any.
pub fn confirmed(app: &mut App, m: ConfirmModal, yes: bool, fx: &mut Vec<Effect>) {
    let ConfirmModal { action, under, .. } = m;
    match (action, yes) {
        (ConfirmAction::ApplyPolicy { text, force }, true) => {
            let Some(mut ef) = under else { return };
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
        (ConfirmAction::RestoreDraft { draft }, yes) => {
            let Some(mut ef) = under else { return };
            if yes {
                restore(&mut ef, &draft, fx);
            } else {
                remove_draft(&ef.kind, fx);
                if let Some(list) = app.drafts.as_mut() {
                    list.retain(|d| d != &draft);
                }
            }
            app.modal = Some(Modal::Form(ef));
        }
        (ConfirmAction::DeletePolicy { repo }, true) => {
            app.modal = None;
            app.status = Status::Info(strings::working("removing the policy of", &repo));
            fx.push(Effect::Mutate(Mutation::DeletePolicy { repo }));
        }
        (ConfirmAction::DeleteImages { plan }, true) => super::delete::start(app, plan, fx),
        (_, false) => app.modal = under.map(Modal::Form),
    }
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

/// A mutation's answer.
pub fn saved(app: &mut App, op: Mutation, result: Result<(), AwsError>, fx: &mut Vec<Effect>) {
    match result {
        Ok(()) => succeeded(app, op, fx),
        Err(e) => failed(app, op, e),
    }
}

fn close_form(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(Modal::Form(ef)) = app.modal.take() {
        remove_draft(&ef.kind, fx);
        if let Some((registry, repo, kind)) = ef.kind.draft()
            && let Some(list) = app.drafts.as_mut()
        {
            list.retain(|d| !(d.registry == registry && d.repository == repo && d.kind == kind));
        }
    }
}

fn succeeded(app: &mut App, op: Mutation, fx: &mut Vec<Effect>) {
    match op {
        Mutation::PutCatalog { repo, .. } => {
            close_form(app, fx);
            app.status = Status::Info(strings::done("saved the catalog of", &repo));
            // Show the service's truth: the catalog (and the description in the list) again.
            app.catalogs.insert(repo.clone(), Fetch::Loading);
            fx.push(Effect::Catalog(repo));
        }
        Mutation::PutRegistryName(name) => {
            close_form(app, fx);
            app.status = Status::Info(strings::done("display name set to", &name));
            app.display_name = Some(Fetch::Loading);
            fx.push(Effect::RegistryName);
        }
        Mutation::CreateRepository(r) => {
            close_form(app, fx);
            app.status = Status::Info(strings::done("created repository", &r.name));
            app.select_after_load = Some((ListId::Repositories, r.name.into()));
            if matches!(app.pane, Pane::Images | Pane::Tags) {
                nav::back(app, fx);
            }
            app.overlay = None;
            app.pane = Pane::Repositories;
            reload(app, ListId::Repositories, fx);
        }
        Mutation::SetPolicy { repo, .. } => {
            close_form(app, fx);
            app.status = Status::Info(strings::done("applied the policy of", &repo));
            app.policies.insert(repo.clone(), Fetch::Loading);
            fx.push(Effect::Policy(repo));
        }
        Mutation::DeletePolicy { repo } => {
            app.status = Status::Info(strings::done("removed the policy of", &repo));
            app.policies.insert(repo.clone(), Fetch::Loading);
            fx.push(Effect::Policy(repo));
        }
        Mutation::Tags { arn, delta } => {
            close_form(app, fx);
            app.status = Status::Info(strings::tags_saved(delta.tag.len(), delta.untag.len()));
            app.resource_tags.insert(arn.clone(), Fetch::Loading);
            fx.push(Effect::ResourceTags(arn));
        }
        Mutation::DeleteRepository { name, .. } => {
            super::delete::repository_deleted(app, &name, fx)
        }
    }
}

fn failed(app: &mut App, op: Mutation, e: AwsError) {
    let message = format!("{}: {}", e.code, e.message);
    match op {
        Mutation::SetPolicy {
            repo,
            text,
            force: false,
        } if needs_force(&e) => {
            if let Some(Modal::Form(mut ef)) = app.modal.take() {
                ef.form.status = crate::forms::Status::Editing;
                app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
                    confirm: policy::policy_force_confirm(&repo, &e.message),
                    action: ConfirmAction::ApplyPolicy { text, force: true },
                    under: Some(ef),
                })));
            }
            return;
        }
        Mutation::DeleteRepository { force: false, .. }
            if e.code == "RepositoryNotEmptyException" =>
        {
            super::delete::repository_needs_force(app, &e.message);
            return;
        }
        Mutation::DeleteRepository { .. } => super::delete::repository_delete_failed(app),
        Mutation::DeletePolicy { .. } => {}
        _ => {
            if let Some(Modal::Form(ef)) = app.modal.as_mut() {
                // Errors whose message names no member still concern one field.
                match field_of(&e.code) {
                    Some(key) if ef.form.field(key).is_some() => {
                        ef.form.field_failed(key, &message)
                    }
                    _ => ef.form.save_failed(&message),
                }
            }
        }
    }
    update::set_error(app, e);
}

/// The form field a service error is about when its message does not name it.
fn field_of(code: &str) -> Option<&'static str> {
    match code {
        "RepositoryAlreadyExistsException" => Some("repositoryName"),
        "TooManyTagsException" | "InvalidTagParameterException" => Some("tags"),
        "InvalidParameterException" => None,
        _ => None,
    }
}

/// SetRepositoryPolicy refused a policy that only `force` would apply (it would lock the caller
/// out): the service's message says to set force.
fn needs_force(e: &AwsError) -> bool {
    e.message.to_ascii_lowercase().contains("force")
}

/// Reload a list from zero (after a mutation), wherever the user is.
pub fn reload(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    nav::stop(app, list, fx);
    match list {
        ListId::Registries => app.registries.clear(),
        ListId::Repositories => app.repos.clear(),
        ListId::Images => app.images.clear(),
        ListId::Tags => app.tags.clear(),
    }
    app.load_mut(list).reset();
    nav::start(app, list, fx);
}

/// Drafts left from an earlier run, offered once the registry is known.
pub fn offer_drafts(app: &mut App) {
    if app.drafts_offered
        || app.overlay.is_some()
        || app.modal.is_some()
        || app.registries.load.is_loading()
        || app.registries.rows.is_empty()
    {
        return;
    }
    let Some(list) = app.drafts.as_deref() else {
        return;
    };
    app.drafts_offered = true;
    // Nothing could be saved: the drafts wait for a read-write run.
    if app.opts.read_only {
        return;
    }
    let mine: Vec<PickItem> = list
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            app.registries
                .rows
                .iter()
                .any(|r| r.registry_id == d.registry)
        })
        .map(|(i, d)| PickItem {
            label: strings::draft_label(d),
            detail: strings::ago(app.now - d.saved_at as i64),
            value: i.to_string(),
        })
        .collect();
    if mine.is_empty() {
        return;
    }
    app.status = Status::Info(strings::DRAFTS_OFFER.into());
    app.overlay = Some(Overlay::Picker(Picker {
        kind: PickerKind::Drafts,
        items: mine,
        selected: 0,
    }));
}

/// A draft chosen from the start-up offer: open its edit with the draft restored.
pub fn draft_chosen(app: &mut App, value: &str, fx: &mut Vec<Effect>) {
    if refuse_read_only(app, "editing") {
        return;
    }
    let Some(d) = value
        .parse::<usize>()
        .ok()
        .and_then(|i| app.drafts.as_ref()?.get(i).cloned())
    else {
        return;
    };
    let what = match d.kind {
        DraftKind::Catalog => EditTarget::Catalog,
        DraftKind::Policy => EditTarget::Policy,
    };
    let pending = PendingEdit {
        what,
        repo: d.repository.as_str().into(),
        registry: d.registry.as_str().into(),
        draft: Some(d),
    };
    begin_pending(app, pending, fx);
}
