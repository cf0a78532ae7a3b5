//! `cut`, `tr`, `sort`, `uniq`, `basename`, `dirname`, `seq`.

use std::cmp::Ordering;

use super::args::{Spec, Takes};
use super::{Ctx, lines};
use crate::errno;
use crate::quote::{gnu, gnu_if_needed};

/// A list such as `1,3-5,7-`: inclusive 1-based ranges.
fn parse_list(s: &str) -> Result<Vec<(usize, usize)>, String> {
    let mut out = Vec::new();
    for part in s.split([',', ' ']).filter(|p| !p.is_empty()) {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => (a, b),
            None => (part, part),
        };
        let num = |t: &str, default: usize| -> Result<usize, String> {
            if t.is_empty() {
                return Ok(default);
            }
            t.parse::<usize>()
                .map_err(|_| format!("invalid field value {}", gnu(part)))
        };
        let lo = num(a, 1)?;
        let hi = num(b, usize::MAX)?;
        if lo == 0 || (hi == 0 && !b.is_empty()) {
            return Err("fields are numbered from 1".into());
        }
        if part == "-" || lo > hi {
            return Err("invalid field range".into());
        }
        out.push((lo, hi));
    }
    if out.is_empty() {
        return Err("fields are numbered from 1".into());
    }
    Ok(out)
}

fn selected(list: &[(usize, usize)], i: usize) -> bool {
    list.iter().any(|(lo, hi)| *lo <= i && i <= *hi)
}

pub(crate) fn cut(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("bytes", Takes::Required, 'b'),
        ("characters", Takes::Required, 'c'),
        ("fields", Takes::Required, 'f'),
        ("delimiter", Takes::Required, 'd'),
        ("only-delimited", Takes::No, 's'),
        ("complement", Takes::No, 'C'),
        ("output-delimiter", Takes::Required, 'O'),
    ];
    let spec = Spec {
        flags: "sn",
        with_arg: "bcfd",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let modes: Vec<char> = p
        .opts
        .iter()
        .map(|(k, _)| *k)
        .filter(|k| matches!(k, 'b' | 'c' | 'f'))
        .collect();
    if modes.is_empty() {
        return ctx.usage("you must specify a list of bytes, characters, or fields", 1);
    }
    if modes.len() > 1 {
        return ctx.usage("only one type of list may be specified", 1);
    }
    let mode = modes[0];
    let list = match parse_list(p.value(mode).unwrap_or("")) {
        Ok(l) => l,
        Err(e) => {
            let e = if mode == 'f' {
                e
            } else {
                e.replace("fields are", "byte/character positions are")
                    .replace("invalid field value", "invalid byte/character position")
                    .replace("invalid field range", "invalid byte or character range")
            };
            return ctx.usage(e, 1);
        }
    };
    let delim = match p.value('d') {
        Some(d) if d.chars().count() == 1 => d.to_string(),
        Some(_) => return ctx.usage("the delimiter must be a single character", 1),
        None => "\t".to_string(),
    };
    if mode != 'f' && (p.has('d') || p.has('s')) {
        let what = if p.has('d') {
            "an input delimiter may be specified only when operating on fields"
        } else {
            "suppressing non-delimited lines makes sense\n\tonly when operating on fields"
        };
        return ctx.usage(what, 1);
    }
    let out_delim = p
        .value('O')
        .map(str::to_string)
        .unwrap_or_else(|| delim.clone());
    let complement = p.has('C');
    let ops: Vec<String> = if p.operands.is_empty() {
        vec!["-".into()]
    } else {
        p.operands.clone()
    };
    let mut status = 0;
    for op in ops {
        let data = match ctx.read_input(&op) {
            Ok(d) => d,
            Err(e) => {
                ctx.err(format!("{}: {}", gnu_if_needed(&op), errno::text(&e)));
                status = 1;
                continue;
            }
        };
        let mut out = Vec::new();
        for line in lines(&data) {
            if mode == 'f' {
                let text = String::from_utf8_lossy(line);
                if !text.contains(delim.as_str()) {
                    if !p.has('s') {
                        out.extend_from_slice(line);
                        out.push(b'\n');
                    }
                    continue;
                }
                let picked: Vec<&str> = text
                    .split(delim.as_str())
                    .enumerate()
                    .filter(|(i, _)| selected(&list, i + 1) != complement)
                    .map(|(_, f)| f)
                    .collect();
                out.extend_from_slice(picked.join(&out_delim).as_bytes());
            } else {
                let mut prev_taken = false;
                let mut first = true;
                for (i, b) in line.iter().enumerate() {
                    let take = selected(&list, i + 1) != complement;
                    if take {
                        if !first && !prev_taken && p.has('O') {
                            out.extend_from_slice(out_delim.as_bytes());
                        }
                        out.push(*b);
                        first = false;
                    }
                    prev_taken = take;
                }
            }
            out.push(b'\n');
        }
        ctx.out(&out);
    }
    status
}

