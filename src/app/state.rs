//! The application state: everything `view` draws and `update` changes.

use std::cell::Cell;
use std::mem::{Discriminant, discriminant};

use nucleo_matcher::Matcher;

use super::actions::Context;
use super::fetch::Cache;
pub use super::fetch::Fetch;
use super::inspector_state::InspectorState;
use super::list::{AnyList, List};
use super::modal::{Modal, PendingEdit};
use super::msg::{ListId, Read};
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
    /// The shared AWS config or credentials file the SDK cannot parse (file, line, reason): the
    /// SDK itself only says "could not parse profile file", so the status line says where at
    /// start, `!` lists it, and credential errors point at it.
    pub aws_files_problem: Option<String>,
    /// `--region` was given: switching profile keeps it instead of taking the profile's region.
    pub region_pinned: bool,
    /// Inside tmux: whether it passes the copy sequence on to the outer terminal (`None`: unknown).
    pub tmux_passthrough: Option<bool>,
    /// The config file, where `B` adds bookmarks (`None`: no home directory and no --config).
    pub config_path: Option<std::path::PathBuf>,
    /// Where the references opened with `:open` are kept between runs (`None`: not kept).
    pub recent_path: Option<std::path::PathBuf>,
    /// Those references as the last run left them, most recent first.
    pub recent: Vec<String>,
    /// Where lifecycle journals go (`None`: the data directory's `journal`).
    pub journal_dir: Option<std::path::PathBuf>,
    /// The listing cache (`None`: off, as with `--no-cache` or `listing_cache = false`).
    pub cache: Option<CacheOptions>,
}

/// Where the listing cache lives and whose credentials it is for.
#[derive(Debug, Clone)]
pub struct CacheOptions {
    pub store: crate::cache::Store,
    /// `Scope::env_identity()`, read once at start.
    pub identity: String,
}

/// What is on top of the screen, highest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A form, confirmation or delete progress: it takes every key.
    Popup,
    /// The `:` prompt.
    CommandLine,
    /// A menu (profiles, regions, what to copy, drafts).
    Menu,
    /// A full view or popup over the lists (catalog, policy, tags, help, error details).
    View,
    /// The focused list's `/` prompt.
    FilterPrompt,
    Lists,
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
    pub const ALL: [Pane; 4] = [
        Pane::Registries,
        Pane::Repositories,
        Pane::Images,
        Pane::Tags,
    ];

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
    /// The image inspector (its state is `App::inspector`).
    Inspector,
    /// A repository of any registry opened with `:open` (its state is `App::opened`).
    OpenRepo,
    /// The repository's lifecycle rules (state in `App::lifecycle`).
    Lifecycle {
        repo: Box<str>,
    },
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
    /// Bookmarked and recently opened references, for `:open`.
    OpenRecent,
    /// Edit the lifecycle policy or start from a template.
    LifecycleStart,
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

/// What the service said, for the client in use: a profile or region switch replaces all of it
/// at once (`successor`), so nothing of the old account lingers.
pub struct Remote {
    /// The generation of the client in use: single reads carry it, and an answer carrying
    /// another comes from a client replaced since.
    pub client: u64,
    /// `None` while the client is being built.
    pub connection: Option<ConnectionInfo>,
    pub display_name: Option<Fetch<Option<String>>>,
    pub registries: List<RegistryRow>,
    pub repos: List<RepoRow>,
    pub images: List<ImageRow>,
    pub tags: List<TagRow>,
    /// The repository whose images and tags are loaded.
    pub repo: Option<RepoRow>,
    pub catalogs: Cache<Catalog>,
    pub policies: Cache<Option<String>>,
    pub resource_tags: Cache<Vec<Tag>>,
    /// The open repository's indexes and their platform manifests (from the registry API).
    pub platforms: super::platforms::Platforms,
    /// The repository under the cursor, asked for ahead of `enter`.
    pub prefetch: super::prefetch::Prefetch,
    /// The scope the start-up read of the cache was keyed by, while its rows show before the
    /// client is ready (`cached_start`).
    pub early: Option<crate::cache::Scope>,
}

