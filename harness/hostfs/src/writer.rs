//! A file writer that honours the host's disk-full switch.

use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;

use crate::HostFs;

/// Writes to a host file; fails with "No space left on device" while the
/// file system under it is marked full.
pub struct HostWriter {
    fs: HostFs,
    path: PathBuf,
    file: File,
}

impl HostWriter {
    pub(crate) fn new(fs: HostFs, path: PathBuf, file: File) -> Self {
        HostWriter { fs, path, file }
    }

    /// Flushes and syncs the file to stable storage.
    pub fn sync(&mut self) -> io::Result<()> {
        self.file.flush()?;
        self.file.sync_data()
    }
}

impl Write for HostWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.fs.check_space(&self.path, !buf.is_empty())?;
        let n = self.file.write(buf)?;
        self.fs.touch_mtime(&self.path);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}
