//! Verifying a checkpoint or journal (`p4d -jv`): readable from start to
//! end, decompressible when compressed, its MD5 the one its `.md5` side
//! file records (when there is one), header and trailer notes present
//! (seed 001, recovery step 3).
//!
//! p4d's wording for these failures is not public. The simulator reports
//! each as a chain in p4d's style: `Journal file 'X' verification failed
//! at line N!` (modelled on `... replay failed at line N!`) followed by
//! the reason: the codec's p4d message for unreadable records, `Missing
//! journal header note!`, `Missing checkpoint trailer note: the
//! checkpoint is incomplete!`, or `MD5 mismatch: ...`. Success prints
//! nothing; scripts rely on the exit status.

use std::path::{Path, PathBuf};

use p4ha_hostfs::HostFs;
use p4ha_journal::{
    Digest, FileKind, Md5File, Scanner, Summarizer, note_type, side_file_candidates,
};

use super::is_gzip;

/// Options of `p4d -jv`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerifyOptions {
    /// `-z`: the file is gzip-compressed.
    pub gzip: bool,
}

/// A file that verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Checkpoint or journal, from its header note.
    pub kind: FileKind,
    /// Records read.
    pub records: u64,
    /// MD5 of the uncompressed content.
    pub digest: Digest,
    /// The side file whose digest matched, if there was one (host path).
    pub md5_file: Option<PathBuf>,
}

fn failed_at(name: &str, line: u64) -> String {
    format!("Journal file '{name}' verification failed at line {line}!")
}

/// Verifies the file at `path` (named `name` in messages). Errors are
/// p4d-style message chains, outermost first.
pub fn verify_file(
    fs: &HostFs,
    path: &Path,
    name: &str,
    opts: VerifyOptions,
) -> Result<VerifyReport, Vec<String>> {
    let bytes = fs.read(path).map_err(|e| {
        vec![format!(
            "open for read: {name}: {}",
            crate::client::os_error(&e)
        )]
    })?;
    if is_gzip(&bytes) && !opts.gzip {
        let word: String = String::from_utf8_lossy(&bytes[..bytes.len().min(2)]).into_owned();
        return Err(vec![
            failed_at(name, 1),
            format!("Bad opcode '{word}' journal record!"),
        ]);
    }
    if !is_gzip(&bytes) && opts.gzip {
        return Err(vec![
            failed_at(name, 1),
            "Corrupt gzip data: invalid gzip header".to_string(),
        ]);
    }
    let mut scanner = Scanner::new(&bytes[..]).with_md5();
    let mut summarizer = Summarizer::new();
    while let Some(rec) = scanner.next_record() {
        let added = rec.and_then(|r| summarizer.add(&r));
        if let Err(e) = added {
            let line = e.line().unwrap_or_else(|| scanner.position().line);
            return Err(vec![failed_at(name, line), e.message()]);
        }
    }
    let end = scanner.position();
    let digest = scanner.md5().unwrap_or_else(Digest::zero);
    let summary = summarizer.finish(end);
    let Some(header) = &summary.header else {
        return Err(vec![
            failed_at(name, 1),
            "Missing journal header note!".to_string(),
        ]);
    };
    // Checkpoints and dumps are snapshots and must end with the checkpoint
    // trailer; a live journal has no trailer yet.
    let snapshot = header.note.is_checkpoint_header()
        || (header.note.note_type() == note_type::JOURNAL_HEADER && header.note.int(2) != 0);
    let has_trailer = summary
        .trailer
        .as_ref()
        .is_some_and(|t| t.note.is_checkpoint_trailer());
    if snapshot && !has_trailer {
        return Err(vec![
            failed_at(name, end.line),
            "Missing checkpoint trailer note: the checkpoint is incomplete!".to_string(),
        ]);
    }
    let mut md5_file = None;
    let names = side_file_candidates(Path::new(name));
    for (candidate, shown) in side_file_candidates(path).into_iter().zip(names) {
        if !fs.exists(&candidate) {
            continue;
        }
        let shown = shown.display().to_string();
        let text = fs.read_to_string(&candidate).map_err(|e| {
            vec![
                format!("Journal file '{name}' verification failed!"),
                format!("Bad MD5 file '{shown}': {}", crate::client::os_error(&e)),
            ]
        })?;
        let recorded = Md5File::parse(&text).map_err(|e| {
            vec![
                format!("Journal file '{name}' verification failed!"),
                format!("Bad MD5 file '{shown}': {e}"),
            ]
        })?;
        if !recorded.digest.matches(&digest) {
            return Err(vec![
                format!("Journal file '{name}' verification failed!"),
                format!(
                    "MD5 mismatch: '{shown}' records {}, the file's content has {digest}.",
                    recorded.digest
                ),
            ]);
        }
        md5_file = Some(candidate);
        break;
    }
    Ok(VerifyReport {
        kind: summary.kind(),
        records: summary.records,
        digest,
        md5_file,
    })
}
