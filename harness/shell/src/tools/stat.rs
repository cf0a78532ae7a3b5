//! `stat` and `du`.

use std::path::Path;

use p4ha_hostfs::{FileKind, Metadata};

use super::Ctx;
use super::args::{Spec, Takes};
use super::ls::{human, mode_string};
use super::time_fmt::{broken_down, strftime};
use crate::quote::gnu;
use crate::{accounts, errno, fsx};

fn kind_text(md: &Metadata) -> &'static str {
    match md.kind {
        FileKind::Dir => "directory",
        FileKind::Symlink => "symbolic link",
        FileKind::File if md.len == 0 => "regular empty file",
        FileKind::File => "regular file",
    }
}

pub(crate) fn stat(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("format", Takes::Required, 'c'),
        ("printf", Takes::Required, 'P'),
        ("dereference", Takes::No, 'L'),
        ("terse", Takes::No, 't'),
    ];
    let spec = Spec {
        flags: "Lt",
        with_arg: "c",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if p.operands.is_empty() {
        return ctx.usage("missing operand", 1);
    }
    let mut status = 0;
    for op in &p.operands {
        let path = ctx.path(op);
        let md = if p.has('L') {
            fsx::stat(ctx.fs, &path)
        } else {
            ctx.fs.metadata(&path)
        };
        let md = match md {
            Ok(m) => m,
            Err(e) => {
                ctx.err(format!("cannot statx {}: {}", gnu(op), errno::text(&e)));
                status = 1;
                continue;
            }
        };
        let text = if let Some(f) = p.value('c') {
            format!("{}\n", expand(ctx, f, op, &path, &md))
        } else if let Some(f) = p.value('P') {
            let mut v = Vec::new();
            super::echo::escapes(&expand(ctx, f, op, &path, &md), &mut v, true);
            String::from_utf8_lossy(&v).into_owned()
        } else {
            default_format(ctx, op, &path, &md)
        };
        ctx.out(text);
    }
    status
}

fn time_text(ctx: &Ctx, t: i64) -> String {
    strftime("%Y-%m-%d %H:%M:%S.000000000 %z", &broken_down(t, &ctx.tz()))
}

fn ids(ctx: &Ctx, md: &Metadata) -> (String, String) {
    let uid = accounts::user(ctx.fs, &md.user)
        .map(|u| u.uid.to_string())
        .unwrap_or_else(|| "0".into());
    let gid = accounts::user(ctx.fs, &md.group)
        .filter(|u| u.group == md.group)
        .map(|u| u.gid.to_string())
        .unwrap_or_else(|| uid.clone());
    (uid, gid)
}

fn expand(ctx: &Ctx, f: &str, op: &str, path: &Path, md: &Metadata) -> String {
    let mut out = String::new();
    let mut chars = f.chars();
    let (size, links) = fsx::shown_size_links(ctx.fs, path, md);
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let Some(d) = chars.next() else {
            out.push('%');
            break;
        };
        let (uid, gid) = ids(ctx, md);
        let piece = match d {
            'n' => op.to_string(),
            'N' => match (md.kind, fsx::read_link(ctx.fs, path)) {
                (FileKind::Symlink, Ok(t)) => format!("{} -> {}", gnu(op), gnu(&t)),
                _ => gnu(op),
            },
            's' => size.to_string(),
            'U' => md.user.clone(),
            'G' => md.group.clone(),
            'u' => uid,
            'g' => gid,
            'a' => format!("{:o}", md.mode),
            'A' => mode_string(md.kind, md.mode),
            'F' => kind_text(md).to_string(),
            'h' => links.to_string(),
            'Y' | 'X' | 'Z' => md.mtime.to_string(),
            'y' | 'x' | 'z' => time_text(ctx, md.mtime),
            'W' => "0".into(),
            'w' => "-".into(),
            'b' => (fsx::blocks_1k(ctx.fs, path, md) * 2).to_string(),
            'B' => "512".into(),
            'o' => "4096".into(),
            'i' => "0".into(),
            '%' => "%".into(),
            other => format!("?{other}"),
        };
        out.push_str(&piece);
    }
    out
}

