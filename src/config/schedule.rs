//! Cron schedules as operators write them: the 5-field crontab (weekday 0 or 7 is Sunday) or
//! the 6-field form with seconds first, in Vietnam time.

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, FixedOffset};

use crate::model::vietnam;

/// A cron schedule, kept with the text it was written as.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub expr: String,
    cron: cron::Schedule,
}

impl Schedule {
    /// Accepts standard 5-field crontab (`*/30 * * * *`, weekdays 0–7 with 0 and 7 = Sunday)
    /// and the `cron` crate's 6–7 field form with seconds first (weekdays 1–7, 1 = Sunday).
    pub fn parse(expr: &str) -> Result<Schedule, String> {
        let fields: Vec<&str> = expr.split_whitespace().collect();
        let translated = match fields.len() {
            5 => from_crontab(&fields)?,
            6 | 7 => fields.join(" "),
            n => return Err(format!("expected 5 fields (crontab) or 6-7 (with seconds), got {n}")),
        };
        let cron = cron::Schedule::from_str(&translated).map_err(|e| e.to_string())?;
        if cron.upcoming(vietnam()).next().is_none() {
            return Err("never fires".into());
        }
        Ok(Schedule { expr: expr.to_string(), cron })
    }

    /// Fire times after `after`, evaluated in Vietnam time (the portals' clock).
    pub fn after(&self, after: DateTime<FixedOffset>) -> impl Iterator<Item = DateTime<FixedOffset>> + '_ {
        self.cron.after(&after.with_timezone(&vietnam()))
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

/// Crontab's day-of-week numbering (0 = Sunday) differs from the `cron` crate's (1 = Sunday),
/// so the weekday field is rewritten with names, which both agree on.
fn from_crontab(fields: &[&str]) -> Result<String, String> {
    let (dom, dow) = (fields[2], fields[4]);
    if dom != "*" && dom != "?" && dow != "*" && dow != "?" {
        // crontab fires when either matches, the cron crate only when both do: refuse rather
        // than silently run on fewer days than the operator wrote.
        return Err("day-of-month and day-of-week are both restricted; crontab ORs them but \
                    this scheduler would AND them: use one, or two feeds"
            .into());
    }
    let dow = if dow == "*" || dow == "?" { dow.to_string() } else { crontab_weekdays(dow)? };
    Ok(format!("0 {} {} {} {} {}", fields[0], fields[1], fields[2], fields[3], dow))
}

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
    fn seconds_form_is_passed_through() {
        let r = runs("30 */15 * * * *", 2);
        assert_eq!((r[0].minute(), r[0].second()), (0, 30));
        assert_eq!((r[1].minute(), r[1].second()), (15, 30));
    }

    #[test]
    fn interval_is_the_gap_between_runs() {
        let s = Schedule::parse("*/30 * * * *").unwrap();
        assert_eq!(s.interval(vietnam().with_ymd_and_hms(2026, 1, 1, 0, 10, 0).unwrap()), Duration::from_secs(1800));
    }

    #[test]
    fn bad_schedules_say_why() {
        assert!(Schedule::parse("every hour").unwrap_err().contains("5 fields"));
        assert!(Schedule::parse("0 8 1 * 1").unwrap_err().contains("both restricted"));
        assert!(Schedule::parse("0 8 * * 9").unwrap_err().contains("out of range"));
        assert!(Schedule::parse("61 * * * *").is_err());
    }
}
