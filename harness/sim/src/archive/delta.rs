//! RCS deltas: the `diff -n` edit scripts that turn one revision's text
//! into another's (`dL N` deletes N lines starting at line L of the source,
//! `aL N` followed by N lines inserts them after source line L; line
//! numbers always refer to the source, commands in increasing order).

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// A delta that cannot be applied to its source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeltaError {
    /// A command line is not `dL N` or `aL N`.
    #[error("bad delta command '{0}'")]
    BadCommand(String),
    /// A command refers to lines out of order or beyond the source.
    #[error("delta command '{0}' out of range")]
    OutOfRange(String),
    /// An `a` command promises more lines than the delta holds.
    #[error("delta text ends inside an 'a' command")]
    Truncated,
}

/// Splits text into lines, each keeping its `\n`; a final line without one
/// is a line too (RCS counts it).
pub fn split_lines(text: &[u8]) -> Vec<&[u8]> {
    let mut lines = Vec::new();
    let mut start = 0;
    for (i, b) in text.iter().enumerate() {
        if *b == b'\n' {
            lines.push(&text[start..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// The edit script that turns `from` into `to`, as `diff -n` writes it.
pub fn make_delta(from: &[u8], to: &[u8]) -> Vec<u8> {
    let old = split_lines(from);
    let new = split_lines(to);
    // Hunks of consecutive changes: (old start, old len, new start, new len).
    // Positions are counted from the ops' lengths: the indices some ops
    // report can lag behind an `Equal` op that precedes them.
    let mut hunks: Vec<(usize, usize, usize, usize)> = Vec::new();
    let (mut op_old, mut op_new) = (0usize, 0usize);
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        let (ol, nl) = (op.old_range().len(), op.new_range().len());
        let (os, ns) = (op_old, op_new);
        op_old += ol;
        op_new += nl;
        if matches!(op, DiffOp::Equal { .. }) {
            continue;
        }
        match hunks.last_mut() {
            Some(h) if h.0 + h.1 == os && h.2 + h.3 == ns => {
                h.1 += ol;
                h.3 += nl;
            }
            _ => hunks.push((os, ol, ns, nl)),
        }
    }
    let mut out = Vec::new();
    for (os, ol, ns, nl) in hunks {
        if ol > 0 {
            out.extend_from_slice(format!("d{} {}\n", os + 1, ol).as_bytes());
        }
        if nl > 0 {
            out.extend_from_slice(format!("a{} {}\n", os + ol, nl).as_bytes());
            for line in &new[ns..ns + nl] {
                out.extend_from_slice(line);
            }
        }
    }
    out
}

/// Applies an edit script to `source`.
pub fn apply_delta(source: &[u8], delta: &[u8]) -> Result<Vec<u8>, DeltaError> {
    let src = split_lines(source);
    let script = split_lines(delta);
    let mut out: Vec<u8> = Vec::with_capacity(source.len());
    let mut pos = 0usize;
    let mut i = 0usize;
    while i < script.len() {
        let raw = script[i];
        let cmd = String::from_utf8_lossy(raw)
            .trim_end_matches('\n')
            .to_string();
        i += 1;
        let bad = || DeltaError::BadCommand(cmd.clone());
        let (kind, rest) = cmd.split_at(cmd.len().min(1));
        let (line, count) = rest.split_once(' ').ok_or_else(bad)?;
        let line: usize = line.parse().map_err(|_| bad())?;
        let count: usize = count.trim().parse().map_err(|_| bad())?;
        let range = || DeltaError::OutOfRange(cmd.clone());
        match kind {
            "d" => {
                if line == 0 || line - 1 < pos || line - 1 + count > src.len() {
                    return Err(range());
                }
                for l in &src[pos..line - 1] {
                    out.extend_from_slice(l);
                }
                pos = line - 1 + count;
            }
            "a" => {
                if line < pos || line > src.len() {
                    return Err(range());
                }
                for l in &src[pos..line] {
                    out.extend_from_slice(l);
                }
                pos = line;
                if i + count > script.len() {
                    return Err(DeltaError::Truncated);
                }
                for l in &script[i..i + count] {
                    out.extend_from_slice(l);
                }
                i += count;
            }
            _ => return Err(bad()),
        }
    }
    for l in &src[pos..] {
        out.extend_from_slice(l);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_read_like_diff_n() {
        assert_eq!(make_delta(b"a\nb\nc\n", b"a\nc\n"), b"d2 1\n");
        assert_eq!(make_delta(b"a\nc\n", b"a\nb\nc\n"), b"a1 1\nb\n");
        assert_eq!(make_delta(b"a\nb\nc\n", b"a\nx\nc\n"), b"d2 1\na2 1\nx\n");
        assert_eq!(make_delta(b"", b"x\n"), b"a0 1\nx\n");
        assert_eq!(make_delta(b"x\n", b""), b"d1 1\n");
        assert_eq!(make_delta(b"a\nb", b"a\nb\n"), b"d2 1\na2 1\nb\n");
        assert_eq!(make_delta(b"same\n", b"same\n"), b"");
    }

    #[test]
    fn applying_a_script_gives_the_target() {
        let pairs: &[(&[u8], &[u8])] = &[
            (b"a\nb\nc\n", b"a\nc\n"),
            (b"a\nb\nc\n", b"x\ny\n"),
            (b"", b"one\ntwo"),
            (b"one\ntwo", b""),
            (b"a\nb\nc\nd\n", b"b\nc\nd\ne\nf"),
        ];
        for (from, to) in pairs {
            let d = make_delta(from, to);
            assert_eq!(
                apply_delta(from, &d).unwrap(),
                *to,
                "{:?}",
                String::from_utf8_lossy(&d)
            );
        }
    }

    #[test]
    fn bad_scripts_are_refused() {
        assert!(matches!(
            apply_delta(b"a\n", b"d3 1\n"),
            Err(DeltaError::OutOfRange(_))
        ));
        assert!(matches!(
            apply_delta(b"a\n", b"x1 1\n"),
            Err(DeltaError::BadCommand(_))
        ));
        assert!(matches!(
            apply_delta(b"a\n", b"a1 2\nz\n"),
            Err(DeltaError::Truncated)
        ));
        assert!(matches!(
            apply_delta(b"a\nb\n", b"d2 1\nd1 1\n"),
            Err(DeltaError::OutOfRange(_))
        ));
    }

    /// Every pair of short texts over a small alphabet (with and without
    /// a final newline) round-trips through a delta.
    #[test]
    fn every_small_pair_round_trips() {
        let lines = ["a", "x y", ""];
        let mut texts: Vec<Vec<u8>> = Vec::new();
        for n in 0..4usize {
            let mut idx = vec![0usize; n];
            loop {
                for nl in [false, true] {
                    let mut s = idx.iter().map(|i| lines[*i]).collect::<Vec<_>>().join("\n");
                    if nl && n > 0 {
                        s.push('\n');
                    }
                    texts.push(s.into_bytes());
                }
                let mut k = 0;
                while k < n {
                    idx[k] += 1;
                    if idx[k] < lines.len() {
                        break;
                    }
                    idx[k] = 0;
                    k += 1;
                }
                if k == n {
                    break;
                }
            }
        }
        for a in &texts {
            for b in &texts {
                let d = make_delta(a, b);
                assert_eq!(
                    apply_delta(a, &d).as_ref(),
                    Ok(b),
                    "{:?} -> {:?} via {:?}",
                    a,
                    b,
                    String::from_utf8_lossy(&d)
                );
            }
        }
    }
}
