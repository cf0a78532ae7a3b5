//! Change history: `p4 changes` and `p4 describe`.

use similar::{Algorithm, DiffOp, capture_diff_slices};

use super::filespec::{RevSpec, parse_arg};
use super::opts;
use super::revs::{self, Rev, action_name};
use super::workspace::Resolver;
use crate::archive::{Librarian, delta::split_lines};
use crate::commands::{CmdError, CmdResult, Cx};
use crate::db::{Row, Value};

const USAGE_CHANGES: &str =
    "changes [-i -t -l -L -f -c client -e changelist# -m count -s status -u user] [files...]";
const USAGE_DESCRIBE: &str = "describe [-d<flags> -m max -s -S -f -O -I] changelist# ...";

/// A `db.change` row.
struct Change {
    number: i64,
    desc_key: i64,
    client: String,
    user: String,
    date: i64,
    pending: bool,
    short: String,
}

impl Change {
    fn from_row(r: &Row) -> Change {
        Change {
            number: r[0].as_int(),
            desc_key: r[1].as_int(),
            client: r[2].as_str().into_owned(),
            user: r[3].as_str().into_owned(),
            date: r[4].as_int(),
            pending: r[5].as_int() & 1 == 0,
            short: r[6].as_str().into_owned(),
        }
    }
}

/// A description's first 31 characters on one line, as `p4 changes`
/// quotes it.
fn one_line(desc: &str) -> String {
    desc.chars()
        .take(31)
        .map(|c| {
            if c == '\n' || c == '\t' || c == '\r' {
                ' '
            } else {
                c
            }
        })
        .collect()
}

fn tab_indented(desc: &str) -> String {
    desc.lines().map(|l| format!("\t{l}\n")).collect()
}

/// `p4 changes`.
pub(crate) async fn changes(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "itlLfc:e:m:s:u:", USAGE_CHANGES)?;
    let max = o.number('m', USAGE_CHANGES)?;
    let since = o.number('e', USAGE_CHANGES)?;
    let status = o.value('s');
    if let Some(s) = status.filter(|s| !matches!(*s, "pending" | "submitted" | "shelved")) {
        return Err(CmdError::failed(format!(
            "Invalid changelist status '{s}'."
        )));
    }
    let zone = cx.srv.zone();
    let mut db = cx.db();
    let resolver = Resolver::new(cx, &mut db)?;
    let args: Vec<_> = o
        .args
        .iter()
        .map(|a| parse_arg(a, &zone))
        .collect::<Result<_, _>>()?;
    for a in &args {
        resolver.check(a)?;
    }
    let mut list: Vec<Change> = db.rows("db.change")?.iter().map(Change::from_row).collect();
    if !args.is_empty() {
        let revcx = db.rows("db.revcx")?;
        let working = revs::all_working(&mut db)?;
        let all = revs::all_revisions(&mut db)?;
        let mut wanted = std::collections::BTreeSet::new();
        for a in &args {
            for r in &revcx {
                let (change, file, rev) = (r[0].as_int(), r[1].as_str(), r[2].as_int());
                if !resolver.matches(&a.path, &file) {
                    continue;
                }
                let ok = match a.rev {
                    None => true,
                    Some((Some(from), to)) => all
                        .get(file.as_ref())
                        .and_then(|rs| {
                            rs.iter()
                                .find(|x| x.rev == rev)
                                .map(|x| (x, rs.first().map(|h| h.rev).unwrap_or(0)))
                        })
                        .is_some_and(|(x, head)| revs::in_range(x, from, to, None, head)),
                    Some((None, spec)) => match spec {
                        RevSpec::Change(c) => change <= c,
                        RevSpec::Num(n) => rev <= n,
                        RevSpec::Date(t) => all
                            .get(file.as_ref())
                            .and_then(|rs| rs.iter().find(|x| x.rev == rev))
                            .is_some_and(|x| x.date <= t),
                        RevSpec::Head | RevSpec::Have => true,
                    },
                };
                if ok {
                    wanted.insert(change);
                }
            }
            for w in &working {
                if w.change != 0 && a.rev.is_none() && resolver.matches(&a.path, &w.depot_file) {
                    wanted.insert(w.change);
                }
            }
        }
        list.retain(|c| wanted.contains(&c.number));
    }
    list.retain(|c| match status {
        Some("pending") => c.pending,
        Some("submitted") => !c.pending,
        Some(_) => false,
        None => true,
    });
    list.retain(|c| {
        o.value('u').is_none_or(|u| c.user == u) && o.value('c').is_none_or(|cl| c.client == cl)
    });
    list.retain(|c| since.is_none_or(|e| c.number >= e));
    list.sort_by_key(|c| std::cmp::Reverse(c.number));
    if let Some(m) = max {
        list.truncate(usize::try_from(m).unwrap_or(0));
    }
    let long = o.has('l') || o.has('L');
    for c in list {
        let date = if o.has('t') {
            zone.datetime(c.date)
        } else {
            zone.date(c.date)
        };
        let pending = if c.pending { " *pending*" } else { "" };
        let head = format!(
            "Change {} on {date} by {}@{}{pending}",
            c.number, c.user, c.client
        );
        if long {
            let mut desc = db
                .get("db.desc", &[Value::Int(c.desc_key)])?
                .map(|r| r[1].as_str().into_owned())
                .unwrap_or_default();
            if o.has('L') && !o.has('l') {
                desc = desc.chars().take(250).collect();
            }
            cx.info(format!("{head}\n\n{}", tab_indented(&desc)));
        } else {
            let desc = db
                .get("db.desc", &[Value::Int(c.desc_key)])?
                .map(|r| r[1].as_str().into_owned())
                .unwrap_or(c.short);
            cx.info(format!("{head} '{}'", one_line(&desc)));
        }
    }
    Ok(())
}

