//! The image inspector, driven through `app::dispatch` and the real effect runner against the
//! in-process emulator's demo images: an index's platforms, an image's config, history, layers
//! and raw JSON, the filter, copying, the cache, errors explained in place, any registry through
//! `open_reference`, and skopeo agreeing with what the inspector shows.

use crate::support::tui as tui_support;

use std::sync::Arc;

use crossterm::event::KeyCode;
use ecrp::app::inspector_state::{FailureKind, InspectError, InspectorMsg, Loaded, Shared};
use ecrp::app::{self, Effect, Msg, Overlay};
use ecrp::registry::{ManifestKind, Reference};
use tui_support::*;

const W: u16 = 160;
const H: u16 = 45;

fn snap(name: &str, h: &Harness) {
    insta::assert_snapshot!(name, redact(&h.screen()));
}

/// From the repositories pane: open `repo`'s images and inspect the newest (the first row).
async fn inspect_newest(h: &mut Harness, repo: &str) {
    h.keys(&format!("/{repo}")).await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(h.app.overlay, Some(Overlay::Inspector), "{}", h.screen());
}

fn shown_manifest(h: &Harness) -> Arc<ecrp::registry::Manifest> {
    let key = &h.app.inspector.view.as_ref().expect("open").node().key;
    match h.app.inspector.manifest(key) {
        Some(Loaded::Ready(m)) => m.0.clone(),
        _ => panic!("the manifest is not loaded:\n{}", h.screen()),
    }
}

#[tokio::test]
async fn an_index_lists_platforms_with_this_machine_first_and_enter_opens_one() {
    let (emu, mut h) = demo(W, H).await;
    inspect_newest(&mut h, "web").await;
    let s = h.screen();
    assert!(
        s.contains("linux/amd64") && s.contains("linux/arm64"),
        "{s}"
    );
    assert!(s.contains("index of 2 platforms"), "{s}");
    let top = shown_manifest(&h);
    let ManifestKind::Index(ix) = &top.kind else {
        panic!("web's newest image is multi-arch")
    };
    let host = ecrp::inspect::PlatformSpec::host();
    let at = h.app.inspector.view.as_ref().unwrap().node().pos();
    let chosen = ix.manifests[at].platform.as_ref().unwrap();
    if ix
        .manifests
        .iter()
        .any(|d| d.platform.as_ref().is_some_and(|p| host.matches(p)))
    {
        assert!(
            host.matches(chosen),
            "this machine's platform is selected first"
        );
    }
    snap("inspector_index", &h);

    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(s.contains(&format!("› {chosen}")), "{s}");
    for label in [
        "Created",
        "Entrypoint",
        "Cmd",
        "Env",
        "Exposed ports",
        "Stop signal",
    ] {
        assert!(s.contains(label), "{label}:\n{s}");
    }
    snap("inspector_image", &h);

    // esc goes back to the index, then closes.
    h.send(code(KeyCode::Esc)).await;
    assert!(h.screen().contains("index of 2 platforms"));
    h.send(code(KeyCode::Esc)).await;
    assert_eq!(h.app.overlay, None);
    assert!(h.app.inspector.view.is_none());
    emu.shutdown().await;
}

