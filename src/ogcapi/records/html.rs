//! The catalogue's HTML: the search page ("trouver la donnée": a form, a
//! clickable map of the region, the results with their endpoints and
//! "Open in QGIS") and one record's page. No script: the map is an
//! image input whose click comes back as `pick.x`/`pick.y`.

use super::{ID, Search};
use crate::catalogue::Urls;
use crate::html::escape as esc;
use tuile_core::grid::BBox;
use tuile_core::records::Record;

/// The search page's map: around everything the catalogue holds, in
/// lon/lat, as a WMS image whose clicks come back as pixels.
pub(super) struct PickMap {
    extent: BBox,
    width: u32,
    height: u32,
}
impl PickMap {
    /// The map around the records' extents: a margin of a quarter on each
    /// side, at least 0.05° wide, and the image's shape.
    pub(super) fn around(records: &[Record]) -> PickMap {
        let (width, height) = (440u32, 240u32);
        let e = records
            .iter()
            .map(|r| r.extent)
            .reduce(|a, b| a.union(&b))
            .unwrap_or(BBox::new(-0.5, 42.2, 5.0, 45.2));
        let (cx, cy) = ((e.minx + e.maxx) / 2.0, (e.miny + e.maxy) / 2.0);
        let mut w = (e.width() * 1.5).max(0.05);
        let mut h = e.height() * 1.5;
        let ratio = width as f64 / height as f64;
        if w / h > ratio {
            h = w / ratio;
        } else {
            w = h * ratio;
        }
        PickMap {
            extent: BBox::new(cx - w / 2.0, cy - h / 2.0, cx + w / 2.0, cy + h / 2.0),
            width,
            height,
        }
    }

    /// What a click at a pixel searches: a box an eighth of the map wide around it.
    pub(super) fn box_at(&self, x: f64, y: f64) -> BBox {
        let (lon, lat) = self.to_lon_lat(x, y);
        let (dx, dy) = (self.extent.width() / 8.0, self.extent.height() / 8.0);
        BBox::new(lon - dx, lat - dy, lon + dx, lat + dy)
    }

    fn to_lon_lat(&self, x: f64, y: f64) -> (f64, f64) {
        let e = self.extent;
        (
            e.minx + x / self.width as f64 * e.width(),
            e.maxy - y / self.height as f64 * e.height(),
        )
    }

    fn to_pixel(&self, lon: f64, lat: f64) -> (f64, f64) {
        let e = self.extent;
        (
            (lon - e.minx) / e.width() * self.width as f64,
            (e.maxy - lat) / e.height() * self.height as f64,
        )
    }
}

