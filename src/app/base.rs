//! The base layer every feature stands on: errors, the read-only refusal, starting and stopping
//! the paginated loads, and opening a form. It imports only the state and its types, so any
//! feature may use it without importing another feature.

use super::cached;
use super::load::LoadState;
use super::modal::{EditForm, FormKind, Modal};
use super::msg::{Effect, ListId, Read};
use super::state::{App, Fetch, Overlay, PickItem, Picker, PickerKind, Status};
use super::strings;
use crate::aws::AwsError;
use crate::config::Action;

/// An error from the service: the status line shows it, `!` shows it in full.
pub fn set_error(app: &mut App, e: AwsError) {
    tracing::warn!(code = %e.code, detail = %e.detail, "AWS error");
    // Credentials problems (expired SSO session, failing credential_process) say what to run.
    app.advice = crate::profiles::explain_aws_error(&current_profile(app), &e);
    // A shared file the SDK cannot parse is the cause of any credentials failure: say where.
    if let Some(p) = &app.opts.aws_files_problem
        && (e.code == "CredentialsError" || app.advice.is_some())
    {
        app.advice = Some(format!("fix {p}"));
    }
    app.status = Status::Error(e.clone());
    app.last_error = Some(e);
    app.error_unread = true;
    app.failed_list = None;
}

/// Something the user asked for succeeded: the `! error` badge has done its job.
pub fn succeeded(app: &mut App) {
    app.error_unread = false;
}

/// The profile the client uses now (as the header shows it).
pub fn current_profile(app: &App) -> String {
    app.remote
        .connection
        .as_ref()
        .map(|c| c.profile.clone())
        .or_else(|| app.opts.client.profile.clone())
        .unwrap_or_else(|| "default".into())
}

/// Mutations are off: say so instead of opening anything.
pub fn refuse_read_only(app: &mut App, what: &str) -> bool {
    if app.opts.read_only {
        app.status = Status::Warning(strings::read_only_refusal(what));
    }
    app.opts.read_only
}

/// Start `list`'s load unless it is done, running, or failed (a failure waits for `r`).
pub fn ensure_loading(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    if app.remote.connection.is_none() || !app.load_of(list).needs_start() {
        return;
    }
    // A first load shows the cached rows meanwhile (a resumed one already shows its rows).
    if app.load_of(list).state == LoadState::Idle {
        cached::begin(app, list, fx);
    }
    start(app, list, fx);
}

/// Request the next page of `list` from where it stopped.
pub fn start(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    let repo = match list {
        ListId::Images | ListId::Tags => match &app.remote.repo {
            Some(r) => Some(r.repository_name.clone()),
            None => return,
        },
        _ => None,
    };
    let (generation, token) = app.load_mut(list).start();
    fx.push(Effect::Load {
        list,
        generation,
        repo,
        token,
    });
}

/// Leaving a pane: stop its load (resumed from the last token on return).
pub fn stop(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    if app.load_of(list).is_loading() {
        fx.push(Effect::Cancel(list));
    }
    app.load_mut(list).stop();
}

/// Drop a list's rows and progress; it loads from the start when next shown.
pub fn forget(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    stop(app, list, fx);
    app.remote.list_mut(list).clear();
    app.load_mut(list).reset();
}

/// Reload a list from zero (after a mutation), wherever the user is.
pub fn reload(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    forget(app, list, fx);
    start(app, list, fx);
}

/// Ask for the registry's display name (again).
pub fn fetch_display_name(app: &mut App, fx: &mut Vec<Effect>) {
    app.remote.display_name = Some(Fetch::Loading);
    fx.push(Effect::Fetch {
        client: app.remote.client,
        read: Read::RegistryName,
    });
}

/// Open `form` as a popup.
pub fn open_form(app: &mut App, form: crate::forms::Form, kind: FormKind) {
    let ef = edit_form(app, form, kind);
    app.modal = Some(Modal::Form(Box::new(ef)));
}

/// A form as the app shows it: its bottom line names the user's keys.
pub fn edit_form(app: &App, mut form: crate::forms::Form, kind: FormKind) -> EditForm {
    let keys = app.keymap();
    form.hints = crate::forms::Hints {
        next: keys.label(Action::NextField),
        back: keys.label(Action::PrevField),
        save: keys.label(Action::Save),
        cancel: keys.label(Action::CancelForm),
        save_label: match kind {
            FormKind::PolicyTemplate { .. } => "continue",
            _ => "save",
        },
    };
    EditForm { form, kind }
}

/// Open a menu with the cursor on `current` when it is listed.
pub fn open_picker(app: &mut App, kind: PickerKind, items: Vec<PickItem>, current: Option<&str>) {
    let selected = current
        .and_then(|c| items.iter().position(|i| i.value == c))
        .unwrap_or(0);
    app.overlay = Some(Overlay::Picker(Picker {
        kind,
        items,
        selected,
    }));
}
