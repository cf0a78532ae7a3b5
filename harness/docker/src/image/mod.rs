//! Images: which one a machine runs, whether the engine has it, and
//! building the simulator's image on demand.

pub mod sim;

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Mutex;

use bollard::Docker;
use bollard::query_parameters::BuildImageOptions;
use futures_util::StreamExt;

use crate::labels;

/// What kind of p4d an image runs; it decides how faults are injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageKind {
    /// The simulator's image: no firewall (network faults go through the
    /// simulator's fault file), a clock that can be moved.
    Simulator,
    /// Real p4d (`images/p4d/` or any image with p4d, p4dctl and a POSIX
    /// shell): iptables for network faults, the kernel's clock.
    Real,
}

/// An image a machine runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedImage {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: ImageKind,
}

/// Why an image is not usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    /// The engine does not have it and p4ha cannot build it.
    #[error("{0}")]
    Missing(String),
    /// Building the simulator's image failed.
    #[error("building the simulator's image {tag} failed: {reason}")]
    Build {
        /// The tag.
        tag: String,
        /// The engine's words.
        reason: String,
    },
    /// The simulator's image could not be assembled.
    #[error(transparent)]
    Context(#[from] sim::SimImageError),
    /// The engine failed.
    #[error("the Docker engine failed: {0}")]
    Engine(String),
}

/// The kind the engine's labels give an image, or `None` when it lacks it.
pub async fn inspect(docker: &Docker, name: &str) -> Result<Option<ImageKind>, ImageError> {
    match docker.inspect_image(name).await {
        Ok(info) => {
            let sim = info
                .config
                .and_then(|c| c.labels)
                .and_then(|l| l.get(labels::IMAGE_KIND).cloned())
                .is_some_and(|k| k == "sim");
            Ok(Some(if sim {
                ImageKind::Simulator
            } else {
                ImageKind::Real
            }))
        }
        Err(bollard::errors::Error::DockerResponseServerError {
            status_code: 404, ..
        }) => Ok(None),
        Err(e) => Err(ImageError::Engine(e.to_string())),
    }
}

/// Makes sure the engine has the simulator's image of `executable`,
/// building it when missing. `progress` gets one line per build step.
pub async fn ensure_sim_image(
    docker: &Docker,
    executable: &Path,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<ResolvedImage, ImageError> {
    // One build at a time in this process: parallel scenarios wait for the
    // first one's image instead of building it again.
    static BUILT: Mutex<BTreeSet<String>> = Mutex::new(BTreeSet::new());
    static BUILDING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let plan = sim::SimImage::plan(executable)?;
    let done = |tag: &str| BUILT.lock().map(|b| b.contains(tag)).unwrap_or(false);
    if done(&plan.tag) {
        return Ok(ResolvedImage {
            name: plan.tag,
            kind: ImageKind::Simulator,
        });
    }
    let _guard = BUILDING.lock().await;
    if !done(&plan.tag) && inspect(docker, &plan.tag).await?.is_none() {
        build(docker, &plan, progress).await?;
    }
    if let Ok(mut b) = BUILT.lock() {
        b.insert(plan.tag.clone());
    }
    Ok(ResolvedImage {
        name: plan.tag,
        kind: ImageKind::Simulator,
    })
}

async fn build(
    docker: &Docker,
    plan: &sim::SimImage,
    progress: &(dyn Fn(&str) + Sync),
) -> Result<(), ImageError> {
    let context = plan.context()?;
    progress(&format!(
        "building the simulator's image {} from {} ({} MB context, {} shared libraries)",
        plan.tag,
        plan.executable.display(),
        context.len() / 1_000_000,
        plan.libraries.len()
    ));
    let opts = BuildImageOptions {
        t: Some(plan.tag.clone()),
        dockerfile: "Dockerfile".to_string(),
        rm: true,
        forcerm: true,
        ..Default::default()
    };
    let mut stream = docker.build_image(opts, None, Some(bollard::body_full(context.into())));
    while let Some(item) = stream.next().await {
        match item {
            Ok(info) => {
                if let Some(detail) = info.error_detail {
                    return Err(ImageError::Build {
                        tag: plan.tag.clone(),
                        reason: detail
                            .message
                            .unwrap_or_else(|| "unknown error".to_string()),
                    });
                }
                if let Some(line) = info.stream {
                    let line = line.trim_end();
                    if !line.is_empty() {
                        progress(line);
                    }
                }
            }
            Err(e) => {
                return Err(ImageError::Build {
                    tag: plan.tag.clone(),
                    reason: e.to_string(),
                });
            }
        }
    }
    match inspect(docker, &plan.tag).await? {
        Some(_) => Ok(()),
        None => Err(ImageError::Build {
            tag: plan.tag.clone(),
            reason: "the engine reported no image".to_string(),
        }),
    }
}
