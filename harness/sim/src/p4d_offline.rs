//! p4d's offline operations on P4ROOT: `-jc -jj -jd -jr -jv`, `-xD -xu`,
//! `-cset -cunset -cshow`. They run whether or not a server is running on
//! the root (p4d locks the tables; here each operation runs without
//! yielding, so a running server sees it as one step).
//!
//! Output: progress lines on stdout; failures, warnings and notices
//! through p4d's error log on stderr (`Perforce server error:` and the
//! TAB-indented chain); exit status 1 after an error.

use std::rc::Rc;

use crate::checkpoint::{
    self, CheckpointOptions, ReplayInput, ReplayOptions, RotateOptions, ServerBlock, Site,
    VerifyOptions,
};
use crate::db::stored_case;
use crate::host::Host;
use crate::p4d::P4dArgs;
use crate::program::{Invocation, ProgramOutput};
use crate::server::ServerConfig;
use crate::server::identity;

/// What an offline operation printed.
#[derive(Debug, Default)]
pub(crate) struct Report {
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    status: i32,
}

impl Report {
    pub(crate) fn line(&mut self, text: &str) {
        self.stdout.extend_from_slice(text.as_bytes());
        self.stdout.push(b'\n');
    }

    pub(crate) fn lines(&mut self, lines: &[String]) {
        for l in lines {
            self.line(l);
        }
    }

    pub(crate) fn block(&mut self, block: &ServerBlock) {
        self.stderr.extend_from_slice(block.render().as_bytes());
        if block.severity == checkpoint::BlockSeverity::Error {
            self.status = 1;
        }
    }

    pub(crate) fn error(&mut self, lines: Vec<String>) {
        self.block(&ServerBlock::error(lines));
    }

    pub(crate) fn data(&mut self, bytes: &[u8]) {
        self.stdout.extend_from_slice(bytes);
    }

    pub(crate) fn into_output(self) -> ProgramOutput {
        ProgramOutput {
            stdout: self.stdout,
            stderr: self.stderr,
            status: self.status,
        }
    }
}

const USE_MAIN: &str = "Usage: p4d -h for usage.";

/// Runs the operation the flags name; `None` when they start a server.
pub async fn run(
    host: &Rc<Host>,
    args: &P4dArgs,
    cfg: &ServerConfig,
    inv: &Invocation,
) -> Option<ProgramOutput> {
    let mut report = Report::default();
    if let Some(cmd) = &args.config_cmd {
        crate::p4d::configurables::run(host, args, cfg, cmd, &mut report);
    } else if let Some(x) = &args.x_op {
        match x.as_str() {
            "D" => server_id(host, args, cfg, &mut report),
            "u" => crate::p4d::upgrade::run(host, args, cfg, &mut report),
            _ => report.error(vec![
                USE_MAIN.to_string(),
                "Unknown -x operation.  Try 'f', 'i', 'u', 'v', or 'x'.".to_string(),
            ]),
        }
    } else if let Some(j) = &args.journal_op {
        journal_op(host, args, cfg, inv, j, &mut report);
    } else {
        return None;
    }
    Some(report.into_output())
}

/// The journaling operation a `-j` flag names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum JournalOp {
    Checkpoint,
    Rotate,
    Dump,
    Replay { full_into_nonempty: bool },
    Verify,
}

fn parse_journal_op(sub: &str) -> Result<JournalOp, Vec<String>> {
    const BAD_FLAG: &str = "Unknown journaling flag.  Try 'c', 'd', 'j' or 'r'.";
    const BAD_SUB: &str = "Unsupported suboption to -j. Must be -jc[s|p|pm], -jd[s|p|ps|pm], -jr[p|F|c|pF|pc], -jv[v|p|pv].";
    match sub {
        "c" => Ok(JournalOp::Checkpoint),
        "j" => Ok(JournalOp::Rotate),
        "d" | "ds" => Ok(JournalOp::Dump),
        "r" => Ok(JournalOp::Replay {
            full_into_nonempty: false,
        }),
        "rF" => Ok(JournalOp::Replay {
            full_into_nonempty: true,
        }),
        "v" | "vv" => Ok(JournalOp::Verify),
        "cs" | "cp" | "cpm" | "dp" | "dps" | "dpm" | "rp" | "rc" | "rpF" | "rpc" | "vp" | "vpv" => {
            Err(vec![format!(
                "p4d -j{sub}: parallel and sharded checkpoint operations are not simulated; use -j{}.",
                &sub[..1]
            )])
        }
        s if s.is_empty() || !matches!(&s[..1], "c" | "d" | "j" | "r" | "v") => {
            Err(vec![USE_MAIN.to_string(), BAD_FLAG.to_string()])
        }
        _ => Err(vec![USE_MAIN.to_string(), BAD_SUB.to_string()]),
    }
}

