//! 1,000 seeded random fault schedules around a failover: no panic, no
//! hang, every run ends with the checker's verdict; the same seed gives
//! the same verdict.
//!
//! For each seed a small generator writes a scenario: the HA set (a master
//! and its standby on 2019.1, the standby `mandatory` or `nomandatory` as
//! the seed decides), a random sequence of 3 to 8 events (acknowledged work
//! on the master, crashes, stops and starts of either server, network cuts
//! between them and their healing, a blocked master port, a full disk under
//! the master's root, sleeps, waits for the standby to catch up), then a
//! failover on the standby and `check: durability`. Steps that may fail
//! legitimately say `expect: {exit: any}`, and the run keeps going past a
//! failed wait, so every run reaches the check.
//!
//! `P4HA_FAULT_SCHEDULES=N` runs N schedules instead of 1,000;
//! `P4HA_FAULT_SEED=S` runs the one schedule of seed S and prints its
//! scenario and full transcript; `P4HA_FAULT_VERBOSE=1` prints one line
//! per schedule.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use p4ha_runner::transcript::{Block, CommandRecord, View};
use p4ha_runner::{Progress, RunOptions, ScenarioResult};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const MASTER_IP: &str = "192.168.56.114";
const STANDBY_IP: &str = "192.168.56.115";
const ON_MASTER: &str = "p4 -u super -p 192.168.56.114:1666";
const ON_STANDBY: &str = "p4 -u super -p 192.168.56.115:1666";

/// A `p4 servers -J` row: `ID 'DATE' SERVICES persisted applied FLAGS ALIVE`.
const POSITIONS: &str = r"'^\S+ ''[^'']*'' \S+ (\d+/\d+) (\d+/\d+) '";

/// How long one schedule may take in real time before the test calls it a
/// hang (a schedule takes well under a second; the simulator's time is
/// virtual, so only a loop that never lets it advance gets near this).
const HANG_LIMIT: Duration = Duration::from_secs(120);

/// One generated schedule: the scenario text and what the checks need to
/// know about its steps (numbered from 1, as the transcript numbers them).
#[derive(Debug, Clone)]
struct Schedule {
    seed: u64,
    yaml: String,
    mandatory: bool,
    /// The failover runs with `-s master`.
    with_server_id: bool,
    /// Prints the standby's `statejcopy` just before the failover.
    copied_step: usize,
    failover_step: usize,
    serverid_step: usize,
    check_step: usize,
    /// The waits for the standby to catch up.
    catch_up_steps: Vec<usize>,
    /// What the events were, for messages.
    events: Vec<String>,
}

/// What the servers and the network are like, as far as the generator
/// knows (a fault it injected; not what the failover does to them).
#[derive(Debug, Default)]
struct State {
    master_down: bool,
    standby_down: bool,
    partitioned: bool,
    port_blocked: bool,
    disk_full: bool,
    files: usize,
    users: usize,
}

struct Gen {
    rng: ChaCha8Rng,
    steps: Vec<String>,
    events: Vec<String>,
    state: State,
}

impl Gen {
    fn push(&mut self, step: String) -> usize {
        self.steps.push(step);
        self.steps.len()
    }

    /// A `run` step whose command may fail.
    fn run(&mut self, name: &str, on: &str, script: &str, timeout: &str) -> usize {
        let mut s = format!("  - name: {name}\n    on: {on}\n    run: |\n");
        for line in script.lines() {
            let _ = writeln!(s, "      {line}");
        }
        let _ = writeln!(s, "    expect: {{exit: any}}\n    timeout: {timeout}");
        self.push(s)
    }

    fn fault(&mut self, name: &str, body: &str) -> usize {
        self.push(format!("  - name: {name}\n{body}"))
    }

    /// The runbook's check before a failover (6.1): the journal positions
    /// of master and standby the same.
    fn catch_up(&mut self, timeout: &str) -> usize {
        self.push(format!(
            "  - name: the standby catches up\n    on: master\n    wait: {ON_MASTER} servers -J\n    until:\n      same: {POSITIONS}\n      matches: '^standby '\n    timeout: {timeout}\n"
        ))
    }

