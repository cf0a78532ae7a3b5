//! Server specs and identity: `server`, `servers`, `serverid`.
//!
//! A server spec is a `db.server` row (Services and Options as bit masks)
//! plus its list fields in `db.svrview`. Its `DistributedConfig` field is
//! not stored with the spec: it shows the `db.config` entries that apply to
//! the server (`any#name=value` for global ones, `name=value` for the
//! server's own), and saving the form sets the entries it lists and unsets
//! those removed from it (seed 000, section 1).

use super::forms;
use super::{Access, CmdError, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::{self, Perm};
use crate::db::{Db, Row, Value};
use crate::spec::{self, Form, SpecKind};
use crate::version::ServerVersion;

/// Column indexes of `db.server`; `Server::services()` reads column 5 and
/// the failover mark is column 10.
mod col {
    pub const ID: usize = 0;
    pub const TYPE: usize = 1;
    pub const NAME: usize = 2;
    pub const ADDRESS: usize = 3;
    pub const EXTERNAL: usize = 4;
    pub const SERVICES: usize = 5;
    pub const DESC: usize = 6;
    pub const USER: usize = 7;
    pub const OPTIONS: usize = 8;
    pub const RPL_FROM: usize = 9;
}

fn usage(v: ServerVersion) -> &'static str {
    if v.at_least(2023, 1) {
        "server [ -i | -o | -d | -g ] [ -c edge-server|commit-server ] [ serverID ]"
    } else {
        "server [ -i | -o [ -l ] | -d | -g ] [ -c edge-server|commit-server ] [ serverID ]"
    }
}

fn usage_o(v: ServerVersion) -> &'static str {
    if v.at_least(2023, 1) {
        "server -o [ -c edge-server|commit-server ] serverID"
    } else {
        "server -o [ -l | -c edge-server|commit-server ] serverID"
    }
}

const USAGE_D: &str = "server -d serverID";
const USAGE_I: &str = "server -i [ -c edge-server|commit-server ]";
const USAGE_SERVERS: &str = "servers [ -J | --replication-status ]";
const USAGE_SERVERID: &str = "serverid [ serverID ]";

/// `db.server.type` by spec word.
const TYPES: &[(&str, i64)] = &[("server", 0), ("proxy", 1), ("broker", 2), ("connector", 5)];

/// A Services word: its `db.server.services` mask and the server type it
/// belongs to (reference 2.2).
struct ServiceKind {
    word: &'static str,
    bits: i64,
    server_type: &'static str,
    since: (u16, u8),
}

const fn sk(word: &'static str, bits: i64, server_type: &'static str) -> ServiceKind {
    ServiceKind {
        word,
        bits,
        server_type,
        since: (2019, 1),
    }
}

const SERVICES: &[ServiceKind] = &[
    sk("standard", 0x0903, "server"),
    sk("replica", 0x0945, "server"),
    sk("commit-server", 0x2F03, "server"),
    sk("edge-server", 0x19ED, "server"),
    sk("forwarding-replica", 0x09E5, "server"),
    sk("build-server", 0x094D, "server"),
    sk("P4AUTH", 0x0203, "server"),
    sk("P4CHANGE", 0x0403, "server"),
    sk("standby", 0x8945, "server"),
    sk("forwarding-standby", 0x89E5, "server"),
    sk("local", 0x10003, "server"),
    // The distribution bit (0x200000) with db-read; the full mask is not
    // documented.
    ServiceKind {
        word: "distribution-server",
        bits: 0x20_0001,
        server_type: "server",
        since: (2023, 2),
    },
    sk("broker", 0x0030, "broker"),
    sk("proxy", 0x00A0, "proxy"),
    sk("git-connector", 0x10_0000, "connector"),
];

fn service_by_word(word: &str, v: ServerVersion) -> Option<&'static ServiceKind> {
    SERVICES
        .iter()
        .filter(|s| v.at_least(s.since.0, s.since.1))
        .find(|s| s.word.eq_ignore_ascii_case(word))
}

fn service_word(bits: i64) -> &'static str {
    SERVICES
        .iter()
        .find(|s| s.bits == bits)
        .map_or("standard", |s| s.word)
}

