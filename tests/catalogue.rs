//! The catalogue: records derived from the data (and changing with it),
//! ISO 19139 and CSW 2.0.2 answers valid against the official schemas, the
//! links from the capabilities, DCAT, the search and the access rules.
//! The client side (OWSLib, pycsw harvesting, rdflib) is in
//! tests/clients/test_catalogue.py.

mod common;

use common::sandbox::Sandbox;
use common::*;
use serde_json::Value;

const KEY: &str = "demo-membres";
const RESTRICTED: &str = "adresses_cadastre";
const GMD: &str = "http://www.isotc211.org/2005/gmd";

fn json(r: &Reply) -> Value {
    assert_eq!(r.status, 200, "{}", r.text());
    serde_json::from_slice(&r.body).unwrap()
}

/// The catalogue's records as OGC API Records items: (layer or type, record).
async fn records<S>(app: &S, query: &str) -> Vec<Value>
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
        >,
{
    let doc = json(&get(app, &format!("/collections/catalog/items?limit=100{query}")).await);
    doc["features"].as_array().unwrap().clone()
}

fn record_of<'a>(records: &'a [Value], layer: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["properties"]["layer"] == layer)
        .unwrap_or_else(|| panic!("no record for {layer}"))
}

fn titles(records: &[Value]) -> Vec<String> {
    records
        .iter()
        .map(|r| r["properties"]["title"].as_str().unwrap().to_string())
        .collect()
}

fn manifest() -> Value {
    serde_json::from_slice(&std::fs::read(data_dir().join("MANIFEST.json")).unwrap()).unwrap()
}

