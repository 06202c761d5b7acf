//! Registry-level operations: DescribeRegistries, Get/PutRegistryCatalogData, GetAuthorizationToken.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use super::ctx::{Ctx, ts};
use super::error::ApiResult;
use super::input::Input;
use super::limits::{DISPLAY_NAME_MAX, DISPLAY_NAME_MIN};
use super::pagination;
use super::state::{Registry, State};
use super::validate::Validator;

const OP: &str = "DescribeRegistries";

pub fn registry_json(r: &Registry) -> Value {
    json!({
        "registryId": r.id,
        "registryArn": r.arn(),
        "registryUri": r.uri(),
        "verified": r.verified,
        "aliases": r.aliases.iter().map(|a| json!({
            "name": a.name,
            "status": a.status,
            "primaryRegistryAlias": a.primary,
            "defaultRegistryAlias": a.default,
        })).collect::<Vec<_>>(),
    })
}

pub fn describe_registries(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let max = input.int("maxResults")?;
    let token = input.str("nextToken")?;
    let mut v = Validator::new();
    v.max_results(max);
    v.finish()?;
    let after = token.map(|t| pagination::decode(&t, OP, "")).transpose()?;
    // One account, one registry; the walk is still by key so tokens behave as for the other lists.
    let regs = std::iter::once(&state.registry)
        .filter(|r| after.as_deref().is_none_or(|a| r.id.as_str() > a));
    let (rows, next) = pagination::page(regs, pagination::page_size(max), OP, "", |r| r.id.clone());
    let mut out = json!({ "registries": rows.into_iter().map(registry_json).collect::<Vec<_>>() });
    if let Some(next) = next {
        out["nextToken"] = next.into();
    }
    Ok(out)
}

fn catalog_json(r: &Registry) -> Value {
    match &r.display_name {
        Some(name) => json!({ "registryCatalogData": { "displayName": name } }),
        None => json!({ "registryCatalogData": {} }),
    }
}

pub fn get_registry_catalog_data(
    state: &mut State,
    _input: &Input,
    _ctx: &Ctx,
) -> ApiResult<Value> {
    Ok(catalog_json(&state.registry))
}

pub fn put_registry_catalog_data(state: &mut State, input: &Input, _ctx: &Ctx) -> ApiResult<Value> {
    let name = input.str("displayName")?;
    let mut v = Validator::new();
    if let Some(n) = &name {
        v.len("displayName", n, DISPLAY_NAME_MIN, DISPLAY_NAME_MAX);
    }
    v.finish()?;
    if let Some(n) = name {
        state.registry.display_name = Some(n);
        state.touched.registry = true;
    }
    Ok(catalog_json(&state.registry))
}

pub fn get_authorization_token(state: &mut State, _input: &Input, ctx: &Ctx) -> ApiResult<Value> {
    // Signed with the emulator's key so `GET /token/` can verify it; the real clock signs it, as
    // the registry side checks it against the real clock (even with a fixed `--clock`).
    let (password, _) = state.auth.password(&ctx.access_key, super::ctx::now_ms());
    Ok(json!({
        "authorizationData": {
            "authorizationToken": STANDARD.encode(format!("AWS:{password}")),
            "expiresAt": ts(ctx.now_ms + state.auth.ttl_secs * 1000),
        }
    }))
}
