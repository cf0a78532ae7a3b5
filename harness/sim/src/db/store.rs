//! The `db.*` file format.
//!
//! Real p4d keeps each table in a binary B-tree file. The simulator keeps
//! each in a file of the same name holding a magic line and the table's rows
//! as journal records in key order: the files behave like p4d's on disk
//! (they exist per table, can be deleted, moved and restored) and stay
//! readable when an administrator looks at them.

use std::io::Read;
use std::path::{Path, PathBuf};

use p4ha_hostfs::HostFs;
use p4ha_journal::Reader;

use super::DbError;
use super::codec::{record_to_row, row_to_record};
use super::table::Table;
use crate::schema::TableDef;
use crate::version::ServerVersion;

/// First line of every simulated db file.
pub const DB_FILE_MAGIC: &str = "P4HA-DB";

/// Host path of a table's file.
pub fn table_path(root: &Path, def: &TableDef) -> PathBuf {
    root.join(def.name)
}

/// Names of the `db.*` files present in `root`, sorted.
pub fn db_file_names(fs: &HostFs, root: &Path) -> Vec<String> {
    fs.read_dir(root)
        .map(|names| names.into_iter().filter(|n| n.starts_with("db.")).collect())
        .unwrap_or_default()
}

pub(crate) fn read_table(
    fs: &HostFs,
    root: &Path,
    def: &'static TableDef,
    fold_case: bool,
) -> Result<Table, DbError> {
    let path = table_path(root, def);
    let mut table = Table::new(def, fold_case);
    let bytes = match fs.read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(table),
        Err(source) => {
            return Err(DbError::Io {
                table: def.name.to_string(),
                op: "open for read",
                source,
            });
        }
    };
    let corrupt = |reason: String| DbError::Corrupt {
        table: def.name.to_string(),
        reason,
    };
    let body = match bytes.iter().position(|&b| b == b'\n') {
        Some(nl) if bytes[..nl].starts_with(DB_FILE_MAGIC.as_bytes()) => &bytes[nl + 1..],
        _ if bytes.is_empty() => return Ok(table),
        _ => return Err(corrupt("not a database file".to_string())),
    };
    let mut reader = Reader::new(body as &[u8]);
    for rec in reader.by_ref() {
        let rec = rec.map_err(|e| corrupt(e.to_string()))?;
        let row = record_to_row(&rec)
            .ok_or_else(|| corrupt(format!("bad record at line {}", rec.line().unwrap_or(0))))?;
        table.put(row);
    }
    Ok(table)
}

pub(crate) fn write_table(
    fs: &HostFs,
    root: &Path,
    table: &Table,
    version: ServerVersion,
) -> Result<(), DbError> {
    let def = table.def();
    let case = if table.fold_case() { "C1" } else { "C0" };
    let mut out = format!("{DB_FILE_MAGIC} {} {case}\n", def.name).into_bytes();
    for row in table.rows() {
        let rec = row_to_record(p4ha_journal::Op::Pv, def, version, row);
        rec.write_to(&mut out).map_err(|source| DbError::Io {
            table: def.name.to_string(),
            op: "write",
            source,
        })?;
    }
    fs.write_atomic(&table_path(root, def), &out)
        .map_err(|source| DbError::Io {
            table: def.name.to_string(),
            op: "write",
            source,
        })
}

/// The case handling recorded in the database's files (`Some(true)` for a
/// case-insensitive database), or `None` when there is no database yet.
pub fn stored_case(fs: &HostFs, root: &Path) -> Option<bool> {
    for name in db_file_names(fs, root) {
        let Ok(mut f) = fs.open(&root.join(&name)) else {
            continue;
        };
        let mut head = [0u8; 128];
        let n = f.read(&mut head).unwrap_or(0);
        let line = String::from_utf8_lossy(&head[..n]);
        let first = line.lines().next().unwrap_or("");
        if first.starts_with(DB_FILE_MAGIC) {
            return Some(first.ends_with(" C1"));
        }
    }
    None
}
