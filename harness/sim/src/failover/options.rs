//! `p4 failover`'s command line.
//!
//! `failover [ -y ] [ -m | [ -i ] [ -s <server ID> ] ] [ -w <quiesce wait> ]
//! [ -v <verification time> ] [ <failover message> ]`, with the long forms
//! `--yes`, `--require-master`, `--ignore-master` and `--serverid`. Flags
//! come first; the first word that is not a flag starts the failover
//! message, which runs to the end of the line (the help says it need not
//! be quoted).

use super::messages::USAGE;

/// Default `-w`: seconds given to running commands (command reference).
pub const DEFAULT_QUIESCE_WAIT: u64 = 60;
/// Default `-v`: seconds of recently updated archive content to verify.
pub const DEFAULT_VERIFICATION_TIME: u64 = 300;
/// Largest `-v` (command reference: 0 to 43200 seconds).
pub const MAX_VERIFICATION_TIME: u64 = 43_200;

/// What `p4 failover` was asked to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `-y`: execute (otherwise only report whether failover might be
    /// possible).
    pub yes: bool,
    /// `-m`: the master must participate.
    pub require_master: bool,
    /// `-i`: ignore the master even when it answers.
    pub ignore_master: bool,
    /// `-s`: the master's server ID (`None` when not given or empty).
    pub server_id: Option<String>,
    /// `-w`: seconds to let running commands finish.
    pub quiesce_wait: u64,
    /// `-v`: seconds of recently updated archive content to verify.
    pub verification_time: u64,
    /// The failover message clients of the master are told.
    pub message: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            yes: false,
            require_master: false,
            ignore_master: false,
            server_id: None,
            quiesce_wait: DEFAULT_QUIESCE_WAIT,
            verification_time: DEFAULT_VERIFICATION_TIME,
            message: None,
        }
    }
}

/// Why the command line was not accepted: the lines p4d prints.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.join("\n"))]
pub struct UsageError(pub Vec<String>);

impl UsageError {
    fn wrong_args() -> Self {
        UsageError(vec![
            format!("Usage: {USAGE}"),
            "Missing/wrong number of arguments.".to_string(),
        ])
    }

    fn invalid(flag: &str) -> Self {
        UsageError(vec![
            format!("Usage: {USAGE}"),
            format!("Invalid option: {flag}."),
        ])
    }
}

impl Options {
    /// Parses the arguments after `failover`.
    pub fn parse(args: &[String]) -> Result<Options, UsageError> {
        let mut o = Options::default();
        let mut i = 0;
        while i < args.len() {
            let a = args[i].as_str();
            if !a.starts_with('-') || a == "-" {
                break;
            }
            // A value glued to its flag (`-smaster`, `--serverid=master`)
            // or in the next word.
            let mut value = |flag: &str| -> Result<String, UsageError> {
                let glued = a.strip_prefix(flag).and_then(|v| {
                    let v = v.strip_prefix('=').unwrap_or(v);
                    (!v.is_empty()).then(|| v.to_string())
                });
                match glued {
                    Some(v) => Ok(v),
                    None => {
                        i += 1;
                        args.get(i).cloned().ok_or_else(UsageError::wrong_args)
                    }
                }
            };
            match a {
                "-y" | "--yes" => o.yes = true,
                "-m" | "--require-master" => o.require_master = true,
                "-i" | "--ignore-master" => o.ignore_master = true,
                "--" => {
                    i += 1;
                    break;
                }
                _ if a.starts_with("--serverid") => o.server_id = Some(value("--serverid")?),
                _ if a.starts_with("-s") => o.server_id = Some(value("-s")?),
                _ if a.starts_with("-w") => o.quiesce_wait = seconds(&value("-w")?, u64::MAX)?,
                _ if a.starts_with("-v") => {
                    o.verification_time = seconds(&value("-v")?, MAX_VERIFICATION_TIME)?
                }
                _ => return Err(UsageError::invalid(a)),
            }
            i += 1;
        }
        if i < args.len() {
            o.message = Some(args[i..].join(" "));
        }
        if o.server_id.as_deref() == Some("") {
            o.server_id = None;
        }
        Ok(o)
    }
}

fn seconds(text: &str, max: u64) -> Result<u64, UsageError> {
    match text.parse::<u64>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(UsageError::wrong_args()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Options, UsageError> {
        let args: Vec<String> = line.split_whitespace().map(str::to_string).collect();
        Options::parse(&args)
    }

    #[test]
    fn flags_values_and_the_message() {
        let o =
            parse("-y -s master -w 5 -v0 Site moved to standby, use 192.168.56.115:1666").unwrap();
        assert!(o.yes && !o.require_master && !o.ignore_master);
        assert_eq!(o.server_id.as_deref(), Some("master"));
        assert_eq!((o.quiesce_wait, o.verification_time), (5, 0));
        assert_eq!(
            o.message.as_deref(),
            Some("Site moved to standby, use 192.168.56.115:1666")
        );
        let o = parse("--yes --serverid=master --ignore-master").unwrap();
        assert!(o.yes && o.ignore_master);
        assert_eq!(o.server_id.as_deref(), Some("master"));
        assert_eq!(parse("").unwrap(), Options::default());
        assert_eq!(
            parse("-smaster").unwrap().server_id.as_deref(),
            Some("master")
        );
    }

    #[test]
    fn bad_command_lines_print_the_usage() {
        assert_eq!(
            parse("-x").unwrap_err().0,
            vec![format!("Usage: {USAGE}"), "Invalid option: -x.".to_string()]
        );
        assert_eq!(parse("-s").unwrap_err(), UsageError::wrong_args());
        assert_eq!(parse("-w soon").unwrap_err(), UsageError::wrong_args());
        assert_eq!(parse("-v 43201").unwrap_err(), UsageError::wrong_args());
        assert!(parse("-v 43200").is_ok());
    }
}
