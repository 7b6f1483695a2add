//! Dates as feeds really write them. RFC 822 (RSS) and RFC 3339 (Atom) on paper; in the wild
//! `… UTC`, `25 July 2011`, `Tue 11 Jan 2011` without its comma, `+07:00` in an RFC 822 date, a
//! one-digit hour, a full weekday, a weekday that does not match the date, the Vietnamese
//! newspapers' `GMT+7`, ISO dates without seconds or zone. The weekday is never trusted (it
//! says nothing the date does not); a date without a zone is local time in the feed's zone.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone};
use regex::Regex;

static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(\d{4})-?(\d{2})-?(\d{2})(?:[T ]+(\d{1,2}):?(\d{2})(?::?(\d{2})(?:[.,]\d+)?)?)?\s*([A-Z]{1,4}|[A-Z]{0,4}\s*[+-]\d{1,2}(?::?\d{2})?)?$",
    )
    .expect("static regex")
});
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(\d{1,2})[:.](\d{2})(?:[:.](\d{2})(?:[.,]\d+)?)?(?:\s*(am|pm))?").expect("static regex")
});

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// `text` as a date, or `None`. `zone` is the offset of a date that names none.
pub fn parse(text: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    iso(text, zone).or_else(|| rfc822(text, zone))
}

/// RFC 3339 and the ISO 8601 forms around it: `2024-04-05`, `2024-04-05T08:15`,
/// `20240405T081500Z`, `2024-04-05 08:15:00 +0700`.
fn iso(text: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let caps = ISO.captures(text)?;
    let n = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
    let date = NaiveDate::from_ymd_opt(i32::try_from(n(1)?).ok()?, n(2)?, n(3)?)?;
    let time = match n(4) {
        Some(hour) => NaiveTime::from_hms_opt(hour, n(5)?, n(6).unwrap_or(0))?,
        None => NaiveTime::MIN,
    };
    let zone = match caps.get(7) {
        Some(z) => offset(z.as_str())?,
        None => zone,
    };
    zone.from_local_datetime(&date.and_time(time)).single()
}

/// The RFC 822 family, tolerant of order and spelling: weekday (ignored), day and month in
/// either order, year of two or four digits, time with an optional `am`/`pm`, zone.
fn rfc822(text: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    let cleaned = text.replace(',', " ");
    let mut tokens: Vec<&str> = cleaned.split_whitespace().collect();
    // Weekday names and anything else alphabetic before the date, in any language.
    while tokens.first().is_some_and(|t| month(t).is_none() && t.chars().all(|c| c.is_alphabetic() || c == '.')) {
        tokens.remove(0);
    }
    let (day, month, year, rest) = match tokens.as_slice() {
        [d, m, y, rest @ ..] if month(m).is_some() => (d.parse().ok()?, month(m)?, year(y)?, rest),
        [m, d, y, rest @ ..] if month(m).is_some() => (d.parse().ok()?, month(m)?, year(y)?, rest),
        _ => return None,
    };
    let mut date = NaiveDate::from_ymd_opt(year, month, day)?;
    let rest = rest.join(" ");
    let (time, rest) = match TIME.captures(&rest) {
        Some(caps) => {
            let n = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
            let mut hour = n(1)?;
            match caps.get(4).map(|m| m.as_str().to_ascii_lowercase()).as_deref() {
                Some("pm") if hour < 12 => hour += 12,
                Some("am") if hour == 12 => hour = 0,
                _ => {}
            }
            // `24:00` is the end of the day some generators write for midnight.
            if hour == 24 {
                hour = 0;
                date = date.succ_opt()?;
            }
            (NaiveTime::from_hms_opt(hour, n(2)?, n(3).unwrap_or(0))?, rest[caps.get(0)?.end()..].trim())
        }
        None => (NaiveTime::MIN, rest.as_str()),
    };
    let zone = if rest.is_empty() { zone } else { offset(rest)? };
    zone.from_local_datetime(&date.and_time(time)).single()
}

fn month(token: &str) -> Option<u32> {
    let token = token.trim_end_matches('.').to_ascii_lowercase();
    if token.len() < 3 {
        return None;
    }
    let index = MONTHS.iter().position(|m| token.starts_with(m))?;
    // `march`, `sept`: a longer word must still be the month's name.
    let full = [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ];
    (token.len() == 3 || full[index].starts_with(&token) || token == "sept").then_some(index as u32 + 1)
}

fn year(token: &str) -> Option<i32> {
    let year: i32 = token.parse().ok()?;
    match token.len() {
        4 => Some(year),
        // RFC 822's two-digit years, read the way RFC 2822 says to.
        2 if year < 50 => Some(2000 + year),
        2 => Some(1900 + year),
        _ => None,
    }
}

