//! Vietnamese portal dates: always day-first (`05/04/2024` is 5 April), local time
//! Asia/Ho_Chi_Minh, often without a time, wrapped in weekday names, "Ngày", brackets or `|`.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;

use crate::model::vietnam;

static DATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d])(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})(?:[^\d]|$)").expect("static regex"));
static TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^\d])(\d{1,2})[:hg](\d{2})(?::(\d{2}))?(?:[^\d]|$)").expect("static regex"));

/// The first valid day-first date in `text`, with the time written next to it (before or after,
/// within a few characters) or midnight, in +07:00. A date-only article thus gets the same
/// timestamp on every scrape.
pub fn find(text: &str) -> Option<DateTime<FixedOffset>> {
    all(text).next()
}

/// Every valid day-first date in `text`, in order, in Vietnam time.
pub fn all(text: &str) -> impl Iterator<Item = DateTime<FixedOffset>> + '_ {
    all_in(text, vietnam())
}

/// Every valid day-first date in `text`, in order, local time in `zone`.
pub fn all_in(text: &str, zone: FixedOffset) -> impl Iterator<Item = DateTime<FixedOffset>> + '_ {
    DATE.captures_iter(text).filter_map(move |caps| {
        let number = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let (day, month, year) = (number(1)?, number(2)?, number(3)?);
        // Never month-first: 04/05 is 4 May even where 5 April would also be a valid date.
        let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)?;
        let whole = caps.get(0)?;
        let time = time_near(text, whole.start(), whole.end()).unwrap_or(NaiveTime::MIN);
        zone.from_local_datetime(&date.and_time(time)).single()
    })
}

/// The date in `text` by the site's rules: the first of `formats` that parses somewhere in the
/// text, or without formats the first day-first date; local time in `zone`.
pub fn by_rules(text: &str, formats: &[String], zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    if formats.is_empty() {
        return all_in(text, zone).next();
    }
    // The date sits somewhere in the text ("Cập nhật: 05/04/2024 10:30"): try each place a
    // number starts, each format, with and without a time.
    let starts = text.char_indices().filter(|(_, c)| c.is_ascii_digit()).map(|(i, _)| i);
    for start in starts {
        let rest = &text[start..];
        for format in formats {
            let local = NaiveDateTime::parse_and_remainder(rest, format)
                .map(|(dt, _)| dt)
                .or_else(|_| NaiveDate::parse_and_remainder(rest, format).map(|(d, _)| d.and_time(NaiveTime::MIN)));
            if let Ok(local) = local {
                return zone.from_local_datetime(&local).single();
            }
        }
    }
    None
}

fn time_near(text: &str, start: usize, end: usize) -> Option<NaiveTime> {
    // The match's edges may be any character (the regex takes one around the date): every
    // index is moved to a character boundary before slicing.
    let after = &text[text.floor_char_boundary(end.saturating_sub(1))..];
    let after = &after[..after.floor_char_boundary(16)];
    let before = &text[text.floor_char_boundary(start.saturating_sub(16))..text.ceil_char_boundary(start + 1)];
    [after, before].into_iter().find_map(|window| {
        let caps = TIME.captures(window)?;
        let n = |i: usize| caps.get(i).map_or(Some(0), |m| m.as_str().parse::<u32>().ok());
        NaiveTime::from_hms_opt(n(1)?, n(2)?, n(3)?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_next_to_multibyte_characters() {
        // Found by the property tests: the character around a date is any character.
        assert_eq!(rfc3339("¥05/04/2024¥10:30¥").as_deref(), Some("2024-04-05T10:30:00+07:00"));
        assert_eq!(rfc3339("ngày 05/04/2024,lúc").as_deref(), Some("2024-04-05T00:00:00+07:00"));
    }

    fn rfc3339(text: &str) -> Option<String> {
        find(text).map(|d| d.to_rfc3339())
    }

    #[test]
    fn day_first_in_vietnam_time() {
        assert_eq!(rfc3339("05/04/2024").as_deref(), Some("2024-04-05T00:00:00+07:00"));
        assert_eq!(rfc3339("5/4/2024").as_deref(), Some("2024-04-05T00:00:00+07:00"));
        assert_eq!(rfc3339("(12/04/2024)").as_deref(), Some("2024-04-12T00:00:00+07:00"));
    }

    #[test]
    fn wrapped_forms_and_times() {
        let want = Some("2024-04-05T10:30:00+07:00".to_string());
        assert_eq!(rfc3339("Thứ Sáu, 05/04/2024 10:30"), want);
        assert_eq!(rfc3339("Ngày 05/04/2024 | 10:30"), want);
        assert_eq!(rfc3339("10:30 05/04/2024"), want);
        assert_eq!(rfc3339("Cập nhật: 10h30 ngày 05-04-2024"), want);
    }

    #[test]
    fn site_formats_and_zones() {
        let utc = FixedOffset::east_opt(0).unwrap();
        let formats = vec!["%Y-%m-%d %H:%M".to_string(), "%d.%m.%Y".to_string()];
        let d = by_rules("Đăng lúc 2024-04-05 10:30 bởi", &formats, utc).unwrap();
        assert_eq!(d.to_rfc3339(), "2024-04-05T10:30:00+00:00");
        assert_eq!(by_rules("ngày 05.04.2024", &formats, vietnam()).unwrap().to_rfc3339(), "2024-04-05T00:00:00+07:00");
        assert_eq!(by_rules("05/04/2024", &[], utc).unwrap().to_rfc3339(), "2024-04-05T00:00:00+00:00");
        assert_eq!(by_rules("no date", &formats, utc), None);
    }

    #[test]
    fn impossible_dates_are_skipped_not_flipped() {
        // 13 cannot be a month, so this is not "4 December" read month-first; it is skipped.
        assert_eq!(rfc3339("04/13/2024"), None);
        assert_eq!(rfc3339("31/02/2024 then 01/03/2024").as_deref(), Some("2024-03-01T00:00:00+07:00"));
        assert_eq!(rfc3339("no date here"), None);
    }
}