/// Expands a `tr` set: escapes, ranges and classes.
fn tr_set(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let mut items: Vec<u8> = Vec::new();
    let mut i = 0;
    let unescape = |i: &mut usize| -> u8 {
        let c = b[*i];
        if c != b'\\' || *i + 1 >= b.len() {
            *i += 1;
            return c;
        }
        let n = b[*i + 1];
        *i += 2;
        match n {
            b'n' => b'\n',
            b't' => b'\t',
            b'r' => b'\r',
            b'a' => 7,
            b'b' => 8,
            b'f' => 12,
            b'v' => 11,
            b'0'..=b'7' => {
                let mut v = u32::from(n - b'0');
                let mut k = 0;
                while k < 2 && *i < b.len() && (b'0'..=b'7').contains(&b[*i]) {
                    v = v * 8 + u32::from(b[*i] - b'0');
                    *i += 1;
                    k += 1;
                }
                (v & 0xff) as u8
            }
            other => other,
        }
    };
    while i < b.len() {
        if b[i] == b'[' && b.get(i + 1) == Some(&b':') {
            let rest = &s[i + 2..];
            if let Some(end) = rest.find(":]") {
                let class = &rest[..end];
                let members: Vec<u8> = (0u8..=127)
                    .filter(|c| crate::pattern::class_matches(class, *c as char))
                    .collect();
                if members.is_empty() && !matches!(class, "cntrl") {
                    return Err(format!("invalid character class {}", gnu(class)));
                }
                items.extend(members);
                i += 2 + end + 2;
                continue;
            }
        }
        let c = unescape(&mut i);
        if i < b.len() && b[i] == b'-' && i + 1 < b.len() {
            let mut j = i + 1;
            let hi = unescape(&mut j);
            if hi < c {
                return Err(format!(
                    "range-endpoints of '{}-{}' are in reverse collating sequence order",
                    c as char, hi as char
                ));
            }
            items.extend(c..=hi);
            i = j;
            continue;
        }
        items.push(c);
    }
    Ok(items)
}

pub(crate) fn tr(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("delete", Takes::No, 'd'),
        ("squeeze-repeats", Takes::No, 's'),
        ("complement", Takes::No, 'c'),
        ("truncate-set1", Takes::No, 't'),
    ];
    let spec = Spec {
        flags: "dscCt",
        with_arg: "",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let delete = p.has('d');
    let squeeze = p.has('s');
    let complement = p.has('c') || p.has('C');
    let ops = &p.operands;
    let needed = if delete && !squeeze {
        1
    } else if !delete && !squeeze {
        2
    } else {
        1
    };
    if ops.is_empty() {
        return ctx.usage("missing operand", 1);
    }
    if ops.len() < needed {
        return ctx.usage(
            format!(
                "missing operand after {}\nTwo strings must be given when translating.",
                gnu(&ops[0])
            ),
            1,
        );
    }
    let max = if squeeze || !delete { 2 } else { 1 };
    if ops.len() > max {
        let msg = if delete && !squeeze {
            format!(
                "extra operand {}\nOnly one string may be given when deleting without squeezing repeats.",
                gnu(&ops[1])
            )
        } else {
            format!("extra operand {}", gnu(&ops[max]))
        };
        return ctx.usage(msg, 1);
    }
    let mut set1 = match tr_set(&ops[0]) {
        Ok(s) => s,
        Err(e) => {
            ctx.err(e);
            return 1;
        }
    };
    if complement {
        set1 = (0u8..=255).filter(|c| !set1.contains(c)).collect();
    }
    let set2 = match ops.get(1).map(|s| tr_set(s)) {
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            ctx.err(e);
            return 1;
        }
        None => None,
    };
    let data = ctx.stdin().borrow_mut().read_rest();
    let mut map: [u16; 256] = std::array::from_fn(|i| i as u16);
    let translating = !delete && set2.is_some();
    if translating && let Some(s2) = &set2 {
        if s2.is_empty() && !set1.is_empty() {
            ctx.err("when not truncating set1, string2 must be non-empty");
            return 1;
        }
        for (k, &c) in set1.iter().enumerate() {
            let to = s2.get(k).or(s2.last()).copied().unwrap_or(c);
            map[usize::from(c)] = u16::from(to);
        }
    }
    let squeeze_set: Vec<u8> = if squeeze {
        match (&set2, translating || delete) {
            (Some(s2), true) => s2.clone(),
            _ => set1.clone(),
        }
    } else {
        Vec::new()
    };
    let mut out = Vec::with_capacity(data.len());
    for &b in &data {
        if delete && set1.contains(&b) {
            continue;
        }
        let c = map[usize::from(b)] as u8;
        if squeeze && out.last() == Some(&c) && squeeze_set.contains(&c) {
            continue;
        }
        out.push(c);
    }
    ctx.out(&out);
    0
}

