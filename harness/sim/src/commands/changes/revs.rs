//! Revisions (`db.rev`), opened files (`db.working`) and have records
//! (`db.have`) as the file commands read them, and the words p4 prints for
//! actions and changes.

use std::collections::BTreeMap;

use super::filespec::RevSpec;
use crate::archive::FileType;
use crate::db::{Db, DbError, Row, Value};

/// The all-zero digest p4d records when none is known.
pub(crate) const NO_DIGEST: &str = "00000000000000000000000000000000";

/// `db.rev.action` / `db.working.action` codes.
pub(crate) const ADD: i64 = 0;
/// Edit.
pub(crate) const EDIT: i64 = 1;
/// Delete.
pub(crate) const DELETE: i64 = 2;

/// The word p4 prints for an action code.
pub(crate) fn action_name(code: i64) -> &'static str {
    match code {
        0 => "add",
        1 => "edit",
        2 => "delete",
        3 => "branch",
        4 => "integrate",
        5 => "import",
        6 => "purge",
        7 => "move/delete",
        8 => "move/add",
        9 => "archive",
        _ => "unknown",
    }
}

/// True for actions that leave no content (`delete`, `move/delete`,
/// `purge`, `archive`).
pub(crate) fn is_deleted(action: i64) -> bool {
    matches!(action, 2 | 6 | 7 | 9)
}

/// One `db.rev` row.
#[derive(Debug, Clone)]
pub(crate) struct Rev {
    pub depot_file: String,
    pub rev: i64,
    pub file_type: FileType,
    pub action: i64,
    pub change: i64,
    pub date: i64,
    pub mod_time: i64,
    pub digest: String,
    pub size: i64,
    pub lbr_file: String,
    pub lbr_rev: String,
    pub lbr_type: FileType,
    pub row: Row,
}

impl Rev {
    fn from_row(row: Row) -> Rev {
        Rev {
            depot_file: row[0].as_str().into_owned(),
            rev: row[1].as_int(),
            file_type: FileType::from_code(row[2].as_int()),
            action: row[3].as_int(),
            change: row[4].as_int(),
            date: row[5].as_int(),
            mod_time: row[6].as_int(),
            digest: row[7].as_str().into_owned(),
            size: row[8].as_int(),
            lbr_file: row[11].as_str().into_owned(),
            lbr_rev: row[12].as_str().into_owned(),
            lbr_type: FileType::from_code(row[13].as_int()),
            row,
        }
    }

    /// True when the revision has no recorded digest.
    pub fn digest_missing(&self) -> bool {
        self.digest.is_empty() || self.digest.bytes().all(|b| b == b'0')
    }

    /// `//depot/a.txt#2 - edit change 3 (text)`: p4's files line.
    pub fn files_line(&self) -> String {
        format!(
            "{}#{} - {} change {} ({})",
            self.depot_file,
            self.rev,
            action_name(self.action),
            self.change,
            self.file_type
        )
    }
}

/// Every file's revisions, newest first, by depot path.
pub(crate) fn all_revisions(db: &mut Db) -> Result<BTreeMap<String, Vec<Rev>>, DbError> {
    let mut out: BTreeMap<String, Vec<Rev>> = BTreeMap::new();
    for row in db.rows("db.rev")? {
        let r = Rev::from_row(row);
        out.entry(r.depot_file.clone()).or_default().push(r);
    }
    for revs in out.values_mut() {
        revs.sort_by_key(|r| std::cmp::Reverse(r.rev));
    }
    Ok(out)
}

/// A file's revisions, newest first.
pub(crate) fn file_revisions(db: &mut Db, depot_file: &str) -> Result<Vec<Rev>, DbError> {
    let mut revs: Vec<Rev> = db
        .table("db.rev")?
        .with_prefix(&[Value::text(depot_file)])
        .cloned()
        .map(Rev::from_row)
        .collect();
    revs.sort_by_key(|r| std::cmp::Reverse(r.rev));
    Ok(revs)
}

/// The revision of `revs` (newest first) a single revision spec selects;
/// `have` is the client's have revision.
pub(crate) fn select(revs: &[Rev], spec: Option<RevSpec>, have: Option<i64>) -> Option<&Rev> {
    match spec {
        None | Some(RevSpec::Head) => revs.first(),
        Some(RevSpec::Num(n)) => revs.iter().find(|r| r.rev <= n),
        Some(RevSpec::Have) => have.and_then(|h| revs.iter().find(|r| r.rev == h)),
        Some(RevSpec::Change(c)) => revs.iter().find(|r| r.change <= c),
        Some(RevSpec::Date(t)) => revs.iter().find(|r| r.date <= t),
    }
}

