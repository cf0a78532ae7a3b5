//! Perforce file types: the bit layout p4d keeps in `db.rev.type`,
//! `db.rev.lbrType` and `db.working.type`, the names p4 prints (`text`,
//! `binary+F`, `text+x`), and how each type is stored by the librarian.
//!
//! Bit layout (Perforce's schema documentation and Git Fusion's schema
//! constants): the low nibble is the storage method (0 RCS deltas, 1 full
//! file, 2 tiny, 3 gzip-compressed full file); bits 4-7 are storage
//! modifiers (`+ko` 0x10, `+k` 0x20, `+l` 0x40, `+S` 0x80); bits 16-19 the
//! client type (0x10000 binary, 0x20000 executable, 0x40000 symlink,
//! 0x80000 unicode); 0x100000 is `+w`, 0x200000 `+m`. So `text` is 0,
//! `binary` 0x10003 (65539), `binary+F` 0x10001, `text+C` 3 and `text+x`
//! 0x20000 (131072, as in a real checkpoint line).

use std::fmt;

/// How the librarian stores a file type's revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// All revisions in one RCS file `FILE,v` (reverse deltas).
    Rcs,
    /// One uncompressed file per revision: `FILE,d/1.N`.
    Full,
    /// One gzip file per revision: `FILE,d/1.N.gz`.
    Compressed,
    /// Kept in `tiny.db` (not simulated; stored as a full file).
    Tiny,
}

/// A file type as p4d encodes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileType(u32);

/// A file type word p4 does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid file type '{0}'; see 'p4 help filetypes'.")]
pub struct BadFileType(pub String);

const STORAGE_MASK: u32 = 0x000F;
const BINARY: u32 = 0x1_0000;
const EXEC: u32 = 0x2_0000;
const SYMLINK: u32 = 0x4_0000;
const UNICODE: u32 = 0x8_0000;
const CLIENT_MASK: u32 = 0x000D_0000;
const WRITABLE: u32 = 0x10_0000;
const MODTIME: u32 = 0x20_0000;
const KEYED_O: u32 = 0x10;
const KEYED: u32 = 0x20;
const EXCLUSIVE: u32 = 0x40;

const S_RCS: u32 = 0;
const S_FULL: u32 = 1;
const S_TINY: u32 = 2;
const S_GZ: u32 = 3;

impl FileType {
    /// `text`: RCS deltas.
    pub const TEXT: FileType = FileType(0);
    /// `binary`: compressed full files.
    pub const BINARY: FileType = FileType(BINARY | S_GZ);
    /// `binary+F` (`ubinary`): uncompressed full files.
    pub const UBINARY: FileType = FileType(BINARY | S_FULL);

    /// The type with this `db.rev.type` value.
    pub fn from_code(code: i64) -> FileType {
        FileType(u32::try_from(code).unwrap_or(0))
    }

    /// The value written in `db.rev.type`.
    pub fn code(self) -> i64 {
        i64::from(self.0)
    }

    /// How the librarian stores revisions of this type.
    pub fn storage(self) -> Storage {
        match self.0 & STORAGE_MASK {
            S_FULL => Storage::Full,
            S_GZ => Storage::Compressed,
            S_TINY => Storage::Tiny,
            _ => Storage::Rcs,
        }
    }

    /// True for types whose content is not line-oriented text.
    pub fn is_binary(self) -> bool {
        self.0 & CLIENT_MASK == BINARY
    }

    /// True for `+x` (the client file is made executable).
    pub fn is_executable(self) -> bool {
        self.0 & EXEC != 0
    }

    /// True for `+w` (the client file is always writable).
    pub fn is_always_writable(self) -> bool {
        self.0 & WRITABLE != 0
    }

    /// The base type word and whether its own default storage is in use.
    fn base(self) -> (&'static str, u32) {
        match self.0 & CLIENT_MASK {
            BINARY => ("binary", S_GZ),
            SYMLINK => ("symlink", S_RCS),
            UNICODE => ("unicode", S_RCS),
            _ => ("text", S_RCS),
        }
    }

    /// The name p4 prints: the base type and its modifiers (`text`,
    /// `binary+F`, `text+Cx`), in the order `p4 help filetypes` lists
    /// them (storage first, then the client modifiers).
    pub fn name(self) -> String {
        let (base, default_storage) = self.base();
        let mut mods = String::new();
        let storage = self.0 & STORAGE_MASK;
        if storage != default_storage {
            mods.push(match storage {
                S_FULL => 'F',
                S_GZ => 'C',
                S_TINY => 'T',
                _ => 'D',
            });
        }
        if self.0 & KEYED_O != 0 {
            mods.push_str("ko");
        } else if self.0 & KEYED != 0 {
            mods.push('k');
        }
        if self.0 & EXCLUSIVE != 0 {
            mods.push('l');
        }
        if self.0 & MODTIME != 0 {
            mods.push('m');
        }
        if self.0 & WRITABLE != 0 {
            mods.push('w');
        }
        if self.0 & EXEC != 0 {
            mods.push('x');
        }
        if mods.is_empty() {
            base.to_string()
        } else {
            format!("{base}+{mods}")
        }
    }

