//! `p4 diff -s<flag>`: which workspace files differ from the depot
//! revision the workspace has. After a restore from a checkpoint older
//! than the crash, `p4 diff -se` lists the files users submitted after the
//! backup, whose newer content is still in their workspaces (seed 001,
//! recovery when database and versioned files are lost).
//!
//! Only the `-s` forms are simulated; they print local file names, one a
//! line, on stdout (`-sl` prefixes `same`, `diff` or `missing`). A file is
//! compared by the MD5 of its workspace content against the revision's
//! recorded digest (its archive when no digest is recorded), as the p4
//! client does for `-s`.

use super::changes::content;
use super::changes::filespec::{FileArg, RevSpec};
use super::changes::opts;
use super::changes::revs::{self, ADD, Rev};
use super::changes::workspace::{Resolver, Workspace};
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::archive::{Librarian, digest};
use crate::auth::Perm;

const USAGE: &str = "diff [ -d<flags> -f -m max -Od -s<flag> -t ] [files...]";

/// How a workspace file compares with its depot revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Same,
    Diff,
    Missing,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            State::Same => "same",
            State::Diff => "diff",
            State::Missing => "missing",
        }
    }
}

/// One file the command looks at.
struct Candidate {
    depot_file: String,
    client_file: String,
    /// The revision compared with; `None` for a file opened for add.
    rev: Option<Rev>,
}

/// `p4 diff`.
async fn diff(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "d:fm:O:s:t", USAGE)?;
    let Some(flag) = o.value('s') else {
        // The content diff itself (`p4 diff` without -s) is not simulated.
        return Err(CmdError::failed(
            "p4 diff without -s<flag> is not supported by the simulator.",
        ));
    };
    let mode = match flag {
        "a" | "b" | "d" | "e" | "l" | "r" => flag.chars().next().expect("one letter"),
        _ => return Err(CmdError::usage(USAGE)),
    };
    // -sa, -sb and -sr look at opened files, the others at unopened ones.
    let opened_modes = matches!(mode, 'a' | 'b' | 'r');
    let mut db = cx.db();
    let ws = Workspace::require(cx, &mut db)?;
    let resolver = Resolver::new(cx, &mut db)?;
    let mut args = content::args(cx, &resolver, &o.args)?;
    // `p4 help diff`: without file arguments the opened files are diffed.
    // Taken literally that leaves the forms that report unopened files
    // (-sd, -se, -sl) nothing to report; the recovery chapter runs a bare
    // `p4 diff -se` to find changed workspace files, as common practice
    // does (`p4 diff -se | p4 -x - edit`), so for these forms the default
    // is the whole workspace. The documentation is silent on the point.
    let implicit = args.is_empty();
    if implicit {
        args.push(FileArg::whole_workspace(&ws.name));
    }
    let all = revs::all_revisions(&mut db)?;
    let have = revs::have_rows(&mut db, &ws.name)?;
    let working: Vec<revs::Working> = revs::all_working(&mut db)?
        .into_iter()
        .filter(|w| w.client == ws.name)
        .collect();
    let lbr =
        Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
    drop(db);
    for arg in &args {
        let given = arg.rev.and_then(|(from, to)| from.is_none().then_some(to));
        let mut candidates = Vec::new();
        if opened_modes {
            for w in working
                .iter()
                .filter(|w| resolver.matches(&arg.path, &w.depot_file))
            {
                let rev = match (w.action, all.get(&w.depot_file)) {
                    (ADD, _) | (_, None) => None,
                    (_, Some(list)) => {
                        let spec = given.unwrap_or(RevSpec::Num(w.have_rev));
                        revs::select(list, Some(spec), Some(w.have_rev)).cloned()
                    }
                };
                candidates.push(Candidate {
                    depot_file: w.depot_file.clone(),
                    client_file: w.client_file.clone(),
                    rev,
                });
            }
        } else {
            for (depot_file, (client_file, have_rev)) in &have {
                if !resolver.matches(&arg.path, depot_file) {
                    continue;
                }
                if working.iter().any(|w| &w.depot_file == depot_file) {
                    continue;
                }
                let spec = given.unwrap_or(RevSpec::Num(*have_rev));
                let rev = all
                    .get(depot_file)
                    .and_then(|list| revs::select(list, Some(spec), Some(*have_rev)).cloned());
                candidates.push(Candidate {
                    depot_file: depot_file.clone(),
                    client_file: client_file.clone(),
                    rev,
                });
            }
        }
        if candidates.is_empty() {
            let what = if opened_modes {
                "file(s) not opened on this client."
            } else {
                "file(s) not on client."
            };
            if implicit {
                let mut w = what.to_string();
                w[..1].make_ascii_uppercase();
                cx.warn(w);
            } else {
                cx.warn(format!("{} - {what}", arg.text));
            }
            continue;
        }
        candidates.sort_by(|a, b| a.depot_file.cmp(&b.depot_file));
        for c in candidates {
            let local = ws.client_to_local(&c.client_file);
            let state = match cx.read_client_file(&local).await {
                Err(_) => State::Missing,
                Ok(bytes) => match &c.rev {
                    None => State::Diff,
                    Some(r) => {
                        let expected = if r.digest_missing() {
                            lbr.retrieve(&r.lbr_file, &r.lbr_rev, r.lbr_type)
                                .map(|b| digest(&b))
                                .unwrap_or_default()
                        } else {
                            r.digest.clone()
                        };
                        if digest(&bytes).eq_ignore_ascii_case(&expected) {
                            State::Same
                        } else {
                            State::Diff
                        }
                    }
                },
            };
            let shown = match mode {
                'a' => state != State::Same,
                'r' => state == State::Same && c.rev.is_some(),
                'd' => state == State::Missing,
                'e' => state == State::Diff,
                'l' => {
                    cx.info(format!("{} {local}", state.word()));
                    false
                }
                // No integrations are simulated, so nothing is resolved
                // and then modified.
                _ => false,
            };
            if shown {
                cx.info(local);
            }
        }
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] =
    &[cmd("diff", Access::Level(Perm::Read), OnReplica::Read)];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "diff" => Some(diff(cx).await),
        _ => None,
    }
}