    fn work(&mut self) -> String {
        match self.rng.random_range(0..3) {
            0 => {
                let name = format!("c{}", self.rng.random_range(1..=3));
                let value = self.rng.random_range(1..1000);
                self.run(
                    &format!("set counter {name}"),
                    "master",
                    &format!("{ON_MASTER} counter {name} {value}"),
                    "5m",
                );
                format!("counter {name}={value}")
            }
            1 => {
                self.state.files += 1;
                let n = self.state.files;
                self.run(
                    "submit a file",
                    "master",
                    &format!(
                        "cd /ws\necho file{n} > f{n}.txt\np4 -u super -c ws add f{n}.txt\np4 -u super -c ws submit -d \"file {n}\""
                    ),
                    "5m",
                );
                format!("submit f{n}")
            }
            _ => {
                self.state.users += 1;
                let n = self.state.users;
                self.run(
                    "save a user",
                    "master",
                    &format!(
                        "printf 'User:\\tu{n}\\nEmail:\\tu{n}@example.com\\nFullName:\\tUser {n}\\n' | {ON_MASTER} user -f -i"
                    ),
                    "5m",
                );
                format!("user u{n}")
            }
        }
    }

    fn server_fault(&mut self) -> String {
        let master = self.rng.random_bool(0.5);
        let (name, down) = if master {
            ("master", self.state.master_down)
        } else {
            ("standby", self.state.standby_down)
        };
        let kind = if down {
            "start"
        } else if self.rng.random_bool(0.5) {
            "crash"
        } else {
            "stop"
        };
        self.fault(
            &format!("{kind} {name}"),
            &format!("    fault: {kind}\n    server: {name}\n"),
        );
        let slot = if master {
            &mut self.state.master_down
        } else {
            &mut self.state.standby_down
        };
        *slot = kind != "start";
        format!("{kind} {name}")
    }

    fn mode(&mut self) -> &'static str {
        ["refuse", "reject", "drop"][self.rng.random_range(0..3)]
    }

    fn network(&mut self) -> String {
        if self.state.partitioned {
            self.heal();
            "heal".into()
        } else {
            let mode = self.mode();
            self.fault(
                "cut the network",
                &format!(
                    "    fault: partition\n    between: [master, standby]\n    mode: {mode}\n"
                ),
            );
            self.state.partitioned = true;
            format!("partition ({mode})")
        }
    }

    fn heal(&mut self) {
        self.fault(
            "heal the network",
            "    fault: heal\n    between: [master, standby]\n",
        );
        self.state.partitioned = false;
    }

    fn port(&mut self) -> String {
        if self.state.port_blocked {
            self.unblock();
            "unblock-port".into()
        } else {
            let mode = self.mode();
            self.fault(
                "block the master's port",
                &format!("    fault: block-port\n    server: master\n    mode: {mode}\n"),
            );
            self.state.port_blocked = true;
            format!("block-port ({mode})")
        }
    }

    fn unblock(&mut self) {
        self.fault(
            "unblock the master's port",
            "    fault: unblock-port\n    server: master\n",
        );
        self.state.port_blocked = false;
    }

    fn disk(&mut self) -> String {
        if self.state.disk_full {
            self.disk_free();
            "disk-free".into()
        } else {
            self.fault(
                "the master's disk fills up",
                "    fault: disk-full\n    server: master\n    path: /master\n",
            );
            self.state.disk_full = true;
            "disk-full".into()
        }
    }

    fn disk_free(&mut self) {
        self.fault(
            "room on the master's disk",
            "    fault: disk-free\n    server: master\n    path: /master\n",
        );
        self.state.disk_full = false;
    }

    fn event(&mut self, catch_up: &mut Vec<usize>) -> String {
        match self.rng.random_range(0..14) {
            0..=3 => self.work(),
            4..=5 => self.server_fault(),
            6..=7 => self.network(),
            8 => self.port(),
            9 => self.disk(),
            10..=11 => {
                let secs = self.rng.random_range(1..=10);
                self.push(format!("  - sleep: {secs}s\n"));
                format!("sleep {secs}s")
            }
            _ => {
                catch_up.push(self.catch_up("30s"));
                "catch-up".into()
            }
        }
    }
}

