//! Parsing config text into a `Config` and warnings, entry by entry, keeping going past errors.

use std::ops::Range;
use std::time::Duration;

use toml_edit::{Item, TableLike};

use crate::aws::Timeouts;

use super::{
    AUTO_REFRESH_MAX_SECONDS, Action, Config, ConfigWarning, DateFormat, KeyMap, KeySpec,
    PAGE_SIZE_RANGE, TIMEOUT_MAX_SECONDS, Theme,
};

/// A key (value) with its position: its string or `None` when not a string, its span, its type.
type Element<'a> = (Option<&'a str>, Option<Range<usize>>, &'static str);

/// Parse config text. Never fails: see the module comment.
pub fn parse(text: &str) -> (Config, Vec<ConfigWarning>) {
    let mut warnings = Vec::new();
    let Some((doc_text, doc)) = parse_tolerant(text, &mut warnings) else {
        return (Config::default(), warnings);
    };
    let mut p = Parser {
        text: &doc_text,
        warnings,
        config: Config::default(),
    };
    p.root(doc.as_table());
    (p.config, p.warnings)
}

/// Parse as TOML; on a syntax error, warn, blank the offending line and try again so the rest of
/// the file still applies. Gives up (defaults) when an error has no position.
fn parse_tolerant(
    text: &str,
    warnings: &mut Vec<ConfigWarning>,
) -> Option<(String, toml_edit::Document<String>)> {
    let mut text = text.to_string();
    // Bounded: each round blanks one more line, so it ends after at most one round per line.
    for _ in 0..=text.lines().count() {
        match toml_edit::Document::parse(text.clone()) {
            Ok(doc) => return Some((text, doc)),
            Err(e) => {
                let msg = e.message().trim_end().to_string();
                let Some(span) = e.span() else {
                    warnings.push(at(
                        &text,
                        None,
                        None,
                        format!("TOML syntax error: {msg}; using the defaults for the whole file"),
                    ));
                    return None;
                };
                warnings.push(at(
                    &text,
                    Some(span.clone()),
                    None,
                    format!("TOML syntax error: {msg}; this line is ignored"),
                ));
                let start = text[..span.start.min(text.len())]
                    .rfind('\n')
                    .map_or(0, |i| i + 1);
                let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                if text[start..end].trim().is_empty() {
                    // Nothing left to blank on that line: the error is structural.
                    warnings.push(at(
                        &text,
                        None,
                        None,
                        "the file could not be repaired; using the defaults".into(),
                    ));
                    return None;
                }
                text.replace_range(start..end, "");
            }
        }
    }
    None
}

