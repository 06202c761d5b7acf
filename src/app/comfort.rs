//! Everyday comfort: profile and region pickers, the copy menu, the gallery page, docker login,
//! and auto-refresh. Like the rest of `update`, nothing here does I/O: it opens menus and returns
//! effects.

use super::base::{self, current_profile};
use super::load::LoadState;
use super::msg::{Effect, ListId};
use super::state::{App, Overlay, Pane, PickItem, Picker, PickerKind, Status};
use super::strings;
use crate::profiles::{ECR_PUBLIC_REGIONS, ProfileInfo};

fn current_region(app: &App) -> Option<String> {
    app.remote
        .connection
        .as_ref()
        .map(|c| c.region.clone())
        .or_else(|| app.opts.client.region.clone())
}

/// Open a menu with the cursor on `current` when it is listed.
fn open_picker(app: &mut App, kind: PickerKind, items: Vec<PickItem>, current: Option<&str>) {
    let selected = current
        .and_then(|c| items.iter().position(|i| i.value == c))
        .unwrap_or(0);
    app.overlay = Some(Overlay::Picker(Picker {
        kind,
        items,
        selected,
    }));
}

/// ctrl-p: the files are read by the runner; `profiles_arrived` opens the menu.
pub fn ask_profiles(fx: &mut Vec<Effect>) {
    fx.push(Effect::ListProfiles);
}

pub fn profiles_arrived(app: &mut App, r: Result<Vec<ProfileInfo>, String>) {
    match r {
        Ok(list) if list.is_empty() => app.status = Status::Warning(strings::NO_PROFILES.into()),
        Ok(list) => {
            app.profile_regions = list
                .iter()
                .map(|p| (p.name.clone(), p.region.clone()))
                .collect();
            let items = list
                .into_iter()
                .map(|p| PickItem {
                    detail: format!(
                        "{} · {}",
                        p.kind,
                        p.region.as_deref().unwrap_or("no region")
                    ),
                    label: p.name.clone(),
                    value: p.name,
                })
                .collect();
            let current = current_profile(app);
            open_picker(app, PickerKind::Profiles, items, Some(&current));
        }
        Err(e) => app.status = Status::Warning(e),
    }
}

/// ctrl-r: the regions that serve ECR Public.
pub fn regions(app: &mut App) {
    let items = ECR_PUBLIC_REGIONS
        .iter()
        .map(|r| PickItem {
            label: r.to_string(),
            detail: if *r == "us-east-1" {
                "the API's home region".into()
            } else {
                String::new()
            },
            value: r.to_string(),
        })
        .collect();
    let current = current_region(app);
    open_picker(app, PickerKind::Regions, items, current.as_deref());
}

/// `y`: what can be copied about the selection.
pub fn copy_menu(app: &mut App) {
    // In the registries: the registry's URI (what repository URIs start with) and its id.
    if app.pane == Pane::Registries {
        let Some(r) = app.remote.registries.selected() else {
            app.status = Status::Warning(strings::NOTHING_SELECTED.into());
            return;
        };
        let items = [
            ("registry URI", &r.registry_uri),
            ("registry id", &r.registry_id),
        ]
        .into_iter()
        .map(|(label, text)| PickItem {
            label: label.to_string(),
            detail: text.clone(),
            value: text.clone(),
        })
        .collect();
        open_picker(app, PickerKind::Copy, items, None);
        return;
    }
    let Some(repo) = app.current_repo() else {
        app.status = Status::Warning(strings::needs_repository("URI"));
        return;
    };
    let uri = repo.repository_uri.to_string();
    let items =
        match app.pane {
            Pane::Images => app.remote.images.selected().map(|i| {
                crate::clipboard::image_choices(
                    &uri,
                    i.image_tags.first().map(|t| &**t),
                    &i.image_digest,
                )
            }),
            Pane::Tags => app.remote.tags.selected().map(|t| {
                crate::clipboard::image_choices(&uri, Some(&t.image_tag), &t.image_digest)
            }),
            _ => Some(crate::clipboard::repository_choices(&uri)),
        };
    let Some(choices) = items else {
        app.status = Status::Warning(strings::NOTHING_SELECTED.into());
        return;
    };
    let mut items: Vec<PickItem> = choices
        .into_iter()
        .map(|c| PickItem {
            label: c.label.to_string(),
            detail: c.text.clone(),
            value: c.text,
        })
        .collect();
    // An image with several tags: each one can be copied, not only the first (after the first
    // tag's URI and pull command, before the digest forms).
    if app.pane == Pane::Images
        && let Some(i) = app.remote.images.selected()
    {
        let others: Vec<PickItem> = i
            .image_tags
            .iter()
            .skip(1)
            .map(|t| {
                let text = format!("{uri}:{t}");
                PickItem {
                    label: format!("URI, tag {t}"),
                    detail: text.clone(),
                    value: text,
                }
            })
            .collect();
        let at = 2.min(items.len());
        items.splice(at..at, others);
    }
    open_picker(app, PickerKind::Copy, items, None);
}

