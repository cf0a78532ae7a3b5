//! The archive checks of a failover: content not transferred yet
//! ("Checking for archive file content not transferred ...", 1002-1004)
//! and recently updated content read back and compared with its digest
//! ("Verifying content of recently updated archive files ...", 968, `-v`).

use crate::archive::{FileType, Librarian, digest};
use crate::replication::{self, Settings, Transfer};
use crate::server::Server;

/// The `p4 pull -l` line of a pending transfer
/// (`FILE REV TYPE STATE PROCESS TIMESTAMP`).
pub fn transfer_line(server: &Server, t: &Transfer) -> String {
    format!(
        "{} {} {} {} 0 {}",
        t.lbr_file,
        t.lbr_rev,
        FileType::from_code(t.lbr_type).name(),
        if t.failed { "failed" } else { "new" },
        server.zone().datetime(t.queued)
    )
}

/// The transfers scheduled and not done.
pub fn pending(server: &Server) -> Vec<Transfer> {
    replication::pending_transfers(server)
}

/// Revision actions that leave no content to verify (delete, purge,
/// move/delete, archive).
const NO_CONTENT: &[i64] = &[2, 6, 7, 9];

fn action_name(code: i64) -> &'static str {
    match code {
        0 => "add",
        1 => "edit",
        2 => "delete",
        3 => "branch",
        4 => "integrate",
        5 => "import",
        6 => "purge",
        7 => "move/delete",
        8 => "move/add",
        9 => "archive",
        _ => "unknown",
    }
}

/// Reads back the content of every revision submitted in the last `window`
/// seconds (by `db.rev`'s date) and compares it with its recorded digest.
/// Returns `p4 verify`'s line for each revision whose content is missing
/// (`MISSING!`) or differs (`BAD!`). Nothing is checked when this server
/// does not keep archive copies of its own (`lbr.replication` shared,
/// ondemand, cache or none). Revisions whose transfer is still `pending`
/// are left to the transfer check.
pub fn verify_recent(server: &Server, window: u64, pending: &[Transfer]) -> Vec<String> {
    if window == 0 || !Settings::read(server).transfers_archives() {
        return Vec::new();
    }
    let since = server.now() - i64::try_from(window).unwrap_or(i64::MAX);
    let mut db = server.db();
    let Ok(lbr) = Librarian::for_server(server, &mut db) else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for row in db.rows("db.rev").unwrap_or_default() {
        if row.len() < 14 || row[5].as_int() < since || NO_CONTENT.contains(&row[3].as_int()) {
            continue;
        }
        let (lbr_file, lbr_rev) = (row[11].as_str(), row[12].as_str());
        if pending
            .iter()
            .any(|t| t.lbr_file == lbr_file && t.lbr_rev == lbr_rev)
        {
            continue;
        }
        let recorded = row[7].as_str().into_owned();
        let ty = FileType::from_code(row[2].as_int());
        let line = |shown: &str, status: &str| {
            format!(
                "{}#{} - {} change {} ({}) {shown} {status}",
                row[0].as_str(),
                row[1].as_int(),
                action_name(row[3].as_int()),
                row[4].as_int(),
                ty.name()
            )
        };
        match lbr.retrieve(&lbr_file, &lbr_rev, FileType::from_code(row[13].as_int())) {
            Ok(bytes) => {
                let computed = digest(&bytes);
                let unknown = recorded.is_empty() || recorded.bytes().all(|b| b == b'0');
                if !unknown && !computed.eq_ignore_ascii_case(&recorded) {
                    problems.push(line(&computed, "BAD!"));
                }
            }
            Err(e) if e.is_missing() => problems.push(line(&recorded, "MISSING!")),
            Err(_) => problems.push(line(&recorded, "BAD!")),
        }
    }
    problems
}