/// A zone as feeds name it: `Z`, `UT`, `UTC`, `GMT`, `+0700`, `+07:00`, `+7`, `GMT+7`,
/// `UTC+07:00`, or one of the abbreviations feeds use most (North American zones from RFC 822,
/// `ICT` for Indochina Time).
fn offset(text: &str) -> Option<FixedOffset> {
    let text = text.trim();
    let upper = text.to_ascii_uppercase();
    let named = |hours: i32| FixedOffset::east_opt(hours * 3600);
    match upper.as_str() {
        "Z" | "UT" | "UTC" | "GMT" => return named(0),
        "ICT" => return named(7),
        "EST" => return named(-5),
        "EDT" | "CST" => return named(if upper == "EDT" { -4 } else { -6 }),
        "CDT" | "MST" => return named(if upper == "CDT" { -5 } else { -7 }),
        "MDT" | "PST" => return named(if upper == "MDT" { -6 } else { -8 }),
        "PDT" => return named(-7),
        "CET" | "BST" => return named(1),
        "CEST" => return named(2),
        "JST" | "KST" => return named(9),
        _ => {}
    }
    let numeric = upper.trim_start_matches("GMT").trim_start_matches("UTC").trim_start_matches("UT").trim();
    let sign = match numeric.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = numeric[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (hours, minutes): (i32, i32) = match digits.len() {
        1 | 2 => (digits.parse().ok()?, 0),
        3 => (digits[..1].parse().ok()?, digits[1..].parse().ok()?),
        4 => (digits[..2].parse().ok()?, digits[2..].parse().ok()?),
        _ => return None,
    };
    if hours > 14 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Option<String> {
        parse(text, crate::model::vietnam()).map(|d| d.to_rfc3339())
    }

    #[test]
    fn rfc822_and_what_feeds_write_instead() {
        for (text, want) in [
            ("Fri, 05 Apr 2024 08:15:00 +0700", "2024-04-05T08:15:00+07:00"),
            ("Fri, 05 Apr 2024 01:15:00 UTC", "2024-04-05T01:15:00+00:00"),
            ("Fri, 05 Apr 2024 01:15:00 GMT", "2024-04-05T01:15:00+00:00"),
            ("25 July 2011", "2011-07-25T00:00:00+07:00"),
            ("Tue 11 Jan 2011 10:00:00 +0000", "2011-01-11T10:00:00+00:00"),
            ("Fri, 05 Apr 2024 08:15:00 +07:00", "2024-04-05T08:15:00+07:00"),
            ("Fri, 5 Apr 2024 9:38:00 +0700", "2024-04-05T09:38:00+07:00"),
            ("Wednesday, 16 Jul 2025 09:30:00 +0700", "2025-07-16T09:30:00+07:00"),
            ("Mon, 05 Apr 2024 08:15:00 +0700", "2024-04-05T08:15:00+07:00"),
            ("Wed, 16 Jul 2025 09:30:00 GMT+7", "2025-07-16T09:30:00+07:00"),
            ("Wed, 16 Jul 2025 09:30:00 ICT", "2025-07-16T09:30:00+07:00"),
            ("Thurs, 13 Jul 2011 07:38:00 GMT", "2011-07-13T07:38:00+00:00"),
            ("Jul 13, 2011 7:38 PM EST", "2011-07-13T19:38:00-05:00"),
            ("05 Apr 24 08:15 +0700", "2024-04-05T08:15:00+07:00"),
            ("Fri, 05 Apr 2024 08:15:00", "2024-04-05T08:15:00+07:00"),
            ("Thứ Sáu, 05 Apr 2024 08:15:00 +0700", "2024-04-05T08:15:00+07:00"),
            ("Fri, 05 Apr 2024 24:00:00 +0700", "2024-04-06T00:00:00+07:00"),
            ("Jul 13, 2011 12:05 AM GMT", "2011-07-13T00:05:00+00:00"),
        ] {
            assert_eq!(at(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn iso_8601_with_or_without_seconds_and_zone() {
        for (text, want) in [
            ("2024-04-05T08:15:00+07:00", "2024-04-05T08:15:00+07:00"),
            ("2024-04-05T01:15:00Z", "2024-04-05T01:15:00+00:00"),
            ("2024-04-05T01:15:00.123Z", "2024-04-05T01:15:00+00:00"),
            ("2024-04-05T08:15+07:00", "2024-04-05T08:15:00+07:00"),
            ("2024-04-05T08:15", "2024-04-05T08:15:00+07:00"),
            ("2024-04-05", "2024-04-05T00:00:00+07:00"),
            ("2024-04-05 08:15:00 +0700", "2024-04-05T08:15:00+07:00"),
            ("20240405T011500Z", "2024-04-05T01:15:00+00:00"),
            ("2024-04-05T08:15:00 GMT+7", "2024-04-05T08:15:00+07:00"),
        ] {
            assert_eq!(at(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn nonsense_is_no_date() {
        for text in ["", "hôm qua", "32 Jan 2024", "2024-13-01", "Fri, 05 Foo 2024", "05 Apr 2024 08:15 +9999", "12345"]
        {
            assert_eq!(at(text), None, "{text}");
        }
    }
}
