//! Routers: where a `:` command, a menu choice and a confirmation's answer lead. They sit above
//! the features (navigation, auto_refresh, copy, session, edits, drafts, deletes) and call into them, so no feature
//! needs to import another to hand over.

use super::actions::Action;
use super::base::{self, refuse_read_only};
use super::command::{Cmd, Parsed};
use super::drafts::{remove_draft, restore};
use super::modal::{ConfirmAction, ConfirmModal, EditTarget, Modal, PendingEdit};
use super::msg::{Effect, ListId, Mutation};
use super::nav::{self, View};
use super::state::{App, Overlay, Pane, PickItem, PickerKind, Status};
use super::{auto_refresh, copy, delete, edit, lifecycle, session, strings};
use crate::drafts::DraftKind;

/// Run a `:` command as typed, with its argument: `:repos web` opens the repositories filtered
/// by "web", `:images api` the images of the best match for "api" (an exact name first), as
/// k9s's `:pods kube-system` does.
pub fn run_parsed(app: &mut App, parsed: Parsed, fx: &mut Vec<Effect>) {
    let Some(arg) = parsed.arg else {
        return run_command(app, parsed.cmd, fx);
    };
    match parsed.cmd {
        Cmd::Registries | Cmd::Repositories => {
            run_command(app, parsed.cmd, fx);
            let m = &mut app.matcher;
            let l = app.remote.list_mut(app.pane.list());
            l.filter_mut().query = arg.clone();
            l.filter_mut().editing = false;
            l.set_query(&arg, m);
        }
        Cmd::Images | Cmd::Tags => {
            // Positioned, not filtered: going back shows every repository, the cursor on this one.
            let m = &mut app.matcher;
            let repos = &mut app.remote.repos;
            repos.set_query(&arg, m);
            let found = repos.selected().is_some();
            // The best match stays selected as the filter goes.
            repos.reset_filter(m);
            if !found {
                app.status = Status::Warning(strings::no_repository_matches(&arg));
                return;
            }
            app.overlay = None;
            let target = if parsed.cmd == Cmd::Images {
                Pane::Images
            } else {
                Pane::Tags
            };
            nav::open_repo(app, target, fx);
        }
        Cmd::Lifecycle => lifecycle::command(app, &arg, fx),
        // `parse` refuses an argument to the others.
        cmd => run_command(app, cmd, fx),
    }
}

/// Run a `:` command.
pub fn run_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
    // Another view replaces the `:open` one: its requests stop with it.
    if cmd != Cmd::Open {
        super::open_repo::close(app, fx);
    }
    app.overlay = None;
    match cmd {
        Cmd::Registries | Cmd::Repositories => {
            base::stop(app, ListId::Images, fx);
            base::stop(app, ListId::Tags, fx);
            if cmd == Cmd::Registries {
                app.skip_single_registry = false;
                base::stop(app, ListId::Repositories, fx);
                app.pane = Pane::Registries;
                base::ensure_loading(app, ListId::Registries, fx);
            } else {
                app.pane = Pane::Repositories;
                base::ensure_loading(app, ListId::Repositories, fx);
            }
        }
        Cmd::Images | Cmd::Tags => {
            let target = if cmd == Cmd::Images {
                Pane::Images
            } else {
                Pane::Tags
            };
            match app.pane {
                Pane::Images | Pane::Tags if app.pane != target => nav::switch_view(app, fx),
                Pane::Images | Pane::Tags => {}
                _ => nav::open_repo(app, target, fx),
            }
        }
        Cmd::Catalog => nav::open_view(app, View::Catalog, fx),
        Cmd::Policy => nav::open_view(app, View::Policy, fx),
        Cmd::ResourceTags => nav::open_view(app, View::ResourceTags, fx),
        Cmd::DisplayName => edit::display_name::open(app),
        Cmd::NewRepository => edit::repository::open(app),
        Cmd::Login => session::login(app, fx),
        Cmd::Profiles => session::ask_profiles(fx),
        Cmd::Regions => session::regions(app),
        Cmd::AutoRefresh => auto_refresh::toggle_auto_refresh(app),
        Cmd::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Cmd::Quit => app.quit = true,
        Cmd::Open => super::open_repo::command(app, None, fx),
        Cmd::Lifecycle => lifecycle::command(app, "", fx),
    }
}

