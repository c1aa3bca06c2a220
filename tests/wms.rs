//! WMS 1.3.0 and 1.1.1 over the real server and the small demo data:
//! capabilities (validated against the official schemas), GetMap pixels,
//! reprojection against gdalwarp, and every exception path.

mod common;

use common::*;
use tuile_demo::{BASIN, LANDMARK_ERP};

const MAP130: &str = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap";
const MAP111: &str = "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap";

/// A 2154 bbox of `half` metres around a point.
fn around(p: (f64, f64), half: f64) -> String {
    format!("{},{},{},{}", p.0 - half, p.1 - half, p.0 + half, p.1 + half)
}

fn basin_centre() -> (f64, f64) {
    ((BASIN.0 + BASIN.2) / 2.0, (BASIN.1 + BASIN.3) / 2.0)
}

// ---------------------------------------------------------------- capabilities

#[actix_web::test]
async fn capabilities_130_validate_and_describe_every_layer() {
    let app = app(state()).await;
    let r = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await;
    assert_eq!(r.status, 200);
    assert!(r.content_type.starts_with("text/xml"), "{}", r.content_type);
    validate(&r.body, Schema::WmsCapabilities130);
    let root = r.xml();
    assert_eq!(root.name, "WMS_Capabilities");
    assert_eq!(root.attr("version"), Some("1.3.0"));
    let names: Vec<String> = all(&root, "Layer")
        .iter()
        .filter_map(|l| l.child("Name").map(|n| n.text()))
        .collect();
    assert_eq!(names, ["bdortho", "ocsol", "erp", "adresses"]);
    for dcp in all(&root, "DCPType") {
        for href in all(dcp, "OnlineResource").iter().filter_map(|o| o.attr("href")) {
            assert!(href.ends_with('?'), "{href} is not a URL prefix");
        }
    }
    let service = root.child("Service").unwrap();
    assert_eq!(service.child("MaxWidth").unwrap().text(), "4096");
    assert_eq!(service.child("LayerLimit").unwrap().text(), "10");
    assert!(service.child("AccessConstraints").unwrap().text().contains("Etalab"));
}

#[actix_web::test]
async fn capabilities_130_extents_are_right_and_in_authority_axis_order() {
    let app = app(state()).await;
    let root = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await.xml();
    for layer in all(&root, "Layer").into_iter().filter(|l| l.child("Name").is_some()) {
        let name = layer.child("Name").unwrap().text();
        let geo = layer.child("EX_GeographicBoundingBox").unwrap();
        let v = |n: &str| geo.child(n).unwrap().text().parse::<f64>().unwrap();
        let (w, e, s, n) = (
            v("westBoundLongitude"),
            v("eastBoundLongitude"),
            v("southBoundLatitude"),
            v("northBoundLatitude"),
        );
        // Montpellier is near 3.88 E, 43.61 N: degrees, not metres.
        assert!(w < e && s < n, "{name}");
        assert!((3.7..4.0).contains(&w) && (3.7..4.0).contains(&e), "{name}: {w} {e}");
        assert!(
            (43.5..43.7).contains(&s) && (43.5..43.7).contains(&n),
            "{name}: {s} {n}"
        );
        let bbox = |crs: &str| {
            let b = all(layer, "BoundingBox")
                .into_iter()
                .find(|b| b.attr("CRS") == Some(crs))
                .unwrap_or_else(|| panic!("{name}: no {crs} box"));
            ["minx", "miny", "maxx", "maxy"].map(|k| b.attr(k).unwrap().parse::<f64>().unwrap())
        };
        // EPSG:4326 is lat/lon in 1.3.0, and equal to the geographic box.
        assert_eq!(bbox("EPSG:4326"), [s, w, n, e], "{name}");
        assert_eq!(bbox("CRS:84"), [w, s, e, n], "{name}");
        let l93 = bbox("EPSG:2154");
        assert!(
            l93[0] > 760_000.0 && l93[2] < 780_000.0 && l93[1] > 6_270_000.0,
            "{name}: {l93:?}"
        );
        let merc = bbox("EPSG:3857");
        assert!(merc[0] > 420_000.0 && merc[1] > 5_390_000.0, "{name}: {merc:?}");
        assert_eq!(all(layer, "BoundingBox").len(), 7, "{name}: one box per CRS");
        assert!(!all(layer, "Style").is_empty(), "{name}: every layer has a style");
    }
    let ocsol = all(&root, "Layer")
        .into_iter()
        .find(|l| l.child("Name").map(|n| n.text()) == Some("ocsol".into()))
        .unwrap();
    let dim = ocsol.child("Dimension").unwrap();
    assert_eq!(dim.attr("name"), Some("time"));
    assert_eq!(dim.attr("default"), Some("2022"));
    assert_eq!(dim.text(), "2019,2022");
    let styles: Vec<String> = all(ocsol, "Style")
        .iter()
        .map(|s| s.child("Name").unwrap().text())
        .collect();
    assert_eq!(styles, ["couverture", "usage", "transparence"]);
}

#[actix_web::test]
async fn capabilities_111_validate_against_the_dtd() {
    let app = app(state()).await;
    let r = get(&app, "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities").await;
    assert_eq!(r.status, 200);
    assert!(
        r.content_type.starts_with("application/vnd.ogc.wms_xml"),
        "{}",
        r.content_type
    );
    validate(&r.body, Schema::WmsCapabilities111);
    let root = r.xml();
    assert_eq!(root.name, "WMT_MS_Capabilities");
    assert_eq!(root.child("Service").unwrap().child("Name").unwrap().text(), "OGC:WMS");
    // 1.1.1: EPSG:4326 boxes are lon/lat.
    let layer = all(&root, "Layer")
        .into_iter()
        .find(|l| l.child("Name").is_some())
        .unwrap();
    let ll = layer.child("LatLonBoundingBox").unwrap();
    let b = all(layer, "BoundingBox")
        .into_iter()
        .find(|b| b.attr("SRS") == Some("EPSG:4326"))
        .unwrap();
    assert_eq!(ll.attr("minx"), b.attr("minx"));
    assert!(
        b.attr("minx").unwrap().parse::<f64>().unwrap() < 10.0,
        "longitude first"
    );
    // The legacy spellings of 1.0 clients.
    let r = get(&app, "/wms?WMTVER=1.0.0&REQUEST=capabilities").await;
    assert_eq!(r.xml().name, "WMT_MS_Capabilities");
}

