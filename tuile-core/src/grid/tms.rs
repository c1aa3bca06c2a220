//! Tile matrix sets (OGC Two-Dimensional Tile Matrix Set): WebMercatorQuad,
//! WorldCRS84Quad and IGN's LAMB93, shared by WMTS, tiled WMS and seeding.

use std::sync::OnceLock;

use super::{BBox, Crs, STANDARD_PIXEL_SIZE};

pub const TILE_SIZE: u32 = 256;

#[derive(Debug, Clone)]
pub struct TileMatrix {
    pub id: String,
    pub scale_denominator: f64,
    /// CRS units per pixel.
    pub cell_size: f64,
    /// Top-left corner, x/y order.
    pub origin: (f64, f64),
    pub matrix_width: u32,
    pub matrix_height: u32,
}

impl TileMatrix {
    /// Width of one tile in CRS units.
    pub fn tile_span(&self) -> f64 {
        self.cell_size * TILE_SIZE as f64
    }

    /// The bounding box of a tile (outer edge), x/y order.
    pub fn tile_bbox(&self, row: u32, col: u32) -> BBox {
        self.range_bbox(row, col, row + 1, col + 1)
    }

    /// The box covered by tiles [row0, row1) × [col0, col1).
    pub fn range_bbox(&self, row0: u32, col0: u32, row1: u32, col1: u32) -> BBox {
        let span = self.tile_span();
        BBox::new(
            self.origin.0 + col0 as f64 * span,
            self.origin.1 - row1 as f64 * span,
            self.origin.0 + col1 as f64 * span,
            self.origin.1 - row0 as f64 * span,
        )
    }

    /// The tiles a box touches, as inclusive (min_row, min_col, max_row,
    /// max_col), clamped to the matrix; `None` when it is outside.
    pub fn tile_range(&self, b: &BBox) -> Option<TileRange> {
        let span = self.tile_span();
        // A box edge on a tile edge does not touch the next tile.
        let eps = 1e-9 * span;
        let c0 = ((b.minx - self.origin.0) / span).floor();
        let c1 = ((b.maxx - self.origin.0 - eps) / span).floor();
        let r0 = ((self.origin.1 - b.maxy) / span).floor();
        let r1 = ((self.origin.1 - b.miny - eps) / span).floor();
        let (w, h) = (self.matrix_width as f64, self.matrix_height as f64);
        if c1 < 0.0 || r1 < 0.0 || c0 >= w || r0 >= h || c1 < c0 || r1 < r0 {
            return None;
        }
        Some(TileRange {
            min_row: r0.max(0.0) as u32,
            min_col: c0.max(0.0) as u32,
            max_row: r1.min(h - 1.0) as u32,
            max_col: c1.min(w - 1.0) as u32,
        })
    }
}

/// An inclusive range of tiles in one matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TileRange {
    pub min_row: u32,
    pub min_col: u32,
    pub max_row: u32,
    pub max_col: u32,
}

impl TileRange {
    pub fn contains(&self, row: u32, col: u32) -> bool {
        row >= self.min_row && row <= self.max_row && col >= self.min_col && col <= self.max_col
    }

    pub fn intersection(&self, o: &TileRange) -> Option<TileRange> {
        let r = TileRange {
            min_row: self.min_row.max(o.min_row),
            min_col: self.min_col.max(o.min_col),
            max_row: self.max_row.min(o.max_row),
            max_col: self.max_col.min(o.max_col),
        };
        (r.min_row <= r.max_row && r.min_col <= r.max_col).then_some(r)
    }

    pub fn count(&self) -> u64 {
        (self.max_row - self.min_row + 1) as u64 * (self.max_col - self.min_col + 1) as u64
    }
}

#[derive(Debug, Clone)]
pub struct TileMatrixSet {
    pub id: &'static str,
    pub title: &'static str,
    /// The OGC URI of the definition, when it is a registered one.
    pub uri: Option<&'static str>,
    pub crs: Crs,
    /// The CRS as WMTS capabilities must write it for this set.
    pub supported_crs: String,
    /// WMTS 1.0 annex E well-known scale set, when the set matches one from its top.
    pub well_known_scale_set: Option<&'static str>,
    pub matrices: Vec<TileMatrix>,
}

