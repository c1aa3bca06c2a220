//! The typed style model (what SLD 1.0 / SE 1.1 describe) and filter
//! evaluation. Styles are read in two steps at start-up: [`sld`] parses
//! the text, then [`prepare`] resolves what the text only names (font
//! faces, external pictures read and rasterised), so that drawing never
//! touches a file.

pub mod font;
pub mod maplibre;
pub mod prepare;
pub mod sld;

use std::path::PathBuf;
use std::sync::Arc;

use crate::feature::Value;

/// A style problem, located in its file.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{}:{line}: {message}", file.display())]
pub struct StyleError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Style {
    pub name: String,
    pub title: String,
    pub abstract_: Option<String>,
    pub rules: Vec<Rule>,
}

impl Style {
    /// The built-in style of raster layers, drawn as is.
    pub fn raster_default() -> Style {
        Style {
            name: "default".into(),
            title: "Rendu par défaut / Default rendering".into(),
            abstract_: None,
            rules: Vec::new(),
        }
    }

    /// The rules that apply at a scale denominator, in drawing order.
    pub fn rules_at(&self, scale: f64) -> Vec<&Rule> {
        self.rules.iter().filter(|r| r.applies_at(scale)).collect()
    }

    /// Number of FeatureTypeStyles (drawing passes).
    pub fn groups(&self) -> usize {
        self.rules.iter().map(|r| r.group + 1).max().unwrap_or(0)
    }

