//! Random key, mouse and resize sequences at random terminal sizes (1×1 to 300×100) never panic
//! in `update` or `view`. Effects are answered at once with small synthetic results, so every
//! pane and view is reachable.

use crate::support::tui::*;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ecrp::app::inspector_content::ConfigBlob;
use ecrp::app::inspector_state::{
    FailureKind, InspectError, InspectRequest, InspectorMsg, Part, Shared,
};
use ecrp::app::lifecycle_state::{LifecycleEffect, LifecycleMsg};
use ecrp::app::{self, Answer, App, Effect, ListId, Msg, PageRows, Read};
use ecrp::aws::{AwsError, Catalog, DeleteOutcome, RegistryRow, Tag};
use ecrp::drafts::{Draft, DraftKind};
use ecrp::forms::PathCheck;
use ecrp::profiles::{ProfileInfo, ProfileKind};
use ecrp::registry::{Digest, ImageConfig, Manifest, parse_manifest};
use proptest::prelude::*;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// What the service would say to a single read.
fn read_answer(read: Read) -> Answer {
    match read {
        Read::Catalog(repo) => Answer::Catalog(
            repo,
            Ok(Catalog {
                description: Some("A very long description ".repeat(20)),
                architectures: vec!["x86-64".into()],
                operating_systems: vec!["Linux".into()],
                about_text: Some("# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- x\n  - y".into()),
                usage_text: Some("```\ndocker run\n```".into()),
                ..Default::default()
            }),
        ),
        Read::Policy(repo) => Answer::Policy(
            repo,
            Ok(Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into())),
        ),
        Read::ResourceTags(arn) => Answer::ResourceTags(
            arn,
            Ok(vec![Tag {
                key: "k".into(),
                value: "v".into(),
            }]),
        ),
        Read::RegistryName => Answer::RegistryName(Ok(Some("Name".into()))),
    }
}

/// The registry's answer to an inspector read: an image with hostile strings in its manifest and
/// config, or a rate-limit failure whose message carries escapes.
fn inspect_answer(req: InspectRequest, fail: bool) -> InspectorMsg {
    let err = || InspectError {
        kind: FailureKind::RateLimited,
        message: "429\x1b[2J too many\u{202e}".into(),
        anonymous: true,
    };
    let layer = |n: u8, size: u64| {
        format!(
            r#"{{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip\u001b[31m","digest":"sha256:{}","size":{size}}}"#,
            format!("{n:02x}").repeat(32)
        )
    };
    match req.part {
        Part::Manifest(_) => {
            let body = format!(
                r#"{{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:{}","size":10}},"layers":[{},{}],"annotations":{{"a\u001b]0;t\u0007":"b\u202e"}}}}"#,
                "00".repeat(32),
                layer(1, 300),
                layer(2, 0)
            );
            let bytes = bytes::Bytes::from(body);
            let (media_type, kind) = parse_manifest("test", None, &bytes).expect("a manifest");
            InspectorMsg::Manifest {
                client: req.client,
                key: req.key,
                result: if fail {
                    Err(err())
                } else {
                    Ok(Shared::new(Manifest {
                        digest: Digest::sha256(&bytes),
                        media_type,
                        bytes,
                        kind,
                    }))
                },
            }
        }
        Part::Config(_) => {
            let body = r#"{"architecture":"amd64\u001b[2J","os":"linux","config":{"Env":["A=\u001b[31mred"],"Cmd":["sh","-c","echo \u202e"],"Labels":{"k":"v\u0007"}},"history":[{"created_by":"RUN \u001b[2J make"},{"created_by":"ENV X=1","empty_layer":true},{"created_by":"COPY . /"}]}"#;
            let bytes = bytes::Bytes::from(body);
            let config = ImageConfig::parse(&bytes).expect("a config");
            InspectorMsg::Config {
                client: req.client,
                key: req.key,
                result: if fail {
                    Err(err())
                } else {
                    Ok(Shared::new(ConfigBlob { bytes, config }))
                },
            }
        }
    }
}

