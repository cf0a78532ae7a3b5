//! Column values and table rows.

use std::cmp::Reverse;
use std::fmt;

use crate::schema::{ColumnKind, Order, TableDef};

/// One column value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    /// Quoted text.
    Text(String),
    /// Bare integer.
    Int(i64),
    /// Bare digest (32 upper-case hex characters, or all zeros).
    Digest(String),
}

impl Value {
    /// Text value.
    pub fn text(s: impl Into<String>) -> Value {
        Value::Text(s.into())
    }

    /// The value as text (integers rendered in decimal).
    pub fn as_str(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Value::Text(s) | Value::Digest(s) => std::borrow::Cow::Borrowed(s),
            Value::Int(n) => std::borrow::Cow::Owned(n.to_string()),
        }
    }

    /// The value as an integer (text parsed leniently, 0 when not a number).
    pub fn as_int(&self) -> i64 {
        match self {
            Value::Int(n) => *n,
            Value::Text(s) | Value::Digest(s) => s.trim().parse().unwrap_or(0),
        }
    }

    /// Coerces the value to the kind a column expects.
    pub fn coerce(self, kind: ColumnKind) -> Value {
        match (kind, self) {
            (ColumnKind::Text, Value::Int(n)) => Value::Text(n.to_string()),
            (ColumnKind::Text, Value::Digest(s)) => Value::Text(s),
            (ColumnKind::Int, v @ (Value::Text(_) | Value::Digest(_))) => Value::Int(v.as_int()),
            (ColumnKind::Digest, Value::Text(s)) => Value::Digest(s),
            (ColumnKind::Digest, Value::Int(n)) => Value::Digest(n.to_string()),
            (_, v) => v,
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_str())
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}
impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Int(n)
    }
}

/// A table row: values in the table's column order.
pub type Row = Vec<Value>;

/// One part of a sort key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum KeyPart {
    Text(String),
    Int(i64),
    IntDesc(Reverse<i64>),
    TextDesc(Reverse<String>),
}

/// The sort key of a row: its key columns, in the table's order, with
/// case folded on case-insensitive servers.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SortKey(Vec<KeyPart>);

impl SortKey {
    /// Builds the key of `values` (at least the key columns) for `def`.
    pub fn new(def: &TableDef, values: &[Value], fold_case: bool) -> SortKey {
        let parts = def
            .key
            .iter()
            .enumerate()
            .map(|(idx, order)| {
                let kind = def.columns[idx].kind;
                let v = values
                    .get(idx)
                    .cloned()
                    .unwrap_or(Value::Text(String::new()));
                match (kind, order) {
                    (ColumnKind::Int, Order::Asc) => KeyPart::Int(v.as_int()),
                    (ColumnKind::Int, Order::Desc) => KeyPart::IntDesc(Reverse(v.as_int())),
                    (_, order) => {
                        let s = v.as_str().into_owned();
                        let s = if fold_case { s.to_lowercase() } else { s };
                        match order {
                            Order::Asc => KeyPart::Text(s),
                            Order::Desc => KeyPart::TextDesc(Reverse(s)),
                        }
                    }
                }
            })
            .collect();
        SortKey(parts)
    }
}
