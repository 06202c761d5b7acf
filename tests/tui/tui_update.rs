//! `update` without a terminal or network: navigation, drill in and back, filter, sort, paging
//! states, help and the command line.

use crate::support::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ecrp::app::load::LoadState;
use ecrp::app::{self, Answer, App, Effect, ListId, Msg, Overlay, PageRows, Pane, Read, Status};
use ecrp::aws::{AwsError, RegistryRow};

fn send(app: &mut App, m: Msg) -> Vec<Effect> {
    app::update(app, m)
}

fn registry() -> RegistryRow {
    RegistryRow {
        registry_id: "123456789012".into(),
        registry_arn: "arn:aws:ecr-public::123456789012:registry/123456789012".into(),
        registry_uri: "public.ecr.aws/acme".into(),
        verified: true,
        aliases: vec![],
        display_name: None,
    }
}

/// Connected, with one registry and `n` repositories loaded; on the repositories pane.
fn with_repos(n: usize) -> App {
    let (mut app, fx) = connected_app(160, 45);
    let (rg, _) = load_generation(&fx, ListId::Registries).unwrap();
    let (rp, _) = load_generation(&fx, ListId::Repositories).unwrap();
    send(
        &mut app,
        Msg::Page {
            generation: rg,
            rows: PageRows::Registries(page(vec![registry()], None, 1)),
        },
    );
    let rows = (0..n)
        .map(|i| repo(&format!("repo-{i:03}"), NOW - i as i64 * 3600))
        .collect();
    send(&mut app, repos_page(rows, rp, None));
    app
}

#[test]
fn connecting_starts_registry_and_repository_loads() {
    let (app, fx) = connected_app(160, 45);
    assert!(load_generation(&fx, ListId::Registries).is_some());
    assert!(load_generation(&fx, ListId::Repositories).is_some());
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::Fetch {
            read: Read::RegistryName,
            ..
        }
    )));
    assert_eq!(app.pane, Pane::Registries);
}

#[test]
fn single_registry_starts_on_repositories() {
    let app = with_repos(3);
    assert_eq!(app.pane, Pane::Repositories);
    assert_eq!(app.remote.repos.len(), 3);
    assert_eq!(app.remote.repos.load.state, LoadState::Done);
}

#[test]
fn movement_keys() {
    let mut app = with_repos(100);
    send(&mut app, key('j'));
    send(&mut app, code(KeyCode::Down));
    assert_eq!(app.remote.repos.cursor.selected, 2);
    send(&mut app, key('k'));
    assert_eq!(app.remote.repos.cursor.selected, 1);
    send(&mut app, key('G'));
    assert_eq!(app.remote.repos.cursor.selected, 99);
    // The window follows the cursor.
    let visible = ecrp::app::layout::visible_rows(&app, Pane::Repositories);
    assert_eq!(app.remote.repos.cursor.offset, 100 - visible);
    send(&mut app, key('g'));
    assert_eq!(
        (
            app.remote.repos.cursor.selected,
            app.remote.repos.cursor.offset
        ),
        (0, 0)
    );
    send(&mut app, code(KeyCode::PageDown));
    assert_eq!(app.remote.repos.cursor.selected, visible);
    send(&mut app, code(KeyCode::PageUp));
    assert_eq!(app.remote.repos.cursor.selected, 0);
    send(&mut app, code(KeyCode::Up));
    assert_eq!(app.remote.repos.cursor.selected, 0, "clamped at the top");
}

#[test]
fn drill_in_and_back_cancels_and_reuses() {
    let mut app = with_repos(3);
    send(&mut app, key('j'));
    let fx = send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Images);
    assert_eq!(
        app.remote.repo.as_ref().unwrap().repository_name.as_ref(),
        "repo-001"
    );
    let (g, token) = load_generation(&fx, ListId::Images).expect("images load");
    assert_eq!(token, None);
    send(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Images(page(vec![image("aa", &["v1"], 10, NOW)], Some("t1"), 1)),
        },
    );
    assert_eq!(app.remote.images.rows.len(), 1);
    // Leaving while page 2 loads cancels it.
    let fx = send(&mut app, code(KeyCode::Esc));
    assert_eq!(app.pane, Pane::Repositories);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Cancel(ListId::Images)))
    );
    assert_eq!(app.remote.images.load.state, LoadState::Stopped);
    // Its late answer is dropped.
    send(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Images(page(vec![image("bb", &[], 10, NOW)], None, 2)),
        },
    );
    assert_eq!(app.remote.images.rows.len(), 1);
    // Returning to the same repository keeps the rows and resumes from the token.
    let fx = send(&mut app, key('l'));
    assert_eq!(app.remote.images.rows.len(), 1);
    assert_eq!(
        load_generation(&fx, ListId::Images).unwrap().1.as_deref(),
        Some("t1")
    );
    // Another repository starts from zero.
    send(&mut app, key('h'));
    send(&mut app, key('j'));
    let fx = send(&mut app, code(KeyCode::Right));
    assert!(app.remote.images.rows.is_empty());
    assert_eq!(load_generation(&fx, ListId::Images).unwrap().1, None);
}

#[test]
fn tab_switches_images_and_tags() {
    let mut app = with_repos(2);
    send(&mut app, code(KeyCode::Enter));
    let fx = send(&mut app, code(KeyCode::Tab));
    assert_eq!(app.pane, Pane::Tags);
    let (g, _) = load_generation(&fx, ListId::Tags).expect("tags load");
    send(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Tags(page(vec![tag_row("latest", "aa", NOW)], None, 1)),
        },
    );
    assert_eq!(app.remote.tags.len(), 1);
    send(&mut app, code(KeyCode::Tab));
    assert_eq!(app.pane, Pane::Images);
    let fx = send(&mut app, code(KeyCode::Tab));
    assert!(
        load_generation(&fx, ListId::Tags).is_none(),
        "loaded tags are reused"
    );
}

