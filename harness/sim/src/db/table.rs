//! One table in memory: rows ordered by key as p4d orders them.

use std::collections::BTreeMap;

use super::value::{Row, SortKey, Value};
use crate::schema::TableDef;

/// A table's rows, ordered by key.
#[derive(Debug, Clone)]
pub struct Table {
    def: &'static TableDef,
    fold_case: bool,
    rows: BTreeMap<SortKey, Row>,
}

impl Table {
    /// An empty table.
    pub fn new(def: &'static TableDef, fold_case: bool) -> Self {
        Table {
            def,
            fold_case,
            rows: BTreeMap::new(),
        }
    }

    /// True when keys compare without case (a `-C1` server).
    pub fn fold_case(&self) -> bool {
        self.fold_case
    }

    /// The table's definition.
    pub fn def(&self) -> &'static TableDef {
        self.def
    }

    fn key_of(&self, values: &[Value]) -> SortKey {
        SortKey::new(self.def, values, self.fold_case)
    }

    /// Normalises a row to the table's column kinds and count.
    pub fn normalize(&self, row: Row) -> Row {
        let mut out: Row = row
            .into_iter()
            .zip(self.def.columns.iter())
            .map(|(v, c)| v.coerce(c.kind))
            .collect();
        while out.len() < self.def.columns.len() {
            let c = self.def.columns[out.len()];
            out.push(match c.kind {
                crate::schema::ColumnKind::Int => Value::Int(0),
                crate::schema::ColumnKind::Text => Value::Text(String::new()),
                crate::schema::ColumnKind::Digest => Value::Digest(String::new()),
            });
        }
        out
    }

    /// The row with this key (only the key columns of `key` are used).
    pub fn get(&self, key: &[Value]) -> Option<&Row> {
        self.rows.get(&self.key_of(key))
    }

    /// Inserts or replaces a row; returns the previous row with that key.
    pub fn put(&mut self, row: Row) -> Option<Row> {
        let row = self.normalize(row);
        let key = self.key_of(&row);
        self.rows.insert(key, row)
    }

    /// Deletes the row with this key; returns it.
    pub fn delete(&mut self, key: &[Value]) -> Option<Row> {
        let key = self.key_of(key);
        self.rows.remove(&key)
    }

    /// All rows in key order.
    pub fn rows(&self) -> impl DoubleEndedIterator<Item = &Row> {
        self.rows.values()
    }

    /// Rows whose first key columns equal `prefix`.
    pub fn with_prefix<'a>(&'a self, prefix: &'a [Value]) -> impl Iterator<Item = &'a Row> + 'a {
        let fold = self.fold_case;
        self.rows.values().filter(move |row| {
            prefix
                .iter()
                .enumerate()
                .all(|(i, p)| match (row.get(i), p) {
                    (Some(Value::Int(a)), b) => *a == b.as_int(),
                    (Some(a), b) if fold => a.as_str().to_lowercase() == b.as_str().to_lowercase(),
                    (Some(a), b) => a.as_str() == b.as_str(),
                    (None, _) => false,
                })
        })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True when the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Removes every row.
    pub fn clear(&mut self) {
        self.rows.clear();
    }
}
