//! Shared test harness: the small demo data set (generated once, under a
//! lock, into `target/test-data` unless TUILE_DATA names one), the repo's
//! own `tuile.toml` pointed at it, and an in-process server.
#![allow(dead_code)]

pub mod sandbox;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::{test, web};
use tuile::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;
use tuile_core::xml::Element;

pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// An empty `target/{name}-{pid}` for this test process. Directories that
/// earlier runs left under the same name (their process gone) are removed:
/// shared fixtures live as long as the process and cannot clean up after it.
#[allow(dead_code)]
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let target = repo().join("target");
    let prefix = format!("{name}-");
    for e in std::fs::read_dir(&target).into_iter().flatten().flatten() {
        let file_name = e.file_name().to_string_lossy().into_owned();
        let pid = file_name.strip_prefix(&prefix).and_then(|p| p.parse::<u32>().ok());
        if pid.is_some_and(|p| p != std::process::id() && !Path::new(&format!("/proc/{p}")).exists()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
    let dir = target.join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The schemas, examples and CITE data the tests read, carried by the
/// repository (`tests/fixtures/README.md` says where each comes from).
pub fn fixtures() -> PathBuf {
    repo().join("tests/fixtures")
}

/// The small demo data set, generated on first use.
pub fn data_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::var_os("TUILE_DATA")
            .map(PathBuf::from)
            .unwrap_or_else(|| repo().join("target/test-data"));
        std::fs::create_dir_all(&dir).unwrap();
        let lock = std::fs::File::create(dir.with_extension("lock")).unwrap();
        lock.lock().unwrap();
        if !dir.join("MANIFEST.json").exists() {
            tuile_demo::generate(&dir, tuile_demo::Scale::Small).expect("generating the test data");
        }
        lock.unlock().unwrap();
        dir.canonicalize().unwrap()
    })
}

/// The repo's configuration with TUILE_DATA pointing at the test data.
pub fn config() -> Config {
    let data = data_dir().to_string_lossy().into_owned();
    Config::load_with(&repo().join("tuile.toml"), |name| {
        (name == "TUILE_DATA").then(|| data.clone())
    })
    .expect("tuile.toml is valid")
}

pub fn catalog() -> Catalog {
    tuile_core::source::gdal::init(128);
    let c = Catalog::load(config()).expect("the catalog loads");
    assert!(c.problems.is_empty(), "{:?}", c.problems);
    c
}

pub fn state() -> web::Data<AppState> {
    static STATE: OnceLock<web::Data<AppState>> = OnceLock::new();
    STATE.get_or_init(|| web::Data::new(AppState::new(catalog()))).clone()
}

pub async fn app(
    state: web::Data<AppState>,
) -> impl Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error> {
    test::init_service(tuile::app::app(state)).await
}

pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: actix_web::http::header::HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn xml(&self) -> Element {
        Element::parse(&self.text()).unwrap_or_else(|e| panic!("not XML ({e}): {}", self.text()))
    }

    pub fn image(&self) -> image::RgbaImage {
        image::load_from_memory(&self.body)
            .unwrap_or_else(|e| panic!("not an image ({e}), {}: {}", self.content_type, self.text()))
            .to_rgba8()
    }

    /// The code and locator of the first ServiceException / Exception.
    pub fn exception(&self) -> (String, Option<String>) {
        let root = self.xml();
        let e = find(&root, &["ServiceException", "Exception"])
            .unwrap_or_else(|| panic!("no exception in {}", self.text()));
        (
            e.attr("code").or(e.attr("exceptionCode")).unwrap_or("").to_string(),
            e.attr("locator").map(str::to_string),
        )
    }
}

fn find<'a>(el: &'a Element, names: &[&str]) -> Option<&'a Element> {
    if names.contains(&el.name.as_str()) {
        return Some(el);
    }
    el.elements().find_map(|c| find(c, names))
}

/// Every descendant element named `name`, depth first.
pub fn all<'a>(el: &'a Element, name: &str) -> Vec<&'a Element> {
    let mut out = Vec::new();
    if el.name == name {
        out.push(el);
    }
    out.extend(el.descendants(name));
    out
}

pub async fn get<S>(app: &S, uri: &str) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
{
    get_with(app, uri, &[]).await
}

pub async fn get_with<S>(app: &S, uri: &str, headers: &[(&str, &str)]) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
{
    call(app, actix_web::http::Method::GET, uri, headers).await
}

pub async fn call<S>(app: &S, method: actix_web::http::Method, uri: &str, headers: &[(&str, &str)]) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
{
    send(app, method, uri, headers, "").await
}

/// A POST with an XML body, as OWS clients send one.
pub async fn post_xml<S>(app: &S, uri: &str, body: &str, headers: &[(&str, &str)]) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
{
    let mut headers = headers.to_vec();
    headers.push(("content-type", "text/xml"));
    send(app, actix_web::http::Method::POST, uri, &headers, body).await
}

async fn send<S>(app: &S, method: actix_web::http::Method, uri: &str, headers: &[(&str, &str)], body: &str) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse, Error = actix_web::Error>,
{
    let mut req = test::TestRequest::default().method(method).uri(uri);
    if !body.is_empty() {
        req = req.set_payload(body.to_string());
    }
    for (k, v) in headers {
        req = req.insert_header((*k, *v));
    }
    let resp = test::call_service(app, req.to_request()).await;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let content_type = headers
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = test::read_body(resp).await.to_vec();
    Reply {
        status,
        content_type,
        headers,
        body,
    }
}

