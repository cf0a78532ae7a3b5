//! POSIX basic and extended regular expressions (with GNU's extensions),
//! translated to the `regex` crate's syntax and matched on bytes in the C
//! locale.

use regex::bytes::{Regex, RegexBuilder};

/// Why a pattern was refused, worded as GNU grep and sed word it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RegexError(pub String);

/// Compiles a POSIX pattern (`extended`: ERE, otherwise BRE).
pub(crate) fn compile(pattern: &str, extended: bool, icase: bool) -> Result<Regex, RegexError> {
    let translated = translate(pattern, extended)?;
    build(&translated, icase)
}

/// Compiles an already translated pattern.
pub(crate) fn build(translated: &str, icase: bool) -> Result<Regex, RegexError> {
    RegexBuilder::new(translated)
        .unicode(false)
        .case_insensitive(icase)
        .multi_line(false)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => RegexError("regular expression too big".into()),
            _ => RegexError("Invalid regular expression".into()),
        })
}

fn push_literal(out: &mut String, c: char) {
    if c.is_ascii() && regex_syntax_meta(c) {
        out.push('\\');
    }
    out.push(c);
}

fn regex_syntax_meta(c: char) -> bool {
    matches!(
        c,
        '\\' | '.'
            | '+'
            | '*'
            | '?'
            | '('
            | ')'
            | '|'
            | '['
            | ']'
            | '{'
            | '}'
            | '^'
            | '$'
            | '#'
            | '&'
            | '-'
            | '~'
            | ' '
    )
}

/// Translates POSIX syntax to the `regex` crate's.
pub(crate) fn translate(p: &str, ere: bool) -> Result<String, RegexError> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    let mut depth = 0usize;
    let mut groups_opened = 0usize;
    // True where `*` would be literal and `^` an anchor (start of an
    // expression or of a group or alternative).
    let mut at_start = true;
    while i < chars.len() {
        let c = chars[i];
        let was_start = at_start;
        at_start = false;
        match c {
            '\\' => {
                let Some(&n) = chars.get(i + 1) else {
                    return Err(RegexError("Trailing backslash".into()));
                };
                i += 2;
                match n {
                    '(' if !ere => {
                        out.push('(');
                        depth += 1;
                        groups_opened += 1;
                        at_start = true;
                    }
                    ')' if !ere => {
                        if depth == 0 {
                            return Err(RegexError("Unmatched ) or \\)".into()));
                        }
                        depth -= 1;
                        out.push(')');
                    }
                    '|' if !ere => {
                        out.push('|');
                        at_start = true;
                    }
                    '{' if !ere => {
                        let (text, next) = interval(&chars, i, false)?;
                        out.push_str(&text);
                        i = next;
                    }
                    '+' | '?' if !ere => out.push(n),
                    '1'..='9' => {
                        if groups_opened == 0 {
                            return Err(RegexError("Invalid back reference".into()));
                        }
                        return Err(RegexError("back-references are not supported here".into()));
                    }
                    '<' => out.push_str("\\<"),
                    '>' => out.push_str("\\>"),
                    'b' | 'B' | 'w' | 'W' | 's' | 'S' => {
                        out.push('\\');
                        out.push(n);
                    }
                    '`' => out.push_str("\\A"),
                    '\'' => out.push_str("\\z"),
                    'n' => out.push_str("\\n"),
                    't' => out.push_str("\\t"),
                    other => push_literal(&mut out, other),
                }
                continue;
            }
            '[' => {
                if i + 1 == chars.len() {
                    return Err(RegexError("Invalid regular expression".into()));
                }
                let (class, next) = bracket(&chars, i + 1)?;
                out.push_str(&class);
                i = next;
                continue;
            }
            '*' => {
                if was_start {
                    out.push_str("\\*");
                } else {
                    out.push('*');
                }
            }
            '^' => {
                if ere || was_start {
                    out.push('^');
                    at_start = true;
                } else {
                    out.push_str("\\^");
                }
            }
            '$' => {
                let at_end = ere
                    || i + 1 == chars.len()
                    || (chars.get(i + 1) == Some(&'\\')
                        && matches!(chars.get(i + 2), Some(')') | Some('|')));
                if at_end {
                    out.push('$');
                } else {
                    out.push_str("\\$");
                }
            }
            '.' => out.push('.'),
            '(' if ere => {
                depth += 1;
                groups_opened += 1;
                out.push('(');
                at_start = true;
            }
            // An unmatched `)` is an ordinary character in GNU's EREs.
            ')' if ere && depth == 0 => out.push_str("\\)"),
            ')' if ere => {
                depth -= 1;
                out.push(')');
            }
            '|' if ere => {
                out.push('|');
                at_start = true;
            }
            '+' | '?' if ere => {
                if was_start {
                    push_literal(&mut out, c);
                } else {
                    out.push(c);
                }
            }
            '{' if ere => match interval(&chars, i + 1, true) {
                Ok((text, next)) if !was_start => {
                    out.push_str(&text);
                    i = next;
                    continue;
                }
                // GNU takes a `{` that starts no valid interval literally.
                _ => out.push_str("\\{"),
            },
            other => push_literal(&mut out, other),
        }
        i += 1;
    }
    if depth > 0 {
        return Err(RegexError("Unmatched ( or \\(".into()));
    }
    Ok(out)
}

