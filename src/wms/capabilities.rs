//! WMS capabilities documents: 1.3.0 (XML schema) and 1.1.1 (DTD). Element
//! order follows the schema and the DTD exactly, since validators and
//! OWSLib are strict about it.

use super::WmsVersion;
use tuile_core::catalog::Catalog;
use tuile_core::grid::{BBox, Crs, STANDARD_PIXEL_SIZE};
use tuile_core::layer::Layer;
use tuile_core::metadata::{Contact, Language};
use tuile_core::records::{self, Service};
use tuile_core::render::ImageFormat;
use tuile_core::xml::XmlWriter;

use crate::catalogue::Urls;

const XLINK: &str = "http://www.w3.org/1999/xlink";

/// The name under which layers' resource identifiers are given (`AuthorityURL`).
const AUTHORITY: &str = "tuile";

/// The INSPIRE view-service extended capabilities: the service's own
/// metadata record and the languages (`LANGUAGE=fre|eng`).
fn inspire(w: &mut XmlWriter, urls: &Urls, lang: Language) {
    // The WMS has a record when it serves a layer.
    if urls.catalog.layers.is_empty() {
        return;
    }
    let own = records::service_identity(urls.catalog, Service::Wms);
    crate::catalogue::inspire_extended_capabilities(
        w,
        "inspire_vs:ExtendedCapabilities",
        &urls.csw_record(&own.uuid),
        lang.iso639_2(),
    );
}

