//! The runner's own behaviour, with small scenarios under `tests/fixtures/`:
//! what an administrator sees when a step fails or a snapshot differs,
//! determinism of `--out`, the durability checker, waits, faults, form
//! edits, preflight and malformed scenarios.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use p4ha_runner::{Progress, RunOptions, ScenarioResult, Status};
use p4ha_scenario::{Action, Durability, Scenario};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture(rel: &str) -> Scenario {
    p4ha_scenario::load_file(fixtures().join(rel)).unwrap_or_else(|d| panic!("{d}"))
}

fn opts(snapshots: &Path) -> RunOptions {
    RunOptions {
        snapshots: Some(snapshots.to_path_buf()),
        progress: Progress::Quiet,
        jobs: Some(2),
        ..RunOptions::default()
    }
}

/// Runs a scenario written inline, accepting its snapshot into a
/// temporary folder (for tests about steps, not snapshots).
fn run_text(text: &str) -> ScenarioResult {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inline.yaml");
    std::fs::write(&file, text).unwrap();
    let scenario = p4ha_scenario::load_file(&file).unwrap_or_else(|d| panic!("{d}"));
    let o = RunOptions {
        accept: true,
        ..opts(&dir.path().join("snapshots"))
    };
    p4ha_runner::run_scenario(&scenario, &o)
}

fn failures(r: &ScenarioResult) -> String {
    r.failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

fn full(r: &ScenarioResult) -> String {
    r.execution
        .transcript
        .render(p4ha_runner::transcript::View::Full)
}

const MASTER: &str = r#"
servers:
  master: {version: "2019.1", services: commit-server, timezone: Asia/Tokyo}
"#;

#[test]
fn fixtures_match_their_reviewed_snapshots() {
    let paths = [fixtures().join("pass"), fixtures().join("durability")];
    let summary = p4ha_runner::run(&paths, &opts(&fixtures().join("snapshots"))).unwrap();
    assert_eq!(summary.results.len(), 3);
    for r in &summary.results {
        assert_eq!(r.status, Status::Passed, "{}", failures(r));
    }
}

#[test]
fn a_broken_runbook_step_names_the_step_the_server_and_the_p4d_error() {
    let dir = tempfile::tempdir().unwrap();
    let r = p4ha_runner::run_scenario(
        &fixture("broken/standby-restore-typo.yaml"),
        &opts(dir.path()),
    );
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.execution.steps_run, 4, "the run stops at the failed step");
    assert_eq!(r.failures.len(), 1, "{}", failures(&r));
    let f = &r.failures[0];
    let step = f.step.as_ref().unwrap();
    assert_eq!(step.number, 4);
    assert_eq!(step.section.as_deref(), Some("4.7-4.8"));
    assert_eq!(step.title, "restore the standby");
    assert!(
        step.location.ends_with("standby-restore-typo.yaml:23:5"),
        "{}",
        step.location
    );
    assert_eq!(f.server.as_deref(), Some("standby"));
    assert_eq!(
        f.message,
        "the commands ending with `p4d -r /standby -jr checkpoint.ckp.2` exited with status 1, expected success"
    );
    let text = f.to_string();
    assert!(
        text.starts_with(
            "scenario standby-restore-typo, step 4 [section 4.7-4.8] \"restore the standby\" ("
        ),
        "{text}"
    );
    assert!(
        text.ends_with("\n      | \topen for read: checkpoint.ckp.2: No such file or directory"),
        "{text}"
    );
    // Nothing was compared with a snapshot, and nothing was written.
    assert!(r.snapshot.is_none());
    assert!(!dir.path().join("standby-restore-typo.snap.new").exists());
}

