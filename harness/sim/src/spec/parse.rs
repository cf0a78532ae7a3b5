//! Reading a form: p4's spec tokenizer (a small state machine over the
//! characters of the form) and the checks p4 makes while filling fields.
//!
//! The state table is p4's: tags are words ending in `:` at the start of a
//! line; values follow on the tag's line or on indented lines; text fields
//! take the whole indented block with one leading blank removed from each
//! line; `#` starts a comment outside a text block; a line that does not
//! start with blank space ends the field.

use std::fmt;

use super::{FieldType, FieldValue, Form, ListEntry, SpecDef};

/// Why a form was refused. `messages` are p4's, newest first, without the
/// server's `Error in ... specification.` line (see [`SpecError::render`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// The messages, newest first.
    pub messages: Vec<String>,
}

impl SpecError {
    fn at_line(message: String, line: usize) -> Self {
        SpecError {
            messages: vec![format!("Error detected at line {line}."), message],
        }
    }

    /// The full text p4d sends: `Error in <domain> specification.` then the
    /// parser's messages.
    pub fn render(&self, domain: &str) -> String {
        let mut lines = vec![format!("Error in {domain} specification.")];
        lines.extend(self.messages.iter().cloned());
        lines.join("\n")
    }
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.messages.join("\n"))
    }
}

impl std::error::Error for SpecError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    Space,
    Nl,
    Colon,
    Pound,
    Quote,
    Misc,
    Eos,
}

fn class(b: Option<u8>) -> Class {
    match b {
        None | Some(0) => Class::Eos,
        Some(b' ' | b'\t' | b'\r') => Class::Space,
        Some(b'\n') => Class::Nl,
        Some(b':') => Class::Colon,
        Some(b'#') => Class::Pound,
        Some(b'"') => Class::Quote,
        Some(_) => Class::Misc,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Start,
    Tag,
    TagValue,
    Value,
    Look,
    Indent,
    Quote,
    Quote2,
    BlockTagValue,
    BlockValue,
    BlockLook,
    BlockIndent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Eos,
    Advance,
    AdvanceBlank,
    Comment,
    DoneValues,
    Error,
    NoEndQuote,
    Newline,
    SaveStartAfter,
    SaveEol,
    SaveStart,
    ReturnTag,
    ReturnValue,
    AppendLine,
    AppendLineNl,
}

/// p4's transition table: `(next state, action)` by state and character
/// class (space, newline, colon, pound, quote, other, end).
fn transition(state: State, c: Class) -> (State, Act) {
    use Act::*;
    use State::*;
    let col = match c {
        Class::Space => 0,
        Class::Nl => 1,
        Class::Colon => 2,
        Class::Pound => 3,
        Class::Quote => 4,
        Class::Misc => 5,
        Class::Eos => 6,
    };
    let row: [(State, Act); 7] = match state {
        Start => [
            (Start, Advance),
            (Start, Advance),
            (Start, Error),
            (Start, Comment),
            (Tag, SaveStart),
            (Tag, SaveStart),
            (Start, Eos),
        ],
        Tag => [
            (Start, Error),
            (Start, Error),
            (TagValue, ReturnTag),
            (Start, Error),
            (Tag, Advance),
            (Tag, Advance),
            (Start, Error),
        ],
        TagValue => [
            (TagValue, Advance),
            (Look, Advance),
            (Value, SaveStart),
            (TagValue, Comment),
            (State::Quote, SaveStart),
            (Value, SaveStart),
            (Start, Error),
        ],
        Value => [
            (Value, AdvanceBlank),
            (Look, ReturnValue),
            (Value, Advance),
            (Look, ReturnValue),
            (State::Quote, Advance),
            (Value, Advance),
            (Look, ReturnValue),
        ],
        Look => [
            (Indent, SaveStartAfter),
            (Look, Newline),
            (Start, Error),
            (Look, Comment),
            (Start, DoneValues),
            (Start, DoneValues),
            (Start, DoneValues),
        ],
        Indent => [
            (Indent, SaveStartAfter),
            (Look, Newline),
            (Value, Advance),
            (Look, Comment),
            (State::Quote, Advance),
            (Value, Advance),
            (Start, Error),
        ],
        State::Quote => [
            (State::Quote, Advance),
            (Quote2, SaveEol),
            (State::Quote, Advance),
            (State::Quote, Advance),
            (Value, Advance),
            (State::Quote, Advance),
            (Quote2, SaveEol),
        ],
        Quote2 => [
            (Quote2, Advance),
            (Quote2, Advance),
            (Quote2, Advance),
            (Quote2, Advance),
            (Value, Advance),
            (Quote2, Advance),
            (State::Quote, NoEndQuote),
        ],
        BlockTagValue => [
            (BlockTagValue, Advance),
            (BlockLook, Advance),
            (BlockValue, SaveStart),
            (BlockValue, SaveStart),
            (BlockValue, SaveStart),
            (BlockValue, SaveStart),
            (Start, Error),
        ],
        BlockValue => [
            (BlockValue, Advance),
            (BlockLook, AppendLine),
            (BlockValue, Advance),
            (BlockValue, Advance),
            (BlockValue, Advance),
            (BlockValue, Advance),
            (BlockLook, AppendLineNl),
        ],
        BlockLook => [
            (BlockIndent, SaveStartAfter),
            (BlockLook, Newline),
            (Start, Error),
            (BlockLook, Comment),
            (Start, DoneValues),
            (Start, DoneValues),
            (Start, DoneValues),
        ],
        BlockIndent => [
            (BlockIndent, Advance),
            (BlockLook, Newline),
            (BlockValue, Advance),
            (BlockValue, Advance),
            (BlockValue, Advance),
            (BlockValue, Advance),
            (Start, Error),
        ],
    };
    row[col]
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Tag(String),
    Value(String),
    Comment,
    DoneValues,
    Eos,
}

struct Tokenizer<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
    state: State,
}