/// Opens the site of the root the flags name, checking that it exists and
/// that `-C` agrees with the database's case handling.
pub(crate) fn open_site(
    host: &Rc<Host>,
    args: &P4dArgs,
    cfg: &ServerConfig,
) -> Result<Site, Vec<String>> {
    if !host.fs.metadata(&cfg.root).is_ok_and(|m| m.is_dir()) {
        return Err(vec![format!(
            "chdir {}: No such file or directory",
            cfg.root_name
        )]);
    }
    let fold_case = match (stored_case(&host.fs, &cfg.root), args.case) {
        (Some(stored), Some(asked)) if stored != asked => {
            return Err(vec![checkpoint::BTREE_CASE_MISMATCH.to_string()]);
        }
        (Some(stored), _) => stored,
        (None, asked) => asked.unwrap_or(false),
    };
    Ok(Site::offline(host, cfg, fold_case))
}

/// Prints p4d's notice for a root without a database (`'.'`: p4d has
/// changed into P4ROOT; seed 002). Returns true when the database is new.
pub(crate) fn note_new_database(site: &Site, report: &mut Report) -> bool {
    let new = site.db().is_new();
    if new {
        report.line("Perforce db files in '.' will be created if missing...");
    }
    new
}

/// Creates the database of a new root as a starting server does (every
/// table, the release's upgrade level, the default depot), printing p4d's
/// notice. Replays do not do this: the checkpoint brings those rows, and a
/// full checkpoint must go into an empty database.
pub(crate) fn create_new_database(site: &Site, report: &mut Report) {
    if note_new_database(site, report)
        && let Err(e) = crate::db::initialize(&mut site.db(), site.version)
    {
        report.error(e.to_string().lines().map(str::to_string).collect());
    }
}

fn journal_op(
    host: &Rc<Host>,
    args: &P4dArgs,
    cfg: &ServerConfig,
    inv: &Invocation,
    sub: &str,
    report: &mut Report,
) {
    let op = match parse_journal_op(sub) {
        Ok(op) => op,
        Err(lines) => return report.error(lines),
    };
    if op == JournalOp::Verify {
        return verify(host, args, cfg, report);
    }
    let site = match open_site(host, args, cfg) {
        Ok(s) => s,
        Err(lines) => return report.error(lines),
    };
    let pid = host.next_pid();
    let now = host.clock.now();
    match op {
        JournalOp::Checkpoint | JournalOp::Rotate => {
            let replica = site.is_replica(&mut site.db()).unwrap_or(false);
            if replica && (op == JournalOp::Checkpoint || site.version.at_least(2021, 1)) {
                return report.error(vec![checkpoint::no_replica_journal_control(site.version)]);
            }
            if args.rest.len() > 1 {
                return report.error(vec![
                    USE_MAIN.to_string(),
                    format!("Invalid argument: {}.", args.rest[1]),
                ]);
            }
            create_new_database(&site, report);
            let prefix = args.rest.first().cloned();
            let mut lines = Vec::new();
            let result = if op == JournalOp::Checkpoint {
                let opts = CheckpointOptions::from_flags(prefix, args.gzip, args.gzip_checkpoint);
                checkpoint::take_checkpoint(&site, &opts, pid, now, &mut lines).map(|_| ())
            } else if site.journal.is_none() {
                report.error(vec![
                    "Journal rotation requires that journaling be enabled.".to_string(),
                ]);
                return;
            } else {
                let opts = RotateOptions {
                    prefix,
                    gzip: args.gzip,
                };
                checkpoint::rotate_journal(&site, &opts, pid, now, &mut lines).map(|_| ())
            };
            report.lines(&lines);
            if let Err(e) = result {
                report.error(e.lines());
            }
            create_missing(&site, report);
        }
        JournalOp::Dump => dump(&site, args, pid, now, report),
        JournalOp::Replay { full_into_nonempty } => {
            if args.rest.is_empty() {
                return report.error(vec!["Must specify checkpoint/journal files.".to_string()]);
            }
            let inputs: Vec<ReplayInput> = args
                .rest
                .iter()
                .map(|f| {
                    if f == "-" {
                        ReplayInput::Stdin {
                            bytes: inv.stdin.clone(),
                        }
                    } else {
                        ReplayInput::File {
                            name: f.clone(),
                            path: cfg.in_root(f),
                        }
                    }
                })
                .collect();
            let opts = ReplayOptions {
                gzip: args.gzip,
                force: args.force,
                allow_full_into_nonempty: full_into_nonempty,
                skip_tables: args.skip_tables.clone(),
            };
            note_new_database(&site, report);
            let outcome = checkpoint::replay_files(&site, &inputs, &opts, pid, now);
            report.lines(&outcome.stdout);
            for b in &outcome.blocks {
                report.block(b);
            }
            report.status = report.status.max(outcome.status);
        }
        JournalOp::Verify => {}
    }
}

