//! OGC API – Records Part 1: the catalogue as the `catalog` collection,
//! searchable (`q`, `bbox`, `type`, `ids`, `externalIds`, and the search
//! page's keyword, licence and access filters), each record in JSON,
//! HTML, ISO 19139 (`f=xml`) and as a QGIS layer definition (`f=qlr`).
//! The HTML rendering of the search is the "trouver la donnée" page.

mod html;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::{Value, json};

use super::{Format, Problem, check_params, json_response, link, negotiate};
use crate::catalogue::{Urls, iso19139, json as record_json, qlr};
use crate::http::{get, read_only};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::grid::BBox;
use tuile_core::records::search::{Constraint, Queryable, select};
use tuile_core::records::{self, Record};
use tuile_core::style::CmpOp;

/// The catalogue's collection id (a layer may not take it).
pub const ID: &str = "catalog";
const GEOJSON: &str = "application/geo+json";
const DEFAULT_LIMIT: usize = 10;
const MAX_LIMIT: usize = 100;

pub const CONFORMANCE: &[&str] = &[
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-collection",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-api",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/json",
    "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/html",
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    let p = &super::PROTOCOL;
    cfg.service(read_only("/collections/catalog", p).route(get().to(collection)))
        .service(read_only("/collections/catalog/items", p).route(get().to(items)))
        .service(read_only("/collections/catalog/items/{id}", p).route(get().to(item)))
        .service(read_only("/collections/catalog/queryables", p).route(get().to(queryables)))
        .service(read_only("/dcat", p).route(get().to(dcat)));
}

/// The catalogue's paths in the OpenAPI document.
pub fn openapi_paths(responses: impl Fn(Value) -> Value) -> Value {
    let q = |name: &str, description: &str, schema: Value| json!({"name": name, "in": "query", "required": false, "style": "form", "explode": false, "description": description, "schema": schema});
    let f = |formats: &[&str]| q("f", "The format.", json!({"type": "string", "enum": formats}));
    let record = json!({"type": "object", "required": ["id", "type", "properties"], "properties": {
        "id": {"type": "string"}, "type": {"type": "string", "enum": ["Feature"]},
        "properties": {"type": "object", "required": ["type", "title"], "properties": {
            "type": {"type": "string", "enum": ["dataset", "series", "service"]}, "title": {"type": "string"}}},
        "links": {"type": "array", "items": {"type": "object", "required": ["href"]}}}});
    let items = json!({"type": "object", "required": ["type", "features", "numberMatched", "numberReturned"], "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]}, "features": {"type": "array", "items": record},
        "numberMatched": {"type": "integer", "minimum": 0}, "numberReturned": {"type": "integer", "minimum": 0}}});
    let ok = |mime: &str, schema: Value, description: &str| {
        json!({"description": description, "content": {
        mime: {"schema": schema}, "text/html": {"schema": {"type": "string"}}}})
    };
    json!({
        "/collections/catalog": {"get": {"summary": "The catalogue (OGC API - Records)", "operationId": "getCatalog",
            "parameters": [f(&["json", "html"])], "responses": responses(ok("application/json", json!({"type": "object", "required": ["id", "links"], "properties": {
                "id": {"type": "string"}, "links": {"type": "array", "items": {"type": "object", "required": ["href"]}}}}), "The catalogue"))}},
        "/collections/catalog/items": {"get": {"summary": "Search the records", "operationId": "getRecords",
            "parameters": [
                q("q", "Words that must all be in the record (accents and case do not matter).", json!({"type": "string"})),
                q("bbox", "Records whose extent meets this box: minLon,minLat,maxLon,maxLat (or six numbers, with heights).", json!({"type": "array", "minItems": 4, "maxItems": 6, "items": {"type": "number"}})),
                q("type", "The kind of record.", json!({"type": "string", "enum": ["dataset", "series", "service"]})),
                q("ids", "Record identifiers.", json!({"type": "array", "items": {"type": "string"}})),
                q("externalIds", "Resource identifiers (codes).", json!({"type": "array", "items": {"type": "string"}})),
                q("keyword", "A keyword the record carries.", json!({"type": "string"})),
                q("license", "The licence.", json!({"type": "string"})),
                q("access", "Open or restricted data.", json!({"type": "string", "enum": ["open", "restricted"]})),
                q("limit", "Records per page.", json!({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT})),
                q("offset", "Records to skip.", json!({"type": "integer", "minimum": 0})),
                q("filter", "A CQL2 text filter on the queryables (`title LIKE '%sol%' AND type = 'series'`).", json!({"type": "string"})),
                q("filter-lang", "The language of filter.", json!({"type": "string", "enum": ["cql2-text"]})),
                f(&["json", "html"]),
            ],
            "responses": responses(ok("application/geo+json", items, "A page of records"))}},
        "/collections/catalog/items/{recordId}": {"get": {"summary": "A record", "operationId": "getRecord",
            "parameters": [
                {"name": "recordId", "in": "path", "required": true, "schema": {"type": "string"}},
                f(&["json", "html", "xml", "qlr"]),
            ],
            "responses": responses(json!({"description": "The record", "content": {
                "application/geo+json": {"schema": record}, "text/html": {"schema": {"type": "string"}},
                "application/vnd.iso.19139+xml": {"schema": {"type": "string"}},
                "application/x-qgis-layer-definition": {"schema": {"type": "string"}}}}))}},
        "/collections/catalog/queryables": {"get": {"summary": "The records' queryables", "operationId": "getRecordQueryables",
            "parameters": [f(&["json"])],
            "responses": responses(json!({"description": "A JSON Schema", "content": {"application/schema+json": {"schema": {"type": "object"}}}}))}},
        "/dcat": {"get": {"summary": "The catalogue in DCAT-AP", "operationId": "getDcat",
            "parameters": [f(&["jsonld", "ttl"]), q("page", "The page (Hydra), from 1.", json!({"type": "integer", "minimum": 1}))],
            "responses": responses(json!({"description": "The DCAT-AP catalogue", "content": {
                "application/ld+json": {"schema": {"type": "object", "required": ["@context", "@graph"], "properties": {
                    "@context": {"type": "object"}, "@graph": {"type": "array"}}}},
                "text/turtle": {"schema": {"type": "string"}}}}))}},
    })
}

