//! Encodings of GetFeatureInfo answers, shared by WMS and WMTS: GeoJSON,
//! HTML, plain text, and GML 3.1.1 (for `text/xml` and
//! `application/vnd.ogc.gml`) valid against the schema at `/schemas/tuile.xsd`.

use tuile_core::catalog::Catalog;
use tuile_core::feature::{OwnedValue, Shape, ShapeKind, Value};
use tuile_core::geojson::{Geometry, write_feature};
use tuile_core::grid::Crs;
use tuile_core::identify::{FoundFeature, LayerAnswer, LayerInfo};
use tuile_core::layer::Layer;
use tuile_core::source::Source;
use tuile_core::xml::{self, XmlWriter};

use crate::html::escape as esc;

/// The namespace of tuile's GML feature types.
pub const NAMESPACE: &str = "http://www.tuile.org/features";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InfoFormat {
    Json,
    GeoJson,
    Html,
    Text,
    Xml,
    Gml,
}

impl InfoFormat {
    pub const ALL: [InfoFormat; 6] = [
        InfoFormat::Text,
        InfoFormat::Html,
        InfoFormat::Json,
        InfoFormat::GeoJson,
        InfoFormat::Xml,
        InfoFormat::Gml,
    ];

    pub fn mime(&self) -> &'static str {
        match self {
            InfoFormat::Json => "application/json",
            InfoFormat::GeoJson => "application/geo+json",
            InfoFormat::Html => "text/html",
            InfoFormat::Text => "text/plain",
            InfoFormat::Xml => "text/xml",
            InfoFormat::Gml => "application/vnd.ogc.gml",
        }
    }

    pub fn from_mime(s: &str) -> Option<InfoFormat> {
        // An unencoded `+` in a query string arrives as a space.
        let base = s
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
            .replace(' ', "+");
        InfoFormat::ALL
            .into_iter()
            .find(|f| f.mime() == base)
            .or(match base.as_str() {
                "application/vnd.geo+json" => Some(InfoFormat::GeoJson),
                "application/vnd.ogc.gml/3.1.1" | "application/gml+xml" => Some(InfoFormat::Gml),
                "application/xml" => Some(InfoFormat::Xml),
                _ => None,
            })
    }

    /// The file extension of the WMTS RESTful FeatureInfo template.
    pub fn extension(&self) -> &'static str {
        match self {
            InfoFormat::Json => "json",
            InfoFormat::GeoJson => "geojson",
            InfoFormat::Html => "html",
            InfoFormat::Text => "txt",
            InfoFormat::Xml => "xml",
            InfoFormat::Gml => "gml",
        }
    }

    pub fn from_extension(e: &str) -> Option<InfoFormat> {
        InfoFormat::ALL.into_iter().find(|f| f.extension() == e)
    }

    /// The Content-Type header: text gets an explicit charset.
    pub fn content_type(&self) -> String {
        match self {
            InfoFormat::Html | InfoFormat::Text | InfoFormat::Xml => format!("{}; charset=utf-8", self.mime()),
            _ => self.mime().to_string(),
        }
    }
}

/// Encodes the answers; `schema_url` is where `/schemas/tuile.xsd` is served.
pub fn encode(answers: &[LayerAnswer], format: InfoFormat, schema_url: &str) -> Vec<u8> {
    match format {
        InfoFormat::Json | InfoFormat::GeoJson => geojson_collection(answers),
        InfoFormat::Html => html(answers),
        InfoFormat::Text => text(answers),
        InfoFormat::Xml | InfoFormat::Gml => gml(answers, schema_url),
    }
}

fn lon_lat(shape: &Shape, crs: Crs) -> Shape {
    let mut s = shape.clone();
    if s.reproject(crs, Crs::CRS84).is_err() || !s.is_finite() {
        s.kind = None;
    }
    s
}