fn is_standby(bits: i64) -> bool {
    bits & 0x8000 != 0
}

fn is_replica(bits: i64) -> bool {
    bits & 0x4 != 0
}

/// `db.svrview.type` of each list field.
const VIEWS: &[(&str, i64)] = &[
    ("ClientDataFilter", 0),
    ("RevisionDataFilter", 1),
    ("ArchiveDataFilter", 2),
    ("AllowedAddresses", 3),
    ("UpdateCachedRepos", 4),
];

/// The `DistributedConfig` lines of server `id`: the `db.config` entries
/// that apply to it, in `db.config` key order.
fn distributed_config(db: &mut Db, id: &str) -> Result<Vec<(String, String, String)>, CmdError> {
    Ok(db
        .rows("db.config")?
        .into_iter()
        .filter(|r| r[0].as_str() == "any" || r[0].as_str() == id)
        .map(|r| {
            (
                r[0].as_str().into_owned(),
                r[1].as_str().into_owned(),
                r[2].as_str().into_owned(),
            )
        })
        .collect())
}

fn config_line(scope: &str, var: &str, value: &str) -> String {
    if scope == "any" {
        format!("any#{var}={value}")
    } else {
        format!("{var}={value}")
    }
}

/// Recommended settings `p4 server -c` fills DistributedConfig with
/// (Perforce's commit/edge set-up guide).
fn recommended(kind: &str) -> &'static [(&'static str, &'static str)] {
    match kind {
        "edge-server" => &[
            ("db.replication", "readonly"),
            ("lbr.replication", "readonly"),
            ("lbr.autocompress", "1"),
            ("rpl.compress", "4"),
            ("startup.1", "pull -i 1"),
            ("startup.2", "pull -u -i 1"),
            ("startup.3", "pull -u -i 1"),
            ("P4TARGET", "<unset>"),
            ("serviceUser", "<unset>"),
            ("monitor", "1 # optional"),
            ("journalPrefix", "<unset> # optional"),
            ("P4TICKETS", "<unset> # optional"),
            ("P4LOG", "<unset> # optional"),
        ],
        // The commit-server set is the guide's commit-server example with
        // its values as recommendations (inferred).
        _ => &[
            ("serviceUser", "<unset>"),
            ("monitor", "1 # optional"),
            ("lbr.autocompress", "1"),
            ("journalPrefix", "<unset> # optional"),
            ("P4TICKETS", "<unset> # optional"),
            ("P4LOG", "<unset> # optional"),
        ],
    }
}

/// The spec of server `id` as a form; `None` when it has none.
fn load(db: &mut Db, id: &str) -> Result<Option<Form>, CmdError> {
    let Some(row) = db.get("db.server", &[Value::text(id)])? else {
        return Ok(None);
    };
    let mut form = Form::new();
    form.set("ServerID", row[col::ID].as_str());
    let ty = row[col::TYPE].as_int();
    form.set(
        "Type",
        TYPES
            .iter()
            .find(|(_, c)| *c == ty)
            .map_or("server", |(w, _)| w),
    );
    form.set("Name", row[col::NAME].as_str());
    form.set("Address", row[col::ADDRESS].as_str());
    form.set("ExternalAddress", row[col::EXTERNAL].as_str());
    form.set("Services", service_word(row[col::SERVICES].as_int()));
    form.set(
        "Options",
        if row[col::OPTIONS].as_int() & 0x1 != 0 {
            "mandatory"
        } else {
            "nomandatory"
        },
    );
    form.set("ReplicatingFrom", row[col::RPL_FROM].as_str());
    form.set_text("Description", row[col::DESC].as_str());
    form.set("User", row[col::USER].as_str());
    let views: Vec<Row> = db
        .rows("db.svrview")?
        .into_iter()
        .filter(|r| r[0].as_str() == id)
        .collect();
    for (field, ty) in VIEWS {
        let entries: Vec<String> = views
            .iter()
            .filter(|r| r[1].as_int() == *ty)
            .map(|r| {
                let prefix = match r[3].as_int() {
                    1 => "-",
                    2 => "+",
                    _ => "",
                };
                format!("{prefix}{}", r[4])
            })
            .collect();
        if !entries.is_empty() {
            form.set_list(field, entries);
        }
    }
    Ok(Some(form))
}

