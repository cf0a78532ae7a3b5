//! The spec definitions p4d uses for each form, by release: field order,
//! types, required and read-only fields, value lists.
//!
//! Field lists follow the spec definition strings p4d sends with every
//! `-o` (the copies embedded in Perforce's P4Python and P4Perl). Where
//! releases differ (group `Description` and `MaxMemory`, client
//! `altsync`, change `Stream`), 2023.2 and later take the newer list.

use super::FieldType::{Date, LineList, Select, Text, Word, WordList};
use super::{FieldDef, FieldType, SpecDef, comments};
use crate::version::ServerVersion;

/// The forms the simulator prints and reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecKind {
    /// `p4 server`.
    Server,
    /// `p4 user`.
    User,
    /// `p4 group`.
    Group,
    /// `p4 protect`.
    Protect,
    /// `p4 client`.
    Client,
    /// `p4 depot`.
    Depot,
    /// `p4 change`.
    Change,
}

const fn f(name: &'static str, ty: FieldType) -> FieldDef {
    FieldDef::new(name, ty)
}
const LINE: FieldType = FieldType::Line;

const SERVER: &[FieldDef] = &[
    f("ServerID", Word).required().read_only(),
    f("Type", Word).required(),
    f("Name", LINE),
    f("Address", LINE),
    f("ExternalAddress", LINE),
    f("Services", Word).required(),
    f("Options", LINE).values("nomandatory/mandatory"),
    f("ReplicatingFrom", LINE),
    f("Description", Text),
    f("User", LINE),
    f("AllowedAddresses", WordList),
    f("UpdateCachedRepos", WordList),
    f("ClientDataFilter", WordList),
    f("RevisionDataFilter", WordList),
    f("ArchiveDataFilter", WordList),
    f("DistributedConfig", Text),
];

const USER: &[FieldDef] = &[
    f("User", Word).required().read_only(),
    f("Type", Word).read_only(),
    f("Email", Word).required(),
    f("Update", Date).read_only(),
    f("Access", Date).read_only(),
    f("FullName", LINE).required(),
    f("JobView", LINE),
    f("Password", Word),
    f("AuthMethod", Word).values("perforce/perforce+2fa/ldap/ldap+2fa"),
    f("Reviews", WordList),
];

const GROUP_2019_1: &[FieldDef] = &[
    f("Group", Word).required().read_only(),
    f("MaxResults", Word),
    f("MaxScanRows", Word),
    f("MaxLockTime", Word),
    f("MaxOpenFiles", Word),
    f("Timeout", Word),
    f("PasswordTimeout", Word),
    f("LdapConfig", LINE),
    f("LdapSearchQuery", LINE),
    f("LdapUserAttribute", LINE),
    f("LdapUserDNAttribute", LINE),
    f("Subgroups", WordList).always(),
    f("Owners", WordList).always(),
    f("Users", WordList).always(),
];

const GROUP_2023_2: &[FieldDef] = &[
    f("Group", Word).required().read_only(),
    f("Description", Text),
    f("MaxResults", Word),
    f("MaxScanRows", Word),
    f("MaxLockTime", Word),
    f("MaxOpenFiles", Word),
    f("MaxMemory", Word),
    f("Timeout", Word),
    f("PasswordTimeout", Word),
    f("LdapConfig", LINE),
    f("LdapSearchQuery", LINE),
    f("LdapUserAttribute", LINE),
    f("LdapUserDNAttribute", LINE),
    f("Subgroups", WordList).always(),
    f("Owners", WordList).always(),
    f("Users", WordList).always(),
];

const PROTECT: &[FieldDef] = &[
    f("SubPath", Word).read_only(),
    f("Update", Date).read_only(),
    f("Protections", WordList)
        .words(5)
        .always()
        .comment_format(),
];

const CLIENT_2019_1: &[FieldDef] = &[
    f("Client", Word).required().read_only(),
    f("Update", Date).read_only(),
    f("Access", Date).read_only(),
    f("Owner", Word),
    f("Host", Word),
    f("Description", Text),
    f("Root", LINE).required(),
    f("AltRoots", LineList),
    f("Options", LINE).values("noallwrite/allwrite,noclobber/clobber,nocompress/compress,unlocked/locked,nomodtime/modtime,normdir/rmdir"),
    f("SubmitOptions", Select).values(SUBMIT_OPTIONS),
    f("LineEnd", Select).values("local/unix/mac/win/share"),
    f("Stream", LINE),
    f("StreamAtChange", LINE),
    f("ServerID", LINE).read_only(),
    f("Type", Select).values("writeable/readonly/graph/partitioned"),
    f("Backup", Select).values("enable/disable"),
    f("View", WordList).words(2).comment_format(),
    f("ChangeView", LineList),
];

