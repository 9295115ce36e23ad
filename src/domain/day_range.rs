use chrono::{Days, NaiveDate};

use super::InvalidInput;

/// Parses `YYYY-MM-DD` strictly: exactly that shape, and a day that exists.
pub fn parse_day(param: &'static str, raw: &str) -> Result<NaiveDate, InvalidInput> {
    let b = raw.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(InvalidInput::new(
            param,
            format!("{:?} is not a date in YYYY-MM-DD format", truncate(raw)),
        ));
    }
    // The shape check guarantees ASCII digits, so these parses cannot fail.
    let num = |r: std::ops::Range<usize>| raw[r].parse::<u32>().unwrap_or(0);
    // Year 0 does not exist in PostgreSQL's calendar (1 BC is followed by AD 1).
    Some(num(0..4))
        .filter(|year| *year >= 1)
        .and_then(|year| NaiveDate::from_ymd_opt(year as i32, num(5..7), num(8..10)))
        .ok_or_else(|| InvalidInput::new(param, format!("{raw} is not a valid calendar date")))
}

/// Keeps error messages short whatever the client sent.
fn truncate(raw: &str) -> &str {
    match raw.char_indices().nth(32) {
        Some((i, _)) => &raw[..i],
        None => raw,
    }
}

/// An inclusive range of days, `from <= to`, at most `max_days` long.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRange {
    from: NaiveDate,
    to: NaiveDate,
}

impl DayRange {
    pub fn new(from: NaiveDate, to: NaiveDate, max_days: u32) -> Result<Self, InvalidInput> {
        if from > to {
            return Err(InvalidInput::new(
                "date_from",
                format!("{from} is after date_to {to}"),
            ));
        }
        let range = Self { from, to };
        if range.len() > u64::from(max_days) {
            return Err(InvalidInput::new(
                "date_to",
                format!(
                    "the range {from}..{to} spans {} days; the maximum is {max_days}",
                    range.len()
                ),
            ));
        }
        Ok(range)
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// Number of days, both ends included.
    pub fn len(&self) -> u64 {
        (self.to - self.from).num_days() as u64 + 1
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Days from `to` back to `from`: the order the API answers in.
    pub fn newest_first(&self) -> impl Iterator<Item = NaiveDate> + use<> {
        let from = self.from;
        std::iter::successors(Some(self.to), move |d| {
            d.checked_sub_days(Days::new(1)).filter(|d| *d >= from)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        parse_day("d", s).unwrap()
    }

    #[test]
    fn parses_strict_iso_dates() {
        assert_eq!(
            day("2021-01-31"),
            NaiveDate::from_ymd_opt(2021, 1, 31).unwrap()
        );
        assert_eq!(
            day("2024-02-29"),
            NaiveDate::from_ymd_opt(2024, 2, 29).unwrap()
        );
        for bad in [
            "",
            "2021-1-31",
            "2021/01/31",
            "21-01-31",
            "2021-01-31T00",
            "+021-01-31",
            "2021-00-10",
            "2021-13-01",
            "２０２１-01-01",
            "0000-01-01",
        ] {
            assert!(parse_day("date_from", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rejects_days_that_do_not_exist() {
        let err = parse_day("date_to", "2021-02-30").unwrap_err();
        assert_eq!(err.param, "date_to");
        assert!(err.message.contains("2021-02-30"));
        assert!(parse_day("d", "2023-02-29").is_err());
    }

    #[test]
    fn range_is_inclusive_and_bounded() {
        let r = DayRange::new(day("2021-01-01"), day("2021-01-31"), 366).unwrap();
        assert_eq!(r.len(), 31);
        let days: Vec<_> = r.newest_first().collect();
        assert_eq!(days.first(), Some(&day("2021-01-31")));
        assert_eq!(days.last(), Some(&day("2021-01-01")));
        assert_eq!(days.len(), 31);

        assert_eq!(
            DayRange::new(day("2021-01-01"), day("2021-01-01"), 1)
                .unwrap()
                .len(),
            1
        );
        assert!(DayRange::new(day("2021-01-01"), day("2021-01-02"), 1).is_err());
        assert!(DayRange::new(day("2020-01-01"), day("2020-12-31"), 366).is_ok());
        assert!(DayRange::new(day("2020-01-01"), day("2021-01-01"), 366).is_err());
    }

    #[test]
    fn reversed_range_names_date_from() {
        let err = DayRange::new(day("2021-02-01"), day("2021-01-01"), 366).unwrap_err();
        assert_eq!(err.param, "date_from");
    }

    #[test]
    fn range_at_the_calendar_edge_does_not_overflow() {
        let r = DayRange::new(day("0001-01-01"), day("0001-01-03"), 10).unwrap();
        assert_eq!(r.newest_first().count(), 3);
    }
}
