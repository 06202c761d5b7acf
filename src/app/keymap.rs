//! The keymap in one place: which keys do what, and where. Help and the footer are generated from
//! it, so they can never list a key that does nothing. (Remapping from the config file comes later
//! and replaces `BINDINGS`.)

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Open,
    Back,
    Filter,
    Command,
    SwitchView,
    Catalog,
    Policy,
    ResourceTags,
    SortNext,
    SortReverse,
    Refresh,
    ErrorDetails,
    Help,
    Quit,
}

/// Where keys are read: a list pane or a full view/popup over it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Context {
    Registries,
    Repositories,
    Images,
    Tags,
    /// Catalog, policy and resource tags: scrollable read views.
    ReadView,
    Help,
    ErrorDetails,
}

#[derive(Debug, Clone, Copy)]
pub struct Key {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

const fn k(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::NONE,
    }
}
const fn code(code: KeyCode) -> Key {
    Key {
        code,
        mods: KeyModifiers::NONE,
    }
}
const fn ctrl(c: char) -> Key {
    Key {
        code: KeyCode::Char(c),
        mods: KeyModifiers::CONTROL,
    }
}

pub struct Binding {
    pub keys: &'static [Key],
    pub action: Action,
}

#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    Binding { keys: &[k('k'), code(KeyCode::Up)], action: Action::Up },
    Binding { keys: &[k('j'), code(KeyCode::Down)], action: Action::Down },
    Binding { keys: &[code(KeyCode::PageUp), ctrl('b')], action: Action::PageUp },
    Binding { keys: &[code(KeyCode::PageDown), ctrl('f')], action: Action::PageDown },
    Binding { keys: &[k('g'), code(KeyCode::Home)], action: Action::Top },
    Binding { keys: &[k('G'), code(KeyCode::End)], action: Action::Bottom },
    Binding { keys: &[code(KeyCode::Enter), k('l'), code(KeyCode::Right)], action: Action::Open },
    Binding { keys: &[code(KeyCode::Esc), k('h'), code(KeyCode::Left)], action: Action::Back },
    Binding { keys: &[k('/')], action: Action::Filter },
    Binding { keys: &[k(':')], action: Action::Command },
    Binding { keys: &[code(KeyCode::Tab)], action: Action::SwitchView },
    Binding { keys: &[k('c')], action: Action::Catalog },
    Binding { keys: &[k('p')], action: Action::Policy },
    Binding { keys: &[k('t')], action: Action::ResourceTags },
    Binding { keys: &[k('s')], action: Action::SortNext },
    Binding { keys: &[k('S')], action: Action::SortReverse },
    Binding { keys: &[k('r')], action: Action::Refresh },
    Binding { keys: &[k('!')], action: Action::ErrorDetails },
    Binding { keys: &[k('?')], action: Action::Help },
    Binding { keys: &[k('q'), ctrl('c')], action: Action::Quit },
];

impl Action {
    /// Whether the action does something in `ctx` (help and the footer list only these).
    pub fn applies(self, ctx: Context) -> bool {
        use Action as A;
        use Context as C;
        let list = matches!(ctx, C::Registries | C::Repositories | C::Images | C::Tags);
        match self {
            A::Up | A::Down | A::PageUp | A::PageDown | A::Top | A::Bottom => true,
            A::Back | A::Help | A::Quit => true,
            A::Open => matches!(ctx, C::Registries | C::Repositories),
            A::Filter | A::SortNext | A::SortReverse | A::Command => list,
            A::SwitchView => matches!(ctx, C::Images | C::Tags),
            A::Catalog | A::Policy | A::ResourceTags => {
                matches!(ctx, C::Repositories | C::Images | C::Tags)
            }
            A::Refresh => list || ctx == C::ReadView,
            A::ErrorDetails => ctx != C::ErrorDetails,
        }
    }
}

/// The action bound to `ev`, if any. Shifted letters arrive as upper-case chars with SHIFT set,
/// so SHIFT is ignored for characters.
pub fn action_for(ev: &KeyEvent) -> Option<Action> {
    let mods = match ev.code {
        KeyCode::Char(_) => ev.modifiers - KeyModifiers::SHIFT,
        _ => ev.modifiers,
    };
    BINDINGS
        .iter()
        .find(|b| {
            b.keys
                .iter()
                .any(|key| key.code == ev.code && key.mods == mods)
        })
        .map(|b| b.action)
}

/// How a key is written in help and the footer.
pub fn key_name(key: &Key) -> String {
    let base = match key.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Up => "↑".into(),
        KeyCode::Down => "↓".into(),
        KeyCode::Left => "←".into(),
        KeyCode::Right => "→".into(),
        KeyCode::PageUp => "PgUp".into(),
        KeyCode::PageDown => "PgDn".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Tab => "tab".into(),
        other => format!("{other:?}"),
    };
    if key.mods.contains(KeyModifiers::CONTROL) {
        format!("ctrl-{base}")
    } else {
        base
    }
}

/// The first key bound to `action`, for the footer.
pub fn first_key(action: Action) -> Option<String> {
    BINDINGS
        .iter()
        .find(|b| b.action == action)
        .and_then(|b| b.keys.first())
        .map(key_name)
}

/// Every key bound to `action`, for help.
pub fn keys_for(action: Action) -> String {
    BINDINGS
        .iter()
        .filter(|b| b.action == action)
        .flat_map(|b| b.keys.iter().map(key_name))
        .collect::<Vec<_>>()
        .join(" ")
}
