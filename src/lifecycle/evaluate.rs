//! The evaluation: the policy's rules as private ECR applies them, then multi-arch safety.
//!
//! ECR's rules (user guide, "Lifecycle policy evaluation rules" and its worked examples):
//! rules run in `rulePriority` order; each identifies the images its tag selection matches,
//! whether or not an earlier rule did, and counts or ages all of them; it may expire only those
//! that no earlier rule identified. So an image is expired by at most one rule, and a rule can
//! never expire what a higher-priority rule's selection matches. Counts keep the newest by push
//! time.
//!
//! Multi-arch: the platform manifests of an index are untagged images of their own, and deleting
//! them breaks pulls of the index. So an index that stays keeps every manifest it references, an
//! index that goes takes along its untagged manifests that nothing staying references, and when
//! any index could not be read no untagged non-index image goes at all: there is no telling
//! whose platform manifest it is.

use std::collections::{HashMap, HashSet};

use super::plan::{Decision, Plan, Reason, Topology, Totals};
use super::policy::{Count, Policy};
use super::select::selects;
use crate::aws::ImageRow;

const DAY: i64 = 86_400;

/// Evaluate `policy` over `rows` (one per image, digests unique) at time `now` (epoch seconds).
pub fn evaluate(policy: &Policy, rows: &[ImageRow], topology: &Topology, now: i64) -> Plan {
    let mut decisions = by_rules(policy, rows, now);
    multi_arch(rows, topology, &mut decisions);
    let phases = phases(rows, topology, &decisions);
    let kept_for_multiarch = (0..rows.len())
        .filter(|&i| {
            matches!(
                decisions[i].reason,
                Reason::ChildOfStaying { .. } | Reason::TopologyUnknown { .. }
            )
        })
        .collect();
    let mut totals = Totals::default();
    for &i in phases.iter().flatten() {
        totals.images += 1;
        totals.tags += rows[i].image_tags.len();
        if !rows[i].is_multi_arch() {
            totals.bytes += rows[i].image_size_in_bytes;
        }
    }
    Plan {
        decisions,
        phases,
        kept_for_multiarch,
        totals,
    }
}

/// Positions newest first; equal push times by digest, so the listing's order never matters.
fn newest_first(rows: &[ImageRow]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..rows.len() as u32).collect();
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (&rows[a as usize], &rows[b as usize]);
        b.image_pushed_at
            .cmp(&a.image_pushed_at)
            .then_with(|| a.image_digest.cmp(&b.image_digest))
    });
    order
}

fn by_rules(policy: &Policy, rows: &[ImageRow], now: i64) -> Vec<Decision> {
    let order = newest_first(rows);
    let mut decisions = vec![
        Decision {
            expire: false,
            rule: None,
            reason: Reason::NotSelected,
        };
        rows.len()
    ];
    // The first rule whose selection matched each image.
    let mut claimed: Vec<Option<u32>> = vec![None; rows.len()];
    for rule in &policy.rules {
        let p = rule.priority;
        let mut rank = 0usize;
        for &i in &order {
            let i = i as usize;
            if !selects(rule, &rows[i].image_tags) {
                continue;
            }
            rank += 1;
            let due = match rule.count {
                Count::MoreThan(keep) => (rank > keep as usize).then_some(Reason::Count {
                    rule: p,
                    keep,
                    rank,
                }),
                Count::SincePushedDays(days) => {
                    let age = now - rows[i].image_pushed_at;
                    (age > i64::from(days) * DAY).then_some(Reason::Age {
                        rule: p,
                        days,
                        age_days: age / DAY,
                    })
                }
            };
            match claimed[i] {
                None => {
                    claimed[i] = Some(p);
                    decisions[i] = Decision {
                        expire: due.is_some(),
                        rule: Some(p),
                        reason: due.unwrap_or(Reason::KeptBy { rule: p }),
                    };
                }
                Some(by) => {
                    if due.is_some() && matches!(decisions[i].reason, Reason::KeptBy { .. }) {
                        decisions[i].reason = Reason::ShieldedBy { rule: p, by };
                    }
                }
            }
        }
    }
    decisions
}

/// Index position → positions of the listed images it references (known indexes only).
fn links(rows: &[ImageRow], topology: &Topology) -> HashMap<usize, Vec<usize>> {
    if topology.children.is_empty() {
        return HashMap::new();
    }
    let pos: HashMap<&str, usize> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (&*r.image_digest, i))
        .collect();
    let mut out = HashMap::new();
    for (index, kids) in &topology.children {
        let Some(&ip) = pos.get(&**index) else {
            continue;
        };
        let kids: Vec<usize> = kids
            .iter()
            .filter_map(|k| pos.get(&**k).copied())
            .filter(|&k| k != ip)
            .collect();
        out.insert(ip, kids);
    }
    out
}

/// Index rows whose manifests are not known (unreadable, or never read).
fn unknown_indexes(rows: &[ImageRow], topology: &Topology) -> Vec<usize> {
    (0..rows.len())
        .filter(|&i| {
            rows[i].is_multi_arch() && !topology.children.contains_key(&rows[i].image_digest)
        })
        .collect()
}

