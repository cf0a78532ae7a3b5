//! File descriptors of a running command: where output goes and where
//! input comes from.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::rc::Rc;

use p4ha_hostfs::HostFs;

/// Where output goes.
#[derive(Clone)]
pub(crate) enum Sink {
    /// Collected in memory (captured output, pipes, command substitution).
    Buffer(Rc<RefCell<Vec<u8>>>),
    /// Appended to a host file through the host's file system, so the
    /// disk-full switch applies to every write.
    File { fs: HostFs, path: PathBuf },
    /// `/dev/null`.
    Null,
    /// The shell process's own standard output (native `/bin/sh`).
    ProcessOut,
    /// The shell process's own standard error (native `/bin/sh`).
    ProcessErr,
}

impl Sink {
    pub(crate) fn buffer() -> (Sink, Rc<RefCell<Vec<u8>>>) {
        let buf = Rc::new(RefCell::new(Vec::new()));
        (Sink::Buffer(buf.clone()), buf)
    }

    pub(crate) fn write(&self, data: &[u8]) -> io::Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        match self {
            Sink::Buffer(b) => {
                b.borrow_mut().extend_from_slice(data);
                Ok(())
            }
            Sink::File { fs, path } => fs.append(path, data).map(|_| ()),
            Sink::Null => Ok(()),
            Sink::ProcessOut => {
                let mut out = io::stdout().lock();
                out.write_all(data)?;
                out.flush()
            }
            Sink::ProcessErr => {
                let mut err = io::stderr().lock();
                err.write_all(data)?;
                err.flush()
            }
        }
    }
}

/// Where input comes from: bytes read so far and a cursor shared by every
/// command that reads the same descriptor (so `while read` loops advance).
pub(crate) struct Input {
    data: Vec<u8>,
    pos: usize,
    /// Size of the regular file this input was opened from, if any.
    pub(crate) file_len: Option<u64>,
    /// True while the input is the shell process's own standard input and
    /// nothing has been read from it yet.
    process: bool,
}

pub(crate) type InputRef = Rc<RefCell<Input>>;

impl Input {
    pub(crate) fn bytes(data: Vec<u8>) -> InputRef {
        Rc::new(RefCell::new(Input {
            data,
            pos: 0,
            file_len: None,
            process: false,
        }))
    }

    pub(crate) fn file(data: Vec<u8>) -> InputRef {
        let len = data.len() as u64;
        let input = Input::bytes(data);
        input.borrow_mut().file_len = Some(len);
        input
    }

    /// The shell process's standard input, read only when needed.
    pub(crate) fn process() -> InputRef {
        Rc::new(RefCell::new(Input {
            data: Vec::new(),
            pos: 0,
            file_len: None,
            process: true,
        }))
    }

    /// True when a program can be given the process's stdin directly.
    pub(crate) fn is_untouched_process(&self) -> bool {
        self.process
    }

    fn load(&mut self) {
        if self.process {
            self.process = false;
            let mut buf = Vec::new();
            // A read error (closed descriptor) reads as end of input.
            let _ = io::stdin().lock().read_to_end(&mut buf);
            self.data = buf;
        }
    }

    /// Everything not read yet.
    pub(crate) fn read_rest(&mut self) -> Vec<u8> {
        self.load();
        let rest = self.data.get(self.pos..).unwrap_or_default().to_vec();
        self.pos = self.data.len();
        rest
    }

    /// Everything not read yet, leaving it unread.
    pub(crate) fn peek_rest(&mut self) -> Vec<u8> {
        self.load();
        self.data.get(self.pos..).unwrap_or_default().to_vec()
    }

    /// The next line without its newline; `None` at end of input. The bool
    /// is false when the line was cut short by the end of input.
    pub(crate) fn read_line(&mut self) -> Option<(Vec<u8>, bool)> {
        self.load();
        let rest = self.data.get(self.pos..).unwrap_or_default();
        if rest.is_empty() {
            return None;
        }
        match rest.iter().position(|&b| b == b'\n') {
            Some(i) => {
                let line = rest[..i].to_vec();
                self.pos += i + 1;
                Some((line, true))
            }
            None => {
                let line = rest.to_vec();
                self.pos = self.data.len();
                Some((line, false))
            }
        }
    }
}

/// One open descriptor.
#[derive(Clone)]
pub(crate) enum Fd {
    In(InputRef),
    Out(Sink),
}

/// The descriptors of a command.
#[derive(Clone, Default)]
pub(crate) struct Fds {
    map: BTreeMap<u32, Fd>,
    /// True for the shell's own table, unmodified: commands run with it
    /// pick up what `exec` changed since.
    pub(crate) base: bool,
}

fn ebadf() -> io::Error {
    io::Error::from_raw_os_error(9)
}

impl Fds {
    pub(crate) fn new(stdin: InputRef, stdout: Sink, stderr: Sink) -> Fds {
        let mut map = BTreeMap::new();
        map.insert(0, Fd::In(stdin));
        map.insert(1, Fd::Out(stdout));
        map.insert(2, Fd::Out(stderr));
        Fds { map, base: false }
    }

    pub(crate) fn get(&self, fd: u32) -> Option<&Fd> {
        self.map.get(&fd)
    }

    pub(crate) fn set(&mut self, fd: u32, to: Fd) {
        self.base = false;
        self.map.insert(fd, to);
    }

    pub(crate) fn close(&mut self, fd: u32) {
        self.base = false;
        self.map.remove(&fd);
    }

    pub(crate) fn write(&self, fd: u32, data: &[u8]) -> io::Result<()> {
        match self.map.get(&fd) {
            Some(Fd::Out(sink)) => sink.write(data),
            _ => Err(ebadf()),
        }
    }

    pub(crate) fn sink(&self, fd: u32) -> Option<Sink> {
        match self.map.get(&fd) {
            Some(Fd::Out(sink)) => Some(sink.clone()),
            _ => None,
        }
    }

    /// Standard input; a closed or write-only descriptor reads as empty.
    pub(crate) fn stdin(&self) -> InputRef {
        match self.map.get(&0) {
            Some(Fd::In(input)) => input.clone(),
            _ => Input::bytes(Vec::new()),
        }
    }
}
