//! Fonts, and text laid out as vector paths (ab_glyph outlines that
//! tiny-skia draws), so that labels get anti-aliasing, halos and rotation
//! like any shape.
//!
//! Faces are Debian's DejaVu fonts (package fonts-dejavu-core, installed by
//! `make deps`), read from `/usr/share/fonts/truetype/dejavu` or from the
//! directory named by `TUILE_FONT_DIR`.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use ab_glyph::{Font as _, FontVec, OutlineCurve};
use tiny_skia::{Path, PathBuilder};

pub struct FontFace {
    font: FontVec,
    pub file: PathBuf,
}

impl std::fmt::Debug for FontFace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FontFace({})", self.file.display())
    }
}

/// A laid-out line of text: its outline with the baseline at y = 0 from x = 0.
pub struct TextPath {
    pub path: Path,
    pub width: f32,
    pub ascent: f32,
    pub descent: f32,
}

pub fn font_dir() -> PathBuf {
    std::env::var_os("TUILE_FONT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/share/fonts/truetype/dejavu"))
}

/// The file stem of a family: DejaVu faces and the CSS generic names.
fn stem(family: &str) -> Option<&'static str> {
    match family.trim().trim_matches(['"', '\'']).to_ascii_lowercase().as_str() {
        "dejavu sans" | "sans-serif" | "sans" | "dejavusans" => Some("DejaVuSans"),
        "dejavu serif" | "serif" | "dejavuserif" => Some("DejaVuSerif"),
        "dejavu sans mono" | "monospace" | "mono" | "dejavusansmono" => Some("DejaVuSansMono"),
        "dejavu sans condensed" | "sans-serif-condensed" => Some("DejaVuSansCondensed"),
        _ => None,
    }
}

/// A face by family list (`"DejaVu Sans, sans-serif"`), weight and slant;
/// loaded once per file.
pub fn face(families: &str, bold: bool, italic: bool) -> Result<Arc<FontFace>, String> {
    static FACES: OnceLock<Mutex<HashMap<PathBuf, Arc<FontFace>>>> = OnceLock::new();
    let dir = font_dir();
    let stem = families.split(',').find_map(stem).ok_or_else(|| {
        format!("no font for `{families}`: use DejaVu Sans, DejaVu Serif, DejaVu Sans Mono or sans-serif")
    })?;
    let slant = if stem == "DejaVuSerif" { "Italic" } else { "Oblique" };
    let suffix = match (bold, italic) {
        (false, false) => String::new(),
        (true, false) => "-Bold".into(),
        (false, true) => format!("-{slant}"),
        (true, true) => format!("-Bold{slant}"),
    };
    let file = dir.join(format!("{stem}{suffix}.ttf"));
    let mut faces = FACES.get_or_init(Default::default).lock().unwrap();
    if let Some(f) = faces.get(&file) {
        return Ok(Arc::clone(f));
    }
    let bytes = std::fs::read(&file).map_err(|e| {
        format!(
            "cannot read the font {}: {e} (install fonts-dejavu-core)",
            file.display()
        )
    })?;
    let font = FontVec::try_from_vec(bytes).map_err(|e| format!("{}: {e}", file.display()))?;
    let face = Arc::new(FontFace {
        font,
        file: file.clone(),
    });
    faces.insert(file, Arc::clone(&face));
    Ok(face)
}

impl FontFace {
    /// Whether the face draws `c` (not its missing-glyph box).
    pub fn has_glyph(&self, c: char) -> bool {
        self.font.glyph_id(c).0 != 0
    }

    /// How far `c` moves the pen at `size` pixels per em.
    pub fn advance(&self, c: char, size: f32) -> f32 {
        let upem = self.font.units_per_em().unwrap_or(1000.0);
        self.font.h_advance_unscaled(self.font.glyph_id(c)) * size / upem
    }

    /// Lays out one line of text at `size` pixels per em.
    pub fn text_path(&self, text: &str, size: f32) -> Option<TextPath> {
        let upem = self.font.units_per_em().unwrap_or(1000.0);
        let k = size / upem;
        let mut pb = PathBuilder::new();
        let mut x = 0.0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = self.font.glyph_id(c);
            if let Some(p) = prev {
                x += self.font.kern_unscaled(p, id) * k;
            }
            if let Some(outline) = self.font.outline(id) {
                let pt = |p: ab_glyph::Point| (x + p.x * k, -p.y * k);
                let mut last: Option<(f32, f32)> = None;
                for curve in &outline.curves {
                    let start = match curve {
                        OutlineCurve::Line(a, _) | OutlineCurve::Quad(a, _, _) | OutlineCurve::Cubic(a, _, _, _) => {
                            pt(*a)
                        }
                    };
                    if last != Some(start) {
                        if last.is_some() {
                            pb.close();
                        }
                        pb.move_to(start.0, start.1);
                    }
                    let end = match curve {
                        OutlineCurve::Line(_, b) => {
                            let b = pt(*b);
                            pb.line_to(b.0, b.1);
                            b
                        }
                        OutlineCurve::Quad(_, c1, b) => {
                            let (c1, b) = (pt(*c1), pt(*b));
                            pb.quad_to(c1.0, c1.1, b.0, b.1);
                            b
                        }
                        OutlineCurve::Cubic(_, c1, c2, b) => {
                            let (c1, c2, b) = (pt(*c1), pt(*c2), pt(*b));
                            pb.cubic_to(c1.0, c1.1, c2.0, c2.1, b.0, b.1);
                            b
                        }
                    };
                    last = Some(end);
                }
                if last.is_some() {
                    pb.close();
                }
            }
            x += self.font.h_advance_unscaled(id) * k;
            prev = Some(id);
        }
        Some(TextPath {
            path: pb.finish()?,
            width: x,
            ascent: self.font.ascent_unscaled() * k,
            descent: -self.font.descent_unscaled() * k,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dejavu_lays_out_french_text() {
        let sans = face("DejaVu Sans", false, false).expect("fonts-dejavu-core is installed");
        let t = sans.text_path("Hôtel de Ville (quai)", 12.0).unwrap();
        assert!(t.width > 90.0 && t.width < 160.0, "{}", t.width);
        let b = t.path.bounds();
        assert!(
            b.top() < -7.0 && b.bottom() > 0.0,
            "accents rise, descenders fall: {b:?}"
        );
        assert!(face("Comic Sans, sans-serif", true, false).is_ok());
        assert!(face("Comic Sans", false, false).unwrap_err().contains("Comic Sans"));
    }
}
