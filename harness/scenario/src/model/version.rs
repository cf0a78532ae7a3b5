//! p4d release numbers such as 2019.1.

use std::fmt;
use std::str::FromStr;

/// A p4d release, written `YEAR.N` (`2019.1`, `2023.2`).
///
/// Ordered by year, then release number, so `Version` comparisons say which
/// server is newer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    /// The release year, such as 2019.
    pub year: u16,
    /// The release of that year, such as 1 in 2019.1.
    pub minor: u8,
}

impl Version {
    /// The release `year.minor`.
    pub const fn new(year: u16, minor: u8) -> Self {
        Self { year, minor }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.year, self.minor)
    }
}

/// Why a text is not a p4d release number; the message says how to write one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct VersionError(String);

const VERSION_HINT: &str = "p4d releases are written YEAR.N, like \"2019.1\" or \"2023.2\"";

impl FromStr for Version {
    type Err = VersionError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let t = text.trim();
        if let Some(parsed) = parse_exact(t) {
            return Ok(parsed);
        }
        // Common spellings of the same release get a precise correction.
        let suggestion = suggest(t);
        let t = crate::diagnostic::clip(t);
        Err(VersionError(match suggestion {
            Some(fixed) => format!("`{t}` is not a p4d release: {VERSION_HINT}; write \"{fixed}\""),
            None => format!("`{t}` is not a p4d release: {VERSION_HINT}"),
        }))
    }
}

/// `YYYY.N` with a plausible year and a one-digit release.
fn parse_exact(t: &str) -> Option<Version> {
    let (year, minor) = t.split_once('.')?;
    if year.len() != 4 || minor.len() != 1 {
        return None;
    }
    if !year.bytes().all(|b| b.is_ascii_digit()) || !minor.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: u16 = year.parse().ok()?;
    let minor: u8 = minor.parse().ok()?;
    if !(1995..=2099).contains(&year) || minor == 0 {
        return None;
    }
    Some(Version { year, minor })
}

/// Turns `r19.1`, `19.1`, `2019.1/1234567`, `2019.1.1234567`, `P4D/LINUX26X86_64/2019.1/...`
/// into `2019.1` when that is clearly what was meant.
fn suggest(t: &str) -> Option<Version> {
    let lower = t.to_ascii_lowercase();
    let short = lower.strip_prefix('r').unwrap_or(&lower);
    if let Some((yy, rest)) = short.split_once('.')
        && yy.len() == 2
        && yy.bytes().all(|b| b.is_ascii_digit())
        && let Some(release) = release_prefix(rest, 1)
    {
        return parse_exact(&format!("20{yy}.{release}"));
    }
    // A release followed by a patch or build number.
    lower.split(['/', ' ']).find_map(|part| {
        let release = release_prefix(part, 6)?;
        parse_exact(release)
    })
}

/// The first `len` bytes of `text` when the byte after them is not a digit.
fn release_prefix(text: &str, len: usize) -> Option<&str> {
    let head = text.get(..len)?;
    match text.as_bytes().get(len) {
        Some(next) if next.is_ascii_digit() => None,
        _ => Some(head),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_releases() {
        let v: Version = "2019.1".parse().unwrap();
        assert_eq!(v, Version::new(2019, 1));
        assert_eq!(v.to_string(), "2019.1");
        assert!(Version::new(2023, 2) > v);
    }

    #[test]
    fn rejects_other_spellings_with_a_correction() {
        let e = "r19.1".parse::<Version>().unwrap_err().to_string();
        assert!(e.contains("write \"2019.1\""), "{e}");
        let e = "2019.1/1234567".parse::<Version>().unwrap_err().to_string();
        assert!(e.contains("write \"2019.1\""), "{e}");
        let e = "2019".parse::<Version>().unwrap_err().to_string();
        assert!(e.starts_with("`2019` is not a p4d release"), "{e}");
        let e = "2019.servers: run\n- on: edge"
            .parse::<Version>()
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("`2019.servers: run...` is not a p4d release"),
            "{e}"
        );
        let e = "2019.10".parse::<Version>().unwrap_err().to_string();
        assert!(!e.contains("write \"2019.1\""), "{e}");
        assert!("".parse::<Version>().is_err());
        assert!("２０１９.1".parse::<Version>().is_err());
    }
}
