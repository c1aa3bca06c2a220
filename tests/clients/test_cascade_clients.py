"""Cascaded layers as partners' clients see them: Debian's MapServer as an
upstream WMS and the test server as an upstream WMTS, republished by a
second tuile; OWSLib loads the cascaded layers like local ones, and where
no resampling is needed their pixels are the upstream's."""
import http.server
import json
import os
import pathlib
import socket
import subprocess
import threading
import time

import numpy as np
import pytest
import requests
from owslib.wms import WebMapService
from owslib.wmts import WebMapTileService

from conftest import decode

ROOT = pathlib.Path(__file__).resolve().parents[2]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url, proc=None):
    for _ in range(200):
        try:
            if requests.get(url, timeout=2).status_code < 500:
                return
        except requests.RequestException:
            pass
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the server died: {url}")
        time.sleep(0.1)
    pytest.fail(f"no answer from {url}")


@pytest.fixture(scope="module")
def mapserver(tmp_path_factory):
    """Debian's mapserv behind a small CGI gateway, with the benchmark's mapfile."""
    data = os.environ["TUILE_DATA"]
    run = tmp_path_factory.mktemp("mapserver")
    templates = ROOT / "bench/peers/templates"
    for name in ("tuile.map", "fonts.txt", "mapserver.conf"):
        text = (templates / name).read_text()
        text = text.replace("@DATA_DIR@", data).replace("@RUN_DIR@", str(run)).replace("@MILLESIME@", "2021")
        (run / name).write_text(text)
    env = dict(os.environ, MAPSERVER_CONFIG_FILE=str(run / "mapserver.conf"))

    class Cgi(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            query = self.path.split("?", 1)[1] if "?" in self.path else ""
            host, port = self.server.server_address[:2]
            cgi = dict(env, QUERY_STRING=query, REQUEST_METHOD="GET", SERVER_NAME=host,
                       SERVER_PORT=str(port), SCRIPT_NAME="/wms", HTTP_HOST=f"{host}:{port}")
            out = subprocess.run(["mapserv"], capture_output=True, env=cgi).stdout
            head, _, body = out.partition(b"\r\n\r\n")
            status, headers = 200, []
            for line in head.decode("latin-1").split("\r\n"):
                k, _, v = line.partition(":")
                if k.lower() == "status":
                    status = int(v.split()[0])
                elif k:
                    headers.append((k, v.strip()))
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Cgi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/wms"
    wait_for(url + "?SERVICE=WMS&REQUEST=GetCapabilities")
    yield url
    server.shutdown()


@pytest.fixture(scope="module")
def cascade(base_url, mapserver, tmp_path_factory):
    """A second tuile republishing MapServer's orthophoto (WMS) and the test
    server's (WMTS)."""
    run = tmp_path_factory.mktemp("cascade")
    port = free_port()
    (run / "tuile.toml").write_text(f"""
[server]
metadata = "{ROOT}/capabilities/service.toml"
styles_dir = "{ROOT}/styles"

[[layers]]
name = "ortho_mapserver"
source = {{ kind = "wms", url = "{mapserver}", layers = ["bdortho"] }}
crs = ["EPSG:2154", "EPSG:3857", "EPSG:4326"]

[[layers]]
name = "ortho_tuile"
title = "Orthophotographie du partenaire"
source = {{ kind = "wmts", url = "{base_url}/wmts", layer = "bdortho", format = "image/png" }}
crs = ["EPSG:2154", "EPSG:3857", "EPSG:4326", "CRS:84"]
""")
    log = open(run / "server.log", "w")
    proc = subprocess.Popen([str(ROOT / "target/release/tuile"), "serve", "--config", str(run / "tuile.toml"),
                             "--bind", f"127.0.0.1:{port}"], stdout=log, stderr=subprocess.STDOUT,
                            env=dict(os.environ, RUST_LOG="warn"))
    url = f"http://127.0.0.1:{port}"
    wait_for(url + "/ready", proc)
    ready = requests.get(url + "/ready").json()
    assert ready["problems"] == [], ready
    yield url
    proc.terminate()
    proc.wait()


def test_owslib_reads_the_cascaded_layers_with_their_harvested_metadata(cascade):
    wms = WebMapService(cascade + "/wms", version="1.3.0")
    assert {"ortho_mapserver", "ortho_tuile"} <= set(wms.contents)
    # MapServer's title, since tuile.toml gives none; tuile.toml's wins otherwise.
    assert wms["ortho_mapserver"].title == "BD ORTHO 20 cm"
    assert wms["ortho_tuile"].title == "Orthophotographie du partenaire"
    assert "EPSG:2154" in wms["ortho_mapserver"].crsOptions
    caps = requests.get(cascade + "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").text
    assert caps.count('cascaded="1"') == 2


def test_a_map_cascaded_from_mapserver_is_mapservers_map(cascade, mapserver):
    bbox = (769000, 6278000, 771000, 6280000)
    wms = WebMapService(cascade + "/wms", version="1.3.0")
    ours = decode(wms.getmap(layers=["ortho_mapserver"], styles=[""], srs="EPSG:2154", bbox=bbox,
                             size=(400, 400), format="image/png", transparent=True).read())
    theirs = decode(requests.get(mapserver, params={
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "bdortho", "STYLES": "",
        "CRS": "EPSG:2154", "BBOX": ",".join(map(str, bbox)), "WIDTH": 400, "HEIGHT": 400,
        "FORMAT": "image/png", "TRANSPARENT": "TRUE"}).content)
    assert theirs[..., :3].std() > 10, "MapServer drew an empty map"
    assert np.array_equal(ours, theirs)


def test_owslib_wmts_tiles_of_a_cascaded_wmts_are_the_upstreams(cascade, base_url):
    wmts = WebMapTileService(cascade + "/wmts")
    assert "ortho_tuile" in wmts.contents
    layer = wmts["ortho_tuile"]
    assert {"LAMB93", "WebMercatorQuad"} <= set(layer.tilematrixsetlinks)
    upstream = WebMapTileService(base_url + "/wmts")
    for tms, z, row, col in (("LAMB93", "19", 112090, 15086), ("WebMercatorQuad", "20", 382870, 535550)):
        ours = decode(wmts.gettile(layer="ortho_tuile", tilematrixset=tms, tilematrix=z, row=row, column=col,
                                   format="image/png").read())
        theirs = decode(upstream.gettile(layer="bdortho", tilematrixset=tms, tilematrix=z, row=row, column=col,
                                         format="image/png").read())
        assert (theirs[..., 3] == 255).mean() > 0.9, f"{tms}: the upstream tile is mostly empty"
        assert np.array_equal(ours, theirs), tms


def test_the_cascade_reports_its_upstreams(cascade, mapserver):
    ready = requests.get(cascade + "/ready").json()
    hosts = {u["host"]: u for u in ready["upstreams"]}
    assert mapserver.split("/")[2] in hosts, ready
    assert all(u["up"] for u in hosts.values()), ready
    metrics = requests.get(cascade + "/metrics").text
    assert 'tuile_upstream{figure="up",host="' + mapserver.split("/")[2] + '"} 1' in metrics


def test_qgis_loads_and_draws_the_cascaded_layers(cascade):
    """QGIS 3.22's own WMS and WMTS providers, as a GIS user opens the layers."""
    run = subprocess.run(["/usr/bin/python3", str(ROOT / "tests/clients/qgis_cascade.py"), cascade, "ortho_tuile",
                          "769000,6278000,771000,6280000"],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr[-3000:]
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert [r["kind"] for r in loaded] == ["WMS", "WMTS"]
    for r in loaded:
        assert r["valid"] and r["crs"] == "EPSG:2154", r
        assert r["colours"] > 100, r  # an orthophoto, not a blank or an error image
