//! One grammar for the dates Vietnamese portals write, used by article pages, text dumps and
//! list pages alike.
//!
//! Dates: day-first numbers with `/`, `-` or `.` (`05/04/2024` is 5 April; month-first only when
//! day-first is impossible, as in `6/18/2024`), ISO 8601 (`2024-06-21`, `2024-06-21T14:30+07:00`)
//! and the long form (`ngày 4 tháng 6 năm 2024`, month names too). Times: `14:30[:05]`, `14h30`,
//! `14 giờ 30`, `8h`, with `AM`/`PM` or `SA`/`CH` (sáng/chiều), before or after the date with
//! only separators between. Labels (`Ngày đăng:`, `Cập nhật:`, `Đăng lúc` …) say whether a date
//! is the publication or an update. Weekday prefixes and brackets are simply not part of any
//! token. A date without a time is midnight, so it is the same instant on every scrape.

use std::ops::Range;
use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use regex::Regex;

use crate::model::vietnam;

/// What a label before a date says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// "Ngày đăng", "Đăng lúc", "Xuất bản"...
    Published,
    /// "Cập nhật", "Ngày sửa"...
    Updated,
    /// No label.
    Plain,
}

/// A date found in text: the instant, its role, and the bytes it spans (date and time).
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub at: DateTime<FixedOffset>,
    pub role: Role,
    pub span: Range<usize>,
}

/// `dd/mm/yyyy`, `dd-mm-yyyy`, `dd.mm.yyyy` (the same separator twice).
static NUMERIC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(\d{1,2})[ ]?([/.\-])[ ]?(\d{1,2})[ ]?[/.\-][ ]?(\d{4})").expect("static regex"));
/// `yyyy-mm-dd`, with an ISO time and offset when written with `T`.
static ISO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?",
    )
    .expect("static regex")
});
/// `ngày 4 tháng 6 năm 2024`, `4 tháng Sáu, 2024`.
static LONG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:ngày\s+)?(\d{1,2})\s+tháng\s+(\d{1,2}|giêng|một|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười một|mười hai|mười|chạp)\s*(?:,\s*|\s+)(?:năm\s+)?(\d{4})",
    )
    .expect("static regex")
});
/// `14:30`, `14:30:05`, `14h30`, `14h`, `14 giờ 30 (phút)`, with an optional AM/PM or SA/CH.
static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(\d{1,2})(?:\s*:\s*(\d{2})(?:\s*:\s*(\d{2}))?|\s*(?:h|giờ|g)\s*(\d{2})?(?:\s*(?:'|phút\b|p\b))?)(?:\s*(a\.?m\b|p\.?m\b|sa\b|ch\b|sáng\b|chiều\b|tối\b))?",
    )
    .expect("static regex")
});
/// Labels of an update; checked before the published ones, which they may contain ("Ngày cập nhật").
static UPDATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)cập\s+nhật|sửa\s+đổi|chỉnh\s+sửa|ngày\s+sửa|updated|modified|last\s+edit").expect("static regex")
});
static PUBLISHED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)ngày\s+đăng|đăng\s+ngày|đăng\s+lúc|đăng\s+tải|ngày\s+xuất\s+bản|xuất\s+bản|phát\s+hành|ngày\s+tạo|published|posted|đăng")
        .expect("static regex")
});
/// What may stand between a date and its time: separators and a few joining words.
static JOINER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[^\p{L}\p{N}]{0,6}(?:(?:vào\s+)?lúc|ngày)?[^\p{L}\p{N}]{0,6}$").expect("static regex")
});
/// What a date line may hold besides dates: labels, weekdays, joining words, punctuation.
static DATE_LINE_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)thứ\s+(?:hai|ba|tư|năm|sáu|bảy|\d)|chủ\s+nhật|\bcn\b|monday|tuesday|wednesday|thursday|friday|saturday|sunday|ngày\s+đăng|đăng\s+ngày|đăng\s+lúc|ngày\s+cập\s+nhật|cập\s+nhật(?:\s+lúc)?|ngày\s+xuất\s+bản|xuất\s+bản|ngày|đăng|lúc|vào|updated|published|posted|gmt\s*\+?\s*7|\(?utc\s*[+]\s*7\)?",
    )
    .expect("static regex")
});

