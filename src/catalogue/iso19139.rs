//! ISO 19115 records in their ISO/TS 19139:2007 XML encoding: one
//! `gmd:MD_Metadata` per dataset or series (`gmd:MD_DataIdentification`)
//! and per service (`srv:SV_ServiceIdentification`, with the datasets it
//! publishes as `srv:coupledResource` and `srv:operatesOn`).
//!
//! Element order follows the schema exactly (harvesters validate), titles
//! and abstracts are bilingual (`gmd:PT_FreeText`), and the INSPIRE
//! elements the technical guidelines ask for are there: theme keywords
//! from GEMET, legal constraints, the conformity report, lineage.

use super::{ElementSet, Urls, degrees};
use tuile_core::catalog::Catalog;
use tuile_core::metadata::Localized;
use tuile_core::records::{Record, Scope, themes};
use tuile_core::xml::XmlWriter;

pub const GMD: &str = "http://www.isotc211.org/2005/gmd";
const CODELISTS: &str = "http://standards.iso.org/iso/19139/resources/gmxCodelists.xml";

/// The namespaces a record's root declares.
pub const NAMESPACES: &[(&str, &str)] = &[
    ("xmlns:gmd", GMD),
    ("xmlns:gco", "http://www.isotc211.org/2005/gco"),
    ("xmlns:gmx", "http://www.isotc211.org/2005/gmx"),
    ("xmlns:srv", "http://www.isotc211.org/2005/srv"),
    ("xmlns:gml", "http://www.opengis.net/gml/3.2"),
    ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
];

const XSI: (&str, &str) = ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance");
const SCHEMA_LOCATION: &str = "http://www.isotc211.org/2005/gmd http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd http://www.isotc211.org/2005/srv http://schemas.opengis.net/iso/19139/20070417/srv/1.0/srv.xsd";

/// A record alone, as a document.
pub fn document(r: &Record, catalog: &Catalog, urls: &Urls) -> Vec<u8> {
    let mut w = XmlWriter::new();
    write(&mut w, r, catalog, urls, ElementSet::Full, true);
    w.finish()
}

/// Writes `gmd:MD_Metadata`; `root` declares the namespaces (a record
/// inside a CSW answer has them from the answer's root).
pub fn write(w: &mut XmlWriter, r: &Record, catalog: &Catalog, urls: &Urls, set: ElementSet, root: bool) {
    let mut attrs: Vec<(&str, &str)> = Vec::new();
    if root {
        attrs.extend_from_slice(NAMESPACES);
        attrs.push(XSI);
        attrs.push(("xsi:schemaLocation", SCHEMA_LOCATION));
    }
    w.start("gmd:MD_Metadata", &attrs);
    cs(w, "gmd:fileIdentifier", &r.uuid);
    language(w, "gmd:language", "fre");
    code(w, "gmd:characterSet", "MD_CharacterSetCode", "utf8");
    code(w, "gmd:hierarchyLevel", "MD_ScopeCode", r.scope.code());
    if matches!(r.scope, Scope::Service(_)) {
        cs(w, "gmd:hierarchyLevelName", "service");
    }
    contact(w, "gmd:contact", catalog, "pointOfContact");
    w.start("gmd:dateStamp", &[]);
    w.leaf("gco:DateTime", &[], r.modified_iso().trim_end_matches('Z'));
    w.end("gmd:dateStamp");
    cs(w, "gmd:metadataStandardName", "ISO 19115:2003/19139");
    cs(w, "gmd:metadataStandardVersion", "1.0");
    locale(w, r);
    if set != ElementSet::Brief {
        if let Some(gt) = r.derived.geometry_type {
            vector_representation(w, gt, r.derived.feature_count);
        }
        for crs in &r.crs {
            reference_system(w, &crs.to_string());
        }
    }
    w.start("gmd:identificationInfo", &[]);
    match r.scope {
        Scope::Service(_) => service_identification(w, r, catalog, urls, set),
        _ => data_identification(w, r, catalog, set),
    }
    w.end("gmd:identificationInfo");
    if set != ElementSet::Brief {
        distribution(w, r, urls);
    }
    if set == ElementSet::Full {
        quality(w, r);
    }
    w.end("gmd:MD_Metadata");
}

