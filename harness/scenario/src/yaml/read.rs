//! Reading typed values out of the YAML tree, reporting every problem with
//! its position and a way to fix it.

use std::cell::RefCell;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use regex::Regex;

use super::node::{Key, Kind, Mark, Node, clip};
use super::syntax::mark_at;
use super::template::Scope;
use crate::diagnostic::Diagnostic;
use crate::model::{Location, parse_duration};
use crate::suggest;

/// Collects the problems of one scenario.
#[derive(Debug, Default)]
pub(crate) struct Sink(RefCell<Vec<Diagnostic>>);

impl Sink {
    pub(crate) fn push(&self, diagnostic: Diagnostic) {
        self.0.borrow_mut().push(diagnostic);
    }

    pub(crate) fn count(&self) -> usize {
        self.0.borrow().len()
    }

    pub(crate) fn take(&self) -> Vec<Diagnostic> {
        std::mem::take(&mut *self.0.borrow_mut())
    }
}

/// A file being read: its name as shown, its text, and the includes that led
/// to it.
#[derive(Debug, Clone)]
pub(crate) struct FileCx {
    pub(crate) path: Arc<Path>,
    pub(crate) source: std::rc::Rc<str>,
    pub(crate) included_from: Vec<Location>,
}

impl FileCx {
    pub(crate) fn location(&self, mark: Mark) -> Location {
        Location::new(self.path.clone(), mark.line, mark.col)
    }
}

/// Everything a reading function needs: the file, the variables in scope and
/// where problems go.
#[derive(Clone, Copy)]
pub(crate) struct Cx<'a> {
    pub(crate) file: &'a FileCx,
    pub(crate) scope: &'a Scope,
    pub(crate) sink: &'a Sink,
}

/// The entries of a mapping whose keys have been checked.
#[derive(Clone)]
pub(crate) struct Fields<'n> {
    pub(crate) mark: Mark,
    pub(crate) entries: &'n [(Key, Node)],
    /// Allowed keys that an unknown key was probably meant to be; a missing
    /// one of these is not reported again.
    misspelt: Vec<String>,
}

/// Keys written for one another often enough that an error about one
/// covers the other.
const STAND_INS: &[(&str, &str)] = &[("server", "on"), ("on", "server"), ("on", "between")];

impl<'n> Fields<'n> {
    pub(crate) fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.text == key)
            .map(|(_, v)| v)
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Whether an unknown key, already reported, stands for `key`.
    pub(crate) fn misspelt(&self, key: &str) -> bool {
        self.misspelt.iter().any(|k| k == key)
    }
}

