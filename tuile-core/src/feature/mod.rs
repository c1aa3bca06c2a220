//! The feature model every part of the core shares: property values,
//! columns, decoded shapes, and the view of one feature as it is read.

mod column;
mod shape;
mod value;
mod view;

pub use column::{Column, ValueKind};
pub use shape::{GeometryType, Shape, ShapeKind};
pub use value::{OwnedValue, Value};
pub use view::{FeatureView, LazyGeometry};
