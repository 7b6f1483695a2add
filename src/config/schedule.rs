//! Cron schedules with cron's own meaning, whatever form they are written in: the 5-field
//! crontab, the 6-field form with seconds first (same weekday numbers: 0 or 7 is Sunday, 1
//! Monday), and `@hourly`, `@daily`, `@weekly`, `@monthly`, `@yearly`. As in cron, when both
//! the day of the month and the day of the week are restricted, a day matching either runs.
//! Evaluated in Vietnam time. The `cron` crate computes the times; this module gives it
//! crontab's numbering and splits an either-day schedule into two it can compute.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::model::vietnam;

/// A cron schedule, kept with the text it was written as.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub expr: String,
    /// One schedule, or two when the day of the month and of the week are both restricted
    /// (cron runs on either): its times are theirs merged.
    crons: Vec<cron::Schedule>,
}

impl Schedule {
    /// Accepts crontab's 5 fields (`*/30 * * * *`), the same with seconds first (6 fields) or
    /// a year last (7), and the `@` shorthands.
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        let expanded = match expr.trim().to_ascii_lowercase().as_str() {
            "@yearly" | "@annually" => "0 0 1 1 *".to_string(),
            "@monthly" => "0 0 1 * *".to_string(),
            "@weekly" => "0 0 * * 0".to_string(),
            "@daily" | "@midnight" => "0 0 * * *".to_string(),
            "@hourly" => "0 * * * *".to_string(),
            other if other.starts_with('@') => return Err(format!("unknown shorthand `{}`", expr.trim())),
            _ => expr.to_string(),
        };
        let fields: Vec<&str> = expanded.split_whitespace().collect();
        // Seconds first, then crontab's five, then an optional year.
        let (seconds, five, year) = match fields.len() {
            5 => ("0", &fields[..], None),
            6 => (fields[0], &fields[1..], None),
            7 => (fields[0], &fields[1..6], Some(fields[6])),
            n => return Err(format!("expected 5 fields (crontab), 6 (seconds first) or 7 (and a year), got {n}")),
        };
        let (minute, hour, dom, month, dow) = (five[0], five[1], five[2], five[3], five[4]);
        let any = |f: &str| f == "*" || f == "?";
        let dow = if any(dow) { dow.to_string() } else { crontab_weekdays(dow)? };
        let year = year.map(|y| format!(" {y}")).unwrap_or_default();
        let build = |dom: &str, dow: &str| {
            let text = format!("{seconds} {minute} {hour} {dom} {month} {dow}{year}");
            cron::Schedule::from_str(&text).map_err(|e| e.to_string())
        };
        let crons =
            if !any(dom) && !any(&dow) { vec![build(dom, "*")?, build("*", &dow)?] } else { vec![build(dom, &dow)?] };
        let schedule = Schedule { expr: expr.to_string(), crons };
        // Judged against a fixed instant, not the clock: a schedule whose years are over still
        // loads (it only warns, see `no_run_after`), a date no calendar has (30 February) never does.
        if schedule.after(earliest()).next().is_none() {
            return Err("never fires".into());
        }
        Ok(schedule)
    }

    /// When the schedule has no run after `now` (its years are over), what to tell the operator:
    /// the source will not be scraped again. A warning, never a refused config.
    pub fn no_run_after(&self, now: DateTime<FixedOffset>) -> Option<String> {
        self.after(now).next().is_none().then(|| {
            format!(
                "schedule `{}` has no run after {}: the source will not be scraped again",
                self.expr,
                now.format("%Y-%m-%d %H:%M %:z")
            )
        })
    }

    /// Fire times after `after`, evaluated in Vietnam time (the portals' clock).
    pub fn after(&self, after: DateTime<FixedOffset>) -> impl Iterator<Item = DateTime<FixedOffset>> + '_ {
        let after = after.with_timezone(&vietnam());
        let mut streams: Vec<_> = self.crons.iter().map(|c| c.after(&after).peekable()).collect();
        std::iter::from_fn(move || {
            let next = streams.iter_mut().filter_map(|s| s.peek().copied()).min()?;
            // A time both match comes once.
            for stream in &mut streams {
                if stream.peek() == Some(&next) {
                    stream.next();
                }
            }
            Some(next)
        })
    }

    /// The gap between the next two runs: how long a reader may cache the feed.
    pub fn interval(&self, now: DateTime<FixedOffset>) -> Duration {
        let mut next = self.after(now);
        match (next.next(), next.next()) {
            (Some(a), Some(b)) => (b - a).to_std().unwrap_or(Duration::from_secs(3600)),
            _ => Duration::from_secs(3600),
        }
    }
}

