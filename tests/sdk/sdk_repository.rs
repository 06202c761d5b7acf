//! CreateRepository, DescribeRepositories (by name) and DeleteRepository through the real SDK.

use crate::support::common::*;
use aws_sdk_ecrpublic::types::RepositoryCatalogDataInput;

#[tokio::test(flavor = "multi_thread")]
async fn create_repository_fields() {
    let (emu, c) = start_empty().await;
    let reg = registry(&c).await;
    let id = reg.registry_id().to_string();
    let alias = reg
        .aliases()
        .iter()
        .find(|a| a.primary_registry_alias())
        .expect("primary alias")
        .name()
        .to_string();

    let before = now_secs();
    let repo = create_repo(&c, "team/web-app").await;
    assert_eq!(repo.repository_name(), Some("team/web-app"));
    assert_eq!(repo.registry_id(), Some(id.as_str()));
    assert_eq!(
        repo.repository_arn(),
        Some(format!("arn:aws:ecr-public::{id}:repository/team/web-app").as_str())
    );
    assert_eq!(
        repo.repository_uri(),
        Some(format!("public.ecr.aws/{alias}/team/web-app").as_str())
    );
    let created = repo.created_at().expect("createdAt").secs();
    assert!(
        (before - 5..=now_secs() + 5).contains(&created),
        "createdAt is now: {created}"
    );

    // DescribeRepositories by name returns the same facts.
    let out = ok(c
        .describe_repositories()
        .repository_names("team/web-app")
        .send()
        .await);
    assert_eq!(out.repositories().len(), 1);
    let d = &out.repositories()[0];
    assert_eq!(d.repository_arn(), repo.repository_arn());
    assert_eq!(d.repository_uri(), repo.repository_uri());
    assert_eq!(d.created_at().map(|t| t.secs()), Some(created));
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_repository_with_catalog_and_tags() {
    let (emu, c) = start_empty().await;
    let cat = RepositoryCatalogDataInput::builder()
        .description("A web frontend")
        .about_text("# About\nServes pages.")
        .usage_text("docker pull it")
        .architectures("x86-64")
        .architectures("ARM 64")
        .operating_systems("Linux")
        .build();
    let out = ok(c
        .create_repository()
        .repository_name("web")
        .catalog_data(cat)
        .tags(tag("team", "frontend"))
        .tags(tag("env", ""))
        .send()
        .await);
    let cd = out.catalog_data().expect("catalogData in the response");
    assert_eq!(cd.description(), Some("A web frontend"));
    assert_eq!(cd.about_text(), Some("# About\nServes pages."));
    assert_eq!(cd.usage_text(), Some("docker pull it"));
    assert_eq!(cd.architectures(), ["x86-64", "ARM 64"]);
    assert_eq!(cd.operating_systems(), ["Linux"]);

    let got = ok(c
        .get_repository_catalog_data()
        .repository_name("web")
        .send()
        .await);
    assert_eq!(
        got.catalog_data().and_then(|d| d.description()),
        Some("A web frontend")
    );

    let arn = out.repository().and_then(|r| r.repository_arn()).unwrap();
    let tags = ok(c.list_tags_for_resource().resource_arn(arn).send().await);
    let mut pairs: Vec<(String, String)> = tags
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    pairs.sort();
    assert_eq!(
        pairs,
        [
            ("env".to_string(), String::new()),
            ("team".to_string(), "frontend".to_string())
        ]
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_repository_duplicate_is_refused() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "dup").await;
    assert_eq!(
        err_code(c.create_repository().repository_name("dup").send().await),
        "RepositoryAlreadyExistsException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_repository_name_pattern_and_length() {
    let (emu, c) = start_empty().await;
    // Valid at the edges of the pattern and of the 2..=205 length bounds.
    let long_ok = format!("{}/{}", "a".repeat(100), "b".repeat(104));
    assert_eq!(long_ok.len(), 205);
    for good in ["ab", "a1", "ns/sub-name_x.y", "a.b/c_d-e", &long_ok] {
        ok(c.create_repository().repository_name(good).send().await);
    }
    let too_long = "c".repeat(206);
    for bad in [
        "a",
        "Upper",
        "-lead",
        "trail-",
        "a//b",
        "trailing/",
        "/lead",
        "sp ace",
        "a..b",
        "",
        &too_long,
    ] {
        assert_eq!(
            err_code(c.create_repository().repository_name(bad).send().await),
            "InvalidParameterException",
            "name {bad:?}"
        );
    }
    // Nothing but the good names was created.
    let all = ok(c.describe_repositories().send().await);
    assert_eq!(all.repositories().len(), 5);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn create_repository_tag_limits() {
    let (emu, c) = start_empty().await;
    let mut req = c.create_repository().repository_name("many-tags");
    for i in 0..51 {
        req = req.tags(tag(&format!("k{i}"), "v"));
    }
    assert_eq!(err_code(req.send().await), "TooManyTagsException");
    assert_eq!(
        err_code(
            c.create_repository()
                .repository_name("long-key")
                .tags(tag(&"k".repeat(129), "v"))
                .send()
                .await
        ),
        "InvalidTagParameterException"
    );
    // A refused create leaves no repository behind.
    assert_eq!(
        err_code(
            c.describe_repositories()
                .repository_names("many-tags")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    let mut req = c.create_repository().repository_name("fifty-tags");
    for i in 0..50 {
        req = req.tags(tag(&format!("k{i}"), "v"));
    }
    ok(req.send().await);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn describe_repositories_by_names() {
    let (emu, c) = start_empty().await;
    for n in ["alpha", "beta", "gamma"] {
        create_repo(&c, n).await;
    }
    let out = ok(c
        .describe_repositories()
        .repository_names("gamma")
        .repository_names("alpha")
        .send()
        .await);
    let mut names: Vec<_> = out
        .repositories()
        .iter()
        .filter_map(|r| r.repository_name())
        .collect();
    names.sort();
    assert_eq!(names, ["alpha", "gamma"]);

    assert_eq!(
        err_code(
            c.describe_repositories()
                .repository_names("alpha")
                .repository_names("missing")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    // maxResults cannot be combined with repositoryNames.
    assert_eq!(
        err_code(
            c.describe_repositories()
                .repository_names("alpha")
                .max_results(5)
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    // The list holds 1..=100 names.
    let mut req = c.describe_repositories();
    for i in 0..101 {
        req = req.repository_names(format!("r{i}"));
    }
    assert_eq!(err_code(req.send().await), "InvalidParameterException");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_repository_empty_and_missing() {
    let (emu, c) = start_empty().await;
    let created = create_repo(&c, "gone").await;
    let out = ok(c.delete_repository().repository_name("gone").send().await);
    let deleted = out.repository().expect("the deleted repository");
    assert_eq!(deleted.repository_name(), Some("gone"));
    assert_eq!(deleted.repository_arn(), created.repository_arn());
    assert_eq!(
        err_code(
            c.describe_repositories()
                .repository_names("gone")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(c.delete_repository().repository_name("gone").send().await),
        "RepositoryNotFoundException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn delete_non_empty_repository_needs_force() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "full").await;
    push_many(&c, "full", "v", 2).await;
    ok(c.set_repository_policy()
        .repository_name("full")
        .policy_text(r#"{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":"*","Action":["ecr-public:BatchCheckLayerAvailability"]}]}"#)
        .send()
        .await);
    let id = registry(&c).await.registry_id().to_string();
    let arn = format!("arn:aws:ecr-public::{id}:repository/full");
    ok(c.tag_resource()
        .resource_arn(&arn)
        .tags(tag("a", "b"))
        .send()
        .await);

    assert_eq!(
        err_code(c.delete_repository().repository_name("full").send().await),
        "RepositoryNotEmptyException"
    );
    assert_eq!(
        err_code(
            c.delete_repository()
                .repository_name("full")
                .force(false)
                .send()
                .await
        ),
        "RepositoryNotEmptyException"
    );
    // Still there, images intact.
    let imgs = ok(c.describe_images().repository_name("full").send().await);
    assert_eq!(imgs.image_details().len(), 2);

    ok(c.delete_repository()
        .repository_name("full")
        .force(true)
        .send()
        .await);
    assert_eq!(
        err_code(c.describe_images().repository_name("full").send().await),
        "RepositoryNotFoundException"
    );
    // A new repository with the same name starts clean: no images, policy or tags.
    create_repo(&c, "full").await;
    let imgs = ok(c.describe_images().repository_name("full").send().await);
    assert!(imgs.image_details().is_empty());
    assert_eq!(
        err_code(
            c.get_repository_policy()
                .repository_name("full")
                .send()
                .await
        ),
        "RepositoryPolicyNotFoundException"
    );
    let tags = ok(c.list_tags_for_resource().resource_arn(&arn).send().await);
    assert!(tags.tags().is_empty());
    emu.shutdown().await;
}

/// The optional registryId member: the caller's own id is accepted everywhere; one that breaks
/// the `[0-9]{12}` pattern is refused.
#[tokio::test(flavor = "multi_thread")]
async fn registry_id_parameter() {
    let (emu, c) = start_empty().await;
    let id = registry(&c).await.registry_id().to_string();
    create_repo(&c, "own").await;
    let out = ok(c
        .describe_repositories()
        .registry_id(&id)
        .repository_names("own")
        .send()
        .await);
    assert_eq!(out.repositories()[0].registry_id(), Some(id.as_str()));
    ok(c.describe_images()
        .registry_id(&id)
        .repository_name("own")
        .send()
        .await);
    if let Err(e) = c
        .get_repository_catalog_data()
        .registry_id(&id)
        .repository_name("own")
        .send()
        .await
    {
        assert_eq!(
            err_code::<(), _, _>(Err(e)),
            "RepositoryCatalogDataNotFoundException"
        );
    }
    let up = ok(c
        .initiate_layer_upload()
        .registry_id(&id)
        .repository_name("own")
        .send()
        .await);
    assert!(up.upload_id().is_some());
    for bad in ["abc", "12345", "1234567890123"] {
        assert_eq!(
            err_code(
                c.describe_images()
                    .registry_id(bad)
                    .repository_name("own")
                    .send()
                    .await
            ),
            "InvalidParameterException",
            "registryId {bad}"
        );
    }
    emu.shutdown().await;
}

/// The push operations (and BatchDeleteImage) take a registry id *or alias*; an unknown
/// registry there is RegistryNotFoundException where the operation models it.
#[tokio::test(flavor = "multi_thread")]
async fn registry_alias_accepted_where_modelled() {
    let (emu, c) = start_empty().await;
    let reg = registry(&c).await;
    let alias = reg
        .aliases()
        .iter()
        .find(|a| a.primary_registry_alias())
        .expect("primary alias")
        .name()
        .to_string();
    create_repo(&c, "via-alias").await;

    let up = ok(c
        .initiate_layer_upload()
        .registry_id(&alias)
        .repository_name("via-alias")
        .send()
        .await);
    let upload = up.upload_id.expect("uploadId");
    let out = ok(c
        .upload_layer_part()
        .registry_id(&alias)
        .repository_name("via-alias")
        .upload_id(&upload)
        .part_first_byte(0)
        .part_last_byte(2)
        .layer_part_blob(aws_sdk_ecrpublic::primitives::Blob::new(b"abc".to_vec()))
        .send()
        .await);
    assert_eq!(
        out.registry_id(),
        Some(reg.registry_id()),
        "responses name the registry id"
    );
    let digest = sha256_digest(b"abc");
    ok(c.complete_layer_upload()
        .registry_id(&alias)
        .repository_name("via-alias")
        .upload_id(&upload)
        .layer_digests(&digest)
        .send()
        .await);
    let check = ok(c
        .batch_check_layer_availability()
        .registry_id(&alias)
        .repository_name("via-alias")
        .layer_digests(&digest)
        .send()
        .await);
    assert_eq!(check.layers().len(), 1);
    let blobs = upload_blobs(&c, "via-alias", "alias", 1).await;
    let m = docker_manifest(&blobs, "alias");
    ok(c.put_image()
        .registry_id(&alias)
        .repository_name("via-alias")
        .image_manifest(&m)
        .image_tag("a")
        .send()
        .await);
    let del = ok(c
        .batch_delete_image()
        .registry_id(&alias)
        .repository_name("via-alias")
        .image_ids(by_tag("a"))
        .send()
        .await);
    assert_eq!(del.image_ids().len(), 1);

    // An alias nobody owns.
    assert_eq!(
        err_code(
            c.initiate_layer_upload()
                .registry_id("nosuchalias")
                .repository_name("via-alias")
                .send()
                .await
        ),
        "RegistryNotFoundException"
    );
    assert_eq!(
        err_code(
            c.put_image()
                .registry_id("nosuchalias")
                .repository_name("via-alias")
                .image_manifest(&m)
                .image_tag("b")
                .send()
                .await
        ),
        "RegistryNotFoundException"
    );
    emu.shutdown().await;
}
