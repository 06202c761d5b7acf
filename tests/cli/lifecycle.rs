//! Lifecycle rules: the Amazon ECR user guide's worked examples as test vectors, property tests of
//! the evaluation, and `ecrp prune` end to end against the in-process emulator (plan, apply with
//! the journal, restore, the fault mix, the binary's exit status).

use crate::support::binary;
use crate::support::common;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use ecrp::aws::{self, Api, ClientOptions, ImageRow, MEDIA_OCI_INDEX, collect_all};
use ecrp::emulator::{EmulatorOptions, FaultSpec};
use ecrp::lifecycle::{self, Manifest, ManifestFuture, ManifestSource, Plan, Topology};
use ecrp::prune::{self, JournalMode, PruneOptions};
use proptest::prelude::*;

const DAY: i64 = 86_400;
/// A fixed "now" for the pure tests.
const NOW: i64 = 1_800_000_000;
const OCI_MANIFEST: &str = "application/vnd.oci.image.manifest.v1+json";

fn digest(n: usize) -> Box<str> {
    format!("sha256:{n:064x}").into()
}

fn row(n: usize, tags: &[&str], pushed: i64, index: bool) -> ImageRow {
    ImageRow {
        image_digest: digest(n),
        image_tags: tags.iter().map(|t| Box::<str>::from(*t)).collect(),
        image_size_in_bytes: 1000 + n as i64,
        image_pushed_at: pushed,
        image_manifest_media_type: Some(Arc::from(if index {
            MEDIA_OCI_INDEX
        } else {
            OCI_MANIFEST
        })),
        artifact_media_type: None,
    }
}

fn policy(text: &str) -> lifecycle::Policy {
    lifecycle::parse(text).unwrap_or_else(|e| panic!("policy refused: {e:?}"))
}

fn expired_names(plan: &Plan, names: &[&str]) -> BTreeSet<String> {
    plan.apply_order().map(|i| names[i].to_string()).collect()
}

// ---------------------------------------------------------------------------------------------
// The user guide's examples ("Examples of lifecycle policies in Amazon ECR"): repository
// contents, policy, and the result the guide states.

struct Vector {
    name: &'static str,
    /// (image, tags, pushed this many seconds before NOW)
    images: &'static [(&'static str, &'static [&'static str], i64)],
    policy: &'static str,
    expired: &'static [&'static str],
}

const RULES_AB_IMAGES: &[(&str, &[&str], i64)] = &[
    ("A", &["beta-1", "prod-1"], 10 * DAY),
    ("B", &["beta-2", "prod-2"], 9 * DAY),
    ("C", &["beta-3"], 8 * DAY),
];

