//! Checking a journal or checkpoint file end to end, as `p4d -jv` does:
//! readable from start to end, gzip intact, MD5 matching the side file
//! when there is one, header and trailer notes present.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind};
use crate::field::Digest;
use crate::md5file::{Md5File, find_side_file};
use crate::parts;
use crate::record::Position;
use crate::scanner::Scanner;
use crate::stream::is_gzip_file;
use crate::summary::{Summarizer, Summary};

/// What to check besides the records.
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Compare against a `.md5` side file when one exists (default true).
    pub verify_md5: bool,
    /// Count records per table in the summary (default false: faster).
    pub count_tables: bool,
    /// Longest record accepted (default [`crate::DEFAULT_MAX_RECORD_LEN`]).
    pub max_record_len: usize,
    /// Threads a large plain file may be scanned with (default: the
    /// cores available). Gzip input, and input whose MD5 is checked, are
    /// read in order on one thread (plus a reading thread) whatever this
    /// says. The result is the same either way: errors always come from a
    /// scan in order.
    pub threads: usize,
    /// Plain files at least this long are scanned in parts on `threads`
    /// threads (default 32 MiB: below that, starting threads costs more
    /// than it saves).
    pub parallel_from: u64,
}

impl Default for CheckOptions {
    fn default() -> CheckOptions {
        CheckOptions {
            verify_md5: true,
            count_tables: false,
            max_record_len: crate::DEFAULT_MAX_RECORD_LEN,
            threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
            parallel_from: parts::MIN_PARALLEL_BYTES,
        }
    }
}

/// A side file whose digest matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedMd5 {
    /// The side file.
    pub md5_file: PathBuf,
    /// The digest (of the uncompressed content).
    pub digest: Digest,
}

/// The result of a successful check.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// Counts, header and trailer.
    pub summary: Summary,
    /// Whether the input was gzip.
    pub gzip: bool,
    /// The side file checked, if there was one.
    pub md5: Option<VerifiedMd5>,
}

/// Checks one file. The first problem found is returned as an error
/// naming the file (and the line, when there is one): a record p4d would
/// reject, damaged gzip data, a checkpoint without its trailer note, or
/// a digest that differs from the `.md5` side file.
pub fn check_file(path: &Path, options: &CheckOptions) -> Result<CheckReport, Error> {
    let with_file = |kind: ErrorKind| Error::new(kind, None, None).with_file(path);
    let side = if options.verify_md5 {
        match find_side_file(path) {
            Some(md5_path) => {
                let text = std::fs::read_to_string(&md5_path).map_err(|e| {
                    with_file(ErrorKind::BadMd5File {
                        md5_file: md5_path.display().to_string(),
                        reason: e.to_string(),
                    })
                })?;
                let parsed = Md5File::parse(&text).map_err(|e| {
                    with_file(ErrorKind::BadMd5File {
                        md5_file: md5_path.display().to_string(),
                        reason: e.to_string(),
                    })
                })?;
                Some((md5_path, parsed))
            }
            None => None,
        }
    } else {
        None
    };
    let scanned = scan_file(path, options, side.is_some())?;
    complete(&scanned.summary, scanned.end).map_err(|e| e.with_file(path))?;
    let md5 = match (side, scanned.md5) {
        (Some((md5_file, expected)), Some(actual)) => {
            if !expected.digest.matches(&actual) {
                return Err(with_file(ErrorKind::Md5Mismatch {
                    md5_file: md5_file.display().to_string(),
                    expected: expected.digest,
                    actual,
                }));
            }
            Some(VerifiedMd5 {
                md5_file,
                digest: actual,
            })
        }
        _ => None,
    };
    Ok(CheckReport {
        summary: scanned.summary,
        gzip: scanned.gzip,
        md5,
    })
}

/// Reads one file to the end and summarises it without judging it: what
/// `p4ha journal stats` shows. Unlike [`check_file`], a checkpoint without
/// its trailer is summarised (its `trailer` is `None`) and no `.md5` side
/// file is read (`md5` is always `None`); a record p4d would reject, or
/// damaged gzip data, is still an error. `verify_md5` is ignored.
pub fn summarize_file(path: &Path, options: &CheckOptions) -> Result<CheckReport, Error> {
    let scanned = scan_file(path, options, false)?;
    Ok(CheckReport {
        summary: scanned.summary,
        gzip: scanned.gzip,
        md5: None,
    })
}

/// What reading a whole file found.
struct Scanned {
    summary: Summary,
    end: Position,
    gzip: bool,
    md5: Option<Digest>,
}

/// Reads the file at `path` to the end, in parts on several threads when
/// it is large, plain and no digest is wanted (see [`CheckOptions::threads`]).
fn scan_file(path: &Path, options: &CheckOptions, with_md5: bool) -> Result<Scanned, Error> {
    let file =
        File::open(path).map_err(|e| Error::new(ErrorKind::Io(e), None, None).with_file(path))?;
    let gzip = is_gzip_file(path);
    let len = file.metadata().map_or(0, |m| m.len());
    if !with_md5 && !gzip && options.threads > 1 && len >= options.parallel_from {
        let split = parts::summarize(
            &file,
            len,
            options.threads,
            options.max_record_len,
            options.count_tables,
        );
        if let Some((summarizer, end)) = split {
            return Ok(Scanned {
                summary: summarizer.finish(end),
                end,
                gzip: false,
                md5: None,
            });
        }
        // A part could not vouch for its end: the scan in order decides,
        // and gives the first error with its exact line.
    }
    let scanner = Scanner::new(file)
        .with_file_name(path)
        .with_max_record_len(options.max_record_len);
    // Decompression and hashing run on a second thread; plain reads do not
    // gain from one (measured: the cross-core hand-over costs more).
    let mut scanner = match (with_md5, gzip) {
        (true, _) => scanner.with_md5().with_read_ahead(),
        (false, true) => scanner.with_read_ahead(),
        (false, false) => scanner,
    };
    let mut summarizer = Summarizer::new().count_tables(options.count_tables);
    while let Some(record) = scanner.next_record() {
        summarizer.add(&record?).map_err(|e| e.with_file(path))?;
    }
    let end = scanner.position();
    Ok(Scanned {
        summary: summarizer.finish(end),
        end,
        gzip: scanner.is_gzip(),
        md5: scanner.md5(),
    })
}

/// A checkpoint must end with its trailer note (p4d's KB 3193: an
/// incomplete checkpoint); `end` is where the file ended.
fn complete(summary: &Summary, end: Position) -> Result<(), Error> {
    if summary.is_incomplete_checkpoint() {
        let header_line = summary.header.as_ref().map_or(1, |h| h.position.line);
        return Err(Error::new(
            ErrorKind::MissingTrailer { header_line },
            Some(end.line),
            Some(end.offset),
        ));
    }
    Ok(())
}
