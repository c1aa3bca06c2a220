//! The OGC CITE WMS 1.3.0 and 1.1.1 checklist,
//! on the CITE "Blue Lake" test data, converted to FlatGeobuf with ogr2ogr and
//! served with tests/cite/tuile.toml. Each test names the checklist items it covers.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use actix_web::web;
use common::*;
use tuile::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;

const LAYERS: [&str; 11] = [
    "BasicPolygons",
    "Bridges",
    "Buildings",
    "DividedRoutes",
    "Forests",
    "Lakes",
    "MapNeatline",
    "NamedPlaces",
    "Ponds",
    "RoadSegments",
    "Streams",
];

/// The CITE shapefiles as FlatGeobuf files with an index, converted once.
fn cite_data() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = repo().join("target/cite-data");
        std::fs::create_dir_all(&dir).unwrap();
        let lock = std::fs::File::create(dir.with_extension("lock")).unwrap();
        lock.lock().unwrap();
        let shapes = fixtures().join("ogc-cite-data/wms-1.3.0/vector-and-raster/shapefile");
        assert!(shapes.is_dir(), "{} is missing", shapes.display());
        for name in LAYERS {
            let out = dir.join(format!("{name}.fgb"));
            if out.exists() {
                continue;
            }
            // Some files mix single and multi geometries: promote them all.
            let part = dir.join(format!("{name}.part.fgb"));
            let _ = std::fs::remove_file(&part);
            let status = std::process::Command::new("ogr2ogr")
                .args([
                    "-f",
                    "FlatGeobuf",
                    "-lco",
                    "SPATIAL_INDEX=YES",
                    "-nlt",
                    "PROMOTE_TO_MULTI",
                ])
                .arg(&part)
                .arg(shapes.join(format!("{name}.shp")))
                .status()
                .expect("ogr2ogr is installed (make deps)");
            assert!(status.success(), "converting {name}");
            std::fs::rename(&part, &out).unwrap();
        }
        lock.unlock().unwrap();
        dir.canonicalize().unwrap()
    })
}

fn cite_state() -> web::Data<AppState> {
    static STATE: OnceLock<web::Data<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            tuile_core::source::gdal::init(64);
            let data = cite_data().to_string_lossy().into_owned();
            let config = Config::load_with(&repo().join("tests/cite/tuile.toml"), |n| {
                (n == "TUILE_CITE_DATA").then(|| data.clone())
            })
            .expect("tests/cite/tuile.toml is valid");
            let catalog = Catalog::load(config).unwrap();
            assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
            web::Data::new(AppState::new(catalog))
        })
        .clone()
}

const MAP: &str = "/wms?VERSION=1.3.0&REQUEST=GetMap";
/// The whole CITE area, CRS:84.
const AREA: &str = "-0.0042,-0.0024,0.0042,0.0024";
/// A box inside the lake (and the forest under it).
const IN_LAKE: &str = "0.0010,-0.0016,0.0014,-0.0012";

async fn expect_exception<S>(app: &S, uri: &str, code: &str)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let r = get(app, uri).await;
    assert!(
        r.content_type.contains("/xml"),
        "{uri}: {} {}",
        r.content_type,
        r.text()
    );
    assert_eq!(r.exception().0, code, "{uri}");
    if r.content_type.starts_with("text/xml") {
        validate(&r.body, Schema::WmsException130);
    } else {
        validate(&r.body, Schema::WmsException111);
    }
}

