"""Capabilities and exceptions, as served over HTTP, validate with xmllint offline."""
import os
import pathlib
import subprocess

import pytest
import requests

SCHEMAS = pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "ogc-schemas"


def xmllint(doc: bytes, *args):
    if not SCHEMAS.is_dir():
        pytest.fail(f"{SCHEMAS} is missing")
    env = dict(os.environ, XML_CATALOG_FILES=str(SCHEMAS / "catalog.xml"))
    run = subprocess.run(["xmllint", "--noout", "--nonet", *args, "-"], input=doc, env=env, capture_output=True)
    assert run.returncode == 0, run.stderr.decode()


@pytest.mark.parametrize("query,schema", [
    # inspire_vs.xsd is WMS 1.3.0 plus the INSPIRE extended capabilities the
    # document carries (the WMS schema alone rejects them).
    ("SERVICE=WMS&REQUEST=GetCapabilities", ["--schema", str(SCHEMAS / "inspire/inspire_vs/1.0/inspire_vs.xsd")]),
    ("SERVICE=WMS&VERSION=1.1.1&REQUEST=GetCapabilities", ["--dtdvalid", str(SCHEMAS / "wms/1.1.1/WMS_MS_Capabilities.dtd")]),
    ("VERSION=1.3.0&REQUEST=GetMap&LAYERS=nope", ["--schema", str(SCHEMAS / "wms/1.3.0/exceptions_1_3_0.xsd")]),
    ("VERSION=1.1.1&REQUEST=GetMap&LAYERS=nope", ["--dtdvalid", str(SCHEMAS / "wms/1.1.1/exception_1_1_1.dtd")]),
])
def test_documents_validate(base_url, query, schema):
    r = requests.get(f"{base_url}/wms?{query}", timeout=30)
    assert "xml" in r.headers["Content-Type"]
    xmllint(r.content, *schema)
