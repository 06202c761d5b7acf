//! The config file: `config.toml` in the directories config dir (or `$ECRP_CONFIG`).
//!
//! A bad file never stops ecrp. Each problem becomes a `ConfigWarning` naming the line, column and
//! key; that entry keeps its default and the rest of the file still applies. Parsing uses
//! `toml_edit` because it keeps spans, which plain serde deserialisation would lose.

pub mod bookmarks;
mod key_spec;
mod keymap;
pub mod lifecycle;
mod parse;
pub mod recent;
mod template;

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

pub use key_spec::{KeyCode, KeySpec, Modifiers};
pub use keymap::{Action, KeyContext, KeyMap};
pub use parse::parse;
pub use template::default_file_text;

/// Environment variable naming the config file (tests, several setups side by side).
pub const ENV_CONFIG: &str = "ECRP_CONFIG";
pub const PAGE_SIZE_RANGE: std::ops::RangeInclusive<u32> = 1..=1000;
/// A request timeout longer than an hour is no timeout a person would wait for.
pub const TIMEOUT_MAX_SECONDS: u64 = 3_600;
/// Auto-refresh faster than this would hammer the API; slower than a day is not "auto".
pub const AUTO_REFRESH_MAX_SECONDS: u64 = 86_400;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Theme {
    Dark,
    Light,
    /// Guess from the terminal (COLORFGBG), dark when unknown.
    #[default]
    Auto,
}

impl Theme {
    /// `Auto` made concrete from COLORFGBG (`"15;0"`: foreground;background, set by rxvt, Konsole
    /// and others): a background of 7 or 9–15 is light. Unknown means dark, the common case.
    /// Pass `std::env::var("COLORFGBG").ok().as_deref()`.
    pub fn resolve(self, colorfgbg: Option<&str>) -> Theme {
        if self != Theme::Auto {
            return self;
        }
        let bg = colorfgbg
            .and_then(|v| v.rsplit(';').next())
            .and_then(|b| b.trim().parse::<u8>().ok());
        match bg {
            Some(7) | Some(9..=15) => Theme::Light,
            _ => Theme::Dark,
        }
    }
}

/// Whether colour is off: NO_COLOR set to anything but the empty string (no-color.org).
/// Pass `std::env::var_os("NO_COLOR")`.
pub fn no_color(var: Option<&std::ffi::OsStr>) -> bool {
    var.is_some_and(|v| !v.is_empty())
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateFormat {
    /// "5 hours ago".
    #[default]
    Relative,
    /// "2026-11-22 13:40".
    Absolute,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// AWS profile used when neither `--profile` nor AWS_PROFILE is set.
    pub profile: Option<String>,
    /// Region used when neither `--region` nor AWS_REGION/AWS_DEFAULT_REGION is set.
    pub region: Option<String>,
    /// Where `inspect` and `tags` reach public.ecr.aws's registry API instead (`--registry-url`).
    pub registry_url: Option<String>,
    pub read_only: bool,
    /// maxResults for paged loads.
    pub page_size: u32,
    pub theme: Theme,
    pub date_format: DateFormat,
    /// 0 means off.
    pub auto_refresh_seconds: u64,
    /// Show the last complete listings from the local cache while the fresh ones load.
    pub listing_cache: bool,
    /// How long each request may take.
    pub timeouts: crate::aws::Timeouts,
    pub keys: KeyMap,
    /// `[bookmarks]`: (label, reference) pairs for `:open`'s picker, in file order.
    pub bookmarks: Vec<(String, String)>,
    /// Lifecycle policies by repository name (`[lifecycle."REPO"]`).
    pub lifecycle: lifecycle::LifecyclePolicies,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            profile: None,
            region: None,
            registry_url: None,
            read_only: false,
            page_size: *PAGE_SIZE_RANGE.end(),
            theme: Theme::default(),
            date_format: DateFormat::default(),
            auto_refresh_seconds: 0,
            listing_cache: true,
            timeouts: crate::aws::Timeouts::default(),
            keys: KeyMap::default(),
            bookmarks: Vec::new(),
            lifecycle: lifecycle::LifecyclePolicies::new(),
        }
    }
}

/// One problem in the config file. Displays as `path:line:column: key: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigWarning {
    pub path: Option<PathBuf>,
    /// 1-based; `None` when the problem is not at a place in the file (unreadable file).
    pub line: Option<usize>,
    /// 1-based, in characters.
    pub column: Option<usize>,
    /// The key concerned, dotted (`page_size`, `keys.delete`), when there is one.
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{}", p.display())?,
            None => f.write_str("config")?,
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "{key}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Where the config file is: `$ECRP_CONFIG` when set and not empty, else `config.toml` in the
/// platform config dir (`~/.config/ecrp/config.toml` on Linux). `None` without a home directory.
pub fn config_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os(ENV_CONFIG).filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "ecrp").map(|d| d.config_dir().join("config.toml"))
}

