//! The `:` command line: the commands, their completion and parsing.

use super::strings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmd {
    Registries,
    Repositories,
    Images,
    Tags,
    Catalog,
    Policy,
    ResourceTags,
    DisplayName,
    NewRepository,
    Login,
    Profiles,
    Regions,
    AutoRefresh,
    Help,
    Quit,
    Lifecycle,
}

pub struct Command {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub help: &'static str,
    pub cmd: Cmd,
}

#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command { name: "registries", aliases: &["reg"], help: "list registries", cmd: Cmd::Registries },
    Command { name: "repos", aliases: &["repositories", "repo"], help: "list repositories", cmd: Cmd::Repositories },
    Command { name: "images", aliases: &["img"], help: "images of the selected repository", cmd: Cmd::Images },
    Command { name: "tags", aliases: &[], help: "image tags of the selected repository", cmd: Cmd::Tags },
    Command { name: "catalog", aliases: &["cat"], help: "catalog of the selected repository", cmd: Cmd::Catalog },
    Command { name: "policy", aliases: &["pol"], help: "policy of the selected repository", cmd: Cmd::Policy },
    Command { name: "rtags", aliases: &["resource-tags"], help: "resource tags of the selected repository", cmd: Cmd::ResourceTags },
    Command { name: "name", aliases: &["display-name"], help: "edit the registry's display name", cmd: Cmd::DisplayName },
    Command { name: "new", aliases: &["create"], help: "create a repository", cmd: Cmd::NewRepository },
    Command { name: "login", aliases: &[], help: "log docker in to public.ecr.aws", cmd: Cmd::Login },
    Command { name: "profile", aliases: &["profiles"], help: "switch AWS profile", cmd: Cmd::Profiles },
    Command { name: "region", aliases: &["regions"], help: "switch region", cmd: Cmd::Regions },
    Command { name: "auto", aliases: &[], help: "turn auto-refresh on or off", cmd: Cmd::AutoRefresh },
    Command { name: "help", aliases: &["h"], help: "keys and commands", cmd: Cmd::Help },
    Command { name: "q", aliases: &["quit", "q!"], help: "quit", cmd: Cmd::Quit },
    Command { name: "lifecycle", aliases: &["lc"], help: "lifecycle rules (load PATH, save)", cmd: Cmd::Lifecycle },
];

/// Commands whose name or an alias starts with what is typed (all of them for an empty input).
pub fn candidates(input: &str) -> Vec<&'static Command> {
    let input = input.trim();
    COMMANDS
        .iter()
        .filter(|c| c.name.starts_with(input) || c.aliases.iter().any(|a| a.starts_with(input)))
        .collect()
}

/// Tab: the first candidate's name.
pub fn complete(input: &str) -> Option<&'static str> {
    candidates(input).first().map(|c| c.name)
}

/// What follows `:lifecycle` (`load PATH`, `save`), the one command that takes arguments.
pub fn lifecycle_args(input: &str) -> Option<&str> {
    let t = input.trim().trim_start_matches(':').trim_start();
    let (word, rest) = t.split_once(char::is_whitespace)?;
    matches!(word, "lifecycle" | "lc").then_some(rest.trim())
}

pub fn parse(input: &str) -> Result<Cmd, String> {
    let word = input.trim().trim_start_matches(':').trim();
    COMMANDS
        .iter()
        .find(|c| c.name == word || c.aliases.contains(&word))
        .map(|c| c.cmd)
        .ok_or_else(|| strings::unknown_command(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_aliases() {
        assert_eq!(parse("repos"), Ok(Cmd::Repositories));
        assert_eq!(parse(" :policy "), Ok(Cmd::Policy));
        assert_eq!(parse("quit"), Ok(Cmd::Quit));
        assert!(parse("frobnicate").unwrap_err().contains(":frobnicate"));
    }

    #[test]
    fn completes_prefixes() {
        assert_eq!(complete("po"), Some("policy"));
        assert_eq!(complete("rt"), Some("rtags"));
        assert_eq!(candidates("").len(), COMMANDS.len());
        assert!(candidates("zz").is_empty());
    }
}
