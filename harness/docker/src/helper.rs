//! The small programs of the simulator's image that are not the
//! simulator's own: `p4ha-fault` (the fault helper, the same commands as
//! the POSIX sh script of real p4d images, [`FAULT_SCRIPT`]), `kill` and
//! `p4ha-idle` (the container's idle main process). They run inside the
//! container as names of the p4ha program.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The helper for images with real p4d (`images/p4d/p4ha-fault`), copied
/// into every container of such an image when it starts.
pub const FAULT_SCRIPT: &str = include_str!("../../../images/p4d/p4ha-fault");

/// Where the helper is installed in every container.
pub const FAULT_PROGRAM: &str = "/usr/local/bin/p4ha-fault";

/// The helper's state (fill holders).
const STATE_DIR: &str = crate::exec::STATE_DIR;

/// How long `stop` waits for p4d before killing it, as `p4dctl stop`.
const STOP_LIMIT_SECS: u64 = 60;

fn fail(msg: &str) -> i32 {
    eprintln!("p4ha-fault: {msg}");
    1
}

/// `p4ha-fault COMMAND ARGS...` (see `images/p4d/p4ha-fault` for the
/// commands). `args[0]` is the program name.
pub fn fault_main(args: Vec<String>) -> i32 {
    let rest: Vec<&str> = args.iter().skip(1).map(String::as_str).collect();
    match rest.as_slice() {
        ["signal", sig, root] => match signal_number(sig) {
            Some(n) => signal_root(n, root),
            None => fail(&format!("unknown signal '{sig}'")),
        },
        ["stop", root] => stop_root(root, STOP_LIMIT_SECS),
        ["stop", root, secs] => match secs.parse() {
            Ok(s) => stop_root(root, s),
            Err(_) => fail(&format!("bad number of seconds '{secs}'")),
        },
        ["fill", dir] => fill(Path::new(dir)),
        ["free", dir] => free(Path::new(dir)),
        ["truncate", file, size] => match size.parse::<u64>() {
            Ok(n) => truncate(file, n),
            Err(_) => fail(&format!("bad size '{size}'")),
        },
        ["corrupt", file, offset] => match offset.parse::<i64>() {
            Ok(n) => corrupt(file, n),
            Err(_) => fail(&format!("bad offset '{offset}'")),
        },
        ["kill-tree", pidfile] => kill_tree(Path::new(pidfile)),
        _ => fail("usage: p4ha-fault signal|stop|fill|free|truncate|corrupt|kill-tree ARGS"),
    }
}

/// A signal's number from `KILL`, `SIGKILL` or `9`.
pub fn signal_number(name: &str) -> Option<i32> {
    if let Ok(n) = name.parse::<i32>() {
        return (0..=64).contains(&n).then_some(n);
    }
    let n = name.strip_prefix("SIG").unwrap_or(name);
    Some(match n {
        "HUP" => libc::SIGHUP,
        "INT" => libc::SIGINT,
        "QUIT" => libc::SIGQUIT,
        "KILL" => libc::SIGKILL,
        "USR1" => libc::SIGUSR1,
        "USR2" => libc::SIGUSR2,
        "TERM" => libc::SIGTERM,
        "CONT" => libc::SIGCONT,
        "STOP" => libc::SIGSTOP,
        _ => return None,
    })
}