/// The catalogue as a collection, as `/collections` lists it.
pub fn collection_json(catalog: &Catalog, b: &str) -> Value {
    let m = &catalog.metadata;
    // What the records cover: the services' extents are their datasets'.
    let extent = catalog.geographic_extent();
    let mut doc = json!({
        "id": ID,
        "title": format!("Catalogue – {}", m.title.fr),
        "description": "Les fiches de métadonnées des données et des services : recherche plein texte, par emprise, par type.",
        "itemType": "record",
        "type": "Catalog",
        "keywords": ["catalogue", "métadonnées", "CSW", "DCAT"],
        "links": [
            link(&format!("{b}/collections/{ID}"), "self", "application/json", "Le catalogue"),
            link(&format!("{b}/collections/{ID}?f=html"), "alternate", "text/html", "Le catalogue (HTML)"),
            link(&format!("{b}/collections/{ID}/items"), "items", GEOJSON, "Les fiches"),
            link(&format!("{b}/collections/{ID}/items?f=html"), "items", "text/html", "Rechercher (HTML)"),
            link(&format!("{b}/csw?SERVICE=CSW&REQUEST=GetCapabilities"), "service", "application/xml", "CSW 2.0.2"),
            link(&format!("{b}/dcat"), "alternate", "application/ld+json", "DCAT-AP (JSON-LD)"),
            link(&format!("{b}/dcat?f=ttl"), "alternate", "text/turtle", "DCAT-AP (Turtle)"),
        ],
    });
    if let Some(e) = extent {
        doc["extent"] = json!({"spatial": {"bbox": [[e.minx, e.miny, e.maxx, e.maxy]], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}});
    }
    doc
}

async fn collection(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    super::resource(&req, &state, |format, catalog, b| match format {
        Format::Json => json_response(&collection_json(catalog, b), "application/json", catalog),
        Format::Html => see_other(&format!("{b}/collections/{ID}/items?f=html")),
    })
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther().insert_header((header::LOCATION, to)).finish()
}

/// A search, as the items parameters say it.
pub struct Search {
    pub q: String,
    pub bbox: Option<BBox>,
    pub kind: String,
    pub keyword: String,
    pub licence: String,
    pub access: String,
    pub limit: usize,
    pub offset: usize,
    ids: Vec<String>,
    /// A CQL2 text filter on the queryables.
    filter: Option<(String, Constraint)>,
}

const PARAMS: &[&str] = &[
    "f",
    "q",
    "bbox",
    "type",
    "ids",
    "externalids",
    "keyword",
    "license",
    "access",
    "limit",
    "offset",
    "pick.x",
    "pick.y",
    "filter",
    "filter-lang",
];

