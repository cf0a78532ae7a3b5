//! `p4 verify`: archive content against recorded digests.
//!
//! Each selected revision's content is read back from the librarian
//! (checking the RCS revision out, or gunzipping), its MD5 computed and
//! compared with `db.rev.digest`. A revision whose archive (or RCS
//! revision) is gone ends with `MISSING!`; one whose content differs, or
//! whose archive cannot be read back, ends with `BAD!`. Both are errors
//! (stderr, exit status 1); good revisions print on stdout unless `-q`.
//!
//! `-t` (replicas only): every revision found `MISSING!` or `BAD!` has
//! the transfer of its archive revision scheduled in the replica's
//! transfer queue (`rdb.lbr`, what `p4 pull -l` lists), which the
//! `pull -u` thread then fetches from the target. Command reference, p4
//! verify: "When run on a replica, p4 verify -t causes the replica to
//! schedule a transfer of the contents of any damaged or missing
//! revisions", and "In replicated environments, p4 verify -t reports
//! BAD! or MISSING! files with (transfer scheduled) at the end of the
//! line" (P4 Command Reference, p4 verify, 2014.2 to 2015.1 editions;
//! the `-t` option text is unchanged in the 2019.1 and current ones). On
//! a server that is not a replica, `-t` fails with
//! MsgServer::TransferNotReplica.
//!
//! Where the documentation is silent, the simulator's choices: the line
//! is the usual MsgDm::VerifyDataProblem one (an error: stderr, exit
//! status 1, also with `-q`) with ` (transfer scheduled)` after its
//! status, one space apart (`... MISSING! (transfer scheduled)`); a
//! revision already queued is reported the same way and queued once; one
//! whose earlier transfer failed is queued again.

use super::changes::content::{self, Selection};
use super::changes::opts;
use super::changes::revs::{self, Rev, action_name, is_deleted};
use super::changes::workspace::Resolver;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::archive::{Librarian, digest};
use crate::auth::Perm;
use crate::db::Value;
use crate::replication::transfers::{self, Transfer};
use crate::replication::{Settings, threads};

const USAGE: &str = "verify [ -m maxRevs ] [ -q -s ] [ -t | -u | -v | -z ] [ -X ] [ -U | -S | -A ] [ -b batch ] files...";

fn line(r: &Rev, shown_digest: &str, status: Option<&str>) -> String {
    let mut s = format!(
        "{}#{} - {} change {} ({}) {shown_digest}",
        r.depot_file,
        r.rev,
        action_name(r.action),
        r.change,
        r.file_type
    );
    if let Some(st) = status {
        s.push(' ');
        s.push_str(st);
    }
    s
}