/// The set-up: the standby's server spec (made mandatory at once when the
/// seed says so: the spec exists then, so p4d allows it), the service user
/// and a workspace, a checkpoint restored on the standby, the service
/// user's ticket on the standby's host before the standby starts (so its
/// replication threads do not wait out the 60 s retry).
fn setup(mandatory: bool) -> Vec<String> {
    let standby_spec = |options: &str| {
        format!(
            "printf 'ServerID:\\tstandby\\nType:\\tserver\\nServices:\\tstandby\\nOptions:\\t{options}\\nReplicatingFrom:\\tmaster\\nDescription:\\n\\tstandby\\nDistributedConfig:\\n\\tP4TARGET={MASTER_IP}:1666\\n\\tP4TICKETS=/standby/.p4tickets\\n\\tdb.replication=readonly\\n\\tlbr.replication=readonly\\n\\tmonitor=2\\n\\trpl.journalcopy.location=1\\n\\tserviceUser=service\\n\\tstartup.1=journalcopy -i 1\\n\\tstartup.2=pull -L -i 1\\n\\tstartup.3=pull -u -i 1\\n' | {ON_MASTER} server -i\n"
        )
    };
    let mut master = String::new();
    master.push_str(&format!(
        "printf 'ServerID:\\tmaster\\nType:\\tserver\\nServices:\\tcommit-server\\nDescription:\\n\\tmaster\\n' | {ON_MASTER} server -i\n"
    ));
    master.push_str(&standby_spec("nomandatory"));
    if mandatory {
        master.push_str(&standby_spec("mandatory"));
    }
    master.push_str(&format!(
        "printf 'User:\\tservice\\nType:\\tservice\\nEmail:\\tservice@master\\nFullName:\\tservice\\n' | {ON_MASTER} user -f -i\n\
         printf 'Service#1\\nService#1\\n' | {ON_MASTER} passwd service\n\
         mkdir -p /ws\n\
         printf 'Client:\\tws\\nRoot:\\t/ws\\nView:\\n\\t//depot/... //ws/...\\n' | p4 -u super client -i\n\
         {ON_MASTER} admin checkpoint checkpoint\n"
    ));
    let standby = format!(
        "cd /standby && rm -f db.*\n\
         p4d -r /standby -xD standby\n\
         p4d -r /standby -jr checkpoint.ckp.1\n\
         echo 'Service#1' | p4 -p {MASTER_IP}:1666 -u service -E \"P4TICKETS=/standby/.p4tickets\" login\n\
         p4dctl start standby\n"
    );
    let block = |script: &str| -> String {
        script
            .lines()
            .map(|l| format!("      {l}\n"))
            .collect::<String>()
    };
    vec![
        format!(
            "  - name: the standby's spec, the service user, a workspace, a checkpoint\n    on: master\n    run: |\n{}    timeout: 5m\n",
            block(&master)
        ),
        "  - copy: {from: \"master:/master/checkpoint.ckp.1\", to: \"standby:/standby/checkpoint.ckp.1\"}\n".to_string(),
        format!(
            "  - name: the standby restored, logged in and started\n    on: standby\n    run: |\n{}    timeout: 5m\n",
            block(&standby)
        ),
    ]
}

