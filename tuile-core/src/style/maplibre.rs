//! MapLibre style layers made from an SLD / SE style: the same rules,
//! filters, colours, widths and symbols, with scale ranges as zoom ranges,
//! over a vector tile source, so that a MapLibre map of a layer looks like
//! its WMS map. Point symbols other than circles come from the style's
//! sprite ([`icons`]); labels use the glyphs tuile serves of the faces the
//! WMS draws them with ([`font_name`]).

use serde_json::{Value, json};

use super::{
    CmpOp, Color, Filter, Font, Graphic, GraphicSymbol, LabelPart, LabelPlacement, Param, Rule, Stroke, Style,
    Symbolizer, TextSymbolizer, WellKnownMark,
};

/// The scale denominator of MapLibre's zoom 0 (512 px tiles, OGC's 0.28 mm
/// pixel): WebMercatorQuad's level 0 scale, halved.
const ZOOM0_SCALE: f64 = 559_082_264.028_717_8 / 2.0;

/// The MapLibre zoom at which a map is drawn at scale 1:`scale`.
pub fn zoom_for_scale(scale: f64) -> f64 {
    (ZOOM0_SCALE / scale).log2()
}

/// What the layers draw from, and how their names start.
pub struct Target<'a> {
    pub source: &'a str,
    pub source_layer: &'a str,
    /// Prefix of the layers' identifiers (unique within a style document).
    pub id: &'a str,
    /// Prefix of icon names in the style's sprite (`collection:` when the
    /// document has one sprite per collection).
    pub sprite: &'a str,
    /// The scale range of the layer itself (WMS's min/max scale).
    pub min_scale: Option<f64>,
    pub max_scale: Option<f64>,
}

/// A style's point symbols that the sprite holds, with their icon names.
pub fn icons(style: &Style) -> Vec<(String, &Graphic)> {
    let mut out = Vec::new();
    for (r, rule) in style.rules.iter().enumerate() {
        for (s, sym) in rule.symbolizers.iter().enumerate() {
            if let Symbolizer::Point(p) = sym
                && !is_circle(&p.graphic)
            {
                out.push((format!("{}-{r}-{s}", style.name), &p.graphic));
            }
        }
    }
    out
}

fn is_circle(g: &Graphic) -> bool {
    matches!(
        g.symbol,
        GraphicSymbol::Mark {
            shape: WellKnownMark::Circle,
            ..
        }
    )
}

