//! `rm`, `rmdir`, `mkdir`, `mv`, `cp`, `ln`, `touch`, `truncate`.

use std::io;
use std::path::{Path, PathBuf};

use p4ha_hostfs::{FileKind, Metadata};

use super::Ctx;
use super::args::{Spec, Takes};
use crate::errno::{self, EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY};
use crate::fsx;
use crate::quote::gnu;

/// `lstat` of an operand, honouring a trailing slash (which requires a
/// directory and follows a link to one).
fn lstat_operand(ctx: &Ctx, op: &str) -> io::Result<Metadata> {
    let p = ctx.path(op);
    if op.ends_with('/') && op != "/" {
        let m = fsx::stat(ctx.fs, &p)?;
        if !m.is_dir() {
            return Err(errno::err(ENOTDIR));
        }
        return Ok(m);
    }
    ctx.fs.metadata(&p)
}

fn base_of(op: &str) -> &str {
    let t = op.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    t.rsplit('/').next().unwrap_or(t)
}

/// GNU's text for `dir/name` when moving or copying into a directory.
fn join_text(dir: &str, name: &str) -> String {
    if dir.ends_with('/') {
        format!("{dir}{name}")
    } else {
        format!("{dir}/{name}")
    }
}

pub(crate) fn rm(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("force", Takes::No, 'f'),
        ("recursive", Takes::No, 'r'),
        ("dir", Takes::No, 'd'),
        ("verbose", Takes::No, 'v'),
        ("interactive", Takes::Optional, 'i'),
        ("no-preserve-root", Takes::No, 'N'),
        ("preserve-root", Takes::Optional, 'P'),
        ("one-file-system", Takes::No, 'O'),
    ];
    let spec = Spec {
        flags: "fRrdviI",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    // The last of -f and -i wins.
    let last = p
        .opts
        .iter()
        .rev()
        .find(|(k, _)| matches!(k, 'f' | 'i'))
        .map(|(k, _)| *k);
    let force = last == Some('f');
    let interactive = last == Some('i');
    let recursive = p.has('r') || p.has('R');
    let verbose = p.has('v');
    if p.operands.is_empty() {
        if force {
            return 0;
        }
        return ctx.usage("missing operand", 1);
    }
    let mut status = 0;
    for op in &p.operands {
        let base = base_of(op);
        if base == "." || base == ".." {
            ctx.err(format!(
                "refusing to remove '.' or '..' directory: skipping {}",
                gnu(op)
            ));
            status = 1;
            continue;
        }
        let md = match lstat_operand(ctx, op) {
            Ok(m) => m,
            Err(e) => {
                if force && errno::is(&e, ENOENT) {
                    continue;
                }
                ctx.err(format!("cannot remove {}: {}", gnu(op), errno::text(&e)));
                status = 1;
                continue;
            }
        };
        let path = ctx.path(op);
        if interactive && !(md.is_dir() && !recursive && !p.has('d')) {
            let what = match md.kind {
                FileKind::Dir => "directory",
                FileKind::Symlink => "symbolic link",
                FileKind::File if md.len == 0 => "regular empty file",
                FileKind::File => "regular file",
            };
            ctx.err_raw(&format!("{}: remove {what} {}? ", ctx.name, gnu(op)));
            let answer = ctx.stdin().borrow_mut().read_line();
            let yes =
                answer.is_some_and(|(l, _)| l.first().is_some_and(|c| *c == b'y' || *c == b'Y'));
            if !yes {
                continue;
            }
        }
        let result = if md.is_dir() && fs_kind_is_dir(ctx, &path) {
            if recursive {
                if path == Path::new("/") && !p.has('N') {
                    ctx.err("it is dangerous to operate recursively on '/'");
                    ctx.err("use --no-preserve-root to override this failsafe");
                    status = 1;
                    continue;
                }
                ctx.fs.remove_dir_all(&path)
            } else if p.has('d') {
                ctx.fs.remove_dir(&path)
            } else {
                Err(errno::err(EISDIR))
            }
        } else {
            ctx.fs.remove_file(&path)
        };
        match result {
            Ok(()) => {
                if verbose {
                    let what = if md.is_dir() {
                        "removed directory"
                    } else {
                        "removed"
                    };
                    ctx.out(format!("{what} {}\n", gnu(op)));
                }
            }
            Err(e) => {
                ctx.err(format!("cannot remove {}: {}", gnu(op), errno::text(&e)));
                status = 1;
            }
        }
    }
    status
}

