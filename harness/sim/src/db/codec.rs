//! Rows to journal records and back.

use p4ha_journal::{Digest, Field, Op, Record};

use super::value::{Row, Value};
use crate::schema::{self, ColumnKind, TableDef};
use crate::version::ServerVersion;

/// The journal record p4d writes for a row.
pub fn row_to_record(op: Op, def: &TableDef, version: ServerVersion, row: &Row) -> Record {
    let count = def.column_count_at(version).min(row.len());
    let fields = row[..count]
        .iter()
        .zip(def.columns)
        .map(|(v, c)| match (c.kind, v) {
            (ColumnKind::Int, v) => Field::int(v.as_int()),
            // An empty or malformed digest is written as p4d's "not computed".
            (ColumnKind::Digest, v) => {
                Field::digest(v.as_str().as_ref()).unwrap_or_else(|_| Field::Digest(Digest::zero()))
            }
            (ColumnKind::Text, v) => Field::string(v.as_str().as_bytes()),
        })
        .collect();
    Record::data(op, i64::from(def.version_at(version)), def.name, fields)
}

/// The row a data record carries, coerced to the table's column kinds.
/// `None` for records that are not data records of a known table.
pub fn record_to_row(rec: &Record) -> Option<Row> {
    let def = schema::table(rec.table()?)?;
    let row: Row = rec
        .values()
        .iter()
        .zip(def.columns)
        .map(|(f, c)| field_value(f).coerce(c.kind))
        .collect();
    Some(row)
}

fn field_value(f: &Field) -> Value {
    match f {
        Field::Str(bytes) => Value::Text(String::from_utf8_lossy(bytes).into_owned()),
        Field::Int(n) => Value::Int(n.value()),
        Field::Digest(d) => Value::Digest(d.as_str().to_string()),
    }
}
