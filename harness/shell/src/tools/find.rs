//! `find`: a walk in name order with the common tests and actions.

use std::path::{Path, PathBuf};

use p4ha_hostfs::{FileKind, Metadata};

use super::Ctx;
use crate::pattern::Pattern;
use crate::quote::gnu;
use crate::{errno, fsx};

#[derive(Debug, Clone)]
enum Expr {
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Name(String, bool),
    Path(String),
    Type(char),
    Mtime(char, i64, i64),
    Newer(i64),
    Size(char, u64, u64),
    Empty,
    User(String),
    Print,
    Delete,
    True,
}

struct Parser<'a> {
    args: &'a [String],
    pos: usize,
    max_depth: Option<usize>,
    min_depth: usize,
    has_action: bool,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&str> {
        self.args.get(self.pos).map(|s| s.as_str())
    }

    fn or(&mut self, ctx: &Ctx) -> Result<Expr, String> {
        let mut e = self.and(ctx)?;
        while matches!(self.peek(), Some("-o") | Some("-or")) {
            self.pos += 1;
            let r = self.and(ctx)?;
            e = Expr::Or(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn and(&mut self, ctx: &Ctx) -> Result<Expr, String> {
        let mut e = self.not(ctx)?;
        loop {
            match self.peek() {
                None | Some("-o") | Some("-or") | Some(")") => break,
                Some("-a") | Some("-and") => {
                    self.pos += 1;
                }
                _ => {}
            }
            let r = self.not(ctx)?;
            e = Expr::And(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn not(&mut self, ctx: &Ctx) -> Result<Expr, String> {
        if matches!(self.peek(), Some("!") | Some("-not")) {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.not(ctx)?)));
        }
        self.primary(ctx)
    }

    fn arg(&mut self, name: &str) -> Result<String, String> {
        let a = self
            .args
            .get(self.pos)
            .cloned()
            .ok_or_else(|| format!("missing argument to '{name}'"))?;
        self.pos += 1;
        Ok(a)
    }

    fn primary(&mut self, ctx: &Ctx) -> Result<Expr, String> {
        let Some(tok) = self.args.get(self.pos).cloned() else {
            return Err("expected an expression".into());
        };
        self.pos += 1;
        let numeric = |s: &str| -> Result<(char, i64), String> {
            let (cmp, digits) = match s.chars().next() {
                Some(c @ ('+' | '-')) => (c, &s[1..]),
                _ => ('=', s),
            };
            digits
                .parse::<i64>()
                .map(|n| (cmp, n))
                .map_err(|_| format!("invalid argument '{s}'"))
        };
        Ok(match tok.as_str() {
            "(" => {
                let e = self.or(ctx)?;
                if self.peek() != Some(")") {
                    return Err("invalid expression; you have too many '('".into());
                }
                self.pos += 1;
                e
            }
            "-name" => Expr::Name(self.arg("-name")?, false),
            "-iname" => Expr::Name(self.arg("-iname")?.to_lowercase(), true),
            "-path" | "-wholename" => Expr::Path(self.arg(&tok)?),
            "-type" => {
                let t = self.arg("-type")?;
                match t.as_str() {
                    "f" | "d" | "l" => Expr::Type(t.chars().next().unwrap_or('f')),
                    _ => return Err(format!("Unknown argument to -type: {t}")),
                }
            }
            "-maxdepth" | "-mindepth" => {
                let v = self.arg(&tok)?;
                let n: usize = v.parse().map_err(|_| {
                    format!(
                        "Expected a positive decimal integer argument to {tok}, but got {}",
                        gnu(&v)
                    )
                })?;
                if tok == "-maxdepth" {
                    self.max_depth = Some(n);
                } else {
                    self.min_depth = n;
                }
                Expr::True
            }
            "-mtime" | "-mmin" => {
                let (c, n) = numeric(&self.arg(&tok)?)?;
                Expr::Mtime(c, n, if tok == "-mtime" { 86_400 } else { 60 })
            }
            "-newer" => {
                let f = self.arg("-newer")?;
                let m = fsx::stat(ctx.fs, &ctx.path(&f))
                    .map_err(|e| format!("{}: {}", gnu(&f), errno::text(&e)))?;
                Expr::Newer(m.mtime)
            }
            "-size" => {
                let s = self.arg("-size")?;
                let unit = s.chars().last().filter(|c| c.is_ascii_alphabetic());
                let body = if unit.is_some() {
                    &s[..s.len() - 1]
                } else {
                    s.as_str()
                };
                let (c, n) = numeric(body)?;
                let mult = match unit {
                    None | Some('b') => 512,
                    Some('c') => 1,
                    Some('w') => 2,
                    Some('k') => 1024,
                    Some('M') => 1024 * 1024,
                    Some('G') => 1024 * 1024 * 1024,
                    Some(_) => return Err(format!("invalid -size type '{s}'")),
                };
                Expr::Size(c, n.max(0) as u64, mult)
            }
            "-empty" => Expr::Empty,
            "-user" => Expr::User(self.arg("-user")?),
            "-print" => {
                self.has_action = true;
                Expr::Print
            }
            "-delete" => {
                self.has_action = true;
                Expr::Delete
            }
            "-true" => Expr::True,
            "-false" => Expr::Not(Box::new(Expr::True)),
            "-exec" | "-execdir" | "-ok" => {
                return Err(format!(
                    "{tok} is not available here; pipe the names to xargs instead"
                ));
            }
            other if other.starts_with('-') => return Err(format!("unknown predicate `{other}'")),
            other => return Err(format!("paths must precede expression: '{other}'")),
        })
    }
}

struct Walk<'e> {
    expr: &'e Expr,
    max_depth: Option<usize>,
    min_depth: usize,
    auto_print: bool,
    now: i64,
    out: String,
    errors: Vec<String>,
    deletions: Vec<(PathBuf, String, bool)>,
}

impl Walk<'_> {
    fn eval(&mut self, ctx: &Ctx, e: &Expr, shown: &str, path: &Path, md: &Metadata) -> bool {
        match e {
            Expr::And(a, b) => {
                self.eval(ctx, a, shown, path, md) && self.eval(ctx, b, shown, path, md)
            }
            Expr::Or(a, b) => {
                self.eval(ctx, a, shown, path, md) || self.eval(ctx, b, shown, path, md)
            }
            Expr::Not(a) => !self.eval(ctx, a, shown, path, md),
            Expr::Name(p, icase) => {
                let base = shown
                    .trim_end_matches('/')
                    .rsplit('/')
                    .next()
                    .unwrap_or(shown);
                let base = if base.is_empty() { "/" } else { base };
                if *icase {
                    Pattern::new(p).matches(&base.to_lowercase())
                } else {
                    Pattern::new(p).matches(base)
                }
            }
            Expr::Path(p) => Pattern::new(p).matches(shown),
            Expr::Type(t) => matches!(
                (t, md.kind),
                ('f', FileKind::File) | ('d', FileKind::Dir) | ('l', FileKind::Symlink)
            ),
            Expr::Mtime(c, n, unit) => {
                let age = (self.now - md.mtime).div_euclid(*unit);
                match c {
                    '+' => age > *n,
                    '-' => age < *n,
                    _ => age == *n,
                }
            }
            Expr::Newer(t) => md.mtime > *t,
            Expr::Size(c, n, mult) => {
                let units = md.len.div_ceil(*mult);
                match c {
                    '+' => units > *n,
                    '-' => units < *n,
                    _ => units == *n,
                }
            }
            Expr::Empty => match md.kind {
                FileKind::Dir => ctx.fs.read_dir(path).is_ok_and(|n| n.is_empty()),
                FileKind::File => md.len == 0,
                FileKind::Symlink => false,
            },
            Expr::User(u) => md.user == *u,
            Expr::Print => {
                self.out.push_str(shown);
                self.out.push('\n');
                true
            }
            Expr::Delete => {
                self.deletions
                    .push((path.to_path_buf(), shown.to_string(), md.is_dir()));
                true
            }
            Expr::True => true,
        }
    }

    fn visit(&mut self, ctx: &Ctx, shown: &str, path: &Path, depth: usize) {
        let md = match ctx.fs.metadata(path) {
            Ok(m) => m,
            Err(e) => {
                self.errors
                    .push(format!("{}: {}", gnu(shown), errno::text(&e)));
                return;
            }
        };
        if depth >= self.min_depth {
            let hit = self.eval(ctx, self.expr, shown, path, &md);
            if hit && self.auto_print {
                self.out.push_str(shown);
                self.out.push('\n');
            }
        }
        if md.is_dir() && self.max_depth.is_none_or(|m| depth < m) {
            match ctx.fs.read_dir(path) {
                Ok(names) => {
                    for n in names {
                        let child = if shown.ends_with('/') {
                            format!("{shown}{n}")
                        } else {
                            format!("{shown}/{n}")
                        };
                        self.visit(ctx, &child, &path.join(&n), depth + 1);
                    }
                }
                Err(e) => self
                    .errors
                    .push(format!("{}: {}", gnu(shown), errno::text(&e))),
            }
        }
    }
}

