//! Deleting: marks, the plan and its confirmation, the bulk delete's progress and report, the
//! repository delete prompt (type the name; force asked apart), and the policy delete.

use std::collections::{HashMap, HashSet};

use crossterm::event::{KeyCode, KeyEvent};

use super::base::{forget, refuse_read_only, reload};
use super::list::{List, Row};
use super::load::LoadState;
use super::modal::{ConfirmAction, ConfirmModal, Deleting, Modal};
use super::msg::{Effect, ListId, Mutation};
use super::state::{App, Fetch, Overlay, Pane, Status};
use super::{cached, platforms, strings};
use crate::aws::{DeleteOutcome, ImageRef, ImageRow, TagRow};
use crate::forms::delete::{
    DeletePlan, DeleteProgress, Removes, RepoDeleteConfirm, RepoDeleteEvent,
};
use crate::forms::policy::delete_policy_confirm;

/// `space`: mark or unmark the selected image or tag, then move to the next row.
pub fn mark(app: &mut App) {
    // Marks are for deleting: in read-only mode nothing could act on them.
    if matches!(app.pane, Pane::Images | Pane::Tags) && refuse_read_only(app, "marking rows") {
        return;
    }
    // A cached row no fresh page has confirmed may be gone: a mark on it would reach `d`.
    // Unmarking is always fine.
    let (list, ok) = match app.pane {
        Pane::Images => {
            let l = &app.remote.images;
            (
                ListId::Images,
                l.selected_confirmed() || l.selected_marked(),
            )
        }
        Pane::Tags => {
            let l = &app.remote.tags;
            (ListId::Tags, l.selected_confirmed() || l.selected_marked())
        }
        _ => return,
    };
    if !ok {
        app.status = Status::Warning(cached::unconfirmed_mark(app, list));
        return;
    }
    match app.pane {
        Pane::Images => {
            app.remote.images.toggle_mark();
            app.remote.images.move_by(1);
        }
        Pane::Tags => {
            app.remote.tags.toggle_mark();
            app.remote.tags.move_by(1);
        }
        _ => {}
    }
}

/// `ctrl-a`: mark every row shown (every match of the filter), or unmark them when all are.
pub fn mark_all(app: &mut App) {
    let shown = match app.pane {
        Pane::Images => app.remote.images.len(),
        Pane::Tags => app.remote.tags.len(),
        _ => return,
    };
    if refuse_read_only(app, "marking rows") {
        return;
    }
    if shown == 0 {
        app.status = Status::Warning(strings::NOTHING_TO_MARK.into());
        return;
    }
    let (list, (marked, left_out), n) = match app.pane {
        Pane::Images => (
            ListId::Images,
            app.remote.images.mark_all_shown(),
            app.remote.images.marked_count(),
        ),
        _ => (
            ListId::Tags,
            app.remote.tags.mark_all_shown(),
            app.remote.tags.marked_count(),
        ),
    };
    // Left-out rows are worth a word when marking (not when clearing), and when they are all.
    if left_out > 0 && (marked || left_out == shown) {
        app.status = Status::Warning(cached::marked_confirmed(
            app,
            list,
            if marked { n } else { 0 },
            left_out,
        ));
        return;
    }
    app.status = Status::Info(if marked {
        strings::marked(n)
    } else {
        strings::MARKS_CLEARED.into()
    });
}

/// `d`: what it deletes depends on where the user is; every case asks first.
pub fn delete(app: &mut App) {
    if refuse_read_only(app, "deleting") {
        return;
    }
    match &app.overlay {
        Some(Overlay::Policy { repo, .. }) => {
            let repo = repo.clone();
            if matches!(app.remote.policies.get(&repo), Some(Fetch::Ready(None))) {
                app.status = Status::Warning(strings::NO_POLICY_TO_DELETE.into());
                return;
            }
            app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
                confirm: delete_policy_confirm(&repo),
                action: ConfirmAction::DeletePolicy { repo },
                under: None,
            })));
            return;
        }
        Some(_) => return,
        None => {}
    }
    match app.pane {
        Pane::Registries => app.status = Status::Warning(strings::REGISTRY_NOT_DELETABLE.into()),
        Pane::Repositories => {
            let Some(repo) = app.remote.repos.selected() else {
                app.status = Status::Warning(strings::NOTHING_SELECTED.into());
                return;
            };
            let name = repo.repository_name.clone();
            // The image count is known when this repository's images are all loaded.
            let images = (app.remote.repo.as_ref().map(|r| &r.repository_name) == Some(&name)
                && app.remote.images.load.state == LoadState::Done)
                .then_some(app.remote.images.rows.len());
            app.modal = Some(Modal::RepoDelete {
                confirm: RepoDeleteConfirm::new(&name, images),
                busy: false,
            });
        }
        Pane::Images | Pane::Tags => images_or_tags(app),
    }
}

