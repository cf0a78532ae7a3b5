//! Perforce view mappings: ordered lines `left right` with the wildcards
//! `...` (anything, across `/`), `*` (anything within one path component)
//! and `%%1`..`%%9` (positional, within one component), each line an
//! inclusion, an exclusion (`-`) or an overlay (`+`).
//!
//! Later lines win. A path maps through the last line whose side matches
//! it; an exclusion there leaves it unmapped. A path's image is also lost
//! when a later non-overlay line claims that image for something else
//! (two depot files cannot share a workspace file unless the later line is
//! an overlay). Client views are `depot -> client` tables; the same code
//! serves branch-like and server views.

use std::fmt;

/// How a mapping line acts (`db.view.mapFlag`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapFlag {
    /// A plain line (code 0).
    Include,
    /// `-`: removes paths (code 1).
    Exclude,
    /// `+`: adds paths without hiding earlier lines (code 2).
    Overlay,
}

impl MapFlag {
    /// The flag stored as `db.view.mapFlag`; other codes (havemaps,
    /// change maps, ditto) are read as plain lines.
    pub fn from_code(code: i64) -> MapFlag {
        match code {
            1 => MapFlag::Exclude,
            2 => MapFlag::Overlay,
            _ => MapFlag::Include,
        }
    }

    /// The `db.view.mapFlag` code.
    pub fn code(self) -> i64 {
        match self {
            MapFlag::Include => 0,
            MapFlag::Exclude => 1,
            MapFlag::Overlay => 2,
        }
    }

    /// The prefix a view line is written with (`-`, `+` or nothing).
    pub fn prefix(self) -> &'static str {
        match self {
            MapFlag::Include => "",
            MapFlag::Exclude => "-",
            MapFlag::Overlay => "+",
        }
    }
}

/// A view line that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MapError {
    /// Not two paths.
    #[error("Wrong number of words for field 'View'.")]
    WordCount,
    /// An unterminated quote.
    #[error("Missing closing quote in view line '{0}'.")]
    Quote(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Lit(String),
    Dots,
    Star,
    Pos(u8),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wild {
    Dots,
    Star,
    Pos(u8),
}

/// A compiled path pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    text: String,
    parts: Vec<Part>,
}

impl Pattern {
    /// Compiles a pattern (`//depot/.../*.c`).
    pub fn new(text: &str) -> Pattern {
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        while !rest.is_empty() {
            let (part, len) = if rest.starts_with("...") {
                (Some(Part::Dots), 3)
            } else if rest.starts_with('*') {
                (Some(Part::Star), 1)
            } else if let Some(d) = rest
                .strip_prefix("%%")
                .and_then(|r| r.bytes().next())
                .filter(u8::is_ascii_digit)
            {
                (Some(Part::Pos(d - b'0')), 3)
            } else {
                (None, rest.chars().next().map(char::len_utf8).unwrap_or(1))
            };
            match part {
                Some(p) => {
                    if !lit.is_empty() {
                        parts.push(Part::Lit(std::mem::take(&mut lit)));
                    }
                    parts.push(p);
                }
                None => lit.push_str(&rest[..len]),
            }
            rest = &rest[len..];
        }
        if !lit.is_empty() {
            parts.push(Part::Lit(lit));
        }
        Pattern {
            text: text.to_string(),
            parts,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the pattern has wildcards.
    pub fn is_wild(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, Part::Lit(_)))
    }

    /// True when `path` matches.
    pub fn matches(&self, path: &str, fold_case: bool) -> bool {
        self.captures(path, fold_case).is_some()
    }

    fn captures<'p>(&self, path: &'p str, fold_case: bool) -> Option<Vec<(Wild, &'p str)>> {
        let mut caps = Vec::new();
        if match_parts(&self.parts, path, 0, fold_case, &mut caps) {
            Some(caps)
        } else {
            None
        }
    }

    /// Fills this pattern's wildcards from captures of another pattern:
    /// the n-th `...` takes the n-th `...` captured, likewise `*`, and
    /// `%%n` takes `%%n`.
    fn substitute(&self, caps: &[(Wild, &str)]) -> Option<String> {
        let mut out = String::new();
        let (mut dots, mut stars) = (0, 0);
        let nth = |kind: Wild, n: usize| {
            caps.iter()
                .filter(|(w, _)| *w == kind)
                .nth(n)
                .map(|(_, s)| *s)
        };
        for p in &self.parts {
            match p {
                Part::Lit(s) => out.push_str(s),
                Part::Dots => {
                    out.push_str(nth(Wild::Dots, dots)?);
                    dots += 1;
                }
                Part::Star => {
                    out.push_str(nth(Wild::Star, stars)?);
                    stars += 1;
                }
                Part::Pos(n) => out.push_str(nth(Wild::Pos(*n), 0)?),
            }
        }
        Some(out)
    }
}

