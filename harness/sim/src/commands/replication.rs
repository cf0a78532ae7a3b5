//! Replica commands: `pull`, `journalcopy`.

use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::Perm;
use crate::replication::journalcopy::{self, CopyOptions};
use crate::replication::pull::{self, PullOptions, PullSession};
use crate::replication::report::{self, NOT_REPLICA, NOT_STANDBY};
use crate::replication::threads::{self, DEFAULT_RETRY_SECS, ThreadKind};
use crate::replication::{Settings, transfers};

const PULL_USAGE: &str = "pull [ -u | -l [ -s | -j ] | -d -f file -r rev ] [ -J prefix -P filterpattern -T tableexcludelist ] [ -i <N> ] [ -L ]";
const JOURNALCOPY_USAGE: &str =
    "journalcopy [ -i <N> ] [ -b <N> ] [ -l ] [ --durable-only ] [ --non-acknowledging ]";

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("pull", Access::Level(Perm::Super), OnReplica::Local),
    cmd("journalcopy", Access::Level(Perm::Super), OnReplica::Local),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "pull" => Some(pull_cmd(cx).await),
        "journalcopy" => Some(journalcopy_cmd(cx).await),
        _ => None,
    }
}

/// Flags of `pull` / `journalcopy`.
#[derive(Debug, Default)]
struct Flags {
    letters: String,
    interval: Option<u64>,
    retry: Option<u64>,
    file: Option<String>,
    rev: Option<String>,
    long: Vec<String>,
}

impl Flags {
    fn has(&self, c: char) -> bool {
        self.letters.contains(c)
    }
}

/// Parses `-lj`, `-i 1`, `-i1`, `-J prefix`, `--durable-only`...
fn parse(args: &[String], usage: &str, allowed: &str) -> Result<Flags, CmdError> {
    let mut f = Flags::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if let Some(long) = a.strip_prefix("--") {
            f.long.push(long.to_string());
            i += 1;
            continue;
        }
        let Some(body) = a.strip_prefix('-').filter(|b| !b.is_empty()) else {
            return Err(CmdError::usage(usage));
        };
        for (at, c) in body.char_indices() {
            if "ibJTPfrt".contains(c) {
                let rest = &body[at + c.len_utf8()..];
                let value = if rest.is_empty() {
                    i += 1;
                    args.get(i).cloned().ok_or_else(|| CmdError::usage(usage))?
                } else {
                    rest.to_string()
                };
                let number = || value.parse::<u64>().map_err(|_| CmdError::usage(usage));
                match c {
                    'i' => f.interval = Some(number()?),
                    'b' => f.retry = Some(number()?),
                    'f' => f.file = Some(value.clone()),
                    'r' => f.rev = Some(value.clone()),
                    _ => {}
                }
                break;
            }
            if !allowed.contains(c) {
                return Err(CmdError::bad_flag(usage, &format!("-{c}")));
            }
            f.letters.push(c);
        }
        i += 1;
    }
    Ok(f)
}

