//! Searching the records: the one query model behind CSW constraints
//! (CQL text and Filter Encoding), OGC API – Records `q`/`bbox`/`type` and
//! the search page.
//!
//! Text matching folds case and accents unless a filter asks for an exact
//! case, so that "occupation" finds "Occupation du sol" and "etablissements"
//! finds "Établissements".

use std::cmp::Ordering;

use super::Record;
use crate::grid::BBox;
use crate::metadata::Language;
use crate::style::CmpOp;

/// What a constraint can ask about a record, as CSW (Dublin Core and the
/// ISO application profile) names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queryable {
    AnyText,
    Title,
    Abstract,
    Subject,
    Type,
    Identifier,
    Modified,
    Format,
    Crs,
    OrganisationName,
    /// A licence, or access constraint.
    Rights,
}

impl Queryable {
    /// A queryable by its CSW name, with or without its prefix (`dc:title`,
    /// `apiso:Title`, `Title`, `csw:AnyText`…), case-insensitively.
    pub fn by_name(name: &str) -> Option<Queryable> {
        let local = name.rsplit(':').next().unwrap_or(name).to_ascii_lowercase();
        Some(match local.as_str() {
            "anytext" | "q" => Queryable::AnyText,
            "title" | "alternatetitle" => Queryable::Title,
            "abstract" | "description" => Queryable::Abstract,
            "subject" | "keywords" | "keyword" | "topiccategory" => Queryable::Subject,
            "type" => Queryable::Type,
            "identifier" | "resourceidentifier" | "fileidentifier" | "id" | "externalids" => Queryable::Identifier,
            "modified" | "revisiondate" | "date" | "updated" => Queryable::Modified,
            "format" => Queryable::Format,
            "crs" | "referencesystem" => Queryable::Crs,
            "organisationname" | "publisher" | "creator" => Queryable::OrganisationName,
            "rights" | "accessconstraints" | "otherconstraints" | "license" => Queryable::Rights,
            _ => return None,
        })
    }

    /// The values a record holds for this queryable, in both languages.
    pub fn values(self, r: &Record) -> Vec<String> {
        let both = |l: &crate::metadata::Localized| vec![l.fr.clone(), l.get(Language::En).to_string()];
        match self {
            Queryable::AnyText => {
                let mut v = both(&r.title);
                v.extend(both(&r.abstract_));
                v.extend(r.keywords.iter().cloned());
                if let Some(t) = r.theme {
                    v.extend([t.fr.to_string(), t.en.to_string()]);
                }
                v.extend([r.uuid.clone(), r.identifier(), r.code.clone(), r.licence.clone()]);
                v.extend(r.layer.iter().cloned());
                v
            }
            Queryable::Title => both(&r.title),
            Queryable::Abstract => both(&r.abstract_),
            Queryable::Subject => {
                let mut v = r.keywords.clone();
                v.push(r.topic.to_string());
                if let Some(t) = r.theme {
                    v.extend([t.fr.to_string(), t.en.to_string(), t.uri()]);
                }
                v
            }
            Queryable::Type => vec![r.scope.code().to_string()],
            Queryable::Identifier => vec![r.uuid.clone(), r.identifier(), r.code.clone()],
            Queryable::Modified => vec![r.modified_iso()],
            Queryable::Format => match r.scope {
                super::Scope::Service(_) => vec![],
                _ if r.derived.geometry_type.is_some() => {
                    vec![
                        "GeoJSON".into(),
                        "FlatGeobuf".into(),
                        "image/png".into(),
                        "application/vnd.mapbox-vector-tile".into(),
                    ]
                }
                _ => vec!["image/png".into(), "image/jpeg".into(), "GeoTIFF".into()],
            },
            Queryable::Crs => r.crs.iter().map(|c| c.to_string()).collect(),
            Queryable::OrganisationName => r.attribution.iter().map(|a| a.0.clone()).collect(),
            Queryable::Rights => vec![r.licence.clone()],
        }
    }
}