/// `<name><gco:CharacterString>text</gco:CharacterString></name>`
fn cs(w: &mut XmlWriter, name: &str, text: &str) {
    w.start(name, &[]);
    w.leaf("gco:CharacterString", &[], text);
    w.end(name);
}

/// A French text with its English translation (`gmd:PT_FreeText`).
fn localized(w: &mut XmlWriter, name: &str, text: &Localized, r: &Record) {
    if text.en.is_empty() || text.en == text.fr {
        return cs(w, name, &text.fr);
    }
    w.start(name, &[("xsi:type", "gmd:PT_FreeText_PropertyType")]);
    w.leaf("gco:CharacterString", &[], &text.fr);
    w.start("gmd:PT_FreeText", &[]);
    w.start("gmd:textGroup", &[]);
    w.leaf(
        "gmd:LocalisedCharacterString",
        &[("locale", &format!("#{}", locale_id(r)))],
        &text.en,
    );
    w.end("gmd:textGroup");
    w.end("gmd:PT_FreeText");
    w.end(name);
}

/// A code list value: `<name><gmd:List codeList=… codeListValue=…>v</…></name>`.
fn code(w: &mut XmlWriter, name: &str, list: &str, value: &str) {
    let code_list = format!("{CODELISTS}#{list}");
    let tag = if list.starts_with("SV_") || list == "DCPList" {
        format!("srv:{list}")
    } else {
        format!("gmd:{list}")
    };
    w.start(name, &[]);
    w.leaf(&tag, &[("codeList", &code_list), ("codeListValue", value)], value);
    w.end(name);
}

fn language(w: &mut XmlWriter, name: &str, code: &str) {
    w.start(name, &[]);
    w.leaf(
        "gmd:LanguageCode",
        &[
            ("codeList", "http://www.loc.gov/standards/iso639-2/"),
            ("codeListValue", code),
        ],
        code,
    );
    w.end(name);
}

/// The English locale's id: one per record, since a CSW answer holds several.
fn locale_id(r: &Record) -> String {
    format!("ENG-{}", &r.uuid[..8.min(r.uuid.len())])
}

/// The English locale the `PT_FreeText` translations point at.
fn locale(w: &mut XmlWriter, r: &Record) {
    w.start("gmd:locale", &[]);
    w.start("gmd:PT_Locale", &[("id", &locale_id(r))]);
    language(w, "gmd:languageCode", "eng");
    code(w, "gmd:characterEncoding", "MD_CharacterSetCode", "utf8");
    w.end("gmd:PT_Locale");
    w.end("gmd:locale");
}

fn contact(w: &mut XmlWriter, name: &str, catalog: &Catalog, role: &str) {
    let c = &catalog.metadata.contact;
    w.start(name, &[]);
    w.start("gmd:CI_ResponsibleParty", &[]);
    cs(w, "gmd:individualName", &c.person);
    cs(w, "gmd:organisationName", &c.organization);
    cs(w, "gmd:positionName", &c.position);
    w.start("gmd:contactInfo", &[]);
    w.start("gmd:CI_Contact", &[]);
    w.start("gmd:phone", &[]);
    w.start("gmd:CI_Telephone", &[]);
    cs(w, "gmd:voice", &c.voice);
    w.end("gmd:CI_Telephone");
    w.end("gmd:phone");
    w.start("gmd:address", &[]);
    w.start("gmd:CI_Address", &[]);
    cs(w, "gmd:deliveryPoint", &c.address);
    cs(w, "gmd:city", &c.city);
    cs(w, "gmd:administrativeArea", &c.state_or_province);
    cs(w, "gmd:postalCode", &c.post_code);
    cs(w, "gmd:country", &c.country);
    cs(w, "gmd:electronicMailAddress", &c.email);
    w.end("gmd:CI_Address");
    w.end("gmd:address");
    w.start("gmd:onlineResource", &[]);
    w.start("gmd:CI_OnlineResource", &[]);
    w.start("gmd:linkage", &[]);
    w.leaf("gmd:URL", &[], &catalog.metadata.provider.site);
    w.end("gmd:linkage");
    w.end("gmd:CI_OnlineResource");
    w.end("gmd:onlineResource");
    w.end("gmd:CI_Contact");
    w.end("gmd:contactInfo");
    code(w, "gmd:role", "CI_RoleCode", role);
    w.end("gmd:CI_ResponsibleParty");
    w.end(name);
}

