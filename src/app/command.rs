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
    /// `:open [REF]`: a repository of any registry, or (no REF) the picker of bookmarks.
    Open,
    /// `:lifecycle [load PATH | save]`: the lifecycle view of the selected repository.
    Lifecycle,
}

pub struct Command {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub help: &'static str,
    pub cmd: Cmd,
    /// What the word after the name is, as the completion list shows it (`:images REPOSITORY`);
    /// `None`: the command takes none, and one given is refused rather than ignored.
    pub arg: Option<&'static str>,
}

/// One row per command: a new command is a row here, its `Cmd` and its arm in `route`.
#[rustfmt::skip]
pub const COMMANDS: &[Command] = &[
    Command { name: "registries", aliases: &["reg"], help: "list registries", cmd: Cmd::Registries, arg: Some("FILTER") },
    Command { name: "repos", aliases: &["repositories", "repo"], help: "list repositories", cmd: Cmd::Repositories, arg: Some("FILTER") },
    Command { name: "images", aliases: &["img"], help: "images of the selected repository", cmd: Cmd::Images, arg: Some("REPOSITORY") },
    Command { name: "tags", aliases: &[], help: "image tags of the selected repository", cmd: Cmd::Tags, arg: Some("REPOSITORY") },
    Command { name: "catalog", aliases: &["cat"], help: "catalog of the selected repository", cmd: Cmd::Catalog, arg: None },
    Command { name: "policy", aliases: &["pol"], help: "policy of the selected repository", cmd: Cmd::Policy, arg: None },
    Command { name: "rtags", aliases: &["resource-tags"], help: "resource tags of the selected repository", cmd: Cmd::ResourceTags, arg: None },
    Command { name: "name", aliases: &["display-name"], help: "edit the registry's display name", cmd: Cmd::DisplayName, arg: None },
    Command { name: "new", aliases: &["create"], help: "create a repository", cmd: Cmd::NewRepository, arg: None },
    Command { name: "login", aliases: &[], help: "log docker in to public.ecr.aws", cmd: Cmd::Login, arg: None },
    Command { name: "profile", aliases: &["profiles"], help: "switch AWS profile", cmd: Cmd::Profiles, arg: None },
    Command { name: "region", aliases: &["regions"], help: "switch region", cmd: Cmd::Regions, arg: None },
    Command { name: "auto", aliases: &[], help: "turn auto-refresh on or off", cmd: Cmd::AutoRefresh, arg: None },
    Command { name: "help", aliases: &["h"], help: "keys and commands", cmd: Cmd::Help, arg: None },
    Command { name: "q", aliases: &["quit", "q!"], help: "quit", cmd: Cmd::Quit, arg: None },
    Command { name: "open", aliases: &[], help: "open a repository of any registry (no AWS needed), or pick a bookmark", cmd: Cmd::Open, arg: Some("REF") },
    Command { name: "lifecycle", aliases: &["lc"], help: "lifecycle rules of the selected repository (load PATH, save)", cmd: Cmd::Lifecycle, arg: Some("load PATH | save") },
];

/// The command word and the rest (its argument), both trimmed.
fn split(input: &str) -> (&str, &str) {
    let input = input.trim().trim_start_matches(':').trim_start();
    match input.split_once(char::is_whitespace) {
        Some((word, rest)) => (word, rest.trim()),
        None => (input, ""),
    }
}

fn named(c: &Command, word: &str) -> bool {
    c.name == word || c.aliases.contains(&word)
}

/// The commands that fit what is typed: while the first word is being typed, those whose name or
/// an alias starts with it (all of them for an empty input); once an argument follows, the one
/// command it names.
pub fn candidates(input: &str) -> Vec<&'static Command> {
    let (word, _) = split(input);
    let has_arg = input
        .trim_start()
        .trim_start_matches(':')
        .contains(char::is_whitespace);
    COMMANDS
        .iter()
        .filter(|c| {
            if has_arg {
                named(c, word)
            } else {
                c.name.starts_with(word) || c.aliases.iter().any(|a| a.starts_with(word))
            }
        })
        .collect()
}

/// Tab once: the first candidate's name.
pub fn complete(input: &str) -> Option<&'static str> {
    candidates(input).first().map(|c| c.name)
}

/// A command as typed: what to run, and its argument when it takes one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub cmd: Cmd,
    pub arg: Option<String>,
}

