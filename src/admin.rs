//! The admin endpoint, on a loopback address of its own: cache
//! invalidation and reload.

use actix_web::{HttpRequest, HttpResponse, web};

use crate::state::AppState;

/// `POST /admin/invalidate?layer=NAME`
/// (or without `layer`, everything) and `POST /admin/reload`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/admin/invalidate", web::post().to(admin_invalidate))
        .route("/admin/reload", web::post().to(admin_reload));
}

async fn admin_invalidate(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = crate::ows::Kvp::parse(req.query_string());
    match kvp.get_nonempty("layer") {
        Some(name) if state.catalog().layer(name).is_none() => {
            HttpResponse::NotFound().body(format!("no layer named `{name}`\n"))
        }
        Some(name) => {
            state.tiles.invalidate_layer(name);
            HttpResponse::Ok().body(format!("tiles of `{name}` dropped\n"))
        }
        None => {
            state.tiles.invalidate_all();
            HttpResponse::Ok().body("all tiles dropped\n")
        }
    }
}

async fn admin_reload(state: web::Data<AppState>) -> HttpResponse {
    match state.reload() {
        Ok(()) => HttpResponse::Ok().body("reloaded\n"),
        Err(e) => HttpResponse::UnprocessableEntity().body(format!("{e:#}\n")),
    }
}
