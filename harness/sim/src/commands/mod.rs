//! The server's command surface: every `p4` command a simulated p4d
//! answers, with p4d's access checks and replica rules in front of them.

mod context;

// One module per group of commands; each exports its `COMMANDS` table
// and a `dispatch` that runs the commands it owns.
mod admin;
mod changes;
mod clients;
mod configure;
mod counters;
mod depots;
mod diff;
mod failover;
mod forms;
mod groups;
mod info;
mod protect;
mod replication;
mod servers;
mod users;
mod verify;

use std::net::SocketAddr;

pub use context::{CmdError, CmdResult, Cx};

use crate::auth::{self, Perm};
use crate::net::Stream;
use crate::protocol::Request;
use crate::server::Server;

/// Which login and protections a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Runs without a login (`info`, `login`).
    Anyone,
    /// Needs a valid login and this protection level.
    Level(Perm),
}

/// How a command behaves on a replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnReplica {
    /// Reads metadata: a replica answers from its own copy.
    Read,
    /// Changes replicated metadata: a read-only replica refuses, a
    /// forwarding one forwards.
    Write,
    /// Acts on the server it runs on (replica administration).
    Local,
}

/// One command of the table.
#[derive(Debug, Clone, Copy)]
pub struct CommandSpec {
    /// Command name.
    pub name: &'static str,
    /// Login and protections needed.
    pub access: Access,
    /// Replica behaviour.
    pub on_replica: OnReplica,
}

pub(crate) const fn cmd(name: &'static str, access: Access, on_replica: OnReplica) -> CommandSpec {
    CommandSpec {
        name,
        access,
        on_replica,
    }
}

use Access::Level;
use OnReplica::Write;

/// The command tables of every module.
const TABLES: &[&[CommandSpec]] = &[
    info::COMMANDS,
    counters::COMMANDS,
    configure::COMMANDS,
    servers::COMMANDS,
    users::COMMANDS,
    groups::COMMANDS,
    protect::COMMANDS,
    depots::COMMANDS,
    clients::COMMANDS,
    changes::COMMANDS,
    verify::COMMANDS,
    diff::COMMANDS,
    admin::COMMANDS,
    replication::COMMANDS,
    failover::COMMANDS,
];

/// Looks a command up.
pub fn spec(name: &str) -> Option<&'static CommandSpec> {
    TABLES
        .iter()
        .flat_map(|t| t.iter())
        .find(|c| c.name == name)
}

/// Every command the simulator answers, by name.
pub fn command_names() -> Vec<&'static str> {
    let mut v: Vec<&str> = TABLES
        .iter()
        .flat_map(|t| t.iter())
        .map(|c| c.name)
        .collect();
    v.sort_unstable();
    v
}

/// Serves one client request on `stream`.
pub(crate) async fn serve_request(
    srv: &Server,
    req: Request,
    peer: SocketAddr,
    stream: &mut dyn Stream,
) {
    let pid = srv.host().next_pid();
    let mut cx = Cx::new(srv, &req, peer, pid, stream);
    srv.runtime().running_commands += 1;
    let result = run(&mut cx).await;
    srv.runtime().running_commands -= 1;
    if let Err(e) = result {
        cx.set_status(1);
        cx.send(crate::protocol::ServerMsg::Message {
            severity: e.severity,
            text: e.text,
        });
    }
    cx.finish().await;
}

async fn run(cx: &mut Cx<'_>) -> CmdResult {
    let refusing = cx.srv.runtime().refusing.clone();
    if let Some(message) = refusing {
        return Err(CmdError::failed(message));
    }
    let Some(spec) = spec(&cx.cmd) else {
        return Err(CmdError::failed(
            "Unknown command.  Try 'p4 help' for info.",
        ));
    };
    if let Level(needed) = spec.access {
        let mut db = cx.db();
        // A command another server forwarded carries that server's service
        // user, checked instead of the user (whom it authenticated).
        match crate::replication::forward::check_forwarded(cx.srv, cx.req) {
            Some(checked) => checked.map_err(CmdError::failed)?,
            None => {
                let address = cx.srv.address();
                let (password, ticket) = (
                    cx.req.password.clone(),
                    cx.req.ticket_for(&address).map(str::to_string),
                );
                auth::check_credentials(
                    &mut db,
                    &cx.user,
                    password.as_deref(),
                    ticket.as_deref(),
                    cx.now(),
                )
                .map_err(|f| CmdError::failed(f.message()))?;
            }
        }
        // Service users run only the inter-server and login commands.
        if auth::refuses_service_user(&mut db, &cx.user, &cx.cmd)? {
            return Err(CmdError::failed(auth::NOT_AS_SERVICE));
        }
        match auth::max_perm_from(&mut db, &cx.user, &cx.peer.ip().to_string())? {
            None => {
                return Err(CmdError::failed(format!(
                    "Access for user '{}' has not been enabled by 'p4 protect'.",
                    cx.user
                )));
            }
            Some(have) if have < needed => return Err(CmdError::no_permission()),
            Some(_) => {}
        }
    }
    if spec.on_replica == Write && cx.srv.services().is_replica() {
        // Forwarding replicas, forwarding standbys and edge servers pass
        // such commands to their P4TARGET; read-only ones refuse them.
        if cx.srv.services().forwards() {
            return crate::replication::forward::forward(cx).await;
        }
        return Err(CmdError::failed("Replica does not support this command."));
    }
    dispatch(cx).await
}

async fn dispatch(cx: &mut Cx<'_>) -> CmdResult {
    macro_rules! try_module {
        ($($m:ident),*) => {
            $(if let Some(r) = $m::dispatch(cx).await { return r; })*
        };
    }
    try_module!(
        info,
        counters,
        configure,
        servers,
        users,
        groups,
        protect,
        depots,
        clients,
        changes,
        verify,
        diff,
        admin,
        replication,
        failover
    );
    Err(CmdError::failed(
        "Unknown command.  Try 'p4 help' for info.",
    ))
}
