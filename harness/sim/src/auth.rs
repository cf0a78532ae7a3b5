//! Who may run what: users, passwords, tickets, groups and protections.
//!
//! Passwords are stored as p4d stores them at security levels below 3: the
//! upper-case MD5 of the password. Tickets are 32 upper-case hex digits;
//! `db.user` keeps the MD5 of the current ticket and its expiry, so a
//! replica (which receives `db.user` through the journal) honours the same
//! tickets after a failover. A replica's own logins go to its local
//! `db.user.rp`.
//!
//! The simulator runs at security level 0: a user without a password
//! needs no login, a user with one needs the password or a valid ticket.

use crate::db::{Db, DbError, Row, Value};

/// Permission levels of the protections table, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Perm {
    /// `list`.
    List,
    /// `read`.
    Read,
    /// `open`.
    Open,
    /// `write`.
    Write,
    /// `admin`.
    Admin,
    /// `super`.
    Super,
}

impl Perm {
    /// The level a protections-table mode grants, for command access
    /// (`=write` counts as write, `review` as read, `owner` as list).
    pub fn from_word(w: &str) -> Option<Perm> {
        Some(
            match ProtectMode::from_word(w, crate::version::ServerVersion::new(9999, 1))?.grant {
                Grant::Level(p) | Grant::Right(p) => p,
                Grant::Review => Perm::Read,
                Grant::Owner | Grant::StreamSpec => Perm::List,
            },
        )
    }

    /// The `db.protect.perm` bit of the level (list 0x1, read 0x2, open
    /// 0x8, write 0x10, super 0x40, admin 0x80).
    pub fn bit(self) -> i64 {
        match self {
            Perm::List => 0x01,
            Perm::Read => 0x02,
            Perm::Open => 0x08,
            Perm::Write => 0x10,
            Perm::Admin => 0x80,
            Perm::Super => 0x40,
        }
    }

    /// Every level, highest first.
    pub const DESCENDING: [Perm; 6] = [
        Perm::Super,
        Perm::Admin,
        Perm::Write,
        Perm::Open,
        Perm::Read,
        Perm::List,
    ];

    /// The highest level a `db.protect.perm` value carries.
    pub fn from_bits(bits: i64) -> Option<Perm> {
        Perm::DESCENDING.into_iter().find(|p| bits & p.bit() != 0)
    }

    /// The protections-table word of the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Perm::List => "list",
            Perm::Read => "read",
            Perm::Open => "open",
            Perm::Write => "write",
            Perm::Admin => "admin",
            Perm::Super => "super",
        }
    }
}

/// What a protections mode grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// A level: it and every level below it.
    Level(Perm),
    /// A right (`=read`, `=branch`, `=open`, `=write`): that right alone.
    Right(Perm),
    /// `review`: the review command, implies read.
    Review,
    /// `owner`: `p4 protect` for a path.
    Owner,
    /// Stream-spec levels and rights (2023.2 and later).
    StreamSpec,
}

/// One protections mode: its word, its `db.protect.perm` mask and what it
/// grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProtectMode {
    /// The word (`write`, `=write`).
    pub word: &'static str,
    /// The `db.protect.perm` value.
    pub mask: i64,
    /// What it grants.
    pub grant: Grant,
}

/// The `db.protect.perm` flag that marks a right (`=write`) rather than
/// the level with the same bit. The schema lists one bit per level and
/// right name; which value tells `=write` from `write` is not public, so
/// the simulator adds this flag to rights.
pub const RIGHT_FLAG: i64 = 0x200;

