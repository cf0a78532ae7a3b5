//! The simulator behind the scenario runner's backend contract
//! ([`p4ha_backend::Backend`]): every machine of a topology is a host of a
//! [`SimWorld`], every command line runs through the p4ha shell on that
//! host with the simulator's `p4`, `p4d` and `p4dctl` as its programs, and
//! time is the world's virtual time.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use p4ha_backend::{Backend, BackendError, CutMode, Exec, ExecOutput, Fault, Topology};
use p4ha_hostfs::HostFs;
use p4ha_shell::{LocalBoxFuture, ProgramCall, RunOptions, ShellHost, run_script};

use crate::host::Host;
use crate::net::BlockMode;
use crate::process::StopRequest;
use crate::program::Invocation;
use crate::version::ServerVersion;
use crate::world::{HostSpec, SimWorld, WorldConfig, WorldError};

/// Time limit of a command whose [`Exec::timeout`] is zero.
pub const DEFAULT_EXEC_TIMEOUT: Duration = Duration::from_secs(600);

/// Most shell commands one script may run, so that a loop that never
/// sleeps cannot stall the simulation (virtual time only moves between
/// awaits).
const COMMAND_LIMIT: u64 = 1_000_000;

/// How long a clean stop may take before the process is killed, as
/// `p4dctl stop` allows.
const STOP_LIMIT: Duration = Duration::from_secs(60);

/// Where the simulated packages install their programs (Helix Core's
/// Linux packages: clients in `bin`, servers and p4dctl in `sbin`).
const P4_PATH: &str = "/opt/perforce/bin/p4";
const SBIN: &str = "/opt/perforce/sbin";

/// The login `PATH` of a machine unless the topology gives one.
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:/opt/perforce/bin:/opt/perforce/sbin";

/// First address handed out to a machine the topology gives none
/// (a private range, as a container network would use).
const FIRST_ADDRESS: Ipv4Addr = Ipv4Addr::new(10, 56, 0, 10);

/// How a [`SimBackend`] keeps its files.
#[derive(Debug, Clone, Default)]
pub struct SimBackendOptions {
    /// Folder under which the world's folder is created (default: the
    /// system's temporary folder).
    pub parent: Option<PathBuf>,
    /// Keep the world's folder after [`Backend::down`], for inspection.
    pub keep: bool,
}

/// The embedded simulator as a backend.
pub struct SimBackend {
    opts: SimBackendOptions,
    world: Option<SimWorld>,
    dir: Option<PathBuf>,
    start_epoch: i64,
}

impl std::fmt::Debug for SimBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimBackend")
            .field("dir", &self.dir)
            .field("keep", &self.opts.keep)
            .finish()
    }
}

impl SimBackend {
    /// A backend with nothing up yet.
    pub fn new(opts: SimBackendOptions) -> SimBackend {
        SimBackend {
            opts,
            world: None,
            dir: None,
            start_epoch: WorldConfig::new("").start_epoch,
        }
    }

    /// The folder holding every machine's files, once [`Backend::up`] ran.
    pub fn world_dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The world, for tests that look behind the contract.
    pub fn world_mut(&mut self) -> Option<&mut SimWorld> {
        self.world.as_mut()
    }

    fn world(&mut self) -> Result<&mut SimWorld, BackendError> {
        self.world
            .as_mut()
            .ok_or_else(|| BackendError::Other("the simulated machines are not up".to_string()))
    }

    fn host(&mut self, machine: &str) -> Result<Rc<Host>, BackendError> {
        self.world()?
            .host(machine)
            .ok_or_else(|| BackendError::UnknownMachine(machine.to_string()))
    }

    /// Runs `job` on a machine's runtime and steps the world until it is done.
    fn on_host<T: 'static>(
        &mut self,
        machine: &str,
        limit: Duration,
        job: impl FnOnce(Rc<Host>) -> LocalBoxFuture<'static, T> + 'static,
    ) -> Result<T, BackendError> {
        self.world()?
            .run_on(machine, limit, job)
            .map_err(|e| world_error(machine, e))
    }

    fn file_error(machine: &str, path: &str, e: &std::io::Error) -> BackendError {
        BackendError::File {
            machine: machine.to_string(),
            path: path.to_string(),
            reason: crate::client::os_error(e),
        }
    }

    /// Removes the world's folder unless it is to be kept.
    fn clean_up(&mut self) -> Result<(), BackendError> {
        self.world = None;
        if let Some(dir) = self.dir.take() {
            if self.opts.keep {
                self.dir = Some(dir);
            } else if dir.exists() {
                std::fs::remove_dir_all(&dir).map_err(|e| {
                    BackendError::Other(format!(
                        "cannot remove the simulator's folder {}: {e}",
                        dir.display()
                    ))
                })?;
            }
        }
        Ok(())
    }
}

