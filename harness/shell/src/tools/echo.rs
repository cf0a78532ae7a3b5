//! `echo`: dash's builtin (always interprets escapes, only `-n`) and GNU's
//! `/bin/echo` (`-n`, `-e`, `-E`).

use super::Ctx;

/// dash's `echo`.
pub(crate) fn dash_echo(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let mut args = &argv[1..];
    let mut newline = true;
    if args.first().map(|s| s.as_str()) == Some("-n") {
        newline = false;
        args = &args[1..];
    }
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if escapes(a, &mut out, false) {
            ctx.out(&out);
            return 0;
        }
    }
    if newline {
        out.push(b'\n');
    }
    ctx.out(&out);
    0
}

/// GNU coreutils' `echo`.
pub(crate) fn gnu_echo(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let mut args = &argv[1..];
    let mut newline = true;
    let mut interpret = false;
    while let Some(a) = args.first() {
        if a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| matches!(c, 'n' | 'e' | 'E'))
        {
            for c in a[1..].chars() {
                match c {
                    'n' => newline = false,
                    'e' => interpret = true,
                    _ => interpret = false,
                }
            }
            args = &args[1..];
        } else {
            break;
        }
    }
    let mut out = Vec::new();
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            out.push(b' ');
        }
        if interpret {
            if escapes(a, &mut out, true) {
                ctx.out(&out);
                return 0;
            }
        } else {
            out.extend_from_slice(a.as_bytes());
        }
    }
    if newline {
        out.push(b'\n');
    }
    ctx.out(&out);
    0
}

/// Interprets backslash escapes into `out`; true when `\c` stops all
/// further output. `hex` enables GNU's `\xHH`.
pub(crate) fn escapes(s: &str, out: &mut Vec<u8>, hex: bool) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' || i + 1 >= b.len() {
            out.push(b[i]);
            i += 1;
            continue;
        }
        let c = b[i + 1];
        i += 2;
        match c {
            b'a' => out.push(7),
            b'b' => out.push(8),
            b'c' => return true,
            b'e' => out.push(27),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'\\' => out.push(b'\\'),
            b'0'..=b'7' => {
                // `\0NNN` (and dash's `\NNN`).
                let mut v: u32 = 0;
                let mut n = 0;
                let max = if c == b'0' { 3 } else { 2 };
                if c != b'0' {
                    v = u32::from(c - b'0');
                }
                while n < max && i < b.len() && (b'0'..=b'7').contains(&b[i]) {
                    v = v * 8 + u32::from(b[i] - b'0');
                    i += 1;
                    n += 1;
                }
                out.push((v & 0xff) as u8);
            }
            b'x' if hex => {
                let mut v: u32 = 0;
                let mut n = 0;
                while n < 2 && i < b.len() && b[i].is_ascii_hexdigit() {
                    v = v * 16 + (b[i] as char).to_digit(16).unwrap_or(0);
                    i += 1;
                    n += 1;
                }
                if n == 0 {
                    out.extend_from_slice(b"\\x");
                } else {
                    out.push(v as u8);
                }
            }
            other => {
                out.push(b'\\');
                out.push(other);
            }
        }
    }
    false
}
