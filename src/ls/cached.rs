//! `ecrp ls --cached`: the TUI's listing cache printed as the live listing would be, with its
//! age; nothing is sent to the service. The keys are the TUI's own (`app::cached::scope`), so
//! what prints is exactly what the TUI would show at start.

use std::io::{BufWriter, Write};

use anyhow::{Result, anyhow};

use super::{
    IMAGE_HEADER, JsonRow, MediaJson, REGISTRY_HEADER, REPO_HEADER, TAG_HEADER, escape_unsafe,
    image_cells, registry_cells, repo_cells, table, tag_cells,
};
use crate::app::cached::{Cacheable, scope};
use crate::aws::{ConnectionInfo, ImageRow, RegistryRow, RepoRow, TagRow};
use crate::cache::{Cached, Key, Scope, Store};
use crate::cli::{LsArgs, LsWhat};
use crate::sanitize::clean_line;

pub fn print(info: &ConnectionInfo, args: &LsArgs) -> Result<()> {
    let dir = crate::cache::default_dir()
        .ok_or_else(|| anyhow!("no cache directory: set {}", crate::cache::DIR_ENV))?;
    let store = Store::new(dir, crate::cache::DEFAULT_MAX_BYTES);
    let scope = scope(info, args.client.demo, Scope::env_identity());
    let key = |kind: &'static str, registry: &str, repo: &str| Key {
        kind,
        scope: scope.clone(),
        registry: registry.into(),
        repo: repo.into(),
    };
    let now = crate::app::now_epoch();
    let mut out = BufWriter::new(std::io::stdout().lock());
    match &args.what {
        LsWhat::Registries => {
            let (rows, at) = read::<RegistryRow>(&store, &key(RegistryRow::KIND, "", ""))?;
            emit(
                &rows,
                at,
                now,
                args.json,
                &mut out,
                registry_cells,
                REGISTRY_HEADER,
            )?
        }
        LsWhat::Repos => {
            let (rows, at) = read::<RepoRow>(&store, &key(RepoRow::KIND, "", ""))?;
            emit(&rows, at, now, args.json, &mut out, repo_cells, REPO_HEADER)?
        }
        LsWhat::Images { repo } | LsWhat::Tags { repo } => {
            // Images and tags are keyed by the repository's registry, which only the cached
            // repositories know without asking the service.
            let repos_key = key(RepoRow::KIND, "", "");
            let (repos, _) = read::<RepoRow>(&store, &repos_key).map_err(|e| {
                anyhow!("{e:#}\n(the repositories' cache names the registry of {repo:?})")
            })?;
            let registry = repos
                .iter()
                .find(|r| &*r.repository_name == repo.as_str())
                .map(|r| r.registry_id.to_string())
                .ok_or_else(|| {
                    anyhow!(
                        "no repository {:?} in the cached repositories ({})",
                        clean_line(repo),
                        describe(&repos_key)
                    )
                })?;
            if matches!(args.what, LsWhat::Images { .. }) {
                let k = key(ImageRow::KIND, &registry, repo);
                let (rows, at) = read::<ImageRow>(&store, &k)?;
                emit(
                    &rows,
                    at,
                    now,
                    args.json,
                    &mut out,
                    image_cells,
                    IMAGE_HEADER,
                )?
            } else {
                let k = key(TagRow::KIND, &registry, repo);
                let (rows, at) = read::<TagRow>(&store, &k)?;
                emit(&rows, at, now, args.json, &mut out, tag_cells, TAG_HEADER)?
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// The cached rows under `key` and when they were saved, or an error naming the key.
fn read<T: Cacheable>(store: &Store, key: &Key) -> Result<(Vec<T>, i64)> {
    let hit = store.read(key).and_then(
        |Cached {
             listing, saved_at, ..
         }| T::take(listing).map(|rows| (rows, saved_at)),
    );
    hit.ok_or_else(|| {
        anyhow!(
            "nothing cached for {} (file {}): the TUI saves a listing once it has loaded it whole",
            describe(key),
            store.path(key).display()
        )
    })
}

/// The key as a user can recognise it.
fn describe(key: &Key) -> String {
    let s = &key.scope;
    let mut d = format!(
        "{} of endpoint {}, profile {}, region {}",
        key.kind,
        s.endpoint.as_deref().unwrap_or("aws"),
        s.profile,
        s.region
    );
    if !s.identity.is_empty() {
        d.push_str(&format!(", access key id hashed {}", s.identity));
    }
    if !key.repo.is_empty() {
        d.push_str(&format!(
            ", registry {}, repository {}",
            key.registry, key.repo
        ));
    }
    clean_line(&d).into_owned()
}

/// The rows as the live listing prints them, with the age: on stderr beside a table (stdout
/// stays the same columns), in every object of the JSON (the array keeps its shape).
fn emit<T: JsonRow>(
    rows: &[T],
    saved_at: i64,
    now: i64,
    json: bool,
    out: &mut impl Write,
    cells: impl Fn(&T) -> Vec<String>,
    header: &[&str],
) -> Result<()> {
    let age = (now - saved_at).max(0);
    if json {
        let mut media = MediaJson::default();
        let mut buf = Vec::with_capacity(1 << 16);
        buf.push(b'[');
        for (i, row) in rows.iter().enumerate() {
            buf.extend_from_slice(if i == 0 { b"\n  " } else { b",\n  " });
            row.write_json(&mut buf, &mut media)?;
            // Every row object ends with its own closing brace: the age goes inside it.
            buf.pop();
            buf.extend_from_slice(
                format!(",\"cachedAt\":{saved_at},\"cacheAgeSeconds\":{age}}}").as_bytes(),
            );
        }
        buf.extend_from_slice(if rows.is_empty() { b"]\n" } else { b"\n]\n" });
        escape_unsafe(&mut buf);
        out.write_all(&buf)?;
        return Ok(());
    }
    eprintln!(
        "from the listing cache, saved {} ({})",
        crate::fmt::relative(saved_at, now),
        crate::fmt::absolute(saved_at)
    );
    let mut lines: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    lines.extend(rows.iter().map(|r| {
        cells(r)
            .iter()
            .map(|c| clean_line(c).into_owned())
            .collect()
    }));
    write!(out, "{}", table(&lines))?;
    Ok(())
}
