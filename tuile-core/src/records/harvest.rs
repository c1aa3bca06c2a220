//! A layer's metadata harvested from a partner's catalogue: the ISO 19139
//! record a CSW holds under an identifier (`metadata = { csw = "…", id =
//! "…" }`), read when the catalog opens, so a reload refreshes it. What it
//! says (titles, abstracts, keywords, lineage, use limitation) replaces
//! what `tuile.toml` says; everything derived from the data stays derived.

use std::path::Path;

use crate::metadata::Localized;
use crate::xml::Element;

/// What a harvested record says of a dataset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Harvested {
    pub title: Option<Localized>,
    pub abstract_: Option<Localized>,
    pub keywords: Vec<String>,
    pub lineage: Option<Localized>,
    pub licence: Option<String>,
    /// Where it was read (the GetRecordById URL).
    pub url: String,
}

/// The most a record may weigh.
const MAX_BYTES: usize = 4 << 20;

/// The GetRecordById request for a record, in ISO 19139.
pub fn record_url(csw: &str, id: &str) -> String {
    let sep = if csw.contains('?') { '&' } else { '?' };
    let id: String = form_urlencoded::byte_serialize(id.as_bytes()).collect();
    format!(
        "{csw}{sep}SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecordById&OUTPUTSCHEMA=http://www.isotc211.org/2005/gmd&ELEMENTSETNAME=full&ID={id}"
    )
}

/// Fetches and reads a record, through GDAL's HTTP client (retries and
/// proxies as GDAL's settings say; 15 s at most unless `GDAL_HTTP_TIMEOUT`
/// says otherwise).
pub fn fetch(csw: &str, id: &str) -> Result<Harvested, String> {
    let url = record_url(csw, id);
    let path = format!("/vsicurl_streaming/{url}");
    // A catalogue that does not answer must not hold the catalog's opening
    // for long: bounded unless GDAL's own settings say otherwise.
    let bounded: Vec<&str> = [("GDAL_HTTP_TIMEOUT", "15"), ("GDAL_HTTP_CONNECTTIMEOUT", "5")]
        .into_iter()
        .filter(|(k, _)| gdal::config::get_config_option(k, "").unwrap_or_default().is_empty())
        .map(|(k, v)| {
            let _ = gdal::config::set_thread_local_config_option(k, v);
            k
        })
        .collect();
    let answer = crate::source::bytes::read_to_end(Path::new(&path), MAX_BYTES);
    for k in bounded {
        let _ = gdal::config::clear_thread_local_config_option(k);
    }
    let bytes = answer.map_err(|e| format!("{url}: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| format!("{url}: the answer is not UTF-8"))?;
    let mut h = read(&text, id).map_err(|e| format!("{url}: {e}"))?;
    h.url = url;
    Ok(h)
}

/// Reads the `gmd:MD_Metadata` whose file identifier is `id` from a
/// GetRecordById answer (or a bare record).
pub fn read(text: &str, id: &str) -> Result<Harvested, String> {
    let root = Element::parse(text).map_err(|e| format!("not XML: {e}"))?;
    if root.name == "ExceptionReport" {
        let message = first(&root, &["Exception", "ExceptionText"])
            .map(|e| e.text())
            .unwrap_or_default();
        return Err(format!("the catalogue answered an exception: {message}"));
    }
    // The record itself, or inside a GetRecordById answer.
    let record = std::iter::once(&root)
        .filter(|r| r.name == "MD_Metadata")
        .chain(root.descendants("MD_Metadata"))
        .find(|md| md.child("fileIdentifier").map(|f| f.text_of_child()) == Some(id.to_string()))
        .ok_or_else(|| format!("no record `{id}` in the answer"))?;
    let ident = record
        .child("identificationInfo")
        .and_then(|i| i.elements().next())
        .ok_or("the record has no identification")?;
    let citation = ident.child("citation").and_then(|c| c.child("CI_Citation"));
    let mut keywords = Vec::new();
    for k in ident.elements().filter(|e| e.name == "descriptiveKeywords") {
        for kw in k.descendants("keyword") {
            let t = kw.text_of_child();
            if !t.is_empty() {
                keywords.push(t);
            }
        }
    }
    Ok(Harvested {
        title: citation.and_then(|c| c.child("title")).map(localized),
        abstract_: ident.child("abstract").map(localized),
        keywords,
        lineage: first(
            record,
            &[
                "dataQualityInfo",
                "DQ_DataQuality",
                "lineage",
                "LI_Lineage",
                "statement",
            ],
        )
        .map(localized),
        licence: ident
            .descendants("useLimitation")
            .first()
            .map(|u| u.text_of_child())
            .filter(|t| !t.is_empty()),
        url: String::new(),
    })
}

/// A `gco:CharacterString` with its English `PT_FreeText` translation, if any.
fn localized(e: &Element) -> Localized {
    let en = e
        .descendants("LocalisedCharacterString")
        .into_iter()
        .find(|l| {
            l.attr("locale")
                .is_some_and(|loc| loc.to_ascii_lowercase().contains("en"))
        })
        .map(|l| l.text())
        .unwrap_or_default();
    Localized {
        fr: e
            .child("CharacterString")
            .or_else(|| e.child("Anchor"))
            .map(|c| c.text())
            .unwrap_or_default(),
        en,
    }
}

/// The element at a path of child names.
fn first<'a>(e: &'a Element, path: &[&str]) -> Option<&'a Element> {
    path.iter().try_fold(e, |e, name| {
        e.child(name).or_else(|| e.descendants(name).into_iter().next())
    })
}

