//! Records as CSW 2.0.2's own Dublin Core schema writes them:
//! `csw:BriefRecord`, `csw:SummaryRecord` and `csw:Record`, with the
//! extent as an `ows:BoundingBox` in CRS84.

use super::{ElementSet, Urls, degrees};
use tuile_core::records::Record;
use tuile_core::xml::XmlWriter;

/// The namespaces these records use, declared on the answer's root.
pub const NAMESPACES: &[(&str, &str)] = &[
    ("xmlns:dc", "http://purl.org/dc/elements/1.1/"),
    ("xmlns:dct", "http://purl.org/dc/terms/"),
    ("xmlns:ows", "http://www.opengis.net/ows"),
];

pub fn write(w: &mut XmlWriter, r: &Record, urls: &Urls, set: ElementSet) {
    let root = match set {
        ElementSet::Brief => "csw:BriefRecord",
        ElementSet::Summary => "csw:SummaryRecord",
        ElementSet::Full => "csw:Record",
    };
    w.start(root, &[]);
    w.leaf("dc:identifier", &[], &r.uuid);
    w.leaf("dc:title", &[], &r.title.fr);
    w.leaf("dc:type", &[], r.scope.code());
    match set {
        ElementSet::Brief => {}
        ElementSet::Summary => {
            for k in &r.keywords {
                w.leaf("dc:subject", &[], k);
            }
            for l in urls.links(r) {
                w.leaf("dc:format", &[], l.media_type);
            }
            w.leaf("dct:modified", &[], &r.modified_iso());
            w.leaf("dct:abstract", &[], &r.abstract_.fr);
        }
        ElementSet::Full => {
            w.leaf("dc:identifier", &[], &r.identifier());
            if let Some(t) = r.theme {
                w.leaf("dc:subject", &[], t.fr);
            }
            for k in &r.keywords {
                w.leaf("dc:subject", &[], k);
            }
            w.leaf("dc:subject", &[], r.topic);
            w.leaf("dc:language", &[], "fre");
            w.leaf("dc:publisher", &[], &urls.catalog.metadata.provider.name);
            if let Some((org, _)) = &r.attribution {
                w.leaf("dc:creator", &[], org);
            }
            w.leaf("dc:rights", &[], &r.licence);
            if let Some(url) = &r.licence_url {
                w.leaf("dct:license", &[], url);
            }
            w.leaf("dct:modified", &[], &r.modified_iso());
            w.leaf("dct:abstract", &[], &r.abstract_.fr);
            if let Some((begin, end)) = &r.temporal {
                w.leaf("dct:temporal", &[], &format!("{begin}/{end}"));
            }
            for (uuid, _, _) in &r.operates_on {
                w.leaf("dc:relation", &[], uuid);
            }
            for l in urls.links(r) {
                w.leaf("dct:references", &[("scheme", l.protocol)], &l.url);
            }
        }
    }
    bounding_box(w, r);
    w.end(root);
}

/// The extent in CRS84, as `ows:BoundingBox` (longitude first).
fn bounding_box(w: &mut XmlWriter, r: &Record) {
    let e = r.extent;
    w.start(
        "ows:BoundingBox",
        &[("crs", "urn:ogc:def:crs:OGC:1.3:CRS84"), ("dimensions", "2")],
    );
    w.leaf(
        "ows:LowerCorner",
        &[],
        &format!("{} {}", degrees(e.minx), degrees(e.miny)),
    );
    w.leaf(
        "ows:UpperCorner",
        &[],
        &format!("{} {}", degrees(e.maxx), degrees(e.maxy)),
    );
    w.end("ows:BoundingBox");
}