/// Builds the capabilities document. `service_url` is the `/wms` endpoint
/// as clients reach it.
pub fn document(catalog: &Catalog, version: WmsVersion, service_url: &str, lang: Language) -> Vec<u8> {
    let mut w = XmlWriter::new();
    // A URL prefix (CITE): ends in `?`, or in `&` after the caller's apikey.
    let href = match catalog.keyed(service_url) {
        k if k.contains('?') => format!("{k}&"),
        k => format!("{k}?"),
    };
    let update_sequence = catalog.update_sequence.to_string();
    match version {
        WmsVersion::V130 => w.start(
            "WMS_Capabilities",
            &[
                ("version", "1.3.0"),
                ("updateSequence", &update_sequence),
                ("xmlns", "http://www.opengis.net/wms"),
                ("xmlns:xlink", XLINK),
                ("xmlns:inspire_vs", "http://inspire.ec.europa.eu/schemas/inspire_vs/1.0"),
                ("xmlns:inspire_common", "http://inspire.ec.europa.eu/schemas/common/1.0"),
                ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
                (
                    "xsi:schemaLocation",
                    "http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd http://inspire.ec.europa.eu/schemas/inspire_vs/1.0 http://inspire.ec.europa.eu/schemas/inspire_vs/1.0/inspire_vs.xsd",
                ),
            ],
        ),
        WmsVersion::V111 => {
            w.raw(r#"WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd""#);
            w.start(
                "WMT_MS_Capabilities",
                &[("version", "1.1.1"), ("updateSequence", &update_sequence)],
            );
        }
    }
    let urls = Urls {
        base: service_url.strip_suffix("/wms").unwrap_or(service_url).to_string(),
        catalog,
    };
    service(&mut w, catalog, version, &href, lang);
    capability(&mut w, catalog, version, &href, lang, &urls);
    w.end(match version {
        WmsVersion::V130 => "WMS_Capabilities",
        WmsVersion::V111 => "WMT_MS_Capabilities",
    });
    w.finish()
}

fn online_resource(w: &mut XmlWriter, version: WmsVersion, href: &str) {
    let ns: &[(&str, &str)] = match version {
        WmsVersion::V130 => &[],
        WmsVersion::V111 => &[("xmlns:xlink", XLINK)],
    };
    let mut attrs: Vec<(&str, &str)> = ns.to_vec();
    attrs.extend([("xlink:type", "simple"), ("xlink:href", href)]);
    w.empty("OnlineResource", &attrs);
}

fn service(w: &mut XmlWriter, catalog: &Catalog, version: WmsVersion, href: &str, lang: Language) {
    let m = &catalog.metadata;
    let limits = &catalog.config.server.limits;
    w.start("Service", &[]);
    w.leaf(
        "Name",
        &[],
        match version {
            WmsVersion::V130 => "WMS",
            WmsVersion::V111 => "OGC:WMS",
        },
    );
    w.leaf("Title", &[], m.title.get(lang));
    w.leaf("Abstract", &[], m.abstract_.get(lang));
    w.list("KeywordList", "Keyword", &m.keywords);
    online_resource(w, version, href);
    contact(w, &m.contact);
    w.leaf("Fees", &[], &m.fees);
    let constraints = match &m.licence_url {
        Some(url) => format!("{} {url}", m.access_constraints),
        None => m.access_constraints.clone(),
    };
    w.leaf("AccessConstraints", &[], &constraints);
    if version == WmsVersion::V130 {
        w.leaf("LayerLimit", &[], &limits.max_layers.to_string());
        w.leaf("MaxWidth", &[], &limits.max_width.to_string());
        w.leaf("MaxHeight", &[], &limits.max_height.to_string());
    }
    w.end("Service");
}

fn contact(w: &mut XmlWriter, c: &Contact) {
    w.start("ContactInformation", &[]);
    w.start("ContactPersonPrimary", &[]);
    w.leaf("ContactPerson", &[], &c.person);
    w.leaf("ContactOrganization", &[], &c.organization);
    w.end("ContactPersonPrimary");
    w.leaf("ContactPosition", &[], &c.position);
    w.start("ContactAddress", &[]);
    w.leaf("AddressType", &[], &c.address_type);
    w.leaf("Address", &[], &c.address);
    w.leaf("City", &[], &c.city);
    w.leaf("StateOrProvince", &[], &c.state_or_province);
    w.leaf("PostCode", &[], &c.post_code);
    w.leaf("Country", &[], &c.country);
    w.end("ContactAddress");
    w.leaf("ContactVoiceTelephone", &[], &c.voice);
    w.leaf("ContactElectronicMailAddress", &[], &c.email);
    w.end("ContactInformation");
}

fn operation(w: &mut XmlWriter, version: WmsVersion, name: &str, formats: &[&str], href: &str) {
    w.start(name, &[]);
    for f in formats {
        w.leaf("Format", &[], f);
    }
    w.start("DCPType", &[]);
    w.start("HTTP", &[]);
    w.start("Get", &[]);
    online_resource(w, version, href);
    w.end("Get");
    w.end("HTTP");
    w.end("DCPType");
    w.end(name);
}

fn capability(w: &mut XmlWriter, catalog: &Catalog, version: WmsVersion, href: &str, lang: Language, urls: &Urls) {
    let image_formats: Vec<&str> = ImageFormat::ALL.iter().map(|f| f.mime()).collect();
    w.start("Capability", &[]);
    w.start("Request", &[]);
    let caps_format = match version {
        WmsVersion::V130 => "text/xml",
        WmsVersion::V111 => "application/vnd.ogc.wms_xml",
    };
    operation(w, version, "GetCapabilities", &[caps_format], href);
    operation(w, version, "GetMap", &image_formats, href);
    if catalog.layers.iter().any(|l| l.queryable()) {
        let info: Vec<&str> = crate::ows::feature_info::InfoFormat::ALL
            .iter()
            .map(|f| f.mime())
            .collect();
        operation(w, version, "GetFeatureInfo", &info, href);
    }
    if version == WmsVersion::V111 {
        // The 1.1.1 DTD lists the SLD profile's GetLegendGraphic (1.3.0 links legends through LegendURL).
        operation(w, version, "GetLegendGraphic", &["image/png", "image/jpeg"], href);
    }
    w.end("Request");
    w.start("Exception", &[]);
    let exception_formats: &[&str] = match version {
        WmsVersion::V130 => &["XML", "INIMAGE", "BLANK"],
        WmsVersion::V111 => &[
            "application/vnd.ogc.se_xml",
            "application/vnd.ogc.se_inimage",
            "application/vnd.ogc.se_blank",
        ],
    };
    for f in exception_formats {
        w.leaf("Format", &[], f);
    }
    w.end("Exception");
    if version == WmsVersion::V130 {
        inspire(w, urls, lang);
    }

    // The root layer groups every layer and declares what they share.
    w.start("Layer", &[]);
    w.leaf("Title", &[], catalog.metadata.title.get(lang));
    w.leaf("Abstract", &[], catalog.metadata.abstract_.get(lang));
    let common = catalog.common_crs();
    crs_list(w, version, &common);
    if let Some(geo) = catalog.geographic_extent() {
        geographic_bbox(w, version, &geo);
        for crs in &common {
            let union = catalog
                .layers
                .iter()
                .filter_map(|l| l.extent_in(*crs))
                .reduce(|a, b| a.union(&b));
            if let Some(b) = union {
                bounding_box(w, version, *crs, &b);
            }
        }
    }
    let identities: Vec<records::Identity> = catalog
        .layers
        .iter()
        .map(|l| records::dataset_identity(catalog, &l.config))
        .collect();
    if let Some(first) = identities.first() {
        w.start("AuthorityURL", &[("name", AUTHORITY)]);
        online_resource(w, version, &first.namespace);
        w.end("AuthorityURL");
    }
    for (layer, id) in catalog.layers.iter().zip(&identities) {
        // The dataset's resource identifier, and where its ISO 19139 record is.
        let record = Some((id.identifier(), urls.iso_record(&id.uuid)));
        let links = LayerLinks {
            service_url: href.trim_end_matches('?'),
            record,
        };
        named_layer(w, catalog, version, &links, layer, &common, lang);
    }
    w.end("Layer");
    w.end("Capability");
}

fn crs_list(w: &mut XmlWriter, version: WmsVersion, list: &[Crs]) {
    let tag = match version {
        WmsVersion::V130 => "CRS",
        WmsVersion::V111 => "SRS",
    };
    for c in list {
        w.leaf(tag, &[], &c.identifier());
    }
}

fn num(v: f64) -> String {
    // Shortest text that reads back as the same f64.
    format!("{v}")
}

fn geographic_bbox(w: &mut XmlWriter, version: WmsVersion, b: &BBox) {
    match version {
        WmsVersion::V130 => {
            w.start("EX_GeographicBoundingBox", &[]);
            w.leaf("westBoundLongitude", &[], &num(b.minx));
            w.leaf("eastBoundLongitude", &[], &num(b.maxx));
            w.leaf("southBoundLatitude", &[], &num(b.miny));
            w.leaf("northBoundLatitude", &[], &num(b.maxy));
            w.end("EX_GeographicBoundingBox");
        }
        WmsVersion::V111 => w.empty(
            "LatLonBoundingBox",
            &[
                ("minx", &num(b.minx)),
                ("miny", &num(b.miny)),
                ("maxx", &num(b.maxx)),
                ("maxy", &num(b.maxy)),
            ],
        ),
    }
}

fn bounding_box(w: &mut XmlWriter, version: WmsVersion, crs: Crs, b: &BBox) {
    let v = crs.bbox_to_axis_order(b, version == WmsVersion::V130);
    let code = crs.identifier();
    let key = match version {
        WmsVersion::V130 => "CRS",
        WmsVersion::V111 => "SRS",
    };
    w.empty(
        "BoundingBox",
        &[
            (key, &code),
            ("minx", &num(v[0])),
            ("miny", &num(v[1])),
            ("maxx", &num(v[2])),
            ("maxy", &num(v[3])),
        ],
    );
}

/// Where a layer's element links: the service (legends) and the layer's
/// catalogue record (its resource identifier and ISO 19139 document).
struct LayerLinks<'a> {
    service_url: &'a str,
    record: Option<(String, String)>,
}

