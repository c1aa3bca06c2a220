//! GeoJSON writing, straight into a byte buffer: features, geometries from
//! decoded shapes and JSON values, with a fast float formatter (ryu). Every
//! GeoJSON answer (feature info, items) is written by [`write_feature`].

use crate::feature::{Shape, ShapeKind, Value};

/// The members of a feature's `properties` object, written as they come.
pub struct Members<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
}

impl Members<'_> {
    fn name(&mut self, name: &str) {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        write_string(self.out, name);
        self.out.push(b':');
    }

    pub fn value(&mut self, name: &str, v: &Value) {
        self.name(name);
        write_value(self.out, v);
    }

    /// A number rounded to `decimals`.
    pub fn number(&mut self, name: &str, v: f64, decimals: i32) {
        self.name(name);
        write_number(self.out, v, decimals);
    }
}

/// A geometry to write: the shape, whether to swap its axes (EPSG:4326
/// in lat/lon order), and the decimals to keep.
pub struct Geometry<'a> {
    pub shape: &'a Shape,
    pub swap: bool,
    pub decimals: i32,
}

/// Writes one GeoJSON Feature: `id` (a string or a number) when given, the
/// geometry (`null` without one), and the members `properties` writes.
pub fn write_feature(
    out: &mut Vec<u8>,
    id: Option<&Value>,
    geometry: Option<Geometry>,
    properties: impl FnOnce(&mut Members),
) {
    out.extend_from_slice(b"{\"type\":\"Feature\"");
    if let Some(id) = id {
        out.extend_from_slice(b",\"id\":");
        write_value(out, id);
    }
    out.extend_from_slice(b",\"geometry\":");
    match geometry {
        Some(g) => write_geometry(out, g.shape, g.swap, g.decimals),
        None => out.extend_from_slice(b"null"),
    }
    out.extend_from_slice(b",\"properties\":{");
    properties(&mut Members { out, first: true });
    out.extend_from_slice(b"}}");
}

/// Writes a number rounded to `decimals`, in the shortest form that reads back.
pub fn write_number(out: &mut Vec<u8>, v: f64, decimals: i32) {
    if !v.is_finite() {
        out.extend_from_slice(b"null");
        return;
    }
    let k = 10f64.powi(decimals);
    let r = (v * k).round() / k;
    if r == r.trunc() && r.abs() < 1e15 {
        // Integral values without a trailing ".0".
        out.extend_from_slice((r as i64).to_string().as_bytes());
        return;
    }
    let mut buf = ryu::Buffer::new();
    out.extend_from_slice(buf.format_finite(r).as_bytes());
}

