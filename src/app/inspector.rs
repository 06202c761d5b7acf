//! The image inspector: `enter` (or `i`) on an image or tag opens what is inside it, read through
//! the registry API. An index lists its platforms (this machine's selected first) and `enter`
//! opens one; an image shows its config, history, layers and raw JSON. Every read is an effect; the
//! manifest is drawn as soon as it arrives, then the config.
//!
//! `open_reference` is the entry point for any registry (a reference and a client), so views of
//! repositories outside the caller's registry reuse the inspector.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::actions::Action;
use super::inspector_content::{self as content, Section};
use super::inspector_state::{
    InspectRequest, InspectorMsg, InspectorState, InspectorView, Loaded, Node, Part, Shared,
    Source, config_key, manifest_key,
};
use super::msg::Effect;
use super::state::{App, Overlay, Pane, Status};
use super::strings;
use crate::registry::{ManifestKind, Reference, RegistryClient};

/// `enter`/`i` on the images or tags pane: inspect the selected image by its digest (what the
/// row lists, whatever a tag points at by now).
pub fn open_selected(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(repo) = app.remote.repo.clone() else {
        app.status = Status::Warning(strings::needs_repository("image"));
        return;
    };
    let picked = match app.pane {
        Pane::Images => app.remote.images.selected().map(|i| {
            let label = match i.image_tags.first() {
                Some(t) => format!("{}:{t}", repo.repository_name),
                None => format!("{}@{}", repo.repository_name, i.image_digest),
            };
            (i.image_digest.to_string(), label)
        }),
        Pane::Tags => app.remote.tags.selected().map(|t| {
            (
                t.image_digest.to_string(),
                format!("{}:{}", repo.repository_name, t.image_tag),
            )
        }),
        _ => None,
    };
    let Some((digest, title)) = picked else {
        app.status = Status::Warning(strings::NOTHING_SELECTED.into());
        return;
    };
    let source = Source::Own {
        registry_id: Some(repo.registry_id.clone()),
        repo: repo.repository_name.clone(),
        registry_url: own_registry_url(app),
    };
    open(
        app,
        source,
        title,
        repo.repository_uri.to_string(),
        digest,
        fx,
    );
}

/// Inspect `reference` (its tag or digest; `latest` when it names neither) through `client`:
/// for repositories of any registry, the caller's or not.
pub fn open_reference(
    app: &mut App,
    reference: Reference,
    client: Arc<RegistryClient>,
    fx: &mut Vec<Effect>,
) {
    let target = reference.target().as_path();
    let title = reference.to_string();
    let uri = format!("{}/{}", reference.host, reference.name);
    let source = Source::Registry {
        reference,
        client: Shared(client),
    };
    open(app, source, title, uri, target, fx);
}

/// Where public.ecr.aws's registry API is: the config's `registry_url`, or in `--demo` the
/// built-in emulator (it serves both APIs on one address).
fn own_registry_url(app: &App) -> Option<String> {
    app.opts.config.registry_url.clone().or_else(|| {
        app.opts
            .demo
            .then(|| app.opts.client.endpoint_url.clone())
            .flatten()
    })
}

fn open(
    app: &mut App,
    source: Source,
    title: String,
    uri: String,
    target: String,
    fx: &mut Vec<Effect>,
) {
    reset_if_replaced(app);
    let key = manifest_key(&source, &target);
    app.inspector.view = Some(InspectorView {
        source,
        title,
        uri,
        stack: vec![Node::new(key, target, None)],
        query: String::new(),
        editing: false,
        max_scroll: Default::default(),
        page: Default::default(),
        detail: Default::default(),
    });
    app.overlay = Some(Overlay::Inspector);
    settle(app, Retry::Failed, fx);
}

/// A profile or region switch replaced the client: the connection and what it fetched go.
fn reset_if_replaced(app: &mut App) {
    if app.inspector.generation != app.remote.client {
        app.inspector = InspectorState {
            generation: app.remote.client,
            ..InspectorState::default()
        };
    }
}