fn lit_eq(a: &str, b: &str, fold_case: bool) -> bool {
    if fold_case {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

fn match_parts<'p>(
    parts: &[Part],
    s: &'p str,
    at: usize,
    fold: bool,
    caps: &mut Vec<(Wild, &'p str)>,
) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return at == s.len();
    };
    let tail = &s[at..];
    match first {
        Part::Lit(l) => {
            if tail.len() >= l.len()
                && tail.is_char_boundary(l.len())
                && lit_eq(&tail[..l.len()], l, fold)
            {
                match_parts(rest, s, at + l.len(), fold, caps)
            } else {
                false
            }
        }
        wild => {
            let (kind, slash_ok) = match wild {
                Part::Dots => (Wild::Dots, true),
                Part::Star => (Wild::Star, false),
                Part::Pos(n) => (Wild::Pos(*n), false),
                Part::Lit(_) => return false,
            };
            // The longest span this wildcard may take.
            let limit = if slash_ok {
                tail.len()
            } else {
                tail.find('/').unwrap_or(tail.len())
            };
            for len in (0..=limit).rev() {
                if !tail.is_char_boundary(len) {
                    continue;
                }
                caps.push((kind, &tail[..len]));
                if match_parts(rest, s, at + len, fold, caps) {
                    return true;
                }
                caps.pop();
            }
            false
        }
    }
}

/// One mapping line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapEntry {
    /// Inclusion, exclusion or overlay.
    pub flag: MapFlag,
    left: Pattern,
    right: Pattern,
}

impl MapEntry {
    /// A line from its parts.
    pub fn new(flag: MapFlag, left: &str, right: &str) -> MapEntry {
        MapEntry {
            flag,
            left: Pattern::new(left),
            right: Pattern::new(right),
        }
    }

    /// Parses a view line as a spec form holds it: `[-|+]left right`,
    /// either path in double quotes when it holds spaces.
    pub fn parse(line: &str) -> Result<MapEntry, MapError> {
        let mut words = Vec::new();
        let mut chars = line.trim().chars().peekable();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() {
                chars.next();
                continue;
            }
            let mut w = String::new();
            let mut quoted = false;
            while let Some(&c) = chars.peek() {
                if c == '"' {
                    quoted = !quoted;
                    chars.next();
                    continue;
                }
                if c.is_whitespace() && !quoted {
                    break;
                }
                w.push(c);
                chars.next();
            }
            if quoted {
                return Err(MapError::Quote(line.to_string()));
            }
            words.push(w);
        }
        let [left, right] = words.as_slice() else {
            return Err(MapError::WordCount);
        };
        let (flag, left) = match left.as_bytes().first() {
            Some(b'-') => (MapFlag::Exclude, &left[1..]),
            Some(b'+') => (MapFlag::Overlay, &left[1..]),
            _ => (MapFlag::Include, left.as_str()),
        };
        Ok(MapEntry::new(flag, left, right))
    }

    /// The left side.
    pub fn left(&self) -> &str {
        self.left.as_str()
    }

    /// The right side.
    pub fn right(&self) -> &str {
        self.right.as_str()
    }
}

impl fmt::Display for MapEntry {
    /// The line as a spec form prints it (quoted when a side has spaces).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let left = format!("{}{}", self.flag.prefix(), self.left.as_str());
        let q = |s: &str| {
            if s.contains(' ') {
                format!("\"{s}\"")
            } else {
                s.to_string()
            }
        };
        write!(f, "{} {}", q(&left), q(self.right.as_str()))
    }
}

/// An ordered mapping table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MapTable {
    entries: Vec<MapEntry>,
    fold_case: bool,
}

impl MapTable {
    /// An empty table; `fold_case` on a case-insensitive (`-C1`) server.
    pub fn new(fold_case: bool) -> MapTable {
        MapTable {
            entries: Vec::new(),
            fold_case,
        }
    }

    /// Appends a line.
    pub fn push(&mut self, entry: MapEntry) {
        self.entries.push(entry);
    }

    /// Appends a line from its parts.
    pub fn add(&mut self, flag: MapFlag, left: &str, right: &str) {
        self.push(MapEntry::new(flag, left, right));
    }

    /// The lines, in order.
    pub fn entries(&self) -> &[MapEntry] {
        &self.entries
    }

