//! `test` and `[`: dash's builtin and GNU's utility share the logic;
//! their messages differ.

use std::path::Path;

use p4ha_hostfs::FileKind;

use super::Ctx;
use crate::fsx;
use crate::quote::gnu;

enum TestError {
    /// GNU: `'X': unary operator expected`.
    UnaryExpected(String),
    /// GNU: `'X': binary operator expected`.
    BinaryExpected(String),
    /// `missing ']'`
    MissingBracket,
    /// Not an integer.
    BadNumber(String),
    /// Arguments left over.
    Extra(String),
    /// `(` without `)`.
    MissingParen,
    /// An operator without its operand.
    MissingArgument(String),
}

pub(crate) fn test(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let name = argv[0].rsplit('/').next().unwrap_or("test");
    let mut args: Vec<&str> = argv[1..].iter().map(|s| s.as_str()).collect();
    if name == "[" {
        if args.last() != Some(&"]") {
            report(ctx, TestError::MissingBracket);
            return 2;
        }
        args.pop();
    }
    let mut ev = Eval {
        ctx,
        args: &args,
        pos: 0,
    };
    let result = ev.top();
    match result {
        Ok(true) => 0,
        Ok(false) => 1,
        Err(e) => {
            report(ev.ctx, e);
            2
        }
    }
}

fn report(ctx: &mut Ctx, e: TestError) {
    let msg = if ctx.dash {
        match e {
            TestError::UnaryExpected(x) | TestError::BinaryExpected(x) | TestError::Extra(x) => {
                format!("{x}: unexpected operator")
            }
            TestError::MissingBracket => "missing ]".into(),
            TestError::BadNumber(x) => format!("Illegal number: {x}"),
            TestError::MissingParen => "closing paren expected".into(),
            TestError::MissingArgument(x) => format!("{x}: argument expected"),
        }
    } else {
        match e {
            TestError::UnaryExpected(x) => format!("{}: unary operator expected", gnu(&x)),
            TestError::BinaryExpected(x) => format!("{}: binary operator expected", gnu(&x)),
            TestError::Extra(x) => format!("extra argument {}", gnu(&x)),
            TestError::MissingBracket => "missing ']'".into(),
            TestError::BadNumber(x) => format!("invalid integer {}", gnu(&x)),
            TestError::MissingParen => "')' expected".into(),
            TestError::MissingArgument(x) => format!("missing argument after {}", gnu(&x)),
        }
    };
    ctx.err(msg);
}

const UNARY: &[&str] = &[
    "-b", "-c", "-d", "-e", "-f", "-g", "-G", "-h", "-k", "-L", "-n", "-N", "-O", "-p", "-r", "-s",
    "-S", "-t", "-u", "-w", "-x", "-z",
];
const BINARY: &[&str] = &[
    "=", "==", "!=", "<", ">", "-eq", "-ne", "-lt", "-le", "-gt", "-ge", "-nt", "-ot", "-ef",
];

struct Eval<'c, 'a, 's> {
    ctx: &'c mut Ctx<'a>,
    args: &'s [&'s str],
    pos: usize,
}

impl<'s> Eval<'_, '_, 's> {
    fn remaining(&self) -> usize {
        self.args.len() - self.pos
    }

