//! `date`.

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::Ctx;
use super::args::{Spec, Takes};
use super::time_fmt::{broken_down, strftime};
use crate::quote::gnu;

const LONG: &[(&str, Takes, char)] = &[
    ("date", Takes::Required, 'd'),
    ("reference", Takes::Required, 'r'),
    ("utc", Takes::No, 'u'),
    ("universal", Takes::No, 'u'),
    ("rfc-email", Takes::No, 'R'),
    ("rfc-2822", Takes::No, 'R'),
    ("iso-8601", Takes::Optional, 'I'),
    ("rfc-3339", Takes::Required, '3'),
    ("set", Takes::Required, 's'),
];

pub(crate) fn date(ctx: &mut Ctx, argv: &[String]) -> i32 {
    // `-I` takes an optional attached argument (`-Iseconds`).
    let mut iso: Option<String> = None;
    let mut rest = Vec::new();
    for a in &argv[1..] {
        if let Some(v) = a.strip_prefix("-I") {
            iso = Some(v.to_string());
        } else {
            rest.push(a.clone());
        }
    }
    let mut full = vec![argv[0].clone()];
    full.extend(rest);
    let spec = Spec {
        flags: "uR",
        with_arg: "drs",
        long: LONG,
        stop_at_operand: false,
    };
    let parsed = match ctx.parse(&full, &spec, 1) {
        Ok(p) => p,
        Err(s) => return s,
    };
    if let Some(v) = parsed.opts.iter().find(|(k, _)| *k == 'I') {
        iso = Some(v.1.clone().unwrap_or_default());
    }
    if parsed.has('s') {
        ctx.err("cannot set date: Operation not permitted");
        return 1;
    }
    let tz = if parsed.has('u') {
        TimeZone::UTC
    } else {
        ctx.tz()
    };
    let mut format = None;
    for op in &parsed.operands {
        match op.strip_prefix('+') {
            Some(f) if format.is_none() => format = Some(f.to_string()),
            Some(_) => {
                return ctx.usage(format!("extra operand {}", gnu(op)), 1);
            }
            None if parsed.has('d') || parsed.has('r') => {
                return ctx.usage(
                    format!(
                        "the argument {} lacks a leading '+';\nwhen using an option to specify date(s), any non-option\nargument must be a format string beginning with '+'",
                        gnu(op)
                    ),
                    1,
                );
            }
            None => {
                ctx.err(format!("invalid date {}", gnu(op)));
                return 1;
            }
        }
    }
    let epoch = if let Some(d) = parsed.value('d') {
        match parse_date(d, ctx.now(), &tz) {
            Some(t) => t,
            None => {
                ctx.err(format!("invalid date {}", gnu(d)));
                return 1;
            }
        }
    } else if let Some(f) = parsed.value('r') {
        match crate::fsx::stat(ctx.fs, &ctx.path(f)) {
            Ok(m) => m.mtime,
            Err(e) => {
                ctx.err(format!("{}: {}", f, crate::errno::text(&e)));
                return 1;
            }
        }
    } else {
        ctx.now()
    };
    let fmt = if let Some(f) = format {
        f
    } else if let Some(level) = iso {
        match level.as_str() {
            "" | "date" => "%Y-%m-%d".into(),
            "hours" => "%Y-%m-%dT%H%:z".into(),
            "minutes" => "%Y-%m-%dT%H:%M%:z".into(),
            "seconds" => "%Y-%m-%dT%H:%M:%S%:z".into(),
            "ns" => "%Y-%m-%dT%H:%M:%S,%N%:z".into(),
            other => {
                ctx.err(format!("invalid argument {} for '--iso-8601'", gnu(other)));
                return 1;
            }
        }
    } else if let Some(level) = parsed.value('3') {
        match level {
            "date" => "%Y-%m-%d".into(),
            "seconds" => "%Y-%m-%d %H:%M:%S%:z".into(),
            "ns" => "%Y-%m-%d %H:%M:%S.%N%:z".into(),
            other => {
                ctx.err(format!("invalid argument {} for '--rfc-3339'", gnu(other)));
                return 1;
            }
        }
    } else if parsed.has('R') {
        "%a, %d %b %Y %H:%M:%S %z".into()
    } else {
        "%a %b %e %H:%M:%S %Z %Y".into()
    };
    let tm = broken_down(epoch, &tz);
    let text = strftime(&fmt, &tm);
    ctx.out(format!("{text}\n"));
    0
}

/// The date strings scripts use: `@EPOCH`, `now`, `today`,
/// `YYYY-MM-DD [HH:MM[:SS]]`, and `N unit(s) ago` / `+N unit(s)`.
fn parse_date(s: &str, now: i64, tz: &TimeZone) -> Option<i64> {
    let t = s.trim();
    if let Some(e) = t.strip_prefix('@') {
        return e.parse().ok();
    }
    if t.is_empty() || t == "now" || t == "today" {
        return Some(now);
    }
    if t == "yesterday" {
        return Some(now - 86_400);
    }
    if t == "tomorrow" {
        return Some(now + 86_400);
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    if let [n, unit, rest @ ..] = words.as_slice()
        && let Ok(n) = n.trim_start_matches('+').parse::<i64>()
        && let Some(secs) = unit_seconds(unit)
    {
        let sign = match rest {
            ["ago"] => -1,
            [] => 1,
            _ => return None,
        };
        return Some(now + sign * n * secs);
    }
    let normal = t.replace('/', "-").replacen('T', " ", 1);
    let candidates = [
        normal.clone(),
        format!("{normal}:00"),
        format!("{normal} 00:00:00"),
    ];
    for c in candidates {
        if let Ok(dt) = c.replacen(' ', "T", 1).parse::<DateTime>()
            && let Ok(z) = dt.to_zoned(tz.clone())
        {
            return Some(z.timestamp().as_second());
        }
    }
    None
}

fn unit_seconds(unit: &str) -> Option<i64> {
    Some(match unit.trim_end_matches('s') {
        "sec" | "second" => 1,
        "min" | "minute" => 60,
        "hour" => 3600,
        "day" => 86_400,
        "week" => 604_800,
        _ => return None,
    })
}