fn default_format(ctx: &Ctx, op: &str, path: &Path, md: &Metadata) -> String {
    let (size, links) = fsx::shown_size_links(ctx.fs, path, md);
    let blocks = fsx::blocks_1k(ctx.fs, path, md) * 2;
    let (uid, gid) = ids(ctx, md);
    let name = match (md.kind, fsx::read_link(ctx.fs, path)) {
        (FileKind::Symlink, Ok(t)) => format!("{op} -> {t}"),
        _ => op.to_string(),
    };
    let t = time_text(ctx, md.mtime);
    format!(
        "  File: {name}\n  Size: {size:<10}\tBlocks: {blocks:<10} IO Block: 4096   {}\n\
         Device: 0h/0d\tInode: 0           Links: {links}\n\
         Access: ({:04o}/{})  Uid: ({uid:>5}/{:>8})   Gid: ({gid:>5}/{:>8})\n\
         Access: {t}\nModify: {t}\nChange: {t}\n Birth: -\n",
        kind_text(md),
        md.mode,
        mode_string(md.kind, md.mode),
        md.user,
        md.group
    )
}

pub(crate) fn du(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("summarize", Takes::No, 's'),
        ("human-readable", Takes::No, 'h'),
        ("all", Takes::No, 'a'),
        ("total", Takes::No, 'c'),
        ("bytes", Takes::No, 'b'),
        ("apparent-size", Takes::No, 'A'),
    ];
    let spec = Spec {
        flags: "shacbkm",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let bytes = p.has('b') || p.has('A');
    let show = |n_1k: u64, n_bytes: u64| -> String {
        if p.has('h') {
            human(if bytes { n_bytes } else { n_1k * 1024 })
        } else if bytes {
            n_bytes.to_string()
        } else if p.has('m') {
            n_1k.div_ceil(1024).to_string()
        } else {
            n_1k.to_string()
        }
    };
    let ops: Vec<String> = if p.operands.is_empty() {
        vec![".".into()]
    } else {
        p.operands.clone()
    };
    let mut status = 0;
    let mut grand = (0u64, 0u64);
    let mut text = String::new();
    for op in &ops {
        let path = ctx.path(op);
        if ctx.fs.metadata(&path).is_err() {
            ctx.err(format!(
                "cannot access {}: No such file or directory",
                gnu(op)
            ));
            status = 1;
            continue;
        }
        let mut lines = Vec::new();
        let total = walk(ctx, op, &path, &mut lines, p.has('a'), true);
        if p.has('s') {
            text.push_str(&format!("{}\t{op}\n", show(total.0, total.1)));
        } else {
            for (name, k, b) in lines {
                text.push_str(&format!("{}\t{name}\n", show(k, b)));
            }
        }
        grand.0 += total.0;
        grand.1 += total.1;
    }
    if p.has('c') {
        text.push_str(&format!("{}\ttotal\n", show(grand.0, grand.1)));
    }
    ctx.out(text);
    status
}

/// Totals (1 KiB blocks, bytes) of a tree; lines in post-order.
fn walk(
    ctx: &Ctx,
    shown: &str,
    path: &Path,
    lines: &mut Vec<(String, u64, u64)>,
    all: bool,
    top: bool,
) -> (u64, u64) {
    let Ok(md) = ctx.fs.metadata(path) else {
        return (0, 0);
    };
    let own = (
        fsx::blocks_1k(ctx.fs, path, &md),
        fsx::shown_size_links(ctx.fs, path, &md).0,
    );
    if !md.is_dir() {
        if all || top {
            lines.push((shown.to_string(), own.0, own.1));
        }
        return own;
    }
    let mut total = own;
    for n in ctx.fs.read_dir(path).unwrap_or_default() {
        let child = if shown.ends_with('/') {
            format!("{shown}{n}")
        } else {
            format!("{shown}/{n}")
        };
        let t = walk(ctx, &child, &path.join(&n), lines, all, false);
        total.0 += t.0;
        total.1 += t.1;
    }
    lines.push((shown.to_string(), total.0, total.1));
    total
}
