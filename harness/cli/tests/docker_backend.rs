//! The Docker backend over the simulator's image: machines run commands
//! with standard input, move files, and take faults, as the backend
//! contract promises. Runs whenever a Docker engine answers.

mod docker_support;

use std::net::Ipv4Addr;
use std::time::{Duration, Instant};

use docker_support::*;
use p4ha_backend::{Backend, BackendError, CutMode, Exec, Fault};
use p4ha_docker::DockerBackend;

#[test]
fn machines_run_commands_and_move_files() {
    if !engine_or_skip("machines_run_commands_and_move_files") {
        return;
    }
    let name = "docker-test-commands";
    let mut b = DockerBackend::new(sim_options());
    let t = topology(
        name,
        vec![
            machine("master", Some(Ipv4Addr::new(10, 77, 1, 114))),
            machine("standby", None),
        ],
    );
    let started = Instant::now();
    b.up(&t).expect("up");
    eprintln!("two containers up in {:?}", started.elapsed());

    let out = sh(&mut b, "master", "echo out; echo err >&2; hostname; exit 3");
    assert_eq!(stdout(&out), "out\nmaster\n");
    assert_eq!(stderr(&out), "err\n");
    assert_eq!(out.status, Some(3));

    // Standard input reaches the command and is closed after it; output
    // larger than one frame arrives whole before the exit code is read.
    let big: Vec<u8> = (0..300_000u32)
        .flat_map(|i| format!("{i}\n").into_bytes())
        .collect();
    let out = b
        .exec(
            "standby",
            &Exec {
                script: "cat; echo done".to_string(),
                stdin: big.clone(),
                ..Exec::default()
            },
        )
        .unwrap();
    assert_eq!(out.status, Some(0));
    assert_eq!(&out.stdout[..big.len()], &big[..]);
    assert_eq!(&out.stdout[big.len()..], b"done\n");

    // The login environment, the working directory and extra variables.
    let out = b
        .exec(
            "master",
            &Exec {
                script: "echo \"$TZ $X $(pwd)\"".to_string(),
                env: [("X".to_string(), "1".to_string())].into(),
                cwd: Some("/tmp".to_string()),
                ..Exec::default()
            },
        )
        .unwrap();
    assert_eq!(stdout(&out), "Asia/Tokyo 1 /tmp\n");

    // Files in and out, parents created, permission bits kept.
    b.write_file(
        "standby",
        "/standby/deep/checkpoint.ckp.1",
        b"@pv@ 1\n",
        0o600,
    )
    .unwrap();
    assert_eq!(
        b.read_file("standby", "/standby/deep/checkpoint.ckp.1")
            .unwrap(),
        b"@pv@ 1\n"
    );
    let out = sh(&mut b, "standby", "ls -l /standby/deep | cut -c1-10");
    assert_eq!(stdout(&out), "total 4\n-rw-------\n");
    match b.read_file("standby", "/standby/none") {
        Err(BackendError::File { reason, .. }) => assert_eq!(reason, "No such file or directory"),
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(b.read_file("standby", "/standby"), Err(BackendError::File { reason, .. }) if reason == "Is a directory")
    );

    // Machines find each other by name.
    let out = sh(&mut b, "standby", "p4 -p master:1666 info");
    assert_eq!(out.status, Some(1));
    assert!(
        stderr(&out).contains("connect: 10.77.1.114:1666: Connection refused"),
        "{}",
        stderr(&out)
    );

    // A command that overruns its time limit is ended and reported so.
    let started = Instant::now();
    let out = b
        .exec(
            "master",
            &Exec {
                script: "echo before; sleep 30; echo after".into(),
                timeout: Duration::from_secs(2),
                ..Exec::default()
            },
        )
        .unwrap();
    assert_eq!(out.status, None);
    assert_eq!(stdout(&out), "before\n");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    // Nothing of it runs on (the pattern does not match its own text).
    let out = sh(
        &mut b,
        "master",
        "for p in /proc/[0-9]*; do tr '\\0' ' ' <$p/cmdline; echo; done | grep -c 'before; sle[e]p'",
    );
    assert_eq!(stdout(&out), "0\n", "the timed-out command is gone");
    assert_eq!(
        stdout(&sh(&mut b, "master", "ls /run/p4ha | wc -l")),
        "1\n",
        "only this command's pid file"
    );

    assert!(matches!(
        b.exec("nowhere", &Exec::default()),
        Err(BackendError::UnknownMachine(_))
    ));
    b.down().unwrap();
    assert!(leftovers_of(name).is_empty(), "{:?}", leftovers_of(name));
}

