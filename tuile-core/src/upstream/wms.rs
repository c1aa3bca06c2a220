//! A partner's WMS (1.3.0 or 1.1.1) as a source: its capabilities read
//! once per open (and at each refresh), its GetMap asked for exactly the
//! box and size a request needs, in the request's CRS when the upstream
//! offers it (no resampling) or in one it offers otherwise.

use super::capabilities::{Described, RemoteStyle, digest, href_below, known_crs, text_of, time_values};
use crate::grid::{BBox, Crs};
use crate::xml::Element;

/// What tuile needs of a remote WMS to ask it for maps.
#[derive(Debug, Clone)]
pub struct WmsLayer {
    /// The GetMap endpoint (from the capabilities; the configured URL otherwise).
    pub getmap_url: String,
    pub version: Version,
    /// The layers asked, bottom first.
    pub names: Vec<String>,
    pub style: Option<String>,
    pub format: String,
    /// The largest image the upstream draws.
    pub max_size: (u32, u32),
    /// The GetFeatureInfo endpoint and a GeoJSON format it answers in,
    /// when every layer named is queryable there.
    pub info: Option<(String, String)>,
    pub described: Described,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    V130,
    V111,
}

/// The capabilities request for a configured endpoint.
pub fn capabilities_url(url: &str) -> String {
    super::with_query(
        url,
        &[("SERVICE", "WMS"), ("REQUEST", "GetCapabilities"), ("VERSION", "1.3.0")],
    )
}

/// The layer's description inherited down the tree (WMS 1.3.0 §7.2.4.8):
/// CRSs and styles add up, extents and attribution are replaced.
#[derive(Clone, Default)]
struct Inherited {
    crs: Vec<String>,
    styles: Vec<RemoteStyle>,
    extent: Option<BBox>,
    attribution: Option<(String, Option<String>)>,
}