#[actix_web::test]
async fn capabilities_version_negotiation_language_and_update_sequence() {
    let app = app(state()).await;
    for (asked, root) in [
        ("100.0.0", "WMS_Capabilities"),
        ("1.2.0", "WMT_MS_Capabilities"),
        ("0.9", "WMT_MS_Capabilities"),
    ] {
        let r = get(
            &app,
            &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION={asked}"),
        )
        .await;
        assert_eq!(r.xml().name, root, "VERSION={asked}");
    }
    let en = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities&LANGUAGE=eng")
        .await
        .xml();
    let title = en.child("Service").unwrap().child("Title").unwrap().text();
    assert_eq!(title, "Shared geographic reference data of Occitanie");

    let root = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await.xml();
    let seq: u64 = root.attr("updateSequence").unwrap().parse().unwrap();
    let r = get(
        &app,
        &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE={seq}"),
    )
    .await;
    assert_eq!(r.exception().0, "CurrentUpdateSequence");
    validate(&r.body, Schema::WmsException130);
    let r = get(
        &app,
        &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE={}", seq + 1),
    )
    .await;
    assert_eq!(r.exception().0, "InvalidUpdateSequence");
    let r = get(
        &app,
        &format!("/wms?SERVICE=WMS&REQUEST=GetCapabilities&UPDATESEQUENCE={}", seq - 1),
    )
    .await;
    assert_eq!(r.xml().name, "WMS_Capabilities");
}

#[actix_web::test]
async fn parameter_names_are_case_insensitive_and_unknown_ones_ignored() {
    let app = app(state()).await;
    let a = get(&app, "/wms?sErViCe=WMS&ReQuEsT=GetCapabilities&BOGUS=ignored").await;
    assert_eq!(a.xml().name, "WMS_Capabilities");
    let bbox = around(basin_centre(), 100.0);
    let q = format!(
        "/wms?version=1.3.0&request=getmap&layers=bdortho&styles=&crs=EPSG:2154&bbox={bbox}&width=64&height=64&format=image/png&DPI=96&MAP_RESOLUTION=96&FORMAT_OPTIONS=dpi:96&TILED=true"
    );
    let r = get(&app, &q).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type, "image/png");
}

// ---------------------------------------------------------------- GetMap pixels

#[actix_web::test]
async fn ortho_shows_the_basin_as_water() {
    let app = app(state()).await;
    let (cx, cy) = basin_centre();
    let q = format!(
        "{MAP130}&LAYERS=bdortho&STYLES=&CRS=EPSG:2154&BBOX={}&WIDTH=80&HEIGHT=80&FORMAT=image/png",
        around((cx, cy), 40.0)
    );
    let r = get(&app, &q).await;
    assert_eq!(r.status, 200, "{}", r.text());
    let img = r.image();
    assert_eq!(img.dimensions(), (80, 80));
    let [red, green, blue] = mean_rgb(&img, 0, 0, 80, 80);
    // Synthetic water is a dark blue-green (38, 74, 88) with ripples.
    assert!(blue > red + 25.0 && green > red + 15.0, "{red} {green} {blue}");
    assert!(
        (20.0..70.0).contains(&red) && (60.0..120.0).contains(&blue),
        "{red} {green} {blue}"
    );
    // Next to the basin there is no water: the colour changes.
    let q = format!(
        "{MAP130}&LAYERS=bdortho&STYLES=&CRS=EPSG:2154&BBOX={}&WIDTH=80&HEIGHT=80&FORMAT=image/png",
        around((BASIN.0 - 45.0, cy), 40.0)
    );
    let [r2, _, b2] = mean_rgb(&get(&app, &q).await.image(), 0, 0, 80, 80);
    assert!(r2 > red + 20.0 || b2 < blue - 20.0, "land next to the basin: {r2} {b2}");
}

#[actix_web::test]
async fn land_cover_is_drawn_with_the_ocs_ge_colours() {
    let app = app(state()).await;
    let q = format!(
        "{MAP130}&LAYERS=ocsol&STYLES=couverture&CRS=EPSG:2154&BBOX={}&WIDTH=64&HEIGHT=64&FORMAT=image/png",
        around(basin_centre(), 30.0)
    );
    let img = get(&app, &q).await.image();
    // CS1.2.2 "Surfaces d'eau" is #00ccf2, every pixel inside the basin.
    assert!(
        img.pixels().all(|p| p.0 == [0, 204, 242, 255]),
        "{:?}",
        img.get_pixel(32, 32)
    );
    // The `usage` style colours by code_us instead (US6.3 is #f0f028).
    let q = q.replace("STYLES=couverture", "STYLES=usage");
    assert_eq!(get(&app, &q).await.image().get_pixel(32, 32).0, [240, 240, 40, 255]);
}

#[actix_web::test]
async fn land_cover_outlines_show_at_large_scales_only() {
    let app = app(state()).await;
    // A 100 m x 50 m box whose middle is the basin's west edge, at 1:1,786
    // (outlines drawn below 1:12,500) and at 1:17,857.
    let bbox = format!(
        "{},{},{},{}",
        BASIN.0 - 50.0,
        BASIN.1 + 25.0,
        BASIN.0 + 50.0,
        BASIN.1 + 75.0
    );
    for (w, outlined) in [(100, true), (10, false)] {
        let q = format!(
            "{MAP130}&LAYERS=ocsol&STYLES=couverture&CRS=EPSG:2154&BBOX={bbox}&WIDTH={}&HEIGHT={w}&FORMAT=image/png",
            2 * w
        );
        let img = get(&app, &q).await.image();
        let water = img.get_pixel(2 * w - 1, w / 2).0;
        let land = img.get_pixel(w - 4, w / 2).0;
        assert_eq!(water, [0, 204, 242, 255], "the basin is on the right");
        let sum = |p: [u8; 4]| p[..3].iter().map(|&c| c as i32).sum::<i32>();
        let darkest = (w - 3..w + 4).map(|x| sum(img.get_pixel(x, w / 2).0)).min().unwrap();
        let fills = sum(water).min(sum(land));
        if outlined {
            // The grey outline darkens the edge below both of its fills...
            assert!(darkest < fills - 20, "outline at 1:1,786: {darkest} vs {fills}");
        } else {
            // ...and is not drawn at 1:17,857, where the edge is a blend of the two.
            assert!(darkest >= fills, "no outline at 1:17,857: {darkest} vs {fills}");
        }
    }
}

