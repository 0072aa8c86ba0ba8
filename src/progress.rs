//! Progress of a scan: [`scan_with`](crate::scan_with) tells a [`Progress`]
//! how many units there are and when each one is done. The command line
//! shows a bar on stderr only when stderr is a terminal and the scan is
//! long; everything else gets [`Silent`].

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Receives the progress of a scan (from worker threads).
pub trait Progress: Sync {
    /// The scan found `units` units to analyse.
    fn start(&self, units: usize);
    /// The scan now expects `units` units in all (a scan that discovers a
    /// dump as it goes learns the number on the way).
    fn recount(&self, units: usize) {
        let _ = units;
    }
    /// One more unit is done.
    fn unit_done(&self);
    /// Every unit is done.
    fn finish(&self);
    /// Runs `write` (output to the terminal) with the bar out of the way.
    fn suspend(&self, write: &mut dyn FnMut()) {
        write()
    }
}

/// Reports nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: usize) {}
    fn unit_done(&self) {}
    fn finish(&self) {}
}

/// Scans with more units than this show the bar from the start.
pub const MANY_UNITS: usize = 200;

/// Smaller scans show the bar once they have taken this long.
pub const SLOW_SCAN: Duration = Duration::from_secs(1);

/// A bar on stderr that stays hidden until the scan proves long.
pub struct TerminalBar {
    bar: ProgressBar,
    began: Instant,
    shown: AtomicBool,
}

impl TerminalBar {
    /// A bar for stderr; the caller checks that stderr is a terminal.
    pub fn new() -> Self {
        let bar = ProgressBar::hidden();
        if let Ok(style) = ProgressStyle::with_template(
            "relaylint {bar:30} {pos}/{len} units, {elapsed} elapsed, ~{eta} left",
        ) {
            bar.set_style(style);
        }
        TerminalBar {
            bar,
            began: Instant::now(),
            shown: AtomicBool::new(false),
        }
    }

    fn show(&self) {
        if !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

impl Default for TerminalBar {
    fn default() -> Self {
        Self::new()
    }
}

impl Progress for TerminalBar {
    fn start(&self, units: usize) {
        self.bar.set_length(units as u64);
        if units > MANY_UNITS {
            self.show();
        }
    }

    fn recount(&self, units: usize) {
        self.bar.set_length(units as u64);
        if units > MANY_UNITS {
            self.show();
        }
    }

    fn unit_done(&self) {
        self.bar.inc(1);
        if !self.shown.load(Ordering::Relaxed) && self.began.elapsed() >= SLOW_SCAN {
            self.show();
        }
    }

    fn suspend(&self, write: &mut dyn FnMut()) {
        self.bar.suspend(write)
    }

    fn finish(&self) {
        // The bar goes away so that the report starts on a clean line.
        self.bar.finish_and_clear();
    }
}
