use ecrp::app::list::{List, Row};
use ecrp::aws::ImageRow;
use nucleo_matcher::pattern::{AtomKind, CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32Str};
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Instant;

fn main() {
    let mt: Arc<str> = Arc::from("application/vnd.oci.image.manifest.v1+json");
    let rows: Vec<ImageRow> = (0..100_000)
        .map(|i| ImageRow {
            image_digest: format!(
                "sha256:{}",
                hex::encode(Sha256::digest(format!("x{i}").as_bytes()))
            )
            .into(),
            image_tags: vec![Box::<str>::from(format!("build-{i:06}"))].into(),
            image_size_in_bytes: 1,
            image_pushed_at: i as i64,
            image_manifest_media_type: Some(mt.clone()),
            artifact_media_type: None,
        })
        .collect();
    let mut m = Matcher::new(Config::DEFAULT);
    let mut l: List<ImageRow> = List::default();
    for c in rows.chunks(1000) {
        l.append(c.to_vec(), &mut m);
    }
    for q in ["4", "42", "424", "4242", "424", ""] {
        let t = Instant::now();
        l.set_query(q, &mut m);
        println!("set_query {q:?}: {:?} -> {}", t.elapsed(), l.len());
    }
    // breakdown
    let t = Instant::now();
    let mut s = String::new();
    let mut n = 0usize;
    let hs: Vec<String> = rows
        .iter()
        .map(|r| {
            s.clear();
            r.haystack(&mut s);
            n += s.len();
            s.clone()
        })
        .collect();
    println!(
        "haystacks built: {:?} (avg {} bytes)",
        t.elapsed(),
        n / rows.len()
    );
    for q in ["4", "424"] {
        let p = Pattern::new(
            q,
            CaseMatching::Smart,
            Normalization::Smart,
            AtomKind::Fuzzy,
        );
        let mut buf = Vec::new();
        let t = Instant::now();
        let c = hs
            .iter()
            .filter(|h| p.score(Utf32Str::new(h, &mut buf), &mut m).is_some())
            .count();
        println!("nucleo score {q:?} on prebuilt: {:?} -> {c}", t.elapsed());
        let needle = q.as_bytes();
        let t = Instant::now();
        let c = hs
            .iter()
            .filter(|h| {
                let mut it = h.bytes();
                needle
                    .iter()
                    .all(|&b| it.any(|x| x.eq_ignore_ascii_case(&b)))
            })
            .count();
        println!("subsequence {q:?} on prebuilt: {:?} -> {c}", t.elapsed());
    }
}
