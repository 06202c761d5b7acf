//! DescribeRegistries, Get/PutRegistryCatalogData and GetAuthorizationToken through the real SDK,
//! plus the shape of the demo seed.

use crate::support::common::*;
use aws_sdk_ecrpublic::types::RegistryAliasStatus;
use base64::Engine;
use ecrp::emulator::{EmulatorOptions, Seed};

#[tokio::test(flavor = "multi_thread")]
async fn describe_registries_fields() {
    let (emu, c) = start_empty().await;
    let out = ok(c.describe_registries().send().await);
    assert_eq!(
        out.registries().len(),
        1,
        "the caller has one public registry"
    );
    assert_eq!(out.next_token(), None);
    let r = &out.registries()[0];

    let id = r.registry_id();
    assert_eq!(id.len(), 12, "registry id is a 12-digit account id: {id}");
    assert!(id.chars().all(|ch| ch.is_ascii_digit()), "{id}");
    assert_eq!(
        r.registry_arn(),
        format!("arn:aws:ecr-public::{id}:registry/{id}")
    );

    assert!(!r.aliases().is_empty(), "a registry has at least one alias");
    let primary: Vec<_> = r
        .aliases()
        .iter()
        .filter(|a| a.primary_registry_alias())
        .collect();
    assert_eq!(primary.len(), 1, "exactly one primary alias");
    let alias = primary[0];
    assert_eq!(alias.status(), &RegistryAliasStatus::Active);
    assert!(alias.name().len() >= 2 && alias.name().len() <= 50);
    assert!(
        alias.name().chars().next().unwrap().is_ascii_lowercase(),
        "alias pattern starts with a letter: {}",
        alias.name()
    );
    assert_eq!(
        r.aliases()
            .iter()
            .filter(|a| a.default_registry_alias())
            .count(),
        1,
        "exactly one default alias"
    );
    assert_eq!(r.registry_uri(), format!("public.ecr.aws/{}", alias.name()));
    // `verified` is a required boolean; an empty registry is a plain (unverified) account.
    let _verified: bool = r.verified();
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_registries_max_results_bounds() {
    let (emu, c) = start_empty().await;
    let one = ok(c.describe_registries().max_results(1).send().await);
    assert_eq!(one.registries().len(), 1);
    assert_eq!(one.next_token(), None, "one registry fits in one page");
    let max = ok(c.describe_registries().max_results(1000).send().await);
    assert_eq!(max.registries().len(), 1);
    for bad in [0, 1001, -1] {
        assert_eq!(
            err_code(c.describe_registries().max_results(bad).send().await),
            "InvalidParameterException",
            "maxResults {bad}"
        );
    }
    assert_eq!(
        err_code(
            c.describe_registries()
                .next_token("not-a-token")
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn registry_catalog_data_round_trip() {
    let (emu, c) = start_empty().await;
    let before = ok(c.get_registry_catalog_data().send().await);
    assert!(before.registry_catalog_data.is_some(), "always present");

    let put = ok(c
        .put_registry_catalog_data()
        .display_name("Acme Containers")
        .send()
        .await);
    assert_eq!(
        put.registry_catalog_data().and_then(|d| d.display_name()),
        Some("Acme Containers")
    );
    let got = ok(c.get_registry_catalog_data().send().await);
    assert_eq!(
        got.registry_catalog_data().and_then(|d| d.display_name()),
        Some("Acme Containers")
    );

    // Exactly 100 characters is the limit; 101 is refused and leaves the old value.
    let hundred = "d".repeat(100);
    ok(c.put_registry_catalog_data()
        .display_name(&hundred)
        .send()
        .await);
    assert_eq!(
        err_code(
            c.put_registry_catalog_data()
                .display_name("d".repeat(101))
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    let got = ok(c.get_registry_catalog_data().send().await);
    assert_eq!(
        got.registry_catalog_data().and_then(|d| d.display_name()),
        Some(hundred.as_str())
    );

    // The minimum length is 0: an empty display name is accepted.
    let cleared = ok(c.put_registry_catalog_data().display_name("").send().await);
    assert_eq!(
        cleared
            .registry_catalog_data()
            .and_then(|d| d.display_name())
            .unwrap_or(""),
        ""
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn authorization_token_is_base64_aws_user_valid_12_hours() {
    let (emu, c) = start_empty().await;
    let out = ok(c.get_authorization_token().send().await);
    let data = out.authorization_data().expect("authorizationData");
    let token = data.authorization_token().expect("authorizationToken");
    assert!(!token.chars().any(char::is_whitespace), "pattern ^\\S+$");
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(token)
        .expect("token is base64");
    let text = String::from_utf8(decoded).expect("utf-8 user:password");
    let (user, password) = text.split_once(':').expect("user:password");
    assert_eq!(user, "AWS");
    assert!(!password.is_empty());

    let expires = data.expires_at().expect("expiresAt").secs();
    let twelve_h = now_secs() + 12 * 3600;
    assert!(
        (expires - twelve_h).abs() <= 300,
        "expires about 12 hours from now: {expires} vs {twelve_h}"
    );
    emu.shutdown().await;
}

/// The demo seed: a registry with a display name, about a dozen repositories with catalogs,
/// one repository with thousands of images, untagged and multi-arch images, policies and tags.
#[tokio::test(flavor = "multi_thread")]
async fn demo_seed_shape() {
    let (emu, c) = start_with(EmulatorOptions {
        seed: Seed::Demo,
        ..Default::default()
    })
    .await;
    let reg = registry(&c).await;
    assert!(reg.aliases().iter().any(|a| a.primary_registry_alias()));
    let name = ok(c.get_registry_catalog_data().send().await)
        .registry_catalog_data
        .and_then(|d| d.display_name)
        .unwrap_or_default();
    assert!(!name.is_empty(), "the demo registry has a display name");

    let repos = ok(c
        .describe_repositories()
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await);
    assert!(
        (10..=20).contains(&repos.len()),
        "about a dozen repositories, got {}",
        repos.len()
    );

    let (mut biggest, mut untagged, mut indexes, mut policies, mut tagged_repos) = (0, 0, 0, 0, 0);
    let (mut described, mut with_about, mut with_arch) = (0, 0, 0);
    let mut logos = Vec::new();
    for r in &repos {
        let name = r.repository_name().expect("name");
        let cat = ok(c
            .get_repository_catalog_data()
            .repository_name(name)
            .send()
            .await);
        if let Some(cat) = cat.catalog_data() {
            described += usize::from(cat.description().is_some_and(|d| !d.is_empty()));
            with_about += usize::from(cat.about_text().is_some_and(|a| a.contains("# ")));
            with_arch += usize::from(!cat.architectures().is_empty());
            logos.extend(cat.logo_url().map(str::to_string));
        }
        let images = ok(c
            .describe_images()
            .repository_name(name)
            .max_results(1000)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await);
        biggest = biggest.max(images.len());
        untagged += images.iter().filter(|i| i.image_tags().is_empty()).count();
        indexes += images
            .iter()
            .filter(|i| {
                matches!(
                    i.image_manifest_media_type(),
                    Some(OCI_INDEX) | Some(DOCKER_LIST)
                )
            })
            .count();
        if c.get_repository_policy()
            .repository_name(name)
            .send()
            .await
            .is_ok()
        {
            policies += 1;
        }
        let tags = ok(c
            .list_tags_for_resource()
            .resource_arn(r.repository_arn().expect("arn"))
            .send()
            .await);
        if !tags.tags().is_empty() {
            tagged_repos += 1;
        }
    }
    // Rich catalogs on (nearly) every repository; a bare one or two is realistic.
    assert!(
        described >= 10,
        "{described} repositories have a description"
    );
    assert!(
        with_about >= 10,
        "{with_about} have about text with headings"
    );
    assert!(with_arch >= 10, "{with_arch} list architectures");
    assert!(!logos.is_empty(), "demo repositories have logos");
    for url in &logos {
        let (status, body) = http_get(url).await;
        assert_eq!(status, 200, "{url}");
        assert!(!body.is_empty(), "{url} serves the logo bytes");
    }
    assert!(
        biggest >= 1000,
        "one repository has thousands of images ({biggest})"
    );
    assert!(untagged > 0, "some images are untagged");
    assert!(indexes > 0, "some images are multi-arch indexes");
    assert!(policies > 0, "some repositories have policies");
    assert!(tagged_repos > 0, "some repositories have resource tags");
    emu.shutdown().await;
}
