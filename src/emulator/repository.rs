//! CreateRepository, DescribeRepositories, DeleteRepository. Repositories are listed by name.

use serde_json::{Value, json};

use super::catalog;
use super::ctx::{Ctx, ts};
use super::error::{ApiError, ApiResult};
use super::input::Input;
use super::limits::*;
use super::pagination;
use super::state::{Repository, State};
use super::tags;
use super::validate::Validator;

const OP: &str = "DescribeRepositories";

pub fn repository_json(state: &State, repo: &Repository) -> Value {
    let reg = &state.registry;
    json!({
        "repositoryArn": reg.repo_arn(&repo.name),
        "registryId": reg.id,
        "repositoryName": repo.name,
        "repositoryUri": reg.repo_uri(&repo.name),
        "createdAt": ts(repo.created_ms),
    })
}

pub fn create_repository(state: &mut State, input: &Input, ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = input.str("repositoryName")?;
    v.required("repositoryName", &name);
    if let Some(n) = &name {
        v.repository_name("repositoryName", n);
    }
    let cat_input = input.obj("catalogData")?;
    let cat = cat_input
        .as_ref()
        .map(|c| catalog::parse(c, &mut v))
        .transpose()?;
    let new_tags = tags::parse_tags(input, "tags", &mut v)?;
    v.finish()?;
    let name = name.unwrap_or_default();
    if state.repos.contains_key(&name) {
        return Err(ApiError::new(
            "RepositoryAlreadyExistsException",
            format!(
                "The repository with name '{name}' already exists in the registry with id '{}'",
                state.registry.id
            ),
        ));
    }
    ctx.quotas.check_repositories(state.repos.len())?;
    let merged = tags::merge(&[], new_tags.unwrap_or_default())?;
    let mut repo = Repository::new(name.clone(), ctx.now_ms);
    repo.tags = merged;
    state.insert_repo(repo);
    if let Some(cat) = cat {
        catalog::apply(state, &name, cat)?;
    }
    let repo = state.repo(&name)?;
    Ok(json!({
        "repository": repository_json(state, repo),
        "catalogData": catalog::catalog_json(&repo.catalog, ctx),
    }))
}

pub fn describe_repositories(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let registry_id = input.str("registryId")?;
    let names = input.str_list("repositoryNames")?;
    let max = input.int("maxResults")?;
    let token = input.str("nextToken")?;
    if let Some(id) = &registry_id {
        v.registry_id("registryId", id);
    }
    if let Some(names) = &names {
        v.count(
            "repositoryNames",
            names.len(),
            REPOSITORY_NAMES_MIN,
            REPOSITORY_NAMES_MAX,
        );
        for (i, n) in names.iter().enumerate() {
            v.repository_name(&format!("repositoryNames.{}.member", i + 1), n);
        }
    }
    v.max_results(max);
    v.finish()?;
    if let Some(names) = names {
        if max.is_some() || token.is_some() {
            return Err(ApiError::invalid(
                "Cannot specify maxResults or nextToken together with repositoryNames",
            ));
        }
        let mut names = names;
        names.sort();
        names.dedup();
        let mut rows = Vec::with_capacity(names.len());
        for n in &names {
            state.check_registry_id(registry_id.as_deref(), n)?;
            rows.push(repository_json(state, state.repo(n)?));
        }
        return Ok(json!({ "repositories": rows }));
    }
    if let Some(id) = &registry_id
        && *id != state.registry.id
    {
        // Another account's registry holds nothing we can show.
        return Ok(json!({ "repositories": [] }));
    }
    let after = token.map(|t| pagination::decode(&t, OP, "")).transpose()?;
    let iter = match &after {
        Some(a) => state
            .repos
            .range::<String, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
        None => state.repos.range::<String, _>(..),
    };
    let (rows, next) = pagination::page(
        iter.map(|(_, r)| r),
        pagination::page_size(max),
        OP,
        "",
        |r| r.name.clone(),
    );
    let mut out = json!({ "repositories": rows.iter().map(|r| repository_json(state, r)).collect::<Vec<_>>() });
    if let Some(next) = next {
        out["nextToken"] = next.into();
    }
    Ok(out)
}

