//! The emulator's time: the wall clock, or a clock that moves only when a test says so. Either can be
//! moved forward, so a test waits for nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the epoch, as Flink writes times. Cloning shares the clock.
#[derive(Debug, Clone)]
pub struct Clock(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    /// `None`: the wall clock; else a fixed start.
    frozen_at: Option<u64>,
    /// Added by [`Clock::advance`].
    offset: AtomicU64,
}

impl Clock {
    /// The wall clock (what `cargo xtask emulate` and the gate use).
    pub fn system() -> Clock {
        Clock(Arc::new(Inner {
            frozen_at: None,
            offset: AtomicU64::new(0),
        }))
    }

    /// A clock standing at `start_ms` until advanced.
    pub fn manual(start_ms: u64) -> Clock {
        Clock(Arc::new(Inner {
            frozen_at: Some(start_ms),
            offset: AtomicU64::new(0),
        }))
    }

    pub fn now_ms(&self) -> u64 {
        let base = self.0.frozen_at.unwrap_or_else(|| {
            let since = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap_or_default();
            since.as_millis() as u64
        });
        base + self.0.offset.load(Ordering::SeqCst)
    }

    /// Moves time forward: what would have happened meanwhile (a job started, a savepoint completed)
    /// has happened at the next request.
    pub fn advance(&self, by: Duration) {
        self.0
            .offset
            .fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_advanced() {
        let clock = Clock::manual(1_000);
        assert_eq!(clock.now_ms(), 1_000);
        clock.clone().advance(Duration::from_millis(250));
        assert_eq!(clock.now_ms(), 1_250);
        let wall = Clock::system();
        let before = wall.now_ms();
        wall.advance(Duration::from_secs(60));
        assert!(wall.now_ms() >= before + 60_000);
    }
}