/// True when the path itself (not a link to one) is a directory.
fn fs_kind_is_dir(ctx: &Ctx, p: &Path) -> bool {
    ctx.fs.metadata(p).is_ok_and(|m| m.kind == FileKind::Dir)
}

pub(crate) fn rmdir(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("parents", Takes::No, 'p'),
        ("verbose", Takes::No, 'v'),
        ("ignore-fail-on-non-empty", Takes::No, 'I'),
    ];
    let spec = Spec {
        flags: "pv",
        with_arg: "",
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
        let mut targets = vec![op.trim_end_matches('/').to_string()];
        if p.has('p') {
            let mut cur = targets[0].clone();
            while let Some(i) = cur.rfind('/') {
                cur.truncate(i);
                if cur.is_empty() {
                    break;
                }
                targets.push(cur.clone());
            }
        }
        for t in targets {
            let path = ctx.path(&t);
            let result = match ctx.fs.metadata(&path) {
                Ok(m) if !m.is_dir() => Err(errno::err(ENOTDIR)),
                Ok(_) => ctx.fs.remove_dir(&path),
                Err(e) => Err(e),
            };
            match result {
                Ok(()) => {
                    if p.has('v') {
                        ctx.out(format!("rmdir: removing directory, {}\n", gnu(&t)));
                    }
                }
                Err(e) => {
                    if p.has('I') && errno::is(&e, ENOTEMPTY) {
                        break;
                    }
                    ctx.err(format!("failed to remove {}: {}", gnu(&t), errno::text(&e)));
                    status = 1;
                    break;
                }
            }
        }
    }
    status
}

/// Parses a mode for `mkdir -m` / `chmod` relative to `base`.
pub(crate) fn parse_mode(spec: &str, base: u32, is_dir: bool, umask: u32) -> Option<u32> {
    if !spec.is_empty() && spec.chars().all(|c| c.is_digit(8)) {
        let v = u32::from_str_radix(spec, 8).ok()?;
        if v > 0o7777 {
            return None;
        }
        // GNU keeps a directory's set-group-id bit unless five digits say
        // otherwise.
        return Some(if is_dir && spec.len() < 5 {
            v | (base & 0o6000)
        } else {
            v
        });
    }
    let mut mode = base;
    for clause in spec.split(',') {
        let chars: Vec<char> = clause.chars().collect();
        let mut i = 0;
        let mut who = 0u32;
        while i < chars.len() && "ugoa".contains(chars[i]) {
            who |= match chars[i] {
                'u' => 0o4700,
                'g' => 0o2070,
                'o' => 0o1007,
                _ => 0o7777,
            };
            i += 1;
        }
        let explicit = who != 0;
        if !explicit {
            who = 0o7777;
        }
        if i >= chars.len() {
            return None;
        }
        while i < chars.len() {
            let op = chars[i];
            if !matches!(op, '+' | '-' | '=') {
                return None;
            }
            i += 1;
            let mut perm = 0u32;
            if i < chars.len() && "ugo".contains(chars[i]) {
                let shift = match chars[i] {
                    'u' => 6,
                    'g' => 3,
                    _ => 0,
                };
                let bits = (mode >> shift) & 7;
                perm = bits * 0o111;
                i += 1;
            } else {
                while i < chars.len() && "rwxXst".contains(chars[i]) {
                    perm |= match chars[i] {
                        'r' => 0o444,
                        'w' => 0o222,
                        'x' => 0o111,
                        'X' => {
                            if is_dir || mode & 0o111 != 0 {
                                0o111
                            } else {
                                0
                            }
                        }
                        's' => 0o6000,
                        _ => 0o1000,
                    };
                    i += 1;
                }
            }
            let mut mask = who;
            if !explicit {
                // Without who, the umask limits what changes.
                mask &= !umask | 0o7000;
            }
            let change = perm & mask;
            match op {
                '+' => mode |= change,
                '-' => mode &= !change,
                _ => {
                    let clear = if explicit {
                        who & 0o777 | (who & 0o7000)
                    } else {
                        0o7777
                    };
                    let keep_dir_sgid = if is_dir { mode & 0o2000 & !change } else { 0 };
                    mode = (mode & !clear) | change;
                    if is_dir && perm & 0o6000 == 0 {
                        mode |= keep_dir_sgid & !who;
                    }
                }
            }
        }
    }
    Some(mode & 0o7777)
}

