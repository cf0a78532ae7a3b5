//! Installing every server the way an administrator installs p4d:
//! p4dctl configuration, root, server ID, `p4dctl start`.

use std::collections::{BTreeMap, BTreeSet};

use p4ha_backend::BackendError;
use p4ha_scenario::{ServerState, format_duration};
use p4ha_shell::quote;

use super::{Engine, first_line, shown_output};
use crate::failure::Failure;
use crate::install;
use crate::transcript::Entry;

impl Engine<'_, '_> {
    /// Installs every server that is not `empty`: p4dctl configuration,
    /// root and server ID, then `p4dctl start` for running ones.
    pub(super) fn install(&mut self) -> Result<(), Failure> {
        let mut configured: BTreeSet<String> = BTreeSet::new();
        for server in &self.scenario.servers {
            if server.state == ServerState::Empty {
                continue;
            }
            let p = self.placement(&server.name)?;
            self.transcript.entries.push(Entry {
                heading: format!("set-up of {} on {}", server.name, p.machine),
                location: Some(server.location.to_string()),
                in_snapshot: false,
                blocks: Vec::new(),
            });
            let fail = |e: BackendError, what: &str| {
                Failure::scenario(
                    &self.scenario.name,
                    format!("setting up server {}: {what}: {e}", server.name),
                )
                .on(&server.name)
            };
            if configured.insert(p.machine.clone()) {
                self.backend
                    .get()
                    .write_file(
                        &p.machine,
                        install::P4DCTL_CONF,
                        install::main_config().as_bytes(),
                        0o644,
                    )
                    .map_err(|e| fail(e, &format!("writing {}", install::P4DCTL_CONF)))?;
            }
            let conf_path = install::service_config_path(server);
            let conf = install::service_config(server, None);
            self.backend
                .get()
                .write_file(&p.machine, &conf_path, conf.as_bytes(), 0o644)
                .map_err(|e| fail(e, &format!("writing {conf_path}")))?;
            self.line(format!("wrote {conf_path}"), false);
            let mut scripts = vec![format!(
                "mkdir -p {root}\np4d -r {root} -xD {id}",
                root = quote(&p.root),
                id = quote(&server.server_id)
            )];
            if server.state == ServerState::Running {
                scripts.push(format!("p4dctl start {}", quote(&p.p4dctl_name)));
            }
            for script in scripts {
                let timeout = self.opts.default_timeout;
                let out = self
                    .run_exec(&p.machine, &script, b"", BTreeMap::new(), timeout)
                    .map_err(|e| fail(e, &format!("running `{}`", first_line(&script))))?;
                let rec = self.record(&script, None, &out, timeout, false);
                self.block(rec);
                if out.status != Some(0) {
                    let how = match out.status {
                        Some(s) => format!("exit status {s}"),
                        None => format!("no answer within {}", format_duration(timeout)),
                    };
                    return Err(Failure::scenario(
                        self.name(),
                        format!(
                            "setting up server {}: `{}` failed ({how})",
                            server.name,
                            script.replace('\n', "; ")
                        ),
                    )
                    .on(&server.name)
                    .with_detail(shown_output(&out)));
                }
            }
        }
        Ok(())
    }
}
