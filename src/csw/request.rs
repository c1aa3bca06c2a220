//! CSW 2.0.2 requests, from KVP (GET) or XML (POST), read into one model.

use tuile_core::records::search::{Constraint, Queryable, SortBy, from_cql_text};
use tuile_core::xml::Element;

use super::exception::CswError;
use crate::catalogue::ElementSet;
use crate::ows::Kvp;

pub const CSW_NS: &str = "http://www.opengis.net/cat/csw/2.0.2";
pub const GMD_NS: &str = "http://www.isotc211.org/2005/gmd";

/// The record schema an answer is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputSchema {
    /// `csw:Record` (Dublin Core).
    DublinCore,
    /// `gmd:MD_Metadata` (ISO 19139).
    Iso,
}

impl OutputSchema {
    fn parse(s: Option<&str>) -> Result<OutputSchema, CswError> {
        match s.map(str::trim) {
            None | Some("") | Some(CSW_NS) | Some("csw:Record") => Ok(OutputSchema::DublinCore),
            Some(GMD_NS)
            | Some("http://www.isotc211.org/2005/gmd/")
            | Some("gmd:MD_Metadata")
            | Some("csw:IsoRecord") => Ok(OutputSchema::Iso),
            Some(other) => Err(CswError::invalid(
                "outputSchema",
                format!("`{other}` is not offered; use {CSW_NS} or {GMD_NS}"),
            )),
        }
    }

    pub fn uri(&self) -> &'static str {
        match self {
            OutputSchema::DublinCore => CSW_NS,
            OutputSchema::Iso => GMD_NS,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResultType {
    Hits,
    Results,
}

#[derive(Debug, Clone)]
pub struct GetRecords {
    pub result_type: ResultType,
    pub schema: OutputSchema,
    pub element_set: ElementSet,
    /// From 1.
    pub start: usize,
    pub max: usize,
    pub constraint: Constraint,
    pub sort: Vec<SortBy>,
}

#[derive(Debug, Clone)]
pub enum Request {
    GetCapabilities,
    DescribeRecord {
        type_names: Vec<String>,
    },
    GetRecords(GetRecords),
    GetRecordById {
        ids: Vec<String>,
        schema: OutputSchema,
        element_set: ElementSet,
    },
}

/// The default and the most records a GetRecords answers.
pub const DEFAULT_MAX_RECORDS: usize = 10;
pub const MAX_RECORDS: usize = 100;

fn check_service_version(service: Option<&str>, version: Option<&str>, needs_service: bool) -> Result<(), CswError> {
    match service {
        Some(s) if s.eq_ignore_ascii_case("CSW") => {}
        Some(s) => return Err(CswError::invalid("service", format!("`{s}` is not CSW"))),
        None if needs_service => return Err(CswError::missing("service")),
        None => {}
    }
    match version {
        None | Some("2.0.2") => Ok(()),
        Some(v) => Err(CswError::new(
            actix_web::http::StatusCode::BAD_REQUEST,
            "VersionNegotiationFailed",
            "version",
            format!("version {v} is not supported; this catalogue speaks CSW 2.0.2"),
        )),
    }
}

fn element_set(s: Option<&str>) -> Result<ElementSet, CswError> {
    ElementSet::parse(s.unwrap_or("summary"))
        .ok_or_else(|| CswError::invalid("ElementSetName", "the element set is brief, summary or full"))
}

fn number(name: &str, s: Option<&str>, default: usize) -> Result<usize, CswError> {
    match s.map(str::trim) {
        None | Some("") => Ok(default),
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| CswError::invalid(name, format!("`{v}` is not a non-negative integer"))),
    }
}

fn paging(start: Option<&str>, max: Option<&str>) -> Result<(usize, usize), CswError> {
    let start = number("startPosition", start, 1)?;
    if start == 0 {
        return Err(CswError::invalid("startPosition", "positions start at 1"));
    }
    let max = number("maxRecords", max, DEFAULT_MAX_RECORDS)?.min(MAX_RECORDS);
    Ok((start, max))
}

fn result_type(s: Option<&str>) -> Result<ResultType, CswError> {
    match s.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None | Some("") | Some("hits") => Ok(ResultType::Hits),
        Some("results") => Ok(ResultType::Results),
        Some(other) => Err(CswError::invalid(
            "resultType",
            format!("`{other}` is not supported; use hits or results"),
        )),
    }
}

