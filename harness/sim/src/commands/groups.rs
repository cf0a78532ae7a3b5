//! Groups: `group`, `groups`.
//!
//! A group is a set of `db.group` rows, one per member, subgroup or owner
//! (`type` bits 0x1, 0x2, 0x4), each carrying the group's limits. Limits
//! are stored as numbers: 0 for `unset`, -1 for `unlimited`.

use super::forms;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::{
    self, GROUP_MEMBER, GROUP_OWNER, GROUP_SUBGROUP, LIMIT_UNLIMITED, LIMIT_UNSET, Perm, group_col,
};
use crate::db::{Db, Row, Value};
use crate::spec::{self, Form, SpecKind};

const USAGE_GROUP: &str = "group [ -a -A -F -d -i -o ] groupname";
const USAGE_GROUP_O: &str = "group -o groupname";
const USAGE_GROUP_D: &str = "group [ -a | -F ] -d groupname";
const USAGE_GROUP_I: &str = "group [ -a -A ] -i";
const USAGE_GROUPS: &str = "groups [ -m max ] [ [ [ -i [ -v ] ] user | group ] | [ -v [ group ] ]  | [ -g | -u | -o name ] ]";

/// The limit fields: form tag and `db.group` column.
fn limits(with_memory: bool) -> Vec<(&'static str, usize)> {
    let mut v = vec![
        ("MaxResults", group_col::MAX_RESULTS),
        ("MaxScanRows", group_col::MAX_SCAN_ROWS),
        ("MaxLockTime", group_col::MAX_LOCK_TIME),
        ("MaxOpenFiles", group_col::MAX_OPEN_FILES),
    ];
    if with_memory {
        v.push(("MaxMemory", group_col::MAX_MEMORY));
    }
    v.push(("Timeout", group_col::TIMEOUT));
    v.push(("PasswordTimeout", group_col::PASSWORD_TIMEOUT));
    v
}

fn limit_word(n: i64) -> String {
    match n {
        LIMIT_UNSET => "unset".to_string(),
        LIMIT_UNLIMITED => "unlimited".to_string(),
        n => n.to_string(),
    }
}

fn limit_value(field: &str, word: &str) -> Result<i64, CmdError> {
    match word.to_ascii_lowercase().as_str() {
        "" | "unset" => Ok(LIMIT_UNSET),
        "unlimited" => Ok(LIMIT_UNLIMITED),
        w => w.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            CmdError::failed(if field.ends_with("Timeout") {
                format!("Invalid Timeout value '{word}'.")
            } else {
                format!("Invalid maximum value '{word}'.")
            })
        }),
    }
}

fn group_rows(db: &mut Db, group: &str) -> Result<Vec<Row>, CmdError> {
    Ok(db
        .rows("db.group")?
        .into_iter()
        .filter(|r| r[group_col::GROUP].as_str() == group)
        .collect())
}

/// The form of a group: its rows, or a new group's defaults (Timeout 12
/// hours, other limits unset).
fn group_form(cx: &Cx<'_>, name: &str, rows: &[Row]) -> Form {
    let with_memory = cx.srv.version().at_least(2023, 2);
    let mut form = Form::new();
    form.set("Group", name);
    for (tag, c) in limits(with_memory) {
        let value = match rows.first() {
            Some(r) => r[c].as_int(),
            None if tag == "Timeout" => auth::DEFAULT_TICKET_TIMEOUT,
            None => LIMIT_UNSET,
        };
        form.set(tag, limit_word(value));
    }
    let names = |bit: i64| {
        rows.iter()
            .filter(|r| r[group_col::TYPE].as_int() & bit != 0)
            .map(|r| r[group_col::USER].as_str().into_owned())
            .collect::<Vec<_>>()
    };
    form.set_list("Subgroups", names(GROUP_SUBGROUP));
    form.set_list("Owners", names(GROUP_OWNER));
    form.set_list("Users", names(GROUP_MEMBER));
    form
}

