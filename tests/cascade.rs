//! Cascaded layers ("flux croisés"): a partner's WMS and WMTS served as
//! tuile layers. The upstreams are real servers on loopback: a second tuile
//! process (WMS, WMTS in LAMB93 and WebMercatorQuad), and a small
//! fault-injecting WMS (slow, 500, 429, exception with 200, wrong size,
//! truncated, garbage, connection reset) for the failure rules.

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};

use actix_web::web;
use common::*;
use tuile::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;

// ------------------------------------------------------------ the upstreams

/// The second tuile, serving the demo layers: the partner's WMS and WMTS.
/// Started from a thread that lives as long as the tests, with a parent-death
/// signal, so that the process ends with the test binary (statics are never dropped).
fn upstream_tuile() -> u16 {
    static UP: OnceLock<u16> = OnceLock::new();
    *UP.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let port = free_port();
            let mut cmd = tuile_command();
            cmd.args(["serve", "--config"])
                .arg(repo().join("tuile.toml"))
                .args(["--bind", &format!("127.0.0.1:{port}")]);
            use std::os::unix::process::CommandExt;
            // SAFETY: prctl is async-signal-safe; it only marks the child.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                    Ok(())
                })
            };
            let _server = Server(cmd.spawn().unwrap());
            for _ in 0..200 {
                if curl(&format!("http://127.0.0.1:{port}/health")).0 == 200 {
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            tx.send(port).unwrap();
            loop {
                std::thread::park();
            }
        });
        rx.recv().unwrap()
    })
}

/// A WMS that misbehaves as its path says (`/{mode}/wms`); what it received
/// is kept for the assertions.
struct Faulty {
    port: u16,
    /// The `flip` layer fails while this is set.
    broken: AtomicBool,
    /// Requests received, by mode.
    hits: Mutex<Vec<(String, String)>>,
    /// Request heads received (to check the User-Agent and keys).
    heads: Mutex<Vec<String>>,
}

fn faulty() -> &'static Faulty {
    static F: OnceLock<&'static Faulty> = OnceLock::new();
    F.get_or_init(|| {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let f: &'static Faulty = Box::leak(Box::new(Faulty {
            port: listener.local_addr().unwrap().port(),
            broken: AtomicBool::new(false),
            hits: Mutex::default(),
            heads: Mutex::default(),
        }));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || f.serve(stream));
            }
        });
        f
    })
}

fn png(width: u32, height: u32, rgba: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbaImage::from_pixel(width, height, image::Rgba(rgba))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

impl Faulty {
    fn caps(&self, mode: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
<Service><Name>WMS</Name><Title>Partenaire {mode}</Title></Service>
<Capability><Request><GetCapabilities><Format>text/xml</Format></GetCapabilities>
<GetMap><Format>image/png</Format><DCPType><HTTP><Get><OnlineResource xlink:href="http://127.0.0.1:{port}/{mode}/wms?"/></Get></HTTP></DCPType></GetMap></Request>
<Layer><Title>Racine</Title><CRS>EPSG:2154</CRS><CRS>EPSG:3857</CRS><CRS>EPSG:4326</CRS>
<Layer queryable="0"><Name>zones</Name><Title>Zones du partenaire ({mode})</Title><Abstract>Zones de test.</Abstract>
<KeywordList><Keyword>partenaire</Keyword></KeywordList>
<EX_GeographicBoundingBox><westBoundLongitude>3.8</westBoundLongitude><eastBoundLongitude>4.0</eastBoundLongitude><southBoundLatitude>43.5</southBoundLatitude><northBoundLatitude>43.7</northBoundLatitude></EX_GeographicBoundingBox>
<Style><Name>default</Name><Title>Défaut</Title></Style>
</Layer></Layer></Capability></WMS_Capabilities>"#,
            port = self.port
        )
    }

    fn serve(&self, mut stream: TcpStream) {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let head = String::from_utf8_lossy(&head).into_owned();
        let target = head.split_whitespace().nth(1).unwrap_or("/").to_string();
        let (path, query) = target.split_once('?').unwrap_or((&target, ""));
        let mode = path.trim_matches('/').split('/').next().unwrap_or("").to_string();
        self.heads.lock().unwrap().push(head.clone());
        let q = query.to_ascii_lowercase();
        if q.contains("request=getcapabilities") {
            return respond(&mut stream, "200 OK", "text/xml", self.caps(&mode).as_bytes());
        }
        self.hits.lock().unwrap().push((mode.clone(), query.to_string()));
        let param = |name: &str| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix(&format!("{name}=")))
                .and_then(|v| v.parse::<u32>().ok())
                .unwrap_or(1)
        };
        let (w, h) = (param("width"), param("height"));
        let good = png(w, h, [200, 40, 40, 255]);
        match mode.as_str() {
            "ok" | "keyed" | "twice" => respond(&mut stream, "200 OK", "image/png", &good),
            "flip" if !self.broken.load(Ordering::SeqCst) => respond(&mut stream, "200 OK", "image/png", &good),
            "flip" | "e500" => respond(&mut stream, "500 Internal Server Error", "text/plain", b"boom"),
            "e429" => respond(&mut stream, "429 Too Many Requests", "text/plain", b"slow down"),
            "slow" => {
                std::thread::sleep(std::time::Duration::from_secs(20));
                respond(&mut stream, "200 OK", "image/png", &good)
            }
            "exception" => respond(
                &mut stream,
                "200 OK",
                "application/vnd.ogc.se_xml",
                r#"<?xml version="1.0"?><ServiceExceptionReport version="1.3.0" xmlns="http://www.opengis.net/ogc"><ServiceException code="InvalidDimensionValue">le millésime demandé n'existe pas</ServiceException></ServiceExceptionReport>"#.as_bytes(),
            ),
            "wrongsize" => respond(&mut stream, "200 OK", "image/png", &png(100, 100, [0, 0, 0, 255])),
            "truncated" => {
                // A Content-Length promising the whole image, then half of it and a hang-up.
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    good.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&good[..good.len() / 2]);
            }
            "garbage" => respond(&mut stream, "200 OK", "image/png", b"\x89PNG not really an image"),
            "reset" => {
                // SO_LINGER 0: closing sends a reset, not a clean end.
                use std::os::fd::AsRawFd;
                let linger = libc::linger { l_onoff: 1, l_linger: 0 };
                // SAFETY: a valid socket and a linger struct of the size given.
                unsafe {
                    libc::setsockopt(
                        stream.as_raw_fd(),
                        libc::SOL_SOCKET,
                        libc::SO_LINGER,
                        (&linger as *const libc::linger).cast(),
                        std::mem::size_of::<libc::linger>() as libc::socklen_t,
                    )
                };
            }
            _ => respond(&mut stream, "404 Not Found", "text/plain", b"no such mode"),
        }
    }
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

