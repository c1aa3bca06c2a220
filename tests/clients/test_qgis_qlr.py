"""The search page's "Open in QGIS": every dataset's .qlr loads in QGIS 3.22
(Debian's, through tests/clients/qgis_load.py), its layer is valid, and
QGIS reads the same features tuile's own API gives in a box, or draws the
orthophoto."""
import json
import os
import subprocess

import requests

# Montpellier, in the test data: lon/lat for the OGC API layers, Lambert-93 for the WMS one.
LONLAT_BOX = (3.8760, 43.6050, 3.8800, 43.6080)
L93_BOX = (769500, 6278500, 770500, 6279500)


def datasets(base_url):
    """The dataset and series records (the ones with a layer to open)."""
    found = []
    for kind in ("dataset", "series"):
        r = requests.get(f"{base_url}/collections/catalog/items", params={"limit": 100, "type": kind}, timeout=30)
        r.raise_for_status()
        found.extend(r.json()["features"])
    return found


def test_every_dataset_opens_in_qgis(base_url, tmp_path):
    args, expected = [], {}
    for rec in datasets(base_url):
        layer = rec["properties"]["layer"]
        qlr = requests.get(f"{base_url}/collections/catalog/items/{rec['id']}", params={"f": "qlr"}, timeout=30)
        assert qlr.status_code == 200
        assert qlr.headers["Content-Type"] == "application/x-qgis-layer-definition"
        path = tmp_path / f"{layer}.qlr"
        path.write_bytes(qlr.content)
        vector = "geometryType" in rec["properties"]
        box = LONLAT_BOX if vector else L93_BOX
        args += [str(path), ",".join(map(str, box))]
        if vector:
            items = requests.get(f"{base_url}/collections/{layer}/items",
                                 params={"bbox": ",".join(map(str, box)), "limit": 10000}, timeout=60).json()
            assert "next" not in {link["rel"] for link in items["links"]}, "one page holds the box"
            expected[str(path)] = (rec["properties"]["title"], len(items["features"]))
        else:
            expected[str(path)] = (rec["properties"]["title"], None)
    assert len(expected) == 4
    run = subprocess.run(["/usr/bin/python3", os.path.join(os.path.dirname(__file__), "qgis_load.py"), *args],
                         capture_output=True, text=True, timeout=600, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert run.returncode == 0, run.stderr[-3000:]
    loaded = json.loads(run.stdout.strip().splitlines()[-1])
    assert {r["file"] for r in loaded} == set(expected)
    for r in loaded:
        title, count = expected[r["file"]]
        assert r["loaded"] and r["valid"], r
        assert r["name"] == title
        if count is None:
            assert r["provider"] == "wms" and r["crs"] == "EPSG:2154"
            assert r["colours"] > 100, r  # an orthophoto, not a blank or an error image
        else:
            assert r["provider"] == "oapif"
            assert count > 0 and r["features"] == count, (r, count)
