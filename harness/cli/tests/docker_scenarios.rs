//! The seed scenarios on the docker backend, with the simulator's image:
//! the same files and the same reviewed snapshots as on the embedded
//! simulator; and a run interrupted with SIGTERM leaves no container or
//! network behind. Runs whenever a Docker engine answers (with `CI=true`,
//! a missing engine fails).

mod docker_support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use docker_support::*;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn scenario_names() -> Vec<String> {
    let list =
        p4ha_runner::load(&[repo_root().join("scenarios")]).expect("the seed scenarios load");
    list.into_iter().map(|s| s.name).collect()
}

/// `p4ha run` on the docker backend with the simulator's image, plain output.
fn run_on_docker() -> Command {
    let mut command = Command::new(p4ha());
    command.args([
        "run",
        "--backend",
        "docker",
        "--docker-image",
        "sim",
        "--plain",
    ]);
    command
}

#[test]
fn seed_scenarios_pass_on_the_simulator_image() {
    if !engine_or_skip("seed_scenarios_pass_on_the_simulator_image") {
        return;
    }
    let out_dir = tempfile::tempdir().expect("a temporary folder");
    let junit = out_dir.path().join("junit.xml");
    let started = Instant::now();
    // Most of a scenario's time on containers is spent waiting (replication
    // retries, p4dctl stops), not computing: more jobs than cores pay off.
    let out = run_on_docker()
        .current_dir(repo_root())
        .args(["--jobs", "6", "--junit"])
        .arg(&junit)
        .arg("scenarios")
        .output()
        .expect("p4ha runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("{stdout}{stderr}");
    eprintln!("seed scenarios on docker: {:?}", started.elapsed());
    assert_eq!(
        out.status.code(),
        Some(0),
        "the seed scenarios fail on docker:\n{stdout}\n{stderr}"
    );
    let report = std::fs::read_to_string(&junit).expect("the JUnit report");
    for name in scenario_names() {
        assert!(
            report.contains(&format!("name=\"{name}\"")),
            "{name} is missing from the JUnit report"
        );
        assert!(
            leftovers_of(&name).is_empty(),
            "{name} left resources on the engine: {:?}",
            leftovers_of(&name)
        );
    }
}

/// A scenario that takes long enough to be interrupted midway: a standalone
/// server on its own subnet, then a long sleep in real time on containers.
const SLOW: &str = r#"description: interrupted midway
servers:
  solo: {version: "2019.1", ip: 10.77.9.10}
steps:
  - on: solo
    run: p4 -u super counter reached 1
  - on: solo
    run: sleep 120
    timeout: 5m
"#;

#[test]
fn an_interrupted_run_leaves_nothing_behind() {
    if !engine_or_skip("an_interrupted_run_leaves_nothing_behind") {
        return;
    }
    let dir = tempfile::tempdir().expect("a temporary folder");
    let file = dir.path().join("docker-interrupted.yaml");
    std::fs::write(&file, SLOW).expect("write the scenario");
    let mut child = run_on_docker()
        .arg("--snapshots")
        .arg(dir.path())
        .arg(&file)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("p4ha starts");
    // Wait until its container exists, then interrupt it as CI does when a
    // job is cancelled.
    let deadline = Instant::now() + Duration::from_secs(300);
    while leftovers_of("docker-interrupted").is_empty() {
        assert!(
            Instant::now() < deadline,
            "the scenario's container never appeared"
        );
        assert!(
            child.try_wait().expect("wait").is_none(),
            "p4ha ended before it was interrupted"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // Let the bring-up finish so the interrupt lands in a running step.
    std::thread::sleep(Duration::from_secs(3));
    let pid = i32::try_from(child.id()).expect("a pid");
    // SAFETY: kill(2) on our own child; no memory is touched.
    assert_eq!(unsafe { libc::kill(pid, libc::SIGTERM) }, 0);
    let out = child.wait_with_output().expect("p4ha ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(143), "{stderr}");
    let left = leftovers_of("docker-interrupted");
    assert!(
        left.is_empty(),
        "an interrupted run left {left:?}\n{stderr}"
    );
}
