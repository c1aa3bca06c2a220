//! `/collections/{id}/items` and `/items/{featureId}`: feature queries,
//! streamed as GeoJSON straight from the FlatGeobuf reader.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse, web};
use bytes::Bytes;
use serde_json::json;

use super::{Format, GEOJSON, Problem, QUERYABLES_REL, check_params, collection, crs_list, link, negotiate};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::error::Error;
use tuile_core::feature::FeatureView;
use tuile_core::feature::LazyGeometry;
use tuile_core::feature::Value;
use tuile_core::geojson::{Geometry, write_feature, write_string};
use tuile_core::grid::{BBox, Crs};
use tuile_core::layer::Layer;
use tuile_core::pool::RenderPool;
use tuile_core::query::filter::{Context, Node, parse, property_equals};
use tuile_core::query::{self, Area, Query};
use tuile_core::source::{FgbSource, Source};
use tuile_core::time::parse_datetime;

pub const DEFAULT_LIMIT: usize = 100;
/// Bytes gathered before a chunk is sent.
const CHUNK: usize = 64 * 1024;

const ITEMS_PARAMS: &[&str] = &[
    "f",
    "limit",
    "offset",
    "cursor",
    "bbox",
    "bbox-crs",
    "datetime",
    "crs",
    "filter",
    "filter-lang",
    "filter-crs",
];

pub fn source(layer: &Layer) -> &FgbSource {
    match &layer.source {
        Source::Vector(v) => v,
        Source::Raster(_) | Source::Remote(_) => unreachable!("collections are vector layers"),
    }
}

fn crs_param(kvp: &Kvp, name: &str, layer: &Layer) -> Result<Crs, Problem> {
    // Strict: an empty value is not a URI (the OpenAPI document says so).
    match kvp.get(name) {
        None => Ok(Crs::CRS84),
        Some(v) => {
            let crs = Crs::parse(v).map_err(|_| Problem::bad_request(format!("{name}: `{v}` is not a CRS")))?;
            if crs_list(layer).contains(&crs) {
                Ok(crs)
            } else {
                Err(Problem::bad_request(format!(
                    "{name}: the collection is not offered in {}",
                    crs.uri()
                )))
            }
        }
    }
}

fn integer(kvp: &Kvp, name: &str) -> Result<Option<u64>, Problem> {
    match kvp.get(name) {
        None => Ok(None),
        Some(v) => v
            .trim()
            .parse::<u64>()
            .map(Some)
            .map_err(|_| Problem::bad_request(format!("{name}: `{v}` is not a non-negative integer"))),
    }
}

/// A parsed items request.
pub struct ItemsRequest {
    pub layer: Arc<Layer>,
    pub query: Query,
    pub crs: Crs,
    pub format: Format,
    limit: usize,
}

fn parse_bbox(kvp: &Kvp, layer: &Layer, storage: Crs) -> Result<Option<Vec<Area>>, Problem> {
    let Some(text) = kvp.get("bbox") else {
        return Ok(None);
    };
    let crs = crs_param(kvp, "bbox-crs", layer)?;
    let v: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
        .collect::<Option<_>>()
        .ok_or_else(|| Problem::bad_request(format!("bbox: `{text}` is not 4 or 6 numbers")))?;
    let corners = match v.as_slice() {
        [a, b, c, d] => [*a, *b, *c, *d],
        [a, b, _, d, e, _] => [*a, *b, *d, *e],
        _ => return Err(Problem::bad_request(format!("bbox: `{text}` is not 4 or 6 numbers"))),
    };
    let b = crs.bbox_from_axis_order(corners, true);
    if b.miny > b.maxy {
        return Err(Problem::bad_request("bbox: the south edge is above the north edge"));
    }
    // Across the antimeridian (west > east in degrees): two boxes.
    let boxes = if b.minx > b.maxx {
        if !crs.is_geographic() {
            return Err(Problem::bad_request("bbox: the west edge is east of the east edge"));
        }
        vec![
            BBox::new(b.minx, b.miny, 180.0, b.maxy),
            BBox::new(-180.0, b.miny, b.maxx, b.maxy),
        ]
    } else {
        vec![b]
    };
    // Clip to the data first: boxes far outside it may not exist in the storage CRS.
    let extent = layer.extent_in(crs).unwrap_or(layer.geographic_extent);
    let mut out = Vec::new();
    for b in boxes {
        let clipped = BBox::new(
            b.minx.max(extent.minx),
            b.miny.max(extent.miny),
            b.maxx.min(extent.maxx),
            b.maxy.min(extent.maxy),
        );
        if clipped.minx > clipped.maxx || clipped.miny > clipped.maxy {
            continue;
        }
        let grown = clipped.buffered(clipped.width().max(1e-9) * 1e-9, clipped.height().max(1e-9) * 1e-9);
        if let Ok(area) = Area::from_bbox(&grown, crs, storage) {
            out.push(area);
        }
    }
    Ok(Some(out))
}

