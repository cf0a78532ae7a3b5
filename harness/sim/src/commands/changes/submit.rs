//! `p4 submit` and `p4 change`: turning opened files into revisions, and
//! pending changelists.

use super::opts;
use super::revs::{self, DELETE, NO_DIGEST, Working, action_name};
use super::workspace::Workspace;
use crate::archive::{Librarian, digest, lbr_rev};
use crate::commands::{CmdError, CmdResult, Cx};
use crate::db::Value;
use crate::protocol::ServerMsg;

const USAGE_SUBMIT: &str = "submit [ -i -s -r -f option --noretransfer option ] [ -c changelist# | -e shelvedChange# | -d description ] [file] ";
const USAGE_CHANGE: &str =
    "change [ -d | -o ] [ -f ] [ -s ] [ -t restricted | public ] [ -U user ] [ changelist# ]";

/// p4d keeps the first 31 characters of a description in `db.change`.
const SHORT_DESC: usize = 31;

/// `db.change.status` of a submitted change.
const COMMITTED: i64 = 1;

/// A description as p4d stores it: ends with a newline.
pub(crate) fn normalize_desc(text: &str) -> String {
    if text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}\n")
    }
}

fn short_desc(desc: &str) -> String {
    desc.chars().take(SHORT_DESC).collect()
}

/// The common directory of a change's files, as `//depot/dir/...`.
// p4d records a change's "root" (the common path of its files); the
// exact form is not documented, the directory with `/...` is assumed.
fn change_root(files: &[String]) -> String {
    let Some(first) = files.first() else {
        return String::new();
    };
    let mut prefix: &str = first.rsplit_once('/').map(|(d, _)| d).unwrap_or(first);
    for f in &files[1..] {
        while !f.starts_with(&format!("{prefix}/")) {
            match prefix.rsplit_once('/') {
                Some((d, _)) if d.len() > 1 => prefix = d,
                _ => return "//...".to_string(),
            }
        }
    }
    format!("{prefix}/...")
}

#[allow(clippy::too_many_arguments)]
fn change_row(
    change: i64,
    desc_key: i64,
    client: &str,
    user: &str,
    date: i64,
    status: i64,
    desc: &str,
    root: &str,
) -> Vec<Value> {
    vec![
        Value::Int(change),
        Value::Int(desc_key),
        Value::text(client),
        Value::text(user),
        Value::Int(date),
        Value::Int(status),
        Value::text(short_desc(desc)),
        Value::text(root),
        Value::text(""),
        Value::text(""),
        Value::Int(date),
        Value::Int(date),
        Value::text(""),
    ]
}