#[tokio::test]
async fn history_layers_and_raw_json_of_an_image() {
    let (emu, mut h) = demo(W, H).await;
    // worker's images are single-platform: the image itself opens.
    inspect_newest(&mut h, "worker").await;
    let m = shown_manifest(&h);
    let ManifestKind::Image(img) = &m.kind else {
        panic!("worker's newest image is single-platform")
    };
    h.send(code(KeyCode::Tab)).await;
    let s = h.screen();
    assert!(s.contains("CREATED BY"), "{s}");
    assert!(s.contains("(empty)"), "empty layers are marked:\n{s}");
    snap("inspector_history", &h);

    // `/` filters the history; esc clears the filter before it leaves.
    h.keys("/").await;
    h.keys("ENV").await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(s.contains("/ENV"), "{s}");
    let rows = s.lines().filter(|l| l.contains("(empty)")).count();
    assert!(rows >= 1, "{s}");
    assert!(
        !s.contains("(empty)") || !s.contains("COPY"),
        "only ENV lines:\n{s}"
    );
    h.send(code(KeyCode::Esc)).await;
    assert!(h.app.inspector.view.as_ref().unwrap().query.is_empty());
    assert_eq!(h.app.overlay, Some(Overlay::Inspector));

    h.send(code(KeyCode::Tab)).await;
    let s = h.screen();
    assert!(s.contains("SHARE"), "{s}");
    assert!(
        s.contains(&img.layers[0].digest),
        "selected layer in full:\n{s}"
    );
    snap("inspector_layers", &h);

    // `y` on a layer copies its digest (OSC 52 to the terminal).
    h.keys("y").await;
    let out = String::from_utf8(h.terminal_out.lock().unwrap().clone()).unwrap();
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(&img.layers[0].digest);
    assert!(out.contains(&b64), "{out}");

    h.send(code(KeyCode::Tab)).await;
    let s = h.screen();
    assert!(s.contains("\"schemaVersion\""), "{s}");
    snap("inspector_raw_manifest", &h);
    h.send(code(KeyCode::Tab)).await;
    assert!(h.screen().contains("\"architecture\""), "{}", h.screen());
    // A long raw config scrolls, and no further than its end.
    h.keys("G").await;
    let max = h.app.inspector.view.as_ref().unwrap().max_scroll.get();
    assert_eq!(h.app.inspector.view.as_ref().unwrap().node().pos(), max);
    emu.shutdown().await;
}

#[tokio::test]
async fn reads_are_effects_and_cached_per_digest() {
    let (emu, mut h) = demo(W, H).await;
    inspect_newest(&mut h, "worker").await;
    h.send(code(KeyCode::Esc)).await;
    // Opening it again asks the registry for nothing: manifest and config are cached.
    let fx = app::update(&mut h.app, code(KeyCode::Enter));
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Inspect(_))),
        "{fx:?}"
    );
    assert!(h.screen().contains("Entrypoint"));
    // `r` fetches it again: one effect now, the config once the manifest is back.
    let fx = app::update(&mut h.app, key('r'));
    assert_eq!(
        fx.iter()
            .filter(|e| matches!(e, Effect::Inspect(_)))
            .count(),
        1
    );
    // Before the answer, the screen says what it waits for.
    assert!(
        h.screen().contains("fetching the manifest"),
        "{}",
        h.screen()
    );
    h.run(fx);
    h.settle().await;
    assert!(h.screen().contains("Entrypoint"), "{}", h.screen());
    emu.shutdown().await;
}

/// The task that reads an image's manifest reads its config right after: the app asks for nothing
/// more when the manifest arrives, and shows the config as on its way.
#[tokio::test]
async fn the_config_is_read_with_the_manifest() {
    let (emu, mut h) = demo(W, H).await;
    inspect_newest(&mut h, "worker").await;
    let m = shown_manifest(&h);
    let ManifestKind::Image(img) = &m.kind else {
        panic!("worker's newest image is single-platform")
    };
    let view = h.app.inspector.view.as_ref().unwrap();
    let (key, source) = (view.node().key.clone(), view.source.clone());
    h.app.inspector.manifests.clear();
    h.app.inspector.configs.clear();
    let client = h.app.remote.client;
    let fx = app::update(
        &mut h.app,
        Msg::Inspected(InspectorMsg::Manifest {
            client,
            key,
            result: Ok(Shared(m.clone())),
        }),
    );
    assert!(
        !fx.iter().any(|e| matches!(e, Effect::Inspect(_))),
        "{fx:?}"
    );
    assert!(matches!(
        h.app.inspector.config_of(&source, &img.config),
        Some(Loaded::Loading)
    ));
    assert!(h.screen().contains("fetching the config"), "{}", h.screen());
    emu.shutdown().await;
}