fn vector_representation(w: &mut XmlWriter, geometry: &str, count: Option<u64>) {
    let object = match geometry {
        "Point" | "MultiPoint" => "point",
        "LineString" | "MultiLineString" => "curve",
        "Polygon" | "MultiPolygon" => "surface",
        _ => "composite",
    };
    w.start("gmd:spatialRepresentationInfo", &[]);
    w.start("gmd:MD_VectorSpatialRepresentation", &[]);
    code(w, "gmd:topologyLevel", "MD_TopologyLevelCode", "geometryOnly");
    w.start("gmd:geometricObjects", &[]);
    w.start("gmd:MD_GeometricObjects", &[]);
    code(w, "gmd:geometricObjectType", "MD_GeometricObjectTypeCode", object);
    if let Some(n) = count {
        w.start("gmd:geometricObjectCount", &[]);
        w.leaf("gco:Integer", &[], &n.to_string());
        w.end("gmd:geometricObjectCount");
    }
    w.end("gmd:MD_GeometricObjects");
    w.end("gmd:geometricObjects");
    w.end("gmd:MD_VectorSpatialRepresentation");
    w.end("gmd:spatialRepresentationInfo");
}

fn reference_system(w: &mut XmlWriter, crs: &str) {
    let href = match crs.split_once(':') {
        Some(("EPSG", n)) => format!("http://www.opengis.net/def/crs/EPSG/0/{n}"),
        Some(("CRS", "84")) => "http://www.opengis.net/def/crs/OGC/1.3/CRS84".into(),
        _ => String::new(),
    };
    w.start("gmd:referenceSystemInfo", &[]);
    w.start("gmd:MD_ReferenceSystem", &[]);
    w.start("gmd:referenceSystemIdentifier", &[]);
    w.start("gmd:RS_Identifier", &[]);
    w.start("gmd:code", &[]);
    w.leaf("gmx:Anchor", &[("xlink:href", &href)], crs);
    w.end("gmd:code");
    cs(w, "gmd:codeSpace", crs.split(':').next().unwrap_or("EPSG"));
    w.end("gmd:RS_Identifier");
    w.end("gmd:referenceSystemIdentifier");
    w.end("gmd:MD_ReferenceSystem");
    w.end("gmd:referenceSystemInfo");
}

fn date(w: &mut XmlWriter, day: &str, kind: &str) {
    w.start("gmd:date", &[]);
    w.start("gmd:CI_Date", &[]);
    w.start("gmd:date", &[]);
    w.leaf("gco:Date", &[], day);
    w.end("gmd:date");
    code(w, "gmd:dateType", "CI_DateTypeCode", kind);
    w.end("gmd:CI_Date");
    w.end("gmd:date");
}

fn citation(w: &mut XmlWriter, r: &Record, with_identifier: bool) {
    w.start("gmd:citation", &[]);
    w.start("gmd:CI_Citation", &[]);
    localized(w, "gmd:title", &r.title, r);
    date(w, &r.modified_iso()[..10], "revision");
    if with_identifier {
        w.start("gmd:identifier", &[]);
        w.start("gmd:RS_Identifier", &[]);
        cs(w, "gmd:code", &r.code);
        cs(w, "gmd:codeSpace", &r.namespace);
        w.end("gmd:RS_Identifier");
        w.end("gmd:identifier");
    }
    w.end("gmd:CI_Citation");
    w.end("gmd:citation");
}