pub(crate) fn find(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let args = &argv[1..];
    let first_expr = args
        .iter()
        .position(|a| a.starts_with('-') || a == "!" || a == "(")
        .unwrap_or(args.len());
    let mut roots: Vec<String> = args[..first_expr].to_vec();
    if roots.is_empty() {
        roots.push(".".into());
    }
    let mut parser = Parser {
        args: &args[first_expr..],
        pos: 0,
        max_depth: None,
        min_depth: 0,
        has_action: false,
    };
    let expr = if parser.args.is_empty() {
        Expr::True
    } else {
        match parser.or(ctx) {
            Ok(e) => e,
            Err(msg) => {
                ctx.err(msg);
                return 1;
            }
        }
    };
    if parser.pos < parser.args.len() {
        ctx.err(format!(
            "paths must precede expression: '{}'",
            parser.args[parser.pos]
        ));
        return 1;
    }
    let mut w = Walk {
        expr: &expr,
        max_depth: parser.max_depth,
        min_depth: parser.min_depth,
        auto_print: !parser.has_action,
        now: ctx.now(),
        out: String::new(),
        errors: Vec::new(),
        deletions: Vec::new(),
    };
    let mut status = 0;
    for r in &roots {
        let path = ctx.path(r);
        w.visit(ctx, r, &path, 0);
        let out = std::mem::take(&mut w.out);
        ctx.out(out);
        for e in std::mem::take(&mut w.errors) {
            ctx.err(e);
            status = 1;
        }
    }
    // Deletions happen deepest first, as with -depth.
    let mut dels = std::mem::take(&mut w.deletions);
    dels.sort_by_key(|d| std::cmp::Reverse(d.0.components().count()));
    for (p, shown, is_dir) in dels {
        let r = if is_dir {
            ctx.fs.remove_dir(&p)
        } else {
            ctx.fs.remove_file(&p)
        };
        if let Err(e) = r {
            ctx.err(format!(
                "cannot delete {}: {}",
                gnu(&shown),
                errno::text(&e)
            ));
            status = 1;
        }
    }
    status
}
