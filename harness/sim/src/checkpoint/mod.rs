//! Checkpoints and journal files: taking a checkpoint (`p4d -jc`, `p4 admin
//! checkpoint`), rotating the journal (`p4d -jj`, `p4 admin journal`),
//! replaying checkpoints and journals (`p4d -jr`), verifying them (`p4d
//! -jv`), dumping tables (`p4d -jd`), and the records these leave behind:
//! the `.md5` side file, the `lastCheckpointAction` counter, `db.ckphist`
//! (`p4 journals`) and a replica's `stateCKP`.
//!
//! Every operation works on a [`Site`]: a P4ROOT with the settings of the
//! server that owns it (its journal, release, case handling and time
//! zone). A running server builds one with [`Site::of_server`]; the `p4d`
//! command line builds one from its flags with [`Site::offline`]. The
//! journal counter follows p4d (reference 2.4): with the counter at N a
//! checkpoint is `checkpoint.N+1`, the live journal becomes `journal.N`,
//! and the counter becomes N+1; the counter change is journaled into the
//! old journal before it is rotated, so `checkpoint.N` followed by
//! `journal.N` replays to the content of `checkpoint.N+1`.

mod action;
mod dump;
mod history;
#[cfg(test)]
mod invariants;
mod messages;
mod replay;
mod rotate;
mod schedule;
mod site;
mod take;
mod verify;

pub use action::{last_checkpoint_action, set_last_checkpoint_action};
pub use dump::{
    DumpOptions, Written, checkpoint_text, dump_text, tables_named, write_checkpoint_file,
};
pub use history::{EventKind, FilterTerm, HistoryEvent, JournalsQuery, history, record_event};
pub use messages::{
    ADMIN_REPLICA_CHECKPOINT, BTREE_CASE_MISMATCH, BlockSeverity, CHECKPOINT_NO_OVERWRITE,
    ServerBlock, no_replica_journal_control, render_blocks, replay_failed, version_mismatch,
};
pub use replay::{
    ReplayError, ReplayInput, ReplayOptions, ReplayOutcome, ReplayStep, Replayer, replay_files,
};
pub use rotate::{RotateOptions, Rotation, rotate_journal, rotate_journal_to};
pub use schedule::{Schedule, cancel_schedule, read_schedule, schedule_checkpoint};
pub use site::{Site, same_file_system};
pub use take::{CheckpointOptions, CheckpointReport, take_checkpoint, take_replica_checkpoint};
pub use verify::{VerifyOptions, VerifyReport, verify_file};

use std::path::Path;

/// Why a checkpoint operation failed. The text is what p4d prints in its
/// `Perforce server error:` block, one message per line.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// A file could not be opened, written or renamed.
    #[error("{op}: {name}: {reason}")]
    File {
        /// What was done (`open for write`, `rename`).
        op: &'static str,
        /// The file as p4d names it.
        name: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A table could not be read or written.
    #[error(transparent)]
    Db(#[from] crate::db::DbError),
    /// A checkpoint or journal operation a replica refuses.
    #[error("{0}")]
    Refused(String),
}

impl CheckpointError {
    /// A file error with the operating system's reason.
    pub fn file(op: &'static str, name: impl Into<String>, e: &std::io::Error) -> Self {
        CheckpointError::File {
            op,
            name: name.into(),
            reason: crate::client::os_error(e),
        }
    }

    /// The messages of the error, outermost first.
    pub fn lines(&self) -> Vec<String> {
        self.to_string().lines().map(str::to_string).collect()
    }
}

/// True when `bytes` start like a gzip stream.
pub fn is_gzip(bytes: &[u8]) -> bool {
    bytes.starts_with(&[0x1f, 0x8b])
}

/// The name of a `.md5` side file, derived from the checkpoint's name the
/// way [`crate::journal_files::md5_path`] derives its path.
pub fn md5_name(checkpoint_name: &str) -> String {
    crate::journal_files::md5_path(Path::new(checkpoint_name))
        .display()
        .to_string()
}
