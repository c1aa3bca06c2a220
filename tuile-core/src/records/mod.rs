//! The catalogue's records: what a harvester or a search needs to know of
//! each dataset and each service.
//!
//! Everything the data can tell is read from it, never typed: extent,
//! CRSs, resolution, feature count, geometry type, attributes, editions,
//! last change. What only a person knows (identifiers, INSPIRE theme,
//! lineage) is written once in the configuration. A new edition or a
//! replaced file changes the records with no edit, since they are built
//! from the catalog each time it is opened.
//!
//! The encodings (ISO 19139, Dublin Core, DCAT, JSON) belong to the
//! protocol adapters; [`search`] is the one query model they share.

pub mod harvest;
pub mod search;
pub mod themes;

use std::time::SystemTime;

use crate::catalog::Catalog;
use crate::grid::{BBox, Crs};
use crate::layer::Layer;
use crate::metadata::{Language, Localized};
use crate::source::Source;
pub use themes::{Theme, topic_category};

/// What a record describes (ISO 19115 `MD_ScopeCode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Dataset,
    /// A dataset published in editions (OCS GE millésimes).
    Series,
    Service(Service),
}

impl Scope {
    /// The `MD_ScopeCode` value, which is also `dc:type` and `apiso:Type`.
    pub fn code(&self) -> &'static str {
        match self {
            Scope::Dataset => "dataset",
            Scope::Series => "series",
            Scope::Service(_) => "service",
        }
    }
}

/// The services tuile runs, each of which gets a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    Wms,
    Wmts,
    Features,
    /// The catalogue itself (CSW), a discovery service.
    Csw,
}

impl Service {
    pub const ALL: [Service; 4] = [Service::Wms, Service::Wmts, Service::Features, Service::Csw];

    /// A short code, the service's resource identifier.
    pub fn code(&self) -> &'static str {
        match self {
            Service::Wms => "wms",
            Service::Wmts => "wmts",
            Service::Features => "ogcapi-features",
            Service::Csw => "csw",
        }
    }

    /// The INSPIRE spatial data service type.
    pub fn inspire_type(&self) -> &'static str {
        match self {
            Service::Wms | Service::Wmts => "view",
            Service::Features => "download",
            Service::Csw => "discovery",
        }
    }

    /// The protocol's name as catalogues know it, with its version.
    pub fn protocol(&self) -> (&'static str, &'static str) {
        match self {
            Service::Wms => ("OGC:WMS", "1.3.0"),
            Service::Wmts => ("OGC:WMTS", "1.0.0"),
            Service::Features => ("OGC:API-Features", "1.0"),
            Service::Csw => ("OGC:CSW", "2.0.2"),
        }
    }

    /// The endpoint, relative to the server's base URL.
    pub fn path(&self) -> &'static str {
        match self {
            Service::Wms => "/wms",
            Service::Wmts => "/wmts",
            Service::Features => "/",
            Service::Csw => "/csw",
        }
    }

    /// Where a client reads what the service offers, relative to the base URL.
    pub fn description_path(&self) -> &'static str {
        match self {
            Service::Wms => "/wms?SERVICE=WMS&REQUEST=GetCapabilities",
            Service::Wmts => "/wmts/1.0.0/WMTSCapabilities.xml",
            Service::Features => "/api",
            Service::Csw => "/csw?SERVICE=CSW&REQUEST=GetCapabilities",
        }
    }

    /// The media type of what [`Service::description_path`] answers.
    pub fn description_media_type(&self) -> &'static str {
        match self {
            Service::Features => "application/vnd.oai.openapi+json;version=3.0",
            Service::Wms | Service::Wmts | Service::Csw => "application/xml",
        }
    }

    fn title(&self, service: &Localized) -> Localized {
        let (fr, en) = match self {
            Service::Wms => ("service de visualisation WMS", "WMS view service"),
            Service::Wmts => ("service de visualisation tuilé WMTS", "WMTS tiled view service"),
            Service::Features => (
                "service de téléchargement OGC API – Features",
                "OGC API – Features download service",
            ),
            Service::Csw => ("catalogue CSW 2.0.2", "CSW 2.0.2 catalogue service"),
        };
        Localized {
            fr: format!("{} – {fr}", service.fr),
            en: format!("{} – {en}", service.get(Language::En)),
        }
    }

    /// Whether the service publishes a layer.
    fn serves(&self, layer: &Layer) -> bool {
        match self {
            Service::Wms | Service::Wmts => true,
            Service::Features => layer.is_vector(),
            Service::Csw => false,
        }
    }
}

