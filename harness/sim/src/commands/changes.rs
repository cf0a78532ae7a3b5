//! Files and changes: `add`, `edit`, `delete`, `revert`, `opened`, `submit`, `change`, `changes`, `describe`, `files`, `print`, `fstat`, `sync`.

pub(crate) mod content;
pub(crate) mod filespec;
mod history;
mod open;
pub(crate) mod opts;
pub(crate) mod revs;
mod submit;
mod sync;
pub(crate) mod workspace;

use super::{Access, CmdResult, CommandSpec, Cx, OnReplica, cmd};
use crate::auth::Perm;

/// Commands of this module.
pub(super) const COMMANDS: &[CommandSpec] = &[
    cmd("add", Access::Level(Perm::Open), OnReplica::Write),
    cmd("edit", Access::Level(Perm::Open), OnReplica::Write),
    cmd("delete", Access::Level(Perm::Open), OnReplica::Write),
    cmd("revert", Access::Level(Perm::Open), OnReplica::Write),
    cmd("opened", Access::Level(Perm::List), OnReplica::Read),
    cmd("submit", Access::Level(Perm::Write), OnReplica::Write),
    cmd("change", Access::Level(Perm::Open), OnReplica::Write),
    cmd("changes", Access::Level(Perm::List), OnReplica::Read),
    cmd("describe", Access::Level(Perm::Read), OnReplica::Read),
    cmd("files", Access::Level(Perm::List), OnReplica::Read),
    cmd("print", Access::Level(Perm::Read), OnReplica::Read),
    cmd("fstat", Access::Level(Perm::List), OnReplica::Read),
    // sync records what the workspace has (db.have): a read-only
    // replica refuses it like any other metadata update.
    cmd("sync", Access::Level(Perm::Read), OnReplica::Write),
];

/// Runs the command if this module owns it.
pub(super) async fn dispatch(cx: &mut Cx<'_>) -> Option<CmdResult> {
    Some(match cx.cmd.as_str() {
        "add" => open::open(cx, revs::ADD).await,
        "edit" => open::open(cx, revs::EDIT).await,
        "delete" => open::open(cx, revs::DELETE).await,
        "revert" => open::revert(cx).await,
        "opened" => open::opened(cx).await,
        "submit" => submit::submit(cx).await,
        "change" => submit::change(cx).await,
        "changes" => history::changes(cx).await,
        "describe" => history::describe(cx).await,
        "files" => content::files(cx).await,
        "print" => content::print(cx).await,
        "fstat" => content::fstat(cx).await,
        "sync" => sync::sync(cx).await,
        _ => return None,
    })
}
