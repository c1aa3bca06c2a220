"""The metadata catalogue, as catalogue clients and harvesters see it.

tuile publishes one metadata record per dataset layer the caller may see and
one per service, in four forms:

* CSW 2.0.2 at /csw (KVP GET and XML POST): GetCapabilities, DescribeRecord,
  GetRecords, GetRecordById; Dublin Core (csw:Record) or ISO 19139
  (gmd:MD_Metadata) output; CQL_TEXT and Filter Encoding 1.1 constraints;
* ISO 19139 documents and OGC API - Records items at /collections/catalog,
  with a QGIS layer definition (?f=qlr) per dataset;
* DCAT-AP at /dcat (JSON-LD, Turtle);
* links from the WMS 1.3.0 capabilities (MetadataURL, AuthorityURL/Identifier,
  INSPIRE extended capabilities).

Without a key the test data set gives 8 records: bdortho, erp, adresses
(dataset), ocsol (series: it has yearly editions), and the WMS, the WMTS,
the OGC API and the CSW itself (service). The key `demo-membres` adds
adresses_cadastre (dataset): 9. Without it, nothing may mention that layer.

Sections: 1. OWSLib and KVP clients; 2. the national portal's harvester
request; 3. schema validity (xmllint, offline, tests/fixtures/ogc-schemas);
4. pycsw 2.6.2 harvesting tuile (tests/clients/pycsw_harness.py, venv
target/venv-pycsw); 5. DCAT-AP (rdflib); 6. access control; 7. OGC API -
Records, QGIS layer definitions and the WMS links.

Layer titles come from tuile.toml (French, the default language).
"""
import pathlib
import tomllib
import urllib.parse
import uuid
from dataclasses import dataclass

import pytest
import requests
from lxml import etree
from owslib import fes
from owslib.csw import CatalogueServiceWeb
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import DCAT, DCTERMS, RDF

from pycsw_harness import CSW as HARVEST_CSW
from pycsw_harness import WMS as HARVEST_WMS
from pycsw_harness import PycswServer
from test_xmllint import SCHEMAS, xmllint

REPO = pathlib.Path(__file__).resolve().parents[2]
LAYERS = {layer["name"]: layer for layer in tomllib.loads((REPO / "tuile.toml").read_text())["layers"]}

KEY = "demo-membres"
KEYED = {"X-API-Key": KEY}
RESTRICTED = "adresses_cadastre"

# What the catalogue holds without a key: layer name -> hierarchy level.
DATASETS = {"bdortho": "dataset", "ocsol": "series", "erp": "dataset", "adresses": "dataset"}
SERVICES = ("WMS", "WMTS", "OGC API", "CSW")
PUBLIC = set(DATASETS) | set(SERVICES)
# The layers with an OGC API - Features collection (bdortho is a raster).
FEATURES = {"ocsol", "erp", "adresses"}

# Inside Occitanie (lon -1..5, lat 42..45.5) and around the test data
# (Montpellier), and far from it (Brittany).
OCCITANIE = (-1.0, 42.0, 5.0, 45.5)
AROUND_DATA = (3.5, 43.3, 4.2, 43.9)
BRITTANY = (-5.0, 47.0, -1.5, 49.0)

CSW_NS = "http://www.opengis.net/cat/csw/2.0.2"
GMD_NS = "http://www.isotc211.org/2005/gmd"
NS = {
    "csw": CSW_NS,
    "dc": "http://purl.org/dc/elements/1.1/",
    "dct": "http://purl.org/dc/terms/",
    "ows": "http://www.opengis.net/ows",
    "ogc": "http://www.opengis.net/ogc",
    "gmd": GMD_NS,
    "gco": "http://www.isotc211.org/2005/gco",
    "gmx": "http://www.isotc211.org/2005/gmx",
    "srv": "http://www.isotc211.org/2005/srv",
    "xlink": "http://www.w3.org/1999/xlink",
    "wms": "http://www.opengis.net/wms",
    "inspire_vs": "http://inspire.ec.europa.eu/schemas/inspire_vs/1.0",
    "inspire_common": "http://inspire.ec.europa.eu/schemas/common/1.0",
}
CSW_XSD = ["--schema", str(SCHEMAS / "entry/csw-2.0.2.xsd")]
OWS_EXCEPTION_XSD = ["--schema", str(SCHEMAS / "ows/1.0.0/owsExceptionReport.xsd")]
ISO_XSD = ["--schema", str(SCHEMAS / "entry/iso19139-2007.xsd")]
INSPIRE_WMS_XSD = ["--schema", str(SCHEMAS / "inspire/inspire_vs/1.0/inspire_vs.xsd")]
OWS_EXCEPTION_CODES = {"MissingParameterValue", "InvalidParameterValue", "VersionNegotiationFailed",
                       "InvalidUpdateSequence", "OperationNotSupported", "NoApplicableCode"}


# --------------------------------------------------------------------------
# Requests and parsing
# --------------------------------------------------------------------------

def validate(content: bytes, schema, what=""):
    """xmllint against the fixtures; the failure shows the errors, not libxml2's import warnings."""
    try:
        xmllint(content, *schema)
    except AssertionError as e:
        errors = [line for line in str(e).splitlines() if "Skipping import" not in line]
        raise AssertionError(f"{what} does not validate:\n" + "\n".join(errors[:30])) from None


def parse_xml(r: requests.Response) -> etree._Element:
    assert "xml" in r.headers.get("Content-Type", ""), (r.status_code, r.headers.get("Content-Type"), r.text[:500])
    return etree.fromstring(r.content)


def csw_get(csw_url, headers=None, **params) -> requests.Response:
    return requests.get(csw_url, params={"service": "CSW", "version": "2.0.2", **params},
                        headers=headers, timeout=60)


def csw_post(csw_url, body: str, headers=None) -> requests.Response:
    return requests.post(csw_url, data=body.encode(),
                         headers={"Content-Type": "application/xml", **(headers or {})}, timeout=60)


def ok_csw(r: requests.Response, root: str) -> etree._Element:
    """The answer is a csw:<root> (not an exception report)."""
    assert r.status_code == 200, (r.status_code, r.text[:1000])
    doc = parse_xml(r)
    assert doc.tag == f"{{{CSW_NS}}}{root}", etree.tostring(doc)[:1500]
    return doc


def search_results(doc):
    """(numberOfRecordsMatched, numberOfRecordsReturned, nextRecord, records)."""
    sr = doc.find("csw:SearchResults", NS)
    assert sr is not None, etree.tostring(doc)[:1000]
    assert sr.get("nextRecord") is not None, "nextRecord is missing: harvesters page on it"
    return (int(sr.get("numberOfRecordsMatched")), int(sr.get("numberOfRecordsReturned")),
            int(sr.get("nextRecord")), list(sr))