#[actix_web::test]
async fn the_erp_landmark_is_drawn_at_its_position() {
    let app = app(state()).await;
    let q = format!(
        "{MAP130}&LAYERS=erp&STYLES=&CRS=EPSG:2154&BBOX={}&WIDTH=101&HEIGHT=101&FORMAT=image/png&TRANSPARENT=TRUE",
        around(LANDMARK_ERP, 25.0)
    );
    let img = get(&app, &q).await.image();
    assert_eq!(img.dimensions(), (101, 101));
    // The town hall is a category 1 "W" ERP: a 16 px slate square
    // (administrations), white outline, centred on the point.
    let slate = [0x5f, 0x6b, 0x73, 255];
    assert_eq!(img.get_pixel(50, 50).0, slate);
    assert_eq!(img.get_pixel(50 + 6, 50).0, slate, "inside the square");
    assert_eq!(img.get_pixel(50 + 11, 50).0[3], 0, "outside the square");
    // Its name is written above it at this scale (1:1,800), when the map is
    // wide enough for the whole label: dark text pixels there.
    let (x0, y0, x1, y1) = (
        LANDMARK_ERP.0 - 75.0,
        LANDMARK_ERP.1 - 25.0,
        LANDMARK_ERP.0 + 75.0,
        LANDMARK_ERP.1 + 25.0,
    );
    let wide = format!(
        "{MAP130}&LAYERS=erp&STYLES=&CRS=EPSG:2154&BBOX={x0},{y0},{x1},{y1}&WIDTH=301&HEIGHT=101&FORMAT=image/png&TRANSPARENT=TRUE"
    );
    let img = get(&app, &wide).await.image();
    let dark = |p: &image::Rgba<u8>| p.0[3] == 255 && p.0[0] < 90 && p.0[1] < 90 && p.0[2] < 90;
    let text = (30..48)
        .flat_map(|y| (60..240).map(move |x| (x, y)))
        .filter(|&(x, y)| dark(img.get_pixel(x, y)))
        .count();
    assert!(text > 20, "the label is drawn above the symbol ({text} dark pixels)");
    // The 101-pixel map is too narrow for the whole name: it is left out, not cut.
    let narrow = get(&app, &q).await.image();
    let cut = (0..101).any(|y| dark(narrow.get_pixel(0, y)) || dark(narrow.get_pixel(100, y)));
    assert!(!cut, "no label crosses the map's edge");
    // In EPSG:3857, the symbol is still at the point.
    let (x, y) = tuile_core::grid::transform_point(
        tuile_core::grid::Crs::lambert93(),
        tuile_core::grid::Crs::web_mercator(),
        LANDMARK_ERP.0,
        LANDMARK_ERP.1,
    )
    .unwrap();
    let q = format!(
        "{MAP130}&LAYERS=erp&STYLES=&CRS=EPSG:3857&BBOX={}&WIDTH=101&HEIGHT=101&FORMAT=image/png&TRANSPARENT=TRUE",
        around((x, y), 35.0)
    );
    assert_eq!(get(&app, &q).await.image().get_pixel(50, 50).0, slate);
}

#[actix_web::test]
async fn layers_are_drawn_bottom_first() {
    let app = app(state()).await;
    let bbox = around(basin_centre(), 30.0);
    let q = |layers: &str| {
        format!("{MAP130}&LAYERS={layers}&STYLES=&CRS=EPSG:2154&BBOX={bbox}&WIDTH=32&HEIGHT=32&FORMAT=image/png")
    };
    let ortho_under = get(&app, &q("bdortho,ocsol")).await.image();
    assert_eq!(ortho_under.get_pixel(16, 16).0, [0, 204, 242, 255], "land cover on top");
    let ortho_over = get(&app, &q("ocsol,bdortho")).await.image();
    assert_ne!(ortho_over.get_pixel(16, 16).0, [0, 204, 242, 255], "ortho on top");
}

#[actix_web::test]
async fn time_selects_the_land_cover_edition() {
    let app = app(state()).await;
    let extent = "769000,6278000,771000,6280000";
    let q = |time: &str| {
        format!("{MAP130}&LAYERS=ocsol&STYLES=&CRS=EPSG:2154&BBOX={extent}&WIDTH=400&HEIGHT=400&FORMAT=image/png{time}")
    };
    let r = get(&app, &q("")).await;
    assert_eq!(
        r.headers
            .get("warning")
            .expect("a Warning header for the default edition"),
        "99 Default value used: time=2022 ISO8601"
    );
    let default = r.body;
    let r = get(&app, &q("&TIME=2022")).await;
    assert!(r.headers.get("warning").is_none());
    let y2022 = r.body;
    let y2019 = get(&app, &q("&TIME=2019")).await.body;
    assert_eq!(default, y2022, "the latest edition is the default");
    assert_ne!(y2019, y2022, "parcels changed between editions");
    let r = get(&app, &q("&TIME=1999")).await;
    assert_eq!(r.exception(), ("InvalidDimensionValue".into(), Some("TIME".into())));
}

#[actix_web::test]
async fn bbox_is_the_outer_edge_and_size_is_exact() {
    let app = app(state()).await;
    for (w, h) in [(10, 7), (8, 5), (513, 339), (1024, 768)] {
        let q = format!(
            "{MAP130}&LAYERS=bdortho&STYLES=&CRS=EPSG:2154&BBOX=769900,6279000,770300,6279300&WIDTH={w}&HEIGHT={h}&FORMAT=image/png"
        );
        let img = get(&app, &q).await.image();
        assert_eq!(img.dimensions(), (w, h));
        // The ortho covers the whole box: no white or transparent border.
        for (x, y) in [(0, 0), (w - 1, 0), (0, h - 1), (w - 1, h - 1)] {
            let p = img.get_pixel(x, y).0;
            assert!(
                p[3] == 255 && p[..3] != [255, 255, 255],
                "{w}x{h} corner ({x},{y}) = {p:?}"
            );
        }
    }
}

