//! XML helpers over quick-xml: a small element tree with line numbers (for
//! reading style files and reporting errors where they are), and the one
//! writer of every XML document tuile sends: whatever text it is given
//! (request parameters echoed in an exception, data values), what it writes
//! is well-formed XML 1.0.

use std::borrow::Cow;
use std::io::Cursor;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

/// An element with its local name (namespace prefix dropped), attributes,
/// children and text, and the line it starts on.
#[derive(Debug, Clone)]
pub struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    pub line: usize,
}

#[derive(Debug, Clone)]
pub enum Node {
    Element(Element),
    Text(String),
}

/// The deepest nesting read: far past any style, request or record, and
/// short of what would exhaust a stack walking or dropping the tree (a
/// partner's answer or a POSTed request is not trusted).
pub const MAX_DEPTH: usize = 256;

#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct XmlError {
    pub line: usize,
    pub message: String,
}

impl Element {
    /// The attribute `name` (local name, prefix ignored).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name || k.rsplit(':').next() == Some(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Every element below this one named `name`, depth first.
    pub fn descendants(&self, name: &str) -> Vec<&Element> {
        let mut out = Vec::new();
        for c in self.elements() {
            if c.name == name {
                out.push(c);
            }
            out.extend(c.descendants(name));
        }
        out
    }

    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// All text directly inside this element, concatenated and trimmed.
    pub fn text(&self) -> String {
        let mut s = String::new();
        for n in &self.children {
            if let Node::Text(t) = n {
                s.push_str(t);
            }
        }
        s.trim().to_string()
    }

    /// Parses a whole document and returns its root element.
    pub fn parse(text: &str) -> Result<Element, XmlError> {
        let mut reader = quick_xml::Reader::from_str(text);
        reader.config_mut().trim_text(false);
        // Bytes, not chars: a parser position may fall inside a character (a BOM…).
        let line_at = |pos: u64| {
            let end = (pos as usize).min(text.len());
            text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
        };
        let mut stack: Vec<Element> = Vec::new();
        let mut root: Option<Element> = None;
        loop {
            let pos = reader.buffer_position();
            let event = reader.read_event().map_err(|e| XmlError {
                line: line_at(reader.error_position()),
                message: e.to_string(),
            })?;
            let err = |message: String| XmlError {
                line: line_at(pos),
                message,
            };
            match event {
                Event::Start(_) | Event::Empty(_) if root.is_some() => {
                    return Err(err("content after the root element".into()));
                }
                Event::Start(_) if stack.len() >= MAX_DEPTH => {
                    return Err(err(format!("elements are nested more than {MAX_DEPTH} deep")));
                }
                Event::Start(e) => stack.push(start_element(&e, line_at(pos)).map_err(err)?),
                Event::Empty(e) => {
                    let el = start_element(&e, line_at(pos)).map_err(err)?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(el)),
                        None => root = Some(el),
                    }
                }
                Event::End(_) => {
                    let el = stack.pop().ok_or_else(|| err("unbalanced end tag".into()))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Node::Element(el)),
                        None => root = Some(el),
                    }
                }
                Event::Text(t) => {
                    let s = t.decode().map_err(|e| err(e.to_string()))?;
                    push_text(&mut stack, &s);
                }
                Event::CData(t) => {
                    let s = t.decode().map_err(|e| err(e.to_string()))?;
                    push_text(&mut stack, &s);
                }
                Event::GeneralRef(r) => {
                    let resolved = if let Some(c) = r.resolve_char_ref().map_err(|e| err(e.to_string()))? {
                        c.to_string()
                    } else {
                        let name = r.decode().map_err(|e| err(e.to_string()))?;
                        quick_xml::escape::resolve_predefined_entity(&name)
                            .ok_or_else(|| err(format!("unknown entity &{name};")))?
                            .to_string()
                    };
                    push_text(&mut stack, &resolved);
                }
                Event::Eof => break,
                _ => {}
            }
        }
        if !stack.is_empty() {
            return Err(XmlError {
                line: line_at(text.len() as u64),
                message: format!("element <{}> is not closed", stack.last().unwrap().name),
            });
        }
        root.ok_or(XmlError {
            line: 1,
            message: "no root element".into(),
        })
    }
}

fn push_text(stack: &mut [Element], s: &str) {
    if let Some(parent) = stack.last_mut() {
        match parent.children.last_mut() {
            Some(Node::Text(t)) => t.push_str(s),
            _ => parent.children.push(Node::Text(s.to_string())),
        }
    }
}

fn start_element(e: &BytesStart, line: usize) -> Result<Element, String> {
    let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|e| e.to_string())?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value().map_err(|e| e.to_string())?.into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        children: Vec::new(),
        line,
    })
}

fn tag<'a>(name: &'a str, attrs: &[(&str, &str)]) -> BytesStart<'a> {
    let mut e = BytesStart::new(name);
    for (k, v) in attrs {
        e.push_attribute((*k, clean(v).as_ref()));
    }
    e
}

/// Whether XML 1.0 allows a character in a document.
fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Text as XML 1.0 allows it: the characters it forbids (controls other
/// than tab, newline and carriage return; U+FFFE and U+FFFF), which no
/// escape can carry, become U+FFFD.
pub fn clean(s: &str) -> Cow<'_, str> {
    if s.chars().all(allowed) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| if allowed(c) { c } else { '\u{FFFD}' }).collect())
}

