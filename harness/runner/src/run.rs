//! Running many scenarios: loading and selecting them, one thread each
//! (up to `jobs` at once), snapshots, then the reports.

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use p4ha_backend::Backend;
use p4ha_scenario::{Diagnostic, Scenario};
use p4ha_sim::backend::{SimBackend, SimBackendOptions};

use crate::engine::{Execution, ScenarioOptions, execute};
use crate::failure::Failure;
use crate::options::{BackendKind, RunOptions};
use crate::report;
use crate::result::{RunSummary, ScenarioResult, Status};
use crate::snapshot::{self, Header, Outcome};
use crate::transcript::View;

/// Why a run could not start (the command line's "bad input").
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Scenario files that cannot be read or are invalid.
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n"))]
    Invalid(Vec<Diagnostic>),
    /// Nothing to run.
    #[error("{0}")]
    NothingToRun(String),
    /// Two scenarios share a name (and so a snapshot file).
    #[error("{0}")]
    DuplicateName(String),
    /// The backend cannot be used.
    #[error("{0}")]
    Backend(String),
}

/// Loads every scenario under `paths` (files, or folders searched
/// recursively, skipping `fragments/`), or every problem found.
pub fn load(paths: &[PathBuf]) -> Result<Vec<Scenario>, Vec<Diagnostic>> {
    let mut scenarios = Vec::new();
    let mut problems = Vec::new();
    for file in p4ha_scenario::discover(paths) {
        match p4ha_scenario::load_file(&file) {
            Ok(s) => scenarios.push(s),
            Err(d) => problems.extend(d),
        }
    }
    if problems.is_empty() {
        Ok(scenarios)
    } else {
        Err(problems)
    }
}

/// Whether a scenario is selected by `filter`: its name contains one of
/// the patterns, or one of its tags equals one. An empty filter selects all.
pub fn selected(scenario: &Scenario, filter: &[String]) -> bool {
    filter.is_empty()
        || filter
            .iter()
            .any(|f| scenario.name.contains(f.as_str()) || scenario.tags.contains(f))
}

/// The snapshot folder for a scenario file: `snapshots/` in the nearest
/// folder above it that has one, else at the root of its repository (the
/// nearest folder with `.git`), else in the current folder.
pub fn default_snapshots_dir(scenario_file: &Path) -> PathBuf {
    let abs = std::path::absolute(scenario_file).unwrap_or_else(|_| scenario_file.to_path_buf());
    for dir in abs.ancestors().skip(1) {
        if dir.join("snapshots").is_dir() {
            return dir.join("snapshots");
        }
    }
    for dir in abs.ancestors().skip(1) {
        if dir.join(".git").exists() {
            return dir.join("snapshots");
        }
    }
    std::path::absolute("snapshots").unwrap_or_else(|_| PathBuf::from("snapshots"))
}

/// What `--backend docker` answers while no Docker backend is plugged in.
const NO_DOCKER: &str = "the docker backend is not available yet; run with --backend sim";

/// Whether the backend of a run can be used at all.
fn backend_available(opts: &RunOptions) -> Result<(), String> {
    match (opts.backend, &opts.factory) {
        (BackendKind::Sim, _) | (BackendKind::Docker, Some(_)) => Ok(()),
        (BackendKind::Docker, None) => Err(NO_DOCKER.to_string()),
    }
}

/// Runs the scenarios under `paths`.
pub fn run(paths: &[PathBuf], opts: &RunOptions) -> Result<RunSummary, RunError> {
    let started = Instant::now();
    let all = load(paths).map_err(RunError::Invalid)?;
    if all.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(RunError::NothingToRun(format!(
            "no scenario files found in {}",
            shown.join(", ")
        )));
    }
    let scenarios: Vec<Scenario> = all
        .into_iter()
        .filter(|s| selected(s, &opts.filter))
        .collect();
    if scenarios.is_empty() {
        return Err(RunError::NothingToRun(format!(
            "no scenario matches {}: give part of a name or a tag (`p4ha list` shows them)",
            opts.filter
                .iter()
                .map(|f| format!("-k {f}"))
                .collect::<Vec<_>>()
                .join(" ")
        )));
    }
    let mut names: BTreeMap<&str, &Path> = BTreeMap::new();
    for s in &scenarios {
        if let Some(other) = names.insert(&s.name, &s.file) {
            return Err(RunError::DuplicateName(format!(
                "two scenarios are named '{}' ({} and {}); their snapshots would collide: give one a different `name:`",
                s.name,
                other.display(),
                s.file.display()
            )));
        }
    }
    backend_available(opts).map_err(RunError::Backend)?;
    let display = report::progress::Display::new(opts.progress, scenarios.len());
    let jobs = opts
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .clamp(1, scenarios.len());
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<ScenarioResult>>> = Mutex::new(vec![None; scenarios.len()]);
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(scenario) = scenarios.get(i) else {
                        break;
                    };
                    display.started(&scenario.name);
                    let r = run_scenario(scenario, opts);
                    display.finished(&r);
                    if let Ok(mut slots) = results.lock() {
                        slots[i] = Some(r);
                    }
                }
            });
        }
    });
    display.done();
    let results: Vec<ScenarioResult> = results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect();
    let mut summary = RunSummary {
        results,
        duration: started.elapsed(),
        report_errors: Vec::new(),
    };
    if let Some(dir) = &opts.out {
        for r in &summary.results {
            if let Err(e) = report::out_dir::write(dir, r) {
                summary.report_errors.push(format!("--out: {e}"));
                break;
            }
        }
    }
    if let Some(path) = &opts.junit
        && let Err(e) = report::junit::write(path, &summary)
    {
        summary.report_errors.push(format!("--junit: {e}"));
    }
    Ok(summary)
}

