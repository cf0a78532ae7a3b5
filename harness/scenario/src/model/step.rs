//! The steps of a scenario and what each one does.

use std::fmt;
use std::time::Duration;

use super::duration::format_duration;
use super::expect::{Expect, Until};
use super::fault::Fault;
use super::location::Location;
use super::version::Version;

/// One step of a scenario, in the order it runs.
#[derive(Debug, Clone)]
pub struct Step {
    /// Where the step is written.
    pub location: Location,
    /// The `include:` steps that brought it in, innermost first (empty for
    /// a step written in the scenario file itself).
    pub included_from: Vec<Location>,
    /// The runbook section it mirrors (`1.1`, `7.2`), if given.
    pub section: Option<String>,
    /// A short title, if given.
    pub name: Option<String>,
    /// What it does.
    pub action: Action,
}

impl Step {
    /// The title to show: the step's name, else a summary of its action.
    pub fn title(&self) -> String {
        match &self.name {
            Some(name) => name.clone(),
            None => self.action.to_string(),
        }
    }
}

/// What a step does.
#[derive(Debug, Clone)]
pub enum Action {
    /// Run a command line on a server's host and check what it prints.
    Run(Run),
    /// Repeat a command until a condition holds.
    Wait(Wait),
    /// Fetch a spec form with `-o`, change fields, save it with `-i`.
    EditSpec(EditSpec),
    /// Copy a file from one host to another.
    Copy(Copy),
    /// Inject a fault.
    Fault(Fault),
    /// Snapshot these servers' journals (normalised) at this point.
    SnapshotJournals(Vec<String>),
    /// Let this much backend time pass.
    Sleep(Duration),
    /// Replace a server's p4d binary (or container image) with another release.
    Upgrade(Upgrade),
    /// Run the durability checker.
    CheckDurability(CheckDurability),
}

impl Action {
    /// The step key that selects the action (`run`, `wait`, `edit-spec`, ...).
    pub fn key(&self) -> &'static str {
        match self {
            Action::Run(_) => "run",
            Action::Wait(_) => "wait",
            Action::EditSpec(_) => "edit-spec",
            Action::Copy(_) => "copy",
            Action::Fault(_) => "fault",
            Action::SnapshotJournals(_) => "snapshot-journals",
            Action::Sleep(_) => "sleep",
            Action::Upgrade(_) => "upgrade",
            Action::CheckDurability(_) => "check",
        }
    }

    /// The servers the action names.
    pub fn servers(&self) -> Vec<&str> {
        match self {
            Action::Run(run) => vec![run.command.on.as_str()],
            Action::Wait(wait) => vec![wait.command.on.as_str()],
            Action::EditSpec(edit) => vec![edit.on.as_str()],
            Action::Copy(copy) => vec![copy.from.server.as_str(), copy.to.server.as_str()],
            Action::Fault(fault) => fault.servers(),
            Action::SnapshotJournals(servers) => servers.iter().map(String::as_str).collect(),
            Action::Sleep(_) => Vec::new(),
            Action::Upgrade(upgrade) => vec![upgrade.server.as_str()],
            Action::CheckDurability(check) => vec![check.new_master.as_str()],
        }
    }
}

impl fmt::Display for Action {
    /// A one-line summary: the first line of a command, a fault, a copy.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Run(run) => {
                write!(f, "{}$ {}", run.command.on, first_line(&run.command.script))
            }
            Action::Wait(wait) => write!(
                f,
                "{}$ {} (until ..., at most {})",
                wait.command.on,
                first_line(&wait.command.script),
                format_duration(wait.timeout)
            ),
            Action::EditSpec(edit) => write!(f, "{}$ {} (edit)", edit.on, edit.command),
            Action::Copy(copy) => write!(f, "copy {} -> {}", copy.from, copy.to),
            Action::Fault(fault) => write!(f, "fault: {fault}"),
            Action::SnapshotJournals(servers) => {
                write!(f, "snapshot journals of {}", servers.join(", "))
            }
            Action::Sleep(d) => write!(f, "sleep {}", format_duration(*d)),
            Action::Upgrade(u) => write!(f, "upgrade {} to {}", u.server, u.version),
            Action::CheckDurability(c) => write!(
                f,
                "check durability with {} as the new master (expect {})",
                c.new_master,
                c.expect.as_str()
            ),
        }
    }
}

