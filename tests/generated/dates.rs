//! Date lines as Vietnamese portals write them, each with the instant a reader takes from it.
//! The instant is computed here from the calendar (chrono's date arithmetic and weekday, never
//! a parser), in Vietnam time, midnight when the line shows no time.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveDateTime, TimeZone, Timelike, Weekday};

use super::design::Rng;

family!(DateForm {
    DmySlash = "dd/mm/yyyy",
    DmyDashTime = "d-m-yyyy HH:MM",
    DmyDot = "dd.mm.yyyy",
    YmdTime = "yyyy-mm-dd HH:MM",
    Iso = "iso-8601-offset",
    LongForm = "weekday-ngay-thang-nam",
    NgayShort = "ngay dd/m/yyyy",
    MonthFirstPm = "month-first-pm",
    AfternoonCh = "hh:mm CH",
    MorningSa = "hh:mm SA",
    HourH = "9h15, dd/mm/yyyy",
    HourHNgay = "14h30 ngay d/m/yyyy",
    GioPhut = "14 gio 30",
    HourOnly = "8h",
    LabelNgayDang = "label Ngay dang",
    LabelCapNhat = "label Cap nhat only",
    LabelDangLuc = "label Dang luc (parens)",
    LabelNgayCapNhat = "label Ngay cap nhat only",
    WeekdaySlash = "weekday, dd/mm/yyyy",
    WeekdayPipe = "weekday|date|time",
    PipeTime = "date|time",
    TimeDashDate = "time - date",
    Parens = "(date time)",
    CommaTime = "date, time",
    PublishedThenUpdated = "published|updated",
    UpdatedThenPublished = "updated - published",
    None = "no date",
});

pub fn vietnam() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("valid offset")
}

pub fn weekday_vi(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Thứ Hai",
        Weekday::Tue => "Thứ Ba",
        Weekday::Wed => "Thứ Tư",
        Weekday::Thu => "Thứ Năm",
        Weekday::Fri => "Thứ Sáu",
        Weekday::Sat => "Thứ Bảy",
        Weekday::Sun => "Chủ nhật",
    }
}

/// A publication time somewhere in 2023-2025, during office hours or a little outside them.
pub fn random_when(rng: &mut Rng) -> NaiveDateTime {
    let date =
        NaiveDate::from_ymd_opt(rng.range(2023, 2025) as i32, rng.range(1, 12), rng.range(1, 28)).expect("valid");
    date.and_hms_opt(rng.range(6, 21), rng.range(0, 59), rng.range(0, 59)).expect("valid")
}

pub fn dmy(when: NaiveDateTime) -> String {
    format!("{:02}/{:02}/{}", when.day(), when.month(), when.year())
}

pub fn hm(when: NaiveDateTime) -> String {
    format!("{:02}:{:02}", when.hour(), when.minute())
}

fn at(when: NaiveDateTime) -> DateTime<FixedOffset> {
    vietnam().from_local_datetime(&when).single().expect("fixed offsets are unambiguous")
}

fn midnight(when: NaiveDateTime) -> DateTime<FixedOffset> {
    at(when.date().and_hms_opt(0, 0, 0).expect("valid"))
}

fn minutes(when: NaiveDateTime) -> DateTime<FixedOffset> {
    at(when.with_second(0).expect("valid"))
}

fn set_hour(when: NaiveDateTime, hour: u32) -> NaiveDateTime {
    when.with_hour(hour).expect("valid hour")
}