/// Capabilities 1.3.0: schema valid through its own schemaLocation; every
/// named layer has CRS, EX_GeographicBoundingBox (west<east, south<north) and
/// one BoundingBox per CRS; the EPSG:4326 box is lat/lon and equal to the
/// geographic one; the root lists the common CRSs; titles are `cite:*`;
/// polygon layers are queryable; no noSubsets/fixedWidth; `text/xml` and `XML`
/// advertised; OnlineResources are URL prefixes.
#[actix_web::test]
async fn capabilities_130() {
    let app = app(cite_state()).await;
    let r = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await;
    validate(&r.body, Schema::WmsCapabilities130);
    assert!(
        r.text()
            .contains("http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd")
    );
    let root = r.xml();
    let request = all(&root, "GetCapabilities")[0];
    assert!(request.elements().any(|f| f.name == "Format" && f.text() == "text/xml"));
    let exc = all(&root, "Exception")[0];
    assert!(exc.elements().any(|f| f.text() == "XML"));
    for dcp in all(&root, "DCPType") {
        for href in all(dcp, "OnlineResource").iter().filter_map(|o| o.attr("href")) {
            assert!(
                href.ends_with('?') || (href.contains('?') && href.ends_with('&')),
                "{href}"
            );
        }
    }
    let top = all(&root, "Layer")[0];
    let root_crs: Vec<String> = top.elements().filter(|e| e.name == "CRS").map(|e| e.text()).collect();
    assert_eq!(root_crs, ["CRS:84", "EPSG:4326", "EPSG:3857"]);
    let mut titles = Vec::new();
    for layer in all(&root, "Layer").into_iter().filter(|l| l.child("Name").is_some()) {
        titles.push(layer.child("Title").unwrap().text());
        let geo = layer.child("EX_GeographicBoundingBox").unwrap();
        let v = |n: &str| geo.child(n).unwrap().text().parse::<f64>().unwrap();
        let (w, e, s, n) = (
            v("westBoundLongitude"),
            v("eastBoundLongitude"),
            v("southBoundLatitude"),
            v("northBoundLatitude"),
        );
        assert!(w < e && s < n);
        let boxes = all(layer, "BoundingBox");
        let crs: Vec<&str> = boxes.iter().filter_map(|b| b.attr("CRS")).collect();
        assert_eq!(crs, ["CRS:84", "EPSG:4326", "EPSG:3857"], "one box per CRS");
        let b4326 = boxes.iter().find(|b| b.attr("CRS") == Some("EPSG:4326")).unwrap();
        let f = |k: &str| b4326.attr(k).unwrap().parse::<f64>().unwrap();
        assert_eq!([f("minx"), f("miny"), f("maxx"), f("maxy")], [s, w, n, e]);
        assert_eq!(layer.attr("queryable"), Some("1"));
        assert!(
            layer.attr("noSubsets").is_none()
                && layer.attr("fixedWidth").is_none()
                && layer.attr("fixedHeight").is_none()
        );
    }
    let expected: Vec<String> = LAYERS.iter().map(|l| format!("cite:{l}")).collect();
    assert_eq!(titles, expected);
}

/// For every advertised CRS a GetMap with the advertised BoundingBox, 100×100,
/// in the first format, returns an image of that type.
#[actix_web::test]
async fn every_crs_gets_an_image() {
    let app = app(cite_state()).await;
    let root = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await.xml();
    let first_format = all(&root, "GetMap")[0].child("Format").unwrap().text();
    for layer in all(&root, "Layer").into_iter().filter(|l| l.child("Name").is_some()) {
        let name = layer.child("Name").unwrap().text();
        for b in all(layer, "BoundingBox") {
            let crs = b.attr("CRS").unwrap();
            let bbox = ["minx", "miny", "maxx", "maxy"].map(|k| b.attr(k).unwrap()).join(",");
            let r = get(
                &app,
                &format!(
                    "{MAP}&LAYERS={name}&STYLES=&CRS={crs}&BBOX={bbox}&WIDTH=100&HEIGHT=100&FORMAT={first_format}"
                ),
            )
            .await;
            assert_eq!(r.status, 200, "{name} {crs}: {}", r.text());
            assert_eq!(r.content_type, first_format);
            assert_eq!(r.image().dimensions(), (100, 100));
        }
    }
}

