//! Reads SLD 1.0 and SLD 1.1 / SE 1.1 style files into [`Style`].
//!
//! Element names are matched without their namespace prefix, so both the
//! `sld:`/`CssParameter` and the `se:`/`SvgParameter` spellings work. Every
//! element tuile does not implement is an error naming the file and line:
//! a style that silently draws less than it says is a defect.

use std::path::Path;

use super::*;
use crate::xml::Element;

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    fn err(&self, el: &Element, message: impl Into<String>) -> StyleError {
        StyleError {
            file: self.file.to_path_buf(),
            line: el.line,
            message: message.into(),
        }
    }

    fn unexpected(&self, parent: &Element, child: &Element) -> StyleError {
        self.err(
            child,
            format!("<{}> is not supported inside <{}>", child.name, parent.name),
        )
    }

    fn number(&self, el: &Element) -> Result<f32, StyleError> {
        let t = el.text();
        match t.parse::<f32>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(self.err(el, format!("<{}>: `{t}` is not a number", el.name))),
        }
    }
}

/// Reads one style file and prepares it for drawing.
pub fn load(path: &Path) -> Result<Style, StyleError> {
    let text = std::fs::read_to_string(path).map_err(|e| StyleError {
        file: path.to_path_buf(),
        line: 0,
        message: format!("cannot read the style: {e}"),
    })?;
    let mut style = parse(&text, path)?;
    prepare::prepare(&mut style, path)?;
    Ok(style)
}

/// Parses SLD text, reading no file; `path` is only used in error messages.
pub fn parse(text: &str, path: &Path) -> Result<Style, StyleError> {
    let root = Element::parse(text).map_err(|e| StyleError {
        file: path.to_path_buf(),
        line: e.line,
        message: e.message,
    })?;
    let cx = Ctx { file: path };
    if root.name != "StyledLayerDescriptor" {
        return Err(cx.err(
            &root,
            format!("expected <StyledLayerDescriptor>, found <{}>", root.name),
        ));
    }
    let mut style = None;
    for child in root.elements() {
        match child.name.as_str() {
            "Name" | "Title" | "Abstract" | "Description" => {}
            "NamedLayer" => {
                if style.is_some() {
                    return Err(cx.err(child, "one <NamedLayer> per style file"));
                }
                style = Some(named_layer(&cx, child)?);
            }
            _ => return Err(cx.unexpected(&root, child)),
        }
    }
    style.ok_or_else(|| cx.err(&root, "no <NamedLayer> with a <UserStyle>"))
}

