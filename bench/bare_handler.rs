//! The ceiling for cached-tile benchmarks: a bare actix-web handler that
//! answers every GET with the same bytes and the headers tuile sends.
//!
//! `cargo run --release --example bare-handler -- FILE ADDR [WORKERS]`

use actix_web::{App, HttpResponse, HttpServer, web};
use bytes::Bytes;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let (file, addr) = (&args[1], args[2].clone());
    let workers: usize = args.get(3).and_then(|w| w.parse().ok()).unwrap_or(2);
    let body = Bytes::from(std::fs::read(file)?);
    let etag = tuile_core::tiles::etag_of(&body);
    actix_web::rt::System::new().block_on(async move {
        HttpServer::new(move || {
            let (body, etag) = (body.clone(), etag.clone());
            App::new().default_service(web::to(move || {
                let (body, etag) = (body.clone(), etag.clone());
                async move {
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
