//! OGC API – Features (Parts 1, 2 and 3) on the small demo data: the
//! landing page and every link it leads to, paging followed to the end,
//! bbox and datetime, output CRSs checked against the Lambert-93
//! coordinates the addresses carry, CQL2 text and JSON, and the problem
//! documents bad requests get.

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

fn json(r: &Reply) -> Value {
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}), {}: {}", r.content_type, r.text()))
}

fn manifest() -> Value {
    serde_json::from_slice(&std::fs::read(data_dir().join("MANIFEST.json")).unwrap()).unwrap()
}

/// The path and query of a link, so the in-process app can follow it.
fn local(href: &str) -> &str {
    let rest = href.split_once("://").map(|(_, r)| r).unwrap_or(href);
    &rest[rest.find('/').unwrap_or(rest.len())..]
}

fn link<'a>(doc: &'a Value, rel: &str, ty: &str) -> Option<&'a str> {
    doc["links"]
        .as_array()?
        .iter()
        .find(|l| l["rel"] == rel && l["type"] == ty)
        .and_then(|l| l["href"].as_str())
}

fn features(doc: &Value) -> &Vec<Value> {
    doc["features"].as_array().expect("a features array")
}

fn ids(doc: &Value) -> Vec<String> {
    features(doc)
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

/// Asserts a 4xx problem document and returns its detail.
fn problem(r: &Reply, status: u16) -> String {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.content_type, "application/problem+json");
    let p = json(r);
    assert_eq!(p["status"], status);
    p["detail"].as_str().unwrap().to_string()
}

/// Every feature of a collection matching `query`, following next links.
async fn all_items<S>(app: &S, collection: &str, query: &str) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let mut uri = format!("/collections/{collection}/items?limit=10000&{query}");
    let mut all = Vec::new();
    loop {
        let r = get(app, &uri).await;
        assert_eq!(r.status, 200, "{query}: {}", r.text());
        let doc = json(&r);
        all.extend(features(&doc).iter().cloned());
        match link(&doc, "next", "application/geo+json") {
            Some(next) => uri = local(next).to_string(),
            None => break,
        }
    }
    serde_json::json!({ "numberReturned": all.len(), "features": all })
}

// ------------------------------------------------------------------ resources

#[actix_web::test]
async fn landing_page_links_all_resolve_with_their_media_type() {
    let app = app(state()).await;
    let r = get(&app, "/").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/json");
    let doc = json(&r);
    for rel in ["self", "service-desc", "service-doc", "conformance", "data"] {
        assert!(
            doc["links"].as_array().unwrap().iter().any(|l| l["rel"] == rel),
            "no {rel} link"
        );
    }
    for l in doc["links"].as_array().unwrap() {
        let href = l["href"].as_str().unwrap();
        let ty = l["type"].as_str().unwrap();
        let r = get(&app, local(href)).await;
        assert_eq!(r.status, 200, "{href}");
        assert!(
            r.content_type.starts_with(ty) || (ty == "text/xml" && r.content_type.contains("xml")),
            "{href}: {} for {ty}",
            r.content_type
        );
    }
}

#[actix_web::test]
async fn conformance_declares_parts_1_2_and_3() {
    let app = app(state()).await;
    let doc = json(&get(&app, "/conformance").await);
    let classes: BTreeSet<&str> = doc["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    for c in [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
        "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    ] {
        assert!(classes.contains(c), "missing {c}");
    }
}

