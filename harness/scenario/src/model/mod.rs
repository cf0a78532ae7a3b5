//! The scenario model: plain Rust types, independent of any file syntax.
//!
//! A front end (the YAML one in [`crate::yaml`], a Markdown runbook one later)
//! builds a [`Scenario`]; the runner consumes it. Everything here has been
//! checked by the front end: server names exist, regexes compile, durations
//! and versions parse.

mod duration;
mod expect;
mod fault;
mod location;
mod pattern;
mod scenario;
mod server;
mod step;
mod version;

pub use duration::{DurationError, format_duration, parse_duration};
pub use expect::{CommandOutput, ExitStatus, Expect, Mismatch, Same, Until};
pub use fault::{Fault, NetMode};
pub use location::Location;
pub use pattern::{ANY_LINES, ANY_TEXT, OutputPattern};
pub use scenario::{Preflight, PreflightViolation, Scenario};
pub use server::{CaseHandling, P4dctl, Server, ServerState, Services};
pub(crate) use step::p4_command_name;
pub use step::{
    Action, CheckDurability, Command, Copy, Durability, EditSpec, FileRef, Run, Step, Upgrade, Wait,
};
pub use version::{Version, VersionError};