fn images_or_tags(app: &mut App) {
    let Some(repo) = app
        .remote
        .repo
        .as_ref()
        .map(|r| r.repository_name.to_string())
    else {
        return;
    };
    let plan = if app.pane == Pane::Images {
        let rows: Vec<&ImageRow> = if app.remote.images.marked_count() > 0 {
            app.remote.images.marked_rows().collect()
        } else {
            app.remote.images.selected().into_iter().collect()
        };
        let (rows, left) = platforms::plan_rows(app, rows);
        let mut plan = DeletePlan::new(&repo, &rows, &[], |_| None);
        if plan.items.is_empty() && left.of_staying + left.of_going > 0 {
            app.status = Status::Warning(strings::only_platforms(left.of_staying + left.of_going));
            return;
        }
        if left.of_staying > 0 {
            plan.notes
                .push(strings::platforms_left_out(left.of_staying));
        }
        if left.of_going > 0 {
            plan.notes
                .push(strings::platforms_of_going_left_out(left.of_going));
        }
        plan.notes.extend(platforms::caveat(app, &rows));
        plan
    } else {
        let rows: Vec<&TagRow> = if app.remote.tags.marked_count() > 0 {
            app.remote.tags.marked_rows().collect()
        } else {
            app.remote.tags.selected().into_iter().collect()
        };
        let tags_of = tags_by_digest(app);
        DeletePlan::new(&repo, &[], &rows, |d| tags_of.get(d).cloned())
    };
    if plan.items.is_empty() {
        app.status = Status::Warning(strings::NOTHING_SELECTED.into());
        return;
    }
    app.modal = Some(Modal::Confirm(Box::new(ConfirmModal {
        confirm: plan.confirm(),
        action: ConfirmAction::DeleteImages { plan },
        under: None,
    })));
}

/// Every tag of each image, from what is loaded: a whole tag list, else the images' own tags.
/// An image in neither is left out, and its plan line says so instead of guessing.
fn tags_by_digest(app: &App) -> HashMap<String, Vec<String>> {
    let mut m: HashMap<String, Vec<String>> = HashMap::new();
    if app.remote.tags.load.state == LoadState::Done {
        for t in &app.remote.tags.rows {
            m.entry(t.image_digest.to_string())
                .or_default()
                .push(t.image_tag.to_string());
        }
    }
    for i in &app.remote.images.rows {
        m.entry(i.image_digest.to_string())
            .or_insert_with(|| i.image_tags.iter().map(|t| t.to_string()).collect());
    }
    m
}

/// `y` on the plan: send it, showing progress.
pub fn start(app: &mut App, plan: DeletePlan, fx: &mut Vec<Effect>) {
    let ids = plan.ids();
    let neighbour = neighbour_after(app, &plan);
    app.modal = Some(Modal::Deleting(Deleting {
        progress: DeleteProgress::new(&plan.repo, ids.len()),
        stopped: false,
        not_sent: None,
        scroll: 0,
        max_scroll: std::cell::Cell::new(0),
        neighbour,
    }));
    fx.push(Effect::DeleteImages {
        repo: plan.repo.as_str().into(),
        ids,
    });
}

pub fn chunk_done(app: &mut App, o: &DeleteOutcome) {
    if let Some(Modal::Deleting(d)) = app.modal.as_mut() {
        d.progress.apply(o);
    }
}

/// The bulk delete is over: the lists show what is left, and the report stays up when there is
/// something to read in it.
pub fn ended(app: &mut App, not_sent: usize, fx: &mut Vec<Effect>) {
    let Some(Modal::Deleting(d)) = app.modal.as_mut() else {
        return;
    };
    d.not_sent = Some(not_sent);
    let r = &d.progress.report;
    app.status = Status::Info(strings::delete_summary(
        r.deleted,
        d.progress.total,
        r.failures.len(),
        not_sent,
    ));
    let repo = d.progress.repo.clone();
    let neighbour = d.neighbour.take();
    // Everything went: the status line says so, and the next key goes to the list instead of
    // dismissing a report with nothing to read. A failure or a stop keeps the report up, and so
    // does a lifecycle apply's (closing it shows the plan on what is left).
    let lifecycle_apply = app.lifecycle.as_ref().is_some_and(|v| v.applying);
    if r.failures.is_empty() && not_sent == 0 && !d.stopped && !lifecycle_apply {
        app.modal = None;
    }
    if app
        .remote
        .repo
        .as_ref()
        .is_some_and(|r| *r.repository_name == *repo)
    {
        app.select_after_load = neighbour.and_then(|(list, at, next)| {
            // A row that failed to go is still there: the cursor stays on it.
            let failed = d_failed(app, &at);
            if failed { Some(at) } else { next }.map(|k| (list, k))
        });
        for list in [ListId::Images, ListId::Tags] {
            if app.pane.list() == list {
                reload(app, list, fx);
            } else {
                // The other view loads afresh when it is opened again.
                forget(app, list, fx);
            }
        }
    }
}