impl<'a> Tokenizer<'a> {
    fn new(text: &'a str) -> Self {
        Tokenizer {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
            state: State::Start,
        }
    }

    fn cur(&self) -> Class {
        class(self.text.get(self.pos).copied())
    }

    fn advance(&mut self) {
        if self.cur() == Class::Nl {
            self.line += 1;
        }
        if self.pos < self.text.len() {
            self.pos += 1;
        }
    }

    fn slice(&self, from: usize, to: usize) -> String {
        String::from_utf8_lossy(&self.text[from.min(to)..to]).into_owned()
    }

    fn next(&mut self, text_block: bool) -> Result<Token, String> {
        let mut start = self.pos;
        let mut end = self.pos;
        let mut eol = self.pos;
        let mut block = String::new();
        let mut saved_blank_lines = 0usize;
        loop {
            if text_block && self.state == State::TagValue {
                self.state = State::BlockTagValue;
            }
            let (next, act) = transition(self.state, self.cur());
            self.state = next;
            match act {
                Act::Eos => return Ok(Token::Eos),
                Act::Advance => {
                    self.advance();
                    end = self.pos;
                }
                Act::AdvanceBlank => self.advance(),
                Act::Comment => {
                    if matches!(self.cur(), Class::Eos | Class::Nl) {
                        continue;
                    }
                    self.advance();
                    let kept = self.cur() == Class::Pound;
                    while !matches!(self.cur(), Class::Eos | Class::Nl) {
                        self.advance();
                    }
                    if kept {
                        // `##comment`: an entry comment (fmt:C fields).
                        return Ok(Token::Comment);
                    }
                }
                Act::DoneValues => {
                    return Ok(if text_block {
                        Token::Value(block)
                    } else {
                        Token::DoneValues
                    });
                }
                Act::Error => return Err(format!("Syntax error in '{}'.", self.slice(start, end))),
                Act::NoEndQuote => {
                    return Err(format!(
                        "No matching end quote in '{}'.",
                        self.slice(start, eol)
                    ));
                }
                Act::Newline => {
                    self.advance();
                    if text_block {
                        saved_blank_lines += 1;
                    }
                }
                Act::SaveEol => eol = self.pos,
                Act::SaveStartAfter => {
                    self.advance();
                    start = self.pos;
                    end = self.pos;
                }
                Act::SaveStart => {
                    start = self.pos;
                    self.advance();
                    end = self.pos;
                }
                Act::ReturnTag => {
                    let tag = self.slice(start, end);
                    self.advance();
                    return Ok(Token::Tag(tag));
                }
                Act::ReturnValue => return Ok(Token::Value(self.slice(start, end))),
                Act::AppendLine => {
                    self.advance();
                    block.extend(std::iter::repeat_n('\n', saved_blank_lines));
                    saved_blank_lines = 0;
                    block.push_str(&self.slice(start, self.pos));
                }
                Act::AppendLineNl => {
                    block.extend(std::iter::repeat_n('\n', saved_blank_lines));
                    saved_blank_lines = 0;
                    block.push_str(&self.slice(start, self.pos));
                    block.push('\n');
                }
            }
        }
    }
}

