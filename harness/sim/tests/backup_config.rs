//! Seed 000 sections 9 and 10: configurables set on the server's root with
//! `p4d "-cset ..."` and shown with `p4d -cshow`; the server's time zone
//! set in its p4dctl configuration and taking effect at `p4dctl restart`.

mod backup_support;
mod common;

use std::path::Path;

use backup_support::*;
use common::Rig;

#[test]
fn cset_and_cshow_edit_db_config_directly() {
    let mut rig = Rig::new(&[("edge", "192.168.56.116", "2019.1")]);
    host(&rig, "edge")
        .fs
        .create_dir_all(Path::new("/edge1"))
        .unwrap();
    let out = rig.run("edge", "p4d -r /edge1 -p 1666 -d");
    out.ok();
    rig.run(
        "edge",
        "p4 -u super -p edge:1666 configure set edge1#P4TARGET=192.168.56.114:1666",
    )
    .ok();
    // Retarget the edge after a failover, with the server running.
    let out = rig.run(
        "edge",
        "p4d -r /edge1 \"-cset edge1#P4TARGET=192.168.56.115:18800\"",
    );
    assert_eq!(
        out.ok(),
        "For server 'edge1', configuration variable 'P4TARGET' set to '192.168.56.115:18800'\n"
    );
    let out = rig.run("edge", "p4d -r /edge1 \"-cset monitor=1\"");
    assert_eq!(
        out.ok(),
        "For server 'any', configuration variable 'monitor' set to '1'\n"
    );
    let out = rig.run("edge", "p4d -r /edge1 \"-cshow\"");
    assert_eq!(
        out.ok(),
        "any: monitor = 1\nedge1: P4TARGET = 192.168.56.115:18800\n"
    );
    // The running server sees the change at its next command.
    let out = rig.run("edge", "p4 -u super -p edge:1666 configure show allservers");
    assert_eq!(
        out.ok(),
        "any: monitor = 1\nedge1: P4TARGET = 192.168.56.115:18800\n"
    );
    let out = rig.run("edge", "p4d -r /edge1 \"-cunset monitor\"");
    assert_eq!(
        out.ok(),
        "For server 'any', configuration variable 'monitor' removed.\n"
    );
    let out = rig.run("edge", "p4d -r /edge1 \"-cunset monitor\"");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Perforce server error:\n\tConfiguration variable 'monitor' did not have a value.\n"
        )
    );
    // Offline edits are not journaled.
    assert!(!rig.read("edge", "/edge1/journal").contains("18800"));
    let out = rig.run("edge", "p4d -r /nosuch -cshow");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Perforce server error:\n\tchdir /nosuch: No such file or directory\n"
        )
    );
}

fn conf(tz: &str) -> String {
    format!(
        "p4d master\n{{\n    Owner    =    perforce\n    Execute  =    /opt/perforce/sbin/p4d\n    Environment\n    {{\n        P4ROOT    =    /master\n        P4PORT    =    1666\n        P4USER    =     super\n        P4SSLDIR  =     ssl\n{tz}        PATH      =     /bin:/usr/bin:/usr/local/bin:/opt/perforce/bin:/opt/perforce/sbin\n    }}\n}}\n"
    )
}

fn server_date(rig: &mut Rig) -> String {
    let info = rig
        .run("master", "p4 -u super -p master:1666 info")
        .ok()
        .to_string();
    info.lines()
        .find_map(|l| l.strip_prefix("Server date: "))
        .unwrap()
        .to_string()
}

#[test]
fn the_time_zone_in_the_p4dctl_configuration_takes_effect_at_restart() {
    let mut rig = Rig::new(&[("master", "192.168.56.114", "2019.1")]);
    let h = host(&rig, "master");
    h.fs.create_dir_all(Path::new("/etc/perforce/p4dctl.conf.d"))
        .unwrap();
    h.fs.write(
        Path::new("/etc/perforce/p4dctl.conf"),
        b"include /etc/perforce/p4dctl.conf.d\n",
    )
    .unwrap();
    h.fs.write(
        Path::new("/etc/perforce/p4dctl.conf.d/master.conf"),
        conf("        TZ        =     UTC\n").as_bytes(),
    )
    .unwrap();
    rig.run("master", "p4dctl start master").ok();
    assert!(
        server_date(&mut rig).ends_with(" +0000 UTC"),
        "{}",
        server_date(&mut rig)
    );

    // Q1: add the TZ line, restart.
    h.fs.write(
        Path::new("/etc/perforce/p4dctl.conf.d/master.conf"),
        conf("        TZ        =     Asia/Tokyo   \n").as_bytes(),
    )
    .unwrap();
    let out = rig.run("master", "p4dctl restart master");
    assert_eq!(
        out.ok(),
        "Restarted 'master' p4d service.\nRestarted 1 services.\n"
    );
    let date = server_date(&mut rig);
    assert!(date.ends_with(" +0900 JST"), "{date}");
    // Checkpoint dates follow the server's zone too.
    rig.run("master", "p4 -u super -p master:1666 admin checkpoint")
        .ok();
    let lca = rig
        .run(
            "master",
            "p4 -u super -p master:1666 counter lastCheckpointAction",
        )
        .ok()
        .to_string();
    assert!(lca.contains(" +0900 JST) checkpoint completed"), "{lca}");
}
