//! Helpers shared by the backup and recovery tests: a realistic workload
//! written through journaled database sessions, file operations an
//! administrator does with the shell (`mv db.* /tmp`, `cp`, `rm`), and
//! comparing checkpoints with the journal codec.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::rc::Rc;

use p4ha_journal::{Field, Int, Op, Reader, Record};
use p4ha_sim::checkpoint::Site;
use p4ha_sim::clock::Zone;
use p4ha_sim::db::Value;
use p4ha_sim::host::Host;
use p4ha_sim::journaling::{CaseFlag, JournalLog};

use crate::common::Rig;

/// A machine of the rig.
pub fn host(rig: &Rig, name: &str) -> Rc<Host> {
    rig.world.host(name).expect("machine exists")
}

/// The site of a root whose journal is `ROOT/journal`, as its server sees it.
pub fn site(rig: &Rig, name: &str, root: &str) -> Site {
    let h = host(rig, name);
    let version = h.installed.get();
    Site {
        fs: h.fs.clone(),
        root: PathBuf::from(root),
        root_name: root.to_string(),
        journal: Some(JournalLog::new(
            h.fs.clone(),
            Path::new(root).join("journal"),
            root,
            "journal",
            version,
            CaseFlag::Unix,
        )),
        version,
        fold_case: false,
        zone: Zone::from_tz(Some("Asia/Tokyo")),
        config_name: None,
    }
}

/// Writes rows as one journaled transaction, as a command of the server
/// would.
pub fn transaction(rig: &Rig, name: &str, root: &str, rows: &[(&str, Vec<Value>)]) {
    let s = site(rig, name, root);
    let h = host(rig, name);
    let mut db = s.db();
    for (table, row) in rows {
        db.put(table, row.clone()).unwrap();
    }
    s.commit(&mut db, h.next_pid(), h.clock.now()).unwrap();
}

fn user(name: &str, now: i64) -> Vec<Value> {
    let mut row = vec![
        Value::text(name),
        Value::text(format!("{name}@example.com")),
        Value::text(""),
        Value::Int(now),
        Value::Int(now),
        Value::text(format!("{name} (ops)")),
    ];
    row.extend([
        Value::text(""),
        Value::Int(0),
        Value::text(""),
        Value::Int(0),
        Value::Int(0),
    ]);
    row.extend([Value::Int(0), Value::Int(0), Value::Int(0), Value::Int(0)]);
    row
}

/// Submits change `n` adding `file` with `digest` (db.change, db.desc,
/// db.rev, db.revcx and the change counter).
pub fn submit(rig: &Rig, name: &str, root: &str, n: i64, file: &str, description: &str) {
    let now = host(rig, name).clock.now();
    let change = vec![
        Value::Int(n),
        Value::Int(n),
        Value::text("ws"),
        Value::text("alice"),
        Value::Int(now),
        Value::Int(1),
        Value::text(description.chars().take(31).collect::<String>()),
        Value::text("/home/alice/ws"),
        Value::text(""),
        Value::text(""),
        Value::Int(now),
        Value::Int(now),
        Value::text(""),
    ];
    let rev = vec![
        Value::text(file),
        Value::Int(1),
        Value::Int(0),
        Value::Int(0),
        Value::Int(n),
        Value::Int(now),
        Value::Int(now),
        Value::Digest("0CC175B9C0F1B6A831C399E269772661".into()),
        Value::Int(1),
        Value::Int(0),
        Value::Int(0),
        Value::text(file),
        Value::text(format!("1.{n}")),
        Value::Int(0),
    ];
    transaction(
        rig,
        name,
        root,
        &[
            ("db.desc", vec![Value::Int(n), Value::text(description)]),
            ("db.change", change),
            ("db.rev", rev),
            (
                "db.revcx",
                vec![
                    Value::Int(n),
                    Value::text(file),
                    Value::Int(1),
                    Value::Int(0),
                ],
            ),
            (
                "db.counters",
                vec![Value::text("change"), Value::text(n.to_string())],
            ),
            (
                "db.counters",
                vec![Value::text("maxCommitChange"), Value::text(n.to_string())],
            ),
        ],
    );
}

