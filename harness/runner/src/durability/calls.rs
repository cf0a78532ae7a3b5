//! The `p4` and `p4d` invocations of a command line, with the server each
//! one addresses: enough of the shell's word rules to find `-p PORT`,
//! `-r ROOT`, a leading `P4PORT=...` assignment and the p4 command name.

/// One `p4` or `p4d` invocation found in a script.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// `p4` or `p4d`.
    pub program: String,
    /// `-p` (p4) or `P4PORT=` given on the command itself.
    pub port: Option<String>,
    /// `-r ROOT` (p4d).
    pub root: Option<String>,
    /// The p4 command (`submit`, `user`, `counter`...).
    pub command: Option<String>,
    /// The words after the p4 command.
    pub args: Vec<String>,
}

/// p4 global options that take a value.
const P4_VALUE_OPTIONS: &[char] = &[
    'b', 'c', 'C', 'd', 'E', 'H', 'L', 'p', 'P', 'Q', 'r', 'u', 'v', 'x', 'z',
];

/// Splits a script into simple commands, each a list of words (quotes
/// removed; no expansion).
fn commands(script: &str) -> Vec<Vec<String>> {
    let mut out: Vec<Vec<String>> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut chars = script.chars().peekable();
    let mut quote: Option<char> = None;
    let finish_word = |word: &mut String, in_word: &mut bool, words: &mut Vec<String>| {
        if *in_word {
            words.push(std::mem::take(word));
            *in_word = false;
        }
    };
    while let Some(c) = chars.next() {
        match quote {
            Some(q) if c == q => quote = None,
            Some('"') if c == '\\' => {
                if let Some(n) = chars.next() {
                    word.push(n);
                }
            }
            Some(_) => word.push(c),
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '\\' => {
                    match chars.next() {
                        Some('\n') | None => {}
                        Some(n) => word.push(n),
                    }
                    in_word = true;
                }
                '#' if !in_word => {
                    for n in chars.by_ref() {
                        if n == '\n' {
                            break;
                        }
                    }
                    finish_word(&mut word, &mut in_word, &mut words);
                    out.push(std::mem::take(&mut words));
                }
                ';' | '&' | '|' | '\n' | '(' | ')' => {
                    finish_word(&mut word, &mut in_word, &mut words);
                    out.push(std::mem::take(&mut words));
                }
                c if c.is_whitespace() => finish_word(&mut word, &mut in_word, &mut words),
                c => {
                    word.push(c);
                    in_word = true;
                }
            },
        }
    }
    finish_word(&mut word, &mut in_word, &mut words);
    out.push(words);
    out.retain(|w| !w.is_empty());
    out
}

/// The `p4` and `p4d` calls of a script, in order.
pub fn calls(script: &str) -> Vec<Call> {
    let mut found = Vec::new();
    for words in commands(script) {
        let mut port = None;
        let mut i = 0;
        // Leading assignments (`P4PORT=x p4 ...`), and `sudo -u perforce`.
        while i < words.len() {
            let w = &words[i];
            if let Some((name, value)) = w.split_once('=')
                && !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                if name == "P4PORT" {
                    port = Some(value.to_string());
                }
                i += 1;
            } else if w == "sudo" || w == "env" || w == "exec" || w == "time" {
                i += 1;
                while i < words.len() && words[i].starts_with('-') {
                    if words[i] == "-u" {
                        i += 1;
                    }
                    i += 1;
                }
            } else {
                break;
            }
        }
        let Some(program) = words.get(i) else {
            continue;
        };
        let name = program.rsplit('/').next().unwrap_or(program);
        let rest = &words[i + 1..];
        match name {
            "p4" => found.push(p4_call(rest, port)),
            "p4d" => found.push(p4d_call(rest, port)),
            _ => {}
        }
    }
    found
}

fn p4_call(words: &[String], mut port: Option<String>) -> Call {
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        let Some(opt) = w.strip_prefix('-') else {
            break;
        };
        let mut letters = opt.chars();
        let letter = letters.next();
        let attached = letters.as_str();
        if let Some(l) = letter
            && P4_VALUE_OPTIONS.contains(&l)
        {
            let value = if attached.is_empty() {
                i += 1;
                words.get(i).cloned()
            } else {
                Some(attached.to_string())
            };
            if l == 'p' {
                port = value;
            }
        }
        i += 1;
    }
    Call {
        program: "p4".to_string(),
        port,
        root: None,
        command: words.get(i).cloned(),
        args: words
            .get(i + 1..)
            .map(<[String]>::to_vec)
            .unwrap_or_default(),
    }
}

fn p4d_call(words: &[String], port: Option<String>) -> Call {
    let mut root = None;
    let mut i = 0;
    while i < words.len() {
        let w = &words[i];
        if w == "-r" {
            root = words.get(i + 1).cloned();
            i += 1;
        } else if let Some(r) = w.strip_prefix("-r")
            && !r.is_empty()
        {
            root = Some(r.to_string());
        }
        i += 1;
    }
    Call {
        program: "p4d".to_string(),
        port,
        root,
        command: None,
        args: words.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_ports_roots_and_commands() {
        let c = calls(
            "cd /ws && p4 -u super -p master:1666 -c ws submit -d 'a b'\np4 -pstandby:1666 info | grep x",
        );
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].port.as_deref(), Some("master:1666"));
        assert_eq!(c[0].command.as_deref(), Some("submit"));
        assert_eq!(c[0].args, ["-d", "a b"]);
        assert_eq!(c[1].port.as_deref(), Some("standby:1666"));
        assert_eq!(c[1].command.as_deref(), Some("info"));
        let c = calls("P4PORT=edge:1666 /opt/perforce/bin/p4 counter -f mine 7 # set it");
        assert_eq!(c[0].port.as_deref(), Some("edge:1666"));
        assert_eq!(c[0].args, ["-f", "mine", "7"]);
        let c = calls(r#"p4d -r /master "-cset master#P4TARGET=x:1666""#);
        assert_eq!(c[0].program, "p4d");
        assert_eq!(c[0].root.as_deref(), Some("/master"));
        assert!(calls("echo p4 -p x info; ls").is_empty());
    }
}
