//! `p4ha journal check|stats|filter`: exit codes and output, run through the built binary.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn p4ha(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_p4ha"))
        .args(args)
        .output()
        .expect("the p4ha binary runs")
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../samples")
}

fn sample(name: &str) -> String {
    samples().join(name).to_string_lossy().into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited normally")
}

#[test]
fn check_accepts_the_samples_and_verifies_the_md5() {
    let ckp = sample("checkpoint.1");
    let jnl = sample("journal");
    let out = p4ha(&["journal", "check", &ckp, &jnl]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains(&format!(
            "{ckp}: OK (checkpoint, 28 records, trailer present, MD5 "
        )),
        "{text}"
    );
    assert!(text.contains("checkpoint.1.md5"), "{text}");
    assert!(
        text.contains(&format!("{jnl}: OK (journal, 11 records)")),
        "{text}"
    );
    assert!(stderr(&out).is_empty());
}

#[test]
fn check_reports_the_first_error_of_each_file_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("journal.7");
    fs::write(
        &bad,
        b"@pv@ 1 @db.counters@ @change@ @1@ \n@xx@ 1 @db.x@ \n@zz@\n",
    )
    .unwrap();
    let bad2 = dir.path().join("journal.8");
    fs::write(&bad2, b"@pv@ 0 @db.desc@ 1 @open\n").unwrap();
    let good = sample("journal");
    let bad_s = bad.to_string_lossy().into_owned();
    let bad2_s = bad2.to_string_lossy().into_owned();
    let out = p4ha(&["journal", "check", &bad_s, &good, &bad2_s]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stderr(&out),
        format!(
            "{bad_s}:2: Bad opcode 'xx' journal record!\n{bad2_s}:1: End of input in middle of word!\n"
        )
    );
    assert!(stdout(&out).contains(&format!("{good}: OK")));
}

#[test]
fn check_reports_an_md5_mismatch_naming_both_digests() {
    let dir = tempfile::tempdir().unwrap();
    let ckp = dir.path().join("checkpoint.1");
    fs::copy(samples().join("checkpoint.1"), &ckp).unwrap();
    fs::write(
        dir.path().join("checkpoint.1.md5"),
        "MD5 (checkpoint.1) = 00112233445566778899AABBCCDDEEFF\n",
    )
    .unwrap();
    let ckp_s = ckp.to_string_lossy().into_owned();
    let out = p4ha(&["journal", "check", &ckp_s]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.starts_with(&format!("{ckp_s}: MD5 mismatch: ")),
        "{err}"
    );
    assert!(err.contains("00112233445566778899AABBCCDDEEFF"), "{err}");
    let actual = fs::read_to_string(samples().join("checkpoint.1.md5")).unwrap();
    let actual = actual.trim().rsplit(' ').next().unwrap().to_string();
    assert!(err.contains(&actual), "{err}");
    // --no-md5 skips the side file.
    assert_eq!(code(&p4ha(&["journal", "check", "--no-md5", &ckp_s])), 0);
}

#[test]
fn check_reports_a_checkpoint_without_trailer() {
    let dir = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(samples().join("checkpoint.1")).unwrap();
    let cut = &text[..text.rfind("@nx@ 1 ").unwrap()];
    let ckp = dir.path().join("checkpoint.2");
    fs::write(&ckp, cut).unwrap();
    let ckp_s = ckp.to_string_lossy().into_owned();
    let out = p4ha(&["journal", "check", &ckp_s]);
    assert_eq!(code(&out), 1);
    assert_eq!(
        stderr(&out),
        format!(
            "{ckp_s}:36: Checkpoint has no trailer note: incomplete checkpoint (header at line 1)\n"
        )
    );
}

