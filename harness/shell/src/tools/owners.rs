//! `chown`, `chgrp`, `chmod`.

use std::path::Path;

use p4ha_hostfs::FileKind;

use super::Ctx;
use super::args::{Spec, Takes};
use super::files::parse_mode;
use crate::errno;
use crate::quote::gnu;
use crate::{accounts, fsx};

/// Visits `path` and, with `recursive`, everything below it (links are
/// not followed).
fn walk(ctx: &Ctx, path: &Path, recursive: bool, out: &mut Vec<std::path::PathBuf>) {
    out.push(path.to_path_buf());
    if !recursive {
        return;
    }
    if ctx.fs.metadata(path).is_ok_and(|m| m.kind == FileKind::Dir)
        && let Ok(names) = ctx.fs.read_dir(path)
    {
        for n in names {
            walk(ctx, &path.join(n), true, out);
        }
    }
}

/// The text GNU shows for a file below an operand.
fn shown(op: &str, root: &Path, p: &Path) -> String {
    match p.strip_prefix(root) {
        Ok(rest) if rest.as_os_str().is_empty() => op.to_string(),
        Ok(rest) => format!("{}/{}", op.trim_end_matches('/'), rest.display()),
        Err(_) => p.display().to_string(),
    }
}

const CHOWN_LONG: &[(&str, Takes, char)] = &[
    ("recursive", Takes::No, 'R'),
    ("verbose", Takes::No, 'v'),
    ("changes", Takes::No, 'c'),
    ("silent", Takes::No, 'f'),
    ("quiet", Takes::No, 'f'),
    ("no-dereference", Takes::No, 'h'),
    ("dereference", Takes::No, 'D'),
    ("reference", Takes::Required, 'F'),
];

pub(crate) fn chown(ctx: &mut Ctx, argv: &[String]) -> i32 {
    change_owner(ctx, argv, false)
}

pub(crate) fn chgrp(ctx: &mut Ctx, argv: &[String]) -> i32 {
    change_owner(ctx, argv, true)
}

