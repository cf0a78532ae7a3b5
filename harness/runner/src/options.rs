//! How a run is configured.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use p4ha_backend::Backend;
use p4ha_scenario::Scenario;

/// Which backend runs the servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BackendKind {
    /// The embedded simulator (default).
    #[default]
    Sim,
    /// One container per machine.
    Docker,
}

impl BackendKind {
    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            BackendKind::Sim => "sim",
            BackendKind::Docker => "docker",
        }
    }
}

impl fmt::Display for BackendKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BackendKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "sim" => Ok(BackendKind::Sim),
            "docker" => Ok(BackendKind::Docker),
            other => Err(format!("unknown backend '{other}': use sim or docker")),
        }
    }
}

/// Makes the backend of one scenario, on the thread that runs it: how a
/// backend that lives in another crate (Docker) is plugged into a run
/// without the runner depending on it. `keep` asks it to leave the
/// machines in place after the scenario.
#[derive(Clone)]
pub struct BackendFactory(Arc<MakeBackend>);

/// The function behind a [`BackendFactory`].
type MakeBackend = dyn Fn(&Scenario, bool) -> Result<Box<dyn Backend>, String> + Send + Sync;

impl BackendFactory {
    /// A factory from a function.
    pub fn new(
        make: impl Fn(&Scenario, bool) -> Result<Box<dyn Backend>, String> + Send + Sync + 'static,
    ) -> BackendFactory {
        BackendFactory(Arc::new(make))
    }

    /// A backend for `scenario`.
    pub fn make(&self, scenario: &Scenario, keep: bool) -> Result<Box<dyn Backend>, String> {
        (self.0)(scenario, keep)
    }
}

impl fmt::Debug for BackendFactory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BackendFactory")
    }
}

/// How progress is shown while scenarios run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Progress {
    /// A progress bar when standard error is a terminal, plain lines otherwise.
    #[default]
    Auto,
    /// One line per finished scenario on standard error.
    Plain,
    /// Nothing.
    Quiet,
}

/// Everything a run can be told.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The backend.
    pub backend: BackendKind,
    /// Makes the backend of each scenario; without one, the built-in
    /// simulator serves [`BackendKind::Sim`] and [`BackendKind::Docker`]
    /// is unavailable.
    pub factory: Option<BackendFactory>,
    /// Seed for every scenario (else the scenario's `seed:`, else 0).
    pub seed: Option<u64>,
    /// Write snapshots that differ or are missing instead of failing.
    pub accept: bool,
    /// Folder of the snapshots (default: `snapshots/` at the repository
    /// root of each scenario, see [`crate::default_snapshots_dir`]).
    pub snapshots: Option<PathBuf>,
    /// Folder for per-scenario transcripts and journals.
    pub out: Option<PathBuf>,
    /// JUnit XML report to write.
    pub junit: Option<PathBuf>,
    /// Select scenarios whose name contains one of these, or that carry
    /// one of them as a tag; empty selects all.
    pub filter: Vec<String>,
    /// Scenarios run at once (default: the number of cores).
    pub jobs: Option<usize>,
    /// Keep the machines' files after each scenario.
    pub keep: bool,
    /// Run the remaining steps of a scenario after one failed.
    pub keep_going: bool,
    /// Progress display.
    pub progress: Progress,
    /// Time limit of a command whose step sets none (backend time).
    pub default_timeout: Duration,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            backend: BackendKind::Sim,
            factory: None,
            seed: None,
            accept: false,
            snapshots: None,
            out: None,
            junit: None,
            filter: Vec::new(),
            jobs: None,
            keep: false,
            keep_going: false,
            progress: Progress::Auto,
            default_timeout: Duration::from_secs(600),
        }
    }
}
