//! `p4 configure`: server configurables in `db.config`.
//!
//! `set`/`unset` write `db.config` rows (`any` for every server,
//! `name#var` for one); `show` has four forms: no argument (this server's
//! effective settings with their source), `allservers` (every row), a
//! server name (that server's rows) and a variable (its effective value
//! here). `show` runs on replicas; `set` and `unset` change replicated
//! metadata, so a replica forwards or refuses them.

use std::collections::BTreeMap;

use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::db::Value;
use crate::server::JournalSetting;
use crate::version::ServerVersion;

// `--comment` and `history` are not in the 2020.1 catalogue's usage; they
// are taken to arrive with 2021.1.
fn usage(v: ServerVersion) -> &'static str {
    if v.at_least(2021, 1) {
        "configure { show [ allservers | <P4NAME> | <variable> ] | set [--comment=<comment>] [<P4NAME>#]variable=value | unset [--comment=<comment>] [<P4NAME>#]variable | history [ allservers | <P4NAME> | <variable> | --comment=<comment> [--iteration=N] <variable> ] | help }"
    } else {
        "configure { show [ allservers | <P4NAME> | <variable> ] | set [<P4NAME>#]variable=value | unset [<P4NAME>#]variable }"
    }
}

/// Defaults `configure show <variable>` reports for unset configurables
/// (p4 help configurables).
const DEFAULTS: &[(&str, &str)] = &[
    ("dm.rotatelogwithjnl", "1"),
    ("monitor", "0"),
    ("rpl.checksum.auto", "0"),
    ("rpl.forward.all", "0"),
    ("rpl.forward.login", "0"),
    ("rpl.jnl.batch.size", "100M"),
    ("rpl.journalcopy.location", "0"),
    ("rpl.replay.userrp", "0"),
    ("rpl.track.behind", "0"),
    ("security", "0"),
    ("server.rolechecks", "0"),
];

/// Configurables that may only be set for a named server.
const SERVER_ONLY: &[&str] = &["P4NAME"];

/// `p4 configure ...`.
pub async fn run(cx: &mut Cx<'_>) -> CmdResult {
    let usage = usage(cx.srv.version());
    let new_syntax = cx.srv.version().at_least(2021, 1);
    let args = cx.args.clone();
    let Some(verb) = args.first() else {
        return Err(CmdError::usage(usage));
    };
    let mut comment = None;
    let mut rest = Vec::new();
    for a in &args[1..] {
        match a.strip_prefix("--comment=") {
            Some(c) if new_syntax => comment = Some(c.to_string()),
            _ if a.starts_with('-') => {
                return Err(CmdError::failed(format!(
                    "Usage: {usage}\nInvalid option: {a}."
                )));
            }
            _ => rest.push(a.as_str()),
        }
    }
    match verb.as_str() {
        "show" => match rest.as_slice() {
            [] => show_effective(cx),
            [what] => show(cx, what),
            _ => Err(CmdError::usage(usage)),
        },
        "set" | "unset" if cx.srv.services().is_replica() => {
            match super::forms::write_on_replica(cx).await {
                Some(r) => r,
                None => Err(CmdError::usage(usage)),
            }
        }
        "set" => {
            let [assign] = rest.as_slice() else {
                return Err(CmdError::usage(usage));
            };
            let Some((lhs, value)) = assign.split_once('=') else {
                return Err(CmdError::usage(usage));
            };
            let (server, var) = scope(lhs);
            set(cx, &server, &var, value, comment.as_deref())
        }
        "unset" => {
            let [lhs] = rest.as_slice() else {
                return Err(CmdError::usage(usage));
            };
            let (server, var) = scope(lhs);
            unset(cx, &server, &var, comment.as_deref())
        }
        "history" if new_syntax => Err(CmdError::failed(
            "'p4 configure history' is not available in the simulator.",
        )),
        "help" if new_syntax => Err(CmdError::failed(
            "'p4 configure help' is not available in the simulator.",
        )),
        _ => Err(CmdError::usage(usage)),
    }
}

/// Splits `server#var` (no `#` means every server: `any`).
fn scope(lhs: &str) -> (String, String) {
    match lhs.split_once('#') {
        Some((s, v)) => (s.to_string(), v.to_string()),
        None => ("any".to_string(), lhs.to_string()),
    }
}

fn with_comment(comment: Option<&str>) -> String {
    comment
        .map(|c| format!(" with comment '{c}'"))
        .unwrap_or_default()
}

fn set(cx: &mut Cx<'_>, server: &str, var: &str, value: &str, comment: Option<&str>) -> CmdResult {
    if var.is_empty() || server.is_empty() {
        return Err(CmdError::usage(usage(cx.srv.version())));
    }
    if server == "any" && SERVER_ONLY.contains(&var) {
        return Err(CmdError::failed(format!(
            "Configuration variable '{var}' may not be set for all servers."
        )));
    }
    let mut db = cx.db();
    db.put(
        "db.config",
        vec![Value::text(server), Value::text(var), Value::text(value)],
    )?;
    cx.commit(&mut db)?;
    cx.info(format!(
        "For server '{server}', configuration variable '{var}' set to '{value}'{}",
        with_comment(comment)
    ));
    Ok(())
}

