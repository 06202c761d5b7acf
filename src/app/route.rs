//! Routers: where a `:` command, a menu choice and a confirmation's answer lead. They sit above
//! the features (navigation, comfort, edits, drafts, deletes) and call into them, so no feature
//! needs to import another to hand over.

use super::actions::Action;
use super::base::{self, refuse_read_only};
use super::command::Cmd;
use super::drafts::{remove_draft, restore};
use super::modal::{ConfirmAction, ConfirmModal, EditTarget, FormKind, Modal, PendingEdit};
use super::msg::{Effect, ListId, Mutation};
use super::nav::{self, View};
use super::state::{App, Overlay, Pane, PickItem, PickerKind, Status};
use super::{comfort, delete, edit, lifecycle, policy_menu, strings};
use crate::drafts::DraftKind;

/// Run a `:` command.
pub fn run_command(app: &mut App, cmd: Cmd, fx: &mut Vec<Effect>) {
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
        Cmd::DisplayName => edit::registry_name(app),
        Cmd::NewRepository => edit::new_repository(app),
        Cmd::Login => comfort::login(app, fx),
        Cmd::Profiles => comfort::ask_profiles(fx),
        Cmd::Regions => comfort::regions(app),
        Cmd::AutoRefresh => comfort::toggle_auto_refresh(app),
        Cmd::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Cmd::Quit => app.quit = true,
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
            app.overlay = None;
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
        PickerKind::Copy => comfort::copy_chosen(app, &item, fx),
        PickerKind::Profiles => comfort::profile_chosen(app, &item.value, fx),
        PickerKind::Regions => comfort::region_chosen(app, &item.value, fx),
        PickerKind::Drafts => draft_chosen(app, &item.value, fx),
        PickerKind::PolicyStart => policy_menu::policy_start_chosen(app, &item.value),
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
            let Some(mut ef) = under else { return };
            let FormKind::Policy { repo, .. } = &ef.kind else {
                return;
            };
            fx.push(Effect::Mutate(Mutation::SetPolicy {
                repo: repo.clone(),
                text,
                force,
            }));
            ef.form.saving();
            app.modal = Some(Modal::Form(ef));
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
        (ConfirmAction::LifecycleApply, true) => lifecycle::apply(app, fx),
        (_, false) => app.modal = under.map(Modal::Form),
    }
}
