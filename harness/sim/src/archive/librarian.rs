//! The librarian: where a revision's content lives under the depot root
//! and how it is written and read back.
//!
//! A depot file `//depot/a/b.txt` is stored under the depot's `Map`
//! (`depot/...` by default) relative to the depot root, which is P4ROOT
//! unless the `server.depot.root` configurable names another directory
//! (absolute, or relative to P4ROOT). The archive name is the mapped path
//! plus `,v` (RCS), or the directory `,d/` holding `1.N` (full) or
//! `1.N.gz` (compressed) per revision.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use p4ha_hostfs::HostFs;

use super::filetype::{FileType, Storage};
use super::rcs::{RcsArchive, RcsError, rcs_date};
use crate::db::{Db, DbError, Value};

/// A librarian failure.
#[derive(Debug, thiserror::Error)]
pub enum LbrError {
    /// The file's depot is not in `db.depot`.
    #[error("Can't find {0} in depot map!")]
    NoDepot(String),
    /// The archive file, or the revision inside it, does not exist.
    #[error("librarian: {} revision {rev} missing", path.display())]
    Missing {
        /// Archive file (host path).
        path: PathBuf,
        /// Revision sought (`1.N`).
        rev: String,
    },
    /// The archive exists but cannot be read back as stored.
    #[error("librarian: {} damaged: {reason}", path.display())]
    Damaged {
        /// Archive file (host path).
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The file system refused.
    #[error("librarian: {}: {source}", path.display())]
    Io {
        /// Archive file (host path).
        path: PathBuf,
        /// The operating system's error.
        #[source]
        source: std::io::Error,
    },
    /// The depot table could not be read.
    #[error(transparent)]
    Db(#[from] DbError),
}

impl LbrError {
    /// True when the content is simply not there (`p4 verify`'s
    /// `MISSING!`), as opposed to present but wrong (`BAD!`).
    pub fn is_missing(&self) -> bool {
        matches!(self, LbrError::Missing { .. })
    }
}

/// Upper-case hex MD5 of content, as p4d records it in `db.rev.digest`.
pub fn digest(content: &[u8]) -> String {
    use md5::{Digest as _, Md5};
    Md5::digest(content)
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// The librarian revision (`db.rev.lbrRev`) p4d gives content submitted
/// in `change`: `1.<change>`.
pub fn lbr_rev(change: i64) -> String {
    format!("1.{change}")
}

/// The archive store of one server.
#[derive(Debug, Clone)]
pub struct Librarian {
    fs: HostFs,
    depot_root: PathBuf,
    depots: BTreeMap<String, String>,
}

impl Librarian {
    /// A librarian over `depot_root` (host path) with depots `name -> Map`.
    pub fn new(
        fs: HostFs,
        depot_root: impl Into<PathBuf>,
        depots: BTreeMap<String, String>,
    ) -> Librarian {
        Librarian {
            fs,
            depot_root: depot_root.into(),
            depots,
        }
    }

    /// The librarian of the database in `p4root`: depots from `db.depot`,
    /// the depot root from `server.depot.root` (scoped to `server_name`,
    /// else `any`), P4ROOT when unset.
    pub fn from_db(
        fs: &HostFs,
        p4root: &Path,
        db: &mut Db,
        server_name: Option<&str>,
    ) -> Result<Librarian, LbrError> {
        let mut configured = None;
        if let Some(name) = server_name {
            configured = db.get(
                "db.config",
                &[Value::text(name), Value::text("server.depot.root")],
            )?;
        }
        if configured.is_none() {
            configured = db.get(
                "db.config",
                &[Value::text("any"), Value::text("server.depot.root")],
            )?;
        }
        let depot_root = match configured
            .map(|r| r[2].as_str().into_owned())
            .filter(|v| !v.is_empty())
        {
            Some(v) => p4ha_hostfs::resolve(p4root, v),
            None => p4root.to_path_buf(),
        };
        let depots = db
            .rows("db.depot")?
            .into_iter()
            .map(|r| (r[0].as_str().into_owned(), r[3].as_str().into_owned()))
            .collect();
        Ok(Librarian::new(fs.clone(), depot_root, depots))
    }

    /// The librarian of a running server.
    pub fn for_server(srv: &crate::server::Server, db: &mut Db) -> Result<Librarian, LbrError> {
        let name = srv.config_name();
        Librarian::from_db(&srv.host().fs, srv.root(), db, name.as_deref())
    }

    /// The directory depot maps are relative to.
    pub fn depot_root(&self) -> &Path {
        &self.depot_root
    }

    /// The host file system archives live on.
    pub fn fs(&self) -> &HostFs {
        &self.fs
    }

    /// The archive path of `lbr_file` without its `,v`/`,d` suffix.
    pub fn archive_base(&self, lbr_file: &str) -> Result<PathBuf, LbrError> {
        let no_depot = || LbrError::NoDepot(lbr_file.to_string());
        let rest = lbr_file.strip_prefix("//").ok_or_else(no_depot)?;
        let (depot, path) = rest.split_once('/').ok_or_else(no_depot)?;
        let map = self.depots.get(depot).ok_or_else(no_depot)?;
        let prefix = map.strip_suffix("...").unwrap_or(map).trim_end_matches('/');
        let dir = if prefix.starts_with('/') {
            PathBuf::from(prefix)
        } else {
            self.depot_root.join(prefix)
        };
        Ok(p4ha_hostfs::normalize(&dir.join(path)))
    }

    /// The file holding revision `lbr_rev` of `lbr_file` stored as `storage`.
    pub fn archive_path(
        &self,
        lbr_file: &str,
        lbr_rev: &str,
        storage: Storage,
    ) -> Result<PathBuf, LbrError> {
        let base = self.archive_base(lbr_file)?;
        let mut name = base
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(match storage {
            Storage::Rcs => {
                name.push_str(",v");
                base.with_file_name(name)
            }
            Storage::Full | Storage::Tiny => {
                name.push_str(",d");
                base.with_file_name(name).join(lbr_rev)
            }
            Storage::Compressed => {
                name.push_str(",d");
                base.with_file_name(name).join(format!("{lbr_rev}.gz"))
            }
        })
    }

    fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LbrError + '_ {
        move |source| LbrError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    fn damaged(path: &Path, e: &RcsError) -> LbrError {
        LbrError::Damaged {
            path: path.to_path_buf(),
            reason: e.to_string(),
        }
    }

    /// Stores `content` as revision `lbr_rev` of `lbr_file`. RCS archives
    /// are rewritten with the revision in its place on the trunk; `date`
    /// (epoch seconds) is recorded in the RCS delta.
    pub fn store(
        &self,
        lbr_file: &str,
        lbr_rev: &str,
        lbr_type: FileType,
        content: &[u8],
        date: i64,
    ) -> Result<(), LbrError> {
        let storage = lbr_type.storage();
        let path = self.archive_path(lbr_file, lbr_rev, storage)?;
        if let Some(dir) = path.parent() {
            self.fs.create_dir_all(dir).map_err(Self::io(dir))?;
        }
        let bytes = match storage {
            Storage::Rcs => {
                let mut ar = match self.fs.read(&path) {
                    Ok(old) => RcsArchive::parse(&old).map_err(|e| Self::damaged(&path, &e))?,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => RcsArchive::default(),
                    Err(e) => return Err(Self::io(&path)(e)),
                };
                ar.put_revision(lbr_rev, content, &rcs_date(date))
                    .map_err(|e| Self::damaged(&path, &e))?;
                ar.generate()
            }
            Storage::Full | Storage::Tiny => content.to_vec(),
            Storage::Compressed => {
                let mut enc = GzEncoder::new(Vec::new(), Compression::default());
                enc.write_all(content)
                    .and_then(|_| enc.finish())
                    .map_err(Self::io(&path))?
            }
        };
        self.fs.write_atomic(&path, &bytes).map_err(Self::io(&path))
    }

    /// Reads revision `lbr_rev` of `lbr_file` back.
    pub fn retrieve(
        &self,
        lbr_file: &str,
        lbr_rev: &str,
        lbr_type: FileType,
    ) -> Result<Vec<u8>, LbrError> {
        let storage = lbr_type.storage();
        let path = self.archive_path(lbr_file, lbr_rev, storage)?;
        let missing = || LbrError::Missing {
            path: path.clone(),
            rev: lbr_rev.to_string(),
        };
        let bytes = match self.fs.read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(missing()),
            Err(e) => return Err(Self::io(&path)(e)),
        };
        match storage {
            Storage::Rcs => {
                let ar = RcsArchive::parse(&bytes).map_err(|e| Self::damaged(&path, &e))?;
                match ar.revision_text(lbr_rev) {
                    Ok(t) => Ok(t),
                    Err(RcsError::NoSuchRevision(_)) => Err(missing()),
                    Err(e) => Err(Self::damaged(&path, &e)),
                }
            }
            Storage::Full | Storage::Tiny => Ok(bytes),
            Storage::Compressed => {
                let mut out = Vec::new();
                GzDecoder::new(&bytes[..])
                    .read_to_end(&mut out)
                    .map_err(|e| LbrError::Damaged {
                        path: path.clone(),
                        reason: e.to_string(),
                    })?;
                Ok(out)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lbr(dir: &Path) -> Librarian {
        let fs = HostFs::sandbox(dir, std::sync::Arc::new(|| 0)).unwrap();
        Librarian::new(
            fs,
            "/p4root",
            BTreeMap::from([("depot".to_string(), "depot/...".to_string())]),
        )
    }

    #[test]
    fn archive_names_follow_the_depot_map() {
        let dir = tempfile::tempdir().unwrap();
        let l = lbr(dir.path());
        assert_eq!(
            l.archive_path("//depot/a/b.txt", "1.3", Storage::Rcs)
                .unwrap(),
            PathBuf::from("/p4root/depot/a/b.txt,v")
        );
        assert_eq!(
            l.archive_path("//depot/b.bin", "1.4", Storage::Full)
                .unwrap(),
            PathBuf::from("/p4root/depot/b.bin,d/1.4")
        );
        assert_eq!(
            l.archive_path("//depot/b.bin", "1.4", Storage::Compressed)
                .unwrap(),
            PathBuf::from("/p4root/depot/b.bin,d/1.4.gz")
        );
        assert!(matches!(
            l.archive_path("//nodepot/x", "1.1", Storage::Rcs),
            Err(LbrError::NoDepot(_))
        ));
    }

    #[test]
    fn every_storage_reads_back_what_was_stored() {
        let dir = tempfile::tempdir().unwrap();
        let l = lbr(dir.path());
        for t in [FileType::TEXT, FileType::BINARY, FileType::UBINARY] {
            l.store("//depot/f", "1.1", t, b"one\n", 0).unwrap();
            l.store("//depot/f", "1.2", t, b"one\ntwo\n", 0).unwrap();
            assert_eq!(l.retrieve("//depot/f", "1.1", t).unwrap(), b"one\n");
            assert_eq!(l.retrieve("//depot/f", "1.2", t).unwrap(), b"one\ntwo\n");
            assert!(l.retrieve("//depot/f", "1.9", t).unwrap_err().is_missing());
        }
        assert_eq!(digest(b"a"), "0CC175B9C0F1B6A831C399E269772661");
        assert_eq!(lbr_rev(13), "1.13");
    }
}
