//! [`DockerBackend`]: the backend contract over a Docker engine.

use std::collections::{BTreeMap, HashMap};
use std::net::Ipv4Addr;
use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use bollard::Docker;
use bollard::models::{
    ContainerCreateBody, EndpointIpamConfig, EndpointSettings, HostConfig, Mount, MountType,
    NetworkingConfig, VolumeCreateRequest,
};
use bollard::query_parameters::{
    CreateContainerOptions, DownloadFromContainerOptions, InspectContainerOptions,
    RemoveContainerOptions, StartContainerOptions, UploadToContainerOptions,
};
use futures_util::StreamExt;
use p4ha_backend::{Backend, BackendError, CutMode, Exec, ExecOutput, Fault, Machine, Topology};

use crate::archive::{self, Entry};
use crate::cleanup;
use crate::engine::{Engine, block_on};
use crate::exec::{self as docker_exec, ExecRequest, STATE_DIR};
use crate::faults::{self, Change, NetState};
use crate::helper::{FAULT_PROGRAM, FAULT_SCRIPT};
use crate::image::{self, ImageKind, ResolvedImage};
use crate::labels::{self, RunId};
use crate::network::{self, Subnet};
use crate::options::{DockerOptions, ImageChoice, REAL_DISK_SIZE, SIM_DISK_SIZE, real_image_name};

/// Time limit of a command whose [`Exec::timeout`] is zero.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(600);

/// Time limit of the backend's own helper commands (a clean stop waits up
/// to a minute for p4d).
const HELPER_TIMEOUT: Duration = Duration::from_secs(120);

/// Where the p4d binaries of Helix Core's packages are, for upgrades of
/// real p4d machines: copied from the new image into the machine.
const PACKAGE_BINARIES: &[&str] = &[
    "/opt/perforce/sbin/p4d",
    "/opt/perforce/sbin/p4dctl",
    "/opt/perforce/bin/p4",
];

/// One machine of a run.
#[derive(Debug, Clone)]
struct Node {
    /// Container name.
    container: String,
    image: ResolvedImage,
    ip: Ipv4Addr,
    /// Login environment.
    env: BTreeMap<String, String>,
    /// Size-limited roots: mount point and volume.
    volumes: Vec<(String, String)>,
    /// Clock skew in force (simulator's image only), seconds.
    skew: i64,
    /// The network fault rules last written (simulator's image only).
    rules: String,
}

/// A run's resources.
#[derive(Debug)]
struct Run {
    id: RunId,
    engine: Engine,
    network: String,
    subnet: Subnet,
    nodes: BTreeMap<String, Node>,
    net: NetState,
    next_exec: u64,
}

/// The Docker backend: one container per machine.
///
/// ```no_run
/// use p4ha_backend::Backend;
/// use p4ha_docker::{DockerBackend, DockerOptions};
/// let mut backend = DockerBackend::new(DockerOptions::default());
/// # let topology: p4ha_backend::Topology = unimplemented!();
/// backend.up(&topology)?;
/// let out = backend.exec("master", &p4ha_backend::Exec { script: "p4d -V".into(), ..Default::default() })?;
/// backend.down()?;
/// # Ok::<(), p4ha_backend::BackendError>(())
/// ```
#[derive(Debug)]
pub struct DockerBackend {
    opts: DockerOptions,
    run: Option<Run>,
}

fn other(what: &str, e: impl std::fmt::Display) -> BackendError {
    BackendError::Other(format!("{what}: {e}"))
}

fn is_not_found(e: &bollard::errors::Error) -> bool {
    matches!(
        e,
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404,
            ..
        }
    )
}

/// A name Docker accepts in container and volume names.
fn name_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Images announced on the progress output already (once per process).
static ANNOUNCED: Mutex<Vec<String>> = Mutex::new(Vec::new());

impl DockerBackend {
    /// A backend with nothing up yet.
    pub fn new(opts: DockerOptions) -> DockerBackend {
        DockerBackend { opts, run: None }
    }

    /// The run's id, once [`Backend::up`] ran.
    pub fn run_id(&self) -> Option<&RunId> {
        self.run.as_ref().map(|r| &r.id)
    }

    /// A machine's container name.
    pub fn container(&self, machine: &str) -> Option<&str> {
        self.run
            .as_ref()?
            .nodes
            .get(machine)
            .map(|n| n.container.as_str())
    }

    /// A machine's address on the run's network.
    pub fn address(&self, machine: &str) -> Option<Ipv4Addr> {
        self.run.as_ref()?.nodes.get(machine).map(|n| n.ip)
    }

