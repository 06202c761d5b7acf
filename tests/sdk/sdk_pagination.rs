//! Pagination of DescribeRegistries/Repositories/Images/ImageTags through the real SDK: maxResults
//! bounds, the default page size, no duplicates or gaps, tokens that survive deletions, garbage
//! tokens, the SDK's paginators and ecrp's own paged streams.

use std::collections::BTreeSet;

use crate::support::common::*;
use aws_sdk_ecrpublic::Client;
use ecrp::aws::{Api, collect_all};
use futures::StreamExt;

/// Walk DescribeRepositories by hand with `max`; returns every page's names.
async fn repo_pages(c: &Client, max: Option<i32>, start: Option<String>) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut token = start;
    loop {
        let out = ok(c
            .describe_repositories()
            .set_max_results(max)
            .set_next_token(token.clone())
            .send()
            .await);
        pages.push(
            out.repositories()
                .iter()
                .filter_map(|r| r.repository_name().map(str::to_string))
                .collect(),
        );
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return pages;
        }
        assert!(pages.len() < 10_000, "pagination does not end");
    }
}

/// Walk DescribeImages by hand; returns every page's digests.
async fn image_pages(c: &Client, repo: &str, max: i32, start: Option<String>) -> Vec<Vec<String>> {
    let mut pages = Vec::new();
    let mut token = start;
    loop {
        let out = ok(c
            .describe_images()
            .repository_name(repo)
            .max_results(max)
            .set_next_token(token.clone())
            .send()
            .await);
        pages.push(
            out.image_details()
                .iter()
                .filter_map(|d| d.image_digest().map(str::to_string))
                .collect(),
        );
        token = out.next_token().map(str::to_string);
        if token.is_none() {
            return pages;
        }
        assert!(pages.len() < 10_000, "pagination does not end");
    }
}

/// Every page but the last is full, the last is not empty unless it is the only one, and the
/// union has `total` distinct items.
fn check_pages(pages: &[Vec<String>], max: usize, total: usize) {
    let (last, full) = pages.split_last().expect("at least one page");
    for (i, p) in full.iter().enumerate() {
        assert_eq!(p.len(), max, "page {} is full", i + 1);
    }
    assert!(last.len() <= max);
    assert!(pages.len() == 1 || !last.is_empty(), "no empty last page");
    let all: Vec<&String> = pages.iter().flatten().collect();
    let distinct: BTreeSet<&String> = all.iter().copied().collect();
    assert_eq!(all.len(), distinct.len(), "no duplicates across pages");
    assert_eq!(distinct.len(), total, "no gaps: every item once");
}