#[test]
fn filter_is_fuzzy_keeps_and_clears() {
    let mut app = with_repos(0);
    let (_, fx) = (0, send(&mut app, key('r')));
    let (g, _) = load_generation(&fx, ListId::Repositories).unwrap();
    let names = ["web", "worker", "api", "webhook-relay", "docs"];
    send(
        &mut app,
        repos_page(names.iter().map(|n| repo(n, NOW)).collect(), g, None),
    );
    send(&mut app, key('/'));
    for c in "wb".chars() {
        send(&mut app, key(c));
    }
    let shown: Vec<&str> = app
        .remote
        .repos
        .window(0, 10)
        .map(|r| &*r.repository_name)
        .collect();
    assert_eq!(shown, ["web", "webhook-relay"]);
    // Enter keeps the filter, and keys move again.
    send(&mut app, code(KeyCode::Enter));
    assert!(!app.remote.repos.filter.editing);
    send(&mut app, key('j'));
    assert_eq!(
        app.remote
            .repos
            .selected()
            .unwrap()
            .repository_name
            .as_ref(),
        "webhook-relay"
    );
    // Esc clears it (and does not leave the pane).
    send(&mut app, code(KeyCode::Esc));
    assert_eq!(app.remote.repos.len(), 5);
    assert_eq!(app.pane, Pane::Repositories);
    assert_eq!(
        app.remote
            .repos
            .selected()
            .unwrap()
            .repository_name
            .as_ref(),
        "webhook-relay",
        "the selection stays on its row"
    );
}

#[test]
fn incremental_filter_equals_full_refilter() {
    let words = [
        "alpha", "beta", "gamma", "web-api", "api-web", "wagon", "bazaar", "Web",
    ];
    let rows: Vec<_> = (0..400)
        .map(|i| repo(&format!("{}-{i}", words[i % words.len()]), NOW))
        .collect();
    for query in ["w", "we", "web", "web-", "a", "ap", "api", "b z", "W", "Wb"] {
        // Typed one character at a time (incremental) ...
        let mut inc = with_repos(0);
        let (g, _) = load_generation(&send(&mut inc, key('r')), ListId::Repositories).unwrap();
        send(&mut inc, repos_page(rows.clone(), g, None));
        send(&mut inc, key('/'));
        for c in query.chars() {
            send(&mut inc, key(c));
        }
        // ... and applied at once, from scratch.
        let mut full = with_repos(0);
        let (g, _) = load_generation(&send(&mut full, key('r')), ListId::Repositories).unwrap();
        send(&mut full, repos_page(rows.clone(), g, None));
        let mut m = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
        full.remote.repos.set_query(query, &mut m);
        assert_eq!(
            inc.remote.repos.view, full.remote.repos.view,
            "query {query:?}"
        );
        assert!(
            !inc.remote.repos.view.is_empty() || query.contains(' '),
            "query {query:?}"
        );
    }
}

#[test]
fn filter_applies_to_pages_arriving_later() {
    let mut app = with_repos(0);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(
        &mut app,
        repos_page(vec![repo("web", NOW), repo("api", NOW)], g, Some("t")),
    );
    send(&mut app, key('/'));
    send(&mut app, key('w'));
    send(
        &mut app,
        repos_page(vec![repo("worker", NOW), repo("docs", NOW)], g, None),
    );
    let shown: Vec<&str> = app
        .remote
        .repos
        .window(0, 10)
        .map(|r| &*r.repository_name)
        .collect();
    assert_eq!(shown, ["web", "worker"]);
}

#[test]
fn sort_cycles_and_reverses() {
    let mut app = with_repos(0);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(
        &mut app,
        repos_page(
            vec![
                repo("b", NOW - 10),
                repo("c", NOW - 30),
                repo("a", NOW - 20),
            ],
            g,
            None,
        ),
    );
    let names = |app: &App| -> Vec<String> {
        app.remote
            .repos
            .window(0, 10)
            .map(|r| r.repository_name.to_string())
            .collect()
    };
    assert_eq!(names(&app), ["a", "b", "c"], "by name");
    send(&mut app, key('S'));
    assert_eq!(names(&app), ["c", "b", "a"], "reversed");
    send(&mut app, key('s'));
    assert_eq!(names(&app), ["b", "a", "c"], "by created, newest first");
    send(&mut app, key('s'));
    assert_eq!(names(&app), ["a", "b", "c"], "back to name");
}

#[test]
fn pages_merge_into_the_sort_order() {
    let mut app = with_repos(0);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(
        &mut app,
        repos_page(vec![repo("d", NOW), repo("b", NOW)], g, Some("t")),
    );
    assert_eq!(app.remote.repos.load.state, LoadState::Loading { page: 2 });
    send(
        &mut app,
        repos_page(vec![repo("c", NOW), repo("a", NOW)], g, None),
    );
    let names: Vec<&str> = app
        .remote
        .repos
        .window(0, 10)
        .map(|r| &*r.repository_name)
        .collect();
    assert_eq!(names, ["a", "b", "c", "d"]);
    assert_eq!(app.remote.repos.load.state, LoadState::Done);
    assert_eq!(app.remote.repos.load.pages, 2);
}

