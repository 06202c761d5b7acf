//! `:open REF`: a read-only view of a repository in any registry that follows the distribution
//! spec, without AWS credentials. Its tags arrive page by page; what each tag names (digest,
//! size, creation time) is read only for the rows on screen. `:open` alone, and a start without
//! credentials, offer the bookmarked and recently opened references.

use super::actions::Action;
use super::inspector;
use super::inspector_state::Shared;
use super::layout;
use super::msg::{Effect, TagDetail};
use super::open_state::OpenRepo;
use super::state::{App, Fetch, Overlay, PickItem, Picker, PickerKind, Status};
use crate::registry::{Reference, RegistryClient};
use crate::sanitize::clean_line;

use crate::config::recent::RECENT_MAX;

/// `:open [REF]`: open REF, or offer the picker when none is given.
pub fn command(app: &mut App, arg: Option<&str>, fx: &mut Vec<Effect>) {
    match arg {
        Some(r) => open(app, r, fx),
        None => offer_picker(app, None),
    }
}

/// The repository of `text` (a tag or digest in it is ignored: the view lists every tag).
fn open(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let r = match Reference::parse(text) {
        Ok(r) => r,
        Err(e) => {
            app.status = Status::Warning(format!(
                ":open: {} (expected HOST/NAME, e.g. public.ecr.aws/docker/library/nginx)",
                clean_line(&e.to_string())
            ));
            return;
        }
    };
    let reference = format!("{}/{}", r.host, r.name);
    close(app, fx);
    app.opened.generation += 1;
    let generation = app.opened.generation;
    app.opened.view = Some(OpenRepo::new(reference.clone(), generation));
    app.opened.recent.retain(|x| *x != reference);
    app.opened.recent.insert(0, reference.clone());
    app.opened.recent.truncate(RECENT_MAX);
    if let Some(path) = app.opts.recent_path.clone() {
        fx.push(Effect::SaveRecent {
            path,
            references: app.opened.recent.clone(),
        });
    }
    app.overlay = Some(Overlay::OpenRepo);
    fx.push(Effect::OpenTags {
        generation,
        reference,
        registry_url: app.opts.client.registry_url.clone(),
    });
}

/// Close the view and stop its requests.
pub fn close(app: &mut App, fx: &mut Vec<Effect>) {
    if app.opened.view.take().is_some() {
        fx.push(Effect::CloseOpen);
    }
    app.opened.client = None;
    if app.overlay == Some(Overlay::OpenRepo) {
        app.overlay = None;
    }
}

/// What a closed help or error view returns to: the `:open` view when one is open.
pub fn underneath(app: &App) -> Option<Overlay> {
    app.opened.view.as_ref().map(|_| Overlay::OpenRepo)
}

/// The picker's entries: bookmarks (the config file's, then those added now), then recent ones.
fn picker_items(app: &App) -> Vec<PickItem> {
    let mut items: Vec<PickItem> = Vec::new();
    let mut push = |label: &str, detail: &str, value: &str| {
        if !items.iter().any(|i| i.value == value) {
            items.push(PickItem {
                label: clean_line(label).into_owned(),
                detail: detail.into(),
                value: value.into(),
            });
        }
    };
    for (label, r) in &app.opts.config.bookmarks {
        push(r, &format!("bookmark {label}"), r);
    }
    for r in &app.opened.added {
        push(r, "bookmark", r);
    }
    for r in &app.opened.recent {
        push(r, "recent", r);
    }
    items
}

/// Offer the picker; `why` (a start without credentials) is said in the status line.
fn offer_picker(app: &mut App, why: Option<&str>) {
    let items = picker_items(app);
    let hint = "type :open HOST/NAME (e.g. :open public.ecr.aws/docker/library/nginx)";
    if items.is_empty() {
        app.status = Status::Info(match why {
            Some(w) => format!("{w}: {hint}"),
            None => format!("no bookmarks yet: {hint}"),
        });
        return;
    }
    if let Some(w) = why {
        app.status = Status::Info(format!("{w}: pick a repository, or {hint}"));
    }
    app.overlay = Some(Overlay::Picker(Picker {
        kind: PickerKind::OpenRecent,
        items,
        selected: 0,
    }));
}

/// The first load failed for want of AWS credentials: public repositories can still be browsed.
pub fn no_credentials(app: &mut App) {
    if app.overlay.is_none() && app.modal.is_none() {
        offer_picker(
            app,
            Some("no AWS credentials, so your registry cannot be listed"),
        );
    }
}