/// After `{` (ERE) or `\{` (BRE): `{m}`, `{m,}`, `{m,n}`.
fn interval(chars: &[char], mut i: usize, ere: bool) -> Result<(String, usize), RegexError> {
    let mut body = String::new();
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(RegexError("Unmatched \\{".into()));
        };
        if ere && c == '}' {
            i += 1;
            break;
        }
        if !ere && c == '\\' && chars.get(i + 1) == Some(&'}') {
            i += 2;
            break;
        }
        if !(c.is_ascii_digit() || c == ',') {
            return Err(RegexError("Invalid content of \\{\\}".into()));
        }
        body.push(c);
        i += 1;
    }
    let valid = {
        let (a, b) = match body.split_once(',') {
            Some((a, b)) => (a, Some(b)),
            None => (body.as_str(), None),
        };
        let a_ok = a.is_empty() || a.parse::<u32>().is_ok();
        let b_ok = b.is_none_or(|b| b.is_empty() || b.parse::<u32>().is_ok());
        let order_ok = match (a.parse::<u32>(), b.and_then(|b| b.parse::<u32>().ok())) {
            (Ok(x), Some(y)) => x <= y,
            _ => true,
        };
        !body.is_empty() && a_ok && b_ok && order_ok
    };
    if !valid {
        return Err(RegexError("Invalid content of \\{\\}".into()));
    }
    let body = if body.starts_with(',') {
        format!("0{body}")
    } else {
        body
    };
    Ok((format!("{{{body}}}"), i))
}

/// After `[`: a bracket expression, rewritten for the `regex` crate.
fn bracket(chars: &[char], mut i: usize) -> Result<(String, usize), RegexError> {
    let unmatched = || RegexError("Unmatched [, [^, [:, [., or [=".into());
    let mut out = String::from("[");
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    let mut first = true;
    loop {
        let Some(&c) = chars.get(i) else {
            return Err(unmatched());
        };
        if c == ']' && !first {
            out.push(']');
            return Ok((out, i + 1));
        }
        first = false;
        if c == '[' && matches!(chars.get(i + 1), Some(':') | Some('=') | Some('.')) {
            let kind = chars[i + 1];
            let rest: String = chars[i + 2..].iter().collect();
            let close = format!("{kind}]");
            let Some(end) = rest.find(&close) else {
                return Err(unmatched());
            };
            let name = &rest[..end];
            match kind {
                ':' => {
                    const CLASSES: &[&str] = &[
                        "alpha", "digit", "alnum", "upper", "lower", "space", "blank", "punct",
                        "print", "graph", "cntrl", "xdigit",
                    ];
                    if !CLASSES.contains(&name) {
                        return Err(RegexError("Invalid character class name".into()));
                    }
                    out.push_str(&format!("[:{name}:]"));
                }
                _ => {
                    for ch in name.chars() {
                        push_class_char(&mut out, ch);
                    }
                }
            }
            i += 2 + name.chars().count() + 2;
            continue;
        }
        if chars.get(i + 1) == Some(&'-') && chars.get(i + 2).is_some_and(|n| *n != ']') {
            let hi = chars[i + 2];
            if hi < c {
                return Err(RegexError("Invalid range end".into()));
            }
            push_class_char(&mut out, c);
            out.push('-');
            push_class_char(&mut out, hi);
            i += 3;
            continue;
        }
        push_class_char(&mut out, c);
        i += 1;
    }
}

fn push_class_char(out: &mut String, c: char) {
    if matches!(c, '\\' | '[' | ']' | '^' | '-' | '&' | '~') {
        out.push('\\');
    }
    out.push(c);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(p: &str, ere: bool, text: &str) -> bool {
        compile(p, ere, false).unwrap().is_match(text.as_bytes())
    }

    #[test]
    fn basic_expressions() {
        assert!(m("^@nx@", false, "@nx@ 0 1"));
        assert!(!m("^@nx@", false, "@pv@ @nx@"));
        assert!(m("a\\(b\\)*c", false, "abbc"));
        assert!(m("a+b", false, "a+b"));
        assert!(!m("a+b", false, "aab"));
        assert!(m("a\\+b", false, "aab"));
        assert!(m("*x", false, "*x"));
        assert!(m("x\\{2\\}", false, "xx"));
        assert!(m("[]a]", false, "]"));
        assert!(m("[[:digit:]]\\{3\\}", false, "a123"));
        assert!(m("a|b", false, "a|b"));
        assert!(m("[\\]", false, "\\"));
    }

    #[test]
    fn extended_expressions() {
        assert!(m("a|b", true, "b"));
        assert!(m("(ab)+", true, "abab"));
        assert!(m("x{2,}", true, "xxx"));
        assert!(m("a{", true, "a{"));
    }

    #[test]
    fn errors() {
        assert!(compile("a\\(", false, false).is_err());
        assert!(compile("[abc", false, false).is_err());
        assert!(compile("(a", true, false).is_err());
    }
}