/// A condition on records.
#[derive(Debug, Clone, PartialEq)]
pub enum Constraint {
    All(Vec<Constraint>),
    Any(Vec<Constraint>),
    Not(Box<Constraint>),
    Compare {
        op: CmpOp,
        queryable: Queryable,
        value: String,
        match_case: bool,
    },
    /// SQL LIKE with `%` and `_` (other wildcards are translated on reading).
    Like {
        queryable: Queryable,
        pattern: String,
        match_case: bool,
    },
    /// The record's extent (lon/lat) meets this box.
    Intersects(BBox),
    Const(bool),
}

/// Folds case and accents, for matching French text as people type it.
pub fn fold(s: &str) -> String {
    unaccent::unaccent(s).to_lowercase()
}

impl Constraint {
    pub fn matches(&self, r: &Record) -> bool {
        match self {
            Constraint::All(cs) => cs.iter().all(|c| c.matches(r)),
            Constraint::Any(cs) => cs.iter().any(|c| c.matches(r)),
            Constraint::Not(c) => !c.matches(r),
            Constraint::Const(b) => *b,
            Constraint::Intersects(b) => r.extent.intersects(b),
            Constraint::Compare {
                op,
                queryable,
                value,
                match_case,
            } => {
                let values = queryable.values(r);
                let hit = |v: &String| op.holds(compare(*queryable, v, value, *match_case));
                // Not-equal holds when no value equals; the others when one value does.
                if *op == CmpOp::Ne {
                    values.iter().all(hit)
                } else {
                    values.iter().any(hit)
                }
            }
            Constraint::Like {
                queryable,
                pattern,
                match_case,
            } => {
                let pattern = if *match_case { pattern.clone() } else { fold(pattern) };
                queryable.values(r).iter().any(|v| {
                    let v = if *match_case { v.clone() } else { fold(v) };
                    crate::style::like(&v, &pattern, '%', '_', '\\', true)
                })
            }
        }
    }

    /// A free-text search, as a search box sends it: every word must be
    /// somewhere in the record's text (accents and case folded).
    pub fn words(q: &str) -> Constraint {
        let words: Vec<Constraint> = q
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(|w| Constraint::Like {
                queryable: Queryable::AnyText,
                pattern: format!("%{}%", escape_like(w)),
                match_case: false,
            })
            .collect();
        Constraint::All(words)
    }
}

/// A text with LIKE's wildcards escaped, to match as written.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Orders a record's value against a literal: dates by their common
/// prefix (so that `2024` and `2024-05-01` compare as dates), other text
/// folded unless case matters.
fn compare(q: Queryable, value: &str, literal: &str, match_case: bool) -> Ordering {
    if q == Queryable::Modified {
        // Bytes: a literal is anything a client sent, not always ASCII.
        let n = value.len().min(literal.len());
        return value.as_bytes()[..n].cmp(&literal.as_bytes()[..n]);
    }
    if q == Queryable::Type || !match_case {
        return fold(value).cmp(&fold(literal));
    }
    value.cmp(literal)
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SortBy {
    pub queryable: Queryable,
    pub descending: bool,
}

/// The records matching a constraint, sorted (by `sort` then by
/// identifier, so pages never overlap).
pub fn select<'a>(records: &'a [Record], constraint: &Constraint, sort: &[SortBy]) -> Vec<&'a Record> {
    let mut hits: Vec<&Record> = records.iter().filter(|r| constraint.matches(r)).collect();
    let key = |r: &Record, q: Queryable| fold(q.values(r).first().map(String::as_str).unwrap_or(""));
    hits.sort_by(|a, b| {
        for s in sort {
            let o = key(a, s.queryable).cmp(&key(b, s.queryable));
            let o = if s.descending { o.reverse() } else { o };
            if o != Ordering::Equal {
                return o;
            }
        }
        a.uuid.cmp(&b.uuid)
    });
    hits
}

/// Why a text filter cannot be a constraint.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ConstraintError {
    #[error("the constraint does not parse: {0}")]
    Syntax(String),
    #[error("`{0}` is not a queryable of this catalogue")]
    UnknownQueryable(String),
    #[error("{0}")]
    Invalid(String),
}

/// Reads a CQL text constraint (CSW's `CQL_TEXT`, OGC API's `filter`).
/// OGC CQL's `BBOX(property, minx, miny, maxx, maxy)` is read too.
pub fn from_cql_text(text: &str) -> Result<Constraint, ConstraintError> {
    let rewritten = rewrite_bbox(text);
    let expr = crate::query::filter::parse(&rewritten, false).map_err(|e| ConstraintError::Syntax(e.to_string()))?;
    let mut nodes = 0;
    from_expr(&expr, &mut nodes)
}

