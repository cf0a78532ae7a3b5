//! The Docker backend of p4ha: every machine of a scenario is a container
//! on a private bridge network of its own, built from a real p4d image
//! (`images/p4d/`) or from the simulator's image (`images/sim/`, the p4ha
//! program itself running `p4`, `p4d` and `p4dctl` as real processes).
//!
//! # How a machine runs
//!
//! One container per machine; its main process is an init (Docker's
//! `init: true`) plus an idle process, and p4d is a daemon that the
//! runbook starts and stops with `p4dctl`, exactly as on a server. This is
//! deliberate, against the "p4d as PID 1" convention of public p4d images:
//! the runbook stops p4d, edits P4ROOT offline (`rm db.*`, `p4d -jr`) and
//! starts it again on the same machine, which a container whose life is
//! p4d's cannot do. Crash, stop, pause and resume therefore signal the p4d
//! processes themselves (SIGKILL, SIGTERM, SIGSTOP, SIGCONT), found by the
//! `p4ha-fault` helper inside the container through `P4ROOT/server.pid` or
//! their working directory.
//!
//! # What the backend does with the engine
//!
//! Everything goes through [bollard](https://docs.rs/bollard) against the
//! engine `DOCKER_HOST` names (or the local socket): networks with the
//! scenario's subnet, containers with fixed addresses and network aliases,
//! exec with standard input (streams drained to the end before the exit
//! code is read), tar copies in and out, volumes on tmpfs for the servers'
//! roots (so that a disk can be filled), image builds from a tar context.
//!
//! # Nothing is left behind
//!
//! Every container, network and volume carries the labels
//! [`labels::MANAGED`] and [`labels::RUN`]. [`DockerBackend::down`] removes
//! a run's resources by label, so does dropping the backend (a panic), so
//! does the interrupt handler on SIGINT/SIGTERM ([`cleanup`]), and `p4ha
//! clean` ([`cleanup::find_leftovers`]) removes what a killed process left.

pub mod archive;
pub mod backend;
pub mod cleanup;
pub mod engine;
pub mod exec;
pub mod faults;
pub mod helper;
pub mod image;
pub mod labels;
pub mod network;
pub mod options;
pub mod scenario;

pub use backend::DockerBackend;
pub use engine::{Engine, EngineError, engine_available};
pub use options::{DockerOptions, ImageChoice};
