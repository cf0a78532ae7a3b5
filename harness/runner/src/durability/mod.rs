//! The durability checker, after Jepsen: record every write a client was
//! told had succeeded (the history), then, after a failover, check that
//! the new master holds each of them and that no replica holds changes
//! the new master lacks.
//!
//! Acknowledgements are read from what the clients printed (`Change N
//! submitted.`, `User X saved.`, `For server 'S', configuration variable
//! 'V' set to 'X'`, `Counter X set.`, spec saves). The servers' states are
//! read offline with `p4d -r ROOT -jd - TABLES`, which needs no login and
//! works on a stopped server as on a running one.

mod calls;
mod history;
mod verify;

pub use calls::{Call, calls};
pub use history::{Ack, Acked, History, JournalPosition, acknowledgements};
pub use verify::{DbState, Finding, TABLES, Verdict, check};
