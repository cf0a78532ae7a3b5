//! Behaviour the journal-notes and durability-fault scenarios (11, 12)
//! rely on beyond what the backup tests cover: a write refused because
//! the journal's disk is full reports the operating system's text as p4d
//! does, acknowledges nothing, and succeeds once there is room again.

mod backup_support;
mod common;

use std::path::Path;

use backup_support::host;
use common::Rig;

#[test]
fn a_full_journal_disk_refuses_the_write_with_the_os_text() {
    let mut rig = Rig::new(&[("master", "192.168.62.10", "2019.1")]);
    rig.start("master").ok();
    rig.run("master", "p4 -u super -p master:1666 counter release 1")
        .ok();

    host(&rig, "master").fs.set_full(Path::new("/master"), true);
    let out = rig.run("master", "p4 -u super -p master:1666 counter release 2");
    assert_eq!(out.status, 1);
    assert_eq!(out.stdout, "");
    assert_eq!(
        out.stderr,
        "Journal file '/master/journal' write failed: No space left on device\n"
    );
    // Nothing was saved: the counter keeps its acknowledged value.
    let out = rig.run("master", "p4 -u super -p master:1666 counter release");
    assert_eq!(out.ok(), "1\n");

    host(&rig, "master")
        .fs
        .set_full(Path::new("/master"), false);
    let out = rig.run("master", "p4 -u super -p master:1666 counter release 2");
    assert_eq!(out.ok(), "Counter release set.\n");
    let out = rig.run("master", "p4 -u super -p master:1666 counter release");
    assert_eq!(out.ok(), "2\n");
}
