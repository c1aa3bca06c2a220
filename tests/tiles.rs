//! OGC API – Tiles on the small demo data: tilesets and their links
//! followed, vector tiles decoded and compared with the items API for the
//! same box, editions and properties, Lambert-93 tiles, map tiles, the
//! dataset's tiles, TileJSON, and the answers to tiles that do not exist.

mod common;

use std::collections::BTreeSet;

use common::*;
use geozero::mvt::{Message, Tile, tile};
use serde_json::Value;
use tuile_core::grid::tms::TileMatrixSet;
use tuile_core::grid::{BBox, Crs, transform_bbox};

/// The middle of the demo data, in Lambert-93.
const CENTRE: (f64, f64) = (770_250.0, 6_279_150.0);

fn json(r: &Reply) -> Value {
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.text()))
}

fn local(href: &str) -> &str {
    let rest = href.split_once("://").map(|(_, r)| r).unwrap_or(href);
    &rest[rest.find('/').unwrap_or(rest.len())..]
}

fn href<'a>(doc: &'a Value, rel: &str) -> &'a str {
    doc["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == rel)
        .and_then(|l| l["href"].as_str())
        .unwrap_or_else(|| panic!("no {rel} link in {doc}"))
}

/// The document a link of `doc` leads to.
async fn follow<S>(app: &S, doc: &Value, rel: &str) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    json(&get(app, local(href(doc, rel))).await)
}

fn tile_at(tms: &TileMatrixSet, z: usize, p: (f64, f64)) -> (u32, u32) {
    let b = transform_bbox(&BBox::new(p.0, p.1, p.0 + 0.01, p.1 + 0.01), Crs::lambert93(), tms.crs).unwrap();
    let r = tms.matrices[z].tile_range(&b).unwrap();
    (r.min_row, r.min_col)
}

fn decode(r: &Reply) -> Tile {
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.content_type, "application/vnd.mapbox-vector-tile");
    Tile::decode(&r.body[..]).expect("an MVT tile")
}

fn layer<'a>(t: &'a Tile, name: &str) -> &'a tile::Layer {
    t.layers
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("no layer {name}"))
}

/// A feature's properties, by name.
fn props(l: &tile::Layer, f: &tile::Feature) -> Vec<(String, String)> {
    f.tags
        .chunks(2)
        .map(|kv| {
            let v = &l.values[kv[1] as usize];
            let text = v
                .string_value
                .clone()
                .or(v.uint_value.map(|u| u.to_string()))
                .or(v.sint_value.map(|i| i.to_string()))
                .or(v.double_value.map(|d| d.to_string()))
                .unwrap_or_default();
            (l.keys[kv[0] as usize].clone(), text)
        })
        .collect()
}