fn keywords(w: &mut XmlWriter, r: &Record) {
    if let Some(t) = r.theme {
        w.start("gmd:descriptiveKeywords", &[]);
        w.start("gmd:MD_Keywords", &[]);
        w.start("gmd:keyword", &[]);
        w.leaf("gmx:Anchor", &[("xlink:href", &t.uri())], t.fr);
        w.end("gmd:keyword");
        code(w, "gmd:type", "MD_KeywordTypeCode", "theme");
        w.start("gmd:thesaurusName", &[]);
        w.start("gmd:CI_Citation", &[]);
        w.start("gmd:title", &[]);
        w.leaf(
            "gmx:Anchor",
            &[("xlink:href", "http://inspire.ec.europa.eu/theme")],
            themes::THESAURUS,
        );
        w.end("gmd:title");
        date(w, themes::THESAURUS_DATE, "publication");
        w.end("gmd:CI_Citation");
        w.end("gmd:thesaurusName");
        w.end("gmd:MD_Keywords");
        w.end("gmd:descriptiveKeywords");
    }
    if !r.keywords.is_empty() {
        w.start("gmd:descriptiveKeywords", &[]);
        w.start("gmd:MD_Keywords", &[]);
        for k in &r.keywords {
            cs(w, "gmd:keyword", k);
        }
        code(w, "gmd:type", "MD_KeywordTypeCode", "theme");
        w.end("gmd:MD_Keywords");
        w.end("gmd:descriptiveKeywords");
    }
}

fn constraints(w: &mut XmlWriter, r: &Record) {
    w.start("gmd:resourceConstraints", &[]);
    w.start("gmd:MD_LegalConstraints", &[]);
    cs(w, "gmd:useLimitation", &r.licence);
    code(w, "gmd:accessConstraints", "MD_RestrictionCode", "otherRestrictions");
    let (href, text) = if r.restricted {
        (
            "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/INSPIRE_Directive_Article13_1e",
            "Accès réservé aux membres de la plateforme (clé d'accès)",
        )
    } else {
        (
            "http://inspire.ec.europa.eu/metadata-codelist/LimitationsOnPublicAccess/noLimitations",
            "Aucune restriction d'accès public",
        )
    };
    w.start("gmd:otherConstraints", &[]);
    w.leaf("gmx:Anchor", &[("xlink:href", href)], text);
    w.end("gmd:otherConstraints");
    if let Some(url) = &r.licence_url {
        w.start("gmd:otherConstraints", &[]);
        w.leaf("gmx:Anchor", &[("xlink:href", url)], &r.licence);
        w.end("gmd:otherConstraints");
    }
    w.end("gmd:MD_LegalConstraints");
    w.end("gmd:resourceConstraints");
}

/// The extent: a lon/lat box, and the editions' time span.
fn extent(w: &mut XmlWriter, name: &str, r: &Record) {
    w.start(name, &[]);
    w.start("gmd:EX_Extent", &[]);
    w.start("gmd:geographicElement", &[]);
    w.start("gmd:EX_GeographicBoundingBox", &[]);
    for (tag, v) in [
        ("gmd:westBoundLongitude", r.extent.minx),
        ("gmd:eastBoundLongitude", r.extent.maxx),
        ("gmd:southBoundLatitude", r.extent.miny),
        ("gmd:northBoundLatitude", r.extent.maxy),
    ] {
        w.start(tag, &[]);
        w.leaf("gco:Decimal", &[], &degrees(v));
        w.end(tag);
    }
    w.end("gmd:EX_GeographicBoundingBox");
    w.end("gmd:geographicElement");
    if let Some((begin, end)) = &r.temporal {
        w.start("gmd:temporalElement", &[]);
        w.start("gmd:EX_TemporalExtent", &[]);
        w.start("gmd:extent", &[]);
        let id = format!("tp-{}", tuile_core::xml::name(&r.code));
        w.start("gml:TimePeriod", &[("gml:id", &id)]);
        w.leaf("gml:beginPosition", &[], begin);
        w.leaf("gml:endPosition", &[], end);
        w.end("gml:TimePeriod");
        w.end("gmd:extent");
        w.end("gmd:EX_TemporalExtent");
        w.end("gmd:temporalElement");
    }
    w.end("gmd:EX_Extent");
    w.end(name);
}

