//! Lexical path handling for host paths.

use std::path::{Component, Path, PathBuf};

/// Normalises a host path lexically: makes it absolute (relative paths are
/// taken from `/`), drops `.`, and applies `..` without ever going above `/`.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::from("/");
    for c in p.components() {
        match c {
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(n) => out.push(n),
        }
    }
    out
}

/// Resolves `p` against the working directory `cwd` (as a process does) and
/// normalises the result.
pub fn resolve(cwd: &Path, p: impl AsRef<Path>) -> PathBuf {
    let p = p.as_ref();
    if p.is_absolute() {
        normalize(p)
    } else {
        normalize(&cwd.join(p))
    }
}
