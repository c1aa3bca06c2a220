//! Partner access and operations: the members-only `adresses_cadastre`
//! layer is invisible without a key in every service and answers exactly
//! like a layer that does not exist; the tile cache never hands it out;
//! keys in the URL are carried into links; CORS, health, readiness,
//! metrics and request ids.

mod common;

use common::*;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::grid::{BBox, Crs, transform_bbox};

const KEY: &str = "demo-membres";
const BEARER: (&str, &str) = ("Authorization", "Bearer demo-membres");
const RESTRICTED: &str = "adresses_cadastre";
const CENTRE: (f64, f64) = (770_250.0, 6_279_150.0);

fn tile_at(tms: &TileMatrixSet, z: usize, p: (f64, f64)) -> (u32, u32) {
    let b = transform_bbox(&BBox::new(p.0, p.1, p.0 + 0.01, p.1 + 0.01), Crs::lambert93(), tms.crs).unwrap();
    let r = tms.matrices[z].tile_range(&b).unwrap();
    (r.min_row, r.min_col)
}

/// Every way of asking for a layer, with `{L}` standing for its name.
fn uris_naming_a_layer() -> Vec<String> {
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 16, CENTRE);
    let b = format!(
        "{},{},{},{}",
        CENTRE.0 - 100.0,
        CENTRE.1 - 100.0,
        CENTRE.0 + 100.0,
        CENTRE.1 + 100.0
    );
    vec![
        format!(
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={{L}}&STYLES=&CRS=EPSG:2154&BBOX={b}&WIDTH=128&HEIGHT=128&FORMAT=image/png"
        ),
        format!(
            "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS={{L}}&STYLES=&SRS=EPSG:2154&BBOX={b}&WIDTH=128&HEIGHT=128&FORMAT=image/png"
        ),
        format!(
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={{L}}&QUERY_LAYERS={{L}}&STYLES=&CRS=EPSG:2154&BBOX={b}&WIDTH=128&HEIGHT=128&I=64&J=64&INFO_FORMAT=application/json&FORMAT=image/png"
        ),
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&LAYER={L}&FORMAT=image/png&SLD_VERSION=1.1.0".into(),
        format!(
            "/wmts?SERVICE=WMTS&VERSION=1.0.0&REQUEST=GetTile&LAYER={{L}}&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=16&TILEROW={row}&TILECOL={col}"
        ),
        format!(
            "/wmts?SERVICE=WMTS&VERSION=1.0.0&REQUEST=GetFeatureInfo&LAYER={{L}}&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=16&TILEROW={row}&TILECOL={col}&I=128&J=128&INFOFORMAT=application/json"
        ),
        format!("/wmts/1.0.0/{{L}}/default/WebMercatorQuad/16/{row}/{col}.png"),
        format!("/wmts/1.0.0/{{L}}/default/WebMercatorQuad/16/{row}/{col}/128/128.json"),
        "/collections/{L}".into(),
        "/collections/{L}/items?limit=5".into(),
        "/collections/{L}/queryables".into(),
        "/collections/{L}/items/34172_0001_00001".into(),
        "/collections/{L}/tiles".into(),
        "/collections/{L}/tiles/WebMercatorQuad?f=tilejson".into(),
        format!("/collections/{{L}}/tiles/WebMercatorQuad/16/{row}/{col}"),
        format!("/collections/{{L}}/map/tiles/WebMercatorQuad/16/{row}/{col}"),
        format!("/tiles/WebMercatorQuad/16/{row}/{col}?collections={{L}}"),
    ]
}

/// What distinguishes one answer from another, once the layer's name is blanked.
fn shape(r: &Reply, name: &str) -> (u16, String, String) {
    let body = if r.content_type.starts_with("image/") {
        String::new()
    } else {
        r.text().replace(name, "{L}")
    };
    // Answers carry the time they were made.
    let body: String = body.split("timeStamp").next().unwrap_or("").to_string();
    (r.status, r.content_type.clone(), body)
}

