//! The failover itself, run on the standby: the checks, the preview, and
//! with `-y` the sequence of seed 000 section 7, undoing what it can when
//! a step fails.
//!
//! Order of the checks before anything is printed (seed 000 section 8
//! shows the missing `-s` error alone, so these come before the first
//! progress line): `-i` with `-m` (994); not a standby (952); whether the
//! master answers (956 with `-m`, 957 with `-i`); then for a participating
//! master its release (S2 83), its services (993), its server ID (973,
//! 972); for an absent one the server ID (974 before 2020.2, where the
//! seed's error comes first) and the mandatory option (988).
//!
//! A master that answers takes part unless `-i`; one that does not answer
//! (no connection, or no answer within [`super::control::ANSWER_TIMEOUT`])
//! is absent. A master that answers with an error (a bad service ticket, a
//! failover to another standby under way) stops the failover with that
//! error: failing over past a live master needs `-i`.
//!
//! Without the master the standby cannot copy or fetch anything more, so
//! the steps that wait on the master ("Waiting for 'journalcopy'",
//! "Waiting for 'pull -u'") and the ones that act on it (refuse, quiesce,
//! stall, stop) are left out; the rest is the seed's order (the reference
//! reconstructs the same).

use std::time::Duration;

use super::archives;
use super::control::{self, ControlError};
use super::journal::{self, Moved};
use super::messages::{self as m, Line};
use super::options::Options;
use super::promote::{self, Updated};
use super::wire::{MasterAnswer, MasterInfo, MasterRequest};
use crate::process::StopRequest;
use crate::protocol::Severity;
use crate::replication::{self, JOURNALCOPY, PULL_ARCHIVE, PULL_LOCAL};
use crate::replwire::Position;
use crate::server::Server;
use crate::services::Services;
use crate::version::ServerVersion;

/// How long the failover waits for one thread to complete its work. p4d
/// does not document a limit; five minutes covers a long archive backlog
/// while still ending a failover whose master went silent.
pub const THREAD_WAIT: Duration = Duration::from_secs(300);

/// What a failover printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The lines, in order, with their severities.
    pub lines: Vec<Line>,
    /// True when `-y` completed: the server restarts as the master.
    pub restarting: bool,
    /// Whether the master took part (`None` when the checks stopped before
    /// that was known).
    pub participating: Option<bool>,
}

impl Report {
    fn push(&mut self, severity: Severity, text: impl Into<String>) {
        self.lines.push((severity, text.into()));
    }
    fn info(&mut self, text: impl Into<String>) {
        self.push(Severity::Info, text);
    }
    fn warn(&mut self, text: impl Into<String>) {
        self.push(Severity::Warning, text);
    }
    fn error(&mut self, text: impl Into<String>) {
        self.push(Severity::Failed, text);
    }
    fn fatal(&mut self, text: impl Into<String>) {
        self.push(Severity::Fatal, text);
    }
    fn errors(&mut self, lines: &[String]) {
        for l in lines {
            self.error(l.clone());
        }
    }
    /// True when anything but information was printed.
    pub fn reported_issues(&self) -> bool {
        self.lines.iter().any(|(s, _)| *s != Severity::Info)
    }
    /// True when an error was printed (the command exits with status 1).
    pub fn failed(&self) -> bool {
        self.lines.iter().any(|(s, _)| *s >= Severity::Failed)
    }
}

/// A release string (`2019.1`) as a version, also for releases the
/// simulator does not run.
fn release_of(text: &str) -> Option<ServerVersion> {
    let (y, n) = text.trim().split_once('.')?;
    Some(ServerVersion::new(y.parse().ok()?, n.parse().ok()?))
}

/// Who the failover is from, once the checks passed.
struct Plan {
    /// The master's answer when it takes part.
    master: Option<MasterInfo>,
    /// The ID this server takes.
    new_id: String,
    /// This server's ID before the failover.
    standby_id: String,
    /// True when this standby has `Options: mandatory`.
    mandatory: bool,
}

