//! Names of checkpoint and journal files (seed 001, reference 3.1).
//!
//! Without a prefix: `checkpoint.N` and `journal.N` in P4ROOT. With a
//! prefix (given to `p4d -jc prefix` / `p4 admin checkpoint prefix`, or the
//! `journalPrefix` configurable): `prefix.ckp.N` and `prefix.jnl.N`, the
//! prefix relative to P4ROOT unless absolute, possibly naming a directory.
//! `-z` adds `.gz`; the digest sits beside the checkpoint as `NAME.md5`.

use std::path::{Path, PathBuf};

use crate::server::Server;

/// How a server names its checkpoints and rotated journals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Naming {
    /// P4ROOT (host path).
    pub root: PathBuf,
    /// The prefix, as given (`None` for the default names).
    pub prefix: Option<String>,
}

impl Naming {
    /// Names for `root` with an optional prefix.
    pub fn new(root: impl Into<PathBuf>, prefix: Option<&str>) -> Self {
        Naming {
            root: root.into(),
            prefix: prefix.filter(|p| !p.is_empty()).map(str::to_string),
        }
    }

    /// The naming a server uses when no prefix is given on the command
    /// line: its `journalPrefix` configurable, else the defaults.
    pub fn for_server(server: &Server, prefix: Option<&str>) -> Self {
        let configured = server.configurable_or("journalPrefix", "");
        let prefix = prefix
            .map(str::to_string)
            .or_else(|| (!configured.is_empty()).then_some(configured));
        Naming::new(server.root(), prefix.as_deref())
    }

    /// The file name (as p4d prints it) of checkpoint `n`.
    pub fn checkpoint_name(&self, n: i64, gz: bool) -> String {
        let base = match &self.prefix {
            Some(p) => format!("{}.ckp.{n}", display_prefix(p)),
            None => format!("checkpoint.{n}"),
        };
        if gz { format!("{base}.gz") } else { base }
    }

    /// The file name (as p4d prints it) of rotated journal `n`.
    pub fn journal_name(&self, n: i64, gz: bool) -> String {
        let base = match &self.prefix {
            Some(p) => format!("{}.jnl.{n}", display_prefix(p)),
            None => format!("journal.{n}"),
        };
        if gz { format!("{base}.gz") } else { base }
    }

    /// Host path of a name printed by [`Self::checkpoint_name`] or
    /// [`Self::journal_name`] (relative names are in P4ROOT).
    pub fn path(&self, name: &str) -> PathBuf {
        p4ha_hostfs::resolve(&self.root, name)
    }

    /// Host path of rotated journal `n`, whichever of the plain and `.gz`
    /// forms exists (plain when neither does).
    pub fn rotated_journal(&self, fs: &p4ha_hostfs::HostFs, n: i64) -> PathBuf {
        let plain = self.path(&self.journal_name(n, false));
        if fs.exists(&plain) {
            return plain;
        }
        let gz = self.path(&self.journal_name(n, true));
        if fs.exists(&gz) { gz } else { plain }
    }
}

/// A directory prefix (`/p4/checkpoints/`) names files inside it with the
/// default base names.
fn display_prefix(p: &str) -> String {
    if p.ends_with('/') {
        format!("{p}p4")
    } else {
        p.to_string()
    }
}

/// The `.md5` file beside a checkpoint.
pub fn md5_path(checkpoint: &Path) -> PathBuf {
    let mut s = checkpoint.as_os_str().to_owned();
    s.push(".md5");
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_backup_chapter() {
        let n = Naming::new("/master", None);
        assert_eq!(n.checkpoint_name(19, false), "checkpoint.19");
        assert_eq!(n.journal_name(18, true), "journal.18.gz");
        let p = Naming::new("/master", Some("checkpoint"));
        assert_eq!(p.checkpoint_name(1, false), "checkpoint.ckp.1");
        assert_eq!(
            p.path(&p.checkpoint_name(1, false)),
            Path::new("/master/checkpoint.ckp.1")
        );
        let abs = Naming::new("/master", Some("/backup/p4_1"));
        assert_eq!(
            abs.path(&abs.journal_name(3, false)),
            Path::new("/backup/p4_1.jnl.3")
        );
        assert_eq!(
            md5_path(Path::new("/m/checkpoint.1")),
            Path::new("/m/checkpoint.1.md5")
        );
    }
}