/// The most terms a constraint may have.
const MAX_TERMS: usize = 500;

fn from_expr(e: &cql2::Expr, nodes: &mut usize) -> Result<Constraint, ConstraintError> {
    use cql2::Expr as E;
    *nodes += 1;
    if *nodes > MAX_TERMS {
        return Err(ConstraintError::Invalid(format!(
            "a constraint may have at most {MAX_TERMS} terms"
        )));
    }
    let (op, args) = match e {
        E::Bool(b) => return Ok(Constraint::Const(*b)),
        E::Operation { op, args } => (op.as_str(), args),
        _ => return Err(ConstraintError::Invalid("the constraint is not a condition".into())),
    };
    let property = |a: &cql2::Expr| -> Result<Queryable, ConstraintError> {
        match a {
            E::Property { property } => {
                Queryable::by_name(property).ok_or_else(|| ConstraintError::UnknownQueryable(property.clone()))
            }
            _ => Err(ConstraintError::Invalid(
                "the left side of a comparison must be a queryable".into(),
            )),
        }
    };
    let literal = |a: &cql2::Expr| -> Result<String, ConstraintError> {
        Ok(match a {
            E::Literal(s) => s.clone(),
            E::Float(f) => f.to_string(),
            E::Bool(b) => b.to_string(),
            E::Date { date } | E::Timestamp { timestamp: date } => match date.as_ref() {
                E::Literal(s) => s.clone(),
                _ => return Err(ConstraintError::Invalid("a date must be a literal".into())),
            },
            _ => {
                return Err(ConstraintError::Invalid(
                    "the right side of a comparison must be a literal".into(),
                ));
            }
        })
    };
    let two = || -> Result<(), ConstraintError> {
        if args.len() == 2 {
            Ok(())
        } else {
            Err(ConstraintError::Invalid(format!("`{op}` takes two arguments")))
        }
    };
    let cmp = |c: CmpOp| -> Result<Constraint, ConstraintError> {
        two()?;
        Ok(Constraint::Compare {
            op: c,
            queryable: property(&args[0])?,
            value: literal(&args[1])?,
            match_case: false,
        })
    };
    if let Some(c) = CmpOp::from_cql2(op) {
        return cmp(c);
    }
    Ok(match op {
        "and" => Constraint::All(args.iter().map(|a| from_expr(a, nodes)).collect::<Result<_, _>>()?),
        "or" => Constraint::Any(args.iter().map(|a| from_expr(a, nodes)).collect::<Result<_, _>>()?),
        "not" if args.len() == 1 => Constraint::Not(Box::new(from_expr(&args[0], nodes)?)),
        "like" => {
            two()?;
            Constraint::Like {
                queryable: property(&args[0])?,
                pattern: literal(&args[1])?,
                match_case: false,
            }
        }
        "in" => {
            two()?;
            let E::Array(items) = args[1].as_ref() else {
                return Err(ConstraintError::Invalid("IN needs a list".into()));
            };
            let q = property(&args[0])?;
            Constraint::Any(
                items
                    .iter()
                    .map(|i| {
                        Ok(Constraint::Compare {
                            op: CmpOp::Eq,
                            queryable: q,
                            value: literal(i)?,
                            match_case: false,
                        })
                    })
                    .collect::<Result<_, ConstraintError>>()?,
            )
        }
        "s_intersects" => {
            two()?;
            let bbox = args
                .iter()
                .find_map(|a| match a.as_ref() {
                    E::BBox { bbox } => Some(bbox),
                    _ => None,
                })
                .ok_or_else(|| ConstraintError::Invalid("spatial constraints take a BBOX".into()))?;
            let n: Vec<f64> = bbox
                .iter()
                .map(|v| match v.as_ref() {
                    E::Float(f) => Some(*f),
                    _ => None,
                })
                .collect::<Option<_>>()
                .ok_or_else(|| ConstraintError::Invalid("a BBOX holds numbers".into()))?;
            match n[..] {
                [minx, miny, maxx, maxy] if minx <= maxx && miny <= maxy => {
                    Constraint::Intersects(BBox::new(minx, miny, maxx, maxy))
                }
                _ => return Err(ConstraintError::Invalid("a BBOX is minx, miny, maxx, maxy".into())),
            }
        }
        other => {
            return Err(ConstraintError::Invalid(format!(
                "operator `{other}` is not supported here"
            )));
        }
    })
}

