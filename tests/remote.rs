//! Remote sources: the demo data served by a real nginx on loopback, read
//! through HTTP range requests (COG and VRT through GDAL's /vsicurl/, the
//! FlatGeobuf files through the same VSI layer), answers exactly as the
//! local files do.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command};

use actix_web::web;
use common::*;
use tuile::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::config::Config;

struct Nginx {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // SIGTERM lets the master stop its workers; SIGKILL would orphan them.
        // SAFETY: signalling our own child process.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
        // Its configuration and logs go with it (one folder per test run otherwise piles up).
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Nginx {
    /// nginx from Debian, serving `root` on a free loopback port, in the foreground.
    fn start(root: &std::path::Path) -> Nginx {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = repo().join(format!("target/nginx-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("tmp")).unwrap();
        let conf = format!(
            "daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 64; }}\n\
             http {{\n  access_log {d}/access.log;\n  client_body_temp_path {d}/tmp;\n\
               server {{ listen 127.0.0.1:{port}; root {root}; location / {{ }} }}\n}}\n",
            d = dir.display(),
            root = root.display(),
        );
        std::fs::write(dir.join("nginx.conf"), conf).unwrap();
        let child = Command::new("/usr/sbin/nginx")
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("nginx is installed (make test-deps)");
        // Dropped (killed and waited for) on the panic below too.
        let nginx = Nginx { child, dir, port };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return nginx;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!(
            "nginx did not start: {}",
            std::fs::read_to_string(nginx.dir.join("error.log")).unwrap_or_default()
        );
    }

    fn access_log(&self) -> String {
        std::fs::read_to_string(self.dir.join("access.log")).unwrap_or_default()
    }
}

fn state_with_data(data: &str) -> web::Data<AppState> {
    tuile_core::source::gdal::init(128);
    let data = data.to_string();
    let config = Config::load_with(&repo().join("tuile.toml"), |name| {
        (name == "TUILE_DATA").then(|| data.clone())
    })
    .unwrap();
    let catalog = Catalog::load(config).unwrap();
    assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
    web::Data::new(AppState::new(catalog))
}

fn digest(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

#[actix_web::test]
async fn sources_over_http_range_requests_answer_like_local_files() {
    let nginx = Nginx::start(data_dir());
    let remote = state_with_data(&format!("/vsicurl/http://127.0.0.1:{}", nginx.port));
    let local = state();
    for layer in ["bdortho", "ocsol", "erp", "adresses"] {
        let path = remote.catalog().layer(layer).unwrap().source.meta().path.clone();
        assert!(
            path.to_string_lossy().starts_with("/vsicurl/http://"),
            "{layer}: {}",
            path.display()
        );
    }
    let remote_app = app(remote).await;
    let local_app = app(local).await;
    let uris = [
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=bdortho,ocsol,erp,adresses&STYLES=,transparence,,&CRS=EPSG:2154&BBOX=770000,6278950,770500,6279350&WIDTH=500&HEIGHT=400&FORMAT=image/png",
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=bdortho&STYLES=&CRS=EPSG:3857&BBOX=430400,5405100,430900,5405500&WIDTH=256&HEIGHT=256&FORMAT=image/jpeg",
        "/collections/adresses/items?bbox=3.870,43.605,3.875,43.610&limit=500",
        "/collections/ocsol/items?limit=50&datetime=2019",
        "/collections/erp/items?filter=categorie_erp%3C3&limit=1000",
    ];
    for uri in uris {
        let r = get(&remote_app, uri).await;
        let l = get(&local_app, uri).await;
        assert_eq!(r.status, 200, "{uri}: {}", r.text());
        assert_eq!(l.status, 200, "{uri}");
        // Items carry the time they were made: compare everything after it.
        let strip = |b: &[u8]| -> Vec<u8> {
            let t = String::from_utf8_lossy(b);
            match t.find("\"features\"") {
                Some(i) if t.starts_with('{') => t[i..].as_bytes().to_vec(),
                _ => b.to_vec(),
            }
        };
        assert_eq!(
            digest(&strip(&r.body)),
            digest(&strip(&l.body)),
            "{uri} differs over HTTP"
        );
    }
    let log = nginx.access_log();
    let partial = log.lines().filter(|l| l.contains("\" 206 ")).count();
    assert!(partial > 5, "range requests (206) were made:\n{log}");
    for file in ["ocsol.fgb", "adresses.fgb", "bdortho.vrt"] {
        assert!(log.contains(file), "{file} was read over HTTP");
    }
    let _ = std::fs::remove_dir_all(&nginx.dir);
}

#[actix_web::test]
async fn an_unreachable_remote_source_names_its_layer_and_url() {
    tuile_core::source::gdal::init(128);
    // Nothing listens on port 9 (discard) on loopback.
    let config = Config::load_with(&repo().join("tuile.toml"), |name| {
        (name == "TUILE_DATA").then(|| "/vsicurl/http://127.0.0.1:9/nothing".to_string())
    })
    .unwrap();
    let catalog = Catalog::load(config).unwrap();
    assert!(catalog.layers.is_empty());
    assert_eq!(catalog.problems.len(), 5);
    let erp = catalog.problems.iter().find(|p| p.contains("layer `erp`")).unwrap();
    assert!(erp.contains("http://127.0.0.1:9/nothing/erp.fgb"), "{erp}");
}

#[actix_web::test]
async fn a_mosaic_index_and_its_pyramid_on_http_answer_like_local_files() {
    use tuile_core::source::tile_index;
    use tuile_demo::region::{MosaicPlan, write_mosaic};
    tuile_core::source::gdal::init(128);
    let root = scratch_dir("remote-mosaic");
    write_mosaic(&MosaicPlan::small(), &root.join("ortho")).unwrap();
    let index = root.join("ortho/mosaic.fgb");
    tile_index::build(
        &[root.join("ortho").to_string_lossy().into_owned()],
        &index,
        &Default::default(),
        &|_| {},
    )
    .unwrap();
    let nginx = Nginx::start(&root);
    let state = |path: String| {
        let toml = format!(
            "[server]\nmetadata = \"{}\"\n[[layers]]\nname = \"ortho\"\ntitle = \"BD ORTHO\"\nsource = {{ kind = \"mosaic\", path = \"{path}\" }}\ncrs = [\"EPSG:2154\", \"EPSG:3857\"]\n",
            repo().join("capabilities/service.toml").display()
        );
        let file = root.join(format!("tuile-{}.toml", path.len()));
        std::fs::write(&file, toml).unwrap();
        let catalog = Catalog::load(Config::load(&file).unwrap()).unwrap();
        assert!(catalog.problems.is_empty(), "{:?}", catalog.problems);
        web::Data::new(AppState::new(catalog))
    };
    let remote = app(state(format!(
        "/vsicurl/http://127.0.0.1:{}/ortho/mosaic.fgb",
        nginx.port
    )))
    .await;
    let local = app(state(index.to_string_lossy().into_owned())).await;
    // The tiles at their resolution, the pyramid at a small scale, an older edition.
    let uris = [
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:2154&BBOX=772000,6276000,777000,6281000&WIDTH=256&HEIGHT=256&FORMAT=image/png",
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:2154&BBOX=755000,6260000,795000,6295000&WIDTH=200&HEIGHT=175&FORMAT=image/png",
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=ortho&STYLES=&CRS=EPSG:3857&BBOX=430400,5405100,440900,5415500&WIDTH=256&HEIGHT=256&FORMAT=image/png&TIME=2021",
    ];
    for uri in uris {
        let (r, l) = (get(&remote, uri).await, get(&local, uri).await);
        assert_eq!((r.status, l.status), (200, 200), "{uri}: {}", r.text());
        let img = r.image();
        assert!(img.pixels().any(|p| p.0[3] == 255), "{uri}: an empty map");
        assert_eq!(digest(&r.body), digest(&l.body), "{uri} differs over HTTP");
    }
    let log = nginx.access_log();
    assert!(
        log.contains("/ortho/mosaic.fgb") && log.contains("/ortho/pyramid/"),
        "{log}"
    );
    assert!(
        log.lines().filter(|l| l.contains("\" 206 ")).count() > 3,
        "range requests were made"
    );
    drop(nginx);
    let _ = std::fs::remove_dir_all(&root);
}
