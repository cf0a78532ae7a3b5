//! A POSIX `sh` for p4ha: dash's grammar, behaviour and messages, with the
//! GNU coreutils an HA runbook uses built in, running over a host's file
//! system ([`p4ha_hostfs::HostFs`]).
//!
//! The same interpreter runs every scenario's shell steps on the embedded
//! simulator (through a [`ShellHost`] whose programs are simulated) and
//! inside the simulator's container image as `/bin/sh` ([`sh_main`]).
//!
//! ```
//! # use p4ha_shell::*;
//! # use std::time::Duration;
//! struct Host(p4ha_hostfs::HostFs);
//! impl ShellHost for Host {
//!     fn fs(&self) -> &p4ha_hostfs::HostFs { &self.0 }
//!     fn run_program<'a>(&'a self, _: ProgramCall) -> LocalBoxFuture<'a, Option<ProgramOutput>> {
//!         Box::pin(async { None })
//!     }
//!     fn sleep<'a>(&'a self, _: Duration) -> LocalBoxFuture<'a, ()> { Box::pin(async {}) }
//! }
//! let dir = tempfile::tempdir().unwrap();
//! let fs = p4ha_hostfs::HostFs::sandbox(dir.path(), std::sync::Arc::new(|| 0)).unwrap();
//! let out = block_on(run_script(&Host(fs), "mkdir /standby && ls -d /standby", RunOptions::default()));
//! assert_eq!(out.stdout_text(), "/standby\n");
//! ```

mod accounts;
mod errno;
mod fsx;
mod host;
mod interp;
mod native;
mod pattern;
mod quote;
mod run;
mod streams;
pub mod syntax;
mod tools;

pub use host::{InheritedStreams, LocalBoxFuture, ProgramCall, ProgramOutput, ShellHost};
pub use native::{NativeHost, block_on, sh_main};
pub use quote::quote;
pub use run::{RunOptions, ShellOutput, run_script};
