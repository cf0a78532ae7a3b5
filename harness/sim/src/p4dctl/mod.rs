//! `p4dctl`: starting, stopping and checking the p4d services configured
//! on a host (`/etc/perforce/p4dctl.conf`, see [`config`]).
//!
//! `p4dctl start NAME` runs the service's p4d as a daemon with exactly the
//! environment its configuration gives (so `TZ` there decides the server's
//! time zone, seed 000 section 10); `stop` asks the running p4d to shut
//! down cleanly and waits for it; `restart` does both; `status` reports.
//!
//! Messages (formats reference 4.7): `Started 'NAME' p4d service.` and the
//! total `Started N services.` (plural even for one, as the real tool
//! prints), `Stopped ...`, `Restarted ...`, `'NAME' p4d service is
//! running.` / `'NAME' p4d service not running.` (status exits 1 then),
//! `Service 'NAME' not found.` on stderr. Not documented, chosen here:
//! starting a running service prints `'NAME' p4d service already
//! running.`, stopping a stopped one `'NAME' p4d service not running.`,
//! both with exit status 1; restarting a stopped service starts it.

pub mod config;
mod native;

use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use crate::host::{Host, HostMode};
use crate::process::StopRequest;
use crate::program::{Invocation, ProgramOutput, program_name};
pub use config::{Config, ConfigError, ServiceConfig};

const USAGE: &str = "Usage: p4dctl [ -c configfile ] { start | stop | restart | status } [ -t type ] ( -a | name... )";

/// What p4dctl does to each service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Start,
    Stop,
    Restart,
    Status,
}

struct Out {
    stdout: String,
    stderr: String,
    status: i32,
}

impl Out {
    fn line(&mut self, s: &str) {
        self.stdout.push_str(s);
        self.stdout.push('\n');
    }

    fn err(&mut self, s: &str) {
        self.stderr.push_str(s);
        if !s.ends_with('\n') {
            self.stderr.push('\n');
        }
        self.status = 1;
    }
}

/// Runs `p4dctl` on `host`.
pub async fn p4dctl_main(host: &Rc<Host>, inv: Invocation) -> ProgramOutput {
    let mut out = Out {
        stdout: String::new(),
        stderr: String::new(),
        status: 0,
    };
    let args = &inv.argv[1.min(inv.argv.len())..];
    let mut config_path = PathBuf::from(config::DEFAULT_CONFIG);
    let mut i = 0;
    while i < args.len() && args[i].starts_with('-') {
        match args[i].as_str() {
            "-c" => {
                i += 1;
                let Some(p) = args.get(i) else { return usage() };
                config_path = p4ha_hostfs::resolve(&inv.cwd, p);
            }
            "-q" | "-v" => {}
            _ => return usage(),
        }
        i += 1;
    }
    let Some(command) = args.get(i) else {
        return usage();
    };
    let action = match command.as_str() {
        "start" => Action::Start,
        "stop" => Action::Stop,
        "restart" => Action::Restart,
        "status" => Action::Status,
        _ => return usage(),
    };
    let mut kind: Option<String> = None;
    let mut all = false;
    let mut names = Vec::new();
    let rest = &args[i + 1..];
    let mut j = 0;
    while j < rest.len() {
        match rest[j].as_str() {
            "-a" => all = true,
            "-t" => {
                j += 1;
                let Some(t) = rest.get(j) else { return usage() };
                kind = Some(t.clone());
            }
            f if f.starts_with('-') => return usage(),
            n => names.push(n.to_string()),
        }
        j += 1;
    }
    if all != names.is_empty() {
        return usage();
    }
    let config = match config::load(&host.fs, &config_path) {
        Ok(c) => c,
        Err(e) => {
            out.err(&e.to_string());
            return finish(out);
        }
    };
    let mut services: Vec<ServiceConfig> = Vec::new();
    if all {
        services.extend(
            config
                .services
                .iter()
                .filter(|s| kind.as_deref().is_none_or(|k| k == s.kind) && s.enabled)
                .cloned(),
        );
    } else {
        for n in &names {
            match config.find(n, kind.as_deref()) {
                Some(s) => services.push(s.clone()),
                None => out.err(&format!("Service '{n}' not found.")),
            }
        }
    }
    let mut done = 0;
    for svc in &services {
        if svc.kind != "p4d" {
            out.err(&format!(
                "'{}' {} service: only p4d services are simulated.",
                svc.name, svc.kind
            ));
            continue;
        }
        if act(host, svc, action, &mut out).await {
            done += 1;
        }
    }
    let total = match action {
        Action::Start => Some("Started"),
        Action::Stop => Some("Stopped"),
        Action::Restart => Some("Restarted"),
        Action::Status => None,
    };
    if let Some(word) = total {
        out.line(&format!("{word} {done} services."));
    }
    if config.services.is_empty() {
        out.line("No services configured.");
    }
    finish(out)
}

