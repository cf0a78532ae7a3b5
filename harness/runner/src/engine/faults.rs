//! `fault` steps: the scenario's faults as the backend's.

use p4ha_backend::{CutMode, Fault as BackendFault};
use p4ha_scenario::{Fault, NetMode};

use super::Engine;
use crate::failure::Failure;
use crate::install;

/// How a cut connection fails, in the backend's words.
fn cut_mode(mode: NetMode) -> CutMode {
    match mode {
        NetMode::Refuse => CutMode::Refuse,
        NetMode::Drop => CutMode::Drop,
        NetMode::Reject => CutMode::Reject,
    }
}

impl Engine<'_, '_> {
    pub(super) fn fault(&mut self, fault: &Fault) -> Result<(), Failure> {
        self.line(format!("fault: {fault}"), true);
        let server = fault
            .servers()
            .first()
            .map(|s| s.to_string())
            .unwrap_or_default();
        let faults = self.backend_faults(fault)?;
        for f in faults {
            self.backend.get().fault(&f).map_err(|e| {
                Failure::scenario(self.name(), format!("fault {}: {e}", fault.name())).on(&server)
            })?;
        }
        Ok(())
    }

    /// The backend faults a scenario fault stands for; `timezone` is done
    /// here, by rewriting the server's p4dctl configuration.
    fn backend_faults(&mut self, fault: &Fault) -> Result<Vec<BackendFault>, Failure> {
        let m = |s: &str| self.placement(s);
        Ok(match fault {
            Fault::Partition { between, mode } => {
                let (a, b) = (m(&between[0])?.machine, m(&between[1])?.machine);
                self.partitions.insert((a.clone(), b.clone()));
                vec![BackendFault::Partition {
                    a,
                    b,
                    mode: cut_mode(*mode),
                }]
            }
            Fault::Heal {
                between: Some(between),
            } => {
                let (a, b) = (m(&between[0])?.machine, m(&between[1])?.machine);
                self.partitions.remove(&(a.clone(), b.clone()));
                self.partitions.remove(&(b.clone(), a.clone()));
                vec![BackendFault::Heal { a, b }]
            }
            Fault::Heal { between: None } => std::mem::take(&mut self.partitions)
                .into_iter()
                .map(|(a, b)| BackendFault::Heal { a, b })
                .collect(),
            Fault::Crash { server } => {
                let p = m(server)?;
                vec![BackendFault::Crash {
                    machine: p.machine,
                    root: p.root,
                }]
            }
            Fault::Stop { server } => {
                let p = m(server)?;
                vec![BackendFault::Stop {
                    machine: p.machine,
                    root: p.root,
                }]
            }
            Fault::Start { server } => {
                let p = m(server)?;
                vec![BackendFault::Start {
                    machine: p.machine,
                    p4dctl_name: p.p4dctl_name,
                }]
            }
            Fault::Pause { server } => {
                let p = m(server)?;
                vec![BackendFault::Pause {
                    machine: p.machine,
                    root: p.root,
                }]
            }
            Fault::Resume { server } => {
                let p = m(server)?;
                vec![BackendFault::Resume {
                    machine: p.machine,
                    root: p.root,
                }]
            }
            Fault::BlockPort { server, port, mode } => {
                let p = m(server)?;
                self.blocked.insert((p.machine.clone(), *port));
                vec![BackendFault::BlockPort {
                    machine: p.machine,
                    port: *port,
                    mode: cut_mode(*mode),
                }]
            }
            Fault::UnblockPort {
                server,
                port: Some(port),
            } => {
                let p = m(server)?;
                self.blocked.remove(&(p.machine.clone(), *port));
                vec![BackendFault::UnblockPort {
                    machine: p.machine,
                    port: *port,
                }]
            }
            Fault::UnblockPort { server, port: None } => {
                let p = m(server)?;
                let ports: Vec<u16> = self
                    .blocked
                    .iter()
                    .filter(|(mm, _)| *mm == p.machine)
                    .map(|(_, port)| *port)
                    .collect();
                ports
                    .into_iter()
                    .map(|port| {
                        self.blocked.remove(&(p.machine.clone(), port));
                        BackendFault::UnblockPort {
                            machine: p.machine.clone(),
                            port,
                        }
                    })
                    .collect()
            }
            Fault::DiskFull { server, path } => {
                vec![BackendFault::DiskFull {
                    machine: m(server)?.machine,
                    path: path.clone(),
                }]
            }
            Fault::DiskFree { server, path } => {
                vec![BackendFault::DiskFree {
                    machine: m(server)?.machine,
                    path: path.clone(),
                }]
            }
            Fault::Truncate { server, path, size } => {
                vec![BackendFault::Truncate {
                    machine: m(server)?.machine,
                    path: path.clone(),
                    size: *size,
                }]
            }
            Fault::Corrupt {
                server,
                path,
                offset,
            } => {
                vec![BackendFault::Corrupt {
                    machine: m(server)?.machine,
                    path: path.clone(),
                    offset: *offset,
                }]
            }
            Fault::ClockSkew { server, seconds } => {
                vec![BackendFault::ClockSkew {
                    machine: m(server)?.machine,
                    seconds: *seconds,
                }]
            }
            Fault::Timezone { server, timezone } => {
                // p4d reads TZ when it starts: the new zone is written where
                // the service's environment comes from, and applies from the
                // next start, as changing TZ on a real machine does.
                let p = m(server)?;
                let Some(def) = self.scenario.server(server) else {
                    return Ok(Vec::new());
                };
                let path = install::service_config_path(def);
                let conf = install::service_config(def, Some(timezone));
                self.backend
                    .get()
                    .write_file(&p.machine, &path, conf.as_bytes(), 0o644)
                    .map_err(|e| {
                        Failure::scenario(
                            self.name(),
                            format!("fault timezone: writing {path}: {e}"),
                        )
                        .on(server)
                    })?;
                Vec::new()
            }
        })
    }
}
