//! The utilities the shell runs itself (GNU coreutils and friends), with
//! GNU's options, output formats and messages.

pub(crate) mod args;
mod date;
mod digest;
mod echo;
mod fields;
mod files;
mod find;
mod grep;
mod gzip;
mod ls;
mod owners;
mod printf;
mod regex_posix;
mod sed;
mod stat;
mod system;
pub(crate) mod test;
mod text;
pub(crate) mod time_fmt;

use std::collections::BTreeMap;
use std::fmt::Display;
use std::io;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use p4ha_hostfs::HostFs;

use crate::streams::{Fds, InputRef};

pub(crate) use echo::dash_echo;
pub(crate) use printf::printf;

/// A utility: gets its context and its whole argument vector.
pub(crate) type UtilFn = fn(&mut Ctx, &[String]) -> i32;

/// The utilities, by name.
pub(crate) fn lookup(name: &str) -> Option<UtilFn> {
    Some(match name {
        "echo" => echo::gnu_echo,
        "printf" => printf::printf,
        "true" => |_, _| 0,
        "false" => |_, _| 1,
        "test" | "[" => test::test,
        "pwd" => system::pwd,
        "rm" => files::rm,
        "rmdir" => files::rmdir,
        "mkdir" => files::mkdir,
        "mv" => files::mv,
        "cp" => files::cp,
        "ln" => files::ln,
        "touch" => files::touch,
        "truncate" => files::truncate,
        "chown" => owners::chown,
        "chgrp" => owners::chgrp,
        "chmod" => owners::chmod,
        "ls" => ls::ls,
        "stat" => stat::stat,
        "du" => stat::du,
        "find" => find::find,
        "cat" => text::cat,
        "less" | "more" => text::pager,
        "head" => text::head,
        "tail" => text::tail,
        "wc" => text::wc,
        "tee" => text::tee,
        "cut" => fields::cut,
        "tr" => fields::tr,
        "sort" => fields::sort,
        "uniq" => fields::uniq,
        "basename" => fields::basename,
        "dirname" => fields::dirname,
        "seq" => fields::seq,
        "grep" => grep::grep,
        "egrep" => grep::egrep,
        "fgrep" => grep::fgrep,
        "sed" => sed::sed,
        "md5sum" => digest::md5sum,
        "gzip" => gzip::gzip,
        "gunzip" => gzip::gunzip,
        "zcat" => gzip::zcat,
        "date" => date::date,
        "id" => system::id,
        "whoami" => system::whoami,
        "hostname" => system::hostname,
        "uname" => system::uname,
        "printenv" => system::printenv,
        _ => return None,
    })
}

/// Directories whose utilities the shell provides itself
/// (`/bin/rm` is `rm`).
const UTILITY_DIRS: &[&str] = &[
    "/bin/",
    "/usr/bin/",
    "/sbin/",
    "/usr/sbin/",
    "/usr/local/bin/",
];

/// The utility a command name refers to, if the shell provides it.
pub(crate) fn resolve_name(name: &str) -> Option<(&str, UtilFn)> {
    let base = if name.contains('/') {
        let dir = UTILITY_DIRS.iter().find(|d| name.starts_with(**d))?;
        &name[dir.len()..]
    } else {
        name
    };
    if base.contains('/') {
        return None;
    }
    lookup(base).map(|f| (base, f))
}

/// Everything a utility may use.
pub(crate) struct Ctx<'a> {
    pub fs: &'a HostFs,
    pub cwd: &'a Path,
    pub env: &'a BTreeMap<String, String>,
    pub user: &'a str,
    pub hostname: &'a str,
    pub umask: u32,
    pub fds: &'a Fds,
    /// Message prefix: the program name (`rm`), or `sh: 3: echo` for a
    /// dash builtin.
    pub name: String,
    /// True when running as a dash builtin (dash's wording applies).
    pub dash: bool,
    /// Who new files are handed to (see `Shell::creation_owner_for`).
    pub owner: Option<String>,
    pub default_tz: TimeZone,
    write_error: Option<io::Error>,
}

