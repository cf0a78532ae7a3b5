//! Opening files: `add`, `edit`, `delete`, and undoing it (`revert`),
//! and listing what is open (`opened`).

use super::filespec::{FileArg, parse_arg};
use super::opts;
use super::revs::{self, ADD, DELETE, EDIT, Working, action_name};
use super::workspace::{Resolver, Workspace};
use crate::archive::{FileType, Librarian};
use crate::commands::{CmdError, CmdResult, Cx};
use crate::db::{Db, Value};
use crate::protocol::ServerMsg;

const USAGE_OPEN: &str =
    "add/edit/delete [-c changelist#] [ -d -f -I -k -n -v ] [-t type] [--remote=rmt] files...";
const USAGE_REVERT: &str =
    "revert [ -a -n -k -w -c changelist# -C client ] [--remote=rmt] files...";
const USAGE_OPENED: &str =
    "opened [ -a -m max ] [ -c changelist# -C client -u user -s -g | -x ] [ files... ]";

/// The pending change `-c` names, checked as p4d checks it (0 = default).
pub(crate) fn target_change(db: &mut Db, cx: &Cx<'_>, arg: Option<&str>) -> Result<i64, CmdError> {
    let Some(text) = arg.filter(|t| *t != "default") else {
        return Ok(0);
    };
    let n: i64 = text
        .parse()
        .map_err(|_| CmdError::failed(format!("Invalid changelist number '{text}'.")))?;
    let row = db
        .get("db.change", &[Value::Int(n)])?
        .ok_or_else(|| CmdError::failed(format!("Change {n} unknown.")))?;
    if row[5].as_int() & 1 != 0 {
        return Err(CmdError::failed(format!(
            "Change {n} is already committed."
        )));
    }
    let client = row[2].as_str();
    if client != cx.req.client {
        return Err(CmdError::failed(format!(
            "Change {n} belongs to client {client}."
        )));
    }
    Ok(n)
}

fn file_args(cx: &Cx<'_>, args: &[String]) -> Result<Vec<FileArg>, CmdError> {
    let zone = cx.srv.zone();
    args.iter().map(|a| parse_arg(a, &zone)).collect()
}

/// `p4 add`, `p4 edit`, `p4 delete`.
pub(crate) async fn open(cx: &mut Cx<'_>, action: i64) -> CmdResult {
    let o = opts::parse(&cx.args, "c:t:dfIknv", USAGE_OPEN)?;
    if o.args.is_empty() {
        return Err(CmdError::usage(USAGE_OPEN));
    }
    let preview = o.has('n');
    let args = file_args(cx, &o.args)?;
    let mut db = cx.db();
    let ws = Workspace::require(cx, &mut db)?;
    let change = target_change(&mut db, cx, o.value('c'))?;
    let resolver = Resolver::new(cx, &mut db)?;
    let forced_type = o.value('t').map(str::to_string);
    if let Some(t) = &forced_type {
        FileType::parse(t, FileType::TEXT).map_err(|e| CmdError::failed(e.to_string()))?;
    }
    // Work out every file first (reading client files may wait on the
    // client), then open them in one transaction.
    let mut planned: Vec<(String, String, i64, i64, FileType, String)> = Vec::new();
    let working = revs::all_working(&mut db)?;
    for arg in &args {
        if action == ADD {
            plan_add(
                cx,
                &mut db,
                &resolver,
                &ws,
                arg,
                &working,
                forced_type.as_deref(),
                &mut planned,
            )
            .await?;
        } else {
            plan_edit_delete(
                cx,
                &mut db,
                &resolver,
                &ws,
                arg,
                action,
                &working,
                forced_type.as_deref(),
                &mut planned,
            )?;
        }
    }
    let mut db = cx.db();
    for (client_file, depot_file, have, work, t, shown) in &planned {
        if !preview {
            db.put(
                "db.working",
                Working::row(
                    client_file,
                    depot_file,
                    &ws.name,
                    &cx.user,
                    *have,
                    *work,
                    *t,
                    action,
                    change,
                ),
            )?;
        }
        cx.info(format!("{shown} - opened for {}", action_name(action)));
    }
    if !preview {
        cx.commit(&mut db)?;
        for (client_file, _, _, _, t, _) in &planned {
            let local = ws.client_to_local(client_file);
            match action {
                EDIT => cx.send(ServerMsg::ChmodFile {
                    path: local,
                    mode: ws.file_mode(*t, true),
                }),
                DELETE => cx.send(ServerMsg::DeleteFile { path: local }),
                _ => {}
            }
        }
    }
    Ok(())
}

