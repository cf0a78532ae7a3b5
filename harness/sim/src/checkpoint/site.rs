//! The P4ROOT a checkpoint operation works on, with its server's settings.

use std::path::{Component, Path, PathBuf};

use p4ha_hostfs::HostFs;

use crate::clock::Zone;
use crate::db::{Db, DbError, Value};
use crate::host::Host;
use crate::journal_files::Naming;
use crate::journaling::{CaseFlag, JournalLog};
use crate::server::{JournalSetting, Server, ServerConfig, identity};
use crate::services::Services;
use crate::version::ServerVersion;

/// A P4ROOT and the settings of the server that owns it.
#[derive(Debug, Clone)]
pub struct Site {
    /// The host's file system.
    pub fs: HostFs,
    /// P4ROOT (host path).
    pub root: PathBuf,
    /// P4ROOT as the server names it (written in checkpoint headers).
    pub root_name: String,
    /// The live journal, `None` when journaling is off.
    pub journal: Option<JournalLog>,
    /// The release whose record versions and notes are written.
    pub version: ServerVersion,
    /// True for a case-insensitive (`-C1`) database.
    pub fold_case: bool,
    /// The time zone dates are printed in (the server's `TZ`).
    pub zone: Zone,
    /// The name configurables are scoped by (P4NAME, else the server ID).
    pub config_name: Option<String>,
}

impl Site {
    /// The site of a running server.
    pub fn of_server(srv: &Server) -> Site {
        Site {
            fs: srv.host().fs.clone(),
            root: srv.root().to_path_buf(),
            root_name: srv.config().root_name.clone(),
            journal: srv.journal(),
            version: srv.version(),
            fold_case: srv.fold_case(),
            zone: srv.zone(),
            config_name: srv.config_name(),
        }
    }

    /// The site `p4d` sees when run with configuration `cfg` (its flags
    /// and environment) on `host`, for a database of the given case
    /// handling. The journal is P4JOURNAL / `-J`, else the `P4JOURNAL`
    /// configurable, else `journal` in P4ROOT.
    pub fn offline(host: &Host, cfg: &ServerConfig, fold_case: bool) -> Site {
        let fs = host.fs.clone();
        let zone = match cfg.tz() {
            Some(tz) => Zone::from_tz(Some(tz)),
            None => host.zone(),
        };
        let config_name = cfg
            .name
            .clone()
            .or_else(|| identity::read_server_id(&fs, &cfg.root));
        let mut site = Site {
            fs,
            root: cfg.root.clone(),
            root_name: cfg.root_name.clone(),
            journal: None,
            version: cfg.version,
            fold_case,
            zone,
            config_name,
        };
        let name = match &cfg.journal {
            JournalSetting::Off => None,
            JournalSetting::Path(p) => Some(p.clone()),
            JournalSetting::Default => {
                let mut db = site.db();
                match site.configurable(&mut db, "P4JOURNAL").ok().flatten() {
                    Some(v) if v == "off" => None,
                    Some(v) => Some(v),
                    None => Some("journal".to_string()),
                }
            }
        };
        site.journal = name.map(|name| {
            JournalLog::new(
                site.fs.clone(),
                cfg.in_root(&name),
                site.root_name.clone(),
                name,
                site.version,
                CaseFlag::from_insensitive(fold_case),
            )
        });
        site
    }

    /// A new database session over the root.
    pub fn db(&self) -> Db {
        Db::open(
            self.fs.clone(),
            self.root.clone(),
            self.version,
            self.fold_case,
        )
    }

    /// The case handling as journal notes record it.
    pub fn case_flag(&self) -> CaseFlag {
        CaseFlag::from_insensitive(self.fold_case)
    }

    /// A configurable as this server sees it: `name#var` for its own name,
    /// else `any#var`.
    pub fn configurable(&self, db: &mut Db, var: &str) -> Result<Option<String>, DbError> {
        if let Some(me) = &self.config_name
            && let Some(row) = db.get("db.config", &[Value::text(me), Value::text(var)])?
        {
            return Ok(Some(row[2].as_str().into_owned()));
        }
        Ok(db
            .get("db.config", &[Value::text("any"), Value::text(var)])?
            .map(|r| r[2].as_str().into_owned()))
    }