// Levels are stored as the schema's bit for the level (list 0x1, read 0x2,
// open 0x8, write 0x10, review 0x20, super 0x40, admin 0x80, owner 0x100);
// rights as the right's bit plus RIGHT_FLAG (branch is 0x4); stream-spec
// modes use the schema's 0x10000 range.
const MODES: &[ProtectMode] = &[
    ProtectMode {
        word: "list",
        mask: 0x01,
        grant: Grant::Level(Perm::List),
    },
    ProtectMode {
        word: "read",
        mask: 0x02,
        grant: Grant::Level(Perm::Read),
    },
    ProtectMode {
        word: "open",
        mask: 0x08,
        grant: Grant::Level(Perm::Open),
    },
    ProtectMode {
        word: "write",
        mask: 0x10,
        grant: Grant::Level(Perm::Write),
    },
    ProtectMode {
        word: "admin",
        mask: 0x80,
        grant: Grant::Level(Perm::Admin),
    },
    ProtectMode {
        word: "super",
        mask: 0x40,
        grant: Grant::Level(Perm::Super),
    },
    ProtectMode {
        word: "review",
        mask: 0x20,
        grant: Grant::Review,
    },
    ProtectMode {
        word: "owner",
        mask: 0x100,
        grant: Grant::Owner,
    },
    ProtectMode {
        word: "=read",
        mask: 0x02 | RIGHT_FLAG,
        grant: Grant::Right(Perm::Read),
    },
    ProtectMode {
        word: "=branch",
        mask: 0x04 | RIGHT_FLAG,
        grant: Grant::Right(Perm::Open),
    },
    ProtectMode {
        word: "=open",
        mask: 0x08 | RIGHT_FLAG,
        grant: Grant::Right(Perm::Open),
    },
    ProtectMode {
        word: "=write",
        mask: 0x10 | RIGHT_FLAG,
        grant: Grant::Right(Perm::Write),
    },
    ProtectMode {
        word: "readstreamspec",
        mask: 0x10000,
        grant: Grant::StreamSpec,
    },
    ProtectMode {
        word: "openstreamspec",
        mask: 0x20000,
        grant: Grant::StreamSpec,
    },
    ProtectMode {
        word: "writestreamspec",
        mask: 0x40000,
        grant: Grant::StreamSpec,
    },
    ProtectMode {
        word: "=readstreamspec",
        mask: 0x10000 | RIGHT_FLAG,
        grant: Grant::StreamSpec,
    },
    ProtectMode {
        word: "=openstreamspec",
        mask: 0x20000 | RIGHT_FLAG,
        grant: Grant::StreamSpec,
    },
    ProtectMode {
        word: "=writestreamspec",
        mask: 0x40000 | RIGHT_FLAG,
        grant: Grant::StreamSpec,
    },
];

impl ProtectMode {
    /// The mode a word names at release `version` (stream-spec modes exist
    /// from 2023.2).
    pub fn from_word(
        word: &str,
        version: crate::version::ServerVersion,
    ) -> Option<&'static ProtectMode> {
        MODES
            .iter()
            .filter(|m| m.grant != Grant::StreamSpec || version.at_least(2023, 2))
            .find(|m| m.word.eq_ignore_ascii_case(word))
    }

    /// The mode stored as `mask`; a value with several level bits reads as
    /// the highest level it carries.
    pub fn from_mask(mask: i64) -> Option<&'static ProtectMode> {
        MODES.iter().find(|m| m.mask == mask).or_else(|| {
            let level = Perm::from_bits(mask)?;
            MODES.iter().find(|m| m.grant == Grant::Level(level))
        })
    }
}

/// `db.user.type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserType {
    /// An ordinary user.
    Standard,
    /// A service user (replication).
    Service,
    /// An operator.
    Operator,
}

impl UserType {
    /// The spec word.
    pub fn as_str(self) -> &'static str {
        match self {
            UserType::Standard => "standard",
            UserType::Service => "service",
            UserType::Operator => "operator",
        }
    }

    /// From the spec word.
    pub fn from_word(w: &str) -> Option<UserType> {
        match w.to_ascii_lowercase().as_str() {
            "standard" => Some(UserType::Standard),
            "service" => Some(UserType::Service),
            "operator" => Some(UserType::Operator),
            _ => None,
        }
    }

    /// The `db.user.type` value.
    pub fn code(self) -> i64 {
        match self {
            UserType::Standard => 0,
            UserType::Service => 1,
            UserType::Operator => 2,
        }
    }

    /// From `db.user.type`.
    pub fn from_code(c: i64) -> UserType {
        match c {
            1 => UserType::Service,
            2 => UserType::Operator,
            _ => UserType::Standard,
        }
    }
}