impl Default for Remote {
    fn default() -> Self {
        Remote {
            client: 0,
            connection: None,
            display_name: None,
            registries: List::default(),
            repos: List::default(),
            images: List::default(),
            tags: List::default(),
            repo: None,
            catalogs: Cache::new(Read::Catalog),
            policies: Cache::new(Read::Policy),
            resource_tags: Cache::new(Read::ResourceTags),
            platforms: Default::default(),
            prefetch: Default::default(),
            early: None,
        }
    }
}

impl Remote {
    /// The empty state for a new client. The lists keep their sort and filter (the user's
    /// choices, not the account's), and their load generations go on from the old ones, so a
    /// page the old client still delivers matches no load of the new one.
    pub fn successor(mut self) -> Remote {
        for id in ListId::ALL {
            let l = self.list_mut(id);
            l.clear();
            l.load_mut().reset();
        }
        Remote {
            registries: self.registries,
            repos: self.repos,
            images: self.images,
            tags: self.tags,
            client: self.client + 1,
            prefetch: self.prefetch.successor(),
            ..Remote::default()
        }
    }

    /// Any of the four lists, whatever its row type.
    pub fn list(&self, id: ListId) -> &dyn AnyList {
        match id {
            ListId::Registries => &self.registries,
            ListId::Repositories => &self.repos,
            ListId::Images => &self.images,
            ListId::Tags => &self.tags,
        }
    }