/// True when `r` lies in the range `from,to`.
pub(crate) fn in_range(r: &Rev, from: RevSpec, to: RevSpec, have: Option<i64>, head: i64) -> bool {
    let lower = match from {
        RevSpec::Num(n) => r.rev >= n,
        RevSpec::Head => r.rev >= head,
        RevSpec::Have => have.is_some_and(|h| r.rev >= h),
        RevSpec::Change(c) => r.change >= c,
        RevSpec::Date(t) => r.date >= t,
    };
    let upper = match to {
        RevSpec::Num(n) => r.rev <= n,
        RevSpec::Head => true,
        RevSpec::Have => have.is_some_and(|h| r.rev <= h),
        RevSpec::Change(c) => r.change <= c,
        RevSpec::Date(t) => r.date <= t,
    };
    lower && upper
}

/// One `db.working` row.
#[derive(Debug, Clone)]
pub(crate) struct Working {
    pub client_file: String,
    pub depot_file: String,
    pub client: String,
    pub user: String,
    pub have_rev: i64,
    pub work_rev: i64,
    pub file_type: FileType,
    pub action: i64,
    pub change: i64,
    pub row: Row,
}

impl Working {
    /// Reads a `db.working` row.
    pub fn from_row(row: Row) -> Working {
        Working {
            client_file: row[0].as_str().into_owned(),
            depot_file: row[1].as_str().into_owned(),
            client: row[2].as_str().into_owned(),
            user: row[3].as_str().into_owned(),
            have_rev: row[4].as_int(),
            work_rev: row[5].as_int(),
            file_type: FileType::from_code(row[7].as_int()),
            action: row[8].as_int(),
            change: row[9].as_int(),
            row,
        }
    }

    /// A new opened-file row.
    #[allow(clippy::too_many_arguments)]
    pub fn row(
        client_file: &str,
        depot_file: &str,
        client: &str,
        user: &str,
        have_rev: i64,
        work_rev: i64,
        file_type: FileType,
        action: i64,
        change: i64,
    ) -> Row {
        vec![
            Value::text(client_file),
            Value::text(depot_file),
            Value::text(client),
            Value::text(user),
            Value::Int(have_rev),
            Value::Int(work_rev),
            Value::Int(0),
            Value::Int(file_type.code()),
            Value::Int(action),
            Value::Int(change),
            Value::Int(0),
            Value::Int(0),
            Value::Digest(NO_DIGEST.to_string()),
            Value::Int(-1),
            Value::Int(0),
            Value::Int(0),
            Value::Int(file_type.code()),
            Value::text(""),
            Value::Int(0),
        ]
    }

    /// `default change` or `change N`, as `p4 opened` prints it.
    pub fn change_words(&self) -> String {
        if self.change == 0 {
            "default change".to_string()
        } else {
            format!("change {}", self.change)
        }
    }
}

/// Every opened file, by client file.
pub(crate) fn all_working(db: &mut Db) -> Result<Vec<Working>, DbError> {
    Ok(db
        .rows("db.working")?
        .into_iter()
        .map(Working::from_row)
        .collect())
}

/// One `db.have` row: (client file, depot file, have rev).
pub(crate) fn have_rows(
    db: &mut Db,
    client: &str,
) -> Result<BTreeMap<String, (String, i64)>, DbError> {
    let prefix = format!("//{client}/");
    Ok(db
        .rows("db.have")?
        .into_iter()
        .filter(|r| r[0].as_str().starts_with(&prefix))
        .map(|r| {
            (
                r[1].as_str().into_owned(),
                (r[0].as_str().into_owned(), r[2].as_int()),
            )
        })
        .collect())
}

/// A `db.have` row.
pub(crate) fn have_row(
    client_file: &str,
    depot_file: &str,
    rev: i64,
    file_type: FileType,
    time: i64,
) -> Row {
    vec![
        Value::text(client_file),
        Value::text(depot_file),
        Value::Int(rev),
        Value::Int(file_type.code()),
        Value::Int(time),
    ]
}

/// The value of a counter (0 when unset).
pub(crate) fn counter(db: &mut Db, name: &str) -> Result<i64, DbError> {
    Ok(db
        .get("db.counters", &[Value::text(name)])?
        .map(|r| r[1].as_int())
        .unwrap_or(0))
}
