//! The nightly backup of the recovery chapter (seed 001): checkpoint with
//! `p4d -jc` or `p4 admin checkpoint`, check the `.md5`, the names of
//! checkpoints and rotated journals (`checkpoint.N`, `journal.N-1`,
//! `prefix.ckp.N`, `prefix.jnl.N`, journalPrefix, `-J`/P4JOURNAL), the
//! `lastCheckpointAction` counter and `p4 journals`.

mod backup_support;
mod common;

use backup_support::*;
use common::Rig;
use p4ha_journal::{Md5File, checkpoint_md5};
use p4ha_sim::clock::Zone;

fn rig() -> Rig {
    let mut rig = Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    rig.start("master").ok();
    rig
}

/// Asserts a checkpoint's output: the lines given, with `MD5 = *` standing
/// for the digest of the checkpoint's uncompressed text, which the `.md5`
/// side file must record too.
#[track_caller]
fn assert_checkpoint_output(rig: &Rig, stdout: &str, expected: &[&str], checkpoint: &str) {
    let digest = checkpoint_md5(&read_bytes(rig, "master", checkpoint)[..]).unwrap();
    let expected: Vec<String> = expected
        .iter()
        .map(|l| {
            if *l == "MD5 = *" {
                format!("MD5 = {digest}")
            } else {
                l.to_string()
            }
        })
        .collect();
    let got: Vec<&str> = stdout.lines().collect();
    assert_eq!(got, expected, "{stdout}");
    let side = String::from_utf8(read_bytes(rig, "master", &format!("{checkpoint}.md5"))).unwrap();
    let parsed = Md5File::parse(&side).unwrap();
    assert!(parsed.digest.matches(&digest), "{side}");
}

/// One step of a backup cycle: the command an administrator runs, what it
/// prints, and the checkpoint and rotated journal it leaves.
struct Step {
    command: &'static str,
    lines: &'static [&'static str],
    checkpoint: &'static str,
    journal: &'static str,
}

const CYCLE: &[Step] = &[
    Step {
        command: "p4d -r /master -jc",
        lines: &[
            "Checkpointing to checkpoint.1...",
            "MD5 = *",
            "Rotating journal to journal.0...",
        ],
        checkpoint: "/master/checkpoint.1",
        journal: "/master/journal.0",
    },
    Step {
        command: "p4 -u super -p master:1666 admin checkpoint",
        lines: &[
            "Checkpointing to checkpoint.2...",
            "MD5 = *",
            "Rotating journal to journal.1...",
        ],
        checkpoint: "/master/checkpoint.2",
        journal: "/master/journal.1",
    },
    Step {
        command: "p4d -r /master -jc nightly",
        lines: &[
            "Checkpointing to nightly.ckp.3...",
            "MD5 = *",
            "Rotating journal to nightly.jnl.2...",
        ],
        checkpoint: "/master/nightly.ckp.3",
        journal: "/master/nightly.jnl.2",
    },
    Step {
        command: "p4 -u super -p master:1666 admin checkpoint -z nightly",
        lines: &[
            "Checkpointing to nightly.ckp.4.gz...",
            "MD5 = *",
            "Rotating journal to nightly.jnl.3.gz...",
        ],
        checkpoint: "/master/nightly.ckp.4.gz",
        journal: "/master/nightly.jnl.3.gz",
    },
    Step {
        command: "p4d -r /master -Z -jc /backup/p4_1",
        // Another file system than P4ROOT: the journal is copied, then
        // truncated (seed 001, example 2).
        lines: &[
            "Checkpointing to /backup/p4_1.ckp.5.gz...",
            "MD5 = *",
            "Saving journal to /backup/p4_1.jnl.4...",
            "Truncating journal...",
        ],
        checkpoint: "/backup/p4_1.ckp.5.gz",
        journal: "/backup/p4_1.jnl.4",
    },
];