    pub fn list_mut(&mut self, id: ListId) -> &mut dyn AnyList {
        match id {
            ListId::Registries => &mut self.registries,
            ListId::Repositories => &mut self.repos,
            ListId::Images => &mut self.images,
            ListId::Tags => &mut self.tags,
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
    /// What the service said, for the client in use.
    pub remote: Remote,
    pub pane: Pane,
    pub overlay: Option<Overlay>,
    /// How far the open view can scroll (measured while drawing).
    pub view_scroll: ScrollLimit,
    /// The `:` prompt while it is open.
    pub command: Option<super::command::CommandLine>,
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
    /// The footer's `! error` badge: on from an error until the next action succeeds (`!` keeps
    /// the error after that).
    pub error_unread: bool,
    /// The list whose page failed, when that was the error: only that list's next page says the
    /// failing thing works again (another list's page does not clear the status line).
    pub failed_list: Option<ListId>,
    /// Each profile's own region, as the profile menu listed them: choosing a profile switches
    /// to its region (the environment's AWS_REGION would otherwise win over it).
    pub profile_regions: Vec<(String, Option<String>)>,
    /// The image inspector: its registry connection, cache and open view.
    pub inspector: InspectorState,
    /// `:open`: a repository of any registry, read without AWS credentials.
    pub opened: super::open_state::Opened,
    /// The lifecycle view's state (kept while closed, for the same repository and client).
    pub lifecycle: Option<Box<super::lifecycle_state::LifecycleView>>,
}

impl App {
    pub fn new(opts: RunOptions, now: i64, width: u16, height: u16) -> Self {
        let status = match (opts.config_warnings.len(), &opts.config_created) {
            _ if opts.aws_files_problem.is_some() => {
                Status::Warning(strings::AWS_FILES_BROKEN.into())
            }
            (0, Some(path)) => Status::Info(strings::config_written(path)),
            (0, None) => Status::None,
            (n, _) => Status::Warning(strings::config_problems(n)),
        };
        App {
            now,
            beat: 0,
            width,
            height,
            remote: Remote::default(),
            pane: Pane::Registries,
            overlay: None,
            view_scroll: ScrollLimit::default(),
            command: None,
            status,
            last_error: None,
            advice: None,
            auto_refresh: (opts.config.auto_refresh_seconds > 0)
                .then_some(opts.config.auto_refresh_seconds),
            refreshed_at: now,
            region_chosen: opts.region_pinned,
            switching: false,
            matcher: Matcher::new(nucleo_matcher::Config::DEFAULT),
            skip_single_registry: true,
            modal: None,
            pending_edit: None,
            drafts: None,
            drafts_offered: false,
            select_after_load: None,
            quit: false,
            error_unread: false,
            failed_list: None,
            profile_regions: Vec::new(),
            inspector: InspectorState::default(),
            opened: super::open_state::Opened {
                recent: opts.recent.clone(),
                ..Default::default()
            },
            lifecycle: None,
            opts,
        }
    }

    /// Where keys are read now.
    pub fn context(&self) -> Context {
        match (self.layer(), &self.modal, &self.overlay) {
            (Layer::Popup, Some(Modal::Form(_)), _) => Context::Form,
            (Layer::Popup, _, _) => Context::Confirm,
            (_, _, Some(Overlay::Help { .. })) => Context::Help,
            (_, _, Some(Overlay::Policy { .. })) => Context::PolicyView,
            (_, _, Some(Overlay::ErrorDetails { .. })) => Context::ErrorDetails,
            (_, _, Some(Overlay::Picker(_))) => Context::Picker,
            (_, _, Some(Overlay::Inspector)) => Context::Inspector,
            (_, _, Some(Overlay::OpenRepo)) => Context::OpenRepo,
            (_, _, Some(Overlay::Lifecycle { .. })) => Context::Lifecycle,
            (_, _, Some(_)) => Context::ReadView,
            (_, _, None) => match self.pane {
                Pane::Registries => Context::Registries,
                Pane::Repositories => Context::Repositories,
                Pane::Images => Context::Images,
                Pane::Tags => Context::Tags,
            },
        }
    }

    /// With one registry (the usual case) its pane is skipped and it is named in the header.
    pub fn single_registry(&self) -> bool {
        self.remote.registries.rows.len() == 1
    }

    /// The registry the header names: the only one, or the selected one.
    /// Whether esc in the list does anything: clear the filter, or go back to the pane on the
    /// left. The footer leaves `esc back` out where it would do nothing.
    pub fn can_go_back(&self) -> bool {
        let filtered = match self.pane {
            Pane::Registries => !self.remote.registries.filter().query.is_empty(),
            Pane::Repositories => !self.remote.repos.filter().query.is_empty(),
            Pane::Images => !self.remote.images.filter().query.is_empty(),
            Pane::Tags => !self.remote.tags.filter().query.is_empty(),
        };
        filtered
            || match self.pane {
                Pane::Images | Pane::Tags => true,
                Pane::Repositories => !self.single_registry(),
                Pane::Registries => false,
            }
    }

    pub fn registry(&self) -> Option<&RegistryRow> {
        if self.single_registry() {
            self.remote.registries.rows.first()
        } else {
            self.remote.registries.selected()
        }
    }

    /// The repository the preview, catalog, policy and tags are about: the open one when
    /// browsing its images, else the selected one.
    pub fn current_repo(&self) -> Option<&RepoRow> {
        match self.pane {
            Pane::Images | Pane::Tags => self.remote.repo.as_ref(),
            _ => self.remote.repos.selected(),
        }
    }

    pub fn load_of(&self, id: ListId) -> &super::load::Load {
        self.remote.list(id).load()
    }

    pub fn load_mut(&mut self, id: ListId) -> &mut super::load::Load {
        self.remote.list_mut(id).load_mut()
    }

    /// Number of shown rows of a list.
    pub fn list_len(&self, id: ListId) -> usize {
        self.remote.list(id).len()
    }

    /// The focused list.
    pub fn focused(&self) -> &dyn AnyList {
        self.remote.list(self.pane.list())
    }

    pub fn focused_mut(&mut self) -> &mut dyn AnyList {
        self.remote.list_mut(self.pane.list())
    }

    /// Whether the focused list's `/` prompt is open.
    pub fn filter_editing(&self) -> bool {
        self.focused().filter().editing
    }

    /// What is on top: it takes the keys and names the footer's keys, and `view` draws the
    /// layers in this order from the bottom (lists, view or menu, command line, popup).
    pub fn layer(&self) -> Layer {
        if self.modal.is_some() {
            Layer::Popup
        } else if self.command.is_some() {
            Layer::CommandLine
        } else if let Some(o) = &self.overlay {
            match o {
                Overlay::Picker(_) => Layer::Menu,
                Overlay::Inspector if self.inspector.filter_editing() => Layer::FilterPrompt,
                _ => Layer::View,
            }
        } else if self.filter_editing() {
            Layer::FilterPrompt
        } else {
            Layer::Lists
        }
    }

    pub fn keymap(&self) -> &crate::config::KeyMap {
        &self.opts.config.keys
    }

    pub fn is_busy(&self) -> bool {
        self.remote.connection.is_none()
            || ListId::ALL.iter().any(|&l| self.load_of(l).is_loading())
    }
}