// ------------------------------------------------------------ the cascading tuile

/// A tuile cascading both upstreams, beside one local layer (`erp`).
fn cascading_config() -> Config {
    Config::load(cascading_config_path()).unwrap_or_else(|e| panic!("{e:?}"))
}

/// The cascading configuration, written once.
fn cascading_config_path() -> &'static std::path::Path {
    static PATH: OnceLock<std::path::PathBuf> = OnceLock::new();
    PATH.get_or_init(write_cascading_config)
}

fn write_cascading_config() -> std::path::PathBuf {
    let dir = scratch_dir("cascade");
    std::fs::create_dir_all(&dir).unwrap();
    // The partner's ERP are drawn with the local ERP's style.
    for layer in ["erp", "erp_partenaire"] {
        copy_dir(&repo().join("styles/erp"), &dir.join("styles").join(layer));
    }
    let up = upstream_tuile();
    let fp = faulty().port;
    let modes = [
        "ok",
        "e500",
        "e429",
        "slow",
        "exception",
        "wrongsize",
        "truncated",
        "garbage",
        "reset",
        "gone",
    ];
    let mut text = format!(
        r#"
[server]
metadata = "{repo}/capabilities/service.toml"
styles_dir = "{styles}"

[upstreams."127.0.0.1:{fp}"]
timeout_ms = 1500
retries = 1

[[layers]]
name = "erp"
title = "ERP (local)"
source = {{ kind = "flatgeobuf", path = "{data}/erp.fgb" }}
styles = ["default"]
crs = ["EPSG:2154", "EPSG:3857", "EPSG:4326"]

[[layers]]
name = "ortho_partenaire"
source = {{ kind = "wmts", url = "http://127.0.0.1:{up}/wmts", layer = "bdortho", format = "image/png" }}
crs = ["EPSG:2154", "EPSG:3857", "EPSG:4326", "CRS:84"]

[[layers]]
name = "ocsol_partenaire"
title = "Occupation du sol (partenaire)"
source = {{ kind = "wms", url = "http://127.0.0.1:{up}/wms", layers = ["ocsol"] }}
crs = ["EPSG:2154", "EPSG:3857", "EPSG:4326"]

[[layers]]
name = "erp_partenaire"
source = {{ kind = "ogcapi-features", url = "http://127.0.0.1:{up}/collections/erp" }}
styles = ["default"]
crs = ["EPSG:2154", "EPSG:3857", "EPSG:4326"]

[upstreams."localhost:{fp}"]
timeout_ms = 1500
max_rps = 2
max_layers = 1

[[layers]]
name = "two_layers"
source = {{ kind = "wms", url = "http://localhost:{fp}/twice/wms", layers = ["zones", "zones"] }}
crs = ["EPSG:2154", "EPSG:3857"]

[[layers]]
name = "ortho_membres"
source = {{ kind = "wms", url = "http://localhost:{up}/wms", layers = ["bdortho"] }}
crs = ["EPSG:2154"]
groups = ["membres"]

[[layers]]
name = "flip"
source = {{ kind = "wms", url = "http://127.0.0.1:{fp}/flip/wms", layers = ["zones"] }}
crs = ["EPSG:2154", "EPSG:3857"]
cache_ttl = 1

[[layers]]
name = "keyed"
source = {{ kind = "wms", url = "http://127.0.0.1:{fp}/keyed/wms", layers = ["zones"], key = {{ param = "apikey", env = "TUILE_TEST_PARTNER_KEY" }} }}
crs = ["EPSG:2154", "EPSG:3857"]
"#,
        repo = repo().display(),
        data = data_dir().display(),
        styles = dir.join("styles").display(),
    );
    for m in modes {
        text.push_str(&format!(
            r#"
[[layers]]
name = "fault_{m}"
source = {{ kind = "wms", url = "http://127.0.0.1:{fp}/{m}/wms", layers = ["zones"] }}
crs = ["EPSG:2154", "EPSG:3857"]
"#
        ));
    }
    text.push_str(MEMBERS_KEY);
    let path = dir.join("tuile.toml");
    std::fs::write(&path, text).unwrap();
    // SAFETY: set once, before any thread reads it.
    unsafe { std::env::set_var("TUILE_TEST_PARTNER_KEY", "s3cret-partner-key") };
    path
}