/// The schedule of `seed`.
fn generate(seed: u64) -> Schedule {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mandatory = rng.random_bool(0.5);
    let mut g = Gen {
        rng,
        steps: setup(mandatory),
        events: Vec::new(),
        state: State::default(),
    };
    let mut catch_up_steps = vec![g.catch_up("2m")];
    let n = g.rng.random_range(3..=8);
    for _ in 0..n {
        let e = g.event(&mut catch_up_steps);
        g.events.push(e);
    }
    // Half the schedules end the way the runbook prepares a failover:
    // faults undone, the standby running and caught up; then, half of
    // those, the master dies.
    if g.rng.random_bool(0.5) {
        if g.state.partitioned {
            g.heal();
        }
        if g.state.port_blocked {
            g.unblock();
        }
        if g.state.disk_full {
            g.disk_free();
        }
        if g.state.standby_down {
            g.fault("start standby", "    fault: start\n    server: standby\n");
            g.state.standby_down = false;
        }
        if !g.state.master_down {
            catch_up_steps.push(g.catch_up("1m"));
            if g.rng.random_bool(0.5) {
                g.fault("crash master", "    fault: crash\n    server: master\n");
                g.state.master_down = true;
            }
        }
        g.events.push("prepared".into());
    }
    // `-s master` when the master is down or the standby cannot reach it
    // (a 2019.1 standby needs it then), and now and then when it can.
    let with_server_id = g.state.master_down
        || g.state.partitioned
        || g.state.port_blocked
        || g.rng.random_bool(0.25);
    let failover = if with_server_id {
        format!("{ON_STANDBY} failover -s master -y")
    } else {
        format!("{ON_STANDBY} failover -y")
    };
    let copied_step = g.run(
        "the standby's copy of the master's journal",
        "standby",
        "cat /standby/statejcopy",
        "1m",
    );
    let failover_step = g.run("failover", "standby", &failover, "15m");
    let serverid_step = g.run(
        "the server ID of the standby",
        "standby",
        &format!("{ON_STANDBY} serverid"),
        "5m",
    );
    let check_step =
        g.push("  - check: durability\n    new-master: standby\n    expect: safe\n".to_string());
    let yaml = format!(
        "name: fault-schedule-{seed}\n\
         description: seeded fault schedule {seed} around a failover\n\
         seed: {seed}\n\
         clock: \"2019-10-18T13:30:00+09:00\"\n\
         servers:\n  \
           master: {{version: \"2019.1\", services: commit-server, ip: {MASTER_IP}, root: /master, timezone: Asia/Tokyo}}\n  \
           standby: {{version: \"2019.1\", services: standby, ip: {STANDBY_IP}, root: /standby, timezone: Asia/Tokyo, state: stopped}}\n\
         steps:\n{}",
        g.steps.concat()
    );
    Schedule {
        seed,
        yaml,
        mandatory,
        with_server_id,
        copied_step,
        failover_step,
        serverid_step,
        check_step,
        catch_up_steps,
        events: g.events,
    }
}

/// The durability verdict of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Safe,
    Loss,
}

/// What one run showed.
#[derive(Debug, Clone)]
struct Outcome {
    verdict: Verdict,
    failover_ok: bool,
    participating: bool,
    /// Why the failover failed: the first line of its errors.
    failover_error: Option<String>,
    transcript: String,
}

fn run(schedule: &Schedule, snapshots: &Path) -> Result<ScenarioResult, String> {
    let name = format!("fault-schedule-{}.yaml", schedule.seed);
    let scenario = p4ha_scenario::load_str(name, &schedule.yaml)
        .map_err(|d| format!("the generated scenario is invalid:\n{d}"))?;
    let opts = RunOptions {
        snapshots: Some(snapshots.to_path_buf()),
        accept: true,
        keep_going: true,
        progress: Progress::Quiet,
        ..RunOptions::default()
    };
    Ok(p4ha_runner::run_scenario(&scenario, &opts))
}

/// The command a step ran (its last attempt).
fn command(r: &ScenarioResult, step: usize) -> Option<&CommandRecord> {
    let prefix = format!("{step}. ");
    let entry = r
        .execution
        .transcript
        .entries
        .iter()
        .find(|e| e.heading.starts_with(&prefix))?;
    entry.blocks.iter().rev().find_map(|b| match b {
        Block::Command(c) => Some(c),
        _ => None,
    })
}

