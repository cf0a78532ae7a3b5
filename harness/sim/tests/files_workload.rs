//! A realistic workload against a simulated p4d: a workspace, files added,
//! edited and deleted through `p4 add/edit/delete/submit`, with the exact
//! lines p4 prints, the journal records each submit writes, the archive
//! files under the depot, and the read commands (`files`, `changes`,
//! `describe`, `print`, `opened`, `fstat`, `sync`) over the result.

mod common;

use std::path::Path;

use common::{Out, Rig};
use p4ha_sim::db::{Db, Value};

const P4: &str = "p4 -u super -p master:1666 -c ws -d /ws";

fn rig() -> Rig {
    let mut rig = Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("wsbox", "192.168.56.120", "2019.1"),
    ]);
    rig.start("master").ok();
    make_client(&rig, "ws", "/ws", &[(0, "//depot/...", "//ws/...")]);
    rig.world
        .host("wsbox")
        .unwrap()
        .fs
        .create_dir_all(Path::new("/ws"))
        .unwrap();
    rig
}

/// Creates workspace `name` the way `p4 client -i` stores it: a
/// `db.domain` row of type 99 (`c`) and its `db.view` lines.
fn make_client(rig: &Rig, name: &str, root: &str, view: &[(i64, &str, &str)]) {
    let host = rig.world.host("master").unwrap();
    let mut db = Db::open(host.fs.clone(), "/master", "2019.1".parse().unwrap(), false);
    let t = 1_571_371_200;
    db.put(
        "db.domain",
        vec![
            Value::text(name),
            Value::Int(99),
            Value::text(""),
            Value::text(root),
            Value::text(""),
            Value::text(""),
            Value::text("super"),
            Value::Int(t),
            Value::Int(t),
            Value::Int(0),
            Value::text("Created by super.\n"),
            Value::text(""),
            Value::text(""),
            Value::Int(0),
        ],
    )
    .unwrap();
    for (seq, (flag, depot, client)) in view.iter().enumerate() {
        db.put(
            "db.view",
            vec![
                Value::text(name),
                Value::Int(seq as i64),
                Value::Int(*flag),
                Value::text(*client),
                Value::text(*depot),
            ],
        )
        .unwrap();
    }
    db.take_records();
    db.flush().unwrap();
}

fn p4(rig: &mut Rig, args: &str) -> Out {
    rig.run("wsbox", &format!("{P4} {args}"))
}

fn write(rig: &Rig, path: &str, bytes: &[u8]) {
    let fs = &rig.world.host("wsbox").unwrap().fs;
    if fs.exists(Path::new(path)) {
        fs.set_mode(Path::new(path), 0o644).unwrap();
    }
    fs.write(Path::new(path), bytes).unwrap();
}

fn read(rig: &Rig, path: &str) -> Option<Vec<u8>> {
    rig.world
        .host("wsbox")
        .unwrap()
        .fs
        .read(Path::new(path))
        .ok()
}

/// The journal's transactions: records up to each `@ex@` marker, and the
/// marker's time.
fn transactions(rig: &Rig) -> Vec<(Vec<String>, i64)> {
    let text = rig.read("master", "/master/journal");
    let mut out = Vec::new();
    let mut cur = Vec::new();
    // A record spans lines when a quoted value holds newlines: it ends
    // where its `@` count (quotes and doubled `@`) is even.
    let mut records: Vec<String> = Vec::new();
    let mut partial = String::new();
    for line in text.lines() {
        if !partial.is_empty() {
            partial.push('\n');
        }
        partial.push_str(line);
        if partial.matches('@').count().is_multiple_of(2) {
            records.push(std::mem::take(&mut partial));
        }
    }
    for line in &records {
        if line.starts_with("@nx@") {
            continue;
        }
        if let Some(rest) = line.strip_prefix("@ex@ ") {
            let time = rest
                .split_whitespace()
                .nth(1)
                .and_then(|t| t.parse().ok())
                .unwrap_or(0);
            out.push((std::mem::take(&mut cur), time));
        } else {
            cur.push(line.to_string());
        }
    }
    out
}