fn geojson_collection(answers: &[LayerAnswer]) -> Vec<u8> {
    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"features\":[");
    let mut first = true;
    for a in answers {
        let layer = Value::Str(a.layer.name());
        let (found, pixel): (&[FoundFeature], _) = match &a.info {
            LayerInfo::Features(features) => (features, None),
            LayerInfo::Pixel { bands, x, y, crs } => (&[], Some((bands, Shape::point(*x, *y), *crs))),
            LayerInfo::Nothing => (&[], None),
        };
        for f in found {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            let id = format!("{}.{}", a.layer.name(), f.id());
            let shape = lon_lat(&f.shape, f.crs);
            write_feature(&mut out, Some(&Value::Str(&id)), geometry(&shape), |m| {
                m.value("layer", &layer);
                for (k, v) in &f.properties {
                    m.value(k, &v.as_value());
                }
            });
        }
        if let Some((bands, point, crs)) = pixel {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            let shape = lon_lat(&point, crs);
            write_feature(&mut out, None, geometry(&shape), |m| {
                m.value("layer", &layer);
                for (b, v) in bands.iter().enumerate() {
                    m.number(&format!("band_{}", b + 1), *v, 6);
                }
            });
        }
    }
    out.extend_from_slice(b"]}");
    out
}

/// A CRS84 geometry, when the shape could be expressed in it.
fn geometry(shape: &Shape) -> Option<Geometry<'_>> {
    shape.kind.is_some().then_some(Geometry {
        shape,
        swap: false,
        decimals: 7,
    })
}

fn html(answers: &[LayerAnswer]) -> Vec<u8> {
    let mut s = String::from(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>GetFeatureInfo</title>\
         <style>body{font:13px sans-serif}table{border-collapse:collapse;margin:0 0 1em}\
         th,td{border:1px solid #bbb;padding:2px 6px;text-align:left}th{background:#eee}</style></head><body>",
    );
    for a in answers {
        s.push_str(&format!(
            "<h2>{}</h2>",
            esc(a.layer.title(tuile_core::metadata::Language::Fr))
        ));
        match &a.info {
            LayerInfo::Features(features) => {
                for f in features {
                    s.push_str("<table>");
                    for (k, v) in &f.properties {
                        s.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v.to_string())));
                    }
                    s.push_str("</table>");
                }
            }
            LayerInfo::Pixel { bands, .. } => {
                s.push_str("<table>");
                for (b, v) in bands.iter().enumerate() {
                    s.push_str(&format!("<tr><th>band_{}</th><td>{v}</td></tr>", b + 1));
                }
                s.push_str("</table>");
            }
            LayerInfo::Nothing => s.push_str("<p>Aucun objet ici. / Nothing here.</p>"),
        }
    }
    s.push_str("</body></html>");
    s.into_bytes()
}

fn text(answers: &[LayerAnswer]) -> Vec<u8> {
    let mut s = String::new();
    for a in answers {
        s.push_str(&format!("Layer '{}'\n", a.layer.name()));
        match &a.info {
            LayerInfo::Features(features) => {
                for f in features {
                    s.push_str(&format!("  Feature {}:\n", f.id()));
                    for (k, v) in &f.properties {
                        s.push_str(&format!("    {k} = {v}\n"));
                    }
                }
            }
            LayerInfo::Pixel { bands, .. } => {
                for (b, v) in bands.iter().enumerate() {
                    s.push_str(&format!("  band_{} = {v}\n", b + 1));
                }
            }
            LayerInfo::Nothing => s.push_str("  no feature here\n"),
        }
    }
    s.into_bytes()
}

fn pos_list(shape: &Shape, (s, e): (u32, u32), close: bool) -> String {
    let mut out = String::new();
    for i in s as usize..e as usize {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format!("{} {}", shape.xs[i], shape.ys[i]));
    }
    let open =
        e > s && (shape.xs[s as usize], shape.ys[s as usize]) != (shape.xs[e as usize - 1], shape.ys[e as usize - 1]);
    if close && open {
        out.push_str(&format!(" {} {}", shape.xs[s as usize], shape.ys[s as usize]));
    }
    out
}

