//! The shell as a real `/bin/sh`: the machine's own file system, programs
//! run with `std::process`, and real sleeping.

use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use p4ha_hostfs::HostFs;

use crate::host::{LocalBoxFuture, ProgramCall, ProgramOutput, ShellHost};
use crate::interp::{Shell, Start};
use crate::streams::{Fds, Input, Sink};

/// The machine the process runs on.
#[derive(Debug, Clone)]
pub struct NativeHost {
    fs: HostFs,
}

impl Default for NativeHost {
    fn default() -> Self {
        NativeHost::new()
    }
}

impl NativeHost {
    /// The machine's own file system and programs.
    pub fn new() -> NativeHost {
        NativeHost {
            fs: HostFs::native(),
        }
    }
}

/// Finds a program on `PATH` (or takes a name with a slash as a path).
fn find_program(name: &str, env: &BTreeMap<String, String>, cwd: &Path) -> Option<PathBuf> {
    if name.contains('/') {
        let p = cwd.join(name);
        return p.is_file().then_some(p);
    }
    let path = env
        .get("PATH")
        .cloned()
        .unwrap_or_else(|| "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    path.split(':')
        .map(|d| Path::new(if d.is_empty() { "." } else { d }).join(name))
        .find(|p| p.is_file())
}

impl ShellHost for NativeHost {
    fn fs(&self) -> &HostFs {
        &self.fs
    }

    fn run_program<'a>(&'a self, call: ProgramCall) -> LocalBoxFuture<'a, Option<ProgramOutput>> {
        Box::pin(async move { run_native(&self.fs, call) })
    }

    fn sleep<'a>(&'a self, d: Duration) -> LocalBoxFuture<'a, ()> {
        Box::pin(async move { std::thread::sleep(d) })
    }

    fn program_path(&self, name: &str) -> Option<String> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
        find_program(name, &env, &cwd).map(|p| p.display().to_string())
    }

    fn default_time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::try_system().unwrap_or(jiff::tz::TimeZone::UTC)
    }
}

