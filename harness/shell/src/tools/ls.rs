//! `ls`, in GNU's formats for output that is not a terminal.

use std::path::{Path, PathBuf};

use p4ha_hostfs::{FileKind, Metadata};

use super::Ctx;
use super::args::{Spec, Takes};
use super::time_fmt::ls_time;
use crate::quote::gnu;
use crate::{accounts, errno, fsx};

/// `drwxr-xr-x` for a kind and permission bits.
pub(crate) fn mode_string(kind: FileKind, mode: u32) -> String {
    let mut s = String::with_capacity(10);
    s.push(match kind {
        FileKind::Dir => 'd',
        FileKind::Symlink => 'l',
        FileKind::File => '-',
    });
    let bit = |b: u32, c: char| if mode & b != 0 { c } else { '-' };
    let exec =
        |x: u32, special: u32, on: char, off: char| match (mode & x != 0, mode & special != 0) {
            (true, true) => on,
            (false, true) => off,
            (true, false) => 'x',
            (false, false) => '-',
        };
    s.push(bit(0o400, 'r'));
    s.push(bit(0o200, 'w'));
    s.push(exec(0o100, 0o4000, 's', 'S'));
    s.push(bit(0o040, 'r'));
    s.push(bit(0o020, 'w'));
    s.push(exec(0o010, 0o2000, 's', 'S'));
    s.push(bit(0o004, 'r'));
    s.push(bit(0o002, 'w'));
    s.push(exec(0o001, 0o1000, 't', 'T'));
    s
}

/// GNU's `-h` sizes: powers of 1024, one decimal below 10, rounded up.
pub(crate) fn human(n: u64) -> String {
    if n < 1024 {
        return n.to_string();
    }
    let units = ["K", "M", "G", "T", "P", "E"];
    let mut v = n as f64;
    let mut u = 0;
    v /= 1024.0;
    while v >= 1024.0 && u + 1 < units.len() {
        v /= 1024.0;
        u += 1;
    }
    if v < 10.0 {
        let r = (v * 10.0).ceil() / 10.0;
        if r >= 10.0 {
            return format!("{}{}", r.ceil() as u64, units[u]);
        }
        format!("{r:.1}{}", units[u])
    } else {
        let r = v.ceil() as u64;
        if r >= 1024 && u + 1 < units.len() {
            return format!("1.0{}", units[u + 1]);
        }
        format!("{r}{}", units[u])
    }
}

struct Opts {
    long: bool,
    all: bool,
    almost_all: bool,
    directory: bool,
    sort_time: bool,
    sort_size: bool,
    unsorted: bool,
    reverse: bool,
    human: bool,
    numeric: bool,
    no_owner: bool,
    no_group: bool,
    classify: bool,
    slash: bool,
    recursive: bool,
    blocks: bool,
}

/// One entry to show.
struct Entry {
    /// The name shown.
    name: String,
    path: PathBuf,
    md: Metadata,
}

