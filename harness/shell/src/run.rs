//! Running a script against a host and collecting what it printed.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::host::ShellHost;
use crate::interp::{Shell, Start};
use crate::streams::{Fds, Input, Sink};

/// How a script is started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// The initial environment; every variable is exported.
    pub env: BTreeMap<String, String>,
    /// The working directory (a host path).
    pub cwd: PathBuf,
    /// Standard input.
    pub stdin: Vec<u8>,
    /// The user the script runs as (`whoami`, owners of new files,
    /// `sudo`'s caller). Default `root`: runbook steps such as `mkdir
    /// /standby` and `chown` are run by an administrator.
    pub user: String,
    /// `$0`, and the name in messages (`sh: 1: foo: not found`).
    pub name: String,
    /// Positional parameters `$1`...
    pub args: Vec<String>,
    /// What `hostname` prints.
    pub hostname: String,
    /// What `$$` expands to.
    pub pid: u32,
    /// Stop the script (status 2) after this many commands, so that a
    /// loop that never sleeps cannot hang a simulation.
    pub command_limit: Option<u64>,
    /// `set -e` from the start.
    pub errexit: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            env: BTreeMap::new(),
            cwd: PathBuf::from("/"),
            stdin: Vec::new(),
            user: "root".into(),
            name: "sh".into(),
            args: Vec::new(),
            hostname: "localhost".into(),
            pid: 1,
            command_limit: None,
            errexit: false,
        }
    }
}

/// What a script printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShellOutput {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status.
    pub status: i32,
}

impl ShellOutput {
    /// Standard output as text (lossy).
    pub fn stdout_text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }

    /// Standard error as text (lossy).
    pub fn stderr_text(&self) -> String {
        String::from_utf8_lossy(&self.stderr).into_owned()
    }
}

/// Runs `script` on `host` the way `sh -c script` would.
pub async fn run_script(host: &dyn ShellHost, script: &str, opts: RunOptions) -> ShellOutput {
    let (out_sink, out) = Sink::buffer();
    let (err_sink, err) = Sink::buffer();
    let fds = Fds::new(Input::bytes(opts.stdin.clone()), out_sink, err_sink);
    let start = Start {
        env: &opts.env,
        cwd: opts.cwd.clone(),
        user: opts.user.clone(),
        process_user: None,
        arg0: opts.name.clone(),
        args: opts.args.clone(),
        hostname: opts.hostname.clone(),
        pid: opts.pid,
        command_limit: opts.command_limit,
        errexit: opts.errexit,
        nounset: false,
        xtrace: false,
    };
    let mut shell = Shell::new(host, start, fds);
    let status = shell.run_text(script).await;
    drop(shell);
    ShellOutput {
        stdout: out.take(),
        stderr: err.take(),
        status,
    }
}
