//! The archive transfer queue (`rdb.lbr` in P4ROOT) and the `pull -u`
//! thread that works it off.
//!
//! When a replica applies a revision whose content it does not share with
//! its target (`lbr.replication` other than `shared`/`ondemand`/`cache`),
//! the revision's archive is scheduled for transfer; `pull -u` fetches each
//! from the target and stores it through the librarian. `p4 pull -l` lists
//! the queue and `p4 pull -ls` sums it up.
//!
//! p4d does not document `rdb.lbr`'s content. The simulator writes one
//! line per scheduled transfer, fields separated by TABs (which depot
//! paths cannot hold): lbrFile, lbrRev, lbrType, depotFile, depotRev,
//! change, size, revision date, time scheduled, state (`new`/`failed`),
//! and the error of a failed transfer.

use std::path::{Path, PathBuf};

use p4ha_hostfs::HostFs;
use p4ha_journal::{Op, Record};

use super::link::{self, LinkError};
use super::settings::Settings;
use crate::db::record_to_row;
use crate::replwire::{ReplRequest, ReplResponse};
use crate::server::Server;

/// A scheduled archive transfer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transfer {
    /// `lbrFile`.
    pub lbr_file: String,
    /// `lbrRev` (`1.13`).
    pub lbr_rev: String,
    /// `lbrType`.
    pub lbr_type: i64,
    /// The revision's depot file.
    pub depot_file: String,
    /// The revision number.
    pub depot_rev: i64,
    /// The change that submitted it.
    pub change: i64,
    /// Content size in bytes (`-1` when unknown).
    pub size: i64,
    /// The revision's date (recorded in RCS archives).
    pub date: i64,
    /// When the transfer was scheduled.
    pub queued: i64,
    /// True once a transfer attempt failed.
    pub failed: bool,
    /// Why it failed.
    pub error: String,
}

impl Transfer {
    fn to_line(&self) -> String {
        let clean = |s: &str| s.replace(['\t', '\n'], " ");
        format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
            clean(&self.lbr_file),
            clean(&self.lbr_rev),
            self.lbr_type,
            clean(&self.depot_file),
            self.depot_rev,
            self.change,
            self.size,
            self.date,
            self.queued,
            if self.failed { "failed" } else { "new" },
            clean(&self.error)
        )
    }

    fn from_line(line: &str) -> Option<Transfer> {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 10 {
            return None;
        }
        let int = |i: usize| f[i].trim().parse::<i64>().ok();
        Some(Transfer {
            lbr_file: f[0].to_string(),
            lbr_rev: f[1].to_string(),
            lbr_type: int(2)?,
            depot_file: f[3].to_string(),
            depot_rev: int(4)?,
            change: int(5)?,
            size: int(6)?,
            date: int(7)?,
            queued: int(8)?,
            failed: f[9] == "failed",
            error: f.get(10).map(|s| s.to_string()).unwrap_or_default(),
        })
    }
}

/// Host path of the queue.
pub fn queue_path(root: &Path) -> PathBuf {
    root.join("rdb.lbr")
}

/// The scheduled transfers, oldest first.
pub fn load(fs: &HostFs, root: &Path) -> Vec<Transfer> {
    fs.read_to_string(&queue_path(root))
        .map(|t| t.lines().filter_map(Transfer::from_line).collect())
        .unwrap_or_default()
}

