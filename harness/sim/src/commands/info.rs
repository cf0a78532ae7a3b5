//! `p4 info`.
//!
//! Lines and their order follow p4d's (MsgServer Info* messages, in the
//! order of real transcripts); `-s` leaves out the line that needs a
//! database lookup (`Client root:` / `Client unknown.`).

use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::db::Value;

const USAGE: &str = "info [-s]";

/// `p4 info [-s]`.
pub async fn run(cx: &mut Cx<'_>) -> CmdResult {
    let mut short = false;
    for a in &cx.args {
        match a.as_str() {
            "-s" => short = true,
            f if f.starts_with('-') => {
                return Err(CmdError::failed(format!(
                    "Usage: {USAGE}\nInvalid option: {f}."
                )));
            }
            _ => {
                return Err(CmdError::failed(format!(
                    "Usage: {USAGE}\nUnexpected arguments."
                )));
            }
        }
    }
    let srv = cx.srv;
    let zone = srv.zone();
    let now = cx.now();
    let mut db = cx.db();
    let client = cx.req.client.clone();
    let client_root = match db.get("db.domain", &[Value::text(&client)])? {
        Some(row) if row[1].as_int() == 99 => Some(row[3].as_str().into_owned()),
        _ => None,
    };
    let up = (now - srv.started_at()).max(0);
    let uptime = format!("{:02}:{:02}:{:02}", up / 3600, (up / 60) % 60, up % 60);
    let services = srv.services();
    let target = if services.is_replica() {
        srv.configurable(&mut db, "P4TARGET")?
    } else {
        None
    };
    let auth_server = srv.configurable(&mut db, "P4AUTH")?;
    let change_server = srv.configurable(&mut db, "P4CHANGE")?;
    let case = if srv.fold_case() {
        "insensitive"
    } else {
        "sensitive"
    };
    // (tag, value, text line); a `None` text means tagged output only.
    let mut fields: Vec<(&str, String, Option<String>)> = vec![
        (
            "userName",
            cx.user.clone(),
            Some(format!("User name: {}", cx.user)),
        ),
        (
            "clientName",
            client.clone(),
            Some(format!("Client name: {client}")),
        ),
        (
            "clientHost",
            cx.req.host.clone(),
            Some(format!("Client host: {}", cx.req.host)),
        ),
    ];
    if !short {
        match &client_root {
            Some(root) => fields.push((
                "clientRoot",
                root.clone(),
                Some(format!("Client root: {root}")),
            )),
            None => fields.push((
                "clientUnknown",
                String::new(),
                Some("Client unknown.".to_string()),
            )),
        }
    }
    fields.push((
        "clientCwd",
        cx.req.cwd.clone(),
        Some(format!("Current directory: {}", cx.req.cwd)),
    ));
    fields.push((
        "peerAddress",
        cx.peer.to_string(),
        Some(format!("Peer address: {}", cx.peer)),
    ));
    fields.push((
        "clientAddress",
        cx.peer.ip().to_string(),
        Some(format!("Client address: {}", cx.peer.ip())),
    ));
    fields.push((
        "serverAddress",
        srv.address(),
        Some(format!("Server address: {}", srv.address())),
    ));
    fields.push((
        "serverRoot",
        srv.config().root_name.clone(),
        Some(format!("Server root: {}", srv.config().root_name)),
    ));
    fields.push((
        "serverDate",
        zone.datetime_with_zone(now),
        Some(format!("Server date: {}", zone.datetime_with_zone(now))),
    ));
    fields.push(("tzoffset", zone.offset_secs(now).to_string(), None));
    fields.push((
        "serverUptime",
        uptime.clone(),
        Some(format!("Server uptime: {uptime}")),
    ));
    let version = srv.version().version_string();
    fields.push((
        "serverVersion",
        version.clone(),
        Some(format!("Server version: {version}")),
    ));
    if let Some(id) = srv.server_id() {
        fields.push(("ServerID", id.clone(), Some(format!("ServerID: {id}"))));
    }
    fields.push((
        "serverServices",
        services.to_string(),
        Some(format!("Server services: {services}")),
    ));
    if let Some(target) = target {
        fields.push((
            "replica",
            target.clone(),
            Some(format!("Replica of: {target}")),
        ));
    }
    if let Some(c) = change_server {
        fields.push((
            "changeServer",
            c.clone(),
            Some(format!("Changelist server: {c}")),
        ));
    }
    if let Some(a) = auth_server {
        fields.push((
            "authServer",
            a.clone(),
            Some(format!("Authorization server: {a}")),
        ));
    }
    fields.push((
        "serverLicense",
        "none".to_string(),
        Some("Server license: none".to_string()),
    ));
    fields.push((
        "caseHandling",
        case.to_string(),
        Some(format!("Case Handling: {case}")),
    ));
    if cx.is_tagged() {
        let record = fields
            .into_iter()
            .filter(|(tag, _, _)| *tag != "clientUnknown")
            .map(|(tag, value, _)| (tag.to_string(), value))
            .collect();
        cx.tagged(record);
    } else {
        for line in fields.into_iter().filter_map(|(_, _, line)| line) {
            cx.info(line);
        }
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[cmd("info", Access::Anyone, OnReplica::Read)];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "info" => Some(run(cx).await),
        _ => None,
    }
}