fn unset(cx: &mut Cx<'_>, server: &str, var: &str, comment: Option<&str>) -> CmdResult {
    let mut db = cx.db();
    if !db.delete("db.config", &[Value::text(server), Value::text(var)])? {
        return Err(CmdError::failed(format!(
            "Configuration variable '{var}' did not have a value."
        )));
    }
    cx.commit(&mut db)?;
    cx.info(format!(
        "For server '{server}', configuration variable '{var}' removed{}.",
        with_comment(comment)
    ));
    Ok(())
}

/// This server's effective settings, `name=value (source)`: its start-up
/// settings (command line or environment), then `db.config` (its own rows
/// over `any`), sorted by name. The layout is inferred from memory of real
/// servers; no public transcript was found.
fn effective(cx: &Cx<'_>) -> Result<BTreeMap<String, (String, String)>, CmdError> {
    let cfg = cx.srv.config();
    let source = |env: &str, flag: &str, value: &str| {
        if cfg.env.get(env).is_some_and(|v| v == value) {
            env.to_string()
        } else {
            flag.to_string()
        }
    };
    let mut out = BTreeMap::new();
    out.insert(
        "P4ROOT".to_string(),
        (
            cfg.root_name.clone(),
            source("P4ROOT", "-r", &cfg.root_name),
        ),
    );
    out.insert(
        "P4PORT".to_string(),
        (cfg.port.clone(), source("P4PORT", "-p", &cfg.port)),
    );
    if let JournalSetting::Path(p) = &cfg.journal {
        out.insert(
            "P4JOURNAL".to_string(),
            (p.clone(), source("P4JOURNAL", "-J", p)),
        );
    }
    if let Some(log) = &cfg.log {
        out.insert(
            "P4LOG".to_string(),
            (log.clone(), source("P4LOG", "-L", log)),
        );
    }
    if let Some(name) = &cfg.name {
        out.insert(
            "P4NAME".to_string(),
            (name.clone(), source("P4NAME", "-In", name)),
        );
    }
    let me = cx.srv.config_name();
    let mut db = cx.db();
    for r in db.rows("db.config")? {
        let server = r[0].as_str();
        let own = me.as_deref() == Some(server.as_ref());
        if server != "any" && !own {
            continue;
        }
        let var = r[1].as_str().into_owned();
        // The process's own settings win over db.config; a server's own
        // row wins over `any`.
        match out.get(&var) {
            Some((_, src)) if src != "configure" => continue,
            Some(_) if !own => continue,
            _ => {}
        }
        out.insert(var, (r[2].as_str().into_owned(), "configure".to_string()));
    }
    Ok(out)
}

fn show_effective(cx: &mut Cx<'_>) -> CmdResult {
    for (var, (value, source)) in effective(cx)? {
        cx.info(format!("{var}={value} ({source})"));
    }
    Ok(())
}

fn show(cx: &mut Cx<'_>, what: &str) -> CmdResult {
    let mut db = cx.db();
    let rows = db.rows("db.config")?;
    if what == "allservers" {
        if rows.is_empty() {
            cx.info("No configurables have been set.");
        }
        for r in &rows {
            cx.info(format!("{}: {} = {}", r[0], r[1], r[2]));
        }
        return Ok(());
    }
    let is_server = rows.iter().any(|r| r[0].as_str() == what)
        || db.get("db.server", &[Value::text(what)])?.is_some()
        || cx.srv.config_name().as_deref() == Some(what);
    let is_variable = rows.iter().any(|r| r[1].as_str() == what);
    if is_server && !is_variable {
        let own: Vec<_> = rows.iter().filter(|r| r[0].as_str() == what).collect();
        if own.is_empty() {
            cx.info(format!(
                "No configurables have been set for server '{what}'."
            ));
        }
        // 2019.1 prints every row with its server's name; the short form
        // (ConfigDataS) is in the 2023.2 catalogue but not in 2020.1's.
        let short = cx.srv.version().at_least(2023, 2);
        for r in own {
            if short {
                cx.info(format!("{} = {}", r[1], r[2]));
            } else {
                cx.info(format!("{}: {} = {}", r[0], r[1], r[2]));
            }
        }
        return Ok(());
    }
    match effective(cx)?.remove(what) {
        Some((value, source)) => cx.info(format!("{what}={value} ({source})")),
        None => match DEFAULTS.iter().find(|(v, _)| *v == what) {
            Some((_, default)) => cx.info(format!("{what}={default} (default)")),
            None => {
                return Err(CmdError::failed(format!(
                    "Configuration variable '{what}' did not have a value."
                )));
            }
        },
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[cmd(
    "configure",
    Access::Level(crate::auth::Perm::Super),
    OnReplica::Read,
)];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "configure" => Some(run(cx).await),
        _ => None,
    }
}
