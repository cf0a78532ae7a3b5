//! Workspaces: `client`, `clients` (and their `workspace` aliases).
//!
//! A workspace is a `db.domain` row of type `c` (99): host in `extra`,
//! root in `mount`, alternate roots in `mount2`/`mount3`, owner, dates,
//! options and description; its view is one `db.view` row per line
//! (`mapFlag` 0 include, 1 `-` exclude, 2 `+` overlay; `viewFile` the
//! workspace side, `depotFile` the depot side).
//!
//! `options` packs the Options words as bits (allwrite 0x1, clobber 0x2,
//! compress 0x4, locked 0x8, modtime 0x10, rmdir 0x20, altsync 0x40), the
//! SubmitOptions choice at bits 8-11 and the LineEnd choice at bits 12-15
//! (the bit layout beyond the Options words is the simulator's).

use super::forms;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::{self, Perm};
use crate::db::{Db, Row, Value};
use crate::spec::{self, Form, SpecKind};

const USAGE: &str = "client [ -d -f -Fs -i -o -s -S stream -t template -c change ] [ clientname ]";
const USAGE_O: &str = "client -o [ -t template ] clientname";
const USAGE_D: &str = "client -d [ -f [ -Fs ] ] clientname";
const USAGE_I: &str = "client -i [ -f ]";
const USAGE_CLIENTS: &str =
    "clients [ -t ] [ -u user ] [ -U ] [ [-e|-E] query -m max ] [ -a | -s serverID ] [ -S stream ]";

/// `db.domain.type` of a workspace (`c`).
pub(crate) const DOMAIN_CLIENT: i64 = 99;

/// The Options words: (set word, unset word, bit).
const OPTIONS: &[(&str, &str, i64)] = &[
    ("allwrite", "noallwrite", 0x01),
    ("clobber", "noclobber", 0x02),
    ("compress", "nocompress", 0x04),
    ("locked", "unlocked", 0x08),
    ("modtime", "nomodtime", 0x10),
    ("rmdir", "normdir", 0x20),
    ("altsync", "noaltsync", 0x40),
];

const SUBMIT_OPTIONS: &[&str] = &[
    "submitunchanged",
    "submitunchanged+reopen",
    "revertunchanged",
    "revertunchanged+reopen",
    "leaveunchanged",
    "leaveunchanged+reopen",
];

const LINE_ENDS: &[&str] = &["local", "unix", "mac", "win", "share"];

/// How many Options words the release prints (2023.2 added altsync).
fn option_words(cx: &Cx<'_>) -> usize {
    if cx.srv.version().at_least(2023, 2) {
        7
    } else {
        6
    }
}

fn options_text(cx: &Cx<'_>, bits: i64) -> String {
    OPTIONS[..option_words(cx)]
        .iter()
        .map(|(on, off, b)| if bits & b != 0 { *on } else { *off })
        .collect::<Vec<_>>()
        .join(" ")
}

fn options_bits(words: &str) -> i64 {
    words
        .split_whitespace()
        .filter_map(|w| OPTIONS.iter().find(|(on, _, _)| on.eq_ignore_ascii_case(w)))
        .map(|(_, _, b)| b)
        .sum()
}

fn choice(list: &[&str], word: &str) -> i64 {
    list.iter()
        .position(|w| w.eq_ignore_ascii_case(word))
        .unwrap_or(0) as i64
}

/// A workspace's `db.domain` row, if it exists.
fn load(db: &mut Db, name: &str) -> Result<Option<Row>, CmdError> {
    Ok(db
        .get("db.domain", &[Value::text(name)])?
        .filter(|r| r[1].as_int() == DOMAIN_CLIENT))
}

fn view_rows(db: &mut Db, name: &str) -> Result<Vec<Row>, CmdError> {
    Ok(db
        .rows("db.view")?
        .into_iter()
        .filter(|r| r[0].as_str() == name)
        .collect())
}

fn quote(path: &str) -> String {
    if path.contains(' ') {
        format!("\"{path}\"")
    } else {
        path.to_string()
    }
}

fn view_line(r: &Row) -> String {
    let prefix = match r[2].as_int() {
        1 => "-",
        2 => "+",
        _ => "",
    };
    format!(
        "{prefix}{} {}",
        quote(&r[4].as_str()),
        quote(&r[3].as_str())
    )
}