/// Pixel tests on CRS:84: uncovered pixels are exactly 0xFFFFFF without
/// BGCOLOR; BGCOLOR=0x0000FF is honoured; TRANSPARENT=TRUE gives alpha-0
/// pixels, the default and FALSE give none; the Lakes default style fills
/// with non-white pixels; the BBOX is the outer edge (a 10×7 map has no white
/// border); WIDTH/HEIGHT are exact (8×5, 1024×768) and another aspect ratio
/// stretches the map; the first layer in LAYERS is drawn at the bottom.
#[actix_web::test]
async fn pixels() {
    let app = app(cite_state()).await;
    let q = |layers: &str, bbox: &str, size: (u32, u32), extra: &str| {
        format!(
            "{MAP}&LAYERS={layers}&STYLES=&CRS=CRS:84&BBOX={bbox}&WIDTH={}&HEIGHT={}&FORMAT=image/png{extra}",
            size.0, size.1
        )
    };
    // Outside the lake (the lake's bbox corners are not in the lake).
    let corner = "0.0006,-0.0001,0.0008,0.0001";
    let white = get(&app, &q("Lakes", corner, (20, 20), "")).await.image();
    assert!(white.pixels().all(|p| p.0 == [255, 255, 255, 255]));
    let blue = get(&app, &q("Lakes", corner, (20, 20), "&BGCOLOR=0x0000FF"))
        .await
        .image();
    assert!(blue.pixels().all(|p| p.0 == [0, 0, 255, 255]));
    let clear = get(&app, &q("Lakes", AREA, (100, 60), "&TRANSPARENT=TRUE"))
        .await
        .image();
    assert!(clear.pixels().any(|p| p.0[3] == 0) && clear.pixels().any(|p| p.0[3] == 255));
    for extra in ["", "&TRANSPARENT=FALSE"] {
        let opaque = get(&app, &q("Lakes", AREA, (100, 60), extra)).await.image();
        assert!(opaque.pixels().all(|p| p.0[3] == 255));
    }
    let lake = get(&app, &q("Lakes", IN_LAKE, (10, 7), "")).await.image();
    assert_eq!(lake.dimensions(), (10, 7));
    assert!(
        lake.pixels().all(|p| p.0 != [255, 255, 255, 255]),
        "no white border, non-white fill"
    );
    for size in [(8, 5), (1024, 768), (300, 40)] {
        assert_eq!(get(&app, &q("Lakes", AREA, size, "")).await.image().dimensions(), size);
    }
    let lake_colour = lake.get_pixel(5, 3).0;
    let forest_on_top = get(&app, &q("Lakes,Forests", IN_LAKE, (10, 7), "")).await.image();
    let lake_on_top = get(&app, &q("Forests,Lakes", IN_LAKE, (10, 7), "")).await.image();
    assert_eq!(lake_on_top.get_pixel(5, 3).0, lake_colour);
    assert_ne!(forest_on_top.get_pixel(5, 3).0, lake_colour);
}

/// A non-overlapping BBOX, or one outside the CRS's range, gives a white
/// image, not an exception; STYLES=, STYLES=,,, and s1,,s2 are accepted;
/// LayerLimit is honoured; REQUEST %XX-encoded and `+` decoded; an exponent
/// BBOX renders byte-identical to its plain form.
#[actix_web::test]
async fn lenient_and_limited_requests() {
    let app = app(cite_state()).await;
    for bbox in ["10,10,11,11", "200,100,210,110"] {
        let r = get(
            &app,
            &format!("{MAP}&LAYERS=Lakes&STYLES=&CRS=CRS:84&BBOX={bbox}&WIDTH=10&HEIGHT=10&FORMAT=image/png"),
        )
        .await;
        assert_eq!(r.status, 200, "{bbox}");
        assert!(r.image().pixels().all(|p| p.0 == [255, 255, 255, 255]));
    }
    for styles in ["", ",,,", "default,,default,"] {
        let r = get(&app, &format!("{MAP}&LAYERS=Lakes,Ponds,Forests,Streams&STYLES={styles}&CRS=CRS:84&BBOX={AREA}&WIDTH=50&HEIGHT=30&FORMAT=image/png")).await;
        assert_eq!(r.status, 200, "STYLES={styles}: {}", r.text());
    }
    let seventeen = vec!["Lakes"; 17].join(",");
    let r = get(
        &app,
        &format!("{MAP}&LAYERS={seventeen}&STYLES=&CRS=CRS:84&BBOX={AREA}&WIDTH=50&HEIGHT=30&FORMAT=image/png"),
    )
    .await;
    assert_eq!(r.status, 400);
    let encoded = get(&app, &format!("/wms?VERSION=1.3.0&REQUEST=%47%65%74%4D%61%70&LAYERS=Lakes&STYLES=&CRS=CRS%3A84&BBOX={AREA}&WIDTH=50&HEIGHT=30&FORMAT=image%2Fpng")).await;
    assert_eq!(encoded.status, 200);
    let plain = get(
        &app,
        &format!(
            "{MAP}&LAYERS=Lakes&STYLES=&CRS=CRS:84&BBOX=-0.005,-0.0025,0.005,0.0025&WIDTH=50&HEIGHT=30&FORMAT=image/png"
        ),
    )
    .await;
    let expo = get(&app, &format!("{MAP}&LAYERS=Lakes&STYLES=&CRS=CRS:84&BBOX=-.0005E1,-25E-4,%2B05E-3,.00025E%2B1&WIDTH=50&HEIGHT=30&FORMAT=image/png")).await;
    assert_eq!(plain.status, 200);
    assert!(plain.body == expo.body, "identical bytes");
}

