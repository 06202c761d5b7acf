//! The plan and its outcome, as text for people or one JSON object for CI. Text neutralises every
//! string a server sent (tags, digests, messages); JSON carries them escaped by the encoder.

use std::io::{self, Write};

use serde_json::{Value, json};

use super::{PruneOptions, RepoOutcome};
use crate::fmt::{absolute, size, thousands};
use crate::lifecycle::Totals;
use crate::sanitize::clean_line;

fn tags_text(tags: &[Box<str>]) -> String {
    if tags.is_empty() {
        "<untagged>".into()
    } else {
        tags.join(", ")
    }
}

fn add(t: &mut Totals, o: &Totals) {
    t.images += o.images;
    t.tags += o.tags;
    t.bytes += o.bytes;
}

fn totals_text(t: &Totals) -> String {
    format!(
        "{} image(s), {} tag(s), {}",
        thousands(t.images),
        thousands(t.tags),
        size(t.bytes)
    )
}

/// The plan per repository: every image to expire, what multi-arch safety kept, the totals;
/// with `--apply`, what happened.
pub fn text(outcomes: &[RepoOutcome], o: &PruneOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut all = Totals::default();
    for r in outcomes {
        let name = clean_line(&r.repository);
        if let Some(e) = &r.error
            && r.rows.is_empty()
        {
            writeln!(out, "{name}: {}", clean_line(e))?;
            continue;
        }
        let p = &r.plan;
        add(&mut all, &p.totals);
        writeln!(
            out,
            "{name}: {} image(s); expire {}",
            thousands(r.rows.len()),
            totals_text(&p.totals)
        )?;
        for i in p.apply_order() {
            let row = &r.rows[i];
            let line = format!(
                "  expire  {}  {}  pushed {}  {}  rulePriority {}: {}",
                row.image_digest,
                tags_text(&row.image_tags),
                absolute(row.image_pushed_at),
                size(row.image_size_in_bytes),
                p.decisions[i].rule.map_or("-".into(), |r| r.to_string()),
                p.reason_text(i, &r.rows)
            );
            writeln!(out, "{}", clean_line(&line))?;
        }
        for &i in &p.kept_for_multiarch {
            let row = &r.rows[i];
            let line = format!(
                "  keep    {}  {}  {}",
                row.image_digest,
                tags_text(&row.image_tags),
                p.reason_text(i, &r.rows)
            );
            writeln!(out, "{}", clean_line(&line))?;
        }
        if !r.unknown.is_empty() {
            writeln!(
                out,
                "  note: the platform manifests of {} index(es) are unknown ({}), so no untagged \
                 image that is not an index expires",
                r.unknown.len(),
                clean_line(&r.unknown[0].1)
            )?;
        }
        if let Some(a) = &r.applied {
            if let Some(j) = &a.journal {
                writeln!(
                    out,
                    "  journal {} (undo: ecrp prune --restore FILE)",
                    j.display()
                )?;
            }
            writeln!(
                out,
                "  deleted {}, failed {}, not sent {}",
                thousands(a.deleted.len()),
                thousands(a.failures.len()),
                thousands(a.not_sent.len())
            )?;
            for (i, code, message) in &a.failures {
                let line = format!("  failed  {}  {code}: {message}", r.rows[*i].image_digest);
                writeln!(out, "{}", clean_line(&line))?;
            }
            for (i, why) in &a.not_sent {
                let line = format!("  not sent  {}  {why}", r.rows[*i].image_digest);
                writeln!(out, "{}", clean_line(&line))?;
            }
        }
        if let Some(e) = &r.error {
            writeln!(out, "  error: {}", clean_line(e))?;
        }
    }
    let verb = if o.apply {
        "planned"
    } else {
        "would expire (dry run; --apply deletes)"
    };
    writeln!(out, "total: {verb} {}", totals_text(&all))
}

/// One JSON object: `expire` (every image to expire, all repositories, with `imageDigest` and
/// `rule`), `kept_for_multiarch`, `totals`, and per repository the details and the outcome.
pub fn json(outcomes: &[RepoOutcome], o: &PruneOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut expire = Vec::new();
    let mut kept = Vec::new();
    let mut repos = Vec::new();
    let mut all = Totals::default();
    for r in outcomes {
        let p = &r.plan;
        add(&mut all, &p.totals);
        for i in p.apply_order() {
            let row = &r.rows[i];
            expire.push(json!({
                "repositoryName": r.repository,
                "imageDigest": row.image_digest,
                "imageTags": row.image_tags,
                "imagePushedAt": row.image_pushed_at,
                "imageSizeInBytes": row.image_size_in_bytes,
                "rule": p.decisions[i].rule,
                "reason": p.reason_text(i, &r.rows),
            }));
        }
        for &i in &p.kept_for_multiarch {
            let row = &r.rows[i];
            kept.push(json!({
                "repositoryName": r.repository,
                "imageDigest": row.image_digest,
                "imageTags": row.image_tags,
                "rule": p.decisions[i].rule,
                "reason": p.reason_text(i, &r.rows),
            }));
        }
        let applied = r.applied.as_ref().map(|a| {
            json!({
                "journal": a.journal.as_ref().map(|j| j.display().to_string()),
                "deleted": a.deleted.iter().map(|&i| &r.rows[i].image_digest).collect::<Vec<_>>(),
                "failed": a.failures.iter().map(|(i, code, message)| json!({
                    "imageDigest": r.rows[*i].image_digest,
                    "failureCode": code,
                    "failureReason": message,
                })).collect::<Vec<_>>(),
                "notSent": a.not_sent.iter().map(|(i, why)| json!({
                    "imageDigest": r.rows[*i].image_digest,
                    "reason": why,
                })).collect::<Vec<_>>(),
            })
        });
        repos.push(json!({
            "repositoryName": r.repository,
            "images": r.rows.len(),
            "totals": p.totals,
            "topologyUnknown": r.unknown.iter().map(|(d, why)| json!({"imageDigest": d, "reason": why})).collect::<Vec<_>>(),
            "applied": applied,
            "error": r.error,
        }));
    }
    let doc: Value = json!({
        "dryRun": !o.apply,
        "now": o.now,
        "expire": expire,
        "kept_for_multiarch": kept,
        "totals": all,
        "repositories": repos,
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