/// The article's date in `text`: the one labelled as published, else the first unlabelled one,
/// else the first update; local time in Vietnam.
pub fn find(text: &str) -> Option<DateTime<FixedOffset>> {
    best(&scan(text, vietnam()))
}

/// [`find`] in another zone.
pub fn find_in(text: &str, zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    best(&scan(text, zone))
}

/// The published date among `found` (see [`find`]).
pub fn best(found: &[Found]) -> Option<DateTime<FixedOffset>> {
    let by = |role: Role| found.iter().find(|f| f.role == role).map(|f| f.at);
    by(Role::Published).or_else(|| by(Role::Plain)).or_else(|| by(Role::Updated))
}

/// A date's span, its day, and the exact instant when the text gave one (ISO with a time).
type DateToken = (Range<usize>, NaiveDate, Option<DateTime<FixedOffset>>);

/// Every date in `text`, in order.
pub fn scan(text: &str, zone: FixedOffset) -> Vec<Found> {
    let mut dates: Vec<DateToken> = Vec::new();
    // Most text holds no date at all; every form has a four-digit year.
    if !text.as_bytes().windows(4).any(|w| w.iter().all(u8::is_ascii_digit)) {
        return Vec::new();
    }
    let taken =
        |dates: &[DateToken], r: &Range<usize>| dates.iter().any(|(d, _, _)| d.start < r.end && r.start < d.end);
    for caps in ISO.captures_iter(text) {
        let whole = caps.get(0).expect("match");
        if !digit_edges_free(text, whole.range()) {
            continue;
        }
        let n = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        let Some(date) = ymd(n(1), n(2), n(3)) else { continue };
        // A full ISO instant carries its own offset: converted, not reinterpreted.
        let exact = match (n(4), n(5), caps.get(7)) {
            (Some(h), Some(m), offset) => NaiveTime::from_hms_opt(h, m, n(6).unwrap_or(0)).and_then(|t| {
                let local = date.and_time(t);
                match offset.map(|o| o.as_str()) {
                    Some("Z") => Some(chrono::Utc.from_utc_datetime(&local).with_timezone(&zone)),
                    Some(o) => parse_offset(o)?.from_local_datetime(&local).single().map(|d| d.with_timezone(&zone)),
                    None => zone.from_local_datetime(&local).single(),
                }
            }),
            _ => None,
        };
        dates.push((whole.range(), date, exact));
    }
    for caps in NUMERIC.captures_iter(text) {
        let whole = caps.get(0).expect("match");
        if !digit_edges_free(text, whole.range()) || taken(&dates, &whole.range()) {
            continue;
        }
        let n = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        // Day-first always; month-first only when day-first cannot be a date (6/18/2024).
        let Some(date) = ymd(n(4), n(3), n(1)).or_else(|| ymd(n(4), n(1), n(3)).filter(|_| n(3) > Some(12))) else {
            continue;
        };
        dates.push((whole.range(), date, None));
    }
    for caps in LONG.captures_iter(text) {
        let whole = caps.get(0).expect("match");
        if taken(&dates, &whole.range()) {
            continue;
        }
        let month = caps.get(2).and_then(|m| month_number(m.as_str()));
        let n = |i: usize| caps.get(i).and_then(|m| m.as_str().parse::<u32>().ok());
        if let Some(date) = ymd(n(3), month, n(1)) {
            dates.push((whole.range(), date, None));
        }
    }
    dates.sort_by_key(|(r, _, _)| r.start);

    let times: Vec<(Range<usize>, NaiveTime)> = TIME
        .captures_iter(text)
        .filter_map(|caps| {
            let whole = caps.get(0)?;
            // The pattern's optional parts may have eaten the spaces after the time.
            let range = whole.start()..whole.start() + whole.as_str().trim_end().len();
            if !digit_edges_free(text, range.clone()) || !word_edge_after(text, range.end) {
                return None;
            }
            // Inside a date ("05.04.2024" reads as 05h04 otherwise).
            if dates.iter().any(|(d, _, _)| d.start < range.end && range.start < d.end) {
                return None;
            }
            let n = |i: usize| caps.get(i).map_or(Some(0), |m| m.as_str().parse::<u32>().ok());
            let mut hour = n(1)?;
            let minute = if caps.get(2).is_some() { n(2)? } else { n(4)? };
            let second = n(3)?;
            // "8h", "14 giờ" alone count; a bare number never does.
            if caps.get(2).is_none() && !whole.as_str().chars().any(|c| matches!(c, 'h' | 'H' | 'g' | 'G')) {
                return None;
            }
            if let Some(half) = caps.get(5).map(|m| m.as_str().to_lowercase()) {
                let pm = half.starts_with('p') || half == "ch" || half == "chiều" || half == "tối";
                match (pm, hour) {
                    (_, h) if h > 12 => {}
                    (true, 12) | (false, 1..=11) => {}
                    (true, h) => hour = h + 12,
                    (false, 12) => hour = 0,
                    (false, _) => {}
                }
            }
            Some((range, NaiveTime::from_hms_opt(hour, minute, second)?))
        })
        .collect();

    let mut used = vec![false; times.len()];
    let mut found = Vec::new();
    for (i, (range, date, exact)) in dates.iter().enumerate() {
        let next_date = dates.get(i + 1).map_or(text.len(), |(r, _, _)| r.start);
        let prev_date = if i == 0 { 0 } else { dates[i - 1].0.end };
        let mut span = range.clone();
        let at = match exact {
            Some(at) => Some(*at),
            None => {
                let after = times.iter().enumerate().find(|(j, (t, _))| {
                    !used[*j]
                        && t.start >= range.end
                        && t.end <= next_date
                        && JOINER.is_match(&text[range.end..t.start])
                });
                let before = || {
                    times.iter().enumerate().rev().find(|(j, (t, _))| {
                        !used[*j]
                            && t.end <= range.start
                            && t.start >= prev_date
                            && JOINER.is_match(&text[t.end..range.start])
                    })
                };
                let time = after.or_else(before).map(|(j, (t, time))| {
                    used[j] = true;
                    span = span.start.min(t.start)..span.end.max(t.end);
                    *time
                });
                zone.from_local_datetime(&NaiveDateTime::new(*date, time.unwrap_or(NaiveTime::MIN))).single()
            }
        };
        let Some(at) = at else { continue };
        found.push(Found { at, role: role_before(text, prev_date, span.start), span });
    }
    found
}

