//! The history of acknowledged writes: every change a client was told had
//! succeeded, the server that said so and where its journal stood.

use std::sync::LazyLock;

use regex::Regex;

use super::calls::Call;

/// What a client was told was saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acked {
    /// `Change N submitted.`
    Change(i64),
    /// A spec saved or deleted: a row of `table` whose column `column` is
    /// `key` (`User X saved.` is `db.user` column 0).
    Row {
        /// The spec type as p4 names it (`User`, `Client`, `Group`...).
        kind: String,
        /// The table holding it.
        table: &'static str,
        /// The column holding its name.
        column: usize,
        /// Its name.
        key: String,
        /// Whether it was deleted (it must then be absent).
        deleted: bool,
    },
    /// `For server 'S', configuration variable 'V' set to 'X'` (or removed).
    Config {
        /// The server scope (`any` or a server ID).
        scope: String,
        /// The configurable.
        var: String,
        /// Its value; `None` when removed.
        value: Option<String>,
    },
    /// `Counter X set.` / `Counter X deleted.`
    Counter {
        /// The counter.
        name: String,
        /// Its value, when the command line gives it; `None` when deleted
        /// or not known.
        value: Option<String>,
        /// Whether it was deleted.
        deleted: bool,
    },
}

impl Acked {
    /// What later acknowledgements of the same thing replace: the last
    /// acknowledged state of each key is what must survive.
    pub fn key(&self) -> String {
        match self {
            Acked::Change(n) => format!("change {n}"),
            Acked::Row { table, key, .. } => format!("{table} {key}"),
            Acked::Config { scope, var, .. } => format!("config {scope}#{var}"),
            Acked::Counter { name, .. } => format!("counter {name}"),
        }
    }

    /// The p4 command that acknowledges it.
    fn command(&self) -> Vec<&'static str> {
        match self {
            Acked::Change(_) => vec!["submit", "populate", "copy", "merge", "integrate", "move"],
            Acked::Row { kind, .. } => match kind.as_str() {
                "User" => vec!["user", "passwd"],
                "Client" => vec!["client", "workspace"],
                "Label" => vec!["label"],
                "Branch" => vec!["branch"],
                "Server" => vec!["server"],
                "Depot" => vec!["depot"],
                "Group" => vec!["group"],
                _ => vec![],
            },
            Acked::Config { .. } => vec!["configure"],
            Acked::Counter { .. } => vec!["counter", "counters"],
        }
    }
}

/// Where a server's live journal stood right after an acknowledgement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JournalPosition {
    /// The live journal's path.
    pub journal: String,
    /// Its length in bytes.
    pub offset: u64,
}

/// One acknowledged write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    /// The step (from 1) whose command got the acknowledgement.
    pub step: usize,
    /// The server that acknowledged it.
    pub server: String,
    /// The line the client printed.
    pub line: String,
    /// What was saved.
    pub what: Acked,
    /// The acknowledging server's journal position, when it could be read.
    pub position: Option<JournalPosition>,
}

/// Every acknowledgement of a run, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct History {
    /// The acknowledgements.
    pub acks: Vec<Ack>,
}

impl History {
    /// The last acknowledgement of each key, in the order they were first
    /// acknowledged.
    pub fn latest(&self) -> Vec<&Ack> {
        let mut out: Vec<&Ack> = Vec::new();
        for ack in &self.acks {
            let key = ack.what.key();
            match out.iter_mut().find(|a| a.what.key() == key) {
                Some(slot) => *slot = ack,
                None => out.push(ack),
            }
        }
        out
    }
}

static CHANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Change (?:\d+ renamed change )?(\d+)(?: and)? submitted\.$")
        .unwrap_or_else(|e| panic!("{e}"))
});
static SPEC: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(User|Client|Label|Branch|Server|Depot|Group) (\S+) (saved|created|updated|deleted)\.$",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});
static CONFIG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^For server '([^']*)', configuration variable '([^']*)' (?:set to '(.*)'|(removed)\.?)$",
    )
    .unwrap_or_else(|e| panic!("{e}"))
});
static COUNTER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^Counter (\S+) (set|deleted)\.$").unwrap_or_else(|e| panic!("{e}"))
});

