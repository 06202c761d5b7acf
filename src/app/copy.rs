//! Sharing what is selected: the copy menu (URIs, digests, tags, ids, pull commands) written to
//! the clipboard through the terminal (OSC 52), and the gallery page in a browser.

use super::base::open_picker;
use super::msg::Effect;
use super::state::{App, Pane, PickItem, PickerKind, Status};
use super::strings;

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