#[test]
fn a_snapshot_mismatch_shows_a_diff_naming_the_step_and_server() {
    let dir = tempfile::tempdir().unwrap();
    let reviewed = std::fs::read_to_string(fixtures().join("snapshots/standalone.snap")).unwrap();
    assert!(reviewed.contains("mine = 7\n"));
    std::fs::write(
        dir.path().join("standalone.snap"),
        reviewed.replace("mine = 7\n", "mine = 8\n"),
    )
    .unwrap();
    let r = p4ha_runner::run_scenario(&fixture("pass/standalone.yaml"), &opts(dir.path()));
    assert_eq!(r.status, Status::Failed);
    let f = &r.failures[0];
    assert!(
        f.message
            .starts_with("the transcript differs from the reviewed snapshot "),
        "{}",
        f.message
    );
    assert!(f.message.contains("standalone.snap.new"), "{}", f.message);
    assert!(
        f.detail.starts_with("@@ 2. master: run @@\n"),
        "{}",
        f.detail
    );
    assert!(
        f.detail.contains("\n- mine = 8\n+ mine = 7\n"),
        "{}",
        f.detail
    );
    let pending = std::fs::read_to_string(dir.path().join("standalone.snap.new")).unwrap();
    assert!(
        pending.starts_with("---\nsource: "),
        "insta's file format: {pending}"
    );
    assert!(pending.contains("mine = 7\n"));
}

#[test]
fn a_missing_snapshot_fails_until_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = fixture("pass/standalone.yaml");
    let r = p4ha_runner::run_scenario(&scenario, &opts(dir.path()));
    assert_eq!(r.status, Status::Failed);
    assert!(
        r.failures[0].message.starts_with("no reviewed snapshot "),
        "{}",
        r.failures[0].message
    );
    assert!(
        r.failures[0].message.contains("--accept"),
        "{}",
        r.failures[0].message
    );
    assert!(dir.path().join("standalone.snap.new").exists());
    let r = p4ha_runner::run_scenario(
        &scenario,
        &RunOptions {
            accept: true,
            ..opts(dir.path())
        },
    );
    assert_eq!(r.status, Status::Accepted, "{}", failures(&r));
    assert!(!dir.path().join("standalone.snap.new").exists());
    let r = p4ha_runner::run_scenario(&scenario, &opts(dir.path()));
    assert_eq!(r.status, Status::Passed, "{}", failures(&r));
    // The accepted snapshot is the reviewed one of the fixtures.
    let content =
        |p: &Path| p4ha_runner::snapshot::content(&std::fs::read_to_string(p).unwrap()).to_string();
    assert_eq!(
        content(&dir.path().join("standalone.snap")),
        content(&fixtures().join("snapshots/standalone.snap"))
    );
}

#[test]
fn snapshots_do_not_depend_on_the_seed() {
    for seed in [1, 99] {
        let o = RunOptions {
            seed: Some(seed),
            ..opts(&fixtures().join("snapshots"))
        };
        let r = p4ha_runner::run_scenario(&fixture("pass/standalone.yaml"), &o);
        assert_eq!(r.status, Status::Passed, "seed {seed}: {}", failures(&r));
    }
}

fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    out
}

#[test]
fn the_same_seed_gives_identical_out_folders() {
    let dir = tempfile::tempdir().unwrap();
    let paths = [
        fixtures().join("pass"),
        fixtures().join("durability"),
        fixtures().join("broken"),
    ];
    let run = |out: &str| {
        let o = RunOptions {
            seed: Some(7),
            out: Some(dir.path().join(out)),
            ..opts(&fixtures().join("snapshots"))
        };
        p4ha_runner::run(&paths, &o).unwrap()
    };
    let (a, b) = (run("a"), run("b"));
    assert_eq!(a.counts(), b.counts());
    let (ta, tb) = (tree(&dir.path().join("a")), tree(&dir.path().join("b")));
    assert!(
        ta.contains_key(Path::new("standalone/transcript.txt")),
        "{:?}",
        ta.keys()
    );
    assert!(ta.contains_key(Path::new("standalone/journals/master.jnl")));
    assert!(ta.contains_key(Path::new("standby-restore-typo/result.txt")));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (k, v) in &ta {
        assert!(
            tb[k] == *v,
            "{} differs between two runs with the same seed",
            k.display()
        );
    }
    let transcript =
        String::from_utf8_lossy(&ta[Path::new("standalone/transcript.txt")]).into_owned();
    assert!(
        transcript.starts_with("### set-up of master on master"),
        "{transcript}"
    );
    assert!(transcript.contains(
        "$ p4dctl start master\nStarted 'master' p4d service.\nStarted 1 services.\n? 0\n"
    ));
}

