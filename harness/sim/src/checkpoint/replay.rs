//! Replaying checkpoints and journals into the tables (`p4d -jr`).
//!
//! Records are applied through [`Db::apply`], which does not journal:
//! `p4d -jr` never writes the journal. Only db.ckphist, which is local,
//! gets a `replay` row per file.

use std::path::PathBuf;

use p4ha_journal::{Op, Reader, Record, encode_field};

use super::history::{EventKind, HistoryEvent, record_event};
use super::messages::{CHECKPOINT_NO_OVERWRITE, ServerBlock, replay_failed, version_mismatch};
use super::{Site, is_gzip};
use crate::db::{Db, DbError, Value, record_to_row};
use crate::journaling::CaseFlag;
use crate::schema;
use crate::version::ServerVersion;

/// Options of `p4d -jr`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayOptions {
    /// `-z`: the files are gzip-compressed.
    pub gzip: bool,
    /// `-f`: go on past deletes of rows that are not there.
    pub force: bool,
    /// `-jrF`: replay a full checkpoint into a database that has data.
    pub allow_full_into_nonempty: bool,
    /// `-K`: tables whose records are skipped.
    pub skip_tables: Vec<String>,
}

impl ReplayOptions {
    fn flags(&self) -> String {
        let mut f = Vec::new();
        if self.gzip {
            f.push("-z");
        }
        if self.force {
            f.push("-f");
        }
        if self.allow_full_into_nonempty {
            f.push("-F");
        }
        f.join(" ")
    }
}

/// One file to replay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayInput {
    /// A file: its name as given (printed) and its host path.
    File {
        /// Name as given on the command line.
        name: String,
        /// Host path (relative names resolved against P4ROOT).
        path: PathBuf,
    },
    /// Standard input (`-`).
    Stdin {
        /// The bytes read.
        bytes: Vec<u8>,
    },
}

impl ReplayInput {
    fn name(&self) -> &str {
        match self {
            ReplayInput::File { name, .. } => name,
            ReplayInput::Stdin { .. } => "-",
        }
    }
}

/// What a replay printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReplayOutcome {
    /// Progress lines (`Recovering from FILE...`), stdout.
    pub stdout: Vec<String>,
    /// Reports through p4d's error log (stderr), in order.
    pub blocks: Vec<ServerBlock>,
    /// Exit status: 0, or 1 after an error.
    pub status: i32,
    /// Records applied.
    pub applied: u64,
}

/// Why one record could not be replayed: p4d's messages, outermost first,
/// without the `Journal file ... replay failed at line N!` that the file
/// replay puts in front.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", lines.join("\n"))]
pub struct ReplayError {
    /// The messages.
    pub lines: Vec<String>,
}

impl From<DbError> for ReplayError {
    fn from(e: DbError) -> Self {
        ReplayError {
            lines: e.to_string().lines().map(str::to_string).collect(),
        }
    }
}

/// What applying one record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplayStep {
    /// A row was written or deleted.
    Applied,
    /// Nothing to do (transaction markers, notes, `-K` tables, tables the
    /// simulator does not keep).
    Ignored,
    /// A notice p4d prints and goes on (the newer-server-level message).
    Notice(String),
}

/// Applies records one by one to a database session (the core of `p4d
/// -jr`; replication applies journal records through it too).
#[derive(Debug)]
pub struct Replayer<'a> {
    db: &'a mut Db,
    case: CaseFlag,
    level: u32,
    version: ServerVersion,
    force: bool,
    skip_tables: Vec<String>,
}

impl<'a> Replayer<'a> {
    /// A replayer into `db` for a server of `version` with case handling
    /// `case`.
    pub fn new(db: &'a mut Db, version: ServerVersion, case: CaseFlag) -> Self {
        Replayer {
            db,
            case,
            level: version.level(),
            version,
            force: false,
            skip_tables: Vec::new(),
        }
    }

    /// Goes on past deletes of missing rows (`-f`).
    pub fn force(mut self, yes: bool) -> Self {
        self.force = yes;
        self
    }

    /// Skips the records of these tables (`-K`).
    pub fn skip_tables(mut self, tables: Vec<String>) -> Self {
        self.skip_tables = tables;
        self
    }

    /// Applies one record.
    pub fn apply(&mut self, rec: &Record) -> Result<ReplayStep, ReplayError> {
        match rec.op {
            Op::Nx => self.note(rec),
            Op::Ex | Op::Mx | Op::Vv | Op::Dl => Ok(ReplayStep::Ignored),
            Op::Pv | Op::Rv | Op::Put | Op::Dv | Op::Del => self.data(rec),
        }
    }

