//! Scanning a plain (uncompressed) file in parts, one core per part.
//!
//! The file is cut at guessed record starts and every part is scanned on
//! its own thread as if it were a file of its own. In a valid file a
//! guess cannot be wrong (inside a quoted value, an `@` after a newline
//! is doubled or closes the value, so `\n@pv@ ` is never inside one), but
//! in a damaged file it can, so the parts vouch for each other: the scanner decides
//! a record's extent from the record's own bytes, so when a part starts
//! at a true record start and its scan ends exactly at the next cut with
//! a complete, newline-terminated record, the next cut is a true record
//! start too, and the part's records are exactly those a single scan of
//! the whole file finds there. By induction from the first part (which
//! starts at offset 0), a run where every part succeeds that way equals
//! the sequential scan.
//!
//! Anything else (a part that fails, or one whose last record is not
//! terminated before the cut) returns `None`, and the caller scans the
//! whole file sequentially. Errors therefore always come from the
//! sequential scan, with their exact line and offset.

use std::fs::File;
use std::io::Read;

use crate::record::Position;
use crate::scanner::Scanner;
use crate::summary::Summarizer;

/// Below this size a file is scanned on one thread by default: starting
/// threads and guessing cuts would cost more than they save.
pub(crate) const MIN_PARALLEL_BYTES: u64 = 32 << 20;

/// Smallest part given a thread of its own, and most parts in all,
/// whatever thread count a caller asks for: tens of thousands of threads
/// exhaust the process's memory maps, and a thread that cannot start
/// aborts rather than fails.
const MIN_PART_BYTES: u64 = 64 << 10;
const MAX_PARTS: usize = 256;

/// How far past a target offset a record start is looked for.
const CUT_SEARCH: usize = 256 << 10;

/// What one part's scan produced, positions relative to the part's start.
struct Part {
    summarizer: Summarizer,
    end: Position,
}

/// The summary of the whole of `file` (`len` bytes, not gzip), scanned
/// in up to `parts` parts; `None` when any part could not vouch for the
/// next cut (see the module documentation), when a thread could not be
/// started, or on any read problem: the caller then scans in order and
/// reports. All parts read the one open file (positioned reads), so a
/// file renamed or replaced meanwhile is not mixed in.
pub(crate) fn summarize(
    file: &File,
    len: u64,
    parts: usize,
    max_record_len: usize,
    count_tables: bool,
) -> Option<(Summarizer, Position)> {
    let parts = parts
        .min(MAX_PARTS)
        .min(usize::try_from(len / MIN_PART_BYTES).unwrap_or(usize::MAX));
    if parts < 2 {
        return None;
    }
    let cuts = guess_cuts(file, len, parts)?;
    let results: Vec<Option<Part>> = std::thread::scope(|scope| {
        let handles: Vec<_> = cuts
            .windows(2)
            .skip(1)
            .map(|w| {
                let (from, to) = (w[0], w[1]);
                let last = to == len;
                std::thread::Builder::new()
                    .name("journal-part".into())
                    .spawn_scoped(scope, move || {
                        scan_part(file, from, to, last, max_record_len, count_tables)
                    })
                    .ok()
            })
            .collect();
        // The first part runs on this thread while the others run on theirs.
        let first = if handles.iter().all(Option::is_some) {
            scan_part(file, cuts[0], cuts[1], false, max_record_len, count_tables)
        } else {
            None
        };
        std::iter::once(first)
            .chain(
                handles
                    .into_iter()
                    .map(|h| h.and_then(|h| h.join().ok().flatten())),
            )
            .collect()
    });
    let mut whole: Option<(Summarizer, Position)> = None;
    for part in results {
        let part = part?;
        whole = Some(match whole {
            None => (part.summarizer, part.end),
            Some((mut summarizer, at)) => {
                summarizer.append(part.summarizer, at);
                let end = Position {
                    offset: at.offset + part.end.offset,
                    line: at.line + part.end.line - 1,
                };
                (summarizer, end)
            }
        });
    }
    whole
}

/// Bytes `pos..end` of a file shared between threads, read with
/// positioned reads (the threads share no file offset).
struct Range<'a> {
    file: &'a File,
    pos: u64,
    end: u64,
}

impl Read for Range<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let left = usize::try_from(self.end - self.pos).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let n = read_at(self.file, &mut buf[..want], self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::unix::fs::FileExt::read_at(file, buf, at)
}

#[cfg(windows)]
fn read_at(file: &File, buf: &mut [u8], at: u64) -> std::io::Result<usize> {
    std::os::windows::fs::FileExt::seek_read(file, buf, at)
}

