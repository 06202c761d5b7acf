//! Issue 7 in the TUI: remapped keys, themes and NO_COLOR, profile and region pickers, the copy
//! menu (OSC 52), the gallery and login commands, and auto-refresh — against the in-process
//! emulator through the real effect runner, or by feeding `update` directly.

use crate::support::tui::*;
use crossterm::event::KeyCode;
use ecrp::app::{self, App, Effect, ListId, Msg, Overlay, PickerKind, Status};
use ecrp::aws::ConnectionInfo;
use ecrp::config::{self, Theme};
use ecrp::profiles::{ProfileInfo, ProfileKind};
use ratatui::style::Color;

const W: u16 = 160;
const H: u16 = 45;

async fn demo_with(
    tweak: impl FnOnce(&mut app::RunOptions),
) -> (ecrp::emulator::Emulator, Harness) {
    let emu = ecrp::emulator::start(ecrp::emulator::EmulatorOptions {
        clock: Some(NOW),
        ..Default::default()
    })
    .await
    .expect("emulator");
    let h = Harness::start_with(&emu.url(), W, H, NOW, tweak).await;
    (emu, h)
}

fn selected_repo(h: &Harness) -> String {
    h.app
        .remote
        .repos
        .selected()
        .unwrap()
        .repository_name
        .to_string()
}

#[tokio::test]
async fn remapped_key_changes_what_it_does_and_what_help_shows() {
    let (cfg, warnings) = config::parse("[keys]\nrefresh = \"x\"\nhelp = \"F1\"\n");
    assert_eq!(warnings, vec![]);
    let (emu, mut h) = demo_with(|o| o.config = cfg).await;
    // `r` no longer refreshes: nothing is reloaded.
    let fx = app::update(&mut h.app, key('r'));
    assert!(fx.is_empty(), "{fx:?}");
    let fx = app::update(&mut h.app, key('x'));
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Load {
                list: ListId::Repositories,
                token: None,
                ..
            }
        )),
        "{fx:?}"
    );
    h.run(fx);
    h.settle().await;
    h.send(key('?')).await;
    assert_eq!(h.app.overlay, None, "? is unbound now");
    h.send(code(KeyCode::F(1))).await;
    let s = h.screen();
    assert!(matches!(h.app.overlay, Some(Overlay::Help { .. })), "{s}");
    let line = s
        .lines()
        .find(|l| l.contains("reload this pane"))
        .expect(&s);
    assert!(line.contains("  x "), "{line}");
    assert!(
        s.contains("f1 help"),
        "header hint shows the user's key:\n{s}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn config_warnings_show_in_the_status_line_and_details() {
    let (cfg, warnings) = config::parse("page_size = 0\n");
    assert_eq!(warnings.len(), 1);
    let (emu, mut h) = demo_with(|o| {
        o.config = cfg;
        o.config_warnings = warnings;
    })
    .await;
    assert!(
        h.screen().contains("1 problem in the config file"),
        "{}",
        h.screen()
    );
    h.send(key('!')).await;
    let s = h.screen();
    assert!(s.contains("page_size"), "{s}");
    emu.shutdown().await;
}

#[tokio::test]
async fn region_picker_reconnects_keeps_the_emulator_and_reloads() {
    let (emu, mut h) = demo(W, H).await;
    h.send(ctrl('r')).await;
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("no picker:\n{}", h.screen());
    };
    assert_eq!(p.kind, PickerKind::Regions);
    insta::assert_snapshot!("regions_picker", redact(&h.screen()));
    h.send(key('j')).await;
    let fx = app::update(&mut h.app, code(KeyCode::Enter));
    let Some(Effect::Connect(opts)) = fx.iter().find(|e| matches!(e, Effect::Connect(_))) else {
        panic!("{fx:?}");
    };
    assert_eq!(opts.region.as_deref(), Some("us-west-2"));
    assert_eq!(opts.endpoint_url.as_deref(), Some(emu.url().as_str()));
    assert!(h.app.remote.repos.rows.is_empty(), "panes start over");
    h.run(fx);
    h.settle().await;
    let s = h.screen();
    assert!(s.contains("us-west-2"), "{s}");
    assert!(!h.app.remote.repos.rows.is_empty(), "reloaded:\n{s}");
    emu.shutdown().await;
}

