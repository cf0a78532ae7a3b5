//! What a scenario did, step by step, as a reviewer reads it: the commands
//! with their normalised output and exit status, faults, copies, journals
//! and durability verdicts.
//!
//! Rendered two ways: the snapshot (only what the scenario marks for
//! review, stable across backends) and the full transcript of `--out`
//! (everything, including the set-up, the form fetches of `edit-spec`, the
//! attempts of waits and step locations).
//!
//! The layout borrows trycmd's console transcripts: `$ ` starts a command,
//! `> ` continues a multi-line one, `? N` is the exit status. Each step
//! starts with a heading line beginning `### `.

use std::fmt::Write as _;
use std::time::Duration;

use p4ha_scenario::format_duration;

/// The prefix of a step's heading line.
pub const HEADING: &str = "### ";

/// Which rendering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// What the reviewed snapshot holds.
    Snapshot,
    /// Everything (`--out`).
    Full,
}

/// A scenario's transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transcript {
    /// Entries in the order they happened.
    pub entries: Vec<Entry>,
}

/// One step (or the set-up of one server).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The heading, without the `### ` prefix: `7. [4.9] standby: start the standby`.
    pub heading: String,
    /// Where the step is written (full view only).
    pub location: Option<String>,
    /// Whether the entry belongs in the snapshot at all.
    pub in_snapshot: bool,
    /// What happened.
    pub blocks: Vec<Block>,
}

/// Something that happened within a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A command and its result.
    Command(CommandRecord),
    /// A line of text (a fault, a copy, a verdict).
    Line {
        /// The text.
        text: String,
        /// Whether it is part of the snapshot (else full view only).
        snapshot: bool,
    },
    /// A server's journal at this point.
    Journal {
        /// The server.
        server: String,
        /// The journal's path on its machine.
        path: String,
        /// The normalised content, or why it could not be read.
        content: Result<String, String>,
    },
}

/// A command and its normalised result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandRecord {
    /// The command line or script.
    pub script: String,
    /// A form fed on standard input, shown as a here-document.
    pub input: Option<String>,
    /// Normalised standard output.
    pub stdout: String,
    /// Normalised standard error.
    pub stderr: String,
    /// Exit status; `None` when the command did not finish in time.
    pub status: Option<i32>,
    /// Its time limit.
    pub timeout: Duration,
    /// How many times it ran (waits), shown in the full view.
    pub attempts: Option<u32>,
    /// Whether it is part of the snapshot.
    pub snapshot: bool,
}

impl Transcript {
    /// The transcript in one view.
    pub fn render(&self, view: View) -> String {
        let mut out = String::new();
        for entry in &self.entries {
            if view == View::Snapshot && !entry.in_snapshot {
                continue;
            }
            let blocks: Vec<&Block> = entry
                .blocks
                .iter()
                .filter(|b| view == View::Full || b.in_snapshot())
                .collect();
            if view == View::Snapshot && blocks.is_empty() {
                continue;
            }
            if !out.is_empty() {
                out.push('\n');
            }
            let _ = write!(out, "{HEADING}{}", entry.heading);
            if view == View::Full
                && let Some(loc) = &entry.location
            {
                let _ = write!(out, "  ({loc})");
            }
            out.push('\n');
            for block in blocks {
                block.render(view, &mut out);
            }
        }
        out
    }
}

impl Block {
    fn in_snapshot(&self) -> bool {
        match self {
            Block::Command(c) => c.snapshot,
            Block::Line { snapshot, .. } => *snapshot,
            Block::Journal { .. } => true,
        }
    }

    fn render(&self, view: View, out: &mut String) {
        match self {
            Block::Command(c) => c.render(view, out),
            Block::Line { text, .. } => {
                out.push_str(text);
                out.push('\n');
            }
            Block::Journal {
                server,
                path,
                content,
            } => {
                let _ = writeln!(out, "--- journal of {server} ({path})");
                match content {
                    Ok(text) if text.is_empty() => out.push_str("(empty)\n"),
                    Ok(text) => push_text(out, text),
                    Err(reason) => {
                        let _ = writeln!(out, "(no journal: {reason})");
                    }
                }
            }
        }
    }
}