#[test]
fn a_backup_cycle_names_files_by_the_journal_counter() {
    let mut rig = rig();
    workload(&rig, "master", "/master");
    host(&rig, "master")
        .fs
        .create_dir_all(std::path::Path::new("/backup"))
        .unwrap();
    for (i, step) in CYCLE.iter().enumerate() {
        // Work happens between backups.
        rig.run(
            "master",
            &format!("p4 -u super -p master:1666 counter nightly {i}"),
        )
        .ok();
        let out = rig.run("master", step.command);
        out.ok();
        assert_eq!(out.stderr, "", "{}", step.command);
        assert_checkpoint_output(&rig, &out.stdout, step.lines, step.checkpoint);
        assert!(
            exists(&rig, "master", step.journal),
            "{} left no {}",
            step.command,
            step.journal
        );
        // The new journal starts with a header; the rotated one ends with a
        // journal trailer.
        let live = rig.read("master", "/master/journal");
        assert!(live.starts_with("@nx@ 2 "), "{live}");
        let rotated = records_without_note_dates(&read_bytes(&rig, "master", step.journal));
        assert_eq!(
            rotated.last().unwrap().note().unwrap().note_type(),
            3,
            "{}",
            step.journal
        );
        // The checkpoint starts with its header and ends with its trailer.
        let ckp = records_without_note_dates(&read_bytes(&rig, "master", step.checkpoint));
        assert_eq!(ckp.first().unwrap().note().unwrap().note_type(), 0);
        assert_eq!(ckp.last().unwrap().note().unwrap().note_type(), 1);
        // Verification passes silently.
        let z = if step.checkpoint.ends_with(".gz") {
            "-z "
        } else {
            ""
        };
        let out = rig.run(
            "master",
            &format!("p4d -r /master {z}-jv {}", step.checkpoint),
        );
        assert_eq!(
            (out.status, out.stdout.as_str(), out.stderr.as_str()),
            (0, "", ""),
            "{}",
            step.checkpoint
        );
    }
    let out = rig.run("master", "p4 -u super -p master:1666 counter journal");
    assert_eq!(out.ok(), "5\n");
}

#[test]
fn checkpoint_n_plus_journal_n_is_checkpoint_n_plus_one() {
    let mut rig = rig();
    workload(&rig, "master", "/master");
    rig.run("master", "p4d -r /master -jc").ok();
    submit(&rig, "master", "/master", 3, "//depot/c.txt", "third\n");
    rig.run("master", "p4d -r /master -jc").ok();
    // checkpoint.1 holds journal=1; journal.1 carries everything since,
    // including the counter's move to 2 and lastCheckpointAction.
    let h = host(&rig, "master");
    h.fs.create_dir_all(std::path::Path::new("/replayed"))
        .unwrap();
    let out = rig.run(
        "master",
        "p4d -r /replayed -jr /master/checkpoint.1 /master/journal.1",
    );
    assert_eq!(
        out.ok(),
        "Perforce db files in '.' will be created if missing...\nRecovering from /master/checkpoint.1...\nRecovering from /master/journal.1...\n"
    );
    assert_eq!(out.stderr, "");
    let out = rig.run("master", "p4d -r /replayed -jd /replayed/dump");
    out.ok();
    assert_eq!(
        data_lines(&read_bytes(&rig, "master", "/replayed/dump")),
        data_lines(&read_bytes(&rig, "master", "/master/checkpoint.2"))
    );
}

#[test]
fn last_checkpoint_action_records_the_completion_in_the_server_zone() {
    let mut rig = rig();
    let out = rig.run("master", "p4 -u super -p master:1666 admin checkpoint");
    out.ok();
    let value = rig
        .run(
            "master",
            "p4 -u super -p master:1666 counter lastCheckpointAction",
        )
        .ok()
        .trim_end()
        .to_string();
    let epoch: i64 = value.split_whitespace().next().unwrap().parse().unwrap();
    let tokyo = Zone::from_tz(Some("Asia/Tokyo"));
    assert_eq!(
        value,
        format!(
            "{epoch} ({}) checkpoint completed",
            tokyo.datetime_with_zone(epoch)
        )
    );
    assert!(value.contains(" +0900 JST) "), "{value}");
    // It is journaled into the new journal, so the next checkpoint and a
    // replay of the journal both carry it.
    let live = rig.read("master", "/master/journal");
    assert!(
        live.contains(&format!(
            "@pv@ 1 @db.counters@ @lastCheckpointAction@ @{value}@ "
        )),
        "{live}"
    );
}