/// `SORTBY=dc:title:A,apiso:Modified:D`
fn sort_kvp(s: Option<&str>) -> Result<Vec<SortBy>, CswError> {
    let Some(s) = s.filter(|s| !s.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    s.split(',')
        .map(|item| {
            let (name, order) = match item.rsplit_once(':') {
                Some((n, o)) if o.eq_ignore_ascii_case("A") || o.eq_ignore_ascii_case("D") => (n, o),
                _ => (item, "A"),
            };
            sort_by(name, order.eq_ignore_ascii_case("D"))
        })
        .collect()
}

fn sort_by(name: &str, descending: bool) -> Result<SortBy, CswError> {
    let queryable = Queryable::by_name(name.trim())
        .ok_or_else(|| CswError::invalid("sortBy", format!("`{name}` is not a queryable of this catalogue")))?;
    Ok(SortBy { queryable, descending })
}

/// Checks `typeNames`: the two record types this catalogue holds.
fn type_names(names: Option<&str>) -> Result<(), CswError> {
    for name in names
        .unwrap_or("")
        .split([',', ' '])
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        if !matches!(name.rsplit(':').next(), Some("Record" | "MD_Metadata")) {
            return Err(CswError::invalid(
                "typeNames",
                format!(
                    "`{}` is not a record type here (csw:Record, gmd:MD_Metadata)",
                    tuile_core::xml::clean(name)
                ),
            ));
        }
    }
    Ok(())
}

fn cql(text: &str) -> Result<Constraint, CswError> {
    from_cql_text(text).map_err(|e| CswError::invalid("constraint", e.to_string()))
}

fn fe(xml: &str) -> Result<Constraint, CswError> {
    let filter =
        Element::parse(xml).map_err(|e| CswError::invalid("constraint", format!("the filter is not XML: {e}")))?;
    super::filter::read(&filter).map_err(|e| CswError::invalid("constraint", e))
}

impl Request {
    /// A KVP request (GET).
    pub fn from_kvp(kvp: &Kvp) -> Result<Request, CswError> {
        let request = kvp
            .get_nonempty("request")
            .ok_or_else(|| CswError::missing("request"))?;
        let is_caps = request.eq_ignore_ascii_case("GetCapabilities");
        check_service_version(
            kvp.get("service"),
            if is_caps { None } else { kvp.get("version") },
            !is_caps,
        )?;
        Ok(match request.to_ascii_lowercase().as_str() {
            "getcapabilities" => Request::GetCapabilities,
            "describerecord" => Request::DescribeRecord {
                type_names: kvp
                    .get("typename")
                    .map(|t| t.split(',').map(|s| s.trim().to_string()).collect())
                    .unwrap_or_default(),
            },
            "getrecords" => {
                type_names(kvp.get("typenames"))?;
                let (start, max) = paging(kvp.get("startposition"), kvp.get("maxrecords"))?;
                let constraint = match (kvp.get_nonempty("constraint"), kvp.get("constraintlanguage")) {
                    (None, _) => Constraint::All(Vec::new()),
                    (Some(_), None) => return Err(CswError::missing("constraintLanguage")),
                    (Some(c), Some(l)) if l.eq_ignore_ascii_case("CQL_TEXT") => cql(c)?,
                    (Some(c), Some(l)) if l.eq_ignore_ascii_case("FILTER") => fe(c)?,
                    (Some(_), Some(l)) => {
                        return Err(CswError::invalid(
                            "constraintLanguage",
                            format!("`{l}` is not supported; use CQL_TEXT or FILTER"),
                        ));
                    }
                };
                Request::GetRecords(GetRecords {
                    result_type: result_type(kvp.get("resulttype"))?,
                    schema: OutputSchema::parse(kvp.get("outputschema"))?,
                    element_set: element_set(kvp.get_nonempty("elementsetname"))?,
                    start,
                    max,
                    constraint,
                    sort: sort_kvp(kvp.get("sortby"))?,
                })
            }
            "getrecordbyid" => Request::GetRecordById {
                ids: kvp
                    .get_nonempty("id")
                    .ok_or_else(|| CswError::missing("id"))?
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                schema: OutputSchema::parse(kvp.get("outputschema"))?,
                element_set: element_set(Some(kvp.get_nonempty("elementsetname").unwrap_or("full")))?,
            },
            _ => return Err(unsupported(request)),
        })
    }

