//! `sed`: addresses, `s`, `d`, `p`, `q`, `=`, `a`/`i`/`c`, `y`, the hold
//! space, `n`/`N`, branches, and `-n`, `-e`, `-f`, `-i`, `-E`, `-s`.

use regex::bytes::Regex;

use super::args::{Spec, Takes};
use super::regex_posix;
use super::{Ctx, lines};
use crate::errno;

#[derive(Debug, Clone)]
enum Addr {
    Line(usize),
    /// GNU's `first~step`.
    Step(usize, usize),
    Last,
    Re(Option<Regex>),
}

#[derive(Debug, Clone)]
enum Cmd {
    Block(usize),
    EndBlock,
    Subst {
        re: Option<Regex>,
        rep: Vec<RepPart>,
        global: bool,
        nth: usize,
        print: bool,
    },
    Delete,
    Print,
    PrintFirst,
    Quit(i32, bool),
    LineNo,
    Append(String),
    Insert(String),
    Change(String),
    Translate(Vec<(char, char)>),
    Hold,
    HoldAppend,
    Get,
    GetAppend,
    Exchange,
    Next,
    NextAppend,
    DeleteFirst,
    Label,
    Branch(Option<String>),
    BranchIf(Option<String>),
    BranchIfNot(Option<String>),
    Nop,
}

#[derive(Debug, Clone)]
enum RepPart {
    Lit(Vec<u8>),
    Group(usize),
}

#[derive(Debug, Clone)]
struct Instr {
    a1: Option<Addr>,
    a2: Option<Addr>,
    negate: bool,
    cmd: Cmd,
    label: Option<String>,
}

struct ScriptError(String);

struct Compiler<'a> {
    chars: Vec<char>,
    pos: usize,
    ere: bool,
    expr_no: usize,
    last_re: &'a mut Option<Regex>,
}

