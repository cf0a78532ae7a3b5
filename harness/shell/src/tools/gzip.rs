//! `gzip`, `gunzip`, `zcat`.

use std::io::{Read, Write};

use flate2::Compression;
use flate2::GzBuilder;
use flate2::read::MultiGzDecoder;

use super::Ctx;
use super::args::{Spec, Takes};
use crate::errno;

struct Opts {
    decompress: bool,
    stdout: bool,
    keep: bool,
    force: bool,
    test: bool,
    verbose: bool,
    quiet: bool,
    level: u32,
}

pub(crate) fn gzip(ctx: &mut Ctx, argv: &[String]) -> i32 {
    run(ctx, argv, false, false)
}

pub(crate) fn gunzip(ctx: &mut Ctx, argv: &[String]) -> i32 {
    run(ctx, argv, true, false)
}

pub(crate) fn zcat(ctx: &mut Ctx, argv: &[String]) -> i32 {
    run(ctx, argv, true, true)
}

fn run(ctx: &mut Ctx, argv: &[String], decompress: bool, to_stdout: bool) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("decompress", Takes::No, 'd'),
        ("uncompress", Takes::No, 'd'),
        ("stdout", Takes::No, 'c'),
        ("to-stdout", Takes::No, 'c'),
        ("keep", Takes::No, 'k'),
        ("force", Takes::No, 'f'),
        ("test", Takes::No, 't'),
        ("verbose", Takes::No, 'v'),
        ("quiet", Takes::No, 'q'),
        ("name", Takes::No, 'N'),
        ("no-name", Takes::No, 'n'),
        ("best", Takes::No, '9'),
        ("fast", Takes::No, '1'),
        ("list", Takes::No, 'l'),
    ];
    // gunzip and zcat are gzip under other names, and speak as gzip.
    if ctx.name.rsplit('/').next() != Some("gzip") {
        ctx.name = "gzip".into();
    }
    let spec = Spec {
        flags: "dckftvqnNl123456789",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let level = p
        .opts
        .iter()
        .rev()
        .find_map(|(k, _)| k.to_digit(10))
        .unwrap_or(6);
    let o = Opts {
        decompress: decompress || p.has('d') || p.has('t'),
        stdout: to_stdout || p.has('c'),
        keep: p.has('k'),
        force: p.has('f'),
        test: p.has('t'),
        verbose: p.has('v'),
        quiet: p.has('q'),
        level,
    };
    let ops: Vec<String> = if p.operands.is_empty() {
        vec!["-".into()]
    } else {
        p.operands.clone()
    };
    if p.has('l') {
        return list(ctx, &ops);
    }
    let mut status = 0;
    for op in &ops {
        let s = one(ctx, &o, op);
        // 1 (error) outranks 2 (warning).
        status = match (status, s) {
            (1, _) | (_, 1) => 1,
            (a, b) => a.max(b),
        };
    }
    status
}

fn warn(ctx: &mut Ctx, o: &Opts, msg: String) {
    if !o.quiet {
        ctx.err(msg);
    }
}

fn one(ctx: &mut Ctx, o: &Opts, op: &str) -> i32 {
    let from_stdin = op == "-";
    // Decompressing `name` reads `name.gz` when only that exists.
    let with_gz;
    let op = if o.decompress
        && !from_stdin
        && strip_suffix(op).is_none()
        && !ctx.fs.exists(&ctx.path(op))
    {
        with_gz = format!("{op}.gz");
        with_gz.as_str()
    } else {
        op
    };
    let path = ctx.path(op);
    if !from_stdin {
        match ctx.fs.metadata(&path) {
            Err(e) => {
                ctx.err(format!("{op}: {}", errno::text(&e)));
                return 1;
            }
            Ok(m) if m.is_dir() => {
                warn(ctx, o, format!("{op} is a directory -- ignored"));
                return 2;
            }
            Ok(_) => {}
        }
    }
    let data = match ctx.read_input(op) {
        Ok(d) => d,
        Err(e) => {
            ctx.err(format!("{op}: {}", errno::text(&e)));
            return 1;
        }
    };
    let shown = if from_stdin {
        "stdin".to_string()
    } else {
        op.to_string()
    };
    if o.decompress {
        let out_name = if from_stdin || o.stdout || o.test {
            None
        } else {
            match strip_suffix(op) {
                Some(n) => Some(n),
                None => {
                    warn(ctx, o, format!("{op}: unknown suffix -- ignored"));
                    return 2;
                }
            }
        };
        if data.len() < 2 || data[0] != 0x1f || data[1] != 0x8b {
            if o.stdout && o.force {
                ctx.out(&data);
                return 0;
            }
            // gzip starts this message on a new line for a named file.
            if !from_stdin {
                ctx.err_raw("\n");
            }
            ctx.err(format!("{shown}: not in gzip format"));
            return 1;
        }
        let mut plain = Vec::new();
        if MultiGzDecoder::new(&data[..])
            .read_to_end(&mut plain)
            .is_err()
        {
            ctx.err(format!("{shown}: invalid compressed data--format violated"));
            return 1;
        }
        if o.test {
            if o.verbose {
                ctx.err_raw(&format!("{shown}:\t OK\n"));
            }
            return 0;
        }
        match out_name {
            None => {
                ctx.out(&plain);
                0
            }
            Some(n) => write_output(ctx, o, op, &n, &plain),
        }
    } else {
        if !from_stdin && !o.stdout && op.ends_with(".gz") && !o.force {
            warn(ctx, o, format!("{op} already has .gz suffix -- unchanged"));
            return 2;
        }
        let (file_name, mtime) = if from_stdin {
            (None, 0)
        } else {
            let m = ctx.fs.metadata(&path).map(|m| m.mtime).unwrap_or(0);
            (Some(op.rsplit('/').next().unwrap_or(op).to_string()), m)
        };
        let mut b = GzBuilder::new().mtime(u32::try_from(mtime).unwrap_or(0));
        if let Some(f) = &file_name {
            b = b.filename(f.as_bytes());
        }
        let mut enc = b.write(Vec::new(), Compression::new(o.level));
        let compressed = match enc.write_all(&data).and_then(|_| enc.finish()) {
            Ok(c) => c,
            Err(e) => {
                ctx.err(format!("{shown}: {}", errno::text(&e)));
                return 1;
            }
        };
        if from_stdin || o.stdout {
            ctx.out(&compressed);
            return 0;
        }
        let out = format!("{op}.gz");
        let s = write_output(ctx, o, op, &out, &compressed);
        if s == 0 && o.verbose {
            let ratio = if data.is_empty() {
                0.0
            } else {
                100.0 - (compressed.len() as f64 * 100.0 / data.len() as f64)
            };
            ctx.err_raw(&format!("{op}:\t{ratio:5.1}% -- replaced with {out}\n"));
        }
        s
    }
}

