//! Depots: `depot`, `depots`.
//!
//! A depot is a `db.depot` row (type, address or suffix, map) and a
//! `db.domain` row of type `d` (100) with its owner, dates and
//! description.

use super::forms;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::{self, Perm};
use crate::db::{Db, Row, Value};
use crate::spec::{self, Form, SpecKind};

const USAGE: &str = "depot [ -i -o -t type ] [ -d [ -f ] ] depotname";
const USAGE_O: &str = "depot -o depotname";
const USAGE_D: &str = "depot -d depotname";
const USAGE_I: &str = "depot -i";
const USAGE_DEPOTS: &str = "depots";

/// `db.domain.type` of a depot (`d`).
pub(crate) const DOMAIN_DEPOT: i64 = 100;

/// `db.depot.type` by depot type word.
const TYPES: &[(&str, i64)] = &[
    ("local", 0),
    ("remote", 1),
    ("spec", 2),
    ("stream", 3),
    ("archive", 4),
    ("unload", 5),
    ("tangent", 6),
    ("graph", 7),
    ("extension", 8),
    ("trait", 9),
];

fn type_word(code: i64) -> &'static str {
    TYPES
        .iter()
        .find(|(_, c)| *c == code)
        .map_or("local", |(w, _)| w)
}

/// A depot's rows: `db.depot` and its `db.domain` entry (absent for the
/// default depot of a database created before depots had one).
fn load(db: &mut Db, name: &str) -> Result<Option<(Row, Option<Row>)>, CmdError> {
    let Some(depot) = db.get("db.depot", &[Value::text(name)])? else {
        return Ok(None);
    };
    let domain = db
        .get("db.domain", &[Value::text(name)])?
        .filter(|r| r[1].as_int() == DOMAIN_DEPOT);
    Ok(Some((depot, domain)))
}

/// The depot form. Address, Suffix and StreamDepth are shown for every
/// depot type, with their defaults where they do not apply (as real forms
/// show `Address: local`, `Suffix: .p4s`).
fn depot_form(cx: &Cx<'_>, name: &str, depot: &Row, domain: Option<&Row>) -> Form {
    let ty = depot[1].as_int();
    let extra = depot[2].as_str().into_owned();
    let mut form = Form::new();
    form.set("Depot", name);
    if let Some(d) = domain {
        form.set("Owner", d[6].as_str());
        form.set("Date", forms::datetime(cx, d[7].as_int()));
        form.set_text("Description", d[10].as_str());
    } else if name == "depot" {
        form.set_text("Description", "Default depot");
    }
    form.set("Type", type_word(ty));
    form.set(
        "Address",
        if ty == 1 && !extra.is_empty() {
            extra.clone()
        } else {
            "local".to_string()
        },
    );
    form.set(
        "Suffix",
        if ty == 2 && !extra.is_empty() {
            extra.clone()
        } else {
            ".p4s".to_string()
        },
    );
    form.set(
        "StreamDepth",
        if ty == 3 && !extra.is_empty() {
            extra
        } else {
            format!("//{name}/1")
        },
    );
    form.set("Map", depot[3].as_str());
    form
}

fn new_depot_form(cx: &Cx<'_>, name: &str, ty: &str) -> Form {
    let mut form = Form::new();
    form.set("Depot", name);
    form.set("Owner", &cx.user);
    form.set("Date", forms::datetime(cx, cx.now()));
    form.set_text("Description", format!("Created by {}.", cx.user));
    form.set("Type", ty);
    form.set("Address", "local");
    form.set("Suffix", ".p4s");
    form.set("StreamDepth", format!("//{name}/1"));
    form.set("Map", format!("{name}/..."));
    form
}

fn require_super(cx: &Cx<'_>, db: &mut Db) -> CmdResult {
    if auth::max_perm_from(db, &cx.user, &cx.peer.ip().to_string())?
        .is_some_and(|p| p >= Perm::Super)
    {
        Ok(())
    } else {
        Err(CmdError::no_permission())
    }
}

/// `p4 depot ...`.
async fn depot(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "t", "iodf", &[], USAGE)?;
    let def = spec::definition(SpecKind::Depot, cx.srv.version());
    if let Some(t) = opts.value('t')
        && !TYPES.iter().any(|(w, _)| *w == t)
    {
        return Err(CmdError::usage(USAGE));
    }
    if opts.has('o') {
        let [name] = opts.args.as_slice() else {
            return Err(CmdError::usage(USAGE_O));
        };
        let mut db = cx.db();
        let form = match load(&mut db, name)? {
            Some((depot, domain)) => depot_form(cx, name, &depot, domain.as_ref()),
            None => new_depot_form(cx, name, opts.value('t').unwrap_or("local")),
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
        let mut db = cx.db();
        require_super(cx, &mut db)?;
        if load(&mut db, name)?.is_none() {
            return Err(CmdError::failed(format!("Depot '{name}' doesn't exist.")));
        }
        let prefix = format!("//{name}/");
        if db
            .rows("db.rev")?
            .iter()
            .any(|r| r[0].as_str().starts_with(&prefix))
        {
            return Err(CmdError::failed(format!(
                "Depot {name} isn't empty. To delete a depot, all file revisions must be removed and all lazy copy references from other depots must be severed. Use 'p4 obliterate' or 'p4 snap' to break file linkages from other depots, then clear this depot with 'p4 obliterate', then retry the deletion."
            )));
        }
        db.delete("db.depot", &[Value::text(name)])?;
        if db
            .get("db.domain", &[Value::text(name)])?
            .is_some_and(|r| r[1].as_int() == DOMAIN_DEPOT)
        {
            db.delete("db.domain", &[Value::text(name)])?;
        }
        cx.commit(&mut db)?;
        cx.info(format!("Depot {name} deleted."));
        return Ok(());
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
        return save(cx, &form);
    }
    match opts.args.as_slice() {
        [name] => Err(forms::no_editor("depot", Some(name))),
        _ => Err(CmdError::usage(USAGE)),
    }
}