#[test]
fn journal_prefix_names_checkpoints_and_rotated_journals() {
    let mut rig = rig();
    host(&rig, "master")
        .fs
        .create_dir_all(std::path::Path::new("/master/checkpoints"))
        .unwrap();
    rig.run(
        "master",
        "p4 -u super -p master:1666 configure set journalPrefix=/master/checkpoints/p4_1",
    )
    .ok();
    let out = rig.run("master", "p4 -u super -p master:1666 admin checkpoint -Z");
    assert_checkpoint_output(
        &rig,
        out.ok(),
        &[
            "Checkpointing to /master/checkpoints/p4_1.ckp.1.gz...",
            "MD5 = *",
            "Rotating journal to /master/checkpoints/p4_1.jnl.0...",
        ],
        "/master/checkpoints/p4_1.ckp.1.gz",
    );
    // A prefix on the command line wins over the configurable.
    let out = rig.run("master", "p4d -r /master -jc weekly");
    assert_checkpoint_output(
        &rig,
        out.ok(),
        &[
            "Checkpointing to weekly.ckp.2...",
            "MD5 = *",
            "Rotating journal to weekly.jnl.1...",
        ],
        "/master/weekly.ckp.2",
    );
    // `p4 admin journal` / `p4d -jj` rotate without a checkpoint.
    let out = rig.run("master", "p4 -u super -p master:1666 admin journal");
    assert_eq!(
        out.ok(),
        "Rotating journal to /master/checkpoints/p4_1.jnl.2...\n"
    );
    let out = rig.run("master", "p4d -r /master -z -jj");
    assert_eq!(
        out.ok(),
        "Rotating journal to /master/checkpoints/p4_1.jnl.3.gz...\n"
    );
    let out = rig.run("master", "p4 -u super -p master:1666 counter journal");
    assert_eq!(out.ok(), "4\n");
}

#[test]
fn a_journal_on_another_disk_is_saved_and_truncated() {
    // Seed 001, example 2: the journal is given with -J (or P4JOURNAL) on
    // another file system than P4ROOT.
    let mut rig = Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    host(&rig, "master")
        .fs
        .create_dir_all(std::path::Path::new("/usr/local/perforce"))
        .unwrap();
    rig.run(
        "master",
        "p4d -r /master -p 1666 -J /usr/local/perforce/journalfile -d",
    )
    .ok();
    rig.run("master", "p4 -u super -p master:1666 counter -f journal 18")
        .ok();
    let out = rig.run(
        "master",
        "p4d -r /master -J /usr/local/perforce/journalfile -jc",
    );
    assert_checkpoint_output(
        &rig,
        out.ok(),
        &[
            "Checkpointing to checkpoint.19...",
            "MD5 = *",
            "Saving journal to journal.18...",
            "Truncating /usr/local/perforce/journalfile...",
        ],
        "/master/checkpoint.19",
    );
    rig.env
        .insert("P4JOURNAL".into(), "/usr/local/perforce/journalfile".into());
    let out = rig.run("master", "p4d -r /master -jc");
    assert_checkpoint_output(
        &rig,
        out.ok(),
        &[
            "Checkpointing to checkpoint.20...",
            "MD5 = *",
            "Saving journal to journal.19...",
            "Truncating /usr/local/perforce/journalfile...",
        ],
        "/master/checkpoint.20",
    );
    // The journal kept its place and restarted with a header.
    assert!(
        rig.read("master", "/usr/local/perforce/journalfile")
            .starts_with("@nx@ 2 ")
    );
    assert!(
        rig.read("master", "/master/journal.19")
            .contains("@db.counters@ @journal@ @20@")
    );
}