/// `p4 submit`.
pub(crate) async fn submit(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "isrf:c:e:d:", USAGE_SUBMIT)?;
    let mut db = cx.db();
    let ws = Workspace::require(cx, &mut db)?;
    // Which change, and its description.
    let (from_change, description) = if let Some(c) = o.value('c') {
        let n = super::open::target_change(&mut db, cx, Some(c))?;
        let desc = db
            .get("db.desc", &[Value::Int(n)])?
            .map(|r| r[1].as_str().into_owned())
            .unwrap_or_default();
        (n, desc)
    } else if let Some(d) = o.value('d') {
        (0, normalize_desc(d))
    } else if o.has('i') {
        let form = ChangeForm::parse(&cx.req.stdin)?;
        (0, form.description)
    } else {
        return Err(CmdError::usage(USAGE_SUBMIT));
    };
    let mut files: Vec<Working> = revs::all_working(&mut db)?
        .into_iter()
        .filter(|w| w.client == ws.name && w.change == from_change)
        .collect();
    files.sort_by(|a, b| a.depot_file.cmp(&b.depot_file));
    if files.is_empty() {
        return Err(CmdError::failed(if from_change == 0 {
            "No files to submit from the default changelist.".to_string()
        } else {
            format!("No files to submit from change {from_change}.")
        }));
    }
    if description.trim().is_empty() {
        return Err(CmdError::failed(
            "Change description missing.  You must enter one.",
        ));
    }
    let counter = revs::counter(&mut db, "change")?;
    let mut number = if from_change == 0 {
        counter + 1
    } else {
        from_change
    };
    cx.info(format!("Submitting change {number}."));
    cx.info(format!("Locking {} files ...", files.len()));
    drop(db);
    // Transfer the content of added and edited files from the client.
    let mut contents: Vec<Option<Vec<u8>>> = Vec::with_capacity(files.len());
    let mut failed = false;
    for w in &files {
        if w.action == DELETE {
            contents.push(None);
            continue;
        }
        let local = ws.client_to_local(&w.client_file);
        match cx.read_client_file(&local).await {
            Ok(bytes) => contents.push(Some(bytes)),
            Err(e) => {
                cx.error(format!("open for read: {local}: {e}"));
                failed = true;
                contents.push(None);
            }
        }
    }
    let mut db = cx.db();
    let now = cx.now();
    let client_files: Vec<String> = files.iter().map(|w| w.depot_file.clone()).collect();
    let root = change_root(&client_files);
    if failed {
        // The files move to a numbered pending change the user can retry.
        let n = if from_change == 0 {
            let n = revs::counter(&mut db, "change")? + 1;
            db.put(
                "db.counters",
                vec![Value::text("change"), Value::text(n.to_string())],
            )?;
            db.put("db.desc", vec![Value::Int(n), Value::text(&description)])?;
            db.put(
                "db.change",
                change_row(n, n, &ws.name, &cx.user, now, 0, &description, &root),
            )?;
            for w in &files {
                let mut row = w.row.clone();
                row[9] = Value::Int(n);
                db.put("db.working", row)?;
            }
            n
        } else {
            from_change
        };
        cx.commit(&mut db)?;
        cx.error("Some file(s) could not be transferred from client.");
        cx.error(format!(
            "Submit failed -- fix problems above then use 'p4 submit -c {n}'."
        ));
        return Ok(());
    }
    // Another command may have taken numbers while the files came over.
    let latest = revs::counter(&mut db, "change")?;
    let renamed_from =
        if (from_change == 0 && latest >= number) || (from_change != 0 && latest > from_change) {
            let old = number;
            number = latest + 1;
            Some(old)
        } else {
            None
        };
    let lbr =
        Librarian::for_server(cx.srv, &mut db).map_err(|e| CmdError::failed(e.to_string()))?;
    let mut transfers = Vec::new();
    let mut rev_rows = Vec::new();
    let mut revcx_rows = Vec::new();
    for (w, content) in files.iter().zip(&contents) {
        let head = revs::file_revisions(&mut db, &w.depot_file)?
            .first()
            .map(|r| r.rev)
            .unwrap_or(0);
        let new_rev = head + 1;
        let lrev = lbr_rev(number);
        let (dig, size) = match content {
            Some(bytes) => {
                lbr.store(&w.depot_file, &lrev, w.file_type, bytes, now)
                    .map_err(|e| CmdError::failed(e.to_string()))?;
                (
                    digest(bytes),
                    i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                )
            }
            None => (NO_DIGEST.to_string(), -1),
        };
        let mod_time = if w.action == DELETE { 0 } else { now };
        rev_rows.push(vec![
            Value::text(&w.depot_file),
            Value::Int(new_rev),
            Value::Int(w.file_type.code()),
            Value::Int(w.action),
            Value::Int(number),
            Value::Int(now),
            Value::Int(mod_time),
            Value::Digest(dig),
            Value::Int(size),
            Value::Int(0),
            Value::Int(0),
            Value::text(&w.depot_file),
            Value::text(&lrev),
            Value::Int(w.file_type.code()),
        ]);
        revcx_rows.push(vec![
            Value::Int(number),
            Value::text(&w.depot_file),
            Value::Int(new_rev),
            Value::Int(w.action),
        ]);
        transfers.push((w.clone(), new_rev));
    }
    let desc_key = if from_change != 0 {
        from_change
    } else {
        number
    };
    if number > latest {
        db.put(
            "db.counters",
            vec![Value::text("change"), Value::text(number.to_string())],
        )?;
    }
    db.put(
        "db.desc",
        vec![Value::Int(desc_key), Value::text(&description)],
    )?;
    if renamed_from.is_some() && from_change != 0 {
        db.delete("db.change", &[Value::Int(from_change)])?;
    }
    db.put(
        "db.change",
        change_row(
            number,
            desc_key,
            &ws.name,
            &cx.user,
            now,
            COMMITTED,
            &description,
            &root,
        ),
    )?;
    for row in rev_rows {
        db.put("db.rev", row)?;
    }
    for row in revcx_rows {
        db.put("db.revcx", row)?;
    }
    for (w, new_rev) in &transfers {
        if w.action == DELETE {
            db.delete("db.have", &[Value::text(&w.client_file)])?;
        } else {
            db.put(
                "db.have",
                revs::have_row(&w.client_file, &w.depot_file, *new_rev, w.file_type, now),
            )?;
        }
    }
    for (w, _) in &transfers {
        db.delete("db.working", &[Value::text(&w.client_file)])?;
    }
    let max_commit = revs::counter(&mut db, "maxCommitChange")?;
    if number > max_commit {
        db.put(
            "db.counters",
            vec![
                Value::text("maxCommitChange"),
                Value::text(number.to_string()),
            ],
        )?;
    }
    cx.commit(&mut db)?;
    for (w, new_rev) in &transfers {
        cx.info(format!(
            "{} {}#{}",
            action_name(w.action),
            w.depot_file,
            new_rev
        ));
    }
    for (w, _) in &transfers {
        if w.action != DELETE {
            let local = ws.client_to_local(&w.client_file);
            cx.send(ServerMsg::ChmodFile {
                path: local,
                mode: ws.file_mode(w.file_type, false),
            });
        }
    }
    match renamed_from {
        Some(old) => cx.info(format!(
            "Change {old} renamed change {number} and submitted."
        )),
        None => cx.info(format!("Change {number} submitted.")),
    }
    Ok(())
}