/// Normal `diff` output (`1c1`, `< old`, `---`, `> new`) between two texts.
fn normal_diff(old: &[u8], new: &[u8]) -> Vec<String> {
    let a = split_lines(old);
    let b = split_lines(new);
    // Called for spans of at least one line.
    let range = |start: usize, len: usize| {
        if len == 1 {
            format!("{}", start + 1)
        } else {
            format!("{},{}", start + 1, start + len)
        }
    };
    let text = |l: &[u8]| {
        String::from_utf8_lossy(l)
            .trim_end_matches('\n')
            .to_string()
    };
    let mut out = Vec::new();
    // Positions come from the ops' lengths (see `archive::delta`).
    let (mut old_index, mut new_index) = (0usize, 0usize);
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (old_len, new_len) = (op.old_range().len(), op.new_range().len());
        match op {
            DiffOp::Equal { .. } => {}
            DiffOp::Delete { .. } => {
                out.push(format!("{}d{}", range(old_index, old_len), new_index));
                out.extend(
                    a[old_index..old_index + old_len]
                        .iter()
                        .map(|l| format!("< {}", text(l))),
                );
            }
            DiffOp::Insert { .. } => {
                out.push(format!("{}a{}", old_index, range(new_index, new_len)));
                out.extend(
                    b[new_index..new_index + new_len]
                        .iter()
                        .map(|l| format!("> {}", text(l))),
                );
            }
            DiffOp::Replace { .. } => {
                out.push(format!(
                    "{}c{}",
                    range(old_index, old_len),
                    range(new_index, new_len)
                ));
                out.extend(
                    a[old_index..old_index + old_len]
                        .iter()
                        .map(|l| format!("< {}", text(l))),
                );
                out.push("---".to_string());
                out.extend(
                    b[new_index..new_index + new_len]
                        .iter()
                        .map(|l| format!("> {}", text(l))),
                );
            }
        }
        old_index += old_len;
        new_index += new_len;
    }
    out
}

/// `p4 describe`.
pub(crate) async fn describe(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "d:m:sSfOI", USAGE_DESCRIBE)?;
    if o.args.is_empty() {
        return Err(CmdError::usage(USAGE_DESCRIBE));
    }
    let zone = cx.srv.zone();
    let mut db = cx.db();
    for arg in &o.args {
        let n: i64 = arg
            .parse()
            .map_err(|_| CmdError::failed(format!("Invalid changelist number '{arg}'.")))?;
        let Some(row) = db.get("db.change", &[Value::Int(n)])? else {
            cx.error(format!("Change {n} unknown."));
            continue;
        };
        let c = Change::from_row(&row);
        let desc = db
            .get("db.desc", &[Value::Int(c.desc_key)])?
            .map(|r| r[1].as_str().into_owned())
            .unwrap_or_default();
        let pending = if c.pending { " *pending*" } else { "" };
        cx.info(format!(
            "Change {} by {}@{} on {}{pending}\n\n{}",
            c.number,
            c.user,
            c.client,
            zone.datetime(c.date),
            tab_indented(&desc)
        ));
        let mut files: Vec<(String, i64, i64)> = if c.pending {
            revs::all_working(&mut db)?
                .into_iter()
                .filter(|w| w.change == n)
                .map(|w| (w.depot_file, w.work_rev, w.action))
                .collect()
        } else {
            db.rows("db.revcx")?
                .into_iter()
                .filter(|r| r[0].as_int() == n)
                .map(|r| (r[1].as_str().into_owned(), r[2].as_int(), r[3].as_int()))
                .collect()
        };
        files.sort();
        if c.pending && files.is_empty() {
            continue;
        }
        cx.info("Affected files ...\n");
        for (f, rev, action) in &files {
            cx.info(format!("... {f}#{rev} {}", action_name(*action)));
        }
        cx.info("");
        if o.has('s') || c.pending {
            continue;
        }
        cx.info("\nDifferences ...");
        let lbr =
            Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
        for (f, rev, _) in &files {
            let all: Vec<Rev> = revs::file_revisions(&mut db, f)?;
            let Some(this) = all.iter().find(|r| r.rev == *rev) else {
                continue;
            };
            cx.info(format!("\n==== {f}#{rev} ({}) ====\n", this.file_type));
            if this.action != revs::EDIT || this.file_type.is_binary() {
                continue;
            }
            let Some(prev) = all.iter().find(|r| r.rev == rev - 1) else {
                continue;
            };
            let new = lbr.retrieve(&this.lbr_file, &this.lbr_rev, this.lbr_type);
            let old = lbr.retrieve(&prev.lbr_file, &prev.lbr_rev, prev.lbr_type);
            if let (Ok(old), Ok(new)) = (old, new) {
                for line in normal_diff(&old, &new) {
                    cx.info(line);
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_read_like_diff() {
        assert_eq!(
            normal_diff(b"a\nb\n", b"a\nc\n"),
            vec!["2c2", "< b", "---", "> c"]
        );
        assert_eq!(
            normal_diff(b"a\n", b"a\nb\nc\n"),
            vec!["1a2,3", "> b", "> c"]
        );
        assert_eq!(
            normal_diff(b"a\nb\nc\n", b"a\n"),
            vec!["2,3d1", "< b", "< c"]
        );
    }

    #[test]
    fn short_descriptions_fit_one_line() {
        assert_eq!(one_line("add a.txt\n"), "add a.txt ");
        assert_eq!(
            one_line("[Touchstone] Add test for prepared statements\n"),
            "[Touchstone] Add test for prepa"
        );
    }
}