#[test]
fn p4_journals_shows_the_history_newest_first() {
    let mut rig = rig();
    rig.run("master", "p4d -r /master -jc").ok();
    rig.sleep(60);
    rig.run("master", "p4 -u super -p master:1666 admin journal")
        .ok();
    let out = rig.run("master", "p4 -u super -p master:1666 journals");
    let text = out.ok().to_string();
    let records: Vec<Vec<(String, String)>> = text
        .split("\n\n")
        .filter(|r| !r.trim().is_empty())
        .map(|r| {
            r.lines()
                .map(|l| {
                    let l = l.strip_prefix("... ").unwrap();
                    let (k, v) = l.split_once(' ').unwrap_or((l, ""));
                    (k.to_string(), v.to_string())
                })
                .collect()
        })
        .collect();
    assert_eq!(records.len(), 3, "{text}");
    let field = |r: &Vec<(String, String)>, k: &str| {
        r.iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let keys: Vec<&str> = records[0].iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        [
            "start",
            "startDate",
            "end",
            "endDate",
            "pid",
            "type",
            "flags",
            "jnum",
            "jfile",
            "jdate",
            "jdateDate",
            "jdigest",
            "jsize",
            "jtype",
            "failed",
            "errmsg"
        ]
    );
    let summary: Vec<(String, String, String)> = records
        .iter()
        .map(|r| (field(r, "type"), field(r, "jnum"), field(r, "jfile")))
        .collect();
    assert_eq!(
        summary,
        [
            (
                "journal".to_string(),
                "1".to_string(),
                "journal.1".to_string()
            ),
            (
                "checkpoint".to_string(),
                "1".to_string(),
                "checkpoint.1".to_string()
            ),
            (
                "checkpoint".to_string(),
                "0".to_string(),
                "journal.0".to_string()
            ),
        ]
    );
    let digest = checkpoint_md5(&read_bytes(&rig, "master", "/master/checkpoint.1")[..]).unwrap();
    assert_eq!(field(&records[1], "jdigest"), digest.to_string());
    assert_eq!(field(&records[2], "jdigest"), "0");
    assert_eq!(field(&records[1], "jtype"), "text");
    let start: i64 = field(&records[1], "start").parse().unwrap();
    assert_eq!(
        field(&records[1], "startDate"),
        Zone::from_tz(Some("Asia/Tokyo")).datetime(start)
    );
    // Every field is printed even when empty (`... flags ` with its space).
    assert!(text.contains("\n... flags \n"), "{text}");

    let out = rig.run(
        "master",
        "p4 -u super -p master:1666 journals -m 1 -T jnum,jfile",
    );
    assert_eq!(out.ok(), "... jnum 1\n... jfile journal.1\n\n");
    let out = rig.run(
        "master",
        "p4 -u super -p master:1666 journals -F type=checkpoint -T jfile",
    );
    assert_eq!(
        out.ok(),
        "... jfile checkpoint.1\n\n... jfile journal.0\n\n"
    );
    let out = rig.run("master", "p4 -u super -p master:1666 journals -x");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "Usage: journals [-T field...] [-F filter] [-m max]\nInvalid option: -x.\n"
    );
}

#[test]
fn admin_needs_super_and_valid_arguments() {
    let mut rig = rig();
    // Protections: bob may write, super is super.
    let now = host(&rig, "master").clock.now();
    let line = |seq: i64, user: &str, perm: i64| {
        (
            "db.protect",
            vec![
                p4ha_sim::db::Value::Int(seq),
                p4ha_sim::db::Value::Int(0),
                p4ha_sim::db::Value::text(user),
                p4ha_sim::db::Value::text("*"),
                p4ha_sim::db::Value::Int(perm),
                p4ha_sim::db::Value::Int(0),
                p4ha_sim::db::Value::text("//..."),
                p4ha_sim::db::Value::text(""),
                p4ha_sim::db::Value::Int(now),
            ],
        )
    };
    transaction(
        &rig,
        "master",
        "/master",
        &[line(1, "*", 0x10), line(2, "super", 0x40)],
    );
    let out = rig.run("master", "p4 -u bob -p master:1666 admin checkpoint");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (1, "You don't have permission for this operation.\n")
    );
    let out = rig.run("master", "p4 -u bob -p master:1666 journals");
    assert_eq!(out.status, 1);
    let out = rig.run("master", "p4 -u super -p master:1666 admin");
    assert_eq!(
        out.stderr,
        "Usage: admin { checkpoint | journal | resetpassword | restart | stop | updatespecdepot | setldapusers }\nMissing/wrong number of arguments.\n"
    );
    let out = rig.run(
        "master",
        "p4 -u super -p master:1666 admin checkpoint -z -Z",
    );
    assert_eq!(
        out.stderr,
        "Usage: admin checkpoint [ -z | -Z ] [ prefix ] \nMissing/wrong number of arguments.\n"
    );
    let out = rig.run("master", "p4 -u super -p master:1666 admin journal a b");
    assert_eq!(
        out.stderr,
        "Usage: admin journal [ -z ] [ prefix ] \nMissing/wrong number of arguments.\n"
    );
    assert!(!exists(&rig, "master", "/master/checkpoint.1"));
}