/// Reads capabilities for the layers `names` (all must be there).
pub fn read(
    root: &Element,
    body: &[u8],
    url: &str,
    names: &[String],
    style: Option<&str>,
    format: Option<&str>,
) -> Result<WmsLayer, String> {
    let version = match (root.name.as_str(), root.attr("version")) {
        ("WMS_Capabilities", _) => Version::V130,
        ("WMT_MS_Capabilities", Some(v)) if v.starts_with("1.1") => Version::V111,
        (name, v) => return Err(format!("not WMS 1.3.0 or 1.1.1 capabilities (`{name}`, version {v:?})")),
    };
    let capability = root.child("Capability").ok_or("the capabilities have no Capability")?;
    let getmap = capability
        .child("Request")
        .and_then(|r| r.child("GetMap"))
        .ok_or("the WMS offers no GetMap")?;
    let formats: Vec<String> = getmap
        .elements()
        .filter(|e| e.name == "Format")
        .map(|e| e.text())
        .collect();
    let format = match format {
        Some(f) if formats.iter().any(|o| o == f) => f.to_string(),
        Some(f) => return Err(format!("the WMS does not draw {f} (it offers {})", formats.join(", "))),
        None => ["image/png", "image/jpeg"]
            .into_iter()
            .find(|f| formats.iter().any(|o| o == f))
            .ok_or_else(|| format!("the WMS draws neither PNG nor JPEG (it offers {})", formats.join(", ")))?
            .to_string(),
    };
    let getmap_url = getmap
        .descendants("Get")
        .first()
        .and_then(|g| href_below(g, "OnlineResource"))
        .filter(|h| h.starts_with("http"))
        .unwrap_or_else(|| url.to_string());
    let mut found: Vec<(Element, Inherited)> = Vec::new();
    if let Some(top) = capability.child("Layer") {
        collect(top, &Inherited::default(), names, &mut found);
    }
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !found.iter().any(|(e, _)| text_of(e, "Name") == **n))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "the WMS has no layer {}",
            missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    // Described by the first layer named; extents add up, CRSs are those all offer.
    let (first, inherited) = &found[0];
    let mut crs = known_crs(inherited.crs.iter().map(String::as_str));
    for (_, i) in &found[1..] {
        let theirs = known_crs(i.crs.iter().map(String::as_str));
        crs.retain(|c| theirs.contains(c));
    }
    let extent = found.iter().filter_map(|(_, i)| i.extent).reduce(|a, b| a.union(&b));
    // 1.1.1 gives the values in an `Extent` beside the `Dimension`.
    let time = first
        .elements()
        .filter(|e| e.name == "Extent")
        .chain(first.elements())
        .find(|e| matches!(e.name.as_str(), "Dimension" | "Extent") && e.attr("name") == Some("time"))
        .and_then(|d| time_values(&d.text(), d.attr("default")));
    let service = root.child("Service");
    let size = |name: &str| {
        service
            .and_then(|s| s.child(name))
            .and_then(|e| e.text().parse::<u32>().ok())
            .filter(|&v| v > 0)
            .unwrap_or(4096)
    };
    // Feature info is passed on when the upstream answers GeoJSON for every layer.
    let info = capability
        .child("Request")
        .and_then(|r| r.child("GetFeatureInfo"))
        .and_then(|gfi| {
            let formats: Vec<String> = gfi
                .elements()
                .filter(|e| e.name == "Format")
                .map(|e| e.text())
                .collect();
            let format = [
                "application/geo+json",
                "application/json",
                "application/vnd.geo+json",
                "geojson",
            ]
            .into_iter()
            .find(|f| formats.iter().any(|o| o == f))?;
            let url = gfi
                .descendants("Get")
                .first()
                .and_then(|g| href_below(g, "OnlineResource"))
                .filter(|h| h.starts_with("http"))
                .unwrap_or_else(|| url.to_string());
            Some((url, format.to_string()))
        })
        .filter(|_| found.iter().all(|(e, _)| e.attr("queryable") == Some("1")));
    if let Some(s) = style
        && !inherited.styles.iter().any(|r| r.name == s)
    {
        return Err(format!("the WMS layer `{}` has no style `{s}`", names[0]));
    }
    Ok(WmsLayer {
        getmap_url,
        version,
        names: names.to_vec(),
        style: style.map(str::to_string),
        format,
        max_size: (size("MaxWidth"), size("MaxHeight")),
        info,
        described: Described {
            title: text_of(first, "Title"),
            abstract_: text_of(first, "Abstract"),
            keywords: first
                .child("KeywordList")
                .map(|k| k.elements().map(|e| e.text()).filter(|t| !t.is_empty()).collect())
                .unwrap_or_default(),
            attribution: inherited.attribution.clone(),
            geographic_extent: extent,
            crs,
            styles: inherited.styles.clone(),
            time,
            digest: digest(body),
        },
    })
}

fn collect(layer: &Element, parent: &Inherited, names: &[String], found: &mut Vec<(Element, Inherited)>) {
    let mut mine = parent.clone();
    for e in layer.elements() {
        match e.name.as_str() {
            "CRS" | "SRS" => {
                // 1.1.1 allows several codes in one SRS element.
                for c in e.text().split_whitespace() {
                    if !mine.crs.iter().any(|m| m == c) {
                        mine.crs.push(c.to_string());
                    }
                }
            }
            "EX_GeographicBoundingBox" => {
                let v = |n: &str| text_of(e, n).parse::<f64>().ok();
                if let (Some(w), Some(s), Some(east), Some(n)) = (
                    v("westBoundLongitude"),
                    v("southBoundLatitude"),
                    v("eastBoundLongitude"),
                    v("northBoundLatitude"),
                ) {
                    mine.extent = Some(BBox::new(w, s, east, n));
                }
            }
            "LatLonBoundingBox" => {
                let v = |n: &str| e.attr(n).and_then(|t| t.parse::<f64>().ok());
                if let (Some(w), Some(s), Some(east), Some(n)) = (v("minx"), v("miny"), v("maxx"), v("maxy")) {
                    mine.extent = Some(BBox::new(w, s, east, n));
                }
            }
            "Style" => {
                let name = text_of(e, "Name");
                if !mine.styles.iter().any(|s| s.name == name) {
                    mine.styles.push(RemoteStyle {
                        title: text_of(e, "Title"),
                        legend_url: e.child("LegendURL").and_then(|l| href_below(l, "OnlineResource")),
                        name,
                    });
                }
            }
            "Attribution" => {
                mine.attribution = Some((text_of(e, "Title"), href_below(e, "OnlineResource")));
            }
            _ => {}
        }
    }
    if names.iter().any(|n| *n == text_of(layer, "Name")) {
        found.push((layer.clone(), mine.clone()));
    }
    for child in layer.elements().filter(|e| e.name == "Layer") {
        collect(child, &mine, names, found);
    }
}