fn request(app: &App, key: Box<str>, part: Part) -> Option<Effect> {
    let v = app.inspector.view.as_ref()?;
    Some(Effect::Inspect(InspectRequest {
        client: app.remote.client,
        source: v.source.clone(),
        own: app.inspector.own.clone(),
        key,
        part,
    }))
}

/// Whether a failed read is asked again: only when the user asks (opening, `r`), never on an
/// answer, so a registry that keeps failing is not hammered in a loop.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    Failed,
    Missing,
}

fn wanted<T>(l: Option<&Loaded<T>>, retry: Retry) -> bool {
    match l {
        None => true,
        Some(Loaded::Failed(_)) => retry == Retry::Failed,
        Some(_) => false,
    }
}

/// Ask for what the open node needs and is not cached (the manifest, then an image's config),
/// and put the section and cursor where they belong once the manifest is known.
fn settle(app: &mut App, retry: Retry, fx: &mut Vec<Effect>) {
    let Some(v) = app.inspector.view.as_ref() else {
        return;
    };
    let node = v.node();
    let (key, target) = (node.key.clone(), node.target.clone());
    let state = &mut app.inspector;
    match state.manifests.get(&key) {
        l if wanted(l, retry) => {
            state.manifests.insert(key.clone(), Loaded::Loading);
            fx.extend(request(app, key, Part::Manifest(target)));
        }
        Some(Loaded::Ready(m)) => {
            let m = m.clone();
            let v = app.inspector.view.as_mut().expect("open");
            let sections = content::sections(&m);
            let node = v.node_mut();
            if !sections.contains(&node.section) {
                node.section = sections[0];
                if let ManifestKind::Index(ix) = &m.kind
                    && let Some(i) = content::host_platform(&ix.manifests)
                {
                    node.set_pos(i);
                }
            }
            if let ManifestKind::Image(img) = &m.kind {
                let ck: Box<str> = config_key(&v.source, &img.config.digest).into();
                if wanted(app.inspector.configs.get(&ck), retry) {
                    app.inspector.configs.insert(ck.clone(), Loaded::Loading);
                    fx.extend(request(app, ck, Part::Config(img.config.clone())));
                }
            }
        }
        _ => {}
    }
}

/// An answer from the registry.
pub fn answered(app: &mut App, msg: InspectorMsg, fx: &mut Vec<Effect>) {
    let client = match &msg {
        InspectorMsg::Connected { client, .. }
        | InspectorMsg::Manifest { client, .. }
        | InspectorMsg::Config { client, .. } => *client,
    };
    // From a client replaced since: about another account.
    if client != app.remote.client || client != app.inspector.generation {
        return;
    }
    match msg {
        InspectorMsg::Connected { registry, .. } => app.inspector.own = Some(registry),
        InspectorMsg::Manifest { key, result, .. } => {
            let v = match result {
                Ok(m) => {
                    if let Some(src) = source_of(&app.inspector, &key) {
                        // Cached under its digest as well, so opening it by digest costs nothing.
                        let by_digest = manifest_key(src, &m.digest.to_string());
                        // The task that read an image's manifest reads its config right after.
                        let config = match &m.kind {
                            ManifestKind::Image(img) => Some(config_key(src, &img.config.digest)),
                            ManifestKind::Index(_) => None,
                        };
                        let state = &mut app.inspector;
                        state.manifests.insert(by_digest, Loaded::Ready(m.clone()));
                        if let Some(ck) = config
                            && !matches!(state.configs.get(ck.as_str()), Some(Loaded::Ready(_)))
                        {
                            state.configs.insert(ck.into(), Loaded::Loading);
                        }
                    }
                    Loaded::Ready(m)
                }
                Err(e) => Loaded::Failed(e),
            };
            app.inspector.manifests.insert(key, v);
        }
        InspectorMsg::Config { key, result, .. } => {
            let v = match result {
                Ok(c) => Loaded::Ready(c),
                Err(e) => Loaded::Failed(e),
            };
            app.inspector.configs.insert(key, v);
        }
    }
    settle(app, Retry::Missing, fx);
}