#[actix_web::test]
async fn transparency_and_background_colour() {
    let app = app(state()).await;
    // Far from any feature and outside the ortho: only background.
    let empty = "760000,6270000,760100,6270100";
    let q = |extra: &str| {
        format!("{MAP130}&LAYERS=erp&STYLES=&CRS=EPSG:2154&BBOX={empty}&WIDTH=20&HEIGHT=20{extra}&FORMAT=image/png")
    };
    let white = get(&app, &q("")).await.image();
    assert!(white.pixels().all(|p| p.0 == [255, 255, 255, 255]));
    let blue = get(&app, &q("&BGCOLOR=0x0000FF")).await.image();
    assert!(blue.pixels().all(|p| p.0 == [0, 0, 255, 255]));
    let clear = get(&app, &q("&TRANSPARENT=TRUE")).await.image();
    assert!(clear.pixels().all(|p| p.0[3] == 0));
    let opaque = get(&app, &q("&TRANSPARENT=FALSE")).await.image();
    assert!(opaque.pixels().all(|p| p.0[3] == 255));
    // JPEG has no alpha: transparent areas take the background colour.
    // (The first FORMAT given wins.)
    let r = get(&app, &q("&TRANSPARENT=TRUE&FORMAT=image/jpeg&BGCOLOR=0x00FF00")).await;
    assert_eq!(r.content_type, "image/jpeg");
    let p = r.image().get_pixel(10, 10).0;
    assert!(p[0] < 10 && p[1] > 245 && p[2] < 10, "{p:?}");
}

#[actix_web::test]
async fn outside_the_data_or_the_scale_range_gives_an_image() {
    let app = app(state()).await;
    // A box with no data at all.
    let q = format!(
        "{MAP130}&LAYERS=bdortho,ocsol,erp,adresses&STYLES=&CRS=CRS:84&BBOX=-10,-10,-9,-9&WIDTH=30&HEIGHT=30&FORMAT=image/png"
    );
    let r = get(&app, &q).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.image().pixels().all(|p| p.0 == [255, 255, 255, 255]));
    // adresses draws below 1:25,000 only: at 1:1,000,000 it is an empty image.
    let q = format!(
        "{MAP130}&LAYERS=adresses&STYLES=&CRS=EPSG:2154&BBOX=700000,6200000,800000,6300000&WIDTH=357&HEIGHT=357&FORMAT=image/png"
    );
    let r = get(&app, &q).await;
    assert_eq!(r.status, 200);
    assert!(r.image().pixels().all(|p| p.0 == [255, 255, 255, 255]));
    // A box outside the CRS's range is an empty image, not an exception.
    let q =
        format!("{MAP130}&LAYERS=bdortho&STYLES=&CRS=EPSG:4326&BBOX=95,200,99,210&WIDTH=10&HEIGHT=10&FORMAT=image/png");
    assert_eq!(get(&app, &q).await.status, 200);
}

#[actix_web::test]
async fn axis_order_follows_the_version() {
    let app = app(state()).await;
    let (lat0, lon0, lat1, lon1) = (43.6075, 3.8745, 43.6095, 3.8775);
    let v130 = get(&app, &format!("{MAP130}&LAYERS=bdortho,erp&STYLES=&CRS=EPSG:4326&BBOX={lat0},{lon0},{lat1},{lon1}&WIDTH=120&HEIGHT=80&FORMAT=image/png")).await;
    let v111 = get(&app, &format!("{MAP111}&LAYERS=bdortho,erp&STYLES=&SRS=EPSG:4326&BBOX={lon0},{lat0},{lon1},{lat1}&WIDTH=120&HEIGHT=80&FORMAT=image/png")).await;
    let crs84 = get(&app, &format!("{MAP130}&LAYERS=bdortho,erp&STYLES=&CRS=CRS:84&BBOX={lon0},{lat0},{lon1},{lat1}&WIDTH=120&HEIGHT=80&FORMAT=image/png")).await;
    assert_eq!(v130.status, 200, "{}", v130.text());
    assert_eq!(v130.body, v111.body);
    assert_eq!(v130.body, crs84.body);
    let white = v130.image().pixels().filter(|p| p.0 == [255, 255, 255, 255]).count();
    assert!(
        white < 120 * 80 / 20,
        "the ortho covers the box; only symbol outlines are white ({white})"
    );
}

#[actix_web::test]
async fn exponent_bbox_renders_byte_identical() {
    let app = app(state()).await;
    let plain = get(&app, &format!("{MAP130}&LAYERS=bdortho&STYLES=&CRS=EPSG:2154&BBOX=770000,6279000,770400,6279400&WIDTH=50&HEIGHT=50&FORMAT=image/png")).await;
    let expo = get(&app, &format!("{MAP130}&LAYERS=bdortho&STYLES=&CRS=EPSG:2154&BBOX=7.7e%2B05,6.279e6,7.704E5,%2B6.2794e%2B06&WIDTH=50&HEIGHT=50&FORMAT=image/png")).await;
    assert_eq!(plain.status, 200);
    assert_eq!(plain.body, expo.body);
}

/// The orthophoto over `b` (x/y order, in `crs`, named `name`) as tuile
/// draws it and as gdalwarp warps it, both RGBA.
async fn ortho_and_gdalwarp<S>(
    app: &S,
    name: &str,
    crs: tuile_core::grid::Crs,
    b: &tuile_core::grid::BBox,
    w: u32,
    h: u32,
) -> (Vec<u8>, Vec<u8>)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let v = crs.bbox_to_axis_order(b, true);
    let q = format!(
        "{MAP130}&LAYERS=bdortho&STYLES=&CRS={name}&BBOX={},{},{},{}&WIDTH={w}&HEIGHT={h}&FORMAT=image/png&TRANSPARENT=TRUE",
        v[0], v[1], v[2], v[3]
    );
    let ours = get(app, &q).await.image().into_raw();
    let theirs = gdalwarp_rgba(
        &data_dir().join("bdortho/bdortho.vrt"),
        name,
        [b.minx, b.miny, b.maxx, b.maxy],
        w,
        h,
    );
    (ours, theirs)
}

