//! The database tables the simulator keeps, with their columns, keys and
//! record versions by release.
//!
//! Column lists follow Perforce's published schema (2024.1 listing); record
//! versions follow its per-release version table. Where a release bumped a
//! table version without changing its columns (2023.2 did so for most
//! tables), only the version number changes here.

use crate::version::ServerVersion;

/// How a column is written in journals and checkpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// `@`-quoted text.
    Text,
    /// Bare decimal integer (dates, numbers, bit masks).
    Int,
    /// Bare 32-character upper-case hexadecimal digest.
    Digest,
}

/// Sort direction of a key column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Ascending (the usual order).
    Asc,
    /// Descending: `db.rev` keeps a file's newest revision first.
    Desc,
}

/// One column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Column name as in the schema.
    pub name: &'static str,
    /// How it is encoded.
    pub kind: ColumnKind,
}

/// A table definition.
#[derive(Debug, Clone, Copy)]
pub struct TableDef {
    /// `db.counters`.
    pub name: &'static str,
    /// Columns in journal order; the first `key.len()` columns form the key.
    pub columns: &'static [Column],
    /// Sort direction of each key column.
    pub key: &'static [Order],
    /// Local tables (per server) are neither journaled nor checkpointed.
    pub local: bool,
    versions: &'static [(ServerVersion, u32)],
}

impl TableDef {
    /// The record version this table is written with at `version`.
    pub fn version_at(&self, version: ServerVersion) -> u32 {
        self.versions
            .iter()
            .rev()
            .find(|(since, _)| *since <= version)
            .or_else(|| self.versions.first())
            .map(|(_, v)| *v)
            .unwrap_or(0)
    }

    /// Number of key columns.
    pub fn key_len(&self) -> usize {
        self.key.len()
    }

    /// Index of a column by name.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }

    /// Columns present at `version` (tables that gained a column keep their
    /// old column count in older releases).
    pub fn column_count_at(&self, version: ServerVersion) -> usize {
        if self.name == "db.depot" && !version.at_least(2023, 2) {
            // db.depot v1 has no objAddr column.
            return 4;
        }
        self.columns.len()
    }
}

const fn t(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Text,
    }
}
const fn i(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Int,
    }
}
const fn d(name: &'static str) -> Column {
    Column {
        name,
        kind: ColumnKind::Digest,
    }
}
const fn sv(year: u16, minor: u8) -> ServerVersion {
    ServerVersion::new(year, minor)
}

const OLD: ServerVersion = ServerVersion::OLDEST;
const R232: ServerVersion = sv(2023, 2);

use Order::{Asc, Desc};

