//! The WMTS 1.0.0 capabilities document (schema wmtsGetCapabilities_response,
//! element order as the schema requires).

use tuile_core::catalog::Catalog;
use tuile_core::grid::tms::{TILE_SIZE, TileMatrixSet};
use tuile_core::layer::Layer;
use tuile_core::metadata::Language;
use tuile_core::xml::XmlWriter;

/// The sections a client may ask for.
pub const SECTIONS: [&str; 5] = [
    "ServiceIdentification",
    "ServiceProvider",
    "OperationsMetadata",
    "Contents",
    "Themes",
];

pub struct Urls {
    /// The WMS endpoint, `…/wms`, for legends.
    pub wms: String,
    /// The KVP endpoint, `…/wmts`.
    pub kvp: String,
    /// The RESTful root, `…/wmts/1.0.0`.
    pub rest: String,
    /// `apikey=…` to carry on, when the caller gave its key in the URL.
    pub link_query: Option<String>,
}

impl Urls {
    /// A URL with the caller's key, when it has one to carry on.
    pub fn keyed(&self, url: &str) -> String {
        match &self.link_query {
            Some(q) if url.contains('?') => format!("{url}&{q}"),
            Some(q) => format!("{url}?{q}"),
            None => url.to_string(),
        }
    }
}

/// The capabilities, with only `sections` (all when `None`); `bare` writes
/// just the root element (the answer to a current UpdateSequence).
pub fn document(catalog: &Catalog, urls: &Urls, sections: Option<&[&str]>, bare: bool, lang: Language) -> Vec<u8> {
    let want = |s: &str| !bare && sections.is_none_or(|list| list.contains(&s));
    let mut w = XmlWriter::new();
    let seq = catalog.update_sequence.to_string();
    w.start(
        "Capabilities",
        &[
            ("xmlns", "http://www.opengis.net/wmts/1.0"),
            ("xmlns:ows", "http://www.opengis.net/ows/1.1"),
            ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd",
            ),
            ("version", "1.0.0"),
            ("updateSequence", &seq),
        ],
    );
    if want("ServiceIdentification") {
        service_identification(&mut w, catalog);
    }
    if want("ServiceProvider") {
        crate::ows::common::service_provider(&mut w, &catalog.metadata);
    }
    if want("OperationsMetadata") {
        operations(&mut w, urls);
    }
    if want("Contents") {
        contents(&mut w, catalog, urls, lang);
    }
    if !bare && sections.is_none() {
        w.empty(
            "ServiceMetadataURL",
            &[(
                "xlink:href",
                &urls.keyed(&format!("{}/WMTSCapabilities.xml", urls.rest)),
            )],
        );
    }
    w.end("Capabilities");
    w.finish()
}

fn localized(w: &mut XmlWriter, tag: &str, fr: &str, en: &str) {
    w.leaf(tag, &[("xml:lang", "fr")], fr);
    if !en.is_empty() && en != fr {
        w.leaf(tag, &[("xml:lang", "en")], en);
    }
}

fn service_identification(w: &mut XmlWriter, catalog: &Catalog) {
    let m = &catalog.metadata;
    w.start("ows:ServiceIdentification", &[]);
    localized(w, "ows:Title", &m.title.fr, &m.title.en);
    localized(w, "ows:Abstract", &m.abstract_.fr, &m.abstract_.en);
    w.list("ows:Keywords", "ows:Keyword", &m.keywords);
    w.leaf("ows:ServiceType", &[], "OGC WMTS");
    w.leaf("ows:ServiceTypeVersion", &[], "1.0.0");
    w.leaf("ows:Fees", &[], &m.fees);
    w.leaf("ows:AccessConstraints", &[], &m.access_constraints);
    w.end("ows:ServiceIdentification");
}

