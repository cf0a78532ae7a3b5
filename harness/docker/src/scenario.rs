//! A Docker backend for one scenario: the scenario's server roots become
//! the size-limited volumes the `disk-full` fault fills.

use p4ha_backend::Backend;
use p4ha_scenario::{Scenario, ServerState};

use crate::{DockerBackend, DockerOptions};

/// `base` with the roots of `scenario`'s servers (those the runner
/// installs: `running` and `stopped` ones; an `empty` server's root is
/// the runbook's to create) as size-limited volumes of their hosts.
pub fn options_for(scenario: &Scenario, base: &DockerOptions, keep: bool) -> DockerOptions {
    let mut opts = base.clone();
    opts.keep = keep;
    for s in &scenario.servers {
        if s.state == ServerState::Empty {
            continue;
        }
        let roots = opts.disk_roots.entry(s.host.clone()).or_default();
        if !roots.contains(&s.root) {
            roots.push(s.root.clone());
        }
    }
    opts
}

/// The backend for one scenario (what the runner's backend factory makes).
pub fn backend_for(scenario: &Scenario, base: &DockerOptions, keep: bool) -> Box<dyn Backend> {
    Box::new(DockerBackend::new(options_for(scenario, base, keep)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_of_installed_servers_get_volumes() {
        let s = p4ha_scenario::load_str(
            "t.yaml",
            r#"
servers:
  master: {version: "2019.1", services: commit-server}
  standby: {version: "2019.1", services: standby, state: empty}
  edge1: {version: "2019.1", services: edge-server, host: master, port: 1667}
steps:
  - {on: master, run: "true"}
"#,
        )
        .unwrap();
        let o = options_for(&s, &DockerOptions::default(), true);
        assert!(o.keep);
        assert_eq!(
            o.disk_roots.get("master").unwrap(),
            &["/master".to_string(), "/edge1".to_string()]
        );
        assert!(!o.disk_roots.contains_key("standby"));
    }
}
