//! `p4d "-cset [server#]name=value"`, `p4d "-cunset [server#]name"` and
//! `p4d -cshow`: configurables edited in db.config directly, server running
//! or not (reference 2.3; seed 000 section 9).
//!
//! The messages are those of `p4 configure` (the catalogue's
//! ConfigureSet/ConfigureUnSet; `-cshow` prints `server: name = value`
//! per row, seed 000). The changes are not journaled: they are the local
//! root's settings, and a replica's journal must stay its upstream's.

use std::rc::Rc;

use crate::db::Value;
use crate::host::Host;
use crate::p4d::P4dArgs;
use crate::p4d_offline::{Report, create_new_database, open_site};
use crate::server::ServerConfig;

/// Runs the `-c` command `cmd` (`set X=Y`, `unset X`, `show`).
pub(crate) fn run(
    host: &Rc<Host>,
    args: &P4dArgs,
    cfg: &ServerConfig,
    cmd: &str,
    report: &mut Report,
) {
    let (verb, rest) = match cmd.split_once(char::is_whitespace) {
        Some((v, r)) => (v, r.trim()),
        None => (cmd, ""),
    };
    if !matches!(verb, "set" | "unset" | "show") {
        return report.error(vec![
            "Usage: p4d -h for usage.".to_string(),
            format!("Invalid option: -c{cmd}."),
        ]);
    }
    let site = match open_site(host, args, cfg) {
        Ok(s) => s,
        Err(lines) => return report.error(lines),
    };
    create_new_database(&site, report);
    let mut db = site.db();
    let scope = |lhs: &str| match lhs.split_once('#') {
        Some((s, v)) => (s.to_string(), v.to_string()),
        None => ("any".to_string(), lhs.to_string()),
    };
    let result = match verb {
        "show" => db.rows("db.config").map(|rows| {
            for r in rows
                .iter()
                .filter(|r| rest.is_empty() || r[0].as_str() == rest || r[1].as_str() == rest)
            {
                report.line(&format!("{}: {} = {}", r[0], r[1], r[2]));
            }
        }),
        "set" => {
            let Some((lhs, value)) = rest.split_once('=') else {
                return report.error(vec![format!(
                    "Usage: p4d \"-cset [server#]variable=value\""
                )]);
            };
            let (server, var) = scope(lhs.trim());
            if var.is_empty() {
                return report.error(vec![format!(
                    "Usage: p4d \"-cset [server#]variable=value\""
                )]);
            }
            db.put(
                "db.config",
                vec![Value::text(&server), Value::text(&var), Value::text(value)],
            )
            .map(|_| {
                report.line(&format!(
                    "For server '{server}', configuration variable '{var}' set to '{value}'"
                ));
            })
        }
        _ => {
            let (server, var) = scope(rest);
            if var.is_empty() {
                return report.error(vec![format!("Usage: p4d \"-cunset [server#]variable\"")]);
            }
            match db.delete("db.config", &[Value::text(&server), Value::text(&var)]) {
                Ok(true) => {
                    report.line(&format!(
                        "For server '{server}', configuration variable '{var}' removed."
                    ));
                    Ok(())
                }
                Ok(false) => {
                    return report.error(vec![format!(
                        "Configuration variable '{var}' did not have a value."
                    )]);
                }
                Err(e) => Err(e),
            }
        }
    };
    // Offline edits are not journaled (see the module comment).
    db.take_records();
    if let Err(e) = result
        .and_then(|_| db.flush())
        .and_then(|_| db.create_missing())
    {
        report.error(e.to_string().lines().map(str::to_string).collect());
    }
}
