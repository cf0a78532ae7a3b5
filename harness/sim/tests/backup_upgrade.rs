//! Restoring an older release's checkpoint on a newer p4d: the replay keeps
//! the old upgrade level, the server refuses to start until `p4d -xu` has
//! upgraded the tables, which then carry the new record versions.

mod backup_support;
mod common;

use std::path::Path;

use backup_support::*;
use common::Rig;

#[test]
fn an_old_checkpoint_is_upgraded_with_xu() {
    let mut rig = Rig::new(&[
        ("old", "192.168.56.114", "2019.1"),
        ("new", "192.168.56.115", "2023.2"),
    ]);
    rig.start("old").ok();
    workload(&rig, "old", "/old");
    rig.run("old", "p4d -r /old -jc").ok();
    host(&rig, "new")
        .fs
        .create_dir_all(Path::new("/new"))
        .unwrap();
    copy_between(&rig, "old", "/old/checkpoint.1", "new", "/new/checkpoint.1");
    let out = rig.run("new", "p4d -r /new -jr checkpoint.1");
    assert_eq!((out.status, out.stderr.as_str()), (0, ""));
    let out = rig.run("new", "p4d -r /new -p 1666 -d");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tDatabase is at old upgrade level 33.  Use 'p4d -r /new -xu' to upgrade to level 52.\n"
    );
    let out = rig.run("new", "p4d -r /new -xu");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    let journal = rig.read("new", "/new/journal");
    assert!(journal.contains("@nx@ 5 "), "{journal}");
    assert!(
        journal
            .contains(" @57@ 33 52 0 0 0 @@ @@ @@ @@ @@ \n@rv@ 1 @db.counters@ @upgrade@ @52@ \n"),
        "{journal}"
    );
    // Already current: nothing to do.
    let out = rig.run("new", "p4d -r /new -xu");
    assert_eq!(
        (out.status, out.stdout.as_str(), out.stderr.as_str()),
        (0, "", "")
    );
    rig.run("new", "p4d -r /new -p 1666 -d").ok();
    let out = rig.run("new", "p4d -r /new -jd - db.user db.depot");
    let dump = out.ok();
    assert!(dump.contains("@pv@ 8 @db.user@ @alice@ "), "{dump}");
    assert!(
        dump.contains("@pv@ 2 @db.depot@ @depot@ 0 @@ @depot/...@ @@ \n"),
        "{dump}"
    );
    // A database newer than the binary is not downgraded.
    host(&rig, "old")
        .fs
        .create_dir_all(Path::new("/back"))
        .unwrap();
    rig.run("new", "p4d -r /new -jd /new/new.ckp").ok();
    copy_between(&rig, "new", "/new/new.ckp", "old", "/back/new.ckp");
    let out = rig.run("old", "p4d -r /back -K db.user,db.depot,db.change,db.desc,db.rev,db.have,db.domain,db.working,db.protect -jr new.ckp");
    assert_eq!(out.status, 0, "{}", out.stderr);
    let out = rig.run("old", "p4d -r /back -xu");
    assert_eq!(
        out.stderr,
        "Perforce server error:\n\tDatabase is at upgrade level 52 past this server's level 33.\n"
    );
}
