//! Journal rotation: the live journal is closed with a journal trailer
//! note and becomes a numbered journal; a new journal starts with a
//! header note.

use std::io::Write;
use std::path::PathBuf;

use p4ha_journal::{Note, NoteKind};

use super::history::{EventKind, HistoryEvent, record_event};
use super::{CheckpointError, Site, same_file_system};
use crate::db::{Db, Value};
use crate::journal_files::Naming;
use crate::journaling::JournalLog;

/// How to rotate (`p4d -jj [-z] [prefix]`, `p4 admin journal [-z] [prefix]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RotateOptions {
    /// Prefix given on the command line (else `journalPrefix`).
    pub prefix: Option<String>,
    /// Compress the rotated journal (`-z`).
    pub gzip: bool,
}

/// A journal that was rotated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rotation {
    /// Its number (the journal counter before the rotation).
    pub number: i64,
    /// Its name as p4d prints it (`journal.18`, `prefix.jnl.18.gz`).
    pub name: String,
    /// Host path.
    pub path: PathBuf,
    /// Size on disk.
    pub size: u64,
    /// When the journal was last written before the rotation.
    pub jdate: i64,
    /// True when compressed.
    pub gzip: bool,
}

/// Increments the journal counter in `db` and journals the change into
/// the live journal (so the rotated journal carries it).
pub(crate) fn bump_counter(
    site: &Site,
    db: &mut Db,
    n: i64,
    pid: u32,
    now: i64,
) -> Result<(), CheckpointError> {
    db.put(
        "db.counters",
        vec![Value::text("journal"), Value::text((n + 1).to_string())],
    )?;
    site.commit(db, pid, now)
}

/// Closes the live journal with a trailer note and moves it to numbered
/// journal `n`, printing p4d's progress lines into `out`:
/// `Rotating journal to NAME...` when the journal is renamed (or
/// compressed into place), or, when the rotated journal is on another file
/// system so the journal must be copied, `Saving journal to NAME...` and
/// `Truncating JOURNAL...` (seed 001, example 2). A new journal with a
/// header note takes its place.
pub(crate) fn move_journal(
    site: &Site,
    journal: &JournalLog,
    naming: &Naming,
    n: i64,
    gzip: bool,
    now: i64,
    out: &mut Vec<String>,
) -> Result<Rotation, CheckpointError> {
    let fs = &site.fs;
    let live = journal.path().to_path_buf();
    let live_name = journal.journal_name().to_string();
    let write_err = |e: std::io::Error| CheckpointError::file("write", live_name.clone(), &e);
    journal.ensure_header(now).map_err(write_err)?;
    let jdate = fs.metadata(&live).map(|m| m.mtime).unwrap_or(now);
    let trailer = Note::from_kind(now, site.version.level(), &NoteKind::JournalTrailer)
        .to_record()
        .to_bytes();
    journal.append_raw(&trailer).map_err(write_err)?;

    let name = naming.journal_name(n, gzip);
    let target = naming.path(&name);
    let open_err = |e: std::io::Error| CheckpointError::file("open for write", name.clone(), &e);
    if let Some(dir) = target.parent()
        && !fs.metadata(dir).is_ok_and(|m| m.is_dir())
    {
        return Err(open_err(std::io::Error::from(std::io::ErrorKind::NotFound)));
    }
    if gzip {
        out.push(format!("Rotating journal to {name}..."));
        let bytes = fs
            .read(&live)
            .map_err(|e| CheckpointError::file("open for read", live_name.clone(), &e))?;
        let mut file = fs.create(&target).map_err(open_err)?;
        let mut enc = flate2::write::GzEncoder::new(&mut file, flate2::Compression::default());
        enc.write_all(&bytes)
            .and_then(|_| enc.finish().map(|_| ()))
            .map_err(|e| CheckpointError::file("write", name.clone(), &e))?;
        drop(file);
        fs.set_len(&live, 0).map_err(write_err)?;
    } else if same_file_system(fs, &live, &target) {
        out.push(format!("Rotating journal to {name}..."));
        fs.rename(&live, &target)
            .map_err(|e| CheckpointError::file("rename", name.clone(), &e))?;
    } else {
        out.push(format!("Saving journal to {name}..."));
        fs.copy(&live, &target).map_err(open_err)?;
        out.push(format!("Truncating {live_name}..."));
        fs.set_len(&live, 0).map_err(write_err)?;
    }
    journal.ensure_header(now).map_err(write_err)?;
    let size = fs.metadata(&target).map(|m| m.len).unwrap_or(0);
    Ok(Rotation {
        number: n,
        name,
        path: target,
        size,
        jdate,
        gzip,
    })
}

/// `p4d -jj` / `p4 admin journal`: with the journal counter at N, journals
/// the counter's change to N+1, rotates the live journal to `journal.N`
/// (or `prefix.jnl.N`), and records the rotation in db.ckphist. Progress
/// lines go to `out`. Returns `None` when journaling is off.
pub fn rotate_journal(
    site: &Site,
    opts: &RotateOptions,
    pid: u32,
    now: i64,
    out: &mut Vec<String>,
) -> Result<Option<Rotation>, CheckpointError> {
    if site.journal.is_none() {
        return Ok(None);
    }
    let mut db = site.db();
    let n = site.journal_number(&mut db)?;
    bump_counter(site, &mut db, n, pid, now)?;
    rotate_journal_to(site, opts, n, pid, now, out)
}

/// Rotates the live journal to numbered journal `n` without touching the
/// journal counter: what a replica does when its upstream's rotation
/// reaches it (its counter is the upstream's, replicated). The prefix is
/// the one given, else `journalPrefix`. Records the rotation in
/// db.ckphist. Returns `None` when journaling is off.
pub fn rotate_journal_to(
    site: &Site,
    opts: &RotateOptions,
    n: i64,
    pid: u32,
    now: i64,
    out: &mut Vec<String>,
) -> Result<Option<Rotation>, CheckpointError> {
    let Some(journal) = &site.journal else {
        return Ok(None);
    };
    let mut db = site.db();
    let naming = site.naming(&mut db, opts.prefix.as_deref())?;
    let rotation = move_journal(site, journal, &naming, n, opts.gzip, now, out)?;
    let mut event = HistoryEvent::new(EventKind::Journal, pid, now, n);
    event.flags = if opts.gzip {
        "-z".to_string()
    } else {
        String::new()
    };
    event.jfile = rotation.name.clone();
    event.jdate = rotation.jdate;
    event.jsize = rotation.size as i64;
    event.jtype = i64::from(rotation.gzip);
    record_event(&mut db, &event)?;
    db.flush()?;
    Ok(Some(rotation))
}
