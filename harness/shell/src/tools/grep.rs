//! `grep` (with `egrep` and `fgrep`).

use std::path::Path;

use regex::bytes::Regex;

use super::args::{Spec, Takes};
use super::regex_posix::{self, RegexError};
use super::{Ctx, lines};
use crate::errno;
use crate::quote::gnu_if_needed;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Syntax {
    Basic,
    Extended,
    Fixed,
}

struct Opts {
    invert: bool,
    count: bool,
    quiet: bool,
    line_numbers: bool,
    files_with: bool,
    files_without: bool,
    only: bool,
    with_names: bool,
    max: Option<usize>,
    before: usize,
    after: usize,
    no_messages: bool,
}

pub(crate) fn egrep(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let mut a = vec![argv[0].clone(), "-E".to_string()];
    a.extend(argv[1..].iter().cloned());
    grep(ctx, &a)
}

pub(crate) fn fgrep(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let mut a = vec![argv[0].clone(), "-F".to_string()];
    a.extend(argv[1..].iter().cloned());
    grep(ctx, &a)
}

pub(crate) fn grep(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("invert-match", Takes::No, 'v'),
        ("count", Takes::No, 'c'),
        ("quiet", Takes::No, 'q'),
        ("silent", Takes::No, 'q'),
        ("ignore-case", Takes::No, 'i'),
        ("extended-regexp", Takes::No, 'E'),
        ("fixed-strings", Takes::No, 'F'),
        ("basic-regexp", Takes::No, 'G'),
        ("line-number", Takes::No, 'n'),
        ("files-with-matches", Takes::No, 'l'),
        ("files-without-match", Takes::No, 'L'),
        ("no-filename", Takes::No, 'h'),
        ("with-filename", Takes::No, 'H'),
        ("regexp", Takes::Required, 'e'),
        ("file", Takes::Required, 'f'),
        ("word-regexp", Takes::No, 'w'),
        ("line-regexp", Takes::No, 'x'),
        ("only-matching", Takes::No, 'o'),
        ("no-messages", Takes::No, 's'),
        ("max-count", Takes::Required, 'm'),
        ("recursive", Takes::No, 'r'),
        ("after-context", Takes::Required, 'A'),
        ("before-context", Takes::Required, 'B'),
        ("context", Takes::Required, 'C'),
        ("color", Takes::Optional, '\u{1}'),
        ("colour", Takes::Optional, '\u{1}'),
        ("text", Takes::No, 'a'),
    ];
    let spec = Spec {
        flags: "vcqiyEFGnlLhHwxosrRaPIz",
        with_arg: "efmABC",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 2) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let syntax = match p
        .opts
        .iter()
        .rev()
        .find(|(k, _)| matches!(k, 'E' | 'F' | 'G' | 'P'))
        .map(|(k, _)| *k)
    {
        Some('E') | Some('P') => Syntax::Extended,
        Some('F') => Syntax::Fixed,
        _ => Syntax::Basic,
    };
    let mut operands = p.operands.clone();
    let mut patterns: Vec<String> = Vec::new();
    let mut have_patterns = false;
    for (k, v) in &p.opts {
        match k {
            'e' => {
                have_patterns = true;
                patterns.extend(v.as_deref().unwrap_or("").split('\n').map(str::to_string));
            }
            'f' => {
                have_patterns = true;
                let f = v.as_deref().unwrap_or("");
                match ctx.read_input(f) {
                    Ok(d) => patterns.extend(
                        lines(&d)
                            .iter()
                            .map(|l| String::from_utf8_lossy(l).into_owned()),
                    ),
                    Err(e) => {
                        ctx.err(format!("{}: {}", gnu_if_needed(f), errno::text(&e)));
                        return 2;
                    }
                }
            }
            _ => {}
        }
    }
    if !have_patterns {
        if operands.is_empty() {
            ctx.err_raw(&format!(
                "Usage: {} [OPTION]... PATTERNS [FILE]...\n",
                ctx.name
            ));
            ctx.err_raw(&format!(
                "Try '{} --help' for more information.\n",
                ctx.name
            ));
            return 2;
        }
        patterns.extend(operands.remove(0).split('\n').map(str::to_string));
    }
    let icase = p.has('i') || p.has('y');
    let regex = match build(&patterns, syntax, icase, p.has('w'), p.has('x')) {
        Ok(r) => r,
        Err(e) => {
            ctx.err(e.0);
            return 2;
        }
    };
    let num = |c: char| -> Option<usize> { p.value(c).and_then(|v| v.parse().ok()) };
    let context = num('C').unwrap_or(0);
    let o = Opts {
        invert: p.has('v'),
        count: p.has('c'),
        quiet: p.has('q'),
        line_numbers: p.has('n'),
        files_with: p.has('l'),
        files_without: p.has('L'),
        only: p.has('o'),
        with_names: false,
        max: num('m'),
        before: num('B').unwrap_or(context),
        after: num('A').unwrap_or(context),
        no_messages: p.has('s'),
    };
    let recursive = p.has('r') || p.has('R');
    if operands.is_empty() {
        operands.push(if recursive { ".".into() } else { "-".into() });
    }
    // Expand directories when recursive.
    let mut files: Vec<String> = Vec::new();
    let mut status_err = false;
    for op in &operands {
        if recursive && op != "-" && crate::fsx::is_dir(ctx.fs, &ctx.path(op)) {
            collect(ctx, op, &ctx.path(op), &mut files);
        } else {
            files.push(op.clone());
        }
    }
    let with_names = if p.has('h') {
        false
    } else {
        p.has('H') || files.len() > 1 || recursive
    };
    let o = Opts { with_names, ..o };
    let mut any = false;
    for f in &files {
        let data = match ctx.read_input(f) {
            Ok(d) => d,
            Err(e) => {
                if !o.no_messages {
                    ctx.err(format!("{}: {}", gnu_if_needed(f), errno::text(&e)));
                }
                status_err = true;
                continue;
            }
        };
        let name = if f == "-" {
            "(standard input)".to_string()
        } else {
            f.clone()
        };
        if search(ctx, &regex, &data, &name, &o) {
            any = true;
            if o.quiet {
                return 0;
            }
        }
    }
    if status_err && !(o.quiet && any) {
        2
    } else if any {
        0
    } else {
        1
    }
}