/// The style's rules as MapLibre layers, in drawing order.
pub fn layers(style: &Style, t: &Target) -> Vec<Value> {
    let mut out = Vec::new();
    for (r, rule) in style.rules.iter().enumerate() {
        let filter = rule_filter(style, rule);
        let (min_zoom, max_zoom) = zoom_range(rule, t);
        if min_zoom.zip(max_zoom).is_some_and(|(a, b)| a >= b) {
            continue;
        }
        for (s, sym) in rule.symbolizers.iter().enumerate() {
            let id = format!("{}-{r}-{s}", t.id);
            let base = |kind: &str, suffix: &str| {
                let mut l = json!({"id": format!("{id}{suffix}"), "type": kind, "source": t.source, "source-layer": t.source_layer});
                if let Some(f) = &filter {
                    l["filter"] = f.clone();
                }
                if let Some(z) = min_zoom {
                    l["minzoom"] = json!(z);
                }
                if let Some(z) = max_zoom {
                    l["maxzoom"] = json!(z);
                }
                l
            };
            match sym {
                Symbolizer::Polygon(p) => {
                    if let Some(fill) = &p.fill {
                        let mut l = base("fill", "");
                        l["paint"] = json!({"fill-color": css(fill.color), "fill-antialias": true});
                        l["filter"] = all(json!(["==", ["geometry-type"], "Polygon"]), l.get("filter"));
                        out.push(l);
                    }
                    if let Some(stroke) = &p.stroke {
                        let mut l = base("line", "-outline");
                        line_paint(&mut l, stroke);
                        l["filter"] = all(json!(["==", ["geometry-type"], "Polygon"]), l.get("filter"));
                        out.push(l);
                    }
                }
                Symbolizer::Line(line) => {
                    let mut l = base("line", "");
                    line_paint(&mut l, &line.stroke);
                    l["filter"] = all(json!(["!=", ["geometry-type"], "Point"]), l.get("filter"));
                    out.push(l);
                }
                Symbolizer::Point(p) => {
                    let g = &p.graphic;
                    let size = param(&g.size);
                    if let GraphicSymbol::Mark {
                        shape: WellKnownMark::Circle,
                        fill,
                        stroke,
                    } = &g.symbol
                    {
                        let mut l = base("circle", "");
                        let mut paint = json!({
                            "circle-radius": ["/", size, 2],
                            "circle-color": fill.as_ref().map_or("rgba(0,0,0,0)".to_string(), |f| css(f.color)),
                            "circle-opacity": g.opacity,
                            "circle-pitch-alignment": "map",
                        });
                        if let Some(s) = stroke {
                            paint["circle-stroke-color"] = json!(css(s.color));
                            paint["circle-stroke-width"] = json!(s.width);
                            paint["circle-stroke-opacity"] = json!(g.opacity);
                        }
                        l["paint"] = paint;
                        out.push(l);
                    } else {
                        let mut l = base("symbol", "");
                        l["layout"] = json!({
                            "icon-image": format!("{}{}-{r}-{s}", t.sprite, style.name),
                            // The sprite holds the icon at its largest size.
                            "icon-size": ["/", size, g.size.max().max(1.0)],
                            "icon-rotate": g.rotation,
                            "icon-allow-overlap": true,
                            "icon-ignore-placement": true,
                        });
                        l["paint"] = json!({"icon-opacity": g.opacity});
                        out.push(l);
                    }
                }
                Symbolizer::Text(text) => {
                    let mut l = base("symbol", "");
                    label(&mut l, text);
                    out.push(l);
                }
            }
        }
    }
    out
}

/// The glyph font name of a face: its first family, then `Bold`,
/// `Italic`, as the glyph route reads it back ([`parse_font_name`]).
pub fn font_name(f: &Font) -> String {
    let family = f
        .family
        .split(',')
        .next()
        .unwrap_or("DejaVu Sans")
        .trim()
        .trim_matches(['"', '\'']);
    let mut name = family.to_string();
    if f.bold {
        name.push_str(" Bold");
    }
    if f.italic {
        name.push_str(" Italic");
    }
    name
}

/// A glyph font name read back: (family, bold, italic).
pub fn parse_font_name(name: &str) -> (String, bool, bool) {
    let mut family = name.trim();
    let mut bold = false;
    let mut italic = false;
    loop {
        if let Some(f) = family.strip_suffix(" Bold") {
            (family, bold) = (f, true);
        } else if let Some(f) = family
            .strip_suffix(" Italic")
            .or_else(|| family.strip_suffix(" Oblique"))
        {
            (family, italic) = (f, true);
        } else {
            return (family.to_string(), bold, italic);
        }
    }
}

/// A TextSymbolizer as a symbol layer's text: the label parts, font,
/// colours, halo and placement.
fn label(l: &mut Value, t: &TextSymbolizer) {
    let parts: Vec<Value> = t
        .label
        .iter()
        .map(|p| match p {
            LabelPart::Text(s) => json!(s),
            LabelPart::Property(name) => json!(["to-string", ["coalesce", ["get", name], ""]]),
        })
        .collect();
    let field = match parts.as_slice() {
        [one] => one.clone(),
        _ => json!(["concat"].into_iter().map(Value::from).chain(parts).collect::<Vec<_>>()),
    };
    let size = t.font.size.max(1.0);
    let mut layout = json!({
        "text-field": field,
        "text-font": [font_name(&t.font)],
        "text-size": size,
    });
    match &t.placement {
        LabelPlacement::Point {
            anchor,
            displacement,
            rotation,
        } => {
            let x = if anchor.0 < 0.25 {
                "left"
            } else if anchor.0 > 0.75 {
                "right"
            } else {
                ""
            };
            let y = if anchor.1 < 0.25 {
                "bottom"
            } else if anchor.1 > 0.75 {
                "top"
            } else {
                ""
            };
            let anchor = match (y, x) {
                ("", "") => "center".to_string(),
                ("", x) => x.to_string(),
                (y, "") => y.to_string(),
                (y, x) => format!("{y}-{x}"),
            };
            layout["text-anchor"] = json!(anchor);
            // SE displacements are in pixels, y up; MapLibre offsets in ems, y down.
            layout["text-offset"] = json!([displacement.0 / size, -displacement.1 / size]);
            layout["text-rotate"] = json!(rotation);
        }
        LabelPlacement::Line { perpendicular_offset } => {
            layout["symbol-placement"] = json!("line");
            layout["text-offset"] = json!([0.0, -perpendicular_offset / size]);
        }
    }
    l["layout"] = layout;
    let mut paint = json!({"text-color": css(t.fill.color)});
    if let Some(h) = &t.halo {
        paint["text-halo-color"] = json!(css(h.fill.color));
        paint["text-halo-width"] = json!(h.radius);
    }
    l["paint"] = paint;
}

