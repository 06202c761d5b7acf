//! The lifecycle view (`L`, `:lifecycle`): the repository's lifecycle policy (from the config, a
//! file, a template or the editor), the plan's preview (every image marked keep or expire with the
//! rule and the reason), apply after a confirmation with the totals (journal first, then the bulk
//! delete and its report), and restore (`u`) from the last apply's journal.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::text::Line;

use super::actions::Action;
use super::base::{open_form, refuse_read_only};
use super::lifecycle_state::{LifecycleEffect, LifecycleMsg, LifecycleView};
use super::modal::{ConfirmAction, ConfirmModal, Deleting, FormKind, Modal};
use super::msg::Effect;
use super::state::{App, Overlay, PickItem, Picker, PickerKind, Status};
use crate::config::lifecycle::PolicySource;
use crate::fmt::{count, size, thousands};
use crate::forms::confirm::Confirm;
use crate::forms::delete::DeleteProgress;
use crate::forms::lifecycle as form;

const NO_REPO: &str = "Open or select a repository first.";
const NOTHING_TO_APPLY: &str = "The plan expires nothing.";
const NO_JOURNAL: &str =
    "No lifecycle apply to restore in this run (ecrp prune --restore JOURNAL restores older ones).";

/// `L` or `:lifecycle`: the view of the current repository (kept while the client is the same, so
/// closing and reopening it is instant).
pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(repo) = app.current_repo().map(|r| r.repository_name.clone()) else {
        app.status = Status::Warning(NO_REPO.into());
        return;
    };
    let client = app.remote.client;
    let same = app
        .lifecycle
        .as_ref()
        .is_some_and(|v| v.client == client && v.repo == repo);
    app.overlay = Some(Overlay::Lifecycle { repo: repo.clone() });
    if same {
        return;
    }
    let registry_id = app.registry().map(|r| r.registry_id.to_string());
    let mut v = LifecycleView::new(client, &repo, registry_id);
    match app.opts.config.lifecycle.get(&*repo).cloned() {
        Some(PolicySource::Inline(text)) => {
            v.origin = "config".into();
            app.lifecycle = Some(Box::new(v));
            set_text(app, text, fx);
        }
        Some(PolicySource::File(path)) => {
            v.origin = format!("config: {}", path.display());
            app.lifecycle = Some(Box::new(v));
            fx.push(Effect::Lifecycle(LifecycleEffect::LoadFile {
                path: path.display().to_string(),
            }));
        }
        None => app.lifecycle = Some(Box::new(v)),
    }
}

/// `:lifecycle [load PATH | save]`.
pub fn command(app: &mut App, args: &str, fx: &mut Vec<Effect>) {
    let (word, rest) = args
        .trim()
        .split_once(char::is_whitespace)
        .unwrap_or((args.trim(), ""));
    match word {
        "" => open(app, fx),
        "load" if !rest.trim().is_empty() => {
            open(app, fx);
            if app.lifecycle.is_some() {
                fx.push(Effect::Lifecycle(LifecycleEffect::LoadFile {
                    path: rest.trim().to_string(),
                }));
            }
        }
        "save" => {
            open(app, fx);
            save(app, fx);
        }
        _ => app.status = Status::Warning(":lifecycle takes nothing, `load PATH` or `save`".into()),
    }
}

/// Keep the policy in the config file (asked, or applying).
fn save(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(v) = app.lifecycle.as_ref() else {
        return;
    };
    if v.text.trim().is_empty() || v.invalid.is_some() {
        app.status = Status::Warning("no valid lifecycle policy to save".into());
        return;
    }
    fx.push(Effect::Lifecycle(LifecycleEffect::Save {
        config: app.opts.config_path.clone(),
        repo: v.repo.clone(),
        text: v.text.clone(),
    }));
}

