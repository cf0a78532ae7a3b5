//! Checking a history against what the servers hold after a failover:
//! every acknowledged write on the new master, no replica ahead of it.

use std::collections::{BTreeMap, BTreeSet};

use p4ha_journal::Reader;

use super::history::{Ack, Acked, History};

/// The tables the checker reads from each server (`p4d -jd - TABLES`).
pub const TABLES: &[&str] = &[
    "db.change",
    "db.user",
    "db.config",
    "db.counters",
    "db.domain",
    "db.server",
    "db.group",
    "db.depot",
];

/// The rows of the checked tables of one server, as text columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DbState {
    rows: BTreeMap<String, Vec<Vec<String>>>,
}

impl DbState {
    /// Reads the output of `p4d -jd - TABLES` (a checkpoint of those tables).
    pub fn from_dump(bytes: &[u8]) -> Result<DbState, String> {
        // p4d may print a notice before the data.
        let start = if bytes.starts_with(b"@") {
            0
        } else {
            match bytes.windows(2).position(|w| w == b"\n@") {
                Some(i) => i + 1,
                None => return Ok(DbState::default()),
            }
        };
        let mut state = DbState::default();
        for record in Reader::new(&bytes[start..]) {
            let record = record.map_err(|e| format!("unreadable dump: {}", e.message()))?;
            if !record.is_data() {
                continue;
            }
            let Some(table) = record.table() else {
                continue;
            };
            let row: Vec<String> = record
                .values()
                .iter()
                .map(|f| f.to_text().into_owned())
                .collect();
            state.rows.entry(table.to_string()).or_default().push(row);
        }
        Ok(state)
    }

    fn rows(&self, table: &str) -> &[Vec<String>] {
        self.rows.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The numbers of the changes it holds.
    pub fn changes(&self) -> BTreeSet<i64> {
        self.rows("db.change")
            .iter()
            .filter_map(|r| r.first()?.parse().ok())
            .collect()
    }

    /// Whether it holds what `what` acknowledged; `Err` says what it holds
    /// instead.
    pub fn holds(&self, what: &Acked) -> Result<(), String> {
        match what {
            Acked::Change(n) => {
                if self.changes().contains(n) {
                    Ok(())
                } else {
                    let last = self
                        .changes()
                        .last()
                        .map_or("none".to_string(), |c| c.to_string());
                    Err(format!("has no change {n} (its highest change is {last})"))
                }
            }
            Acked::Row {
                kind,
                table,
                column,
                key,
                deleted,
            } => {
                let present = self.rows(table).iter().any(|r| r.get(*column) == Some(key));
                match (present, deleted) {
                    (true, false) | (false, true) => Ok(()),
                    (false, false) => Err(format!("has no {} {key}", kind.to_lowercase())),
                    (true, true) => Err(format!(
                        "still has {} {key}, which was deleted",
                        kind.to_lowercase()
                    )),
                }
            }
            Acked::Config { scope, var, value } => {
                let found = self
                    .rows("db.config")
                    .iter()
                    .find(|r| r.first() == Some(scope) && r.get(1) == Some(var))
                    .and_then(|r| r.get(2).cloned());
                match (value, found) {
                    (Some(want), Some(have)) if *want == have => Ok(()),
                    (None, None) => Ok(()),
                    (Some(_), Some(have)) => Err(format!("has {scope}#{var} set to '{have}'")),
                    (Some(_), None) => Err(format!("has no {scope}#{var}")),
                    (None, Some(have)) => Err(format!("still has {scope}#{var} set to '{have}'")),
                }
            }
            Acked::Counter {
                name,
                value,
                deleted,
            } => {
                let found = self
                    .rows("db.counters")
                    .iter()
                    .find(|r| r.first() == Some(name))
                    .and_then(|r| r.get(1));
                match (found, value, deleted) {
                    (None, _, true) => Ok(()),
                    (Some(have), _, true) => Err(format!(
                        "still has counter {name} = {have}, which was deleted"
                    )),
                    (None, _, false) => Err(format!("has no counter {name}")),
                    (Some(have), Some(want), false) if have != want => {
                        Err(format!("has counter {name} = {have}, not {want}"))
                    }
                    (Some(_), _, false) => Ok(()),
                }
            }
        }
    }
}

/// One thing the checker found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// An acknowledged write the new master does not hold.
    Lost {
        /// The acknowledgement.
        ack: Ack,
        /// What the new master holds instead.
        reason: String,
    },
    /// A replica holds changes the new master lacks.
    Ahead {
        /// The replica.
        server: String,
        /// The changes only it holds.
        changes: Vec<i64>,
    },
}

/// The checker's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The new master.
    pub new_master: String,
    /// How many acknowledged writes were checked (the last of each key).
    pub checked: usize,
    /// The replicas compared with the new master.
    pub replicas: Vec<String>,
    /// Servers that could not be read, and why.
    pub unread: Vec<(String, String)>,
    /// What is wrong; empty when the failover was safe.
    pub findings: Vec<Finding>,
}

impl Verdict {
    /// True when nothing was lost and no replica is ahead.
    pub fn is_safe(&self) -> bool {
        self.findings.is_empty()
    }

