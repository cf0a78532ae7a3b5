//! The grammar: lists, pipelines, commands, compound commands.

use std::cell::RefCell;
use std::rc::Rc;

use super::lexer::{Op, Token, is_name, unquote_delimiter};
use super::{ParseError, Parser};
use crate::syntax::ast::*;

/// Keywords that end a compound list.
const CLOSERS: &[&str] = &["then", "else", "elif", "fi", "do", "done", "esac", "}"];

impl Parser {
    pub(crate) fn complete_command(&mut self) -> Result<Option<List>, ParseError> {
        loop {
            match self.peek_token()? {
                Token::Newline => {
                    self.next_token()?;
                }
                Token::Eof => return Ok(None),
                _ => break,
            }
        }
        let mut items = Vec::new();
        loop {
            let mut item = self.and_or()?;
            match self.peek_token()? {
                Token::Op(Op::Semi) => {
                    self.next_token()?;
                }
                Token::Op(Op::Amp) => {
                    self.next_token()?;
                    item.background = true;
                }
                _ => {
                    items.push(item);
                    break;
                }
            }
            items.push(item);
            if matches!(self.peek_token()?, Token::Newline | Token::Eof) {
                break;
            }
        }
        match self.next_token()? {
            Token::Newline | Token::Eof => Ok(Some(List(items))),
            other => Err(self.unexpected(&other, None)),
        }
    }

    /// `X unexpected` or `X unexpected (expecting "Y")`.
    fn unexpected(&self, tok: &Token, expecting: Option<&str>) -> ParseError {
        let what = tok.describe(true);
        match expecting {
            Some(e) => self.error(format!("{what} unexpected (expecting \"{e}\")")),
            None => self.error(format!("{what} unexpected")),
        }
    }

    fn skip_newlines(&mut self) -> Result<(), ParseError> {
        while *self.peek_token()? == Token::Newline {
            self.next_token()?;
        }
        Ok(())
    }

    fn at_list_end(&mut self) -> Result<bool, ParseError> {
        let tok = self.peek_token()?;
        Ok(match tok {
            Token::Eof | Token::Op(Op::RParen) | Token::Op(Op::DSemi) => true,
            t => t.keyword().is_some_and(|k| CLOSERS.contains(&k)),
        })
    }

    /// A list inside a compound command; may be empty (callers that need
    /// commands check).
    pub(crate) fn compound_list(&mut self) -> Result<List, ParseError> {
        self.skip_newlines()?;
        let mut items = Vec::new();
        loop {
            if self.at_list_end()? {
                break;
            }
            let mut item = self.and_or()?;
            match self.peek_token()? {
                Token::Op(Op::Semi) | Token::Newline => {
                    self.next_token()?;
                }
                Token::Op(Op::Amp) => {
                    self.next_token()?;
                    item.background = true;
                }
                _ => {
                    items.push(item);
                    break;
                }
            }
            items.push(item);
            self.skip_newlines()?;
        }
        Ok(List(items))
    }

    /// A list that must have commands; at the end of the text an empty
    /// one is left for the caller, whose "expecting" names what is missing.
    fn nonempty_list(&mut self) -> Result<List, ParseError> {
        let list = self.compound_list()?;
        if list.0.is_empty() {
            let tok = self.peek_token()?.clone();
            if tok != Token::Eof {
                return Err(self.unexpected(&tok, None));
            }
        }
        Ok(list)
    }

    fn expect_keyword(&mut self, kw: &str) -> Result<(), ParseError> {
        let tok = self.next_token()?;
        if tok.keyword() == Some(kw) {
            Ok(())
        } else {
            Err(self.unexpected(&tok, Some(kw)))
        }
    }

    fn and_or(&mut self) -> Result<AndOr, ParseError> {
        let first = self.pipeline()?;
        let mut rest = Vec::new();
        loop {
            let conn = match self.peek_token()? {
                Token::Op(Op::AndIf) => Connector::And,
                Token::Op(Op::OrIf) => Connector::Or,
                _ => break,
            };
            self.next_token()?;
            self.skip_newlines()?;
            rest.push((conn, self.pipeline()?));
        }
        Ok(AndOr {
            first,
            rest,
            background: false,
        })
    }

    fn pipeline(&mut self) -> Result<Pipeline, ParseError> {
        let line = self.peek_line()?;
        let mut negated = false;
        if self.peek_token()?.keyword() == Some("!") {
            self.next_token()?;
            negated = true;
        }
        let mut commands = vec![self.command()?];
        while *self.peek_token()? == Token::Op(Op::Pipe) {
            self.next_token()?;
            self.skip_newlines()?;
            commands.push(self.command()?);
        }
        Ok(Pipeline {
            negated,
            commands,
            line,
        })
    }

