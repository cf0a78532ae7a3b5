//! p4d's command-line flags.
//!
//! Like every Perforce program, p4d reads flags until the first word that
//! is not one; everything from there on is an argument (a prefix, the files
//! of `-jr`, a server ID). So `p4d -jr checkpoint -r /p4root` does not set
//! the root: `-r` and `/p4root` are taken as two more files to replay, and
//! the root is P4ROOT from the environment (or the current directory) --
//! the reason the recovery chapter insists on `-r` before `-jr`.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::host::Host;
use crate::program::Invocation;
use crate::server::{JournalSetting, ServerConfig};
use crate::version::ServerVersion;

/// Parsed p4d flags.
#[derive(Debug, Clone, Default)]
pub struct P4dArgs {
    /// `-r root`.
    pub root: Option<String>,
    /// `-p port`.
    pub port: Option<String>,
    /// `-J journal`.
    pub journal: Option<String>,
    /// `-L log`.
    pub log: Option<String>,
    /// `-In name`.
    pub name: Option<String>,
    /// `-C0` / `-C1`.
    pub case: Option<bool>,
    /// `-d`: run as a daemon.
    pub daemon: bool,
    /// `-V`.
    pub version: bool,
    /// `-z`: gzip (checkpoints and journals).
    pub gzip: bool,
    /// `-Z`: gzip checkpoint only.
    pub gzip_checkpoint: bool,
    /// `-f`: continue past errors (`-jr`).
    pub force: bool,
    /// `-K tables`: tables to skip on replay.
    pub skip_tables: Vec<String>,
    /// `-j?` journaling operation with its sub-option (`c`, `j`, `r`, `v`,
    /// `d`, `rF`...).
    pub journal_op: Option<String>,
    /// `-x?` operation (`D`, `u`, `v`, ...).
    pub x_op: Option<String>,
    /// `-c` configuration command (`set X=Y`, `show`, `unset X`).
    pub config_cmd: Option<String>,
    /// Arguments after the flags (files, prefix, server ID).
    pub rest: Vec<String>,
    /// True when `-r` was given after the journal operation's flag
    /// (`p4d -jr -r ROOT file`: still a flag, so still honoured).
    pub root_after_op: bool,
}

/// Why the command line was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgsError {
    /// `-h`: print the usage page.
    Help,
    /// A bad flag: p4d's messages, outermost first.
    Invalid(Vec<String>),
}

const USE_MAIN: &str = "Usage: p4d -h for usage.";

/// Parses p4d's arguments.
pub fn parse_args(inv: &Invocation) -> Result<P4dArgs, ArgsError> {
    let mut a = P4dArgs::default();
    let argv = &inv.argv[1.min(inv.argv.len())..];
    let mut i = 0;
    let need = |i: &mut usize, flag: &str| -> Result<String, ArgsError> {
        *i += 1;
        argv.get(*i).cloned().ok_or_else(|| {
            ArgsError::Invalid(vec![
                USE_MAIN.to_string(),
                format!("Option: {flag} needs argument."),
            ])
        })
    };
    while i < argv.len() {
        let arg = argv[i].clone();
        if !arg.starts_with('-') || arg == "-" {
            // The first argument ends the flags.
            a.rest = argv[i..].to_vec();
            break;
        }
        let attached =
            |n: usize| -> Option<String> { (arg.len() > n).then(|| arg[n..].to_string()) };
        match arg.as_str() {
            s if s.starts_with("-r") => {
                a.root = Some(match attached(2) {
                    Some(v) => v,
                    None => need(&mut i, "-r")?,
                });
                if a.journal_op.is_some() {
                    a.root_after_op = true;
                }
            }
            s if s.starts_with("-p") => {
                a.port = Some(match attached(2) {
                    Some(v) => v,
                    None => need(&mut i, "-p")?,
                })
            }
            s if s.starts_with("-J") => {
                a.journal = Some(match attached(2) {
                    Some(v) => v,
                    None => need(&mut i, "-J")?,
                })
            }
            s if s.starts_with("-L") => {
                a.log = Some(match attached(2) {
                    Some(v) => v,
                    None => need(&mut i, "-L")?,
                })
            }
            s if s.starts_with("-In") => {
                a.name = Some(match attached(3) {
                    Some(v) => v,
                    None => need(&mut i, "-In")?,
                })
            }
            "-C0" => a.case = Some(false),
            "-C1" => a.case = Some(true),
            "-d" => a.daemon = true,
            "-V" | "--version" => a.version = true,
            "-z" => a.gzip = true,
            "-Z" => a.gzip_checkpoint = true,
            "-f" => a.force = true,
            "-q" => {}
            s if s.starts_with("-K") => {
                let v = match attached(2) {
                    Some(v) => v,
                    None => need(&mut i, "-K")?,
                };
                a.skip_tables
                    .extend(v.split(',').filter(|t| !t.is_empty()).map(str::to_string));
            }
            s if s.starts_with("-v")
                || s.starts_with("-A")
                || s.starts_with("-N")
                || s.starts_with("-t") =>
            {
                if attached(2).is_none() {
                    need(&mut i, &s[..2])?;
                }
            }
            s if s.starts_with("-j") => a.journal_op = Some(s[2..].to_string()),
            s if s.starts_with("-x") => a.x_op = Some(s[2..].to_string()),
            s if s.starts_with("-c") => {
                a.config_cmd = Some(match attached(2) {
                    Some(v) => v.trim().to_string(),
                    None => need(&mut i, "-c")?,
                })
            }
            "-h" | "-?" => return Err(ArgsError::Help),
            s => {
                return Err(ArgsError::Invalid(vec![
                    USE_MAIN.to_string(),
                    format!("Invalid option: {s}."),
                ]));
            }
        }
        i += 1;
    }
    Ok(a)
}

