//! Feed files that merge sources (`sources = [...]`): which sources, which of their items
//! (filters, categories), one copy per story.

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;

use super::{ConfigError, check_name, invalid, parse_file};

/// A feed that merges sources, as a feed file with `sources = [...]` defines it.
#[derive(Debug, Clone)]
pub struct MergedDef {
    pub name: String,
    pub title: String,
    pub description: String,
    pub sources: Vec<String>,
    /// Only items of these categories (any of them); empty: all.
    pub categories: Vec<String>,
    pub limit: usize,
    pub filter: Filter,
    /// Two sources' items with the same title published this close together are one story.
    pub dedupe_window: Duration,
}

/// Which items a feed keeps.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// An item must match one of these (title, summary or body text); empty: any item.
    pub include: Vec<regex::Regex>,
    /// An item matching any of these is left out.
    pub exclude: Vec<regex::Regex>,
    /// Only items by these authors; empty: any author.
    pub authors: Vec<String>,
    /// Only items published this recently.
    pub max_age: Option<Duration>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMerged {
    name: String,
    title: String,
    description: Option<String>,
    sources: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    limit: Option<usize>,
    dedupe_hours: Option<u64>,
    #[serde(default)]
    filter: RawFilter,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFilter {
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    #[serde(default)]
    authors: Vec<String>,
    max_age_days: Option<u64>,
}

impl Filter {
    /// Keeps every item.
    pub fn is_empty(&self) -> bool {
        self.include.is_empty() && self.exclude.is_empty() && self.authors.is_empty() && self.max_age.is_none()
    }
}

impl MergedDef {
    pub fn load(path: &Path) -> Result<MergedDef, ConfigError> {
        let raw: RawMerged = parse_file(path)?;
        check_name(path, &raw.name)?;
        if raw.title.trim().is_empty() {
            return Err(invalid(path, "title", "must not be empty"));
        }
        if raw.sources.is_empty() {
            return Err(invalid(path, "sources", "needs at least one source feed"));
        }
        let limit = raw.limit.unwrap_or(50);
        if limit == 0 {
            return Err(invalid(path, "limit", "must be at least 1"));
        }
        // Case-insensitive: "du lịch" should find "Du lịch" (Unicode-aware, Vietnamese included).
        let compile = |key: &str, patterns: &[String]| -> Result<Vec<regex::Regex>, ConfigError> {
            patterns
                .iter()
                .enumerate()
                .map(|(i, p)| {
                    regex::RegexBuilder::new(p)
                        .case_insensitive(true)
                        .build()
                        .map_err(|e| invalid(path, &format!("filter.{key}[{i}]"), format!("`{p}` is not a regex: {e}")))
                })
                .collect()
        };
        // Beyond these a value is a typo, and would overflow as a duration.
        if let Some(days) = raw.filter.max_age_days.filter(|d| !(1..=365_000).contains(d)) {
            return Err(invalid(path, "filter.max_age_days", format!("{days} is out of range 1-365000")));
        }
        let dedupe_hours = raw.dedupe_hours.unwrap_or(48);
        if dedupe_hours > 87_600 {
            return Err(invalid(path, "dedupe_hours", format!("{dedupe_hours} is out of range 0-87600")));
        }
        let filter = Filter {
            include: compile("include", &raw.filter.include)?,
            exclude: compile("exclude", &raw.filter.exclude)?,
            authors: raw.filter.authors,
            max_age: raw.filter.max_age_days.map(|d| Duration::from_secs(d * 86_400)),
        };
        Ok(MergedDef {
            name: raw.name,
            description: raw.description.unwrap_or_else(|| raw.title.clone()),
            title: raw.title,
            sources: raw.sources,
            categories: raw.categories,
            limit,
            filter,
            dedupe_window: Duration::from_secs(dedupe_hours * 3600),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: &str) -> Result<MergedDef, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("viet-bac.toml");
        std::fs::write(&path, toml).unwrap();
        MergedDef::load(&path).map_err(|e| e.to_string())
    }

    #[test]
    fn a_merged_feed_file_and_what_it_refuses() {
        let base = "name = \"viet-bac\"\ntitle = \"Tin vùng Việt Bắc\"\nsources = [\"backan\", \"thainguyen\"]\n";
        let def = load(&format!("{base}[filter]\ninclude = [\"du lịch\"]\n")).unwrap();
        assert_eq!(def.limit, 50);
        assert_eq!(def.dedupe_window, Duration::from_secs(48 * 3600));
        assert!(def.filter.include[0].is_match("DU LỊCH Ba Bể"), "case-insensitive, Vietnamese included");
        let refused = |extra: &str, said: &str| {
            let e = load(&format!("{base}{extra}")).unwrap_err();
            assert!(e.contains(said), "{extra}: {e}");
        };
        refused("[filter]\ninclude = [\"(\"]\n", "key `filter.include[0]`");
        refused("dedupe_hours = 18446744073709551615\n", "key `dedupe_hours`");
        refused("[filter]\nmax_age_days = 18446744073709551615\n", "key `filter.max_age_days`");
        refused("limit = 0\n", "key `limit`");
        let e = load("name = \"x\"\ntitle = \"t\"\nsources = []\n").unwrap_err();
        assert!(e.contains("key `sources`"), "{e}");
    }
}
