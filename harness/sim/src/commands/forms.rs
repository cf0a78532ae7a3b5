//! What the spec-form commands (`server`, `user`, `group`, `protect`,
//! `depot`, `client`) share: p4d's option parsing, the editor the
//! simulator does not have, refusing writes on replicas, and the date
//! formats their forms and lists print.

use super::{CmdError, CmdResult, Cx};

/// Parsed options of one command: flags (with their values) and the
/// remaining arguments.
#[derive(Debug, Clone, Default)]
pub(super) struct Opts {
    flags: Vec<(char, Option<String>)>,
    long: Vec<String>,
    /// Arguments after the flags.
    pub args: Vec<String>,
}

impl Opts {
    /// True when `-c` was given.
    pub fn has(&self, c: char) -> bool {
        self.flags.iter().any(|(f, _)| *f == c)
    }

    /// The value of `-c value`.
    pub fn value(&self, c: char) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(f, _)| *f == c)
            .and_then(|(_, v)| v.as_deref())
    }

    /// True when `--name` was given.
    pub fn has_long(&self, name: &str) -> bool {
        self.long.iter().any(|l| l == name)
    }
}

/// p4's answer to an unknown flag: the usage, then the complaint.
pub(super) fn invalid_option(usage: &str, flag: &str) -> CmdError {
    CmdError::failed(format!("Usage: {usage}\nInvalid option: {flag}."))
}

/// Parses flags as p4d does: flags come before the arguments, single
/// letters may be grouped (`-df`), a flag's value is attached or the next
/// word. `with_value` lists the letters that take a value, `plain` those
/// that do not, `long` the `--name` options.
pub(super) fn parse_opts(
    args: &[String],
    with_value: &str,
    plain: &str,
    long: &[&str],
    usage: &str,
) -> Result<Opts, CmdError> {
    let mut opts = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if let Some(name) = a.strip_prefix("--") {
            if !long.contains(&name) {
                return Err(invalid_option(usage, a));
            }
            opts.long.push(name.to_string());
            i += 1;
            continue;
        }
        let Some(letters) = a.strip_prefix('-').filter(|l| !l.is_empty()) else {
            break;
        };
        for (pos, c) in letters.char_indices() {
            if with_value.contains(c) {
                let rest = &letters[pos + c.len_utf8()..];
                let value = if !rest.is_empty() {
                    rest.to_string()
                } else {
                    i += 1;
                    match args.get(i) {
                        Some(v) => v.clone(),
                        None => {
                            return Err(CmdError::failed(format!(
                                "Usage: {usage}\nOption: -{c} needs argument."
                            )));
                        }
                    }
                };
                opts.flags.push((c, Some(value)));
                break;
            }
            if !plain.contains(c) {
                return Err(invalid_option(usage, &format!("-{c}")));
            }
            opts.flags.push((c, None));
        }
        i += 1;
    }
    opts.args = args[i.min(args.len())..].to_vec();
    Ok(opts)
}

/// The answer to a spec command that would open an editor (`p4 server
/// standby`): p4 writes the form to a temporary file and runs P4EDITOR,
/// which the simulator does not have.
pub(super) fn no_editor(command: &str, name: Option<&str>) -> CmdError {
    let target = name.map(|n| format!(" {n}")).unwrap_or_default();
    CmdError::failed(format!(
        "'p4 {command}{target}' would open the form in an editor, which the simulator does not run: print it with 'p4 {command} -o{target}' and save it with 'p4 {command} -i'."
    ))
}

/// What a replica does with a command that changes replicated metadata
/// (the write forms of the spec commands; their `-o` forms run anywhere):
/// a forwarding replica, forwarding standby or edge server passes it to its
/// P4TARGET, a read-only one refuses it. `None` on a server that is not a
/// replica: the command runs here.
pub(super) async fn write_on_replica(cx: &mut Cx<'_>) -> Option<CmdResult> {
    let services = cx.srv.services();
    if !services.is_replica() {
        return None;
    }
    if services.forwards() {
        return Some(crate::replication::forward::forward(cx).await);
    }
    Some(Err(CmdError::failed(
        "Replica does not support this command.",
    )))
}

/// `2019/10/18 14:07:44` in the server's time zone (spec `Update:` and
/// `Date:` fields).
pub(super) fn datetime(cx: &Cx<'_>, epoch: i64) -> String {
    cx.srv.zone().datetime(epoch)
}

/// `2019/10/18` in the server's time zone (list commands).
pub(super) fn date(cx: &Cx<'_>, epoch: i64) -> String {
    cx.srv.zone().date(epoch)
}

/// A description on one line, as the list commands quote it: every
/// newline becomes a space (`'Created by super. '`).
pub(super) fn one_line(text: &str) -> String {
    text.replace('\n', " ")
}

/// The form the client sent on standard input, for `-i`.
pub(super) fn form_input(cx: &Cx<'_>) -> String {
    cx.req.stdin.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn flags_group_and_take_values() {
        let o = parse_opts(&args("-df -c edge-server name"), "c", "dfio", &[], "u").unwrap();
        assert!(o.has('d') && o.has('f'));
        assert_eq!(o.value('c'), Some("edge-server"));
        assert_eq!(o.args, vec!["name"]);
        let o = parse_opts(&args("-hbox user"), "h", "as", &[], "u").unwrap();
        assert_eq!(o.value('h'), Some("box"));
        let e = parse_opts(&args("-x"), "", "o", &[], "servers [ -J ]").unwrap_err();
        assert_eq!(e.text, "Usage: servers [ -J ]\nInvalid option: -x.");
        let o = parse_opts(
            &args("--replication-status"),
            "",
            "J",
            &["replication-status"],
            "u",
        )
        .unwrap();
        assert!(o.has_long("replication-status"));
    }
}