/// Which official schema to validate a document against.
pub enum Schema {
    WmsCapabilities130,
    WmsCapabilities111,
    WmsException130,
    WmsException111,
    Xsd(&'static str),
}

/// Validates with xmllint against the official schemas, offline.
pub fn validate(doc: &[u8], schema: Schema) {
    let schemas = fixtures()
        .join("ogc-schemas")
        .canonicalize()
        .expect("tests/fixtures/ogc-schemas is present");
    let tmp = tempfile(doc);
    let mut cmd = Command::new("xmllint");
    cmd.env("XML_CATALOG_FILES", schemas.join("catalog.xml"))
        .args(["--noout", "--nonet"]);
    match schema {
        // The INSPIRE view-service schema: WMS 1.3.0 with its extended capabilities.
        Schema::WmsCapabilities130 => cmd
            .arg("--schema")
            .arg(schemas.join("inspire/inspire_vs/1.0/inspire_vs.xsd")),
        Schema::WmsException130 => cmd.arg("--schema").arg(schemas.join("wms/1.3.0/exceptions_1_3_0.xsd")),
        Schema::WmsCapabilities111 => cmd
            .arg("--dtdvalid")
            .arg(schemas.join("wms/1.1.1/WMS_MS_Capabilities.dtd")),
        Schema::WmsException111 => cmd.arg("--dtdvalid").arg(schemas.join("wms/1.1.1/exception_1_1_1.dtd")),
        Schema::Xsd(rel) => cmd.arg("--schema").arg(schemas.join(rel)),
    };
    let out = cmd.arg(&tmp).output().expect("xmllint is installed (make deps)");
    let _ = std::fs::remove_file(&tmp);
    assert!(
        out.status.success(),
        "document does not validate:\n{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(doc)
    );
}

pub fn tempfile(bytes: &[u8]) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let p = std::env::temp_dir().join(format!(
        "tuile-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Mean RGB of a rectangle of an image.
pub fn mean_rgb(img: &image::RgbaImage, x0: u32, y0: u32, x1: u32, y1: u32) -> [f64; 3] {
    let mut s = [0.0; 3];
    let mut n = 0.0;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = img.get_pixel(x, y).0;
            for c in 0..3 {
                s[c] += p[c] as f64;
            }
            n += 1.0;
        }
    }
    s.map(|v| v / n)
}

// ------------------------------------------------------------ real processes

/// The `tuile` binary, with the test data and quiet logs.
pub fn tuile_command() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tuile"));
    c.env("TUILE_DATA", data_dir()).env("RUST_LOG", "warn");
    c
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// (status, body) of a GET, through curl.
pub fn curl(url: &str) -> (u16, String) {
    let out = Command::new("curl")
        .args(["-s", "-m", "20", "-w", "\n%{http_code}", url])
        .output()
        .expect("curl is installed (make deps)");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap_or(("", "0"));
    (code.trim().parse().unwrap_or(0), body.to_string())
}

pub struct Server(pub std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn start(cfg: &std::path::Path, port: u16, env: &[(&str, &str)]) -> Server {
    let mut cmd = tuile_command();
    cmd.args(["serve", "--config"])
        .arg(cfg)
        .args(["--bind", &format!("127.0.0.1:{port}")]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let server = Server(cmd.spawn().unwrap());
    for _ in 0..200 {
        if curl(&format!("http://127.0.0.1:{port}/health")).0 == 200 {
            return server;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("the server did not start");
}

/// A raster as GDAL's own tools draw it, as RGBA: `gdalwarp` into another CRS,
/// `gdal_translate` (a resampled read, what tuile does) in Lambert-93.
pub fn gdalwarp_rgba(source: &Path, crs: &str, bbox: [f64; 4], w: u32, h: u32) -> Vec<u8> {
    gdal_rgba(source, crs, bbox, w, h, crs == "EPSG:2154")
}

/// [`gdalwarp_rgba`], with `gdalwarp` in every CRS unless `translate`.
pub fn gdal_rgba(source: &Path, crs: &str, bbox: [f64; 4], w: u32, h: u32, translate: bool) -> Vec<u8> {
    // Tests run at once: a file of their own for each call.
    static CALLS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let out = std::env::temp_dir().join(format!(
        "tuile-gdalwarp-{}-{call}-{}.bin",
        std::process::id(),
        crs.replace(':', "")
    ));
    let mut cmd = if translate {
        let mut c = std::process::Command::new("gdal_translate");
        c.args([
            "-q",
            "-of",
            "ENVI",
            "-co",
            "INTERLEAVE=BSQ",
            "-r",
            "bilinear",
            "-b",
            "1",
            "-b",
            "2",
            "-b",
            "3",
            "-b",
            "mask",
        ])
        .arg("-projwin")
        .args([bbox[0], bbox[3], bbox[2], bbox[1]].map(|v| format!("{v:.17e}")))
        .args(["-outsize", &w.to_string(), &h.to_string()]);
        c
    } else {
        let mut c = std::process::Command::new("gdalwarp");
        c.args([
            "-q",
            "-overwrite",
            "-of",
            "ENVI",
            "-co",
            "INTERLEAVE=BSQ",
            "-r",
            "bilinear",
            "-dstalpha",
            "-t_srs",
            crs,
            "-te",
        ])
        .args(bbox.map(|v| format!("{v:.17e}")))
        .args(["-ts", &w.to_string(), &h.to_string()]);
        c
    };
    let status = cmd
        .arg(source)
        .arg(&out)
        .status()
        .expect("GDAL's tools are installed (make deps)");
    assert!(status.success());
    let planar = std::fs::read(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let n = (w * h) as usize;
    let mut rgba = vec![0u8; n * 4];
    for (i, px) in rgba.chunks_exact_mut(4).enumerate() {
        for b in 0..4 {
            px[b] = planar[b * n + i];
        }
    }
    rgba
}