/// Runs one scenario with the options of a run: its own backend, its seed,
/// its snapshot.
pub fn run_scenario(scenario: &Scenario, opts: &RunOptions) -> ScenarioResult {
    let started = Instant::now();
    let seed = opts.seed.or(scenario.seed).unwrap_or(0);
    let sopts = ScenarioOptions {
        seed,
        default_timeout: opts.default_timeout,
        keep_going: opts.keep_going,
    };
    let mut kept = None;
    let execution = match (&opts.factory, opts.backend) {
        (None, BackendKind::Sim) => {
            let mut backend = SimBackend::new(SimBackendOptions {
                parent: None,
                keep: opts.keep,
            });
            let execution = guarded(scenario, &mut backend, &sopts);
            if opts.keep {
                kept = backend.world_dir().map(Path::to_path_buf);
            }
            execution
        }
        (factory, kind) => {
            let made = match factory {
                Some(factory) => factory.make(scenario, opts.keep),
                None => Err(NO_DOCKER.to_string()),
            };
            match made {
                Err(e) => Execution {
                    failures: vec![Failure::scenario(
                        &scenario.name,
                        format!("the {kind} backend cannot start: {e}"),
                    )],
                    ..Execution::default()
                },
                Ok(mut backend) => guarded(scenario, &mut *backend, &sopts),
            }
        }
    };
    finish(scenario, opts, seed, execution, started.elapsed(), kept)
}

/// Runs a scenario, turning a panic into a failure of that scenario.
fn guarded(scenario: &Scenario, backend: &mut dyn Backend, sopts: &ScenarioOptions) -> Execution {
    match catch_unwind(AssertUnwindSafe(|| execute(scenario, backend, sopts))) {
        Ok(e) => e,
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "unknown panic".to_string());
            Execution {
                failures: vec![Failure::scenario(
                    &scenario.name,
                    format!("internal error while running the scenario: {why}"),
                )],
                ..Execution::default()
            }
        }
    }
}

/// Compares the snapshot of a scenario whose steps passed, and builds its result.
fn finish(
    scenario: &Scenario,
    opts: &RunOptions,
    seed: u64,
    mut execution: Execution,
    duration: Duration,
    kept: Option<PathBuf>,
) -> ScenarioResult {
    let mut failures = std::mem::take(&mut execution.failures);
    let mut outcome = None;
    if failures.is_empty() {
        let dir = opts
            .snapshots
            .clone()
            .unwrap_or_else(|| default_snapshots_dir(&scenario.file));
        let header = header(scenario, &dir);
        let content = execution.transcript.render(View::Snapshot);
        match snapshot::check(&dir, &scenario.name, &header, &content, opts.accept) {
            Ok(o) => {
                if let Some(f) = snapshot_failure(scenario, &dir, &o) {
                    failures.push(f);
                }
                outcome = Some(o);
            }
            Err(e) => failures.push(Failure::scenario(&scenario.name, format!("snapshot: {e}"))),
        }
    }
    let status = match (&outcome, failures.is_empty()) {
        (_, false) => Status::Failed,
        (Some(Outcome::Created(_) | Outcome::Updated { .. }), true) => Status::Accepted,
        _ => Status::Passed,
    };
    ScenarioResult {
        name: scenario.name.clone(),
        file: scenario.file.to_path_buf(),
        description: scenario.description.clone(),
        seed,
        status,
        failures,
        snapshot: outcome,
        steps: scenario.steps.len(),
        execution,
        duration,
        kept,
    }
}

fn header(scenario: &Scenario, dir: &Path) -> Header {
    let file = std::path::absolute(&*scenario.file).unwrap_or_else(|_| scenario.file.to_path_buf());
    let source = dir
        .parent()
        .and_then(|root| file.strip_prefix(root).ok())
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| scenario.file.display().to_string());
    Header {
        expression: format!("p4ha run {source}"),
        source,
        description: scenario.description.clone(),
    }
}

fn snapshot_failure(scenario: &Scenario, dir: &Path, o: &Outcome) -> Option<Failure> {
    let snap = snapshot::path(dir, &scenario.name);
    match o {
        Outcome::Matched | Outcome::Created(_) | Outcome::Updated { .. } => None,
        Outcome::Missing(pending) => Some(Failure::scenario(
            &scenario.name,
            format!(
                "no reviewed snapshot {} yet; this run's transcript is in {}: review it, then accept it with `p4ha run --accept` or `cargo insta accept`",
                snap.display(),
                pending.display()
            ),
        )),
        Outcome::Mismatch { pending, diff } => Some(
            Failure::scenario(
                &scenario.name,
                format!(
                    "the transcript differs from the reviewed snapshot {} (- snapshot, + this run); the new one is in {}: review with `cargo insta review`, or accept with `p4ha run --accept`",
                    snap.display(),
                    pending.display()
                ),
            )
            .with_detail(diff.clone()),
        ),
    }
}
