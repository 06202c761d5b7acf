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
        Action::ToggleTags => "images/tags",
        Action::Catalog => "catalog",
        Action::Policy => "policy",
        Action::ResourceTags => "tags",
        Action::Sort => "sort",
        Action::SortReverse => "reverse",
        Action::Refresh => "refresh",
        Action::AutoRefresh => "auto",
        Action::Copy => "copy",
        Action::OpenBrowser => "gallery",
        Action::Profiles => "profile",
        Action::Regions => "region",
        Action::ErrorDetails => "error",
        Action::Help => "help",
        Action::Quit => "quit",
        Action::Edit => "edit",
        Action::New => "new",
        Action::Mark => "mark",
        Action::MarkAll => "mark all",
        Action::Delete => "delete",
        Action::NextField => "next field",
        Action::PrevField => "previous field",
        Action::Save => "save",
        Action::CancelForm => "cancel",
        Action::Confirm => "yes",
        Action::Deny => "no",
    }
}

/// Seconds auto-refresh uses when the config leaves it off and the key turns it on.
pub const AUTO_REFRESH_DEFAULT_SECONDS: u64 = 10;
pub const PROFILES: &str = "Profiles";
pub const REGIONS: &str = "Regions";
pub const COPY: &str = "Copy";
pub const NO_PROFILES: &str =
    "no profiles in the AWS config or credentials files (aws configure creates one)";
pub const LOGGING_IN: &str = "logging docker in…";
pub const DEMO_LOGIN: &str =
    "--demo: the emulator's token is not valid for public.ecr.aws, so docker was not logged in";

pub fn config_problems(n: usize) -> String {
    let s = if n == 1 { "" } else { "s" };
    format!("{n} problem{s} in the config file, defaults used there (! shows where)")
}

pub fn config_written(path: &std::path::Path) -> String {
    format!(
        "wrote a commented config file to {} (keys, theme, defaults)",
        path.display()
    )
}

pub fn switched(profile: &str, region: &str) -> String {
    format!("now using profile {profile} in {region}")
}

pub fn switching(what: &str, to: &str) -> String {
    format!("switching {what} to {to}…")
}

pub fn copied(label: &str, text: &str) -> String {
    format!("copied {label}: {text}")
}

pub fn auto_refresh(secs: Option<u64>) -> String {
    match secs {
        Some(n) => format!("auto-refresh every {n}s"),
        None => "auto-refresh off".into(),
    }
}

pub fn unknown_command(cmd: &str) -> String {
    format!("unknown command :{cmd} (tab completes, :help lists commands)")
}

pub fn needs_repository(what: &str) -> String {
    format!("select a repository first to see its {what}")
}
