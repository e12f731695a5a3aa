//! Calendar days (UTC), for "the leaderboard as it stood at the end of a day". Parsed at the
//! boundary from `YYYY-MM-DD`; the calendar itself (month lengths, leap years) is the `time`
//! crate's. The spelling is split by hand: the browser parses view queries too, and `time`'s
//! format-description parser was 20 KB of the wasm bundle for three fixed-width numbers.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use time::{Date, Month, OffsetDateTime};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day(Date);

impl Day {
    /// `YYYY-MM-DD`, a real date from 2000 on.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let bad = || format!("`{raw}` is not a date; write YYYY-MM-DD, e.g. 2026-11-30");
        // Exactly ten characters, ASCII digits where digits go (`str::parse` alone takes a sign).
        let digits = |at: std::ops::Range<usize>| -> Option<u16> {
            let part = raw.get(at)?;
            part.bytes().all(|b| b.is_ascii_digit()).then(|| part.parse().ok())?
        };
        let b = raw.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
            return Err(bad());
        };
        let month = u8::try_from(month).ok().and_then(|m| Month::try_from(m).ok()).ok_or_else(bad)?;
        let day = u8::try_from(day).map_err(|_| bad())?;
        let date = Date::from_calendar_date(i32::from(year), month, day).map_err(|_| bad())?;
        if year < 2000 {
            return Err(bad());
        }
        Ok(Self(date))
    }

    /// The day a unix time falls on (UTC). Times outside `time`'s range clamp to its ends.
    pub fn of_unix(t: i64) -> Self {
        let at = OffsetDateTime::from_unix_timestamp(t).unwrap_or(if t < 0 {
            OffsetDateTime::UNIX_EPOCH
        } else {
            Date::MAX.midnight().assume_utc()
        });
        Self(at.date())
    }

    /// The last second of the day (UTC), inclusive.
    pub fn end_unix(self) -> i64 {
        self.0.midnight().assume_utc().unix_timestamp() + 86_399
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.0.year(), u8::from(self.0.month()), self.0.day())
    }
}

// On the wire a day is its URL spelling.
impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Day::parse(&raw).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_parse_strictly_and_end_at_the_last_second() {
        let d = Day::parse("2026-11-30").unwrap();
        assert_eq!(d.to_string(), "2026-11-30");
        // 2026-11-30T23:59:59Z
        assert_eq!(d.end_unix(), 1_796_083_199);
        assert_eq!(Day::of_unix(1_796_083_199), d);
        assert_eq!(Day::of_unix(1_796_083_200).to_string(), "2026-12-01");
        assert_eq!(
            Day::parse("2024-02-29").unwrap().end_unix() + 1,
            Day::parse("2024-03-01").unwrap().end_unix() + 1 - 86_400
        );
        for bad in [
            "2026-02-29",
            "2026-13-01",
            "2026-00-10",
            "26-11-30",
            "2026/11/30",
            "2026-11-3",
            "yesterday",
            "1999-12-31",
            "",
            "+2026-11-30",
            "02026-11-30",
            "2026-11-31",
            "2026-1a-01",
            "2026-11-0\u{663}",
            "2026-+1-01",
            "2026-11-00",
            "2026-11-30 ",
        ] {
            assert!(Day::parse(bad).is_err(), "{bad}");
        }
        assert!(Day::parse("2026-11-30").unwrap() < Day::parse("2026-12-01").unwrap());
    }

    #[test]
    fn every_day_round_trips() {
        for t in (946_684_800..1_900_000_000i64).step_by(86_400 * 13 + 3_601) {
            let d = Day::of_unix(t);
            assert!(d.end_unix() >= t && d.end_unix() - t < 86_400, "{d} {t}");
            assert_eq!(Day::parse(&d.to_string()).unwrap(), d);
        }
    }
}
