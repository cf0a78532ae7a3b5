//! Expected command output with wildcards, as trycmd writes transcripts.
//!
//! `[..]` inside a line matches any characters of that line; a line holding
//! only `...` matches any number of lines (none included). Trailing spaces and
//! tabs at line ends are ignored on both sides, and so is a final newline,
//! because transcripts pasted from a runbook rarely keep them.

use std::fmt::Write as _;

/// The text that stands for "any characters" inside a line.
pub const ANY_TEXT: &str = "[..]";
/// The line that stands for "any number of lines".
pub const ANY_LINES: &str = "...";

/// An expected output, matched line by line with `[..]` and `...` wildcards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputPattern {
    source: String,
    lines: Vec<PatternLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum PatternLine {
    /// `...`: any number of lines.
    AnyLines,
    /// A line; `parts` is the line split at each `[..]`.
    Line { text: String, parts: Vec<String> },
}

impl PatternLine {
    fn matches(&self, actual: &str) -> bool {
        match self {
            PatternLine::AnyLines => true,
            PatternLine::Line { parts, .. } => line_matches(parts, actual),
        }
    }
}

impl OutputPattern {
    /// Reads a pattern. Every text is a valid pattern.
    pub fn new(source: &str) -> Self {
        let lines = split_lines(source)
            .into_iter()
            .map(|line| {
                if line == ANY_LINES {
                    PatternLine::AnyLines
                } else {
                    PatternLine::Line {
                        text: line.to_owned(),
                        parts: line.split(ANY_TEXT).map(str::to_owned).collect(),
                    }
                }
            })
            .collect();
        Self {
            source: source.to_owned(),
            lines,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// Whether `actual` matches the pattern.
    pub fn matches(&self, actual: &str) -> bool {
        let actual = split_lines(actual);
        lines_match(&self.lines, &actual)
    }

    /// A readable account of how `actual` differs from the pattern: a unified
    /// diff of the pattern (`-`) against the output (`+`), in which output
    /// lines that a pattern line accepts are shown as the pattern line, so
    /// only the real differences stand out.
    pub fn render_mismatch(&self, actual: &str) -> String {
        let actual_lines = split_lines(actual);
        let aligned = self.align(&actual_lines);
        let expected: String = self.lines.iter().fold(String::new(), |mut acc, line| {
            acc.push_str(match line {
                PatternLine::AnyLines => ANY_LINES,
                PatternLine::Line { text, .. } => text,
            });
            acc.push('\n');
            acc
        });
        let got: String = aligned.iter().fold(String::new(), |mut acc, line| {
            acc.push_str(line);
            acc.push('\n');
            acc
        });
        let diff = similar::TextDiff::from_lines(&expected, &got);
        let mut out = String::new();
        for change in diff.iter_all_changes() {
            let sign = match change.tag() {
                similar::ChangeTag::Equal => ' ',
                similar::ChangeTag::Delete => '-',
                similar::ChangeTag::Insert => '+',
            };
            let _ = write!(out, "{sign} {}", change.value());
        }
        if actual_lines.is_empty() {
            out.push_str("+ (no output)\n");
        }
        out
    }

    /// The output lines, with each line a pattern line accepts replaced by
    /// that pattern line and each run of lines a `...` accepts replaced by
    /// `...`.
    fn align<'a>(&'a self, actual: &[&'a str]) -> Vec<&'a str> {
        let mut out = Vec::with_capacity(actual.len());
        let (mut p, mut a) = (0, 0);
        while a < actual.len() {
            match self.lines.get(p) {
                None => {
                    out.push(actual[a]);
                    a += 1;
                }
                Some(PatternLine::AnyLines) => {
                    out.push(ANY_LINES);
                    p += 1;
                    // The `...` takes lines up to the next line the pattern names.
                    match self.lines[p..]
                        .iter()
                        .find(|l| !matches!(l, PatternLine::AnyLines))
                    {
                        None => a = actual.len(),
                        Some(next) => {
                            // When no later line fits, the `...` takes nothing and the
                            // remaining lines show up as differences.
                            if let Some(found) = actual[a..].iter().position(|l| next.matches(l)) {
                                a += found;
                            }
                        }
                    }
                }
                Some(line @ PatternLine::Line { text, .. }) if line.matches(actual[a]) => {
                    out.push(text);
                    p += 1;
                    a += 1;
                }
                Some(PatternLine::Line { .. }) => {
                    // Resynchronise on a later pattern line that accepts this output line,
                    // so that one missing line does not turn the rest into differences.
                    let later = self.lines[p + 1..].iter().position(|l| {
                        matches!(l, PatternLine::Line { .. }) && l.matches(actual[a])
                    });
                    match later {
                        Some(skip) => p += 1 + skip,
                        None => {
                            out.push(actual[a]);
                            a += 1;
                        }
                    }
                }
            }
        }
        out
    }
}

/// Lines of a text without their terminators, without a final empty line and
/// without trailing blanks.
fn split_lines(text: &str) -> Vec<&str> {
    if text.is_empty() {
        return Vec::new();
    }
    let body = text.strip_suffix('\n').unwrap_or(text);
    body.split('\n')
        .map(|line| line.trim_end_matches([' ', '\t', '\r']))
        .collect()
}

/// One line against its parts (the pattern line split at `[..]`).
fn line_matches(parts: &[String], actual: &str) -> bool {
    let (first, rest) = match parts.split_first() {
        Some(split) => split,
        None => return actual.is_empty(),
    };
    let Some(last) = rest.last() else {
        return actual == first;
    };
    let middle = &rest[..rest.len() - 1];
    if actual.len() < first.len() + last.len()
        || !actual.starts_with(first.as_str())
        || !actual.ends_with(last.as_str())
    {
        return false;
    }
    let mut window = &actual[first.len()..actual.len() - last.len()];
    // Leftmost matching of each fixed part is optimal when the only wildcard
    // matches any text.
    for part in middle {
        match window.find(part.as_str()) {
            Some(at) => window = &window[at + part.len()..],
            None => return false,
        }
    }
    true
}

/// Glob matching over lines, `...` being the only multi-line wildcard: the
/// classic greedy algorithm that backtracks to the last `...` seen.
fn lines_match(pattern: &[PatternLine], actual: &[&str]) -> bool {
    let (mut p, mut a) = (0, 0);
    // Pattern index after the last `...`, and the output line it resumes from.
    let mut resume: Option<(usize, usize)> = None;
    while a < actual.len() {
        match pattern.get(p) {
            Some(PatternLine::AnyLines) => {
                resume = Some((p + 1, a));
                p += 1;
                continue;
            }
            Some(line) if line.matches(actual[a]) => {
                p += 1;
                a += 1;
                continue;
            }
            _ => {}
        }
        match resume {
            Some((after_star, from)) => {
                p = after_star;
                a = from + 1;
                resume = Some((after_star, from + 1));
            }
            None => return false,
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|line| matches!(line, PatternLine::AnyLines))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn m(pattern: &str, actual: &str) -> bool {
        OutputPattern::new(pattern).matches(actual)
    }

    #[test]
    fn exact_text_matches_itself_only() {
        assert!(m("Server standby saved.\n", "Server standby saved.\n"));
        assert!(m("Server standby saved.", "Server standby saved.\n"));
        assert!(!m("Server standby saved.\n", "Server standby not saved.\n"));
        assert!(m("", ""));
        assert!(!m("", "x\n"));
        assert!(!m("x\n", ""));
    }

    #[test]
    fn in_line_wildcard() {
        let pattern = "Current replica journal state is:\tJournal [..],\tSequence [..].\n";
        assert!(m(
            pattern,
            "Current replica journal state is:\tJournal 1,\tSequence 8403.\n"
        ));
        assert!(!m(
            pattern,
            "Current master journal state is:\tJournal 1,\tSequence 8403.\n"
        ));
        assert!(m("[..]", "anything at all"));
        assert!(m("[..]", "\n"));
        assert!(!m("[..]", ""), "a pattern line needs an output line");
        assert!(!m("a[..]a", "a"));
        assert!(m("a[..]a", "aa"));
    }

    #[test]
    fn any_lines_wildcard() {
        let pattern = "Starting failover process ...\n...\nPerforce Server re-starting...\n";
        let actual = "Starting failover process ...\nRefusing new commands ...\nStalling ...\nPerforce Server re-starting...\n";
        assert!(m(pattern, actual));
        assert!(m("a\n...\nb\n", "a\nb\n"));
        assert!(!m("a\n...\nb\n", "a\nc\n"));
        assert!(m("...\n", ""));
        assert!(m("...\nlast\n", "x\ny\nlast\n"));
    }

    #[test]
    fn trailing_blanks_and_carriage_returns_are_ignored() {
        assert!(m("master 1/8773  \n", "master 1/8773\r\n"));
    }

    #[test]
    fn mismatch_shows_only_real_differences() {
        let pattern = OutputPattern::new("Journal [..]\n...\nUser service saved.\n");
        let text = pattern.render_mismatch("Journal 1\nfoo\nbar\nUser service not saved.\n");
        assert_eq!(
            text,
            "  Journal [..]\n  ...\n- User service saved.\n+ foo\n+ bar\n+ User service not saved.\n"
        );
        let pattern = OutputPattern::new("a\nb\nc\n");
        assert_eq!(pattern.render_mismatch("a\nc\n"), "  a\n- b\n  c\n");
        assert_eq!(
            pattern.render_mismatch(""),
            "- a\n- b\n- c\n+ (no output)\n"
        );
    }

    /// Reference matcher: exhaustive recursion, obviously right, exponential.
    fn reference(pattern: &[PatternLine], actual: &[&str]) -> bool {
        match pattern.split_first() {
            None => actual.is_empty(),
            Some((PatternLine::AnyLines, rest)) => {
                (0..=actual.len()).any(|skip| reference(rest, &actual[skip..]))
            }
            Some((line, rest)) => {
                !actual.is_empty() && line.matches(actual[0]) && reference(rest, &actual[1..])
            }
        }
    }

    fn reference_line(pattern: &str, actual: &str) -> bool {
        match pattern.find(ANY_TEXT) {
            None => pattern == actual,
            Some(at) => {
                let (head, tail) = (&pattern[..at], &pattern[at + ANY_TEXT.len()..]);
                actual.starts_with(head)
                    && (head.len()..=actual.len())
                        .filter(|i| actual.is_char_boundary(*i))
                        .any(|i| reference_line(tail, &actual[i..]))
            }
        }
    }

    proptest! {
        #[test]
        fn line_wildcards_agree_with_the_reference(
            pattern in "(a|b|\\[\\.\\.\\]){0,6}",
            actual in "[ab]{0,8}",
        ) {
            let parts: Vec<String> = pattern.split(ANY_TEXT).map(str::to_owned).collect();
            prop_assert_eq!(line_matches(&parts, &actual), reference_line(&pattern, &actual));
        }

        #[test]
        fn line_globs_agree_with_the_reference(
            pattern in proptest::collection::vec("(a|b|\\.\\.\\.|a\\[\\.\\.\\])", 0..6),
            actual in proptest::collection::vec("[ab]{1,2}", 0..7),
        ) {
            let text = pattern.join("\n");
            let compiled = OutputPattern::new(&text);
            let actual_refs: Vec<&str> = actual.iter().map(String::as_str).collect();
            prop_assert_eq!(
                lines_match(&compiled.lines, &actual_refs),
                reference(&compiled.lines, &actual_refs)
            );
        }

        #[test]
        fn text_matches_itself_and_rendering_never_panics(text in "(?s).{0,80}") {
            // Text without wildcards always matches itself.
            prop_assume!(!text.contains(ANY_TEXT));
            let pattern = OutputPattern::new(&text);
            prop_assert!(pattern.matches(&text));
            let _ = pattern.render_mismatch("something else\n");
        }

        #[test]
        fn a_single_any_lines_matches_everything(text in "(?s).{0,80}") {
            prop_assert!(OutputPattern::new("...\n").matches(&text));
        }
    }
}
