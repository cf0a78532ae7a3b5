//! p4dctl's configuration: `/etc/perforce/p4dctl.conf` and the files it
//! includes (`include /etc/perforce/p4dctl.conf.d`), in p4dctl's block
//! format (Server Admin Guide, p4dctl configuration; seed 000 section 10):
//!
//! ```text
//! Environment
//! {
//!     PATH = /bin:/usr/bin
//! }
//!
//! p4d master
//! {
//!     Owner    =    perforce
//!     Execute  =    /opt/perforce/sbin/p4d
//!     Environment
//!     {
//!         P4ROOT = /master
//!         P4PORT = 1666
//!         TZ     = Asia/Tokyo
//!     }
//! }
//! ```
//!
//! A top-level `Environment` block applies to every service of its file.
//! Values run to the end of the line (or a `;`, or a closing brace) and may
//! be quoted; `#` starts a comment.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use p4ha_hostfs::HostFs;

/// The default configuration file.
pub const DEFAULT_CONFIG: &str = "/etc/perforce/p4dctl.conf";

/// One configured service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceConfig {
    /// `p4d`, `p4p`, `p4broker`, `p4web` or `other`.
    pub kind: String,
    /// Its name (`p4dctl start NAME`).
    pub name: String,
    /// `Owner`.
    pub owner: Option<String>,
    /// `Execute`: the program.
    pub execute: Option<String>,
    /// `Umask`.
    pub umask: Option<String>,
    /// `Args`: extra arguments.
    pub args: Option<String>,
    /// `Prefix`.
    pub prefix: Option<String>,
    /// `Enabled` (true unless set to false).
    pub enabled: bool,
    /// The environment: the file's `Environment` then the service's own.
    pub env: BTreeMap<String, String>,
    /// Where it is defined.
    pub file: PathBuf,
    /// Line of its header.
    pub line: usize,
}

/// Every service of a configuration, in the order defined.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    /// The services.
    pub services: Vec<ServiceConfig>,
}

impl Config {
    /// The service of `kind` (any kind when `None`) named `name`.
    pub fn find(&self, name: &str, kind: Option<&str>) -> Option<&ServiceConfig> {
        self.services
            .iter()
            .find(|s| s.name == name && kind.is_none_or(|k| k == s.kind))
    }
}

/// Why a configuration could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// A file could not be read.
    #[error("Unable to read configuration file {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// A syntax error.
    #[error("{path}:{line}: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads the configuration at `path` and everything it includes.
pub fn load(fs: &HostFs, path: &Path) -> Result<Config, ConfigError> {
    let mut config = Config::default();
    load_into(fs, path, &mut config, 0)?;
    Ok(config)
}

fn load_into(
    fs: &HostFs,
    path: &Path,
    config: &mut Config,
    depth: usize,
) -> Result<(), ConfigError> {
    let read_err = |e: std::io::Error| ConfigError::Read {
        path: path.display().to_string(),
        reason: crate::client::os_error(&e),
    };
    if depth > 8 {
        return Err(ConfigError::Syntax {
            path: path.display().to_string(),
            line: 1,
            message: "includes nested too deeply".into(),
        });
    }
    let text = fs.read_to_string(path).map_err(read_err)?;
    let parsed = parse(&text, path)?;
    config.services.extend(parsed.services);
    for (include, line) in parsed.includes {
        let target = p4ha_hostfs::resolve(path.parent().unwrap_or(Path::new("/")), &include);
        match fs.metadata(&target) {
            Ok(m) if m.is_dir() => {
                let names = fs.read_dir(&target).map_err(read_err)?;
                for n in names.into_iter().filter(|n| n.ends_with(".conf")) {
                    load_into(fs, &target.join(n), config, depth + 1)?;
                }
            }
            Ok(_) => load_into(fs, &target, config, depth + 1)?,
            Err(e) => {
                return Err(ConfigError::Syntax {
                    path: path.display().to_string(),
                    line,
                    message: format!("include {include}: {}", crate::client::os_error(&e)),
                });
            }
        }
    }
    for (i, s) in config.services.iter().enumerate() {
        if config.services[..i]
            .iter()
            .any(|o| o.kind == s.kind && o.name == s.name)
        {
            return Err(ConfigError::Syntax {
                path: s.file.display().to_string(),
                line: s.line,
                message: format!("{} service '{}' is defined twice", s.kind, s.name),
            });
        }
    }
    Ok(())
}

