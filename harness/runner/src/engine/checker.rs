//! The durability checker's side of a run: recording acknowledged
//! writes as commands print them, and `check: durability` steps.

use std::collections::BTreeMap;
use std::time::Duration;

use p4ha_scenario::{CheckDurability, Durability, Services};
use p4ha_shell::quote;

use super::{Engine, text};
use crate::durability::{self, Ack, Acked, Call, DbState, JournalPosition};
use crate::failure::Failure;

impl Engine<'_, '_> {
    /// Records the writes a command's output acknowledges.
    pub(super) fn observe(
        &mut self,
        step: usize,
        on: &str,
        script: &str,
        env: &BTreeMap<String, String>,
        stdout: &[u8],
    ) {
        let out = text(stdout);
        let calls = durability::calls(script);
        let acks = durability::acknowledgements(&out, &calls);
        if acks.is_empty() {
            return;
        }
        let Some(here) = self.plan.get(on).map(|p| p.machine.clone()) else {
            return;
        };
        for (line, what, call) in acks {
            let server = call
                .and_then(|c| match (&c.root, &c.port) {
                    (Some(root), _) if c.program == "p4d" => {
                        self.plan.server_with_root(&here, root)
                    }
                    (_, Some(port)) => self.plan.server_at(&here, port),
                    _ => env
                        .get("P4PORT")
                        .and_then(|port| self.plan.server_at(&here, port)),
                })
                .map(|p| p.server.clone())
                .unwrap_or_else(|| on.to_string());
            if !self.replicated(&server, call, &what) {
                continue;
            }
            let position = self.plan.get(&server).cloned().and_then(|p| {
                let bytes = self.backend.get().read_file(&p.machine, &p.journal).ok()?;
                Some(JournalPosition {
                    journal: p.journal,
                    offset: bytes.len() as u64,
                })
            });
            self.history.acks.push(Ack {
                step,
                server,
                line,
                what,
                position,
            });
        }
    }

    /// Whether a write acknowledged by `server` belongs to the data a
    /// failover must carry over. Offline writes (`p4d -r ROOT "-cset ..."`)
    /// into the root of a server that is neither a master nor a standby
    /// stay on that server (the runbook's edge retarget writes the edge's
    /// own P4TARGET so), and workspaces, labels and branches saved on an
    /// edge server are the edge's own; neither is expected on the new
    /// master.
    fn replicated(&self, server: &str, call: Option<&Call>, what: &Acked) -> bool {
        let Some(def) = self.scenario.server(server) else {
            return true;
        };
        let offline = call.is_some_and(|c| c.program == "p4d");
        if offline {
            return def.services.is_master() || def.services.is_standby();
        }
        let edge = def.services == Services::EdgeServer;
        !(edge
            && matches!(
                what,
                Acked::Row {
                    table: "db.domain",
                    ..
                }
            ))
    }

    /// Reads the checked tables of a server offline.
    fn dump(&mut self, server: &str) -> Result<DbState, String> {
        let p = self.placement(server).map_err(|f| f.message)?;
        let script = format!(
            "p4d -r {} -jd - {}",
            quote(&p.root),
            durability::TABLES.join(" ")
        );
        let out = self
            .run_exec(
                &p.machine,
                &script,
                b"",
                BTreeMap::new(),
                Duration::from_secs(300),
            )
            .map_err(|e| e.to_string())?;
        if out.status != Some(0) {
            let msg = format!("{}{}", text(&out.stdout), text(&out.stderr));
            let msg = msg
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::trim)
                .collect::<Vec<_>>()
                .join(" ");
            return Err(format!("`p4d -jd` failed: {msg}"));
        }
        DbState::from_dump(&out.stdout)
    }

    pub(super) fn check_durability(&mut self, c: &CheckDurability) -> Result<(), Failure> {
        let master = self.dump(&c.new_master).map_err(|e| {
            Failure::scenario(
                self.name(),
                format!(
                    "durability: cannot read the database of {}: {e}",
                    c.new_master
                ),
            )
            .on(&c.new_master)
        })?;
        let others: Vec<String> = self
            .scenario
            .servers
            .iter()
            .filter(|s| s.name != c.new_master && !s.services.is_master())
            .map(|s| s.name.clone())
            .collect();
        let replicas: Vec<(String, Result<DbState, String>)> = others
            .into_iter()
            .map(|s| (s.clone(), self.dump(&s)))
            .collect();
        let verdict = durability::check(&self.history, &c.new_master, &master, &replicas);
        let lines = verdict.lines();
        for (text, snapshot) in &lines {
            self.line(text.clone(), *snapshot);
        }
        let got = if verdict.is_safe() {
            Durability::Safe
        } else {
            Durability::Loss
        };
        if got == c.expect {
            return Ok(());
        }
        let message = match c.expect {
            Durability::Safe => format!(
                "durability: expected every acknowledged write on {} and no replica ahead, but the checker found {} problem{}",
                c.new_master,
                verdict.findings.len(),
                if verdict.findings.len() == 1 { "" } else { "s" }
            ),
            Durability::Loss => format!(
                "durability: expected the checker to find lost writes, but {} holds all {} acknowledged write{} and no replica is ahead",
                c.new_master,
                verdict.checked,
                if verdict.checked == 1 { "" } else { "s" }
            ),
        };
        let detail: String = lines
            .iter()
            .map(|(l, _)| format!("{}\n", l.trim_start()))
            .collect();
        Err(Failure::scenario(self.name(), message)
            .on(&c.new_master)
            .with_detail(detail))
    }
}