fn gml_polygon(w: &mut XmlWriter, shape: &Shape, (a, b): (u32, u32), srs: &str) {
    w.start("gml:Polygon", &[("srsName", srs)]);
    for (k, ring) in shape.parts[a as usize..b as usize].iter().enumerate() {
        let tag = if k == 0 { "gml:exterior" } else { "gml:interior" };
        w.start(tag, &[]);
        w.start("gml:LinearRing", &[]);
        w.leaf("gml:posList", &[], &pos_list(shape, *ring, true));
        w.end("gml:LinearRing");
        w.end(tag);
    }
    w.end("gml:Polygon");
}

/// A GML 3.1.1 geometry, in the data's CRS.
fn gml_geometry(w: &mut XmlWriter, shape: &Shape, crs: Crs) {
    let srs = crs.urn();
    match shape.kind {
        Some(ShapeKind::Point) if shape.parts.len() == 1 => {
            w.start("gml:Point", &[("srsName", &srs)]);
            let i = shape.parts[0].0 as usize;
            w.leaf("gml:pos", &[], &format!("{} {}", shape.xs[i], shape.ys[i]));
            w.end("gml:Point");
        }
        Some(ShapeKind::Point) => {
            w.start("gml:MultiPoint", &[("srsName", &srs)]);
            for &(s, _) in &shape.parts {
                w.start("gml:pointMember", &[]);
                w.start("gml:Point", &[]);
                w.leaf(
                    "gml:pos",
                    &[],
                    &format!("{} {}", shape.xs[s as usize], shape.ys[s as usize]),
                );
                w.end("gml:Point");
                w.end("gml:pointMember");
            }
            w.end("gml:MultiPoint");
        }
        Some(ShapeKind::Line) => {
            w.start("gml:MultiCurve", &[("srsName", &srs)]);
            for &part in &shape.parts {
                w.start("gml:curveMember", &[]);
                w.start("gml:LineString", &[]);
                w.leaf("gml:posList", &[], &pos_list(shape, part, false));
                w.end("gml:LineString");
                w.end("gml:curveMember");
            }
            w.end("gml:MultiCurve");
        }
        Some(ShapeKind::Polygon) if shape.polygons.len() == 1 => gml_polygon(w, shape, shape.polygons[0], &srs),
        Some(ShapeKind::Polygon) => {
            w.start("gml:MultiSurface", &[("srsName", &srs)]);
            for &p in &shape.polygons {
                w.start("gml:surfaceMember", &[]);
                gml_polygon(w, shape, p, &srs);
                w.end("gml:surfaceMember");
            }
            w.end("gml:MultiSurface");
        }
        None => {}
    }
}

fn gml_feature(w: &mut XmlWriter, layer: &Layer, f: &FoundFeature) {
    let tag = format!("tuile:{}", xml::name(layer.name()));
    let id = format!("{}.{}", layer.name(), f.index);
    w.start(&tag, &[("gml:id", &id)]);
    if f.shape.kind.is_some() {
        w.start("tuile:geometry", &[]);
        gml_geometry(w, &f.shape, f.crs);
        w.end("tuile:geometry");
    }
    // The schema's sequence is the column order, which the properties follow.
    for (k, v) in &f.properties {
        if *v != OwnedValue::Null {
            w.leaf(&format!("tuile:{}", xml::name(k)), &[], &v.to_string());
        }
    }
    w.end(&tag);
}

