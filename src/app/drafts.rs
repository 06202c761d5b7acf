//! Unsaved edits: catalog and policy forms write a draft on every change (the runner's draft
//! writer keeps only the newest), it goes when the form is saved or discarded, and what is left
//! from an earlier run is offered at start and when that edit is opened again.

use super::modal::{EditForm, FormKind, PendingEdit};
use super::msg::Effect;
use super::state::{App, Overlay, PickItem, Picker, PickerKind, Status};
use super::strings;
use crate::drafts::{Draft, DraftKind};
use crate::forms::field::Editor;

pub(super) fn has_draft(app: &App, p: &PendingEdit, kind: DraftKind) -> bool {
    find_draft(app, &p.registry, &p.repo, kind).is_some()
}

pub(super) fn find_draft(app: &App, registry: &str, repo: &str, kind: DraftKind) -> Option<Draft> {
    app.drafts
        .as_deref()?
        .iter()
        .find(|d| d.registry == registry && d.repository == repo && d.kind == kind)
        .cloned()
}

/// Put a draft's values back; a logo path is checked again.
pub fn restore(ef: &mut EditForm, d: &Draft, fx: &mut Vec<Effect>) {
    ef.form.restore(&d.values);
    for (i, f) in ef.form.fields.iter().enumerate() {
        if let Editor::Path { line, .. } = &f.editor
            && !line.text().trim().is_empty()
        {
            fx.push(Effect::CheckPath {
                field: i,
                path: line.text().to_string(),
            });
        }
    }
}

pub(super) fn save_draft(ef: &EditForm, fx: &mut Vec<Effect>) {
    if let Some((registry, repo, kind)) = ef.kind.draft() {
        fx.push(Effect::SaveDraft {
            registry: registry.into(),
            repo: repo.into(),
            kind,
            values: ef.form.values(),
        });
    }
}

/// A saved form closes: its draft goes, from the disk and from the start-up offer.
pub(super) fn form_closed(app: &mut super::state::App, fx: &mut Vec<Effect>) {
    if let Some(super::modal::Modal::Form(ef)) = app.modal.take() {
        remove_draft(&ef.kind, fx);
        if let Some((registry, repo, kind)) = ef.kind.draft()
            && let Some(list) = app.drafts.as_mut()
        {
            list.retain(|d| !(d.registry == registry && d.repository == repo && d.kind == kind));
        }
    }
}

pub(super) fn remove_draft(kind: &FormKind, fx: &mut Vec<Effect>) {
    if let Some((registry, repo, kind)) = kind.draft() {
        fx.push(Effect::RemoveDraft {
            registry: registry.into(),
            repo: repo.into(),
            kind,
        });
    }
}

/// Drafts left from an earlier run, offered once the registry is known.
pub fn offer_drafts(app: &mut App) {
    if app.drafts_offered
        || app.overlay.is_some()
        || app.modal.is_some()
        || app.remote.registries.load.is_loading()
        || app.remote.registries.rows.is_empty()
    {
        return;
    }
    let Some(list) = app.drafts.as_deref() else {
        return;
    };
    app.drafts_offered = true;
    // Nothing could be saved: the drafts wait for a read-write run.
    if app.opts.read_only {
        return;
    }
    let mine: Vec<PickItem> = list
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            app.remote
                .registries
                .rows
                .iter()
                .any(|r| r.registry_id == d.registry)
        })
        .map(|(i, d)| PickItem {
            label: strings::draft_label(d),
            detail: strings::ago(app.now - d.saved_at as i64),
            value: i.to_string(),
        })
        .collect();
    if mine.is_empty() {
        return;
    }
    app.status = Status::Info(strings::DRAFTS_OFFER.into());
    app.overlay = Some(Overlay::Picker(Picker {
        kind: PickerKind::Drafts,
        items: mine,
        selected: 0,
    }));
}
