//! Records as OGC API – Records Part 1 GeoJSON records (`recordGeoJSON`):
//! the JSON rendering of the catalogue and of the search.

use serde_json::{Value, json};

use super::Urls;
use tuile_core::records::{Record, Scope};

pub const CONFORMS_TO: &str = "http://www.opengis.net/spec/ogcapi-records-1/1.0/req/record-core";

/// A record as a GeoJSON feature.
pub fn record(r: &Record, urls: &Urls) -> Value {
    let e = r.extent;
    let mut themes = Vec::new();
    if let Some(t) = r.theme {
        themes.push(json!({
            "concepts": [{"id": t.code, "title": t.fr, "url": t.uri()}],
            "scheme": "http://inspire.ec.europa.eu/theme",
        }));
    }
    themes.push(json!({
        "concepts": [{"id": r.topic}],
        "scheme": "https://standards.iso.org/iso/19139/resources/gmxCodelists.xml#MD_TopicCategoryCode",
    }));
    let mut links = vec![
        json!({"rel": "self", "type": "application/geo+json", "href": urls.json_record(&r.uuid), "title": "Cette fiche (JSON)"}),
        json!({"rel": "alternate", "type": "text/html", "href": urls.at(&format!("/collections/catalog/items/{}?f=html", r.uuid)), "title": "Cette fiche (HTML)"}),
        json!({"rel": "describedby", "type": "application/vnd.iso.19139+xml", "href": urls.iso_record(&r.uuid), "title": "Fiche ISO 19139"}),
        json!({"rel": "collection", "type": "application/json", "href": urls.at("/collections/catalog"), "title": "Le catalogue"}),
    ];
    if let Some(layer) = &r.layer {
        if r.served_by.contains(&tuile_core::records::Service::Features) {
            links.push(json!({"rel": "related", "type": "application/json", "href": urls.at(&format!("/collections/{layer}")), "title": "La collection"}));
        }
        links.push(json!({"rel": "enclosure", "type": "application/x-qgis-layer-definition", "href": urls.at(&format!("/collections/catalog/items/{}?f=qlr", r.uuid)), "title": "Ouvrir dans QGIS (.qlr)"}));
    }
    for l in urls.links(r) {
        links.push(json!({
            "rel": match l.function {
                super::Function::Download => "enclosure",
                super::Function::Browse => "preview",
                super::Function::Information => "service",
            },
            "type": l.media_type,
            "href": l.url,
            "title": l.description,
            "protocol": l.protocol,
            "name": l.name,
        }));
    }
    for (uuid, _, layer) in &r.operates_on {
        links.push(
            json!({"rel": "item", "type": "application/geo+json", "href": urls.json_record(uuid), "title": layer}),
        );
    }
    let mut properties = json!({
        "type": r.scope.code(),
        "title": r.title.fr,
        "description": r.abstract_.fr,
        "keywords": r.keywords,
        "themes": themes,
        "language": {"code": "fr", "name": "Français"},
        "languages": [{"code": "fr"}, {"code": "en"}],
        "updated": r.modified_iso(),
        "license": r.licence_url.clone().unwrap_or_else(|| "other".into()),
        "rights": r.licence,
        "externalIds": [{"scheme": r.namespace, "value": r.code}],
        "restricted": r.restricted,
        "contacts": [{
            "name": urls.catalog.metadata.contact.person,
            "organization": urls.catalog.metadata.contact.organization,
            "emails": [{"value": urls.catalog.metadata.contact.email}],
            "roles": ["pointOfContact"],
        }],
        "title_en": r.title.en,
        "description_en": r.abstract_.en,
    });
    let p = properties.as_object_mut().expect("an object");
    if let Scope::Service(s) = r.scope {
        p.insert("serviceType".into(), json!(s.inspire_type()));
        p.insert("protocol".into(), json!(s.protocol().0));
    } else {
        let d = &r.derived;
        p.insert("layer".into(), json!(r.layer));
        p.insert(
            "crs".into(),
            json!(r.crs.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
        );
        let extents: serde_json::Map<String, Value> = r
            .extents
            .iter()
            .map(|(c, b)| (c.to_string(), json!([b.minx, b.miny, b.maxx, b.maxy])))
            .collect();
        p.insert("extents".into(), Value::Object(extents));
        if let Some(n) = d.feature_count {
            p.insert("featureCount".into(), json!(n));
        }
        if let Some(g) = d.geometry_type {
            p.insert("geometryType".into(), json!(g));
        }
        if let Some(m) = d.resolution_m {
            p.insert("resolution".into(), json!({"value": m, "uom": "m"}));
        }
        if !d.attributes.is_empty() {
            p.insert(
                "attributes".into(),
                json!(
                    d.attributes
                        .iter()
                        .map(|a| json!({"name": a.name, "type": a.xsd_type}))
                        .collect::<Vec<_>>()
                ),
            );
        }
        if !r.editions.is_empty() {
            p.insert("editions".into(), json!(r.editions));
        }
    }
    json!({
        "id": r.uuid,
        "type": "Feature",
        "conformsTo": [CONFORMS_TO],
        "time": r.temporal.as_ref().map(|(b, e)| json!({"interval": [b, e]})),
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[e.minx, e.miny], [e.maxx, e.miny], [e.maxx, e.maxy], [e.minx, e.maxy], [e.minx, e.miny]]],
        },
        "properties": properties,
        "links": links,
    })
}
