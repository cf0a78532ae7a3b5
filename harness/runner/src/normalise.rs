//! Redactions applied to command outputs and journals before they are
//! compared with snapshots, in the manner of insta's filters: values that
//! legitimately differ from run to run (dates, epoch seconds, tickets,
//! process ids, ephemeral ports, temporary paths, generated ids) become
//! stable placeholders, and everything a reviewer must see (journal
//! numbers, sequences, change numbers, server names, messages, time-zone
//! offsets) stays as printed.
//!
//! The same scenario must give the same snapshot on the simulator (virtual
//! time, seeded randomness) and in containers (wall-clock time, real
//! process ids), so every value that comes from a clock, a process table
//! or a random source is redacted, even where the simulator alone would be
//! stable.

use regex::{Captures, Regex};

/// The placeholders, as they appear in snapshots.
pub mod placeholder {
    /// A date or date and time (`2019/10/18 14:01:42`, `2019/10/18`).
    pub const DATE: &str = "[DATE]";
    /// Epoch seconds (journal notes, `@ex@` markers, dates in tables).
    pub const EPOCH: &str = "[EPOCH]";
    /// A process id (`@ex@ PID TIME`).
    pub const PID: &str = "[PID]";
    /// A login ticket or other random 32-digit hex value.
    pub const TICKET: &str = "[TICKET]";
    /// A file digest that depends on dated content (`MD5 = ...`).
    pub const MD5: &str = "[MD5]";
    /// How long a server has been up.
    pub const UPTIME: &str = "[UPTIME]";
    /// The time left on a ticket (`p4 login -s`), which real time shortens
    /// between the login and the question on containers.
    pub const EXPIRY: &str = "[EXPIRY]";
    /// An ephemeral client port.
    pub const PORT: &str = "[PORT]";
    /// A temporary file or folder name made unique by a random suffix.
    pub const TMP: &str = "[TMP]";
    /// A generated id (UUID layout).
    pub const UUID: &str = "[UUID]";
}

/// Epoch seconds between 2000-01-01 and 2100-01-01 are taken for
/// timestamps: p4d prints none of its counters, change numbers or journal
/// sequences that large in a rehearsal, and every date it stores falls in
/// that range.
const EPOCH_MIN: u64 = 946_684_800;
const EPOCH_MAX: u64 = 4_102_444_800;

/// One redaction: a pattern and how to rewrite each match.
struct Rule {
    regex: Regex,
    replace: fn(&Captures<'_>) -> String,
}

/// Applies the redactions in a fixed order.
pub struct Normaliser {
    rules: Vec<Rule>,
}

impl std::fmt::Debug for Normaliser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Normaliser")
            .field("rules", &self.rules.len())
            .finish()
    }
}

impl Default for Normaliser {
    fn default() -> Self {
        Self::new()
    }
}

