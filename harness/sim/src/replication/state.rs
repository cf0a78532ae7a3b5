//! The replica state files in P4ROOT: `state` (how far the replica has
//! applied its target's journal) and `statejcopy` (how far journalcopy has
//! persisted it).
//!
//! Their format is not documented; p4d's messages always give positions
//! as `journal/sequence`, so each file holds one line `JOURNAL/SEQUENCE`
//! (e.g. `1/8403`). A missing file means the replica starts at offset 0 of
//! the journal its `journal` counter names: the journal that follows the
//! checkpoint it was built from.

use std::path::Path;

use p4ha_hostfs::HostFs;

use crate::db::Value;
use crate::replwire::Position;
use crate::server::Server;

/// Reads a state file; `None` when it is missing or unreadable.
pub fn read(fs: &HostFs, path: &Path) -> Option<Position> {
    Position::parse(&fs.read_to_string(path).ok()?)
}

/// Writes a state file (atomically: a reader sees the old or the new
/// position).
pub fn write(fs: &HostFs, path: &Path, pos: Position) -> std::io::Result<()> {
    fs.write_atomic(path, format!("{pos}\n").as_bytes())
}

/// Where a replica with no state file starts: offset 0 of the journal its
/// `journal` counter names.
pub fn start_position(server: &Server) -> Position {
    let mut db = server.db();
    let n = db
        .get("db.counters", &[Value::text("journal")])
        .ok()
        .flatten()
        .map(|r| r[1].as_int())
        .unwrap_or(0);
    Position::new(n, 0)
}

/// When a state file was last written (epoch seconds).
pub fn modified(fs: &HostFs, path: &Path) -> Option<i64> {
    fs.metadata(path).ok().map(|m| m.mtime)
}
