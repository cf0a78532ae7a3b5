//! `p4 counter` and `p4 counters`.

use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::{self, Perm};
use crate::db::Value;

const COUNTER_USAGE: &str = "counter [ -d | -f | -i | -m | -v ] counter [ value ]";

/// Counters p4d maintains itself; changing them needs `-f`.
const PROTECTED: &[&str] = &[
    "change",
    "job",
    "journal",
    "upgrade",
    "maxCommitChange",
    "lastCheckpointAction",
    "traits",
    "logger",
];

/// `p4 counter [-d] [-f] [-i] [-v] name [value]`.
pub async fn counter(cx: &mut Cx<'_>) -> CmdResult {
    let mut delete = false;
    let mut force = false;
    let mut increment = false;
    let mut verbose = false;
    let mut rest = Vec::new();
    for a in &cx.args {
        match a.as_str() {
            "-d" => delete = true,
            "-f" => force = true,
            "-i" => increment = true,
            "-v" => verbose = true,
            f if f.starts_with('-') && f.len() > 1 && rest.is_empty() => {
                return Err(CmdError::bad_flag(COUNTER_USAGE, f));
            }
            _ => rest.push(a.clone()),
        }
    }
    let mut db = cx.db();
    let name = match rest.first() {
        Some(n) => n.clone(),
        None => return Err(CmdError::usage(COUNTER_USAGE)),
    };
    let current = db
        .get("db.counters", &[Value::text(&name)])?
        .map(|r| r[1].as_str().into_owned());
    if rest.len() == 1 && !delete && !increment {
        cx.info(current.unwrap_or_else(|| "0".to_string()));
        return Ok(());
    }
    if rest.len() > 2 {
        return Err(CmdError::usage(COUNTER_USAGE));
    }
    // Reading works on a replica; changing a counter is a write.
    if let Some(result) = super::forms::write_on_replica(cx).await {
        return result;
    }
    let needed = if PROTECTED.contains(&name.as_str()) {
        Perm::Super
    } else {
        Perm::Write
    };
    if PROTECTED.contains(&name.as_str()) && !force {
        return Err(CmdError::failed(format!(
            "Counter '{name}' is protected; use -f to change it."
        )));
    }
    if auth::max_perm(&mut db, &cx.user)?.is_none_or(|p| p < needed) {
        return Err(CmdError::no_permission());
    }
    if delete {
        if current.is_none() {
            return Err(CmdError::failed(format!("No such counter '{name}'.")));
        }
        db.delete("db.counters", &[Value::text(&name)])?;
        cx.commit(&mut db)?;
        cx.info(format!("Counter {name} deleted."));
        return Ok(());
    }
    let value = if increment {
        let n = current
            .as_deref()
            .and_then(|c| c.trim().parse::<i64>().ok())
            .unwrap_or(0)
            + 1;
        n.to_string()
    } else {
        rest[1].clone()
    };
    db.put("db.counters", vec![Value::text(&name), Value::text(&value)])?;
    cx.commit(&mut db)?;
    if increment {
        cx.info(value);
    } else if verbose {
        cx.info(format!(
            "Counter {name} set; previous value was {}.",
            current.unwrap_or_else(|| "0".to_string())
        ));
    } else {
        cx.info(format!("Counter {name} set."));
    }
    Ok(())
}

/// `p4 counters`.
pub async fn counters(cx: &mut Cx<'_>) -> CmdResult {
    let mut db = cx.db();
    for row in db.rows("db.counters")? {
        let (name, value) = (row[0].as_str().into_owned(), row[1].as_str().into_owned());
        if cx.is_tagged() {
            cx.tagged(vec![("counter".into(), name), ("value".into(), value)]);
        } else {
            cx.info(format!("{name} = {value}"));
        }
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("counter", Access::Level(Perm::List), OnReplica::Read),
    cmd("counters", Access::Level(Perm::List), OnReplica::Read),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "counter" => Some(counter(cx).await),
        "counters" => Some(counters(cx).await),
        _ => None,
    }
}