#[actix_web::test]
async fn without_a_key_the_restricted_layer_answers_exactly_like_a_missing_one() {
    let app = app(state()).await;
    for uri in uris_naming_a_layer() {
        let restricted = get(&app, &uri.replace("{L}", RESTRICTED)).await;
        let missing = get(&app, &uri.replace("{L}", "nope")).await;
        assert!(restricted.status >= 400, "{uri}: {}", restricted.status);
        assert_eq!(shape(&restricted, RESTRICTED), shape(&missing, "nope"), "{uri}");
        // With the key the same request is answered.
        let member = get_with(&app, &uri.replace("{L}", RESTRICTED), &[BEARER]).await;
        let ok = member.status == 200 || (uri.contains("/items/") && member.status == 404);
        assert!(ok, "{uri} with the key: {} {}", member.status, member.text());
    }
}

#[actix_web::test]
async fn capabilities_collections_and_api_list_the_layer_only_for_members() {
    let app = app(state()).await;
    let docs = [
        "/wms?SERVICE=WMS&REQUEST=GetCapabilities",
        "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities",
        "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities",
        "/wmts/1.0.0/WMTSCapabilities.xml",
        "/collections",
        "/api",
        "/schemas/tuile.xsd",
    ];
    for uri in docs {
        let anonymous = get(&app, uri).await;
        let member = get_with(&app, uri, &[BEARER]).await;
        assert_eq!((anonymous.status, member.status), (200, 200), "{uri}");
        assert!(
            !anonymous.text().contains(RESTRICTED),
            "{uri} shows the layer without a key"
        );
        assert!(
            member.text().contains(RESTRICTED),
            "{uri} hides the layer from a member"
        );
        // Anonymous documents never come from a member's cached copy, or back.
        assert!(
            !get(&app, uri).await.text().contains(RESTRICTED),
            "{uri} after a member's request"
        );
    }
    let caps = get_with(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities", &[BEARER]).await;
    validate(&caps.body, Schema::WmsCapabilities130);
    let wmts = get_with(&app, "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities", &[BEARER]).await;
    validate(&wmts.body, Schema::Xsd("wmts/1.0/wmtsGetCapabilities_response.xsd"));
}

#[actix_web::test]
async fn members_read_the_extra_fields() {
    let app = app(state()).await;
    for headers in [vec![BEARER], vec![("X-API-Key", KEY)]] {
        let r = get_with(&app, "/collections/adresses_cadastre/items?limit=3", &headers).await;
        assert_eq!(r.status, 200);
        let doc: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
        let f = &doc["features"][0]["properties"];
        assert!(f["cad_parcelles"].as_str().unwrap().starts_with("34"), "{f}");
        assert!(f["certification_commune"].is_boolean(), "{f}");
    }
    let r = get(
        &app,
        &format!("/collections/adresses_cadastre/items?limit=3&apikey={KEY}"),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[actix_web::test]
async fn the_tile_cache_never_serves_a_restricted_tile_without_a_key() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 16, CENTRE);
    let uri = format!("/wmts/1.0.0/{RESTRICTED}/default/WebMercatorQuad/16/{row}/{col}.png");
    let member = get_with(&app, &uri, &[BEARER]).await;
    assert_eq!(member.status, 200);
    let img = member.image();
    assert!(
        img.pixels().any(|p| p.0[3] > 0),
        "the members' tile has addresses on it"
    );
    let etag = member.headers.get("etag").unwrap().to_str().unwrap().to_string();
    // The tile is in the memory cache now; without the key it still does not exist.
    for headers in [vec![], vec![("If-None-Match", etag.as_str())]] {
        let r = get_with(&app, &uri, &headers).await;
        assert_eq!(r.status, 404, "{headers:?}");
        assert!(!r.content_type.starts_with("image/"));
    }
    // Nor through WMS, which shares the tile cache for tile-shaped requests.
    let b = tms.matrices[16].tile_bbox(row, col);
    let wms = format!(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={RESTRICTED}&STYLES=&CRS=EPSG:3857&BBOX={},{},{},{}&WIDTH=256&HEIGHT=256&FORMAT=image/png",
        b.minx, b.miny, b.maxx, b.maxy
    );
    assert_eq!(get(&app, &wms).await.exception().0, "LayerNotDefined");
    let members_map = get_with(&app, &wms, &[BEARER]).await;
    assert_eq!(members_map.status, 200);
    assert_eq!(members_map.image().dimensions(), (256, 256));
}

#[actix_web::test]
async fn answers_to_members_stay_out_of_shared_caches() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 16, CENTRE);
    let uri = format!("/wmts/1.0.0/ocsol/couverture/WebMercatorQuad/16/{row}/{col}.png");
    let anonymous = get(&app, &uri).await;
    assert!(
        anonymous
            .headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("public")
    );
    let member = get_with(&app, &uri, &[BEARER]).await;
    assert!(
        member
            .headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("private")
    );
    for r in [&anonymous, &member] {
        let vary: Vec<&str> = r.headers.get_all("vary").filter_map(|v| v.to_str().ok()).collect();
        assert!(
            vary.iter()
                .any(|v| v.contains("Authorization") && v.contains("X-API-Key")),
            "{vary:?}"
        );
    }
}

