//! File system helpers on top of `HostFs`: following symbolic links and
//! creating them with targets that stay inside a sandbox.

use std::io;
use std::path::{Path, PathBuf};

use p4ha_hostfs::{FileKind, HostFs, Metadata, normalize};

use crate::errno;

/// Metadata of a path, following symbolic links.
pub(crate) fn stat(fs: &HostFs, p: &Path) -> io::Result<Metadata> {
    let mut path = normalize(p);
    for _ in 0..40 {
        let md = fs.metadata(&path)?;
        if md.kind != FileKind::Symlink {
            return Ok(md);
        }
        path = link_destination(fs, &path)?;
    }
    Err(io::Error::from_raw_os_error(40))
}

/// The host path a symbolic link points to.
pub(crate) fn link_destination(fs: &HostFs, link: &Path) -> io::Result<PathBuf> {
    let target = read_link(fs, link)?;
    let parent = link.parent().unwrap_or(Path::new("/"));
    Ok(p4ha_hostfs::resolve(parent, target))
}

/// The target of a symbolic link, as the host sees it.
pub(crate) fn read_link(fs: &HostFs, link: &Path) -> io::Result<String> {
    let target = std::fs::read_link(fs.real_path(link))?;
    if target.is_absolute()
        && !fs.is_native()
        && let Some(host) = fs.host_path(&target)
    {
        return Ok(host.to_string_lossy().into_owned());
    }
    Ok(target.to_string_lossy().into_owned())
}

/// Creates a symbolic link `link` -> `target`. In a sandbox the link must
/// resolve inside the sandbox: an absolute target, or a relative one that
/// climbs with `..`, is stored as the sandbox's real path of the host path
/// it names.
pub(crate) fn symlink(fs: &HostFs, target: &str, link: &Path) -> io::Result<()> {
    let stored =
        if fs.is_native() || !(target.starts_with('/') || target.split('/').any(|c| c == "..")) {
            PathBuf::from(target)
        } else {
            let parent = link.parent().unwrap_or(Path::new("/"));
            fs.real_path(&p4ha_hostfs::resolve(parent, target))
        };
    std::os::unix::fs::symlink(stored, fs.real_path(link))
}

/// True when `p` exists and is a directory (following links).
pub(crate) fn is_dir(fs: &HostFs, p: &Path) -> bool {
    stat(fs, p).is_ok_and(|m| m.is_dir())
}

/// Disk blocks (1 KiB units) a file occupies, as `ls -s` and `du` count.
/// A sandbox reports whole 4 KiB blocks so listings do not depend on the
/// machine running the simulation.
pub(crate) fn blocks_1k(fs: &HostFs, p: &Path, md: &Metadata) -> u64 {
    if fs.is_native() {
        use std::os::unix::fs::MetadataExt;
        return std::fs::symlink_metadata(fs.real_path(p))
            .map(|m| m.blocks() / 2)
            .unwrap_or(0);
    }
    match md.kind {
        FileKind::Dir => 4,
        FileKind::Symlink => 0,
        FileKind::File => md.len.div_ceil(4096) * 4,
    }
}

/// Size and link count as a listing shows them. A sandbox reports a
/// directory as 4096 bytes with 2 + subdirectories links (as ext4 does),
/// whatever the real file system under it says.
pub(crate) fn shown_size_links(fs: &HostFs, p: &Path, md: &Metadata) -> (u64, u64) {
    if fs.is_native() || md.kind != FileKind::Dir {
        return (md.len, md.nlink);
    }
    let subdirs = fs
        .read_dir(p)
        .map(|names| {
            names
                .iter()
                .filter(|n| fs.metadata(&p.join(n)).is_ok_and(|m| m.is_dir()))
                .count() as u64
        })
        .unwrap_or(0);
    (4096, 2 + subdirs)
}

/// Copies a file or a directory tree.
pub(crate) fn copy_tree(fs: &HostFs, from: &Path, to: &Path) -> io::Result<()> {
    let md = fs.metadata(from)?;
    match md.kind {
        FileKind::Dir => {
            if !fs.exists(to) {
                fs.create_dir(to)?;
            }
            for name in fs.read_dir(from)? {
                copy_tree(fs, &from.join(&name), &to.join(&name))?;
            }
            Ok(())
        }
        FileKind::Symlink => symlink(fs, &read_link(fs, from)?, to),
        FileKind::File => fs.copy(from, to).map(|_| ()),
    }
}

/// Renames, falling back to copy and delete across file systems.
pub(crate) fn rename(fs: &HostFs, from: &Path, to: &Path) -> io::Result<()> {
    match fs.rename(from, to) {
        Err(e) if errno::is(&e, errno::EXDEV) => {
            copy_tree(fs, from, to)?;
            if fs.metadata(from)?.is_dir() {
                fs.remove_dir_all(from)
            } else {
                fs.remove_file(from)
            }
        }
        other => other,
    }
}
