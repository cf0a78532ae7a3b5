//! `printf`: dash's builtin and GNU's `/usr/bin/printf` (same formats;
//! the error wording follows whichever is running).

use super::Ctx;
use super::echo::escapes;

/// A numeric argument: decimal, octal, hex, or `'c` for a character code.
fn parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    if let Some(rest) = t.strip_prefix('\'').or_else(|| t.strip_prefix('"')) {
        return Some(rest.chars().next().map(|c| c as i64).unwrap_or(0));
    }
    let (neg, body) = match t.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let v = if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()?
    } else if body.len() > 1 && body.starts_with('0') {
        i64::from_str_radix(&body[1..], 8).ok()?
    } else {
        body.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

struct Args<'a> {
    list: &'a [String],
    pos: usize,
}

impl Args<'_> {
    fn next(&mut self) -> Option<&str> {
        let a = self.list.get(self.pos)?;
        self.pos += 1;
        Some(a)
    }
}

pub(crate) fn printf(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let mut rest = &argv[1..];
    if rest.first().map(|s| s.as_str()) == Some("--") {
        rest = &rest[1..];
    }
    let Some(format) = rest.first() else {
        if ctx.dash {
            ctx.err("usage: printf format [arg ...]");
            return 2;
        }
        return ctx.usage("missing operand", 1);
    };
    let mut args = Args {
        list: &rest[1..],
        pos: 0,
    };
    let mut out = Vec::new();
    let mut status = 0;
    loop {
        let before = args.pos;
        let stop = format_once(ctx, format, &mut args, &mut out, &mut status);
        if stop || args.pos >= args.list.len() || args.pos == before {
            break;
        }
    }
    ctx.out(&out);
    status
}

/// One pass over the format; true when `\c` ended the output.
fn format_once(
    ctx: &mut Ctx,
    format: &str,
    args: &mut Args,
    out: &mut Vec<u8>,
    status: &mut i32,
) -> bool {
    let f: Vec<char> = format.chars().collect();
    let mut i = 0;
    while i < f.len() {
        let c = f[i];
        if c == '\\' {
            let mut j = i + 1;
            // Collect one escape sequence and decode it.
            if j < f.len() {
                j += 1;
                if f[i + 1].is_digit(8) {
                    while j < f.len() && j < i + 4 && f[j].is_digit(8) {
                        j += 1;
                    }
                } else if f[i + 1] == 'x' {
                    while j < f.len() && j < i + 4 && f[j].is_ascii_hexdigit() {
                        j += 1;
                    }
                }
            }
            let seq: String = f[i..j].iter().collect();
            // In a format, `\NNN` is octal without the leading zero.
            let seq =
                if seq.len() > 1 && seq.as_bytes()[1].is_ascii_digit() && !seq.starts_with("\\0") {
                    format!("\\0{}", &seq[1..])
                } else {
                    seq
                };
            if escapes(&seq, out, true) {
                return true;
            }
            i = j;
            continue;
        }
        if c != '%' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            i += 1;
            continue;
        }
        i += 1;
        if i < f.len() && f[i] == '%' {
            out.push(b'%');
            i += 1;
            continue;
        }
        let mut flags = String::new();
        while i < f.len() && "-+ #0".contains(f[i]) {
            flags.push(f[i]);
            i += 1;
        }
        let mut width = String::new();
        if i < f.len() && f[i] == '*' {
            width = args
                .next()
                .map(|a| parse_int(a).unwrap_or(0).to_string())
                .unwrap_or_default();
            i += 1;
        } else {
            while i < f.len() && f[i].is_ascii_digit() {
                width.push(f[i]);
                i += 1;
            }
        }
        let mut prec: Option<usize> = None;
        if i < f.len() && f[i] == '.' {
            i += 1;
            let mut p = String::new();
            if i < f.len() && f[i] == '*' {
                p = args
                    .next()
                    .map(|a| parse_int(a).unwrap_or(0).to_string())
                    .unwrap_or_default();
                i += 1;
            } else {
                while i < f.len() && f[i].is_ascii_digit() {
                    p.push(f[i]);
                    i += 1;
                }
            }
            prec = Some(p.parse().unwrap_or(0));
        }
        // Length modifiers are accepted and ignored.
        while i < f.len() && "hlL".contains(f[i]) {
            i += 1;
        }
        let Some(&conv) = f.get(i) else {
            ctx.err(format!("%{flags}{width}: invalid conversion specification"));
            *status = 1;
            return true;
        };
        i += 1;
        let width: usize = width.trim_start_matches('-').parse().unwrap_or(0);
        let left = flags.contains('-');
        let body: Vec<u8> = match conv {
            's' => {
                let mut s = args.next().unwrap_or("").to_string();
                if let Some(p) = prec {
                    s = s.chars().take(p).collect();
                }
                s.into_bytes()
            }
            'b' => {
                let mut v = Vec::new();
                let stop = escapes(args.next().unwrap_or(""), &mut v, false);
                if stop {
                    out.extend(pad(v, width, left, false));
                    return true;
                }
                v
            }
            'c' => args
                .next()
                .and_then(|a| a.chars().next())
                .map(|c| c.to_string().into_bytes())
                .unwrap_or_default(),
            'd' | 'i' | 'o' | 'u' | 'x' | 'X' => {
                let a = args.next().unwrap_or("");
                let v = number_arg(ctx, a, status);
                let digits = match conv {
                    'o' => format!("{:o}", v),
                    'x' => format!("{:x}", v),
                    'X' => format!("{:X}", v),
                    'u' => format!("{}", v as u64),
                    _ => v.unsigned_abs().to_string(),
                };
                let digits = match prec {
                    Some(p) if digits.len() < p => {
                        format!("{}{digits}", "0".repeat(p - digits.len()))
                    }
                    _ => digits,
                };
                let sign = if matches!(conv, 'd' | 'i') {
                    if v < 0 {
                        "-"
                    } else if flags.contains('+') {
                        "+"
                    } else if flags.contains(' ') {
                        " "
                    } else {
                        ""
                    }
                } else {
                    ""
                };
                let alt = if flags.contains('#') {
                    match conv {
                        'o' if !digits.starts_with('0') => "0",
                        'x' if v != 0 => "0x",
                        'X' if v != 0 => "0X",
                        _ => "",
                    }
                } else {
                    ""
                };
                let zero = flags.contains('0') && !left && prec.is_none();
                let head = format!("{sign}{alt}");
                if zero && head.len() + digits.len() < width {
                    format!(
                        "{head}{}{digits}",
                        "0".repeat(width - head.len() - digits.len())
                    )
                    .into_bytes()
                } else {
                    format!("{head}{digits}").into_bytes()
                }
            }
            'f' | 'F' | 'e' | 'E' | 'g' | 'G' => {
                let a = args.next().unwrap_or("0");
                let v: f64 = match a.trim().parse() {
                    Ok(v) => v,
                    Err(_) => number_arg(ctx, a, status) as f64,
                };
                let p = prec.unwrap_or(6);
                let s = match conv {
                    'f' | 'F' => format!("{v:.p$}"),
                    'e' | 'E' => c_exp(v, p, conv == 'E'),
                    _ => c_general(v, p, conv == 'G'),
                };
                let s = if flags.contains('+') && v >= 0.0 {
                    format!("+{s}")
                } else {
                    s
                };
                if flags.contains('0') && !left && s.len() < width {
                    let (sign, digits) = if s.starts_with(['-', '+']) {
                        s.split_at(1)
                    } else {
                        ("", s.as_str())
                    };
                    format!("{sign}{}{digits}", "0".repeat(width - s.len())).into_bytes()
                } else {
                    s.into_bytes()
                }
            }
            other => {
                if ctx.dash {
                    ctx.err(format!("%{other}: invalid directive"));
                    *status = 2;
                } else {
                    ctx.err(format!("%{other}: invalid conversion specification"));
                    *status = 1;
                }
                return true;
            }
        };
        out.extend(pad(body, width, left, false));
    }
    false
}