pub(crate) fn ls(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("all", Takes::No, 'a'),
        ("almost-all", Takes::No, 'A'),
        ("directory", Takes::No, 'd'),
        ("human-readable", Takes::No, 'h'),
        ("reverse", Takes::No, 'r'),
        ("recursive", Takes::No, 'R'),
        ("numeric-uid-gid", Takes::No, 'n'),
        ("classify", Takes::Optional, 'F'),
        ("color", Takes::Optional, 'C'),
        ("full-time", Takes::No, 'T'),
    ];
    let spec = Spec {
        flags: "lLaAdtrhSUnRgoFp1CcxsZ",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 2) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let o = Opts {
        long: p.has('l') || p.has('n') || p.has('g') || p.has('o'),
        all: p.has('a'),
        almost_all: p.has('A'),
        directory: p.has('d'),
        sort_time: p.has('t'),
        sort_size: p.has('S'),
        unsorted: p.has('U'),
        reverse: p.has('r'),
        human: p.has('h'),
        numeric: p.has('n'),
        no_owner: p.has('g'),
        no_group: p.has('o'),
        classify: p.has('F'),
        slash: p.has('p'),
        recursive: p.has('R'),
        blocks: p.has('s'),
    };
    let mut status = 0;
    let operands = if p.operands.is_empty() {
        vec![".".to_string()]
    } else {
        p.operands.clone()
    };
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for op in &operands {
        let path = ctx.path(op);
        let lmd = match ctx.fs.metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                ctx.err(format!("cannot access {}: {}", gnu(op), errno::text(&e)));
                status = 2;
                continue;
            }
        };
        // Command-line links are followed unless listing long or -d.
        let follow = lmd.kind == FileKind::Symlink
            && (!o.long && !o.directory && !o.classify || op.ends_with('/'));
        let md = if follow {
            fsx::stat(ctx.fs, &path).unwrap_or(lmd)
        } else {
            lmd
        };
        let entry = Entry {
            name: op.clone(),
            path,
            md,
        };
        if entry.md.is_dir() && !o.directory {
            dirs.push(entry);
        } else {
            files.push(entry);
        }
    }
    sort_entries(&mut files, &o);
    sort_entries(&mut dirs, &o);
    let mut first = true;
    if !files.is_empty() {
        print_entries(ctx, &files, &o, false);
        first = false;
    }
    let show_headers = operands.len() > 1 || o.recursive;
    let mut queue: Vec<Entry> = dirs;
    queue.reverse();
    while let Some(dir) = queue.pop() {
        if !first {
            ctx.out("\n");
        }
        first = false;
        if show_headers {
            ctx.out(format!("{}:\n", dir.name));
        }
        let names = match ctx.fs.read_dir(&dir.path) {
            Ok(n) => n,
            Err(e) => {
                ctx.err(format!(
                    "cannot open directory {}: {}",
                    gnu(&dir.name),
                    errno::text(&e)
                ));
                status = 2;
                continue;
            }
        };
        let mut entries = Vec::new();
        if o.all {
            for special in [".", ".."] {
                let path = if special == "." {
                    dir.path.clone()
                } else {
                    dir.path
                        .parent()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| dir.path.clone())
                };
                if let Ok(md) = fsx::stat(ctx.fs, &path) {
                    entries.push(Entry {
                        name: special.to_string(),
                        path,
                        md,
                    });
                }
            }
        }
        for n in names {
            if n.starts_with('.') && !o.all && !o.almost_all {
                continue;
            }
            let path = dir.path.join(&n);
            if let Ok(md) = ctx.fs.metadata(&path) {
                entries.push(Entry { name: n, path, md });
            }
        }
        sort_entries(&mut entries, &o);
        print_entries(ctx, &entries, &o, true);
        if o.recursive {
            let mut subdirs: Vec<Entry> = entries
                .into_iter()
                .filter(|e| e.md.kind == FileKind::Dir && e.name != "." && e.name != "..")
                .map(|e| Entry {
                    name: if dir.name.ends_with('/') {
                        format!("{}{}", dir.name, e.name)
                    } else {
                        format!("{}/{}", dir.name, e.name)
                    },
                    path: e.path,
                    md: e.md,
                })
                .collect();
            subdirs.reverse();
            queue.extend(subdirs);
        }
    }
    status
}

fn sort_entries(entries: &mut [Entry], o: &Opts) {
    if o.unsorted {
        return;
    }
    entries.sort_by(|a, b| {
        let by_name = a.name.as_bytes().cmp(b.name.as_bytes());
        if o.sort_time {
            b.md.mtime.cmp(&a.md.mtime).then(by_name)
        } else if o.sort_size {
            b.md.len.cmp(&a.md.len).then(by_name)
        } else {
            by_name
        }
    });
    if o.reverse {
        entries.reverse();
    }
}

fn suffix(md: &Metadata, o: &Opts) -> &'static str {
    if o.classify {
        match md.kind {
            FileKind::Dir => "/",
            FileKind::Symlink => "@",
            FileKind::File if md.mode & 0o111 != 0 => "*",
            FileKind::File => "",
        }
    } else if o.slash && md.is_dir() {
        "/"
    } else {
        ""
    }
}

