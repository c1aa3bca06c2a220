//! OGC Filter Encoding 1.1 constraints (`ogc:Filter`, CSW's `FILTER`
//! constraint language) read into the catalogue's query model.

use tuile_core::grid::{BBox, Crs, transform_bbox};
use tuile_core::records::search::{Constraint, Queryable};
use tuile_core::style::CmpOp;
use tuile_core::xml::Element;

/// The most terms a filter may have.
const MAX_TERMS: usize = 500;

/// Reads an `ogc:Filter` element (or the condition it holds).
pub fn read(filter: &Element) -> Result<Constraint, String> {
    let mut terms = 0;
    let conditions: Vec<&Element> = filter.elements().collect();
    match (filter.name.as_str(), conditions.as_slice()) {
        ("Filter", [one]) => condition(one, &mut terms),
        ("Filter", []) => Err("the filter is empty".into()),
        ("Filter", _) => Err("a filter holds one condition (wrap several in And or Or)".into()),
        _ => condition(filter, &mut terms),
    }
}

fn condition(e: &Element, terms: &mut usize) -> Result<Constraint, String> {
    *terms += 1;
    if *terms > MAX_TERMS {
        return Err(format!("a filter may have at most {MAX_TERMS} terms"));
    }
    let children =
        |terms: &mut usize| -> Result<Vec<Constraint>, String> { e.elements().map(|c| condition(c, terms)).collect() };
    let compare = |op: CmpOp| -> Result<Constraint, String> {
        let (q, value) = property_and_literal(e)?;
        Ok(Constraint::Compare {
            op,
            queryable: q,
            value,
            match_case: e.attr("matchCase").is_some_and(|v| v == "true"),
        })
    };
    Ok(match e.name.as_str() {
        "And" => Constraint::All(children(terms)?),
        "Or" => Constraint::Any(children(terms)?),
        "Not" => {
            let mut c = children(terms)?;
            if c.len() != 1 {
                return Err("Not holds one condition".into());
            }
            Constraint::Not(Box::new(c.remove(0)))
        }
        "PropertyIsEqualTo" => compare(CmpOp::Eq)?,
        "PropertyIsNotEqualTo" => compare(CmpOp::Ne)?,
        "PropertyIsLessThan" => compare(CmpOp::Lt)?,
        "PropertyIsLessThanOrEqualTo" => compare(CmpOp::Le)?,
        "PropertyIsGreaterThan" => compare(CmpOp::Gt)?,
        "PropertyIsGreaterThanOrEqualTo" => compare(CmpOp::Ge)?,
        "PropertyIsLike" => {
            let (q, pattern) = property_and_literal(e)?;
            let one = |name: &str, default: char| -> Result<char, String> {
                match e.attr(name) {
                    None => Ok(default),
                    Some(v) => {
                        let mut chars = v.chars();
                        match (chars.next(), chars.next()) {
                            (Some(c), None) => Ok(c),
                            _ => Err(format!("PropertyIsLike's {name} must be one character")),
                        }
                    }
                }
            };
            Constraint::Like {
                queryable: q,
                pattern: to_sql_like(
                    &pattern,
                    one("wildCard", '*')?,
                    one("singleChar", '?')?,
                    one("escapeChar", '\\')?,
                ),
                match_case: e.attr("matchCase").is_some_and(|v| v == "true"),
            }
        }
        "PropertyIsBetween" => {
            let q = queryable(e)?;
            let bound = |name: &str| -> Result<String, String> {
                e.child(name)
                    .and_then(|b| b.child("Literal"))
                    .map(|l| l.text())
                    .ok_or_else(|| format!("PropertyIsBetween needs {name}"))
            };
            let cmp = |op, value| Constraint::Compare {
                op,
                queryable: q,
                value,
                match_case: false,
            };
            Constraint::All(vec![
                cmp(CmpOp::Ge, bound("LowerBoundary")?),
                cmp(CmpOp::Le, bound("UpperBoundary")?),
            ])
        }
        "BBOX" | "Intersects" => {
            let geometry = e
                .elements()
                .find(|c| c.name != "PropertyName")
                .ok_or_else(|| format!("{} needs a geometry", e.name))?;
            Constraint::Intersects(envelope(geometry)?)
        }
        "Within" | "Contains" | "Overlaps" => {
            let geometry = e
                .elements()
                .find(|c| c.name != "PropertyName")
                .ok_or_else(|| format!("{} needs a geometry", e.name))?;
            // Records are boxes: these read as "meets the box".
            Constraint::Intersects(envelope(geometry)?)
        }
        "Disjoint" => {
            let geometry = e
                .elements()
                .find(|c| c.name != "PropertyName")
                .ok_or_else(|| "Disjoint needs a geometry".to_string())?;
            Constraint::Not(Box::new(Constraint::Intersects(envelope(geometry)?)))
        }
        "FeatureId" | "GmlObjectId" => {
            let id = e.attr("fid").or_else(|| e.attr("id")).unwrap_or_default();
            Constraint::Compare {
                op: CmpOp::Eq,
                queryable: Queryable::Identifier,
                value: id.to_string(),
                match_case: true,
            }
        }
        other => return Err(format!("`{other}` is not a supported filter operator")),
    })
}

