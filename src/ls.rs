//! `ecrp ls`: headless listings through exactly the loaders behind the panes.
//!
//! `--json` streams one JSON array (objects with the API's field names) as pages arrive; the plain
//! form collects, then prints an aligned table with every string neutralised for the terminal.

use std::io::{BufWriter, Write};

use anyhow::Result;
use futures::StreamExt;
use serde::Serialize;

use crate::aws::{self, Api, ClientOptions, PageStream};
use crate::cli::{LsArgs, LsWhat};
use crate::sanitize::clean_line;
use crate::ui::fmt::{absolute, size};

pub async fn run(opts: &ClientOptions, args: &LsArgs) -> Result<()> {
    let (client, _info) = aws::connect(opts).await;
    // Listing never mutates; read-only makes that structural.
    let api = Api::new(client, true);
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match &args.what {
        LsWhat::Registries => {
            let s = api.registries(None);
            emit(
                s,
                args.json,
                &mut out,
                |r| {
                    let aliases: Vec<String> = r
                        .aliases
                        .iter()
                        .map(|a| {
                            let mut s = format!("{} ({})", a.name, a.status);
                            if a.primary_registry_alias {
                                s.push_str(" primary");
                            }
                            if a.default_registry_alias {
                                s.push_str(" default");
                            }
                            s
                        })
                        .collect();
                    vec![
                        r.registry_id.clone(),
                        r.registry_uri.clone(),
                        if r.verified { "verified" } else { "-" }.into(),
                        aliases.join(", "),
                    ]
                },
                &["REGISTRY ID", "URI", "VERIFIED", "ALIASES"],
            )
            .await?
        }
        LsWhat::Repos => {
            emit(
                api.repositories(None),
                args.json,
                &mut out,
                |r| {
                    vec![
                        r.repository_name.to_string(),
                        r.repository_uri.to_string(),
                        absolute(r.created_at),
                    ]
                },
                &["NAME", "URI", "CREATED"],
            )
            .await?
        }
        LsWhat::Images { repo } => {
            emit(
                api.images(repo, None),
                args.json,
                &mut out,
                |i| {
                    vec![
                        if i.image_tags.is_empty() {
                            "<untagged>".to_string()
                        } else {
                            i.image_tags.join(", ")
                        },
                        i.image_digest.to_string(),
                        size(i.image_size_in_bytes),
                        absolute(i.image_pushed_at),
                        if i.is_multi_arch() { "index" } else { "" }.into(),
                    ]
                },
                &["TAGS", "DIGEST", "SIZE", "PUSHED", ""],
            )
            .await?
        }
        LsWhat::Tags { repo } => {
            emit(
                api.image_tags(repo, None),
                args.json,
                &mut out,
                |t| {
                    vec![
                        t.image_tag.to_string(),
                        t.image_digest.to_string(),
                        size(t.image_size_in_bytes),
                        absolute(t.image_pushed_at),
                    ]
                },
                &["TAG", "DIGEST", "SIZE", "PUSHED"],
            )
            .await?
        }
    }
    out.flush()?;
    Ok(())
}

async fn emit<T: Serialize + Send + 'static>(
    mut pages: PageStream<T>,
    json: bool,
    out: &mut impl Write,
    cells: impl Fn(&T) -> Vec<String>,
    header: &[&str],
) -> Result<()> {
    if json {
        // The next request needs only the last token, not this output: fetching runs ahead (a
        // page or two) so writing the rows overlaps the round trips instead of following them.
        let (tx, mut rx) = tokio::sync::mpsc::channel(2);
        tokio::spawn(async move {
            while let Some(page) = pages.next().await {
                if tx.send(page).await.is_err() {
                    break;
                }
            }
        });
        out.write_all(b"[")?;
        let mut first = true;
        while let Some(page) = rx.recv().await {
            for row in page?.rows {
                if !first {
                    out.write_all(b",")?;
                }
                first = false;
                out.write_all(b"\n  ")?;
                serde_json::to_writer(&mut *out, &row)?;
            }
        }
        out.write_all(if first { b"]\n" } else { b"\n]\n" })?;
        return Ok(());
    }
    let mut rows: Vec<Vec<String>> = vec![header.iter().map(|h| h.to_string()).collect()];
    while let Some(page) = pages.next().await {
        rows.extend(page?.rows.iter().map(|r| {
            cells(r)
                .iter()
                .map(|c| clean_line(c).into_owned())
                .collect()
        }));
    }
    write!(out, "{}", table(&rows))?;
    Ok(())
}

/// Columns padded to their widest cell (by display width), two spaces apart, no trailing blanks.
pub fn table(rows: &[Vec<String>]) -> String {
    use unicode_width::UnicodeWidthStr;
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; cols];
    for r in rows {
        for (i, c) in r.iter().enumerate() {
            widths[i] = widths[i].max(c.width());
        }
    }
    let mut s = String::new();
    for r in rows {
        let mut line = String::new();
        for (i, c) in r.iter().enumerate() {
            line.push_str(c);
            if i + 1 < r.len() {
                line.extend(std::iter::repeat_n(' ', widths[i] - c.width() + 2));
            }
        }
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_aligns_by_display_width() {
        let t = table(&[
            vec!["A".into(), "B".into()],
            vec!["日本".into(), "x".into()],
        ]);
        assert_eq!(t, "A     B\n日本  x\n");
    }
}
