//! dash's own builtins: special builtins (`exit`, `set`, `export`...) and
//! regular ones (`cd`, `echo`, `test`, `read`...).

use super::{Flow, Shell, Var};
use crate::streams::Fds;
use crate::syntax::is_name;
use crate::tools::{self, Ctx};

/// Special builtins: their errors end a non-interactive shell and their
/// assignments persist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    Colon,
    Dot,
    Break,
    Continue,
    Eval,
    Exec,
    Exit,
    Export,
    Readonly,
    Return,
    Set,
    Shift,
    Times,
    Trap,
    Unset,
}

/// Regular builtins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Regular {
    Cd,
    Pwd,
    Echo,
    Printf,
    Test,
    True,
    False,
    Read,
    Local,
    Umask,
    Wait,
    Command,
    Type,
    Hash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Builtin {
    Special(Special),
    Regular(Regular),
}

pub(crate) fn builtin(name: &str) -> Option<Builtin> {
    use Builtin::*;
    Some(match name {
        ":" => Special(self::Special::Colon),
        "." => Special(self::Special::Dot),
        "break" => Special(self::Special::Break),
        "continue" => Special(self::Special::Continue),
        "eval" => Special(self::Special::Eval),
        "exec" => Special(self::Special::Exec),
        "exit" => Special(self::Special::Exit),
        "export" => Special(self::Special::Export),
        "readonly" => Special(self::Special::Readonly),
        "return" => Special(self::Special::Return),
        "set" => Special(self::Special::Set),
        "shift" => Special(self::Special::Shift),
        "times" => Special(self::Special::Times),
        "trap" => Special(self::Special::Trap),
        "unset" => Special(self::Special::Unset),
        "cd" => Regular(self::Regular::Cd),
        "pwd" => Regular(self::Regular::Pwd),
        "echo" => Regular(self::Regular::Echo),
        "printf" => Regular(self::Regular::Printf),
        "test" | "[" => Regular(self::Regular::Test),
        "true" => Regular(self::Regular::True),
        "false" => Regular(self::Regular::False),
        "read" => Regular(self::Regular::Read),
        "local" => Regular(self::Regular::Local),
        "umask" => Regular(self::Regular::Umask),
        "wait" => Regular(self::Regular::Wait),
        "command" => Regular(self::Regular::Command),
        "type" => Regular(self::Regular::Type),
        "hash" => Regular(self::Regular::Hash),
        _ => return None,
    })
}

/// dash's quoting in `export -p` and `set` listings: always single quotes.
fn dash_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}

/// dash's `number()`: a non-negative decimal.
fn dash_number(s: &str) -> Option<i64> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        s.parse().ok()
    } else {
        None
    }
}

const SIGNALS: &[&str] = &[
    "EXIT", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
    "USR2", "PIPE", "ALRM", "TERM",
];

impl<'h> Shell<'h> {
    fn fatal(&self, fds: &Fds, msg: &str) -> Flow {
        self.report(fds, msg);
        Flow::Exit(2)
    }