/// p4d's usage summary.
pub const USAGE: &str = "Usage: p4d [ options ]\n    Options:\n\t-d\t\trun as a daemon (fork first, then run)\n\t-f\t\trun as a single-threaded (non-forking) daemon\n\t-i\t\trun for inetd (socket on stdin/stdout)\n\t-q\t\trun quietly (no startup messages)\n\t-v level\tset server trace options\n\t-V\t\tprint server version\n\t-h\t\tprint this message\n\t-r root\t\tset server root directory (P4ROOT)\n\t-J journal\tset journal file name (P4JOURNAL)\n\t-L log\t\tset error log file name (P4LOG)\n\t-p port\t\tset port number (P4PORT)\n\t-C0 / -C1\tcase-sensitive / case-insensitive database (at creation)\n\t-jc [ prefix ]\tjournal-create a checkpoint and rotate the journal\n\t-jd file [ tables ]\tjournal-dump a checkpoint\n\t-jj [ prefix ]\tjournal-rotate the journal\n\t-jr file...\tjournal-restore checkpoint and journal files\n\t-jv file\tjournal-verify a checkpoint or journal\n\t-z / -Z\t\tcompress checkpoint and journal / checkpoint only\n\t-K tables\tskip these tables when replaying\n\t-xD [ serverID ]\tdisplay or set the server ID\n\t-xu\t\tupgrade the database\n\t\"-cset [server#]name=value\"\tset a configurable\n\t\"-cunset [server#]name\"\tremove a configurable\n\t-cshow\t\tdisplay configurables";

impl P4dArgs {
    /// The server configuration these flags and the environment give.
    pub fn server_config(
        &self,
        host: &Rc<Host>,
        inv: &Invocation,
        version: ServerVersion,
    ) -> ServerConfig {
        let env: BTreeMap<String, String> = inv.env.clone();
        let root_name = self
            .root
            .clone()
            .or_else(|| env.get("P4ROOT").cloned())
            .unwrap_or_else(|| inv.cwd.display().to_string());
        let root = p4ha_hostfs::resolve(&inv.cwd, &root_name);
        let port = self
            .port
            .clone()
            .or_else(|| env.get("P4PORT").cloned())
            .unwrap_or_else(|| "1666".to_string());
        let mut cfg = ServerConfig::new(root, &port, version);
        cfg.root_name = root_name;
        cfg.journal = match self
            .journal
            .clone()
            .or_else(|| env.get("P4JOURNAL").cloned())
        {
            Some(j) if j == "off" => JournalSetting::Off,
            Some(j) => JournalSetting::Path(j),
            None => JournalSetting::Default,
        };
        cfg.log = self.log.clone().or_else(|| env.get("P4LOG").cloned());
        cfg.case_insensitive = self.case;
        cfg.name = self.name.clone().or_else(|| env.get("P4NAME").cloned());
        cfg.env = env;
        let _ = host;
        cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(words: &[&str]) -> Result<P4dArgs, ArgsError> {
        let inv = Invocation {
            argv: words.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        parse_args(&inv)
    }

    #[test]
    fn flags_end_at_the_first_argument() {
        let a = parse(&["p4d", "-r", "/p4root", "-jr", "checkpoint.9", "journal"]).unwrap();
        assert_eq!(a.root.as_deref(), Some("/p4root"));
        assert_eq!(a.journal_op.as_deref(), Some("r"));
        assert_eq!(a.rest, ["checkpoint.9", "journal"]);
        let late = parse(&["p4d", "-jr", "checkpoint.9", "-r", "/p4root"]).unwrap();
        assert_eq!(late.root, None);
        assert_eq!(late.rest, ["checkpoint.9", "-r", "/p4root"]);
        let stdin = parse(&["p4d", "-jd", "-", "db.counters"]).unwrap();
        assert_eq!(stdin.rest, ["-", "db.counters"]);
    }

    #[test]
    fn bad_flags_read_like_p4d() {
        assert_eq!(
            parse(&["p4d", "-Q"]).unwrap_err(),
            ArgsError::Invalid(vec![
                "Usage: p4d -h for usage.".into(),
                "Invalid option: -Q.".into()
            ])
        );
        assert_eq!(
            parse(&["p4d", "-r"]).unwrap_err(),
            ArgsError::Invalid(vec![
                "Usage: p4d -h for usage.".into(),
                "Option: -r needs argument.".into()
            ])
        );
        assert_eq!(parse(&["p4d", "-h"]).unwrap_err(), ArgsError::Help);
    }
}
