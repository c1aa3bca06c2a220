//! The ceiling for cached-tile benchmarks: a bare actix-web handler that
//! answers a GET with tile bytes from memory and the headers tuile sends.
//!
//! `cargo run --release --example bare-handler -- SOURCE ADDR [WORKERS]`
//!
//! SOURCE is one file, answered to every path, or a directory of
//! `{z}/{x}/{y}.png` tiles, each answered to its own path `/{z}/{x}/{y}.png`
//! (the same working set as tuile's cache, not one tile hot in the CPU cache).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use bytes::Bytes;

/// Every file under `dir`, by its path below it (`/16/33471/23926.png`).
fn tiles(dir: &Path, root: &Path, out: &mut HashMap<String, (Bytes, String)>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            tiles(&path, root, out)?;
        } else {
            let body = Bytes::from(std::fs::read(&path)?);
            let etag = tuile_core::tiles::etag_of(&body);
            let key = format!("/{}", path.strip_prefix(root).expect("below the root").display());
            out.insert(key, (body, etag));
        }
    }
    Ok(())
}

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (source, addr) = (Path::new(&args[1]), args[2].clone());
    let workers: usize = args.get(3).and_then(|w| w.parse().ok()).unwrap_or(2);
    let mut by_path = HashMap::new();
    let single = if source.is_dir() {
        tiles(source, source, &mut by_path)?;
        None
    } else {
        let body = Bytes::from(std::fs::read(source)?);
        let etag = tuile_core::tiles::etag_of(&body);
        Some((body, etag))
    };
    let by_path = Arc::new(by_path);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            let (by_path, single) = (Arc::clone(&by_path), single.clone());
            App::new().default_service(web::to(move |req: HttpRequest| {
                let found = single.clone().or_else(|| by_path.get(req.path()).cloned());
                async move {
                    let Some((body, etag)) = found else {
                        return HttpResponse::NotFound().finish();
                    };
                    HttpResponse::Ok()
                        .content_type("image/png")
                        .insert_header(("etag", etag))
                        .insert_header(("cache-control", "public, max-age=3600"))
                        .insert_header(("last-modified", "Sun, 29 Nov 2026 02:18:57 GMT"))
                        .body(body)
                }
            }))
        })
        .workers(workers)
        .bind(addr)?
        .run()
        .await
    })
}
