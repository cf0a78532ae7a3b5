//! Shell patterns (`*`, `?`, `[...]`) and pathname expansion against the
//! host's file system.

use std::path::{Path, PathBuf};

use p4ha_hostfs::{HostFs, resolve};

#[derive(Debug, Clone, PartialEq)]
enum Elem {
    Char(char),
    Any,
    Star,
    Class {
        negated: bool,
        items: Vec<ClassItem>,
    },
}

#[derive(Debug, Clone, PartialEq)]
enum ClassItem {
    Char(char),
    Range(char, char),
    Named(String),
}

/// A compiled pattern. In pattern text a backslash makes the next
/// character literal (the shell escapes quoted characters that way).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pattern(Vec<Elem>);

/// True when `s` has an unescaped `*`, `?`, or a `[` that starts a
/// complete bracket expression (a lone `[`, as in `[ -f x ]`, is literal).
pub(crate) fn has_magic(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '*' | '?' => return true,
            '[' if parse_class(&chars, i + 1).is_some() => return true,
            _ => i += 1,
        }
    }
    false
}

/// Removes pattern escapes.
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Escapes every pattern character of a literal string.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

impl Pattern {
    pub(crate) fn new(src: &str) -> Pattern {
        let chars: Vec<char> = src.chars().collect();
        let mut elems = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\\' if i + 1 < chars.len() => {
                    elems.push(Elem::Char(chars[i + 1]));
                    i += 2;
                }
                '*' => {
                    if elems.last() != Some(&Elem::Star) {
                        elems.push(Elem::Star);
                    }
                    i += 1;
                }
                '?' => {
                    elems.push(Elem::Any);
                    i += 1;
                }
                '[' => match parse_class(&chars, i + 1) {
                    Some((elem, next)) => {
                        elems.push(elem);
                        i = next;
                    }
                    None => {
                        elems.push(Elem::Char('['));
                        i += 1;
                    }
                },
                c => {
                    elems.push(Elem::Char(c));
                    i += 1;
                }
            }
        }
        Pattern(elems)
    }

    /// True when the whole of `text` matches.
    pub(crate) fn matches(&self, text: &str) -> bool {
        let t: Vec<char> = text.chars().collect();
        self.matches_chars(&t)
    }

    fn matches_chars(&self, t: &[char]) -> bool {
        let p = &self.0;
        let (mut pi, mut ti) = (0usize, 0usize);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            if pi < p.len() {
                match &p[pi] {
                    Elem::Star => {
                        star = Some((pi, ti));
                        pi += 1;
                        continue;
                    }
                    e if elem_matches(e, t[ti]) => {
                        pi += 1;
                        ti += 1;
                        continue;
                    }
                    _ => {}
                }
            }
            match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            }
        }
        while pi < p.len() && p[pi] == Elem::Star {
            pi += 1;
        }
        pi == p.len()
    }

    /// True when the pattern starts with a literal dot (only such patterns
    /// match hidden files).
    fn starts_with_dot(&self) -> bool {
        self.0.first() == Some(&Elem::Char('.'))
    }
}

fn elem_matches(e: &Elem, c: char) -> bool {
    match e {
        Elem::Char(x) => *x == c,
        Elem::Any => true,
        Elem::Star => true,
        Elem::Class { negated, items } => {
            let hit = items.iter().any(|item| match item {
                ClassItem::Char(x) => *x == c,
                ClassItem::Range(a, b) => *a <= c && c <= *b,
                ClassItem::Named(n) => class_matches(n, c),
            });
            hit != *negated
        }
    }
}

/// `[:alpha:]` and friends, in the C locale.
pub(crate) fn class_matches(name: &str, c: char) -> bool {
    match name {
        "alpha" => c.is_ascii_alphabetic(),
        "digit" => c.is_ascii_digit(),
        "alnum" => c.is_ascii_alphanumeric(),
        "upper" => c.is_ascii_uppercase(),
        "lower" => c.is_ascii_lowercase(),
        "space" => matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c'),
        "blank" => matches!(c, ' ' | '\t'),
        "punct" => c.is_ascii_punctuation(),
        "print" => (' '..='~').contains(&c),
        "graph" => ('!'..='~').contains(&c),
        "cntrl" => c.is_ascii_control(),
        "xdigit" => c.is_ascii_hexdigit(),
        _ => false,
    }
}

/// Parses a bracket expression starting after `[`; returns the element and
/// the index after `]`, or `None` when there is no closing bracket.
fn parse_class(chars: &[char], mut i: usize) -> Option<(Elem, usize)> {
    let mut negated = false;
    if i < chars.len() && (chars[i] == '!' || chars[i] == '^') {
        negated = true;
        i += 1;
    }
    let mut items = Vec::new();
    let mut first = true;
    loop {
        let c = *chars.get(i)?;
        if c == ']' && !first {
            return Some((Elem::Class { negated, items }, i + 1));
        }
        first = false;
        if c == '[' && chars.get(i + 1) == Some(&':') {
            let rest: String = chars[i + 2..].iter().collect();
            if let Some(end) = rest.find(":]") {
                items.push(ClassItem::Named(rest[..end].to_string()));
                i += 2 + rest[..end].chars().count() + 2;
                continue;
            }
        }
        let c = if c == '\\' && i + 1 < chars.len() {
            i += 1;
            chars[i]
        } else {
            c
        };
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|&n| n != ']') {
            let hi = chars[i + 2];
            items.push(ClassItem::Range(c, hi));
            i += 3;
        } else {
            items.push(ClassItem::Char(c));
            i += 1;
        }
    }
}