const CLIENT_2023_2: &[FieldDef] = &[
    f("Client", Word).required().read_only(),
    f("Update", Date).read_only(),
    f("Access", Date).read_only(),
    f("Owner", Word),
    f("Host", Word),
    f("Description", Text),
    f("Root", LINE).required(),
    f("AltRoots", LineList),
    f("Options", LINE).values(
        "noallwrite/allwrite,noclobber/clobber,nocompress/compress,unlocked/locked,nomodtime/modtime,normdir/rmdir,noaltsync/altsync",
    ),
    f("SubmitOptions", Select).values(SUBMIT_OPTIONS),
    f("LineEnd", Select).values("local/unix/mac/win/share"),
    f("Stream", LINE),
    f("StreamAtChange", LINE),
    f("ServerID", LINE).read_only(),
    f("Type", Select).values("writeable/readonly/graph/partitioned/partitioned-jnl"),
    f("Backup", Select).values("enable/disable"),
    f("View", WordList).words(2).comment_format(),
    f("ChangeView", LineList),
];

const SUBMIT_OPTIONS: &str = "submitunchanged/submitunchanged+reopen/revertunchanged/revertunchanged+reopen/leaveunchanged/leaveunchanged+reopen";

const DEPOT: &[FieldDef] = &[
    f("Depot", Word).required().read_only(),
    f("Owner", Word),
    f("Date", Date).read_only(),
    f("Description", Text),
    f("Type", Word).required(),
    f("Address", Word),
    f("Suffix", Word),
    f("StreamDepth", Word),
    f("Map", Word).required(),
    f("SpecMap", WordList),
];

const CHANGE_2019_1: &[FieldDef] = &[
    f("Change", Word).required().read_only(),
    f("Date", Date).read_only(),
    f("Client", Word).read_only(),
    f("User", Word).read_only(),
    f("Status", Word).read_only(),
    f("Type", Select).values("public/restricted"),
    f("ImportedBy", LINE).read_only(),
    f("Identity", LINE),
    f("Description", Text).required(),
    f("JobStatus", Select),
    f("Jobs", WordList),
    f("Files", LineList),
];

const CHANGE_2023_2: &[FieldDef] = &[
    f("Change", Word).required().read_only(),
    f("Date", Date).read_only(),
    f("Client", Word).read_only(),
    f("User", Word).read_only(),
    f("Status", Word).read_only(),
    f("Type", Select).values("public/restricted"),
    f("ImportedBy", LINE).read_only(),
    f("Identity", LINE),
    f("Description", Text).required(),
    f("JobStatus", Select),
    f("Jobs", WordList),
    f("Stream", LINE),
    f("Files", LineList),
];

/// The definition of `kind` as a server of `version` uses it.
pub fn definition(kind: SpecKind, version: ServerVersion) -> SpecDef {
    let new = version.at_least(2023, 2);
    let pick = |old, newer| if new { newer } else { old };
    match kind {
        SpecKind::Server => SpecDef {
            domain: "server",
            comment: pick(comments::SERVER_2019_1, comments::SERVER_2023_2),
            fields: SERVER,
        },
        SpecKind::User => SpecDef {
            domain: "user",
            comment: comments::USER,
            fields: USER,
        },
        SpecKind::Group => SpecDef {
            domain: "group",
            comment: pick(comments::GROUP_2019_1, comments::GROUP_2023_2),
            fields: if new { GROUP_2023_2 } else { GROUP_2019_1 },
        },
        // The spec type word of the protections table is inferred.
        SpecKind::Protect => SpecDef {
            domain: "protections",
            comment: pick(comments::PROTECT_2019_1, comments::PROTECT_2023_2),
            fields: PROTECT,
        },
        SpecKind::Client => SpecDef {
            domain: "client",
            comment: pick(comments::CLIENT_2019_1, comments::CLIENT_2023_2),
            fields: if new { CLIENT_2023_2 } else { CLIENT_2019_1 },
        },
        SpecKind::Depot => SpecDef {
            domain: "depot",
            comment: comments::DEPOT,
            fields: DEPOT,
        },
        SpecKind::Change => SpecDef {
            domain: "change",
            comment: pick(comments::CHANGE_2019_1, comments::CHANGE_2023_2),
            fields: if new { CHANGE_2023_2 } else { CHANGE_2019_1 },
        },
    }
}