fn print_entries(ctx: &mut Ctx, entries: &[Entry], o: &Opts, in_dir: bool) {
    let blocks: Vec<String> = entries
        .iter()
        .map(|e| {
            let k = fsx::blocks_1k(ctx.fs, &e.path, &e.md);
            if o.human {
                human(k * 1024)
            } else {
                k.to_string()
            }
        })
        .collect();
    let wb = blocks.iter().map(|b| b.len()).max().unwrap_or(0);
    let prefix = |i: usize| -> String {
        if o.blocks {
            format!("{:>wb$} ", blocks[i])
        } else {
            String::new()
        }
    };
    if !o.long {
        let mut text = String::new();
        if o.blocks && in_dir {
            let total: u64 = entries
                .iter()
                .map(|e| fsx::blocks_1k(ctx.fs, &e.path, &e.md))
                .sum();
            let t = if o.human {
                human(total * 1024)
            } else {
                total.to_string()
            };
            text.push_str(&format!("total {t}\n"));
        }
        for (i, e) in entries.iter().enumerate() {
            text.push_str(&prefix(i));
            text.push_str(&e.name);
            text.push_str(suffix(&e.md, o));
            text.push('\n');
        }
        ctx.out(text);
        return;
    }
    let now = ctx.now();
    let tz = ctx.tz();
    struct Row {
        mode: String,
        links: String,
        owner: String,
        group: String,
        size: String,
        time: String,
        name: String,
    }
    let mut rows = Vec::new();
    let mut total = 0u64;
    for e in entries {
        let (size, links) = fsx::shown_size_links(ctx.fs, &e.path, &e.md);
        total += fsx::blocks_1k(ctx.fs, &e.path, &e.md);
        let (owner, group) = if o.numeric {
            let uid = accounts::user(ctx.fs, &e.md.user)
                .map(|u| u.uid.to_string())
                .unwrap_or(e.md.user.clone());
            let gid = accounts::user(ctx.fs, &e.md.group)
                .filter(|u| u.group == e.md.group)
                .map(|u| u.gid.to_string())
                .unwrap_or(e.md.group.clone());
            (uid, gid)
        } else {
            (e.md.user.clone(), e.md.group.clone())
        };
        let mut name = format!("{}{}", e.name, suffix(&e.md, o));
        if e.md.kind == FileKind::Symlink
            && let Ok(target) = fsx::read_link(ctx.fs, &e.path)
        {
            name = format!("{} -> {target}", e.name);
        }
        rows.push(Row {
            mode: mode_string(e.md.kind, e.md.mode),
            links: links.to_string(),
            owner,
            group,
            size: if o.human {
                human(size)
            } else {
                size.to_string()
            },
            time: ls_time(e.md.mtime, now, &tz),
            name,
        });
    }
    let w = |f: fn(&Row) -> &String| rows.iter().map(|r| f(r).chars().count()).max().unwrap_or(0);
    let (wl, wo, wg, ws) = (
        w(|r| &r.links),
        w(|r| &r.owner),
        w(|r| &r.group),
        w(|r| &r.size),
    );
    let mut text = String::new();
    if in_dir {
        let t = if o.human {
            human(total * 1024)
        } else {
            total.to_string()
        };
        text.push_str(&format!("total {t}\n"));
    }
    for (i, r) in rows.iter().enumerate() {
        text.push_str(&prefix(i));
        text.push_str(&format!("{} {:>wl$} ", r.mode, r.links));
        if !o.no_owner {
            text.push_str(&format!("{:<wo$} ", r.owner));
        }
        if !o.no_group {
            text.push_str(&format!("{:<wg$} ", r.group));
        }
        text.push_str(&format!("{:>ws$} {} {}\n", r.size, r.time, r.name));
    }
    ctx.out(text);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_and_sizes() {
        assert_eq!(mode_string(FileKind::File, 0o400), "-r--------");
        assert_eq!(mode_string(FileKind::Dir, 0o755), "drwxr-xr-x");
        assert_eq!(mode_string(FileKind::Dir, 0o1777), "drwxrwxrwt");
        assert_eq!(mode_string(FileKind::File, 0o4644), "-rwSr--r--");
        assert_eq!(human(53), "53");
        assert_eq!(human(4096), "4.0K");
        assert_eq!(human(1536), "1.5K");
        assert_eq!(human(10752), "11K");
        assert_eq!(human(1_048_576), "1.0M");
    }
}
