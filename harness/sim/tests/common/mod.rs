//! Shared set-up for the simulator's integration tests: a world of
//! machines, and helpers to run programs on them.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use p4ha_sim::program::{Invocation, ProgramOutput};
use p4ha_sim::world::{HostSpec, SimWorld, WorldConfig};

/// What a command printed.
#[derive(Debug, Clone)]
pub struct Out {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl Out {
    fn from(o: ProgramOutput) -> Out {
        Out {
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
            status: o.status,
        }
    }

    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            self.status, 0,
            "command failed:\nstdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        &self.stdout
    }
}

/// A world plus its temporary folder.
pub struct Rig {
    pub world: SimWorld,
    _dir: tempfile::TempDir,
    pub limit: Duration,
    pub env: BTreeMap<String, String>,
}

impl Rig {
    /// Machines `(name, ip, release)`, each with a directory `/name`.
    pub fn new(machines: &[(&str, &str, &str)]) -> Rig {
        Rig::with_seed(machines, 0)
    }

    /// Same, with a seed.
    pub fn with_seed(machines: &[(&str, &str, &str)], seed: u64) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let mut cfg = WorldConfig::new(dir.path());
        cfg.seed = seed;
        let mut world = SimWorld::new(cfg);
        for (name, ip, version) in machines {
            let h = world
                .add_host(HostSpec {
                    name: name.to_string(),
                    ip: ip.parse().unwrap(),
                    aliases: vec![],
                    env: BTreeMap::from([
                        ("TZ".to_string(), "Asia/Tokyo".to_string()),
                        ("HOME".to_string(), format!("/home/{name}")),
                    ]),
                    installed: version.parse().unwrap(),
                })
                .unwrap();
            h.fs.create_dir_all(Path::new(&format!("/{name}"))).unwrap();
        }
        let env = BTreeMap::from([("TZ".to_string(), "Asia/Tokyo".to_string())]);
        Rig {
            world,
            _dir: dir,
            limit: Duration::from_secs(600),
            env,
        }
    }

    /// Runs a program on a machine; `line` is split like a shell would
    /// (single and double quotes group words).
    pub fn run(&mut self, host: &str, line: &str) -> Out {
        self.run_with(host, line, "")
    }

    /// Same, with standard input.
    pub fn run_with(&mut self, host: &str, line: &str, stdin: &str) -> Out {
        let mut env = self.env.clone();
        env.insert("HOME".into(), format!("/home/{host}"));
        let inv = Invocation {
            argv: split(line),
            env,
            cwd: PathBuf::from("/"),
            stdin: stdin.as_bytes().to_vec(),
        };
        Out::from(self.world.run_program(host, inv, self.limit).unwrap())
    }

    /// Starts p4d as a daemon on `host` with root `/host` and port 1666.
    pub fn start(&mut self, host: &str) -> Out {
        self.run(host, &format!("p4d -r /{host} -p 1666 -d"))
    }

    /// The real path of a file on a machine.
    pub fn path(&self, host: &str, p: &str) -> PathBuf {
        self.world.host_dir(host).join(p.trim_start_matches('/'))
    }

    /// Reads a file of a machine.
    pub fn read(&self, host: &str, p: &str) -> String {
        std::fs::read_to_string(self.path(host, p)).unwrap_or_default()
    }

    /// Lets simulated time pass.
    pub fn sleep(&mut self, secs: u64) {
        self.world.advance(Duration::from_secs(secs)).unwrap();
    }
}

/// Splits a command line into words (quotes group, no expansion).
pub fn split(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => cur.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                in_word = true;
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            None => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    words
}