    fn note(&mut self, rec: &Record) -> Result<ReplayStep, ReplayError> {
        let Some(note) = rec.note() else {
            return Ok(ReplayStep::Ignored);
        };
        if !(note.is_checkpoint_header()
            || note.note_type() == p4ha_journal::note_type::JOURNAL_HEADER)
        {
            return Ok(ReplayStep::Ignored);
        }
        let flags = CaseFlag::from_code(note.int(1));
        if flags != self.case {
            // A header is handled as a transaction marker, hence the middle
            // message of seed 002's chain.
            return Err(ReplayError {
                lines: vec![
                    "Bad transaction marker!".to_string(),
                    format!(
                        "Case-handling mismatch: server uses {} but journal flags are {}!",
                        self.case.describe(),
                        flags.describe()
                    ),
                ],
            });
        }
        match note.server_level() {
            Some(level) if level > self.level => {
                Ok(ReplayStep::Notice(version_mismatch(self.level, level)))
            }
            _ => Ok(ReplayStep::Ignored),
        }
    }

    fn data(&mut self, rec: &Record) -> Result<ReplayStep, ReplayError> {
        let Some(table) = rec.table() else {
            return Err(ReplayError {
                lines: vec!["Missing table name in journal record!".to_string()],
            });
        };
        if self.skip_tables.iter().any(|t| t == table) {
            return Ok(ReplayStep::Ignored);
        }
        // Tables the simulator does not keep (db.label, db.integed...) are
        // passed over: they have no effect on what it models.
        let Some(def) = schema::table(table) else {
            return Ok(ReplayStep::Ignored);
        };
        if rec
            .table_version()
            .is_some_and(|v| v > i64::from(def.version_at(self.version)))
        {
            return Err(ReplayError {
                lines: vec!["Record version not known in journal record!".to_string()],
            });
        }
        let Some(row) = record_to_row(rec) else {
            return Ok(ReplayStep::Ignored);
        };
        let applied = self.db.apply(rec.op, def.name, row)?;
        if !applied && !self.force {
            let mut data = Vec::new();
            for (i, f) in rec.values().iter().enumerate() {
                if i > 0 {
                    data.push(b' ');
                }
                encode_field(f, &mut data);
            }
            return Err(ReplayError {
                lines: vec![format!(
                    "In table {table}, the following row was not present or could not be deleted. It may be possible to use the '-f' flag to proceed beyond this point. Row data: \"{}\"",
                    String::from_utf8_lossy(&data)
                )],
            });
        }
        Ok(ReplayStep::Applied)
    }
}

