//! Command-line options the way GNU getopt reads them: clustered short
//! options, options after operands, `--`, long options and their unique
//! abbreviations.

/// Whether a long option takes an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Takes {
    No,
    Required,
    Optional,
}

/// The options a utility accepts.
pub(crate) struct Spec {
    /// Short options without an argument.
    pub flags: &'static str,
    /// Short options with a required argument.
    pub with_arg: &'static str,
    /// Long options: name, argument, and the key reported for it.
    pub long: &'static [(&'static str, Takes, char)],
    /// Stop at the first operand (as POSIX utilities like `env` do).
    pub stop_at_operand: bool,
}

impl Spec {
    pub(crate) const fn short(flags: &'static str, with_arg: &'static str) -> Spec {
        Spec {
            flags,
            with_arg,
            long: &[],
            stop_at_operand: false,
        }
    }
}

/// Parsed options, in order, and operands.
#[derive(Debug, Default)]
pub(crate) struct Parsed {
    pub opts: Vec<(char, Option<String>)>,
    pub operands: Vec<String>,
}

impl Parsed {
    pub(crate) fn has(&self, c: char) -> bool {
        self.opts.iter().any(|(k, _)| *k == c)
    }

    /// The last value given for an option.
    pub(crate) fn value(&self, c: char) -> Option<&str> {
        self.opts
            .iter()
            .rev()
            .find(|(k, _)| *k == c)
            .and_then(|(_, v)| v.as_deref())
    }
}

/// A usage error: the first message line (without the program name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UsageError(pub String);

/// Parses `args` (without the program name).
pub(crate) fn parse(args: &[String], spec: &Spec) -> Result<Parsed, UsageError> {
    let mut out = Parsed::default();
    let mut i = 0;
    while i < args.len() {
        let a = &args[i];
        i += 1;
        if a == "--" {
            out.operands.extend(args[i..].iter().cloned());
            break;
        }
        if let Some(long) = a.strip_prefix("--") {
            let (name, inline) = match long.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (long, None),
            };
            let exact = spec.long.iter().find(|(n, _, _)| *n == name);
            let candidates: Vec<_> = spec
                .long
                .iter()
                .filter(|(n, _, _)| n.starts_with(name))
                .collect();
            let found = match (exact, candidates.len()) {
                (Some(e), _) => e,
                (None, 1) => candidates[0],
                (None, 0) => return Err(UsageError(format!("unrecognized option '--{name}'"))),
                (None, _) => {
                    let list: Vec<String> = candidates
                        .iter()
                        .map(|(n, _, _)| format!("'--{n}'"))
                        .collect();
                    return Err(UsageError(format!(
                        "option '--{name}' is ambiguous; possibilities: {}",
                        list.join(" ")
                    )));
                }
            };
            let (full, takes, key) = *found;
            match takes {
                Takes::No => {
                    if inline.is_some() {
                        return Err(UsageError(format!(
                            "option '--{full}' doesn't allow an argument"
                        )));
                    }
                    out.opts.push((key, None));
                }
                Takes::Optional => out.opts.push((key, inline)),
                Takes::Required => {
                    let v = match inline {
                        Some(v) => v,
                        None => {
                            let Some(v) = args.get(i) else {
                                return Err(UsageError(format!(
                                    "option '--{full}' requires an argument"
                                )));
                            };
                            i += 1;
                            v.clone()
                        }
                    };
                    out.opts.push((key, Some(v)));
                }
            }
            continue;
        }
        if a.len() > 1 && a.starts_with('-') {
            let chars: Vec<char> = a.chars().skip(1).collect();
            let mut k = 0;
            while k < chars.len() {
                let c = chars[k];
                k += 1;
                if spec.with_arg.contains(c) {
                    let v = if k < chars.len() {
                        let v: String = chars[k..].iter().collect();
                        k = chars.len();
                        v
                    } else {
                        let Some(v) = args.get(i) else {
                            return Err(UsageError(format!(
                                "option requires an argument -- '{c}'"
                            )));
                        };
                        i += 1;
                        v.clone()
                    };
                    out.opts.push((c, Some(v)));
                } else if spec.flags.contains(c) {
                    out.opts.push((c, None));
                } else {
                    return Err(UsageError(format!("invalid option -- '{c}'")));
                }
            }
            continue;
        }
        out.operands.push(a.clone());
        if spec.stop_at_operand {
            out.operands.extend(args[i..].iter().cloned());
            break;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn options_after_operands_and_clusters() {
        let spec = Spec::short("Rfv", "");
        let p = parse(&v(&["perforce:perforce", "-R", "/standby/"]), &spec).unwrap();
        assert!(p.has('R'));
        assert_eq!(p.operands, v(&["perforce:perforce", "/standby/"]));
        let p = parse(&v(&["-fR", "--", "-x"]), &spec).unwrap();
        assert!(p.has('f') && p.has('R'));
        assert_eq!(p.operands, v(&["-x"]));
    }

    #[test]
    fn errors_are_worded_like_getopt() {
        let spec = Spec::short("f", "n");
        assert_eq!(
            parse(&v(&["-z"]), &spec).unwrap_err().0,
            "invalid option -- 'z'"
        );
        assert_eq!(
            parse(&v(&["-n"]), &spec).unwrap_err().0,
            "option requires an argument -- 'n'"
        );
        assert_eq!(
            parse(&v(&["--nope"]), &spec).unwrap_err().0,
            "unrecognized option '--nope'"
        );
    }
}