fn last_transaction(rig: &Rig) -> (Vec<String>, i64) {
    transactions(rig).pop().expect("a transaction")
}

#[test]
fn add_edit_delete_submit_workload() {
    let mut rig = rig();
    write(&rig, "/ws/a.txt", b"hello\nworld\n");
    write(&rig, "/ws/b.bin", b"\x89PNG\0\0\x01");

    let out = p4(&mut rig, "add a.txt b.bin");
    assert_eq!(
        out.ok(),
        "//depot/a.txt#1 - opened for add\n//depot/b.bin#1 - opened for add\n"
    );
    let (records, _) = last_transaction(&rig);
    assert_eq!(
        records,
        vec![
            "@pv@ 10 @db.working@ @//ws/a.txt@ @//depot/a.txt@ @ws@ @super@ 0 1 0 0 0 0 0 0 00000000000000000000000000000000 -1 0 0 0 @@ 0 ",
            "@pv@ 10 @db.working@ @//ws/b.bin@ @//depot/b.bin@ @ws@ @super@ 0 1 0 65539 0 0 0 0 00000000000000000000000000000000 -1 0 0 65539 @@ 0 ",
        ]
    );
    assert_eq!(
        p4(&mut rig, "opened").ok(),
        "//depot/a.txt#1 - add default change (text)\n//depot/b.bin#1 - add default change (binary)\n"
    );

    let out = p4(&mut rig, "submit -d 'add files'");
    assert_eq!(
        out.ok(),
        "Submitting change 1.\nLocking 2 files ...\nadd //depot/a.txt#1\nadd //depot/b.bin#1\nChange 1 submitted.\n"
    );
    let (records, t1) = last_transaction(&rig);
    assert_eq!(
        records,
        vec![
            "@pv@ 1 @db.counters@ @change@ @1@ ".to_string(),
            "@pv@ 0 @db.desc@ 1 @add files\n@ ".to_string(),
            format!("@pv@ 6 @db.change@ 1 1 @ws@ @super@ {t1} 1 @add files\n@ @//depot/...@ @@ @@ {t1} {t1} @@ "),
            format!("@pv@ 9 @db.rev@ @//depot/a.txt@ 1 0 0 1 {t1} {t1} 0F723AE7F9BF07744445E93AC5595156 12 0 0 @//depot/a.txt@ @1.1@ 0 "),
            format!(
                "@pv@ 9 @db.rev@ @//depot/b.bin@ 1 65539 0 1 {t1} {t1} {} 7 0 0 @//depot/b.bin@ @1.1@ 65539 ",
                p4ha_sim::archive::digest(b"\x89PNG\0\0\x01")
            ),
            "@pv@ 1 @db.revcx@ 1 @//depot/a.txt@ 1 0 ".to_string(),
            "@pv@ 1 @db.revcx@ 1 @//depot/b.bin@ 1 0 ".to_string(),
            format!("@pv@ 3 @db.have@ @//ws/a.txt@ @//depot/a.txt@ 1 0 {t1} "),
            format!("@pv@ 3 @db.have@ @//ws/b.bin@ @//depot/b.bin@ 1 65539 {t1} "),
            "@dv@ 10 @db.working@ @//ws/a.txt@ @//depot/a.txt@ @ws@ @super@ 0 1 0 0 0 0 0 0 00000000000000000000000000000000 -1 0 0 0 @@ 0 ".to_string(),
            "@dv@ 10 @db.working@ @//ws/b.bin@ @//depot/b.bin@ @ws@ @super@ 0 1 0 65539 0 0 0 0 00000000000000000000000000000000 -1 0 0 65539 @@ 0 ".to_string(),
            "@pv@ 1 @db.counters@ @maxCommitChange@ @1@ ".to_string(),
        ]
    );
    assert_eq!(
        p4ha_sim::archive::digest(b"hello\nworld\n"),
        "0F723AE7F9BF07744445E93AC5595156"
    );
    // Archives: text in RCS, binary compressed under ,d/.
    let rcs = rig.read("master", "/master/depot/a.txt,v");
    assert!(
        rcs.starts_with("head     1.1;\naccess   ;\nsymbols  ;\nlocks    ;comment  @@;\n"),
        "{rcs}"
    );
    assert!(rig.path("master", "/master/depot/b.bin,d/1.1.gz").exists());
    assert_eq!(
        p4(&mut rig, "opened").stderr,
        "File(s) not opened on this client.\n"
    );

    // Edit and submit a second revision.
    let out = p4(&mut rig, "edit a.txt");
    assert_eq!(out.ok(), "//depot/a.txt#1 - opened for edit\n");
    write(&rig, "/ws/a.txt", b"hello\nthere\nworld\n");
    let out = p4(&mut rig, "submit -d 'say there'");
    assert_eq!(
        out.ok(),
        "Submitting change 2.\nLocking 1 files ...\nedit //depot/a.txt#2\nChange 2 submitted.\n"
    );
    let (records, t2) = last_transaction(&rig);
    assert!(
        records.contains(&format!(
            "@rv@ 3 @db.have@ @//ws/a.txt@ @//depot/a.txt@ 2 0 {t2} "
        )),
        "{records:#?}"
    );
    assert!(
        records.contains(&"@rv@ 1 @db.counters@ @change@ @2@ ".to_string()),
        "{records:#?}"
    );
    let rcs = rig.read("master", "/master/depot/a.txt,v");
    assert!(
        rcs.contains(
            "\n1.2\nlog\n@@\ntext\n@hello\nthere\nworld\n@\n\n\n1.1\nlog\n@@\ntext\n@d2 1\n@\n"
        ),
        "{rcs}"
    );

    // Delete the binary.
    let out = p4(&mut rig, "delete b.bin");
    assert_eq!(out.ok(), "//depot/b.bin#1 - opened for delete\n");
    assert_eq!(
        read(&rig, "/ws/b.bin"),
        None,
        "p4 delete removes the workspace file"
    );
    let out = p4(&mut rig, "submit -d 'drop the image'");
    assert_eq!(
        out.ok(),
        "Submitting change 3.\nLocking 1 files ...\ndelete //depot/b.bin#2\nChange 3 submitted.\n"
    );
    let (records, t3) = last_transaction(&rig);
    assert!(
        records.contains(&format!(
            "@pv@ 9 @db.rev@ @//depot/b.bin@ 2 65539 2 3 {t3} 0 00000000000000000000000000000000 -1 0 0 @//depot/b.bin@ @1.3@ 65539 "
        )),
        "{records:#?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("@dv@ 3 @db.have@ @//ws/b.bin@")),
        "{records:#?}"
    );

    // Reading it all back.
    assert_eq!(
        p4(&mut rig, "files //depot/...").ok(),
        "//depot/a.txt#2 - edit change 2 (text)\n//depot/b.bin#2 - delete change 3 (binary)\n"
    );
    assert_eq!(
        p4(&mut rig, "files -e //...").ok(),
        "//depot/a.txt#2 - edit change 2 (text)\n"
    );
    assert_eq!(
        p4(&mut rig, "files -a //depot/a.txt").ok(),
        "//depot/a.txt#2 - edit change 2 (text)\n//depot/a.txt#1 - add change 1 (text)\n"
    );
    assert_eq!(
        p4(&mut rig, "files //depot/...@1").ok(),
        "//depot/a.txt#1 - add change 1 (text)\n//depot/b.bin#1 - add change 1 (binary)\n"
    );
    assert_eq!(
        p4(&mut rig, "changes").ok(),
        "Change 3 on 2019/10/18 by super@ws 'drop the image '\nChange 2 on 2019/10/18 by super@ws 'say there '\nChange 1 on 2019/10/18 by super@ws 'add files '\n"
    );
    assert_eq!(
        p4(&mut rig, "changes -m 1 //depot/a.txt").ok(),
        "Change 2 on 2019/10/18 by super@ws 'say there '\n"
    );
    assert_eq!(
        p4(&mut rig, "changes -l -m1").ok(),
        "Change 3 on 2019/10/18 by super@ws\n\n\tdrop the image\n\n"
    );
    let zone = p4ha_sim::clock::Zone::from_tz(Some("Asia/Tokyo"));
    let out = p4(&mut rig, "describe -s 2");
    assert_eq!(
        out.ok(),
        format!(
            "Change 2 by super@ws on {}\n\n\tsay there\n\nAffected files ...\n\n... //depot/a.txt#2 edit\n\n",
            zone.datetime(t2)
        )
    );
    let out = p4(&mut rig, "describe 2");
    assert!(
        out.ok()
            .ends_with("Differences ...\n\n==== //depot/a.txt#2 (text) ====\n\n1a2\n> there\n"),
        "{}",
        out.stdout
    );
    assert_eq!(
        p4(&mut rig, "print -q //depot/a.txt#1").ok(),
        "hello\nworld\n"
    );
    assert_eq!(
        p4(&mut rig, "print //depot/a.txt").ok(),
        "//depot/a.txt#2 - edit change 2 (text)\nhello\nthere\nworld\n"
    );
}

