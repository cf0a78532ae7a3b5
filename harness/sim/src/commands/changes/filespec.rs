//! File arguments: a path in depot (`//depot/...`), client (`//ws/...`)
//! or local syntax, optionally followed by a revision (`#3`, `#head`,
//! `#have`, `#none`, `@5`, `@2019/10/18`) or a range (`#1,#3`, `@2,@5`).

use crate::clock::Zone;
use crate::commands::CmdError;

/// One end of a revision specification.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RevSpec {
    /// `#n` (`#0` and `#none` are `Num(0)`).
    Num(i64),
    /// `#head`.
    Head,
    /// `#have`: the client's have revision.
    Have,
    /// `@n`: as of change n.
    Change(i64),
    /// `@yyyy/mm/dd[:hh:mm:ss]`: as of that time (epoch seconds).
    Date(i64),
}

/// A parsed file argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FileArg {
    /// The argument as typed (for messages).
    pub text: String,
    /// The path part.
    pub path: String,
    /// `None`: no revision given; `Some((None, r))`: one revision;
    /// `Some((Some(a), b))`: the range `a,b`.
    pub rev: Option<(Option<RevSpec>, RevSpec)>,
}

impl FileArg {
    /// `//CLIENT/...`: every file of a workspace, what commands take when
    /// given no file arguments.
    pub(crate) fn whole_workspace(client: &str) -> FileArg {
        let path = format!("//{client}/...");
        FileArg {
            text: path.clone(),
            path,
            rev: None,
        }
    }

    /// The warning for an argument that selected nothing, by the kind of
    /// revision it named.
    pub fn none_at_rev(&self) -> String {
        let what = match self.rev {
            Some((None, RevSpec::Change(_))) => "no file(s) at that changelist number.",
            Some((None, RevSpec::Date(_))) => "no file(s) as of that date.",
            Some((None, RevSpec::Have)) => "file(s) not on client.",
            Some((None, _)) => "no file(s) at that revision.",
            _ => "no such file(s).",
        };
        format!("{} - {what}", self.text)
    }
}

fn parse_one(text: &str, marker: char, whole: &str, zone: &Zone) -> Result<RevSpec, CmdError> {
    let bad = || CmdError::failed(format!("Unintelligible revision specification '{whole}'."));
    if marker == '#' {
        return match text {
            "head" => Ok(RevSpec::Head),
            "have" => Ok(RevSpec::Have),
            "none" => Ok(RevSpec::Num(0)),
            n => n
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .map(RevSpec::Num)
                .ok_or_else(bad),
        };
    }
    if let Ok(n) = text.parse::<i64>() {
        return Ok(RevSpec::Change(n));
    }
    match text {
        "now" => return Ok(RevSpec::Date(i64::MAX)),
        "head" => return Ok(RevSpec::Head),
        _ => {}
    }
    // yyyy/mm/dd[:hh:mm:ss] or yyyy/mm/dd hh:mm:ss, in the server's zone.
    let normalized = text.replacen(':', " ", 1);
    let (d, t) = normalized
        .split_once(' ')
        .unwrap_or((&normalized, "00:00:00"));
    let parts: Vec<&str> = d.split('/').collect();
    let tparts: Vec<&str> = t.split(':').collect();
    if parts.len() != 3 || tparts.len() != 3 {
        return Err(CmdError::failed(format!(
            "Invalid changelist/client/label/date '@{text}'."
        )));
    }
    let num = |s: &str| {
        s.parse::<i64>().map_err(|_| {
            CmdError::failed(format!("Invalid changelist/client/label/date '@{text}'."))
        })
    };
    let (y, mo, da) = (num(parts[0])?, num(parts[1])?, num(parts[2])?);
    let (h, mi, s) = (num(tparts[0])?, num(tparts[1])?, num(tparts[2])?);
    let local = jiff::civil::DateTime::new(
        i16::try_from(y).map_err(|_| bad())?,
        i8::try_from(mo).map_err(|_| bad())?,
        i8::try_from(da).map_err(|_| bad())?,
        i8::try_from(h).map_err(|_| bad())?,
        i8::try_from(mi).map_err(|_| bad())?,
        i8::try_from(s).map_err(|_| bad())?,
        0,
    )
    .map_err(|_| CmdError::failed(format!("Invalid changelist/client/label/date '@{text}'.")))?;
    // The zone's offset at that moment (close enough across DST edges).
    let guess = local
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .map_err(|_| bad())?;
    Ok(RevSpec::Date(guess - i64::from(zone.offset_secs(guess))))
}

/// Splits a file argument into path and revision.
pub(crate) fn parse_arg(arg: &str, zone: &Zone) -> Result<FileArg, CmdError> {
    let Some(at) = arg.find(['#', '@']) else {
        return Ok(FileArg {
            text: arg.to_string(),
            path: arg.to_string(),
            rev: None,
        });
    };
    let path = &arg[..at];
    let spec = &arg[at..];
    let marker = spec.chars().next().unwrap_or('#');
    let (first, second) = match spec.split_once(',') {
        Some((a, b)) => (a, Some(b)),
        None => (spec, None),
    };
    let one = parse_one(&first[1..], marker, arg, zone)?;
    let rev = match second {
        None => (None, one),
        Some(b) => {
            let (m2, body) = match b.chars().next() {
                Some(c @ ('#' | '@')) => (c, &b[1..]),
                _ => (marker, b),
            };
            (Some(one), parse_one(body, m2, arg, zone)?)
        }
    };
    Ok(FileArg {
        text: arg.to_string(),
        path: path.to_string(),
        rev: Some(rev),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn revisions_and_ranges_parse() {
        let z = Zone::from_tz(Some("Asia/Tokyo"));
        let a = parse_arg("//depot/...#3", &z).unwrap();
        assert_eq!(a.path, "//depot/...");
        assert_eq!(a.rev, Some((None, RevSpec::Num(3))));
        let a = parse_arg("//depot/...@2,@5", &z).unwrap();
        assert_eq!(a.rev, Some((Some(RevSpec::Change(2)), RevSpec::Change(5))));
        let a = parse_arg("a.txt#1,3", &z).unwrap();
        assert_eq!(a.rev, Some((Some(RevSpec::Num(1)), RevSpec::Num(3))));
        assert_eq!(
            parse_arg("x#none", &z).unwrap().rev,
            Some((None, RevSpec::Num(0)))
        );
        assert_eq!(
            parse_arg("x@2019/10/18", &z).unwrap().rev,
            Some((None, RevSpec::Date(1_571_324_400)))
        );
        assert_eq!(parse_arg("x", &z).unwrap().rev, None);
        assert_eq!(
            parse_arg("x#bogus", &z).unwrap_err().text,
            "Unintelligible revision specification 'x#bogus'."
        );
        assert_eq!(
            parse_arg("//depot/x@2", &z).unwrap().none_at_rev(),
            "//depot/x@2 - no file(s) at that changelist number."
        );
    }
}
