//! Reading a scenario file and its fragments, and assembling the scenario.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use super::node::{self, Key, Kind, Mark, Node};
use super::read::{Cx, FileCx, Sink, list_keys};
use super::servers::{self, ServerNames};
use super::steps;
use super::template::{Scope, Var, is_var_name};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Location, Preflight, Scenario, Server};

/// Keys of a scenario file.
pub const SCENARIO_KEYS: &[&str] = &[
    "name",
    "description",
    "source",
    "tags",
    "seed",
    "clock",
    "vars",
    "include",
    "servers",
    "preflight",
    "steps",
];

/// Keys of a fragment included at the top of a scenario (`include:`).
pub const FRAGMENT_KEYS: &[&str] = &[
    "description",
    "vars",
    "include",
    "servers",
    "preflight",
    "steps",
];

/// Keys of a fragment included as a step.
pub const STEP_FRAGMENT_KEYS: &[&str] = &["description", "vars", "steps"];

/// Keys of an item of a top-level `include:` list written as a mapping.
const INCLUDE_ITEM_KEYS: &[&str] = &["file", "with"];

/// A file that has been read and parsed (once per scenario, however often it
/// is included).
pub(crate) struct Loaded {
    pub(crate) path: Arc<Path>,
    pub(crate) source: Rc<str>,
    pub(crate) root: Option<Node>,
}

/// The files of one scenario.
#[derive(Default)]
pub(crate) struct Loader {
    cache: HashMap<PathBuf, Rc<Loaded>>,
    /// Files in the order they were first read.
    pub(crate) files: Vec<Arc<Path>>,
}

/// An open include: the files being read, outermost first, to find cycles.
pub(crate) type IncludeStack = Vec<(PathBuf, Arc<Path>)>;

/// A file taking part at the top level: the scenario file or a fragment in
/// its `include:` (directly or through other fragments).
struct Unit {
    file: FileCx,
    entries: Vec<(Key, Node)>,
    /// Index of the unit whose `include:` brought this one in.
    parent: Option<usize>,
    /// The `with:` parameters, not yet expanded.
    with: Option<Node>,
    /// The file's identity, to read a fragment included twice only once.
    key: PathBuf,
}

/// Reads the scenario in `source`, named `path` in messages and used to
/// resolve includes.
pub(crate) fn load(path: &Path, source: String) -> Result<Scenario, Diagnostics> {
    let sink = Sink::default();
    let mut loader = Loader::default();
    let scenario = assemble(&mut loader, &sink, path, source);
    let diagnostics = sink.take();
    match scenario {
        Some(scenario) if diagnostics.is_empty() => Ok(scenario),
        _ => Err(Diagnostics::from_unsorted(diagnostics)),
    }
}