/// The form `p4 server -o id` prints: the stored spec, or a new one.
fn form_for(
    cx: &Cx<'_>,
    db: &mut Db,
    id: &str,
    configure_as: Option<&str>,
) -> Result<Form, CmdError> {
    let mut form = match load(db, id)? {
        Some(f) => f,
        None => {
            let mut f = Form::new();
            f.set("ServerID", id);
            f.set("Type", "server");
            f.set("Services", configure_as.unwrap_or("standard"));
            f.set("Options", "nomandatory");
            f.set_text("Description", format!("Created by {}.", cx.user));
            f
        }
    };
    let config = distributed_config(db, id)?;
    let text: String = match configure_as {
        None => config
            .iter()
            .map(|(s, v, val)| config_line(s, v, val) + "\n")
            .collect(),
        Some(kind) => recommended(kind)
            .iter()
            .map(|(var, default)| {
                let current = config
                    .iter()
                    .find(|(s, v, _)| s == id && v == var)
                    .map(|(_, _, val)| val.as_str());
                format!("{var}={}\n", current.unwrap_or(default))
            })
            .collect(),
    };
    form.set_text("DistributedConfig", text);
    Ok(form)
}

fn print_form(cx: &mut Cx<'_>, form: &Form) {
    let def = spec::definition(SpecKind::Server, cx.srv.version());
    if cx.is_tagged() {
        cx.tagged(spec::tagged(&def, form));
    } else {
        cx.info(spec::format(&def, form));
    }
}

/// `p4 server ...`.
async fn server(cx: &mut Cx<'_>) -> CmdResult {
    let v = cx.srv.version();
    let usage = usage(v);
    let plain = if v.at_least(2023, 1) {
        "iodgf"
    } else {
        "iodgfl"
    };
    let opts = forms::parse_opts(&cx.args, "c", plain, &[], usage)?;
    let configure_as = opts.value('c').map(str::to_string);
    if let Some(kind) = &configure_as
        && kind != "edge-server"
        && kind != "commit-server"
    {
        return Err(CmdError::usage(usage));
    }
    let modes = [opts.has('i'), opts.has('o'), opts.has('d'), opts.has('g')]
        .iter()
        .filter(|m| **m)
        .count();
    if modes > 1 {
        return Err(CmdError::usage(usage));
    }
    if opts.has('o') {
        let [id] = opts.args.as_slice() else {
            return Err(CmdError::usage(usage_o(v)));
        };
        let mut db = cx.db();
        let form = form_for(cx, &mut db, id, configure_as.as_deref())?;
        if let (Some(kind), Some(existing)) = (&configure_as, load(&mut db, id)?) {
            let services = existing.get("Services").unwrap_or("standard").to_string();
            if services != *kind {
                return Err(CmdError::failed(format!(
                    "Configuration for '{kind}' cannot be set on server that uses '{services}' Services."
                )));
            }
        }
        print_form(cx, &form);
        return Ok(());
    }
    if opts.has('g') {
        if !opts.args.is_empty() {
            return Err(CmdError::usage(usage));
        }
        // A new spec for a generated server ID (UUID layout, from the
        // host's random numbers).
        let h = cx.srv.host().random_hex(32);
        let id = format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        );
        let mut db = cx.db();
        let form = form_for(cx, &mut db, &id, configure_as.as_deref())?;
        print_form(cx, &form);
        return Ok(());
    }
    if opts.has('d') {
        let [id] = opts.args.as_slice() else {
            return Err(CmdError::usage(USAGE_D));
        };
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        let mut db = cx.db();
        if !db.delete("db.server", &[Value::text(id)])? {
            return Err(CmdError::failed(format!("Server '{id}' doesn't exist.")));
        }
        for r in db
            .rows("db.svrview")?
            .into_iter()
            .filter(|r| r[0].as_str() == id.as_str())
        {
            db.delete("db.svrview", &r[..3])?;
        }
        cx.commit(&mut db)?;
        cx.info(format!("Server {id} deleted."));
        return Ok(());
    }
    if opts.has('i') {
        if !opts.args.is_empty() {
            return Err(CmdError::usage(USAGE_I));
        }
        if let Some(r) = forms::write_on_replica(cx).await {
            return r;
        }
        return save(cx, &forms::form_input(cx));
    }
    match opts.args.as_slice() {
        [id] => Err(forms::no_editor("server", Some(id))),
        _ => Err(CmdError::usage(usage)),
    }
}

