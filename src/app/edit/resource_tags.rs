//! A repository's resource tags: the form, prefilled from ListTagsForResource; TagResource and
//! UntagResource with only what changed; and what follows.

use crate::app::drafts::form_closed;
use crate::app::modal::{FormKind, PendingEdit};
use crate::app::msg::{Effect, Mutation};
use crate::app::state::{App, Fetch, Status};
use crate::app::strings;
use crate::aws::Tag;
use crate::forms::{Form, tags};

/// The form for the repository `arn` names, once its tags are known.
pub(super) fn form(app: &App, p: &PendingEdit, arn: &str) -> Option<(Form, FormKind)> {
    let Some(Fetch::Ready(current)) = app.remote.resource_tags.get(arn) else {
        return None;
    };
    let kind = FormKind::Tags {
        repo: p.repo.clone(),
        arn: arn.into(),
        current: current.clone(),
    };
    Some((tags::tags_form(&p.repo, current), kind))
}

/// The change to send; none when the form changed nothing.
pub(super) fn request(arn: &str, current: &[Tag], form: &Form) -> Option<Mutation> {
    let delta = tags::tags_request(current, form);
    (!delta.is_empty()).then(|| Mutation::Tags {
        arn: arn.into(),
        delta,
    })
}

/// ctrl-s with nothing changed: nothing to send, so the form closes and says so.
pub(super) fn unchanged(app: &mut App) {
    app.modal = None;
    app.status = Status::Info(strings::NO_CHANGE.into());
}

pub fn succeeded(app: &mut App, arn: &str, delta: &tags::TagDelta, fx: &mut Vec<Effect>) {
    form_closed(app, fx);
    app.status = Status::Info(strings::tags_saved(delta.tag.len(), delta.untag.len()));
    app.remote.resource_tags.request(arn, app.remote.client, fx);
}

/// The form field a refusal concerns when the service's message names no member.
pub fn field_of(code: &str) -> Option<&'static str> {
    matches!(
        code,
        "TooManyTagsException" | "InvalidTagParameterException"
    )
    .then_some("tags")
}
