//! Server identity: the `server.id` file, and the mark a failover leaves on
//! the server it failed over from.

use std::path::Path;

use p4ha_hostfs::HostFs;

use crate::db::{Db, DbError, Value};

/// Reads `server.id` in P4ROOT (first line, trimmed).
pub fn read_server_id(fs: &HostFs, root: &Path) -> Option<String> {
    let text = fs.read_to_string(&root.join("server.id")).ok()?;
    let id = text.lines().next()?.trim().to_string();
    (!id.is_empty()).then_some(id)
}

/// Writes `server.id` in P4ROOT.
pub fn write_server_id(fs: &HostFs, root: &Path, id: &str) -> std::io::Result<()> {
    fs.write(&root.join("server.id"), format!("{id}\n").as_bytes())
}

/// The failover mark on server `id`: set on the server a failover happened
/// from, in its own server spec's `failoverSeen` column (the column exists
/// for this, and p4d's message S2 49 is its text).
pub fn failover_seen(db: &mut Db, id: &str) -> Result<Option<String>, DbError> {
    Ok(db
        .get("db.server", &[Value::text(id)])?
        .map(|row| row[10].as_str().into_owned())
        .filter(|s| !s.is_empty()))
}
