//! The catalogue's records in the encodings catalogues harvest: ISO 19139
//! (`gmd:MD_Metadata`), Dublin Core (`csw:Record`), DCAT-AP, OGC API –
//! Records JSON and QGIS layer definitions. The records themselves come
//! from the core (`tuile_core::records`); this module only writes them,
//! with the links that lead back to this server's endpoints.

pub mod dcat;
pub mod dublin_core;
pub mod iso19139;
pub mod json;
pub mod qlr;

use tuile_core::catalog::Catalog;
use tuile_core::records::{Record, Scope, Service};

/// How much of a record to write (CSW's `ElementSetName`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementSet {
    Brief,
    Summary,
    Full,
}

impl ElementSet {
    pub fn parse(s: &str) -> Option<ElementSet> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "brief" => ElementSet::Brief,
            "summary" => ElementSet::Summary,
            "full" | "" => ElementSet::Full,
            _ => return None,
        })
    }
}

/// What a link leads to, as ISO's `CI_OnLineFunctionCode` says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// A service's description (capabilities, API).
    Information,
    /// The data itself.
    Download,
    /// A map of it.
    Browse,
}

impl Function {
    pub fn code(&self) -> &'static str {
        match self {
            Function::Information => "information",
            Function::Download => "download",
            Function::Browse => "browseGraphic",
        }
    }
}

/// A link from a record to an endpoint of this server.
#[derive(Debug, Clone)]
pub struct Link {
    pub url: String,
    /// The protocol as catalogues name it (`OGC:WMS`…).
    pub protocol: &'static str,
    /// The layer's name in that service.
    pub name: String,
    pub description: String,
    pub function: Function,
    /// A media type, when the link leads to a document.
    pub media_type: &'static str,
}

/// The server's URLs, as a request's caller reaches them.
pub struct Urls<'a> {
    pub base: String,
    pub catalog: &'a Catalog,
}

impl<'a> Urls<'a> {
    /// The URLs of a request's caller, for its view of the catalog.
    pub fn of(req: &actix_web::HttpRequest, state: &crate::state::AppState, catalog: &'a Catalog) -> Urls<'a> {
        Urls {
            base: state.base_url(req, catalog),
            catalog,
        }
    }

    /// An absolute URL for a path, with the caller's key carried on when
    /// it came in the URL.
    pub fn at(&self, path: &str) -> String {
        self.catalog.keyed(&format!("{}{path}", self.base))
    }

    /// The record's ISO 19139 document, alone (the `MetadataURL` of capabilities).
    pub fn iso_record(&self, uuid: &str) -> String {
        self.at(&format!("/collections/catalog/items/{uuid}?f=xml"))
    }

    /// The record as OGC API – Records JSON.
    pub fn json_record(&self, uuid: &str) -> String {
        self.at(&format!("/collections/catalog/items/{uuid}?f=json"))
    }

    /// The record through the CSW (what ISO's `operatesOn` links to).
    pub fn csw_record(&self, uuid: &str) -> String {
        self.at(&format!(
            "/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecordById&OUTPUTSCHEMA=http://www.isotc211.org/2005/gmd&ELEMENTSETNAME=full&ID={uuid}"
        ))
    }

    pub fn csw(&self) -> String {
        self.at("/csw")
    }

    /// Where a record's data or service is reached.
    pub fn links(&self, r: &Record) -> Vec<Link> {
        match r.scope {
            Scope::Service(s) => vec![Link {
                url: self.at(s.description_path()),
                protocol: s.protocol().0,
                name: s.code().into(),
                description: r.title.fr.clone(),
                function: Function::Information,
                media_type: s.description_media_type(),
            }],
            _ => {
                let layer = r.layer.clone().unwrap_or_default();
                let mut links = Vec::new();
                for s in &r.served_by {
                    let (protocol, version) = s.protocol();
                    links.push(Link {
                        url: self.at(s.description_path()),
                        protocol,
                        name: layer.clone(),
                        description: format!("{} ({} {version})", r.title.fr, protocol.trim_start_matches("OGC:")),
                        function: Function::Information,
                        media_type: s.description_media_type(),
                    });
                    if *s == Service::Features {
                        links.push(Link {
                            url: self.at(&format!("/collections/{layer}/items?f=json")),
                            protocol: "OGC:API-Features",
                            name: layer.clone(),
                            description: format!("{} (GeoJSON)", r.title.fr),
                            function: Function::Download,
                            media_type: "application/geo+json",
                        });
                    }
                }
                links.push(Link {
                    url: self.at(&format!("/collections/{layer}/map?f=png&width=400&height=400")),
                    protocol: "OGC:API-Maps",
                    name: layer.clone(),
                    description: format!("{} (aperçu)", r.title.fr),
                    function: Function::Browse,
                    media_type: "image/png",
                });
                links
            }
        }
    }
}

/// Decimal degrees as catalogues print them: at most 6 decimals.
pub fn degrees(v: f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// INSPIRE extended capabilities (scenario 1): a link to the service's own
/// record, then the languages: French by default, English on request
/// (`LANGUAGE=eng`), and the one answered in. `element` is the service
/// type's (`inspire_vs:ExtendedCapabilities`, `inspire_ds:…`).
pub fn inspire_extended_capabilities(
    w: &mut tuile_core::xml::XmlWriter,
    element: &str,
    record_url: &str,
    response_language: &str,
) {
    w.start(element, &[]);
    w.start("inspire_common:MetadataUrl", &[]);
    w.leaf("inspire_common:URL", &[], record_url);
    w.leaf(
        "inspire_common:MediaType",
        &[],
        "application/vnd.ogc.csw.GetRecordByIdResponse_xml",
    );
    w.end("inspire_common:MetadataUrl");
    w.start("inspire_common:SupportedLanguages", &[]);
    w.start("inspire_common:DefaultLanguage", &[]);
    w.leaf("inspire_common:Language", &[], "fre");
    w.end("inspire_common:DefaultLanguage");
    w.start("inspire_common:SupportedLanguage", &[]);
    w.leaf("inspire_common:Language", &[], "eng");
    w.end("inspire_common:SupportedLanguage");
    w.end("inspire_common:SupportedLanguages");
    w.start("inspire_common:ResponseLanguage", &[]);
    w.leaf("inspire_common:Language", &[], response_language);
    w.end("inspire_common:ResponseLanguage");
    w.end(element);
}