pub(super) fn search_page(
    urls: &Urls,
    all: &[Record],
    map: &PickMap,
    s: &Search,
    page: &[&Record],
    matched: usize,
) -> String {
    let b = &urls.base;
    let option = |value: &str, label: &str, current: &str| {
        // Licences can be paragraphs: the list shows their beginning.
        let short: String = match label.char_indices().nth(48) {
            Some((i, _)) => format!("{}…", &label[..i]),
            None => label.to_string(),
        };
        format!(
            "<option value=\"{}\"{}>{}</option>",
            esc(value),
            if value == current { " selected" } else { "" },
            esc(&short)
        )
    };
    let mut keywords: Vec<&str> = all.iter().flat_map(|r| r.keywords.iter().map(String::as_str)).collect();
    keywords.sort_by_key(|k| tuile_core::records::search::fold(k));
    keywords.dedup();
    let mut licences: Vec<&str> = all.iter().map(|r| r.licence.as_str()).collect();
    licences.sort();
    licences.dedup();
    let basemap = super::super::html::basemap(urls.catalog);
    let e = map.extent;
    let map_url = urls.at(&format!(
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={}&STYLES=&CRS=CRS:84&BBOX={},{},{},{}&WIDTH={}&HEIGHT={}&FORMAT=image/png&TRANSPARENT=TRUE",
        basemap.unwrap_or_default(),
        e.minx, e.miny, e.maxx, e.maxy, map.width, map.height
    ));
    let mut boxes = String::new();
    for r in page {
        let (x0, y1) = map.to_pixel(r.extent.minx, r.extent.miny);
        let (x1, y0) = map.to_pixel(r.extent.maxx, r.extent.maxy);
        boxes.push_str(&format!(
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\"/>",
            (x1 - x0).max(2.0),
            (y1 - y0).max(2.0)
        ));
    }
    if let Some(bb) = s.bbox {
        let (x0, y1) = map.to_pixel(bb.minx, bb.miny);
        let (x1, y0) = map.to_pixel(bb.maxx, bb.maxy);
        boxes.push_str(&format!(
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{:.1}\" height=\"{:.1}\" stroke=\"#c00\" stroke-dasharray=\"4\"/>",
            x1 - x0,
            y1 - y0
        ));
    }
    let bbox_text = s
        .bbox
        .map(|b| format!("{},{},{},{}", b.minx, b.miny, b.maxx, b.maxy))
        .unwrap_or_default();
    let form = format!(
        "<form method=\"get\" action=\"{action}\" class=\"search\">\
         <input type=\"hidden\" name=\"f\" value=\"html\">\
         <p><input type=\"search\" name=\"q\" value=\"{q}\" placeholder=\"occupation du sol, adresses, ERP…\" size=\"40\" aria-label=\"Recherche\"> \
         <button type=\"submit\">Rechercher</button></p>\
         <p><label>Type <select name=\"type\">{types}</select></label> \
         <label>Mot-clé <select name=\"keyword\">{kw}</select></label> \
         <label>Licence <select name=\"license\">{lic}</select></label> \
         <label>Accès <select name=\"access\">{acc}</select></label> \
         <label>Emprise (lon/lat) <input name=\"bbox\" value=\"{bbox}\" size=\"28\" placeholder=\"minLon,minLat,maxLon,maxLat\"></label></p>\
         <p>Cliquer sur la carte pour chercher autour d'un point :</p>\
         <div class=\"map\"><input type=\"image\" name=\"pick\" src=\"{map}\" width=\"{w}\" height=\"{h}\" alt=\"Carte de la région : cliquer pour chercher autour d'un point\">\
         <svg width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#1f3a5f\" stroke-width=\"2\" style=\"pointer-events:none\">{boxes}</svg></div>\
         </form>",
        action = esc(&format!("{b}/collections/{ID}/items")),
        q = esc(&s.q),
        types = [
            ("", "Tous"),
            ("dataset", "Jeu de données"),
            ("series", "Série"),
            ("service", "Service")
        ]
        .iter()
        .map(|(v, l)| option(v, l, &s.kind))
        .collect::<String>(),
        kw = std::iter::once(option("", "Tous", &s.keyword))
            .chain(keywords.iter().map(|k| option(k, k, &s.keyword)))
            .collect::<String>(),
        lic = std::iter::once(option("", "Toutes", &s.licence))
            .chain(licences.iter().map(|l| option(l, l, &s.licence)))
            .collect::<String>(),
        acc = [("", "Tous"), ("open", "Ouvert"), ("restricted", "Réservé")]
            .iter()
            .map(|(v, l)| option(v, l, &s.access))
            .collect::<String>(),
        bbox = esc(&bbox_text),
        map = esc(&map_url),
        w = map.width,
        h = map.height,
    );
    let mut results = format!("<p>{matched} résultat{}</p>", if matched == 1 { "" } else { "s" });
    for r in page {
        results.push_str(&result_html(urls, r));
    }
    let mut nav = String::new();
    if s.offset > 0 {
        nav.push_str(&format!(
            "<a href=\"{}\">← précédents</a> ",
            esc(&format!(
                "{b}/collections/{ID}/items?{}",
                s.query(s.offset.saturating_sub(s.limit), "html")
            ))
        ));
    }
    if s.offset + page.len() < matched {
        nav.push_str(&format!(
            "<a href=\"{}\">suivants →</a>",
            esc(&format!(
                "{b}/collections/{ID}/items?{}",
                s.query(s.offset + s.limit, "html")
            ))
        ));
    }
    let harvest = format!(
        "<p class=\"harvest\">Moissonner ce catalogue : <a href=\"{csw}\">CSW 2.0.2</a> · <a href=\"{dcat}\">DCAT-AP (JSON-LD)</a> · <a href=\"{ttl}\">DCAT-AP (Turtle)</a> · <a href=\"{json}\">JSON (OGC API – Records)</a></p>",
        csw = esc(&urls.at("/csw?SERVICE=CSW&REQUEST=GetCapabilities")),
        dcat = esc(&urls.at("/dcat")),
        ttl = esc(&urls.at("/dcat?f=ttl")),
        json = esc(&format!("{b}/collections/{ID}/items?{}", s.query(s.offset, "json"))),
    );
    super::super::html::page(
        "Trouver la donnée",
        b,
        &[("Catalogue", format!("{b}/collections/{ID}/items?f=html"))],
        &format!("{form}{results}<p>{nav}</p>{harvest}"),
    )
}

