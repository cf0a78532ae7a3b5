//! The file system of one host, as the programs running on it see it.
//!
//! Every program of a simulated host (the shell, `p4`, `p4d`, `p4dctl`) reads
//! and writes files through a [`HostFs`]. Paths are the host's own absolute
//! paths (`/standby/db.config`); a *sandbox* host keeps them under a real
//! directory of the machine running the simulation, a *native* host (the
//! simulator running as a daemon inside a container) uses the real root.
//!
//! The type also carries what a simulation needs and a real disk has:
//! owners for `chown`/`ls -l` (a sandbox runs as one real user), modification
//! times from the simulation's clock (so listings are deterministic), and a
//! "disk full" switch per directory for fault injection.

mod meta;
mod path;
mod writer;

use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

pub use meta::{FileKind, Metadata};
pub use path::{normalize, resolve};
pub use writer::HostWriter;

/// `ENOSPC`: what a full disk answers to a write.
const ENOSPC: i32 = 28;

/// Where the current time comes from (seconds since the Unix epoch).
pub type ClockFn = Arc<dyn Fn() -> i64 + Send + Sync>;

/// A host's file system. Cheap to clone; clones share state.
#[derive(Clone)]
pub struct HostFs {
    inner: Arc<Inner>,
}

struct Inner {
    /// The real directory that plays the host's `/`.
    root: PathBuf,
    /// True when `root` is the real `/` and real metadata is authoritative.
    native: bool,
    clock: ClockFn,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// Host paths under which the file system refuses to grow.
    full: BTreeSet<PathBuf>,
    /// Simulated owners (sandbox only): path -> (user, group).
    owners: BTreeMap<PathBuf, (String, String)>,
    /// Simulated modification times (sandbox only).
    mtimes: BTreeMap<PathBuf, i64>,
    default_owner: Option<(String, String)>,
}

impl std::fmt::Debug for HostFs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HostFs")
            .field("root", &self.inner.root)
            .field("native", &self.inner.native)
            .finish()
    }
}

impl HostFs {
    /// A host whose `/` is the real directory `root` (created if missing,
    /// with the usual `/tmp` and `/etc`). Times come from `clock`.
    pub fn sandbox(root: impl Into<PathBuf>, clock: ClockFn) -> io::Result<Self> {
        let root = root.into();
        fs::create_dir_all(root.join("tmp"))?;
        fs::create_dir_all(root.join("etc"))?;
        Ok(Self::new(root, false, clock))
    }

