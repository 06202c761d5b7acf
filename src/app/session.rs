//! The session: which AWS profile and region the client uses (their menus, and the switch that
//! starts over on a fresh client) and `:login` for docker. Nothing here does I/O: the profile
//! files are read and the client is built by the runner.

use super::base::{self, current_profile, open_picker};
use super::msg::{Effect, ListId};
use super::state::{App, Pane, PickItem, PickerKind, Status};
use super::strings;
use crate::profiles::{ECR_PUBLIC_REGIONS, ProfileInfo};

fn current_region(app: &App) -> Option<String> {
    app.remote
        .connection
        .as_ref()
        .map(|c| c.region.clone())
        .or_else(|| app.opts.client.region.clone())
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
