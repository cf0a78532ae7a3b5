//! The `p4` command-line client: global options, environment, the ticket
//! file, connecting, and rendering what the server says.

pub mod tickets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::host::Host;
use crate::net::NetError;
use crate::program::{Invocation, ProgramOutput};
use crate::protocol::{ClientMsg, Request, ServerMsg, Severity, read_frame, write_frame};

/// Global options of one `p4` invocation.
#[derive(Debug, Default, Clone)]
struct Globals {
    user: Option<String>,
    port: Option<String>,
    password: Option<String>,
    client: Option<String>,
    host: Option<String>,
    dir: Option<String>,
    env: Vec<(String, String)>,
    tagged: bool,
    script: bool,
    quiet: bool,
    version: bool,
}

const GLOBAL_USAGE: &str = "Usage: p4 [ -c client -d dir -H host -p port -P pass -u user -x file -C charset -E var=val -z tag ] cmd [ args ... ]";

/// Splits global options from the command. Errors are p4's usage text.
fn parse_globals(args: &[String]) -> Result<(Globals, Vec<String>), String> {
    let mut g = Globals::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if !a.starts_with('-') || a == "-" {
            break;
        }
        // Options take their value either attached (-usuper) or next.
        let flag = &a[..2.min(a.len())];
        let attached = &a[flag.len()..];
        let value = |i: &mut usize| -> Result<String, String> {
            if !attached.is_empty() {
                return Ok(attached.to_string());
            }
            *i += 1;
            args.get(*i)
                .cloned()
                .ok_or_else(|| GLOBAL_USAGE.to_string())
        };
        match flag {
            "-u" => g.user = Some(value(&mut i)?),
            "-p" => g.port = Some(value(&mut i)?),
            "-P" => g.password = Some(value(&mut i)?),
            "-c" => g.client = Some(value(&mut i)?),
            "-H" => g.host = Some(value(&mut i)?),
            "-d" => g.dir = Some(value(&mut i)?),
            "-C" | "-Q" | "-x" | "-L" | "-r" => {
                value(&mut i)?;
            }
            "-E" => {
                let v = value(&mut i)?;
                let (k, val) = v.split_once('=').ok_or_else(|| GLOBAL_USAGE.to_string())?;
                g.env.push((k.to_string(), val.to_string()));
            }
            "-z" | "-Z" => {
                let v = value(&mut i)?;
                if v == "tag" {
                    g.tagged = true;
                }
            }
            "-s" => g.script = true,
            "-q" => g.quiet = true,
            "-V" => g.version = true,
            "-I" | "-b" | "-G" | "-M" => {}
            "-h" | "-?" => return Err(GLOBAL_USAGE.to_string()),
            _ => return Err(format!("Invalid option: {a}.\n{GLOBAL_USAGE}")),
        }
        i += 1;
    }
    Ok((g, args[i..].to_vec()))
}

/// Renders server output the way p4 prints it.
struct Printer {
    out: ProgramOutput,
    script: bool,
    quiet: bool,
}

impl Printer {
    fn message(&mut self, severity: Severity, text: &str) {
        match severity {
            Severity::Info if self.quiet => {}
            Severity::Info => self.line_out(if self.script { "info: " } else { "" }, text),
            Severity::Warning => self.line_err(if self.script { "warning: " } else { "" }, text),
            Severity::Failed | Severity::Fatal => {
                self.line_err(if self.script { "error: " } else { "" }, text)
            }
        }
    }

    fn line_out(&mut self, prefix: &str, text: &str) {
        for l in text.split('\n') {
            self.out.stdout.extend_from_slice(prefix.as_bytes());
            self.out.stdout.extend_from_slice(l.as_bytes());
            self.out.stdout.push(b'\n');
        }
    }

    fn line_err(&mut self, prefix: &str, text: &str) {
        // In script mode (-s) every message goes to stdout with its tag.
        let sink = if self.script {
            &mut self.out.stdout
        } else {
            &mut self.out.stderr
        };
        for l in text.split('\n') {
            sink.extend_from_slice(prefix.as_bytes());
            sink.extend_from_slice(l.as_bytes());
            sink.push(b'\n');
        }
    }

    fn client_error(&mut self, lines: &[String]) {
        let mut text = String::from("Perforce client error:\n");
        for l in lines {
            text.push('\t');
            text.push_str(l);
            text.push('\n');
        }
        if self.script {
            self.out
                .stdout
                .extend_from_slice(format!("error: {text}").as_bytes());
        } else {
            self.out.stderr.extend_from_slice(text.as_bytes());
        }
        self.out.status = 1;
    }
}

