//! Every reviewed snapshot in this folder belongs to a scenario under
//! `scenarios/`: a snapshot left behind by a renamed or removed scenario
//! fails here, so that it is deleted instead of silently kept.
//!
//! This file is a test target of the `p4ha-runner` package. Being one also
//! makes this folder a source folder of a package, which is where `cargo
//! insta review` and `cargo insta accept` look for pending `.snap.new`
//! files.

use std::path::Path;

#[test]
fn every_snapshot_has_its_scenario() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let scenarios = root.join("scenarios");
    let names: Vec<String> = match p4ha_runner::load(&[scenarios]) {
        Ok(list) => list.into_iter().map(|s| s.name).collect(),
        Err(problems) => panic!(
            "{}",
            problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        ),
    };
    let mut orphans = Vec::new();
    for entry in std::fs::read_dir(root.join("snapshots")).expect("the snapshots folder") {
        let path = entry.expect("a folder entry").path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if let Some(scenario) = name.strip_suffix(".snap")
            && !names.iter().any(|n| n == scenario)
        {
            orphans.push(name.to_string());
        }
    }
    assert!(
        orphans.is_empty(),
        "snapshots without a scenario named like them (delete them, or rename the scenario back): {}",
        orphans.join(", ")
    );
}