#[actix_web::test]
async fn reprojected_ortho_matches_gdalwarp() {
    let app = app(state()).await;
    let l93 = [769_950.0, 6_279_050.0, 770_450.0, 6_279_350.0];
    let cases = [
        ("EPSG:3857", tuile_core::grid::Crs::web_mercator()),
        ("EPSG:4326", tuile_core::grid::Crs::wgs84()),
        ("EPSG:2154", tuile_core::grid::Crs::lambert93()),
        ("EPSG:3944", tuile_core::grid::Crs::parse("EPSG:3944").unwrap()),
    ];
    for (name, crs) in cases {
        let b = tuile_core::grid::transform_bbox(
            &tuile_core::grid::BBox::new(l93[0], l93[1], l93[2], l93[3]),
            tuile_core::grid::Crs::lambert93(),
            crs,
        )
        .unwrap();
        let (w, h) = (300, 200);
        let (ours, theirs) = ortho_and_gdalwarp(&app, name, crs, &b, w, h).await;
        let mut worst = 0i32;
        for (a, g) in ours.chunks_exact(4).zip(theirs.chunks_exact(4)) {
            if g[3] == 255 && a[3] == 255 {
                for c in 0..3 {
                    worst = worst.max((a[c] as i32 - g[c] as i32).abs());
                }
            }
        }
        let covered = theirs.chunks_exact(4).filter(|p| p[3] == 255).count();
        assert!(covered > (w * h / 2) as usize, "{name}: the box is on the data");
        assert!(worst <= 1, "{name}: differs from gdalwarp by up to {worst}");
    }
}

#[actix_web::test]
async fn reprojected_ortho_inside_the_data_matches_gdalwarp_at_every_scale() {
    // Boxes wholly inside the orthophoto, from 1:150 to 1:10,000, some of
    // whose overview pixels (read through the VRT from the files' own
    // overviews) depend on the window read: what GDAL reads, tuile reads.
    let app = app(state()).await;
    let l93 = tuile_core::grid::Crs::lambert93();
    let cases = [
        ("EPSG:3857", 40.0, 256, 256),
        ("EPSG:3857", 300.0, 256, 256),
        ("EPSG:3857", 900.0, 256, 256),
        ("EPSG:4326", 213.0, 64, 46),
        ("EPSG:4326", 46.0, 128, 93),
        ("EPSG:4326", 780.0, 512, 372),
        ("EPSG:3944", 500.0, 300, 300),
    ];
    for (i, (name, metres, w, h)) in cases.into_iter().enumerate() {
        let crs = tuile_core::grid::Crs::parse(name).unwrap();
        let (cx, cy) = (770_050.0 + 37.0 * i as f64, 6_279_020.0 - 29.0 * i as f64);
        let half = metres / 2.0;
        let b = tuile_core::grid::transform_bbox(
            &tuile_core::grid::BBox::new(cx - half, cy - half, cx + half, cy + half),
            l93,
            crs,
        )
        .unwrap();
        let (ours, theirs) = ortho_and_gdalwarp(&app, name, crs, &b, w, h).await;
        assert!(
            theirs.chunks_exact(4).all(|p| p[3] == 255),
            "{name} {metres} m: inside the data"
        );
        let worst = ours
            .iter()
            .zip(&theirs)
            .map(|(a, g)| (*a as i32 - *g as i32).abs())
            .max()
            .unwrap();
        assert!(
            worst <= 1,
            "{name} {metres} m in {w} px: differs from gdalwarp by up to {worst}"
        );
    }
}

#[actix_web::test]
async fn jpeg_maps() {
    let app = app(state()).await;
    let r = get(&app, &format!("{MAP130}&LAYERS=bdortho&STYLES=&CRS=EPSG:2154&BBOX=769000,6278000,771000,6280000&WIDTH=1024&HEIGHT=1024&FORMAT=image/jpeg")).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.content_type, "image/jpeg");
    assert_eq!(&r.body[..2], &[0xFF, 0xD8]);
    assert_eq!(r.image().dimensions(), (1024, 1024));
}

// ---------------------------------------------------------------- exceptions

async fn expect_exception<S>(app: &S, uri: &str, code: &str, locator: Option<&str>)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let r = get(app, uri).await;
    assert_eq!(r.status, 400, "{uri}: {}", r.text());
    assert!(r.content_type.contains("xml"), "{uri}: {}", r.content_type);
    let (got, loc) = r.exception();
    assert_eq!(got, code, "{uri}: {}", r.text());
    if let Some(l) = locator {
        assert_eq!(loc.as_deref(), Some(l), "{uri}");
    }
    if r.content_type.starts_with("text/xml") {
        validate(&r.body, Schema::WmsException130);
    } else {
        validate(&r.body, Schema::WmsException111);
    }
}