pub(crate) fn mkdir(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("parents", Takes::No, 'p'),
        ("mode", Takes::Required, 'm'),
        ("verbose", Takes::No, 'v'),
    ];
    let spec = Spec {
        flags: "pv",
        with_arg: "m",
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
    let default_mode = 0o777 & !ctx.umask;
    let mode = match p.value('m') {
        Some(m) => match parse_mode(m, 0o777, true, ctx.umask) {
            Some(v) => Some(v),
            None => {
                ctx.err(format!("invalid mode {}", gnu(m)));
                return 1;
            }
        },
        None => None,
    };
    let mut status = 0;
    for op in &p.operands {
        let path = ctx.path(op);
        if p.has('p') {
            // Create every missing ancestor; an existing one must be a
            // directory.
            let mut missing = Vec::new();
            let mut cur = path.clone();
            let mut blocked = None;
            loop {
                if ctx.fs.exists(&cur) {
                    if !missing.is_empty() && !fsx::is_dir(ctx.fs, &cur) {
                        blocked = Some(cur.clone());
                    }
                    break;
                }
                missing.push(cur.clone());
                match cur.parent() {
                    Some(parent) => cur = parent.to_path_buf(),
                    None => break,
                }
            }
            if let Some(b) = blocked {
                let shown = host_text(op, &path, &b);
                ctx.err(format!(
                    "cannot create directory {}: Not a directory",
                    gnu(&shown)
                ));
                status = 1;
                continue;
            }
            if missing.is_empty() {
                if !fsx::is_dir(ctx.fs, &path) {
                    ctx.err(format!(
                        "cannot create directory {}: {}",
                        gnu(op),
                        errno::text(&errno::err(EEXIST))
                    ));
                    status = 1;
                }
                continue;
            }
            for dir in missing.iter().rev() {
                match ctx.fs.create_dir(dir) {
                    Ok(()) => {
                        ctx.created(dir);
                        let m = if dir == &path {
                            mode.unwrap_or(default_mode)
                        } else {
                            default_mode | 0o300
                        };
                        let _ = ctx.fs.set_mode(dir, m);
                        if p.has('v') {
                            let shown = host_text(op, &path, dir);
                            ctx.out(format!("mkdir: created directory {}\n", gnu(&shown)));
                        }
                    }
                    Err(e) => {
                        let shown = host_text(op, &path, dir);
                        ctx.err(format!(
                            "cannot create directory {}: {}",
                            gnu(&shown),
                            errno::text(&e)
                        ));
                        status = 1;
                        break;
                    }
                }
            }
            continue;
        }
        match ctx.fs.create_dir(&path) {
            Ok(()) => {
                ctx.created(&path);
                let _ = ctx.fs.set_mode(&path, mode.unwrap_or(default_mode));
                if p.has('v') {
                    ctx.out(format!("mkdir: created directory {}\n", gnu(op)));
                }
            }
            Err(e) => {
                ctx.err(format!(
                    "cannot create directory {}: {}",
                    gnu(op),
                    errno::text(&e)
                ));
                status = 1;
            }
        }
    }
    status
}

