//! RCS `,v` files as p4d's librarian writes and reads them.
//!
//! The format is GNU RCS's (`rcsfile(5)`): an admin section (`head`,
//! `access`, `symbols`, `locks`, `strict`, `comment`), one header per
//! delta (`date`, `author`, `state`, `branches`, `next`), `desc`, then per
//! delta its `log` and `text`. The head revision's text is stored in full;
//! every older trunk revision holds the reverse delta (`d`/`a` edit script)
//! that turns the next newer revision's text into its own. Strings are
//! `@`-quoted with `@@` for a literal `@`.
//!
//! The layout follows Perforce's own generator (its RCS library's
//! `RcsGenFile::Generate`): keywords padded to nine columns (`head     `,
//! `access   `), `locks    ;` with `comment  @@;` on the same line when the
//! file is not strict, two empty lines before each deltatext, author `p4`,
//! state `Exp`, empty log and description. Revision numbers are p4d's
//! `lbrRev` values, `1.<change>`, so the trunk skips numbers.

use super::delta::{DeltaError, apply_delta, make_delta};

/// Author p4d records on every archived revision.
pub const P4_AUTHOR: &str = "p4";
/// State p4d records on every archived revision.
pub const P4_STATE: &str = "Exp";

/// A problem reading an RCS file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RcsError {
    /// The text does not follow the RCS grammar.
    #[error("RCS file syntax error at byte {offset}: {reason}")]
    Syntax {
        /// Byte offset of the offending token.
        offset: usize,
        /// What was expected.
        reason: String,
    },
    /// The requested revision is not in the file.
    #[error("revision {0} not found in RCS file")]
    NoSuchRevision(String),
    /// A delta in the chain could not be applied.
    #[error("revision {rev}: {source}")]
    BadDelta {
        /// Revision whose delta failed.
        rev: String,
        /// Why it failed.
        source: DeltaError,
    },
}

/// One delta of an RCS file: its header and its deltatext.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RcsRevision {
    /// Revision number (`1.7`).
    pub num: String,
    /// `YYYY.MM.DD.hh.mm.ss` (UTC).
    pub date: String,
    /// Author (`p4`).
    pub author: String,
    /// State (`Exp`).
    pub state: String,
    /// Branch revisions starting here (p4d never makes any).
    pub branches: Vec<String>,
    /// The next older trunk revision.
    pub next: Option<String>,
    /// Log message.
    pub log: Vec<u8>,
    /// Full text (head) or reverse delta (older revisions).
    pub text: Vec<u8>,
}

/// A parsed RCS file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RcsArchive {
    /// Head revision.
    pub head: Option<String>,
    /// Default branch.
    pub branch: Option<String>,
    /// Access list.
    pub access: Vec<String>,
    /// Symbols as `name:rev`.
    pub symbols: Vec<String>,
    /// Locks as `user:rev`.
    pub locks: Vec<String>,
    /// Strict locking.
    pub strict: bool,
    /// Comment leader.
    pub comment: Vec<u8>,
    /// Keyword expansion mode, when present.
    pub expand: Option<Vec<u8>>,
    /// Description.
    pub desc: Vec<u8>,
    /// Deltas in file order (head first along the trunk).
    pub revisions: Vec<RcsRevision>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Semi,
    Colon,
    Str(Vec<u8>),
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn tokenize(data: &[u8]) -> Result<Vec<(usize, Tok)>, RcsError> {
    let mut toks = Vec::new();
    let mut i = 0;
    while i < data.len() {
        let b = data[i];
        if is_space(b) {
            i += 1;
            continue;
        }
        let start = i;
        match b {
            b';' => {
                toks.push((start, Tok::Semi));
                i += 1;
            }
            b':' => {
                toks.push((start, Tok::Colon));
                i += 1;
            }
            b'@' => {
                let mut s = Vec::new();
                i += 1;
                loop {
                    match data.get(i) {
                        None => {
                            return Err(RcsError::Syntax {
                                offset: start,
                                reason: "unterminated @-string".to_string(),
                            });
                        }
                        Some(b'@') if data.get(i + 1) == Some(&b'@') => {
                            s.push(b'@');
                            i += 2;
                        }
                        Some(b'@') => {
                            i += 1;
                            break;
                        }
                        Some(c) => {
                            s.push(*c);
                            i += 1;
                        }
                    }
                }
                toks.push((start, Tok::Str(s)));
            }
            _ => {
                while i < data.len() && !is_space(data[i]) && !matches!(data[i], b';' | b':' | b'@')
                {
                    i += 1;
                }
                toks.push((
                    start,
                    Tok::Word(String::from_utf8_lossy(&data[start..i]).into_owned()),
                ));
            }
        }
    }
    Ok(toks)
}

