//! Map rendering: layers drawn bottom-first onto one canvas, then encoded.
//! Everything here is CPU work and runs on the render pool, never on the
//! async executor.

pub mod encode;
pub mod glyphs;
mod hairline;
mod labels;
mod marks;
pub mod sprite;
pub mod text;
mod vector;

use std::sync::Arc;

use tiny_skia::{Pixmap, PixmapPaint, Transform};

use crate::grid::{BBox, Crs, PixelTransform, transform_bbox};
use crate::layer::Layer;
use crate::source::remote::Fetched;
use crate::source::{RgbaImage, Source, SourceError};
use crate::style::{Color, Style};

pub use encode::{ImageFormat, encode};
pub use vector::draw_graphic;

/// The grid of a requested image: CRS, outer-edge bbox (x/y order) and size.
#[derive(Debug, Clone, Copy)]
pub struct MapView {
    pub crs: Crs,
    pub bbox: BBox,
    pub width: u32,
    pub height: u32,
}

impl MapView {
    /// OGC scale denominator from the horizontal resolution.
    pub fn scale_denominator(&self) -> f64 {
        self.crs.scale_denominator(self.bbox.width() / self.width as f64)
    }

    pub fn pixel_transform(&self) -> PixelTransform {
        PixelTransform::new(&self.bbox, self.width, self.height)
    }
}

/// One layer of a map, with the style and edition to draw.
#[derive(Clone)]
pub struct DrawLayer {
    pub layer: Arc<Layer>,
    pub style: Arc<Style>,
    /// Value of the layer's time dimension to draw, when it has one.
    pub time: Option<String>,
    /// A cascaded layer's upstream image, fetched before drawing
    /// ([`fetch_upstream`]): drawing never waits on a partner.
    pub fetched: Option<Arc<Fetched>>,
}

impl DrawLayer {
    pub fn new(layer: Arc<Layer>, style: Arc<Style>, time: Option<String>) -> DrawLayer {
        DrawLayer {
            layer,
            style,
            time,
            fetched: None,
        }
    }
}

/// Fetches the upstream images the cascaded layers among `layers` need for
/// `view`, all at once (each host's limits apply). Call it on the async
/// side, before handing the drawing to the render pool.
pub async fn fetch_upstream(view: &MapView, layers: &mut [DrawLayer]) -> Result<(), crate::error::Error> {
    let scale = view.scale_denominator();
    let wanted = layers.iter().enumerate().filter_map(|(i, dl)| match &dl.layer.source {
        Source::Remote(r) if dl.layer.visible_at(scale) && overlaps(view, &dl.layer) => Some((i, r, dl)),
        _ => None,
    });
    let fetches = wanted.map(|(i, r, dl)| async move {
        let got = r
            .fetch(view.crs, &view.bbox, view.width, view.height, dl.time.as_deref())
            .await
            .map_err(|e| crate::error::Error::from(e).in_layer(dl.layer.name()))?;
        Ok::<_, crate::error::Error>((i, got))
    });
    for (i, got) in futures_util::future::try_join_all(fetches).await? {
        layers[i].fetched = got.map(Arc::new);
    }
    Ok(())
}

/// Whether `view` may show some of `layer` (true when the extent cannot be compared).
fn overlaps(view: &MapView, layer: &Layer) -> bool {
    match layer.extent_in(view.crs) {
        Some(e) => e.intersects(&view.bbox),
        None => match transform_bbox(&layer.native_extent, layer.source.meta().crs, view.crs) {
            Ok(e) => e.intersects(&view.bbox),
            Err(_) => true,
        },
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("layer `{layer}`: {source}")]
    Source { layer: String, source: SourceError },
    #[error("cannot allocate a {0}×{1} image")]
    Size(u32, u32),
}

/// A map as every map answer serves it: drawn, then encoded (transparent
/// areas over `matte` where the format has no alpha).
pub fn map_image(
    view: &MapView,
    layers: &[DrawLayer],
    format: ImageFormat,
    background: Option<Color>,
    matte: Color,
) -> Result<Vec<u8>, crate::error::Error> {
    let pixmap = render(view, layers, background)?;
    Ok(encode(&pixmap, format, matte, 85)?)
}

/// An uncached map answer: the cascaded layers' upstream images fetched
/// (async), then the map drawn and encoded on the render pool.
pub async fn map(
    pool: &crate::pool::RenderPool,
    view: MapView,
    mut layers: Vec<DrawLayer>,
    format: ImageFormat,
    background: Option<Color>,
    matte: Color,
) -> Result<Vec<u8>, crate::error::Error> {
    fetch_upstream(&view, &mut layers).await?;
    pool.run(move || map_image(&view, &layers, format, background, matte))
        .await?
}