/// The operand text for an ancestor `dir` of `full` (which `op` names).
fn host_text(op: &str, full: &Path, dir: &Path) -> String {
    let extra = full.components().count() - dir.components().count();
    let mut t = op.trim_end_matches('/').to_string();
    for _ in 0..extra {
        match t.rfind('/') {
            Some(i) => t.truncate(i.max(1)),
            None => break,
        }
    }
    t
}

/// Where each source goes for `mv`/`cp`: `(source text, destination
/// text, destination path)`, or an exit status after an error.
fn plan(ctx: &mut Ctx, p: &super::args::Parsed) -> Result<Vec<(String, String, PathBuf)>, i32> {
    let mut ops = p.operands.clone();
    if let Some(t) = p.value('t') {
        let dir = t.to_string();
        if !fsx::is_dir(ctx.fs, &ctx.path(&dir)) {
            ctx.err(format!("target directory {} is not a directory", gnu(&dir)));
            return Err(1);
        }
        if ops.is_empty() {
            return Err(ctx.usage("missing file operand", 1));
        }
        return Ok(ops
            .into_iter()
            .map(|s| {
                let text = join_text(&dir, base_of(&s));
                let path = ctx.path(&text);
                (s, text, path)
            })
            .collect());
    }
    match ops.len() {
        0 => return Err(ctx.usage("missing file operand", 1)),
        1 => {
            let msg = format!("missing destination file operand after {}", gnu(&ops[0]));
            return Err(ctx.usage(msg, 1));
        }
        _ => {}
    }
    let Some(dest) = ops.pop() else {
        return Err(1);
    };
    let dest_is_dir = !p.has('T') && fsx::is_dir(ctx.fs, &ctx.path(&dest));
    if !dest_is_dir {
        if ops.len() > 1 {
            let why = match fsx::stat(ctx.fs, &ctx.path(&dest)) {
                Err(e) => errno::text(&e),
                Ok(_) => errno::text(&errno::err(ENOTDIR)),
            };
            ctx.err(format!("target {}: {why}", gnu(&dest)));
            return Err(1);
        }
        let path = ctx.path(&dest);
        let src = ops.remove(0);
        return Ok(vec![(src, dest, path)]);
    }
    Ok(ops
        .into_iter()
        .map(|s| {
            let text = join_text(&dest, base_of(&s));
            let path = ctx.path(&text);
            (s, text, path)
        })
        .collect())
}

