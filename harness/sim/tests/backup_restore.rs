//! Recovery when the database is lost (seed 001): stop the server, move
//! `db.*` away, verify the checkpoint, replay the checkpoint and the
//! current journal with `p4d -r ROOT -jr`, and get every table back.

mod backup_support;
mod common;

use backup_support::*;
use common::Rig;

fn rig() -> Rig {
    let mut rig = Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    rig.start("master").ok();
    workload(&rig, "master", "/master");
    rig
}

/// The server is stopped with `p4 admin stop` and no longer answers.
fn stop(rig: &mut Rig) {
    let out = rig.run("master", "p4 -u super -p master:1666 admin stop");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    rig.sleep(1);
    let out = rig.run("master", "p4 -u super -p master:1666 counter change");
    assert_eq!(out.status, 1, "the server still answers: {}", out.stdout);
    assert!(
        out.stderr
            .contains("Connect to server failed; check $P4PORT."),
        "{}",
        out.stderr
    );
}

#[test]
fn a_lost_database_comes_back_from_the_checkpoint_and_the_journal() {
    let mut rig = rig();
    rig.run("master", "p4 -u super -p master:1666 admin checkpoint")
        .ok();
    // Work after the checkpoint is only in the journal.
    submit(
        &rig,
        "master",
        "/master",
        3,
        "//depot/c.txt",
        "after the checkpoint\n",
    );
    rig.run("master", "p4 -u super -p master:1666 counter build 42")
        .ok();
    rig.run(
        "master",
        "p4 -u super -p master:1666 configure set journalPrefix=nightly",
    )
    .ok();
    let lca = rig
        .run(
            "master",
            "p4 -u super -p master:1666 counter lastCheckpointAction",
        )
        .ok()
        .to_string();
    rig.run("master", "p4d -r /master -jd /tmp/before.ckp").ok();

    stop(&mut rig);
    move_db_files(&rig, "master", "/master", "/tmp/lost");
    assert!(db_files(&rig, "master", "/master").is_empty());

    let out = rig.run("master", "p4d -r /master -jv checkpoint.1");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let out = rig.run("master", "p4d -r /master -jr checkpoint.1 journal");
    assert_eq!(
        out.stdout,
        "Perforce db files in '.' will be created if missing...\nRecovering from checkpoint.1...\nRecovering from journal...\n"
    );
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    // Every db.* file exists again.
    assert_eq!(
        db_files(&rig, "master", "/master"),
        db_files(&rig, "master", "/tmp/lost")
    );

    // The tables are back as they were: a dump now equals the dump before,
    // apart from the dates in the notes.
    rig.run("master", "p4d -r /master -jd /tmp/after.ckp").ok();
    assert_eq!(
        records_without_note_dates(&read_bytes(&rig, "master", "/tmp/after.ckp")),
        records_without_note_dates(&read_bytes(&rig, "master", "/tmp/before.ckp"))
    );

    // The server starts on the restored database; the checkpoint's
    // completion is what lastCheckpointAction reports.
    let out = rig.start("master");
    assert_eq!(out.ok(), "Perforce Server starting...\n");
    assert_eq!(
        rig.run(
            "master",
            "p4 -u super -p master:1666 counter lastCheckpointAction"
        )
        .ok(),
        lca
    );
    assert_eq!(
        rig.run("master", "p4 -u super -p master:1666 counter change")
            .ok(),
        "3\n"
    );
    assert_eq!(
        rig.run("master", "p4 -u super -p master:1666 counter build")
            .ok(),
        "42\n"
    );
    // The replay is in the server's own history (db.ckphist is not in
    // checkpoints, so it holds only what happened since). Both files were
    // replayed in the same second to the same journal number, so they share
    // the table's key: the journal's row is the one kept.
    let out = rig.run(
        "master",
        "p4 -u super -p master:1666 journals -T type,jnum,jfile",
    );
    assert_eq!(
        out.ok(),
        "... type dump\n... jnum 1\n... jfile /tmp/after.ckp\n\n... type replay\n... jnum 1\n... jfile journal\n\n"
    );
}

