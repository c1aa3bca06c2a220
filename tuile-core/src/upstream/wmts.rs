//! A partner's WMTS layer as a source. For each map, tuile picks the
//! upstream tile matrix set that needs no resampling when there is one (a
//! Lambert-93 map from a LAMB93 set, a Web Mercator one from PM), at the
//! level of the map's resolution, and asks only the tiles the map covers;
//! otherwise it mosaics the tiles of the closest level of a set it can
//! reproject, as GDAL's WMTS driver does.

use super::capabilities::{
    Described, RemoteStyle, digest, href_below, kid, kids, known_crs, local, text_of, time_values,
};
use crate::grid::{BBox, Crs, transform_bbox};
use crate::xml::Element;

/// The most tiles one map asks for: past it, a coarser level is used.
pub const MAX_TILES: usize = 64;

#[derive(Debug, Clone)]
pub struct WmtsLayer {
    pub id: String,
    pub style: String,
    pub format: String,
    /// The RESTful tile template, when the upstream gives one.
    pub template: Option<String>,
    /// The KVP GetTile endpoint otherwise.
    pub kvp_url: String,
    pub sets: Vec<RemoteSet>,
    /// The time dimension's identifier as the template names it.
    pub time_id: Option<String>,
    pub described: Described,
}

/// An upstream tile matrix set linked to the layer.
#[derive(Debug, Clone)]
pub struct RemoteSet {
    pub id: String,
    pub crs: Crs,
    pub matrices: Vec<RemoteMatrix>,
}

#[derive(Debug, Clone)]
pub struct RemoteMatrix {
    pub id: String,
    /// Ground size of a pixel, in CRS units.
    pub resolution: f64,
    /// Top-left corner (x, y), x/y order.
    pub origin: (f64, f64),
    pub tile_width: u32,
    pub tile_height: u32,
    pub matrix_width: u32,
    pub matrix_height: u32,
    /// The tiles the layer has at this level (rows, columns), when limited.
    pub limits: Option<(std::ops::RangeInclusive<u32>, std::ops::RangeInclusive<u32>)>,
}

/// The tiles of one level covering a box: what a map asks for.
#[derive(Debug, Clone)]
pub struct TilePlan {
    pub set: usize,
    pub matrix: usize,
    pub rows: std::ops::Range<u32>,
    pub cols: std::ops::Range<u32>,
}