pub(crate) fn mv(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("force", Takes::No, 'f'),
        ("interactive", Takes::No, 'i'),
        ("no-clobber", Takes::No, 'n'),
        ("verbose", Takes::No, 'v'),
        ("target-directory", Takes::Required, 't'),
        ("no-target-directory", Takes::No, 'T'),
        ("update", Takes::Optional, 'u'),
    ];
    let spec = Spec {
        flags: "finvTu",
        with_arg: "t",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let plan = match plan(ctx, &p) {
        Ok(plan) => plan,
        Err(s) => return s,
    };
    let mut status = 0;
    for (src, dst_text, dst) in plan {
        let src_path = ctx.path(&src);
        let smd = match lstat_operand(ctx, &src) {
            Ok(m) => m,
            Err(e) => {
                ctx.err(format!("cannot stat {}: {}", gnu(&src), errno::text(&e)));
                status = 1;
                continue;
            }
        };
        if src_path == dst {
            ctx.err(format!(
                "{} and {} are the same file",
                gnu(&src),
                gnu(&dst_text)
            ));
            status = 1;
            continue;
        }
        if smd.is_dir() && dst.starts_with(&src_path) {
            ctx.err(format!(
                "cannot move {} to a subdirectory of itself, {}",
                gnu(&src),
                gnu(&dst_text)
            ));
            status = 1;
            continue;
        }
        if let Ok(dmd) = ctx.fs.metadata(&dst) {
            if p.has('n') {
                continue;
            }
            if smd.is_dir() && !dmd.is_dir() {
                ctx.err(format!(
                    "cannot overwrite non-directory {} with directory {}",
                    gnu(&dst_text),
                    gnu(&src)
                ));
                status = 1;
                continue;
            }
            if !smd.is_dir() && dmd.is_dir() {
                ctx.err(format!(
                    "cannot overwrite directory {} with non-directory",
                    gnu(&dst_text)
                ));
                status = 1;
                continue;
            }
        }
        match fsx::rename(ctx.fs, &src_path, &dst) {
            Ok(()) => {
                if p.has('v') {
                    ctx.out(format!("renamed {} -> {}\n", gnu(&src), gnu(&dst_text)));
                }
            }
            Err(e) => {
                let why = if errno::is(&e, ENOTEMPTY) || errno::is(&e, EEXIST) {
                    "Directory not empty".to_string()
                } else {
                    errno::text(&e)
                };
                ctx.err(format!(
                    "cannot move {} to {}: {}",
                    gnu(&src),
                    gnu(&dst_text),
                    why
                ));
                status = 1;
            }
        }
    }
    status
}

struct CopyOpts {
    recursive: bool,
    preserve: bool,
    no_deref: bool,
    no_clobber: bool,
    verbose: bool,
}

pub(crate) fn cp(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("recursive", Takes::No, 'r'),
        ("archive", Takes::No, 'a'),
        ("force", Takes::No, 'f'),
        ("no-clobber", Takes::No, 'n'),
        ("verbose", Takes::No, 'v'),
        ("preserve", Takes::Optional, 'p'),
        ("no-dereference", Takes::No, 'P'),
        ("dereference", Takes::No, 'L'),
        ("target-directory", Takes::Required, 't'),
        ("no-target-directory", Takes::No, 'T'),
        ("interactive", Takes::No, 'i'),
        ("update", Takes::Optional, 'u'),
    ];
    let spec = Spec {
        flags: "rRafnvpPLdTiuH",
        with_arg: "t",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let recursive = p.has('r') || p.has('R') || p.has('a');
    let opts = CopyOpts {
        recursive,
        preserve: p.has('p') || p.has('a'),
        no_deref: (p.has('P') || p.has('d') || p.has('a') || recursive) && !p.has('L'),
        no_clobber: p.has('n'),
        verbose: p.has('v'),
    };
    let plan = match plan(ctx, &p) {
        Ok(plan) => plan,
        Err(s) => return s,
    };
    let mut status = 0;
    for (src, dst_text, dst) in plan {
        let src_path = ctx.path(&src);
        let smd = if opts.no_deref && !src.ends_with('/') {
            ctx.fs.metadata(&src_path)
        } else {
            fsx::stat(ctx.fs, &src_path)
        };
        let smd = match smd {
            Ok(m) => m,
            Err(e) => {
                ctx.err(format!("cannot stat {}: {}", gnu(&src), errno::text(&e)));
                status = 1;
                continue;
            }
        };
        if smd.is_dir() && !opts.recursive {
            ctx.err(format!(
                "-r not specified; omitting directory {}",
                gnu(&src)
            ));
            status = 1;
            continue;
        }
        if src_path == dst {
            ctx.err(format!(
                "{} and {} are the same file",
                gnu(&src),
                gnu(&dst_text)
            ));
            status = 1;
            continue;
        }
        if smd.is_dir() && dst.starts_with(&src_path) {
            ctx.err(format!(
                "cannot copy a directory, {}, into itself, {}",
                gnu(&src),
                gnu(&dst_text)
            ));
            status = 1;
            continue;
        }
        if copy_one(ctx, &opts, &src_path, &smd, &dst, &dst_text).is_err() {
            status = 1;
        } else if opts.verbose {
            ctx.out(format!("{} -> {}\n", gnu(&src), gnu(&dst_text)));
        }
    }
    status
}

