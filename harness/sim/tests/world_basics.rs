//! The in-process world: a server started on a simulated machine answers
//! `p4` from another machine over the simulated network.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use p4ha_sim::program::Invocation;
use p4ha_sim::world::{HostSpec, SimWorld, WorldConfig};

fn inv(argv: &[&str]) -> Invocation {
    Invocation {
        argv: argv.iter().map(|s| s.to_string()).collect(),
        env: BTreeMap::from([("TZ".to_string(), "Asia/Tokyo".to_string())]),
        cwd: "/".into(),
        stdin: Vec::new(),
    }
}

fn world(dir: &Path) -> SimWorld {
    let mut w = SimWorld::new(WorldConfig::new(dir));
    for (name, ip) in [("master", "192.168.56.114"), ("standby", "192.168.56.115")] {
        let h = w
            .add_host(HostSpec {
                name: name.into(),
                ip: ip.parse().unwrap(),
                aliases: vec![],
                env: BTreeMap::new(),
                installed: "2019.1".parse().unwrap(),
            })
            .unwrap();
        h.fs.create_dir_all(Path::new(&format!("/{name}"))).unwrap();
    }
    w
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn a_started_server_answers_clients_on_other_machines() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = world(dir.path());
    let t = Duration::from_secs(60);
    let out = w
        .run_program(
            "master",
            inv(&["p4d", "-r", "/master", "-p", "1666", "-d"]),
            t,
        )
        .unwrap();
    assert_eq!(
        text(&out.stdout),
        "Perforce db files in '/master' will be created if missing...\nPerforce Server starting...\n"
    );
    let out = w
        .run_program(
            "standby",
            inv(&["p4", "-u", "super", "-p", "master:1666", "info"]),
            t,
        )
        .unwrap();
    let info = text(&out.stdout);
    assert_eq!(out.status, 0, "{}", text(&out.stderr));
    assert!(info.contains("Server address: master:1666\n"), "{info}");
    assert!(
        info.contains("Server version: P4D/LINUX26X86_64/2019.1/1796703 (2019/05/20)\n"),
        "{info}"
    );
    assert!(info.contains("Server date: 2019/10/18 13:00:"), "{info}");

    let out = w
        .run_program(
            "standby",
            inv(&[
                "p4",
                "-u",
                "super",
                "-p",
                "192.168.56.114:1666",
                "counter",
                "build",
                "42",
            ]),
            t,
        )
        .unwrap();
    assert_eq!(text(&out.stdout), "Counter build set.\n");
    let out = w
        .run_program(
            "master",
            inv(&["p4", "-u", "super", "-p", "1666", "counter", "build"]),
            t,
        )
        .unwrap();
    assert_eq!(text(&out.stdout), "42\n");
    let journal = std::fs::read_to_string(w.host_dir("master").join("master/journal")).unwrap();
    let lines: Vec<&str> = journal.lines().collect();
    assert!(lines[0].starts_with("@nx@ 2 "), "{journal}");
    assert_eq!(lines[1], "@pv@ 1 @db.counters@ @build@ @42@ ");
    assert!(lines[2].starts_with("@ex@ "), "{journal}");
}

#[test]
fn connection_failures_read_like_p4() {
    let dir = tempfile::tempdir().unwrap();
    let mut w = world(dir.path());
    let t = Duration::from_secs(300);
    let out = w
        .run_program(
            "standby",
            inv(&["p4", "-p", "192.168.56.114:1666", "info"]),
            t,
        )
        .unwrap();
    assert_eq!(out.status, 1);
    assert_eq!(
        text(&out.stderr),
        "Perforce client error:\n\tConnect to server failed; check $P4PORT.\n\tTCP connect to 192.168.56.114:1666 failed.\n\tconnect: 192.168.56.114:1666: Connection refused\n"
    );
    w.partition("standby", "master", p4ha_sim::net::BlockMode::Reject)
        .unwrap();
    let out = w
        .run_program("standby", inv(&["p4", "-p", "master:1666", "info"]), t)
        .unwrap();
    assert!(
        text(&out.stderr).ends_with("connect: 192.168.56.114:1666: No route to host\n"),
        "{}",
        text(&out.stderr)
    );
    let out = w
        .run_program("standby", inv(&["p4", "-p", "nosuch:1666", "info"]), t)
        .unwrap();
    assert!(
        text(&out.stderr).ends_with("\tnosuch: host unknown.\n"),
        "{}",
        text(&out.stderr)
    );
}