fn send(pid: u32, sig: i32) -> std::io::Result<()> {
    let Ok(pid) = i32::try_from(pid) else {
        return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
    };
    // SAFETY: kill(2) has no memory effects; any pid and signal are valid
    // arguments (it reports ESRCH or EINVAL).
    let r = unsafe { libc::kill(pid, sig) };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// A process of this machine, as /proc shows it.
struct Proc {
    pid: u32,
}

impl Proc {
    fn dir(&self) -> PathBuf {
        PathBuf::from(format!("/proc/{}", self.pid))
    }

    fn alive(&self) -> bool {
        // A zombie is gone for our purposes: it holds nothing and its
        // parent (the container's init) is about to reap it.
        match std::fs::read_to_string(self.dir().join("stat")) {
            Ok(stat) => stat
                .rsplit_once(')')
                .map(|(_, rest)| rest.trim_start())
                .is_some_and(|s| !s.starts_with('Z')),
            Err(_) => false,
        }
    }

    fn ppid(&self) -> Option<u32> {
        let stat = std::fs::read_to_string(self.dir().join("stat")).ok()?;
        let (_, rest) = stat.rsplit_once(')')?;
        rest.split_whitespace().nth(1)?.parse().ok()
    }

    fn argv(&self) -> Vec<String> {
        std::fs::read(self.dir().join("cmdline"))
            .map(|b| {
                b.split(|c| *c == 0)
                    .filter(|s| !s.is_empty())
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// A p4d: real (`comm` p4d), or the simulator's (`p4ha p4d ...` or
    /// run through a link named p4d).
    fn is_p4d(&self) -> bool {
        let comm = std::fs::read_to_string(self.dir().join("comm")).unwrap_or_default();
        if comm.trim() == "p4d" {
            return true;
        }
        let argv = self.argv();
        let base = |s: &str| s.rsplit('/').next().unwrap_or(s).to_string();
        match argv.as_slice() {
            [first, ..] if base(first) == "p4d" => true,
            [first, second, ..] => base(first).starts_with("p4ha") && second == "p4d",
            _ => false,
        }
    }

    fn serves(&self, root: &Path) -> bool {
        if !self.is_p4d() {
            return false;
        }
        if std::fs::read_link(self.dir().join("cwd")).is_ok_and(|cwd| cwd == root) {
            return true;
        }
        let want = format!("P4ROOT={}", root.display());
        let env_has = std::fs::read(self.dir().join("environ"))
            .map(|b| b.split(|c| *c == 0).any(|v| v == want.as_bytes()))
            .unwrap_or(false);
        if env_has {
            return true;
        }
        let argv = self.argv();
        let r = root.display().to_string();
        argv.windows(2).any(|w| w[0] == "-r" && w[1] == r)
            || argv
                .iter()
                .any(|a| a.strip_prefix("-r") == Some(r.as_str()))
    }
}

fn all_procs() -> Vec<Proc> {
    let mut procs: Vec<Proc> = std::fs::read_dir("/proc")
        .map(|d| {
            d.filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
                .map(|pid| Proc { pid })
                .collect()
        })
        .unwrap_or_default();
    procs.sort_by_key(|p| p.pid);
    procs
}

/// `ROOT` without trailing slashes; it must be absolute.
fn clean_root(root: &str) -> Result<PathBuf, String> {
    let trimmed = root.trim_end_matches('/');
    let r = if trimmed.is_empty() { "/" } else { trimmed };
    if r.starts_with('/') {
        Ok(PathBuf::from(r))
    } else {
        Err(format!("P4ROOT must be an absolute path: {root}"))
    }
}

/// Every p4d serving `root`: the one `server.pid` names (if it is still a
/// p4d: pids are reused), and every other whose working directory,
/// environment or `-r` is that root (a real p4d's replication threads are
/// processes of their own).
fn p4d_pids(root: &Path) -> Vec<u32> {
    let me = std::process::id();
    let mut pids = Vec::new();
    if let Ok(text) = std::fs::read_to_string(root.join("server.pid"))
        && let Ok(pid) = text.trim().parse::<u32>()
    {
        let p = Proc { pid };
        if p.alive() && p.is_p4d() {
            pids.push(pid);
        }
    }
    for p in all_procs() {
        if p.pid != me && !pids.contains(&p.pid) && p.alive() && p.serves(root) {
            pids.push(p.pid);
        }
    }
    pids
}

fn signal_root(sig: i32, root: &str) -> i32 {
    let root = match clean_root(root) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let pids = p4d_pids(&root);
    if pids.is_empty() {
        return fail(&format!("no p4d is running with P4ROOT {}", root.display()));
    }
    for pid in &pids {
        if let Err(e) = send(*pid, sig) {
            return fail(&format!("({pid}): {e}"));
        }
    }
    println!(
        "{}",
        pids.iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    );
    0
}

fn stop_root(root: &str, limit_secs: u64) -> i32 {
    let root = match clean_root(root) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    let pids = p4d_pids(&root);
    if pids.is_empty() {
        return fail(&format!("no p4d is running with P4ROOT {}", root.display()));
    }
    for pid in &pids {
        let _ = send(*pid, libc::SIGTERM);
    }
    let deadline = Instant::now() + Duration::from_secs(limit_secs);
    while Instant::now() < deadline {
        if pids.iter().all(|pid| !Proc { pid: *pid }.alive()) {
            return 0;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for pid in &pids {
        let _ = send(*pid, libc::SIGKILL);
    }
    eprintln!(
        "p4ha-fault: the p4d with P4ROOT {} did not stop within {limit_secs}s and was killed",
        root.display()
    );
    2
}

fn fill_state(dir: &Path) -> PathBuf {
    Path::new(STATE_DIR).join(format!(
        "fill{}",
        dir.display().to_string().replace('/', "_")
    ))
}

/// Fills the file system of `dir`: a file is created there and unlinked,
/// written until the file system has no space left, and handed to a
/// waiting process (`p4ha-idle`) that holds the space until `free`.
fn fill(dir: &Path) -> i32 {
    use std::os::unix::process::CommandExt;
    if !dir.is_dir() {
        return fail(&format!("{}: No such file or directory", dir.display()));
    }
    let state = fill_state(dir);
    if state.exists() {
        return fail(&format!("{} is already full", dir.display()));
    }
    let path = dir.join(format!(".p4ha-fill.{}", std::process::id()));
    let mut file = match File::create(&path) {
        Ok(f) => f,
        Err(e) => return fail(&format!("{}: {e}", path.display())),
    };
    let _ = std::fs::remove_file(&path);
    let chunk = vec![0u8; 1 << 20];
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => break,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return fail(&format!("filling {}: {e}", dir.display())),
        }
    }
    // Smaller writes take the last partial megabyte.
    let small = [0u8; 512];
    while file.write(&small).is_ok_and(|n| n > 0) {}
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return fail(&format!("cannot find this program: {e}")),
    };
    let mut holder = std::process::Command::new(exe);
    holder
        .arg0("p4ha-idle")
        .stdin(std::process::Stdio::from(file))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0);
    let child = match holder.spawn() {
        Ok(c) => c,
        Err(e) => return fail(&format!("cannot start the process holding the space: {e}")),
    };
    if let Err(e) = std::fs::create_dir_all(STATE_DIR)
        .and_then(|_| std::fs::write(&state, format!("{}\n", child.id())))
    {
        let _ = send(child.id(), libc::SIGKILL);
        return fail(&format!("{}: {e}", state.display()));
    }
    0
}

fn free(dir: &Path) -> i32 {
    let state = fill_state(dir);
    let Ok(text) = std::fs::read_to_string(&state) else {
        return fail(&format!("{} is not full", dir.display()));
    };
    if let Ok(pid) = text.trim().parse::<u32>() {
        let _ = send(pid, libc::SIGKILL);
        let deadline = Instant::now() + Duration::from_secs(10);
        while (Proc { pid }).alive() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let _ = std::fs::remove_file(&state);
    0
}

fn no_such_file(path: &str, e: &std::io::Error) -> i32 {
    if e.kind() == std::io::ErrorKind::NotFound {
        fail(&format!("{path}: No such file or directory"))
    } else {
        fail(&format!("{path}: {e}"))
    }
}

fn truncate(path: &str, size: u64) -> i32 {
    if !Path::new(path).is_file() {
        return fail(&format!("{path}: No such file or directory"));
    }
    match std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .and_then(|f| f.set_len(size))
    {
        Ok(()) => 0,
        Err(e) => no_such_file(path, &e),
    }
}

fn corrupt(path: &str, offset: i64) -> i32 {
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
    {
        Ok(f) => f,
        Err(e) => return no_such_file(path, &e),
    };
    let len = match file.metadata() {
        Ok(m) => m.len() as i64,
        Err(e) => return no_such_file(path, &e),
    };
    let at = if offset < 0 { len + offset } else { offset };
    if at < 0 || at >= len {
        return fail(&format!(
            "{path}: cannot corrupt byte {offset}: the file has {len} bytes"
        ));
    }
    let mut byte = [0u8; 1];
    if let Err(e) = file.read_exact_at(&mut byte, at as u64) {
        return no_such_file(path, &e);
    }
    byte[0] ^= 0xFF;
    match file.write_all_at(&byte, at as u64) {
        Ok(()) => 0,
        Err(e) => no_such_file(path, &e),
    }
}

fn kill_tree(pidfile: &Path) -> i32 {
    let Ok(text) = std::fs::read_to_string(pidfile) else {
        return 0;
    };
    let Ok(top) = text.trim().parse::<u32>() else {
        return 0;
    };
    let mut victims = vec![top];
    loop {
        let before = victims.len();
        for p in all_procs() {
            if !victims.contains(&p.pid) && p.ppid().is_some_and(|pp| victims.contains(&pp)) {
                victims.push(p.pid);
            }
        }
        if victims.len() == before {
            break;
        }
    }
    for pid in &victims {
        let _ = send(*pid, libc::SIGKILL);
    }
    let _ = std::fs::remove_file(pidfile);
    0
}

/// `kill [-s SIGNAL | -SIGNAL] PID...`: what p4dctl and runbooks call to
/// signal a process (the image has no other `kill` program).
pub fn kill_main(args: Vec<String>) -> i32 {
    let mut sig = libc::SIGTERM;
    let mut rest = args.iter().skip(1).peekable();
    let mut pids = Vec::new();
    while let Some(a) = rest.next() {
        if a == "-s" {
            let Some(name) = rest.next() else {
                eprintln!("kill: option requires an argument -- 's'");
                return 1;
            };
            match signal_number(name) {
                Some(n) => sig = n,
                None => {
                    eprintln!("kill: unknown signal: {name}");
                    return 1;
                }
            }
        } else if a == "--" {
            pids.extend(rest.by_ref().cloned());
        } else if let Some(name) = a
            .strip_prefix('-')
            .filter(|n| !n.is_empty() && pids.is_empty())
        {
            match signal_number(name) {
                Some(n) => sig = n,
                None => {
                    eprintln!("kill: unknown signal: {name}");
                    return 1;
                }
            }
        } else {
            pids.push(a.clone());
        }
    }
    if pids.is_empty() {
        eprintln!("kill: not enough arguments");
        return 1;
    }
    let mut status = 0;
    for p in pids {
        match p.parse::<u32>() {
            Ok(pid) => {
                if send(pid, sig).is_err() {
                    eprintln!("kill: ({pid}): No such process");
                    status = 1;
                }
            }
            Err(_) => {
                eprintln!("kill: failed to parse argument: '{p}'");
                status = 1;
            }
        }
    }
    status
}

/// The container's idle main process: waits for SIGTERM, SIGINT or SIGHUP
/// and exits 0. Also the process that holds a filled disk's space.
pub fn idle_main() -> i32 {
    // SAFETY: plain signal-set manipulation on a local sigset_t; sigwait
    // only reads the set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGHUP);
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        let mut sig = 0;
        libc::sigwait(&set, &mut sig);
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signal_names() {
        assert_eq!(signal_number("KILL"), Some(9));
        assert_eq!(signal_number("SIGSTOP"), Some(libc::SIGSTOP));
        assert_eq!(signal_number("15"), Some(15));
        assert_eq!(signal_number("BOGUS"), None);
    }

    #[test]
    fn corrupt_and_truncate_work_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("journal");
        std::fs::write(&p, b"@ex@ 1\n").unwrap();
        let f = std::fs::File::open(&p).unwrap();
        let path = p.to_str().unwrap();
        assert_eq!(corrupt(path, -1), 0);
        assert_eq!(std::fs::read(&p).unwrap(), b"@ex@ 1\xf5");
        assert_eq!(corrupt(path, 7), 1);
        assert_eq!(truncate(path, 3), 0);
        // The same file (inode) a running server holds open.
        assert_eq!(f.metadata().unwrap().len(), 3);
        assert_eq!(truncate(dir.path().join("none").to_str().unwrap(), 0), 1);
    }

    #[test]
    fn finds_no_p4d_where_none_runs() {
        let dir = tempfile::tempdir().unwrap();
        assert!(p4d_pids(dir.path()).is_empty());
        assert_eq!(clean_root("/standby/").unwrap(), PathBuf::from("/standby"));
        assert!(clean_root("standby").is_err());
    }
}