/// Column indexes of `db.user` (and `db.user.rp`).
pub mod user_col {
    /// user
    pub const USER: usize = 0;
    /// email
    pub const EMAIL: usize = 1;
    /// jobView
    pub const JOBVIEW: usize = 2;
    /// updateDate
    pub const UPDATE: usize = 3;
    /// accessDate
    pub const ACCESS: usize = 4;
    /// fullName
    pub const FULLNAME: usize = 5;
    /// password
    pub const PASSWORD: usize = 6;
    /// strength
    pub const STRENGTH: usize = 7;
    /// ticket
    pub const TICKET: usize = 8;
    /// endDate
    pub const END: usize = 9;
    /// type
    pub const TYPE: usize = 10;
    /// passDate
    pub const PASSDATE: usize = 11;
    /// passExpire
    pub const PASSEXPIRE: usize = 12;
    /// attempts
    pub const ATTEMPTS: usize = 13;
    /// auth
    pub const AUTH: usize = 14;
}

/// Column indexes of `db.group`.
pub mod group_col {
    /// user (a member, subgroup or owner name)
    pub const USER: usize = 0;
    /// group
    pub const GROUP: usize = 1;
    /// type (0x1 user, 0x2 subgroup, 0x4 owner)
    pub const TYPE: usize = 2;
    /// maxResults
    pub const MAX_RESULTS: usize = 3;
    /// maxScanRows
    pub const MAX_SCAN_ROWS: usize = 4;
    /// maxLockTime
    pub const MAX_LOCK_TIME: usize = 5;
    /// maxOpenFiles
    pub const MAX_OPEN_FILES: usize = 6;
    /// timeout
    pub const TIMEOUT: usize = 7;
    /// passwordTimeout
    pub const PASSWORD_TIMEOUT: usize = 8;
    /// maxMemory
    pub const MAX_MEMORY: usize = 9;
}

/// `db.group.type` bit of a member user.
pub const GROUP_MEMBER: i64 = 0x1;
/// `db.group.type` bit of a subgroup.
pub const GROUP_SUBGROUP: i64 = 0x2;
/// `db.group.type` bit of an owner.
pub const GROUP_OWNER: i64 = 0x4;

/// A group limit stored as "unset" (`db.group` columns).
pub const LIMIT_UNSET: i64 = 0;
/// A group limit stored as "unlimited".
pub const LIMIT_UNLIMITED: i64 = -1;

/// Ticket lifetime when no group sets one: 12 hours, as p4d's default.
pub const DEFAULT_TICKET_TIMEOUT: i64 = 43_200;

/// The lifetime of a ticket whose group Timeout is `unlimited`, in
/// seconds (2^31 - 1: `p4 login -s` then reports 596523 hours).
pub const UNLIMITED_END: i64 = 2_147_483_647;

/// The `endDate` a logout with `-a` leaves: the ticket stays recorded so
/// that presenting it again reads "Your session was logged out".
pub const LOGGED_OUT_END: i64 = -1;

/// p4d's message for a command a service user may not run.
pub const NOT_AS_SERVICE: &str = "Command not allowed for a service user.";

/// Commands a service user may run: the inter-server ones and the
/// login commands. Everything else is refused with [`NOT_AS_SERVICE`].
pub const SERVICE_USER_COMMANDS: &[&str] = &[
    "dbschema",
    "export",
    "heartbeat",
    "info",
    "journalcopy",
    "login",
    "logout",
    "logparse",
    "logschema",
    "logtail",
    "passwd",
    "ping",
    "pull",
    "replicate",
];

/// Upper-case MD5 hex of `s` (password hashes, ticket hashes).
pub fn md5_hex(s: &str) -> String {
    use md5::{Digest as _, Md5};
    let d = Md5::digest(s.as_bytes());
    d.iter().map(|b| format!("{b:02X}")).collect()
}

/// The user's row.
pub fn user_row(db: &mut Db, user: &str) -> Result<Option<Row>, DbError> {
    db.get("db.user", &[Value::text(user)])
}