/// A change form as `p4 change -o` prints it and `-i` reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ChangeForm {
    /// `new` or a number.
    pub change: String,
    /// Description (ends with a newline).
    pub description: String,
    /// Depot files listed under `Files:`.
    pub files: Vec<String>,
}

impl ChangeForm {
    /// Reads a change form (fields `Change`, `Description`, `Files`; the
    /// read-only ones are ignored).
    pub fn parse(text: &str) -> Result<ChangeForm, CmdError> {
        let mut form = ChangeForm::default();
        let mut field: Option<String> = None;
        let mut desc_lines: Vec<String> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (n, line) in text.lines().enumerate() {
            if line.starts_with('#') {
                continue;
            }
            let indented = line.starts_with(['\t', ' ']);
            if !indented && !line.trim().is_empty() {
                let Some((tag, value)) = line.split_once(':') else {
                    return Err(spec_error(&format!(
                        "Error detected at line {}.\nSyntax error in '{line}'.",
                        n + 1
                    )));
                };
                let tag = tag.trim();
                let known = [
                    "Change",
                    "Date",
                    "Client",
                    "User",
                    "Status",
                    "Type",
                    "ImportedBy",
                    "Identity",
                    "Description",
                    "JobStatus",
                    "Jobs",
                    "Stream",
                    "Files",
                ];
                let Some(canon) = known.iter().find(|k| k.eq_ignore_ascii_case(tag)) else {
                    return Err(spec_error(&format!(
                        "Error detected at line {}.\nUnknown field name '{tag}'.",
                        n + 1
                    )));
                };
                seen.insert(*canon);
                field = Some(canon.to_string());
                let value = value.trim();
                if *canon == "Change" {
                    form.change = value.to_string();
                } else if *canon == "Description" && !value.is_empty() {
                    desc_lines.push(value.to_string());
                }
                continue;
            }
            let value = line.trim_start_matches(['\t', ' ']);
            match field.as_deref() {
                Some("Description") => desc_lines.push(value.to_string()),
                Some("Files") => {
                    let path = value.split(['\t', '#']).next().unwrap_or("").trim();
                    if !path.is_empty() {
                        form.files.push(path.to_string());
                    }
                }
                _ => {}
            }
        }
        for required in ["Change", "Description"] {
            if !seen.contains(required) {
                return Err(spec_error(&format!("Missing required field '{required}'.")));
            }
        }
        while desc_lines.last().is_some_and(|l| l.is_empty()) {
            desc_lines.pop();
        }
        form.description = if desc_lines.is_empty() {
            String::new()
        } else {
            format!("{}\n", desc_lines.join("\n"))
        };
        Ok(form)
    }
}

