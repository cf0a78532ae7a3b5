//! The simulator behind the runner's backend contract: machines from a
//! topology, command lines through the shell, files, faults, virtual time.

use std::collections::BTreeMap;
use std::time::Duration;

use p4ha_backend::{Backend, BackendError, CutMode, Exec, ExecOutput, Fault, Machine, Topology};
use p4ha_sim::backend::{SimBackend, SimBackendOptions};

fn machine(name: &str, ip: Option<&str>) -> Machine {
    Machine {
        name: name.into(),
        hostname: name.into(),
        ip: ip.map(|i| i.parse().unwrap()),
        aliases: vec![],
        version: "2019.1".into(),
        timezone: "Asia/Tokyo".into(),
        env: BTreeMap::new(),
        image: None,
    }
}

fn up(parent: &std::path::Path, keep: bool) -> SimBackend {
    let mut b = SimBackend::new(SimBackendOptions {
        parent: Some(parent.to_path_buf()),
        keep,
    });
    let topology = Topology {
        name: "backend test".into(),
        seed: 1,
        start_epoch: Some(1_571_371_200),
        machines: vec![
            machine("master", Some("192.168.56.114")),
            machine("standby", None),
        ],
    };
    b.up(&topology).unwrap();
    b
}

fn sh(b: &mut SimBackend, machine: &str, script: &str) -> ExecOutput {
    b.exec(
        machine,
        &Exec {
            script: script.into(),
            ..Exec::default()
        },
    )
    .unwrap()
}

fn out(o: &ExecOutput) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned() + &String::from_utf8_lossy(&o.stderr)
}

const CONF: &str = "p4d master\n{\n    Execute = /opt/perforce/sbin/p4d\n    Environment\n    {\n        P4ROOT = /master\n        P4PORT = 1666\n    }\n}\n";

/// Installs and starts p4d on master through p4dctl.
fn start_master(b: &mut SimBackend) {
    b.write_file(
        "master",
        "/etc/perforce/p4dctl.conf",
        b"include /etc/perforce/p4dctl.conf.d\n",
        0o644,
    )
    .unwrap();
    b.write_file(
        "master",
        "/etc/perforce/p4dctl.conf.d/master.conf",
        CONF.as_bytes(),
        0o644,
    )
    .unwrap();
    let o = sh(b, "master", "mkdir -p /master && p4dctl start master");
    assert_eq!(o.status, Some(0), "{}", out(&o));
}

#[test]
fn machines_have_a_login_and_run_scripts_through_the_shell() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    let o = sh(
        &mut b,
        "standby",
        "echo $HOME $USER $TZ; pwd; hostname; command -v p4d",
    );
    assert_eq!(
        out(&o),
        "/root root Asia/Tokyo\n/root\nstandby\n/opt/perforce/sbin/p4d\n"
    );
    // Addresses: fixed ones kept, others from a private range; names resolve.
    let o = sh(&mut b, "standby", "p4 -p master:1666 info");
    assert!(out(&o).contains("master:1666"), "{}", out(&o));
    let exec = Exec {
        script: "cat; echo $EXTRA".into(),
        stdin: b"typed\n".to_vec(),
        env: BTreeMap::from([("EXTRA".to_string(), "x".to_string())]),
        cwd: Some("/tmp".into()),
        timeout: Duration::from_secs(5),
    };
    assert_eq!(out(&b.exec("master", &exec).unwrap()), "typed\nx\n");
    assert!(matches!(
        b.exec("nowhere", &exec),
        Err(BackendError::UnknownMachine(_))
    ));
}

#[test]
fn time_is_virtual_and_a_command_past_its_limit_has_no_status() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    assert_eq!(b.now(), 1_571_371_200);
    b.sleep(Duration::from_secs(3600)).unwrap();
    assert_eq!(b.now(), 1_571_374_800);
    let started = std::time::Instant::now();
    let o = b
        .exec(
            "master",
            &Exec {
                script: "sleep 30; echo late".into(),
                timeout: Duration::from_secs(10),
                ..Exec::default()
            },
        )
        .unwrap();
    assert_eq!(o.status, None);
    assert!(started.elapsed() < Duration::from_secs(5), "virtual time");
    assert_eq!(
        sh(&mut b, "master", "date '+%Y-%m-%d %H:%M'").stdout,
        b"2019-10-18 14:00\n"
    );
}

