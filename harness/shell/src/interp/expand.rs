//! Word expansion: tilde, parameters, command substitution, arithmetic,
//! field splitting, pathname expansion and quote removal.

use super::{Flow, Shell};
use crate::host::LocalBoxFuture;
use crate::pattern;
use crate::streams::{Fd, Fds, Sink};
use crate::syntax::{List, Param, ParamExp, ParamOp, TestKind, Word, WordPart};

/// One field being built.
#[derive(Debug, Default, Clone)]
struct FieldBuf {
    /// The text after quote removal.
    text: String,
    /// The same text as a pattern (quoted characters escaped).
    pat: String,
    /// True when an unquoted `*`, `?` or `[` is present.
    magic: bool,
    /// True when the field exists even if empty (it held quotes).
    keep: bool,
}

/// Collects the fields of a word.
struct Expander {
    split: bool,
    ifs: String,
    done: Vec<FieldBuf>,
    cur: FieldBuf,
    /// The last character handled was an IFS white-space delimiter.
    after_ws: bool,
}

impl Expander {
    fn new(split: bool, ifs: &str) -> Expander {
        Expander {
            split,
            ifs: ifs.to_string(),
            done: Vec::new(),
            cur: FieldBuf::default(),
            after_ws: false,
        }
    }

    fn quoted(&mut self, s: &str) {
        self.cur.text.push_str(s);
        self.cur.pat.push_str(&pattern::escape(s));
        self.cur.keep = true;
        self.after_ws = false;
    }

    fn unquoted_char(&mut self, c: char) {
        self.cur.text.push(c);
        if c == '\\' {
            self.cur.pat.push_str("\\\\");
        } else {
            self.cur.pat.push(c);
        }
        if matches!(c, '*' | '?' | '[') {
            self.cur.magic = true;
        }
        self.after_ws = false;
    }

    /// Unquoted text from the script itself: globbed, not split.
    fn literal(&mut self, s: &str) {
        for c in s.chars() {
            self.unquoted_char(c);
        }
    }

    /// The unquoted result of an expansion: split on IFS.
    fn splittable(&mut self, s: &str) {
        if !self.split {
            self.literal(s);
            return;
        }
        for c in s.chars() {
            if self.ifs.contains(c) {
                if matches!(c, ' ' | '\t' | '\n') {
                    if !self.cur.text.is_empty() || self.cur.keep {
                        self.finish();
                    }
                    self.after_ws = true;
                } else {
                    if !self.after_ws || !self.cur.text.is_empty() || self.cur.keep {
                        self.cur.keep = true;
                        self.finish();
                    }
                    self.after_ws = false;
                }
            } else {
                self.unquoted_char(c);
            }
        }
    }

    fn finish(&mut self) {
        let f = std::mem::take(&mut self.cur);
        if f.keep || !f.text.is_empty() {
            self.done.push(f);
        }
    }

    /// Ends the current field even if empty (between `"$@"` elements).
    fn hard_break(&mut self) {
        self.cur.keep = true;
        self.finish();
    }

    fn into_fields(mut self) -> Vec<FieldBuf> {
        self.finish();
        self.done
    }

    fn into_text(mut self) -> (String, String) {
        self.finish();
        let mut text = String::new();
        let mut pat = String::new();
        for f in self.done {
            text.push_str(&f.text);
            pat.push_str(&f.pat);
        }
        (text, pat)
    }
}

impl<'h> Shell<'h> {
    fn ifs(&self) -> String {
        self.get_var("IFS").unwrap_or(" \t\n").to_string()
    }

    /// Expands a word into fields (command arguments, `for` lists).
    pub(crate) async fn expand_fields(
        &mut self,
        word: &Word,
        fds: &Fds,
    ) -> Result<Vec<String>, Flow> {
        let mut ex = Expander::new(true, &self.ifs());
        self.expand_parts(&word.0, false, &mut ex, fds).await?;
        let mut out = Vec::new();
        for f in ex.into_fields() {
            if f.magic && !self.opts.noglob && pattern::has_magic(&f.pat) {
                let matches = pattern::glob(&self.fs, &self.cwd, &f.pat);
                if !matches.is_empty() {
                    out.extend(matches);
                    continue;
                }
            }
            out.push(f.text);
        }
        Ok(out)
    }