#[test]
fn the_durability_checker_fires_on_a_loss_and_stays_quiet_when_safe() {
    let dir = tempfile::tempdir().unwrap();
    let o = RunOptions {
        accept: true,
        ..opts(dir.path())
    };
    let loss =
        p4ha_runner::run_scenario(&fixture("durability/restored-from-old-checkpoint.yaml"), &o);
    assert_eq!(loss.status, Status::Accepted, "{}", failures(&loss));
    let text = full(&loss);
    assert!(
        text.contains("durability: loss (new master standby)\n"),
        "{text}"
    );
    assert!(text.contains(
        "  lost: \"Change 2 submitted.\" (acknowledged by master in step 4): standby has no change 2 (its highest change is 1)\n    acknowledged at master:/master/journal byte "
    ), "{text}");
    assert!(text.contains("  lost: \"Counter release set.\" (acknowledged by master in step 4): standby has no counter release\n"), "{text}");
    assert!(
        text.contains("  ahead: edge1 holds change 2, which standby does not\n"),
        "{text}"
    );
    let acked: Vec<String> = loss
        .execution
        .history
        .acks
        .iter()
        .map(|a| format!("{}@{}", a.line, a.server))
        .collect();
    assert_eq!(
        acked,
        [
            "Client ws saved.@master",
            "Change 1 submitted.@master",
            "Change 2 submitted.@master",
            "Counter release set.@master"
        ]
    );

    let safe = p4ha_runner::run_scenario(
        &fixture("durability/restored-from-last-checkpoint.yaml"),
        &o,
    );
    assert_eq!(safe.status, Status::Accepted, "{}", failures(&safe));
    let text = full(&safe);
    assert!(text.contains("durability: safe (new master standby)\n  4 acknowledged writes checked on standby; replicas compared: none\n"), "{text}");

    // A scenario that expects a safe failover where writes were lost fails,
    // and says which.
    let mut wrong = fixture("durability/restored-from-old-checkpoint.yaml");
    if let Some(Action::CheckDurability(c)) = wrong.steps.last_mut().map(|s| &mut s.action) {
        c.expect = Durability::Safe;
    }
    let r = p4ha_runner::run_scenario(&wrong, &o);
    assert_eq!(r.status, Status::Failed);
    let f = &r.failures[0];
    assert_eq!(
        f.message,
        "durability: expected every acknowledged write on standby and no replica ahead, but the checker found 3 problems"
    );
    assert!(
        f.detail.contains("lost: \"Change 2 submitted.\""),
        "{}",
        f.detail
    );
}

#[test]
fn preflight_violations_fail_before_anything_runs_unless_waived() {
    let text = r#"
servers:
  master: {version: "2019.1", services: commit-server, timezone: Asia/Tokyo}
  standby: {version: "2019.1", services: standby, timezone: UTC}
steps:
  - {on: master, run: p4 -u super info}
"#;
    let r = run_text(text);
    assert_eq!(r.status, Status::Failed);
    assert_eq!(r.execution.steps_run, 0);
    assert!(
        r.execution.transcript.entries.is_empty(),
        "no machine was set up"
    );
    assert!(
        r.failures[0].message.starts_with(
            "preflight (same-timezone): master and standby must share a time zone, but master runs in Asia/Tokyo, standby runs in UTC"
        ),
        "{}",
        r.failures[0].message
    );
    let waived = text.replace("steps:", "preflight: {same-timezone: false}\nsteps:");
    let r = run_text(&waived);
    assert!(r.passed(), "{}", failures(&r));
}

#[test]
fn waits_repeat_in_backend_time_until_the_condition_holds() {
    // The clock starts at 2019-10-18 13:00:00 JST (1571371200); the
    // condition holds from 13:00:30 on.
    let text = format!(
        "{MASTER}steps:\n  - on: master\n    wait: date +%s\n    until:\n      matches: '^15713712[3-9]\\d$'\n    every: 10s\n    timeout: 1m\n"
    );
    let r = run_text(&text);
    assert!(r.passed(), "{}", failures(&r));
    let t = full(&r);
    assert!(t.contains("(attempt 4; earlier attempts not shown)"), "{t}");

    let late = text.replace("timeout: 1m", "timeout: 20s");
    let r = run_text(&late);
    assert_eq!(r.status, Status::Failed);
    assert_eq!(
        r.failures[0].message,
        "`date +%s`: the condition still did not hold after 20s (3 attempts): no line of the output matches /^15713712[3-9]\\d$/"
    );
}