/// GetMap exceptions: no VERSION; CRS=UndefinedCRS; FORMAT=UnknownFormat; an
/// unknown layer alone, first or second; an unknown style alone or second;
/// minx>=maxx and miny>=maxy; EXCEPTIONS=INIMAGE gives an image, BLANK an
/// image all BGCOLOR or all transparent.
#[actix_web::test]
async fn getmap_exceptions() {
    let app = app(cite_state()).await;
    let ok = format!("LAYERS=Lakes&STYLES=&CRS=CRS:84&BBOX={AREA}&WIDTH=100&HEIGHT=60&FORMAT=image/png");
    expect_exception(&app, &format!("/wms?REQUEST=GetMap&{ok}"), "MissingParameterValue").await;
    expect_exception(
        &app,
        &format!("{MAP}&{}", ok.replace("CRS:84", "UndefinedCRS")),
        "InvalidCRS",
    )
    .await;
    expect_exception(
        &app,
        &format!("{MAP}&{}", ok.replace("image/png", "UnknownFormat")),
        "InvalidFormat",
    )
    .await;
    for layers in ["Nope", "Nope,Lakes", "Lakes,Nope"] {
        expect_exception(
            &app,
            &format!("{MAP}&{}", ok.replace("LAYERS=Lakes", &format!("LAYERS={layers}"))),
            "LayerNotDefined",
        )
        .await;
    }
    expect_exception(
        &app,
        &format!("{MAP}&{}", ok.replace("STYLES=", "STYLES=Nope")),
        "StyleNotDefined",
    )
    .await;
    let two = ok.replace("LAYERS=Lakes&STYLES=", "LAYERS=Lakes,Ponds&STYLES=default,Nope");
    expect_exception(&app, &format!("{MAP}&{two}"), "StyleNotDefined").await;
    for bbox in ["0.002,-0.002,0.001,0.002", "-0.002,0.002,0.002,0.002"] {
        let r = get(&app, &format!("{MAP}&{}", ok.replace(AREA, bbox))).await;
        assert!(r.content_type.contains("xml"), "{bbox}");
        validate(&r.body, Schema::WmsException130);
    }
    let r = get(
        &app,
        &format!("{MAP}&{}&EXCEPTIONS=INIMAGE", ok.replace("LAYERS=Lakes", "LAYERS=Nope")),
    )
    .await;
    assert_eq!((r.status, r.content_type.as_str()), (200, "image/png"));
    let img = r.image();
    assert_eq!(img.dimensions(), (100, 60));
    assert!(
        img.pixels().any(|p| p.0 != [255, 255, 255, 255]),
        "the message is written on it"
    );
    let blank = format!(
        "{MAP}&{}&EXCEPTIONS=BLANK&BGCOLOR=0xFF0000",
        ok.replace("LAYERS=Lakes", "LAYERS=Nope")
    );
    assert!(
        get(&app, &blank)
            .await
            .image()
            .pixels()
            .all(|p| p.0 == [255, 0, 0, 255])
    );
    assert!(
        get(&app, &format!("{blank}&TRANSPARENT=TRUE"))
            .await
            .image()
            .pixels()
            .all(|p| p.0[3] == 0)
    );
}