def getrecords_xml(*, output_schema=CSW_NS, type_names="csw:Record", esn="full", result_type="results",
                   start=1, max_records=10, filter_xml=None, cql=None, sort=None) -> str:
    """A csw:GetRecords request (valid against CSW-discovery.xsd)."""
    constraint = ""
    if filter_xml is not None:
        constraint = f'<csw:Constraint version="1.1.0">{filter_xml}</csw:Constraint>'
    elif cql is not None:
        constraint = f'<csw:Constraint version="1.1.0"><csw:CqlText>{escape(cql)}</csw:CqlText></csw:Constraint>'
    sort_xml = ""
    if sort:
        props = "".join(f"<ogc:SortProperty><ogc:PropertyName>{p}</ogc:PropertyName>"
                        f"<ogc:SortOrder>{o}</ogc:SortOrder></ogc:SortProperty>" for p, o in sort)
        sort_xml = f"<ogc:SortBy>{props}</ogc:SortBy>"
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecords xmlns:csw="{CSW_NS}" xmlns:ogc="http://www.opengis.net/ogc"
    xmlns:gml="http://www.opengis.net/gml" xmlns:gmd="{GMD_NS}"
    xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dct="http://purl.org/dc/terms/"
    xmlns:ows="http://www.opengis.net/ows" xmlns:apiso="http://www.opengis.net/cat/csw/apiso/1.0"
    service="CSW" version="2.0.2" resultType="{result_type}" outputSchema="{output_schema}"
    outputFormat="application/xml" startPosition="{start}" maxRecords="{max_records}">
  <csw:Query typeNames="{type_names}">
    <csw:ElementSetName>{esn}</csw:ElementSetName>{constraint}{sort_xml}
  </csw:Query>
</csw:GetRecords>"""


def escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def equal_to(prop, value):
    return (f"<ogc:PropertyIsEqualTo><ogc:PropertyName>{prop}</ogc:PropertyName>"
            f"<ogc:Literal>{escape(value)}</ogc:Literal></ogc:PropertyIsEqualTo>")


def ogc_filter(inner: str) -> str:
    return f'<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc">{inner}</ogc:Filter>'


def getrecordbyid_xml(ids, output_schema=CSW_NS, esn="full") -> str:
    id_xml = "".join(f"<csw:Id>{i}</csw:Id>" for i in ids)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<csw:GetRecordById xmlns:csw="{CSW_NS}" service="CSW" version="2.0.2" outputSchema="{output_schema}">
  {id_xml}<csw:ElementSetName>{esn}</csw:ElementSetName>
</csw:GetRecordById>"""


# ISO 19139 ---------------------------------------------------------------

def char(el, path):
    """The text of gco:CharacterString or gmx:Anchor under `path`."""
    if el is None:
        return None
    for leaf in ("gco:CharacterString", "gmx:Anchor"):
        v = el.findtext(f"{path}/{leaf}", namespaces=NS)
        if v is not None:
            return v.strip()
    return None


def iso_id(md):
    return md.findtext("gmd:fileIdentifier/gco:CharacterString", namespaces=NS)


def iso_kind(md):
    code = md.find("gmd:hierarchyLevel/gmd:MD_ScopeCode", NS)
    return None if code is None else code.get("codeListValue")


def iso_identification(md):
    return md.find("gmd:identificationInfo/*", NS)


def iso_title(md):
    return char(iso_identification(md), "gmd:citation/gmd:CI_Citation/gmd:title")


def iso_links(md):
    return [u.text.strip() for u in md.iterfind("gmd:distributionInfo//gmd:CI_OnlineResource/gmd:linkage/gmd:URL", NS)
            if u.text]


def iso_bboxes(md):
    """Every EX_GeographicBoundingBox of the identification, as (w, s, e, n)."""
    out = []
    for b in iso_identification(md).iterfind(".//gmd:EX_GeographicBoundingBox", NS):
        v = [float(b.findtext(f"gmd:{k}/gco:Decimal", namespaces=NS))
             for k in ("westBoundLongitude", "southBoundLatitude", "eastBoundLongitude", "northBoundLatitude")]
        out.append(tuple(v))
    return out


def iso_resource_identifiers(md):
    """The dataset's resource identifiers: code, and codeSpace + code."""
    out = set()
    for ident in iso_identification(md).iterfind("gmd:citation/gmd:CI_Citation/gmd:identifier/*", NS):
        code = char(ident, "gmd:code")
        space = char(ident, "gmd:codeSpace")
        if code:
            out.add(code)
            if space:
                out.add(space + code)
                out.add(space.rstrip("/") + "/" + code)
    return out


def find_md(doc):
    """The gmd:MD_Metadata of a document that is one, or wraps one (GetRecordById)."""
    if doc.tag == f"{{{GMD_NS}}}MD_Metadata":
        return doc
    md = doc.find(".//gmd:MD_Metadata", NS)
    assert md is not None, etree.tostring(doc)[:1000]
    return md


def inside(box, area):
    w, s, e, n = box
    return area[0] <= w <= e <= area[2] and area[1] <= s <= n <= area[3]


def label_for(kind, title):
    """Layer name for a dataset record, WMS/WMTS/OGC API/CSW for a service record."""
    if title is None:
        return None
    if kind == "service":
        for label in ("WMTS", "OGC API", "CSW"):
            if label in title:
                return label
        return "WMS" if "WMS" in title else None
    for name, layer in LAYERS.items():
        if layer["title"] == title:
            return name
    return None


@dataclass
class Record:
    uuid: str
    kind: str
    title: str
    label: str
    md: etree._Element


class Catalogue:
    """Every record a caller sees, read with one paged ISO GetRecords."""

    def __init__(self, csw_url, headers=None):
        self.records = {}
        for md in fetch_all(csw_url, GMD_NS, "gmd:MD_Metadata", headers=headers):
            r = Record(iso_id(md), iso_kind(md), iso_title(md), None, md)
            r.label = label_for(r.kind, r.title)
            if r.label is None:
                pytest.fail(f"record {r.uuid} ({r.kind}) has a title that names no layer of tuile.toml "
                            f"nor a service: {r.title!r}")
            self.records[r.uuid] = r
        self.by_label = {r.label: r for r in self.records.values()}
        assert len(self.by_label) == len(self.records), \
            f"two records for one layer or service: {[(r.label, r.uuid) for r in self.records.values()]}"

    def labels(self, uuids):
        return {self.records[u].label if u in self.records else u for u in uuids}

    def uuid(self, label):
        return self.by_label[label].uuid


def fetch_all(csw_url, schema, type_names, headers=None, page=50):
    """Every record, POSTing GetRecords and following nextRecord."""
    out, start = [], 1
    for _ in range(100):
        doc = ok_csw(csw_post(csw_url, getrecords_xml(output_schema=schema, type_names=type_names,
                                                       start=start, max_records=page), headers),
                     "GetRecordsResponse")
        matched, returned, nxt, recs = search_results(doc)
        assert returned == len(recs)
        out.extend(recs)
        if nxt == 0:
            assert len(out) == matched
            return out
        start = nxt
    pytest.fail("nextRecord never reached 0")


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def csw_url(base_url):
    return f"{base_url}/csw"


@pytest.fixture(scope="module")
def catalogue(csw_url):
    return Catalogue(csw_url)


@pytest.fixture(scope="module")
def keyed_catalogue(csw_url):
    return Catalogue(csw_url, KEYED)


@pytest.fixture(scope="module")
def csw(csw_url):
    return CatalogueServiceWeb(csw_url, timeout=60)


def test_the_catalogue_holds_one_record_per_public_layer_and_service(catalogue):
    assert set(catalogue.by_label) == PUBLIC
    for name, kind in DATASETS.items():
        assert catalogue.by_label[name].kind == kind, name
    for label in SERVICES:
        assert catalogue.by_label[label].kind == "service", label
    for u in catalogue.records:
        assert str(uuid.UUID(u)) == u, f"fileIdentifier {u!r} is not a UUID in canonical form"


