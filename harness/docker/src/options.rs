//! How a [`crate::DockerBackend`] is configured.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

/// Which image a machine runs when its scenario names none.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ImageChoice {
    /// `p4ha/p4d:VERSION` when the engine has it (real p4d, built from
    /// `images/p4d/`), else the simulator's image. Each machine's choice
    /// is announced on the progress output, so a run never passes off the
    /// simulator as real p4d silently.
    #[default]
    Auto,
    /// Always the simulator's image (built on demand from the running
    /// p4ha program).
    Simulator,
    /// An image name in which `{version}` is replaced by the machine's p4d
    /// release (`registry.example.com/p4d:{version}`); a missing image is
    /// an error.
    Template(String),
}

impl ImageChoice {
    /// Reads `auto`, `sim` or a template.
    pub fn parse(text: &str) -> ImageChoice {
        match text {
            "auto" => ImageChoice::Auto,
            "sim" | "simulator" => ImageChoice::Simulator,
            other => ImageChoice::Template(other.to_string()),
        }
    }
}

/// The real p4d image of a release, as `images/p4d/README.md` tells users
/// to tag it.
pub fn real_image_name(version: &str) -> String {
    format!("p4ha/p4d:{version}")
}

/// Options of the Docker backend.
#[derive(Debug, Clone)]
pub struct DockerOptions {
    /// The image of machines whose scenario names none.
    pub images: ImageChoice,
    /// The p4ha executable packaged into the simulator's image (default:
    /// the running program).
    pub executable: Option<PathBuf>,
    /// Server roots to put on a size-limited file system, by machine:
    /// a tmpfs volume of [`DockerOptions::disk_size`] is mounted at each,
    /// which the `disk-full` fault fills. Roots not listed here live on
    /// the container's own file system and cannot be filled.
    pub disk_roots: BTreeMap<String, Vec<String>>,
    /// Size of each root's volume, bytes; `None`: 256 MiB on the
    /// simulator's image, 1 GiB on real p4d (whose `filesys.*.min`
    /// configurables refuse commands below 250 MiB free by default).
    pub disk_size: Option<u64>,
    /// Leave the containers, networks and volumes in place after the run
    /// (`p4ha clean` removes them later).
    pub keep: bool,
    /// Print progress lines (image builds, waits for a subnet) on stderr.
    pub progress: bool,
    /// Install the SIGINT/SIGTERM handler that removes the run's resources
    /// before the process exits ([`crate::cleanup::install_interrupt_handler`]).
    pub handle_signals: bool,
    /// How long to wait for a subnet another run holds.
    pub network_wait: Duration,
}

impl Default for DockerOptions {
    fn default() -> Self {
        DockerOptions {
            images: ImageChoice::Auto,
            executable: None,
            disk_roots: BTreeMap::new(),
            disk_size: None,
            keep: false,
            progress: true,
            handle_signals: true,
            network_wait: Duration::from_secs(30 * 60),
        }
    }
}

/// Default size of a root volume on the simulator's image.
pub const SIM_DISK_SIZE: u64 = 256 << 20;

/// Default size of a root volume on a real p4d image.
pub const REAL_DISK_SIZE: u64 = 1 << 30;
