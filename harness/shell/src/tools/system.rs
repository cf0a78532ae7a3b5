//! `pwd`, `id`, `whoami`, `hostname`, `uname`, `printenv`.

use super::Ctx;
use super::args::{Spec, Takes};
use crate::accounts;
use crate::quote::gnu;

pub(crate) fn pwd(ctx: &mut Ctx, argv: &[String]) -> i32 {
    if let Err(s) = ctx.parse(argv, &Spec::short("LP", ""), 1) {
        return s;
    }
    let text = format!("{}\n", ctx.cwd.display());
    ctx.out(text);
    0
}

pub(crate) fn whoami(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let parsed = match ctx.parse(argv, &Spec::short("", ""), 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if let Some(extra) = parsed.operands.first() {
        return ctx.usage(format!("extra operand {}", gnu(extra)), 1);
    }
    let text = format!("{}\n", ctx.user);
    ctx.out(text);
    0
}

pub(crate) fn id(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("user", Takes::No, 'u'),
        ("group", Takes::No, 'g'),
        ("groups", Takes::No, 'G'),
        ("name", Takes::No, 'n'),
        ("real", Takes::No, 'r'),
    ];
    let spec = Spec {
        flags: "ugGnr",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let parsed = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let who = parsed
        .operands
        .first()
        .cloned()
        .unwrap_or_else(|| ctx.user.to_string());
    let Some(u) = accounts::user(ctx.fs, &who) else {
        ctx.err(format!("{}: no such user", gnu(&who)));
        return 1;
    };
    let name = parsed.has('n');
    let line = if parsed.has('u') {
        if name {
            u.name.clone()
        } else {
            u.uid.to_string()
        }
    } else if parsed.has('g') || parsed.has('G') {
        if name {
            u.group.clone()
        } else {
            u.gid.to_string()
        }
    } else {
        if name {
            return ctx.usage("cannot print only names or real IDs in default format", 1);
        }
        format!(
            "uid={}({}) gid={}({}) groups={}({})",
            u.uid, u.name, u.gid, u.group, u.gid, u.group
        )
    };
    ctx.out(format!("{line}\n"));
    0
}

pub(crate) fn hostname(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let parsed = match ctx.parse(argv, &Spec::short("sfiI", ""), 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if !parsed.operands.is_empty() {
        ctx.err("you must be root to change the host name");
        return 1;
    }
    let name = if parsed.has('s') {
        ctx.hostname.split('.').next().unwrap_or("").to_string()
    } else {
        ctx.hostname.to_string()
    };
    ctx.out(format!("{name}\n"));
    0
}

pub(crate) fn uname(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let parsed = match ctx.parse(argv, &Spec::short("asnrvmpio", ""), 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let all = parsed.has('a');
    let mut parts = Vec::new();
    if all || parsed.has('s') || parsed.opts.is_empty() {
        parts.push("Linux".to_string());
    }
    if all || parsed.has('n') {
        parts.push(ctx.hostname.to_string());
    }
    if all || parsed.has('m') {
        parts.push("x86_64".to_string());
    }
    if all || parsed.has('o') {
        parts.push("GNU/Linux".to_string());
    }
    ctx.out(format!("{}\n", parts.join(" ")));
    0
}

pub(crate) fn printenv(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let parsed = match ctx.parse(argv, &Spec::short("0", ""), 2) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let end = if parsed.has('0') { "\0" } else { "\n" };
    if parsed.operands.is_empty() {
        let text: String = ctx
            .env
            .iter()
            .map(|(k, v)| format!("{k}={v}{end}"))
            .collect();
        ctx.out(text);
        return 0;
    }
    let mut status = 0;
    let mut text = String::new();
    for n in &parsed.operands {
        match ctx.env.get(n) {
            Some(v) => text.push_str(&format!("{v}{end}")),
            None => status = 1,
        }
    }
    ctx.out(text);
    status
}
