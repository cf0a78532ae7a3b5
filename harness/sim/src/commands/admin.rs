//! `p4 admin` and `p4 journals`: checkpoints, journal rotation, stop and
//! restart, and the checkpoint history.

use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::Perm;
use crate::checkpoint::{self, CheckpointOptions, JournalsQuery, RotateOptions, Site};
use crate::process::StopRequest;
use crate::version::ServerVersion;

/// `admin` usage (MsgServer::UseAdmin): 2023.2 lists three more
/// subcommands than the 2018.2 catalogue; the simulator switches at 2023.2.
fn admin_usage(v: ServerVersion) -> &'static str {
    if v.at_least(2023, 2) {
        "admin { checkpoint | journal | resetpassword | restart | stop | updatespecdepot | setldapusers | end-journal | sysinfo | resource-monitor }"
    } else {
        "admin { checkpoint | journal | resetpassword | restart | stop | updatespecdepot | setldapusers }"
    }
}

/// `admin checkpoint` usage (MsgServer::UseAdminCheckpoint; the trailing
/// space is the catalogue's).
fn checkpoint_usage(v: ServerVersion) -> &'static str {
    if v.at_least(2023, 2) {
        "admin checkpoint [ -z | -Z ] [ -p [-N threads] ] [ prefix ]"
    } else {
        "admin checkpoint [ -z | -Z ] [ prefix ] "
    }
}

const JOURNAL_USAGE: &str = "admin journal [ -z ] [ prefix ] ";
const JOURNALS_USAGE: &str = "journals [-T field...] [-F filter] [-m max]";

/// Flags and prefix of `admin checkpoint` / `admin journal`.
struct Rotation {
    z: bool,
    big_z: bool,
    prefix: Option<String>,
}

fn parse_rotation(args: &[String], usage: &str, allow_big_z: bool) -> Result<Rotation, CmdError> {
    let mut r = Rotation {
        z: false,
        big_z: false,
        prefix: None,
    };
    for a in args {
        match a.as_str() {
            "-z" => r.z = true,
            "-Z" if allow_big_z => r.big_z = true,
            f if f.starts_with('-') && f.len() > 1 => return Err(CmdError::bad_flag(usage, f)),
            p if r.prefix.is_none() => r.prefix = Some(p.to_string()),
            _ => return Err(CmdError::usage(usage)),
        }
    }
    if r.z && r.big_z {
        return Err(CmdError::usage(usage));
    }
    Ok(r)
}

/// `p4 admin checkpoint [-z|-Z] [prefix]`: the server takes the checkpoint
/// `p4d -jc` would take and prints the same lines. On a replica it is
/// scheduled instead (`stateCKP`), for the `pull` thread to take at the
/// master's next journal rotation.
async fn admin_checkpoint(cx: &mut Cx<'_>, args: &[String]) -> CmdResult {
    let version = cx.srv.version();
    let r = parse_rotation(args, checkpoint_usage(version), true)?;
    let opts = CheckpointOptions::from_flags(r.prefix, r.z, r.big_z);
    let site = Site::of_server(cx.srv);
    let now = cx.now();
    if site.is_replica(&mut site.db())? || cx.srv.services().is_replica() {
        checkpoint::schedule_checkpoint(&site, &opts, cx.pid, now)
            .map_err(|e| CmdError::failed(e.to_string()))?;
        cx.info(checkpoint::ADMIN_REPLICA_CHECKPOINT);
        return Ok(());
    }
    let mut lines = Vec::new();
    let result = checkpoint::take_checkpoint(&site, &opts, cx.pid, now, &mut lines);
    for l in lines {
        cx.info(l);
    }
    result
        .map(|_| ())
        .map_err(|e| CmdError::failed(e.to_string()))
}

/// `p4 admin journal [-z] [prefix]`: rotates the journal as `p4d -jj`.
async fn admin_journal(cx: &mut Cx<'_>, args: &[String]) -> CmdResult {
    let r = parse_rotation(args, JOURNAL_USAGE, false)?;
    let site = Site::of_server(cx.srv);
    if site.is_replica(&mut site.db())? || cx.srv.services().is_replica() {
        return Err(CmdError::failed("Replica does not support this command."));
    }
    if site.journal.is_none() {
        return Err(CmdError::failed(
            "Journal rotation requires that journaling be enabled.",
        ));
    }
    let mut lines = Vec::new();
    let result = checkpoint::rotate_journal(
        &site,
        &RotateOptions {
            prefix: r.prefix,
            gzip: r.z,
        },
        cx.pid,
        cx.now(),
        &mut lines,
    );
    for l in lines {
        cx.info(l);
    }
    result
        .map(|_| ())
        .map_err(|e| CmdError::failed(e.to_string()))
}

/// `p4 admin ...`.
async fn admin(cx: &mut Cx<'_>) -> CmdResult {
    let args = cx.args.clone();
    let usage = admin_usage(cx.srv.version());
    let Some(sub) = args.first() else {
        return Err(CmdError::usage(usage));
    };
    let rest = &args[1..];
    match sub.as_str() {
        "checkpoint" => admin_checkpoint(cx, rest).await,
        "journal" => admin_journal(cx, rest).await,
        // The server stops (or restarts in place) once this command has
        // answered; p4 prints nothing.
        "stop" | "restart" if !rest.is_empty() => Err(CmdError::usage(usage)),
        "stop" => {
            cx.srv.control().request(StopRequest::Stop);
            Ok(())
        }
        "restart" => {
            cx.srv.control().request(StopRequest::Restart);
            Ok(())
        }
        _ => Err(CmdError::usage(usage)),
    }
}

/// `p4 journals [-T fields] [-F filter] [-m max]`: db.ckphist, newest
/// first, always in tagged form (command reference example).
async fn journals(cx: &mut Cx<'_>) -> CmdResult {
    let args = cx.args.clone();
    let mut query = JournalsQuery::default();
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        let mut value = || {
            i += 1;
            args.get(i)
                .cloned()
                .ok_or_else(|| CmdError::usage(JOURNALS_USAGE))
        };
        match flag {
            "-m" => {
                let v = value()?;
                let max: usize = v
                    .parse()
                    .map_err(|_| CmdError::failed(format!("Invalid -m flag value '{v}'.")))?;
                query.max = Some(max);
            }
            "-T" => {
                let v = value()?;
                query.fields = v
                    .split([',', ' '])
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect();
            }
            "-F" => {
                query.filter = JournalsQuery::parse_filter(&value()?).map_err(CmdError::failed)?
            }
            f if f.starts_with('-') => return Err(CmdError::bad_flag(JOURNALS_USAGE, f)),
            _ => return Err(CmdError::usage(JOURNALS_USAGE)),
        }
        i += 1;
    }
    let mut db = cx.db();
    let zone = cx.srv.zone();
    let records = checkpoint::history(&mut db)?
        .iter()
        .map(|e| e.tagged(&zone))
        .collect();
    for r in query.apply(records) {
        cx.tagged(r);
    }
    Ok(())
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("admin", Access::Level(Perm::Super), OnReplica::Local),
    cmd("journals", Access::Level(Perm::Super), OnReplica::Local),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "admin" => Some(admin(cx).await),
        "journals" => Some(journals(cx).await),
        _ => None,
    }
}