pub fn delete_repository(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = input.str("repositoryName")?;
    let registry_id = input.str("registryId")?;
    let force = input.bool("force")?.unwrap_or(false);
    v.required("repositoryName", &name);
    if let Some(n) = &name {
        v.repository_name("repositoryName", n);
    }
    if let Some(id) = &registry_id {
        v.registry_id("registryId", id);
    }
    v.finish()?;
    let name = name.unwrap_or_default();
    state.check_registry_id(registry_id.as_deref(), &name)?;
    let repo = state.repo(&name)?;
    if !repo.images.is_empty() && !force {
        return Err(ApiError::new(
            "RepositoryNotEmptyException",
            format!(
                "The repository with name '{name}' in registry with id '{}' cannot be deleted because it still contains images",
                state.registry.id
            ),
        ));
    }
    let out = json!({ "repository": repository_json(state, repo) });
    state.remove_repo(&name);
    state.uploads.retain(|_, u| u.repo != name);
    catalog::collect_logos(state);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::super::testutil::*;
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    use serde_json::json;

    #[test]
    fn create_describe_delete() {
        let mut s = empty();
        let out = call(&mut s, "CreateRepository", json!({
            "repositoryName": "team/app",
            "catalogData": { "description": "d", "architectures": ["ARM 64"], "logoImageBlob": STANDARD.encode(b"\x89PNG\r\n\x1a\nxx") },
            "tags": [{ "Key": "k", "Value": "v" }],
        }))
        .unwrap();
        assert_eq!(
            out["repository"]["repositoryUri"],
            "public.ecr.aws/acme/team/app"
        );
        assert_eq!(out["repository"]["createdAt"], 1_700_000_000);
        assert!(
            out["catalogData"]["logoUrl"]
                .as_str()
                .unwrap()
                .starts_with("http://emu/logo/")
        );
        let dup = call(
            &mut s,
            "CreateRepository",
            json!({ "repositoryName": "team/app" }),
        )
        .unwrap_err();
        assert_eq!(dup.code, "RepositoryAlreadyExistsException");
        let bad = call(
            &mut s,
            "CreateRepository",
            json!({ "repositoryName": "Team" }),
        )
        .unwrap_err();
        assert!(
            bad.message.contains("regular expression pattern"),
            "{}",
            bad.message
        );
        let many: Vec<_> = (0..51)
            .map(|i| json!({ "Key": format!("k{i}"), "Value": "" }))
            .collect();
        let e = call(
            &mut s,
            "CreateRepository",
            json!({ "repositoryName": "x1", "tags": many }),
        )
        .unwrap_err();
        assert_eq!(e.code, "TooManyTagsException");
        assert!(
            !s.repos.contains_key("x1"),
            "a refused create leaves nothing behind"
        );

        let e = call(
            &mut s,
            "DescribeRepositories",
            json!({ "repositoryNames": ["team/app"], "maxResults": 5 }),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
        let e = call(
            &mut s,
            "DescribeRepositories",
            json!({ "repositoryNames": ["team/app", "missing"] }),
        )
        .unwrap_err();
        assert_eq!(e.code, "RepositoryNotFoundException");
        let found = call(
            &mut s,
            "DescribeRepositories",
            json!({ "repositoryNames": ["team/app"] }),
        )
        .unwrap();
        assert_eq!(found["repositories"][0]["repositoryName"], "team/app");

        repo_with_images(&mut s, "team/app", &[Some("v1")]);
        let e = call(
            &mut s,
            "DeleteRepository",
            json!({ "repositoryName": "team/app" }),
        )
        .unwrap_err();
        assert_eq!(e.code, "RepositoryNotEmptyException");
        call(
            &mut s,
            "DeleteRepository",
            json!({ "repositoryName": "team/app", "force": true }),
        )
        .unwrap();
        assert!(
            s.repos.is_empty() && s.logos.is_empty(),
            "repository and its unused logo are gone"
        );
    }

    #[test]
    fn repositories_page_by_name() {
        let mut s = empty();
        for n in ["c1", "a1", "b1"] {
            call(&mut s, "CreateRepository", json!({ "repositoryName": n })).unwrap();
        }
        let p = call(&mut s, "DescribeRepositories", json!({ "maxResults": 2 })).unwrap();
        assert_eq!(p["repositories"][1]["repositoryName"], "b1");
        call(
            &mut s,
            "DeleteRepository",
            json!({ "repositoryName": "b1" }),
        )
        .unwrap();
        let p = call(
            &mut s,
            "DescribeRepositories",
            json!({ "nextToken": p["nextToken"] }),
        )
        .unwrap();
        assert_eq!(
            p["repositories"],
            json!([super::repository_json(&s, s.repo("c1").unwrap())])
        );
        assert!(p.get("nextToken").is_none());
        let e = call(
            &mut s,
            "DescribeRepositories",
            json!({ "nextToken": "bm9wZQ" }),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
    }

    #[test]
    fn catalog_policy_and_tags() {
        let mut s = empty();
        call(
            &mut s,
            "CreateRepository",
            json!({ "repositoryName": "app" }),
        )
        .unwrap();
        let cat = call(
            &mut s,
            "GetRepositoryCatalogData",
            json!({ "repositoryName": "app" }),
        )
        .unwrap();
        assert_eq!(cat["catalogData"], json!({ "marketplaceCertified": false }));
        let e = call(
            &mut s,
            "PutRepositoryCatalogData",
            json!({ "repositoryName": "app", "catalogData": { "description": "x".repeat(1025) } }),
        )
        .unwrap_err();
        assert!(
            e.message.contains("'catalogData.description'") && e.message.contains("1024"),
            "{}",
            e.message
        );
        call(
            &mut s,
            "PutRepositoryCatalogData",
            json!({ "repositoryName": "app", "catalogData": { "aboutText": "# Hi" } }),
        )
        .unwrap();

        let e = call(
            &mut s,
            "GetRepositoryPolicy",
            json!({ "repositoryName": "app" }),
        )
        .unwrap_err();
        assert_eq!(e.code, "RepositoryPolicyNotFoundException");
        let lockout =
            r#"{"Statement":[{"Effect":"Deny","Principal":"*","Action":"ecr-public:*"}]}"#;
        let e = call(
            &mut s,
            "SetRepositoryPolicy",
            json!({ "repositoryName": "app", "policyText": lockout }),
        )
        .unwrap_err();
        assert!(e.message.contains("force"));
        call(
            &mut s,
            "SetRepositoryPolicy",
            json!({ "repositoryName": "app", "policyText": lockout, "force": true }),
        )
        .unwrap();
        assert_eq!(
            call(
                &mut s,
                "GetRepositoryPolicy",
                json!({ "repositoryName": "app" })
            )
            .unwrap()["policyText"],
            lockout
        );
        call(
            &mut s,
            "DeleteRepositoryPolicy",
            json!({ "repositoryName": "app" }),
        )
        .unwrap();
        let e = call(
            &mut s,
            "GetRepositoryPolicy",
            json!({ "repositoryName": "app" }),
        )
        .unwrap_err();
        assert_eq!(e.code, "RepositoryPolicyNotFoundException");

        let arn = "arn:aws:ecr-public::123456789012:repository/app";
        let tags: Vec<_> = (0..50)
            .map(|i| json!({ "Key": format!("k{i}"), "Value": "v" }))
            .collect();
        call(
            &mut s,
            "TagResource",
            json!({ "resourceArn": arn, "tags": tags }),
        )
        .unwrap();
        let e = call(
            &mut s,
            "TagResource",
            json!({ "resourceArn": arn, "tags": [{ "Key": "one-more", "Value": "" }] }),
        )
        .unwrap_err();
        assert_eq!(e.code, "TooManyTagsException");
        call(
            &mut s,
            "UntagResource",
            json!({ "resourceArn": arn, "tagKeys": ["k0", "absent"] }),
        )
        .unwrap();
        assert_eq!(
            call(&mut s, "ListTagsForResource", json!({ "resourceArn": arn })).unwrap()["tags"]
                .as_array()
                .unwrap()
                .len(),
            49
        );
        let e = call(
            &mut s,
            "ListTagsForResource",
            json!({ "resourceArn": "arn:aws:ecr-public::123456789012:repository/nope" }),
        )
        .unwrap_err();
        assert_eq!(e.code, "RepositoryNotFoundException");
        let e = call(
            &mut s,
            "ListTagsForResource",
            json!({ "resourceArn": "not-an-arn" }),
        )
        .unwrap_err();
        assert_eq!(e.code, "InvalidParameterException");
    }
}
