//! `fault:` steps.

use super::node::{Node, clip};
use super::read::{Cx, Fields};
use super::servers::{ServerNames, timezone};
use crate::model::{Fault, NetMode, Server};
use crate::suggest;

/// The keys each fault takes besides `fault`, `section` and `name`.
pub fn fault_keys(name: &str) -> Option<&'static [&'static str]> {
    Some(match name {
        "partition" => &["between", "mode"],
        "heal" => &["between"],
        "crash" | "stop" | "start" | "pause" | "resume" => &["server"],
        "block-port" => &["server", "port", "mode"],
        "unblock-port" => &["server", "port"],
        "disk-full" | "disk-free" => &["server", "path"],
        "truncate" => &["server", "path", "size"],
        "corrupt" => &["server", "path", "offset"],
        "clock-skew" => &["server", "seconds"],
        "timezone" => &["server", "timezone"],
        _ => return None,
    })
}

/// Every key some fault takes.
pub(crate) const ALL_FAULT_KEYS: &[&str] = &[
    "between", "mode", "server", "port", "path", "size", "offset", "seconds", "timezone",
];

/// Reads a fault's name, reporting an unknown one.
pub(crate) fn fault_name(cx: &Cx<'_>, node: &Node) -> Option<String> {
    let name = cx.nonempty_text(node, "`fault`")?;
    if fault_keys(&name).is_some() {
        return Some(name);
    }
    cx.error(
        node.mark,
        format!(
            "unknown fault `{}`{}",
            clip(&name),
            suggest::hint(
                &name,
                Fault::NAMES,
                &format!("faults: {}", Fault::NAMES.join(", "))
            ),
        ),
    );
    None
}

fn net_mode(cx: &Cx<'_>, node: &Node) -> Option<NetMode> {
    let choices: Vec<(&str, NetMode)> = NetMode::ALL.iter().map(|m| (m.as_str(), *m)).collect();
    cx.choice(node, "`mode`", &choices)
}