impl Compiler<'_> {
    fn err(&self, msg: &str) -> ScriptError {
        ScriptError(format!(
            "-e expression #{}, char {}: {msg}",
            self.expr_no, self.pos
        ))
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
    }

    /// Text up to an unescaped delimiter; `\delim` becomes delim, `\n`
    /// newline; other escapes are kept for the regex or replacement.
    fn delimited(&mut self, delim: char, what: &str) -> Result<String, ScriptError> {
        self.delimited_text(delim, what, false)
    }

    /// A regex up to `delim`: as GNU sed, the delimiter is literal inside a
    /// bracket expression (`s/[/]/-/`).
    fn delimited_regex(&mut self, delim: char, what: &str) -> Result<String, ScriptError> {
        self.delimited_text(delim, what, true)
    }

    fn delimited_text(
        &mut self,
        delim: char,
        what: &str,
        regex: bool,
    ) -> Result<String, ScriptError> {
        let mut s = String::new();
        // Inside `[...]`: the position of the `[` in `s`.
        let mut bracket: Option<usize> = None;
        loop {
            let Some(c) = self.peek() else {
                return Err(self.err(&format!("unterminated `{what}' command")));
            };
            self.pos += 1;
            if let Some(open) = bracket {
                s.push(c);
                let body = &s[open + 1..s.len() - 1];
                // `]` first in the list (after an optional `^`) is literal;
                // `[:class:]`, `[=e=]` and `[.c.]` hold their own `]`.
                if c == '[' && matches!(self.peek(), Some(':' | '=' | '.')) {
                    if let Some(kind) = self.peek() {
                        self.pos += 1;
                        s.push(kind);
                        while let Some(n) = self.peek() {
                            self.pos += 1;
                            s.push(n);
                            if s.ends_with(&format!("{kind}]")) {
                                break;
                            }
                        }
                    }
                } else if c == ']' && !body.is_empty() && body != "^" {
                    bracket = None;
                } else if c == '\n' && what != "s" {
                    return Err(self.err(&format!("unterminated `{what}' command")));
                }
                continue;
            }
            if c == delim {
                return Ok(s);
            }
            if regex && c == '[' {
                bracket = Some(s.len());
                s.push(c);
                continue;
            }
            if c == '\\' {
                let Some(n) = self.peek() else {
                    return Err(self.err(&format!("unterminated `{what}' command")));
                };
                self.pos += 1;
                if n == delim {
                    s.push(n);
                } else if n == 'n' {
                    s.push('\n');
                } else {
                    s.push('\\');
                    s.push(n);
                }
                continue;
            }
            if c == '\n' && what != "s" {
                return Err(self.err(&format!("unterminated `{what}' command")));
            }
            s.push(c);
        }
    }

    fn regex(&mut self, src: &str, icase: bool) -> Result<Option<Regex>, ScriptError> {
        if src.is_empty() {
            return Ok(None);
        }
        match regex_posix::compile(src, self.ere, icase) {
            Ok(r) => {
                *self.last_re = Some(r.clone());
                Ok(Some(r))
            }
            Err(e) => Err(self.err(&e.0)),
        }
    }

    fn address(&mut self) -> Result<Option<Addr>, ScriptError> {
        match self.peek() {
            Some(c) if c.is_ascii_digit() => {
                let mut n = 0usize;
                while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
                    n = n.saturating_mul(10).saturating_add(d as usize);
                    self.pos += 1;
                }
                if self.peek() == Some('~') {
                    self.pos += 1;
                    let mut step = 0usize;
                    while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
                        step = step.saturating_mul(10).saturating_add(d as usize);
                        self.pos += 1;
                    }
                    return Ok(Some(Addr::Step(n, step)));
                }
                if n == 0 {
                    return Err(self.err("invalid usage of line address 0"));
                }
                Ok(Some(Addr::Line(n)))
            }
            Some('$') => {
                self.pos += 1;
                Ok(Some(Addr::Last))
            }
            Some('/') | Some('\\') => {
                let delim = if self.peek() == Some('\\') {
                    self.pos += 1;
                    self.peek().ok_or_else(|| self.err("unexpected `,'"))?
                } else {
                    '/'
                };
                self.pos += 1;
                let src = self.delimited_regex(delim, "address regex")?;
                let icase = self.peek() == Some('I');
                if icase {
                    self.pos += 1;
                }
                Ok(Some(Addr::Re(self.regex(&src, icase)?)))
            }
            _ => Ok(None),
        }
    }

    /// Text for `a`, `i`, `c`: GNU's one-line form or `a\` then lines.
    fn text_arg(&mut self) -> String {
        self.skip_ws();
        if self.peek() == Some('\\') {
            self.pos += 1;
            if self.peek() == Some('\n') {
                self.pos += 1;
            }
        }
        let mut s = String::new();
        while let Some(c) = self.peek() {
            self.pos += 1;
            if c == '\\' {
                match self.peek() {
                    Some('\n') => {
                        s.push('\n');
                        self.pos += 1;
                    }
                    Some(n) => {
                        s.push(n);
                        self.pos += 1;
                    }
                    None => {}
                }
                continue;
            }
            if c == '\n' {
                break;
            }
            s.push(c);
        }
        s
    }

    fn label_arg(&mut self) -> Option<String> {
        self.skip_ws();
        let mut s = String::new();
        while let Some(c) = self.peek() {
            if c == '\n' || c == ';' {
                break;
            }
            s.push(c);
            self.pos += 1;
        }
        let s = s.trim_end().to_string();
        (!s.is_empty()).then_some(s)
    }

    fn compile(&mut self, out: &mut Vec<Instr>, open: &mut Vec<usize>) -> Result<(), ScriptError> {
        loop {
            while matches!(self.peek(), Some(' ' | '\t' | '\n' | ';')) {
                self.pos += 1;
            }
            let Some(c) = self.peek() else {
                return Ok(());
            };
            if c == '#' {
                while let Some(c) = self.peek() {
                    if c == '\n' {
                        break;
                    }
                    self.pos += 1;
                }
                continue;
            }
            let a1 = self.address()?;
            let mut a2 = None;
            if a1.is_some() && self.peek() == Some(',') {
                self.pos += 1;
                a2 = self.address()?;
                if a2.is_none() {
                    return Err(self.err("unexpected `,'"));
                }
            }
            self.skip_ws();
            let mut negate = false;
            while self.peek() == Some('!') {
                negate = true;
                self.pos += 1;
                self.skip_ws();
            }
            let Some(cmd_char) = self.peek() else {
                return Err(self.err("missing command"));
            };
            self.pos += 1;
            let mut label = None;
            let cmd = match cmd_char {
                '{' => {
                    open.push(out.len());
                    Cmd::Block(0)
                }
                '}' => {
                    let Some(start) = open.pop() else {
                        return Err(self.err("unexpected `}'"));
                    };
                    let end = out.len();
                    if let Some(instr) = out.get_mut(start) {
                        instr.cmd = Cmd::Block(end);
                    }
                    Cmd::EndBlock
                }
                's' => {
                    let Some(delim) = self.peek() else {
                        return Err(self.err("unterminated `s' command"));
                    };
                    self.pos += 1;
                    let re_src = self.delimited_regex(delim, "s")?;
                    let rep_src = self.delimited(delim, "s")?;
                    let mut global = false;
                    let mut print = false;
                    let mut nth = 1;
                    let mut icase = false;
                    loop {
                        match self.peek() {
                            Some('g') => global = true,
                            Some('p') => print = true,
                            Some('i') | Some('I') => icase = true,
                            Some(d) if d.is_ascii_digit() => {
                                let mut n = 0usize;
                                while let Some(v) = self.peek().and_then(|c| c.to_digit(10)) {
                                    n = n * 10 + v as usize;
                                    self.pos += 1;
                                }
                                if n == 0 {
                                    return Err(
                                        self.err("number option to `s' command may not be zero")
                                    );
                                }
                                nth = n;
                                continue;
                            }
                            Some(' ' | '\t' | '\n' | ';' | '}') | None => break,
                            Some(_) => return Err(self.err("unknown option to `s'")),
                        }
                        self.pos += 1;
                    }
                    let re = self.regex(&re_src, icase)?;
                    Cmd::Subst {
                        re,
                        rep: parse_replacement(&rep_src),
                        global,
                        nth,
                        print,
                    }
                }
                'y' => {
                    let Some(delim) = self.peek() else {
                        return Err(self.err("unterminated `y' command"));
                    };
                    self.pos += 1;
                    let a: Vec<char> = self.delimited(delim, "y")?.chars().collect();
                    let b: Vec<char> = self.delimited(delim, "y")?.chars().collect();
                    if a.len() != b.len() {
                        return Err(self.err("strings for `y' command are different lengths"));
                    }
                    Cmd::Translate(a.into_iter().zip(b).collect())
                }
                'd' => Cmd::Delete,
                'D' => Cmd::DeleteFirst,
                'p' => Cmd::Print,
                'P' => Cmd::PrintFirst,
                'q' | 'Q' => {
                    self.skip_ws();
                    let mut n = 0i32;
                    while let Some(v) = self.peek().and_then(|c| c.to_digit(10)) {
                        n = n * 10 + v as i32;
                        self.pos += 1;
                    }
                    Cmd::Quit(n, cmd_char == 'q')
                }
                '=' => Cmd::LineNo,
                'a' => Cmd::Append(self.text_arg()),
                'i' => Cmd::Insert(self.text_arg()),
                'c' => Cmd::Change(self.text_arg()),
                'h' => Cmd::Hold,
                'H' => Cmd::HoldAppend,
                'g' => Cmd::Get,
                'G' => Cmd::GetAppend,
                'x' => Cmd::Exchange,
                'n' => Cmd::Next,
                'N' => Cmd::NextAppend,
                ':' => {
                    let l = self.label_arg();
                    if l.is_none() {
                        return Err(self.err("\":\" lacks a label"));
                    }
                    label = l;
                    Cmd::Label
                }
                'b' => Cmd::Branch(self.label_arg()),
                't' => Cmd::BranchIf(self.label_arg()),
                'T' => Cmd::BranchIfNot(self.label_arg()),
                'l' | 'F' | 'z' => Cmd::Nop,
                other => return Err(self.err(&format!("unknown command: `{other}'"))),
            };
            out.push(Instr {
                a1,
                a2,
                negate,
                cmd,
                label,
            });
            self.skip_ws();
            match self.peek() {
                None | Some('\n' | ';' | '}' | '#') => {}
                Some(_) if cmd_char == '}' || cmd_char == '{' => {}
                Some(_) => return Err(self.err("extra characters after command")),
            }
        }
    }
}

