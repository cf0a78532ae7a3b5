//! The tokenizer core shared by every reading path.
//!
//! [`scan_record`] looks at a buffer that starts at a record boundary and
//! either finds the end of that record (validating every word on the way
//! and handing the words to a [`Sink`]), asks for more input, or reports a
//! fault. It never allocates; what is kept of a record is the sink's
//! business, so the validating scanner pays nothing for materialising.
//!
//! Grammar (p4d's): words separated by one space; a word is `@`-quoted
//! (`@@` inside stands for `@`, raw newlines allowed) or bare (a decimal
//! integer or a hex digest); a record ends at the first newline outside a
//! quote (`\n` or `\r\n`), optionally preceded by one trailing space; the
//! last record may lack its newline. Quote state is tracked byte by byte,
//! never guessed from line prefixes.

use memchr::memchr2;

use crate::error::ErrorKind;
use crate::op::{Op, OpClass};
use crate::record::LineEnd;

/// Receives the words of one record as the tokenizer validates them.
///
/// `index` counts words from 0 (the marker). A sink must treat every call
/// after [`Sink::begin`] as provisional: when the buffer turns out to hold
/// only part of the record, scanning restarts from the record's start.
pub(crate) trait Sink {
    /// A new attempt at a record starts.
    fn begin(&mut self);
    /// The marker (word 0).
    fn op(&mut self, op: Op);
    /// A quoted word; `content` is between the quotes, with `@@` still
    /// doubled when `escaped` is true.
    fn string(&mut self, index: usize, content: &[u8], escaped: bool);
    /// A bare integer with its literal text.
    fn int(&mut self, index: usize, literal: &[u8], value: i64);
    /// A bare hex digest.
    fn digest(&mut self, index: usize, hex: &[u8]);
}

/// Where and how a complete record ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct End {
    /// Length of the record in bytes, terminator included.
    pub len: usize,
    /// Newlines in the record (terminator included).
    pub newlines: u64,
    /// Number of words, marker included.
    pub words: usize,
    /// The record's marker.
    pub op: Op,
    /// A space stood before the line end.
    pub trailing_space: bool,
    /// How the record ended.
    pub line_end: LineEnd,
}

/// Outcome of one scan.
pub(crate) enum Step {
    /// A complete record.
    Record(End),
    /// The buffer ends inside the record; scan again with more input.
    Incomplete,
}

/// A fault at byte `at` of the buffer, after `newlines` newlines.
#[derive(Debug)]
pub(crate) struct Fault {
    pub kind: ErrorKind,
    pub at: usize,
    pub newlines: u64,
}

impl Fault {
    fn at_start(kind: ErrorKind) -> Fault {
        Fault {
            kind,
            at: 0,
            newlines: 0,
        }
    }
}

/// Shortest bare word read as a digest; shorter hex words are errors.
const DIGEST_MIN: usize = crate::field::Digest::MIN_LEN;
/// Longest bare decimal word that can be a 64-bit integer.
const INT_MAX_DIGITS: usize = 19;
/// Longest marker text quoted in a `Bad opcode` message.
const OPCODE_SHOWN: usize = 40;

#[inline(always)]
fn is_delimiter(b: u8) -> bool {
    b == b' ' || b == b'\n' || b == b'\r'
}