/// UPDATESEQUENCE: the current value gives CurrentUpdateSequence, a higher
/// one InvalidUpdateSequence, a lower one the capabilities; VERSION=100.0.0
/// and no VERSION answer 1.3.0.
#[actix_web::test]
async fn update_sequence_and_version() {
    let app = app(cite_state()).await;
    let root = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=100.0.0")
        .await
        .xml();
    assert_eq!(root.attr("version"), Some("1.3.0"));
    let seq: u64 = root.attr("updateSequence").unwrap().parse().unwrap();
    expect_exception(
        &app,
        &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE={seq}"),
        "CurrentUpdateSequence",
    )
    .await;
    expect_exception(
        &app,
        &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE={}", seq + 1),
        "InvalidUpdateSequence",
    )
    .await;
    let lower = get(
        &app,
        &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE={}", seq - 1),
    )
    .await;
    assert_eq!(lower.xml().name, "WMS_Capabilities");
}

/// GetFeatureInfo: each INFO_FORMAT returns that MIME type; a bad one gives
/// InvalidFormat; I=WIDTH+50 or J=HEIGHT+50 gives InvalidPoint; a bad
/// QUERY_LAYERS gives LayerNotDefined; QUERY_LAYERS may name several layers
/// or a subset of LAYERS; FEATURE_COUNT=2 returns more than 1.
#[actix_web::test]
async fn feature_info() {
    let app = app(cite_state()).await;
    let base = format!(
        "/wms?VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=Forests,Lakes,RoadSegments&STYLES=&CRS=CRS:84&BBOX={AREA}&WIDTH=168&HEIGHT=96"
    );
    // The lake's pixel (x 0.0012, y -0.0014) and the road junction at (0.0002, 0.0007).
    let lake = "I=108&J=76";
    let junction = "I=88&J=34";
    let root = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await.xml();
    let formats: Vec<String> = all(&root, "GetFeatureInfo")[0]
        .elements()
        .filter(|e| e.name == "Format")
        .map(|e| e.text())
        .collect();
    for f in &formats {
        let r = get(
            &app,
            &format!("{base}&QUERY_LAYERS=Lakes&{lake}&INFO_FORMAT={}", f.replace('+', "%2B")),
        )
        .await;
        assert_eq!(r.status, 200, "{f}");
        assert!(r.content_type.starts_with(f.as_str()), "{f}: {}", r.content_type);
    }
    let r = get(
        &app,
        &format!("{base}&QUERY_LAYERS=Lakes,Forests&{lake}&INFO_FORMAT=application/json"),
    )
    .await;
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(json["features"].as_array().unwrap().len(), 2, "{json}");
    expect_exception(
        &app,
        &format!("{base}&QUERY_LAYERS=Lakes&{lake}&INFO_FORMAT=bogus/type"),
        "InvalidFormat",
    )
    .await;
    expect_exception(
        &app,
        &format!("{base}&QUERY_LAYERS=Lakes&I=218&J=10&INFO_FORMAT=text/plain"),
        "InvalidPoint",
    )
    .await;
    expect_exception(
        &app,
        &format!("{base}&QUERY_LAYERS=Lakes&I=10&J=146&INFO_FORMAT=text/plain"),
        "InvalidPoint",
    )
    .await;
    expect_exception(
        &app,
        &format!("{base}&QUERY_LAYERS=Nope&{lake}&INFO_FORMAT=text/plain"),
        "LayerNotDefined",
    )
    .await;
    let one = get(
        &app,
        &format!("{base}&QUERY_LAYERS=RoadSegments&{junction}&INFO_FORMAT=text/xml&FEATURE_COUNT=1"),
    )
    .await;
    let two = get(
        &app,
        &format!("{base}&QUERY_LAYERS=RoadSegments&{junction}&INFO_FORMAT=text/xml&FEATURE_COUNT=2"),
    )
    .await;
    assert_eq!(all(&one.xml(), "featureMember").len(), 1);
    assert_eq!(all(&two.xml(), "featureMember").len(), 2);
    assert!(two.body.len() > one.body.len());
}

