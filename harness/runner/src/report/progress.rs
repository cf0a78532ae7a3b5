//! Progress while scenarios run: a bar on a terminal, one line per
//! finished scenario otherwise.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use crate::options::Progress;
use crate::result::ScenarioResult;

/// Shows progress on standard error.
pub enum Display {
    /// Nothing.
    Quiet,
    /// Plain lines.
    Plain,
    /// A bar.
    Bar(ProgressBar),
}

impl Display {
    /// The display for `total` scenarios.
    pub fn new(mode: Progress, total: usize) -> Display {
        match mode {
            Progress::Quiet => Display::Quiet,
            Progress::Plain => Display::Plain,
            Progress::Auto if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::new(total as u64);
                if let Ok(style) =
                    ProgressStyle::with_template("{spinner} [{pos}/{len}] {elapsed} {wide_msg}")
                {
                    bar.set_style(style);
                }
                bar.enable_steady_tick(Duration::from_millis(120));
                Display::Bar(bar)
            }
            Progress::Auto => Display::Plain,
        }
    }

    /// A scenario started.
    pub fn started(&self, name: &str) {
        if let Display::Bar(bar) = self {
            bar.set_message(format!("running {name}"));
        }
    }

    /// A scenario finished.
    pub fn finished(&self, r: &ScenarioResult) {
        match self {
            Display::Quiet => {}
            Display::Plain => {
                let mut err = std::io::stderr().lock();
                let _ = writeln!(err, "{}", r.progress_line());
            }
            Display::Bar(bar) => {
                bar.println(r.progress_line());
                bar.inc(1);
            }
        }
    }

    /// The run is over.
    pub fn done(&self) {
        if let Display::Bar(bar) = self {
            bar.finish_and_clear();
        }
    }
}