    /// An XML request (POST).
    pub fn from_xml(body: &str) -> Result<Request, CswError> {
        let root =
            Element::parse(body).map_err(|e| CswError::invalid("request", format!("the request is not XML: {e}")))?;
        let is_caps = root.name == "GetCapabilities";
        check_service_version(
            root.attr("service"),
            if is_caps { None } else { root.attr("version") },
            false,
        )?;
        Ok(match root.name.as_str() {
            "GetCapabilities" => Request::GetCapabilities,
            "DescribeRecord" => Request::DescribeRecord {
                type_names: root
                    .elements()
                    .filter(|e| e.name == "TypeName")
                    .map(|e| e.text())
                    .collect(),
            },
            "GetRecords" => {
                let (start, max) = paging(root.attr("startPosition"), root.attr("maxRecords"))?;
                let query = root.child("Query").ok_or_else(|| CswError::missing("Query"))?;
                type_names(query.attr("typeNames"))?;
                let element_set = match query.child("ElementSetName") {
                    Some(e) => element_set(Some(&e.text()))?,
                    // Named elements: the summary carries the usual ones.
                    None if query.child("ElementName").is_some() => ElementSet::Summary,
                    None => ElementSet::Summary,
                };
                let constraint = match query.child("Constraint") {
                    None => Constraint::All(Vec::new()),
                    Some(c) => match (c.child("Filter"), c.child("CqlText")) {
                        (Some(f), _) => super::filter::read(f).map_err(|e| CswError::invalid("Constraint", e))?,
                        (None, Some(t)) => cql(&t.text())?,
                        (None, None) => {
                            return Err(CswError::invalid(
                                "Constraint",
                                "a Constraint holds a Filter or a CqlText",
                            ));
                        }
                    },
                };
                let sort = match query.child("SortBy") {
                    None => Vec::new(),
                    Some(s) => s
                        .elements()
                        .filter(|p| p.name == "SortProperty")
                        .map(|p| {
                            let name = p.child("PropertyName").map(|n| n.text()).unwrap_or_default();
                            let desc = p
                                .child("SortOrder")
                                .is_some_and(|o| o.text().eq_ignore_ascii_case("DESC"));
                            sort_by(&name, desc)
                        })
                        .collect::<Result<_, _>>()?,
                };
                Request::GetRecords(GetRecords {
                    result_type: result_type(root.attr("resultType"))?,
                    schema: OutputSchema::parse(root.attr("outputSchema"))?,
                    element_set,
                    start,
                    max,
                    constraint,
                    sort,
                })
            }
            "GetRecordById" => Request::GetRecordById {
                ids: root.elements().filter(|e| e.name == "Id").map(|e| e.text()).collect(),
                schema: OutputSchema::parse(root.attr("outputSchema"))?,
                element_set: element_set(Some(
                    &root
                        .child("ElementSetName")
                        .map(|e| e.text())
                        .unwrap_or_else(|| "full".into()),
                ))?,
            },
            other => return Err(unsupported(other)),
        })
    }
}

fn unsupported(operation: &str) -> CswError {
    CswError::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "OperationNotSupported",
        "request",
        format!(
            "`{}` is not an operation of this catalogue (GetCapabilities, DescribeRecord, GetRecords, GetRecordById); it is read-only",
            tuile_core::xml::clean(operation)
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_national_portal_harvest_request_reads() {
        let xml = r#"<?xml version="1.0"?>
<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc"
  service="CSW" version="2.0.2" resultType="results" startPosition="26" maxRecords="25"
  outputSchema="http://www.isotc211.org/2005/gmd">
  <csw:Query typeNames="csw:Record">
    <csw:ElementSetName>full</csw:ElementSetName>
    <csw:Constraint version="1.1.0">
      <ogc:Filter><ogc:Or>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>dataset</ogc:Literal></ogc:PropertyIsEqualTo>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>series</ogc:Literal></ogc:PropertyIsEqualTo>
        <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>service</ogc:Literal></ogc:PropertyIsEqualTo>
      </ogc:Or></ogc:Filter>
    </csw:Constraint>
    <ogc:SortBy><ogc:SortProperty><ogc:PropertyName>apiso:identifier</ogc:PropertyName><ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
  </csw:Query>
</csw:GetRecords>"#;
        let Request::GetRecords(g) = Request::from_xml(xml).unwrap() else {
            panic!()
        };
        assert_eq!(
            (g.start, g.max, g.schema, g.result_type),
            (26, 25, OutputSchema::Iso, ResultType::Results)
        );
        assert_eq!(g.element_set, ElementSet::Full);
        assert!(matches!(&g.constraint, Constraint::Any(v) if v.len() == 3));
        assert_eq!(
            g.sort,
            vec![SortBy {
                queryable: Queryable::Identifier,
                descending: false
            }]
        );
    }

    #[test]
    fn kvp_errors_name_the_parameter() {
        let e =
            Request::from_kvp(&Kvp::parse("service=CSW&version=2.0.2&request=GetRecords&maxRecords=x")).unwrap_err();
        assert_eq!(
            (e.code, e.locator.as_deref()),
            ("InvalidParameterValue", Some("maxRecords"))
        );
        let e = Request::from_kvp(&Kvp::parse("service=CSW&version=2.0.2&request=Harvest")).unwrap_err();
        assert_eq!(e.code, "OperationNotSupported");
        let e = Request::from_kvp(&Kvp::parse("service=CSW&version=3.0.0&request=GetRecords")).unwrap_err();
        assert_eq!(e.code, "VersionNegotiationFailed");
        let e = Request::from_kvp(&Kvp::parse(
            "service=CSW&version=2.0.2&request=GetRecords&constraintLanguage=CQL_TEXT&constraint=dc:nope%3D1",
        ))
        .unwrap_err();
        assert!(e.message.contains("dc:nope"), "{}", e.message);
    }
}