fn operations(w: &mut XmlWriter, urls: &Urls) {
    let kvp = match urls.keyed(&urls.kvp) {
        k if k.contains('?') => format!("{k}&"),
        k => format!("{k}?"),
    };
    let caps_rest = urls.keyed(&format!("{}/WMTSCapabilities.xml", urls.rest));
    w.start("ows:OperationsMetadata", &[]);
    for (op, rest) in [
        ("GetCapabilities", Some(caps_rest.as_str())),
        ("GetTile", Some(urls.rest.as_str())),
        ("GetFeatureInfo", Some(urls.rest.as_str())),
    ] {
        w.start("ows:Operation", &[("name", op)]);
        w.start("ows:DCP", &[]);
        w.start("ows:HTTP", &[]);
        for (href, encoding) in [(Some(kvp.as_str()), "KVP"), (rest, "RESTful")] {
            let Some(href) = href else { continue };
            w.start("ows:Get", &[("xlink:href", href)]);
            w.start("ows:Constraint", &[("name", "GetEncoding")]);
            w.start("ows:AllowedValues", &[]);
            w.leaf("ows:Value", &[], encoding);
            w.end("ows:AllowedValues");
            w.end("ows:Constraint");
            w.end("ows:Get");
        }
        w.end("ows:HTTP");
        w.end("ows:DCP");
        w.end("ows:Operation");
    }
    w.end("ows:OperationsMetadata");
}

fn contents(w: &mut XmlWriter, catalog: &Catalog, urls: &Urls, lang: Language) {
    w.start("Contents", &[]);
    let metadata = crate::catalogue::Urls {
        base: urls.rest.strip_suffix("/wmts/1.0.0").unwrap_or(&urls.rest).to_string(),
        catalog,
    };
    for layer in catalog.layers.iter().filter(|l| !l.tile_sets.is_empty()) {
        let record = metadata.iso_record(&tuile_core::records::dataset_identity(catalog, &layer.config).uuid);
        layer_element(w, catalog, layer, urls, lang, Some(&record));
    }
    for tms in TileMatrixSet::all() {
        if catalog.layers.iter().any(|l| l.tile_set(tms.id).is_some()) {
            tile_matrix_set(w, tms);
        }
    }
    w.end("Contents");
}