/// The message for a file already open on this client.
fn already_open(w: &Working, action: i64) -> String {
    if w.action == action {
        format!(
            "{}#{} - currently opened for {}",
            w.depot_file,
            w.work_rev,
            action_name(action)
        )
    } else {
        format!(
            "{} - can't {} (already opened for {})",
            w.depot_file,
            action_name(action),
            action_name(w.action)
        )
    }
}

#[allow(clippy::too_many_arguments)]
async fn plan_add(
    cx: &mut Cx<'_>,
    db: &mut Db,
    resolver: &Resolver,
    ws: &Workspace,
    arg: &FileArg,
    working: &[Working],
    forced: Option<&str>,
    planned: &mut Vec<(String, String, i64, i64, FileType, String)>,
) -> CmdResult {
    if arg.path.contains("...") {
        return Err(CmdError::failed(
            "Can't add filenames containing the ellipsis wildcard (...).",
        ));
    }
    if arg.rev.is_some() || arg.path.contains('*') {
        return Err(CmdError::failed(
            "Can't add filenames with wildcards [@#%*] in them.\nUse -f option to force add.",
        ));
    }
    let (client_file, depot_file) = match resolver.place(arg) {
        Ok(p) => p,
        Err(why) => {
            why.report(cx, arg);
            return Ok(());
        }
    };
    if let Some(w) = working
        .iter()
        .find(|w| w.client_file == client_file && w.client == ws.name)
    {
        cx.info(already_open(w, ADD));
        return Ok(());
    }
    let revs = revs::file_revisions(db, &depot_file)?;
    let head = revs.first();
    if head.is_some_and(|h| !revs::is_deleted(h.action)) {
        cx.info(format!("{depot_file} - can't add existing file"));
        return Ok(());
    }
    let local = ws.client_to_local(&client_file);
    let detected = match cx.read_client_file(&local).await {
        Ok(bytes) => FileType::detect(&bytes),
        Err(_) => {
            cx.info(format!("{local} - missing, assuming text."));
            FileType::TEXT
        }
    };
    let t = match forced {
        Some(word) => {
            FileType::parse(word, detected).map_err(|e| CmdError::failed(e.to_string()))?
        }
        None => detected,
    };
    // A re-add after a delete works from the deleted head revision.
    let work = head.map(|h| h.rev).unwrap_or(1);
    planned.push((
        client_file,
        depot_file.clone(),
        0,
        work,
        t,
        format!("{depot_file}#{work}"),
    ));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn plan_edit_delete(
    cx: &mut Cx<'_>,
    db: &mut Db,
    resolver: &Resolver,
    ws: &Workspace,
    arg: &FileArg,
    action: i64,
    working: &[Working],
    forced: Option<&str>,
    planned: &mut Vec<(String, String, i64, i64, FileType, String)>,
) -> CmdResult {
    resolver.check(arg)?;
    let have = revs::have_rows(db, &ws.name)?;
    let mut hit = false;
    for (depot_file, (client_file, have_rev)) in &have {
        if !resolver.matches(&arg.path, depot_file) {
            continue;
        }
        hit = true;
        if let Some(w) = working
            .iter()
            .find(|w| &w.client_file == client_file && w.client == ws.name)
        {
            cx.info(already_open(w, action));
            continue;
        }
        let revs = revs::file_revisions(db, depot_file)?;
        let head_type = revs
            .iter()
            .find(|r| r.rev == *have_rev)
            .map(|r| r.file_type)
            .unwrap_or(FileType::TEXT);
        let t = match forced {
            Some(word) => {
                FileType::parse(word, head_type).map_err(|e| CmdError::failed(e.to_string()))?
            }
            None => head_type,
        };
        planned.push((
            client_file.clone(),
            depot_file.clone(),
            *have_rev,
            *have_rev,
            t,
            format!("{depot_file}#{have_rev}"),
        ));
    }
    if !hit {
        if resolver.in_view(&arg.path) {
            cx.warn(format!("{} - file(s) not on client.", arg.text));
        } else {
            cx.warn(format!("{} - file(s) not in client view.", arg.text));
        }
    }
    Ok(())
}

/// `p4 revert`.
pub(crate) async fn revert(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "ankwc:C:", USAGE_REVERT)?;
    if o.args.is_empty() && !o.has('c') && !o.has('a') {
        return Err(CmdError::usage(USAGE_REVERT));
    }
    let preview = o.has('n');
    let keep = o.has('k');
    let mut db = cx.db();
    let ws = Workspace::require(cx, &mut db)?;
    let change = match o.value('c') {
        Some(c) => Some(target_change(&mut db, cx, Some(c))?),
        None => None,
    };
    let resolver = Resolver::new(cx, &mut db)?;
    let args = file_args(cx, if o.args.is_empty() { &[] } else { &o.args })?;
    for a in &args {
        resolver.check(a)?;
    }
    let mine: Vec<Working> = revs::all_working(&mut db)?
        .into_iter()
        .filter(|w| w.client == ws.name && change.is_none_or(|c| w.change == c))
        .collect();
    let lbr =
        Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
    let mut selected: Vec<Working> = Vec::new();
    if args.is_empty() {
        selected = mine.clone();
    }
    for a in &args {
        let hits: Vec<&Working> = mine
            .iter()
            .filter(|w| resolver.matches(&a.path, &w.depot_file))
            .collect();
        if hits.is_empty() {
            cx.warn(format!("{} - file(s) not opened on this client.", a.text));
        }
        for w in hits {
            if !selected.iter().any(|s| s.client_file == w.client_file) {
                selected.push(w.clone());
            }
        }
    }
    selected.sort_by(|a, b| a.depot_file.cmp(&b.depot_file));
    let mut writes = Vec::new();
    for w in &selected {
        let local = ws.client_to_local(&w.client_file);
        if w.action == ADD {
            cx.info(format!("{}#none - was add, abandoned", w.depot_file));
        } else {
            cx.info(format!(
                "{}#{} - was {}, reverted",
                w.depot_file,
                w.have_rev,
                action_name(w.action)
            ));
            if !keep {
                let revs = revs::file_revisions(&mut db, &w.depot_file)?;
                if let Some(r) = revs.iter().find(|r| r.rev == w.have_rev) {
                    match lbr.retrieve(&r.lbr_file, &r.lbr_rev, r.lbr_type) {
                        Ok(bytes) => writes.push(ServerMsg::WriteFile {
                            path: local,
                            bytes,
                            mode: ws.file_mode(r.file_type, false),
                        }),
                        Err(e) => {
                            cx.error(format!("Librarian checkout {} failed.\n{e}", r.lbr_file))
                        }
                    }
                }
            }
        }
        if !preview {
            db.delete("db.working", &[Value::text(&w.client_file)])?;
        }
    }
    if !preview {
        cx.commit(&mut db)?;
        for m in writes {
            cx.send(m);
        }
    }
    if selected.is_empty() && args.is_empty() {
        cx.warn("File(s) not opened on this client.");
    }
    Ok(())
}

