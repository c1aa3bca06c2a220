//! Hostile input: whatever a request carries, the answer is well-formed
//! and valid (control characters in parameters, markup, a forged Host),
//! HTML answers escape what they echo and carry a Content-Security-Policy,
//! and no route that serves files can be walked out of its directory.

mod common;

use common::*;

/// Characters XML 1.0 forbids, with markup, percent-encoded as a client would.
const NASTY: &str = "%00%01%0B%1F%EF%BF%BF%3Cscript%3Ealert(1)%3C%2Fscript%3E";

#[actix_web::test]
async fn exception_reports_stay_well_formed_and_valid_with_control_characters() {
    let app = app(state()).await;
    let wms130 = [
        format!(
            "/wms?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS={NASTY}&STYLES=&CRS=EPSG:2154&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10&FORMAT=image/png"
        ),
        format!("/wms?SERVICE=WMS&REQUEST={NASTY}&VERSION=1.3.0"),
        format!(
            "/wms?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=ocsol&STYLES={NASTY}&CRS=EPSG:2154&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10&FORMAT=image/png"
        ),
        format!(
            "/wms?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=ocsol&STYLES=&CRS={NASTY}&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10&FORMAT=image/png"
        ),
        format!(
            "/wms?SERVICE=WMS&REQUEST=GetMap&VERSION=1.3.0&LAYERS=ocsol&STYLES=&CRS=EPSG:2154&BBOX={NASTY}&WIDTH=10&HEIGHT=10&FORMAT=image/png"
        ),
        format!("/wms?SERVICE={NASTY}&REQUEST=GetCapabilities"),
    ];
    for uri in &wms130 {
        let r = get(&app, uri).await;
        assert!((400..500).contains(&r.status) || r.status == 501, "{uri}: {}", r.status);
        validate(&r.body, Schema::WmsException130);
    }
    let r = get(&app, &format!("/wms?SERVICE=WMS&REQUEST=GetMap&VERSION=1.1.1&LAYERS={NASTY}&STYLES=&SRS=EPSG:2154&BBOX=0,0,1,1&WIDTH=10&HEIGHT=10&FORMAT=image/png")).await;
    assert_eq!(r.status, 400);
    validate(&r.body, Schema::WmsException111);
    let wmts = [
        format!(
            "/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER={NASTY}&STYLE=&FORMAT=image/png&TILEMATRIXSET=LAMB93&TILEMATRIX=10&TILEROW=1&TILECOL=1"
        ),
        format!("/wmts?SERVICE=WMTS&REQUEST={NASTY}"),
        format!("/wmts/1.0.0/{NASTY}/default/LAMB93/10/1/1.png"),
        format!("/wmts/1.0.0/ocsol/{NASTY}/LAMB93/10/1/1.png"),
        format!("/wmts/1.0.0/ocsol/couverture/WebMercatorQuad/16/1/1.png?time={NASTY}"),
    ];
    for uri in &wmts {
        let r = get(&app, uri).await;
        assert!((400..500).contains(&r.status), "{uri}: {}", r.status);
        validate(&r.body, Schema::Xsd("ows/1.1.0/owsExceptionReport.xsd"));
        assert!(!r.text().contains("<script>"), "{uri}");
    }
}

#[actix_web::test]
async fn problem_documents_stay_json() {
    let app = app(state()).await;
    for uri in [
        format!("/collections/{NASTY}"),
        format!("/collections/erp/items?filter={NASTY}"),
        format!("/collections/erp/items?{NASTY}=1"),
        format!("/collections/erp/items?bbox={NASTY}"),
    ] {
        let r = get(&app, &uri).await;
        assert!((400..500).contains(&r.status), "{uri}: {}", r.status);
        let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("{uri}: {e}"));
        assert!(v["detail"].is_string(), "{uri}");
    }
}