#[test]
fn failed_page_keeps_rows_and_retry_resumes_from_token() {
    let mut app = with_repos(0);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(&mut app, repos_page(vec![repo("a", NOW)], g, Some("tok-2")));
    let err = AwsError::new("ThrottlingException", "Rate exceeded");
    send(
        &mut app,
        Msg::PageFailed {
            list: ListId::Repositories,
            generation: g,
            error: err.clone(),
        },
    );
    assert_eq!(app.remote.repos.rows.len(), 1, "rows kept");
    assert_eq!(app.remote.repos.load.state, LoadState::Failed(err.clone()));
    assert_eq!(app.status, Status::Error(err));
    // `!` shows the details.
    send(&mut app, key('!'));
    assert_eq!(app.overlay, Some(Overlay::ErrorDetails { scroll: 0 }));
    send(&mut app, code(KeyCode::Esc));
    assert_eq!(app.overlay, None);
    // `r` resumes from the failed page's token, keeping the rows.
    let fx = send(&mut app, key('r'));
    let (g2, token) = load_generation(&fx, ListId::Repositories).unwrap();
    assert_eq!(token.as_deref(), Some("tok-2"));
    assert!(g2 > g);
    assert_eq!(app.remote.repos.rows.len(), 1);
    send(&mut app, repos_page(vec![repo("b", NOW)], g2, None));
    assert_eq!(app.remote.repos.rows.len(), 2);
    assert_eq!(app.remote.repos.load.state, LoadState::Done);
}

/// The `! error` badge in the footer stays until the thing that failed works again: another list's page does not clear it, the failed list's next page does.
#[test]
fn an_error_stays_until_the_failing_list_loads_again() {
    let mut app = with_repos(3);
    let (gi, _) = load_generation(&send(&mut app, code(KeyCode::Enter)), ListId::Images).unwrap();
    let err = AwsError::new("ThrottlingException", "Rate exceeded");
    send(
        &mut app,
        Msg::PageFailed {
            list: ListId::Images,
            generation: gi,
            error: err.clone(),
        },
    );
    let s = screen(&app);
    assert!(s.contains("! error"), "{s}");
    // A list that failed is not an empty list.
    assert!(s.contains("(failed: r retries · ! shows why)"), "{s}");
    assert!(!s.contains("(empty)"), "{s}");
    send(&mut app, code(KeyCode::Esc));
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(&mut app, repos_page(vec![repo("a", NOW)], g, None));
    // `r` made way for its own messages in the status line; the badge stays.
    assert!(screen(&app).contains("! error"), "another list's page");
    let (gi, _) = load_generation(&send(&mut app, code(KeyCode::Enter)), ListId::Images).unwrap();
    send(
        &mut app,
        Msg::Page {
            generation: gi,
            rows: PageRows::Images(page(vec![image("sha256:aa", &["v1"], 1, NOW)], None, 1)),
        },
    );
    assert_eq!(app.status, Status::None, "the failing list works again");
    let s = screen(&app);
    assert!(!s.contains("! error"), "{s}");
    // `!` still shows what happened.
    send(&mut app, key('!'));
    assert!(screen(&app).contains("ThrottlingException"));
}

/// `!` at 80×24 shows a readable cause chain (code, message, HTTP status, request id, one cause a
/// line) and scrolls to its last line with G.
#[test]
fn the_error_view_is_readable_and_scrolls_to_the_end() {
    let mut app = with_repos(3);
    app.width = 80;
    app.height = 24;
    let mut err = AwsError::new("DispatchFailure", "could not reach the endpoint");
    err.info.status = Some(503);
    err.info.request_id = Some("req-1234".into());
    err.info.causes = (0..20).map(|i| format!("layer {i} failed")).collect();
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(
        &mut app,
        Msg::PageFailed {
            list: ListId::Repositories,
            generation: g,
            error: err,
        },
    );
    send(&mut app, key('!'));
    let s = screen(&app);
    assert!(s.contains("HTTP status: 503"), "{s}");
    assert!(s.contains("Request id: req-1234"), "{s}");
    assert!(s.contains("Cause chain"), "{s}");
    assert!(s.contains("↓ more"), "{s}");
    assert!(!s.contains("layer 19 failed"), "{s}");
    send(&mut app, key('G'));
    let s = screen(&app);
    assert!(s.contains("← layer 19 failed"), "{s}");
    assert!(s.contains("esc closes"), "{s}");
    send(&mut app, key('g'));
    assert!(screen(&app).contains("Code: DispatchFailure"));
}

/// A shared AWS file the SDK cannot parse: the status line says so at start, and `!` names the
/// file, line and reason.
#[test]
fn a_malformed_aws_config_is_shown_at_start_and_in_the_error_view() {
    let mut app = App::new(
        app::RunOptions {
            aws_files_problem: Some(
                "/home/u/.aws/config line 4: a section header must end with ']'".into(),
            ),
            ..Default::default()
        },
        NOW,
        160,
        45,
    );
    assert!(screen(&app).contains("AWS config file cannot be parsed"));
    send(&mut app, key('!'));
    let s = screen(&app);
    assert!(
        s.contains("/home/u/.aws/config line 4: a section header"),
        "{s}"
    );
}

#[test]
fn stale_failure_is_dropped() {
    let mut app = with_repos(0);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(&mut app, key('r'));
    send(
        &mut app,
        Msg::PageFailed {
            list: ListId::Repositories,
            generation: g,
            error: AwsError::new("X", "old"),
        },
    );
    assert_eq!(app.status, Status::None);
    assert!(app.remote.repos.load.is_loading());
}

#[test]
fn refresh_reloads_from_zero() {
    let mut app = with_repos(5);
    let fx = send(&mut app, key('r'));
    assert_eq!(load_generation(&fx, ListId::Repositories).unwrap().1, None);
    assert!(app.remote.repos.rows.is_empty());
}