/// Splits a line into words as p4 does: blanks separate words, double
/// quotes group them (and are removed).
pub fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                in_word = true;
            }
            c if c.is_whitespace() && !quoted => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Checks a value against a field's value list; returns the value with the
/// list's spelling.
fn check_value(values: &str, value: &str) -> Option<String> {
    let sets: Vec<Vec<&str>> = values.split(',').map(|s| s.split('/').collect()).collect();
    if sets.len() == 1 {
        return sets[0]
            .iter()
            .find(|v| v.eq_ignore_ascii_case(value.trim()))
            .map(|v| v.to_string());
    }
    // Several words (client Options): each word must come from some set.
    let mut out = Vec::new();
    for w in value.split_whitespace() {
        let found = sets.iter().flatten().find(|v| v.eq_ignore_ascii_case(w))?;
        out.push(found.to_string());
    }
    Some(out.join(" "))
}

/// Parses a form against its definition, as `p4 xxx -i` does.
pub fn parse(def: &SpecDef, text: &str) -> Result<Form, SpecError> {
    let mut form = Form::new();
    let mut counts = vec![0usize; def.fields.len()];
    let mut tok = Tokenizer::new(text);
    let result: Result<(), String> = (|| {
        loop {
            let tag = match tok.next(false)? {
                Token::Comment => continue,
                Token::Tag(t) => t,
                _ => return Ok(()),
            };
            let Some(index) = def
                .fields
                .iter()
                .position(|f| f.name.eq_ignore_ascii_case(&tag))
            else {
                return Err(format!("Unknown field name '{tag}'."));
            };
            let field = &def.fields[index];
            let mut entries: Vec<ListEntry> = match form.value(field.name) {
                Some(FieldValue::List(e)) => e.clone(),
                _ => Vec::new(),
            };
            let mut last;
            loop {
                last = tok.next(field.ty == FieldType::Text)?;
                let value = match &last {
                    Token::Comment => continue,
                    Token::Value(v) => v.clone(),
                    _ => break,
                };
                if counts[index] > 0 && !field.ty.is_list() {
                    return Err(format!("Too many entries for field '{}'.", field.name));
                }
                let value = match field.values {
                    Some(values) if field.ty != FieldType::Text => {
                        match check_value(values, &value) {
                            Some(v) => v,
                            None => {
                                return Err(format!(
                                    "Value for field '{}' must be one of {values}.",
                                    field.name
                                ));
                            }
                        }
                    }
                    _ => value,
                };
                if field.ty.is_list()
                    && field.words > 0
                    && words(&value).len() != usize::from(field.words)
                {
                    return Err(format!("Wrong number of words for field '{}'.", field.name));
                }
                counts[index] += 1;
                match field.ty {
                    FieldType::Text => {
                        form.set_text(field.name, value);
                        break;
                    }
                    FieldType::WordList | FieldType::LineList => entries.push(ListEntry {
                        value,
                        comment: None,
                    }),
                    _ => form.set(field.name, value),
                }
            }
            if field.ty.is_list() {
                if entries.is_empty() && field.always {
                    counts[index] += 1;
                }
                form.set_list_with_comments(field.name, entries);
            } else if field.ty == FieldType::Text && !form.has(field.name) {
                form.set_text(field.name, "");
            } else if counts[index] == 0 && !form.has(field.name) {
                form.set(field.name, "");
            }
            if last == Token::Eos {
                return Ok(());
            }
        }
    })();
    if let Err(message) = result {
        return Err(SpecError::at_line(message, tok.line));
    }
    if let Some(missing) = def
        .fields
        .iter()
        .zip(&counts)
        .find(|(f, n)| f.required && **n == 0)
        .map(|(f, _)| f)
    {
        return Err(SpecError {
            messages: vec![format!("Missing required field '{}'.", missing.name)],
        });
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{FieldDef, FieldType, SpecDef};

    const FIELDS: &[FieldDef] = &[
        FieldDef::new("Name", FieldType::Word).required(),
        FieldDef::new("Options", FieldType::Line).values("nomandatory/mandatory"),
        FieldDef::new("Description", FieldType::Text),
        FieldDef::new("View", FieldType::WordList).words(2),
        FieldDef::new("Users", FieldType::WordList).always(),
    ];
    const DEF: SpecDef = SpecDef {
        domain: "test",
        comment: "# A test.\n",
        fields: FIELDS,
    };

    #[test]
    fn values_lists_and_text_blocks() {
        let form = parse(
            &DEF,
            "# comment\nName:  abc  \nOptions:\tMandatory\nDescription:\n\tline one\n\n\t\tindented\n    spaced\n\nView:\n\t\"//depot/a b/...\" //ws/...\n\t-//depot/x/... //ws/x/...\nUsers:\n",
        )
        .unwrap();
        assert_eq!(form.get("Name"), Some("abc"));
        assert_eq!(form.get("Options"), Some("mandatory"));
        assert_eq!(
            form.get("Description"),
            Some("line one\n\n\tindented\n   spaced\n")
        );
        assert_eq!(
            form.list("View"),
            vec!["\"//depot/a b/...\" //ws/...", "-//depot/x/... //ws/x/..."]
        );
        assert!(form.has("Users"));
        assert_eq!(
            words("\"//depot/a b/...\" //ws/..."),
            vec!["//depot/a b/...", "//ws/..."]
        );
    }

    #[test]
    fn errors_read_like_p4() {
        let e = parse(&DEF, "Options:\tmandatory\n").unwrap_err();
        assert_eq!(
            e.messages,
            vec!["Missing required field 'Name'.".to_string()]
        );
        let e = parse(&DEF, "Name:\ta\nOptions:\tsometimes\n").unwrap_err();
        assert_eq!(
            e.messages,
            vec![
                "Error detected at line 2.".to_string(),
                "Value for field 'Options' must be one of nomandatory/mandatory.".to_string()
            ]
        );
        let e = parse(&DEF, "Name:\ta\nName:\tb\n").unwrap_err();
        assert_eq!(e.messages[1], "Too many entries for field 'Name'.");
        let e = parse(&DEF, "Name:\ta\nView:\n\t//depot/...\n").unwrap_err();
        assert_eq!(e.messages[1], "Wrong number of words for field 'View'.");
        let e = parse(&DEF, "Name a\n").unwrap_err();
        assert_eq!(
            e.messages,
            vec![
                "Error detected at line 1.".to_string(),
                "Syntax error in 'Name'.".to_string()
            ]
        );
    }
}
