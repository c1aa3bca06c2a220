//! All geometry math in one place: CRS identifiers and axis order, bounding
//! boxes, pixel transforms and scale denominators. Protocol adapters ask this
//! module; none of them flips an axis itself.

mod bbox;
mod crs;
pub mod tms;

pub use bbox::{BBox, PixelTransform};
pub use crs::{
    Crs, CrsError, Identified, METRES_PER_DEGREE, STANDARD_PIXEL_SIZE, transform_bbox, transform_outline,
    transform_point, transform_xy,
};
