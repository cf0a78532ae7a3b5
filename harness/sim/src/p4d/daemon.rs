//! `p4d -d` on a real machine: the server runs in a detached process of
//! its own (this program again, without `-d`), so that it outlives the
//! command that started it, as p4d's fork does. Its process id is written
//! to `server.pid` in P4ROOT, where p4d's `--pid-file` puts it and where
//! `p4dctl` looks for it.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::program::{Invocation, ProgramOutput};
use crate::server::ServerConfig;

/// The pid file in P4ROOT.
pub(crate) fn pid_file(root: &std::path::Path) -> PathBuf {
    root.join("server.pid")
}

/// Starts the server in a detached child and waits until it has printed
/// its start-up line or failed.
pub(super) async fn spawn_detached(inv: &Invocation, cfg: &ServerConfig) -> ProgramOutput {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => {
            return ProgramOutput::failure(
                format!("Perforce server error:\n\tcannot start: {e}\n"),
                1,
            );
        }
    };
    let log = std::env::temp_dir().join(format!("p4d-start-{}.log", std::process::id()));
    let (out, err) = match std::fs::File::create(&log).and_then(|f| f.try_clone().map(|c| (f, c))) {
        Ok(pair) => pair,
        Err(e) => {
            return ProgramOutput::failure(
                format!(
                    "Perforce server error:\n\topen for write: {}: {}\n",
                    log.display(),
                    crate::client::os_error(&e)
                ),
                1,
            );
        }
    };
    let args: Vec<&String> = inv
        .argv
        .iter()
        .skip(1)
        .filter(|a| a.as_str() != "-d")
        .collect();
    let mut cmd = Command::new(exe);
    cmd.arg("p4d")
        .args(args)
        .env_clear()
        .envs(&inv.env)
        .current_dir(&inv.cwd);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err));
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: a terminal's interrupt does not reach it.
        cmd.process_group(0);
    }
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            return ProgramOutput::failure(
                format!("Perforce server error:\n\tcannot start: {e}\n"),
                1,
            );
        }
    };
    let text = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("Perforce Server starting...") {
            break Ok(text);
        }
        match child.try_wait() {
            Ok(Some(_)) => break Err(std::fs::read_to_string(&log).unwrap_or_default()),
            Ok(None) => tokio::time::sleep(Duration::from_millis(20)).await,
            Err(e) => break Err(e.to_string()),
        }
    };
    let _ = std::fs::remove_file(&log);
    match text {
        Ok(text) => {
            let _ = std::fs::write(pid_file(&cfg.root), format!("{}\n", child.id()));
            ProgramOutput::stdout(text)
        }
        Err(text) => ProgramOutput::failure(text, 1),
    }
}
