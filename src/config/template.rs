//! The commented default config file, written on first run and by `ecrp config init`.
//!
//! Every setting is present but commented out, showing its default: a user uncomments what they
//! change, and defaults that improve in later versions still reach everyone else. The `[keys]`
//! part is generated from the action table so it can never drift from the keymap.

use super::keymap::Action;

const HEADER: &str = r#"# ecrp configuration.
#
# Every setting below is commented out and shows its default. Uncomment a line to change it.
# Command-line flags win over environment variables, which win over this file.
# A mistake here never stops ecrp: it names the line and key, and uses the default for that entry.
# `ecrp config path` prints where this file is; `ecrp config init --force` rewrites it.

# AWS profile from ~/.aws/config and ~/.aws/credentials, used when neither --profile nor
# AWS_PROFILE is set. Default: unset (aws-config's choice, the "default" profile).
# profile = "default"

# Region, used when neither --region nor AWS_REGION / AWS_DEFAULT_REGION is set. It takes
# precedence over the profile's own region. ECR Public is served from "us-east-1" (and
# "us-west-2"). Default: unset (the profile's region, else us-east-1).
# region = "us-east-1"

# The registry API address `ecrp inspect`, `ecrp tags` and the image inspector use for
# public.ecr.aws, e.g. a mirror or `ecrp emulator`'s URL. http:// only for loopback hosts.
# --registry-url and ECRP_REGISTRY_URL win. Default: unset (https://public.ecr.aws).
# registry_url = "http://127.0.0.1:5000"

# Refuse every change (create, edit, delete): browsing only. --read-only and --read-write on the
# command line win. true or false. Default: false.
# read_only = false

# How many rows each request asks for while loading lists (maxResults). 1 to 1000. Smaller pages
# show the first rows sooner on slow links; larger pages need fewer requests. Default: 1000.
# page_size = 1000

# Colours: "dark" for dark terminal backgrounds, "light" for light ones, "auto" to guess from the
# terminal (dark when it cannot tell). NO_COLOR in the environment turns colour off regardless.
# Default: "auto".
# theme = "auto"

# Dates in lists: "relative" ("5 hours ago") or "absolute" ("2026-11-22 13:40", UTC).
# Default: "relative".
# date_format = "relative"

# Refresh the open pane every N seconds, keeping the selection and the filter. 0 turns it off;
# at most 86400. The auto_refresh key toggles it while ecrp runs. Default: 0 (off).
# auto_refresh_seconds = 0

# Show the last complete listings (kept in the cache directory, or $ECRP_CACHE_DIR) at once, marked
# as cached, while the fresh listing loads; `--no-cache` turns it off for one run. Default: true.
# listing_cache = true

# How long a request may take, in seconds (1 to 3600), so that an endpoint that stalls or trickles
# its answer ends in an error instead of a wait: establishing the connection, the wait for the
# answer to start, one attempt with its whole body, and the whole call with its retries.
# Defaults: 5, 30, 30 and 120.
# connect_timeout_seconds = 5
# read_timeout_seconds = 30
# attempt_timeout_seconds = 30
# operation_timeout_seconds = 120

# Key bindings: action = "key" or action = ["key", "other key"]; [] leaves an action without a key.
# Keys: a single character ("j", "G", "?", "/"), or enter, esc, tab, backspace, delete, insert,
# home, end, pgup, pgdn, up, down, left, right, space, f1 to f24; with modifiers joined by "-":
# "ctrl-a", "alt-x", "shift-tab". Upper-case letters mean shift ("G", not "shift-g").
# Two actions used in the same place cannot share a key; the one on the later line keeps its
# default. Binding a key that another action has by default takes it from that action.
[keys]
"#;

/// The lifecycle section of the default file: prose and an example, no setting to uncomment (a
/// policy belongs to one repository, so there is no default).
const LIFECYCLE: &str = r#"
# Lifecycle policies (private ECR's format) per repository, for the TUI's lifecycle view (L) and
# `ecrp prune REPO` without --policy. The view's `:lifecycle save` (and applying) writes them here,
# as a table per repository with the JSON itself or a file holding it, for example:
#   [lifecycle."team/app"] with policy = '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'
#   [lifecycle."team/api"] with policy_file = "~/policies/api.json"
"#;

/// The full text of the default config file.
pub fn default_file_text() -> String {
    let mut s = HEADER.to_string();
    let mut last_context = None;
    for &action in Action::ALL {
        if last_context.is_some() && last_context != Some(action.context()) {
            s.push('\n');
        }
        last_context = Some(action.context());
        let keys = action.default_key_strings();
        let value = match keys {
            [one] => toml_string(one),
            many => format!(
                "[{}]",
                many.iter()
                    .map(|k| toml_string(k))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        s.push_str(&format!(
            "# {:<13} = {value:<22} # {}\n",
            action.name(),
            action.description()
        ));
    }
    s.push_str(LIFECYCLE);
    s
}

/// A TOML basic string for a key string (only `"` and `\` need escaping in ours).
fn toml_string(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