/// The open view's source, when the manifest `key` is one of its own (the user may have opened
/// another image since it was asked for).
fn source_of<'a>(state: &'a InspectorState, key: &str) -> Option<&'a Source> {
    let src = &state.view.as_ref()?.source;
    let rest = key.strip_prefix(src.id().as_str())?;
    (rest.starts_with(':') || rest.starts_with('@')).then_some(src)
}

/// The rows a list section has now (what the cursor moves over).
fn list_len(state: &InspectorState) -> usize {
    let (Some(v), Some(m)) = (state.view.as_ref(), state.current_manifest()) else {
        return 0;
    };
    match (&m.kind, v.node().section) {
        (ManifestKind::Index(ix), Section::Platforms) => ix.manifests.len(),
        (ManifestKind::Image(img), Section::Layers) => img.layers.len(),
        (ManifestKind::Image(img), Section::History) => {
            match state.config_of(&v.source, &img.config) {
                Some(Loaded::Ready(c)) => content::history(img, &c.config, &v.query).len(),
                _ => 0,
            }
        }
        _ => 0,
    }
}

/// A browsing key while the inspector is open.
pub fn action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let len = list_len(&app.inspector);
    let Some(v) = app.inspector.view.as_mut() else {
        return;
    };
    let is_list = v.node().section.is_list();
    let (max, page) = if is_list {
        (len.saturating_sub(1), v.page.get().max(1))
    } else {
        (v.max_scroll.get(), v.page.get().max(1))
    };
    let pos = v.node().pos().min(max);
    let history = v.node().section == Section::History;
    if history && v.detail.open {
        let d = &mut v.detail;
        let (most, rows) = (d.max_scroll.get(), d.page.get().max(1));
        match action {
            Action::PageDown => return d.scroll = (d.scroll + rows).min(most),
            Action::PageUp => return d.scroll = d.scroll.saturating_sub(rows),
            // Another entry: its command from the top.
            Action::Up | Action::Down | Action::Top | Action::Bottom => d.scroll = 0,
            _ => {}
        }
    }
    let moved = |p: usize| Some(p.min(max));
    let to = match action {
        Action::Up => moved(pos.saturating_sub(1)),
        Action::Down => moved(pos + 1),
        Action::PageUp => moved(pos.saturating_sub(page)),
        Action::PageDown => moved(pos + page),
        Action::Top => moved(0),
        Action::Bottom => moved(max),
        _ => None,
    };
    if let Some(p) = to {
        v.node_mut().set_pos(p);
        return;
    }
    match action {
        Action::Open if history => {
            v.detail.open = !v.detail.open;
            v.detail.scroll = 0;
        }
        Action::Open => open_platform(app, fx),
        Action::Back => back(app),
        Action::ToggleTags => next_section(app),
        Action::Filter => {
            v.query.clear();
            v.editing = true;
        }
        Action::Copy => copy(app, fx),
        Action::Refresh => refresh(app, fx),
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Quit => app.quit = true,
        _ => {}
    }
}

/// `enter` on a platform: open its image.
fn open_platform(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(m) = app.inspector.current_manifest() else {
        return;
    };
    let v = app.inspector.view.as_ref().expect("open");
    let ManifestKind::Index(ix) = &m.kind else {
        return;
    };
    if v.node().section != Section::Platforms {
        return;
    }
    let Some(d) = ix.manifests.get(v.node().pos()) else {
        return;
    };
    let key = manifest_key(&v.source, &d.digest);
    let platform = d.platform.as_ref().map(|p| p.to_string());
    let node = Node::new(key, d.digest.clone(), platform);
    let v = app.inspector.view.as_mut().expect("open");
    v.query.clear();
    v.stack.push(node);
    settle(app, Retry::Failed, fx);
}

/// esc: fold the command back, else clear the filter, else back to the index, else close.
fn back(app: &mut App) {
    let Some(v) = app.inspector.view.as_mut() else {
        return;
    };
    if v.detail.open {
        v.detail.open = false;
    } else if !v.query.is_empty() {
        v.query.clear();
    } else if v.stack.len() > 1 {
        v.stack.pop();
    } else {
        close(app);
    }
}

