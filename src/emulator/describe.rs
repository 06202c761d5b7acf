//! DescribeImages and DescribeImageTags. Images are listed newest push first (ties by digest),
//! tags by tag name; page tokens carry the last key, scoped to the repository.

use std::ops::Bound;

use serde::Serialize;
use serde_json::{Value, json};

use super::ctx::{Ctx, ts};
use super::error::{ApiError, ApiResult};
use super::image::ImageDetail;
use super::input::Input;
use super::limits::*;
use super::ops::Reply;
use super::pagination;
use super::state::{Image, Repository, State};
use super::validate::Validator;

pub struct ListArgs {
    pub repo: String,
    pub max: Option<i64>,
    pub token: Option<String>,
}

pub fn list_args(state: &State, input: &Input, v: &mut Validator) -> ApiResult<ListArgs> {
    let repo = input.str("repositoryName")?;
    let registry_id = input.str("registryId")?;
    let max = input.int("maxResults")?;
    let token = input.str("nextToken")?;
    v.required("repositoryName", &repo);
    if let Some(r) = &repo {
        v.repository_name("repositoryName", r);
    }
    if let Some(id) = &registry_id {
        v.registry_id("registryId", id);
    }
    v.max_results(max);
    let repo = repo.unwrap_or_default();
    if v.is_empty() {
        state.check_registry_id(registry_id.as_deref(), &repo)?;
    }
    Ok(ListArgs { repo, max, token })
}

/// Finds the image an ImageIdentifier names (by digest, by tag, or both agreeing).
pub fn resolve<'a>(
    repo: &'a Repository,
    digest: Option<&str>,
    tag: Option<&str>,
) -> Option<&'a Image> {
    let by_tag = tag.map(|t| repo.image_tags.get(t).map(|r| r.digest.as_str()));
    let digest = match (digest, by_tag) {
        (Some(d), Some(Some(t))) if d == t => d,
        (Some(_), Some(_)) => return None,
        (Some(d), None) => d,
        (None, Some(Some(t))) => t,
        _ => return None,
    };
    repo.images.get(digest)
}

fn image_key(i: &Image) -> String {
    format!("{}:{}", -i.pushed_ms, i.digest)
}

