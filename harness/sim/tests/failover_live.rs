//! Seed 000 section 7: failover with the master running. The preview, then
//! `p4 failover -y` with the seed's exact lines; what the new master is
//! afterwards; the old master stopped and refusing to start until its
//! server ID is changed.

mod common;
mod failover_support;
mod repl_support;

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use failover_support::*;
use p4ha_sim::program::{Invocation, run_program};
use p4ha_sim::protocol::{ClientMsg, Request, ServerMsg, read_frame, write_frame};

const PREVIEW: &str = "Checking if failover might be possible ...\n\
Checking for archive file content not transferred ...\n\
Verifying content of recently updated archive files ...\n";

const NEED_Y: &str = "After addressing any reported issues that might prevent failover, use --yes or -y to execute the failover.\n";

const EXECUTE: &str = "Starting failover process ...\n\
Refusing new commands on server from which failover is occurring ...\n\
Giving commands already running time to complete ...\n\
Stalling commands on server from which failover is occurring ...\n\
Waiting for 'journalcopy' to complete its work ...\n\
Waiting for 'pull -L' to complete its work ...\n\
Waiting for 'pull -u' to complete its work ...\n\
Checking for archive file content not transferred ...\n\
Verifying content of recently updated archive files ...\n\
Stopping server from which failover is occurring ...\n\
Moving latest journalcopy'd journal into place as the active journal ...\n\
Updating configuration of the failed-over server ...\n\
Restarting this server ...\n\
Perforce Server re-starting...\n";

#[test]
fn section_7_preview_then_failover_with_the_master_running() {
    let mut rig = build(&Setup::default());
    // Work right before the failover: it must survive.
    submit(&mut rig, "c.txt", "charlie\n", "just before");
    p4(&mut rig, "master", MASTER, "counter last 42").ok();

    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.status),
        (PREVIEW, NEED_Y, 0)
    );

    let master_journal_before = std::fs::read(rig.path("master", "/master/journal")).unwrap();
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.status),
        (EXECUTE, "", 0)
    );
    rig.sleep(1);

    // The standby is the master now: the master's server ID and spec, no
    // replication threads, the journal continuing the old master's.
    assert_eq!(server_id(&rig, "standby", "/standby"), "master");
    let info = p4(&mut rig, "standby", STANDBY, "info");
    assert!(info.ok().contains("ServerID: master\n"), "{}", info.stdout);
    assert!(
        info.stdout.contains("Server services: commit-server\n"),
        "{}",
        info.stdout
    );
    assert!(!info.stdout.contains("Replica of:"), "{}", info.stdout);
    let journal = std::fs::read(rig.path("standby", "/standby/journal")).unwrap();
    assert!(
        journal.starts_with(&master_journal_before),
        "the old master's journal goes on"
    );
    let added = String::from_utf8_lossy(&journal[master_journal_before.len()..]).into_owned();
    assert!(
        added.contains("@rv@ 3 @db.server@ @standby@"),
        "the configuration update is journaled:\n{added}"
    );
    assert_eq!(
        counter(&rig, "standby", "/standby", "journal").as_deref(),
        Some("1")
    );
    assert!(
        rig.read("standby", "/standby/statefailover")
            .starts_with(&format!("1/{} master standby", journal.len()))
    );

    // Everything written before the failover is there, and it takes work.
    let out = p4(&mut rig, "standby", STANDBY, "counter last");
    assert_eq!(out.ok(), "42\n");
    let out = p4(&mut rig, "standby", STANDBY, "print -q //depot/c.txt");
    assert_eq!(out.ok(), "charlie\n");
    let out = p4(&mut rig, "standby", STANDBY, "counter after 1");
    assert_eq!(out.ok(), "Counter after set.\n");
    let out = p4(&mut rig, "standby", STANDBY, "servers");
    assert!(out.ok().contains("master server"), "{}", out.stdout);

    // The old master was stopped: its clients cannot connect.
    let out = p4(&mut rig, "master", MASTER, "info");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Perforce client error:\n\tConnect to server failed; check $P4PORT.\n\tTCP connect to 192.168.56.114:1666 failed.\n\tconnect: 192.168.56.114:1666: Connection refused\n"
        )
    );
    // It refuses to start with its old identity (MsgServer2 50), refuses
    // to take the identity back (51), and starts under a new one.
    let out = rig.start("master");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Perforce server error:\n\tFailover has occurred from this server, and the server ID must be changed. Use 'p4d -xD' to change the server ID.\n"
        )
    );
    let out = rig.run("master", "p4d -r /master -xD master");
    assert_eq!(
        (out.status, out.stderr.as_str()),
        (
            1,
            "Perforce server error:\n\tCannot reuse server ID 'master' after failover.\n"
        )
    );
    rig.run("master", "p4d -r /master -xD oldmaster").ok();
    rig.start("master").ok();
    let out = p4(&mut rig, "master", MASTER, "serverid");
    assert_eq!(out.ok(), "Server ID: oldmaster\n");
}

