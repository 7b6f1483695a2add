//! A source's feed file (`feeds/NAME.toml`): where its pages are, how they are read, when, and
//! what its feed publishes.

use std::path::Path;
use std::time::Duration;

use chrono::FixedOffset;
use serde::Deserialize;
use url::Url;

use super::{ConfigError, Schedule, check_name, invalid, parse_file, parse_http_url};
use super::{DEFAULT_MAX_BODY_KB, DEFAULT_MAX_NEW_PER_PAGE, DEFAULT_MAX_TITLE_CHARS, DEFAULT_SCHEDULE};
use crate::model::vietnam;

/// One source, as one `feeds/NAME.toml` defines it, and the feed published from it.
#[derive(Debug, Clone)]
pub struct FeedDef {
    /// Slug used in URLs and the store: `[a-z0-9-]+`.
    pub name: String,
    pub title: String,
    pub description: String,
    /// The portal's home page.
    pub site: Url,
    /// How its pages are read.
    pub rules: Rules,
    /// Pages listing articles, the first page of each pagination.
    pub list_pages: Vec<ListPageDef>,
    /// How many pages of each list to follow through `?Page=N` links.
    pub max_pages: usize,
    /// New articles fetched from one list page per run (newest first; the rest next run).
    pub max_new_per_page: usize,
    pub schedule: Schedule,
    /// Items in the published feed.
    pub limit: usize,
    /// Also publish each list page's category as its own feed (`/feeds/NAME/CATEGORY.rss`).
    pub category_feeds: bool,
    /// Articles first seen within this window are fetched again to catch edits.
    pub recheck_window: Duration,
    /// How often one of those articles is fetched again.
    pub recheck_every: Duration,
    /// Stored articles older than this are deleted (never those still in a published feed).
    pub retain_for: Option<Duration>,
    /// At most this many stored articles are kept (the newest; never fewer than published).
    pub retain_items: Option<usize>,
    /// For feed sources: read each new item's page with this profile and publish its full text
    /// (feeds often carry only a summary).
    pub full_text: Option<Profile>,
    /// When set, images and full-text pages are fetched only from the source's own hosts (its
    /// site and list pages) and these; others are left unrequested.
    pub allowed_hosts: Option<Vec<String>>,
    /// Retention never goes below this many newest articles: the largest window any published
    /// feed (its own, a merged one, the feed of all sources) shows of this source.
    pub keep_at_least: usize,
    /// The feed's icon (square, small) and logo (wider or larger) as readers show them; when
    /// unset, the portal's own icons, found once on its home page.
    pub icon: Option<Url>,
    pub logo: Option<Url>,
}

/// A list page to scrape, and the category its articles belong to.
#[derive(Debug, Clone, PartialEq)]
pub struct ListPageDef {
    pub url: Url,
    pub category: Option<String>,
}

/// Everything extraction needs to know about a source: its profile and its overrides.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub profile: Profile,
    pub selectors: Selectors,
    /// `strftime` formats for the date field (e.g. `%d/%m/%Y %H:%M`); empty: any day-first date.
    pub date_formats: Vec<String>,
    /// The zone the site's dates are written in.
    pub timezone: FixedOffset,
    /// Longer titles are cut (with "…"): a page can hold a 100 KB heading.
    pub max_title_chars: usize,
    /// Longer bodies are cut at a paragraph: a page can hold megabytes of text.
    pub max_body_bytes: usize,
}

impl Rules {
    /// The profile's defaults: everything found by structure, dates day-first in Vietnam time.
    pub fn new(profile: Profile) -> Rules {
        Rules {
            profile,
            selectors: Selectors::default(),
            date_formats: Vec::new(),
            timezone: vietnam(),
            max_title_chars: DEFAULT_MAX_TITLE_CHARS,
            max_body_bytes: DEFAULT_MAX_BODY_KB << 10,
        }
    }
}

/// How a source's pages are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Vietnamese SharePoint e-government portals (`Block_BanTin_*` web parts).
    PublishingPortal,
    /// Any site: fields by the CSS selectors of the feed's `[selectors]` table.
    Css,
    /// A site that already publishes RSS, Atom or JSON Feed (`rss`, `atom` or `feed`: the document
    /// says which).
    Feed,
}