fn spec_error(detail: &str) -> CmdError {
    CmdError::failed(format!("Error in change specification.\n{detail}"))
}

fn change_comment(cx: &Cx<'_>) -> String {
    let mut c = String::from(
        "# A Perforce Change Specification.\n#\n\
#  Change:      The change number. 'new' on a new changelist.\n\
#  Date:        The date this specification was last modified.\n\
#  Client:      The client on which the changelist was created.  Read-only.\n\
#  User:        The user who created the changelist.\n\
#  Status:      Either 'pending' or 'submitted'. Read-only.\n\
#  Type:        Either 'public' or 'restricted'. Default is 'public'.\n\
#  Description: Comments about the changelist.  Required.\n\
#  ImportedBy:  The user who fetched or pushed this change to this server.\n\
#  Identity:    Identifier for this change.\n\
#  Jobs:        What opened jobs are to be closed by this changelist.\n\
#               You may delete jobs from this list.  (New changelists only.)\n",
    );
    // 2020.1 added the Stream field and its comment.
    if cx.srv.version().at_least(2020, 1) {
        c.push_str(
            "#  Stream:      What opened stream is to be added to this changelist.\n\
#               You may remove an opened stream from this list.\n",
        );
    }
    c.push_str(
        "#  Files:       What opened files from the default changelist are to be added\n\
#               to this changelist.  You may delete files from this list.\n\
#               (New changelists only.)\n",
    );
    c
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("\t{l}\n")).collect()
}