fn rule(pattern: &str, replace: fn(&Captures<'_>) -> String) -> Rule {
    // The patterns are constants of this file; a typo is caught by its tests.
    let regex =
        Regex::new(pattern).unwrap_or_else(|e| panic!("bad redaction pattern {pattern}: {e}"));
    Rule { regex, replace }
}

impl Normaliser {
    /// The standard redactions.
    pub fn new() -> Normaliser {
        let rules = vec![
            // Journal markers: `@ex@ 31337 1571379700` (process id, time).
            rule(r"(?m)^@(ex|mx)@ \d+ \d+", |c| {
                format!("@{}@ {} {}", &c[1], placeholder::PID, placeholder::EPOCH)
            }),
            // Dates with times, as p4 prints them (`2019/10/18 14:01:42`),
            // ISO 8601, and date(1)'s default layout.
            rule(r"\b\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}\b", |_| {
                placeholder::DATE.into()
            }),
            rule(
                r"\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
                |_| placeholder::DATE.into(),
            ),
            rule(
                r"\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2}(?: [A-Z]{2,5})? \d{4}\b",
                |_| placeholder::DATE.into(),
            ),
            // Dates alone (`Change 4 on 2019/10/18 by ...`), except the
            // build date of a version string (`2019.1/1796703 (2019/05/20)`),
            // which is part of the release.
            // A date with its time in a revision specifier
            // (`//depot/...@2019/10/18:13:00:00`) goes whole: the hour
            // depends on the clock as much as the day does.
            rule(
                r"(/\d+ \()?\b(\d{4}/\d{2}/\d{2}(?::\d{2}:\d{2}:\d{2})?)\b",
                |c| match c.get(1) {
                    Some(keep) => format!("{}{}", keep.as_str(), &c[2]),
                    None => placeholder::DATE.into(),
                },
            ),
            // Uptime, in text and tagged output.
            rule(
                r"(Server uptime: |\.\.\. serverUptime )\d+:\d{2}:\d{2}",
                |c| format!("{}{}", &c[1], placeholder::UPTIME),
            ),
            // Ticket lifetimes left (`p4 login -s`, `p4 tickets`).
            rule(r"(expires in )\d+ hours? \d+ minutes?", |c| {
                format!("{}{}", &c[1], placeholder::EXPIRY)
            }),
            // The client's ephemeral port in `Peer address`.
            rule(r"(Peer address: |\.\.\. peerAddress )([^\s:]+):\d+", |c| {
                format!("{}{}:{}", &c[1], &c[2], placeholder::PORT)
            }),
            // Generated ids (`p4 server -g`).
            rule(
                r"\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b",
                |_| placeholder::UUID.into(),
            ),
            // Digests of checkpoints and journals, whose content holds dates.
            rule(r"(MD5 = |MD5 \([^)\n]*\) = )[0-9A-Fa-f]{32}\b", |c| {
                format!("{}{}", &c[1], placeholder::MD5)
            }),
            rule(r"\b[0-9a-f]{32}\b", |_| placeholder::MD5.into()),
            // Tickets and other random 32-digit values.
            rule(r"\b[0-9A-F]{32}\b", |_| placeholder::TICKET.into()),
            // mktemp(1) names.
            rule(r"\btmp\.[A-Za-z0-9]{6,}\b", |_| placeholder::TMP.into()),
            // Process ids named as such.
            rule(r"\b(pid|PID|process id) \d+\b", |c| {
                format!("{} {}", &c[1], placeholder::PID)
            }),
        ];
        Normaliser { rules }
    }

    /// The redacted text.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for rule in &self.rules {
            if rule.regex.is_match(&out) {
                out = rule
                    .regex
                    .replace_all(&out, |c: &Captures<'_>| (rule.replace)(c))
                    .into_owned();
            }
        }
        redact_epochs(&out)
    }

    /// The redacted text of bytes (invalid UTF-8 replaced).
    pub fn apply_bytes(&self, bytes: &[u8]) -> String {
        self.apply(&String::from_utf8_lossy(bytes))
    }
}