    /// The run's subnet.
    pub fn subnet(&self) -> Option<String> {
        self.run.as_ref().map(|r| r.subnet.to_string())
    }

    fn progress(&self, line: &str) {
        if self.opts.progress {
            eprintln!("p4ha: docker: {line}");
        }
    }

    fn run(&self) -> Result<&Run, BackendError> {
        self.run
            .as_ref()
            .ok_or_else(|| BackendError::Other("the docker machines are not up".to_string()))
    }

    fn node(&self, machine: &str) -> Result<(&Run, &Node), BackendError> {
        let run = self.run()?;
        let node = run
            .nodes
            .get(machine)
            .ok_or_else(|| BackendError::UnknownMachine(machine.to_string()))?;
        Ok((run, node))
    }

    /// The image of a machine: the scenario's, else the backend's choice.
    async fn resolve_image(
        docker: &Docker,
        opts: &DockerOptions,
        version: &str,
        named: Option<&str>,
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<ResolvedImage, BackendError> {
        let missing = |name: &str| {
            BackendError::Unavailable(format!(
                "the Docker engine has no image '{name}'; build it first (for real p4d: `docker build --build-arg P4D_VERSION={version} -t {name} images/p4d`, see images/p4d/README.md), or leave `image:` out to use the simulator's image"
            ))
        };
        let found = |name: String, kind| ResolvedImage { name, kind };
        let err = |e: image::ImageError| BackendError::Unavailable(e.to_string());
        if let Some(name) = named {
            return match image::inspect(docker, name).await.map_err(err)? {
                Some(kind) => Ok(found(name.to_string(), kind)),
                None => Err(missing(name)),
            };
        }
        let sim = || async {
            let exe = match &opts.executable {
                Some(p) => p.clone(),
                None => std::env::current_exe()
                    .map_err(|e| other("cannot find the p4ha executable", e))?,
            };
            image::ensure_sim_image(docker, &exe, progress)
                .await
                .map_err(err)
        };
        match &opts.images {
            ImageChoice::Simulator => sim().await,
            ImageChoice::Auto => {
                let real = real_image_name(version);
                match image::inspect(docker, &real).await.map_err(err)? {
                    Some(kind) => Ok(found(real, kind)),
                    None => sim().await,
                }
            }
            ImageChoice::Template(t) => {
                let name = t.replace("{version}", version);
                match image::inspect(docker, &name).await.map_err(err)? {
                    Some(kind) => Ok(found(name, kind)),
                    None => Err(missing(&name)),
                }
            }
        }
    }

    fn announce(&self, machine: &Machine, image: &ResolvedImage) {
        let key = format!("{}@{}", image.name, machine.version);
        let new = match ANNOUNCED.lock() {
            Ok(mut a) if !a.contains(&key) => {
                a.push(key);
                true
            }
            Ok(_) => false,
            Err(_) => true,
        };
        if new {
            let what = match image.kind {
                ImageKind::Simulator => format!("the p4ha simulator as p4d {}", machine.version),
                ImageKind::Real => "real p4d".to_string(),
            };
            self.progress(&format!(
                "p4d {} machines run image {} ({what})",
                machine.version, image.name
            ));
        }
    }

    /// Creates the network, volumes and containers of a topology.
    async fn create(
        engine: &Engine,
        opts: &DockerOptions,
        id: &RunId,
        topology: &Topology,
        images: &[ResolvedImage],
        progress: &(dyn Fn(&str) + Sync),
    ) -> Result<Run, BackendError> {
        let docker = &engine.docker;
        let fixed: Vec<(String, Ipv4Addr)> = topology
            .machines
            .iter()
            .filter_map(|m| m.ip.map(|ip| (m.name.clone(), ip)))
            .collect();
        let planned = network::plan_subnet(&fixed).map_err(BackendError::Other)?;
        let net_name = format!("p4ha-{id}");
        let subnet = network::create(
            docker,
            &net_name,
            planned,
            labels::for_run(id, &topology.name, None),
            opts.network_wait,
            progress,
        )
        .await
        .map_err(BackendError::Unavailable)?;
        let mut nodes = BTreeMap::new();
        let mut creations = Vec::new();
        for (m, image) in topology.machines.iter().zip(images) {
            let container = format!("p4ha-{id}-{}", name_part(&m.name));
            let mut env = m.env.clone();
            env.entry("TZ".to_string())
                .or_insert_with(|| m.timezone.clone());
            let mut container_env = env.clone();
            if image.kind == ImageKind::Simulator {
                container_env.insert(p4ha_sim::native::VERSION_ENV.to_string(), m.version.clone());
            }
            let size = opts.disk_size.unwrap_or(match image.kind {
                ImageKind::Simulator => SIM_DISK_SIZE,
                ImageKind::Real => REAL_DISK_SIZE,
            });
            let mut volumes = Vec::new();
            for (k, root) in opts
                .disk_roots
                .get(&m.name)
                .into_iter()
                .flatten()
                .enumerate()
            {
                let root = root.trim_end_matches('/').to_string();
                if !root.starts_with('/') || root.len() < 2 {
                    continue;
                }
                let vol = format!("p4ha-{id}-{}-{k}", name_part(&m.name));
                docker
                    .create_volume(VolumeCreateRequest {
                        name: Some(vol.clone()),
                        driver: Some("local".to_string()),
                        driver_opts: Some(HashMap::from([
                            ("type".to_string(), "tmpfs".to_string()),
                            ("device".to_string(), "tmpfs".to_string()),
                            ("o".to_string(), format!("size={size},mode=0755")),
                        ])),
                        labels: Some(labels::for_run(id, &topology.name, Some(&m.name))),
                        ..Default::default()
                    })
                    .await
                    .map_err(|e| {
                        other(
                            &format!("cannot create the volume for {} on {}", root, m.name),
                            e,
                        )
                    })?;
                volumes.push((root, vol));
            }
            let mut aliases = vec![m.name.clone()];
            for a in std::iter::once(&m.hostname).chain(&m.aliases) {
                if !aliases.contains(a) {
                    aliases.push(a.clone());
                }
            }
            let endpoint = EndpointSettings {
                aliases: Some(aliases),
                ipam_config: m.ip.map(|ip| EndpointIpamConfig {
                    ipv4_address: Some(ip.to_string()),
                    ..Default::default()
                }),
                ..Default::default()
            };
            let (entrypoint, cmd) = match image.kind {
                ImageKind::Simulator => (None, vec!["/usr/local/bin/p4ha-idle".to_string()]),
                // Any image with a POSIX shell idles the same way.
                ImageKind::Real => (
                    Some(vec!["/bin/sh".to_string(), "-c".to_string()]),
                    vec![
                        "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"
                            .to_string(),
                    ],
                ),
            };
            let body = ContainerCreateBody {
                image: Some(image.name.clone()),
                hostname: Some(m.hostname.clone()),
                env: Some(
                    container_env
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect(),
                ),
                entrypoint,
                cmd: Some(cmd),
                labels: Some(labels::for_run(id, &topology.name, Some(&m.name))),
                host_config: Some(HostConfig {
                    init: Some(true),
                    network_mode: Some(net_name.clone()),
                    // iptables for network faults.
                    cap_add: (image.kind == ImageKind::Real).then(|| vec!["NET_ADMIN".to_string()]),
                    mounts: Some(
                        volumes
                            .iter()
                            .map(|(root, vol)| Mount {
                                target: Some(root.clone()),
                                source: Some(vol.clone()),
                                typ: Some(MountType::VOLUME),
                                ..Default::default()
                            })
                            .collect(),
                    ),
                    ..Default::default()
                }),
                networking_config: Some(NetworkingConfig {
                    endpoints_config: Some(HashMap::from([(net_name.clone(), endpoint)])),
                }),
                ..Default::default()
            };
            let name = container.clone();
            creations.push(async move {
                docker
                    .create_container(
                        Some(CreateContainerOptions {
                            name: Some(name.clone()),
                            ..Default::default()
                        }),
                        body,
                    )
                    .await
                    .map_err(|e| other(&format!("cannot create the container {name}"), e))?;
                docker
                    .start_container(&name, None::<StartContainerOptions>)
                    .await
                    .map_err(|e| other(&format!("cannot start the container {name}"), e))?;
                Ok::<(), BackendError>(())
            });
            nodes.insert(
                m.name.clone(),
                Node {
                    container,
                    image: image.clone(),
                    ip: m.ip.unwrap_or(Ipv4Addr::UNSPECIFIED),
                    env,
                    volumes,
                    skew: 0,
                    rules: String::new(),
                },
            );
        }
        for r in futures_util::future::join_all(creations).await {
            r?;
        }
        let mut run = Run {
            id: id.clone(),
            engine: engine.clone(),
            network: net_name,
            subnet,
            nodes,
            net: NetState::default(),
            next_exec: 0,
        };
        // Addresses the engine chose, and what each machine needs inside.
        let versions: BTreeMap<&str, &str> = topology
            .machines
            .iter()
            .map(|m| (m.name.as_str(), m.version.as_str()))
            .collect();
        let setups = run.nodes.iter_mut().map(|(name, node)| {
            let network = run.network.clone();
            let version = versions
                .get(name.as_str())
                .copied()
                .unwrap_or_default()
                .to_string();
            async move {
                if node.ip.is_unspecified() {
                    let info = docker
                        .inspect_container(&node.container, None::<InspectContainerOptions>)
                        .await
                        .map_err(|e| other("cannot inspect a container", e))?;
                    node.ip = info
                        .network_settings
                        .and_then(|s| s.networks)
                        .and_then(|n| n.get(&network).cloned())
                        .and_then(|e| e.ip_address)
                        .and_then(|ip| ip.parse().ok())
                        .unwrap_or(Ipv4Addr::UNSPECIFIED);
                }
                let entries = match node.image.kind {
                    ImageKind::Simulator => vec![Entry::File {
                        path: p4ha_sim::native::VERSION_FILE
                            .trim_start_matches('/')
                            .to_string(),
                        data: format!("{version}\n").into_bytes(),
                        mode: 0o644,
                    }],
                    ImageKind::Real => vec![
                        Entry::Dir {
                            path: STATE_DIR.trim_start_matches('/').to_string(),
                            mode: 0o755,
                        },
                        Entry::Dir {
                            path: "etc/p4ha".to_string(),
                            mode: 0o755,
                        },
                        Entry::File {
                            path: FAULT_PROGRAM.trim_start_matches('/').to_string(),
                            data: FAULT_SCRIPT.as_bytes().to_vec(),
                            mode: 0o755,
                        },
                    ],
                };
                upload(docker, &node.container, "/", &entries)
                    .await
                    .map_err(|e| other("cannot prepare a machine", e))
            }
        });
        for r in futures_util::future::join_all(setups).await {
            r?;
        }
        Ok(run)
    }

    /// Runs the fault helper on a machine; its stdout on success.
    fn helper(&mut self, machine: &str, args: &[&str]) -> Result<String, BackendError> {
        let (run, node) = self.node(machine)?;
        let docker = run.engine.docker.clone();
        let mut argv = vec!["p4ha-fault".to_string()];
        argv.extend(args.iter().map(|a| a.to_string()));
        let req = ExecRequest {
            argv: argv.clone(),
            env: env_list(&node.env),
            cwd: Some("/".to_string()),
            stdin: Vec::new(),
            timeout: Some(HELPER_TIMEOUT),
        };
        let container = node.container.clone();
        let out = block_on(docker_exec::run(&docker, &container, req))
            .map_err(|e| exec_error(machine, e))?;
        match out.status {
            Some(0) => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
            status => {
                let text = String::from_utf8_lossy(&out.stderr);
                let text = text.trim_end().trim_start_matches("p4ha-fault: ");
                let how = match status {
                    Some(s) => format!("exit status {s}"),
                    None => "it did not finish".to_string(),
                };
                Err(BackendError::Other(format!(
                    "{} on {machine} failed ({how}): {text}",
                    argv.join(" ")
                )))
            }
        }
    }

    fn network_fault(&mut self, fault: &Fault) -> Result<(), BackendError> {
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| BackendError::Other("the docker machines are not up".to_string()))?;
        for m in fault_machines(fault) {
            if !run.nodes.contains_key(m) {
                return Err(BackendError::UnknownMachine(m.to_string()));
            }
        }
        // Commands for machines with iptables: (machine, script).
        let mut commands: Vec<(String, String)> = Vec::new();
        let ip = |m: &str| {
            run.nodes
                .get(m)
                .map(|n| n.ip)
                .unwrap_or(Ipv4Addr::UNSPECIFIED)
        };
        match fault {
            Fault::Partition { a, b, mode } => {
                if let Some(old) = run.net.partition(a, b, *mode) {
                    commands.extend(both_sides(a, b, ip, old, Change::Delete));
                }
                commands.extend(both_sides(a, b, ip, *mode, Change::Add));
            }
            Fault::Heal { a, b } => {
                if let Some(old) = run.net.heal(a, b) {
                    commands.extend(both_sides(a, b, ip, old, Change::Delete));
                }
            }
            Fault::BlockPort {
                machine,
                port,
                mode,
            } => {
                if let Some(old) = run.net.block(machine, *port, *mode) {
                    commands.push((
                        machine.clone(),
                        faults::iptables_block(*port, old, Change::Delete),
                    ));
                }
                commands.push((
                    machine.clone(),
                    faults::iptables_block(*port, *mode, Change::Add),
                ));
            }
            Fault::UnblockPort { machine, port } => {
                if let Some(old) = run.net.unblock(machine, *port) {
                    commands.push((
                        machine.clone(),
                        faults::iptables_block(*port, old, Change::Delete),
                    ));
                }
            }
            _ => {}
        }
        let ips: BTreeMap<String, Ipv4Addr> =
            run.nodes.iter().map(|(k, n)| (k.clone(), n.ip)).collect();
        // The simulator's machines: rewrite each changed rules file.
        let mut files: Vec<(String, String)> = Vec::new();
        for (name, node) in &run.nodes {
            if node.image.kind == ImageKind::Simulator {
                let text = run.net.rules_for(name, &ips).render();
                if text != node.rules {
                    files.push((name.clone(), text));
                }
            }
        }
        for (name, text) in files {
            self.write_file(&name, p4ha_sim::net::FAULTS_FILE, text.as_bytes(), 0o644)?;
            if let Some(n) = self.run.as_mut().and_then(|r| r.nodes.get_mut(&name)) {
                n.rules = text;
            }
        }
        for (machine, script) in commands {
            let kind = self.node(&machine)?.1.image.kind;
            if kind != ImageKind::Real {
                continue;
            }
            let out = self.exec(
                &machine,
                &Exec {
                    script: script.clone(),
                    timeout: HELPER_TIMEOUT,
                    ..Exec::default()
                },
            )?;
            if out.status != Some(0) {
                let text = String::from_utf8_lossy(&out.stderr).trim_end().to_string();
                return Err(BackendError::Other(format!(
                    "`{script}` on {machine} failed: {text} (network faults on real p4d images need iptables in the image; images/p4d has it)"
                )));
            }
        }
        Ok(())
    }

