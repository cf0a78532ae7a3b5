//! p4d's own error reports: `Perforce server error:` followed by the
//! messages of the chain, outermost first, each on its own TAB-indented
//! line (seed 002; reference 0.1), and the release-dependent texts of the
//! journal operations.

use crate::version::ServerVersion;

/// How severe a reported chain is; decides the header word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockSeverity {
    /// `Perforce server info:` (E_INFO): the operation goes on.
    Info,
    /// `Perforce server warning:` (E_WARN).
    Warning,
    /// `Perforce server error:` (E_FAILED, E_FATAL).
    Error,
}

/// One report p4d prints through its error log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerBlock {
    /// Header word.
    pub severity: BlockSeverity,
    /// The messages, outermost first.
    pub lines: Vec<String>,
}

impl ServerBlock {
    /// An error chain.
    pub fn error(lines: Vec<String>) -> Self {
        ServerBlock {
            severity: BlockSeverity::Error,
            lines,
        }
    }

    /// A warning.
    pub fn warning(lines: Vec<String>) -> Self {
        ServerBlock {
            severity: BlockSeverity::Warning,
            lines,
        }
    }

    /// A notice.
    pub fn info(lines: Vec<String>) -> Self {
        ServerBlock {
            severity: BlockSeverity::Info,
            lines,
        }
    }

    /// The block as printed.
    pub fn render(&self) -> String {
        let word = match self.severity {
            BlockSeverity::Info => "info",
            BlockSeverity::Warning => "warning",
            BlockSeverity::Error => "error",
        };
        let mut out = format!("Perforce server {word}:\n");
        for l in &self.lines {
            for part in l.split('\n') {
                out.push('\t');
                out.push_str(part);
                out.push('\n');
            }
        }
        out
    }
}

/// Several blocks, as printed one after the other.
pub fn render_blocks(blocks: &[ServerBlock]) -> String {
    blocks.iter().map(ServerBlock::render).collect()
}

/// `Journal file 'X' replay failed at line N!` (MsgDb::JnlFileBad).
pub fn replay_failed(file: &str, line: u64) -> String {
    format!("Journal file '{file}' replay failed at line {line}!")
}

/// MsgDb::JnlVersionMismatch. The 2010-era text of seed 002 ends `a
/// version 31 journal.`; the catalogues of 2018.1 and later (so every
/// simulated release) end `journal/checkpoint.`.
pub fn version_mismatch(server_level: u32, journal_level: u32) -> String {
    format!(
        "Server version {server_level} is replaying a version {journal_level} journal/checkpoint."
    )
}

/// MsgServer::NoReplicaJnlControl. The 2018.2 catalogue names only
/// `p4d -jc`; the 2023.2 one names `p4d -jj` too. Where between them the
/// text changed is not known; the simulator switches at 2021.1.
pub fn no_replica_journal_control(version: ServerVersion) -> String {
    if version.at_least(2021, 1) {
        "A replica may not be checkpointed directly using 'p4d -jc' or 'p4d -jj'. Use 'p4 admin checkpoint' to initiate a coordinated replica checkpoint.".to_string()
    } else {
        "A replica may not be checkpointed directly using 'p4d -jc'. Use 'p4 admin checkpoint' to initiate a coordinated replica checkpoint.".to_string()
    }
}

/// MsgServer::AdminReplicaCkp.
pub const ADMIN_REPLICA_CHECKPOINT: &str = "The 'pull' command will perform the checkpoint at the next rotation of the journal on the master.";

/// MsgDb::CheckpointNoOverwrite (present from the 2018.1 catalogue on, so
/// in every simulated release).
pub const CHECKPOINT_NO_OVERWRITE: &str = "A full checkpoint should not be replayed into a non-empty database. Please remove the existing db.* files and retry the operation. The '-jrF' flag can be specified to bypass this check.";

/// MsgDb::CaseMismatch: the database was created with the other case
/// handling than `-C` asks for.
pub const BTREE_CASE_MISMATCH: &str = "BTree Case Order Mismatch! Check p4d -Cx flag usage.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_print_one_tab_indented_message_per_line() {
        let b = ServerBlock::error(vec![
            "Journal file 'checkpoint.9' replay failed at line 1!".into(),
            "Bad transaction marker!".into(),
        ]);
        assert_eq!(
            b.render(),
            "Perforce server error:\n\tJournal file 'checkpoint.9' replay failed at line 1!\n\tBad transaction marker!\n"
        );
        assert_eq!(
            ServerBlock::info(vec![version_mismatch(30, 31)]).render(),
            "Perforce server info:\n\tServer version 30 is replaying a version 31 journal/checkpoint.\n"
        );
    }
}
