//! `steps:`: every kind of step, and step-level includes.

use std::time::Duration;

use super::expect::{EXPECT_KEYS, read_expect, read_until};
use super::faults::{ALL_FAULT_KEYS, fault_keys, fault_name, read_fault};
use super::loader::{
    IncludeStack, Loader, STEP_FRAGMENT_KEYS, read_vars, read_with, scenario_only,
};
use super::node::{Kind, Node, clip};
use super::read::{Cx, Fields, FileCx, list_keys};
use super::servers::{ServerNames, env_map, is_server_name, version};
use crate::model::{
    Action, CheckDurability, Command, Copy, Durability, EditSpec, Expect, FileRef, Run, Server,
    Step, Until, Upgrade, Wait, p4_command_name,
};
use crate::suggest;

/// The keys that choose what a step does, in documentation order.
pub const ACTION_KEYS: &[&str] = &[
    "run",
    "wait",
    "edit-spec",
    "copy",
    "fault",
    "snapshot-journals",
    "sleep",
    "upgrade",
    "check",
    "include",
];

/// Keys every step may have.
pub const COMMON_KEYS: &[&str] = &["section", "name"];

/// The keys of each kind of step besides the common ones (faults add their
/// own, see [`fault_keys`]).
pub fn action_keys(action: &str) -> &'static [&'static str] {
    match action {
        "run" => &["on", "run", "stdin", "env", "expect", "snapshot", "timeout"],
        "wait" => &[
            "on", "wait", "stdin", "env", "until", "timeout", "every", "snapshot",
        ],
        "edit-spec" => &[
            "on",
            "edit-spec",
            "env",
            "set",
            "append",
            "remove",
            "expect",
            "snapshot",
            "timeout",
        ],
        "copy" => &["copy"],
        "fault" => &["fault"],
        "snapshot-journals" => &["snapshot-journals"],
        "sleep" => &["sleep"],
        "upgrade" => &["upgrade"],
        "check" => &["check", "new-master", "expect"],
        "include" => &["include", "with"],
        _ => &[],
    }
}

/// Keys of `copy:`.
const COPY_KEYS: &[&str] = &["from", "to"];
/// Keys of `upgrade:`.
const UPGRADE_KEYS: &[&str] = &["server", "version", "image"];
/// The checks `check:` runs.
const CHECKS: &[&str] = &["durability"];

/// Default time limit of a `wait` step.
const WAIT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default pause between attempts of a `wait` step.
const WAIT_EVERY: Duration = Duration::from_secs(1);

/// What steps need to know about the scenario around them.
pub(crate) struct StepContext<'a> {
    pub(crate) servers: &'a [Server],
    pub(crate) names: &'a ServerNames,
    /// The section of the `include` step that brought these steps in.
    pub(crate) section: Option<String>,
}

/// Reads a `steps:` list into `out`; returns how many steps were written
/// (whether or not they were valid).
pub(crate) fn read_steps(
    loader: &mut Loader,
    cx: &Cx<'_>,
    node: &Node,
    stack: &IncludeStack,
    ctx: &StepContext<'_>,
    out: &mut Vec<Step>,
) -> usize {
    let items = match &node.kind {
        Kind::Seq(items) => items,
        Kind::Null => return 0,
        _ => {
            cx.error(
                node.mark,
                format!(
                    "`steps` must be a list: start each step with `- ` (like `- run: p4 info`), \
                     not {}",
                    node.describe()
                ),
            );
            return 1;
        }
    };
    for item in items {
        read_step(loader, cx, item, stack, ctx, out);
    }
    items.len()
}