fn connected(profile: &str) -> App {
    let (mut app, _) = connected_app(W, H);
    app::update(
        &mut app,
        Msg::Connected(ConnectionInfo {
            profile: profile.into(),
            region: "us-east-1".into(),
            endpoint: None,
        }),
    );
    app
}

#[test]
fn profile_picker_lists_kinds_and_regions_and_switches() {
    let mut app = connected("default");
    let fx = app::update(&mut app, ctrl('p'));
    assert!(matches!(fx.as_slice(), [Effect::ListProfiles]), "{fx:?}");
    app::update(
        &mut app,
        Msg::Profiles(Ok(vec![
            ProfileInfo {
                name: "default".into(),
                kind: ProfileKind::StaticKeys,
                region: Some("us-east-1".into()),
            },
            ProfileInfo {
                name: "prod".into(),
                kind: ProfileKind::Sso,
                region: Some("us-west-2".into()),
            },
        ])),
    );
    insta::assert_snapshot!("profiles_picker", screen(&app));
    app::update(&mut app, key('j'));
    let fx = app::update(&mut app, code(KeyCode::Enter));
    let Some(Effect::Connect(opts)) = fx.iter().find(|e| matches!(e, Effect::Connect(_))) else {
        panic!("{fx:?}");
    };
    assert_eq!(opts.profile.as_deref(), Some("prod"));
    assert_eq!(
        opts.region.as_deref(),
        Some("us-west-2"),
        "the profile's region"
    );
    assert!(app.remote.connection.is_none());
    assert!(screen(&app).contains("switching profile to prod"));
    // The new client answers; the panes load again.
    let fx = app::update(
        &mut app,
        Msg::Connected(ConnectionInfo {
            profile: "prod".into(),
            region: "us-west-2".into(),
            endpoint: None,
        }),
    );
    assert!(
        load_generation(&fx, ListId::Repositories).is_some(),
        "{fx:?}"
    );
    // An expired SSO session says what to run.
    let (generation, _) = load_generation(&fx, ListId::Repositories).unwrap();
    app::update(
        &mut app,
        Msg::PageFailed {
            list: ListId::Repositories,
            generation,
            error: ecrp::aws::AwsError::new(
                "CredentialsError",
                "the SSO token has expired and refresh failed",
            ),
        },
    );
    let s = screen(&app);
    assert!(s.contains("aws sso login --profile prod"), "{s}");
}

#[tokio::test]
async fn copy_menu_writes_the_exact_osc52_bytes() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    assert_eq!(selected_repo(&h), "web");
    h.send(key('y')).await;
    insta::assert_snapshot!("copy_menu", redact(&h.screen()));
    h.send(key('j')).await;
    let fx = app::update(&mut h.app, code(KeyCode::Enter));
    let expected = "\x1b]52;c;ZG9ja2VyIHB1bGwgcHVibGljLmVjci5hd3MvYWNtZS93ZWI=\x07";
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::WriteTerminal { bytes, .. } if bytes == expected)),
        "{fx:?}"
    );
    h.run(fx);
    h.settle().await;
    assert_eq!(&*h.terminal_out.lock().unwrap(), expected.as_bytes());
    assert!(
        h.screen()
            .contains("copied pull command: docker pull public.ecr.aws/acme/web"),
        "{}",
        h.screen()
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn copy_inside_tmux_uses_the_passthrough_form() {
    let (emu, mut h) = demo_with(|o| o.in_tmux = true).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(key('y')).await;
    h.send(code(KeyCode::Enter)).await;
    let out = String::from_utf8(h.terminal_out.lock().unwrap().clone()).unwrap();
    assert!(out.starts_with("\x1bPtmux;\x1b\x1b]52;c;"), "{out:?}");
    assert!(out.ends_with("\x07\x1b\\"), "{out:?}");
    emu.shutdown().await;
}

#[tokio::test]
async fn login_in_demo_explains_and_never_shows_the_token() {
    let (emu, mut h) = demo(W, H).await;
    h.keys(":login").await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(s.contains("not valid for public.ecr.aws"), "{s}");
    assert!(matches!(h.app.status, Status::Info(_)));
    emu.shutdown().await;
}

#[tokio::test]
async fn open_asks_the_runner_for_the_gallery_page() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    let fx = app::update(&mut h.app, key('o'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::OpenUrl(u) if u == "https://gallery.ecr.aws/acme/web")),
        "{fx:?}"
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn auto_refresh_keeps_selection_and_filter_without_emptying_the_pane() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/a").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(key('j')).await;
    let chosen = selected_repo(&h);
    let shown = h.app.remote.repos.len();
    h.send(key('R')).await;
    assert_eq!(h.app.auto_refresh, Some(10));
    assert!(h.screen().contains("auto 10s"), "{}", h.screen());
    // Not yet due.
    let fx = app::update(&mut h.app, Msg::Tick(NOW + 5));
    assert!(fx.is_empty(), "{fx:?}");
    let fx = app::update(&mut h.app, Msg::Tick(NOW + 10));
    assert!(
        load_generation(&fx, ListId::Repositories).is_some(),
        "{fx:?}"
    );
    // While the new pages are on their way the old rows stay on screen.
    assert_eq!(h.app.remote.repos.len(), shown);
    assert_eq!(selected_repo(&h), chosen);
    h.run(fx);
    h.settle().await;
    assert_eq!(h.app.remote.repos.filter.query, "a");
    assert_eq!(h.app.remote.repos.len(), shown);
    assert_eq!(selected_repo(&h), chosen);
    h.send(key('R')).await;
    assert_eq!(h.app.auto_refresh, None);
    assert!(app::update(&mut h.app, Msg::Tick(NOW + 100)).is_empty());
    emu.shutdown().await;
}