/// One file's content.
#[derive(Debug, Default)]
pub struct Parsed {
    /// Its services (with the file's environment applied).
    pub services: Vec<ServiceConfig>,
    /// Its `include` lines (path, line).
    pub includes: Vec<(String, usize)>,
}

struct Lexer<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
    path: &'a Path,
}

impl Lexer<'_> {
    fn err(&self, message: impl Into<String>) -> ConfigError {
        ConfigError::Syntax {
            path: self.path.display().to_string(),
            line: self.line,
            message: message.into(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.get(self.pos).copied()
    }

    /// Skips blanks, newlines, `;` separators and comments.
    fn skip(&mut self) {
        while let Some(c) = self.peek() {
            match c {
                b'\n' => {
                    self.line += 1;
                    self.pos += 1;
                }
                b' ' | b'\t' | b'\r' | b';' => self.pos += 1,
                b'#' => {
                    while self.peek().is_some_and(|c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn skip_blanks(&mut self) {
        while self
            .peek()
            .is_some_and(|c| c == b' ' || c == b'\t' || c == b'\r')
        {
            self.pos += 1;
        }
    }

    fn word(&mut self) -> Option<String> {
        let start = self.pos;
        while self.peek().is_some_and(|c| {
            !matches!(
                c,
                b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'}' | b'=' | b';' | b'#'
            )
        }) {
            self.pos += 1;
        }
        (self.pos > start)
            .then(|| String::from_utf8_lossy(&self.text[start..self.pos]).into_owned())
    }

    fn expect(&mut self, c: u8, after: &str) -> Result<(), ConfigError> {
        self.skip();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(format!("expected '{}' after {after}", c as char)))
        }
    }

    /// The value after `=`: up to the end of the line, a `;`, a closing
    /// brace or a comment; quotes group and are removed.
    fn value(&mut self) -> String {
        self.skip_blanks();
        let mut out = Vec::new();
        let mut quote: Option<u8> = None;
        while let Some(c) = self.peek() {
            match quote {
                Some(q) if c == q => quote = None,
                Some(_) if c == b'\n' => break,
                Some(_) => out.push(c),
                None if c == b'"' || c == b'\'' => quote = Some(c),
                None if matches!(c, b'\n' | b';' | b'}' | b'#') => break,
                None => out.push(c),
            }
            self.pos += 1;
        }
        String::from_utf8_lossy(&out).trim().to_string()
    }

    fn assignments(&mut self, into: &mut BTreeMap<String, String>) -> Result<(), ConfigError> {
        loop {
            self.skip();
            match self.peek() {
                None => return Err(self.err("missing '}' at the end of an Environment block")),
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => {}
            }
            let key = self
                .word()
                .ok_or_else(|| self.err("expected a variable name"))?;
            self.skip_blanks();
            if self.peek() != Some(b'=') {
                return Err(self.err(format!("expected '=' after '{key}'")));
            }
            self.pos += 1;
            let v = self.value();
            into.insert(key, v);
        }
    }
}

/// Parses one file.
pub fn parse(text: &str, path: &Path) -> Result<Parsed, ConfigError> {
    let mut lx = Lexer {
        text: text.as_bytes(),
        pos: 0,
        line: 1,
        path,
    };
    let mut parsed = Parsed::default();
    let mut file_env = BTreeMap::new();
    loop {
        lx.skip();
        if lx.peek().is_none() {
            break;
        }
        let line = lx.line;
        let Some(word) = lx.word() else {
            return Err(lx.err(format!(
                "unexpected '{}'",
                lx.peek().map(char::from).unwrap_or(' ')
            )));
        };
        if word == "include" {
            let target = lx.value();
            if target.is_empty() {
                return Err(lx.err("include needs a file or directory"));
            }
            parsed.includes.push((target, line));
            continue;
        }
        if word.eq_ignore_ascii_case("environment") {
            lx.expect(b'{', "Environment")?;
            lx.assignments(&mut file_env)?;
            continue;
        }
        let kind = word;
        lx.skip_blanks();
        let name = lx
            .word()
            .ok_or_else(|| lx.err(format!("expected a service name after '{kind}'")))?;
        if !matches!(
            kind.as_str(),
            "p4d" | "p4p" | "p4broker" | "p4web" | "p4ftp" | "other"
        ) {
            return Err(lx.err(format!("unknown service type '{kind}'")));
        }
        lx.expect(b'{', &format!("'{kind} {name}'"))?;
        let mut svc = ServiceConfig {
            kind,
            name,
            owner: None,
            execute: None,
            umask: None,
            args: None,
            prefix: None,
            enabled: true,
            env: BTreeMap::new(),
            file: path.to_path_buf(),
            line,
        };
        loop {
            lx.skip();
            match lx.peek() {
                None => {
                    return Err(
                        lx.err(format!("missing '}}' at the end of service '{}'", svc.name))
                    );
                }
                Some(b'}') => {
                    lx.pos += 1;
                    break;
                }
                _ => {}
            }
            let key = lx.word().ok_or_else(|| lx.err("expected a setting name"))?;
            if key.eq_ignore_ascii_case("environment") {
                lx.expect(b'{', "Environment")?;
                lx.assignments(&mut svc.env)?;
                continue;
            }
            lx.skip_blanks();
            if lx.peek() != Some(b'=') {
                return Err(lx.err(format!("expected '=' after '{key}'")));
            }
            lx.pos += 1;
            let v = lx.value();
            match key.to_ascii_lowercase().as_str() {
                "owner" => svc.owner = Some(v),
                "execute" => svc.execute = Some(v),
                "umask" => svc.umask = Some(v),
                "args" => svc.args = Some(v),
                "prefix" => svc.prefix = Some(v),
                "enabled" => {
                    svc.enabled = !matches!(
                        v.to_ascii_lowercase().as_str(),
                        "false" | "no" | "0" | "off"
                    )
                }
                _ => {
                    return Err(
                        lx.err(format!("unknown setting '{key}' in service '{}'", svc.name))
                    );
                }
            }
        }
        parsed.services.push(svc);
    }
    for s in &mut parsed.services {
        let mut env = file_env.clone();
        env.append(&mut s.env);
        s.env = env;
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_guide_layout_and_one_line_blocks() {
        let text = "# servers\nEnvironment { PATH = /bin:/usr/bin }\np4d master\n{\n    Owner    =    perforce\n    Execute  =    /opt/perforce/sbin/p4d\n    Environment\n    {\n        P4ROOT    =    /master\n        P4PORT    =    \"192.168.56.114:1666\"\n        TZ        =     Asia/Tokyo   # comment\n    }\n}\np4d standby { Owner = perforce; Execute = /opt/perforce/sbin/p4d; Environment { P4ROOT = /standby; P4PORT = 1666 } }\n";
        let p = parse(text, Path::new("/etc/perforce/p4dctl.conf")).unwrap();
        assert_eq!(p.services.len(), 2);
        let m = &p.services[0];
        assert_eq!(
            (m.kind.as_str(), m.name.as_str(), m.line),
            ("p4d", "master", 3)
        );
        assert_eq!(m.env["P4PORT"], "192.168.56.114:1666");
        assert_eq!(m.env["TZ"], "Asia/Tokyo");
        assert_eq!(m.env["PATH"], "/bin:/usr/bin");
        assert_eq!(p.services[1].env["P4ROOT"], "/standby");
        assert_eq!(
            p.services[1].execute.as_deref(),
            Some("/opt/perforce/sbin/p4d")
        );
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let e = parse(
            "p4d master\n{\n  Colour = blue\n}\n",
            Path::new("/etc/p.conf"),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "/etc/p.conf:3: unknown setting 'Colour' in service 'master'"
        );
        let e = parse("p4d master\n{\n  Owner = x\n", Path::new("/etc/p.conf")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "/etc/p.conf:4: missing '}' at the end of service 'master'"
        );
    }
}
