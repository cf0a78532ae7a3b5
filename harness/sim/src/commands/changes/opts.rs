//! Command-line flags as p4d's option parser reads them: flags come
//! before the file arguments, may be combined (`-qu`), and take their
//! value attached (`-c5`, `-ddesc`) or as the next word.

use std::collections::BTreeMap;

use crate::commands::CmdError;

/// Parsed flags and the remaining arguments.
#[derive(Debug, Default)]
pub(crate) struct Opts {
    flags: BTreeMap<char, Vec<String>>,
    /// Arguments after the flags.
    pub args: Vec<String>,
}

impl Opts {
    /// True when the flag was given.
    pub fn has(&self, f: char) -> bool {
        self.flags.contains_key(&f)
    }

    /// The flag's last value.
    pub fn value(&self, f: char) -> Option<&str> {
        self.flags
            .get(&f)
            .and_then(|v| v.last())
            .map(String::as_str)
    }

    /// Every value the flag was given (`-T a -T b`).
    pub fn values(&self, f: char) -> &[String] {
        self.flags.get(&f).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The flag's value as a number, or p4's complaint.
    pub fn number(&self, f: char, usage: &str) -> Result<Option<i64>, CmdError> {
        match self.value(f) {
            None => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| CmdError::usage(usage)),
        }
    }
}

/// `Usage: ...` then `Invalid option: -x.`, as p4 prints an unknown flag.
pub(crate) fn bad_flag(usage: &str, flag: char) -> CmdError {
    CmdError::failed(format!("Usage: {usage}\nInvalid option: -{flag}."))
}

/// Parses `args` against `spec`: each letter is a flag, a letter followed
/// by `:` takes a value.
pub(crate) fn parse(args: &[String], spec: &str, usage: &str) -> Result<Opts, CmdError> {
    let takes_value = |c: char| {
        spec.find(c)
            .map(|i| spec[i + c.len_utf8()..].starts_with(':'))
    };
    let mut out = Opts::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        if a == "--" {
            i += 1;
            break;
        }
        if !a.starts_with('-') || a.len() < 2 || a.starts_with("--") {
            break;
        }
        let body: Vec<char> = a[1..].chars().collect();
        let mut j = 0;
        while j < body.len() {
            let c = body[j];
            match takes_value(c) {
                None => return Err(bad_flag(usage, c)),
                Some(false) => {
                    out.flags.entry(c).or_default().push(String::new());
                    j += 1;
                }
                Some(true) => {
                    let attached: String = body[j + 1..].iter().collect();
                    let value = if !attached.is_empty() {
                        attached
                    } else {
                        i += 1;
                        match args.get(i) {
                            Some(v) => v.clone(),
                            None => return Err(CmdError::usage(usage)),
                        }
                    };
                    out.flags.entry(c).or_default().push(value);
                    j = body.len();
                }
            }
        }
        i += 1;
    }
    out.args = args[i.min(args.len())..].to_vec();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(words: &[&str]) -> Vec<String> {
        words.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn flags_combine_and_take_values() {
        let o = parse(&v(&["-qu", "-m5", "-c", "7", "//depot/..."]), "qum:c:", "u").unwrap();
        assert!(o.has('q') && o.has('u'));
        assert_eq!(o.value('m'), Some("5"));
        assert_eq!(o.value('c'), Some("7"));
        assert_eq!(o.args, v(&["//depot/..."]));
        let e = parse(&v(&["-z"]), "q", "verify [ -q ] files...").unwrap_err();
        assert_eq!(e.text, "Usage: verify [ -q ] files...\nInvalid option: -z.");
        let e = parse(&v(&["-c"]), "c:", "x").unwrap_err();
        assert_eq!(e.text, "Usage: x\nMissing/wrong number of arguments.");
    }
}