fn assemble(loader: &mut Loader, sink: &Sink, path: &Path, source: String) -> Option<Scenario> {
    let display: Arc<Path> = Arc::from(normalise(path));
    let canonical = canonical_key(path);
    let source: Rc<str> = Rc::from(source);
    let parsed = node::parse(&source);
    loader.files.push(display.clone());
    let main_file = FileCx {
        path: display.clone(),
        source: source.clone(),
        included_from: Vec::new(),
    };
    loader.cache.insert(
        canonical.clone(),
        Rc::new(Loaded {
            path: display.clone(),
            source,
            root: parsed.root.clone(),
        }),
    );
    let empty = Scope::default();
    let cx = Cx {
        file: &main_file,
        scope: &empty,
        sink,
    };
    for error in &parsed.errors {
        cx.error(error.mark, error.message.clone());
    }
    let Some(root) = parsed.root else {
        if parsed.errors.is_empty() {
            cx.error(
                Mark::START,
                "the file is empty: a scenario needs at least `servers:` and `steps:`",
            );
        }
        return None;
    };
    let fields = cx.fields(&root, "the scenario", SCENARIO_KEYS, &|_| None)?;

    // The scenario file (unit 0) and its top-level fragments, each unit after
    // the one that includes it; `order` lists them fragments first.
    let stack: IncludeStack = vec![(canonical.clone(), display.clone())];
    let mut units: Vec<Unit> = vec![Unit {
        file: main_file.clone(),
        entries: fields.entries.to_vec(),
        parent: None,
        with: None,
        key: canonical,
    }];
    let mut order: Vec<usize> = Vec::new();
    if let Some(include) = fields.get("include") {
        collect_includes(loader, &cx, include, &stack, &mut units, &mut order, 0);
    }
    order.push(0);

    // Variables: every unit's `vars`, the scenario file's last so they win.
    let mut all_vars: Vec<(String, Var)> = Vec::new();
    for unit in order.iter().map(|&i| &units[i]) {
        let ucx = Cx {
            file: &unit.file,
            scope: &empty,
            sink,
        };
        all_vars.extend(read_vars(&ucx, get(&unit.entries, "vars")));
    }
    let main_scope = Scope::new(all_vars, false);
    let scopes = unit_scopes(&units, &main_scope, sink);

    // Servers, from every unit in order.
    let mut server_list: Vec<Server> = Vec::new();
    let mut names = ServerNames::default();
    for (unit, scope) in order.iter().map(|&i| (&units[i], &scopes[i])) {
        if let Some(node) = get(&unit.entries, "servers") {
            let ucx = Cx {
                file: &unit.file,
                scope,
                sink,
            };
            servers::read_servers(&ucx, node, &mut server_list, &mut names);
        }
    }
    servers::check_topology(&server_list, sink);

    // Preflight: later units override earlier ones key by key.
    let mut preflight = Preflight::default();
    for (unit, scope) in order.iter().map(|&i| (&units[i], &scopes[i])) {
        if let Some((key, node)) = get_entry(&unit.entries, "preflight") {
            let ucx = Cx {
                file: &unit.file,
                scope,
                sink,
            };
            servers::read_preflight(&ucx, key, node, &mut preflight, &names);
        }
    }

    // Steps, fragments' first.
    let mut step_list = Vec::new();
    let mut written = 0usize;
    for (unit, scope) in order.iter().map(|&i| (&units[i], &scopes[i])) {
        if let Some(node) = get(&unit.entries, "steps") {
            let ucx = Cx {
                file: &unit.file,
                scope,
                sink,
            };
            let unit_stack = include_stack_of(&units, unit);
            written += steps::read_steps(
                loader,
                &ucx,
                node,
                &unit_stack,
                &steps::StepContext {
                    servers: &server_list,
                    names: &names,
                    section: None,
                },
                &mut step_list,
            );
        }
    }

    let main = &units[0];
    let mcx = Cx {
        file: &main.file,
        scope: &main_scope,
        sink,
    };
    // A misspelt `steps:` key has been reported already; "no steps" would
    // only repeat it.
    let steps_misspelt = main.entries.iter().any(|(k, _)| {
        !SCENARIO_KEYS.contains(&k.text.as_str())
            && crate::suggest::did_you_mean(&k.text, ["steps"]).is_some()
    });
    if written == 0 && !steps_misspelt {
        match get_entry(&main.entries, "steps") {
            Some((key, _)) => mcx.error(
                key.mark,
                "`steps` is empty: add at least one step, such as `- on: master` with `run: p4 info`",
            ),
            None => mcx.error(
                Mark::START,
                "the scenario has no steps: add a `steps:` list with at least one step",
            ),
        }
    }
    if server_list.is_empty() && names.is_empty() && sink.count() == 0 {
        mcx.error(
            Mark::START,
            "the scenario has no servers: add a `servers:` mapping naming at least one server",
        );
    }

    let scenario = read_header(
        &mcx,
        &main.entries,
        path,
        server_list,
        preflight,
        step_list,
        loader,
    );
    (sink.count() == 0).then_some(scenario).flatten()
}

