//! Every remappable action (the k9s and vim habits people bring, plus ecrp's own keys), its
//! defaults, and the `KeyMap` the TUI asks "which action is this key, here?". One table drives the
//! defaults, the config file's `[keys]` section, its commented template and the help popup's
//! descriptions.

use std::collections::BTreeMap;

use crossterm::event::KeyEvent;

use super::key_spec::KeySpec;

/// Where a binding applies. Two actions may share a key only in different contexts (`tab` switches
/// images/tags while browsing and moves between fields in a form).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyContext {
    /// Lists, panes and the main screen.
    Browse,
    /// Forms (catalog, policy, tags editors).
    Form,
    /// Yes/no confirmations.
    Confirm,
}

macro_rules! actions {
    ($($variant:ident $name:literal $ctx:ident [$($key:literal),*] $help:literal;)*) => {
        /// A remappable action; its config name is the snake_case `name()`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action { $($variant),* }

        impl Action {
            /// Every action, in keymap (and template) order.
            pub const ALL: &'static [Action] = &[$(Action::$variant),*];

            /// The name used in the config file's `[keys]` section.
            pub fn name(self) -> &'static str {
                match self { $(Action::$variant => $name),* }
            }

            pub fn context(self) -> KeyContext {
                match self { $(Action::$variant => KeyContext::$ctx),* }
            }

            /// One line for the help popup and the config template.
            pub fn description(self) -> &'static str {
                match self { $(Action::$variant => $help),* }
            }

            /// The default key strings (parsed by `default_keys`).
            pub fn default_key_strings(self) -> &'static [&'static str] {
                match self { $(Action::$variant => &[$($key),*]),* }
            }
        }
    };
}

actions! {
    Down "down" Browse ["j", "down"] "move down in a list";
    Up "up" Browse ["k", "up"] "move up in a list";
    Top "top" Browse ["g", "home"] "go to the first row";
    Bottom "bottom" Browse ["G", "end"] "go to the last row";
    PageDown "page_down" Browse ["pgdn", "ctrl-f"] "move down a page";
    PageUp "page_up" Browse ["pgup", "ctrl-b"] "move up a page";
    Open "open" Browse ["enter", "l", "right"] "open the selection (drill in; on an image or tag: inspect it)";
    Back "back" Browse ["esc", "h", "left"] "go back, close a popup or clear the filter";
    Filter "filter" Browse ["/"] "filter the list (fuzzy); enter keeps it, esc clears it";
    Command "command" Browse [":"] "command line (:repos :images :catalog :login :profile ...)";
    ToggleTags "toggle_tags" Browse ["tab"] "switch between images and image tags; in the inspector, the next section";
    Catalog "catalog" Browse ["c"] "show the selected repository's catalog full screen";
    Policy "policy" Browse ["p"] "show the repository's policy";
    ResourceTags "resource_tags" Browse ["t"] "show the repository's resource tags";
    Edit "edit" Browse ["e"] "edit what is selected (catalog, display name, policy, tags)";
    New "new" Browse ["n"] "create a repository";
    Mark "mark" Browse ["space"] "mark or unmark the selection";
    MarkAll "mark_all" Browse ["ctrl-a"] "mark every row shown";
    Delete "delete" Browse ["d"] "delete the marked items, or the selection, after a confirmation";
    Refresh "refresh" Browse ["r"] "reload this pane";
    AutoRefresh "auto_refresh" Browse ["R"] "turn auto-refresh on or off (interval: auto_refresh_seconds)";
    Sort "sort" Browse ["s"] "cycle the sort column";
    SortReverse "sort_reverse" Browse ["S"] "reverse the sort order";
    Copy "copy" Browse ["y"] "copy the URI, pull command or digest (OSC 52 clipboard)";
    OpenBrowser "open_browser" Browse ["o"] "open the repository's ECR Public Gallery page in a browser";
    Profiles "profiles" Browse ["ctrl-p"] "switch AWS profile";
    Regions "regions" Browse ["ctrl-r"] "switch region";
    ErrorDetails "error_details" Browse ["!"] "details of the last error and of config file problems";
    Help "help" Browse ["?"] "help: every key that works here";
    Quit "quit" Browse ["q", "ctrl-c"] "quit ecrp";
    NextField "next_field" Form ["tab"] "forms: next field";
    PrevField "prev_field" Form ["shift-tab"] "forms: previous field";
    Save "save" Form ["ctrl-s"] "forms: save";
    CancelForm "cancel_form" Form ["esc"] "forms: cancel (asks first when something changed)";
    Undo "undo" Form ["ctrl-z"] "forms: undo the last change to a field (a paste is one change)";
    Redo "redo" Form ["ctrl-y", "ctrl-Z"] "forms: redo what undo took back (ctrl-Z is ctrl-shift-z)";
    Confirm "confirm" Confirm ["y"] "confirmations: yes";
    Deny "deny" Confirm ["n", "esc"] "confirmations: no";
    Inspect "inspect" Browse ["i"] "inspect the selected image: platforms, config, history, layers, raw JSON (enter too)";
    Retag "retag" Browse ["a"] "add a tag to the selected image, or move one to it (same manifest, no pull)";
    Bookmark "bookmark" Browse ["B"] "bookmark the repository opened with :open (the config's [bookmarks])";
    Lifecycle "lifecycle" Browse ["L"] "the repository's lifecycle rules: preview, apply, undo";
    Restore "restore" Browse ["u"] "lifecycle view: restore what the last apply deleted (undo)";
}

