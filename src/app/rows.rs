//! How each row type sorts and filters.

use std::cmp::Ordering;

use super::list::Row;
use crate::aws::{ImageRow, RegistryRow, RepoRow, TagRow};

impl Row for RegistryRow {
    const SORT_COLUMNS: &'static [&'static str] = &["alias", "id"];
    const SORT_DESC: &'static [bool] = &[false, false];
    fn compare(&self, o: &Self, column: usize) -> Ordering {
        match column {
            0 => self.primary_alias().cmp(&o.primary_alias()),
            _ => self.registry_id.cmp(&o.registry_id),
        }
    }
    fn haystack(&self, out: &mut String) {
        out.push_str(&self.registry_id);
        for a in &self.aliases {
            out.push(' ');
            out.push_str(&a.name);
        }
        if let Some(d) = &self.display_name {
            out.push(' ');
            out.push_str(d);
        }
    }
    fn key(&self) -> &str {
        &self.registry_id
    }
}

impl Row for RepoRow {
    const SORT_COLUMNS: &'static [&'static str] = &["name", "created"];
    const SORT_DESC: &'static [bool] = &[false, true];
    fn compare(&self, o: &Self, column: usize) -> Ordering {
        match column {
            0 => self.repository_name.cmp(&o.repository_name),
            _ => self.created_at.cmp(&o.created_at),
        }
    }
    fn tiebreak(&self, o: &Self) -> Ordering {
        self.repository_name.cmp(&o.repository_name)
    }
    fn haystack(&self, out: &mut String) {
        out.push_str(&self.repository_name);
    }
    fn key(&self) -> &str {
        &self.repository_name
    }
}

impl Row for ImageRow {
    const SORT_COLUMNS: &'static [&'static str] = &["pushed", "tags", "size", "digest"];
    const SORT_DESC: &'static [bool] = &[true, false, true, false];
    fn compare(&self, o: &Self, column: usize) -> Ordering {
        match column {
            0 => self.image_pushed_at.cmp(&o.image_pushed_at),
            // Untagged images sort after tagged ones.
            1 => match (self.image_tags.first(), o.image_tags.first()) {
                (Some(a), Some(b)) => a.cmp(b),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            },
            2 => self.image_size_in_bytes.cmp(&o.image_size_in_bytes),
            _ => self.image_digest.cmp(&o.image_digest),
        }
    }
    /// Tagged images first (an index before its untagged platform images), then by tag, then
    /// larger first.
    fn tiebreak(&self, o: &Self) -> Ordering {
        self.compare(o, 1)
            .then(o.image_size_in_bytes.cmp(&self.image_size_in_bytes))
            .then(self.image_digest.cmp(&o.image_digest))
    }
    fn haystack(&self, out: &mut String) {
        // What the TAGS column shows, so `/untagged` finds the untagged images to clean up.
        if self.image_tags.is_empty() {
            out.push_str(super::strings::UNTAGGED);
            out.push(' ');
        }
        for t in &self.image_tags {
            out.push_str(t);
            out.push(' ');
        }
        out.push_str(&self.image_digest);
    }
    fn key(&self) -> &str {
        &self.image_digest
    }
}

impl Row for TagRow {
    const SORT_COLUMNS: &'static [&'static str] = &["pushed", "tag", "size"];
    const SORT_DESC: &'static [bool] = &[true, false, true];
    fn compare(&self, o: &Self, column: usize) -> Ordering {
        match column {
            0 => self.image_pushed_at.cmp(&o.image_pushed_at),
            1 => self.image_tag.cmp(&o.image_tag),
            _ => self.image_size_in_bytes.cmp(&o.image_size_in_bytes),
        }
    }
    fn tiebreak(&self, o: &Self) -> Ordering {
        self.image_tag.cmp(&o.image_tag)
    }
    fn haystack(&self, out: &mut String) {
        out.push_str(&self.image_tag);
        out.push(' ');
        out.push_str(&self.image_digest);
    }
    fn key(&self) -> &str {
        &self.image_tag
    }
}