# --------------------------------------------------------------------------
# 1. OWSLib (CatalogueServiceWeb) and KVP clients
# --------------------------------------------------------------------------

def test_owslib_reads_the_capabilities(csw, base_url):
    assert csw.identification.type == "CSW"
    assert csw.identification.version == "2.0.2"
    assert csw.identification.title
    # pycsw and GeoNetwork read the provider to describe the harvested service.
    assert csw.provider is not None and csw.provider.name
    names = {op.name for op in csw.operations}
    assert {"GetCapabilities", "DescribeRecord", "GetRecords", "GetRecordById"} <= names
    getrecords = csw.get_operation_by_name("GetRecords")
    methods = {m["type"].lower(): m["url"] for m in getrecords.methods}
    assert {"get", "post"} <= set(methods)
    # OWSLib (and so pycsw's harvester) POSTs to this URL, not to the one it was given.
    for url in methods.values():
        assert url.startswith(base_url + "/csw"), url
    # Harvesters (pycsw, GeoNetwork) ask for ISO records only when these are advertised.
    assert {"csw:Record", "gmd:MD_Metadata"} <= set(getrecords.parameters["typeNames"]["values"])
    assert {CSW_NS, GMD_NS} <= set(getrecords.parameters["outputSchema"]["values"])


@pytest.mark.parametrize("schema,type_names", [(CSW_NS, "csw:Record"), (GMD_NS, "gmd:MD_Metadata")])
def test_owslib_pages_through_every_record(csw, catalogue, schema, type_names):
    seen, start, pages = [], 1, 0
    while True:
        csw.getrecords2(typenames=type_names, outputschema=schema, esn="full", startposition=start, maxrecords=2)
        res = csw.results
        assert res["matches"] == 8
        assert res["returned"] == len(csw.records) == min(2, 8 - start + 1)
        seen.extend(csw.records)
        pages += 1
        if res["nextrecord"] == 0:
            break
        assert res["nextrecord"] == start + res["returned"]
        start = res["nextrecord"]
        assert pages < 10
    assert pages == 4
    assert len(seen) == len(set(seen)) == 8
    assert set(seen) == set(catalogue.records)
    # Types and titles as Dublin Core (the ISO side is checked by the catalogue fixture).
    if schema == CSW_NS:
        csw.getrecords2(typenames=type_names, outputschema=schema, esn="full", maxrecords=20)
        for ident, rec in csw.records.items():
            expected = catalogue.records[ident]
            assert rec.type == expected.kind, ident
            assert rec.title == expected.title, ident


def test_kvp_getrecords_pages_on_next_record(csw_url, catalogue):
    seen, start = [], 1
    for _ in range(10):
        doc = ok_csw(csw_get(csw_url, request="GetRecords", typeNames="csw:Record",
                             namespace=f"xmlns(csw={CSW_NS})", resultType="results", elementSetName="brief",
                             outputSchema=CSW_NS, startPosition=start, maxRecords=3), "GetRecordsResponse")
        matched, returned, nxt, recs = search_results(doc)
        assert matched == 8
        assert returned == len(recs) == min(3, 8 - start + 1)
        assert all(r.tag == f"{{{CSW_NS}}}BriefRecord" for r in recs)
        seen.extend(r.findtext("dc:identifier", namespaces=NS) for r in recs)
        if nxt == 0:
            break
        assert nxt == start + returned
        start = nxt
    assert sorted(seen) == sorted(catalogue.records)


def test_kvp_hits_returns_the_count_and_no_record(csw_url):
    doc = ok_csw(csw_get(csw_url, request="GetRecords", typeNames="csw:Record", resultType="hits",
                         elementSetName="full"), "GetRecordsResponse")
    matched, returned, nxt, recs = search_results(doc)
    assert (matched, returned, recs) == (8, 0, [])


@pytest.mark.parametrize("esn,element", [("brief", "BriefRecord"), ("summary", "SummaryRecord"), ("full", "Record")])
def test_element_set_names(csw_url, catalogue, esn, element):
    doc = ok_csw(csw_post(csw_url, getrecords_xml(esn=esn, max_records=20)), "GetRecordsResponse")
    sr = doc.find("csw:SearchResults", NS)
    assert sr.get("elementSet") in (None, esn)
    recs = list(sr)
    assert len(recs) == 8 and all(r.tag == f"{{{CSW_NS}}}{element}" for r in recs)
    for r in recs:
        ident = r.findtext("dc:identifier", namespaces=NS)
        expected = catalogue.records[ident]
        assert r.findtext("dc:title", namespaces=NS) == expected.title
        assert r.findtext("dc:type", namespaces=NS) == expected.kind
        if esn != "brief":
            assert r.findall("dc:subject", NS), f"{ident}: no dc:subject (keywords)"
        if esn == "full":
            assert r.findtext("dct:abstract", namespaces=NS), f"{ident}: no dct:abstract"
            assert r.findtext("dct:modified", namespaces=NS), f"{ident}: no dct:modified"
        boxes = [ows_bbox_lonlat(b) for b in r.iterfind("ows:BoundingBox", NS)]
        assert all(inside(b, OCCITANIE) for b in boxes), (ident, boxes)
        if expected.kind != "service" and esn != "brief":
            assert boxes, f"{ident}: no ows:BoundingBox"


def ows_bbox_lonlat(b):
    """(w, s, e, n) of an ows:BoundingBox, honouring the axis order of its CRS."""
    lower = [float(v) for v in b.findtext("ows:LowerCorner", namespaces=NS).split()]
    upper = [float(v) for v in b.findtext("ows:UpperCorner", namespaces=NS).split()]
    crs = (b.get("crs") or "").upper()
    if "4326" in crs and "CRS84" not in crs:  # EPSG:4326 is latitude first
        return lower[1], lower[0], upper[1], upper[0]
    return lower[0], lower[1], upper[0], upper[1]


# Filters through OWSLib: (id, constraints, what must be found, what may be
# found besides). OWSLib reads [a, b] as a OR b and [[a, b]] as a AND b.
FILTERS = [
    ("type-service", [fes.PropertyIsEqualTo("apiso:Type", "service")], set(SERVICES), set()),
    ("type-series", [fes.PropertyIsEqualTo("dc:type", "series")], {"ocsol"}, set()),
    # The services' abstracts may name the address base.
    ("anytext-adresse", [fes.PropertyIsLike("csw:AnyText", "%adresse%")], {"adresses"}, set(SERVICES)),
    ("title-like", [fes.PropertyIsLike("dc:title", "%recevant du public%")], {"erp"}, set()),
    ("title-like-nocase", [fes.PropertyIsLike("dc:title", "%OCCUPATION DU SOL%", matchCase=False)], {"ocsol"},
     set()),
    ("and", [[fes.PropertyIsEqualTo("dc:type", "dataset"), fes.PropertyIsLike("csw:AnyText", "%adresse%")]],
     {"adresses"}, set()),
    ("or", [fes.PropertyIsEqualTo("dc:type", "series"), fes.PropertyIsLike("dc:title", "%ERP%")],
     {"ocsol", "erp"}, set()),
    ("not", [fes.Not([fes.PropertyIsEqualTo("dc:type", "service")])], set(DATASETS), set()),
    # Service records may have a bounding box too.
    ("bbox-crs84", [fes.BBox(list(AROUND_DATA), crs="urn:ogc:def:crs:OGC:1.3:CRS84")], set(DATASETS),
     set(SERVICES)),
    ("bbox-epsg4326-lat-lon", [fes.BBox([AROUND_DATA[1], AROUND_DATA[0], AROUND_DATA[3], AROUND_DATA[2]],
                                        crs="urn:ogc:def:crs:EPSG::4326")], set(DATASETS), set(SERVICES)),
    ("bbox-elsewhere", [fes.BBox(list(BRITTANY), crs="urn:ogc:def:crs:OGC:1.3:CRS84")], set(), set()),
    ("modified-after-2000", [fes.PropertyIsGreaterThanOrEqualTo("dct:modified", "2000-01-01")], PUBLIC, set()),
    ("modified-before-1900", [fes.PropertyIsLessThan("apiso:Modified", "1900-01-01")], set(), set()),
]