/// A valid XML name (an NCName) from any text, such as a column name:
/// characters a name cannot hold become `_`, and so does a first
/// character that cannot start one.
pub fn name(s: &str) -> Cow<'_, str> {
    let ok = |i: usize, c: char| {
        c.is_alphanumeric() && (i > 0 || !c.is_numeric()) || c == '_' || (i > 0 && matches!(c, '-' | '.'))
    };
    if !s.is_empty() && s.chars().enumerate().all(|(i, c)| ok(i, c)) {
        return Cow::Borrowed(s);
    }
    let mut out: String = s
        .chars()
        .enumerate()
        .map(|(i, c)| if ok(i, c) { c } else { '_' })
        .collect();
    if out.is_empty() {
        out.push('_');
    }
    Cow::Owned(out)
}

/// Writes XML documents with quick-xml's escaping, two-space indented.
pub struct XmlWriter {
    w: Writer<Cursor<Vec<u8>>>,
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl XmlWriter {
    /// A document starting with the XML declaration.
    pub fn new() -> XmlWriter {
        let mut w = Writer::new_with_indent(Cursor::new(Vec::with_capacity(16 * 1024)), b' ', 2);
        w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))
            .expect("writing to memory cannot fail");
        XmlWriter { w }
    }

    /// Writes raw markup such as a DOCTYPE line.
    pub fn raw(&mut self, markup: &str) {
        self.w
            .write_event(Event::DocType(BytesText::from_escaped(markup)))
            .expect("writing to memory cannot fail");
    }

    pub fn start(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.write(Event::Start(tag(name, attrs)));
    }

    fn write(&mut self, event: Event) {
        self.w.write_event(event).expect("writing to memory cannot fail");
    }

    pub fn end(&mut self, name: &str) {
        self.w
            .write_event(Event::End(BytesEnd::new(name)))
            .expect("writing to memory cannot fail");
    }

    /// An element holding only text.
    pub fn leaf(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) {
        self.start(name, attrs);
        let text = clean(text);
        self.w
            .write_event(Event::Text(BytesText::from_escaped(quick_xml::escape::partial_escape(
                text.as_ref(),
            ))))
            .expect("writing to memory cannot fail");
        self.end(name);
    }

    /// `<outer><inner>item</inner>…</outer>`, or nothing when there are no items.
    pub fn list(&mut self, outer: &str, inner: &str, items: &[String]) {
        if items.is_empty() {
            return;
        }
        self.start(outer, &[]);
        for item in items {
            self.leaf(inner, &[], item);
        }
        self.end(outer);
    }

    /// An element without content: `<name a="b"/>`.
    pub fn empty(&mut self, name: &str, attrs: &[(&str, &str)]) {
        self.write(Event::Empty(tag(name, attrs)));
    }

    pub fn finish(self) -> Vec<u8> {
        let mut v = self.w.into_inner().into_inner();
        v.push(b'\n');
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_bounded() {
        let deep = |n: usize| format!("{}{}", "<a>".repeat(n), "</a>".repeat(n));
        assert!(Element::parse(&deep(MAX_DEPTH)).is_ok());
        let e = Element::parse(&deep(100_000)).unwrap_err();
        assert!(e.message.contains("nested"), "{e}");
    }

    #[test]
    fn written_text_is_always_well_formed() {
        let hostile = "a\u{0}b\u{1}\u{b}c\u{FFFF}<&>\"'\t\n";
        let mut w = XmlWriter::new();
        w.start("r", &[("locator", hostile)]);
        w.leaf("t", &[("k", "\u{8}")], hostile);
        w.end("r");
        let doc = String::from_utf8(w.finish()).unwrap();
        assert!(!doc.chars().any(|c| !allowed(c)), "{doc:?}");
        let root = Element::parse(&doc).unwrap();
        assert_eq!(
            root.elements().next().unwrap().text(),
            "a\u{FFFD}b\u{FFFD}\u{FFFD}c\u{FFFD}<&>\"'"
        );
        assert_eq!(name("3 voies/état"), "__voies_état");
        assert_eq!(name("code_cs"), "code_cs");
        assert_eq!(name(""), "_");
    }

    #[test]
    fn parses_with_lines_entities_and_prefixes() {
        let doc = "<?xml version=\"1.0\"?>\n<a:Root xmlns:a=\"x\">\n  <a:Child k=\"v&amp;w\">x &lt; y &#233;</a:Child>\n  <Empty/>\n</a:Root>";
        let root = Element::parse(doc).unwrap();
        assert_eq!(root.name, "Root");
        let child = root.child("Child").unwrap();
        assert_eq!(child.line, 3);
        assert_eq!(child.attr("k"), Some("v&w"));
        assert_eq!(child.text(), "x < y é");
        assert_eq!(root.child("Empty").unwrap().line, 4);
    }

    #[test]
    fn reports_the_line_of_broken_markup() {
        let err = Element::parse("<a>\n<b>\n</a>").unwrap_err();
        assert!(err.line >= 2, "{err}");
    }

    #[test]
    fn writer_escapes() {
        let mut w = XmlWriter::new();
        w.start("r", &[("a", "x\"<")]);
        w.leaf("t", &[], "a & b");
        w.end("r");
        let s = String::from_utf8(w.finish()).unwrap();
        assert!(s.contains("a &amp; b"), "{s}");
        assert!(s.contains("a=\"x&quot;&lt;\""), "{s}");
        Element::parse(&s).unwrap();
    }
}