/// `p4 opened`.
pub(crate) async fn opened(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "am:c:C:u:sgx", USAGE_OPENED)?;
    let max = o.number('m', USAGE_OPENED)?;
    let all = o.has('a');
    let mut db = cx.db();
    let resolver = Resolver::new(cx, &mut db)?;
    let args = file_args(cx, &o.args)?;
    for a in &args {
        resolver.check(a)?;
    }
    let client = o
        .value('C')
        .map(str::to_string)
        .unwrap_or_else(|| cx.req.client.clone());
    let change = match o.value('c') {
        None => None,
        Some("default") => Some(0),
        Some(t) => Some(
            t.parse::<i64>()
                .map_err(|_| CmdError::failed(format!("Invalid changelist number '{t}'.")))?,
        ),
    };
    let mut rows: Vec<Working> = revs::all_working(&mut db)?
        .into_iter()
        .filter(|w| all || w.client == client)
        .filter(|w| o.value('u').is_none_or(|u| w.user == u))
        .filter(|w| change.is_none_or(|c| w.change == c))
        .filter(|w| {
            args.is_empty()
                || args
                    .iter()
                    .any(|a| resolver.matches(&a.path, &w.depot_file))
        })
        .collect();
    rows.sort_by(|a, b| {
        a.depot_file
            .cmp(&b.depot_file)
            .then(a.client.cmp(&b.client))
    });
    if let Some(m) = max {
        rows.truncate(usize::try_from(m).unwrap_or(0));
    }
    if rows.is_empty() {
        if args.is_empty() {
            cx.warn("File(s) not opened on this client.");
        } else {
            for a in &args {
                cx.warn(format!("{} - file(s) not opened on this client.", a.text));
            }
        }
        return Ok(());
    }
    for w in rows {
        let mut line = format!(
            "{}#{} - {} {} ({})",
            w.depot_file,
            w.work_rev,
            action_name(w.action),
            w.change_words(),
            w.file_type
        );
        if w.client != cx.req.client || w.user != cx.user {
            line.push_str(&format!(" by {}@{}", w.user, w.client));
        }
        cx.info(line);
    }
    Ok(())
}