    /// How checkpoints and rotated journals are named: the prefix given,
    /// else the `journalPrefix` configurable, else the default names.
    pub fn naming(&self, db: &mut Db, prefix: Option<&str>) -> Result<Naming, DbError> {
        let configured = match prefix {
            Some(p) => Some(p.to_string()),
            None => self
                .configurable(db, "journalPrefix")?
                .filter(|p| !p.is_empty()),
        };
        Ok(Naming::new(self.root.clone(), configured.as_deref()))
    }

    /// The `journal` counter: the number of the current journal.
    pub fn journal_number(&self, db: &mut Db) -> Result<i64, DbError> {
        Ok(db
            .get("db.counters", &[Value::text("journal")])?
            .map(|r| r[1].as_int())
            .unwrap_or(0))
    }

    /// True when the root belongs to a replica of some kind: its server
    /// spec names replica services, or P4TARGET is set for it.
    pub fn is_replica(&self, db: &mut Db) -> Result<bool, DbError> {
        if let Some(id) = identity::read_server_id(&self.fs, &self.root)
            && let Some(row) = db.get("db.server", &[Value::text(id)])?
            && Services::from_bits(row[5].as_int() as u32).is_replica()
        {
            return Ok(true);
        }
        if let Some(me) = &self.config_name
            && db
                .get("db.config", &[Value::text(me), Value::text("P4TARGET")])?
                .is_some()
        {
            return Ok(true);
        }
        Ok(false)
    }

    /// Journals the session's changes as one transaction of process `pid`
    /// and writes its tables back.
    pub fn commit(&self, db: &mut Db, pid: u32, now: i64) -> Result<(), super::CheckpointError> {
        let records = db.take_records();
        if !records.is_empty()
            && let Some(j) = &self.journal
        {
            j.append_transaction(&records, pid, now)
                .map_err(|e| super::CheckpointError::file("write", j.journal_name(), &e))?;
        }
        db.flush()?;
        Ok(())
    }
}

/// True when two host paths are on the same file system, so that one can
/// be renamed to the other.
///
/// On a real machine the device numbers decide. In a simulated machine
/// every top-level directory (`/master`, `/usr`, `/p4`) counts as a file
/// system of its own, the way hosts are commonly laid out (a separate disk
/// for the journal is the recovery chapter's advice).
pub fn same_file_system(fs: &HostFs, a: &Path, b: &Path) -> bool {
    if fs.is_native() {
        use std::os::unix::fs::MetadataExt;
        let dev = |p: &Path| {
            let real = fs.real_path(p);
            let dir = if real.is_dir() {
                real
            } else {
                real.parent().map(Path::to_path_buf).unwrap_or(real)
            };
            std::fs::metadata(dir).map(|m| m.dev()).ok()
        };
        return match (dev(a), dev(b)) {
            (Some(x), Some(y)) => x == y,
            _ => true,
        };
    }
    let top = |p: &Path| {
        p4ha_hostfs::normalize(p)
            .components()
            .find_map(|c| match c {
                Component::Normal(n) => Some(n.to_os_string()),
                _ => None,
            })
    };
    top(a) == top(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_level_directories_are_file_systems_in_a_sandbox() {
        let dir = tempfile::tempdir().unwrap();
        let fs = HostFs::sandbox(dir.path(), std::sync::Arc::new(|| 0)).unwrap();
        assert!(same_file_system(
            &fs,
            Path::new("/master/journal"),
            Path::new("/master/journal.3")
        ));
        assert!(!same_file_system(
            &fs,
            Path::new("/usr/local/perforce/journalfile"),
            Path::new("/master/journal.18")
        ));
        assert!(same_file_system(
            &fs,
            Path::new("/p4/1/logs/journal"),
            Path::new("/p4/1/checkpoints/p4_1.jnl.2")
        ));
    }
}
