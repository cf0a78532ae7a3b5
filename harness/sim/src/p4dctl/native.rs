//! p4dctl on a real machine: the p4d services are separate processes,
//! found through the `server.pid` file their p4d wrote in P4ROOT and
//! stopped with SIGTERM (which a simulator p4d answers with a clean stop).

use std::path::Path;
use std::time::Duration;

use p4ha_hostfs::HostFs;

/// The pid of the p4d serving `root`, when one is running.
pub(super) fn running(fs: &HostFs, root: &Path) -> Option<u32> {
    let text = fs
        .read_to_string(&crate::p4d::daemon::pid_file(root))
        .ok()?;
    let pid: u32 = text.trim().parse().ok()?;
    Path::new(&format!("/proc/{pid}")).exists().then_some(pid)
}

/// Sends SIGTERM and waits (up to a minute) for the process to go; then
/// SIGKILL.
pub(super) async fn stop(fs: &HostFs, root: &Path, pid: u32) {
    let signal = |sig: &str| {
        let _ = std::process::Command::new("kill")
            .arg(sig)
            .arg(pid.to_string())
            .status();
    };
    signal("-TERM");
    for _ in 0..600 {
        if !Path::new(&format!("/proc/{pid}")).exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if Path::new(&format!("/proc/{pid}")).exists() {
        signal("-KILL");
    }
    let _ = fs.remove_file(&crate::p4d::daemon::pid_file(root));
}