#[test]
fn opening_files_reports_what_p4_reports() {
    let mut rig = rig();
    write(&rig, "/ws/a.txt", b"one\n");
    p4(&mut rig, "add a.txt").ok();
    // Opening twice, and for something else.
    assert_eq!(
        p4(&mut rig, "add a.txt").ok(),
        "//depot/a.txt#1 - currently opened for add\n"
    );
    assert_eq!(
        p4(&mut rig, "delete a.txt").stderr,
        "a.txt - file(s) not on client.\n"
    );
    p4(&mut rig, "submit -d first").ok();
    assert_eq!(
        p4(&mut rig, "add a.txt").ok(),
        "//depot/a.txt - can't add existing file\n"
    );
    p4(&mut rig, "edit a.txt").ok();
    assert_eq!(
        p4(&mut rig, "delete a.txt").ok(),
        "//depot/a.txt - can't delete (already opened for edit)\n"
    );
    // Files that are not there, not in view, not under the root.
    let out = p4(&mut rig, "edit nothere.txt");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (0, "nothere.txt - file(s) not on client.\n")
    );
    let out = p4(&mut rig, "add ghost.txt");
    assert_eq!(
        out.ok(),
        "/ws/ghost.txt - missing, assuming text.\n//depot/ghost.txt#1 - opened for add\n"
    );
    let out = p4(&mut rig, "add /elsewhere/x.txt");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Path '/elsewhere/x.txt' is not under client's root '/ws'.\n"
        )
    );
    let out = p4(&mut rig, "add -t bogus b.txt");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "Invalid file type 'bogus'; see 'p4 help filetypes'.\n")
    );
    // Reverting: an add is abandoned, an edit restored from the archive.
    write(&rig, "/ws/a.txt", b"scribbled\n");
    let out = p4(&mut rig, "revert a.txt ghost.txt");
    assert_eq!(
        out.ok(),
        "//depot/a.txt#1 - was edit, reverted\n//depot/ghost.txt#none - was add, abandoned\n"
    );
    assert_eq!(read(&rig, "/ws/a.txt").as_deref(), Some(&b"one\n"[..]));
    assert_eq!(
        p4(&mut rig, "revert a.txt").stderr,
        "a.txt - file(s) not opened on this client.\n"
    );
    // Submitting nothing, and a file the client cannot read.
    let out = p4(&mut rig, "submit -d nothing");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "No files to submit from the default changelist.\n")
    );
    p4(&mut rig, "add lost.txt").ok();
    let out = p4(&mut rig, "submit -d lost");
    assert_eq!(out.status, 1);
    assert_eq!(out.stdout, "Submitting change 2.\nLocking 1 files ...\n");
    assert_eq!(
        out.stderr,
        "open for read: /ws/lost.txt: No such file or directory\nSome file(s) could not be transferred from client.\nSubmit failed -- fix problems above then use 'p4 submit -c 2'.\n"
    );
    assert_eq!(
        p4(&mut rig, "opened").ok(),
        "//depot/lost.txt#1 - add change 2 (text)\n"
    );
    assert_eq!(
        p4(&mut rig, "changes -s pending").ok(),
        "Change 2 on 2019/10/18 by super@ws *pending* 'lost '\n"
    );
    write(&rig, "/ws/lost.txt", b"found\n");
    let out = p4(&mut rig, "submit -c 2");
    assert_eq!(
        out.ok(),
        "Submitting change 2.\nLocking 1 files ...\nadd //depot/lost.txt#1\nChange 2 submitted.\n"
    );
}