fn save(cx: &mut Cx<'_>, form: &Form) -> CmdResult {
    let name = form.get("Depot").unwrap_or_default().to_string();
    let ty_word = form.get("Type").unwrap_or("local").to_string();
    let Some(&(_, ty)) = TYPES.iter().find(|(w, _)| w.eq_ignore_ascii_case(&ty_word)) else {
        return Err(CmdError::failed(format!("Depot type '{ty_word}' unknown.")));
    };
    let mut db = cx.db();
    require_super(cx, &mut db)?;
    let extra = match ty {
        1 => form.get("Address").unwrap_or_default().to_string(),
        2 => form.get("Suffix").unwrap_or(".p4s").to_string(),
        3 => form.get("StreamDepth").unwrap_or_default().to_string(),
        _ => String::new(),
    };
    let existing = load(&mut db, &name)?;
    let now = cx.now();
    db.put(
        "db.depot",
        vec![
            Value::text(&name),
            Value::Int(ty),
            Value::text(&extra),
            Value::text(form.get("Map").unwrap_or_default()),
        ],
    )?;
    let owner = form.get("Owner").unwrap_or_default().to_string();
    let description = form.get("Description").unwrap_or_default().to_string();
    let domain = existing.as_ref().and_then(|(_, d)| d.clone());
    let unchanged_domain = domain
        .as_ref()
        .is_some_and(|d| d[6].as_str() == owner.as_str() && d[10].as_str() == description.as_str());
    if !unchanged_domain {
        let (update, access) = (now, domain.as_ref().map_or(now, |d| d[8].as_int()));
        db.put(
            "db.domain",
            vec![
                Value::text(&name),
                Value::Int(DOMAIN_DEPOT),
                Value::text(""),
                Value::text(""),
                Value::text(""),
                Value::text(""),
                Value::text(&owner),
                Value::Int(update),
                Value::Int(access),
                Value::Int(0),
                Value::text(&description),
            ],
        )?;
    }
    let changed = !db.pending().is_empty();
    cx.commit(&mut db)?;
    cx.info(if changed {
        format!("Depot {name} saved.")
    } else {
        format!("Depot {name} not changed.")
    });
    Ok(())
}

/// `p4 depots`.
async fn depots(cx: &mut Cx<'_>) -> CmdResult {
    if !cx.args.is_empty() {
        return Err(CmdError::failed(format!(
            "Usage: {USAGE_DEPOTS}\nUnexpected arguments."
        )));
    }
    let mut db = cx.db();
    let names: Vec<String> = db
        .rows("db.depot")?
        .iter()
        .map(|r| r[0].as_str().into_owned())
        .collect();
    for name in names {
        let Some((depot, domain)) = load(&mut db, &name)? else {
            continue;
        };
        let ty = depot[1].as_int();
        let extra = depot[2].as_str().into_owned();
        let map = depot[3].as_str().into_owned();
        let time = domain.as_ref().map_or(0, |d| d[7].as_int());
        let description = match &domain {
            Some(d) => d[10].as_str().into_owned(),
            None if name == "depot" => "Default depot\n".to_string(),
            None => String::new(),
        };
        if cx.is_tagged() {
            let mut rec = vec![
                ("name".to_string(), name.clone()),
                ("time".to_string(), time.to_string()),
                ("type".to_string(), type_word(ty).to_string()),
            ];
            if !extra.is_empty() {
                rec.push(("extra".to_string(), extra.clone()));
            }
            rec.push(("map".to_string(), map.clone()));
            rec.push(("desc".to_string(), description.clone()));
            cx.tagged(rec);
            continue;
        }
        let date = forms::date(cx, time);
        let desc = forms::one_line(&description);
        if matches!(ty, 1 | 2) {
            cx.info(format!(
                "Depot {name} {date} {} {extra} {map} '{desc}'",
                type_word(ty)
            ));
        } else {
            cx.info(format!(
                "Depot {name} {date} {} {map} '{desc}'",
                type_word(ty)
            ));
        }
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("depot", Access::Level(Perm::List), OnReplica::Read),
    cmd("depots", Access::Level(Perm::List), OnReplica::Read),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "depot" => Some(depot(cx).await),
        "depots" => Some(depots(cx).await),
        _ => None,
    }
}