/// An attribute of a vector dataset, with its XML Schema type.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    pub name: String,
    pub xsd_type: &'static str,
}

/// What the data says of itself, for datasets.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// Ground resolution in metres (rasters).
    pub resolution_m: Option<f64>,
    /// Scale denominators the layer is drawn between (most zoomed-in, most zoomed-out).
    pub scales: (Option<f64>, Option<f64>),
    pub feature_count: Option<u64>,
    /// `Point`, `MultiPolygon`…; `None` for rasters.
    pub geometry_type: Option<&'static str>,
    pub attributes: Vec<Attribute>,
    /// Raster bands.
    pub bands: Option<usize>,
}

/// One catalogue record: a dataset, a series or a service.
#[derive(Debug, Clone)]
pub struct Record {
    /// The metadata file identifier: a UUID that never changes between
    /// runs or replicas (derived from the resource identifier unless set).
    pub uuid: String,
    /// The resource identifier: a code in a namespace (INSPIRE style).
    pub code: String,
    pub namespace: String,
    pub scope: Scope,
    /// The layer a dataset record describes.
    pub layer: Option<String>,
    pub title: Localized,
    pub abstract_: Localized,
    pub keywords: Vec<String>,
    pub theme: Option<&'static Theme>,
    /// ISO 19115 topic category.
    pub topic: &'static str,
    pub licence: String,
    pub licence_url: Option<String>,
    /// Whether only some groups may see it (it then appears to nobody else).
    pub restricted: bool,
    pub lineage: Option<Localized>,
    pub attribution: Option<(String, Option<String>)>,
    /// Lon/lat (CRS84).
    pub extent: BBox,
    pub crs: Vec<Crs>,
    /// The extent in each offered CRS (x/y order); none for services.
    pub extents: Vec<(Crs, BBox)>,
    /// Editions, oldest first.
    pub editions: Vec<String>,
    /// The temporal extent as ISO dates, when the editions are years or dates.
    pub temporal: Option<(String, String)>,
    /// When the data (or, for a service, any of its data) last changed.
    pub modified: SystemTime,
    pub derived: Derived,
    /// What a service record's service publishes: (dataset uuid, code, layer name).
    pub operates_on: Vec<(String, String, String)>,
    /// The services publishing a dataset.
    pub served_by: Vec<Service>,
}

impl Record {
    /// The resource identifier as one string (namespace then code).
    pub fn identifier(&self) -> String {
        format!("{}{}", self.namespace, self.code)
    }

    pub fn service(&self) -> Option<Service> {
        match self.scope {
            Scope::Service(s) => Some(s),
            _ => None,
        }
    }

    /// `modified` as an ISO 8601 UTC date-time, to the second.
    pub fn modified_iso(&self) -> String {
        iso_datetime(self.modified)
    }
}