/// The form of an existing workspace.
fn client_form(cx: &Cx<'_>, row: &Row, views: &[Row]) -> Form {
    let get = |c: usize| row[c].as_str().into_owned();
    let mut form = Form::new();
    form.set("Client", get(0));
    form.set("Update", forms::datetime(cx, row[7].as_int()));
    form.set("Access", forms::datetime(cx, row[8].as_int()));
    form.set("Owner", get(6));
    form.set("Host", get(2));
    form.set_text("Description", get(10));
    form.set("Root", get(3));
    let alt: Vec<String> = [get(4), get(5)]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    if !alt.is_empty() {
        form.set_list("AltRoots", alt);
    }
    let bits = row[9].as_int();
    form.set("Options", options_text(cx, bits));
    form.set(
        "SubmitOptions",
        SUBMIT_OPTIONS
            .get(((bits >> 8) & 0xF) as usize)
            .copied()
            .unwrap_or("submitunchanged"),
    );
    form.set(
        "LineEnd",
        LINE_ENDS
            .get(((bits >> 12) & 0xF) as usize)
            .copied()
            .unwrap_or("local"),
    );
    form.set("ServerID", get(12));
    form.set_list("View", views.iter().map(view_line).collect::<Vec<_>>());
    form
}

/// The form of a new workspace: p4d's defaults, with one view line per
/// local depot (`//depot/... //ws/...`, or `//d/... //ws/d/...` for each
/// depot when there are several).
fn new_client_form(cx: &Cx<'_>, db: &mut Db, name: &str) -> Result<Form, CmdError> {
    let mut form = Form::new();
    form.set("Client", name);
    form.set("Owner", &cx.user);
    form.set("Host", &cx.req.host);
    form.set_text("Description", format!("Created by {}.", cx.user));
    form.set("Root", &cx.req.cwd);
    form.set("Options", options_text(cx, 0));
    form.set("SubmitOptions", "submitunchanged");
    form.set("LineEnd", "local");
    let depots: Vec<String> = db
        .rows("db.depot")?
        .iter()
        .filter(|r| r[1].as_int() == 0)
        .map(|r| r[0].as_str().into_owned())
        .collect();
    let view: Vec<String> = match depots.as_slice() {
        [one] => vec![format!("//{one}/... //{name}/...")],
        many => many
            .iter()
            .map(|d| format!("//{d}/... //{name}/{d}/..."))
            .collect(),
    };
    form.set_list("View", view);
    Ok(form)
}

fn is_admin(cx: &Cx<'_>, db: &mut Db) -> Result<bool, CmdError> {
    Ok(
        auth::max_perm_from(db, &cx.user, &cx.peer.ip().to_string())?
            .is_some_and(|p| p >= Perm::Admin),
    )
}

/// `p4 client ...`.
async fn client(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "tScF", "dfios", &[], USAGE)?;
    let def = spec::definition(SpecKind::Client, cx.srv.version());
    if opts.has('S') || opts.has('s') || opts.has('c') {
        return Err(CmdError::failed(
            "Streams are not simulated; 'p4 client -S/-s/-c' is not available.",
        ));
    }
    if opts.has('o') {
        let name = match opts.args.as_slice() {
            [] => cx.req.client.clone(),
            [n] => n.clone(),
            _ => return Err(CmdError::usage(USAGE_O)),
        };
        let mut db = cx.db();
        let form = match load(&mut db, &name)? {
            Some(row) => {
                let views = view_rows(&mut db, &name)?;
                client_form(cx, &row, &views)
            }
            None => match opts.value('t') {
                Some(template) => {
                    let Some(row) = load(&mut db, template)? else {
                        return Err(CmdError::failed(format!(
                            "Client '{template}' doesn't exist."
                        )));
                    };
                    let views = view_rows(&mut db, template)?;
                    from_template(cx, &name, template, &row, &views)
                }
                None => new_client_form(cx, &mut db, &name)?,
            },
        };
        if cx.is_tagged() {
            cx.tagged(spec::tagged(&def, &form));
        } else {
            cx.info(spec::format(&def, &form));
        }
        return Ok(());
    }
    if opts.has('d') {
        let [name] = opts.args.as_slice() else {
            return Err(CmdError::usage(USAGE_D));
        };
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        return delete(cx, name, opts.has('f'));
    }
    if opts.has('i') {
        if !opts.args.is_empty() {
            return Err(CmdError::usage(USAGE_I));
        }
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        let form = spec::parse(&def, &forms::form_input(cx))
            .map_err(|e| CmdError::failed(e.render(def.domain)))?;
        return save(cx, &form, opts.has('f'));
    }
    match opts.args.as_slice() {
        [] => Err(forms::no_editor("client", None)),
        [name] => Err(forms::no_editor("client", Some(name))),
        _ => Err(CmdError::usage(USAGE)),
    }
}

/// A new workspace copied from `template` (its view retargeted).
fn from_template(cx: &Cx<'_>, name: &str, template: &str, row: &Row, views: &[Row]) -> Form {
    let mut form = client_form(cx, row, views);
    form.set("Client", name);
    form.remove("Update");
    form.remove("Access");
    form.set("Owner", &cx.user);
    form.set("Host", &cx.req.host);
    form.set_text("Description", format!("Created by {}.", cx.user));
    let old = format!("//{template}/");
    let new = format!("//{name}/");
    let view: Vec<String> = views
        .iter()
        .map(|r| {
            let mut r = r.clone();
            let client_side = r[3].as_str().replacen(&old, &new, 1);
            r[3] = Value::text(client_side);
            view_line(&r)
        })
        .collect();
    form.set_list("View", view);
    form
}