    pub(crate) async fn run_special(
        &mut self,
        b: Special,
        argv: &[String],
        fds: &Fds,
    ) -> super::Exec {
        let name = argv[0].as_str();
        let args = &argv[1..];
        match b {
            Special::Colon => Ok(0),
            Special::Times => {
                let _ = fds.write(1, b"0m0.000000s 0m0.000000s\n0m0.000000s 0m0.000000s\n");
                Ok(0)
            }
            Special::Break | Special::Continue => {
                let n = match args.first() {
                    None => 1,
                    Some(a) => match dash_number(a) {
                        Some(n) if n > 0 => n as usize,
                        _ => return Err(self.fatal(fds, &format!("{name}: Illegal number: {a}"))),
                    },
                };
                if self.loop_depth == 0 {
                    return Ok(0);
                }
                let n = n.min(self.loop_depth);
                Err(if b == Special::Break {
                    Flow::Break(n)
                } else {
                    Flow::Continue(n)
                })
            }
            Special::Exit | Special::Return => {
                let status = match args.first() {
                    None => self.status,
                    Some(a) => match dash_number(a) {
                        Some(n) => (n & 0xff) as i32,
                        None => {
                            return Err(self.fatal(fds, &format!("{name}: Illegal number: {a}")));
                        }
                    },
                };
                if b == Special::Exit || self.func_depth == 0 {
                    Err(Flow::Exit(status))
                } else {
                    Err(Flow::Return(status))
                }
            }
            Special::Eval => {
                let text = args.join(" ");
                let line = self.lineno;
                self.run_source(&text, line, Some(fds), Some("eval")).await
            }
            Special::Dot => self.dot(args, fds).await,
            Special::Exec => {
                if args.is_empty() {
                    let mut new = fds.clone();
                    new.base = true;
                    self.fds = new;
                    return Ok(0);
                }
                let env = self.environment(&[]);
                let user = self.user.clone();
                match self.run_external(args, env, &user, fds).await {
                    Some(status) => Err(Flow::Exit(status)),
                    None => {
                        self.report(fds, &format!("exec: {}: not found", args[0]));
                        Err(Flow::Exit(127))
                    }
                }
            }
            Special::Export | Special::Readonly => {
                let export = b == Special::Export;
                let names: Vec<&String> = args.iter().filter(|a| *a != "-p").collect();
                if names.is_empty() {
                    let mut text = String::new();
                    for (k, v) in &self.vars {
                        if (export && v.exported) || (!export && v.readonly) {
                            text.push_str(&format!("{name} {k}={}\n", dash_quote(&v.value)));
                        }
                    }
                    let _ = fds.write(1, text.as_bytes());
                    return Ok(0);
                }
                for a in names {
                    let (k, value) = match a.split_once('=') {
                        Some((k, v)) => (k, Some(v.to_string())),
                        None => (a.as_str(), None),
                    };
                    if !is_name(k) {
                        return Err(self.fatal(fds, &format!("{name}: {k}: bad variable name")));
                    }
                    if let Some(v) = value
                        && let Err(msg) = self.set_var(k, v)
                    {
                        return Err(self.fatal(fds, &format!("{name}: {msg}")));
                    }
                    let var = self.vars.entry(k.to_string()).or_insert(Var {
                        value: String::new(),
                        exported: false,
                        readonly: false,
                    });
                    if export {
                        var.exported = true;
                    } else {
                        var.readonly = true;
                    }
                }
                Ok(0)
            }
            Special::Unset => {
                let mut funcs = false;
                for a in args {
                    match a.as_str() {
                        "-f" => funcs = true,
                        "-v" => funcs = false,
                        _ if funcs => {
                            self.functions.remove(a);
                        }
                        _ => {
                            if self.vars.get(a).is_some_and(|v| v.readonly) {
                                return Err(self.fatal(fds, &format!("unset: {a}: is read only")));
                            }
                            self.vars.remove(a);
                        }
                    }
                }
                Ok(0)
            }
            Special::Shift => {
                let n = match args.first() {
                    None => 1,
                    Some(a) => match dash_number(a) {
                        Some(n) => n as usize,
                        None => return Err(self.fatal(fds, &format!("shift: Illegal number: {a}"))),
                    },
                };
                if n > self.positional.len() {
                    return Err(self.fatal(fds, "shift: can't shift that many"));
                }
                self.positional.drain(..n);
                Ok(0)
            }
            Special::Set => self.set(args, fds),
            Special::Trap => self.trap(args, fds),
        }
    }

