//! The server database: one `db.*` file per table under P4ROOT.
//!
//! A [`Db`] is a session over P4ROOT, opened per command as p4d opens its
//! tables per command: tables are read from their files when first used,
//! changed in memory, journaled, and written back at commit. Deleting or
//! moving the files therefore loses the data exactly as it does with p4d,
//! and a tool editing P4ROOT while the server runs (`p4d -cset`) is seen by
//! the next command.

mod codec;
mod store;
mod table;
mod value;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use p4ha_hostfs::HostFs;
use p4ha_journal::{Op, Record};

pub use codec::{record_to_row, row_to_record};
pub use store::{DB_FILE_MAGIC, db_file_names, stored_case};
pub use table::Table;
pub use value::{Row, SortKey, Value};

use crate::schema::{self, TableDef};
use crate::version::ServerVersion;

/// Errors reading or writing the database.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The table is not one the simulator keeps.
    #[error("Unknown table '{0}'.")]
    UnknownTable(String),
    /// A db file could not be read or written.
    // The OS's text as p4d prints it, without Rust's `(os error N)`.
    #[error(
        "Database open error on {table}!\n{op}: {table}: {}",
        crate::client::os_error(source)
    )]
    Io {
        /// Table name.
        table: String,
        /// What was being done (`open for read`, `write`).
        op: &'static str,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// A db file's content is damaged.
    #[error("Database corruption detected in {table}: {reason}")]
    Corrupt {
        /// Table name.
        table: String,
        /// What is wrong.
        reason: String,
    },
}

/// One journaled change waiting for commit.
#[derive(Debug, Clone)]
pub struct Change {
    /// `pv`, `rv` or `dv`.
    pub op: Op,
    /// Table changed.
    pub table: &'static TableDef,
    /// The row written (for `dv`, the row deleted).
    pub row: Row,
}

/// A database session over one P4ROOT.
pub struct Db {
    fs: HostFs,
    root: PathBuf,
    version: ServerVersion,
    fold_case: bool,
    tables: BTreeMap<&'static str, Table>,
    dirty: BTreeSet<&'static str>,
    pending: Vec<Change>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("root", &self.root)
            .field("version", &self.version)
            .finish()
    }
}

impl Db {
    /// Opens a session over the database in `root` (a host path).
    pub fn open(
        fs: HostFs,
        root: impl Into<PathBuf>,
        version: ServerVersion,
        fold_case: bool,
    ) -> Db {
        Db {
            fs,
            root: root.into(),
            version,
            fold_case,
            tables: BTreeMap::new(),
            dirty: BTreeSet::new(),
            pending: Vec::new(),
        }
    }

    /// The server release whose record versions this session writes.
    pub fn version(&self) -> ServerVersion {
        self.version
    }

    /// True on a case-insensitive (`-C1`) server.
    pub fn fold_case(&self) -> bool {
        self.fold_case
    }

    /// P4ROOT (host path).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The host file system.
    pub fn fs(&self) -> &HostFs {
        &self.fs
    }

    /// True when no `db.*` file exists yet (a new server).
    pub fn is_new(&self) -> bool {
        db_file_names(&self.fs, &self.root).is_empty()
    }