/// Draws `layers` bottom-first on a canvas filled with `background` (or
/// transparent when `None`), then their labels.
pub fn render(view: &MapView, layers: &[DrawLayer], background: Option<Color>) -> Result<Pixmap, RenderError> {
    render_in(view, layers, background, None)
}

/// [`render`], with labels kept inside `label_area` (pixels): metatiles
/// give their inner area so that no label is cut at a metatile's edge.
pub fn render_in(
    view: &MapView,
    layers: &[DrawLayer],
    background: Option<Color>,
    label_area: Option<tiny_skia::Rect>,
) -> Result<Pixmap, RenderError> {
    let mut pixmap = Pixmap::new(view.width, view.height).ok_or(RenderError::Size(view.width, view.height))?;
    if let Some(c) = background {
        pixmap.fill(tiny_skia::Color::from_rgba8(c.r, c.g, c.b, c.a));
    }
    let area = label_area
        .or_else(|| tiny_skia::Rect::from_xywh(0.0, 0.0, view.width as f32, view.height as f32))
        .ok_or(RenderError::Size(view.width, view.height))?;
    let mut labels = labels::Labeler::new(area);
    let scale = view.scale_denominator();
    for (index, dl) in layers.iter().enumerate() {
        if !dl.layer.visible_at(scale) {
            continue;
        }
        let wrap = |source| RenderError::Source {
            layer: dl.layer.name().to_string(),
            source,
        };
        match &dl.layer.source {
            Source::Raster(r) => {
                let Some(image) = warp_raster(view, &dl.layer, r, dl.time.as_deref()).map_err(wrap)? else {
                    continue;
                };
                draw_rgba(&mut pixmap, image);
            }
            Source::Remote(r) => {
                let Some(fetched) = &dl.fetched else { continue };
                let image = fetched
                    .draw(view.crs, &view.bbox, view.width, view.height, dl.layer.resampling)
                    .map_err(|msg| wrap(SourceError::read(&r.meta().path, msg)))?;
                draw_rgba(&mut pixmap, image);
            }
            Source::Vector(v) => {
                let time = dl.time.as_deref().zip(dl.layer.time.as_ref().map(|t| t.field.as_str()));
                vector::draw(&mut pixmap, &mut labels, index, view, v, &dl.style, time).map_err(wrap)?;
            }
        }
    }
    labels.draw(&mut pixmap);
    Ok(pixmap)
}

/// Warps the part of a raster source visible in `view`; `None` when nothing is.
fn warp_raster(
    view: &MapView,
    layer: &Layer,
    r: &crate::source::RasterSource,
    edition: Option<&str>,
) -> Result<Option<RgbaImage>, SourceError> {
    // Skip the warp when the view cannot overlap the data.
    if !overlaps(view, layer) {
        return Ok(None);
    }
    r.warp(view.crs, &view.bbox, view.width, view.height, layer.resampling, edition)
        .map(Some)
}

/// A non-premultiplied RGBA image as a canvas (premultiplied, as tiny-skia
/// and the encoders hold pixels); `None` for an empty image.
pub fn pixmap_of(mut image: RgbaImage) -> Option<Pixmap> {
    for px in image.data.chunks_exact_mut(4) {
        let a = px[3] as u16;
        if a < 255 {
            for c in &mut px[..3] {
                *c = ((*c as u16 * a + 127) / 255) as u8;
            }
        }
    }
    Pixmap::from_vec(image.data, tiny_skia::IntSize::from_wh(image.width, image.height)?)
}

/// Composites a non-premultiplied RGBA image over the canvas.
fn draw_rgba(pixmap: &mut Pixmap, image: RgbaImage) {
    let opaque = image.data.chunks_exact(4).all(|p| p[3] == 255);
    let Some(src) = pixmap_of(image) else {
        return;
    };
    if opaque || pixmap.pixels().iter().all(|p| p.alpha() == 0) {
        // An opaque image (an orthophoto inside its extent), or the bottom
        // layer on an empty canvas: source-over is a copy.
        pixmap.data_mut().copy_from_slice(src.data());
    } else {
        pixmap.draw_pixmap(0, 0, src.as_ref(), &PixmapPaint::default(), Transform::identity(), None);
    }
}
