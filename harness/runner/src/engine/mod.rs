//! Running one scenario against a backend: preflight, machines, the
//! installation of every server, then the steps, recording a transcript
//! and the history of acknowledged writes. The backend is always taken
//! down at the end, also when a step panics.

mod checker;
mod commands;
mod faults;
mod files;
mod setup;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use p4ha_backend::{Backend, BackendError, Exec, ExecOutput};
use p4ha_scenario::{Action, Scenario, Step, Upgrade, format_duration};

use crate::durability::History;
use crate::failure::{Failure, StepRef, indent};
use crate::normalise::Normaliser;
use crate::plan::{Placement, Plan};
use crate::transcript::{Block, CommandRecord, Entry, Transcript};

/// How one scenario is run.
#[derive(Debug, Clone)]
pub struct ScenarioOptions {
    /// Seed of the backend's random choices.
    pub seed: u64,
    /// Time limit of a command whose step sets none (backend time).
    pub default_timeout: Duration,
    /// Go on with the next steps after a failed one.
    pub keep_going: bool,
}

impl Default for ScenarioOptions {
    fn default() -> Self {
        ScenarioOptions {
            seed: 0,
            default_timeout: Duration::from_secs(600),
            keep_going: false,
        }
    }
}

/// A server's journal at the end of a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinalJournal {
    /// The server.
    pub server: String,
    /// The journal's path on its machine.
    pub path: String,
    /// The normalised content, or why it could not be read.
    pub content: Result<String, String>,
}

/// What running a scenario produced.
#[derive(Debug, Clone, Default)]
pub struct Execution {
    /// Everything that happened.
    pub transcript: Transcript,
    /// What failed; empty when every step passed.
    pub failures: Vec<Failure>,
    /// Each server's normalised journal at the end.
    pub journals: Vec<FinalJournal>,
    /// How many steps ran.
    pub steps_run: usize,
    /// The acknowledged writes.
    pub history: History,
}

/// Runs `scenario` on `backend`.
pub fn execute(
    scenario: &Scenario,
    backend: &mut dyn Backend,
    opts: &ScenarioOptions,
) -> Execution {
    let mut exec = Execution::default();
    let violations = scenario.preflight_violations();
    if !violations.is_empty() {
        for v in violations {
            let mut f = Failure::scenario(
                &scenario.name,
                format!("preflight ({}): {}", v.check, v.message),
            );
            if let Some(loc) = &scenario.preflight.location {
                f.detail = format!("preflight written at {loc}");
            }
            exec.failures.push(f);
        }
        return exec;
    }
    let plan = Plan::new(scenario, opts.seed);
    let mut engine = Engine {
        scenario,
        plan,
        backend: Guard {
            backend,
            down: false,
        },
        norm: Normaliser::new(),
        opts: opts.clone(),
        transcript: Transcript::default(),
        history: History::default(),
        partitions: BTreeSet::new(),
        blocked: BTreeSet::new(),
    };
    let mut failures = Vec::new();
    match engine.backend.get().up(&engine.plan.topology) {
        Err(e) => failures.push(Failure::scenario(
            &scenario.name,
            format!(
                "the {} backend could not start the machines: {e}",
                engine.backend.name()
            ),
        )),
        Ok(()) => {
            if let Err(f) = engine.install() {
                failures.push(f);
            } else {
                for (i, step) in scenario.steps.iter().enumerate() {
                    exec.steps_run = i + 1;
                    if let Err(mut f) = engine.step(i + 1, step) {
                        f.step = Some(Box::new(StepRef::new(i + 1, step)));
                        failures.push(f);
                        if !opts.keep_going {
                            break;
                        }
                    }
                }
            }
            exec.journals = engine.final_journals();
        }
    }
    if let Err(e) = engine.backend.take_down() {
        failures.push(Failure::scenario(
            &scenario.name,
            format!("taking the machines down failed: {e}"),
        ));
    }
    exec.transcript = std::mem::take(&mut engine.transcript);
    exec.history = std::mem::take(&mut engine.history);
    exec.failures.extend(failures);
    exec
}

/// Takes the backend down when dropped, so that a panic in a step still
/// cleans up.
struct Guard<'b> {
    backend: &'b mut dyn Backend,
    down: bool,
}

impl Guard<'_> {
    fn get(&mut self) -> &mut dyn Backend {
        &mut *self.backend
    }

    fn name(&self) -> &'static str {
        self.backend.name()
    }

    fn take_down(&mut self) -> Result<(), BackendError> {
        if self.down {
            return Ok(());
        }
        self.down = true;
        self.backend.down()
    }
}

impl Drop for Guard<'_> {
    fn drop(&mut self) {
        if !self.down {
            self.down = true;
            let _ = self.backend.down();
        }
    }
}

struct Engine<'a, 'b> {
    scenario: &'a Scenario,
    plan: Plan,
    backend: Guard<'b>,
    norm: Normaliser,
    opts: ScenarioOptions,
    transcript: Transcript,
    history: History,
    /// Machine pairs cut by `partition` faults.
    partitions: BTreeSet<(String, String)>,
    /// Ports blocked by `block-port` faults.
    blocked: BTreeSet<(String, u16)>,
}

/// The combined text of a command's output, for messages.
fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The first line of a script, for messages.
fn first_line(script: &str) -> &str {
    script.trim().lines().next().unwrap_or("").trim_end()
}