/// `o`: the repository's page in the ECR Public Gallery (in the registries: the registry's).
pub fn open_gallery(app: &mut App, fx: &mut Vec<Effect>) {
    // In the registries: the registry's page, under its alias.
    if app.pane == Pane::Registries {
        let Some(alias) = app
            .remote
            .registries
            .selected()
            .map(|r| r.primary_alias().map(str::to_string))
        else {
            app.status = Status::Warning(strings::NOTHING_SELECTED.into());
            return;
        };
        match alias.map(|a| crate::browser::registry_gallery_url(&a)) {
            Some(Ok(url)) => fx.push(Effect::OpenUrl(url)),
            Some(Err(e)) => app.status = Status::Warning(e.to_string()),
            None => {
                app.status =
                    Status::Warning("the registry has no alias, so it has no gallery page".into())
            }
        }
        return;
    }
    let Some(repo) = app.current_repo() else {
        app.status = Status::Warning(strings::needs_repository("gallery page"));
        return;
    };
    let name = repo.repository_name.to_string();
    let alias = app
        .registry()
        .and_then(|r| r.primary_alias())
        .map(str::to_string);
    let Some(alias) = alias else {
        app.status = Status::Warning("the registry has no alias, so it has no gallery page".into());
        return;
    };
    match crate::browser::gallery_url(&alias, &name) {
        Ok(url) => fx.push(Effect::OpenUrl(url)),
        Err(e) => app.status = Status::Warning(e.to_string()),
    }
}

/// `:login`.
pub fn login(app: &mut App, fx: &mut Vec<Effect>) {
    if app.remote.connection.is_none() {
        app.status = Status::Warning(strings::CONNECTING.into());
        return;
    }
    app.status = Status::Info(strings::LOGGING_IN.into());
    fx.push(Effect::Login {
        demo: app.opts.demo,
        profile: current_profile(app),
    });
}

/// A copy choice: the OSC 52 sequence goes to the terminal.
pub fn copy_chosen(app: &mut App, item: &PickItem, fx: &mut Vec<Effect>) {
    match crate::clipboard::sequence(&item.value, app.opts.in_tmux) {
        Ok(bytes) => fx.push(Effect::WriteTerminal {
            bytes,
            // tmux drops the wrapped sequence when passthrough is off: "copied" would be a guess.
            done: if app.opts.in_tmux && app.opts.tmux_passthrough == Some(false) {
                strings::copied_through_tmux(&item.label, &item.value)
            } else {
                strings::copied(&item.label, &item.value)
            },
        }),
        Err(e) => app.status = Status::Warning(e.to_string()),
    }
}

pub fn profile_chosen(app: &mut App, profile: &str, fx: &mut Vec<Effect>) {
    app.opts.client.profile = Some(profile.to_string());
    // The profile's own region, unless `--region` or the region menu pinned one. Set here rather
    // than left to the SDK, whose AWS_REGION would win over the profile's.
    if !app.region_chosen {
        app.opts.client.region = app
            .profile_regions
            .iter()
            .find(|(name, _)| name == profile)
            .and_then(|(_, r)| r.clone());
    }
    reconnect(app, strings::switching("profile", profile), fx);
}

pub fn region_chosen(app: &mut App, region: &str, fx: &mut Vec<Effect>) {
    app.opts.client.region = Some(region.to_string());
    app.region_chosen = true;
    reconnect(app, strings::switching("region", region), fx);
}

/// Build a new client for the changed options and start over on the panes (the endpoint, in
/// `--demo` the emulator's, is kept in `opts.client`).
fn reconnect(app: &mut App, message: String, fx: &mut Vec<Effect>) {
    for list in ListId::ALL {
        base::stop(app, list, fx);
    }
    app.remote = std::mem::take(&mut app.remote).successor();
    app.pane = Pane::Registries;
    app.skip_single_registry = true;
    app.last_error = None;
    app.advice = None;
    app.status = Status::Info(message);
    app.switching = true;
    fx.push(Effect::Connect(app.opts.client.clone()));
}

/// `R`: auto-refresh on (at the config's interval, or a default) or off.
pub fn toggle_auto_refresh(app: &mut App) {
    app.auto_refresh = match app.auto_refresh {
        Some(_) => None,
        None => Some(match app.opts.config.auto_refresh_seconds {
            0 => strings::AUTO_REFRESH_DEFAULT_SECONDS,
            n => n,
        }),
    };
    app.refreshed_at = app.now;
    app.status = Status::Info(strings::auto_refresh(app.auto_refresh));
}

/// On every tick: reload the open pane in the background when its interval has passed. The
/// new pages are staged and swapped in whole, so rows never blink and the selection and the
/// filter stay.
pub fn auto_refresh_tick(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(every) = app.auto_refresh else {
        return;
    };
    if app.remote.connection.is_none() || app.now - app.refreshed_at < every as i64 {
        return;
    }
    let list = app.pane.list();
    // A load still running (or failed, waiting for `r`) is left alone.
    if !matches!(app.load_of(list).state, LoadState::Done) {
        return;
    }
    app.refreshed_at = app.now;
    app.remote.list_mut(list).stage();
    app.load_mut(list).reset();
    base::start(app, list, fx);
}
