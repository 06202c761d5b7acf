//! Moving between panes and views, and the loads that follow: drilling in starts (or resumes) a
//! load, leaving a pane cancels it.

use super::command::Cmd;
use super::load::LoadState;
use super::msg::{Effect, ListId};
use super::state::{App, Fetch, Overlay, Pane, Status};
use super::strings;

/// Start `list`'s load unless it is done, running, or failed (a failure waits for `r`).
pub fn ensure_loading(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    if app.connection.is_none() || !app.load_of(list).needs_start() {
        return;
    }
    start(app, list, fx);
}

/// Request the next page of `list` from where it stopped.
pub fn start(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    let repo = match list {
        ListId::Images | ListId::Tags => match &app.repo {
            Some(r) => Some(r.repository_name.clone()),
            None => return,
        },
        _ => None,
    };
    let (generation, token) = app.load_mut(list).start();
    fx.push(Effect::Load {
        list,
        generation,
        repo,
        token,
    });
}

/// Leaving a pane: stop its load (resumed from the last token on return).
pub fn stop(app: &mut App, list: ListId, fx: &mut Vec<Effect>) {
    if app.load_of(list).is_loading() {
        fx.push(Effect::Cancel(list));
    }
    app.load_mut(list).stop();
}

/// `r`: after a failure, retry from the failed page keeping the rows; otherwise reload from zero.
pub fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    let list = app.pane.list();
    if app.connection.is_none() {
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
            app.registries.clear();
            app.display_name = Some(Fetch::Loading);
            fx.push(Effect::RegistryName);
        }
        ListId::Repositories => {
            app.repos.clear();
            // Descriptions may have changed too.
            app.catalogs.clear();
        }
        ListId::Images => app.images.clear(),
        ListId::Tags => app.tags.clear(),
    }
    app.load_mut(list).reset();
    app.status = Status::None;
    start(app, list, fx);
}

/// enter: registry → its repositories, repository → its images.
pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    match app.pane {
        Pane::Registries => {
            if app.registries.selected().is_some() {
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
    let Some(row) = app.repos.selected().cloned() else {
        app.status = Status::Warning(strings::needs_repository("images"));
        return;
    };
    if app.repo.as_ref().map(|r| &r.repository_name) != Some(&row.repository_name) {
        stop(app, ListId::Images, fx);
        stop(app, ListId::Tags, fx);
        app.images.clear();
        app.images.load.reset();
        app.tags.clear();
        app.tags.load.reset();
        app.repo = Some(row);
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
            if matches!(app.catalogs.get(&name), None | Some(Fetch::Failed(_))) {
                app.catalogs.insert(name.clone(), Fetch::Loading);
                fx.push(Effect::Catalog(name.clone()));
            }
            app.overlay = Some(Overlay::Catalog {
                repo: name,
                scroll: 0,
            });
        }
        View::Policy => {
            if matches!(app.policies.get(&name), None | Some(Fetch::Failed(_))) {
                app.policies.insert(name.clone(), Fetch::Loading);
                fx.push(Effect::Policy(name.clone()));
            }
            app.overlay = Some(Overlay::Policy {
                repo: name,
                scroll: 0,
            });
        }
        View::ResourceTags => {
            let arn = repo.repository_arn.clone();
            if matches!(app.resource_tags.get(&arn), None | Some(Fetch::Failed(_))) {
                app.resource_tags.insert(arn.clone(), Fetch::Loading);
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
            app.catalogs.insert(repo.clone(), Fetch::Loading);
            fx.push(Effect::Catalog(repo));
        }
        Some(Overlay::Policy { repo, .. }) => {
            app.policies.insert(repo.clone(), Fetch::Loading);
            fx.push(Effect::Policy(repo));
        }
        Some(Overlay::ResourceTags { arn, .. }) => {
            app.resource_tags.insert(arn.clone(), Fetch::Loading);
            fx.push(Effect::ResourceTags(arn));
        }
        _ => {}
    }
}

/// Run a `:` command.
pub fn run_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    app.overlay = None;
    match cmd {
        Cmd::Registries | Cmd::Repositories => {
            stop(app, ListId::Images, fx);
            stop(app, ListId::Tags, fx);
            if cmd == Cmd::Registries {
                app.skip_single_registry = false;
                stop(app, ListId::Repositories, fx);
                app.pane = Pane::Registries;
                ensure_loading(app, ListId::Registries, fx);
            } else {
                app.pane = Pane::Repositories;
                ensure_loading(app, ListId::Repositories, fx);
            }
        }
        Cmd::Images | Cmd::Tags => {
            let target = if cmd == Cmd::Images {
                Pane::Images
            } else {
                Pane::Tags
            };
            match app.pane {
                Pane::Images | Pane::Tags if app.pane != target => switch_view(app, fx),
                Pane::Images | Pane::Tags => {}
                _ => open_repo(app, target, fx),
            }
        }
        Cmd::Catalog => open_view(app, View::Catalog, fx),
        Cmd::Policy => open_view(app, View::Policy, fx),
        Cmd::ResourceTags => open_view(app, View::ResourceTags, fx),
        Cmd::DisplayName => super::edit::registry_name(app),
        Cmd::NewRepository => super::edit::new_repository(app),
        Cmd::Login => super::comfort::login(app, fx),
        Cmd::Profiles => super::comfort::ask_profiles(fx),
        Cmd::Regions => super::comfort::regions(app),
        Cmd::AutoRefresh => super::comfort::toggle_auto_refresh(app),
        Cmd::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Cmd::Quit => app.quit = true,
    }
}
