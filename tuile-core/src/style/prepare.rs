//! Readies a parsed style for drawing: resolves each font family to a face
//! and reads each external picture, rasterised once at the largest size
//! the style draws it. Errors point at the SLD line that names the font or
//! the file.

use std::path::Path;
use std::sync::Arc;

use super::{GraphicSymbol, Picture, Style, StyleError, Symbolizer, font};

/// Prepares `style`, read from `file` (external pictures are relative to it).
pub fn prepare(style: &mut Style, file: &Path) -> Result<(), StyleError> {
    let err = |line: usize, message: String| StyleError {
        file: file.to_path_buf(),
        line,
        message,
    };
    for rule in &mut style.rules {
        for symbolizer in &mut rule.symbolizers {
            match symbolizer {
                Symbolizer::Text(t) => {
                    let f = &mut t.font;
                    f.face = Some(font::face(&f.family, f.bold, f.italic).map_err(|e| err(f.line, e))?);
                }
                Symbolizer::Point(p) => {
                    let size = p.graphic.size.max();
                    if let GraphicSymbol::External(ext) = &mut p.graphic.symbol {
                        let local = ext.href.strip_prefix("file://").unwrap_or(&ext.href);
                        let path = file.parent().unwrap_or(Path::new(".")).join(local);
                        let bytes = std::fs::read(&path)
                            .map_err(|e| err(ext.line, format!("cannot read {}: {e}", path.display())))?;
                        let is_svg = ext.format.as_deref() == Some("image/svg+xml") || local.ends_with(".svg");
                        let picture = if is_svg {
                            render_svg(&bytes, size)
                        } else {
                            decode_png(&bytes, size)
                        };
                        let picture = picture.map_err(|m| err(ext.line, format!("{}: {m}", path.display())))?;
                        ext.picture = Some(Arc::new(picture));
                    }
                }
                Symbolizer::Polygon(_) | Symbolizer::Line(_) => {}
            }
        }
    }
    Ok(())
}

/// Decodes a PNG and scales it to `size` pixels high, premultiplied.
fn decode_png(bytes: &[u8], size: f32) -> Result<Picture, String> {
    let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png).map_err(|e| e.to_string())?;
    let h = size.round().max(1.0) as u32;
    let w = ((img.width() as f32 * h as f32 / img.height().max(1) as f32).round() as u32).max(1);
    let rgba = img
        .resize_exact(w, h, image::imageops::FilterType::CatmullRom)
        .to_rgba8();
    let mut data = rgba.into_raw();
    for px in data.chunks_exact_mut(4) {
        let a = px[3] as u16;
        for c in &mut px[..3] {
            *c = ((*c as u16 * a + 127) / 255) as u8;
        }
    }
    Ok(Picture {
        width: w,
        height: h,
        rgba: data,
    })
}

/// Rasterises an SVG picture `size` pixels high, premultiplied (resvg).
fn render_svg(bytes: &[u8], size: f32) -> Result<Picture, String> {
    let tree = resvg::usvg::Tree::from_data(bytes, &resvg::usvg::Options::default()).map_err(|e| e.to_string())?;
    let s = tree.size();
    let h = size.round().max(1.0) as u32;
    let w = ((s.width() * h as f32 / s.height().max(1e-6)).round() as u32).max(1);
    let mut pixmap = tiny_skia::Pixmap::new(w, h).ok_or("the picture is empty")?;
    let t = tiny_skia::Transform::from_scale(w as f32 / s.width(), h as f32 / s.height());
    resvg::render(&tree, t, &mut pixmap.as_mut());
    Ok(Picture {
        width: w,
        height: h,
        rgba: pixmap.take(),
    })
}
