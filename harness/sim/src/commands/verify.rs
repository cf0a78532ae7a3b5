//! `p4 verify`: archive content against recorded digests.
//!
//! Each selected revision's content is read back from the librarian
//! (checking the RCS revision out, or gunzipping), its MD5 computed and
//! compared with `db.rev.digest`. A revision whose archive (or RCS
//! revision) is gone ends with `MISSING!`; one whose content differs, or
//! whose archive cannot be read back, ends with `BAD!`. Both are errors
//! (stderr, exit status 1); good revisions print on stdout unless `-q`.

use super::changes::content::{self, Selection};
use super::changes::opts;
use super::changes::revs::{self, Rev, action_name, is_deleted};
use super::changes::workspace::Resolver;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::archive::{Librarian, digest};
use crate::auth::Perm;
use crate::db::Value;

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
    if [update, overwrite, o.has('t'), o.has('z')]
        .iter()
        .filter(|b| **b)
        .count()
        > 1
    {
        return Err(CmdError::usage(USAGE));
    }
    if (update || overwrite) && cx.srv.services().is_replica() {
        return Err(CmdError::failed("Replica does not support this command."));
    }
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
                    cx.error(line(&r, &r.digest, Some("MISSING!")));
                    continue;
                }
                Err(_) => {
                    cx.error(line(&r, &r.digest, Some("BAD!")));
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
                cx.error(line(&r, &computed, Some("BAD!")));
            } else if !quiet {
                cx.info(line(&r, &r.digest, None));
            }
        }
    }
    cx.commit(&mut db)?;
    Ok(())
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