/// A sort key: fields (1-based) and characters, with its own flags.
#[derive(Clone, Default)]
struct Key {
    start_field: usize,
    start_char: usize,
    end_field: Option<usize>,
    end_char: usize,
    numeric: bool,
    reverse: bool,
    fold: bool,
    blanks: bool,
    human: bool,
}

fn parse_key(s: &str) -> Option<Key> {
    let mut k = Key::default();
    let (start, end) = match s.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let split_pos = |t: &str| -> Option<(usize, usize, String)> {
        let digits_end = t
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(t.len());
        let (pos, flags) = t.split_at(digits_end);
        let (f, c) = match pos.split_once('.') {
            Some((f, c)) => (f.parse().ok()?, c.parse().ok()?),
            None => (pos.parse().ok()?, 0),
        };
        Some((f, c, flags.to_string()))
    };
    let (f, c, flags) = split_pos(start)?;
    if f == 0 {
        return None;
    }
    k.start_field = f;
    k.start_char = c;
    let mut all_flags = flags;
    if let Some(e) = end {
        let (f, c, flags) = split_pos(e)?;
        k.end_field = Some(f);
        k.end_char = c;
        all_flags.push_str(&flags);
    }
    for ch in all_flags.chars() {
        match ch {
            'n' => k.numeric = true,
            'r' => k.reverse = true,
            'f' => k.fold = true,
            'b' => k.blanks = true,
            'h' => k.human = true,
            'g' => k.numeric = true,
            _ => return None,
        }
    }
    Some(k)
}

/// Fields of a line: with a separator, split on it; otherwise each field
/// starts with its leading blanks.
fn field_spans(line: &[u8], sep: Option<u8>) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    match sep {
        Some(s) => {
            let mut start = 0;
            for (i, &b) in line.iter().enumerate() {
                if b == s {
                    spans.push((start, i));
                    start = i + 1;
                }
            }
            spans.push((start, line.len()));
        }
        None => {
            let mut i = 0;
            while i < line.len() {
                let start = i;
                while i < line.len() && (line[i] == b' ' || line[i] == b'\t') {
                    i += 1;
                }
                while i < line.len() && line[i] != b' ' && line[i] != b'\t' {
                    i += 1;
                }
                spans.push((start, i));
            }
        }
    }
    spans
}

fn key_slice<'l>(line: &'l [u8], key: &Key, sep: Option<u8>) -> &'l [u8] {
    let spans = field_spans(line, sep);
    let Some(&(fs, fe)) = spans.get(key.start_field - 1) else {
        return &[];
    };
    let mut start = fs;
    if key.blanks {
        while start < fe && (line[start] == b' ' || line[start] == b'\t') {
            start += 1;
        }
    }
    if key.start_char > 0 {
        start = (start + key.start_char - 1).min(fe);
    }
    let end = match key.end_field {
        None => line.len(),
        Some(ef) => match spans.get(ef.saturating_sub(1)) {
            None => line.len(),
            Some(&(es, ee)) => {
                if key.end_char == 0 {
                    ee
                } else {
                    (es + key.end_char).min(ee)
                }
            }
        },
    };
    if start >= end { &[] } else { &line[start..end] }
}