    /// The size-limited volume holding `path` on `machine`.
    fn volume_of(&self, machine: &str, path: &str) -> Result<String, BackendError> {
        let (_, node) = self.node(machine)?;
        let path = path.trim_end_matches('/');
        node.volumes
            .iter()
            .filter(|(root, _)| path == root || path.starts_with(&format!("{root}/")))
            .max_by_key(|(root, _)| root.len())
            .map(|(root, _)| root.clone())
            .ok_or_else(|| BackendError::Unsupported {
                backend: "docker",
                what: format!(
                    "fill the disk of {path} on {machine}: it is not on a size-limited file system (the docker backend gives one to each server root it is told of{})",
                    if node.volumes.is_empty() {
                        String::new()
                    } else {
                        format!(
                            "; on {machine}: {}",
                            node.volumes.iter().map(|(r, _)| r.as_str()).collect::<Vec<_>>().join(", ")
                        )
                    }
                ),
            })
    }

    /// Copies the p4d binaries of `image` into the machine (an upgrade of
    /// real p4d: the new binary replaces the old, running servers keep
    /// theirs until restarted).
    fn install_real(&mut self, machine: &str, image: &str) -> Result<(), BackendError> {
        let (run, node) = self.node(machine)?;
        let docker = run.engine.docker.clone();
        let container = node.container.clone();
        let temp = format!("{}-install", node.container);
        let labels = labels::for_run(&run.id, "install", Some(machine));
        let image = image.to_string();
        block_on(async move {
            docker
                .create_container(
                    Some(CreateContainerOptions {
                        name: Some(temp.clone()),
                        ..Default::default()
                    }),
                    ContainerCreateBody {
                        image: Some(image.clone()),
                        entrypoint: Some(vec!["/bin/true".to_string()]),
                        labels: Some(labels),
                        ..Default::default()
                    },
                )
                .await
                .map_err(|e| other(&format!("cannot use image {image}"), e))?;
            let mut result = Ok(());
            for path in PACKAGE_BINARIES {
                let copied = async {
                    let tar = download(&docker, &temp, path).await?;
                    let parent = Path::new(path)
                        .parent()
                        .map_or("/".to_string(), |p| p.display().to_string());
                    docker
                        .upload_to_container(
                            &container,
                            Some(UploadToContainerOptions {
                                path: parent,
                                ..Default::default()
                            }),
                            bollard::body_full(tar.into()),
                        )
                        .await
                };
                if let Err(e) = copied.await {
                    result = Err(other(
                        &format!("cannot install {path} from image {image} on {machine}"),
                        e,
                    ));
                    break;
                }
            }
            let _ = docker
                .remove_container(
                    &temp,
                    Some(RemoveContainerOptions {
                        force: true,
                        ..Default::default()
                    }),
                )
                .await;
            result
        })
    }
}

