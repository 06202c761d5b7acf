//! The TUI side of the keymap: the config's `KeyMap` (the default keys, remapped by the
//! `[keys]` section) says which action a key is; this module says where each action does
//! something. Help and the footer are generated from both, so they list the user's keys and never
//! a key that does nothing here.

use crossterm::event::KeyEvent;

pub use crate::config::Action;
use crate::config::{KeyContext, KeyMap, KeySpec};

/// Where keys are read: a list pane or a full view/popup over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Registries,
    Repositories,
    Images,
    Tags,
    /// Catalog and resource tags: scrollable read views.
    ReadView,
    /// The policy view: a read view whose policy can also be deleted.
    PolicyView,
    Help,
    ErrorDetails,
    /// A menu to choose from (profiles, regions, what to copy).
    Picker,
    /// A form is open.
    Form,
    /// A confirmation, the repository delete prompt or a bulk delete's progress.
    Confirm,
    /// The image inspector.
    Inspector,
    /// The `:open` view of a repository in any registry.
    OpenRepo,
    /// The lifecycle view: a preview list with its own filter, edit, apply and restore.
    Lifecycle,
}

/// One row per action: where it does something, its footer label, and its place in the footer.
/// The keys themselves come from the config (`crate::config::keymap`); the handler is the
/// action's arm in `keys`. Help and the footer are generated from this table, so they list only
/// keys that do something where the user is.
pub struct ActionRow {
    pub action: Action,
    /// Where it applies (form and confirmation keys apply only there: see `popup`).
    on: fn(Context) -> bool,
    /// A form or confirmation key: read by the popup itself, and by nothing else.
    popup: bool,
    /// The footer's word for it.
    pub label: &'static str,
    /// Its place in the footer (lower first: the most used, since on a narrow terminal the
    /// hints before help and quit give way from the end); `None`: help lists it, the footer not.
    pub footer: Option<u8>,
    /// It changes something: left out of the footer in read-only mode (help says why).
    pub mutates: bool,
}

use Context as C;

fn anywhere(_: Context) -> bool {
    true
}
fn lists(c: Context) -> bool {
    matches!(c, C::Registries | C::Repositories | C::Images | C::Tags)
}
fn repo_or_image(c: Context) -> bool {
    matches!(c, C::Repositories | C::Images | C::Tags)
}
fn images_or_tags(c: Context) -> bool {
    matches!(c, C::Images | C::Tags)
}
fn lists_or_read_view(c: Context) -> bool {
    lists(c) || matches!(c, C::ReadView | C::PolicyView | C::Inspector | C::Lifecycle)
}
/// The inspector shows what a registry holds: nothing in it is edited in place.
fn editable(c: Context) -> bool {
    lists_or_read_view(c) && c != C::Inspector
}
fn images_or_tags_or_inspector(c: Context) -> bool {
    images_or_tags(c) || c == C::Inspector
}
fn refreshable(c: Context) -> bool {
    lists_or_read_view(c) || c == C::OpenRepo
}
fn lifecycle(c: Context) -> bool {
    c == C::Lifecycle
}
fn openable(c: Context) -> bool {
    matches!(
        c,
        C::Registries
            | C::Repositories
            | C::Picker
            | C::Images
            | C::Tags
            | C::Inspector
            | C::OpenRepo
    )
}
fn copyable(c: Context) -> bool {
    lists(c) || c == C::Inspector
}
fn filterable(c: Context) -> bool {
    lists(c) || matches!(c, C::Inspector | C::Lifecycle)
}
fn commandable(c: Context) -> bool {
    lists(c) || matches!(c, C::OpenRepo | C::Lifecycle)
}
fn open_repo(c: Context) -> bool {
    c == C::OpenRepo
}
fn not_in_picker(c: Context) -> bool {
    c != C::Picker
}
fn error_details(c: Context) -> bool {
    !matches!(c, C::ErrorDetails | C::Picker)
}
fn deletable(c: Context) -> bool {
    repo_or_image(c) || matches!(c, C::PolicyView | C::Lifecycle)
}
fn form(c: Context) -> bool {
    c == C::Form
}
fn confirm(c: Context) -> bool {
    c == C::Confirm
}

const fn row(
    action: Action,
    on: fn(Context) -> bool,
    label: &'static str,
    footer: Option<u8>,
) -> ActionRow {
    ActionRow {
        action,
        on,
        popup: false,
        label,
        footer,
        mutates: false,
    }
}

const fn mutating(r: ActionRow) -> ActionRow {
    ActionRow { mutates: true, ..r }
}