/// Runs the command as another user (`sudo -u`), in `cwd`. As sudo does,
/// the directory is entered before the user changes, so a command started
/// from a folder the user cannot read (root's home, 0700) still runs: std's
/// `Command::uid` would change the user first and then fail to enter it.
fn as_user(cmd: &mut Command, cwd: &Path, uid: u32, gid: u32) {
    let dir = std::ffi::CString::new(cwd.as_os_str().as_encoded_bytes()).ok();
    // SAFETY: the closure runs in the forked child before exec and only
    // makes async-signal-safe system calls (chdir, setgroups, setgid,
    // setuid) on memory prepared before the fork.
    unsafe {
        cmd.pre_exec(move || {
            if let Some(d) = &dir
                && libc::chdir(d.as_ptr()) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            let groups = [gid as libc::gid_t];
            if libc::setgroups(1, groups.as_ptr()) != 0
                || libc::setgid(gid as libc::gid_t) != 0
                || libc::setuid(uid as libc::uid_t) != 0
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

fn run_native(fs: &HostFs, call: ProgramCall) -> Option<ProgramOutput> {
    let name = call.argv.first()?.clone();
    let program = find_program(&name, &call.env, &call.cwd)?;
    let mut cmd = Command::new(&program);
    cmd.arg0(&name)
        .args(&call.argv[1..])
        .env_clear()
        .envs(&call.env)
        .stdin(if call.inherit.stdin {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .stdout(if call.inherit.stdout {
            Stdio::inherit()
        } else {
            Stdio::piped()
        })
        .stderr(if call.inherit.stderr {
            Stdio::inherit()
        } else {
            Stdio::piped()
        });
    match crate::accounts::user(fs, &call.user) {
        Some(u) if current_user(fs).as_deref() != Some(call.user.as_str()) => {
            as_user(&mut cmd, &call.cwd, u.uid, u.gid);
        }
        _ => {
            cmd.current_dir(&call.cwd);
        }
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return Some(ProgramOutput {
                stdout: Vec::new(),
                stderr: format!("sh: {name}: {}\n", crate::errno::text(&e)).into_bytes(),
                status: 126,
            });
        }
    };
    if let Some(mut stdin) = child.stdin.take() {
        let data = call.stdin.clone();
        // Written from a thread so a program that prints before reading
        // cannot deadlock against us.
        std::thread::spawn(move || {
            let _ = stdin.write_all(&data);
        });
    }
    let out = match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => {
            return Some(ProgramOutput {
                stdout: Vec::new(),
                stderr: format!("sh: {name}: {}\n", crate::errno::text(&e)).into_bytes(),
                status: 126,
            });
        }
    };
    let status = match out.status.code() {
        Some(c) => c,
        None => 128 + out.status.signal().unwrap_or(0),
    };
    Some(ProgramOutput {
        stdout: out.stdout,
        stderr: out.stderr,
        status,
    })
}

/// The name of the user this process runs as.
fn current_user(fs: &HostFs) -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = fs.read_to_string(Path::new("/etc/passwd")).ok()?;
    passwd
        .lines()
        .find(|l| l.split(':').nth(2).and_then(|s| s.parse::<u32>().ok()) == Some(uid))
        .and_then(|l| l.split(':').next().map(str::to_string))
        .or_else(|| (uid == 0).then(|| "root".to_string()))
}

/// Polls a future to completion on this thread. The native host's futures
/// never wait on anything but blocking calls, so a no-op waker suffices.
pub fn block_on<F: Future>(fut: F) -> F::Output {
    let mut fut = std::pin::pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::yield_now();
    }
}

const USAGE: &str =
    "Usage: sh [-eux] [-c command [name [arg...]] | script [arg...] | -s [arg...]]\n";

/// `/bin/sh`: `sh -c 'script' [name [args]]`, `sh file [args]`, or a
/// script on standard input. Returns the exit status.
pub fn sh_main(args: Vec<String>) -> i32 {
    let mut errexit = false;
    let mut nounset = false;
    let mut xtrace = false;
    let mut command: Option<String> = None;
    let mut from_stdin = false;
    let mut i = 1;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if !(a.starts_with('-') || a.starts_with('+')) || a.len() < 2 {
            break;
        }
        let on = a.starts_with('-');
        for c in a[1..].chars() {
            match c {
                'c' => from_stdin = false,
                's' => from_stdin = true,
                'e' => errexit = on,
                'u' => nounset = on,
                'x' => xtrace = on,
                'i' | 'l' | 'v' | 'm' | 'a' | 'f' | 'n' | 'C' => {}
                _ => {
                    let _ = std::io::stderr()
                        .write_all(format!("sh: 0: Illegal option -{c}\n{USAGE}").as_bytes());
                    return 2;
                }
            }
            if c == 'c' {
                command = Some(String::new());
            }
        }
        i += 1;
    }
    let rest: Vec<String> = args.get(i..).unwrap_or_default().to_vec();
    let host = NativeHost::new();
    let (script, arg0, positional, stdin_is_script) = if command.is_some() {
        let Some(text) = rest.first() else {
            let _ = std::io::stderr().write_all(b"sh: 0: -c requires an argument\n");
            return 2;
        };
        let arg0 = rest
            .get(1)
            .cloned()
            .unwrap_or_else(|| args.first().cloned().unwrap_or_else(|| "sh".into()));
        (
            text.clone(),
            arg0,
            rest.get(2..).unwrap_or_default().to_vec(),
            false,
        )
    } else if !from_stdin && let Some(file) = rest.first() {
        match std::fs::read(file) {
            Ok(b) => (
                String::from_utf8_lossy(&b).into_owned(),
                file.clone(),
                rest[1..].to_vec(),
                false,
            ),
            Err(_) => {
                let _ = std::io::stderr()
                    .write_all(format!("sh: 0: cannot open {file}: No such file\n").as_bytes());
                return 2;
            }
        }
    } else {
        let mut text = Vec::new();
        let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut text);
        (
            String::from_utf8_lossy(&text).into_owned(),
            args.first().cloned().unwrap_or_else(|| "sh".into()),
            rest,
            true,
        )
    };
    let env: BTreeMap<String, String> = std::env::vars().collect();
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("/"));
    let user = current_user(host.fs()).unwrap_or_else(|| "root".into());
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_else(|_| "localhost".into());
    let stdin = if stdin_is_script {
        Input::bytes(Vec::new())
    } else {
        Input::process()
    };
    let fds = Fds::new(stdin, Sink::ProcessOut, Sink::ProcessErr);
    let start = Start {
        env: &env,
        cwd,
        user: user.clone(),
        process_user: Some(user),
        arg0: arg0.rsplit('/').next().unwrap_or(&arg0).to_string(),
        args: positional,
        hostname,
        pid: std::process::id(),
        command_limit: None,
        errexit,
        nounset,
        xtrace,
    };
    let mut shell = Shell::new(&host, start, fds);
    block_on(shell.run_text(&script))
}