/// True when no journaled table holds a row.
fn database_is_empty(db: &mut Db) -> Result<bool, DbError> {
    for def in schema::TABLES.iter().filter(|t| !t.local) {
        if !db.table(def.name)?.is_empty() {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The value a journal sets the `journal` counter to, if it does: a
/// rotated `journal.N` sets it to N+1.
fn counter_set_by(records: &[Record]) -> Option<i64> {
    records
        .iter()
        .rev()
        .filter(|r| matches!(r.op, Op::Pv | Op::Rv | Op::Put) && r.table() == Some("db.counters"))
        .find_map(|r| {
            let row = record_to_row(r)?;
            (row.first()?.as_str() == "journal").then(|| row.get(1).map(Value::as_int).unwrap_or(0))
        })
}

fn first_word(bytes: &[u8]) -> String {
    let end = bytes
        .iter()
        .position(|b| *b == b' ' || *b == b'\n')
        .unwrap_or(bytes.len())
        .min(16);
    String::from_utf8_lossy(&bytes[..end]).into_owned()
}

/// Replays `inputs` in order into the database of `site`, as `p4d -jr`.
///
/// Per file: prints `Recovering from FILE...`; refuses a full checkpoint
/// (one starting with a checkpoint header note) into a database that has
/// data unless `-jrF`; skips, with p4d's warning, a journal that sets the
/// journal counter no higher than the database already has it (a journal
/// already contained in the checkpoint replayed before it); applies every
/// record, stopping at the first failure with p4d's error chain; and adds a
/// `replay` row to db.ckphist. The tables are written back at the end,
/// with every missing `db.*` file created.
///
/// A gzip file needs `-z`, and `-z` needs gzip files (the recovery
/// chapter's reason for replaying a compressed checkpoint and the plain
/// journal in two commands).
pub fn replay_files(
    site: &Site,
    inputs: &[ReplayInput],
    opts: &ReplayOptions,
    pid: u32,
    now: i64,
) -> ReplayOutcome {
    let mut outcome = ReplayOutcome::default();
    let mut db = site.db();
    let mut skipped = 0usize;
    let fail = |outcome: &mut ReplayOutcome, lines: Vec<String>| {
        outcome.blocks.push(ServerBlock::error(lines));
        outcome.status = 1;
    };
    for input in inputs {
        let name = input.name().to_string();
        outcome.stdout.push(format!("Recovering from {name}..."));
        let bytes = match input {
            ReplayInput::File { path, .. } => match site.fs.read(path) {
                Ok(b) => b,
                Err(e) => {
                    fail(
                        &mut outcome,
                        vec![format!(
                            "open for read: {name}: {}",
                            crate::client::os_error(&e)
                        )],
                    );
                    break;
                }
            },
            ReplayInput::Stdin { bytes } => bytes.clone(),
        };
        if is_gzip(&bytes) && !opts.gzip {
            fail(
                &mut outcome,
                vec![
                    replay_failed(&name, 1),
                    format!("Bad opcode '{}' journal record!", first_word(&bytes)),
                ],
            );
            break;
        }
        if !is_gzip(&bytes) && opts.gzip && !bytes.is_empty() {
            fail(
                &mut outcome,
                vec![
                    replay_failed(&name, 1),
                    "Corrupt gzip data: invalid gzip header".to_string(),
                ],
            );
            break;
        }
        let mut records = Vec::new();
        let mut parse_error = None;
        for rec in Reader::new(&bytes[..]) {
            match rec {
                Ok(r) => records.push(r),
                Err(e) => {
                    parse_error = Some(e);
                    break;
                }
            }
        }
        let header = records.first().and_then(Record::note);
        let full = header.as_ref().is_some_and(|n| n.is_checkpoint_header());
        // A dump (journal header of type p4d -jd) is a snapshot, not a
        // step in the journal sequence.
        let dump = header.as_ref().is_some_and(|n| {
            n.note_type() == p4ha_journal::note_type::JOURNAL_HEADER && n.int(2) != 0
        });
        if full && !opts.allow_full_into_nonempty {
            match database_is_empty(&mut db) {
                Ok(true) => {}
                Ok(false) => {
                    fail(&mut outcome, vec![CHECKPOINT_NO_OVERWRITE.to_string()]);
                    break;
                }
                Err(e) => {
                    fail(
                        &mut outcome,
                        e.to_string().lines().map(str::to_string).collect(),
                    );
                    break;
                }
            }
        }
        if !full && !dump {
            let current = site.journal_number(&mut db).unwrap_or(0);
            if counter_set_by(&records).is_some_and(|v| v <= current) {
                outcome.blocks.push(ServerBlock::warning(vec![format!(
                    "Journal file '{name}' skipped (out of sequence)."
                )]));
                skipped += 1;
                continue;
            }
        }
        let mut failed = false;
        {
            let mut replayer = Replayer::new(&mut db, site.version, site.case_flag())
                .force(opts.force)
                .skip_tables(opts.skip_tables.clone());
            for rec in &records {
                match replayer.apply(rec) {
                    Ok(ReplayStep::Applied) => outcome.applied += 1,
                    Ok(ReplayStep::Ignored) => {}
                    Ok(ReplayStep::Notice(text)) => {
                        outcome.blocks.push(ServerBlock::info(vec![text]))
                    }
                    Err(e) => {
                        let mut lines = vec![replay_failed(&name, rec.line().unwrap_or(1))];
                        lines.extend(e.lines);
                        fail(&mut outcome, lines);
                        failed = true;
                        break;
                    }
                }
            }
        }
        if !failed && let Some(e) = parse_error {
            fail(
                &mut outcome,
                vec![replay_failed(&name, e.line().unwrap_or(1)), e.message()],
            );
            failed = true;
        }
        let mut event = HistoryEvent::new(
            EventKind::Replay,
            pid,
            now,
            site.journal_number(&mut db).unwrap_or(0),
        );
        event.flags = opts.flags();
        event.jfile = name.clone();
        event.jsize = bytes.len() as i64;
        event.jtype = i64::from(is_gzip(&bytes));
        event.failed = failed;
        if failed && let Some(b) = outcome.blocks.last() {
            event.errmsg = b.lines.join(" ");
        }
        if outcome.applied > 0 || !failed {
            let _ = record_event(&mut db, &event);
        }
        if failed {
            break;
        }
    }
    if skipped > 0 {
        fail(
            &mut outcome,
            vec![format!(
                "{skipped} out of sequence journals were not replayed"
            )],
        );
    }
    if outcome.applied > 0 || outcome.status == 0 {
        let written = db.flush().and_then(|_| db.create_missing());
        if let Err(e) = written {
            fail(
                &mut outcome,
                e.to_string().lines().map(str::to_string).collect(),
            );
        }
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_counter_is_found_in_a_rotated_journal() {
        let text = b"@nx@ 2 1 @47@ 1 0 0 0 0 @/m@ @journal@ @@ @@ @@\n@rv@ 1 @db.counters@ @journal@ @4@ \n@ex@ 1 1\n";
        let recs: Vec<Record> = Reader::new(&text[..]).map(Result::unwrap).collect();
        assert_eq!(counter_set_by(&recs), Some(4));
        assert_eq!(counter_set_by(&recs[..1]), None);
    }
}