/// Writes a JSON string literal.
pub fn write_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: Option<&[u8]> = match b {
            b'"' => Some(b"\\\""),
            b'\\' => Some(b"\\\\"),
            b'\n' => Some(b"\\n"),
            b'\r' => Some(b"\\r"),
            b'\t' => Some(b"\\t"),
            0..=0x1f => None,
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        match esc {
            Some(e) => out.extend_from_slice(e),
            None => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Writes a property value as JSON.
pub fn write_value(out: &mut Vec<u8>, v: &Value) {
    match *v {
        Value::Null | Value::Binary(_) => out.extend_from_slice(b"null"),
        Value::Bool(b) => out.extend_from_slice(if b { b"true" } else { b"false" }),
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::UInt(u) => out.extend_from_slice(u.to_string().as_bytes()),
        Value::Float(f) => {
            if f.is_finite() {
                let mut buf = ryu::Buffer::new();
                out.extend_from_slice(buf.format_finite(f).as_bytes());
            } else {
                out.extend_from_slice(b"null");
            }
        }
        Value::Str(s) => write_string(out, s),
    }
}

/// Writes a shape's geometry object. Coordinates are written (x, y), or
/// (y, x) when `swap` (EPSG:4326 in lat/lon order), with `decimals`.
pub fn write_geometry(out: &mut Vec<u8>, shape: &Shape, swap: bool, decimals: i32) {
    let point = |out: &mut Vec<u8>, i: usize| {
        let (x, y) = (shape.xs[i], shape.ys[i]);
        let (a, b) = if swap { (y, x) } else { (x, y) };
        out.push(b'[');
        write_number(out, a, decimals);
        out.push(b',');
        write_number(out, b, decimals);
        out.push(b']');
    };
    // A ring or path; rings are closed if the data left them open.
    let run = |out: &mut Vec<u8>, (s, e): (u32, u32), close: bool| {
        out.push(b'[');
        for i in s as usize..e as usize {
            if i > s as usize {
                out.push(b',');
            }
            point(out, i);
        }
        let open = e > s
            && (shape.xs[s as usize], shape.ys[s as usize]) != (shape.xs[e as usize - 1], shape.ys[e as usize - 1]);
        if close && open {
            out.push(b',');
            point(out, s as usize);
        }
        out.push(b']');
    };
    let list = |out: &mut Vec<u8>, items: &mut dyn Iterator<Item = (u32, u32)>, close: bool| {
        out.push(b'[');
        for (k, p) in items.enumerate() {
            if k > 0 {
                out.push(b',');
            }
            run(out, p, close);
        }
        out.push(b']');
    };
    match shape.kind {
        None => out.extend_from_slice(b"null"),
        Some(ShapeKind::Point) if shape.parts.len() == 1 => {
            out.extend_from_slice(b"{\"type\":\"Point\",\"coordinates\":");
            point(out, shape.parts[0].0 as usize);
            out.push(b'}');
        }
        Some(ShapeKind::Point) => {
            out.extend_from_slice(b"{\"type\":\"MultiPoint\",\"coordinates\":[");
            for (k, (s, _)) in shape.parts.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                point(out, *s as usize);
            }
            out.extend_from_slice(b"]}");
        }
        Some(ShapeKind::Line) if shape.parts.len() == 1 => {
            out.extend_from_slice(b"{\"type\":\"LineString\",\"coordinates\":");
            run(out, shape.parts[0], false);
            out.push(b'}');
        }
        Some(ShapeKind::Line) => {
            out.extend_from_slice(b"{\"type\":\"MultiLineString\",\"coordinates\":");
            list(out, &mut shape.parts.iter().copied(), false);
            out.push(b'}');
        }
        Some(ShapeKind::Polygon) if shape.polygons.len() == 1 => {
            out.extend_from_slice(b"{\"type\":\"Polygon\",\"coordinates\":");
            let (a, b) = shape.polygons[0];
            list(out, &mut shape.parts[a as usize..b as usize].iter().copied(), true);
            out.push(b'}');
        }
        Some(ShapeKind::Polygon) => {
            out.extend_from_slice(b"{\"type\":\"MultiPolygon\",\"coordinates\":[");
            for (k, &(a, b)) in shape.polygons.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                list(out, &mut shape.parts[a as usize..b as usize].iter().copied(), true);
            }
            out.extend_from_slice(b"]}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(f: impl FnOnce(&mut Vec<u8>)) -> String {
        let mut v = Vec::new();
        f(&mut v);
        String::from_utf8(v).unwrap()
    }

    #[test]
    fn numbers_and_strings() {
        assert_eq!(text(|o| write_number(o, 3.123456789, 7)), "3.1234568");
        assert_eq!(text(|o| write_number(o, 770000.0, 2)), "770000");
        assert_eq!(text(|o| write_number(o, -0.5, 2)), "-0.5");
        assert_eq!(text(|o| write_string(o, "a\"b\\c\né\u{1}")), r#""a\"b\\c\né\u0001""#);
    }

    #[test]
    fn geometries_are_valid_geojson() {
        let mut s = Shape {
            kind: Some(ShapeKind::Polygon),
            xs: vec![0.0, 1.0, 1.0, 0.0],
            ys: vec![0.0, 0.0, 1.0, 0.0],
            parts: vec![(0, 4)],
            polygons: vec![(0, 1)],
        };
        let g: serde_json::Value = serde_json::from_str(&text(|o| write_geometry(o, &s, false, 6))).unwrap();
        assert_eq!(g["type"], "Polygon");
        assert_eq!(g["coordinates"][0].as_array().unwrap().len(), 4);
        s.kind = Some(ShapeKind::Point);
        s.parts = vec![(1, 2)];
        assert_eq!(
            text(|o| write_geometry(o, &s, true, 6)),
            r#"{"type":"Point","coordinates":[0,1]}"#
        );
    }
}