/// The leading number of a key, as `sort -n` reads it.
fn numeric_value(s: &[u8], human: bool) -> f64 {
    let t = String::from_utf8_lossy(s);
    let t = t.trim_start();
    let mut end = 0;
    let bytes = t.as_bytes();
    if end < bytes.len() && bytes[end] == b'-' {
        end += 1;
    }
    while end < bytes.len() && (bytes[end].is_ascii_digit() || bytes[end] == b'.') {
        end += 1;
    }
    let v: f64 = t[..end].parse().unwrap_or(0.0);
    if human && let Some(&suffix) = bytes.get(end) {
        let p = match suffix {
            b'K' | b'k' => 1,
            b'M' => 2,
            b'G' => 3,
            b'T' => 4,
            _ => 0,
        };
        return v * 1024f64.powi(p);
    }
    v
}

fn compare_keys(a: &[u8], b: &[u8], key: &Key) -> Ordering {
    let ord = if key.numeric || key.human {
        numeric_value(a, key.human)
            .partial_cmp(&numeric_value(b, key.human))
            .unwrap_or(Ordering::Equal)
    } else {
        let trim = |s: &[u8]| -> Vec<u8> {
            let mut v: Vec<u8> = if key.blanks {
                s.iter()
                    .skip_while(|c| **c == b' ' || **c == b'\t')
                    .copied()
                    .collect()
            } else {
                s.to_vec()
            };
            if key.fold {
                v.make_ascii_uppercase();
            }
            v
        };
        trim(a).cmp(&trim(b))
    };
    if key.reverse { ord.reverse() } else { ord }
}

pub(crate) fn sort(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("numeric-sort", Takes::No, 'n'),
        ("reverse", Takes::No, 'r'),
        ("unique", Takes::No, 'u'),
        ("key", Takes::Required, 'k'),
        ("field-separator", Takes::Required, 't'),
        ("ignore-case", Takes::No, 'f'),
        ("ignore-leading-blanks", Takes::No, 'b'),
        ("stable", Takes::No, 's'),
        ("output", Takes::Required, 'o'),
        ("human-numeric-sort", Takes::No, 'h'),
        ("general-numeric-sort", Takes::No, 'g'),
        ("check", Takes::Optional, 'c'),
    ];
    let spec = Spec {
        flags: "nrufbshgcV",
        with_arg: "kto",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 2) {
        Ok(p) => p,
        Err(s) => return s,
    };
    let global = Key {
        start_field: 1,
        numeric: p.has('n') || p.has('g'),
        reverse: p.has('r'),
        fold: p.has('f'),
        blanks: p.has('b'),
        human: p.has('h'),
        ..Key::default()
    };
    let sep = match p.value('t') {
        Some(t) if t.len() == 1 => Some(t.as_bytes()[0]),
        Some("") => {
            ctx.err("empty tab");
            return 2;
        }
        Some(t) => {
            ctx.err(format!("multi-character tab {}", gnu(t)));
            return 2;
        }
        None => None,
    };
    let mut keys = Vec::new();
    for (k, v) in &p.opts {
        if *k == 'k' {
            let spec = v.as_deref().unwrap_or("");
            match parse_key(spec) {
                Some(mut key) => {
                    let has_own = spec.chars().any(|c| c.is_ascii_alphabetic());
                    if !has_own {
                        key.numeric = global.numeric;
                        key.reverse = global.reverse;
                        key.fold = global.fold;
                        key.blanks = global.blanks;
                        key.human = global.human;
                    }
                    keys.push(key);
                }
                None => {
                    ctx.err(format!(
                        "invalid number at field start: invalid count at start of {}",
                        gnu(spec)
                    ));
                    return 2;
                }
            }
        }
    }
    let ops: Vec<String> = if p.operands.is_empty() {
        vec!["-".into()]
    } else {
        p.operands.clone()
    };
    let mut all: Vec<Vec<u8>> = Vec::new();
    for op in &ops {
        match ctx.read_input(op) {
            Ok(d) => all.extend(lines(&d).into_iter().map(<[u8]>::to_vec)),
            Err(e) => {
                ctx.err(format!("cannot read: {}: {}", op, errno::text(&e)));
                return 2;
            }
        }
    }
    let cmp = |a: &Vec<u8>, b: &Vec<u8>| -> Ordering {
        if keys.is_empty() {
            compare_keys(a, b, &global)
        } else {
            for k in &keys {
                let o = compare_keys(key_slice(a, k, sep), key_slice(b, k, sep), k);
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        }
    };
    if p.has('c') {
        for w in all.windows(2) {
            let o = cmp(&w[0], &w[1]);
            if o == Ordering::Greater || (p.has('u') && o == Ordering::Equal) {
                let name = if ops[0] == "-" {
                    "-".to_string()
                } else {
                    ops[0].clone()
                };
                ctx.err(format!(
                    "{name}:{}: disorder: {}",
                    2,
                    String::from_utf8_lossy(&w[1])
                ));
                return 1;
            }
        }
        return 0;
    }
    let last_resort = !p.has('s') && !p.has('u');
    all.sort_by(|a, b| {
        let o = cmp(a, b);
        if o == Ordering::Equal && last_resort {
            let r = a.cmp(b);
            if global.reverse { r.reverse() } else { r }
        } else {
            o
        }
    });
    if p.has('u') {
        all.dedup_by(|b, a| cmp(a, b) == Ordering::Equal);
    }
    let mut out = Vec::new();
    for l in all {
        out.extend_from_slice(&l);
        out.push(b'\n');
    }
    if let Some(o) = p.value('o') {
        let path = ctx.path(o);
        let existed = ctx.fs.exists(&path);
        if let Err(e) = ctx.fs.write(&path, &out) {
            ctx.err(format!("open failed: {}: {}", o, errno::text(&e)));
            return 2;
        }
        if !existed {
            ctx.created(&path);
        }
        return 0;
    }
    ctx.out(out);
    0
}