pub fn parse_items(
    kvp: &Kvp,
    req: &HttpRequest,
    catalog: &Catalog,
    layer: &Arc<Layer>,
) -> Result<ItemsRequest, Problem> {
    let src = source(layer);
    check_params(kvp, ITEMS_PARAMS, |name| src.columns().iter().any(|c| c.name == name))?;
    let format = negotiate(req, kvp)?;
    let limits = &catalog.config.server.limits;
    let max = limits.max_features;
    let limit = match kvp.get("limit") {
        None => DEFAULT_LIMIT.min(max),
        Some(v) => match v.trim().parse::<u64>() {
            Ok(n) if n >= 1 => (n as usize).min(max),
            _ => {
                return Err(Problem::bad_request(format!(
                    "limit: `{v}` is not an integer from 1 to {max}"
                )));
            }
        },
    };
    let storage = src.meta().crs;
    let crs = crs_param(kvp, "crs", layer)?;
    let mut query = Query {
        limit,
        offset: integer(kvp, "offset")?.unwrap_or(0),
        cursor: integer(kvp, "cursor")?,
        ..Default::default()
    };
    query.areas = parse_bbox(kvp, layer, storage)?;
    // Empty datetime and filter are no constraint (they are plain strings in the API document).
    if let Some(dt) = kvp.get_nonempty("datetime") {
        let range = parse_datetime(dt).map_err(|e| Problem::bad_request(format!("datetime: {e}")))?;
        if let Some(t) = &layer.time {
            let col = src
                .columns()
                .iter()
                .position(|c| c.name == t.field)
                .expect("the time field is a column");
            query.time = Some((col, t.overlapping(&range)));
        }
    }
    let mut nodes: Vec<Node> = Vec::new();
    if let Some(text) = kvp.get_nonempty("filter") {
        let json = match kvp.get("filter-lang").unwrap_or("cql2-text") {
            "cql2-text" => false,
            "cql2-json" => true,
            other => {
                return Err(Problem::bad_request(format!(
                    "filter-lang: `{other}` is not cql2-text or cql2-json"
                )));
            }
        };
        let expr = parse(text, json).map_err(|e| Problem::bad_request(format!("filter: {e}")))?;
        let ctx = Context {
            columns: src.columns(),
            storage,
            filter_crs: crs_param(kvp, "filter-crs", layer)?,
            max_nodes: limits.max_filter_nodes,
        };
        nodes.push(
            ctx.compile(&expr)
                .map_err(|e| Problem::bad_request(format!("filter: {e}")))?,
        );
    } else if kvp.contains("filter-lang") || kvp.contains("filter-crs") {
        crs_param(kvp, "filter-crs", layer)?;
    }
    for name in kvp.names() {
        if let Some(node) = property_equals(src.columns(), name, kvp.get(name).unwrap_or_default()) {
            nodes.push(node);
        }
    }
    query.filter = match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(Node::And(nodes)),
    };
    Ok(ItemsRequest {
        layer: Arc::clone(layer),
        query,
        crs,
        format,
        limit,
    })
}

