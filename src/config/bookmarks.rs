//! `[bookmarks]`: repositories of any registry offered by `:open`'s picker, as `label = "REF"`
//! lines. `B` in the `:open` view adds one by editing the file in place (toml_edit keeps the
//! user's comments and layout), written atomically so a crash never leaves half a file.

use std::io;
use std::path::Path;

use toml_edit::{DocumentMut, Item, TableLike, value};

/// The most bookmarks read: the picker is a short list, not a database.
pub const BOOKMARKS_MAX: usize = 200;

/// `label = "REF"` entries; a value that is not a reference is reported and skipped.
pub fn parse(table: &dyn TableLike, warn: &mut dyn FnMut(&str, String)) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (label, item) in table.iter() {
        let Some(r) = item.as_str() else {
            warn(
                label,
                "expected a reference string (\"HOST/NAME\"); ignored".into(),
            );
            continue;
        };
        if let Err(e) = crate::registry::Reference::parse(r) {
            warn(label, format!("{e}; ignored"));
            continue;
        }
        if out.len() == BOOKMARKS_MAX {
            warn(
                label,
                format!("more than {BOOKMARKS_MAX} bookmarks; the rest are ignored"),
            );
            break;
        }
        out.push((label.to_string(), r.to_string()));
    }
    out
}

/// The label `B` gives a reference: its repository name, with a number added when taken.
fn label_for(table: &dyn TableLike, reference: &str) -> String {
    let base = reference
        .split_once('/')
        .map_or(reference, |(_, name)| name)
        .to_string();
    let mut label = base.clone();
    let mut n = 2;
    while table.contains_key(&label) {
        label = format!("{base}-{n}");
        n += 1;
    }
    label
}

/// Add `reference` to the `[bookmarks]` of the config file at `path` (created when missing).
/// Already there: nothing changes. Returns the label it is known by.
pub fn add(path: &Path, reference: &str) -> io::Result<String> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e),
    };
    let mut doc: DocumentMut = text.parse().map_err(|e| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the config file is not valid TOML, so it is left as it is ({e})"),
        )
    })?;
    if !doc.contains_key("bookmarks") {
        // Comments after the last table are the document's trailing text and would be written
        // after the new table, moving them into it (the template's commented `[keys]` lines
        // would read as bookmarks): they go before the new header instead, where they were.
        let trailing = doc.trailing().as_str().unwrap_or("").to_string();
        doc.set_trailing("");
        let mut t = toml_edit::Table::new();
        let sep = if trailing.is_empty() || trailing.ends_with("\n\n") {
            ""
        } else {
            "\n"
        };
        t.decor_mut().set_prefix(format!("{trailing}{sep}"));
        doc.insert("bookmarks", Item::Table(t));
    }
    let table = doc
        .get_mut("bookmarks")
        .and_then(Item::as_table_like_mut)
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bookmarks is not a table"))?;
    if let Some((label, _)) = table.iter().find(|(_, v)| v.as_str() == Some(reference)) {
        return Ok(label.to_string());
    }
    let label = label_for(table, reference);
    table.insert(&label, value(reference));
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    crate::private_fs::write_atomic(path, doc.to_string().as_bytes())?;
    Ok(label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_once_keeping_the_rest_of_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "# mine\ntheme = \"dark\"\n").unwrap();
        assert_eq!(
            add(&path, "public.ecr.aws/docker/library/nginx").unwrap(),
            "docker/library/nginx"
        );
        assert_eq!(
            add(&path, "public.ecr.aws/docker/library/nginx").unwrap(),
            "docker/library/nginx"
        );
        assert_eq!(
            add(&path, "127.0.0.1:5000/docker/library/nginx").unwrap(),
            "docker/library/nginx-2"
        );
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.starts_with("# mine\ntheme = \"dark\"\n"), "{text}");
        let (config, warnings) = crate::config::parse(&text);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.bookmarks.len(), 2);
        assert_eq!(config.bookmarks[1].1, "127.0.0.1:5000/docker/library/nginx");
    }

    #[test]
    fn comments_after_the_last_table_stay_in_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[keys]\n\n# down = \"j\"\n").unwrap();
        add(&path, "127.0.0.1:5000/a/b").unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text,
            "[keys]\n\n# down = \"j\"\n\n[bookmarks]\n\"a/b\" = \"127.0.0.1:5000/a/b\"\n"
        );
    }
}