    /// Expands a word to one string (assignments, redirections, `case`).
    pub(crate) async fn expand_string(&mut self, word: &Word, fds: &Fds) -> Result<String, Flow> {
        let mut ex = Expander::new(false, &self.ifs());
        self.expand_parts(&word.0, false, &mut ex, fds).await?;
        Ok(ex.into_text().0)
    }

    /// Expands a word to a pattern: quoted characters match literally.
    pub(crate) async fn expand_pattern(&mut self, word: &Word, fds: &Fds) -> Result<String, Flow> {
        let mut ex = Expander::new(false, &self.ifs());
        self.expand_parts(&word.0, false, &mut ex, fds).await?;
        Ok(ex.into_text().1)
    }

    fn expand_parts<'a>(
        &'a mut self,
        parts: &'a [WordPart],
        dq: bool,
        ex: &'a mut Expander,
        fds: &'a Fds,
    ) -> LocalBoxFuture<'a, Result<(), Flow>> {
        Box::pin(async move {
            for part in parts {
                match part {
                    WordPart::Literal(s) => {
                        if dq {
                            ex.quoted(s)
                        } else {
                            ex.literal(s)
                        }
                    }
                    WordPart::Quoted(s) => ex.quoted(s),
                    WordPart::DoubleQuoted(inner) => {
                        // `"$@"` with no parameters makes no field at all.
                        let only_at = matches!(inner.as_slice(),
                            [WordPart::Param(p)] if p.param == Param::Special('@') && p.op == ParamOp::Get);
                        if !(only_at && self.positional.is_empty()) {
                            ex.quoted("");
                        }
                        self.expand_parts(inner, true, ex, fds).await?;
                    }
                    WordPart::Tilde(user) => {
                        let home = self.tilde(user);
                        ex.quoted(&home);
                    }
                    WordPart::Param(pe) => self.expand_param(pe, dq, ex, fds).await?,
                    WordPart::CommandSubst(list) => {
                        let out = self.command_subst(list, fds).await;
                        push(ex, &out, dq);
                    }
                    WordPart::Arith(w) => {
                        let text = self.expand_string(w, fds).await?;
                        let value = match self.arith(&text) {
                            Ok(v) => v,
                            Err(msg) => {
                                self.report(fds, &msg);
                                return Err(Flow::Exit(2));
                            }
                        };
                        push(ex, &value.to_string(), dq);
                    }
                }
            }
            Ok(())
        })
    }

    fn tilde(&self, user: &str) -> String {
        if user.is_empty() {
            if let Some(home) = self.get_var("HOME") {
                return home.to_string();
            }
            return crate::accounts::user(&self.fs, &self.user)
                .map(|u| u.home)
                .unwrap_or_else(|| "~".into());
        }
        match crate::accounts::user(&self.fs, user) {
            Some(u) => u.home,
            None => format!("~{user}"),
        }
    }

    /// The value of a parameter; `None` when unset.
    pub(crate) fn param_value(&self, p: &Param) -> Option<String> {
        match p {
            Param::Name(n) => self.get_var(n).map(str::to_string),
            Param::Positional(i) => self.positional.get(i.checked_sub(1)?).cloned(),
            Param::Special(c) => match c {
                '?' => Some(self.status.to_string()),
                '#' => Some(self.positional.len().to_string()),
                '$' => Some(self.pid.to_string()),
                '0' => Some(self.arg0.clone()),
                '-' => Some(self.flags()),
                '!' => None,
                '@' | '*' => {
                    if self.positional.is_empty() {
                        None
                    } else {
                        let sep = self
                            .ifs()
                            .chars()
                            .next()
                            .map(String::from)
                            .unwrap_or_default();
                        Some(self.positional.join(&sep))
                    }
                }
                _ => None,
            },
        }
    }

    fn param_name(p: &Param) -> String {
        match p {
            Param::Name(n) => n.clone(),
            Param::Positional(i) => i.to_string(),
            Param::Special(c) => c.to_string(),
        }
    }

    async fn expand_param(
        &mut self,
        pe: &ParamExp,
        dq: bool,
        ex: &mut Expander,
        fds: &Fds,
    ) -> Result<(), Flow> {
        match &pe.op {
            ParamOp::Get => {
                if let Param::Special(c @ ('@' | '*')) = pe.param {
                    let params = self.positional.clone();
                    if dq && c == '@' {
                        for (i, p) in params.iter().enumerate() {
                            if i > 0 {
                                ex.hard_break();
                            }
                            ex.quoted(p);
                        }
                    } else if dq {
                        let sep = self
                            .ifs()
                            .chars()
                            .next()
                            .map(String::from)
                            .unwrap_or_default();
                        ex.quoted(&params.join(&sep));
                    } else {
                        for (i, p) in params.iter().enumerate() {
                            if i > 0 {
                                if ex.split {
                                    ex.finish();
                                } else {
                                    ex.literal(" ");
                                }
                            }
                            ex.splittable(p);
                        }
                    }
                    return Ok(());
                }
                let value = match self.param_value(&pe.param) {
                    Some(v) => v,
                    None => {
                        if self.opts.nounset && !matches!(pe.param, Param::Special(_)) {
                            self.report(
                                fds,
                                &format!("{}: parameter not set", Self::param_name(&pe.param)),
                            );
                            return Err(Flow::Exit(2));
                        }
                        String::new()
                    }
                };
                push(ex, &value, dq);
            }
            ParamOp::Length => {
                let n = match pe.param {
                    Param::Special('@' | '*') => self.positional.len(),
                    _ => match self.param_value(&pe.param) {
                        Some(v) => v.chars().count(),
                        None if self.opts.nounset => {
                            self.report(
                                fds,
                                &format!("{}: parameter not set", Self::param_name(&pe.param)),
                            );
                            return Err(Flow::Exit(2));
                        }
                        None => 0,
                    },
                };
                push(ex, &n.to_string(), dq);
            }
            ParamOp::Test { kind, colon, word } => {
                let value = self.param_value(&pe.param);
                let set = match &value {
                    Some(v) => !(*colon && v.is_empty()),
                    None => false,
                };
                match kind {
                    TestKind::Default => {
                        if set {
                            push(ex, value.as_deref().unwrap_or(""), dq);
                        } else {
                            self.expand_parts(&word.0, dq, ex, fds).await?;
                        }
                    }
                    TestKind::Alternate => {
                        if set {
                            self.expand_parts(&word.0, dq, ex, fds).await?;
                        }
                    }
                    TestKind::Assign => {
                        if set {
                            push(ex, value.as_deref().unwrap_or(""), dq);
                        } else {
                            let v = self.expand_string(word, fds).await?;
                            let Param::Name(name) = &pe.param else {
                                self.report(
                                    fds,
                                    &format!("{}: bad variable name", Self::param_name(&pe.param)),
                                );
                                return Err(Flow::Exit(2));
                            };
                            if let Err(msg) = self.set_var(name, v.clone()) {
                                self.report(fds, &msg);
                                return Err(Flow::Exit(2));
                            }
                            push(ex, &v, dq);
                        }
                    }
                    TestKind::Error => {
                        if set {
                            push(ex, value.as_deref().unwrap_or(""), dq);
                        } else {
                            let msg = self.expand_string(word, fds).await?;
                            let msg = if msg.is_empty() {
                                if *colon {
                                    "parameter not set or null".to_string()
                                } else {
                                    "parameter not set".to_string()
                                }
                            } else {
                                msg
                            };
                            self.report(fds, &format!("{}: {msg}", Self::param_name(&pe.param)));
                            return Err(Flow::Exit(2));
                        }
                    }
                }
            }
            ParamOp::Bad => {
                self.report(fds, "Bad substitution");
                return Err(Flow::Exit(2));
            }
            ParamOp::Trim {
                suffix,
                longest,
                pattern,
            } => {
                let value = self.param_value(&pe.param).unwrap_or_default();
                let pat = self.expand_pattern(pattern, fds).await?;
                let trimmed = pattern::trim(&value, &pat, *suffix, *longest);
                push(ex, &trimmed, dq);
            }
        }
        Ok(())
    }

    /// Runs `$(list)` in a subshell and returns its output without
    /// trailing newlines.
    pub(crate) async fn command_subst(&mut self, list: &List, fds: &Fds) -> String {
        let (sink, buf) = Sink::buffer();
        let mut sub_fds = fds.clone();
        sub_fds.set(1, Fd::Out(sink));
        let status = self.run_in_subshell(list, &sub_fds).await;
        // `$?` keeps the previous command's status until this command ends.
        self.subst_status = Some(status);
        let bytes = buf.take();
        let mut s = String::from_utf8_lossy(&bytes).into_owned();
        while s.ends_with('\n') {
            s.pop();
        }
        s
    }
}

fn push(ex: &mut Expander, s: &str, dq: bool) {
    if dq { ex.quoted(s) } else { ex.splittable(s) }
}
