//! The repository's catalog (description, about, usage, architectures, operating systems, logo):
//! its form, prefilled from GetRepositoryCatalogData; PutRepositoryCatalogData; and what follows.

use crate::app::drafts::form_closed;
use crate::app::modal::{FormKind, PendingEdit};
use crate::app::msg::{Effect, Mutation};
use crate::app::state::{App, Fetch, Status};
use crate::app::strings;
use crate::forms::{Form, catalog};

/// The form for `p`'s repository, once its catalog is known.
pub(super) fn form(app: &App, p: &PendingEdit) -> Option<(Form, FormKind)> {
    let Some(Fetch::Ready(c)) = app.remote.catalogs.get(&p.repo) else {
        return None;
    };
    let kind = FormKind::Catalog {
        repo: p.repo.clone(),
        registry: p.registry.clone(),
    };
    Some((catalog::catalog_form(&p.repo, c), kind))
}

pub(super) fn request(repo: &str, form: &Form) -> Mutation {
    Mutation::PutCatalog {
        repo: repo.into(),
        input: catalog::catalog_input(form),
    }
}

pub fn succeeded(app: &mut App, repo: &str, fx: &mut Vec<Effect>) {
    form_closed(app, fx);
    app.status = Status::Info(strings::done("saved the catalog of", repo));
    // Show the service's truth: the catalog (and the description in the list) again.
    app.remote.catalogs.request(repo, app.remote.client, fx);
}