pub(crate) fn uniq(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("count", Takes::No, 'c'),
        ("repeated", Takes::No, 'd'),
        ("unique", Takes::No, 'u'),
        ("ignore-case", Takes::No, 'i'),
    ];
    let spec = Spec {
        flags: "cdui",
        with_arg: "fs",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if p.operands.len() > 2 {
        return ctx.usage(format!("extra operand {}", gnu(&p.operands[2])), 1);
    }
    let input = p.operands.first().cloned().unwrap_or_else(|| "-".into());
    let data = match ctx.read_input(&input) {
        Ok(d) => d,
        Err(e) => {
            ctx.err(format!("{}: {}", gnu_if_needed(&input), errno::text(&e)));
            return 1;
        }
    };
    let skip_fields: usize = p.value('f').and_then(|v| v.parse().ok()).unwrap_or(0);
    let skip_chars: usize = p.value('s').and_then(|v| v.parse().ok()).unwrap_or(0);
    let key = |l: &[u8]| -> Vec<u8> {
        let spans = field_spans(l, None);
        let start = if skip_fields == 0 {
            0
        } else {
            spans.get(skip_fields - 1).map(|s| s.1).unwrap_or(l.len())
        };
        let start = (start + skip_chars).min(l.len());
        let mut k = l[start..].to_vec();
        if p.has('i') {
            k.make_ascii_lowercase();
        }
        k
    };
    let all = lines(&data);
    let mut groups: Vec<(&[u8], usize)> = Vec::new();
    for l in all {
        match groups.last_mut() {
            Some((first, n)) if key(first) == key(l) => *n += 1,
            _ => groups.push((l, 1)),
        }
    }
    let mut out = Vec::new();
    for (l, n) in groups {
        if (p.has('d') && n < 2) || (p.has('u') && n > 1) {
            continue;
        }
        if p.has('c') {
            out.extend_from_slice(format!("{n:>7} ").as_bytes());
        }
        out.extend_from_slice(l);
        out.push(b'\n');
    }
    if let Some(o) = p.operands.get(1) {
        let path = ctx.path(o);
        let existed = ctx.fs.exists(&path);
        if let Err(e) = ctx.fs.write(&path, &out) {
            ctx.err(format!("{}: {}", gnu_if_needed(o), errno::text(&e)));
            return 1;
        }
        if !existed {
            ctx.created(&path);
        }
        return 0;
    }
    ctx.out(out);
    0
}