#[tokio::test]
async fn light_theme_screen() {
    let (emu, h) = demo_with(|o| o.config.theme = Theme::Light).await;
    let buf = render(&h.app);
    // The focused border is blue in the light theme (cyan in the dark one).
    assert!(buf.content.iter().any(|c| c.fg == Color::Blue));
    assert!(!buf.content.iter().any(|c| c.fg == Color::Cyan));
    insta::assert_snapshot!("light_theme", redact(&h.screen()));
    emu.shutdown().await;
}

#[tokio::test]
async fn no_color_has_no_colours_but_keeps_symbols() {
    let (emu, mut h) = demo_with(|o| o.no_color = true).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.keys("c").await;
    let buf = render(&h.app);
    assert!(
        buf.content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset),
        "a coloured cell with NO_COLOR"
    );
    h.send(code(KeyCode::Esc)).await;
    assert!(h.screen().contains("▶"), "{}", h.screen());
    emu.shutdown().await;
}

#[tokio::test]
async fn absolute_dates_everywhere() {
    let (emu, h) = demo_with(|o| o.config.date_format = config::DateFormat::Absolute).await;
    let s = h.screen();
    assert!(!s.contains(" ago"), "{s}");
    assert!(s.contains(" UTC"), "{s}");
    emu.shutdown().await;
}

#[tokio::test]
async fn page_size_from_the_config_sets_the_page_length() {
    let (emu, h) = demo_with(|o| o.config.page_size = 5).await;
    // 13 repositories in pages of 5.
    assert_eq!(h.app.remote.repos.rows.len(), 13);
    assert_eq!(h.app.remote.repos.load.pages, 3);
    emu.shutdown().await;
}

#[test]
fn auto_refresh_swaps_in_the_new_set_whole_and_follows_the_selected_row() {
    let (mut app, fx) = connected_app(W, H);
    let (rg, _) = load_generation(&fx, ListId::Registries).unwrap();
    let (g, _) = load_generation(&fx, ListId::Repositories).unwrap();
    app::update(
        &mut app,
        Msg::Page {
            generation: rg,
            rows: app::PageRows::Registries(page(
                vec![ecrp::aws::RegistryRow {
                    registry_id: "123456789012".into(),
                    registry_arn: "arn:aws:ecr-public::123456789012:registry/123456789012".into(),
                    registry_uri: "public.ecr.aws/acme".into(),
                    verified: false,
                    aliases: vec![],
                    display_name: None,
                }],
                None,
                1,
            )),
        },
    );
    let names = |v: &[&str]| v.iter().map(|n| repo(n, NOW)).collect::<Vec<_>>();
    app::update(&mut app, repos_page(names(&["b", "c", "d"]), g, None));
    app::update(&mut app, key('j'));
    app::update(&mut app, key('R'));
    let fx = app::update(&mut app, Msg::Tick(NOW + 10));
    let (g, token) = load_generation(&fx, ListId::Repositories).unwrap();
    assert_eq!(token, None, "from the first page");
    // First page of the new set: not shown yet.
    app::update(&mut app, repos_page(names(&["a", "b"]), g, Some("t2")));
    assert_eq!(app.remote.repos.rows.len(), 3);
    app::update(&mut app, repos_page(names(&["c", "d"]), g, None));
    assert_eq!(app.remote.repos.rows.len(), 4);
    assert_eq!(&*app.remote.repos.selected().unwrap().repository_name, "c");
}

