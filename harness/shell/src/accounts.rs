//! Users and groups of a host, from its `/etc/passwd` and `/etc/group`.
//!
//! A sandbox host usually has neither file; then every user name is taken
//! to exist, with uid 0 for `root` and 1000 otherwise, a group of the same
//! name, and home `/root` or `/home/NAME`.

use std::path::Path;

use p4ha_hostfs::HostFs;

/// One user account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
    pub group: String,
    pub home: String,
}

fn read_db(fs: &HostFs, path: &str) -> Option<String> {
    fs.read_to_string(Path::new(path)).ok()
}

/// Looks a user up; `None` only when the host has a passwd file without
/// that user.
pub(crate) fn user(fs: &HostFs, name: &str) -> Option<User> {
    let Some(passwd) = read_db(fs, "/etc/passwd") else {
        return Some(fallback(name));
    };
    let line = passwd.lines().find(|l| l.split(':').next() == Some(name))?;
    let f: Vec<&str> = line.split(':').collect();
    let uid = f.get(2).and_then(|s| s.parse().ok()).unwrap_or(0);
    let gid = f.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let home = f
        .get(5)
        .map(|s| s.to_string())
        .unwrap_or_else(|| "/".into());
    let group = group_name(fs, gid).unwrap_or_else(|| gid.to_string());
    Some(User {
        name: name.to_string(),
        uid,
        gid,
        group,
        home,
    })
}

fn fallback(name: &str) -> User {
    let root = name == "root";
    User {
        name: name.to_string(),
        uid: if root { 0 } else { 1000 },
        gid: if root { 0 } else { 1000 },
        group: name.to_string(),
        home: if root {
            "/root".into()
        } else {
            format!("/home/{name}")
        },
    }
}

/// The name of a group id.
pub(crate) fn group_name(fs: &HostFs, gid: u32) -> Option<String> {
    let groups = read_db(fs, "/etc/group")?;
    groups
        .lines()
        .find(|l| l.split(':').nth(2).and_then(|s| s.parse::<u32>().ok()) == Some(gid))
        .and_then(|l| l.split(':').next().map(str::to_string))
}

/// True when the group exists (always, on a host without a group file).
pub(crate) fn group_exists(fs: &HostFs, name: &str) -> bool {
    match read_db(fs, "/etc/group") {
        None => true,
        Some(groups) => groups.lines().any(|l| l.split(':').next() == Some(name)),
    }
}