/// A user at `p4 login`'s password prompt on the master: a command that
/// is running when the failover starts. Returns the prompt text.
fn hold_login_prompt(rig: &mut common::Rig, held: Held) -> String {
    rig.world
        .run_on("master", Duration::from_secs(10), move |host| {
            Box::pin(async move {
                let conn = host.net.connect("master:1666").await.expect("connects");
                let mut stream = conn.stream;
                let req = Request {
                    argv: vec!["login".to_string()],
                    user: "service".to_string(),
                    client: "master".to_string(),
                    host: "master".to_string(),
                    cwd: "/".to_string(),
                    port: "master:1666".to_string(),
                    prog: "p4".to_string(),
                    ..Default::default()
                };
                write_frame(&mut stream, &ClientMsg::Request(Box::new(req)))
                    .await
                    .expect("sent");
                let mut prompt = String::new();
                while let Ok(Some(msg)) = read_frame::<_, ServerMsg>(&mut stream).await {
                    if let ServerMsg::Prompt { text } = msg {
                        prompt = text;
                        break;
                    }
                }
                *held.borrow_mut() = Some(stream);
                prompt
            })
        })
        .unwrap()
}

type Held = Rc<RefCell<Option<Box<dyn p4ha_sim::net::Stream>>>>;

/// Runs `p4 counter probe N` against the master every 200 ms for 20
/// seconds in the background, keeping what each printed on stderr.
fn keep_asking(rig: &mut common::Rig, seen: Rc<RefCell<Vec<(i32, String)>>>) {
    rig.world
        .run_on("master", Duration::from_secs(1), move |host| {
            Box::pin(async move {
                tokio::task::spawn_local(async move {
                    for i in 0..100 {
                        let inv = Invocation {
                            argv: common::split(&format!(
                                "p4 -u super -p master:1666 counter probe {i}"
                            )),
                            env: Default::default(),
                            cwd: "/".into(),
                            stdin: Vec::new(),
                        };
                        if let Some(out) = run_program(&host, inv).await {
                            seen.borrow_mut().push((
                                out.status,
                                String::from_utf8_lossy(&out.stderr).into_owned(),
                            ));
                        }
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                });
            })
        })
        .unwrap();
}

#[test]
fn running_commands_get_their_time_and_new_ones_the_failover_message() {
    let mut rig = build(&Setup::default());
    let held: Held = Rc::default();
    assert_eq!(
        hold_login_prompt(&mut rig, held.clone()),
        "Enter password: "
    );
    let seen = Rc::new(RefCell::new(Vec::new()));
    keep_asking(&mut rig, seen.clone());
    rig.sleep(1);

    let start = rig.world.elapsed();
    let out = p4(
        &mut rig,
        "standby",
        STANDBY,
        "failover -y -w 5 Site moving to the standby, please wait",
    );
    assert_eq!(
        (out.stdout.as_str(), out.status),
        (EXECUTE, 0),
        "{}",
        out.stderr
    );
    let took = rig.world.elapsed() - start;
    assert!(
        took >= Duration::from_secs(5),
        "the login was given -w 5 seconds: {took:?}"
    );
    rig.sleep(20);

    // Asked before the failover: done. During: the failover message. After:
    // no server at that address.
    let seen = seen.borrow();
    assert_eq!(seen.first().map(|(s, e)| (*s, e.as_str())), Some((0, "")));
    assert!(
        seen.iter()
            .any(|(s, e)| *s == 1 && e == "Site moving to the standby, please wait\n"),
        "{seen:?}"
    );
    assert!(
        seen.last()
            .unwrap()
            .1
            .starts_with("Perforce client error:\n\tConnect to server failed; check $P4PORT.\n"),
        "{seen:?}"
    );
    let refused_at = seen.iter().position(|(s, _)| *s == 1).unwrap();
    assert!(
        seen[refused_at..].iter().all(|(s, _)| *s == 1),
        "nothing is accepted once refusing starts: {seen:?}"
    );
    drop(seen);

    // The user answers the prompt: the stalled login never completes, its
    // connection ends with the old master.
    let ended = rig
        .world
        .run_on("master", Duration::from_secs(10), move |_| {
            Box::pin(async move {
                let mut stream = held.borrow_mut().take().expect("held");
                let reply = ClientMsg::PromptReply {
                    line: Some(SERVICE_PASSWORD.to_string()),
                };
                let _ = write_frame(&mut stream, &reply).await;
                let mut answers = Vec::new();
                while let Ok(Some(msg)) = read_frame::<_, ServerMsg>(&mut stream).await {
                    answers.push(msg);
                }
                answers
            })
        })
        .unwrap();
    assert_eq!(ended, Vec::<ServerMsg>::new());
}

#[test]
fn the_same_seed_gives_the_same_failover() {
    let run = |seed: u64| {
        let mut rig = build(&Setup {
            seed,
            ..Setup::default()
        });
        submit(&mut rig, "c.txt", "charlie\n", "before");
        let mut outs = Vec::new();
        for line in ["failover", "failover -y"] {
            let o = p4(&mut rig, "standby", STANDBY, line);
            outs.push(format!("{}{}{}", o.stdout, o.stderr, o.status));
        }
        rig.sleep(1);
        let o = p4(&mut rig, "standby", STANDBY, "counter after 1");
        outs.push(o.stdout);
        let files: Vec<String> = [
            "/standby/journal",
            "/standby/statefailover",
            "/standby/server.id",
        ]
        .iter()
        .map(|p| rig.read("standby", p))
        .collect();
        (outs, files, rig.read("master", "/master/db.server"))
    };
    let a = run(7);
    assert_eq!(a, run(7));
    assert!(a.1.iter().all(|f| !f.is_empty()));
}

#[test]
fn releases_from_2022_1_write_failoverconfigs_and_say_when_nothing_was_found() {
    let mut rig = build(&Setup {
        release: "2022.1",
        ..Setup::default()
    });
    let out = p4(&mut rig, "master", MASTER, "failover");
    assert_eq!(
        out.stderr,
        "failover command only available from standby server.\n"
    );
    let out = p4(&mut rig, "standby", STANDBY, "failover");
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.status),
        (
            &*format!("{PREVIEW}No errors reported; use --yes or -y to execute the failover.\n"),
            "",
            0
        )
    );
    let out = p4(&mut rig, "standby", STANDBY, "failover -y");
    let expected = EXECUTE.replace(
        "Updating configuration of the failed-over server ...\n",
        "Updating configuration of the failed-over server ...\nWriting failoverconfigs file ...\n",
    );
    assert_eq!(
        (out.stdout.as_str(), out.stderr.as_str(), out.status),
        (&*expected, "", 0)
    );
    let configs = rig.read("standby", "/standby/failoverconfigs");
    assert!(configs.contains("standby.serverid=standby\n"), "{configs}");
    assert!(configs.contains("master.serverid=master\n"), "{configs}");
}