#[tokio::test]
async fn failures_are_explained_where_the_content_would_be() {
    let (emu, mut h) = demo(W, H).await;
    inspect_newest(&mut h, "worker").await;
    let view = h.app.inspector.view.as_ref().unwrap();
    let key = view.node().key.clone();
    let client = h.app.remote.client;
    let fail = |kind, anonymous, message: &str| {
        Msg::Inspected(InspectorMsg::Manifest {
            client,
            key: key.clone(),
            result: Err(InspectError {
                kind,
                message: message.into(),
                anonymous,
            }),
        })
    };
    h.deliver(fail(
        FailureKind::RateLimited,
        true,
        "GET /v2/acme/worker/manifests/sha256:…: too many requests (retry after 30 s)",
    ));
    let s = h.screen();
    assert!(s.contains("anonymous") && s.contains(":login"), "{s}");
    snap("inspector_rate_limited", &h);
    h.deliver(fail(
        FailureKind::Denied,
        false,
        "GET /v2/acme/worker/manifests/x: HTTP 401 Unauthorized; DENIED: \u{1b}[31mno\u{7}",
    ));
    let s = h.screen();
    assert!(s.contains("refused your AWS token"), "{s}");
    assert!(!s.contains('\u{1b}') && !s.contains('\u{7}'), "sanitised");
    snap("inspector_denied", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn any_registry_through_open_reference_anonymously() {
    let (emu, mut h) = demo(W, H).await;
    let host = emu.url().trim_start_matches("http://").to_string();
    let open = |h: &mut Harness, r: &str| {
        let reference = Reference::parse(r).unwrap();
        let client = ecrp::inspect::client_for(&reference, None, None).unwrap();
        let mut fx = Vec::new();
        app::inspector::open_reference(&mut h.app, reference, Arc::new(client), &mut fx);
        h.run(fx);
    };
    open(&mut h, &format!("{host}/acme/api:latest"));
    h.settle().await;
    let s = h.screen();
    assert!(s.contains("index of 2 platforms"), "{s}");
    assert!(s.contains("/acme/api:latest"), "{s}");

    // A tag that is not there: the registry's 404, explained, in an anonymous session.
    open(&mut h, &format!("{host}/acme/api:no-such-tag"));
    h.settle().await;
    let s = h.screen();
    assert!(s.contains("does not have this manifest"), "{s}");
    assert!(s.contains("session: anonymous"), "{s}");
    assert!(s.contains("MANIFEST_UNKNOWN"), "{s}");
    snap("inspector_not_found", &h);
    emu.shutdown().await;
}

#[tokio::test]
async fn help_and_footer_name_the_inspector_keys() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(
        s.contains("enter inspect"),
        "footer on the images pane:\n{s}"
    );
    h.keys("?").await;
    assert!(
        h.screen().contains("inspect the selected image"),
        "{}",
        h.screen()
    );
    h.keys("q").await;
    h.keys("i").await;
    assert_eq!(h.app.overlay, Some(Overlay::Inspector));
    let s = h.screen();
    assert!(s.contains("tab section") && s.contains("/ filter"), "{s}");
    // Nothing is edited in the inspector: `e` is not offered there.
    assert!(!s.contains("e edit"), "{s}");
    // Help over the inspector lists its keys and closes back to it.
    h.keys("?").await;
    let s = h.screen();
    assert!(s.contains("Keys in the image inspector"), "{s}");
    assert!(
        s.contains("history: enter shows the selected command whole"),
        "{s}"
    );
    assert!(!s.contains("edit what is selected"), "{s}");
    h.send(code(KeyCode::Esc)).await;
    assert_eq!(h.app.overlay, Some(Overlay::Inspector));
    emu.shutdown().await;
}

/// skopeo, an independent client, agrees with the digests and config values the inspector shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skopeo_agrees_with_the_inspector() {
    let installed = std::process::Command::new("skopeo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        assert!(
            std::env::var("ECRP_REQUIRE_INTEROP").as_deref() != Ok("1"),
            "skopeo is required (ECRP_REQUIRE_INTEROP=1) but not installed"
        );
        println!("SKIPPED: skopeo is not installed");
        return;
    }
    let (emu, mut h) = demo(W, H).await;
    let host = emu.url().trim_start_matches("http://").to_string();
    inspect_newest(&mut h, "api").await;
    let index = shown_manifest(&h);
    h.send(code(KeyCode::Enter)).await;
    let image = shown_manifest(&h);
    let ManifestKind::Image(img) = &image.kind else {
        panic!("a platform of api is an image")
    };
    let config = match h.app.inspector.configs.values().next() {
        Some(Loaded::Ready(c)) => c.0.clone(),
        _ => panic!("config not loaded"),
    };
    let skopeo = |args: Vec<String>| {
        let out = std::process::Command::new("skopeo")
            .args(&args)
            .output()
            .expect("skopeo runs");
        assert!(
            out.status.success(),
            "skopeo {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).expect("JSON")
    };
    let at = |d: &str| format!("docker://{host}/acme/api@{d}");
    let tag = format!("docker://{host}/acme/api:latest");
    // The index: skopeo's raw bytes hash to the digest the inspector shows.
    let raw = std::process::Command::new("skopeo")
        .args(["inspect", "--tls-verify=false", "--raw", &tag])
        .output()
        .unwrap();
    assert_eq!(
        ecrp::registry::Digest::sha256(&raw.stdout).to_string(),
        index.digest.to_string()
    );
    let plain = skopeo(vec![
        "inspect".into(),
        "--tls-verify=false".into(),
        at(&image.digest.to_string()),
    ]);
    assert_eq!(plain["Digest"], image.digest.to_string());
    let layers: Vec<String> = img.layers.iter().map(|l| l.digest.clone()).collect();
    assert_eq!(plain["Layers"], serde_json::json!(layers));
    let cfg = skopeo(vec![
        "inspect".into(),
        "--tls-verify=false".into(),
        "--config".into(),
        at(&image.digest.to_string()),
    ]);
    let c = &config.config;
    let cc = c.config.clone().unwrap_or_default();
    assert_eq!(cfg["architecture"], serde_json::json!(c.architecture));
    assert_eq!(cfg["os"], serde_json::json!(c.os));
    assert_eq!(cfg["created"], serde_json::json!(c.created));
    assert_eq!(
        cfg["config"]["Entrypoint"],
        serde_json::json!(cc.entrypoint)
    );
    assert_eq!(cfg["config"]["Cmd"], serde_json::json!(cc.cmd));
    assert_eq!(cfg["config"]["Env"], serde_json::json!(cc.env));
    assert_eq!(cfg["config"]["User"], serde_json::json!(cc.user));
    assert_eq!(
        cfg["config"]["WorkingDir"],
        serde_json::json!(cc.working_dir)
    );
    assert_eq!(cfg["config"]["Labels"], serde_json::json!(cc.labels));
    assert_eq!(
        cfg["history"].as_array().map(Vec::len),
        c.history.as_ref().map(Vec::len)
    );
    // And the screen shows those same values.
    let s = h.screen();
    if let Some(ep) = &cc.entrypoint {
        assert!(s.contains(&serde_json::to_string(ep).unwrap()), "{s}");
    }
    for e in cc.env.iter().flatten().take(3) {
        assert!(s.contains(e.as_str()), "{e}:\n{s}");
    }
    emu.shutdown().await;
}