fn first_line(script: &str) -> &str {
    let line = script.trim_start().lines().next().unwrap_or("");
    line.trim_end()
}

/// A command line to run on a server's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The server whose host runs it.
    pub on: String,
    /// The command line; several lines form a small shell script.
    pub script: String,
    /// Text fed to its standard input (passwords for prompts).
    pub stdin: Option<String>,
    /// Environment for this step, on top of the server's `env`, in order.
    pub env: Vec<(String, String)>,
}

/// A `run` step.
#[derive(Debug, Clone)]
pub struct Run {
    /// The command.
    pub command: Command,
    /// What it must show.
    pub expect: Expect,
    /// Whether its output goes into the reviewed snapshot (default true).
    pub snapshot: bool,
    /// Time limit for the command, if the step sets one.
    pub timeout: Option<Duration>,
}

/// A `wait` step: run the command every `every` until `until` holds, failing
/// after `timeout` (both in the backend's time).
#[derive(Debug, Clone)]
pub struct Wait {
    /// The command.
    pub command: Command,
    /// The condition that ends the wait.
    pub until: Until,
    /// How long to keep trying (default 60s).
    pub timeout: Duration,
    /// Pause between attempts (default 1s).
    pub every: Duration,
    /// Whether the last attempt's output goes into the snapshot (default true).
    pub snapshot: bool,
}

/// An `edit-spec` step: the runbook's "edit the form in the editor".
#[derive(Debug, Clone)]
pub struct EditSpec {
    /// The server whose host runs the commands.
    pub on: String,
    /// The command that opens the form in an editor, as the runbook writes
    /// it (`p4 -u super -p master:1666 server standby`).
    pub command: String,
    /// Environment for this step, on top of the server's `env`.
    pub env: Vec<(String, String)>,
    /// Fields to replace, in order; a multi-line value sets a list field.
    pub set: Vec<(String, String)>,
    /// Lines to add at the end of list fields (runs of blanks collapsed to
    /// one space).
    pub append: Vec<(String, Vec<String>)>,
    /// Lines to remove from list fields; a form line matches when it is equal
    /// once runs of blanks are collapsed to one space.
    pub remove: Vec<(String, Vec<String>)>,
    /// What the save (`-i`) must show.
    pub expect: Expect,
    /// Whether the saved form and the save's output go into the snapshot.
    pub snapshot: bool,
    /// Time limit for each of the two commands, if set.
    pub timeout: Option<Duration>,
}

impl EditSpec {
    /// The command that prints the form: `-o` after the command name,
    /// followed by the command's arguments without its flags
    /// (`p4 user -f service` -> `p4 user -o service`).
    pub fn fetch_command(&self) -> String {
        form_command(&self.command, "-o", |word| !word.starts_with('-'))
    }

    /// The command that reads the form back: `-i` after the command name,
    /// followed by the command's flags without its arguments, which the form
    /// itself names (`p4 user -f service` -> `p4 user -i -f`,
    /// `p4 server standby` -> `p4 server -i`).
    pub fn save_command(&self) -> String {
        form_command(&self.command, "-i", |word| word.starts_with('-'))
    }
}

/// p4 global options that take a value (`-u super`, or `-usuper`).
const P4_VALUE_OPTIONS: &[char] = &[
    'b', 'c', 'C', 'd', 'E', 'H', 'L', 'p', 'P', 'Q', 'r', 'u', 'v', 'x', 'z',
];

/// The byte range of the p4 command name in a `p4 [global options] name args`
/// line, skipping global options and their values; `None` when the line is
/// not a p4 command.
pub(crate) fn p4_command_name(line: &str) -> Option<std::ops::Range<usize>> {
    let mut words = shell_words(line).into_iter();
    let program = words.next()?;
    let program_name = line[program.clone()].rsplit('/').next().unwrap_or("");
    if program_name != "p4" {
        return None;
    }
    while let Some(word) = words.next() {
        let text = &line[word.clone()];
        let Some(option) = text.strip_prefix('-') else {
            return Some(word);
        };
        let mut letters = option.chars();
        if let Some(letter) = letters.next()
            && P4_VALUE_OPTIONS.contains(&letter)
            && letters.as_str().is_empty()
        {
            words.next()?;
        }
    }
    None
}