@pytest.mark.parametrize("constraints,must,may", [f[1:] for f in FILTERS], ids=[f[0] for f in FILTERS])
def test_owslib_filters(csw, catalogue, constraints, must, may):
    csw.getrecords2(constraints=constraints, esn="brief", maxrecords=50)
    found = catalogue.labels(csw.records)
    assert csw.results["matches"] == len(csw.records)
    assert must <= found <= must | may, found


def test_anytext_finds_the_words_of_each_record(csw, catalogue):
    for name in DATASETS:
        word = LAYERS[name]["keywords"][0]
        csw.getrecords2(constraints=[fes.PropertyIsLike("csw:AnyText", f"%{word}%", matchCase=False)],
                        esn="brief", maxrecords=50)
        assert name in catalogue.labels(csw.records), (name, word)


def test_identifier_filters_find_one_record(csw, catalogue):
    for u in catalogue.records:
        for prop in ("apiso:Identifier", "dc:identifier"):
            csw.getrecords2(constraints=[fes.PropertyIsEqualTo(prop, u)], esn="brief")
            assert list(csw.records) == [u], prop


def test_owslib_sorts_by_identifier(csw, catalogue):
    for order, reverse in (("ASC", False), ("DESC", True)):
        csw.getrecords2(sortby=fes.SortBy([fes.SortProperty("dc:identifier", order)]), esn="brief", maxrecords=50)
        assert list(csw.records) == sorted(catalogue.records, reverse=reverse), order


@pytest.mark.parametrize("schema", [CSW_NS, GMD_NS])
def test_owslib_getrecordbyid_for_every_record(csw, catalogue, schema):
    for u, rec in catalogue.records.items():
        csw.getrecordbyid(id=[u], outputschema=schema)
        assert list(csw.records) == [u]
        got = csw.records[u]
        if schema == CSW_NS:
            assert (got.type, got.title) == (rec.kind, rec.title)
        else:
            md = etree.fromstring(got.xml)
            assert (iso_kind(md), iso_title(md)) == (rec.kind, rec.title)
    # Several at once (KVP, comma-separated).
    ids = sorted(catalogue.records)[:3]
    csw.getrecordbyid(id=ids, outputschema=schema)
    assert sorted(csw.records) == ids


CQL = [  # (constraint, what must be found, what may be found besides)
    ("dc:type = 'service'", set(SERVICES), set()),
    ("apiso:Type = 'series'", {"ocsol"}, set()),
    ("dc:title LIKE '%Adresses%'", {"adresses"}, set()),
    ("csw:AnyText like '%occupation%'", {"ocsol"}, set(SERVICES)),  # keywords in any case
    ("dct:modified >= '2000-01-01'", PUBLIC, set()),
    ("apiso:Modified < '1900-01-01'", set(), set()),
    ("dc:type = 'dataset' AND dc:title LIKE '%ERP%'", {"erp"}, set()),
    ("dc:type = 'series' OR dc:type = 'service'", {"ocsol"} | set(SERVICES), set()),
]


@pytest.mark.parametrize("cql,must,may", CQL, ids=[c[0] for c in CQL])
def test_cql_text_constraints_kvp_and_post(csw_url, catalogue, cql, must, may):
    kvp = ok_csw(csw_get(csw_url, request="GetRecords", typeNames="csw:Record", resultType="results",
                         elementSetName="brief", maxRecords=50, constraintLanguage="CQL_TEXT",
                         constraint_language_version="1.1.0", constraint=cql), "GetRecordsResponse")
    post = ok_csw(csw_post(csw_url, getrecords_xml(esn="brief", max_records=50, cql=cql)), "GetRecordsResponse")
    for doc in (kvp, post):
        _, _, _, recs = search_results(doc)
        found = catalogue.labels(r.findtext("dc:identifier", namespaces=NS) for r in recs)
        assert must <= found <= must | may, found


def test_filter_constraint_kvp(csw_url, catalogue):
    flt = ogc_filter(equal_to("dc:type", "service"))
    doc = ok_csw(csw_get(csw_url, request="GetRecords", typeNames="csw:Record", resultType="results",
                         elementSetName="brief", maxRecords=50, constraintLanguage="FILTER",
                         constraint_language_version="1.1.0", constraint=flt), "GetRecordsResponse")
    _, _, _, recs = search_results(doc)
    assert catalogue.labels(r.findtext("dc:identifier", namespaces=NS) for r in recs) == set(SERVICES)


# --------------------------------------------------------------------------
# 2. The national portal's harvester
# --------------------------------------------------------------------------

def harvester_request(start, max_records):
    """What the national portal POSTs, page after page."""
    types = "".join(equal_to("apiso:type", t) for t in ("dataset", "series", "service"))
    return getrecords_xml(output_schema=GMD_NS, type_names="gmd:MD_Metadata", esn="full", start=start,
                          max_records=max_records, filter_xml=ogc_filter(f"<ogc:Or>{types}</ogc:Or>"),
                          sort=[("apiso:identifier", "ASC")])


@pytest.mark.parametrize("max_records", [25, 3])
def test_portal_harvester_pages_through_iso_records_sorted_by_identifier(csw_url, catalogue, max_records):
    ids, start = [], 1
    for _ in range(20):
        doc = ok_csw(csw_post(csw_url, harvester_request(start, max_records)), "GetRecordsResponse")
        matched, returned, nxt, recs = search_results(doc)
        assert matched == 8
        assert returned == len(recs) == min(max_records, 8 - start + 1)
        for md in recs:
            assert md.tag == f"{{{GMD_NS}}}MD_Metadata"
            # Every record parses as ISO 19139, with its type and title.
            rec = catalogue.records[iso_id(md)]
            assert iso_kind(md) == rec.kind
            assert iso_title(md) == rec.title
            assert char(iso_identification(md), "gmd:abstract")
            assert md.find("gmd:dateStamp/*", NS) is not None
            assert md.find("gmd:contact/gmd:CI_ResponsibleParty", NS) is not None
            ids.append(iso_id(md))
        if nxt == 0:
            break
        assert nxt == start + returned
        start = nxt
    assert ids == sorted(ids), "not sorted by apiso:identifier ascending"
    assert ids == sorted(catalogue.records)


