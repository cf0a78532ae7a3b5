//! Times as GNU tools print them, in the C locale: `date +FORMAT` and
//! `ls -l`'s date column.

use jiff::Timestamp;
use jiff::tz::TimeZone;

const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The zone a `TZ` value names: an IANA name (from the bundled database)
/// or a POSIX rule like `JST-9`. An unknown value is UTC, as glibc makes
/// of it (glibc would also show the unknown name as the abbreviation).
pub(crate) fn zone_from_tz(tz: &str) -> TimeZone {
    let name = tz.strip_prefix(':').unwrap_or(tz);
    if name.is_empty() {
        return TimeZone::UTC;
    }
    if let Ok(z) = TimeZone::get(name) {
        return z;
    }
    TimeZone::posix(name).unwrap_or(TimeZone::UTC)
}

/// Broken-down time.
pub(crate) struct Tm {
    pub epoch: i64,
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    /// 0 = Monday.
    pub weekday0: usize,
    pub yday: u16,
    pub offset: i32,
    pub abbrev: String,
    pub iso_year: i32,
    pub iso_week: u8,
}

pub(crate) fn broken_down(epoch: i64, tz: &TimeZone) -> Tm {
    let ts = Timestamp::from_second(epoch).unwrap_or(Timestamp::UNIX_EPOCH);
    let zoned = ts.to_zoned(tz.clone());
    let info = tz.to_offset_info(ts);
    let dt = zoned.datetime();
    let date = dt.date();
    let iso = date.iso_week_date();
    Tm {
        epoch,
        year: i32::from(dt.year()),
        month: dt.month() as u8,
        day: dt.day() as u8,
        hour: dt.hour() as u8,
        minute: dt.minute() as u8,
        second: dt.second() as u8,
        weekday0: date.weekday().to_monday_zero_offset() as usize,
        yday: date.day_of_year() as u16,
        offset: info.offset().seconds(),
        abbrev: info.abbreviation().to_string(),
        iso_year: i32::from(iso.year()),
        iso_week: iso.week() as u8,
    }
}

/// Formats like GNU `date +FORMAT` (flags `-`, `_`, `0`, `^`; `%:z`).
pub(crate) fn strftime(fmt: &str, tm: &Tm) -> String {
    let chars: Vec<char> = fmt.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '%' {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        let mut pad: Option<char> = None;
        let mut upper = false;
        while i < chars.len() && matches!(chars[i], '-' | '_' | '0' | '^' | '#') {
            match chars[i] {
                '-' => pad = Some('\0'),
                '_' => pad = Some(' '),
                '0' => pad = Some('0'),
                '^' => upper = true,
                _ => {}
            }
            i += 1;
        }
        let mut colons = 0;
        while i < chars.len() && chars[i] == ':' {
            colons += 1;
            i += 1;
        }
        let Some(&c) = chars.get(i) else {
            out.extend(&chars[start..]);
            break;
        };
        i += 1;
        let num = |v: i64, width: usize, default_pad: char| -> String {
            let p = pad.unwrap_or(default_pad);
            match p {
                '\0' => v.to_string(),
                ' ' => format!("{v:>width$}"),
                _ => format!("{v:0width$}"),
            }
        };
        let hour12 = |h: u8| -> i64 {
            let h = h % 12;
            if h == 0 { 12 } else { i64::from(h) }
        };
        let text = match c {
            'a' => DAYS[tm.weekday0][..3].to_string(),
            'A' => DAYS[tm.weekday0].to_string(),
            'b' | 'h' => MONTHS[usize::from(tm.month - 1)][..3].to_string(),
            'B' => MONTHS[usize::from(tm.month - 1)].to_string(),
            'c' => strftime("%a %b %e %H:%M:%S %Y", tm),
            'C' => num(i64::from(tm.year / 100), 2, '0'),
            'd' => num(i64::from(tm.day), 2, '0'),
            'D' | 'x' => strftime("%m/%d/%y", tm),
            'e' => num(i64::from(tm.day), 2, ' '),
            'F' => strftime("%Y-%m-%d", tm),
            'g' => num(i64::from(tm.iso_year % 100), 2, '0'),
            'G' => num(i64::from(tm.iso_year), 4, '0'),
            'H' => num(i64::from(tm.hour), 2, '0'),
            'I' => num(hour12(tm.hour), 2, '0'),
            'j' => num(i64::from(tm.yday), 3, '0'),
            'k' => num(i64::from(tm.hour), 2, ' '),
            'l' => num(hour12(tm.hour), 2, ' '),
            'm' => num(i64::from(tm.month), 2, '0'),
            'M' => num(i64::from(tm.minute), 2, '0'),
            'n' => "\n".to_string(),
            'N' => "000000000".to_string(),
            'p' => if tm.hour < 12 { "AM" } else { "PM" }.to_string(),
            'P' => if tm.hour < 12 { "am" } else { "pm" }.to_string(),
            'r' => strftime("%I:%M:%S %p", tm),
            'R' => strftime("%H:%M", tm),
            's' => tm.epoch.to_string(),
            'S' => num(i64::from(tm.second), 2, '0'),
            't' => "\t".to_string(),
            'T' | 'X' => strftime("%H:%M:%S", tm),
            'u' => (tm.weekday0 + 1).to_string(),
            'w' => ((tm.weekday0 + 1) % 7).to_string(),
            'U' => {
                let wday = (tm.weekday0 + 1) % 7;
                num((i64::from(tm.yday) - 1 + 7 - wday as i64) / 7, 2, '0')
            }
            'W' => {
                let wday = tm.weekday0 as i64;
                num((i64::from(tm.yday) - 1 + 7 - wday) / 7, 2, '0')
            }
            'V' => num(i64::from(tm.iso_week), 2, '0'),
            'y' => num(i64::from(tm.year % 100), 2, '0'),
            'Y' => num(i64::from(tm.year), 1, '0'),
            'z' => {
                let sign = if tm.offset < 0 { '-' } else { '+' };
                let a = tm.offset.abs();
                let (h, m, s) = (a / 3600, (a % 3600) / 60, a % 60);
                match colons {
                    0 => format!("{sign}{h:02}{m:02}"),
                    1 => format!("{sign}{h:02}:{m:02}"),
                    _ => format!("{sign}{h:02}:{m:02}:{s:02}"),
                }
            }
            'Z' => tm.abbrev.clone(),
            '%' => "%".to_string(),
            _ => chars[start..i].iter().collect(),
        };
        if upper {
            out.push_str(&text.to_uppercase());
        } else {
            out.push_str(&text);
        }
    }
    out
}

