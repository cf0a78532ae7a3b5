//! YAML syntax errors, explained for someone who does not write YAML daily.

use serde_saphyr::granit_parser::{ErrorKind, ScanError};

use super::node::{Mark, YamlError};

/// A `[` or `{` not yet closed when the error happened.
#[derive(Debug, Clone, Copy)]
pub(crate) struct OpenFlow {
    pub(crate) open: char,
    pub(crate) mark: Mark,
}

/// The error's position and a message that says how to fix it.
///
/// `flows` are the flow collections still open, `last_end` the byte offset
/// where the last complete piece of YAML ended.
pub(crate) fn explain(
    source: &str,
    error: &ScanError,
    flows: &[OpenFlow],
    last_end: usize,
) -> YamlError {
    let at = Mark {
        line: u32::try_from(error.marker().line()).unwrap_or(u32::MAX),
        col: u32::try_from(error.marker().col() + 1).unwrap_or(u32::MAX),
    };
    // A tab in the indentation shows up as many different errors; name the tab.
    if let Some(tab) = indenting_tab(source, at.line.saturating_add(1)) {
        return YamlError {
            mark: tab,
            message: "a tab character indents this line; YAML indents with spaces only: replace \
                      the tab with spaces"
                .to_owned(),
        };
    }
    let kind = error.kind();
    let unclosed_flow = flows.last().copied();
    match kind {
        ErrorKind::UnclosedQuotedScalar
        | ErrorKind::InvalidQuotedScalarIndent
        | ErrorKind::DocumentIndicatorInQuotedScalar => {
            if let Some((quote, mark)) = opening_quote(source, last_end) {
                return YamlError {
                    mark,
                    message: format!(
                        "the quoted value starting here is not closed: add the closing {quote} at \
                         the end of the value"
                    ),
                };
            }
            plain(
                at,
                "a quoted value is not closed: check the quotes on the lines above",
            )
        }
        ErrorKind::UnclosedFlowCollection { .. }
        | ErrorKind::UnexpectedEofFlowSequence
        | ErrorKind::UnexpectedEofFlowMapping
        | ErrorKind::UnexpectedEofImplicitFlowMapping
        | ErrorKind::InvalidColonPlacement
        | ErrorKind::ExpectedFlowSequenceSeparator
        | ErrorKind::ExpectedFlowMappingSeparator
            if unclosed_flow.is_some() =>
        {
            let open = unclosed_flow.map_or('[', |f| f.open);
            let (close, example) = if open == '[' {
                (']', "[a, b]")
            } else {
                ('}', "{key: value, other: value}")
            };
            YamlError {
                mark: unclosed_flow.map_or(at, |f| f.mark),
                message: format!(
                    "the `{open}` here is not closed where expected: add `{close}` at the end of \
                     the value, written on one line like {example} (put text containing `,` `:` \
                     `[` `]` `{{` `}}` in quotes)"
                ),
            }
        }
        ErrorKind::MismatchedFlowCollectionEnd { open, close } => plain(
            at,
            &format!(
                "`{close}` closes a `{open}`: use `{}` here",
                if *open == '[' { ']' } else { '}' }
            ),
        ),
        ErrorKind::MisplacedFlowCollectionEnd => plain(
            at,
            "this closing bracket has no opening one: remove it or put the value in quotes",
        ),
        ErrorKind::MappingValueNotAllowed | ErrorKind::InvalidMappingValueWhitespace => plain(
            at,
            "unexpected `:` in a value: put the value in quotes if it contains `: `, or write a \
             nested key on its own line, indented under its parent",
        ),
        ErrorKind::ExpectedBlockMappingKey
        | ErrorKind::InvalidIndentation
        | ErrorKind::ExpectedBlockSequenceEntry
        | ErrorKind::BlockSequenceEntryNotAllowed
        | ErrorKind::InvalidBlockScalarIndent => plain(
            at,
            "the indentation of this line does not fit the lines above: keys of one mapping, and \
             the `-` items of one list, start in the same column",
        ),
        ErrorKind::UnknownAnchor => plain(
            at,
            "unknown alias: an alias `*name` repeats a value marked `&name` earlier in the file",
        ),
        ErrorKind::UnexpectedCharacter { character } if character.is_control() => plain(
            at,
            &format!(
                "the control character U+{:04X} cannot appear here: remove it (or write it as an \
                 escape inside double quotes)",
                u32::from(*character)
            ),
        ),
        ErrorKind::UnexpectedCharacter { character } => plain(
            at,
            &format!("a value cannot start with `{character}`: put the value in quotes"),
        ),
        ErrorKind::RecursionLimitExceeded => plain(
            at,
            "values are nested too deeply (more than 255 levels): check the brackets and the \
             indentation",
        ),
        ErrorKind::CommentNotSeparated => plain(at, "put a space before `#` that starts a comment"),
        ErrorKind::InvalidBlockScalarHeader => plain(
            at,
            "after `|` or `>` the value starts on the next line: move the text to its own \
             indented lines",
        ),
        _ => plain(at, &format!("YAML syntax error: {}", error.info())),
    }
}

fn plain(mark: Mark, message: &str) -> YamlError {
    YamlError {
        mark,
        message: message.to_owned(),
    }
}

/// The first line up to `last_line` whose indentation holds a tab.
fn indenting_tab(source: &str, last_line: u32) -> Option<Mark> {
    for (index, line) in source.lines().enumerate() {
        let number = u32::try_from(index + 1).ok()?;
        if number > last_line {
            return None;
        }
        let blanks: Vec<char> = line
            .chars()
            .take_while(|c| *c == ' ' || *c == '\t')
            .collect();
        if let Some(col) = blanks.iter().position(|c| *c == '\t')
            && blanks.len() < line.chars().count()
        {
            return Some(Mark {
                line: number,
                col: u32::try_from(col + 1).ok()?,
            });
        }
    }
    None
}

/// The first quote after `from` (a byte offset), and its position.
fn opening_quote(source: &str, from: usize) -> Option<(char, Mark)> {
    let tail = source.get(from..)?;
    let (offset, quote) = tail.char_indices().find(|(_, c)| *c == '"' || *c == '\'')?;
    Some((quote, mark_at(source, from + offset)))
}

/// Line and character column of a byte offset.
pub(crate) fn mark_at(source: &str, byte: usize) -> Mark {
    let before = source.get(..byte).unwrap_or(source);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    Mark {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        col: u32::try_from(col).unwrap_or(u32::MAX),
    }
}
