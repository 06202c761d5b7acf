//! The registry's display name: its form, prefilled from what DescribeRegistries said;
//! PutRegistryCatalogData; and what follows.

use crate::app::base::{self, open_form, refuse_read_only};
use crate::app::drafts::form_closed;
use crate::app::modal::FormKind;
use crate::app::msg::{Effect, Mutation};
use crate::app::state::{App, Fetch, Status};
use crate::app::strings;
use crate::forms::{Values, registry};

/// `:name`, or `e` on a registry: the form, prefilled.
pub fn open(app: &mut App) {
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

pub(super) fn request(values: &Values) -> Mutation {
    Mutation::PutRegistryName(registry::registry_name_request(values))
}

pub fn succeeded(app: &mut App, name: &str, fx: &mut Vec<Effect>) {
    form_closed(app, fx);
    app.status = Status::Info(strings::done("display name set to", name));
    base::fetch_display_name(app, fx);
}