fn parse_replacement(src: &str) -> Vec<RepPart> {
    let mut parts = Vec::new();
    let mut lit = Vec::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'&' => {
                if !lit.is_empty() {
                    parts.push(RepPart::Lit(std::mem::take(&mut lit)));
                }
                parts.push(RepPart::Group(0));
                i += 1;
            }
            b'\\' if i + 1 < b.len() => {
                let n = b[i + 1];
                i += 2;
                match n {
                    b'0'..=b'9' => {
                        if !lit.is_empty() {
                            parts.push(RepPart::Lit(std::mem::take(&mut lit)));
                        }
                        parts.push(RepPart::Group(usize::from(n - b'0')));
                    }
                    b'n' => lit.push(b'\n'),
                    b't' => lit.push(b'\t'),
                    other => lit.push(other),
                }
            }
            c => {
                lit.push(c);
                i += 1;
            }
        }
    }
    if !lit.is_empty() {
        parts.push(RepPart::Lit(lit));
    }
    parts
}

/// Per-run state.
struct Run<'p> {
    prog: &'p [Instr],
    quiet: bool,
    active: Vec<bool>,
    hold: Vec<u8>,
    last_re: Option<Regex>,
}

/// One input stream of lines with look-ahead for `$`.
struct Stream<'d> {
    lines: Vec<&'d [u8]>,
    pos: usize,
    lineno: usize,
    /// Whether the very last line had a newline.
    final_newline: bool,
}

