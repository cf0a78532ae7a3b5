//! File metadata as `ls -l` shows it.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// What kind of file a path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
    /// A symbolic link.
    Symlink,
}

/// Metadata of a host path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Metadata {
    /// File, directory or link.
    pub kind: FileKind,
    /// Size in bytes.
    pub len: u64,
    /// Permission bits (low 12 bits).
    pub mode: u32,
    /// Owning user name.
    pub user: String,
    /// Owning group name.
    pub group: String,
    /// Modification time, epoch seconds.
    pub mtime: i64,
    /// Number of hard links.
    pub nlink: u64,
}

impl Metadata {
    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        self.kind == FileKind::Dir
    }

    /// True for a regular file.
    pub fn is_file(&self) -> bool {
        self.kind == FileKind::File
    }
}

fn kind_of(md: &fs::Metadata) -> FileKind {
    let ft = md.file_type();
    if ft.is_symlink() {
        FileKind::Symlink
    } else if ft.is_dir() {
        FileKind::Dir
    } else {
        FileKind::File
    }
}

pub(crate) fn from_sandbox(md: &fs::Metadata, user: String, group: String, mtime: i64) -> Metadata {
    Metadata {
        kind: kind_of(md),
        len: md.len(),
        mode: md.permissions().mode() & 0o7777,
        user,
        group,
        mtime,
        nlink: md.nlink(),
    }
}

pub(crate) fn from_native(md: &fs::Metadata) -> Metadata {
    Metadata {
        kind: kind_of(md),
        len: md.len(),
        mode: md.permissions().mode() & 0o7777,
        user: name_of("/etc/passwd", md.uid()),
        group: name_of("/etc/group", md.gid()),
        mtime: md.mtime(),
        nlink: md.nlink(),
    }
}

/// Looks an id up in a passwd/group style file; falls back to the number.
fn name_of(db: &str, id: u32) -> String {
    lookup(db, |fields| {
        fields.get(2).and_then(|f| f.parse::<u32>().ok()) == Some(id)
    })
    .unwrap_or_else(|| id.to_string())
}

fn id_of(db: &str, name: &str) -> Option<u32> {
    let line = lookup_line(db, |fields| fields.first() == Some(&name))?;
    line.split(':').nth(2)?.parse().ok()
}

fn lookup(db: &str, pred: impl Fn(&[&str]) -> bool) -> Option<String> {
    lookup_line(db, pred).and_then(|l| l.split(':').next().map(str::to_string))
}

fn lookup_line(db: &str, pred: impl Fn(&[&str]) -> bool) -> Option<String> {
    let text = fs::read_to_string(db).ok()?;
    text.lines()
        .find(|l| {
            let fields: Vec<&str> = l.split(':').collect();
            pred(&fields)
        })
        .map(str::to_string)
}

pub(crate) fn chown_native(real: &Path, user: Option<&str>, group: Option<&str>) -> io::Result<()> {
    let uid = match user {
        Some(u) => Some(
            id_of("/etc/passwd", u)
                .or_else(|| u.parse().ok())
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, format!("invalid user: '{u}'"))
                })?,
        ),
        None => None,
    };
    let gid = match group {
        Some(g) => Some(
            id_of("/etc/group", g)
                .or_else(|| g.parse().ok())
                .ok_or_else(|| {
                    io::Error::new(io::ErrorKind::InvalidInput, format!("invalid group: '{g}'"))
                })?,
        ),
        None => None,
    };
    std::os::unix::fs::lchown(real, uid, gid)
}
