//! The syntax tree of a shell script.

use std::cell::RefCell;
use std::rc::Rc;

/// Commands separated by `;`, `&` or newlines.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct List(pub Vec<AndOr>);

/// Pipelines joined by `&&` and `||`.
#[derive(Debug, Clone, PartialEq)]
pub struct AndOr {
    /// The first pipeline.
    pub first: Pipeline,
    /// The pipelines that follow, each with the operator before it.
    pub rest: Vec<(Connector, Pipeline)>,
    /// True when the list item ended with `&`.
    pub background: bool,
}

/// `&&` or `||`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connector {
    /// `&&`: run the next pipeline when this one succeeded.
    And,
    /// `||`: run the next pipeline when this one failed.
    Or,
}

/// Commands joined by `|`, optionally negated with `!`.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// True for `! pipeline`.
    pub negated: bool,
    /// The stages, at least one.
    pub commands: Vec<Command>,
    /// Line of the pipeline's first token.
    pub line: usize,
}

/// One command of a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Assignments, words and redirections.
    Simple(SimpleCommand),
    /// A compound command with the redirections that follow it.
    Compound(Box<Compound>, Vec<Redirect>),
    /// `name() body`.
    FunctionDef(FunctionDef),
}

/// A function definition.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionDef {
    /// The function's name.
    pub name: String,
    /// Its body.
    pub body: Rc<Command>,
}

/// A simple command: `VAR=value cmd args > file`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimpleCommand {
    /// Leading `NAME=value` words.
    pub assignments: Vec<Assignment>,
    /// The command name and its arguments.
    pub words: Vec<Word>,
    /// Redirections, in source order.
    pub redirects: Vec<Redirect>,
    /// Line of the command's first token.
    pub line: usize,
}

/// `NAME=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// The variable name.
    pub name: String,
    /// The value, expanded without field splitting or globbing.
    pub value: Word,
}

/// Compound commands.
#[derive(Debug, Clone, PartialEq)]
pub enum Compound {
    /// `{ list; }`
    Brace(List),
    /// `( list )`
    Subshell(List),
    /// `if c; then b; elif c; then b; else b; fi`
    If {
        /// Each condition with its body.
        branches: Vec<(List, List)>,
        /// The `else` body.
        otherwise: Option<List>,
    },
    /// `for var in words; do body; done` (no `in`: the positional parameters).
    For {
        /// Loop variable.
        var: String,
        /// The words after `in`, if any.
        words: Option<Vec<Word>>,
        /// Loop body.
        body: List,
    },
    /// `while cond; do body; done` or `until`.
    While {
        /// True for `until`.
        until: bool,
        /// The condition list.
        cond: List,
        /// Loop body.
        body: List,
    },
    /// `case word in pattern) list;; esac`
    Case {
        /// The word matched.
        word: Word,
        /// The arms, in order.
        arms: Vec<CaseArm>,
    },
}

/// One arm of a `case`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseArm {
    /// Alternative patterns.
    pub patterns: Vec<Word>,
    /// Commands run when a pattern matches (may be empty).
    pub body: List,
}

/// A redirection such as `2>&1` or `<<EOF`.
#[derive(Debug, Clone, PartialEq)]
pub struct Redirect {
    /// The explicit file descriptor, if written (`2>`).
    pub fd: Option<u32>,
    /// The operator.
    pub op: RedirOp,
    /// The file, descriptor or here-document.
    pub target: RedirTarget,
}

impl Redirect {
    /// The descriptor the redirection applies to.
    pub fn target_fd(&self) -> u32 {
        self.fd.unwrap_or(match self.op {
            RedirOp::In | RedirOp::InOut | RedirOp::DupIn | RedirOp::HereDoc => 0,
            RedirOp::Out | RedirOp::Append | RedirOp::Clobber | RedirOp::DupOut => 1,
        })
    }
}

/// Redirection operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirOp {
    /// `<`
    In,
    /// `>`
    Out,
    /// `>>`
    Append,
    /// `>|`
    Clobber,
    /// `<>`
    InOut,
    /// `<&`
    DupIn,
    /// `>&`
    DupOut,
    /// `<<` or `<<-`
    HereDoc,
}

/// What a redirection refers to.
#[derive(Debug, Clone, PartialEq)]
pub enum RedirTarget {
    /// A file name or descriptor number.
    Word(Word),
    /// A here-document.
    HereDoc(Rc<HereDoc>),
}

/// A here-document. Its body is read after the line that names it, so it
/// is filled in once the parser reaches that line's end.
#[derive(Debug, Clone, PartialEq)]
pub struct HereDoc {
    /// The delimiter, quotes removed.
    pub delimiter: String,
    /// `<<-`: leading tabs are removed from every line.
    pub strip_tabs: bool,
    /// True when the delimiter was quoted: the body is taken literally.
    pub quoted: bool,
    /// The body.
    pub body: RefCell<Word>,
}

/// A word: parts concatenated before field splitting.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Word(pub Vec<WordPart>);

impl Word {
    /// A word that is one unquoted literal.
    pub fn literal(s: &str) -> Word {
        Word(vec![WordPart::Literal(s.to_string())])
    }

    /// The text, when the word is a single unquoted literal (keywords,
    /// names).
    pub fn as_literal(&self) -> Option<&str> {
        match self.0.as_slice() {
            [WordPart::Literal(s)] => Some(s),
            _ => None,
        }
    }
}

/// Parts of a word.
#[derive(Debug, Clone, PartialEq)]
pub enum WordPart {
    /// Unquoted text (subject to globbing).
    Literal(String),
    /// Quoted text (single quotes or a backslash escape): taken literally.
    Quoted(String),
    /// `"..."`: expansions inside are not split or globbed.
    DoubleQuoted(Vec<WordPart>),
    /// `~` or `~user` at the start of a word.
    Tilde(String),
    /// `$name`, `${name...}`.
    Param(Box<ParamExp>),
    /// `$(list)` or `` `list` ``.
    CommandSubst(Rc<List>),
    /// `$((expression))`: the expression text, expanded before evaluation.
    Arith(Word),
}

/// A parameter expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamExp {
    /// Which parameter.
    pub param: Param,
    /// What to do with it.
    pub op: ParamOp,
}

/// A parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Param {
    /// A variable.
    Name(String),
    /// `$1`, `${10}`.
    Positional(usize),
    /// `$?`, `$#`, `$@`, `$*`, `$$`, `$!`, `$-`, `$0`.
    Special(char),
}

/// Parameter expansion operators.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamOp {
    /// `$x`, `${x}`
    Get,
    /// `${#x}`
    Length,
    /// `${x-w}`, `${x:-w}` and friends.
    Test {
        /// Which test.
        kind: TestKind,
        /// True with `:` (an empty value counts as unset).
        colon: bool,
        /// The word.
        word: Word,
    },
    /// `${x%p}`, `${x%%p}`, `${x#p}`, `${x##p}`
    Trim {
        /// True for `%`/`%%`.
        suffix: bool,
        /// True for `%%`/`##`.
        longest: bool,
        /// The pattern.
        pattern: Word,
    },
    /// A malformed expansion such as `${a b}`: like dash, the error
    /// ("Bad substitution") is reported when it is expanded.
    Bad,
}

/// The tests of `${x-w}` (default), `${x=w}` (assign), `${x?w}` (error),
/// `${x+w}` (alternate).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestKind {
    /// `-`
    Default,
    /// `=`
    Assign,
    /// `?`
    Error,
    /// `+`
    Alternate,
}