/// The start of the years the `cron` crate computes (1970, in Vietnam time).
fn earliest() -> DateTime<FixedOffset> {
    DateTime::UNIX_EPOCH.with_timezone(&vietnam())
}

/// Crontab's weekday numbers (0 or 7 = Sunday) as names, which the `cron` crate reads the same
/// way (its own numbers start at 1 = Sunday).
fn crontab_weekdays(field: &str) -> Result<String, String> {
    const NAMES: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
    let day = |s: &str| -> Result<usize, String> {
        if let Ok(n) = s.parse::<usize>() {
            return if n <= 7 { Ok(n % 7) } else { Err(format!("weekday {n} out of range 0-7")) };
        }
        NAMES.iter().position(|name| name.eq_ignore_ascii_case(s)).ok_or_else(|| format!("unknown weekday `{s}`"))
    };
    let mut days = [false; 7];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, s.parse::<usize>().map_err(|_| format!("bad step in `{part}`"))?),
            None => (part, 1),
        };
        if step == 0 {
            return Err(format!("zero step in `{part}`"));
        }
        let (lo, hi) = match range {
            "*" => (0, 6),
            r => match r.split_once('-') {
                // `5-7` means Friday to Sunday: keep 7 as 7 while walking the range.
                Some((a, b)) => (day(a)?, b.parse::<usize>().ok().filter(|&n| n == 7).map_or(day(b)?, |n| n)),
                None => (day(r)?, day(r)?),
            },
        };
        if lo > hi {
            return Err(format!("weekday range `{range}` runs backwards"));
        }
        for d in (lo..=hi).step_by(step) {
            days[d % 7] = true;
        }
    }
    Ok(NAMES.iter().zip(days).filter(|(_, on)| *on).map(|(n, _)| *n).collect::<Vec<_>>().join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Datelike, TimeZone, Timelike, Weekday};

    fn runs(expr: &str, n: usize) -> Vec<DateTime<FixedOffset>> {
        let start = vietnam().with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap(); // a Monday
        Schedule::parse(expr).unwrap().after(start).take(n).collect()
    }

    #[test]
    fn crontab_weekday_range_means_monday_to_friday() {
        let days: Vec<Weekday> = runs("0 8 * * 1-5", 7).iter().map(|d| d.weekday()).collect();
        assert_eq!(
            days,
            [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Mon, Weekday::Tue]
        );
        assert!(runs("0 8 * * 1-5", 7).iter().all(|d| d.hour() == 8 && d.minute() == 0));
    }

    #[test]
    fn crontab_sunday_is_zero_or_seven() {
        for expr in ["0 6 * * 0", "0 6 * * 7", "0 6 * * sun"] {
            assert!(runs(expr, 3).iter().all(|d| d.weekday() == Weekday::Sun), "{expr}");
        }
        let weekend: Vec<Weekday> = runs("0 6 * * 6-7", 2).iter().map(|d| d.weekday()).collect();
        assert_eq!(weekend, [Weekday::Sat, Weekday::Sun]);
    }

    #[test]
    fn the_seconds_form_has_crontab_weekdays() {
        let r = runs("30 */15 * * * *", 2);
        assert_eq!((r[0].minute(), r[0].second()), (0, 30));
        assert_eq!((r[1].minute(), r[1].second()), (15, 30));
        // `0 8 * * 1` and `0 0 8 * * 1` are both Monday 08:00.
        assert_eq!(runs("0 0 8 * * 1", 3), runs("0 8 * * 1", 3));
        assert!(runs("0 0 8 * * 1", 3).iter().all(|d| d.weekday() == Weekday::Mon && d.hour() == 8));
        assert!(runs("0 0 6 * * 0", 2).iter().all(|d| d.weekday() == Weekday::Sun));
        // A year as the seventh field.
        assert!(runs("0 0 8 1 1 * 2027", 2).iter().all(|d| d.year() == 2027));
    }

    #[test]
    fn shorthands_mean_what_cron_says() {
        let first = |expr: &str| runs(expr, 2);
        let at = |y, m, d, h| vietnam().with_ymd_and_hms(y, m, d, h, 0, 0).unwrap();
        assert_eq!(first("@hourly"), [at(2026, 11, 23, 1), at(2026, 11, 23, 2)]);
        assert_eq!(first("@daily"), [at(2026, 11, 24, 0), at(2026, 11, 25, 0)]);
        assert_eq!(first("@midnight"), first("@daily"));
        assert_eq!(first("@weekly"), [at(2026, 11, 29, 0), at(2026, 12, 6, 0)], "Sundays");
        assert_eq!(first("@monthly"), [at(2026, 12, 1, 0), at(2027, 1, 1, 0)]);
        assert_eq!(first("@yearly"), [at(2027, 1, 1, 0), at(2028, 1, 1, 0)]);
        assert_eq!(first("@annually"), first("@yearly"));
    }

    #[test]
    fn day_of_month_or_day_of_week_as_cron_does() {
        // The 1st and 15th of the month, and every Monday (2026-11-23 is a Monday).
        let days: Vec<(u32, Weekday)> = runs("0 8 1,15 * 1", 6).iter().map(|d| (d.day(), d.weekday())).collect();
        assert_eq!(
            days,
            [
                (23, Weekday::Mon),
                (30, Weekday::Mon),
                (1, Weekday::Tue),
                (7, Weekday::Mon),
                (14, Weekday::Mon),
                (15, Weekday::Tue)
            ]
        );
        // A day that is both (Monday 1 February 2027) runs once.
        let start = vietnam().with_ymd_and_hms(2027, 1, 31, 12, 0, 0).unwrap();
        let feb: Vec<_> = Schedule::parse("0 8 1 * mon").unwrap().after(start).take(2).collect();
        assert_eq!(feb.iter().map(|d| d.day()).collect::<Vec<_>>(), [1, 8]);
    }

    #[test]
    fn interval_is_the_gap_between_runs() {
        let s = Schedule::parse("*/30 * * * *").unwrap();
        assert_eq!(s.interval(vietnam().with_ymd_and_hms(2026, 1, 1, 0, 10, 0).unwrap()), Duration::from_secs(1800));
    }

    #[test]
    fn a_schedule_whose_year_is_over_loads_and_says_so() {
        let schedule = Schedule::parse("0 0 8 1 1 * 2027").unwrap();
        let before = vietnam().with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap();
        let after = vietnam().with_ymd_and_hms(2027, 1, 1, 8, 0, 0).unwrap();
        assert_eq!(schedule.no_run_after(before), None);
        let warning = schedule.no_run_after(after).expect("a warning once the last run is past");
        assert!(warning.contains("`0 0 8 1 1 * 2027` has no run after 2027-01-01 08:00 +07:00"), "{warning}");
        // Long past, whatever the clock says: still a schedule, never a refused config.
        assert!(Schedule::parse("0 0 8 1 1 * 2001").is_ok());
        assert!(Schedule::parse("*/30 * * * *").unwrap().no_run_after(after).is_none());
    }

    #[test]
    fn bad_schedules_say_why() {
        assert!(Schedule::parse("every hour").unwrap_err().contains("5 fields"));
        assert!(Schedule::parse("@fortnightly").unwrap_err().contains("unknown shorthand"));
        assert!(Schedule::parse("0 8 * * 9").unwrap_err().contains("out of range"));
        assert!(Schedule::parse("61 * * * *").is_err());
        assert_eq!(Schedule::parse("0 0 30 2 *").unwrap_err(), "never fires", "no calendar has 30 February");
    }
}