/// Whether a step failed.
fn failed(r: &ScenarioResult, step: usize) -> bool {
    r.failures
        .iter()
        .any(|f| f.step.as_ref().is_some_and(|s| s.number == step))
}

/// Checks one run; `Err` says what is wrong.
fn examine(s: &Schedule, r: &ScenarioResult) -> Result<Outcome, String> {
    let transcript = r.execution.transcript.render(View::Full);
    // Failures a schedule may have: a wait for the standby that did not
    // see it catch up (the network was cut, a server was down), and the
    // check's `expect: safe` when the verdict is a loss. Anything else (a
    // caught panic, a command that did not finish in its time, a fault
    // the backend refused, the set-up failing) is a finding.
    let unexpected: Vec<String> = r
        .failures
        .iter()
        .filter(|f| {
            let step = f.step.as_ref().map(|s| s.number);
            let waited = step.is_some_and(|n| s.catch_up_steps.contains(&n))
                && f.message.contains("the condition still did not hold");
            let loss = step == Some(s.check_step)
                && f.message
                    .starts_with("durability: expected every acknowledged write");
            !(waited || loss)
        })
        .map(ToString::to_string)
        .collect();
    if !unexpected.is_empty() {
        return Err(format!("unexpected failures:\n{}", unexpected.join("\n")));
    }
    if r.execution.steps_run != s.check_step {
        return Err(format!(
            "the run stopped after step {} of {}",
            r.execution.steps_run, s.check_step
        ));
    }
    let safe = transcript
        .matches("\ndurability: safe (new master standby)\n")
        .count();
    let loss = transcript
        .matches("\ndurability: loss (new master standby)\n")
        .count();
    let verdict = match (safe, loss) {
        (1, 0) => Verdict::Safe,
        (0, 1) => Verdict::Loss,
        _ => {
            return Err(format!(
                "{safe} safe and {loss} loss verdicts in the transcript"
            ));
        }
    };
    let failover = command(r, s.failover_step).ok_or("the failover step ran no command")?;
    let serverid = command(r, s.serverid_step).ok_or("the serverid step ran no command")?;
    let failover_ok = failover.status == Some(0)
        && failover.stdout.contains("Perforce Server re-starting...")
        && serverid.stdout.trim_end() == "Server ID: master";
    let participating = failover
        .stdout
        .contains("Refusing new commands on server from which failover is occurring ...");
    if failover.status == Some(0) && !failover_ok {
        return Err(format!(
            "the failover exited 0 but the standby did not become the master:\n{}{}\nserverid: {}",
            failover.stdout, failover.stderr, serverid.stdout
        ));
    }
    // A standby that is not mandatory cannot fail over without its master
    // (MsgServer 988): every failover that went ahead without the master
    // was to a mandatory standby.
    if failover_ok && !participating && !s.mandatory {
        return Err("a nomandatory standby failed over without its master".into());
    }
    // A failover with the master taking part carries every journal record
    // the master wrote to the standby before the master stops, so every
    // acknowledged write is on the new master, mandatory or not.
    if failover_ok && participating && verdict == Verdict::Loss {
        return Err("a failover with the master taking part lost acknowledged writes".into());
    }
    // The standby's `statejcopy` just before the failover: how much of
    // the master's journal it had persisted (`JOURNAL/OFFSET`). The copy
    // only grows until the failover, which applies all of it (it waits
    // for `pull -L`), so a write whose record the master had journaled
    // by that offset must be on the new master, with the master taking
    // part or not. The schedules take no checkpoint after the set-up, so
    // the master's live journal, where the checker notes each
    // acknowledgement's offset, is journal 1 throughout.
    let copied = command(r, s.copied_step)
        .filter(|c| c.status == Some(0))
        .and_then(|c| c.stdout.trim().split_once('/'))
        .and_then(|(j, o)| Some((j.parse::<u64>().ok()?, o.parse::<u64>().ok()?)));
    if failover_ok && let Some((1, copied)) = copied {
        let marker = "    acknowledged at master:/master/journal byte ";
        let lost_within: Vec<u64> = transcript
            .lines()
            .filter_map(|l| l.strip_prefix(marker)?.parse().ok())
            .filter(|&offset: &u64| offset <= copied)
            .collect();
        if !lost_within.is_empty() {
            return Err(format!(
                "writes acknowledged at master journal offsets {lost_within:?} were lost although the standby had copied the master's journal to offset {copied} before the failover"
            ));
        }
    }
    // Without the master, a mandatory standby has only what it copied
    // before the master went: writes acknowledged while the standby was
    // cut off or behind are lost (p4d's mandatory option keeps other
    // replicas from getting ahead of the standby; it does not make the
    // master wait for it before acknowledging). So the verdict is only
    // known to be safe when the standby caught up after the last
    // acknowledged write.
    let last_ack = r.execution.history.acks.iter().map(|a| a.step).max();
    let caught_up = s
        .catch_up_steps
        .iter()
        .rev()
        .find(|&&n| !failed(r, n))
        .copied();
    if failover_ok
        && verdict == Verdict::Loss
        && let Some(c) = caught_up
        && last_ack.is_none_or(|a| a < c)
    {
        return Err(format!(
            "the standby caught up in step {c} after the last acknowledged write (step {}), the failover succeeded, yet writes were lost",
            last_ack.unwrap_or(0)
        ));
    }
    // Why the failover failed: the first line of its errors (the client's
    // own, such as a refused connection, come last).
    let failover_error = (!failover_ok).then(|| {
        let first = failover
            .stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && *l != "Perforce client error:");
        match (failover.status, first) {
            (Some(0), _) => "exit 0 without a new master".to_string(),
            (_, Some(line)) => line.to_string(),
            (status, None) => format!("no error output (status {status:?})"),
        }
    });
    Ok(Outcome {
        verdict,
        failover_ok,
        participating,
        failover_error,
        transcript,
    })
}