/// One DistributedConfig line, parsed: `(scope, variable, value)`; `None`
/// for a line left `<unset>`.
fn parse_config_line(line: &str, id: &str) -> Result<Option<(String, String, String)>, CmdError> {
    let syntax = || CmdError::failed("Invalid DistributedConfig syntax: must use 'var=value'");
    // `# optional` marks of `-c` templates are comments.
    let line = match line.find(" #") {
        Some(i) => line[..i].trim_end(),
        None => line.trim_end(),
    };
    let (lhs, value) = line.split_once('=').ok_or_else(syntax)?;
    let lhs = lhs.trim();
    let (scope, var) = match lhs.split_once('#') {
        Some((s, v)) => (s.to_string(), v.to_string()),
        None => (id.to_string(), lhs.to_string()),
    };
    if var.is_empty() {
        return Err(syntax());
    }
    if scope != "any" && scope != id {
        return Err(CmdError::failed(format!(
            "Only configuration variables for server '{id}' may be changed here."
        )));
    }
    if value.trim() == "<unset>" {
        return Ok(None);
    }
    Ok(Some((scope, var, value.to_string())))
}

fn save(cx: &mut Cx<'_>, text: &str) -> CmdResult {
    let v = cx.srv.version();
    let def = spec::definition(SpecKind::Server, v);
    let form = spec::parse(&def, text).map_err(|e| CmdError::failed(e.render(def.domain)))?;
    let id = form.get("ServerID").unwrap_or_default().to_string();
    let type_word = form.get("Type").unwrap_or("server").to_string();
    let Some(&(_, type_code)) = TYPES
        .iter()
        .find(|(w, _)| w.eq_ignore_ascii_case(&type_word))
    else {
        return Err(CmdError::failed(format!(
            "Invalid server type '{type_word}'."
        )));
    };
    let services_word = form.get("Services").unwrap_or("standard").to_string();
    let Some(services) = service_by_word(&services_word, v) else {
        return Err(CmdError::failed(format!(
            "Invalid server services '{services_word}'."
        )));
    };
    if !services.server_type.eq_ignore_ascii_case(&type_word) {
        return Err(CmdError::failed(
            "Server type is not appropriate for specified server services.",
        ));
    }
    let mandatory = form.get("Options").unwrap_or("nomandatory") == "mandatory";
    let rpl_from = form.get("ReplicatingFrom").unwrap_or_default().to_string();
    let standby = is_standby(services.bits);
    let mut db = cx.db();
    let existing = db.get("db.server", &[Value::text(&id)])?;
    if !rpl_from.is_empty() && !is_replica(services.bits) {
        return Err(CmdError::failed(
            "'ReplicatingFrom' field can't be specified for this type of server.",
        ));
    }
    if !rpl_from.is_empty() && rpl_from == id {
        return Err(CmdError::failed(
            "'ReplicatingFrom' field can't be the same as the 'ServerID' field.",
        ));
    }
    // 2019.1 documents ReplicatingFrom as required for a standby only when
    // it is mandatory; later releases require it for every standby.
    if standby && rpl_from.is_empty() && (mandatory || v.at_least(2023, 2)) {
        return Err(CmdError::failed(
            "'ReplicatingFrom' field required for a 'standby' or 'forwarding-standby' server.",
        ));
    }
    if standby && mandatory && existing.is_none() {
        return Err(CmdError::failed(
            "New 'standby' or 'forwarding-standby' server can't have the 'mandatory' option set. Set the 'mandatory' option after the server's 'journalcopy' thread is current.",
        ));
    }
    if services.word == "commit-server"
        && let Some(other) = db.rows("db.server")?.into_iter().find(|r| {
            r[col::ID].as_str() != id.as_str() && r[col::SERVICES].as_int() == services.bits
        })
    {
        return Err(CmdError::failed(format!(
            "At most one commit-server may be defined. Server {} is already specified to be a commit-server.",
            other[col::ID]
        )));
    }
    let has_filters = [
        "ClientDataFilter",
        "RevisionDataFilter",
        "ArchiveDataFilter",
    ]
    .iter()
    .any(|f| !form.list(f).is_empty());
    if has_filters && !is_replica(services.bits) {
        return Err(CmdError::failed(
            "Data Filters should be specified only for replica servers.",
        ));
    }
    // DistributedConfig: parse every line before changing anything. A form
    // without the field leaves the configurables alone (a minimal spec piped
    // to -i must not unset every global setting); a form with it is the
    // whole list: entries it lacks are unset.
    let wanted = match form.get("DistributedConfig") {
        Some(text) => {
            let mut lines = Vec::new();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                if let Some(entry) = parse_config_line(line, &id)? {
                    lines.push(entry);
                }
            }
            Some(lines)
        }
        None => None,
    };
    let row: Row = vec![
        Value::text(&id),
        Value::Int(type_code),
        Value::text(form.get("Name").unwrap_or_default()),
        Value::text(form.get("Address").unwrap_or_default()),
        Value::text(form.get("ExternalAddress").unwrap_or_default()),
        Value::Int(services.bits),
        Value::text(form.get("Description").unwrap_or_default()),
        Value::text(form.get("User").unwrap_or_default()),
        Value::Int(i64::from(mandatory)),
        Value::text(&rpl_from),
        // The failover mark is kept as it was.
        existing
            .as_ref()
            .map_or_else(|| Value::text(""), |r| r[10].clone()),
    ];
    db.put("db.server", row)?;
    // The list fields, rewritten when they differ.
    let old_views: Vec<Row> = db
        .rows("db.svrview")?
        .into_iter()
        .filter(|r| r[0].as_str() == id.as_str())
        .collect();
    let mut new_views = Vec::new();
    for (field, ty) in VIEWS {
        for (seq, entry) in form.list(field).iter().enumerate() {
            let (flag, text) = match entry.as_bytes().first() {
                Some(b'-') => (1, &entry[1..]),
                Some(b'+') => (2, &entry[1..]),
                _ => (0, *entry),
            };
            new_views.push(vec![
                Value::text(&id),
                Value::Int(*ty),
                Value::Int(seq as i64),
                Value::Int(flag),
                Value::text(text),
            ]);
        }
    }
    let normalize = |rows: &[Row]| {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|v| v.as_str().into_owned())
                    .collect::<Vec<_>>()
            })
            .collect::<Vec<_>>()
    };
    if normalize(&old_views) != normalize(&new_views) {
        for r in &old_views {
            db.delete("db.svrview", &r[..3])?;
        }
        for r in new_views {
            db.put("db.svrview", r)?;
        }
    }
    if let Some(wanted) = wanted {
        let current = distributed_config(&mut db, &id)?;
        for (scope, var, value) in &wanted {
            db.put(
                "db.config",
                vec![Value::text(scope), Value::text(var), Value::text(value)],
            )?;
        }
        for (scope, var, _) in &current {
            if !wanted.iter().any(|(s, v, _)| s == scope && v == var) {
                db.delete("db.config", &[Value::text(scope), Value::text(var)])?;
            }
        }
    }
    let changed = !db.pending().is_empty();
    cx.commit(&mut db)?;
    if changed {
        cx.info(format!("Server {id} saved."));
    } else {
        cx.info(format!("Server {id} not changed."));
    }
    Ok(())
}