/// The machines a network fault names.
fn fault_machines(fault: &Fault) -> Vec<&str> {
    match fault {
        Fault::Partition { a, b, .. } | Fault::Heal { a, b } => vec![a, b],
        Fault::BlockPort { machine, .. } | Fault::UnblockPort { machine, .. } => vec![machine],
        _ => Vec::new(),
    }
}

/// The iptables rules that add or delete a cut between `a` and `b`: one
/// on each side, each naming the other's address.
fn both_sides(
    a: &str,
    b: &str,
    ip: impl Fn(&str) -> Ipv4Addr,
    mode: CutMode,
    change: Change,
) -> [(String, String); 2] {
    [
        (
            a.to_string(),
            faults::iptables_partition(ip(b), mode, change),
        ),
        (
            b.to_string(),
            faults::iptables_partition(ip(a), mode, change),
        ),
    ]
}

fn env_list(env: &BTreeMap<String, String>) -> Vec<String> {
    env.iter().map(|(k, v)| format!("{k}={v}")).collect()
}

fn exec_error(machine: &str, e: bollard::errors::Error) -> BackendError {
    match &e {
        bollard::errors::Error::DockerResponseServerError {
            status_code: 404 | 409,
            message,
        } => BackendError::Unavailable(format!("machine '{machine}' is down: {message}")),
        _ => BackendError::Other(format!("running a command on {machine}: {e}")),
    }
}