/// The acknowledgements printed in `stdout`, each with the call of the
/// script that most likely printed it.
pub fn acknowledgements<'c>(
    stdout: &str,
    calls: &'c [Call],
) -> Vec<(String, Acked, Option<&'c Call>)> {
    let mut found = Vec::new();
    for line in stdout.lines() {
        let line = line.trim_end();
        let what = if let Some(c) = CHANGE.captures(line) {
            c[1].parse().ok().map(Acked::Change)
        } else if let Some(c) = SPEC.captures(line) {
            let (table, column) = match &c[1] {
                "User" => ("db.user", 0),
                "Client" | "Label" | "Branch" => ("db.domain", 0),
                "Server" => ("db.server", 0),
                "Depot" => ("db.depot", 0),
                _ => ("db.group", 1),
            };
            Some(Acked::Row {
                kind: c[1].to_string(),
                table,
                column,
                key: c[2].to_string(),
                deleted: &c[3] == "deleted",
            })
        } else if let Some(c) = CONFIG.captures(line) {
            Some(Acked::Config {
                scope: c[1].to_string(),
                var: c[2].to_string(),
                value: c.get(3).map(|m| m.as_str().to_string()),
            })
        } else if let Some(c) = COUNTER.captures(line) {
            let deleted = &c[2] == "deleted";
            Some(Acked::Counter {
                name: c[1].to_string(),
                value: None,
                deleted,
            })
        } else {
            None
        };
        let Some(mut what) = what else { continue };
        let call = attribute(&what, calls);
        if let (
            Acked::Counter {
                name,
                value,
                deleted: false,
            },
            Some(call),
        ) = (&mut what, call)
        {
            *value = counter_value(call, name);
        }
        found.push((line.to_string(), what, call));
    }
    found
}

/// The call that printed an acknowledgement: the first whose command
/// makes such writes, else the first p4d call for configurables, else the
/// first call.
fn attribute<'c>(what: &Acked, calls: &'c [Call]) -> Option<&'c Call> {
    let commands = what.command();
    calls
        .iter()
        .find(|c| c.command.as_deref().is_some_and(|n| commands.contains(&n)))
        .or_else(|| match what {
            Acked::Config { .. } => calls.iter().find(|c| c.program == "p4d"),
            _ => None,
        })
        .or_else(|| calls.first())
}

/// The value a `p4 counter NAME VALUE` call sets.
fn counter_value(call: &Call, name: &str) -> Option<String> {
    if call.command.as_deref() != Some("counter") {
        return None;
    }
    let words: Vec<&String> = call.args.iter().filter(|a| !a.starts_with('-')).collect();
    match words.as_slice() {
        [n, v] if n.as_str() == name => Some(v.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::calls::calls;
    use super::*;

    #[test]
    fn recognises_acknowledgements() {
        let script = "p4 -p master:1666 submit -d x\np4 -p master:1666 counter mine 7\np4 -p master:1666 user -f -i";
        let c = calls(script);
        let out = "Submitting change 3.\nChange 3 submitted.\nCounter mine set.\nUser bob saved.\nUser bob not saved.\n\
                   For server 'any', configuration variable 'monitor' set to '2'\n\
                   For server 'standby', configuration variable 'P4TARGET' removed.\n\
                   Change 4 renamed change 6 and submitted.\nGroup ops created.\n";
        let acks = acknowledgements(out, &c);
        let whats: Vec<String> = acks.iter().map(|(_, w, _)| w.key()).collect();
        assert_eq!(
            whats,
            [
                "change 3",
                "counter mine",
                "db.user bob",
                "config any#monitor",
                "config standby#P4TARGET",
                "change 6",
                "db.group ops"
            ]
        );
        assert_eq!(
            acks[1].1,
            Acked::Counter {
                name: "mine".into(),
                value: Some("7".into()),
                deleted: false
            }
        );
        assert_eq!(acks[0].2.and_then(|c| c.command.as_deref()), Some("submit"));
        assert_eq!(acks[2].2.and_then(|c| c.command.as_deref()), Some("user"));
        assert_eq!(
            acks[4].1,
            Acked::Config {
                scope: "standby".into(),
                var: "P4TARGET".into(),
                value: None
            }
        );
    }
}
