//! `p4 failover` (run on a standby; needs super). The work is in
//! [`crate::failover`]; this prints what it reports. `p4 failback`
//! (2022.1+) is not simulated.

use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::Perm;
use crate::failover::{self, Options};
use crate::protocol::{ServerMsg, Severity};

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[cmd(
    "failover",
    Access::Level(Perm::Super),
    OnReplica::Local,
)];

/// `p4 failover`.
async fn failover(cx: &mut Cx<'_>) -> CmdResult {
    let opts = Options::parse(&cx.args).map_err(|e| CmdError::failed(e.to_string()))?;
    let report = failover::execute(cx.srv, &opts, cx.pid).await;
    for (severity, text) in report.lines {
        match severity {
            Severity::Info => cx.info(text),
            Severity::Warning => cx.warn(text),
            Severity::Failed | Severity::Fatal => {
                cx.send(ServerMsg::Message { severity, text });
                cx.set_status(1);
            }
        }
    }
    Ok(())
}

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "failover" => Some(failover(cx).await),
        _ => None,
    }
}
