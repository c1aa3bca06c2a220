//! The CSW 2.0.2 capabilities document (OWS 1.0.0), with the INSPIRE
//! discovery-service extended capabilities pointing at the catalogue's own
//! service record.

use crate::catalogue::Urls;
use tuile_core::records::Service;
use tuile_core::xml::XmlWriter;

const QUERYABLES: &[&str] = &[
    "apiso:AnyText",
    "apiso:Title",
    "apiso:Abstract",
    "apiso:Subject",
    "apiso:Type",
    "apiso:Identifier",
    "apiso:Modified",
    "apiso:Format",
    "apiso:CRS",
    "apiso:OrganisationName",
    "apiso:BoundingBox",
];

pub fn document(urls: &Urls) -> Vec<u8> {
    let m = &urls.catalog.metadata;
    let endpoint = urls.csw();
    let mut w = XmlWriter::new();
    w.start(
        "csw:Capabilities",
        &[
            ("xmlns:csw", super::request::CSW_NS),
            ("xmlns:ows", "http://www.opengis.net/ows"),
            ("xmlns:ogc", "http://www.opengis.net/ogc"),
            ("xmlns:gml", "http://www.opengis.net/gml"),
            ("xmlns:xlink", "http://www.w3.org/1999/xlink"),
            ("xmlns:inspire_ds", "http://inspire.ec.europa.eu/schemas/inspire_ds/1.0"),
            ("xmlns:inspire_common", "http://inspire.ec.europa.eu/schemas/common/1.0"),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("version", "2.0.2"),
            ("updateSequence", &urls.catalog.update_sequence.to_string()),
            (
                "xsi:schemaLocation",
                "http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd http://inspire.ec.europa.eu/schemas/inspire_ds/1.0 http://inspire.ec.europa.eu/schemas/inspire_ds/1.0/inspire_ds.xsd",
            ),
        ],
    );
    w.start("ows:ServiceIdentification", &[]);
    w.leaf("ows:Title", &[], &format!("{} – catalogue", m.title.fr));
    w.leaf("ows:Abstract", &[], &m.abstract_.fr);
    w.start("ows:Keywords", &[]);
    w.leaf("ows:Keyword", &[], "infoCatalogueService");
    for k in m.keywords.iter().filter(|k| !k.starts_with("info")) {
        w.leaf("ows:Keyword", &[], k);
    }
    w.end("ows:Keywords");
    w.leaf("ows:ServiceType", &[], "CSW");
    w.leaf("ows:ServiceTypeVersion", &[], "2.0.2");
    w.leaf("ows:Fees", &[], &m.fees);
    w.leaf("ows:AccessConstraints", &[], &m.access_constraints);
    w.end("ows:ServiceIdentification");

    crate::ows::common::service_provider(&mut w, m);

    w.start("ows:OperationsMetadata", &[]);
    let schemas = [
        "http://www.opengis.net/cat/csw/2.0.2",
        "http://www.isotc211.org/2005/gmd",
    ];
    let sets = ["brief", "summary", "full"];
    operation(
        &mut w,
        "GetCapabilities",
        &endpoint,
        &[(
            "sections",
            &[
                "ServiceIdentification",
                "ServiceProvider",
                "OperationsMetadata",
                "Filter_Capabilities",
            ],
        )],
        &[],
    );
    operation(
        &mut w,
        "DescribeRecord",
        &endpoint,
        &[
            ("typeName", &["csw:Record", "gmd:MD_Metadata"]),
            ("outputFormat", &["application/xml"]),
            ("schemaLanguage", &["http://www.w3.org/XML/Schema"]),
        ],
        &[],
    );
    let max = super::request::MAX_RECORDS.to_string();
    operation(
        &mut w,
        "GetRecords",
        &endpoint,
        &[
            ("resultType", &["hits", "results"]),
            ("outputFormat", &["application/xml"]),
            ("outputSchema", &schemas),
            ("typeNames", &["csw:Record", "gmd:MD_Metadata"]),
            ("ElementSetName", &sets),
            ("CONSTRAINTLANGUAGE", &["FILTER", "CQL_TEXT"]),
        ],
        &[
            ("SupportedISOQueryables", QUERYABLES),
            ("MaxRecordDefault", &[max.as_str()]),
        ],
    );
    operation(
        &mut w,
        "GetRecordById",
        &endpoint,
        &[("outputSchema", &schemas), ("ElementSetName", &sets)],
        &[],
    );
    w.start("ows:Parameter", &[("name", "service")]);
    w.leaf("ows:Value", &[], "CSW");
    w.end("ows:Parameter");
    w.start("ows:Parameter", &[("name", "version")]);
    w.leaf("ows:Value", &[], "2.0.2");
    w.end("ows:Parameter");
    // The catalogue's own record, as INSPIRE's discovery services link it.
    let own = tuile_core::records::service_identity(urls.catalog, Service::Csw);
    crate::catalogue::inspire_extended_capabilities(
        &mut w,
        "inspire_ds:ExtendedCapabilities",
        &urls.csw_record(&own.uuid),
        "fre",
    );
    w.end("ows:OperationsMetadata");

    w.start("ogc:Filter_Capabilities", &[]);
    w.start("ogc:Spatial_Capabilities", &[]);
    w.start("ogc:GeometryOperands", &[]);
    w.leaf("ogc:GeometryOperand", &[], "gml:Envelope");
    w.end("ogc:GeometryOperands");
    w.start("ogc:SpatialOperators", &[]);
    for op in ["BBOX", "Intersects", "Within", "Contains", "Overlaps", "Disjoint"] {
        w.empty("ogc:SpatialOperator", &[("name", op)]);
    }
    w.end("ogc:SpatialOperators");
    w.end("ogc:Spatial_Capabilities");
    w.start("ogc:Scalar_Capabilities", &[]);
    w.empty("ogc:LogicalOperators", &[]);
    w.start("ogc:ComparisonOperators", &[]);
    for op in [
        "EqualTo",
        "NotEqualTo",
        "LessThan",
        "GreaterThan",
        "LessThanEqualTo",
        "GreaterThanEqualTo",
        "Like",
        "Between",
    ] {
        w.leaf("ogc:ComparisonOperator", &[], op);
    }
    w.end("ogc:ComparisonOperators");
    w.end("ogc:Scalar_Capabilities");
    w.start("ogc:Id_Capabilities", &[]);
    w.empty("ogc:EID", &[]);
    w.empty("ogc:FID", &[]);
    w.end("ogc:Id_Capabilities");
    w.end("ogc:Filter_Capabilities");
    w.end("csw:Capabilities");
    w.finish()
}

fn operation(
    w: &mut XmlWriter,
    name: &str,
    endpoint: &str,
    parameters: &[(&str, &[&str])],
    constraints: &[(&str, &[&str])],
) {
    w.start("ows:Operation", &[("name", name)]);
    w.start("ows:DCP", &[]);
    w.start("ows:HTTP", &[]);
    w.empty("ows:Get", &[("xlink:href", endpoint)]);
    w.empty("ows:Post", &[("xlink:href", endpoint)]);
    w.end("ows:HTTP");
    w.end("ows:DCP");
    for (p, values) in parameters {
        w.start("ows:Parameter", &[("name", p)]);
        for v in *values {
            w.leaf("ows:Value", &[], v);
        }
        w.end("ows:Parameter");
    }
    for (c, values) in constraints {
        w.start("ows:Constraint", &[("name", c)]);
        for v in *values {
            w.leaf("ows:Value", &[], v);
        }
        w.end("ows:Constraint");
    }
    w.end("ows:Operation");
}