/// Whether `text` is a date line: a date (or several) with at most labels, weekdays and
/// punctuation around it, like `Thứ Sáu, 05/04/2024 | 10:30` or `Cập nhật lúc 9h15`.
pub fn is_date_line(text: &str) -> bool {
    // A date with a label, a weekday and a time is a few dozen characters; longer is prose.
    if text.len() > 400 {
        return false;
    }
    let found = scan(text, vietnam());
    if found.is_empty() {
        return false;
    }
    let mut rest = String::new();
    let mut at = 0;
    for f in &found {
        rest.push_str(&text[at..f.span.start.max(at)]);
        rest.push(' ');
        at = f.span.end.max(at);
    }
    rest.push_str(&text[at..]);
    let rest = DATE_LINE_WORDS.replace_all(&rest, " ");
    let rest = TIME.replace_all(&rest, " ");
    // "Lượt xem: 120" and similar counters may share the line.
    let words = rest.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).count();
    words <= 3
}

/// The date in `text` by the site's rules: the first of `formats` that parses somewhere in the
/// text, or without formats the grammar's choice ([`find`]); local time in `zone`.
pub fn by_rules(text: &str, formats: &[String], zone: FixedOffset) -> Option<DateTime<FixedOffset>> {
    if formats.is_empty() {
        return find_in(text, zone);
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

fn ymd(year: Option<u32>, month: Option<u32>, day: Option<u32>) -> Option<NaiveDate> {
    let year = i32::try_from(year?).ok().filter(|y| (1990..=2100).contains(y))?;
    NaiveDate::from_ymd_opt(year, month?, day?)
}

fn month_number(word: &str) -> Option<u32> {
    if let Ok(n) = word.parse() {
        return Some(n);
    }
    let names = [
        ("giêng", 1),
        ("một", 1),
        ("hai", 2),
        ("ba", 3),
        ("tư", 4),
        ("bốn", 4),
        ("năm", 5),
        ("sáu", 6),
        ("bảy", 7),
        ("tám", 8),
        ("chín", 9),
        ("mười", 10),
        ("mười một", 11),
        ("mười hai", 12),
        ("chạp", 12),
    ];
    let word = word.to_lowercase();
    names.iter().find(|(name, _)| *name == word).map(|(_, n)| *n)
}

fn parse_offset(offset: &str) -> Option<FixedOffset> {
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let digits: String = offset.chars().filter(char::is_ascii_digit).collect();
    let (h, m) = (digits.get(..2)?.parse::<i32>().ok()?, digits.get(2..4)?.parse::<i32>().ok()?);
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

/// No digit right before or after: `105/04/2024` and `05/04/20245` are not dates.
fn digit_edges_free(text: &str, range: Range<usize>) -> bool {
    let before = text[..range.start].chars().next_back();
    let after = text[range.end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
}

/// A time ends a word: "8h" in "8h," or "8h " but not in "8 hộ dân".
fn word_edge_after(text: &str, end: usize) -> bool {
    !text[end..].chars().next().is_some_and(char::is_alphanumeric)
}

/// The role the nearest label before a date gives it (within 40 bytes, after the previous date).
fn role_before(text: &str, from: usize, start: usize) -> Role {
    let window_start = text.floor_char_boundary(start.saturating_sub(40)).max(from);
    let window = &text[window_start..start];
    let last = |re: &Regex| re.find_iter(window).last().map(|m| m.end());
    match (last(&UPDATED), last(&PUBLISHED)) {
        (Some(u), Some(p)) if p > u => Role::Published,
        (Some(_), _) => Role::Updated,
        (None, Some(_)) => Role::Published,
        (None, None) => Role::Plain,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rfc3339(text: &str) -> Option<String> {
        find(text).map(|d| d.to_rfc3339())
    }

    #[test]
    fn dates_next_to_multibyte_characters() {
        // Found by the property tests: the character around a date is any character.
        assert_eq!(rfc3339("¥05/04/2024¥10:30¥").as_deref(), Some("2024-04-05T10:30:00+07:00"));
        assert_eq!(rfc3339("ngày 05/04/2024,lúc").as_deref(), Some("2024-04-05T00:00:00+07:00"));
    }

    #[test]
    fn day_first_in_vietnam_time() {
        assert_eq!(rfc3339("05/04/2024").as_deref(), Some("2024-04-05T00:00:00+07:00"));
        assert_eq!(rfc3339("5/4/2024").as_deref(), Some("2024-04-05T00:00:00+07:00"));
        assert_eq!(rfc3339("(12/04/2024)").as_deref(), Some("2024-04-12T00:00:00+07:00"));
        assert_eq!(rfc3339("05.04.2024").as_deref(), Some("2024-04-05T00:00:00+07:00"));
        assert_eq!(rfc3339("5-4-2024 10:30").as_deref(), Some("2024-04-05T10:30:00+07:00"));
    }

    #[test]
    fn every_form_portals_write() {
        for (text, want) in [
            ("Thứ Sáu, 05/04/2024 10:30", "2024-04-05T10:30:00+07:00"),
            ("Ngày 05/04/2024 | 10:30", "2024-04-05T10:30:00+07:00"),
            ("10:30 05/04/2024", "2024-04-05T10:30:00+07:00"),
            ("Cập nhật: 10h30 ngày 05-04-2024", "2024-04-05T10:30:00+07:00"),
            ("2024-06-21 14:30", "2024-06-21T14:30:00+07:00"),
            ("2024-06-21T14:30:00+07:00", "2024-06-21T14:30:00+07:00"),
            ("2024-06-21T07:30:00Z", "2024-06-21T14:30:00+07:00"),
            ("Thứ Ba, ngày 4 tháng 6 năm 2024", "2024-06-04T00:00:00+07:00"),
            ("ngày 4 tháng Sáu, 2024 lúc 8h", "2024-06-04T08:00:00+07:00"),
            ("6/18/2024 9:05:10 PM", "2024-06-18T21:05:10+07:00"),
            ("04:10 CH, 21/06/2024", "2024-06-21T16:10:00+07:00"),
            ("21/06/2024 (10:30 SA)", "2024-06-21T10:30:00+07:00"),
            ("12:15 SA 21/06/2024", "2024-06-21T00:15:00+07:00"),
            ("9h15, 21/06/2024", "2024-06-21T09:15:00+07:00"),
            ("21/06/2024 - 14 giờ 30 phút", "2024-06-21T14:30:00+07:00"),
            ("Đăng lúc 8h ngày 21/6/2024", "2024-06-21T08:00:00+07:00"),
            ("[21-06-2024 | 07:45]", "2024-06-21T07:45:00+07:00"),
        ] {
            assert_eq!(rfc3339(text).as_deref(), Some(want), "{text}");
        }
    }

    #[test]
    fn published_beats_updated_whatever_the_order() {
        let want = Some("2024-06-03T09:00:00+07:00".to_string());
        assert_eq!(rfc3339("Cập nhật: 05/06/2024 10:00 | Ngày đăng: 03/06/2024 09:00"), want);
        assert_eq!(rfc3339("Ngày đăng: 03/06/2024 09:00 - Ngày cập nhật: 05/06/2024 10:00"), want);
        assert_eq!(rfc3339("Cập nhật lúc 05/06/2024").as_deref(), Some("2024-06-05T00:00:00+07:00"));
    }

    #[test]
    fn numbers_that_are_no_times() {
        // "8 hộ dân" is households, "2024" a year; neither is a time next to the date.
        assert_eq!(rfc3339("05/04/2024 8 hộ dân").as_deref(), Some("2024-04-05T00:00:00+07:00"));
        assert_eq!(rfc3339("05/04/2024 2024").as_deref(), Some("2024-04-05T00:00:00+07:00"));
        assert_eq!(rfc3339("105/04/2024"), None);
    }

    #[test]
    fn date_lines() {
        for line in ["9h15, 21/06/2024", "Thứ Ba, ngày 4 tháng 6 năm 2024", "Ngày đăng: 05/04/2024 | Lượt xem: 120"]
        {
            assert!(is_date_line(line), "{line}");
        }
        for line in ["Sáng 05/04/2024, UBND tỉnh tổ chức hội nghị tổng kết công tác năm", "Không có ngày"]
        {
            assert!(!is_date_line(line), "{line}");
        }
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
        // 13 cannot be a day-first month but can be a day: 04/13/2024 is 13 April, month-first
        // only because day-first is impossible. 31/02 is no date either way.
        assert_eq!(rfc3339("04/13/2024").as_deref(), Some("2024-04-13T00:00:00+07:00"));
        assert_eq!(rfc3339("31/02/2024 then 01/03/2024").as_deref(), Some("2024-03-01T00:00:00+07:00"));
        assert_eq!(rfc3339("13/13/2024"), None);
        assert_eq!(rfc3339("no date here"), None);
    }
}
