//! Reviewed snapshots, one file per scenario (`snapshots/NAME.snap`), in
//! insta's file format so that `cargo insta review` and `cargo insta
//! accept` work on them: a YAML header between `---` lines, then the
//! transcript. A mismatch writes `NAME.snap.new` beside the snapshot, as
//! insta does, and is reported as a diff whose hunks name the step and
//! server they fall in.

use std::fmt::Write as _;
use std::io;
use std::path::{Path, PathBuf};

use similar::{ChangeTag, TextDiff};

use crate::transcript::heading_at;

/// The header of a snapshot file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The scenario file, relative to the snapshot folder's parent when
    /// inside it (what insta shows as the source).
    pub source: String,
    /// What produced it: `p4ha run FILE`.
    pub expression: String,
    /// The scenario's description.
    pub description: Option<String>,
}

/// What comparing a transcript with its snapshot gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Equal to the reviewed snapshot.
    Matched,
    /// No snapshot existed; it was written (`--accept`).
    Created(PathBuf),
    /// The snapshot differed and was replaced (`--accept`).
    Updated {
        /// The snapshot file.
        path: PathBuf,
        /// What changed.
        diff: String,
    },
    /// No snapshot exists; the transcript was written to `.snap.new`.
    Missing(PathBuf),
    /// The snapshot differs; the transcript was written to `.snap.new`.
    Mismatch {
        /// The pending file.
        pending: PathBuf,
        /// What differs.
        diff: String,
    },
}

/// A YAML scalar as insta writes header values.
fn yaml_scalar(value: &str) -> String {
    let plain = !value.is_empty()
        && !value.starts_with(|c: char| c.is_whitespace() || "-?:,[]{}#&*!|>'\"%@`".contains(c))
        && !value.ends_with(char::is_whitespace)
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.contains('\n')
        && !matches!(value, "true" | "false" | "null" | "~" | "yes" | "no")
        && value.parse::<f64>().is_err();
    if plain {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A snapshot file's text.
pub fn render(header: &Header, content: &str) -> String {
    let mut out = String::from("---\n");
    let _ = writeln!(out, "source: {}", yaml_scalar(&header.source));
    if let Some(d) = &header.description {
        let _ = writeln!(out, "description: {}", yaml_scalar(d));
    }
    let _ = writeln!(out, "expression: {}", yaml_scalar(&header.expression));
    out.push_str("---\n");
    out.push_str(content);
    if !content.ends_with('\n') {
        out.push('\n');
    }
    out
}

/// The content of a snapshot file (what follows its header).
pub fn content(text: &str) -> &str {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("---\n")
        .or_else(|| text.strip_prefix("---\r\n"))
    else {
        return text;
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        offset += line.len();
        if line.trim_end() == "---" {
            return &rest[offset..];
        }
    }
    rest
}

/// Snapshot contents compare without trailing blank space and with `\n`
/// line ends, as insta compares them.
fn comparable(text: &str) -> String {
    text.replace("\r\n", "\n").trim_end().to_string()
}

/// The snapshot file of scenario `name` in `dir`.
pub fn path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.snap"))
}

/// The pending file beside a snapshot.
pub fn pending_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.snap.new"))
}

/// Compares `actual` with the snapshot of `name` in `dir`; writes the
/// snapshot (`accept`) or a pending `.snap.new` when they differ, and
/// removes a stale `.snap.new` when they match.
pub fn check(
    dir: &Path,
    name: &str,
    header: &Header,
    actual: &str,
    accept: bool,
) -> io::Result<Outcome> {
    let snap = path(dir, name);
    let pending = pending_path(dir, name);
    let existing = match std::fs::read_to_string(&snap) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(io::Error::new(e.kind(), format!("{}: {e}", snap.display()))),
    };
    let write = |p: &Path| -> io::Result<()> {
        std::fs::create_dir_all(dir)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", dir.display())))?;
        std::fs::write(p, render(header, actual))
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))
    };
    let remove_pending = || match std::fs::remove_file(&pending) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    };
    match existing {
        Some(old) if comparable(content(&old)) == comparable(actual) => {
            remove_pending()?;
            Ok(Outcome::Matched)
        }
        Some(old) => {
            let diff = diff(content(&old), actual);
            if accept {
                write(&snap)?;
                remove_pending()?;
                Ok(Outcome::Updated { path: snap, diff })
            } else {
                write(&pending)?;
                Ok(Outcome::Mismatch { pending, diff })
            }
        }
        None if accept => {
            write(&snap)?;
            remove_pending()?;
            Ok(Outcome::Created(snap))
        }
        None => {
            write(&pending)?;
            Ok(Outcome::Missing(pending))
        }
    }
}

