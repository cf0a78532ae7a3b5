//! Removing what runs created: a run's own resources at its end, every
//! running scenario's on SIGINT/SIGTERM, and the leftovers of killed
//! processes (`p4ha clean`).
//!
//! Resources are found by label, never by a list kept in memory, so a
//! run's containers, networks and volumes are removed even when the
//! process that made them lost track of them.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Mutex, Once};

use bollard::Docker;
use bollard::query_parameters::{
    ListContainersOptions, ListNetworksOptions, ListVolumesOptions, RemoveContainerOptions,
    RemoveVolumeOptions,
};

use crate::engine::{self, Engine, EngineError};
use crate::labels::{self, RunId};

/// Runs of this process whose resources exist now.
static ACTIVE: Mutex<BTreeSet<RunId>> = Mutex::new(BTreeSet::new());

/// Records that `run` is creating resources (before the first one).
pub fn register(run: &RunId) {
    if let Ok(mut a) = ACTIVE.lock() {
        a.insert(run.clone());
    }
}

/// Records that `run`'s resources are gone (or deliberately kept).
pub fn unregister(run: &RunId) {
    if let Ok(mut a) = ACTIVE.lock() {
        a.remove(run);
    }
}

/// The runs of this process with resources.
pub fn registered() -> Vec<RunId> {
    ACTIVE
        .lock()
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default()
}

/// How many resources were removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Removed {
    /// Containers.
    pub containers: usize,
    /// Networks.
    pub networks: usize,
    /// Volumes.
    pub volumes: usize,
}

impl Removed {
    fn add(&mut self, other: Removed) {
        self.containers += other.containers;
        self.networks += other.networks;
        self.volumes += other.volumes;
    }
}

/// Removes every container, volume and network labelled with `run`
/// (containers first: a network cannot go while one is attached).
pub async fn remove_run(docker: &Docker, run: &str) -> Result<Removed, String> {
    let filter = labels::filter(labels::RUN, run);
    let mut removed = Removed::default();
    let mut errors = Vec::new();
    let containers = docker
        .list_containers(Some(ListContainersOptions {
            all: true,
            filters: Some(filter.clone()),
            ..Default::default()
        }))
        .await
        .map_err(|e| e.to_string())?;
    let removals = containers
        .iter()
        .filter_map(|c| c.id.clone())
        .map(|id| async move {
            let r = docker
                .remove_container(
                    &id,
                    Some(RemoveContainerOptions {
                        force: true,
                        v: true,
                        ..Default::default()
                    }),
                )
                .await;
            (id, r)
        });
    for (id, r) in futures_util::future::join_all(removals).await {
        match r {
            Ok(()) => removed.containers += 1,
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => {}
            Err(e) => errors.push(format!("container {id}: {e}")),
        }
    }
    let volumes = docker
        .list_volumes(Some(ListVolumesOptions {
            filters: Some(filter.clone()),
        }))
        .await
        .map_err(|e| e.to_string())?;
    for v in volumes.volumes.unwrap_or_default() {
        match docker
            .remove_volume(&v.name, Some(RemoveVolumeOptions { force: true }))
            .await
        {
            Ok(()) => removed.volumes += 1,
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => {}
            Err(e) => errors.push(format!("volume {}: {e}", v.name)),
        }
    }
    let networks = docker
        .list_networks(Some(ListNetworksOptions {
            filters: Some(filter),
        }))
        .await
        .map_err(|e| e.to_string())?;
    for n in networks {
        let Some(id) = n.id else { continue };
        match docker.remove_network(&id).await {
            Ok(()) => removed.networks += 1,
            Err(bollard::errors::Error::DockerResponseServerError {
                status_code: 404, ..
            }) => {}
            Err(e) => errors.push(format!("network {}: {e}", n.name.unwrap_or(id))),
        }
    }
    if errors.is_empty() {
        Ok(removed)
    } else {
        Err(errors.join("; "))
    }
}

/// Removes the resources of every run of this process that has any.
pub fn remove_registered() -> Result<Removed, String> {
    let runs = registered();
    if runs.is_empty() {
        return Ok(Removed::default());
    }
    engine::block_on(async move {
        let engine = Engine::connect().await.map_err(|e| e.to_string())?;
        let mut total = Removed::default();
        let mut errors = Vec::new();
        for run in runs {
            match remove_run(&engine.docker, run.as_str()).await {
                Ok(r) => {
                    total.add(r);
                    unregister(&run);
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(total)
        } else {
            Err(errors.join("; "))
        }
    })
}

/// The exit code of an interrupt being handled (130 or 143); 0 when none.
static INTERRUPTED: AtomicI32 = AtomicI32::new(0);

/// Whether an interrupt is being handled, and the exit code it ends with.
pub fn interrupted() -> Option<i32> {
    match INTERRUPTED.load(Ordering::SeqCst) {
        0 => None,
        code => Some(code),
    }
}

/// Called when the program is about to end: if an interrupt is being
/// handled, waits for its cleanup, which ends the process with 130 or 143.
/// Without this, a run whose steps failed because the interrupt removed
/// their containers could end first, with its own exit code.
pub fn finish_interrupt() {
    if interrupted().is_some() {
        loop {
            std::thread::park();
        }
    }
}

/// On the first SIGINT or SIGTERM, removes the resources of every running
/// scenario of this process ([`remove_registered`]) and exits with 130 or
/// 143, as a shell reports those signals; a second signal exits at once.
/// Installed once per process; the Docker backend installs it when it
/// brings machines up unless told not to.
pub fn install_interrupt_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        use tokio::signal::unix::{SignalKind, signal};
        let streams = engine::block_on(async {
            Ok::<_, std::io::Error>((signal(SignalKind::interrupt())?, signal(SignalKind::terminate())?))
        });
        let Ok((mut int, mut term)) = streams else { return };
        engine::spawn(async move {
            let code = tokio::select! {
                _ = int.recv() => 130,
                _ = term.recv() => 143,
            };
            INTERRUPTED.store(code, Ordering::SeqCst);
            let runs = registered();
            if !runs.is_empty() {
                eprintln!(
                    "p4ha: interrupted: removing the containers, networks and volumes of {} running scenario(s)",
                    runs.len()
                );
                let cleanup = tokio::task::spawn_blocking(remove_registered);
                tokio::select! {
                    r = cleanup => {
                        if let Ok(Err(e)) = r {
                            eprintln!("p4ha: cleanup incomplete ({e}); `p4ha clean` removes what is left");
                        }
                    }
                    _ = int.recv() => {}
                    _ = term.recv() => {}
                }
            }
            std::process::exit(code);
        });
    });
}

