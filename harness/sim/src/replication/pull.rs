//! `pull -L` (a standby applying the journal journalcopy copied) and
//! `pull` (a replica or edge fetching its target's journal and applying
//! it), and what both do when the target has rotated its journal.
//!
//! Both apply whole transactions only and record in `state` the position
//! in the target's journal history up to which they have applied. A
//! `pull` replica also writes what it applies into its own journal (with
//! its own `@ex@` markers, so the journals are equivalent but not
//! byte-identical: KB 3211) and rotates that journal in step with its
//! target; a standby does not, its journal being the copy itself.

use std::path::Path;

use p4ha_journal::{Note, NoteKind};

use super::apply::{self, Parsed};
use super::journalcopy;
use super::link::{self, LinkError};
use super::settings::Settings;
use super::state;
use super::transfers;
use crate::replwire::{JournalRequest, Position, ReplRequest, ReplResponse, flags};
use crate::server::Server;

/// Most journal bytes a `pull` asks for in one request.
pub const BATCH: u64 = 1 << 20;

/// What a `pull` thread keeps between cycles: bytes fetched past its
/// state position that do not yet make a complete transaction.
#[derive(Debug, Default, Clone)]
pub struct PullSession {
    start: Position,
    buf: Vec<u8>,
    /// The stall message from the target's last answer, if any.
    pub stalled: Option<String>,
}

/// The applied position: `state`, else where a new replica starts.
pub fn applied(server: &Server, s: &Settings) -> Position {
    state::read(&server.host().fs, &s.state_path).unwrap_or_else(|| state::start_position(server))
}

fn failed(text: String) -> LinkError {
    LinkError::Refused(vec![text])
}

fn write_state(server: &Server, s: &Settings, pos: Position) -> Result<(), LinkError> {
    state::write(&server.host().fs, &s.state_path, pos).map_err(|e| {
        failed(format!(
            "open for write: {}: {}",
            s.state_path.display(),
            crate::client::os_error(&e)
        ))
    })
}

/// Applies the complete transactions of `parsed` and schedules the archive
/// transfers they call for. With `journal_pid`, also writes each into the
/// server's own journal as that process's transaction.
fn apply_parsed(
    server: &Server,
    s: &Settings,
    parsed: &Parsed,
    journal_pid: Option<u32>,
) -> Result<(), LinkError> {
    if parsed.transactions.is_empty() {
        return Ok(());
    }
    let now = server.now();
    let mut db = server.db();
    let mut wanted = Vec::new();
    let journal = journal_pid.and_then(|pid| server.journal().map(|j| (j, pid)));
    for tx in &parsed.transactions {
        apply::apply(&mut db, tx).map_err(|e| failed(e.to_string()))?;
        if let Some((j, pid)) = &journal
            && !tx.records.is_empty()
        {
            j.append_transaction(&tx.records, *pid, now).map_err(|e| {
                failed(format!(
                    "Journal file '{}' write failed: {}",
                    j.journal_name(),
                    crate::client::os_error(&e)
                ))
            })?;
        }
        if s.transfers_archives() {
            wanted.extend(transfers::wanted(&tx.records, now));
        }
    }
    db.flush().map_err(|e| failed(e.to_string()))?;
    if transfers::schedule(&server.host().fs, server.root(), wanted)
        .map_err(|e| failed(format!("rdb.lbr: {e}")))?
    {
        super::threads::wake(server, super::threads::PULL_ARCHIVE);
    }
    Ok(())
}

fn read_range(server: &Server, path: &Path, from: i64, to: i64) -> Result<Vec<u8>, LinkError> {
    if to <= from {
        return Ok(Vec::new());
    }
    let bytes = server.host().fs.read(path).map_err(|e| {
        failed(format!(
            "open for read: {}: {}",
            path.display(),
            crate::client::os_error(&e)
        ))
    })?;
    let end = (to as usize).min(bytes.len());
    let start = (from as usize).min(end);
    Ok(bytes[start..end].to_vec())
}

