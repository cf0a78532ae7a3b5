//! `$(( ))`: integer arithmetic as dash evaluates it.

use super::Shell;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Num(i64),
    Name(String),
    Op(&'static str),
    LParen,
    RParen,
}

const OPS: &[&str] = &[
    "<<=", ">>=", "&&", "||", "==", "!=", "<=", ">=", "<<", ">>", "+=", "-=", "*=", "/=", "%=",
    "&=", "|=", "^=", "+", "-", "*", "/", "%", "<", ">", "&", "|", "^", "!", "~", "?", ":", "=",
    ",",
];

fn tokenize(s: &str) -> Result<Vec<Tok>, String> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c.is_ascii_digit() {
            // As dash reads them: `0x` hex, a leading 0 octal, else decimal;
            // what follows (the 8 of `08`) is another token.
            let start = i;
            let radix = if c == '0' && matches!(chars.get(i + 1), Some('x' | 'X')) {
                i += 2;
                16
            } else if c == '0' {
                8
            } else {
                10
            };
            while i < chars.len() && chars[i].is_digit(radix) {
                i += 1;
            }
            let text: String = chars[start..i].iter().collect();
            out.push(Tok::Num(
                parse_number(&text).ok_or_else(|| "expecting primary".to_string())?,
            ));
            continue;
        }
        if c.is_ascii_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_') {
                i += 1;
            }
            out.push(Tok::Name(chars[start..i].iter().collect()));
            continue;
        }
        if c == '(' {
            out.push(Tok::LParen);
            i += 1;
            continue;
        }
        if c == ')' {
            out.push(Tok::RParen);
            i += 1;
            continue;
        }
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        match OPS.iter().find(|op| rest.starts_with(**op)) {
            Some(op) => {
                out.push(Tok::Op(op));
                i += op.len();
            }
            None => return Err("expecting primary".into()),
        }
    }
    Ok(out)
}

/// Decimal, octal (`017`) or hexadecimal (`0x1f`).
fn parse_number(t: &str) -> Option<i64> {
    if t == "0" {
        return Some(0);
    }
    if let Some(hex) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return i64::from_str_radix(hex, 16).ok();
    }
    if t.len() > 1 && t.starts_with('0') {
        return i64::from_str_radix(&t[1..], 8).ok();
    }
    t.parse().ok()
}

/// Access to variables during evaluation.
trait Vars {
    fn get(&mut self, name: &str) -> Result<i64, String>;
    fn set(&mut self, name: &str, v: i64) -> Result<(), String>;
}

struct Eval<'a> {
    toks: Vec<Tok>,
    pos: usize,
    vars: &'a mut dyn Vars,
}

fn binary_prec(op: &str) -> Option<u8> {
    Some(match op {
        "||" => 1,
        "&&" => 2,
        "|" => 3,
        "^" => 4,
        "&" => 5,
        "==" | "!=" => 6,
        "<" | ">" | "<=" | ">=" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "%" => 10,
        _ => return None,
    })
}

