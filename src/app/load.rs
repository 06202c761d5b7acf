//! The state of one list's paginated load, and the generation counter that makes answers from a
//! cancelled or superseded load harmless.

use crate::aws::AwsError;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum LoadState {
    /// Never asked for.
    #[default]
    Idle,
    /// Waiting for page `page`.
    Loading { page: usize },
    /// Every page arrived.
    Done,
    /// A page failed; the rows before it are kept and `resume` is the token to retry from.
    Failed(AwsError),
    /// The pane was left while loading; returning resumes from `resume`.
    Stopped,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Load {
    /// Bumped on every start and cancel; answers carrying another generation are dropped.
    pub generation: u64,
    pub state: LoadState,
    /// Pages received so far in this load.
    pub pages: usize,
    /// Token of the next page to request (`None` with `pages == 0` means from the start).
    pub resume: Option<String>,
}

impl Load {
    /// Start (or resume) loading; returns the generation answers must carry and the token to
    /// start from.
    pub fn start(&mut self) -> (u64, Option<String>) {
        self.generation += 1;
        self.state = LoadState::Loading {
            page: self.pages + 1,
        };
        (self.generation, self.resume.clone())
    }

    /// Forget progress: the next `start` loads from the first page.
    pub fn reset(&mut self) {
        self.generation += 1;
        self.state = LoadState::Idle;
        self.pages = 0;
        self.resume = None;
    }

    /// The pane was left: drop whatever is in flight.
    pub fn stop(&mut self) {
        self.generation += 1;
        if matches!(self.state, LoadState::Loading { .. }) {
            self.state = LoadState::Stopped;
        }
    }

    /// A page of this generation arrived.
    pub fn page(&mut self, next: Option<String>) {
        self.pages += 1;
        self.state = if next.is_some() {
            LoadState::Loading {
                page: self.pages + 1,
            }
        } else {
            LoadState::Done
        };
        self.resume = next;
    }

    pub fn fail(&mut self, e: AwsError) {
        self.state = LoadState::Failed(e);
    }

    pub fn is_loading(&self) -> bool {
        matches!(self.state, LoadState::Loading { .. })
    }

    /// Whether returning to the pane should (re)start the load.
    pub fn needs_start(&self) -> bool {
        matches!(self.state, LoadState::Idle | LoadState::Stopped)
    }
}