#[actix_web::test]
async fn getmap_errors_have_the_standard_codes() {
    let app = app(state()).await;
    let ok =
        "LAYERS=bdortho&STYLES=&CRS=EPSG:2154&BBOX=769000,6278000,771000,6280000&WIDTH=64&HEIGHT=64&FORMAT=image/png";
    let with = |from: &str, to: &str| format!("{MAP130}&{}", ok.replace(from, to));
    expect_exception(
        &app,
        &format!("/wms?REQUEST=GetMap&{ok}"),
        "MissingParameterValue",
        Some("VERSION"),
    )
    .await;
    expect_exception(
        &app,
        &with("LAYERS=bdortho", "LAYERS=nope"),
        "LayerNotDefined",
        Some("LAYERS"),
    )
    .await;
    expect_exception(
        &app,
        &with("LAYERS=bdortho", "LAYERS=bdortho,nope"),
        "LayerNotDefined",
        None,
    )
    .await;
    expect_exception(
        &app,
        &with("LAYERS=bdortho&", ""),
        "MissingParameterValue",
        Some("LAYERS"),
    )
    .await;
    expect_exception(
        &app,
        &with("STYLES=", "STYLES=fancy"),
        "StyleNotDefined",
        Some("STYLES"),
    )
    .await;
    expect_exception(
        &app,
        &with("LAYERS=bdortho&STYLES=", "LAYERS=ocsol,erp&STYLES=couverture,nope"),
        "StyleNotDefined",
        None,
    )
    .await;
    expect_exception(
        &app,
        &with("CRS=EPSG:2154", "CRS=UndefinedCRS"),
        "InvalidCRS",
        Some("CRS"),
    )
    .await;
    expect_exception(
        &app,
        &with("CRS=EPSG:2154", "CRS=EPSG:32631"),
        "InvalidCRS",
        Some("CRS"),
    )
    .await;
    expect_exception(
        &app,
        &with("FORMAT=image/png", "FORMAT=UnknownFormat"),
        "InvalidFormat",
        Some("FORMAT"),
    )
    .await;
    expect_exception(
        &app,
        &with("FORMAT=image/png", "FORMAT="),
        "MissingParameterValue",
        Some("FORMAT"),
    )
    .await;
    expect_exception(
        &app,
        &with("WIDTH=64", "WIDTH=5000"),
        "InvalidParameterValue",
        Some("WIDTH"),
    )
    .await;
    expect_exception(
        &app,
        &with("HEIGHT=64", "HEIGHT=0"),
        "InvalidParameterValue",
        Some("HEIGHT"),
    )
    .await;
    expect_exception(
        &app,
        &with("WIDTH=64", "WIDTH=abc"),
        "InvalidParameterValue",
        Some("WIDTH"),
    )
    .await;
    expect_exception(&app, &with("WIDTH=64&", ""), "MissingParameterValue", Some("WIDTH")).await;
    expect_exception(
        &app,
        &with(
            "BBOX=769000,6278000,771000,6280000",
            "BBOX=771000,6278000,769000,6280000",
        ),
        "InvalidParameterValue",
        Some("BBOX"),
    )
    .await;
    expect_exception(
        &app,
        &with("BBOX=769000,6278000,771000,6280000", "BBOX=1,2,3"),
        "InvalidParameterValue",
        Some("BBOX"),
    )
    .await;
    expect_exception(
        &app,
        &with("BBOX=769000,6278000,771000,6280000", "BBOX=a,b,c,d"),
        "InvalidParameterValue",
        Some("BBOX"),
    )
    .await;
    expect_exception(
        &app,
        &with("BBOX=769000,6278000,771000,6280000", "BBOX=1,1,1,1"),
        "InvalidParameterValue",
        Some("BBOX"),
    )
    .await;
    expect_exception(
        &app,
        &format!("{MAP130}&{ok}&TRANSPARENT=maybe"),
        "InvalidParameterValue",
        Some("TRANSPARENT"),
    )
    .await;
    expect_exception(
        &app,
        &format!("{MAP130}&{ok}&BGCOLOR=blue"),
        "InvalidParameterValue",
        Some("BGCOLOR"),
    )
    .await;
    let eleven = format!(
        "{MAP130}&{}",
        ok.replace("LAYERS=bdortho", &format!("LAYERS={}", ["erp"; 11].join(",")))
    );
    expect_exception(&app, &eleven, "InvalidParameterValue", Some("LAYERS")).await;
    // WMS 1.1.1 names it InvalidSRS, in its own exception format.
    let r = get(
        &app,
        &format!("{MAP111}&{}", ok.replace("CRS=EPSG:2154", "SRS=EPSG:9999999")),
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(
        r.content_type.starts_with("application/vnd.ogc.se_xml"),
        "{}",
        r.content_type
    );
    assert_eq!(r.exception().0, "InvalidSRS");
    validate(&r.body, Schema::WmsException111);
}

#[actix_web::test]
async fn operation_and_service_errors() {
    let app = app(state()).await;
    expect_exception(&app, "/wms?SERVICE=WMS", "MissingParameterValue", Some("REQUEST")).await;
    expect_exception(
        &app,
        "/wms?SERVICE=WFS&REQUEST=GetCapabilities",
        "InvalidParameterValue",
        Some("SERVICE"),
    )
    .await;
    let r = get(&app, "/wms?SERVICE=WMS&REQUEST=GetBogus&VERSION=1.3.0").await;
    assert_eq!(r.exception().0, "OperationNotSupported");
    assert_eq!(r.status, 501);
    validate(&r.body, Schema::WmsException130);
}

#[actix_web::test]
async fn exceptions_blank_answers_with_an_image_of_the_background() {
    let app = app(state()).await;
    let q = format!(
        "{MAP130}&LAYERS=nope&STYLES=&CRS=EPSG:2154&BBOX=769000,6278000,771000,6280000&WIDTH=20&HEIGHT=10&FORMAT=image/png&EXCEPTIONS=BLANK&BGCOLOR=0xFF0000"
    );
    let r = get(&app, &q).await;
    assert_eq!(r.status, 200);
    let img = r.image();
    assert_eq!(img.dimensions(), (20, 10));
    assert!(img.pixels().all(|p| p.0 == [255, 0, 0, 255]));
    let r = get(&app, &format!("{q}&TRANSPARENT=TRUE")).await;
    assert!(r.image().pixels().all(|p| p.0[3] == 0));
}

// ---------------------------------------------------------------- GetFeatureInfo

const GFI: &str = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo";

/// A 101×101 map centred on `p`, 1 m per pixel, probed at its centre.
fn gfi_at(p: (f64, f64), layers: &str, format: &str) -> String {
    format!(
        "{GFI}&LAYERS={layers}&QUERY_LAYERS={layers}&STYLES=&CRS=EPSG:2154&BBOX={}&WIDTH=101&HEIGHT=101&I=50&J=50&INFO_FORMAT={format}",
        around(p, 50.5)
    )
}

#[actix_web::test]
async fn feature_info_finds_the_features_under_the_pixel_in_every_format() {
    let app = app(state()).await;
    let r = get(&app, &gfi_at(LANDMARK_ERP, "bdortho,ocsol,erp", "application/json")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type, "application/json");
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let features = json["features"].as_array().unwrap();
    let by_layer = |l: &str| {
        features
            .iter()
            .find(|f| f["properties"]["layer"] == l)
            .unwrap_or_else(|| panic!("{l}: {json}"))
    };
    assert_eq!(by_layer("erp")["properties"]["nom"], "Hôtel de Ville de Montpellier");
    assert_eq!(by_layer("erp")["properties"]["categorie_erp"], 1);
    let lon = by_layer("erp")["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((3.87..3.88).contains(&lon), "GeoJSON is lon/lat: {lon}");
    assert_eq!(by_layer("ocsol")["properties"]["millesime"], 2022);
    assert!(by_layer("bdortho")["properties"]["band_3"].is_number());
    // The basin is water in the land cover.
    let r = get(&app, &gfi_at(basin_centre(), "ocsol", "application/geo+json")).await;
    assert_eq!(r.content_type, "application/geo+json");
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(json["features"][0]["properties"]["code_cs"], "CS1.2.2");
    assert_eq!(json["features"][0]["geometry"]["type"], "Polygon");
    for (format, needle) in [
        ("text/plain", "nom = Hôtel de Ville de Montpellier"),
        ("text/html", "<td>Hôtel de Ville de Montpellier</td>"),
        ("text/xml", "<tuile:nom>Hôtel de Ville de Montpellier</tuile:nom>"),
        (
            "application/vnd.ogc.gml",
            "<tuile:nom>Hôtel de Ville de Montpellier</tuile:nom>",
        ),
    ] {
        let r = get(&app, &gfi_at(LANDMARK_ERP, "erp", format)).await;
        assert_eq!(r.status, 200);
        assert!(r.content_type.starts_with(format), "{format}: {}", r.content_type);
        assert!(r.text().contains(needle), "{format}: {}", r.text());
    }
    // Nothing there: an empty collection, not an error.
    let r = get(&app, &gfi_at(basin_centre(), "erp", "application/json")).await;
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(json["features"].as_array().unwrap().len(), 0);
}

#[actix_web::test]
async fn feature_info_gml_validates_against_its_schema() {
    let app = app(state()).await;
    let xsd = get(&app, "/schemas/tuile.xsd").await;
    assert_eq!(xsd.status, 200);
    let xsd_path = tempfile(&xsd.body);
    let schemas = fixtures().join("ogc-schemas").canonicalize().unwrap();
    // A wrapper that loads GML 3.1.1 through local paths first (libxml2
    // resolves imports by the first location it meets), then tuile's schema.
    let wrapper = format!(
        r#"<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" elementFormDefault="qualified">
  <xs:import namespace="http://www.w3.org/XML/1998/namespace" schemaLocation="{s}/w3c/2001/xml.xsd"/>
  <xs:import namespace="http://www.w3.org/1999/xlink" schemaLocation="{s}/w3c/1999/xlink.xsd"/>
  <xs:import namespace="http://www.opengis.net/gml" schemaLocation="{s}/gml/3.1.1/base/gml.xsd"/>
  <xs:import namespace="http://www.tuile.org/features" schemaLocation="{x}"/>
</xs:schema>"#,
        s = schemas.display(),
        x = xsd_path.display()
    );
    let wrapper_path = tempfile(wrapper.as_bytes());
    for (version, point) in [("1.3.0", "I=50&J=50"), ("1.1.1", "X=50&Y=50")] {
        let crs = if version == "1.3.0" { "CRS" } else { "SRS" };
        let q = format!(
            "/wms?SERVICE=WMS&VERSION={version}&REQUEST=GetFeatureInfo&LAYERS=bdortho,ocsol,erp&QUERY_LAYERS=bdortho,ocsol,erp&STYLES=&{crs}=EPSG:2154&BBOX={}&WIDTH=101&HEIGHT=101&{point}&INFO_FORMAT=application/vnd.ogc.gml&FEATURE_COUNT=5",
            around(LANDMARK_ERP, 50.5)
        );
        let r = get(&app, &q).await;
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(all(&r.xml(), "featureMember").len(), 3, "{}", r.text());
        let doc = tempfile(&r.body);
        let out = std::process::Command::new("xmllint")
            .env("XML_CATALOG_FILES", schemas.join("catalog.xml"))
            .args(["--noout", "--nonet", "--schema"])
            .arg(&wrapper_path)
            .arg(&doc)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            r.text()
        );
    }
}

#[actix_web::test]
async fn feature_count_returns_more_features() {
    let app = app(state()).await;
    // A "bis" address stands 2.5 m from its plain number: both within reach at 1 m per pixel.
    let src = tuile_core::source::FgbSource::open(&data_dir().join("adresses.fgb")).unwrap();
    let mut bis = None;
    src.scan(Default::default(), |f, _| {
        if f.property("rep") == Some(tuile_core::feature::Value::Str("bis")) {
            let mut s = tuile_core::feature::Shape::default();
            f.read_shape(&mut s);
            bis = Some((s.xs[0], s.ys[0]));
            return false;
        }
        true
    })
    .unwrap();
    let p = bis.expect("the data has bis numbers");
    let q = |count: u32| {
        format!(
            "{GFI}&LAYERS=adresses&QUERY_LAYERS=adresses&STYLES=&CRS=EPSG:2154&BBOX={}&WIDTH=101&HEIGHT=101&I=50&J=50&INFO_FORMAT=application/json&FEATURE_COUNT={count}",
            around(p, 50.5)
        )
    };
    let one = get(&app, &q(1)).await;
    let two = get(&app, &q(2)).await;
    let n = |r: &Reply| {
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["features"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(n(&one), 1);
    assert_eq!(n(&two), 2);
    assert!(two.body.len() > one.body.len());
    // The nearest comes first: the probed bis number.
    let json: serde_json::Value = serde_json::from_slice(&two.body).unwrap();
    assert_eq!(json["features"][0]["properties"]["rep"], "bis");
}

#[actix_web::test]
async fn feature_info_errors() {
    let app = app(state()).await;
    let ok = gfi_at(LANDMARK_ERP, "erp", "application/json");
    expect_exception(&app, &ok.replace("&I=50", "&I=151"), "InvalidPoint", Some("I")).await;
    expect_exception(&app, &ok.replace("&J=50", "&J=-1"), "InvalidPoint", Some("J")).await;
    expect_exception(&app, &ok.replace("&J=50", "&J=x"), "InvalidPoint", Some("J")).await;
    expect_exception(&app, &ok.replace("&I=50", ""), "MissingParameterValue", Some("I")).await;
    expect_exception(
        &app,
        &ok.replace("application/json", "image/bogus"),
        "InvalidFormat",
        Some("INFO_FORMAT"),
    )
    .await;
    expect_exception(
        &app,
        &ok.replace("&INFO_FORMAT=application/json", ""),
        "MissingParameterValue",
        Some("INFO_FORMAT"),
    )
    .await;
    expect_exception(
        &app,
        &ok.replace("QUERY_LAYERS=erp", "QUERY_LAYERS=nope"),
        "LayerNotDefined",
        Some("QUERY_LAYERS"),
    )
    .await;
    expect_exception(
        &app,
        &ok.replace("QUERY_LAYERS=erp", "QUERY_LAYERS=ocsol"),
        "LayerNotDefined",
        Some("QUERY_LAYERS"),
    )
    .await;
    expect_exception(
        &app,
        &ok.replace("&QUERY_LAYERS=erp", ""),
        "MissingParameterValue",
        Some("QUERY_LAYERS"),
    )
    .await;
    expect_exception(
        &app,
        &format!("{ok}&FEATURE_COUNT=0"),
        "InvalidParameterValue",
        Some("FEATURE_COUNT"),
    )
    .await;
}

#[actix_web::test]
async fn capabilities_advertise_feature_info() {
    let app = app(state()).await;
    let root = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await.xml();
    let gfi = all(&root, "GetFeatureInfo");
    assert_eq!(gfi.len(), 1);
    let formats: Vec<String> = gfi[0]
        .elements()
        .filter(|e| e.name == "Format")
        .map(|e| e.text())
        .collect();
    for f in [
        "text/plain",
        "text/html",
        "application/json",
        "application/geo+json",
        "text/xml",
        "application/vnd.ogc.gml",
    ] {
        assert!(formats.iter().any(|x| x == f), "{f} in {formats:?}");
    }
    for layer in all(&root, "Layer").into_iter().filter(|l| l.child("Name").is_some()) {
        assert_eq!(layer.attr("queryable"), Some("1"));
    }
}

// ---------------------------------------------------------------- legends

#[actix_web::test]
async fn legends_have_one_entry_per_rule_with_its_colour() {
    let app = app(state()).await;
    let q = "/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/png&LAYER=ocsol&STYLE=couverture&SLD_VERSION=1.1.0";
    let r = get(&app, q).await;
    assert_eq!((r.status, r.content_type.as_str()), (200, "image/png"));
    let img = r.image();
    // 14 cover classes and the outline rule, one row of a 20 px swatch each.
    let style = tuile_core::style::sld::load(&repo().join("styles/ocsol/couverture.sld")).unwrap();
    assert_eq!(style.rules.len(), 15);
    let row = (img.height() as f32 - 8.0) / 15.0;
    for (k, rule) in style.rules.iter().enumerate() {
        let y = (4.0 + k as f32 * row + row / 2.0) as u32;
        let px = img.get_pixel(4 + 10, y).0;
        if let Some(tuile_core::style::Symbolizer::Polygon(p)) = rule.symbolizers.first() {
            let c = p.fill.as_ref().unwrap().color;
            assert_eq!(px, [c.r, c.g, c.b, 255], "row {k} ({:?})", rule.name);
        }
    }
    // SCALE keeps the rules drawn at that scale: no outlines at 1:50,000.
    let small = get(&app, &format!("{q}&SCALE=50000")).await.image();
    assert!(small.height() < img.height());
    // RULE draws one entry.
    let one = get(&app, &format!("{q}&RULE=CS1.2.2&WIDTH=30&HEIGHT=30")).await.image();
    assert!(one.height() < 45);
    assert_eq!(one.get_pixel(4 + 15, one.height() / 2).0, [0, 204, 242, 255]);
    let e = get(&app, &q.replace("LAYER=ocsol", "LAYER=nope")).await;
    assert_eq!(e.exception().0, "LayerNotDefined");
    let e = get(&app, &q.replace("STYLE=couverture", "STYLE=nope")).await;
    assert_eq!(e.exception().0, "StyleNotDefined");
    let e = get(&app, &q.replace("FORMAT=image/png", "FORMAT=image/bogus")).await;
    assert_eq!(e.exception().0, "InvalidFormat");
    let e = get(&app, &format!("{q}&RULE=nope")).await;
    assert_eq!(e.exception().0, "InvalidParameterValue");
}

#[actix_web::test]
async fn every_legend_url_answers_an_image_of_the_advertised_size() {
    let app = app(state()).await;
    for caps in [
        "/wms?SERVICE=WMS&REQUEST=GetCapabilities",
        "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities",
    ] {
        let root = get(&app, caps).await.xml();
        let legends = all(&root, "LegendURL");
        assert_eq!(legends.len(), 6, "one per style");
        for l in legends {
            let href = l.child("OnlineResource").unwrap().attr("href").unwrap();
            let path = &href[href.find("/wms").unwrap()..];
            let r = get(&app, path).await;
            assert_eq!(r.content_type, l.child("Format").unwrap().text());
            let (w, h): (u32, u32) = (
                l.attr("width").unwrap().parse().unwrap(),
                l.attr("height").unwrap().parse().unwrap(),
            );
            assert_eq!(r.image().dimensions(), (w, h), "{href}");
        }
    }
    // WMTS styles link the same legends.
    let wmts = get(&app, "/wmts/1.0.0/WMTSCapabilities.xml").await.xml();
    assert_eq!(all(&wmts, "LegendURL").len(), 6);
}

/// Every style file, the demo's and the CITE set's, is valid SLD 1.1 / SE 1.1.
#[test]
fn every_style_file_validates_against_the_sld_schema() {
    let mut n = 0;
    for dir in ["styles", "tests/cite/styles"] {
        for layer in std::fs::read_dir(repo().join(dir)).unwrap() {
            for file in std::fs::read_dir(layer.unwrap().path()).unwrap() {
                let path = file.unwrap().path();
                if path.extension().is_some_and(|e| e == "sld") {
                    validate(&std::fs::read(&path).unwrap(), Schema::Xsd("entry/sld-1.1.0.xsd"));
                    n += 1;
                }
            }
        }
    }
    assert!(n >= 16, "{n} style files");
}
