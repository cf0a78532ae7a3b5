//! The simulator's image (`images/sim/`): assembled from the running p4ha
//! program, with no base image.
//!
//! The build context is `Dockerfile` plus `rootfs/`: the executable
//! (stripped when `strip` is available), the shared libraries `ldd` lists
//! and the dynamic loader at the paths the executable looks for them, the
//! multi-call links (`p4`, `p4d`, `p4dctl`, `sh`, `kill`, `p4ha-fault`,
//! `p4ha-idle`), `/etc/passwd` and `/etc/group` with root and perforce,
//! `/etc/nsswitch.conf`, `/tmp` (1777) and the folders p4dctl and the
//! helper use. The tag is a hash of what goes in, so a second run of the
//! same program reuses the image.

use std::path::{Path, PathBuf};
use std::process::Command;

use md5::{Digest, Md5};

use crate::archive::Entry;

/// The Dockerfile, as in `images/sim/Dockerfile`.
pub const DOCKERFILE: &str = include_str!("../../../../images/sim/Dockerfile");

/// Repository part of the image's tag.
pub const REPOSITORY: &str = "p4ha/sim";

/// Where the executable goes in the image.
pub const EXECUTABLE: &str = "/usr/local/bin/p4ha";

/// Bumped whenever the layout below changes, so the tag changes with it.
const LAYOUT_VERSION: &str = "p4ha-sim-layout-1";

/// Dates of every file of the context (they are not part of the tag).
const CONTEXT_MTIME: u64 = 1_571_371_200;

/// The links to the executable: `(path in the image, program)`.
const LINKS: &[&str] = &[
    "/opt/perforce/bin/p4",
    "/opt/perforce/sbin/p4d",
    "/opt/perforce/sbin/p4dctl",
    // On sudo's secure path too (`sudo -u perforce p4d ...`, seed 000 §9).
    "/usr/bin/p4",
    "/usr/sbin/p4d",
    "/usr/sbin/p4dctl",
    "/bin/sh",
    "/usr/bin/sh",
    "/bin/kill",
    "/usr/local/bin/p4ha-fault",
    "/usr/local/bin/p4ha-idle",
];

/// Folders of the image: `(path, mode)`.
const DIRS: &[(&str, u32)] = &[
    ("/bin", 0o755),
    ("/sbin", 0o755),
    ("/usr", 0o755),
    ("/usr/bin", 0o755),
    ("/usr/sbin", 0o755),
    ("/usr/local", 0o755),
    ("/usr/local/bin", 0o755),
    ("/usr/local/sbin", 0o755),
    ("/opt", 0o755),
    ("/opt/perforce", 0o755),
    ("/opt/perforce/bin", 0o755),
    ("/opt/perforce/sbin", 0o755),
    ("/etc", 0o755),
    ("/etc/perforce", 0o755),
    ("/etc/perforce/p4dctl.conf.d", 0o755),
    ("/etc/p4ha", 0o755),
    ("/run", 0o755),
    ("/run/p4ha", 0o755),
    ("/tmp", 0o1777),
    ("/var", 0o755),
    ("/var/tmp", 0o1777),
    ("/root", 0o700),
    ("/home", 0o755),
    ("/home/perforce", 0o755),
];

/// Accounts: root and the `perforce` user Helix Core's packages create
/// (uid 1000, as the simulator's hosts have it).
const PASSWD: &str =
    "root:x:0:0:root:/root:/bin/sh\nperforce:x:1000:1000:Perforce Admin:/home/perforce:/bin/sh\n";
const GROUP: &str = "root:x:0:\nperforce:x:1000:\n";
/// Names resolve through /etc/hosts, then the engine's DNS (the other
/// machines of the scenario).
const NSSWITCH: &str = "passwd: files\ngroup: files\nhosts: files dns\n";