/// Appends text, ending it with a newline (noting when it had none).
fn push_text(out: &mut String, text: &str) {
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push_str("\n[no newline at end]\n");
    }
}

impl CommandRecord {
    fn render(&self, view: View, out: &mut String) {
        for (i, line) in self.script.trim_end_matches('\n').lines().enumerate() {
            out.push_str(if i == 0 { "$ " } else { "> " });
            out.push_str(line);
            out.push('\n');
        }
        // A form fed on standard input, written as the here-document an
        // administrator would type.
        if let Some(input) = &self.input {
            out.pop();
            out.push_str(" <<EOF\n");
            push_text(out, input);
            out.push_str("EOF\n");
        }
        if !self.stdout.is_empty() {
            push_text(out, &self.stdout);
        }
        if !self.stderr.is_empty() {
            out.push_str("--- stderr\n");
            push_text(out, &self.stderr);
        }
        match self.status {
            Some(code) => {
                let _ = writeln!(out, "? {code}");
            }
            None => {
                let _ = writeln!(
                    out,
                    "? timeout: did not finish within {}",
                    format_duration(self.timeout)
                );
            }
        }
        if view == View::Full
            && let Some(n) = self.attempts
        {
            let _ = writeln!(out, "(attempt {n}; earlier attempts not shown)");
        }
    }
}

/// The step label of the heading governing line `line` (0-based) of a
/// rendered transcript: the nearest heading at or above it.
pub fn heading_at(text: &str, line: usize) -> Option<String> {
    text.lines()
        .take(line + 1)
        .filter_map(|l| l.strip_prefix(HEADING))
        .last()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd(script: &str, stdout: &str, snapshot: bool) -> Block {
        Block::Command(CommandRecord {
            script: script.into(),
            input: None,
            stdout: stdout.into(),
            stderr: String::new(),
            status: Some(0),
            timeout: Duration::from_secs(600),
            attempts: None,
            snapshot,
        })
    }

    #[test]
    fn a_form_fed_on_stdin_is_a_here_document() {
        let mut out = String::new();
        let rec = CommandRecord {
            script: "p4 -u super user -i -f".into(),
            input: Some("User:\tbob\n".into()),
            stdout: "User bob saved.\n".into(),
            stderr: "warning\n".into(),
            status: None,
            timeout: Duration::from_secs(90),
            attempts: Some(3),
            snapshot: true,
        };
        rec.render(View::Full, &mut out);
        assert_eq!(
            out,
            "$ p4 -u super user -i -f <<EOF\nUser:\tbob\nEOF\nUser bob saved.\n--- stderr\nwarning\n? timeout: did not finish within 1m30s\n(attempt 3; earlier attempts not shown)\n"
        );
    }

    #[test]
    fn views() {
        let t = Transcript {
            entries: vec![
                Entry {
                    heading: "set-up of master".into(),
                    location: None,
                    in_snapshot: false,
                    blocks: vec![cmd(
                        "p4dctl start master",
                        "Started 'master' p4d service.\n",
                        true,
                    )],
                },
                Entry {
                    heading: "1. [4.3] standby: run".into(),
                    location: Some("s.yaml:3:5".into()),
                    in_snapshot: true,
                    blocks: vec![
                        cmd("p4 -u super -o\ncat x", "a", true),
                        cmd("ls -l", "x\n", false),
                        Block::Line {
                            text: "(12 bytes)".into(),
                            snapshot: false,
                        },
                    ],
                },
            ],
        };
        assert_eq!(
            t.render(View::Snapshot),
            "### 1. [4.3] standby: run\n$ p4 -u super -o\n> cat x\na\n[no newline at end]\n? 0\n"
        );
        let full = t.render(View::Full);
        assert!(
            full.starts_with("### set-up of master\n$ p4dctl start master\n"),
            "{full}"
        );
        assert!(
            full.contains("### 1. [4.3] standby: run  (s.yaml:3:5)\n"),
            "{full}"
        );
        assert!(full.ends_with("$ ls -l\nx\n? 0\n(12 bytes)\n"), "{full}");
        assert_eq!(heading_at(&full, 0).as_deref(), Some("set-up of master"));
        assert_eq!(
            heading_at(&full, 6).as_deref(),
            Some("1. [4.3] standby: run  (s.yaml:3:5)")
        );
    }
}
