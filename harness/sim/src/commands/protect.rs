//! The protections table: `protect -o` and `protect -i`.
//!
//! Each `Protections:` line is a `db.protect` row numbered in table order.
//! Saving a changed table replaces every row (the old rows are deleted and
//! the new ones written); a table that would leave the saving user without
//! `super` is refused, as p4d refuses it.

use super::forms;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::{self, Perm, Protection};
use crate::spec::{self, Form, SpecKind};

const USAGE: &str = "protect [ -i | -o ]";

/// The form of the current table. An empty table (a new server) is shown
/// as p4d shows it: everyone may write, the caller is the super user.
fn table_form(cx: &Cx<'_>) -> Result<Form, CmdError> {
    let mut db = cx.db();
    let rows = db.rows("db.protect")?;
    let mut form = Form::new();
    if rows.is_empty() {
        form.set_list(
            "Protections",
            [
                "write user * * //...".to_string(),
                format!("super user {} * //...", cx.user),
            ],
        );
        return Ok(form);
    }
    if let Some(update) = rows.iter().map(|r| r[8].as_int()).max().filter(|u| *u > 0) {
        form.set("Update", forms::datetime(cx, update));
    }
    let lines: Vec<String> = rows
        .iter()
        .filter_map(Protection::from_row)
        .map(|p| p.line())
        .collect();
    form.set_list("Protections", lines);
    Ok(form)
}

/// `p4 protect [-i | -o]`.
async fn protect(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "", "io", &[], USAGE)?;
    if !opts.args.is_empty() || (opts.has('i') && opts.has('o')) {
        return Err(CmdError::usage(USAGE));
    }
    let version = cx.srv.version();
    let def = spec::definition(SpecKind::Protect, version);
    if opts.has('o') {
        let form = table_form(cx)?;
        if cx.is_tagged() {
            cx.tagged(spec::tagged(&def, &form));
        } else {
            cx.info(spec::format(&def, &form));
        }
        return Ok(());
    }
    if !opts.has('i') {
        return Err(forms::no_editor("protect", None));
    }
    if let Some(r) = forms::write_on_replica(cx).await {
        return r;
    }
    let form = spec::parse(&def, &forms::form_input(cx))
        .map_err(|e| CmdError::failed(e.render(def.domain)))?;
    let mut table = Vec::new();
    for line in form.list("Protections") {
        let p = Protection::parse(line, version)
            .map_err(|e| CmdError::failed(format!("{}\n{e}", spec_error_head(def.domain))))?;
        table.push(p);
    }
    let mut db = cx.db();
    let old: Vec<Protection> = auth::protections(&mut db)?;
    if old == table && !old.is_empty() {
        cx.info("Protections not changed.");
        return Ok(());
    }
    // The saving user must keep super access under the new table.
    let groups = auth::groups_of(&mut db, &cx.user)?;
    let keeps_super = !table.is_empty()
        && auth::max_perm_in(&table, &cx.user, &groups, Some(&cx.peer.ip().to_string()))
            .is_some_and(|p| p >= Perm::Super);
    if !keeps_super {
        return Err(CmdError::failed(
            "Can't delete last valid 'super' entry from protections table.",
        ));
    }
    let now = cx.now();
    for r in db.rows("db.protect")? {
        db.delete("db.protect", &r[..1])?;
    }
    for (i, p) in table.iter().enumerate() {
        db.put("db.protect", p.row(i as i64 + 1, now))?;
    }
    cx.commit(&mut db)?;
    cx.info("Protections saved.");
    Ok(())
}

fn spec_error_head(domain: &str) -> String {
    format!("Error in {domain} specification.")
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] =
    &[cmd("protect", Access::Level(Perm::Super), OnReplica::Read)];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "protect" => Some(protect(cx).await),
        _ => None,
    }
}
