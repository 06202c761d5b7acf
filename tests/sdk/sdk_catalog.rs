//! Get/PutRepositoryCatalogData through the real SDK: every field, the model's limits, the logo
//! blob served back as a logoUrl, and a put replacing the whole catalog.

use crate::support::common::*;
use aws_sdk_ecrpublic::primitives::Blob;
use aws_sdk_ecrpublic::types::RepositoryCatalogDataInput;

fn put(
    c: &aws_sdk_ecrpublic::Client,
    repo: &str,
    cat: RepositoryCatalogDataInput,
) -> aws_sdk_ecrpublic::operation::put_repository_catalog_data::builders::PutRepositoryCatalogDataFluentBuilder
{
    c.put_repository_catalog_data()
        .repository_name(repo)
        .catalog_data(cat)
}

/// A small PNG-looking payload (signature plus filler) of exactly `len` bytes.
fn logo(len: usize) -> Vec<u8> {
    let mut v = vec![0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];
    v.extend((0..len.saturating_sub(8)).map(|i| (i % 251) as u8));
    v.truncate(len);
    v
}

#[tokio::test(flavor = "multi_thread")]
async fn put_and_get_every_field() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "cat").await;
    let about = "# Title\n\n- a\n- b\n\n```sh\necho hi\n```\n| a | b |\n|---|---|\n| 1 | 2 |\n";
    let cat = RepositoryCatalogDataInput::builder()
        .description("Short description")
        .about_text(about)
        .usage_text("## Usage\n`docker run`")
        .architectures("ARM")
        .architectures("ARM 64")
        .architectures("x86")
        .architectures("x86-64")
        .operating_systems("Linux")
        .operating_systems("Windows")
        .logo_image_blob(Blob::new(logo(64)))
        .build();
    let out = ok(put(&c, "cat", cat).send().await);
    let cd = out.catalog_data().expect("catalogData");
    assert_eq!(cd.description(), Some("Short description"));
    assert_eq!(cd.about_text(), Some(about));
    assert_eq!(cd.usage_text(), Some("## Usage\n`docker run`"));
    assert_eq!(cd.architectures(), ["ARM", "ARM 64", "x86", "x86-64"]);
    assert_eq!(cd.operating_systems(), ["Linux", "Windows"]);
    assert!(cd.logo_url().is_some_and(|u| !u.is_empty()));

    let got = ok(c
        .get_repository_catalog_data()
        .repository_name("cat")
        .send()
        .await);
    let g = got.catalog_data().expect("catalogData");
    assert_eq!(g.description(), cd.description());
    assert_eq!(g.about_text(), cd.about_text());
    assert_eq!(g.usage_text(), cd.usage_text());
    assert_eq!(g.architectures(), cd.architectures());
    assert_eq!(g.operating_systems(), cd.operating_systems());
    assert_eq!(g.logo_url(), cd.logo_url());
    assert_ne!(
        g.marketplace_certified(),
        Some(true),
        "an ordinary repository is not marketplace certified"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn logo_url_serves_the_uploaded_bytes() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "logo").await;
    let bytes = logo(5000);
    let out = ok(put(
        &c,
        "logo",
        RepositoryCatalogDataInput::builder()
            .logo_image_blob(Blob::new(bytes.clone()))
            .build(),
    )
    .send()
    .await);
    let url = out
        .catalog_data()
        .and_then(|d| d.logo_url())
        .expect("logoUrl")
        .to_string();
    assert!(url.len() <= 2048, "ResourceUrl max 2048");
    assert!(
        url.starts_with(&emu.url()),
        "the logo is served by the emulator: {url}"
    );
    let (status, body) = http_get(&url).await;
    assert_eq!(status, 200);
    assert_eq!(body, bytes, "the logo URL returns the uploaded bytes");
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn catalog_text_limits() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "lim").await;
    // At the limits: accepted.
    let out = ok(put(
        &c,
        "lim",
        RepositoryCatalogDataInput::builder()
            .description("d".repeat(1024))
            .about_text("a".repeat(25_600))
            .usage_text("u".repeat(25_600))
            .build(),
    )
    .send()
    .await);
    let cd = out.catalog_data().unwrap();
    assert_eq!(cd.description().map(str::len), Some(1024));
    assert_eq!(cd.about_text().map(str::len), Some(25_600));
    assert_eq!(cd.usage_text().map(str::len), Some(25_600));

    // One over each limit: refused with the modelled error.
    let over = [
        RepositoryCatalogDataInput::builder()
            .description("d".repeat(1025))
            .build(),
        RepositoryCatalogDataInput::builder()
            .about_text("a".repeat(25_601))
            .build(),
        RepositoryCatalogDataInput::builder()
            .usage_text("u".repeat(25_601))
            .build(),
    ];
    for (i, cat) in over.into_iter().enumerate() {
        assert_eq!(
            err_code(put(&c, "lim", cat).send().await),
            "InvalidParameterException",
            "case {i}"
        );
    }
    // A refused put changes nothing.
    let got = ok(c
        .get_repository_catalog_data()
        .repository_name("lim")
        .send()
        .await);
    assert_eq!(
        got.catalog_data()
            .and_then(|d| d.description())
            .map(str::len),
        Some(1024)
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn catalog_logo_limit() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "biglogo").await;
    let out = ok(put(
        &c,
        "biglogo",
        RepositoryCatalogDataInput::builder()
            .logo_image_blob(Blob::new(logo(512_000)))
            .build(),
    )
    .send()
    .await);
    let url = out.catalog_data().and_then(|d| d.logo_url()).unwrap();
    let (status, body) = http_get(url).await;
    assert_eq!((status, body.len()), (200, 512_000));
    assert_eq!(
        err_code(
            put(
                &c,
                "biglogo",
                RepositoryCatalogDataInput::builder()
                    .logo_image_blob(Blob::new(logo(512_001)))
                    .build(),
            )
            .send()
            .await
        ),
        "InvalidParameterException"
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn catalog_architecture_and_os_lists() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "lists").await;
    // 50 items of 50 characters each: accepted.
    let mut b = RepositoryCatalogDataInput::builder();
    for i in 0..50 {
        b = b.architectures(format!("{i:0>50}"));
    }
    let out = ok(put(&c, "lists", b.build()).send().await);
    assert_eq!(out.catalog_data().unwrap().architectures().len(), 50);

    let mut too_many = RepositoryCatalogDataInput::builder();
    for i in 0..51 {
        too_many = too_many.operating_systems(format!("os{i}"));
    }
    let cases = [
        too_many.build(),
        RepositoryCatalogDataInput::builder()
            .architectures("x".repeat(51))
            .build(),
        RepositoryCatalogDataInput::builder()
            .operating_systems("")
            .build(),
    ];
    for (i, cat) in cases.into_iter().enumerate() {
        assert_eq!(
            err_code(put(&c, "lists", cat).send().await),
            "InvalidParameterException",
            "case {i}"
        );
    }
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn put_replaces_the_whole_catalog() {
    let (emu, c) = start_empty().await;
    create_repo(&c, "rep").await;
    ok(put(
        &c,
        "rep",
        RepositoryCatalogDataInput::builder()
            .description("first")
            .about_text("about")
            .usage_text("usage")
            .architectures("ARM")
            .operating_systems("Linux")
            .build(),
    )
    .send()
    .await);
    ok(put(
        &c,
        "rep",
        RepositoryCatalogDataInput::builder()
            .description("second")
            .build(),
    )
    .send()
    .await);
    let got = ok(c
        .get_repository_catalog_data()
        .repository_name("rep")
        .send()
        .await);
    let g = got.catalog_data().expect("catalogData");
    assert_eq!(g.description(), Some("second"));
    assert_eq!(g.about_text().unwrap_or(""), "");
    assert_eq!(g.usage_text().unwrap_or(""), "");
    assert!(g.architectures().is_empty());
    assert!(g.operating_systems().is_empty());
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn catalog_errors() {
    let (emu, c) = start_empty().await;
    assert_eq!(
        err_code(
            c.get_repository_catalog_data()
                .repository_name("nope")
                .send()
                .await
        ),
        "RepositoryNotFoundException"
    );
    assert_eq!(
        err_code(
            put(
                &c,
                "nope",
                RepositoryCatalogDataInput::builder()
                    .description("x")
                    .build()
            )
            .send()
            .await
        ),
        "RepositoryNotFoundException"
    );
    // A repository that never had catalog data: either an empty catalog or the modelled
    // RepositoryCatalogDataNotFoundException, never another error.
    create_repo(&c, "bare").await;
    match c
        .get_repository_catalog_data()
        .repository_name("bare")
        .send()
        .await
    {
        Ok(out) => {
            let d = out.catalog_data();
            assert!(d.and_then(|d| d.description()).unwrap_or("").is_empty());
        }
        Err(e) => assert_eq!(
            err_code::<(), _, _>(Err(e)),
            "RepositoryCatalogDataNotFoundException"
        ),
    }
    emu.shutdown().await;
}