impl Search {
    fn read(kvp: &Kvp, map: &html::PickMap) -> Result<Search, Problem> {
        let number = |name: &str, default: usize| -> Result<usize, Problem> {
            match kvp.get_nonempty(name) {
                None => Ok(default),
                Some(v) => v
                    .parse::<usize>()
                    .map_err(|_| Problem::bad_request(format!("{name}={v}: a non-negative integer"))),
            }
        };
        // Past the maximum is not an error: the maximum is used (as for features).
        let limit = number("limit", DEFAULT_LIMIT)?.min(MAX_LIMIT);
        if limit == 0 {
            return Err(Problem::bad_request("limit: at least 1"));
        }
        let mut bbox = match kvp.get_nonempty("bbox") {
            None => None,
            Some(b) => {
                let v: Vec<f64> = b
                    .split(',')
                    .map(|s| s.trim().parse::<f64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| Problem::bad_request(format!("bbox={b}: four numbers")))?;
                // Four numbers, or six with heights (which records do not have).
                let corners = match v[..] {
                    [a, c, d, e] | [a, c, _, d, e, _] => Some((a, c, d, e)),
                    _ => None,
                };
                match corners {
                    Some((a, c, d, e)) if a <= d && c <= e && v.iter().all(|x| x.is_finite()) => {
                        Some(BBox::new(a, c, d, e))
                    }
                    _ => return Err(Problem::bad_request(format!("bbox={b}: minLon,minLat,maxLon,maxLat"))),
                }
            }
        };
        // A click on the search page's map: a box around that point.
        if let (Some(x), Some(y)) = (kvp.get_nonempty("pick.x"), kvp.get_nonempty("pick.y")) {
            let (x, y) = (x.parse::<f64>(), y.parse::<f64>());
            if let (Ok(x), Ok(y)) = (x, y) {
                bbox = Some(map.box_at(x, y));
            }
        }
        let list = |name: &str| -> Vec<String> {
            kvp.get_nonempty(name)
                .map(|v| {
                    v.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut ids = list("ids");
        ids.extend(list("externalids"));
        let kind = kvp.get("type").unwrap_or("").trim().to_string();
        if !kind.is_empty() && !matches!(kind.as_str(), "dataset" | "series" | "service") {
            return Err(Problem::bad_request(format!("type={kind}: dataset, series or service")));
        }
        let access = kvp.get("access").unwrap_or("").trim().to_string();
        if !access.is_empty() && !matches!(access.as_str(), "open" | "restricted") {
            return Err(Problem::bad_request(format!("access={access}: open or restricted")));
        }
        match kvp.get("filter-lang") {
            None | Some("cql2-text") => {}
            Some(other) => return Err(Problem::bad_request(format!("filter-lang={other}: only cql2-text"))),
        }
        let filter = match kvp.get_nonempty("filter") {
            None => None,
            Some(text) => Some((
                text.to_string(),
                tuile_core::records::search::from_cql_text(text)
                    .map_err(|e| Problem::bad_request(format!("filter: {e}")))?,
            )),
        };
        Ok(Search {
            filter,
            q: kvp.get("q").unwrap_or("").trim().to_string(),
            bbox,
            kind,
            keyword: kvp.get("keyword").unwrap_or("").trim().to_string(),
            licence: kvp.get("license").unwrap_or("").trim().to_string(),
            access,
            limit,
            offset: number("offset", 0)?,
            ids,
        })
    }

    fn constraint(&self) -> Constraint {
        let eq = |queryable, value: &str| Constraint::Compare {
            op: CmpOp::Eq,
            queryable,
            value: value.to_string(),
            match_case: false,
        };
        let mut all = vec![Constraint::words(&self.q)];
        if let Some(b) = self.bbox {
            all.push(Constraint::Intersects(b));
        }
        if !self.kind.is_empty() {
            all.push(eq(Queryable::Type, &self.kind));
        }
        if !self.keyword.is_empty() {
            all.push(eq(Queryable::Subject, &self.keyword));
        }
        if !self.licence.is_empty() {
            all.push(eq(Queryable::Rights, &self.licence));
        }
        if !self.ids.is_empty() {
            all.push(Constraint::Any(
                self.ids.iter().map(|i| eq(Queryable::Identifier, i)).collect(),
            ));
        }
        if let Some((_, c)) = &self.filter {
            all.push(c.clone());
        }
        Constraint::All(all)
    }

    fn matches_access(&self, r: &Record) -> bool {
        match self.access.as_str() {
            "open" => !r.restricted,
            "restricted" => r.restricted,
            _ => true,
        }
    }

    /// The query string of this search at another offset (for paging links).
    pub(super) fn query(&self, offset: usize, format: &str) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("f", format);
        for (k, v) in [
            ("q", self.q.as_str()),
            ("type", &self.kind),
            ("keyword", &self.keyword),
            ("license", &self.licence),
            ("access", &self.access),
        ] {
            if !v.is_empty() {
                q.append_pair(k, v);
            }
        }
        if let Some(b) = self.bbox {
            q.append_pair("bbox", &format!("{},{},{},{}", b.minx, b.miny, b.maxx, b.maxy));
        }
        if !self.ids.is_empty() {
            q.append_pair("ids", &self.ids.join(","));
        }
        if let Some((text, _)) = &self.filter {
            q.append_pair("filter", text);
        }
        q.append_pair("limit", &self.limit.to_string());
        q.append_pair("offset", &offset.to_string());
        q.finish()
    }
}

async fn items(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let result = (|| {
        check_params(&kvp, PARAMS, |_| false)?;
        let format = negotiate(&req, &kvp)?;
        let catalog = state.catalog_for(&req);
        let urls = Urls::of(&req, &state, &catalog);
        let all = records::records(&catalog);
        let map = html::PickMap::around(&all);
        let search = Search::read(&kvp, &map)?;
        // By title, as people read a list (the identifier breaks ties, so pages never overlap).
        let by_title = [tuile_core::records::search::SortBy {
            queryable: Queryable::Title,
            descending: false,
        }];
        let hits: Vec<&Record> = select(&all, &search.constraint(), &by_title)
            .into_iter()
            .filter(|r| search.matches_access(r))
            .collect();
        let matched = hits.len();
        let page: Vec<&Record> = hits.into_iter().skip(search.offset).take(search.limit).collect();
        Ok(match format {
            Format::Json => {
                let b = &urls.base;
                let mut links = vec![
                    link(
                        &format!("{b}/collections/{ID}/items?{}", search.query(search.offset, "json")),
                        "self",
                        GEOJSON,
                        "Cette page",
                    ),
                    link(
                        &format!("{b}/collections/{ID}/items?{}", search.query(search.offset, "html")),
                        "alternate",
                        "text/html",
                        "Cette page (HTML)",
                    ),
                    link(
                        &format!("{b}/collections/{ID}"),
                        "collection",
                        "application/json",
                        "Le catalogue",
                    ),
                ];
                if search.offset + page.len() < matched {
                    links.push(link(
                        &format!(
                            "{b}/collections/{ID}/items?{}",
                            search.query(search.offset + search.limit, "json")
                        ),
                        "next",
                        GEOJSON,
                        "Page suivante",
                    ));
                }
                if search.offset > 0 {
                    links.push(link(
                        &format!(
                            "{b}/collections/{ID}/items?{}",
                            search.query(search.offset.saturating_sub(search.limit), "json")
                        ),
                        "prev",
                        GEOJSON,
                        "Page précédente",
                    ));
                }
                let doc = json!({
                    "type": "FeatureCollection",
                    "features": page.iter().map(|r| record_json::record(r, &urls)).collect::<Vec<_>>(),
                    "numberMatched": matched,
                    "numberReturned": page.len(),
                    "timeStamp": records::iso_datetime(std::time::SystemTime::now()),
                    "links": links,
                });
                let mut resp = json_response(&doc, GEOJSON, &catalog);
                let items = format!("{b}/collections/{ID}/items");
                let link = format!(
                    "<{items}>; rel=\"self\"; type=\"{GEOJSON}\", <{items}?f=html>; rel=\"alternate\"; type=\"text/html\", <{b}/collections/{ID}/queryables>; rel={}; type=\"application/schema+json\"",
                    super::QUERYABLES_REL
                );
                if let Ok(v) = header::HeaderValue::from_str(&link) {
                    resp.headers_mut().insert(header::LINK, v);
                }
                resp
            }
            Format::Html => super::html_response(html::search_page(&urls, &all, &map, &search, &page, matched)),
        })
    })();
    result.unwrap_or_else(|e: Problem| e.response())
}

/// The records' queryables, as a JSON Schema (for `filter`).
async fn queryables(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let result = (|| {
        check_params(&kvp, &["f"], |_| false)?;
        if let Some(f) = kvp
            .get("f")
            .filter(|f| !matches!(*f, "json" | "application/schema+json"))
        {
            return Err(Problem::bad_request(format!("f={f}: the queryables are JSON (f=json)")));
        }
        let catalog = state.catalog_for(&req);
        let b = state.base_url(&req, &catalog);
        let text = |d: &str| json!({"type": "string", "description": d});
        let doc = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": format!("{b}/collections/{ID}/queryables"),
            "type": "object",
            "title": "Catalogue",
            "properties": {
                "id": text("The record's identifier (a UUID), or the resource's identifier."),
                "type": {"type": "string", "enum": ["dataset", "series", "service"]},
                "title": text("The title, in French or English."),
                "description": text("The abstract, in French or English."),
                "keywords": text("A keyword, topic category or INSPIRE theme."),
                "updated": {"type": "string", "format": "date-time", "description": "When the data last changed."},
                "license": text("The licence."),
                "q": text("Any text of the record."),
            },
            "additionalProperties": false,
        });
        Ok(HttpResponse::Ok()
            .content_type("application/schema+json")
            .body(doc.to_string()))
    })();
    result.unwrap_or_else(|e: Problem| e.response())
}