fn is_num(w: &str) -> bool {
    !w.is_empty() && w.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    len: usize,
}

impl Parser {
    fn err(&self, reason: impl Into<String>) -> RcsError {
        let offset = self.toks.get(self.pos).map(|t| t.0).unwrap_or(self.len);
        RcsError::Syntax {
            offset,
            reason: reason.into(),
        }
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.1)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.1.clone());
        self.pos += 1;
        t
    }

    fn expect_word(&mut self, w: &str) -> Result<(), RcsError> {
        match self.next() {
            Some(Tok::Word(x)) if x == w => Ok(()),
            _ => {
                self.pos -= 1;
                Err(self.err(format!("expected '{w}'")))
            }
        }
    }

    fn expect_semi(&mut self) -> Result<(), RcsError> {
        match self.next() {
            Some(Tok::Semi) => Ok(()),
            _ => {
                self.pos -= 1;
                Err(self.err("expected ';'"))
            }
        }
    }

    fn string(&mut self) -> Result<Vec<u8>, RcsError> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(s),
            _ => {
                self.pos -= 1;
                Err(self.err("expected @-string"))
            }
        }
    }

    /// An optional single word before `;`.
    fn opt_word(&mut self) -> Result<Option<String>, RcsError> {
        let w = match self.peek() {
            Some(Tok::Word(w)) => Some(w.clone()),
            _ => None,
        };
        if w.is_some() {
            self.pos += 1;
        }
        self.expect_semi()?;
        Ok(w)
    }

    /// Words (with `a:b` pairs joined) up to `;`.
    fn list(&mut self) -> Result<Vec<String>, RcsError> {
        let mut out: Vec<String> = Vec::new();
        loop {
            match self.next() {
                Some(Tok::Semi) => return Ok(out),
                Some(Tok::Word(w)) => out.push(w),
                Some(Tok::Colon) => match (out.last_mut(), self.next()) {
                    (Some(last), Some(Tok::Word(w))) => {
                        last.push(':');
                        last.push_str(&w);
                    }
                    _ => return Err(self.err("bad ':' pair")),
                },
                _ => return Err(self.err("expected ';'")),
            }
        }
    }

    /// Skips a newphrase (`id word* ;`).
    fn skip_phrase(&mut self) -> Result<(), RcsError> {
        loop {
            match self.next() {
                Some(Tok::Semi) => return Ok(()),
                None => return Err(self.err("unterminated phrase")),
                _ => {}
            }
        }
    }
}

impl RcsArchive {
    /// Parses an RCS file.
    pub fn parse(data: &[u8]) -> Result<RcsArchive, RcsError> {
        let mut p = Parser {
            toks: tokenize(data)?,
            pos: 0,
            len: data.len(),
        };
        let mut ar = RcsArchive::default();
        // Admin section and delta headers, up to `desc`.
        loop {
            let w = match p.next() {
                Some(Tok::Word(w)) => w,
                _ => {
                    p.pos = p.pos.saturating_sub(1);
                    return Err(p.err("expected keyword"));
                }
            };
            match w.as_str() {
                "head" => ar.head = p.opt_word()?,
                "branch" => ar.branch = p.opt_word()?,
                "access" => ar.access = p.list()?,
                "symbols" => ar.symbols = p.list()?,
                "locks" => ar.locks = p.list()?,
                "strict" => {
                    p.expect_semi()?;
                    ar.strict = true;
                }
                "comment" | "expand" => {
                    let s = match p.peek() {
                        Some(Tok::Str(_)) => Some(p.string()?),
                        _ => None,
                    };
                    p.expect_semi()?;
                    if w == "comment" {
                        ar.comment = s.unwrap_or_default();
                    } else {
                        ar.expand = s;
                    }
                }
                "desc" => {
                    ar.desc = p.string()?;
                    break;
                }
                n if is_num(n) => {
                    let mut rev = RcsRevision {
                        num: n.to_string(),
                        date: String::new(),
                        author: String::new(),
                        state: String::new(),
                        branches: Vec::new(),
                        next: None,
                        log: Vec::new(),
                        text: Vec::new(),
                    };
                    p.expect_word("date")?;
                    rev.date = p.opt_word()?.ok_or_else(|| p.err("missing date"))?;
                    p.expect_word("author")?;
                    rev.author = p.opt_word()?.unwrap_or_default();
                    p.expect_word("state")?;
                    rev.state = p.opt_word()?.unwrap_or_default();
                    p.expect_word("branches")?;
                    rev.branches = p.list()?;
                    p.expect_word("next")?;
                    rev.next = p.opt_word()?;
                    ar.revisions.push(rev);
                }
                _ => p.skip_phrase()?,
            }
        }
        // Deltatexts.
        while let Some(tok) = p.next() {
            let Tok::Word(num) = tok else {
                p.pos -= 1;
                return Err(p.err("expected revision number"));
            };
            p.expect_word("log")?;
            let log = p.string()?;
            loop {
                match p.peek() {
                    Some(Tok::Word(w)) if w == "text" => break,
                    Some(Tok::Word(_)) => {
                        p.pos += 1;
                        p.skip_phrase()?;
                    }
                    _ => return Err(p.err("expected 'text'")),
                }
            }
            p.expect_word("text")?;
            let text = p.string()?;
            let rev = ar
                .revisions
                .iter_mut()
                .find(|r| r.num == num)
                .ok_or_else(|| RcsError::Syntax {
                    offset: 0,
                    reason: format!("deltatext for unknown revision {num}"),
                })?;
            rev.log = log;
            rev.text = text;
        }
        Ok(ar)
    }