#[test]
fn check_reads_gzip() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let gz = dir.path().join("checkpoint.1.gz");
    let mut enc = flate2::write::GzEncoder::new(
        fs::File::create(&gz).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(&fs::read(samples().join("checkpoint.1")).unwrap())
        .unwrap();
    enc.finish().unwrap();
    // The side file of the uncompressed checkpoint applies to the .gz too.
    fs::copy(
        samples().join("checkpoint.1.md5"),
        dir.path().join("checkpoint.1.md5"),
    )
    .unwrap();
    let out = p4ha(&["journal", "check", &gz.to_string_lossy()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("gzip, trailer present, MD5"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_takes_a_thread_count_of_one_or_more() {
    let ckp = sample("checkpoint.1");
    let one = p4ha(&["journal", "check", "--threads", "1", &ckp]);
    assert_eq!(code(&one), 0, "{}", stderr(&one));
    assert_eq!(stdout(&one), stdout(&p4ha(&["journal", "check", &ckp])));
    let zero = p4ha(&["journal", "check", "--threads", "0", &ckp]);
    assert_eq!(code(&zero), 2);
    assert!(stderr(&zero).contains("--threads"), "{}", stderr(&zero));
}

#[test]
fn check_of_a_missing_file_fails() {
    let out = p4ha(&["journal", "check", "/nonexistent/journal"]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).starts_with("/nonexistent/journal: Read error: "),
        "{}",
        stderr(&out)
    );
}

#[test]
fn stats_decodes_the_header_and_counts_records() {
    let ckp = sample("checkpoint.1");
    let out = p4ha(&["journal", "stats", &ckp]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let text = stdout(&out);
    for expected in [
        "kind: checkpoint",
        "compression: none",
        "size: 2549 bytes (uncompressed), 36 lines, 28 records",
        "header: checkpoint header (line 1, written 2019/10/18 06:20:00 UTC (1571379600))",
        "  server level: 47 (2019.1)",
        "  case handling: 2",
        "  root: /p4/1/root",
        "  journal: journal",
        "trailer: present (checkpoint trailer, line 36, written 2019/10/18 06:20:08 UTC (1571379608)), 8 s after the header",
        "  pv             26",
        "  nx              2",
        "  db.desc                3  (pv 3)",
        "  db.rev                 4  (pv 4)",
    ] {
        assert!(
            text.lines().any(|l| l == expected),
            "missing {expected:?} in\n{text}"
        );
    }
}

#[test]
fn stats_of_a_journal_shows_operations_per_table() {
    let out = p4ha(&["journal", "stats", &sample("journal")]);
    assert_eq!(code(&out), 0);
    let text = stdout(&out);
    assert!(text.contains("kind: journal"), "{text}");
    assert!(text.contains("  journal type: normal"), "{text}");
    assert!(text.contains("trailer: none"), "{text}");
    assert!(
        text.contains("  db.config              2  (pv 1, dv 1)"),
        "{text}"
    );
    assert!(text.contains("  ex              3"), "{text}");
}

#[test]
fn stats_of_an_invalid_file_fails() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("j");
    fs::write(&bad, b"@pv@ 1 @db.x@ 99999999999999999999 \n").unwrap();
    let out = p4ha(&["journal", "stats", &bad.to_string_lossy()]);
    assert_eq!(code(&out), 1);
    assert!(
        stderr(&out).ends_with(":1: Word too big for a number!\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn filter_prints_records_byte_for_byte() {
    let ckp = sample("checkpoint.1");
    let out = p4ha(&["journal", "filter", &ckp, "--table", "db.desc"]);
    assert_eq!(code(&out), 0);
    let text = fs::read_to_string(samples().join("checkpoint.1")).unwrap();
    let first = text.find("@pv@ 0 @db.desc@").unwrap();
    let last = text.find("@pv@ 9 @db.rev@").unwrap();
    assert_eq!(stdout(&out), &text[first..last]);

    let out = p4ha(&[
        "journal",
        "filter",
        &sample("journal"),
        "--op",
        "ex",
        "--op",
        "mx",
    ]);
    assert_eq!(code(&out), 0);
    assert_eq!(
        stdout(&out),
        "@ex@ 31337 1571379700 \n@ex@ 31338 1571379760 \n@mx@ 31339 1571379800 \n@ex@ 31339 1571379801 \n"
    );

    let out = p4ha(&[
        "journal",
        "filter",
        &sample("journal"),
        "--table",
        "db.config",
        "--op",
        "dv",
    ]);
    assert_eq!(
        stdout(&out),
        "@dv@ 1 @db.config@ @any@ @dm.user.noautocreate@ @2@ \n"
    );
}

#[test]
fn filter_stops_at_the_first_error() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("j");
    fs::write(&bad, b"@ex@ 1 2\n@ex@ 3\n@ex@ 5 6\n").unwrap();
    let out = p4ha(&["journal", "filter", &bad.to_string_lossy(), "--op", "ex"]);
    assert_eq!(code(&out), 1);
    assert_eq!(stdout(&out), "@ex@ 1 2\n");
    assert!(
        stderr(&out).ends_with(":2: Bad transaction marker!\n"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn bad_usage_exits_2() {
    for args in [
        vec!["journal", "check"],
        vec!["journal", "filter", "x"],
        vec!["journal", "filter", "x", "--op", "zz"],
        vec!["journal", "stats"],
        vec!["journal", "frobnicate"],
        vec!["--no-such-option"],
    ] {
        let out = p4ha(&args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty());
    }
}

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["journal", "--help"],
        vec!["journal", "check", "--help"],
        vec!["journal", "stats", "--help"],
        vec!["journal", "filter", "--help"],
    ] {
        let out = p4ha(&args);
        assert_eq!(code(&out), 0, "{args:?}");
        assert!(
            stdout(&out).contains("Usage: p4ha"),
            "{args:?}: {}",
            stdout(&out)
        );
    }
    let help = stdout(&p4ha(&["journal", "--help"]));
    assert!(!help.contains("generate"), "generate is hidden");
}

#[test]
fn generate_writes_a_valid_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    for gzip in [false, true] {
        let file = dir.path().join(if gzip { "gen.ckp.gz" } else { "gen.ckp" });
        let file_s = file.to_string_lossy().into_owned();
        let mut args = vec!["journal", "generate", "--size-mb", "1", "--md5", &file_s];
        if gzip {
            args.push("--gzip");
        }
        let out = p4ha(&args);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        let out = p4ha(&["journal", "check", &file_s]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
        assert!(
            stdout(&out).contains("trailer present, MD5"),
            "{}",
            stdout(&out)
        );
    }
}