    async fn dot(&mut self, args: &[String], fds: &Fds) -> super::Exec {
        let Some(file) = args.first() else {
            return Ok(0);
        };
        let path = if file.contains('/') {
            Some(p4ha_hostfs::resolve(&self.cwd, file))
        } else {
            let path_var = self
                .get_var("PATH")
                .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
                .to_string();
            path_var
                .split(':')
                .map(|d| {
                    p4ha_hostfs::resolve(&self.cwd, if d.is_empty() { "." } else { d }).join(file)
                })
                .find(|p| self.fs.metadata(p).is_ok_and(|m| !m.is_dir()))
        };
        let Some(path) = path else {
            return Err(self.fatal(fds, &format!(".: {file}: not found")));
        };
        let text = match self.fs.read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                let why = if crate::errno::is(&e, crate::errno::ENOENT) {
                    "No such file".to_string()
                } else {
                    crate::errno::text(&e)
                };
                return Err(self.fatal(fds, &format!(".: cannot open {file}: {why}")));
            }
        };
        let saved_name = std::mem::replace(&mut self.lineno, 0);
        let r = self.run_source(&text, 1, Some(fds), Some(file)).await;
        self.lineno = saved_name;
        r
    }

    fn set(&mut self, args: &[String], fds: &Fds) -> super::Exec {
        if args.is_empty() {
            let mut text = String::new();
            for (k, v) in &self.vars {
                text.push_str(&format!("{k}={}\n", dash_quote(&v.value)));
            }
            let _ = fds.write(1, text.as_bytes());
            return Ok(0);
        }
        let mut i = 0;
        let mut new_args = None;
        while i < args.len() {
            let a = &args[i];
            if a == "--" {
                new_args = Some(args[i + 1..].to_vec());
                break;
            }
            if a == "-" {
                self.opts.xtrace = false;
                new_args = Some(args[i + 1..].to_vec());
                break;
            }
            let on = a.starts_with('-');
            if !(on || a.starts_with('+')) || a.len() < 2 {
                new_args = Some(args[i..].to_vec());
                break;
            }
            for c in a[1..].chars() {
                if c == 'o' {
                    i += 1;
                    let Some(opt) = args.get(i) else {
                        let mut text = String::new();
                        for (n, v) in [
                            ("errexit", self.opts.errexit),
                            ("noglob", self.opts.noglob),
                            ("nounset", self.opts.nounset),
                            ("xtrace", self.opts.xtrace),
                            ("noclobber", self.opts.noclobber),
                            ("allexport", self.opts.allexport),
                        ] {
                            text.push_str(&format!("{n:<16}{}\n", if v { "on" } else { "off" }));
                        }
                        let _ = fds.write(1, text.as_bytes());
                        return Ok(0);
                    };
                    let flag = match opt.as_str() {
                        "errexit" => 'e',
                        "nounset" => 'u',
                        "xtrace" => 'x',
                        "noglob" => 'f',
                        "noclobber" => 'C',
                        "allexport" => 'a',
                        "pipefail" | "monitor" | "notify" | "verbose" | "ignoreeof" | "nolog"
                        | "emacs" | "vi" => continue,
                        _ => return Err(self.fatal(fds, &format!("set: Illegal option -o {opt}"))),
                    };
                    self.set_flag(flag, on);
                } else if !self.set_flag(c, on) {
                    let sign = if on { '-' } else { '+' };
                    return Err(self.fatal(fds, &format!("set: Illegal option {sign}{c}")));
                }
            }
            i += 1;
        }
        if let Some(a) = new_args {
            self.positional = a;
        }
        Ok(0)
    }

    fn set_flag(&mut self, c: char, on: bool) -> bool {
        match c {
            'e' => self.opts.errexit = on,
            'u' => self.opts.nounset = on,
            'x' => self.opts.xtrace = on,
            'f' => self.opts.noglob = on,
            'C' => self.opts.noclobber = on,
            'a' => self.opts.allexport = on,
            'v' | 'm' | 'b' | 'n' | 'h' => {}
            _ => return false,
        }
        true
    }

    fn trap(&mut self, args: &[String], fds: &Fds) -> super::Exec {
        if args.is_empty() {
            if let Some(t) = &self.exit_trap {
                let _ = fds.write(1, format!("trap -- {} EXIT\n", dash_quote(t)).as_bytes());
            }
            return Ok(0);
        }
        let (action, sigs) = if args.len() == 1 {
            (Some("-"), args)
        } else {
            (Some(args[0].as_str()), &args[1..])
        };
        let mut status = 0;
        for sig in sigs {
            let upper = sig.trim_start_matches("SIG").to_ascii_uppercase();
            let known =
                SIGNALS.contains(&upper.as_str()) || sig.parse::<u32>().is_ok_and(|n| n <= 64);
            if !known {
                // dash prints this one without the usual prefix.
                let _ = fds.write(2, format!("trap: {sig}: bad trap\n").as_bytes());
                status = 1;
                continue;
            }
            // Only EXIT can happen here: no signals reach a simulated shell.
            if upper == "EXIT" || sig == "0" {
                self.exit_trap = match action {
                    Some("-") | None => None,
                    Some(a) => Some(a.to_string()),
                };
            }
        }
        Ok(status)
    }

    pub(crate) async fn run_regular(
        &mut self,
        b: Regular,
        argv: &[String],
        fds: &Fds,
    ) -> super::Exec {
        let args = &argv[1..];
        match b {
            Regular::True => Ok(0),
            Regular::False => Ok(1),
            Regular::Wait | Regular::Hash => Ok(0),
            Regular::Echo | Regular::Printf | Regular::Test | Regular::Pwd => {
                let env = self.environment(&[]);
                let owner = self.creation_owner_for(&self.user);
                let tz = self.default_tz.clone();
                let mut ctx = Ctx::new(
                    &self.fs,
                    &self.cwd,
                    &env,
                    &self.user,
                    &self.hostname,
                    self.umask,
                    fds,
                    format!("{}: {}: {}", self.arg0, self.lineno, argv[0]),
                    owner,
                    tz,
                );
                ctx.dash = true;
                let status = match b {
                    Regular::Echo => tools::dash_echo(&mut ctx, argv),
                    Regular::Printf => tools::printf(&mut ctx, argv),
                    Regular::Test => tools::test::test(&mut ctx, argv),
                    _ => {
                        let text = format!("{}\n", self.cwd.display());
                        ctx.out(text);
                        0
                    }
                };
                Ok(ctx.finish(status))
            }
            Regular::Cd => Ok(self.cd(args, fds)),
            Regular::Read => Ok(self.read(args, fds)),
            Regular::Local => {
                if self.func_depth == 0 {
                    self.report(fds, "local: not in a function");
                    return Ok(2);
                }
                for a in args {
                    let (k, value) = match a.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (a.clone(), None),
                    };
                    let old = self.vars.get(&k).cloned();
                    if let Some(frame) = self.locals.last_mut()
                        && !frame.iter().any(|(n, _)| *n == k)
                    {
                        frame.push((k.clone(), old));
                    }
                    if let Some(v) = value
                        && let Err(msg) = self.set_var(&k, v)
                    {
                        self.report(fds, &format!("local: {msg}"));
                        return Ok(2);
                    }
                }
                Ok(0)
            }
            Regular::Umask => {
                match args.first() {
                    None => {
                        let _ = fds.write(1, format!("{:04o}\n", self.umask).as_bytes());
                    }
                    Some(m) => match u32::from_str_radix(m, 8) {
                        Ok(v) if v <= 0o777 => self.umask = v,
                        _ => {
                            self.report(fds, &format!("umask: Illegal number: {m}"));
                            return Ok(2);
                        }
                    },
                }
                Ok(0)
            }
            Regular::Command => self.command(args, fds).await,
            Regular::Type => Ok(self.type_of(args, fds, false)),
        }
    }

    fn cd(&mut self, args: &[String], fds: &Fds) -> i32 {
        let args: Vec<&String> = args.iter().filter(|a| *a != "-L" && *a != "-P").collect();
        let (target, print) = match args.first().map(|s| s.as_str()) {
            None => match self.get_var("HOME") {
                Some(h) => (h.to_string(), false),
                // dash stays where it is.
                None => return 0,
            },
            Some("-") => match self.get_var("OLDPWD") {
                Some(o) => (o.to_string(), true),
                None => {
                    self.report(fds, "cd: OLDPWD not set");
                    return 2;
                }
            },
            Some(d) => (d.to_string(), false),
        };
        let path = p4ha_hostfs::resolve(&self.cwd, &target);
        if !crate::fsx::is_dir(&self.fs, &path) {
            self.report(fds, &format!("cd: can't cd to {target}"));
            return 2;
        }
        let old = self.cwd.to_string_lossy().into_owned();
        self.cwd = path;
        let new = self.cwd.to_string_lossy().into_owned();
        let _ = self.set_var("OLDPWD", old);
        let _ = self.set_var("PWD", new.clone());
        if print {
            let _ = fds.write(1, format!("{new}\n").as_bytes());
        }
        0
    }

    fn read(&mut self, args: &[String], fds: &Fds) -> i32 {
        let mut raw = false;
        let mut names = Vec::new();
        let mut i = 0;
        while i < args.len() {
            match args[i].as_str() {
                "-r" => raw = true,
                "-p" => {
                    i += 1;
                    if let Some(p) = args.get(i) {
                        let _ = fds.write(2, p.as_bytes());
                    }
                }
                a => names.push(a.to_string()),
            }
            i += 1;
        }
        if names.is_empty() {
            self.report(fds, "read: arg count");
            return 2;
        }
        let input = fds.stdin();
        let mut line = String::new();
        let mut status = 0;
        loop {
            let Some((bytes, complete)) = input.borrow_mut().read_line() else {
                status = 1;
                break;
            };
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if !raw && text.ends_with('\\') && complete {
                line.push_str(&text[..text.len() - 1]);
                continue;
            }
            line.push_str(&text);
            if !complete {
                status = 1;
            }
            break;
        }
        if !raw {
            let mut out = String::new();
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    if let Some(n) = chars.next() {
                        out.push(n);
                    }
                } else {
                    out.push(c);
                }
            }
            line = out;
        }
        let ifs = self.get_var("IFS").unwrap_or(" \t\n").to_string();
        let values = split_for_read(&line, &ifs, names.len());
        for (k, name) in names.iter().enumerate() {
            let v = values.get(k).cloned().unwrap_or_default();
            if let Err(msg) = self.set_var(name, v) {
                self.report(fds, &format!("read: {msg}"));
                return 2;
            }
        }
        status
    }

    fn command<'a>(
        &'a mut self,
        args: &'a [String],
        fds: &'a Fds,
    ) -> crate::host::LocalBoxFuture<'a, super::Exec> {
        Box::pin(async move {
            match args.first().map(|s| s.as_str()) {
                None => Ok(0),
                Some("-v") => Ok(self.type_of(&args[1..], fds, true)),
                Some("-V") => Ok(self.type_of(&args[1..], fds, false)),
                Some(_) => {
                    // Runs a builtin or program, never a function.
                    let argv = args.to_vec();
                    match builtin(&argv[0]) {
                        Some(Builtin::Special(b)) => self.run_special(b, &argv, fds).await,
                        Some(Builtin::Regular(b)) => self.run_regular(b, &argv, fds).await,
                        None => {
                            let env = self.environment(&[]);
                            let user = self.user.clone();
                            match self.run_external(&argv, env, &user, fds).await {
                                Some(s) => Ok(s),
                                None => {
                                    self.report(fds, &format!("{}: not found", argv[0]));
                                    Ok(127)
                                }
                            }
                        }
                    }
                }
            }
        })
    }

    /// `type` and `command -v`/`-V`.
    fn type_of(&self, names: &[String], fds: &Fds, short: bool) -> i32 {
        let mut status = 0;
        let mut text = String::new();
        for n in names {
            let keyword = crate::syntax::KEYWORDS.contains(&n.as_str());
            let line = if keyword {
                if short {
                    n.clone()
                } else {
                    format!("{n} is a shell keyword")
                }
            } else if self.functions.contains_key(n) {
                if short {
                    n.clone()
                } else {
                    format!("{n} is a shell function")
                }
            } else if let Some(b) = builtin(n) {
                match (short, b) {
                    (true, _) => n.clone(),
                    (false, Builtin::Special(_)) => format!("{n} is a special shell builtin"),
                    (false, Builtin::Regular(_)) => format!("{n} is a shell builtin"),
                }
            } else if let Some(path) = self.program_path(n) {
                if short {
                    path
                } else {
                    format!("{n} is {path}")
                }
            } else {
                status = 127;
                if !short {
                    text.push_str(&format!("{n}: not found\n"));
                }
                continue;
            };
            text.push_str(&line);
            text.push('\n');
        }
        let _ = fds.write(1, text.as_bytes());
        status
    }

    fn program_path(&self, name: &str) -> Option<String> {
        if name.contains('/') {
            return self
                .fs
                .exists(&p4ha_hostfs::resolve(&self.cwd, name))
                .then(|| name.to_string());
        }
        if crate::tools::lookup(name).is_some()
            || matches!(name, "sleep" | "sudo" | "env" | "xargs")
        {
            return Some(format!("/usr/bin/{name}"));
        }
        self.host.program_path(name)
    }
}

/// Splits a line read by `read` into `n` values; the last takes the rest.
fn split_for_read(line: &str, ifs: &str, n: usize) -> Vec<String> {
    let is_ws = |c: char| ifs.contains(c) && matches!(c, ' ' | '\t' | '\n');
    let is_sep = |c: char| ifs.contains(c);
    let mut out = Vec::new();
    let mut rest = line.trim_start_matches(is_ws);
    while out.len() + 1 < n && !rest.is_empty() {
        match rest.find(is_sep) {
            Some(i) => {
                out.push(rest[..i].to_string());
                let mut after = rest[i..].chars();
                let sep = after.next().unwrap_or(' ');
                let mut remaining = after.as_str().trim_start_matches(is_ws);
                if is_ws(sep) && remaining.starts_with(|c: char| is_sep(c) && !is_ws(c)) {
                    remaining = remaining[1..].trim_start_matches(is_ws);
                }
                rest = remaining;
            }
            None => {
                out.push(rest.to_string());
                rest = "";
            }
        }
    }
    if !rest.is_empty() || out.len() < n {
        out.push(rest.trim_end_matches(is_ws).to_string());
    }
    out
}