/// Removes the shortest or longest prefix or suffix of `value` that
/// matches `pattern` (`${x#p}`, `${x##p}`, `${x%p}`, `${x%%p}`).
pub(crate) fn trim(value: &str, pattern: &str, suffix: bool, longest: bool) -> String {
    let pat = Pattern::new(pattern);
    let chars: Vec<char> = value.chars().collect();
    let n = chars.len();
    let cuts: Vec<usize> = if longest {
        (0..=n).rev().collect()
    } else {
        (0..=n).collect()
    };
    for k in cuts {
        if suffix {
            if pat.matches_chars(&chars[n - k..]) {
                return chars[..n - k].iter().collect();
            }
        } else if pat.matches_chars(&chars[..k]) {
            return chars[k..].iter().collect();
        }
    }
    value.to_string()
}

/// Pathname expansion of one pattern, relative to `cwd` unless absolute.
/// Returns the matches in byte order; empty when nothing matches.
pub(crate) fn glob(fs: &HostFs, cwd: &Path, pattern: &str) -> Vec<String> {
    let absolute = pattern.starts_with('/');
    let comps: Vec<&str> = pattern.split('/').collect();
    let root = if absolute {
        "/".to_string()
    } else {
        String::new()
    };
    // (text shown, host path)
    let mut current: Vec<(String, PathBuf)> =
        vec![(root, resolve(cwd, if absolute { "/" } else { "." }))];
    let last = comps.len().saturating_sub(1);
    for (idx, comp) in comps.iter().enumerate() {
        let is_last = idx == last;
        if comp.is_empty() && !(is_last && idx > 0) {
            continue;
        }
        let mut next = Vec::new();
        for (shown, host) in &current {
            if comp.is_empty() {
                // A trailing slash: only directories.
                if is_dir(fs, host) {
                    next.push((format!("{shown}/"), host.clone()));
                }
                continue;
            }
            if !has_magic(comp) {
                let name = unescape(comp);
                next.push((join_shown(shown, &name), host.join(&name)));
                continue;
            }
            let pat = Pattern::new(comp);
            let Ok(mut names) = fs.read_dir(host) else {
                continue;
            };
            if pat.starts_with_dot() {
                names.insert(0, "..".to_string());
                names.insert(0, ".".to_string());
            }
            for name in names {
                if name.starts_with('.') && !pat.starts_with_dot() {
                    continue;
                }
                if !pat.matches(&name) {
                    continue;
                }
                let path = host.join(&name);
                if !is_last && !is_dir(fs, &path) {
                    continue;
                }
                next.push((join_shown(shown, &name), path));
            }
        }
        current = next;
        if current.is_empty() {
            return Vec::new();
        }
    }
    let mut out: Vec<String> = current
        .into_iter()
        .filter(|(_, host)| fs.exists(host))
        .map(|(text, _)| text)
        .collect();
    out.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    out.dedup();
    out
}

fn join_shown(shown: &str, name: &str) -> String {
    if shown.is_empty() {
        name.to_string()
    } else if shown.ends_with('/') {
        format!("{shown}{name}")
    } else {
        format!("{shown}/{name}")
    }
}

fn is_dir(fs: &HostFs, p: &Path) -> bool {
    crate::fsx::stat(fs, p).is_ok_and(|m| m.is_dir())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_like_sh() {
        assert!(Pattern::new("db.*").matches("db.rev"));
        assert!(!Pattern::new("db.*").matches("journal"));
        assert!(Pattern::new("*.ckp.[0-9]").matches("p4.ckp.7"));
        assert!(Pattern::new("[!a]?").matches("bc"));
        assert!(!Pattern::new("[!a]?").matches("ac"));
        assert!(Pattern::new("a\\*").matches("a*"));
        assert!(!Pattern::new("a\\*").matches("ab"));
        assert!(Pattern::new("[[:digit:]]*").matches("1x"));
        assert!(Pattern::new("[").matches("["));
        assert!(Pattern::new("*a*b").matches("xxaxxb"));
    }

    #[test]
    fn trims_prefixes_and_suffixes() {
        assert_eq!(trim("checkpoint.12.gz", "*.", false, true), "gz");
        assert_eq!(trim("checkpoint.12.gz", "*.", false, false), "12.gz");
        assert_eq!(trim("checkpoint.12.gz", ".*", true, false), "checkpoint.12");
        assert_eq!(trim("checkpoint.12.gz", ".*", true, true), "checkpoint");
    }
}