#[actix_web::test]
async fn collections_are_the_vector_layers_with_extents_and_crs() {
    let app = app(state()).await;
    let doc = json(&get(&app, "/collections").await);
    let all = doc["collections"].as_array().unwrap();
    let names: Vec<&str> = all.iter().map(|c| c["id"].as_str().unwrap()).collect();
    // The feature collections, then the catalogue's records (OGC API - Records).
    assert_eq!(names, ["ocsol", "erp", "adresses", "catalog"]);
    assert_eq!(all[3]["itemType"], "record");
    let cols: Vec<&Value> = all.iter().filter(|c| c["itemType"] == "feature").collect();
    assert_eq!(cols.len(), 3);
    for c in cols.iter().copied() {
        let id = c["id"].as_str().unwrap();
        let bbox = &c["extent"]["spatial"]["bbox"][0];
        let b: Vec<f64> = bbox.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        // Montpellier, in CRS84 (lon, lat).
        assert!(b[0] > 3.8 && b[2] < 3.95 && b[1] > 43.55 && b[3] < 43.65, "{id}: {b:?}");
        let crs: Vec<&str> = c["crs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(crs[0], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
        assert!(crs.contains(&"http://www.opengis.net/def/crs/EPSG/0/2154"));
        assert!(crs.contains(&"http://www.opengis.net/def/crs/EPSG/0/3857"));
        assert_eq!(c["storageCrs"], "http://www.opengis.net/def/crs/EPSG/0/2154");
        // The collection document itself matches its entry in the list.
        let one = json(&get(&app, &format!("/collections/{id}")).await);
        assert_eq!(one["extent"], c["extent"]);
        let items = link(&one, "items", "application/geo+json").unwrap();
        assert_eq!(get(&app, local(items)).await.status, 200);
    }
    let ocsol = cols[0];
    assert_eq!(
        ocsol["extent"]["temporal"]["interval"][0][0], "2019-01-01T00:00:00Z",
        "the first OCS GE edition"
    );
}

#[actix_web::test]
async fn queryables_are_a_json_schema_of_the_columns() {
    let app = app(state()).await;
    let r = get(&app, "/collections/erp/queryables").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/schema+json");
    let doc = json(&r);
    assert_eq!(doc["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(doc["properties"]["categorie_erp"]["type"], "integer");
    assert_eq!(doc["properties"]["type_erp"]["type"], "string");
    assert_eq!(doc["properties"]["geometry"]["x-ogc-role"], "primary-geometry");
    // Every queryable is a property of the features.
    let page = json(&get(&app, "/collections/erp/items?limit=1").await);
    let f = &features(&page)[0];
    for name in doc["properties"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| *k != "geometry")
    {
        assert!(f["properties"].get(name).is_some(), "{name} is not in the features");
    }
}

#[actix_web::test]
async fn openapi_document_is_self_contained_and_describes_every_collection() {
    let app = app(state()).await;
    let r = get(&app, "/api").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/vnd.oai.openapi+json;version=3.0");
    let doc = json(&r);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.0"));
    let items = &doc["paths"]["/collections/{collectionId}/items"]["get"];
    let collection_id = items["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "collectionId")
        .expect("a collectionId parameter");
    assert_eq!(
        collection_id["schema"]["enum"],
        serde_json::json!(["ocsol", "erp", "adresses"])
    );
    // Every $ref points inside the document.
    fn refs(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    out.push(r.clone());
                }
                m.values().for_each(|v| refs(v, out));
            }
            Value::Array(a) => a.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }
    let mut all = Vec::new();
    refs(&doc, &mut all);
    assert!(!all.is_empty());
    for r in all {
        let pointer = r.strip_prefix('#').unwrap_or_else(|| panic!("external $ref {r}"));
        assert!(doc.pointer(pointer).is_some(), "dangling $ref {r}");
    }
    let html = get(&app, "/api?f=html").await;
    assert!(html.content_type.starts_with("text/html"));
}

#[actix_web::test]
async fn html_is_negotiated_by_f_and_by_accept() {
    let app = app(state()).await;
    for (uri, headers) in [
        ("/collections/erp/items?f=html&limit=5", vec![]),
        (
            "/collections/erp/items?limit=5",
            vec![("Accept", "text/html,application/xhtml+xml")],
        ),
    ] {
        let r = get_with(&app, uri, &headers).await;
        assert_eq!(r.status, 200);
        assert!(r.content_type.starts_with("text/html"), "{uri}: {}", r.content_type);
        assert!(r.text().contains("<table"), "{uri}");
    }
    let r = get(&app, "/collections/erp/items?f=xml").await;
    problem(&r, 400);
}

// ---------------------------------------------------------------------- items

#[actix_web::test]
async fn items_default_page_counts_and_coordinates() {
    let app = app(state()).await;
    let m = manifest();
    let r = get(&app, "/collections/adresses/items").await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "application/geo+json");
    assert!(r.headers.get("content-crs").is_some());
    let doc = json(&r);
    assert_eq!(doc["type"], "FeatureCollection");
    assert_eq!(doc["numberMatched"], m["adresses"]);
    assert_eq!(doc["numberReturned"], 100);
    assert_eq!(features(&doc).len(), 100);
    // CRS84: the longitude first, matching the lon/lat the BAN carries.
    for f in features(&doc) {
        let c = &f["geometry"]["coordinates"];
        let p = &f["properties"];
        assert!(
            (c[0].as_f64().unwrap() - p["lon"].as_f64().unwrap()).abs() < 1e-6,
            "{f}"
        );
        assert!(
            (c[1].as_f64().unwrap() - p["lat"].as_f64().unwrap()).abs() < 1e-6,
            "{f}"
        );
    }
}

#[actix_web::test]
async fn paging_by_next_links_visits_every_feature_once() {
    let app = app(state()).await;
    let expected: BTreeSet<String> = ids(&all_items(&app, "erp", "").await).into_iter().collect();
    assert_eq!(expected.len() as u64, manifest()["erp"].as_u64().unwrap());

    let mut seen = Vec::new();
    let mut uri = "/collections/erp/items?limit=37".to_string();
    let mut pages = 0;
    let mut second_page = None;
    loop {
        let doc = json(&get(&app, &uri).await);
        assert_eq!(doc["numberReturned"].as_u64().unwrap() as usize, features(&doc).len());
        seen.extend(ids(&doc));
        pages += 1;
        if pages == 2 {
            second_page = Some(doc.clone());
        }
        match link(&doc, "next", "application/geo+json") {
            Some(next) => uri = local(next).to_string(),
            None => break,
        }
    }
    assert_eq!(pages, 401usize.div_ceil(37));
    assert_eq!(seen.len(), expected.len(), "no feature twice");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), expected);

    // The previous link of page 2 is page 1.
    let prev = link(second_page.as_ref().unwrap(), "prev", "application/geo+json").unwrap();
    let first = json(&get(&app, "/collections/erp/items?limit=37").await);
    assert_eq!(ids(&json(&get(&app, local(prev)).await)), ids(&first));
}

