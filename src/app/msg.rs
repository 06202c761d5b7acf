//! Messages into `update` and the effects it asks for.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::aws::{
    AwsError, Catalog, CatalogInput, ClientOptions, ConnectionInfo, DeleteOutcome, ImageRef,
    ImageRow, Page, RegistryRow, RepoRow, Tag, TagRow,
};
use crate::drafts::{Draft, DraftKind};
use crate::forms::PathCheck;
use crate::forms::Values;
use crate::forms::repository::CreateRepositoryRequest;
use crate::forms::tags::TagDelta;
use crate::profiles::ProfileInfo;

/// The four paginated lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListId {
    Registries,
    Repositories,
    Images,
    Tags,
}

impl ListId {
    pub const ALL: [ListId; 4] = [
        ListId::Registries,
        ListId::Repositories,
        ListId::Images,
        ListId::Tags,
    ];
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PageRows {
    Registries(Page<RegistryRow>),
    Repositories(Page<RepoRow>),
    Images(Page<ImageRow>),
    Tags(Page<TagRow>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Msg {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// A bracketed paste: the block as text, delivered at once (never as keys).
    Paste(String),
    /// The clock (epoch seconds) for relative times, and a beat for the spinner.
    Tick(i64),
    Connected(ConnectionInfo),
    Page {
        generation: u64,
        rows: PageRows,
    },
    PageFailed {
        list: ListId,
        generation: u64,
        error: AwsError,
    },
    /// A single read's answer, from the client of generation `client`.
    Fetched {
        client: u64,
        answer: Answer,
    },
    /// The profiles in the shared AWS files, for the ctrl-p picker (or why they could not be read).
    Profiles(Result<Vec<ProfileInfo>, String>),
    /// The outcome of a copy, a browser launch or a docker login, for the status line.
    Done(Result<String, String>),
    /// The drafts kept on disk, read once at start.
    Drafts(Vec<Draft>),
    /// A form's file path, read and checked (the logo).
    PathChecked {
        field: usize,
        path: String,
        check: PathCheck,
    },
    /// Text back from $VISUAL / $EDITOR for a form field; `Err` says why the editor failed.
    EditorDone {
        field: usize,
        result: Result<String, String>,
    },
    /// A mutation finished: the request as it was sent, and what the service said.
    Saved {
        op: Mutation,
        result: Result<(), AwsError>,
    },
    /// One BatchDeleteImage chunk of a bulk delete finished.
    Deleted(DeleteOutcome),
    /// The bulk delete is over; `not_sent` ids were never sent because it was stopped.
    DeleteEnded {
        not_sent: usize,
    },
    /// SIGTERM / SIGHUP.
    Quit,
    /// The listing cache's rows for `key` (`None`: nothing intact cached), read for the list
    /// `list` of client `client`.
    CacheRead {
        client: u64,
        list: ListId,
        key: Box<crate::cache::Key>,
        cached: Option<Box<crate::cache::Cached>>,
    },
    /// The rest timer armed with `seq` fired.
    Rested {
        seq: u64,
    },
    /// A prefetch asked for with `seq` by client `client` answered.
    Prefetched {
        client: u64,
        seq: u64,
        answer: Result<super::prefetch::Prefetched, AwsError>,
    },
}

/// Work for the effect runner; each answers with `Msg`s.
#[derive(Debug, Clone)]
pub enum Effect {
    Connect(ClientOptions),
    /// Load `list` page by page from `token` (for images and tags: of `repo`).
    Load {
        list: ListId,
        generation: u64,
        repo: Option<Box<str>>,
        token: Option<String>,
    },
    /// Stop `list`'s load: no further request is sent.
    Cancel(ListId),
    /// A single read, for the client of generation `client` (its answer carries it back).
    Fetch {
        client: u64,
        read: Read,
    },
    /// Read the shared AWS config and credentials files.
    ListProfiles,
    /// Write `bytes` (an OSC 52 sequence) to the terminal; `done` is the status message after.
    WriteTerminal {
        bytes: String,
        done: String,
    },
    /// Open a web page in the user's browser.
    OpenUrl(String),
    /// GetAuthorizationToken and `docker login` (docker found on PATH); in `--demo` only the
    /// token is fetched, since it is no good for the real registry.
    Login {
        demo: bool,
        profile: String,
    },
    /// Run one mutation (the client refuses it in read-only mode before anything is sent).
    Mutate(Mutation),
    /// BatchDeleteImage in chunks of 100, a few in flight; a `Deleted` per chunk.
    DeleteImages {
        repo: Box<str>,
        ids: Vec<ImageRef>,
    },
    /// Send no further chunks of the running bulk delete.
    StopDelete,
    /// Read a form's file path off the UI thread.
    CheckPath {
        field: usize,
        path: String,
    },
    /// Suspend the TUI and edit `text` in $VISUAL / $EDITOR.
    Editor {
        field: usize,
        text: String,
    },
    ReadDrafts,
    SaveDraft {
        registry: Box<str>,
        repo: Box<str>,
        kind: DraftKind,
        values: Values,
    },
    RemoveDraft {
        registry: Box<str>,
        repo: Box<str>,
        kind: DraftKind,
    },
    /// Read the cached listing for `key` (answers `Msg::CacheRead`).
    ReadCache {
        client: u64,
        list: ListId,
        store: crate::cache::Store,
        key: Box<crate::cache::Key>,
    },
    /// Save an encoded listing for `key` (atomically; failures are logged, never shown: the
    /// cache only saves time).
    WriteCache {
        store: crate::cache::Store,
        key: Box<crate::cache::Key>,
        bytes: Vec<u8>,
    },
    /// Answer `Msg::Rested { seq }` after `after`.
    RestTimer {
        seq: u64,
        after: std::time::Duration,
    },
    /// The first page of `repo`'s images (and its cached listing, from `cache`), in the
    /// background; a new prefetch replaces the one in flight.
    Prefetch {
        client: u64,
        seq: u64,
        repo: Box<str>,
        cache: Option<(crate::cache::Store, Box<crate::cache::Key>)>,
    },
    /// Stop the prefetch in flight.
    CancelPrefetch,
}

/// A single value read from the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    RegistryName,
    Catalog(Box<str>),
    Policy(Box<str>),
    /// ListTagsForResource of a repository ARN.
    ResourceTags(Box<str>),
}

/// What a `Read` found.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    RegistryName(Result<Option<String>, AwsError>),
    Catalog(Box<str>, Result<Catalog, AwsError>),
    Policy(Box<str>, Result<Option<String>, AwsError>),
    /// Keyed by the repository ARN.
    ResourceTags(Box<str>, Result<Vec<Tag>, AwsError>),
}

/// Every change ecrp makes, as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mutation {
    PutCatalog {
        repo: Box<str>,
        input: CatalogInput,
    },
    PutRegistryName(String),
    CreateRepository(CreateRepositoryRequest),
    SetPolicy {
        repo: Box<str>,
        text: String,
        force: bool,
    },
    DeletePolicy {
        repo: Box<str>,
    },
    /// TagResource with `delta.tag`, then UntagResource with `delta.untag` (each when not empty).
    Tags {
        arn: Box<str>,
        delta: TagDelta,
    },
    DeleteRepository {
        name: Box<str>,
        force: bool,
    },
}

impl PageRows {
    pub fn list(&self) -> ListId {
        match self {
            PageRows::Registries(_) => ListId::Registries,
            PageRows::Repositories(_) => ListId::Repositories,
            PageRows::Images(_) => ListId::Images,
            PageRows::Tags(_) => ListId::Tags,
        }
    }
}
