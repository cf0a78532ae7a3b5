//! Loads scenario files (or folders of them) and prints each one's problems
//! as `FILE:LINE:COL: message`, or a one-line summary when it is valid.
//!
//! `cargo run -p p4ha-scenario --example check -- scenarios/`

use std::process::ExitCode;

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    let mut failed = false;
    for path in p4ha_scenario::discover(&paths) {
        match p4ha_scenario::load_file(&path) {
            Ok(scenario) => println!(
                "{}: ok: {} ({} servers, {} steps)",
                path.display(),
                scenario.name,
                scenario.servers.len(),
                scenario.steps.len()
            ),
            Err(diagnostics) => {
                failed = true;
                println!("{diagnostics}");
            }
        }
    }
    if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}