async fn pull_cmd(cx: &mut Cx<'_>) -> CmdResult {
    let f = parse(&cx.args.clone(), PULL_USAGE, "ljsvuLdR")?;
    if f.has('l') {
        return if f.has('j') {
            report::pull_lj(cx, f.has('v')).await
        } else if f.has('s') {
            report::pull_ls(cx)
        } else {
            report::pull_l(cx)
        };
    }
    let s = Settings::read(cx.srv);
    if !s.services.is_replica() {
        return Err(CmdError::failed(NOT_REPLICA));
    }
    let fs = cx.srv.host().fs.clone();
    let root = cx.srv.root().to_path_buf();
    if f.has('R') {
        transfers::retry_failed(&fs, &root).map_err(|e| CmdError::failed(e.to_string()))?;
        threads::wake(cx.srv, threads::PULL_ARCHIVE);
        return Ok(());
    }
    if f.has('d') {
        let (Some(file), Some(rev)) = (f.file.clone(), f.rev.clone()) else {
            return Err(CmdError::usage(PULL_USAGE));
        };
        let mut all = transfers::load(&fs, &root);
        let before = all.len();
        all.retain(|t| !(t.lbr_file == file && t.lbr_rev == rev));
        if all.len() == before {
            return Err(CmdError::failed(format!(
                "File {file} revision {rev} is not currently scheduled to be transferred."
            )));
        }
        transfers::save(&fs, &root, &all).map_err(|e| CmdError::failed(e.to_string()))?;
        cx.info("The file content transfer was cancelled.");
        return Ok(());
    }
    let retry = f.retry.unwrap_or(DEFAULT_RETRY_SECS);
    let kind = match (f.has('u'), f.has('L')) {
        (true, false) => ThreadKind::PullArchive {
            interval: f.interval.unwrap_or(0),
            retry,
        },
        (false, true) => ThreadKind::PullLocal {
            interval: f.interval.unwrap_or(0),
            retry,
        },
        (false, false) => ThreadKind::Pull {
            opts: PullOptions {
                interval: f.interval.unwrap_or(0),
            },
            retry,
        },
        (true, true) => return Err(CmdError::usage(PULL_USAGE)),
    };
    if threads::is_running(cx.srv, kind.name()) {
        return Err(CmdError::failed(
            "A pull command is already running in this server.",
        ));
    }
    if f.interval.is_some() {
        // Repeating from the command line: runs on as a thread of the server.
        threads::spawn(
            cx.srv,
            kind.name().to_string(),
            format!("pull {}", cx.args.join(" ")),
            kind,
        );
        return Ok(());
    }
    let result = match kind {
        ThreadKind::PullArchive { .. } => transfers::cycle(cx.srv, &s).await.map(|_| ()),
        ThreadKind::PullLocal { .. } => pull::local_cycle(cx.srv, &s).map(|_| ()),
        ThreadKind::Pull { opts, .. } => {
            let mut session = PullSession::default();
            pull::remote_cycle(cx.srv, &s, &opts, &mut session, cx.pid)
                .await
                .map(|_| ())
        }
        ThreadKind::JournalCopy { .. } => Ok(()),
    };
    result.map_err(|e| CmdError::failed(e.text()))
}

async fn journalcopy_cmd(cx: &mut Cx<'_>) -> CmdResult {
    let f = parse(&cx.args.clone(), JOURNALCOPY_USAGE, "l")?;
    for l in &f.long {
        if l != "durable-only" && l != "non-acknowledging" {
            return Err(CmdError::bad_flag(JOURNALCOPY_USAGE, &format!("--{l}")));
        }
    }
    if f.has('l') {
        return report::journalcopy_l(cx);
    }
    let s = Settings::read(cx.srv);
    if !s.services.is_standby() {
        return Err(CmdError::failed(NOT_STANDBY));
    }
    if threads::is_running(cx.srv, threads::JOURNALCOPY) {
        return Err(CmdError::failed(
            "A journalcopy command is already running in this server.",
        ));
    }
    let opts = CopyOptions {
        interval: f.interval.unwrap_or(0),
        durable_only: f.long.iter().any(|l| l == "durable-only"),
        acknowledging: !f.long.iter().any(|l| l == "non-acknowledging"),
    };
    if f.interval.is_some() {
        let kind = ThreadKind::JournalCopy {
            opts,
            retry: f.retry.unwrap_or(DEFAULT_RETRY_SECS),
        };
        threads::spawn(
            cx.srv,
            threads::JOURNALCOPY.to_string(),
            format!("journalcopy {}", cx.args.join(" ")),
            kind,
        );
        return Ok(());
    }
    journalcopy::cycle(cx.srv, &s, &opts)
        .await
        .map(|_| ())
        .map_err(|e| CmdError::failed(e.text()))
}