    /// Parses a type as `p4 add -t` takes it: a base type (`text`,
    /// `binary`, `symlink`, `unicode`), an old alias (`ubinary`, `ctext`,
    /// `xtext`, `ktext`, `xbinary`...), a base with `+modifiers`, or
    /// modifiers alone (`+x`) applied to `default`.
    pub fn parse(word: &str, default: FileType) -> Result<FileType, BadFileType> {
        let bad = || BadFileType(word.to_string());
        let (base, mods) = match word.split_once('+') {
            Some((b, m)) => (b, Some(m)),
            None => (word, None),
        };
        let mut bits = match base {
            "" if mods.is_some() => default.0,
            "text" => 0,
            "binary" => BINARY | S_GZ,
            "symlink" => SYMLINK,
            "unicode" => UNICODE,
            "ubinary" => BINARY | S_FULL,
            "ctext" => S_GZ,
            "ltext" => S_FULL,
            "xtext" => EXEC,
            "ktext" => KEYED,
            "kxtext" => KEYED | EXEC,
            "xbinary" => BINARY | S_GZ | EXEC,
            "cxtext" => S_GZ | EXEC,
            "tempobj" => BINARY | S_GZ | 0x80 | WRITABLE,
            _ => return Err(bad()),
        };
        if let Some(mods) = mods {
            if mods.is_empty() {
                return Err(bad());
            }
            let mut storage_set = false;
            let mut chars = mods.chars().peekable();
            while let Some(c) = chars.next() {
                let storage = match c {
                    'C' => Some(S_GZ),
                    'D' => Some(S_RCS),
                    'F' => Some(S_FULL),
                    _ => None,
                };
                if let Some(s) = storage {
                    if storage_set {
                        return Err(bad());
                    }
                    storage_set = true;
                    bits = (bits & !STORAGE_MASK) | s;
                    continue;
                }
                match c {
                    'x' => bits |= EXEC,
                    'w' => bits |= WRITABLE,
                    'm' => bits |= MODTIME,
                    'l' => bits |= EXCLUSIVE,
                    'k' => {
                        if chars.peek() == Some(&'o') {
                            chars.next();
                            bits = (bits & !KEYED) | KEYED_O;
                        } else {
                            bits = (bits & !KEYED_O) | KEYED;
                        }
                    }
                    _ => return Err(bad()),
                }
            }
        }
        Ok(FileType(bits))
    }

    /// The type p4 picks for a new file from its content: `binary` when
    /// the first 64 KiB (p4's `filesys.binaryscan` default) hold a NUL
    /// byte, `text` otherwise.
    pub fn detect(content: &[u8]) -> FileType {
        let scan = &content[..content.len().min(65_536)];
        if scan.contains(&0) {
            FileType::BINARY
        } else {
            FileType::TEXT
        }
    }
}

impl fmt::Display for FileType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_follow_p4d() {
        let cases: &[(&str, i64, &str)] = &[
            ("text", 0, "text"),
            ("binary", 65539, "binary"),
            ("ubinary", 65537, "binary+F"),
            ("binary+F", 65537, "binary+F"),
            ("text+C", 3, "text+C"),
            ("text+x", 131_072, "text+x"),
            ("binary+Fx", 65537 | 0x20000, "binary+Fx"),
            ("text+F", 1, "text+F"),
            ("ktext", 0x20, "text+k"),
        ];
        for (word, code, name) in cases {
            let t = FileType::parse(word, FileType::TEXT).unwrap();
            assert_eq!(t.code(), *code, "{word}");
            assert_eq!(t.name(), *name, "{word}");
            assert_eq!(FileType::from_code(*code), t);
        }
        assert_eq!(
            FileType::parse("+x", FileType::BINARY).unwrap().name(),
            "binary+x"
        );
        assert!(FileType::parse("texty", FileType::TEXT).is_err());
        assert!(FileType::parse("text+CF", FileType::TEXT).is_err());
        assert_eq!(
            FileType::parse("bogus", FileType::TEXT)
                .unwrap_err()
                .to_string(),
            "Invalid file type 'bogus'; see 'p4 help filetypes'."
        );
    }

    #[test]
    fn storage_follows_the_low_nibble() {
        assert_eq!(FileType::TEXT.storage(), Storage::Rcs);
        assert_eq!(FileType::BINARY.storage(), Storage::Compressed);
        assert_eq!(FileType::UBINARY.storage(), Storage::Full);
        assert!(FileType::BINARY.is_binary());
        assert!(!FileType::TEXT.is_binary());
    }

    #[test]
    fn detection_looks_for_nul_bytes() {
        assert_eq!(FileType::detect(b"hello\n"), FileType::TEXT);
        assert_eq!(FileType::detect(b"\x89PNG\0\0"), FileType::BINARY);
        assert_eq!(FileType::detect(b""), FileType::TEXT);
    }
}