#[actix_web::test]
async fn limit_is_clamped_to_the_advertised_maximum() {
    let app = app(state()).await;
    let doc = json(&get(&app, "/collections/adresses/items?limit=50000").await);
    assert_eq!(doc["numberReturned"], 10_000);
    assert!(link(&doc, "next", "application/geo+json").is_some());
    let api = json(&get(&app, "/api").await);
    let text = api.to_string();
    assert!(
        text.contains("\"maximum\":10000"),
        "the OpenAPI document advertises the maximum"
    );
}

#[actix_web::test]
async fn bbox_in_crs84_and_in_lambert93_select_the_same_features() {
    let app = app(state()).await;
    let basin = manifest()["basin"].clone();
    let b: Vec<f64> = basin.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    // A 1 km square around the basin, in Lambert-93.
    let l93 = [b[0] - 500.0, b[1] - 500.0, b[2] + 500.0, b[3] + 500.0];
    let q93 = format!(
        "bbox={},{},{},{}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2154",
        l93[0], l93[1], l93[2], l93[3]
    );
    let in93 = all_items(&app, "adresses", &q93).await;
    let n = features(&in93).len();
    assert!(n > 100 && n < 12_100, "{n} addresses in the square");
    for f in features(&in93) {
        let (x, y) = (
            f["properties"]["x"].as_f64().unwrap(),
            f["properties"]["y"].as_f64().unwrap(),
        );
        assert!(x >= l93[0] - 0.01 && x <= l93[2] + 0.01 && y >= l93[1] - 0.01 && y <= l93[3] + 0.01);
    }
    // The same square's CRS84 envelope holds at least those features.
    let env = tuile_core::grid::transform_bbox(
        &tuile_core::grid::BBox::new(l93[0], l93[1], l93[2], l93[3]),
        tuile_core::grid::Crs::lambert93(),
        tuile_core::grid::Crs::CRS84,
    )
    .unwrap();
    let q84 = format!("bbox={},{},{},{}", env.minx, env.miny, env.maxx, env.maxy);
    let doc84 = all_items(&app, "adresses", &q84).await;
    // Exactly inside the CRS84 box, not merely its Lambert-93 envelope.
    for f in features(&doc84) {
        let c = &f["geometry"]["coordinates"];
        let (lon, lat) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
        assert!(
            lon >= env.minx && lon <= env.maxx && lat >= env.miny && lat <= env.maxy,
            "{f}"
        );
    }
    let in84: BTreeSet<String> = ids(&doc84).into_iter().collect();
    assert!(ids(&in93).iter().all(|id| in84.contains(id)));
    assert!(in84.len() < n * 11 / 10, "the envelope is barely larger");
}