#[test]
fn help_lists_only_keys_that_work_here() {
    let mut app = with_repos(2);
    send(&mut app, key('?'));
    assert_eq!(app.overlay, Some(Overlay::Help { scroll: 0 }));
    let s = screen(&app);
    assert!(s.contains("repository's catalog full screen"), "{s}");
    assert!(
        !s.contains("switch between images"),
        "tab does nothing on repositories:\n{s}"
    );
    send(&mut app, key('?'));
    assert_eq!(app.overlay, None);
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, key('?'));
    assert!(screen(&app).contains("switch between images"));
}

fn typed(app: &mut App, text: &str) -> Vec<Effect> {
    let mut fx = Vec::new();
    for c in text.chars() {
        fx.extend(send(app, key(c)));
    }
    fx
}

/// Tab and shift-tab (and ↓ ↑) cycle through the candidates of what was typed, round the ends;
/// the list sits right under the prompt, the candidate highlighted.
#[test]
fn command_completion_cycles_both_ways_and_sits_under_the_prompt() {
    let mut app = with_repos(2);
    app.width = 80;
    app.height = 24;
    typed(&mut app, ":reg");
    let cmd = |app: &App| app.command.as_deref().map(str::to_string);
    send(&mut app, code(KeyCode::Tab));
    assert_eq!(cmd(&app).as_deref(), Some("registries"));
    send(&mut app, code(KeyCode::Tab));
    assert_eq!(cmd(&app).as_deref(), Some("region"));
    send(&mut app, code(KeyCode::Tab));
    assert_eq!(cmd(&app).as_deref(), Some("registries"), "round the end");
    send(&mut app, code(KeyCode::BackTab));
    assert_eq!(cmd(&app).as_deref(), Some("region"), "and back round");
    send(&mut app, code(KeyCode::Up));
    assert_eq!(cmd(&app).as_deref(), Some("registries"));
    send(&mut app, code(KeyCode::Down));
    assert_eq!(cmd(&app).as_deref(), Some("region"));
    let s = screen(&app);
    let lines: Vec<&str> = s.lines().collect();
    let prompt = lines
        .iter()
        .position(|l| l.starts_with(" :region"))
        .expect("the prompt");
    assert!(lines[prompt + 1].contains("commands"), "{s}");
    assert!(lines[prompt + 2].contains(":registries FILTER"), "{s}");
    assert!(lines[prompt + 3].contains(":region "), "{s}");
    insta::assert_snapshot!("command_completion_80x24", s);
    // Typing again starts over from the new text.
    send(&mut app, code(KeyCode::Backspace));
    assert_eq!(app.command.as_ref().unwrap().selected, None);
    assert_eq!(cmd(&app).as_deref(), Some("regio"));
    send(&mut app, code(KeyCode::Enter));
    assert!(
        matches!(&app.status, Status::Warning(m) if m.contains(":regio")),
        "{:?}",
        app.status
    );
}

/// `:repos WORD` opens the repositories filtered by it; `:images NAME` opens the images of the
/// best match (an exact name first), the repository list left unfiltered with the cursor on it;
/// no match, or an argument to a command that takes none, is a warning that changes nothing.
#[test]
fn commands_take_arguments_like_k9s() {
    let mut app = with_repos(12);
    typed(&mut app, ":repos 007");
    send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Repositories);
    assert_eq!(app.remote.repos.filter.query, "007");
    assert_eq!(app.remote.repos.len(), 1);
    assert!(!app.remote.repos.filter.editing);

    typed(&mut app, ":images repo-010");
    let fx = send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Images);
    assert_eq!(
        app.remote.repo.as_ref().map(|r| &*r.repository_name),
        Some("repo-010")
    );
    assert!(load_generation(&fx, ListId::Images).is_some());
    assert_eq!(
        app.remote.repos.filter.query, "",
        "positioned, not filtered"
    );
    assert_eq!(app.remote.repos.len(), 12);
    assert_eq!(
        app.remote.repos.selected().map(|r| &*r.repository_name),
        Some("repo-010")
    );

    typed(&mut app, ":tags repo-003");
    send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Tags);
    assert_eq!(
        app.remote.repo.as_ref().map(|r| &*r.repository_name),
        Some("repo-003")
    );

    typed(&mut app, ":img zzz");
    let fx = send(&mut app, code(KeyCode::Enter));
    assert!(
        matches!(&app.status, Status::Warning(m) if m.contains("no repository matches zzz")),
        "{:?}",
        app.status
    );
    assert!(fx.is_empty());
    assert_eq!(app.pane, Pane::Tags);

    typed(&mut app, ":policy repo-001");
    let fx = send(&mut app, code(KeyCode::Enter));
    assert!(
        matches!(&app.status, Status::Warning(m) if m.contains(":policy takes no argument")),
        "{:?}",
        app.status
    );
    assert!(fx.is_empty() && app.overlay.is_none());
}

#[test]
fn command_line_runs_completes_and_rejects() {
    let mut app = with_repos(2);
    send(&mut app, key(':'));
    for c in "ima".chars() {
        send(&mut app, key(c));
    }
    assert!(screen(&app).contains(":images"));
    send(&mut app, code(KeyCode::Tab));
    assert_eq!(app.command.as_deref(), Some("images"));
    let fx = send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Images);
    assert!(load_generation(&fx, ListId::Images).is_some());

    for c in ":policy".chars() {
        send(&mut app, key(c));
    }
    let fx = send(&mut app, code(KeyCode::Enter));
    assert!(matches!(app.overlay, Some(Overlay::Policy { .. })));
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Fetch { read: Read::Policy(r), .. } if &**r == "repo-000")
        )
    );
    send(&mut app, code(KeyCode::Esc));

    for c in ":bogus".chars() {
        send(&mut app, key(c));
    }
    send(&mut app, code(KeyCode::Enter));
    assert!(matches!(&app.status, Status::Warning(m) if m.contains(":bogus")));

    for c in ":rtags".chars() {
        send(&mut app, key(c));
    }
    let fx = send(&mut app, code(KeyCode::Enter));
    assert!(
        fx.iter().any(
            |e| matches!(e, Effect::Fetch { read: Read::ResourceTags(arn), .. } if arn.ends_with("repository/repo-000"))
        )
    );

    send(&mut app, code(KeyCode::Esc));
    for c in ":q".chars() {
        send(&mut app, key(c));
    }
    send(&mut app, code(KeyCode::Enter));
    assert!(app.quit);
}

