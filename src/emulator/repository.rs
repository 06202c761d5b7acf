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
    let merged = tags::merge(&[], new_tags.unwrap_or_default())?;
    let mut repo = Repository::new(name.clone(), ctx.now_ms);
    repo.tags = merged;
    state.repos.insert(name.clone(), repo);
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
    state.repos.remove(&name);
    state.uploads.retain(|_, u| u.repo != name);
    catalog::collect_logos(state);
    Ok(out)
}