#[actix_web::test]
async fn records_say_what_the_data_says() {
    let app = app(state()).await;
    let all = records(&app, "").await;
    // Four open layers and four services (WMS, WMTS, OGC API Features, CSW).
    assert_eq!(all.len(), 8, "{:?}", titles(&all));
    let m = manifest();
    let erp = record_of(&all, "erp");
    assert_eq!(erp["properties"]["type"], "dataset");
    assert_eq!(erp["properties"]["featureCount"], m["erp"]);
    assert_eq!(erp["properties"]["geometryType"], "Point");
    let attrs: Vec<&str> = erp["properties"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        attrs.contains(&"type_erp") && attrs.contains(&"categorie_erp"),
        "{attrs:?}"
    );
    // Editions make a series, with the time they span.
    let ocsol = record_of(&all, "ocsol");
    assert_eq!(ocsol["properties"]["type"], "series");
    let editions = ocsol["properties"]["editions"].as_array().unwrap();
    assert!(editions.len() > 1);
    let first = editions[0].as_str().unwrap();
    assert_eq!(ocsol["time"]["interval"][0], format!("{first}-01-01"));
    // The orthophoto's resolution is read from the raster: 20 cm.
    let ortho = record_of(&all, "bdortho");
    assert!((ortho["properties"]["resolution"]["value"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    // The extent is the data's, in lon/lat: Montpellier.
    for r in [erp, ocsol, ortho] {
        let ring = &r["geometry"]["coordinates"][0];
        let (lon, lat) = (ring[0][0].as_f64().unwrap(), ring[0][1].as_f64().unwrap());
        assert!(
            (3.8..3.95).contains(&lon) && (43.55..43.65).contains(&lat),
            "{lon} {lat}"
        );
    }
    // Identifiers are stable: a name-based UUID of the resource identifier.
    let again = records(&app, "").await;
    assert_eq!(record_of(&again, "erp")["id"], erp["id"]);
    assert_eq!(erp["properties"]["externalIds"][0]["value"], "erp");
}

#[actix_web::test]
async fn the_search_folds_accents_and_case_and_filters() {
    let app = app(state()).await;
    let only = |found: &[Value], layer: &str| {
        let datasets: Vec<&Value> = found.iter().filter(|r| r["properties"]["type"] != "service").collect();
        assert_eq!(datasets.len(), 1, "{:?}", titles(found));
        assert_eq!(datasets[0]["properties"]["layer"], layer);
    };
    only(&records(&app, "&q=occupation").await, "ocsol");
    only(&records(&app, "&q=etablissements").await, "erp");
    only(&records(&app, "&q=ADRESSE").await, "adresses");
    assert_eq!(records(&app, "&type=service").await.len(), 4);
    assert_eq!(records(&app, "&type=series").await.len(), 1);
    assert!(records(&app, "&q=xyzzy").await.is_empty());
    // CQL2 on the queryables, as OGC API - Records filtering reads it.
    only(
        &records(
            &app,
            "&filter=title%20LIKE%20%27%25sol%25%27%20AND%20type%20%3D%20%27series%27",
        )
        .await,
        "ocsol",
    );
    let queryables = json(&get(&app, "/collections/catalog/queryables").await);
    assert_eq!(queryables["properties"]["type"]["enum"][1], "series");
    // Brittany holds none of it; Montpellier all of it.
    assert!(records(&app, "&bbox=-5,47,-1.5,49").await.is_empty());
    assert_eq!(records(&app, "&bbox=3.8,43.5,4,43.7").await.len(), 8);
    assert_eq!(records(&app, "&keyword=BAN&type=dataset").await.len(), 1);
    assert_eq!(records(&app, "&access=restricted").await.len(), 0);
    // Paging links.
    let page = json(&get(&app, "/collections/catalog/items?limit=3").await);
    assert_eq!(
        (page["numberMatched"].as_u64(), page["numberReturned"].as_u64()),
        (Some(8), Some(3))
    );
    let next = page["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap()["href"]
        .as_str()
        .unwrap();
    let next = &next[next.find("/collections").unwrap()..];
    assert_eq!(json(&get(&app, next).await)["numberReturned"], 3);
    // Bad parameters are 400 problems.
    for bad in [
        "limit=0",
        "bbox=1,2,3",
        "type=map",
        "nope=1",
        "access=x",
        "filter=title%20LIKE",
        "filter=nope%3D1",
    ] {
        let r = get(&app, &format!("/collections/catalog/items?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.text());
        assert_eq!(r.content_type, "application/problem+json");
    }
    // The page itself, with its form and results.
    let html = get(&app, "/collections/catalog/items?f=html&q=occupation").await;
    assert_eq!(html.status, 200);
    assert!(
        html.text().contains("OCS GE") && html.text().contains("f=qlr"),
        "{}",
        html.text()
    );
    // A click on the map searches around that point: the map is drawn around
    // the data, so its centre finds everything and a corner nothing.
    let centre = get(&app, "/collections/catalog/items?f=json&pick.x=220&pick.y=120").await;
    assert_eq!(json(&centre)["numberMatched"], 8);
    let corner = get(&app, "/collections/catalog/items?f=json&pick.x=2&pick.y=2").await;
    assert_eq!(json(&corner)["numberMatched"], 0);
}

#[actix_web::test]
async fn iso_records_validate_and_link_up() {
    let app = app(state()).await;
    let found = records(&app, "").await;
    let mut datasets = Vec::new();
    for r in &found {
        let id = r["id"].as_str().unwrap();
        let iso = get(&app, &format!("/collections/catalog/items/{id}?f=xml")).await;
        assert_eq!(iso.status, 200);
        validate(&iso.body, Schema::Xsd("entry/iso19139-2007.xsd"));
        let root = iso.xml();
        assert_eq!(root.name, "MD_Metadata");
        let file_id = all_text(&root, "fileIdentifier");
        assert_eq!(file_id, id);
        if r["properties"]["type"] != "service" {
            // Bilingual title, the INSPIRE theme, links to the services.
            let text = iso.text();
            assert!(text.contains("LocalisedCharacterString"), "{id}");
            assert!(text.contains("http://inspire.ec.europa.eu/theme/"), "{id}");
            assert!(text.contains("/wms?SERVICE=WMS&amp;REQUEST=GetCapabilities"), "{id}");
            datasets.push(id.to_string());
        }
    }
    // The WMS service record operates on every dataset.
    let wms = found.iter().find(|r| r["properties"]["protocol"] == "OGC:WMS").unwrap();
    let doc = get(
        &app,
        &format!("/collections/catalog/items/{}?f=xml", wms["id"].as_str().unwrap()),
    )
    .await
    .xml();
    let mut operates: Vec<String> = all(&doc, "operatesOn")
        .iter()
        .map(|e| e.attr("uuidref").unwrap().to_string())
        .collect();
    operates.sort();
    datasets.sort();
    assert_eq!(operates, datasets);
    assert!(get(&app, "/collections/catalog/items/no-such-record").await.status == 404);
    // Asked for XML without `f` (a harvester following a MetadataURL): the ISO record.
    let id = found[0]["id"].as_str().unwrap();
    for accept in ["application/xml", "text/xml", "application/vnd.iso.19139+xml"] {
        let r = get_with(&app, &format!("/collections/catalog/items/{id}"), &[("Accept", accept)]).await;
        assert_eq!(r.xml().name, "MD_Metadata", "{accept}");
    }
    let browser = get_with(
        &app,
        &format!("/collections/catalog/items/{id}"),
        &[("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9")],
    )
    .await;
    assert!(browser.content_type.starts_with("text/html"));
}

fn all_text(el: &tuile_core::xml::Element, name: &str) -> String {
    all(el, name)[0].elements().next().map(|c| c.text()).unwrap_or_default()
}

/// What the national portal's harvester posts, page by page.
fn harvest_request(start: usize) -> String {
    format!(
        r#"<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc"
  service="CSW" version="2.0.2" resultType="results" startPosition="{start}" maxRecords="3" outputSchema="{GMD}">
  <csw:Query typeNames="gmd:MD_Metadata"><csw:ElementSetName>full</csw:ElementSetName>
    <csw:Constraint version="1.1.0"><ogc:Filter><ogc:Or>
      <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>dataset</ogc:Literal></ogc:PropertyIsEqualTo>
      <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>series</ogc:Literal></ogc:PropertyIsEqualTo>
      <ogc:PropertyIsEqualTo><ogc:PropertyName>apiso:type</ogc:PropertyName><ogc:Literal>service</ogc:Literal></ogc:PropertyIsEqualTo>
    </ogc:Or></ogc:Filter></csw:Constraint>
    <ogc:SortBy><ogc:SortProperty><ogc:PropertyName>apiso:identifier</ogc:PropertyName><ogc:SortOrder>ASC</ogc:SortOrder></ogc:SortProperty></ogc:SortBy>
  </csw:Query></csw:GetRecords>"#
    )
}

#[actix_web::test]
async fn csw_answers_validate_and_page() {
    let app = app(state()).await;
    let csw = "/csw?SERVICE=CSW&VERSION=2.0.2";
    for q in [
        "/csw?SERVICE=CSW&REQUEST=GetCapabilities".to_string(),
        format!("{csw}&REQUEST=DescribeRecord"),
        format!("{csw}&REQUEST=GetRecords&resultType=hits"),
        format!("{csw}&REQUEST=GetRecords&resultType=results&elementSetName=brief&maxRecords=20"),
        format!("{csw}&REQUEST=GetRecords&resultType=results&elementSetName=full&maxRecords=20"),
        format!("{csw}&REQUEST=GetRecords&resultType=results&elementSetName=summary&outputSchema={GMD}&maxRecords=20"),
        format!("{csw}&REQUEST=GetRecords&resultType=results&elementSetName=full&outputSchema={GMD}&maxRecords=20"),
        format!(
            "{csw}&REQUEST=GetRecords&resultType=results&constraintLanguage=CQL_TEXT&constraint=csw:AnyText%20like%20%27%25adresse%25%27"
        ),
    ] {
        let r = get(&app, &q).await;
        assert_eq!(r.status, 200, "{q}: {}", r.text());
        validate(&r.body, Schema::Xsd("entry/csw-2.0.2.xsd"));
    }
    // The harvester's pages: every record once, in identifier order.
    let mut seen = Vec::new();
    let mut start = 1;
    loop {
        let r = post_xml(&app, "/csw", &harvest_request(start), &[]).await;
        assert_eq!(r.status, 200, "{}", r.text());
        validate(&r.body, Schema::Xsd("entry/csw-2.0.2.xsd"));
        let doc = r.xml();
        let results = &all(&doc, "SearchResults")[0];
        assert_eq!(results.attr("numberOfRecordsMatched"), Some("8"));
        for md in results.elements() {
            seen.push(all_text(md, "fileIdentifier"));
        }
        match results.attr("nextRecord").unwrap().parse::<usize>().unwrap() {
            0 => break,
            n => start = n,
        }
        assert!(seen.len() <= 8);
    }
    assert_eq!(seen.len(), 8);
    // Sorted by apiso:Identifier, the record's file identifier (ISO AP, table 6).
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
    // A filter on a bbox, in the lat/lon order of EPSG:4326's URN.
    let bbox = r#"<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" service="CSW" version="2.0.2" resultType="hits"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>47 -5</gml:lowerCorner><gml:upperCorner>49 -1.5</gml:upperCorner></gml:Envelope></ogc:BBOX></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>"#;
    let r = post_xml(&app, "/csw", bbox, &[]).await;
    assert_eq!(
        all(&r.xml(), "SearchResults")[0].attr("numberOfRecordsMatched"),
        Some("0"),
        "{}",
        r.text()
    );
    // Errors: exception reports with the parameter at fault, and a 400.
    for (q, code, locator) in [
        (
            format!("{csw}&REQUEST=GetRecords&maxRecords=-1"),
            "InvalidParameterValue",
            "maxRecords",
        ),
        (format!("{csw}&REQUEST=GetRecordById"), "MissingParameterValue", "id"),
        (format!("{csw}&REQUEST=Harvest"), "OperationNotSupported", "request"),
        (
            "/csw?SERVICE=CSW&VERSION=3.0.0&REQUEST=GetRecords".into(),
            "VersionNegotiationFailed",
            "version",
        ),
        (
            format!("{csw}&REQUEST=GetRecords&constraintLanguage=CQL_TEXT&constraint=dc:title%20LIKE"),
            "InvalidParameterValue",
            "constraint",
        ),
    ] {
        let r = get(&app, &q).await;
        assert_eq!(r.status, 400, "{q}");
        validate(&r.body, Schema::Xsd("ows/1.0.0/owsExceptionReport.xsd"));
        let e = r.xml();
        let ex = &all(&e, "Exception")[0];
        assert_eq!(
            (ex.attr("exceptionCode"), ex.attr("locator")),
            (Some(code), Some(locator)),
            "{q}"
        );
    }
    let r = post_xml(&app, "/csw", "<not xml", &[]).await;
    assert_eq!(r.status, 400);
}

#[actix_web::test]
async fn capabilities_link_to_the_records() {
    let app = app(state()).await;
    let caps = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities").await;
    validate(&caps.body, Schema::Xsd("inspire/inspire_vs/1.0/inspire_vs.xsd"));
    let doc = caps.xml();
    let urls: Vec<String> = all(&doc, "MetadataURL")
        .iter()
        .map(|m| m.child("OnlineResource").unwrap().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(urls.len(), 4, "one per layer");
    for u in &urls {
        let path = &u[u.find("/collections").unwrap()..];
        let r = get(&app, path).await;
        validate(&r.body, Schema::Xsd("entry/iso19139-2007.xsd"));
    }
    assert_eq!(all(&doc, "Identifier").len(), 4);
    let eng = get(&app, "/wms?SERVICE=WMS&REQUEST=GetCapabilities&LANGUAGE=eng")
        .await
        .xml();
    let response = &all(&eng, "ResponseLanguage")[0];
    assert_eq!(response.elements().next().unwrap().text(), "eng");
    // 1.1.1 (DTD) and WMTS carry the links too.
    let caps111 = get(&app, "/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities").await;
    validate(&caps111.body, Schema::WmsCapabilities111);
    assert_eq!(all(&caps111.xml(), "MetadataURL").len(), 4);
    let wmts = get(&app, "/wmts/1.0.0/WMTSCapabilities.xml").await.xml();
    assert_eq!(all(&wmts, "Metadata").len(), 4);
    // OGC API collections say where their record is.
    let erp = json(&get(&app, "/collections/erp").await);
    assert!(
        erp["links"]
            .as_array()
            .unwrap()
            .iter()
            .any(|l| l["rel"] == "describedby" && l["href"].as_str().unwrap().ends_with("?f=xml"))
    );
}

#[actix_web::test]
async fn dcat_and_qlr() {
    let app = app(state()).await;
    let ld = json(&get(&app, "/dcat").await);
    let graph = ld["@graph"].as_array().unwrap();
    let datasets: Vec<&Value> = graph.iter().filter(|n| n["@type"][0] == "dcat:Dataset").collect();
    assert_eq!(datasets.len(), 4);
    for d in &datasets {
        for p in [
            "dct:identifier",
            "dct:title",
            "dct:description",
            "dct:spatial",
            "dcat:distribution",
            "dct:modified",
        ] {
            assert!(d.get(p).is_some(), "{p} in {d}");
        }
    }
    assert_eq!(graph.iter().filter(|n| n["@type"][0] == "dcat:DataService").count(), 4);
    let ttl = get(&app, "/dcat?f=ttl").await;
    assert!(ttl.content_type.starts_with("text/turtle"));
    assert_eq!(ttl.text().matches("a dcat:Dataset").count(), 4);
    let found = records(&app, "").await;
    let ocsol = record_of(&found, "ocsol")["id"].as_str().unwrap().to_string();
    let qlr = get(&app, &format!("/collections/catalog/items/{ocsol}?f=qlr")).await;
    assert_eq!(qlr.status, 200);
    let doc = qlr.xml();
    assert_eq!(doc.name, "qlr");
    let source = all(&doc, "datasource")[0].text();
    assert!(
        source.contains("typename='ocsol'") && source.contains("OGC_API_FEATURES"),
        "{source}"
    );
}

#[actix_web::test]
async fn restricted_layers_are_in_no_record_for_others() {
    let app = app(state()).await;
    let anonymous = [
        "/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecords&resultType=results&elementSetName=full&maxRecords=100"
            .to_string(),
        format!(
            "/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecords&resultType=results&elementSetName=full&maxRecords=100&outputSchema={GMD}"
        ),
        "/dcat".into(),
        "/dcat?f=ttl".into(),
        "/collections/catalog/items?limit=100".into(),
        "/collections/catalog/items?limit=100&f=html".into(),
        "/wms?SERVICE=WMS&REQUEST=GetCapabilities".into(),
    ];
    for q in &anonymous {
        let r = get(&app, q).await;
        assert_eq!(r.status, 200, "{q}");
        assert!(!r.text().contains(RESTRICTED), "{q} names the restricted layer");
    }
    let keyed = records(&app, &format!("&apikey={KEY}")).await;
    assert_eq!(keyed.len(), 9);
    let id = record_of(&keyed, RESTRICTED)["id"].as_str().unwrap().to_string();
    assert_eq!(get(&app, &format!("/collections/catalog/items/{id}")).await.status, 404);
    let by_id = get(
        &app,
        &format!("/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecordById&id={id}"),
    )
    .await;
    assert!(!by_id.text().contains(&id));
    let with_key = get_with(
        &app,
        &format!("/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecordById&id={id}"),
        &[("X-API-Key", KEY)],
    )
    .await;
    assert!(with_key.text().contains(&id));
    let ld = get_with(&app, "/dcat", &[("X-API-Key", KEY)]).await.text();
    assert!(ld.contains(RESTRICTED));
}

#[actix_web::test]
async fn a_replaced_source_updates_the_records_with_no_edit() {
    let sandbox = Sandbox::new();
    let state = sandbox.state(|_| {});
    let app = app(state.clone()).await;
    let before = records(&app, "").await;
    let erp = record_of(&before, "erp").clone();
    let count = erp["properties"]["featureCount"].as_u64().unwrap();
    let modified = erp["properties"]["updated"].as_str().unwrap().to_string();

    // A new delivery: other points (the addresses file stands in for it), written later.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::copy(sandbox.file("adresses.fgb"), sandbox.file("erp.fgb")).unwrap();
    sandbox.reload(&state);

    let after = records(&app, "").await;
    let erp2 = record_of(&after, "erp");
    assert_eq!(erp2["id"], erp["id"], "the identifier never changes");
    assert_ne!(erp2["properties"]["featureCount"].as_u64().unwrap(), count);
    assert!(erp2["properties"]["updated"].as_str().unwrap() > modified.as_str());
    // The CSW's modified date and the services' too.
    let csw = get(
        &app,
        &format!(
            "/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecordById&elementSetName=full&id={}",
            erp["id"].as_str().unwrap()
        ),
    )
    .await
    .xml();
    assert_eq!(
        all(&csw, "modified")[0].text(),
        erp2["properties"]["updated"].as_str().unwrap()
    );
    let wms = after.iter().find(|r| r["properties"]["protocol"] == "OGC:WMS").unwrap();
    assert_eq!(wms["properties"]["updated"], erp2["properties"]["updated"]);
}

#[actix_web::test]
async fn metadata_harvested_from_a_partner_csw_replaces_the_configured_one() {
    // The partner: another tuile, whose catalogue holds the record.
    let port = free_port();
    let data = data_dir().to_string_lossy().into_owned();
    let _partner = start(&repo().join("tuile.toml"), port, &[("TUILE_DATA", &data)]);
    let partner_app = app(state()).await;
    let theirs = record_of(&records(&partner_app, "").await, "ocsol").clone();
    let csw = format!("http://127.0.0.1:{port}/csw");

    let sandbox = Sandbox::new();
    let point_at = |id: String, csw: String| {
        move |config: &mut tuile_core::config::Config| {
            let erp = config.layers.iter_mut().find(|l| l.name == "erp").unwrap();
            erp.metadata.csw = Some(csw);
            erp.metadata.id = Some(id);
        }
    };
    let state = sandbox.state(point_at(theirs["id"].as_str().unwrap().to_string(), csw.clone()));
    let ours = app(state).await;
    let found = records(&ours, "").await;
    let erp = record_of(&found, "erp");
    // Their title, abstract and keywords; our identifier and derived fields.
    assert_eq!(erp["properties"]["title"], theirs["properties"]["title"]);
    assert_eq!(erp["properties"]["title_en"], theirs["properties"]["title_en"]);
    assert_eq!(erp["properties"]["description"], theirs["properties"]["description"]);
    let keywords = erp["properties"]["keywords"].as_array().unwrap();
    assert!(
        keywords.iter().any(|k| k == "OCS GE") && keywords.iter().any(|k| k == "Occupation des terres"),
        "{keywords:?}"
    );
    assert_eq!(erp["properties"]["geometryType"], "Point");
    assert_ne!(erp["id"], theirs["id"]);
    // The search reads the harvested text: erp is now found as land cover.
    assert_eq!(
        json(&get(&ours, "/collections/catalog/items?q=occupation&type=dataset").await)["numberMatched"],
        1
    );

    // A record it does not hold, or a catalogue that does not answer: the
    // configured metadata is used, and the layer serves.
    for (id, csw) in [
        ("no-such-record".to_string(), csw),
        (
            theirs["id"].as_str().unwrap().to_string(),
            format!("http://127.0.0.1:{}/csw", free_port()),
        ),
    ] {
        let state = sandbox.state(point_at(id, csw));
        let local = app(state).await;
        let erp = record_of(&records(&local, "").await, "erp").clone();
        assert_eq!(erp["properties"]["title"], "Établissements recevant du public (ERP)");
        assert_eq!(get(&local, "/collections/erp/items?limit=1").await.status, 200);
    }
}

#[actix_web::test]
async fn hostile_csw_requests_get_exception_reports() {
    let app = app(state()).await;
    let deep = format!(
        r#"<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2">{}{}</csw:GetRecords>"#,
        "<a>".repeat(5000),
        "</a>".repeat(5000)
    );
    let many = format!(
        r#"<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" resultType="hits"><csw:Query typeNames="csw:Record"><csw:Constraint version="1.1.0"><ogc:Filter><ogc:Or>{}</ogc:Or></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>"#,
        "<ogc:PropertyIsEqualTo><ogc:PropertyName>dc:type</ogc:PropertyName><ogc:Literal>x</ogc:Literal></ogc:PropertyIsEqualTo>".repeat(520)
    );
    let entity = r#"<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2"><csw:Query typeNames="&x;"/></csw:GetRecords>"#;
    for (what, body) in [
        ("nested 5,000 deep", deep.as_str()),
        ("520 terms", many.as_str()),
        ("an external entity", entity),
        ("a NUL character", "<GetRecords>\u{0}</GetRecords>"),
        (
            "an unknown operation",
            "<csw:Harvest xmlns:csw=\"http://www.opengis.net/cat/csw/2.0.2\"/>",
        ),
    ] {
        let r = post_xml(&app, "/csw", body, &[]).await;
        assert_eq!(r.status, 400, "{what}: {}", r.text());
        validate(&r.body, Schema::Xsd("ows/1.0.0/owsExceptionReport.xsd"));
        assert!(!r.text().contains("root:"), "{what}");
    }
    // Past the body limit: refused before it is read.
    let huge = format!("<a>{}</a>", "x".repeat(100_000));
    assert_eq!(post_xml(&app, "/csw", &huge, &[]).await.status, 413);
}
