//! The standby's side of the conversation with the server it fails over
//! from: one request per connection over its replication link, each with a
//! time limit so that a frozen server or a silent network reads as "not
//! accessible" instead of hanging the failover.

use std::time::Duration;

use super::wire::{MasterAnswer, MasterInfo, MasterRequest};
use crate::replication::{LinkError, Settings, link};
use crate::replwire::{ReplRequest, ReplResponse};
use crate::server::Server;

/// How long the standby waits for an answer. p4d does not document it;
/// ten seconds is long past any answer on a working network and short
/// enough for an operator waiting on a failover.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a request to the master got no useful answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ControlError {
    /// No connection, no answer in time, or a broken connection: the
    /// master is not accessible.
    Unreachable(Vec<String>),
    /// The master answered with an error (a bad ticket, a failover to
    /// another standby under way): it is accessible but will not take part.
    Refused(Vec<String>),
}

impl ControlError {
    /// The error lines.
    pub fn lines(&self) -> &[String] {
        match self {
            ControlError::Unreachable(l) | ControlError::Refused(l) => l,
        }
    }
}

/// Sends one request; `extra` is added to the answer time limit (for a
/// request that waits on the master's side).
pub async fn call(
    server: &Server,
    req: MasterRequest,
    extra: Duration,
) -> Result<MasterAnswer, ControlError> {
    let settings = Settings::read(server);
    let sent = link::call(server, &settings, ReplRequest::Failover(req));
    match tokio::time::timeout(ANSWER_TIMEOUT + extra, sent).await {
        Ok(Ok(ReplResponse::Failover(a))) => Ok(a),
        Ok(Ok(_)) => Err(ControlError::Unreachable(LinkError::Broken.lines())),
        Ok(Err(LinkError::Refused(lines))) => Err(ControlError::Refused(lines)),
        Ok(Err(e)) => Err(ControlError::Unreachable(e.lines())),
        Err(_) => Err(ControlError::Unreachable(vec![
            link::TARGET_ACCESS_FAILED.to_string(),
            "Connection timed out".to_string(),
        ])),
    }
}

/// Asks the master who it is.
pub async fn probe(server: &Server) -> Result<MasterInfo, ControlError> {
    match call(server, MasterRequest::Probe, Duration::ZERO).await? {
        MasterAnswer::Probe(info) => Ok(info),
        _ => Err(ControlError::Unreachable(LinkError::Broken.lines())),
    }
}