/// The user's type (standard when the user does not exist).
pub fn user_type(db: &mut Db, user: &str) -> Result<UserType, DbError> {
    Ok(user_row(db, user)?
        .map(|r| UserType::from_code(r[user_col::TYPE].as_int()))
        .unwrap_or(UserType::Standard))
}

/// True when `user` is a service user who may not run `command`.
pub fn refuses_service_user(db: &mut Db, user: &str, command: &str) -> Result<bool, DbError> {
    Ok(!SERVICE_USER_COMMANDS.contains(&command) && user_type(db, user)? == UserType::Service)
}

/// The row of a new user as p4d creates it: email `user@host`, full name
/// the user name, no password (strength 2, "unset").
pub fn new_user_row(user: &str, client_host: &str, now: i64) -> Row {
    let mut row: Row = vec![
        Value::text(user),
        Value::text(format!("{user}@{client_host}")),
        Value::text(""),
    ];
    row.extend([
        Value::Int(now),
        Value::Int(now),
        Value::text(user),
        Value::text(""),
        Value::Int(2),
    ]);
    row.extend([
        Value::text(""),
        Value::Int(0),
        Value::Int(0),
        Value::Int(0),
        Value::Int(0),
        Value::Int(0),
        Value::Int(0),
    ]);
    row
}

/// Why authentication failed; the text is p4d's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthFailure {
    /// No valid password or ticket.
    BadPassword,
    /// The ticket expired.
    Expired,
    /// The ticket was invalidated by a logout.
    LoggedOut,
}

impl AuthFailure {
    /// p4d's message.
    pub fn message(self) -> &'static str {
        match self {
            AuthFailure::BadPassword => "Perforce password (P4PASSWD) invalid or unset.",
            AuthFailure::Expired => "Your session has expired, please login again.",
            AuthFailure::LoggedOut => "Your session was logged out, please login again.",
        }
    }
}

/// How a user proved who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authenticated {
    /// The user has no password: nothing was needed.
    NoPassword,
    /// By the password (P4PASSWD or `-P`).
    Password,
    /// By a ticket expiring at this time (epoch seconds).
    Ticket {
        /// `endDate` of the ticket.
        end: i64,
    },
}

/// Checks that `user` presented a valid password or ticket, and says how.
/// Tickets are looked up in `db.user`, then in a replica's `db.user.rp`.
pub fn authenticate(
    db: &mut Db,
    user: &str,
    password: Option<&str>,
    ticket: Option<&str>,
    now: i64,
) -> Result<Authenticated, AuthFailure> {
    let Ok(Some(row)) = user_row(db, user) else {
        // Unknown users have no password to check.
        return Ok(Authenticated::NoPassword);
    };
    let stored = row[user_col::PASSWORD].as_str().into_owned();
    if stored.is_empty() {
        return Ok(Authenticated::NoPassword);
    }
    let local = db.get("db.user.rp", &[Value::text(user)]).ok().flatten();
    for r in std::iter::once(&row).chain(local.as_ref()) {
        let hash = r[user_col::TICKET].as_str().into_owned();
        let end = r[user_col::END].as_int();
        for candidate in [ticket, password].into_iter().flatten() {
            if hash.is_empty() || md5_hex(candidate) != hash {
                continue;
            }
            if end == LOGGED_OUT_END {
                return Err(AuthFailure::LoggedOut);
            }
            if end != 0 && end < now {
                return Err(AuthFailure::Expired);
            }
            return Ok(Authenticated::Ticket { end });
        }
    }
    if password.is_some_and(|p| md5_hex(p) == stored) {
        return Ok(Authenticated::Password);
    }
    Err(AuthFailure::BadPassword)
}

/// Checks that `user` presented a valid password or ticket. Users without a
/// password need nothing at security level 0 (the simulator's level).
pub fn check_credentials(
    db: &mut Db,
    user: &str,
    password: Option<&str>,
    ticket: Option<&str>,
    now: i64,
) -> Result<(), AuthFailure> {
    authenticate(db, user, password, ticket, now).map(|_| ())
}