/// Writes one feature as GeoJSON in the output CRS.
pub fn write_item(
    out: &mut Vec<u8>,
    f: &FeatureView,
    geom: &mut LazyGeometry,
    storage: Crs,
    crs: Crs,
    id_col: Option<usize>,
) {
    let id = match id_col.map(|c| f.property_at(c)) {
        Some(v @ (Value::Str(_) | Value::Int(_) | Value::UInt(_))) => v,
        _ => Value::UInt(f.index),
    };
    let mut shape = geom.shape().clone();
    let projected = shape.reproject(storage, crs).is_ok() && shape.is_finite();
    let geometry = projected.then_some(Geometry {
        shape: &shape,
        swap: crs.authority_lat_lon(),
        decimals: if crs.is_geographic() { 7 } else { 2 },
    });
    write_feature(out, Some(&id), geometry, |members| {
        f.for_each_property(|c, v| {
            members.value(&f.columns()[c].name, &v);
            true
        });
    });
}

/// The column whose values identify features (`id`), if the data has one.
pub fn id_column(src: &FgbSource) -> Option<usize> {
    src.columns().iter().position(|c| c.name == "id")
}

/// This request's URL with some parameters replaced (for paging links).
fn page_url(base: &str, path: &str, kvp_pairs: &[(String, String)], set: &[(&str, String)]) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in kvp_pairs {
        if !set.iter().any(|(s, _)| s == k) {
            ser.append_pair(k, v);
        }
    }
    for (k, v) in set {
        if !v.is_empty() {
            ser.append_pair(k, v);
        }
    }
    let q = ser.finish();
    if q.is_empty() {
        format!("{base}{path}")
    } else {
        format!("{base}{path}?{q}")
    }
}