#[test]
fn faults_crash_and_start_a_server() {
    let text = format!(
        "{MASTER}steps:
  - fault: crash
    server: master
  - on: master
    run: p4 -u super info
    expect:
      exit: 1
      contains: Connect to server failed
  - fault: start
    server: master
  - on: master
    run: p4 -u super counters
"
    );
    let r = run_text(&text);
    assert!(r.passed(), "{}", failures(&r));
    let t = full(&r);
    assert!(t.contains("fault: crash master\n"), "{t}");
    assert!(t.contains("fault: start master\n"), "{t}");
}

#[test]
fn removing_a_line_a_form_does_not_have_fails_the_step() {
    let text = format!(
        "{MASTER}steps:
  - on: master
    edit-spec: p4 -u super protect
    remove:
      Protections: write user bob * //...
"
    );
    let r = run_text(&text);
    assert_eq!(r.status, Status::Failed);
    let f = &r.failures[0];
    assert_eq!(f.message, "editing the form of `p4 -u super protect`");
    assert!(f.detail.starts_with("`remove`: the Protections field has no line `write user bob * //...`; its lines are:\n    "), "{}", f.detail);
}

#[test]
fn copying_needs_the_destination_folder() {
    let text = r#"
servers:
  master: {version: "2019.1", services: commit-server}
  standby: {version: "2019.1", services: standby}
steps:
  - {on: master, run: p4 -u super admin checkpoint}
  - copy: {from: "master:/master/checkpoint.1", to: "standby:/backup/checkpoint.1"}
"#;
    let r = run_text(text);
    assert_eq!(r.status, Status::Failed);
    assert_eq!(
        r.failures[0].message,
        "copy: the folder /backup does not exist on standby; create it in an earlier step, as the transfer needs it"
    );
    let missing = text.replace("/master/checkpoint.1", "/master/checkpoint.9");
    let r = run_text(&missing);
    assert_eq!(
        r.failures[0].message,
        "copy: cannot read master:/master/checkpoint.9: No such file or directory"
    );
}

#[test]
fn malformed_scenarios_are_rejected_with_file_line_col() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "unknown-key.yaml",
            "servers:\n  master: {version: \"2019.1\"}\nsteps:\n  - on: master\n    run: p4 info\n    expct: {exit: 0}\n",
            ":6:5: unknown key `expct`",
        ),
        (
            "wrong-type.yaml",
            "servers:\n  master: {version: \"2019.1\", port: [1666]}\nsteps:\n  - {on: master, run: p4 info}\n",
            ":2:",
        ),
        (
            "unknown-server.yaml",
            "servers:\n  master: {version: \"2019.1\"}\nsteps:\n  - {on: mastr, run: p4 info}\n",
            ":4:10: unknown server `mastr`",
        ),
        (
            "missing-include.yaml",
            "include: [nowhere.yaml]\nservers:\n  master: {version: \"2019.1\"}\nsteps:\n  - {on: master, run: p4 info}\n",
            ":1:",
        ),
        (
            "bad-duration.yaml",
            "servers:\n  master: {version: \"2019.1\"}\nsteps:\n  - {on: master, run: p4 info, timeout: 5 minutes}\n",
            ":4:",
        ),
        (
            "empty-steps.yaml",
            "servers:\n  master: {version: \"2019.1\"}\nsteps: []\n",
            ":3:",
        ),
    ];
    for (name, text, want) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, text).unwrap();
        let diags = p4ha_runner::check(std::slice::from_ref(&file));
        assert!(!diags.is_empty(), "{name} must be rejected");
        let shown = diags[0].to_string();
        assert!(shown.starts_with(&file.display().to_string()), "{shown}");
        assert!(shown.contains(want), "{name}: {shown}");
        let err = p4ha_runner::run(&[file], &opts(dir.path())).unwrap_err();
        assert!(
            matches!(err, p4ha_runner::RunError::Invalid(_)),
            "{name}: {err}"
        );
    }
}