impl Eval<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    /// assignment / conditional level. `live` is false in a branch that
    /// is not taken: nothing is assigned or divided there.
    fn expr(&mut self, live: bool) -> Result<i64, String> {
        if let (Some(Tok::Name(name)), Some(Tok::Op(op))) = (
            self.toks.get(self.pos).cloned(),
            self.toks.get(self.pos + 1),
        ) && (op.ends_with('=') && !matches!(*op, "==" | "!=" | "<=" | ">="))
        {
            let op = *op;
            self.pos += 2;
            let rhs = self.expr(live)?;
            if !live {
                return Ok(rhs);
            }
            let value = if op == "=" {
                rhs
            } else {
                let cur = self.vars.get(&name)?;
                apply(&op[..op.len() - 1], cur, rhs)?
            };
            self.vars.set(&name, value)?;
            return Ok(value);
        }
        let cond = self.binary(0, live)?;
        if self.peek() == Some(&Tok::Op("?")) {
            self.pos += 1;
            let a = self.expr(live && cond != 0)?;
            if self.peek() != Some(&Tok::Op(":")) {
                return Err("expecting ':'".into());
            }
            self.pos += 1;
            let b = self.expr(live && cond == 0)?;
            return Ok(if cond != 0 { a } else { b });
        }
        Ok(cond)
    }

    fn binary(&mut self, min: u8, live: bool) -> Result<i64, String> {
        let mut lhs = self.unary(live)?;
        while let Some(Tok::Op(op)) = self.peek().cloned() {
            let Some(prec) = binary_prec(op) else {
                break;
            };
            if prec <= min {
                break;
            }
            self.pos += 1;
            let rhs_live = match op {
                "&&" => live && lhs != 0,
                "||" => live && lhs == 0,
                _ => live,
            };
            let rhs = self.binary(prec, rhs_live)?;
            lhs = match op {
                "&&" => i64::from(lhs != 0 && rhs != 0),
                "||" => i64::from(lhs != 0 || rhs != 0),
                _ if !live => 0,
                _ => apply(op, lhs, rhs)?,
            };
        }
        Ok(lhs)
    }

    fn unary(&mut self, live: bool) -> Result<i64, String> {
        match self.peek().cloned() {
            Some(Tok::Op(op @ ("-" | "+" | "!" | "~"))) => {
                self.pos += 1;
                let v = self.unary(live)?;
                Ok(match op {
                    "-" => v.wrapping_neg(),
                    "+" => v,
                    "!" => i64::from(v == 0),
                    _ => !v,
                })
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(n)
            }
            Some(Tok::Name(name)) => {
                self.pos += 1;
                if live { self.vars.get(&name) } else { Ok(0) }
            }
            Some(Tok::LParen) => {
                self.pos += 1;
                let v = self.expr(live)?;
                if self.peek() != Some(&Tok::RParen) {
                    return Err("expecting ')'".into());
                }
                self.pos += 1;
                Ok(v)
            }
            _ => Err("expecting primary".into()),
        }
    }
}

fn apply(op: &str, a: i64, b: i64) -> Result<i64, String> {
    Ok(match op {
        "+" => a.wrapping_add(b),
        "-" => a.wrapping_sub(b),
        "*" => a.wrapping_mul(b),
        "/" | "%" => {
            if b == 0 {
                return Err("division by zero".into());
            }
            if op == "/" {
                a.wrapping_div(b)
            } else {
                a.wrapping_rem(b)
            }
        }
        "<<" => a.wrapping_shl(b as u32),
        ">>" => a.wrapping_shr(b as u32),
        "<" => i64::from(a < b),
        ">" => i64::from(a > b),
        "<=" => i64::from(a <= b),
        ">=" => i64::from(a >= b),
        "==" => i64::from(a == b),
        "!=" => i64::from(a != b),
        "&" => a & b,
        "|" => a | b,
        "^" => a ^ b,
        _ => return Err("expecting primary".into()),
    })
}

struct ShellVars<'s, 'h> {
    shell: &'s mut Shell<'h>,
}

impl Vars for ShellVars<'_, '_> {
    fn get(&mut self, name: &str) -> Result<i64, String> {
        match self.shell.get_var(name) {
            None => {
                if self.shell.opts.nounset {
                    return Err(format!("{name}: parameter not set"));
                }
                Ok(0)
            }
            Some(v) if v.trim().is_empty() => Ok(0),
            Some(v) => {
                let t = v.trim();
                let (neg, digits) = match t.strip_prefix('-') {
                    Some(d) => (true, d),
                    None => (false, t.strip_prefix('+').unwrap_or(t)),
                };
                let n = parse_number(digits).ok_or_else(|| format!("Illegal number: {v}"))?;
                Ok(if neg { -n } else { n })
            }
        }
    }

    fn set(&mut self, name: &str, v: i64) -> Result<(), String> {
        self.shell.set_var(name, v.to_string())
    }
}

impl Shell<'_> {
    /// Evaluates an arithmetic expression; the error is dash's message.
    pub(crate) fn arith(&mut self, text: &str) -> Result<i64, String> {
        let toks = tokenize(text).map_err(|e| arith_error(&e, text))?;
        let mut vars = ShellVars { shell: self };
        let mut ev = Eval {
            toks,
            pos: 0,
            vars: &mut vars,
        };
        let v = ev.expr(true).map_err(|e| arith_error(&e, text))?;
        if ev.pos != ev.toks.len() {
            return Err(arith_error("expecting EOF", text));
        }
        Ok(v)
    }
}

fn arith_error(e: &str, text: &str) -> String {
    if e.starts_with("Illegal number")
        || e.ends_with("parameter not set")
        || e.ends_with("is read only")
    {
        e.to_string()
    } else {
        format!("arithmetic expression: {e}: \"{text}\"")
    }
}