#[test]
fn a_compressed_checkpoint_and_the_plain_journal_take_two_commands() {
    let mut rig = rig();
    let out = rig.run("master", "p4d -r /master -z -jc");
    assert!(
        out.ok()
            .starts_with("Checkpointing to checkpoint.1.gz...\n"),
        "{}",
        out.stdout
    );
    assert!(exists(&rig, "master", "/master/checkpoint.1.gz.md5"));
    submit(
        &rig,
        "master",
        "/master",
        3,
        "//depot/c.txt",
        "after the checkpoint\n",
    );
    rig.run("master", "p4d -r /master -jd /tmp/before.ckp").ok();
    stop(&mut rig);
    remove_db_files(&rig, "master", "/master");

    // -z applies to every file: the plain journal cannot be read with it.
    let out = rig.run("master", "p4d -r /master -z -jr checkpoint.1.gz journal");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stdout,
        "Perforce db files in '.' will be created if missing...\nRecovering from checkpoint.1.gz...\nRecovering from journal...\n"
    );
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tJournal file 'journal' replay failed at line 1!\n\tCorrupt gzip data: invalid gzip header\n"
    );
    // Without -z a compressed checkpoint is not journal text.
    remove_db_files(&rig, "master", "/master");
    let out = rig.run("master", "p4d -r /master -jr checkpoint.1.gz");
    assert_eq!(out.status, 1);
    assert!(out.stderr.starts_with("Perforce server error:\n\tJournal file 'checkpoint.1.gz' replay failed at line 1!\n\tBad opcode '"), "{}", out.stderr);

    // The chapter's two commands.
    remove_db_files(&rig, "master", "/master");
    let out = rig.run("master", "p4d -r /master -z -jr checkpoint.1.gz");
    assert_eq!(
        out.ok(),
        "Perforce db files in '.' will be created if missing...\nRecovering from checkpoint.1.gz...\n"
    );
    let out = rig.run("master", "p4d -r /master -jr journal");
    assert_eq!(out.ok(), "Recovering from journal...\n");
    assert_eq!(out.stderr, "");
    rig.run("master", "p4d -r /master -jd /tmp/after.ckp").ok();
    assert_eq!(
        records_without_note_dates(&read_bytes(&rig, "master", "/tmp/after.ckp")),
        records_without_note_dates(&read_bytes(&rig, "master", "/tmp/before.ckp"))
    );
}

#[test]
fn r_after_jr_is_not_the_root() {
    let mut rig = rig();
    rig.run("master", "p4d -r /master -jc").ok();
    stop(&mut rig);
    remove_db_files(&rig, "master", "/master");
    // Flags end at the first file name: `-r /master` become two more file
    // names, and the root is the current directory.
    let out = rig.run("master", "p4d -jr checkpoint.1 -r /master");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stdout,
        "Perforce db files in '.' will be created if missing...\nRecovering from checkpoint.1...\n"
    );
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\topen for read: checkpoint.1: No such file or directory\n"
    );
    assert!(db_files(&rig, "master", "/master").is_empty());
    // `-r` first works.
    let out = rig.run("master", "p4d -r /master -jr checkpoint.1");
    out.ok();
}

#[test]
fn a_full_checkpoint_is_not_replayed_over_data() {
    let mut rig = rig();
    rig.run("master", "p4d -r /master -jc").ok();
    let out = rig.run("master", "p4d -r /master -jr checkpoint.1");
    assert_eq!(out.status, 1);
    assert_eq!(out.stdout, "Recovering from checkpoint.1...\n");
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tA full checkpoint should not be replayed into a non-empty database. Please remove the existing db.* files and retry the operation. The '-jrF' flag can be specified to bypass this check.\n"
    );
    let out = rig.run("master", "p4d -r /master -jrF checkpoint.1");
    assert_eq!(out.ok(), "Recovering from checkpoint.1...\n");
}