/// `BBOX(prop, a, b, c, d)` (OGC CQL) as `S_INTERSECTS(prop, BBOX(a, b, c, d))` (CQL2).
fn rewrite_bbox(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(i) = find_ci(rest, "bbox(") {
        let (before, after) = rest.split_at(i);
        out.push_str(before);
        let inner = &after[5..];
        // The property name, up to the first comma, when one comes first.
        match inner.find(',') {
            Some(comma)
                if inner[..comma].trim().chars().next().is_some_and(|c| c.is_alphabetic())
                    && inner[..comma]
                        .trim()
                        .chars()
                        .all(|c| c.is_alphanumeric() || "_:.".contains(c)) =>
            {
                let Some(close) = inner.find(')') else {
                    out.push_str(after);
                    return out;
                };
                if close < comma {
                    out.push_str(&after[..5]);
                    rest = inner;
                    continue;
                }
                out.push_str(&format!(
                    "S_INTERSECTS({}, BBOX({}))",
                    inner[..comma].trim(),
                    &inner[comma + 1..close]
                ));
                rest = &inner[close + 1..];
            }
            _ => {
                out.push_str(&after[..5]);
                rest = inner;
            }
        }
    }
    out.push_str(rest);
    out
}

fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    hay.to_ascii_lowercase().find(needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_finds_french_words_as_typed() {
        assert_eq!(fold("Établissements recevant"), "etablissements recevant");
        assert!(crate::style::like(
            &fold("Occupation du sol"),
            "%occupation%",
            '%',
            '_',
            '\\',
            true
        ));
    }

    #[test]
    fn dates_compare_by_their_common_prefix_whatever_the_literal() {
        assert_eq!(
            compare(Queryable::Modified, "2026-12-01T10:00:00Z", "2026", false),
            Ordering::Equal
        );
        assert_eq!(
            compare(Queryable::Modified, "2026-12-01T10:00:00Z", "2025-06", false),
            Ordering::Greater
        );
        // A multi-byte character where a date's digits would be: no panic.
        assert_eq!(compare(Queryable::Modified, "2026-12-01", "20é", false), Ordering::Less);
    }

    #[test]
    fn ogc_cql_bbox_is_read() {
        assert_eq!(
            rewrite_bbox("BBOX(ows:BoundingBox, 1, 43, 2, 44) and dc:type = 'dataset'"),
            "S_INTERSECTS(ows:BoundingBox, BBOX( 1, 43, 2, 44)) and dc:type = 'dataset'"
        );
        // A CQL2 bbox literal is left alone.
        assert_eq!(
            rewrite_bbox("S_INTERSECTS(g, BBOX(1,2,3,4))"),
            "S_INTERSECTS(g, BBOX(1,2,3,4))"
        );
        let c = from_cql_text("BBOX(ows:BoundingBox, 1, 43, 2, 44)").unwrap();
        assert_eq!(c, Constraint::Intersects(BBox::new(1.0, 43.0, 2.0, 44.0)));
    }

    #[test]
    fn cql_text_reads_csw_queryables() {
        let c = from_cql_text("csw:AnyText LIKE '%adresse%' AND apiso:Type = 'dataset'").unwrap();
        let Constraint::All(parts) = c else { panic!("{c:?}") };
        assert!(matches!(
            parts[0],
            Constraint::Like {
                queryable: Queryable::AnyText,
                ..
            }
        ));
        assert!(matches!(
            parts[1],
            Constraint::Compare {
                queryable: Queryable::Type,
                ..
            }
        ));
        assert!(matches!(
            from_cql_text("dc:nope = 'x'"),
            Err(ConstraintError::UnknownQueryable(_))
        ));
        assert!(matches!(from_cql_text("title = "), Err(ConstraintError::Syntax(_))));
    }
}
