//! What a command must show: exit status, output patterns, texts, regexes;
//! and the conditions a `wait` step repeats its command until.

use std::fmt;

use regex::Regex;

use super::pattern::OutputPattern;

/// The exit status a step expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ExitStatus {
    /// Exit status 0 (the default).
    #[default]
    Success,
    /// Any status but 0.
    Failure,
    /// Any status at all.
    Any,
    /// Exactly this status.
    Code(i32),
}

impl ExitStatus {
    /// Whether a command that exited with `code` meets this expectation.
    pub fn accepts(self, code: i32) -> bool {
        match self {
            ExitStatus::Success => code == 0,
            ExitStatus::Failure => code != 0,
            ExitStatus::Any => true,
            ExitStatus::Code(wanted) => code == wanted,
        }
    }
}

impl fmt::Display for ExitStatus {
    /// As written in a scenario: `success`, `failure`, `any` or the number.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExitStatus::Success => f.write_str("success"),
            ExitStatus::Failure => f.write_str("failure"),
            ExitStatus::Any => f.write_str("any"),
            ExitStatus::Code(code) => write!(f, "{code}"),
        }
    }
}

/// What a finished command printed, as the checks see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandOutput<'a> {
    /// The command's exit status.
    pub exit_code: i32,
    /// Everything it wrote to standard output.
    pub stdout: &'a str,
    /// Everything it wrote to standard error.
    pub stderr: &'a str,
}

/// One check that did not hold, with a message for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// The scenario key of the check: `exit`, `stdout`, `stderr`,
    /// `contains`, `not-contains`, `matches`, `not-matches` or `same`.
    pub check: &'static str,
    /// What was expected and what was seen; may span several lines.
    pub message: String,
}

/// The checks of a step's `expect:` (all must hold).
///
/// Regexes are compiled with `^` and `$` matching at line boundaries.
#[derive(Debug, Clone, Default)]
pub struct Expect {
    /// Expected exit status (default: success).
    pub exit: ExitStatus,
    /// The whole standard output, with wildcards.
    pub stdout: Option<OutputPattern>,
    /// The whole standard error, with wildcards.
    pub stderr: Option<OutputPattern>,
    /// Texts that must each appear in the output (stdout or stderr).
    pub contains: Vec<String>,
    /// Texts that must appear in neither stdout nor stderr.
    pub not_contains: Vec<String>,
    /// Regexes that must each match somewhere in stdout or stderr.
    pub matches: Vec<Regex>,
    /// Regexes that must match nowhere in stdout or stderr.
    pub not_matches: Vec<Regex>,
}

impl Expect {
    /// The checks that fail for `output`, in the order the keys are documented;
    /// empty when the output is as expected.
    pub fn check(&self, output: &CommandOutput<'_>) -> Vec<Mismatch> {
        let mut failed = Vec::new();
        if !self.exit.accepts(output.exit_code) {
            failed.push(Mismatch {
                check: "exit",
                message: format!(
                    "expected exit status {}, got {}",
                    self.exit, output.exit_code
                ),
            });
        }
        for (check, pattern, actual) in [
            ("stdout", &self.stdout, output.stdout),
            ("stderr", &self.stderr, output.stderr),
        ] {
            if let Some(pattern) = pattern
                && !pattern.matches(actual)
            {
                failed.push(Mismatch {
                    check,
                    message: format!(
                        "{check} differs from the expected text (- expected, + actual):\n{}",
                        pattern.render_mismatch(actual)
                    ),
                });
            }
        }
        let either = |found: &dyn Fn(&str) -> bool| found(output.stdout) || found(output.stderr);
        for text in &self.contains {
            if !either(&|out: &str| out.contains(text.as_str())) {
                failed.push(Mismatch {
                    check: "contains",
                    message: format!("the output does not contain {text:?}"),
                });
            }
        }
        for text in &self.not_contains {
            if either(&|out: &str| out.contains(text.as_str())) {
                failed.push(Mismatch {
                    check: "not-contains",
                    message: format!("the output contains {text:?}"),
                });
            }
        }
        for regex in &self.matches {
            if !either(&|out: &str| regex.is_match(out)) {
                failed.push(Mismatch {
                    check: "matches",
                    message: format!("no line of the output matches /{}/", regex.as_str()),
                });
            }
        }
        for regex in &self.not_matches {
            let hit = [output.stdout, output.stderr]
                .into_iter()
                .find_map(|out| regex.find(out).map(|m| m.as_str().to_owned()));
            if let Some(hit) = hit {
                failed.push(Mismatch {
                    check: "not-matches",
                    message: format!("the output matches /{}/ at {hit:?}", regex.as_str()),
                });
            }
        }
        failed
    }
}

/// The condition of a `wait` step: the `expect:` checks (exit status
/// defaulting to success) plus `same:` regexes.
#[derive(Debug, Clone, Default)]
pub struct Until {
    /// The checks shared with `expect:`.
    pub expect: Expect,
    /// Regexes whose matches must all capture the same values.
    pub same: Vec<Same>,
}

