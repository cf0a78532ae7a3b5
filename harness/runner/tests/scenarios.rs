//! Every scenario file under the repository's `scenarios/` folder (fragments
//! excepted) is one test: it runs on the simulator and its transcript must
//! equal its reviewed snapshot in `snapshots/`. A new file is a new test
//! without recompiling.
//!
//! `P4HA_ACCEPT=1` (or `INSTA_UPDATE=always`) writes new and changed
//! snapshots instead of failing; otherwise a difference leaves a
//! `.snap.new` file beside the snapshot for `cargo insta review`.

use std::path::{Path, PathBuf};

use libtest_mimic::{Arguments, Failed, Trial};
use p4ha_runner::{Progress, RunOptions};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn accept() -> bool {
    std::env::var("P4HA_ACCEPT").is_ok_and(|v| !v.is_empty() && v != "0")
        || std::env::var("INSTA_UPDATE").is_ok_and(|v| v == "always")
}

fn trial_for(file: PathBuf, scenarios: &Path) -> Trial {
    let name = file
        .strip_prefix(scenarios)
        .unwrap_or(&file)
        .display()
        .to_string();
    let snapshots = repo_root().join("snapshots");
    Trial::test(name, move || {
        let scenario = p4ha_scenario::load_file(&file).map_err(|d| Failed::from(d.to_string()))?;
        let opts = RunOptions {
            snapshots: Some(snapshots),
            accept: accept(),
            progress: Progress::Quiet,
            ..RunOptions::default()
        };
        let result = p4ha_runner::run_scenario(&scenario, &opts);
        if result.passed() {
            Ok(())
        } else {
            let text: Vec<String> = result.failures.iter().map(ToString::to_string).collect();
            Err(Failed::from(text.join("\n\n")))
        }
    })
}

fn main() {
    let args = Arguments::from_args();
    let scenarios = repo_root().join("scenarios");
    let trials: Vec<Trial> = if scenarios.is_dir() {
        p4ha_scenario::discover([&scenarios])
            .into_iter()
            .map(|f| trial_for(f, &scenarios))
            .collect()
    } else {
        Vec::new()
    };
    libtest_mimic::run(&args, trials).exit();
}
