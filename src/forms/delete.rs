//! Deletions: the plan for marked images and tags (what goes, said plainly), the progress of the
//! chunked BatchDeleteImage calls with the final failure report, and the repository deletion
//! confirm (type the name; `force` asked separately when it still holds images).

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::{Gauge, Widget};

use crate::aws::{DeleteOutcome, DeleteReport, ImageRef, ImageRow, TagRow};
use crate::fmt::{count, short_digest, size, thousands};

use super::confirm::{Confirm, WRAP, draw_popup, prompt_line, wrap_words};
use super::text::{Edit, LineEditor};

/// What deleting one id removes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Removes {
    /// By digest: the image and every tag it has.
    Image { digest: String, tags: Vec<String> },
    /// By tag, when the image keeps other tags: only the tag.
    Tag {
        tag: String,
        digest: String,
        keeps: Vec<String>,
    },
    /// By tag, when it is the image's last tag (or all its tags are marked): the image goes too.
    LastTag { tag: String, digest: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletePlan {
    pub repo: String,
    pub items: Vec<Removes>,
    /// What the confirmation says under the totals about what the plan left out or could not
    /// tell (platform manifests of multi-arch images).
    pub notes: Vec<String>,
    /// What the images that go weigh together (each counted once), as the service reports sizes.
    pub bytes: i64,
}

impl DeletePlan {
    /// Plan deleting `images` (whole images) and `tags` (single tags). `tags_of(digest)` gives all
    /// tags an image has (from the loaded rows); `None` when unknown, which is described as
    /// "the image goes too if this is its last tag" rather than guessed.
    pub fn new(
        repo: &str,
        images: &[&ImageRow],
        tags: &[&TagRow],
        tags_of: impl Fn(&str) -> Option<Vec<String>>,
    ) -> Self {
        let mut items: Vec<Removes> = images
            .iter()
            .map(|i| Removes::Image {
                digest: i.image_digest.to_string(),
                tags: i.image_tags.iter().map(|t| t.to_string()).collect(),
            })
            .collect();
        let whole = |d: &str| images.iter().any(|i| &*i.image_digest == d);
        for t in tags {
            let digest = t.image_digest.to_string();
            // Already going with its image.
            if whole(&digest) {
                continue;
            }
            let marked: Vec<&str> = tags
                .iter()
                .filter(|o| o.image_digest == t.image_digest)
                .map(|o| &*o.image_tag)
                .collect();
            let tag = t.image_tag.to_string();
            items.push(match tags_of(&digest) {
                Some(all) => {
                    let keeps: Vec<String> = all
                        .into_iter()
                        .filter(|a| !marked.contains(&a.as_str()))
                        .collect();
                    if keeps.is_empty() {
                        Removes::LastTag { tag, digest }
                    } else {
                        Removes::Tag { tag, digest, keeps }
                    }
                }
                None => Removes::Tag {
                    tag,
                    digest,
                    keeps: vec![],
                },
            });
        }
        let sizes: std::collections::HashMap<&str, i64> = images
            .iter()
            .map(|i| (&*i.image_digest, i.image_size_in_bytes))
            .chain(
                tags.iter()
                    .map(|t| (&*t.image_digest, t.image_size_in_bytes)),
            )
            .collect();
        let mut plan = DeletePlan {
            repo: repo.to_string(),
            items,
            notes: Vec::new(),
            bytes: 0,
        };
        plan.bytes = plan
            .removed_digests()
            .iter()
            .map(|d| sizes.get(d).copied().unwrap_or(0).max(0))
            .sum();
        plan
    }

    /// The ids for `Api::delete_images`: digests for images, tags for tags.
    pub fn ids(&self) -> Vec<ImageRef> {
        self.items
            .iter()
            .map(|r| match r {
                Removes::Image { digest, .. } => ImageRef::Digest(digest.clone()),
                Removes::Tag { tag, .. } | Removes::LastTag { tag, .. } => {
                    ImageRef::Tag(tag.clone())
                }
            })
            .collect()
    }

    /// Images that will be gone afterwards (whole images and last tags; several last tags of one
    /// image count once).
    pub fn images_removed(&self) -> usize {
        self.removed_digests().len()
    }

    fn removed_digests(&self) -> Vec<&str> {
        let mut d: Vec<&str> = self
            .items
            .iter()
            .filter_map(|r| match r {
                Removes::Image { digest, .. } | Removes::LastTag { digest, .. } => {
                    Some(digest.as_str())
                }
                Removes::Tag { .. } => None,
            })
            .collect();
        d.sort_unstable();
        d.dedup();
        d
    }

    /// The plan in one sentence, totals first: "Will delete 350 images (41.2 GB) from ci/builds."
    pub fn summary(&self) -> String {
        let images = self.images_removed();
        let tags_only = self
            .items
            .iter()
            .filter(|r| matches!(r, Removes::Tag { .. }))
            .count();
        let tags = count(tags_only, "tag");
        match (images, tags_only) {
            (0, _) => format!("Will remove {tags} from images in {}.", self.repo),
            (n, 0) => format!(
                "Will delete {} ({}) from {}.",
                count(n, "image"),
                size(self.bytes),
                self.repo
            ),
            (n, _) => format!(
                "Will delete {} ({}) from {} and remove {tags} from images that stay.",
                count(n, "image"),
                size(self.bytes),
                self.repo
            ),
        }
    }

    pub fn line(r: &Removes) -> String {
        match r {
            Removes::Image { digest, tags } if tags.is_empty() => {
                format!("image {} (untagged): the whole image", short_digest(digest))
            }
            Removes::Image { digest, tags } => format!(
                "image {} ({}): the whole image, with all its tags",
                short_digest(digest),
                tags.join(", ")
            ),
            Removes::Tag { tag, digest, keeps } if keeps.is_empty() => format!(
                "tag {tag} of {}: the tag; the image goes too if it is its last tag",
                short_digest(digest)
            ),
            Removes::Tag { tag, digest, keeps } => format!(
                "tag {tag}: only the tag; image {} keeps {}",
                short_digest(digest),
                keeps.join(", ")
            ),
            Removes::LastTag { tag, digest } => format!(
                "tag {tag}: its image's last tag, so the whole image {} goes",
                short_digest(digest)
            ),
        }
    }

    /// The `d` confirmation: every item, then the totals.
    pub fn confirm(&self) -> Confirm {
        let n = self.items.len();
        // The totals first: with hundreds of items the list scrolls, the totals must not.
        let mut lines = vec![
            Line::raw(self.summary()),
            Line::raw("This cannot be undone."),
            Line::default(),
        ];
        for n in &self.notes {
            lines.push(Line::raw(n.clone()));
            lines.push(Line::default());
        }
        lines.extend(
            self.items
                .iter()
                .map(|r| Line::raw(format!("  {}", Self::line(r)))),
        );
        Confirm::new(
            format!(
                "Delete {} item{}",
                thousands(n),
                if n == 1 { "" } else { "s" }
            ),
            lines,
            if n > 8 {
                "delete? y yes · n no · j/k scroll"
            } else {
                "delete? y yes · n no"
            },
        )
    }
}

/// Short digests per line under a grouped refusal (three fit the report's width).
const REPORT_IDS_PER_LINE: usize = 3;

/// Progress of a bulk delete, fed one `DeleteOutcome` per finished chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeleteProgress {
    pub repo: String,
    pub total: usize,
    pub report: DeleteReport,
}

