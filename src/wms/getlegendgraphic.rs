//! GetLegendGraphic (SLD WMS profile): a layer style's legend as an image.

use std::sync::Arc;

use actix_web::{HttpRequest, HttpResponse};

use super::WmsVersion;
use super::exception::{Code, WmsError};
use crate::ows::Kvp;
use crate::state::AppState;
use tuile_core::catalog::Catalog;
use tuile_core::error::Error;
use tuile_core::legend::{LegendOptions, legend};
use tuile_core::metadata::Language;
use tuile_core::render::{self, ImageFormat};
use tuile_core::style::Color;
use tuile_core::tiles::Encoded;

/// The GetLegendGraphic URL of a style, as capabilities link it.
pub fn url(service_url: &str, version: WmsVersion, layer: &str, style: &str) -> String {
    format!(
        "{service_url}?SERVICE=WMS&REQUEST=GetLegendGraphic&VERSION={}&FORMAT=image/png&LAYER={layer}&STYLE={style}&SLD_VERSION=1.1.0",
        version.as_str()
    )
}

pub async fn get_legend_graphic(
    req: &HttpRequest,
    kvp: &Kvp,
    catalog: Arc<Catalog>,
    state: &AppState,
    version: WmsVersion,
) -> HttpResponse {
    match build(kvp, &catalog, state).await {
        Ok(encoded) => crate::http::cache::respond(&encoded, req),
        Err(e) => e.response(version),
    }
}

async fn build(kvp: &Kvp, catalog: &Arc<Catalog>, state: &AppState) -> Result<Encoded, WmsError> {
    let name = kvp.get_nonempty("layer").ok_or_else(|| WmsError::missing("LAYER"))?;
    let layer = catalog
        .lookup(name)
        .cloned()
        .map_err(|l| WmsError::for_layer(l, "LAYER"))?;
    let style_name = kvp.get("style").unwrap_or("");
    let style = layer.style(style_name).cloned().ok_or_else(|| {
        WmsError::new(
            Code::StyleNotDefined,
            "STYLE",
            format!("layer `{name}` has no style `{style_name}`"),
        )
    })?;
    let format = match kvp.get_nonempty("format") {
        None => ImageFormat::Png,
        Some(f) => ImageFormat::from_mime(f).ok_or_else(|| {
            WmsError::new(
                Code::InvalidFormat,
                "FORMAT",
                format!("`{f}` is not image/png or image/jpeg"),
            )
        })?,
    };
    let swatch = |key: &str, upper: &str| -> Result<Option<u32>, WmsError> {
        match kvp.get_nonempty(key) {
            None => Ok(None),
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (4..=256).contains(&n) => Ok(Some(n)),
                _ => Err(WmsError::invalid(
                    upper,
                    format!("{upper} is a swatch size from 4 to 256 pixels, not `{v}`"),
                )),
            },
        }
    };
    let (w, h) = (swatch("width", "WIDTH")?, swatch("height", "HEIGHT")?);
    let scale = match kvp.get_nonempty("scale") {
        None => None,
        Some(v) => Some(
            v.parse::<f64>()
                .ok()
                .filter(|s| *s > 0.0 && s.is_finite())
                .ok_or_else(|| WmsError::invalid("SCALE", format!("`{v}` is not a scale denominator")))?,
        ),
    };
    let rule = kvp.get_nonempty("rule");
    if let Some(r) = rule
        && !style.rules.iter().any(|x| x.name.as_deref() == Some(r))
    {
        return Err(WmsError::invalid(
            "RULE",
            format!("style `{}` has no rule `{r}`", style.name),
        ));
    }
    // A cascaded layer's legend is its partner's, passed on as it came
    // (converted when another format is asked).
    if let tuile_core::source::Source::Remote(remote) = &layer.source
        && let Some((answer, image)) = remote
            .legend()
            .await
            .map_err(|e| WmsError::from(Error::from(e).in_layer(name)))?
    {
        let bytes = if answer.content_type.starts_with(format.mime()) {
            answer.body
        } else {
            let job = move || {
                let pixmap = render::pixmap_of(image)
                    .ok_or_else(|| Error::new(tuile_core::error::ErrorKind::Upstream, "an empty legend"))?;
                render::encode(&pixmap, format, Color::WHITE, 90).map_err(Error::from)
            };
            state.pool.run(job).await.map_err(Error::from).flatten()?.into()
        };
        return Ok(Encoded::new(bytes, format.mime(), layer.modified, layer.max_age));
    }
    let lang = Language::from_param(kvp.get_nonempty("language"));
    let plain = w.is_none() && h.is_none() && scale.is_none() && rule.is_none() && lang == Language::Fr;
    if plain
        && format == ImageFormat::Png
        && let Some(l) = catalog.legend(layer.name(), &style.name)
    {
        return Ok(Encoded::new(
            l.png.clone(),
            format.mime(),
            layer.modified,
            layer.max_age,
        ));
    }
    let (modified, max_age) = (layer.modified, layer.max_age);
    let rule = rule.map(str::to_string);
    let job = move || {
        let options = LegendOptions {
            swatch: (w.unwrap_or(20), h.unwrap_or(20)),
            scale,
            rule: rule.as_deref(),
            lang,
        };
        let pixmap = legend(&layer, &style, &options);
        render::encode(&pixmap, format, Color::WHITE, 90)
    };
    let bytes = state
        .pool
        .run(move || job().map_err(Error::from))
        .await
        .map_err(Error::from)
        .flatten()?;
    Ok(Encoded::new(bytes.into(), format.mime(), modified, max_age))
}
