//! Every label and message the UI shows, in one place (for consistency now, translation later).

pub const APP: &str = "ecrp";
pub const CONNECTING: &str = "connecting…";
/// `r` while cached rows wait for the fresh listing that is already being read.
pub const ALREADY_REVALIDATING: &str =
    "the fresh listing is already being read: it replaces the cached rows when complete";
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
/// A list whose first page failed: not an empty list.
pub const LIST_FAILED: &str = "(failed: r retries · ! shows why)";
pub const NO_MATCH: &str = "no rows match the filter";
pub const MULTI_ARCH: &str = "multi-arch";
pub const ERROR_HINT: &str = "! details · r retry";

/// The error hint while a form is open, where `!` and `r` type into the field.
pub fn form_retry_hint(save_key: &str) -> String {
    format!("{save_key} tries again")
}

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

/// Seconds auto-refresh uses when the config leaves it off and the key turns it on.
pub const AUTO_REFRESH_DEFAULT_SECONDS: u64 = 10;
pub const PROFILES: &str = "Profiles";
pub const REGIONS: &str = "Regions";
pub const COPY: &str = "Copy";
pub const UNSAVED_EDITS: &str = "Unsaved edits";
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

pub fn copied_through_tmux(label: &str, text: &str) -> String {
    format!(
        "sent {label} to tmux, whose allow-passthrough is off: it may not have reached the outer \
         clipboard (tmux set -g allow-passthrough on): {text}"
    )
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

/// The delete plan's note on the untagged images it does not send.
pub fn platforms_left_out(n: usize) -> String {
    format!(
        "Left out: {} of multi-arch images that stay (marked ↳ in the list). The service refuses \
         to delete a platform manifest while an index lists it.",
        crate::fmt::count(n, "platform manifest")
    )
}

/// The delete plan's note on the platform manifests of indexes it deletes.
pub fn platforms_of_going_left_out(n: usize) -> String {
    format!(
        "Also left out: {} of multi-arch images this deletes. The service refuses them until \
         their index is gone; then they are plain untagged images for the next delete.",
        crate::fmt::count(n, "platform manifest")
    )
}

/// `d` when every image it would delete is a platform manifest of an index that stays.
pub fn only_platforms(n: usize) -> String {
    format!(
        "nothing to delete: {} of multi-arch images (the service refuses them while their index \
         exists)",
        if n == 1 {
            "it is a platform manifest".to_string()
        } else {
            format!("all {} are platform manifests", crate::fmt::thousands(n))
        }
    )
}

/// The delete plan's caveat when the registry API did not say which untagged images are platform
/// manifests (`why`: its error, when it failed rather than is still loading).
pub fn platforms_unknown(indexes: usize, why: Option<String>) -> String {
    let state = match why {
        Some(why) => format!("could not be read through the registry API ({why})"),
        None => "are still being read through the registry API".into(),
    };
    format!(
        "Caution: the manifests of {} here {state}, so untagged images in this plan may be \
         their platform manifests, which the service refuses to delete while the index exists.",
        crate::fmt::count(indexes, "multi-arch image")
    )
}

pub fn takes_no_argument(cmd: &str) -> String {
    format!(":{cmd} takes no argument")
}

pub fn no_repository_matches(arg: &str) -> String {
    format!("no repository matches {arg} among those loaded")
}

pub fn needs_repository(what: &str) -> String {
    format!("select a repository first to see its {what}")
}

// Editing and deleting.

pub fn read_only_refusal(what: &str) -> String {
    format!(
        "read-only: {what} is off (started with --read-only or read_only = true in the config; --read-write overrides)"
    )
}

pub fn cannot_prefill(what: &str, e: &crate::aws::AwsError) -> String {
    format!(
        "cannot edit the {what}: reading it failed ({}: {})",
        e.code, e.message
    )
}

pub const STILL_FETCHING: &str = "still reading the current value; try again in a moment";
/// ctrl-s on an invalid form: which field needs fixing (focus is on it, its message in red).
pub fn form_invalid(label: &str) -> String {
    format!("not saved: {label} needs fixing (the focused field, its message in red)")
}
pub const NO_CHANGE: &str = "nothing changed, nothing sent";
pub const POLICY_EDIT_CURRENT: &str = "Edit the current policy";
pub const POLICY_FROM_TEMPLATE: &str = "Start from a template";
pub const DRAFTS_OFFER: &str =
    "unsaved edits from an earlier run: enter reopens one, esc keeps them for later";
pub const DRAFTS_KEPT: &str = "drafts kept: e on the repository offers its draft back";
pub const MARKS_CLEARED: &str = "marks cleared";
pub const NOTHING_TO_MARK: &str = "no rows shown, nothing to mark";
pub const NO_POLICY_TO_DELETE: &str = "this repository has no policy to delete";
pub const REGISTRY_NOT_DELETABLE: &str = "a registry cannot be deleted; e edits its display name";

pub fn fetching_before_edit(repo: &str) -> String {
    format!("reading the current values of {repo} before editing… (esc cancels)")
}

pub fn edit_cancelled(repo: &str) -> String {
    format!("edit of {repo} cancelled")
}

pub fn edit_dropped_moved(repo: &str) -> String {
    format!("edit of {repo} cancelled: another repository is selected")
}

/// "removing the policy of acme/web…"
pub fn working(what: &str, name: &str) -> String {
    format!("{what} {name}…")
}

/// "saved the catalog of acme/web"
pub fn done(what: &str, name: &str) -> String {
    format!("{what} {name}")
}

pub fn editor_failed(e: &str) -> String {
    format!("the editor failed, the text is as it was: {e}")
}

pub fn tags_saved(set: usize, removed: usize) -> String {
    format!("resource tags saved: {set} added or changed, {removed} removed")
}

pub fn marked(n: usize) -> String {
    format!("{} marked: d deletes them", crate::fmt::thousands(n))
}

pub fn delete_summary(deleted: usize, total: usize, failed: usize, not_sent: usize) -> String {
    let t = |n: usize| crate::fmt::thousands(n);
    let mut s = format!("deleted {} of {}", t(deleted), t(total));
    if failed > 0 {
        s.push_str(&format!("; {} failed (listed in the report)", t(failed)));
    }
    if not_sent > 0 {
        s.push_str(&format!("; stopped, {} not sent", t(not_sent)));
    }
    s
}

pub fn draft_label(d: &crate::drafts::Draft) -> String {
    let what = match d.kind {
        crate::drafts::DraftKind::Catalog => "catalog",
        crate::drafts::DraftKind::Policy => "policy",
    };
    format!("{what} of {}", d.repository)
}

/// "5 min ago".
pub fn ago(secs: i64) -> String {
    match secs.max(0) {
        0..60 => "less than a minute ago".into(),
        s @ 60..3600 => format!("{} min ago", s / 60),
        s @ 3600..86_400 => format!("{} h ago", s / 3600),
        s => format!("{} days ago", s / 86_400),
    }
}

/// At start, when ~/.aws/config (or credentials) cannot be parsed; `!` says where.
pub const AWS_FILES_BROKEN: &str =
    "the AWS config file cannot be parsed: ! shows the file, line and reason";
