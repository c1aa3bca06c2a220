"""GDAL's WMS driver (what QGIS uses for some sources) reads images."""
import subprocess

import pytest

from conftest import decode
from osgeo_free_transform import to_crs


@pytest.mark.parametrize("version,srs", [("1.3.0", "EPSG:2154"), ("1.3.0", "EPSG:3857"), ("1.1.1", "EPSG:4326"), ("1.3.0", "EPSG:4326")])
def test_gdal_translate_reads_a_map(base_url, manifest, tmp_path, version, srs):
    x0, y0, x1, y1 = manifest["basin"]
    box = to_crs((x0 - 150, y0 - 150, x1 + 150, y1 + 150), srs)
    if version == "1.3.0" and srs == "EPSG:4326":
        bbox = f"{box[1]},{box[0]},{box[3]},{box[2]}"
        key = "CRS"
    else:
        bbox = ",".join(f"{v}" for v in box)
        key = "CRS" if version == "1.3.0" else "SRS"
    url = (f"WMS:{base_url}/wms?SERVICE=WMS&VERSION={version}&REQUEST=GetMap&LAYERS=bdortho&STYLES="
           f"&{key}={srs}&BBOX={bbox}&FORMAT=image/png")
    out = tmp_path / "map.png"
    subprocess.run(["gdal_translate", "-q", "-of", "PNG", "-outsize", "256", "256", url, str(out)],
                   check=True, timeout=120)
    pixels = decode(out.read_bytes())
    assert pixels.shape[:2] == (256, 256)
    centre = pixels[118:138, 118:138, :3].reshape(-1, 3).mean(axis=0)
    red, green, blue = centre
    assert blue > red + 25, f"the basin is water-coloured: {centre}"
    # Around the basin: buildings, fields and roads, not a blank image.
    assert pixels[..., :3].std() > 20