impl<'a> Ctx<'a> {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        fs: &'a HostFs,
        cwd: &'a Path,
        env: &'a BTreeMap<String, String>,
        user: &'a str,
        hostname: &'a str,
        umask: u32,
        fds: &'a Fds,
        name: String,
        owner: Option<String>,
        default_tz: TimeZone,
    ) -> Ctx<'a> {
        Ctx {
            fs,
            cwd,
            env,
            user,
            hostname,
            umask,
            fds,
            name,
            dash: false,
            owner,
            default_tz,
            write_error: None,
        }
    }

    /// Writes to standard output; the first failure is kept for
    /// [`Ctx::finish`].
    pub(crate) fn out(&mut self, data: impl AsRef<[u8]>) {
        if self.write_error.is_some() {
            return;
        }
        if let Err(e) = self.fds.write(1, data.as_ref()) {
            self.write_error = Some(e);
        }
    }

    /// `NAME: message` on standard error.
    pub(crate) fn err(&mut self, msg: impl Display) {
        let text = format!("{}: {}\n", self.name, msg);
        let _ = self.fds.write(2, text.as_bytes());
    }

    /// Raw text on standard error.
    pub(crate) fn err_raw(&mut self, text: &str) {
        let _ = self.fds.write(2, text.as_bytes());
    }

    /// A usage error with GNU's hint (in each tool's own wording); returns
    /// `status`.
    pub(crate) fn usage(&mut self, msg: impl Display, status: i32) -> i32 {
        self.err(msg);
        let base = self.name.rsplit('/').next().unwrap_or("").to_string();
        let hint = match base.as_str() {
            "grep" | "egrep" | "fgrep" => format!(
                "Usage: {} [OPTION]... PATTERNS [FILE]...\nTry '{} --help' for more information.\n",
                self.name, self.name
            ),
            "sed" => format!(
                "Usage: {} [OPTION]... {{script-only-if-no-other-script}} [input-file]...\n\n{}",
                self.name,
                sed::HELP
            ),
            "gzip" | "gunzip" | "zcat" => {
                format!("Try `{} --help' for more information.\n", self.name)
            }
            _ => format!("Try '{} --help' for more information.\n", self.name),
        };
        let _ = self.fds.write(2, hint.as_bytes());
        status
    }

    /// Parses options, reporting a usage error as GNU does. `--help` and
    /// `--version` answer and end the utility with status 0.
    pub(crate) fn parse(
        &mut self,
        argv: &[String],
        spec: &args::Spec,
        status: i32,
    ) -> Result<args::Parsed, i32> {
        let rest = argv.get(1..).unwrap_or_default();
        for a in rest {
            match a.as_str() {
                "--" => break,
                "--help" => {
                    let text = format!(
                        "Usage: {} [OPTION]... [FILE]...\n\
                         The shell's own {}: options and messages as GNU's.\n",
                        self.name, self.name
                    );
                    self.out(text);
                    return Err(0);
                }
                "--version" => {
                    let text =
                        format!("{} (p4ha-shell) {}\n", self.name, env!("CARGO_PKG_VERSION"));
                    self.out(text);
                    return Err(0);
                }
                _ => {}
            }
        }
        args::parse(rest, spec).map_err(|e| self.usage(e.0, status))
    }

    /// Reports a write error on standard output, if any, as GNU does.
    pub(crate) fn finish(&mut self, status: i32) -> i32 {
        match self.write_error.take() {
            Some(e) => {
                let why = crate::errno::text(&e);
                if self.dash {
                    let name = self.name.rsplit(": ").next().unwrap_or("").to_string();
                    self.err(format!("{name}: I/O error"));
                    return 1;
                }
                // Each tool words a failed write its own way.
                match self.name.rsplit('/').next().unwrap_or("") {
                    "sed" => {
                        self.err(format!("couldn't flush stdout: {why}"));
                        4
                    }
                    "gzip" | "gunzip" | "zcat" => {
                        self.err_raw("\n");
                        self.err(format!("stdout: {why}"));
                        1
                    }
                    "ls" | "grep" | "egrep" | "fgrep" => {
                        self.err(format!("write error: {why}"));
                        2
                    }
                    _ => {
                        self.err(format!("write error: {why}"));
                        1
                    }
                }
            }
            None => status,
        }
    }

    /// A host path for an operand.
    pub(crate) fn path(&self, operand: &str) -> PathBuf {
        p4ha_hostfs::resolve(self.cwd, operand)
    }

    pub(crate) fn stdin(&self) -> InputRef {
        self.fds.stdin()
    }

    /// All of an input operand: a file, or standard input for `-`.
    pub(crate) fn read_input(&mut self, operand: &str) -> io::Result<Vec<u8>> {
        match operand {
            "-" | "/dev/stdin" => Ok(self.stdin().borrow_mut().read_rest()),
            "/dev/null" => Ok(Vec::new()),
            _ => {
                let p = self.path(operand);
                if crate::fsx::is_dir(self.fs, &p) {
                    return Err(crate::errno::err(crate::errno::EISDIR));
                }
                self.fs.read(&p)
            }
        }
    }

    /// The start of an input operand: reading stops once `enough`, shown
    /// each new chunk in turn, says the bytes so far suffice, so `head` on
    /// an endless device (`/dev/zero`) or a huge file does not read all of
    /// it.
    pub(crate) fn read_input_until(
        &mut self,
        operand: &str,
        mut enough: impl FnMut(&[u8]) -> bool,
    ) -> io::Result<Vec<u8>> {
        if matches!(operand, "-" | "/dev/stdin" | "/dev/null") {
            return self.read_input(operand);
        }
        let p = self.path(operand);
        if crate::fsx::is_dir(self.fs, &p) {
            return Err(crate::errno::err(crate::errno::EISDIR));
        }
        let mut file = self.fs.open(&p)?;
        let mut data = Vec::new();
        let mut chunk = vec![0u8; 64 * 1024];
        // `head -n 0` needs nothing at all.
        let mut done = enough(&[]);
        while !done {
            let n = io::Read::read(&mut file, &mut chunk)?;
            if n == 0 {
                break;
            }
            data.extend_from_slice(&chunk[..n]);
            done = enough(&chunk[..n]);
        }
        Ok(data)
    }

    /// Records a file just created as belonging to the running user.
    pub(crate) fn created(&self, p: &Path) {
        if let Some(u) = &self.owner {
            crate::interp::give_to(self.fs, p, u);
        }
    }

    /// The current time, epoch seconds.
    pub(crate) fn now(&self) -> i64 {
        self.fs.now()
    }

    /// The time zone from `TZ`, or the host's default.
    pub(crate) fn tz(&self) -> TimeZone {
        match self.env.get("TZ") {
            Some(tz) => time_fmt::zone_from_tz(tz),
            None => self.default_tz.clone(),
        }
    }
}

/// Splits bytes into lines, each without its newline; a final line
/// without a newline is kept.
pub(crate) fn lines(data: &[u8]) -> Vec<&[u8]> {
    if data.is_empty() {
        return Vec::new();
    }
    let body = data.strip_suffix(b"\n").unwrap_or(data);
    body.split(|&b| b == b'\n').collect()
}

/// Parses a count like GNU does for `-n` (with optional K/M suffixes).
pub(crate) fn parse_count(s: &str) -> Option<u64> {
    let (digits, mult) = match s.char_indices().last() {
        Some((i, 'k' | 'K')) => (&s[..i], 1024),
        Some((i, 'M')) => (&s[..i], 1024 * 1024),
        Some((i, 'G')) => (&s[..i], 1024 * 1024 * 1024),
        Some((i, 'b')) => (&s[..i], 512),
        _ => (s, 1),
    };
    digits.parse::<u64>().ok().map(|n| n.saturating_mul(mult))
}
