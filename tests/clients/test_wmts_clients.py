"""WMTS read by OWSLib's WebMapTileService and GDAL's WMTS driver, in
WebMercatorQuad and LAMB93: tiles land where WMS says they should."""
import subprocess

import numpy as np
import pytest
import requests
from owslib.wmts import WebMapTileService

from conftest import decode
from osgeo_free_transform import to_crs

SETS = {"WebMercatorQuad": "EPSG:3857", "LAMB93": "EPSG:2154"}


def tile_containing(tms, matrix_id, x, y):
    m = tms.tilematrix[matrix_id]
    span = m.scaledenominator * 0.00028 * m.tilewidth
    left, top = m.topleftcorner
    return int((top - y) // span), int((x - left) // span), (left, top, span)


def wms_map(base_url, crs, box, size):
    r = requests.get(f"{base_url}/wms", params={
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap", "LAYERS": "bdortho", "STYLES": "",
        "CRS": crs, "BBOX": ",".join(str(v) for v in box), "WIDTH": size[0], "HEIGHT": size[1],
        "FORMAT": "image/png"}, timeout=60)
    assert r.status_code == 200, r.text
    return decode(r.content)


@pytest.mark.parametrize("set_id", SETS)
def test_owslib_reads_tiles_that_match_wms(base_url, manifest, set_id):
    wmts = WebMapTileService(f"{base_url}/wmts/1.0.0/WMTSCapabilities.xml")
    assert {"bdortho", "ocsol", "erp", "adresses"} <= set(wmts.contents)
    layer = wmts.contents["bdortho"]
    assert set_id in layer.tilematrixsetlinks
    tms = wmts.tilematrixsets[set_id]
    crs = SETS[set_id]
    x0, y0, x1, y1 = manifest["basin"]
    cx, cy = to_crs(((x0 + x1) / 2, (y0 + y1) / 2, (x0 + x1) / 2 + 0.01, (y0 + y1) / 2 + 0.01), crs)[:2]
    matrix = "17" if set_id == "WebMercatorQuad" else "16"
    row, col, (left, top, span) = tile_containing(tms, matrix, cx, cy)
    tile = wmts.gettile(layer="bdortho", tilematrixset=set_id, tilematrix=matrix, row=row, column=col,
                        format="image/png", style="default")
    pixels = decode(tile.read())
    assert pixels.shape == (256, 256, 4)
    box = (left + col * span, top - (row + 1) * span, left + (col + 1) * span, top - row * span)
    expected = wms_map(base_url, crs, box, (256, 256))
    assert np.abs(pixels.astype(int) - expected.astype(int)).max() <= 1


@pytest.mark.parametrize("set_id", SETS)
def test_gdal_wmts_driver_aligns_with_wms(base_url, manifest, tmp_path, set_id):
    crs = SETS[set_id]
    x0, y0, x1, y1 = manifest["basin"]
    box = to_crs((x0 - 100, y0 - 100, x1 + 100, y1 + 100), crs)
    src = f"WMTS:{base_url}/wmts/1.0.0/WMTSCapabilities.xml,layer=bdortho,tilematrixset={set_id}"
    out = tmp_path / "wmts.png"
    subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-r", "bilinear", "-outsize", "300", "300",
                    "-projwin", str(box[0]), str(box[3]), str(box[2]), str(box[1]), src, str(out)],
                   check=True, timeout=120)
    got = decode(out.read_bytes())[..., :3].astype(float)
    expected = wms_map(base_url, crs, box, (300, 300))[..., :3].astype(float)
    # GDAL picks a tile level and resamples, so pixels differ slightly; a
    # misaligned grid would shift the basin by tiles and ruin the match.
    diff = np.abs(got - expected).mean()
    assert diff < 12, diff
    water = got[140:160, 140:160].reshape(-1, 3).mean(axis=0)
    assert water[2] > water[0] + 25, water