    fn command(&mut self) -> Result<Command, ParseError> {
        let tok = self.peek_token()?.clone();
        let compound = match tok.keyword() {
            Some("if") => Some(self.if_command()?),
            Some("while") => Some(self.while_command(false)?),
            Some("until") => Some(self.while_command(true)?),
            Some("for") => Some(self.for_command()?),
            Some("case") => Some(self.case_command()?),
            Some("{") => {
                self.next_token()?;
                let list = self.nonempty_list()?;
                self.expect_keyword("}")?;
                Some(Compound::Brace(list))
            }
            Some(_) => return Err(self.unexpected(&tok, None)),
            None if tok == Token::Op(Op::LParen) => {
                self.next_token()?;
                let list = self.nonempty_list()?;
                let close = self.next_token()?;
                if close != Token::Op(Op::RParen) {
                    return Err(self.unexpected(&close, Some(")")));
                }
                Some(Compound::Subshell(list))
            }
            None => None,
        };
        match compound {
            Some(c) => {
                let mut redirects = Vec::new();
                while self.at_redirect()? {
                    redirects.push(self.redirect()?);
                }
                Ok(Command::Compound(Box::new(c), redirects))
            }
            None => self.simple_command(),
        }
    }

    fn at_redirect(&mut self) -> Result<bool, ParseError> {
        Ok(match self.peek_token()? {
            Token::IoNumber(_) => true,
            Token::Op(op) => op.is_redirect(),
            _ => false,
        })
    }

    fn simple_command(&mut self) -> Result<Command, ParseError> {
        let line = self.peek_line()?;
        let mut cmd = SimpleCommand {
            line,
            ..SimpleCommand::default()
        };
        loop {
            if self.at_redirect()? {
                cmd.redirects.push(self.redirect()?);
                continue;
            }
            let Token::Word(..) = self.peek_token()? else {
                break;
            };
            let Token::Word(word, _) = self.next_token()? else {
                break;
            };
            if cmd.words.is_empty()
                && let Some(a) = as_assignment(&word)
            {
                cmd.assignments.push(a);
                continue;
            }
            cmd.words.push(word);
            if cmd.words.len() == 1
                && cmd.assignments.is_empty()
                && cmd.redirects.is_empty()
                && *self.peek_token()? == Token::Op(Op::LParen)
            {
                return self.function_def(cmd.words.remove(0));
            }
        }
        if cmd.words.is_empty() && cmd.assignments.is_empty() && cmd.redirects.is_empty() {
            let tok = self.peek_token()?.clone();
            return Err(self.unexpected(&tok, None));
        }
        Ok(Command::Simple(cmd))
    }

    fn function_def(&mut self, name: Word) -> Result<Command, ParseError> {
        self.next_token()?; // (
        let close = self.next_token()?;
        if close != Token::Op(Op::RParen) {
            return Err(self.unexpected(&close, Some(")")));
        }
        let Some(name) = name.as_literal().filter(|n| is_name(n)).map(str::to_string) else {
            return Err(self.error("Bad function name"));
        };
        self.skip_newlines()?;
        let body = self.command()?;
        Ok(Command::FunctionDef(FunctionDef {
            name,
            body: Rc::new(body),
        }))
    }

    fn redirect(&mut self) -> Result<Redirect, ParseError> {
        let mut fd = None;
        let mut tok = self.next_token()?;
        if let Token::IoNumber(n) = tok {
            fd = Some(n);
            tok = self.next_token()?;
        }
        let Token::Op(op) = tok else {
            return Err(self.unexpected(&tok, None));
        };
        let target = self.next_token()?;
        let Token::Word(word, raw) = target else {
            return Err(self.unexpected(&target, None));
        };
        let op = match op {
            Op::Less => RedirOp::In,
            Op::Great => RedirOp::Out,
            Op::DGreat => RedirOp::Append,
            Op::Clobber => RedirOp::Clobber,
            Op::LessGreat => RedirOp::InOut,
            Op::LessAnd => RedirOp::DupIn,
            Op::GreatAnd => RedirOp::DupOut,
            Op::DLess | Op::DLessDash => {
                let (delimiter, quoted) = unquote_delimiter(&raw);
                let doc = Rc::new(HereDoc {
                    delimiter,
                    strip_tabs: op == Op::DLessDash,
                    quoted,
                    body: RefCell::new(Word::default()),
                });
                self.push_heredoc(doc.clone());
                return Ok(Redirect {
                    fd,
                    op: RedirOp::HereDoc,
                    target: RedirTarget::HereDoc(doc),
                });
            }
            _ => return Err(self.unexpected(&Token::Op(op), None)),
        };
        Ok(Redirect {
            fd,
            op,
            target: RedirTarget::Word(word),
        })
    }