/// A layer; `metadata` is its ISO 19139 record's URL.
fn layer_element(
    w: &mut XmlWriter,
    catalog: &Catalog,
    layer: &Layer,
    urls: &Urls,
    _lang: Language,
    metadata: Option<&str>,
) {
    let c = &layer.config;
    let g = layer.geographic_extent;
    w.start("Layer", &[]);
    localized(w, "ows:Title", &c.title, c.title_en.as_deref().unwrap_or(""));
    localized(w, "ows:Abstract", &c.abstract_, c.abstract_en.as_deref().unwrap_or(""));
    w.list("ows:Keywords", "ows:Keyword", &c.keywords);
    w.start("ows:WGS84BoundingBox", &[("crs", "urn:ogc:def:crs:OGC:2:84")]);
    w.leaf("ows:LowerCorner", &[], &format!("{} {}", g.minx, g.miny));
    w.leaf("ows:UpperCorner", &[], &format!("{} {}", g.maxx, g.maxy));
    w.end("ows:WGS84BoundingBox");
    w.leaf("ows:Identifier", &[], layer.name());
    if let Some(b) = layer.extent_in(layer.source.meta().crs) {
        let crs = layer.source.meta().crs;
        let v = crs.bbox_to_axis_order(&b, true);
        w.start("ows:BoundingBox", &[("crs", &crs.urn())]);
        w.leaf("ows:LowerCorner", &[], &format!("{} {}", v[0], v[1]));
        w.leaf("ows:UpperCorner", &[], &format!("{} {}", v[2], v[3]));
        w.end("ows:BoundingBox");
    }
    if let Some(href) = metadata {
        w.empty(
            "ows:Metadata",
            &[
                ("xlink:type", "simple"),
                ("xlink:href", href),
                ("xlink:role", "http://www.isotc211.org/2005/gmd"),
                ("xlink:title", "ISO 19115:2003 / 19139"),
            ],
        );
    }
    let default = layer.default_style().name.clone();
    for s in &layer.styles {
        let is_default = if s.name == default { "true" } else { "false" };
        w.start("Style", &[("isDefault", is_default)]);
        w.leaf("ows:Title", &[], &s.title);
        w.leaf("ows:Identifier", &[], &s.name);
        if let Some(l) = catalog.legend(layer.name(), &s.name) {
            let href = urls.keyed(&crate::wms::getlegendgraphic::url(
                &urls.wms,
                crate::wms::WmsVersion::V130,
                layer.name(),
                &s.name,
            ));
            let (width, height) = (l.width.to_string(), l.height.to_string());
            w.empty(
                "LegendURL",
                &[
                    ("format", "image/png"),
                    ("xlink:href", &href),
                    ("width", &width),
                    ("height", &height),
                ],
            );
        }
        w.end("Style");
    }
    // A single RESTful template per layer: OpenLayers alternates between
    // templates tile by tile.
    let primary = layer.tile_format();
    w.leaf("Format", &[], primary.mime());
    for f in tuile_core::render::ImageFormat::ALL.iter().filter(|f| **f != primary) {
        w.leaf("Format", &[], f.mime());
    }
    if layer.queryable() {
        for f in crate::ows::feature_info::InfoFormat::ALL {
            w.leaf("InfoFormat", &[], f.mime());
        }
    }
    if let Some(t) = &layer.time {
        w.start("Dimension", &[]);
        w.leaf("ows:Identifier", &[], "time");
        w.leaf("ows:UOM", &[], "ISO8601");
        w.leaf("Default", &[], &t.default);
        for v in &t.values {
            w.leaf("Value", &[], v);
        }
        w.end("Dimension");
    }
    for link in &layer.tile_sets {
        w.start("TileMatrixSetLink", &[]);
        w.leaf("TileMatrixSet", &[], link.tms.id);
        w.start("TileMatrixSetLimits", &[]);
        for (z, r) in &link.levels {
            w.start("TileMatrixLimits", &[]);
            w.leaf("TileMatrix", &[], &link.tms.matrices[*z].id);
            w.leaf("MinTileRow", &[], &r.min_row.to_string());
            w.leaf("MaxTileRow", &[], &r.max_row.to_string());
            w.leaf("MinTileCol", &[], &r.min_col.to_string());
            w.leaf("MaxTileCol", &[], &r.max_col.to_string());
            w.end("TileMatrixLimits");
        }
        w.end("TileMatrixSetLimits");
        w.end("TileMatrixSetLink");
    }
    let dims = if layer.time.is_some() { "?time={time}" } else { "" };
    let template = urls.keyed(&format!(
        "{}/{}/{{Style}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}.{}{dims}",
        urls.rest,
        layer.name(),
        primary.extension()
    ));
    w.empty(
        "ResourceURL",
        &[
            ("format", primary.mime()),
            ("resourceType", "tile"),
            ("template", &template),
        ],
    );
    if layer.queryable() {
        let info = urls.keyed(&format!(
            "{}/{}/{{Style}}/{{TileMatrixSet}}/{{TileMatrix}}/{{TileRow}}/{{TileCol}}/{{J}}/{{I}}.json{dims}",
            urls.rest,
            layer.name()
        ));
        w.empty(
            "ResourceURL",
            &[
                ("format", "application/json"),
                ("resourceType", "FeatureInfo"),
                ("template", &info),
            ],
        );
    }
    w.end("Layer");
}

fn tile_matrix_set(w: &mut XmlWriter, tms: &TileMatrixSet) {
    w.start("TileMatrixSet", &[]);
    w.leaf("ows:Title", &[], tms.title);
    w.leaf("ows:Identifier", &[], tms.id);
    w.leaf("ows:SupportedCRS", &[], &tms.supported_crs);
    if let Some(wkss) = tms.well_known_scale_set {
        w.leaf("WellKnownScaleSet", &[], wkss);
    }
    let size = TILE_SIZE.to_string();
    for m in &tms.matrices {
        w.start("TileMatrix", &[]);
        w.leaf("ows:Identifier", &[], &m.id);
        w.leaf("ScaleDenominator", &[], &format!("{}", m.scale_denominator));
        // In the CRS's axis order (lat/lon for EPSG:4326; these sets are all x/y).
        let corner = tms.crs.bbox_to_axis_order(
            &tuile_core::grid::BBox::new(m.origin.0, m.origin.1, m.origin.0, m.origin.1),
            true,
        );
        w.leaf("TopLeftCorner", &[], &format!("{} {}", corner[0], corner[1]));
        w.leaf("TileWidth", &[], &size);
        w.leaf("TileHeight", &[], &size);
        w.leaf("MatrixWidth", &[], &m.matrix_width.to_string());
        w.leaf("MatrixHeight", &[], &m.matrix_height.to_string());
        w.end("TileMatrix");
    }
    w.end("TileMatrixSet");
}
