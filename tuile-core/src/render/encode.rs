//! Image encoding. PNG uses the `png` crate's fdeflate path (fast levels
//! dominate the cost of photographic tiles); JPEG uses `jpeg-encoder` with
//! its AVX2 paths.

use tiny_skia::Pixmap;

use crate::style::Color;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    Png,
    Jpeg,
}

impl ImageFormat {
    /// Reads a MIME type as clients send it (`image/png`, `image/jpeg`,
    /// `image/png; mode=24bit`, the short `png` / `jpg`).
    pub fn from_mime(s: &str) -> Option<ImageFormat> {
        let base = s.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match base.as_str() {
            "image/png" | "png" | "image/png8" | "image/png24" | "image/png32" => Some(ImageFormat::Png),
            "image/jpeg" | "image/jpg" | "jpeg" | "jpg" => Some(ImageFormat::Jpeg),
            _ => None,
        }
    }

    pub fn mime(&self) -> &'static str {
        match self {
            ImageFormat::Png => "image/png",
            ImageFormat::Jpeg => "image/jpeg",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            ImageFormat::Png => "png",
            ImageFormat::Jpeg => "jpg",
        }
    }

    pub fn supports_transparency(&self) -> bool {
        matches!(self, ImageFormat::Png)
    }

    /// The colour a map starts from: none (transparent) when transparency
    /// is asked for and the format has it, `bgcolor` otherwise.
    pub fn background(&self, transparent: bool, bgcolor: Color) -> Option<Color> {
        (!(transparent && self.supports_transparency())).then_some(bgcolor)
    }

    /// A tile's background: transparent outside the data where the format
    /// allows it, white otherwise (JPEG has no alpha).
    pub fn tile_background(&self) -> Option<Color> {
        self.background(true, Color::WHITE)
    }

    /// Every format tuile renders, in the order capabilities list them.
    pub const ALL: [ImageFormat; 2] = [ImageFormat::Png, ImageFormat::Jpeg];
}

#[derive(Debug, thiserror::Error)]
#[error("image encoding failed: {0}")]
pub struct EncodeError(String);

impl EncodeError {
    pub fn new(message: impl Into<String>) -> EncodeError {
        EncodeError(message.into())
    }
}

/// Encodes a rendered map. JPEG has no alpha: transparent areas are
/// composited over `matte`.
pub fn encode(pixmap: &Pixmap, format: ImageFormat, matte: Color, jpeg_quality: u8) -> Result<Vec<u8>, EncodeError> {
    match format {
        ImageFormat::Png => encode_png(pixmap),
        ImageFormat::Jpeg => encode_jpeg(pixmap, matte, jpeg_quality),
    }
}

fn encode_png(pixmap: &Pixmap) -> Result<Vec<u8>, EncodeError> {
    let opaque = pixmap.pixels().iter().all(|p| p.alpha() == 255);
    let (w, h) = (pixmap.width(), pixmap.height());
    let (data, color) = if opaque {
        let mut rgb = vec![0u8; (w * h * 3) as usize];
        for (out, p) in rgb.chunks_exact_mut(3).zip(pixmap.data().chunks_exact(4)) {
            out.copy_from_slice(&p[..3]);
        }
        (rgb, png::ColorType::Rgb)
    } else {
        let mut rgba = Vec::with_capacity((w * h * 4) as usize);
        for p in pixmap.pixels() {
            let c = p.demultiply();
            rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
        }
        (rgba, png::ColorType::Rgba)
    };
    let mut out = Vec::with_capacity(data.len() / 2);
    {
        let mut enc = png::Encoder::new(&mut out, w, h);
        enc.set_color(color);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().map_err(|e| EncodeError(e.to_string()))?;
        writer.write_image_data(&data).map_err(|e| EncodeError(e.to_string()))?;
        writer.finish().map_err(|e| EncodeError(e.to_string()))?;
    }
    Ok(out)
}

/// A fully transparent PNG, as small as PNG allows (shared for empty tiles).
pub fn transparent_png(width: u32, height: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, width, height);
    enc.set_color(png::ColorType::GrayscaleAlpha);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::High);
    let mut writer = enc.write_header().expect("writing to memory");
    writer
        .write_image_data(&vec![0u8; (width * height * 2) as usize])
        .expect("writing to memory");
    writer.finish().expect("writing to memory");
    out
}

fn encode_jpeg(pixmap: &Pixmap, matte: Color, quality: u8) -> Result<Vec<u8>, EncodeError> {
    let (w, h) = (pixmap.width(), pixmap.height());
    if w > u16::MAX as u32 || h > u16::MAX as u32 {
        return Err(EncodeError("JPEG images are at most 65535 pixels wide".into()));
    }
    let mut rgb = vec![0u8; (w * h * 3) as usize];
    let m = [matte.r, matte.g, matte.b];
    for (out, p) in rgb.chunks_exact_mut(3).zip(pixmap.data().chunks_exact(4)) {
        if p[3] == 255 {
            out.copy_from_slice(&p[..3]);
            continue;
        }
        // Premultiplied colour over an opaque matte: c + m * (1 - a).
        let inv = 255 - p[3] as u16;
        for ((o, &c), &m) in out.iter_mut().zip(&p[..3]).zip(&m) {
            *o = (c as u16 + (m as u16 * inv + 127) / 255).min(255) as u8;
        }
    }
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let enc = jpeg_encoder::Encoder::new(&mut out, quality);
    enc.encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
        .map_err(|e| EncodeError(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn png_round_trips_and_drops_alpha_when_opaque() {
        let mut p = Pixmap::new(4, 3).unwrap();
        p.fill(tiny_skia::Color::from_rgba8(10, 20, 30, 255));
        let bytes = encode(&p, ImageFormat::Png, Color::WHITE, 85).unwrap();
        let img = image::load_from_memory(&bytes).unwrap();
        assert_eq!(img.color(), image::ColorType::Rgb8);
        assert_eq!(img.to_rgb8().get_pixel(3, 2).0, [10, 20, 30]);

        let mut t = Pixmap::new(2, 2).unwrap();
        t.fill(tiny_skia::Color::from_rgba8(200, 0, 0, 128));
        let img = image::load_from_memory(&encode(&t, ImageFormat::Png, Color::WHITE, 85).unwrap()).unwrap();
        let px = img.to_rgba8().get_pixel(0, 0).0;
        assert_eq!(px[3], 128);
        assert!((px[0] as i32 - 200).abs() <= 2, "{px:?}");
    }

    #[test]
    fn jpeg_composites_transparency_over_the_matte() {
        let p = Pixmap::new(16, 16).unwrap();
        let bytes = encode(&p, ImageFormat::Jpeg, Color::rgb(0, 0, 255), 90).unwrap();
        let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
        let [r, g, b] = img.get_pixel(8, 8).0;
        assert!(r < 10 && g < 10 && b > 245, "{r} {g} {b}");
    }

    #[test]
    fn mime_spellings() {
        assert_eq!(ImageFormat::from_mime("image/png; mode=24bit"), Some(ImageFormat::Png));
        assert_eq!(ImageFormat::from_mime("IMAGE/JPEG"), Some(ImageFormat::Jpeg));
        assert_eq!(ImageFormat::from_mime("image/gif"), None);
    }
}