/// `ls -l`'s time column: `Oct 10 16:48`, or `Oct 10  2018` for a time
/// more than six months old or in the future.
pub(crate) fn ls_time(mtime: i64, now: i64, tz: &TimeZone) -> String {
    // GNU: half of an average Gregorian year.
    const SIX_MONTHS: i64 = 31_556_952 / 2;
    let tm = broken_down(mtime, tz);
    if now - SIX_MONTHS < mtime && mtime <= now {
        strftime("%b %e %H:%M", &tm)
    } else {
        strftime("%b %e  %Y", &tm)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_gnu_date() {
        let tz = zone_from_tz("Asia/Tokyo");
        let tm = broken_down(1_570_693_680, &tz);
        assert_eq!(
            strftime("%a %b %e %H:%M:%S %Z %Y", &tm),
            "Thu Oct 10 16:48:00 JST 2019"
        );
        assert_eq!(
            strftime("%s %z %:z %F %-d %j", &tm),
            "1570693680 +0900 +09:00 2019-10-10 10 283"
        );
        let utc = broken_down(0, &zone_from_tz("UTC"));
        assert_eq!(
            strftime("%Y-%m-%d %H:%M:%S %Z", &utc),
            "1970-01-01 00:00:00 UTC"
        );
        assert_eq!(strftime("%Q", &utc), "%Q");
    }

    #[test]
    fn ls_uses_the_year_for_old_files() {
        let tz = zone_from_tz("UTC");
        assert_eq!(ls_time(1_570_693_680, 1_570_693_700, &tz), "Oct 10 07:48");
        assert_eq!(
            ls_time(1_570_693_680, 1_570_693_680 + 200 * 86400, &tz),
            "Oct 10  2019"
        );
        assert_eq!(
            ls_time(1_570_693_680 + 100, 1_570_693_680, &tz),
            "Oct 10  2019"
        );
    }

    #[test]
    fn posix_tz_rules() {
        let tm = broken_down(0, &zone_from_tz("JST-9"));
        assert_eq!(strftime("%H %Z", &tm), "09 JST");
    }
}