/// `a`, `b`, `c` for messages.
pub(crate) fn list_keys(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl<'a> Cx<'a> {
    pub(crate) fn loc(&self, mark: Mark) -> Location {
        self.file.location(mark)
    }

    /// Records a problem at `mark` of the current file.
    pub(crate) fn error(&self, mark: Mark, message: impl Into<String>) {
        self.sink.push(Diagnostic {
            location: self.loc(mark),
            message: message.into(),
            included_from: self.file.included_from.clone(),
        });
    }

    /// The entries of a mapping, reporting keys not in `allowed`.
    ///
    /// `context` names the mapping in messages ("step", "server `master`").
    /// `elsewhere` may explain a key that belongs to another place.
    pub(crate) fn fields<'n>(
        &self,
        node: &'n Node,
        context: &str,
        allowed: &[&str],
        elsewhere: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Fields<'n>> {
        let entries = self.mapping(node, context)?;
        let mut misspelt = Vec::new();
        for (key, _) in entries {
            if allowed.contains(&key.text.as_str()) {
                continue;
            }
            if let Some(meant) = suggest::did_you_mean(&key.text, allowed.iter().copied()) {
                misspelt.push(meant.to_owned());
            }
            for (written, meant) in STAND_INS {
                if key.text == *written && allowed.contains(meant) {
                    misspelt.push((*meant).to_owned());
                }
            }
            let message = match elsewhere(&key.text) {
                Some(explained) => explained,
                None => format!(
                    "unknown key `{}` in {context}{}",
                    clip(&key.text),
                    suggest::hint(
                        &key.text,
                        allowed.iter().copied(),
                        &format!("allowed keys: {}", list_keys(allowed))
                    ),
                ),
            };
            self.error(key.mark, message);
        }
        Some(Fields {
            mark: node.mark,
            entries,
            misspelt,
        })
    }

    /// The entries of a mapping, any keys.
    pub(crate) fn mapping<'n>(&self, node: &'n Node, context: &str) -> Option<&'n [(Key, Node)]> {
        match &node.kind {
            Kind::Map(entries) => Some(entries),
            Kind::Null => Some(&[]),
            _ => {
                self.error(
                    node.mark,
                    format!(
                        "{context} must be a mapping of `key: value` lines, not {}",
                        node.describe()
                    ),
                );
                None
            }
        }
    }

    /// A scalar's text with variables expanded.
    pub(crate) fn expanded(&self, node: &Node) -> Option<String> {
        let Kind::Scalar(scalar) = &node.kind else {
            return None;
        };
        if !Scope::needs_expansion(&scalar.text) {
            return Some(scalar.text.clone());
        }
        match self.scope.expand(&scalar.text) {
            Ok(text) => Some(text),
            Err(error) => {
                let mark = self.reference_mark(node, error.offset).unwrap_or(node.mark);
                self.error(mark, error.message);
                None
            }
        }
    }

    /// Where, in the source, the `{{` at byte `offset` of a scalar's text is.
    fn reference_mark(&self, node: &Node, offset: usize) -> Option<Mark> {
        let Kind::Scalar(scalar) = &node.kind else {
            return None;
        };
        let nth = scalar.text.get(..offset)?.matches("{{").count();
        let raw = scalar.raw.clone()?;
        let source = self.file.source.get(raw.clone())?;
        let (at, _) = source.match_indices("{{").nth(nth)?;
        Some(mark_at(&self.file.source, raw.start + at))
    }

    /// Text, as the value of `what`; a wrong kind is reported.
    pub(crate) fn text(&self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            Kind::Scalar(_) => self.expanded(node),
            Kind::Null => {
                self.error(node.mark, format!("{what} needs a value"));
                None
            }
            _ => {
                self.error(
                    node.mark,
                    format!("{what} must be text, not {}", node.describe()),
                );
                None
            }
        }
    }

    /// Text, or `None` without complaint when the value is empty.
    pub(crate) fn opt_text(&self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            Kind::Null => None,
            _ => self.text(node, what),
        }
    }

    /// Non-empty text.
    pub(crate) fn nonempty_text(&self, node: &Node, what: &str) -> Option<String> {
        let text = self.text(node, what)?;
        if text.trim().is_empty() {
            self.error(node.mark, format!("{what} is empty"));
            return None;
        }
        Some(text)
    }

    /// A list of texts; a single text counts as a list of one.
    pub(crate) fn text_list(&self, node: &Node, what: &str) -> Option<Vec<(String, Mark)>> {
        match &node.kind {
            Kind::Null => Some(Vec::new()),
            Kind::Scalar(_) => Some(vec![(self.expanded(node)?, node.mark)]),
            Kind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut ok = true;
                for item in items {
                    match &item.kind {
                        Kind::Scalar(_) => match self.expanded(item) {
                            Some(text) => out.push((text, item.mark)),
                            None => ok = false,
                        },
                        _ => {
                            self.error(
                                item.mark,
                                format!(
                                    "{what} must be a list of texts; this item is {}",
                                    item.describe()
                                ),
                            );
                            ok = false;
                        }
                    }
                }
                ok.then_some(out)
            }
            Kind::Map(_) => {
                self.error(
                    node.mark,
                    format!(
                        "{what} must be a list, like [a, b] or `- a` lines, not {}",
                        node.describe()
                    ),
                );
                None
            }
        }
    }

    /// `true` or `false`.
    pub(crate) fn boolean(&self, node: &Node, what: &str) -> Option<bool> {
        let text = self.text(node, what)?;
        match text.as_str() {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            other => {
                self.error(
                    node.mark,
                    format!("{what} is true or false, not `{}`", clip(other)),
                );
                None
            }
        }
    }

    /// A whole number in `range`, described as `kind` in messages.
    pub(crate) fn integer(
        &self,
        node: &Node,
        what: &str,
        kind: &str,
        range: std::ops::RangeInclusive<i128>,
    ) -> Option<i128> {
        let text = self.text(node, what)?;
        let trimmed = text.trim().replace('_', "");
        match trimmed.parse::<i128>() {
            Ok(n) if range.contains(&n) => Some(n),
            _ => {
                self.error(
                    node.mark,
                    format!("{what} must be {kind}, not `{}`", clip(&text)),
                );
                None
            }
        }
    }

    /// A TCP port.
    pub(crate) fn port(&self, node: &Node, what: &str) -> Option<u16> {
        self.integer(node, what, "a port number from 1 to 65535", 1..=65535)
            .and_then(|n| u16::try_from(n).ok())
    }

    /// A duration such as `30s`.
    pub(crate) fn duration(&self, node: &Node, what: &str) -> Option<Duration> {
        let text = self.text(node, what)?;
        match parse_duration(&text) {
            Ok(d) => Some(d),
            Err(error) => {
                self.error(node.mark, format!("{what}: {error}"));
                None
            }
        }
    }

    /// One of `choices`, by name.
    pub(crate) fn choice<T: Copy>(
        &self,
        node: &Node,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<T> {
        let names: Vec<&str> = choices.iter().map(|(name, _)| *name).collect();
        if matches!(node.kind, Kind::Seq(_) | Kind::Map(_)) {
            self.error(
                node.mark,
                format!(
                    "{what} is one word, one of: {}; not {}",
                    names.join(", "),
                    node.describe()
                ),
            );
            return None;
        }
        let text = self.text(node, what)?;
        if let Some((_, value)) = choices.iter().find(|(name, _)| *name == text) {
            return Some(*value);
        }
        self.error(
            node.mark,
            format!(
                "{what} cannot be `{}`{}",
                clip(&text),
                suggest::hint(
                    &text,
                    names.iter().copied(),
                    &format!("write one of: {}", names.join(", "))
                ),
            ),
        );
        None
    }

    /// A regex; `^` and `$` match at line boundaries.
    pub(crate) fn regex(&self, node: &Node, text: &str, what: &str) -> Option<Regex> {
        compile_regex(text)
            .map_err(|why| self.error(node.mark, format!("{what}: {why}")))
            .ok()
    }
}

/// Compiles a scenario regex, explaining a failure on one line.
pub(crate) fn compile_regex(text: &str) -> Result<Regex, String> {
    regex::RegexBuilder::new(text)
        .multi_line(true)
        .size_limit(1 << 20)
        .build()
        .map_err(|error| {
            let detail = match &error {
                regex::Error::Syntax(detail) => detail
                    .lines()
                    .rev()
                    .find(|line| line.starts_with("error:"))
                    .map_or_else(
                        || detail.clone(),
                        |line| line.trim_start_matches("error: ").to_owned(),
                    ),
                other => other.to_string(),
            };
            format!(
                "`{}` is not a valid regex: {detail} (regexes use Rust regex syntax; escape \
                 special characters such as `(` `[` `.` with a backslash)",
                clip(text)
            )
        })
}