impl Profile {
    pub const NAMES: [(&str, Profile); 5] = [
        ("publishing-portal", Profile::PublishingPortal),
        ("css", Profile::Css),
        ("rss", Profile::Feed),
        ("atom", Profile::Feed),
        ("feed", Profile::Feed),
    ];

    pub fn parse(name: &str) -> Option<Profile> {
        Profile::NAMES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p)
    }
}

/// Per-field CSS selector overrides for the extractor; unset fields are found by structure.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Selectors {
    pub title: Option<String>,
    pub date: Option<String>,
    pub summary: Option<String>,
    pub image: Option<String>,
    pub caption: Option<String>,
    /// The element whose children are the body paragraphs.
    pub body: Option<String>,
    pub author: Option<String>,
    /// Article links on list pages.
    pub list_link: Option<String>,
    /// The "next page" link on list pages (css profile; the portal profile finds pagers itself).
    pub next_page: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFeed {
    name: String,
    title: String,
    description: Option<String>,
    site: String,
    profile: String,
    list_pages: Vec<RawListPage>,
    max_pages: Option<usize>,
    schedule: Option<String>,
    limit: Option<usize>,
    #[serde(default)]
    selectors: Selectors,
    #[serde(default)]
    date_formats: Vec<String>,
    timezone: Option<String>,
    #[serde(default)]
    category_feeds: bool,
    recheck_days: Option<u64>,
    recheck_hours: Option<u64>,
    retain_days: Option<u64>,
    retain_items: Option<usize>,
    full_text: Option<String>,
    max_new_per_page: Option<usize>,
    max_title_chars: Option<usize>,
    max_body_kb: Option<usize>,
    allowed_hosts: Option<Vec<String>>,
    icon: Option<String>,
    logo: Option<String>,
}

/// `"https://…"` or `{ url = "https://…", category = "Tin tức" }`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawListPage {
    Url(String),
    WithCategory { url: String, category: Option<String> },
}

impl FeedDef {
    pub fn load(path: &Path) -> Result<FeedDef, ConfigError> {
        let raw: RawFeed = parse_file(path)?;
        FeedDef::from_raw(path, raw)
    }

    /// Whether this source may fetch `url` (an image or a full-text page): always, unless
    /// `allowed_hosts` is set and `url` is on none of them nor on the source's own hosts.
    pub fn may_fetch(&self, url: &Url) -> bool {
        let Some(allowed) = &self.allowed_hosts else { return true };
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else { return false };
        let own = std::iter::once(&self.site).chain(self.list_pages.iter().map(|p| &p.url));
        allowed.contains(&host) || own.filter_map(|u| u.host_str()).any(|h| h.eq_ignore_ascii_case(&host))
    }

