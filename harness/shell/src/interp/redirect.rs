//! Redirections: opening files through the host's file system.

use std::path::Path;

use super::{Flow, Shell};
use crate::errno;
use crate::streams::{Fd, Fds, Input, Sink};
use crate::syntax::{RedirOp, RedirTarget, Redirect};

/// dash's wording for a failed open (`errmsg` with `E_OPEN`/`E_CREAT`).
fn open_error(e: &std::io::Error, creating: bool) -> String {
    if errno::is(e, errno::ENOENT) || errno::is(e, errno::ENOTDIR) {
        if creating {
            "Directory nonexistent".into()
        } else {
            "No such file".into()
        }
    } else {
        errno::text(e)
    }
}

impl<'h> Shell<'h> {
    /// Applies redirections to a copy of `fds`. `Ok(None)`: a redirection
    /// failed and was reported (the command does not run, status 2).
    pub(crate) async fn apply_redirects(
        &mut self,
        redirects: &[Redirect],
        fds: &Fds,
    ) -> Result<Option<Fds>, Flow> {
        let mut out = fds.clone();
        for r in redirects {
            let fd = r.target_fd();
            let word = match &r.target {
                RedirTarget::HereDoc(doc) => {
                    let body = doc.body.borrow().clone();
                    let text = self.expand_string(&body, fds).await?;
                    out.set(fd, Fd::In(Input::bytes(text.into_bytes())));
                    continue;
                }
                RedirTarget::Word(w) => self.expand_string(w, fds).await?,
            };
            let result = match r.op {
                RedirOp::In | RedirOp::InOut => {
                    self.open_input(&word, r.op == RedirOp::InOut, &out)
                }
                RedirOp::Out | RedirOp::Clobber | RedirOp::Append => self
                    .open_output(&word, r.op, &out)
                    .map(|s| Some(Fd::Out(s))),
                RedirOp::DupIn | RedirOp::DupOut => self.dup(&word, &out),
                RedirOp::HereDoc => Ok(None),
            };
            match result {
                Ok(Some(f)) => out.set(fd, f),
                Ok(None) => out.close(fd),
                Err(msg) => {
                    self.report(fds, &msg);
                    self.status = 2;
                    return Ok(None);
                }
            }
        }
        Ok(Some(out))
    }

    fn open_input(&mut self, word: &str, create: bool, fds: &Fds) -> Result<Option<Fd>, String> {
        match word {
            "/dev/null" => return Ok(Some(Fd::In(Input::bytes(Vec::new())))),
            "/dev/stdin" => return Ok(fds.get(0).cloned()),
            _ => {}
        }
        let path = p4ha_hostfs::resolve(&self.cwd, word);
        if create && !self.fs.exists(&path) {
            self.fs
                .write(&path, b"")
                .map_err(|e| format!("cannot create {word}: {}", open_error(&e, true)))?;
            self.note_created(&path);
        }
        match self.fs.read(&path) {
            Ok(data) => Ok(Some(Fd::In(Input::file(data)))),
            Err(e) => Err(format!("cannot open {word}: {}", open_error(&e, false))),
        }
    }

    pub(crate) fn open_output(
        &mut self,
        word: &str,
        op: RedirOp,
        fds: &Fds,
    ) -> Result<Sink, String> {
        match word {
            "/dev/null" => return Ok(Sink::Null),
            "/dev/stdout" => {
                return fds
                    .sink(1)
                    .ok_or_else(|| format!("cannot create {word}: Bad file descriptor"));
            }
            "/dev/stderr" => {
                return fds
                    .sink(2)
                    .ok_or_else(|| format!("cannot create {word}: Bad file descriptor"));
            }
            _ => {}
        }
        let path = p4ha_hostfs::resolve(&self.cwd, word);
        let existed = self.fs.exists(&path);
        if existed && op == RedirOp::Out && self.opts.noclobber {
            return Err(format!("cannot create {word}: File exists"));
        }
        if existed && crate::fsx::is_dir(&self.fs, &path) {
            return Err(format!("cannot create {word}: Is a directory"));
        }
        if op != RedirOp::Append || !existed {
            self.fs
                .write(&path, b"")
                .map_err(|e| format!("cannot create {word}: {}", open_error(&e, true)))?;
        }
        if !existed {
            self.note_created(&path);
        }
        Ok(Sink::File {
            fs: self.fs.clone(),
            path,
        })
    }

    fn dup(&self, word: &str, fds: &Fds) -> Result<Option<Fd>, String> {
        if word == "-" {
            return Ok(None);
        }
        let Ok(n) = word.parse::<u32>() else {
            return Err("Syntax error: Bad fd number".to_string());
        };
        match fds.get(n) {
            Some(f) => Ok(Some(f.clone())),
            None => Err(format!("{n}: Bad file descriptor")),
        }
    }

    /// Gives a file the shell just created to the user it runs as.
    pub(crate) fn note_created(&self, path: &Path) {
        if let Some(user) = self.creation_owner_for(&self.user) {
            give_to(&self.fs, path, &user);
        }
    }

    /// Who new files made by a command run as `user` must be handed to:
    /// always recorded in a sandbox; on a native host only for another user
    /// than the process's own (`sudo -u`).
    pub(crate) fn creation_owner_for(&self, user: &str) -> Option<String> {
        if self.fs.is_native() && self.process_user.as_deref() == Some(user) {
            return None;
        }
        Some(user.to_string())
    }
}

/// Hands `path` to `user` and the user's login group.
pub(crate) fn give_to(fs: &p4ha_hostfs::HostFs, path: &Path, user: &str) {
    let group = crate::accounts::user(fs, user)
        .map(|u| u.group)
        .unwrap_or_else(|| user.to_string());
    let _ = fs.chown(path, Some(user), Some(&group));
}