/// One line of the protections table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protection {
    /// The mode (level or right).
    pub mode: &'static ProtectMode,
    /// True when `name` is a group.
    pub is_group: bool,
    /// User or group name (may be wildcarded).
    pub name: String,
    /// Host pattern (wildcards or CIDR).
    pub host: String,
    /// Depot path pattern, without the exclusion mark.
    pub path: String,
    /// True for an exclusion line (`-` before the path).
    pub exclude: bool,
}

/// Why a protections line was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProtectError {
    /// The second word is neither `user` nor `group`.
    #[error("Indicator must be 'user' or 'group', not '{0}'.")]
    Indicator(String),
    /// The mode is not a protections mode.
    #[error("Invalid protection mode '{0}'.")]
    Mode(String),
    /// Not five words.
    #[error("Wrong number of words for field 'Protections'.")]
    Words,
}

impl Protection {
    /// The level the line grants (or takes away, on an exclusion line).
    pub fn perm(&self) -> Perm {
        match self.mode.grant {
            Grant::Level(p) | Grant::Right(p) => p,
            Grant::Review => Perm::Read,
            Grant::Owner | Grant::StreamSpec => Perm::List,
        }
    }

    /// Parses one `Protections:` entry (`write user * * //...`).
    pub fn parse(
        line: &str,
        version: crate::version::ServerVersion,
    ) -> Result<Protection, ProtectError> {
        let w = crate::spec::words(line);
        let [mode, indicator, name, host, path] = w.as_slice() else {
            return Err(ProtectError::Words);
        };
        let mode = ProtectMode::from_word(mode, version)
            .ok_or_else(|| ProtectError::Mode(mode.clone()))?;
        let is_group = match indicator.to_ascii_lowercase().as_str() {
            "user" => false,
            "group" => true,
            _ => return Err(ProtectError::Indicator(indicator.clone())),
        };
        let (exclude, path) = match path.strip_prefix('-') {
            Some(p) => (true, p.to_string()),
            None => (false, path.clone()),
        };
        Ok(Protection {
            mode,
            is_group,
            name: name.clone(),
            host: host.clone(),
            path,
            exclude,
        })
    }

    /// The line as `p4 protect -o` prints it.
    pub fn line(&self) -> String {
        let quote = |s: &str| {
            if s.contains(' ') {
                format!("\"{s}\"")
            } else {
                s.to_string()
            }
        };
        format!(
            "{} {} {} {} {}{}",
            self.mode.word,
            if self.is_group { "group" } else { "user" },
            quote(&self.name),
            quote(&self.host),
            if self.exclude { "-" } else { "" },
            quote(&self.path)
        )
    }

    /// The `db.protect` row of the line at position `seq`.
    pub fn row(&self, seq: i64, now: i64) -> Row {
        vec![
            Value::Int(seq),
            Value::Int(i64::from(self.is_group)),
            Value::text(&self.name),
            Value::text(&self.host),
            Value::Int(self.mode.mask),
            Value::Int(i64::from(self.exclude)),
            Value::text(&self.path),
            Value::text(""),
            Value::Int(now),
        ]
    }

    /// Reads a `db.protect` row (`None` for a mask the simulator does not
    /// know).
    pub fn from_row(r: &Row) -> Option<Protection> {
        Some(Protection {
            mode: ProtectMode::from_mask(r[4].as_int())?,
            is_group: r[1].as_int() != 0,
            name: r[2].as_str().into_owned(),
            host: r[3].as_str().into_owned(),
            path: r[6].as_str().into_owned(),
            exclude: r[5].as_int() == 1,
        })
    }

    fn applies(&self, user: &str, groups: &[String], client_host: Option<&str>) -> bool {
        let who = if self.is_group {
            groups.iter().any(|g| wildcard(&self.name, g))
        } else {
            wildcard(&self.name, user)
        };
        who && client_host.is_none_or(|h| host_matches(&self.host, h))
    }
}

/// The protections table, in order.
pub fn protections(db: &mut Db) -> Result<Vec<Protection>, DbError> {
    Ok(db
        .rows("db.protect")?
        .iter()
        .filter_map(Protection::from_row)
        .collect())
}

