//! The workspace a command runs in (`db.domain` type 99 and its `db.view`
//! lines) and how file arguments in depot, client and local syntax are
//! matched against depot files through it.

use std::collections::BTreeSet;

use super::filespec::FileArg;
use crate::commands::{CmdError, Cx};
use crate::db::{Db, DbError, Value};
use crate::mapping::{MapEntry, MapFlag, MapTable, Pattern};

/// `db.domain.type` of a client workspace (`c`).
const CLIENT_DOMAIN: i64 = 99;

/// `db.domain.options` bit for `allwrite`.
// The schema does not list DomainOpts bits; this follows the order of the
// Options words in the client spec (allwrite first).
const ALLWRITE: i64 = 0x1;

/// A client workspace.
#[derive(Debug, Clone)]
pub(crate) struct Workspace {
    pub name: String,
    pub root: String,
    pub host: String,
    pub options: i64,
    pub view: MapTable,
    fold_case: bool,
}

impl Workspace {
    /// The workspace `name`, if it exists.
    pub fn load(db: &mut Db, name: &str) -> Result<Option<Workspace>, DbError> {
        let fold_case = db.fold_case();
        let Some(row) = db.get("db.domain", &[Value::text(name)])? else {
            return Ok(None);
        };
        if row[1].as_int() != CLIENT_DOMAIN {
            return Ok(None);
        }
        let mut lines: Vec<(i64, MapEntry)> = db
            .table("db.view")?
            .with_prefix(&[Value::text(name)])
            .map(|r| {
                (
                    r[1].as_int(),
                    MapEntry::new(
                        MapFlag::from_code(r[2].as_int()),
                        r[4].as_str().as_ref(),
                        r[3].as_str().as_ref(),
                    ),
                )
            })
            .collect();
        lines.sort_by_key(|(seq, _)| *seq);
        let mut view = MapTable::new(fold_case);
        for (_, e) in lines {
            view.push(e);
        }
        Ok(Some(Workspace {
            name: row[0].as_str().into_owned(),
            root: row[3].as_str().into_owned(),
            host: row[2].as_str().into_owned(),
            options: row[9].as_int(),
            view,
            fold_case,
        }))
    }

    /// The workspace of the request, or p4's error when it does not exist
    /// or may not be used from this host.
    pub fn require(cx: &Cx<'_>, db: &mut Db) -> Result<Workspace, CmdError> {
        let name = cx.req.client.clone();
        let ws = Workspace::load(db, &name)?.ok_or_else(|| {
            CmdError::failed(format!(
                "Client '{name}' unknown - use 'client' command to create it."
            ))
        })?;
        ws.check_host(cx)?;
        Ok(ws)
    }

    /// p4d refuses a workspace whose Host is set to another machine.
    pub fn check_host(&self, cx: &Cx<'_>) -> Result<(), CmdError> {
        if !self.host.is_empty() && !self.host.eq_ignore_ascii_case(&cx.req.host) {
            return Err(CmdError::failed(format!(
                "Client '{}' can only be used from host '{}'.",
                self.name, self.host
            )));
        }
        Ok(())
    }

    /// True when synced files are left writable.
    pub fn allwrite(&self) -> bool {
        self.options & ALLWRITE != 0
    }

    /// `//ws/a/b` -> `<root>/a/b`.
    pub fn client_to_local(&self, client_file: &str) -> String {
        let rest = client_file
            .strip_prefix(&format!("//{}/", self.name))
            .unwrap_or(client_file);
        format!("{}/{}", self.root.trim_end_matches('/'), rest)
    }

    /// `<root>/a/b` -> `//ws/a/b`; `None` when not under the root.
    pub fn local_to_client(&self, local: &str) -> Option<String> {
        let root = self.root.trim_end_matches('/');
        let rest = if self.fold_case {
            let (head, tail) = local.split_at(root.len().min(local.len()));
            if head.eq_ignore_ascii_case(root) {
                Some(tail)
            } else {
                None
            }
        } else {
            local.strip_prefix(root)
        }?;
        let rest = rest.strip_prefix('/')?;
        Some(format!("//{}/{}", self.name, rest))
    }

    /// The workspace file a depot file maps to.
    pub fn depot_to_client(&self, depot_file: &str) -> Option<String> {
        self.view.translate(depot_file)
    }

    /// The depot file a workspace file maps to.
    pub fn client_to_depot(&self, client_file: &str) -> Option<String> {
        self.view.translate_back(client_file)
    }

    /// The mode p4 gives a synced file.
    pub fn file_mode(&self, file_type: crate::archive::FileType, writable: bool) -> u32 {
        let base = if writable || self.allwrite() || file_type.is_always_writable() {
            0o644
        } else {
            0o444
        };
        if file_type.is_executable() {
            base | 0o111
        } else {
            base
        }
    }
}

/// How a file argument names files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `//depot/...`.
    Depot,
    /// `//<client>/...`.
    Client,
    /// A path on the client machine.
    Local,
}

/// Matches file arguments against depot files.
pub(crate) struct Resolver {
    pub ws: Option<Workspace>,
    client: String,
    cwd: String,
    depots: BTreeSet<String>,
    fold_case: bool,
}