/// Use `text` as the policy: validate it and, when valid, plan.
fn set_text(app: &mut App, text: String, fx: &mut Vec<Effect>) {
    let now = app.now;
    let registry_url = app.opts.config.registry_url.clone();
    let Some(v) = app.lifecycle.as_mut() else {
        return;
    };
    v.text = text;
    v.error = None;
    v.restored = None;
    match form::check(&v.text) {
        Err(e) => {
            v.invalid = Some(e);
            v.planned = None;
            v.planning = false;
            v.refilter();
        }
        Ok(policy) => {
            v.invalid = None;
            v.rules = policy.rules.iter().map(rule_summary).collect();
            v.generation += 1;
            v.planning = true;
            fx.push(Effect::Lifecycle(LifecycleEffect::Plan {
                generation: v.generation,
                repo: v.repo.clone(),
                registry_id: v.registry_id.clone(),
                registry_url,
                policy,
                now,
            }));
        }
    }
}

/// `1 tagged [v*] > 10`, `2 untagged > 14d`.
fn rule_summary(r: &crate::lifecycle::policy::Rule) -> String {
    use crate::lifecycle::policy::Count;
    let count = match r.count {
        Count::MoreThan(n) => format!("keep {n}"),
        Count::SincePushedDays(d) => format!("> {d} days"),
    };
    format!("{}: {} {count}", r.priority, r.selection_text())
}

/// Plan again (`r`, after an apply or a restore).
fn replan(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(text) = app.lifecycle.as_ref().map(|v| v.text.clone())
        && !text.trim().is_empty()
    {
        set_text(app, text, fx);
    }
}

/// A lifecycle task's answer.
pub fn on_msg(app: &mut App, m: LifecycleMsg, fx: &mut Vec<Effect>) {
    let client = app.remote.client;
    let Some(v) = app.lifecycle.as_mut().filter(|v| v.client == client) else {
        return;
    };
    match m {
        LifecycleMsg::Planned { generation, result } => {
            if generation != v.generation {
                return;
            }
            v.planning = false;
            match result {
                Ok(p) => {
                    v.planned = Some(p);
                    v.error = None;
                }
                Err(e) => {
                    v.planned = None;
                    v.error = Some(crate::sanitize::clean_line(&e).into_owned());
                }
            }
            v.refilter();
        }
        LifecycleMsg::Journal(Ok(path)) => {
            app.status = Status::Info(format!("journal written: {}", path.display()));
            v.journal = Some(path);
        }
        LifecycleMsg::Journal(Err(e)) => {
            v.error = Some(crate::sanitize::clean_line(&e).into_owned());
            app.status = Status::Warning(crate::sanitize::clean_line(&e).into_owned());
        }
        LifecycleMsg::Restored(r) => {
            v.restoring = false;
            match r {
                Ok(report) => {
                    let back = report
                        .images
                        .iter()
                        .filter(|i| i.status != "failed")
                        .count();
                    app.status = Status::Info(format!(
                        "restored {back} of {} image(s)",
                        report.images.len()
                    ));
                    // Planning again shows what is back; the report stays up until esc.
                    replan(app, fx);
                    if let Some(v) = app.lifecycle.as_mut() {
                        v.restored = Some(report);
                    }
                }
                Err(e) => {
                    app.status = Status::Warning(crate::sanitize::clean_line(&e).into_owned())
                }
            }
        }
        LifecycleMsg::Loaded { path, result } => match result {
            Ok(text) => {
                if !v.origin.starts_with("config") {
                    v.origin = format!("file: {path}");
                }
                set_text(app, text, fx);
            }
            Err(e) => app.status = Status::Warning(crate::sanitize::clean_line(&e).into_owned()),
        },
        LifecycleMsg::Saved(Ok(path)) => {
            let (repo, text) = (v.repo.to_string(), v.text.clone());
            v.origin = "config".into();
            app.opts
                .config
                .lifecycle
                .insert(repo, PolicySource::Inline(text));
            app.status = Status::Info(format!("lifecycle policy kept in {}", path.display()));
        }
        LifecycleMsg::Saved(Err(e)) => {
            app.status = Status::Warning(format!(
                "the policy could not be kept: {}",
                crate::sanitize::clean_line(&e)
            ))
        }
    }
}