impl DeleteProgress {
    pub fn new(repo: &str, total: usize) -> Self {
        DeleteProgress {
            repo: repo.to_string(),
            total,
            report: DeleteReport::default(),
        }
    }

    pub fn apply(&mut self, o: &DeleteOutcome) {
        self.report.add(o);
    }

    /// Ids accounted for (deleted or failed).
    pub fn done(&self) -> usize {
        self.report.requested
    }

    pub fn is_finished(&self) -> bool {
        self.done() >= self.total
    }

    pub fn ratio(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            (self.done() as f64 / self.total as f64).min(1.0)
        }
    }

    /// The final report: the count, then every failure with failureCode and failureReason.
    /// Identical refusals (same code and reason) are one line with their count, followed by the
    /// ids they concern, so ten platform manifests of one index do not repeat the same sentence
    /// ten times.
    pub fn report_lines(&self) -> Vec<String> {
        let r = &self.report;
        let mut out = vec![format!(
            "Deleted {} of {} from {}.",
            thousands(r.deleted),
            thousands(self.total),
            self.repo
        )];
        if r.failures.is_empty() {
            return out;
        }
        out.push(format!("{} failed:", thousands(r.failures.len())));
        // In the order the service first gave each refusal.
        let mut groups: Vec<((&str, &str), Vec<String>)> = Vec::new();
        let mut at: std::collections::HashMap<(&str, &str), usize> = Default::default();
        for (id, code, reason) in &r.failures {
            let id = match id {
                ImageRef::Digest(d) => short_digest(d),
                ImageRef::Tag(t) => format!("tag {t}"),
            };
            let key = (code.as_str(), reason.as_str());
            let i = *at.entry(key).or_insert_with(|| {
                groups.push((key, Vec::new()));
                groups.len() - 1
            });
            groups[i].1.push(id);
        }
        for ((code, reason), ids) in groups {
            if let [id] = ids.as_slice() {
                out.push(format!("  {id}: {code}: {reason}"));
                continue;
            }
            out.push(format!("  {} × {code}: {reason}", thousands(ids.len())));
            out.extend(
                ids.chunks(REPORT_IDS_PER_LINE)
                    .map(|c| format!("      {}", c.join(", "))),
            );
        }
        out
    }
}