/// The checks that come before any progress line. `None` when one failed
/// (its lines are in the report).
async fn prechecks(server: &Server, opts: &Options, r: &mut Report) -> Option<Plan> {
    let v = server.version();
    if opts.ignore_master && opts.require_master {
        r.error(m::I_AND_M);
        return None;
    }
    if !server.services().is_standby() {
        r.error(m::not_standby(v));
        return None;
    }
    let spec = replication::target::own_spec(server);
    let mandatory = spec
        .as_ref()
        .is_some_and(replication::target::spec_mandatory);
    let replicating_from = spec
        .as_ref()
        .map(|row| row[9].as_str().into_owned())
        .unwrap_or_default();
    let standby_id = server.server_id().unwrap_or_default();
    let master = match control::probe(server).await {
        Ok(info) if opts.ignore_master => {
            let _ = info;
            r.warn(m::SPLIT_BRAIN);
            None
        }
        Ok(info) => Some(info),
        Err(ControlError::Refused(_)) if opts.ignore_master => {
            r.warn(m::SPLIT_BRAIN);
            None
        }
        Err(ControlError::Refused(lines)) => {
            r.errors(&lines);
            return None;
        }
        Err(ControlError::Unreachable(_)) if opts.require_master => {
            r.error(m::MASTER_GONE);
            return None;
        }
        Err(ControlError::Unreachable(_)) => None,
    };
    r.participating = Some(master.is_some());
    let new_id = match &master {
        Some(info) => {
            if release_of(&info.release).is_none_or(|rv| !rv.at_least(2018, 2)) {
                r.error(m::MASTER_TOO_OLD);
                return None;
            }
            // Only a server that is not itself a plain replica can be
            // failed over from (an edge server can).
            let services = info
                .services
                .parse::<Services>()
                .unwrap_or(Services::Standard);
            if services.is_replica() && !services.is_edge() {
                r.error(m::NOT_SUPPORTED_ON_TARGET);
                return None;
            }
            let Some(id) = info.server_id.clone() else {
                r.fatal(m::NO_MASTER_ID);
                return None;
            };
            if let Some(given) = &opts.server_id
                && *given != id
            {
                r.error(m::ids_differ(&id, given));
                return None;
            }
            id
        }
        None => {
            let id_required = |r: &mut Report| {
                r.error(m::ID_REQUIRED);
                r.error(m::ID_EMPTY);
            };
            if opts.server_id.is_none() && !v.at_least(2020, 2) {
                id_required(r);
                return None;
            }
            if !mandatory {
                r.error(m::NEED_MANDATORY);
                return None;
            }
            match opts
                .server_id
                .clone()
                .or_else(|| (!replicating_from.is_empty()).then_some(replicating_from))
            {
                Some(id) => id,
                None => {
                    id_required(r);
                    return None;
                }
            }
        }
    };
    Some(Plan {
        master,
        new_id,
        standby_id,
        mandatory,
    })
}

/// The threads the failover waits for, which must run.
fn required_threads(participating: bool) -> &'static [&'static str] {
    if participating {
        &[JOURNALCOPY, PULL_LOCAL]
    } else {
        &[PULL_LOCAL]
    }
}

/// The archive check: lists what is not transferred (as `p4 pull -l`
/// does). Transfers that failed were not transferred (1004, fatal); others
/// are pending and a `pull -u` might complete them (1003, a warning).
/// Returns true when something is listed: a failover that goes ahead
/// leaves that content behind, so `-y` stops there.
fn check_transfers(server: &Server, r: &mut Report) -> bool {
    r.info(m::CHECK_TRANSFERS);
    let pending = archives::pending(server);
    if pending.is_empty() {
        return false;
    }
    for t in &pending {
        r.info(archives::transfer_line(server, t));
    }
    if pending.iter().any(|t| t.failed) {
        r.fatal(m::NOT_TRANSFERRED);
    } else {
        r.warn(m::TRANSFERS_PENDING);
    }
    true
}