#[actix_web::test]
async fn bbox_across_the_antimeridian_and_outside_the_data_is_empty_not_an_error() {
    let app = app(state()).await;
    for q in [
        "bbox=170,-10,-170,10",
        "bbox=-10,-10,-5,-5",
        "bbox=170,-10,-170,10,0,100",
    ] {
        let doc = all_items(&app, "erp", q).await;
        assert_eq!(doc["numberReturned"], 0, "{q}");
    }
    // A box wrapping around the antimeridian from Montpellier's east covers it.
    let doc = all_items(&app, "erp", "bbox=3.0,43.0,-179,44.0").await;
    assert_eq!(doc["numberReturned"], manifest()["erp"]);
}

#[actix_web::test]
async fn output_crs_lambert93_web_mercator_and_epsg4326_axis_order() {
    let app = app(state()).await;
    let r = get(
        &app,
        "/collections/adresses/items?limit=20&crs=http://www.opengis.net/def/crs/EPSG/0/2154",
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.headers.get("content-crs").unwrap(),
        "<http://www.opengis.net/def/crs/EPSG/0/2154>"
    );
    for f in features(&json(&r)) {
        let c = &f["geometry"]["coordinates"];
        assert!(
            (c[0].as_f64().unwrap() - f["properties"]["x"].as_f64().unwrap()).abs() < 0.02,
            "{f}"
        );
        assert!(
            (c[1].as_f64().unwrap() - f["properties"]["y"].as_f64().unwrap()).abs() < 0.02,
            "{f}"
        );
    }
    // EPSG:4326 is latitude first.
    let r = get(
        &app,
        "/collections/adresses/items?limit=20&crs=http://www.opengis.net/def/crs/EPSG/0/4326",
    )
    .await;
    assert_eq!(
        r.headers.get("content-crs").unwrap(),
        "<http://www.opengis.net/def/crs/EPSG/0/4326>"
    );
    for f in features(&json(&r)) {
        let c = &f["geometry"]["coordinates"];
        assert!(
            (c[0].as_f64().unwrap() - f["properties"]["lat"].as_f64().unwrap()).abs() < 1e-6,
            "{f}"
        );
    }
    // Web Mercator: Montpellier is around x 430 km, y 5.40 Mm.
    let r = get(
        &app,
        "/collections/adresses/items?limit=5&crs=http://www.opengis.net/def/crs/EPSG/0/3857",
    )
    .await;
    for f in features(&json(&r)) {
        let c = &f["geometry"]["coordinates"];
        assert!((420e3..445e3).contains(&c[0].as_f64().unwrap()), "{f}");
        assert!((5.39e6..5.41e6).contains(&c[1].as_f64().unwrap()), "{f}");
    }
    // And a single item follows the same rules.
    let id = ids(&json(&r))[0].clone();
    let one = get(
        &app,
        &format!("/collections/adresses/items/{id}?crs=http://www.opengis.net/def/crs/EPSG/0/2154"),
    )
    .await;
    assert_eq!(one.status, 200);
    assert_eq!(
        one.headers.get("content-crs").unwrap(),
        "<http://www.opengis.net/def/crs/EPSG/0/2154>"
    );
    let f = json(&one);
    assert!((f["geometry"]["coordinates"][0].as_f64().unwrap() - f["properties"]["x"].as_f64().unwrap()).abs() < 0.02);
}

#[actix_web::test]
async fn datetime_selects_ocs_ge_editions() {
    let app = app(state()).await;
    let all = json(&get(&app, "/collections/ocsol/items?limit=1").await)["numberMatched"]
        .as_u64()
        .unwrap();
    let mut total = 0;
    let mut editions = Vec::new();
    for year in 2015..=2025 {
        let doc = all_items(&app, "ocsol", &format!("datetime={year}-06-01")).await;
        let n = features(&doc).len();
        assert!(
            features(&doc).iter().all(|f| f["properties"]["millesime"] == year),
            "{year}"
        );
        if n > 0 {
            editions.push(year);
        }
        total += n as u64;
    }
    assert_eq!(total, all, "every feature is in exactly one edition");
    assert!(editions.len() >= 2, "{editions:?}");
    // An interval open at the start covers the editions up to its end.
    let first = editions[0];
    let doc = all_items(&app, "ocsol", &format!("datetime=../{first}-12-31T00:00:00Z")).await;
    assert!(features(&doc).iter().all(|f| f["properties"]["millesime"] == first));
    assert!(!features(&doc).is_empty());
    // Outside every edition: nothing.
    assert_eq!(
        all_items(&app, "ocsol", "datetime=1990-01-01/1999-12-31").await["numberReturned"],
        0
    );
}

