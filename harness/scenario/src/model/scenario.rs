//! A whole scenario: topology, preconditions and steps.

use std::path::Path;
use std::sync::Arc;

use super::location::Location;
use super::server::Server;
use super::step::Step;

/// One procedure to rehearse, as loaded and checked.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its name (default: the file name without extension).
    pub name: String,
    /// The scenario file.
    pub file: Arc<Path>,
    /// Every file it was built from: the scenario file, then its fragments
    /// in the order they were first read.
    pub files: Vec<Arc<Path>>,
    /// One-line description for listings.
    pub description: Option<String>,
    /// The document the procedure comes from, shown in reports.
    pub source: Option<String>,
    /// Tags for selecting scenarios.
    pub tags: Vec<String>,
    /// Default seed for the run, if the scenario fixes one.
    pub seed: Option<u64>,
    /// Virtual start time on the simulator, if the scenario fixes one.
    pub clock: Option<jiff::Timestamp>,
    /// The servers, in the order they are written (fragments first).
    pub servers: Vec<Server>,
    /// Preconditions checked before the first step.
    pub preflight: Preflight,
    /// The steps, in order, with step-level includes expanded.
    pub steps: Vec<Step>,
}

/// The runbook's preconditions (seed 000): master and standby share a time
/// zone and a p4d release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preflight {
    /// Master and standby must run in the same time zone (default true).
    pub same_timezone: bool,
    /// Master and standby must run the same p4d release (default true).
    pub same_version: bool,
    /// The servers that must agree; `None` means the master (commit-server
    /// or standard) and every standby.
    pub servers: Option<Vec<String>>,
    /// Where `preflight:` is written, if it is.
    pub location: Option<Location>,
}

impl Default for Preflight {
    fn default() -> Self {
        Self {
            same_timezone: true,
            same_version: true,
            servers: None,
            location: None,
        }
    }
}

/// A precondition the topology breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreflightViolation {
    /// `same-timezone` or `same-version`.
    pub check: &'static str,
    /// What differs and how to fix it or declare it intended.
    pub message: String,
}

impl Scenario {
    /// The server called `name`.
    pub fn server(&self, name: &str) -> Option<&Server> {
        self.servers.iter().find(|s| s.name == name)
    }

    /// The environment of a command run on `on`'s host: `P4PORT` set to the
    /// server's address, then the server's `env`, then the step's own
    /// `env` (a later entry replaces an earlier one of the same name).
    pub fn command_env(&self, on: &str, step_env: &[(String, String)]) -> Vec<(String, String)> {
        let mut env: Vec<(String, String)> = Vec::new();
        let mut put = |name: &str, value: &str| match env.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value.to_owned(),
            None => env.push((name.to_owned(), value.to_owned())),
        };
        if let Some(server) = self.server(on) {
            put("P4PORT", &server.address());
            for (name, value) in &server.env {
                put(name, value);
            }
        }
        for (name, value) in step_env {
            put(name, value);
        }
        env
    }

    /// The servers the preflight compares: those it names, else the master
    /// and every standby (none when either is missing).
    pub fn preflight_servers(&self) -> Vec<&Server> {
        match &self.preflight.servers {
            Some(names) => names.iter().filter_map(|n| self.server(n)).collect(),
            None => {
                let masters = self.servers.iter().filter(|s| s.services.is_master());
                let standbys: Vec<&Server> = self
                    .servers
                    .iter()
                    .filter(|s| s.services.is_standby())
                    .collect();
                if standbys.is_empty() {
                    return Vec::new();
                }
                masters.chain(standbys).collect()
            }
        }
    }

    /// The preconditions the topology breaks; empty when the scenario may run.
    pub fn preflight_violations(&self) -> Vec<PreflightViolation> {
        let servers = self.preflight_servers();
        let mut found = Vec::new();
        let Some((first, others)) = servers.split_first() else {
            return found;
        };
        let list = |value: &dyn Fn(&Server) -> String| {
            servers
                .iter()
                .map(|s| format!("{} runs {}", s.name, value(s)))
                .collect::<Vec<_>>()
                .join(", ")
        };
        if self.preflight.same_timezone && others.iter().any(|s| s.timezone != first.timezone) {
            found.push(PreflightViolation {
                check: "same-timezone",
                message: format!(
                    "master and standby must share a time zone, but {}; give them the same \
                     `timezone:`, or set `preflight: {{same-timezone: false}}` if the scenario \
                     rehearses the mismatch",
                    list(&|s| format!("in {}", s.timezone))
                ),
            });
        }
        if self.preflight.same_version && others.iter().any(|s| s.version != first.version) {
            found.push(PreflightViolation {
                check: "same-version",
                message: format!(
                    "master and standby must run the same p4d release, but {}; give them the \
                     same `version:`, or set `preflight: {{same-version: false}}` if the \
                     scenario rehearses mixed releases",
                    list(&|s| format!("p4d {}", s.version))
                ),
            });
        }
        found
    }
}