fn collect(ctx: &Ctx, shown: &str, path: &Path, out: &mut Vec<String>) {
    let Ok(names) = ctx.fs.read_dir(path) else {
        return;
    };
    for n in names {
        let p = path.join(&n);
        let text = if shown.ends_with('/') {
            format!("{shown}{n}")
        } else {
            format!("{shown}/{n}")
        };
        match ctx.fs.metadata(&p) {
            Ok(m) if m.is_dir() => collect(ctx, &text, &p, out),
            Ok(m) if m.is_file() => out.push(text),
            _ => {}
        }
    }
}

fn build(
    patterns: &[String],
    syntax: Syntax,
    icase: bool,
    word: bool,
    line: bool,
) -> Result<Regex, RegexError> {
    let mut alts = Vec::new();
    for pat in patterns {
        let t = match syntax {
            Syntax::Fixed => regex::escape(pat),
            Syntax::Basic => regex_posix::translate(pat, false)?,
            Syntax::Extended => regex_posix::translate(pat, true)?,
        };
        alts.push(format!("(?:{t})"));
    }
    let mut joined = alts.join("|");
    if word {
        joined = format!("\\b(?:{joined})\\b");
    }
    if line {
        joined = format!("^(?:{joined})$");
    }
    regex_posix::build(&joined, icase)
}

/// Searches one input; true when a line was selected.
fn search(ctx: &mut Ctx, re: &Regex, data: &[u8], name: &str, o: &Opts) -> bool {
    let all = lines(data);
    let mut selected = 0usize;
    let mut out = Vec::new();
    let mut last_printed: Option<usize> = None;
    let mut after_left = 0usize;
    for (i, line) in all.iter().enumerate() {
        if o.max.is_some_and(|m| selected >= m) {
            // Trailing context after the last match is still shown.
            if after_left > 0 && !o.count && !o.files_with && !o.files_without && !o.quiet {
                emit(&mut out, name, i, line, '-', o);
                last_printed = Some(i);
                after_left -= 1;
                continue;
            }
            break;
        }
        let hit = re.is_match(line) != o.invert;
        if !hit {
            if after_left > 0 && !o.count && !o.files_with && !o.files_without && !o.quiet {
                emit(&mut out, name, i, line, '-', o);
                last_printed = Some(i);
                after_left -= 1;
            }
            continue;
        }
        selected += 1;
        if o.quiet || o.count || o.files_with || o.files_without {
            continue;
        }
        let from = i.saturating_sub(o.before);
        let start = match last_printed {
            Some(lp) => from.max(lp + 1),
            None => from,
        };
        if (o.before > 0 || o.after > 0)
            && let Some(lp) = last_printed
            && start > lp + 1
        {
            out.extend_from_slice(b"--\n");
        }
        for (k, l) in all.iter().enumerate().take(i).skip(start) {
            emit(&mut out, name, k, l, '-', o);
        }
        if o.only && !o.invert {
            for m in re.find_iter(line) {
                if m.as_bytes().is_empty() {
                    continue;
                }
                emit(&mut out, name, i, m.as_bytes(), ':', o);
            }
        } else {
            emit(&mut out, name, i, line, ':', o);
        }
        last_printed = Some(i);
        after_left = o.after;
    }
    if o.count {
        if o.with_names {
            out.extend_from_slice(format!("{name}:{selected}\n").as_bytes());
        } else {
            out.extend_from_slice(format!("{selected}\n").as_bytes());
        }
    }
    if o.files_with && selected > 0 {
        out.extend_from_slice(format!("{name}\n").as_bytes());
    }
    if o.files_without && selected == 0 {
        out.extend_from_slice(format!("{name}\n").as_bytes());
    }
    ctx.out(out);
    selected > 0
}

fn emit(out: &mut Vec<u8>, name: &str, i: usize, line: &[u8], sep: char, o: &Opts) {
    if o.with_names {
        out.extend_from_slice(name.as_bytes());
        out.push(sep as u8);
    }
    if o.line_numbers {
        out.extend_from_slice(format!("{}{sep}", i + 1).as_bytes());
    }
    out.extend_from_slice(line);
    out.push(b'\n');
}
