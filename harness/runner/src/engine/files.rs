//! `copy` steps and journals.

use std::collections::BTreeMap;
use std::time::Duration;

use p4ha_scenario::Copy;
use p4ha_shell::quote;

use super::{Engine, FinalJournal, reason};
use crate::failure::Failure;
use crate::transcript::Block;

impl Engine<'_, '_> {
    /// A server's live journal, normalised.
    fn read_journal(&mut self, server: &str) -> Result<(String, Result<String, String>), Failure> {
        let p = self.placement(server)?;
        let content = match self.backend.get().read_file(&p.machine, &p.journal) {
            Ok(bytes) => Ok(self.norm.apply_bytes(&bytes)),
            Err(e) => Err(reason(&e)),
        };
        Ok((p.journal, content))
    }

    pub(super) fn journal_block(&mut self, server: &str) -> Result<Block, Failure> {
        let (path, content) = self.read_journal(server)?;
        Ok(Block::Journal {
            server: server.to_string(),
            path,
            content,
        })
    }

    pub(super) fn final_journals(&mut self) -> Vec<FinalJournal> {
        let names: Vec<String> = self
            .scenario
            .servers
            .iter()
            .map(|s| s.name.clone())
            .collect();
        names
            .into_iter()
            .filter_map(|s| {
                let (path, content) = self.read_journal(&s).ok()?;
                Some(FinalJournal {
                    server: s,
                    path,
                    content,
                })
            })
            .collect()
    }

    pub(super) fn copy(&mut self, copy: &Copy) -> Result<(), Failure> {
        let from = self.placement(&copy.from.server)?;
        let to = self.placement(&copy.to.server)?;
        self.line(format!("copy {} -> {}", copy.from, copy.to), true);
        let data = self
            .backend
            .get()
            .read_file(&from.machine, &copy.from.path)
            .map_err(|e| {
                Failure::scenario(
                    self.name(),
                    format!("copy: cannot read {}: {}", copy.from, reason(&e)),
                )
                .on(&copy.from.server)
            })?;
        let dir = match copy.to.path.rsplit_once('/') {
            Some(("", _)) | None => "/".to_string(),
            Some((d, _)) => d.to_string(),
        };
        let probe = self
            .run_exec(
                &to.machine,
                &format!("test -d {}", quote(&dir)),
                b"",
                BTreeMap::new(),
                Duration::from_secs(60),
            )
            .map_err(|e| self.backend_failure(&copy.to.server, "copy", e))?;
        if probe.status != Some(0) {
            return Err(Failure::scenario(
                self.name(),
                format!(
                    "copy: the folder {dir} does not exist on {}; create it in an earlier step, as the transfer needs it",
                    copy.to.server
                ),
            )
            .on(&copy.to.server));
        }
        self.backend
            .get()
            .write_file(&to.machine, &copy.to.path, &data, 0o644)
            .map_err(|e| {
                Failure::scenario(
                    self.name(),
                    format!("copy: cannot write {}: {}", copy.to, reason(&e)),
                )
                .on(&copy.to.server)
            })?;
        self.line(format!("({} bytes)", data.len()), false);
        Ok(())
    }
}