fn prop(l: &tile::Layer, f: &tile::Feature, name: &str) -> Option<String> {
    props(l, f).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

/// A geometry's rings or paths, in tile units, decoded from MVT commands.
fn paths(f: &tile::Feature) -> Vec<Vec<(i64, i64)>> {
    let (mut x, mut y) = (0i64, 0i64);
    let mut out: Vec<Vec<(i64, i64)>> = Vec::new();
    let g = &f.geometry;
    let mut i = 0;
    let zigzag = |v: u32| ((v >> 1) as i64) ^ -((v & 1) as i64);
    while i < g.len() {
        let (cmd, count) = (g[i] & 7, g[i] >> 3);
        i += 1;
        match cmd {
            1 | 2 => {
                for _ in 0..count {
                    x += zigzag(g[i]);
                    y += zigzag(g[i + 1]);
                    i += 2;
                    if cmd == 1 {
                        out.push(Vec::new());
                    }
                    out.last_mut().unwrap().push((x, y));
                }
            }
            7 => {
                let first = out.last().unwrap()[0];
                out.last_mut().unwrap().push(first);
            }
            _ => panic!("unknown command {cmd}"),
        }
    }
    out
}

/// Twice the signed area of a closed ring (shoelace).
fn area2(ring: &[(i64, i64)]) -> i64 {
    ring.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum()
}

/// The items of a collection in a box of the tile matrix set's CRS.
async fn items_in<S>(app: &S, id: &str, crs: Crs, b: &BBox, extra: &str) -> Vec<Value>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let uri = format!(
        "/collections/{id}/items?limit=10000&bbox={},{},{},{}&bbox-crs={}&crs={}{extra}",
        b.minx,
        b.miny,
        b.maxx,
        b.maxy,
        crs.uri(),
        crs.uri()
    );
    let doc = json(&get(app, &uri).await);
    assert!(
        doc["links"].as_array().unwrap().iter().all(|l| l["rel"] != "next"),
        "one page"
    );
    doc["features"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn collection_tilesets_lead_to_tiles_through_their_links() {
    let app = app(state()).await;
    let collection = json(&get(&app, "/collections/ocsol").await);
    let list = json(
        &get(
            &app,
            local(href(
                &collection,
                "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector",
            )),
        )
        .await,
    );
    let sets: Vec<&str> = list["tilesets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["crs"].as_str().unwrap())
        .collect();
    for crs in ["EPSG/0/3857", "EPSG/0/2154", "OGC/1.3/CRS84"] {
        assert!(sets.iter().any(|s| s.ends_with(crs)), "{sets:?}");
    }
    for summary in list["tilesets"].as_array().unwrap() {
        assert_eq!(summary["dataType"], "vector");
        let set = json(&get(&app, local(href(summary, "self"))).await);
        let scheme = json(
            &get(
                &app,
                local(href(&set, "http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme")),
            )
            .await,
        );
        assert_eq!(scheme["crs"], set["crs"]);
        assert_eq!(set["layers"][0]["id"], "ocsol");
        assert_eq!(set["layers"][0]["geometryDimension"], 2);
        assert!(
            set["layers"][0]["propertiesSchema"]["properties"]["code_cs"].is_object(),
            "{set}"
        );
        // The first tile of the last level listed, through the item template.
        let limits = set["tileMatrixSetLimits"].as_array().unwrap();
        let last = limits.last().unwrap();
        let template = set["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "item")
            .unwrap();
        assert_eq!(template["type"], "application/vnd.mapbox-vector-tile");
        let uri = template["href"]
            .as_str()
            .unwrap()
            .replace("{tileMatrix}", last["tileMatrix"].as_str().unwrap())
            .replace("{tileRow}", &last["minTileRow"].to_string())
            .replace("{tileCol}", &last["minTileCol"].to_string());
        let r = get(&app, local(&uri)).await;
        assert!(r.status == 200 || r.status == 204, "{uri}: {}", r.status);
        // Just past the limits: 404, as the standard asks.
        let outside =
            uri.rsplit_once('/').unwrap().0.to_string() + &format!("/{}", last["maxTileCol"].as_u64().unwrap() + 1);
        assert_eq!(get(&app, local(&outside)).await.status, 404, "{outside}");
    }
}

#[actix_web::test]
async fn a_point_tile_holds_exactly_the_items_in_its_box() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    for z in [14, 16] {
        let (row, col) = tile_at(tms, z, CENTRE);
        let t = decode(&get(&app, &format!("/collections/erp/tiles/WebMercatorQuad/{z}/{row}/{col}")).await);
        let l = layer(&t, "erp");
        assert_eq!(l.extent, Some(4096));
        let b = tms.matrices[z].tile_bbox(row, col);
        let items = items_in(&app, "erp", tms.crs, &b, "").await;
        assert!(!items.is_empty());
        let in_tile: BTreeSet<String> = l.features.iter().filter_map(|f| prop(l, f, "id")).collect();
        // Every item in the box is in the tile; every point well inside the
        // tile (not moved across an edge by rounding) is an item of the box.
        for item in &items {
            let id = item["id"].as_str().unwrap();
            assert!(in_tile.contains(id), "z{z}: {id} is not in the tile");
        }
        let ids: BTreeSet<&str> = items.iter().map(|i| i["id"].as_str().unwrap()).collect();
        for f in &l.features {
            assert_eq!(f.r#type(), tile::GeomType::Point);
            let p = paths(f)[0][0];
            if (1..4095).contains(&p.0) && (1..4095).contains(&p.1) {
                assert!(ids.contains(prop(l, f, "id").unwrap().as_str()), "z{z}: {p:?}");
            }
        }
        // The properties the style reads (filters, labels, symbol sizes), and the identifier.
        let keys: BTreeSet<&str> = l.keys.iter().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["categorie_erp", "id", "nom", "type_erp"]));
    }
}

#[actix_web::test]
async fn lambert93_polygon_tiles_are_clipped_oriented_and_complete() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("LAMB93").unwrap();
    let z = 15;
    let (row, col) = tile_at(tms, z, CENTRE);
    let t = decode(&get(&app, &format!("/collections/ocsol/tiles/LAMB93/{z}/{row}/{col}")).await);
    let l = layer(&t, "ocsol");
    assert!(l.features.len() > 20, "{}", l.features.len());
    for f in &l.features {
        assert_eq!(f.r#type(), tile::GeomType::Polygon);
        let rings = paths(f);
        // A polygon starts with its exterior ring: positive area in tile units (y down).
        assert!(area2(&rings[0]) > 0, "{:?}", prop(l, f, "id"));
        for ring in &rings {
            assert!(ring.len() >= 4 && ring.first() == ring.last());
            for &(x, y) in ring {
                assert!(
                    (-64..=4160).contains(&x) && (-64..=4160).contains(&y),
                    "({x}, {y}) is past the buffer"
                );
            }
        }
    }
    // Each item of the latest edition lying inside the tile is in it, whole.
    let b = tms.matrices[z].tile_bbox(row, col);
    let items = items_in(&app, "ocsol", tms.crs, &b, "&datetime=2022").await;
    let in_tile: BTreeSet<String> = l.features.iter().filter_map(|f| prop(l, f, "id")).collect();
    let mut inside = 0;
    for item in items {
        let mut xs = Vec::new();
        let mut ys = Vec::new();
        for ring in item["geometry"]["coordinates"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|p| {
                if item["geometry"]["type"] == "Polygon" {
                    vec![p]
                } else {
                    p.as_array().unwrap().iter().collect()
                }
            })
        {
            for c in ring.as_array().unwrap() {
                xs.push(c[0].as_f64().unwrap());
                ys.push(c[1].as_f64().unwrap());
            }
        }
        let within = xs.iter().all(|&x| x > b.minx && x < b.maxx) && ys.iter().all(|&y| y > b.miny && y < b.maxy);
        if within {
            inside += 1;
            assert!(in_tile.contains(item["id"].as_str().unwrap()), "{}", item["id"]);
        }
    }
    assert!(inside > 5, "{inside}");
}

#[actix_web::test]
async fn editions_and_properties_are_chosen_by_the_request() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 15, CENTRE);
    let base = format!("/collections/ocsol/tiles/WebMercatorQuad/15/{row}/{col}");
    let editions = json(&get(&app, "/collections/ocsol").await)["extent"]["temporal"]["interval"][0].clone();
    let first = editions[0].as_str().unwrap()[..4].to_string();
    let last = editions[1].as_str().unwrap()[..4].to_string();
    assert_ne!(first, last);
    for (query, year) in [("", &last), (&format!("&datetime={first}") as &str, &first)] {
        let t = decode(&get(&app, &format!("{base}?properties=millesime,code_us{query}")).await);
        let l = layer(&t, "ocsol");
        let keys: BTreeSet<&str> = l.keys.iter().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["code_us", "millesime"]));
        assert!(
            l.features
                .iter()
                .all(|f| prop(l, f, "millesime").as_deref() == Some(year.as_str()))
        );
    }
    let r = get(&app, &format!("{base}?properties=nope")).await;
    assert_eq!(r.status, 400);
    assert!(r.text().contains("nope"), "{}", r.text());
    assert_eq!(get(&app, &format!("{base}?datetime=1900")).await.status, 400);
}