fn cascading() -> web::Data<AppState> {
    static STATE: OnceLock<web::Data<AppState>> = OnceLock::new();
    STATE
        .get_or_init(|| {
            tuile_core::source::gdal::init(128);
            let catalog = Catalog::load(cascading_config()).unwrap();
            assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
            web::Data::new(AppState::new(catalog))
        })
        .clone()
}

/// The demo key's digest (`demo-membres`), granting the `membres` group.
const MEMBERS_KEY: &str = r#"
[[auth.keys]]
name = "test"
sha256 = "3fa0a75e75fad4cbef849b6821027697060c72b58da262f7aacdd781a1382f6e"
groups = ["membres"]
"#;

/// A GetMap of one layer over the fault server's area, in Lambert-93.
fn getmap(layer: &str) -> String {
    format!(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:2154\
         &BBOX=770000,6275000,772000,6277000&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"
    )
}

/// The body of a GET to one of the upstreams, as bytes.
fn fetch(url: String) -> Vec<u8> {
    let out = std::process::Command::new("curl")
        .args(["-s", "-m", "20", &url])
        .output()
        .unwrap();
    assert!(out.status.success(), "curl {url}");
    out.stdout
}

fn pixels(bytes: &[u8]) -> image::RgbaImage {
    image::load_from_memory(bytes).unwrap().to_rgba8()
}

// ------------------------------------------------------------ tests

#[actix_web::test]
async fn a_cascaded_wmts_tile_is_the_upstream_tile_where_no_resampling_is_needed() {
    let app = app(cascading()).await;
    let up = upstream_tuile();
    for (tms, z, row, col) in [("LAMB93", 19, 112090, 15086), ("WebMercatorQuad", 20, 382870, 535550)] {
        let ours = get(
            &app,
            &format!("/wmts/1.0.0/ortho_partenaire/default/{tms}/{z}/{row}/{col}.png"),
        )
        .await;
        assert_eq!(ours.status, 200, "{tms}: {}", ours.text());
        let (status, _) = curl(&format!("http://127.0.0.1:{up}/health"));
        assert_eq!(status, 200);
        let theirs = fetch(format!(
            "http://127.0.0.1:{up}/wmts/1.0.0/bdortho/default/{tms}/{z}/{row}/{col}.png"
        ));
        let (a, b) = (pixels(&ours.body), pixels(&theirs));
        assert_eq!(a.dimensions(), b.dimensions());
        // Real imagery, not an empty tile: the comparison means something.
        assert!(
            b.pixels().filter(|p| p[3] == 255).count() > 60_000,
            "{tms}: upstream tile mostly empty"
        );
        assert!(a == b, "{tms}: the cascaded tile differs from the upstream's");
    }
}

#[actix_web::test]
async fn a_reprojected_cascade_matches_the_upstreams_own_warp() {
    let app = app(cascading()).await;
    let up = upstream_tuile();
    // EPSG:4326 is none of the upstream's tile matrix sets: its LAMB93 tiles
    // are mosaicked and warped.
    let q = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:4326\
             &BBOX=43.605,3.87,43.615,3.885&WIDTH=300&HEIGHT=200&FORMAT=image/png";
    let ours = get(&app, &format!("/wms?{q}&LAYERS=ortho_partenaire")).await;
    assert_eq!(ours.status, 200, "{}", ours.text());
    let theirs = fetch(format!("http://127.0.0.1:{up}/wms?{q}&LAYERS=bdortho"));
    let (a, b) = (pixels(&ours.body), pixels(&theirs));
    let mut diff = 0u64;
    for (p, q) in a.pixels().zip(b.pixels()) {
        diff += (0..3)
            .map(|c| (p[c] as i32 - q[c] as i32).unsigned_abs() as u64)
            .sum::<u64>();
    }
    let mean = diff as f64 / (a.width() * a.height() * 3) as f64;
    // Two bilinear resamplings in a row (upstream tiles, then the warp) against one.
    assert!(mean < 6.0, "mean difference {mean:.2} per channel");
    let spread = mean_rgb(&a, 0, 0, 300, 200);
    assert!(spread.iter().all(|&c| c > 20.0), "an empty map: {spread:?}");
}