def test_iso_dataset_records(catalogue, base_url):
    for name, kind in DATASETS.items():
        rec = catalogue.by_label[name]
        md = rec.md
        ident = iso_identification(md)
        assert ident.tag == f"{{{GMD_NS}}}MD_DataIdentification", name
        assert iso_kind(md) == kind
        assert iso_title(md) == LAYERS[name]["title"]
        assert LAYERS[name]["abstract"] in char(ident, "gmd:abstract")
        keywords = [k.text for k in ident.iterfind("gmd:descriptiveKeywords/gmd:MD_Keywords/gmd:keyword/*", NS)]
        assert set(LAYERS[name]["keywords"]) <= set(keywords), (name, keywords)
        boxes = iso_bboxes(md)
        assert boxes and all(inside(b, OCCITANIE) for b in boxes), (name, boxes)
        links = iso_links(md)
        assert any(link.startswith(f"{base_url}/wms") for link in links), (name, links)
        assert any(link.startswith(f"{base_url}/wmts") for link in links), (name, links)
        if name in FEATURES:
            assert any(link.startswith(f"{base_url}/collections/{name}") for link in links), (name, links)


def test_iso_service_records_operate_on_the_datasets(catalogue, base_url):
    datasets = {catalogue.uuid(n) for n in DATASETS}
    for label in SERVICES:
        md = catalogue.by_label[label].md
        ident = iso_identification(md)
        assert ident.tag == f"{{{NS['srv']}}}SV_ServiceIdentification", label
        assert ident.find("srv:serviceType/gco:LocalName", NS) is not None, label
        if label == "CSW":
            # A discovery service publishes the records, not the datasets.
            assert ident.findtext("srv:serviceType/gco:LocalName", namespaces=NS) == "discovery"
            continue
        operates = {o.get("uuidref") for o in ident.iterfind("srv:operatesOn", NS)}
        assert operates and operates <= datasets, (label, operates)
        if label in ("WMS", "WMTS"):
            assert operates == datasets, label
        else:
            assert {catalogue.uuid(n) for n in FEATURES} <= operates, label
        urls = iso_links(md) + [u.text for u in ident.iterfind(".//srv:connectPoint//gmd:URL", NS)]
        assert any(u.startswith(base_url) for u in urls), (label, urls)


# --------------------------------------------------------------------------
# 3. Schema validity (offline, tests/fixtures/ogc-schemas)
# --------------------------------------------------------------------------

def csw_answers(csw_url, some_id):
    """(name, response) of every kind of CSW answer."""
    ns_csw = f"xmlns(csw={CSW_NS})"
    yield "GetCapabilities", csw_get(csw_url, request="GetCapabilities")
    yield "GetCapabilities POST", csw_post(
        csw_url, f'<csw:GetCapabilities xmlns:csw="{CSW_NS}" service="CSW"/>')
    for esn in ("brief", "summary", "full"):
        yield f"GetRecords csw {esn}", csw_post(csw_url, getrecords_xml(esn=esn, max_records=20))
        yield f"GetRecords gmd {esn}", csw_post(csw_url, getrecords_xml(
            output_schema=GMD_NS, type_names="gmd:MD_Metadata", esn=esn, max_records=20))
    yield "GetRecords hits", csw_post(csw_url, getrecords_xml(result_type="hits"))
    yield "GetRecords KVP", csw_get(csw_url, request="GetRecords", typeNames="csw:Record", namespace=ns_csw,
                                    resultType="results", elementSetName="full", maxRecords=20)
    yield "GetRecords KVP gmd", csw_get(csw_url, request="GetRecords", typeNames="gmd:MD_Metadata",
                                        namespace=f"xmlns(gmd={GMD_NS})", resultType="results",
                                        outputSchema=GMD_NS, elementSetName="full", maxRecords=20)
    for schema in (CSW_NS, GMD_NS):
        yield f"GetRecordById {schema}", csw_get(csw_url, request="GetRecordById", id=some_id,
                                                 outputSchema=schema, elementSetName="full")
        yield f"GetRecordById POST {schema}", csw_post(csw_url, getrecordbyid_xml([some_id], schema))
    yield "DescribeRecord", csw_get(csw_url, request="DescribeRecord", typeName="csw:Record", namespace=ns_csw,
                                    schemaLanguage="http://www.w3.org/XML/Schema", outputFormat="application/xml")
    yield "DescribeRecord all", csw_get(csw_url, request="DescribeRecord")
    yield "DescribeRecord POST gmd", csw_post(
        csw_url, f'<csw:DescribeRecord xmlns:csw="{CSW_NS}" xmlns:gmd="{GMD_NS}" service="CSW" version="2.0.2">'
                 f'<csw:TypeName>gmd:MD_Metadata</csw:TypeName></csw:DescribeRecord>')


def test_every_csw_answer_validates(csw_url, catalogue):
    some_id = catalogue.uuid("ocsol")
    for name, r in csw_answers(csw_url, some_id):
        assert r.status_code == 200, (name, r.text[:500])
        doc = parse_xml(r)
        assert doc.tag.startswith(f"{{{CSW_NS}}}"), (name, doc.tag)
        validate(r.content, CSW_XSD, name)
    dr = parse_xml(csw_get(csw_url, request="DescribeRecord", typeName="csw:Record",
                           namespace=f"xmlns(csw={CSW_NS})"))
    comps = dr.findall("csw:SchemaComponent", NS)
    assert comps and comps[0].get("targetNamespace") == CSW_NS
    assert comps[0].find("{http://www.w3.org/2001/XMLSchema}schema") is not None


# Each request is complete but for one parameter: (id, params, codes, locator).
GETRECORDS = {"request": "GetRecords", "typeNames": "csw:Record", "resultType": "results", "elementSetName": "full"}
BAD_REQUESTS = [
    ("unknown operation", {"request": "GetNothing"}, {"OperationNotSupported", "InvalidParameterValue"}, "request"),
    ("bad outputSchema", {**GETRECORDS, "outputSchema": "urn:x-nope"}, {"InvalidParameterValue"}, "outputSchema"),
    ("bad elementSetName", {**GETRECORDS, "elementSetName": "huge"}, {"InvalidParameterValue"}, "elementSetName"),
    ("bad typeNames", {**GETRECORDS, "typeNames": "csw:Nothing"}, {"InvalidParameterValue"}, "typeNames"),
    ("GetRecordById without id", {"request": "GetRecordById"}, {"MissingParameterValue"}, "id"),
    ("bad CQL", {**GETRECORDS, "constraintLanguage": "CQL_TEXT", "constraint_language_version": "1.1.0",
                 "constraint": "dc:title LIKE"}, None, None),
    ("bad startPosition", {**GETRECORDS, "startPosition": "zero"}, {"InvalidParameterValue"}, "startPosition"),
]


@pytest.mark.parametrize("params,codes,locator", [b[1:] for b in BAD_REQUESTS], ids=[b[0] for b in BAD_REQUESTS])
def test_exceptions_validate(csw_url, params, codes, locator):
    r = csw_get(csw_url, **params)
    doc = parse_xml(r)
    assert doc.tag == "{http://www.opengis.net/ows}ExceptionReport", r.text[:500]
    assert doc.get("version") == "1.2.0"
    validate(r.content, OWS_EXCEPTION_XSD, "the exception report")
    exc = doc.find("ows:Exception", NS)
    assert exc.get("exceptionCode") in (codes or OWS_EXCEPTION_CODES), r.text
    if locator:
        assert (exc.get("locator") or "").lower() == locator.lower(), r.text