#[test]
fn timezone_faults_apply_at_the_next_start_and_network_faults_heal_all() {
    let text = r#"
servers:
  master: {version: "2019.1", services: commit-server, timezone: Asia/Tokyo}
  standby: {version: "2019.1", services: standby, timezone: Asia/Tokyo}
steps:
  - fault: timezone
    server: master
    timezone: UTC
  - on: master
    run: p4 -u super info
    expect: {contains: "+0900 JST"}
  - on: master
    run: p4dctl restart master && p4 -u super info
    expect: {contains: "Server date: 2019/10/18 04:"}
  - fault: partition
    between: [master, standby]
    mode: refuse
  - fault: block-port
    server: master
  - on: standby
    run: p4 -p master:1666 info
    expect: {exit: 1, contains: "Connection refused"}
  - fault: heal
  - on: standby
    run: p4 -p master:1666 info
    expect: {exit: 1, contains: "No route to host"}
  - fault: unblock-port
    server: master
  - {on: standby, run: p4 -p master:1666 -u super counters}
"#;
    let r = run_text(text);
    assert!(r.passed(), "{}", failures(&r));
    let t = full(&r);
    assert!(t.contains("fault: heal every partition\n"), "{t}");
    assert!(t.contains("fault: unblock-port master (all)\n"), "{t}");
}

#[test]
fn writes_local_to_an_edge_are_not_expected_on_the_new_master() {
    let text = r#"
servers:
  master: {version: "2019.1", services: commit-server}
  standby: {version: "2019.1", services: standby, state: stopped}
  edge1: {version: "2019.1", services: edge-server}
steps:
  - {on: master, run: p4 -u super counter one 1}
  - name: the edge's own configurable, set offline
    on: edge1
    run: p4dctl stop edge1 && p4d -r /edge1 "-cset edge1#P4TARGET=standby:1666"
  - {on: master, run: p4 -u super admin checkpoint}
  - copy: {from: "master:/master/checkpoint.1", to: "standby:/standby/checkpoint.1"}
  - {on: standby, run: p4d -r /standby -jr checkpoint.1}
  - check: durability
    new-master: standby
"#;
    let r = run_text(text);
    assert!(r.passed(), "{}", failures(&r));
    let acked: Vec<&str> = r
        .execution
        .history
        .acks
        .iter()
        .map(|a| a.line.as_str())
        .collect();
    assert_eq!(acked, ["Counter one set."]);
    assert!(
        full(&r).contains("  1 acknowledged write checked on standby; replicas compared: edge1\n")
    );
}

#[test]
fn a_backend_from_another_crate_plugs_in_through_a_factory() {
    use p4ha_runner::{BackendFactory, BackendKind};
    use p4ha_sim::backend::{SimBackend, SimBackendOptions};
    let o = RunOptions {
        backend: BackendKind::Docker,
        ..opts(&fixtures().join("snapshots"))
    };
    let err = p4ha_runner::run(&[fixtures().join("pass")], &o).unwrap_err();
    assert_eq!(
        err.to_string(),
        "the docker backend is not available yet; run with --backend sim"
    );
    let factory = BackendFactory::new(|_, keep| {
        Ok(
            Box::new(SimBackend::new(SimBackendOptions { parent: None, keep }))
                as Box<dyn p4ha_backend::Backend>,
        )
    });
    let o = RunOptions {
        factory: Some(factory),
        ..o
    };
    let summary = p4ha_runner::run(&[fixtures().join("pass")], &o).unwrap();
    assert!(summary.all_passed(), "{}", summary.report());
    let failing = RunOptions {
        factory: Some(BackendFactory::new(|_, _| Err("no engine".into()))),
        ..o
    };
    let summary = p4ha_runner::run(&[fixtures().join("pass")], &failing).unwrap();
    assert_eq!(
        summary.results[0].failures[0].message,
        "the docker backend cannot start: no engine"
    );
}