/// Why the simulator's image cannot be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SimImageError {
    /// The executable cannot be read.
    #[error("cannot read the p4ha executable {path}: {reason}")]
    Executable {
        /// Its path.
        path: String,
        /// Why.
        reason: String,
    },
    /// Its shared libraries cannot be listed or read.
    #[error("cannot package the shared libraries of {path}: {reason}")]
    Libraries {
        /// The executable.
        path: String,
        /// Why.
        reason: String,
    },
}

/// The simulator's image for one executable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimImage {
    /// `p4ha/sim:HASH`.
    pub tag: String,
    /// The executable packaged.
    pub executable: PathBuf,
    /// The shared libraries and loader it needs, as paths in the image
    /// (the same as on this machine).
    pub libraries: Vec<PathBuf>,
}

impl SimImage {
    /// Plans the image of `executable`: its libraries and its tag.
    pub fn plan(executable: &Path) -> Result<SimImage, SimImageError> {
        let exe_err = |e: std::io::Error| SimImageError::Executable {
            path: executable.display().to_string(),
            reason: e.to_string(),
        };
        let bytes = std::fs::read(executable).map_err(exe_err)?;
        let libraries = shared_libraries(executable)?;
        let mut h = Md5::new();
        h.update(LAYOUT_VERSION.as_bytes());
        h.update(DOCKERFILE.as_bytes());
        h.update(&bytes);
        for lib in &libraries {
            let data = std::fs::read(lib).map_err(|e| SimImageError::Libraries {
                path: executable.display().to_string(),
                reason: format!("{}: {e}", lib.display()),
            })?;
            h.update(lib.as_os_str().as_encoded_bytes());
            h.update(&data);
        }
        let digest = h.finalize();
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        Ok(SimImage {
            tag: format!("{REPOSITORY}:{hex}"),
            executable: executable.to_path_buf(),
            libraries,
        })
    }

    /// The build context: a tar of `Dockerfile` and `rootfs/`.
    pub fn context(&self) -> Result<Vec<u8>, SimImageError> {
        let exe_err = |e: std::io::Error| SimImageError::Executable {
            path: self.executable.display().to_string(),
            reason: e.to_string(),
        };
        let program = stripped(&self.executable).map_err(exe_err)?;
        let mut entries = vec![Entry::File {
            path: "Dockerfile".into(),
            data: DOCKERFILE.as_bytes().to_vec(),
            mode: 0o644,
        }];
        let mut dirs: Vec<(String, u32)> = DIRS.iter().map(|(d, m)| (d.to_string(), *m)).collect();
        for lib in &self.libraries {
            let mut parents: Vec<String> = lib
                .ancestors()
                .skip(1)
                .filter(|p| p.as_os_str().len() > 1)
                .map(|p| p.display().to_string())
                .collect();
            parents.reverse();
            for p in parents {
                if !dirs.iter().any(|(d, _)| *d == p) {
                    dirs.push((p, 0o755));
                }
            }
        }
        for (d, mode) in &dirs {
            entries.push(Entry::Dir {
                path: format!("rootfs{d}"),
                mode: *mode,
            });
        }
        entries.push(Entry::File {
            path: format!("rootfs{EXECUTABLE}"),
            data: program,
            mode: 0o755,
        });
        for lib in &self.libraries {
            let data = std::fs::read(lib).map_err(|e| SimImageError::Libraries {
                path: self.executable.display().to_string(),
                reason: format!("{}: {e}", lib.display()),
            })?;
            entries.push(Entry::File {
                path: format!("rootfs{}", lib.display()),
                data,
                mode: 0o755,
            });
        }
        for link in LINKS {
            entries.push(Entry::Symlink {
                path: format!("rootfs{link}"),
                target: EXECUTABLE.to_string(),
            });
        }
        for (path, text) in [
            ("/etc/passwd", PASSWD),
            ("/etc/group", GROUP),
            ("/etc/nsswitch.conf", NSSWITCH),
        ] {
            entries.push(Entry::File {
                path: format!("rootfs{path}"),
                data: text.as_bytes().to_vec(),
                mode: 0o644,
            });
        }
        crate::archive::write(&entries, CONTEXT_MTIME).map_err(exe_err)
    }
}