#[actix_web::test]
async fn a_cascaded_wms_map_is_the_upstreams_map_and_capabilities_say_cascaded() {
    let app = app(cascading()).await;
    let up = upstream_tuile();
    let q = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:3857\
             &BBOX=429055,5403363,431842,5406160&WIDTH=512&HEIGHT=512&FORMAT=image/png&TRANSPARENT=TRUE";
    let ours = get(&app, &format!("/wms?{q}&LAYERS=ocsol_partenaire")).await;
    assert_eq!(ours.status, 200, "{}", ours.text());
    let theirs = fetch(format!("http://127.0.0.1:{up}/wms?{q}&LAYERS=ocsol"));
    let (a, b) = (pixels(&ours.body), pixels(&theirs));
    assert!(
        b.pixels().filter(|p| p[3] > 0).count() > 10_000,
        "the upstream map is empty"
    );
    assert!(a == b, "the cascaded WMS map differs from the upstream's");

    let caps = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").await;
    validate(&caps.body, Schema::WmsCapabilities130);
    let root = caps.xml();
    let layer = |name: &str| {
        all(&root, "Layer")
            .into_iter()
            .find(|l| l.child("Name").map(|n| n.text()) == Some(name.to_string()))
            .unwrap_or_else(|| panic!("no layer {name}"))
            .clone()
    };
    let ortho = layer("ortho_partenaire");
    assert_eq!(ortho.attr("cascaded"), Some("1"));
    // Harvested: tuile.toml gives it no title.
    let upstream_caps = curl(&format!(
        "http://127.0.0.1:{up}/wmts?SERVICE=WMTS&REQUEST=GetCapabilities"
    ))
    .1;
    let title = ortho.child("Title").unwrap().text();
    assert!(upstream_caps.contains(&format!(">{title}</ows:Title>")), "{title}");
    assert_eq!(layer("erp").attr("cascaded"), None);
    let ocsol = layer("ocsol_partenaire");
    assert_eq!(ocsol.child("Title").unwrap().text(), "Occupation du sol (partenaire)");
    // The upstream's editions are the cascaded layer's time values.
    let dim = ocsol.child("Dimension").expect("a time dimension from the upstream");
    assert_eq!(dim.attr("name"), Some("time"));
    assert!(dim.text().split(',').count() >= 2, "{}", dim.text());
    let faulty_layer = layer("fault_ok");
    assert_eq!(faulty_layer.child("Title").unwrap().text(), "Zones du partenaire (ok)");
    assert!(all(&faulty_layer, "Keyword").iter().any(|k| k.text() == "partenaire"));
}