/// The zoom range of a rule within its layer's, `None` for unbounded ends.
fn zoom_range(rule: &Rule, t: &Target) -> (Option<f64>, Option<f64>) {
    let max_scale = [rule.max_scale, t.max_scale].into_iter().flatten().reduce(f64::min);
    let min_scale = [rule.min_scale, t.min_scale].into_iter().flatten().reduce(f64::max);
    let round = |z: f64| (z * 1000.0).round() / 1000.0;
    (
        max_scale.map(|s| round(zoom_for_scale(s)).max(0.0)),
        min_scale.map(|s| round(zoom_for_scale(s)).min(24.0)),
    )
}

fn all(a: Value, b: Option<&Value>) -> Value {
    match b {
        Some(b) => json!(["all", a, b]),
        None => a,
    }
}

fn line_paint(l: &mut Value, s: &Stroke) {
    let mut paint = json!({"line-color": css(s.color), "line-width": s.width});
    if !s.dasharray.is_empty() && s.width > 0.0 {
        // MapLibre counts dashes in line widths.
        let dashes: Vec<f32> = s.dasharray.iter().map(|d| d / s.width).collect();
        paint["line-dasharray"] = json!(dashes);
    }
    l["paint"] = paint;
    let join = match s.join {
        super::LineJoin::Miter => "miter",
        super::LineJoin::Round => "round",
        super::LineJoin::Bevel => "bevel",
    };
    let cap = match s.cap {
        super::LineCap::Butt => "butt",
        super::LineCap::Round => "round",
        super::LineCap::Square => "square",
    };
    l["layout"] = json!({"line-join": join, "line-cap": cap});
}

fn css(c: Color) -> String {
    if c.a == 255 {
        format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
    } else {
        format!(
            "rgba({},{},{},{})",
            c.r,
            c.g,
            c.b,
            (c.a as f64 / 255.0 * 1000.0).round() / 1000.0
        )
    }
}

/// A numeric parameter as a MapLibre expression.
fn param(p: &Param) -> Value {
    match p {
        Param::Literal(v) => json!(v),
        Param::Property(name) => json!(["to-number", ["get", name], 0]),
        Param::Categorize {
            property,
            values,
            thresholds,
            preceding,
            fallback,
        } => {
            // `step` gives values[k] from thresholds[k-1] on: the
            // succeeding convention; the preceding one moves each threshold
            // just past itself.
            let mut step = vec![
                json!("step"),
                json!(["to-number", ["get", property]]),
                json!(values.first().copied().unwrap_or(*fallback)),
            ];
            for (t, v) in thresholds.iter().zip(values.iter().skip(1)) {
                let t = if *preceding { t + t.abs().max(1.0) * 1e-9 } else { *t };
                step.push(json!(t));
                step.push(json!(v));
            }
            json!(["case", ["has", property], step, fallback])
        }
    }
}

/// The filter of a rule as MapLibre draws it: its own, or for an
/// ElseFilter, none of its group's others.
fn rule_filter(style: &Style, rule: &Rule) -> Option<Value> {
    if rule.else_filter {
        let mut any = vec![json!("any")];
        any.extend(
            style
                .rules
                .iter()
                .filter(|o| o.group == rule.group && !o.else_filter)
                .map(|o| o.filter.as_ref().map_or(json!(true), filter)),
        );
        return Some(json!(["!", any]));
    }
    rule.filter.as_ref().map(filter)
}

