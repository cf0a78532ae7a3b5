//! Checkpoint digests: p4d's MD5 and the `.md5` file beside a checkpoint.

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use md5::{Digest as _, Md5};

use crate::field::Digest;
use crate::stream::Decompressed;

/// The MD5 of a checkpoint as p4d computes it: over the uncompressed
/// text (a `.gz` input is decompressed first), upper-case hex.
pub fn checkpoint_md5<R: Read>(input: R) -> io::Result<Digest> {
    let mut input = Decompressed::new(input);
    let mut hasher = Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
    }
    Ok(Digest::from_md5(hasher.finalize().into()))
}

/// The MD5 of a checkpoint file (see [`checkpoint_md5`]).
pub fn checkpoint_file_md5(path: &Path) -> io::Result<Digest> {
    checkpoint_md5(fs::File::open(path)?)
}

/// A [`Write`] adapter that computes the MD5 of everything written through it.
///
/// ```
/// use p4ha_journal::{Md5Writer, Record, Field, Op, Writer};
/// let mut w = Writer::new(Md5Writer::new(Vec::new()));
/// w.write_record(&Record::data(Op::Pv, 1, "db.counters",
///     vec![Field::string("change"), Field::string("1")])).unwrap();
/// let (bytes, digest) = w.into_inner().unwrap().finish();
/// assert_eq!(digest, p4ha_journal::checkpoint_md5(&bytes[..]).unwrap());
/// ```
#[derive(Debug)]
pub struct Md5Writer<W: Write> {
    inner: W,
    hasher: Md5,
}

impl<W: Write> Md5Writer<W> {
    /// Wraps `inner`.
    pub fn new(inner: W) -> Md5Writer<W> {
        Md5Writer {
            inner,
            hasher: Md5::new(),
        }
    }

    /// The digest of the bytes written so far.
    pub fn digest(&self) -> Digest {
        Digest::from_md5(self.hasher.clone().finalize().into())
    }

    /// The destination and the digest of everything written.
    pub fn finish(self) -> (W, Digest) {
        let digest = Digest::from_md5(self.hasher.finalize().into());
        (self.inner, digest)
    }
}