fn read_step(
    loader: &mut Loader,
    cx: &Cx<'_>,
    item: &Node,
    stack: &IncludeStack,
    ctx: &StepContext<'_>,
    out: &mut Vec<Step>,
) {
    let Kind::Map(entries) = &item.kind else {
        cx.error(
            item.mark,
            format!(
                "a step is a mapping, like `- run: p4 info` with `on: master` below it; this one \
                 is {}",
                item.describe()
            ),
        );
        return;
    };
    let actions: Vec<&super::node::Key> = entries
        .iter()
        .map(|(k, _)| k)
        .filter(|k| ACTION_KEYS.contains(&k.text.as_str()))
        .collect();
    let Some(action_key) = actions.first() else {
        // A misspelt action key gets the unknown-key message only.
        let misspelt = entries.iter().find(|(k, _)| {
            !COMMON_KEYS.contains(&k.text.as_str())
                && suggest::did_you_mean(&k.text, ACTION_KEYS.iter().copied()).is_some()
        });
        match misspelt {
            Some((key, _)) => cx.error(
                key.mark,
                format!(
                    "unknown key `{}` in step{}",
                    clip(&key.text),
                    suggest::hint(
                        &key.text,
                        ACTION_KEYS.iter().copied(),
                        &format!("a step does one of: {}", list_keys(ACTION_KEYS))
                    ),
                ),
            ),
            None => cx.error(
                item.mark,
                format!(
                    "this step does nothing: give it one of {}",
                    list_keys(ACTION_KEYS)
                ),
            ),
        }
        return;
    };
    if let Some(second) = actions.get(1) {
        cx.error(
            second.mark,
            format!(
                "a step does one thing, but this one has both `{}` and `{}`: split it into two steps",
                action_key.text, second.text
            ),
        );
        return;
    }
    let action = action_key.text.as_str();
    let action_node = entries
        .iter()
        .find(|(k, _)| k.text == action)
        .map(|(_, v)| v)
        .unwrap_or(item);
    let before = cx.sink.count();

    // The fault kind decides which keys a fault step takes.
    let fault = if action == "fault" {
        fault_name(cx, action_node)
    } else {
        None
    };
    let mut allowed: Vec<&str> = COMMON_KEYS.to_vec();
    allowed.extend_from_slice(action_keys(action));
    if action == "include" {
        allowed.retain(|k| *k != "name");
    }
    match (&fault, action) {
        (Some(name), _) => allowed.extend_from_slice(fault_keys(name).unwrap_or(&[])),
        // An unknown fault: accept any fault key, the name is the error.
        (None, "fault") => allowed.extend_from_slice(ALL_FAULT_KEYS),
        _ => {}
    }
    let elsewhere = |key: &str| misplaced(action, fault.as_deref(), key, &allowed);
    let Some(fields) = cx.fields(item, &a_step(action), &allowed, &elsewhere) else {
        return;
    };
    let section = match fields.get("section") {
        Some(n) => cx.opt_text(n, "`section`").map(|s| s.trim().to_owned()),
        None => ctx.section.clone(),
    };
    let name = fields.get("name").and_then(|n| cx.opt_text(n, "`name`"));

    if action == "include" {
        read_include_step(loader, cx, &fields, action_node, stack, ctx, section, out);
        return;
    }
    let built = match action {
        "run" => read_run(cx, &fields, ctx).map(Action::Run),
        "wait" => read_wait(cx, &fields, ctx).map(Action::Wait),
        "edit-spec" => read_edit(cx, &fields, ctx).map(Action::EditSpec),
        "copy" => read_copy(cx, action_node, ctx).map(Action::Copy),
        "fault" => fault
            .as_deref()
            .and_then(|f| read_fault(cx, f, &fields, ctx.servers, ctx.names))
            .map(Action::Fault),
        "snapshot-journals" => {
            read_snapshot_journals(cx, action_node, ctx).map(Action::SnapshotJournals)
        }
        "sleep" => cx.duration(action_node, "`sleep`").map(Action::Sleep),
        "upgrade" => read_upgrade(cx, action_node, ctx).map(Action::Upgrade),
        "check" => read_check(cx, &fields, action_node, ctx).map(Action::CheckDurability),
        _ => None,
    };
    if let Some(action) = built
        && cx.sink.count() == before
    {
        out.push(Step {
            location: cx.loc(item.mark),
            included_from: cx.file.included_from.clone(),
            section,
            name,
            action,
        });
    }
}