def test_malformed_post_gives_an_exception_report(csw_url):
    r = csw_post(csw_url, "<csw:GetRecords xmlns:csw='http://www.opengis.net/cat/csw/2.0.2'>")
    doc = parse_xml(r)
    assert doc.tag == "{http://www.opengis.net/ows}ExceptionReport"
    validate(r.content, OWS_EXCEPTION_XSD, "the exception report")


def test_every_iso_record_validates(base_url, catalogue):
    for u, rec in catalogue.records.items():
        r = requests.get(f"{base_url}/collections/catalog/items/{u}", params={"f": "xml"}, timeout=30)
        assert r.status_code == 200, (rec.label, r.status_code)
        md = parse_xml(r)
        assert md.tag == f"{{{GMD_NS}}}MD_Metadata"
        assert iso_id(md) == u
        validate(r.content, ISO_XSD, f"{rec.label} ({u})")


# --------------------------------------------------------------------------
# 4. pycsw 2.6.2 harvests tuile
# --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pycsw(tmp_path_factory):
    # Pages of 3: pycsw then asks startPosition 1, 4, 7 (maxRecords 3).
    server = PycswServer(tmp_path_factory.mktemp("pycsw"), pagesize=3)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def harvested_csw(pycsw, csw_url):
    return PycswServer.harvest_summary(pycsw.harvest(csw_url, HARVEST_CSW))


@pytest.fixture(scope="module")
def harvested_wms(pycsw, base_url):
    return PycswServer.harvest_summary(pycsw.harvest(f"{base_url}/wms", HARVEST_WMS))


def test_pycsw_harvests_every_record_of_tuile_csw(harvested_csw, catalogue, pycsw):
    inserted, updated, deleted, brief = harvested_csw
    ids = {i for i, _ in brief}
    # pycsw adds a record of its own for the CSW service it harvested.
    assert inserted == len(brief) == 9, (brief, pycsw.log())
    assert set(catalogue.records) <= ids
    [csw_service] = ids - set(catalogue.records)
    titles = dict(brief)
    for u, rec in catalogue.records.items():
        assert titles[u] == rec.title


def test_pycsw_serves_tuile_records_with_their_links(harvested_csw, catalogue, pycsw, base_url):
    client = CatalogueServiceWeb(pycsw.url, timeout=60)
    client.getrecords2(typenames="gmd:MD_Metadata", outputschema=GMD_NS, esn="full", maxrecords=100)
    for u, rec in catalogue.records.items():
        assert u in client.records, (rec.label, list(client.records))
        md = etree.fromstring(client.records[u].xml)
        assert iso_title(md) == rec.title
        assert iso_kind(md) == rec.kind
        if rec.kind != "service":
            assert any(link.startswith(base_url) for link in iso_links(md)), rec.label
    # As Dublin Core, pycsw writes the links as dct:references.
    client.getrecords2(typenames="csw:Record", outputschema=CSW_NS, esn="full", maxrecords=100)
    for name in DATASETS:
        rec = client.records[catalogue.uuid(name)]
        assert rec.title == LAYERS[name]["title"]
        assert rec.type == DATASETS[name]
        urls = [ref["url"] for ref in rec.references]
        assert any(url.startswith(f"{base_url}/wms") for url in urls), (name, urls)
    # pycsw's own search works on what it harvested.
    client.getrecords2(constraints=[fes.PropertyIsEqualTo("apiso:Type", "series")], typenames="csw:Record",
                       esn="brief", maxrecords=100)
    assert catalogue.uuid("ocsol") in client.records


def test_pycsw_harvests_tuile_wms_capabilities(harvested_wms, pycsw, base_url):
    inserted, updated, deleted, brief = harvested_wms
    # One record for the service, one per named layer. pycsw names the layer
    # records `<its service id>-<layer name>`: the dataset UUIDs come only
    # from the CSW harvest (the WMS MetadataURLs are not followed).
    assert inserted == len(brief) == 1 + len(DATASETS), (brief, pycsw.log())
    by_layer = {}
    for ident, title in brief:
        for name in DATASETS:
            if ident.endswith(f"-{name}"):
                by_layer[name] = (ident, title)
    assert set(by_layer) == set(DATASETS)
    for name, (ident, title) in by_layer.items():
        assert title == LAYERS[name]["title"]
    client = CatalogueServiceWeb(pycsw.url, timeout=60)
    client.getrecordbyid(id=[by_layer["erp"][0]], outputschema=CSW_NS)
    rec = client.records[by_layer["erp"][0]]
    assert rec.type == "dataset"
    assert any(ref["url"].startswith(f"{base_url}/wms") for ref in rec.references), rec.references


def test_pycsw_harvested_nothing_restricted(harvested_csw, harvested_wms, pycsw):
    client = CatalogueServiceWeb(pycsw.url, timeout=60)
    client.getrecords2(typenames="gmd:MD_Metadata", outputschema=GMD_NS, esn="full", maxrecords=100)
    assert b"adresses_cadastre" not in client.response


# --------------------------------------------------------------------------
# 5. DCAT-AP
# --------------------------------------------------------------------------

def dcat_graph(base_url, fmt, headers=None):
    params = {"f": "ttl"} if fmt == "turtle" else {}
    r = requests.get(f"{base_url}/dcat", params=params, headers=headers, timeout=30)
    assert r.status_code == 200, r.text[:500]
    ctype = r.headers["Content-Type"].split(";")[0].strip()
    g = Graph()
    if fmt == "turtle":
        assert ctype == "text/turtle"
        g.parse(data=r.content, format="turtle", publicID=r.url)
    else:
        assert ctype == "application/ld+json"
        doc = r.json()
        # A remote @context would make every consumer fetch it (and rdflib
        # here, offline, cannot): it must be inline.
        contexts = [d.get("@context") for d in (doc if isinstance(doc, list) else [doc])]
        for ctx in contexts:
            for c in ctx if isinstance(ctx, list) else [ctx]:
                assert not isinstance(c, str), f"remote JSON-LD @context {c!r}"
        g.parse(data=r.content, format="json-ld", base=r.url)
    return g, r.content


@pytest.fixture(scope="module", params=["json-ld", "turtle"])
def dcat(request, base_url):
    return dcat_graph(base_url, request.param)[0]


def french(g, s, p):
    return {str(o) for o in g.objects(s, p) if isinstance(o, Literal) and o.language in (None, "fr")}


def dcat_datasets(g):
    """{layer name: dataset node}, by French title."""
    out = {}
    for ds in g.subjects(RDF.type, DCAT.Dataset):
        titles = french(g, ds, DCTERMS.title)
        names = [n for n, layer in LAYERS.items() if layer["title"] in titles]
        assert len(names) == 1, (ds, titles)
        out[names[0]] = ds
    return out