/// Read and parse `path`. A missing file gives the defaults and no warning; an unreadable one gives
/// the defaults and a warning.
pub fn load(path: &Path) -> (Config, Vec<ConfigWarning>) {
    let (config, mut warnings) = match std::fs::read_to_string(path) {
        Ok(text) => parse(&text),
        Err(e) if e.kind() == io::ErrorKind::NotFound => (Config::default(), Vec::new()),
        Err(e) => (
            Config::default(),
            vec![ConfigWarning {
                path: None,
                line: None,
                column: None,
                key: None,
                message: format!("could not read the file ({e}); using the defaults"),
            }],
        ),
    };
    for w in &mut warnings {
        w.path = Some(path.to_path_buf());
    }
    (config, warnings)
}

/// Write the commented default file, creating its directory. Without `force`, an existing file is
/// an `AlreadyExists` error and is left untouched.
pub fn write_default_file(path: &Path, force: bool) -> io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true);
    if force {
        opts.create(true).truncate(true);
    } else {
        // create_new is atomic: no window in which another ecrp could write between check and write.
        opts.create_new(true);
    }
    use io::Write;
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == io::ErrorKind::AlreadyExists {
            io::Error::new(
                e.kind(),
                format!(
                    "{} already exists (use --force to overwrite it)",
                    path.display()
                ),
            )
        } else {
            e
        }
    })?;
    f.write_all(default_file_text().as_bytes())
}

/// The TUI's start-up: write the default file when there is none (first run), then load it.
/// Returns whether the file was created, so the TUI can say where it is.
pub fn load_or_create(path: &Path) -> (Config, Vec<ConfigWarning>, bool) {
    let mut created = false;
    let mut extra = Vec::new();
    if !path.exists() {
        match write_default_file(path, false) {
            Ok(()) => created = true,
            // Lost a race with another ecrp: fine, the file is there now.
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => extra.push(ConfigWarning {
                path: Some(path.to_path_buf()),
                line: None,
                column: None,
                key: None,
                message: format!("could not write the default config file ({e})"),
            }),
        }
    }
    let (config, mut warnings) = load(path);
    warnings.extend(extra);
    (config, warnings, created)
}

/// The config as a command starts with it.
#[derive(Debug, Clone)]
pub struct Startup {
    /// `None` when there is no home directory and no `--config`/`$ECRP_CONFIG`.
    pub path: Option<PathBuf>,
    pub config: Config,
    /// Show these: on stderr for subcommands, in the TUI for the TUI.
    pub warnings: Vec<ConfigWarning>,
    /// The default file was written just now (first run).
    pub created: bool,
}

/// Load the config from `explicit` (`--config`) or `config_path()`. `create` writes the default
/// file when there is none: the TUI does that on first run, subcommands and tests do not.
pub fn startup(explicit: Option<&Path>, create: bool) -> Startup {
    let path = explicit
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .or_else(config_path);
    let Some(p) = path.clone() else {
        return Startup {
            path,
            config: Config::default(),
            warnings: Vec::new(),
            created: false,
        };
    };
    let (config, warnings, created) = if create {
        load_or_create(&p)
    } else {
        let (c, w) = load(&p);
        (c, w, false)
    };
    Startup {
        path,
        config,
        warnings,
        created,
    }
}

/// Values given on the command line; `None` means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub read_only: Option<bool>,
}

/// The settings in effect after merging flags > environment > config file > defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// `None`: let aws-config pick (the `default` profile).
    pub profile: Option<String>,
    /// `None`: let aws-config pick (the profile's region, else us-east-1 in `aws::connect`).
    pub region: Option<String>,
    pub read_only: bool,
    /// From the config file only: no flag or variable sets them.
    pub timeouts: crate::aws::Timeouts,
}

/// Merge flags, environment (`env` looks a variable up; pass `|k| std::env::var(k).ok()`) and the
/// config file. AWS_PROFILE, AWS_REGION and AWS_DEFAULT_REGION are the environment's say.
pub fn resolve(
    flags: &Overrides,
    env: impl Fn(&str) -> Option<String>,
    config: &Config,
) -> Settings {
    let env_nonempty = |k: &str| env(k).filter(|v| !v.is_empty());
    Settings {
        profile: flags
            .profile
            .clone()
            .or_else(|| env_nonempty("AWS_PROFILE"))
            .or_else(|| config.profile.clone()),
        region: flags
            .region
            .clone()
            .or_else(|| env_nonempty("AWS_REGION"))
            .or_else(|| env_nonempty("AWS_DEFAULT_REGION"))
            .or_else(|| config.region.clone()),
        read_only: flags.read_only.unwrap_or(config.read_only),
        timeouts: config.timeouts,
    }
}