impl<'d> Stream<'d> {
    fn next(&mut self) -> Option<&'d [u8]> {
        let l = self.lines.get(self.pos).copied()?;
        self.pos += 1;
        self.lineno += 1;
        Some(l)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.lines.len()
    }
}

impl Run<'_> {
    fn matches_addr(&self, a: &Addr, ps: &[u8], s: &Stream) -> bool {
        match a {
            Addr::Line(n) => s.lineno == *n,
            Addr::Step(first, step) => {
                if *step == 0 {
                    s.lineno == *first
                } else {
                    s.lineno >= *first && (s.lineno - first).is_multiple_of(*step)
                }
            }
            Addr::Last => s.at_end(),
            Addr::Re(Some(r)) => r.is_match(ps),
            Addr::Re(None) => self.last_re.as_ref().is_some_and(|r| r.is_match(ps)),
        }
    }

    fn selected(&mut self, k: usize, ps: &[u8], s: &Stream) -> bool {
        let instr = &self.prog[k];
        let hit = match (&instr.a1, &instr.a2) {
            (None, _) => true,
            (Some(a), None) => self.matches_addr(a, ps, s),
            (Some(a1), Some(a2)) => {
                if self.active[k] {
                    let end = match a2 {
                        Addr::Line(n) => s.lineno >= *n,
                        other => self.matches_addr(other, ps, s),
                    };
                    if end {
                        self.active[k] = false;
                    }
                    true
                } else if self.matches_addr(a1, ps, s) {
                    let one_line = match a2 {
                        Addr::Line(n) => *n <= s.lineno,
                        Addr::Last => s.at_end(),
                        Addr::Re(_) | Addr::Step(..) => false,
                    };
                    self.active[k] = !one_line;
                    true
                } else {
                    false
                }
            }
        };
        hit != instr.negate
    }

    /// Runs the script over a stream; returns output and an exit code
    /// when `q` stopped it.
    fn run(&mut self, s: &mut Stream, out: &mut Vec<u8>) -> Option<i32> {
        let mut pending: Option<Vec<u8>> = None;
        loop {
            let mut ps = match pending.take() {
                Some(p) => p,
                None => match s.next() {
                    Some(l) => l.to_vec(),
                    None => return None,
                },
            };
            let mut append_queue: Vec<Vec<u8>> = Vec::new();
            let mut pc = 0;
            let mut substituted = false;
            let mut autoprint = !self.quiet;
            let mut quit: Option<i32> = None;
            let mut restart = false;
            while pc < self.prog.len() {
                if !self.selected(pc, &ps, s) {
                    if let Cmd::Block(end) = self.prog[pc].cmd {
                        pc = end + 1;
                    } else {
                        pc += 1;
                    }
                    continue;
                }
                let cmd = self.prog[pc].cmd.clone();
                pc += 1;
                match cmd {
                    Cmd::Block(_) | Cmd::EndBlock | Cmd::Label | Cmd::Nop => {}
                    Cmd::Subst {
                        re,
                        rep,
                        global,
                        nth,
                        print,
                    } => {
                        let re = match re {
                            Some(r) => {
                                self.last_re = Some(r.clone());
                                r
                            }
                            None => match &self.last_re {
                                Some(r) => r.clone(),
                                None => continue,
                            },
                        };
                        if let Some(new) = substitute(&re, &ps, &rep, global, nth) {
                            ps = new;
                            substituted = true;
                            if print {
                                out.extend_from_slice(&ps);
                                out.push(b'\n');
                            }
                        }
                    }
                    Cmd::Delete => {
                        autoprint = false;
                        break;
                    }
                    Cmd::DeleteFirst => match ps.iter().position(|&b| b == b'\n') {
                        Some(i) => {
                            pending = Some(ps[i + 1..].to_vec());
                            autoprint = false;
                            restart = true;
                            break;
                        }
                        None => {
                            autoprint = false;
                            break;
                        }
                    },
                    Cmd::Print => {
                        out.extend_from_slice(&ps);
                        out.push(b'\n');
                    }
                    Cmd::PrintFirst => {
                        let first = ps.split(|&b| b == b'\n').next().unwrap_or(&[]);
                        out.extend_from_slice(first);
                        out.push(b'\n');
                    }
                    Cmd::Quit(code, print) => {
                        if !print {
                            autoprint = false;
                        }
                        quit = Some(code);
                        break;
                    }
                    Cmd::LineNo => out.extend_from_slice(format!("{}\n", s.lineno).as_bytes()),
                    Cmd::Append(t) => append_queue.push(t.into_bytes()),
                    Cmd::Insert(t) => {
                        out.extend_from_slice(t.as_bytes());
                        out.push(b'\n');
                    }
                    Cmd::Change(t) => {
                        // With a range, the text replaces the whole range.
                        let in_range = self.prog[pc - 1].a2.is_some() && self.active[pc - 1];
                        if !in_range {
                            out.extend_from_slice(t.as_bytes());
                            out.push(b'\n');
                        }
                        autoprint = false;
                        break;
                    }
                    Cmd::Translate(map) => {
                        let text = String::from_utf8_lossy(&ps).into_owned();
                        ps = text
                            .chars()
                            .map(|c| {
                                map.iter()
                                    .find(|(a, _)| *a == c)
                                    .map(|(_, b)| *b)
                                    .unwrap_or(c)
                            })
                            .collect::<String>()
                            .into_bytes();
                    }
                    Cmd::Hold => self.hold = ps.clone(),
                    Cmd::HoldAppend => {
                        self.hold.push(b'\n');
                        self.hold.extend_from_slice(&ps);
                    }
                    Cmd::Get => ps = self.hold.clone(),
                    Cmd::GetAppend => {
                        ps.push(b'\n');
                        ps.extend_from_slice(&self.hold);
                    }
                    Cmd::Exchange => std::mem::swap(&mut ps, &mut self.hold),
                    Cmd::Next => {
                        if !self.quiet {
                            out.extend_from_slice(&ps);
                            out.push(b'\n');
                        }
                        flush_appends(out, &mut append_queue);
                        match s.next() {
                            Some(l) => ps = l.to_vec(),
                            None => {
                                autoprint = false;
                                break;
                            }
                        }
                    }
                    Cmd::NextAppend => match s.next() {
                        Some(l) => {
                            ps.push(b'\n');
                            ps.extend_from_slice(l);
                        }
                        None => break,
                    },
                    Cmd::Branch(l) => pc = self.jump(l.as_deref()),
                    Cmd::BranchIf(l) => {
                        if substituted {
                            substituted = false;
                            pc = self.jump(l.as_deref());
                        }
                    }
                    Cmd::BranchIfNot(l) => {
                        if !substituted {
                            pc = self.jump(l.as_deref());
                        } else {
                            substituted = false;
                        }
                    }
                }
            }
            if autoprint {
                out.extend_from_slice(&ps);
                out.push(b'\n');
            }
            flush_appends(out, &mut append_queue);
            if let Some(code) = quit {
                return Some(code);
            }
            if restart {
                continue;
            }
        }
    }

    fn jump(&self, label: Option<&str>) -> usize {
        match label {
            None => self.prog.len(),
            Some(l) => self
                .prog
                .iter()
                .position(|i| i.label.as_deref() == Some(l))
                .map(|p| p + 1)
                .unwrap_or(self.prog.len()),
        }
    }
}

