//! The application state: everything `view` draws and `update` changes.

use std::cell::Cell;
use std::collections::HashMap;
use std::mem::{Discriminant, discriminant};

use nucleo_matcher::Matcher;

use super::keymap::Context;
use super::list::List;
use super::modal::{Modal, PendingEdit};
use super::msg::ListId;
use super::strings;
use crate::aws::ClientOptions;
use crate::aws::{AwsError, Catalog, ConnectionInfo, ImageRow, RegistryRow, RepoRow, Tag, TagRow};
use crate::config::{Config, ConfigWarning};
use crate::drafts::Draft;

#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    pub client: ClientOptions,
    pub read_only: bool,
    /// Shown in the header when running on the built-in emulator.
    pub demo: bool,
    /// Keys, theme (already resolved from `auto`), date format, page size, auto-refresh.
    pub config: Config,
    /// Problems in the config file: the status line says so at start, `!` lists them.
    pub config_warnings: Vec<ConfigWarning>,
    /// The default config file was written there just now (first run): the status line says so.
    pub config_created: Option<std::path::PathBuf>,
    /// NO_COLOR: styles (bold, reverse) only.
    pub no_color: bool,
    /// Inside tmux the OSC 52 sequence is wrapped in tmux's passthrough.
    pub in_tmux: bool,
}

/// The focused list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pane {
    Registries,
    Repositories,
    Images,
    Tags,
}

impl Pane {
    pub fn list(self) -> ListId {
        match self {
            Pane::Registries => ListId::Registries,
            Pane::Repositories => ListId::Repositories,
            Pane::Images => ListId::Images,
            Pane::Tags => ListId::Tags,
        }
    }
}

/// A full view or popup over the panes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Catalog {
        repo: Box<str>,
        scroll: u16,
    },
    Policy {
        repo: Box<str>,
        scroll: u16,
    },
    ResourceTags {
        repo: Box<str>,
        arn: Box<str>,
        scroll: u16,
    },
    Help {
        scroll: u16,
    },
    ErrorDetails {
        scroll: u16,
    },
    /// A menu: profiles, regions or what to copy.
    Picker(Picker),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PickerKind {
    Profiles,
    Regions,
    Copy,
    /// Unsaved edits from an earlier run, offered at start.
    Drafts,
    /// Edit the current policy or start from a template.
    PolicyStart,
}

/// One menu entry: what is shown, and the value choosing it uses (a profile or region name, the
/// text to copy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickItem {
    pub label: String,
    pub detail: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub kind: PickerKind,
    pub items: Vec<PickItem>,
    pub selected: usize,
}

/// A single fetched value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetch<T> {
    Loading,
    Ready(T),
    Failed(AwsError),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    None,
    /// A local mistake (an unknown command, nothing selected): cleared by the next key.
    Warning(String),
    /// An outcome worth reading (copied, logged in): cleared by the next key.
    Info(String),
    /// From AWS: stays until a retry or a later load succeeds (and `!` shows it in full).
    Error(AwsError),
}

/// How far the open view scrolls, as the last frame measured it: only the drawing code knows how
/// tall a rendered text is, so `view` records it here and `update` reads it. It is kept with the
/// kind of view it was measured for, so a limit never clamps another view; before the first frame
/// of a view it is unknown and does not clamp (the drawing clamps the offset it shows).
#[derive(Debug, Default)]
pub struct ScrollLimit(Cell<Option<(Discriminant<Overlay>, u16)>>);

impl ScrollLimit {
    pub fn record(&self, view: &Overlay, max: u16) {
        self.0.set(Some((discriminant(view), max)));
    }

    pub fn max(&self, view: &Overlay) -> u16 {
        match self.0.get() {
            Some((kind, max)) if kind == discriminant(view) => max,
            _ => u16::MAX,
        }
    }
}

pub struct App {
    pub opts: RunOptions,
    /// Epoch seconds; relative times are computed from it (the tick updates it, tests fix it).
    pub now: i64,
    /// Spinner beat.
    pub beat: u64,
    pub width: u16,
    pub height: u16,
    /// `None` while the client is being built.
    pub connection: Option<ConnectionInfo>,
    pub display_name: Option<Fetch<Option<String>>>,
    pub registries: List<RegistryRow>,
    pub repos: List<RepoRow>,
    pub images: List<ImageRow>,
    pub tags: List<TagRow>,
    pub pane: Pane,
    /// The repository whose images and tags are loaded.
    pub repo: Option<RepoRow>,
    pub catalogs: HashMap<Box<str>, Fetch<Catalog>>,
    pub policies: HashMap<Box<str>, Fetch<Option<String>>>,
    pub resource_tags: HashMap<Box<str>, Fetch<Vec<Tag>>>,
    pub overlay: Option<Overlay>,
    /// How far the open view can scroll (measured while drawing).
    pub view_scroll: ScrollLimit,
    /// The `:` prompt's input while it is open.
    pub command: Option<String>,
    pub status: Status,
    /// The last error, kept for the details popup after the status line moves on.
    pub last_error: Option<AwsError>,
    /// What to do about `last_error` when it is a credentials problem (`aws sso login …`).
    pub advice: Option<String>,
    /// Auto-refresh interval in seconds while it is on.
    pub auto_refresh: Option<u64>,
    /// When the open pane was last (re)loaded by auto-refresh or a switch, epoch seconds.
    pub refreshed_at: i64,
    /// A region was picked with ctrl-r: switching profile keeps it.
    pub region_chosen: bool,
    /// A profile or region switch is waiting for its new client.
    pub switching: bool,
    pub matcher: Matcher,
    /// Until the registries are known: open the repositories if there is only one. Off once done,
    /// or once the user asked for the registries pane.
    pub skip_single_registry: bool,
    /// A form, confirmation or delete progress: it takes every key while open.
    pub modal: Option<Modal>,
    /// An edit waiting for the values it is prefilled with.
    pub pending_edit: Option<PendingEdit>,
    /// Unsaved edits kept on disk (`None` until read at start).
    pub drafts: Option<Vec<Draft>>,
    /// The start-up offer of drafts was made (once a run).
    pub drafts_offered: bool,
    /// After a reload, put the cursor on this row (a repository just created).
    pub select_after_load: Option<(ListId, Box<str>)>,
    pub quit: bool,
}

