//! The `:open` view's I/O: the tag list of a repository in any registry, page by page, and the
//! manifest and config of the tags on screen, a few at a time, each digest read once. No AWS
//! credentials are involved: the registry client is anonymous (Bearer tokens as the registry
//! hands them out).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

use crate::app::inspector_state::Shared;
use crate::app::msg::{Msg, TagDetail};
use crate::registry::{ManifestKind, Reference, RegistryClient, Target};
use crate::sanitize::clean_line;

/// Manifest reads in flight for the visible rows: enough to fill a screen quickly, few enough
/// not to trip public.ecr.aws's anonymous rate limit into long waits.
const DETAIL_CONCURRENCY: usize = 4;

/// The most tags the view holds: a repository with more is listed up to here, with a message.
pub const OPEN_TAGS_MAX: usize = 100_000;

/// The registry client and caches of the repository open now.
pub struct Session {
    pub generation: u64,
    pub client: Arc<RegistryClient>,
    name: String,
    handles: Vec<AbortHandle>,
    permits: Arc<Semaphore>,
    by_digest: Arc<Mutex<HashMap<String, TagDetail>>>,
}

impl Session {
    /// A session for `reference` (`registry_url` maps public.ecr.aws elsewhere).
    pub fn new(
        generation: u64,
        reference: &str,
        registry_url: Option<&str>,
    ) -> Result<Session, String> {
        let r = Reference::parse(reference).map_err(|e| clean_line(&e.to_string()).into_owned())?;
        let client = crate::inspect::client_for(&r, registry_url, None)
            .map_err(|e| clean_line(&format!("{e:#}")).into_owned())?;
        Ok(Session {
            generation,
            client: Arc::new(client),
            name: r.name,
            handles: Vec::new(),
            permits: Arc::new(Semaphore::new(DETAIL_CONCURRENCY)),
            by_digest: Arc::new(Mutex::new(HashMap::new())),
        })
    }

    /// Keep `h` to stop it when the view closes.
    pub fn track(&mut self, h: AbortHandle) {
        self.handles.retain(|h| !h.is_finished());
        self.handles.push(h);
    }

    /// Stop every request of this session.
    pub fn stop(&mut self) {
        for h in self.handles.drain(..) {
            h.abort();
        }
    }

    /// The tag listing: a message per page, then the end (or the failure).
    pub fn list(&self, tx: UnboundedSender<Msg>) -> impl Future<Output = ()> + Send + 'static {
        let (client, name, generation) = (self.client.clone(), self.name.clone(), self.generation);
        async move {
            let (mut held, mut capped) = (0usize, false);
            // The client rides with the first page rather than in a message of its own: that
            // message cost a frame while the first tags waited behind it.
            let mut with_client = Some(Shared(client.clone()));
            let page_tx = tx.clone();
            let r = client
                .list_tags_paged(&name, &mut |page| {
                    let room = OPEN_TAGS_MAX - held;
                    let page = &page[..page.len().min(room)];
                    held += page.len();
                    let _ = page_tx.send(Msg::OpenPage {
                        generation,
                        tags: page.to_vec(),
                        done: false,
                        client: with_client.take(),
                    });
                    capped = held == OPEN_TAGS_MAX;
                    !capped
                })
                .await;
            let msg = match r {
                Ok(_) if capped => Msg::OpenFailed {
                    generation,
                    error: format!("only the first {OPEN_TAGS_MAX} tags are held; stopped"),
                },
                Ok(_) => Msg::OpenPage {
                    generation,
                    tags: Vec::new(),
                    done: true,
                    client: with_client.take(),
                },
                Err(e) => Msg::OpenFailed {
                    generation,
                    error: clean_line(&e.to_string()).into_owned(),
                },
            };
            let _ = tx.send(msg);
        }
    }

    /// What each of `tags` names (its manifest, and for an image its config's creation time): a
    /// message per tag as it arrives. One task for the batch, the reads interleaved inside it:
    /// spawning a task per row woke another worker thread for each, which cost the frame that
    /// asked for them milliseconds on a busy machine.
    pub fn details(
        &self,
        tags: Vec<Box<str>>,
        tx: UnboundedSender<Msg>,
    ) -> impl Future<Output = ()> + Send + 'static {
        let (client, name, generation) = (self.client.clone(), self.name.clone(), self.generation);
        let (permits, cache) = (self.permits.clone(), self.by_digest.clone());
        async move {
            futures::stream::iter(tags)
                .for_each_concurrent(None, |tag| {
                    let (client, name, permits, cache, tx) =
                        (&client, &name, &permits, &cache, &tx);
                    async move {
                        // The permits are the session's: a later batch waits for this one's reads.
                        let _permit = permits.acquire().await;
                        let detail = read_detail(client, name, &tag, cache).await;
                        let _ = tx.send(Msg::OpenDetail {
                            generation,
                            tag,
                            detail,
                        });
                    }
                })
                .await;
        }
    }
}

async fn read_detail(
    client: &RegistryClient,
    name: &str,
    tag: &str,
    cache: &Mutex<HashMap<String, TagDetail>>,
) -> Result<TagDetail, String> {
    let m = client
        .get_manifest(name, &Target::Tag(tag.to_string()))
        .await
        .map_err(|e| clean_line(&e.to_string()).into_owned())?;
    let digest = m.digest.to_string();
    if let Some(d) = cache.lock().unwrap_or_else(|p| p.into_inner()).get(&digest) {
        return Ok(d.clone());
    }
    let detail = match &m.kind {
        ManifestKind::Index(i) => TagDetail {
            digest: digest.as_str().into(),
            size: None,
            created: None,
            platforms: Some(i.manifests.len()),
        },
        ManifestKind::Image(img) => {
            let size = img.config.size + img.layers.iter().map(|l| l.size).sum::<u64>();
            let (_, config) = client
                .get_config(name, &img.config)
                .await
                .map_err(|e| clean_line(&e.to_string()).into_owned())?;
            TagDetail {
                digest: digest.as_str().into(),
                size: Some(size),
                created: config.created.as_deref().and_then(rfc3339_epoch),
                platforms: None,
            }
        }
    };
    cache
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(digest, detail.clone());
    Ok(detail)
}

/// `2024-05-01T12:34:56(.fraction)(Z|±hh:mm)` as epoch seconds; `None` for anything else.
fn rfc3339_epoch(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        rest = &frac[n..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ if rest.len() == 6 && rest.as_bytes()[3] == b':' => {
            let hh: i64 = rest.get(1..3)?.parse().ok()?;
            let mm: i64 = rest.get(4..6)?.parse().ok()?;
            match &rest[..1] {
                "+" => hh * 3600 + mm * 60,
                "-" => -(hh * 3600 + mm * 60),
                _ => return None,
            }
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + h * 3600 + mi * 60 + se - offset)
}

#[cfg(test)]
mod tests {
    use super::rfc3339_epoch;

    #[test]
    fn parses_config_times() {
        assert_eq!(rfc3339_epoch("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(rfc3339_epoch("2026-11-22T12:00:00Z"), Some(1_795_348_800));
        assert_eq!(
            rfc3339_epoch("2026-11-22T13:00:00.123456789+01:00"),
            Some(1_795_348_800)
        );
        assert_eq!(rfc3339_epoch("yesterday"), None);
        assert_eq!(rfc3339_epoch("2026-13-22T12:00:00Z"), None);
    }
}