fn data_identification(w: &mut XmlWriter, r: &Record, catalog: &Catalog, set: ElementSet) {
    let id = tuile_core::xml::name(&r.code).into_owned();
    w.start("gmd:MD_DataIdentification", &[("id", &id)]);
    citation(w, r, true);
    localized(w, "gmd:abstract", &r.abstract_, r);
    if set != ElementSet::Brief {
        contact(w, "gmd:pointOfContact", catalog, "custodian");
        if let Some((org, _)) = &r.attribution {
            w.start("gmd:pointOfContact", &[]);
            w.start("gmd:CI_ResponsibleParty", &[]);
            cs(w, "gmd:organisationName", org);
            code(w, "gmd:role", "CI_RoleCode", "owner");
            w.end("gmd:CI_ResponsibleParty");
            w.end("gmd:pointOfContact");
        }
        if !r.editions.is_empty() {
            w.start("gmd:resourceMaintenance", &[]);
            w.start("gmd:MD_MaintenanceInformation", &[]);
            code(
                w,
                "gmd:maintenanceAndUpdateFrequency",
                "MD_MaintenanceFrequencyCode",
                "annually",
            );
            w.end("gmd:MD_MaintenanceInformation");
            w.end("gmd:resourceMaintenance");
        }
        keywords(w, r);
        constraints(w, r);
        let representation = if r.derived.geometry_type.is_some() {
            "vector"
        } else {
            "grid"
        };
        code(
            w,
            "gmd:spatialRepresentationType",
            "MD_SpatialRepresentationTypeCode",
            representation,
        );
        resolution(w, r);
    }
    language(w, "gmd:language", "fre");
    code(w, "gmd:characterSet", "MD_CharacterSetCode", "utf8");
    w.start("gmd:topicCategory", &[]);
    w.leaf("gmd:MD_TopicCategoryCode", &[], r.topic);
    w.end("gmd:topicCategory");
    extent(w, "gmd:extent", r);
    if set != ElementSet::Brief {
        let info = supplemental(r);
        if !info.is_empty() {
            cs(w, "gmd:supplementalInformation", &info);
        }
    }
    w.end("gmd:MD_DataIdentification");
}

/// The ground resolution of a raster, else the largest scale it is drawn at.
fn resolution(w: &mut XmlWriter, r: &Record) {
    if let Some(m) = r.derived.resolution_m {
        w.start("gmd:spatialResolution", &[]);
        w.start("gmd:MD_Resolution", &[]);
        w.start("gmd:distance", &[]);
        w.leaf("gco:Distance", &[("uom", "m")], &degrees(m));
        w.end("gmd:distance");
        w.end("gmd:MD_Resolution");
        w.end("gmd:spatialResolution");
    } else if let (_, Some(max)) | (Some(max), None) = r.derived.scales {
        w.start("gmd:spatialResolution", &[]);
        w.start("gmd:MD_Resolution", &[]);
        w.start("gmd:equivalentScale", &[]);
        w.start("gmd:MD_RepresentativeFraction", &[]);
        w.start("gmd:denominator", &[]);
        // Drawn down to 1:max; the data is at least that precise.
        w.leaf("gco:Integer", &[], &format!("{}", (max / 10.0).round().max(1.0) as u64));
        w.end("gmd:denominator");
        w.end("gmd:MD_RepresentativeFraction");
        w.end("gmd:equivalentScale");
        w.end("gmd:MD_Resolution");
        w.end("gmd:spatialResolution");
    }
}

