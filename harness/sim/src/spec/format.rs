//! Printing a form (`p4 xxx -o`) as text and as tagged output.

use super::{FieldType, FieldValue, Form, SpecDef};
use crate::protocol::TaggedRecord;

/// The form text p4d sends for `-o`: the comment block, then each field
/// with a value in definition order, one empty line before each. The text
/// ends with `\n`; the p4 client adds one more when it prints it.
pub fn format(def: &SpecDef, form: &Form) -> String {
    let mut s = String::from(def.comment);
    for field in def.fields {
        let value = form.value(field.name).filter(|v| match v {
            FieldValue::Single(s) | FieldValue::Text(s) => !s.is_empty(),
            FieldValue::List(e) => !e.is_empty(),
        });
        if value.is_none() && !field.always {
            continue;
        }
        if !s.is_empty() {
            s.push('\n');
        }
        match field.ty {
            FieldType::Text => {
                s.push_str(field.name);
                s.push_str(":\n");
                if let Some(FieldValue::Text(text) | FieldValue::Single(text)) = value {
                    for line in text.strip_suffix('\n').unwrap_or(text).split('\n') {
                        s.push('\t');
                        s.push_str(line);
                        s.push('\n');
                    }
                }
            }
            FieldType::WordList | FieldType::LineList => {
                s.push_str(field.name);
                s.push_str(":\n");
                if let Some(FieldValue::List(entries)) = value {
                    for e in entries
                        .iter()
                        .filter(|e| !e.value.is_empty() || e.comment.is_some())
                    {
                        s.push('\t');
                        s.push_str(&e.value);
                        match (&e.comment, e.value.is_empty(), field.comment_format) {
                            (Some(c), false, true) => s.push_str(&format!("\t##{c}")),
                            (Some(c), false, false) => s.push_str(&format!("\t# {c}")),
                            (Some(c), true, _) => s.push_str(&format!("##{c}")),
                            (None, _, _) => {}
                        }
                        s.push('\n');
                    }
                }
            }
            _ => {
                s.push_str(field.name);
                s.push(':');
                if let Some(FieldValue::Single(v) | FieldValue::Text(v)) = value {
                    s.push('\t');
                    s.push_str(v);
                }
                s.push('\n');
            }
        }
    }
    s
}

/// The tagged record of a form (`p4 -ztag xxx -o`): one variable per field
/// in definition order, list entries numbered (`View0`, `View1`), empty
/// fields left out.
pub fn tagged(def: &SpecDef, form: &Form) -> TaggedRecord {
    let mut record = TaggedRecord::new();
    for field in def.fields {
        match form.value(field.name) {
            Some(FieldValue::List(entries)) => {
                for (i, e) in entries.iter().enumerate() {
                    record.push((format!("{}{i}", field.name), e.value.clone()));
                }
            }
            Some(FieldValue::Single(v) | FieldValue::Text(v)) if !v.is_empty() => {
                record.push((field.name.to_string(), v.clone()));
            }
            _ => {}
        }
    }
    record
}