/// Replaces every free-standing ten-digit number in the epoch range with
/// `[EPOCH]`. A number glued to a dot, colon, slash, dash or letter is part
/// of something else (an address, a version, a path, a name) and stays.
fn redact_epochs(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        if i - start != 10 {
            continue;
        }
        let glued =
            |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b"._:/-+".contains(b));
        let before = if start == 0 {
            None
        } else {
            bytes.get(start - 1)
        };
        if glued(before) || glued(bytes.get(i)) {
            continue;
        }
        let value: u64 = text[start..i].parse().unwrap_or(0);
        if (EPOCH_MIN..EPOCH_MAX).contains(&value) {
            out.push_str(&text[copied..start]);
            out.push_str(placeholder::EPOCH);
            copied = i;
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(text: &str) -> String {
        Normaliser::new().apply(text)
    }

    #[test]
    fn journal_markers_and_notes() {
        assert_eq!(n("@ex@ 31337 1571379700 \n"), "@ex@ [PID] [EPOCH] \n");
        assert_eq!(n("@mx@ 31339 1571379800 \n"), "@mx@ [PID] [EPOCH] \n");
        assert_eq!(
            n("@nx@ 2 1571379608 @47@ 1 0 0 0 0 @/p4/1/root@ @journal@ @@ @@ @@ \n"),
            "@nx@ 2 [EPOCH] @47@ 1 0 0 0 0 @/p4/1/root@ @journal@ @@ @@ @@ \n"
        );
        assert_eq!(
            n(
                "@pv@ 1 @db.counters@ @lastCheckpointAction@ @1571379600 (2019/10/18 15:20:00 +0900 JST) checkpoint started@ \n"
            ),
            "@pv@ 1 @db.counters@ @lastCheckpointAction@ @[EPOCH] ([DATE] +0900 JST) checkpoint started@ \n"
        );
        // Change numbers, journal numbers and sequences stay.
        assert_eq!(
            n("@pv@ 6 @db.change@ 4 4 @ws@ @p4admin@ 1571379700 1 @x@ \n"),
            "@pv@ 6 @db.change@ 4 4 @ws@ @p4admin@ [EPOCH] 1 @x@ \n"
        );
    }

    #[test]
    fn p4_output() {
        assert_eq!(
            n("Server date: 2019/10/18 14:01:42 +0900 JST\n"),
            "Server date: [DATE] +0900 JST\n"
        );
        assert_eq!(n("Server uptime: 00:05:12\n"), "Server uptime: [UPTIME]\n");
        assert_eq!(
            n("User service ticket expires in 11 hours 59 minutes.\n"),
            "User service ticket expires in [EXPIRY].\n"
        );
        assert_eq!(
            n("//depot/...@2019/10/18:08:00:00 - no file(s) as of that date.\n"),
            "//depot/...@[DATE] - no file(s) as of that date.\n"
        );
        assert_eq!(
            n("... serverUptime 12:00:01\n"),
            "... serverUptime [UPTIME]\n"
        );
        assert_eq!(
            n("Peer address: 192.168.56.114:53412\n"),
            "Peer address: 192.168.56.114:[PORT]\n"
        );
        assert_eq!(
            n("Change 4 on 2019/10/18 by super@ws 'x'\n"),
            "Change 4 on [DATE] by super@ws 'x'\n"
        );
        assert_eq!(
            n("Current replica journal state is:\tJournal 1,\tSequence 8403.\n"),
            "Current replica journal state is:\tJournal 1,\tSequence 8403.\n"
        );
        assert_eq!(
            n("MD5 = 5D41402ABC4B2A76B9719D911017C592\n"),
            "MD5 = [MD5]\n"
        );
        assert_eq!(
            n("MD5 (checkpoint.1) = 5D41402ABC4B2A76B9719D911017C592\n"),
            "MD5 (checkpoint.1) = [MD5]\n"
        );
        assert_eq!(n("5D41402ABC4B2A76B9719D911017C592\n"), "[TICKET]\n");
        assert_eq!(
            n("Server address: 192.168.56.114:1666\n"),
            "Server address: 192.168.56.114:1666\n"
        );
        assert_eq!(
            n("Server version: P4D/LINUX26X86_64/2019.1/1796703 (2019/05/20)\n"),
            "Server version: P4D/LINUX26X86_64/2019.1/1796703 (2019/05/20)\n"
        );
        assert_eq!(n("/tmp/tmp.Ab12Cd\n"), "/tmp/[TMP]\n");
        assert_eq!(n("d5d1f1e0-1c2b-4a3d-9e8f-0123456789ab\n"), "[UUID]\n");
    }

    #[test]
    fn numbers_that_are_not_epochs_stay() {
        assert_eq!(n("Sequence 12345\n"), "Sequence 12345\n");
        assert_eq!(n("version 2019.1/1796703\n"), "version 2019.1/1796703\n");
        assert_eq!(n("size 99999999999\n"), "size 99999999999\n");
        assert_eq!(n("10.0.0.1571379700\n"), "10.0.0.1571379700\n");
        assert_eq!(n("epoch 1571379700\n"), "epoch [EPOCH]\n");
    }

    #[test]
    fn stable_under_repetition() {
        let text = "Server date: 2019/10/18 14:01:42 +0900 JST\n@ex@ 1 1571379700 \n";
        assert_eq!(n(&n(text)), n(text));
    }
}