pub fn parse(input: &str) -> Result<Parsed, String> {
    let (word, rest) = split(input);
    let c = COMMANDS
        .iter()
        .find(|c| named(c, word))
        .ok_or_else(|| strings::unknown_command(word))?;
    let arg = (!rest.is_empty()).then(|| rest.to_string());
    if arg.is_some() && c.arg.is_none() {
        return Err(strings::takes_no_argument(c.name));
    }
    Ok(Parsed { cmd: c.cmd, arg })
}

/// The `:` prompt while it is open: the text, and the completion being cycled through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub input: String,
    /// What was typed before tab or ↑/↓ began cycling: the list shows its candidates, so
    /// cycling walks them all instead of narrowing to the one just filled in.
    pub typed: String,
    /// The highlighted candidate (an index into `candidates(&typed)`) while cycling.
    pub selected: Option<usize>,
}

impl std::ops::Deref for CommandLine {
    type Target = str;
    fn deref(&self) -> &str {
        &self.input
    }
}

impl CommandLine {
    /// The text changed by typing: cycling starts over from it.
    pub fn edit(&mut self, f: impl FnOnce(&mut String)) {
        f(&mut self.input);
        self.typed = self.input.clone();
        self.selected = None;
    }

    /// What the list shows.
    pub fn candidates(&self) -> Vec<&'static Command> {
        candidates(&self.typed)
    }

    /// tab / ↓ (`delta` 1) and shift-tab / ↑ (-1): highlight the next or previous candidate,
    /// round the end, and put its name (and any argument typed) in the prompt.
    pub fn cycle(&mut self, delta: isize) {
        let list = self.candidates();
        let n = list.len() as isize;
        if n == 0 {
            return;
        }
        let next = match self.selected {
            None if delta >= 0 => 0,
            None => n - 1,
            Some(i) => (i as isize + delta).rem_euclid(n),
        } as usize;
        self.selected = Some(next);
        let (_, arg) = split(&self.typed);
        self.input = if arg.is_empty() {
            list[next].name.to_string()
        } else {
            format!("{} {arg}", list[next].name)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_aliases_and_arguments() {
        let cmd = |s: &str| parse(s).map(|p| p.cmd);
        assert_eq!(cmd("repos"), Ok(Cmd::Repositories));
        assert_eq!(cmd(" :policy "), Ok(Cmd::Policy));
        assert_eq!(cmd("quit"), Ok(Cmd::Quit));
        assert!(parse("frobnicate").unwrap_err().contains(":frobnicate"));
        assert_eq!(
            parse("img  api/v2 "),
            Ok(Parsed {
                cmd: Cmd::Images,
                arg: Some("api/v2".into())
            })
        );
        assert_eq!(parse("repos").unwrap().arg, None);
        assert_eq!(
            parse(" open  public.ecr.aws/a/b "),
            Ok(Parsed {
                cmd: Cmd::Open,
                arg: Some("public.ecr.aws/a/b".into())
            })
        );
        let e = parse("help me").unwrap_err();
        assert!(e.contains(":help") && e.contains("no argument"), "{e}");
    }

    #[test]
    fn cycling_walks_the_candidates_of_what_was_typed_both_ways() {
        let mut c = CommandLine::default();
        c.edit(|s| s.push_str("reg"));
        let names: Vec<&str> = c.candidates().iter().map(|c| c.name).collect();
        assert_eq!(names, ["registries", "region"]);
        c.cycle(1);
        assert_eq!((c.input.as_str(), c.selected), ("registries", Some(0)));
        c.cycle(1);
        assert_eq!((c.input.as_str(), c.selected), ("region", Some(1)));
        c.cycle(1);
        assert_eq!(c.input, "registries", "round the end");
        c.cycle(-1);
        assert_eq!(c.input, "region");
        c.edit(|s| s.push_str(" x"));
        assert_eq!((c.selected, c.candidates().len()), (None, 1));
        let mut back = CommandLine::default();
        back.cycle(-1);
        assert_eq!(back.input, COMMANDS[COMMANDS.len() - 1].name);
        let mut arg = CommandLine::default();
        arg.edit(|s| s.push_str("img web"));
        arg.cycle(1);
        assert_eq!(arg.input, "images web", "the argument stays");
    }

    #[test]
    fn completes_prefixes() {
        assert_eq!(complete("po"), Some("policy"));
        assert_eq!(complete("rt"), Some("rtags"));
        assert_eq!(candidates("").len(), COMMANDS.len());
        assert!(candidates("zz").is_empty());
    }
}
