//! Every label and message the UI shows, in one place (for consistency now, translation later).

use super::keymap::Action;

pub const APP: &str = "ecrp";
pub const CONNECTING: &str = "connecting…";
pub const READ_ONLY: &str = "READ-ONLY";
pub const DEMO: &str = "DEMO";
pub const HELP_HINT: &str = "? help";
pub const UNTAGGED: &str = "<untagged>";
pub const NO_POLICY: &str =
    "This repository has no policy: only its owner's account can push to it.";
pub const NO_TAGS: &str = "No resource tags.";
pub const NO_CATALOG: &str = "No catalog data.";
pub const NOTHING_SELECTED: &str = "Nothing selected.";
pub const TOO_SMALL: &str = "Terminal too small";
pub const EMPTY: &str = "(empty)";
pub const NO_MATCH: &str = "no rows match the filter";
pub const MULTI_ARCH: &str = "multi-arch";
pub const ERROR_HINT: &str = "! details · r retry";

/// Minimum usable terminal size.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// Pane titles.
pub const REGISTRIES: &str = "Registries";
pub const REPOSITORIES: &str = "Repositories";
pub const IMAGES: &str = "Images";
pub const TAGS: &str = "Image tags";
pub const CATALOG: &str = "Catalog";
pub const POLICY: &str = "Policy";
pub const RESOURCE_TAGS: &str = "Resource tags";
pub const DETAILS: &str = "Details";
pub const HELP: &str = "Help";
pub const ERROR: &str = "Error";

/// What help says each action does.
pub fn action_help(a: Action) -> &'static str {
    match a {
        Action::Up => "move up",
        Action::Down => "move down",
        Action::PageUp => "page up",
        Action::PageDown => "page down",
        Action::Top => "first row",
        Action::Bottom => "last row",
        Action::Open => "open the selection (drill in)",
        Action::Back => "back / close / clear the filter",
        Action::Filter => "fuzzy filter (enter keeps, esc clears)",
        Action::Command => "command line (:repos :images :tags :catalog :policy :rtags …)",
        Action::SwitchView => "switch images ↔ image tags",
        Action::Catalog => "catalog of the repository, full screen",
        Action::Policy => "repository policy",
        Action::ResourceTags => "resource tags of the repository",
        Action::SortNext => "sort by the next column",
        Action::SortReverse => "reverse the sort",
        Action::Refresh => "refresh (after an error: retry from the failed page)",
        Action::ErrorDetails => "details of the last error",
        Action::Help => "this help",
        Action::Quit => "quit",
    }
}

/// Short footer labels.
pub fn action_short(a: Action) -> &'static str {
    match a {
        Action::Up | Action::Down => "move",
        Action::PageUp | Action::PageDown => "page",
        Action::Top | Action::Bottom => "ends",
        Action::Open => "open",
        Action::Back => "back",
        Action::Filter => "filter",
        Action::Command => "command",
        Action::SwitchView => "images/tags",
        Action::Catalog => "catalog",
        Action::Policy => "policy",
        Action::ResourceTags => "tags",
        Action::SortNext => "sort",
        Action::SortReverse => "reverse",
        Action::Refresh => "refresh",
        Action::ErrorDetails => "error",
        Action::Help => "help",
        Action::Quit => "quit",
    }
}

pub fn unknown_command(cmd: &str) -> String {
    format!("unknown command :{cmd} (tab completes, :help lists commands)")
}

pub fn needs_repository(what: &str) -> String {
    format!("select a repository first to see its {what}")
}
