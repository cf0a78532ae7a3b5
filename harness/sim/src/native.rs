//! Running the simulator's programs as real processes: `p4d` as a daemon
//! listening on real TCP (one per container), `p4` as a real client of it,
//! `p4dctl` on the machine's own files.
//!
//! The programs are the same code as in the in-process world; only the
//! [`Host`] is built from the real machine (file system, clock, sockets,
//! environment).

use std::collections::BTreeMap;
use std::io::Read;
use std::net::{IpAddr, Ipv4Addr};
use std::rc::Rc;

use p4ha_hostfs::HostFs;

use crate::clock::Clock;
use crate::host::{Host, HostMode, HostParts};
use crate::net::RealNet;
use crate::program::{Invocation, run_program};
use crate::version::ServerVersion;

/// Environment variable naming the p4d release a native host runs
/// (the simulator image sets it per image).
pub const VERSION_ENV: &str = "P4HA_P4D_VERSION";

/// The release used when neither [`VERSION_FILE`] nor [`VERSION_ENV`]
/// names one.
pub const DEFAULT_VERSION: ServerVersion = ServerVersion::new(2024, 2);

/// The p4d release installed on this machine, when an upgrade replaced
/// the one the image was started with (one line, `2023.2`). It wins over
/// [`VERSION_ENV`], which p4dctl does not pass to the daemons it starts.
pub const VERSION_FILE: &str = "/etc/p4ha/p4d-version";

/// How far this machine's clock is set ahead (positive) or behind, in
/// seconds (one line, `-30`). Containers share the kernel's clock, so the
/// harness moves a simulator container's clock by writing this file; it
/// is read again at most every [`SKEW_REFRESH_MS`].
pub const SKEW_FILE: &str = "/etc/p4ha/clock-skew";

/// How long a read of [`SKEW_FILE`] is trusted, in milliseconds.
pub const SKEW_REFRESH_MS: i64 = 200;

/// The p4d release this machine runs: [`VERSION_FILE`], then
/// [`VERSION_ENV`], then [`DEFAULT_VERSION`].
fn installed_version(env: &BTreeMap<String, String>) -> ServerVersion {
    std::fs::read_to_string(VERSION_FILE)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .or_else(|| env.get(VERSION_ENV).and_then(|v| v.parse().ok()))
        .unwrap_or(DEFAULT_VERSION)
}

/// The system clock moved by [`SKEW_FILE`].
fn skewed_system_clock() -> Clock {
    use std::sync::Mutex;
    // (when the file was last read, the skew it gave in milliseconds)
    let cache: Mutex<Option<(i64, i64)>> = Mutex::new(None);
    Clock::new(std::sync::Arc::new(move || {
        let now = jiff::Timestamp::now().as_millisecond();
        let Ok(mut cached) = cache.lock() else {
            return now;
        };
        let skew = match *cached {
            Some((read_at, skew)) if (now - read_at).abs() < SKEW_REFRESH_MS => skew,
            _ => {
                let skew = std::fs::read_to_string(SKEW_FILE)
                    .ok()
                    .and_then(|s| s.trim().parse::<i64>().ok())
                    .map_or(0, |secs| secs.saturating_mul(1000));
                *cached = Some((now, skew));
                skew
            }
        };
        now + skew
    }))
}

/// The real machine as a [`Host`].
pub fn native_host() -> Rc<Host> {
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| env.get("HOSTNAME").cloned())
        .unwrap_or_else(|| "localhost".to_string());
    let installed = installed_version(&env);
    let clock = skewed_system_clock();
    let seed = std::process::id() as u64 ^ clock.now_ms() as u64;
    Host::new(HostParts {
        name,
        ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
        fs: HostFs::native(),
        clock,
        net: Rc::new(RealNet),
        mode: HostMode::Native,
        env,
        installed,
        seed,
    })
}

/// Runs `program` (`p4`, `p4d`, `p4dctl`) with `args` as this process:
/// reads stdin when it is not a terminal, writes stdout and stderr, and
/// returns the exit status.
pub fn main_for(program: &str, args: Vec<String>) -> i32 {
    let mut argv = vec![program.to_string()];
    argv.extend(args);
    let mut stdin = Vec::new();
    if needs_stdin(program, &argv) {
        let _ = std::io::stdin().read_to_end(&mut stdin);
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| "/".into());
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{program}: cannot start: {e}");
            return 1;
        }
    };
    let local = tokio::task::LocalSet::new();
    let out = local.block_on(&rt, async move {
        let host = native_host();
        let inv = Invocation {
            argv,
            env: host.env.borrow().clone(),
            cwd,
            stdin,
        };
        if program == "p4d" {
            crate::native::watch_signals(&host);
        }
        run_program(&host, inv).await
    });
    use std::io::Write;
    match out {
        Some(out) => {
            let _ = std::io::stdout().write_all(&out.stdout);
            let _ = std::io::stderr().write_all(&out.stderr);
            out.status
        }
        None => {
            eprintln!("{program}: not a simulator program");
            127
        }
    }
}

/// Whether the program may read standard input: `p4` reads forms and
/// passwords from it; a foreground daemon never does.
fn needs_stdin(program: &str, argv: &[String]) -> bool {
    use std::io::IsTerminal;
    if std::io::stdin().is_terminal() {
        return false;
    }
    match program {
        "p4" => true,
        // `p4d -jr -` reads a journal from stdin.
        "p4d" => argv.iter().any(|a| a == "-"),
        _ => false,
    }
}

/// SIGTERM and SIGINT stop every p4d of this process cleanly.
pub fn watch_signals(host: &Rc<Host>) {
    let host = host.clone();
    tokio::task::spawn_local(async move {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        for p in host.procs.borrow().all() {
            p.control.request(crate::process::StopRequest::Stop);
        }
    });
}
