//! Time: a layer's editions (its time dimension) and the one way every
//! service resolves a requested time against them. A single value (a map's
//! or a tile's time, seeding) selects one edition; a `datetime` range
//! (instants, closed and open intervals, start/duration) selects every
//! edition whose period it overlaps.

use std::str::FromStr;

use jiff::civil::Date;
use jiff::{Span, Timestamp, tz::TimeZone};

/// A half-open range of instants, in seconds since 1970; `None` is unbounded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimeRange {
    pub start: Option<i64>,
    pub end: Option<i64>,
}

impl TimeRange {
    pub fn overlaps(&self, other: &TimeRange) -> bool {
        self.start.is_none_or(|s| other.end.is_none_or(|e| s < e))
            && self.end.is_none_or(|e| other.start.is_none_or(|s| s < e))
    }

    /// The year an edition value such as `2022` stands for.
    pub fn year(y: i64) -> Option<TimeRange> {
        let start = Date::new(i16::try_from(y).ok()?, 1, 1).ok()?;
        let end = Date::new(i16::try_from(y + 1).ok()?, 1, 1).ok()?;
        Some(TimeRange {
            start: Some(day_start(start)?),
            end: Some(day_start(end)?),
        })
    }
}

fn day_start(d: Date) -> Option<i64> {
    Some(d.to_zoned(TimeZone::UTC).ok()?.timestamp().as_second())
}

/// An instant or a calendar period: `2019`, `2019-06-01`, `2019-06-01T10:00:00Z`.
pub fn period(s: &str) -> Result<TimeRange, String> {
    let s = s.trim();
    if let Ok(t) = Timestamp::from_str(s) {
        let at = t.as_second();
        return Ok(TimeRange {
            start: Some(at),
            end: Some(at + 1),
        });
    }
    if let Ok(d) = Date::from_str(s) {
        let start = day_start(d).ok_or("date out of range")?;
        return Ok(TimeRange {
            start: Some(start),
            end: Some(start + 86_400),
        });
    }
    if s.len() == 4 && s.chars().all(|c| c.is_ascii_digit()) {
        return TimeRange::year(s.parse().map_err(|_| "bad year")?).ok_or_else(|| "year out of range".to_string());
    }
    Err(format!("`{s}` is not an RFC 3339 date or date-time"))
}

/// Parses a `datetime` value: an instant, `a/b`, `../b`, `a/..`, or `a/P2D`.
pub fn parse_datetime(s: &str) -> Result<TimeRange, String> {
    let Some((a, b)) = s.split_once('/') else {
        return period(s);
    };
    let open = |x: &str| x.is_empty() || x == "..";
    if open(a) && open(b) {
        return Ok(TimeRange { start: None, end: None });
    }
    let start = if open(a) { None } else { Some(period(a)?) };
    let end = if open(b) {
        None
    } else if let Some(d) = b.strip_prefix('P').map(|_| b) {
        let start = start.and_then(|s| s.start).ok_or("a duration needs a start")?;
        let span = Span::from_str(d).map_err(|e| format!("`{d}` is not an ISO 8601 duration: {e}"))?;
        let t = Timestamp::from_second(start)
            .map_err(|e| e.to_string())?
            .to_zoned(TimeZone::UTC)
            .checked_add(span)
            .map_err(|e| e.to_string())?;
        Some(TimeRange {
            start: None,
            end: Some(t.timestamp().as_second() + 1),
        })
    } else {
        Some(period(b)?)
    };
    let r = TimeRange {
        start: start.and_then(|s| s.start),
        end: end.and_then(|e| e.end),
    };
    if let (Some(s), Some(e)) = (r.start, r.end)
        && s >= e
    {
        return Err(format!("the interval `{s}` ends before it starts"));
    }
    Ok(r)
}

/// Editions of a layer selectable through a time parameter.
#[derive(Debug, Clone)]
pub struct TimeDimension {
    /// The feature property holding the edition.
    pub field: String,
    /// Every edition present in the data, ascending.
    pub values: Vec<String>,
    pub default: String,
}

/// A requested time that names no edition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("time `{requested}` is not one of {editions}")]
pub struct NoSuchEdition {
    pub requested: String,
    pub editions: String,
}

impl TimeDimension {
    /// The edition a requested time selects: none, `current` or `default`
    /// mean the default edition; an edition's own value selects it, and so
    /// does an instant inside it (`2019-06-01T00:00:00Z` selects `2019`).
    pub fn resolve(&self, requested: Option<&str>) -> Result<&str, NoSuchEdition> {
        let Some(req) = requested.map(str::trim) else {
            return Ok(&self.default);
        };
        if req.eq_ignore_ascii_case("current") || req.eq_ignore_ascii_case("default") {
            return Ok(&self.default);
        }
        if let Some(v) = self.values.iter().find(|v| v.as_str() == req) {
            return Ok(v);
        }
        let inside = self.values.iter().find(|v| {
            req.strip_prefix(v.as_str())
                .is_some_and(|rest| rest.starts_with('-') || rest.starts_with('T'))
        });
        inside.map(String::as_str).ok_or_else(|| NoSuchEdition {
            requested: req.to_string(),
            editions: self.values.join(", "),
        })
    }

    /// The editions whose period overlaps `range`.
    pub fn overlapping(&self, range: &TimeRange) -> Vec<String> {
        self.values
            .iter()
            .filter(|v| period(v).is_ok_and(|p| p.overlaps(range)))
            .cloned()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_forms() {
        let y2019 = TimeRange::year(2019).unwrap();
        let y2022 = TimeRange::year(2022).unwrap();
        let t = |s: &str| parse_datetime(s).unwrap();
        assert!(t("2019-06-01T10:00:00Z").overlaps(&y2019));
        assert!(!t("2019-06-01T10:00:00Z").overlaps(&y2022));
        assert!(t("2019-12-31").overlaps(&y2019));
        assert!(t("2020-01-01/2022-06-01").overlaps(&y2022));
        assert!(!t("2020-01-01/2021-12-31").overlaps(&y2022));
        assert!(t("../2019-03-01").overlaps(&y2019) && !t("../2019-03-01").overlaps(&y2022));
        assert!(t("2022-01-01T00:00:00Z/..").overlaps(&y2022));
        assert!(t("2018-12-30/P2D").overlaps(&y2019), "start + 2 days reaches 2019");
        assert!(!t("2018-12-01/P2D").overlaps(&y2019));
        assert!(t("../..").overlaps(&y2019));
        assert!(parse_datetime("yesterday").is_err());
        assert!(parse_datetime("2022-01-01/2019-01-01").is_err());
    }

    #[test]
    fn editions_resolve_one_way() {
        let dim = TimeDimension {
            field: "millesime".into(),
            values: vec!["2019".into(), "2022".into()],
            default: "2022".into(),
        };
        assert_eq!(dim.resolve(None).unwrap(), "2022");
        assert_eq!(dim.resolve(Some("2019")).unwrap(), "2019");
        assert_eq!(dim.resolve(Some("2019-06-01T00:00:00Z")).unwrap(), "2019");
        assert_eq!(dim.resolve(Some("current")).unwrap(), "2022");
        assert_eq!(dim.resolve(Some("DEFAULT")).unwrap(), "2022");
        let e = dim.resolve(Some("2020")).unwrap_err();
        assert_eq!(e.to_string(), "time `2020` is not one of 2019, 2022");
        assert_eq!(dim.overlapping(&parse_datetime("2020-01-01/..").unwrap()), ["2022"]);
        assert_eq!(dim.overlapping(&parse_datetime("../..").unwrap()), ["2019", "2022"]);
    }
}