fn change_owner(ctx: &mut Ctx, argv: &[String], group_only: bool) -> i32 {
    let spec = Spec {
        flags: "RvcfhHLP",
        with_arg: "",
        long: CHOWN_LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let mut ops = p.operands.clone();
    let (user, group, spec_text) = if let Some(r) = p.value('F') {
        match fsx::stat(ctx.fs, &ctx.path(r)) {
            Ok(m) => (
                if group_only { None } else { Some(m.user) },
                Some(m.group),
                r.to_string(),
            ),
            Err(e) => {
                ctx.err(format!(
                    "failed to get attributes of {}: {}",
                    gnu(r),
                    errno::text(&e)
                ));
                return 1;
            }
        }
    } else {
        if ops.is_empty() {
            return ctx.usage("missing operand", 1);
        }
        let spec = ops.remove(0);
        if group_only {
            (None, Some(spec.clone()), spec)
        } else {
            let (u, g) = match spec.split_once(':').or_else(|| spec.split_once('.')) {
                Some((u, g)) => (u.to_string(), Some(g.to_string())),
                None => (spec.clone(), None),
            };
            let user = (!u.is_empty()).then_some(u);
            // `user:` means the user's login group.
            let group = match g {
                Some(g) if g.is_empty() => match &user {
                    Some(u) => accounts::user(ctx.fs, u).map(|a| a.group),
                    None => None,
                },
                other => other,
            };
            (user, group, spec)
        }
    };
    if ops.is_empty() {
        return ctx.usage(format!("missing operand after {}", gnu(&spec_text)), 1);
    }
    if let Some(u) = &user
        && accounts::user(ctx.fs, u).is_none()
        && u.parse::<u32>().is_err()
    {
        ctx.err(format!("invalid user: {}", gnu(&spec_text)));
        return 1;
    }
    if let Some(g) = &group
        && !accounts::group_exists(ctx.fs, g)
        && g.parse::<u32>().is_err()
    {
        if group_only {
            ctx.err(format!("invalid group: {}", gnu(g)));
        } else {
            ctx.err(format!("invalid group: {}", gnu(&spec_text)));
        }
        return 1;
    }
    let mut status = 0;
    for op in &ops {
        let root = ctx.path(op);
        if ctx.fs.metadata(&root).is_err() {
            ctx.err(format!(
                "cannot access {}: No such file or directory",
                gnu(op)
            ));
            status = 1;
            continue;
        }
        let mut paths = Vec::new();
        walk(ctx, &root, p.has('R'), &mut paths);
        for path in paths {
            let Ok(md) = ctx.fs.metadata(&path) else {
                continue;
            };
            let text = shown(op, &root, &path);
            // Only root may give files away.
            let permitted = ctx.user == "root"
                || (md.user == ctx.user
                    && user.as_deref().is_none_or(|u| u == ctx.user)
                    && group.as_deref().is_none_or(|g| g == ctx.user));
            if !permitted {
                if !p.has('f') {
                    let what = if group_only || user.is_none() {
                        "group"
                    } else {
                        "ownership"
                    };
                    ctx.err(format!(
                        "changing {what} of {}: Operation not permitted",
                        gnu(&text)
                    ));
                }
                status = 1;
                continue;
            }
            match ctx.fs.chown(&path, user.as_deref(), group.as_deref()) {
                Ok(()) => {
                    if p.has('v') || p.has('c') {
                        let changed = user.as_deref().is_some_and(|u| u != md.user)
                            || group.as_deref().is_some_and(|g| g != md.group);
                        if changed || p.has('v') {
                            let from = format!("{}:{}", md.user, md.group);
                            let to = format!(
                                "{}:{}",
                                user.as_deref().unwrap_or(&md.user),
                                group.as_deref().unwrap_or(&md.group)
                            );
                            if changed {
                                ctx.out(format!(
                                    "changed ownership of {} from {from} to {to}\n",
                                    gnu(&text)
                                ));
                            } else {
                                ctx.out(format!("ownership of {} retained as {to}\n", gnu(&text)));
                            }
                        }
                    }
                }
                Err(e) => {
                    if !p.has('f') {
                        ctx.err(format!(
                            "changing ownership of {}: {}",
                            gnu(&text),
                            errno::text(&e)
                        ));
                    }
                    status = 1;
                }
            }
        }
    }
    status
}

fn looks_like_mode(a: &str) -> bool {
    a.len() > 1 && a.starts_with('-') && a[1..].chars().all(|c| "rwxXst".contains(c))
}

pub(crate) fn chmod(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("recursive", Takes::No, 'R'),
        ("verbose", Takes::No, 'v'),
        ("changes", Takes::No, 'c'),
        ("silent", Takes::No, 'f'),
        ("quiet", Takes::No, 'f'),
        ("reference", Takes::Required, 'F'),
    ];
    // A mode such as `-w` looks like an option; GNU takes it as the mode.
    let mut args: Vec<String> = vec![argv[0].clone()];
    let mut mode_arg = None;
    for a in &argv[1..] {
        if mode_arg.is_none() && looks_like_mode(a) {
            mode_arg = Some(a.clone());
        } else {
            args.push(a.clone());
        }
    }
    let spec = Spec {
        flags: "Rvcf",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(&args, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let mut ops = p.operands.clone();
    let reference_mode = match p.value('F') {
        Some(r) => match fsx::stat(ctx.fs, &ctx.path(r)) {
            Ok(m) => Some(m.mode),
            Err(e) => {
                ctx.err(format!(
                    "failed to get attributes of {}: {}",
                    gnu(r),
                    errno::text(&e)
                ));
                return 1;
            }
        },
        None => None,
    };
    let mode_text = match (reference_mode, mode_arg) {
        (Some(_), _) => String::new(),
        (None, Some(m)) => m,
        (None, None) => {
            if ops.is_empty() {
                return ctx.usage("missing operand", 1);
            }
            ops.remove(0)
        }
    };
    if ops.is_empty() {
        if mode_text.is_empty() {
            return ctx.usage("missing operand", 1);
        }
        return ctx.usage(format!("missing operand after {}", gnu(&mode_text)), 1);
    }
    if reference_mode.is_none() && parse_mode(&mode_text, 0, false, ctx.umask).is_none() {
        return ctx.usage(format!("invalid mode: {}", gnu(&mode_text)), 1);
    }
    let mut status = 0;
    for op in &ops {
        let root = ctx.path(op);
        if fsx::stat(ctx.fs, &root).is_err() {
            if !p.has('f') {
                ctx.err(format!(
                    "cannot access {}: No such file or directory",
                    gnu(op)
                ));
            }
            status = 1;
            continue;
        }
        let mut paths = Vec::new();
        walk(ctx, &root, p.has('R'), &mut paths);
        for path in paths {
            // Links met during recursion are left alone, as GNU does.
            if path != root
                && ctx
                    .fs
                    .metadata(&path)
                    .is_ok_and(|m| m.kind == FileKind::Symlink)
            {
                continue;
            }
            let Ok(md) = fsx::stat(ctx.fs, &path) else {
                continue;
            };
            let text = shown(op, &root, &path);
            let new = match reference_mode {
                Some(m) => m,
                None => parse_mode(&mode_text, md.mode, md.is_dir(), ctx.umask).unwrap_or(md.mode),
            };
            if ctx.user != "root" && md.user != ctx.user {
                if !p.has('f') {
                    ctx.err(format!(
                        "changing permissions of {}: Operation not permitted",
                        gnu(&text)
                    ));
                }
                status = 1;
                continue;
            }
            if let Err(e) = ctx.fs.set_mode(&path, new) {
                if !p.has('f') {
                    ctx.err(format!(
                        "changing permissions of {}: {}",
                        gnu(&text),
                        errno::text(&e)
                    ));
                }
                status = 1;
                continue;
            }
            if p.has('v') || (p.has('c') && new != md.mode) {
                let old_s = super::ls::mode_string(md.kind, md.mode);
                let new_s = super::ls::mode_string(md.kind, new);
                if new != md.mode {
                    ctx.out(format!(
                        "mode of {} changed from {:04o} ({}) to {:04o} ({})\n",
                        gnu(&text),
                        md.mode,
                        &old_s[1..],
                        new,
                        &new_s[1..]
                    ));
                } else {
                    ctx.out(format!(
                        "mode of {} retained as {:04o} ({})\n",
                        gnu(&text),
                        md.mode,
                        &old_s[1..]
                    ));
                }
            }
        }
    }
    status
}