const fn popup(action: Action, on: fn(Context) -> bool, label: &'static str) -> ActionRow {
    ActionRow {
        action,
        on,
        popup: true,
        label,
        footer: None,
        mutates: false,
    }
}

pub const ACTIONS: &[ActionRow] = &[
    row(Action::Up, anywhere, "move", None),
    row(Action::Down, anywhere, "move", None),
    row(Action::PageUp, anywhere, "page", None),
    row(Action::PageDown, anywhere, "page", None),
    row(Action::Top, anywhere, "ends", None),
    row(Action::Bottom, anywhere, "ends", None),
    row(Action::Open, openable, "open", Some(0)),
    row(Action::Back, anywhere, "back", Some(1)),
    row(Action::Filter, filterable, "filter", Some(2)),
    row(Action::Command, commandable, "command", Some(8)),
    row(
        Action::ToggleTags,
        images_or_tags_or_inspector,
        "images/tags",
        Some(3),
    ),
    row(Action::Catalog, repo_or_image, "catalog", Some(9)),
    row(Action::Policy, repo_or_image, "policy", Some(10)),
    row(Action::ResourceTags, repo_or_image, "tags", Some(11)),
    row(Action::Sort, lists, "sort", Some(12)),
    row(Action::SortReverse, lists, "reverse", None),
    row(Action::Refresh, refreshable, "refresh", Some(13)),
    row(Action::AutoRefresh, lists, "auto", None),
    row(Action::Copy, copyable, "copy", Some(14)),
    row(Action::OpenBrowser, lists, "gallery", None),
    row(Action::Profiles, lists, "profile", None),
    row(Action::Regions, lists, "region", None),
    row(Action::ErrorDetails, error_details, "error", None),
    row(Action::Help, not_in_picker, "help", Some(15)),
    row(Action::Quit, anywhere, "quit", Some(16)),
    mutating(row(Action::Edit, editable, "edit", Some(4))),
    mutating(row(Action::New, lists, "new", Some(5))),
    mutating(row(Action::Mark, images_or_tags, "mark", Some(6))),
    mutating(row(Action::MarkAll, images_or_tags, "mark all", None)),
    mutating(row(Action::Delete, deletable, "delete", Some(7))),
    popup(Action::NextField, form, "next field"),
    popup(Action::PrevField, form, "previous field"),
    popup(Action::Save, form, "save"),
    popup(Action::CancelForm, form, "cancel"),
    popup(Action::Undo, form, "undo"),
    popup(Action::Redo, form, "redo"),
    popup(Action::Confirm, confirm, "yes"),
    popup(Action::Deny, confirm, "no"),
    row(Action::Inspect, images_or_tags, "inspect", None),
    // After delete: on an image, the other change people make there (help and quit stay last).
    mutating(row(Action::Retag, images_or_tags, "retag", Some(7))),
    // Before help and quit: the footer drops hints from before those two first.
    row(Action::Bookmark, open_repo, "bookmark", Some(7)),
    row(Action::Lifecycle, repo_or_image, "lifecycle", None),
    mutating(row(Action::Restore, lifecycle, "restore", Some(17))),
];

/// The table's row of `action`.
pub fn row_of(action: Action) -> &'static ActionRow {
    ACTIONS
        .iter()
        .find(|r| r.action == action)
        .expect("every action has a row in ACTIONS")
}

/// Whether `action` does something in `ctx` (help and the footer list only these). In forms and
/// confirmations only their own keys apply (typing goes to the fields).
pub fn applies(action: Action, ctx: Context) -> bool {
    let r = row_of(action);
    r.popup == matches!(ctx, C::Form | C::Confirm) && (r.on)(ctx)
}

/// The footer's actions in footer order.
pub fn footer_rows() -> Vec<&'static ActionRow> {
    let mut rows: Vec<&ActionRow> = ACTIONS.iter().filter(|r| r.footer.is_some()).collect();
    rows.sort_by_key(|r| r.footer);
    rows
}

/// The browsing action bound to `ev`, if any.
pub fn action_for(map: &KeyMap, ev: &KeyEvent) -> Option<Action> {
    map.action_for_event(KeyContext::Browse, ev)
}

/// The first key bound to `action`, for the footer (`None` when the user unbound it).
pub fn first_key(map: &KeyMap, action: Action) -> Option<String> {
    map.keys(action).first().map(KeySpec::label)
}

/// Every key bound to `action`, for help.
pub fn keys_for(map: &KeyMap, action: Action) -> String {
    map.keys(action)
        .iter()
        .map(KeySpec::label)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_action_has_one_row() {
        for &a in Action::ALL {
            assert_eq!(ACTIONS.iter().filter(|r| r.action == a).count(), 1, "{a:?}");
        }
    }
}
