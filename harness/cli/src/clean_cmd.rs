//! `p4ha clean`: removes the containers, networks and volumes that runs
//! with the docker backend left behind when their process was killed.

use std::process::ExitCode;

use clap::Args;
use p4ha_docker::cleanup::{self, Leftover};

/// Remove the containers, networks and volumes left by killed runs.
#[derive(Debug, Args)]
pub struct CleanArgs {
    /// Only list what would be removed.
    #[arg(long)]
    dry_run: bool,
    /// Also remove the resources of runs whose p4ha process still runs (or
    /// runs on another machine sharing the engine).
    #[arg(long)]
    all: bool,
}

/// Runs `p4ha clean`.
pub fn run(args: CleanArgs) -> ExitCode {
    let found = match cleanup::find_leftovers() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("p4ha clean: {e}");
            return ExitCode::from(1);
        }
    };
    let (chosen, spared): (Vec<Leftover>, Vec<Leftover>) =
        found.into_iter().partition(|l| args.all || !l.live);
    let verb = if args.dry_run {
        "would remove"
    } else {
        "removing"
    };
    for l in &chosen {
        println!(
            "{verb} {} {} (run {}, scenario {})",
            l.kind, l.name, l.run, l.scenario
        );
    }
    if !spared.is_empty() {
        let runs: std::collections::BTreeSet<&str> =
            spared.iter().map(|l| l.run.as_str()).collect();
        println!(
            "left {} resource(s) of {} run(s) whose p4ha process still runs; --all removes them too",
            spared.len(),
            runs.len()
        );
    }
    if chosen.is_empty() {
        println!("nothing to remove");
        return ExitCode::SUCCESS;
    }
    if args.dry_run {
        return ExitCode::SUCCESS;
    }
    match cleanup::remove_leftovers(&chosen) {
        Ok(r) => {
            println!(
                "removed {} container(s), {} network(s), {} volume(s)",
                r.containers, r.networks, r.volumes
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("p4ha clean: {e}");
            ExitCode::from(1)
        }
    }
}