impl TileMatrixSet {
    /// Every set tuile serves.
    pub fn all() -> &'static [TileMatrixSet] {
        static SETS: OnceLock<Vec<TileMatrixSet>> = OnceLock::new();
        SETS.get_or_init(|| vec![web_mercator_quad(), lamb93(), world_crs84_quad()])
    }

    /// A set by identifier (case-sensitive, as WMTS requires).
    pub fn get(id: &str) -> Option<&'static TileMatrixSet> {
        TileMatrixSet::all().iter().find(|t| t.id == id)
    }

    pub fn matrix(&self, id: &str) -> Option<(usize, &TileMatrix)> {
        self.matrices.iter().enumerate().find(|(_, m)| m.id == id)
    }

    /// The tile a box exactly covers at `pixels` wide, if any: how tiled WMS
    /// requests (OpenLayers TileWMS, QGIS tiled mode) are recognised.
    pub fn tile_for(&self, b: &BBox, width: u32, height: u32) -> Option<(usize, u32, u32)> {
        if width != TILE_SIZE || height != TILE_SIZE {
            return None;
        }
        let res = b.width() / width as f64;
        let (z, m) = self
            .matrices
            .iter()
            .enumerate()
            .find(|(_, m)| ((m.cell_size - res) / m.cell_size).abs() < 1e-6)?;
        let span = m.tile_span();
        let col = (b.minx - m.origin.0) / span;
        let row = (m.origin.1 - b.maxy) / span;
        let near = |v: f64| (v - v.round()).abs() < 1e-4;
        let tall = ((b.height() - span) / span).abs() < 1e-6;
        if !(near(col) && near(row) && tall) || col < -0.5 || row < -0.5 {
            return None;
        }
        let (row, col) = (row.round() as u32, col.round() as u32);
        (row < m.matrix_height && col < m.matrix_width).then_some((z, row, col))
    }
}

fn web_mercator_quad() -> TileMatrixSet {
    let crs = Crs::web_mercator();
    let half = 20037508.3427892;
    let top_cell = 2.0 * half / TILE_SIZE as f64;
    let matrices = (0..=21u32)
        .map(|z| {
            let cell = top_cell / 2f64.powi(z as i32);
            TileMatrix {
                id: z.to_string(),
                scale_denominator: cell / STANDARD_PIXEL_SIZE,
                cell_size: cell,
                origin: (-half, half),
                matrix_width: 1 << z,
                matrix_height: 1 << z,
            }
        })
        .collect();
    TileMatrixSet {
        id: "WebMercatorQuad",
        title: "Google Maps Compatible for the World",
        uri: Some("http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad"),
        crs,
        // The CITE WMTS suite requires this spelling for GoogleMapsCompatible.
        supported_crs: "urn:ogc:def:crs:EPSG:6.18:3:3857".into(),
        well_known_scale_set: Some("urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible"),
        matrices,
    }
}

fn world_crs84_quad() -> TileMatrixSet {
    let crs = Crs::CRS84;
    let top_cell = 180.0 / TILE_SIZE as f64;
    let matrices = (0..=21u32)
        .map(|z| {
            let cell = top_cell / 2f64.powi(z as i32);
            TileMatrix {
                id: z.to_string(),
                scale_denominator: crs.scale_denominator(cell),
                cell_size: cell,
                origin: (-180.0, 90.0),
                matrix_width: 2 << z,
                matrix_height: 1 << z,
            }
        })
        .collect();
    TileMatrixSet {
        id: "WorldCRS84Quad",
        title: "CRS84 for the World",
        uri: Some("http://www.opengis.net/def/tilematrixset/OGC/1.0/WorldCRS84Quad"),
        crs,
        supported_crs: crs.urn(),
        // Its top level is GoogleCRS84Quad's second, so it declares no
        // well-known scale set (which must start at the set's top scale).
        well_known_scale_set: None,
        matrices,
    }
}

