//! Set/Get/DeleteRepositoryPolicy and Tag/Untag/ListTagsForResource through the real SDK.

use crate::support::common::*;
use aws_sdk_ecrpublic::Client;

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"AllowPush","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":["ecr-public:PutImage"]}]}"#;

/// A syntactically valid policy document of exactly `len` bytes (padding in the Sid).
fn policy_of_len(len: usize) -> String {
    let head = r#"{"Version":"2012-10-17","Statement":[{"Sid":""#;
    let tail = r#"","Effect":"Allow","Principal":"*","Action":["ecr-public:BatchCheckLayerAvailability"]}]}"#;
    let pad = len - head.len() - tail.len();
    let s = format!("{head}{}{tail}", "P".repeat(pad));
    assert_eq!(s.len(), len);
    serde_json::from_str::<serde_json::Value>(&s).expect("valid JSON");
    s
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_set_get_delete() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "pol").await;
    let id = registry(&c).await.registry_id().to_string();

    assert_eq!(
        err_code(
            c.get_repository_policy()
                .repository_name("pol")
                .send()
                .await
        ),
        "RepositoryPolicyNotFoundException",
        "a new repository has no policy"
    );

    let set = ok(c
        .set_repository_policy()
        .repository_name("pol")
        .policy_text(POLICY)
        .send()
        .await);
    assert_eq!(set.repository_name(), Some("pol"));
    assert_eq!(set.registry_id(), Some(id.as_str()));
    let set_json: serde_json::Value = serde_json::from_str(set.policy_text().unwrap()).unwrap();
    assert_eq!(
        set_json,
        serde_json::from_str::<serde_json::Value>(POLICY).unwrap()
    );

    let got = ok(c
        .get_repository_policy()
        .repository_name("pol")
        .send()
        .await);
    assert_eq!(got.repository_name(), Some("pol"));
    assert_eq!(got.registry_id(), Some(id.as_str()));
    let got_json: serde_json::Value = serde_json::from_str(got.policy_text().unwrap()).unwrap();
    assert_eq!(got_json, set_json);

    // Replacing the policy (force is accepted too).
    let other = policy_of_len(300);
    ok(c.set_repository_policy()
        .repository_name("pol")
        .policy_text(&other)
        .force(true)
        .send()
        .await);
    let got = ok(c
        .get_repository_policy()
        .repository_name("pol")
        .send()
        .await);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(got.policy_text().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(&other).unwrap()
    );

    let del = ok(c
        .delete_repository_policy()
        .repository_name("pol")
        .send()
        .await);
    assert_eq!(del.repository_name(), Some("pol"));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(del.policy_text().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(&other).unwrap(),
        "delete returns the policy it removed"
    );
    assert_eq!(
        err_code(
            c.get_repository_policy()
                .repository_name("pol")
                .send()
                .await
        ),
        "RepositoryPolicyNotFoundException"
    );
    assert_eq!(
        err_code(
            c.delete_repository_policy()
                .repository_name("pol")
                .send()
                .await
        ),
        "RepositoryPolicyNotFoundException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_validation() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "pv").await;
    for bad in ["{not json", "", "[1, 2", "{\"Version\": }"] {
        assert_eq!(
            err_code(
                c.set_repository_policy()
                    .repository_name("pv")
                    .policy_text(bad)
                    .send()
                    .await
            ),
            "InvalidParameterException",
            "policy {bad:?}"
        );
    }
    // 10,240 bytes is the limit.
    ok(c.set_repository_policy()
        .repository_name("pv")
        .policy_text(policy_of_len(10_240))
        .send()
        .await);
    assert_eq!(
        err_code(
            c.set_repository_policy()
                .repository_name("pv")
                .policy_text(policy_of_len(10_241))
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    let got = ok(c.get_repository_policy().repository_name("pv").send().await);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(got.policy_text().unwrap()).unwrap(),
        serde_json::from_str::<serde_json::Value>(&policy_of_len(10_240)).unwrap(),
        "refused puts leave the previous policy"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn policy_on_missing_repository() {
    let (emu, c) = start_empty().await;
    assert_eq!(
        err_code(
            c.set_repository_policy()
                .repository_name("none")
                .policy_text(POLICY)
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(
            c.get_repository_policy()
                .repository_name("none")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(
            c.delete_repository_policy()
                .repository_name("none")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    emu.shutdown().await;
}

async fn tags_of(c: &Client, arn: &str) -> Vec<(String, String)> {
    let out = ok(c.list_tags_for_resource().resource_arn(arn).send().await);
    let mut v: Vec<(String, String)> = out
        .tags()
        .iter()
        .map(|t| {
            (
                t.key().unwrap_or_default().to_string(),
                t.value().unwrap_or_default().to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

fn pair(k: &str, v: &str) -> (String, String) {
    (k.to_string(), v.to_string())
}

#[tokio::test(flavor = "multi_thread")]
async fn tag_list_untag() {
    let (emu, c) = start_empty().await;
    let repo = create_repo(&c, "tagged").await;
    let arn = repo.repository_arn().unwrap().to_string();
    assert!(tags_of(&c, &arn).await.is_empty());

    ok(c.tag_resource()
        .resource_arn(&arn)
        .tags(tag("team", "a"))
        .tags(tag("env", "prod"))
        .send()
        .await);
    assert_eq!(
        tags_of(&c, &arn).await,
        [pair("env", "prod"), pair("team", "a")]
    );

    // Tagging again adds new keys, overwrites the value of an existing key, keeps the others.
    ok(c.tag_resource()
        .resource_arn(&arn)
        .tags(tag("team", "b"))
        .tags(tag("cost", ""))
        .send()
        .await);
    assert_eq!(
        tags_of(&c, &arn).await,
        [pair("cost", ""), pair("env", "prod"), pair("team", "b")]
    );

    // Untag removes the listed keys; an absent key is not an error.
    ok(c.untag_resource()
        .resource_arn(&arn)
        .tag_keys("env")
        .tag_keys("absent")
        .send()
        .await);
    assert_eq!(
        tags_of(&c, &arn).await,
        [pair("cost", ""), pair("team", "b")]
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tag_limits() {
    let (emu, c) = start_empty().await;
    let arn = create_repo(&c, "limits")
        .await
        .repository_arn()
        .unwrap()
        .to_string();

    // Key 128 and value 256 characters are the limits.
    ok(c.tag_resource()
        .resource_arn(&arn)
        .tags(tag(&"k".repeat(128), &"v".repeat(256)))
        .send()
        .await);
    for (k, v) in [
        ("k".repeat(129), "v".to_string()),
        ("k".into(), "v".repeat(257)),
    ] {
        assert_eq!(
            err_code(
                c.tag_resource()
                    .resource_arn(&arn)
                    .tags(tag(&k, &v))
                    .send()
                    .await
            ),
            "InvalidTagParameterException",
            "key {} value {}",
            k.len(),
            v.len()
        );
    }
    assert_eq!(
        err_code(
            c.tag_resource()
                .resource_arn(&arn)
                .tags(tag("", "v"))
                .send()
                .await
        ),
        "InvalidTagParameterException",
        "an empty key"
    );

    assert_eq!(
        err_code(
            c.untag_resource()
                .resource_arn(&arn)
                .tag_keys("k".repeat(129))
                .send()
                .await
        ),
        "InvalidTagParameterException",
        "untag with a key over 128"
    );

    // Fill up to 50 tags in total, then one more is refused.
    let mut req = c.tag_resource().resource_arn(&arn);
    for i in 0..49 {
        req = req.tags(tag(&format!("t{i:02}"), "x"));
    }
    ok(req.send().await);
    assert_eq!(tags_of(&c, &arn).await.len(), 50);
    assert_eq!(
        err_code(
            c.tag_resource()
                .resource_arn(&arn)
                .tags(tag("one-too-many", "x"))
                .send()
                .await
        ),
        "TooManyTagsException"
    );
    assert_eq!(
        tags_of(&c, &arn).await.len(),
        50,
        "a refused tag adds nothing"
    );
    // Overwriting an existing key at the limit is fine (the count does not grow).
    ok(c.tag_resource()
        .resource_arn(&arn)
        .tags(tag("t00", "changed"))
        .send()
        .await);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tag_unknown_and_malformed_arn() {
    let (emu, c) = start_empty().await;
    let id = registry(&c).await.registry_id().to_string();
    let missing = format!("arn:aws:ecr-public::{id}:repository/missing");
    assert_eq!(
        err_code(
            c.list_tags_for_resource()
                .resource_arn(&missing)
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(
            c.tag_resource()
                .resource_arn(&missing)
                .tags(tag("a", "b"))
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(
            c.untag_resource()
                .resource_arn(&missing)
                .tag_keys("a")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    for bad in ["not-an-arn", "arn:aws:s3:::bucket"] {
        assert_eq!(
            err_code(c.list_tags_for_resource().resource_arn(bad).send().await),
            "InvalidParameterException",
            "arn {bad}"
        );
    }
    emu.shutdown().await;
}

/// A policy that would stop anyone from setting the policy again must be forced.
#[tokio::test(flavor = "multi_thread")]
async fn lockout_policy_needs_force() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "locked").await;
    for action in [
        r#""ecr-public:SetRepositoryPolicy""#,
        r#"["ecr-public:*"]"#,
        r#""*""#,
    ] {
        let deny = format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"deny","Effect":"Deny","Principal":"*","Action":{action}}}]}}"#
        );
        assert_eq!(
            err_code(
                c.set_repository_policy()
                    .repository_name("locked")
                    .policy_text(&deny)
                    .send()
                    .await
            ),
            "InvalidParameterException",
            "unforced lockout {action}"
        );
        assert_eq!(
            err_code(
                c.get_repository_policy()
                    .repository_name("locked")
                    .send()
                    .await
            ),
            "RepositoryPolicyNotFoundException",
            "a refused policy is not stored"
        );
    }
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"deny","Effect":"Deny","Principal":"*","Action":"ecr-public:SetRepositoryPolicy"}]}"#;
    ok(c.set_repository_policy()
        .repository_name("locked")
        .policy_text(deny)
        .force(true)
        .send()
        .await);
    let got = ok(c
        .get_repository_policy()
        .repository_name("locked")
        .send()
        .await);
    assert!(got.policy_text().unwrap().contains("Deny"));
    emu.shutdown().await;
}

/// A tag's Value is optional (model and reference): CreateRepository and TagResource accept a tag
/// with only a key, and it reads back with an empty value.
#[tokio::test(flavor = "multi_thread")]
async fn a_tag_without_a_value_is_accepted() {
    use aws_sdk_ecrpublic::types::Tag;
    let (emu, c) = start_empty().await;
    let key_only = |k: &str| Tag::builder().key(k).build();
    let out = ok(c
        .create_repository()
        .repository_name("keyonly")
        .tags(key_only("onlykey"))
        .send()
        .await);
    let arn = out
        .repository()
        .unwrap()
        .repository_arn()
        .unwrap()
        .to_string();
    assert_eq!(tags_of(&c, &arn).await, [pair("onlykey", "")]);
    ok(c.tag_resource()
        .resource_arn(&arn)
        .tags(key_only("second"))
        .tags(tag("team", "a"))
        .send()
        .await);
    assert_eq!(
        tags_of(&c, &arn).await,
        [pair("onlykey", ""), pair("second", ""), pair("team", "a")]
    );
    // The key is still required.
    let e = c
        .tag_resource()
        .resource_arn(&arn)
        .tags(Tag::builder().value("v").build())
        .send()
        .await;
    assert_eq!(err_code(e), "InvalidTagParameterException");
    emu.shutdown().await;
}