#[test]
fn catalogs_of_visible_rows_are_fetched_once() {
    let (mut app, fx) = connected_app(160, 20);
    let (rg, _) = load_generation(&fx, ListId::Registries).unwrap();
    let (rp, _) = load_generation(&fx, ListId::Repositories).unwrap();
    send(
        &mut app,
        Msg::Page {
            generation: rg,
            rows: PageRows::Registries(page(vec![registry()], None, 1)),
        },
    );
    let rows = (0..200).map(|i| repo(&format!("r{i:03}"), NOW)).collect();
    let fx = send(&mut app, repos_page(rows, rp, None));
    let fetched = fx
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::Fetch {
                    read: Read::Catalog(_),
                    ..
                }
            )
        })
        .count();
    let visible = ecrp::app::layout::visible_rows(&app, Pane::Repositories);
    assert_eq!(fetched, visible, "only the visible rows");
    let fx = send(&mut app, key('j'));
    assert!(
        !fx.iter().any(|e| matches!(
            e,
            Effect::Fetch {
                read: Read::Catalog(_),
                ..
            }
        )),
        "cached"
    );
}

#[test]
fn quit_keys() {
    let mut app = with_repos(1);
    send(&mut app, ctrl('c'));
    assert!(app.quit);
    let mut app = with_repos(1);
    send(&mut app, key('q'));
    assert!(app.quit);
}

#[test]
fn too_small_terminal_shows_a_message() {
    let mut app = with_repos(3);
    send(&mut app, Msg::Resize(40, 10));
    let s = screen(&app);
    assert!(s.contains("Terminal too small"), "{s}");
}

#[test]
fn mouse_click_selects_and_wheel_scrolls() {
    use crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let mouse = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut app = with_repos(50);
    let rect = ecrp::app::layout::pane_rect(&app, Pane::Repositories).unwrap();
    // Border, column header, then rows: the fourth row.
    send(
        &mut app,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            rect.x + 5,
            rect.y + 2 + 3,
        ),
    );
    assert_eq!(app.remote.repos.cursor.selected, 3);
    send(
        &mut app,
        mouse(MouseEventKind::ScrollDown, rect.x + 5, rect.y + 5),
    );
    assert_eq!(app.remote.repos.cursor.selected, 6);
    send(
        &mut app,
        mouse(MouseEventKind::ScrollUp, rect.x + 5, rect.y + 5),
    );
    assert_eq!(app.remote.repos.cursor.selected, 3);
    // In the images view, a click on the repositories pane goes back to it.
    send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Images);
    let rect = ecrp::app::layout::pane_rect(&app, Pane::Repositories).unwrap();
    send(
        &mut app,
        mouse(
            MouseEventKind::Down(MouseButton::Left),
            rect.x + 3,
            rect.y + 2,
        ),
    );
    assert_eq!(app.pane, Pane::Repositories);
    assert_eq!(app.remote.repos.cursor.selected, 0);
}

#[test]
fn header_shows_read_only_and_demo() {
    let mut app = App::new(
        app::RunOptions {
            read_only: true,
            demo: true,
            ..Default::default()
        },
        NOW,
        160,
        45,
    );
    let s = screen(&app);
    assert!(s.contains("connecting…"), "{s}");
    send(
        &mut app,
        Msg::Connected(ecrp::aws::ConnectionInfo {
            profile: "prod".into(),
            region: "us-east-1".into(),
            endpoint: Some("http://localhost:5000".into()),
        }),
    );
    let header = screen(&app).lines().next().unwrap().to_string();
    for want in [
        "profile prod",
        "us-east-1",
        "endpoint http://localhost:5000",
        "READ-ONLY",
        "DEMO",
    ] {
        assert!(header.contains(want), "{want} in {header}");
    }
}

#[test]
fn api_text_is_neutralised_on_screen() {
    let mut app = with_repos(0);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(
        &mut app,
        repos_page(vec![repo("evil\x1b]0;pwned\x07\u{202e}name", NOW)], g, None),
    );
    let buf = render(&app);
    for cell in buf.content() {
        assert!(
            !cell
                .symbol()
                .chars()
                .any(|c| c.is_control() || c == '\u{202e}'),
            "control or bidi character on screen: {:?}",
            cell.symbol()
        );
    }
    assert!(text(&buf).contains("evil"));
}

#[test]
fn registries_pane_stays_when_asked_for() {
    let mut app = with_repos(2);
    for c in ":registries".chars() {
        send(&mut app, key(c));
    }
    send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Registries);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Registries).unwrap();
    send(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Registries(page(vec![registry()], None, 1)),
        },
    );
    assert_eq!(app.pane, Pane::Registries, "a refresh does not jump away");
    send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Repositories);
}