/// The header keys of the scenario file.
fn read_header(
    cx: &Cx<'_>,
    entries: &[(Key, Node)],
    path: &Path,
    servers: Vec<Server>,
    preflight: Preflight,
    steps: Vec<crate::model::Step>,
    loader: &Loader,
) -> Option<Scenario> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match get(entries, "name") {
        Some(node) => {
            let name = cx.nonempty_text(node, "`name`")?;
            if !is_scenario_name(&name) {
                cx.error(
                    node.mark,
                    format!(
                        "`{name}` cannot be a scenario name: names appear in snapshot file names, \
                         so use letters, digits, `-`, `_` and `.`"
                    ),
                );
            }
            name
        }
        None => {
            if !is_scenario_name(&stem) {
                cx.error(
                    Mark::START,
                    format!(
                        "the file name gives the scenario the name `{stem}`, which cannot appear \
                         in snapshot file names: rename the file, or set `name:` using letters, \
                         digits, `-`, `_` and `.`"
                    ),
                );
            }
            stem
        }
    };
    let description = get(entries, "description").and_then(|n| cx.opt_text(n, "`description`"));
    let source = get(entries, "source").and_then(|n| cx.opt_text(n, "`source`"));
    let tags = match get(entries, "tags") {
        Some(node) => {
            let tags = cx.text_list(node, "`tags`").unwrap_or_default();
            for (tag, mark) in &tags {
                if !is_scenario_name(tag) {
                    cx.error(
                        *mark,
                        format!("`{tag}` cannot be a tag: use letters, digits, `-`, `_` and `.`"),
                    );
                }
            }
            tags.into_iter().map(|(t, _)| t).collect()
        }
        None => Vec::new(),
    };
    let seed = get(entries, "seed").and_then(|n| {
        cx.integer(
            n,
            "`seed`",
            "a whole number from 0",
            0..=i128::from(u64::MAX),
        )
        .and_then(|v| u64::try_from(v).ok())
    });
    let clock = get(entries, "clock").and_then(|node| {
        let text = cx.text(node, "`clock`")?;
        match text.trim().parse::<jiff::Timestamp>() {
            Ok(t) => Some(t),
            Err(_) => {
                cx.error(
                    node.mark,
                    format!(
                        "`clock` must be a date and time with its offset (RFC 3339), like \
                         \"2019-10-18T13:30:00+09:00\", not `{}`",
                        node::clip(&text)
                    ),
                );
                None
            }
        }
    });
    Some(Scenario {
        name,
        file: cx.file.path.clone(),
        files: loader.files.clone(),
        description,
        source,
        tags,
        seed,
        clock,
        servers,
        preflight,
        steps,
    })
}

/// Letters, digits, `-`, `_`, `.`, not starting with a punctuation mark.
fn is_scenario_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

pub(crate) fn get<'n>(entries: &'n [(Key, Node)], key: &str) -> Option<&'n Node> {
    entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v)
}

fn get_entry<'n>(entries: &'n [(Key, Node)], key: &str) -> Option<(&'n Key, &'n Node)> {
    entries
        .iter()
        .find(|(k, _)| k.text == key)
        .map(|(k, v)| (k, v))
}

/// The include stack leading to `unit` (its ancestors, then itself).
fn include_stack_of(units: &[Unit], unit: &Unit) -> IncludeStack {
    let mut chain = Vec::new();
    let mut current = Some(unit);
    while let Some(u) = current {
        chain.push((u.key.clone(), u.file.path.clone()));
        current = u.parent.and_then(|p| units.get(p));
    }
    chain.reverse();
    chain
}

/// Each unit's scope: the scenario's variables, overlaid with the `with:`
/// parameters of the include that brought the unit in (expanded in the
/// including unit's scope). Units come after their includer, so the
/// includer's scope is known first.
fn unit_scopes(units: &[Unit], main_scope: &Scope, sink: &Sink) -> Vec<Scope> {
    let mut scopes: Vec<Scope> = Vec::with_capacity(units.len());
    for unit in units {
        let scope = match (unit.parent, &unit.with) {
            (Some(parent), Some(with)) if parent < scopes.len() => {
                let pcx = Cx {
                    file: &units[parent].file,
                    scope: &scopes[parent],
                    sink,
                };
                main_scope.overlaid(read_with(&pcx, with), true)
            }
            (Some(_), _) => main_scope.overlaid(Vec::new(), true),
            (None, _) => main_scope.clone(),
        };
        scopes.push(scope);
    }
    scopes
}