fn pad(body: Vec<u8>, width: usize, left: bool, _zero: bool) -> Vec<u8> {
    let len = String::from_utf8_lossy(&body).chars().count();
    if len >= width {
        return body;
    }
    let fill = vec![b' '; width - len];
    if left {
        [body, fill].concat()
    } else {
        [fill, body].concat()
    }
}

fn number_arg(ctx: &mut Ctx, a: &str, status: &mut i32) -> i64 {
    if a.is_empty() {
        return 0;
    }
    match parse_int(a) {
        Some(v) => v,
        None => {
            *status = 1;
            if ctx.dash {
                ctx.err(format!("{a}: expected numeric value"));
            } else {
                ctx.err(format!(
                    "{}: expected a numeric value",
                    crate::quote::gnu(a)
                ));
            }
            // The digits that did parse, as strtol would give.
            let lead: String = a
                .trim_start()
                .chars()
                .enumerate()
                .take_while(|(i, c)| c.is_ascii_digit() || (*i == 0 && (*c == '-' || *c == '+')))
                .map(|(_, c)| c)
                .collect();
            lead.parse().unwrap_or(0)
        }
    }
}

/// C's `%e`: mantissa and a signed exponent of at least two digits.
fn c_exp(v: f64, p: usize, upper: bool) -> String {
    let s = format!("{v:.p$e}");
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if exp < 0 { '-' } else { '+' };
    let e = if upper { 'E' } else { 'e' };
    format!("{mant}{e}{sign}{:02}", exp.abs())
}

/// C's `%g`.
fn c_general(v: f64, p: usize, upper: bool) -> String {
    let p = p.max(1);
    if v == 0.0 {
        return "0".into();
    }
    let exp = v.abs().log10().floor() as i32;
    if exp < -4 || exp >= p as i32 {
        let s = c_exp(v, p - 1, upper);
        let (mant, rest) = s.split_at(s.find(['e', 'E']).unwrap_or(s.len()));
        let mant = if mant.contains('.') {
            mant.trim_end_matches('0').trim_end_matches('.')
        } else {
            mant
        };
        format!("{mant}{rest}")
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }
}