    /// The lines of the verdict for the transcript: `(text, in snapshot)`.
    /// Journal positions depend on process ids and dates written into the
    /// journal, so they are kept out of the snapshot.
    pub fn lines(&self) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let word = if self.is_safe() { "safe" } else { "loss" };
        out.push((
            format!("durability: {word} (new master {})", self.new_master),
            true,
        ));
        out.push((
            format!(
                "  {} acknowledged write{} checked on {}; replicas compared: {}",
                self.checked,
                if self.checked == 1 { "" } else { "s" },
                self.new_master,
                if self.replicas.is_empty() {
                    "none".to_string()
                } else {
                    self.replicas.join(", ")
                }
            ),
            true,
        ));
        for (server, reason) in &self.unread {
            out.push((format!("  not compared: {server}: {reason}"), true));
        }
        for f in &self.findings {
            match f {
                Finding::Lost { ack, reason } => {
                    out.push((
                        format!(
                            "  lost: \"{}\" (acknowledged by {} in step {}): {} {reason}",
                            ack.line, ack.server, ack.step, self.new_master
                        ),
                        true,
                    ));
                    if let Some(p) = &ack.position {
                        out.push((
                            format!(
                                "    acknowledged at {}:{} byte {}",
                                ack.server, p.journal, p.offset
                            ),
                            false,
                        ));
                    }
                }
                Finding::Ahead { server, changes } => {
                    let list = changes
                        .iter()
                        .map(|c| c.to_string())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let s = if changes.len() == 1 { "" } else { "s" };
                    out.push((
                        format!(
                            "  ahead: {server} holds change{s} {list}, which {} does not",
                            self.new_master
                        ),
                        true,
                    ));
                }
            }
        }
        out
    }
}

/// Checks `history` against the new master's state and each replica's.
pub fn check(
    history: &History,
    new_master: &str,
    master: &DbState,
    replicas: &[(String, Result<DbState, String>)],
) -> Verdict {
    let latest = history.latest();
    let mut findings: Vec<Finding> = latest
        .iter()
        .filter_map(|ack| {
            master.holds(&ack.what).err().map(|reason| Finding::Lost {
                ack: (*ack).clone(),
                reason,
            })
        })
        .collect();
    let ours = master.changes();
    let mut compared = Vec::new();
    let mut unread = Vec::new();
    for (server, state) in replicas {
        match state {
            Ok(state) => {
                compared.push(server.clone());
                let extra: Vec<i64> = state.changes().difference(&ours).copied().collect();
                if !extra.is_empty() {
                    findings.push(Finding::Ahead {
                        server: server.clone(),
                        changes: extra,
                    });
                }
            }
            Err(reason) => unread.push((server.clone(), reason.clone())),
        }
    }
    Verdict {
        new_master: new_master.to_string(),
        checked: latest.len(),
        replicas: compared,
        unread,
        findings,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MASTER: &[u8] = b"@nx@ 0 1571379600 @47@ 2 0 0 0 0 @.@ @journal@ @@ @@ @@ \n\
@pv@ 1 @db.config@ @any@ @monitor@ @2@ \n\
@pv@ 1 @db.counters@ @mine@ @7@ \n\
@pv@ 7 @db.user@ @bob@ @bob@@x@ @@ 1 1 @Bob@ @@ 0 @@ 0 0 0 0 0 0 \n\
@pv@ 6 @db.change@ 1 1 @ws@ @bob@ 1571379700 1 @one@ @@ @@ @@ 1 1 @@ \n\
@pv@ 6 @db.change@ 2 2 @ws@ @bob@ 1571379700 1 @two@ @@ @@ @@ 1 1 @@ \n";

    fn ack(step: usize, what: Acked) -> Ack {
        Ack {
            step,
            server: "master".into(),
            line: format!("{what:?}"),
            what,
            position: None,
        }
    }

    #[test]
    fn safe_and_lost() {
        let master = DbState::from_dump(MASTER).unwrap();
        assert_eq!(master.changes(), BTreeSet::from([1, 2]));
        let mut history = History::default();
        history.acks.push(ack(1, Acked::Change(1)));
        history.acks.push(ack(
            2,
            Acked::Config {
                scope: "any".into(),
                var: "monitor".into(),
                value: Some("2".into()),
            },
        ));
        history.acks.push(ack(
            3,
            Acked::Counter {
                name: "mine".into(),
                value: Some("7".into()),
                deleted: false,
            },
        ));
        let replica =
            DbState::from_dump(b"@pv@ 6 @db.change@ 1 1 @ws@ @bob@ 1 1 @one@ @@ @@ @@ 1 1 @@ \n")
                .unwrap();
        let v = check(
            &history,
            "standby",
            &master,
            &[("edge".into(), Ok(replica))],
        );
        assert!(v.is_safe(), "{v:?}");
        assert_eq!(v.checked, 3);

        history.acks.push(ack(4, Acked::Change(3)));
        history.acks.push(ack(
            5,
            Acked::Counter {
                name: "mine".into(),
                value: Some("8".into()),
                deleted: false,
            },
        ));
        let ahead =
            DbState::from_dump(b"@pv@ 6 @db.change@ 3 3 @ws@ @bob@ 1 1 @three@ @@ @@ @@ 1 1 @@ \n")
                .unwrap();
        let v = check(
            &history,
            "standby",
            &master,
            &[
                ("edge".into(), Ok(ahead)),
                ("old".into(), Err("gone".into())),
            ],
        );
        let lines: Vec<String> = v.lines().into_iter().map(|(l, _)| l).collect();
        assert_eq!(lines[0], "durability: loss (new master standby)");
        assert_eq!(
            lines[1],
            "  4 acknowledged writes checked on standby; replicas compared: edge"
        );
        assert_eq!(lines[2], "  not compared: old: gone");
        assert!(lines[3].starts_with("  lost: \"Counter"), "{lines:?}");
        assert!(
            lines[3].ends_with("standby has counter mine = 7, not 8"),
            "{lines:?}"
        );
        assert!(
            lines[4].ends_with("standby has no change 3 (its highest change is 2)"),
            "{lines:?}"
        );
        assert_eq!(
            lines[5],
            "  ahead: edge holds change 3, which standby does not"
        );
    }
}
