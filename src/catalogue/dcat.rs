//! DCAT-AP: the catalogue as linked data, for the national open-data
//! portal and the European data portal. The graph is built once as
//! triples and written in JSON-LD or Turtle, so the two always say the
//! same thing. Large catalogues are paged with Hydra.

use std::fmt::Write;

use serde_json::{Map, Value, json};

use super::Urls;
use tuile_core::records::{Record, Scope};

const PREFIXES: &[(&str, &str)] = &[
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("locn", "http://www.w3.org/ns/locn#"),
    ("gsp", "http://www.opengis.net/ont/geosparql#"),
    ("hydra", "http://www.w3.org/ns/hydra/core#"),
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
];

/// The datasets per page.
pub const PAGE_SIZE: usize = 100;

#[derive(Debug, Clone, PartialEq)]
enum Term {
    Iri(String),
    Blank(String),
    Text(String, Option<&'static str>),
    Typed(String, &'static str),
}

/// Triples, grouped by subject in the order they were added.
#[derive(Default)]
struct Graph {
    nodes: Vec<(Term, Vec<(&'static str, Term)>)>,
    blanks: usize,
}

impl Graph {
    fn node(&mut self, subject: Term) -> usize {
        self.nodes.push((subject, Vec::new()));
        self.nodes.len() - 1
    }

    fn add(&mut self, node: usize, predicate: &'static str, object: Term) {
        self.nodes[node].1.push((predicate, object));
    }

    fn blank(&mut self) -> (usize, Term) {
        self.blanks += 1;
        let t = Term::Blank(format!("b{}", self.blanks));
        (self.node(t.clone()), t)
    }
}

fn iri(s: impl Into<String>) -> Term {
    Term::Iri(s.into())
}

fn fr(s: &str) -> Term {
    Term::Text(s.to_string(), Some("fr"))
}

fn en(s: &str) -> Term {
    Term::Text(s.to_string(), Some("en"))
}

fn plain(s: &str) -> Term {
    Term::Text(s.to_string(), None)
}

/// The catalogue page `page` (from 1) as a graph.
fn graph(records: &[Record], urls: &Urls, page: usize) -> Graph {
    let m = &urls.catalog.metadata;
    let mut g = Graph::default();
    let catalog_iri = urls.at("/dcat");
    let cat = g.node(iri(&catalog_iri));
    g.add(cat, "rdf:type", iri("dcat:Catalog"));
    g.add(cat, "dct:title", fr(&m.title.fr));
    g.add(cat, "dct:title", en(&m.title.en));
    g.add(cat, "dct:description", fr(&m.abstract_.fr));
    g.add(cat, "dct:description", en(&m.abstract_.en));
    g.add(cat, "foaf:homepage", iri(urls.at("/")));
    g.add(
        cat,
        "dct:language",
        iri("http://publications.europa.eu/resource/authority/language/FRA"),
    );
    let modified = records
        .iter()
        .map(|r| r.modified)
        .max()
        .map(tuile_core::records::iso_datetime);
    if let Some(modified) = &modified {
        g.add(cat, "dct:modified", Term::Typed(modified.clone(), "xsd:dateTime"));
    }
    if let Some(l) = &m.licence_url {
        g.add(cat, "dct:license", iri(l));
    }
    let publisher = publisher(&mut g, urls);
    g.add(cat, "dct:publisher", publisher.clone());

    let datasets: Vec<&Record> = records
        .iter()
        .filter(|r| !matches!(r.scope, Scope::Service(_)))
        .collect();
    let pages = datasets.len().div_ceil(PAGE_SIZE).max(1);
    let page = page.clamp(1, pages);
    let shown = &datasets[(page - 1) * PAGE_SIZE..(page * PAGE_SIZE).min(datasets.len())];
    for r in shown {
        let d = dataset(&mut g, r, urls, &publisher);
        g.add(cat, "dcat:dataset", d);
    }
    for r in records.iter().filter(|r| matches!(r.scope, Scope::Service(_))) {
        let s = service(&mut g, r, urls);
        g.add(cat, "dcat:service", s);
    }
    if pages > 1 {
        let view = g.node(iri(urls.at(&format!("/dcat?page={page}"))));
        g.add(view, "rdf:type", iri("hydra:PartialCollectionView"));
        g.add(view, "hydra:first", iri(urls.at("/dcat?page=1")));
        g.add(view, "hydra:last", iri(urls.at(&format!("/dcat?page={pages}"))));
        if page > 1 {
            g.add(
                view,
                "hydra:previous",
                iri(urls.at(&format!("/dcat?page={}", page - 1))),
            );
        }
        if page < pages {
            g.add(view, "hydra:next", iri(urls.at(&format!("/dcat?page={}", page + 1))));
        }
        g.add(
            view,
            "hydra:totalItems",
            Term::Typed(datasets.len().to_string(), "xsd:integer"),
        );
        g.add(cat, "hydra:view", iri(urls.at(&format!("/dcat?page={page}"))));
    }
    g
}

fn publisher(g: &mut Graph, urls: &Urls) -> Term {
    let m = &urls.catalog.metadata;
    let p = iri(&m.provider.site);
    let n = g.node(p.clone());
    g.add(n, "rdf:type", iri("foaf:Agent"));
    g.add(n, "foaf:name", plain(&m.provider.name));
    p
}

fn contact(g: &mut Graph, urls: &Urls) -> Term {
    let c = &urls.catalog.metadata.contact;
    let (n, t) = g.blank();
    g.add(n, "rdf:type", iri("vcard:Organization"));
    g.add(n, "vcard:fn", plain(&c.organization));
    g.add(n, "vcard:hasEmail", iri(format!("mailto:{}", c.email)));
    t
}

fn dataset(g: &mut Graph, r: &Record, urls: &Urls, publisher: &Term) -> Term {
    let id = iri(r.identifier());
    let n = g.node(id.clone());
    g.add(n, "rdf:type", iri("dcat:Dataset"));
    g.add(n, "dct:identifier", plain(&r.identifier()));
    g.add(n, "dct:title", fr(&r.title.fr));
    if !r.title.en.is_empty() {
        g.add(n, "dct:title", en(&r.title.en));
    }
    g.add(n, "dct:description", fr(&r.abstract_.fr));
    if !r.abstract_.en.is_empty() {
        g.add(n, "dct:description", en(&r.abstract_.en));
    }
    g.add(n, "dct:modified", Term::Typed(r.modified_iso(), "xsd:dateTime"));
    g.add(n, "dct:publisher", publisher.clone());
    let c = contact(g, urls);
    g.add(n, "dcat:contactPoint", c);
    for k in &r.keywords {
        g.add(n, "dcat:keyword", plain(k));
    }
    if let Some(t) = r.theme {
        g.add(n, "dcat:theme", iri(t.uri()));
    }
    g.add(
        n,
        "dcat:landingPage",
        iri(urls.at(&format!("/collections/catalog/items/{}?f=html", r.uuid))),
    );
    g.add(n, "foaf:isPrimaryTopicOf", iri(urls.iso_record(&r.uuid)));
    g.add(
        n,
        "dct:accessRights",
        iri(if r.restricted {
            "http://publications.europa.eu/resource/authority/access-right/RESTRICTED"
        } else {
            "http://publications.europa.eu/resource/authority/access-right/PUBLIC"
        }),
    );
    let (loc, loc_t) = g.blank();
    g.add(loc, "rdf:type", iri("dct:Location"));
    let e = r.extent;
    let wkt = format!(
        "POLYGON(({0} {1}, {2} {1}, {2} {3}, {0} {3}, {0} {1}))",
        e.minx, e.miny, e.maxx, e.maxy
    );
    g.add(loc, "dcat:bbox", Term::Typed(wkt, "gsp:wktLiteral"));
    g.add(n, "dct:spatial", loc_t);
    if let Some((begin, end)) = &r.temporal {
        let (p, p_t) = g.blank();
        g.add(p, "rdf:type", iri("dct:PeriodOfTime"));
        g.add(p, "dcat:startDate", Term::Typed(begin.clone(), "xsd:date"));
        g.add(p, "dcat:endDate", Term::Typed(end.clone(), "xsd:date"));
        g.add(n, "dct:temporal", p_t);
    }
    if let Some(m) = r.derived.resolution_m {
        g.add(
            n,
            "dcat:spatialResolutionInMeters",
            Term::Typed(m.to_string(), "xsd:decimal"),
        );
    }
    for (i, l) in urls.links(r).iter().enumerate() {
        let dist = iri(format!("{}#distribution-{}", r.identifier(), i + 1));
        let d = g.node(dist.clone());
        g.add(d, "rdf:type", iri("dcat:Distribution"));
        g.add(d, "dct:title", fr(&l.description));
        g.add(d, "dcat:accessURL", iri(&l.url));
        if l.function == super::Function::Download {
            g.add(d, "dcat:downloadURL", iri(&l.url));
        }
        g.add(
            d,
            "dcat:mediaType",
            iri(format!("http://www.iana.org/assignments/media-types/{}", l.media_type)),
        );
        g.add(d, "dct:format", plain(l.protocol));
        match &r.licence_url {
            Some(u) => g.add(d, "dct:license", iri(u)),
            None => g.add(d, "dct:rights", plain(&r.licence)),
        }
        g.add(n, "dcat:distribution", dist);
    }
    id
}

fn service(g: &mut Graph, r: &Record, urls: &Urls) -> Term {
    let s = r.service().expect("a service record");
    let id = iri(r.identifier());
    let n = g.node(id.clone());
    g.add(n, "rdf:type", iri("dcat:DataService"));
    g.add(n, "dct:identifier", plain(&r.identifier()));
    g.add(n, "dct:title", fr(&r.title.fr));
    g.add(n, "dct:title", en(&r.title.en));
    g.add(n, "dct:description", fr(&r.abstract_.fr));
    g.add(n, "dcat:endpointURL", iri(urls.at(s.path())));
    g.add(n, "dcat:endpointDescription", iri(urls.at(s.description_path())));
    g.add(
        n,
        "dct:conformsTo",
        iri(match s {
            tuile_core::records::Service::Wms => "http://www.opengis.net/def/serviceType/ogc/wms",
            tuile_core::records::Service::Wmts => "http://www.opengis.net/def/serviceType/ogc/wmts",
            tuile_core::records::Service::Features => "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            tuile_core::records::Service::Csw => "http://www.opengis.net/def/serviceType/ogc/csw",
        }),
    );
    if let Some(u) = &r.licence_url {
        g.add(n, "dct:license", iri(u));
    }
    for (_, identifier, _) in &r.operates_on {
        g.add(n, "dcat:servesDataset", iri(identifier));
    }
    id
}

/// The catalogue as JSON-LD (compacted with the prefixes, one node per subject).
pub fn json_ld(records: &[Record], urls: &Urls, page: usize) -> Value {
    let g = graph(records, urls, page);
    let context: Map<String, Value> = PREFIXES.iter().map(|(p, ns)| (p.to_string(), json!(ns))).collect();
    let nodes: Vec<Value> = g
        .nodes
        .iter()
        .map(|(subject, props)| {
            let mut o = Map::new();
            o.insert("@id".into(), json!(id_of(subject)));
            for (p, obj) in props {
                let (key, value) = if *p == "rdf:type" {
                    ("@type".to_string(), json!(id_of(obj)))
                } else {
                    (p.to_string(), object(obj))
                };
                match o.get_mut(&key) {
                    Some(Value::Array(a)) => a.push(value),
                    _ => {
                        o.insert(key, json!([value]));
                    }
                }
            }
            Value::Object(o)
        })
        .collect();
    json!({"@context": context, "@graph": nodes})
}

fn id_of(t: &Term) -> String {
    match t {
        Term::Iri(s) => s.clone(),
        Term::Blank(b) => format!("_:{b}"),
        Term::Text(s, _) | Term::Typed(s, _) => s.clone(),
    }
}

fn object(t: &Term) -> Value {
    match t {
        Term::Iri(_) | Term::Blank(_) => json!({"@id": id_of(t)}),
        Term::Text(s, Some(lang)) => json!({"@value": s, "@language": lang}),
        Term::Text(s, None) => json!({"@value": s}),
        Term::Typed(s, ty) => json!({"@value": s, "@type": ty}),
    }
}

/// The catalogue as Turtle.
pub fn turtle(records: &[Record], urls: &Urls, page: usize) -> String {
    let g = graph(records, urls, page);
    let mut out = String::new();
    for (p, ns) in PREFIXES {
        let _ = writeln!(out, "@prefix {p}: <{ns}> .");
    }
    for (subject, props) in &g.nodes {
        let _ = write!(out, "\n{}", term(subject));
        for (i, (p, o)) in props.iter().enumerate() {
            let sep = if i == 0 { "\n    " } else { " ;\n    " };
            let p = if *p == "rdf:type" { "a" } else { p };
            let _ = write!(out, "{sep}{p} {}", term(o));
        }
        out.push_str(" .\n");
    }
    out
}

/// A term in Turtle: prefixed names stay prefixed, IRIs in `<>`.
fn term(t: &Term) -> String {
    match t {
        Term::Iri(s) if is_prefixed(s) => s.clone(),
        Term::Iri(s) => format!("<{}>", escape_iri(s)),
        Term::Blank(b) => format!("_:{b}"),
        Term::Text(s, Some(lang)) => format!("{}@{lang}", quote(s)),
        Term::Text(s, None) => quote(s),
        Term::Typed(s, ty) => format!("{}^^{ty}", quote(s)),
    }
}

fn is_prefixed(s: &str) -> bool {
    s.split_once(':')
        .is_some_and(|(p, rest)| PREFIXES.iter().any(|(q, _)| *q == p) && !rest.starts_with("//"))
}

/// IRIs as Turtle allows them: the few characters it forbids, %-escaped.
fn escape_iri(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\' | ' ' => format!("%{:02X}", c as u32),
            c if (c as u32) < 0x20 => format!("%{:02X}", c as u32),
            c => c.to_string(),
        })
        .collect()
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