/// The verification of recent content; returns true when content is bad
/// or missing.
fn check_recent(server: &Server, window: u64, r: &mut Report) -> bool {
    r.info(m::VERIFYING);
    let pending = archives::pending(server);
    let problems = archives::verify_recent(server, window, &pending);
    for p in &problems {
        r.error(p.clone());
    }
    !problems.is_empty()
}

/// Runs `p4 failover` on `server` (a standby) as command process `pid`.
pub async fn execute(server: &Server, opts: &Options, pid: u32) -> Report {
    let mut r = Report::default();
    let Some(plan) = prechecks(server, opts, &mut r).await else {
        return r;
    };
    let v = server.version();
    let participating = plan.master.is_some();
    r.info(if opts.yes { m::STARTING } else { m::CHECKING });
    let mut blocked = false;
    for t in required_threads(participating) {
        if !replication::is_thread_running(server, t) {
            r.fatal(m::need_thread(t));
            blocked = true;
        }
    }
    if let Err(e) = journal::plan(server, &plan.new_id) {
        r.fatal(e);
        blocked = true;
    }
    let no_failback = v.at_least(2022, 1)
        && plan
            .master
            .as_ref()
            .and_then(|i| release_of(&i.release))
            .is_some_and(|mv| !mv.at_least(2022, 1));
    if !opts.yes {
        check_transfers(server, &mut r);
        check_recent(server, opts.verification_time, &mut r);
        if no_failback {
            r.warn(m::NO_FAILBACK_WARNING);
        }
        let (s, t) = m::preview_tail(v, r.reported_issues());
        r.push(s, t);
        return r;
    }
    if blocked {
        r.fatal(m::FAILED);
        return r;
    }
    if no_failback {
        r.warn(m::NO_FAILBACK_WARNING);
    }
    let mut run = Execution {
        server,
        opts,
        plan: &plan,
        pid,
        undo: Undo::default(),
    };
    match run.steps(&mut r).await {
        Ok(()) => {
            r.info(m::RESTARTING);
            r.info(m::RESTARTED);
            // The answer still reaches the client: the connection outlives
            // the listener, and the server starts again in place.
            server.control().request(StopRequest::Restart);
            r.restarting = true;
        }
        Err(()) => run.unwind(&mut r).await,
    }
    r
}

/// What has been done so far, to be undone if a later step fails.
#[derive(Default)]
struct Undo {
    refusing: bool,
    stalled: bool,
    threads_stopped: bool,
    beyond_leof: bool,
    moved: Option<Moved>,
    config_started: bool,
    updated: Option<Updated>,
    fconfigs_started: bool,
}

struct Execution<'a> {
    server: &'a Server,
    opts: &'a Options,
    plan: &'a Plan,
    pid: u32,
    undo: Undo,
}