impl Drop for SimBackend {
    fn drop(&mut self) {
        let _ = self.clean_up();
    }
}

fn world_error(machine: &str, e: WorldError) -> BackendError {
    match e {
        WorldError::NoHost(name) => BackendError::UnknownMachine(name),
        WorldError::HostDown(_) => {
            BackendError::Unavailable(format!("machine '{machine}' is down"))
        }
        other => BackendError::Other(other.to_string()),
    }
}

fn block_mode(mode: CutMode) -> BlockMode {
    match mode {
        CutMode::Refuse => BlockMode::Refuse,
        CutMode::Drop => BlockMode::Drop,
        CutMode::Reject => BlockMode::Reject,
    }
}

/// A unique folder name for one world of this process.
fn world_folder(parent: &Path, name: &str) -> PathBuf {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    parent.join(format!("p4ha-sim-{safe}-{}-{n}", std::process::id()))
}

/// The login environment of a machine: defaults of a root login, then
/// what the topology gives.
fn login_env(machine: &p4ha_backend::Machine) -> BTreeMap<String, String> {
    let mut env = BTreeMap::from([
        ("HOME".to_string(), "/root".to_string()),
        ("USER".to_string(), "root".to_string()),
        ("LOGNAME".to_string(), "root".to_string()),
        ("SHELL".to_string(), "/bin/sh".to_string()),
        ("PATH".to_string(), DEFAULT_PATH.to_string()),
        ("TZ".to_string(), machine.timezone.clone()),
    ]);
    for (k, v) in &machine.env {
        env.insert(k.clone(), v.clone());
    }
    env
}