/// The tar archive of `path` from a container.
async fn download(
    docker: &Docker,
    container: &str,
    path: &str,
) -> Result<Vec<u8>, bollard::errors::Error> {
    let mut stream = docker.download_from_container(
        container,
        Some(DownloadFromContainerOptions {
            path: path.to_string(),
        }),
    );
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        bytes.extend_from_slice(&chunk?);
    }
    Ok(bytes)
}

/// Writes `entries` (paths relative to `dir`) into a container.
async fn upload(
    docker: &Docker,
    container: &str,
    dir: &str,
    entries: &[Entry],
) -> Result<(), bollard::errors::Error> {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let tar =
        archive::write(entries, now).map_err(|e| bollard::errors::Error::IOError { err: e })?;
    docker
        .upload_to_container(
            container,
            Some(UploadToContainerOptions {
                path: dir.to_string(),
                ..Default::default()
            }),
            bollard::body_full(tar.into()),
        )
        .await
}

impl Backend for DockerBackend {
    fn name(&self) -> &'static str {
        "docker"
    }

    fn up(&mut self, topology: &Topology) -> Result<(), BackendError> {
        if self.run.is_some() {
            return Err(BackendError::Other(
                "the docker machines are already up".to_string(),
            ));
        }
        if self.opts.handle_signals {
            cleanup::install_interrupt_handler();
        }
        let engine =
            block_on(Engine::connect()).map_err(|e| BackendError::Unavailable(e.to_string()))?;
        let show = self.opts.progress;
        let progress = move |line: &str| {
            if show {
                eprintln!("p4ha: docker: {line}");
            }
        };
        let mut images = Vec::new();
        for m in &topology.machines {
            let image = block_on(Self::resolve_image(
                &engine.docker,
                &self.opts,
                &m.version,
                m.image.as_deref(),
                &progress,
            ))?;
            self.announce(m, &image);
            images.push(image);
        }
        let id = RunId::new(&topology.name);
        cleanup::register(&id);
        let created = block_on(Self::create(
            &engine, &self.opts, &id, topology, &images, &progress,
        ));
        match created {
            Ok(run) => {
                self.run = Some(run);
                Ok(())
            }
            Err(e) => {
                let docker = engine.docker.clone();
                let run_id = id.to_string();
                if block_on(async move { cleanup::remove_run(&docker, &run_id).await }).is_ok() {
                    cleanup::unregister(&id);
                }
                Err(e)
            }
        }
    }

    fn exec(&mut self, machine: &str, exec: &Exec) -> Result<ExecOutput, BackendError> {
        let run = self
            .run
            .as_mut()
            .ok_or_else(|| BackendError::Other("the docker machines are not up".to_string()))?;
        run.next_exec += 1;
        let n = run.next_exec;
        let node = run
            .nodes
            .get(machine)
            .ok_or_else(|| BackendError::UnknownMachine(machine.to_string()))?;
        let docker = run.engine.docker.clone();
        let mut env = node.env.clone();
        for (k, v) in &exec.env {
            env.insert(k.clone(), v.clone());
        }
        let cwd = exec
            .cwd
            .clone()
            .or_else(|| env.get("HOME").cloned())
            .unwrap_or_else(|| "/".to_string());
        let pid_file = format!("{STATE_DIR}/exec.{n}");
        let req = ExecRequest {
            argv: docker_exec::wrapped_script(&exec.script, &pid_file),
            env: env_list(&env),
            cwd: Some(cwd),
            stdin: exec.stdin.clone(),
            timeout: Some(if exec.timeout.is_zero() {
                DEFAULT_EXEC_TIMEOUT
            } else {
                exec.timeout
            }),
        };
        let container = node.container.clone();
        let out = block_on(docker_exec::run(&docker, &container, req))
            .map_err(|e| exec_error(machine, e))?;
        if out.status.is_none() {
            // The command overran: kill it and everything it started, as
            // the simulator ends a command at its time limit.
            let _ = self.helper(machine, &["kill-tree", &pid_file]);
        }
        Ok(ExecOutput {
            stdout: out.stdout,
            stderr: out.stderr,
            status: out.status.map(|s| s as i32),
        })
    }

    fn read_file(&mut self, machine: &str, path: &str) -> Result<Vec<u8>, BackendError> {
        let (run, node) = self.node(machine)?;
        let file_err = |reason: String| BackendError::File {
            machine: machine.to_string(),
            path: path.to_string(),
            reason,
        };
        if !path.starts_with('/') {
            return Err(file_err("not an absolute path".to_string()));
        }
        let docker = run.engine.docker.clone();
        let container = node.container.clone();
        let p = path.to_string();
        let tar =
            block_on(async move { download(&docker, &container, &p).await }).map_err(|e| {
                if is_not_found(&e) {
                    file_err("No such file or directory".to_string())
                } else {
                    file_err(e.to_string())
                }
            })?;
        archive::single_file(&tar).map_err(|e| file_err(e.to_string()))
    }

    fn write_file(
        &mut self,
        machine: &str,
        path: &str,
        data: &[u8],
        mode: u32,
    ) -> Result<(), BackendError> {
        let file_err = |reason: String| BackendError::File {
            machine: machine.to_string(),
            path: path.to_string(),
            reason,
        };
        let p = Path::new(path);
        let (Some(parent), Some(name)) = (p.parent(), p.file_name()) else {
            return Err(file_err("not a file path".to_string()));
        };
        if !path.starts_with('/') {
            return Err(file_err("not an absolute path".to_string()));
        }
        let parent = parent.display().to_string();
        let entries = vec![Entry::File {
            path: name.to_string_lossy().into_owned(),
            data: data.to_vec(),
            mode: mode & 0o7777,
        }];
        let (run, node) = self.node(machine)?;
        let docker = run.engine.docker.clone();
        let container = node.container.clone();
        let attempt = |docker: Docker, container: String, parent: String, entries: Vec<Entry>| {
            block_on(async move { upload(&docker, &container, &parent, &entries).await })
        };
        match attempt(
            docker.clone(),
            container.clone(),
            parent.clone(),
            entries.clone(),
        ) {
            Ok(()) => Ok(()),
            Err(e) if is_not_found(&e) => {
                // The engine writes into existing folders only.
                let mkdir = Exec {
                    script: format!("mkdir -p {}", p4ha_sim_quote(&parent)),
                    ..Exec::default()
                };
                let out = self.exec(machine, &mkdir)?;
                if out.status != Some(0) {
                    return Err(file_err(
                        String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
                    ));
                }
                attempt(docker, container, parent, entries).map_err(|e| file_err(e.to_string()))
            }
            Err(e) => Err(file_err(e.to_string())),
        }
    }

    fn fault(&mut self, fault: &Fault) -> Result<(), BackendError> {
        match fault {
            Fault::Crash { machine, root } => {
                self.helper(machine, &["signal", "KILL", root]).map(drop)
            }
            Fault::Stop { machine, root } => self.helper(machine, &["stop", root]).map(drop),
            Fault::Pause { machine, root } => {
                self.helper(machine, &["signal", "STOP", root]).map(drop)
            }
            Fault::Resume { machine, root } => {
                self.helper(machine, &["signal", "CONT", root]).map(drop)
            }
            Fault::Start {
                machine,
                p4dctl_name,
            } => {
                let exec = Exec {
                    script: format!("p4dctl start {}", p4ha_sim_quote(p4dctl_name)),
                    ..Exec::default()
                };
                let out = self.exec(machine, &exec)?;
                match out.status {
                    Some(0) => Ok(()),
                    status => {
                        let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
                        text.push_str(&String::from_utf8_lossy(&out.stderr));
                        let how = match status {
                            Some(s) => format!("exit status {s}"),
                            None => "it did not finish".to_string(),
                        };
                        Err(BackendError::Other(format!(
                            "`p4dctl start {p4dctl_name}` on {machine} failed ({how}): {}",
                            text.trim_end()
                        )))
                    }
                }
            }
            Fault::Partition { .. }
            | Fault::Heal { .. }
            | Fault::BlockPort { .. }
            | Fault::UnblockPort { .. } => self.network_fault(fault),
            Fault::DiskFull { machine, path } => {
                let root = self.volume_of(machine, path)?;
                self.helper(machine, &["fill", &root]).map(drop)
            }
            Fault::DiskFree { machine, path } => {
                let root = self.volume_of(machine, path)?;
                self.helper(machine, &["free", &root]).map(drop)
            }
            Fault::Truncate {
                machine,
                path,
                size,
            } => self
                .helper(machine, &["truncate", path, &size.to_string()])
                .map(drop),
            Fault::Corrupt {
                machine,
                path,
                offset,
            } => self
                .helper(machine, &["corrupt", path, &offset.to_string()])
                .map(drop),
            Fault::ClockSkew { machine, seconds } => {
                let (_, node) = self.node(machine)?;
                if node.image.kind != ImageKind::Simulator {
                    return Err(BackendError::Unsupported {
                        backend: "docker",
                        what: format!(
                            "move the clock of {machine} by {seconds}s: containers share the host kernel's clock, so real p4d sees the same time on every machine (clock skew needs the simulator's image or the sim backend)"
                        ),
                    });
                }
                let skew = node.skew + seconds;
                self.write_file(
                    machine,
                    p4ha_sim::native::SKEW_FILE,
                    format!("{skew}\n").as_bytes(),
                    0o644,
                )?;
                if let Some(n) = self.run.as_mut().and_then(|r| r.nodes.get_mut(machine)) {
                    n.skew = skew;
                }
                // The simulator's processes trust their last read of the
                // file for a while; the fault is in effect once that has
                // passed, so the next step already sees the moved clock.
                let refresh = u64::try_from(p4ha_sim::native::SKEW_REFRESH_MS).unwrap_or(200);
                std::thread::sleep(Duration::from_millis(refresh + 50));
                Ok(())
            }
        }
    }

    fn sleep(&mut self, d: Duration) -> Result<(), BackendError> {
        std::thread::sleep(d);
        Ok(())
    }

    fn now(&self) -> i64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    }

    fn install(
        &mut self,
        machine: &str,
        version: &str,
        image: Option<&str>,
    ) -> Result<(), BackendError> {
        let (run, node) = self.node(machine)?;
        match node.image.kind {
            ImageKind::Simulator => {
                if let Some(name) = image {
                    let docker = run.engine.docker.clone();
                    let n = name.to_string();
                    let kind = block_on(async move { image::inspect(&docker, &n).await })
                        .map_err(|e| BackendError::Unavailable(e.to_string()))?;
                    if kind == Some(ImageKind::Real) {
                        return Err(BackendError::Unsupported {
                            backend: "docker",
                            what: format!(
                                "install real p4d from {name} on {machine}, which runs the simulator's image (give every machine of an upgrade rehearsal a real p4d image)"
                            ),
                        });
                    }
                }
                self.write_file(
                    machine,
                    p4ha_sim::native::VERSION_FILE,
                    format!("{version}\n").as_bytes(),
                    0o644,
                )
            }
            ImageKind::Real => {
                let name = match (image, &self.opts.images) {
                    (Some(n), _) => n.to_string(),
                    (None, ImageChoice::Template(t)) => t.replace("{version}", version),
                    (None, _) => real_image_name(version),
                };
                self.install_real(machine, &name)
            }
        }
    }

    fn down(&mut self) -> Result<(), BackendError> {
        let Some(run) = self.run.take() else {
            return Ok(());
        };
        if self.opts.keep {
            self.progress(&format!(
                "kept the containers of run {} (network {}); `p4ha clean` removes them",
                run.id, run.network
            ));
            cleanup::unregister(&run.id);
            return Ok(());
        }
        let docker = run.engine.docker.clone();
        let id = run.id.to_string();
        let removed = block_on(async move { cleanup::remove_run(&docker, &id).await });
        match removed {
            Ok(_) => {
                cleanup::unregister(&run.id);
                Ok(())
            }
            Err(e) => Err(BackendError::Other(format!(
                "removing the containers of run {}: {e} (`p4ha clean` removes what is left)",
                run.id
            ))),
        }
    }
}

impl Drop for DockerBackend {
    fn drop(&mut self) {
        // A run that ended without `down` (a panic): nothing may be left.
        if self.run.is_some() {
            let _ = self.down();
        }
    }
}

/// Quotes a word for sh.
fn p4ha_sim_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