/// Keys in the view (the keymap's actions; the filter prompt takes typing first).
pub fn action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let Some(v) = app.lifecycle.as_mut() else {
        app.overlay = None;
        return;
    };
    let page = v.page.get().max(1) as isize;
    match action {
        Action::Up => v.move_by(-1),
        Action::Down => v.move_by(1),
        Action::PageUp => v.move_by(-page),
        Action::PageDown => v.move_by(page),
        Action::Top => v.move_by(isize::MIN / 2),
        Action::Bottom => v.move_by(isize::MAX / 2),
        Action::Back if v.restored.is_some() => v.restored = None,
        Action::Back if !v.filter.is_empty() => {
            v.filter.clear();
            v.refilter();
        }
        Action::Back => app.overlay = None,
        Action::Filter => {
            v.filter.clear();
            v.filter_editing = true;
            v.refilter();
        }
        Action::Refresh => replan(app, fx),
        Action::Edit => edit_menu(app),
        Action::Delete => confirm_apply(app),
        Action::Restore => restore(app, fx),
        Action::Command => app.command = Some(Default::default()),
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Quit => app.quit = true,
        _ => {}
    }
}

/// Whether the view's `/` prompt is open (it takes typing).
pub fn filter_editing(app: &App) -> bool {
    matches!(app.overlay, Some(Overlay::Lifecycle { .. }))
        && app.lifecycle.as_ref().is_some_and(|v| v.filter_editing)
}

pub fn filter_key(app: &mut App, ev: KeyEvent) {
    let Some(v) = app.lifecycle.as_mut() else {
        return;
    };
    match ev.code {
        KeyCode::Enter => v.filter_editing = false,
        KeyCode::Esc => {
            v.filter_editing = false;
            v.filter.clear();
            v.refilter();
        }
        KeyCode::Backspace => {
            v.filter.pop();
            v.refilter();
        }
        // The query is capped: beyond 200 characters a key does nothing.
        KeyCode::Char(c)
            if !ev.modifiers.contains(KeyModifiers::CONTROL) && v.filter.chars().count() < 200 =>
        {
            v.filter.push(c);
            v.refilter();
        }
        KeyCode::Down => v.move_by(1),
        KeyCode::Up => v.move_by(-1),
        _ => {}
    }
}

/// `e`: edit the policy's JSON, or start from a template.
fn edit_menu(app: &mut App) {
    if refuse_read_only(app, "editing the lifecycle policy") {
        return;
    }
    let mut items = vec![PickItem {
        label: "Edit the lifecycle policy (JSON)".into(),
        detail: String::new(),
        value: "edit".into(),
    }];
    items.extend(form::TEMPLATES.iter().map(|(key, label)| PickItem {
        label: format!("Template: {label}"),
        detail: String::new(),
        value: (*key).into(),
    }));
    app.overlay = Some(Overlay::Picker(Picker {
        kind: PickerKind::LifecycleStart,
        items,
        selected: 0,
    }));
}

/// The menu closed without a choice: back to the view.
pub fn menu_closed(app: &mut App) {
    if let Some(v) = &app.lifecycle {
        app.overlay = Some(Overlay::Lifecycle {
            repo: v.repo.clone(),
        });
    }
}

/// The menu's choice: the editor, on the current text or a template's.
pub fn start_chosen(app: &mut App, value: &str) {
    menu_closed(app);
    let Some(v) = app.lifecycle.as_ref() else {
        return;
    };
    let text = match value {
        "edit" if v.text.trim().is_empty() => form::template("untagged-age").unwrap_or_default(),
        "edit" => v.text.clone(),
        key => match form::template(key) {
            Some(t) => t,
            None => return,
        },
    };
    let f = form::lifecycle_form(&v.repo, &v.text, &text);
    let repo = v.repo.clone();
    open_form(app, f, FormKind::Lifecycle { repo });
}

/// ctrl-s in the editor (the form validates first): use the text and plan. Nothing is sent to
/// the service; the config keeps it on `:lifecycle save` or when the plan is applied.
pub fn form_saved(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(Modal::Form(ef)) = app.modal.take() else {
        return;
    };
    let text = form::lifecycle_request(&ef.form);
    if let Some(v) = app.lifecycle.as_mut() {
        v.origin = "edited, not saved (:lifecycle save keeps it)".into();
    }
    set_text(app, text, fx);
}