/// `p4 group ...`.
async fn group(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "", "aAFdio", &[], USAGE_GROUP)?;
    let def = spec::definition(SpecKind::Group, cx.srv.version());
    if opts.has('o') {
        let [name] = opts.args.as_slice() else {
            return Err(CmdError::usage(USAGE_GROUP_O));
        };
        let mut db = cx.db();
        let rows = group_rows(&mut db, name)?;
        let form = group_form(cx, name, &rows);
        if cx.is_tagged() {
            cx.tagged(spec::tagged(&def, &form));
        } else {
            cx.info(spec::format(&def, &form));
        }
        return Ok(());
    }
    if opts.has('d') {
        let [name] = opts.args.as_slice() else {
            return Err(CmdError::usage(USAGE_GROUP_D));
        };
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        let mut db = cx.db();
        let rows = group_rows(&mut db, name)?;
        if rows.is_empty() {
            return Err(CmdError::failed(format!("Group '{name}' doesn't exist.")));
        }
        may_edit(cx, &mut db, name, &rows, opts.has('a'))?;
        for r in &rows {
            db.delete("db.group", &r[..2])?;
        }
        cx.commit(&mut db)?;
        cx.info(format!("Group {name} deleted."));
        return Ok(());
    }
    if opts.has('i') {
        if !opts.args.is_empty() {
            return Err(CmdError::usage(USAGE_GROUP_I));
        }
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        let form = spec::parse(&def, &forms::form_input(cx))
            .map_err(|e| CmdError::failed(e.render(def.domain)))?;
        return save(cx, &form, opts.has('a'));
    }
    match opts.args.as_slice() {
        [name] => Err(forms::no_editor("group", Some(name))),
        _ => Err(CmdError::usage(USAGE_GROUP)),
    }
}

/// Super users edit any group; with `-a`, a group's owners edit it too.
fn may_edit(cx: &Cx<'_>, db: &mut Db, name: &str, rows: &[Row], as_owner: bool) -> CmdResult {
    if auth::max_perm_from(db, &cx.user, &cx.peer.ip().to_string())?
        .is_some_and(|p| p >= Perm::Super)
    {
        return Ok(());
    }
    if !as_owner {
        return Err(CmdError::no_permission());
    }
    let owner = rows.iter().any(|r| {
        r[group_col::USER].as_str() == cx.user.as_str()
            && r[group_col::TYPE].as_int() & GROUP_OWNER != 0
    });
    if owner {
        Ok(())
    } else {
        Err(CmdError::failed(format!(
            "User '{}' is not an owner of group '{name}'.",
            cx.user
        )))
    }
}

fn save(cx: &mut Cx<'_>, form: &Form, as_owner: bool) -> CmdResult {
    let name = form.get("Group").unwrap_or_default().to_string();
    let with_memory = cx.srv.version().at_least(2023, 2);
    let mut db = cx.db();
    let old = group_rows(&mut db, &name)?;
    may_edit(cx, &mut db, &name, &old, as_owner && !old.is_empty())?;
    let mut values = [0i64; 10];
    for (tag, c) in limits(with_memory) {
        values[c] = limit_value(tag, form.get(tag).unwrap_or("unset"))?;
    }
    // Members by name: the type bits they hold in this group.
    let mut members: std::collections::BTreeMap<String, i64> = std::collections::BTreeMap::new();
    for (tag, bit) in [
        ("Users", GROUP_MEMBER),
        ("Subgroups", GROUP_SUBGROUP),
        ("Owners", GROUP_OWNER),
    ] {
        for entry in form.list(tag) {
            if let Some(member) = spec::words(entry).into_iter().next() {
                *members.entry(member).or_insert(0) |= bit;
            }
        }
    }
    if old.is_empty() && members.is_empty() {
        cx.info(format!("Group {name} not created."));
        return Ok(());
    }
    for r in &old {
        if !members.contains_key(r[group_col::USER].as_str().as_ref()) {
            db.delete("db.group", &r[..2])?;
        }
    }
    for (member, bits) in &members {
        let mut row: Row = vec![Value::text(member), Value::text(&name), Value::Int(*bits)];
        row.extend(values[3..].iter().map(|v| Value::Int(*v)));
        db.put("db.group", row)?;
    }
    let changed = !db.pending().is_empty();
    cx.commit(&mut db)?;
    cx.info(match (old.is_empty(), changed) {
        (true, _) => format!("Group {name} created."),
        (false, true) => format!("Group {name} updated."),
        (false, false) => format!("Group {name} not updated."),
    });
    Ok(())
}

