//! CSW 2.0.2 at `/csw` (KVP GET and XML POST), with the ISO application
//! profile: the catalogue harvesters read. GetCapabilities, DescribeRecord,
//! GetRecords (hits and results, paging, brief/summary/full, Dublin Core
//! or ISO 19139, CQL and Filter Encoding constraints, SortBy) and
//! GetRecordById. A thin adapter: the records and their search come from
//! `tuile_core::records`, their encodings from [`crate::catalogue`].

pub mod capabilities;
pub mod exception;
pub mod filter;
pub mod request;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;

use crate::catalogue::{ElementSet, Urls, dublin_core, iso19139};
use crate::http::{Labels, Protocol, get};
use crate::ows::Kvp;
use crate::state::AppState;
use exception::CswError;
use request::{GetRecords, OutputSchema, Request, ResultType};
use tuile_core::records::{self, Record, search};
use tuile_core::xml::XmlWriter;

pub static PROTOCOL: Protocol = Protocol { classify, error };

fn classify(path: &[&str], query: &str) -> Option<Labels> {
    match path {
        ["csw"] => {
            let kvp = Kvp::parse(query);
            let known = [
                ("getcapabilities", "GetCapabilities"),
                ("describerecord", "DescribeRecord"),
                ("getrecords", "GetRecords"),
                ("getrecordbyid", "GetRecordById"),
            ];
            Some(Labels::new("csw", kvp.operation(&known)))
        }
        _ => None,
    }
}

fn error(status: StatusCode, message: String) -> HttpResponse {
    let code = if status.is_server_error() {
        "NoApplicableCode"
    } else {
        "InvalidParameterValue"
    };
    CswError::new(status, code, "", message).response()
}

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/csw")
            .route(get().to(kvp))
            .route(web::post().to(post))
            .default_service(web::to(|req: HttpRequest| async move {
                let mut resp = error(
                    StatusCode::METHOD_NOT_ALLOWED,
                    format!("{} is not supported here; use GET or POST", req.method()),
                );
                *resp.status_mut() = StatusCode::METHOD_NOT_ALLOWED;
                resp.headers_mut()
                    .insert(header::ALLOW, header::HeaderValue::from_static("GET, HEAD, POST"));
                resp
            })),
    );
}

/// `GET /csw?SERVICE=CSW&REQUEST=…`
async fn kvp(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let kvp = Kvp::parse(req.query_string());
    match Request::from_kvp(&kvp) {
        Ok(r) => answer(&req, &state, r),
        Err(e) => e.response(),
    }
}

/// `POST /csw` with an XML request.
async fn post(req: HttpRequest, state: web::Data<AppState>, mut body: web::Payload) -> HttpResponse {
    let limit = state.catalog().config.server.limits.max_body_bytes;
    let mut bytes = web::BytesMut::new();
    while let Some(chunk) = body.next().await {
        let Ok(chunk) = chunk else {
            return CswError::invalid("request", "the request body could not be read").response();
        };
        if bytes.len() + chunk.len() > limit {
            let mut e = CswError::invalid("request", format!("request bodies are limited to {limit} bytes"));
            e.status = StatusCode::PAYLOAD_TOO_LARGE;
            return e.response();
        }
        bytes.extend_from_slice(&chunk);
    }
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return CswError::invalid("request", "the request body is not UTF-8").response();
    };
    match Request::from_xml(text) {
        Ok(r) => answer(&req, &state, r),
        Err(e) => e.response(),
    }
}

