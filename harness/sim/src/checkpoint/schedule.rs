//! A replica's scheduled checkpoint: `p4 admin checkpoint` on a replica
//! writes `stateCKP` in P4ROOT, and the replica's `pull` thread takes the
//! checkpoint when it next sees the master rotate its journal. Deleting the
//! file cancels it (Server Admin Guide, multi-server backup).

use std::path::{Path, PathBuf};

use p4ha_hostfs::HostFs;

use super::history::{EventKind, HistoryEvent, record_event};
use super::take::CheckpointOptions;
use super::{CheckpointError, Site};

/// A scheduled replica checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// When it was scheduled (epoch seconds).
    pub at: i64,
    /// The options the checkpoint will be taken with.
    pub options: CheckpointOptions,
}

fn state_path(root: &Path) -> PathBuf {
    root.join("stateCKP")
}

/// The flags as written in the file: `-z`, `-Z`, then the prefix.
fn opts_text(o: &CheckpointOptions) -> String {
    let mut words = Vec::new();
    match (o.gzip_checkpoint, o.gzip_journal) {
        (true, true) => words.push("-z".to_string()),
        (true, false) => words.push("-Z".to_string()),
        _ => {}
    }
    if let Some(p) = &o.prefix {
        words.push(p.clone());
    }
    words.join(" ")
}

/// Schedules a checkpoint on a replica: writes `stateCKP` (`Checkpoint
/// scheduled at EPOCH (DATE ZONE ); opts: FLAGS`, the shape of the guide's
/// example) and records a `schedule` event in db.ckphist.
pub fn schedule_checkpoint(
    site: &Site,
    opts: &CheckpointOptions,
    pid: u32,
    now: i64,
) -> Result<Schedule, CheckpointError> {
    let mut text = format!(
        "Checkpoint scheduled at {now} ({} ); opts:",
        site.zone.datetime_with_zone(now)
    );
    let flags = opts_text(opts);
    if !flags.is_empty() {
        text.push(' ');
        text.push_str(&flags);
    }
    text.push('\n');
    site.fs
        .write(&state_path(&site.root), text.as_bytes())
        .map_err(|e| CheckpointError::file("open for write", "stateCKP", &e))?;
    let mut db = site.db();
    let n = site.journal_number(&mut db)?;
    let mut event = HistoryEvent::new(EventKind::Schedule, pid, now, n + 1);
    event.flags = flags;
    record_event(&mut db, &event)?;
    db.flush()?;
    Ok(Schedule {
        at: now,
        options: opts.clone(),
    })
}

/// The checkpoint scheduled in `root`, if any (a damaged file reads as a
/// checkpoint with default options).
pub fn read_schedule(fs: &HostFs, root: &Path) -> Option<Schedule> {
    let text = fs.read_to_string(&state_path(root)).ok()?;
    let at = text
        .strip_prefix("Checkpoint scheduled at ")
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut options = CheckpointOptions::default();
    if let Some((_, flags)) = text.split_once("opts:") {
        for w in flags.split_whitespace() {
            match w {
                "-z" => {
                    options.gzip_checkpoint = true;
                    options.gzip_journal = true;
                }
                "-Z" => options.gzip_checkpoint = true,
                p => options.prefix = Some(p.to_string()),
            }
        }
    }
    Some(Schedule { at, options })
}

/// Removes the schedule (after the checkpoint was taken, or to cancel it).
pub fn cancel_schedule(fs: &HostFs, root: &Path) -> std::io::Result<()> {
    match fs.remove_file(&state_path(root)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
