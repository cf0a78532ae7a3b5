//! Shared set-up of the spec-command tests: a master and a standby of one
//! release, the spec edits seed 000 makes (sections 1 and 2), and helpers
//! to read fixtures and compare dated output.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use crate::common::{Out, Rig};

/// `p4` as the super user against the master, as the runbook runs it.
pub const SUPER: &str = "p4 -u super -p master:1666";

/// A world with `master` (started, server ID `master`) and `standby`, both
/// running `release`.
pub fn rig(release: &str) -> Rig {
    let mut rig = Rig::new(&[
        ("master", "192.168.56.114", release),
        ("standby", "192.168.56.115", release),
    ]);
    rig.start("master").ok();
    rig.run("master", &format!("{SUPER} serverid master")).ok();
    rig
}

/// The folder of this suite's data files.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/specs")
}

/// A data file's text.
#[track_caller]
pub fn data(rel: &str) -> String {
    let p = data_dir().join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Runs a command as super on the master with `stdin`, asserting success;
/// returns stdout.
#[track_caller]
pub fn super_ok(rig: &mut Rig, cmd: &str, stdin: &str) -> String {
    rig.run_with("master", &format!("{SUPER} {cmd}"), stdin)
        .ok()
        .to_string()
}

/// Seed 000's spec edits on the master: global configurables, the standby
/// server spec (section 1), the service user with its password, group and
/// protections line (section 2), and a workspace.
pub fn seed_setup(rig: &mut Rig) {
    assert_eq!(
        super_ok(rig, "configure set P4LOG=../logs/log", ""),
        "For server 'any', configuration variable 'P4LOG' set to '../logs/log'\n"
    );
    super_ok(rig, "configure set unicode=1", "");
    assert_eq!(
        super_ok(rig, "server -i", &data("inputs/standby.spec")),
        "Server standby saved.\n"
    );
    assert_eq!(
        super_ok(rig, "user -f -i", &data("inputs/service-user.spec")),
        "User service saved.\n"
    );
    assert_eq!(
        super_ok(rig, "passwd service", "Sv3cret!\nSv3cret!\n"),
        "Enter new password: \nRe-enter new password: \nPassword updated.\n"
    );
    assert_eq!(
        super_ok(rig, "group -i", &data("inputs/service-group.spec")),
        "Group service_group created.\n"
    );
    assert_eq!(
        super_ok(rig, "protect -i", &data("inputs/protect.spec")),
        "Protections saved.\n"
    );
    assert_eq!(
        super_ok(rig, "client -i", &data("inputs/ws.spec")),
        "Client ws saved.\n"
    );
}

/// Replaces every `YYYY/MM/DD hh:mm:ss` with `<DATE>`.
pub fn undate(text: &str) -> String {
    let b = text.as_bytes();
    let shape = b"dddd/dd/dd dd:dd:dd";
    let mut out = String::new();
    let mut i = 0;
    while i < b.len() {
        let is_date = b.len() - i >= shape.len()
            && shape.iter().zip(&b[i..]).all(|(s, c)| {
                if *s == b'd' {
                    c.is_ascii_digit()
                } else {
                    s == c
                }
            });
        if is_date {
            out.push_str("<DATE>");
            i += shape.len();
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out
}

/// The master's journal.
pub fn journal(rig: &Rig) -> String {
    rig.read("master", "/master/journal")
}

/// The journal lines written since `before` (a previous [`journal`]).
pub fn journal_since(rig: &Rig, before: &str) -> Vec<String> {
    let now = journal(rig);
    now[before.len().min(now.len())..]
        .lines()
        .map(str::to_string)
        .collect()
}

/// The records (not `@ex@` markers or notes) among journal lines.
pub fn records(lines: &[String]) -> Vec<String> {
    lines
        .iter()
        .filter(|l| !l.starts_with("@ex@") && !l.starts_with("@nx@"))
        .cloned()
        .collect()
}

/// Asserts a failure with exactly this stderr.
#[track_caller]
pub fn fails_with(out: &Out, stderr: &str) {
    assert_eq!(
        (out.status, out.stderr.as_str(), out.stdout.as_str()),
        (1, stderr, ""),
        "unexpected result: {out:?}"
    );
}
