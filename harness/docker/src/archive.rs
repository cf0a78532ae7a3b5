//! Tar archives: what the engine's copy endpoints speak, and how image
//! build contexts are sent.

use std::io::Read;

/// An entry of an archive being written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A regular file.
    File {
        /// Path inside the archive (relative).
        path: String,
        /// Content.
        data: Vec<u8>,
        /// Permission bits.
        mode: u32,
    },
    /// A folder.
    Dir {
        /// Path inside the archive (relative).
        path: String,
        /// Permission bits.
        mode: u32,
    },
    /// A symbolic link.
    Symlink {
        /// Path inside the archive (relative).
        path: String,
        /// Where it points.
        target: String,
    },
}

/// Writes `entries` as a tar archive, owned by root, dated `mtime`.
pub fn write(entries: &[Entry], mtime: u64) -> std::io::Result<Vec<u8>> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        let mut h = tar::Header::new_gnu();
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(mtime);
        match e {
            Entry::File { path, data, mode } => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(*mode);
                h.set_size(data.len() as u64);
                b.append_data(&mut h, path, data.as_slice())?;
            }
            Entry::Dir { path, mode } => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(*mode);
                h.set_size(0);
                b.append_data(&mut h, path, std::io::empty())?;
            }
            Entry::Symlink { path, target } => {
                h.set_entry_type(tar::EntryType::Symlink);
                h.set_mode(0o777);
                h.set_size(0);
                b.append_link(&mut h, path, target)?;
            }
        }
    }
    b.into_inner()
}

/// Why a single file could not be taken from an archive.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// The archive holds a folder, not a file.
    #[error("Is a directory")]
    Directory,
    /// The archive holds something else (a link, a device).
    #[error("not a regular file")]
    NotAFile,
    /// The archive is empty.
    #[error("No such file or directory")]
    Empty,
    /// The archive is damaged.
    #[error("unreadable archive from the engine: {0}")]
    Damaged(String),
}

/// The content of the one file an archive from the engine's copy-out
/// endpoint holds.
pub fn single_file(tar_bytes: &[u8]) -> Result<Vec<u8>, ReadError> {
    let mut a = tar::Archive::new(tar_bytes);
    let mut entries = a.entries().map_err(|e| ReadError::Damaged(e.to_string()))?;
    let Some(first) = entries.next() else {
        return Err(ReadError::Empty);
    };
    let mut first = first.map_err(|e| ReadError::Damaged(e.to_string()))?;
    match first.header().entry_type() {
        tar::EntryType::Regular | tar::EntryType::Continuous => {
            let mut data = Vec::new();
            first
                .read_to_end(&mut data)
                .map_err(|e| ReadError::Damaged(e.to_string()))?;
            Ok(data)
        }
        tar::EntryType::Directory => Err(ReadError::Directory),
        _ => Err(ReadError::NotAFile),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_folder_is_not_a_file() {
        let t = write(
            &[Entry::Dir {
                path: "standby".into(),
                mode: 0o755,
            }],
            0,
        )
        .unwrap();
        assert_eq!(single_file(&t), Err(ReadError::Directory));
        assert_eq!(single_file(&write(&[], 0).unwrap()), Err(ReadError::Empty));
    }

    proptest! {
        #[test]
        fn files_round_trip(data in proptest::collection::vec(any::<u8>(), 0..3000), mode in 0u32..0o7777) {
            let t = write(&[Entry::File { path: "journal".into(), data: data.clone(), mode }], 1_571_371_200).unwrap();
            prop_assert_eq!(single_file(&t).unwrap(), data);
        }
    }
}