/// Every table, in the order p4d writes them into a checkpoint.
pub const TABLES: &[TableDef] = &[
    TableDef {
        name: "db.config",
        columns: &[t("serverName"), t("name"), t("value")],
        key: &[Asc, Asc],
        local: false,
        versions: &[(OLD, 1)],
    },
    TableDef {
        name: "db.counters",
        columns: &[t("name"), t("value")],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 1)],
    },
    TableDef {
        name: "db.server",
        columns: &[
            t("id"),
            i("type"),
            t("name"),
            t("address"),
            t("externalAddress"),
            i("services"),
            t("desc"),
            t("user"),
            i("options"),
            t("rplFrom"),
            t("failoverSeen"),
        ],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 3)],
    },
    TableDef {
        name: "db.svrview",
        columns: &[t("id"), i("type"), i("seq"), i("mapFlag"), t("viewFile")],
        key: &[Asc, Asc, Asc],
        local: false,
        versions: &[(OLD, 0)],
    },
    TableDef {
        name: "db.user",
        columns: USER_COLUMNS,
        key: &[Asc],
        local: false,
        versions: &[(OLD, 7), (R232, 8)],
    },
    TableDef {
        // Replica-local login state: a replica keeps its own tickets here.
        name: "db.user.rp",
        columns: USER_COLUMNS,
        key: &[Asc],
        local: true,
        versions: &[(OLD, 7), (R232, 8)],
    },
    TableDef {
        name: "db.group",
        columns: &[
            t("user"),
            t("group"),
            i("type"),
            i("maxResults"),
            i("maxScanRows"),
            i("maxLockTime"),
            i("maxOpenFiles"),
            i("timeout"),
            i("passwordTimeout"),
            i("maxMemory"),
        ],
        key: &[Asc, Asc],
        local: false,
        versions: &[(OLD, 9)],
    },
    TableDef {
        name: "db.depot",
        columns: &[t("name"), i("type"), t("extra"), t("map"), t("objAddr")],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 1), (R232, 2)],
    },
    TableDef {
        name: "db.domain",
        columns: &[
            t("name"),
            i("type"),
            t("extra"),
            t("mount"),
            t("mount2"),
            t("mount3"),
            t("owner"),
            i("updateDate"),
            i("accessDate"),
            i("options"),
            t("description"),
            t("stream"),
            t("serverId"),
            i("contents"),
        ],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 7), (R232, 8)],
    },
    TableDef {
        name: "db.view",
        columns: &[
            t("name"),
            i("seq"),
            i("mapFlag"),
            t("viewFile"),
            t("depotFile"),
        ],
        key: &[Asc, Asc],
        local: false,
        versions: &[(OLD, 1)],
    },
    TableDef {
        name: "db.have",
        columns: &[
            t("clientFile"),
            t("depotFile"),
            i("haveRev"),
            i("type"),
            i("time"),
        ],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 3), (R232, 4)],
    },
    TableDef {
        name: "db.rev",
        columns: &[
            t("depotFile"),
            i("depotRev"),
            i("type"),
            i("action"),
            i("change"),
            i("date"),
            i("modTime"),
            d("digest"),
            i("size"),
            i("traitLot"),
            i("lbrIsLazy"),
            t("lbrFile"),
            t("lbrRev"),
            i("lbrType"),
        ],
        key: &[Asc, Desc],
        local: false,
        versions: &[(OLD, 9), (R232, 10)],
    },
    TableDef {
        name: "db.revcx",
        columns: &[i("change"), t("depotFile"), i("depotRev"), i("action")],
        key: &[Asc, Asc],
        local: false,
        versions: &[(OLD, 1)],
    },
    TableDef {
        name: "db.working",
        columns: &[
            t("clientFile"),
            t("depotFile"),
            t("client"),
            t("user"),
            i("haveRev"),
            i("workRev"),
            i("isVirtual"),
            i("type"),
            i("action"),
            i("change"),
            i("modTime"),
            i("isLocked"),
            d("digest"),
            i("size"),
            i("traitLot"),
            i("tampered"),
            i("clientType"),
            t("movedFile"),
            i("status"),
        ],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 10), (R232, 11)],
    },
    TableDef {
        name: "db.change",
        columns: &[
            i("change"),
            i("descKey"),
            t("client"),
            t("user"),
            i("date"),
            i("status"),
            t("description"),
            t("root"),
            t("importer"),
            t("identity"),
            i("access"),
            i("update"),
            t("stream"),
        ],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 6), (R232, 7)],
    },
    TableDef {
        name: "db.desc",
        columns: &[i("descKey"), t("description")],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 0), (R232, 1)],
    },
    TableDef {
        name: "db.protect",
        columns: &[
            i("seq"),
            i("isGroup"),
            t("user"),
            t("host"),
            i("perm"),
            i("mapFlag"),
            t("depotFile"),
            t("subPath"),
            i("update"),
        ],
        key: &[Asc],
        local: false,
        versions: &[(OLD, 5), (R232, 6)],
    },
    TableDef {
        // Checkpoint and journal history: per server, never replicated.
        name: "db.ckphist",
        columns: &[
            i("start"),
            i("jnum"),
            i("who"),
            i("type"),
            i("end"),
            t("flags"),
            t("jfile"),
            i("jdate"),
            d("jdigest"),
            i("jsize"),
            i("jtype"),
            i("failed"),
            t("errmsg"),
        ],
        key: &[Asc, Asc, Asc, Asc],
        local: true,
        versions: &[(OLD, 0)],
    },
];

const USER_COLUMNS: &[Column] = &[
    t("user"),
    t("email"),
    t("jobView"),
    i("updateDate"),
    i("accessDate"),
    t("fullName"),
    t("password"),
    i("strength"),
    t("ticket"),
    i("endDate"),
    i("type"),
    i("passDate"),
    i("passExpire"),
    i("attempts"),
    i("auth"),
];

/// Looks a table up by name (`db.user`).
pub fn table(name: &str) -> Option<&'static TableDef> {
    TABLES.iter().find(|t| t.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_follow_the_release() {
        let user = table("db.user").unwrap();
        assert_eq!(user.version_at("2019.1".parse().unwrap()), 7);
        assert_eq!(user.version_at("2024.2".parse().unwrap()), 8);
        let depot = table("db.depot").unwrap();
        assert_eq!(depot.column_count_at("2019.1".parse().unwrap()), 4);
        assert_eq!(depot.column_count_at("2023.2".parse().unwrap()), 5);
    }

    #[test]
    fn keys_are_prefixes_of_the_columns() {
        for t in TABLES {
            assert!(t.key.len() <= t.columns.len(), "{}", t.name);
            assert!(!t.key.is_empty(), "{}", t.name);
        }
    }
}