impl Action {
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }

    pub fn default_keys(self) -> Vec<KeySpec> {
        self.default_key_strings()
            .iter()
            .map(|s| KeySpec::parse(s).expect("default key strings parse (tested)"))
            .collect()
    }
}

/// Action → keys. Built from the defaults, then the config file's `[keys]` (see `super::load`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyMap {
    bindings: BTreeMap<Action, Vec<KeySpec>>,
}

impl Default for KeyMap {
    fn default() -> Self {
        KeyMap {
            bindings: Action::ALL.iter().map(|&a| (a, a.default_keys())).collect(),
        }
    }
}

impl KeyMap {
    /// The keys bound to `action` (possibly none, when the user gave its last key to another one).
    pub fn keys(&self, action: Action) -> &[KeySpec] {
        self.bindings.get(&action).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The action `key` triggers in `context`, if any.
    pub fn action(&self, context: KeyContext, key: &KeySpec) -> Option<Action> {
        self.bindings
            .iter()
            .find(|(a, keys)| a.context() == context && keys.contains(key))
            .map(|(a, _)| *a)
    }

    /// `action` for a crossterm key event (`None` for unbindable keys such as caps lock).
    pub fn action_for_event(&self, context: KeyContext, ev: &KeyEvent) -> Option<Action> {
        KeySpec::from_event(ev).and_then(|k| self.action(context, &k))
    }

    /// "j/↓" for the help popup and the footer; empty when the action has no key.
    pub fn label(&self, action: Action) -> String {
        self.keys(action)
            .iter()
            .map(KeySpec::label)
            .collect::<Vec<_>>()
            .join("/")
    }

    /// Rows for the help popup: every action of `context` with its keys and description, in
    /// keymap order (actions left without a key included, with an empty label).
    pub fn help_rows(&self, context: KeyContext) -> Vec<(Action, String, &'static str)> {
        Action::ALL
            .iter()
            .filter(|a| a.context() == context)
            .map(|&a| (a, self.label(a), a.description()))
            .collect()
    }

    pub(super) fn set(&mut self, action: Action, keys: Vec<KeySpec>) {
        self.bindings.insert(action, keys);
    }

    pub(super) fn remove_key(&mut self, action: Action, key: &KeySpec) {
        if let Some(keys) = self.bindings.get_mut(&action) {
            keys.retain(|k| k != key);
        }
    }

    /// Pairs of different actions sharing a key in the same context: `(key, first, second)`.
    pub fn conflicts(&self) -> Vec<(KeySpec, Action, Action)> {
        let mut seen: BTreeMap<(KeyContext, KeySpec), Action> = BTreeMap::new();
        let mut out = Vec::new();
        for (&action, keys) in &self.bindings {
            for key in keys {
                match seen.get(&(action.context(), *key)) {
                    Some(&other) if other != action => out.push((*key, other, action)),
                    _ => {
                        seen.insert((action.context(), *key), action);
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::{KeyCode as CtKeyCode, KeyModifiers};

    #[test]
    fn defaults_parse_and_do_not_conflict() {
        let map = KeyMap::default();
        assert_eq!(map.conflicts(), vec![]);
        for &a in Action::ALL {
            assert!(!map.keys(a).is_empty(), "{} has no default key", a.name());
            assert_eq!(Action::from_name(a.name()), Some(a));
        }
    }

    #[test]
    fn lookup_depends_on_context() {
        let map = KeyMap::default();
        let tab = KeySpec::parse("tab").unwrap();
        assert_eq!(
            map.action(KeyContext::Browse, &tab),
            Some(Action::ToggleTags)
        );
        assert_eq!(map.action(KeyContext::Form, &tab), Some(Action::NextField));
        let ev = KeyEvent::new(CtKeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(
            map.action_for_event(KeyContext::Browse, &ev),
            Some(Action::Quit)
        );
        assert_eq!(map.label(Action::Down), "j/↓");
        let help = map.help_rows(KeyContext::Confirm);
        assert_eq!(
            help,
            vec![
                (Action::Confirm, "y".into(), "confirmations: yes"),
                (Action::Deny, "n/esc".into(), "confirmations: no"),
            ]
        );
    }
}
