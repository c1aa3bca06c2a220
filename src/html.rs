//! The one HTML escape of the HTML answers (OGC API pages, feature info,
//! the viewer): everything they echo (data values, titles, URLs built from
//! the request) goes through it, so nothing a request carries runs as
//! script.

/// Text for HTML content or a quoted attribute value: `& < > " '` escaped,
/// and the control characters HTML forbids replaced by U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The Content-Security-Policy of every HTML answer: scripts only from
/// tuile itself (the viewer's), no plugins, no base rewriting; styles may be
/// inline (the pages carry their own), images may be data URIs (OpenLayers).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
     img-src 'self' data: blob:; connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; \
     form-action 'self'";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_controls_are_neutralised() {
        assert_eq!(
            escape("<script>alert('x')</script>&\u{0}"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;\u{FFFD}"
        );
        assert_eq!(escape("\" onmouseover=\"x"), "&quot; onmouseover=&quot;x");
    }
}
