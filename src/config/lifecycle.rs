//! Lifecycle policies kept per repository in the config file, so the TUI's lifecycle view and
//! `ecrp prune` without `--policy` use the same rules next time:
//!
//! ```toml
//! [lifecycle."team/app"]
//! policy = '''{"rules": [...]}'''      # the policy itself, or
//! policy_file = "~/policies/app.json"  # a file holding it
//! ```

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

/// Where a repository's policy is: in the file itself, or in a policy file it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicySource {
    Inline(String),
    File(PathBuf),
}

/// Repository name → its policy.
pub type LifecyclePolicies = BTreeMap<String, PolicySource>;

/// The largest policy file ecrp reads (private ECR's limit is 30,720 characters).
pub const POLICY_FILE_MAX: u64 = 128 * 1024;

impl PolicySource {
    /// The policy text (reads the file: call off the UI's path).
    pub fn text(&self) -> Result<String, String> {
        match self {
            PolicySource::Inline(t) => Ok(t.clone()),
            PolicySource::File(p) => read_policy_file(p),
        }
    }
}

/// `~/` expanded, so a path typed as in a shell works.
pub fn expand(path: &str) -> PathBuf {
    let path = path.trim();
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => Path::new(&home).join(rest),
        _ => path.into(),
    }
}

/// Read a policy file, refusing one too large to be a policy before reading it.
pub fn read_policy_file(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if meta.is_dir() {
        return Err(format!("{}: is a directory", path.display()));
    }
    if meta.len() > POLICY_FILE_MAX {
        return Err(format!(
            "{}: {} bytes, over the {POLICY_FILE_MAX}-byte limit for a policy file",
            path.display(),
            meta.len()
        ));
    }
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// Keep `text` as `repo`'s policy in the config file at `path` (created if missing), leaving
/// everything else in the file (comments included) as it was. A `policy_file` entry is replaced:
/// the file now holds the policy in use.
pub fn save(path: &Path, repo: &str, text: &str) -> io::Result<()> {
    let current = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut doc: toml_edit::DocumentMut = current.parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{} is not valid TOML ({e}); not changed", path.display()),
        )
    })?;
    let root = doc.as_table_mut();
    if !root.contains_key("lifecycle") {
        let mut t = toml_edit::Table::new();
        t.set_implicit(true);
        root.insert("lifecycle", toml_edit::Item::Table(t));
    }
    let Some(lifecycle) = root["lifecycle"].as_table_mut() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!(
                "{}: `lifecycle` is not a table; not changed",
                path.display()
            ),
        ));
    };
    let mut entry = toml_edit::Table::new();
    entry["policy"] = toml_edit::value(text);
    lifecycle.insert(repo, toml_edit::Item::Table(entry));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::private_fs::write_atomic(path, doc.to_string().as_bytes())
}
