//! The words of a record after its marker: quoted strings, integers, digests.

use std::borrow::Cow;
use std::fmt;

/// One word of a journal record after the operation marker.
///
/// The three kinds are kept apart because p4d writes them differently:
/// strings are `@`-quoted with `@` doubled inside, integers and digests are
/// bare. A decoded field remembers enough to be written back byte for byte.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Field {
    /// A quoted string, unescaped (`@a@@b@` holds `a@b`). May contain raw
    /// newlines and any byte; p4d does not promise UTF-8.
    Str(Vec<u8>),
    /// An unquoted decimal integer (dates, change numbers, flags, sizes).
    Int(Int),
    /// An unquoted hexadecimal digest (32 hex digits for MD5).
    Digest(Digest),
}

impl Field {
    /// A quoted string field.
    pub fn string(value: impl Into<Vec<u8>>) -> Field {
        Field::Str(value.into())
    }

    /// An integer field written in canonical form (`-1`, `0`, `538`).
    pub fn int(value: i64) -> Field {
        Field::Int(Int::new(value))
    }

    /// A digest field; `hex` must be hexadecimal digits (see [`Digest::new`]).
    pub fn digest(hex: &str) -> Result<Field, InvalidDigest> {
        Digest::new(hex).map(Field::Digest)
    }

    /// The bytes of a string field.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Field::Str(bytes) => Some(bytes),
            _ => None,
        }
    }

    /// The text of a string field when it is valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        self.as_bytes().and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The value of an integer field.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Field::Int(int) => Some(int.value()),
            _ => None,
        }
    }

    /// The digest of a digest field.
    pub fn as_digest(&self) -> Option<&Digest> {
        match self {
            Field::Digest(d) => Some(d),
            _ => None,
        }
    }

    /// A readable rendering: strings as (lossy) text, numbers and digests as written.
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            Field::Str(bytes) => String::from_utf8_lossy(bytes),
            Field::Int(int) => Cow::Owned(int.to_string()),
            Field::Digest(d) => Cow::Borrowed(d.as_str()),
        }
    }
}

impl From<Int> for Field {
    fn from(value: Int) -> Field {
        Field::Int(value)
    }
}

impl From<Digest> for Field {
    fn from(value: Digest) -> Field {
        Field::Digest(value)
    }
}

/// An unquoted integer as it was written.
///
/// p4d writes canonical decimal; a file edited by hand may carry `007` or
/// `-0`. The literal is kept only when it differs from the canonical form,
/// so that re-encoding reproduces the input exactly. Two `Int`s are equal
/// when value and spelling are equal.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Int {
    value: i64,
    literal: Option<Box<str>>,
}

impl Int {
    /// An integer written in canonical decimal.
    pub fn new(value: i64) -> Int {
        Int {
            value,
            literal: None,
        }
    }

    /// Parses a decimal literal (`-?[0-9]+`, fitting in `i64`) keeping its spelling.
    pub fn parse(text: &str) -> Option<Int> {
        let digits = text.strip_prefix('-').unwrap_or(text);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let value: i64 = text.parse().ok()?;
        Some(Int::from_parts(value, text.as_bytes()))
    }

    /// Builds an `Int` from an already validated literal and its value.
    pub(crate) fn from_parts(value: i64, literal: &[u8]) -> Int {
        if is_canonical(value, literal) {
            Int::new(value)
        } else {
            // The scanner only hands over ASCII digits with an optional '-'.
            let text = String::from_utf8_lossy(literal).into_owned();
            Int {
                value,
                literal: Some(text.into_boxed_str()),
            }
        }
    }

    /// The numeric value.
    pub fn value(&self) -> i64 {
        self.value
    }

    /// True when the integer is spelled the way p4d writes it.
    pub fn is_canonical(&self) -> bool {
        self.literal.is_none()
    }

    pub(crate) fn write_into(&self, out: &mut Vec<u8>) {
        match &self.literal {
            Some(text) => out.extend_from_slice(text.as_bytes()),
            None => {
                let mut buf = itoa_buf();
                out.extend_from_slice(format_i64(self.value, &mut buf));
            }
        }
    }
}