/// The groups `user` belongs to, directly or through subgroups, sorted.
pub fn groups_of(db: &mut Db, user: &str) -> Result<Vec<String>, DbError> {
    let rows = db.rows("db.group")?;
    let mut groups: Vec<String> = rows
        .iter()
        .filter(|r| {
            r[group_col::USER].as_str() == user && r[group_col::TYPE].as_int() & GROUP_MEMBER != 0
        })
        .map(|r| r[group_col::GROUP].as_str().into_owned())
        .collect();
    // A subgroup's members are members of every group that includes it.
    loop {
        let more: Vec<String> = rows
            .iter()
            .filter(|r| r[group_col::TYPE].as_int() & GROUP_SUBGROUP != 0)
            .filter(|r| {
                groups
                    .iter()
                    .any(|g| g == r[group_col::USER].as_str().as_ref())
            })
            .map(|r| r[group_col::GROUP].as_str().into_owned())
            .filter(|g| !groups.contains(g))
            .collect();
        if more.is_empty() {
            break;
        }
        groups.extend(more);
    }
    groups.sort();
    groups.dedup();
    Ok(groups)
}

/// True when an exclusion path `excl` takes away everything `incl` covers.
fn covers(excl: &str, incl: &str) -> bool {
    if excl == incl {
        return true;
    }
    match excl.strip_suffix("...") {
        Some(prefix) => incl.starts_with(prefix) && !prefix.contains('*'),
        None => false,
    }
}

/// The highest level `user` has on at least one path of `table`, as seen
/// from `client_host` (`None`: any host), or `None` when no line grants
/// them anything.
///
/// Later lines override earlier ones: an exclusion line at a level takes
/// that level and every higher one away on its path; an exclusion of a
/// right takes that right away. An empty table grants everyone `super`.
pub fn max_perm_in(
    table: &[Protection],
    user: &str,
    groups: &[String],
    client_host: Option<&str>,
) -> Option<Perm> {
    if table.is_empty() {
        return Some(Perm::Super);
    }
    Perm::DESCENDING.into_iter().find(|&level| {
        table.iter().enumerate().any(|(i, line)| {
            let grants = !line.exclude
                && line.applies(user, groups, client_host)
                && match line.mode.grant {
                    Grant::Level(p) => p >= level,
                    Grant::Review => Perm::Read >= level,
                    Grant::Owner => level == Perm::List,
                    Grant::Right(_) | Grant::StreamSpec => false,
                };
            grants
                && !table[i + 1..].iter().any(|later| {
                    later.exclude
                        && later.applies(user, groups, client_host)
                        && covers(&later.path, &line.path)
                        && match later.mode.grant {
                            Grant::Level(p) => p <= level,
                            Grant::Review => Perm::Read <= level,
                            Grant::Owner => level == Perm::List,
                            Grant::Right(p) => p == level,
                            Grant::StreamSpec => false,
                        }
                })
        })
    })
}

/// The highest level `user` has anywhere, from any host; see
/// [`max_perm_in`].
pub fn max_perm(db: &mut Db, user: &str) -> Result<Option<Perm>, DbError> {
    let table = protections(db)?;
    let groups = groups_of(db, user)?;
    Ok(max_perm_in(&table, user, &groups, None))
}

/// The highest level `user` has anywhere when connecting from
/// `client_host` (an IP address); see [`max_perm_in`].
pub fn max_perm_from(db: &mut Db, user: &str, client_host: &str) -> Result<Option<Perm>, DbError> {
    let table = protections(db)?;
    let groups = groups_of(db, user)?;
    Ok(max_perm_in(&table, user, &groups, Some(client_host)))
}