fn gml(answers: &[LayerAnswer], schema_url: &str) -> Vec<u8> {
    let mut w = XmlWriter::new();
    let location = format!(
        "{NAMESPACE} {schema_url} http://www.opengis.net/gml http://schemas.opengis.net/gml/3.1.1/base/feature.xsd"
    );
    w.start(
        "gml:FeatureCollection",
        &[
            ("xmlns:gml", "http://www.opengis.net/gml"),
            ("xmlns:tuile", NAMESPACE),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", &location),
        ],
    );
    for a in answers {
        match &a.info {
            LayerInfo::Features(features) => {
                for f in features {
                    w.start("gml:featureMember", &[]);
                    gml_feature(&mut w, &a.layer, f);
                    w.end("gml:featureMember");
                }
            }
            LayerInfo::Pixel { bands, x, y, crs } => {
                w.start("gml:featureMember", &[]);
                let tag = format!("tuile:{}", xml::name(a.layer.name()));
                w.start(&tag, &[]);
                w.start("tuile:geometry", &[]);
                w.start("gml:Point", &[("srsName", &crs.urn())]);
                let v = crs.bbox_to_axis_order(&tuile_core::grid::BBox::new(*x, *y, *x, *y), true);
                w.leaf("gml:pos", &[], &format!("{} {}", v[0], v[1]));
                w.end("gml:Point");
                w.end("tuile:geometry");
                for (b, v) in bands.iter().enumerate() {
                    w.leaf(&format!("tuile:band_{}", b + 1), &[], &v.to_string());
                }
                w.end(&tag);
                w.end("gml:featureMember");
            }
            LayerInfo::Nothing => {}
        }
    }
    w.end("gml:FeatureCollection");
    w.finish()
}

/// The XML schema of every layer's GML feature type, for `/schemas/tuile.xsd`.
pub fn schema(catalog: &Catalog) -> Vec<u8> {
    let mut w = XmlWriter::new();
    w.start(
        "xs:schema",
        &[
            ("xmlns:xs", "http://www.w3.org/2001/XMLSchema"),
            ("xmlns:gml", "http://www.opengis.net/gml"),
            ("xmlns:tuile", NAMESPACE),
            ("targetNamespace", NAMESPACE),
            ("elementFormDefault", "qualified"),
            ("version", "1.0"),
        ],
    );
    w.empty(
        "xs:import",
        &[
            ("namespace", "http://www.opengis.net/gml"),
            (
                "schemaLocation",
                "http://schemas.opengis.net/gml/3.1.1/base/feature.xsd",
            ),
        ],
    );
    for layer in &catalog.layers {
        let name = xml::name(layer.name());
        let name = name.as_ref();
        let ty = format!("tuile:{name}Type");
        w.empty(
            "xs:element",
            &[("name", name), ("type", &ty), ("substitutionGroup", "gml:_Feature")],
        );
        w.start("xs:complexType", &[("name", &format!("{name}Type"))]);
        w.start("xs:complexContent", &[]);
        w.start("xs:extension", &[("base", "gml:AbstractFeatureType")]);
        w.start("xs:sequence", &[]);
        w.empty(
            "xs:element",
            &[
                ("name", "geometry"),
                ("type", "gml:GeometryPropertyType"),
                ("minOccurs", "0"),
            ],
        );
        match &layer.source {
            Source::Remote(_) => {}
            Source::Vector(v) => {
                for c in v.columns() {
                    let xs = format!("xs:{}", c.kind().xsd_type());
                    w.empty(
                        "xs:element",
                        &[("name", &xml::name(&c.name)), ("type", &xs), ("minOccurs", "0")],
                    );
                }
            }
            Source::Raster(r) => {
                for b in 1..=r.band_count() {
                    w.empty(
                        "xs:element",
                        &[
                            ("name", &format!("band_{b}")),
                            ("type", "xs:double"),
                            ("minOccurs", "0"),
                        ],
                    );
                }
            }
        }
        w.end("xs:sequence");
        w.end("xs:extension");
        w.end("xs:complexContent");
        w.end("xs:complexType");
    }
    w.end("xs:schema");
    w.finish()
}