impl App {
    pub fn new(opts: RunOptions, now: i64, width: u16, height: u16) -> Self {
        let status = match (opts.config_warnings.len(), &opts.config_created) {
            (0, Some(path)) => Status::Info(strings::config_written(path)),
            (0, None) => Status::None,
            (n, _) => Status::Warning(strings::config_problems(n)),
        };
        App {
            now,
            beat: 0,
            width,
            height,
            connection: None,
            display_name: None,
            registries: List::default(),
            repos: List::default(),
            images: List::default(),
            tags: List::default(),
            pane: Pane::Registries,
            repo: None,
            catalogs: HashMap::new(),
            policies: HashMap::new(),
            resource_tags: HashMap::new(),
            overlay: None,
            view_scroll: ScrollLimit::default(),
            command: None,
            status,
            last_error: None,
            advice: None,
            auto_refresh: (opts.config.auto_refresh_seconds > 0)
                .then_some(opts.config.auto_refresh_seconds),
            refreshed_at: now,
            region_chosen: false,
            switching: false,
            matcher: Matcher::new(nucleo_matcher::Config::DEFAULT),
            skip_single_registry: true,
            modal: None,
            pending_edit: None,
            drafts: None,
            drafts_offered: false,
            select_after_load: None,
            quit: false,
            opts,
        }
    }

    /// Where keys are read now.
    pub fn context(&self) -> Context {
        match &self.modal {
            Some(Modal::Form(_)) => return Context::Form,
            Some(_) => return Context::Confirm,
            None => {}
        }
        match &self.overlay {
            Some(Overlay::Help { .. }) => Context::Help,
            Some(Overlay::Policy { .. }) => Context::PolicyView,
            Some(Overlay::ErrorDetails { .. }) => Context::ErrorDetails,
            Some(Overlay::Picker(_)) => Context::Picker,
            Some(_) => Context::ReadView,
            None => match self.pane {
                Pane::Registries => Context::Registries,
                Pane::Repositories => Context::Repositories,
                Pane::Images => Context::Images,
                Pane::Tags => Context::Tags,
            },
        }
    }

    /// With one registry (the usual case) its pane is skipped and it is named in the header.
    pub fn single_registry(&self) -> bool {
        self.registries.rows.len() == 1
    }

    /// The registry the header names: the only one, or the selected one.
    pub fn registry(&self) -> Option<&RegistryRow> {
        if self.single_registry() {
            self.registries.rows.first()
        } else {
            self.registries.selected()
        }
    }

    /// The repository the preview, catalog, policy and tags are about: the open one when
    /// browsing its images, else the selected one.
    pub fn current_repo(&self) -> Option<&RepoRow> {
        match self.pane {
            Pane::Images | Pane::Tags => self.repo.as_ref(),
            _ => self.repos.selected(),
        }
    }

    pub fn load_of(&self, id: ListId) -> &super::load::Load {
        match id {
            ListId::Registries => &self.registries.load,
            ListId::Repositories => &self.repos.load,
            ListId::Images => &self.images.load,
            ListId::Tags => &self.tags.load,
        }
    }

    pub fn load_mut(&mut self, id: ListId) -> &mut super::load::Load {
        match id {
            ListId::Registries => &mut self.registries.load,
            ListId::Repositories => &mut self.repos.load,
            ListId::Images => &mut self.images.load,
            ListId::Tags => &mut self.tags.load,
        }
    }

    /// Number of shown rows of a list.
    pub fn list_len(&self, id: ListId) -> usize {
        match id {
            ListId::Registries => self.registries.len(),
            ListId::Repositories => self.repos.len(),
            ListId::Images => self.images.len(),
            ListId::Tags => self.tags.len(),
        }
    }

    pub fn keymap(&self) -> &crate::config::KeyMap {
        &self.opts.config.keys
    }

    pub fn is_busy(&self) -> bool {
        self.connection.is_none()
            || [
                ListId::Registries,
                ListId::Repositories,
                ListId::Images,
                ListId::Tags,
            ]
            .iter()
            .any(|&l| self.load_of(l).is_loading())
    }
}