/// Perforce-style wildcard match of a name (`*` matches anything).
pub fn wildcard(pattern: &str, name: &str) -> bool {
    fn go(p: &[u8], n: &[u8]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some(b'*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    go(pattern.as_bytes(), name.as_bytes())
}

/// True when a protections host pattern matches a client address:
/// wildcards, or CIDR notation for IPv4 (`192.168.56.0/24`).
pub fn host_matches(pattern: &str, address: &str) -> bool {
    if let Some((net, bits)) = pattern.split_once('/') {
        let (Ok(net), Ok(addr), Ok(bits)) = (
            net.parse::<std::net::Ipv4Addr>(),
            address.parse::<std::net::Ipv4Addr>(),
            bits.parse::<u32>(),
        ) else {
            return false;
        };
        if bits > 32 {
            return false;
        }
        let mask = if bits == 0 {
            0
        } else {
            u32::MAX << (32 - bits)
        };
        return u32::from(net) & mask == u32::from(addr) & mask;
    }
    wildcard(pattern, address)
}

/// Ticket timeout for `user` from their groups: the longest Timeout of the
/// groups that set one (`unlimited` wins); `None` = unlimited; 12 hours
/// when no group sets one.
pub fn ticket_timeout(db: &mut Db, user: &str) -> Result<Option<i64>, DbError> {
    let groups = groups_of(db, user)?;
    let mut best: Option<Option<i64>> = None;
    for g in &groups {
        let Some(row) = db
            .rows("db.group")?
            .into_iter()
            .find(|r| r[group_col::GROUP].as_str() == g.as_str())
        else {
            continue;
        };
        let this = match row[group_col::TIMEOUT].as_int() {
            LIMIT_UNSET => continue,
            LIMIT_UNLIMITED => None,
            t => Some(t),
        };
        best = Some(match (best, this) {
            (None, x) => x,
            (Some(None), _) | (_, None) => None,
            (Some(Some(a)), Some(b)) => Some(a.max(b)),
        });
    }
    Ok(best.unwrap_or(Some(DEFAULT_TICKET_TIMEOUT)))
}

/// The `endDate` of a ticket issued at `now` with `timeout` (`None` =
/// unlimited).
pub fn ticket_end(now: i64, timeout: Option<i64>) -> i64 {
    now + timeout.unwrap_or(UNLIMITED_END)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::version::ServerVersion;

    fn table(lines: &[&str]) -> Vec<Protection> {
        lines
            .iter()
            .map(|l| Protection::parse(l, ServerVersion::new(2019, 1)).unwrap())
            .collect()
    }

    #[test]
    fn wildcards_and_levels() {
        assert!(wildcard("*", "super"));
        assert!(wildcard("svc_*", "svc_standby"));
        assert!(!wildcard("svc_*", "super"));
        assert!(Perm::Super > Perm::Admin && Perm::Admin > Perm::Write);
        assert_eq!(Perm::from_bits(Perm::Write.bit()), Some(Perm::Write));
        assert_eq!(Perm::from_bits(Perm::Super.bit()), Some(Perm::Super));
        assert_eq!(md5_hex(""), "D41D8CD98F00B204E9800998ECF8427E");
        assert!(host_matches("192.168.56.0/24", "192.168.56.115"));
        assert!(!host_matches("192.168.56.0/24", "192.168.57.1"));
        assert!(host_matches("192.168.*", "192.168.56.1"));
    }

    #[test]
    fn later_lines_and_exclusions_decide() {
        let t = table(&[
            "write user * * //...",
            "list user * * -//spec/...",
            "super user super * //...",
            "super user service * //...",
        ]);
        assert_eq!(max_perm_in(&t, "bob", &[], None), Some(Perm::Write));
        assert_eq!(max_perm_in(&t, "service", &[], None), Some(Perm::Super));
        let t = table(&["write user * * //...", "write user bob * -//..."]);
        assert_eq!(max_perm_in(&t, "bob", &[], None), Some(Perm::Open));
        let t = table(&["write user * * //...", "=write user bob * -//..."]);
        assert_eq!(max_perm_in(&t, "bob", &[], None), Some(Perm::Open));
        let t = table(&[
            "list user * * -//...",
            "super group admins 10.0.0.0/8 //...",
        ]);
        assert_eq!(
            max_perm_in(&t, "ann", &["admins".to_string()], Some("10.1.2.3")),
            Some(Perm::Super)
        );
        assert_eq!(
            max_perm_in(&t, "ann", &["admins".to_string()], Some("192.168.1.1")),
            None
        );
        assert_eq!(max_perm_in(&t, "ann", &[], None), None);
        assert_eq!(t[0].line(), "list user * * -//...");
        assert!(Protection::parse("write usr * * //...", ServerVersion::new(2019, 1)).is_err());
    }
}