#[actix_web::test]
async fn single_item_by_id_and_unknown_id() {
    let app = app(state()).await;
    let page = json(&get(&app, "/collections/erp/items?limit=3").await);
    for f in features(&page) {
        let id = f["id"].as_str().unwrap();
        let r = get(&app, &format!("/collections/erp/items/{id}")).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type, "application/geo+json");
        let one = json(&r);
        assert_eq!(one["type"], "Feature");
        assert_eq!(one["properties"], f["properties"]);
        assert!(link(&one, "collection", "application/json").is_some());
        assert!(
            link(&one, "self", "application/geo+json")
                .unwrap()
                .ends_with(&format!("/items/{id}"))
        );
    }
    problem(&get(&app, "/collections/erp/items/ERP-NOPE").await, 404);
}

// -------------------------------------------------------------------- filters

#[actix_web::test]
async fn cql2_text_and_json_select_the_same_features() {
    let app = app(state()).await;
    let all = all_items(&app, "erp", "").await;
    let expected: Vec<String> = features(&all)
        .iter()
        .filter(|f| f["properties"]["type_erp"] == "R" && f["properties"]["categorie_erp"].as_i64().unwrap() <= 3)
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect();
    assert!(!expected.is_empty(), "the demo has category 1-3 schools");
    let text = "type_erp = 'R' AND categorie_erp <= 3";
    let by_text = ids(&all_items(&app, "erp", &format!("filter={}", urlencode(text))).await);
    let json_filter = r#"{"op":"and","args":[{"op":"=","args":[{"property":"type_erp"},"R"]},{"op":"<=","args":[{"property":"categorie_erp"},3]}]}"#;
    let by_json = ids(&all_items(
        &app,
        "erp",
        &format!("filter-lang=cql2-json&filter={}", urlencode(json_filter)),
    )
    .await);
    assert_eq!(by_text, expected);
    assert_eq!(by_json, expected);
    // The simple property filter agrees.
    let by_param = ids(&all_items(&app, "erp", "type_erp=R").await);
    assert!(expected.iter().all(|id| by_param.contains(id)));
    assert!(
        features(&all_items(&app, "erp", "type_erp=R").await)
            .iter()
            .all(|f| f["properties"]["type_erp"] == "R")
    );
}

#[actix_web::test]
async fn cql2_like_in_between_casei_and_null() {
    let app = app(state()).await;
    let all = all_items(&app, "adresses", "").await;
    let count = |pred: &dyn Fn(&Value) -> bool| features(&all).iter().filter(|f| pred(&f["properties"])).count();
    let cases: Vec<(&str, usize)> = vec![
        (
            "nom_voie LIKE 'Rue%'",
            count(&|p| p["nom_voie"].as_str().unwrap().starts_with("Rue")),
        ),
        (
            "numero BETWEEN 10 AND 20",
            count(&|p| (10..=20).contains(&p["numero"].as_i64().unwrap())),
        ),
        (
            "numero IN (1, 3, 5)",
            count(&|p| [1, 3, 5].contains(&p["numero"].as_i64().unwrap())),
        ),
        (
            "CASEI(nom_voie) LIKE CASEI('rue%')",
            count(&|p| p["nom_voie"].as_str().unwrap().to_lowercase().starts_with("rue")),
        ),
        (
            "rep <> '' AND NOT numero < 100",
            count(&|p| p["rep"] != "" && p["numero"].as_i64().unwrap() >= 100),
        ),
        ("rep IS NULL", 0),
        // Property against property.
        ("numero = numero", features(&all).len()),
        ("x < y", features(&all).len()),
        ("x > y", 0),
    ];
    for (filter, expected) in cases {
        let doc = all_items(&app, "adresses", &format!("filter={}", urlencode(filter))).await;
        assert_eq!(features(&doc).len(), expected, "{filter}");
    }
}

