//! Moving between panes and views, and the loads that follow: drilling in starts (or resumes) a
//! load, leaving a pane cancels it.

use super::base::{ensure_loading, start, stop};
use super::load::LoadState;
use super::msg::{Effect, ListId};
use super::state::{App, Fetch, Overlay, Pane, Status};
use super::strings;

/// `r`: after a failure, retry from the failed page keeping the rows; otherwise reload from zero.
pub fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    let list = app.pane.list();
    if app.remote.connection.is_none() {
        return;
    }
    if matches!(app.load_of(list).state, LoadState::Failed(_)) {
        app.status = Status::None;
        start(app, list, fx);
        return;
    }
    stop(app, list, fx);
    match list {
        ListId::Registries => {
            app.remote.registries.clear();
            app.remote.display_name = Some(Fetch::Loading);
            fx.push(Effect::RegistryName);
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
        app.remote.repo = Some(row);
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
    match view {
        View::Catalog => {
            if matches!(
                app.remote.catalogs.get(&name),
                None | Some(Fetch::Failed(_))
            ) {
                app.remote.catalogs.insert(name.clone(), Fetch::Loading);
                fx.push(Effect::Catalog(name.clone()));
            }
            app.overlay = Some(Overlay::Catalog {
                repo: name,
                scroll: 0,
            });
        }
        View::Policy => {
            if matches!(
                app.remote.policies.get(&name),
                None | Some(Fetch::Failed(_))
            ) {
                app.remote.policies.insert(name.clone(), Fetch::Loading);
                fx.push(Effect::Policy(name.clone()));
            }
            app.overlay = Some(Overlay::Policy {
                repo: name,
                scroll: 0,
            });
        }
        View::ResourceTags => {
            let arn = repo.repository_arn.clone();
            if matches!(
                app.remote.resource_tags.get(&arn),
                None | Some(Fetch::Failed(_))
            ) {
                app.remote.resource_tags.insert(arn.clone(), Fetch::Loading);
                fx.push(Effect::ResourceTags(arn.clone()));
            }
            app.overlay = Some(Overlay::ResourceTags {
                repo: name,
                arn,
                scroll: 0,
            });
        }
    }
}

/// `r` in a read view: fetch it again.
pub fn refresh_view(app: &mut App, fx: &mut Vec<Effect>) {
    match app.overlay.clone() {
        Some(Overlay::Catalog { repo, .. }) => {
            app.remote.catalogs.insert(repo.clone(), Fetch::Loading);
            fx.push(Effect::Catalog(repo));
        }
        Some(Overlay::Policy { repo, .. }) => {
            app.remote.policies.insert(repo.clone(), Fetch::Loading);
            fx.push(Effect::Policy(repo));
        }
        Some(Overlay::ResourceTags { arn, .. }) => {
            app.remote.resource_tags.insert(arn.clone(), Fetch::Loading);
            fx.push(Effect::ResourceTags(arn));
        }
        _ => {}
    }
}
