//! Tokens and words: quoting, expansions, here-document bodies.

use std::rc::Rc;

use super::{ParseError, Parser};
use crate::syntax::ast::*;

/// Operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Semi,
    DSemi,
    Amp,
    AndIf,
    Pipe,
    OrIf,
    LParen,
    RParen,
    Less,
    Great,
    DGreat,
    DLess,
    DLessDash,
    LessAnd,
    GreatAnd,
    LessGreat,
    Clobber,
}

impl Op {
    pub(crate) fn is_redirect(self) -> bool {
        matches!(
            self,
            Op::Less
                | Op::Great
                | Op::DGreat
                | Op::DLess
                | Op::DLessDash
                | Op::LessAnd
                | Op::GreatAnd
                | Op::LessGreat
                | Op::Clobber
        )
    }

    fn text(self) -> &'static str {
        match self {
            Op::Semi => ";",
            Op::DSemi => ";;",
            Op::Amp => "&",
            Op::AndIf => "&&",
            Op::Pipe => "|",
            Op::OrIf => "||",
            Op::LParen => "(",
            Op::RParen => ")",
            _ => "",
        }
    }
}

/// A token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Token {
    Word(Word, String),
    IoNumber(u32),
    Op(Op),
    Newline,
    Eof,
}

/// Reserved words (recognised only where a command starts).
pub(crate) const KEYWORDS: &[&str] = &[
    "if", "then", "else", "elif", "fi", "do", "done", "case", "esac", "while", "until", "for", "{",
    "}", "!", "in",
];

impl Token {
    /// How dash names the token in "X unexpected".
    pub(crate) fn describe(&self, keyword_position: bool) -> String {
        match self {
            Token::Eof => "end of file".into(),
            Token::Newline => "newline".into(),
            Token::IoNumber(_) => "redirection".into(),
            Token::Op(op) if op.is_redirect() => "redirection".into(),
            Token::Op(op) => format!("\"{}\"", op.text()),
            Token::Word(w, _) => match w.as_literal() {
                Some(k) if keyword_position && KEYWORDS.contains(&k) => format!("\"{k}\""),
                _ => "word".into(),
            },
        }
    }

    pub(crate) fn keyword(&self) -> Option<&str> {
        match self {
            Token::Word(w, _) => w.as_literal().filter(|k| KEYWORDS.contains(k)),
            _ => None,
        }
    }
}

/// Where a word is being read; decides which characters end it and
/// which quoting applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// A plain word.
    Unquoted,
    /// Inside `"..."`.
    Double,
    /// The word of `${x:-word}` (`dq`: the expansion is itself inside
    /// double quotes).
    Brace { dq: bool },
    /// The text of `$((...))`.
    Arith,
    /// The body of an unquoted here-document.
    HereDoc,
}

pub(crate) fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_'
}

pub(crate) fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// True for a valid variable name.
pub(crate) fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if is_name_start(c)) && chars.all(is_name_char)
}