#[tokio::test(flavor = "multi_thread")]
async fn repositories_max_results_and_default_page() {
    let (emu, c) = start_empty().await;
    for i in 0..105 {
        create_repo(&c, &format!("repo-{i:03}")).await;
    }
    for max in [1, 7, 100, 1000] {
        let pages = repo_pages(&c, Some(max), None).await;
        check_pages(&pages, max as usize, 105);
        assert_eq!(pages.len(), 105usize.div_ceil(max as usize), "max {max}");
    }
    // Without maxResults: pages of up to 100.
    let pages = repo_pages(&c, None, None).await;
    check_pages(&pages, 100, 105);
    assert_eq!(pages.len(), 2);

    for bad in [0, 1001] {
        assert_eq!(
            err_code(c.describe_repositories().max_results(bad).send().await),
            "InvalidParameterException",
            "maxResults {bad}"
        );
    }
    for bad in ["garbage", "AAAA", "eyJub3QiOiJ5b3VycyJ9"] {
        assert_eq!(
            err_code(c.describe_repositories().next_token(bad).send().await),
            "InvalidParameterException",
            "token {bad}"
        );
    }
    // The SDK's paginator walks everything.
    let all = ok(c
        .describe_repositories()
        .into_paginator()
        .page_size(9)
        .items()
        .send()
        .try_collect()
        .await);
    assert_eq!(all.len(), 105);
    // ecrp's own stream too.
    let api = Api::new(c.clone(), true);
    let rows = collect_all(api.repositories(None)).await.expect("all rows");
    assert_eq!(rows.len(), 105);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn repository_token_survives_deletions() {
    let (emu, c) = start_empty().await;
    for i in 0..25 {
        create_repo(&c, &format!("r{i:02}")).await;
    }
    let full: Vec<String> = repo_pages(&c, Some(5), None)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(full.len(), 25);

    let first = ok(c.describe_repositories().max_results(5).send().await);
    let page1: Vec<String> = first
        .repositories()
        .iter()
        .filter_map(|r| r.repository_name().map(str::to_string))
        .collect();
    assert_eq!(page1, full[..5], "the same first page twice");
    let token = first.next_token().expect("a token").to_string();

    // Delete the item the token points after, one before it, the next one and a later one.
    for name in [&full[4], &full[0], &full[5], &full[17]] {
        ok(c.delete_repository().repository_name(name).send().await);
    }
    let rest: Vec<String> = repo_pages(&c, Some(5), Some(token))
        .await
        .into_iter()
        .flatten()
        .collect();
    let want: Vec<String> = full[6..]
        .iter()
        .filter(|n| *n != &full[17])
        .cloned()
        .collect();
    assert_eq!(rest, want, "continues after the deleted key, no gaps");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn images_and_tags_pages_on_synthetic_repository() {
    let (emu, c) = start_synthetic("syn", 1500).await;
    // Default page: up to 100.
    let out = ok(c.describe_images().repository_name("syn").send().await);
    assert_eq!(out.image_details().len(), 100);
    assert!(out.next_token().is_some());
    let out = ok(c.describe_image_tags().repository_name("syn").send().await);
    assert_eq!(out.image_tag_details().len(), 100);
    assert!(out.next_token().is_some());

    // 1 and 1,000 are honoured.
    let one = ok(c
        .describe_images()
        .repository_name("syn")
        .max_results(1)
        .send()
        .await);
    assert_eq!(one.image_details().len(), 1);
    assert!(one.next_token().is_some());
    let pages = image_pages(&c, "syn", 1000, None).await;
    check_pages(&pages, 1000, 1500);
    assert_eq!(pages.len(), 2);
    let pages = image_pages(&c, "syn", 333, None).await;
    check_pages(&pages, 333, 1500);

    for bad in [0, 1001] {
        assert_eq!(
            err_code(
                c.describe_images()
                    .repository_name("syn")
                    .max_results(bad)
                    .send()
                    .await
            ),
            "InvalidParameterException"
        );
        assert_eq!(
            err_code(
                c.describe_image_tags()
                    .repository_name("syn")
                    .max_results(bad)
                    .send()
                    .await
            ),
            "InvalidParameterException"
        );
    }
    assert_eq!(
        err_code(
            c.describe_images()
                .repository_name("syn")
                .next_token("garbage")
                .send()
                .await
        ),
        "InvalidParameterException"
    );
    assert_eq!(
        err_code(
            c.describe_image_tags()
                .repository_name("syn")
                .next_token("garbage")
                .send()
                .await
        ),
        "InvalidParameterException"
    );

    // The SDK paginators walk everything, without duplicates.
    let imgs = ok(c
        .describe_images()
        .repository_name("syn")
        .into_paginator()
        .page_size(250)
        .items()
        .send()
        .try_collect()
        .await);
    let digests: BTreeSet<_> = imgs.iter().filter_map(|d| d.image_digest()).collect();
    assert_eq!((imgs.len(), digests.len()), (1500, 1500));
    assert!(
        imgs.iter().all(|d| !d.image_tags().is_empty()),
        "synthetic images are tagged"
    );
    let tags = ok(c
        .describe_image_tags()
        .repository_name("syn")
        .into_paginator()
        .page_size(1000)
        .items()
        .send()
        .try_collect()
        .await);
    let names: BTreeSet<_> = tags.iter().filter_map(|t| t.image_tag()).collect();
    assert_eq!(names.len(), tags.len(), "no tag twice");
    let total_tags: usize = imgs.iter().map(|d| d.image_tags().len()).sum();
    assert_eq!(tags.len(), total_tags, "one tag detail per tag");

    // ecrp's paged streams: 1,000 per page.
    let api = Api::new(c.clone(), true);
    let mut stream = api.images("syn", None);
    let mut sizes = Vec::new();
    while let Some(page) = stream.next().await {
        sizes.push(page.expect("page").rows.len());
    }
    assert_eq!(sizes, [1000, 500]);
    let rows = collect_all(api.image_tags("syn", None))
        .await
        .expect("tags");
    assert_eq!(rows.len(), total_tags);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn image_token_survives_deletions() {
    let (emu, c) = start_synthetic("syn", 60).await;
    let full: Vec<String> = image_pages(&c, "syn", 10, None)
        .await
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(full.len(), 60);
    let first = ok(c
        .describe_images()
        .repository_name("syn")
        .max_results(10)
        .send()
        .await);
    let token = first.next_token().expect("token").to_string();
    let mut del = c.batch_delete_image().repository_name("syn");
    for d in [&full[9], &full[0], &full[10], &full[41]] {
        del = del.image_ids(by_digest(d));
    }
    let out = ok(del.send().await);
    assert!(out.failures().is_empty(), "{:?}", out.failures());

    let rest: Vec<String> = image_pages(&c, "syn", 10, Some(token))
        .await
        .into_iter()
        .flatten()
        .collect();
    let want: Vec<String> = full[11..]
        .iter()
        .filter(|d| *d != &full[41])
        .cloned()
        .collect();
    assert_eq!(rest, want, "continues after the deleted key, no gaps");

    // Images added after the token was handed out do not break it either.
    let tok2 = ok(c
        .describe_images()
        .repository_name("syn")
        .max_results(5)
        .send()
        .await)
    .next_token()
    .map(str::to_string)
    .expect("token");
    push_many(&c, "syn", "late", 3).await;
    let after: Vec<String> = image_pages(&c, "syn", 5, Some(tok2))
        .await
        .into_iter()
        .flatten()
        .collect();
    let distinct: BTreeSet<&String> = after.iter().collect();
    assert_eq!(distinct.len(), after.len(), "no duplicates after an insert");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn registries_paginator() {
    let (emu, c) = start_empty().await;
    let regs = ok(c
        .describe_registries()
        .into_paginator()
        .page_size(1)
        .items()
        .send()
        .try_collect()
        .await);
    assert_eq!(regs.len(), 1);
    let api = Api::new(c.clone(), true);
    let rows = collect_all(api.registries(None)).await.expect("registries");
    assert_eq!(rows.len(), 1);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn tag_token_survives_deletions() {
    let (emu, c) = start_synthetic("syn", 40).await;
    let walk = |start: Option<String>| {
        let c = c.clone();
        async move {
            let mut names = Vec::new();
            let mut token = start;
            loop {
                let out = ok(c
                    .describe_image_tags()
                    .repository_name("syn")
                    .max_results(8)
                    .set_next_token(token.take())
                    .send()
                    .await);
                names.extend(
                    out.image_tag_details()
                        .iter()
                        .filter_map(|t| t.image_tag().map(str::to_string)),
                );
                token = out.next_token().map(str::to_string);
                if token.is_none() {
                    return names;
                }
            }
        }
    };
    let full = walk(None).await;
    let distinct: BTreeSet<&String> = full.iter().collect();
    assert_eq!(distinct.len(), full.len());
    let first = ok(c
        .describe_image_tags()
        .repository_name("syn")
        .max_results(8)
        .send()
        .await);
    let token = first.next_token().expect("token").to_string();
    // Remove the tag the token points after and the one that would come next.
    let out = ok(c
        .batch_delete_image()
        .repository_name("syn")
        .image_ids(by_tag(&full[7]))
        .image_ids(by_tag(&full[8]))
        .send()
        .await);
    assert_eq!(out.image_ids().len(), 2, "{:?}", out.failures());
    let rest = walk(Some(token)).await;
    assert_eq!(rest, full[9..], "continues after the deleted key, no gaps");
    emu.shutdown().await;
}

/// Dropping ecrp's page stream sends no further request (the emulator counts operations).
#[tokio::test(flavor = "multi_thread")]
async fn dropping_a_page_stream_stops_the_load() {
    let (emu, c) = start_synthetic("syn", 3000).await;
    let before = emu.op_counts().get("DescribeImages").copied().unwrap_or(0);
    let api = Api::new(c.clone(), true);
    let mut stream = api.images("syn", None);
    let page = stream.next().await.expect("a page").expect("ok");
    assert_eq!((page.number, page.rows.len()), (1, 1000));
    assert!(page.next_token.is_some());
    drop(stream);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let after = emu.op_counts().get("DescribeImages").copied().unwrap_or(0);
    assert_eq!(after - before, 1, "one page requested, then nothing");

    // Resuming from the page's token continues where it stopped.
    let rest = collect_all(api.images("syn", page.next_token.clone()))
        .await
        .expect("rest");
    assert_eq!(rest.len(), 2000);
    assert_eq!(
        emu.op_counts().get("DescribeImages").copied().unwrap_or(0) - before,
        3
    );
    emu.shutdown().await;
}