/// Walks a top-level `include:` value, adding each fragment (and, after it,
/// the fragments it includes) to `units`, and to `order` after the fragments
/// it includes.
fn collect_includes(
    loader: &mut Loader,
    cx: &Cx<'_>,
    include: &Node,
    stack: &IncludeStack,
    units: &mut Vec<Unit>,
    order: &mut Vec<usize>,
    parent: usize,
) {
    let items: Vec<&Node> = match &include.kind {
        Kind::Seq(items) => items.iter().collect(),
        Kind::Null => Vec::new(),
        _ => vec![include],
    };
    for item in items {
        let (file_node, with) = match &item.kind {
            Kind::Map(_) => {
                let Some(fields) =
                    cx.fields(item, "an `include:` item", INCLUDE_ITEM_KEYS, &|_| None)
                else {
                    continue;
                };
                let Some(file) = fields.get("file") else {
                    cx.error(
                        item.mark,
                        "an `include:` item written as a mapping needs `file:`, like \
                         {file: fragments/topology.yaml, with: {version: \"2019.1\"}}",
                    );
                    continue;
                };
                (file, fields.get("with").cloned())
            }
            _ => (item, None),
        };
        let Some(relative) = cx.nonempty_text(file_node, "an include path") else {
            continue;
        };
        let Some((loaded, key)) = loader.resolve(cx, file_node.mark, &relative, stack) else {
            continue;
        };
        // A fragment reached twice without parameters (a shared topology
        // included by two fragments) is read once.
        if with.is_none() && units.iter().any(|u| u.key == key && u.with.is_none()) {
            continue;
        }
        let Some(root) = &loaded.root else {
            continue;
        };
        let file = FileCx {
            path: loaded.path.clone(),
            source: loaded.source.clone(),
            included_from: {
                let mut chain = vec![cx.loc(file_node.mark)];
                chain.extend(cx.file.included_from.iter().cloned());
                chain
            },
        };
        let fcx = Cx {
            file: &file,
            scope: cx.scope,
            sink: cx.sink,
        };
        let Some(fields) = fcx.fields(root, "a fragment", FRAGMENT_KEYS, &|key| {
            scenario_only(key, "a fragment", FRAGMENT_KEYS)
        }) else {
            continue;
        };
        let me = units.len();
        units.push(Unit {
            file: file.clone(),
            entries: fields.entries.to_vec(),
            parent: Some(parent),
            with,
            key: key.clone(),
        });
        if let Some(nested) = fields.get("include") {
            let mut inner = stack.clone();
            inner.push((key, loaded.path.clone()));
            collect_includes(loader, &fcx, nested, &inner, units, order, me);
        }
        order.push(me);
    }
}

/// The message for a scenario key written in a fragment.
pub(crate) fn scenario_only(key: &str, place: &str, allowed: &[&str]) -> Option<String> {
    let scenario_keys = ["name", "source", "tags", "seed", "clock"];
    if scenario_keys.contains(&key) || (SCENARIO_KEYS.contains(&key) && !allowed.contains(&key)) {
        Some(format!(
            "`{key}` cannot appear in {place}: it belongs to the scenario file; {place} holds only {}",
            list_keys(allowed)
        ))
    } else {
        None
    }
}

/// `vars:`, unexpanded.
pub(crate) fn read_vars(cx: &Cx<'_>, node: Option<&Node>) -> Vec<(String, Var)> {
    let Some(node) = node else {
        return Vec::new();
    };
    let Some(entries) = cx.mapping(node, "`vars`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        if !is_var_name(&key.text) {
            cx.error(
                key.mark,
                format!(
                    "`{}` cannot be a variable name: use letters, digits, `_` and `-`, starting \
                     with a letter",
                    node::clip(&key.text)
                ),
            );
            continue;
        }
        let text = match &value.kind {
            Kind::Scalar(s) => s.text.clone(),
            Kind::Null => String::new(),
            _ => {
                cx.error(
                    value.mark,
                    format!(
                        "variable `{}` must hold text, not {}",
                        key.text,
                        value.describe()
                    ),
                );
                continue;
            }
        };
        out.push((
            key.text.clone(),
            Var {
                value: text,
                literal: false,
                location: cx.loc(value.mark),
            },
        ));
    }
    out
}

