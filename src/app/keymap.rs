//! The TUI side of the keymap: the config's `KeyMap` (defaults from GUIDE §2, remapped by the
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
}

/// Whether `action` does something in `ctx` (help and the footer list only these). In forms and
/// confirmations only their own keys apply (typing goes to the fields).
pub fn applies(action: Action, ctx: Context) -> bool {
    use Action as A;
    use Context as C;
    let popup = matches!(ctx, C::Form | C::Confirm);
    match action {
        A::NextField | A::PrevField | A::Save | A::CancelForm | A::Undo | A::Redo => {
            return ctx == C::Form;
        }
        A::Confirm | A::Deny => return ctx == C::Confirm,
        _ if popup => return false,
        _ => {}
    }
    let list = matches!(ctx, C::Registries | C::Repositories | C::Images | C::Tags);
    let repo_or_image = matches!(ctx, C::Repositories | C::Images | C::Tags);
    let read_view = matches!(ctx, C::ReadView | C::PolicyView);
    match action {
        A::Up | A::Down | A::PageUp | A::PageDown | A::Top | A::Bottom => true,
        A::Back | A::Quit => true,
        A::Help => ctx != C::Picker,
        A::Open => matches!(ctx, C::Registries | C::Repositories | C::Picker),
        A::Filter | A::Sort | A::SortReverse | A::Command => list,
        A::ToggleTags => matches!(ctx, C::Images | C::Tags),
        A::Catalog | A::Policy | A::ResourceTags | A::Copy | A::OpenBrowser => repo_or_image,
        A::Refresh => list || read_view,
        A::AutoRefresh | A::Profiles | A::Regions => list,
        A::ErrorDetails => !matches!(ctx, C::ErrorDetails | C::Picker),
        A::Edit => list || read_view,
        A::New => list,
        A::Mark | A::MarkAll => matches!(ctx, C::Images | C::Tags),
        A::Delete => repo_or_image || ctx == C::PolicyView,
        A::NextField
        | A::PrevField
        | A::Save
        | A::CancelForm
        | A::Undo
        | A::Redo
        | A::Confirm
        | A::Deny => false,
    }
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