impl TilePlan {
    pub fn len(&self) -> usize {
        self.rows.len() * self.cols.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

pub fn capabilities_url(url: &str) -> String {
    if url.to_ascii_lowercase().contains("getcapabilities") || url.ends_with(".xml") {
        return url.to_string();
    }
    super::with_query(
        url,
        &[
            ("SERVICE", "WMTS"),
            ("REQUEST", "GetCapabilities"),
            ("VERSION", "1.0.0"),
        ],
    )
}

fn number(e: &Element, name: &str) -> Option<f64> {
    text_of(e, name).parse().ok()
}

fn pair(text: &str) -> Option<(f64, f64)> {
    let mut it = text.split_whitespace().map(|v| v.parse::<f64>());
    match (it.next(), it.next()) {
        (Some(Ok(a)), Some(Ok(b))) => Some((a, b)),
        _ => None,
    }
}

fn read_set(e: &Element) -> Option<RemoteSet> {
    let crs = Crs::parse(&text_of(e, "SupportedCRS")).ok()?;
    let per_metre = crs.metres_per_unit();
    let matrices = kids(e, "TileMatrix")
        .filter_map(|m| {
            let (a, b) = pair(&text_of(m, "TopLeftCorner"))?;
            let origin = if crs.authority_lat_lon() { (b, a) } else { (a, b) };
            Some(RemoteMatrix {
                id: text_of(m, "Identifier"),
                resolution: number(m, "ScaleDenominator")? * crate::grid::STANDARD_PIXEL_SIZE / per_metre,
                origin,
                tile_width: number(m, "TileWidth")? as u32,
                tile_height: number(m, "TileHeight")? as u32,
                matrix_width: number(m, "MatrixWidth")? as u32,
                matrix_height: number(m, "MatrixHeight")? as u32,
                limits: None,
            })
        })
        .filter(|m| m.tile_width > 0 && m.tile_height > 0 && m.tile_width <= 4096 && m.tile_height <= 4096)
        .collect::<Vec<_>>();
    (!matrices.is_empty()).then(|| RemoteSet {
        id: text_of(e, "Identifier"),
        crs,
        matrices,
    })
}

/// Reads the capabilities for layer `id`.
pub fn read(
    root: &Element,
    body: &[u8],
    url: &str,
    id: &str,
    style: Option<&str>,
    format: Option<&str>,
    matrix_set: Option<&str>,
) -> Result<WmtsLayer, String> {
    if local(&root.name) != "Capabilities" {
        return Err(format!("not WMTS capabilities (`{}`)", root.name));
    }
    let contents = kid(root, "Contents").ok_or("the capabilities have no Contents")?;
    let layer = kids(contents, "Layer")
        .find(|l| text_of(l, "Identifier") == id)
        .ok_or_else(|| format!("the WMTS has no layer `{id}`"))?;
    let styles: Vec<(RemoteStyle, bool)> = kids(layer, "Style")
        .map(|s| {
            (
                RemoteStyle {
                    name: text_of(s, "Identifier"),
                    title: text_of(s, "Title"),
                    legend_url: kid(s, "LegendURL").and_then(|l| l.attr("href").map(str::to_string)),
                },
                s.attr("isDefault") == Some("true"),
            )
        })
        .collect();
    let style = match style {
        Some(s) if styles.iter().any(|(r, _)| r.name == s) => s.to_string(),
        Some(s) => return Err(format!("the WMTS layer `{id}` has no style `{s}`")),
        None => styles
            .iter()
            .find(|(_, d)| *d)
            .or(styles.first())
            .map(|(r, _)| r.name.clone())
            .unwrap_or_else(|| "default".into()),
    };
    let formats: Vec<String> = kids(layer, "Format").map(|f| f.text()).collect();
    let format = match format {
        Some(f) if formats.iter().any(|o| o == f) => f.to_string(),
        Some(f) => return Err(format!("the WMTS layer `{id}` is not offered in {f}")),
        None => ["image/png", "image/jpeg"]
            .into_iter()
            .find(|f| formats.iter().any(|o| o == f))
            .ok_or_else(|| format!("the WMTS layer `{id}` is in neither PNG nor JPEG"))?
            .to_string(),
    };
    let template = kids(layer, "ResourceURL")
        .filter(|r| r.attr("resourceType") == Some("tile"))
        .find(|r| r.attr("format") == Some(format.as_str()))
        .and_then(|r| r.attr("template").map(str::to_string));
    let kvp_url = kid(root, "OperationsMetadata")
        .and_then(|o| kids(o, "Operation").find(|op| op.attr("name") == Some("GetTile")))
        .and_then(|op| href_below(op, "Get"))
        .unwrap_or_else(|| url.split('?').next().unwrap_or(url).to_string());
    let all_sets: Vec<RemoteSet> = kids(contents, "TileMatrixSet").filter_map(read_set).collect();
    let mut sets = Vec::new();
    for link in kids(layer, "TileMatrixSetLink") {
        let set_id = text_of(link, "TileMatrixSet");
        if matrix_set.is_some_and(|m| m != set_id) {
            continue;
        }
        let Some(mut set) = all_sets.iter().find(|s| s.id == set_id).cloned() else {
            continue;
        };
        if let Some(limits) = kid(link, "TileMatrixSetLimits") {
            let limited: Vec<(String, [u32; 4])> = kids(limits, "TileMatrixLimits")
                .filter_map(|l| {
                    let n = |k: &str| text_of(l, k).parse::<u32>().ok();
                    Some((
                        text_of(l, "TileMatrix"),
                        [n("MinTileRow")?, n("MaxTileRow")?, n("MinTileCol")?, n("MaxTileCol")?],
                    ))
                })
                .collect();
            // Levels without limits are levels the layer does not have.
            set.matrices
                .retain_mut(|m| match limited.iter().find(|(id, _)| *id == m.id) {
                    Some((_, [r0, r1, c0, c1])) => {
                        m.limits = Some((*r0..=*r1, *c0..=*c1));
                        true
                    }
                    None => false,
                });
        }
        if !set.matrices.is_empty() {
            sets.push(set);
        }
    }
    if let (Some(m), true) = (matrix_set, sets.is_empty()) {
        return Err(format!(
            "the WMTS layer `{id}` is not tiled in `{m}` (or not in a CRS tuile knows)"
        ));
    }
    if sets.is_empty() {
        return Err(format!(
            "the WMTS layer `{id}` has no tile matrix set in a CRS tuile knows"
        ));
    }
    let extent = kid(layer, "WGS84BoundingBox").and_then(|b| {
        let (w, s) = pair(&text_of(b, "LowerCorner"))?;
        let (e, n) = pair(&text_of(b, "UpperCorner"))?;
        Some(BBox::new(w, s, e, n))
    });
    let time_dim = kids(layer, "Dimension").find(|d| text_of(d, "Identifier").eq_ignore_ascii_case("time"));
    let time = time_dim.and_then(|d| {
        let values: Vec<String> = kids(d, "Value").map(|v| v.text()).collect();
        time_values(&values.join(","), Some(&text_of(d, "Default")))
    });
    let crs = known_crs(
        sets.iter()
            .map(|s| s.crs.identifier())
            .collect::<Vec<_>>()
            .iter()
            .map(String::as_str),
    );
    Ok(WmtsLayer {
        id: id.to_string(),
        style,
        format,
        template,
        kvp_url,
        time_id: time_dim.map(|d| text_of(d, "Identifier")),
        described: Described {
            title: text_of(layer, "Title"),
            abstract_: text_of(layer, "Abstract"),
            keywords: kid(layer, "Keywords")
                .map(|k| kids(k, "Keyword").map(|e| e.text()).collect())
                .unwrap_or_default(),
            attribution: None,
            geographic_extent: extent,
            crs,
            styles: styles.into_iter().map(|(r, _)| r).collect(),
            time,
            digest: digest(body),
        },
        sets,
    })
}

impl WmtsLayer {
    /// The finest resolution of the set in `crs` (or of the first set).
    pub fn finest(&self) -> (Crs, f64) {
        let set = &self.sets[0];
        let r = set.matrices.iter().map(|m| m.resolution).fold(f64::INFINITY, f64::min);
        (set.crs, r)
    }

    /// The tiles a `width` × `height` map of `bbox` in `crs` needs: from a
    /// set in `crs` when there is one (exact when the map's grid is the
    /// set's), otherwise from the first set, to be reprojected.
    pub fn plan(&self, crs: Crs, bbox: &BBox, width: u32, height: u32) -> Option<TilePlan> {
        let set_index = self.sets.iter().position(|s| s.crs == crs).unwrap_or(0);
        let set = &self.sets[set_index];
        let (area, wanted) = if set.crs == crs {
            (*bbox, bbox.width() / width as f64)
        } else {
            let b = transform_bbox(bbox, crs, set.crs).ok()?;
            (b, (b.width() * b.height() / (width as f64 * height as f64)).sqrt())
        };
        // The coarsest level at least as fine as the map (within rounding),
        // or the finest there is; coarser still when too many tiles.
        let mut order: Vec<usize> = (0..set.matrices.len()).collect();
        order.sort_by(|&a, &b| set.matrices[b].resolution.total_cmp(&set.matrices[a].resolution));
        let start = order
            .iter()
            .position(|&i| set.matrices[i].resolution <= wanted * (1.0 + 1e-6))
            .unwrap_or(order.len() - 1);
        for &i in order[..=start].iter().rev() {
            let m = &set.matrices[i];
            let (rows, cols) = m.covering(&area)?;
            let plan = TilePlan {
                set: set_index,
                matrix: i,
                rows,
                cols,
            };
            if plan.len() <= MAX_TILES {
                return Some(plan);
            }
        }
        None
    }

    /// The URL of one tile.
    pub fn tile_url(&self, plan: &TilePlan, row: u32, col: u32, time: Option<&str>) -> String {
        let set = &self.sets[plan.set];
        let m = &set.matrices[plan.matrix];
        match &self.template {
            Some(t) => {
                let mut url = t
                    .replace("{TileMatrixSet}", &set.id)
                    .replace("{TileMatrix}", &m.id)
                    .replace("{TileRow}", &row.to_string())
                    .replace("{TileCol}", &col.to_string())
                    .replace("{Style}", &self.style);
                if let (Some(id), Some(t)) = (&self.time_id, time) {
                    url = url.replace(&format!("{{{id}}}"), t);
                }
                url
            }
            None => {
                let (r, c) = (row.to_string(), col.to_string());
                let mut params = vec![
                    ("SERVICE", "WMTS"),
                    ("REQUEST", "GetTile"),
                    ("VERSION", "1.0.0"),
                    ("LAYER", self.id.as_str()),
                    ("STYLE", self.style.as_str()),
                    ("FORMAT", self.format.as_str()),
                    ("TILEMATRIXSET", set.id.as_str()),
                    ("TILEMATRIX", m.id.as_str()),
                    ("TILEROW", r.as_str()),
                    ("TILECOL", c.as_str()),
                ];
                if let (Some(id), Some(t)) = (&self.time_id, time) {
                    params.push((id.as_str(), t));
                }
                super::with_query(&self.kvp_url, &params)
            }
        }
    }
}

impl RemoteMatrix {
    fn span(&self) -> (f64, f64) {
        (
            self.resolution * self.tile_width as f64,
            self.resolution * self.tile_height as f64,
        )
    }

    /// The rows and columns of tiles covering `b`, within the matrix and its limits.
    pub fn covering(&self, b: &BBox) -> Option<(std::ops::Range<u32>, std::ops::Range<u32>)> {
        let (sx, sy) = self.span();
        // A hair inside the box: an edge on a tile boundary takes no tile beyond it.
        let eps = self.resolution * 1e-6;
        let c0 = ((b.minx - self.origin.0 + eps) / sx).floor().max(0.0);
        let c1 = ((b.maxx - self.origin.0 - eps) / sx).floor();
        let r0 = ((self.origin.1 - b.maxy + eps) / sy).floor().max(0.0);
        let r1 = ((self.origin.1 - b.miny - eps) / sy).floor();
        let (mut r1, mut c1) = (
            r1.min(self.matrix_height as f64 - 1.0),
            c1.min(self.matrix_width as f64 - 1.0),
        );
        let (mut r0, mut c0) = (r0, c0);
        if let Some((rows, cols)) = &self.limits {
            r0 = r0.max(*rows.start() as f64);
            r1 = r1.min(*rows.end() as f64);
            c0 = c0.max(*cols.start() as f64);
            c1 = c1.min(*cols.end() as f64);
        }
        if r1 < r0 || c1 < c0 {
            return None;
        }
        Some((r0 as u32..r1 as u32 + 1, c0 as u32..c1 as u32 + 1))
    }

    /// The box the tiles of a plan cover together.
    pub fn bbox(&self, rows: &std::ops::Range<u32>, cols: &std::ops::Range<u32>) -> BBox {
        let (sx, sy) = self.span();
        BBox::new(
            self.origin.0 + cols.start as f64 * sx,
            self.origin.1 - rows.end as f64 * sy,
            self.origin.0 + cols.end as f64 * sx,
            self.origin.1 - rows.start as f64 * sy,
        )
    }
}