#[test]
fn views_exclusions_and_types() {
    let mut rig = Rig::new(&[
        ("master", "192.168.56.114", "2019.1"),
        ("wsbox", "192.168.56.120", "2019.1"),
    ]);
    rig.start("master").ok();
    make_client(
        &rig,
        "ws",
        "/ws",
        &[
            (0, "//depot/main/...", "//ws/..."),
            (1, "//depot/main/secret/...", "//ws/secret/..."),
        ],
    );
    rig.world
        .host("wsbox")
        .unwrap()
        .fs
        .create_dir_all(Path::new("/ws/secret"))
        .unwrap();
    write(&rig, "/ws/x.sh", b"#!/bin/sh\n");
    write(&rig, "/ws/secret/k", b"k\n");
    assert_eq!(
        p4(&mut rig, "add -t +x x.sh").ok(),
        "//depot/main/x.sh#1 - opened for add\n"
    );
    assert_eq!(
        p4(&mut rig, "add secret/k").stderr,
        "secret/k - file(s) not in client view.\n"
    );
    assert_eq!(
        p4(&mut rig, "add -t binary+F //ws/y.bin").ok(),
        "/ws/y.bin - missing, assuming text.\n//depot/main/y.bin#1 - opened for add\n"
    );
    write(&rig, "/ws/y.bin", b"raw");
    p4(&mut rig, "submit -d types").ok();
    assert_eq!(
        p4(&mut rig, "files //depot/...").ok(),
        "//depot/main/x.sh#1 - add change 1 (text+x)\n//depot/main/y.bin#1 - add change 1 (binary+F)\n"
    );
    assert_eq!(rig.read("master", "/master/depot/main/y.bin,d/1.1"), "raw");
    let (records, _) = last_transaction(&rig);
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("@pv@ 9 @db.rev@ @//depot/main/x.sh@ 1 131072 0 1 ")),
        "{records:#?}"
    );
    assert!(
        records
            .iter()
            .any(|r| r.starts_with("@pv@ 9 @db.rev@ @//depot/main/y.bin@ 1 65537 0 1 ")),
        "{records:#?}"
    );
    // fstat's basic fields.
    let out = p4(&mut rig, "fstat //depot/main/x.sh");
    let text = out.ok();
    assert!(text.starts_with("... depotFile //depot/main/x.sh\n... clientFile /ws/x.sh\n... isMapped \n... headAction add\n... headType text+x\n"), "{text}");
    assert!(
        text.contains("... headRev 1\n... headChange 1\n") && text.contains("... haveRev 1\n"),
        "{text}"
    );
    assert_eq!(
        p4(&mut rig, "files //depot/nope/...").stderr,
        "//depot/nope/... - no such file(s).\n"
    );
}