/// `p4 servers [-J]`.
async fn servers(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "", "J", &["replication-status"], USAGE_SERVERS)?;
    if !opts.args.is_empty() {
        return Err(CmdError::failed(format!(
            "Usage: {USAGE_SERVERS}\nUnexpected arguments."
        )));
    }
    if opts.has('J') || opts.has_long("replication-status") {
        return crate::replication::report::servers_j(cx).await;
    }
    let mut db = cx.db();
    let ids: Vec<String> = db
        .rows("db.server")?
        .iter()
        .map(|r| r[col::ID].as_str().into_owned())
        .collect();
    for id in ids {
        let Some(form) = load(&mut db, &id)? else {
            continue;
        };
        let get = |f: &str| form.get(f).unwrap_or_default().to_string();
        if cx.is_tagged() {
            let mut record = vec![
                ("ServerID".to_string(), get("ServerID")),
                ("Name".to_string(), get("Name")),
                ("Address".to_string(), get("Address")),
                ("Type".to_string(), get("Type")),
                ("Services".to_string(), get("Services")),
                ("Options".to_string(), get("Options")),
            ];
            if !get("ReplicatingFrom").is_empty() {
                record.push(("ReplicatingFrom".to_string(), get("ReplicatingFrom")));
            }
            record.push(("Description".to_string(), get("Description")));
            cx.tagged(record);
        } else {
            cx.info(format!(
                "{} {} {} {} {} '{}'",
                get("ServerID"),
                get("Type"),
                get("Name"),
                get("Address"),
                get("Services"),
                forms::one_line(&get("Description"))
            ));
        }
    }
    Ok(())
}

