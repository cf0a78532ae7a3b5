//! A host for tests: a sandbox file system with a clock the test
//! controls, and programs that echo how they were called.

#![allow(dead_code)]

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use p4ha_hostfs::HostFs;
use p4ha_shell::{LocalBoxFuture, ProgramCall, ProgramOutput, ShellHost, quote};

/// A canned program: what it prints and its status.
#[derive(Debug, Clone, Default)]
pub struct Canned {
    pub stdout: Vec<u8>,
    pub status: i32,
}

pub struct FakeHost {
    pub fs: HostFs,
    /// Milliseconds since the epoch.
    pub clock: Arc<AtomicI64>,
    pub programs: BTreeMap<String, Canned>,
    pub calls: RefCell<Vec<ProgramCall>>,
    _dir: tempfile::TempDir,
}

impl FakeHost {
    pub fn new(now: i64) -> FakeHost {
        let dir = tempfile::tempdir().expect("temporary directory");
        let clock = Arc::new(AtomicI64::new(now * 1000));
        let c = clock.clone();
        let fs = HostFs::sandbox(
            dir.path().join("host"),
            Arc::new(move || c.load(Ordering::SeqCst) / 1000),
        )
        .expect("sandbox");
        FakeHost {
            fs,
            clock,
            programs: BTreeMap::new(),
            calls: RefCell::new(Vec::new()),
            _dir: dir,
        }
    }

    pub fn set_now(&self, secs: i64) {
        self.clock.store(secs * 1000, Ordering::SeqCst);
    }
}

/// How the echoing programs describe a call:
/// `[user@cwd] P4VAR=value argv...` then `< ` and each stdin line.
pub fn describe(call: &ProgramCall) -> String {
    let mut s = format!("[{}@{}]", call.user, call.cwd.display());
    for (k, v) in &call.env {
        if k.starts_with("P4") {
            s.push_str(&format!(" {k}={}", quote(v)));
        }
    }
    for a in &call.argv {
        s.push(' ');
        s.push_str(&quote(a));
    }
    s.push('\n');
    for line in String::from_utf8_lossy(&call.stdin).lines() {
        s.push_str(&format!("< {line}\n"));
    }
    s
}

impl ShellHost for FakeHost {
    fn fs(&self) -> &HostFs {
        &self.fs
    }

    fn run_program<'a>(&'a self, call: ProgramCall) -> LocalBoxFuture<'a, Option<ProgramOutput>> {
        Box::pin(async move {
            let name = call.argv.first()?.rsplit('/').next()?.to_string();
            self.calls.borrow_mut().push(call.clone());
            if let Some(c) = self.programs.get(&name) {
                return Some(ProgramOutput {
                    stdout: c.stdout.clone(),
                    stderr: Vec::new(),
                    status: c.status,
                });
            }
            if matches!(name.as_str(), "p4" | "p4d" | "p4dctl") {
                return Some(ProgramOutput {
                    stdout: describe(&call).into_bytes(),
                    stderr: Vec::new(),
                    status: 0,
                });
            }
            None
        })
    }

    fn sleep<'a>(&'a self, d: Duration) -> LocalBoxFuture<'a, ()> {
        Box::pin(async move {
            self.clock.fetch_add(d.as_millis() as i64, Ordering::SeqCst);
        })
    }

    fn program_path(&self, name: &str) -> Option<String> {
        (matches!(name, "p4" | "p4d" | "p4dctl") || self.programs.contains_key(name))
            .then(|| format!("/usr/local/bin/{name}"))
    }
}
