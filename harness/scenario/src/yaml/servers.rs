//! `servers:` and `preflight:`.

use std::net::Ipv4Addr;

use super::node::{Key, Kind, Mark, Node, clip};
use super::read::{Cx, Sink};
use crate::diagnostic::Diagnostic;
use crate::model::{
    CaseHandling, Location, P4dctl, Preflight, Server, ServerState, Services, Version,
};
use crate::suggest;

/// Keys of a server.
pub const SERVER_KEYS: &[&str] = &[
    "host", "ip", "port", "root", "serverid", "services", "version", "timezone", "case", "journal",
    "state", "p4dctl", "env", "image",
];

/// Keys of a server's `p4dctl:`.
pub const P4DCTL_KEYS: &[&str] = &["name", "environment"];

/// Keys of `preflight:`.
pub const PREFLIGHT_KEYS: &[&str] = &["same-timezone", "same-version", "servers"];

/// Every server name written, including those whose settings have errors
/// (so that steps naming them do not add "unknown server" errors).
#[derive(Debug, Default)]
pub(crate) struct ServerNames {
    names: Vec<(String, Location)>,
    /// A `servers:` value could not be read: names may be missing, so
    /// unknown names are not reported.
    incomplete: bool,
}

impl ServerNames {
    pub(crate) fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    fn first(&self, name: &str) -> Option<&Location> {
        self.names.iter().find(|(n, _)| n == name).map(|(_, l)| l)
    }

    /// Whether `name` is a server; if not, reports it at `mark`, naming the
    /// place it was written (`` `on:` ``).
    pub(crate) fn check(&self, cx: &Cx<'_>, mark: Mark, name: &str, place: &str) -> bool {
        if self.first(name).is_some() || self.incomplete {
            return true;
        }
        let all: Vec<&str> = self.names.iter().map(|(n, _)| n.as_str()).collect();
        let known = if all.is_empty() {
            "no servers are defined; add them under `servers:`".to_owned()
        } else {
            format!(
                "servers: {} (add new ones under `servers:`)",
                all.join(", ")
            )
        };
        let hint = suggest::hint(name, all.iter().copied(), &known);
        cx.error(
            mark,
            format!("unknown server `{}` in {place}{hint}", clip(name)),
        );
        false
    }