    fn def(name: &str) -> Result<&'static TableDef, DbError> {
        schema::table(name).ok_or_else(|| DbError::UnknownTable(name.to_string()))
    }

    /// The table, loaded from its file on first use.
    pub fn table(&mut self, name: &str) -> Result<&Table, DbError> {
        let def = Self::def(name)?;
        self.load(def)?;
        Ok(&self.tables[def.name])
    }

    fn load(&mut self, def: &'static TableDef) -> Result<(), DbError> {
        if !self.tables.contains_key(def.name) {
            let table = store::read_table(&self.fs, &self.root, def, self.fold_case)?;
            self.tables.insert(def.name, table);
        }
        Ok(())
    }

    fn table_mut(&mut self, def: &'static TableDef) -> Result<&mut Table, DbError> {
        self.load(def)?;
        self.dirty.insert(def.name);
        Ok(self.tables.get_mut(def.name).expect("loaded above"))
    }

    /// The row of `table` with this key.
    pub fn get(&mut self, table: &str, key: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.table(table)?.get(key).cloned())
    }

    /// All rows of a table, in key order.
    pub fn rows(&mut self, table: &str) -> Result<Vec<Row>, DbError> {
        Ok(self.table(table)?.rows().cloned().collect())
    }

    /// Writes a row: `@pv@` when new, `@rv@` when it replaces a row.
    pub fn put(&mut self, table: &str, row: Row) -> Result<(), DbError> {
        let def = Self::def(table)?;
        let t = self.table_mut(def)?;
        let row = t.normalize(row);
        let old = t.put(row.clone());
        if old.as_ref() == Some(&row) {
            // p4d journals nothing for a write that changes nothing.
            return Ok(());
        }
        let op = if old.is_some() { Op::Rv } else { Op::Pv };
        if !def.local {
            self.pending.push(Change {
                op,
                table: def,
                row,
            });
        }
        Ok(())
    }

    /// Deletes the row with this key (`@dv@`); false when there was none.
    pub fn delete(&mut self, table: &str, key: &[Value]) -> Result<bool, DbError> {
        let def = Self::def(table)?;
        let t = self.table_mut(def)?;
        match t.delete(key) {
            Some(row) => {
                if !def.local {
                    self.pending.push(Change {
                        op: Op::Dv,
                        table: def,
                        row,
                    });
                }
                Ok(true)
            }
            None => Ok(false),
        }
    }

    /// Applies a replayed record (checkpoint, journal or replication) to the
    /// tables without journaling it. Returns false for a `dv` of a missing
    /// row, which `p4d -jr` reports unless `-f` is given.
    pub fn apply(&mut self, op: Op, table: &str, row: Row) -> Result<bool, DbError> {
        let def = Self::def(table)?;
        let t = self.table_mut(def)?;
        match op {
            Op::Dv | Op::Del => Ok(t.delete(&row).is_some()),
            _ => {
                t.put(row);
                Ok(true)
            }
        }
    }

    /// Empties a table (used before a full restore into an existing root).
    pub fn clear(&mut self, table: &str) -> Result<(), DbError> {
        let def = Self::def(table)?;
        self.table_mut(def)?.clear();
        Ok(())
    }

    /// Changes journaled since the last commit.
    pub fn pending(&self) -> &[Change] {
        &self.pending
    }

    /// Takes the pending changes as journal records.
    pub fn take_records(&mut self) -> Vec<Record> {
        let version = self.version;
        self.pending
            .drain(..)
            .map(|c| row_to_record(c.op, c.table, version, &c.row))
            .collect()
    }

    /// Writes every changed table back to its file.
    pub fn flush(&mut self) -> Result<(), DbError> {
        for name in std::mem::take(&mut self.dirty) {
            let table = &self.tables[name];
            store::write_table(&self.fs, &self.root, table, self.version)?;
        }
        Ok(())
    }

    /// Forgets loaded tables and pending changes (the next access re-reads
    /// the files).
    pub fn discard(&mut self) {
        self.tables.clear();
        self.dirty.clear();
        self.pending.clear();
    }

    /// Removes every `db.*` file (what `rm db.*` does), forgetting state.
    pub fn remove_files(&mut self) -> std::io::Result<()> {
        for name in db_file_names(&self.fs, &self.root) {
            self.fs.remove_file(&self.root.join(name))?;
        }
        self.discard();
        Ok(())
    }

    /// Creates the file of every table that has none, as a new p4d does.
    pub fn create_missing(&mut self) -> Result<(), DbError> {
        for def in schema::TABLES {
            if !self.fs.exists(&store::table_path(&self.root, def)) {
                self.load(def)?;
                self.dirty.insert(def.name);
            }
        }
        self.flush()
    }
}

/// Initialises a new database: every table file, the `upgrade` counter of
/// the release, and the default depot `depot`.
///
/// p4d sets these up when it creates a database; the simulator does not
/// journal them (they are part of the database's creation, and a checkpoint
/// carries them).
pub fn initialize(db: &mut Db, version: ServerVersion) -> Result<(), DbError> {
    db.put(
        "db.counters",
        vec![
            Value::text("upgrade"),
            Value::text(version.upgrade_level().to_string()),
        ],
    )?;
    db.put(
        "db.depot",
        vec![
            Value::text("depot"),
            Value::Int(0),
            Value::text(""),
            Value::text("depot/..."),
            Value::text(""),
        ],
    )?;
    db.take_records();
    db.flush()?;
    db.create_missing()
}

/// Records the default depot's `db.domain` entry (type `d`), with the date
/// the database was created, as p4d does when it creates a database (`p4
/// depots` and `p4 depot -o depot` show its date and description). Not
/// journaled, like the rest of the database's creation.
pub fn record_default_depot(db: &mut Db, now: i64) -> Result<(), DbError> {
    db.put(
        "db.domain",
        vec![
            Value::text("depot"),
            Value::Int(100),
            Value::text(""),
            Value::text(""),
            Value::text(""),
            Value::text(""),
            Value::text(""),
            Value::Int(now),
            Value::Int(now),
            Value::Int(0),
            Value::text("Default depot\n"),
        ],
    )?;
    db.take_records();
    db.flush()
}
