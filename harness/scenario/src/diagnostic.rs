//! Errors found in scenario files, each tied to a place in a file.

use std::fmt;

use crate::model::Location;

/// One problem in a scenario file, with a message that says how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is.
    pub location: Location,
    /// What is wrong and how to put it right.
    pub message: String,
    /// When the problem is inside a fragment: the `include:` that brought the
    /// fragment in, innermost first.
    pub included_from: Vec<Location>,
}

impl Diagnostic {
    /// A problem at `location`.
    pub fn new(location: Location, message: impl Into<String>) -> Self {
        Self {
            location,
            message: message.into(),
            included_from: Vec::new(),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// `FILE:LINE:COL: message`, followed by ` (included from FILE:LINE:COL)`
    /// for a problem inside a fragment.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)?;
        for (i, at) in self.included_from.iter().enumerate() {
            let sep = if i == 0 { " (" } else { ", " };
            write!(f, "{sep}included from {at}")?;
        }
        if !self.included_from.is_empty() {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Every problem found in a scenario, in file order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// The problems, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    /// How many problems there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The problems as a vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Builds the list: duplicates (the same message at the same place, as a
    /// fragment included twice gives) are dropped, and the rest ordered by
    /// file (in the order files first appear), line and column.
    pub(crate) fn from_unsorted(items: Vec<Diagnostic>) -> Self {
        let mut files: Vec<&std::path::Path> = Vec::new();
        for item in &items {
            if !files.contains(&&*item.location.file) {
                files.push(&item.location.file);
            }
        }
        let rank = |d: &Diagnostic| files.iter().position(|f| *f == &*d.location.file);
        let mut keyed: Vec<(Option<usize>, Diagnostic)> =
            items.iter().map(|d| (rank(d), d.clone())).collect();
        keyed.sort_by(|(ra, a), (rb, b)| {
            (ra, a.location.line, a.location.column).cmp(&(rb, b.location.line, b.location.column))
        });
        let mut out: Vec<Diagnostic> = Vec::with_capacity(keyed.len());
        for (_, d) in keyed {
            if !out
                .iter()
                .any(|seen| seen.location == d.location && seen.message == d.message)
            {
                out.push(d);
            }
        }
        Self { items: out }
    }
}

impl fmt::Display for Diagnostics {
    /// One problem per line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{item}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

/// A text shortened for a message: its first line, at most 60 characters,
/// with `...` when anything was left out (a message is one line).
pub(crate) fn clip(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    let short: String = first.chars().take(60).collect();
    if short.len() < text.len() {
        format!("{short}...")
    } else {
        short
    }
}
