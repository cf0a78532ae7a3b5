//! `p4ha`: rehearse Perforce Helix Core high-availability procedures.
//!
//! The binary is thin: each subcommand parses its arguments with clap and
//! calls into the library crates.
//!
//! Exit status: 0 success, 1 when what was checked is not valid (or a
//! file cannot be read), 2 for bad usage.

mod clean_cmd;
mod docker_run;
mod journal_cmd;
mod multicall;
mod scenario_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Rehearse Perforce Helix Core high-availability runbooks.
#[derive(Debug, Parser)]
#[command(name = "p4ha", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Commands,
}

#[derive(Debug, Subcommand)]
enum Commands {
    /// Run scenarios against the simulator (or containers) and check their
    /// transcripts against the reviewed snapshots.
    Run(scenario_cmd::RunArgs),
    /// Validate scenario files without running them.
    Check(scenario_cmd::CheckArgs),
    /// List scenarios with their descriptions, files and tags.
    List(scenario_cmd::ListArgs),
    /// Check, summarise and filter p4d journal and checkpoint files.
    Journal(journal_cmd::JournalArgs),
    /// Remove the containers, networks and volumes left by killed docker runs.
    Clean(clean_cmd::CleanArgs),
}

/// Exit status for bad usage (unknown option, missing argument).
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    if let Some(status) = multicall::dispatch() {
        return status;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            // --help and --version print to stdout and succeed; usage
            // errors print to stderr.
            let _ = err.print();
            return if err.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let status = match cli.command {
        Commands::Run(args) => scenario_cmd::run(args),
        Commands::Check(args) => scenario_cmd::check(args),
        Commands::List(args) => scenario_cmd::list(args),
        Commands::Journal(args) => journal_cmd::run(args),
        Commands::Clean(args) => clean_cmd::run(args),
    };
    // An interrupted docker run ends with the signal's code once its
    // containers are gone, whatever the steps made of their disappearance.
    p4ha_docker::cleanup::finish_interrupt();
    status
}