pub fn close(app: &mut App) {
    app.inspector.view = None;
    if matches!(app.overlay, Some(Overlay::Inspector)) {
        // Opened from the `:open` view: back to it.
        app.overlay = app.opened.view.is_some().then_some(Overlay::OpenRepo);
    }
}

/// tab: the next section of what is shown.
fn next_section(app: &mut App) {
    let Some(sections) = app.inspector.current_manifest().map(content::sections) else {
        return;
    };
    let v = app.inspector.view.as_mut().expect("open");
    let node = v.node_mut();
    let at = sections
        .iter()
        .position(|s| *s == node.section)
        .unwrap_or(0);
    node.section = sections[(at + 1) % sections.len()];
}

/// `r`: fetch the shown manifest (and config) again.
fn refresh(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(v) = app.inspector.view.as_ref() else {
        return;
    };
    let key = v.node().key.clone();
    if let Some(Loaded::Ready(m)) = app.inspector.manifests.get(&key)
        && let ManifestKind::Image(img) = &m.kind
    {
        let ck = config_key(&v.source, &img.config.digest);
        app.inspector.configs.remove(ck.as_str());
    }
    app.inspector.manifests.remove(&key);
    settle(app, Retry::Failed, fx);
}

/// `y`: the digest of the selected platform or layer, else the image's reference by digest.
fn copy(app: &mut App, fx: &mut Vec<Effect>) {
    let Some((label, text)) = copy_choice(&app.inspector) else {
        app.status = Status::Warning(strings::NOTHING_SELECTED.into());
        return;
    };
    match crate::clipboard::sequence(&text, app.opts.in_tmux) {
        Ok(bytes) => fx.push(Effect::WriteTerminal {
            bytes,
            done: strings::copied(label, &text),
        }),
        Err(e) => app.status = Status::Warning(e.to_string()),
    }
}

fn copy_choice(state: &InspectorState) -> Option<(&'static str, String)> {
    let v = state.view.as_ref()?;
    let m = state.current_manifest()?;
    let node = v.node();
    let reference = ("reference", format!("{}@{}", v.uri, m.digest));
    Some(match (&m.kind, node.section) {
        (ManifestKind::Index(ix), Section::Platforms) => match ix.manifests.get(node.pos()) {
            Some(d) => ("platform digest", d.digest.clone()),
            None => reference,
        },
        (ManifestKind::Image(img), Section::Layers) => match img.layers.get(node.pos()) {
            Some(l) => ("layer digest", l.digest.clone()),
            None => reference,
        },
        (ManifestKind::Image(img), Section::History) => {
            let layer = match state.config_of(&v.source, &img.config) {
                Some(Loaded::Ready(c)) => content::history(img, &c.config, &v.query)
                    .get(node.pos())
                    .and_then(|r| r.layer.map(|l| l.digest.clone())),
                _ => None,
            };
            match layer {
                Some(d) => ("layer digest", d),
                None => reference,
            }
        }
        (ManifestKind::Image(img), Section::RawConfig) => {
            ("config digest", img.config.digest.clone())
        }
        _ => reference,
    })
}

/// The inspector's `/` prompt: typing filters the history and the env at once.
pub fn filter_key(app: &mut App, ev: KeyEvent) {
    let Some(v) = app.inspector.view.as_mut() else {
        return;
    };
    match ev.code {
        KeyCode::Enter => v.editing = false,
        KeyCode::Esc => {
            v.editing = false;
            v.query.clear();
        }
        KeyCode::Backspace => {
            v.query.pop();
        }
        KeyCode::Char(c) if !ev.modifiers.contains(KeyModifiers::CONTROL) => v.query.push(c),
        KeyCode::Down => return action(app, Action::Down, &mut Vec::new()),
        KeyCode::Up => return action(app, Action::Up, &mut Vec::new()),
        _ => {}
    }
    // The filtered list may be shorter now: the cursor starts again from the top.
    if let Some(v) = app.inspector.view.as_mut() {
        v.node_mut().set_pos(0);
        v.detail.scroll = 0;
    }
}