fn answer(app: &mut App, fx: Vec<Effect>, fail: bool) {
    let mut queue = fx;
    let mut rounds = 0;
    while let Some(e) = queue.pop() {
        rounds += 1;
        if rounds > 200 {
            return;
        }
        let msg = match e {
            Effect::Load {
                list, generation, ..
            } if fail => Msg::PageFailed {
                list,
                generation,
                error: AwsError::new("ThrottlingException", "Rate exceeded\x1b[31m"),
            },
            Effect::Load {
                list,
                generation,
                token,
                ..
            } => {
                let next = token.is_none().then_some("t2");
                let rows = match list {
                    ListId::Registries => PageRows::Registries(page(
                        vec![RegistryRow {
                            registry_id: "1".into(),
                            registry_arn: "a".into(),
                            registry_uri: "public.ecr.aws/x".into(),
                            verified: false,
                            aliases: vec![],
                            display_name: None,
                        }],
                        None,
                        1,
                    )),
                    ListId::Repositories => PageRows::Repositories(page(
                        (0..30)
                            .map(|i| repo(&format!("r{i}\u{202e}"), NOW - i))
                            .collect(),
                        next,
                        1,
                    )),
                    ListId::Images => PageRows::Images(page(
                        (0..50)
                            .map(|i| {
                                let mut r = image(
                                    &format!("{i:064x}"),
                                    if i % 3 == 0 { &[] } else { &["v1", "latest"] },
                                    i,
                                    NOW - i,
                                );
                                // Some indexes, whose platform manifests are untagged rows.
                                if i % 5 == 1 {
                                    r.image_manifest_media_type =
                                        Some("application/vnd.oci.image.index.v1+json".into());
                                }
                                r
                            })
                            .collect(),
                        next,
                        1,
                    )),
                    ListId::Tags => PageRows::Tags(page(
                        (0..20)
                            .map(|i| tag_row(&format!("t{i}"), "ab", NOW))
                            .collect(),
                        next,
                        1,
                    )),
                };
                Msg::Page { generation, rows }
            }
            Effect::Fetch { client, read } => Msg::Fetched {
                client,
                answer: read_answer(read),
            },
            // One index per round; the rest are asked again.
            Effect::ReadIndexes {
                client,
                registry_id,
                registry_url,
                repo,
                mut digests,
            } => {
                let Some(digest) = digests.pop() else {
                    continue;
                };
                let result = if fail {
                    Err("connection refused".to_string())
                } else {
                    Ok([0, 3, 6]
                        .map(|i| ecrp::app::platforms::Child {
                            digest: format!("sha256:{i:064x}").into(),
                            platform: "linux/arm64\u{202e}".into(),
                        })
                        .to_vec())
                };
                queue.push(Effect::ReadIndexes {
                    client,
                    registry_id,
                    registry_url,
                    repo,
                    digests,
                });
                Msg::Fetched {
                    client,
                    answer: Answer::IndexManifest { digest, result },
                }
            }
            Effect::Connect(opts) => Msg::Connected(ecrp::aws::ConnectionInfo {
                profile: opts.profile.unwrap_or_else(|| "default".into()),
                region: opts.region.unwrap_or_else(|| "us-east-1".into()),
                endpoint: None,
            }),
            Effect::ListProfiles => Msg::Profiles(Ok(vec![
                ProfileInfo {
                    name: "default".into(),
                    kind: ProfileKind::StaticKeys,
                    region: None,
                },
                ProfileInfo {
                    name: "prod\u{1b}[31m".into(),
                    kind: ProfileKind::Sso,
                    region: Some("us-west-2".into()),
                },
            ])),
            Effect::WriteTerminal { done, .. } => Msg::Done(Ok(done)),
            Effect::OpenUrl(url) => Msg::Done(Err(format!("no browser to open {url}"))),
            Effect::Login { .. } => Msg::Done(Ok("logged in".into())),
            Effect::ReadCache {
                client, list, key, ..
            } => Msg::CacheRead {
                client,
                list,
                key,
                cached: None,
            },
            Effect::ReadStartCache { client, .. } => Msg::StartCache {
                client,
                scope: Box::default(),
                registries: None,
                repos: None,
            },
            Effect::RestTimer { seq, .. } => Msg::Rested { seq },
            Effect::Prefetch {
                client, seq, repo, ..
            } => Msg::Prefetched {
                client,
                seq,
                answer: if fail {
                    Err(AwsError::new("ThrottlingException", "slow\x1b[31m"))
                } else {
                    Ok(ecrp::app::prefetch::Prefetched {
                        repo,
                        page: page(
                            vec![image(&format!("{:064x}", 7), &["v\u{202e}1"], 7, NOW)],
                            Some("t2"),
                            1,
                        ),
                        cached: None,
                        tags: None,
                        tags_cached: None,
                    })
                },
            },
            Effect::WriteCache { .. } | Effect::CancelPrefetch => continue,
            Effect::Cancel(_)
            | Effect::StopDelete
            | Effect::SaveDraft { .. }
            | Effect::RemoveDraft { .. }
            | Effect::CancelIndexReads
            | Effect::CloseOpen
            | Effect::SaveBookmark { .. }
            | Effect::SaveRecent { .. } => continue,
            Effect::OpenTags { generation, .. } if fail => Msg::OpenFailed {
                generation,
                error: "tag list\x1b[2J failed".into(),
            },
            Effect::OpenTags { generation, .. } => Msg::OpenPage {
                generation,
                tags: (0..40).map(|i| format!("t{i}\u{202e}")).collect(),
                done: true,
                client: None,
            },
            Effect::OpenDetails { generation, tags } => {
                // The first row is left unanswered: it stays "…" while the rest fail.
                for tag in tags.into_iter().skip(1) {
                    queue.extend(app::update(
                        app,
                        Msg::OpenDetail {
                            generation,
                            tag,
                            detail: Err("gone\x1b]0;t\x07".into()),
                        },
                    ));
                }
                continue;
            }
            Effect::Mutate(op) => Msg::Saved {
                op,
                result: if fail {
                    Err(AwsError::new("ServerException", "boom\x1b]0;title\x07"))
                } else {
                    Ok(())
                },
            },
            Effect::DeleteImages { ids, .. } => {
                let n = ids.len();
                let failures = ids
                    .into_iter()
                    .step_by(2)
                    .map(|id| (id, "ImageNotFound".to_string(), "gone\x1b[2J".to_string()))
                    .collect::<Vec<_>>();
                queue.extend(app::update(
                    app,
                    Msg::Deleted(DeleteOutcome {
                        deleted: vec![(Some("sha256:x".into()), None); n - failures.len()],
                        failures,
                        requested: n,
                    }),
                ));
                Msg::DeleteEnded { not_sent: 0 }
            }
            // The lifecycle tasks fail, with control characters in the service's words.
            Effect::Lifecycle(l) => match l {
                LifecycleEffect::Plan { generation, .. } => Msg::Lifecycle(LifecycleMsg::Planned {
                    generation,
                    result: Err("listing images: boom\x1b[31m".into()),
                }),
                LifecycleEffect::Apply { .. } => {
                    queue.extend(app::update(
                        app,
                        Msg::Lifecycle(LifecycleMsg::Journal(Err("no journal\x1b[2J".into()))),
                    ));
                    Msg::DeleteEnded { not_sent: 0 }
                }
                LifecycleEffect::Restore { .. } => {
                    Msg::Lifecycle(LifecycleMsg::Restored(Err("gone\x07".into())))
                }
                LifecycleEffect::LoadFile { path } => Msg::Lifecycle(LifecycleMsg::Loaded {
                    path,
                    result: Err("cannot read".into()),
                }),
                LifecycleEffect::Save { .. } => {
                    Msg::Lifecycle(LifecycleMsg::Saved(Err("read-only disk".into())))
                }
            },
            Effect::CheckPath { field, path } => Msg::PathChecked {
                field,
                path,
                check: PathCheck::Err("cannot read: no such file".into()),
            },
            Effect::Editor { field, .. } => Msg::EditorDone {
                field,
                result: Ok("edited\nin $EDITOR".into()),
            },
            Effect::Inspect(req) => Msg::Inspected(inspect_answer(req, fail)),
            Effect::ReadDrafts => Msg::Drafts(vec![Draft {
                registry: "1".into(),
                repository: "r1\u{202e}".into(),
                kind: DraftKind::Catalog,
                saved_at: NOW as u64 - 120,
                values: Default::default(),
            }]),
        };
        queue.extend(app::update(app, msg));
    }
}