impl DateForm {
    /// The date line for a page published at `when` (moved where the form needs it: a day no
    /// month can be for month-first, an afternoon for `CH`), and what a reader takes from it.
    pub fn render(self, when: NaiveDateTime) -> Option<(String, DateTime<FixedOffset>)> {
        let (d, m, y) = (when.day(), when.month(), when.year());
        let wd = weekday_vi(when.weekday());
        let line = match self {
            DateForm::DmySlash => (dmy(when), midnight(when)),
            DateForm::DmyDashTime => (format!("{d}-{m}-{y} {}", hm(when)), minutes(when)),
            DateForm::DmyDot => (format!("{d:02}.{m:02}.{y}"), midnight(when)),
            DateForm::YmdTime => (format!("{y}-{m:02}-{d:02} {}", hm(when)), minutes(when)),
            DateForm::Iso => (when.format("%Y-%m-%dT%H:%M:%S+07:00").to_string(), at(when)),
            DateForm::LongForm => (format!("{wd}, ngày {d} tháng {m} năm {y}"), midnight(when)),
            DateForm::NgayShort => (format!("ngày {d:02}/{m}/{y}"), midnight(when)),
            DateForm::MonthFirstPm => {
                // Day-first is impossible only when the day is past 12.
                let when = when.with_day(13 + d % 16).expect("valid day");
                let when = set_hour(when, 13 + when.hour() % 10);
                let text = format!(
                    "{}/{}/{} {}:{:02}:{:02} PM",
                    when.month(),
                    when.day(),
                    when.year(),
                    when.hour() - 12,
                    when.minute(),
                    when.second()
                );
                (text, at(when))
            }
            DateForm::AfternoonCh => {
                let when = set_hour(when, 13 + when.hour() % 10);
                (format!("{} {:02}:{:02} CH", dmy(when), when.hour() - 12, when.minute()), minutes(when))
            }
            DateForm::MorningSa => {
                let when = set_hour(when, 1 + when.hour() % 11);
                (format!("{:02}:{:02} SA, {}", when.hour(), when.minute(), dmy(when)), minutes(when))
            }
            DateForm::HourH => (format!("{}h{:02}, {}", when.hour(), when.minute(), dmy(when)), minutes(when)),
            DateForm::HourHNgay => (format!("{}h{:02} ngày {d}/{m}/{y}", when.hour(), when.minute()), minutes(when)),
            DateForm::GioPhut => {
                (format!("{} giờ {:02}, ngày {}", when.hour(), when.minute(), dmy(when)), minutes(when))
            }
            DateForm::HourOnly => {
                let when = when.with_minute(0).expect("valid");
                (format!("{}h, {}", when.hour(), dmy(when)), minutes(when))
            }
            DateForm::LabelNgayDang => (format!("Ngày đăng: {} {}", dmy(when), hm(when)), minutes(when)),
            DateForm::LabelCapNhat => (format!("Cập nhật: {} {}:{:02}", dmy(when), hm(when), when.second()), at(when)),
            DateForm::LabelDangLuc => (format!("Đăng lúc {} ({})", hm(when), dmy(when)), minutes(when)),
            DateForm::LabelNgayCapNhat => (format!("Ngày cập nhật: {}", dmy(when)), midnight(when)),
            DateForm::WeekdaySlash => (format!("{wd}, {}", dmy(when)), midnight(when)),
            DateForm::WeekdayPipe => (format!("{wd} | {} | {}", dmy(when), hm(when)), minutes(when)),
            DateForm::PipeTime => (format!("{} | {}", dmy(when), hm(when)), minutes(when)),
            DateForm::TimeDashDate => (format!("{} - {}", hm(when), dmy(when)), minutes(when)),
            DateForm::Parens => (format!("({} {})", dmy(when), hm(when)), minutes(when)),
            DateForm::CommaTime => (format!("{}, {}", dmy(when), hm(when)), minutes(when)),
            DateForm::PublishedThenUpdated => {
                let updated = when + Duration::hours(50) + Duration::minutes(17);
                let text =
                    format!("Ngày đăng: {} {} | Cập nhật: {} {}", dmy(when), hm(when), dmy(updated), hm(updated));
                (text, minutes(when))
            }
            DateForm::UpdatedThenPublished => {
                let updated = when + Duration::hours(26) + Duration::minutes(41);
                let text =
                    format!("Cập nhật: {} {} - Ngày đăng: {} {}", hm(updated), dmy(updated), hm(when), dmy(when));
                (text, minutes(when))
            }
            DateForm::None => return None,
        };
        Some(line)
    }
}