fn parse_image_key(key: &str) -> Option<(i64, String)> {
    let (neg, digest) = key.split_once(':')?;
    Some((neg.parse().ok()?, digest.to_string()))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ImagesPage<'a> {
    image_details: Vec<ImageDetail<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub fn describe_images(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Reply> {
    let mut v = Validator::new();
    let args = list_args(state, input, &mut v)?;
    let ids = input.obj_list("imageIds")?;
    let ids = match &ids {
        Some(ids) => {
            v.count("imageIds", ids.len(), IMAGE_IDS_MIN, IMAGE_IDS_MAX);
            Some(v.image_ids(ids)?)
        }
        None => None,
    };
    v.finish()?;
    let reg = state.registry.id.as_str();
    let repo = state.repo(&args.repo)?;
    if let Some(ids) = ids {
        if args.max.is_some() || args.token.is_some() {
            return Err(ApiError::invalid(
                "Cannot specify maxResults or nextToken together with imageIds",
            ));
        }
        let mut rows: Vec<ImageDetail> = Vec::with_capacity(ids.len());
        for (d, t) in &ids {
            let image = resolve(repo, d.as_deref(), t.as_deref()).ok_or_else(|| {
                ApiError::new(
                    "ImageNotFoundException",
                    format!(
                        "The image with imageId {{imageDigest:'{}', imageTag:'{}'}} does not exist within the repository with name '{}' in the registry with id '{reg}'",
                        d.as_deref().unwrap_or("null"),
                        t.as_deref().unwrap_or("null"),
                        args.repo
                    ),
                )
            })?;
            if !rows.iter().any(|r| r.image_digest == image.digest) {
                rows.push(ImageDetail::new(reg, &repo.name, image));
            }
        }
        return encode(&ImagesPage {
            image_details: rows,
            next_token: None,
        });
    }
    let op = "DescribeImages";
    let start = match &args.token {
        Some(t) => {
            let key = pagination::decode(t, op, &args.repo)?;
            let key =
                parse_image_key(&key).ok_or_else(|| ApiError::invalid("Invalid NextToken"))?;
            Bound::Excluded(key)
        }
        None => Bound::Unbounded,
    };
    let iter = repo
        .order
        .range((start, Bound::Unbounded))
        .filter_map(|(_, d)| repo.images.get(d));
    let (rows, next) =
        pagination::page(iter, pagination::page_size(args.max), op, &args.repo, |i| {
            image_key(i)
        });
    let page = ImagesPage {
        image_details: rows
            .into_iter()
            .map(|i| ImageDetail::new(reg, &repo.name, i))
            .collect(),
        next_token: next,
    };
    encode(&page)
}

fn encode(page: &ImagesPage) -> ApiResult<Reply> {
    serde_json::to_vec(page)
        .map(Reply::Encoded)
        .map_err(server_error)
}

fn server_error(e: serde_json::Error) -> ApiError {
    ApiError::new(
        "ServerException",
        format!("failed to encode the response: {e}"),
    )
}

pub fn describe_image_tags(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let args = list_args(state, input, &mut v)?;
    v.finish()?;
    let repo = state.repo(&args.repo)?;
    let op = "DescribeImageTags";
    let start = match &args.token {
        Some(t) => Bound::Excluded(pagination::decode(t, op, &args.repo)?),
        None => Bound::Unbounded,
    };
    let iter = repo
        .image_tags
        .range::<String, _>((start, Bound::Unbounded));
    let (rows, next) = pagination::page(
        iter,
        pagination::page_size(args.max),
        op,
        &args.repo,
        |(tag, _)| (*tag).clone(),
    );
    let details: Vec<Value> = rows
        .into_iter()
        .filter_map(|(tag, r)| {
            let i = repo.images.get(&r.digest)?;
            let mut detail = json!({
                "imageDigest": i.digest,
                "imageSizeInBytes": i.size,
                "imagePushedAt": ts(i.pushed_ms),
                "imageManifestMediaType": i.media_type,
            });
            if let Some(a) = &i.artifact_media_type {
                detail["artifactMediaType"] = a.as_str().into();
            }
            Some(json!({ "imageTag": tag, "createdAt": ts(r.created_ms), "imageDetail": detail }))
        })
        .collect();
    let mut out = json!({ "imageTagDetails": details });
    if let Some(next) = next {
        out["nextToken"] = next.into();
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use serde_json::json;
    use std::collections::HashSet;

    fn page(s: &mut super::State, op: &str, max: i64, token: Option<&str>) -> serde_json::Value {
        let mut body = json!({ "repositoryName": "app", "maxResults": max });
        if let Some(t) = token {
            body["nextToken"] = t.into();
        }
        call(s, op, body).unwrap()
    }

    #[test]
    fn images_page_newest_first_and_survive_deletes() {
        let mut s = empty();
        let tags: Vec<String> = (0..25).map(|i| format!("t{i:02}")).collect();
        let digests = repo_with_images(
            &mut s,
            "app",
            &tags.iter().map(|t| Some(t.as_str())).collect::<Vec<_>>(),
        );
        let first = page(&mut s, "DescribeImages", 10, None);
        let rows = first["imageDetails"].as_array().unwrap();
        assert_eq!(rows.len(), 10);
        assert_eq!(rows[0]["imageDigest"], digests[24], "newest push first");
        // Delete an image already seen and one not yet seen between pages.
        call(&mut s, "BatchDeleteImage", json!({ "repositoryName": "app", "imageIds": [{ "imageDigest": digests[24] }, { "imageDigest": digests[5] }] })).unwrap();
        let mut seen: HashSet<String> = rows
            .iter()
            .map(|r| r["imageDigest"].as_str().unwrap().to_string())
            .collect();
        let mut token = first["nextToken"].as_str().map(str::to_string);
        while let Some(t) = token {
            let p = page(&mut s, "DescribeImages", 10, Some(&t));
            for r in p["imageDetails"].as_array().unwrap() {
                assert!(
                    seen.insert(r["imageDigest"].as_str().unwrap().to_string()),
                    "duplicate row"
                );
            }
            token = p["nextToken"].as_str().map(str::to_string);
        }
        assert_eq!(seen.len(), 24, "every image still present was listed once");
        assert!(!seen.contains(&digests[5]));
    }

    #[test]
    fn tags_page_by_name_and_tokens_are_bound() {
        let mut s = empty();
        repo_with_images(&mut s, "app", &[Some("b"), Some("a"), Some("c")]);
        let p = page(&mut s, "DescribeImageTags", 2, None);
        let names: Vec<&str> = p["imageTagDetails"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["imageTag"].as_str().unwrap())
            .collect();
        assert_eq!(names, vec!["a", "b"]);
        assert_eq!(
            p["imageTagDetails"][0]["imageDetail"]["imageSizeInBytes"],
            11
        );
        let token = p["nextToken"].as_str().unwrap();
        assert_eq!(
            page(&mut s, "DescribeImageTags", 2, Some(token))["imageTagDetails"][0]["imageTag"],
            "c"
        );
        let e = call(
            &mut s,
            "DescribeImages",
            json!({ "repositoryName": "app", "nextToken": token }),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        let e = call(
            &mut s,
            "DescribeImages",
            json!({ "repositoryName": "app", "imageIds": [{ "imageTag": "a" }], "maxResults": 5 }),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        let e = call(
            &mut s,
            "DescribeImages",
            json!({ "repositoryName": "app", "imageIds": [{ "imageTag": "zz" }] }),
        )
        .unwrap_err();
        assert_eq!(e.code, "ImageNotFoundException");
        let found = call(
            &mut s,
            "DescribeImages",
            json!({ "repositoryName": "app", "imageIds": [{ "imageTag": "a" }] }),
        )
        .unwrap();
        assert_eq!(found["imageDetails"][0]["imageTags"], json!(["a"]));
        assert!(found.get("nextToken").is_none());
    }

    #[test]
    fn default_page_is_one_hundred() {
        let mut s = empty();
        crate::emulator::synthetic::add(&mut s, "big", 250, T0).unwrap();
        let p = call(&mut s, "DescribeImages", json!({ "repositoryName": "big" })).unwrap();
        assert_eq!(p["imageDetails"].as_array().unwrap().len(), 100);
        assert!(p["nextToken"].is_string());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever is deleted between pages, every surviving image is listed exactly once.
        #[test]
        fn paging_never_skips_or_repeats(count in 1usize..120, size in 1i64..25, deletes in proptest::collection::vec(0usize..120, 0..30)) {
            let mut s = empty();
            crate::emulator::synthetic::add(&mut s, "app", count, T0).unwrap();
            let all: Vec<String> = s.repo("app").unwrap().order.iter().map(|(_, d)| d.clone()).collect();
            let mut seen = HashSet::new();
            let mut token: Option<String> = None;
            let mut deleted = HashSet::new();
            let mut first = true;
            while first || token.is_some() {
                let p = page(&mut s, "DescribeImages", size, token.as_deref());
                for r in p["imageDetails"].as_array().unwrap() {
                    proptest::prop_assert!(seen.insert(r["imageDigest"].as_str().unwrap().to_string()));
                }
                token = p["nextToken"].as_str().map(str::to_string);
                if first {
                    for i in &deletes {
                        if let Some(d) = all.get(*i)
                            && deleted.insert(d.clone())
                        {
                            s.repo_mut("app").unwrap().remove_image(d);
                        }
                    }
                }
                first = false;
            }
            for d in &all {
                proptest::prop_assert!(seen.contains(d) || deleted.contains(d), "image {} was skipped", d);
            }
        }
    }
}
