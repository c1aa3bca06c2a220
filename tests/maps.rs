//! OGC API – Maps on the small demo data: a collection's map is the WMS
//! map of the same box, size and CRS; the dataset's map draws the chosen
//! collections; the defaults (CRS84, the extent, 1024 pixels), editions,
//! and the problems bad requests get.

mod common;

use common::*;
use serde_json::Value;

const BOX: &str = "769500,6278500,770500,6279500";
const L93: &str = "http://www.opengis.net/def/crs/EPSG/0/2154";

fn problem(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.text());
    assert_eq!(r.content_type, "application/problem+json");
}

#[actix_web::test]
async fn a_collection_map_is_the_wms_map_of_the_same_box() {
    let app = app(state()).await;
    let map = get(
        &app,
        &format!("/collections/ocsol/map?bbox={BOX}&bbox-crs={L93}&crs={L93}&width=300&height=300"),
    )
    .await;
    assert_eq!(map.status, 200, "{}", map.text());
    assert_eq!(map.headers.get("content-crs").unwrap(), &format!("<{L93}>"));
    assert_eq!(map.headers.get("content-bbox").unwrap(), BOX);
    let wms = get(
        &app,
        &format!("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ocsol&STYLES=&CRS=EPSG:2154&BBOX={BOX}&WIDTH=300&HEIGHT=300&FORMAT=image/png&TRANSPARENT=TRUE"),
    )
    .await;
    assert_eq!(map.image(), wms.image());
    let painted = map.image().pixels().filter(|p| p[3] == 255).count();
    assert!(painted > 300 * 300 / 2, "{painted}");
}

#[actix_web::test]
async fn defaults_are_crs84_the_extent_and_1024_pixels() {
    let app = app(state()).await;
    let map = get(&app, "/collections/erp/map").await;
    assert_eq!(map.status, 200);
    assert_eq!(
        map.headers.get("content-crs").unwrap(),
        "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    );
    let (w, h) = map.image().dimensions();
    assert_eq!(w.max(h), 1024);
    // The box is the collection's extent, and its shape the image's.
    let collection: Value = serde_json::from_slice(&get(&app, "/collections/erp").await.body).unwrap();
    let e: Vec<f64> = collection["extent"]["spatial"]["bbox"][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    let b: Vec<f64> = map
        .headers
        .get("content-bbox")
        .unwrap()
        .to_str()
        .unwrap()
        .split(',')
        .map(|v| v.parse().unwrap())
        .collect();
    for (x, y) in e.iter().zip(&b) {
        assert!((x - y).abs() < 1e-9, "{e:?} {b:?}");
    }
    let aspect = (e[2] - e[0]) / (e[3] - e[1]);
    assert!(((w as f64 / h as f64) - aspect).abs() < 0.01);
    let jpeg = get(&app, "/collections/erp/map?width=200&f=jpeg").await;
    assert_eq!(jpeg.content_type, "image/jpeg");
    assert_eq!(jpeg.image().width(), 200);
}

#[actix_web::test]
async fn the_dataset_map_draws_the_chosen_collections_and_editions() {
    let app = app(state()).await;
    let q = format!("bbox={BOX}&bbox-crs={L93}&crs=EPSG:3857&width=256&height=256");
    let ortho = get(&app, &format!("/map?{q}&collections=bdortho")).await.image();
    let both = get(&app, &format!("/map?{q}&collections=bdortho,ocsol")).await.image();
    assert!(ortho.pixels().all(|p| p[3] == 255), "the orthophoto covers the box");
    assert_ne!(ortho, both);
    let latest = get(&app, &format!("/map?{q}&collections=ocsol")).await.image();
    let first = get(&app, &format!("/map?{q}&collections=ocsol&datetime=2019"))
        .await
        .image();
    assert_ne!(latest, first, "another edition, another map");
}

#[actix_web::test]
async fn bad_map_requests_are_problems() {
    let app = app(state()).await;
    for (uri, status) in [
        ("/collections/ocsol/map?bbox=1,2,3", 400),
        ("/collections/ocsol/map?bbox=3,2,1,4", 400),
        ("/collections/ocsol/map?width=0", 400),
        ("/collections/ocsol/map?width=100000", 400),
        ("/collections/ocsol/map?crs=EPSG:9999999", 400),
        ("/collections/ocsol/map?f=gif", 400),
        ("/collections/ocsol/map?datetime=1900", 400),
        ("/collections/ocsol/map?collections=erp", 400),
        ("/collections/nope/map", 404),
        ("/map?collections=nope", 404),
    ] {
        problem(&get(&app, uri).await, status);
    }
}