/// `p4 change`: `-o [N]`, `-i`, `-d N`.
pub(crate) async fn change(cx: &mut Cx<'_>) -> CmdResult {
    let o = opts::parse(&cx.args, "dfiost:U:uOI", USAGE_CHANGE)?;
    let mut db = cx.db();
    if o.has('o') {
        let mut form = change_comment(cx);
        let zone = cx.srv.zone();
        match o.args.first() {
            None => {
                let ws = Workspace::require(cx, &mut db)?;
                let mut opened: Vec<Working> = revs::all_working(&mut db)?
                    .into_iter()
                    .filter(|w| w.client == ws.name && w.change == 0)
                    .collect();
                opened.sort_by(|a, b| a.depot_file.cmp(&b.depot_file));
                form.push_str(&format!("\nChange:\tnew\n\nClient:\t{}\n\nUser:\t{}\n\nStatus:\tnew\n\nDescription:\n\t<enter description here>\n", ws.name, cx.user));
                if !opened.is_empty() {
                    form.push_str("\nFiles:\n");
                    for w in opened {
                        form.push_str(&format!(
                            "\t{}\t# {}\n",
                            w.depot_file,
                            action_name(w.action)
                        ));
                    }
                }
            }
            Some(n) => {
                let num: i64 = n
                    .parse()
                    .map_err(|_| CmdError::failed(format!("Invalid changelist number '{n}'.")))?;
                let row = db
                    .get("db.change", &[Value::Int(num)])?
                    .ok_or_else(|| CmdError::failed(format!("Change {num} unknown.")))?;
                let desc = db
                    .get("db.desc", &[row[1].clone()])?
                    .map(|r| r[1].as_str().into_owned())
                    .unwrap_or_default();
                let submitted = row[5].as_int() & COMMITTED != 0;
                form.push_str(&format!(
                    "\nChange:\t{num}\n\nDate:\t{}\n\nClient:\t{}\n\nUser:\t{}\n\nStatus:\t{}\n\nDescription:\n{}",
                    zone.datetime(row[4].as_int()),
                    row[2],
                    row[3],
                    if submitted { "submitted" } else { "pending" },
                    indent(&desc)
                ));
                let files: Vec<(String, i64)> = if submitted {
                    db.rows("db.revcx")?
                        .into_iter()
                        .filter(|r| r[0].as_int() == num)
                        .map(|r| (r[1].as_str().into_owned(), r[3].as_int()))
                        .collect()
                } else {
                    revs::all_working(&mut db)?
                        .into_iter()
                        .filter(|w| w.change == num)
                        .map(|w| (w.depot_file, w.action))
                        .collect()
                };
                if !files.is_empty() {
                    form.push_str("\nFiles:\n");
                    for (f, a) in files {
                        form.push_str(&format!("\t{f}\t# {}\n", action_name(a)));
                    }
                }
            }
        }
        cx.info(form);
        return Ok(());
    }
    if o.has('d') {
        let [n] = o.args.as_slice() else {
            return Err(CmdError::usage(USAGE_CHANGE));
        };
        let num = super::open::target_change(&mut db, cx, Some(n))?;
        let open = revs::all_working(&mut db)?
            .into_iter()
            .filter(|w| w.change == num)
            .count();
        if open > 0 {
            cx.info(format!(
                "Change {num} has {open} open file(s) associated with it and can't be deleted."
            ));
            return Ok(());
        }
        db.delete("db.change", &[Value::Int(num)])?;
        db.delete("db.desc", &[Value::Int(num)])?;
        cx.commit(&mut db)?;
        cx.info(format!("Change {num} deleted."));
        return Ok(());
    }
    if !o.has('i') {
        return Err(CmdError::usage(USAGE_CHANGE));
    }
    let form = ChangeForm::parse(&cx.req.stdin)?;
    if form.description.trim().is_empty() {
        return Err(CmdError::failed(
            "Change description missing.  You must enter one.",
        ));
    }
    let ws = Workspace::require(cx, &mut db)?;
    let now = cx.now();
    if form.change == "new" {
        let n = revs::counter(&mut db, "change")? + 1;
        let mut moved = 0;
        for w in revs::all_working(&mut db)?
            .into_iter()
            .filter(|w| w.client == ws.name && w.change == 0)
        {
            if form.files.iter().any(|f| f == &w.depot_file) {
                let mut row = w.row.clone();
                row[9] = Value::Int(n);
                db.put("db.working", row)?;
                moved += 1;
            }
        }
        db.put(
            "db.counters",
            vec![Value::text("change"), Value::text(n.to_string())],
        )?;
        db.put(
            "db.desc",
            vec![Value::Int(n), Value::text(&form.description)],
        )?;
        db.put(
            "db.change",
            change_row(n, n, &ws.name, &cx.user, now, 0, &form.description, ""),
        )?;
        cx.commit(&mut db)?;
        if moved > 0 {
            cx.info(format!("Change {n} created with {moved} open file(s)."));
        } else {
            cx.info(format!("Change {n} created."));
        }
        return Ok(());
    }
    let num = super::open::target_change(&mut db, cx, Some(&form.change))?;
    let Some(mut row) = db.get("db.change", &[Value::Int(num)])? else {
        return Err(CmdError::failed(format!("Change {num} unknown.")));
    };
    row[6] = Value::text(short_desc(&form.description));
    row[11] = Value::Int(now);
    db.put("db.change", row)?;
    db.put(
        "db.desc",
        vec![Value::Int(num), Value::text(&form.description)],
    )?;
    cx.commit(&mut db)?;
    cx.info(format!("Change {num} updated."));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn change_roots_are_common_directories() {
        assert_eq!(
            change_root(&["//depot/a/b.txt".to_string()]),
            "//depot/a/..."
        );
        assert_eq!(
            change_root(&["//depot/a/b.txt".to_string(), "//depot/c.txt".to_string()]),
            "//depot/..."
        );
        assert_eq!(
            change_root(&["//depot/a".to_string(), "//other/b".to_string()]),
            "//..."
        );
    }

    #[test]
    fn change_forms_parse() {
        let f = ChangeForm::parse("# comment\nChange:\tnew\n\nDescription:\n\tfix it\n\tsecond line\n\nFiles:\n\t//depot/a.txt\t# add\n").unwrap();
        assert_eq!(f.change, "new");
        assert_eq!(f.description, "fix it\nsecond line\n");
        assert_eq!(f.files, vec!["//depot/a.txt".to_string()]);
        let e = ChangeForm::parse("Change: new\nBogus: x\n").unwrap_err();
        assert_eq!(
            e.text,
            "Error in change specification.\nError detected at line 2.\nUnknown field name 'Bogus'."
        );
        assert_eq!(
            ChangeForm::parse("Change: new\n").unwrap_err().text,
            "Error in change specification.\nMissing required field 'Description'."
        );
    }
}
