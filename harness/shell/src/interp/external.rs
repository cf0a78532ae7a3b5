//! Commands that are not dash builtins: the shell's own utilities, the
//! ones that run other commands (`sudo`, `env`, `xargs`) or wait
//! (`sleep`), and the host's programs.

use std::collections::BTreeMap;
use std::time::Duration;

use super::Shell;
use crate::host::{InheritedStreams, LocalBoxFuture, ProgramCall};
use crate::streams::{Fds, Sink};
use crate::tools::args::{self, Spec, Takes};
use crate::tools::{self, Ctx};

/// What sudo keeps of the caller's environment (its default `env_keep`
/// plus the locale and terminal variables it checks and lets through).
const SUDO_KEEP: &[&str] = &[
    "COLORS",
    "DISPLAY",
    "HOSTNAME",
    "KRB5CCNAME",
    "LS_COLORS",
    "PS1",
    "PS2",
    "TZ",
    "XAUTHORITY",
    "XAUTHORIZATION",
    "TERM",
    "LANG",
    "LANGUAGE",
    "LC_ALL",
];

/// Debian's `secure_path`.
const SECURE_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// dash's search path when `PATH` is unset.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// True when a search of `PATH` would reach the directories the shell's
/// own utilities stand for (`PATH=/nowhere ls` finds no `ls`).
fn utility_on_path(env: &BTreeMap<String, String>, name: &str) -> bool {
    if name.contains('/') {
        return true;
    }
    let path = env.get("PATH").map(String::as_str).unwrap_or(DEFAULT_PATH);
    path.split(':').any(|d| {
        matches!(
            d.trim_end_matches('/'),
            "/bin" | "/usr/bin" | "/sbin" | "/usr/sbin" | "/usr/local/bin"
        )
    })
}

fn base_name(name: &str) -> &str {
    for dir in [
        "/bin/",
        "/usr/bin/",
        "/sbin/",
        "/usr/sbin/",
        "/usr/local/bin/",
    ] {
        if let Some(b) = name.strip_prefix(dir) {
            return b;
        }
    }
    name
}

