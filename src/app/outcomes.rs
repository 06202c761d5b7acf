//! What the service said about a mutation: on success the form closes, its draft goes and the
//! affected panes reload (the screen shows the service's truth); on failure the form stays open
//! with every typed character and the error beside the field it concerns.

use super::base::{self, reload, set_error};
use super::drafts::remove_draft;
use super::modal::{ConfirmAction, ConfirmModal, Modal};
use super::msg::{Effect, ListId, Mutation};
use super::state::{App, Pane, Status};
use super::{nav, strings};
use crate::aws::AwsError;
use crate::forms::policy;

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
            app.remote.catalogs.request(&repo, app.remote.client, fx);
        }
        Mutation::PutRegistryName(name) => {
            close_form(app, fx);
            app.status = Status::Info(strings::done("display name set to", &name));
            base::fetch_display_name(app, fx);
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
            app.remote.policies.request(&repo, app.remote.client, fx);
        }
        Mutation::DeletePolicy { repo } => {
            app.status = Status::Info(strings::done("removed the policy of", &repo));
            app.remote.policies.request(&repo, app.remote.client, fx);
        }
        Mutation::Tags { arn, delta } => {
            close_form(app, fx);
            app.status = Status::Info(strings::tags_saved(delta.tag.len(), delta.untag.len()));
            app.remote
                .resource_tags
                .request(&arn, app.remote.client, fx);
        }
        Mutation::DeleteRepository { name, .. } => {
            super::delete::repository_deleted(app, &name, fx)
        }
        Mutation::Retag { .. } => super::retag::succeeded(app, &op, fx),
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
        Mutation::Retag { .. } => return super::retag::failed(app, op, e),
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
    set_error(app, e);
}

/// The form field a service error is about when its message does not name it.
fn field_of(code: &str) -> Option<&'static str> {
    match code {
        "RepositoryAlreadyExistsException" => Some("repositoryName"),
        "TooManyTagsException" | "InvalidTagParameterException" => Some("tags"),
        _ => None,
    }
}

/// SetRepositoryPolicy refused a policy that only `force` would apply (it would lock the caller
/// out): the service's message says to set force.
fn needs_force(e: &AwsError) -> bool {
    e.message.to_ascii_lowercase().contains("force")
}