impl Resolver {
    /// A resolver for the request's client and working directory.
    pub fn new(cx: &Cx<'_>, db: &mut Db) -> Result<Resolver, CmdError> {
        let ws = Workspace::load(db, &cx.req.client)?;
        let depots = db
            .rows("db.depot")?
            .into_iter()
            .map(|r| r[0].as_str().into_owned())
            .collect();
        Ok(Resolver {
            ws,
            client: cx.req.client.clone(),
            cwd: cx.req.cwd.clone(),
            depots,
            fold_case: db.fold_case(),
        })
    }

    /// The syntax of a path.
    pub fn syntax(&self, path: &str) -> Syntax {
        let Some(rest) = path.strip_prefix("//") else {
            return Syntax::Local;
        };
        let first = rest.split('/').next().unwrap_or("");
        let same = |a: &str, b: &str| {
            if self.fold_case {
                a.eq_ignore_ascii_case(b)
            } else {
                a == b
            }
        };
        if self.depots.iter().any(|d| same(d, first)) {
            Syntax::Depot
        } else if self.ws.is_some() && same(first, &self.client) {
            Syntax::Client
        } else {
            Syntax::Depot
        }
    }

    /// The absolute local path an argument names.
    pub fn local_path(&self, path: &str) -> String {
        let p = p4ha_hostfs::resolve(std::path::Path::new(&self.cwd), path)
            .display()
            .to_string();
        if path.ends_with('/') && !p.ends_with('/') {
            format!("{p}/")
        } else {
            p
        }
    }

    /// Checks that an argument can be resolved: local and client syntax
    /// need the workspace.
    pub fn check(&self, arg: &FileArg) -> Result<(), CmdError> {
        if self.syntax(&arg.path) == Syntax::Local && self.ws.is_none() {
            return Err(CmdError::failed(format!(
                "{} - must create client '{}' to access local files.",
                arg.text, self.client
            )));
        }
        Ok(())
    }

    /// True when `depot_file` is named by the argument path (wildcards
    /// allowed), seen through the workspace for client and local syntax.
    pub fn matches(&self, path: &str, depot_file: &str) -> bool {
        match self.syntax(path) {
            Syntax::Depot => Pattern::new(path).matches(depot_file, self.fold_case),
            Syntax::Client => self
                .ws
                .as_ref()
                .and_then(|ws| ws.depot_to_client(depot_file))
                .is_some_and(|c| Pattern::new(path).matches(&c, self.fold_case)),
            Syntax::Local => {
                let Some(ws) = &self.ws else { return false };
                let Some(c) = ws.depot_to_client(depot_file) else {
                    return false;
                };
                Pattern::new(&self.local_path(path))
                    .matches(&ws.client_to_local(&c), self.fold_case)
            }
        }
    }

    /// True when the argument lies (at least partly) inside the workspace
    /// view; used to tell "not in client view" from "no such file".
    pub fn in_view(&self, path: &str) -> bool {
        let Some(ws) = &self.ws else { return true };
        match self.syntax(path) {
            Syntax::Depot => {
                if Pattern::new(path).is_wild() {
                    return true;
                }
                ws.depot_to_client(path).is_some()
            }
            Syntax::Client => Pattern::new(path).is_wild() || ws.client_to_depot(path).is_some(),
            Syntax::Local => {
                let local = self.local_path(path);
                if Pattern::new(&local).is_wild() {
                    return ws.local_to_client(&local).is_some()
                        || local.starts_with(ws.root.trim_end_matches('/'));
                }
                ws.local_to_client(&local)
                    .and_then(|c| ws.client_to_depot(&c))
                    .is_some()
            }
        }
    }

    /// For a single file (no wildcards): its (client file, depot file),
    /// or the message p4 gives when it cannot be placed.
    pub fn place(&self, arg: &FileArg) -> Result<(String, String), Placement> {
        let ws = self.ws.as_ref().ok_or(Placement::NoClient)?;
        match self.syntax(&arg.path) {
            Syntax::Depot => {
                let c = ws.depot_to_client(&arg.path).ok_or(Placement::NotInView)?;
                Ok((c, arg.path.clone()))
            }
            Syntax::Client => {
                let d = ws.client_to_depot(&arg.path).ok_or(Placement::NotInView)?;
                Ok((arg.path.clone(), d))
            }
            Syntax::Local => {
                let local = self.local_path(&arg.path);
                let c = ws
                    .local_to_client(&local)
                    .ok_or_else(|| Placement::NotUnderRoot(local.clone(), ws.root.clone()))?;
                let d = ws.client_to_depot(&c).ok_or(Placement::NotInView)?;
                Ok((c, d))
            }
        }
    }
}

/// Why a file could not be placed in the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Placement {
    /// No workspace.
    NoClient,
    /// Outside the view.
    NotInView,
    /// A local path outside the client root (path, root).
    NotUnderRoot(String, String),
}

impl Placement {
    /// Reports the problem for `arg` on `cx` (warnings as p4 words them).
    pub fn report(&self, cx: &mut Cx<'_>, arg: &FileArg) {
        match self {
            Placement::NoClient => cx.error(format!(
                "{} - must create client '{}' to access local files.",
                arg.text, cx.req.client
            )),
            Placement::NotInView => cx.warn(format!("{} - file(s) not in client view.", arg.text)),
            Placement::NotUnderRoot(path, root) => cx.error(format!(
                "Path '{path}' is not under client's root '{root}'."
            )),
        }
    }
}
