//! The p4ha scenario runner: runs scenarios against a backend (the
//! embedded simulator by default), normalises what they print, checks the
//! transcripts against reviewed snapshots, checks durability after
//! failovers, and writes reports.
//!
//! Data flow: scenario files -> [`load`] -> [`run`] (one thread per
//! scenario) -> [`engine::execute`] over a [`p4ha_backend::Backend`] ->
//! [`transcript::Transcript`] (normalised by [`normalise::Normaliser`]) ->
//! [`snapshot`] + [`report`].
//!
//! Every server is installed the way an administrator installs p4d, through
//! the backend's `write_file` and `exec` only (p4dctl configuration,
//! `p4d -xD`, `p4dctl start`), so any backend that runs command lines on
//! machines fits without change.
//!
//! ```no_run
//! use p4ha_runner::{RunOptions, run};
//! let summary = run(&["scenarios".into()], &RunOptions::default()).unwrap();
//! print!("{}", summary.report());
//! std::process::exit(if summary.all_passed() { 0 } else { 1 });
//! ```

#![warn(missing_docs)]

pub mod durability;
pub mod engine;
pub mod failure;
pub mod form;
pub mod install;
pub mod normalise;
pub mod options;
pub mod plan;
pub mod report;
pub mod result;
mod run;
pub mod snapshot;
pub mod transcript;

use std::path::PathBuf;

pub use engine::{Execution, ScenarioOptions, execute};
pub use failure::{Failure, StepRef};
pub use options::{BackendFactory, BackendKind, Progress, RunOptions};
pub use p4ha_scenario::Diagnostic;
pub use result::{RunSummary, ScenarioResult, Status};
pub use run::{RunError, default_snapshots_dir, load, run, run_scenario, selected};

/// Validates the scenarios under `paths` without running them: every
/// problem, each displayed as `FILE:LINE:COL: message`; empty when all are
/// valid. A path that does not exist is a problem too.
pub fn check(paths: &[PathBuf]) -> Vec<Diagnostic> {
    load(paths).err().unwrap_or_default()
}

/// One line of `p4ha list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioInfo {
    /// The scenario's name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// Its file.
    pub file: PathBuf,
    /// Its tags.
    pub tags: Vec<String>,
    /// How many steps it has.
    pub steps: usize,
}

/// The scenarios under `paths`, or every problem found.
pub fn list(paths: &[PathBuf]) -> Result<Vec<ScenarioInfo>, Vec<Diagnostic>> {
    Ok(load(paths)?
        .into_iter()
        .map(|s| ScenarioInfo {
            name: s.name,
            description: s.description,
            file: s.file.to_path_buf(),
            tags: s.tags,
            steps: s.steps.len(),
        })
        .collect())
}

/// The scenario files `paths` name (folders searched recursively,
/// `fragments/` skipped).
pub fn scenario_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    p4ha_scenario::discover(paths)
}