/// Reads the fault `name` from a step's fields.
pub(crate) fn read_fault(
    cx: &Cx<'_>,
    name: &str,
    fields: &Fields<'_>,
    servers: &[Server],
    names: &ServerNames,
) -> Option<Fault> {
    let server = || -> Option<(String, Option<&Server>)> {
        let Some(node) = fields.get("server") else {
            if fields.misspelt("server") {
                return None;
            }
            cx.error(
                fields.mark,
                format!(
                    "`{name}` needs `server:`, the server it acts on (one of: {})",
                    names.list()
                ),
            );
            return None;
        };
        let text = cx.nonempty_text(node, "`server`")?;
        names.check(cx, node.mark, &text, "`server:`").then(|| {
            let found = servers.iter().find(|s| s.name == text);
            (text, found)
        })
    };
    // A path on the server's host; relative paths are relative to its root.
    let path = |server: Option<&Server>, required: bool| -> Option<String> {
        let node = match fields.get("path") {
            Some(node) => node,
            None if required => {
                if !fields.misspelt("path") {
                    cx.error(
                        fields.mark,
                        format!("`{name}` needs `path:`, the file it acts on"),
                    );
                }
                return None;
            }
            None => return Some(server.map_or_else(String::new, |s| s.root.clone())),
        };
        let text = cx.nonempty_text(node, "`path`")?;
        if text.starts_with('/') {
            Some(text)
        } else {
            let root = server.map_or("", |s| s.root.as_str()).trim_end_matches('/');
            Some(format!("{root}/{text}"))
        }
    };
    let fault = match name {
        "partition" => {
            let between = between(cx, fields, names, true)?;
            let mode = match fields.get("mode") {
                Some(n) => net_mode(cx, n)?,
                None => NetMode::Drop,
            };
            Fault::Partition {
                between: between?,
                mode,
            }
        }
        "heal" => Fault::Heal {
            between: between(cx, fields, names, false)?,
        },
        "crash" => Fault::Crash {
            server: server()?.0,
        },
        "stop" => Fault::Stop {
            server: server()?.0,
        },
        "start" => Fault::Start {
            server: server()?.0,
        },
        "pause" => Fault::Pause {
            server: server()?.0,
        },
        "resume" => Fault::Resume {
            server: server()?.0,
        },
        "block-port" => {
            let (name, found) = server()?;
            let port = match fields.get("port") {
                Some(n) => cx.port(n, "`port`")?,
                None => found.map_or(1666, |s| s.port),
            };
            let mode = match fields.get("mode") {
                Some(n) => net_mode(cx, n)?,
                None => NetMode::Reject,
            };
            Fault::BlockPort {
                server: name,
                port,
                mode,
            }
        }
        "unblock-port" => {
            let (name, _) = server()?;
            let port = match fields.get("port") {
                Some(n) => Some(cx.port(n, "`port`")?),
                None => None,
            };
            Fault::UnblockPort { server: name, port }
        }
        "disk-full" | "disk-free" => {
            let (server_name, found) = server()?;
            let path = path(found, false)?;
            if name == "disk-full" {
                Fault::DiskFull {
                    server: server_name,
                    path,
                }
            } else {
                Fault::DiskFree {
                    server: server_name,
                    path,
                }
            }
        }
        "truncate" => {
            let (server_name, found) = server()?;
            let path = path(found, true)?;
            let Some(size_node) = fields.get("size") else {
                if fields.misspelt("size") {
                    return None;
                }
                cx.error(
                    fields.mark,
                    "`truncate` needs `size:`, the length in bytes to cut the file to",
                );
                return None;
            };
            let size = cx.integer(
                size_node,
                "`size`",
                "a number of bytes",
                0..=i128::from(u64::MAX),
            )?;
            Fault::Truncate {
                server: server_name,
                path,
                size: u64::try_from(size).ok()?,
            }
        }
        "corrupt" => {
            let (server_name, found) = server()?;
            let path = path(found, true)?;
            let offset = match fields.get("offset") {
                Some(n) => {
                    let v = cx.integer(
                        n,
                        "`offset`",
                        "a byte offset (negative counts from the end)",
                        i128::from(i64::MIN)..=i128::from(i64::MAX),
                    )?;
                    i64::try_from(v).ok()?
                }
                None if fields.misspelt("offset") => return None,
                None => {
                    cx.error(
                        fields.mark,
                        "`corrupt` needs `offset:`, the byte to damage (0 is the first, -1 the last)",
                    );
                    return None;
                }
            };
            Fault::Corrupt {
                server: server_name,
                path,
                offset,
            }
        }
        "clock-skew" => {
            let (server_name, _) = server()?;
            let Some(n) = fields.get("seconds") else {
                if fields.misspelt("seconds") {
                    return None;
                }
                cx.error(
                    fields.mark,
                    "`clock-skew` needs `seconds:`, how far to move the clock (negative: back)",
                );
                return None;
            };
            let seconds = cx.integer(
                n,
                "`seconds`",
                "a whole number of seconds (negative moves the clock back)",
                -(100 * 365 * 86_400)..=100 * 365 * 86_400,
            )?;
            Fault::ClockSkew {
                server: server_name,
                seconds: i64::try_from(seconds).ok()?,
            }
        }
        "timezone" => {
            let (server_name, _) = server()?;
            let Some(n) = fields.get("timezone") else {
                if fields.misspelt("timezone") {
                    return None;
                }
                cx.error(
                    fields.mark,
                    "`timezone` needs `timezone:`, the IANA name of the new zone, like Asia/Tokyo",
                );
                return None;
            };
            Fault::Timezone {
                server: server_name,
                timezone: timezone(cx, n, "`timezone`")?,
            }
        }
        _ => return None,
    };
    Some(fault)
}

/// `between: [a, b]`: two different servers. The outer `Option` is `None`
/// on error; the inner one is `None` when `between` is absent and optional.
fn between(
    cx: &Cx<'_>,
    fields: &Fields<'_>,
    names: &ServerNames,
    required: bool,
) -> Option<Option<[String; 2]>> {
    let Some(node) = fields.get("between") else {
        if required && fields.misspelt("between") {
            return None;
        }
        if required {
            cx.error(
                fields.mark,
                "`partition` needs `between:`, the two servers to cut apart, like [master, standby]",
            );
            return None;
        }
        return Some(None);
    };
    let list = cx.text_list(node, "`between`")?;
    if list.len() != 2 {
        cx.error(
            node.mark,
            format!(
                "`between` names exactly two servers, like [master, standby]; this names {}",
                list.len()
            ),
        );
        return None;
    }
    let mut ok = true;
    for (name, mark) in &list {
        ok &= names.check(cx, *mark, name, "`between:`");
    }
    if !ok {
        return None;
    }
    if list[0].0 == list[1].0 {
        cx.error(
            node.mark,
            "`between` names the same server twice: name two different servers",
        );
        return None;
    }
    Some(Some([list[0].0.clone(), list[1].0.clone()]))
}
