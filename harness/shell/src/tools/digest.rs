//! `md5sum`, including `-c` with GNU and BSD (`MD5 (name) = hex`) lines.

use md5::{Digest, Md5};

use super::args::{Spec, Takes};
use super::{Ctx, lines};
use crate::errno;
use crate::quote::gnu_if_needed;

fn hex(data: &[u8]) -> String {
    let digest = Md5::digest(data);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn md5sum(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("check", Takes::No, 'c'),
        ("binary", Takes::No, 'b'),
        ("text", Takes::No, 't'),
        ("tag", Takes::No, 'T'),
        ("quiet", Takes::No, 'Q'),
        ("status", Takes::No, 'S'),
        ("strict", Takes::No, 'X'),
        ("warn", Takes::No, 'w'),
        ("ignore-missing", Takes::No, 'I'),
    ];
    let spec = Spec {
        flags: "cbtwz",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let ops: Vec<String> = if p.operands.is_empty() {
        vec!["-".into()]
    } else {
        p.operands.clone()
    };
    if p.has('c') {
        return check(ctx, &ops, p.has('Q'), p.has('S'), p.has('I'));
    }
    let mut status = 0;
    let mut text = String::new();
    for op in &ops {
        match ctx.read_input(op) {
            Ok(d) => {
                let h = hex(&d);
                if p.has('T') {
                    text.push_str(&format!("MD5 ({op}) = {h}\n"));
                } else {
                    let mark = if p.has('b') { '*' } else { ' ' };
                    text.push_str(&format!("{h} {mark}{op}\n"));
                }
            }
            Err(e) => {
                ctx.out(std::mem::take(&mut text));
                ctx.err(format!("{}: {}", gnu_if_needed(op), errno::text(&e)));
                status = 1;
            }
        }
    }
    ctx.out(text);
    status
}

/// One checksum line: the expected hex digest and the file name.
fn parse_line(line: &str) -> Option<(String, String)> {
    if let Some(rest) = line.strip_prefix("MD5 (")
        && let Some((name, h)) = rest.rsplit_once(") = ")
    {
        return valid_hex(h).then(|| (h.to_ascii_lowercase(), name.to_string()));
    }
    let (h, rest) = line.split_at_checked(32)?;
    if !valid_hex(h) {
        return None;
    }
    let name = rest
        .strip_prefix("  ")
        .or_else(|| rest.strip_prefix(" *"))?;
    Some((h.to_ascii_lowercase(), name.to_string()))
}

fn valid_hex(h: &str) -> bool {
    h.len() == 32 && h.chars().all(|c| c.is_ascii_hexdigit())
}

fn check(
    ctx: &mut Ctx,
    ops: &[String],
    quiet: bool,
    status_only: bool,
    ignore_missing: bool,
) -> i32 {
    let mut status = 0;
    for op in ops {
        let data = match ctx.read_input(op) {
            Ok(d) => d,
            Err(e) => {
                ctx.err(format!("{}: {}", gnu_if_needed(op), errno::text(&e)));
                status = 1;
                continue;
            }
        };
        let (mut bad_format, mut failed, mut unreadable, mut good) = (0, 0, 0, 0);
        let mut text = String::new();
        for line in lines(&data) {
            let line = String::from_utf8_lossy(line);
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let Some((want, name)) = parse_line(&line) else {
                bad_format += 1;
                continue;
            };
            match ctx.read_input(&name) {
                Ok(content) => {
                    if hex(&content) == want {
                        good += 1;
                        if !quiet && !status_only {
                            text.push_str(&format!("{name}: OK\n"));
                        }
                    } else {
                        failed += 1;
                        if !status_only {
                            text.push_str(&format!("{name}: FAILED\n"));
                        }
                    }
                }
                Err(e) => {
                    if ignore_missing && errno::is(&e, errno::ENOENT) {
                        continue;
                    }
                    unreadable += 1;
                    if !status_only {
                        ctx.out(std::mem::take(&mut text));
                        ctx.err(format!("{}: {}", gnu_if_needed(&name), errno::text(&e)));
                        text.push_str(&format!("{name}: FAILED open or read\n"));
                    }
                }
            }
        }
        ctx.out(text);
        if good == 0 && failed == 0 && unreadable == 0 {
            ctx.err(format!(
                "{}: no properly formatted checksum lines found",
                gnu_if_needed(op)
            ));
            status = 1;
            continue;
        }
        if !status_only {
            let plural = |n: usize, one: &str, many: &str| {
                if n == 1 {
                    one.to_string()
                } else {
                    many.to_string()
                }
            };
            if bad_format > 0 {
                ctx.err(format!(
                    "WARNING: {bad_format} {} improperly formatted",
                    plural(bad_format, "line is", "lines are")
                ));
            }
            if unreadable > 0 {
                ctx.err(format!(
                    "WARNING: {unreadable} listed {} could not be read",
                    plural(unreadable, "file", "files")
                ));
            }
            if failed > 0 {
                ctx.err(format!(
                    "WARNING: {failed} computed {} did NOT match",
                    plural(failed, "checksum", "checksums")
                ));
            }
        }
        if failed > 0 || unreadable > 0 {
            status = 1;
        }
    }
    status
}
