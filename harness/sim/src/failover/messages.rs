//! The texts `p4 failover` prints, as p4d's message catalogue words them
//! (MsgServer 952-1008 and MsgServer2 17, 49-51, 83, 156, 175-177), with
//! their severities. Where the wording changed between releases the
//! simulated node's release decides.
//!
//! Evidence for the release boundaries:
//! - 2018.2's catalogue (gorlak/P4) words every message with a literal
//!   `failover`; 2023.2's (Malterlib/p4source) fills `%failover%` with the
//!   operation's name so that `p4 failback` can share them. The output only
//!   differs for message 952, whose first word is `%failover%`: it prints
//!   `Failover command ...` before 2022.1 (where failback arrived) and
//!   `failover command ...` from then on.
//! - "No errors reported; use --yes or -y to execute the failover."
//!   (MsgServer2 156) is absent from the 2020.1 catalogue and present in
//!   2021.1's; its neighbours (150 replica lag, 157 `monitor realtime`) are
//!   2021.1 features, so the simulator prints it from 2021.1 (2020.2 has no
//!   public catalogue). Seed 000 (2019.1) shows the preview ending with
//!   message 991 only, even with nothing to report.

use crate::protocol::Severity;
use crate::version::ServerVersion;

/// A line `p4 failover` prints: its severity and text.
pub type Line = (Severity, String);

/// MsgServer 961.
pub const STARTING: &str = "Starting failover process ...";
/// MsgServer 962.
pub const CHECKING: &str = "Checking if failover might be possible ...";
/// MsgServer 963.
pub const REFUSING: &str = "Refusing new commands on server from which failover is occurring ...";
/// MsgServer 964 (undo of 963).
pub const UNREFUSING: &str = "Allowing new commands on server from which failover was to occur ...";
/// MsgServer 965.
pub const QUIESCING: &str = "Giving commands already running time to complete ...";
/// MsgServer 966.
pub const STALLING: &str = "Stalling commands on server from which failover is occurring ...";
/// MsgServer 967 (undo of 966).
pub const UNSTALLING: &str = "Resuming commands on server from which failover was to occur ...";
/// MsgServer 1002.
pub const CHECK_TRANSFERS: &str = "Checking for archive file content not transferred ...";
/// MsgServer 968.
pub const VERIFYING: &str = "Verifying content of recently updated archive files ...";
/// MsgServer 969.
pub const STOPPING_MASTER: &str = "Stopping server from which failover is occurring ...";
/// MsgServer 975.
pub const MOVING_JOURNAL: &str =
    "Moving latest journalcopy'd journal into place as the active journal ...";
/// MsgServer 976 (undo of 975).
pub const UNMOVING_JOURNAL: &str = "Moving journal back as the latest journalcopy'd journal ...";
/// MsgServer 995: `%failed%` renders as `failed-over` (seed 000).
pub const UPDATING_CONFIG: &str = "Updating configuration of the failed-over server ...";
/// MsgServer 996 (undo of 995).
pub const UNDOING_CONFIG: &str = "Undoing configuration updates for the failed-over server ...";
/// MsgServer2 176 (2022.1+).
pub const WRITING_FCONFIGS: &str = "Writing failoverconfigs file ...";
/// MsgServer2 177 (undo of 176).
pub const REMOVING_FCONFIGS: &str = "Removing failoverconfigs file ...";
/// MsgServer 970.
pub const RESTARTING: &str = "Restarting this server ...";
/// What the restarting server prints (seed 000, after 970).
pub const RESTARTED: &str = "Perforce Server re-starting...";

/// MsgServer 953: what clients of the server being failed over from are
/// told when no failover message was given.
pub const REFUSED: &str =
    "Server currently in failover mode, try again after failover has completed";
/// MsgServer 956 (E_FAILED).
pub const MASTER_GONE: &str = "Server from which failover is to occur is required to participate (-m or --require-master), but that server is not accessible.";
/// MsgServer 957 (E_WARN).
pub const SPLIT_BRAIN: &str = "Server from which failover is to occur is to be ignored (-i or --ignore-master), but that server is still accessible. This could result in the dangerous configuration of two servers, each unaware of the other, processing divergent data.";
/// MsgServer 988 (E_FAILED).
pub const NEED_MANDATORY: &str = "This failover requires that this server have the 'mandatory' option set since the server from which failover is to occur is not participating in the failover.";
/// MsgServer 973 (E_FATAL).
pub const NO_MASTER_ID: &str =
    "No server ID obtained for the server from which failover is occurring.";