    /// Writes the file the way p4d's librarian does.
    pub fn generate(&self) -> Vec<u8> {
        let mut o: Vec<u8> = Vec::new();
        let lit = |o: &mut Vec<u8>, s: &str| o.extend_from_slice(s.as_bytes());
        fn chunk(o: &mut Vec<u8>, s: &[u8]) {
            o.push(b'@');
            for b in s {
                if *b == b'@' {
                    o.push(b'@');
                }
                o.push(*b);
            }
            o.push(b'@');
        }
        lit(&mut o, "head     ");
        if let Some(h) = &self.head {
            lit(&mut o, h);
        }
        lit(&mut o, ";\n");
        if let Some(b) = &self.branch {
            lit(&mut o, &format!("branch   {b};\n"));
        }
        lit(&mut o, &format!("access   {};\n", self.access.join(" ")));
        lit(&mut o, &format!("symbols  {};\n", self.symbols.join(" ")));
        lit(&mut o, &format!("locks    {};", self.locks.join(" ")));
        if self.strict {
            lit(&mut o, " strict;\n");
        }
        lit(&mut o, "comment  ");
        chunk(&mut o, &self.comment);
        lit(&mut o, ";\n");
        if let Some(e) = &self.expand {
            lit(&mut o, "expand   ");
            chunk(&mut o, e);
            lit(&mut o, ";\n");
        }
        lit(&mut o, "\n");
        for r in &self.revisions {
            lit(&mut o, &format!("\n{}\n", r.num));
            lit(
                &mut o,
                &format!(
                    "date     {};  author {};  state {};\n",
                    r.date, r.author, r.state
                ),
            );
            lit(&mut o, &format!("branches {};\n", r.branches.join(" ")));
            lit(
                &mut o,
                &format!("next     {};\n", r.next.as_deref().unwrap_or("")),
            );
        }
        lit(&mut o, "\n\ndesc\n");
        chunk(&mut o, &self.desc);
        lit(&mut o, "\n");
        for r in &self.revisions {
            lit(&mut o, &format!("\n\n{}\nlog\n", r.num));
            chunk(&mut o, &r.log);
            lit(&mut o, "\ntext\n");
            chunk(&mut o, &r.text);
            lit(&mut o, "\n");
        }
        o
    }

    fn find(&self, num: &str) -> Option<&RcsRevision> {
        self.revisions.iter().find(|r| r.num == num)
    }

    /// Every trunk revision's full text, newest first, as `co -rREV`
    /// would reconstruct it.
    pub fn trunk_texts(&self) -> Result<Vec<(String, Vec<u8>)>, RcsError> {
        let mut out = Vec::new();
        let Some(head) = &self.head else {
            return Ok(out);
        };
        let mut cur = self
            .find(head)
            .ok_or_else(|| RcsError::NoSuchRevision(head.clone()))?;
        let mut text = cur.text.clone();
        loop {
            out.push((cur.num.clone(), text.clone()));
            let Some(next) = &cur.next else { break };
            if out.len() > self.revisions.len() {
                return Err(RcsError::Syntax {
                    offset: 0,
                    reason: "revision chain loops".to_string(),
                });
            }
            cur = self
                .find(next)
                .ok_or_else(|| RcsError::NoSuchRevision(next.clone()))?;
            text = apply_delta(&text, &cur.text).map_err(|source| RcsError::BadDelta {
                rev: cur.num.clone(),
                source,
            })?;
        }
        Ok(out)
    }