/// A build step longer than the rows under the history: the detail says how much is hidden,
/// `enter` gives the command most of the screen, `pgdn` scrolls to its end, `esc` folds it back
/// (and only then leaves). Answers are handed to `update` as the registry would send them.
#[test]
fn a_long_history_command_is_read_whole() {
    use ecrp::app::inspector_content::ConfigBlob;
    use ecrp::registry::{Digest, ImageConfig, parse_manifest};
    let steps: Vec<String> = (0..120).map(|i| format!("step-{i:03}")).collect();
    let command = format!("RUN /bin/sh -c {} && echo END-OF-STEP", steps.join(" && "));
    let config = serde_json::json!({
        "architecture": "amd64", "os": "linux", "created": "2026-01-01T00:00:00Z",
        "config": {"Cmd": ["/app"]},
        "rootfs": {"type": "layers", "diff_ids": [format!("sha256:{:064x}", 7)]},
        "history": [
            {"created": "2026-01-01T00:00:00Z", "created_by": "ADD rootfs.tar /"},
            {"created": "2026-01-01T00:00:00Z", "created_by": command, "empty_layer": true},
        ],
    })
    .to_string();
    let cbytes = bytes::Bytes::from(config);
    let parsed = ImageConfig::parse(&cbytes).unwrap();
    let mbytes = bytes::Bytes::from(
        serde_json::json!({
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": Digest::sha256(&cbytes).to_string(),
                "size": cbytes.len(),
            },
            "layers": [{
                "mediaType": "application/vnd.oci.image.layer.v1.tar+gzip",
                "digest": format!("sha256:{:064x}", 8),
                "size": 1234,
            }],
        })
        .to_string(),
    );
    let (media_type, kind) = parse_manifest("test", None, &mbytes).unwrap();
    let ManifestKind::Image(img) = &kind else {
        panic!("an image manifest")
    };
    let config_digest = img.config.digest.clone();
    let manifest = ecrp::registry::Manifest {
        digest: Digest::sha256(&mbytes),
        media_type,
        bytes: mbytes,
        kind,
    };

    let (mut app, _) = connected_app(80, 24);
    let reference = Reference::parse("127.0.0.1:9/long/history:latest").unwrap();
    let client = Arc::new(ecrp::inspect::client_for(&reference, None, None).unwrap());
    let mut fx = Vec::new();
    app::inspector::open_reference(&mut app, reference, client, &mut fx);
    let v = app.inspector.view.as_ref().unwrap();
    let (key, source) = (v.node().key.clone(), v.source.clone());
    let generation = app.remote.client;
    app::update(
        &mut app,
        Msg::Inspected(InspectorMsg::Manifest {
            client: generation,
            key,
            result: Ok(Shared::new(manifest)),
        }),
    );
    app::update(
        &mut app,
        Msg::Inspected(InspectorMsg::Config {
            client: generation,
            key: ecrp::app::inspector_state::config_key(&source, &config_digest).into(),
            result: Ok(Shared(Arc::new(ConfigBlob {
                bytes: cbytes,
                config: parsed,
            }))),
        }),
    );
    app::update(&mut app, code(KeyCode::Tab));
    app::update(&mut app, code(KeyCode::Down));
    let s = screen(&app);
    assert!(s.contains("CREATED BY"), "{s}");
    assert!(
        s.contains("step-000"),
        "the command's start below the list:\n{s}"
    );
    assert!(
        s.contains("more lines · enter: the whole command"),
        "what is hidden is said:\n{s}"
    );
    assert!(!s.contains("END-OF-STEP"), "{s}");

    app::update(&mut app, code(KeyCode::Enter));
    let s = screen(&app);
    assert!(s.contains("(pgup/pgdn)"), "{s}");
    let shown = steps.iter().filter(|st| s.contains(st.as_str())).count();
    assert!(
        shown > 40,
        "most of the screen holds the command ({shown} steps):\n{s}"
    );
    app::update(&mut app, code(KeyCode::PageDown));
    let s = screen(&app);
    assert!(s.contains("END-OF-STEP"), "scrolled to its end:\n{s}");
    assert!(s.contains("step-119"), "{s}");
    assert!(!s.contains("step-020"), "{s}");

    // esc folds the command first; the inspector stays open.
    app::update(&mut app, code(KeyCode::Esc));
    let s = screen(&app);
    assert!(s.contains("enter: the whole command"), "{s}");
    assert_eq!(app.overlay, Some(Overlay::Inspector));
    app::update(&mut app, code(KeyCode::Esc));
    assert_eq!(app.overlay, None);
}