/// Explains a key that belongs somewhere else than this step.
fn misplaced(action: &str, fault: Option<&str>, key: &str, allowed: &[&str]) -> Option<String> {
    let allowed_list = list_keys(allowed);
    let text = match (action, key) {
        ("run", "until") => "`until` belongs to `wait` steps: a `run` step checks its output with \
             `expect:`; to repeat the command until a condition holds, write `wait:` instead of `run:`"
            .to_owned(),
        ("wait", "expect") => "a `wait` step's condition goes under `until:` (the same checks as \
             `expect:`, plus `same:`)"
            .to_owned(),
        ("wait", key) if EXPECT_KEYS.contains(&key) || key == "same" => {
            format!("`{key}` goes under `until:` (indent it below an `until:` line)")
        }
        ("run" | "edit-spec", key) if EXPECT_KEYS.contains(&key) => {
            format!("`{key}` goes under `expect:` (indent it below an `expect:` line)")
        }
        ("fault", "on") => {
            let how = if matches!(fault, Some("partition" | "heal")) {
                "`between: [a, b]`"
            } else {
                "`server:`"
            };
            format!("a fault names the server it acts on with {how}, not `on:`")
        }
        ("fault", key) if ALL_FAULT_KEYS.contains(&key) => {
            let name = fault.unwrap_or("?");
            let takes = fault_keys(name).unwrap_or(&[]);
            format!("`{key}` does not apply to the `{name}` fault; it takes {}", list_keys(takes))
        }
        ("run" | "wait" | "edit-spec", "server") => {
            "a command names the server whose host runs it with `on:`, not `server:`".to_owned()
        }
        ("include", "name") => {
            "an `include` step takes no `name:`: the included steps keep their own names".to_owned()
        }
        (_, key) if key == "on" || action_keys("run").contains(&key) || action_keys("wait").contains(&key) || action_keys("edit-spec").contains(&key) || ALL_FAULT_KEYS.contains(&key) || action_keys("check").contains(&key) || action_keys("include").contains(&key) => {
            let users: Vec<&str> = ACTION_KEYS
                .iter()
                .copied()
                .filter(|a| action_keys(a).contains(&key) || (*a == "fault" && ALL_FAULT_KEYS.contains(&key)))
                .collect();
            format!(
                "`{key}` does not apply to {} (it belongs to {} steps); allowed keys \
                 here: {allowed_list}",
                a_step(action),
                join_and(&users.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>())
            )
        }
        _ => return None,
    };
    Some(text)
}

/// "a `run` step", "an `edit-spec` step".
fn a_step(action: &str) -> String {
    let article = if matches!(action, "edit-spec" | "include" | "upgrade") {
        "an"
    } else {
        "a"
    };
    format!("{article} `{action}` step")
}