/// `p4 [global options] NAME FLAG WORDS...`, keeping the words after the
/// command name that `keep` accepts. A line that is not recognisably a p4
/// command gets the flag appended.
fn form_command(command: &str, flag: &str, keep: impl Fn(&str) -> bool) -> String {
    let Some(name) = p4_command_name(command) else {
        return format!("{command} {flag}");
    };
    let mut out = format!("{} {flag}", &command[..name.end]);
    let rest = &command[name.end..];
    for word in shell_words(rest) {
        let text = &rest[word];
        if keep(text) {
            out.push(' ');
            out.push_str(text);
        }
    }
    out
}

/// Byte ranges of the words of a shell line: blanks separate words, quotes
/// group (the quotes stay part of the word).
fn shell_words(line: &str) -> Vec<std::ops::Range<usize>> {
    let mut words = Vec::new();
    let mut start: Option<usize> = None;
    let mut quote: Option<char> = None;
    for (at, c) in line.char_indices() {
        match quote {
            Some(open) if c == open => quote = None,
            Some(_) => {}
            None if c == '"' || c == '\'' => {
                quote = Some(c);
                start.get_or_insert(at);
            }
            None if c.is_whitespace() => {
                if let Some(s) = start.take() {
                    words.push(s..at);
                }
            }
            None => {
                start.get_or_insert(at);
            }
        }
    }
    if let Some(s) = start {
        words.push(s..line.len());
    }
    words
}

/// A file on a server's host, written `SERVER:/absolute/path`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRef {
    /// The server whose host holds the file.
    pub server: String,
    /// Absolute path on that host.
    pub path: String,
}

impl fmt::Display for FileRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.server, self.path)
    }
}

/// A `copy` step: the runbook's file transfer (FTP) between hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copy {
    /// The source file.
    pub from: FileRef,
    /// The destination file (its directory must exist, as with FTP).
    pub to: FileRef,
}

/// An `upgrade` step: the server's p4d binary (or image) is replaced; p4d
/// keeps running the old release until the runbook restarts it, and the
/// runbook runs `p4d -xu` as Perforce documents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    /// The server.
    pub server: String,
    /// The new release.
    pub version: Version,
    /// Container image for the docker backend, if not the default one.
    pub image: Option<String>,
}

/// The verdict a durability check must reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every acknowledged change is on the new master, no replica is ahead of it.
    #[default]
    Safe,
    /// The checker reports lost changes (the scenario demonstrates a loss).
    Loss,
}

impl Durability {
    /// The value as written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            Durability::Safe => "safe",
            Durability::Loss => "loss",
        }
    }
}

/// A `check: durability` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckDurability {
    /// The server that is master after the failover.
    pub new_master: String,
    /// The verdict the scenario expects.
    pub expect: Durability,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(command: &str) -> EditSpec {
        EditSpec {
            on: "master".into(),
            command: command.into(),
            env: Vec::new(),
            set: Vec::new(),
            append: Vec::new(),
            remove: Vec::new(),
            expect: Expect::default(),
            snapshot: true,
            timeout: None,
        }
    }

    #[test]
    fn form_flags_follow_the_command_name() {
        let e = edit("p4 -u super -p master:1666 server standby");
        assert_eq!(
            e.fetch_command(),
            "p4 -u super -p master:1666 server -o standby"
        );
        assert_eq!(e.save_command(), "p4 -u super -p master:1666 server -i");
        assert_eq!(edit("p4 protect").fetch_command(), "p4 protect -o");
        assert_eq!(edit("p4 protect").save_command(), "p4 protect -i");
        let user = edit("/opt/perforce/bin/p4 -usuper -E \"P4TICKETS=/a b\" user -f service");
        assert_eq!(
            user.fetch_command(),
            "/opt/perforce/bin/p4 -usuper -E \"P4TICKETS=/a b\" user -o service"
        );
        assert_eq!(
            user.save_command(),
            "/opt/perforce/bin/p4 -usuper -E \"P4TICKETS=/a b\" user -i -f"
        );
        assert_eq!(p4_command_name("p4 -u"), None);
        assert_eq!(p4_command_name("sudo p4 user"), None);
    }
}