    fn peek(&self, k: usize) -> Option<&'s str> {
        self.args.get(self.pos + k).copied()
    }

    /// POSIX's rules by argument count, then the general grammar.
    fn top(&mut self) -> Result<bool, TestError> {
        let n = self.remaining();
        let r = match n {
            0 => return Ok(false),
            1 => {
                self.pos += 1;
                Ok(!self.args[0].is_empty())
            }
            2 => self.two(),
            3 => self.three(),
            4 if self.peek(0) == Some("!") => {
                self.pos += 1;
                self.three().map(|b| !b)
            }
            4 if self.peek(0) == Some("(") && self.peek(3) == Some(")") => {
                self.pos += 1;
                let r = self.two();
                self.pos += 1;
                r
            }
            _ => self.or(),
        }?;
        if self.pos < self.args.len() {
            return Err(TestError::Extra(self.args[self.pos].to_string()));
        }
        Ok(r)
    }

    fn two(&mut self) -> Result<bool, TestError> {
        let (a, b) = (self.args[self.pos], self.args[self.pos + 1]);
        if a == "!" {
            self.pos += 2;
            return Ok(b.is_empty());
        }
        if UNARY.contains(&a) {
            self.pos += 2;
            return self.unary(a, b);
        }
        Err(TestError::UnaryExpected(a.to_string()))
    }

    fn three(&mut self) -> Result<bool, TestError> {
        let (a, op, b) = (
            self.args[self.pos],
            self.args[self.pos + 1],
            self.args[self.pos + 2],
        );
        if BINARY.contains(&op) {
            self.pos += 3;
            return self.binary(a, op, b);
        }
        if op == "-a" || op == "-o" {
            self.pos += 3;
            return Ok(if op == "-a" {
                !a.is_empty() && !b.is_empty()
            } else {
                !a.is_empty() || !b.is_empty()
            });
        }
        if a == "!" {
            self.pos += 1;
            return self.two().map(|r| !r);
        }
        if a == "(" && b == ")" {
            self.pos += 3;
            return Ok(!op.is_empty());
        }
        Err(TestError::BinaryExpected(op.to_string()))
    }

    fn or(&mut self) -> Result<bool, TestError> {
        let mut v = self.and()?;
        while self.peek(0) == Some("-o") {
            self.pos += 1;
            let r = self.and()?;
            v = v || r;
        }
        Ok(v)
    }

    fn and(&mut self) -> Result<bool, TestError> {
        let mut v = self.not()?;
        while self.peek(0) == Some("-a") {
            self.pos += 1;
            let r = self.not()?;
            v = v && r;
        }
        Ok(v)
    }

    fn not(&mut self) -> Result<bool, TestError> {
        if self.peek(0) == Some("!") && self.remaining() > 1 {
            self.pos += 1;
            return self.not().map(|b| !b);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<bool, TestError> {
        let Some(a) = self.peek(0) else {
            let last = self.args.last().copied().unwrap_or("");
            return Err(TestError::MissingArgument(last.to_string()));
        };
        if a == "(" && self.remaining() > 1 {
            self.pos += 1;
            let v = self.or()?;
            if self.peek(0) != Some(")") {
                return Err(TestError::MissingParen);
            }
            self.pos += 1;
            return Ok(v);
        }
        if let Some(op) = self.peek(1)
            && BINARY.contains(&op)
            && self.remaining() >= 3
        {
            let b = self.args[self.pos + 2];
            self.pos += 3;
            return self.binary(a, op, b);
        }
        if UNARY.contains(&a) {
            let Some(b) = self.peek(1) else {
                return Err(TestError::MissingArgument(a.to_string()));
            };
            self.pos += 2;
            return self.unary(a, b);
        }
        self.pos += 1;
        Ok(!a.is_empty())
    }

    fn number(&self, s: &str) -> Result<i64, TestError> {
        let t = if self.ctx.dash {
            s.trim_start()
        } else {
            s.trim()
        };
        let (neg, digits) = match t.strip_prefix('-') {
            Some(d) => (true, d),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(TestError::BadNumber(s.to_string()));
        }
        let v: i64 = digits
            .parse()
            .map_err(|_| TestError::BadNumber(s.to_string()))?;
        Ok(if neg { -v } else { v })
    }

    fn binary(&mut self, a: &str, op: &str, b: &str) -> Result<bool, TestError> {
        Ok(match op {
            "=" | "==" => a == b,
            "!=" => a != b,
            "<" => a.as_bytes() < b.as_bytes(),
            ">" => a.as_bytes() > b.as_bytes(),
            "-nt" | "-ot" => {
                let ma = fsx::stat(self.ctx.fs, &self.ctx.path(a))
                    .ok()
                    .map(|m| m.mtime);
                let mb = fsx::stat(self.ctx.fs, &self.ctx.path(b))
                    .ok()
                    .map(|m| m.mtime);
                match (ma, mb, op) {
                    (Some(x), Some(y), "-nt") => x > y,
                    (Some(x), Some(y), _) => x < y,
                    // GNU's test also counts an existing file as newer than
                    // a missing one; dash's builtin needs both.
                    (Some(_), None, "-nt") | (None, Some(_), "-ot") => !self.ctx.dash,
                    _ => false,
                }
            }
            "-ef" => {
                let ra = std::fs::canonicalize(self.ctx.fs.real_path(&self.ctx.path(a)));
                let rb = std::fs::canonicalize(self.ctx.fs.real_path(&self.ctx.path(b)));
                matches!((ra, rb), (Ok(x), Ok(y)) if x == y)
            }
            _ => {
                let (x, y) = (self.number(a)?, self.number(b)?);
                match op {
                    "-eq" => x == y,
                    "-ne" => x != y,
                    "-lt" => x < y,
                    "-le" => x <= y,
                    "-gt" => x > y,
                    _ => x >= y,
                }
            }
        })
    }

    fn unary(&mut self, op: &str, arg: &str) -> Result<bool, TestError> {
        let fs = self.ctx.fs;
        let p = self.ctx.path(arg);
        let follow = || fsx::stat(fs, &p);
        Ok(match op {
            "-n" => !arg.is_empty(),
            "-z" => arg.is_empty(),
            "-e" => !arg.is_empty() && follow().is_ok(),
            "-f" => !arg.is_empty() && follow().is_ok_and(|m| m.kind == FileKind::File),
            "-d" => !arg.is_empty() && follow().is_ok_and(|m| m.kind == FileKind::Dir),
            "-s" => !arg.is_empty() && follow().is_ok_and(|m| m.len > 0),
            "-h" | "-L" => {
                !arg.is_empty() && fs.metadata(&p).is_ok_and(|m| m.kind == FileKind::Symlink)
            }
            "-r" | "-w" | "-x" => !arg.is_empty() && self.access(&p, op),
            "-u" => follow().is_ok_and(|m| m.mode & 0o4000 != 0),
            "-g" => follow().is_ok_and(|m| m.mode & 0o2000 != 0),
            "-k" => follow().is_ok_and(|m| m.mode & 0o1000 != 0),
            "-O" => follow().is_ok_and(|m| m.user == self.ctx.user),
            "-G" => follow().is_ok_and(|m| m.group == self.ctx.user),
            "-t" => {
                self.number(arg)?;
                false
            }
            "-N" => follow().is_ok(),
            // No block or character devices, pipes or sockets on a simulated
            // host.
            _ => false,
        })
    }

    /// Whether the running user may read, write or execute `p`, from the
    /// owner and permission bits (root may do anything but execute a file
    /// without an execute bit).
    fn access(&self, p: &Path, op: &str) -> bool {
        let Ok(m) = fsx::stat(self.ctx.fs, p) else {
            return false;
        };
        let bit = match op {
            "-r" => 4,
            "-w" => 2,
            _ => 1,
        };
        if self.ctx.user == "root" {
            return bit != 1 || m.is_dir() || m.mode & 0o111 != 0;
        }
        let shift = if m.user == self.ctx.user {
            6
        } else if m.group == self.ctx.user {
            3
        } else {
            0
        };
        (m.mode >> shift) & bit != 0
    }
}
