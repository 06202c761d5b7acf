//! Moving between panes and views, and the loads that follow: drilling in starts (or resumes) a
//! load, leaving a pane cancels it.

use super::base::{self, ensure_loading, start, stop};
use super::load::LoadState;
use super::msg::{Effect, ListId};
use super::prefetch;
use super::state::{App, Overlay, Pane, Status};
use super::strings;

/// `r`: after a failure, retry from the failed page keeping the rows; otherwise reload from zero.
pub fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    let list = app.pane.list();
    if app.remote.connection.is_none() {
        return;
    }
    // Cached rows with their fresh listing under way: starting it again would only drop the
    // rows on screen and the pages already read.
    if super::cached::unconfirmed(app, list)
        && matches!(app.load_of(list).state, LoadState::Loading { .. })
    {
        app.status = Status::Info(strings::ALREADY_REVALIDATING.into());
        return;
    }
    // Not after a token loop: its last token is the one that loops, so that reloads from zero.
    if matches!(&app.load_of(list).state, LoadState::Failed(e) if e.is_resumable()) {
        app.status = Status::None;
        start(app, list, fx);
        return;
    }
    stop(app, list, fx);
    match list {
        ListId::Registries => {
            app.remote.registries.clear();
            base::fetch_display_name(app, fx);
        }
        ListId::Repositories => {
            app.remote.repos.clear();
            // Descriptions may have changed too.
            app.remote.catalogs.clear();
        }
        ListId::Images => app.remote.images.clear(),
        ListId::Tags => app.remote.tags.clear(),
    }
    app.load_mut(list).reset();
    app.status = Status::None;
    start(app, list, fx);
}

/// enter: registry → its repositories, repository → its images.
pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    match app.pane {
        Pane::Registries => {
            if app.remote.registries.selected().is_some() {
                app.pane = Pane::Repositories;
                ensure_loading(app, ListId::Repositories, fx);
            }
        }
        Pane::Repositories => open_repo(app, Pane::Images, fx),
        Pane::Images | Pane::Tags => {}
    }
}

/// Show the images (or tags) of the selected repository; the rows of the repository opened last
/// are reused.
pub fn open_repo(app: &mut App, target: Pane, fx: &mut Vec<Effect>) {
    let Some(row) = app.remote.repos.selected().cloned() else {
        app.status = Status::Warning(strings::needs_repository("images"));
        return;
    };
    if app.remote.repo.as_ref().map(|r| &r.repository_name) != Some(&row.repository_name) {
        stop(app, ListId::Images, fx);
        stop(app, ListId::Tags, fx);
        app.remote.images.clear();
        app.remote.images.load.reset();
        app.remote.tags.clear();
        app.remote.tags.load.reset();
        // A filter belongs to the rows it was typed for: `/untagged` typed in one repository
        // must not quietly narrow the next one (least of all before a mark-all and delete).
        app.remote.images.reset_filter(&mut app.matcher);
        app.remote.tags.reset_filter(&mut app.matcher);
        app.remote.repo = Some(row);
        prefetch::adopt(app, fx);
    }
    app.pane = target;
    ensure_loading(app, target.list(), fx);
}

/// esc: back to the list on the left.
pub fn back(app: &mut App, fx: &mut Vec<Effect>) {
    match app.pane {
        Pane::Images | Pane::Tags => {
            stop(app, ListId::Images, fx);
            stop(app, ListId::Tags, fx);
            app.pane = Pane::Repositories;
        }
        Pane::Repositories if !app.single_registry() => {
            stop(app, ListId::Repositories, fx);
            app.pane = Pane::Registries;
        }
        _ => {}
    }
}

/// tab: images ↔ image tags of the same repository.
pub fn switch_view(app: &mut App, fx: &mut Vec<Effect>) {
    let (from, to) = match app.pane {
        Pane::Images => (ListId::Images, Pane::Tags),
        Pane::Tags => (ListId::Tags, Pane::Images),
        _ => return,
    };
    stop(app, from, fx);
    app.pane = to;
    ensure_loading(app, to.list(), fx);
}

#[derive(Clone, Copy)]
pub enum View {
    Catalog,
    Policy,
    ResourceTags,
}

/// Open a read view of the current repository, fetching what is not cached (or failed before).
pub fn open_view(app: &mut App, view: View, fx: &mut Vec<Effect>) {
    let what = match view {
        View::Catalog => "catalog",
        View::Policy => "policy",
        View::ResourceTags => "resource tags",
    };
    let Some(repo) = app.current_repo().cloned() else {
        app.status = Status::Warning(strings::needs_repository(what));
        return;
    };
    let name = repo.repository_name.clone();
    let client = app.remote.client;
    app.overlay = Some(match view {
        View::Catalog => {
            app.remote.catalogs.want(&name, client, fx);
            Overlay::Catalog {
                repo: name,
                scroll: 0,
            }
        }
        View::Policy => {
            app.remote.policies.want(&name, client, fx);
            Overlay::Policy {
                repo: name,
                scroll: 0,
            }
        }
        View::ResourceTags => {
            let arn = repo.repository_arn.clone();
            app.remote.resource_tags.want(&arn, client, fx);
            Overlay::ResourceTags {
                repo: name,
                arn,
                scroll: 0,
            }
        }
    });
}

/// `r` in a read view: fetch it again.
pub fn refresh_view(app: &mut App, fx: &mut Vec<Effect>) {
    let client = app.remote.client;
    match &app.overlay {
        Some(Overlay::Catalog { repo, .. }) => app.remote.catalogs.request(repo, client, fx),
        Some(Overlay::Policy { repo, .. }) => app.remote.policies.request(repo, client, fx),
        Some(Overlay::ResourceTags { arn, .. }) => {
            app.remote.resource_tags.request(arn, client, fx)
        }
        _ => {}
    }
}