    fn if_command(&mut self) -> Result<Compound, ParseError> {
        self.next_token()?;
        let mut branches = Vec::new();
        let cond = self.nonempty_list()?;
        self.expect_keyword("then")?;
        let body = self.nonempty_list()?;
        branches.push((cond, body));
        let mut otherwise = None;
        loop {
            match self.peek_token()?.keyword() {
                Some("elif") => {
                    self.next_token()?;
                    let cond = self.nonempty_list()?;
                    self.expect_keyword("then")?;
                    let body = self.nonempty_list()?;
                    branches.push((cond, body));
                }
                Some("else") => {
                    self.next_token()?;
                    otherwise = Some(self.nonempty_list()?);
                    break;
                }
                _ => break,
            }
        }
        self.expect_keyword("fi")?;
        Ok(Compound::If {
            branches,
            otherwise,
        })
    }

    fn while_command(&mut self, until: bool) -> Result<Compound, ParseError> {
        self.next_token()?;
        let cond = self.nonempty_list()?;
        self.expect_keyword("do")?;
        let body = self.nonempty_list()?;
        self.expect_keyword("done")?;
        Ok(Compound::While { until, cond, body })
    }

    fn for_command(&mut self) -> Result<Compound, ParseError> {
        self.next_token()?;
        let tok = self.next_token()?;
        let var = match &tok {
            Token::Word(w, _) => w.as_literal().filter(|n| is_name(n)).map(str::to_string),
            _ => None,
        };
        let Some(var) = var else {
            return Err(self.error("Bad for loop variable"));
        };
        self.skip_newlines()?;
        let mut words = None;
        if self.peek_token()?.keyword() == Some("in") {
            self.next_token()?;
            let mut list = Vec::new();
            loop {
                match self.next_token()? {
                    Token::Word(w, _) => list.push(w),
                    Token::Op(Op::Semi) | Token::Newline => break,
                    other => return Err(self.unexpected(&other, None)),
                }
            }
            words = Some(list);
        } else if *self.peek_token()? == Token::Op(Op::Semi) {
            self.next_token()?;
        }
        self.skip_newlines()?;
        self.expect_keyword("do")?;
        let body = self.nonempty_list()?;
        self.expect_keyword("done")?;
        Ok(Compound::For { var, words, body })
    }

    fn case_command(&mut self) -> Result<Compound, ParseError> {
        self.next_token()?;
        let tok = self.next_token()?;
        let Token::Word(word, _) = tok else {
            return Err(self.unexpected(&tok, None));
        };
        self.skip_newlines()?;
        self.expect_keyword("in")?;
        self.skip_newlines()?;
        let mut arms = Vec::new();
        loop {
            if self.peek_token()?.keyword() == Some("esac") {
                self.next_token()?;
                break;
            }
            if *self.peek_token()? == Token::Op(Op::LParen) {
                self.next_token()?;
            }
            let mut patterns = Vec::new();
            loop {
                match self.next_token()? {
                    Token::Word(w, _) => patterns.push(w),
                    other => return Err(self.unexpected(&other, None)),
                }
                match self.next_token()? {
                    Token::Op(Op::Pipe) => continue,
                    Token::Op(Op::RParen) => break,
                    other => return Err(self.unexpected(&other, Some(")"))),
                }
            }
            let body = self.compound_list()?;
            arms.push(CaseArm { patterns, body });
            match self.peek_token()? {
                Token::Op(Op::DSemi) => {
                    self.next_token()?;
                    self.skip_newlines()?;
                }
                t if t.keyword() == Some("esac") => {
                    self.next_token()?;
                    break;
                }
                _ => {
                    let tok = self.next_token()?;
                    return Err(self.unexpected(&tok, Some(";;")));
                }
            }
        }
        Ok(Compound::Case { word, arms })
    }
}

/// `NAME=value` as an assignment, when the word has that shape.
fn as_assignment(word: &Word) -> Option<Assignment> {
    let WordPart::Literal(first) = word.0.first()? else {
        return None;
    };
    let eq = first.find('=')?;
    let name = &first[..eq];
    if !is_name(name) {
        return None;
    }
    let rest = &first[eq + 1..];
    let mut parts = Vec::new();
    // A tilde right after `=` expands, as in an assignment.
    if let Some(after) = rest.strip_prefix('~') {
        let end = after.find(['/', ':']).unwrap_or(after.len());
        if end == after.len() && word.0.len() > 1 {
            parts.push(WordPart::Literal(rest.to_string()));
        } else {
            parts.push(WordPart::Tilde(after[..end].to_string()));
            if end < after.len() {
                parts.push(WordPart::Literal(after[end..].to_string()));
            }
        }
    } else if !rest.is_empty() {
        parts.push(WordPart::Literal(rest.to_string()));
    }
    parts.extend(word.0[1..].iter().cloned());
    Some(Assignment {
        name: name.to_string(),
        value: Word(parts),
    })
}