def test_dcat_catalog_lists_one_dataset_per_visible_layer(dcat, base_url):
    g = dcat
    [catalog] = list(g.subjects(RDF.type, DCAT.Catalog))
    assert french(g, catalog, DCTERMS.title)
    datasets = dcat_datasets(g)
    assert set(datasets) == set(DATASETS)
    assert set(g.objects(catalog, DCAT.dataset)) == set(datasets.values())
    for name, ds in datasets.items():
        layer = LAYERS[name]
        assert list(g.objects(ds, DCTERMS.identifier)), name
        assert any(layer["abstract"] in d for d in french(g, ds, DCTERMS.description)), name
        assert set(layer["keywords"]) <= french(g, ds, DCAT.keyword), name
        spatial = list(g.objects(ds, DCTERMS.spatial))
        assert spatial and not any(isinstance(s, Literal) for s in spatial), name
        distributions = list(g.objects(ds, DCAT.distribution))
        assert distributions, name
        for d in distributions:
            urls = [str(u) for u in g.objects(d, DCAT.accessURL)]
            assert urls and all(isinstance(u, URIRef) for u in g.objects(d, DCAT.accessURL)), (name, d)
            assert all(u.startswith(base_url) for u in urls), (name, urls)
        # dct:license names a licence document (a resource, not a text), on
        # the dataset or on every distribution.
        licences = list(g.objects(ds, DCTERMS.license)) or \
            [lic for d in distributions for lic in g.objects(d, DCTERMS.license)]
        assert licences and not any(isinstance(lic, Literal) for lic in licences), name
    # The layer with editions has a temporal extent.
    temporal = list(g.objects(datasets["ocsol"], DCTERMS.temporal))
    assert temporal, "ocsol has editions: dct:temporal"
    starts = [o for t in temporal for p in (DCAT.startDate, Namespace("http://schema.org/").startDate,
                                            Namespace("https://schema.org/").startDate)
              for o in g.objects(t, p)]
    assert starts, "dct:temporal without a start date"


def test_dcat_data_services(dcat, base_url):
    g = dcat
    datasets = set(dcat_datasets(g).values())
    services = list(g.subjects(RDF.type, DCAT.DataService))
    assert len(services) == len(SERVICES)
    endpoints = set()
    for s in services:
        urls = [str(u) for u in g.objects(s, DCAT.endpointURL)]
        assert urls and all(u.startswith(base_url) for u in urls), (s, urls)
        endpoints.update(urls)
        assert list(g.objects(s, DCAT.endpointDescription)), s
        served = set(g.objects(s, DCAT.servesDataset))
        if any(u.endswith("/csw") for u in urls):
            continue  # the catalogue serves records, not datasets
        assert served and served <= datasets, s
    assert any("/wmts" in u for u in endpoints) and any("/wms" in u for u in endpoints), endpoints


def test_dcat_serialisations_are_the_same_graph(base_url):
    jsonld, _ = dcat_graph(base_url, "json-ld")
    ttl, _ = dcat_graph(base_url, "turtle")
    jd, td = dcat_datasets(jsonld), dcat_datasets(ttl)
    assert set(jd) == set(td)
    for name in jd:
        assert set(jsonld.objects(jd[name], DCTERMS.title)) == set(ttl.objects(td[name], DCTERMS.title))
    if not isomorphic(jsonld, ttl):
        _, only_jsonld, only_ttl = graph_diff(to_isomorphic(jsonld), to_isomorphic(ttl))
        pytest.fail("JSON-LD and Turtle differ:\nonly in JSON-LD:\n"
                    + "\n".join(sorted(map(str, only_jsonld)))[:3000]
                    + "\nonly in Turtle:\n" + "\n".join(sorted(map(str, only_ttl)))[:3000])


# --------------------------------------------------------------------------
# 6. Access: the members-only layer
# --------------------------------------------------------------------------

def test_the_key_adds_the_restricted_record(csw_url, keyed_catalogue, catalogue):
    assert set(keyed_catalogue.by_label) == PUBLIC | {RESTRICTED}
    rec = keyed_catalogue.by_label[RESTRICTED]
    assert rec.kind == "dataset"
    # The public records are the same records.
    assert {u: r.label for u, r in catalogue.records.items()} == \
        {u: r.label for u, r in keyed_catalogue.records.items() if r.label != RESTRICTED}
    # Header or apikey parameter, KVP or POST: 8 hits.
    hits = getrecords_xml(result_type="hits")
    for r in (csw_post(csw_url, hits, KEYED),
              csw_post(f"{csw_url}?apikey={KEY}", hits),
              csw_get(csw_url, KEYED, **GETRECORDS | {"resultType": "hits"}),
              csw_get(csw_url, **GETRECORDS | {"resultType": "hits"}, apikey=KEY)):
        assert search_results(ok_csw(r, "GetRecordsResponse"))[0] == 9
    # The service records operate on it too.
    operates = {o.get("uuidref") for o in iso_identification(keyed_catalogue.by_label["WMS"].md)
                .iterfind("srv:operatesOn", NS)}
    assert rec.uuid in operates


def test_owslib_with_the_key_in_the_url(csw_url):
    # OWSLib POSTs GetRecords to the URL the capabilities advertise: the key
    # given in the URL must be carried there.
    client = CatalogueServiceWeb(f"{csw_url}?apikey={KEY}", timeout=60)
    client.getrecords2(resulttype="hits")
    assert client.results["matches"] == 9


def test_owslib_with_the_key_in_a_header(csw_url):
    client = CatalogueServiceWeb(csw_url, timeout=60, headers=KEYED)
    client.getrecords2(resulttype="hits")
    assert client.results["matches"] == 9


@pytest.mark.parametrize("fmt", ["json-ld", "turtle"])
def test_dcat_with_the_key(base_url, fmt):
    g, _ = dcat_graph(base_url, fmt, KEYED)
    assert set(dcat_datasets(g)) == set(DATASETS) | {RESTRICTED}
    g, _ = dcat_graph(base_url, fmt)
    assert set(dcat_datasets(g)) == set(DATASETS)


def test_nothing_mentions_the_restricted_layer_without_key(csw_url, base_url, catalogue, keyed_catalogue):
    secret_uuid = keyed_catalogue.uuid(RESTRICTED).encode()
    markers = [RESTRICTED.encode(), LAYERS[RESTRICTED]["title"].encode(), secret_uuid]
    answers = list(csw_answers(csw_url, catalogue.uuid("erp")))
    answers += [
        (f"GetRecords {schema} {esn}", csw_post(csw_url, getrecords_xml(
            output_schema=schema, type_names=tn, esn=esn, max_records=100)))
        for schema, tn in ((CSW_NS, "csw:Record"), (GMD_NS, "gmd:MD_Metadata")) for esn in ("brief", "full")
    ]
    answers += [("GetRecordById all", csw_get(csw_url, request="GetRecordById", id=",".join(catalogue.records),
                                              outputSchema=GMD_NS, elementSetName="full"))]
    answers += [(f"record {u}", requests.get(f"{base_url}/collections/catalog/items/{u}", params={"f": f},
                                             timeout=30))
                for u in catalogue.records for f in ("xml", "json")]
    answers += [(path, requests.get(base_url + path, timeout=30)) for path in (
        "/dcat", "/dcat?f=ttl", "/collections/catalog", "/collections/catalog/items?limit=100",
        "/collections/catalog/items?q=adresses&limit=100", "/collections?f=json",
        "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities")]
    for what, r in answers:
        assert r.status_code == 200, (what, r.status_code)
        for m in markers:
            assert m not in r.content, f"{what} mentions {m.decode()}"