fn pairs(query_string: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(query_string.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

pub async fn items(req: HttpRequest, id: web::Path<String>, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(&req);
    let request = match collection(&catalog, &id).and_then(|layer| parse_items(&kvp, &req, &catalog, layer)) {
        Ok(r) => r,
        Err(e) => return e.response(),
    };
    let b = super::base(&req, &state, &catalog);
    match request.format {
        Format::Html => html_items(request, b, super::html::basemap(&catalog), pairs(req.query_string())).await,
        Format::Json => stream_items(request, b, pairs(req.query_string()), &state.pool).await,
    }
}

async fn stream_items(r: ItemsRequest, b: String, params: Vec<(String, String)>, pool: &RenderPool) -> HttpResponse {
    // Unbounded: a job on the render pool never waits for a slow client (it
    // would hold a render thread); what it buffers is bounded by the page
    // size (`max_features`) and the number of jobs.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Result<Bytes, Error>>();
    let crs = r.crs;
    let layer = Arc::clone(&r.layer);
    let path = format!("/collections/{}/items", layer.name());
    let self_url = page_url(&b, &path, &params, &[]);
    let coll_url = format!("{b}/collections/{}", layer.name());
    let base_for_links = b.clone();
    let job = move || {
        if tx.is_closed() {
            return;
        }
        let b = base_for_links;
        let src = source(&r.layer);
        let storage = src.meta().crs;
        let id_col = id_column(src);
        let mut buf = Vec::with_capacity(CHUNK + 4096);
        buf.extend_from_slice(b"{\"type\":\"FeatureCollection\",\"timeStamp\":");
        write_string(
            &mut buf,
            &jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        );
        buf.extend_from_slice(b",\"features\":[");
        let mut first = true;
        let mut gone = false;
        let result = query::run(src, &r.query, |f, geom| {
            if !std::mem::take(&mut first) {
                buf.push(b',');
            }
            write_item(&mut buf, f, geom, storage, crs, id_col);
            if buf.len() >= CHUNK {
                let chunk = Bytes::from(std::mem::replace(&mut buf, Vec::with_capacity(CHUNK + 4096)));
                if tx.send(Ok(chunk)).is_err() {
                    gone = true;
                    return false;
                }
            }
            true
        });
        if gone {
            return;
        }
        let page = match result {
            Ok(p) => p,
            Err(e) => {
                let _ = tx.send(Err(e.into()));
                return;
            }
        };
        buf.extend_from_slice(format!("],\"numberReturned\":{}", page.returned).as_bytes());
        if r.query.is_unfiltered() {
            buf.extend_from_slice(format!(",\"numberMatched\":{}", src.features_count()).as_bytes());
        }
        let mut links = vec![
            link(&self_url, "self", GEOJSON, "This page"),
            link(
                &page_url(&b, &path, &params, &[("f", "html".into())]),
                "alternate",
                "text/html",
                "This page as HTML",
            ),
            link(&coll_url, "collection", "application/json", "The collection"),
        ];
        let offset = r.query.offset;
        if let Some(next) = page.next {
            let set = [
                ("offset", (offset + page.returned as u64).to_string()),
                ("cursor", next.to_string()),
                ("f", String::new()),
            ];
            links.push(link(&page_url(&b, &path, &params, &set), "next", GEOJSON, "Next page"));
        }
        if offset > 0 {
            let set = [
                ("offset", offset.saturating_sub(r.limit as u64).to_string()),
                ("cursor", String::new()),
                ("f", String::new()),
            ];
            links.push(link(
                &page_url(&b, &path, &params, &set),
                "prev",
                GEOJSON,
                "Previous page",
            ));
        }
        buf.extend_from_slice(b",\"links\":");
        buf.extend_from_slice(serde_json::to_string(&links).expect("links serialise").as_bytes());
        buf.push(b'}');
        let _ = tx.send(Ok(Bytes::from(buf)));
    };
    // The place among the renders is held by the response until its last
    // chunk is taken, so it is free before the client can ask again.
    let place = match pool.spawn(job) {
        Ok(place) => place,
        Err(e) => return Problem::from(Error::from(e)).response(),
    };
    // The first chunk decides the status: a source that fails at once gets a proper 503.
    let first = match rx.recv().await {
        Some(Ok(chunk)) => chunk,
        Some(Err(e)) => {
            let mut problem = Problem::from(e);
            problem.detail = format!("collection `{}`: {}", layer.name(), problem.detail);
            return problem.response();
        }
        None => return Problem::internal("the feature reader stopped").response(),
    };
    let rest = futures_util::stream::unfold((rx, place), |(mut rx, place)| async move {
        rx.recv()
            .await
            .map(|item| (item.map_err(std::io::Error::other), (rx, place)))
    });
    let body = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) });
    let name = layer.name().to_string();
    let base_items = format!("{b}/collections/{name}/items");
    HttpResponse::Ok()
        .content_type(GEOJSON)
        .insert_header(("Content-Crs", format!("<{}>", crs.uri())))
        .insert_header((
            "Link",
            format!(
                "<{base_items}>; rel=\"self\"; type=\"{GEOJSON}\", <{base_items}?f=html>; rel=\"alternate\"; type=\"text/html\", <{b}/collections/{name}/queryables>; rel={QUERYABLES_REL}; type=\"application/schema+json\""
            ),
        ))
        .streaming(futures_util::StreamExt::chain(body, rest))
}

