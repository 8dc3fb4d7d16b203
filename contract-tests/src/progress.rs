//! Progress of long work (a cluster starting, the scenario's steps): a bar or spinner on a terminal,
//! plain lines when stderr is not one (a CI log), one per change, never a repeated line.

use std::io::IsTerminal;
use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

/// All bars of the process draw through one `MultiProgress`, so concurrent ones (a cluster starting on
/// another thread while steps run) do not overwrite each other.
fn bars() -> Option<&'static MultiProgress> {
    static BARS: OnceLock<Option<MultiProgress>> = OnceLock::new();
    BARS.get_or_init(|| std::io::stderr().is_terminal().then(MultiProgress::new))
        .as_ref()
}

/// One piece of long work: `total` steps (a bar), or an unknown number (a spinner, `total` 0).
pub struct Progress {
    label: String,
    total: u64,
    done: u64,
    last: String,
    bar: Option<ProgressBar>,
}

impl Progress {
    pub fn new(label: impl Into<String>, total: u64) -> Progress {
        let label = label.into();
        let bar = bars().map(|all| {
            let (bar, template) = match total {
                0 => (
                    ProgressBar::new_spinner(),
                    "{spinner} {prefix} {msg} ({elapsed})",
                ),
                n => (
                    ProgressBar::new(n),
                    "{prefix} [{bar:24}] {pos}/{len} {msg} ({elapsed})",
                ),
            };
            let style = ProgressStyle::with_template(template)
                .unwrap_or_else(|_| ProgressStyle::default_bar());
            let bar = all.add(bar.with_style(style.progress_chars("=> ")));
            bar.set_prefix(label.clone());
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress {
            label,
            total,
            done: 0,
            last: String::new(),
            bar,
        }
    }

    /// Now doing `what` (a step's name, a state being waited for).
    pub fn set(&mut self, what: &str) {
        if what == self.last {
            return;
        }
        what.clone_into(&mut self.last);
        match &self.bar {
            Some(bar) => bar.set_message(what.to_string()),
            None if self.total > 0 => {
                eprintln!("{} [{}/{}] {what}", self.label, self.done + 1, self.total)
            }
            None => eprintln!("{}: {what}", self.label),
        }
    }

    /// The current step is done.
    pub fn step_done(&mut self) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// Ends it with a last word (kept on a terminal, a line in a log).
    pub fn finish(self, outcome: &str) {
        match &self.bar {
            Some(bar) => bar.finish_with_message(outcome.to_string()),
            None => eprintln!("{}: {outcome}", self.label),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            if !bar.is_finished() {
                bar.abandon();
            }
        }
    }
}