#[test]
fn sync_brings_workspaces_to_revisions() {
    let mut rig = rig();
    write(&rig, "/ws/a.txt", b"v1\n");
    p4(&mut rig, "add a.txt").ok();
    p4(&mut rig, "submit -d one").ok();
    p4(&mut rig, "edit a.txt").ok();
    write(&rig, "/ws/a.txt", b"v2\n");
    p4(&mut rig, "submit -d two").ok();
    // A second workspace on the same machine.
    make_client(&rig, "ws2", "/ws2", &[(0, "//depot/...", "//ws2/...")]);
    let p2 = "p4 -u super -p master:1666 -c ws2 -d /ws2";
    let out = rig.run("wsbox", &format!("{p2} sync -n"));
    assert_eq!(out.ok(), "//depot/a.txt#2 - added as /ws2/a.txt\n");
    assert_eq!(read(&rig, "/ws2/a.txt"), None);
    let out = rig.run("wsbox", &format!("{p2} sync //depot/a.txt#1"));
    assert_eq!(out.ok(), "//depot/a.txt#1 - added as /ws2/a.txt\n");
    assert_eq!(read(&rig, "/ws2/a.txt").as_deref(), Some(&b"v1\n"[..]));
    let out = rig.run("wsbox", &format!("{p2} sync"));
    assert_eq!(out.ok(), "//depot/a.txt#2 - updating /ws2/a.txt\n");
    assert_eq!(read(&rig, "/ws2/a.txt").as_deref(), Some(&b"v2\n"[..]));
    let out = rig.run("wsbox", &format!("{p2} sync"));
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (0, "File(s) up-to-date.\n")
    );
    let out = rig.run("wsbox", &format!("{p2} sync -f a.txt"));
    assert_eq!(out.ok(), "//depot/a.txt#2 - refreshing /ws2/a.txt\n");
    let out = rig.run(
        "wsbox",
        &format!("{p2} print -o /tmp/old.txt //depot/a.txt#1"),
    );
    assert_eq!(out.ok(), "//depot/a.txt#1 - add change 1 (text)\n");
    assert_eq!(read(&rig, "/tmp/old.txt").as_deref(), Some(&b"v1\n"[..]));
    let out = rig.run("wsbox", &format!("{p2} sync //...#none"));
    assert_eq!(out.ok(), "//depot/a.txt#none - deleted as /ws2/a.txt\n");
    assert_eq!(read(&rig, "/ws2/a.txt"), None);
    let out = rig.run("wsbox", "p4 -u super -p master:1666 -c nosuch sync");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Client 'nosuch' unknown - use 'client' command to create it.\n"
        )
    );
}