/// WMS 1.1.1: capabilities are application/vnd.ogc.wms_xml, DTD-valid, with
/// Service/Name OGC:WMS and a root LatLonBoundingBox and SRS; WMTVER and
/// REQUEST=capabilities/map are accepted, VERSION wins over WMTVER in either
/// order; SRS errors are InvalidSRS in se_xml; EPSG:4326 is lon/lat; X/Y in
/// GetFeatureInfo; application/vnd.ogc.gml is offered; se_inimage and se_blank.
#[actix_web::test]
async fn wms_111() {
    let app = app(cite_state()).await;
    let r = get(&app, "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities").await;
    assert!(r.content_type.starts_with("application/vnd.ogc.wms_xml"));
    validate(&r.body, Schema::WmsCapabilities111);
    let root = r.xml();
    assert_eq!(root.child("Service").unwrap().child("Name").unwrap().text(), "OGC:WMS");
    let top = all(&root, "Layer")[0];
    assert!(top.child("LatLonBoundingBox").is_some() && top.child("SRS").is_some());
    let formats: Vec<String> = all(&root, "GetFeatureInfo")[0]
        .elements()
        .filter(|e| e.name == "Format")
        .map(|e| e.text())
        .collect();
    assert!(formats.iter().any(|f| f == "application/vnd.ogc.gml"));
    for q in [
        "/wms?WMTVER=1.0.0&REQUEST=capabilities",
        "/wms?VERSION=1.1.1&WMTVER=1.0.0&REQUEST=GetCapabilities&SERVICE=WMS",
        "/wms?WMTVER=1.3.0&VERSION=1.1.1&REQUEST=GetCapabilities&SERVICE=WMS",
    ] {
        assert_eq!(get(&app, q).await.xml().name, "WMT_MS_Capabilities", "{q}");
    }
    let map = |srs: &str, bbox: &str| {
        format!(
            "/wms?WMTVER=1.0.0&REQUEST=map&LAYERS=Lakes&STYLES=&SRS={srs}&BBOX={bbox}&WIDTH=60&HEIGHT=40&FORMAT=image/png"
        )
    };
    let lon_lat = get(&app, &map("EPSG:4326", AREA)).await;
    assert_eq!(lon_lat.status, 200, "{}", lon_lat.text());
    let v130 = get(&app, &format!("{MAP}&LAYERS=Lakes&STYLES=&CRS=EPSG:4326&BBOX=-0.0024,-0.0042,0.0024,0.0042&WIDTH=60&HEIGHT=40&FORMAT=image/png")).await;
    assert!(lon_lat.body == v130.body, "1.1.1 lon/lat equals 1.3.0 lat/lon");
    let r = get(&app, &map("EPSG:99999", AREA)).await;
    assert!(r.content_type.starts_with("application/vnd.ogc.se_xml"));
    assert_eq!(r.exception().0, "InvalidSRS");
    validate(&r.body, Schema::WmsException111);
    let gfi = format!(
        "/wms?VERSION=1.1.1&REQUEST=GetFeatureInfo&LAYERS=Lakes&QUERY_LAYERS=Lakes&STYLES=&SRS=EPSG:4326&BBOX={AREA}&WIDTH=168&HEIGHT=96&X=108&Y=76&INFO_FORMAT=application/vnd.ogc.gml"
    );
    let r = get(&app, &gfi).await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("application/vnd.ogc.gml"));
    assert_eq!(all(&r.xml(), "featureMember").len(), 1);
    for exceptions in ["application/vnd.ogc.se_inimage", "application/vnd.ogc.se_blank"] {
        let r = get(&app, &format!("{}&EXCEPTIONS={exceptions}", map("EPSG:99999", AREA))).await;
        assert_eq!(r.content_type, "image/png", "{exceptions}");
    }
}
