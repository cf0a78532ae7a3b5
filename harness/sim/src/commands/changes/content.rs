//! Depot content: `p4 files`, `p4 print`, `p4 fstat`, and the selection of
//! revisions by file arguments that they (and `p4 verify`) share.

use std::collections::BTreeMap;

use super::filespec::{FileArg, parse_arg};
use super::opts;
use super::revs::{self, Rev, action_name, is_deleted};
use super::workspace::Resolver;
use crate::archive::Librarian;
use crate::commands::{CmdError, CmdResult, Cx};
use crate::db::Db;
use crate::protocol::ServerMsg;

const USAGE_FILES: &str = "files [-a -A -e -i -m max] [-U] files...";
const USAGE_PRINT: &str = "print [-a -A -k -o localFile -q -m max] [-U] files...";
const USAGE_FSTAT: &str = "fstat [ -F filter -T fields -m max -r ] [ -c | -e changelist# ] [ -Ox -Rx -Sx ] [-A pattern] [-U] file[rev]...";

/// What one file argument selected.
pub(crate) struct Selection {
    /// Revisions, by file then newest first.
    pub revs: Vec<Rev>,
    /// True when some depot file matched the path (whatever the revision).
    pub any_file: bool,
}

/// The revisions `arg` names: one per file (head, or the revision given),
/// or every revision in a range; `every` selects all revisions when no
/// revision is given (`files -a`, `verify`).
pub(crate) fn select(
    resolver: &Resolver,
    arg: &FileArg,
    all: &BTreeMap<String, Vec<Rev>>,
    have: &BTreeMap<String, (String, i64)>,
    every: bool,
) -> Selection {
    let mut out = Selection {
        revs: Vec::new(),
        any_file: false,
    };
    for (file, revs) in all {
        if !resolver.matches(&arg.path, file) {
            continue;
        }
        out.any_file = true;
        let have_rev = have.get(file).map(|h| h.1);
        let head = revs.first().map(|r| r.rev).unwrap_or(0);
        match arg.rev {
            Some((Some(from), to)) => out.revs.extend(
                revs.iter()
                    .filter(|r| revs::in_range(r, from, to, have_rev, head))
                    .cloned(),
            ),
            Some((None, spec)) => out
                .revs
                .extend(revs::select(revs, Some(spec), have_rev).cloned()),
            None if every => out.revs.extend(revs.iter().cloned()),
            None => out.revs.extend(revs.first().cloned()),
        }
    }
    out
}

/// Reports an argument that selected nothing.
pub(crate) fn report_empty(cx: &mut Cx<'_>, resolver: &Resolver, arg: &FileArg, sel: &Selection) {
    if sel.any_file {
        cx.warn(arg.none_at_rev());
    } else if !resolver.in_view(&arg.path) {
        cx.warn(format!("{} - file(s) not in client view.", arg.text));
    } else {
        cx.warn(format!("{} - no such file(s).", arg.text));
    }
}

/// Parses arguments and checks that local ones have a workspace.
pub(crate) fn args(
    cx: &Cx<'_>,
    resolver: &Resolver,
    words: &[String],
) -> Result<Vec<FileArg>, CmdError> {
    let zone = cx.srv.zone();
    let args: Vec<FileArg> = words
        .iter()
        .map(|a| parse_arg(a, &zone))
        .collect::<Result<_, _>>()?;
    for a in &args {
        resolver.check(a)?;
    }
    Ok(args)
}

fn have_of(resolver: &Resolver, db: &mut Db) -> Result<BTreeMap<String, (String, i64)>, CmdError> {
    Ok(match &resolver.ws {
        Some(ws) => revs::have_rows(db, &ws.name)?,
        None => BTreeMap::new(),
    })
}

/// `p4 files`.
pub(crate) async fn files(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "aAeim:U", USAGE_FILES)?;
    if o.args.is_empty() {
        return Err(CmdError::usage(USAGE_FILES));
    }
    let max = o.number('m', USAGE_FILES)?;
    let mut db = cx.db();
    let resolver = Resolver::new(cx, &mut db)?;
    let args = args(cx, &resolver, &o.args)?;
    let all = revs::all_revisions(&mut db)?;
    let have = have_of(&resolver, &mut db)?;
    let mut shown = 0i64;
    for a in &args {
        let mut sel = select(&resolver, a, &all, &have, o.has('a'));
        if o.has('e') {
            sel.revs.retain(|r| !is_deleted(r.action));
        }
        if sel.revs.is_empty() {
            report_empty(cx, &resolver, a, &sel);
            continue;
        }
        for r in sel.revs {
            if max.is_some_and(|m| shown >= m) {
                return Ok(());
            }
            shown += 1;
            cx.info(r.files_line());
        }
    }
    Ok(())
}