fn event() -> impl Strategy<Value = Msg> {
    let keys = prop_oneof![
        proptest::char::ranges(vec![' '..='~'].into()).prop_map(KeyCode::Char),
        Just(KeyCode::Enter),
        Just(KeyCode::Esc),
        Just(KeyCode::Tab),
        Just(KeyCode::Backspace),
        Just(KeyCode::Up),
        Just(KeyCode::Down),
        Just(KeyCode::Left),
        Just(KeyCode::Right),
        Just(KeyCode::PageUp),
        Just(KeyCode::PageDown),
        Just(KeyCode::Home),
        Just(KeyCode::End),
        Just(KeyCode::BackTab),
    ];
    prop_oneof![
        8 => keys.prop_map(|k| Msg::Key(KeyEvent::new(k, KeyModifiers::NONE))),
        1 => prop_oneof![Just('p'), Just('r'), Just('b'), Just('f'), Just('a'), Just('s'), Just('e')]
            .prop_map(|c| Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))),
        1 => (0u16..300, 0u16..100, 0u8..3).prop_map(|(x, y, k)| Msg::Mouse(MouseEvent {
            kind: match k {
                0 => MouseEventKind::Down(MouseButton::Left),
                1 => MouseEventKind::ScrollDown,
                _ => MouseEventKind::ScrollUp,
            },
            column: x,
            row: y,
            modifiers: KeyModifiers::NONE,
        })),
        1 => (1u16..=300, 1u16..=100).prop_map(|(w, h)| Msg::Resize(w, h)),
        1 => (0i64..100_000).prop_map(|d| Msg::Tick(NOW + d)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(200)
    ))]

    #[test]
    fn random_input_never_panics(
        w in 1u16..=300,
        h in 1u16..=100,
        events in proptest::collection::vec(event(), 1..40),
        fail in any::<bool>(),
    ) {
        let (mut app, mut fx) = connected_app(w, h);
        fx.push(Effect::ReadDrafts);
        answer(&mut app, fx, false);
        let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
        for ev in events {
            // Ctrl-c and `q` would end the session early; keep exploring instead.
            if let Msg::Key(k) = &ev
                && k.code == KeyCode::Char('q')
            {
                continue;
            }
            let ev_size = ev.clone();
            let fx = app::update(&mut app, ev);
            answer(&mut app, fx, fail);
            if let Msg::Resize(w, h) = ev_size {
                term.backend_mut().resize(w, h);
            }
            term.draw(|f| ecrp::ui::view(&app, f)).unwrap();
            app.quit = false;
        }
    }
}

proptest! {
    // `update` alone is cheap, so it gets thousands of cases (and longer sequences); the view is
    // drawn once at the end of each, at whatever size the sequence left.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(2000)
    ))]

    #[test]
    fn update_never_panics_over_long_sequences(
        w in 1u16..=300,
        h in 1u16..=100,
        events in proptest::collection::vec(event(), 1..120),
        fail in any::<bool>(),
    ) {
        let (mut app, mut fx) = connected_app(w, h);
        fx.push(Effect::ReadDrafts);
        answer(&mut app, fx, false);
        let (mut width, mut height) = (w, h);
        for ev in events {
            if let Msg::Key(k) = &ev
                && k.code == KeyCode::Char('q')
            {
                continue;
            }
            if let Msg::Resize(w, h) = &ev {
                (width, height) = (*w, *h);
            }
            let fx = app::update(&mut app, ev);
            answer(&mut app, fx, fail);
            app.quit = false;
        }
        let mut term = Terminal::new(TestBackend::new(width, height)).unwrap();
        term.draw(|f| ecrp::ui::view(&app, f)).unwrap();
    }
}