impl WmsLayer {
    /// The CRS to ask a map in: the view's when offered, else `preferred`
    /// (configured) or the first offered.
    pub fn crs_for(&self, view: Crs, preferred: Option<Crs>) -> Option<Crs> {
        let offered = &self.described.crs;
        if offered.contains(&view) {
            return Some(view);
        }
        preferred
            .filter(|p| offered.contains(p))
            .or_else(|| offered.first().copied())
    }

    /// The GetFeatureInfo URL at pixel (i, j) of a map (GeoJSON, at most
    /// `count` features); `None` when the upstream does not answer GeoJSON.
    #[allow(clippy::too_many_arguments)]
    pub fn getfeatureinfo(
        &self,
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        (i, j): (u32, u32),
        count: usize,
        time: Option<&str>,
    ) -> Option<String> {
        let (url, format) = self.info.as_ref()?;
        let map = self.getmap(crs, bbox, width, height, time);
        let query = map.split_once('?').map(|(_, q)| q).unwrap_or("");
        let (ik, jk) = match self.version {
            Version::V130 => ("I", "J"),
            Version::V111 => ("X", "Y"),
        };
        let names = self.names.join(",");
        let (i, j, count) = (i.to_string(), j.to_string(), count.to_string());
        let params = [
            ("QUERY_LAYERS", names.as_str()),
            ("INFO_FORMAT", format.as_str()),
            (ik, i.as_str()),
            (jk, j.as_str()),
            ("FEATURE_COUNT", count.as_str()),
        ];
        let base = super::with_query(url, &[]);
        let sep = if base.ends_with('?') || base.ends_with('&') {
            ""
        } else {
            "&"
        };
        let gfi = format!(
            "{base}{sep}{}",
            query.replace("REQUEST=GetMap", "REQUEST=GetFeatureInfo")
        );
        Some(super::with_query(&gfi, &params))
    }

    /// The GetMap URL for `bbox` (x/y order) in `crs`, `width` × `height`.
    pub fn getmap(&self, crs: Crs, bbox: &BBox, width: u32, height: u32, time: Option<&str>) -> String {
        self.getmap_of(&self.names, crs, bbox, width, height, time)
    }

