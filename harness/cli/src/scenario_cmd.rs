//! `p4ha run`, `p4ha check` and `p4ha list`: rehearse scenarios, validate
//! them, list them.
//!
//! Exit status of `run`: 0 when every scenario passed, 1 when any failed,
//! 2 for bad input (an unreadable or invalid scenario, a bad option, an
//! unavailable backend, nothing selected, a report that cannot be
//! written). `check`: 0 when every file is valid, 2 otherwise.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use p4ha_runner::{BackendKind, Diagnostic, Progress, RunError, RunOptions};

/// Exit status for bad input.
const EXIT_BAD_INPUT: u8 = 2;

/// Arguments of `p4ha run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Scenario files or folders (searched recursively; `fragments/`
    /// folders are skipped).
    #[arg(value_name = "PATH", default_value = "scenarios")]
    paths: Vec<PathBuf>,
    /// Where the servers run: `sim` (the embedded simulator) or `docker`.
    #[arg(long, value_name = "BACKEND", default_value = "sim", value_parser = parse_backend)]
    backend: BackendKind,
    /// Seed of every random choice, for every scenario (default: each
    /// scenario's `seed:`, else 0). The same seed gives the same run.
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Write, per scenario, the transcript of every step and each server's
    /// normalised journal into DIR/NAME/.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Run only scenarios whose name contains PATTERN or that carry the tag
    /// PATTERN (repeatable).
    #[arg(short = 'k', long = "filter", value_name = "PATTERN")]
    filter: Vec<String>,
    /// Accept the transcripts as the reviewed snapshots: write new and
    /// changed snapshots instead of failing.
    #[arg(long)]
    accept: bool,
    /// Folder of the reviewed snapshots (default: `snapshots/` at the
    /// repository root).
    #[arg(long, value_name = "DIR")]
    snapshots: Option<PathBuf>,
    /// How many scenarios run at once (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
    jobs: Option<u16>,
    /// Keep the machines' files after each scenario, for inspection.
    #[arg(long)]
    keep: bool,
    /// Run the remaining steps of a scenario after one fails.
    #[arg(long)]
    keep_going: bool,
    /// Print one line per scenario instead of a progress bar.
    #[arg(long)]
    plain: bool,
    /// With `--backend docker`, the image of machines whose scenario names
    /// none: `auto` (p4ha/p4d:VERSION when the engine has it, else the
    /// simulator's image), `sim`, or a name where `{version}` stands for
    /// the machine's p4d release.
    #[arg(long, value_name = "IMAGE")]
    docker_image: Option<String>,
}

fn parse_backend(s: &str) -> Result<BackendKind, String> {
    s.parse()
}

/// Arguments of `p4ha check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario files or folders.
    #[arg(value_name = "PATH", default_value = "scenarios")]
    paths: Vec<PathBuf>,
}

/// Arguments of `p4ha list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Scenario files or folders.
    #[arg(value_name = "PATH", default_value = "scenarios")]
    paths: Vec<PathBuf>,
    /// Only scenarios whose name contains PATTERN or that carry the tag
    /// PATTERN (repeatable).
    #[arg(short = 'k', long = "filter", value_name = "PATTERN")]
    filter: Vec<String>,
}

fn print_diagnostics(diags: &[Diagnostic]) {
    let mut err = std::io::stderr().lock();
    for d in diags {
        let _ = writeln!(err, "{d}");
    }
    let _ = writeln!(
        err,
        "{} problem{} found; nothing was run",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" }
    );
}

/// `p4ha run`.
pub fn run(args: RunArgs) -> ExitCode {
    let opts = RunOptions {
        backend: args.backend,
        factory: crate::docker_run::factory(args.backend, args.docker_image.as_deref()),
        seed: args.seed,
        accept: args.accept,
        snapshots: args.snapshots,
        out: args.out,
        junit: args.junit,
        filter: args.filter,
        jobs: args.jobs.map(usize::from),
        keep: args.keep,
        keep_going: args.keep_going,
        progress: if args.plain {
            Progress::Plain
        } else {
            Progress::Auto
        },
        ..RunOptions::default()
    };
    match p4ha_runner::run(&args.paths, &opts) {
        Ok(summary) => {
            print!("{}", summary.report());
            for e in &summary.report_errors {
                eprintln!("p4ha run: cannot write the report {e}");
            }
            if !summary.report_errors.is_empty() {
                ExitCode::from(EXIT_BAD_INPUT)
            } else if summary.all_passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(RunError::Invalid(diags)) => {
            print_diagnostics(&diags);
            ExitCode::from(EXIT_BAD_INPUT)
        }
        Err(e) => {
            eprintln!("p4ha run: {e}");
            ExitCode::from(EXIT_BAD_INPUT)
        }
    }
}

/// `p4ha check`.
pub fn check(args: CheckArgs) -> ExitCode {
    let files = p4ha_runner::scenario_files(&args.paths);
    let diags = p4ha_runner::check(&args.paths);
    if diags.is_empty() {
        println!(
            "{} scenario file{} valid",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
        return ExitCode::SUCCESS;
    }
    let mut err = std::io::stderr().lock();
    for d in &diags {
        let _ = writeln!(err, "{d}");
    }
    let _ = writeln!(
        err,
        "{} problem{} found",
        diags.len(),
        if diags.len() == 1 { "" } else { "s" }
    );
    ExitCode::from(EXIT_BAD_INPUT)
}

/// `p4ha list`.
pub fn list(args: ListArgs) -> ExitCode {
    let infos = match p4ha_runner::list(&args.paths) {
        Ok(i) => i,
        Err(diags) => {
            print_diagnostics(&diags);
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let infos: Vec<_> = infos
        .into_iter()
        .filter(|i| {
            args.filter.is_empty()
                || args
                    .filter
                    .iter()
                    .any(|f| i.name.contains(f.as_str()) || i.tags.contains(f))
        })
        .collect();
    let width = infos.iter().map(|i| i.name.len()).max().unwrap_or(0);
    let mut out = std::io::stdout().lock();
    for i in &infos {
        let _ = writeln!(
            out,
            "{:<width$}  {}",
            i.name,
            i.description.as_deref().unwrap_or("(no description)")
        );
        let mut where_ = format!("{:<width$}  {} ({} steps)", "", i.file.display(), i.steps);
        if !i.tags.is_empty() {
            where_.push_str(&format!(" [{}]", i.tags.join(", ")));
        }
        let _ = writeln!(out, "{where_}");
    }
    ExitCode::SUCCESS
}