#[actix_web::test]
async fn tiles_are_gzipped_for_clients_that_take_it_and_revalidate() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 16, CENTRE);
    let uri = format!("/collections/adresses/tiles/WebMercatorQuad/16/{row}/{col}");
    let plain = get(&app, &uri).await;
    assert!(plain.headers.get("content-encoding").is_none());
    let zipped = get_with(&app, &uri, &[("Accept-Encoding", "gzip, deflate, br")]).await;
    assert_eq!(zipped.headers.get("content-encoding").unwrap(), "gzip");
    assert!(zipped.body.len() < plain.body.len());
    let mut unzipped = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&zipped.body[..]), &mut unzipped).unwrap();
    assert_eq!(unzipped, plain.body);
    let vary: Vec<&str> = zipped.headers.get_all("vary").filter_map(|v| v.to_str().ok()).collect();
    assert!(vary.iter().any(|v| v.contains("Accept-Encoding")), "{vary:?}");
    let etag = zipped.headers.get("etag").unwrap().to_str().unwrap();
    assert_eq!(get_with(&app, &uri, &[("If-None-Match", etag)]).await.status, 304);
}

#[actix_web::test]
async fn a_tile_with_no_feature_is_204_and_bad_tiles_are_problems() {
    let app = app(state()).await;
    // The corner tiles of the last level reach past the data: some are empty.
    let set = json(&get(&app, "/collections/erp/tiles/WebMercatorQuad").await);
    let last = set["tileMatrixSetLimits"].as_array().unwrap().last().unwrap().clone();
    let z = last["tileMatrix"].as_str().unwrap();
    let (r0, c0) = (
        last["minTileRow"].as_u64().unwrap(),
        last["minTileCol"].as_u64().unwrap(),
    );
    let mut empty = 0;
    for dr in 0..3 {
        for dc in 0..3 {
            let r = get(
                &app,
                &format!("/collections/erp/tiles/WebMercatorQuad/{z}/{}/{}", r0 + dr, c0 + dc),
            )
            .await;
            assert!(r.status == 200 || r.status == 204, "{}", r.status);
            if r.status == 204 {
                assert!(r.body.is_empty());
                empty += 1;
            }
        }
    }
    assert!(empty > 0);
    for (uri, status) in [
        ("/collections/erp/tiles/Nope/14/0/0", 404),
        ("/collections/erp/tiles/WebMercatorQuad/99/0/0", 404),
        ("/collections/erp/tiles/WebMercatorQuad/3/0/0", 404),
        ("/collections/erp/tiles/WebMercatorQuad/14/x/0", 400),
        ("/collections/nope/tiles/WebMercatorQuad/14/0/0", 404),
        ("/collections/erp/tiles/WebMercatorQuad/14/5981/8367?f=png", 400),
        ("/collections/erp/tiles/WebMercatorQuad/14/5981/8367?bbox=1,2,3,4", 400),
        ("/collections/erp/map/tiles/WebMercatorQuad/14/5981/8367?f=mvt", 400),
        ("/collections/erp/tiles/WebMercatorQuad?f=xml", 400),
        ("/collections/erp/tiles/LAMB93?f=tilejson", 404),
        ("/collections/erp/tiles/WebMercatorQuad?f=", 400),
        ("/tiles/WebMercatorQuad/14/5981/8367?collections=nope", 404),
    ] {
        let r = get(&app, uri).await;
        assert_eq!(r.status, status, "{uri}: {}", r.text());
        assert_eq!(r.content_type, "application/problem+json", "{uri}");
    }
}

