//! The context a server command runs in: who asked, what they asked, and
//! the channel back to the client.

use std::net::SocketAddr;

use crate::db::Db;
use crate::net::Stream;
use crate::protocol::{
    ClientMsg, Request, ServerMsg, Severity, TaggedRecord, read_frame, write_frame,
};
use crate::server::{CommitError, Server};

/// A command's failure: the text p4 prints and its severity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CmdError {
    /// Message text (may span lines).
    pub text: String,
    /// How p4 classifies it.
    pub severity: Severity,
}

impl CmdError {
    /// A failure (exit status 1).
    pub fn failed(text: impl Into<String>) -> Self {
        CmdError {
            text: text.into(),
            severity: Severity::Failed,
        }
    }

    /// A usage error: the usage line then p4's complaint.
    pub fn usage(usage: &str) -> Self {
        CmdError::failed(format!(
            "Usage: {usage}\nMissing/wrong number of arguments."
        ))
    }

    /// An unknown flag: usage line then `Invalid option: -x.`.
    pub fn bad_flag(usage: &str, flag: &str) -> Self {
        CmdError::failed(format!("Usage: {usage}\nInvalid option: {flag}."))
    }

    /// Missing permission.
    pub fn no_permission() -> Self {
        CmdError::failed("You don't have permission for this operation.")
    }
}

impl From<crate::db::DbError> for CmdError {
    fn from(e: crate::db::DbError) -> Self {
        CmdError::failed(e.to_string())
    }
}

impl From<CommitError> for CmdError {
    fn from(e: CommitError) -> Self {
        CmdError::failed(e.to_string())
    }
}

/// Result of a command.
pub type CmdResult = Result<(), CmdError>;

/// Everything a command needs.
pub struct Cx<'a> {
    /// The server running the command.
    pub srv: &'a Server,
    /// The request.
    pub req: &'a Request,
    /// Command name (`info`).
    pub cmd: String,
    /// Arguments after the command name.
    pub args: Vec<String>,
    /// The user the command runs as.
    pub user: String,
    /// The client's address.
    pub peer: SocketAddr,
    /// Process id of this command (written in `@ex@` markers).
    pub pid: u32,
    out: Vec<ServerMsg>,
    status: i32,
    stream: &'a mut dyn Stream,
    /// Set when the server stopped while this command was stalled by a
    /// failover: it ends without answering (the client sees the
    /// connection close).
    abandoned: bool,
}

impl<'a> Cx<'a> {
    pub(crate) fn new(
        srv: &'a Server,
        req: &'a Request,
        peer: SocketAddr,
        pid: u32,
        stream: &'a mut dyn Stream,
    ) -> Self {
        let cmd = req.argv.first().cloned().unwrap_or_default();
        let args = req.argv.iter().skip(1).cloned().collect();
        Cx {
            srv,
            req,
            cmd,
            args,
            user: req.user.clone(),
            peer,
            pid,
            out: Vec::new(),
            status: 0,
            stream,
            abandoned: false,
        }
    }

    /// Prints an informational line (stdout).
    pub fn info(&mut self, text: impl Into<String>) {
        self.out.push(ServerMsg::Message {
            severity: Severity::Info,
            text: text.into(),
        });
    }

    /// Prints a warning (stderr; exit status unchanged).
    pub fn warn(&mut self, text: impl Into<String>) {
        self.out.push(ServerMsg::Message {
            severity: Severity::Warning,
            text: text.into(),
        });
    }

    /// Prints an error (stderr) and makes the command exit with status 1.
    pub fn error(&mut self, text: impl Into<String>) {
        self.status = 1;
        self.out.push(ServerMsg::Message {
            severity: Severity::Failed,
            text: text.into(),
        });
    }

    /// Prints raw bytes on stdout.
    pub fn data(&mut self, bytes: Vec<u8>) {
        self.out.push(ServerMsg::Data { bytes });
    }

    /// Emits a tagged record (`-ztag`).
    pub fn tagged(&mut self, record: TaggedRecord) {
        self.out.push(ServerMsg::Tagged { record });
    }

    /// Emits any message.
    pub fn send(&mut self, msg: ServerMsg) {
        self.out.push(msg);
    }

    /// True for `-ztag` output.
    pub fn is_tagged(&self) -> bool {
        self.req.tagged
    }

    /// Forces the exit status.
    pub fn set_status(&mut self, status: i32) {
        self.status = status;
    }

    /// The exit status so far.
    pub fn status(&self) -> i32 {
        self.status
    }

    /// A new database session on this server.
    pub fn db(&self) -> Db {
        self.srv.db()
    }

    /// Journals and writes a session's changes as this command's transaction.
    pub fn commit(&self, db: &mut Db) -> Result<u64, CmdError> {
        Ok(self.srv.commit(db, self.pid)?)
    }

    /// Now, by the server's clock.
    pub fn now(&self) -> i64 {
        self.srv.now()
    }

    async fn flush(&mut self) -> std::io::Result<()> {
        for msg in std::mem::take(&mut self.out) {
            write_frame(self.stream, &msg).await?;
        }
        Ok(())
    }

    /// Prints `text` and reads one line of the client's input.
    pub async fn prompt(&mut self, text: &str) -> Option<String> {
        self.out.push(ServerMsg::Prompt {
            text: text.to_string(),
        });
        self.flush().await.ok()?;
        let line = match read_frame::<_, ClientMsg>(self.stream).await {
            Ok(Some(ClientMsg::PromptReply { line })) => line,
            _ => None,
        };
        self.stall_point().await.ok()?;
        line
    }

    /// Waits here while a failover stalls this server's commands.
    async fn stall_point(&mut self) -> Result<(), crate::failover::StoppedWhileStalled> {
        let r = crate::failover::stall_point(self.srv).await;
        self.abandoned |= r.is_err();
        r
    }

    /// Asks the client for the content of one of its files.
    pub async fn read_client_file(&mut self, path: &str) -> Result<Vec<u8>, String> {
        self.out.push(ServerMsg::ReadFile {
            path: path.to_string(),
        });
        self.flush().await.map_err(|e| e.to_string())?;
        let content = match read_frame::<_, ClientMsg>(self.stream).await {
            Ok(Some(ClientMsg::FileContent { bytes: Some(b), .. })) => Ok(b),
            Ok(Some(ClientMsg::FileContent { error, .. })) => {
                Err(error.unwrap_or_else(|| "read failed".to_string()))
            }
            Ok(_) => Err("Partner exited unexpectedly.".to_string()),
            Err(e) => Err(e.to_string()),
        };
        self.stall_point().await.map_err(|e| e.to_string())?;
        content
    }

    /// Sends the remaining output and the exit status.
    pub(crate) async fn finish(mut self) {
        if self.abandoned {
            return;
        }
        let status = self.status;
        self.out.push(ServerMsg::Done { status });
        let _ = self.flush().await;
    }
}