impl Backend for SimBackend {
    fn name(&self) -> &'static str {
        "sim"
    }

    fn up(&mut self, topology: &Topology) -> Result<(), BackendError> {
        if self.world.is_some() {
            return Err(BackendError::Other(
                "the simulated machines are already up".to_string(),
            ));
        }
        let parent = self.opts.parent.clone().unwrap_or_else(std::env::temp_dir);
        let dir = world_folder(&parent, &topology.name);
        std::fs::create_dir_all(&dir).map_err(|e| {
            BackendError::Unavailable(format!("cannot create {}: {e}", dir.display()))
        })?;
        self.dir = Some(dir.clone());
        let mut cfg = WorldConfig::new(&dir);
        cfg.seed = topology.seed;
        if let Some(epoch) = topology.start_epoch {
            cfg.start_epoch = epoch;
        }
        self.start_epoch = cfg.start_epoch;
        let mut world = SimWorld::new(cfg);
        let taken: Vec<Ipv4Addr> = topology.machines.iter().filter_map(|m| m.ip).collect();
        let mut next = u32::from(FIRST_ADDRESS);
        for machine in &topology.machines {
            let ip = match machine.ip {
                Some(ip) => ip,
                None => {
                    while taken.contains(&Ipv4Addr::from(next)) {
                        next += 1;
                    }
                    let ip = Ipv4Addr::from(next);
                    next += 1;
                    ip
                }
            };
            let installed: ServerVersion = machine.version.parse().map_err(|e| {
                BackendError::Other(format!(
                    "machine '{}': p4d release '{}': {e}",
                    machine.name, machine.version
                ))
            })?;
            let mut aliases = machine.aliases.clone();
            if machine.hostname != machine.name {
                aliases.push(machine.hostname.clone());
            }
            let env = login_env(machine);
            let home = env
                .get("HOME")
                .cloned()
                .unwrap_or_else(|| "/root".to_string());
            let host = world
                .add_host(HostSpec {
                    name: machine.name.clone(),
                    ip: IpAddr::V4(ip),
                    aliases,
                    env,
                    installed,
                })
                .map_err(|e| BackendError::Other(e.to_string()))?;
            // What every machine has before anyone logs in.
            for d in ["/tmp", home.as_str(), "/etc"] {
                host.fs
                    .create_dir_all(Path::new(d))
                    .map_err(|e| Self::file_error(&machine.name, d, &e))?;
            }
        }
        self.world = Some(world);
        Ok(())
    }

    fn exec(&mut self, machine: &str, exec: &Exec) -> Result<ExecOutput, BackendError> {
        let host = self.host(machine)?;
        let mut env = host.env.borrow().clone();
        for (k, v) in &exec.env {
            env.insert(k.clone(), v.clone());
        }
        let cwd = exec
            .cwd
            .clone()
            .or_else(|| env.get("HOME").cloned())
            .unwrap_or_else(|| "/".to_string());
        let opts = RunOptions {
            user: env
                .get("USER")
                .cloned()
                .unwrap_or_else(|| "root".to_string()),
            env,
            cwd: PathBuf::from(cwd),
            stdin: exec.stdin.clone(),
            name: "sh".to_string(),
            args: Vec::new(),
            hostname: host.name.clone(),
            pid: host.next_pid(),
            command_limit: Some(COMMAND_LIMIT),
            errexit: false,
        };
        let limit = if exec.timeout.is_zero() {
            DEFAULT_EXEC_TIMEOUT
        } else {
            exec.timeout
        };
        let script = exec.script.clone();
        let result = self.world()?.run_on(machine, limit, move |host| {
            Box::pin(async move {
                let shell = SimShellHost::new(host);
                run_script(&shell, &script, opts).await
            })
        });
        match result {
            Ok(out) => Ok(ExecOutput {
                stdout: out.stdout,
                stderr: out.stderr,
                status: Some(out.status),
            }),
            Err(WorldError::Timeout(_)) => Ok(ExecOutput {
                stdout: Vec::new(),
                stderr: Vec::new(),
                status: None,
            }),
            Err(e) => Err(world_error(machine, e)),
        }
    }

    fn read_file(&mut self, machine: &str, path: &str) -> Result<Vec<u8>, BackendError> {
        let host = self.host(machine)?;
        host.fs
            .read(Path::new(path))
            .map_err(|e| Self::file_error(machine, path, &e))
    }

    fn write_file(
        &mut self,
        machine: &str,
        path: &str,
        data: &[u8],
        mode: u32,
    ) -> Result<(), BackendError> {
        let host = self.host(machine)?;
        let p = Path::new(path);
        if let Some(parent) = p.parent() {
            host.fs
                .create_dir_all(parent)
                .map_err(|e| Self::file_error(machine, path, &e))?;
        }
        host.fs
            .write(p, data)
            .map_err(|e| Self::file_error(machine, path, &e))?;
        host.fs
            .set_mode(p, mode)
            .map_err(|e| Self::file_error(machine, path, &e))
    }

    fn fault(&mut self, fault: &Fault) -> Result<(), BackendError> {
        match fault {
            Fault::Crash { machine, root } => self.crash(machine, root),
            Fault::Stop { machine, root } => self.stop(machine, root),
            Fault::Start {
                machine,
                p4dctl_name,
            } => self.start(machine, p4dctl_name),
            Fault::Pause { machine, root } => {
                self.process(machine, root)?.control.set_paused(true);
                Ok(())
            }
            Fault::Resume { machine, root } => {
                self.process(machine, root)?.control.set_paused(false);
                Ok(())
            }
            Fault::Partition { a, b, mode } => self
                .world()?
                .partition(a, b, block_mode(*mode))
                .map_err(|e| world_error(a, e)),
            Fault::Heal { a, b } => self.world()?.heal(a, b).map_err(|e| world_error(a, e)),
            Fault::BlockPort {
                machine,
                port,
                mode,
            } => self
                .world()?
                .firewall(machine, *port, Some(block_mode(*mode)))
                .map_err(|e| world_error(machine, e)),
            Fault::UnblockPort { machine, port } => self
                .world()?
                .firewall(machine, *port, None)
                .map_err(|e| world_error(machine, e)),
            Fault::DiskFull { machine, path } => {
                self.host(machine)?.fs.set_full(Path::new(path), true);
                Ok(())
            }
            Fault::DiskFree { machine, path } => {
                self.host(machine)?.fs.set_full(Path::new(path), false);
                Ok(())
            }
            Fault::Truncate {
                machine,
                path,
                size,
            } => {
                let host = self.host(machine)?;
                host.fs
                    .set_len(Path::new(path), *size)
                    .map_err(|e| Self::file_error(machine, path, &e))
            }
            Fault::Corrupt {
                machine,
                path,
                offset,
            } => self.corrupt(machine, path, *offset),
            Fault::ClockSkew { machine, seconds } => {
                let host = self.host(machine)?;
                host.clock.set_skew_secs(host.clock.skew_secs() + seconds);
                Ok(())
            }
        }
    }

    fn sleep(&mut self, d: Duration) -> Result<(), BackendError> {
        self.world()?
            .advance(d)
            .map_err(|e| BackendError::Other(e.to_string()))
    }

    fn now(&self) -> i64 {
        match &self.world {
            Some(w) => w.now(),
            None => self.start_epoch,
        }
    }

    fn install(
        &mut self,
        machine: &str,
        version: &str,
        _image: Option<&str>,
    ) -> Result<(), BackendError> {
        let host = self.host(machine)?;
        let v: ServerVersion = version.parse().map_err(|e| {
            BackendError::Other(format!("machine '{machine}': p4d release '{version}': {e}"))
        })?;
        host.installed.set(v);
        Ok(())
    }

    fn down(&mut self) -> Result<(), BackendError> {
        self.clean_up()
    }
}