/// Copies one file or tree; errors are reported as they happen.
fn copy_one(
    ctx: &mut Ctx,
    o: &CopyOpts,
    src: &Path,
    smd: &Metadata,
    dst: &Path,
    dst_text: &str,
) -> Result<(), ()> {
    let existing = ctx.fs.metadata(dst).ok();
    match smd.kind {
        FileKind::Dir => {
            match &existing {
                Some(d) if !d.is_dir() => {
                    ctx.err(format!(
                        "cannot overwrite non-directory {} with directory {}",
                        gnu(dst_text),
                        gnu(&src.display().to_string())
                    ));
                    return Err(());
                }
                Some(_) => {}
                None => {
                    if let Err(e) = ctx.fs.create_dir(dst) {
                        ctx.err(format!(
                            "cannot create directory {}: {}",
                            gnu(dst_text),
                            errno::text(&e)
                        ));
                        return Err(());
                    }
                    ctx.created(dst);
                }
            }
            let names = ctx.fs.read_dir(src).unwrap_or_default();
            let mut failed = false;
            for name in names {
                let s = src.join(&name);
                let d = dst.join(&name);
                let Ok(m) = (if o.no_deref {
                    ctx.fs.metadata(&s)
                } else {
                    fsx::stat(ctx.fs, &s)
                }) else {
                    continue;
                };
                let text = join_text(dst_text, &name);
                failed |= copy_one(ctx, o, &s, &m, &d, &text).is_err();
            }
            finish_attrs(ctx, o, smd, dst, existing.is_none());
            if failed { Err(()) } else { Ok(()) }
        }
        FileKind::Symlink => {
            if existing.is_some() {
                if o.no_clobber {
                    return Ok(());
                }
                let _ = ctx.fs.remove_file(dst);
            }
            let target = fsx::read_link(ctx.fs, src).unwrap_or_default();
            if let Err(e) = fsx::symlink(ctx.fs, &target, dst) {
                ctx.err(format!(
                    "cannot create symbolic link {}: {}",
                    gnu(dst_text),
                    errno::text(&e)
                ));
                return Err(());
            }
            ctx.created(dst);
            Ok(())
        }
        FileKind::File => {
            if let Some(d) = &existing {
                if o.no_clobber {
                    return Ok(());
                }
                if d.is_dir() {
                    ctx.err(format!(
                        "cannot overwrite directory {} with non-directory",
                        gnu(dst_text)
                    ));
                    return Err(());
                }
            }
            if let Err(e) = ctx.fs.copy(src, dst) {
                if errno::is(&e, 28) {
                    ctx.err(format!(
                        "error writing {}: {}",
                        gnu(dst_text),
                        errno::text(&e)
                    ));
                } else {
                    ctx.err(format!(
                        "cannot create regular file {}: {}",
                        gnu(dst_text),
                        errno::text(&e)
                    ));
                }
                return Err(());
            }
            finish_attrs(ctx, o, smd, dst, existing.is_none());
            Ok(())
        }
    }
}

/// Owner and mode of a copy: the source's with `-p`; otherwise a new file
/// belongs to the running user with the source's mode less the umask.
fn finish_attrs(ctx: &Ctx, o: &CopyOpts, smd: &Metadata, dst: &Path, created: bool) {
    if o.preserve {
        let _ = ctx.fs.set_mode(dst, smd.mode);
        if ctx.user == "root" || ctx.user == smd.user {
            let _ = ctx.fs.chown(dst, Some(&smd.user), Some(&smd.group));
        }
    } else if created {
        ctx.created(dst);
        let _ = ctx.fs.set_mode(dst, smd.mode & !ctx.umask);
    }
}