/// Scans one record at the start of `buf`. `eof` says no more input
/// follows `buf`. `buf` must not be empty.
#[inline]
pub(crate) fn scan_record<S: Sink>(buf: &[u8], eof: bool, sink: &mut S) -> Result<Step, Fault> {
    sink.begin();
    let len = buf.len();
    let mut i = 0usize;
    let mut newlines = 0u64;
    let mut index = 0usize;
    let mut op = Op::Pv;

    loop {
        // `i` is where a word should start.
        if i >= len {
            if !eof {
                return Ok(Step::Incomplete);
            }
            // Input ends right after the separating space.
            return finish(op, index, i, newlines, true, LineEnd::Missing);
        }
        let first = buf[i];
        let word_end;
        if first == b'@' {
            let word_line = newlines;
            let mut k = i + 1;
            let mut escaped = false;
            let close = loop {
                match memchr2(b'@', b'\n', &buf[k..]) {
                    None => {
                        return if eof {
                            Err(Fault {
                                kind: ErrorKind::EndOfInput,
                                at: i,
                                newlines: word_line,
                            })
                        } else {
                            Ok(Step::Incomplete)
                        };
                    }
                    Some(found) => {
                        let p = k + found;
                        if buf[p] == b'\n' {
                            newlines += 1;
                            k = p + 1;
                        } else if p + 1 < len {
                            if buf[p + 1] == b'@' {
                                escaped = true;
                                k = p + 2;
                            } else {
                                break p;
                            }
                        } else if eof {
                            break p;
                        } else {
                            // Cannot tell a closing quote from `@@` yet.
                            return Ok(Step::Incomplete);
                        }
                    }
                }
            };
            let content = &buf[i + 1..close];
            match index {
                0 => {
                    op = match (escaped, Op::from_bytes(content)) {
                        (false, Some(op)) => op,
                        _ => return Err(bad_opcode(content, escaped)),
                    };
                    sink.op(op);
                }
                _ => {
                    check_string(op, index, content)?;
                    sink.string(index, content, escaped);
                }
            }
            word_end = close + 1;
        } else if is_delimiter(first) {
            if first == b' ' {
                return Err(Fault {
                    kind: ErrorKind::EmptyWord,
                    at: i,
                    newlines,
                });
            }
            if index == 0 {
                // An empty line: the marker is missing.
                return Err(Fault::at_start(ErrorKind::BadOpcode {
                    operation: String::new(),
                }));
            }
            // The previous word was followed by a space and then the line end.
            return match line_end_at(buf, i, eof, newlines)? {
                Some((line_end, after)) => finish(op, index, after, newlines + 1, true, line_end),
                None => Ok(Step::Incomplete),
            };
        } else {
            let start = i;
            let negative = first == b'-';
            let mut j = if negative { i + 1 } else { i };
            let digits_start = j;
            let mut value: u64 = 0;
            while j < len {
                let d = buf[j].wrapping_sub(b'0');
                if d > 9 {
                    break;
                }
                value = value.wrapping_mul(10).wrapping_add(u64::from(d));
                j += 1;
            }
            if j >= len && !eof {
                return Ok(Step::Incomplete);
            }
            let digits = j - digits_start;
            let at_delimiter = j >= len || is_delimiter(buf[j]);
            if at_delimiter && digits > 0 && (negative || digits < DIGEST_MIN) {
                if index == 0 {
                    return Err(bad_opcode(&buf[start..j], false));
                }
                let fits = digits <= INT_MAX_DIGITS
                    && if negative {
                        value <= i64::MAX as u64 + 1
                    } else {
                        value <= i64::MAX as u64
                    };
                if !fits {
                    return Err(Fault {
                        kind: ErrorKind::NumberTooBig,
                        at: start,
                        newlines,
                    });
                }
                let value = if negative {
                    (value as i64).wrapping_neg()
                } else {
                    value as i64
                };
                check_int(op, index)?;
                sink.int(index, &buf[start..j], value);
            } else {
                // Not a number: a digest, or garbage.
                if !negative {
                    while j < len && buf[j].is_ascii_hexdigit() {
                        j += 1;
                    }
                    if j >= len && !eof {
                        return Ok(Step::Incomplete);
                    }
                }
                let hex_word =
                    !negative && j - start >= DIGEST_MIN && (j >= len || is_delimiter(buf[j]));
                if hex_word && index > 0 {
                    check_digest(op, index)?;
                    sink.digest(index, &buf[start..j]);
                } else {
                    while j < len && !is_delimiter(buf[j]) {
                        j += 1;
                    }
                    if j >= len && !eof {
                        return Ok(Step::Incomplete);
                    }
                    if index == 0 {
                        return Err(bad_opcode(&buf[start..j], false));
                    }
                    return Err(Fault {
                        kind: ErrorKind::BadQuoting { line: 0 },
                        at: start,
                        newlines,
                    });
                }
            }
            word_end = j;
        }
        index += 1;

        // After a word: a space, the line end, or the end of input.
        if word_end >= len {
            if !eof {
                return Ok(Step::Incomplete);
            }
            return finish(op, index, word_end, newlines, false, LineEnd::Missing);
        }
        match buf[word_end] {
            b' ' => i = word_end + 1,
            b'\n' | b'\r' => {
                return match line_end_at(buf, word_end, eof, newlines)? {
                    Some((line_end, after)) => {
                        finish(op, index, after, newlines + 1, false, line_end)
                    }
                    None => Ok(Step::Incomplete),
                };
            }
            _ => {
                return Err(Fault {
                    kind: ErrorKind::BadQuoting { line: 0 },
                    at: word_end,
                    newlines,
                });
            }
        }
    }
}

