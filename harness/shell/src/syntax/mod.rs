//! Parsing shell text into a syntax tree, in dash's grammar and with its
//! error messages.
//!
//! Like dash, the parser hands out one complete command (a line's worth)
//! at a time, so a script runs up to the line that does not parse.

mod ast;
mod grammar;
mod lexer;

pub use ast::*;
pub(crate) use lexer::{KEYWORDS, is_name};

/// A syntax error, worded as dash words it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Syntax error: {message}")]
pub struct ParseError {
    /// Line (1-based) the parser had reached.
    pub line: usize,
    /// What is wrong, e.g. `Unterminated quoted string` or
    /// `"fi" unexpected (expecting "then")`.
    pub message: String,
}

/// Reads complete commands from shell text one at a time.
pub struct Parser {
    src: Vec<char>,
    pos: usize,
    line: usize,
    peeked: Option<(lexer::Token, usize)>,
    pending_heredocs: Vec<std::rc::Rc<HereDoc>>,
}

impl Parser {
    /// A parser over `src`, counting lines from 1.
    pub fn new(src: &str) -> Parser {
        Parser::with_line(src, 1)
    }

    /// A parser whose first line is numbered `line`.
    pub fn with_line(src: &str, line: usize) -> Parser {
        Parser {
            src: src.chars().collect(),
            pos: 0,
            line,
            peeked: None,
            pending_heredocs: Vec::new(),
        }
    }

    /// The next complete command (everything up to an unescaped newline),
    /// or `None` at the end of the text.
    pub fn next_command(&mut self) -> Result<Option<List>, ParseError> {
        self.complete_command()
    }

    /// The line the parser has reached.
    pub fn line(&self) -> usize {
        self.line
    }
}

/// Parses a whole script into one list.
pub fn parse(src: &str) -> Result<List, ParseError> {
    let mut parser = Parser::new(src);
    let mut all = Vec::new();
    while let Some(list) = parser.next_command()? {
        all.extend(list.0);
    }
    Ok(List(all))
}
