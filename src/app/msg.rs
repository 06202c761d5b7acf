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

pub use super::open_state::TagDetail;

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
    /// The image inspector's registry reads.
    Inspected(super::inspector_state::InspectorMsg),
    /// A page of the `:open` repository's tag list (`done`: the last one). The first message of
    /// a listing carries the view's registry client, for the image inspector to read its images
    /// with.
    OpenPage {
        generation: u64,
        tags: Vec<String>,
        done: bool,
        client: Option<super::inspector_state::Shared<crate::registry::RegistryClient>>,
    },
    /// The `:open` repository's tag list failed (the message is ready to show).
    OpenFailed {
        generation: u64,
        error: String,
    },
    /// One tag's manifest (and config) read for the `:open` view.
    OpenDetail {
        generation: u64,
        tag: Box<str>,
        detail: Result<TagDetail, String>,
    },
    /// A lifecycle task's answer.
    Lifecycle(super::lifecycle_state::LifecycleMsg),
    /// The listing cache's rows for `key` (`None`: nothing intact cached), read for the list
    /// `list` of client `client`.
    CacheRead {
        client: u64,
        list: ListId,
        key: Box<crate::cache::Key>,
        cached: Option<Box<crate::cache::Cached>>,
    },
    /// The start-up read of the cache (`cached_start`): the registries and repositories cached
    /// under `scope`, the connection as guessed before client `client` was built.
    StartCache {
        client: u64,
        scope: Box<crate::cache::Scope>,
        registries: Option<Box<crate::cache::Cached>>,
        repos: Option<Box<crate::cache::Cached>>,
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
    /// Read these index manifests of `repo` through the registry API (the caller's registry,
    /// `registry_url` when it is not public.ecr.aws), a few at a time; an `IndexManifest`
    /// answer each.
    ReadIndexes {
        client: u64,
        registry_id: Option<Box<str>>,
        registry_url: Option<String>,
        repo: Box<str>,
        digests: Vec<Box<str>>,
    },
    /// Stop the index manifest reads in flight: the listing they were for was restarted or left.
    CancelIndexReads,
    /// One registry read for the image inspector.
    Inspect(super::inspector_state::InspectRequest),
    /// List the tags of `reference`'s repository page by page (`registry_url` maps
    /// public.ecr.aws); stops the previous `:open` first.
    OpenTags {
        generation: u64,
        reference: String,
        registry_url: Option<String>,
    },
    /// Read the manifests (and configs) of `tags` of the open repository, a few at a time.
    OpenDetails {
        generation: u64,
        tags: Vec<Box<str>>,
    },
    /// The `:open` view closed: stop its requests.
    CloseOpen,
    /// Add `reference` to the config file's `[bookmarks]`.
    SaveBookmark {
        path: std::path::PathBuf,
        reference: String,
    },
    /// Keep the references opened with `:open` for the next run.
    SaveRecent {
        path: std::path::PathBuf,
        references: Vec<String>,
    },
    /// The lifecycle view's work (plan, apply, restore, policy file and config I/O).
    Lifecycle(super::lifecycle_state::LifecycleEffect),
    /// Read the cached listing for `key` (answers `Msg::CacheRead`).
    ReadCache {
        client: u64,
        list: ListId,
        store: crate::cache::Store,
        key: Box<crate::cache::Key>,
    },
    /// Read the cached registries and repositories for the connection `opts` will have, guessed
    /// from local sources, while the client is built (answers `Msg::StartCache`).
    ReadStartCache {
        client: u64,
        opts: Box<crate::aws::ClientOptions>,
        demo: bool,
        store: crate::cache::Store,
        identity: String,
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
    /// The first pages of `repo`'s images and tags (and their cached listings, from `cache`), in
    /// the background; a new prefetch replaces the one in flight.
    Prefetch {
        client: u64,
        seq: u64,
        repo: Box<str>,
        /// The store, and the images' and the tags' keys.
        cache: Option<(
            crate::cache::Store,
            Box<crate::cache::Key>,
            Box<crate::cache::Key>,
        )>,
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
    /// The manifests an index lists (empty when the digest is not an index after all), or why it
    /// could not be read.
    IndexManifest {
        digest: Box<str>,
        result: Result<Vec<super::platforms::Child>, String>,
    },
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
    /// Give the image `digest` the tag `tag`: its manifest bytes read through the registry API,
    /// then PutImage with the same bytes. Without `force`, a tag that names another image stops
    /// it with `TAG_ELSEWHERE` (the message says where the tag points).
    Retag {
        registry_id: Box<str>,
        repo: Box<str>,
        digest: Box<str>,
        tag: String,
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