impl Parser {
    pub(crate) fn error(&self, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.line,
            message: message.into(),
        }
    }

    fn peek_char(&self) -> Option<char> {
        self.src.get(self.pos).copied()
    }

    fn peek_at(&self, n: usize) -> Option<char> {
        self.src.get(self.pos + n).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.src.get(self.pos).copied()?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    /// Returns the next token without consuming it.
    pub(crate) fn peek_token(&mut self) -> Result<&Token, ParseError> {
        if self.peeked.is_none() {
            let tok = self.read_token()?;
            self.peeked = Some(tok);
        }
        match &self.peeked {
            Some((t, _)) => Ok(t),
            None => Err(self.error("internal: no token")),
        }
    }

    /// The line of the next token.
    pub(crate) fn peek_line(&mut self) -> Result<usize, ParseError> {
        self.peek_token()?;
        Ok(self.peeked.as_ref().map(|(_, l)| *l).unwrap_or(self.line))
    }

    /// Consumes and returns the next token.
    pub(crate) fn next_token(&mut self) -> Result<Token, ParseError> {
        if let Some((t, _)) = self.peeked.take() {
            return Ok(t);
        }
        Ok(self.read_token()?.0)
    }

    fn read_token(&mut self) -> Result<(Token, usize), ParseError> {
        loop {
            match self.peek_char() {
                Some(' ') | Some('\t') => {
                    self.bump();
                }
                Some('\\') if self.peek_at(1) == Some('\n') => {
                    self.bump();
                    self.bump();
                }
                Some('#') => {
                    while let Some(c) = self.peek_char() {
                        if c == '\n' {
                            break;
                        }
                        self.bump();
                    }
                }
                _ => break,
            }
        }
        let line = self.line;
        let Some(c) = self.peek_char() else {
            return Ok((Token::Eof, line));
        };
        if c == '\n' {
            self.bump();
            self.read_heredoc_bodies()?;
            return Ok((Token::Newline, line));
        }
        if let Some(op) = self.read_operator() {
            return Ok((Token::Op(op), line));
        }
        let start = self.pos;
        let parts = self.read_parts(Ctx::Unquoted)?;
        let raw: String = self.src[start..self.pos].iter().collect();
        let word = Word(parts);
        if let Some(digits) = word.as_literal()
            && !digits.is_empty()
            && digits.len() <= 9
            && digits.chars().all(|c| c.is_ascii_digit())
            && matches!(self.peek_char(), Some('<') | Some('>'))
        {
            let n = digits.parse().unwrap_or(0);
            return Ok((Token::IoNumber(n), line));
        }
        Ok((Token::Word(word, raw), line))
    }

    fn read_operator(&mut self) -> Option<Op> {
        let c = self.peek_char()?;
        let n = self.peek_at(1);
        let (op, len) = match (c, n) {
            ('&', Some('&')) => (Op::AndIf, 2),
            ('&', _) => (Op::Amp, 1),
            ('|', Some('|')) => (Op::OrIf, 2),
            ('|', _) => (Op::Pipe, 1),
            (';', Some(';')) => (Op::DSemi, 2),
            (';', _) => (Op::Semi, 1),
            ('(', _) => (Op::LParen, 1),
            (')', _) => (Op::RParen, 1),
            ('<', Some('<')) => {
                if self.peek_at(2) == Some('-') {
                    (Op::DLessDash, 3)
                } else {
                    (Op::DLess, 2)
                }
            }
            ('<', Some('&')) => (Op::LessAnd, 2),
            ('<', Some('>')) => (Op::LessGreat, 2),
            ('<', _) => (Op::Less, 1),
            ('>', Some('>')) => (Op::DGreat, 2),
            ('>', Some('&')) => (Op::GreatAnd, 2),
            ('>', Some('|')) => (Op::Clobber, 2),
            ('>', _) => (Op::Great, 1),
            _ => return None,
        };
        for _ in 0..len {
            self.bump();
        }
        Some(op)
    }

    /// Reads word parts until the context's terminator (not consumed).
    fn read_parts(&mut self, ctx: Ctx) -> Result<Vec<WordPart>, ParseError> {
        let mut parts: Vec<WordPart> = Vec::new();
        let mut lit = String::new();
        let word_start = self.pos;
        let mut arith_depth = 0usize;
        loop {
            let Some(c) = self.peek_char() else {
                match ctx {
                    Ctx::Double => return Err(self.error("Unterminated quoted string")),
                    Ctx::Brace { .. } => return Err(self.error("Missing '}'")),
                    Ctx::Arith => return Err(self.error("Missing '))'")),
                    Ctx::Unquoted | Ctx::HereDoc => break,
                }
            };
            // Terminators.
            match ctx {
                Ctx::Unquoted
                    if matches!(
                        c,
                        ' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>'
                    ) =>
                {
                    break;
                }
                Ctx::Double if c == '"' => break,
                Ctx::Brace { .. } if c == '}' => break,
                Ctx::Arith => {
                    if c == '(' {
                        arith_depth += 1;
                    } else if c == ')' {
                        if arith_depth == 0 {
                            if self.peek_at(1) == Some(')') {
                                break;
                            }
                            return Err(self.error("Missing '))'"));
                        }
                        arith_depth -= 1;
                    }
                }
                _ => {}
            }
            match c {
                '\\' => {
                    self.bump();
                    match self.peek_char() {
                        Some('\n') => {
                            self.bump();
                        }
                        None => lit.push('\\'),
                        Some(n) => {
                            let escapes = match ctx {
                                Ctx::Unquoted | Ctx::Brace { dq: false } => true,
                                Ctx::Double => matches!(n, '$' | '`' | '"' | '\\'),
                                Ctx::Brace { dq: true } => {
                                    matches!(n, '$' | '`' | '"' | '\\' | '}')
                                }
                                Ctx::HereDoc | Ctx::Arith => matches!(n, '$' | '`' | '\\'),
                            };
                            self.bump();
                            if escapes {
                                flush(&mut parts, &mut lit);
                                parts.push(WordPart::Quoted(n.to_string()));
                            } else {
                                lit.push('\\');
                                lit.push(n);
                            }
                        }
                    }
                }
                '\'' if matches!(ctx, Ctx::Unquoted | Ctx::Brace { dq: false }) => {
                    self.bump();
                    let mut s = String::new();
                    loop {
                        match self.bump() {
                            None => return Err(self.error("Unterminated quoted string")),
                            Some('\'') => break,
                            Some(ch) => s.push(ch),
                        }
                    }
                    flush(&mut parts, &mut lit);
                    parts.push(WordPart::Quoted(s));
                }
                '"' if matches!(ctx, Ctx::Unquoted | Ctx::Brace { .. }) => {
                    self.bump();
                    let inner = self.read_parts(Ctx::Double)?;
                    self.bump();
                    flush(&mut parts, &mut lit);
                    parts.push(WordPart::DoubleQuoted(inner));
                }
                '$' => {
                    self.bump();
                    let in_dq = matches!(ctx, Ctx::Double | Ctx::Brace { dq: true });
                    match self.read_dollar(in_dq)? {
                        Some(part) => {
                            flush(&mut parts, &mut lit);
                            parts.push(part);
                        }
                        None => lit.push('$'),
                    }
                }
                '`' => {
                    self.bump();
                    let list =
                        self.read_backquote(matches!(ctx, Ctx::Double | Ctx::Brace { dq: true }))?;
                    flush(&mut parts, &mut lit);
                    parts.push(WordPart::CommandSubst(Rc::new(list)));
                }
                '~' if ctx == Ctx::Unquoted && self.pos == word_start => {
                    self.bump();
                    let mut user = String::new();
                    let mut k = 0;
                    while let Some(ch) = self.peek_at(k) {
                        if ch.is_ascii_alphanumeric() || matches!(ch, '.' | '_' | '-') {
                            user.push(ch);
                            k += 1;
                        } else {
                            break;
                        }
                    }
                    let after = self.peek_at(k);
                    let ends = matches!(
                        after,
                        None | Some('/')
                            | Some(' ' | '\t' | '\n' | ';' | '&' | '|' | '(' | ')' | '<' | '>')
                    );
                    if ends {
                        for _ in 0..k {
                            self.bump();
                        }
                        parts.push(WordPart::Tilde(user));
                    } else {
                        lit.push('~');
                    }
                }
                _ => {
                    self.bump();
                    lit.push(c);
                }
            }
        }
        flush(&mut parts, &mut lit);
        Ok(parts)
    }

    /// After `$`: a parameter, command substitution or arithmetic. `None`
    /// when the `$` is literal.
    fn read_dollar(&mut self, in_dq: bool) -> Result<Option<WordPart>, ParseError> {
        let Some(c) = self.peek_char() else {
            return Ok(None);
        };
        match c {
            '{' => {
                self.bump();
                Ok(Some(self.read_brace_param(in_dq)?))
            }
            '(' => {
                self.bump();
                if self.peek_char() == Some('(') {
                    self.bump();
                    let inner = self.read_parts(Ctx::Arith)?;
                    // The two closing parentheses.
                    self.bump();
                    self.bump();
                    return Ok(Some(WordPart::Arith(Word(inner))));
                }
                let list = self.read_subst_list()?;
                Ok(Some(WordPart::CommandSubst(Rc::new(list))))
            }
            c if is_name_start(c) => {
                let mut name = String::new();
                while let Some(ch) = self.peek_char() {
                    if !is_name_char(ch) {
                        break;
                    }
                    name.push(ch);
                    self.bump();
                }
                Ok(Some(param(Param::Name(name), ParamOp::Get)))
            }
            c if c.is_ascii_digit() => {
                self.bump();
                let p = if c == '0' {
                    Param::Special('0')
                } else {
                    Param::Positional(c as usize - '0' as usize)
                };
                Ok(Some(param(p, ParamOp::Get)))
            }
            '@' | '*' | '#' | '?' | '-' | '$' | '!' => {
                self.bump();
                Ok(Some(param(Param::Special(c), ParamOp::Get)))
            }
            _ => Ok(None),
        }
    }

    fn read_param_name(&mut self) -> Option<Param> {
        let c = self.peek_char()?;
        if is_name_start(c) {
            let mut name = String::new();
            while let Some(ch) = self.peek_char() {
                if !is_name_char(ch) {
                    break;
                }
                name.push(ch);
                self.bump();
            }
            return Some(Param::Name(name));
        }
        if c.is_ascii_digit() {
            let mut digits = String::new();
            while let Some(ch) = self.peek_char() {
                if !ch.is_ascii_digit() {
                    break;
                }
                digits.push(ch);
                self.bump();
            }
            if digits == "0" {
                return Some(Param::Special('0'));
            }
            return Some(Param::Positional(digits.parse().unwrap_or(usize::MAX)));
        }
        if matches!(c, '@' | '*' | '#' | '?' | '-' | '$' | '!') {
            self.bump();
            return Some(Param::Special(c));
        }
        None
    }

    fn read_brace_param(&mut self, in_dq: bool) -> Result<WordPart, ParseError> {
        // `${#name}` is a length, `${#}` the parameter count.
        if self.peek_char() == Some('#') && !matches!(self.peek_at(1), Some('}') | None) {
            let save = (self.pos, self.line);
            self.bump();
            if let Some(p) = self.read_param_name()
                && self.peek_char() == Some('}')
            {
                self.bump();
                return Ok(param(p, ParamOp::Length));
            }
            (self.pos, self.line) = save;
        }
        let Some(p) = self.read_param_name() else {
            return self.bad_substitution();
        };
        let c = self.peek_char();
        let op = match c {
            Some('}') => {
                self.bump();
                return Ok(param(p, ParamOp::Get));
            }
            Some(':') => {
                self.bump();
                let kind = match self.peek_char() {
                    Some('-') => TestKind::Default,
                    Some('=') => TestKind::Assign,
                    Some('?') => TestKind::Error,
                    Some('+') => TestKind::Alternate,
                    _ => return self.bad_substitution(),
                };
                self.bump();
                let word = self.read_brace_word(in_dq)?;
                ParamOp::Test {
                    kind,
                    colon: true,
                    word,
                }
            }
            Some(k @ ('-' | '=' | '?' | '+')) => {
                self.bump();
                let kind = match k {
                    '-' => TestKind::Default,
                    '=' => TestKind::Assign,
                    '?' => TestKind::Error,
                    _ => TestKind::Alternate,
                };
                let word = self.read_brace_word(in_dq)?;
                ParamOp::Test {
                    kind,
                    colon: false,
                    word,
                }
            }
            Some(k @ ('%' | '#')) => {
                self.bump();
                let longest = self.peek_char() == Some(k);
                if longest {
                    self.bump();
                }
                let pattern = self.read_brace_word(in_dq)?;
                ParamOp::Trim {
                    suffix: k == '%',
                    longest,
                    pattern,
                }
            }
            None => return Err(self.error("Missing '}'")),
            Some(_) => return self.bad_substitution(),
        };
        Ok(param(p, op))
    }

    /// Skips the rest of a malformed `${...}` and yields an expansion
    /// that fails when expanded.
    fn bad_substitution(&mut self) -> Result<WordPart, ParseError> {
        let mut depth = 0usize;
        loop {
            match self.bump() {
                None => return Err(self.error("Missing '}'")),
                Some('{') => depth += 1,
                Some('}') if depth == 0 => break,
                Some('}') => depth -= 1,
                Some(_) => {}
            }
        }
        Ok(param(Param::Special('?'), ParamOp::Bad))
    }

    fn read_brace_word(&mut self, in_dq: bool) -> Result<Word, ParseError> {
        let parts = self.read_parts(Ctx::Brace { dq: in_dq })?;
        // The closing brace.
        self.bump();
        Ok(Word(parts))
    }

    /// After `$(`: a list up to the matching `)`.
    fn read_subst_list(&mut self) -> Result<List, ParseError> {
        let saved = self.peeked.take();
        let list = self.compound_list()?;
        let tok = self.next_token()?;
        if tok != Token::Op(Op::RParen) {
            return Err(self.error(format!(
                "{} unexpected (expecting \")\")",
                tok.describe(true)
            )));
        }
        self.peeked = saved;
        Ok(list)
    }

    /// After `` ` ``: the text up to the closing backquote, unescaped and
    /// parsed on its own.
    fn read_backquote(&mut self, in_dq: bool) -> Result<List, ParseError> {
        let start_line = self.line;
        let mut text = String::new();
        loop {
            match self.bump() {
                None => return Err(self.error("EOF in backquote substitution")),
                Some('`') => break,
                Some('\\') => match self.peek_char() {
                    None => return Err(self.error("EOF in backquote substitution")),
                    Some('\n') => {
                        self.bump();
                    }
                    Some(n) => {
                        if !(matches!(n, '\\' | '`' | '$') || (in_dq && n == '"')) {
                            text.push('\\');
                        }
                        text.push(n);
                        self.bump();
                    }
                },
                Some(c) => text.push(c),
            }
        }
        let mut sub = Parser::with_line(&text, start_line);
        let mut all = Vec::new();
        while let Some(list) = sub.next_command()? {
            all.extend(list.0);
        }
        Ok(List(all))
    }

    /// Reads the bodies of the here-documents named on the line just ended.
    fn read_heredoc_bodies(&mut self) -> Result<(), ParseError> {
        let pending = std::mem::take(&mut self.pending_heredocs);
        for doc in pending {
            let start_line = self.line;
            let mut body = String::new();
            loop {
                if self.pos >= self.src.len() {
                    break;
                }
                let mut line = String::new();
                let mut ended = false;
                while let Some(c) = self.peek_char() {
                    self.bump();
                    if c == '\n' {
                        ended = true;
                        break;
                    }
                    line.push(c);
                }
                let line = if doc.strip_tabs {
                    line.trim_start_matches('\t').to_string()
                } else {
                    line
                };
                if line == doc.delimiter {
                    break;
                }
                body.push_str(&line);
                // A body cut short by the end of the script keeps its last
                // line without a newline, as dash does.
                if ended {
                    body.push('\n');
                }
            }
            let word = if doc.quoted {
                Word(vec![WordPart::Quoted(body)])
            } else {
                let mut sub = Parser::with_line(&body, start_line);
                Word(sub.read_parts(Ctx::HereDoc)?)
            };
            *doc.body.borrow_mut() = word;
        }
        Ok(())
    }

    pub(crate) fn push_heredoc(&mut self, doc: Rc<HereDoc>) {
        self.pending_heredocs.push(doc);
    }
}

fn param(p: Param, op: ParamOp) -> WordPart {
    WordPart::Param(Box::new(ParamExp { param: p, op }))
}

fn flush(parts: &mut Vec<WordPart>, lit: &mut String) {
    if !lit.is_empty() {
        parts.push(WordPart::Literal(std::mem::take(lit)));
    }
}

/// Removes quoting from the source text of a here-document delimiter.
pub(crate) fn unquote_delimiter(raw: &str) -> (String, bool) {
    let mut out = String::new();
    let mut quoted = false;
    let mut chars = raw.chars().peekable();
    let mut in_single = false;
    let mut in_double = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' if !in_double => {
                in_single = !in_single;
                quoted = true;
            }
            '"' if !in_single => {
                in_double = !in_double;
                quoted = true;
            }
            '\\' if !in_single => {
                quoted = true;
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            _ => out.push(c),
        }
    }
    (out, quoted)
}