impl Widget for &DeleteProgress {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let title = if self.is_finished() {
            "Delete finished"
        } else {
            "Deleting…"
        };
        let mut lines: Vec<Line<'static>> = vec![Line::default()];
        if self.is_finished() {
            lines.extend(self.report_lines().into_iter().map(Line::raw));
        }
        let prompt = if self.is_finished() {
            "enter or esc closes"
        } else {
            "esc stops sending further chunks"
        };
        let (p, _) = draw_popup(title, &lines, 0, prompt_line(prompt), area, buf);
        // The bar takes the first body row, left empty above for it.
        let bar = Rect {
            x: p.x + 1,
            y: p.y + 1,
            width: p.width.saturating_sub(2),
            height: 1.min(p.height.saturating_sub(2)),
        };
        Gauge::default()
            .gauge_style(Style::new().fg(Color::Cyan))
            .ratio(self.ratio())
            .label(format!(
                "{} / {}",
                thousands(self.done()),
                thousands(self.total)
            ))
            .render(bar, buf);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoDeleteEvent {
    Ignored,
    Changed,
    Cancel,
    /// Send DeleteRepository with this `force`.
    Delete {
        force: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Stage {
    TypeName,
    Force,
}

/// `d` on a repository: type its name; then, when it holds images, a separate force question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoDeleteConfirm {
    pub name: String,
    /// Images it holds, when known (0 ⇒ no force needed).
    pub images: Option<usize>,
    pub typed: LineEditor,
    stage: Stage,
    /// Why the service refused a plain delete (RepositoryNotEmptyException), when it did.
    pub refused: Option<String>,
    /// enter was pressed on a name that is not the repository's: said until the next edit.
    wrong_name: bool,
}

impl RepoDeleteConfirm {
    pub fn new(name: &str, images: Option<usize>) -> Self {
        RepoDeleteConfirm {
            name: name.to_string(),
            images,
            typed: LineEditor::default(),
            stage: Stage::TypeName,
            refused: None,
            wrong_name: false,
        }
    }

    pub fn asking_force(&self) -> bool {
        self.stage == Stage::Force
    }

    /// The service refused a plain delete because the repository is not empty: ask for force.
    pub fn require_force(&mut self, message: &str) {
        self.refused = Some(message.to_string());
        self.stage = Stage::Force;
    }

    pub fn handle_key(&mut self, key: KeyEvent) -> RepoDeleteEvent {
        match self.stage {
            Stage::Force => match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') => RepoDeleteEvent::Delete { force: true },
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc => RepoDeleteEvent::Cancel,
                _ => RepoDeleteEvent::Ignored,
            },
            Stage::TypeName => match key.code {
                KeyCode::Esc => RepoDeleteEvent::Cancel,
                KeyCode::Enter if self.typed.text() == self.name => match self.images {
                    Some(n) if n > 0 => {
                        self.stage = Stage::Force;
                        RepoDeleteEvent::Changed
                    }
                    _ => RepoDeleteEvent::Delete { force: false },
                },
                // A silent enter reads as a frozen dialog: say what is wrong.
                KeyCode::Enter => {
                    self.wrong_name = true;
                    RepoDeleteEvent::Changed
                }
                _ => match self.typed.handle_key(key) {
                    Edit::Ignored => RepoDeleteEvent::Ignored,
                    _ => {
                        self.wrong_name = false;
                        RepoDeleteEvent::Changed
                    }
                },
            },
        }
    }

    pub fn lines(&self) -> Vec<String> {
        match self.stage {
            Stage::TypeName => {
                let mut v = vec![
                    format!("Delete repository {}?", self.name),
                    "Type its name and press enter to confirm.".into(),
                    String::new(),
                    format!("> {}", self.typed.text()),
                ];
                if self.wrong_name {
                    v.push(String::new());
                    v.extend(wrap_words(
                        &format!(
                            "That is not the name: type {} exactly (esc cancels).",
                            self.name
                        ),
                        WRAP,
                    ));
                }
                v
            }
            Stage::Force => {
                let held = match self.images {
                    Some(n) => format!("{} still holds {} images.", self.name, thousands(n)),
                    None => format!("{} still holds images.", self.name),
                };
                let mut v = vec![held];
                if let Some(r) = &self.refused {
                    v.extend(wrap_words(&format!("The service refused: {r}"), WRAP));
                }
                v.push("Deleting it with force deletes every image in it as well;".into());
                v.push("nothing can be pulled from it afterwards. This cannot be undone.".into());
                v
            }
        }
    }
}

impl Widget for &RepoDeleteConfirm {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let lines: Vec<Line<'static>> = self.lines().into_iter().map(Line::raw).collect();
        let prompt = if self.asking_force() {
            "delete it and all its images (force)? y yes · n no"
        } else if self.typed.text() == self.name {
            "enter deletes · esc cancels"
        } else {
            "esc cancels"
        };
        let _ = draw_popup(
            "Delete repository",
            &lines,
            0,
            prompt_line(prompt),
            area,
            buf,
        );
    }
}