#[actix_web::test]
async fn every_upstream_failure_is_a_502_or_504_naming_the_upstream_and_other_layers_keep_serving() {
    let state = cascading();
    let app = app(state.clone()).await;
    let fp = faulty().port;
    let cases = [
        ("e500", 502, "answered HTTP 500"),
        ("e429", 502, "answered HTTP 429"),
        ("slow", 504, "did not answer within 1500 ms"),
        (
            "exception",
            502,
            "InvalidDimensionValue: le millésime demandé n'existe pas",
        ),
        ("wrongsize", 502, "an image of 100×100 pixels where 256×256 was asked"),
        ("truncated", 502, "the answer was cut short"),
        ("garbage", 502, "not a readable image"),
        ("reset", 502, "cannot reach the upstream"),
    ];
    for (mode, status, says) in cases {
        let r = get(&app, &getmap(&format!("fault_{mode}"))).await;
        assert_eq!(r.status, status, "{mode}: {}", r.text());
        let text = r.text();
        assert!(
            text.contains("ServiceException"),
            "{mode}: not an exception report: {text}"
        );
        assert!(text.contains(says), "{mode}: {text}");
        assert!(
            text.contains(&format!("http://127.0.0.1:{fp}/{mode}/wms")) && text.contains(&format!("fault_{mode}")),
            "{mode}: the upstream and the layer are named: {text}"
        );
        // The local layer draws as ever.
        let local = get(
            &app,
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=erp&STYLES=&CRS=EPSG:2154\
             &BBOX=765000,6270000,775000,6280000&WIDTH=256&HEIGHT=256&FORMAT=image/png",
        )
        .await;
        assert_eq!(local.status, 200, "{mode}: the local layer failed: {}", local.text());
    }
    // A 429 is retried (once, as configured); a 500 is not.
    let hits = faulty().hits.lock().unwrap().clone();
    let count = |m: &str| hits.iter().filter(|(mode, _)| mode == m).count();
    assert_eq!(count("e429"), 2, "{hits:?}");
    assert_eq!(count("e500"), 1, "{hits:?}");
    // The OGC API and WMTS answer alike (a JSON problem; an OWS exception).
    let r = get(
        &app,
        "/map?collections=fault_e500&bbox=770000,6275000,772000,6277000&bbox-crs=http://www.opengis.net/def/crs/EPSG/0/2154&width=64&height=64",
    )
    .await;
    assert_eq!(r.status, 502, "{}", r.text());
    assert!(r.text().contains("answered HTTP 500"), "{}", r.text());
    let r = get(&app, "/wmts/1.0.0/fault_garbage/default/LAMB93/14/3504/472.png").await;
    assert_eq!(r.status, 502, "{}", r.text());
    assert!(
        r.text().contains("ExceptionReport") && r.text().contains("not a readable image"),
        "{}",
        r.text()
    );

    // /ready tells how each partner fares, and stays ready for the rest
    // (whether the host is up flips with its last answer: other tests ask
    // the same host for good maps meanwhile).
    let ready = get(&app, "/ready").await;
    assert_eq!(ready.status, 200, "{}", ready.text());
    let v: serde_json::Value = serde_json::from_slice(&ready.body).unwrap();
    let host = format!("127.0.0.1:{fp}");
    let entry = v["upstreams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["host"] == host.as_str())
        .unwrap_or_else(|| panic!("{v}"));
    assert!(entry["lastError"].as_str().is_some_and(|e| !e.is_empty()), "{entry}");
    let metrics = get(&app, "/metrics").await.text();
    assert!(
        metrics.contains(&format!("tuile_upstream{{figure=\"retries\",host=\"{host}\"}}")),
        "{metrics}"
    );
}

#[actix_web::test]
async fn an_expired_tile_is_served_stale_while_its_upstream_fails() {
    let app = app(cascading()).await;
    let tile = "/wmts/1.0.0/flip/default/LAMB93/12/876/117.png";
    faulty().broken.store(false, Ordering::SeqCst);
    let first = get(&app, tile).await;
    assert_eq!(first.status, 200, "{}", first.text());
    assert!(first.headers.get("warning").is_none());
    // Past the layer's one-second freshness, with the partner down.
    std::thread::sleep(std::time::Duration::from_millis(1200));
    faulty().broken.store(true, Ordering::SeqCst);
    let stale = get(&app, tile).await;
    assert_eq!(stale.status, 200, "{}", stale.text());
    assert_eq!(stale.body, first.body);
    let warning = stale
        .headers
        .get("warning")
        .expect("a Warning header")
        .to_str()
        .unwrap();
    assert!(warning.starts_with("110 "), "{warning}");
    assert!(
        stale
            .headers
            .get("cache-control")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("max-age=0")
    );
    // A tile never fetched has nothing to fall back on.
    let other = get(&app, "/wmts/1.0.0/flip/default/LAMB93/12/874/117.png").await;
    assert_eq!(other.status, 502, "{}", other.text());
    faulty().broken.store(false, Ordering::SeqCst);
    let fresh = get(&app, tile).await;
    assert!(fresh.headers.get("warning").is_none());
}

#[actix_web::test]
async fn the_partners_key_goes_upstream_and_the_callers_never_does() {
    let app = app(cascading()).await;
    let before = faulty().heads.lock().unwrap().len();
    let r = get(&app, &format!("{}&apikey=caller-own-key", getmap("keyed"))).await;
    // The caller's unknown key is refused or ignored; either way it never travels.
    let heads: Vec<String> = faulty().heads.lock().unwrap()[before..].to_vec();
    if r.status == 200 {
        let img = r.image();
        assert_eq!(img.get_pixel(128, 128).0, [200, 40, 40, 255]);
        assert!(
            heads.iter().any(|h| h.contains("apikey=s3cret-partner-key")),
            "{heads:?}"
        );
    }
    assert!(heads.iter().all(|h| !h.contains("caller-own-key")), "{heads:?}");
    let ok = get(&app, &getmap("keyed")).await;
    assert_eq!(ok.status, 200, "{}", ok.text());
    let heads = faulty().heads.lock().unwrap().clone();
    let sent: Vec<&String> = heads.iter().filter(|h| h.contains("/keyed/wms")).collect();
    assert!(sent.iter().any(|h| h.contains("apikey=s3cret-partner-key")), "{sent:?}");
    // A good client says who it is.
    assert!(
        heads
            .iter()
            .all(|h| h.to_ascii_lowercase().contains("\r\nuser-agent: tuile/")),
        "{heads:?}"
    );
    // Error messages name the upstream without its query: no key shows.
    let failing = get(&app, &getmap("fault_gone")).await;
    assert_eq!(failing.status, 502);
    assert!(!failing.text().contains("apikey"), "{}", failing.text());
}

#[actix_web::test]
async fn a_partner_down_at_start_leaves_its_layer_out_naming_it_and_the_rest_serves() {
    let dir = scratch_dir("cascade-down");
    std::fs::create_dir_all(&dir).unwrap();
    let dead = free_port();
    let text = format!(
        r#"
[server]
metadata = "{repo}/capabilities/service.toml"
styles_dir = "{repo}/styles"

[upstreams."127.0.0.1:{dead}"]
timeout_ms = 1000
retries = 0

[[layers]]
name = "erp"
title = "ERP"
source = {{ kind = "flatgeobuf", path = "{data}/erp.fgb" }}
styles = ["default"]
crs = ["EPSG:2154"]

[[layers]]
name = "absent"
source = {{ kind = "wmts", url = "http://127.0.0.1:{dead}/wmts", layer = "x" }}
crs = ["EPSG:2154"]

[[layers]]
name = "members_only"
source = {{ kind = "wms", url = "http://localhost:{dead}/secret/wms", layers = ["x"] }}
crs = ["EPSG:2154"]
groups = ["membres"]
"#,
        repo = repo().display(),
        data = data_dir().display(),
    );
    let path = dir.join("tuile.toml");
    std::fs::write(&path, text + MEMBERS_KEY).unwrap();
    tuile_core::source::gdal::init(128);
    let catalog = Catalog::load(Config::load(&path).unwrap()).unwrap();
    assert!(catalog.layer("erp").is_some());
    let problem = catalog.broken.get("absent").expect("the layer is left out");
    assert!(
        problem.contains(&format!("http://127.0.0.1:{dead}/wmts")) && problem.contains("cannot reach"),
        "{problem}"
    );
    // /ready says it, but says nothing of the restricted layer's partner.
    let app = app(web::Data::new(AppState::new(catalog))).await;
    let ready = get(&app, "/ready").await;
    assert_eq!(ready.status, 503);
    let text = ready.text();
    assert!(text.contains(&format!("http://127.0.0.1:{dead}/wmts")), "{text}");
    assert!(!text.contains("secret") && !text.contains("members_only"), "{text}");
    assert!(text.contains("a restricted layer cannot be served"), "{text}");
}

#[test]
fn check_config_names_a_remote_source_without_what_it_needs() {
    let dir = scratch_dir("cascade-config");
    std::fs::create_dir_all(&dir).unwrap();
    let text = format!(
        r#"
[server]
metadata = "{repo}/capabilities/service.toml"
styles_dir = "{repo}/styles"

[[layers]]
name = "nourl"
source = {{ kind = "wms", layers = ["a"] }}
crs = ["EPSG:2154"]

[[layers]]
name = "nolayer"
source = {{ kind = "wmts", url = "ftp://partner.example/wmts" }}
crs = ["EPSG:2154"]

[[layers]]
name = "nokey"
source = {{ kind = "wms", url = "https://partner.example/wms", layers = ["a"], key = {{ param = "apikey", env = "TUILE_TEST_UNSET_VARIABLE" }} }}
crs = ["EPSG:2154"]
"#,
        repo = repo().display(),
    );
    let path = dir.join("tuile.toml");
    std::fs::write(&path, text).unwrap();
    let errors = Config::load(&path).expect_err("the configuration is refused");
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let all_text = text.join("\n");
    for needle in [
        "a remote source needs the service's `url`",
        "is not an http(s) URL",
        "name the upstream WMTS layer",
        "TUILE_TEST_UNSET_VARIABLE is not set",
    ] {
        assert!(all_text.contains(needle), "`{needle}` in:\n{all_text}");
    }
    assert_eq!(text.len(), 4, "{all_text}");
}

#[test]
fn tuile_seed_fills_the_store_with_a_cascaded_layers_tiles() {
    let store = scratch_dir("cascade-seed");
    let out = tuile_command()
        .args(["seed", "--config"])
        .arg(cascading_config_path())
        .args([
            "--layer",
            "ortho_partenaire",
            "--tms",
            "LAMB93",
            "--levels",
            "18-18",
            "--format",
            "image/png",
            "--store",
        ])
        .arg(&store)
        .env("TUILE_TEST_PARTNER_KEY", "s3cret-partner-key")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains(" 0 failed"), "{text}");
    let files = walk(&store);
    assert!(files.len() > 50, "{} tiles: {text}", files.len());
    let png = files
        .iter()
        .find(|f| f.ends_with(".png"))
        .expect("PNG tiles in the store");
    let seeded = pixels(&std::fs::read(png).unwrap());
    assert!(
        seeded.pixels().filter(|p| p[3] == 255).count() > 1000,
        "an empty seeded tile"
    );
}