pub(crate) fn ln(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("symbolic", Takes::No, 's'),
        ("force", Takes::No, 'f'),
        ("no-dereference", Takes::No, 'n'),
        ("verbose", Takes::No, 'v'),
        ("target-directory", Takes::Required, 't'),
        ("no-target-directory", Takes::No, 'T'),
    ];
    let spec = Spec {
        flags: "sfnvTr",
        with_arg: "t",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let symbolic = p.has('s');
    let mut ops = p.operands.clone();
    let pairs: Vec<(String, String)> = if let Some(dir) = p.value('t') {
        ops.iter()
            .map(|t| (t.clone(), join_text(dir, base_of(t))))
            .collect()
    } else {
        match ops.len() {
            0 => return ctx.usage("missing file operand", 1),
            1 => {
                let t = ops.remove(0);
                let name = base_of(&t).to_string();
                vec![(t, name)]
            }
            _ => {
                let Some(last) = ops.pop() else {
                    return 1;
                };
                let last_path = ctx.path(&last);
                let into_dir = !p.has('T')
                    && if p.has('n') {
                        ctx.fs.metadata(&last_path).is_ok_and(|m| m.is_dir())
                    } else {
                        fsx::is_dir(ctx.fs, &last_path)
                    };
                if into_dir {
                    ops.iter()
                        .map(|t| (t.clone(), join_text(&last, base_of(t))))
                        .collect()
                } else if ops.len() > 1 {
                    ctx.err(format!("target {}: Not a directory", gnu(&last)));
                    return 1;
                } else {
                    vec![(ops.remove(0), last)]
                }
            }
        }
    };
    let mut status = 0;
    for (target, link) in pairs {
        let link_path = ctx.path(&link);
        if ctx.fs.metadata(&link_path).is_ok() {
            if p.has('f') {
                let _ = ctx.fs.remove_file(&link_path);
            } else {
                let kind = if symbolic {
                    "symbolic link"
                } else {
                    "hard link"
                };
                ctx.err(format!(
                    "failed to create {kind} {}: File exists",
                    gnu(&link)
                ));
                status = 1;
                continue;
            }
        }
        let result = if symbolic {
            fsx::symlink(ctx.fs, &target, &link_path)
        } else {
            let src = ctx.path(&target);
            std::fs::hard_link(ctx.fs.real_path(&src), ctx.fs.real_path(&link_path))
        };
        match result {
            Ok(()) => {
                ctx.created(&link_path);
                if p.has('v') {
                    let arrow = if symbolic { "->" } else { "=>" };
                    ctx.out(format!("{} {arrow} {}\n", gnu(&link), gnu(&target)));
                }
            }
            Err(e) => {
                if symbolic {
                    ctx.err(format!(
                        "failed to create symbolic link {}: {}",
                        gnu(&link),
                        errno::text(&e)
                    ));
                } else if errno::is(&e, ENOENT) && !ctx.fs.exists(&ctx.path(&target)) {
                    ctx.err(format!(
                        "failed to access {}: {}",
                        gnu(&target),
                        errno::text(&e)
                    ));
                } else {
                    ctx.err(format!(
                        "failed to create hard link {} => {}: {}",
                        gnu(&link),
                        gnu(&target),
                        errno::text(&e)
                    ));
                }
                status = 1;
            }
        }
    }
    status
}

pub(crate) fn touch(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("no-create", Takes::No, 'c'),
        ("date", Takes::Required, 'd'),
        ("reference", Takes::Required, 'r'),
    ];
    let spec = Spec {
        flags: "acmfh",
        with_arg: "dtr",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if p.operands.is_empty() {
        return ctx.usage("missing file operand", 1);
    }
    if p.has('d') || p.has('t') || p.has('r') {
        // The host file system records only "now" as a modification time.
        ctx.err("setting a time other than now is not supported on this host");
        return 1;
    }
    let mut status = 0;
    for op in &p.operands {
        let path = ctx.path(op);
        match fsx::stat(ctx.fs, &path) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                if let Err(e) = ctx.fs.append(&path, b"") {
                    ctx.err(format!("setting times of {}: {}", gnu(op), errno::text(&e)));
                    status = 1;
                }
            }
            Err(_) if p.has('c') => {}
            Err(_) => match ctx.fs.write(&path, b"") {
                Ok(()) => ctx.created(&path),
                Err(e) => {
                    ctx.err(format!("cannot touch {}: {}", gnu(op), errno::text(&e)));
                    status = 1;
                }
            },
        }
    }
    status
}

