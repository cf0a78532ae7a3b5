//! What the shell needs from the host it runs on.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;
use std::time::Duration;

use p4ha_hostfs::HostFs;

/// A boxed future that borrows from `'a` (single-threaded: not `Send`).
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// The host a script runs on: its file system, its programs (`p4`,
/// `p4d`, `p4dctl`, anything the shell does not implement itself) and
/// its clock.
pub trait ShellHost {
    /// The host's file system; every file the shell touches goes through it.
    fn fs(&self) -> &HostFs;

    /// Runs a program that is not built into the shell. `None` means there
    /// is no such program (the shell then reports `NAME: not found`, 127).
    fn run_program<'a>(&'a self, call: ProgramCall) -> LocalBoxFuture<'a, Option<ProgramOutput>>;

    /// Waits for `d` (virtual time on a simulated host).
    fn sleep<'a>(&'a self, d: Duration) -> LocalBoxFuture<'a, ()>;

    /// Where a program not built into the shell lives, for `command -v`
    /// and `type`; `None` when unknown.
    fn program_path(&self, name: &str) -> Option<String> {
        let _ = name;
        None
    }

    /// The time zone used when `TZ` is not set (a container's default is
    /// UTC).
    fn default_time_zone(&self) -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::UTC
    }
}

/// A program to run.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProgramCall {
    /// The argument vector; `argv[0]` is the name as written.
    pub argv: Vec<String>,
    /// The complete environment of the program.
    pub env: BTreeMap<String, String>,
    /// The working directory (a host path).
    pub cwd: PathBuf,
    /// The user the program runs as (`sudo -u` changes it).
    pub user: String,
    /// Everything on the program's standard input.
    pub stdin: Vec<u8>,
    /// Streams the program should share with the shell's own process
    /// instead of the bytes above (only the native `/bin/sh` sets these).
    pub inherit: InheritedStreams,
}

/// Which of the shell process's own streams a program uses directly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct InheritedStreams {
    /// Standard input is the shell's (and `ProgramCall::stdin` is empty).
    pub stdin: bool,
    /// Standard output goes straight to the shell's.
    pub stdout: bool,
    /// Standard error goes straight to the shell's.
    pub stderr: bool,
}

/// What a program printed and its exit status.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProgramOutput {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status (128 + signal for a program killed by a signal).
    pub status: i32,
}