fn walk(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p.display().to_string());
        }
    }
    out
}

#[test]
fn the_example_cascading_configuration_is_valid() {
    let config = Config::load(&repo().join("deploy/cascade.toml")).unwrap_or_else(|e| panic!("{e:?}"));
    assert!(config.layers.iter().all(|l| l.source.is_remote()));
    assert_eq!(config.upstreams["127.0.0.1:8080"].max_rps, 40);
}

#[actix_web::test]
async fn a_cascaded_layers_legend_is_its_partners() {
    let app = app(cascading()).await;
    let up = upstream_tuile();
    let ours = get(
        &app,
        "/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/png&LAYER=ocsol_partenaire&STYLE=",
    )
    .await;
    assert_eq!(ours.status, 200, "{}", ours.text());
    let theirs = fetch(format!(
        "http://127.0.0.1:{up}/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/png&LAYER=ocsol&STYLE=couverture&SLD_VERSION=1.1.0"
    ));
    let (a, b) = (pixels(&ours.body), pixels(&theirs));
    // The land cover legend: one swatch per class, far taller than wide.
    assert!(b.height() > 200, "{}×{}", b.width(), b.height());
    assert!(a == b, "the cascaded legend differs from the upstream's");
    let jpeg = get(
        &app,
        "/wms?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION=1.3.0&FORMAT=image/jpeg&LAYER=ocsol_partenaire&STYLE=",
    )
    .await;
    assert_eq!(jpeg.content_type, "image/jpeg");
    assert_eq!(pixels(&jpeg.body).dimensions(), b.dimensions());
}