#[test]
fn files_are_read_and_written_on_the_machine() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    b.write_file("master", "/etc/perforce/x.conf", b"hello\n", 0o600)
        .unwrap();
    assert_eq!(
        b.read_file("master", "/etc/perforce/x.conf").unwrap(),
        b"hello\n"
    );
    assert_eq!(
        out(&sh(&mut b, "master", "cat /etc/perforce/x.conf")),
        "hello\n"
    );
    match b.read_file("standby", "/etc/perforce/x.conf") {
        Err(BackendError::File { reason, .. }) => assert_eq!(reason, "No such file or directory"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn server_faults() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    start_master(&mut b);
    let info = "p4 -u super -p master:1666 counters";
    assert_eq!(sh(&mut b, "standby", info).status, Some(0));

    b.fault(&Fault::Crash {
        machine: "master".into(),
        root: "/master".into(),
    })
    .unwrap();
    let o = sh(&mut b, "standby", info);
    assert_eq!(o.status, Some(1));
    assert!(out(&o).contains("Connect to server failed"), "{}", out(&o));
    assert_eq!(
        out(&sh(&mut b, "master", "p4dctl status master")),
        "'master' p4d service not running.\n"
    );
    let err = b
        .fault(&Fault::Crash {
            machine: "master".into(),
            root: "/master".into(),
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "no p4d is running with P4ROOT /master on master"
    );

    b.fault(&Fault::Start {
        machine: "master".into(),
        p4dctl_name: "master".into(),
    })
    .unwrap();
    assert_eq!(sh(&mut b, "standby", info).status, Some(0));
    b.fault(&Fault::Stop {
        machine: "master".into(),
        root: "/master".into(),
    })
    .unwrap();
    assert_eq!(sh(&mut b, "standby", info).status, Some(1));
    let err = b
        .fault(&Fault::Start {
            machine: "master".into(),
            p4dctl_name: "nope".into(),
        })
        .unwrap_err();
    assert!(
        err.to_string().contains("Service 'nope' not found."),
        "{err}"
    );

    b.fault(&Fault::Start {
        machine: "master".into(),
        p4dctl_name: "master".into(),
    })
    .unwrap();
    b.fault(&Fault::Pause {
        machine: "master".into(),
        root: "/master".into(),
    })
    .unwrap();
    let paused = b
        .exec(
            "standby",
            &Exec {
                script: info.into(),
                timeout: Duration::from_secs(20),
                ..Exec::default()
            },
        )
        .unwrap();
    assert_eq!(paused.status, None, "a paused server does not answer");
    b.fault(&Fault::Resume {
        machine: "master".into(),
        root: "/master".into(),
    })
    .unwrap();
    assert_eq!(sh(&mut b, "standby", info).status, Some(0));
}

#[test]
fn network_faults() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    start_master(&mut b);
    let info = "p4 -u super -p master:1666 counters";
    b.fault(&Fault::Partition {
        a: "master".into(),
        b: "standby".into(),
        mode: CutMode::Reject,
    })
    .unwrap();
    let o = sh(&mut b, "standby", info);
    assert!(out(&o).contains("No route to host"), "{}", out(&o));
    assert_eq!(
        sh(&mut b, "master", info).status,
        Some(0),
        "the master still reaches itself"
    );
    b.fault(&Fault::Heal {
        a: "master".into(),
        b: "standby".into(),
    })
    .unwrap();
    assert_eq!(sh(&mut b, "standby", info).status, Some(0));
    b.fault(&Fault::BlockPort {
        machine: "master".into(),
        port: 1666,
        mode: CutMode::Refuse,
    })
    .unwrap();
    assert!(out(&sh(&mut b, "standby", info)).contains("Connection refused"));
    b.fault(&Fault::UnblockPort {
        machine: "master".into(),
        port: 1666,
    })
    .unwrap();
    assert_eq!(sh(&mut b, "standby", info).status, Some(0));
}

#[test]
fn disk_file_and_clock_faults() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    sh(
        &mut b,
        "master",
        "mkdir -p /data && printf 'abcdef' > /data/f",
    );
    b.fault(&Fault::Truncate {
        machine: "master".into(),
        path: "/data/f".into(),
        size: 3,
    })
    .unwrap();
    assert_eq!(b.read_file("master", "/data/f").unwrap(), b"abc");
    b.fault(&Fault::Corrupt {
        machine: "master".into(),
        path: "/data/f".into(),
        offset: -1,
    })
    .unwrap();
    assert_eq!(
        b.read_file("master", "/data/f").unwrap(),
        [b'a', b'b', b'c' ^ 0xFF]
    );
    let err = b
        .fault(&Fault::Corrupt {
            machine: "master".into(),
            path: "/data/f".into(),
            offset: 3,
        })
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "master:/data/f: cannot corrupt byte 3: the file has 3 bytes"
    );

    b.fault(&Fault::DiskFull {
        machine: "master".into(),
        path: "/data".into(),
    })
    .unwrap();
    // dash's echo reports any failed write as `I/O error`.
    let o = sh(&mut b, "master", "echo more >> /data/f");
    assert_eq!(
        (o.status, out(&o).as_str()),
        (Some(1), "sh: 1: echo: echo: I/O error\n")
    );
    assert_eq!(b.read_file("master", "/data/f").unwrap().len(), 3);
    b.fault(&Fault::DiskFree {
        machine: "master".into(),
        path: "/data".into(),
    })
    .unwrap();
    assert_eq!(sh(&mut b, "master", "echo more >> /data/f").status, Some(0));

    b.fault(&Fault::ClockSkew {
        machine: "standby".into(),
        seconds: 3600,
    })
    .unwrap();
    b.fault(&Fault::ClockSkew {
        machine: "standby".into(),
        seconds: 60,
    })
    .unwrap();
    assert_eq!(out(&sh(&mut b, "standby", "date +%s")), "1571374860\n");
    assert_eq!(out(&sh(&mut b, "master", "date +%s")), "1571371200\n");
}

#[test]
fn install_changes_the_release_of_new_processes() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    assert!(out(&sh(&mut b, "master", "p4d -V")).contains("/2019.1/"));
    b.install("master", "2023.2", None).unwrap();
    assert!(out(&sh(&mut b, "master", "p4d -V")).contains("/2023.2/"));
    assert!(b.install("master", "someday", None).is_err());
}

#[test]
fn down_removes_the_folder_unless_kept() {
    let dir = tempfile::tempdir().unwrap();
    let mut b = up(dir.path(), false);
    let world = b.world_dir().unwrap().to_path_buf();
    assert!(world.is_dir());
    b.down().unwrap();
    assert!(!world.exists());

    let mut kept = up(dir.path(), true);
    let world = kept.world_dir().unwrap().to_path_buf();
    kept.down().unwrap();
    assert!(world.join("hosts/master").is_dir());
    drop(kept);
    assert!(world.is_dir(), "kept after drop too");
}
