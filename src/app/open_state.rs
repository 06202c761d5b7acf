//! The state of the `:open` view: a repository of any registry, read through the registry API
//! without AWS credentials (its tags as pages arrive, and what each visible tag names), plus the
//! references offered in its picker.

use std::collections::HashMap;

use super::inspector_state::Shared;
use super::state::Fetch;
use crate::registry::RegistryClient;

/// What one tag names, read lazily for the rows on screen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagDetail {
    pub digest: Box<str>,
    /// Config and layers of an image; `None` for an index (its platforms differ in size).
    pub size: Option<u64>,
    /// The config's `created`, epoch seconds, when it has one.
    pub created: Option<i64>,
    /// For an index or manifest list: how many platform manifests it lists.
    pub platforms: Option<usize>,
}

/// A repository opened with `:open REF`.
#[derive(Debug)]
pub struct OpenRepo {
    /// `HOST/NAME` as opened (sanitised before drawing: it is what the user typed).
    pub reference: String,
    /// Answers of earlier `:open`s carry other generations and are dropped.
    pub generation: u64,
    /// Tags in the registry's order; at most the registry client's cap.
    pub tags: Vec<Box<str>>,
    pub loading: bool,
    /// Why the tag list stopped, when it failed.
    pub error: Option<String>,
    pub cursor: usize,
    pub offset: usize,
    /// By tag: read once, when its row is first shown.
    pub details: HashMap<Box<str>, Fetch<TagDetail>>,
}

impl OpenRepo {
    pub fn new(reference: String, generation: u64) -> Self {
        OpenRepo {
            reference,
            generation,
            tags: Vec::new(),
            loading: true,
            error: None,
            cursor: 0,
            offset: 0,
            details: HashMap::new(),
        }
    }

    pub fn selected(&self) -> Option<&str> {
        self.tags.get(self.cursor).map(|t| &**t)
    }

    /// Move the cursor by `delta` rows, keeping it within the tags.
    pub fn move_by(&mut self, delta: isize) {
        let last = self.tags.len().saturating_sub(1);
        self.cursor = self.cursor.saturating_add_signed(delta).min(last);
    }

    /// Keep the cursor within the `height` rows shown.
    pub fn scroll_into_view(&mut self, height: usize) {
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
    }
}

/// The `:open` feature's part of the app: the open view (if any), the references opened this
/// run, and the generation counter of its loads.
#[derive(Debug, Default)]
pub struct Opened {
    pub view: Option<OpenRepo>,
    /// Most recent first, without duplicates.
    pub recent: Vec<String>,
    /// Bookmarks added with `B` this run (the config file's are in `Config::bookmarks`).
    pub added: Vec<String>,
    pub generation: u64,
    /// The open view's registry client (anonymous, as the view reads), once the runner built it:
    /// `enter` inspects a tag through it.
    pub client: Option<Shared<RegistryClient>>,
}
