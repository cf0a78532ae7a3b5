//! Spec forms: the text p4d prints for `p4 xxx -o` and reads back with
//! `p4 xxx -i` (server, user, group, protections, client, depot, change),
//! with the definitions of each release.
//!
//! Printing and parsing follow p4's own form code: fields in definition
//! order, `Tag:\tvalue` lines, list entries and text lines indented by a
//! TAB, one empty line between fields; parsing is a port of p4's form
//! tokenizer, so the same inputs are accepted and the same errors (with
//! their line numbers) are reported.

mod comments;
mod defs;
mod format;
mod parse;

pub use defs::{SpecKind, definition};
pub use format::{format, tagged};
pub use parse::{SpecError, parse, words};

/// How a field holds its value (p4's spec field types).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// One word (`word`, the default type).
    Word,
    /// One word from the field's value list (`select`).
    Select,
    /// One line of words (`line`).
    Line,
    /// A date, read-only (`date`).
    Date,
    /// Several lines of words (`wlist`).
    WordList,
    /// Several lines of text (`llist`).
    LineList,
    /// A block of text (`text`).
    Text,
}

impl FieldType {
    /// True for fields holding one entry per line.
    pub fn is_list(self) -> bool {
        matches!(self, FieldType::WordList | FieldType::LineList)
    }
}

/// One field of a spec definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldDef {
    /// The tag (`ServerID`).
    pub name: &'static str,
    /// Its type.
    pub ty: FieldType,
    /// `rq`: the form must carry it.
    pub required: bool,
    /// `ro`: the server ignores what the form says.
    pub read_only: bool,
    /// `opt:default`: printed even when empty.
    pub always: bool,
    /// `val:`: the allowed values, `/`-separated alternatives, one set per
    /// word separated by `,` (`nomandatory/mandatory`).
    pub values: Option<&'static str>,
    /// `words:`: how many words each list entry has (0: any).
    pub words: u8,
    /// `fmt:C`: entry comments are written `\t##comment`.
    pub comment_format: bool,
}

impl FieldDef {
    /// A field of type `ty`, optional, without a value list.
    pub const fn new(name: &'static str, ty: FieldType) -> Self {
        FieldDef {
            name,
            ty,
            required: false,
            read_only: false,
            always: false,
            values: None,
            words: 0,
            comment_format: false,
        }
    }

    /// Marks the field required.
    pub const fn required(mut self) -> Self {
        self.required = true;
        self
    }

    /// Marks the field read-only.
    pub const fn read_only(mut self) -> Self {
        self.read_only = true;
        self
    }

    /// Prints the field even when it has no value.
    pub const fn always(mut self) -> Self {
        self.always = true;
        self
    }

    /// Restricts the value to `values`.
    pub const fn values(mut self, values: &'static str) -> Self {
        self.values = Some(values);
        self
    }

    /// Requires `n` words per list entry.
    pub const fn words(mut self, n: u8) -> Self {
        self.words = n;
        self
    }

    /// Writes entry comments as `##comment`.
    pub const fn comment_format(mut self) -> Self {
        self.comment_format = true;
        self
    }
}

/// A spec definition: the form's comment block and fields, for one
/// release.
#[derive(Debug, Clone, Copy)]
pub struct SpecDef {
    /// The spec type word p4d names in `Error in %domain% specification.`
    pub domain: &'static str,
    /// The comment block printed before the fields (each line ends `\n`).
    pub comment: &'static str,
    /// Fields in the order the form prints them.
    pub fields: &'static [FieldDef],
}

impl SpecDef {
    /// The field with this tag (tags match case-insensitively, as p4's do).
    pub fn field(&self, tag: &str) -> Option<&'static FieldDef> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(tag))
    }
}

/// One entry of a list field, with the comment p4 prints after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListEntry {
    /// The entry text.
    pub value: String,
    /// A comment written after the entry (`# add`), if any.
    pub comment: Option<String>,
}

/// A field's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldValue {
    /// A one-line value.
    Single(String),
    /// List entries.
    List(Vec<ListEntry>),
    /// A text block; every line ends with `\n`.
    Text(String),
}

