//! Taking a checkpoint (`p4d -jc`, `p4 admin checkpoint`).

use super::action::set_last_checkpoint_action;
use super::dump::{Written, checkpoint_text, write_checkpoint_file};
use super::history::{EventKind, HistoryEvent, record_event};
use super::rotate::{Rotation, bump_counter, move_journal};
use super::schedule::cancel_schedule;
use super::{CheckpointError, Site};

/// How to take a checkpoint.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckpointOptions {
    /// Prefix given on the command line (else `journalPrefix`).
    pub prefix: Option<String>,
    /// Compress the checkpoint (`-z` and `-Z`).
    pub gzip_checkpoint: bool,
    /// Compress the rotated journal too (`-z`).
    pub gzip_journal: bool,
}

impl CheckpointOptions {
    /// The options `-z` (both compressed) or `-Z` (checkpoint only) give.
    pub fn from_flags(prefix: Option<String>, z: bool, big_z: bool) -> Self {
        CheckpointOptions {
            prefix,
            gzip_checkpoint: z || big_z,
            gzip_journal: z,
        }
    }

    fn flags(&self) -> String {
        match (self.gzip_checkpoint, self.gzip_journal) {
            (true, true) => "-z".to_string(),
            (true, false) => "-Z".to_string(),
            _ => String::new(),
        }
    }
}

/// What a checkpoint produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckpointReport {
    /// The checkpoint's number (the journal counter after it).
    pub number: i64,
    /// The checkpoint file.
    pub checkpoint: Written,
    /// The journal it rotated (`None` when journaling is off).
    pub rotation: Option<Rotation>,
}

/// Takes a checkpoint of `site`.
///
/// With the journal counter at N: journals the counter's change to N+1
/// into the live journal; writes `checkpoint.N+1` (or `prefix.ckp.N+1`,
/// `.gz` when compressed) with its `.md5`; rotates the live journal to
/// `journal.N`; starts a new journal; sets `lastCheckpointAction`
/// (journaled into the new journal); records both files in db.ckphist.
/// p4d's progress lines go to `out` as they would be printed:
/// `Checkpointing to NAME...`, `MD5 = HEX`, then the rotation's lines.
///
/// The `MD5 = ` line is what releases since the 2010s print between the
/// two (a 2013 backup script by Perforce reads the rotation from the third
/// line); seed 001's older transcript has no such line.
pub fn take_checkpoint(
    site: &Site,
    opts: &CheckpointOptions,
    pid: u32,
    now: i64,
    out: &mut Vec<String>,
) -> Result<CheckpointReport, CheckpointError> {
    let mut db = site.db();
    let n = site.journal_number(&mut db)?;
    let naming = site.naming(&mut db, opts.prefix.as_deref())?;
    let name = naming.checkpoint_name(n + 1, opts.gzip_checkpoint);
    let path = naming.path(&name);
    out.push(format!("Checkpointing to {name}..."));
    bump_counter(site, &mut db, n, pid, now)?;
    let text = checkpoint_text(site, &mut db, now)?;
    let written = write_checkpoint_file(site, &path, &name, &text, opts.gzip_checkpoint, true)?;
    out.push(format!("MD5 = {}", written.digest));

    let rotation = match &site.journal {
        Some(journal) => Some(move_journal(
            site,
            journal,
            &naming,
            n,
            opts.gzip_journal,
            now,
            out,
        )?),
        None => None,
    };

    set_last_checkpoint_action(&mut db, now, &site.zone)?;
    site.commit(&mut db, pid, now)?;

    let mut ckp = HistoryEvent::new(EventKind::Checkpoint, pid, now, n + 1);
    ckp.flags = opts.flags();
    ckp.jfile = written.name.clone();
    ckp.jdigest = Some(written.digest.to_string());
    ckp.jsize = written.size as i64;
    ckp.jtype = i64::from(written.gzip);
    record_event(&mut db, &ckp)?;
    if let Some(r) = &rotation {
        let mut jnl = HistoryEvent::new(EventKind::Checkpoint, pid, now, n);
        jnl.flags = opts.flags();
        jnl.jfile = r.name.clone();
        jnl.jdate = r.jdate;
        jnl.jsize = r.size as i64;
        jnl.jtype = i64::from(r.gzip);
        record_event(&mut db, &jnl)?;
    }
    db.flush()?;
    Ok(CheckpointReport {
        number: n + 1,
        checkpoint: written,
        rotation,
    })
}

/// A replica's checkpoint, taken by its `pull` thread when the master's
/// journal rotation reaches it while a checkpoint is scheduled
/// (`stateCKP`, see [`super::schedule_checkpoint`]).
///
/// The replica's journal counter is the master's (replicated), already
/// moved on by the rotation, so with the counter at N the checkpoint is
/// `checkpoint.N` (or `prefix.ckp.N`, `.gz` when asked) with its `.md5`,
/// matching the master's numbering. Nothing is journaled and the counters
/// are left alone: they are the master's. The replica's own journal is
/// rotated separately, by [`super::rotate_journal_to`] at the same
/// rotation. Prints `Checkpointing to NAME...` and `MD5 = HEX`, records
/// the checkpoint in db.ckphist and removes `stateCKP`.
pub fn take_replica_checkpoint(
    site: &Site,
    opts: &CheckpointOptions,
    pid: u32,
    now: i64,
    out: &mut Vec<String>,
) -> Result<CheckpointReport, CheckpointError> {
    let mut db = site.db();
    let n = site.journal_number(&mut db)?;
    let naming = site.naming(&mut db, opts.prefix.as_deref())?;
    let name = naming.checkpoint_name(n, opts.gzip_checkpoint);
    let path = naming.path(&name);
    out.push(format!("Checkpointing to {name}..."));
    let text = checkpoint_text(site, &mut db, now)?;
    let written = write_checkpoint_file(site, &path, &name, &text, opts.gzip_checkpoint, true)?;
    out.push(format!("MD5 = {}", written.digest));
    let mut ckp = HistoryEvent::new(EventKind::Checkpoint, pid, now, n);
    ckp.flags = opts.flags();
    ckp.jfile = written.name.clone();
    ckp.jdigest = Some(written.digest.to_string());
    ckp.jsize = written.size as i64;
    ckp.jtype = i64::from(written.gzip);
    record_event(&mut db, &ckp)?;
    db.flush()?;
    cancel_schedule(&site.fs, &site.root)
        .map_err(|e| CheckpointError::file("unlink", "stateCKP", &e))?;
    Ok(CheckpointReport {
        number: n,
        checkpoint: written,
        rotation: None,
    })
}