/// Reads the line end at `at` (a `\n` or `\r`): `Some((style, end))`, or
/// `None` when a `\r` is the last byte available.
#[inline(always)]
fn line_end_at(
    buf: &[u8],
    at: usize,
    eof: bool,
    newlines: u64,
) -> Result<Option<(LineEnd, usize)>, Fault> {
    if buf[at] == b'\n' {
        return Ok(Some((LineEnd::Lf, at + 1)));
    }
    match buf.get(at + 1) {
        Some(b'\n') => Ok(Some((LineEnd::CrLf, at + 2))),
        None if !eof => Ok(None),
        _ => Err(Fault {
            kind: ErrorKind::BadQuoting { line: 0 },
            at,
            newlines,
        }),
    }
}

#[inline(always)]
fn finish(
    op: Op,
    words: usize,
    len: usize,
    newlines: u64,
    trailing_space: bool,
    line_end: LineEnd,
) -> Result<Step, Fault> {
    let missing = match op.class() {
        OpClass::Data if words < 2 => Some(ErrorKind::MissingTableVersion),
        OpClass::Data if words < 3 => Some(ErrorKind::MissingTableName),
        OpClass::Transaction if words < 3 => Some(ErrorKind::BadTransactionMarker),
        OpClass::Note if words < 3 => Some(ErrorKind::BadTransactionMarker),
        OpClass::Note if words < 4 => Some(ErrorKind::MissingVersionNumber),
        _ => None,
    };
    if let Some(kind) = missing {
        return Err(Fault::at_start(kind));
    }
    Ok(Step::Record(End {
        len,
        newlines,
        words,
        op,
        trailing_space,
        line_end,
    }))
}

/// Checks that a quoted word may stand at `index` of an `op` record.
#[inline(always)]
fn check_string(op: Op, index: usize, content: &[u8]) -> Result<(), Fault> {
    let kind = match (op.class(), index) {
        (OpClass::Data, 1) => ErrorKind::MissingTableVersion,
        (OpClass::Data, 2) if content.is_empty() => ErrorKind::MissingTableName,
        (OpClass::Transaction | OpClass::Note, 1 | 2) => ErrorKind::BadTransactionMarker,
        _ => return Ok(()),
    };
    Err(Fault::at_start(kind))
}

/// Checks that a bare integer may stand at `index` of an `op` record.
#[inline(always)]
fn check_int(op: Op, index: usize) -> Result<(), Fault> {
    match (op.class(), index) {
        (OpClass::Data, 2) => Err(Fault::at_start(ErrorKind::MissingTableName)),
        _ => Ok(()),
    }
}

/// Checks that a digest may stand at `index` of an `op` record.
#[inline(always)]
fn check_digest(op: Op, index: usize) -> Result<(), Fault> {
    let kind = match (op.class(), index) {
        (OpClass::Data, 1) => ErrorKind::MissingTableVersion,
        (OpClass::Data, 2) => ErrorKind::MissingTableName,
        (OpClass::Transaction | OpClass::Note, 1 | 2) => ErrorKind::BadTransactionMarker,
        (OpClass::Note, 3) => ErrorKind::MissingVersionNumber,
        _ => return Ok(()),
    };
    Err(Fault::at_start(kind))
}

fn bad_opcode(word: &[u8], escaped: bool) -> Fault {
    let text = if escaped {
        unescape(word)
    } else {
        word.to_vec()
    };
    let shown = &text[..text.len().min(OPCODE_SHOWN)];
    Fault::at_start(ErrorKind::BadOpcode {
        operation: String::from_utf8_lossy(shown).into_owned(),
    })
}

/// Collapses every `@@` of quoted content into `@`.
pub(crate) fn unescape(content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len());
    let mut rest = content;
    while let Some(at) = memchr::memchr(b'@', rest) {
        out.extend_from_slice(&rest[..=at]);
        // The tokenizer guarantees the next byte is the doubled '@'.
        rest = rest.get(at + 2..).unwrap_or(&[]);
    }
    out.extend_from_slice(rest);
    out
}