fn answer(req: &HttpRequest, state: &AppState, request: Request) -> HttpResponse {
    let catalog = state.catalog_for(req);
    let urls = Urls::of(req, state, &catalog);
    let records = || records::records(&catalog);
    let body = match request {
        Request::GetCapabilities => capabilities::document(&urls),
        Request::DescribeRecord { type_names } => match describe_record(&type_names) {
            Ok(b) => b,
            Err(e) => return e.response(),
        },
        Request::GetRecords(g) => get_records(&urls, &records(), &g),
        Request::GetRecordById {
            ids,
            schema,
            element_set,
        } => {
            let records = records();
            let found: Vec<&Record> = ids
                .iter()
                .filter_map(|id| records.iter().find(|r| &r.uuid == id || &r.identifier() == id))
                .collect();
            by_id(&urls, &found, schema, element_set)
        }
    };
    HttpResponse::Ok()
        .content_type("application/xml; charset=UTF-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(body)
}

/// The root of an answer carrying records, with every namespace they use.
fn start_answer(w: &mut XmlWriter, root: &str, schema: OutputSchema, extra: &[(&str, &str)]) {
    let mut attrs: Vec<(&str, &str)> = vec![
        ("xmlns:csw", request::CSW_NS),
        ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
    ];
    match schema {
        OutputSchema::DublinCore => attrs.extend_from_slice(dublin_core::NAMESPACES),
        OutputSchema::Iso => attrs.extend_from_slice(iso19139::NAMESPACES),
    }
    attrs.extend_from_slice(extra);
    let location = match schema {
        OutputSchema::DublinCore => {
            "http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd"
        }
        OutputSchema::Iso => {
            "http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd http://www.isotc211.org/2005/gmd http://schemas.opengis.net/csw/2.0.2/profiles/apiso/1.0.0/apiso.xsd"
        }
    };
    attrs.push(("xsi:schemaLocation", location));
    w.start(root, &attrs);
}

fn write_record(w: &mut XmlWriter, urls: &Urls, r: &Record, schema: OutputSchema, set: ElementSet) {
    match schema {
        OutputSchema::DublinCore => dublin_core::write(w, r, urls, set),
        OutputSchema::Iso => iso19139::write(w, r, urls.catalog, urls, set, false),
    }
}

fn get_records(urls: &Urls, records: &[Record], g: &GetRecords) -> Vec<u8> {
    let hits = search::select(records, &g.constraint, &g.sort);
    let matched = hits.len();
    let page: Vec<&Record> = match g.result_type {
        ResultType::Hits => Vec::new(),
        ResultType::Results => hits.into_iter().skip(g.start - 1).take(g.max).collect(),
    };
    let next = if g.result_type == ResultType::Results && g.start - 1 + page.len() < matched {
        g.start + page.len()
    } else {
        0
    };
    let mut w = XmlWriter::new();
    start_answer(&mut w, "csw:GetRecordsResponse", g.schema, &[("version", "2.0.2")]);
    w.empty(
        "csw:SearchStatus",
        &[(
            "timestamp",
            &tuile_core::records::iso_datetime(std::time::SystemTime::now()),
        )],
    );
    let (matched_s, returned_s, next_s) = (matched.to_string(), page.len().to_string(), next.to_string());
    let set = match g.element_set {
        ElementSet::Brief => "brief",
        ElementSet::Summary => "summary",
        ElementSet::Full => "full",
    };
    w.start(
        "csw:SearchResults",
        &[
            ("numberOfRecordsMatched", &matched_s),
            ("numberOfRecordsReturned", &returned_s),
            ("nextRecord", &next_s),
            ("recordSchema", g.schema.uri()),
            ("elementSet", set),
        ],
    );
    for r in page {
        write_record(&mut w, urls, r, g.schema, g.element_set);
    }
    w.end("csw:SearchResults");
    w.end("csw:GetRecordsResponse");
    w.finish()
}

fn by_id(urls: &Urls, found: &[&Record], schema: OutputSchema, set: ElementSet) -> Vec<u8> {
    let mut w = XmlWriter::new();
    start_answer(&mut w, "csw:GetRecordByIdResponse", schema, &[]);
    for r in found {
        write_record(&mut w, urls, r, schema, set);
    }
    w.end("csw:GetRecordByIdResponse");
    w.finish()
}

/// The schemas of the two record types, by reference to the official ones.
fn describe_record(type_names: &[String]) -> Result<Vec<u8>, CswError> {
    let all = ["csw:Record".to_string(), "gmd:MD_Metadata".to_string()];
    let wanted: &[String] = if type_names.iter().all(|t| t.is_empty()) {
        &all
    } else {
        type_names
    };
    let mut w = XmlWriter::new();
    w.start(
        "csw:DescribeRecordResponse",
        &[
            ("xmlns:csw", request::CSW_NS),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            (
                "xsi:schemaLocation",
                "http://www.opengis.net/cat/csw/2.0.2 http://schemas.opengis.net/csw/2.0.2/CSW-discovery.xsd",
            ),
        ],
    );
    for t in wanted {
        let (ns, location) = match t.rsplit(':').next().unwrap_or("") {
            "Record" => (request::CSW_NS, "http://schemas.opengis.net/csw/2.0.2/record.xsd"),
            "MD_Metadata" => (
                request::GMD_NS,
                "http://schemas.opengis.net/iso/19139/20070417/gmd/gmd.xsd",
            ),
            _ => {
                return Err(CswError::invalid(
                    "typeName",
                    format!(
                        "`{}` is not a record type here (csw:Record, gmd:MD_Metadata)",
                        tuile_core::xml::clean(t)
                    ),
                ));
            }
        };
        w.start(
            "csw:SchemaComponent",
            &[
                ("targetNamespace", ns),
                ("schemaLanguage", "http://www.w3.org/XML/Schema"),
            ],
        );
        w.start(
            "xsd:schema",
            &[
                ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
                ("targetNamespace", ns),
                ("elementFormDefault", "qualified"),
            ],
        );
        w.empty("xsd:include", &[("schemaLocation", location)]);
        w.end("xsd:schema");
        w.end("csw:SchemaComponent");
    }
    w.end("csw:DescribeRecordResponse");
    Ok(w.finish())
}
