//! Where something was written: a file, a line and a column.

use std::fmt;
use std::path::Path;
use std::sync::Arc;

/// A position in a scenario or fragment file.
///
/// Lines and columns count from 1; columns count characters, not bytes, as
/// editors do. A location with line 0 names a whole file (for instance a file
/// that cannot be read).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Location {
    /// The file, as the user named it (relative paths stay relative).
    pub file: Arc<Path>,
    /// Line number, from 1 (0 for "the file as a whole").
    pub line: u32,
    /// Column number in characters, from 1 (0 for "the file as a whole").
    pub column: u32,
}

impl Location {
    /// A location at `line` and `column` of `file`.
    pub fn new(file: Arc<Path>, line: u32, column: u32) -> Self {
        Self { file, line, column }
    }

    /// A location naming a whole file.
    pub fn file(file: Arc<Path>) -> Self {
        Self {
            file,
            line: 0,
            column: 0,
        }
    }
}

impl fmt::Display for Location {
    /// `FILE:LINE:COL`, or only `FILE` for a whole-file location.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
        }
    }
}