impl Execution<'_> {
    async fn master(
        &self,
        req: MasterRequest,
        extra: Duration,
        r: &mut Report,
    ) -> Result<MasterAnswer, ()> {
        control::call(self.server, req, extra)
            .await
            .map_err(|e| r.errors(e.lines()))
    }

    async fn wait(&self, thread: &str, r: &mut Report) -> Result<(), ()> {
        r.info(m::waiting_for(thread));
        replication::wait_for_thread(self.server, thread, THREAD_WAIT)
            .await
            .map_err(|e| match e {
                replication::WaitError::NotRunning(t) => r.fatal(m::need_thread(&t)),
                replication::WaitError::Failed(lines) => r.errors(&lines),
                e @ replication::WaitError::TimedOut(_) => r.error(e.to_string()),
            })
    }

    async fn steps(&mut self, r: &mut Report) -> Result<(), ()> {
        let server = self.server;
        let participating = self.plan.master.is_some();
        if participating {
            r.info(m::REFUSING);
            let message = self
                .opts
                .message
                .clone()
                .unwrap_or_else(|| m::REFUSED.to_string());
            let req = MasterRequest::Refuse {
                standby_id: self.plan.standby_id.clone(),
                message,
            };
            self.master(req, Duration::ZERO, r).await?;
            self.undo.refusing = true;
            r.info(m::QUIESCING);
            let wait = Duration::from_secs(self.opts.quiesce_wait);
            self.master(
                MasterRequest::Quiesce {
                    wait_secs: self.opts.quiesce_wait,
                },
                wait,
                r,
            )
            .await?;
            r.info(m::STALLING);
            self.master(MasterRequest::Stall, Duration::ZERO, r).await?;
            self.undo.stalled = true;
            self.wait(JOURNALCOPY, r).await?;
        }
        self.wait(PULL_LOCAL, r).await?;
        if let Some(info) = &self.plan.master {
            let applied: Position = replication::positions(server).applied;
            self.undo.beyond_leof = !self.plan.mandatory && applied > info.state.leof;
        }
        if participating && replication::is_thread_running(server, PULL_ARCHIVE) {
            self.wait(PULL_ARCHIVE, r).await?;
        }
        // Nothing may write the copy or the tables from here on.
        replication::stop_threads(server);
        self.undo.threads_stopped = true;
        if check_transfers(server, r) {
            return Err(());
        }
        if check_recent(server, self.opts.verification_time, r) {
            return Err(());
        }
        if participating {
            r.info(m::STOPPING_MASTER);
            self.master(MasterRequest::Stop, Duration::ZERO, r).await?;
            // A stopped server is not resumed or restarted by an undo.
            self.undo.refusing = false;
            self.undo.stalled = false;
        }
        r.info(m::MOVING_JOURNAL);
        let jplan = journal::plan(server, &self.plan.new_id).map_err(|e| r.fatal(e))?;
        self.undo.moved = Some(journal::move_into_place(server, &jplan).map_err(|e| r.fatal(e))?);
        r.info(m::UPDATING_CONFIG);
        self.undo.config_started = true;
        let updated =
            promote::update(server, &jplan, &self.plan.new_id, self.pid).map_err(|e| r.fatal(e))?;
        self.undo.updated = Some(updated);
        if server.version().at_least(2022, 1) {
            r.info(m::WRITING_FCONFIGS);
            self.undo.fconfigs_started = true;
            let address = self
                .plan
                .master
                .as_ref()
                .map(|i| i.address.clone())
                .unwrap_or_default();
            let end = Position::new(jplan.number, jplan.applied);
            promote::write_failoverconfigs(
                server,
                &self.plan.standby_id,
                &self.plan.new_id,
                &address,
                end,
            )
            .map_err(|e| r.fatal(e))?;
        }
        Ok(())
    }

    /// Undoes, newest first, what the steps did; reports 971.
    async fn unwind(&mut self, r: &mut Report) {
        let server = self.server;
        if self.undo.fconfigs_started {
            r.info(m::REMOVING_FCONFIGS);
            promote::remove_failoverconfigs(server);
        }
        if self.undo.config_started {
            r.info(m::UNDOING_CONFIG);
            if let Some(u) = self.undo.updated.take()
                && let Err(e) = promote::undo(server, &u)
            {
                r.error(e);
            }
        }
        if let Some(moved) = self.undo.moved.take() {
            r.info(m::UNMOVING_JOURNAL);
            if let Err(e) = journal::undo(server, &moved) {
                r.error(e);
            }
        }
        if self.undo.stalled {
            r.info(m::UNSTALLING);
            let _ = control::call(server, MasterRequest::Resume, Duration::ZERO).await;
        }
        if self.undo.refusing {
            r.info(m::UNREFUSING);
            let _ = control::call(server, MasterRequest::Allow, Duration::ZERO).await;
        }
        // From 2020.2 the threads start again by themselves; before, the
        // administrator restarts them (command reference).
        if self.undo.threads_stopped && server.version().at_least(2020, 2) {
            replication::start_threads(server);
        }
        if self.undo.beyond_leof {
            r.warn(m::BEYOND_LEOF);
        }
        r.fatal(m::FAILED);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn releases_older_than_the_simulator_still_compare() {
        assert!(!release_of("2018.1").unwrap().at_least(2018, 2));
        assert!(release_of("2018.2").unwrap().at_least(2018, 2));
        assert!(release_of("2019.1").unwrap().at_least(2018, 2));
        assert_eq!(release_of("soon"), None);
    }
}