fn create_missing(site: &Site, report: &mut Report) {
    if let Err(e) = site.db().create_missing() {
        report.error(e.to_string().lines().map(str::to_string).collect());
    }
}

/// `p4d -jd file [tables...]`: dumps without rotating or counting;
/// `-` writes to standard output (nothing else is printed then).
/// Printed: `Dumping to FILE...` and `MD5 = HEX` (the digest is also
/// written to `FILE.md5`), choices modelled on `-jc`.
fn dump(site: &Site, args: &P4dArgs, pid: u32, now: i64, report: &mut Report) {
    let Some(file) = args.rest.first() else {
        return report.error(vec!["Must specify checkpoint/journal files.".to_string()]);
    };
    let tables = match checkpoint::tables_named(&args.rest[1..]) {
        Ok(t) => t,
        Err(msg) => return report.error(vec![msg]),
    };
    let to_stdout = file == "-";
    if !to_stdout {
        create_new_database(site, report);
    }
    let mut db = site.db();
    let text = match checkpoint::dump_text(site, &mut db, &tables, now) {
        Ok(t) => t,
        Err(e) => return report.error(e.to_string().lines().map(str::to_string).collect()),
    };
    let gzip = args.gzip || args.gzip_checkpoint;
    let mut event = checkpoint::HistoryEvent::new(
        checkpoint::EventKind::Dump,
        pid,
        now,
        site.journal_number(&mut db).unwrap_or(0),
    );
    event.flags = if gzip {
        "-z".to_string()
    } else {
        String::new()
    };
    event.jfile = file.clone();
    event.jtype = i64::from(gzip);
    if to_stdout {
        if gzip {
            use std::io::Write;
            let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            let bytes = enc
                .write_all(&text)
                .and_then(|_| enc.finish())
                .unwrap_or_default();
            report.data(&bytes);
        } else {
            report.data(&text);
        }
        event.jsize = text.len() as i64;
    } else {
        report.line(&format!("Dumping to {file}..."));
        let path = p4ha_hostfs::resolve(&site.root, file);
        match checkpoint::write_checkpoint_file(site, &path, file, &text, gzip, true) {
            Ok(w) => {
                report.line(&format!("MD5 = {}", w.digest));
                event.jdigest = Some(w.digest.to_string());
                event.jsize = w.size as i64;
            }
            Err(e) => return report.error(e.lines()),
        }
    }
    let _ = checkpoint::record_event(&mut db, &event);
    if let Err(e) = db.flush().and_then(|_| db.create_missing()) {
        report.error(e.to_string().lines().map(str::to_string).collect());
    }
}

/// `p4d -jv [-z] file`.
fn verify(host: &Rc<Host>, args: &P4dArgs, cfg: &ServerConfig, report: &mut Report) {
    let Some(file) = args.rest.first() else {
        return report.error(vec!["Must specify checkpoint/journal files.".to_string()]);
    };
    let path = cfg.in_root(file);
    if let Err(lines) =
        checkpoint::verify_file(&host.fs, &path, file, VerifyOptions { gzip: args.gzip })
    {
        report.error(lines);
    }
}

/// `p4d -xD [serverID]`: shows or sets the server ID in `server.id`.
/// Setting prints nothing (seed 000 shows no output). An ID that a
/// failover happened from (its spec carries the failover mark) cannot be
/// taken again (MsgServer2 51).
fn server_id(host: &Rc<Host>, args: &P4dArgs, cfg: &ServerConfig, report: &mut Report) {
    match args.rest.as_slice() {
        [] => match identity::read_server_id(&host.fs, &cfg.root) {
            Some(id) => report.line(&format!("Server ID: {id}")),
            None => report.error(vec!["Server does not yet have a server ID.".to_string()]),
        },
        [id] => {
            if !host.fs.metadata(&cfg.root).is_ok_and(|m| m.is_dir()) {
                return report.error(vec![format!(
                    "chdir {}: No such file or directory",
                    cfg.root_name
                )]);
            }
            let fold_case = stored_case(&host.fs, &cfg.root).unwrap_or(false);
            let mut db =
                crate::db::Db::open(host.fs.clone(), cfg.root.clone(), cfg.version, fold_case);
            if let Ok(Some(_)) = identity::failover_seen(&mut db, id) {
                return report.error(vec![crate::failover::messages::id_reused(id)]);
            }
            if let Err(e) = identity::write_server_id(&host.fs, &cfg.root, id) {
                report.error(vec![format!(
                    "open for write: server.id: {}",
                    crate::client::os_error(&e)
                )]);
            }
        }
        _ => report.error(vec!["Usage: p4d -xD [ serverID ]".to_string()]),
    }
}
