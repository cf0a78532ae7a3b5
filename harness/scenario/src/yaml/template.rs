//! `{{name}}` template variables.
//!
//! A scope maps names to values. Values written under `vars:` may refer to
//! other variables and are expanded where they are used; values passed with
//! `with:` were already expanded where the include is written.

use std::collections::BTreeMap;
use std::rc::Rc;

use crate::model::Location;
use crate::suggest;

/// One variable.
#[derive(Debug, Clone)]
pub(crate) struct Var {
    pub(crate) value: String,
    /// Already expanded (a `with:` parameter): used as is.
    pub(crate) literal: bool,
    pub(crate) location: Location,
}

/// The variables visible at some point of a file.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    vars: Rc<BTreeMap<String, Var>>,
    /// Whether the scope belongs to a fragment (messages then mention `with:`).
    pub(crate) in_fragment: bool,
}

/// Why a text cannot be expanded; `offset` is the byte offset, in the text,
/// of the `{{` that failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateError {
    pub(crate) offset: usize,
    pub(crate) message: String,
}

/// The characters a variable name may hold (after a letter or `_`).
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '-'
}

/// Whether `name` is a valid variable name.
pub(crate) fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(is_name_char)
}

impl Scope {
    /// A scope of `vars`, later entries replacing earlier ones.
    pub(crate) fn new(vars: impl IntoIterator<Item = (String, Var)>, in_fragment: bool) -> Scope {
        Scope {
            vars: Rc::new(vars.into_iter().collect()),
            in_fragment,
        }
    }

    /// This scope with `over` replacing same-named variables.
    pub(crate) fn overlaid(
        &self,
        over: impl IntoIterator<Item = (String, Var)>,
        in_fragment: bool,
    ) -> Scope {
        let mut vars = (*self.vars).clone();
        vars.extend(over);
        Scope {
            vars: Rc::new(vars),
            in_fragment,
        }
    }

    /// This scope's variables, with `defaults` filling in the names it lacks.
    pub(crate) fn with_defaults(&self, defaults: impl IntoIterator<Item = (String, Var)>) -> Scope {
        let mut vars = (*self.vars).clone();
        for (name, var) in defaults {
            vars.entry(name).or_insert(var);
        }
        Scope {
            vars: Rc::new(vars),
            in_fragment: self.in_fragment,
        }
    }

    /// Whether the text holds anything to expand.
    pub(crate) fn needs_expansion(text: &str) -> bool {
        text.contains("{{")
    }

    /// The text with every `{{name}}` replaced and every `\{{` turned into `{{`.
    pub(crate) fn expand(&self, text: &str) -> Result<String, TemplateError> {
        let mut stack = Vec::new();
        self.expand_in(text, &mut stack)
            .map_err(|(offset, failure)| TemplateError {
                offset,
                message: self.render(failure),
            })
    }

    fn expand_in(&self, text: &str, stack: &mut Vec<String>) -> Result<String, (usize, Failure)> {
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        while let Some(found) = text[at..].find("{{") {
            let start = at + found;
            if text[..start].ends_with('\\') {
                out.push_str(&text[at..start - 1]);
                out.push_str("{{");
                at = start + 2;
                continue;
            }
            out.push_str(&text[at..start]);
            let Some((name, end)) = reference(text, start) else {
                let shown: String = text[start..].chars().take(24).collect();
                let shown = shown.lines().next().unwrap_or("").to_owned();
                return Err((start, Failure::Malformed(shown)));
            };
            let value = self
                .lookup(name, stack)
                .map_err(|failure| (start, failure))?;
            out.push_str(&value);
            at = end;
        }
        out.push_str(&text[at..]);
        Ok(out)
    }

    /// The value of `name`, expanded.
    fn lookup(&self, name: &str, stack: &mut Vec<String>) -> Result<String, Failure> {
        let Some(var) = self.vars.get(name) else {
            return Err(Failure::Undefined {
                name: name.to_owned(),
                within: None,
            });
        };
        if var.literal {
            return Ok(var.value.clone());
        }
        if stack.iter().any(|n| n == name) {
            let mut chain = stack.clone();
            chain.push(name.to_owned());
            return Err(Failure::Cycle(chain));
        }
        stack.push(name.to_owned());
        let expanded = self
            .expand_in(&var.value, stack)
            .map_err(|(_, failure)| match failure {
                // The innermost variable whose value names the undefined one.
                Failure::Undefined {
                    name: missing,
                    within: None,
                } => Failure::Undefined {
                    name: missing,
                    within: Some((name.to_owned(), var.location.clone())),
                },
                other => other,
            });
        stack.pop();
        expanded
    }