fn report(s: &Schedule, r: Option<&ScenarioResult>, why: &str) -> String {
    let mut out = format!(
        "seed {} ({}; events: {}): {why}\nreproduce with P4HA_FAULT_SEED={}, or save the scenario below as FILE and run `p4ha run --keep-going --accept --snapshots /tmp/snap --out /tmp/out FILE`:\n{}",
        s.seed,
        if s.mandatory {
            "mandatory"
        } else {
            "nomandatory"
        },
        s.events.join(", "),
        s.seed,
        s.yaml
    );
    if let Some(r) = r {
        for f in &r.failures {
            let _ = writeln!(out, "{f}");
        }
    }
    out
}

/// One line per schedule (`P4HA_FAULT_VERBOSE=1`).
fn line(s: &Schedule, checked: &Result<Outcome, String>) -> String {
    let how = match checked {
        Ok(o) => format!(
            "{:?} failover {}{}",
            o.verdict,
            if o.failover_ok { "ok" } else { "failed" },
            match (&o.failover_error, o.participating) {
                (Some(e), _) => format!(" ({e})"),
                (None, true) => " (master taking part)".to_string(),
                (None, false) => " (without the master)".to_string(),
            }
        ),
        Err(e) => format!("PROBLEM {}", e.lines().next().unwrap_or("")),
    };
    format!(
        "seed {} {}{}: {how}; events: {}",
        s.seed,
        if s.mandatory {
            "mandatory"
        } else {
            "nomandatory"
        },
        if s.with_server_id { " -s master" } else { "" },
        s.events.join(", ")
    )
}

fn count_from_env() -> usize {
    match std::env::var("P4HA_FAULT_SCHEDULES") {
        Ok(v) => v
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("P4HA_FAULT_SCHEDULES={v}: expected a number")),
        Err(_) => 1000,
    }
}

