//! Retag: `a` on an image adds a tag to it, or moves one to it, without pulling. The effect reads
//! the image's manifest bytes through the registry API and sends them to PutImage with the new
//! tag, so the digest stays the same. A tag that names another image is moved only after the
//! user has been told where it points now.

use super::base::{open_form, refuse_read_only, reload, set_error};
use super::modal::{ConfirmAction, ConfirmModal, EditForm, FormKind, Modal};
use super::msg::{Effect, ListId, Mutation};
use super::state::{App, Pane, Status};
use crate::aws::AwsError;
use crate::forms::retag;

/// The code the retag effect answers with when the tag names another image; its `detail` is
/// that image's digest.
pub const TAG_ELSEWHERE: &str = "TagPointsElsewhere";

/// `a` on an image or a tag: the form for the new tag.
pub fn open(app: &mut App) {
    if refuse_read_only(app, "retagging") {
        return;
    }
    let Some(repo) = app.remote.repo.clone() else {
        app.status = Status::Warning("open a repository's images first to retag one".into());
        return;
    };
    let (digest, tags): (Box<str>, Vec<Box<str>>) = match app.pane {
        Pane::Images => match app.remote.images.selected() {
            Some(i) => (i.image_digest.clone(), i.image_tags.to_vec()),
            None => return no_image(app),
        },
        Pane::Tags => match app.remote.tags.selected() {
            Some(t) => (t.image_digest.clone(), tags_of(app, &t.image_digest)),
            None => return no_image(app),
        },
        _ => return no_image(app),
    };
    let form = retag::retag_form(&repo.repository_name, &digest, &tags);
    let kind = FormKind::Retag {
        registry_id: repo.registry_id.clone(),
        repo: repo.repository_name.clone(),
        digest,
    };
    open_form(app, form, kind);
}

fn no_image(app: &mut App) {
    app.status = Status::Warning("select an image to tag".into());
}

/// The tags the loaded rows know for `digest`.
fn tags_of(app: &App, digest: &str) -> Vec<Box<str>> {
    app.remote
        .tags
        .rows
        .iter()
        .filter(|t| &*t.image_digest == digest)
        .map(|t| t.image_tag.clone())
        .collect()
}

/// Where the loaded rows say `tag` points, when that is another image than `digest`.
fn known_elsewhere(app: &App, tag: &str, digest: &str) -> Option<Box<str>> {
    let from_tags = app
        .remote
        .tags
        .rows
        .iter()
        .find(|t| &*t.image_tag == tag)
        .map(|t| t.image_digest.clone());
    let from_images = || {
        app.remote
            .images
            .rows
            .iter()
            .find(|i| i.image_tags.iter().any(|t| &**t == tag))
            .map(|i| i.image_digest.clone())
    };
    from_tags.or_else(from_images).filter(|d| &**d != digest)
}

/// ctrl-s on the retag form: ask first when the loaded rows already show the tag elsewhere
/// (the effect checks the registry too, for rows not loaded).
pub fn request(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.as_mut() else {
        return;
    };
    let FormKind::Retag {
        registry_id,
        repo,
        digest,
    } = &ef.kind
    else {
        return;
    };
    let op = Mutation::Retag {
        registry_id: registry_id.clone(),
        repo: repo.clone(),
        digest: digest.clone(),
        tag: retag::retag_request(&ef.form),
        force: false,
    };
    let Mutation::Retag { tag, digest, .. } = &op else {
        return;
    };
    if let Some(now) = known_elsewhere(app, tag, digest) {
        return ask_to_move(app, op, &now);
    }
    if let Some(Modal::Form(ef)) = app.modal.as_mut() {
        ef.form.saving();
    }
    fx.push(Effect::Mutate(op));
}

/// Put the move question over the form (which `n` returns to).
fn ask_to_move(app: &mut App, op: Mutation, now: &str) {
    let Mutation::Retag {
        repo, digest, tag, ..
    } = &op
    else {
        return;
    };
    let confirm = retag::move_confirm(repo, tag, digest, now);
    let under: Option<Box<EditForm>> = match app.modal.take() {
        Some(Modal::Form(mut ef)) => {
            ef.form.status = crate::forms::Status::Editing;
            Some(ef)
        }
        _ => None,
    };
    app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
        confirm,
        action: ConfirmAction::Retag {
            op: forced(op.clone()),
        },
        under,
    })));
}

fn forced(op: Mutation) -> Mutation {
    match op {
        Mutation::Retag {
            registry_id,
            repo,
            digest,
            tag,
            ..
        } => Mutation::Retag {
            registry_id,
            repo,
            digest,
            tag,
            force: true,
        },
        other => other,
    }
}

/// `y` to the move question: send it with force, the form under it showing "saving".
pub fn confirmed(app: &mut App, op: Mutation, under: Option<Box<EditForm>>, fx: &mut Vec<Effect>) {
    if let Some(mut ef) = under {
        ef.form.saving();
        app.modal = Some(Modal::Form(ef));
    }
    fx.push(Effect::Mutate(op));
}

/// The tag is on the image: the images and tags panes show the service's truth again.
pub fn succeeded(app: &mut App, op: &Mutation, fx: &mut Vec<Effect>) {
    let Mutation::Retag { digest, tag, .. } = op else {
        return;
    };
    if matches!(&app.modal, Some(Modal::Form(ef)) if matches!(ef.kind, FormKind::Retag { .. })) {
        app.modal = None;
    }
    app.status = Status::Info(format!(
        "tagged {} as {tag}",
        crate::fmt::short_digest(digest)
    ));
    if app.remote.repo.is_some() {
        reload(app, ListId::Images, fx);
        reload(app, ListId::Tags, fx);
    }
}

/// The tag names another image (the registry said so): ask, saying where; any other error stays
/// in the form beside the tag.
pub fn failed(app: &mut App, op: Mutation, e: AwsError) {
    if e.code == TAG_ELSEWHERE
        && let Mutation::Retag { force: false, .. } = &op
    {
        return ask_to_move(app, op, &e.detail);
    }
    if let Some(Modal::Form(ef)) = app.modal.as_mut() {
        ef.form
            .field_failed("imageTag", &format!("{}: {}", e.code, e.message));
    }
    set_error(app, e);
}
