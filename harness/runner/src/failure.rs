//! Why a scenario failed, said so that an administrator can act on it:
//! which scenario, which step (file, line, section, title), which server,
//! and what differed.

use std::fmt;

use p4ha_scenario::Step;

/// A step as failures name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRef {
    /// Its number in the scenario, from 1.
    pub number: usize,
    /// `FILE:LINE:COL`, with the includes that brought it in.
    pub location: String,
    /// The runbook section, if given.
    pub section: Option<String>,
    /// Its title (its name, else a summary of what it does).
    pub title: String,
}

impl StepRef {
    /// The reference of step `number` (from 1).
    pub fn new(number: usize, step: &Step) -> StepRef {
        let mut location = step.location.to_string();
        for (i, at) in step.included_from.iter().enumerate() {
            location.push_str(if i == 0 { " (included from " } else { ", " });
            location.push_str(&at.to_string());
        }
        if !step.included_from.is_empty() {
            location.push(')');
        }
        StepRef {
            number,
            location,
            section: step.section.clone(),
            title: step.title(),
        }
    }
}

/// What went wrong in a scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The scenario's name.
    pub scenario: String,
    /// The step, when the failure belongs to one.
    pub step: Option<Box<StepRef>>,
    /// The server concerned, when one is.
    pub server: Option<String>,
    /// One line: what failed.
    pub message: String,
    /// Expected against actual, output, diff; may be empty.
    pub detail: String,
}

impl Failure {
    /// A failure of the scenario as a whole (preflight, set-up, snapshot).
    pub fn scenario(scenario: &str, message: impl Into<String>) -> Failure {
        Failure {
            scenario: scenario.to_string(),
            step: None,
            server: None,
            message: message.into(),
            detail: String::new(),
        }
    }

    /// Sets the server.
    pub fn on(mut self, server: impl Into<String>) -> Failure {
        self.server = Some(server.into());
        self
    }

    /// Sets the detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Failure {
        self.detail = detail.into();
        self
    }

    /// One line naming where it happened: `scenario X, step 7 [4.9] "start
    /// the standby" (FILE:LINE:COL), on standby`.
    pub fn place(&self) -> String {
        let mut s = format!("scenario {}", self.scenario);
        if let Some(step) = &self.step {
            let _ = std::fmt::Write::write_fmt(&mut s, format_args!(", step {}", step.number));
            if let Some(section) = &step.section {
                s.push_str(&format!(" [section {section}]"));
            }
            s.push_str(&format!(" \"{}\" ({})", step.title, step.location));
        }
        if let Some(server) = &self.server {
            s.push_str(&format!(", on {server}"));
        }
        s
    }
}

impl fmt::Display for Failure {
    /// The place, the message, then the detail indented.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}:", self.place())?;
        write!(f, "  {}", self.message)?;
        for line in self.detail.lines() {
            write!(f, "\n    {line}")?;
        }
        Ok(())
    }
}

/// Indents every line of `text` by `prefix`, for output shown in a failure.
pub fn indent(text: &str, prefix: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        out.push_str(prefix);
        out.push_str(line);
        out.push('\n');
    }
    out
}