fn named_layer(cx: &Ctx, el: &Element) -> Result<Style, StyleError> {
    let mut style = None;
    for child in el.elements() {
        match child.name.as_str() {
            "Name" | "Description" => {}
            "UserStyle" => {
                if style.is_some() {
                    return Err(cx.err(child, "one <UserStyle> per style file"));
                }
                style = Some(user_style(cx, child)?);
            }
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    style.ok_or_else(|| cx.err(el, "no <UserStyle>"))
}

/// Title and abstract, from SE `<Description>` or SLD 1.0 direct children.
fn description(el: &Element) -> (Option<String>, Option<String>) {
    let from = el.child("Description").unwrap_or(el);
    (
        from.child("Title").map(Element::text).filter(|t| !t.is_empty()),
        from.child("Abstract").map(Element::text).filter(|t| !t.is_empty()),
    )
}

fn user_style(cx: &Ctx, el: &Element) -> Result<Style, StyleError> {
    let name = el
        .child("Name")
        .map(Element::text)
        .filter(|n| !n.is_empty())
        .ok_or_else(|| cx.err(el, "<UserStyle> needs a <Name>"))?;
    let (title, abstract_) = description(el);
    let mut rules = Vec::new();
    let mut group = 0;
    for child in el.elements() {
        match child.name.as_str() {
            "Name" | "Description" | "Title" | "Abstract" | "IsDefault" => {}
            "FeatureTypeStyle" => {
                group += 1;
                for fts_child in child.elements() {
                    match fts_child.name.as_str() {
                        "Name"
                        | "Description"
                        | "Title"
                        | "Abstract"
                        | "FeatureTypeName"
                        | "SemanticTypeIdentifier" => {}
                        "Rule" => rules.push(rule(cx, fts_child, group - 1)?),
                        _ => return Err(cx.unexpected(child, fts_child)),
                    }
                }
            }
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    if rules.is_empty() {
        return Err(cx.err(el, "the style has no <Rule>"));
    }
    Ok(Style {
        title: title.unwrap_or_else(|| name.clone()),
        name,
        abstract_,
        rules,
    })
}

fn rule(cx: &Ctx, el: &Element, group: usize) -> Result<Rule, StyleError> {
    let (title, _) = description(el);
    let mut rule = Rule {
        group,
        name: el.child("Name").map(Element::text),
        title,
        filter: None,
        else_filter: false,
        min_scale: None,
        max_scale: None,
        symbolizers: Vec::new(),
    };
    for child in el.elements() {
        match child.name.as_str() {
            "Name" | "Description" | "Title" | "Abstract" => {}
            "Filter" => {
                let mut inner = child.elements();
                let (Some(f), None) = (inner.next(), inner.next()) else {
                    return Err(cx.err(child, "<Filter> holds exactly one operator"));
                };
                rule.filter = Some(filter(cx, f)?);
            }
            "ElseFilter" => rule.else_filter = true,
            "MinScaleDenominator" => rule.min_scale = Some(cx.number(child)? as f64),
            "MaxScaleDenominator" => rule.max_scale = Some(cx.number(child)? as f64),
            "PolygonSymbolizer" => rule.symbolizers.push(Symbolizer::Polygon(polygon(cx, child)?)),
            "LineSymbolizer" => rule.symbolizers.push(Symbolizer::Line(line(cx, child)?)),
            "PointSymbolizer" => rule.symbolizers.push(Symbolizer::Point(point(cx, child)?)),
            "TextSymbolizer" => rule.symbolizers.push(Symbolizer::Text(text(cx, child)?)),
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    if rule.filter.is_some() && rule.else_filter {
        return Err(cx.err(el, "a rule has a <Filter> or an <ElseFilter>, not both"));
    }
    if let (Some(min), Some(max)) = (rule.min_scale, rule.max_scale)
        && min >= max
    {
        return Err(cx.err(
            el,
            format!("MinScaleDenominator {min} is not below MaxScaleDenominator {max}"),
        ));
    }
    Ok(rule)
}

fn check_uom(cx: &Ctx, el: &Element) -> Result<(), StyleError> {
    match el.attr("uom") {
        None | Some("http://www.opengeospatial.org/se/units/pixel") => Ok(()),
        Some(u) => Err(cx.err(el, format!("uom `{u}` is not supported; sizes are in pixels"))),
    }
}

fn polygon(cx: &Ctx, el: &Element) -> Result<PolygonSymbolizer, StyleError> {
    check_uom(cx, el)?;
    let mut s = PolygonSymbolizer {
        fill: None,
        stroke: None,
    };
    for child in el.elements() {
        match child.name.as_str() {
            "Fill" => s.fill = Some(fill(cx, child)?),
            "Stroke" => s.stroke = Some(stroke(cx, child)?),
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    Ok(s)
}

fn line(cx: &Ctx, el: &Element) -> Result<LineSymbolizer, StyleError> {
    check_uom(cx, el)?;
    let mut stroke_found = None;
    for child in el.elements() {
        match child.name.as_str() {
            "Stroke" => stroke_found = Some(stroke(cx, child)?),
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    Ok(LineSymbolizer {
        stroke: stroke_found.ok_or_else(|| cx.err(el, "<LineSymbolizer> needs a <Stroke>"))?,
    })
}

/// The `(name, element)` pairs of `SvgParameter`/`CssParameter` children.
fn parameters<'a>(cx: &Ctx, el: &'a Element) -> Result<Vec<(String, &'a Element)>, StyleError> {
    let mut out = Vec::new();
    for child in el.elements() {
        match child.name.as_str() {
            "SvgParameter" | "CssParameter" => {
                let name = child
                    .attr("name")
                    .ok_or_else(|| cx.err(child, "parameter without a name"))?;
                if child.elements().next().is_some() {
                    return Err(cx.err(child, "only literal parameter values are supported"));
                }
                out.push((name.to_string(), child));
            }
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    Ok(out)
}

fn color(cx: &Ctx, el: &Element) -> Result<Color, StyleError> {
    let t = el.text();
    Color::parse_hex(&t).ok_or_else(|| cx.err(el, format!("`{t}` is not a #RRGGBB colour")))
}

fn opacity(cx: &Ctx, el: &Element) -> Result<f32, StyleError> {
    let v = cx.number(el)?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(cx.err(el, format!("opacity {v} is not between 0 and 1")))
    }
}

fn fill(cx: &Ctx, el: &Element) -> Result<Fill, StyleError> {
    let mut c = Color::GRAY;
    let mut op = 1.0;
    for (name, p) in parameters(cx, el)? {
        match name.as_str() {
            "fill" => c = color(cx, p)?,
            "fill-opacity" => op = opacity(cx, p)?,
            _ => return Err(cx.err(p, format!("unknown fill parameter `{name}`"))),
        }
    }
    Ok(Fill {
        color: c.with_opacity(op),
    })
}

fn stroke(cx: &Ctx, el: &Element) -> Result<Stroke, StyleError> {
    let mut s = Stroke::default();
    let mut op = 1.0;
    for (name, p) in parameters(cx, el)? {
        match name.as_str() {
            "stroke" => s.color = color(cx, p)?,
            "stroke-opacity" => op = opacity(cx, p)?,
            "stroke-width" => {
                s.width = cx.number(p)?;
                if s.width < 0.0 {
                    return Err(cx.err(p, "stroke-width is negative"));
                }
            }
            "stroke-dasharray" => {
                let t = p.text();
                s.dasharray = t
                    .split([' ', ','])
                    .filter(|v| !v.is_empty())
                    .map(|v| v.parse::<f32>().ok().filter(|v| *v >= 0.0 && v.is_finite()))
                    .collect::<Option<Vec<f32>>>()
                    .filter(|d| !d.is_empty() && d.iter().any(|v| *v > 0.0))
                    .ok_or_else(|| cx.err(p, format!("`{t}` is not a dash array")))?;
            }
            "stroke-linejoin" => {
                s.join = match p.text().as_str() {
                    "miter" | "mitre" => LineJoin::Miter,
                    "round" => LineJoin::Round,
                    "bevel" => LineJoin::Bevel,
                    other => return Err(cx.err(p, format!("unknown line join `{other}`"))),
                }
            }
            "stroke-linecap" => {
                s.cap = match p.text().as_str() {
                    "butt" => LineCap::Butt,
                    "round" => LineCap::Round,
                    "square" => LineCap::Square,
                    other => return Err(cx.err(p, format!("unknown line cap `{other}`"))),
                }
            }
            _ => return Err(cx.err(p, format!("unknown stroke parameter `{name}`"))),
        }
    }
    s.color = s.color.with_opacity(op);
    Ok(s)
}

fn point(cx: &Ctx, el: &Element) -> Result<PointSymbolizer, StyleError> {
    check_uom(cx, el)?;
    let mut g = None;
    for child in el.elements() {
        match child.name.as_str() {
            "Graphic" => g = Some(graphic(cx, child)?),
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    Ok(PointSymbolizer {
        graphic: g.ok_or_else(|| cx.err(el, "<PointSymbolizer> needs a <Graphic>"))?,
    })
}

fn graphic(cx: &Ctx, el: &Element) -> Result<Graphic, StyleError> {
    let mut symbol = None;
    let mut size = Param::Literal(6.0);
    let mut rotation = 0.0;
    let mut op = 1.0;
    for child in el.elements() {
        match child.name.as_str() {
            "Mark" if symbol.is_none() => symbol = Some(mark(cx, child)?),
            "ExternalGraphic" if symbol.is_none() => symbol = Some((child, None)),
            "Mark" | "ExternalGraphic" => {
                return Err(cx.err(child, "only the first Mark or ExternalGraphic would be drawn; keep one"));
            }
            "Size" => {
                size = param(cx, child)?;
                if size.max() <= 0.0 {
                    return Err(cx.err(child, "a graphic size must be positive"));
                }
            }
            "Rotation" => rotation = cx.number(child)?,
            "Opacity" => op = opacity(cx, child)?,
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    let symbol = match symbol {
        Some((_, Some(mark))) => mark,
        Some((ext, None)) => external_graphic(cx, ext)?,
        None => GraphicSymbol::Mark {
            shape: WellKnownMark::Square,
            fill: Some(Fill { color: Color::GRAY }),
            stroke: None,
        },
    };
    Ok(Graphic {
        symbol,
        size,
        rotation,
        opacity: op,
    })
}

/// A numeric parameter: a literal, a PropertyName, or an SE Categorize.
fn param(cx: &Ctx, el: &Element) -> Result<Param, StyleError> {
    let mut children = el.elements();
    let Some(inner) = children.next() else {
        return cx.number(el).map(Param::Literal);
    };
    if children.next().is_some() || !el.text().is_empty() {
        return Err(cx.err(el, format!("<{}> holds one literal or one expression", el.name)));
    }
    match inner.name.as_str() {
        "PropertyName" => Ok(Param::Property(inner.text())),
        "Literal" => cx.number(inner).map(Param::Literal),
        "Categorize" => {
            let fallback = match inner.attr("fallbackValue") {
                Some(v) => v
                    .trim()
                    .parse::<f32>()
                    .map_err(|_| cx.err(inner, format!("fallbackValue `{v}` is not a number")))?,
                None => 0.0,
            };
            let preceding = match inner.attr("threshholdsBelongTo").or(inner.attr("thresholdsBelongTo")) {
                None | Some("succeeding") => false,
                Some("preceding") => true,
                Some(other) => {
                    return Err(cx.err(
                        inner,
                        format!("threshholdsBelongTo `{other}` is not preceding or succeeding"),
                    ));
                }
            };
            let mut property = None;
            let (mut values, mut thresholds) = (Vec::new(), Vec::new());
            for c in inner.elements() {
                match c.name.as_str() {
                    "LookupValue" => property = c.child("PropertyName").map(Element::text),
                    "Value" => values.push(cx.number(c)?),
                    "Threshold" => thresholds.push(cx.number(c)? as f64),
                    _ => return Err(cx.unexpected(inner, c)),
                }
            }
            let property = property.ok_or_else(|| cx.err(inner, "<Categorize> needs <LookupValue><PropertyName>"))?;
            if values.len() != thresholds.len() + 1 {
                return Err(cx.err(inner, "<Categorize> needs one more Value than Thresholds"));
            }
            if thresholds.windows(2).any(|w| w[0] >= w[1]) {
                return Err(cx.err(inner, "<Categorize> thresholds must increase"));
            }
            Ok(Param::Categorize {
                property,
                values,
                thresholds,
                preceding,
                fallback,
            })
        }
        other => Err(cx.err(
            inner,
            format!(
                "<{other}> is not supported in <{}>; use a literal, PropertyName or Categorize",
                el.name
            ),
        )),
    }
}

fn mark<'a>(cx: &Ctx, el: &'a Element) -> Result<(&'a Element, Option<GraphicSymbol>), StyleError> {
    let mut shape = WellKnownMark::Square;
    let mut f = None;
    let mut s = None;
    for child in el.elements() {
        match child.name.as_str() {
            "WellKnownName" => {
                shape = match child.text().to_ascii_lowercase().as_str() {
                    "circle" => WellKnownMark::Circle,
                    "square" => WellKnownMark::Square,
                    "triangle" => WellKnownMark::Triangle,
                    "star" => WellKnownMark::Star,
                    "cross" => WellKnownMark::Cross,
                    "x" => WellKnownMark::X,
                    other => {
                        return Err(cx.err(
                            child,
                            format!("unknown mark `{other}`; use circle, square, triangle, star, cross or x"),
                        ));
                    }
                }
            }
            "Fill" => f = Some(fill(cx, child)?),
            "Stroke" => s = Some(stroke(cx, child)?),
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    Ok((
        el,
        Some(GraphicSymbol::Mark {
            shape,
            fill: f,
            stroke: s,
        }),
    ))
}

fn external_graphic(cx: &Ctx, el: &Element) -> Result<GraphicSymbol, StyleError> {
    let mut href = None;
    let mut format = None;
    for child in el.elements() {
        match child.name.as_str() {
            "OnlineResource" => {
                href = child.attr("href").map(str::to_string);
            }
            "Format" => format = Some(child.text()),
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    let href = href.ok_or_else(|| cx.err(el, "<ExternalGraphic> needs an <OnlineResource xlink:href>"))?;
    let local = href.strip_prefix("file://").unwrap_or(&href);
    if local.contains("://") {
        return Err(cx.err(el, format!("`{href}`: only local files are read, never the network")));
    }
    let format = format.filter(|f| !f.is_empty());
    if let Some(f) = format.as_deref()
        && f != "image/png"
        && f != "image/svg+xml"
    {
        return Err(cx.err(el, format!("external graphic format `{f}` is not supported")));
    }
    Ok(GraphicSymbol::External(ExternalGraphic {
        href,
        format,
        line: el.line,
        picture: None,
    }))
}

fn text(cx: &Ctx, el: &Element) -> Result<TextSymbolizer, StyleError> {
    check_uom(cx, el)?;
    let mut t = TextSymbolizer::default();
    t.font.line = el.line;
    for child in el.elements() {
        match child.name.as_str() {
            "Label" => t.label = label(cx, child)?,
            "Font" => {
                t.font.line = child.line;
                for (name, p) in parameters(cx, child)? {
                    match name.as_str() {
                        "font-family" => t.font.family = p.text(),
                        "font-size" => {
                            t.font.size = cx.number(p)?;
                            if t.font.size <= 0.0 {
                                return Err(cx.err(p, "font-size must be positive"));
                            }
                        }
                        "font-style" => t.font.italic = matches!(p.text().as_str(), "italic" | "oblique"),
                        "font-weight" => t.font.bold = p.text() == "bold",
                        _ => return Err(cx.err(p, format!("unknown font parameter `{name}`"))),
                    }
                }
            }
            "Fill" => t.fill = fill(cx, child)?,
            "Halo" => {
                let mut radius = 1.0;
                let mut f = Fill { color: Color::WHITE };
                for h in child.elements() {
                    match h.name.as_str() {
                        "Radius" => radius = cx.number(h)?,
                        "Fill" => f = fill(cx, h)?,
                        _ => return Err(cx.unexpected(child, h)),
                    }
                }
                t.halo = Some(Halo { radius, fill: f });
            }
            "LabelPlacement" => t.placement = placement(cx, child)?,
            _ => return Err(cx.unexpected(el, child)),
        }
    }
    if t.label.is_empty() {
        return Err(cx.err(el, "<TextSymbolizer> needs a <Label>"));
    }
    Ok(t)
}

fn label(cx: &Ctx, el: &Element) -> Result<Vec<LabelPart>, StyleError> {
    let mut parts = Vec::new();
    for node in &el.children {
        match node {
            crate::xml::Node::Text(s) => {
                // Whitespace between elements is layout, except single spaces
                // that separate two property names (`numero rep`).
                if !s.trim().is_empty() {
                    parts.push(LabelPart::Text(s.trim().to_string()));
                } else if s.contains(' ') && !s.contains('\n') {
                    parts.push(LabelPart::Text(" ".into()));
                }
            }
            crate::xml::Node::Element(e) => match e.name.as_str() {
                "PropertyName" => parts.push(LabelPart::Property(e.text())),
                "Literal" => parts.push(LabelPart::Text(e.text())),
                _ => return Err(cx.unexpected(el, e)),
            },
        }
    }
    Ok(parts)
}

fn pair(cx: &Ctx, el: &Element, x: &str, y: &str) -> Result<(f32, f32), StyleError> {
    let get = |n: &str| -> Result<f32, StyleError> {
        el.child(n)
            .map(|c| cx.number(c))
            .unwrap_or(Err(cx.err(el, format!("<{}> needs <{n}>", el.name))))
    };
    Ok((get(x)?, get(y)?))
}

fn placement(cx: &Ctx, el: &Element) -> Result<LabelPlacement, StyleError> {
    let mut inner = el.elements();
    let (Some(p), None) = (inner.next(), inner.next()) else {
        return Err(cx.err(el, "<LabelPlacement> holds one PointPlacement or LinePlacement"));
    };
    match p.name.as_str() {
        "PointPlacement" => {
            let mut anchor = (0.5, 0.5);
            let mut displacement = (0.0, 0.0);
            let mut rotation = 0.0;
            for c in p.elements() {
                match c.name.as_str() {
                    "AnchorPoint" => anchor = pair(cx, c, "AnchorPointX", "AnchorPointY")?,
                    "Displacement" => displacement = pair(cx, c, "DisplacementX", "DisplacementY")?,
                    "Rotation" => rotation = cx.number(c)?,
                    _ => return Err(cx.unexpected(p, c)),
                }
            }
            Ok(LabelPlacement::Point {
                anchor,
                displacement,
                rotation,
            })
        }
        "LinePlacement" => {
            let mut perpendicular_offset = 0.0;
            for c in p.elements() {
                match c.name.as_str() {
                    "PerpendicularOffset" => perpendicular_offset = cx.number(c)?,
                    "IsAligned" | "GeneralizeLine" => {}
                    _ => return Err(cx.unexpected(p, c)),
                }
            }
            Ok(LabelPlacement::Line { perpendicular_offset })
        }
        _ => Err(cx.unexpected(el, p)),
    }
}

fn filter(cx: &Ctx, el: &Element) -> Result<Filter, StyleError> {
    let binary = |op: CmpOp| -> Result<Filter, StyleError> {
        let (property, literal) = property_and_literal(cx, el)?;
        Ok(Filter::Compare {
            op,
            property,
            literal,
            match_case: el.attr("matchCase") != Some("false"),
        })
    };
    let children = |min: usize| -> Result<Vec<Filter>, StyleError> {
        let fs = el.elements().map(|c| filter(cx, c)).collect::<Result<Vec<_>, _>>()?;
        if fs.len() < min {
            return Err(cx.err(el, format!("<{}> needs at least {min} operands", el.name)));
        }
        Ok(fs)
    };
    match el.name.as_str() {
        "PropertyIsEqualTo" => binary(CmpOp::Eq),
        "PropertyIsNotEqualTo" => binary(CmpOp::Ne),
        "PropertyIsLessThan" => binary(CmpOp::Lt),
        "PropertyIsLessThanOrEqualTo" => binary(CmpOp::Le),
        "PropertyIsGreaterThan" => binary(CmpOp::Gt),
        "PropertyIsGreaterThanOrEqualTo" => binary(CmpOp::Ge),
        "PropertyIsLike" => {
            let (property, pattern) = property_and_literal(cx, el)?;
            let ch = |names: &[&str], default: char| -> Result<char, StyleError> {
                match names.iter().find_map(|n| el.attr(n)) {
                    None => Ok(default),
                    Some(v) if v.chars().count() == 1 => Ok(v.chars().next().unwrap()),
                    Some(v) => Err(cx.err(el, format!("`{v}` must be a single character"))),
                }
            };
            Ok(Filter::Like {
                property,
                pattern,
                wildcard: ch(&["wildCard"], '*')?,
                single: ch(&["singleChar"], '?')?,
                escape: ch(&["escapeChar", "escape"], '\\')?,
                match_case: el.attr("matchCase") != Some("false"),
            })
        }
        "PropertyIsNull" => {
            let p = el
                .child("PropertyName")
                .ok_or_else(|| cx.err(el, "<PropertyIsNull> needs a <PropertyName>"))?;
            Ok(Filter::IsNull(p.text()))
        }
        "PropertyIsBetween" => {
            let p = el
                .child("PropertyName")
                .ok_or_else(|| cx.err(el, "<PropertyIsBetween> needs a <PropertyName>"))?;
            let bound = |n: &str| -> Result<String, StyleError> {
                el.child(n)
                    .and_then(|b| b.child("Literal"))
                    .map(Element::text)
                    .ok_or_else(|| cx.err(el, format!("<PropertyIsBetween> needs <{n}><Literal>")))
            };
            Ok(Filter::Between {
                property: p.text(),
                lower: bound("LowerBoundary")?,
                upper: bound("UpperBoundary")?,
            })
        }
        "And" => Ok(Filter::And(children(2)?)),
        "Or" => Ok(Filter::Or(children(2)?)),
        "Not" => {
            let mut fs = children(1)?;
            if fs.len() != 1 {
                return Err(cx.err(el, "<Not> takes one operand"));
            }
            Ok(Filter::Not(Box::new(fs.remove(0))))
        }
        other => Err(cx.err(el, format!("filter operator <{other}> is not supported"))),
    }
}

fn property_and_literal(cx: &Ctx, el: &Element) -> Result<(String, String), StyleError> {
    let mut property = None;
    let mut literal = None;
    for c in el.elements() {
        match c.name.as_str() {
            "PropertyName" if property.is_none() => property = Some(c.text()),
            "Literal" if literal.is_none() => literal = Some(c.text()),
            _ => {
                return Err(cx.err(c, format!("<{}>: expected one PropertyName and one Literal", el.name)));
            }
        }
    }
    match (property, literal) {
        (Some(p), Some(l)) if !p.is_empty() => Ok((p, l)),
        _ => Err(cx.err(el, format!("<{}> needs a PropertyName and a Literal", el.name))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sld(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.1.0" xmlns="http://www.opengis.net/sld"
  xmlns:se="http://www.opengis.net/se" xmlns:ogc="http://www.opengis.net/ogc">
 <NamedLayer><se:Name>t</se:Name>
  <UserStyle><se:Name>s</se:Name>
   <se:Description><se:Title>Le style</se:Title></se:Description>
   <se:FeatureTypeStyle>
{body}
   </se:FeatureTypeStyle>
  </UserStyle>
 </NamedLayer>
</StyledLayerDescriptor>"#
        )
    }

    /// Parsed, then prepared as `load` does.
    fn prepared(text: &str, path: &Path) -> Result<Style, StyleError> {
        let mut style = parse(text, path)?;
        prepare::prepare(&mut style, path)?;
        Ok(style)
    }

    #[test]
    fn parses_rules_filters_and_symbolizers() {
        let text = sld(r##"
    <se:Rule><se:Name>bati</se:Name>
     <ogc:Filter><ogc:PropertyIsEqualTo><ogc:PropertyName>code_cs</ogc:PropertyName><ogc:Literal>CS1.1.1.1</ogc:Literal></ogc:PropertyIsEqualTo></ogc:Filter>
     <se:MaxScaleDenominator>50000</se:MaxScaleDenominator>
     <se:PolygonSymbolizer>
      <se:Fill><se:SvgParameter name="fill">#ff377a</se:SvgParameter><se:SvgParameter name="fill-opacity">0.5</se:SvgParameter></se:Fill>
      <se:Stroke><se:SvgParameter name="stroke">#000000</se:SvgParameter><se:SvgParameter name="stroke-dasharray">4 2</se:SvgParameter></se:Stroke>
     </se:PolygonSymbolizer>
    </se:Rule>
    <se:Rule><se:ElseFilter/>
     <se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>star</se:WellKnownName></se:Mark><se:Size>12</se:Size></se:Graphic></se:PointSymbolizer>
     <se:TextSymbolizer><se:Label><ogc:PropertyName>numero</ogc:PropertyName> <ogc:PropertyName>rep</ogc:PropertyName></se:Label>
      <se:Halo><se:Radius>1.5</se:Radius></se:Halo></se:TextSymbolizer>
    </se:Rule>"##);
        let s = parse(&text, Path::new("t.sld")).unwrap();
        assert_eq!(s.name, "s");
        assert_eq!(s.title, "Le style");
        assert_eq!(s.rules.len(), 2);
        assert_eq!(s.rules[0].max_scale, Some(50000.0));
        let Symbolizer::Polygon(p) = &s.rules[0].symbolizers[0] else {
            panic!()
        };
        assert_eq!(
            p.fill.as_ref().unwrap().color,
            Color {
                r: 255,
                g: 55,
                b: 122,
                a: 128
            }
        );
        assert_eq!(p.stroke.as_ref().unwrap().dasharray, vec![4.0, 2.0]);
        assert!(s.rules[1].else_filter);
        let Symbolizer::Text(t) = &s.rules[1].symbolizers[1] else {
            panic!()
        };
        assert_eq!(
            t.label,
            vec![
                LabelPart::Property("numero".into()),
                LabelPart::Text(" ".into()),
                LabelPart::Property("rep".into())
            ]
        );
        assert_eq!(s.referenced_properties(), vec!["code_cs", "numero", "rep"]);
    }

    #[test]
    fn unknown_elements_and_bad_values_name_the_line() {
        let text = sld(
            "    <se:Rule>\n     <se:PolygonSymbolizer><se:Fill><se:SvgParameter name=\"fill\">rouge</se:SvgParameter></se:Fill></se:PolygonSymbolizer>\n    </se:Rule>",
        );
        let e = parse(&text, Path::new("styles/x.sld")).unwrap_err();
        assert_eq!(e.line, 9, "{e}");
        assert!(e.to_string().starts_with("styles/x.sld:9:"), "{e}");
        assert!(e.message.contains("rouge"));

        let text = sld("    <se:Rule><se:Bogus/></se:Rule>");
        let e = parse(&text, Path::new("x.sld")).unwrap_err();
        assert!(e.message.contains("<Bogus>"), "{e}");

        let text = sld(
            "    <se:Rule><se:PointSymbolizer><se:Graphic><se:Mark><se:WellKnownName>hexagon</se:WellKnownName></se:Mark></se:Graphic></se:PointSymbolizer></se:Rule>",
        );
        assert!(
            parse(&text, Path::new("x.sld"))
                .unwrap_err()
                .message
                .contains("hexagon")
        );
    }

    #[test]
    fn sld_1_0_css_parameters_work() {
        let text = r##"<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc">
<NamedLayer><Name>erp</Name><UserStyle><Name>default</Name><Title>ERP</Title>
<FeatureTypeStyle><Rule><Title>Tous</Title>
<ogc:Filter><ogc:And>
 <ogc:PropertyIsLike wildCard="%" singleChar="_" escape="!"><ogc:PropertyName>nom</ogc:PropertyName><ogc:Literal>Ecole%</ogc:Literal></ogc:PropertyIsLike>
 <ogc:Not><ogc:PropertyIsNull><ogc:PropertyName>type_erp</ogc:PropertyName></ogc:PropertyIsNull></ogc:Not>
</ogc:And></ogc:Filter>
<LineSymbolizer><Stroke><CssParameter name="stroke">#00f</CssParameter><CssParameter name="stroke-width">2</CssParameter></Stroke></LineSymbolizer>
</Rule></FeatureTypeStyle></UserStyle></NamedLayer></StyledLayerDescriptor>"##;
        let s = parse(text, Path::new("x.sld")).unwrap();
        assert_eq!(s.title, "ERP");
        assert_eq!(s.rules[0].title.as_deref(), Some("Tous"));
        let Some(Filter::And(parts)) = &s.rules[0].filter else {
            panic!()
        };
        assert!(matches!(
            &parts[0],
            Filter::Like {
                wildcard: '%',
                escape: '!',
                ..
            }
        ));
    }

    #[test]
    fn categorize_sizes_and_external_pictures() {
        let dir = std::env::temp_dir().join(format!("tuile-sld-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("icon.svg"),
            r##"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10" fill="#ff0000"/></svg>"##,
        )
        .unwrap();
        let mut png = Vec::new();
        image::RgbaImage::from_pixel(8, 8, image::Rgba([0, 255, 0, 255]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        std::fs::write(dir.join("icon.png"), png).unwrap();
        let graphic = |inner: &str| {
            sld(&format!(
                r#"<se:Rule><se:PointSymbolizer><se:Graphic>{inner}
                 <se:Size><se:Categorize fallbackValue="8"><se:LookupValue><ogc:PropertyName>cat</ogc:PropertyName></se:LookupValue>
                 <se:Value>16</se:Value><se:Threshold>2</se:Threshold><se:Value>10</se:Value></se:Categorize></se:Size>
                 </se:Graphic></se:PointSymbolizer></se:Rule>"#
            ))
        };
        for (file, format, rgb) in [
            ("icon.svg", "image/svg+xml", [255, 0, 0]),
            ("icon.png", "image/png", [0, 255, 0]),
        ] {
            let text = graphic(&format!(
                r#"<se:ExternalGraphic><se:OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="{file}"/><se:Format>{format}</se:Format></se:ExternalGraphic>"#
            ));
            let s = prepared(&text, &dir.join("style.sld")).unwrap();
            let Symbolizer::Point(p) = &s.rules[0].symbolizers[0] else {
                panic!()
            };
            assert_eq!(p.graphic.size.max(), 16.0);
            let GraphicSymbol::External(ext) = &p.graphic.symbol else {
                panic!()
            };
            let img = ext.picture.as_ref().unwrap();
            assert_eq!(img.height, 16, "rasterised at the largest size");
            let px = &img.rgba[(8 * img.width as usize + 8) * 4..][..4];
            assert_eq!(&px[..3], &rgb, "{file}");
        }
        let missing = graphic(
            r#"<se:ExternalGraphic><se:OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="nope.png"/></se:ExternalGraphic>"#,
        );
        assert!(
            prepared(&missing, &dir.join("style.sld"))
                .unwrap_err()
                .message
                .contains("nope.png")
        );
        let remote = graphic(
            r#"<se:ExternalGraphic><se:OnlineResource xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="http://example.org/x.png"/></se:ExternalGraphic>"#,
        );
        assert!(
            parse(&remote, &dir.join("style.sld"))
                .unwrap_err()
                .message
                .contains("never the network")
        );
        let bad = sld(
            r#"<se:Rule><se:PointSymbolizer><se:Graphic><se:Size><se:Categorize><se:LookupValue><ogc:PropertyName>cat</ogc:PropertyName></se:LookupValue><se:Value>1</se:Value></se:Categorize></se:Size></se:Graphic></se:PointSymbolizer></se:Rule>"#,
        );
        assert!(
            parse(&bad, Path::new("x.sld")).is_ok(),
            "one value and no threshold is a constant"
        );
        let bad = sld(
            r#"<se:Rule><se:PointSymbolizer><se:Graphic><se:Size><se:Categorize><se:LookupValue><ogc:PropertyName>cat</ogc:PropertyName></se:LookupValue><se:Value>1</se:Value><se:Threshold>2</se:Threshold></se:Categorize></se:Size></se:Graphic></se:PointSymbolizer></se:Rule>"#,
        );
        assert!(
            parse(&bad, Path::new("x.sld"))
                .unwrap_err()
                .message
                .contains("one more Value")
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn text_symbolizers_resolve_their_font_or_say_why_not() {
        let label = |font: &str| {
            sld(&format!(
                r#"<se:Rule><se:TextSymbolizer><se:Label><ogc:PropertyName>nom</ogc:PropertyName></se:Label>
                <se:Font><se:SvgParameter name="font-family">{font}</se:SvgParameter><se:SvgParameter name="font-weight">bold</se:SvgParameter></se:Font>
                <se:LabelPlacement><se:LinePlacement><se:PerpendicularOffset>3</se:PerpendicularOffset></se:LinePlacement></se:LabelPlacement>
                </se:TextSymbolizer></se:Rule>"#
            ))
        };
        let s = prepared(&label("DejaVu Serif"), Path::new("x.sld")).unwrap();
        let Symbolizer::Text(t) = &s.rules[0].symbolizers[0] else {
            panic!()
        };
        assert!(t.font.face.as_ref().unwrap().file.ends_with("DejaVuSerif-Bold.ttf"));
        assert!(matches!(t.placement, LabelPlacement::Line { perpendicular_offset } if perpendicular_offset == 3.0));
        assert!(
            parse(&label("Wingdings"), Path::new("x.sld")).is_ok(),
            "parsing reads no font"
        );
        let e = prepared(&label("Wingdings"), Path::new("x.sld")).unwrap_err();
        assert!(e.message.contains("Wingdings") && e.line > 5, "{e}");
    }

    #[test]
    fn feature_type_styles_are_separate_passes() {
        let text = sld(
                "<se:Rule><se:ElseFilter/><se:LineSymbolizer><se:Stroke/></se:LineSymbolizer></se:Rule>\n   </se:FeatureTypeStyle>\n   <se:FeatureTypeStyle>\n<se:Rule><se:LineSymbolizer><se:Stroke/></se:LineSymbolizer></se:Rule>"
            ).to_string();
        let s = parse(&text, Path::new("x.sld")).unwrap();
        assert_eq!(s.groups(), 2);
        assert_eq!((s.rules[0].group, s.rules[1].group), (0, 1));
    }
}