fn base_name(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let t = s.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

pub(crate) fn basename(ctx: &mut Ctx, argv: &[String]) -> i32 {
    const LONG: &[(&str, Takes, char)] = &[
        ("multiple", Takes::No, 'a'),
        ("suffix", Takes::Required, 's'),
        ("zero", Takes::No, 'z'),
    ];
    let spec = Spec {
        flags: "az",
        with_arg: "s",
        long: LONG,
        stop_at_operand: false,
    };
    let p = match ctx.parse(argv, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if p.operands.is_empty() {
        return ctx.usage("missing operand", 1);
    }
    let multiple = p.has('a') || p.has('s');
    let (names, suffix): (Vec<String>, Option<String>) = if multiple {
        (p.operands.clone(), p.value('s').map(str::to_string))
    } else {
        if p.operands.len() > 2 {
            return ctx.usage(format!("extra operand {}", gnu(&p.operands[2])), 1);
        }
        (vec![p.operands[0].clone()], p.operands.get(1).cloned())
    };
    let end = if p.has('z') { "\0" } else { "\n" };
    let mut text = String::new();
    for n in names {
        let mut b = base_name(&n);
        if let Some(s) = &suffix
            && b.len() > s.len()
            && b.ends_with(s.as_str())
        {
            b.truncate(b.len() - s.len());
        }
        text.push_str(&b);
        text.push_str(end);
    }
    ctx.out(text);
    0
}

pub(crate) fn dirname(ctx: &mut Ctx, argv: &[String]) -> i32 {
    let p = match ctx.parse(argv, &Spec::short("z", ""), 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if p.operands.is_empty() {
        return ctx.usage("missing operand", 1);
    }
    let end = if p.has('z') { "\0" } else { "\n" };
    let mut text = String::new();
    for n in &p.operands {
        let t = n.trim_end_matches('/');
        let d = if n.starts_with('/') && t.is_empty() {
            "/".to_string()
        } else {
            match t.rfind('/') {
                None => ".".to_string(),
                Some(i) => {
                    let d = t[..i].trim_end_matches('/');
                    if d.is_empty() {
                        "/".to_string()
                    } else {
                        d.to_string()
                    }
                }
            }
        };
        text.push_str(&d);
        text.push_str(end);
    }
    ctx.out(text);
    0
}

pub(crate) fn seq(ctx: &mut Ctx, argv: &[String]) -> i32 {
    // Negative numbers are operands, not options.
    let mut sep = "\n".to_string();
    let mut width = false;
    let mut nums = Vec::new();
    let mut i = 1;
    while i < argv.len() {
        let a = &argv[i];
        match a.as_str() {
            "-s" => {
                i += 1;
                sep = argv.get(i).cloned().unwrap_or_default();
            }
            "-w" => width = true,
            _ if a.starts_with("-s") => sep = a[2..].to_string(),
            _ => nums.push(a.clone()),
        }
        i += 1;
    }
    if nums.is_empty() {
        return ctx.usage("missing operand", 1);
    }
    if nums.len() > 3 {
        return ctx.usage(format!("extra operand {}", gnu(&nums[3])), 1);
    }
    let mut vals = Vec::new();
    for n in &nums {
        match n.parse::<f64>() {
            Ok(v) if v.is_finite() => vals.push(v),
            _ => return ctx.usage(format!("invalid floating point argument: {}", gnu(n)), 1),
        }
    }
    let (first, step, last) = match vals.as_slice() {
        [l] => (1.0, 1.0, *l),
        [f, l] => (*f, 1.0, *l),
        [f, s, l] => (*f, *s, *l),
        _ => return 1,
    };
    if step == 0.0 {
        return ctx.usage(
            format!("invalid Zero increment value: {}", gnu(&nums[1])),
            1,
        );
    }
    let decimals = nums
        .iter()
        .take(if nums.len() == 3 { 2 } else { 1 })
        .map(|n| n.split_once('.').map(|(_, d)| d.len()).unwrap_or(0))
        .max()
        .unwrap_or(0);
    let mut items = Vec::new();
    let mut k = 0f64;
    loop {
        let v = first + k * step;
        if (step > 0.0 && v > last + 1e-9)
            || (step < 0.0 && v < last - 1e-9)
            || items.len() > 10_000_000
        {
            break;
        }
        items.push(format!("{v:.decimals$}"));
        k += 1.0;
    }
    if width {
        let w = items.iter().map(|s| s.len()).max().unwrap_or(0);
        items = items
            .into_iter()
            .map(|s| match s.strip_prefix('-') {
                Some(d) => format!("-{d:0>w$}", w = w - 1),
                None => format!("{s:0>w$}"),
            })
            .collect();
    }
    if items.is_empty() {
        return 0;
    }
    ctx.out(format!("{}\n", items.join(&sep)));
    0
}
