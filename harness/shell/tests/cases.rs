//! Data-driven cases: every `tests/cases/**/*.case` file is one test.
//!
//! A case is made of sections, each starting with a `=== ` line:
//!
//! - `=== script [noeol]`: the script (required).
//! - `=== file PATH [owner=U:G] [mode=OCT] [mtime=SECS] [noeol]`: a file
//!   present before the run, with the section's text as content.
//! - `=== dir PATH [owner=U:G] [mode=OCT] [mtime=SECS]`: a directory.
//! - `=== symlink LINK TARGET`: a symbolic link.
//! - `=== env`: `NAME=value` lines, the initial environment.
//! - `=== options`: `key=value` lines: `user`, `cwd`, `now` (epoch
//!   seconds), `full` (a directory whose disk is full), `hostname`,
//!   `name`, `args` (space separated), `limit`.
//! - `=== stdin [noeol]`: standard input.
//! - `=== program NAME [status=N] [noeol]`: a program that prints the
//!   section's text (`p4`, `p4d` and `p4dctl` otherwise echo how they were
//!   called: `[user@cwd] P4VARS argv`, then `< ` and each stdin line).
//! - `=== stdout [noeol]`, `=== stderr [noeol]`: expected output (empty
//!   when absent).
//! - `=== status`: expected exit status (0 when absent).
//! - `=== expect-file PATH [owner=U:G] [mode=OCT] [noeol]`: a file and its
//!   content afterwards.
//! - `=== expect-dir PATH [owner=U:G] [mode=OCT]`, `=== expect-absent
//!   PATH`: a directory, or nothing, afterwards.
//!
//! Lines before the first section are comments.
//!
//! `tests/cases/dash/` holds cases recorded from the real dash and GNU
//! tools by `tests/tools/record_dash_cases.py`; `runbook/` the command
//! lines of the seed documents; `host/` what only a simulated host shows
//! (full disks, virtual time, owners, programs, limits).

mod common;

use std::path::{Path, PathBuf};

use common::{Canned, FakeHost};
use libtest_mimic::{Arguments, Failed, Trial};
use p4ha_shell::{RunOptions, block_on, run_script};

#[derive(Debug)]
struct Section {
    kind: String,
    args: Vec<String>,
    body: String,
}

impl Section {
    fn flag(&self, key: &str) -> Option<&str> {
        self.args
            .iter()
            .find_map(|a| a.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
    }

    fn has(&self, word: &str) -> bool {
        self.args.iter().any(|a| a == word)
    }

    fn text(&self) -> String {
        if self.has("noeol") {
            self.body
                .strip_suffix('\n')
                .unwrap_or(&self.body)
                .to_string()
        } else {
            self.body.clone()
        }
    }

    fn path(&self) -> Result<PathBuf, Failed> {
        self.args
            .first()
            .map(PathBuf::from)
            .ok_or_else(|| Failed::from(format!("section `{}` needs a path", self.kind)))
    }
}

fn parse_case(text: &str) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(header) = line.strip_prefix("=== ") {
            let mut words = header.split_whitespace().map(str::to_string);
            let kind = words.next().unwrap_or_default();
            sections.push(Section {
                kind,
                args: words.collect(),
                body: String::new(),
            });
        } else if let Some(s) = sections.last_mut() {
            s.body.push_str(line);
        }
    }
    sections
}

fn owner_of(spec: &str) -> (String, String) {
    match spec.split_once(':') {
        Some((u, g)) => (u.to_string(), g.to_string()),
        None => (spec.to_string(), spec.to_string()),
    }
}

