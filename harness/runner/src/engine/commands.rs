//! The steps that run commands: `run`, `wait` and `edit-spec`.

use std::collections::BTreeMap;
use std::time::Duration;

use p4ha_backend::ExecOutput;
use p4ha_scenario::{CommandOutput, EditSpec, Expect, Mismatch, Run, Wait, format_duration};

use super::{Engine, describe, first_line, shown_output, text};
use crate::failure::{Failure, indent};
use crate::form::Form;
use crate::transcript::Block;

impl Engine<'_, '_> {
    fn command_env(&self, on: &str, step_env: &[(String, String)]) -> BTreeMap<String, String> {
        self.scenario
            .command_env(on, step_env)
            .into_iter()
            .collect()
    }

    /// Checks a finished command against `expect`.
    fn check_output(
        &self,
        on: &str,
        script: &str,
        out: &ExecOutput,
        timeout: Duration,
        expect: &Expect,
    ) -> Result<(), Failure> {
        let Some(code) = out.status else {
            return Err(Failure::scenario(
                self.name(),
                format!(
                    "{} did not finish within {}",
                    describe(script),
                    format_duration(timeout)
                ),
            )
            .on(on)
            .with_detail(shown_output(out)));
        };
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        let mismatches = expect.check(&CommandOutput {
            exit_code: code,
            stdout: &stdout,
            stderr: &stderr,
        });
        if mismatches.is_empty() {
            return Ok(());
        }
        Err(self.mismatch_failure(on, script, out, &mismatches))
    }

    /// A failure for a command whose result broke its expectations: one
    /// line saying what broke (the exit status in the administrator's
    /// words when that is all), then every broken check in full and the
    /// command's output.
    fn mismatch_failure(
        &self,
        on: &str,
        script: &str,
        out: &ExecOutput,
        mismatches: &[Mismatch],
    ) -> Failure {
        let desc = describe(script);
        let exit_message = |m: &Mismatch| {
            let code = out.status.unwrap_or(-1);
            match m
                .message
                .strip_prefix("expected exit status ")
                .and_then(|r| r.split(',').next())
            {
                Some(wanted) => format!("{desc} exited with status {code}, expected {wanted}"),
                None => format!("{desc}: {}", m.message),
            }
        };
        let mut detail = String::new();
        if script.trim().lines().count() > 1 {
            detail.push_str("command:\n");
            detail.push_str(&indent(script.trim_end(), "  $ "));
        }
        let message = match mismatches {
            [one] if one.check == "exit" => exit_message(one),
            [one] => {
                let mut lines = one.message.lines();
                let head = lines.next().unwrap_or("").trim_end_matches(':');
                for l in lines {
                    detail.push_str(l);
                    detail.push('\n');
                }
                format!("{desc}: {head}")
            }
            many => {
                for m in many {
                    let text = if m.check == "exit" {
                        exit_message(m)
                    } else {
                        m.message.clone()
                    };
                    detail.push_str(text.trim_end());
                    detail.push('\n');
                }
                format!("{desc}: {} of its expectations failed", many.len())
            }
        };
        detail.push_str(&shown_output(out));
        Failure::scenario(self.name(), message)
            .on(on)
            .with_detail(detail)
    }

    pub(super) fn run(&mut self, number: usize, run: &Run) -> Result<(), Failure> {
        let on = &run.command.on;
        let p = self.placement(on)?;
        let env = self.command_env(on, &run.command.env);
        let timeout = run.timeout.unwrap_or(self.opts.default_timeout);
        let stdin = run.command.stdin.clone().unwrap_or_default();
        let out = self
            .run_exec(
                &p.machine,
                &run.command.script,
                stdin.as_bytes(),
                env.clone(),
                timeout,
            )
            .map_err(|e| {
                self.backend_failure(
                    on,
                    &format!("running `{}`", first_line(&run.command.script)),
                    e,
                )
            })?;
        let rec = self.record(&run.command.script, None, &out, timeout, run.snapshot);
        self.block(rec);
        self.observe(number, on, &run.command.script, &env, &out.stdout);
        self.check_output(on, &run.command.script, &out, timeout, &run.expect)
    }

