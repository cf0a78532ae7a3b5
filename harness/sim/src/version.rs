//! p4d releases: what differs between the server versions a node can run.
//!
//! A simulated node runs one release (`2019.1`, `2023.2`, ...). The release
//! decides the table versions it writes, the protocol level in journal notes,
//! the `upgrade` counter, its version string, and the messages that changed
//! between releases.

use std::fmt;
use std::str::FromStr;

/// A p4d release, `YYYY.N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServerVersion {
    /// Release year, e.g. 2019.
    pub year: u16,
    /// Release within the year, 1 or 2.
    pub minor: u8,
}

/// What can go wrong when naming a release.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// Not of the form `YYYY.N`.
    #[error("'{0}' is not a p4d release; releases are written like 2019.1 or 2023.2")]
    Malformed(String),
    /// Well formed, but the simulator does not model that release.
    #[error("p4d release {0} is not simulated; simulated releases are {list}", list = ServerVersion::supported_list())]
    Unsupported(String),
}

/// One release the simulator models, with the facts that vary by release.
struct Release {
    version: ServerVersion,
    /// Server protocol level (`server2`), written into journal notes.
    level: u32,
    /// Value of the `upgrade` counter once `p4d -xu` has run.
    upgrade: u32,
    /// Build change and date of the release's GA build, for `p4d -V` and
    /// `p4 info`.
    build: (u32, &'static str),
}

const fn v(year: u16, minor: u8) -> ServerVersion {
    ServerVersion { year, minor }
}

// Levels from the `server level N: release` table of the published p4 source
// (msgs/p4tagl.cc). 2019.1's GA build (the one whose version string is used
// here) reports 47; its later "uber-patch" builds report 48. Upgrade levels
// are the schema's numUpgrades per release. Build numbers are the GA builds'
// change numbers as they appear in version strings.
const RELEASES: &[Release] = &[
    Release {
        version: v(2019, 1),
        level: 47,
        upgrade: 33,
        build: (1796703, "2019/05/20"),
    },
    Release {
        version: v(2019, 2),
        level: 49,
        upgrade: 35,
        build: (1855165, "2019/09/25"),
    },
    Release {
        version: v(2020, 1),
        level: 50,
        upgrade: 36,
        build: (1946989, "2020/04/15"),
    },
    Release {
        version: v(2020, 2),
        level: 51,
        upgrade: 39,
        build: (2007551, "2020/10/28"),
    },
    Release {
        version: v(2021, 1),
        level: 52,
        upgrade: 40,
        build: (2126753, "2021/05/17"),
    },
    Release {
        version: v(2021, 2),
        level: 53,
        upgrade: 44,
        build: (2201121, "2021/10/21"),
    },
    Release {
        version: v(2022, 1),
        level: 54,
        upgrade: 47,
        build: (2268385, "2022/05/02"),
    },
    Release {
        version: v(2022, 2),
        level: 55,
        upgrade: 49,
        build: (2361553, "2022/11/14"),
    },
    Release {
        version: v(2023, 1),
        level: 56,
        upgrade: 50,
        build: (2442900, "2023/05/04"),
    },
    Release {
        version: v(2023, 2),
        level: 57,
        upgrade: 52,
        build: (2519561, "2023/11/09"),
    },
    Release {
        version: v(2024, 1),
        level: 58,
        upgrade: 54,
        build: (2596294, "2024/05/02"),
    },
    Release {
        version: v(2024, 2),
        level: 59,
        upgrade: 55,
        build: (2675662, "2024/10/24"),
    },
];

impl ServerVersion {
    /// The oldest release the simulator models.
    pub const OLDEST: ServerVersion = v(2019, 1);

    /// Creates a version without checking that it is simulated.
    pub const fn new(year: u16, minor: u8) -> Self {
        v(year, minor)
    }

    /// Every simulated release, oldest first.
    pub fn supported() -> impl Iterator<Item = ServerVersion> {
        RELEASES.iter().map(|r| r.version)
    }

    fn supported_list() -> String {
        Self::supported()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn release(self) -> &'static Release {
        // Constructed versions are checked by `FromStr`; fall back to the
        // nearest older release for versions built with `new`.
        RELEASES
            .iter()
            .rev()
            .find(|r| r.version <= self)
            .unwrap_or(&RELEASES[0])
    }

    /// True at or after `year.minor`.
    pub fn at_least(self, year: u16, minor: u8) -> bool {
        self >= v(year, minor)
    }

    /// The server protocol level written in journal notes (`@48@`).
    pub fn level(self) -> u32 {
        self.release().level
    }

    /// The `upgrade` counter value of a database at this release.
    pub fn upgrade_level(self) -> u32 {
        self.release().upgrade
    }

    /// `P4D/LINUX26X86_64/2019.1/1796703 (2019/05/20)`.
    pub fn version_string(self) -> String {
        let (change, date) = self.release().build;
        format!("P4D/LINUX26X86_64/{self}/{change} ({date})")
    }

    /// The release's version string as `p4` clients report it.
    pub fn client_version_string(self) -> String {
        let (change, date) = self.release().build;
        format!("P4/LINUX26X86_64/{self}/{change} ({date})")
    }
}

impl fmt::Display for ServerVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.year, self.minor)
    }
}

impl FromStr for ServerVersion {
    type Err = VersionError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches('r');
        let (y, m) = t
            .split_once('.')
            .ok_or_else(|| VersionError::Malformed(s.to_string()))?;
        // Accept the short form r19.1 as well as 2019.1.
        let mut year: u16 = y
            .parse()
            .map_err(|_| VersionError::Malformed(s.to_string()))?;
        if year < 100 {
            year += 2000;
        }
        let minor: u8 = m
            .parse()
            .map_err(|_| VersionError::Malformed(s.to_string()))?;
        let version = v(year, minor);
        if RELEASES.iter().any(|r| r.version == version) {
            Ok(version)
        } else {
            Err(VersionError::Unsupported(s.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_describes_releases() {
        let v: ServerVersion = "2019.1".parse().unwrap();
        assert_eq!(v.level(), 47);
        assert_eq!(v.upgrade_level(), 33);
        assert_eq!(
            v.version_string(),
            "P4D/LINUX26X86_64/2019.1/1796703 (2019/05/20)"
        );
        assert_eq!(
            "r23.2".parse::<ServerVersion>().unwrap(),
            ServerVersion::new(2023, 2)
        );
        assert!(matches!(
            "2019".parse::<ServerVersion>(),
            Err(VersionError::Malformed(_))
        ));
        assert!(matches!(
            "2018.2".parse::<ServerVersion>(),
            Err(VersionError::Unsupported(_))
        ));
        assert!(v < "2020.2".parse().unwrap());
    }
}