/// How failures name a command: the line itself, or for a script the
/// line whose exit status is the script's (its last one).
fn describe(script: &str) -> String {
    let lines: Vec<&str> = script
        .trim()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    match lines.as_slice() {
        [] => "the empty command".to_string(),
        [one] => format!("`{one}`"),
        [.., last] => format!("the commands ending with `{last}`"),
    }
}

/// A command's output shown in a failure.
fn shown_output(out: &ExecOutput) -> String {
    let mut s = String::new();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    if stdout.is_empty() && stderr.is_empty() {
        s.push_str("(no output)\n");
    }
    if !stdout.is_empty() {
        s.push_str("stdout:\n");
        s.push_str(&indent(&stdout, "  | "));
    }
    if !stderr.is_empty() {
        s.push_str("stderr:\n");
        s.push_str(&indent(&stderr, "  | "));
    }
    s
}

impl Engine<'_, '_> {
    fn name(&self) -> &str {
        &self.scenario.name
    }

    fn placement(&self, server: &str) -> Result<Placement, Failure> {
        self.plan.get(server).cloned().ok_or_else(|| {
            Failure::scenario(
                self.name(),
                format!("no server named '{server}' in this scenario"),
            )
        })
    }

    fn backend_failure(&self, server: &str, what: &str, e: BackendError) -> Failure {
        Failure::scenario(self.name(), format!("{what}: {e}")).on(server)
    }

    /// Adds a block to the current entry.
    fn block(&mut self, block: Block) {
        if let Some(e) = self.transcript.entries.last_mut() {
            e.blocks.push(block);
        }
    }

    fn line(&mut self, text: impl Into<String>, snapshot: bool) {
        self.block(Block::Line {
            text: text.into(),
            snapshot,
        });
    }

    fn run_exec(
        &mut self,
        machine: &str,
        script: &str,
        stdin: &[u8],
        env: BTreeMap<String, String>,
        timeout: Duration,
    ) -> Result<ExecOutput, BackendError> {
        let exec = Exec {
            script: script.to_string(),
            stdin: stdin.to_vec(),
            env,
            cwd: None,
            timeout,
        };
        self.backend.get().exec(machine, &exec)
    }

    fn record(
        &self,
        script: &str,
        input: Option<&str>,
        out: &ExecOutput,
        timeout: Duration,
        snapshot: bool,
    ) -> Block {
        Block::Command(CommandRecord {
            script: script.trim_end_matches('\n').to_string(),
            input: input.map(|i| self.norm.apply(i)),
            stdout: self.norm.apply_bytes(&out.stdout),
            stderr: self.norm.apply_bytes(&out.stderr),
            status: out.status,
            timeout,
            attempts: None,
            snapshot,
        })
    }

    fn heading(&self, number: usize, step: &Step) -> String {
        let mut h = format!("{number}.");
        if let Some(section) = &step.section {
            h.push_str(&format!(" [{section}]"));
        }
        let mut servers: Vec<&str> = Vec::new();
        for s in step.action.servers() {
            if !servers.contains(&s) {
                servers.push(s);
            }
        }
        if !servers.is_empty() {
            h.push_str(&format!(" {}:", servers.join(", ")));
        }
        let title = match &step.name {
            Some(name) => name.clone(),
            None => match &step.action {
                Action::Fault(f) => format!("fault {}", f.name()),
                Action::CheckDurability(_) => "check durability".to_string(),
                Action::SnapshotJournals(_) => "journals".to_string(),
                other => other.key().to_string(),
            },
        };
        h.push(' ');
        h.push_str(&title);
        h
    }

    fn step(&mut self, number: usize, step: &Step) -> Result<(), Failure> {
        self.transcript.entries.push(Entry {
            heading: self.heading(number, step),
            location: Some(StepRef::new(number, step).location),
            in_snapshot: true,
            blocks: Vec::new(),
        });
        match &step.action {
            Action::Run(run) => self.run(number, run),
            Action::Wait(wait) => self.wait(number, wait),
            Action::EditSpec(edit) => self.edit_spec(number, edit),
            Action::Copy(copy) => self.copy(copy),
            Action::Fault(fault) => self.fault(fault),
            Action::SnapshotJournals(servers) => {
                for s in servers {
                    let block = self.journal_block(s)?;
                    self.block(block);
                }
                Ok(())
            }
            Action::Sleep(d) => {
                self.line(format!("sleep {}", format_duration(*d)), true);
                self.backend
                    .get()
                    .sleep(*d)
                    .map_err(|e| Failure::scenario(self.name(), format!("sleep: {e}")))
            }
            Action::Upgrade(u) => self.upgrade(u),
            Action::CheckDurability(c) => self.check_durability(c),
        }
    }

    fn upgrade(&mut self, u: &Upgrade) -> Result<(), Failure> {
        let p = self.placement(&u.server)?;
        self.line(
            format!("upgrade: p4d {} installed on {}", u.version, u.server),
            true,
        );
        self.backend
            .get()
            .install(&p.machine, &u.version.to_string(), u.image.as_deref())
            .map_err(|e| {
                self.backend_failure(&u.server, &format!("installing p4d {}", u.version), e)
            })
    }
}
/// The reason of a backend error about a file, without the place.
fn reason(e: &BackendError) -> String {
    match e {
        BackendError::File { reason, .. } => reason.clone(),
        other => other.to_string(),
    }
}