/// `p4 serverid [serverID]`.
async fn serverid(cx: &mut Cx<'_>) -> CmdResult {
    let opts = forms::parse_opts(&cx.args, "", "", &[], USAGE_SERVERID)?;
    let current = cx.srv.server_id();
    match opts.args.as_slice() {
        [] => match current {
            Some(id) => {
                if cx.is_tagged() {
                    cx.tagged(vec![("serverID".to_string(), id)]);
                } else {
                    cx.info(format!("Server ID: {id}"));
                }
                Ok(())
            }
            None => Err(CmdError::failed("Server does not yet have a server ID.")),
        },
        [id] => {
            let mut db = cx.db();
            if auth::max_perm_from(&mut db, &cx.user, &cx.peer.ip().to_string())?
                .is_none_or(|p| p < Perm::Super)
            {
                return Err(CmdError::no_permission());
            }
            if let Some(current) = current {
                return Err(CmdError::failed(format!(
                    "Server already has a server ID: {current}"
                )));
            }
            crate::server::identity::write_server_id(&cx.srv.host().fs, cx.srv.root(), id)
                .map_err(|e| {
                    CmdError::failed(format!(
                        "{}/server.id: {}",
                        cx.srv.config().root_name,
                        crate::client::os_error(&e)
                    ))
                })?;
            Ok(())
        }
        _ => Err(CmdError::usage(USAGE_SERVERID)),
    }
}

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("server", Access::Level(Perm::Super), OnReplica::Read),
    cmd("servers", Access::Level(Perm::Super), OnReplica::Read),
    cmd("serverid", Access::Level(Perm::List), OnReplica::Local),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    match cx.cmd.as_str() {
        "server" => Some(server(cx).await),
        "servers" => Some(servers(cx).await),
        "serverid" => Some(serverid(cx).await),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_words_and_masks() {
        let v = ServerVersion::new(2019, 1);
        assert_eq!(service_by_word("standby", v).map(|s| s.bits), Some(0x8945));
        assert_eq!(service_word(0x2F03), "commit-server");
        assert!(service_by_word("distribution-server", v).is_none());
        assert!(is_standby(0x89E5) && !is_standby(0x0945));
        assert_eq!(
            parse_config_line("monitor=1 # optional", "edge1").unwrap(),
            Some(("edge1".to_string(), "monitor".to_string(), "1".to_string()))
        );
        assert_eq!(
            parse_config_line("P4TARGET=<unset>", "edge1").unwrap(),
            None
        );
        assert!(parse_config_line("no equals", "edge1").is_err());
        assert!(parse_config_line("other#x=1", "edge1").is_err());
    }
}