/// An ISO 8601 UTC date-time, to the second.
pub fn iso_datetime(t: SystemTime) -> String {
    jiff::Timestamp::try_from(t)
        .map(|t| t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

/// A name-based UUID (RFC 9562 version 5, URL namespace): the same name
/// gives the same identifier on every run and every replica.
pub fn stable_uuid(name: &str) -> String {
    uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes()).to_string()
}

/// What names a record, without building it: the resource identifier
/// (namespace and code) and the record's file identifier. Capabilities
/// and collections link to records by these.
#[derive(Debug, Clone, PartialEq)]
pub struct Identity {
    pub namespace: String,
    pub code: String,
    pub uuid: String,
}

impl Identity {
    /// The resource identifier as one string (namespace then code).
    pub fn identifier(&self) -> String {
        format!("{}{}", self.namespace, self.code)
    }
}

/// A layer's record's identity: its configured code and UUID, or the
/// layer name and a UUID derived from the resource identifier.
pub fn dataset_identity(catalog: &Catalog, config: &crate::config::LayerConfig) -> Identity {
    let namespace = namespace(catalog);
    let code = config
        .metadata
        .identifier
        .clone()
        .unwrap_or_else(|| config.name.clone());
    let uuid = config
        .metadata
        .uuid
        .clone()
        .unwrap_or_else(|| stable_uuid(&format!("{namespace}{code}")));
    Identity { namespace, code, uuid }
}

/// A service's record's identity.
pub fn service_identity(catalog: &Catalog, service: Service) -> Identity {
    let namespace = namespace(catalog);
    let code = service.code().to_string();
    let uuid = stable_uuid(&format!("{namespace}{code}"));
    Identity { namespace, code, uuid }
}

/// The catalogue's namespace for resource identifiers: the configured one,
/// or the provider's site.
fn namespace(catalog: &Catalog) -> String {
    let m = &catalog.metadata;
    let ns = m.catalogue.namespace.clone().unwrap_or_else(|| m.provider.site.clone());
    if ns.ends_with('/') || ns.ends_with('#') || ns.ends_with(':') {
        ns
    } else {
        format!("{ns}/")
    }
}

/// Every record the catalog's caller may see: one per layer, then one per
/// service. Cut from a caller's view of the catalog, a restricted layer
/// is in none of them.
pub fn records(catalog: &Catalog) -> Vec<Record> {
    let mut out: Vec<Record> = catalog.layers.iter().map(|l| dataset(catalog, l)).collect();
    for service in Service::ALL {
        let layers: Vec<&Record> = out.iter().filter(|r| r.served_by.contains(&service)).collect();
        if layers.is_empty() && service != Service::Csw {
            continue;
        }
        let record = service_record(catalog, service, &layers);
        out.push(record);
    }
    out
}

fn dataset(catalog: &Catalog, layer: &Layer) -> Record {
    let config = &layer.config;
    let meta = &config.metadata;
    let Identity { namespace, code, uuid } = dataset_identity(catalog, config);
    let editions = layer.time.as_ref().map(|t| t.values.clone()).unwrap_or_default();
    let theme = meta.theme.as_deref().and_then(Theme::by_code);
    let mut keywords = config.keywords.clone();
    keywords.extend(meta.keywords_en.iter().cloned());
    let mut record = Record {
        uuid,
        code,
        namespace,
        scope: if editions.len() > 1 {
            Scope::Series
        } else {
            Scope::Dataset
        },
        layer: Some(config.name.clone()),
        title: Localized {
            fr: layer.title(Language::Fr).to_string(),
            en: layer.title(Language::En).to_string(),
        },
        abstract_: Localized {
            fr: layer.abstract_text(Language::Fr).to_string(),
            en: layer.abstract_text(Language::En).to_string(),
        },
        keywords,
        theme,
        topic: meta
            .topic
            .as_deref()
            .and_then(topic_category)
            .or(theme.map(|t| t.topic))
            .unwrap_or("imageryBaseMapsEarthCover"),
        licence: config
            .licence
            .clone()
            .unwrap_or_else(|| catalog.metadata.access_constraints.clone()),
        licence_url: config.licence_url.clone().or_else(|| {
            config
                .is_public()
                .then(|| catalog.metadata.licence_url.clone())
                .flatten()
        }),
        restricted: !config.is_public(),
        lineage: meta.lineage.clone(),
        attribution: config.attribution.as_ref().map(|a| (a.title.clone(), a.url.clone())),
        extent: layer.geographic_extent,
        crs: layer.crs.clone(),
        extents: layer
            .crs
            .iter()
            .filter_map(|c| Some((*c, layer.extent_in(*c)?)))
            .collect(),
        temporal: temporal_extent(&editions),
        editions,
        modified: layer.modified,
        derived: derive(layer),
        operates_on: Vec::new(),
        served_by: Service::ALL.into_iter().filter(|s| s.serves(layer)).collect(),
    };
    if let Some(h) = &layer.harvested {
        apply(&mut record, h);
    }
    record
}

/// What a partner's record says replaces what the configuration says.
fn apply(r: &mut Record, h: &harvest::Harvested) {
    let merge = |mine: &Localized, theirs: &Localized| Localized {
        fr: if theirs.fr.is_empty() {
            mine.fr.clone()
        } else {
            theirs.fr.clone()
        },
        en: if theirs.en.is_empty() {
            mine.en.clone()
        } else {
            theirs.en.clone()
        },
    };
    if let Some(t) = &h.title {
        r.title = merge(&r.title, t);
    }
    if let Some(a) = &h.abstract_ {
        r.abstract_ = merge(&r.abstract_, a);
    }
    if !h.keywords.is_empty() {
        r.keywords = h.keywords.clone();
    }
    if let Some(l) = &h.lineage {
        r.lineage = Some(l.clone());
    }
    if let Some(l) = &h.licence {
        r.licence = l.clone();
    }
}

fn derive(layer: &Layer) -> Derived {
    let mut d = Derived {
        scales: (layer.config.min_scale, layer.config.max_scale),
        ..Derived::default()
    };
    match &layer.source {
        Source::Raster(r) => {
            // To the micrometre: a geotransform's 0.20000000000000004 is 20 cm.
            d.resolution_m = Some((r.resolution() * 1e6).round() / 1e6);
            d.bands = Some(r.band_count());
        }
        Source::Remote(r) => {
            d.resolution_m = r
                .resolution()
                .map(|res| (res * r.meta().crs.metres_per_unit() * 1e6).round() / 1e6);
        }
        Source::Vector(v) => {
            d.feature_count = Some(v.features_count());
            d.geometry_type = Some(v.geometry_type().name());
            d.attributes = v
                .columns()
                .iter()
                .map(|c| Attribute {
                    name: c.name.clone(),
                    xsd_type: c.kind().xsd_type(),
                })
                .collect();
        }
    }
    d
}

/// First and last day covered by editions that are years (`2019`) or
/// dates (`2019-06-01`); none otherwise.
fn temporal_extent(editions: &[String]) -> Option<(String, String)> {
    let day = |e: &str, end: bool| -> Option<String> {
        if e.len() == 4 && e.bytes().all(|b| b.is_ascii_digit()) {
            Some(if end {
                format!("{e}-12-31")
            } else {
                format!("{e}-01-01")
            })
        } else {
            e.parse::<jiff::civil::Date>().ok().map(|d| d.to_string())
        }
    };
    let days: Option<Vec<(String, String)>> = editions.iter().map(|e| Some((day(e, false)?, day(e, true)?))).collect();
    let days = days?;
    let begin = days.iter().map(|d| &d.0).min()?.clone();
    let end = days.iter().map(|d| &d.1).max()?.clone();
    Some((begin, end))
}

fn service_record(catalog: &Catalog, service: Service, datasets: &[&Record]) -> Record {
    let m = &catalog.metadata;
    let Identity { namespace, code, uuid } = service_identity(catalog, service);
    // The catalogue covers every dataset, whether or not it "operates on" them.
    let extent = datasets
        .iter()
        .map(|d| d.extent)
        .reduce(|a, b| a.union(&b))
        .or_else(|| catalog.geographic_extent())
        .unwrap_or(BBox::new(-180.0, -90.0, 180.0, 90.0));
    let mut crs: Vec<Crs> = Vec::new();
    for c in datasets.iter().flat_map(|d| d.crs.iter()) {
        if !crs.contains(c) {
            crs.push(*c);
        }
    }
    // The service-type keyword INSPIRE asks for, once: the configured list may have one.
    let mut keywords: Vec<String> = m
        .keywords
        .iter()
        .filter(|k| !k.starts_with("info") || !k.ends_with("Service"))
        .cloned()
        .collect();
    keywords.push(
        match service.inspire_type() {
            "view" => "infoMapAccessService",
            "discovery" => "infoCatalogueService",
            _ => "infoFeatureAccessService",
        }
        .into(),
    );
    Record {
        uuid,
        code,
        namespace,
        scope: Scope::Service(service),
        layer: None,
        title: service.title(&m.title),
        abstract_: m.abstract_.clone(),
        keywords,
        theme: None,
        topic: "imageryBaseMapsEarthCover",
        licence: m.access_constraints.clone(),
        licence_url: m.licence_url.clone(),
        restricted: false,
        lineage: None,
        attribution: None,
        extent,
        crs,
        extents: Vec::new(),
        editions: Vec::new(),
        temporal: None,
        modified: catalog
            .layers
            .iter()
            .filter(|l| datasets.is_empty() || datasets.iter().any(|d| d.layer.as_deref() == Some(l.name())))
            .map(|l| l.modified)
            .max()
            .unwrap_or(SystemTime::UNIX_EPOCH),
        derived: Derived::default(),
        operates_on: datasets
            .iter()
            .map(|d| (d.uuid.clone(), d.identifier(), d.layer.clone().unwrap_or_default()))
            .collect(),
        served_by: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_distinct() {
        let a = stable_uuid("https://example.org/ocsol");
        assert_eq!(a, stable_uuid("https://example.org/ocsol"));
        assert_ne!(a, stable_uuid("https://example.org/erp"));
        // RFC 9562 version 5 in the URL namespace: what Python's uuid5 gives.
        assert_eq!(a, "8212fba2-6ce6-5178-9279-9df755728542");
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "5");
    }

    #[test]
    fn editions_give_a_temporal_extent() {
        let e = |v: &[&str]| temporal_extent(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(e(&["2019", "2022"]), Some(("2019-01-01".into(), "2022-12-31".into())));
        assert_eq!(e(&["2021-06-01"]), Some(("2021-06-01".into(), "2021-06-01".into())));
        assert_eq!(e(&["v1"]), None);
        assert_eq!(e(&[]), None);
    }
}