/// One `pull -L` cycle: applies what journalcopy has persisted. Returns
/// whether there was nothing to apply.
pub fn local_cycle(server: &Server, s: &Settings) -> Result<bool, LinkError> {
    let fs = server.host().fs.clone();
    let Some(copied) = state::read(&fs, &s.jcopy_state_path) else {
        return Ok(true);
    };
    let mut pos = applied(server, s);
    if !fs.exists(&s.state_path) {
        write_state(server, s, pos)?;
    }
    let mut idle = true;
    loop {
        if pos > copied {
            return Err(failed(format!(
                "Replica state {pos} is ahead of the journalcopy position {copied}."
            )));
        }
        let path = journalcopy::copy_file(s, pos.journal, copied);
        let file_size = fs.metadata(&path).map(|m| m.len as i64).unwrap_or(0);
        let limit = if pos.journal == copied.journal {
            copied.sequence.min(file_size)
        } else {
            file_size
        };
        let bytes = read_range(server, &path, pos.sequence, limit)?;
        let parsed = apply::split(&bytes);
        apply_parsed(server, s, &parsed, None)?;
        if parsed.consumed > 0 {
            pos.sequence += parsed.consumed as i64;
            write_state(server, s, pos)?;
            idle = idle && parsed.transactions.is_empty();
        }
        if pos.journal < copied.journal && pos.sequence >= file_size {
            follow_rotation(server, s, pos.journal, false)?;
            pos = Position::new(pos.journal + 1, 0);
            write_state(server, s, pos)?;
            idle = false;
            continue;
        }
        if let Some((line, message)) = parsed.error
            && parsed.consumed == 0
        {
            return Err(replay_failed(&path, line, &message));
        }
        return Ok(idle);
    }
}

fn replay_failed(path: &Path, line: u64, message: &str) -> LinkError {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    LinkError::Refused(vec![
        format!("Journal file '{name}' replay failed at line {line}!"),
        message.to_string(),
    ])
}

/// How a `pull` thread asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PullOptions {
    /// `-i N` (0 = long poll).
    pub interval: u64,
}

impl PullOptions {
    /// The request flags: durable records only, long poll for `-i 0`.
    pub fn flags(&self) -> u32 {
        if self.interval == 0 {
            flags::LONG_POLL | flags::DURABLE
        } else {
            flags::DURABLE
        }
    }
}

/// One `pull` cycle: fetches the target's journal from the state position
/// and applies it, until the target has nothing more to give. Returns
/// whether there was nothing new.
pub async fn remote_cycle(
    server: &Server,
    s: &Settings,
    opts: &PullOptions,
    session: &mut PullSession,
    pid: u32,
) -> Result<bool, LinkError> {
    let fs = server.host().fs.clone();
    let mut pos = applied(server, s);
    if !fs.exists(&s.state_path) {
        write_state(server, s, pos)?;
    }
    if session.start != pos {
        session.start = pos;
        session.buf.clear();
    }
    let mut idle = true;
    loop {
        let from = Position::new(pos.journal, pos.sequence + session.buf.len() as i64);
        let req = JournalRequest {
            server_id: s.server_id.clone().unwrap_or_default(),
            services: s.services.as_str().to_string(),
            from,
            max: BATCH,
            persisted: pos,
            applied: pos,
            flags: opts.flags(),
            interval: opts.interval,
        };
        let chunk = match link::call(server, s, ReplRequest::Journal(req)).await? {
            ReplResponse::Journal(c) if c.from == from => c,
            _ => return Err(LinkError::Broken),
        };
        session.stalled = chunk.stalled.clone();
        session.buf.extend_from_slice(&chunk.bytes);
        let parsed = apply::split(&session.buf);
        apply_parsed(server, s, &parsed, Some(pid))?;
        if parsed.consumed > 0 {
            session.buf.drain(..parsed.consumed);
            pos.sequence += parsed.consumed as i64;
            session.start = pos;
            write_state(server, s, pos)?;
            idle = idle && parsed.transactions.is_empty();
        }
        if chunk.complete {
            if !session.buf.is_empty() {
                return Err(failed(format!(
                    "Fatal journal processing error! Rotated journal {} was not terminated correctly. Replica synchronization may be broken.",
                    pos.journal
                )));
            }
            follow_rotation(server, s, pos.journal, true)?;
            pos = Position::new(pos.journal + 1, 0);
            session.start = pos;
            write_state(server, s, pos)?;
            idle = false;
            continue;
        }
        if let Some((line, message)) = &parsed.error
            && parsed.consumed == 0
        {
            return Err(LinkError::Refused(vec![
                format!("Journal {} replay failed at line {line}!", pos.journal),
                message.clone(),
            ]));
        }
        if chunk.bytes.is_empty() {
            return Ok(idle);
        }
    }
}