fn strip_suffix(name: &str) -> Option<String> {
    for (suf, repl) in [
        (".gz", ""),
        ("-gz", ""),
        (".z", ""),
        ("-z", ""),
        ("_z", ""),
        (".tgz", ".tar"),
        (".taz", ".tar"),
    ] {
        if let Some(base) = name.strip_suffix(suf)
            && !base.is_empty()
            && !base.ends_with('/')
        {
            return Some(format!("{base}{repl}"));
        }
    }
    None
}

/// Writes the result beside the input, copies the input's owner and mode
/// to it, and removes the input unless kept.
fn write_output(ctx: &mut Ctx, o: &Opts, input: &str, output: &str, data: &[u8]) -> i32 {
    let in_path = ctx.path(input);
    let out_path = ctx.path(output);
    if ctx.fs.exists(&out_path) {
        if !o.force {
            ctx.err(format!("{output} already exists;\tnot overwritten"));
            return 2;
        }
        let _ = ctx.fs.remove_file(&out_path);
    }
    if let Err(e) = ctx.fs.write(&out_path, data) {
        ctx.err(format!("{output}: {}", errno::text(&e)));
        let _ = ctx.fs.remove_file(&out_path);
        return 1;
    }
    if let Ok(m) = ctx.fs.metadata(&in_path) {
        let _ = ctx.fs.set_mode(&out_path, m.mode);
        let _ = ctx.fs.chown(&out_path, Some(&m.user), Some(&m.group));
    }
    if !o.keep
        && let Err(e) = ctx.fs.remove_file(&in_path)
    {
        ctx.err(format!("{input}: {}", errno::text(&e)));
        return 1;
    }
    0
}

/// `gzip -l`: sizes from each file's header and trailer.
fn list(ctx: &mut Ctx, ops: &[String]) -> i32 {
    let mut text =
        String::from("         compressed        uncompressed  ratio uncompressed_name\n");
    let mut status = 0;
    let (mut total_c, mut total_u) = (0u64, 0u64);
    let mut listed = 0;
    for op in ops {
        let data = match ctx.read_input(op) {
            Ok(d) => d,
            Err(e) => {
                ctx.err(format!("{op}: {}", errno::text(&e)));
                status = 1;
                continue;
            }
        };
        if data.len() < 18 || data[0] != 0x1f || data[1] != 0x8b {
            ctx.err(format!("{op}: not in gzip format"));
            status = 1;
            continue;
        }
        let isize = u32::from_le_bytes([
            data[data.len() - 4],
            data[data.len() - 3],
            data[data.len() - 2],
            data[data.len() - 1],
        ]) as u64;
        // Header: 10 bytes plus a zero-terminated name when FNAME is set.
        let mut header = 10usize;
        if data[3] & 0x08 != 0 {
            header += data[10..]
                .iter()
                .position(|&b| b == 0)
                .map(|p| p + 1)
                .unwrap_or(0);
        }
        let compressed = data.len() as u64;
        let payload = compressed.saturating_sub(header as u64 + 8) as f64;
        let ratio = if isize == 0 {
            0.0
        } else {
            (isize as f64 - payload) * 100.0 / isize as f64
        };
        let name = strip_suffix(op).unwrap_or_else(|| op.clone());
        text.push_str(&format!(
            "{compressed:>19} {isize:>19} {ratio:>5.1}% {name}\n"
        ));
        total_c += compressed;
        total_u += isize;
        listed += 1;
    }
    if listed > 1 {
        let ratio = if total_u == 0 {
            0.0
        } else {
            (total_u as f64 - total_c as f64) * 100.0 / total_u as f64
        };
        text.push_str(&format!(
            "{total_c:>19} {total_u:>19} {ratio:>5.1}% (totals)\n"
        ));
    }
    if listed > 0 {
        ctx.out(text);
    }
    status
}