/// What kind of resource a leftover is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A container.
    Container,
    /// A volume.
    Volume,
    /// A network.
    Network,
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Kind::Container => "container",
            Kind::Volume => "volume",
            Kind::Network => "network",
        })
    }
}

/// A resource labelled `p4ha.managed`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Leftover {
    /// Its kind.
    pub kind: Kind,
    /// Its name.
    pub name: String,
    /// Its run.
    pub run: String,
    /// Its scenario.
    pub scenario: String,
    /// `HOST:PID` of the process that made it.
    pub owner: String,
    /// Whether that process still runs (on this machine); resources of
    /// live runs are left alone unless asked.
    pub live: bool,
}

/// Whether the process `HOST:PID` still runs here (unknown hosts count as
/// live: their runs may be going on).
fn owner_alive(owner: &str) -> bool {
    let Some((host, pid)) = owner.rsplit_once(':') else {
        return false;
    };
    if host != labels::this_host() {
        return true;
    }
    if pid.parse::<u32>().ok() == Some(std::process::id()) {
        return true;
    }
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit_once(')')
                .map(|(_, rest)| !rest.trim_start().starts_with('Z'))
        })
        .unwrap_or(false)
}

/// Everything labelled `p4ha.managed` on the engine.
pub fn find_leftovers() -> Result<Vec<Leftover>, EngineError> {
    engine::block_on(async {
        let engine = Engine::connect().await?;
        let d = &engine.docker;
        let unreachable = |e: bollard::errors::Error| EngineError::Unreachable {
            endpoint: engine.endpoint.clone(),
            reason: e.to_string(),
        };
        let filter = labels::filter(labels::MANAGED, "true");
        let mut out = Vec::new();
        let leftover = |kind, name: String, l: &BTreeMap<String, String>| {
            let owner = l.get(labels::OWNER).cloned().unwrap_or_default();
            Leftover {
                kind,
                name,
                run: l.get(labels::RUN).cloned().unwrap_or_default(),
                scenario: l.get(labels::SCENARIO).cloned().unwrap_or_default(),
                live: owner_alive(&owner),
                owner,
            }
        };
        let containers = d
            .list_containers(Some(ListContainersOptions {
                all: true,
                filters: Some(filter.clone()),
                ..Default::default()
            }))
            .await
            .map_err(unreachable)?;
        for c in containers {
            let name = c
                .names
                .and_then(|n| n.first().cloned())
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string();
            let l: BTreeMap<String, String> = c.labels.unwrap_or_default().into_iter().collect();
            out.push(leftover(Kind::Container, name, &l));
        }
        let volumes = d
            .list_volumes(Some(ListVolumesOptions {
                filters: Some(filter.clone()),
            }))
            .await
            .map_err(unreachable)?;
        for v in volumes.volumes.unwrap_or_default() {
            let l: BTreeMap<String, String> = v.labels.into_iter().collect();
            out.push(leftover(Kind::Volume, v.name, &l));
        }
        let networks = d
            .list_networks(Some(ListNetworksOptions {
                filters: Some(filter),
            }))
            .await
            .map_err(unreachable)?;
        for n in networks {
            let l: BTreeMap<String, String> = n.labels.unwrap_or_default().into_iter().collect();
            out.push(leftover(Kind::Network, n.name.unwrap_or_default(), &l));
        }
        out.sort_by(|a, b| (&a.run, a.kind, &a.name).cmp(&(&b.run, b.kind, &b.name)));
        Ok(out)
    })
}

/// Removes the runs of `leftovers` (every resource of each run, by label).
pub fn remove_leftovers(leftovers: &[Leftover]) -> Result<Removed, String> {
    let runs: BTreeSet<String> = leftovers
        .iter()
        .map(|l| l.run.clone())
        .filter(|r| !r.is_empty())
        .collect();
    engine::block_on(async move {
        let engine = Engine::connect().await.map_err(|e| e.to_string())?;
        let mut total = Removed::default();
        let mut errors = Vec::new();
        for run in runs {
            match remove_run(&engine.docker, &run).await {
                Ok(r) => total.add(r),
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            Ok(total)
        } else {
            Err(errors.join("; "))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners() {
        let me = labels::owner();
        assert!(owner_alive(&me));
        assert!(owner_alive("some-other-machine:1"));
        let host = labels::this_host();
        // Pids above the kernel's limit never run.
        assert!(!owner_alive(&format!("{host}:4294967295")));
        assert!(!owner_alive("garbage"));
    }
}