#[actix_web::test]
async fn html_answers_escape_what_they_echo_and_forbid_foreign_scripts() {
    let app = app(state()).await;
    // A property filter's value is echoed in the page's links.
    let r = get(
        &app,
        "/collections/erp/items?f=html&limit=2&type_erp=%22%3E%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(!r.text().contains("<script"), "markup from the query is escaped");
    let csp = r.headers.get("content-security-policy").expect("a CSP on HTML pages");
    assert!(csp.to_str().unwrap().contains("script-src 'self'"));
    assert_eq!(r.headers.get("x-content-type-options").unwrap(), "nosniff");
    // A forged Host header is neither echoed nor cached as a base URL.
    for host in ["evil\"><script>alert(1)</script>", "a b", "x'y"] {
        let r = get_with(&app, "/collections?f=html", &[("Host", host)]).await;
        assert_eq!(r.status, 200);
        assert!(!r.text().contains("<script") && !r.text().contains(host), "{host}");
        let r = get_with(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities", &[("Host", host)]).await;
        validate(&r.body, Schema::WmsCapabilities130);
        assert!(!r.text().contains(host), "{host}");
    }
    // Feature info as HTML and the viewer page carry the policy too.
    let viewer = get(&app, "/viewer").await;
    if viewer.status == 200 {
        assert!(viewer.headers.get("content-security-policy").is_some());
    }
}

#[actix_web::test]
async fn no_route_serves_a_file_outside_its_directory() {
    let app = app(state()).await;
    for uri in [
        "/viewer/assets/..%2F..%2FCargo.toml",
        "/viewer/assets/%2e%2e%2f%2e%2e%2fCargo.toml",
        "/viewer/assets/....//....//Cargo.toml",
        "/viewer/assets/%2e%2e/%2e%2e/Cargo.toml",
        "/viewer/assets/..%5C..%5CCargo.toml",
        "/viewer/assets/viewer.js%00.png",
        "/schemas/..%2F..%2FCargo.toml",
        "/schemas/tuile.xsd/..%2F..%2FCargo.toml",
        "/wmts/1.0.0/..%2F..%2F..%2Fetc%2Fpasswd",
        "/wmts/1.0.0/ocsol/couverture/..%2F..%2F..%2Fetc/passwd/1/1.png",
        "/collections/..%2F..%2Fetc%2Fpasswd/items",
        "/tileMatrixSets/..%2F..%2Fetc%2Fpasswd",
        "/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&LAYER=../../etc/passwd&FORMAT=image/png",
    ] {
        let r = get(&app, uri).await;
        assert!((400..500).contains(&r.status), "{uri}: {}", r.status);
        let t = r.text();
        assert!(
            !t.contains("[workspace]") && !t.contains("root:x:"),
            "{uri} leaked a file"
        );
    }
}

#[actix_web::test]
async fn request_rates_are_limited_per_address_and_per_key_in_the_protocols_format() {
    use actix_web::test::TestRequest;
    let mut config = config();
    config.server.rate_limit.per_address = 2;
    config.server.rate_limit.per_key = 3;
    let state = actix_web::web::Data::new(tuile::state::AppState::new(
        tuile_core::catalog::Catalog::load(config).unwrap(),
    ));
    let app = app(state).await;
    let from = |uri: &str, ip: &str| {
        TestRequest::get()
            .uri(uri)
            .peer_addr(format!("{ip}:40000").parse().unwrap())
            .to_request()
    };
    let caps = "/wms?SERVICE=WMS&REQUEST=GetCapabilities";
    for _ in 0..2 {
        let r = actix_web::test::call_service(&app, from(caps, "192.0.2.1")).await;
        assert_eq!(r.status(), 200);
    }
    let r = actix_web::test::call_service(&app, from(caps, "192.0.2.1")).await;
    assert_eq!(r.status(), 429);
    let wait: u64 = r
        .headers()
        .get("retry-after")
        .unwrap()
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    let body = actix_web::test::read_body(r).await;
    validate(&body, Schema::WmsException130);
    let r = actix_web::test::call_service(&app, from("/collections", "192.0.2.1")).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers().get("content-type").unwrap(), "application/problem+json");
    // Another address has its own rate; a key holder is counted by its key.
    let r = actix_web::test::call_service(&app, from(caps, "192.0.2.2")).await;
    assert_eq!(r.status(), 200);
    let keyed = |ip: &str| {
        TestRequest::get()
            .uri(caps)
            .insert_header(("X-API-Key", "demo-membres"))
            .peer_addr(format!("{ip}:40000").parse().unwrap())
            .to_request()
    };
    for ip in ["192.0.2.1", "198.51.100.7", "203.0.113.9"] {
        assert_eq!(actix_web::test::call_service(&app, keyed(ip)).await.status(), 200);
    }
    assert_eq!(
        actix_web::test::call_service(&app, keyed("192.0.2.3")).await.status(),
        429
    );
}