/// `with:` parameters, expanded in `cx`'s scope.
pub(crate) fn read_with(cx: &Cx<'_>, node: &Node) -> Vec<(String, Var)> {
    let Some(entries) = cx.mapping(node, "`with`") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries {
        if !is_var_name(&key.text) {
            cx.error(
                key.mark,
                format!(
                    "`{}` cannot be a parameter name: use letters, digits, `_` and `-`, starting \
                     with a letter",
                    node::clip(&key.text)
                ),
            );
            continue;
        }
        let text = match &value.kind {
            Kind::Null => Some(String::new()),
            Kind::Scalar(_) => cx.expanded(value),
            _ => {
                cx.error(
                    value.mark,
                    format!(
                        "parameter `{}` must be text, not {}",
                        key.text,
                        value.describe()
                    ),
                );
                None
            }
        };
        if let Some(text) = text {
            out.push((
                key.text.clone(),
                Var {
                    value: text,
                    literal: true,
                    location: cx.loc(value.mark),
                },
            ));
        }
    }
    out
}

impl Loader {
    /// Reads the file `relative` names (relative to the including file),
    /// reporting a missing file or a cycle at `mark`.
    pub(crate) fn resolve(
        &mut self,
        cx: &Cx<'_>,
        mark: Mark,
        relative: &str,
        stack: &IncludeStack,
    ) -> Option<(Rc<Loaded>, PathBuf)> {
        let base = cx.file.path.parent().unwrap_or(Path::new(""));
        let joined = base.join(relative.trim());
        let shown = normalise(&joined);
        let key = canonical_key(&joined);
        if let Some(position) = stack.iter().position(|(k, _)| *k == key) {
            let chain: Vec<String> = stack[position..]
                .iter()
                .map(|(_, p)| p.display().to_string())
                .collect();
            let cycle = if chain.len() == 1 {
                format!("{} includes itself", chain[0])
            } else {
                format!(
                    "{}, which includes {} again",
                    chain.join(", which includes "),
                    chain[0]
                )
                .replacen(", which includes ", " includes ", 1)
            };
            cx.error(
                mark,
                format!(
                    "include cycle: {cycle}; a file cannot include itself, directly or through \
                     other fragments: remove one of these includes"
                ),
            );
            return None;
        }
        if let Some(done) = self.cache.get(&key) {
            return Some((done.clone(), key));
        }
        let text = match std::fs::read(&joined) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(text) => text,
                Err(_) => {
                    cx.error(
                        mark,
                        format!("include file {} is not UTF-8 text", shown.display()),
                    );
                    return None;
                }
            },
            Err(error) => {
                let why = match error.kind() {
                    std::io::ErrorKind::NotFound => "no such file".to_owned(),
                    std::io::ErrorKind::IsADirectory => "it is a folder; name a file".to_owned(),
                    _ => error.to_string(),
                };
                cx.error(
                    mark,
                    format!(
                        "cannot read include file `{relative}` (looked for {}): {why}; include \
                         paths are relative to the file that includes them",
                        shown.display()
                    ),
                );
                return None;
            }
        };
        let source: Rc<str> = Rc::from(text);
        let parsed = node::parse(&source);
        let path: Arc<Path> = Arc::from(shown);
        let file = FileCx {
            path: path.clone(),
            source: source.clone(),
            included_from: {
                let mut chain = vec![cx.loc(mark)];
                chain.extend(cx.file.included_from.iter().cloned());
                chain
            },
        };
        for error in &parsed.errors {
            cx.sink.push(Diagnostic {
                location: file.location(error.mark),
                message: error.message.clone(),
                included_from: file.included_from.clone(),
            });
        }
        if parsed.root.is_none() && parsed.errors.is_empty() {
            cx.sink.push(Diagnostic {
                location: Location::new(path.clone(), 1, 1),
                message: "the fragment is empty: give it `steps:`, `servers:` or `vars:`"
                    .to_owned(),
                included_from: file.included_from.clone(),
            });
        }
        let loaded = Rc::new(Loaded {
            path: path.clone(),
            source,
            root: parsed.root,
        });
        self.files.push(path);
        self.cache.insert(key.clone(), loaded.clone());
        Some((loaded, key))
    }
}

/// The identity of a file for cycle detection: its canonical path when it
/// exists, else the normalised path.
fn canonical_key(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| normalise(path))
}

/// `a/./b/../c` -> `a/c`, for display (and identity of missing files).
pub(crate) fn normalise(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if matches!(out.components().next_back(), Some(Component::Normal(_))) {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}
