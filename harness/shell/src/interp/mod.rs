//! The interpreter: runs syntax trees against a host.

mod arith;
mod builtins;
mod expand;
mod external;
mod redirect;
mod simple;

pub(crate) use redirect::give_to;

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use p4ha_hostfs::HostFs;

use crate::host::{LocalBoxFuture, ShellHost};
use crate::streams::{Fd, Fds, Input, Sink};
use crate::syntax::{AndOr, Command, Compound, Connector, List, Parser, Pipeline};

/// How control leaves a command other than by finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// `exit`, a fatal error, or `set -e`.
    Exit(i32),
    /// `break n`.
    Break(usize),
    /// `continue n`.
    Continue(usize),
    /// `return n`.
    Return(i32),
}

pub(crate) type Exec = Result<i32, Flow>;

/// A shell variable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Var {
    pub value: String,
    pub exported: bool,
    pub readonly: bool,
}

/// `set` options.
#[derive(Debug, Clone, Default)]
pub(crate) struct Opts {
    pub errexit: bool,
    pub nounset: bool,
    pub xtrace: bool,
    pub noglob: bool,
    pub noclobber: bool,
    pub allexport: bool,
}

/// The state of one shell (a subshell is a clone).
#[derive(Clone)]
pub(crate) struct Shell<'h> {
    pub host: &'h dyn ShellHost,
    pub fs: HostFs,
    pub vars: BTreeMap<String, Var>,
    pub positional: Vec<String>,
    pub arg0: String,
    pub cwd: PathBuf,
    pub user: String,
    /// The user the shell's process really runs as, on a native host;
    /// files created for another user (`sudo -u`) are handed over to it.
    pub process_user: Option<String>,
    pub hostname: String,
    pub pid: u32,
    pub status: i32,
    pub opts: Opts,
    pub functions: BTreeMap<String, Rc<Command>>,
    pub lineno: usize,
    pub umask: u32,
    pub fds: Fds,
    pub exit_trap: Option<String>,
    pub loop_depth: usize,
    pub func_depth: usize,
    /// While above zero, a failing command does not trigger `set -e`.
    pub errexit_off: usize,
    /// Status of the last command substitution of the current command.
    pub subst_status: Option<i32>,
    /// Commands left before the run is stopped (shared with subshells).
    pub budget: Rc<Cell<Option<u64>>>,
    pub budget_total: Option<u64>,
    pub locals: Vec<Vec<(String, Option<Var>)>>,
    /// The host's time zone for when `TZ` is unset (asked once).
    pub default_tz: jiff::tz::TimeZone,
}

/// How a shell starts.
pub(crate) struct Start<'a> {
    pub env: &'a BTreeMap<String, String>,
    pub cwd: PathBuf,
    pub user: String,
    pub process_user: Option<String>,
    pub arg0: String,
    pub args: Vec<String>,
    pub hostname: String,
    pub pid: u32,
    pub command_limit: Option<u64>,
    pub errexit: bool,
    pub nounset: bool,
    pub xtrace: bool,
}