/// Where two transcripts of one seed part, with a few lines of each.
fn first_difference(a: &str, b: &str) -> String {
    let (a, b): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let at = a
        .iter()
        .zip(&b)
        .position(|(x, y)| x != y)
        .unwrap_or(a.len().min(b.len()));
    let from = at.saturating_sub(3);
    let show = |lines: &[&str]| {
        lines
            .iter()
            .skip(from)
            .take(at + 3 - from)
            .map(|l| format!("  | {l}\n"))
            .collect::<String>()
    };
    format!(
        "they differ from line {}:\nfirst run:\n{}second run:\n{}",
        at + 1,
        show(&a),
        show(&b)
    )
}

/// Runs and checks one seed; every 50th runs twice, and the two runs must
/// give the same verdict and the same transcript, byte for byte. `Err`
/// holds the whole report.
fn check_seed(seed: u64, snapshots: &Path) -> (Schedule, Result<Outcome, String>) {
    let s = generate(seed);
    let r = match run(&s, snapshots) {
        Ok(r) => r,
        Err(e) => {
            let report = report(&s, None, &e);
            return (s, Err(report));
        }
    };
    let checked = match examine(&s, &r) {
        Ok(o) if seed.is_multiple_of(50) => {
            match run(&s, snapshots).map(|again| examine(&s, &again)) {
                Ok(Ok(o2)) if o2.verdict != o.verdict => Err(format!(
                    "the same seed gave {:?}, then {:?}",
                    o.verdict, o2.verdict
                )),
                Ok(Ok(o2)) if o2.transcript != o.transcript => Err(format!(
                    "the same seed gave two different transcripts; {}",
                    first_difference(&o.transcript, &o2.transcript)
                )),
                Ok(Ok(_)) => Ok(o),
                Ok(Err(e)) | Err(e) => Err(format!("second run: {e}")),
            }
        }
        other => other,
    };
    let checked = checked.map_err(|e| report(&s, Some(&r), &e));
    (s, checked)
}

/// Stops the whole test when one schedule runs longer than [`HANG_LIMIT`]:
/// a worker stuck in the simulator cannot be interrupted, and the scope
/// would wait for it forever.
fn watchdog(running: &[Mutex<Option<(u64, Instant)>>], done: &AtomicBool) {
    while !done.load(Ordering::Relaxed) {
        std::thread::sleep(Duration::from_millis(200));
        for slot in running {
            let Some((seed, since)) = *slot.lock().unwrap_or_else(|e| e.into_inner()) else {
                continue;
            };
            if since.elapsed() > HANG_LIMIT {
                eprintln!(
                    "{}",
                    report(
                        &generate(seed),
                        None,
                        &format!("still running after {}s: a hang", HANG_LIMIT.as_secs())
                    )
                );
                std::process::exit(101);
            }
        }
    }
}

/// `P4HA_FAULT_SEED=S`: one schedule, with its scenario and transcript.
fn one_seed(seed: &str, snapshots: &Path) {
    let seed: u64 = seed
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("P4HA_FAULT_SEED={seed}: expected a number"));
    let s = generate(seed);
    let r = run(&s, snapshots).unwrap_or_else(|e| panic!("{}", report(&s, None, &e)));
    println!("{}\n{}", s.yaml, r.execution.transcript.render(View::Full));
    for f in &r.failures {
        println!("{f}");
    }
    match examine(&s, &r) {
        Ok(o) => println!("{}", line(&s, &Ok(o))),
        Err(e) => panic!("{}", report(&s, Some(&r), &e)),
    }
}