/// `p4 verify`.
pub async fn run(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "m:qstuvzXUSAb:", USAGE)?;
    if o.args.is_empty() {
        return Err(CmdError::usage(USAGE));
    }
    let (quiet, update, overwrite, sizes) =
        (o.has('q'), o.has('u'), o.has('v'), o.has('s') || o.has('v'));
    let transfer = o.has('t');
    // `-u`, `-v` and `-z` exclude each other, and `-t` excludes `-u` and
    // `-v`; `-t` goes with `-z` (syntax of 2018.2 and later:
    // `verify -t [-U | -A] [-z -m max -q -s -X -b batchsize] ...`).
    let exclusive = |flags: &[bool]| flags.iter().filter(|b| **b).count() > 1;
    if exclusive(&[update, overwrite, o.has('z')]) || exclusive(&[update, overwrite, transfer]) {
        return Err(CmdError::usage(USAGE));
    }
    if (update || overwrite) && cx.srv.services().is_replica() {
        return Err(CmdError::failed("Replica does not support this command."));
    }
    if transfer && !cx.srv.services().is_replica() {
        // MsgServer::TransferNotReplica.
        return Err(CmdError::failed(TRANSFER_NOT_REPLICA));
    }
    // Transfers are scheduled only where `pull -u` copies archives
    // (lbr.replication readonly); a replica sharing or fetching content
    // on demand has nothing to schedule, and its problems are reported
    // as without `-t` (p4d's documentation does not say; the simulator's
    // choice).
    let schedule = transfer && Settings::read(cx.srv).transfers_archives();
    let mut wanted: Vec<Transfer> = Vec::new();
    let now = cx.now();
    let max = o.number('m', USAGE)?;
    let mut db = cx.db();
    let resolver = Resolver::new(cx, &mut db)?;
    let args = content::args(cx, &resolver, &o.args)?;
    let all = revs::all_revisions(&mut db)?;
    let have = match &resolver.ws {
        Some(ws) => revs::have_rows(&mut db, &ws.name)?,
        None => Default::default(),
    };
    let lbr =
        Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
    let mut checked = 0i64;
    'args: for a in &args {
        let sel: Selection = content::select(&resolver, a, &all, &have, true);
        if sel.revs.is_empty() {
            content::report_empty(cx, &resolver, a, &sel);
            continue;
        }
        for r in sel.revs {
            // Deleted revisions have no content to verify.
            if is_deleted(r.action) {
                continue;
            }
            if max.is_some_and(|m| checked >= m) {
                break 'args;
            }
            checked += 1;
            let bytes = match lbr.retrieve(&r.lbr_file, &r.lbr_rev, r.lbr_type) {
                Ok(b) => b,
                Err(e)
                    if e.is_missing() || !matches!(e, crate::archive::LbrError::Damaged { .. }) =>
                {
                    let status = problem("MISSING!", &r, schedule, now, &mut wanted);
                    cx.error(line(&r, &r.digest, Some(&status)));
                    continue;
                }
                Err(_) => {
                    let status = problem("BAD!", &r, schedule, now, &mut wanted);
                    cx.error(line(&r, &r.digest, Some(&status)));
                    continue;
                }
            };
            let computed = digest(&bytes);
            let size = i64::try_from(bytes.len()).unwrap_or(i64::MAX);
            if overwrite || (update && r.digest_missing()) {
                let mut row = r.row.clone();
                row[7] = Value::Digest(computed.clone());
                row[8] = Value::Int(size);
                db.put("db.rev", row)?;
                if !quiet {
                    cx.info(line(&r, &computed, None));
                }
                continue;
            }
            if r.digest_missing() {
                // Nothing recorded to compare with: the digest is shown.
                if !quiet {
                    cx.info(line(&r, &computed, None));
                }
                continue;
            }
            let size_bad = sizes && r.size >= 0 && r.size != size;
            if !computed.eq_ignore_ascii_case(&r.digest) || size_bad {
                let status = problem("BAD!", &r, schedule, now, &mut wanted);
                cx.error(line(&r, &computed, Some(&status)));
            } else if !quiet {
                cx.info(line(&r, &r.digest, None));
            }
        }
    }
    cx.commit(&mut db)?;
    if transfers::request(&cx.srv.host().fs, cx.srv.root(), wanted)
        .map_err(|e| CmdError::failed(format!("rdb.lbr: {}", crate::client::os_error(&e))))?
    {
        threads::wake(cx.srv, threads::PULL_ARCHIVE);
    }
    Ok(())
}

/// `Verify -t only allowed on replica servers.` (MsgServer::TransferNotReplica,
/// `%'Verify -t'% only allowed on replica servers.`).
pub const TRANSFER_NOT_REPLICA: &str = "Verify -t only allowed on replica servers.";

/// The status a damaged or missing revision's line ends with; with `-t`
/// on a replica that copies archives, its archive revision is added to
/// `wanted` and the status gains ` (transfer scheduled)`. A revision whose
/// transfer is already queued is reported the same way.
fn problem(status: &str, r: &Rev, schedule: bool, now: i64, wanted: &mut Vec<Transfer>) -> String {
    if !schedule {
        return status.to_string();
    }
    wanted.push(Transfer {
        lbr_file: r.lbr_file.clone(),
        lbr_rev: r.lbr_rev.clone(),
        lbr_type: r.lbr_type.code(),
        depot_file: r.depot_file.clone(),
        depot_rev: r.rev,
        change: r.change,
        size: r.size,
        date: r.date,
        queued: now,
        failed: false,
        error: String::new(),
    });
    format!("{status} (transfer scheduled)")
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] =
    &[cmd("verify", Access::Level(Perm::Admin), OnReplica::Local)];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "verify" => Some(run(cx).await),
        _ => None,
    }
}