/// A filled-in form: field values by tag, in no particular order (the
/// definition orders them when printed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    values: Vec<(&'static str, FieldValue)>,
}

impl Form {
    /// An empty form.
    pub fn new() -> Self {
        Form::default()
    }

    fn slot(&self, name: &str) -> Option<&FieldValue> {
        self.values
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }

    fn put(&mut self, name: &'static str, value: FieldValue) {
        match self
            .values
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
        {
            Some(slot) => slot.1 = value,
            None => self.values.push((name, value)),
        }
    }

    /// True when the form carries the field (even empty).
    pub fn has(&self, name: &str) -> bool {
        self.slot(name).is_some()
    }

    /// A one-line value (or a text block) by tag.
    pub fn get(&self, name: &str) -> Option<&str> {
        match self.slot(name)? {
            FieldValue::Single(s) | FieldValue::Text(s) => Some(s.as_str()),
            FieldValue::List(_) => None,
        }
    }

    /// The entries of a list field (empty when absent).
    pub fn list(&self, name: &str) -> Vec<&str> {
        match self.slot(name) {
            Some(FieldValue::List(entries)) => entries.iter().map(|e| e.value.as_str()).collect(),
            _ => Vec::new(),
        }
    }

    /// The raw value of a field.
    pub fn value(&self, name: &str) -> Option<&FieldValue> {
        self.slot(name)
    }

    /// Sets a one-line field.
    pub fn set(&mut self, name: &'static str, value: impl Into<String>) {
        self.put(name, FieldValue::Single(value.into()));
    }

    /// Sets a text field; a final `\n` is added when missing (p4 stores
    /// text that way).
    pub fn set_text(&mut self, name: &'static str, value: impl Into<String>) {
        let mut v = value.into();
        if !v.is_empty() && !v.ends_with('\n') {
            v.push('\n');
        }
        self.put(name, FieldValue::Text(v));
    }

    /// Sets a list field.
    pub fn set_list<I, S>(&mut self, name: &'static str, entries: I)
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let entries = entries
            .into_iter()
            .map(|v| ListEntry {
                value: v.into(),
                comment: None,
            })
            .collect();
        self.put(name, FieldValue::List(entries));
    }

    /// Sets a list field whose entries carry comments (`Files:` of a
    /// change: `//depot/a.txt\t# add`).
    pub fn set_list_with_comments(&mut self, name: &'static str, entries: Vec<ListEntry>) {
        self.put(name, FieldValue::List(entries));
    }

    /// Removes a field.
    pub fn remove(&mut self, name: &str) {
        self.values.retain(|(n, _)| !n.eq_ignore_ascii_case(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::ServerVersion;

    fn v(s: &str) -> ServerVersion {
        s.parse().unwrap()
    }

    #[test]
    fn a_form_prints_and_parses_back() {
        let def = definition(SpecKind::Server, v("2019.1"));
        let mut form = Form::new();
        form.set("ServerID", "standby");
        form.set("Type", "server");
        form.set("Services", "standby");
        form.set("Options", "nomandatory");
        form.set("ReplicatingFrom", "master");
        form.set_text("Description", "Created by super.");
        form.set_text(
            "DistributedConfig",
            "P4TARGET=192.168.56.114:1666\nserviceUser=service\n",
        );
        let text = format(&def, &form);
        assert!(
            text.ends_with(
                "DistributedConfig:\n\tP4TARGET=192.168.56.114:1666\n\tserviceUser=service\n"
            ),
            "{text}"
        );
        let back = parse(&def, &text).unwrap();
        assert_eq!(back, form);
    }

    #[test]
    fn unknown_fields_report_their_line() {
        let def = definition(SpecKind::Client, v("2023.2"));
        let err = parse(&def, "Client:\tws\n\nFoo:\tbar\n").unwrap_err();
        assert_eq!(
            err.render(def.domain),
            "Error in client specification.\nError detected at line 3.\nUnknown field name 'Foo'."
        );
    }
}
