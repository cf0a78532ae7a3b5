//! A replica's connection to its target: one request, one answer, over the
//! host's network (turmoil's in the simulation, real sockets in a daemon).

use crate::net::NetError;
use crate::protocol::{ClientMsg, Request, ServerMsg, read_frame, write_frame};
use crate::replwire::{ReplRequest, ReplResponse};
use crate::server::Server;

use super::settings::Settings;

/// `Replica access to P4TARGET server failed.` (MsgServer::TargetAccessFailed)
pub const TARGET_ACCESS_FAILED: &str = "Replica access to P4TARGET server failed.";

/// MsgDm::ServiceUserLogin.
pub const SERVICE_USER_LOGIN: &str = "Remote server refused request. Please verify that service user is correctly logged in to remote server, then retry.";

/// What a replica says when it has no P4TARGET (reference 2.3).
pub const NO_TARGET: &str = "This server has been configured as a replica server of some type; however, the P4TARGET configurable is not set. To correct this, issue the command 'p4d -cshow' to display configurable settings, and issue the command 'p4d \"-cset P4TARGET=target:port\"' to add the correct P4TARGET setting.";

/// Why a request to the target failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkError {
    /// P4TARGET is not set.
    NoTarget,
    /// The target could not be reached.
    Connect {
        /// P4TARGET as configured.
        target: String,
        /// How the connection failed.
        error: NetError,
    },
    /// The target answered with an error (a bad ticket, no permission, a
    /// position it cannot serve).
    Refused(Vec<String>),
    /// The connection broke mid-request.
    Broken,
}

impl LinkError {
    /// The error chain a replica reports, outermost first.
    ///
    /// An unreachable target reads as seed 000 section 9 shows it (the
    /// service-user line is there even though the cause is the network):
    /// `Replica access to P4TARGET server failed.`, `Remote server refused
    /// request...`, `TCP connect to HOST:PORT failed.`, `connect: ADDR:
    /// REASON`.
    pub fn lines(&self) -> Vec<String> {
        match self {
            LinkError::NoTarget => vec![NO_TARGET.to_string()],
            LinkError::Connect { target, error } => {
                let mut lines = vec![
                    TARGET_ACCESS_FAILED.to_string(),
                    SERVICE_USER_LOGIN.to_string(),
                    format!("TCP connect to {target} failed."),
                ];
                lines.push(match error {
                    NetError::HostUnknown(h) => format!("{h}: host unknown."),
                    e => format!("connect: {e}"),
                });
                lines
            }
            LinkError::Refused(lines) => lines.clone(),
            LinkError::Broken => vec![
                TARGET_ACCESS_FAILED.to_string(),
                "Partner exited unexpectedly.".to_string(),
            ],
        }
    }

    /// The chain as one text (lines joined by newlines).
    pub fn text(&self) -> String {
        self.lines().join("\n")
    }
}

/// Sends one replication request to the target named in `settings` and
/// returns its answer.
pub async fn call(
    server: &Server,
    settings: &Settings,
    req: ReplRequest,
) -> Result<ReplResponse, LinkError> {
    let target = settings.target.clone().ok_or(LinkError::NoTarget)?;
    let conn = server
        .host()
        .net
        .connect(&target)
        .await
        .map_err(|error| LinkError::Connect {
            target: target.clone(),
            error,
        })?;
    let mut stream = conn.stream;
    let request = Request {
        argv: vec![request_name(&req).to_string()],
        user: settings.service_user.clone(),
        client: settings.server_id.clone().unwrap_or_default(),
        host: server.host().name.clone(),
        cwd: server.config().root_name.clone(),
        port: target.clone(),
        tickets: settings.tickets.clone(),
        prog: "p4d".to_string(),
        version: server.version().version_string(),
        from_server: settings.server_id.clone(),
        ..Default::default()
    };
    write_frame(
        &mut stream,
        &ClientMsg::Replication(Box::new(request), Box::new(req)),
    )
    .await
    .map_err(|_| LinkError::Broken)?;
    let mut answer = None;
    loop {
        match read_frame::<_, ServerMsg>(&mut stream).await {
            Ok(Some(ServerMsg::Replication(r))) => answer = Some(*r),
            Ok(Some(ServerMsg::Done { .. })) => break,
            // A server that refuses every command (a failover in progress)
            // answers with a plain message.
            Ok(Some(ServerMsg::Message { text, .. })) => {
                return Err(LinkError::Refused(
                    text.lines().map(str::to_string).collect(),
                ));
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => break,
        }
    }
    match answer {
        Some(ReplResponse::Refused { lines }) => Err(LinkError::Refused(lines)),
        Some(r) => Ok(r),
        None => Err(LinkError::Broken),
    }
}

/// The command name a replication request shows as in the target's logs.
fn request_name(req: &ReplRequest) -> &'static str {
    match req {
        ReplRequest::Journal(_) => "rmt-Journal",
        ReplRequest::Status { .. } => "rmt-JournalPos",
        ReplRequest::Archive { .. } => "rmt-FileFetch",
        ReplRequest::Failover(_) => "rmt-Failover",
    }
}