/// `p4 print`.
pub(crate) async fn print(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "aAko:qm:U", USAGE_PRINT)?;
    if o.args.is_empty() {
        return Err(CmdError::usage(USAGE_PRINT));
    }
    let max = o.number('m', USAGE_PRINT)?;
    let mut db = cx.db();
    let resolver = Resolver::new(cx, &mut db)?;
    let args = args(cx, &resolver, &o.args)?;
    let all = revs::all_revisions(&mut db)?;
    let have = have_of(&resolver, &mut db)?;
    let lbr =
        Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
    let mut shown = 0i64;
    for a in &args {
        let sel = select(&resolver, a, &all, &have, o.has('a'));
        if sel.revs.is_empty() {
            report_empty(cx, &resolver, a, &sel);
            continue;
        }
        for r in sel.revs {
            if max.is_some_and(|m| shown >= m) {
                return Ok(());
            }
            shown += 1;
            if !o.has('q') {
                cx.info(r.files_line());
            }
            if is_deleted(r.action) {
                continue;
            }
            match lbr.retrieve(&r.lbr_file, &r.lbr_rev, r.lbr_type) {
                Ok(bytes) => match o.value('o') {
                    Some(local) => {
                        let mode = if r.file_type.is_executable() {
                            0o555
                        } else {
                            0o444
                        };
                        cx.send(ServerMsg::WriteFile {
                            path: local.to_string(),
                            bytes,
                            mode,
                        });
                    }
                    None => cx.data(bytes),
                },
                Err(e) => cx.error(format!("Librarian checkout {} failed.\n{e}", r.lbr_file)),
            }
        }
    }
    Ok(())
}

/// `p4 fstat` (the common fields; `-Ol` adds size and digest, `-Ob` the
/// librarian fields).
pub(crate) async fn fstat(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "F:T:m:rce:O:R:S:A:U", USAGE_FSTAT)?;
    if o.args.is_empty() {
        return Err(CmdError::usage(USAGE_FSTAT));
    }
    let max = o.number('m', USAGE_FSTAT)?;
    let extra = o.values('O').concat();
    let mut db = cx.db();
    let resolver = Resolver::new(cx, &mut db)?;
    let args = args(cx, &resolver, &o.args)?;
    let all = revs::all_revisions(&mut db)?;
    let have = have_of(&resolver, &mut db)?;
    let working = revs::all_working(&mut db)?;
    let lbr =
        Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
    let mut shown = 0i64;
    for a in &args {
        let sel = select(&resolver, a, &all, &have, false);
        // Files opened for add have no revision yet but are reported.
        let mut files: BTreeMap<String, Option<Rev>> = sel
            .revs
            .into_iter()
            .map(|r| (r.depot_file.clone(), Some(r)))
            .collect();
        for w in working
            .iter()
            .filter(|w| w.client == cx.req.client && w.action == revs::ADD)
        {
            if resolver.matches(&a.path, &w.depot_file) {
                files.entry(w.depot_file.clone()).or_insert(None);
            }
        }
        if files.is_empty() {
            report_empty(
                cx,
                &resolver,
                a,
                &Selection {
                    revs: Vec::new(),
                    any_file: sel.any_file,
                },
            );
            continue;
        }
        for (file, rev) in files {
            if max.is_some_and(|m| shown >= m) {
                return Ok(());
            }
            shown += 1;
            let mut rec: Vec<(String, String)> = vec![("depotFile".into(), file.clone())];
            if let Some((ws, c)) = resolver
                .ws
                .as_ref()
                .and_then(|ws| ws.depot_to_client(&file).map(|c| (ws, c)))
            {
                rec.push(("clientFile".into(), ws.client_to_local(&c)));
                rec.push(("isMapped".into(), String::new()));
            }
            if let Some(r) = &rev {
                rec.push(("headAction".into(), action_name(r.action).into()));
                rec.push(("headType".into(), r.file_type.name()));
                rec.push(("headTime".into(), r.date.to_string()));
                rec.push(("headRev".into(), r.rev.to_string()));
                rec.push(("headChange".into(), r.change.to_string()));
                rec.push(("headModTime".into(), r.mod_time.to_string()));
            }
            if let Some((_, h)) = have.get(&file) {
                rec.push(("haveRev".into(), h.to_string()));
            }
            if let Some(w) = working
                .iter()
                .find(|w| w.depot_file == file && w.client == cx.req.client)
            {
                rec.push(("action".into(), action_name(w.action).into()));
                rec.push((
                    "change".into(),
                    if w.change == 0 {
                        "default".into()
                    } else {
                        w.change.to_string()
                    },
                ));
                rec.push(("type".into(), w.file_type.name()));
                rec.push(("actionOwner".into(), w.user.clone()));
                rec.push(("workRev".into(), w.work_rev.to_string()));
            }
            if let Some(r) = &rev {
                if extra.contains('l') && !is_deleted(r.action) {
                    rec.push(("fileSize".into(), r.size.to_string()));
                    rec.push(("digest".into(), r.digest.clone()));
                }
                if extra.contains('b') {
                    rec.push(("lbrFile".into(), r.lbr_file.clone()));
                    rec.push(("lbrRev".into(), r.lbr_rev.clone()));
                    rec.push(("lbrType".into(), r.lbr_type.name()));
                    rec.push(("lbrIsLazy".into(), r.row[10].as_int().to_string()));
                    if let Ok(p) = lbr.archive_path(&r.lbr_file, &r.lbr_rev, r.lbr_type.storage()) {
                        rec.push(("lbrPath".into(), p.display().to_string()));
                    }
                }
            }
            cx.tagged(rec);
        }
    }
    Ok(())
}