impl<W: Write> Write for Md5Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The content of a `.md5` side file: `MD5 (checkpoint.93) = 0123...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Md5File {
    /// The file name inside the parentheses (empty for a bare digest).
    pub name: String,
    /// The recorded digest.
    pub digest: Digest,
}

/// Why a `.md5` file's text was rejected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Md5FileError {
    /// No digest line at all.
    #[error("the file is empty")]
    Empty,
    /// The line has no recognisable `MD5 (name) = digest` shape.
    #[error("expected 'MD5 (name) = <32 hex digits>', found '{0}'")]
    Malformed(String),
    /// The digest is not 32 hexadecimal digits.
    #[error("'{0}' is not 32 hexadecimal digits")]
    BadDigest(String),
    /// More than one digest line.
    #[error("more than one digest line")]
    SeveralLines,
}

impl Md5File {
    /// A side file recording `digest` for the checkpoint named `name`.
    pub fn new(name: impl Into<String>, digest: Digest) -> Md5File {
        Md5File {
            name: name.into(),
            digest,
        }
    }

    /// Parses the text of a side file.
    ///
    /// Accepted: p4d's BSD form `MD5 (name) = HEX` with any case of `MD5`
    /// and of the hex digits and any spacing around `=`; the GNU
    /// `md5sum` form `hex  name` (or `hex *name`); a bare digest. A
    /// trailing newline or CRLF is fine. The digest must be exactly 32 hex
    /// digits and the file must hold one digest line.
    pub fn parse(text: &str) -> Result<Md5File, Md5FileError> {
        let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
        let line = lines.next().ok_or(Md5FileError::Empty)?;
        if lines.next().is_some() {
            return Err(Md5FileError::SeveralLines);
        }
        let (name, hex) = if line.len() >= 3 && line[..3].eq_ignore_ascii_case("md5") {
            let rest = line[3..].trim_start();
            let inner = rest
                .strip_prefix('(')
                .ok_or_else(|| Md5FileError::Malformed(line.to_string()))?;
            let close = inner
                .rfind(')')
                .ok_or_else(|| Md5FileError::Malformed(line.to_string()))?;
            let after = inner[close + 1..].trim_start();
            let hex = after
                .strip_prefix('=')
                .ok_or_else(|| Md5FileError::Malformed(line.to_string()))?
                .trim();
            (inner[..close].to_string(), hex)
        } else {
            match line.split_once(char::is_whitespace) {
                Some((hex, name)) => {
                    let name = name.trim_start();
                    (name.strip_prefix('*').unwrap_or(name).to_string(), hex)
                }
                None => (String::new(), line),
            }
        };
        if hex.len() != 32 {
            return Err(Md5FileError::BadDigest(hex.to_string()));
        }
        let digest = Digest::new(hex).map_err(|_| Md5FileError::BadDigest(hex.to_string()))?;
        Ok(Md5File { name, digest })
    }

    /// The side file's text in p4d's form: `MD5 (name) = HEX\n` (digest upper-cased).
    pub fn to_text(&self) -> String {
        format!(
            "MD5 ({}) = {}\n",
            self.name,
            self.digest.as_str().to_ascii_uppercase()
        )
    }

    /// Writes the side file to `path`.
    pub fn write(&self, path: &Path) -> io::Result<()> {
        fs::write(path, self.to_text())
    }
}

/// The names a checkpoint's side file may have, most likely first.
///
/// `x.ckp.1` -> `x.ckp.1.md5`, `x.ckp.1.gz.md5`;
/// `x.ckp.1.gz` -> `x.ckp.1.gz.md5`, `x.ckp.1.md5`. Both namings occur
/// (the digest is of the uncompressed text either way).
pub fn side_file_candidates(checkpoint: &Path) -> Vec<PathBuf> {
    let mut own = checkpoint.as_os_str().to_owned();
    own.push(".md5");
    let mut candidates = vec![PathBuf::from(own)];
    let text = checkpoint.as_os_str().to_string_lossy();
    if let Some(stem) = text.strip_suffix(".gz") {
        candidates.push(PathBuf::from(format!("{stem}.md5")));
    } else {
        let mut gz = checkpoint.as_os_str().to_owned();
        gz.push(".gz.md5");
        candidates.push(PathBuf::from(gz));
    }
    candidates
}

/// The first existing side file of `checkpoint`, if any.
pub fn find_side_file(checkpoint: &Path) -> Option<PathBuf> {
    side_file_candidates(checkpoint)
        .into_iter()
        .find(|p| p.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "E4EB1FF5B589D05E9F5A8EE1F8183A86";

    #[test]
    fn parses_p4d_form_and_variants() {
        for text in [
            format!("MD5 (checkpoint.93) = {HEX}\n"),
            format!("MD5 (checkpoint.93) = {HEX}\r\n"),
            format!("md5 (checkpoint.93)={}", HEX.to_lowercase()),
            format!("  MD5(checkpoint.93)   =   {HEX}  \n\n"),
        ] {
            let parsed = Md5File::parse(&text).unwrap();
            assert_eq!(parsed.name, "checkpoint.93", "{text:?}");
            assert!(parsed.digest.matches(&Digest::new(HEX).unwrap()));
        }
        let gnu = Md5File::parse(&format!("{HEX}  checkpoint.93\n")).unwrap();
        assert_eq!(gnu.name, "checkpoint.93");
        let bare = Md5File::parse(HEX).unwrap();
        assert_eq!(bare.name, "");
    }

    #[test]
    fn rejects_bad_side_files() {
        assert_eq!(Md5File::parse("\n"), Err(Md5FileError::Empty));
        assert!(matches!(
            Md5File::parse("MD5 (c) = 1234"),
            Err(Md5FileError::BadDigest(_))
        ));
        assert!(matches!(
            Md5File::parse("MD5 c = 1234"),
            Err(Md5FileError::Malformed(_))
        ));
        assert!(matches!(
            Md5File::parse(&format!("MD5 (a) = {HEX}\nMD5 (b) = {HEX}\n")),
            Err(Md5FileError::SeveralLines)
        ));
    }

    #[test]
    fn writes_p4d_form() {
        let f = Md5File::new("checkpoint.93", Digest::new(&HEX.to_lowercase()).unwrap());
        assert_eq!(f.to_text(), format!("MD5 (checkpoint.93) = {HEX}\n"));
    }

    #[test]
    fn side_file_names() {
        assert_eq!(
            side_file_candidates(Path::new("/p4/x.ckp.1")),
            vec![
                PathBuf::from("/p4/x.ckp.1.md5"),
                PathBuf::from("/p4/x.ckp.1.gz.md5")
            ]
        );
        assert_eq!(
            side_file_candidates(Path::new("x.ckp.1.gz")),
            vec![
                PathBuf::from("x.ckp.1.gz.md5"),
                PathBuf::from("x.ckp.1.md5")
            ]
        );
    }
}