def test_the_restricted_record_is_not_found_without_key(csw_url, base_url, keyed_catalogue):
    secret = keyed_catalogue.uuid(RESTRICTED)
    nobody = str(uuid.uuid4())
    for u in (secret, nobody):
        for schema in (CSW_NS, GMD_NS):
            doc = ok_csw(csw_get(csw_url, request="GetRecordById", id=u, outputSchema=schema),
                         "GetRecordByIdResponse")
            assert len(doc) == 0, etree.tostring(doc)
    # Exactly like a record that does not exist.
    for params in ({}, {"f": "xml"}, {"f": "qlr"}):
        statuses = {requests.get(f"{base_url}/collections/catalog/items/{u}", params=params, timeout=30).status_code
                    for u in (secret, nobody)}
        assert statuses == {404}, params
    # With the key it is there.
    r = requests.get(f"{base_url}/collections/catalog/items/{secret}", params={"f": "xml"}, headers=KEYED,
                     timeout=30)
    assert r.status_code == 200 and iso_id(parse_xml(r)) == secret
    validate(r.content, ISO_XSD, "the restricted record")


# --------------------------------------------------------------------------
# 7. OGC API - Records, QGIS layer definitions, WMS links
# --------------------------------------------------------------------------

def records_items(base_url, **params):
    r = requests.get(f"{base_url}/collections/catalog/items", params={"limit": 100, **params}, timeout=30)
    assert r.status_code == 200, (params, r.text[:500])
    assert r.headers["Content-Type"].split(";")[0] in ("application/geo+json", "application/json")
    fc = r.json()
    assert fc["type"] == "FeatureCollection"
    return [f["id"] for f in fc["features"]]


def positions(coords):
    """The positions of GeoJSON coordinates of any depth."""
    if coords and isinstance(coords[0], (int, float)):
        return [coords]
    return [p for c in coords for p in positions(c)]


def test_records_collection(base_url):
    r = requests.get(f"{base_url}/collections/catalog", params={"f": "json"}, timeout=30)
    assert r.status_code == 200
    assert r.json()["itemType"] == "record"


def test_record_items_as_geojson(base_url, catalogue):
    for u, rec in catalogue.records.items():
        for params in ({}, {"f": "json"}):
            r = requests.get(f"{base_url}/collections/catalog/items/{u}", params=params, timeout=30)
            assert r.status_code == 200, (rec.label, params)
            item = r.json()
            assert item["id"] == u and item["type"] == "Feature"
            assert "geometry" in item
            props = item["properties"]
            assert props["type"] == rec.kind
            assert props["title"] == rec.title
            assert isinstance(item.get("links"), list) and item["links"]
            if rec.kind != "service":
                coords = positions(item["geometry"]["coordinates"])
                lons, lats = [c[0] for c in coords], [c[1] for c in coords]
                assert inside((min(lons), min(lats), max(lons), max(lats)), OCCITANIE), rec.label
                assert set(LAYERS[rec.label]["keywords"]) <= set(props.get("keywords", [])), rec.label


@pytest.mark.parametrize("q,expected", [
    ("occupation", {"ocsol"}),
    ("OCCUPATION", {"ocsol"}),
    ("etablissements", {"erp"}),
    ("Établissements", {"erp"}),
    ("orthophotographie", {"bdortho"}),
])
def test_records_full_text_search_ignores_case_and_accents(base_url, catalogue, q, expected):
    found = catalogue.labels(records_items(base_url, q=q))
    assert expected <= found, found
    assert not ((set(DATASETS) - expected) & found), found


def test_records_search_by_bbox_and_type(base_url, catalogue):
    around = catalogue.labels(records_items(base_url, bbox=",".join(map(str, AROUND_DATA))))
    assert set(DATASETS) <= around
    assert records_items(base_url, bbox=",".join(map(str, BRITTANY))) == []
    assert catalogue.labels(records_items(base_url, type="series")) == {"ocsol"}
    assert catalogue.labels(records_items(base_url, type="dataset")) == set(DATASETS) - {"ocsol"}
    assert catalogue.labels(records_items(base_url, type="service")) == set(SERVICES)
    assert catalogue.labels(records_items(base_url, q="occupation", type="series")) == {"ocsol"}


def test_qgis_layer_definition_for_each_dataset(base_url, catalogue):
    host = urllib.parse.urlsplit(base_url).netloc
    for name in DATASETS:
        r = requests.get(f"{base_url}/collections/catalog/items/{catalogue.uuid(name)}", params={"f": "qlr"},
                         timeout=30)
        assert r.status_code == 200, name
        doc = etree.fromstring(r.content)
        assert doc.tag == "qlr", name
        layers = doc.findall(".//maplayer")
        assert layers, name
        for layer in layers:
            source = urllib.parse.unquote(layer.findtext("datasource") or "")
            assert host in source, (name, source)
            assert layer.findtext("provider"), name
            assert layer.findtext("layername"), name
        # QGIS adds to the layer tree the layers its tree names, by id.
        ids = {layer.findtext("id") for layer in layers}
        for tree_layer in doc.iter("layer-tree-layer"):
            assert tree_layer.get("id") in ids, name


def test_wms_capabilities_link_each_layer_to_its_record(base_url, catalogue):
    r = requests.get(f"{base_url}/wms", params={"SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetCapabilities"},
                     timeout=30)
    assert r.status_code == 200
    validate(r.content, INSPIRE_WMS_XSD, "the WMS 1.3.0 capabilities")
    caps = etree.fromstring(r.content)
    ext = caps.find("wms:Capability/inspire_vs:ExtendedCapabilities", NS)
    assert ext is not None, "no inspire_vs:ExtendedCapabilities"
    # Scenario 1: the service's own record.
    url = ext.findtext("inspire_common:MetadataUrl/inspire_common:URL", namespaces=NS)
    if url:
        md = find_md(parse_xml(requests.get(url, timeout=30)))
        assert iso_id(md) == catalogue.uuid("WMS")

    def authorities(layer):
        names = set()
        while layer is not None and layer.tag == f"{{{NS['wms']}}}Layer":
            names |= {a.get("name") for a in layer.findall("wms:AuthorityURL", NS)}
            layer = layer.getparent()
        return names

    named = {layer.findtext("wms:Name", namespaces=NS): layer
             for layer in caps.iter(f"{{{NS['wms']}}}Layer") if layer.find("wms:Name", NS) is not None}
    assert set(DATASETS) <= set(named)
    for name in DATASETS:
        layer = named[name]
        murls = [m for m in layer.findall("wms:MetadataURL", NS) if m.get("type") == "ISO19115:2003"]
        assert len(murls) == 1, name
        assert murls[0].findtext("wms:Format", namespaces=NS) == "text/xml"
        href = murls[0].find("wms:OnlineResource", NS).get(f"{{{NS['xlink']}}}href")
        assert href.startswith(base_url), href
        md = find_md(parse_xml(requests.get(href, timeout=30)))
        assert iso_id(md) == catalogue.uuid(name)
        assert iso_title(md) == LAYERS[name]["title"]
        idents = layer.findall("wms:Identifier", NS)
        assert idents, name
        for ident in idents:
            assert ident.get("authority") in authorities(layer), name
            assert ident.text.strip() in iso_resource_identifiers(md), (name, ident.text,
                                                                        iso_resource_identifiers(md))
