//! Messages into `update` and the effects it asks for.

use crossterm::event::{KeyEvent, MouseEvent};

use crate::aws::{
    AwsError, Catalog, ClientOptions, ConnectionInfo, ImageRow, Page, RegistryRow, RepoRow, Tag,
    TagRow,
};

/// The four paginated lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListId {
    Registries,
    Repositories,
    Images,
    Tags,
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
    RegistryName(Result<Option<String>, AwsError>),
    Catalog(Box<str>, Result<Catalog, AwsError>),
    Policy(Box<str>, Result<Option<String>, AwsError>),
    /// Keyed by the repository ARN.
    ResourceTags(Box<str>, Result<Vec<Tag>, AwsError>),
    /// SIGTERM / SIGHUP.
    Quit,
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
    RegistryName,
    Catalog(Box<str>),
    Policy(Box<str>),
    /// ListTagsForResource: (repository name, its ARN).
    ResourceTags(Box<str>, Box<str>),
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