/// `a`, `a and b`, `a, b and c`.
fn join_and(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `on:` naming an existing server.
fn on_server(
    cx: &Cx<'_>,
    fields: &Fields<'_>,
    action: &str,
    ctx: &StepContext<'_>,
) -> Option<String> {
    let Some(node) = fields.get("on") else {
        if fields.misspelt("on") {
            return None;
        }
        cx.error(
            fields.mark,
            format!(
                "{} needs `on:`, the server whose host runs the command (one of: {})",
                a_step(action),
                ctx.names.list()
            ),
        );
        return None;
    };
    if matches!(node.kind, Kind::Null) {
        cx.error(
            node.mark,
            format!(
                "`on` needs the name of a server (one of: {})",
                ctx.names.list()
            ),
        );
        return None;
    }
    let name = cx.nonempty_text(node, "`on`")?;
    ctx.names
        .check(cx, node.mark, name.trim(), "`on:`")
        .then(|| name.trim().to_owned())
}

fn read_command(
    cx: &Cx<'_>,
    fields: &Fields<'_>,
    action: &str,
    ctx: &StepContext<'_>,
) -> Option<Command> {
    let on = on_server(cx, fields, action, ctx);
    let script = fields
        .get(action)
        .and_then(|n| cx.nonempty_text(n, &format!("`{action}`")));
    let stdin = fields.get("stdin").and_then(|n| cx.opt_text(n, "`stdin`"));
    let env = match fields.get("env") {
        Some(n) => env_map(cx, n, "`env`"),
        None => Some(Vec::new()),
    };
    Some(Command {
        on: on?,
        script: script?,
        stdin,
        env: env?,
    })
}

fn snapshot_flag(cx: &Cx<'_>, fields: &Fields<'_>) -> Option<bool> {
    match fields.get("snapshot") {
        Some(n) => cx.boolean(n, "`snapshot`"),
        None => Some(true),
    }
}

fn optional_timeout(cx: &Cx<'_>, fields: &Fields<'_>) -> Option<Option<Duration>> {
    match fields.get("timeout") {
        Some(n) => Some(Some(positive_duration(cx, n, "`timeout`")?)),
        None => Some(None),
    }
}

fn positive_duration(cx: &Cx<'_>, node: &Node, what: &str) -> Option<Duration> {
    let d = cx.duration(node, what)?;
    if d.is_zero() {
        cx.error(node.mark, format!("{what} must be longer than 0s"));
        return None;
    }
    Some(d)
}

fn read_run(cx: &Cx<'_>, fields: &Fields<'_>, ctx: &StepContext<'_>) -> Option<Run> {
    let command = read_command(cx, fields, "run", ctx);
    let expect = match fields.get("expect") {
        Some(n) => read_expect(cx, n),
        None => Some(Expect::default()),
    };
    let snapshot = snapshot_flag(cx, fields);
    let timeout = optional_timeout(cx, fields);
    Some(Run {
        command: command?,
        expect: expect?,
        snapshot: snapshot?,
        timeout: timeout?,
    })
}

fn read_wait(cx: &Cx<'_>, fields: &Fields<'_>, ctx: &StepContext<'_>) -> Option<Wait> {
    let command = read_command(cx, fields, "wait", ctx);
    let until = match fields.get("until") {
        Some(n) => read_until(cx, n),
        None => Some(Until::default()),
    };
    let timeout = match fields.get("timeout") {
        Some(n) => positive_duration(cx, n, "`timeout`"),
        None => Some(WAIT_TIMEOUT),
    };
    let every = match fields.get("every") {
        Some(n) => positive_duration(cx, n, "`every`"),
        None => Some(WAIT_EVERY),
    };
    if let (Some(t), Some(e), Some(n)) = (timeout, every, fields.get("every"))
        && e > t
    {
        cx.error(
            n.mark,
            format!(
                "`every` ({}) is longer than `timeout` ({}): the command would run only once",
                crate::model::format_duration(e),
                crate::model::format_duration(t)
            ),
        );
        return None;
    }
    let snapshot = snapshot_flag(cx, fields);
    Some(Wait {
        command: command?,
        until: until?,
        timeout: timeout?,
        every: every?,
        snapshot: snapshot?,
    })
}

/// A spec field name: one word of letters and digits.
fn is_field_name(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

fn read_edit(cx: &Cx<'_>, fields: &Fields<'_>, ctx: &StepContext<'_>) -> Option<EditSpec> {
    let on = on_server(cx, fields, "edit-spec", ctx);
    let command = fields.get("edit-spec").and_then(|node| {
        let text = cx.nonempty_text(node, "`edit-spec`")?;
        let line = text.trim();
        if line.contains('\n') {
            cx.error(
                node.mark,
                "`edit-spec` takes one command line, the one that opens the form in an editor",
            );
            return None;
        }
        let Some(name) = p4_command_name(line) else {
            cx.error(
                node.mark,
                format!(
                    "`edit-spec` takes the p4 command that opens a form in an editor, like `p4 -u \
                     super server standby`; `{}` is not a p4 command",
                    clip(line)
                ),
            );
            return None;
        };
        let after = &line[name.end..];
        if after.split_whitespace().any(|w| w == "-o" || w == "-i") {
            cx.error(
                node.mark,
                "leave `-o` and `-i` out of `edit-spec`: p4ha adds `-o` to fetch the form and `-i` \
                 to save it",
            );
            return None;
        }
        Some(line.to_owned())
    });
    let env = match fields.get("env") {
        Some(n) => env_map(cx, n, "`env`"),
        None => Some(Vec::new()),
    };
    let set = match fields.get("set") {
        Some(n) => field_values(cx, n, "`set`"),
        None => Some(Vec::new()),
    };
    let append = match fields.get("append") {
        Some(n) => field_lines(cx, n, "`append`"),
        None => Some(Vec::new()),
    };
    let remove = match fields.get("remove") {
        Some(n) => field_lines(cx, n, "`remove`"),
        None => Some(Vec::new()),
    };
    let changes = ["set", "append", "remove"];
    if !changes.iter().any(|k| fields.has(k) || fields.misspelt(k)) {
        cx.error(
            fields.mark,
            "`edit-spec` changes nothing: add `set:`, `append:` or `remove:` (to only look at \
             the form, use `run:` with `-o`)",
        );
        return None;
    }
    let expect = match fields.get("expect") {
        Some(n) => read_expect(cx, n),
        None => Some(Expect::default()),
    };
    let snapshot = snapshot_flag(cx, fields);
    let timeout = optional_timeout(cx, fields);
    Some(EditSpec {
        on: on?,
        command: command?,
        env: env?,
        set: set?,
        append: append?,
        remove: remove?,
        expect: expect?,
        snapshot: snapshot?,
        timeout: timeout?,
    })
}

fn field_name(cx: &Cx<'_>, key: &super::node::Key) -> bool {
    let ok = is_field_name(&key.text);
    if !ok {
        cx.error(
            key.mark,
            format!(
                "`{}` is not a form field: fields are single words as the form prints them, such \
                 as `Options` or `DistributedConfig`",
                clip(&key.text)
            ),
        );
    }
    ok
}

/// `set:` values: text (several lines for a list field), a list of lines,
/// or nothing (an empty field).
fn field_values(cx: &Cx<'_>, node: &Node, what: &str) -> Option<Vec<(String, String)>> {
    let entries = cx.mapping(node, what)?;
    let mut out = Vec::new();
    let mut ok = true;
    for (key, value) in entries {
        if !field_name(cx, key) {
            ok = false;
            continue;
        }
        let text = match &value.kind {
            Kind::Null => Some(String::new()),
            Kind::Seq(_) => cx
                .text_list(value, &format!("`{}`", key.text))
                .map(|lines| {
                    lines
                        .into_iter()
                        .map(|(l, _)| l)
                        .collect::<Vec<_>>()
                        .join("\n")
                }),
            _ => cx.text(value, &format!("`{}`", key.text)),
        };
        match text {
            Some(text) => out.push((key.text.clone(), text.trim_end_matches('\n').to_owned())),
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// `append:` and `remove:` values: lines, as one text or a list.
fn field_lines(cx: &Cx<'_>, node: &Node, what: &str) -> Option<Vec<(String, Vec<String>)>> {
    let entries = cx.mapping(node, what)?;
    let mut out = Vec::new();
    let mut ok = true;
    for (key, value) in entries {
        if !field_name(cx, key) {
            ok = false;
            continue;
        }
        let Some(items) = cx.text_list(value, &format!("`{}`", key.text)) else {
            ok = false;
            continue;
        };
        // Form lines are compared with runs of blanks collapsed: `p4 protect -o`
        // separates columns with single spaces, runbooks often align them.
        let lines: Vec<String> = items
            .iter()
            .flat_map(|(text, _)| text.lines())
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            cx.error(
                value.mark,
                format!(
                    "{what} for `{}` gives no lines: write the lines, one per line or as a list",
                    key.text
                ),
            );
            ok = false;
            continue;
        }
        out.push((key.text.clone(), lines));
    }
    ok.then_some(out)
}

fn read_copy(cx: &Cx<'_>, node: &Node, ctx: &StepContext<'_>) -> Option<Copy> {
    let example =
        "like {from: \"master:/master/checkpoint.ckp.1\", to: \"standby:/tmp/checkpoint.ckp.1\"}";
    if !matches!(node.kind, Kind::Map(_)) {
        cx.error(
            node.mark,
            format!("`copy` takes `from:` and `to:`, {example}"),
        );
        return None;
    }
    let fields = cx.fields(node, "`copy`", COPY_KEYS, &|_| None)?;
    let end = |key: &str| -> Option<FileRef> {
        let Some(n) = fields.get(key) else {
            if !fields.misspelt(key) {
                cx.error(node.mark, format!("`copy` needs `{key}:`, {example}"));
            }
            return None;
        };
        file_ref(cx, n, key, ctx)
    };
    let from = end("from");
    let to = end("to");
    Some(Copy {
        from: from?,
        to: to?,
    })
}

/// `SERVER:/absolute/path`.
fn file_ref(cx: &Cx<'_>, node: &Node, key: &str, ctx: &StepContext<'_>) -> Option<FileRef> {
    let text = cx.nonempty_text(node, &format!("`{key}`"))?;
    let text = text.trim();
    let parsed = text
        .split_once(':')
        .filter(|(server, path)| is_server_name(server) && path.starts_with('/'));
    let Some((server, path)) = parsed else {
        cx.error(
            node.mark,
            format!(
                "`{}`: write the {key} file as SERVER:/absolute/path, like master:/master/checkpoint.ckp.1",
                clip(text)
            ),
        );
        return None;
    };
    ctx.names
        .check(cx, node.mark, server, &format!("`{key}:`"))
        .then(|| FileRef {
            server: server.to_owned(),
            path: path.to_owned(),
        })
}

fn read_snapshot_journals(cx: &Cx<'_>, node: &Node, ctx: &StepContext<'_>) -> Option<Vec<String>> {
    let list = cx.text_list(node, "`snapshot-journals`")?;
    if let [(all, _)] = list.as_slice()
        && all == "all"
    {
        return Some(ctx.servers.iter().map(|s| s.name.clone()).collect());
    }
    if list.is_empty() {
        cx.error(
            node.mark,
            "`snapshot-journals` names the servers whose journals to snapshot, like [master, standby], or `all`",
        );
        return None;
    }
    let mut ok = true;
    for (name, mark) in &list {
        ok &= ctx.names.check(cx, *mark, name, "`snapshot-journals:`");
    }
    ok.then(|| list.into_iter().map(|(n, _)| n).collect())
}

fn read_upgrade(cx: &Cx<'_>, node: &Node, ctx: &StepContext<'_>) -> Option<Upgrade> {
    let example = "like {server: standby, version: \"2023.2\"}";
    if !matches!(node.kind, Kind::Map(_)) {
        cx.error(
            node.mark,
            format!("`upgrade` takes `server:` and `version:`, {example}"),
        );
        return None;
    }
    let fields = cx.fields(node, "`upgrade`", UPGRADE_KEYS, &|_| None)?;
    let server = match fields.get("server") {
        Some(n) => cx
            .nonempty_text(n, "`server`")
            .filter(|s| ctx.names.check(cx, n.mark, s, "`upgrade: server`")),
        None => {
            if !fields.misspelt("server") {
                cx.error(node.mark, format!("`upgrade` needs `server:`, {example}"));
            }
            None
        }
    };
    let new_version = match fields.get("version") {
        Some(n) => version(cx, n, "`version`"),
        None => {
            if !fields.misspelt("version") {
                cx.error(node.mark, format!("`upgrade` needs `version:`, {example}"));
            }
            None
        }
    };
    let image = fields.get("image").and_then(|n| cx.opt_text(n, "`image`"));
    Some(Upgrade {
        server: server?,
        version: new_version?,
        image,
    })
}

fn read_check(
    cx: &Cx<'_>,
    fields: &Fields<'_>,
    node: &Node,
    ctx: &StepContext<'_>,
) -> Option<CheckDurability> {
    let check = cx.text(node, "`check`")?;
    if !CHECKS.contains(&check.as_str()) {
        cx.error(
            node.mark,
            format!(
                "unknown check `{}`{}",
                clip(&check),
                suggest::hint(
                    &check,
                    CHECKS.iter().copied(),
                    &format!("checks: {}", CHECKS.join(", "))
                ),
            ),
        );
        return None;
    }
    let new_master = match fields.get("new-master") {
        Some(n) => cx
            .nonempty_text(n, "`new-master`")
            .filter(|s| ctx.names.check(cx, n.mark, s, "`new-master:`")),
        None if fields.misspelt("new-master") => None,
        None => {
            cx.error(
                fields.mark,
                format!(
                    "`check: durability` needs `new-master:`, the server that is master after the \
                     failover (one of: {})",
                    ctx.names.list()
                ),
            );
            None
        }
    };
    let expect = match fields.get("expect") {
        Some(n) if !matches!(n.kind, Kind::Scalar(_)) => {
            cx.error(
                n.mark,
                "`expect` of a durability check is `safe` or `loss`, the verdict the checker must reach",
            );
            None
        }
        Some(n) => cx.choice(
            n,
            "`expect`",
            &[("safe", Durability::Safe), ("loss", Durability::Loss)],
        ),
        None => Some(Durability::Safe),
    };
    Some(CheckDurability {
        new_master: new_master?,
        expect: expect?,
    })
}

/// An `include` step: the fragment's steps, in place.
#[allow(clippy::too_many_arguments)]
fn read_include_step(
    loader: &mut Loader,
    cx: &Cx<'_>,
    fields: &Fields<'_>,
    include_node: &Node,
    stack: &IncludeStack,
    ctx: &StepContext<'_>,
    section: Option<String>,
    out: &mut Vec<Step>,
) {
    let Some(relative) = cx.nonempty_text(include_node, "`include`") else {
        return;
    };
    let with = fields
        .get("with")
        .map(|n| read_with(cx, n))
        .unwrap_or_default();
    let Some((loaded, key)) = loader.resolve(cx, include_node.mark, &relative, stack) else {
        return;
    };
    let Some(root) = &loaded.root else {
        return;
    };
    let file = FileCx {
        path: loaded.path.clone(),
        source: loaded.source.clone(),
        included_from: {
            let mut chain = vec![cx.loc(include_node.mark)];
            chain.extend(cx.file.included_from.iter().cloned());
            chain
        },
    };
    let outer = Cx {
        file: &file,
        scope: cx.scope,
        sink: cx.sink,
    };
    let place = "a fragment included as a step";
    let Some(fragment) = outer.fields(root, place, STEP_FRAGMENT_KEYS, &|key| {
        if matches!(key, "servers" | "preflight" | "include") {
            Some(format!(
                "`{key}` cannot appear in {place}: servers and preflight come from the scenario \
                 file or a fragment in its top-level `include:`, and a fragment includes others \
                 with `- include:` steps; this fragment holds only {}",
                list_keys(STEP_FRAGMENT_KEYS)
            ))
        } else {
            scenario_only(key, place, STEP_FRAGMENT_KEYS)
        }
    }) else {
        return;
    };
    // The fragment's `vars` are defaults: the includer's variables and the
    // `with:` parameters replace them.
    let defaults = read_vars(&outer, fragment.get("vars"));
    let scope = cx.scope.with_defaults(defaults).overlaid(with, true);
    let inner_cx = Cx {
        file: &file,
        scope: &scope,
        sink: cx.sink,
    };
    let mut inner_stack = stack.clone();
    inner_stack.push((key, loaded.path.clone()));
    let inner_ctx = StepContext {
        servers: ctx.servers,
        names: ctx.names,
        section,
    };
    let written = match fragment.get("steps") {
        Some(steps) => read_steps(loader, &inner_cx, steps, &inner_stack, &inner_ctx, out),
        None => 0,
    };
    if written == 0 {
        cx.error(
            include_node.mark,
            format!(
                "{} has no steps to include: give it a `steps:` list",
                loaded.path.display()
            ),
        );
    }
}