impl fmt::Display for Int {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.literal {
            Some(text) => f.write_str(text),
            None => write!(f, "{}", self.value),
        }
    }
}

/// Whether a validated literal (`-?[0-9]+` whose value is `value`) is
/// spelled canonically: no leading zero, no `-0`.
fn is_canonical(value: i64, literal: &[u8]) -> bool {
    let (negative, digits) = match literal.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, literal),
    };
    let leading_zero = digits.len() > 1 && digits[0] == b'0';
    let minus_zero = negative && value == 0;
    !(leading_zero || minus_zero)
}

fn itoa_buf() -> [u8; 20] {
    [0u8; 20]
}

/// Formats `value` in decimal without allocating.
fn format_i64(value: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = value.unsigned_abs();
    let mut pos = buf.len();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if value < 0 {
        pos -= 1;
        buf[pos] = b'-';
    }
    &buf[pos..]
}

/// An unquoted hexadecimal digest as written (p4d writes MD5 digests as
/// 32 upper-case hex digits; the case is kept as found).
///
/// Any unquoted word of at least 32 hex digits is read as a digest, so
/// that the all-zero digest `00000000000000000000000000000000` (not yet
/// computed) and longer hashes (SHA-1, SHA-256 columns of graph depots)
/// are accepted.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest(Box<str>);

/// The text given to [`Digest::new`] is not at least 32 hex digits.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid digest '{0}': expected at least 32 hexadecimal digits")]
pub struct InvalidDigest(pub String);

impl Digest {
    /// Shortest digest the reader recognises (MD5).
    pub const MIN_LEN: usize = 32;

    /// A digest from hex text (at least 32 hex digits, case kept).
    pub fn new(hex: &str) -> Result<Digest, InvalidDigest> {
        if hex.len() >= Self::MIN_LEN && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Digest(hex.into()))
        } else {
            Err(InvalidDigest(hex.to_string()))
        }
    }

    /// The all-zero MD5 digest p4d uses for "not computed yet".
    pub fn zero() -> Digest {
        Digest("0".repeat(32).into_boxed_str())
    }

    /// The upper-case hex rendering of a 16-byte MD5 value, as p4d writes it.
    pub fn from_md5(bytes: [u8; 16]) -> Digest {
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut text = String::with_capacity(32);
        for b in bytes {
            text.push(HEX[(b >> 4) as usize] as char);
            text.push(HEX[(b & 0xf) as usize] as char);
        }
        Digest(text.into_boxed_str())
    }

    /// Builds a digest from bytes the scanner has already validated as hex.
    pub(crate) fn from_validated(hex: &[u8]) -> Digest {
        Digest(String::from_utf8_lossy(hex).into_owned().into_boxed_str())
    }

    /// The hex text as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Compares two digests ignoring the case of the hex letters.
    pub fn matches(&self, other: &Digest) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_keeps_non_canonical_spelling() {
        let odd = Int::parse("007").unwrap();
        assert_eq!(odd.value(), 7);
        assert!(!odd.is_canonical());
        assert_eq!(odd.to_string(), "007");
        assert_eq!(Int::parse("-1").unwrap(), Int::new(-1));
        assert_eq!(Int::parse("-0").unwrap().to_string(), "-0");
        assert!(Int::parse("1x").is_none());
        assert!(Int::parse("").is_none());
        assert!(Int::parse("99999999999999999999").is_none());
    }

    #[test]
    fn int_formats_extremes() {
        let mut out = Vec::new();
        Int::new(i64::MIN).write_into(&mut out);
        assert_eq!(out, i64::MIN.to_string().as_bytes());
    }

    #[test]
    fn digest_rules() {
        assert!(Digest::new("47D355EA47D55FAEC8C92A2ABDA980BC").is_ok());
        assert!(Digest::new("47D355EA").is_err());
        assert!(Digest::new("47D355EA47D55FAEC8C92A2ABDA980BG").is_err());
        assert_eq!(
            Digest::from_md5([0xab; 16]).as_str(),
            "ABABABABABABABABABABABABABABABAB"
        );
        assert!(
            Digest::new("abababababababababababababababab")
                .unwrap()
                .matches(&Digest::from_md5([0xab; 16]))
        );
    }
}