    /// [`WmsLayer::getmap`] for some of the layers (a host that takes only so many at once).
    pub fn getmap_of(
        &self,
        names: &[String],
        crs: Crs,
        bbox: &BBox,
        width: u32,
        height: u32,
        time: Option<&str>,
    ) -> String {
        let (v, crs_key, honour) = match self.version {
            Version::V130 => ("1.3.0", "CRS", true),
            Version::V111 => ("1.1.1", "SRS", false),
        };
        let b = crs.bbox_to_axis_order(bbox, honour);
        let bbox_text = format!("{},{},{},{}", b[0], b[1], b[2], b[3]);
        let layers = names.join(",");
        let styles = match &self.style {
            Some(s) => vec![s.as_str(); names.len()].join(","),
            None => ",".repeat(names.len().saturating_sub(1)),
        };
        let (w, h) = (width.to_string(), height.to_string());
        let crs_name = crs.identifier();
        let mut params = vec![
            ("SERVICE", "WMS"),
            ("VERSION", v),
            ("REQUEST", "GetMap"),
            ("LAYERS", layers.as_str()),
            ("STYLES", styles.as_str()),
            (crs_key, crs_name.as_str()),
            ("BBOX", bbox_text.as_str()),
            ("WIDTH", w.as_str()),
            ("HEIGHT", h.as_str()),
            ("FORMAT", self.format.as_str()),
            ("TRANSPARENT", "TRUE"),
        ];
        if let Some(t) = time {
            params.push(("TIME", t));
        }
        super::with_query(&self.getmap_url, &params)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CAPS: &str = r#"<?xml version="1.0"?>
<WMS_Capabilities version="1.3.0" xmlns="http://www.opengis.net/wms" xmlns:xlink="http://www.w3.org/1999/xlink">
 <Service><Name>WMS</Name><Title>Partner</Title><MaxWidth>2048</MaxWidth><MaxHeight>2048</MaxHeight></Service>
 <Capability>
  <Request><GetMap><Format>image/jpeg</Format><Format>image/png</Format>
   <DCPType><HTTP><Get><OnlineResource xlink:href="http://partner.example/cgi?map=x&amp;"/></Get></HTTP></DCPType></GetMap></Request>
  <Layer><Title>Root</Title><CRS>EPSG:2154</CRS><CRS>EPSG:3857</CRS><CRS>EPSG:9999999</CRS>
   <Style><Name>default</Name><Title>Default</Title><LegendURL><OnlineResource xlink:href="http://partner.example/legend.png"/></LegendURL></Style>
   <Layer queryable="1"><Name>communes</Name><Title>Communes</Title><Abstract>Limites</Abstract>
    <KeywordList><Keyword>limites</Keyword><Keyword>communes</Keyword></KeywordList>
    <CRS>EPSG:4326</CRS>
    <EX_GeographicBoundingBox><westBoundLongitude>1</westBoundLongitude><eastBoundLongitude>2</eastBoundLongitude><southBoundLatitude>43</southBoundLatitude><northBoundLatitude>44</northBoundLatitude></EX_GeographicBoundingBox>
    <Dimension name="time" units="ISO8601" default="2023">2021,2022,2023</Dimension>
   </Layer>
  </Layer>
 </Capability>
</WMS_Capabilities>"#;

    #[test]
    fn capabilities_give_the_layer_with_what_it_inherits() {
        let root = Element::parse(CAPS).unwrap();
        let l = read(
            &root,
            CAPS.as_bytes(),
            "http://partner.example/wms",
            &["communes".into()],
            None,
            None,
        )
        .unwrap();
        assert_eq!(l.getmap_url, "http://partner.example/cgi?map=x&");
        assert_eq!(l.format, "image/png");
        assert_eq!(l.max_size, (2048, 2048));
        let d = &l.described;
        assert_eq!((d.title.as_str(), d.abstract_.as_str()), ("Communes", "Limites"));
        assert_eq!(d.keywords, ["limites", "communes"]);
        assert_eq!(d.crs, [Crs::lambert93(), Crs::web_mercator(), Crs::wgs84()]);
        assert_eq!(
            d.styles[0].legend_url.as_deref(),
            Some("http://partner.example/legend.png")
        );
        assert_eq!(
            d.time,
            Some((vec!["2021".into(), "2022".into(), "2023".into()], "2023".into()))
        );
        assert_eq!(d.geographic_extent, Some(BBox::new(1.0, 43.0, 2.0, 44.0)));
        let url = l.getmap(Crs::wgs84(), &BBox::new(1.0, 43.0, 2.0, 44.0), 256, 256, Some("2022"));
        assert!(
            url.starts_with("http://partner.example/cgi?map=x&SERVICE=WMS&VERSION=1.3.0"),
            "{url}"
        );
        assert!(
            url.contains("CRS=EPSG%3A4326&BBOX=43%2C1%2C44%2C2&"),
            "lat/lon order in 1.3.0: {url}"
        );
        assert!(url.ends_with("&TIME=2022"), "{url}");
        let err = read(&root, CAPS.as_bytes(), "u", &["nope".into()], None, None).unwrap_err();
        assert!(err.contains("no layer `nope`"), "{err}");
    }
}