    /// The list for "one of: ..." messages.
    pub(crate) fn list(&self) -> String {
        self.names
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// Letters, digits, `.`, `_`, `-`; no `:` (it separates server and path in
/// `copy:`).
pub(crate) fn is_server_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Reads `servers:`, appending to `out` and `names`.
pub(crate) fn read_servers(
    cx: &Cx<'_>,
    node: &Node,
    out: &mut Vec<Server>,
    names: &mut ServerNames,
) {
    let entries = match &node.kind {
        Kind::Map(entries) => entries,
        Kind::Null => return,
        _ => {
            names.incomplete = true;
            cx.error(
                node.mark,
                format!(
                    "`servers` must be a mapping from each server's name to its settings (`master:` \
                     with indented keys below it), not {}",
                    node.describe()
                ),
            );
            return;
        }
    };
    for (key, value) in entries {
        if !is_server_name(&key.text) {
            cx.error(
                key.mark,
                format!(
                    "`{}` cannot be a server name: use letters, digits, `.`, `_` and `-`, \
                     starting with a letter or digit",
                    clip(&key.text)
                ),
            );
            continue;
        }
        if let Some(first) = names.first(&key.text) {
            cx.error(
                key.mark,
                format!(
                    "server `{}` is defined twice (first at {first}): rename one of them or \
                     remove the duplicate",
                    key.text
                ),
            );
            continue;
        }
        names.names.push((key.text.clone(), cx.loc(key.mark)));
        if let Some(server) = read_server(cx, key, value) {
            out.push(server);
        }
    }
}

fn server_elsewhere(context: &str, key: &str) -> Option<String> {
    let hint = match key {
        "name" => "a server's name is its key under `servers:`",
        "server-id" | "server_id" | "serverID" | "ServerID" => "write `serverid:`",
        "P4ROOT" | "p4root" => "write `root:`",
        "P4PORT" | "p4port" => "write `port:` (and `host:` or `ip:`)",
        "P4JOURNAL" | "p4journal" => "write `journal:`",
        "TZ" | "tz" | "time-zone" => "write `timezone:`",
        "service" | "Services" | "type" | "role" => "write `services:`",
        _ => return None,
    };
    Some(format!(
        "unknown key `{key}` in {context}: {hint}; allowed keys: {}",
        super::read::list_keys(SERVER_KEYS)
    ))
}

fn read_server(cx: &Cx<'_>, key: &Key, node: &Node) -> Option<Server> {
    let name = key.text.clone();
    let context = format!("server `{name}`");
    let fields = cx.fields(node, &context, SERVER_KEYS, &|key| {
        server_elsewhere(&context, key)
    })?;
    let errors_before = cx.sink.count();
    let host = match fields.get("host") {
        Some(n) => {
            let host = cx.nonempty_text(n, "`host`").unwrap_or_default();
            if !host.is_empty() && !is_host_name(&host) {
                cx.error(
                    n.mark,
                    format!(
                        "`{}` is not a host name: use letters, digits, `-` and `.` (an address \
                         goes under `ip:`)",
                        clip(&host)
                    ),
                );
            }
            host
        }
        None => name.clone(),
    };
    let ip = fields.get("ip").and_then(|n| {
        let text = cx.text(n, "`ip`")?;
        match text.trim().parse::<Ipv4Addr>() {
            Ok(ip) => Some(ip),
            Err(_) => {
                cx.error(
                    n.mark,
                    format!(
                        "`{}` is not an IPv4 address: write four numbers from 0 to 255 separated \
                         by dots, like 192.168.56.114 (without a port; the port goes under `port:`)",
                        clip(&text)
                    ),
                );
                None
            }
        }
    });
    let port = fields
        .get("port")
        .map_or(Some(1666), |n| cx.port(n, "`port`"));
    let root = match fields.get("root") {
        Some(n) => absolute_path(cx, n, "`root`"),
        None => Some(format!("/{name}")),
    };
    let server_id = match fields.get("serverid") {
        Some(n) => cx.nonempty_text(n, "`serverid`").filter(|id| {
            let ok = id.chars().all(|c| !c.is_whitespace()) && !id.starts_with('-');
            if !ok {
                cx.error(
                    n.mark,
                    format!("`{}` cannot be a server ID: use a single word", clip(id)),
                );
            }
            ok
        }),
        None => Some(name.clone()),
    };
    let services = match fields.get("services") {
        Some(n) => {
            let choices: Vec<(&str, Services)> =
                Services::ALL.iter().map(|s| (s.as_str(), *s)).collect();
            cx.choice(n, "`services`", &choices)
        }
        None => Some(Services::Standard),
    };
    let version = match fields.get("version") {
        Some(n) => version(cx, n, "`version`"),
        None if fields.misspelt("version") => None,
        None => {
            cx.error(
                fields.mark,
                format!(
                    "server `{name}` needs `version:`, the p4d release it runs, like \"2019.1\""
                ),
            );
            None
        }
    };
    let timezone = match fields.get("timezone") {
        Some(n) => timezone(cx, n, "`timezone`"),
        None => Some("UTC".to_owned()),
    };
    let case = match fields.get("case") {
        Some(n) => cx.choice(
            n,
            "`case`",
            &[
                ("unix", CaseHandling::Unix),
                ("windows", CaseHandling::Windows),
            ],
        ),
        None => Some(CaseHandling::Unix),
    };
    let journal = fields
        .get("journal")
        .and_then(|n| cx.nonempty_text(n, "`journal`"));
    let state = match fields.get("state") {
        Some(n) => cx.choice(
            n,
            "`state`",
            &[
                ("running", ServerState::Running),
                ("stopped", ServerState::Stopped),
                ("empty", ServerState::Empty),
            ],
        ),
        None => Some(ServerState::Running),
    };
    let p4dctl = match fields.get("p4dctl") {
        Some(n) => read_p4dctl(cx, n, &name),
        None => Some(P4dctl {
            name: name.clone(),
            environment: Vec::new(),
        }),
    };
    let env = match fields.get("env") {
        Some(n) => env_map(cx, n, "`env`"),
        None => Some(Vec::new()),
    };
    let image = fields
        .get("image")
        .and_then(|n| cx.nonempty_text(n, "`image`"));
    if cx.sink.count() != errors_before {
        return None;
    }
    Some(Server {
        location: cx.loc(key.mark),
        name,
        host,
        ip,
        port: port?,
        root: root?,
        server_id: server_id?,
        services: services?,
        version: version?,
        timezone: timezone?,
        case: case?,
        journal,
        state: state?,
        p4dctl: p4dctl?,
        env: env?,
        image,
    })
}

fn is_host_name(host: &str) -> bool {
    host.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

fn read_p4dctl(cx: &Cx<'_>, node: &Node, server: &str) -> Option<P4dctl> {
    let fields = cx.fields(
        node,
        &format!("`p4dctl` of server `{server}`"),
        P4DCTL_KEYS,
        &|_| None,
    )?;
    let name = match fields.get("name") {
        Some(n) => {
            let name = cx.nonempty_text(n, "`p4dctl` `name`")?;
            if !is_server_name(&name) {
                cx.error(
                    n.mark,
                    format!(
                        "`{}` cannot be a p4dctl server name: use a single word",
                        clip(&name)
                    ),
                );
                return None;
            }
            name
        }
        None => server.to_owned(),
    };
    let environment = match fields.get("environment") {
        Some(n) => env_map(cx, n, "`environment`")?,
        None => Vec::new(),
    };
    Some(P4dctl { name, environment })
}

/// A mapping of environment variables, in order.
pub(crate) fn env_map(cx: &Cx<'_>, node: &Node, what: &str) -> Option<Vec<(String, String)>> {
    let entries = cx.mapping(node, what)?;
    let mut out = Vec::with_capacity(entries.len());
    let mut ok = true;
    for (key, value) in entries {
        let valid = key
            .text
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key
                .text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            cx.error(
                key.mark,
                format!(
                    "`{}` cannot be an environment variable name: use letters, digits and `_`",
                    clip(&key.text)
                ),
            );
            ok = false;
            continue;
        }
        let text = match &value.kind {
            Kind::Null => Some(String::new()),
            _ => cx.text(value, &format!("`{}`", key.text)),
        };
        match text {
            Some(text) => out.push((key.text.clone(), text)),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// A p4d release such as `2019.1`.
pub(crate) fn version(cx: &Cx<'_>, node: &Node, what: &str) -> Option<Version> {
    let text = cx.text(node, what)?;
    match text.parse::<Version>() {
        Ok(v) => Some(v),
        Err(error) => {
            cx.error(node.mark, format!("{what}: {error}"));
            None
        }
    }
}

/// An IANA time zone name, returned in its canonical spelling.
pub(crate) fn timezone(cx: &Cx<'_>, node: &Node, what: &str) -> Option<String> {
    let text = cx.nonempty_text(node, what)?;
    let name = text.trim();
    if let Ok(zone) = jiff::tz::TimeZone::get(name) {
        return Some(zone.iana_name().unwrap_or(name).to_owned());
    }
    let rest = "time zones are IANA names like Asia/Tokyo, Europe/Berlin or UTC";
    let hint = match abbreviation(name) {
        Some(zone) => format!("; write `{zone}`: {rest}"),
        None => {
            let known: Vec<String> = jiff::tz::db().available().map(|n| n.to_string()).collect();
            suggest::hint(name, known.iter().map(String::as_str), rest)
        }
    };
    cx.error(
        node.mark,
        format!("{what}: unknown time zone `{}`{hint}", clip(name)),
    );
    None
}

/// The IANA zone usually meant by a time zone abbreviation that is not
/// itself a zone name.
fn abbreviation(name: &str) -> Option<&'static str> {
    Some(match name.to_ascii_uppercase().as_str() {
        "JST" => "Asia/Tokyo",
        "KST" => "Asia/Seoul",
        "IST" => "Asia/Kolkata",
        "SGT" => "Asia/Singapore",
        "CST" | "CDT" => "America/Chicago",
        "PST" | "PDT" => "America/Los_Angeles",
        "MDT" => "America/Denver",
        "BST" => "Europe/London",
        "CEST" => "Europe/Berlin",
        "AEST" | "AEDT" => "Australia/Sydney",
        _ => return None,
    })
}

/// An absolute path.
pub(crate) fn absolute_path(cx: &Cx<'_>, node: &Node, what: &str) -> Option<String> {
    let text = cx.nonempty_text(node, what)?;
    if !text.starts_with('/') {
        cx.error(
            node.mark,
            format!(
                "{what} must be an absolute path (starting with `/`), not `{}`",
                clip(&text)
            ),
        );
        return None;
    }
    Some(text)
}

/// Reports servers that would collide on the network or on disk.
pub(crate) fn check_topology(servers: &[Server], sink: &Sink) {
    for (i, later) in servers.iter().enumerate() {
        for earlier in &servers[..i] {
            let clash = if earlier.host == later.host && earlier.port == later.port {
                Some(format!(
                    "servers `{}` and `{}` both listen on {}; give one of them another `port:` \
                     or `host:`",
                    earlier.name,
                    later.name,
                    later.address()
                ))
            } else if earlier.ip.is_some() && earlier.ip == later.ip && earlier.host != later.host {
                Some(format!(
                    "servers `{}` and `{}` have the same `ip:` on different hosts ({} and {}); \
                     servers sharing a machine share its `host:`",
                    earlier.name, later.name, earlier.host, later.host
                ))
            } else if earlier.host == later.host && earlier.root == later.root {
                Some(format!(
                    "servers `{}` and `{}` run on the same host with the same `root:` {}; give \
                     each its own root",
                    earlier.name, later.name, later.root
                ))
            } else if earlier.server_id == later.server_id {
                Some(format!(
                    "servers `{}` and `{}` have the same server ID `{}`; server IDs are unique \
                     in an installation",
                    earlier.name, later.name, later.server_id
                ))
            } else {
                None
            };
            if let Some(message) = clash {
                sink.push(Diagnostic::new(later.location.clone(), message));
                break;
            }
        }
    }
}

/// Reads `preflight:` into `preflight` (keys given here replace earlier ones).
pub(crate) fn read_preflight(
    cx: &Cx<'_>,
    key: &Key,
    node: &Node,
    preflight: &mut Preflight,
    names: &ServerNames,
) {
    let Some(fields) = cx.fields(node, "`preflight`", PREFLIGHT_KEYS, &|_| None) else {
        return;
    };
    preflight.location = Some(cx.loc(key.mark));
    if let Some(value) = fields
        .get("same-timezone")
        .and_then(|n| cx.boolean(n, "`same-timezone`"))
    {
        preflight.same_timezone = value;
    }
    if let Some(value) = fields
        .get("same-version")
        .and_then(|n| cx.boolean(n, "`same-version`"))
    {
        preflight.same_version = value;
    }
    if let Some(n) = fields.get("servers")
        && let Some(list) = cx.text_list(n, "`servers`")
    {
        let mut ok = true;
        for (name, mark) in &list {
            ok &= names.check(cx, *mark, name, "`preflight: servers`");
        }
        if list.len() < 2 {
            cx.error(
                n.mark,
                "`preflight: servers` names the servers that must agree: give two or more",
            );
        } else if ok {
            preflight.servers = Some(list.into_iter().map(|(n, _)| n).collect());
        }
    }
}