/// One record: JSON (default), HTML, ISO 19139 (`f=xml`), QGIS (`f=qlr`).
async fn item(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let result = (|| {
        check_params(&kvp, &["f"], |_| false)?;
        let catalog = state.catalog_for(&req);
        let urls = Urls::of(&req, &state, &catalog);
        let all = records::records(&catalog);
        let record = all
            .iter()
            .find(|r| r.uuid == *id)
            .ok_or_else(|| Problem::not_found(format!("no record `{id}` in this catalogue")))?;
        // Without `f`, a harvester asking for XML (as GeoNetwork follows a
        // MetadataURL) gets the ISO record; browsers and JSON clients as usual.
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .unwrap_or("");
        let wants_xml = accept.contains("application/vnd.iso.19139+xml")
            || (accept.contains("xml") && !accept.contains("html") && !accept.contains("json"));
        let f = kvp
            .get("f")
            .map(|f| f.to_ascii_lowercase())
            .or_else(|| wants_xml.then(|| "xml".to_string()));
        let (mime, body): (&str, Vec<u8>) = match f.as_deref() {
            Some("xml" | "iso" | "iso19139" | "application/xml" | "application/vnd.iso.19139+xml") => (
                "application/vnd.iso.19139+xml",
                iso19139::document(record, &catalog, &urls),
            ),
            Some("qlr") => match qlr::document(record, &urls) {
                Some(doc) => {
                    let name = record.layer.as_deref().unwrap_or("layer");
                    return Ok(HttpResponse::Ok()
                        .content_type("application/x-qgis-layer-definition")
                        .insert_header((
                            header::CONTENT_DISPOSITION,
                            format!("attachment; filename=\"{name}.qlr\""),
                        ))
                        .body(doc));
                }
                None => {
                    return Err(Problem::not_found(
                        "a service has no QGIS layer definition; its datasets do",
                    ));
                }
            },
            _ => match negotiate(&req, &kvp)? {
                Format::Json => return Ok(json_response(&record_json::record(record, &urls), GEOJSON, &catalog)),
                Format::Html => (
                    "text/html; charset=utf-8",
                    html::record_page(&urls, record, &all).into_bytes(),
                ),
            },
        };
        Ok(HttpResponse::Ok().content_type(mime).body(body))
    })();
    result.unwrap_or_else(|e: Problem| e.response())
}

