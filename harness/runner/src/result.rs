//! What a run found, per scenario and in total.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::engine::Execution;
use crate::failure::Failure;
use crate::snapshot::Outcome;

/// How a scenario ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Every step passed and the snapshot matched.
    Passed,
    /// Every step passed; its snapshot was new or changed and was written
    /// because the run accepts snapshots.
    Accepted,
    /// A step failed, or the snapshot differs or is missing.
    Failed,
}

impl Status {
    /// `PASS`, `NEW`, `FAIL`.
    pub fn label(self) -> &'static str {
        match self {
            Status::Passed => "PASS",
            Status::Accepted => "NEW ",
            Status::Failed => "FAIL",
        }
    }
}

/// One scenario's result.
#[derive(Debug, Clone)]
pub struct ScenarioResult {
    /// The scenario's name.
    pub name: String,
    /// Its file.
    pub file: PathBuf,
    /// Its description.
    pub description: Option<String>,
    /// The seed it ran with.
    pub seed: u64,
    /// How it ended.
    pub status: Status,
    /// Why it failed.
    pub failures: Vec<Failure>,
    /// The snapshot comparison, when it was made (not after a failed step).
    pub snapshot: Option<Outcome>,
    /// How many steps it has.
    pub steps: usize,
    /// What happened.
    pub execution: Execution,
    /// Wall-clock time taken.
    pub duration: Duration,
    /// Where the machines' files were kept (`--keep`).
    pub kept: Option<PathBuf>,
}

impl ScenarioResult {
    /// True unless it failed.
    pub fn passed(&self) -> bool {
        self.status != Status::Failed
    }

    /// One line for progress displays.
    pub fn progress_line(&self) -> String {
        let mut line = format!("{} {}", self.status.label(), self.name);
        match self.status {
            Status::Failed => {
                if let Some(f) = self.failures.first() {
                    let at = f
                        .step
                        .as_ref()
                        .map(|s| format!(" at step {}", s.number))
                        .unwrap_or_default();
                    let _ = write!(line, "{at}: {}", f.message);
                }
            }
            Status::Accepted => {
                let what = match &self.snapshot {
                    Some(Outcome::Created(p)) => format!(" (snapshot written: {})", p.display()),
                    Some(Outcome::Updated { path, .. }) => {
                        format!(" (snapshot updated: {})", path.display())
                    }
                    _ => String::new(),
                };
                line.push_str(&what);
            }
            Status::Passed => {
                let _ = write!(
                    line,
                    " ({} steps, {:.2}s)",
                    self.steps,
                    self.duration.as_secs_f64()
                );
            }
        }
        line
    }
}

/// The results of a run, in the order the scenarios were given.
#[derive(Debug, Clone, Default)]
pub struct RunSummary {
    /// One per scenario run.
    pub results: Vec<ScenarioResult>,
    /// Wall-clock time of the whole run.
    pub duration: Duration,
    /// Reports (`--out`, `--junit`) that could not be written.
    pub report_errors: Vec<String>,
}

impl RunSummary {
    /// True when no scenario failed.
    pub fn all_passed(&self) -> bool {
        self.results.iter().all(ScenarioResult::passed)
    }

    /// Counts: (passed, accepted, failed).
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |s: Status| self.results.iter().filter(|r| r.status == s).count();
        (n(Status::Passed), n(Status::Accepted), n(Status::Failed))
    }

    /// The report printed at the end of a run: every failure in full, then
    /// one summary line.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for r in self.results.iter().filter(|r| !r.passed()) {
            let _ = writeln!(
                out,
                "FAILED {} ({}, seed {})",
                r.name,
                r.file.display(),
                r.seed
            );
            for f in &r.failures {
                let _ = writeln!(out, "{f}");
            }
            out.push('\n');
        }
        for r in &self.results {
            if let Some(k) = &r.kept {
                let _ = writeln!(out, "{}: machines' files kept in {}", r.name, k.display());
            }
        }
        let (passed, accepted, failed) = self.counts();
        let _ = write!(
            out,
            "{} scenario{}: {passed} passed",
            self.results.len(),
            plural(self.results.len())
        );
        if accepted > 0 {
            let _ = write!(out, ", {accepted} with new or updated snapshots");
        }
        let _ = writeln!(
            out,
            ", {failed} failed ({:.2}s)",
            self.duration.as_secs_f64()
        );
        out
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
