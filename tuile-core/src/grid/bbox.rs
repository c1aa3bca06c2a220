//! Axis-aligned bounding boxes in a CRS's "x/y" order (east/north, lon/lat).

use serde::Serialize;

/// A bounding box whose x is easting or longitude and y is northing or latitude,
/// whatever the authority axis order of its CRS: only [`super::Crs`] flips axes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct BBox {
    pub minx: f64,
    pub miny: f64,
    pub maxx: f64,
    pub maxy: f64,
}

impl BBox {
    pub const fn new(minx: f64, miny: f64, maxx: f64, maxy: f64) -> Self {
        BBox { minx, miny, maxx, maxy }
    }

    pub fn width(&self) -> f64 {
        self.maxx - self.minx
    }

    pub fn height(&self) -> f64 {
        self.maxy - self.miny
    }

    /// True when every coordinate is finite and the box has a positive area.
    pub fn is_valid(&self) -> bool {
        [self.minx, self.miny, self.maxx, self.maxy]
            .iter()
            .all(|v| v.is_finite())
            && self.minx < self.maxx
            && self.miny < self.maxy
    }

    pub fn intersects(&self, other: &BBox) -> bool {
        self.minx <= other.maxx && other.minx <= self.maxx && self.miny <= other.maxy && other.miny <= self.maxy
    }

    pub fn intersection(&self, other: &BBox) -> Option<BBox> {
        let b = BBox::new(
            self.minx.max(other.minx),
            self.miny.max(other.miny),
            self.maxx.min(other.maxx),
            self.maxy.min(other.maxy),
        );
        (b.minx < b.maxx && b.miny < b.maxy).then_some(b)
    }

    pub fn union(&self, other: &BBox) -> BBox {
        BBox::new(
            self.minx.min(other.minx),
            self.miny.min(other.miny),
            self.maxx.max(other.maxx),
            self.maxy.max(other.maxy),
        )
    }

    /// The box grown by `dx` and `dy` on each side.
    pub fn buffered(&self, dx: f64, dy: f64) -> BBox {
        BBox::new(self.minx - dx, self.miny - dy, self.maxx + dx, self.maxy + dy)
    }

    /// Whether `other` lies inside this box (edges included).
    pub fn contains(&self, other: &BBox) -> bool {
        other.minx >= self.minx && other.maxx <= self.maxx && other.miny >= self.miny && other.maxy <= self.maxy
    }

    pub fn contains_point(&self, x: f64, y: f64) -> bool {
        x >= self.minx && x <= self.maxx && y >= self.miny && y <= self.maxy
    }
}

/// Maps CRS coordinates into the pixel space of an image covering `bbox`.
/// The bbox is the outer edge of the image: (minx, maxy) is the top-left corner
/// of the top-left pixel.
#[derive(Debug, Clone, Copy)]
pub struct PixelTransform {
    origin_x: f64,
    origin_y: f64,
    scale_x: f64,
    scale_y: f64,
}

impl PixelTransform {
    pub fn new(bbox: &BBox, width: u32, height: u32) -> Self {
        PixelTransform {
            origin_x: bbox.minx,
            origin_y: bbox.maxy,
            scale_x: width as f64 / bbox.width(),
            scale_y: height as f64 / bbox.height(),
        }
    }

    #[inline]
    pub fn to_pixel(&self, x: f64, y: f64) -> (f32, f32) {
        (
            ((x - self.origin_x) * self.scale_x) as f32,
            ((self.origin_y - y) * self.scale_y) as f32,
        )
    }

    /// CRS coordinates of a pixel position (pixel corners at integer values).
    #[inline]
    pub fn to_crs(&self, px: f64, py: f64) -> (f64, f64) {
        (self.origin_x + px / self.scale_x, self.origin_y - py / self.scale_y)
    }

    /// CRS units per pixel along x.
    pub fn resolution_x(&self) -> f64 {
        1.0 / self.scale_x
    }

    /// CRS units per pixel along y.
    pub fn resolution_y(&self) -> f64 {
        1.0 / self.scale_y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bbox_edges_are_pixel_edges() {
        let b = BBox::new(0.0, 0.0, 100.0, 50.0);
        let t = PixelTransform::new(&b, 10, 5);
        assert_eq!(t.to_pixel(0.0, 50.0), (0.0, 0.0));
        assert_eq!(t.to_pixel(100.0, 0.0), (10.0, 5.0));
        assert_eq!(t.to_crs(5.0, 2.5), (50.0, 25.0));
    }

    #[test]
    fn validity_rejects_reversed_and_nan() {
        assert!(!BBox::new(1.0, 0.0, 0.0, 1.0).is_valid());
        assert!(!BBox::new(0.0, 0.0, f64::NAN, 1.0).is_valid());
        assert!(BBox::new(0.0, 0.0, 1.0, 1.0).is_valid());
    }

    #[test]
    fn intersection_of_disjoint_is_none() {
        let a = BBox::new(0.0, 0.0, 1.0, 1.0);
        assert!(a.intersection(&BBox::new(2.0, 2.0, 3.0, 3.0)).is_none());
        assert_eq!(
            a.intersection(&BBox::new(0.5, 0.5, 3.0, 3.0)),
            Some(BBox::new(0.5, 0.5, 1.0, 1.0))
        );
    }
}
