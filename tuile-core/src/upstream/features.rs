//! A partner's OGC API – Features collection as a source: its items paged
//! through (following `next` links) into a local FlatGeobuf mirror with its
//! R-tree, which then serves items in every CRS and filter, maps, tiles and
//! vector tiles exactly as a local layer. The mirror is made again at each
//! reload (a partner that fails then keeps the previous one serving).

use std::io::BufWriter;
use std::path::{Path, PathBuf};

use flatgeobuf::{ColumnType, FgbCrs, FgbWriter, FgbWriterOptions, GeometryType};
use geozero::geojson::GeoJson;
use geozero::{ColumnValue, PropertyProcessor};

use super::capabilities::Described;
use super::{Endpoint, UpstreamError};
use crate::grid::BBox;

/// Items asked per page.
const PAGE: usize = 1000;

/// The collection's description, from its JSON document.
pub fn describe(endpoint: &Endpoint) -> Result<Described, UpstreamError> {
    let doc_url = super::with_query(&endpoint.url, &[("f", "json")]);
    let answer = endpoint.get_blocking(&doc_url)?;
    let v: serde_json::Value = serde_json::from_slice(&answer.body)
        .map_err(|e| UpstreamError::invalid(&doc_url, format!("not a JSON collection: {e}")))?;
    let text = |k: &str| v.get(k).and_then(|t| t.as_str()).unwrap_or("").to_string();
    let extent = v
        .pointer("/extent/spatial/bbox/0")
        .and_then(|b| b.as_array())
        .filter(|b| b.len() == 4)
        .and_then(|b| {
            let n: Vec<f64> = b.iter().filter_map(|x| x.as_f64()).collect();
            (n.len() == 4).then(|| BBox::new(n[0], n[1], n[2], n[3]))
        });
    Ok(Described {
        title: text("title"),
        abstract_: text("description"),
        keywords: v
            .get("keywords")
            .and_then(|k| k.as_array())
            .map(|k| k.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
        geographic_extent: extent,
        digest: super::capabilities::digest(&answer.body),
        ..Described::default()
    })
}

/// Pages through the collection's items into a FlatGeobuf file (lon/lat,
/// CRS84) under `dir`, at most `max_features`; returns its path.
pub fn mirror(endpoint: &Endpoint, dir: &Path, max_features: usize) -> Result<PathBuf, UpstreamError> {
    let url = endpoint.url.as_str();
    let items = format!("{}/items", url.split('?').next().unwrap_or(url).trim_end_matches('/'));
    let mut next = Some(super::with_query(
        &items,
        &[("f", "json"), ("limit", &PAGE.to_string())],
    ));
    let mut features: Vec<serde_json::Value> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    while let Some(page_url) = next.take() {
        // A `next` link that loops back would page forever.
        if !seen.insert(page_url.clone()) {
            break;
        }
        let answer = endpoint.get_blocking(&page_url)?;
        let mut page: serde_json::Value = serde_json::from_slice(&answer.body)
            .map_err(|e| UpstreamError::invalid(&page_url, format!("not GeoJSON: {e}")))?;
        let Some(serde_json::Value::Array(got)) = page.get_mut("features").map(serde_json::Value::take) else {
            return Err(UpstreamError::invalid(&page_url, "no `features` in the page"));
        };
        let empty = got.is_empty();
        features.extend(
            got.into_iter()
                .filter(|f| f.get("geometry").is_some_and(|g| !g.is_null())),
        );
        if features.len() > max_features {
            return Err(UpstreamError::invalid(
                url,
                format!("the collection has more than {max_features} features (raise source.max_features)"),
            ));
        }
        next = page
            .get("links")
            .and_then(|l| l.as_array())
            .and_then(|links| {
                links.iter().find(|l| {
                    l.get("rel").and_then(|r| r.as_str()) == Some("next")
                        && l.get("type")
                            .and_then(|t| t.as_str())
                            .is_none_or(|t| t.contains("json"))
                })
            })
            .and_then(|l| l.get("href").and_then(|h| h.as_str()))
            .map(str::to_string)
            .filter(|_| !empty);
    }
    if features.is_empty() {
        return Err(UpstreamError::invalid(
            url,
            "the collection has no feature with a geometry",
        ));
    }
    let columns = columns(&features);
    let options = FgbWriterOptions {
        crs: FgbCrs {
            code: 4326,
            ..Default::default()
        },
        ..Default::default()
    };
    let mut fgb = FgbWriter::create_with_options("mirror", GeometryType::Unknown, options)
        .map_err(|e| UpstreamError::invalid(url, e.to_string()))?;
    for (name, kind) in &columns {
        fgb.add_column(name, *kind, |_, _| {});
    }
    for f in &features {
        let geometry = f["geometry"].to_string();
        let props = f.get("properties").and_then(|p| p.as_object());
        fgb.add_feature_geom(GeoJson(&geometry), |w| {
            for (i, (name, kind)) in columns.iter().enumerate() {
                let Some(v) = props.and_then(|p| p.get(name)) else {
                    continue;
                };
                let text;
                let value = match (*kind, v) {
                    (_, serde_json::Value::Null) => continue,
                    (ColumnType::Long, v) => match v.as_i64() {
                        Some(n) => ColumnValue::Long(n),
                        None => continue,
                    },
                    (ColumnType::Double, v) => match v.as_f64() {
                        Some(n) => ColumnValue::Double(n),
                        None => continue,
                    },
                    (ColumnType::Bool, v) => match v.as_bool() {
                        Some(b) => ColumnValue::Bool(b),
                        None => continue,
                    },
                    (_, serde_json::Value::String(s)) => ColumnValue::String(s),
                    (_, v) => {
                        text = v.to_string();
                        ColumnValue::Json(&text)
                    }
                };
                let _ = w.property(i, name, &value);
            }
        })
        .map_err(|e| UpstreamError::invalid(url, format!("a feature tuile cannot store: {e}")))?;
    }
    std::fs::create_dir_all(dir).map_err(|e| UpstreamError::invalid(url, format!("{}: {e}", dir.display())))?;
    let name = format!("{:016x}.fgb", xxhash_rust::xxh3::xxh3_64(url.as_bytes()));
    let (path, tmp) = (dir.join(&name), dir.join(format!("{name}.{}.tmp", std::process::id())));
    let written = std::fs::File::create(&tmp).and_then(|f| {
        let mut out = BufWriter::new(f);
        fgb.write(&mut out).map_err(std::io::Error::other)?;
        std::io::Write::flush(&mut out)
    });
    written
        .and_then(|_| std::fs::rename(&tmp, &path))
        .map_err(|e| UpstreamError::invalid(url, format!("cannot write the mirror {}: {e}", path.display())))?;
    Ok(path)
}

/// The columns of the features' properties, in first-seen order, typed by
/// their values: integers, numbers (any fraction makes the column a
/// double), booleans, text; anything else is kept as JSON.
fn columns(features: &[serde_json::Value]) -> Vec<(String, ColumnType)> {
    let mut out: Vec<(String, ColumnType)> = Vec::new();
    for f in features {
        let Some(props) = f.get("properties").and_then(|p| p.as_object()) else {
            continue;
        };
        for (name, v) in props {
            let kind = match v {
                serde_json::Value::Null => continue,
                serde_json::Value::Bool(_) => ColumnType::Bool,
                serde_json::Value::Number(n) if n.is_i64() => ColumnType::Long,
                serde_json::Value::Number(_) => ColumnType::Double,
                serde_json::Value::String(_) => ColumnType::String,
                _ => ColumnType::Json,
            };
            match out.iter_mut().find(|(n, _)| n == name) {
                None => out.push((name.clone(), kind)),
                Some((_, k)) if *k == kind => {}
                Some((_, k)) if matches!((*k, kind), (ColumnType::Long, ColumnType::Double)) => *k = ColumnType::Double,
                Some((_, k)) if matches!((*k, kind), (ColumnType::Double, ColumnType::Long)) => {}
                Some((_, k)) => *k = ColumnType::String,
            }
        }
    }
    out
}