/// Keys in a menu: move, enter chooses, esc closes.
pub fn picker_action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(Overlay::Picker(p)) = app.overlay.as_mut() else {
        return;
    };
    let last = p.items.len().saturating_sub(1);
    match action {
        Action::Up => p.selected = p.selected.saturating_sub(1),
        Action::Down => p.selected = (p.selected + 1).min(last),
        Action::Top | Action::PageUp => p.selected = 0,
        Action::Bottom | Action::PageDown => p.selected = last,
        Action::Back => {
            if p.kind == PickerKind::Drafts {
                app.status = Status::Info(strings::DRAFTS_KEPT.into());
            }
            let lifecycle_menu = p.kind == PickerKind::LifecycleStart;
            app.overlay = super::open_repo::underneath(app);
            if lifecycle_menu {
                lifecycle::menu_closed(app);
            }
        }
        Action::Open => {
            let (kind, item) = (p.kind, p.items.get(p.selected).cloned());
            app.overlay = None;
            if let Some(item) = item {
                choose(app, kind, item, fx);
            }
        }
        Action::Quit => app.quit = true,
        _ => {}
    }
}

fn choose(app: &mut App, kind: PickerKind, item: PickItem, fx: &mut Vec<Effect>) {
    match kind {
        PickerKind::Copy => copy::copy_chosen(app, &item, fx),
        PickerKind::Profiles => session::profile_chosen(app, &item.value, fx),
        PickerKind::Regions => session::region_chosen(app, &item.value, fx),
        PickerKind::Drafts => draft_chosen(app, &item.value, fx),
        PickerKind::PolicyStart => edit::policy::start_chosen(app, &item.value),
        PickerKind::OpenRecent => super::open_repo::command(app, Some(&item.value), fx),
        PickerKind::LifecycleStart => lifecycle::start_chosen(app, &item.value),
    }
}

/// A draft chosen from the start-up offer: open its edit with the draft restored.
pub fn draft_chosen(app: &mut App, value: &str, fx: &mut Vec<Effect>) {
    if refuse_read_only(app, "editing") {
        return;
    }
    let Some(d) = value
        .parse::<usize>()
        .ok()
        .and_then(|i| app.drafts.as_ref()?.get(i).cloned())
    else {
        return;
    };
    let what = match d.kind {
        DraftKind::Catalog => EditTarget::Catalog,
        DraftKind::Policy => EditTarget::Policy,
    };
    let pending = PendingEdit {
        what,
        repo: d.repository.as_str().into(),
        registry: d.registry.as_str().into(),
        draft: Some(d),
        on_selection: false,
    };
    edit::begin_pending(app, pending, fx);
}

/// A confirmation's answer. `yes` runs its action; `no` returns to the form under it, if any.
pub fn confirmed(app: &mut App, m: ConfirmModal, yes: bool, fx: &mut Vec<Effect>) {
    let ConfirmModal { action, under, .. } = m;
    match (action, yes) {
        (ConfirmAction::ApplyPolicy { text, force }, true) => {
            if let Some(ef) = under {
                edit::policy::apply_confirmed(app, ef, text, force, fx);
            }
        }
        (ConfirmAction::RestoreDraft { draft }, yes) => {
            let Some(mut ef) = under else { return };
            if yes {
                restore(&mut ef, &draft, fx);
            } else {
                remove_draft(&ef.kind, fx);
                if let Some(list) = app.drafts.as_mut() {
                    list.retain(|d| d != &draft);
                }
            }
            app.modal = Some(Modal::Form(ef));
        }
        (ConfirmAction::DeletePolicy { repo }, true) => {
            app.modal = None;
            app.status = Status::Info(strings::working("removing the policy of", &repo));
            fx.push(Effect::Mutate(Mutation::DeletePolicy { repo }));
        }
        (ConfirmAction::DeleteImages { plan }, true) => delete::start(app, plan, fx),
        (ConfirmAction::Retag { op }, true) => super::retag::confirmed(app, op, under, fx),
        (ConfirmAction::LifecycleApply, true) => lifecycle::apply(app, fx),
        (_, false) => app.modal = under.map(Modal::Form),
    }
}