/// `/dcat`: the catalogue in DCAT-AP, JSON-LD (default) or Turtle (`f=ttl`).
async fn dcat(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let result = (|| {
        check_params(&kvp, &["f", "page"], |_| false)?;
        let page = match kvp.get_nonempty("page") {
            None => 1,
            Some(p) => p
                .parse::<usize>()
                .ok()
                .filter(|p| *p >= 1)
                .ok_or_else(|| Problem::bad_request(format!("page={p}: a page number from 1")))?,
        };
        let turtle = match kvp.get("f").map(|f| f.to_ascii_lowercase()).as_deref() {
            Some("ttl" | "turtle" | "text/turtle") => true,
            Some("jsonld" | "json-ld" | "json" | "application/ld+json") => false,
            Some(other) => return Err(Problem::bad_request(format!("f={other}: use jsonld or ttl"))),
            None => req
                .headers()
                .get(header::ACCEPT)
                .and_then(|a| a.to_str().ok())
                .is_some_and(|a| a.contains("text/turtle")),
        };
        let catalog = state.catalog_for(&req);
        let urls = Urls::of(&req, &state, &catalog);
        let all = records::records(&catalog);
        Ok(if turtle {
            HttpResponse::Ok()
                .content_type("text/turtle; charset=utf-8")
                .body(crate::catalogue::dcat::turtle(&all, &urls, page))
        } else {
            HttpResponse::Ok()
                .content_type("application/ld+json")
                .body(crate::catalogue::dcat::json_ld(&all, &urls, page).to_string())
        })
    })();
    result.unwrap_or_else(|e: Problem| e.response())
}