#[actix_web::test]
async fn an_unknown_key_is_refused_not_ignored() {
    let app = app(state()).await;
    for (uri, headers) in [
        ("/collections", vec![("Authorization", "Bearer nope")]),
        ("/wms?SERVICE=WMS&REQUEST=GetCapabilities", vec![("X-API-Key", "nope")]),
        ("/wms?SERVICE=WMS&REQUEST=GetCapabilities&apikey=nope", vec![]),
    ] {
        let r = get_with(&app, uri, &headers).await;
        assert_eq!(r.status, 401, "{uri}");
        assert_eq!(r.content_type, "application/problem+json");
        assert!(r.headers.get("www-authenticate").is_some());
    }
}

#[actix_web::test]
async fn a_key_given_in_the_url_is_carried_into_every_link() {
    let app = app(state()).await;
    let caps = get(&app, &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&apikey={KEY}")).await;
    validate(&caps.body, Schema::WmsCapabilities130);
    let root = caps.xml();
    let hrefs: Vec<String> = all(&root, "OnlineResource")
        .iter()
        .filter_map(|e| e.attr("xlink:href").or(e.attr("href")).map(str::to_string))
        .filter(|h| h.contains("/wms"))
        .collect();
    assert!(!hrefs.is_empty());
    for h in &hrefs {
        assert!(h.contains(&format!("apikey={KEY}")), "{h}");
    }
    // A GetMap built the way clients do, from the advertised prefix, is a member's.
    let prefix = hrefs.iter().find(|h| h.ends_with('&')).expect("a GetMap prefix");
    let getmap = format!(
        "{prefix}VERSION=1.3.0&REQUEST=GetMap&LAYERS={RESTRICTED}&STYLES=&CRS=EPSG:2154&BBOX=770150,6279050,770350,6279250&WIDTH=64&HEIGHT=64&FORMAT=image/png"
    );
    assert_eq!(get(&app, &getmap[getmap.find("/wms").unwrap()..]).await.status, 200);

    let wmts = get(&app, &format!("/wmts/1.0.0/WMTSCapabilities.xml?apikey={KEY}")).await;
    let root = wmts.xml();
    let templates: Vec<&str> = all(&root, "ResourceURL")
        .iter()
        .filter_map(|e| e.attr("template"))
        .collect();
    assert!(templates.iter().any(|t| t.contains(RESTRICTED)));
    assert!(
        templates.iter().all(|t| t.contains(&format!("apikey={KEY}"))),
        "{templates:?}"
    );

    let collections: serde_json::Value =
        serde_json::from_slice(&get(&app, &format!("/collections?apikey={KEY}")).await.body).unwrap();
    let items = collections["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == RESTRICTED)
        .unwrap()["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "items" && l["type"] == "application/geo+json")
        .unwrap()["href"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(items.contains(&format!("apikey={KEY}")), "{items}");
    let r = get(&app, &items[items.find("/collections").unwrap()..]).await;
    assert_eq!(r.status, 200);
    let page: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap();
    assert!(next.contains(&format!("apikey={KEY}")), "{next}");
}

#[actix_web::test]
async fn cors_preflight_and_exposed_headers() {
    let app = app(state()).await;
    let req = actix_web::test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/collections/erp/items")
        .insert_header(("Origin", "https://portail.example.org"))
        .insert_header(("Access-Control-Request-Method", "GET"))
        .insert_header(("Access-Control-Request-Headers", "authorization, x-api-key"))
        .to_request();
    let resp = actix_web::test::call_service(&app, req).await;
    assert!(resp.status().is_success(), "{}", resp.status());
    let h = resp.headers();
    assert_eq!(h.get("access-control-allow-origin").unwrap(), "*");
    let allowed = h
        .get("access-control-allow-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("authorization") && allowed.contains("x-api-key"),
        "{allowed}"
    );

    let r = get_with(
        &app,
        "/wms?SERVICE=WMS&REQUEST=GetCapabilities",
        &[("Origin", "https://portail.example.org")],
    )
    .await;
    assert_eq!(r.headers.get("access-control-allow-origin").unwrap(), "*");
    let exposed = r
        .headers
        .get("access-control-expose-headers")
        .unwrap()
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    for h in ["etag", "content-crs", "x-request-id", "link"] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }
}

#[actix_web::test]
async fn health_readiness_metrics_and_request_ids() {
    let app = app(state()).await;
    let h = get(&app, "/health").await;
    assert_eq!(h.status, 200);
    let r = get(&app, "/ready").await;
    assert_eq!(r.status, 200, "{}", r.text());
    let ready: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(ready["layers"], 5);

    let q = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocsol&STYLES=&CRS=EPSG:2154&BBOX=770000,6279000,770500,6279500&WIDTH=64&HEIGHT=64&FORMAT=image/png";
    let map = get_with(&app, q, &[("X-Request-Id", "portal-abc-123")]).await;
    assert_eq!(map.headers.get("x-request-id").unwrap(), "portal-abc-123");
    let other = get_with(&app, q, &[("X-Request-Id", "bad id with spaces and <tags>")]).await;
    let id = other.headers.get("x-request-id").unwrap().to_str().unwrap();
    assert!(id.len() == 16 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");

    let m = get(&app, "/metrics").await;
    assert_eq!(m.status, 200);
    assert!(m.content_type.starts_with("text/plain"));
    let text = m.text();
    let getmaps: f64 = text
        .lines()
        .filter(|l| {
            l.starts_with("tuile_requests_total{")
                && l.contains("service=\"wms\"")
                && l.contains("operation=\"GetMap\"")
                && l.contains("layer=\"ocsol\"")
                && l.contains("status=\"200\"")
        })
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .sum();
    assert!(getmaps >= 2.0, "{text}");
    for name in [
        "tuile_request_duration_seconds_bucket",
        "tuile_render_duration_seconds_count",
        "tuile_tile_cache{figure=\"hits\"}",
        "tuile_tile_cache{figure=\"evictions\"}",
        "tuile_tile_cache{figure=\"bytes\"}",
        "tuile_open_datasets",
        "tuile_layers 5",
    ] {
        assert!(text.contains(name), "{name} missing from\n{text}");
    }
    // Anonymous and file-backed memory apart (mapped indexes are the latter).
    for kind in ["anonymous", "file"] {
        let line = text
            .lines()
            .find(|l| l.starts_with(&format!("tuile_resident_memory_bytes{{kind=\"{kind}\"}}")))
            .unwrap_or_else(|| panic!("no {kind} memory in\n{text}"));
        let bytes: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(bytes > 1e6, "{line}");
    }
    // Garbage names do not become labels.
    get(
        &app,
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=zz_garbage_zz",
    )
    .await;
    assert!(!get(&app, "/metrics").await.text().contains("zz_garbage_zz"));
    // Nor do operation names: any spelling of a known one is its canonical
    // label, anything else is `other` (fuzzing found /metrics growing with
    // every new REQUEST value).
    for (service, request) in [
        ("WMS", "zzGarbageOp1"),
        ("WMS", "gEtMaP"),
        ("WMTS", "zzGarbageOp2"),
        ("WMTS", "GETTILE"),
    ] {
        get(
            &app,
            &format!("/{}?SERVICE={service}&REQUEST={request}", service.to_lowercase()),
        )
        .await;
    }
    let text = get(&app, "/metrics").await.text();
    assert!(!text.contains("zzGarbageOp") && !text.contains("gEtMaP") && !text.contains("GETTILE"));
    for (service, operation) in [("wms", "other"), ("wmts", "other"), ("wmts", "GetTile")] {
        let labels = [format!("service=\"{service}\""), format!("operation=\"{operation}\"")];
        assert!(
            text.lines()
                .any(|l| l.starts_with("tuile_requests_total{") && labels.iter().all(|x| l.contains(x))),
            "{labels:?} missing from\n{text}"
        );
    }
}

#[actix_web::test]
async fn the_viewer_page_lists_the_callers_layers_and_serves_openlayers() {
    let app = app(state()).await;
    let anonymous = get(&app, "/viewer").await;
    assert_eq!(anonymous.status, 200, "{}", anonymous.text());
    assert!(anonymous.content_type.starts_with("text/html"));
    let config = |html: &str| -> serde_json::Value {
        let start = html.find("application/json\">").unwrap() + "application/json\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        serde_json::from_str(&html[start..end].replace("<\\/", "</")).unwrap()
    };
    let names = |c: &serde_json::Value| -> Vec<String> {
        c["layers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["name"].as_str().unwrap().to_string())
            .collect()
    };
    let c = config(&anonymous.text());
    assert_eq!(names(&c), ["bdortho", "ocsol", "erp", "adresses"]);
    assert!(c["keyQuery"].is_null());
    let member = get(&app, &format!("/viewer?apikey={KEY}")).await;
    let c = config(&member.text());
    assert!(names(&c).contains(&RESTRICTED.to_string()));
    assert_eq!(c["keyQuery"], format!("apikey={KEY}"));
    for (asset, mime) in [
        ("ol.js", "text/javascript"),
        ("ol.css", "text/css"),
        ("proj4.js", "text/javascript"),
        ("viewer.js", "text/javascript"),
    ] {
        let r = get(&app, &format!("/viewer/assets/{asset}")).await;
        assert_eq!(r.status, 200, "{asset}: run `npm ci --prefix viewer`");
        assert!(r.content_type.starts_with(mime), "{asset}: {}", r.content_type);
        assert!(r.body.len() > 1000 || asset == "viewer.css");
    }
    assert_eq!(get(&app, "/viewer/assets/..%2Ftuile.toml").await.status, 404);
}

#[actix_web::test]
async fn a_members_maplibre_style_keeps_the_key_in_every_url_maplibre_follows() {
    let app = app(state()).await;
    let style: serde_json::Value =
        serde_json::from_slice(&get(&app, &format!("/styles/default?apikey={KEY}")).await.body).unwrap();
    let mut urls = vec![style["glyphs"].as_str().unwrap().to_string()];
    for s in style["sprite"].as_array().unwrap() {
        urls.push(s["url"].as_str().unwrap().to_string());
    }
    for source in style["sources"].as_object().unwrap().values() {
        if let Some(u) = source["url"].as_str() {
            urls.push(u.to_string());
        }
        for t in source["tiles"].as_array().into_iter().flatten() {
            urls.push(t.as_str().unwrap().to_string());
        }
    }
    assert!(urls.len() >= 5, "{urls:?}");
    for u in &urls {
        assert!(u.contains(&format!("apikey={KEY}")), "{u}");
    }
    // The members-only layer is in it, and its sprite answers with the key.
    let sprite = urls
        .iter()
        .find(|u| u.contains(RESTRICTED) && u.contains("sprite"))
        .expect("its sprite");
    let path = sprite.split_once("://").unwrap().1;
    let path = &path[path.find('/').unwrap()..];
    let (base, query) = path.split_once('?').unwrap();
    assert_eq!(get(&app, &format!("{base}.json?{query}")).await.status, 200);
    // The tiles' TileJSON carries it on to the tile URLs.
    let tilejson_url = urls.iter().find(|u| u.contains("tilejson")).unwrap();
    let p = tilejson_url.split_once("://").unwrap().1;
    let tj: serde_json::Value = serde_json::from_slice(&get(&app, &p[p.find('/').unwrap()..]).await.body).unwrap();
    assert!(
        tj["tiles"][0].as_str().unwrap().contains(&format!("apikey={KEY}")),
        "{tj}"
    );
}
