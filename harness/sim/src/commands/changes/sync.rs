//! `p4 sync`: bringing workspace files to the revisions asked for and
//! recording them in `db.have`.

use std::collections::BTreeMap;

use super::content::{self, Selection};
use super::filespec::{FileArg, RevSpec};
use super::opts;
use super::revs::{self, Rev, is_deleted};
use super::workspace::{Resolver, Workspace};
use crate::archive::Librarian;
use crate::commands::{CmdError, CmdResult, Cx};
use crate::db::Value;
use crate::protocol::ServerMsg;

const USAGE_SYNC: &str = "sync [ -f -k -n -N -p -q -r -s ] [-m max] [files...]";

/// `p4 sync`.
pub(crate) async fn sync(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "fknNpqrsm:", USAGE_SYNC)?;
    let (force, preview, keep, quiet) = (o.has('f'), o.has('n'), o.has('k'), o.has('q'));
    let max = o.number('m', USAGE_SYNC)?;
    let mut db = cx.db();
    let ws = Workspace::require(cx, &mut db)?;
    let resolver = Resolver::new(cx, &mut db)?;
    let mut args = content::args(cx, &resolver, &o.args)?;
    let whole = args.is_empty();
    if whole {
        args.push(FileArg::whole_workspace(&ws.name));
    }
    let all = revs::all_revisions(&mut db)?;
    let have = revs::have_rows(&mut db, &ws.name)?;
    let opened: Vec<String> = revs::all_working(&mut db)?
        .into_iter()
        .filter(|w| w.client == ws.name)
        .map(|w| w.depot_file)
        .collect();
    let lbr =
        Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
    let now = cx.now();
    let mut sends = Vec::new();
    let mut done = 0i64;
    for arg in &args {
        // Target revision per file in view (`None`: remove from the client).
        let mut targets: BTreeMap<String, Option<Rev>> = BTreeMap::new();
        let sel: Selection = content::select(&resolver, arg, &all, &have, false);
        let any_file = sel.any_file;
        for r in sel.revs {
            if ws.depot_to_client(&r.depot_file).is_some() {
                targets.insert(r.depot_file.clone(), Some(r));
            }
        }
        // Files the client has that the revision asked for removes.
        for (file, revs) in &all {
            if targets.contains_key(file)
                || !have.contains_key(file)
                || !resolver.matches(&arg.path, file)
            {
                continue;
            }
            let gone = match arg.rev {
                Some((None, RevSpec::Num(0))) => true,
                Some((None, spec)) => revs::select(revs, Some(spec), None).is_none(),
                _ => false,
            };
            if gone {
                targets.insert(file.clone(), None);
            }
        }
        let mut acted = false;
        for (file, target) in targets {
            if max.is_some_and(|m| done >= m) {
                break;
            }
            let client_file = match ws.depot_to_client(&file) {
                Some(c) => c,
                None => continue,
            };
            let local = ws.client_to_local(&client_file);
            let have_rev = have.get(&file).map(|h| h.1);
            let live = target.as_ref().filter(|r| !is_deleted(r.action));
            if opened.contains(&file) {
                if live.map(|r| r.rev) != have_rev {
                    acted = true;
                    if !quiet {
                        cx.info(format!(
                            "{file}#{} - is opened and not being changed",
                            have_rev.unwrap_or(0)
                        ));
                    }
                }
                continue;
            }
            match (live, have_rev) {
                (None, None) => continue,
                (None, Some(_)) => {
                    let shown = target
                        .as_ref()
                        .map(|r| format!("#{}", r.rev))
                        .unwrap_or_else(|| "#none".to_string());
                    if !quiet {
                        cx.info(format!("{file}{shown} - deleted as {local}"));
                    }
                    if !preview {
                        db.delete("db.have", &[Value::text(&client_file)])?;
                        if !keep {
                            sends.push(ServerMsg::DeleteFile {
                                path: local.clone(),
                            });
                        }
                    }
                }
                (Some(r), h) => {
                    let verb = match h {
                        None => "added as",
                        Some(h) if h == r.rev && force => "refreshing",
                        Some(h) if h == r.rev => continue,
                        Some(_) => "updating",
                    };
                    if !preview && !keep {
                        match lbr.retrieve(&r.lbr_file, &r.lbr_rev, r.lbr_type) {
                            Ok(bytes) => sends.push(ServerMsg::WriteFile {
                                path: local.clone(),
                                bytes,
                                mode: ws.file_mode(r.file_type, false),
                            }),
                            Err(e) => {
                                cx.error(format!("Librarian checkout {} failed.\n{e}", r.lbr_file));
                                continue;
                            }
                        }
                    }
                    if !quiet {
                        cx.info(format!("{file}#{} - {verb} {local}", r.rev));
                    }
                    if !preview {
                        db.put(
                            "db.have",
                            revs::have_row(&client_file, &file, r.rev, r.file_type, now),
                        )?;
                    }
                }
            }
            acted = true;
            done += 1;
        }
        if !acted {
            if whole {
                cx.warn("File(s) up-to-date.");
            } else if !any_file && resolver.in_view(&arg.path) {
                cx.warn(format!("{} - no such file(s).", arg.text));
            } else if !any_file {
                cx.warn(format!("{} - file(s) not in client view.", arg.text));
            } else {
                cx.warn(format!("{} - file(s) up-to-date.", arg.text));
            }
        }
    }
    if !preview {
        cx.commit(&mut db)?;
        for m in sends {
            cx.send(m);
        }
    }
    Ok(())
}