#[actix_web::test]
async fn cql2_spatial_filter_with_filter_crs_matches_bbox() {
    let app = app(state()).await;
    let b: Vec<f64> = manifest()["basin"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let (x0, y0, x1, y1) = (b[0] - 300.0, b[1] - 300.0, b[2] + 300.0, b[3] + 300.0);
    let bbox = all_items(
        &app,
        "adresses",
        &format!("bbox={x0},{y0},{x1},{y1}&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2154"),
    )
    .await;
    let filter = format!("S_INTERSECTS(geometry, POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0})))");
    let spatial = all_items(
        &app,
        "adresses",
        &format!(
            "filter={}&filter-crs=http://www.opengis.net/def/crs/EPSG/0/2154",
            urlencode(&filter)
        ),
    )
    .await;
    let a: BTreeSet<String> = ids(&bbox).into_iter().collect();
    let s: BTreeSet<String> = ids(&spatial).into_iter().collect();
    assert!(!a.is_empty());
    assert_eq!(a, s);
    // Polygons: every land-cover polygon S_WITHIN a square is inside it.
    let within = format!("S_WITHIN(geometry, POLYGON(({x0} {y0}, {x1} {y0}, {x1} {y1}, {x0} {y1}, {x0} {y0})))");
    let doc = all_items(
        &app,
        "ocsol",
        &format!("filter={}&filter-crs=http://www.opengis.net/def/crs/EPSG/0/2154&crs=http://www.opengis.net/def/crs/EPSG/0/2154", urlencode(&within)),
    )
    .await;
    for f in features(&doc) {
        for ring in f["geometry"]["coordinates"].as_array().unwrap().iter().flat_map(|p| {
            if f["geometry"]["type"] == "MultiPolygon" {
                p.as_array().unwrap().clone()
            } else {
                vec![p.clone()]
            }
        }) {
            for pt in ring.as_array().unwrap() {
                let (x, y) = (pt[0].as_f64().unwrap(), pt[1].as_f64().unwrap());
                assert!(
                    x >= x0 - 0.01 && x <= x1 + 0.01 && y >= y0 - 0.01 && y <= y1 + 0.01,
                    "{x},{y}"
                );
            }
        }
    }
}

// --------------------------------------------------------------------- errors

#[actix_web::test]
async fn bad_requests_get_problem_documents() {
    let app = app(state()).await;
    let cases: &[(&str, u16, &str)] = &[
        ("/collections/nope", 404, "nope"),
        ("/collections/nope/items", 404, "nope"),
        ("/collections/nope/queryables", 404, "nope"),
        ("/collections/erp/items?limit=abc", 400, "limit"),
        ("/collections/erp/items?limit=0", 400, "limit"),
        ("/collections/erp/items?offset=-1", 400, "offset"),
        ("/collections/erp/items?bbox=1,2,3", 400, "bbox"),
        ("/collections/erp/items?bbox=a,b,c,d", 400, "bbox"),
        ("/collections/erp/items?bbox=0,50,1,40", 400, "bbox"),
        (
            "/collections/erp/items?bbox=0,0,1,1&bbox-crs=EPSG:9999999",
            400,
            "bbox-crs",
        ),
        (
            "/collections/erp/items?crs=http://www.opengis.net/def/crs/EPSG/0/32631",
            400,
            "crs",
        ),
        ("/collections/ocsol/items?datetime=yesterday", 400, "datetime"),
        ("/collections/ocsol/items?datetime=2022/2019", 400, "datetime"),
        ("/collections/erp/items?filter=type_erp%20%3D", 400, "filter"),
        ("/collections/erp/items?filter=colour%20%3D%20'red'", 400, "colour"),
        ("/collections/erp/items?filter=x&filter-lang=sql", 400, "filter-lang"),
        ("/collections/erp/items?frobnicate=1", 400, "frobnicate"),
    ];
    for (uri, status, needle) in cases {
        let detail = problem(&get(&app, uri).await, *status);
        assert!(detail.contains(needle), "{uri}: {detail}");
    }
}

#[actix_web::test]
async fn an_oversized_filter_is_refused() {
    let app = app(state()).await;
    // 2,100 short values: over the 2,000-node default, under the query-length limit.
    let values: Vec<String> = (0..2100).map(|n| (n % 10).to_string()).collect();
    let filter = format!("numero IN ({})", values.join(","));
    let detail = problem(
        &get(
            &app,
            &format!("/collections/adresses/items?filter={}", urlencode(&filter)),
        )
        .await,
        400,
    );
    assert!(detail.contains("filter"), "{detail}");
}

fn urlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
}