/// Installs and starts a server the way the runner does.
fn start_server(b: &mut DockerBackend, machine: &str, root: &str) {
    b.write_file(
        machine,
        "/etc/perforce/p4dctl.conf",
        b"include /etc/perforce/p4dctl.conf.d\n",
        0o644,
    )
    .unwrap();
    b.write_file(
        machine,
        &format!("/etc/perforce/p4dctl.conf.d/{machine}.conf"),
        p4dctl_conf(machine, root, 1666).as_bytes(),
        0o644,
    )
    .unwrap();
    let out = sh(
        b,
        machine,
        &format!("mkdir -p {root} && p4d -r {root} -xD {machine} && p4dctl start {machine}"),
    );
    assert_eq!(out.status, Some(0), "{}{}", stdout(&out), stderr(&out));
}

#[test]
fn faults_reach_the_servers_in_the_containers() {
    if !engine_or_skip("faults_reach_the_servers_in_the_containers") {
        return;
    }
    let name = "docker-test-faults";
    let mut opts = sim_options();
    opts.disk_roots
        .insert("master".into(), vec!["/master".into()]);
    opts.disk_size = Some(32 << 20);
    let mut b = DockerBackend::new(opts);
    let t = topology(
        name,
        vec![
            machine("master", Some(Ipv4Addr::new(10, 77, 2, 114))),
            machine("standby", Some(Ipv4Addr::new(10, 77, 2, 115))),
        ],
    );
    b.up(&t).expect("up");
    start_server(&mut b, "master", "/master");
    start_server(&mut b, "standby", "/standby");

    // The release the machine was given, through p4dctl's cleared
    // environment; an upgrade replaces it.
    let info = |b: &mut DockerBackend, from: &str, to: &str| {
        sh(b, from, &format!("p4 -p {to}:1666 -u super info -s"))
    };
    assert!(
        stdout(&info(&mut b, "standby", "master"))
            .contains("Server version: P4D/LINUX26X86_64/2019.1/")
    );
    b.install("master", "2023.2", None).unwrap();
    let out = sh(&mut b, "master", "p4d -V | grep Rev");
    assert!(stdout(&out).contains("/2023.2/"), "{}", stdout(&out));
    assert!(
        stdout(&info(&mut b, "standby", "master")).contains("/2019.1/"),
        "the running server keeps its release"
    );

    // Partitions fail the way the mode says, both ways; heal restores.
    b.fault(&Fault::Partition {
        a: "master".into(),
        b: "standby".into(),
        mode: CutMode::Reject,
    })
    .unwrap();
    let out = info(&mut b, "standby", "master");
    assert!(
        stderr(&out).contains("connect: 10.77.2.114:1666: No route to host"),
        "{}",
        stderr(&out)
    );
    let out = info(&mut b, "master", "standby");
    assert!(
        stderr(&out).contains("connect: 10.77.2.115:1666: No route to host"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        info(&mut b, "master", "master").status,
        Some(0),
        "a machine still reaches itself"
    );
    b.fault(&Fault::Heal {
        a: "standby".into(),
        b: "master".into(),
    })
    .unwrap();
    assert_eq!(info(&mut b, "standby", "master").status, Some(0));
    b.fault(&Fault::BlockPort {
        machine: "master".into(),
        port: 1666,
        mode: CutMode::Refuse,
    })
    .unwrap();
    assert!(stderr(&info(&mut b, "standby", "master")).contains("Connection refused"));
    b.fault(&Fault::UnblockPort {
        machine: "master".into(),
        port: 1666,
    })
    .unwrap();
    assert_eq!(info(&mut b, "standby", "master").status, Some(0));

    // A paused server accepts nothing until resumed.
    b.fault(&Fault::Pause {
        machine: "standby".into(),
        root: "/standby".into(),
    })
    .unwrap();
    let hung = b
        .exec(
            "master",
            &Exec {
                script: "p4 -p standby:1666 -u super info -s".into(),
                timeout: Duration::from_secs(3),
                ..Exec::default()
            },
        )
        .unwrap();
    assert_eq!(hung.status, None);
    b.fault(&Fault::Resume {
        machine: "standby".into(),
        root: "/standby".into(),
    })
    .unwrap();
    assert_eq!(info(&mut b, "master", "standby").status, Some(0));

    // A crash leaves no server; start brings it back.
    b.fault(&Fault::Crash {
        machine: "standby".into(),
        root: "/standby".into(),
    })
    .unwrap();
    let out = sh(&mut b, "standby", "p4dctl status standby");
    assert_eq!(stdout(&out), "'standby' p4d service not running.\n");
    b.fault(&Fault::Start {
        machine: "standby".into(),
        p4dctl_name: "standby".into(),
    })
    .unwrap();
    assert_eq!(info(&mut b, "master", "standby").status, Some(0));
    b.fault(&Fault::Stop {
        machine: "standby".into(),
        root: "/standby".into(),
    })
    .unwrap();
    assert_eq!(
        stdout(&sh(&mut b, "standby", "p4dctl status standby")),
        "'standby' p4d service not running.\n"
    );
    match b.fault(&Fault::Crash {
        machine: "standby".into(),
        root: "/standby".into(),
    }) {
        Err(BackendError::Other(text)) => assert!(
            text.contains("no p4d is running with P4ROOT /standby"),
            "{text}"
        ),
        other => panic!("{other:?}"),
    }

    // A full disk refuses writes until freed; only roots on volumes fill.
    b.fault(&Fault::DiskFull {
        machine: "master".into(),
        path: "/master".into(),
    })
    .unwrap();
    let out = sh(&mut b, "master", "head -c 100000 /dev/zero > /master/more");
    assert_ne!(out.status, Some(0));
    assert!(
        stderr(&out).contains("No space left on device"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        stdout(&sh(&mut b, "master", "ls -A /master | grep -c fill")),
        "0\n",
        "the filler is not visible"
    );
    b.fault(&Fault::DiskFree {
        machine: "master".into(),
        path: "/master".into(),
    })
    .unwrap();
    assert_eq!(
        sh(&mut b, "master", "head -c 100000 /dev/zero > /master/more").status,
        Some(0)
    );
    assert!(matches!(
        b.fault(&Fault::DiskFull {
            machine: "standby".into(),
            path: "/standby".into()
        }),
        Err(BackendError::Unsupported { .. })
    ));

    // Files damaged in place.
    b.write_file("standby", "/tmp/ckp", b"abcdef", 0o644)
        .unwrap();
    b.fault(&Fault::Truncate {
        machine: "standby".into(),
        path: "/tmp/ckp".into(),
        size: 4,
    })
    .unwrap();
    b.fault(&Fault::Corrupt {
        machine: "standby".into(),
        path: "/tmp/ckp".into(),
        offset: -1,
    })
    .unwrap();
    assert_eq!(b.read_file("standby", "/tmp/ckp").unwrap(), b"abc\x9b");

    // The simulator's clock moves on one machine only.
    b.fault(&Fault::ClockSkew {
        machine: "master".into(),
        seconds: 3600,
    })
    .unwrap();
    let date = |b: &mut DockerBackend, m: &str| {
        let out = info(b, m, "master");
        let text = stdout(&out);
        text.lines()
            .find(|l| l.starts_with("Server date: "))
            .map(str::to_string)
            .unwrap_or_default()
    };
    let skewed = date(&mut b, "master");
    b.fault(&Fault::ClockSkew {
        machine: "master".into(),
        seconds: -3600,
    })
    .unwrap();
    let back = date(&mut b, "master");
    assert_ne!(skewed, back, "{skewed} / {back}");

    b.down().unwrap();
    assert!(leftovers_of(name).is_empty(), "{:?}", leftovers_of(name));
}