/// Offsets `0 = c0 < c1 < ... < cn = len`, each inner one just after a
/// newline that is followed by something shaped like an operation marker.
fn guess_cuts(file: &File, len: u64, parts: usize) -> Option<Vec<u64>> {
    let mut cuts = vec![0u64];
    let mut window = Vec::with_capacity(CUT_SEARCH);
    for k in 1..parts as u64 {
        let target = len / parts as u64 * k;
        if target <= *cuts.last()? {
            continue;
        }
        let range = Range {
            file,
            pos: target,
            end: len,
        };
        window.clear();
        range
            .take(CUT_SEARCH as u64)
            .read_to_end(&mut window)
            .ok()?;
        if let Some(at) = record_start_in(&window) {
            let cut = target + at as u64;
            if cut < len {
                cuts.push(cut);
            }
        }
    }
    cuts.push(len);
    (cuts.len() > 2).then_some(cuts)
}

/// The first offset in `window` just after a newline and at something
/// shaped like `@op@ `: a lowercase marker of two to three letters.
fn record_start_in(window: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(nl) = memchr::memchr(b'\n', &window[from..]) {
        let start = from + nl + 1;
        let rest = window.get(start..)?;
        let marker_len = rest
            .iter()
            .skip(1)
            .take(4)
            .take_while(|b| b.is_ascii_lowercase())
            .count();
        if rest.first() == Some(&b'@')
            && (2..=3).contains(&marker_len)
            && rest.get(1 + marker_len) == Some(&b'@')
            && rest.get(2 + marker_len) == Some(&b' ')
        {
            return Some(start);
        }
        from = start;
    }
    None
}

/// Scans bytes `from..to` of the file as a file of their own. `None`
/// unless every record was valid and the scan ended at `to`, the last
/// record with its newline unless the part is the file's `last` (which is
/// what lets the next part trust its start).
fn scan_part(
    file: &File,
    from: u64,
    to: u64,
    last: bool,
    max_record_len: usize,
    count_tables: bool,
) -> Option<Part> {
    let range = Range {
        file,
        pos: from,
        end: to,
    };
    let mut scanner = Scanner::new(range).with_max_record_len(max_record_len);
    let mut summarizer = Summarizer::new().count_tables(count_tables);
    let mut terminated = false;
    while let Some(record) = scanner.next_record() {
        let record = record.ok()?;
        terminated = record.line_end() != crate::record::LineEnd::Missing;
        summarizer.add(&record).ok()?;
    }
    let end = scanner.position();
    (end.offset == to - from && (terminated || last)).then_some(Part { summarizer, end })
}

#[cfg(test)]
mod tests {
    use super::{record_start_in, summarize};

    fn file_of(text: &[u8]) -> std::fs::File {
        let mut file = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut file, text).unwrap();
        file
    }

    #[test]
    fn parts_that_vouch_for_each_other_are_summed() {
        let text = b"@pv@ 1 @db.counters@ @change@ @1@ \n".repeat(10_000);
        let file = file_of(&text);
        let (summarizer, end) = summarize(&file, text.len() as u64, 3, 1 << 20, false).unwrap();
        assert_eq!(end.offset, text.len() as u64);
        assert_eq!(end.line, 10_001);
        assert_eq!(summarizer.finish(end).records, 10_000);
        // Any thread count asked for is capped by the parts' size.
        let (summarizer, end) =
            summarize(&file, text.len() as u64, 1 << 20, 1 << 20, false).unwrap();
        assert_eq!(summarizer.finish(end).records, 10_000);
    }

    #[test]
    fn a_part_that_ends_inside_a_record_sends_the_file_back() {
        // Every other line looks like a record start but is the rest of an
        // unterminated quoted value: whichever cut is guessed, some part
        // fails (or ends mid-value), and nothing is summed.
        let text = b"@pv@ 1 @db.desc@ @abc\n@pv@ 1 @db.x@ @y@ \n".repeat(5_000);
        let file = file_of(&text);
        assert!(summarize(&file, text.len() as u64, 2, 1 << 20, false).is_none());
    }

    #[test]
    fn record_starts_follow_a_newline_and_look_like_a_marker() {
        assert_eq!(record_start_in(b"x\n@pv@ 1"), Some(2));
        assert_eq!(record_start_in(b"ab\n@@pv@@\n@nx@ 2"), Some(10));
        assert_eq!(record_start_in(b"\n@put@ 1"), Some(1));
        assert_eq!(record_start_in(b"\n@PV@ 1\n@a@ \n@pv@"), None);
        assert_eq!(record_start_in(b"no newline @pv@ "), None);
    }
}
