//! What an upstream's answer is worth: an image of the size asked, or an
//! error saying what came instead (an exception sent with status 200, an
//! image of another size, a truncated file, anything else).

use super::{Answer, UpstreamError};
use crate::source::RgbaImage;

/// The image in `answer`, whatever its size (a legend).
pub fn any_image(answer: &Answer, url: &str) -> Result<RgbaImage, UpstreamError> {
    if looks_like_xml(answer) {
        return Err(exception(answer, url));
    }
    let decoded = image::load_from_memory(&answer.body).map_err(|e| {
        UpstreamError::invalid(
            url,
            format!(
                "not a readable image ({}, {} bytes): {e}",
                media(answer),
                answer.body.len()
            ),
        )
    })?;
    Ok(RgbaImage {
        width: decoded.width(),
        height: decoded.height(),
        data: decoded.into_rgba8().into_raw(),
    })
}

/// The image in `answer`, which must be `width` × `height`.
pub fn image(answer: &Answer, url: &str, width: u32, height: u32) -> Result<RgbaImage, UpstreamError> {
    let decoded = any_image(answer, url)?;
    if (decoded.width, decoded.height) != (width, height) {
        return Err(UpstreamError::invalid(
            url,
            format!(
                "an image of {}×{} pixels where {width}×{height} was asked",
                decoded.width, decoded.height
            ),
        ));
    }
    Ok(decoded)
}

/// An XML document, read as a capabilities document or an exception.
pub fn xml(answer: &Answer, url: &str) -> Result<crate::xml::Element, UpstreamError> {
    let text = std::str::from_utf8(&answer.body).map_err(|_| UpstreamError::invalid(url, "the answer is not UTF-8"))?;
    let root = crate::xml::Element::parse(text).map_err(|e| UpstreamError::invalid(url, format!("not XML: {e}")))?;
    if is_exception(&root) {
        return Err(exception(answer, url));
    }
    Ok(root)
}

fn media(answer: &Answer) -> &str {
    if answer.content_type.is_empty() {
        "no media type"
    } else {
        &answer.content_type
    }
}

fn looks_like_xml(answer: &Answer) -> bool {
    answer.content_type.contains("xml") || answer.body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

fn is_exception(root: &crate::xml::Element) -> bool {
    matches!(
        root.name.rsplit(':').next(),
        Some("ServiceExceptionReport" | "ExceptionReport")
    )
}

/// The exception an XML answer holds (WMS `ServiceException`, OWS
/// `ExceptionText`), or what the answer was when it holds none.
fn exception(answer: &Answer, url: &str) -> UpstreamError {
    let text = std::str::from_utf8(&answer.body).unwrap_or("");
    let Ok(root) = crate::xml::Element::parse(text) else {
        return UpstreamError::invalid(url, format!("unreadable XML instead of an image ({})", media(answer)));
    };
    if !is_exception(&root) {
        return UpstreamError::invalid(url, format!("a `{}` document instead of an image", root.name));
    }
    let mut parts: Vec<String> = Vec::new();
    for name in ["ServiceException", "ows:Exception", "Exception"] {
        for e in root.descendants(name) {
            let code = e.attr("code").or_else(|| e.attr("exceptionCode"));
            let mut said = e.text();
            for t in e
                .descendants("ows:ExceptionText")
                .into_iter()
                .chain(e.descendants("ExceptionText"))
            {
                said.push_str(&t.text());
            }
            let said: String = said.chars().take(300).collect();
            parts.push(match code {
                Some(c) => format!("{c}: {said}"),
                None => said,
            });
        }
    }
    UpstreamError::Exception {
        upstream: super::public_url(url),
        text: if parts.is_empty() {
            "(no text)".into()
        } else {
            parts.join("; ")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(ct: &str, body: &[u8]) -> Answer {
        Answer {
            content_type: ct.into(),
            body: bytes::Bytes::copy_from_slice(body),
        }
    }

    #[test]
    fn an_exception_sent_with_200_is_an_exception() {
        let a = answer(
            "image/png",
            br#"<?xml version="1.0"?><ServiceExceptionReport version="1.3.0"><ServiceException code="LayerNotDefined">no layer x</ServiceException></ServiceExceptionReport>"#,
        );
        let e = image(&a, "http://up.example/wms?key=secret", 2, 2).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("LayerNotDefined: no layer x"), "{msg}");
        assert!(
            msg.contains("http://up.example/wms") && !msg.contains("secret"),
            "{msg}"
        );
    }

    #[test]
    fn wrong_size_truncated_and_garbage_are_told_apart() {
        let mut png = Vec::new();
        image::RgbaImage::new(3, 2)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let e = image(&answer("image/png", &png), "http://u/wms", 2, 2).unwrap_err();
        assert!(e.to_string().contains("3×2 pixels where 2×2"), "{e}");
        let e = image(&answer("image/png", &png[..png.len() / 2]), "http://u/wms", 3, 2).unwrap_err();
        assert!(e.to_string().contains("not a readable image"), "{e}");
        let e = image(&answer("text/html", b"garbage"), "http://u/wms", 3, 2).unwrap_err();
        assert!(e.to_string().contains("not a readable image (text/html"), "{e}");
        assert_eq!(
            image(&answer("image/png", &png), "http://u/wms", 3, 2)
                .unwrap()
                .data
                .len(),
            24
        );
    }
}