/// MsgServer 974 (E_FAILED).
pub const ID_REQUIRED: &str = "Server ID must be specified in the '-s' or '--serverid' argument for a failover without the participation of the server from which failover is occurring.";
/// MsgDm::IdEmpty, which follows 974 in seed 000.
pub const ID_EMPTY: &str = "Empty identifier not allowed.";
/// MsgServer 1003 (E_WARN).
pub const TRANSFERS_PENDING: &str = "The above listed archive file content transfers are pending. Pending transfers might be completed by a 'pull -u' in this standby server.";
/// MsgServer 1004 (E_FATAL).
pub const NOT_TRANSFERRED: &str = "The above listed archive file content was not transferred. Obtain from another server the content that was not transferred, and/or use 'p4 pull -d' to cancel a transfer.";
/// MsgServer 1001 (E_WARN).
pub const BEYOND_LEOF: &str = "This failed failover has likely applied journalcopy'd transactions beyond the LEOF. After resolving the issues that caused this failover to fail, this standby server can be used to complete the failover. But if another standby server is instead used to complete the failover, this standby server should be rebuilt since its metadata could be inconsistent with the server to which failover occurred.";
/// MsgServer 971 (E_FATAL).
pub const FAILED: &str = "Failover was not successful.";
/// MsgServer 991 (E_WARN).
pub const NEED_Y: &str = "After addressing any reported issues that might prevent failover, use --yes or -y to execute the failover.";
/// MsgServer2 156 (E_INFO, 2021.1+).
pub const NEED_Y_OK: &str = "No errors reported; use --yes or -y to execute the failover.";
/// MsgServer 994 (E_FAILED).
pub const I_AND_M: &str =
    "Invalid option supplied: cannot use -i (ignore master) and -m (require master) together.";
/// MsgServer 993 (E_FAILED).
pub const NOT_SUPPORTED_ON_TARGET: &str = "Failover not supported on P4TARGET of this replica.";
/// MsgServer2 83 (E_FAILED).
pub const MASTER_TOO_OLD: &str = "Server from which failover is to occur must be at version 2018.2 or above to participate in failover.";
/// MsgServer2 175 (E_WARN, 2022.1+ standbys).
pub const NO_FAILBACK_WARNING: &str = "The server from which failover is to occur must be at version 2022.1 or above in order to run failback after this failover.\nThat server must be upgraded, and 'failbackconfigs' must be copied to its $P4ROOT as 'failoverconfigs' prior to running 'p4d -Fm' to prepare it for failback.";
/// MsgServer2 50: a server failed over from, started again.
pub const SERVER_ID_MUST_CHANGE: &str = "Failover has occurred from this server, and the server ID must be changed. Use 'p4d -xD' to change the server ID.";

/// The usage line (MsgServer::UseFailover).
pub const USAGE: &str = "failover [ -y ] [ -m | [ -i ] [ -s <server ID> ] ] [ -w <quiesce wait> ] [ -v <verification time> ] [ <failover message> ]";

/// MsgServer 952 (E_FAILED), worded for `v`.
pub fn not_standby(v: ServerVersion) -> &'static str {
    if v.at_least(2022, 1) {
        "failover command only available from standby server."
    } else {
        "Failover command only available from standby server."
    }
}

/// MsgServer 981 (E_FATAL).
pub fn need_thread(thread: &str) -> String {
    format!("This failover requires that '{thread}' must be running.")
}

/// MsgServer 982.
pub fn waiting_for(thread: &str) -> String {
    format!("Waiting for '{thread}' to complete its work ...")
}

/// MsgServer 972 (E_FAILED).
pub fn ids_differ(master_id: &str, given: &str) -> String {
    format!(
        "ID on the server from which failover is occurring is '{master_id}', which differs from '{given}' specified in the '-s' or '--serverid' argument."
    )
}

/// MsgServer 977 (E_FATAL).
pub fn journal_not_empty(journal: &str) -> String {
    format!("Journal '{journal}' exists and unexpectedly not empty.")
}

/// MsgServer 978 (E_FATAL).
pub fn copy_empty(copy: &str) -> String {
    format!("Journalcopy '{copy}' is unexpectedly empty.")
}

/// MsgServer 979 (E_FATAL).
pub fn copy_missing(copy: &str) -> String {
    format!("Journalcopy '{copy}' does not exist.")
}

/// MsgServer 980 (E_FATAL).
pub fn copy_missing_both(local: &str, rotated: &str) -> String {
    format!("Journalcopy does not exist as either '{local}' or '{rotated}'.")
}

/// MsgServer2 49: the mark left in `db.server.failoverSeen` of the server
/// failed over from.
pub fn failover_mark(server_id: &str, address: &str) -> String {
    format!("Failover from {server_id} {address}")
}

/// MsgServer2 51 (E_FAILED).
pub fn id_reused(server_id: &str) -> String {
    format!("Cannot reuse server ID '{server_id}' after failover.")
}

/// The tail of a preview: 991 (a warning) when something was reported or
/// on releases before 2021.1, else MsgServer2 156 (info).
pub fn preview_tail(v: ServerVersion, reported: bool) -> Line {
    if reported || !v.at_least(2021, 1) {
        (Severity::Warning, NEED_Y.to_string())
    } else {
        (Severity::Info, NEED_Y_OK.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_preview_tail_follows_the_release() {
        let v = |s: &str| s.parse::<ServerVersion>().unwrap();
        assert_eq!(preview_tail(v("2019.1"), false).1, NEED_Y);
        assert_eq!(preview_tail(v("2020.2"), false).1, NEED_Y);
        assert_eq!(
            preview_tail(v("2021.1"), false),
            (Severity::Info, NEED_Y_OK.to_string())
        );
        assert_eq!(
            preview_tail(v("2023.2"), true),
            (Severity::Warning, NEED_Y.to_string())
        );
        assert!(not_standby(v("2019.1")).starts_with("Failover command"));
        assert!(not_standby(v("2022.1")).starts_with("failover command"));
    }
}