    /// True when the table has no lines.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Maps a left-side path (a depot file, for a client view) to the right.
    pub fn translate(&self, path: &str) -> Option<String> {
        for (i, e) in self.entries.iter().enumerate().rev() {
            let Some(caps) = e.left.captures(path, self.fold_case) else {
                continue;
            };
            if e.flag == MapFlag::Exclude {
                return None;
            }
            let out = e.right.substitute(&caps)?;
            let claimed = self.entries[i + 1..].iter().any(|later| {
                later.flag != MapFlag::Overlay && later.right.matches(&out, self.fold_case)
            });
            return if claimed { None } else { Some(out) };
        }
        None
    }

    /// Maps a right-side path (a client file) back to the left.
    pub fn translate_back(&self, path: &str) -> Option<String> {
        for e in self.entries.iter().rev() {
            let Some(caps) = e.right.captures(path, self.fold_case) else {
                continue;
            };
            if e.flag == MapFlag::Exclude {
                return None;
            }
            let Some(left) = e.left.substitute(&caps) else {
                continue;
            };
            if self
                .translate(&left)
                .is_some_and(|back| lit_eq(&back, path, self.fold_case))
            {
                return Some(left);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(lines: &[&str]) -> MapTable {
        let mut t = MapTable::new(false);
        for l in lines {
            t.push(MapEntry::parse(l).unwrap());
        }
        t
    }

    #[test]
    fn patterns_match_like_p4() {
        let p = Pattern::new("//depot/.../*.c");
        assert!(p.matches("//depot/a/b/x.c", false));
        assert!(!p.matches("//depot/x.c", false));
        assert!(!p.matches("//depot/a/b/x.h", false));
        assert!(Pattern::new("//depot/*").matches("//depot/a", false));
        assert!(!Pattern::new("//depot/*").matches("//depot/a/b", false));
        assert!(Pattern::new("//depot/...").matches("//depot/a/b", false));
        assert!(Pattern::new("//Depot/A").matches("//depot/a", true));
        assert!(!Pattern::new("//Depot/A").matches("//depot/a", false));
    }

    #[test]
    fn views_translate_both_ways() {
        let v = view(&[
            "//depot/... //ws/...",
            "-//depot/secret/... //ws/secret/...",
            "//depot/x/%%1.c //ws/c/%%1.txt",
        ]);
        assert_eq!(
            v.translate("//depot/a/b.txt").as_deref(),
            Some("//ws/a/b.txt")
        );
        assert_eq!(v.translate("//depot/secret/k"), None);
        assert_eq!(v.translate_back("//ws/secret/k"), None);
        assert_eq!(
            v.translate("//depot/x/m.c").as_deref(),
            Some("//ws/c/m.txt")
        );
        assert_eq!(
            v.translate_back("//ws/c/m.txt").as_deref(),
            Some("//depot/x/m.c")
        );
        assert_eq!(
            v.translate_back("//ws/a/b.txt").as_deref(),
            Some("//depot/a/b.txt")
        );
        assert_eq!(v.translate("//other/a"), None);
    }

    #[test]
    fn later_lines_hide_earlier_ones_unless_overlaid() {
        let v = view(&["//depot/a/... //ws/a/...", "//depot/b/x //ws/a/x"]);
        assert_eq!(v.translate("//depot/a/x"), None);
        assert_eq!(v.translate_back("//ws/a/x").as_deref(), Some("//depot/b/x"));
        let v = view(&["//depot/a/... //ws/...", "+//depot/b/... //ws/..."]);
        assert_eq!(v.translate("//depot/a/f").as_deref(), Some("//ws/f"));
        assert_eq!(v.translate_back("//ws/f").as_deref(), Some("//depot/b/f"));
        let v = view(&["//depot/a/... //ws/a/...", "//depot/a/x //ws/b/x"]);
        assert_eq!(v.translate_back("//ws/a/x"), None);
        assert_eq!(v.translate("//depot/a/x").as_deref(), Some("//ws/b/x"));
    }

    #[test]
    fn view_lines_parse_and_print() {
        let e = MapEntry::parse("\"-//depot/a b/...\" \"//ws/a b/...\"").unwrap();
        assert_eq!(e.flag, MapFlag::Exclude);
        assert_eq!(e.left(), "//depot/a b/...");
        assert_eq!(e.to_string(), "\"-//depot/a b/...\" \"//ws/a b/...\"");
        assert_eq!(
            MapEntry::parse("//depot/...").unwrap_err(),
            MapError::WordCount
        );
        assert!(matches!(
            MapEntry::parse("\"//depot/... //ws/..."),
            Err(MapError::Quote(_))
        ));
        assert_eq!(MapFlag::from_code(2), MapFlag::Overlay);
    }
}