trait ChildText {
    /// The text of the element's first child (`gco:CharacterString`, `gmx:Anchor`).
    fn text_of_child(&self) -> String;
}

impl ChildText for Element {
    fn text_of_child(&self) -> String {
        self.elements().next().map(|c| c.text()).unwrap_or_else(|| self.text())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r##"<csw:GetRecordByIdResponse xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:gmd="http://www.isotc211.org/2005/gmd" xmlns:gco="http://www.isotc211.org/2005/gco" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<gmd:MD_Metadata><gmd:fileIdentifier><gco:CharacterString>abc</gco:CharacterString></gmd:fileIdentifier>
<gmd:identificationInfo><gmd:MD_DataIdentification>
<gmd:citation><gmd:CI_Citation><gmd:title xsi:type="gmd:PT_FreeText_PropertyType"><gco:CharacterString>Occupation du sol</gco:CharacterString>
<gmd:PT_FreeText><gmd:textGroup><gmd:LocalisedCharacterString locale="#ENG">Land cover</gmd:LocalisedCharacterString></gmd:textGroup></gmd:PT_FreeText></gmd:title></gmd:CI_Citation></gmd:citation>
<gmd:abstract><gco:CharacterString>Résumé</gco:CharacterString></gmd:abstract>
<gmd:descriptiveKeywords><gmd:MD_Keywords><gmd:keyword><gco:CharacterString>sol</gco:CharacterString></gmd:keyword></gmd:MD_Keywords></gmd:descriptiveKeywords>
<gmd:resourceConstraints><gmd:MD_LegalConstraints><gmd:useLimitation><gco:CharacterString>Etalab 2.0</gco:CharacterString></gmd:useLimitation></gmd:MD_LegalConstraints></gmd:resourceConstraints>
</gmd:MD_DataIdentification></gmd:identificationInfo>
<gmd:dataQualityInfo><gmd:DQ_DataQuality><gmd:lineage><gmd:LI_Lineage><gmd:statement><gco:CharacterString>Photo-interprétation</gco:CharacterString></gmd:statement></gmd:LI_Lineage></gmd:lineage></gmd:DQ_DataQuality></gmd:dataQualityInfo>
</gmd:MD_Metadata></csw:GetRecordByIdResponse>"##;

    #[test]
    fn a_record_is_read() {
        // A bare record reads as the same record in a GetRecordById answer.
        let bare = &RECORD[RECORD.find("<gmd:MD_Metadata>").unwrap()..RECORD.find("</csw:").unwrap()];
        assert_eq!(read(bare, "abc").unwrap(), read(RECORD, "abc").unwrap());
        let h = read(RECORD, "abc").unwrap();
        assert_eq!(
            h.title.as_ref().map(|t| (t.fr.as_str(), t.en.as_str())),
            Some(("Occupation du sol", "Land cover"))
        );
        assert_eq!(h.abstract_.unwrap().fr, "Résumé");
        assert_eq!(h.keywords, ["sol"]);
        assert_eq!(h.licence.as_deref(), Some("Etalab 2.0"));
        assert_eq!(h.lineage.unwrap().fr, "Photo-interprétation");
    }

    #[test]
    fn a_missing_record_or_an_exception_says_so() {
        assert!(read(RECORD, "other").unwrap_err().contains("no record `other`"));
        let e = r#"<ows:ExceptionReport xmlns:ows="http://www.opengis.net/ows"><ows:Exception exceptionCode="x"><ows:ExceptionText>nope</ows:ExceptionText></ows:Exception></ows:ExceptionReport>"#;
        assert!(read(e, "abc").unwrap_err().contains("nope"));
        assert!(read("<html", "abc").is_err());
        assert_eq!(
            record_url("https://x.org/csw", "a b"),
            "https://x.org/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecordById&OUTPUTSCHEMA=http://www.isotc211.org/2005/gmd&ELEMENTSETNAME=full&ID=a+b"
        );
    }
}