#[actix_web::test]
async fn a_partners_feature_collection_is_served_like_a_local_one() {
    let app = app(cascading()).await;
    let up = upstream_tuile();
    let theirs: serde_json::Value =
        serde_json::from_str(&curl(&format!("http://127.0.0.1:{up}/collections/erp/items?f=json&limit=1")).1).unwrap();
    let ours = get(&app, "/collections/erp_partenaire/items?f=json&limit=1").await;
    assert_eq!(ours.status, 200, "{}", ours.text());
    let v: serde_json::Value = serde_json::from_slice(&ours.body).unwrap();
    let total = theirs["numberMatched"].as_u64().unwrap();
    assert!(total > 10);
    // Every feature mirrored (the upstream pages by 1000 at most).
    assert_eq!(v["numberMatched"].as_u64(), Some(total));
    // The harvested title; properties kept.
    let collection = get(&app, "/collections/erp_partenaire?f=json").await;
    let c: serde_json::Value = serde_json::from_slice(&collection.body).unwrap();
    let upstream_collection: serde_json::Value =
        serde_json::from_str(&curl(&format!("http://127.0.0.1:{up}/collections/erp?f=json")).1).unwrap();
    assert_eq!(c["title"], upstream_collection["title"]);
    let props = v["features"][0]["properties"].as_object().unwrap();
    let upstream_props = theirs["features"][0]["properties"].as_object().unwrap();
    assert_eq!(
        props.keys().collect::<std::collections::BTreeSet<_>>(),
        upstream_props.keys().collect::<std::collections::BTreeSet<_>>()
    );
    // Filters and CRSs work on it as on local data: the same answer as the upstream's.
    let q = "f=json&limit=1000&filter=categorie_erp%3D1&filter-lang=cql2-text\
             &crs=http://www.opengis.net/def/crs/EPSG/0/2154";
    let ours = get(&app, &format!("/collections/erp_partenaire/items?{q}")).await;
    assert_eq!(ours.status, 200, "{}", ours.text());
    let ours: serde_json::Value = serde_json::from_slice(&ours.body).unwrap();
    let theirs: serde_json::Value =
        serde_json::from_str(&curl(&format!("http://127.0.0.1:{up}/collections/erp/items?{q}")).1).unwrap();
    let ids = |v: &serde_json::Value| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"]["id"].as_str().unwrap().to_string())
            .collect::<std::collections::BTreeSet<_>>()
    };
    assert!(!ids(&theirs).is_empty(), "{theirs}");
    assert_eq!(ids(&ours), ids(&theirs));
    let x = ours["features"][0]["geometry"]["coordinates"][0].as_f64().unwrap();
    assert!((700_000.0..900_000.0).contains(&x), "Lambert-93 coordinates: {x}");
    // Drawn with tuile's own style.
    let map = get(
        &app,
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=erp_partenaire&STYLES=&CRS=EPSG:2154\
         &BBOX=765000,6270000,775000,6280000&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE",
    )
    .await;
    assert_eq!(map.status, 200, "{}", map.text());
    assert!(map.image().pixels().filter(|p| p[3] > 0).count() > 50, "no ERP drawn");
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

