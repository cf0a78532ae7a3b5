//! The `p4d` command line: starting a server, and the offline operations
//! an administrator runs against P4ROOT (`-jc -jj -jr -jv -jd -xD -xu
//! -cset -cshow`).

mod args;
pub(crate) mod configurables;
pub(crate) mod daemon;
pub(crate) mod upgrade;

use std::rc::Rc;

pub use args::{ArgsError, P4dArgs, USAGE, parse_args};

use crate::host::{Host, HostMode};
use crate::program::{Invocation, ProgramOutput};
use crate::server::{ServerConfig, start_process};

/// Runs `p4d` on `host`.
pub async fn p4d_main(host: &Rc<Host>, inv: Invocation) -> ProgramOutput {
    let args = match parse_args(&inv) {
        Ok(a) => a,
        Err(ArgsError::Help) => return ProgramOutput::stdout(format!("{USAGE}\n")),
        Err(ArgsError::Invalid(lines)) => {
            return ProgramOutput::failure(
                crate::checkpoint::ServerBlock::error(lines).render(),
                1,
            );
        }
    };
    let version = host.installed.get();
    if args.version {
        return ProgramOutput::stdout(format!(
            "Perforce - The Fast Software Configuration Management System.\nCopyright 1995-{} Perforce Software.  All rights reserved.\nThis product includes software developed by the OpenSSL Project\nfor use in the OpenSSL Toolkit (http://www.openssl.org/)\nRev. {}.\n",
            version.year,
            version.version_string()
        ));
    }
    let cfg = args.server_config(host, &inv, version);
    if let Some(out) = crate::p4d_offline::run(host, &args, &cfg, &inv).await {
        return out;
    }
    start(host, cfg, args.daemon, &inv).await
}

async fn start(
    host: &Rc<Host>,
    cfg: ServerConfig,
    daemon: bool,
    inv: &Invocation,
) -> ProgramOutput {
    if daemon && host.mode == HostMode::Native {
        // A real machine: the daemon must outlive this process.
        return daemon::spawn_detached(inv, &cfg).await;
    }
    match start_process(host, cfg).await {
        Ok(started) => {
            let text: String = started.output.iter().map(|l| format!("{l}\n")).collect();
            if daemon {
                return ProgramOutput::stdout(text);
            }
            if host.mode == HostMode::Native {
                // On a real terminal the start-up lines appear at once.
                use std::io::Write;
                let mut out = std::io::stdout();
                let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
                let _ = started.exited.await;
                return ProgramOutput::default();
            }
            // In the foreground p4d runs until it is stopped.
            let _ = started.exited.await;
            ProgramOutput::stdout(text)
        }
        Err(e) => ProgramOutput::failure(format!("{e}\n"), 1),
    }
}