/// A unified diff of the reviewed snapshot (`-`) against the run (`+`);
/// each hunk is headed by the step it falls in.
pub fn diff(expected: &str, actual: &str) -> String {
    let expected = comparable(expected) + "\n";
    let actual = comparable(actual) + "\n";
    let diff = TextDiff::from_lines(&expected, &actual);
    let mut out = String::new();
    for group in diff.grouped_ops(3) {
        let Some(first_change) = group.iter().find(|op| op.tag() != similar::DiffTag::Equal) else {
            continue;
        };
        let new_at = first_change.new_range().start;
        let old_at = first_change.old_range().start;
        let heading = if first_change.new_range().is_empty() {
            heading_at(&expected, old_at)
        } else {
            heading_at(&actual, new_at)
        };
        let _ = writeln!(
            out,
            "@@ {} @@",
            heading.unwrap_or_else(|| "before the first step".to_string())
        );
        for op in &group {
            for change in diff.iter_changes(op) {
                let sign = match change.tag() {
                    ChangeTag::Equal => ' ',
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                };
                let _ = write!(out, "{sign} {}", change.value());
                if !change.value().ends_with('\n') {
                    out.push('\n');
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            source: "scenarios/a.yaml".into(),
            expression: "p4ha run scenarios/a.yaml".into(),
            description: Some("Failover: with a live master".into()),
        }
    }

    #[test]
    fn file_format() {
        let text = render(&header(), "### 1. master: run\n$ p4 info\n? 0\n");
        assert_eq!(
            text,
            "---\nsource: scenarios/a.yaml\ndescription: \"Failover: with a live master\"\nexpression: p4ha run scenarios/a.yaml\n---\n### 1. master: run\n$ p4 info\n? 0\n"
        );
        assert_eq!(content(&text), "### 1. master: run\n$ p4 info\n? 0\n");
    }

    #[test]
    fn diff_names_the_step() {
        let old =
            "### 1. master: run\n$ p4 info\na\nb\n? 0\n\n### 2. standby: run\n$ p4 x\nold\n? 0\n";
        let new =
            "### 1. master: run\n$ p4 info\na\nb\n? 0\n\n### 2. standby: run\n$ p4 x\nnew\n? 1\n";
        let d = diff(old, new);
        assert!(d.starts_with("@@ 2. standby: run @@\n"), "{d}");
        assert!(d.contains("- old\n- ? 0\n+ new\n+ ? 1\n"), "{d}");
    }

    #[test]
    fn accept_missing_mismatch_match() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().join("snapshots");
        assert_eq!(
            check(&d, "a", &header(), "x\n", false).unwrap(),
            Outcome::Missing(pending_path(&d, "a"))
        );
        assert!(pending_path(&d, "a").exists());
        assert_eq!(
            check(&d, "a", &header(), "x\n", true).unwrap(),
            Outcome::Created(path(&d, "a"))
        );
        assert!(!pending_path(&d, "a").exists());
        assert_eq!(
            check(&d, "a", &header(), "x\n\n", false).unwrap(),
            Outcome::Matched
        );
        match check(&d, "a", &header(), "y\n", false).unwrap() {
            Outcome::Mismatch { pending, diff } => {
                assert!(pending.exists());
                assert!(diff.contains("- x\n+ y\n"), "{diff}");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            check(&d, "a", &header(), "x\n", false).unwrap(),
            Outcome::Matched
        );
        assert!(
            !pending_path(&d, "a").exists(),
            "a stale .snap.new goes once the snapshot matches"
        );
    }
}