/// An SE filter as a MapLibre expression. Literals that read as numbers
/// compare as numbers, the others as text (as the renderer does).
pub fn filter(f: &Filter) -> Value {
    match f {
        Filter::Compare {
            op,
            property,
            literal,
            match_case,
        } => {
            let op = match op {
                CmpOp::Eq => "==",
                CmpOp::Ne => "!=",
                CmpOp::Lt => "<",
                CmpOp::Le => "<=",
                CmpOp::Gt => ">",
                CmpOp::Ge => ">=",
            };
            match literal.trim().parse::<f64>() {
                Ok(n) => json!(["all", ["has", property], [op, ["to-number", ["get", property]], n]]),
                Err(_) if *match_case => json!([
                    "all",
                    ["has", property],
                    [op, ["to-string", ["get", property]], literal]
                ]),
                Err(_) => json!([
                    "all",
                    ["has", property],
                    [
                        op,
                        ["downcase", ["to-string", ["get", property]]],
                        literal.to_lowercase()
                    ]
                ]),
            }
        }
        Filter::Like {
            property,
            pattern,
            wildcard,
            single,
            escape,
            match_case,
        } => like(property, pattern, *wildcard, *single, *escape, *match_case),
        Filter::IsNull(p) => json!(["!", ["has", p]]),
        Filter::Between { property, lower, upper } => {
            let value = json!(["to-number", ["get", property]]);
            let n = |s: &str| s.trim().parse::<f64>().unwrap_or(f64::NAN);
            json!([
                "all",
                ["has", property],
                [">=", value, n(lower)],
                ["<=", value, n(upper)]
            ])
        }
        Filter::And(fs) => json!(
            ["all"]
                .into_iter()
                .map(Value::from)
                .chain(fs.iter().map(filter))
                .collect::<Vec<_>>()
        ),
        Filter::Or(fs) => json!(
            ["any"]
                .into_iter()
                .map(Value::from)
                .chain(fs.iter().map(filter))
                .collect::<Vec<_>>()
        ),
        Filter::Not(f) => json!(["!", filter(f)]),
    }
}

/// LIKE as MapLibre expressions have it: an exact value, a prefix, a
/// suffix or a part (`abc%`, `%abc`, `%abc%`); a pattern with wildcards
/// elsewhere or a single-character one matches by its longest literal part.
fn like(property: &str, pattern: &str, wildcard: char, single: char, escape: char, match_case: bool) -> Value {
    let mut parts: Vec<String> = vec![String::new()];
    let mut chars = pattern.chars();
    let mut other_wildcards = false;
    while let Some(c) = chars.next() {
        if c == escape {
            if let Some(n) = chars.next() {
                parts.last_mut().expect("one part").push(n);
            }
        } else if c == wildcard {
            parts.push(String::new());
        } else if c == single {
            other_wildcards = true;
            parts.push(String::new());
        } else {
            parts.last_mut().expect("one part").push(c);
        }
    }
    let text = if match_case {
        json!(["to-string", ["get", property]])
    } else {
        json!(["downcase", ["to-string", ["get", property]]])
    };
    let case = |s: &str| if match_case { s.to_string() } else { s.to_lowercase() };
    let has = json!(["has", property]);
    let test = match parts.as_slice() {
        [exact] if !other_wildcards => json!(["==", text, case(exact)]),
        [prefix, rest] if !other_wildcards && rest.is_empty() => {
            json!(["==", ["slice", text, 0, prefix.chars().count()], case(prefix)])
        }
        [first, suffix] if !other_wildcards && first.is_empty() => {
            json!([
                "==",
                ["slice", text, ["-", ["length", text], suffix.chars().count()]],
                case(suffix)
            ])
        }
        _ => {
            let longest = parts
                .iter()
                .max_by_key(|p| p.chars().count())
                .cloned()
                .unwrap_or_default();
            json!(["in", case(&longest), text])
        }
    };
    json!(["all", has, test])
}
