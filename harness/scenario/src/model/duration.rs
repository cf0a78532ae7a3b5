//! Durations as administrators write them: `30s`, `5m`, `1h30m`, `250ms`.

use std::time::Duration;

/// Why a text is not a duration; the message shows how durations are written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct DurationError(String);

const HINT: &str = "durations are written like 30s, 5m, 1h30m, 250ms";

/// Units from the largest to the smallest, in milliseconds.
const UNITS: [(&str, u64); 4] = [("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)];

/// Parses a duration: one or more `NUMBER UNIT` parts with units `h`, `m`,
/// `s`, `ms`, largest first, each unit at most once (`1h30m`, `2m30s`,
/// `1s500ms`). A bare number is rejected because its unit would be a guess.
pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(DurationError(format!("empty duration: {HINT}")));
    }
    match parse_parts(t) {
        Ok(ms) => Ok(Duration::from_millis(ms)),
        Err(why) => {
            // A unit spelled out (`5 minutes`) or a fraction (`1.5s`) gets the
            // right spelling suggested.
            let why = spelled_out(t)
                .filter(|fixed| fixed != t)
                .or_else(|| fraction(t))
                .map_or(why, |fixed| format!("write {fixed}"));
            let t = crate::diagnostic::clip(t);
            Err(DurationError(if why.is_empty() {
                format!("`{t}`: {HINT}")
            } else {
                format!("`{t}`: {why}; {HINT}")
            }))
        }
    }
}

/// The parts of a non-empty duration, in milliseconds, or why they are wrong.
fn parse_parts(t: &str) -> Result<u64, String> {
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("a duration needs a unit (for seconds write {t}s)"));
    }
    let mut rest = t;
    let mut total: u64 = 0;
    // Index into UNITS of the last unit seen: the next one must be smaller.
    let mut last: Option<usize> = None;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(String::new());
        }
        let (number, after) = rest.split_at(digits);
        let letters = after.bytes().take_while(u8::is_ascii_alphabetic).count();
        let (unit, after) = after.split_at(letters);
        let Some(index) = UNITS.iter().position(|(name, _)| *name == unit) else {
            return Err(if unit.is_empty() {
                format!("`{number}` has no unit")
            } else {
                format!("unknown unit `{unit}`")
            });
        };
        if last.is_some_and(|previous| index <= previous) {
            return Err("write each unit once, largest first".to_owned());
        }
        last = Some(index);
        let value = number
            .parse::<u64>()
            .map_err(|_| "the number is too large".to_owned())?;
        total = value
            .checked_mul(UNITS[index].1)
            .and_then(|ms| total.checked_add(ms))
            .ok_or_else(|| "the duration is too long".to_owned())?;
        rest = after;
    }
    Ok(total)
}

/// `5 minutes`, `30 sec`, `2hours` -> `5m`, `30s`, `2h`.
fn spelled_out(text: &str) -> Option<String> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, word) = text.split_at(digits);
    let unit = match word.trim_start().to_ascii_lowercase().as_str() {
        "ms" => "ms",
        "s" => "s",
        "m" => "m",
        "h" | "hr" | "hrs" | "hour" | "hours" => "h",
        "min" | "mins" | "minute" | "minutes" => "m",
        "sec" | "secs" | "second" | "seconds" => "s",
        "msec" | "msecs" | "millis" | "millisecond" | "milliseconds" => "ms",
        _ => return None,
    };
    (!number.is_empty()).then(|| format!("{number}{unit}"))
}

/// `1.5s` -> `1s500ms`, `0.5h` -> `30m`, when the value is a whole number
/// of milliseconds.
fn fraction(text: &str) -> Option<String> {
    let digits = text
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, unit) = text.split_at(digits);
    if !number.contains('.') {
        return None;
    }
    let size = UNITS.iter().find(|(name, _)| *name == unit)?.1;
    let value: f64 = number.parse().ok()?;
    #[allow(clippy::cast_precision_loss)]
    let ms = value * size as f64;
    if !ms.is_finite() || ms.fract() != 0.0 || !(0.0..1e15).contains(&ms) {
        return None;
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some(format_duration(Duration::from_millis(ms as u64)))
}

/// Writes a duration the way [`parse_duration`] reads it, with the largest
/// units first (`1h30m`, `2s500ms`, `0s`). Sub-millisecond parts are dropped.
pub fn format_duration(duration: Duration) -> String {
    let mut ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    if ms == 0 {
        return "0s".to_owned();
    }
    let mut out = String::new();
    for (name, size) in UNITS {
        let count = ms / size;
        if count > 0 {
            out.push_str(&format!("{count}{name}"));
            ms %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn reads_the_documented_forms() {
        assert_eq!(parse_duration("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("5m"), Ok(Duration::from_secs(300)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
    }

    #[test]
    fn explains_what_is_wrong() {
        let e = |t: &str| parse_duration(t).unwrap_err().to_string();
        assert_eq!(
            e("5 minutes"),
            "`5 minutes`: write 5m; durations are written like 30s, 5m, 1h30m, 250ms"
        );
        assert_eq!(
            e("60"),
            "`60`: a duration needs a unit (for seconds write 60s); durations are written like 30s, 5m, 1h30m, 250ms"
        );
        assert_eq!(
            e("5min"),
            "`5min`: write 5m; durations are written like 30s, 5m, 1h30m, 250ms"
        );
        assert_eq!(
            e("5d"),
            "`5d`: unknown unit `d`; durations are written like 30s, 5m, 1h30m, 250ms"
        );
        assert_eq!(
            e("5 s"),
            "`5 s`: write 5s; durations are written like 30s, 5m, 1h30m, 250ms"
        );
        assert_eq!(
            e("30s1m"),
            "`30s1m`: write each unit once, largest first; durations are written like 30s, 5m, 1h30m, 250ms"
        );
        assert_eq!(
            e("1.5s"),
            "`1.5s`: write 1s500ms; durations are written like 30s, 5m, 1h30m, 250ms"
        );
        assert!(e("1.0001ms").starts_with("`1.0001ms`: `1` has no unit"));
        assert!(e("-1s").starts_with("`-1s`"));
        assert!(e("99999999999999999999h").contains("too large"));
        assert!(e("9999999999999999h").contains("too long"));
    }

    /// Durations built from parts, written in the canonical form.
    fn parts() -> impl Strategy<Value = (u64, u64, u64, u64)> {
        (0u64..1000, 0u64..60, 0u64..60, 0u64..1000)
    }

    proptest! {
        #[test]
        fn never_panics(text in ".{0,24}") {
            let _ = parse_duration(&text);
        }

        #[test]
        fn never_panics_on_duration_like_text(text in "[0-9hms ]{0,12}") {
            let _ = parse_duration(&text);
        }

        #[test]
        fn parts_add_up((h, m, s, ms) in parts()) {
            let mut text = String::new();
            for (count, unit) in [(h, "h"), (m, "m"), (s, "s"), (ms, "ms")] {
                if count > 0 {
                    text.push_str(&format!("{count}{unit}"));
                }
            }
            prop_assume!(!text.is_empty());
            let expected = Duration::from_millis(((h * 60 + m) * 60 + s) * 1000 + ms);
            prop_assert_eq!(parse_duration(&text), Ok(expected));
            prop_assert_eq!(format_duration(expected), text);
        }

        #[test]
        fn format_then_parse_round_trips(ms in 0u64..10_000_000_000) {
            let d = Duration::from_millis(ms);
            prop_assert_eq!(parse_duration(&format_duration(d)), Ok(d));
        }
    }
}