    pub(super) fn wait(&mut self, number: usize, wait: &Wait) -> Result<(), Failure> {
        let on = &wait.command.on;
        let p = self.placement(on)?;
        let env = self.command_env(on, &wait.command.env);
        let stdin = wait.command.stdin.clone().unwrap_or_default();
        let script = &wait.command.script;
        let start = self.backend.get().now();
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let elapsed = Duration::from_secs((self.backend.get().now() - start).max(0) as u64);
            let limit = wait
                .timeout
                .saturating_sub(elapsed)
                .max(Duration::from_secs(1));
            let out = self
                .run_exec(&p.machine, script, stdin.as_bytes(), env.clone(), limit)
                .map_err(|e| {
                    self.backend_failure(on, &format!("running `{}`", first_line(script)), e)
                })?;
            self.observe(number, on, script, &env, &out.stdout);
            let mismatches = match out.status {
                Some(code) => {
                    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
                    wait.until.check(&CommandOutput {
                        exit_code: code,
                        stdout: &stdout,
                        stderr: &stderr,
                    })
                }
                None => vec![Mismatch {
                    check: "exit",
                    message: format!(
                        "the command did not finish within {}",
                        format_duration(limit)
                    ),
                }],
            };
            let elapsed = Duration::from_secs((self.backend.get().now() - start).max(0) as u64);
            let done = mismatches.is_empty();
            if done || elapsed + wait.every > wait.timeout {
                let mut rec = self.record(script, None, &out, limit, wait.snapshot);
                if let Block::Command(c) = &mut rec {
                    c.attempts = Some(attempts);
                }
                self.block(rec);
                if done {
                    return Ok(());
                }
                let mut f = self.mismatch_failure(on, script, &out, &mismatches);
                f.message = format!(
                    "{}: the condition still did not hold after {} ({attempts} attempt{}): {}",
                    describe(script),
                    format_duration(wait.timeout),
                    if attempts == 1 { "" } else { "s" },
                    mismatches[0].message.lines().next().unwrap_or("")
                );
                f.detail = format!("last attempt:\n{}", f.detail);
                return Err(f);
            }
            self.backend
                .get()
                .sleep(wait.every)
                .map_err(|e| self.backend_failure(on, "waiting", e))?;
        }
    }

    pub(super) fn edit_spec(&mut self, number: usize, edit: &EditSpec) -> Result<(), Failure> {
        let on = &edit.on;
        let p = self.placement(on)?;
        let env = self.command_env(on, &edit.env);
        let timeout = edit.timeout.unwrap_or(self.opts.default_timeout);
        let fetch = edit.fetch_command();
        let out = self
            .run_exec(&p.machine, &fetch, b"", env.clone(), timeout)
            .map_err(|e| self.backend_failure(on, &format!("running `{fetch}`"), e))?;
        let rec = self.record(&fetch, None, &out, timeout, false);
        self.block(rec);
        if out.status != Some(0) {
            let mut f = self.mismatch_failure(
                on,
                &fetch,
                &out,
                &[Mismatch {
                    check: "exit",
                    message: "expected exit status success, got".into(),
                }],
            );
            f.message = format!(
                "fetching the form with `{fetch}` failed ({})",
                out.status
                    .map_or("no answer".to_string(), |s| format!("exit status {s}"))
            );
            return Err(f);
        }
        let mut form = Form::parse(&text(&out.stdout));
        for (field, value) in &edit.set {
            form.set(field, value);
        }
        for (field, lines) in &edit.append {
            form.append(field, lines);
        }
        for (field, lines) in &edit.remove {
            form.remove(field, lines).map_err(|e| {
                Failure::scenario(
                    self.name(),
                    format!("editing the form of `{}`", edit.command),
                )
                .on(on)
                .with_detail(e.to_string())
            })?;
        }
        let input = form.to_string();
        let save = edit.save_command();
        let out = self
            .run_exec(&p.machine, &save, input.as_bytes(), env.clone(), timeout)
            .map_err(|e| self.backend_failure(on, &format!("running `{save}`"), e))?;
        let rec = self.record(&save, Some(&input), &out, timeout, edit.snapshot);
        self.block(rec);
        self.observe(number, on, &save, &env, &out.stdout);
        self.check_output(on, &save, &out, timeout, &edit.expect)
            .map_err(|mut f| {
                f.detail = format!(
                    "the form fed to `{save}`:\n{}{}",
                    indent(&input, "  | "),
                    f.detail
                );
                f
            })
    }
}
