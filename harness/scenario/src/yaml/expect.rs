//! `expect:` and `until:`.

use super::node::{Kind, Node, clip};
use super::read::Cx;
use crate::model::{ExitStatus, Expect, OutputPattern, Same, Until};

/// Keys of `expect:`.
pub const EXPECT_KEYS: &[&str] = &[
    "exit",
    "stdout",
    "stderr",
    "contains",
    "not-contains",
    "matches",
    "not-matches",
];

/// Keys of `until:`.
pub const UNTIL_KEYS: &[&str] = &[
    "exit",
    "stdout",
    "stderr",
    "contains",
    "not-contains",
    "matches",
    "not-matches",
    "same",
];

/// Reads `expect:`; `None` when it has errors (already reported).
pub(crate) fn read_expect(cx: &Cx<'_>, node: &Node) -> Option<Expect> {
    let fields = cx.fields(node, "`expect`", EXPECT_KEYS, &|key| {
        (key == "same").then(|| {
            "`same` belongs under `until:` of a `wait` step, where the command is repeated until \
             the values agree"
                .to_owned()
        })
    })?;
    read_checks(cx, &fields)
}

/// Reads `until:`.
pub(crate) fn read_until(cx: &Cx<'_>, node: &Node) -> Option<Until> {
    let fields = cx.fields(node, "`until`", UNTIL_KEYS, &|_| None)?;
    let before = cx.sink.count();
    let expect = read_checks(cx, &fields);
    let mut same = Vec::new();
    if let Some(n) = fields.get("same") {
        for (text, mark) in cx.text_list(n, "`same`").unwrap_or_default() {
            let at = Node {
                mark,
                kind: Kind::Null,
            };
            if let Some(regex) = cx.regex(&at, &text, "`same`") {
                same.push(Same { regex });
            }
        }
    }
    (cx.sink.count() == before).then_some(Until {
        expect: expect?,
        same,
    })
}

fn read_checks(cx: &Cx<'_>, fields: &super::read::Fields<'_>) -> Option<Expect> {
    let before = cx.sink.count();
    let mut expect = Expect::default();
    if let Some(n) = fields.get("exit")
        && let Some(status) = exit_status(cx, n)
    {
        expect.exit = status;
    }
    for (key, slot) in [
        ("stdout", &mut expect.stdout),
        ("stderr", &mut expect.stderr),
    ] {
        if let Some(n) = fields.get(key) {
            match &n.kind {
                Kind::Null => cx.error(
                    n.mark,
                    format!("`{key}` needs the expected text; to expect no output at all write `{key}: \"\"`"),
                ),
                _ => {
                    if let Some(text) = cx.text(n, &format!("`{key}`")) {
                        *slot = Some(OutputPattern::new(&text));
                    }
                }
            }
        }
    }
    for (key, slot) in [
        ("contains", &mut expect.contains),
        ("not-contains", &mut expect.not_contains),
    ] {
        if let Some(n) = fields.get(key) {
            for (text, mark) in cx.text_list(n, &format!("`{key}`")).unwrap_or_default() {
                if text.is_empty() {
                    cx.error(
                        mark,
                        format!("`{key}` has an empty text, which every output contains"),
                    );
                } else {
                    slot.push(text);
                }
            }
        }
    }
    for (key, slot) in [
        ("matches", &mut expect.matches),
        ("not-matches", &mut expect.not_matches),
    ] {
        if let Some(n) = fields.get(key) {
            for (text, mark) in cx.text_list(n, &format!("`{key}`")).unwrap_or_default() {
                let at = Node {
                    mark,
                    kind: Kind::Null,
                };
                if let Some(regex) = cx.regex(&at, &text, &format!("`{key}`")) {
                    slot.push(regex);
                }
            }
        }
    }
    (cx.sink.count() == before).then_some(expect)
}

fn exit_status(cx: &Cx<'_>, node: &Node) -> Option<ExitStatus> {
    let text = cx.text(node, "`exit`")?;
    match text.trim() {
        "success" => Some(ExitStatus::Success),
        "failure" => Some(ExitStatus::Failure),
        "any" => Some(ExitStatus::Any),
        other => match other.parse::<i32>() {
            Ok(code) if (0..=255).contains(&code) => Some(ExitStatus::Code(code)),
            _ => {
                cx.error(
                    node.mark,
                    format!(
                        "`exit` is a number from 0 to 255, `success`, `failure` or `any`, not `{}`",
                        clip(other)
                    ),
                );
                None
            }
        },
    }
}
