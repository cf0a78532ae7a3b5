//! Running a command in a container: standard input written and closed,
//! standard output and error drained to the end, and only then the exit
//! code read (an exec's code is unknown while its streams are open), with
//! a time limit after which the command and everything it started are
//! killed.

use std::time::Duration;

use bollard::Docker;
use bollard::container::LogOutput;
use bollard::exec::{CreateExecOptions, StartExecOptions, StartExecResults};
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

/// Folder in every container for the helper's state and exec pid files.
pub const STATE_DIR: &str = "/run/p4ha";

/// One command to run.
#[derive(Debug, Clone, Default)]
pub struct ExecRequest {
    /// The program and its arguments.
    pub argv: Vec<String>,
    /// `NAME=value` pairs.
    pub env: Vec<String>,
    /// Working directory.
    pub cwd: Option<String>,
    /// Standard input (nothing attached when empty: the command reads end
    /// of file).
    pub stdin: Vec<u8>,
    /// Longest the command may run.
    pub timeout: Option<Duration>,
}

/// What a command printed and how it ended.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Finished {
    /// Standard output.
    pub stdout: Vec<u8>,
    /// Standard error.
    pub stderr: Vec<u8>,
    /// Exit status; `None` when the time limit ended it.
    pub status: Option<i64>,
}

/// How long the engine may take to report an exit code after the streams
/// closed.
const EXIT_CODE_WAIT: Duration = Duration::from_secs(10);

/// Runs `req` in `container` as root.
pub async fn run(
    docker: &Docker,
    container: &str,
    req: ExecRequest,
) -> Result<Finished, bollard::errors::Error> {
    let with_stdin = !req.stdin.is_empty();
    let created = docker
        .create_exec(
            container,
            CreateExecOptions {
                attach_stdin: Some(with_stdin),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(false),
                env: Some(req.env.clone()),
                cmd: Some(req.argv.clone()),
                user: Some("root".to_string()),
                working_dir: req.cwd.clone(),
                ..Default::default()
            },
        )
        .await?;
    let started = docker
        .start_exec(
            &created.id,
            Some(StartExecOptions {
                detach: false,
                tty: false,
                output_capacity: Some(1 << 20),
            }),
        )
        .await?;
    let StartExecResults::Attached {
        mut output,
        mut input,
    } = started
    else {
        return Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 500,
            message: "the engine started the command detached".to_string(),
        });
    };
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let stdin = req.stdin;
    let drain = async {
        let write = async {
            if with_stdin {
                // A command that stops reading early closes the pipe; what
                // it did not read is of no interest.
                let _ = input.write_all(&stdin).await;
                let _ = input.shutdown().await;
            }
        };
        let read = async {
            while let Some(item) = output.next().await {
                match item? {
                    LogOutput::StdOut { message } | LogOutput::Console { message } => {
                        stdout.extend_from_slice(&message)
                    }
                    LogOutput::StdErr { message } => stderr.extend_from_slice(&message),
                    LogOutput::StdIn { .. } => {}
                }
            }
            Ok::<(), bollard::errors::Error>(())
        };
        let ((), read) = futures_util::future::join(write, read).await;
        read
    };
    let drained = match req.timeout {
        Some(limit) => tokio::time::timeout(limit, drain).await.ok(),
        None => Some(drain.await),
    };
    match drained {
        None => {
            return Ok(Finished {
                stdout,
                stderr,
                status: None,
            });
        }
        Some(r) => r?,
    }
    let deadline = tokio::time::Instant::now() + EXIT_CODE_WAIT;
    loop {
        let inspected = docker.inspect_exec(&created.id).await?;
        if inspected.running != Some(true) {
            return Ok(Finished {
                stdout,
                stderr,
                status: inspected.exit_code,
            });
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(Finished {
                stdout,
                stderr,
                status: None,
            });
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// The command line that runs `script` under `sh -c` and leaves the
/// shell's pid in `pid_file` while it runs, so that a command that
/// overruns its time can be killed with everything it started.
pub fn wrapped_script(script: &str, pid_file: &str) -> Vec<String> {
    vec![
        "sh".to_string(),
        "-c".to_string(),
        format!("echo $$ >{pid_file}; sh -c \"$1\"; s=$?; rm -f {pid_file}; exit $s"),
        "sh".to_string(),
        script.to_string(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_is_an_argument_never_part_of_the_wrapper() {
        let argv = wrapped_script("echo 'a b' \"$1\"; exit 3", "/run/p4ha/exec.7");
        assert_eq!(argv[0], "sh");
        assert_eq!(argv[3], "sh");
        assert_eq!(argv[4], "echo 'a b' \"$1\"; exit 3");
        assert!(!argv[2].contains("echo 'a b'"));
    }
}