impl<'h> Shell<'h> {
    /// Runs a utility or program as `user`. `None`: no such command.
    pub(crate) fn run_external<'a>(
        &'a mut self,
        argv: &'a [String],
        env: BTreeMap<String, String>,
        user: &'a str,
        fds: &'a Fds,
    ) -> LocalBoxFuture<'a, Option<i32>> {
        Box::pin(async move {
            let name = argv.first()?.as_str();
            let builtin_here = utility_on_path(&env, name);
            match base_name(name) {
                _ if !builtin_here => {}
                "sleep" => return Some(self.sleep_util(argv, fds).await),
                "sudo" => return Some(self.sudo(argv, env, user, fds).await),
                "env" => return Some(self.env_util(argv, env, user, fds).await),
                "xargs" => return Some(self.xargs(argv, env, user, fds).await),
                _ => {}
            }
            if !utility_on_path(&env, name) {
                return self.run_program_call(argv, env, user, fds).await;
            }
            if let Some((_, f)) = tools::resolve_name(name) {
                let owner = self.creation_owner_for(user);
                let tz = self.default_tz.clone();
                let mut ctx = Ctx::new(
                    &self.fs,
                    &self.cwd,
                    &env,
                    user,
                    &self.hostname,
                    self.umask,
                    fds,
                    name.to_string(),
                    owner,
                    tz,
                );
                let status = f(&mut ctx, argv);
                return Some(ctx.finish(status));
            }
            self.run_program_call(argv, env, user, fds).await
        })
    }

    /// Hands a command to the host's programs.
    async fn run_program_call(
        &mut self,
        argv: &[String],
        env: BTreeMap<String, String>,
        user: &str,
        fds: &Fds,
    ) -> Option<i32> {
        {
            let input = fds.stdin();
            let inherit_stdin = input.borrow().is_untouched_process();
            // A program gets what is left of its input without consuming it:
            // p4 and p4d read standard input only when told to, so a
            // `while read` loop around them keeps its lines.
            let stdin = if inherit_stdin {
                Vec::new()
            } else {
                input.borrow_mut().peek_rest()
            };
            let out_sink = fds.sink(1);
            let err_sink = fds.sink(2);
            let inherit = InheritedStreams {
                stdin: inherit_stdin,
                stdout: matches!(out_sink, Some(Sink::ProcessOut)),
                stderr: matches!(err_sink, Some(Sink::ProcessErr)),
            };
            let call = ProgramCall {
                argv: argv.to_vec(),
                env,
                cwd: self.cwd.clone(),
                user: user.to_string(),
                stdin,
                inherit,
            };
            let out = self.host.run_program(call).await?;
            // A failed write here is the program's business; it has ended.
            let _ = fds.write(1, &out.stdout);
            let _ = fds.write(2, &out.stderr);
            Some(out.status)
        }
    }

    fn util_err(&self, fds: &Fds, name: &str, msg: &str) {
        let _ = fds.write(2, format!("{name}: {msg}\n").as_bytes());
    }

    fn util_usage(&self, fds: &Fds, name: &str, msg: &str) {
        let _ = fds.write(
            2,
            format!("{name}: {msg}\nTry '{name} --help' for more information.\n").as_bytes(),
        );
    }

    async fn sleep_util(&mut self, argv: &[String], fds: &Fds) -> i32 {
        let name = &argv[0];
        let spec = Spec::short("", "");
        let parsed = match args::parse(&argv[1..], &spec) {
            Ok(p) => p,
            Err(e) => {
                self.util_usage(fds, name, &e.0);
                return 1;
            }
        };
        if parsed.operands.is_empty() {
            self.util_usage(fds, name, "missing operand");
            return 1;
        }
        let mut total = 0f64;
        let mut bad = false;
        for op in &parsed.operands {
            match parse_interval(op) {
                Some(s) => total += s,
                None => {
                    self.util_err(
                        fds,
                        name,
                        &format!("invalid time interval {}", crate::quote::gnu(op)),
                    );
                    bad = true;
                }
            }
        }
        if bad {
            let _ = fds.write(
                2,
                format!("Try '{name} --help' for more information.\n").as_bytes(),
            );
            return 1;
        }
        let d = Duration::try_from_secs_f64(total).unwrap_or(Duration::MAX);
        self.host.sleep(d).await;
        0
    }

    async fn sudo(
        &mut self,
        argv: &[String],
        env: BTreeMap<String, String>,
        user: &str,
        fds: &Fds,
    ) -> i32 {
        const LONG: &[(&str, Takes, char)] = &[
            ("user", Takes::Required, 'u'),
            ("group", Takes::Required, 'g'),
            ("preserve-env", Takes::Optional, 'E'),
            ("set-home", Takes::No, 'H'),
            ("non-interactive", Takes::No, 'n'),
            ("login", Takes::No, 'i'),
        ];
        let spec = Spec {
            flags: "EHnikS",
            with_arg: "ugp",
            long: LONG,
            stop_at_operand: true,
        };
        let parsed = match args::parse(&argv[1..], &spec) {
            Ok(p) => p,
            Err(e) => {
                let _ = fds.write(2, format!("sudo: {}\n{}", e.0, SUDO_USAGE).as_bytes());
                return 1;
            }
        };
        let target = parsed.value('u').unwrap_or("root").to_string();
        let Some(account) = crate::accounts::user(&self.fs, &target) else {
            self.util_err(fds, "sudo", &format!("unknown user {target}"));
            return 1;
        };
        let mut operands = parsed.operands.clone();
        let mut assigns = Vec::new();
        while let Some(first) = operands.first() {
            match first.split_once('=') {
                Some((k, v)) if crate::syntax::is_name(k) => {
                    assigns.push((k.to_string(), v.to_string()));
                    operands.remove(0);
                }
                _ => break,
            }
        }
        if operands.is_empty() {
            let _ = fds.write(2, SUDO_USAGE.as_bytes());
            return 1;
        }
        let mut new_env = if parsed.has('E') {
            env.clone()
        } else {
            let mut e: BTreeMap<String, String> = env
                .iter()
                .filter(|(k, _)| SUDO_KEEP.contains(&k.as_str()) || k.starts_with("LC_"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            e.insert("PATH".into(), SECURE_PATH.into());
            e.insert("HOME".into(), account.home.clone());
            e.insert("SHELL".into(), "/bin/bash".into());
            e
        };
        new_env.insert("USER".into(), target.clone());
        new_env.insert("LOGNAME".into(), target.clone());
        new_env.insert("SUDO_USER".into(), user.to_string());
        new_env.insert("SUDO_COMMAND".into(), operands.join(" "));
        if let Some(caller) = crate::accounts::user(&self.fs, user) {
            new_env.insert("SUDO_UID".into(), caller.uid.to_string());
            new_env.insert("SUDO_GID".into(), caller.gid.to_string());
        }
        for (k, v) in assigns {
            new_env.insert(k, v);
        }
        match self.run_external(&operands, new_env, &target, fds).await {
            Some(s) => s,
            None => {
                self.util_err(fds, "sudo", &format!("{}: command not found", operands[0]));
                1
            }
        }
    }

    async fn env_util(
        &mut self,
        argv: &[String],
        env: BTreeMap<String, String>,
        user: &str,
        fds: &Fds,
    ) -> i32 {
        const LONG: &[(&str, Takes, char)] = &[
            ("ignore-environment", Takes::No, 'i'),
            ("unset", Takes::Required, 'u'),
            ("null", Takes::No, '0'),
            ("chdir", Takes::Required, 'C'),
        ];
        let name = argv[0].clone();
        // `env -` is `env -i`.
        let rest: Vec<String> = argv[1..]
            .iter()
            .map(|a| {
                if a == "-" {
                    "-i".to_string()
                } else {
                    a.clone()
                }
            })
            .collect();
        let spec = Spec {
            flags: "i0",
            with_arg: "uC",
            long: LONG,
            stop_at_operand: true,
        };
        let parsed = match args::parse(&rest, &spec) {
            Ok(p) => p,
            Err(e) => {
                self.util_usage(fds, &name, &e.0);
                return 125;
            }
        };
        let mut new_env = if parsed.has('i') {
            BTreeMap::new()
        } else {
            env
        };
        for (k, v) in &parsed.opts {
            if *k == 'u'
                && let Some(v) = v
            {
                new_env.remove(v);
            }
        }
        let mut operands = parsed.operands.clone();
        while let Some(first) = operands.first() {
            match first.split_once('=') {
                Some((k, v)) => {
                    new_env.insert(k.to_string(), v.to_string());
                    operands.remove(0);
                }
                None => break,
            }
        }
        if operands.is_empty() {
            let end = if parsed.has('0') { "\0" } else { "\n" };
            let text: String = new_env
                .iter()
                .map(|(k, v)| format!("{k}={v}{end}"))
                .collect();
            let _ = fds.write(1, text.as_bytes());
            return 0;
        }
        let saved_cwd = self.cwd.clone();
        if let Some(dir) = parsed.value('C') {
            let p = p4ha_hostfs::resolve(&self.cwd, dir);
            if !crate::fsx::is_dir(&self.fs, &p) {
                self.util_err(
                    fds,
                    &name,
                    &format!(
                        "cannot change directory to {}: No such file or directory",
                        crate::quote::gnu(dir)
                    ),
                );
                return 125;
            }
            self.cwd = p;
        }
        let r = self.run_external(&operands, new_env, user, fds).await;
        self.cwd = saved_cwd;
        match r {
            Some(s) => s,
            None => {
                self.util_err(
                    fds,
                    &name,
                    &format!(
                        "{}: No such file or directory",
                        crate::quote::gnu(&operands[0])
                    ),
                );
                127
            }
        }
    }

    async fn xargs(
        &mut self,
        argv: &[String],
        env: BTreeMap<String, String>,
        user: &str,
        fds: &Fds,
    ) -> i32 {
        const LONG: &[(&str, Takes, char)] = &[
            ("max-args", Takes::Required, 'n'),
            ("replace", Takes::Optional, 'i'),
            ("null", Takes::No, '0'),
            ("no-run-if-empty", Takes::No, 'r'),
            ("delimiter", Takes::Required, 'd'),
        ];
        let name = argv[0].clone();
        let spec = Spec {
            flags: "0rt",
            with_arg: "nIdL",
            long: LONG,
            stop_at_operand: true,
        };
        let parsed = match args::parse(&argv[1..], &spec) {
            Ok(p) => p,
            Err(e) => {
                self.util_usage(fds, &name, &e.0);
                return 1;
            }
        };
        let input = fds.stdin().borrow_mut().read_rest();
        let text = String::from_utf8_lossy(&input).into_owned();
        let replace = parsed
            .value('I')
            .map(str::to_string)
            .or_else(|| parsed.has('i').then(|| "{}".to_string()));
        let items: Vec<String> = if parsed.has('0') {
            text.split('\0')
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else if let Some(d) = parsed.value('d') {
            let d = d.chars().next().unwrap_or('\n');
            text.split(d)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        } else if replace.is_some() {
            text.lines()
                .map(|l| l.trim_start().to_string())
                .filter(|l| !l.is_empty())
                .collect()
        } else {
            split_xargs(&text)
        };
        let mut cmd: Vec<String> = parsed.operands.clone();
        if cmd.is_empty() {
            cmd.push("echo".into());
        }
        let per = match parsed.value('n').or(parsed.value('L')) {
            Some(n) => match n.parse::<usize>() {
                Ok(v) if v > 0 => v,
                _ => {
                    self.util_err(fds, &name, &format!("invalid number \"{n}\" for -n option"));
                    return 1;
                }
            },
            None => usize::MAX,
        };
        let mut batches: Vec<Vec<String>> = Vec::new();
        if let Some(r) = &replace {
            for item in &items {
                batches.push(cmd.iter().map(|a| a.replace(r.as_str(), item)).collect());
            }
        } else if items.is_empty() {
            if !parsed.has('r') {
                batches.push(cmd.clone());
            }
        } else {
            for chunk in items.chunks(per.min(items.len()).max(1)) {
                let mut c = cmd.clone();
                c.extend(chunk.iter().cloned());
                batches.push(c);
            }
        }
        let mut status = 0;
        for batch in batches {
            if parsed.has('t') {
                let _ = fds.write(2, format!("{}\n", batch.join(" ")).as_bytes());
            }
            match self.run_external(&batch, env.clone(), user, fds).await {
                Some(0) => {}
                Some(255) => {
                    self.util_err(
                        fds,
                        &name,
                        &format!("{}: exited with status 255; aborting", batch[0]),
                    );
                    return 124;
                }
                Some(_) => status = 123,
                None => {
                    self.util_err(
                        fds,
                        &name,
                        &format!("{}: No such file or directory", batch[0]),
                    );
                    return 127;
                }
            }
        }
        status
    }
}

const SUDO_USAGE: &str = "usage: sudo -h | -K | -k | -V\n\
usage: sudo -v [-AknS] [-g group] [-h host] [-p prompt] [-u user]\n\
usage: sudo -l [-AknS] [-g group] [-h host] [-p prompt] [-U user] [-u user] [command]\n\
usage: sudo [-AbEHknPS] [-r role] [-t type] [-C num] [-g group] [-h host] [-p prompt] [-T timeout] [-u user] [VAR=value] [-i|-s] [<command>]\n\
usage: sudo -e [-AknS] [-r role] [-t type] [-C num] [-g group] [-h host] [-p prompt] [-T timeout] [-u user] file ...\n";

/// `sleep` operands: a number with an optional s, m, h or d suffix.
fn parse_interval(s: &str) -> Option<f64> {
    let (num, mult) = match s.chars().last()? {
        's' => (&s[..s.len() - 1], 1.0),
        'm' => (&s[..s.len() - 1], 60.0),
        'h' => (&s[..s.len() - 1], 3600.0),
        'd' => (&s[..s.len() - 1], 86400.0),
        _ => (s, 1.0),
    };
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v >= 0.0).then_some(v * mult)
}

/// xargs' default input parsing: blanks separate items; quotes and
/// backslashes protect them.
fn split_xargs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut has = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' => {
                if has {
                    out.push(std::mem::take(&mut cur));
                    has = false;
                }
            }
            '\'' | '"' => {
                has = true;
                for q in chars.by_ref() {
                    if q == c {
                        break;
                    }
                    cur.push(q);
                }
            }
            '\\' => {
                has = true;
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            _ => {
                has = true;
                cur.push(c);
            }
        }
    }
    if has {
        out.push(cur);
    }
    out
}