#[test]
fn a_journal_already_in_the_checkpoint_is_skipped() {
    let mut rig = rig();
    rig.run("master", "p4d -r /master -jc").ok();
    rig.run("master", "p4 -u super -p master:1666 counter build 1")
        .ok();
    rig.run("master", "p4d -r /master -jc").ok();
    host(&rig, "master")
        .fs
        .create_dir_all(std::path::Path::new("/restore"))
        .unwrap();
    // journal.1 leads from checkpoint.1 to checkpoint.2: it is part of
    // checkpoint.2 already.
    let out = rig.run(
        "master",
        "p4d -r /restore -jr /master/checkpoint.2 /master/journal.1 /master/journal",
    );
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stdout,
        "Perforce db files in '.' will be created if missing...\nRecovering from /master/checkpoint.2...\nRecovering from /master/journal.1...\nRecovering from /master/journal...\n"
    );
    assert_eq!(
        out.stderr,
        "Perforce server warning:\n\tJournal file '/master/journal.1' skipped (out of sequence).\nPerforce server error:\n\t1 out of sequence journals were not replayed\n"
    );
    // In order, everything replays.
    host(&rig, "master")
        .fs
        .create_dir_all(std::path::Path::new("/restore2"))
        .unwrap();
    let out = rig.run(
        "master",
        "p4d -r /restore2 -jr /master/checkpoint.1 /master/journal.1 /master/journal",
    );
    assert_eq!(out.stderr, "");
    out.ok();
}

#[test]
fn replay_errors_name_the_file_and_line() {
    let mut rig = Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    let header = "@nx@ 2 1571371200 @47@ 1 0 0 0 0 @/master@ @journal@ @@ @@ @@ \n";
    let journal = format!(
        "{header}@pv@ 1 @db.counters@ @build@ @1@ \n@ex@ 10 1571371200 \n@dv@ 1 @db.counters@ @nosuch@ @1@ \n@ex@ 11 1571371200 \n"
    );
    write_bytes(&rig, "master", "/master/fix.jnl", journal.as_bytes());
    let out = rig.run("master", "p4d -r /master -jr fix.jnl");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tJournal file 'fix.jnl' replay failed at line 4!\n\tIn table db.counters, the following row was not present or could not be deleted. It may be possible to use the '-f' flag to proceed beyond this point. Row data: \"@nosuch@ @1@\"\n"
    );
    // -f goes on past it.
    let out = rig.run("master", "p4d -r /master -f -jr fix.jnl");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));

    let bad = format!("{header}@pv@ 1 @db.counters@ @build@ @2@ \n@xx@ 1 2\n");
    write_bytes(&rig, "master", "/master/bad.jnl", bad.as_bytes());
    let out = rig.run("master", "p4d -r /master -jr bad.jnl");
    assert_eq!(out.status, 1);
    assert!(out.stderr.starts_with("Perforce server error:\n\tJournal file 'bad.jnl' replay failed at line 3!\n\tBad opcode "), "{}", out.stderr);
    // The records before the bad one were applied.
    let out = rig.run("master", "p4d -r /master -jd - db.counters");
    assert!(
        out.ok().contains("@pv@ 1 @db.counters@ @build@ @2@ \n"),
        "{}",
        out.stdout
    );

    let out = rig.run("master", "p4d -r /master -jr");
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tMust specify checkpoint/journal files.\n"
    );
    let out = rig.run("master", "p4d -r /master -jx");
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tUsage: p4d -h for usage.\n\tUnknown journaling flag.  Try 'c', 'd', 'j' or 'r'.\n"
    );
}

#[test]
fn admin_restart_brings_the_server_back() {
    let mut rig = rig();
    let out = rig.run("master", "p4 -u super -p master:1666 admin restart");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    rig.sleep(1);
    assert_eq!(
        rig.run("master", "p4 -u super -p master:1666 counter change")
            .ok(),
        "2\n"
    );
}