    /// The machine's own file system: paths are used as they are.
    pub fn native() -> Self {
        let clock: ClockFn = Arc::new(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        });
        Self::new(PathBuf::from("/"), true, clock)
    }

    fn new(root: PathBuf, native: bool, clock: ClockFn) -> Self {
        HostFs {
            inner: Arc::new(Inner {
                root,
                native,
                clock,
                state: Mutex::new(State::default()),
            }),
        }
    }

    /// True for the machine's own file system.
    pub fn is_native(&self) -> bool {
        self.inner.native
    }

    /// The current time of this host's clock, in epoch seconds.
    pub fn now(&self) -> i64 {
        (self.inner.clock)()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A poisoned lock only means another thread panicked mid-update of
        // bookkeeping maps; their content is still usable.
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Owner given to files whose owner was never set (sandbox only).
    pub fn set_default_owner(&self, user: &str, group: &str) {
        self.state().default_owner = Some((user.to_string(), group.to_string()));
    }

    /// The real path of a host path. `p` must be absolute on the host; it is
    /// normalised lexically and can never leave the sandbox.
    pub fn real_path(&self, p: &Path) -> PathBuf {
        let norm = normalize(p);
        if self.inner.native {
            return norm;
        }
        let rel = norm.strip_prefix("/").unwrap_or(&norm);
        self.inner.root.join(rel)
    }

    /// The host path of a real path inside the sandbox.
    pub fn host_path(&self, real: &Path) -> Option<PathBuf> {
        if self.inner.native {
            return Some(real.to_path_buf());
        }
        let rel = real.strip_prefix(&self.inner.root).ok()?;
        Some(Path::new("/").join(rel))
    }

    /// Marks the file system under `dir` as full (or no longer full).
    pub fn set_full(&self, dir: &Path, full: bool) {
        let dir = normalize(dir);
        let mut st = self.state();
        if full {
            st.full.insert(dir);
        } else {
            st.full.remove(&dir);
        }
    }

    /// True when writes that grow files under `p` fail for lack of space.
    pub fn is_full(&self, p: &Path) -> bool {
        let p = normalize(p);
        self.state().full.iter().any(|d| p.starts_with(d))
    }

    fn check_space(&self, p: &Path, grows: bool) -> io::Result<()> {
        if grows && self.is_full(p) {
            return Err(io::Error::from_raw_os_error(ENOSPC));
        }
        Ok(())
    }

    fn touch_mtime(&self, p: &Path) {
        if !self.inner.native {
            let now = self.now();
            self.state().mtimes.insert(normalize(p), now);
        }
    }

    /// Reads a whole file.
    pub fn read(&self, p: &Path) -> io::Result<Vec<u8>> {
        fs::read(self.real_path(p))
    }

    /// Reads a whole file as UTF-8 (lossy).
    pub fn read_to_string(&self, p: &Path) -> io::Result<String> {
        Ok(String::from_utf8_lossy(&self.read(p)?).into_owned())
    }

    /// Opens a file for reading.
    pub fn open(&self, p: &Path) -> io::Result<File> {
        File::open(self.real_path(p))
    }

    /// Creates or truncates a file with `data`.
    pub fn write(&self, p: &Path, data: &[u8]) -> io::Result<()> {
        self.check_space(p, !data.is_empty())?;
        fs::write(self.real_path(p), data)?;
        self.touch_mtime(p);
        Ok(())
    }

    /// Writes `data` to a temporary file beside `p` and renames it into
    /// place, so readers see the old or the new content, never half of it.
    pub fn write_atomic(&self, p: &Path, data: &[u8]) -> io::Result<()> {
        self.check_space(p, !data.is_empty())?;
        let real = self.real_path(p);
        let mut tmp = real.clone().into_os_string();
        tmp.push(".p4ha-tmp");
        let tmp = PathBuf::from(tmp);
        fs::write(&tmp, data)?;
        fs::rename(&tmp, &real)?;
        self.touch_mtime(p);
        Ok(())
    }

    /// Appends to a file (created if missing) and returns its new length.
    pub fn append(&self, p: &Path, data: &[u8]) -> io::Result<u64> {
        self.check_space(p, !data.is_empty())?;
        let mut f = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.real_path(p))?;
        let before = f.metadata()?.len();
        if let Err(e) = f.write_all(data) {
            // A real full disk takes part of the data (the slack of the
            // file's last block) before it refuses; leave no torn record
            // behind, so a failed journal append changes nothing, as it
            // does under the simulated disk-full switch.
            let _ = f.set_len(before);
            return Err(e);
        }
        let len = f.metadata()?.len();
        self.touch_mtime(p);
        Ok(len)
    }

    /// Creates (truncating) a file and returns a writer that honours the
    /// disk-full switch on every write.
    pub fn create(&self, p: &Path) -> io::Result<HostWriter> {
        let file = File::create(self.real_path(p))?;
        self.touch_mtime(p);
        Ok(HostWriter::new(self.clone(), normalize(p), file))
    }

    /// Opens a file for appending (created if missing) through the
    /// disk-full switch.
    pub fn open_append(&self, p: &Path) -> io::Result<HostWriter> {
        let file = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.real_path(p))?;
        self.touch_mtime(p);
        Ok(HostWriter::new(self.clone(), normalize(p), file))
    }

    /// Truncates or extends a file to `len` bytes.
    pub fn set_len(&self, p: &Path, len: u64) -> io::Result<()> {
        let f = fs::OpenOptions::new().write(true).open(self.real_path(p))?;
        let grows = len > f.metadata()?.len();
        self.check_space(p, grows)?;
        f.set_len(len)?;
        self.touch_mtime(p);
        Ok(())
    }

    /// Creates a directory and its parents.
    pub fn create_dir_all(&self, p: &Path) -> io::Result<()> {
        fs::create_dir_all(self.real_path(p))
    }

    /// Creates one directory (the parent must exist).
    pub fn create_dir(&self, p: &Path) -> io::Result<()> {
        fs::create_dir(self.real_path(p))?;
        self.touch_mtime(p);
        Ok(())
    }

    /// Removes a file (or a symbolic link).
    pub fn remove_file(&self, p: &Path) -> io::Result<()> {
        fs::remove_file(self.real_path(p))?;
        self.forget(p);
        Ok(())
    }

    /// Removes an empty directory.
    pub fn remove_dir(&self, p: &Path) -> io::Result<()> {
        fs::remove_dir(self.real_path(p))?;
        self.forget(p);
        Ok(())
    }

    /// Removes a directory and everything under it.
    pub fn remove_dir_all(&self, p: &Path) -> io::Result<()> {
        fs::remove_dir_all(self.real_path(p))?;
        self.forget(p);
        Ok(())
    }

    fn forget(&self, p: &Path) {
        let p = normalize(p);
        let mut st = self.state();
        st.owners.retain(|k, _| !k.starts_with(&p));
        st.mtimes.retain(|k, _| !k.starts_with(&p));
    }

    /// Renames a file or directory (as `mv` within one file system).
    pub fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(self.real_path(from), self.real_path(to))?;
        let (from, to) = (normalize(from), normalize(to));
        let mut st = self.state();
        move_prefix(&mut st.owners, &from, &to);
        move_prefix(&mut st.mtimes, &from, &to);
        Ok(())
    }

    /// Copies a file's content (as `cp`); returns the number of bytes.
    pub fn copy(&self, from: &Path, to: &Path) -> io::Result<u64> {
        let len = fs::metadata(self.real_path(from))?.len();
        self.check_space(to, len > 0)?;
        let n = fs::copy(self.real_path(from), self.real_path(to))?;
        self.touch_mtime(to);
        Ok(n)
    }

    /// True when the path exists.
    pub fn exists(&self, p: &Path) -> bool {
        self.real_path(p).symlink_metadata().is_ok()
    }

    /// Names of the entries of a directory, sorted.
    pub fn read_dir(&self, p: &Path) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in fs::read_dir(self.real_path(p))? {
            let entry = entry?;
            names.push(entry.file_name().to_string_lossy().into_owned());
        }
        names.retain(|n| !n.ends_with(".p4ha-tmp"));
        names.sort();
        Ok(names)
    }

    /// Metadata of a path (not following a final symbolic link).
    pub fn metadata(&self, p: &Path) -> io::Result<Metadata> {
        let real = self.real_path(p);
        let md = real.symlink_metadata()?;
        let norm = normalize(p);
        if self.inner.native {
            return Ok(meta::from_native(&md));
        }
        let st = self.state();
        let (user, group) = st
            .owners
            .get(&norm)
            .cloned()
            .or_else(|| st.default_owner.clone())
            .unwrap_or_else(|| ("root".to_string(), "root".to_string()));
        let mtime = st.mtimes.get(&norm).copied().unwrap_or(0);
        Ok(meta::from_sandbox(&md, user, group, mtime))
    }

    /// Changes permission bits (the low 12 bits of `mode`).
    pub fn set_mode(&self, p: &Path, mode: u32) -> io::Result<()> {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(self.real_path(p), fs::Permissions::from_mode(mode & 0o7777))
    }

    /// Changes the owner of a path. In a sandbox the owner is recorded for
    /// listings; on a native host the user and group must exist.
    pub fn chown(&self, p: &Path, user: Option<&str>, group: Option<&str>) -> io::Result<()> {
        let real = self.real_path(p);
        real.symlink_metadata()?;
        if self.inner.native {
            return meta::chown_native(&real, user, group);
        }
        let norm = normalize(p);
        let mut st = self.state();
        let current = st
            .owners
            .get(&norm)
            .cloned()
            .or_else(|| st.default_owner.clone())
            .unwrap_or_else(|| ("root".to_string(), "root".to_string()));
        let new = (
            user.map(str::to_string).unwrap_or(current.0),
            group.map(str::to_string).unwrap_or(current.1),
        );
        st.owners.insert(norm, new);
        Ok(())
    }
}

/// Re-keys every entry at or under `from` to the same place under `to`.
fn move_prefix<V>(map: &mut BTreeMap<PathBuf, V>, from: &Path, to: &Path) {
    let moved: Vec<PathBuf> = map
        .keys()
        .filter(|k| k.starts_with(from))
        .cloned()
        .collect();
    for key in moved {
        if let Some(value) = map.remove(&key) {
            let rest = key.strip_prefix(from).unwrap_or(Path::new(""));
            map.insert(to.join(rest), value);
        }
    }
}

#[cfg(test)]
mod tests;