#[test]
fn status_line_names_what_is_loading() {
    let (app, _) = connected_app(160, 45);
    assert!(screen(&app).contains("loading registries: page 1 (0 rows)"));
    let mut app2 = with_repos(2);
    send(&mut app2, key('p'));
    let s = screen(&app2);
    assert!(s.contains("fetching policy"), "{s}");
    let m = fetched(&app2, Answer::Policy("repo-000".into(), Ok(None)));
    send(&mut app2, m);
    let s = screen(&app2);
    assert!(!s.contains("fetching policy"));
    assert!(s.contains("has no policy"), "{s}");
}

/// `e` waits for the current catalog; esc or moving to another repository drops the wait, so
/// the form never pops up later over what the user is looking at now.
#[test]
fn a_pending_edit_is_dropped_by_esc_or_moving_away() {
    use ecrp::aws::Catalog;
    let catalog = |app: &mut App, name: &str| {
        let m = fetched(app, Answer::Catalog(name.into(), Ok(Catalog::default())));
        send(app, m)
    };

    // Moving away: the answer for repo-000 arrives after the cursor left it.
    let mut app = with_repos(3);
    send(&mut app, key('e'));
    assert!(app.pending_edit.is_some(), "the edit waits for the catalog");
    assert!(app.modal.is_none());
    send(&mut app, key('j'));
    assert!(app.pending_edit.is_none());
    assert_eq!(
        app.status,
        Status::Info(ecrp::app::strings::edit_dropped_moved("repo-000"))
    );
    catalog(&mut app, "repo-000");
    assert!(app.modal.is_none(), "no form over repo-001");

    // esc: dropped, and the key does nothing else.
    let mut app = with_repos(3);
    send(&mut app, key('e'));
    send(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(app.pending_edit.is_none());
    assert_eq!(
        app.status,
        Status::Info(ecrp::app::strings::edit_cancelled("repo-000"))
    );
    catalog(&mut app, "repo-000");
    assert!(app.modal.is_none());

    // Staying put: the form opens when the catalog comes.
    let mut app = with_repos(3);
    send(&mut app, key('e'));
    send(&mut app, key('?'));
    send(
        &mut app,
        Msg::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)),
    );
    assert!(app.overlay.is_none(), "esc closed the help first");
    assert!(app.pending_edit.is_some(), "and left the edit waiting");
    catalog(&mut app, "repo-000");
    assert!(
        matches!(app.modal, Some(ecrp::app::modal::Modal::Form(_))),
        "the form opens on the same repository"
    );
}

/// A profile switch replaces the client: answers the old client still delivers (a catalog, a
/// page) belong to the old account and must not land in the new one's state.
#[test]
fn a_late_answer_from_the_previous_client_never_lands_after_a_switch() {
    use ecrp::aws::Catalog;
    use ecrp::profiles::{ProfileInfo, ProfileKind};
    let mut app = with_repos(3);
    // The generation the old client's pages of repositories carry.
    let old_page = app.load_of(ListId::Repositories).generation;
    let old_client = app.remote.client;
    let fx = send(&mut app, key('c'));
    assert!(
        matches!(
            app.remote.catalogs.get("repo-000"),
            Some(ecrp::app::Fetch::Loading)
        ),
        "the catalog is on its way: {fx:?}"
    );
    send(&mut app, code(KeyCode::Esc));

    // ctrl-p, the profiles arrive, enter picks the other one.
    send(&mut app, ctrl('p'));
    send(
        &mut app,
        Msg::Profiles(Ok(vec![
            ProfileInfo {
                name: "default".into(),
                kind: ProfileKind::StaticKeys,
                region: None,
            },
            ProfileInfo {
                name: "prod".into(),
                kind: ProfileKind::StaticKeys,
                region: None,
            },
        ])),
    );
    send(&mut app, key('j'));
    let fx = send(&mut app, code(KeyCode::Enter));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Connect(o) if o.profile.as_deref() == Some("prod"))),
        "{fx:?}"
    );
    assert_ne!(app.remote.client, old_client, "a new client generation");

    // The old client's answers arrive late.
    send(
        &mut app,
        Msg::Fetched {
            client: old_client,
            answer: Answer::Catalog("repo-000".into(), Ok(Catalog::default())),
        },
    );
    assert_eq!(
        app.remote.catalogs.get("repo-000"),
        None,
        "the late catalog is dropped"
    );
    send(
        &mut app,
        repos_page(vec![repo("old-account-repo", NOW)], old_page, None),
    );
    assert_eq!(app.remote.repos.rows.len(), 0, "the late page is dropped");

    // The new client's answers do land.
    send(
        &mut app,
        Msg::Connected(ecrp::aws::ConnectionInfo {
            profile: "prod".into(),
            region: "us-east-1".into(),
            endpoint: None,
        }),
    );
    let m = fetched(
        &app,
        Answer::Catalog("repo-000".into(), Ok(Catalog::default())),
    );
    send(&mut app, m);
    assert!(app.remote.catalogs.get("repo-000").is_some());
}

/// The repositories pane with `names` loaded (sorted by name, ascending).
fn with_named_repos(names: &[&str]) -> App {
    let mut app = with_repos(0);
    let (g, _) = load_generation(&send(&mut app, key('r')), ListId::Repositories).unwrap();
    send(
        &mut app,
        repos_page(names.iter().map(|n| repo(n, NOW)).collect(), g, None),
    );
    app
}

/// `/` then `query` typed key by key: the repository selected after the last key.
fn selected_after_typing(app: &mut App, query: &str) -> String {
    send(app, key('/'));
    for c in query.chars() {
        send(app, key(c));
    }
    let name = app
        .remote
        .repos
        .selected()
        .unwrap()
        .repository_name
        .to_string();
    send(app, code(KeyCode::Esc));
    name
}

