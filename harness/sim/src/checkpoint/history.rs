//! `db.ckphist`: the server's own history of checkpoints, journal
//! rotations, replays, dumps and scheduled checkpoints (`p4 journals`).
//! The table is local to each server: never journaled, replicated or
//! checkpointed.

use crate::clock::Zone;
use crate::db::{Db, DbError, Row, Value};
use crate::protocol::TaggedRecord;

/// What a history row records (db.ckphist `type`, CheckpointEventType).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A journal rotation (`p4d -jj`, `p4 admin journal`).
    Journal,
    /// A checkpoint (`p4d -jc`, `p4 admin checkpoint`); the journal it
    /// rotated is recorded with this type too.
    Checkpoint,
    /// A replay (`p4d -jr`).
    Replay,
    /// A dump (`p4d -jd`).
    Dump,
    /// A checkpoint a replica scheduled (`p4 admin checkpoint` on a replica).
    Schedule,
    /// Any other code.
    Other(i64),
}

impl EventKind {
    /// The stored code.
    pub fn code(self) -> i64 {
        match self {
            EventKind::Journal => 1,
            EventKind::Checkpoint => 2,
            EventKind::Replay => 3,
            EventKind::Dump => 4,
            EventKind::Schedule => 5,
            EventKind::Other(c) => c,
        }
    }

    /// From the stored code.
    pub fn from_code(code: i64) -> Self {
        match code {
            1 => EventKind::Journal,
            2 => EventKind::Checkpoint,
            3 => EventKind::Replay,
            4 => EventKind::Dump,
            5 => EventKind::Schedule,
            c => EventKind::Other(c),
        }
    }

    /// The word `p4 journals` prints.
    pub fn word(self) -> String {
        match self {
            EventKind::Journal => "journal".into(),
            EventKind::Checkpoint => "checkpoint".into(),
            EventKind::Replay => "replay".into(),
            EventKind::Dump => "dump".into(),
            EventKind::Schedule => "schedule".into(),
            EventKind::Other(6) => "seed".into(),
            EventKind::Other(7) => "seed-schedule".into(),
            EventKind::Other(8) => "checkpoint-para".into(),
            EventKind::Other(9) => "checkpoint-para-multi".into(),
            EventKind::Other(10) => "dump-para".into(),
            EventKind::Other(11) => "dump-para-multi".into(),
            EventKind::Other(12) => "dump-replay-para".into(),
            EventKind::Other(c) => c.to_string(),
        }
    }
}

/// One db.ckphist row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    /// When the operation started (epoch seconds).
    pub start: i64,
    /// Journal or checkpoint number.
    pub jnum: i64,
    /// Process id of the operation.
    pub pid: i64,
    /// What happened.
    pub kind: EventKind,
    /// When it ended.
    pub end: i64,
    /// Options it ran with (`-z`, `-Z`, `-f`...).
    pub flags: String,
    /// The file written or read, as p4d names it.
    pub jfile: String,
    /// The file's date.
    pub jdate: i64,
    /// The checkpoint's MD5; `None` for journals.
    pub jdigest: Option<String>,
    /// The file's size in bytes.
    pub jsize: i64,
    /// 0 text, 1 gzip-compressed.
    pub jtype: i64,
    /// True when the operation failed.
    pub failed: bool,
    /// Why it failed.
    pub errmsg: String,
}

impl HistoryEvent {
    /// A successful event of `kind` at `now`, with no file yet.
    pub fn new(kind: EventKind, pid: u32, now: i64, jnum: i64) -> Self {
        HistoryEvent {
            start: now,
            jnum,
            pid: i64::from(pid),
            kind,
            end: now,
            flags: String::new(),
            jfile: String::new(),
            jdate: now,
            jdigest: None,
            jsize: 0,
            jtype: 0,
            failed: false,
            errmsg: String::new(),
        }
    }

    fn to_row(&self) -> Row {
        vec![
            Value::Int(self.start),
            Value::Int(self.jnum),
            Value::Int(self.pid),
            Value::Int(self.kind.code()),
            Value::Int(self.end),
            Value::text(&self.flags),
            Value::text(&self.jfile),
            Value::Int(self.jdate),
            Value::Digest(self.jdigest.clone().unwrap_or_default()),
            Value::Int(self.jsize),
            Value::Int(self.jtype),
            Value::Int(i64::from(self.failed)),
            Value::text(&self.errmsg),
        ]
    }

    fn from_row(row: &Row) -> Self {
        let int = |i: usize| row.get(i).map(Value::as_int).unwrap_or(0);
        let text = |i: usize| {
            row.get(i)
                .map(|v| v.as_str().into_owned())
                .unwrap_or_default()
        };
        let digest = text(8);
        HistoryEvent {
            start: int(0),
            jnum: int(1),
            pid: int(2),
            kind: EventKind::from_code(int(3)),
            end: int(4),
            flags: text(5),
            jfile: text(6),
            jdate: int(7),
            jdigest: (!digest.is_empty() && digest.bytes().any(|b| b != b'0')).then_some(digest),
            jsize: int(9),
            jtype: int(10),
            failed: int(11) != 0,
            errmsg: text(12),
        }
    }