    fn from_raw(path: &Path, raw: RawFeed) -> Result<FeedDef, ConfigError> {
        check_name(path, &raw.name)?;
        if raw.title.trim().is_empty() {
            return Err(invalid(path, "title", "must not be empty"));
        }
        let site = parse_http_url(&raw.site).map_err(|r| invalid(path, "site", r))?;
        let known = Profile::NAMES.map(|(n, _)| n).join(", ");
        let profile = Profile::parse(&raw.profile)
            .ok_or_else(|| invalid(path, "profile", format!("unknown profile `{}` (known: {known})", raw.profile)))?;
        if raw.list_pages.is_empty() {
            return Err(invalid(path, "list_pages", "needs at least one URL"));
        }
        let list_pages = raw
            .list_pages
            .into_iter()
            .enumerate()
            .map(|(i, page)| {
                let (url, category) = match page {
                    RawListPage::Url(url) => (url, None),
                    RawListPage::WithCategory { url, category } => (url, category),
                };
                let url = parse_http_url(&url).map_err(|r| invalid(path, &format!("list_pages[{i}]"), r))?;
                let category = category.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
                Ok(ListPageDef { url, category })
            })
            .collect::<Result<Vec<_>, ConfigError>>()?;
        if raw.category_feeds && list_pages.iter().all(|p| p.category.is_none()) {
            return Err(invalid(path, "category_feeds", "no list page has a `category` to publish"));
        }
        let max_pages = raw.max_pages.unwrap_or(3);
        if max_pages == 0 {
            return Err(invalid(path, "max_pages", "must be at least 1"));
        }
        let limit = raw.limit.unwrap_or(50);
        if limit == 0 {
            return Err(invalid(path, "limit", "must be at least 1"));
        }
        let expr = raw.schedule.unwrap_or_else(|| DEFAULT_SCHEDULE.into());
        let schedule = Schedule::parse(&expr)
            .map_err(|r| invalid(path, "schedule", format!("`{expr}` is not a cron expression: {r}")))?;
        let full_text = match raw.full_text.as_deref() {
            None => None,
            Some(_) if profile != Profile::Feed => {
                return Err(invalid(path, "full_text", "only feed sources (profile rss, atom or feed) take it"));
            }
            Some(name) => match Profile::parse(name) {
                Some(p @ Profile::PublishingPortal) => Some(p),
                Some(p @ Profile::Css) if raw.selectors.title.is_some() && raw.selectors.body.is_some() => Some(p),
                Some(Profile::Css) => {
                    return Err(invalid(path, "full_text", "`css` needs selectors.title and selectors.body"));
                }
                _ => {
                    return Err(invalid(
                        path,
                        "full_text",
                        format!("`{name}` is not a page profile (publishing-portal, css)"),
                    ));
                }
            },
        };
        // Ranges a sane feed stays within: beyond them a value is a typo (and day counts
        // beyond them overflow when turned into durations).
        let ranged = |key: &str, value: Option<u64>, default: u64, min: u64, max: u64| match value {
            Some(v) if !(min..=max).contains(&v) => Err(invalid(path, key, format!("{v} is out of range {min}-{max}"))),
            v => Ok(v.unwrap_or(default)),
        };
        let as_u64 = |v: Option<usize>| v.map(|v| v as u64);
        let recheck_days = ranged("recheck_days", raw.recheck_days, 2, 0, 3650)?;
        let recheck_hours = ranged("recheck_hours", raw.recheck_hours, 6, 0, 87_600)?;
        let retain_days = raw.retain_days.map(|d| ranged("retain_days", Some(d), 0, 1, 365_000)).transpose()?;
        let max_new_per_page =
            ranged("max_new_per_page", as_u64(raw.max_new_per_page), DEFAULT_MAX_NEW_PER_PAGE as u64, 1, 100_000)?;
        let max_title_chars =
            ranged("max_title_chars", as_u64(raw.max_title_chars), DEFAULT_MAX_TITLE_CHARS as u64, 20, 100_000)?;
        let max_body_kb = ranged("max_body_kb", as_u64(raw.max_body_kb), DEFAULT_MAX_BODY_KB as u64, 4, 1 << 20)?;
        let rules = Rules {
            max_title_chars: max_title_chars as usize,
            max_body_bytes: (max_body_kb as usize) << 10,
            ..rules(path, profile, raw.selectors, raw.date_formats, raw.timezone.as_deref())?
        };
        Ok(FeedDef {
            name: raw.name,
            description: raw.description.unwrap_or_else(|| raw.title.clone()),
            title: raw.title,
            site,
            rules,
            list_pages,
            max_pages,
            max_new_per_page: max_new_per_page as usize,
            schedule,
            limit,
            category_feeds: raw.category_feeds,
            recheck_window: Duration::from_secs(recheck_days * 86_400),
            recheck_every: Duration::from_secs(recheck_hours * 3600),
            retain_for: retain_days.map(|d| Duration::from_secs(d * 86_400)),
            retain_items: raw.retain_items,
            keep_at_least: limit,
            full_text,
            allowed_hosts: raw.allowed_hosts.map(|hosts| hosts.iter().map(|h| h.trim().to_ascii_lowercase()).collect()),
            icon: raw.icon.map(|u| parse_http_url(&u).map_err(|r| invalid(path, "icon", r))).transpose()?,
            logo: raw.logo.map(|u| parse_http_url(&u).map_err(|r| invalid(path, "logo", r))).transpose()?,
        })
    }