/// What p4 prints when it cannot reach the server.
pub fn connect_failure_lines(port: &str, err: &NetError) -> Vec<String> {
    let mut lines = vec![
        "Connect to server failed; check $P4PORT.".to_string(),
        format!("TCP connect to {port} failed."),
    ];
    match err {
        NetError::HostUnknown(h) => lines.push(format!("{h}: host unknown.")),
        e => lines.push(format!("connect: {e}")),
    }
    lines
}

/// The effective value of a p4 setting: `-E` overrides, then the
/// environment.
fn setting(env: &BTreeMap<String, String>, name: &str) -> Option<String> {
    env.get(name).filter(|v| !v.is_empty()).cloned()
}

/// Runs `p4` on `host`.
pub async fn p4_main(host: &Rc<Host>, inv: Invocation) -> ProgramOutput {
    let mut pr = Printer {
        out: ProgramOutput::default(),
        script: false,
        quiet: false,
    };
    let (g, cmd) = match parse_globals(&inv.argv[1.min(inv.argv.len())..]) {
        Ok(x) => x,
        Err(usage) => {
            pr.out
                .stderr
                .extend_from_slice(format!("{usage}\n").as_bytes());
            pr.out.status = 1;
            return pr.out;
        }
    };
    pr.script = g.script;
    pr.quiet = g.quiet;
    let mut env = inv.env.clone();
    for (k, v) in &g.env {
        env.insert(k.clone(), v.clone());
    }
    let version = host.installed.get();
    if g.version {
        let text = format!(
            "Perforce - The Fast Software Configuration Management System.\nCopyright 1995-{} Perforce Software.  All rights reserved.\nRev. {}.\n",
            version.year,
            version.client_version_string()
        );
        pr.out.stdout.extend_from_slice(text.as_bytes());
        return pr.out;
    }
    if cmd.is_empty() {
        pr.out.stdout.extend_from_slice(b"Usage: p4 [ options ] command [ arg ... ]\n    Options:\n\t-h -?           print this message\n\t-V              print client version\n\n    Try 'p4 help' for information on Perforce commands.\n");
        return pr.out;
    }
    let home = setting(&env, "HOME").unwrap_or_else(|| "/root".to_string());
    let cwd = g
        .dir
        .clone()
        .map(PathBuf::from)
        .unwrap_or_else(|| inv.cwd.clone());
    let user = g
        .user
        .clone()
        .or_else(|| setting(&env, "P4USER"))
        .or_else(|| setting(&env, "USER"))
        .unwrap_or_else(|| "root".to_string());
    let client_host = g
        .host
        .clone()
        .or_else(|| setting(&env, "P4HOST"))
        .unwrap_or_else(|| host.name.clone());
    let client = g
        .client
        .clone()
        .or_else(|| setting(&env, "P4CLIENT"))
        .unwrap_or_else(|| client_host.clone());
    let port = g
        .port
        .clone()
        .or_else(|| setting(&env, "P4PORT"))
        .unwrap_or_else(|| "perforce:1666".to_string());
    let password = g.password.clone().or_else(|| setting(&env, "P4PASSWD"));
    let ticket_file = setting(&env, "P4TICKETS").unwrap_or_else(|| format!("{home}/.p4tickets"));
    let ticket_path = p4ha_hostfs::resolve(&cwd, &ticket_file);

    if cmd[0] == "tickets" {
        for t in tickets::load(&host.fs, &ticket_path) {
            pr.line_out("", &format!("{} ({}) {}", t.key, t.user, t.ticket));
        }
        return pr.out;
    }

    let user_tickets: BTreeMap<String, String> = tickets::load(&host.fs, &ticket_path)
        .into_iter()
        .filter(|t| t.user == user)
        .map(|t| (t.key, t.ticket))
        .collect();
    let req = Request {
        argv: cmd.clone(),
        user: user.clone(),
        client,
        host: client_host,
        cwd: cwd.display().to_string(),
        port: port.clone(),
        password,
        tickets: user_tickets,
        tagged: g.tagged,
        stdin: String::from_utf8_lossy(&inv.stdin).into_owned(),
        env: BTreeMap::new(),
        prog: "p4".to_string(),
        version: version.client_version_string(),
        from_server: None,
        service: None,
    };
    let conn = match host.net.connect(&port).await {
        Ok(c) => c,
        Err(e) => {
            pr.client_error(&connect_failure_lines(&port, &e));
            return pr.out;
        }
    };
    let mut stream = conn.stream;
    if write_frame(&mut stream, &ClientMsg::Request(Box::new(req)))
        .await
        .is_err()
    {
        pr.client_error(&["Partner exited unexpectedly.".to_string()]);
        return pr.out;
    }
    let mut stdin_lines = String::from_utf8_lossy(&inv.stdin)
        .into_owned()
        .lines()
        .map(str::to_string)
        .collect::<Vec<_>>()
        .into_iter();
    loop {
        let msg: ServerMsg = match read_frame(&mut stream).await {
            Ok(Some(m)) => m,
            Ok(None) | Err(_) => {
                pr.client_error(&["Partner exited unexpectedly.".to_string()]);
                return pr.out;
            }
        };
        match msg {
            ServerMsg::Message { severity, text } => pr.message(severity, &text),
            ServerMsg::Data { bytes } => pr.out.stdout.extend_from_slice(&bytes),
            ServerMsg::Tagged { record } => {
                for (k, v) in record {
                    pr.line_out("", &format!("... {k} {v}"));
                }
                pr.out.stdout.push(b'\n');
            }
            ServerMsg::Prompt { text } => {
                pr.out.stdout.extend_from_slice(text.as_bytes());
                let line = stdin_lines.next();
                // Input is not echoed; p4 ends the prompt line itself.
                pr.out.stdout.push(b'\n');
                if write_frame(&mut stream, &ClientMsg::PromptReply { line })
                    .await
                    .is_err()
                {
                    return pr.out;
                }
            }
            ServerMsg::ReadFile { path } => {
                let p = p4ha_hostfs::resolve(&cwd, &path);
                let reply = match host.fs.read(&p) {
                    Ok(bytes) => ClientMsg::FileContent {
                        bytes: Some(bytes),
                        error: None,
                    },
                    Err(e) => ClientMsg::FileContent {
                        bytes: None,
                        error: Some(os_error(&e)),
                    },
                };
                if write_frame(&mut stream, &reply).await.is_err() {
                    return pr.out;
                }
            }
            ServerMsg::WriteFile { path, bytes, mode } => {
                let p = p4ha_hostfs::resolve(&cwd, &path);
                if let Some(dir) = p.parent() {
                    let _ = host.fs.create_dir_all(dir);
                }
                if host.fs.exists(&p) {
                    let _ = host.fs.set_mode(&p, 0o644);
                }
                if let Err(e) = host
                    .fs
                    .write(&p, &bytes)
                    .and_then(|_| host.fs.set_mode(&p, mode))
                {
                    pr.line_err("", &format!("{}: {}", p.display(), os_error(&e)));
                    pr.out.status = 1;
                }
            }
            ServerMsg::DeleteFile { path } => {
                let p = p4ha_hostfs::resolve(&cwd, &path);
                match host.fs.remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => {
                        pr.line_err("", &format!("{}: {}", p.display(), os_error(&e)));
                        pr.out.status = 1;
                    }
                }
            }
            ServerMsg::ChmodFile { path, mode } => {
                let p = p4ha_hostfs::resolve(&cwd, &path);
                if host.fs.exists(&p) {
                    let _ = host.fs.set_mode(&p, mode);
                }
            }
            ServerMsg::SetTicket { key, user, ticket } => {
                if let Err(e) = tickets::store(&host.fs, &ticket_path, &key, &user, &ticket) {
                    pr.client_error(&[format!(
                        "Ticket file '{}' write failed: {}",
                        ticket_path.display(),
                        os_error(&e)
                    )]);
                }
            }
            ServerMsg::ClearTicket { key, user } => {
                let _ = tickets::remove(&host.fs, &ticket_path, &key, &user);
            }
            ServerMsg::Replication(_) => {}
            ServerMsg::Done { status } => {
                pr.out.status = pr.out.status.max(status);
                if pr.script {
                    pr.out
                        .stdout
                        .extend_from_slice(format!("exit: {}\n", pr.out.status).as_bytes());
                }
                return pr.out;
            }
        }
    }
}

/// An I/O error as the operating system words it (without Rust's
/// "(os error N)" suffix).
pub fn os_error(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}

/// Resolves a path for a client on `host` relative to `cwd`.
pub fn client_path(cwd: &Path, p: &str) -> PathBuf {
    p4ha_hostfs::resolve(cwd, p)
}