fn flush_appends(out: &mut Vec<u8>, q: &mut Vec<Vec<u8>>) {
    for t in q.drain(..) {
        out.extend_from_slice(&t);
        out.push(b'\n');
    }
}

fn substitute(re: &Regex, ps: &[u8], rep: &[RepPart], global: bool, nth: usize) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut last = 0;
    let mut count = 0;
    let mut done = false;
    for caps in re.captures_iter(ps) {
        let Some(m) = caps.get(0) else {
            continue;
        };
        count += 1;
        if count < nth {
            continue;
        }
        out.extend_from_slice(&ps[last..m.start()]);
        for part in rep {
            match part {
                RepPart::Lit(l) => out.extend_from_slice(l),
                RepPart::Group(g) => {
                    if let Some(c) = caps.get(*g) {
                        out.extend_from_slice(c.as_bytes());
                    }
                }
            }
        }
        last = m.end();
        done = true;
        if !global {
            break;
        }
    }
    if !done {
        return None;
    }
    out.extend_from_slice(&ps[last..]);
    Some(out)
}

pub(crate) fn sed(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("quiet", Takes::No, 'n'),
        ("silent", Takes::No, 'n'),
        ("expression", Takes::Required, 'e'),
        ("file", Takes::Required, 'f'),
        ("in-place", Takes::Optional, 'i'),
        ("regexp-extended", Takes::No, 'E'),
        ("separate", Takes::No, 's'),
        ("posix", Takes::No, '\u{1}'),
        ("debug", Takes::No, '\u{2}'),
    ];
    // `-i` takes its suffix only when attached (`-i.bak`).
    let mut args = vec![argv[0].clone()];
    let mut in_place: Option<String> = None;
    for a in &argv[1..] {
        if let Some(rest) = a.strip_prefix("-i") {
            in_place = Some(rest.to_string());
        } else if a.starts_with('-')
            && !a.starts_with("--")
            && a.len() > 2
            && a[1..].contains('i')
            && !a.contains('e')
            && !a.contains('f')
        {
            // A cluster such as `-ni`.
            let (before, after) = a.split_once('i').unwrap_or((a, ""));
            if before.len() > 1 {
                args.push(before.to_string());
            }
            in_place = Some(after.to_string());
        } else {
            args.push(a.clone());
        }
    }
    let spec = Spec {
        flags: "nrEsuz",
        with_arg: "ef",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(&args, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if let Some((_, v)) = p.opts.iter().find(|(k, _)| *k == 'i') {
        in_place = Some(v.clone().unwrap_or_default());
    }
    let ere = p.has('E') || p.has('r');
    let mut scripts: Vec<String> = Vec::new();
    for (k, v) in &p.opts {
        match k {
            'e' => scripts.push(v.clone().unwrap_or_default()),
            'f' => {
                let f = v.clone().unwrap_or_default();
                match ctx.read_input(&f) {
                    Ok(d) => scripts.push(
                        String::from_utf8_lossy(&d)
                            .trim_end_matches('\n')
                            .to_string(),
                    ),
                    Err(e) => {
                        ctx.err(format!("couldn't open file {f}: {}", errno::text(&e)));
                        return 1;
                    }
                }
            }
            _ => {}
        }
    }
    let mut operands = p.operands.clone();
    if scripts.is_empty() {
        if operands.is_empty() {
            ctx.err_raw(&format!(
                "Usage: {} [OPTION]... {{script-only-if-no-other-script}} [input-file]...\n\n{HELP}",
                ctx.name
            ));
            return 1;
        }
        scripts.push(operands.remove(0));
    }
    let mut prog = Vec::new();
    let mut open = Vec::new();
    let mut last_re = None;
    // GNU joins the pieces of the script with newlines (so `-e 'a\'
    // -e text` is one command).
    let joined = scripts.join("\n");
    let mut c = Compiler {
        chars: joined.chars().collect(),
        pos: 0,
        ere,
        expr_no: 1,
        last_re: &mut last_re,
    };
    if let Err(e) = c.compile(&mut prog, &mut open) {
        ctx.err(e.0);
        return 1;
    }
    if !open.is_empty() {
        ctx.err("-e expression #1, char 0: unmatched `{'");
        return 1;
    }
    let quiet = p.has('n');
    let mut status = 0;
    if let Some(suffix) = in_place {
        if operands.is_empty() {
            ctx.err("no input files");
            return 1;
        }
        for f in &operands {
            let path = ctx.path(f);
            let data = match ctx.read_input(f) {
                Ok(d) => d,
                Err(e) => {
                    if errno::is(&e, errno::EISDIR) {
                        ctx.err(format!("couldn't edit {f}: not a regular file"));
                    } else {
                        ctx.err(format!("can't read {f}: {}", errno::text(&e)));
                    }
                    status = 2;
                    continue;
                }
            };
            let mut run = Run {
                prog: &prog,
                quiet,
                active: vec![false; prog.len()],
                hold: Vec::new(),
                last_re: None,
            };
            let mut stream = stream_of(&data);
            let mut out = Vec::new();
            let q = run.run(&mut stream, &mut out);
            fix_final_newline(&mut out, &stream);
            if !suffix.is_empty() {
                let backup = if suffix.contains('*') {
                    suffix.replace('*', f)
                } else {
                    format!("{f}{suffix}")
                };
                let bpath = ctx.path(&backup);
                if let Err(e) = ctx.fs.copy(&path, &bpath) {
                    ctx.err(format!("cannot rename {f}: {}", errno::text(&e)));
                    return 4;
                }
            }
            if let Err(e) = ctx.fs.write(&path, &out) {
                ctx.err(format!(
                    "couldn't write {} items to {f}: {}",
                    out.len(),
                    errno::text(&e)
                ));
                return 4;
            }
            if let Some(code) = q {
                return code;
            }
        }
        return status;
    }
    // All inputs form one stream (unless -s).
    let ops: Vec<String> = if operands.is_empty() {
        vec!["-".into()]
    } else {
        operands
    };
    let mut datas = Vec::new();
    for op in &ops {
        match ctx.read_input(op) {
            Ok(d) => datas.push(d),
            Err(e) => {
                ctx.err(format!("can't read {op}: {}", errno::text(&e)));
                status = 2;
            }
        }
    }
    let mut run = Run {
        prog: &prog,
        quiet,
        active: vec![false; prog.len()],
        hold: Vec::new(),
        last_re: None,
    };
    let mut out = Vec::new();
    if p.has('s') {
        for d in &datas {
            let mut stream = stream_of(d);
            let q = run.run(&mut stream, &mut out);
            fix_final_newline(&mut out, &stream);
            if let Some(code) = q {
                ctx.out(out);
                return code;
            }
        }
    } else {
        let joined: Vec<u8> = {
            let mut j = Vec::new();
            for d in &datas {
                j.extend_from_slice(d);
                if !d.is_empty() && !d.ends_with(b"\n") {
                    j.push(b'\n');
                }
            }
            if datas
                .last()
                .is_some_and(|d| !d.is_empty() && !d.ends_with(b"\n"))
            {
                j.pop();
            }
            j
        };
        let mut stream = stream_of(&joined);
        let q = run.run(&mut stream, &mut out);
        fix_final_newline(&mut out, &stream);
        if let Some(code) = q {
            ctx.out(out);
            return code;
        }
    }
    ctx.out(out);
    status
}

fn stream_of(data: &[u8]) -> Stream<'_> {
    Stream {
        lines: lines(data),
        pos: 0,
        lineno: 0,
        final_newline: data.is_empty() || data.ends_with(b"\n"),
    }
}