fn queryable(e: &Element) -> Result<Queryable, String> {
    let name = e
        .child("PropertyName")
        .map(|p| p.text())
        .ok_or_else(|| format!("{} needs a PropertyName", e.name))?;
    Queryable::by_name(&name).ok_or_else(|| format!("`{name}` is not a queryable of this catalogue"))
}

fn property_and_literal(e: &Element) -> Result<(Queryable, String), String> {
    let q = queryable(e)?;
    let literal = e
        .child("Literal")
        .map(|l| l.text())
        .ok_or_else(|| format!("{} needs a Literal", e.name))?;
    Ok((q, literal))
}

/// A Filter Encoding LIKE pattern (its own wildcards and escape) as SQL's.
fn to_sql_like(pattern: &str, wildcard: char, single: char, escape: char) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == escape {
            if let Some(next) = chars.next() {
                if matches!(next, '%' | '_' | '\\') {
                    out.push('\\');
                }
                out.push(next);
            }
        } else if c == wildcard {
            out.push('%');
        } else if c == single {
            out.push('_');
        } else {
            if matches!(c, '%' | '_' | '\\') {
                out.push('\\');
            }
            out.push(c);
        }
    }
    out
}

/// A `gml:Envelope` (or `gml:Box`) as a lon/lat box. EPSG:4326 named by
/// URN or URI is latitude first, as GML says; `EPSG:4326` and no CRS at
/// all are read longitude first, as catalogue clients send them.
fn envelope(g: &Element) -> Result<BBox, String> {
    let srs = g.attr("srsName").unwrap_or("");
    let numbers = |text: &str| -> Result<Vec<f64>, String> {
        text.split(|c: char| c.is_whitespace() || c == ',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<f64>().map_err(|_| format!("`{s}` is not a number")))
            .collect()
    };
    let corners: Vec<f64> = match g.name.as_str() {
        "Envelope" => {
            let lower = g.child("lowerCorner").ok_or("an Envelope needs a lowerCorner")?;
            let upper = g.child("upperCorner").ok_or("an Envelope needs an upperCorner")?;
            let mut v = numbers(&lower.text())?;
            v.extend(numbers(&upper.text())?);
            v
        }
        "Box" => numbers(&g.child("coordinates").ok_or("a Box needs coordinates")?.text())?,
        other => return Err(format!("the geometry `{other}` is not supported (use gml:Envelope)")),
    };
    let [a, b, c, d] = corners[..] else {
        return Err("an envelope has two corners of two numbers".into());
    };
    let crs = if srs.is_empty() {
        Crs::CRS84
    } else {
        Crs::parse(srs).map_err(|e| e.to_string())?
    };
    let lat_first = crs.authority_lat_lon() && (srs.starts_with("urn:") || srs.starts_with("http"));
    let bbox = if lat_first {
        BBox::new(b, a, d, c)
    } else {
        BBox::new(a, b, c, d)
    };
    if !(bbox.minx <= bbox.maxx && bbox.miny <= bbox.maxy && [a, b, c, d].iter().all(|v| v.is_finite())) {
        return Err("the envelope's lower corner must be below and left of its upper corner".into());
    }
    if crs.is_geographic() {
        return Ok(bbox);
    }
    transform_bbox(&bbox, crs, Crs::CRS84).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_become_sql() {
        assert_eq!(to_sql_like("*adresse*", '*', '?', '\\'), "%adresse%");
        assert_eq!(to_sql_like("a?b%c", '*', '?', '\\'), "a_b\\%c");
        assert_eq!(to_sql_like("100\\*", '*', '?', '\\'), "100*");
        assert_eq!(to_sql_like("%x%", '%', '_', '\\'), "%x%");
    }

    #[test]
    fn envelopes_in_every_axis_order() {
        let env = |srs: &str, lower: &str, upper: &str| {
            let xml = format!(
                r#"<gml:Envelope xmlns:gml="http://www.opengis.net/gml" srsName="{srs}"><gml:lowerCorner>{lower}</gml:lowerCorner><gml:upperCorner>{upper}</gml:upperCorner></gml:Envelope>"#
            );
            envelope(&Element::parse(&xml).unwrap())
        };
        assert_eq!(
            env("urn:ogc:def:crs:EPSG::4326", "43 1", "44 2").unwrap(),
            BBox::new(1.0, 43.0, 2.0, 44.0)
        );
        assert_eq!(
            env("EPSG:4326", "1 43", "2 44").unwrap(),
            BBox::new(1.0, 43.0, 2.0, 44.0)
        );
        assert_eq!(env("", "1 43", "2 44").unwrap(), BBox::new(1.0, 43.0, 2.0, 44.0));
        let l93 = env("EPSG:2154", "700000 6200000", "800000 6300000").unwrap();
        assert!(
            l93.minx > 2.0 && l93.maxx < 5.0 && l93.miny > 42.0 && l93.maxy < 45.0,
            "{l93:?}"
        );
        assert!(env("EPSG:4326", "2 44", "1 43").is_err());
        assert!(env("EPSG:4326", "1 x", "2 44").is_err());
    }
}
