//! Quoting: for the shell (round trips through the parser) and for
//! messages (as GNU coreutils quotes file names).

/// Quotes `s` so the shell reads it back as exactly one word with that
/// text. Plain words are left alone.
pub fn quote(s: &str) -> String {
    // `NAME=...` unquoted would be an assignment in a command's first word.
    let looks_like_assignment = s
        .split_once('=')
        .is_some_and(|(name, _)| crate::syntax::is_name(name));
    if !s.is_empty()
        && !looks_like_assignment
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c))
    {
        return s.to_string();
    }
    let mut out = String::from("'");
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

fn needs_no_quotes(s: &str) -> bool {
    !s.is_empty()
        && s.chars().all(|c| {
            c.is_alphanumeric() || "_%+,-./:=@^".contains(c) || (!c.is_ascii() && !c.is_control())
        })
}

/// GNU's `quote()`: always quoted, `'name'` (`"it's"` when the name holds
/// a single quote). Non-ASCII text is shown as is, as in a UTF-8 locale.
pub(crate) fn gnu(s: &str) -> String {
    if s.chars().any(|c| c.is_control()) {
        return with_escapes(s);
    }
    if s.contains('\'') {
        if !s.chars().any(|c| matches!(c, '"' | '$' | '`' | '\\' | '!')) {
            return format!("\"{s}\"");
        }
        return format!("'{}'", s.replace('\'', "'\\''"));
    }
    format!("'{s}'")
}

/// GNU's `quotef()`: quoted only when the name needs it.
pub(crate) fn gnu_if_needed(s: &str) -> String {
    if needs_no_quotes(s) {
        s.to_string()
    } else {
        gnu(s)
    }
}

fn with_escapes(s: &str) -> String {
    let mut out = String::new();
    let mut in_plain = false;
    for c in s.chars() {
        if c.is_control() {
            if in_plain {
                out.push('\'');
                in_plain = false;
            }
            let esc = match c {
                '\n' => "\\n".to_string(),
                '\t' => "\\t".to_string(),
                '\r' => "\\r".to_string(),
                c => format!("\\{:03o}", c as u32),
            };
            out.push_str(&format!("$'{esc}'"));
        } else {
            if !in_plain {
                out.push('\'');
                in_plain = true;
            }
            if c == '\'' {
                out.push_str("'\\''");
            } else {
                out.push(c);
            }
        }
    }
    if in_plain {
        out.push('\'');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gnu_quoting() {
        assert_eq!(gnu("x"), "'x'");
        assert_eq!(gnu("it's"), "\"it's\"");
        assert_eq!(gnu_if_needed("db.rev"), "db.rev");
        assert_eq!(gnu_if_needed("a b"), "'a b'");
        assert_eq!(gnu("a\nb"), "'a'$'\\n''b'");
    }

    #[test]
    fn shell_quoting() {
        assert_eq!(quote("/standby"), "/standby");
        assert_eq!(quote(""), "''");
        assert_eq!(quote("it's"), "'it'\\''s'");
        assert_eq!(quote("P4PORT=1666"), "'P4PORT=1666'");
        assert_eq!(quote("--opt=x"), "--opt=x");
    }
}
