//! The labels on everything a run creates, and run ids.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// `true` on every container, network and volume p4ha creates.
pub const MANAGED: &str = "p4ha.managed";
/// The run a resource belongs to.
pub const RUN: &str = "p4ha.run";
/// The scenario of the run.
pub const SCENARIO: &str = "p4ha.scenario";
/// The machine a container or volume belongs to.
pub const MACHINE: &str = "p4ha.machine";
/// `HOST:PID` of the p4ha process that created the resource, so that
/// `p4ha clean` can tell leftovers of dead processes from live runs.
pub const OWNER: &str = "p4ha.owner";
/// On images: `sim` for the simulator's image, `p4d` for `images/p4d/`.
pub const IMAGE_KIND: &str = "p4ha.image";

/// A run's identity: unique on an engine, usable in container names.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RunId(String);

impl RunId {
    /// A new id for a run of `scenario`: its name (shortened, lowercase,
    /// `[a-z0-9-]`), this process's id and a counter, so that parallel
    /// runs of one scenario, in one process or several, never collide.
    pub fn new(scenario: &str) -> RunId {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let mut slug: String = scenario
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '-'
                }
            })
            .collect();
        slug.truncate(24);
        let slug = slug.trim_matches('-');
        let slug = if slug.is_empty() { "run" } else { slug };
        // The time's low bits tell apart two processes that got the same
        // pid (a recycled pid on a long-lived engine).
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        RunId(format!(
            "{slug}-{:x}-{n:x}{:03x}",
            std::process::id(),
            nanos & 0xfff
        ))
    }

    /// An id read back from a label.
    pub fn from_label(text: &str) -> RunId {
        RunId(text.to_string())
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for RunId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// `HOST:PID` of this process.
pub fn owner() -> String {
    format!("{}:{}", this_host(), std::process::id())
}

/// This machine's host name.
pub fn this_host() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .unwrap_or_else(|_| "localhost".to_string())
}

/// The labels of a run's resource (`machine` for containers and volumes).
pub fn for_run(run: &RunId, scenario: &str, machine: Option<&str>) -> HashMap<String, String> {
    let mut l = HashMap::from([
        (MANAGED.to_string(), "true".to_string()),
        (RUN.to_string(), run.to_string()),
        (SCENARIO.to_string(), scenario.to_string()),
        (OWNER.to_string(), owner()),
    ]);
    if let Some(m) = machine {
        l.insert(MACHINE.to_string(), m.to_string());
    }
    l
}

/// A label filter for the engine's list calls (`label=KEY=VALUE`).
pub fn filter(key: &str, value: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([("label".to_string(), vec![format!("{key}={value}")])])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_ids_are_unique_and_fit_container_names() {
        let a = RunId::new("Standby build (HA 1-5)");
        let b = RunId::new("Standby build (HA 1-5)");
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("standby-build--ha-1-5-"), "{a}");
        let valid = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        };
        assert!(valid(a.as_str()));
        assert!(RunId::new("###").as_str().starts_with("run-"));
    }
}