fn usage() -> ProgramOutput {
    ProgramOutput::failure(format!("{USAGE}\n"), 1)
}

fn finish(out: Out) -> ProgramOutput {
    ProgramOutput {
        stdout: out.stdout.into_bytes(),
        stderr: out.stderr.into_bytes(),
        status: out.status,
    }
}

/// The service's P4ROOT (host path), or an error line.
fn root_of(svc: &ServiceConfig) -> Result<PathBuf, String> {
    match svc.env.get("P4ROOT") {
        Some(r) if !r.is_empty() => Ok(p4ha_hostfs::resolve(std::path::Path::new("/"), r)),
        _ => Err(format!(
            "'{}' p4d service: P4ROOT is not set in its Environment.",
            svc.name
        )),
    }
}

/// Does `action` to one p4d service; true when it counts in the total.
async fn act(host: &Rc<Host>, svc: &ServiceConfig, action: Action, out: &mut Out) -> bool {
    let root = match root_of(svc) {
        Ok(r) => r,
        Err(e) => {
            out.err(&e);
            return false;
        }
    };
    let name = &svc.name;
    let running = match host.mode {
        HostMode::Native => native::running(&host.fs, &root).map(Running::Native),
        HostMode::Simulated => host.procs.borrow().by_root(&root).map(Running::Simulated),
    };
    match action {
        Action::Status => {
            if !svc.enabled {
                out.line(&format!("'{name}' p4d service is disabled."));
            } else if running.is_some() {
                out.line(&format!("'{name}' p4d service is running."));
            } else {
                out.line(&format!("'{name}' p4d service not running."));
                out.status = 1;
            }
            true
        }
        Action::Start if running.is_some() => {
            out.line(&format!("'{name}' p4d service already running."));
            out.status = 1;
            false
        }
        Action::Start => start(host, svc, &root, out, "Started").await,
        Action::Stop => match running {
            None => {
                out.line(&format!("'{name}' p4d service not running."));
                out.status = 1;
                false
            }
            Some(p) => {
                stop(host, &root, p).await;
                out.line(&format!("Stopped '{name}' p4d service."));
                true
            }
        },
        Action::Restart => match running {
            None => start(host, svc, &root, out, "Started").await,
            Some(p) => {
                stop(host, &root, p).await;
                start(host, svc, &root, out, "Restarted").await
            }
        },
    }
}

/// Starts the service's p4d as a daemon with the configured environment.
async fn start(
    host: &Rc<Host>,
    svc: &ServiceConfig,
    root: &std::path::Path,
    out: &mut Out,
    word: &str,
) -> bool {
    let program = svc.execute.clone().unwrap_or_else(|| "p4d".to_string());
    if program_name(&program) != "p4d" {
        out.err(&format!(
            "'{}' p4d service: {program} is not a p4d the simulator can run.",
            svc.name
        ));
        return false;
    }
    let mut argv = vec![program];
    if let Some(a) = &svc.args {
        argv.extend(a.split_whitespace().map(str::to_string));
    }
    argv.push("-d".to_string());
    let inv = Invocation {
        argv,
        env: svc.env.clone(),
        cwd: root.to_path_buf(),
        stdin: Vec::new(),
    };
    let result = Box::pin(crate::p4d::p4d_main(host, inv)).await;
    if result.status != 0 {
        out.stderr
            .push_str(&String::from_utf8_lossy(&result.stderr));
        out.status = 1;
        return false;
    }
    out.line(&format!("{word} '{}' p4d service.", svc.name));
    true
}

/// A running p4d: in the simulated machine's process table, or a real
/// process.
enum Running {
    Simulated(crate::process::Process),
    Native(u32),
}

/// Asks a running p4d to shut down cleanly and waits until it has.
async fn stop(host: &Rc<Host>, root: &std::path::Path, running: Running) {
    let p = match running {
        Running::Native(pid) => return native::stop(&host.fs, root, pid).await,
        Running::Simulated(p) => p,
    };
    p.control.request(StopRequest::Stop);
    for _ in 0..6000 {
        if p.control.has_exited()
            || host
                .procs
                .borrow()
                .by_root(&p.root)
                .is_none_or(|q| q.pid != p.pid)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // It did not stop within a minute: the process is killed.
    p.control.kill();
    host.procs.borrow_mut().remove(p.pid);
}