fn two_profiles() -> Msg {
    Msg::Profiles(Ok(vec![
        ProfileInfo {
            name: "default".into(),
            kind: ProfileKind::StaticKeys,
            region: Some("us-east-1".into()),
        },
        ProfileInfo {
            name: "prod".into(),
            kind: ProfileKind::Sso,
            region: Some("us-west-2".into()),
        },
    ]))
}

/// A region from the environment or the config file gives way to the chosen profile's; one
/// pinned with `--region` stays.
#[test]
fn switching_profile_takes_its_region_unless_region_was_pinned() {
    for (pinned, want) in [(false, "us-west-2"), (true, "eu-west-1")] {
        let (mut app, _) = connected_app(W, H);
        app.opts.client.region = Some("eu-west-1".into());
        // What App::new makes of `--region`.
        app.region_chosen = App::new(
            app::RunOptions {
                region_pinned: pinned,
                ..Default::default()
            },
            NOW,
            W,
            H,
        )
        .region_chosen;
        app::update(&mut app, ctrl('p'));
        app::update(&mut app, two_profiles());
        app::update(&mut app, key('j'));
        let fx = app::update(&mut app, code(KeyCode::Enter));
        let Some(Effect::Connect(opts)) = fx.iter().find(|e| matches!(e, Effect::Connect(_)))
        else {
            panic!("{fx:?}");
        };
        assert_eq!(opts.profile.as_deref(), Some("prod"));
        assert_eq!(opts.region.as_deref(), Some(want), "pinned: {pinned}");
    }
}

/// An image with several tags: the copy menu offers each tag's URI, not only the first one's.
#[tokio::test]
async fn copy_menu_offers_every_tag_of_the_image() {
    let (emu, mut h) = demo(W, H).await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(code(KeyCode::Enter)).await;
    h.settle().await;
    assert_eq!(h.app.pane, ecrp::app::Pane::Images);
    let i = h.app.remote.images.selected().expect("an image");
    let tags: Vec<String> = i.image_tags.iter().map(|t| t.to_string()).collect();
    assert_eq!(tags, ["v1.4.2", "latest"], "the newest image of web");
    h.send(key('y')).await;
    let Some(Overlay::Picker(p)) = &h.app.overlay else {
        panic!("no copy menu:\n{}", h.screen());
    };
    let values: Vec<&str> = p.items.iter().map(|i| i.value.as_str()).collect();
    assert!(
        values.contains(&"public.ecr.aws/acme/web:v1.4.2"),
        "{values:?}"
    );
    assert!(
        values.contains(&"public.ecr.aws/acme/web:latest"),
        "{values:?}"
    );
    assert!(h.screen().contains("URI, tag latest"), "{}", h.screen());
    emu.shutdown().await;
}

/// Inside tmux with passthrough off, tmux drops the sequence: the status line does not claim the
/// copy worked, and says what turns passthrough on.
#[tokio::test]
async fn copy_inside_tmux_without_passthrough_says_it_may_not_arrive() {
    let (emu, mut h) = demo_with(|o| {
        o.in_tmux = true;
        o.tmux_passthrough = Some(false);
    })
    .await;
    h.keys("/web").await;
    h.send(code(KeyCode::Enter)).await;
    h.send(key('y')).await;
    h.send(code(KeyCode::Enter)).await;
    let s = h.screen();
    assert!(
        s.contains("may not have reached the outer clipboard"),
        "{s}"
    );
    assert!(s.contains("allow-passthrough on"), "{s}");
    assert!(!s.contains("copied URI"), "{s}");
    emu.shutdown().await;
}