fn save(cx: &mut Cx<'_>, form: &Form, force: bool) -> CmdResult {
    let name = form.get("Client").unwrap_or_default().to_string();
    let mut db = cx.db();
    if force && !is_admin(cx, &mut db)? {
        return Err(CmdError::no_permission());
    }
    if let Some(t) = form
        .get("Type")
        .filter(|t| !t.is_empty() && *t != "writeable")
    {
        return Err(CmdError::failed(format!(
            "'{t}' client type has not been configured for this server.\nStorage location 'client.readonly.dir' needs to be set by the administrator."
        )));
    }
    if let Some(s) = form.get("Stream").filter(|s| !s.is_empty()) {
        return Err(CmdError::failed(format!("Stream '{s}' doesn't exist.")));
    }
    let existing = load(&mut db, &name)?;
    if let Some(old) = &existing {
        let owner = old[6].as_str().into_owned();
        if old[9].as_int() & 0x08 != 0 && owner != cx.user && !force {
            return Err(CmdError::failed(format!(
                "Locked client '{name}' owned by '{owner}'; use -f to force update."
            )));
        }
    }
    let alt = form.list("AltRoots");
    if alt.len() > 2 {
        return Err(CmdError::failed(
            "Too many client root alternatives -- only 2 allowed.",
        ));
    }
    // The view: depot side, workspace side; the workspace side must be in
    // this workspace.
    let prefix = format!("//{name}/");
    let mut views = Vec::new();
    for (seq, line) in form.list("View").iter().enumerate() {
        let w = spec::words(line);
        let (flag, depot) = match w[0].as_bytes().first() {
            Some(b'-') => (1, w[0][1..].to_string()),
            Some(b'+') => (2, w[0][1..].to_string()),
            _ => (0, w[0].clone()),
        };
        let client_side = w[1].clone();
        if !client_side.starts_with(&prefix) {
            return Err(CmdError::failed(format!(
                "Mapping '{client_side}' is not under '{prefix}...'."
            )));
        }
        views.push(vec![
            Value::text(&name),
            Value::Int(seq as i64),
            Value::Int(flag),
            Value::text(client_side),
            Value::text(depot),
        ]);
    }
    let now = cx.now();
    let options = form.get("Options").unwrap_or_default();
    let bits = options_bits(options)
        | (choice(
            SUBMIT_OPTIONS,
            form.get("SubmitOptions").unwrap_or("submitunchanged"),
        ) << 8)
        | (choice(LINE_ENDS, form.get("LineEnd").unwrap_or("local")) << 12);
    let owner = form
        .get("Owner")
        .filter(|o| !o.is_empty())
        .unwrap_or(&cx.user)
        .to_string();
    let mut row: Row = vec![
        Value::text(&name),
        Value::Int(DOMAIN_CLIENT),
        Value::text(form.get("Host").unwrap_or_default()),
        Value::text(form.get("Root").unwrap_or_default()),
        Value::text(alt.first().copied().unwrap_or_default()),
        Value::text(alt.get(1).copied().unwrap_or_default()),
        Value::text(&owner),
        Value::Int(now),
        Value::Int(existing.as_ref().map_or(now, |r| r[8].as_int())),
        Value::Int(bits),
        Value::text(form.get("Description").unwrap_or_default()),
        Value::text(""),
        Value::text(
            existing
                .as_ref()
                .map_or_else(String::new, |r| r[12].as_str().into_owned()),
        ),
        Value::Int(existing.as_ref().map_or(0, |r| r[13].as_int())),
    ];
    let old_views = view_rows(&mut db, &name)?;
    let same_view = old_views.len() == views.len()
        && old_views
            .iter()
            .zip(&views)
            .all(|(a, b)| a.iter().zip(b).all(|(x, y)| x.as_str() == y.as_str()));
    let same_row = existing.as_ref().is_some_and(|old| {
        row[7] = old[7].clone();
        old.iter().zip(&row).all(|(x, y)| x.as_str() == y.as_str())
    });
    if same_row && same_view {
        cx.info(format!("Client {name} not changed."));
        return Ok(());
    }
    row[7] = Value::Int(now);
    // p4d creates the user record of a user it has not seen before.
    if auth::user_row(&mut db, &cx.user)?.is_none() {
        db.put("db.user", auth::new_user_row(&cx.user, &cx.req.host, now))?;
    }
    db.put("db.domain", row)?;
    if !same_view {
        for r in &old_views {
            db.delete("db.view", &r[..2])?;
        }
        for r in views {
            db.put("db.view", r)?;
        }
    }
    cx.commit(&mut db)?;
    cx.info(format!("Client {name} saved."));
    Ok(())
}