    fn render(&self, failure: Failure) -> String {
        match failure {
            Failure::Malformed(shown) => format!(
                "`{shown}` is not a variable reference: write {{{{name}}}} with a name of letters, \
                 digits, `_` and `-`; to write `{{{{` itself, put a backslash before it: \\{{{{"
            ),
            Failure::Cycle(chain) => format!(
                "variable `{}` refers to itself ({}); give one of them a plain value",
                chain[0],
                chain.join(" -> ")
            ),
            Failure::Undefined { name, within } => {
                let names: Vec<&str> = self.vars.keys().map(String::as_str).collect();
                let how = if self.in_fragment {
                    "define it under `vars:`, or pass it with `with:` where the fragment is included"
                } else {
                    "define it under `vars:`"
                };
                let mut message = format!("undefined variable `{name}`");
                if let Some((var, at)) = within {
                    message.push_str(&format!(" in the value of `{var}` (set at {at})"));
                }
                match suggest::did_you_mean(&name, names.iter().copied()) {
                    Some(close) => message.push_str(&format!("; did you mean `{close}`? Or {how}")),
                    None => message.push_str(&format!(": {how}")),
                }
                if names.is_empty() {
                    message.push_str(" (no variables are defined here)");
                } else if names.len() <= 12 {
                    message.push_str(&format!(" (defined here: {})", names.join(", ")));
                }
                message
            }
        }
    }
}

/// Why an expansion failed.
enum Failure {
    /// `{{` not followed by a name and `}}`; the text shown.
    Malformed(String),
    /// An undefined name, and the variable whose value used it.
    Undefined {
        name: String,
        within: Option<(String, Location)>,
    },
    /// Variables whose values refer to each other.
    Cycle(Vec<String>),
}

/// The name inside `{{ name }}` starting at byte `start`, and the byte after `}}`.
fn reference(text: &str, start: usize) -> Option<(&str, usize)> {
    let inner_start = start + 2;
    let close = text[inner_start..].find("}}")? + inner_start;
    let inner = &text[inner_start..close];
    let name = inner.trim_matches(' ');
    if !is_var_name(name) || inner.contains('\n') {
        return None;
    }
    Some((name, close + 2))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use std::sync::Arc;

    fn var(value: &str, literal: bool) -> Var {
        Var {
            value: value.to_owned(),
            literal,
            location: Location::new(Arc::from(Path::new("s.yaml")), 3, 5),
        }
    }

    fn scope(vars: &[(&str, &str)]) -> Scope {
        Scope::new(
            vars.iter().map(|(n, v)| ((*n).to_owned(), var(v, false))),
            false,
        )
    }

    #[test]
    fn expands_names_and_escapes() {
        let s = scope(&[
            ("pw", "Service#1"),
            ("ip", "192.168.56.114"),
            ("port", "{{ip}}:1666"),
        ]);
        assert_eq!(
            s.expand("{{pw}}\n{{ pw }}\n").unwrap(),
            "Service#1\nService#1\n"
        );
        assert_eq!(
            s.expand("p4 -p {{port}} info").unwrap(),
            "p4 -p 192.168.56.114:1666 info"
        );
        assert_eq!(
            s.expand(r"docker inspect -f '\{{.Name}}'").unwrap(),
            "docker inspect -f '{{.Name}}'"
        );
        assert_eq!(s.expand("no braces } {").unwrap(), "no braces } {");
    }

    #[test]
    fn reports_undefined_names_with_a_suggestion() {
        let s = scope(&[("svc_password", "x")]);
        let e = s.expand("a {{svc_pasword}}").unwrap_err();
        assert_eq!(e.offset, 2);
        assert_eq!(
            e.message,
            "undefined variable `svc_pasword`; did you mean `svc_password`? Or define it under `vars:` (defined here: svc_password)"
        );
        let e = Scope::default().expand("{{x}}").unwrap_err();
        assert_eq!(
            e.message,
            "undefined variable `x`: define it under `vars:` (no variables are defined here)"
        );
    }

    #[test]
    fn reports_malformed_references_and_cycles() {
        let e = scope(&[]).expand("{{.Name}}").unwrap_err();
        assert!(
            e.message
                .starts_with("`{{.Name}}` is not a variable reference"),
            "{}",
            e.message
        );
        let e = scope(&[("a", "{{b}}"), ("b", "{{a}}")])
            .expand("x{{a}}")
            .unwrap_err();
        assert_eq!(e.offset, 1);
        assert!(e.message.contains("a -> b -> a"), "{}", e.message);
        let e = scope(&[("a", "{{zz}}")]).expand("{{a}}").unwrap_err();
        assert!(
            e.message
                .starts_with("undefined variable `zz` in the value of `a` (set at s.yaml:3:5)"),
            "{}",
            e.message
        );
    }
}