/// IGN's LAMB93 set, as the Géoplateforme WMTS publishes it: origin
/// (0, 12 000 000) and explicit scale denominators (not exactly halving).
fn lamb93() -> TileMatrixSet {
    const LEVELS: [(f64, u32, u32); 22] = [
        (373_497_230.535_335_8, 2, 2),
        (186_705_472.692_108_93, 2, 2),
        (93_341_025.280_697_87, 2, 2),
        (46_667_469.220_714_29, 2, 3),
        (23_332_959.300_405_36, 2, 5),
        (11_666_284.015_938_217, 3, 9),
        (5_833_092.873_562_143, 5, 16),
        (2_916_534.124_95, 8, 30),
        (1_458_263.980_988_571_4, 14, 59),
        (729_131.219_681_785_8, 26, 117),
        (364_565.417_082_857_17, 51, 232),
        (182_282.660_345, 100, 462),
        (91_141.318_122_500_02, 199, 922),
        (45_570.656_048_571_43, 396, 1842),
        (22_785.327_271_428_574, 791, 3682),
        (11_392.663_447_500_001, 1581, 7363),
        (5_696.331_676_785_715, 3161, 14724),
        (2_848.165_826_785_714_7, 6321, 29447),
        (1_424.082_910_357_143, 12641, 58892),
        (712.041_454_642_857_2, 25281, 117782),
        (356.020_727_500_000_1, 50561, 235563),
        (178.010_363_571_428_57, 101121, 471125),
    ];
    let crs = Crs::lambert93();
    let matrices = LEVELS
        .iter()
        .enumerate()
        .map(|(z, &(scale, w, h))| TileMatrix {
            id: z.to_string(),
            scale_denominator: scale,
            cell_size: scale * STANDARD_PIXEL_SIZE,
            origin: (0.0, 12_000_000.0),
            matrix_width: w,
            matrix_height: h,
        })
        .collect();
    TileMatrixSet {
        id: "LAMB93",
        title: "Lambert-93 (IGN Géoplateforme)",
        uri: None,
        crs,
        supported_crs: crs.urn(),
        well_known_scale_set: None,
        matrices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_mercator_levels() {
        let t = TileMatrixSet::get("WebMercatorQuad").unwrap();
        assert_eq!(t.matrices.len(), 22);
        assert!((t.matrices[0].scale_denominator - 559082264.0287178).abs() < 1e-4);
        let b = t.matrices[1].tile_bbox(0, 1);
        assert_eq!((b.minx, b.maxy), (0.0, 20037508.3427892));
        assert!((b.miny).abs() < 1e-6);
    }

    #[test]
    fn lamb93_has_ign_numbers() {
        let t = TileMatrixSet::get("LAMB93").unwrap();
        let m = &t.matrices[19];
        assert!((m.cell_size - 0.1993716).abs() < 1e-6, "{}", m.cell_size);
        // Montpellier at level 16 falls inside the matrix.
        let r = m
            .tile_range(&BBox::new(770000.0, 6279000.0, 770100.0, 6279100.0))
            .unwrap();
        assert!(r.max_row < m.matrix_height && r.max_col < m.matrix_width);
    }

    #[test]
    fn world_crs84_quad_has_two_tiles_at_the_top() {
        let t = TileMatrixSet::get("WorldCRS84Quad").unwrap();
        assert_eq!((t.matrices[0].matrix_width, t.matrices[0].matrix_height), (2, 1));
        assert_eq!(t.matrices[0].tile_bbox(0, 1), BBox::new(0.0, -90.0, 180.0, 90.0));
    }

    #[test]
    fn tile_ranges_and_recognition() {
        let t = TileMatrixSet::get("WebMercatorQuad").unwrap();
        let m = &t.matrices[16];
        let b = m.tile_bbox(23_000, 33_000);
        assert_eq!(
            m.tile_range(&b),
            Some(TileRange {
                min_row: 23_000,
                min_col: 33_000,
                max_row: 23_000,
                max_col: 33_000
            })
        );
        assert_eq!(t.tile_for(&b, 256, 256), Some((16, 23_000, 33_000)));
        assert_eq!(t.tile_for(&b, 512, 512), None);
        let shifted = BBox::new(b.minx + 10.0, b.miny, b.maxx + 10.0, b.maxy);
        assert_eq!(t.tile_for(&shifted, 256, 256), None);
        assert!(m.tile_range(&BBox::new(-3e7, -3e7, -2.5e7, -2.5e7)).is_none());
    }
}
