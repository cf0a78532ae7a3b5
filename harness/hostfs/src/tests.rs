use super::*;
use std::sync::atomic::{AtomicI64, Ordering};

fn sandbox() -> (tempfile::TempDir, HostFs, Arc<AtomicI64>) {
    let dir = tempfile::tempdir().unwrap();
    let t = Arc::new(AtomicI64::new(1_571_374_800));
    let t2 = t.clone();
    let fs = HostFs::sandbox(
        dir.path().join("host"),
        Arc::new(move || t2.load(Ordering::SeqCst)),
    )
    .unwrap();
    (dir, fs, t)
}

#[test]
fn paths_never_leave_the_sandbox() {
    let (dir, fs, _) = sandbox();
    let real = fs.real_path(Path::new("/standby/../../../etc/passwd"));
    assert_eq!(real, dir.path().join("host/etc/passwd"));
    assert_eq!(fs.host_path(&real).unwrap(), Path::new("/etc/passwd"));
}

#[test]
fn disk_full_refuses_growth_but_allows_truncation() {
    let (_d, fs, _) = sandbox();
    fs.create_dir_all(Path::new("/master")).unwrap();
    fs.write(Path::new("/master/journal"), b"abc").unwrap();
    fs.set_full(Path::new("/master"), true);
    let err = fs
        .append(Path::new("/master/journal"), b"more")
        .unwrap_err();
    assert_eq!(err.raw_os_error(), Some(28));
    assert!(err.to_string().contains("No space left on device"));
    fs.set_len(Path::new("/master/journal"), 1).unwrap();
    fs.write(Path::new("/tmp/elsewhere"), b"ok").unwrap();
    fs.set_full(Path::new("/master"), false);
    assert_eq!(fs.append(Path::new("/master/journal"), b"bc").unwrap(), 3);
}

#[test]
fn owners_and_times_are_simulated_and_follow_renames() {
    let (_d, fs, t) = sandbox();
    fs.set_default_owner("perforce", "perforce");
    fs.write(Path::new("/tmp/ckp"), b"x").unwrap();
    assert_eq!(fs.metadata(Path::new("/tmp/ckp")).unwrap().user, "perforce");
    fs.chown(Path::new("/tmp/ckp"), Some("root"), None).unwrap();
    t.store(1_571_374_900, Ordering::SeqCst);
    fs.create_dir_all(Path::new("/standby")).unwrap();
    fs.rename(Path::new("/tmp/ckp"), Path::new("/standby/ckp"))
        .unwrap();
    let md = fs.metadata(Path::new("/standby/ckp")).unwrap();
    assert_eq!((md.user.as_str(), md.group.as_str()), ("root", "perforce"));
    assert_eq!(md.mtime, 1_571_374_800);
}

#[test]
fn writer_honours_disk_full() {
    let (_d, fs, _) = sandbox();
    let mut w = fs.create(Path::new("/tmp/big")).unwrap();
    w.write_all(b"first").unwrap();
    fs.set_full(Path::new("/tmp"), true);
    assert!(w.write_all(b"second").is_err());
}

#[test]
fn read_dir_is_sorted() {
    let (_d, fs, _) = sandbox();
    for n in ["db.rev", "db.config", "journal"] {
        fs.write(&Path::new("/r").join(n), b"").unwrap_or_else(|_| {
            fs.create_dir_all(Path::new("/r")).unwrap();
            fs.write(&Path::new("/r").join(n), b"").unwrap();
        });
    }
    assert_eq!(
        fs.read_dir(Path::new("/r")).unwrap(),
        ["db.config", "db.rev", "journal"]
    );
}
