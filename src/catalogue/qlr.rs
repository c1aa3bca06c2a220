//! QGIS layer definitions (`.qlr`): the "Open in QGIS" of the search
//! page. A raster layer opens through WMS in Lambert-93, a vector layer
//! through OGC API – Features (QGIS's `oapif` provider) fetching only the
//! features in view, in CRS84: QGIS 3.22's provider reads no other CRS
//! (it ignores `srsname`), and reprojects to the project's.

use super::Urls;
use tuile_core::records::Record;
use tuile_core::xml::XmlWriter;

/// The definition of one dataset record's layer, or `None` for a service.
pub fn document(r: &Record, urls: &Urls) -> Option<Vec<u8>> {
    let layer = r.layer.as_deref()?;
    let id = format!("{}_{}", tuile_core::xml::name(layer), &r.uuid[..8]);
    let (kind, provider, crs, source) = if r.derived.geometry_type.is_some() {
        (
            "vector",
            "oapif",
            "EPSG:4326",
            format!(
                "pagingEnabled='true' restrictToRequestBBOX='1' typename='{layer}' url='{}' version='OGC_API_FEATURES'",
                urls.at("")
            ),
        )
    } else {
        let crs = "EPSG:2154";
        (
            "raster",
            "wms",
            crs,
            format!(
                "contextualWMSLegend=0&crs={crs}&dpiMode=7&featureCount=10&format=image/jpeg&layers={layer}&styles=&url={}",
                urls.at("/wms")
            ),
        )
    };
    let title = &r.title.fr;
    let mut w = XmlWriter::new();
    w.raw("qgis-layer-definition");
    w.start("qlr", &[]);
    w.start(
        "layer-tree-group",
        &[("expanded", "1"), ("checked", "Qt::Checked"), ("name", "")],
    );
    w.empty("customproperties", &[]);
    w.start(
        "layer-tree-layer",
        &[
            ("expanded", "1"),
            ("checked", "Qt::Checked"),
            ("id", &id),
            ("name", title),
            ("source", &source),
            ("providerKey", provider),
        ],
    );
    w.empty("customproperties", &[]);
    w.end("layer-tree-layer");
    w.end("layer-tree-group");
    w.start("maplayers", &[]);
    let mut attrs = vec![("type", kind), ("autoRefreshEnabled", "0")];
    if kind == "vector" {
        attrs.push(("geometry", geometry(r.derived.geometry_type.unwrap_or(""))));
    }
    w.start("maplayer", &attrs);
    w.leaf("id", &[], &id);
    w.leaf("datasource", &[], &source);
    w.leaf("layername", &[], title);
    w.start("srs", &[]);
    w.start("spatialrefsys", &[]);
    w.leaf("authid", &[], crs);
    w.end("spatialrefsys");
    w.end("srs");
    w.leaf("provider", &[("encoding", "")], provider);
    w.leaf("abstract", &[], &r.abstract_.fr);
    w.start("metadataUrls", &[]);
    w.empty(
        "metadataUrl",
        &[
            ("type", "ISO19115:2003"),
            ("format", "text/xml"),
            ("href", &urls.iso_record(&r.uuid)),
        ],
    );
    w.end("metadataUrls");
    w.end("maplayer");
    w.end("maplayers");
    w.end("qlr");
    Some(w.finish())
}

/// QGIS's geometry names.
fn geometry(g: &str) -> &'static str {
    match g {
        "Point" | "MultiPoint" => "Point",
        "LineString" | "MultiLineString" => "Line",
        _ => "Polygon",
    }
}