/// `d`: the confirmation, stating the totals.
fn confirm_apply(app: &mut App) {
    if refuse_read_only(app, "applying the lifecycle policy") {
        return;
    }
    let Some(v) = app.lifecycle.as_ref() else {
        return;
    };
    let Some(p) = v.planned.as_ref().filter(|_| !v.planning) else {
        app.status = Status::Warning("no plan yet".into());
        return;
    };
    let t = p.plan.totals;
    if t.images == 0 {
        app.status = Status::Warning(NOTHING_TO_APPLY.into());
        return;
    }
    let kept = p.rows.len() - t.images;
    let mut lines = vec![
        Line::raw(format!(
            "From {}: {} expire, with {} ({} freed); {} stay.",
            crate::sanitize::clean_line(&v.repo),
            count(t.images, "image"),
            count(t.tags, "tag"),
            size(t.bytes),
            thousands(kept)
        )),
        Line::raw(format!(
            "{} kept for multi-arch safety. Indexes go first, then what they referenced.",
            thousands(p.plan.kept_for_multiarch.len())
        )),
        Line::raw("The manifests are journalled first: u in this view restores them (PutImage)."),
        Line::default(),
    ];
    lines.extend(p.plan.apply_order().take(200).map(|i| {
        let r = &p.rows[i];
        Line::raw(format!(
            "  {} {}",
            crate::fmt::short_digest(&r.image_digest),
            crate::sanitize::clean_line(&tags(r, &p.parents))
        ))
    }));
    if t.images > 200 {
        lines.push(Line::raw(format!(
            "  … and {} more",
            thousands(t.images - 200)
        )));
    }
    let confirm = Confirm::new(
        format!(
            "Apply the lifecycle policy: expire {}",
            count(t.images, "image")
        ),
        lines,
        "apply? y yes · n no · j/k scroll",
    );
    app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
        confirm,
        action: ConfirmAction::LifecycleApply,
        under: None,
    })));
}

/// What goes, in words: the tags, or what an untagged platform manifest is (`↳ linux/arm64 of
/// v1.4.2, latest`: the confirmation lists exactly what is deleted, so it says in full).
fn tags(
    r: &crate::aws::ImageRow,
    parents: &std::collections::HashMap<Box<str>, crate::app::platforms::Parent>,
) -> String {
    if !r.image_tags.is_empty() {
        return r.image_tags.join(", ");
    }
    match parents.get(&r.image_digest) {
        Some(parent) => format!("↳ {}", parent.describe()),
        None => crate::app::strings::UNTAGGED.into(),
    }
}

/// `y` on the confirmation: keep the policy in the config, then journal and delete, with the
/// images pane's progress and report.
pub fn apply(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(v) = app.lifecycle.as_mut() else {
        return;
    };
    let Some(planned) = v.planned.clone() else {
        return;
    };
    v.applying = true;
    let total = planned.plan.totals.images;
    app.modal = Some(Modal::Deleting(Deleting {
        progress: DeleteProgress::new(&v.repo, total),
        stopped: false,
        not_sent: None,
        scroll: 0,
        max_scroll: std::cell::Cell::new(0),
        neighbour: None,
    }));
    let effect = LifecycleEffect::Apply {
        repo: v.repo.clone(),
        registry_id: v.registry_id.clone(),
        registry_url: app.opts.config.registry_url.clone(),
        journal_dir: app.opts.journal_dir.clone(),
        planned: Arc::clone(&planned),
        now: app.now,
    };
    save(app, fx);
    fx.push(Effect::Lifecycle(effect));
}

/// The bulk delete ended: if it was the lifecycle's, plan again to show what is left.
pub fn apply_ended(app: &mut App, fx: &mut Vec<Effect>) {
    if let Some(v) = app.lifecycle.as_mut()
        && std::mem::take(&mut v.applying)
    {
        replan(app, fx);
    }
}

/// `u`: put back what the last apply deleted.
fn restore(app: &mut App, fx: &mut Vec<Effect>) {
    if refuse_read_only(app, "restoring") {
        return;
    }
    let Some(v) = app.lifecycle.as_mut() else {
        return;
    };
    let Some(journal) = v.journal.clone() else {
        app.status = Status::Warning(NO_JOURNAL.into());
        return;
    };
    if v.restoring {
        return;
    }
    v.restoring = true;
    app.status = Status::Info(format!("restoring from {}…", journal.display()));
    fx.push(Effect::Lifecycle(LifecycleEffect::Restore { journal }));
}
