//! `cat`, `less`/`more`, `head`, `tail`, `wc`, `tee`.

use super::args::{Spec, Takes};
use super::{Ctx, lines, parse_count};
use crate::errno;
use crate::quote::{gnu, gnu_if_needed};
use crate::streams::Sink;

pub(crate) fn cat(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("number", Takes::No, 'n'),
        ("number-nonblank", Takes::No, 'b'),
        ("show-ends", Takes::No, 'E'),
        ("show-tabs", Takes::No, 'T'),
        ("squeeze-blank", Takes::No, 's'),
        ("show-all", Takes::No, 'A'),
    ];
    let spec = Spec {
        flags: "nbETsAuv",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let number = p.has('n') || p.has('b');
    let nonblank = p.has('b');
    let ends = p.has('E') || p.has('A');
    let tabs = p.has('T') || p.has('A');
    let squeeze = p.has('s');
    let plain = !(number || ends || tabs || squeeze);
    let ops: Vec<String> = if p.operands.is_empty() {
        vec!["-".into()]
    } else {
        p.operands.clone()
    };
    let mut status = 0;
    let mut lineno = 0u64;
    let mut prev_blank = false;
    for op in ops {
        let data = match ctx.read_input(&op) {
            Ok(d) => d,
            Err(e) => {
                ctx.err(format!("{}: {}", gnu_if_needed(&op), errno::text(&e)));
                status = 1;
                continue;
            }
        };
        if plain {
            ctx.out(&data);
            continue;
        }
        let mut out = Vec::new();
        for (i, chunk) in data.split_inclusive(|&b| b == b'\n').enumerate() {
            let _ = i;
            let has_nl = chunk.ends_with(b"\n");
            let body = if has_nl {
                &chunk[..chunk.len() - 1]
            } else {
                chunk
            };
            let blank = body.is_empty();
            if squeeze && blank && prev_blank {
                continue;
            }
            prev_blank = blank;
            if number && !(nonblank && blank) {
                lineno += 1;
                out.extend_from_slice(format!("{lineno:>6}\t").as_bytes());
            }
            for &b in body {
                if tabs && b == b'\t' {
                    out.extend_from_slice(b"^I");
                } else {
                    out.push(b);
                }
            }
            if has_nl {
                if ends {
                    out.push(b'$');
                }
                out.push(b'\n');
            }
        }
        ctx.out(&out);
    }
    status
}

/// `less` and `more` when their output is not a terminal: `cat`, with
/// `more`'s banner between several files.
pub(crate) fn pager(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let is_more = argv[0].ends_with("more");
    let files: Vec<String> = argv[1..]
        .iter()
        .filter(|a| !a.starts_with('-') && !a.starts_with('+'))
        .cloned()
        .collect();
    if files.is_empty() {
        let data = ctx.stdin().borrow_mut().read_rest();
        ctx.out(&data);
        return 0;
    }
    let mut status = 0;
    let several = files.len() > 1;
    for f in &files {
        match ctx.read_input(f) {
            Ok(d) => {
                if is_more && several {
                    ctx.out(format!("::::::::::::::\n{f}\n::::::::::::::\n"));
                }
                ctx.out(&d);
            }
            Err(e) => {
                if errno::is(&e, errno::EISDIR) {
                    ctx.err(format!("{f} is a directory"));
                } else {
                    ctx.err(format!("{f}: {}", errno::text(&e)));
                }
                status = 1;
            }
        }
    }
    status
}

/// `-5` is `-n 5` for head and tail; `+5` is `-n +5` for tail.
fn legacy_count(argv: &[String], tail: bool) -> Vec<String> {
    let mut out = vec![argv[0].clone()];
    let mut takes_value = false;
    for (i, a) in argv[1..].iter().enumerate() {
        if takes_value {
            takes_value = false;
            out.push(a.clone());
            continue;
        }
        if matches!(a.as_str(), "-n" | "-c" | "--lines" | "--bytes") {
            takes_value = true;
            out.push(a.clone());
            continue;
        }
        let digits = a
            .strip_prefix('-')
            .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        let plus = a
            .strip_prefix('+')
            .filter(|d| tail && i == 0 && !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()));
        if let Some(d) = digits {
            out.push("-n".into());
            out.push(d.into());
        } else if let Some(d) = plus {
            out.push("-n".into());
            out.push(format!("+{d}"));
        } else {
            out.push(a.clone());
        }
    }
    out
}

const HEAD_TAIL_LONG: &[(&str, Takes, char)] = &[
    ("lines", Takes::Required, 'n'),
    ("bytes", Takes::Required, 'c'),
    ("quiet", Takes::No, 'q'),
    ("silent", Takes::No, 'q'),
    ("verbose", Takes::No, 'v'),
    ("follow", Takes::Optional, 'f'),
];

