//! `journalcopy`: a standby's byte-for-byte copy of its target's journal.
//!
//! The copy of journal N is written as the numbered journal `journal.N`
//! (or `prefix.jnl.N`) even while it is current (reference 3.1); with
//! `rpl.journalcopy.location=1` the current copy is written at the
//! standby's P4JOURNAL instead and renamed into the numbered name when the
//! target rotates. `statejcopy` records how far the copy has been
//! persisted; each request acknowledges that position, which is what the
//! target's `servers -J` and LEOF see.

use super::link::{self, LinkError};
use super::settings::{CopyLocation, Settings};
use super::state;
use crate::replwire::{JournalRequest, Position, ReplRequest, ReplResponse, flags};
use crate::server::Server;

/// Most journal bytes asked for in one request.
pub const BATCH: u64 = 1 << 20;

/// How a journalcopy thread asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopyOptions {
    /// `-i N` (0 = long poll).
    pub interval: u64,
    /// `--durable-only`.
    pub durable_only: bool,
    /// Not `--non-acknowledging`.
    pub acknowledging: bool,
}

impl CopyOptions {
    /// The request flags (`servers -J` letters).
    pub fn flags(&self) -> u32 {
        let mut f = 0;
        if self.interval == 0 {
            f |= flags::LONG_POLL;
        }
        if self.acknowledging {
            f |= flags::ACK;
        }
        if self.durable_only {
            f |= flags::DURABLE;
        }
        f
    }
}

/// Where the copy of journal `n` is, given the copy position `copied`.
pub fn copy_file(s: &Settings, n: i64, copied: Position) -> std::path::PathBuf {
    if n == copied.journal {
        s.active_copy(n)
    } else {
        s.numbered_copy(n)
    }
}

/// The persisted position: `statejcopy`, else where a new standby starts.
pub fn persisted(server: &Server, s: &Settings) -> Position {
    state::read(&server.host().fs, &s.jcopy_state_path)
        .unwrap_or_else(|| state::start_position(server))
}

/// What a journalcopy cycle did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Copied {
    /// True when there was nothing to copy (caught up already).
    pub idle: bool,
    /// The target's stall message, when it held this standby back.
    pub stalled: Option<String>,
}

/// One journalcopy cycle: copies until the target has nothing more to
/// give.
pub async fn cycle(server: &Server, s: &Settings, opts: &CopyOptions) -> Result<Copied, LinkError> {
    let fs = server.host().fs.clone();
    let mut pos = persisted(server, s);
    let mut idle = true;
    loop {
        let applied =
            state::read(&fs, &s.state_path).unwrap_or_else(|| state::start_position(server));
        let req = JournalRequest {
            server_id: s.server_id.clone().unwrap_or_default(),
            services: s.services.as_str().to_string(),
            from: pos,
            max: BATCH,
            persisted: pos,
            applied,
            flags: opts.flags(),
            interval: opts.interval,
        };
        let chunk = match link::call(server, s, ReplRequest::Journal(req)).await? {
            ReplResponse::Journal(c) if c.from == pos => c,
            _ => return Err(LinkError::Broken),
        };
        if !chunk.bytes.is_empty() {
            let path = s.active_copy(pos.journal);
            let name = path.display().to_string();
            let size = fs.metadata(&path).map(|m| m.len as i64).unwrap_or(0);
            if size != pos.sequence {
                if pos.sequence == 0 {
                    // A new journal replaces whatever the file held (a
                    // journal the standby's own tools left behind).
                    fs.write(&path, b"").map_err(|_| append_failed(&name))?;
                } else {
                    return Err(LinkError::Refused(vec![format!(
                        "JournalCopy: '{name}' size mismatch vs statejcopy {pos}."
                    )]));
                }
            }
            fs.append(&path, &chunk.bytes)
                .map_err(|_| append_failed(&name))?;
            pos.sequence += chunk.bytes.len() as i64;
            state::write(&fs, &s.jcopy_state_path, pos).map_err(|_| append_failed("statejcopy"))?;
            idle = false;
            super::threads::wake(server, super::threads::PULL_LOCAL);
        }
        if chunk.complete {
            finish_journal(server, s, pos)?;
            pos = Position::new(pos.journal + 1, 0);
            state::write(&fs, &s.jcopy_state_path, pos).map_err(|_| append_failed("statejcopy"))?;
            idle = false;
            super::threads::wake(server, super::threads::PULL_LOCAL);
            continue;
        }
        if chunk.bytes.is_empty() {
            return Ok(Copied {
                idle,
                stalled: chunk.stalled,
            });
        }
    }
}

fn append_failed(name: &str) -> LinkError {
    LinkError::Refused(vec![format!("JournalCopy error: '{name}' append failed.")])
}

/// The target rotated journal `pos.journal` and all of it is here: with
/// `rpl.journalcopy.location=1` the active copy moves to its numbered
/// name.
fn finish_journal(server: &Server, s: &Settings, pos: Position) -> Result<(), LinkError> {
    let fs = &server.host().fs;
    let active = s.active_copy(pos.journal);
    let numbered = s.numbered_copy(pos.journal);
    if s.location == CopyLocation::Rotated && active != numbered {
        let name = numbered.display().to_string();
        if fs.exists(&active) {
            fs.rename(&active, &numbered)
                .map_err(|_| append_failed(&name))?;
        } else {
            fs.write(&numbered, b"").map_err(|_| append_failed(&name))?;
        }
    } else if !fs.exists(&numbered) {
        fs.write(&numbered, b"")
            .map_err(|_| append_failed(&numbered.display().to_string()))?;
    }
    Ok(())
}
