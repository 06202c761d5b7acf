//! Repository catalog data: parsing and validating RepositoryCatalogDataInput, applying it, and
//! Get/PutRepositoryCatalogData. A logo blob is stored once per content hash and served by the
//! emulator itself, so the logoUrl it returns is a real URL.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::ctx::Ctx;
use super::error::ApiResult;
use super::input::Input;
use super::limits::*;
use super::state::{Catalog, Logo, State};
use super::validate::Validator;

/// A validated RepositoryCatalogDataInput.
#[derive(Debug, Default)]
pub struct CatalogInput {
    pub description: Option<String>,
    pub architectures: Option<Vec<String>>,
    pub operating_systems: Option<Vec<String>>,
    pub logo: Option<Vec<u8>>,
    pub about_text: Option<String>,
    pub usage_text: Option<String>,
}

pub fn parse(input: &Input, v: &mut Validator) -> ApiResult<CatalogInput> {
    let c = CatalogInput {
        description: input.str("description")?,
        architectures: input.str_list("architectures")?,
        operating_systems: input.str_list("operatingSystems")?,
        logo: input.blob("logoImageBlob")?,
        about_text: input.str("aboutText")?,
        usage_text: input.str("usageText")?,
    };
    if let Some(d) = &c.description {
        v.len(&input.name("description"), d, 0, DESCRIPTION_MAX);
    }
    if let Some(t) = &c.about_text {
        v.len(&input.name("aboutText"), t, 0, ABOUT_TEXT_MAX);
    }
    if let Some(t) = &c.usage_text {
        v.len(&input.name("usageText"), t, 0, USAGE_TEXT_MAX);
    }
    let lists = [
        (
            "architectures",
            &c.architectures,
            ARCHITECTURES_MAX,
            ARCHITECTURE_MIN,
            ARCHITECTURE_MAX,
        ),
        (
            "operatingSystems",
            &c.operating_systems,
            OPERATING_SYSTEMS_MAX,
            OPERATING_SYSTEM_MIN,
            OPERATING_SYSTEM_MAX,
        ),
    ];
    for (key, list, max_items, min_len, max_len) in lists {
        if let Some(list) = list {
            v.count(&input.name(key), list.len(), 0, max_items);
            for (i, item) in list.iter().enumerate() {
                v.len(
                    &format!("{}.{}.member", input.name(key), i + 1),
                    item,
                    min_len,
                    max_len,
                );
            }
        }
    }
    if let Some(logo) = &c.logo {
        v.bytes(&input.name("logoImageBlob"), logo.len(), LOGO_MAX_BYTES);
    }
    Ok(c)
}

fn content_type(bytes: &[u8]) -> &'static str {
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        "image/png"
    } else if bytes.starts_with(&[0xff, 0xd8, 0xff]) {
        "image/jpeg"
    } else if bytes.starts_with(b"GIF8") {
        "image/gif"
    } else {
        "application/octet-stream"
    }
}

/// Applies a validated input to a repository's catalog (logos go to the shared logo store).
pub fn apply(state: &mut State, repo: &str, c: CatalogInput) -> ApiResult<()> {
    let logo_hash = match c.logo {
        None => None,
        Some(bytes) if bytes.is_empty() => Some(None),
        Some(bytes) => {
            let hash = hex::encode(Sha256::digest(&bytes));
            let content_type = content_type(&bytes).to_string();
            state.touched.logos.insert(hash.clone());
            state.logos.entry(hash.clone()).or_insert(Logo {
                content_type,
                bytes,
            });
            Some(Some(hash))
        }
    };
    let cat = &mut state.repo_mut(repo)?.catalog;
    // Put replaces the catalog: members left out are cleared. The logo is the exception, kept
    // unless a new blob (or an empty one, which removes it) is sent, so editing the text does
    // not require re-uploading the image.
    let logo = match logo_hash {
        Some(hash) => hash,
        None => cat.logo.take(),
    };
    *cat = Catalog {
        description: c.description,
        architectures: c.architectures,
        operating_systems: c.operating_systems,
        logo,
        about_text: c.about_text,
        usage_text: c.usage_text,
    };
    Ok(())
}

pub fn logo_url(base_url: &str, hash: &str) -> String {
    format!("{base_url}/logo/{hash}")
}

pub fn catalog_json(cat: &Catalog, ctx: &Ctx) -> Value {
    let mut out = json!({ "marketplaceCertified": false });
    if let Some(d) = &cat.description {
        out["description"] = d.as_str().into();
    }
    if let Some(a) = &cat.architectures {
        out["architectures"] = a.clone().into();
    }
    if let Some(o) = &cat.operating_systems {
        out["operatingSystems"] = o.clone().into();
    }
    if let Some(h) = &cat.logo {
        out["logoUrl"] = logo_url(&ctx.base_url, h).into();
    }
    if let Some(t) = &cat.about_text {
        out["aboutText"] = t.as_str().into();
    }
    if let Some(t) = &cat.usage_text {
        out["usageText"] = t.as_str().into();
    }
    out
}

fn repo_args(input: &Input, state: &State, v: &mut Validator) -> ApiResult<String> {
    let name = input.str("repositoryName")?;
    let registry_id = input.str("registryId")?;
    v.required("repositoryName", &name);
    if let Some(n) = &name {
        v.repository_name("repositoryName", n);
    }
    if let Some(id) = &registry_id {
        v.registry_id("registryId", id);
    }
    let name = name.unwrap_or_default();
    if v.is_empty() {
        state.check_registry_id(registry_id.as_deref(), &name)?;
    }
    Ok(name)
}

pub fn get_repository_catalog_data(
    state: &mut State,
    input: &Input,
    ctx: &Ctx,
) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(input, state, &mut v)?;
    v.finish()?;
    // A repository without catalog data answers with an empty catalog: the reference lists no
    // error for it, so RepositoryCatalogDataNotFoundException is never raised.
    let repo = state.repo(&name)?;
    Ok(json!({ "catalogData": catalog_json(&repo.catalog, ctx) }))
}

pub fn put_repository_catalog_data(
    state: &mut State,
    input: &Input,
    ctx: &Ctx,
) -> ApiResult<Value> {
    let mut v = Validator::new();
    let name = repo_args(input, state, &mut v)?;
    let catalog = input.obj("catalogData")?;
    v.required("catalogData", &catalog);
    let parsed = catalog.as_ref().map(|c| parse(c, &mut v)).transpose()?;
    v.finish()?;
    state.repo(&name)?;
    apply(state, &name, parsed.unwrap_or_default())?;
    collect_logos(state);
    Ok(json!({ "catalogData": catalog_json(&state.repo(&name)?.catalog, ctx) }))
}

/// The logo stored under `hash`, for the GET route.
pub fn logo(state: &State, hash: &str) -> Option<Logo> {
    state.logos.get(hash).cloned()
}

/// Drops logos no repository refers to any more.
pub fn collect_logos(state: &mut State) {
    let used: std::collections::HashSet<&String> = state
        .repos
        .values()
        .filter_map(|r| r.catalog.logo.as_ref())
        .collect();
    let unused: Vec<String> = state
        .logos
        .keys()
        .filter(|h| !used.contains(h))
        .cloned()
        .collect();
    for h in unused {
        state.logos.remove(&h);
        state.touched.logos.insert(h);
    }
}