fn delete(cx: &mut Cx<'_>, name: &str, force: bool) -> CmdResult {
    let mut db = cx.db();
    if force && !is_admin(cx, &mut db)? {
        return Err(CmdError::no_permission());
    }
    let Some(row) = load(&mut db, name)? else {
        return Err(CmdError::failed(format!("Client '{name}' doesn't exist.")));
    };
    let owner = row[6].as_str().into_owned();
    if row[9].as_int() & 0x08 != 0 && owner != cx.user && !force {
        return Err(CmdError::failed(format!(
            "Client '{name}' is locked and can't be deleted."
        )));
    }
    let opened = db.rows("db.working")?.iter().any(|r| r[2].as_str() == name);
    if opened && !force {
        return Err(CmdError::failed(format!(
            "Client '{name}' has files opened. To delete the client, revert any opened files and delete any pending changes first. An administrator may specify -f to force the delete of another user's client."
        )));
    }
    db.delete("db.domain", &[Value::text(name)])?;
    for r in view_rows(&mut db, name)? {
        db.delete("db.view", &r[..2])?;
    }
    let have_prefix = format!("//{name}/");
    for r in db
        .rows("db.have")?
        .into_iter()
        .filter(|r| r[0].as_str().starts_with(&have_prefix))
    {
        db.delete("db.have", &r[..1])?;
    }
    cx.commit(&mut db)?;
    cx.info(format!("Client {name} deleted."));
    Ok(())
}

/// `p4 clients`.
async fn clients(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "ueEmsS", "tUa", &[], USAGE_CLIENTS)?;
    if !opts.args.is_empty() {
        return Err(CmdError::usage(USAGE_CLIENTS));
    }
    let max = match opts.value('m') {
        Some(m) => Some(
            m.parse::<usize>()
                .map_err(|_| CmdError::usage(USAGE_CLIENTS))?,
        ),
        None => None,
    };
    let filter = opts
        .value('e')
        .map(|f| (f.to_string(), true))
        .or(opts.value('E').map(|f| (f.to_lowercase(), false)));
    let mut db = cx.db();
    let rows: Vec<Row> = db
        .rows("db.domain")?
        .into_iter()
        .filter(|r| r[1].as_int() == DOMAIN_CLIENT)
        .filter(|r| opts.value('u').is_none_or(|u| r[6].as_str() == u))
        .filter(|r| match &filter {
            Some((f, true)) => auth::wildcard(f, r[0].as_str().as_ref()),
            Some((f, false)) => auth::wildcard(f, &r[0].as_str().to_lowercase()),
            None => true,
        })
        .take(max.unwrap_or(usize::MAX))
        .collect();
    for r in rows {
        let get = |c: usize| r[c].as_str().into_owned();
        if cx.is_tagged() {
            let bits = r[9].as_int();
            cx.tagged(vec![
                ("client".to_string(), get(0)),
                ("Update".to_string(), get(7)),
                ("Access".to_string(), get(8)),
                ("Owner".to_string(), get(6)),
                ("Options".to_string(), options_text(cx, bits)),
                (
                    "SubmitOptions".to_string(),
                    SUBMIT_OPTIONS
                        .get(((bits >> 8) & 0xF) as usize)
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                ),
                (
                    "LineEnd".to_string(),
                    LINE_ENDS
                        .get(((bits >> 12) & 0xF) as usize)
                        .copied()
                        .unwrap_or_default()
                        .to_string(),
                ),
                ("Root".to_string(), get(3)),
                ("Host".to_string(), get(2)),
                ("Description".to_string(), get(10)),
            ]);
            continue;
        }
        let when = if opts.has('t') {
            forms::datetime(cx, r[7].as_int())
        } else {
            forms::date(cx, r[7].as_int())
        };
        cx.info(format!(
            "Client {} {when} root {} '{}'",
            get(0),
            get(3),
            forms::one_line(&get(10))
        ));
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("client", Access::Level(Perm::List), OnReplica::Read),
    cmd("workspace", Access::Level(Perm::List), OnReplica::Read),
    cmd("clients", Access::Level(Perm::List), OnReplica::Read),
    cmd("workspaces", Access::Level(Perm::List), OnReplica::Read),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "client" | "workspace" => Some(client(cx).await),
        "clients" | "workspaces" => Some(clients(cx).await),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_round_trip_through_bits() {
        assert_eq!(
            options_bits("allwrite noclobber compress unlocked nomodtime rmdir"),
            0x01 | 0x04 | 0x20
        );
        assert_eq!(choice(SUBMIT_OPTIONS, "leaveunchanged"), 4);
    }
}