fn two_rules(first: &str, second: &str, key: &str) -> String {
    let rule = |p: u32, v: &str| {
        format!(
            r#"{{"rulePriority":{p},"description":"Rule {p}","selection":{{"tagStatus":"tagged","{key}":["{v}"],"countType":"imageCountMoreThan","countNumber":1}},"action":{{"type":"expire"}}}}"#
        )
    };
    format!(r#"{{"rules":[{},{}]}}"#, rule(1, first), rule(2, second))
}

const VECTORS: &[Vector] = &[
    Vector {
        name: "multiple tags in one rule, example A (prefixes must all match)",
        images: &[
            ("A", &["alpha-1"], 12 * DAY),
            ("B", &["beta-1"], 11 * DAY),
            ("C", &["alpha-2", "beta-2"], 10 * DAY),
            ("D", &["alpha-3"], 4 * DAY),
            ("E", &["beta-3"], 3 * DAY),
            ("F", &["alpha-4", "beta-4"], 2 * DAY),
        ],
        policy: r#"{"rules":[{"rulePriority":1,"description":"Rule 1","selection":{"tagStatus":"tagged","tagPrefixList":["alpha","beta"],"countType":"sinceImagePushed","countNumber":5,"countUnit":"days"},"action":{"type":"expire"}}]}"#,
        expired: &["C"],
    },
    Vector {
        name: "multiple tags in one rule, example B (tags are not exclusive)",
        images: &[
            ("A", &["alpha-1", "beta-1", "gamma-1"], 10 * DAY),
            ("B", &["alpha-2", "beta-2"], 9 * DAY),
            ("C", &["alpha-3", "beta-3", "gamma-2"], 8 * DAY),
        ],
        policy: r#"{"rules":[{"rulePriority":1,"description":"Rule 1","selection":{"tagStatus":"tagged","tagPrefixList":["alpha","beta"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#,
        expired: &["A", "B"],
    },
    Vector {
        name: "all images, example A (keep only the newest)",
        images: &[
            ("A", &["alpha-1"], 4 * DAY),
            ("B", &["beta-1"], 3 * DAY),
            ("C", &[], 2 * DAY),
            ("D", &["alpha-2"], DAY),
        ],
        policy: r#"{"rules":[{"rulePriority":1,"description":"Rule 1","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#,
        expired: &["A", "B", "C"],
    },
    Vector {
        // The guide pushes D and E "1 day ago" and keeps E as the newest: E is a minute newer
        // here. E is not "older than one day", so rule 2 keeps it.
        name: "all images, example B (every rule type in one policy)",
        images: &[
            ("A", &["alpha-1", "beta-1"], 4 * DAY),
            ("B", &[], 3 * DAY),
            ("C", &["alpha-2"], 2 * DAY),
            ("D", &["git hash"], DAY + 60),
            ("E", &[], DAY),
        ],
        policy: r#"{"rules":[
            {"rulePriority":1,"description":"Rule 1","selection":{"tagStatus":"tagged","tagPrefixList":["alpha"],"countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}},
            {"rulePriority":2,"description":"Rule 2","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}},
            {"rulePriority":3,"description":"Rule 3","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#,
        expired: &["A", "B", "D"],
    },
];

fn run_vector(name: &str, images: &[(&str, &[&str], i64)], text: &str, expected: &[&str]) {
    let rows: Vec<ImageRow> = images
        .iter()
        .enumerate()
        .map(|(n, (_, tags, ago))| row(n, tags, NOW - ago, false))
        .collect();
    let names: Vec<&str> = images.iter().map(|i| i.0).collect();
    let plan = lifecycle::evaluate(&policy(text), &rows, &Topology::default(), NOW);
    let expected: BTreeSet<String> = expected.iter().map(|s| s.to_string()).collect();
    assert_eq!(expired_names(&plan, &names), expected, "{name}");
}

#[test]
fn user_guide_examples() {
    for v in VECTORS {
        run_vector(v.name, v.images, v.policy, v.expired);
    }
    // Multiple rules, examples A and B, in the guide's prefix form and its newer pattern form.
    for key in ["tagPrefixList", "tagPatternList"] {
        let (prod, beta) = if key == "tagPrefixList" {
            ("prod", "beta")
        } else {
            ("prod*", "beta*")
        };
        run_vector(
            "multiple rules, example A: prod first",
            RULES_AB_IMAGES,
            &two_rules(prod, beta, key),
            &["A"],
        );
        run_vector(
            "multiple rules, example B: beta first",
            RULES_AB_IMAGES,
            &two_rules(beta, prod, key),
            &["A", "B"],
        );
    }
}

#[test]
fn decisions_name_the_rule_and_the_reason() {
    let rows: Vec<ImageRow> = RULES_AB_IMAGES
        .iter()
        .enumerate()
        .map(|(n, (_, tags, ago))| row(n, tags, NOW - ago, false))
        .collect();
    let plan = lifecycle::evaluate(
        &policy(&two_rules("prod", "beta", "tagPrefixList")),
        &rows,
        &Topology::default(),
        NOW,
    );
    assert_eq!(plan.decisions[0].rule, Some(1));
    assert_eq!(
        plan.reason_text(0, &rows),
        "keeps the newest 1 of the images it selects; this is number 2 by push time"
    );
    // B: rule 2 would expire it, rule 1's selection shields it.
    assert!(!plan.decisions[1].expire);
    assert_eq!(
        plan.reason_text(1, &rows),
        "rulePriority 2 would expire it, but it matches the selection of rulePriority 1, which comes first"
    );
    assert_eq!(plan.totals.images, 1);
    assert_eq!(plan.totals.tags, 2);
    assert_eq!(plan.totals.bytes, 1000);
}

// ---------------------------------------------------------------------------------------------
// Multi-arch safety, as data.

const UNTAGGED_14_DAYS: &str = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}"#;
const OLD_TAGS_1_DAY: &str = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["old*"],"countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;

/// 0: index "v1" over 1, 2; 3: index "old" over 4, 2 (2 shared); 5: untagged; 6: "old-single".
fn multi_arch_rows() -> (Vec<ImageRow>, Topology) {
    let old = NOW - 30 * DAY;
    let rows = vec![
        row(0, &["v1"], old, true),
        row(1, &[], old, false),
        row(2, &[], old, false),
        row(3, &["old"], old, true),
        row(4, &[], old, false),
        row(5, &[], old, false),
        row(6, &["old-single"], old, false),
    ];
    let mut t = Topology::default();
    t.add(&digest(0), vec![digest(1), digest(2)]);
    t.add(&digest(3), vec![digest(4), digest(2)]);
    (rows, t)
}

#[test]
fn platform_manifests_of_a_staying_index_stay() {
    let (rows, topo) = multi_arch_rows();
    let plan = lifecycle::evaluate(&policy(UNTAGGED_14_DAYS), &rows, &topo, NOW);
    let expired: BTreeSet<usize> = plan.apply_order().collect();
    // Every untagged manifest is old, but 1, 2 and 4 belong to indexes that stay.
    assert_eq!(expired, BTreeSet::from([5]));
    assert_eq!(plan.kept_for_multiarch, vec![1, 2, 4]);
    assert_eq!(
        plan.reason_text(1, &rows),
        format!("platform manifest of {} which stays", digest(0))
    );
}

#[test]
fn an_expiring_index_takes_its_unshared_manifests_along_first() {
    let (rows, topo) = multi_arch_rows();
    let plan = lifecycle::evaluate(&policy(OLD_TAGS_1_DAY), &rows, &topo, NOW);
    // The index "old" goes (first, alone), with 4; 2 is shared with "v1", which stays.
    assert_eq!(
        plan.phases,
        vec![vec![3], vec![6, 4]]
            .into_iter()
            .map(|mut p| {
                p.sort_by_key(|&i| (rows[i].image_pushed_at, rows[i].image_digest.clone()));
                p
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(plan.decisions[4].rule, Some(1));
    assert!(
        plan.reason_text(4, &rows)
            .contains("which expires; nothing that stays references it")
    );
    assert!(!plan.decisions[2].expire);
    assert_eq!(plan.totals.images, 3);
    assert_eq!(plan.totals.tags, 2);
    // The index's own size repeats a manifest's: not counted.
    assert_eq!(plan.totals.bytes, 1004 + 1006);
}

#[test]
fn unknown_topology_keeps_every_untagged_manifest() {
    let (rows, mut topo) = multi_arch_rows();
    topo.children.remove(&digest(3));
    topo.mark_unknown(&digest(3), "HTTP 500");
    let plan = lifecycle::evaluate(&policy(UNTAGGED_14_DAYS), &rows, &topo, NOW);
    assert_eq!(plan.apply_order().count(), 0);
    assert_eq!(plan.kept_for_multiarch, vec![1, 2, 4, 5]);
    assert!(
        plan.reason_text(5, &rows)
            .contains("index(es) whose manifests could not be read")
    );
    // Not read at all is unknown as well; tagged images and indexes still go.
    let plan = lifecycle::evaluate(&policy(OLD_TAGS_1_DAY), &rows, &Topology::default(), NOW);
    let expired: BTreeSet<usize> = plan.apply_order().collect();
    assert_eq!(expired, BTreeSet::from([3, 6]));
}

// ---------------------------------------------------------------------------------------------
// Properties.

const TAGS: &[&str] = &["a1", "a2", "b1", "b2", "c1", "latest"];

prop_compose! {
    fn images()(specs in prop::collection::vec(
        (prop::collection::btree_set(0..TAGS.len(), 0..3), 0..40 * DAY, prop::bool::weighted(0.15)),
        0..40,
    ), links in prop::collection::vec((0..40usize, 0..40usize), 0..40))
    -> (Vec<ImageRow>, Topology) {
        let rows: Vec<ImageRow> = specs.iter().enumerate().map(|(n, (tags, ago, index))| {
            let tags: Vec<&str> = tags.iter().map(|&t| TAGS[t]).collect();
            row(n, &tags, NOW - ago, *index)
        }).collect();
        let mut kids: BTreeMap<usize, Vec<Box<str>>> = BTreeMap::new();
        for (i, _) in rows.iter().enumerate().filter(|(_, r)| r.is_multi_arch()) {
            kids.insert(i, Vec::new());
        }
        for (a, b) in links {
            if a < rows.len() && b < rows.len() && rows[a].is_multi_arch() && !rows[b].is_multi_arch() {
                kids.entry(a).or_default().push(digest(b));
            }
        }
        let mut topo = Topology::default();
        for (i, k) in kids {
            topo.add(&digest(i), k);
        }
        (rows, topo)
    }
}

fn rule_json(p: usize, status: usize, list: usize, count: (bool, u32)) -> String {
    let selection = match status {
        0 => {
            let (key, values) = match list {
                0 => ("tagPrefixList", r#"["a"]"#),
                1 => ("tagPrefixList", r#"["a","b"]"#),
                2 => ("tagPatternList", r#"["*1"]"#),
                3 => ("tagPatternList", r#"["b*","*2"]"#),
                _ => ("tagPatternList", r#"["l*t*"]"#),
            };
            format!(r#""tagStatus":"tagged","{key}":{values}"#)
        }
        1 => r#""tagStatus":"untagged""#.to_string(),
        _ => r#""tagStatus":"any""#.to_string(),
    };
    let count = if count.0 {
        format!(
            r#""countType":"imageCountMoreThan","countNumber":{}"#,
            count.1
        )
    } else {
        format!(
            r#""countType":"sinceImagePushed","countUnit":"days","countNumber":{}"#,
            count.1
        )
    };
    format!(
        r#"{{"rulePriority":{p},"selection":{{{selection},{count}}},"action":{{"type":"expire"}}}}"#
    )
}

prop_compose! {
    /// A valid policy: tagged rules, at most one untagged rule, at most one `any` rule, last.
    fn policies()(tagged in prop::collection::vec((0..5usize, any::<bool>(), 1..6u32), 0..3),
                  untagged in prop::option::of((any::<bool>(), 1..6u32)),
                  anyr in prop::option::of((any::<bool>(), 1..6u32)),
                  gap in 1..4usize)
    -> String {
        let mut rules = Vec::new();
        let mut p = 0;
        let mut lists = BTreeSet::new();
        for (list, by_count, n) in tagged {
            // ECR refuses two rules over the same tags.
            if !lists.insert(list) {
                continue;
            }
            p += gap;
            rules.push(rule_json(p, 0, list, (by_count, n)));
        }
        if let Some((by_count, n)) = untagged {
            p += gap;
            rules.push(rule_json(p, 1, 0, (by_count, n)));
        }
        if let Some((by_count, n)) = anyr {
            p += gap;
            rules.push(rule_json(p, 2, 0, (by_count, n)));
        }
        if rules.is_empty() {
            rules.push(rule_json(1, 2, 0, (true, 2)));
        }
        // Listed out of priority order: evaluation order comes from rulePriority.
        rules.reverse();
        format!(r#"{{"rules":[{}]}}"#, rules.join(","))
    }
}

fn summary(plan: &Plan, rows: &[ImageRow]) -> BTreeMap<Box<str>, (bool, Option<u32>)> {
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            (
                r.image_digest.clone(),
                (plan.decisions[i].expire, plan.decisions[i].rule),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn each_image_expires_at_most_once_and_indexes_go_first(
        (rows, topo) in images(), text in policies()
    ) {
        let plan = lifecycle::evaluate(&policy(&text), &rows, &topo, NOW);
        let order: Vec<usize> = plan.apply_order().collect();
        let unique: BTreeSet<usize> = order.iter().copied().collect();
        prop_assert_eq!(unique.len(), order.len(), "an image planned twice");
        let marked = plan.decisions.iter().filter(|d| d.expire).count();
        prop_assert_eq!(marked, order.len());
        let position: HashMap<usize, usize> = order.iter().enumerate().map(|(k, &i)| (i, k)).collect();
        let pos: HashMap<&str, usize> = rows.iter().enumerate().map(|(i, r)| (&*r.image_digest, i)).collect();
        for (index, kids) in &topo.children {
            let ip = pos[&**index];
            for k in kids {
                let kp = pos[&**k];
                if plan.decisions[ip].expire {
                    if let Some(&c) = position.get(&kp) {
                        // Indexes before the manifests they reference.
                        prop_assert!(position[&ip] < c);
                    }
                } else {
                    // No manifest of a staying index expires.
                    prop_assert!(!plan.decisions[kp].expire, "child {} of staying {} expires", k, index);
                }
            }
        }
    }

    #[test]
    fn the_listing_order_does_not_matter(
        (rows, topo) in images(), text in policies(), seed in any::<u64>()
    ) {
        let p = policy(&text);
        let plan = lifecycle::evaluate(&p, &rows, &topo, NOW);
        let mut shuffled = rows.clone();
        // A deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s % (i as u64 + 1)) as usize);
        }
        let again = lifecycle::evaluate(&p, &shuffled, &topo, NOW);
        prop_assert_eq!(summary(&plan, &rows), summary(&again, &shuffled));
        let a: Vec<&str> = plan.apply_order().map(|i| &*rows[i].image_digest).collect();
        let b: Vec<&str> = again.apply_order().map(|i| &*shuffled[i].image_digest).collect();
        prop_assert_eq!(a, b);
        prop_assert_eq!(plan.totals, again.totals);
    }

    #[test]
    fn a_count_rule_keeps_exactly_the_newest_n(
        (rows, _) in images(), list in 0..5usize, status in 0..3usize, keep in 1..6u32
    ) {
        // Single-arch rows (no index links) and one rule: nothing else interferes.
        let rows: Vec<ImageRow> = rows.into_iter().map(|mut r| {
            r.image_manifest_media_type = Some(Arc::from(OCI_MANIFEST));
            r
        }).collect();
        let p = policy(&format!(r#"{{"rules":[{}]}}"#, rule_json(1, status, list, (true, keep))));
        let plan = lifecycle::evaluate(&p, &rows, &Topology::default(), NOW);
        let selected: Vec<usize> = (0..rows.len())
            .filter(|&i| lifecycle::select::selects(&p.rules[0], &rows[i].image_tags))
            .collect();
        let kept: Vec<usize> = selected.iter().copied().filter(|&i| !plan.decisions[i].expire).collect();
        prop_assert_eq!(kept.len(), selected.len().min(keep as usize));
        prop_assert_eq!(plan.apply_order().count(), selected.len().saturating_sub(keep as usize));
        let newest_gone = plan.apply_order().map(|i| rows[i].image_pushed_at).max();
        let oldest_kept = kept.iter().map(|&i| rows[i].image_pushed_at).min();
        if let (Some(g), Some(k)) = (newest_gone, oldest_kept) {
            prop_assert!(g <= k, "an image newer than a kept one expired");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// `ecrp prune` against the in-process emulator.

/// Manifests the test pushed itself, served by digest (the registry API's part in production).
#[derive(Default)]
struct Known(HashMap<String, Manifest>);

impl ManifestSource for Known {
    fn manifest<'a>(&'a self, _repository: &'a str, digest: &'a str) -> ManifestFuture<'a> {
        let found = self
            .0
            .get(digest)
            .cloned()
            .ok_or_else(|| format!("ManifestUnknown: {digest}"));
        Box::pin(async move { found })
    }
}

async fn api_for(emu: &ecrp::emulator::Emulator, read_only: bool) -> Api {
    let (client, _) = aws::connect(&ClientOptions::for_emulator(&emu.url())).await;
    Api::new(client, read_only)
}

async fn listing(api: &Api, repo: &str) -> BTreeMap<String, BTreeSet<String>> {
    collect_all(api.images(repo, None))
        .await
        .expect("DescribeImages")
        .into_iter()
        .map(|r| {
            let tags = r.image_tags.iter().map(|t| t.to_string()).collect();
            (r.image_digest.to_string(), tags)
        })
        .collect()
}

fn options(
    repos: &[&str],
    text: &str,
    apply: bool,
    journal: JournalMode,
    now: i64,
) -> PruneOptions {
    PruneOptions {
        repositories: repos.iter().map(|r| r.to_string()).collect(),
        policy: policy(text),
        apply,
        journal,
        now,
        registry_id: None,
    }
}

const WEB_POLICY: &str = r#"{"rules":[
    {"rulePriority":1,"description":"keep the last two v1 releases","selection":{"tagStatus":"tagged","tagPatternList":["v1.*"],"countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}},
    {"rulePriority":2,"description":"untagged after a day","selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_repository_without_a_manifest_source_keeps_platform_manifests() {
    let (emu, _c) = common::start_with(EmulatorOptions::default()).await;
    let api = api_for(&emu, false).await;
    let before = listing(&api, "web").await;
    let now = common::now_secs();

    // Refusals come before any request.
    let o = options(
        &["web"],
        WEB_POLICY,
        true,
        JournalMode::Dir("/nonexistent".into()),
        now,
    );
    let e = prune::run_with(&api, None, &o)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("--no-journal"), "{e}");
    let ro = api_for(&emu, true).await;
    let o = options(&["web"], WEB_POLICY, true, JournalMode::Off, now);
    let e = prune::run_with(&ro, None, &o)
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains("read-only"), "{e}");
    assert_eq!(
        emu.op_counts().get("DescribeImages"),
        Some(&1),
        "only the listing above"
    );

    let dry = options(&["web"], WEB_POLICY, false, JournalMode::Off, now);
    let out = prune::run_with(&api, None, &dry).await.unwrap();
    let web = &out[0];
    assert!(web.error.is_none() && web.applied.is_none());
    let planned: Vec<&ImageRow> = web.plan.apply_order().map(|i| &web.rows[i]).collect();
    // Six v1 releases beyond the newest two (three indexes first, then three single images).
    assert_eq!(planned.len(), 6);
    assert!(planned[..3].iter().all(|r| r.is_multi_arch()));
    assert!(
        planned
            .iter()
            .all(|r| r.image_tags.iter().any(|t| t.starts_with("v1.")))
    );
    // No index could be read: every old untagged image is kept, each with the reason.
    assert_eq!(web.unknown.len(), 5, "the five multi-arch releases");
    assert!(!web.plan.kept_for_multiarch.is_empty());
    for &i in &web.plan.kept_for_multiarch {
        assert!(web.rows[i].image_tags.is_empty() && !web.rows[i].is_multi_arch());
        assert!(
            web.plan
                .reason_text(i, &web.rows)
                .contains("could not be read")
        );
    }
    assert_eq!(
        emu.op_counts().get("BatchDeleteImage"),
        None,
        "a dry run deletes nothing"
    );

    let apply = options(&["web"], WEB_POLICY, true, JournalMode::Off, now);
    let out = prune::run_with(&api, None, &apply).await.unwrap();
    let a = out[0].applied.as_ref().expect("applied");
    assert_eq!(a.deleted.len(), 6, "{a:?}");
    assert!(a.failures.is_empty() && a.not_sent.is_empty());
    let after = listing(&api, "web").await;
    let gone: BTreeSet<&String> = before.keys().filter(|d| !after.contains_key(*d)).collect();
    let deleted: BTreeSet<String> = a
        .deleted
        .iter()
        .map(|&i| out[0].rows[i].image_digest.to_string())
        .collect();
    assert_eq!(gone, deleted.iter().collect());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apply_journals_indexes_first_and_restore_puts_everything_back() {
    let (emu, c) = common::start_empty().await;
    common::create_repo(&c, "app").await;
    let mut known = Known::default();
    let blobs = common::upload_blobs(&c, "app", "app", 2).await;
    let mut put = async |m: String, tag: Option<&str>, media: &str| {
        let d = common::put_manifest(&c, "app", &m, tag).await;
        known.0.insert(
            d.clone(),
            Manifest {
                bytes: m.into_bytes(),
                media_type: media.into(),
            },
        );
        d
    };
    let m = |note: &str| common::oci_manifest(&blobs, note);
    let (m1a, m1b, m2a) = (m("1a"), m("1b"), m("2a"));
    let d1a = put(m1a.clone(), None, common::OCI_MANIFEST).await;
    let d1b = put(m1b.clone(), None, common::OCI_MANIFEST).await;
    let d2a = put(m2a.clone(), None, common::OCI_MANIFEST).await;
    let entry = |d: &String, m: &String, arch| (d.clone(), m.len() as i64, arch);
    let idx1 = common::index_json(
        common::OCI_INDEX,
        common::OCI_MANIFEST,
        &[entry(&d1a, &m1a, "amd64"), entry(&d1b, &m1b, "arm64")],
    );
    let idx2 = common::index_json(
        common::OCI_INDEX,
        common::OCI_MANIFEST,
        &[entry(&d2a, &m2a, "amd64"), entry(&d1b, &m1b, "arm64")],
    );
    let di1 = put(idx1, Some("v1"), common::OCI_INDEX).await;
    let di2 = put(idx2.clone(), Some("old"), common::OCI_INDEX).await;
    assert_eq!(put(idx2, Some("old-2"), common::OCI_INDEX).await, di2);
    let du = put(m("u"), None, common::OCI_MANIFEST).await;
    let dt = put(m("t"), Some("old-single"), common::OCI_MANIFEST).await;

    let api = api_for(&emu, false).await;
    let before = listing(&api, "app").await;
    let dir = tempfile::tempdir().unwrap();
    let jdir = dir.path().join("journal");
    let o = options(
        &["app"],
        OLD_TAGS_1_DAY,
        true,
        JournalMode::Dir(jdir.clone()),
        common::now_secs() + 2 * DAY,
    );
    let out = prune::run_with(&api, Some(&known), &o).await.unwrap();
    let r = &out[0];
    assert!(r.error.is_none(), "{:?}", r.error);
    let name = |i: usize| r.rows[i].image_digest.to_string();
    // The index "old" alone first; then its own manifest and the single image. 1b stays: "v1"
    // references it.
    assert_eq!(r.plan.phases.len(), 2);
    assert_eq!(
        r.plan.phases[0]
            .iter()
            .map(|&i| name(i))
            .collect::<Vec<_>>(),
        std::slice::from_ref(&di2)
    );
    assert_eq!(
        r.plan.phases[1]
            .iter()
            .map(|&i| name(i))
            .collect::<BTreeSet<_>>(),
        BTreeSet::from([d2a.clone(), dt.clone()])
    );
    let a = r.applied.as_ref().unwrap();
    assert_eq!(
        (a.deleted.len(), a.failures.len(), a.not_sent.len()),
        (3, 0, 0)
    );
    let after = listing(&api, "app").await;
    assert_eq!(
        after.keys().cloned().collect::<BTreeSet<_>>(),
        BTreeSet::from([di1, d1a, d1b, du])
    );

    // The journal: private, complete, in deletion order.
    let path = a.journal.clone().expect("journal written");
    use std::os::unix::fs::PermissionsExt;
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    let j = prune::journal::read(&path).unwrap();
    assert_eq!(j.repository_name, "app");
    assert_eq!(j.images.len(), 3);
    assert_eq!(j.images[0].image_digest, di2);
    assert_eq!(j.images[0].image_tags, ["old", "old-2"]);

    let mut printed = Vec::new();
    let report = prune::restore::run(&api, &path, &mut printed)
        .await
        .unwrap();
    let text = String::from_utf8(printed).unwrap();
    assert!(!report[0].failed(), "{text}");
    assert!(text.contains("app: 3 of 3 image(s) back"), "{text}");
    assert_eq!(
        listing(&api, "app").await,
        before,
        "same digests, same tags"
    );

    // Again, after "old-2" moved to a newer image: everything is present, and the tag stays put.
    let newer = common::put_manifest(&c, "app", &m("newer"), Some("old-2")).await;
    let mut printed = Vec::new();
    let report = prune::restore::run(&api, &path, &mut printed)
        .await
        .unwrap();
    let text = String::from_utf8(printed).unwrap();
    assert!(
        report[0].images.iter().all(|i| i.status == "present"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "tag old-2 not restored: TagInUse: now names {newer}, left there"
        )),
        "{text}"
    );
    assert!(
        report[0].failed(),
        "a tag not put back is reported as a failure"
    );
    assert_eq!(
        listing(&api, "app").await[&newer],
        BTreeSet::from(["old-2".to_string()])
    );

    // Into a repository without the layers: nothing comes back, each with the service's code.
    common::create_repo(&c, "empty").await;
    let mut elsewhere = j.clone();
    elsewhere.repository_name = "empty".into();
    let other = dir.path().join("elsewhere.json");
    std::fs::write(&other, serde_json::to_vec(&elsewhere).unwrap()).unwrap();
    let mut printed = Vec::new();
    let report = prune::restore::run(&api, &other, &mut printed)
        .await
        .unwrap();
    let text = String::from_utf8(printed).unwrap();
    assert!(report[0].failed());
    assert!(
        text.contains(&format!("not restored {d2a}: LayersNotFoundException")),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "not restored {di2}: ReferencedImagesNotFoundException"
        )),
        "{text}"
    );
    assert!(text.contains("empty: 0 of 3 image(s) back"), "{text}");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn under_the_fault_mix_every_planned_image_is_accounted_for_once() {
    let (emu, _c) = common::start_with(EmulatorOptions {
        faults: Some(FaultSpec::parse("throttle=0.1,error=0.05,reset=0.02").unwrap()),
        fault_seed: Some(15),
        ..Default::default()
    })
    .await;
    let api = api_for(&emu, false).await;
    let before = listing(&api, "ci/builds").await;
    assert_eq!(before.len(), 3500);
    let text = r#"{"rules":[
        {"rulePriority":1,"selection":{"tagStatus":"tagged","tagPrefixList":["build-"],"countType":"imageCountMoreThan","countNumber":100},"action":{"type":"expire"}},
        {"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"imageCountMoreThan","countNumber":1},"action":{"type":"expire"}}]}"#;
    let o = options(
        &["ci/builds", "no-such-repo"],
        text,
        true,
        JournalMode::Off,
        common::now_secs(),
    );
    let out = prune::run_with(&api, None, &o).await.unwrap();
    let r = &out[0];
    assert!(r.error.is_none(), "{:?}", r.error);
    assert_eq!(r.plan.totals.images, 3050 + 349);
    let a = r.applied.as_ref().unwrap();
    assert_eq!(
        a.deleted.len() + a.failures.len() + a.not_sent.len(),
        r.plan.totals.images
    );
    let after = listing(&api, "ci/builds").await;
    assert_eq!(after.len(), 3500 - a.deleted.len());
    for &i in &a.deleted {
        assert!(!after.contains_key(&*r.rows[i].image_digest));
    }
    for (i, code, _) in &a.failures {
        assert!(
            after.contains_key(&*r.rows[*i].image_digest),
            "failed ({code}) yet gone"
        );
    }
    // The other repository's error is its own; ci/builds ran regardless.
    assert!(
        out[1]
            .error
            .as_deref()
            .is_some_and(|e| e.contains("RepositoryNotFoundException")),
        "{:?}",
        out[1].error
    );
    assert!(out[1].failed());
    emu.shutdown().await;
}

#[test]
fn the_binary_plans_as_json_and_refuses_bad_policies_with_a_non_zero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, WEB_POLICY).unwrap();
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countNumber":3},"action":{"type":"expire"}}]}"#).unwrap();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(binary::BIN);
        binary::hermetic(&mut cmd)
            .env("ECRP_DATA_DIR", dir.path())
            .args(args);
        cmd.output().expect("ecrp runs")
    };
    let out = run(&["--demo", "prune", "web", "--policy", bad.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains("rule with rulePriority 1: selection.countUnit: required"),
        "{err}"
    );

    let out = run(&[
        "--demo",
        "prune",
        "web",
        "api",
        "--policy",
        good.to_str().unwrap(),
        "--json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON object");
    // `--demo` maps public.ecr.aws to the emulator's registry API, so the indexes are read: the six
    // older v1 releases (rule 1) and the ten untagged single-platform images older than a day
    // (rule 2) expire, while the platform manifests of the staying indexes are kept.
    let expire = doc["expire"].as_array().unwrap();
    assert_eq!(expire.len(), 16, "{doc:#}");
    assert!(
        expire
            .iter()
            .all(|e| e["imageDigest"].as_str().is_some_and(lifecycle::is_digest))
    );
    assert_eq!(expire.iter().filter(|e| e["rule"] == 1).count(), 6);
    assert_eq!(expire.iter().filter(|e| e["rule"] == 2).count(), 10);
    assert_eq!(doc["totals"]["images"], 16);
    let kept = doc["kept_for_multiarch"].as_array().unwrap();
    assert!(!kept.is_empty());
    let kept_digests: Vec<&str> = kept
        .iter()
        .filter_map(|k| k["imageDigest"].as_str())
        .collect();
    assert!(!kept_digests.is_empty(), "{kept:?}");
    assert!(
        expire
            .iter()
            .all(|e| !kept_digests.contains(&e["imageDigest"].as_str().unwrap())),
        "a platform manifest of a staying index would expire"
    );
    assert_eq!(doc["repositories"].as_array().unwrap().len(), 2);
    assert_eq!(doc["dryRun"], true);

    let out = run(&[
        "--demo",
        "prune",
        "web",
        "--policy",
        good.to_str().unwrap(),
        "--apply",
    ]);
    // With the registry API (the demo's emulator) the journal can hold every manifest: apply
    // writes it first (private), then deletes.
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let journals: Vec<_> = std::fs::read_dir(dir.path().join("journal"))
        .expect("a journal directory")
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(journals.len(), 1, "{journals:?}");
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&journals[0])
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let journal: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&journals[0]).unwrap()).unwrap();
    let images = journal["images"].as_array().unwrap();
    assert!(!images.is_empty());
    for image in images {
        assert!(
            image["imageManifest"]
                .as_str()
                .is_some_and(|m| !m.is_empty()),
            "the journal holds every manifest: {image:#}"
        );
    }
}

/// The plan for 100,000 images beside the time to list them from the emulator. Reports, never
/// fails on time: `cargo test --release --test cli -- --ignored --nocapture plan_speed`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it on purpose"]
async fn plan_speed_for_100000_images() {
    let (emu, _c) = common::start_synthetic("big", 100_000).await;
    let api = api_for(&emu, true).await;
    let t = std::time::Instant::now();
    let rows = collect_all(api.images("big", None)).await.unwrap();
    let listed = t.elapsed();
    let text = r#"{"rules":[
        {"rulePriority":1,"selection":{"tagStatus":"tagged","tagPatternList":["*1*"],"countType":"imageCountMoreThan","countNumber":500},"action":{"type":"expire"}},
        {"rulePriority":2,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}},
        {"rulePriority":3,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":20000},"action":{"type":"expire"}}]}"#;
    let p = policy(text);
    let t = std::time::Instant::now();
    let plan = lifecycle::evaluate(&p, &rows, &Topology::default(), common::now_secs());
    let planned = t.elapsed();
    println!(
        "list {} images: {listed:?}; plan (3 rules, {} to expire): {planned:?}; ratio {:.3}",
        rows.len(),
        plan.totals.images,
        planned.as_secs_f64() / listed.as_secs_f64()
    );
    assert_eq!(rows.len(), 100_000);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_manifest_whose_index_could_not_be_deleted_is_not_sent() {
    let (emu, c) = common::start_empty().await;
    common::create_repo(&c, "app").await;
    let blobs = common::upload_blobs(&c, "app", "nested", 1).await;
    let mut known = Known::default();
    let child = common::oci_manifest(&blobs, "child");
    let dc = common::put_manifest(&c, "app", &child, Some("old-child")).await;
    known.0.insert(
        dc.clone(),
        Manifest {
            bytes: child.clone().into_bytes(),
            media_type: common::OCI_MANIFEST.into(),
        },
    );
    let index = common::index_json(
        common::OCI_INDEX,
        common::OCI_MANIFEST,
        &[(dc.clone(), child.len() as i64, "amd64")],
    );
    let di = common::put_manifest(&c, "app", &index, Some("old")).await;
    known.0.insert(
        di.clone(),
        Manifest {
            bytes: index.clone().into_bytes(),
            media_type: common::OCI_INDEX.into(),
        },
    );
    // An index over that index, which the source cannot read: the service refuses to delete "old"
    // while it exists.
    let outer = common::index_json(
        common::OCI_INDEX,
        common::OCI_INDEX,
        &[(di.clone(), index.len() as i64, "amd64")],
    );
    common::put_manifest(&c, "app", &outer, Some("stays")).await;
    let single = common::put_manifest(
        &c,
        "app",
        &common::oci_manifest(&blobs, "single"),
        Some("old-single"),
    )
    .await;

    let api = api_for(&emu, false).await;
    let o = options(
        &["app"],
        OLD_TAGS_1_DAY,
        true,
        JournalMode::Off,
        common::now_secs() + 2 * DAY,
    );
    let out = prune::run_with(&api, Some(&known), &o).await.unwrap();
    let r = &out[0];
    let a = r.applied.as_ref().unwrap();
    let digests = |v: Vec<usize>| {
        v.into_iter()
            .map(|i| r.rows[i].image_digest.to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        digests(a.failures.iter().map(|f| f.0).collect()),
        std::slice::from_ref(&di)
    );
    assert_eq!(a.failures[0].1, "ImageReferencedByManifestList");
    assert_eq!(
        digests(a.not_sent.iter().map(|n| n.0).collect()),
        std::slice::from_ref(&dc)
    );
    assert!(
        a.not_sent[0]
            .1
            .contains(&format!("its index {di} was not deleted"))
    );
    assert_eq!(digests(a.deleted.clone()), [single]);
    assert!(r.failed(), "a failed deletion fails the run");
    let after = listing(&api, "app").await;
    assert!(after.contains_key(&di) && after.contains_key(&dc));

    // Restoring is a mutation: read-only refuses it before any request.
    let dir = tempfile::tempdir().unwrap();
    let path = prune::journal::write(
        dir.path(),
        &prune::journal::Journal {
            format: prune::journal::FORMAT.into(),
            created_at: 0,
            registry_id: None,
            repository_name: "app".into(),
            images: vec![],
        },
    )
    .unwrap();
    let e = prune::restore::run(&api_for(&emu, true).await, &path, &mut Vec::new())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("read-only"), "{e}");
    emu.shutdown().await;
}

#[test]
fn the_binary_without_policy_uses_each_repository_s_policy_from_the_config_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("web.json");
    std::fs::write(&file, WEB_POLICY).unwrap();
    let config = dir.path().join("config.toml");
    // `web` by file, `api` inline: each repository planned with its own rules.
    let keep_two = r#"{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":2},"action":{"type":"expire"}}]}"#;
    std::fs::write(
        &config,
        format!(
            "[lifecycle.\"web\"]\npolicy_file = {:?}\n\n[lifecycle.\"api\"]\npolicy = '''{keep_two}'''\n",
            file.display().to_string()
        ),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(binary::BIN);
        binary::hermetic(&mut cmd)
            .env("ECRP_DATA_DIR", dir.path())
            .arg("--config")
            .arg(&config)
            .args(args);
        cmd.output().expect("ecrp runs")
    };
    let json = |out: std::process::Output| -> serde_json::Value {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("one JSON object")
    };
    let given = json(run(&[
        "--demo",
        "prune",
        "web",
        "--policy",
        file.to_str().unwrap(),
        "--json",
    ]));
    let configured = json(run(&["--demo", "prune", "web", "--json"]));
    // Each `--demo` run builds its data afresh (new digests and push times): compare what decided.
    let decided = |doc: &serde_json::Value| -> Vec<String> {
        doc["expire"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {} {}", e["rule"], e["imageTags"], e["reason"]))
            .collect()
    };
    assert!(!decided(&given).is_empty());
    assert_eq!(decided(&given), decided(&configured));
    assert_eq!(given["totals"], configured["totals"]);
    let both = json(run(&["--demo", "prune", "web", "api", "--json"]));
    let in_api = |doc: &serde_json::Value| {
        doc["expire"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["repositoryName"] == "api")
            .count()
    };
    let web_only = given["expire"].as_array().unwrap().len();
    assert!(in_api(&both) > 0, "{both:#}");
    assert_eq!(
        both["expire"].as_array().unwrap().len(),
        web_only + in_api(&both)
    );
    // A repository with no policy anywhere is refused, naming it.
    let out = run(&["--demo", "prune", "nginx"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("[lifecycle.\"nginx\"]"), "{err}");
}
