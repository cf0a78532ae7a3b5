//! Two servers as real processes on 127.0.0.1 replicating over TCP: the
//! same node code as in the simulated world, run by `p4ha-node`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const NODE: &str = env!("CARGO_BIN_EXE_p4ha-node");

/// Kills the server processes when the test ends, pass or fail.
struct Servers(Vec<Child>);

impl Drop for Servers {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(NODE);
        c.args(args)
            .env("P4HA_P4D_VERSION", "2019.1")
            .env("TZ", "Asia/Tokyo")
            .env("HOME", self.dir.path())
            .env_remove("P4PORT")
            .env_remove("P4USER")
            .env_remove("P4TICKETS")
            .env_remove("P4CONFIG")
            .current_dir(self.dir.path());
        c
    }

    /// Runs a program to completion: (stdout, stderr, status).
    fn run(&self, args: &[&str], stdin: &str) -> (String, String, i32) {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
            out.status.code().unwrap_or(-1),
        )
    }

    #[track_caller]
    fn ok(&self, args: &[&str], stdin: &str) -> String {
        let (out, err, status) = self.run(args, stdin);
        assert_eq!(status, 0, "{args:?}\n{out}{err}");
        out
    }

    /// Starts a server in the foreground and waits until it answers.
    fn serve(&self, servers: &mut Servers, root: &Path, port: &str) {
        let child = self
            .command(&["p4d", "-r", root.to_str().unwrap(), "-p", port])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        servers.0.push(child);
        let start = Instant::now();
        while self.run(&["p4", "-p", port, "info"], "").2 != 0 {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{port} did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn positions(out: &str) -> Option<((i64, i64), (i64, i64))> {
    let parse = |who: &str| -> Option<(i64, i64)> {
        let line = out
            .lines()
            .find(|l| l.starts_with(&format!("Current {who} journal state is:")))?;
        let (j, s) = line.split_once("Journal ")?.1.split_once(",\tSequence ")?;
        Some((j.parse().ok()?, s.trim_end_matches('.').parse().ok()?))
    };
    Some((parse("replica")?, parse("master")?))
}

#[test]
fn a_standby_process_replicates_from_a_master_process_over_tcp() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let (m, s) = (env.path("master"), env.path("standby"));
    std::fs::create_dir_all(&m).unwrap();
    std::fs::create_dir_all(&s).unwrap();
    let (mroot, sroot) = (
        m.to_str().unwrap().to_string(),
        s.to_str().unwrap().to_string(),
    );
    let mport = format!("127.0.0.1:{}", free_port());
    let sport = format!("127.0.0.1:{}", free_port());
    let tickets = env.path("standby/.p4tickets");
    let tickets = tickets.to_str().unwrap();
    let mut servers = Servers(Vec::new());

    env.ok(&["p4d", "-r", &mroot, "-xD", "master"], "");
    env.serve(&mut servers, &m, &mport);
    let p4 = |args: &str| -> Vec<String> {
        let mut v = vec![
            "p4".to_string(),
            "-u".to_string(),
            "super".to_string(),
            "-p".to_string(),
            mport.clone(),
        ];
        v.extend(args.split(' ').map(str::to_string));
        v
    };
    let run = |args: Vec<String>, stdin: &str| {
        env.ok(&args.iter().map(String::as_str).collect::<Vec<_>>(), stdin)
    };
    run(
        p4("server -i"),
        "ServerID:\tmaster\nType:\tserver\nServices:\tcommit-server\nDescription:\n\tmaster\n",
    );
    run(
        p4("server -i"),
        &format!(
            "ServerID:\tstandby\nType:\tserver\nServices:\tstandby\nReplicatingFrom:\tmaster\nDescription:\n\tstandby\nDistributedConfig:\n\
             \tP4TARGET={mport}\n\tserviceUser=service\n\tP4TICKETS={tickets}\n\tstartup.1=journalcopy -i 1\n\tstartup.2=pull -L -i 1\n"
        ),
    );
    run(
        p4("user -f -i"),
        "User:\tservice\nType:\tservice\nEmail:\tservice@master\nFullName:\tservice\n",
    );
    run(p4("passwd service"), "Service#1\nService#1\n");
    run(
        p4("protect -i"),
        "Protections:\n\twrite user * * //...\n\tsuper user super * //...\n\tsuper user service * //...\n",
    );
    for i in 0..5 {
        run(p4(&format!("counter before{i} {i}")), "");
    }
    run(p4("admin checkpoint"), "");
    env.ok(&["p4d", "-r", &sroot, "-xD", "standby"], "");
    env.ok(
        &[
            "p4d",
            "-r",
            &sroot,
            "-jr",
            m.join("checkpoint.1").to_str().unwrap(),
        ],
        "",
    );
    let out = env.ok(
        &[
            "p4",
            "-p",
            &mport,
            "-u",
            "service",
            "-E",
            &format!("P4TICKETS={tickets}"),
            "login",
        ],
        "Service#1\n",
    );
    assert!(out.ends_with("User service logged in.\n"), "{out}");
    env.serve(&mut servers, &s, &sport);
    for i in 0..5 {
        run(p4(&format!("counter after{i} {i}")), "");
    }

    // Real time now: the standby's threads poll every second.
    let start = Instant::now();
    let lj = loop {
        let (out, err, _) = env.run(&["p4", "-u", "super", "-p", &sport, "pull", "-lj"], "");
        if let Some((replica, master)) = positions(&out)
            && replica == master
        {
            break out;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no convergence:\n{out}{err}"
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    let ((j, seq), _) = positions(&lj).unwrap();
    assert_eq!(j, 1, "{lj}");
    let master_journal = std::fs::read(m.join("journal")).unwrap();
    assert_eq!(seq as usize, master_journal.len());
    assert_eq!(std::fs::read(s.join("journal.1")).unwrap(), master_journal);
    // The applied position reaches the master with journalcopy's next
    // request.
    let start = Instant::now();
    loop {
        let out = run(p4("servers -J"), "");
        let standby_row = out
            .lines()
            .find(|l| l.starts_with("standby '"))
            .unwrap_or_else(|| panic!("{out}"));
        if standby_row.ends_with(&format!("' standby 1/{seq} 1/{seq} wAdl/4 1")) {
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(30), "{out}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let counters = env.ok(&["p4", "-u", "super", "-p", &sport, "counters"], "");
    assert!(counters.lines().any(|l| l == "after4 = 4"), "{counters}");
}