pub(crate) fn head(ctx: &mut Ctx, argv: &[String]) -> i32 {
    head_tail(ctx, argv, false)
}

pub(crate) fn tail(ctx: &mut Ctx, argv: &[String]) -> i32 {
    head_tail(ctx, argv, true)
}

fn head_tail(ctx: &mut Ctx, argv: &[String], is_tail: bool) -> i32 {
    let argv = legacy_count(argv, is_tail);
    let spec = Spec {
        flags: if is_tail { "qvfF" } else { "qv" },
        with_arg: "nc",
        long: HEAD_TAIL_LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(&argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if p.has('f') || p.has('F') {
        ctx.err("following a file is not possible here: the step would never end");
        return 1;
    }
    let bytes = p
        .opts
        .iter()
        .rev()
        .find(|(k, _)| matches!(k, 'n' | 'c'))
        .is_some_and(|(k, _)| *k == 'c');
    let spec_text = p
        .value(if bytes { 'c' } else { 'n' })
        .unwrap_or("10")
        .to_string();
    let (sign, digits) = match spec_text.chars().next() {
        Some(c @ ('+' | '-')) => (Some(c), &spec_text[1..]),
        _ => (None, spec_text.as_str()),
    };
    let Some(count) = parse_count(digits) else {
        let what = if bytes { "bytes" } else { "lines" };
        ctx.err(format!("invalid number of {what}: {}", gnu(&spec_text)));
        return 1;
    };
    let count = count as usize;
    let ops: Vec<String> = if p.operands.is_empty() {
        vec!["-".into()]
    } else {
        p.operands.clone()
    };
    let headers = (ops.len() > 1 && !p.has('q')) || p.has('v');
    let mut status = 0;
    let mut first = true;
    for op in &ops {
        // `head` from the front needs only a prefix; the rest is never read.
        let read = if !is_tail && sign != Some('-') {
            // Bytes or lines seen so far, counted chunk by chunk.
            let mut seen = 0usize;
            ctx.read_input_until(op, |chunk: &[u8]| {
                seen += if bytes {
                    chunk.len()
                } else {
                    chunk.iter().filter(|b| **b == b'\n').count()
                };
                seen >= count
            })
        } else {
            ctx.read_input(op)
        };
        let data = match read {
            Ok(d) => d,
            Err(e) => {
                if errno::is(&e, errno::EISDIR) {
                    ctx.err(format!("error reading {}: Is a directory", gnu(op)));
                } else {
                    ctx.err(format!(
                        "cannot open {} for reading: {}",
                        gnu(op),
                        errno::text(&e)
                    ));
                }
                status = 1;
                continue;
            }
        };
        if headers {
            let shown = if op == "-" {
                "standard input"
            } else {
                op.as_str()
            };
            let sep = if first { "" } else { "\n" };
            ctx.out(format!("{sep}==> {shown} <==\n"));
        }
        first = false;
        let piece: &[u8] = if bytes {
            let n = data.len();
            match (is_tail, sign) {
                (false, Some('-')) => &data[..n.saturating_sub(count)],
                (false, _) => &data[..count.min(n)],
                (true, Some('+')) => &data[count.saturating_sub(1).min(n)..],
                (true, _) => &data[n.saturating_sub(count)..],
            }
        } else {
            // Line boundaries: offsets just after each newline.
            let ends: Vec<usize> = data
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1)
                .collect();
            let total_lines = ends.len() + usize::from(!data.is_empty() && !data.ends_with(b"\n"));
            let offset_after = |k: usize| -> usize {
                if k == 0 {
                    0
                } else {
                    ends.get(k - 1).copied().unwrap_or(data.len())
                }
            };
            match (is_tail, sign) {
                (false, Some('-')) => &data[..offset_after(total_lines.saturating_sub(count))],
                (false, _) => &data[..offset_after(count.min(total_lines))],
                (true, Some('+')) => {
                    &data[offset_after(count.saturating_sub(1).min(total_lines))..]
                }
                (true, _) => &data[offset_after(total_lines.saturating_sub(count))..],
            }
        };
        ctx.out(piece);
    }
    status
}

pub(crate) fn wc(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("lines", Takes::No, 'l'),
        ("words", Takes::No, 'w'),
        ("bytes", Takes::No, 'c'),
        ("chars", Takes::No, 'm'),
        ("max-line-length", Takes::No, 'L'),
    ];
    let spec = Spec {
        flags: "lwcmL",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let any = ["l", "w", "c", "m", "L"]
        .iter()
        .any(|k| p.has(k.chars().next().unwrap_or('l')));
    let (l, w, c, m, big_l) = if any {
        (p.has('l'), p.has('w'), p.has('c'), p.has('m'), p.has('L'))
    } else {
        (true, true, true, false, false)
    };
    let nfiles = p.operands.len().max(1);
    let selected = [l, w, m, c, big_l].iter().filter(|x| **x).count();
    let ops: Vec<String> = if p.operands.is_empty() {
        vec!["-".into()]
    } else {
        p.operands.clone()
    };
    let mut rows: Vec<(Option<String>, [u64; 5])> = Vec::new();
    let mut status = 0;
    // GNU sizes the columns from the regular files' total size; anything
    // else (a pipe) asks for at least 7.
    let mut regular_total = 0u64;
    let mut min_width = 1;
    for op in &ops {
        let stdin_file = if op == "-" {
            ctx.stdin().borrow().file_len
        } else {
            None
        };
        match ctx.read_input(op) {
            Ok(data) => {
                if op == "-" {
                    match stdin_file {
                        Some(len) => regular_total += len,
                        None => min_width = 7,
                    }
                } else {
                    regular_total += data.len() as u64;
                }
                rows.push((
                    if p.operands.is_empty() {
                        None
                    } else {
                        Some(op.clone())
                    },
                    counts(&data),
                ));
            }
            Err(e) => {
                ctx.err(format!("{}: {}", gnu_if_needed(op), errno::text(&e)));
                status = 1;
            }
        }
    }
    let width = if nfiles == 1 && selected == 1 {
        1
    } else {
        let mut wdt = 1;
        let mut t = regular_total;
        while t >= 10 {
            t /= 10;
            wdt += 1;
        }
        wdt.max(min_width)
    };
    let mut total = [0u64; 5];
    let mut text = String::new();
    let fmt_row = |name: Option<&str>, v: &[u64; 5]| -> String {
        let mut fields = Vec::new();
        for (on, val) in [(l, v[0]), (w, v[1]), (m, v[2]), (c, v[3]), (big_l, v[4])] {
            if on {
                fields.push(format!("{val:>width$}"));
            }
        }
        let mut s = fields.join(" ");
        if let Some(n) = name {
            s.push(' ');
            s.push_str(n);
        }
        s.push('\n');
        s
    };
    for (name, v) in &rows {
        for k in 0..4 {
            total[k] += v[k];
        }
        total[4] = total[4].max(v[4]);
        text.push_str(&fmt_row(name.as_deref(), v));
    }
    if ops.len() > 1 {
        text.push_str(&fmt_row(Some("total"), &total));
    }
    ctx.out(text);
    status
}

/// Lines, words, characters, bytes, longest line.
fn counts(data: &[u8]) -> [u64; 5] {
    let lines_n = data.iter().filter(|&&b| b == b'\n').count() as u64;
    let text = String::from_utf8_lossy(data);
    let words = text
        .split(|c: char| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .count() as u64;
    let chars = text.chars().count() as u64;
    let longest = lines(data)
        .iter()
        .map(|l| {
            l.iter().fold(0u64, |acc, &b| {
                if b == b'\t' {
                    acc + 8 - acc % 8
                } else {
                    acc + 1
                }
            })
        })
        .max()
        .unwrap_or(0);
    [lines_n, words, chars, data.len() as u64, longest]
}

pub(crate) fn tee(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("append", Takes::No, 'a'),
        ("ignore-interrupts", Takes::No, 'i'),
    ];
    let spec = Spec {
        flags: "ai",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let mut status = 0;
    let mut sinks = Vec::new();
    for f in &p.operands {
        if f == "/dev/null" {
            continue;
        }
        let path = ctx.path(f);
        let existed = ctx.fs.exists(&path);
        if existed && crate::fsx::is_dir(ctx.fs, &path) {
            ctx.err(format!("{}: Is a directory", gnu_if_needed(f)));
            status = 1;
            continue;
        }
        if !p.has('a') || !existed {
            if let Err(e) = ctx.fs.write(&path, b"") {
                ctx.err(format!("{}: {}", gnu_if_needed(f), errno::text(&e)));
                status = 1;
                continue;
            }
            if !existed {
                ctx.created(&path);
            }
        }
        sinks.push((
            f.clone(),
            Sink::File {
                fs: ctx.fs.clone(),
                path,
            },
        ));
    }
    let data = ctx.stdin().borrow_mut().read_rest();
    ctx.out(&data);
    for (name, sink) in sinks {
        if let Err(e) = sink.write(&data) {
            ctx.err(format!("{}: {}", gnu_if_needed(&name), errno::text(&e)));
            status = 1;
        }
    }
    status
}