/// The target finished journal `n` and the replica has applied all of it:
/// a checkpoint scheduled with `p4 admin checkpoint` on this replica
/// (`stateCKP`) is taken now, as `checkpoint.N+1`; then a `pull` replica
/// rotates its own journal to `journal.N`, in step with its target.
fn follow_rotation(
    server: &Server,
    s: &Settings,
    n: i64,
    own_journal: bool,
) -> Result<(), LinkError> {
    let fs = &server.host().fs;
    if let Some(schedule) = crate::checkpoint::read_schedule(fs, server.root()) {
        scheduled_checkpoint(server, &schedule, n + 1).map_err(failed)?;
    }
    if !own_journal {
        return Ok(());
    }
    let Some(journal) = server.journal() else {
        return Ok(());
    };
    if journal.size() == 0 {
        return Ok(());
    }
    let now = server.now();
    let trailer = Note::from_kind(now, server.version().level(), &NoteKind::JournalTrailer)
        .to_record()
        .to_bytes();
    let name = s.naming.journal_name(n, false);
    let target = s.naming.path(&name);
    journal
        .append_raw(&trailer)
        .and_then(|_| fs.rename(journal.path(), &target))
        .map_err(|e| failed(format!("rename: {name}: {}", crate::client::os_error(&e))))?;
    let mut db = server.db();
    let mut event = crate::checkpoint::HistoryEvent::new(
        crate::checkpoint::EventKind::Journal,
        server.pid(),
        now,
        n,
    );
    event.jfile = name;
    event.jsize = fs.metadata(&target).map(|m| m.len as i64).unwrap_or(0);
    crate::checkpoint::record_event(&mut db, &event).map_err(|e| failed(e.to_string()))?;
    db.flush().map_err(|e| failed(e.to_string()))?;
    Ok(())
}

/// Writes checkpoint `number` of this replica's database (with its `.md5`),
/// records it in db.ckphist and removes `stateCKP`.
fn scheduled_checkpoint(
    server: &Server,
    schedule: &crate::checkpoint::Schedule,
    number: i64,
) -> Result<(), String> {
    use crate::checkpoint::{
        EventKind, HistoryEvent, Site, cancel_schedule, checkpoint_text, record_event,
        write_checkpoint_file,
    };
    let site = Site::of_server(server);
    let now = server.now();
    let mut db = site.db();
    let naming = site
        .naming(&mut db, schedule.options.prefix.as_deref())
        .map_err(|e| e.to_string())?;
    let name = naming.checkpoint_name(number, schedule.options.gzip_checkpoint);
    let path = naming.path(&name);
    let text = checkpoint_text(&site, &mut db, now).map_err(|e| e.to_string())?;
    let written = write_checkpoint_file(
        &site,
        &path,
        &name,
        &text,
        schedule.options.gzip_checkpoint,
        true,
    )
    .map_err(|e| e.to_string())?;
    let mut event = HistoryEvent::new(EventKind::Checkpoint, server.pid(), now, number);
    event.jfile = written.name.clone();
    event.jdigest = Some(written.digest.to_string());
    event.jsize = written.size as i64;
    event.jtype = i64::from(written.gzip);
    record_event(&mut db, &event).map_err(|e| e.to_string())?;
    db.flush().map_err(|e| e.to_string())?;
    cancel_schedule(&server.host().fs, server.root()).map_err(|e| e.to_string())?;
    Ok(())
}
