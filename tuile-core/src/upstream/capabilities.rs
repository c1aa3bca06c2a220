//! What a partner's capabilities say of a layer, in the terms tuile's own
//! layers use: the metadata is harvested, not typed again.

use crate::grid::{BBox, Crs};
use crate::xml::Element;

/// A remote layer as its capabilities describe it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Described {
    pub title: String,
    pub abstract_: String,
    pub keywords: Vec<String>,
    /// Attribution title and URL.
    pub attribution: Option<(String, Option<String>)>,
    /// Extent in CRS84.
    pub geographic_extent: Option<BBox>,
    /// CRSs the upstream draws the layer in (those tuile knows).
    pub crs: Vec<Crs>,
    /// Styles (name, title, legend URL).
    pub styles: Vec<RemoteStyle>,
    /// Time values the upstream offers, and its default.
    pub time: Option<(Vec<String>, String)>,
    /// A digest of the whole capabilities document: a change upstream is a
    /// new layer stamp, so cached tiles drop and `updateSequence` moves.
    pub digest: u64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RemoteStyle {
    pub name: String,
    pub title: String,
    pub legend_url: Option<String>,
}

pub fn digest(body: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(body)
}

/// An element's name without its prefix: partners choose their prefixes.
pub fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// The children named `name` (local name).
pub fn kids<'a>(e: &'a Element, name: &'a str) -> impl Iterator<Item = &'a Element> {
    e.elements().filter(move |c| local(&c.name) == name)
}

/// The first child named `name` (local name).
pub fn kid<'a>(e: &'a Element, name: &str) -> Option<&'a Element> {
    e.elements().find(|c| local(&c.name) == name)
}

/// The text of the first child `name` (local name), trimmed; empty when absent.
pub fn text_of(e: &Element, name: &str) -> String {
    kid(e, name).map(|c| c.text()).unwrap_or_default()
}

/// An `xlink:href` (or `href`) of `e` or of the first element below it named `name`.
pub fn href_below(e: &Element, name: &str) -> Option<String> {
    fn walk(e: &Element, name: &str) -> Option<String> {
        e.elements().find_map(|c| {
            if local(&c.name) == name
                && let Some(h) = c.attr("href")
            {
                return Some(h.to_string());
            }
            walk(c, name)
        })
    }
    walk(e, name)
}

/// A time dimension's values: a comma-separated list (periods are not
/// expanded: such a layer is served at the upstream's default only).
pub fn time_values(text: &str, default: Option<&str>) -> Option<(Vec<String>, String)> {
    let values: Vec<String> = text
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && !v.contains('/'))
        .collect();
    let default = default
        .map(str::to_string)
        .filter(|d| !d.is_empty())
        .or_else(|| values.last().cloned())?;
    (!values.is_empty()).then_some((values, default))
}

/// CRS names tuile knows, in the order given; others are skipped.
pub fn known_crs<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<Crs> {
    let mut out: Vec<Crs> = Vec::new();
    for n in names {
        if let Ok(c) = Crs::parse(n)
            && !out.contains(&c)
        {
            out.push(c);
        }
    }
    out
}
