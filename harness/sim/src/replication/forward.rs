//! Forwarding: a forwarding replica, forwarding standby or edge server
//! passes commands that change replicated metadata to its P4TARGET,
//! relays the target's answers (prompts, file reads, tickets) to its own
//! client, and sees the result once it has pulled it back.
//!
//! The forwarded request keeps the user who ran the command; it carries
//! the forwarding server's ID and its service user's credentials, which
//! the target checks instead of the user's own (the user was
//! authenticated by the forwarding server).

use crate::auth::{self, Perm};
use crate::commands::{CmdError, CmdResult, Cx};
use crate::protocol::{ClientMsg, Request, ServerMsg, ServiceAuth, read_frame, write_frame};
use crate::server::Server;

use super::link::{LinkError, NO_TARGET};
use super::settings::Settings;

/// Runs the command of `cx` on the server's P4TARGET and relays its
/// output.
pub async fn forward(cx: &mut Cx<'_>) -> CmdResult {
    let s = Settings::read(cx.srv);
    let target = s
        .target
        .clone()
        .ok_or_else(|| CmdError::failed(NO_TARGET))?;
    let conn = cx.srv.host().net.connect(&target).await.map_err(|error| {
        CmdError::failed(
            LinkError::Connect {
                target: target.clone(),
                error,
            }
            .text(),
        )
    })?;
    let mut stream = conn.stream;
    let mut req = cx.req.clone();
    req.from_server = s.server_id.clone();
    req.service = Some(ServiceAuth {
        user: s.service_user.clone(),
        tickets: s.tickets.clone(),
        port: target.clone(),
    });
    let broken = || CmdError::failed(LinkError::Broken.text());
    write_frame(&mut stream, &ClientMsg::Request(Box::new(req)))
        .await
        .map_err(|_| broken())?;
    loop {
        let msg: ServerMsg = match read_frame(&mut stream).await {
            Ok(Some(m)) => m,
            _ => return Err(broken()),
        };
        match msg {
            ServerMsg::Done { status } => {
                if status != 0 {
                    cx.set_status(status);
                }
                return Ok(());
            }
            ServerMsg::Prompt { text } => {
                let line = cx.prompt(&text).await;
                write_frame(&mut stream, &ClientMsg::PromptReply { line })
                    .await
                    .map_err(|_| broken())?;
            }
            ServerMsg::ReadFile { path } => {
                let reply = match cx.read_client_file(&path).await {
                    Ok(bytes) => ClientMsg::FileContent {
                        bytes: Some(bytes),
                        error: None,
                    },
                    Err(e) => ClientMsg::FileContent {
                        bytes: None,
                        error: Some(e),
                    },
                };
                write_frame(&mut stream, &reply)
                    .await
                    .map_err(|_| broken())?;
            }
            other => cx.send(other),
        }
    }
}

/// For a request another server forwarded: checks the forwarding server's
/// service user (a valid ticket and `super` access). `None` when the
/// request was not forwarded (the user's own credentials are checked).
pub fn check_forwarded(server: &Server, req: &Request) -> Option<Result<(), String>> {
    let service = req.service.as_ref()?;
    req.from_server.as_ref()?;
    let mut db = server.db();
    let ticket = service
        .tickets
        .get(&server.address())
        .or_else(|| service.tickets.get(&service.port))
        .map(String::as_str);
    let refused = || super::link::SERVICE_USER_LOGIN.to_string();
    Some(
        match auth::check_credentials(&mut db, &service.user, None, ticket, server.now()) {
            Err(_) => Err(refused()),
            Ok(()) => match auth::max_perm(&mut db, &service.user) {
                Ok(Some(Perm::Super)) => Ok(()),
                _ => Err(refused()),
            },
        },
    )
}
