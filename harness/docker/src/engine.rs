//! The Docker engine: where it is, whether it answers, and the runtime the
//! backend's blocking methods drive its async client on.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use bollard::Docker;

/// The engine's address when `DOCKER_HOST` is unset.
pub const DEFAULT_ENDPOINT: &str = "unix:///var/run/docker.sock";

/// How long one request may wait for the engine's answer. Exec output and
/// image builds stream after the answer and are not limited by it.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(300);

/// Why the engine cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// Nothing answers at the endpoint.
    #[error(
        "no Docker engine answers at {endpoint}: {reason} (start Docker, or point DOCKER_HOST at an engine: unix://, tcp:// or https:// with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH)"
    )]
    Unreachable {
        /// `DOCKER_HOST` or the default socket.
        endpoint: String,
        /// The client's words.
        reason: String,
    },
}

/// The engine's address: `DOCKER_HOST`, else the local socket.
pub fn endpoint() -> String {
    std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| DEFAULT_ENDPOINT.to_string())
}

/// A connected engine.
#[derive(Debug, Clone)]
pub struct Engine {
    /// The client.
    pub docker: Docker,
    /// Where it is.
    pub endpoint: String,
    /// The engine's version (`20.10.24`).
    pub version: String,
    /// The engine's API version (`1.41`).
    pub api_version: String,
}

impl Engine {
    /// Connects to the engine of [`endpoint`] and checks that it answers.
    pub async fn connect() -> Result<Engine, EngineError> {
        let endpoint = endpoint();
        let unreachable = |e: &dyn std::fmt::Display| EngineError::Unreachable {
            endpoint: endpoint.clone(),
            reason: e.to_string(),
        };
        let docker = Docker::connect_with_defaults()
            .map_err(|e| unreachable(&e))?
            .with_timeout(REQUEST_TIMEOUT);
        // The engine may be older than the client's API: speak its version.
        let docker = docker
            .negotiate_version()
            .await
            .map_err(|e| unreachable(&e))?;
        docker.ping().await.map_err(|e| unreachable(&e))?;
        let v = docker.version().await.map_err(|e| unreachable(&e))?;
        Ok(Engine {
            docker,
            endpoint: endpoint.clone(),
            version: v.version.unwrap_or_default(),
            api_version: v.api_version.unwrap_or_default(),
        })
    }
}

/// Whether an engine answers: `Ok("20.10.24 (API 1.41) at unix://...")`
/// or the reason it does not.
pub fn engine_available() -> Result<String, EngineError> {
    block_on(async {
        let e = Engine::connect().await?;
        Ok(format!(
            "{} (API {}) at {}",
            e.version, e.api_version, e.endpoint
        ))
    })
}

/// The process-wide runtime of the Docker client.
fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        match tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("p4ha-docker")
            .enable_all()
            .build()
        {
            Ok(rt) => rt,
            // Without threads nothing of the backend can work; this is an
            // environment failure, not bad input.
            Err(e) => panic!("cannot start the Docker client's runtime: {e}"),
        }
    })
}

/// Runs `fut` to completion on the Docker client's runtime, from any
/// thread (also from inside another runtime, where it borrows a thread).
pub fn block_on<F>(fut: F) -> F::Output
where
    F: Future + Send,
    F::Output: Send,
{
    if tokio::runtime::Handle::try_current().is_ok() {
        std::thread::scope(|s| match s.spawn(|| runtime().block_on(fut)).join() {
            Ok(v) => v,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    } else {
        runtime().block_on(fut)
    }
}

/// Spawns a task on the Docker client's runtime.
pub(crate) fn spawn<F>(fut: F) -> tokio::task::JoinHandle<F::Output>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime().spawn(fut)
}