/// The executable without its symbols (much smaller to send), or as it is
/// when `strip` is not installed.
fn stripped(executable: &Path) -> std::io::Result<Vec<u8>> {
    let out = std::env::temp_dir().join(format!("p4ha-sim-image-{}.bin", std::process::id()));
    let ok = Command::new("strip")
        .arg("-o")
        .arg(&out)
        .arg(executable)
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    let data = if ok {
        std::fs::read(&out)
    } else {
        std::fs::read(executable)
    };
    let _ = std::fs::remove_file(&out);
    data
}

/// The shared libraries and dynamic loader `ldd` lists for `executable`
/// (none for a static executable).
pub fn shared_libraries(executable: &Path) -> Result<Vec<PathBuf>, SimImageError> {
    let err = |reason: String| SimImageError::Libraries {
        path: executable.display().to_string(),
        reason,
    };
    let out = Command::new("ldd")
        .arg(executable)
        .output()
        .map_err(|e| err(format!("ldd: {e}")))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let errors = String::from_utf8_lossy(&out.stderr).into_owned();
    if text.contains("not a dynamic executable") || errors.contains("not a dynamic executable") {
        return Ok(Vec::new());
    }
    if !out.status.success() {
        return Err(err(format!("ldd: {}", errors.trim())));
    }
    parse_ldd(&text).map_err(err)
}

/// Reads `ldd`'s listing.
pub fn parse_ldd(text: &str) -> Result<Vec<PathBuf>, String> {
    let mut libs = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.contains("statically linked") {
            continue;
        }
        let path = match line.split_once("=>") {
            Some((name, rest)) => {
                let rest = rest.trim();
                if rest.starts_with("not found") {
                    return Err(format!("{} not found", name.trim()));
                }
                rest.split(" (").next().unwrap_or("").trim()
            }
            None => line.split(" (").next().unwrap_or("").trim(),
        };
        // linux-vdso.so.1 is the kernel's, not a file.
        if path.starts_with('/') && !libs.iter().any(|p: &PathBuf| p == Path::new(path)) {
            libs.push(PathBuf::from(path));
        }
    }
    Ok(libs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ldd_listings() {
        let text = "\tlinux-vdso.so.1 (0x00007ffc)\n\tlibgcc_s.so.1 => /lib/x86_64-linux-gnu/libgcc_s.so.1 (0x00007f1)\n\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f2)\n\t/lib64/ld-linux-x86-64.so.2 (0x00007f3)\n";
        assert_eq!(
            parse_ldd(text).unwrap(),
            [
                PathBuf::from("/lib/x86_64-linux-gnu/libgcc_s.so.1"),
                PathBuf::from("/lib/x86_64-linux-gnu/libc.so.6"),
                PathBuf::from("/lib64/ld-linux-x86-64.so.2"),
            ]
        );
        assert_eq!(
            parse_ldd("\tlibfoo.so.1 => not found\n").unwrap_err(),
            "libfoo.so.1 not found"
        );
        assert!(parse_ldd("\tstatically linked\n").unwrap().is_empty());
    }

    #[test]
    fn the_tag_follows_the_content() {
        let dir = tempfile::tempdir().unwrap();
        // A copy of a real dynamic executable of this machine.
        let exe = std::env::current_exe().unwrap();
        let a = dir.path().join("a");
        std::fs::copy(&exe, &a).unwrap();
        let plan_a = SimImage::plan(&a).unwrap();
        assert!(plan_a.tag.starts_with("p4ha/sim:"));
        assert_eq!(SimImage::plan(&a).unwrap().tag, plan_a.tag);
        let mut bytes = std::fs::read(&a).unwrap();
        bytes.push(0);
        std::fs::write(&a, bytes).unwrap();
        assert_ne!(SimImage::plan(&a).unwrap().tag, plan_a.tag);
    }
}