    /// The full text of one trunk revision.
    pub fn revision_text(&self, num: &str) -> Result<Vec<u8>, RcsError> {
        let Some(head) = &self.head else {
            return Err(RcsError::NoSuchRevision(num.to_string()));
        };
        let mut cur = self
            .find(head)
            .ok_or_else(|| RcsError::NoSuchRevision(head.clone()))?;
        let mut text = cur.text.clone();
        let mut steps = 0;
        while cur.num != num {
            let Some(next) = &cur.next else {
                return Err(RcsError::NoSuchRevision(num.to_string()));
            };
            steps += 1;
            if steps > self.revisions.len() {
                return Err(RcsError::Syntax {
                    offset: 0,
                    reason: "revision chain loops".to_string(),
                });
            }
            cur = self
                .find(next)
                .ok_or_else(|| RcsError::NoSuchRevision(next.clone()))?;
            text = apply_delta(&text, &cur.text).map_err(|source| RcsError::BadDelta {
                rev: cur.num.clone(),
                source,
            })?;
        }
        Ok(text)
    }

    /// Puts `content` in as trunk revision `num` (replacing it when present),
    /// keeping the trunk ordered newest first and rewriting the deltas so
    /// the head is stored in full and each older revision as a reverse
    /// delta from the next newer one. `date` is `YYYY.MM.DD.hh.mm.ss`.
    pub fn put_revision(&mut self, num: &str, content: &[u8], date: &str) -> Result<(), RcsError> {
        let mut texts: Vec<(String, Vec<u8>, String)> = self
            .trunk_texts()?
            .into_iter()
            .map(|(n, t)| {
                let d = self.find(&n).map(|r| r.date.clone()).unwrap_or_default();
                (n, t, d)
            })
            .collect();
        texts.retain(|(n, _, _)| n != num);
        let at = texts
            .iter()
            .position(|(n, _, _)| rev_cmp(num, n) == std::cmp::Ordering::Greater)
            .unwrap_or(texts.len());
        texts.insert(at, (num.to_string(), content.to_vec(), date.to_string()));
        let mut revisions = Vec::with_capacity(texts.len());
        for (i, (n, t, d)) in texts.iter().enumerate() {
            let text = if i == 0 {
                t.clone()
            } else {
                make_delta(&texts[i - 1].1, t)
            };
            revisions.push(RcsRevision {
                num: n.clone(),
                date: d.clone(),
                author: P4_AUTHOR.to_string(),
                state: P4_STATE.to_string(),
                branches: Vec::new(),
                next: texts.get(i + 1).map(|x| x.0.clone()),
                log: Vec::new(),
                text,
            });
        }
        self.head = texts.first().map(|x| x.0.clone());
        self.revisions = revisions;
        Ok(())
    }
}

/// Orders revision numbers component by component (`1.10` > `1.9`).
pub fn rev_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |s: &str| {
        s.split('.')
            .map(|p| p.parse::<u64>().unwrap_or(0))
            .collect::<Vec<_>>()
    };
    parse(a).cmp(&parse(b))
}

/// An RCS date (`2019.10.18.05.07.44`, UTC) for epoch seconds.
pub fn rcs_date(epoch: i64) -> String {
    let ts = jiff::Timestamp::from_second(epoch).unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    ts.to_zoned(jiff::tz::TimeZone::UTC)
        .strftime("%Y.%m.%d.%H.%M.%S")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revision_numbers_order_numerically() {
        assert_eq!(rev_cmp("1.10", "1.9"), std::cmp::Ordering::Greater);
        assert_eq!(rev_cmp("1.3", "1.3"), std::cmp::Ordering::Equal);
    }

    #[test]
    fn dates_are_utc() {
        // 2019/10/18 14:01:42 JST.
        assert_eq!(rcs_date(1_571_374_902), "2019.10.18.05.01.42");
    }

    #[test]
    fn unterminated_strings_are_syntax_errors() {
        let e = RcsArchive::parse(b"head 1.1;\naccess;\nsymbols;\nlocks;\ncomment @oops;\n")
            .unwrap_err();
        assert!(matches!(e, RcsError::Syntax { .. }), "{e}");
    }
}