fn run_case(path: &Path) -> Result<(), Failed> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let sections = parse_case(&text);
    let get = |k: &str| sections.iter().find(|s| s.kind == k);
    let mut opts = RunOptions::default();
    let mut now = 1_570_693_680; // 2019-10-10 07:48:00 UTC
    let mut full = Vec::new();
    if let Some(o) = get("options") {
        for line in o.body.lines().filter(|l| !l.trim().is_empty()) {
            let (k, v) = line
                .split_once('=')
                .ok_or_else(|| format!("bad option line `{line}`"))?;
            match k.trim() {
                "user" => opts.user = v.to_string(),
                "cwd" => opts.cwd = PathBuf::from(v),
                "now" => now = v.parse().map_err(|_| format!("bad now `{v}`"))?,
                "full" => full.push(PathBuf::from(v)),
                "hostname" => opts.hostname = v.to_string(),
                "name" => opts.name = v.to_string(),
                "args" => opts.args = v.split_whitespace().map(str::to_string).collect(),
                "limit" => {
                    opts.command_limit = Some(v.parse().map_err(|_| format!("bad limit `{v}`"))?)
                }
                other => return Err(format!("unknown option `{other}`").into()),
            }
        }
    }
    if let Some(e) = get("env") {
        for line in e.body.lines().filter(|l| !l.is_empty()) {
            let (k, v) = line
                .split_once('=')
                .ok_or_else(|| format!("bad env line `{line}`"))?;
            opts.env.insert(k.to_string(), v.to_string());
        }
    }
    if let Some(s) = get("stdin") {
        opts.stdin = s.text().into_bytes();
    }
    let mut host = FakeHost::new(now);
    for s in sections.iter().filter(|s| s.kind == "program") {
        let name = s.args.first().cloned().ok_or("program needs a name")?;
        let status = s
            .flag("status")
            .map(|v| v.parse().unwrap_or(0))
            .unwrap_or(0);
        host.programs.insert(
            name,
            Canned {
                stdout: s.text().into_bytes(),
                status,
            },
        );
    }
    let fs = host.fs.clone();
    for s in &sections {
        match s.kind.as_str() {
            "file" | "dir" => {
                let p = s.path()?;
                host.set_now(s.flag("mtime").and_then(|m| m.parse().ok()).unwrap_or(now));
                if let Some(parent) = p.parent() {
                    make_dirs(&fs, parent)?;
                }
                if s.kind == "file" {
                    fs.write(&p, s.text().as_bytes())
                        .map_err(|e| e.to_string())?;
                } else if !fs.exists(&p) {
                    fs.create_dir(&p).map_err(|e| e.to_string())?;
                }
                if let Some(o) = s.flag("owner") {
                    let (u, g) = owner_of(o);
                    fs.chown(&p, Some(&u), Some(&g))
                        .map_err(|e| e.to_string())?;
                }
                if let Some(m) = s.flag("mode") {
                    let mode = u32::from_str_radix(m, 8).map_err(|_| format!("bad mode `{m}`"))?;
                    fs.set_mode(&p, mode).map_err(|e| e.to_string())?;
                }
            }
            "symlink" => {
                let link = s.path()?;
                let target = s.args.get(1).ok_or("symlink needs a target")?;
                if let Some(parent) = link.parent() {
                    make_dirs(&fs, parent)?;
                }
                let stored = if target.starts_with('/') {
                    fs.real_path(Path::new(target))
                } else {
                    PathBuf::from(target)
                };
                std::os::unix::fs::symlink(stored, fs.real_path(&link))
                    .map_err(|e| e.to_string())?;
            }
            _ => {}
        }
    }
    host.set_now(now);
    for f in &full {
        fs.set_full(f, true);
    }
    let script = get("script")
        .ok_or("a case needs a `=== script` section")?
        .text();
    let out = block_on(run_script(&host, &script, opts));
    let mut problems = Vec::new();
    let expect_text = |k: &str| get(k).map(|s| s.text()).unwrap_or_default();
    let want_out = expect_text("stdout");
    let want_err = expect_text("stderr");
    let want_status: i32 = get("status")
        .map(|s| s.body.trim().parse().unwrap_or(-1))
        .unwrap_or(0);
    if out.stdout_text() != want_out {
        problems.push(format!(
            "stdout differs\n--- expected\n{want_out}--- actual\n{}",
            out.stdout_text()
        ));
    }
    if out.stderr_text() != want_err {
        problems.push(format!(
            "stderr differs\n--- expected\n{want_err}--- actual\n{}",
            out.stderr_text()
        ));
    }
    if out.status != want_status {
        problems.push(format!(
            "status: expected {want_status}, got {}",
            out.status
        ));
    }
    for s in &sections {
        match s.kind.as_str() {
            "expect-file" => {
                let p = s.path()?;
                match fs.read_to_string(&p) {
                    Ok(content) => {
                        if content != s.text() {
                            problems.push(format!(
                                "{} differs\n--- expected\n{}--- actual\n{content}",
                                p.display(),
                                s.text()
                            ));
                        }
                    }
                    Err(e) => problems.push(format!("{}: {e}", p.display())),
                }
                check_attrs(&fs, s, &p, &mut problems);
            }
            "expect-dir" => {
                let p = s.path()?;
                if !fs.metadata(&p).is_ok_and(|m| m.is_dir()) {
                    problems.push(format!("{} is not a directory", p.display()));
                }
                check_attrs(&fs, s, &p, &mut problems);
            }
            "expect-absent" => {
                let p = s.path()?;
                if fs.exists(&p) {
                    problems.push(format!("{} exists", p.display()));
                }
            }
            _ => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n").into())
    }
}

/// Creates missing directories one by one, so each gets a time.
fn make_dirs(fs: &p4ha_hostfs::HostFs, p: &Path) -> Result<(), Failed> {
    if fs.exists(p) {
        return Ok(());
    }
    if let Some(parent) = p.parent() {
        make_dirs(fs, parent)?;
    }
    fs.create_dir(p).map_err(|e| Failed::from(e.to_string()))
}

fn check_attrs(fs: &p4ha_hostfs::HostFs, s: &Section, p: &Path, problems: &mut Vec<String>) {
    let Ok(md) = fs.metadata(p) else {
        return;
    };
    if let Some(o) = s.flag("owner") {
        let (u, g) = owner_of(o);
        if md.user != u || md.group != g {
            problems.push(format!(
                "{}: owner {}:{}, expected {u}:{g}",
                p.display(),
                md.user,
                md.group
            ));
        }
    }
    if let Some(m) = s.flag("mode") {
        let want = u32::from_str_radix(m, 8).unwrap_or(0);
        if md.mode != want {
            problems.push(format!(
                "{}: mode {:o}, expected {want:o}",
                p.display(),
                md.mode
            ));
        }
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().is_some_and(|e| e == "case") {
            out.push(p);
        }
    }
}

fn main() {
    let args = Arguments::from_args();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut files = Vec::new();
    collect(&root, &mut files);
    let trials = files
        .into_iter()
        .map(|p| {
            let name = p
                .strip_prefix(&root)
                .unwrap_or(&p)
                .with_extension("")
                .display()
                .to_string();
            Trial::test(name, move || run_case(&p))
        })
        .collect();
    libtest_mimic::run(&args, trials).exit();
}