fn named_layer(
    w: &mut XmlWriter,
    catalog: &Catalog,
    version: WmsVersion,
    links: &LayerLinks,
    layer: &Layer,
    inherited: &[Crs],
    lang: Language,
) {
    let remote = layer.config.source.is_remote();
    let opaque = if layer.is_vector() || remote { "0" } else { "1" };
    let queryable = if layer.queryable() { "1" } else { "0" };
    let mut attrs = vec![("queryable", queryable), ("opaque", opaque)];
    // A layer drawn by a partner's service is one cascade away (WMS 1.3.0 §7.2.4.7.3).
    if remote {
        attrs.push(("cascaded", "1"));
    }
    w.start("Layer", &attrs);
    w.leaf("Name", &[], layer.name());
    w.leaf("Title", &[], layer.title(lang));
    let mut abstract_text = layer.abstract_text(lang).to_string();
    if let Some(licence) = &layer.config.licence {
        abstract_text = format!("{abstract_text} Licence : {licence}.").trim().to_string();
    }
    w.leaf("Abstract", &[], &abstract_text);
    w.list("KeywordList", "Keyword", &layer.config.keywords);
    let own: Vec<Crs> = layer.crs.iter().copied().filter(|c| !inherited.contains(c)).collect();
    crs_list(w, version, &own);
    geographic_bbox(w, version, &layer.geographic_extent);
    for crs in &layer.crs {
        if let Some(b) = layer.extent_in(*crs) {
            bounding_box(w, version, *crs, &b);
        }
    }
    if let Some(t) = &layer.time {
        let values = t.values.join(",");
        match version {
            WmsVersion::V130 => w.leaf(
                "Dimension",
                &[
                    ("name", "time"),
                    ("units", "ISO8601"),
                    ("default", &t.default),
                    ("multipleValues", "0"),
                    ("nearestValue", "0"),
                    ("current", "0"),
                ],
                &values,
            ),
            WmsVersion::V111 => {
                w.empty("Dimension", &[("name", "time"), ("units", "ISO8601")]);
                // WMS_MS_Capabilities.dtd knows only `default` and `nearestValue`.
                w.leaf(
                    "Extent",
                    &[("name", "time"), ("default", &t.default), ("nearestValue", "0")],
                    &values,
                );
            }
        }
    }
    if let Some(a) = &layer.config.attribution {
        w.start("Attribution", &[]);
        w.leaf("Title", &[], &a.title);
        if let Some(url) = &a.url {
            online_resource(w, version, url);
        }
        w.end("Attribution");
    }
    if let Some((identifier, record_url)) = &links.record {
        w.leaf("Identifier", &[("authority", AUTHORITY)], identifier);
        let kind = match version {
            WmsVersion::V130 => "ISO19115:2003",
            WmsVersion::V111 => "TC211",
        };
        w.start("MetadataURL", &[("type", kind)]);
        w.leaf("Format", &[], "text/xml");
        online_resource(w, version, record_url);
        w.end("MetadataURL");
    }
    for style in &layer.styles {
        w.start("Style", &[]);
        w.leaf("Name", &[], &style.name);
        w.leaf("Title", &[], &style.title);
        if let Some(a) = &style.abstract_ {
            w.leaf("Abstract", &[], a);
        }
        if let Some(l) = catalog.legend(layer.name(), &style.name) {
            let (width, height) = (l.width.to_string(), l.height.to_string());
            w.start("LegendURL", &[("width", &width), ("height", &height)]);
            w.leaf("Format", &[], "image/png");
            let url = catalog.keyed(&super::getlegendgraphic::url(
                links.service_url,
                version,
                layer.name(),
                &style.name,
            ));
            online_resource(w, version, &url);
            w.end("LegendURL");
        }
        w.end("Style");
    }
    let (min, max) = (layer.config.min_scale, layer.config.max_scale);
    match version {
        WmsVersion::V130 => {
            if let Some(min) = min {
                w.leaf("MinScaleDenominator", &[], &num(min));
            }
            if let Some(max) = max {
                w.leaf("MaxScaleDenominator", &[], &num(max));
            }
        }
        WmsVersion::V111 => {
            if min.is_some() || max.is_some() {
                // ScaleHint is the ground size of a pixel's diagonal, in metres.
                let hint = |s: f64| num(s * STANDARD_PIXEL_SIZE * std::f64::consts::SQRT_2);
                w.empty(
                    "ScaleHint",
                    &[
                        ("min", &hint(min.unwrap_or(0.0))),
                        ("max", &hint(max.unwrap_or(f64::MAX / 1e3))),
                    ],
                );
            }
        }
    }
    w.end("Layer");
}
