//! Text written on an image outside the label engine.

use crate::style::font::face;

/// Writes a message on an image, wrapped to its width (EXCEPTIONS=INIMAGE).
pub fn write_message(pixmap: &mut tiny_skia::Pixmap, message: &str) {
    let Ok(f) = face("DejaVu Sans", false, false) else {
        return;
    };
    let size = 11.0;
    let max = pixmap.width() as f32 - 8.0;
    let mut lines: Vec<String> = Vec::new();
    for word in message.split_whitespace() {
        match lines.last_mut() {
            Some(line)
                if f.text_path(&format!("{line} {word}"), size)
                    .is_some_and(|t| t.width <= max) =>
            {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    let mut paint = tiny_skia::Paint::default();
    paint.set_color_rgba8(160, 20, 20, 255);
    paint.anti_alias = true;
    for (k, line) in lines.iter().enumerate() {
        if let Some(t) = f.text_path(line, size) {
            let at = tiny_skia::Transform::from_translate(4.0, 4.0 + t.ascent + k as f32 * size * 1.3);
            pixmap.fill_path(&t.path, &paint, tiny_skia::FillRule::Winding, at, None);
        }
    }
}