#[test]
fn seeded_fault_schedules_end_with_a_verdict() {
    let snapshots = tempfile::tempdir().unwrap();
    if let Ok(seed) = std::env::var("P4HA_FAULT_SEED") {
        one_seed(&seed, snapshots.path());
        return;
    }
    let count = count_from_env();
    let verbose = std::env::var("P4HA_FAULT_VERBOSE").is_ok_and(|v| !v.is_empty() && v != "0");
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(2, 4);
    let started = Instant::now();
    let next = AtomicU64::new(0);
    let done = AtomicBool::new(false);
    let running: Vec<Mutex<Option<(u64, Instant)>>> =
        (0..workers).map(|_| Mutex::new(None)).collect();
    let outcomes: Mutex<BTreeMap<u64, Outcome>> = Mutex::new(BTreeMap::new());
    let problems: Mutex<BTreeMap<u64, String>> = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        scope.spawn(|| watchdog(&running, &done));
        let handles: Vec<_> = running
            .iter()
            .map(|slot| {
                let (next, outcomes, problems) = (&next, &outcomes, &problems);
                let snapshots = snapshots.path();
                scope.spawn(move || {
                    loop {
                        let seed = next.fetch_add(1, Ordering::Relaxed);
                        if seed >= count as u64 {
                            break;
                        }
                        *slot.lock().unwrap() = Some((seed, Instant::now()));
                        // A panic of the test's own code is a problem of
                        // this seed, not the end of the worker. (The
                        // runner turns a panic inside a scenario into a
                        // failure of its own, which `examine` reports.)
                        let checked =
                            catch_unwind(AssertUnwindSafe(|| check_seed(seed, snapshots)))
                                .unwrap_or_else(|panic| {
                                    let why = panic
                                        .downcast_ref::<String>()
                                        .cloned()
                                        .or_else(|| {
                                            panic.downcast_ref::<&str>().map(|s| s.to_string())
                                        })
                                        .unwrap_or_default();
                                    let s = generate(seed);
                                    let report =
                                        report(&s, None, &format!("the test panicked: {why}"));
                                    (s, Err(report))
                                });
                        *slot.lock().unwrap() = None;
                        let (s, checked) = checked;
                        if verbose {
                            println!("{}", line(&s, &checked));
                        }
                        match checked {
                            Ok(o) => {
                                outcomes.lock().unwrap().insert(seed, o);
                            }
                            Err(report) => {
                                problems.lock().unwrap().insert(seed, report);
                            }
                        }
                    }
                })
            })
            .collect();
        for h in handles {
            let _ = h.join();
        }
        done.store(true, Ordering::Relaxed);
    });

    let outcomes = outcomes.into_inner().unwrap();
    let problems = problems.into_inner().unwrap();
    let n = |f: &dyn Fn(&Outcome) -> bool| outcomes.values().filter(|o| f(o)).count();
    println!(
        "{count} fault schedules in {:.1}s on {workers} threads: {} safe, {} loss; failover ok {} (master taking part {}), failed {}; {} problems",
        started.elapsed().as_secs_f64(),
        n(&|o| o.verdict == Verdict::Safe),
        n(&|o| o.verdict == Verdict::Loss),
        n(&|o| o.failover_ok),
        n(&|o| o.failover_ok && o.participating),
        n(&|o| !o.failover_ok),
        problems.len(),
    );
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for o in outcomes.values() {
        if let Some(e) = &o.failover_error {
            *reasons.entry(e.as_str()).or_default() += 1;
        }
    }
    let mut reasons: Vec<(&str, usize)> = reasons.into_iter().collect();
    reasons.sort_by_key(|r| std::cmp::Reverse(r.1));
    for (why, n) in reasons {
        println!("  failover failed {n} times: {why}");
    }
    if !problems.is_empty() {
        let seeds: Vec<String> = problems.keys().map(u64::to_string).collect();
        let shown: Vec<&str> = problems.values().take(3).map(String::as_str).collect();
        panic!(
            "{} of {count} schedules failed (seeds {}); the first {}:\n\n{}",
            problems.len(),
            seeds.join(", "),
            shown.len(),
            shown.join("\n\n")
        );
    }
    assert_eq!(outcomes.len(), count, "every schedule has an outcome");
}
