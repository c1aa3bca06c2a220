//! OWS Common, as WMTS (OWS 1.1) and CSW (OWS 1.0) write it: the service
//! provider section and the exception report. The two versions differ in
//! their namespace and a few attributes, not in these elements.

use tuile_core::metadata::ServiceMetadata;
use tuile_core::xml::XmlWriter;

/// Which OWS Common a service speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwsVersion {
    /// OWS 1.0.0 (CSW 2.0.2).
    V100,
    /// OWS 1.1.0 (WMTS 1.0.0).
    V110,
}

/// `ows:ServiceProvider`, from the service metadata.
pub fn service_provider(w: &mut XmlWriter, m: &ServiceMetadata) {
    let c = &m.contact;
    w.start("ows:ServiceProvider", &[]);
    w.leaf("ows:ProviderName", &[], &m.provider.name);
    w.empty("ows:ProviderSite", &[("xlink:href", &m.provider.site)]);
    w.start("ows:ServiceContact", &[]);
    w.leaf("ows:IndividualName", &[], &c.person);
    w.leaf("ows:PositionName", &[], &c.position);
    w.start("ows:ContactInfo", &[]);
    w.start("ows:Phone", &[]);
    w.leaf("ows:Voice", &[], &c.voice);
    w.end("ows:Phone");
    w.start("ows:Address", &[]);
    w.leaf("ows:DeliveryPoint", &[], &c.address);
    w.leaf("ows:City", &[], &c.city);
    w.leaf("ows:AdministrativeArea", &[], &c.state_or_province);
    w.leaf("ows:PostalCode", &[], &c.post_code);
    w.leaf("ows:Country", &[], &c.country);
    w.leaf("ows:ElectronicMailAddress", &[], &c.email);
    w.end("ows:Address");
    w.end("ows:ContactInfo");
    w.leaf("ows:Role", &[], "pointOfContact");
    w.end("ows:ServiceContact");
    w.end("ows:ServiceProvider");
}

/// An `ows:ExceptionReport` holding one exception.
pub fn exception_report(version: OwsVersion, code: &str, locator: Option<&str>, message: &str) -> Vec<u8> {
    let (ns, location, report_version, lang) = match version {
        OwsVersion::V100 => (
            "http://www.opengis.net/ows",
            "http://www.opengis.net/ows http://schemas.opengis.net/ows/1.0.0/owsExceptionReport.xsd",
            "1.2.0",
            ("language", "en"),
        ),
        OwsVersion::V110 => (
            "http://www.opengis.net/ows/1.1",
            "http://www.opengis.net/ows/1.1 http://schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd",
            "1.0.0",
            ("xml:lang", "en"),
        ),
    };
    let mut w = XmlWriter::new();
    w.start(
        "ows:ExceptionReport",
        &[
            ("xmlns:ows", ns),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", location),
            ("version", report_version),
            lang,
        ],
    );
    let mut attrs = vec![("exceptionCode", code)];
    if let Some(l) = locator {
        attrs.push(("locator", l));
    }
    w.start("ows:Exception", &attrs);
    w.leaf("ows:ExceptionText", &[], message);
    w.end("ows:Exception");
    w.end("ows:ExceptionReport");
    w.finish()
}