    /// Every property a filter, a label or a symbol size of this style reads.
    pub fn referenced_properties(&self) -> Vec<String> {
        let mut out = Vec::new();
        for r in &self.rules {
            if let Some(f) = &r.filter {
                f.collect_properties(&mut out);
            }
            for s in &r.symbolizers {
                match s {
                    Symbolizer::Text(t) => {
                        for p in &t.label {
                            if let LabelPart::Property(name) = p {
                                out.push(name.clone());
                            }
                        }
                    }
                    Symbolizer::Point(p) => out.extend(p.graphic.size.property().map(str::to_string)),
                    Symbolizer::Line(_) | Symbolizer::Polygon(_) => {}
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The largest distance, in pixels, a symbol draws from its feature:
    /// how far beyond a map's edge features must be fetched.
    pub fn symbol_reach(&self) -> f32 {
        let mut reach: f32 = 1.0;
        for r in &self.rules {
            for s in &r.symbolizers {
                reach = reach.max(match s {
                    Symbolizer::Point(p) => p.graphic.size.max(),
                    Symbolizer::Line(l) => l.stroke.width,
                    Symbolizer::Polygon(p) => p.stroke.as_ref().map_or(0.0, |s| s.width),
                    Symbolizer::Text(_) => 0.0,
                });
            }
        }
        reach
    }
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// Which FeatureTypeStyle the rule belongs to: each is drawn as its own
    /// pass, and an ElseFilter only looks at the rules of its own.
    pub group: usize,
    pub name: Option<String>,
    pub title: Option<String>,
    pub filter: Option<Filter>,
    /// True for an `ElseFilter` rule: it applies to features no other rule took.
    pub else_filter: bool,
    pub min_scale: Option<f64>,
    pub max_scale: Option<f64>,
    pub symbolizers: Vec<Symbolizer>,
}

impl Rule {
    /// SE: the rule applies when min <= scale < max.
    pub fn applies_at(&self, scale: f64) -> bool {
        self.min_scale.is_none_or(|m| scale >= m) && self.max_scale.is_none_or(|m| scale < m)
    }
}

/// RGBA colour, 0-255 per channel, not premultiplied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const BLACK: Color = Color::rgb(0, 0, 0);
    pub const WHITE: Color = Color::rgb(255, 255, 255);
    pub const GRAY: Color = Color::rgb(128, 128, 128);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Color {
        Color { r, g, b, a: 255 }
    }

    /// Parses `#RRGGBB`, `#RGB` and `0xRRGGBB` (the WMS BGCOLOR form).
    pub fn parse_hex(s: &str) -> Option<Color> {
        let s = s.trim();
        let hex = s
            .strip_prefix('#')
            .or_else(|| s.strip_prefix("0x"))
            .or_else(|| s.strip_prefix("0X"))?;
        let v = |i: usize| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok();
        match hex.len() {
            6 => Some(Color::rgb(v(0)?, v(2)?, v(4)?)),
            3 => {
                let d = |i: usize| u8::from_str_radix(hex.get(i..i + 1)?, 16).ok().map(|x| x * 17);
                Some(Color::rgb(d(0)?, d(1)?, d(2)?))
            }
            _ => None,
        }
    }

    pub fn with_opacity(self, opacity: f32) -> Color {
        Color {
            a: (self.a as f32 * opacity.clamp(0.0, 1.0)).round() as u8,
            ..self
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fill {
    pub color: Color,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineJoin {
    Miter,
    Round,
    Bevel,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineCap {
    Butt,
    Round,
    Square,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Stroke {
    pub color: Color,
    pub width: f32,
    pub dasharray: Vec<f32>,
    pub join: LineJoin,
    pub cap: LineCap,
}

impl Default for Stroke {
    fn default() -> Self {
        Stroke {
            color: Color::BLACK,
            width: 1.0,
            dasharray: Vec::new(),
            join: LineJoin::Round,
            cap: LineCap::Round,
        }
    }
}

#[derive(Debug, Clone)]
pub enum Symbolizer {
    Polygon(PolygonSymbolizer),
    Line(LineSymbolizer),
    Point(PointSymbolizer),
    Text(TextSymbolizer),
}

#[derive(Debug, Clone)]
pub struct PolygonSymbolizer {
    pub fill: Option<Fill>,
    pub stroke: Option<Stroke>,
}

#[derive(Debug, Clone)]
pub struct LineSymbolizer {
    pub stroke: Stroke,
}

#[derive(Debug, Clone)]
pub struct PointSymbolizer {
    pub graphic: Graphic,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WellKnownMark {
    Circle,
    Square,
    Triangle,
    Star,
    Cross,
    X,
}

#[derive(Debug, Clone)]
pub enum GraphicSymbol {
    Mark {
        shape: WellKnownMark,
        fill: Option<Fill>,
        stroke: Option<Stroke>,
    },
    /// A PNG or SVG picture.
    External(ExternalGraphic),
}

/// A picture an SLD names by its file.
#[derive(Debug, Clone)]
pub struct ExternalGraphic {
    pub href: String,
    /// Its MIME type, when the SLD gives one.
    pub format: Option<String>,
    /// The SLD line that names it, for errors found when preparing.
    pub line: usize,
    /// The picture rasterised at the graphic's largest size (once prepared).
    pub picture: Option<Arc<Picture>>,
}

/// A decoded picture: premultiplied RGBA pixels.
#[derive(Debug)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    pub rgba: Vec<u8>,
}

/// A numeric parameter: a literal, a property, or an SE Categorize of a property.
#[derive(Debug, Clone, PartialEq)]
pub enum Param {
    Literal(f32),
    Property(String),
    /// `values[k]` between `thresholds[k-1]` and `thresholds[k]`.
    Categorize {
        property: String,
        values: Vec<f32>,
        thresholds: Vec<f64>,
        /// Thresholds belong to the preceding interval (SE `threshholdsBelongTo`).
        preceding: bool,
        fallback: f32,
    },
}

impl Param {
    pub fn eval<'a>(&self, get: &impl Fn(&str) -> Option<Value<'a>>) -> f32 {
        match self {
            Param::Literal(v) => *v,
            Param::Property(p) => get(p).and_then(|v| v.as_f64()).map_or(0.0, |v| v as f32),
            Param::Categorize {
                property,
                values,
                thresholds,
                preceding,
                fallback,
            } => {
                let Some(x) = get(property).and_then(|v| v.as_f64()) else {
                    return *fallback;
                };
                let k = thresholds
                    .iter()
                    .take_while(|t| if *preceding { x > **t } else { x >= **t })
                    .count();
                values.get(k).copied().unwrap_or(*fallback)
            }
        }
    }

    /// The property it reads, if any.
    pub fn property(&self) -> Option<&str> {
        match self {
            Param::Literal(_) => None,
            Param::Property(p) | Param::Categorize { property: p, .. } => Some(p),
        }
    }

    /// The largest value it can take (for fetch buffers and rasterising pictures).
    pub fn max(&self) -> f32 {
        match self {
            Param::Literal(v) => *v,
            Param::Property(_) => 64.0,
            Param::Categorize { values, fallback, .. } => values.iter().copied().fold(*fallback, f32::max),
        }
    }

    /// A representative value (for legends): the literal, or the largest.
    pub fn typical(&self) -> f32 {
        self.max()
    }
}

#[derive(Debug, Clone)]
pub struct Graphic {
    pub symbol: GraphicSymbol,
    /// Height in pixels.
    pub size: Param,
    /// Clockwise rotation in degrees.
    pub rotation: f32,
    pub opacity: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum LabelPart {
    Text(String),
    Property(String),
}

#[derive(Debug, Clone)]
pub struct Font {
    pub family: String,
    pub size: f32,
    pub bold: bool,
    pub italic: bool,
    /// The SLD line that sets the font, for errors found when preparing.
    pub line: usize,
    /// The face the family, weight and slant resolve to (once prepared).
    pub face: Option<Arc<font::FontFace>>,
}

#[derive(Debug, Clone)]
pub struct Halo {
    pub radius: f32,
    pub fill: Fill,
}

#[derive(Debug, Clone)]
pub enum LabelPlacement {
    Point {
        anchor: (f32, f32),
        displacement: (f32, f32),
        rotation: f32,
    },
    Line {
        perpendicular_offset: f32,
    },
}

#[derive(Debug, Clone)]
pub struct TextSymbolizer {
    pub label: Vec<LabelPart>,
    pub font: Font,
    pub fill: Fill,
    pub halo: Option<Halo>,
    pub placement: LabelPlacement,
}

impl Default for TextSymbolizer {
    /// What SE 1.1 gives a TextSymbolizer that says nothing more: 10-pixel
    /// black sans, no halo, centred on the point.
    fn default() -> Self {
        TextSymbolizer {
            label: Vec::new(),
            font: Font {
                family: "DejaVu Sans".into(),
                size: 10.0,
                bold: false,
                italic: false,
                line: 0,
                face: None,
            },
            fill: Fill { color: Color::BLACK },
            halo: None,
            placement: LabelPlacement::Point {
                anchor: (0.5, 0.5),
                displacement: (0.0, 0.0),
                rotation: 0.0,
            },
        }
    }
}

impl TextSymbolizer {
    /// The label text of a feature; `None` when it would be empty.
    pub fn label_text<'a>(&self, get: &impl Fn(&str) -> Option<Value<'a>>) -> Option<String> {
        let mut s = String::new();
        for part in &self.label {
            match part {
                LabelPart::Text(t) => s.push_str(t),
                LabelPart::Property(p) => {
                    if let Some(v) = get(p).and_then(|v| v.to_text()) {
                        s.push_str(&v);
                    }
                }
            }
        }
        let t = s.trim();
        (!t.is_empty()).then(|| t.to_string())
    }
}

/// A binary comparison, as SLD filters and CQL2 both name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The comparison a CQL2 operator names (`=`, `<>`, `<`, `<=`, `>`, `>=`).
    pub fn from_cql2(op: &str) -> Option<CmpOp> {
        Some(match op {
            "=" => CmpOp::Eq,
            "<>" => CmpOp::Ne,
            "<" => CmpOp::Lt,
            "<=" => CmpOp::Le,
            ">" => CmpOp::Gt,
            ">=" => CmpOp::Ge,
            _ => return None,
        })
    }

    /// Whether the comparison holds for two values ordered `ord`.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        use std::cmp::Ordering::*;
        match self {
            CmpOp::Eq => ord == Equal,
            CmpOp::Ne => ord != Equal,
            CmpOp::Lt => ord == Less,
            CmpOp::Le => ord != Greater,
            CmpOp::Gt => ord == Greater,
            CmpOp::Ge => ord != Less,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Compare {
        op: CmpOp,
        property: String,
        literal: String,
        match_case: bool,
    },
    Like {
        property: String,
        pattern: String,
        wildcard: char,
        single: char,
        escape: char,
        match_case: bool,
    },
    IsNull(String),
    Between {
        property: String,
        lower: String,
        upper: String,
    },
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
}

impl Filter {
    /// Evaluates the filter with `get` reading feature properties.
    pub fn matches<'a>(&self, get: &impl Fn(&str) -> Option<Value<'a>>) -> bool {
        match self {
            Filter::Compare {
                op,
                property,
                literal,
                match_case,
            } => {
                let Some(v) = get(property) else {
                    return false;
                };
                if v == Value::Null {
                    return false;
                }
                let ord = match (v.as_f64(), literal.trim().parse::<f64>().ok(), v) {
                    (_, _, Value::Str(s)) => {
                        if *match_case {
                            s.cmp(literal.as_str())
                        } else {
                            s.to_lowercase().cmp(&literal.to_lowercase())
                        }
                    }
                    (Some(a), Some(b), _) => match a.partial_cmp(&b) {
                        Some(o) => o,
                        None => return false,
                    },
                    _ => match v.to_text() {
                        Some(t) => t.cmp(literal),
                        None => return false,
                    },
                };
                op.holds(ord)
            }
            Filter::Like {
                property,
                pattern,
                wildcard,
                single,
                escape,
                match_case,
            } => match get(property).and_then(|v| v.to_text()) {
                Some(text) => like(&text, pattern, *wildcard, *single, *escape, *match_case),
                None => false,
            },
            Filter::IsNull(p) => matches!(get(p), None | Some(Value::Null)),
            Filter::Between { property, lower, upper } => {
                let Some(v) = get(property).and_then(|v| v.as_f64()) else {
                    return false;
                };
                match (lower.trim().parse::<f64>(), upper.trim().parse::<f64>()) {
                    (Ok(lo), Ok(hi)) => v >= lo && v <= hi,
                    _ => false,
                }
            }
            Filter::And(fs) => fs.iter().all(|f| f.matches(get)),
            Filter::Or(fs) => fs.iter().any(|f| f.matches(get)),
            Filter::Not(f) => !f.matches(get),
        }
    }

    fn collect_properties(&self, out: &mut Vec<String>) {
        match self {
            Filter::Compare { property, .. }
            | Filter::Like { property, .. }
            | Filter::Between { property, .. }
            | Filter::IsNull(property) => out.push(property.clone()),
            Filter::And(fs) | Filter::Or(fs) => fs.iter().for_each(|f| f.collect_properties(out)),
            Filter::Not(f) => f.collect_properties(out),
        }
    }
}

/// SQL-LIKE matching with configurable wildcard, single-character and escape characters.
pub fn like(text: &str, pattern: &str, wildcard: char, single: char, escape: char, match_case: bool) -> bool {
    #[derive(Clone, Copy, PartialEq)]
    enum Tok {
        Any,
        One,
        Lit(char),
    }
    let norm = |c: char| {
        if match_case {
            c
        } else {
            c.to_lowercase().next().unwrap_or(c)
        }
    };
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == escape {
            if let Some(n) = chars.next() {
                toks.push(Tok::Lit(norm(n)));
            }
        } else if c == wildcard {
            toks.push(Tok::Any);
        } else if c == single {
            toks.push(Tok::One);
        } else {
            toks.push(Tok::Lit(norm(c)));
        }
    }
    let text: Vec<char> = text.chars().map(norm).collect();
    // Classic two-pointer wildcard matching with backtracking on the last `Any`.
    let (mut t, mut p) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < toks.len() && (toks[p] == Tok::One || toks[p] == Tok::Lit(text[t])) {
            t += 1;
            p += 1;
        } else if p < toks.len() && toks[p] == Tok::Any {
            star = Some((p, t));
            p += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while p < toks.len() && toks[p] == Tok::Any {
        p += 1;
    }
    p == toks.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props<'a>(pairs: &'a [(&'a str, Value<'a>)]) -> impl Fn(&str) -> Option<Value<'a>> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
    }

    fn cmp(op: CmpOp, p: &str, l: &str) -> Filter {
        Filter::Compare {
            op,
            property: p.into(),
            literal: l.into(),
            match_case: true,
        }
    }

    #[test]
    fn comparisons_are_numeric_when_both_sides_are_numbers() {
        let data = [("cat", Value::Int(3)), ("code", Value::Str("CS1.1.1.1"))];
        let get = props(&data);
        assert!(cmp(CmpOp::Eq, "cat", "3").matches(&get));
        assert!(cmp(CmpOp::Eq, "cat", "3.0").matches(&get));
        assert!(cmp(CmpOp::Lt, "cat", "10").matches(&get), "numeric, not lexical");
        assert!(cmp(CmpOp::Eq, "code", "CS1.1.1.1").matches(&get));
        assert!(!cmp(CmpOp::Eq, "code", "cs1.1.1.1").matches(&get));
        assert!(!cmp(CmpOp::Eq, "missing", "x").matches(&get));
        let f = Filter::Not(Box::new(Filter::Or(vec![
            cmp(CmpOp::Gt, "cat", "3"),
            Filter::IsNull("code".into()),
        ])));
        assert!(f.matches(&get));
    }

    #[test]
    fn like_patterns() {
        assert!(like("CS2.1.1.1", "CS2.*", '*', '?', '\\', true));
        assert!(like("CS2.1.1.1", "CS?.1.1.1", '*', '?', '\\', true));
        assert!(!like("CS1.1", "CS2*", '*', '?', '\\', true));
        assert!(like("a*b", "a\\*b", '*', '?', '\\', true));
        assert!(like("Mairie", "mai%", '%', '_', '!', false));
        assert!(like("abcabd", "*abd", '*', '?', '\\', true));
    }

    #[test]
    fn scale_ranges_are_half_open() {
        let r = Rule {
            group: 0,
            name: None,
            title: None,
            filter: None,
            else_filter: false,
            min_scale: Some(1000.0),
            max_scale: Some(5000.0),
            symbolizers: vec![],
        };
        assert!(r.applies_at(1000.0));
        assert!(!r.applies_at(5000.0));
        assert!(!r.applies_at(999.0));
    }

    #[test]
    fn categorize_picks_the_interval() {
        let p = Param::Categorize {
            property: "cat".into(),
            values: vec![16.0, 14.0, 12.0],
            thresholds: vec![2.0, 3.0],
            preceding: false,
            fallback: 8.0,
        };
        let at = |v: i64| {
            let data = [("cat", Value::Int(v))];
            p.eval(&props(&data))
        };
        assert_eq!((at(1), at(2), at(3), at(5)), (16.0, 14.0, 12.0, 12.0));
        assert_eq!(p.eval(&|_: &str| None), 8.0);
        assert_eq!(p.max(), 16.0);
    }

    #[test]
    fn colours() {
        assert_eq!(Color::parse_hex("#ff377A"), Some(Color::rgb(255, 55, 122)));
        assert_eq!(Color::parse_hex("0x0000FF"), Some(Color::rgb(0, 0, 255)));
        assert_eq!(Color::parse_hex("#fff"), Some(Color::WHITE));
        assert_eq!(Color::parse_hex("red"), None);
    }
}