/// Keys in the view.
pub fn action(app: &mut App, action: Action, fx: &mut Vec<Effect>) {
    let page = visible_rows(app).max(1) as isize;
    let Some(v) = app.opened.view.as_mut() else {
        return;
    };
    match action {
        Action::Up => v.move_by(-1),
        Action::Down => v.move_by(1),
        Action::PageUp => v.move_by(-page),
        Action::PageDown => v.move_by(page),
        Action::Top => v.cursor = 0,
        Action::Bottom => v.move_by(isize::MAX),
        Action::Open => inspect_selected_tag(app, fx),
        Action::Back => close(app, fx),
        Action::Refresh => {
            let r = v.reference.clone();
            open(app, &r, fx);
        }
        Action::Bookmark => bookmark(app, fx),
        Action::Command => app.command = Some(Default::default()),
        Action::Help => app.overlay = Some(Overlay::Help { scroll: 0 }),
        Action::Quit => app.quit = true,
        _ => {}
    }
}

/// `enter` on a tag: the image inspector for `REFERENCE:TAG`, read through the view's own
/// (anonymous) client; esc in the inspector comes back here.
fn inspect_selected_tag(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(v) = app.opened.view.as_ref() else {
        return;
    };
    let Some(tag) = v.selected() else {
        return;
    };
    let Some(client) = app.opened.client.clone() else {
        app.status =
            Status::Warning("the registry is not connected yet: try again in a moment".into());
        return;
    };
    match Reference::parse(&v.reference) {
        Ok(mut r) => {
            r.tag = Some(tag.to_string());
            r.digest = None;
            inspector::open_reference(app, r, client.0, fx);
        }
        Err(e) => app.status = Status::Warning(clean_line(&e.to_string()).into_owned()),
    }
}

/// `B`: add the open reference to the config file's bookmarks.
fn bookmark(app: &mut App, fx: &mut Vec<Effect>) {
    let Some(r) = app.opened.view.as_ref().map(|v| v.reference.clone()) else {
        return;
    };
    let Some(path) = app.opts.config_path.clone() else {
        app.status = Status::Warning(
            "no config file to keep bookmarks in (no home directory): use --config FILE".into(),
        );
        return;
    };
    if !app.opened.added.contains(&r) {
        app.opened.added.push(r.clone());
    }
    fx.push(Effect::SaveBookmark { path, reference: r });
}

/// A page of tags (or, `done`, the end of the listing).
/// A page of the tag list; the first brings the view's registry client (kept while the view is
/// open).
pub fn page(
    app: &mut App,
    generation: u64,
    tags: Vec<String>,
    done: bool,
    client: Option<Shared<RegistryClient>>,
) {
    if generation == app.opened.generation
        && app.opened.view.is_some()
        && let Some(c) = client
    {
        app.opened.client = Some(c);
    }
    let Some(v) = app
        .opened
        .view
        .as_mut()
        .filter(|v| v.generation == generation)
    else {
        return;
    };
    v.tags.extend(tags.into_iter().map(Box::from));
    if done {
        v.loading = false;
    }
}

pub fn failed(app: &mut App, generation: u64, error: String) {
    if let Some(v) = app
        .opened
        .view
        .as_mut()
        .filter(|v| v.generation == generation)
    {
        v.loading = false;
        v.error = Some(error);
    }
}

pub fn detail(app: &mut App, generation: u64, tag: Box<str>, d: Result<TagDetail, String>) {
    if let Some(v) = app
        .opened
        .view
        .as_mut()
        .filter(|v| v.generation == generation)
    {
        let f = match d {
            Ok(d) => Fetch::Ready(d),
            Err(e) => Fetch::Failed(crate::aws::AwsError::new("RegistryError", e)),
        };
        v.details.insert(tag, f);
    }
}

/// Rows of tags the view shows (below its column header).
pub fn visible_rows(app: &App) -> usize {
    layout::read_view_inner(app).height.saturating_sub(2) as usize
}

/// After every message: keep the cursor on screen and read what the rows on screen name.
pub fn after(app: &mut App, fx: &mut Vec<Effect>) {
    if app.overlay != Some(Overlay::OpenRepo) {
        return;
    }
    let h = visible_rows(app);
    let Some(v) = app.opened.view.as_mut() else {
        return;
    };
    v.scroll_into_view(h);
    let end = (v.offset + h).min(v.tags.len());
    let mut wanted = Vec::new();
    for tag in &v.tags[v.offset.min(end)..end] {
        if !v.details.contains_key(tag) {
            wanted.push(tag.clone());
        }
    }
    if wanted.is_empty() {
        return;
    }
    for t in &wanted {
        v.details.insert(t.clone(), Fetch::Loading);
    }
    fx.push(Effect::OpenDetails {
        generation: v.generation,
        tags: wanted,
    });
}