/// `p4 groups`.
async fn groups(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "mgou", "iv", &[], USAGE_GROUPS)?;
    let max = match opts.value('m') {
        Some(m) => Some(
            m.parse::<usize>()
                .map_err(|_| CmdError::usage(USAGE_GROUPS))?,
        ),
        None => None,
    };
    if opts.args.len() > 1 {
        return Err(CmdError::usage(USAGE_GROUPS));
    }
    let mut db = cx.db();
    let rows = db.rows("db.group")?;
    // Which groups to list: all, those of a user or group (directly, or
    // with -i through subgroups), or those a -g/-u/-o name belongs to.
    let member = opts
        .value('g')
        .or(opts.value('u'))
        .or(opts.value('o'))
        .or(opts.args.first().map(String::as_str));
    let mut names: Vec<String> = match member {
        None => rows
            .iter()
            .map(|r| r[group_col::GROUP].as_str().into_owned())
            .collect(),
        Some(m) if opts.has('i') => {
            let mut g = auth::groups_of(&mut db, m)?;
            // A group's own parents, when the name is a group.
            for r in rows.iter().filter(|r| {
                r[group_col::USER].as_str() == m
                    && r[group_col::TYPE].as_int() & GROUP_SUBGROUP != 0
            }) {
                g.push(r[group_col::GROUP].as_str().into_owned());
            }
            g
        }
        Some(m) => {
            let bit = if opts.has('o') {
                GROUP_OWNER
            } else if opts.has('g') {
                GROUP_SUBGROUP
            } else if opts.has('u') {
                GROUP_MEMBER
            } else {
                GROUP_MEMBER | GROUP_SUBGROUP | GROUP_OWNER
            };
            rows.iter()
                .filter(|r| {
                    r[group_col::USER].as_str() == m && r[group_col::TYPE].as_int() & bit != 0
                })
                .map(|r| r[group_col::GROUP].as_str().into_owned())
                .collect()
        }
    };
    names.sort();
    names.dedup();
    names.truncate(max.unwrap_or(usize::MAX));
    let with_memory = cx.srv.version().at_least(2023, 2);
    for name in names {
        let group_rows: Vec<&Row> = rows
            .iter()
            .filter(|r| r[group_col::GROUP].as_str() == name.as_str())
            .collect();
        if cx.is_tagged() {
            for r in &group_rows {
                let t = r[group_col::TYPE].as_int();
                let mut rec = vec![
                    ("user".to_string(), r[group_col::USER].as_str().into_owned()),
                    ("group".to_string(), name.clone()),
                    (
                        "isSubGroup".to_string(),
                        i64::from(t & GROUP_SUBGROUP != 0).to_string(),
                    ),
                    (
                        "isOwner".to_string(),
                        i64::from(t & GROUP_OWNER != 0).to_string(),
                    ),
                    (
                        "isUser".to_string(),
                        i64::from(t & GROUP_MEMBER != 0).to_string(),
                    ),
                ];
                for (tag, c) in limits(with_memory) {
                    let key = match tag {
                        "PasswordTimeout" => "passTimeout".to_string(),
                        t => format!("{}{}", t[..1].to_ascii_lowercase(), &t[1..]),
                    };
                    rec.push((key, limit_word(r[c].as_int())));
                }
                cx.tagged(rec);
            }
        } else if opts.has('v') {
            let r = group_rows.first().map(|r| (*r).clone()).unwrap_or_default();
            let word = |c: usize| {
                r.get(c)
                    .map_or_else(|| "unset".to_string(), |v| limit_word(v.as_int()))
            };
            cx.info(format!(
                "{name} {} {} {} {}",
                word(group_col::MAX_RESULTS),
                word(group_col::MAX_SCAN_ROWS),
                word(group_col::MAX_LOCK_TIME),
                word(group_col::TIMEOUT)
            ));
        } else {
            cx.info(name);
        }
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("group", Access::Level(Perm::List), OnReplica::Read),
    cmd("groups", Access::Level(Perm::List), OnReplica::Read),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "group" => Some(group(cx).await),
        "groups" => Some(groups(cx).await),
        _ => None,
    }
}