/// A small but realistic workload: users, a protections table, configurables
/// and two submitted changes (one description with a newline and an `@`).
pub fn workload(rig: &Rig, name: &str, root: &str) {
    let now = host(rig, name).clock.now();
    transaction(
        rig,
        name,
        root,
        &[
            ("db.user", user("alice", now)),
            ("db.user", user("bob", now)),
        ],
    );
    transaction(
        rig,
        name,
        root,
        &[
            (
                "db.config",
                vec![Value::text("any"), Value::text("monitor"), Value::text("2")],
            ),
            (
                "db.config",
                vec![
                    Value::text("standby"),
                    Value::text("P4TARGET"),
                    Value::text("192.168.56.114:1666"),
                ],
            ),
        ],
    );
    submit(
        rig,
        name,
        root,
        1,
        "//depot/a.txt",
        "first file\nwith @ sign\n",
    );
    submit(rig, name, root, 2, "//depot/b.txt", "second file\n");
}

/// The `db.*` files in a root.
pub fn db_files(rig: &Rig, name: &str, root: &str) -> Vec<String> {
    host(rig, name)
        .fs
        .read_dir(Path::new(root))
        .unwrap()
        .into_iter()
        .filter(|n| n.starts_with("db."))
        .collect()
}

/// `mv ROOT/db.* DIR` (the recovery chapter's step 2).
pub fn move_db_files(rig: &Rig, name: &str, root: &str, dir: &str) {
    let h = host(rig, name);
    h.fs.create_dir_all(Path::new(dir)).unwrap();
    for f in db_files(rig, name, root) {
        h.fs.rename(&Path::new(root).join(&f), &Path::new(dir).join(&f))
            .unwrap();
    }
}

/// `rm -f ROOT/db.*`.
pub fn remove_db_files(rig: &Rig, name: &str, root: &str) {
    let h = host(rig, name);
    for f in db_files(rig, name, root) {
        h.fs.remove_file(&Path::new(root).join(f)).unwrap();
    }
}

/// Copies a file from one machine to another (`scp`, or the FTP tool of
/// seed 000).
pub fn copy_between(rig: &Rig, from: &str, from_path: &str, to: &str, to_path: &str) {
    let bytes = host(rig, from).fs.read(Path::new(from_path)).unwrap();
    host(rig, to).fs.write(Path::new(to_path), &bytes).unwrap();
}

/// A file's bytes.
pub fn read_bytes(rig: &Rig, name: &str, path: &str) -> Vec<u8> {
    host(rig, name).fs.read(Path::new(path)).unwrap()
}

/// Replaces a file's bytes.
pub fn write_bytes(rig: &Rig, name: &str, path: &str, bytes: &[u8]) {
    host(rig, name).fs.write(Path::new(path), bytes).unwrap()
}

/// True when the file exists.
pub fn exists(rig: &Rig, name: &str, path: &str) -> bool {
    host(rig, name).fs.exists(Path::new(path))
}

/// The records of a checkpoint or journal (plain or gzip), with the date
/// of every note zeroed, so that two checkpoints compare equal when they
/// differ only in when they were written.
pub fn records_without_note_dates(bytes: &[u8]) -> Vec<Record> {
    Reader::new(bytes)
        .map(|r| {
            let mut r = r.expect("readable");
            if r.op == Op::Nx {
                r.fields[1] = Field::Int(Int::new(0));
            }
            r
        })
        .collect()
}

/// The data records of a file, as text lines.
pub fn data_lines(bytes: &[u8]) -> Vec<String> {
    Reader::new(bytes)
        .map(|r| r.expect("readable"))
        .filter(|r| r.is_data())
        .map(|r| {
            String::from_utf8_lossy(&r.to_bytes())
                .trim_end()
                .to_string()
        })
        .collect()
}
