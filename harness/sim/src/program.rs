//! The programs a host can run: `p4`, `p4d` and `p4dctl`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::rc::Rc;

use crate::host::Host;

/// One program invocation.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    /// Program name and arguments (`["p4", "-u", "super", "info"]`).
    pub argv: Vec<String>,
    /// Environment.
    pub env: BTreeMap<String, String>,
    /// Working directory (host path).
    pub cwd: PathBuf,
    /// Standard input.
    pub stdin: Vec<u8>,
}

/// What a program printed and its exit status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProgramOutput {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status.
    pub status: i32,
}

impl ProgramOutput {
    /// Output with text on stdout and status 0.
    pub fn stdout(text: impl Into<String>) -> Self {
        ProgramOutput {
            stdout: text.into().into_bytes(),
            ..Default::default()
        }
    }

    /// Output with text on stderr and the given status.
    pub fn failure(text: impl Into<String>, status: i32) -> Self {
        ProgramOutput {
            stderr: text.into().into_bytes(),
            status,
            ..Default::default()
        }
    }
}

/// The program name of an argv[0] (`/usr/bin/p4` -> `p4`).
pub fn program_name(argv0: &str) -> &str {
    argv0.rsplit('/').next().unwrap_or(argv0)
}

/// Runs one of the simulator's programs on `host`; `None` when `argv[0]`
/// is not one of them.
pub async fn run_program(host: &Rc<Host>, inv: Invocation) -> Option<ProgramOutput> {
    let name = program_name(inv.argv.first()?).to_string();
    Some(match name.as_str() {
        "p4" => crate::client::p4_main(host, inv).await,
        "p4d" => crate::p4d::p4d_main(host, inv).await,
        "p4dctl" => crate::p4dctl::p4dctl_main(host, inv).await,
        _ => return None,
    })
}