#[actix_web::test]
async fn feature_info_on_a_cascaded_wms_layer_is_the_partners() {
    let app = app(cascading()).await;
    let up = upstream_tuile();
    let q = "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&STYLES=&CRS=EPSG:2154\
             &BBOX=769000,6278000,771000,6280000&WIDTH=256&HEIGHT=256&I=128&J=128\
             &INFO_FORMAT=application/geo%2Bjson&FEATURE_COUNT=5";
    let ours = get(
        &app,
        &format!("/wms?{q}&LAYERS=ocsol_partenaire&QUERY_LAYERS=ocsol_partenaire"),
    )
    .await;
    assert_eq!(ours.status, 200, "{}", ours.text());
    let theirs = curl(&format!(
        "http://127.0.0.1:{up}/wms?{q}&LAYERS=ocsol&QUERY_LAYERS=ocsol"
    ))
    .1;
    let ours: serde_json::Value = serde_json::from_slice(&ours.body).unwrap();
    let theirs: serde_json::Value = serde_json::from_str(&theirs).unwrap();
    let props = |v: &serde_json::Value| {
        v["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["properties"].clone())
            .collect::<Vec<_>>()
    };
    assert!(!props(&theirs).is_empty(), "the partner found nothing: {theirs}");
    assert_eq!(props(&ours), props(&theirs));
    // Re-encoded in every format tuile answers.
    let html = get(
        &app,
        &format!(
            "/wms?{}&LAYERS=ocsol_partenaire&QUERY_LAYERS=ocsol_partenaire",
            q.replace("application/geo%2Bjson", "text/html")
        ),
    )
    .await;
    assert_eq!(html.status, 200, "{}", html.text());
    let first = props(&theirs)[0]
        .as_object()
        .unwrap()
        .values()
        .find_map(|v| v.as_str().map(str::to_string))
        .unwrap();
    assert!(html.text().contains(&first), "{}", html.text());
    // WMTS feature info asks the partner too (the same pixel of a LAMB93 tile).
    let m = &tuile_core::grid::tms::TileMatrixSet::get("LAMB93").unwrap().matrices[16];
    let (col, row) = (
        ((770000.0 - m.origin.0) / m.tile_span()) as u32,
        ((m.origin.1 - 6279000.0) / m.tile_span()) as u32,
    );
    let wmts = |layer: &str, style: &str| {
        format!(
            "/wmts?SERVICE=WMTS&REQUEST=GetFeatureInfo&VERSION=1.0.0&LAYER={layer}&STYLE={style}\
             &FORMAT=image/png&TILEMATRIXSET=LAMB93&TILEMATRIX=16&TILEROW={row}&TILECOL={col}\
             &I=100&J=100&INFOFORMAT=application/geo%2Bjson"
        )
    };
    let ours = get(&app, &wmts("ocsol_partenaire", "default")).await;
    assert_eq!(ours.status, 200, "{}", ours.text());
    let theirs = curl(&format!("http://127.0.0.1:{up}{}", wmts("ocsol", "couverture"))).1;
    let (ours, theirs): (serde_json::Value, serde_json::Value) = (
        serde_json::from_slice(&ours.body).unwrap(),
        serde_json::from_str(&theirs).unwrap(),
    );
    assert!(!props(&theirs).is_empty(), "the partner found nothing: {theirs}");
    assert_eq!(props(&ours), props(&theirs));
    // A layer whose upstream answers no GeoJSON is not queryable.
    let none = get(&app, &format!("/wms?{q}&LAYERS=fault_ok&QUERY_LAYERS=fault_ok")).await;
    assert_eq!(none.status, 400, "{}", none.text());
    assert!(none.text().contains("LayerNotQueryable"), "{}", none.text());
}

#[actix_web::test]
async fn a_host_that_takes_one_layer_and_one_request_a_second_is_asked_so() {
    let app = app(cascading()).await;
    let heads = || {
        faulty()
            .heads
            .lock()
            .unwrap()
            .iter()
            .filter(|h| h.contains("/twice/wms") && h.contains("REQUEST=GetMap"))
            .cloned()
            .collect::<Vec<_>>()
    };
    // The capabilities read at open took a turn: let the rate's bucket refill.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let before = heads().len();
    let r = get(&app, &getmap("two_layers")).await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.image().get_pixel(10, 10).0, [200, 40, 40, 255]);
    // Two layers, one per request (max_layers = 1).
    let sent = heads()[before..].to_vec();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(sent.iter().all(|h| h.contains("LAYERS=zones&")), "{sent:?}");
    // Past the rate, requests wait their turn; a turn that would come after
    // the deadline (1.5 s) is a 504, not a longer wait.
    let boxes = [
        "770000,6275000,771000,6276000",
        "771000,6275000,772000,6276000",
        "770000,6276000,771000,6277000",
    ];
    let answers = futures_util::future::join_all(boxes.iter().map(|b| {
        let uri = getmap("two_layers").replace("770000,6275000,772000,6277000", b);
        let app = &app;
        async move { get(app, &uri).await.status }
    }))
    .await;
    assert!(answers.contains(&504), "{answers:?}");
}

#[actix_web::test]
async fn a_restricted_layers_partner_is_named_to_no_one() {
    let app = app(cascading()).await;
    let up = upstream_tuile();
    // The members draw it (the key is the demo one: `demo-membres`).
    let q = "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho_membres&STYLES=&CRS=EPSG:2154\
             &BBOX=769000,6278000,771000,6280000&WIDTH=128&HEIGHT=128&FORMAT=image/png";
    let members = get_with(&app, q, &[("X-API-Key", "demo-membres")]).await;
    assert_eq!(members.status, 200, "{}", members.text());
    // To anyone else it does not exist, and neither does its partner.
    let anonymous = get(&app, q).await;
    assert_eq!(anonymous.exception().0, "LayerNotDefined");
    assert!(!anonymous.text().contains("localhost"), "{}", anonymous.text());
    let hidden = format!("localhost:{up}");
    let ready = get(&app, "/ready").await.text();
    assert!(
        !ready.contains(&hidden) && ready.contains("restricted upstream"),
        "{ready}"
    );
    let metrics = get(&app, "/metrics").await.text();
    assert!(
        !metrics.contains(&hidden) && metrics.contains("restricted upstream"),
        "{metrics}"
    );
}
