//! Writing tables out in checkpoint form: a header note, every row of
//! every table as `@pv@` in schema order, a trailer note; plain or gzip,
//! with the MD5 of the uncompressed text in a `.md5` side file.

use std::io::Write;
use std::path::{Path, PathBuf};

use p4ha_journal::{Digest, JournalType, Md5File, Note, NoteKind, Op, Record};

use super::{CheckpointError, Site};
use crate::db::{Db, DbError, row_to_record};
use crate::schema::{self, TableDef};

/// What a dump contains.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DumpOptions {
    /// Tables to dump (`p4d -jd file db.counters`); every journaled table
    /// when empty.
    pub tables: Vec<String>,
    /// Write gzip (`-z`).
    pub gzip: bool,
}

/// A checkpoint file written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    /// The name p4d prints (`checkpoint.19`, `/p4/1/checkpoints/p4_1.ckp.5.gz`).
    pub name: String,
    /// Host path.
    pub path: PathBuf,
    /// MD5 of the uncompressed text.
    pub digest: Digest,
    /// Size of the file on disk.
    pub size: u64,
    /// True when gzip-compressed.
    pub gzip: bool,
}

fn note(site: &Site, now: i64, kind: &NoteKind) -> Record {
    Note::from_kind(now, site.version.level(), kind).to_record()
}

fn push_tables(
    out: &mut Vec<u8>,
    site: &Site,
    db: &mut Db,
    tables: &[&'static TableDef],
) -> Result<(), DbError> {
    for def in tables {
        for row in db.rows(def.name)? {
            row_to_record(Op::Pv, def, site.version, &row)
                .write_to(out)
                .map_err(|source| DbError::Io {
                    table: def.name.to_string(),
                    op: "write",
                    source,
                })?;
        }
    }
    Ok(())
}

fn write_note(out: &mut Vec<u8>, rec: &Record) {
    // Writing into a Vec cannot fail.
    let _ = rec.write_to(out);
}

/// The text of a full checkpoint (`p4d -jc`): checkpoint header note
/// (type 0: case handling, P4ROOT, journal name), every journaled table in
/// schema order, checkpoint trailer note (type 1). Local tables
/// (`db.ckphist`, `db.user.rp`) are left out, as p4d leaves them out.
pub fn checkpoint_text(site: &Site, db: &mut Db, now: i64) -> Result<Vec<u8>, DbError> {
    let mut out = Vec::new();
    let journal = site
        .journal
        .as_ref()
        .map(|j| j.journal_name().to_string())
        .unwrap_or_default();
    let header = NoteKind::CheckpointHeader {
        case_handling: site.case_flag().checkpoint_code(),
        root: site.root_name.clone(),
        journal,
    };
    write_note(&mut out, &note(site, now, &header));
    let tables: Vec<&'static TableDef> = schema::TABLES.iter().filter(|t| !t.local).collect();
    push_tables(&mut out, site, db, &tables)?;
    write_note(&mut out, &note(site, now, &NoteKind::CheckpointTrailer));
    Ok(out)
}

/// The text of a dump (`p4d -jd`): the named tables (all journaled ones
/// when none are named). Seed 002 lists `p4d -jd` as journal type 1 of a
/// journal header note, so a dump starts with that header; it ends with
/// the checkpoint trailer that proves it complete.
pub fn dump_text(
    site: &Site,
    db: &mut Db,
    tables: &[&'static TableDef],
    now: i64,
) -> Result<Vec<u8>, DbError> {
    let mut out = Vec::new();
    let journal = site
        .journal
        .as_ref()
        .map(|j| j.journal_name().to_string())
        .unwrap_or_default();
    let header = NoteKind::JournalHeader {
        case_handling: site.case_flag().journal_code(),
        journal_type: JournalType::Dump,
        root: site.root_name.clone(),
        journal,
        server_version: String::new(),
    };
    write_note(&mut out, &note(site, now, &header));
    push_tables(&mut out, site, db, tables)?;
    write_note(&mut out, &note(site, now, &NoteKind::CheckpointTrailer));
    Ok(out)
}

/// Tables named on a `-jd` command line; errors carry p4d's text
/// (`Table db.x not known.`).
pub fn tables_named(names: &[String]) -> Result<Vec<&'static TableDef>, String> {
    if names.is_empty() {
        return Ok(schema::TABLES.iter().filter(|t| !t.local).collect());
    }
    names
        .iter()
        .map(|n| schema::table(n).ok_or_else(|| format!("Table {n} not known.")))
        .collect()
}

/// Writes a checkpoint's `text` to `path` (gzip when asked) and, when
/// `side_file` is set, its digest to `PATH.md5` as `MD5 (NAME) = HEX`.
pub fn write_checkpoint_file(
    site: &Site,
    path: &Path,
    name: &str,
    text: &[u8],
    gzip: bool,
    side_file: bool,
) -> Result<Written, CheckpointError> {
    let digest =
        p4ha_journal::checkpoint_md5(text).map_err(|e| CheckpointError::file("write", name, &e))?;
    let mut file = site
        .fs
        .create(path)
        .map_err(|e| CheckpointError::file("open for write", name, &e))?;
    let result = if gzip {
        let mut enc = flate2::write::GzEncoder::new(&mut file, flate2::Compression::default());
        enc.write_all(text).and_then(|_| enc.finish().map(|_| ()))
    } else {
        file.write_all(text)
    };
    result
        .and_then(|_| file.flush())
        .map_err(|e| CheckpointError::file("write", name, &e))?;
    drop(file);
    let size = site.fs.metadata(path).map(|m| m.len).unwrap_or(0);
    if side_file {
        let md5_path = crate::journal_files::md5_path(path);
        let md5_name = super::md5_name(name);
        site.fs
            .write(
                &md5_path,
                Md5File::new(name, digest.clone()).to_text().as_bytes(),
            )
            .map_err(|e| CheckpointError::file("open for write", md5_name, &e))?;
    }
    Ok(Written {
        name: name.to_string(),
        path: path.to_path_buf(),
        digest,
        size,
        gzip,
    })
}