#[test]
fn pending_changes_from_forms() {
    let mut rig = rig();
    write(&rig, "/ws/a.txt", b"a\n");
    p4(&mut rig, "add a.txt").ok();
    let form = p4(&mut rig, "change -o");
    let text = form.ok();
    assert!(text.starts_with("# A Perforce Change Specification.\n#\n#  Change:      The change number. 'new' on a new changelist.\n"), "{text}");
    assert!(
        text.ends_with(
            "\nChange:\tnew\n\nClient:\tws\n\nUser:\tsuper\n\nStatus:\tnew\n\nDescription:\n\t<enter description here>\n\nFiles:\n\t//depot/a.txt\t# add\n\n"
        ),
        "{text}"
    );
    // 2019.1's form has no Stream field.
    assert!(!text.contains("#  Stream:"), "{text}");
    let filled = text.replace("<enter description here>", "a pending change");
    let out = rig.run_with("wsbox", &format!("{P4} change -i"), &filled);
    assert_eq!(out.ok(), "Change 1 created with 1 open file(s).\n");
    assert_eq!(
        p4(&mut rig, "opened").ok(),
        "//depot/a.txt#1 - add change 1 (text)\n"
    );
    let out = p4(&mut rig, "describe -s 1");
    assert!(
        out.ok().ends_with(
            " *pending*\n\n\ta pending change\n\nAffected files ...\n\n... //depot/a.txt#1 add\n\n"
        ),
        "{}",
        out.stdout
    );
    let out = p4(&mut rig, "change -d 1");
    assert_eq!(
        out.ok(),
        "Change 1 has 1 open file(s) associated with it and can't be deleted.\n"
    );
    let out = p4(&mut rig, "submit -c 1");
    assert_eq!(
        out.ok(),
        "Submitting change 1.\nLocking 1 files ...\nadd //depot/a.txt#1\nChange 1 submitted.\n"
    );
    let out = p4(&mut rig, "changes -t");
    let zone = p4ha_sim::clock::Zone::from_tz(Some("Asia/Tokyo"));
    let (_, t) = last_transaction(&rig);
    assert_eq!(
        out.ok(),
        format!(
            "Change 1 on {} by super@ws 'a pending change '\n",
            zone.datetime(t)
        )
    );
    let out = rig.run_with(
        "wsbox",
        &format!("{P4} change -i"),
        "Change: new\nBogus: x\n",
    );
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Error in change specification.\nError detected at line 2.\nUnknown field name 'Bogus'.\n"
        )
    );
}
