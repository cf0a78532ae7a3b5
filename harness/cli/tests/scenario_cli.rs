//! `p4ha run|check|list`: exit codes and output of the built binary, on
//! the runner's fixture scenarios.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn p4ha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_p4ha"))
        .args(args)
        .output()
        .expect("the p4ha binary runs")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../runner/tests/fixtures")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

fn text(o: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

#[test]
fn run_exits_0_when_every_scenario_passes() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report/junit.xml");
    let snaps = fixture("snapshots");
    let o = p4ha(&[
        "run",
        &fixture("pass"),
        "--snapshots",
        &snaps,
        "--junit",
        &junit.display().to_string(),
        "--out",
        &dir.path().join("out").display().to_string(),
        "--seed",
        "3",
        "--jobs",
        "1",
    ]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(out.contains("1 scenario: 1 passed, 0 failed ("), "{out}");
    assert!(
        err.contains("PASS standalone (5 steps, "),
        "plain progress lines off a terminal: {err}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<testcase name=\"standalone\""), "{xml}");
    assert!(dir.path().join("out/standalone/transcript.txt").is_file());
}

#[test]
fn run_exits_1_when_a_scenario_fails() {
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let o = p4ha(&[
        "run",
        &fixture("broken"),
        "--snapshots",
        &dir.path().display().to_string(),
        "--junit",
        &junit.display().to_string(),
    ]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 1, "{out}{err}");
    assert!(out.contains("FAILED standby-restore-typo ("), "{out}");
    assert!(
        out.contains("step 4 [section 4.7-4.8] \"restore the standby\""),
        "{out}"
    );
    assert!(
        out.contains("open for read: checkpoint.ckp.2: No such file or directory"),
        "{out}"
    );
    assert!(out.contains("1 scenario: 0 passed, 1 failed"), "{out}");
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("<failure"), "{xml}");
}

#[test]
fn run_selects_by_name_or_tag() {
    let dir = tempfile::tempdir().unwrap();
    let snaps = fixture("snapshots");
    let all = fixtures().display().to_string();
    let o = p4ha(&["run", &all, "--snapshots", &snaps, "-k", "durability"]);
    let (out, err) = text(&o);
    assert_eq!(code(&o), 0, "{out}{err}");
    assert!(out.contains("2 scenarios: 2 passed, 0 failed"), "{out}");
    let o = p4ha(&["run", &all, "--snapshots", &snaps, "-k", "standalone"]);
    assert_eq!(code(&o), 0, "{:?}", text(&o));
    let o = p4ha(&[
        "run",
        &all,
        "--snapshots",
        &dir.path().display().to_string(),
        "-k",
        "no-such-thing",
    ]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o).1.contains("no scenario matches -k no-such-thing"),
        "{:?}",
        text(&o)
    );
}

#[test]
fn run_exits_2_for_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(
        &bad,
        "servers:\n  master: {version: \"2019.1\"}\nsteps:\n  - {on: mastr, run: p4 info}\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    let o = p4ha(&["run", &bad]);
    assert_eq!(code(&o), 2);
    let (_, err) = text(&o);
    assert!(
        err.starts_with(&format!("{bad}:4:10: unknown server `mastr`")),
        "{err}"
    );
    assert!(err.contains("1 problem found; nothing was run"), "{err}");

    let o = p4ha(&["run", "--jobs", "0", &bad]);
    assert_eq!(code(&o), 2, "a bad option");
    let o = p4ha(&["run", "--backend", "vm", &bad]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o)
            .1
            .contains("unknown backend 'vm': use sim or docker"),
        "{:?}",
        text(&o)
    );
    let o = p4ha(&["run", &dir.path().join("missing").display().to_string()]);
    assert_eq!(code(&o), 2);
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let junit = blocker.join("junit.xml").display().to_string();
    let snaps = fixture("snapshots");
    let o = p4ha(&[
        "run",
        &fixture("pass"),
        "--snapshots",
        &snaps,
        "--junit",
        &junit,
    ]);
    assert_eq!(code(&o), 2, "a report that cannot be written");
    let (out, err) = text(&o);
    assert!(
        out.contains("1 scenario: 1 passed"),
        "the results are still shown: {out}"
    );
    assert!(err.contains("cannot write the report --junit: "), "{err}");
    let empty = tempfile::tempdir().unwrap();
    let o = p4ha(&["run", &empty.path().display().to_string()]);
    assert_eq!(code(&o), 2);
    assert!(
        text(&o).1.contains("no scenario files found in"),
        "{:?}",
        text(&o)
    );
}

#[test]
fn check_validates_without_running() {
    let o = p4ha(&["check", &fixtures().display().to_string()]);
    assert_eq!(code(&o), 0, "{:?}", text(&o));
    assert_eq!(text(&o).0, "4 scenario files valid\n");

    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "servers:\n  master: {version: \"2019.1\"}\nsteps:\n  - on: master\n    run: p4 info\n    timeout: 5 minutes\n").unwrap();
    let o = p4ha(&["check", &bad.display().to_string()]);
    assert_eq!(code(&o), 2);
    let (_, err) = text(&o);
    let first = err.lines().next().unwrap();
    assert!(
        first.starts_with(&format!("{}:6:14: ", bad.display())),
        "{err}"
    );
    assert!(
        first.contains("5m"),
        "the message says how to write it: {err}"
    );
}

#[test]
fn list_shows_names_descriptions_files_and_tags() {
    let o = p4ha(&["list", &fixtures().display().to_string()]);
    let (out, _) = text(&o);
    assert_eq!(code(&o), 0);
    assert!(
        out.contains(
            "standalone                     One master, a user, a counter, a checkpoint\n"
        ),
        "{out}"
    );
    assert!(
        out.contains("pass/standalone.yaml (5 steps) [fixture, basic]\n"),
        "{out}"
    );
    let o = p4ha(&["list", &fixtures().display().to_string(), "-k", "broken"]);
    assert_eq!(text(&o).0.lines().count(), 2);
}

#[test]
fn every_command_has_help() {
    for cmd in ["run", "check", "list"] {
        let o = p4ha(&[cmd, "--help"]);
        assert_eq!(code(&o), 0);
        assert!(text(&o).0.contains("Usage: p4ha "), "{cmd}");
    }
}