/// Feature pages for browsers: a map and a table, not streamed.
async fn html_items(
    r: ItemsRequest,
    b: String,
    basemap: Option<String>,
    params: Vec<(String, String)>,
) -> HttpResponse {
    let layer = Arc::clone(&r.layer);
    let path = format!("/collections/{}/items", layer.name());
    let job = tokio::task::spawn_blocking(move || -> Result<(Vec<super::html::Row>, query::Page), Error> {
        let src = source(&r.layer);
        let mut rows = Vec::new();
        let page = query::run(src, &r.query, |f, geom| {
            rows.push(super::html::Row::new(f, geom));
            true
        })?;
        Ok((rows, page))
    });
    match job.await {
        Ok(Ok((rows, page))) => {
            let next = page.next.map(|n| {
                page_url(
                    &b,
                    &path,
                    &params,
                    &[("offset", (rows.len() as u64).to_string()), ("cursor", n.to_string())],
                )
            });
            let json = page_url(&b, &path, &params, &[("f", "json".into())]);
            HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(super::html::items(
                    &layer,
                    &b,
                    basemap.as_deref(),
                    &rows,
                    next.as_deref(),
                    &json,
                ))
        }
        Ok(Err(e)) => Problem::from(e).response(),
        Err(e) => Problem::internal(e.to_string()).response(),
    }
}

pub async fn item(req: HttpRequest, path: web::Path<(String, String)>, state: web::Data<AppState>) -> HttpResponse {
    let (id, fid) = path.into_inner();
    let kvp = Kvp::parse(req.query_string());
    let catalog = state.catalog_for(&req);
    let layer = match collection(&catalog, &id) {
        Ok(l) => Arc::clone(l),
        Err(e) => return e.response(),
    };
    let prepared = (|| {
        check_params(&kvp, &["f", "crs"], |_| false)?;
        Ok::<_, Problem>((negotiate(&req, &kvp)?, crs_param(&kvp, "crs", &layer)?))
    })();
    let (format, crs) = match prepared {
        Ok(p) => p,
        Err(e) => return e.response(),
    };
    let b = super::base(&req, &state, &catalog);
    let lookup_layer = Arc::clone(&layer);
    let fid_lookup = fid.clone();
    let found = tokio::task::spawn_blocking(move || -> Result<Option<(Vec<u8>, super::html::Row)>, Error> {
        let src = source(&lookup_layer);
        let number = match id_column(src) {
            Some(col) => src.find_by(col, &fid_lookup)?,
            None => fid_lookup.parse::<u64>().ok().filter(|n| *n < src.features_count()),
        };
        let Some(n) = number else { return Ok(None) };
        let mut out = None;
        src.visit_numbers(&[n], |f| {
            let mut geom = LazyGeometry::new(f);
            let mut buf = Vec::new();
            write_item(&mut buf, f, &mut geom, src.meta().crs, crs, id_column(src));
            out = Some((buf, super::html::Row::new(f, &mut geom)));
            false
        })?;
        Ok(out)
    })
    .await;
    let (mut body, row) = match found {
        Ok(Ok(Some(x))) => x,
        Ok(Ok(None)) => return Problem::not_found(format!("collection `{id}` has no feature `{fid}`")).response(),
        Ok(Err(e)) => return Problem::from(e).response(),
        Err(e) => return Problem::internal(e.to_string()).response(),
    };
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    let url = format!("{b}/collections/{id}/items/{}", enc(&fid));
    if format == Format::Html {
        return HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(super::html::item(
                &layer,
                &b,
                super::html::basemap(&catalog).as_deref(),
                &row,
                &format!("{url}?f=json"),
            ));
    }
    // Close the feature with its links.
    body.pop();
    let links = json!([
        link(&url, "self", GEOJSON, "This feature"),
        link(
            &format!("{url}?f=html"),
            "alternate",
            "text/html",
            "This feature as HTML"
        ),
        link(
            &format!("{b}/collections/{id}"),
            "collection",
            "application/json",
            "The collection"
        ),
    ]);
    body.extend_from_slice(format!(",\"links\":{links}}}").as_bytes());
    HttpResponse::Ok()
        .content_type(GEOJSON)
        .insert_header(("Content-Crs", format!("<{}>", crs.uri())))
        .body(body)
}
