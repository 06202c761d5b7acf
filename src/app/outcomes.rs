//! What the service said about a mutation, handed to the module of the thing it changed. On
//! success the form closes, its draft goes and the affected panes reload (the screen shows the
//! service's truth); on failure the form stays open with every typed character and the error
//! beside the field it concerns.

use super::base::set_error;
use super::delete;
use super::edit::{catalog, display_name, policy, repository, resource_tags};
use super::modal::Modal;
use super::msg::{Effect, Mutation};
use super::state::App;
use crate::aws::AwsError;

/// A mutation's answer.
pub fn saved(app: &mut App, op: Mutation, result: Result<(), AwsError>, fx: &mut Vec<Effect>) {
    match result {
        Ok(()) => succeeded(app, op, fx),
        Err(e) => failed(app, op, e),
    }
}

fn succeeded(app: &mut App, op: Mutation, fx: &mut Vec<Effect>) {
    match op {
        Mutation::PutCatalog { repo, .. } => catalog::succeeded(app, &repo, fx),
        Mutation::PutRegistryName(name) => display_name::succeeded(app, &name, fx),
        Mutation::CreateRepository(r) => repository::succeeded(app, r, fx),
        Mutation::SetPolicy { repo, .. } => policy::set(app, &repo, fx),
        Mutation::DeletePolicy { repo } => policy::deleted(app, &repo, fx),
        Mutation::Tags { arn, delta } => resource_tags::succeeded(app, &arn, &delta, fx),
        Mutation::DeleteRepository { name, .. } => delete::repository_deleted(app, &name, fx),
        Mutation::Retag { .. } => super::retag::succeeded(app, &op, fx),
    }
}

fn failed(app: &mut App, op: Mutation, e: AwsError) {
    match op {
        Mutation::SetPolicy {
            repo,
            text,
            force: false,
        } if policy::refused_without_force(app, &repo, text.clone(), &e) => return,
        Mutation::DeleteRepository { force: false, .. }
            if e.code == "RepositoryNotEmptyException" =>
        {
            delete::repository_needs_force(app, &e.message);
            return;
        }
        Mutation::DeleteRepository { .. } => delete::repository_delete_failed(app),
        Mutation::DeletePolicy { .. } => {}
        Mutation::Retag { .. } => return super::retag::failed(app, op, e),
        _ => {
            if let Some(Modal::Form(ef)) = app.modal.as_mut() {
                let message = format!("{}: {}", e.code, e.message);
                // Errors whose message names no member still concern one field.
                let field = repository::field_of(&e.code).or(resource_tags::field_of(&e.code));
                match field {
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