#[test]
fn filter_selects_the_best_match_while_typing() {
    let mut app = with_named_repos(&[
        "api",
        "api-gateway",
        "base/alpine",
        "base/debian",
        "rapid",
        "scalpel",
        "team/api",
        "web",
    ]);
    // Descending: "web" on top and "api" last, so the best match is never merely the first row.
    send(&mut app, key('S'));
    // The cursor on row 6, as a user who looked around first.
    for _ in 0..6 {
        send(&mut app, key('j'));
    }
    // An exact name beats a prefix (api-gateway), a word start (team/api) and fuzzy hits
    // (rapid, base/alpine) shown above it.
    assert_eq!(selected_after_typing(&mut app, "api"), "api");
    // A prefix beats a word start and fuzzy hits; among equals the first shown wins.
    assert_eq!(selected_after_typing(&mut app, "a"), "api-gateway");
    // A word start (after `/`, `-`) beats a fuzzy hit shown above it.
    assert_eq!(selected_after_typing(&mut app, "alp"), "base/alpine");
    assert_eq!(selected_after_typing(&mut app, "gate"), "api-gateway");
    // Fuzzy hits only: the best scored.
    assert_eq!(selected_after_typing(&mut app, "bdn"), "base/debian");
    // `/api` `enter` `enter` opens api.
    send(&mut app, key('/'));
    for c in "api".chars() {
        send(&mut app, key(c));
    }
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, code(KeyCode::Enter));
    assert_eq!(app.pane, Pane::Images);
    assert_eq!(
        app.remote.repo.as_ref().unwrap().repository_name.as_ref(),
        "api"
    );
}

#[test]
fn image_filter_matches_tags_before_digests() {
    let mut app = with_repos(1);
    let fx = send(&mut app, code(KeyCode::Enter));
    let (g, _) = load_generation(&fx, ListId::Images).unwrap();
    // Newest first: the image whose digest has "beef" as a word (after `sha256:`) is on top,
    // and the cursor on it.
    let rows = vec![
        image("beef01", &["x"], 10, NOW),
        image("cc", &["prod-beef"], 10, NOW - 10),
        image("dd", &["old"], 10, NOW - 20),
    ];
    send(
        &mut app,
        Msg::Page {
            generation: g,
            rows: PageRows::Images(page(rows, None, 1)),
        },
    );
    send(&mut app, key('/'));
    for c in "beef".chars() {
        send(&mut app, key(c));
    }
    assert_eq!(
        app.remote.images.selected().unwrap().image_tags[0].as_ref(),
        "prod-beef",
        "a word start in a tag beats the same in a digest"
    );
}

#[test]
fn a_filter_stays_with_the_list_it_was_typed_in() {
    let mut app = with_repos(2);
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, key('/'));
    for c in "untagged".chars() {
        send(&mut app, key(c));
    }
    send(&mut app, code(KeyCode::Enter));
    // Through the tags view (whose own filter is empty) back to the repositories.
    send(&mut app, code(KeyCode::Tab));
    send(&mut app, key('h'));
    assert_eq!(app.pane, Pane::Repositories);
    send(&mut app, key('j'));
    send(&mut app, code(KeyCode::Enter));
    assert_eq!(
        app.remote.repo.as_ref().unwrap().repository_name.as_ref(),
        "repo-001"
    );
    assert_eq!(
        app.remote.images.filter.query, "",
        "another repository starts unfiltered"
    );
    assert_eq!(app.remote.images.applied_query(), "");
    // `/` starts a new query instead of appending to the one kept by enter.
    send(&mut app, key('h'));
    send(&mut app, key('/'));
    for c in "web".chars() {
        send(&mut app, key(c));
    }
    send(&mut app, code(KeyCode::Enter));
    send(&mut app, key('/'));
    assert_eq!(app.remote.repos.filter.query, "");
    assert_eq!(app.remote.repos.len(), 2, "the old query no longer applies");
    for c in "001".chars() {
        send(&mut app, key(c));
    }
    assert_eq!(app.remote.repos.filter.query, "001");
    assert_eq!(
        app.remote
            .repos
            .selected()
            .unwrap()
            .repository_name
            .as_ref(),
        "repo-001"
    );
}

#[test]
fn q_in_help_closes_help() {
    let mut app = with_repos(1);
    send(&mut app, key('?'));
    assert!(
        screen(&app).contains("q close"),
        "the footer says what q does here"
    );
    send(&mut app, key('q'));
    assert_eq!(app.overlay, None);
    assert!(!app.quit);
    send(&mut app, key('?'));
    send(&mut app, ctrl('c'));
    assert!(app.quit, "ctrl-c still quits from help");
}

#[test]
fn ctrl_c_in_a_changed_form_asks_first() {
    use ecrp::app::modal::Modal;
    use ecrp::forms::Status as FormStatus;
    let form_status = |app: &App| match &app.modal {
        Some(Modal::Form(ef)) => ef.form.status.clone(),
        _ => panic!("no form is open"),
    };
    // Unchanged: nothing is lost, ctrl-c quits at once.
    let mut app = with_repos(1);
    send(&mut app, key('n'));
    assert_eq!(form_status(&app), FormStatus::Editing);
    send(&mut app, ctrl('c'));
    assert!(app.quit);
    // Changed: the discard question, as esc asks it; `n` keeps editing with the text.
    let mut app = with_repos(1);
    send(&mut app, key('n'));
    send(&mut app, key('x'));
    send(&mut app, ctrl('c'));
    assert!(!app.quit);
    assert_eq!(form_status(&app), FormStatus::ConfirmDiscard);
    assert!(screen(&app).contains("discard"), "{}", screen(&app));
    send(&mut app, key('n'));
    assert_eq!(form_status(&app), FormStatus::Editing);
    assert!(app.modal.is_some());
    // A second ctrl-c at the question means it.
    send(&mut app, ctrl('c'));
    send(&mut app, ctrl('c'));
    assert!(app.quit);
}

