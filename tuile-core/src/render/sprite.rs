//! Sprites: a style's point symbols drawn side by side in one PNG, and the
//! index MapLibre reads with it (each icon's place and pixel ratio). The
//! symbols are drawn by the map renderer itself, so that a MapLibre icon is
//! the WMS symbol.

use serde_json::{Map, Value, json};
use tiny_skia::Pixmap;

use super::encode::{self, EncodeError, ImageFormat};
use crate::style::{Color, Graphic, GraphicSymbol, Style, maplibre};

/// The sprite of `style` at a pixel ratio (1 or 2): PNG bytes and index.
pub fn sprite(style: &Style, ratio: u32) -> Result<(Vec<u8>, Value), EncodeError> {
    let ratio_f = ratio as f32;
    let icons = maplibre::icons(style);
    let cells: Vec<(String, Graphic, f32, u32)> = icons
        .into_iter()
        .map(|(name, g)| {
            let size = g.size.max() * ratio_f;
            let mut g = g.clone();
            let mut stroke = 0.0;
            if let GraphicSymbol::Mark { stroke: Some(s), .. } = &mut g.symbol {
                s.width *= ratio_f;
                stroke = s.width;
            }
            let side = (size + 2.0 * stroke + 2.0).ceil() as u32;
            (name, g, size, side)
        })
        .collect();
    let width = cells.iter().map(|c| c.3).sum::<u32>().max(1);
    let height = cells.iter().map(|c| c.3).max().unwrap_or(1);
    let mut pixmap = Pixmap::new(width, height).ok_or_else(|| EncodeError::new("sprite too large"))?;
    let mut index = Map::new();
    let mut x = 0;
    for (name, g, size, side) in cells {
        let centre = side as f32 / 2.0;
        super::draw_graphic(&mut pixmap, &g, size, x as f32 + centre, centre);
        index.insert(
            name,
            json!({"x": x, "y": 0, "width": side, "height": side, "pixelRatio": ratio}),
        );
        x += side;
    }
    Ok((
        encode::encode(&pixmap, ImageFormat::Png, Color::WHITE, 90)?,
        Value::Object(index),
    ))
}
