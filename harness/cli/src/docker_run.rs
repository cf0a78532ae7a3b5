//! `p4ha run --backend docker`: the runner's backend factory for
//! containers.

use p4ha_docker::{DockerOptions, ImageChoice};
use p4ha_runner::{BackendFactory, BackendKind};

/// The factory for `backend`: containers for `docker` (each machine's
/// image from `image`: `auto`, `sim` or a name with `{version}`), none
/// for the simulator.
pub fn factory(backend: BackendKind, image: Option<&str>) -> Option<BackendFactory> {
    if backend != BackendKind::Docker {
        return None;
    }
    let base = DockerOptions {
        images: image.map(ImageChoice::parse).unwrap_or_default(),
        ..DockerOptions::default()
    };
    Some(BackendFactory::new(move |scenario, keep| {
        Ok(p4ha_docker::scenario::backend_for(scenario, &base, keep))
    }))
}