impl Until {
    /// The conditions that do not hold yet; empty when the wait is over.
    pub fn check(&self, output: &CommandOutput<'_>) -> Vec<Mismatch> {
        let mut failed = self.expect.check(output);
        let text = combined(output);
        for same in &self.same {
            if let Err(message) = same.check(&text) {
                failed.push(Mismatch {
                    check: "same",
                    message,
                });
            }
        }
        failed
    }
}

/// stdout followed by stderr, as one text.
fn combined(output: &CommandOutput<'_>) -> String {
    let mut text = output.stdout.to_owned();
    if !text.is_empty() && !text.ends_with('\n') && !output.stderr.is_empty() {
        text.push('\n');
    }
    text.push_str(output.stderr);
    text
}

/// A `same:` condition: the regex matches at least twice, and every match
/// captures the same values (the whole match when the regex has no group).
///
/// `Journal (\d+),\s+Sequence (\d+)` over `p4 pull -lj` holds once the
/// replica's and the master's journal and sequence are equal.
#[derive(Debug, Clone)]
pub struct Same {
    /// The regex (line anchors enabled).
    pub regex: Regex,
}

impl Same {
    /// `Ok` when the condition holds for `text`, else what was seen.
    pub fn check(&self, text: &str) -> Result<(), String> {
        let groups = self.regex.captures_len() > 1;
        let found: Vec<Vec<&str>> = self
            .regex
            .captures_iter(text)
            .map(|caps| {
                if groups {
                    caps.iter()
                        .skip(1)
                        .map(|group| group.map_or("", |g| g.as_str()))
                        .collect()
                } else {
                    vec![caps.get(0).map_or("", |g| g.as_str())]
                }
            })
            .collect();
        let pattern = self.regex.as_str();
        match found.as_slice() {
            [] => Err(format!("/{pattern}/ matches nothing in the output")),
            [_] => Err(format!(
                "/{pattern}/ matches only once; `same:` needs two or more matches to compare"
            )),
            [first, rest @ ..] if rest.iter().all(|values| values == first) => Ok(()),
            _ => Err(format!(
                "/{pattern}/ captures differ: {}",
                found
                    .iter()
                    .map(|values| values.join(", "))
                    .collect::<Vec<_>>()
                    .join(" / ")
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output<'a>(exit_code: i32, stdout: &'a str, stderr: &'a str) -> CommandOutput<'a> {
        CommandOutput {
            exit_code,
            stdout,
            stderr,
        }
    }

    fn regex(text: &str) -> Regex {
        regex::RegexBuilder::new(text)
            .multi_line(true)
            .build()
            .unwrap()
    }

    const PULL_LJ: &str = "Current replica journal state is:\tJournal 1,\tSequence 8403.\n\
        Current master journal state is:\tJournal 1,\tSequence 8403.\n";

    #[test]
    fn default_expects_success_only() {
        let e = Expect::default();
        assert!(e.check(&output(0, "anything", "")).is_empty());
        let failed = e.check(&output(1, "", "error"));
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].message, "expected exit status success, got 1");
    }

    #[test]
    fn every_check_reports_its_key() {
        let e = Expect {
            exit: ExitStatus::Code(1),
            stdout: Some(OutputPattern::new("a\n")),
            stderr: Some(OutputPattern::new("")),
            contains: vec!["Password updated.".into()],
            not_contains: vec!["error".into()],
            matches: vec![regex(r"^Sequence \d+$")],
            not_matches: vec![regex("err[a-z]+")],
        };
        let keys: Vec<&str> = e
            .check(&output(0, "b\n", "error\n"))
            .iter()
            .map(|m| m.check)
            .collect();
        assert_eq!(
            keys,
            [
                "exit",
                "stdout",
                "stderr",
                "contains",
                "not-contains",
                "matches",
                "not-matches"
            ]
        );
        let fine = output(1, "a\nSequence 12\nPassword updated.\n", "");
        assert_eq!(e.check(&fine).len(), 1, "stdout must equal `a` only");
    }

    #[test]
    fn same_compares_every_match() {
        let same = Same {
            regex: regex(r"Journal (\d+),\s+Sequence (\d+)"),
        };
        assert_eq!(same.check(PULL_LJ), Ok(()));
        let behind = PULL_LJ.replacen("8403", "8575", 1);
        assert_eq!(
            same.check(&behind),
            Err(r"/Journal (\d+),\s+Sequence (\d+)/ captures differ: 1, 8575 / 1, 8403".into())
        );
        assert!(
            same.check("Journal 1,\tSequence 5")
                .unwrap_err()
                .contains("only once")
        );
        assert!(same.check("").unwrap_err().contains("matches nothing"));
    }

    #[test]
    fn until_adds_same_to_the_checks() {
        let until = Until {
            expect: Expect::default(),
            same: vec![Same {
                regex: regex(r"Sequence (\d+)"),
            }],
        };
        assert!(until.check(&output(0, PULL_LJ, "")).is_empty());
        let failed = until.check(&output(1, "", "Connect to server failed; check $P4PORT.\n"));
        let keys: Vec<&str> = failed.iter().map(|m| m.check).collect();
        assert_eq!(keys, ["exit", "same"]);
    }
}