/// Rewrites the queue (removed when empty).
pub fn save(fs: &HostFs, root: &Path, all: &[Transfer]) -> std::io::Result<()> {
    let path = queue_path(root);
    if all.is_empty() {
        return match fs.remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let text: String = all.iter().map(Transfer::to_line).collect();
    fs.write_atomic(&path, text.as_bytes())
}

/// Revision actions whose archive holds no content: delete, purge,
/// move/delete, archive (reference 2.2, `db.rev.action`).
const NO_CONTENT: &[i64] = &[2, 6, 7, 9];

/// The transfers a transaction's `db.rev` records call for: revisions
/// written with content of their own (`lbrIsLazy` 0).
pub fn wanted(records: &[Record], now: i64) -> Vec<Transfer> {
    records
        .iter()
        .filter(|r| matches!(r.op, Op::Pv | Op::Rv) && r.table() == Some("db.rev"))
        .filter_map(record_to_row)
        .filter(|row| {
            row.len() >= 14 && row[10].as_int() == 0 && !NO_CONTENT.contains(&row[3].as_int())
        })
        .map(|row| Transfer {
            lbr_file: row[11].as_str().into_owned(),
            lbr_rev: row[12].as_str().into_owned(),
            lbr_type: row[13].as_int(),
            depot_file: row[0].as_str().into_owned(),
            depot_rev: row[1].as_int(),
            change: row[4].as_int(),
            size: row[8].as_int(),
            date: row[5].as_int(),
            queued: now,
            failed: false,
            error: String::new(),
        })
        .collect()
}

/// Adds transfers to the queue (one per archive revision).
pub fn schedule(fs: &HostFs, root: &Path, new: Vec<Transfer>) -> std::io::Result<bool> {
    if new.is_empty() {
        return Ok(false);
    }
    let mut all = load(fs, root);
    let mut added = false;
    for t in new {
        if !all
            .iter()
            .any(|o| o.lbr_file == t.lbr_file && o.lbr_rev == t.lbr_rev)
        {
            all.push(t);
            added = true;
        }
    }
    if added {
        save(fs, root, &all)?;
    }
    Ok(added)
}

/// Schedules transfers asked for by `p4 verify -t`: each archive revision
/// not queued yet is added; one whose earlier transfer failed is marked
/// pending again (the administrator asked for it anew). Returns true when
/// the `pull -u` thread has something new to do.
pub fn request(fs: &HostFs, root: &Path, new: Vec<Transfer>) -> std::io::Result<bool> {
    if new.is_empty() {
        return Ok(false);
    }
    let mut all = load(fs, root);
    let mut changed = false;
    for t in new {
        match all
            .iter_mut()
            .find(|o| o.lbr_file == t.lbr_file && o.lbr_rev == t.lbr_rev)
        {
            Some(o) if o.failed => {
                o.failed = false;
                o.error.clear();
                changed = true;
            }
            Some(_) => {}
            None => {
                all.push(t);
                changed = true;
            }
        }
    }
    if changed {
        save(fs, root, &all)?;
    }
    Ok(changed)
}

/// One `pull -u` cycle: fetches every pending transfer from the target.
/// Returns true when nothing was pending. A transfer the target cannot
/// serve is marked failed (`p4 pull -l` shows it; `p4 pull -R` retries
/// it); an unreachable target ends the cycle with its error.
pub async fn cycle(server: &Server, s: &Settings) -> Result<bool, LinkError> {
    let fs = server.host().fs.clone();
    let root = server.root().to_path_buf();
    let pending: Vec<Transfer> = load(&fs, &root).into_iter().filter(|t| !t.failed).collect();
    if pending.is_empty() {
        return Ok(true);
    }
    for t in pending {
        let req = ReplRequest::Archive {
            server_id: s.server_id.clone().unwrap_or_default(),
            file: t.lbr_file.clone(),
            rev: t.lbr_rev.clone(),
            lbr_type: t.lbr_type,
        };
        let outcome = match link::call(server, s, req).await {
            Ok(ReplResponse::Archive { bytes }) => store(server, &t, &bytes),
            Ok(_) => Err("Partner exited unexpectedly.".to_string()),
            Err(LinkError::Refused(lines)) => Err(lines.join(" ")),
            Err(e) => return Err(e),
        };
        // Reload: pull threads may have scheduled more meanwhile.
        let mut all = load(&fs, &root);
        match outcome {
            Ok(()) => all.retain(|o| !(o.lbr_file == t.lbr_file && o.lbr_rev == t.lbr_rev)),
            Err(error) => {
                for o in all
                    .iter_mut()
                    .filter(|o| o.lbr_file == t.lbr_file && o.lbr_rev == t.lbr_rev)
                {
                    o.failed = true;
                    o.error = error.clone();
                }
            }
        }
        save(&fs, &root, &all).map_err(|e| {
            LinkError::Refused(vec![format!("rdb.lbr: {}", crate::client::os_error(&e))])
        })?;
    }
    Ok(false)
}

fn store(server: &Server, t: &Transfer, bytes: &[u8]) -> Result<(), String> {
    let mut db = server.db();
    let lbr = crate::archive::Librarian::for_server(server, &mut db).map_err(|e| e.to_string())?;
    lbr.store(
        &t.lbr_file,
        &t.lbr_rev,
        crate::archive::FileType::from_code(t.lbr_type),
        bytes,
        t.date,
    )
    .map_err(|e| e.to_string())
}

/// Marks failed transfers pending again (`p4 pull -R`).
pub fn retry_failed(fs: &HostFs, root: &Path) -> std::io::Result<usize> {
    let mut all = load(fs, root);
    let mut n = 0;
    for t in all.iter_mut().filter(|t| t.failed) {
        t.failed = false;
        t.error.clear();
        n += 1;
    }
    save(fs, root, &all)?;
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_lines_round_trip() {
        let t = Transfer {
            lbr_file: "//depot/a b.txt".into(),
            lbr_rev: "1.3".into(),
            lbr_type: 3,
            depot_file: "//depot/a b.txt".into(),
            depot_rev: 2,
            change: 3,
            size: 12,
            date: 1_571_371_300,
            queued: 1_571_371_301,
            failed: true,
            error: "librarian: missing".into(),
        };
        assert_eq!(
            Transfer::from_line(t.to_line().trim_end_matches('\n')),
            Some(t)
        );
    }

    #[test]
    fn only_revisions_with_their_own_content_are_wanted() {
        let rec = |action: i64, lazy: i64| {
            let text = format!(
                "@pv@ 9 @db.rev@ @//depot/a.txt@ 1 0 {action} 2 1571371300 1571371300 00000000000000000000000000000000 5 0 {lazy} @//depot/a.txt@ @1.2@ 0 \n"
            );
            p4ha_journal::Reader::new(text.as_bytes())
                .next()
                .unwrap()
                .unwrap()
        };
        assert_eq!(wanted(&[rec(0, 0)], 0).len(), 1);
        assert_eq!(wanted(&[rec(0, 1)], 0).len(), 0);
        assert_eq!(wanted(&[rec(2, 0)], 0).len(), 0);
        assert_eq!(wanted(&[rec(1, 0)], 0)[0].lbr_rev, "1.2");
    }
}
