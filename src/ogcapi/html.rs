//! HTML pages of the OGC API for browsers: the same resources, with a map
//! (a WMS image of the data, the page's features outlined over it in SVG)
//! and tables. No script, nothing fetched from elsewhere.

use serde_json::Value;

use tuile_core::catalog::Catalog;
use tuile_core::feature::LazyGeometry;
use tuile_core::feature::OwnedValue;
use tuile_core::feature::{FeatureView, Shape, ShapeKind};
use tuile_core::grid::{BBox, PixelTransform};
use tuile_core::layer::Layer;
use tuile_core::metadata::Language;

use crate::html::escape as esc;

pub(super) fn page(title: &str, base: &str, crumbs: &[(&str, String)], body: &str) -> String {
    let mut nav = format!("<a href=\"{}\">Accueil</a>", esc(&format!("{base}/?f=html")));
    for (label, href) in crumbs {
        nav.push_str(&format!(" › <a href=\"{}\">{}</a>", esc(href), esc(label)));
    }
    format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>{t}</title><style>\
         body{{font:14px/1.45 system-ui,sans-serif;margin:0;color:#222}}header{{background:#1f3a5f;color:#fff;padding:.6em 1.2em}}\
         header a{{color:#cde}}main{{padding:1em 1.2em;max-width:1100px}}table{{border-collapse:collapse;margin:.5em 0 1em}}\
         th,td{{border:1px solid #ccc;padding:3px 8px;text-align:left;vertical-align:top}}th{{background:#f0f0f0}}\
         .map{{position:relative;display:inline-block;border:1px solid #999}}.map svg{{position:absolute;left:0;top:0}}\
         code{{background:#f4f4f4;padding:0 3px}}select{{max-width:18em}}</style></head><body><header>{nav}</header><main><h1>{t}</h1>{body}</main></body></html>",
        t = esc(title)
    )
}

fn links_list(links: &[(&str, String)]) -> String {
    let items: String = links
        .iter()
        .map(|(l, h)| format!("<li><a href=\"{}\">{}</a></li>", esc(h), esc(l)))
        .collect();
    format!("<ul>{items}</ul>")
}

pub fn landing(catalog: &Catalog, b: &str) -> String {
    let m = &catalog.metadata;
    let search = format!(
        "<form method=\"get\" action=\"{}\"><input type=\"hidden\" name=\"f\" value=\"html\">\
         <input type=\"search\" name=\"q\" size=\"40\" placeholder=\"Trouver la donnée : occupation du sol, adresses…\" aria-label=\"Recherche\"> \
         <button type=\"submit\">Rechercher</button></form>",
        esc(&format!("{b}/collections/catalog/items"))
    );
    let body = format!(
        "<p>{}</p>{search}{}",
        esc(m.abstract_.get(Language::Fr)),
        links_list(&[
            (
                "Trouver la donnée (catalogue)",
                format!("{b}/collections/catalog/items?f=html")
            ),
            ("Collections d'objets", format!("{b}/collections?f=html")),
            ("Classes de conformité", format!("{b}/conformance?f=html")),
            ("Définition de l'API (OpenAPI 3.0)", format!("{b}/api")),
            ("WMS 1.3.0", format!("{b}/wms?SERVICE=WMS&REQUEST=GetCapabilities")),
            ("WMTS 1.0.0", format!("{b}/wmts/1.0.0/WMTSCapabilities.xml")),
            ("Tile matrix sets", format!("{b}/tileMatrixSets")),
        ])
    );
    page(m.title.get(Language::Fr), b, &[], &body)
}

pub fn conformance(b: &str) -> String {
    let items: String = super::CONFORMANCE
        .iter()
        .map(|c| format!("<li><code>{c}</code></li>"))
        .collect();
    page("Conformité", b, &[], &format!("<ul>{items}</ul>"))
}

/// The raster layer drawn under feature maps, if the catalog has one.
pub fn basemap(catalog: &Catalog) -> Option<String> {
    catalog
        .layers
        .iter()
        .find(|l| !l.is_vector())
        .map(|l| l.name().to_string())
}

pub fn collections(catalog: &Catalog, b: &str) -> String {
    let mut rows = String::from("<table><tr><th>Collection</th><th>Description</th></tr>");
    for l in super::collections(catalog) {
        rows.push_str(&format!(
            "<tr><td><a href=\"{href}\">{t}</a></td><td>{d}</td></tr>",
            href = esc(&format!("{b}/collections/{}?f=html", l.name())),
            t = esc(&l.config.title),
            d = esc(&l.config.abstract_)
        ));
    }
    rows.push_str("</table>");
    page("Collections", b, &[], &rows)
}

/// A WMS image of the data around `bbox` (storage CRS), with `overlay` drawn in SVG.
fn map(layer: &Layer, b: &str, basemap: Option<&str>, bbox: BBox, overlay: &[&Shape]) -> String {
    let (w, h) = (800u32, 500u32);
    // Keep the image's aspect ratio: grow the short side.
    let ratio = w as f64 / h as f64;
    let (cx, cy) = ((bbox.minx + bbox.maxx) / 2.0, (bbox.miny + bbox.maxy) / 2.0);
    let (mut bw, mut bh) = (bbox.width().max(100.0) * 1.2, bbox.height().max(100.0) * 1.2);
    if bw / bh > ratio {
        bh = bw / ratio;
    } else {
        bw = bh * ratio;
    }
    let view = BBox::new(cx - bw / 2.0, cy - bh / 2.0, cx + bw / 2.0, cy + bh / 2.0);
    let crs = layer.source.meta().crs;
    let under = basemap.map(|m| format!("{m},")).unwrap_or_default();
    let url = format!(
        "{b}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={under}{n}&STYLES=&CRS={c}&BBOX={},{},{},{}&WIDTH={w}&HEIGHT={h}&FORMAT=image/jpeg",
        view.minx,
        view.miny,
        view.maxx,
        view.maxy,
        n = layer.name(),
        c = crs.identifier()
    );
    let px = PixelTransform::new(&view, w, h);
    let mut svg = String::new();
    for s in overlay {
        let pt = |i: usize| {
            let (x, y) = px.to_pixel(s.xs[i], s.ys[i]);
            format!("{x:.1},{y:.1}")
        };
        match s.kind {
            Some(ShapeKind::Point) => {
                for &(a, _) in &s.parts {
                    let (x, y) = px.to_pixel(s.xs[a as usize], s.ys[a as usize]);
                    svg.push_str(&format!("<circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"7\"/>"));
                }
            }
            Some(_) => {
                for &(a, e) in &s.parts {
                    let pts: Vec<String> = (a as usize..e as usize).map(pt).collect();
                    svg.push_str(&format!("<polyline points=\"{}\"/>", pts.join(" ")));
                }
            }
            None => {}
        }
    }
    format!(
        "<div class=\"map\"><img src=\"{}\" width=\"{w}\" height=\"{h}\" alt=\"carte\">\
         <svg width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#ffde00\" stroke-width=\"3\">{svg}</svg></div>",
        esc(&url)
    )
}

pub fn collection(layer: &Layer, b: &str, basemap: Option<&str>) -> String {
    let n = layer.name();
    let g = layer.geographic_extent;
    let mut body = format!(
        "<p>{}</p>{}<p>Étendue (CRS84) : {:.5}, {:.5} – {:.5}, {:.5}</p>",
        esc(&layer.config.abstract_),
        map(layer, b, basemap, layer.native_extent, &[]),
        g.minx,
        g.miny,
        g.maxx,
        g.maxy
    );
    if let Some(t) = &layer.time {
        body.push_str(&format!("<p>Millésimes : {}</p>", t.values.join(", ")));
    }
    body.push_str(&links_list(&[
        ("Objets", format!("{b}/collections/{n}/items?f=html")),
        ("Objets (GeoJSON)", format!("{b}/collections/{n}/items")),
        (
            "Propriétés interrogeables",
            format!("{b}/collections/{n}/queryables?f=html"),
        ),
    ]));
    page(
        &layer.config.title,
        b,
        &[("Collections", format!("{b}/collections?f=html"))],
        &body,
    )
}

pub fn queryables(layer: &Layer, doc: &Value, b: &str) -> String {
    let mut rows = String::from("<table><tr><th>Propriété</th><th>Type</th></tr>");
    if let Some(props) = doc["properties"].as_object() {
        for (k, v) in props {
            let ty = v["type"].as_str().or(v["format"].as_str()).unwrap_or("");
            rows.push_str(&format!(
                "<tr><td><code>{}</code></td><td>{}</td></tr>",
                esc(k),
                esc(ty)
            ));
        }
    }
    rows.push_str("</table>");
    let n = layer.name();
    page(
        &format!("{} – propriétés interrogeables", layer.config.title),
        b,
        &[
            ("Collections", format!("{b}/collections?f=html")),
            (&layer.config.title, format!("{b}/collections/{n}?f=html")),
        ],
        &rows,
    )
}

/// One feature, copied out of the reader for an HTML page.
pub struct Row {
    pub id: String,
    pub properties: Vec<(String, OwnedValue)>,
    pub shape: Shape,
}

impl Row {
    pub fn new(f: &FeatureView, geom: &mut LazyGeometry) -> Row {
        let mut properties = Vec::new();
        f.for_each_property(|c, v| {
            properties.push((f.columns()[c].name.clone(), OwnedValue::from(v)));
            true
        });
        let id = properties
            .iter()
            .find(|(k, _)| k == "id")
            .map(|(_, v)| v.to_string())
            .unwrap_or_else(|| f.index.to_string());
        Row {
            id,
            properties,
            shape: geom.shape().clone(),
        }
    }
}

fn rows_bbox(rows: &[Row]) -> Option<BBox> {
    rows.iter().filter_map(|r| r.shape.bbox()).reduce(|a, b| a.union(&b))
}

pub fn items(layer: &Layer, b: &str, basemap: Option<&str>, rows: &[Row], next: Option<&str>, json: &str) -> String {
    let n = layer.name();
    let mut body = match rows_bbox(rows) {
        Some(bb) => map(
            layer,
            b,
            basemap,
            bb,
            &rows.iter().map(|r| &r.shape).collect::<Vec<_>>(),
        ),
        None => "<p>Aucun objet. / No feature.</p>".into(),
    };
    let names: Vec<&str> = rows
        .first()
        .map(|r| r.properties.iter().map(|(k, _)| k.as_str()).collect())
        .unwrap_or_default();
    body.push_str("<table><tr>");
    for k in &names {
        body.push_str(&format!("<th>{}</th>", esc(k)));
    }
    body.push_str("</tr>");
    for r in rows {
        body.push_str("<tr>");
        for (k, v) in &r.properties {
            let cell = esc(&v.to_string());
            if k == "id" {
                let href = format!(
                    "{b}/collections/{n}/items/{}?f=html",
                    form_urlencoded::byte_serialize(r.id.as_bytes()).collect::<String>()
                );
                body.push_str(&format!("<td><a href=\"{}\">{cell}</a></td>", esc(&href)));
            } else {
                body.push_str(&format!("<td>{cell}</td>"));
            }
        }
        body.push_str("</tr>");
    }
    body.push_str("</table>");
    let mut links = vec![("Cette page en GeoJSON", json.to_string())];
    if let Some(nx) = next {
        links.push(("Page suivante", format!("{nx}&f=html")));
    }
    body.push_str(&links_list(&links));
    page(
        &format!("{} – objets", layer.config.title),
        b,
        &[
            ("Collections", format!("{b}/collections?f=html")),
            (&layer.config.title, format!("{b}/collections/{n}?f=html")),
        ],
        &body,
    )
}

pub fn item(layer: &Layer, b: &str, basemap: Option<&str>, row: &Row, json: &str) -> String {
    let n = layer.name();
    let mut body = match row.shape.bbox() {
        Some(bb) => map(layer, b, basemap, bb, &[&row.shape]),
        None => String::new(),
    };
    body.push_str("<table>");
    for (k, v) in &row.properties {
        body.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v.to_string())));
    }
    body.push_str("</table>");
    body.push_str(&links_list(&[("Cet objet en GeoJSON", json.to_string())]));
    page(
        &format!("{} {}", layer.config.title, row.id),
        b,
        &[
            ("Collections", format!("{b}/collections?f=html")),
            (&layer.config.title, format!("{b}/collections/{n}?f=html")),
            ("Objets", format!("{b}/collections/{n}/items?f=html")),
        ],
        &body,
    )
}