    /// The record `p4 journals` prints, every field in p4d's order, dates
    /// in the server's zone.
    pub fn tagged(&self, zone: &Zone) -> TaggedRecord {
        let jtype = match self.jtype {
            0 => "text".to_string(),
            1 => "gzip".to_string(),
            n => n.to_string(),
        };
        vec![
            ("start".into(), self.start.to_string()),
            ("startDate".into(), zone.datetime(self.start)),
            ("end".into(), self.end.to_string()),
            ("endDate".into(), zone.datetime(self.end)),
            ("pid".into(), self.pid.to_string()),
            ("type".into(), self.kind.word()),
            ("flags".into(), self.flags.clone()),
            ("jnum".into(), self.jnum.to_string()),
            ("jfile".into(), self.jfile.clone()),
            ("jdate".into(), self.jdate.to_string()),
            ("jdateDate".into(), zone.datetime(self.jdate)),
            (
                "jdigest".into(),
                self.jdigest.clone().unwrap_or_else(|| "0".to_string()),
            ),
            ("jsize".into(), self.jsize.to_string()),
            ("jtype".into(), jtype),
            ("failed".into(), u8::from(self.failed).to_string()),
            ("errmsg".into(), self.errmsg.clone()),
        ]
    }
}

/// Adds a row to db.ckphist (written when the session is flushed; the
/// table is never journaled).
pub fn record_event(db: &mut Db, event: &HistoryEvent) -> Result<(), DbError> {
    db.put("db.ckphist", event.to_row())
}

/// Every history row, newest first (then the higher number first, so a
/// checkpoint precedes the journal it rotated, as in the command
/// reference's example).
pub fn history(db: &mut Db) -> Result<Vec<HistoryEvent>, DbError> {
    let mut events: Vec<HistoryEvent> = db
        .rows("db.ckphist")?
        .iter()
        .map(HistoryEvent::from_row)
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse((e.start, e.jnum, e.pid)));
    Ok(events)
}

/// What `p4 journals` selects and shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JournalsQuery {
    /// `-m max`.
    pub max: Option<usize>,
    /// `-T fields`: the fields to show (all when empty).
    pub fields: Vec<String>,
    /// `-F filter`: terms that must all hold.
    pub filter: Vec<FilterTerm>,
}

/// One term of a `-F` filter: `field=value` (with `*` wildcards), negated
/// by a leading `^`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterTerm {
    field: String,
    pattern: String,
    negate: bool,
}

impl JournalsQuery {
    /// Parses a `-F` expression. Errors carry p4d's text
    /// (`Expression parse error at '...'.`).
    pub fn parse_filter(expr: &str) -> Result<Vec<FilterTerm>, String> {
        let mut terms = Vec::new();
        for word in expr.split_whitespace() {
            let (negate, word) = match word.strip_prefix('^') {
                Some(w) => (true, w),
                None => (false, word),
            };
            let Some((field, pattern)) = word.split_once('=') else {
                return Err(format!("Expression parse error at '{word}'."));
            };
            if field.is_empty() {
                return Err(format!("Expression parse error at '{word}'."));
            }
            terms.push(FilterTerm {
                field: field.to_string(),
                pattern: pattern.to_string(),
                negate,
            });
        }
        Ok(terms)
    }

    /// Applies the query to tagged records.
    pub fn apply(&self, records: Vec<TaggedRecord>) -> Vec<TaggedRecord> {
        let mut out: Vec<TaggedRecord> = records
            .into_iter()
            .filter(|r| {
                self.filter.iter().all(|t| {
                    let value = r
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&t.field))
                        .map(|(_, v)| v.as_str());
                    let hit =
                        value.is_some_and(|v| glob(&t.pattern.to_lowercase(), &v.to_lowercase()));
                    hit != t.negate
                })
            })
            .collect();
        if let Some(max) = self.max {
            out.truncate(max);
        }
        if !self.fields.is_empty() {
            for r in &mut out {
                r.retain(|(k, _)| self.fields.iter().any(|f| f == k));
            }
        }
        out
    }
}

fn glob(pattern: &str, text: &str) -> bool {
    crate::auth::wildcard(pattern, text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tagged_record_follows_the_command_reference() {
        let zone = Zone::from_tz(Some("Asia/Tokyo"));
        let mut e = HistoryEvent::new(EventKind::Checkpoint, 19960, 1_381_278_576, 18);
        e.jfile = "journal.18".into();
        e.jdate = 1_381_278_575;
        let r = e.tagged(&zone);
        let keys: Vec<&str> = r.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            keys,
            [
                "start",
                "startDate",
                "end",
                "endDate",
                "pid",
                "type",
                "flags",
                "jnum",
                "jfile",
                "jdate",
                "jdateDate",
                "jdigest",
                "jsize",
                "jtype",
                "failed",
                "errmsg"
            ]
        );
        assert_eq!(r[11].1, "0");
        assert_eq!(r[5].1, "checkpoint");
    }

    #[test]
    fn filters_select_and_negate() {
        let rec = |t: &str| {
            vec![
                ("type".to_string(), t.to_string()),
                ("jnum".to_string(), "3".to_string()),
            ]
        };
        let q = JournalsQuery {
            filter: JournalsQuery::parse_filter("type=check*").unwrap(),
            ..Default::default()
        };
        assert_eq!(q.apply(vec![rec("checkpoint"), rec("journal")]).len(), 1);
        let q = JournalsQuery {
            filter: JournalsQuery::parse_filter("^type=journal").unwrap(),
            ..Default::default()
        };
        assert_eq!(
            q.apply(vec![rec("checkpoint"), rec("journal")])[0][0].1,
            "checkpoint"
        );
        assert!(JournalsQuery::parse_filter("type").is_err());
    }
}