/// GNU sed leaves the last line without a newline when the input's last
/// line had none.
fn fix_final_newline(out: &mut Vec<u8>, s: &Stream) {
    if !s.final_newline && s.at_end() && out.ends_with(b"\n") {
        out.pop();
    }
}

/// GNU sed 4.9's help text, printed when no script is given.
pub(crate) const HELP: &str = "  -n, --quiet, --silent
                 suppress automatic printing of pattern space
      --debug
                 annotate program execution
  -e script, --expression=script
                 add the script to the commands to be executed
  -f script-file, --file=script-file
                 add the contents of script-file to the commands to be executed
  --follow-symlinks
                 follow symlinks when processing in place
  -i[SUFFIX], --in-place[=SUFFIX]
                 edit files in place (makes backup if SUFFIX supplied)
  -l N, --line-length=N
                 specify the desired line-wrap length for the `l' command
  --posix
                 disable all GNU extensions.
  -E, -r, --regexp-extended
                 use extended regular expressions in the script
                 (for portability use POSIX -E).
  -s, --separate
                 consider files as separate rather than as a single,
                 continuous long stream.
      --sandbox
                 operate in sandbox mode (disable e/r/w commands).
  -u, --unbuffered
                 load minimal amounts of data from the input files and flush
                 the output buffers more often
  -z, --null-data
                 separate lines by NUL characters
      --help     display this help and exit
      --version  output version information and exit

If no -e, --expression, -f, or --file option is given, then the first
non-option argument is taken as the sed script to interpret.  All
remaining arguments are names of input files; if no input files are
specified, then the standard input is read.

GNU sed home page: <https://www.gnu.org/software/sed/>.
General help using GNU software: <https://www.gnu.org/gethelp/>.
";
