//! Spec forms as `p4 <command> -o` prints them and `-i` reads them, and
//! the edits an administrator makes in the editor.
//!
//! A form is a sequence of comment lines (`#`), blank lines and fields.
//! A field starts at the beginning of a line with `Name:`; a one-line
//! value follows on the same line after a TAB (`Services:\tstandby`), a
//! list or text value on the following lines, each indented by one TAB
//! (`DistributedConfig:` then `\tP4TARGET=...`).

use std::fmt;

/// A parsed form; rendering it back gives the same text for an unedited form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    items: Vec<Item>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Item {
    /// A comment or blank line, kept as written.
    Text(String),
    /// A field.
    Field(Field),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    name: String,
    /// The value on the `Name:` line, if any.
    inline: Option<String>,
    /// The TAB-indented lines below it, without the indentation.
    lines: Vec<String>,
}

/// Why an edit could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    /// `remove` names a line the field does not hold.
    #[error("`remove`: the {field} field has no line `{line}`; its lines are:\n{current}")]
    NoSuchLine {
        /// The field.
        field: String,
        /// The line asked for.
        line: String,
        /// The field's lines, one per line, indented.
        current: String,
    },
    /// `remove` names a field the form does not have.
    #[error("`remove`: the form has no {field} field; its fields are: {fields}")]
    NoSuchField {
        /// The field.
        field: String,
        /// The form's fields.
        fields: String,
    },
}

