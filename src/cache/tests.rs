use std::sync::Arc;

use super::format::{decode, encode, encode_in};
use super::*;
use crate::aws::{AliasRow, ImageRow, RegistryRow, RepoRow, TagRow};

fn image(i: usize) -> ImageRow {
    ImageRow {
        image_digest: format!("sha256:{:064x}", i).into(),
        image_tags: if i.is_multiple_of(3) {
            Box::new([])
        } else {
            vec![format!("v{i}").into(), "latest".into()].into_boxed_slice()
        },
        image_size_in_bytes: 1000 + i as i64,
        image_pushed_at: 1_795_348_800 - i as i64,
        image_manifest_media_type: Some(Arc::from(if i.is_multiple_of(2) {
            "application/vnd.oci.image.index.v1+json"
        } else {
            "application/vnd.oci.image.manifest.v1+json"
        })),
        artifact_media_type: None,
    }
}

fn listings() -> Vec<Listing> {
    vec![
        Listing::Registries(vec![RegistryRow {
            registry_id: "123456789012".into(),
            registry_arn: "arn:aws:ecr-public::123456789012:registry/123456789012".into(),
            registry_uri: "public.ecr.aws/acme".into(),
            verified: true,
            aliases: vec![AliasRow {
                name: "acme".into(),
                status: "ACTIVE".into(),
                primary_registry_alias: true,
                default_registry_alias: false,
            }],
            display_name: Some("Acmé \u{1b}[31m".into()),
        }]),
        Listing::Repositories(vec![RepoRow {
            repository_name: "team/app".into(),
            repository_uri: "public.ecr.aws/acme/team/app".into(),
            repository_arn: "arn:aws:ecr-public::123456789012:repository/team/app".into(),
            registry_id: "123456789012".into(),
            created_at: -5,
        }]),
        Listing::Images(
            (0..50)
                .map(image)
                .chain([ImageRow {
                    image_digest: "sha512:not-hex".into(),
                    ..image(7)
                }])
                .collect(),
        ),
        Listing::Tags(vec![TagRow {
            image_tag: "latest".into(),
            created_at: 1,
            image_digest: format!("sha256:{:064x}", 9).into(),
            image_size_in_bytes: i64::MAX,
            image_pushed_at: i64::MIN,
            image_manifest_media_type: None,
            artifact_media_type: Some(Arc::from("application/x-thing")),
        }]),
        Listing::Images(Vec::new()),
    ]
}

#[test]
fn every_kind_round_trips() {
    for l in listings() {
        let bytes = encode(l.rows(), 42);
        assert_eq!(decode(&bytes), Some((l, 42)));
    }
}

#[test]
fn a_sha256_digest_takes_its_raw_bytes() {
    let bytes = encode(Rows::Images(&(0..1000).map(image).collect::<Vec<_>>()), 0);
    // Digest 33, tags ~10, size 2, time 5, media 2: far below the 71-character digest alone.
    assert!(bytes.len() < 1000 * 60, "{} bytes", bytes.len());
}

#[test]
fn rows_are_written_in_the_order_given_and_digests_decode_exactly() {
    let mut rows: Vec<ImageRow> = (0..3).map(image).collect();
    rows[1].image_digest = format!("sha256:{}", "0123456789abcdef".repeat(4)).into();
    let bytes = encode_in(Rows::Images(&rows), Some(&[2, 0, 1]), 7);
    let want = vec![rows[2].clone(), rows[0].clone(), rows[1].clone()];
    assert_eq!(decode(&bytes), Some((Listing::Images(want), 7)));
    // An order that is not one index per row is not followed: every row is still written.
    let bytes = encode_in(Rows::Images(&rows), Some(&[0]), 7);
    assert_eq!(decode(&bytes), Some((Listing::Images(rows), 7)));
}

#[test]
fn truncated_or_damaged_files_decode_to_nothing() {
    for l in listings() {
        let bytes = encode(l.rows(), 7);
        for n in 0..bytes.len() {
            assert_eq!(decode(&bytes[..n]), None, "truncated at {n}");
        }
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x41;
            assert_eq!(decode(&b), None, "byte {i} flipped");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode(&longer), None);
    }
}

#[test]
fn another_version_is_ignored() {
    let mut bytes = encode(listings()[1].rows(), 0);
    bytes[6] = format::VERSION + 1;
    assert_eq!(decode(&bytes), None);
}

fn key(profile: &str, repo: &str) -> Key {
    Key {
        kind: "images",
        scope: Scope {
            endpoint: None,
            profile: profile.into(),
            region: "us-east-1".into(),
            identity: String::new(),
        },
        registry: "123456789012".into(),
        repo: repo.into(),
    }
}

#[test]
fn keys_differ_in_every_field() {
    let a = key("a", "r");
    let mut names = vec![
        a.file_name(),
        key("b", "r").file_name(),
        key("a", "s").file_name(),
    ];
    let mut k = a.clone();
    k.scope.endpoint = Some("http://127.0.0.1:1".into());
    names.push(k.file_name());
    let mut k = a.clone();
    k.scope.region = "eu-west-1".into();
    names.push(k.file_name());
    let mut k = a.clone();
    k.scope.identity = "x".into();
    names.push(k.file_name());
    let mut k = a.clone();
    k.registry = "210987654321".into();
    names.push(k.file_name());
    let mut k = a.clone();
    k.kind = "tags";
    names.push(k.file_name());
    // Text moved between fields is another key.
    names.push(key("ar", "").file_name());
    let n = names.len();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), n);
}

#[test]
fn store_reads_back_removes_damage_and_evicts_least_recently_used() {
    let dir = tempfile::tempdir().unwrap();
    let l = Listing::Images((0..100).map(image).collect());
    let one = encode(l.rows(), 1).len() as u64;
    let store = Store::new(dir.path().join("c"), one * 2 + one / 2);
    let (a, b, c) = (key("p", "a"), key("p", "b"), key("p", "c"));
    assert_eq!(store.read(&a), None, "nothing cached yet");
    store.write(&a, &l, 1).unwrap();
    store.write(&b, &l, 2).unwrap();
    // Make `a` the most recently used, so `b` goes first.
    let old = SystemTime::now() - std::time::Duration::from_secs(60);
    for k in [&a, &b] {
        fs::OpenOptions::new()
            .write(true)
            .open(store.path(k))
            .unwrap()
            .set_modified(old)
            .unwrap();
    }
    assert_eq!(store.read(&a).unwrap().saved_at, 1);
    store.write(&c, &l, 3).unwrap();
    assert!(store.read(&b).is_none(), "least recently used evicted");
    assert!(store.read(&a).is_some() && store.read(&c).is_some());

    fs::write(store.path(&a), b"ECRPLC garbage").unwrap();
    assert_eq!(store.read(&a), None);
    assert!(!store.path(&a).exists(), "a damaged file is removed");
}
