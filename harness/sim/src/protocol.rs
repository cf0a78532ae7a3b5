//! What `p4` and a server, or two servers, say to each other.
//!
//! Real p4 speaks Perforce's RPC protocol; the simulator speaks its own,
//! shaped the same way: the client sends a command, the server drives the
//! exchange (it prints messages, asks the client to read or write a file,
//! prompts for a password, hands over a ticket) and finally reports the
//! exit status. Frames are a 4-byte big-endian length and a JSON message, so
//! the same bytes flow over turmoil's simulated TCP and over real sockets.

use std::collections::BTreeMap;
use std::io;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Largest frame accepted (journal transfers are split below this).
pub const MAX_FRAME: usize = 64 * 1024 * 1024;

/// A client's command.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Request {
    /// Command name and its arguments (after the global options).
    pub argv: Vec<String>,
    /// `P4USER` / `-u`.
    pub user: String,
    /// `P4CLIENT` / `-c`.
    pub client: String,
    /// The client's host name (`P4HOST`, or the machine's name).
    pub host: String,
    /// The client's working directory.
    pub cwd: String,
    /// The `P4PORT` string the client connected with.
    pub port: String,
    /// `P4PASSWD` / `-P`: a password or a ticket.
    pub password: Option<String>,
    /// The user's tickets from the client's ticket file, by the server
    /// identity they were stored under. The server takes the one under its
    /// own identity, else the one under the client's `P4PORT` (as p4 looks
    /// tickets up).
    pub tickets: BTreeMap<String, String>,
    /// `-ztag` tagged output.
    pub tagged: bool,
    /// Whatever the client read from its standard input (forms for `-i`,
    /// passwords for prompts).
    pub stdin: String,
    /// `P4TICKETS` location on the client (for messages only).
    pub env: BTreeMap<String, String>,
    /// The program name (`p4`), as p4 reports it in server logs.
    pub prog: String,
    /// The client's version string.
    pub version: String,
    /// Set when a server forwards a command for a client of its own or runs a
    /// replication request as its service user: the calling server's ID.
    pub from_server: Option<String>,
    /// Set when a server forwards a command: its service user's
    /// credentials, which the target checks instead of the user's own.
    #[serde(default)]
    pub service: Option<ServiceAuth>,
}

/// A forwarding server's service user and its tickets.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ServiceAuth {
    /// The service user (`serviceUser`).
    pub user: String,
    /// Its tickets, by the server identity they were stored under.
    pub tickets: BTreeMap<String, String>,
    /// P4TARGET as the forwarding server wrote it (a second key to look
    /// the ticket up under).
    pub port: String,
}

impl Request {
    /// The ticket this client holds for a server whose identity is
    /// `address`.
    pub fn ticket_for(&self, address: &str) -> Option<&str> {
        self.tickets
            .get(address)
            .or_else(|| self.tickets.get(&self.port))
            .map(String::as_str)
    }
}

/// Severity of a server message, as p4 classifies them.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Informational (stdout).
    Info,
    /// Warning (stderr for most commands; does not set the exit status).
    Warning,
    /// Failure (stderr; exit status 1).
    Failed,
    /// Fatal (stderr; exit status 1).
    Fatal,
}

/// One tagged-output record (`... field value` lines).
pub type TaggedRecord = Vec<(String, String)>;

/// Server to client.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum ServerMsg {
    /// Text to print (a message of some severity). Info goes to stdout,
    /// the rest to stderr. The text carries no trailing newline.
    Message { severity: Severity, text: String },
    /// Raw bytes for stdout (file content from `p4 print`, checkpoints).
    Data { bytes: Vec<u8> },
    /// A tagged record (`-ztag`).
    Tagged { record: TaggedRecord },
    /// Print `text` without a newline and read one line from stdin.
    Prompt { text: String },
    /// Send the content of a client file (`submit`).
    ReadFile { path: String },
    /// Write a client file (`sync`, `print -o`).
    WriteFile {
        path: String,
        bytes: Vec<u8>,
        mode: u32,
    },
    /// Remove a client file (`delete`, `sync` of a deleted revision).
    DeleteFile { path: String },
    /// Change a client file's permission bits (`edit` makes it writable).
    ChmodFile { path: String, mode: u32 },
    /// Store a ticket in the client's ticket file under `key`.
    SetTicket {
        key: String,
        user: String,
        ticket: String,
    },
    /// Remove the client's ticket for `key` and `user`.
    ClearTicket { key: String, user: String },
    /// A replication response (server to server).
    Replication(Box<crate::replwire::ReplResponse>),
    /// The command finished; the client exits with `status`.
    Done { status: i32 },
}

/// Client to server.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub enum ClientMsg {
    /// Start a command.
    Request(Box<Request>),
    /// A replication request from a replica's thread.
    Replication(Box<Request>, Box<crate::replwire::ReplRequest>),
    /// The answer to a `Prompt`.
    PromptReply { line: Option<String> },
    /// The answer to a `ReadFile`: `None` when the file cannot be read.
    FileContent {
        bytes: Option<Vec<u8>>,
        error: Option<String>,
    },
}

/// Writes one frame.
pub async fn write_frame<W, T>(w: &mut W, msg: &T) -> io::Result<()>
where
    W: AsyncWrite + Unpin + ?Sized,
    T: Serialize,
{
    let body = serde_json::to_vec(msg).map_err(io::Error::other)?;
    let len = u32::try_from(body.len()).map_err(|_| io::Error::other("frame too large"))?;
    w.write_all(&len.to_be_bytes()).await?;
    w.write_all(&body).await?;
    w.flush().await
}

/// Reads one frame; `Ok(None)` at a clean end of stream.
pub async fn read_frame<R, T>(r: &mut R) -> io::Result<Option<T>>
where
    R: AsyncRead + Unpin + ?Sized,
    T: for<'de> Deserialize<'de>,
{
    let mut len = [0u8; 4];
    match r.read_exact(&mut len).await {
        Ok(_) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    serde_json::from_slice(&body)
        .map(Some)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}