#[test]
fn a_failed_save_in_a_form_does_not_advertise_r_retry() {
    let mut app = with_repos(1);
    send(&mut app, key('n'));
    for c in "newrepo".chars() {
        send(&mut app, key(c));
    }
    let fx = send(&mut app, ctrl('s'));
    let op = fx
        .into_iter()
        .find_map(|e| match e {
            Effect::Mutate(op) => Some(op),
            _ => None,
        })
        .expect("the save is sent");
    send(
        &mut app,
        Msg::Saved {
            op,
            result: Err(AwsError::new("ServerException", "boom")),
        },
    );
    assert!(app.modal.is_some(), "a failed save keeps the form");
    let s = screen(&app);
    assert!(s.contains("boom"), "{s}");
    assert!(!s.contains("r retry"), "r types into the field:\n{s}");
    assert!(s.contains("ctrl-s tries again"), "{s}");
}

/// A filter key at 100,000 rows still only re-checks the previous matches and ranks them in one
/// pass. Prints what each key took (`--nocapture`); never fails on time.
#[test]
fn filter_keys_at_100000_rows_select_the_best_match() {
    use ecrp::app::list::List;
    let mut m = nucleo_matcher::Matcher::new(nucleo_matcher::Config::DEFAULT);
    let mut l: List<ecrp::aws::RepoRow> = List::default();
    let rows = (0..100_000)
        .map(|i| repo(&format!("group{}/svc-{i:06}", i % 50), NOW))
        .collect();
    l.append(rows, &mut m);
    l.select(99_000);
    let mut typed = String::new();
    let mut times = Vec::new();
    for c in "svc-0424".chars() {
        typed.push(c);
        let t = std::time::Instant::now();
        l.set_query(&typed, &mut m);
        times.push((typed.clone(), l.len(), t.elapsed()));
    }
    let word_start = l.selected().unwrap().repository_name.to_string();
    for q in ["g", "g7", "g7s", "g7s9"] {
        let t = std::time::Instant::now();
        l.set_query(q, &mut m);
        times.push((q.to_string(), l.len(), t.elapsed()));
    }
    // What nucleo scores the selected row, and the best it scores a row near the top.
    let score = |name: &str, m: &mut nucleo_matcher::Matcher| {
        use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
        let p = Pattern::new(
            "g7s9",
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Fuzzy,
        );
        let mut buf = Vec::new();
        p.score(nucleo_matcher::Utf32Str::new(name, &mut buf), m)
            .unwrap()
    };
    let fuzzy = l.selected().unwrap().repository_name.to_string();
    let fuzzy_score = score(&fuzzy, &mut m);
    let top: Vec<String> = l
        .window(0, 100)
        .map(|r| r.repository_name.to_string())
        .collect();
    let top_score = top.iter().map(|n| score(n, &mut m)).max().unwrap();
    for (q, n, t) in times {
        println!("filter key {q:?} at 100,000 rows → {n} rows: {t:?}");
    }
    // Word starts everywhere: the first shown wins.
    assert_eq!(word_start, "group0/svc-042400");
    // Fuzzy hits only (no field starts a word with "g7s9"): the best scored, at least as good
    // as any of the first hundred shown.
    assert!(
        fuzzy_score >= top_score,
        "{fuzzy}: {fuzzy_score} < {top_score}"
    );
}

/// In the registries (the leftmost pane), esc has nowhere to go back to and is not advertised;
/// y copies the registry's URI and o opens the registry's Gallery page.
#[test]
fn registries_offer_copy_and_gallery_and_no_dead_esc() {
    let (mut app, fx) = connected_app(160, 45);
    let (rg, _) = load_generation(&fx, ListId::Registries).unwrap();
    let alias = |name: &str| {
        vec![ecrp::aws::AliasRow {
            name: name.into(),
            status: "ACTIVE".into(),
            primary_registry_alias: true,
            default_registry_alias: false,
        }]
    };
    let mut second = registry();
    second.registry_id = "210987654321".into();
    second.registry_uri = "public.ecr.aws/other".into();
    second.aliases = alias("other");
    let mut first = registry();
    first.aliases = alias("acme");
    send(
        &mut app,
        Msg::Page {
            generation: rg,
            rows: PageRows::Registries(page(vec![first, second], None, 1)),
        },
    );
    assert_eq!(app.pane, Pane::Registries);
    let s = screen(&app);
    let footer = s.lines().last().unwrap();
    assert!(!footer.contains("esc back"), "{footer}");
    assert!(footer.contains("y copy"), "{footer}");
    send(&mut app, key('y'));
    let Some(Overlay::Picker(p)) = &app.overlay else {
        panic!("no copy menu:\n{}", screen(&app));
    };
    let values: Vec<&str> = p.items.iter().map(|i| i.value.as_str()).collect();
    let r = app.remote.registries.selected().unwrap();
    assert_eq!(values, [r.registry_uri.as_str(), r.registry_id.as_str()]);
    let gallery = format!("https://gallery.ecr.aws/{}", r.primary_alias().unwrap());
    send(&mut app, code(KeyCode::Esc));
    let fx = send(&mut app, key('o'));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::OpenUrl(u) if *u == gallery)),
        "{fx:?}"
    );
    // With a filter there is something for esc to clear.
    send(&mut app, key('/'));
    send(&mut app, key('a'));
    send(&mut app, code(KeyCode::Enter));
    let s = screen(&app);
    assert!(s.lines().last().unwrap().contains("esc back"), "{s}");
}
