//! `p4d -jv` (seed 001, recovery step 3): a checkpoint must read from start
//! to end, decompress when compressed, match its `.md5` and carry its
//! header and trailer notes. Each failure has its message and exit status 1.

mod backup_support;
mod common;

use backup_support::*;
use common::Rig;

fn rig() -> Rig {
    let mut rig = Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    rig.start("master").ok();
    workload(&rig, "master", "/master");
    rig.run("master", "p4d -r /master -jc").ok();
    rig.run("master", "p4d -r /master -z -jc").ok();
    rig
}

/// A damage done to a good checkpoint, and what `p4d -jv` says about it.
struct Case {
    what: &'static str,
    damage: fn(&[u8]) -> Vec<u8>,
    /// The messages after `Perforce server error:`; `{lines}` stands for
    /// the number of the line after the last complete record.
    messages: &'static [&'static str],
}

fn drop_last_line(b: &[u8]) -> Vec<u8> {
    let body = &b[..b.len() - 1];
    let cut = body.iter().rposition(|c| *c == b'\n').map_or(0, |i| i + 1);
    b[..cut].to_vec()
}

fn cut_inside_a_value(b: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(b);
    let at = text.find("@alice@@example.com@").expect("workload row") + 4;
    b[..at].to_vec()
}

fn flip_a_byte(b: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(b);
    let at = text.find("@alice@@example.com@").expect("workload row") + 3;
    let mut v = b.to_vec();
    v[at] = b'x';
    v
}

const CASES: &[Case] = &[
    Case {
        what: "truncated at a record boundary",
        damage: drop_last_line,
        messages: &[
            "Journal file 'checkpoint.1' verification failed at line {lines}!",
            "Missing checkpoint trailer note: the checkpoint is incomplete!",
        ],
    },
    Case {
        what: "truncated inside a value",
        damage: cut_inside_a_value,
        messages: &[
            "Journal file 'checkpoint.1' verification failed at line {lines}!",
            "End of input in middle of word!",
        ],
    },
    Case {
        what: "one byte changed",
        damage: flip_a_byte,
        messages: &[
            "Journal file 'checkpoint.1' verification failed!",
            "MD5 mismatch: 'checkpoint.1.md5' records {md5}, the file's content has {actual}.",
        ],
    },
];

#[test]
fn damaged_checkpoints_are_caught() {
    let mut rig = rig();
    let good = read_bytes(&rig, "master", "/master/checkpoint.1");
    let md5 = p4ha_journal::checkpoint_md5(&good[..]).unwrap();
    let out = rig.run("master", "p4d -r /master -jv checkpoint.1");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    for case in CASES {
        let bad = (case.damage)(&good);
        write_bytes(&rig, "master", "/master/checkpoint.1", &bad);
        let out = rig.run("master", "p4d -r /master -jv checkpoint.1");
        let complete_lines = String::from_utf8_lossy(&bad).matches('\n').count() + 1;
        let actual = p4ha_journal::checkpoint_md5(&bad[..]).unwrap();
        let mut expected = String::from("Perforce server error:\n");
        for m in case.messages {
            let m = m
                .replace("{lines}", &complete_lines.to_string())
                .replace("{md5}", md5.as_str())
                .replace("{actual}", actual.as_str());
            expected.push_str(&format!("\t{m}\n"));
        }
        assert_eq!((out.status, out.stdout.as_str()), (1, ""), "{}", case.what);
        assert_eq!(out.stderr, expected, "{}", case.what);
    }
    // Without its .md5 a checkpoint is still checked for its trailer.
    host(&rig, "master")
        .fs
        .remove_file(std::path::Path::new("/master/checkpoint.1.md5"))
        .unwrap();
    write_bytes(
        &rig,
        "master",
        "/master/checkpoint.1",
        &drop_last_line(&good),
    );
    let out = rig.run("master", "p4d -r /master -jv checkpoint.1");
    assert_eq!(out.status, 1);
    assert!(
        out.stderr
            .ends_with("\tMissing checkpoint trailer note: the checkpoint is incomplete!\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn compressed_checkpoints_need_z_and_intact_data() {
    let mut rig = rig();
    let out = rig.run("master", "p4d -r /master -z -jv checkpoint.2.gz");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = rig.run("master", "p4d -r /master -jv checkpoint.2.gz");
    assert_eq!(out.status, 1);
    assert!(out.stderr.starts_with("Perforce server error:\n\tJournal file 'checkpoint.2.gz' verification failed at line 1!\n\tBad opcode '"), "{}", out.stderr);
    let gz = read_bytes(&rig, "master", "/master/checkpoint.2.gz");
    write_bytes(
        &rig,
        "master",
        "/master/checkpoint.2.gz",
        &gz[..gz.len() / 2],
    );
    let out = rig.run("master", "p4d -r /master -z -jv checkpoint.2.gz");
    assert_eq!(out.status, 1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert!(
        lines[1].starts_with("\tJournal file 'checkpoint.2.gz' verification failed at line "),
        "{}",
        out.stderr
    );
    assert!(
        lines[2].starts_with("\tCorrupt gzip data"),
        "{}",
        out.stderr
    );
    // Journals verify too (no trailer needed for the live one).
    let out = rig.run("master", "p4d -r /master -jv journal");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    let out = rig.run("master", "p4d -r /master -z -jv journal.1.gz");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    let out = rig.run("master", "p4d -r /master -jv nosuch");
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\topen for read: nosuch: No such file or directory\n"
    );
}