impl SimBackend {
    /// The p4d process serving `root` on `machine`.
    fn process(
        &mut self,
        machine: &str,
        root: &str,
    ) -> Result<crate::process::Process, BackendError> {
        let host = self.host(machine)?;
        let found = host.procs.borrow().by_root(Path::new(root));
        found.ok_or_else(|| {
            BackendError::Other(format!("no p4d is running with P4ROOT {root} on {machine}"))
        })
    }

    /// Kills the server at once: its tasks end where they are, nothing is
    /// flushed or logged, the port closes.
    fn crash(&mut self, machine: &str, root: &str) -> Result<(), BackendError> {
        let p = self.process(machine, root)?;
        self.on_host(machine, Duration::from_secs(1), move |host| {
            Box::pin(async move {
                p.control.kill();
                host.procs.borrow_mut().remove(p.pid);
            })
        })
    }

    /// Asks the server to shut down cleanly and waits until it has.
    fn stop(&mut self, machine: &str, root: &str) -> Result<(), BackendError> {
        let p = self.process(machine, root)?;
        let stopped = self.on_host(machine, STOP_LIMIT + Duration::from_secs(1), move |host| {
            Box::pin(async move {
                p.control.request(StopRequest::Stop);
                let gone = |host: &Host| {
                    p.control.has_exited()
                        || host
                            .procs
                            .borrow()
                            .by_root(&p.root)
                            .is_none_or(|q| q.pid != p.pid)
                };
                let mut waited = Duration::ZERO;
                while !gone(&host) {
                    if waited >= STOP_LIMIT {
                        // As p4dctl does with a server that will not stop.
                        p.control.kill();
                        host.procs.borrow_mut().remove(p.pid);
                        return false;
                    }
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    waited += Duration::from_millis(10);
                }
                true
            })
        })?;
        if stopped {
            Ok(())
        } else {
            Err(BackendError::Other(format!(
                "the p4d with P4ROOT {root} on {machine} did not stop within {}s and was killed",
                STOP_LIMIT.as_secs()
            )))
        }
    }

    /// Starts a server the way its administrator does: `p4dctl start NAME`.
    fn start(&mut self, machine: &str, name: &str) -> Result<(), BackendError> {
        let exec = Exec {
            script: format!("p4dctl start {}", p4ha_shell::quote(name)),
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
                    "`p4dctl start {name}` on {machine} failed ({how}): {}",
                    text.trim_end()
                )))
            }
        }
    }

    /// Flips every bit of one byte of a file.
    fn corrupt(&mut self, machine: &str, path: &str, offset: i64) -> Result<(), BackendError> {
        let host = self.host(machine)?;
        let p = Path::new(path);
        let mut data = host
            .fs
            .read(p)
            .map_err(|e| Self::file_error(machine, path, &e))?;
        let len = data.len() as i64;
        let at = if offset < 0 { len + offset } else { offset };
        if at < 0 || at >= len {
            return Err(BackendError::File {
                machine: machine.to_string(),
                path: path.to_string(),
                reason: format!("cannot corrupt byte {offset}: the file has {len} bytes"),
            });
        }
        data[at as usize] ^= 0xFF;
        host.fs
            .write(p, &data)
            .map_err(|e| Self::file_error(machine, path, &e))
    }
}

/// A simulated machine as the shell sees it: its file system, the
/// simulator's programs, virtual sleeping.
pub struct SimShellHost {
    host: Rc<Host>,
}

impl SimShellHost {
    /// The shell's view of `host`.
    pub fn new(host: Rc<Host>) -> SimShellHost {
        SimShellHost { host }
    }
}

impl ShellHost for SimShellHost {
    fn fs(&self) -> &HostFs {
        &self.host.fs
    }

    fn run_program<'a>(
        &'a self,
        call: ProgramCall,
    ) -> LocalBoxFuture<'a, Option<p4ha_shell::ProgramOutput>> {
        Box::pin(async move {
            let inv = Invocation {
                argv: call.argv,
                env: call.env,
                cwd: call.cwd,
                stdin: call.stdin,
            };
            crate::program::run_program(&self.host, inv)
                .await
                .map(|out| p4ha_shell::ProgramOutput {
                    stdout: out.stdout,
                    stderr: out.stderr,
                    status: out.status,
                })
        })
    }

    fn sleep<'a>(&'a self, d: Duration) -> LocalBoxFuture<'a, ()> {
        Box::pin(tokio::time::sleep(d))
    }

    fn program_path(&self, name: &str) -> Option<String> {
        match name {
            "p4" => Some(P4_PATH.to_string()),
            "p4d" | "p4dctl" => Some(format!("{SBIN}/{name}")),
            _ => None,
        }
    }

    fn default_time_zone(&self) -> jiff::tz::TimeZone {
        self.host
            .env_var("TZ")
            .and_then(|tz| jiff::tz::TimeZone::get(&tz).ok())
            .unwrap_or(jiff::tz::TimeZone::UTC)
    }
}