fn result_html(urls: &Urls, r: &Record) -> String {
    let b = &urls.base;
    let kind = match r.scope.code() {
        "dataset" => "Jeu de données",
        "series" => "Série de données",
        _ => "Service",
    };
    let mut links = vec![
        ("Fiche", format!("{b}/collections/{ID}/items/{}?f=html", r.uuid)),
        ("ISO 19139", urls.iso_record(&r.uuid)),
    ];
    if r.layer.is_some() {
        links.push((
            "Ouvrir dans QGIS (.qlr)",
            urls.at(&format!("/collections/{ID}/items/{}?f=qlr", r.uuid)),
        ));
    }
    for l in urls.links(r) {
        let label = match l.function {
            crate::catalogue::Function::Download => "GeoJSON",
            crate::catalogue::Function::Browse => "Aperçu",
            crate::catalogue::Function::Information => l.protocol.trim_start_matches("OGC:"),
        };
        links.push((label, l.url));
    }
    let links: String = links
        .iter()
        .map(|(l, h)| format!("<a href=\"{}\">{}</a>", esc(h), esc(l)))
        .collect::<Vec<_>>()
        .join(" · ");
    format!(
        "<article><h2><a href=\"{href}\">{t}</a></h2><p class=\"kind\">{kind}{restricted} · mis à jour le {d}</p><p>{a}</p><p>{kw}</p><p>{links}</p></article>",
        href = esc(&format!("{b}/collections/{ID}/items/{}?f=html", r.uuid)),
        t = esc(&r.title.fr),
        restricted = if r.restricted { " · accès réservé" } else { "" },
        d = esc(&r.modified_iso()[..10]),
        a = esc(&r.abstract_.fr),
        kw = esc(&r.keywords.join(", ")),
    )
}

pub(super) fn record_page(urls: &Urls, r: &Record, all: &[Record]) -> String {
    let b = &urls.base;
    let mut rows: Vec<(String, String)> = vec![
        ("Identifiant de la fiche".into(), r.uuid.clone()),
        ("Identifiant de la ressource".into(), r.identifier()),
        ("Type".into(), r.scope.code().to_string()),
        ("Titre (en)".into(), r.title.en.clone()),
        ("Résumé (en)".into(), r.abstract_.en.clone()),
        ("Mots-clés".into(), r.keywords.join(", ")),
        (
            "Thème INSPIRE".into(),
            r.theme.map(|t| t.fr.to_string()).unwrap_or_default(),
        ),
        ("Licence".into(), r.licence.clone()),
        ("Mise à jour".into(), r.modified_iso()),
        (
            "Emprise (lon/lat)".into(),
            format!(
                "{:.4}, {:.4}, {:.4}, {:.4}",
                r.extent.minx, r.extent.miny, r.extent.maxx, r.extent.maxy
            ),
        ),
        (
            "Systèmes de coordonnées".into(),
            r.crs.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "),
        ),
    ];
    for (crs, b) in &r.extents {
        let label = format!("Emprise en {crs}");
        rows.push((
            label,
            format!("{:.2}, {:.2}, {:.2}, {:.2}", b.minx, b.miny, b.maxx, b.maxy),
        ));
    }
    if !r.editions.is_empty() {
        rows.push(("Millésimes".into(), r.editions.join(", ")));
    }
    let d = &r.derived;
    if let Some(n) = d.feature_count {
        rows.push(("Nombre d'objets".into(), n.to_string()));
    }
    if let Some(g) = d.geometry_type {
        rows.push(("Géométrie".into(), g.to_string()));
    }
    if let Some(m) = d.resolution_m {
        rows.push(("Résolution".into(), format!("{m} m")));
    }
    if !d.attributes.is_empty() {
        rows.push((
            "Attributs".into(),
            d.attributes
                .iter()
                .map(|a| format!("{} ({})", a.name, a.xsd_type))
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    let table: String = rows
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(v)))
        .collect();
    let related: String = r
        .operates_on
        .iter()
        .filter_map(|(uuid, _, _)| all.iter().find(|x| &x.uuid == uuid))
        .map(|x| {
            format!(
                "<li><a href=\"{}\">{}</a></li>",
                esc(&format!("{b}/collections/{ID}/items/{}?f=html", x.uuid)),
                esc(&x.title.fr)
            )
        })
        .collect();
    let related = if related.is_empty() {
        String::new()
    } else {
        format!("<h2>Données publiées</h2><ul>{related}</ul>")
    };
    super::super::html::page(
        &r.title.fr,
        b,
        &[("Catalogue", format!("{b}/collections/{ID}/items?f=html"))],
        &format!(
            "<p>{}</p>{}<table>{table}</table>{related}",
            esc(&r.abstract_.fr),
            result_html(urls, r)
        ),
    )
}