/// Work lists pop from the end: sorted so the smallest digest comes first, which makes the index
/// named in a reason (when several qualify) independent of the listing's order.
fn by_digest_last_first(rows: &[ImageRow], work: &mut [usize]) {
    work.sort_by(|&a, &b| rows[b].image_digest.cmp(&rows[a].image_digest));
}

fn multi_arch(rows: &[ImageRow], topology: &Topology, d: &mut [Decision]) {
    let links = links(rows, topology);
    let mut parents: HashMap<usize, Vec<usize>> = HashMap::new();
    for (&ip, kids) in &links {
        for &k in kids {
            parents.entry(k).or_default().push(ip);
        }
    }
    // An index that stays keeps what it references (and, for a nested index, what that does).
    let mut work: Vec<usize> = links.keys().copied().filter(|&i| !d[i].expire).collect();
    by_digest_last_first(rows, &mut work);
    while let Some(ip) = work.pop() {
        for &k in &links[&ip] {
            if d[k].expire {
                d[k] = Decision {
                    expire: false,
                    rule: d[k].rule,
                    reason: Reason::ChildOfStaying { index: ip },
                };
                if links.contains_key(&k) {
                    work.push(k);
                }
            }
        }
    }
    let unknown = unknown_indexes(rows, topology);
    if unknown.is_empty() {
        // An index that goes takes along the untagged manifests (or those only an index kept)
        // that nothing staying references.
        let mut work: Vec<usize> = links.keys().copied().filter(|&i| d[i].expire).collect();
        by_digest_last_first(rows, &mut work);
        while let Some(ip) = work.pop() {
            for &k in &links[&ip] {
                let only_for_index = rows[k].image_tags.is_empty()
                    || matches!(d[k].reason, Reason::ChildOfStaying { .. });
                if !d[k].expire && only_for_index && parents[&k].iter().all(|&p| d[p].expire) {
                    d[k] = Decision {
                        expire: true,
                        rule: d[ip].rule,
                        reason: Reason::WithIndex { index: ip },
                    };
                    if links.contains_key(&k) {
                        work.push(k);
                    }
                }
            }
        }
        return;
    }
    // One named index for the reason: the smallest digest, whatever the listing order.
    let named = *unknown
        .iter()
        .min_by_key(|&&i| &rows[i].image_digest)
        .expect("not empty");
    for (i, row) in rows.iter().enumerate() {
        if d[i].expire && row.image_tags.is_empty() && !row.is_multi_arch() {
            d[i] = Decision {
                expire: false,
                rule: d[i].rule,
                reason: Reason::TopologyUnknown {
                    index: named,
                    unknown: unknown.len(),
                },
            };
        }
    }
}

/// Indexes first, each after every expiring index that references it; then the other images,
/// oldest first. Ties by digest, so the order does not depend on the listing's.
fn phases(rows: &[ImageRow], topology: &Topology, d: &[Decision]) -> Vec<Vec<usize>> {
    let links = links(rows, topology);
    // Compared in place: a key that owned the digest would allocate on every comparison.
    let oldest_first = |&a: &usize, &b: &usize| {
        (rows[a].image_pushed_at, &rows[a].image_digest)
            .cmp(&(rows[b].image_pushed_at, &rows[b].image_digest))
    };
    let mut indexes: Vec<usize> = (0..rows.len())
        .filter(|&i| d[i].expire && (rows[i].is_multi_arch() || links.contains_key(&i)))
        .collect();
    let mut others: Vec<usize> = (0..rows.len())
        .filter(|&i| d[i].expire && !(rows[i].is_multi_arch() || links.contains_key(&i)))
        .collect();
    others.sort_by(oldest_first);
    // Expiring parents of each expiring index.
    let mut waiting: HashMap<usize, usize> = HashMap::new();
    for &ip in &indexes {
        for &k in links.get(&ip).into_iter().flatten() {
            if d[k].expire && links.contains_key(&k) {
                *waiting.entry(k).or_default() += 1;
            }
        }
    }
    let mut out = Vec::new();
    let mut done: HashSet<usize> = HashSet::new();
    while !indexes.is_empty() {
        let (mut ready, rest): (Vec<usize>, Vec<usize>) = indexes
            .iter()
            .partition(|i| waiting.get(i).copied().unwrap_or(0) == 0);
        if ready.is_empty() {
            // Only a cycle gets here, which content digests make impossible; never loop on it.
            ready = rest.clone();
        }
        ready.sort_by(oldest_first);
        for &ip in &ready {
            done.insert(ip);
            for &k in links.get(&ip).into_iter().flatten() {
                if let Some(w) = waiting.get_mut(&k) {
                    *w = w.saturating_sub(1);
                }
            }
        }
        out.push(ready);
        indexes = rest.into_iter().filter(|i| !done.contains(i)).collect();
    }
    if !others.is_empty() {
        out.push(others);
    }
    out
}