/// Keys while deleting: esc stops sending; once over, enter or esc closes the report.
pub fn deleting_key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Modal::Deleting(d)) = app.modal.as_mut() else {
        return;
    };
    let max = d.max_scroll.get();
    match ev.code {
        KeyCode::Enter | KeyCode::Esc | KeyCode::Char('q') if d.is_over() => app.modal = None,
        KeyCode::Esc if !d.stopped => {
            d.stopped = true;
            fx.push(Effect::StopDelete);
        }
        // A long report (every failure) scrolls.
        KeyCode::Down | KeyCode::Char('j') => d.scroll = (d.scroll + 1).min(max),
        KeyCode::Up | KeyCode::Char('k') => d.scroll = d.scroll.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => d.scroll = d.scroll.saturating_add(10).min(max),
        KeyCode::PageUp => d.scroll = d.scroll.saturating_sub(10),
        KeyCode::End | KeyCode::Char('G') => d.scroll = max,
        KeyCode::Home | KeyCode::Char('g') => d.scroll = 0,
        _ => {}
    }
}

/// Keys in the repository delete prompt.
pub fn repo_delete_key(app: &mut App, ev: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(Modal::RepoDelete { confirm, busy }) = app.modal.as_mut() else {
        return;
    };
    if *busy {
        return;
    }
    match confirm.handle_key(ev) {
        RepoDeleteEvent::Ignored | RepoDeleteEvent::Changed => {}
        RepoDeleteEvent::Cancel => app.modal = None,
        RepoDeleteEvent::Delete { force } => {
            *busy = true;
            fx.push(Effect::Mutate(Mutation::DeleteRepository {
                name: confirm.name.as_str().into(),
                force,
            }));
        }
    }
}

pub fn repository_deleted(app: &mut App, name: &str, fx: &mut Vec<Effect>) {
    app.modal = None;
    app.select_after_load = neighbour(&app.remote.repos, |r| &*r.repository_name == name)
        .map(|k| (ListId::Repositories, k));
    app.status = Status::Info(strings::done("deleted repository", name));
    if app
        .remote
        .repo
        .as_ref()
        .is_some_and(|r| &*r.repository_name == name)
    {
        forget(app, ListId::Images, fx);
        forget(app, ListId::Tags, fx);
        app.remote.repo = None;
        if matches!(app.pane, Pane::Images | Pane::Tags) {
            app.pane = Pane::Repositories;
        }
    }
    app.remote.catalogs.remove(name);
    app.remote.policies.remove(name);
    reload(app, ListId::Repositories, fx);
}

/// The service refused a plain delete because images remain: ask about force on its own.
pub fn repository_needs_force(app: &mut App, message: &str) {
    if let Some(Modal::RepoDelete { confirm, busy }) = app.modal.as_mut() {
        confirm.require_force(message);
        *busy = false;
    }
}

pub fn repository_delete_failed(app: &mut App) {
    if matches!(app.modal, Some(Modal::RepoDelete { .. })) {
        app.modal = None;
    }
}

/// Whether the bulk delete's report lists the row with `key` (a digest or a tag) as failed.
fn d_failed(app: &App, key: &str) -> bool {
    let Some(Modal::Deleting(d)) = &app.modal else {
        return false;
    };
    d.progress
        .report
        .failures
        .iter()
        .any(|(id, _, _)| match id {
            ImageRef::Digest(x) | ImageRef::Tag(x) => x == key,
        })
}

/// Where the cursor goes once `plan` is carried out, in the pane it was made from: the row it is
/// on and the row that takes its place.
fn neighbour_after(app: &App, plan: &DeletePlan) -> Option<(ListId, Box<str>, Option<Box<str>>)> {
    let mut whole: HashSet<&str> = HashSet::new();
    let mut tags: HashSet<&str> = HashSet::new();
    for r in &plan.items {
        match r {
            Removes::Image { digest, .. } => {
                whole.insert(digest);
            }
            Removes::LastTag { digest, tag } => {
                whole.insert(digest);
                tags.insert(tag);
            }
            Removes::Tag { tag, .. } => {
                tags.insert(tag);
            }
        }
    }
    let list = app.pane.list();
    let (at, next) = match list {
        ListId::Images => (
            app.remote.images.selected().map(|r| r.key().into()),
            neighbour(&app.remote.images, |i| whole.contains(&*i.image_digest)),
        ),
        ListId::Tags => (
            app.remote.tags.selected().map(|r| r.key().into()),
            neighbour(&app.remote.tags, |t| {
                tags.contains(&*t.image_tag) || whole.contains(&*t.image_digest)
            }),
        ),
        _ => (None, None),
    };
    at.map(|at| (list, at, next))
}

/// The row that takes the cursor's place when the rows `gone` says go: the first one from the
/// cursor down that stays, else the nearest above (deleting the last rows). The list keeps its
/// place instead of jumping to the top.
fn neighbour<T: Row>(l: &List<T>, gone: impl Fn(&T) -> bool) -> Option<Box<str>> {
    let at = l.cursor.selected.min(l.view.len());
    let row = |i: &u32| &l.rows[*i as usize];
    l.view[at..]
        .iter()
        .map(row)
        .find(|r| !gone(r))
        .or_else(|| l.view[..at].iter().rev().map(row).find(|r| !gone(r)))
        .map(|r| r.key().into())
}