/// What the data says of itself and ISO has no better place for: the
/// attributes with their types, the editions, the bands.
fn supplemental(r: &Record) -> String {
    let d = &r.derived;
    let mut parts = Vec::new();
    if let (Some(n), Some(g)) = (d.feature_count, d.geometry_type) {
        parts.push(format!("{n} objets ({g})"));
    }
    if !d.attributes.is_empty() {
        let attrs: Vec<String> = d
            .attributes
            .iter()
            .map(|a| format!("{} ({})", a.name, a.xsd_type))
            .collect();
        parts.push(format!("Attributs : {}", attrs.join(", ")));
    }
    if let Some(b) = d.bands {
        parts.push(format!("{b} bandes"));
    }
    if !r.editions.is_empty() {
        parts.push(format!("Millésimes : {}", r.editions.join(", ")));
    }
    parts.join(". ")
}

fn service_identification(w: &mut XmlWriter, r: &Record, catalog: &Catalog, urls: &Urls, set: ElementSet) {
    let service = r.service().expect("a service record");
    w.start("srv:SV_ServiceIdentification", &[]);
    citation(w, r, false);
    localized(w, "gmd:abstract", &r.abstract_, r);
    if set != ElementSet::Brief {
        contact(w, "gmd:pointOfContact", catalog, "pointOfContact");
        keywords(w, r);
        constraints(w, r);
    }
    w.start("srv:serviceType", &[]);
    w.leaf(
        "gco:LocalName",
        &[(
            "codeSpace",
            "http://inspire.ec.europa.eu/metadata-codelist/SpatialDataServiceType",
        )],
        service.inspire_type(),
    );
    w.end("srv:serviceType");
    let (protocol, version) = service.protocol();
    cs(w, "srv:serviceTypeVersion", &format!("{protocol} {version}"));
    extent(w, "srv:extent", r);
    if set != ElementSet::Brief {
        let operation = match service {
            tuile_core::records::Service::Wms => "GetMap",
            tuile_core::records::Service::Wmts => "GetTile",
            tuile_core::records::Service::Features => "GetFeatures",
            tuile_core::records::Service::Csw => "GetRecords",
        };
        for (_, identifier, layer) in &r.operates_on {
            w.start("srv:coupledResource", &[]);
            w.start("srv:SV_CoupledResource", &[]);
            cs(w, "srv:operationName", operation);
            cs(w, "srv:identifier", identifier);
            w.leaf("gco:ScopedName", &[], layer);
            w.end("srv:SV_CoupledResource");
            w.end("srv:coupledResource");
        }
    }
    code(w, "srv:couplingType", "SV_CouplingType", "tight");
    w.start("srv:containsOperations", &[]);
    w.start("srv:SV_OperationMetadata", &[]);
    cs(
        w,
        "srv:operationName",
        match service {
            tuile_core::records::Service::Features => "landingPage",
            _ => "GetCapabilities",
        },
    );
    code(w, "srv:DCP", "DCPList", "WebServices");
    w.start("srv:connectPoint", &[]);
    w.start("gmd:CI_OnlineResource", &[]);
    w.start("gmd:linkage", &[]);
    w.leaf("gmd:URL", &[], &urls.at(service.description_path()));
    w.end("gmd:linkage");
    cs(w, "gmd:protocol", protocol);
    w.end("gmd:CI_OnlineResource");
    w.end("srv:connectPoint");
    w.end("srv:SV_OperationMetadata");
    w.end("srv:containsOperations");
    for (uuid, _, layer) in &r.operates_on {
        let href = format!("{}#{}", urls.csw_record(uuid), tuile_core::xml::name(layer));
        w.empty("srv:operatesOn", &[("uuidref", uuid), ("xlink:href", &href)]);
    }
    w.end("srv:SV_ServiceIdentification");
}

