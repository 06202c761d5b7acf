//! A new repository: its form (name, catalog, tags); CreateRepository; and what follows (the
//! repository list again, with the new one selected).

use crate::app::base::{open_form, refuse_read_only, reload};
use crate::app::drafts::form_closed;
use crate::app::modal::FormKind;
use crate::app::msg::{Effect, ListId, Mutation};
use crate::app::nav;
use crate::app::state::{App, Pane, Status};
use crate::app::strings;
use crate::forms::Form;
use crate::forms::repository::{self, CreateRepositoryRequest};

/// `n` or `:new`.
pub fn open(app: &mut App) {
    if refuse_read_only(app, "creating repositories") {
        return;
    }
    open_form(
        app,
        repository::new_repository_form(),
        FormKind::NewRepository,
    );
}

pub(super) fn request(form: &Form) -> Mutation {
    Mutation::CreateRepository(repository::new_repository_request(form))
}

pub fn succeeded(app: &mut App, r: CreateRepositoryRequest, fx: &mut Vec<Effect>) {
    form_closed(app, fx);
    app.status = Status::Info(strings::done("created repository", &r.name));
    app.select_after_load = Some((ListId::Repositories, r.name.into()));
    if matches!(app.pane, Pane::Images | Pane::Tags) {
        nav::back(app, fx);
    }
    app.overlay = None;
    app.pane = Pane::Repositories;
    reload(app, ListId::Repositories, fx);
}

/// The form field a refusal concerns when the service's message names no member.
pub fn field_of(code: &str) -> Option<&'static str> {
    (code == "RepositoryAlreadyExistsException").then_some("repositoryName")
}
