//! Time as a server sees it: a clock it is handed (virtual in simulation,
//! the system clock in a daemon), a per-host skew, and the time zone every
//! printed date is rendered in.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Source of "now" in epoch milliseconds.
pub type TimeSource = Arc<dyn Fn() -> i64 + Send + Sync>;

/// A host's clock: a shared time source plus this host's skew.
#[derive(Clone)]
pub struct Clock {
    source: TimeSource,
    skew_ms: Arc<AtomicI64>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clock").field("now", &self.now()).finish()
    }
}

impl Clock {
    /// A clock reading `source` (epoch milliseconds).
    pub fn new(source: TimeSource) -> Self {
        Clock {
            source,
            skew_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    /// The machine's real clock.
    pub fn system() -> Self {
        Clock::new(Arc::new(|| Timestamp::now().as_millisecond()))
    }

    /// A clock stopped at `epoch_secs` (tests and offline tools).
    pub fn fixed(epoch_secs: i64) -> Self {
        Clock::new(Arc::new(move || epoch_secs * 1000))
    }

    /// Current time, epoch seconds.
    pub fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }

    /// Current time, epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        (self.source)() + self.skew_ms.load(Ordering::Relaxed)
    }

    /// Sets how far this host's clock is ahead (positive) or behind.
    pub fn set_skew_secs(&self, secs: i64) {
        self.skew_ms.store(secs * 1000, Ordering::Relaxed);
    }

    /// The current skew in seconds.
    pub fn skew_secs(&self) -> i64 {
        self.skew_ms.load(Ordering::Relaxed) / 1000
    }
}

/// A time zone for rendering dates, from a `TZ` value.
#[derive(Debug, Clone)]
pub struct Zone {
    tz: TimeZone,
}

impl Default for Zone {
    fn default() -> Self {
        Zone { tz: TimeZone::UTC }
    }
}

impl Zone {
    /// Interprets a `TZ` value as the C library does: an IANA name
    /// (`Asia/Tokyo`, with or without a leading `:`), or a POSIX rule
    /// (`JST-9`). Unknown names fall back to UTC, as glibc does.
    pub fn from_tz(tz: Option<&str>) -> Zone {
        let Some(name) = tz.map(str::trim).filter(|s| !s.is_empty()) else {
            return Zone::default();
        };
        let name = name.trim_start_matches(':');
        if let Ok(tz) = TimeZone::get(name) {
            return Zone { tz };
        }
        if let Ok(tz) = TimeZone::posix(name) {
            return Zone { tz };
        }
        Zone::default()
    }

    /// True when the zone name is known (used to warn about typos).
    pub fn is_known(tz: &str) -> bool {
        let name = tz.trim().trim_start_matches(':');
        TimeZone::get(name).is_ok() || TimeZone::posix(name).is_ok()
    }

    fn zoned(&self, epoch: i64) -> jiff::Zoned {
        let ts = Timestamp::from_second(epoch).unwrap_or(Timestamp::UNIX_EPOCH);
        ts.to_zoned(self.tz.clone())
    }

    /// `2019/10/18 14:01:42`: p4d's date-time format.
    pub fn datetime(&self, epoch: i64) -> String {
        self.zoned(epoch).strftime("%Y/%m/%d %H:%M:%S").to_string()
    }

    /// `2019/10/18`: p4d's date format.
    pub fn date(&self, epoch: i64) -> String {
        self.zoned(epoch).strftime("%Y/%m/%d").to_string()
    }

    /// `+0900 JST`: the offset and abbreviation p4d prints after a date.
    pub fn offset_and_name(&self, epoch: i64) -> String {
        self.zoned(epoch).strftime("%z %Z").to_string()
    }

    /// `2019/10/18 14:01:42 +0900 JST`.
    pub fn datetime_with_zone(&self, epoch: i64) -> String {
        format!("{} {}", self.datetime(epoch), self.offset_and_name(epoch))
    }

    /// Formats with an arbitrary strftime pattern.
    pub fn strftime(&self, epoch: i64, pattern: &str) -> String {
        self.zoned(epoch).strftime(pattern).to_string()
    }

    /// Seconds east of UTC at `epoch`.
    pub fn offset_secs(&self, epoch: i64) -> i32 {
        let ts = Timestamp::from_second(epoch).unwrap_or(Timestamp::UNIX_EPOCH);
        self.tz.to_offset(ts).seconds()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_dates_like_p4d() {
        let tokyo = Zone::from_tz(Some("Asia/Tokyo"));
        // 2019/10/18 14:01:42 JST
        let t = 1_571_374_902;
        assert_eq!(tokyo.datetime_with_zone(t), "2019/10/18 14:01:42 +0900 JST");
        assert_eq!(
            Zone::from_tz(None).datetime_with_zone(t),
            "2019/10/18 05:01:42 +0000 UTC"
        );
        assert_eq!(Zone::from_tz(Some("Not/AZone")).offset_secs(t), 0);
    }

    #[test]
    fn skew_moves_one_host_only() {
        let base = Clock::fixed(1000);
        let other = Clock::new(base.source.clone());
        base.set_skew_secs(-30);
        assert_eq!(base.now(), 970);
        assert_eq!(other.now(), 1000);
    }
}
