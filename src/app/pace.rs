//! When to draw: at most about one frame per `FRAME` in a burst of messages, but the first change
//! after a quiet moment, and the one right after it, are drawn at once. A key press draws its frame
//! immediately and the first page that answers it a few milliseconds later is not held back to the
//! end of the interval (that cost 12 ms on "first rows drawn" in the scale benchmark).

use std::time::{Duration, Instant};

/// At most this many frames per second in a sustained burst of messages.
pub const FRAME: Duration = Duration::from_millis(1000 / 60);

#[derive(Debug, Clone, Copy)]
pub struct Pacer {
    last: Option<Instant>,
    /// The last frame followed a pause of at least `FRAME`, so one more may follow at once.
    spare: bool,
}

impl Default for Pacer {
    fn default() -> Self {
        Pacer {
            last: None,
            spare: true,
        }
    }
}

impl Pacer {
    /// Whether a pending change may be drawn at `now`.
    pub fn may_draw(&self, now: Instant) -> bool {
        self.spare || self.last.is_none_or(|l| now.duration_since(l) >= FRAME)
    }

    /// Record a frame drawn at `now`. Frames held back by the cap come exactly one `FRAME` apart,
    /// so only a gap of two frames or more counts as a pause.
    pub fn drew(&mut self, now: Instant) {
        self.spare = self.last.is_none_or(|l| now.duration_since(l) >= 2 * FRAME);
        self.last = Some(now);
    }

    /// When a change that may not be drawn yet becomes drawable.
    pub fn next_slot(&self, now: Instant) -> Instant {
        match self.last {
            Some(l) if !self.spare => l + FRAME,
            _ => now,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_quick_frames_after_a_pause_then_the_cap() {
        let t0 = Instant::now();
        let mut p = Pacer::default();
        assert!(p.may_draw(t0));
        p.drew(t0); // the key press
        let t1 = t0 + Duration::from_millis(5);
        assert!(
            p.may_draw(t1),
            "the first page right after is drawn at once"
        );
        p.drew(t1);
        let t2 = t1 + Duration::from_millis(2);
        assert!(!p.may_draw(t2), "a burst is capped");
        assert_eq!(p.next_slot(t2), t1 + FRAME);
        let t3 = t1 + FRAME;
        assert!(p.may_draw(t3));
        p.drew(t3);
        assert!(
            !p.may_draw(t3 + Duration::from_millis(1)),
            "still in the burst"
        );
        let t35 = t3 + FRAME;
        p.drew(t35);
        assert!(
            !p.may_draw(t35 + Duration::from_millis(1)),
            "frames stay capped"
        );
        let t4 = t35 + Duration::from_millis(100);
        assert!(p.may_draw(t4), "after a pause, at once again");
    }
}