fn distribution(w: &mut XmlWriter, r: &Record, urls: &Urls) {
    w.start("gmd:distributionInfo", &[]);
    w.start("gmd:MD_Distribution", &[]);
    let formats: &[(&str, &str)] = match r.scope {
        Scope::Service(_) => &[],
        _ if r.derived.geometry_type.is_some() => {
            &[("GeoJSON", "RFC 7946"), ("Mapbox Vector Tiles", "2.1"), ("PNG", "1.2")]
        }
        _ => &[("PNG", "1.2"), ("JPEG", "1.02")],
    };
    for (name, version) in formats {
        w.start("gmd:distributionFormat", &[]);
        w.start("gmd:MD_Format", &[]);
        cs(w, "gmd:name", name);
        cs(w, "gmd:version", version);
        w.end("gmd:MD_Format");
        w.end("gmd:distributionFormat");
    }
    w.start("gmd:transferOptions", &[]);
    w.start("gmd:MD_DigitalTransferOptions", &[]);
    for link in urls.links(r) {
        w.start("gmd:onLine", &[]);
        w.start("gmd:CI_OnlineResource", &[]);
        w.start("gmd:linkage", &[]);
        w.leaf("gmd:URL", &[], &link.url);
        w.end("gmd:linkage");
        cs(w, "gmd:protocol", link.protocol);
        cs(w, "gmd:name", &link.name);
        cs(w, "gmd:description", &link.description);
        code(w, "gmd:function", "CI_OnLineFunctionCode", link.function.code());
        w.end("gmd:CI_OnlineResource");
        w.end("gmd:onLine");
    }
    w.end("gmd:MD_DigitalTransferOptions");
    w.end("gmd:transferOptions");
    w.end("gmd:MD_Distribution");
    w.end("gmd:distributionInfo");
}

/// Conformity (to the INSPIRE interoperability regulation, not evaluated)
/// and lineage.
fn quality(w: &mut XmlWriter, r: &Record) {
    w.start("gmd:dataQualityInfo", &[]);
    w.start("gmd:DQ_DataQuality", &[]);
    w.start("gmd:scope", &[]);
    w.start("gmd:DQ_Scope", &[]);
    code(w, "gmd:level", "MD_ScopeCode", r.scope.code());
    w.end("gmd:DQ_Scope");
    w.end("gmd:scope");
    w.start("gmd:report", &[]);
    w.start("gmd:DQ_DomainConsistency", &[]);
    w.start("gmd:result", &[]);
    w.start("gmd:DQ_ConformanceResult", &[]);
    w.start("gmd:specification", &[]);
    w.start("gmd:CI_Citation", &[]);
    let (title, href, day) = match r.scope {
        Scope::Service(_) => (
            "Règlement (CE) n° 976/2009 de la Commission du 19 octobre 2009 portant modalités d'application de la directive 2007/2/CE du Parlement européen et du Conseil en ce qui concerne les services en réseau",
            "http://data.europa.eu/eli/reg/2009/976",
            "2009-10-20",
        ),
        _ => (
            "Règlement (UE) n° 1089/2010 de la Commission du 23 novembre 2010 portant modalités d'application de la directive 2007/2/CE du Parlement européen et du Conseil en ce qui concerne l'interopérabilité des séries et des services de données géographiques",
            "http://data.europa.eu/eli/reg/2010/1089",
            "2010-12-08",
        ),
    };
    w.start("gmd:title", &[]);
    w.leaf("gmx:Anchor", &[("xlink:href", href)], title);
    w.end("gmd:title");
    date(w, day, "publication");
    w.end("gmd:CI_Citation");
    w.end("gmd:specification");
    cs(w, "gmd:explanation", "Conformité non évaluée");
    w.empty("gmd:pass", &[("gco:nilReason", "unknown")]);
    w.end("gmd:DQ_ConformanceResult");
    w.end("gmd:result");
    w.end("gmd:DQ_DomainConsistency");
    w.end("gmd:report");
    if !matches!(r.scope, Scope::Service(_)) {
        w.start("gmd:lineage", &[]);
        w.start("gmd:LI_Lineage", &[]);
        let text = r.lineage.clone().unwrap_or_else(|| Localized {
            fr: format!("Données publiées par tuile depuis la source de la couche {}.", r.code),
            en: String::new(),
        });
        localized(w, "gmd:statement", &text, r);
        w.end("gmd:LI_Lineage");
        w.end("gmd:lineage");
    }
    w.end("gmd:DQ_DataQuality");
    w.end("gmd:dataQualityInfo");
}