impl<'h> Shell<'h> {
    pub(crate) fn new(host: &'h dyn ShellHost, start: Start<'_>, fds: Fds) -> Shell<'h> {
        let mut fds = fds;
        fds.base = true;
        let mut vars = BTreeMap::new();
        for (k, v) in start.env {
            vars.insert(
                k.clone(),
                Var {
                    value: v.clone(),
                    exported: true,
                    readonly: false,
                },
            );
        }
        let cwd = p4ha_hostfs::normalize(&start.cwd);
        for (name, value) in [
            ("IFS", " \t\n".to_string()),
            ("PS4", "+ ".to_string()),
            ("OPTIND", "1".to_string()),
        ] {
            vars.entry(name.to_string()).or_insert(Var {
                value,
                exported: false,
                readonly: false,
            });
        }
        vars.insert(
            "PWD".into(),
            Var {
                value: cwd.to_string_lossy().into_owned(),
                exported: true,
                readonly: false,
            },
        );
        Shell {
            host,
            fs: host.fs().clone(),
            vars,
            positional: start.args,
            arg0: start.arg0,
            cwd,
            user: start.user,
            process_user: start.process_user,
            hostname: start.hostname,
            pid: start.pid,
            status: 0,
            opts: Opts {
                errexit: start.errexit,
                nounset: start.nounset,
                xtrace: start.xtrace,
                ..Opts::default()
            },
            functions: BTreeMap::new(),
            lineno: 0,
            umask: 0o022,
            fds,
            exit_trap: None,
            loop_depth: 0,
            func_depth: 0,
            errexit_off: 0,
            subst_status: None,
            budget: Rc::new(Cell::new(start.command_limit)),
            budget_total: start.command_limit,
            locals: Vec::new(),
            default_tz: host.default_time_zone(),
        }
    }

    /// Runs script text to its end, an `exit`, or its first syntax error;
    /// then the EXIT trap. Returns the exit status.
    pub(crate) async fn run_text(&mut self, text: &str) -> i32 {
        let status = match self.run_source(text, 1, None, None).await {
            Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) => s,
            Err(Flow::Break(_)) | Err(Flow::Continue(_)) => self.status,
        };
        self.status = status;
        self.run_exit_trap().await;
        self.status
    }

    /// Parses and runs text one complete command at a time (scripts,
    /// `eval`, `.`). A syntax error is fatal, as in a non-interactive
    /// shell.
    /// With `fds` unset, each command uses the shell's descriptors as they
    /// are then (so `exec > file` applies from the next line on).
    /// `origin` names where the text came from in syntax errors (`eval`,
    /// or the file of `.`).
    pub(crate) fn run_source<'a>(
        &'a mut self,
        text: &'a str,
        first_line: usize,
        fds: Option<&'a Fds>,
        origin: Option<&'a str>,
    ) -> LocalBoxFuture<'a, Exec> {
        Box::pin(async move {
            let mut parser = Parser::with_line(text, first_line);
            let mut status = 0;
            loop {
                match parser.next_command() {
                    Ok(None) => return Ok(status),
                    Ok(Some(list)) => {
                        let current = match fds {
                            Some(f) => f.clone(),
                            None => self.fds.clone(),
                        };
                        status = self.run_list(&list, &current).await?;
                    }
                    Err(e) => {
                        self.lineno = e.line;
                        let current = match fds {
                            Some(f) => f.clone(),
                            None => self.fds.clone(),
                        };
                        let msg = match origin {
                            Some(o) => format!("{o}: {e}"),
                            None => e.to_string(),
                        };
                        self.report(&current, &msg);
                        self.status = 2;
                        return Err(Flow::Exit(2));
                    }
                }
            }
        })
    }

    async fn run_exit_trap(&mut self) {
        self.run_exit_trap_with(None).await;
    }

    async fn run_exit_trap_with(&mut self, fds: Option<&Fds>) {
        if let Some(trap) = self.exit_trap.take() {
            let saved = self.status;
            let _ = self.run_source(&trap, self.lineno.max(1), fds, None).await;
            self.status = saved;
        }
    }

    /// Writes `sh: LINE: message` to standard error.
    pub(crate) fn report(&self, fds: &Fds, message: &str) {
        let text = format!("{}: {}: {}\n", self.arg0, self.lineno, message);
        let _ = fds.write(2, text.as_bytes());
    }

    /// A subshell: a copy of this shell whose changes are discarded.
    pub(crate) fn subshell(&self) -> Shell<'h> {
        let mut sub = self.clone();
        sub.exit_trap = None;
        sub.loop_depth = 0;
        sub
    }

    /// Runs a subshell to completion and returns its status.
    pub(crate) async fn run_in_subshell(&self, list: &List, fds: &Fds) -> i32 {
        let mut sub = self.subshell();
        let status = match sub.run_list(list, fds).await {
            Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) => s,
            Err(_) => sub.status,
        };
        sub.status = status;
        sub.run_exit_trap_with(Some(fds)).await;
        status
    }

    /// Counts one command against the run's limit.
    pub(crate) fn charge(&mut self, fds: &Fds) -> Result<(), Flow> {
        if let Some(left) = self.budget.get() {
            if left == 0 {
                let total = self.budget_total.unwrap_or(0);
                self.report(
                    fds,
                    &format!("stopped after {total} commands (the run's command limit)"),
                );
                return Err(Flow::Exit(2));
            }
            self.budget.set(Some(left - 1));
        }
        Ok(())
    }

    pub(crate) fn run_list<'a>(
        &'a mut self,
        list: &'a List,
        fds: &'a Fds,
    ) -> LocalBoxFuture<'a, Exec> {
        Box::pin(async move {
            let mut status = 0;
            for item in &list.0 {
                if fds.base {
                    let current = self.fds.clone();
                    status = self.run_and_or(item, &current).await?;
                } else {
                    status = self.run_and_or(item, fds).await?;
                }
            }
            Ok(status)
        })
    }

    async fn run_and_or(&mut self, item: &AndOr, fds: &Fds) -> Exec {
        if item.background {
            self.lineno = item.first.line;
            self.report(
                fds,
                "cannot run a command in the background ('&'): there is no job control here; \
                 start servers with 'p4d -d' or 'p4dctl start'",
            );
            return Err(Flow::Exit(2));
        }
        let n = item.rest.len();
        let mut status = self.run_pipeline_checked(&item.first, fds, n == 0).await?;
        for (i, (conn, pipeline)) in item.rest.iter().enumerate() {
            let go = match conn {
                Connector::And => status == 0,
                Connector::Or => status != 0,
            };
            if go {
                status = self.run_pipeline_checked(pipeline, fds, i + 1 == n).await?;
            }
        }
        Ok(status)
    }

    /// Runs a pipeline; applies `set -e` to the last pipeline of an and-or
    /// list when it is not negated.
    async fn run_pipeline_checked(&mut self, p: &Pipeline, fds: &Fds, last: bool) -> Exec {
        let exempt = !last || p.negated;
        if exempt {
            self.errexit_off += 1;
        }
        let result = self.run_pipeline(p, fds).await;
        if exempt {
            self.errexit_off -= 1;
        }
        let status = result?;
        self.status = status;
        if status != 0 && !exempt && self.opts.errexit && self.errexit_off == 0 {
            return Err(Flow::Exit(status));
        }
        Ok(status)
    }

    async fn run_pipeline(&mut self, p: &Pipeline, fds: &Fds) -> Exec {
        let status = if p.commands.len() == 1 {
            self.run_command(&p.commands[0], fds).await?
        } else {
            // Stage by stage: each stage's whole output is the next one's
            // input. Every stage runs in a subshell, as in dash.
            let mut input = fds.stdin();
            let mut status = 0;
            let last = p.commands.len() - 1;
            for (i, cmd) in p.commands.iter().enumerate() {
                let mut stage = fds.clone();
                stage.set(0, Fd::In(input.clone()));
                let buf = if i < last {
                    let (sink, buf) = Sink::buffer();
                    stage.set(1, Fd::Out(sink));
                    Some(buf)
                } else {
                    None
                };
                let mut sub = self.subshell();
                status = match sub.run_command(cmd, &stage).await {
                    Ok(s) | Err(Flow::Exit(s)) | Err(Flow::Return(s)) => s,
                    Err(_) => sub.status,
                };
                if let Some(buf) = buf {
                    input = Input::bytes(buf.take());
                }
            }
            status
        };
        let status = if p.negated {
            i32::from(status == 0)
        } else {
            status
        };
        self.status = status;
        Ok(status)
    }

    pub(crate) fn run_command<'a>(
        &'a mut self,
        cmd: &'a Command,
        fds: &'a Fds,
    ) -> LocalBoxFuture<'a, Exec> {
        Box::pin(async move {
            match cmd {
                Command::Simple(sc) => self.run_simple(sc, fds).await,
                Command::Compound(compound, redirects) => {
                    let Some(fds) = self.apply_redirects(redirects, fds).await? else {
                        return Ok(2);
                    };
                    self.run_compound(compound, &fds).await
                }
                Command::FunctionDef(def) => {
                    self.functions.insert(def.name.clone(), def.body.clone());
                    Ok(0)
                }
            }
        })
    }

    async fn run_condition(&mut self, list: &List, fds: &Fds) -> Exec {
        self.errexit_off += 1;
        let r = self.run_list(list, fds).await;
        self.errexit_off -= 1;
        r
    }

    async fn run_compound(&mut self, c: &Compound, fds: &Fds) -> Exec {
        match c {
            Compound::Brace(list) => self.run_list(list, fds).await,
            Compound::Subshell(list) => {
                let status = self.run_in_subshell(list, fds).await;
                self.status = status;
                Ok(status)
            }
            Compound::If {
                branches,
                otherwise,
            } => {
                for (cond, body) in branches {
                    if self.run_condition(cond, fds).await? == 0 {
                        return self.run_list(body, fds).await;
                    }
                }
                match otherwise {
                    Some(body) => self.run_list(body, fds).await,
                    None => Ok(0),
                }
            }
            Compound::While { until, cond, body } => {
                self.loop_depth += 1;
                let r = self.run_while(*until, cond, body, fds).await;
                self.loop_depth -= 1;
                r
            }
            Compound::For { var, words, body } => {
                let items = match words {
                    Some(words) => {
                        let mut items = Vec::new();
                        for w in words {
                            items.extend(self.expand_fields(w, fds).await?);
                        }
                        items
                    }
                    None => self.positional.clone(),
                };
                self.loop_depth += 1;
                let r = self.run_for(var, &items, body, fds).await;
                self.loop_depth -= 1;
                r
            }
            Compound::Case { word, arms } => {
                let subject = self.expand_string(word, fds).await?;
                for arm in arms {
                    for pat in &arm.patterns {
                        let pattern = self.expand_pattern(pat, fds).await?;
                        if crate::pattern::Pattern::new(&pattern).matches(&subject) {
                            return self.run_list(&arm.body, fds).await;
                        }
                    }
                }
                Ok(0)
            }
        }
    }

    async fn run_while(&mut self, until: bool, cond: &List, body: &List, fds: &Fds) -> Exec {
        let mut status = 0;
        loop {
            self.charge(fds)?;
            let c = match self.run_condition(cond, fds).await {
                Ok(c) => c,
                Err(Flow::Break(n)) => return leave_loop(Flow::Break(n), status),
                Err(Flow::Continue(n)) if n > 1 => return Err(Flow::Continue(n - 1)),
                Err(Flow::Continue(_)) => continue,
                Err(e) => return Err(e),
            };
            if (c == 0) == until {
                return Ok(status);
            }
            match self.run_list(body, fds).await {
                Ok(s) => status = s,
                Err(Flow::Continue(n)) if n <= 1 => {}
                Err(flow) => return leave_loop(flow, status),
            }
        }
    }

    async fn run_for(&mut self, var: &str, items: &[String], body: &List, fds: &Fds) -> Exec {
        let mut status = 0;
        for item in items {
            if let Err(msg) = self.set_var(var, item.clone()) {
                self.report(fds, &msg);
                return Err(Flow::Exit(2));
            }
            match self.run_list(body, fds).await {
                Ok(s) => status = s,
                Err(Flow::Continue(n)) if n <= 1 => {}
                Err(flow) => return leave_loop(flow, status),
            }
        }
        Ok(status)
    }

    // ---- variables ----

    pub(crate) fn get_var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(|v| v.value.as_str())
    }

    /// Sets a variable; the error is dash's message for a read-only one.
    pub(crate) fn set_var(&mut self, name: &str, value: String) -> Result<(), String> {
        let allexport = self.opts.allexport;
        match self.vars.get_mut(name) {
            Some(v) if v.readonly => Err(format!("{name}: is read only")),
            Some(v) => {
                v.value = value;
                v.exported |= allexport;
                Ok(())
            }
            None => {
                self.vars.insert(
                    name.to_string(),
                    Var {
                        value,
                        exported: allexport,
                        readonly: false,
                    },
                );
                Ok(())
            }
        }
    }

    /// The environment handed to programs: exported variables, then the
    /// command's own assignments.
    pub(crate) fn environment(&self, extra: &[(String, String)]) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = self
            .vars
            .iter()
            .filter(|(_, v)| v.exported)
            .map(|(k, v)| (k.clone(), v.value.clone()))
            .collect();
        for (k, v) in extra {
            env.insert(k.clone(), v.clone());
        }
        env
    }

    /// `$-`.
    pub(crate) fn flags(&self) -> String {
        let mut s = String::new();
        // In dash's order.
        for (on, c) in [
            (self.opts.nounset, 'u'),
            (self.opts.allexport, 'a'),
            (self.opts.noclobber, 'C'),
            (self.opts.xtrace, 'x'),
            (self.opts.noglob, 'f'),
            (self.opts.errexit, 'e'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }
}

/// What a loop returns when its body breaks out or continues outward.
fn leave_loop(flow: Flow, status: i32) -> Exec {
    match flow {
        Flow::Break(n) if n > 1 => Err(Flow::Break(n - 1)),
        Flow::Break(_) => Ok(status),
        Flow::Continue(n) if n > 1 => Err(Flow::Continue(n - 1)),
        Flow::Continue(_) => Ok(status),
        other => Err(other),
    }
}
