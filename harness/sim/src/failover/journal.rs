//! "Moving latest journalcopy'd journal into place as the active journal":
//! the copy of the master's current journal becomes the live journal of
//! the server that takes over, so that the journal history (numbers and
//! offsets) continues unbroken for every replica that follows it.
//!
//! - With `rpl.journalcopy.location=1` the copy is already written at the
//!   standby's P4JOURNAL; when that is also the new master's P4JOURNAL
//!   nothing moves.
//! - Otherwise the copy is the numbered journal (`journal.N`,
//!   `prefix.jnl.N`) and is renamed to the live journal, which must be
//!   missing or empty (977).
//! - A copy that should hold data but does not exist (979, 980) or is empty
//!   (978) stops the failover.
//! - Bytes copied past what `pull -L` applied can only be an incomplete
//!   last transaction (the failover waited for `pull -L`); they are cut off
//!   so that the new master appends after a whole transaction. The choice
//!   is the simulator's: p4d does not document it.

use std::path::PathBuf;

use super::messages;
use crate::replication::{self, CopyLocation, Settings};
use crate::server::{JournalSetting, Server};

/// Where the journal is, before and after the move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalPlan {
    /// The journal number the copy holds (the master's current journal).
    pub number: i64,
    /// The copy.
    pub copy: PathBuf,
    /// The new master's live journal (`None` when journaling is off).
    pub live: Option<PathBuf>,
    /// How far the copy reaches (statejcopy).
    pub persisted: i64,
    /// How far `pull -L` applied in this journal.
    pub applied: i64,
}

/// What the move did, so that it can be undone.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Moved {
    /// Renamed from the copy to the live journal.
    renamed: Option<(PathBuf, PathBuf)>,
    /// The file that was cut, and the bytes cut from its end.
    cut: Option<(PathBuf, Vec<u8>)>,
}

/// The live journal of the server once it runs as `id`: P4JOURNAL from
/// its command line or environment, else `id#P4JOURNAL`, `any#P4JOURNAL`,
/// else `journal` in P4ROOT.
pub fn live_journal_for(server: &Server, id: &str) -> Option<PathBuf> {
    let cfg = server.config();
    let name = match &cfg.journal {
        JournalSetting::Off => return None,
        JournalSetting::Path(p) => p.clone(),
        JournalSetting::Default => {
            let mut db = server.db();
            let get = |db: &mut crate::db::Db, scope: &str| {
                db.get(
                    "db.config",
                    &[
                        crate::db::Value::text(scope),
                        crate::db::Value::text("P4JOURNAL"),
                    ],
                )
                .ok()
                .flatten()
                .map(|r| r[2].as_str().into_owned())
            };
            let v = get(&mut db, id)
                .or_else(|| get(&mut db, "any"))
                .unwrap_or_else(|| "journal".to_string());
            if v == "off" {
                return None;
            }
            v
        }
    };
    Some(cfg.in_root(&name))
}

/// Finds the copy and checks that it can be moved into place (977-980).
pub fn plan(server: &Server, new_id: &str) -> Result<JournalPlan, String> {
    let fs = &server.host().fs;
    let s = Settings::read(server);
    let copied = replication::latest_journalcopy(server);
    let applied = replication::positions(server).applied;
    let live = live_journal_for(server, new_id);
    let size = |p: &PathBuf| fs.metadata(p).map(|m| m.len as i64).ok();
    let shown = |p: &PathBuf| p.display().to_string();
    let mut copy = copied.path.clone();
    if !copied.exists {
        let numbered = s.numbered_copy(copied.number);
        if s.location == CopyLocation::Rotated && fs.exists(&numbered) {
            copy = numbered;
        } else if copied.position.sequence > 0 {
            return Err(match s.location {
                CopyLocation::Rotated => {
                    messages::copy_missing_both(&shown(&copied.path), &shown(&numbered))
                }
                CopyLocation::Numbered => messages::copy_missing(&shown(&copied.path)),
            });
        }
    }
    if copied.position.sequence > 0 && size(&copy) == Some(0) {
        return Err(messages::copy_empty(&shown(&copy)));
    }
    if let Some(live) = &live
        && *live != copy
        && size(live).is_some_and(|n| n > 0)
    {
        return Err(messages::journal_not_empty(&shown(live)));
    }
    let applied_here = if applied.journal == copied.number {
        applied.sequence
    } else {
        copied.position.sequence
    };
    Ok(JournalPlan {
        number: copied.number,
        copy,
        live,
        persisted: copied.position.sequence,
        applied: applied_here.min(copied.position.sequence),
    })
}

/// Moves the copy into place (and cuts an incomplete last transaction).
pub fn move_into_place(server: &Server, plan: &JournalPlan) -> Result<Moved, String> {
    let fs = &server.host().fs;
    let mut moved = Moved::default();
    let Some(live) = &plan.live else {
        return Ok(moved);
    };
    let fail = |what: &str, p: &PathBuf, e: std::io::Error| {
        format!("{what}: {}: {}", p.display(), crate::client::os_error(&e))
    };
    if *live != plan.copy && fs.exists(&plan.copy) {
        if fs.exists(live) {
            fs.remove_file(live).map_err(|e| fail("unlink", live, e))?;
        }
        fs.rename(&plan.copy, live)
            .map_err(|e| fail("rename", &plan.copy, e))?;
        moved.renamed = Some((plan.copy.clone(), live.clone()));
    }
    let len = fs.metadata(live).map(|m| m.len as i64).unwrap_or(0);
    if plan.applied < len && plan.applied >= 0 {
        let bytes = fs.read(live).map_err(|e| fail("open for read", live, e))?;
        let tail = bytes[plan.applied as usize..].to_vec();
        if let Err(e) = fs.set_len(live, plan.applied as u64) {
            let _ = undo(server, &moved);
            return Err(fail("truncate", live, e));
        }
        moved.cut = Some((live.clone(), tail));
    }
    Ok(moved)
}

/// Moves the journal back as the latest journalcopy'd journal.
pub fn undo(server: &Server, moved: &Moved) -> Result<(), String> {
    let fs = &server.host().fs;
    if let Some((path, tail)) = &moved.cut {
        fs.append(path, tail)
            .map_err(|e| format!("write: {}: {}", path.display(), crate::client::os_error(&e)))?;
    }
    if let Some((from, to)) = &moved.renamed {
        fs.rename(to, from)
            .map_err(|e| format!("rename: {}: {}", to.display(), crate::client::os_error(&e)))?;
    }
    Ok(())
}
