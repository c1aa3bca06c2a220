//! One feature as it is read: a view into its FlatGeobuf-encoded buffer
//! (the file's encoding is also tuile's in-memory one). Properties are
//! decoded on demand, so a filter on one attribute never decodes the
//! others, and the geometry only when asked for.

use flatgeobuf::{ColumnType, Feature, Geometry, GeometryType};

use super::{Column, Shape, ShapeKind, Value};

/// One feature of a query result, borrowed from the read buffer.
pub struct FeatureView<'a> {
    feature: Feature<'a>,
    columns: &'a [Column],
    geometry_type: GeometryType,
    /// Feature number in the file, stable across reads.
    pub index: u64,
}

impl<'a> FeatureView<'a> {
    pub(crate) fn new(feature: Feature<'a>, columns: &'a [Column], geometry_type: GeometryType, index: u64) -> Self {
        FeatureView {
            feature,
            columns,
            geometry_type,
            index,
        }
    }

    /// The value of property `name`, or `None` when the column does not exist.
    pub fn property(&self, name: &str) -> Option<Value<'a>> {
        let col = self.columns.iter().position(|c| c.name == name)?;
        Some(self.property_at(col))
    }

    /// The value of column number `col`; Null when the feature omits it.
    pub fn property_at(&self, col: usize) -> Value<'a> {
        let mut found = Value::Null;
        self.for_each_property(|i, v| {
            if i == col {
                found = v;
                false
            } else {
                true
            }
        });
        found
    }

    /// Calls `f(column, value)` for each property present, until it returns false.
    pub fn for_each_property(&self, mut f: impl FnMut(usize, Value<'a>) -> bool) {
        let Some(props) = self.feature.properties() else {
            return;
        };
        let bytes: &'a [u8] = props.bytes();
        let mut pos = 0usize;
        while pos + 2 <= bytes.len() {
            let col = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]) as usize;
            pos += 2;
            let Some(column) = self.columns.get(col) else {
                return;
            };
            let Some((value, used)) = decode_value(column.ty, &bytes[pos..]) else {
                return;
            };
            pos += used;
            if !f(col, value) {
                return;
            }
        }
    }

    /// Decodes the geometry into `out` (cleared first).
    pub fn read_shape(&self, out: &mut Shape) {
        out.clear();
        if let Some(geom) = self.feature.geometry() {
            read_geometry(&geom, self.geometry_type, out);
        }
    }

    /// Whether a text property holds bytes that are not UTF-8.
    pub fn has_invalid_text(&self) -> bool {
        let Some(props) = self.feature.properties() else {
            return false;
        };
        let bytes = props.bytes();
        let mut pos = 0usize;
        while pos + 2 <= bytes.len() {
            let col = u16::from_le_bytes([bytes[pos], bytes[pos + 1]]) as usize;
            pos += 2;
            let Some(column) = self.columns.get(col) else {
                return false;
            };
            let Some((value, used)) = decode_value(column.ty, &bytes[pos..]) else {
                return false;
            };
            let text = matches!(column.ty, ColumnType::String | ColumnType::Json | ColumnType::DateTime);
            if text && value == Value::Null {
                return true;
            }
            pos += used;
        }
        false
    }

    pub fn columns(&self) -> &'a [Column] {
        self.columns
    }
}

fn decode_value(ty: ColumnType, b: &[u8]) -> Option<(Value<'_>, usize)> {
    fn take<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
        b.get(..N)?.try_into().ok()
    }
    Some(match ty {
        ColumnType::Byte => (Value::Int(i8::from_le_bytes(take(b)?) as i64), 1),
        ColumnType::UByte => (Value::UInt(b.first().copied()? as u64), 1),
        ColumnType::Bool => (Value::Bool(*b.first()? != 0), 1),
        ColumnType::Short => (Value::Int(i16::from_le_bytes(take(b)?) as i64), 2),
        ColumnType::UShort => (Value::UInt(u16::from_le_bytes(take(b)?) as u64), 2),
        ColumnType::Int => (Value::Int(i32::from_le_bytes(take(b)?) as i64), 4),
        ColumnType::UInt => (Value::UInt(u32::from_le_bytes(take(b)?) as u64), 4),
        ColumnType::Long => (Value::Int(i64::from_le_bytes(take(b)?)), 8),
        ColumnType::ULong => (Value::UInt(u64::from_le_bytes(take(b)?)), 8),
        ColumnType::Float => (Value::Float(f32::from_le_bytes(take(b)?) as f64), 4),
        ColumnType::Double => (Value::Float(f64::from_le_bytes(take(b)?)), 8),
        ColumnType::String | ColumnType::Json | ColumnType::DateTime | ColumnType::Binary => {
            let len = u32::from_le_bytes(take(b)?) as usize;
            let data = b.get(4..4 + len)?;
            let v = if ty == ColumnType::Binary {
                Value::Binary(data)
            } else {
                // Text that is not UTF-8 (a Latin-1 export) reads as no value;
                // the file is refused at open when a sample shows it.
                std::str::from_utf8(data).map_or(Value::Null, Value::Str)
            };
            (v, 4 + len)
        }
        _ => return None,
    })
}

fn read_geometry(geom: &Geometry, ty: GeometryType, out: &mut Shape) {
    let ty = if ty == GeometryType::Unknown { geom.type_() } else { ty };
    match ty {
        GeometryType::MultiPolygon | GeometryType::GeometryCollection => {
            if let Some(parts) = geom.parts() {
                for part in parts.iter() {
                    read_geometry(&part, part.type_(), out);
                }
            }
        }
        _ => {
            let Some(xy) = geom.xy() else {
                return;
            };
            let start = out.xs.len() as u32;
            for (i, v) in xy.iter().enumerate() {
                if i % 2 == 0 {
                    out.xs.push(v);
                } else {
                    out.ys.push(v);
                }
            }
            let end = out.xs.len() as u32;
            let kind = match ty {
                GeometryType::Point | GeometryType::MultiPoint => ShapeKind::Point,
                GeometryType::LineString | GeometryType::MultiLineString => ShapeKind::Line,
                _ => ShapeKind::Polygon,
            };
            out.kind.get_or_insert(kind);
            let first_part = out.parts.len() as u32;
            match (kind, geom.ends()) {
                (ShapeKind::Point, _) => out.parts.extend((start..end).map(|i| (i, i + 1))),
                (_, Some(ends)) if ends.len() > 1 => {
                    let mut s = start;
                    for e in ends.iter() {
                        let e = (start + e).min(end);
                        if e > s {
                            out.parts.push((s, e));
                        }
                        s = e;
                    }
                }
                _ => out.parts.push((start, end)),
            }
            if kind == ShapeKind::Polygon {
                out.polygons.push((first_part, out.parts.len() as u32));
            }
        }
    }
}

/// A feature's geometry, decoded on first use.
pub struct LazyGeometry<'a, 'f> {
    feature: &'a FeatureView<'f>,
    shape: Option<Shape>,
}

impl<'a, 'f> LazyGeometry<'a, 'f> {
    pub fn new(feature: &'a FeatureView<'f>) -> Self {
        LazyGeometry { feature, shape: None }
    }

    pub fn shape(&mut self) -> &Shape {
        self.shape.get_or_insert_with(|| {
            let mut s = Shape::default();
            self.feature.read_shape(&mut s);
            s
        })
    }
}