/// A warning at a byte range of `text` (line and column computed from the start).
fn at(text: &str, span: Option<Range<usize>>, key: Option<&str>, message: String) -> ConfigWarning {
    let (line, column) = match span.map(|s| position(text, s.start)) {
        Some((l, c)) => (Some(l), Some(c)),
        None => (None, None),
    };
    ConfigWarning {
        path: None,
        line,
        column,
        key: key.map(str::to_string),
        message,
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

struct Parser<'a> {
    text: &'a str,
    warnings: Vec<ConfigWarning>,
    config: Config,
}

/// A user's `[keys]` entry that parsed, in file order, for conflict resolution.
struct UserBinding {
    action: Action,
    keys: Vec<KeySpec>,
    span: Option<Range<usize>>,
}

impl Parser<'_> {
    fn warn(&mut self, span: Option<Range<usize>>, key: &str, message: String) {
        let w = at(self.text, span, Some(key), message);
        self.warnings.push(w);
    }

    fn root(&mut self, table: &toml_edit::Table) {
        for (name, item) in table.iter() {
            let span = table
                .key(name)
                .and_then(|k| k.span())
                .or_else(|| item.span());
            let vspan = item.span().or_else(|| span.clone());
            match name {
                "profile" => {
                    if let Some(v) = self.nonempty_string(item, vspan, name) {
                        self.config.profile = Some(v);
                    }
                }
                "region" => {
                    if let Some(v) = self.nonempty_string(item, vspan.clone(), name) {
                        if v.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
                            self.config.region = Some(v);
                        } else {
                            self.warn(vspan, name, format!(
                                "{v:?} is not a region name (e.g. \"us-east-1\"); using the default (none)"
                            ));
                        }
                    }
                }
                "registry_url" => {
                    if let Some(v) = self.nonempty_string(item, vspan.clone(), name) {
                        match crate::registry::parse_registry_url(&v) {
                            Ok(_) => self.config.registry_url = Some(v),
                            Err(e) => self.warn(vspan, name, format!("{e}; using the default (none)")),
                        }
                    }
                }
                "read_only" => match item.as_bool() {
                    Some(b) => self.config.read_only = b,
                    None => self.wrong_type(item, vspan, name, "true or false", "false"),
                },
                "listing_cache" => match item.as_bool() {
                    Some(b) => self.config.listing_cache = b,
                    None => self.wrong_type(item, vspan, name, "true or false", "true"),
                },
                "page_size" => {
                    let d = Config::default().page_size;
                    match item.as_integer() {
                        Some(n) if n >= 1 && n <= i64::from(*PAGE_SIZE_RANGE.end()) => {
                            self.config.page_size = n as u32
                        }
                        Some(n) => self.warn(vspan, name, format!(
                            "{n} is out of range (1 to 1000); using the default ({d})"
                        )),
                        None => self.wrong_type(item, vspan, name, "a whole number from 1 to 1000", &d.to_string()),
                    }
                }
                "theme" => {
                    let choices = [("dark", Theme::Dark), ("light", Theme::Light), ("auto", Theme::Auto)];
                    if let Some(t) = self.choice(item, vspan, name, &choices, "auto") {
                        self.config.theme = t;
                    }
                }
                "date_format" => {
                    let choices = [("relative", DateFormat::Relative), ("absolute", DateFormat::Absolute)];
                    if let Some(d) = self.choice(item, vspan, name, &choices, "relative") {
                        self.config.date_format = d;
                    }
                }
                "auto_refresh_seconds" => match item.as_integer() {
                    Some(n) if (0..=AUTO_REFRESH_MAX_SECONDS as i64).contains(&n) => {
                        self.config.auto_refresh_seconds = n as u64
                    }
                    Some(n) => self.warn(vspan, name, format!(
                        "{n} is out of range (0 = off, up to {AUTO_REFRESH_MAX_SECONDS}); using the default (0, off)"
                    )),
                    None => self.wrong_type(item, vspan, name, "a whole number of seconds (0 = off)", "0"),
                },
                "connect_timeout_seconds"
                | "read_timeout_seconds"
                | "attempt_timeout_seconds"
                | "operation_timeout_seconds" => self.timeout(item, vspan, name),
                "keys" => match item.as_table_like() {
                    Some(t) => self.keys(t),
                    None => self.wrong_type(item, vspan, name, "a table ([keys])", "the default keymap"),
                },
                "bookmarks" => match item.as_table_like() {
                    Some(t) => {
                        let mut found = Vec::new();
                        let bookmarks = super::bookmarks::parse(t, &mut |label, msg| {
                            found.push((t.key(label).and_then(|k| k.span()), label.to_string(), msg))
                        });
                        for (span, label, msg) in found {
                            self.warn(span, &format!("bookmarks.{label}"), msg);
                        }
                        self.config.bookmarks = bookmarks;
                    }
                    None => self.wrong_type(item, vspan, name, "a table ([bookmarks])", "none"),
                },
                "lifecycle" => match item.as_table_like() {
                    Some(t) => self.lifecycle(t),
                    None => self.wrong_type(item, vspan, name, "a table ([lifecycle.\"REPO\"])", "none"),
                },
                _ => self.warn(span, name, format!(
                    "unknown key (known: profile, region, registry_url, read_only, page_size, theme, \
                     date_format, auto_refresh_seconds, listing_cache, *_timeout_seconds, [keys], [bookmarks], [lifecycle]); ignored{}",
                    suggestion(name, ROOT_KEYS.iter().copied())
                )),
            }
        }
    }

    /// One of the request timeouts, in whole seconds.
    fn timeout(&mut self, item: &Item, span: Option<Range<usize>>, name: &str) {
        let t = &mut self.config.timeouts;
        let (slot, default) = match name {
            "connect_timeout_seconds" => (&mut t.connect, Timeouts::default().connect),
            "read_timeout_seconds" => (&mut t.read, Timeouts::default().read),
            "attempt_timeout_seconds" => (&mut t.attempt, Timeouts::default().attempt),
            _ => (&mut t.operation, Timeouts::default().operation),
        };
        let d = default.as_secs();
        match item.as_integer() {
            Some(n) if (1..=TIMEOUT_MAX_SECONDS as i64).contains(&n) => {
                *slot = Duration::from_secs(n as u64)
            }
            Some(n) => self.warn(
                span,
                name,
                format!(
                    "{n} is out of range (1 to {TIMEOUT_MAX_SECONDS}); using the default ({d})"
                ),
            ),
            None => self.wrong_type(
                item,
                span,
                name,
                &format!("a whole number of seconds from 1 to {TIMEOUT_MAX_SECONDS}"),
                &d.to_string(),
            ),
        }
    }

    fn wrong_type(
        &mut self,
        item: &Item,
        span: Option<Range<usize>>,
        key: &str,
        want: &str,
        default: &str,
    ) {
        self.warn(
            span,
            key,
            format!(
                "expected {want}, found {}; using the default ({default})",
                type_name(item)
            ),
        );
    }

    fn nonempty_string(
        &mut self,
        item: &Item,
        span: Option<Range<usize>>,
        key: &str,
    ) -> Option<String> {
        match item.as_str() {
            Some(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(_) => {
                self.warn(span, key, "empty; using the default (none)".into());
                None
            }
            None => {
                self.wrong_type(item, span, key, "a string", "none");
                None
            }
        }
    }

    fn choice<T: Copy>(
        &mut self,
        item: &Item,
        span: Option<Range<usize>>,
        key: &str,
        choices: &[(&str, T)],
        default: &str,
    ) -> Option<T> {
        let names: Vec<String> = choices.iter().map(|(n, _)| format!("{n:?}")).collect();
        let want = names.join(" or ");
        let Some(s) = item.as_str() else {
            self.wrong_type(item, span, key, &want, default);
            return None;
        };
        match choices
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(s.trim()))
        {
            Some((_, v)) => Some(*v),
            None => {
                self.warn(
                    span,
                    key,
                    format!("{s:?} is not {want}; using the default ({default})"),
                );
                None
            }
        }
    }

    /// `[lifecycle."REPO"]` tables, each with `policy` (the JSON) or `policy_file` (a path). The
    /// policy itself is validated where it is used (the lifecycle view, `ecrp prune`), which name
    /// the rule and the field.
    fn lifecycle(&mut self, table: &dyn TableLike) {
        use super::lifecycle::{PolicySource, expand};
        for (repo, item) in table.iter() {
            let full = format!("lifecycle.{repo}");
            let span = table
                .get_key_value(repo)
                .and_then(|(k, _)| k.span())
                .or_else(|| item.span());
            let Some(entry) = item.as_table_like() else {
                self.wrong_type(item, span, &full, "a table (policy or policy_file)", "none");
                continue;
            };
            let text = entry.get("policy").and_then(Item::as_str);
            let file = entry.get("policy_file").and_then(Item::as_str);
            let unknown: Vec<&str> = entry
                .iter()
                .map(|(k, _)| k)
                .filter(|k| !matches!(*k, "policy" | "policy_file"))
                .collect();
            if !unknown.is_empty() {
                self.warn(
                    span.clone(),
                    &full,
                    format!(
                        "unknown key(s) {} (known: policy, policy_file); ignored",
                        unknown.join(", ")
                    ),
                );
            }
            match (text, file) {
                (Some(t), None) if !t.trim().is_empty() => {
                    self.config
                        .lifecycle
                        .insert(repo.to_string(), PolicySource::Inline(t.to_string()));
                }
                (None, Some(f)) if !f.trim().is_empty() => {
                    self.config
                        .lifecycle
                        .insert(repo.to_string(), PolicySource::File(expand(f)));
                }
                (Some(_), Some(_)) => self.warn(
                    span,
                    &full,
                    "give policy or policy_file, not both; ignored".into(),
                ),
                _ => self.warn(
                    span,
                    &full,
                    "needs policy (a non-empty string) or policy_file (a path); ignored".into(),
                ),
            }
        }
    }

    fn keys(&mut self, table: &dyn TableLike) {
        let mut user: Vec<UserBinding> = Vec::new();
        for (name, item) in table.iter() {
            let full = format!("keys.{name}");
            let span = table
                .get_key_value(name)
                .and_then(|(k, _)| k.span())
                .or_else(|| item.span());
            let Some(action) = Action::from_name(name) else {
                let names = Action::ALL.iter().map(|a| a.name());
                self.warn(span, &full, format!(
                    "unknown action; ignored{} (the actions are listed in `ecrp config init`'s file)",
                    suggestion(name, names)
                ));
                continue;
            };
            if let Some(keys) = self.key_list(action, item, span.clone(), &full) {
                user.push(UserBinding { action, keys, span });
            }
        }
        self.resolve_keys(user);
    }

    /// A key string or an array of them (`[]` unbinds the action). `None` after a warning.
    fn key_list(
        &mut self,
        action: Action,
        item: &Item,
        span: Option<Range<usize>>,
        full: &str,
    ) -> Option<Vec<KeySpec>> {
        let default = action.default_key_strings().join(", ");
        let elems: Vec<Element> = if let Some(s) = item.as_str() {
            vec![(Some(s), item.span(), "string")]
        } else if let Some(arr) = item.as_array() {
            arr.iter()
                .map(|v| (v.as_str(), v.span(), v.type_name()))
                .collect()
        } else {
            self.wrong_type(
                item,
                item.span().or(span),
                full,
                "a key string or an array of them",
                &default,
            );
            return None;
        };
        let mut keys = Vec::new();
        for (s, vspan, ty) in elems {
            let parsed = match s {
                Some(s) => KeySpec::parse(s).map_err(|e| format!("{s:?}: {e}")),
                None => Err(format!("expected a key string, found {ty}")),
            };
            match parsed {
                Ok(k) if !keys.contains(&k) => keys.push(k),
                Ok(_) => {}
                Err(e) => {
                    self.warn(
                        vspan.or(span),
                        full,
                        format!("{e}; using the default ({default})"),
                    );
                    return None;
                }
            }
        }
        Some(keys)
    }

    /// Apply the user's bindings over the defaults. Between two of the user's own bindings sharing
    /// a key, the earlier line wins and the later action goes back to its defaults (with a warning).
    /// A user binding beats a default one: the default action loses that key, with a warning only
    /// when it is left with no key at all.
    fn resolve_keys(&mut self, mut user: Vec<UserBinding>) {
        loop {
            let clash = user.iter().enumerate().find_map(|(j, later)| {
                user[..j].iter().find_map(|earlier| {
                    let key = later.keys.iter().find(|k| {
                        earlier.action.context() == later.action.context()
                            && earlier.keys.contains(k)
                    })?;
                    Some((j, *key, earlier.action, earlier.span.clone()))
                })
            });
            let Some((j, key, winner, winner_span)) = clash else {
                break;
            };
            let loser = user.remove(j);
            let line = winner_span.map(|s| position(self.text, s.start).0);
            let full = format!("keys.{}", loser.action.name());
            self.warn(
                loser.span,
                &full,
                format!(
                    "`{key}` is already bound to {}{}; using the default ({})",
                    winner.name(),
                    line.map(|l| format!(" on line {l}")).unwrap_or_default(),
                    loser.action.default_key_strings().join(", ")
                ),
            );
        }
        let mut map = KeyMap::default();
        for b in &user {
            map.set(b.action, b.keys.clone());
        }
        for b in &user {
            for key in &b.keys {
                for &other in Action::ALL {
                    let is_user = user.iter().any(|u| u.action == other);
                    if other == b.action || is_user || other.context() != b.action.context() {
                        continue;
                    }
                    if map.keys(other).contains(key) {
                        map.remove_key(other, key);
                        if map.keys(other).is_empty() {
                            let full = format!("keys.{}", b.action.name());
                            self.warn(b.span.clone(), &full, format!(
                                "`{key}` was {}'s only key, so {} now has none; give it one in [keys]",
                                other.name(),
                                other.name()
                            ));
                        }
                    }
                }
            }
        }
        self.config.keys = map;
    }
}

const ROOT_KEYS: &[&str] = &[
    "profile",
    "region",
    "registry_url",
    "read_only",
    "page_size",
    "theme",
    "date_format",
    "auto_refresh_seconds",
    "listing_cache",
    "connect_timeout_seconds",
    "read_timeout_seconds",
    "attempt_timeout_seconds",
    "operation_timeout_seconds",
    "keys",
    "bookmarks",
    "lifecycle",
];

fn type_name(item: &Item) -> &'static str {
    match item {
        Item::Value(v) => v.type_name(),
        other => other.type_name(),
    }
}

/// " (did you mean `x`?)" for a near miss: same letters in another case, or one edit away.
fn suggestion<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> String {
    known
        .into_iter()
        .find(|k| {
            k.eq_ignore_ascii_case(name)
                || k.replace('-', "_") == name.replace('-', "_")
                || within_one_edit(k, name)
        })
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

fn within_one_edit(a: &str, b: &str) -> bool {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[prefix + 1.min(short.len() - prefix)..] == long[prefix + 1.min(long.len() - prefix)..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}