/// Collapses runs of blanks to one space, as the scenario language
/// compares form lines.
fn collapse(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The field name at the start of a line (`Name:`), if the line starts one.
fn field_start(line: &str) -> Option<(&str, &str)> {
    let first = line.chars().next()?;
    if !first.is_ascii_alphabetic() {
        return None;
    }
    let colon = line.find(':')?;
    let name = &line[..colon];
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    {
        Some((name, &line[colon + 1..]))
    } else {
        None
    }
}

impl Form {
    /// Reads a form.
    pub fn parse(text: &str) -> Form {
        let mut items: Vec<Item> = Vec::new();
        for line in text.lines() {
            if let Some((name, rest)) = field_start(line) {
                let value = rest.trim();
                items.push(Item::Field(Field {
                    name: name.to_string(),
                    inline: (!value.is_empty()).then(|| value.to_string()),
                    lines: Vec::new(),
                }));
                continue;
            }
            let continues = line.starts_with('\t') || line.starts_with(' ');
            if continues && let Some(Item::Field(f)) = items.last_mut() {
                f.lines.push(
                    line.trim_start_matches('\t')
                        .trim_start_matches(' ')
                        .trim_end()
                        .to_string(),
                );
                continue;
            }
            items.push(Item::Text(line.to_string()));
        }
        Form { items }
    }

    fn field_mut(&mut self, name: &str) -> Option<&mut Field> {
        self.items.iter_mut().find_map(|i| match i {
            Item::Field(f) if f.name == name => Some(f),
            _ => None,
        })
    }

    fn field_names(&self) -> String {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Field(f) => Some(f.name.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn add_field(&mut self, field: Field) {
        if !matches!(self.items.last(), Some(Item::Text(t)) if t.is_empty())
            && !self.items.is_empty()
        {
            self.items.push(Item::Text(String::new()));
        }
        self.items.push(Item::Field(field));
        self.items.push(Item::Text(String::new()));
    }

    /// Gives a field a value: one line stays on the field's line unless the
    /// field already holds its value on lines below (a text or list field
    /// such as `Description`); several lines make a list. An empty value
    /// empties the field. A field the form lacks is added at the end.
    pub fn set(&mut self, name: &str, value: &str) {
        let value = value.strip_suffix('\n').unwrap_or(value);
        let lines: Vec<String> = if value.is_empty() {
            Vec::new()
        } else {
            value.lines().map(str::to_string).collect()
        };
        let (inline, below) = match self.field_mut(name) {
            Some(f) => {
                let list_style = f.inline.is_none() && !f.lines.is_empty();
                if lines.len() == 1 && !list_style {
                    (Some(lines[0].clone()), Vec::new())
                } else {
                    (None, lines)
                }
            }
            None if lines.len() == 1 => (Some(lines[0].clone()), Vec::new()),
            None => (None, lines),
        };
        match self.field_mut(name) {
            Some(f) => {
                f.inline = inline;
                f.lines = below;
            }
            None => self.add_field(Field {
                name: name.to_string(),
                inline,
                lines: below,
            }),
        }
    }

    /// Adds lines at the end of a list field (added to the form when missing).
    pub fn append(&mut self, name: &str, lines: &[String]) {
        match self.field_mut(name) {
            Some(f) => {
                if let Some(v) = f.inline.take() {
                    f.lines.push(v);
                }
                f.lines.extend(lines.iter().cloned());
            }
            None => self.add_field(Field {
                name: name.to_string(),
                inline: None,
                lines: lines.to_vec(),
            }),
        }
    }

    /// Removes lines from a list field; a line matches when it is equal
    /// once runs of blanks are collapsed. Every line must be there.
    pub fn remove(&mut self, name: &str, lines: &[String]) -> Result<(), EditError> {
        let fields = self.field_names();
        let Some(f) = self.field_mut(name) else {
            return Err(EditError::NoSuchField {
                field: name.to_string(),
                fields,
            });
        };
        for wanted in lines {
            let wanted_c = collapse(wanted);
            let at = f.lines.iter().position(|l| collapse(l) == wanted_c);
            match at {
                Some(i) => {
                    f.lines.remove(i);
                }
                None if f.inline.as_deref().map(collapse) == Some(wanted_c) => f.inline = None,
                None => {
                    let current = if f.lines.is_empty() && f.inline.is_none() {
                        "    (none)".to_string()
                    } else {
                        f.inline
                            .iter()
                            .chain(f.lines.iter())
                            .map(|l| format!("    {l}"))
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    return Err(EditError::NoSuchLine {
                        field: name.to_string(),
                        line: wanted.clone(),
                        current,
                    });
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Form {
    /// The form as `p4 ... -i` reads it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for item in &self.items {
            match item {
                Item::Text(t) => writeln!(f, "{t}")?,
                Item::Field(field) => {
                    match &field.inline {
                        Some(v) => writeln!(f, "{}:\t{v}", field.name)?,
                        None => writeln!(f, "{}:", field.name)?,
                    }
                    for l in &field.lines {
                        writeln!(f, "\t{l}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SERVER: &str = "# A Perforce Server Specification.\n#\n#  ServerID:    The server identifier.\n\nServerID:\tstandby\n\nType:\tserver\n\nServices:\tstandard\n\nDescription:\n\tCreated by super.\n\nDistributedConfig:\n\tP4TARGET=old:1666\n\tdb.replication=readonly\n";

    #[test]
    fn unedited_form_renders_as_read() {
        assert_eq!(Form::parse(SERVER).to_string(), SERVER);
    }

    #[test]
    fn set_keeps_the_style_of_each_field() {
        let mut f = Form::parse(SERVER);
        f.set("Services", "standby");
        f.set("Description", "The standby.");
        f.set(
            "DistributedConfig",
            "P4TARGET=192.168.56.114:1666\nstartup.1=journalcopy -i 1\n",
        );
        f.set("Options", "nomandatory");
        f.set("ReplicatingFrom", "");
        let text = f.to_string();
        assert!(text.contains("Services:\tstandby\n"), "{text}");
        assert!(text.contains("Description:\n\tThe standby.\n"), "{text}");
        assert!(
            text.contains(
                "DistributedConfig:\n\tP4TARGET=192.168.56.114:1666\n\tstartup.1=journalcopy -i 1\n"
            ),
            "{text}"
        );
        assert!(
            text.ends_with("\nOptions:\tnomandatory\n\nReplicatingFrom:\n\n"),
            "{text}"
        );
    }

    #[test]
    fn append_and_remove_list_lines() {
        let protect = "Protections:\n\twrite user * * //...\n\tsuper user super * //...\n";
        let mut f = Form::parse(protect);
        f.append("Protections", &["super user service * //...".to_string()]);
        f.remove("Protections", &["write  user *  * //...".to_string()])
            .unwrap();
        assert_eq!(
            f.to_string(),
            "Protections:\n\tsuper user super * //...\n\tsuper user service * //...\n"
        );
        let err = f
            .remove("Protections", &["read user x * //...".to_string()])
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`remove`: the Protections field has no line `read user x * //...`; its lines are:\n    super user super * //...\n    super user service * //..."
        );
        let err = f.remove("Triggers", &["x".to_string()]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`remove`: the form has no Triggers field; its fields are: Protections"
        );
    }
}