    /// A feed over the bundled sample portal at `base` (the demo's only source).
    pub fn sample(base: &Url) -> FeedDef {
        let raw = RawFeed {
            name: "backan-sample".into(),
            title: "Bắc Kạn — Tin tức - Sự kiện (sample portal)".into(),
            description: Some("News from the bundled sample PublishingPortal site, served on loopback".into()),
            site: base.to_string(),
            profile: "publishing-portal".into(),
            list_pages: vec![RawListPage::WithCategory {
                url: base.join("/Pages/tin-tuc-su-kien.aspx").expect("static path").to_string(),
                category: Some("Tin tức - Sự kiện".into()),
            }],
            max_pages: None,
            schedule: Some("*/5 * * * *".into()),
            limit: None,
            selectors: Selectors::default(),
            date_formats: Vec::new(),
            timezone: None,
            category_feeds: false,
            recheck_days: None,
            recheck_hours: None,
            retain_days: None,
            retain_items: None,
            full_text: None,
            max_new_per_page: None,
            max_title_chars: None,
            max_body_kb: None,
            allowed_hosts: None,
            icon: None,
            logo: None,
        };
        FeedDef::from_raw(Path::new("<built-in sample>"), raw).expect("the built-in sample feed is valid")
    }
}

fn rules(
    path: &Path,
    profile: Profile,
    selectors: Selectors,
    date_formats: Vec<String>,
    timezone: Option<&str>,
) -> Result<Rules, ConfigError> {
    let s = &selectors;
    let fields = [
        ("title", &s.title),
        ("date", &s.date),
        ("summary", &s.summary),
        ("image", &s.image),
        ("caption", &s.caption),
        ("body", &s.body),
        ("author", &s.author),
        ("list_link", &s.list_link),
        ("next_page", &s.next_page),
    ];
    for (key, sel) in fields {
        if let Some(sel) = sel
            && let Err(e) = scraper::Selector::parse(sel)
        {
            return Err(invalid(path, &format!("selectors.{key}"), format!("`{sel}` is not a CSS selector: {e}")));
        }
    }
    if profile == Profile::Css {
        for (key, sel) in [("title", &s.title), ("body", &s.body), ("list_link", &s.list_link)] {
            if sel.is_none() {
                return Err(invalid(path, &format!("selectors.{key}"), "required by profile `css`"));
            }
        }
    }
    for (i, format) in date_formats.iter().enumerate() {
        let broken = chrono::format::StrftimeItems::new(format).any(|item| item == chrono::format::Item::Error);
        let has_date = ["%d", "%e", "%F", "%D", "%x"].iter().any(|d| format.contains(d));
        if broken || !has_date || format.trim().is_empty() {
            return Err(invalid(
                path,
                &format!("date_formats[{i}]"),
                format!("`{format}` is not a strftime date format with a day"),
            ));
        }
    }
    let timezone = match timezone {
        None | Some("Asia/Ho_Chi_Minh" | "Asia/Saigon") => vietnam(),
        Some(text) => parse_offset(text).ok_or_else(|| {
            invalid(path, "timezone", format!("`{text}` is not an offset like +07:00 (or Asia/Ho_Chi_Minh)"))
        })?,
    };
    Ok(Rules { selectors, date_formats, timezone, ..Rules::new(profile) })
}

/// `+07:00`, `-05:30`, `+0700` or `UTC`.
fn parse_offset(text: &str) -> Option<FixedOffset> {
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match text.as_bytes().first()? {
        b'+' => (1, &text[1..]),
        b'-' => (-1, &text[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let (h, m): (i32, i32) = (digits[..2].parse().ok()?, digits[2..].parse().ok()?);
    if h > 14 || m > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allowed_hosts_limit_images_and_full_text_to_the_source_and_the_list() {
        let mut def = FeedDef::sample(&Url::parse("https://portal.example/").unwrap());
        let url = |u: &str| Url::parse(u).unwrap();
        assert!(def.may_fetch(&url("https://elsewhere.example/a.jpg")), "unset: any host");
        def.allowed_hosts = Some(vec!["cdn.example".into()]);
        assert!(def.may_fetch(&url("https://CDN.example/a.jpg")));
        assert!(def.may_fetch(&url("https://portal.example/PictureLibrary/a.jpg")), "the source's own host");
        assert!(!def.may_fetch(&url("https://elsewhere.example/a.jpg")));
        assert!(!def.may_fetch(&url("https://cdn.example.evil.example/a.jpg")));
    }
}