#[actix_web::test]
async fn map_tiles_are_the_wmts_tiles() {
    let app = app(state()).await;
    let tms = TileMatrixSet::get("LAMB93").unwrap();
    let (row, col) = tile_at(tms, 16, CENTRE);
    let list = json(&get(&app, "/collections/ocsol/map/tiles").await);
    assert!(
        list["tilesets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["dataType"] == "map")
    );
    let map = get(&app, &format!("/collections/ocsol/map/tiles/LAMB93/16/{row}/{col}")).await;
    assert_eq!(map.status, 200);
    assert_eq!(map.image().dimensions(), (256, 256));
    let wmts = get(&app, &format!("/wmts/1.0.0/ocsol/default/LAMB93/16/{row}/{col}.png")).await;
    assert_eq!(map.body, wmts.body);
    let jpeg = get(
        &app,
        &format!("/collections/ocsol/map/tiles/LAMB93/16/{row}/{col}?f=jpeg"),
    )
    .await;
    assert_eq!(jpeg.content_type, "image/jpeg");
    let png = get_with(
        &app,
        &format!("/collections/ocsol/map/tiles/LAMB93/16/{row}/{col}"),
        &[("Accept", "image/jpeg")],
    )
    .await;
    assert_eq!(png.content_type, "image/jpeg");
}

#[actix_web::test]
async fn dataset_tiles_hold_every_collection_or_those_chosen() {
    let app = app(state()).await;
    let landing = json(&get(&app, "/").await);
    let list = follow(&app, &landing, "http://www.opengis.net/def/rel/ogc/1.0/tilesets-vector").await;
    assert!(!list["tilesets"].as_array().unwrap().is_empty());
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 16, CENTRE);
    let all = decode(&get(&app, &format!("/tiles/WebMercatorQuad/16/{row}/{col}")).await);
    let names: BTreeSet<&str> = all.layers.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, BTreeSet::from(["adresses", "erp", "ocsol"]));
    let one = decode(&get(&app, &format!("/tiles/WebMercatorQuad/16/{row}/{col}?collections=erp")).await);
    assert_eq!(one.layers.len(), 1);
    assert_eq!(one.layers[0].features.len(), layer(&all, "erp").features.len());
    let set = json(&get(&app, "/tiles/WebMercatorQuad").await);
    assert_eq!(set["layers"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn tilejson_describes_the_web_mercator_tiles() {
    let app = app(state()).await;
    let set = json(&get(&app, "/collections/erp/tiles/WebMercatorQuad").await);
    let alternate = set["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["type"] == "application/vnd.mapbox.tile+json")
        .unwrap();
    let r = get(&app, local(alternate["href"].as_str().unwrap())).await;
    assert_eq!(r.content_type, "application/vnd.mapbox.tile+json");
    let tj = json(&r);
    assert_eq!(tj["tilejson"], "3.0.0");
    assert_eq!(tj["vector_layers"][0]["id"], "erp");
    assert_eq!(tj["vector_layers"][0]["fields"]["type_erp"], "string");
    let z = tj["maxzoom"].as_u64().unwrap() as usize;
    let b = tj["bounds"].as_array().unwrap();
    let centre = (
        (b[0].as_f64().unwrap() + b[2].as_f64().unwrap()) / 2.0,
        (b[1].as_f64().unwrap() + b[3].as_f64().unwrap()) / 2.0,
    );
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let m = transform_bbox(
        &BBox::new(centre.0, centre.1, centre.0 + 1e-6, centre.1 + 1e-6),
        Crs::CRS84,
        tms.crs,
    )
    .unwrap();
    let (row, col) = {
        let r = tms.matrices[z].tile_range(&m).unwrap();
        (r.min_row, r.min_col)
    };
    let uri = tj["tiles"][0]
        .as_str()
        .unwrap()
        .replace("{z}", &z.to_string())
        .replace("{y}", &row.to_string())
        .replace("{x}", &col.to_string());
    let tile = get(&app, local(&uri)).await;
    assert!(tile.status == 200 || tile.status == 204, "{uri}");
}

#[actix_web::test]
async fn conformance_and_api_declare_the_tiles() {
    let app = app(state()).await;
    let conformance = json(&get(&app, "/conformance").await);
    let classes: Vec<&str> = conformance["conformsTo"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c.as_str())
        .collect();
    for c in [
        "core",
        "tileset",
        "tilesets-list",
        "geodata-tilesets",
        "dataset-tilesets",
        "mvt",
        "png",
        "jpeg",
        "oas30",
    ] {
        assert!(
            classes.contains(&format!("http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/{c}").as_str()),
            "{c}"
        );
    }
    let api = get(&app, "/api").await;
    let doc: Value = serde_json::from_slice(&api.body).unwrap();
    for p in [
        "/collections/{collectionId}/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        "/collections/{collectionId}/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
        "/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}",
    ] {
        assert!(doc["paths"][p]["get"]["responses"]["204"].is_object(), "{p}");
    }
}

#[actix_web::test]
async fn vector_tiles_start_one_level_above_the_image_tiles() {
    // MapLibre draws a vector tile of level z at its zoom z, where it would
    // draw image tiles of level z + 1.
    let app = app(state()).await;
    for tms in ["WebMercatorQuad", "LAMB93"] {
        let first = |doc: Value| {
            doc["tileMatrixSetLimits"][0]["tileMatrix"]
                .as_str()
                .unwrap()
                .parse::<u32>()
                .unwrap()
        };
        let vector = first(json(&get(&app, &format!("/collections/erp/tiles/{tms}")).await));
        let map = first(json(&get(&app, &format!("/collections/erp/map/tiles/{tms}")).await));
        assert_eq!(vector + 1, map, "{tms}");
    }
}

#[actix_web::test]
async fn maplibre_styles_draw_the_sld_rules_from_the_tiles_and_sprites() {
    let app = app(state()).await;
    let collection = json(&get(&app, "/collections/erp").await);
    let stylesheet = collection["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "stylesheet")
        .unwrap();
    assert_eq!(stylesheet["type"], "application/vnd.mapbox.style+json");
    let r = get(&app, local(stylesheet["href"].as_str().unwrap())).await;
    assert_eq!(r.content_type, "application/vnd.mapbox.style+json");
    let style = json(&r);
    assert_eq!(style["version"], 8);
    // The source is the collection's TileJSON; its layers, the style's rules.
    let source = style["sources"]["tuile"]["url"].as_str().unwrap();
    assert_eq!(json(&get(&app, local(source)).await)["tilejson"], "3.0.0");
    let layers = style["layers"].as_array().unwrap();
    assert!(layers.len() >= 8, "{}", layers.len());
    let sprite = json(&get(&app, &format!("{}.json", local(style["sprite"].as_str().unwrap()))).await);
    let png = get(&app, &format!("{}@2x.png", local(style["sprite"].as_str().unwrap()))).await;
    let image = png.image();
    for l in layers {
        assert_eq!(l["source-layer"], "erp");
        // The layer's scale range (1:100,000 and larger) as MapLibre zooms,
        // narrowed by the rule's (names from 1:5,000).
        let min = l["minzoom"].as_f64().unwrap();
        assert!(
            (min - 11.449).abs() < 0.01 || l["layout"]["text-field"].is_array() && min > 16.0,
            "{l}"
        );
        if let Some(icon) = l["layout"]["icon-image"].as_str() {
            let at = &sprite[icon];
            assert!(at.is_object(), "{icon} is not in the sprite");
            // The icon's cell holds a drawn symbol, at twice the size in @2x.
            let (x, w) = (
                at["x"].as_u64().unwrap() as u32 * 2,
                at["width"].as_u64().unwrap() as u32 * 2,
            );
            let drawn = (x..x + w)
                .flat_map(|px| (0..w.min(image.height())).map(move |py| (px, py)))
                .filter(|&(px, py)| px < image.width() && image.get_pixel(px, py)[3] > 0)
                .count();
            assert!(drawn > 20, "{icon}: {drawn}");
        }
    }
    // Schools (type R) are blue triangles from the sprite; shops (M), orange circles.
    let school = layers
        .iter()
        .find(|l| l["filter"].to_string().contains("\"R\""))
        .unwrap();
    assert_eq!(school["type"], "symbol");
    let shop = layers
        .iter()
        .find(|l| l["filter"].to_string().contains("\"M\""))
        .unwrap();
    assert_eq!(shop["type"], "circle");
    assert_eq!(shop["paint"]["circle-color"], "#f28e2b");
}

#[actix_web::test]
async fn the_combined_style_puts_the_orthophoto_under_every_collection() {
    let app = app(state()).await;
    let landing = json(&get(&app, "/").await);
    let styles = follow(&app, &landing, "http://www.opengis.net/def/rel/ogc/1.0/styles").await;
    let href = styles["styles"][0]["links"][0]["href"].as_str().unwrap();
    let style = json(&get(&app, local(href)).await);
    let layers = style["layers"].as_array().unwrap();
    assert_eq!(layers[0]["type"], "raster");
    assert_eq!(layers[0]["source"], "bdortho");
    let tile = style["sources"]["bdortho"]["tiles"][0].as_str().unwrap();
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 16, CENTRE);
    let image = get(
        &app,
        local(
            &tile
                .replace("{z}", "16")
                .replace("{y}", &row.to_string())
                .replace("{x}", &col.to_string()),
        ),
    )
    .await;
    assert_eq!(image.image().dimensions(), (256, 256));
    let sources: BTreeSet<&str> = layers.iter().filter_map(|l| l["source-layer"].as_str()).collect();
    assert_eq!(sources, BTreeSet::from(["adresses", "erp", "ocsol"]));
    // One sprite per collection; icons are named `collection:icon`.
    let sprites: Vec<&str> = style["sprite"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for l in layers {
        if let Some(icon) = l["layout"]["icon-image"].as_str() {
            assert!(sprites.contains(&icon.split(':').next().unwrap()), "{icon}");
        }
    }
}

#[actix_web::test]
async fn labels_get_their_glyphs_from_tuile() {
    let app = app(state()).await;
    let style = json(&get(&app, "/collections/adresses/styles/default").await);
    let label = style["layers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["layout"]["text-field"].is_array())
        .expect("the addresses are labelled");
    let font = label["layout"]["text-font"][0].as_str().unwrap();
    let url = style["glyphs"]
        .as_str()
        .unwrap()
        .replace("{fontstack}", &font.replace(' ', "%20"))
        .replace("{range}", "0-255");
    let r = get(&app, local(&url)).await;
    assert_eq!(r.status, 200, "{url}: {}", r.text());
    assert_eq!(r.content_type, "application/x-protobuf");
    assert!(r.body.len() > 10_000, "{}", r.body.len());
    for (uri, status) in [
        ("/fonts/DejaVu%20Sans/0-254.pbf", 404),
        ("/fonts/DejaVu%20Sans/1-256.pbf", 404),
        ("/fonts/Comic%20Sans/0-255.pbf", 404),
        ("/fonts/DejaVu%20Sans%20Bold%20Italic/256-511.pbf", 200),
    ] {
        assert_eq!(get(&app, uri).await.status, status, "{uri}");
    }
}

#[actix_web::test]
async fn seeded_vector_tiles_are_served_from_the_disk_store() {
    let store = scratch_dir("mvt-store");
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let b = transform_bbox(
        &BBox::new(770_200.0, 6_279_100.0, 770_300.0, 6_279_200.0),
        Crs::lambert93(),
        tms.crs,
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tuile"))
        .env("TUILE_DATA", data_dir())
        .args(["seed", "--config"])
        .arg(repo().join("tuile.toml"))
        .args([
            "--layer",
            "erp",
            "--tms",
            "WebMercatorQuad",
            "--levels",
            "16-16",
            "--format",
            "mvt",
            "--bbox",
        ])
        .arg(format!("{},{},{},{}", b.minx, b.miny, b.maxx, b.maxy))
        .arg("--store")
        .arg(&store)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut config = common::config();
    config.server.cache.disk = Some(store.clone());
    tuile_core::source::gdal::init(128);
    let state = actix_web::web::Data::new(tuile::state::AppState::new(
        tuile_core::catalog::Catalog::load(config).unwrap(),
    ));
    let app = app(state.clone()).await;
    let (row, col) = tile_at(tms, 16, (770_250.0, 6_279_150.0));
    let r = get_with(
        &app,
        &format!("/collections/erp/tiles/WebMercatorQuad/16/{row}/{col}"),
        &[("Accept-Encoding", "gzip")],
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        state.tiles.renders.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "read from the store, not rendered"
    );
    let file = store.join(format!("erp/default/WebMercatorQuad/16/{row}/{col}.mvt"));
    assert_eq!(std::fs::read(file).unwrap(), r.body, "kept gzipped, served as kept");
    let _ = std::fs::remove_dir_all(store);
}

#[actix_web::test]
async fn dataset_map_tiles_draw_every_layer_or_those_chosen() {
    let app = app(state()).await;
    let landing = json(&get(&app, "/").await);
    let list = follow(&app, &landing, "http://www.opengis.net/def/rel/ogc/1.0/tilesets-map").await;
    assert!(
        list["tilesets"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["dataType"] == "map")
    );
    let set = json(&get(&app, "/map/tiles/WebMercatorQuad").await);
    assert_eq!(set["layers"].as_array().unwrap().len(), 4, "every public layer");
    let tms = TileMatrixSet::get("WebMercatorQuad").unwrap();
    let (row, col) = tile_at(tms, 17, CENTRE);
    let all = get(&app, &format!("/map/tiles/WebMercatorQuad/17/{row}/{col}")).await;
    assert_eq!(all.content_type, "image/png");
    assert!(
        all.image().pixels().all(|p| p[3] == 255),
        "the orthophoto under everything"
    );
    let one = get(
        &app,
        &format!("/map/tiles/WebMercatorQuad/17/{row}/{col}?collections=ocsol"),
    )
    .await
    .image();
    let same = get(
        &app,
        &format!("/collections/ocsol/map/tiles/WebMercatorQuad/17/{row}/{col}"),
    )
    .await
    .image();
    // The collection's own tile is cut from a metatile: edges are
    // anti-aliased a little apart, the rest is the same.
    let close = |a: &image::Rgba<u8>, b: &image::Rgba<u8>| a.0.iter().zip(b.0).all(|(x, y)| x.abs_diff(y) <= 16);
    let equal = one.pixels().zip(same.pixels()).filter(|(a, b)| close(a, b)).count();
    assert!(equal > 256 * 256 * 99 / 100, "{equal}: the collection's own tile");
    let jpeg = get(&app, &format!("/map/tiles/WebMercatorQuad/17/{row}/{col}?f=jpeg")).await;
    assert_eq!(jpeg.content_type, "image/jpeg");
    assert_eq!(
        get(
            &app,
            &format!("/map/tiles/WebMercatorQuad/17/{row}/{col}?collections=nope")
        )
        .await
        .status,
        404
    );
    assert_eq!(get(&app, "/map/tiles/WebMercatorQuad/3/0/0").await.status, 404);
}