pub(crate) fn truncate(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("size", Takes::Required, 's'),
        ("no-create", Takes::No, 'c'),
        ("reference", Takes::Required, 'r'),
    ];
    let spec = Spec {
        flags: "co",
        with_arg: "sr",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let size_spec = match (p.value('s'), p.value('r')) {
        (Some(s), _) => s.to_string(),
        (None, Some(r)) => match fsx::stat(ctx.fs, &ctx.path(r)) {
            Ok(m) => m.len.to_string(),
            Err(e) => {
                ctx.err(format!("cannot stat {}: {}", gnu(r), errno::text(&e)));
                return 1;
            }
        },
        (None, None) => return ctx.usage("you must specify either '--size' or '--reference'", 1),
    };
    let (op, num) = match size_spec.chars().next() {
        Some(c @ ('+' | '-' | '<' | '>' | '/' | '%')) => (Some(c), &size_spec[1..]),
        _ => (None, size_spec.as_str()),
    };
    let Some(n) = parse_size(num) else {
        ctx.err(format!("Invalid number: {}", gnu(&size_spec)));
        return 1;
    };
    if p.operands.is_empty() {
        return ctx.usage("missing file operand", 1);
    }
    let mut status = 0;
    for f in &p.operands {
        let path = ctx.path(f);
        let cur = match ctx.fs.metadata(&path) {
            Ok(m) => m.len,
            Err(_) if p.has('c') => continue,
            Err(_) => {
                if let Err(e) = ctx.fs.write(&path, b"") {
                    ctx.err(format!(
                        "cannot open {} for writing: {}",
                        gnu(f),
                        errno::text(&e)
                    ));
                    status = 1;
                    continue;
                }
                ctx.created(&path);
                0
            }
        };
        let new = match op {
            None => n,
            Some('+') => cur.saturating_add(n),
            Some('-') => cur.saturating_sub(n),
            Some('<') => cur.min(n),
            Some('>') => cur.max(n),
            Some('/') if n > 0 => cur / n * n,
            Some('%') if n > 0 => cur.div_ceil(n) * n,
            _ => cur,
        };
        if let Err(e) = ctx.fs.set_len(&path, new) {
            ctx.err(format!(
                "failed to truncate {} at {new} bytes: {}",
                gnu(f),
                errno::text(&e)
            ));
            status = 1;
        }
    }
    status
}

/// Sizes like `10M`, `1K`, `5KB`, `2GiB`.
pub(crate) fn parse_size(s: &str) -> Option<u64> {
    let digits: String = s.chars().take_while(|c| c.is_ascii_digit()).collect();
    let suffix = &s[digits.len()..];
    let n: u64 = if digits.is_empty() {
        1
    } else {
        digits.parse().ok()?
    };
    if digits.is_empty() && suffix.is_empty() {
        return None;
    }
    let (letter, rest) = match suffix.chars().next() {
        None => return Some(n),
        Some(c) => (c, &suffix[c.len_utf8()..]),
    };
    let power = "KMGTPE".find(letter.to_ascii_uppercase())? as u32 + 1;
    let base: u64 = match rest {
        "" | "iB" => 1024,
        "B" => 1000,
        _ => return None,
    };
    if letter == 'k' && rest == "B" {
        return None;
    }
    n.checked_mul(base.checked_pow(power)?)
}
