//! p4ha scenarios: the model of a rehearsed procedure and its YAML front end.
//!
//! A scenario names servers (the topology), the runbook's preconditions and
//! its steps: commands with expected output, waits, spec edits, file copies,
//! faults, journal snapshots, upgrades and durability checks. The
//! [`model`] is plain Rust and knows nothing of file syntax; [`yaml`] reads
//! scenario files into it, reporting every problem as `FILE:LINE:COL:
//! message`.
//!
//! ```
//! let scenario = p4ha_scenario::load_str(
//!     "example.yaml",
//!     r#"
//! servers:
//!   master: {version: "2019.1", services: commit-server}
//! steps:
//!   - on: master
//!     run: p4 -u super info
//!     expect: {contains: ["Server version"]}
//! "#,
//! )
//! .unwrap();
//! assert_eq!(scenario.name, "example");
//! assert_eq!(scenario.steps.len(), 1);
//! ```

#![warn(missing_docs)]

mod diagnostic;
mod discover;
pub mod model;
mod suggest;
pub mod yaml;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use discover::discover;
pub use model::*;
pub use yaml::{load_file, load_str};
