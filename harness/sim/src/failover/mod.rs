//! `p4 failover`: a standby takes over from the server it journalcopies
//! from (its "master"), with that server taking part or not.
//!
//! # What a failover changes
//!
//! On the standby (which becomes the master):
//! - It takes the master's server ID (`server.id`), so the master's server
//!   spec (Services `commit-server`, say) and `ID#` configurables now apply
//!   to it; the standby's own `standby#` configurables (P4TARGET,
//!   `startup.N` for journalcopy / `pull -L` / `pull -u`, `db.replication`,
//!   `lbr.replication`, serviceUser) no longer apply to any server, so it
//!   runs no replication threads and uses no P4TARGET. See [`promote`].
//! - The latest journalcopy'd journal becomes its live journal (in place
//!   already with `rpl.journalcopy.location=1`), and its `journal` counter
//!   names that journal: journal numbers and offsets continue, so replicas
//!   that followed the old master can follow it once retargeted. See
//!   [`journal`].
//! - The pre-failover standby spec loses `Options: mandatory`; these
//!   changes are journaled as one transaction.
//! - `statefailover` (and from 2022.1 `failoverconfigs`) is written in
//!   P4ROOT; it restarts in place and serves as the master.
//!
//! On the old master, when it takes part: it refuses new commands with the
//! failover message (MsgServer 953 when none was given), lets running
//! commands finish for `-w` seconds, stalls those still running, serves the
//! standby past the LEOF until it has copied everything, then marks its own
//! server spec `failoverSeen` (`Failover from ID ADDRESS`, not journaled)
//! and stops. It refuses to start again until `p4d -xD` gives it another
//! server ID; `p4d -xD` refuses the old ID (MsgServer2 50 and 51). A master
//! that does not take part is not touched: started again, it runs as a
//! second master (a split brain).
//!
//! Other servers are not touched: edges and replicas keep their P4TARGET
//! and get connection errors until retargeted (reference 4.7, seed 000
//! section 9). Clients of the old address get connection errors.
//!
//! # Modules
//!
//! - [`options`]: the command line. [`messages`]: the catalogue texts.
//! - [`run`]: the checks, the preview and the `-y` sequence with its undo.
//! - [`control`] (standby side) and [`master`] (master side) of the
//!   conversation, carried by [`wire`] over the replication link.
//! - [`journal`], [`promote`], [`archives`]: the steps.
//!
//! # For other code
//!
//! - [`execute`] runs a failover; [`Options::parse`] reads its arguments.
//! - [`stall_point`]: where running commands wait while a failover stalls
//!   their server.
//! - [`is_failover_target`]: whether a replica is the standby a failover
//!   is going to (served past the LEOF).
//! - [`serve_master`]: the master's side of a failover request.
//! - [`note_replica_request`]: removes `statefailover` once it has served.
//!
//! `p4 failback` (2022.1+) and `p4d -Fm`/`-Fs` are not simulated.

pub mod archives;
pub mod control;
pub mod journal;
pub mod master;
pub mod messages;
pub mod options;
pub mod promote;
pub mod run;
pub mod wire;

pub use master::{
    StoppedWhileStalled, is_failover_target, mark_failed_over, serve as serve_master, stall_point,
};
pub use options::{Options, UsageError};
pub use promote::{FAILOVERCONFIGS, STATEFAILOVER, note_replica_request};
pub use run::{Report, execute};
