"""OWSLib's WebMapService reads both capabilities versions and fetches maps."""
import pytest
import requests
from owslib.wms import WebMapService

from conftest import decode
from osgeo_free_transform import to_crs

LAYERS = {"bdortho", "ocsol", "erp", "adresses"}


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_capabilities_are_read(base_url, version):
    wms = WebMapService(f"{base_url}/wms", version=version)
    assert wms.identification.type in ("WMS", "OGC:WMS")
    assert wms.identification.title
    assert LAYERS <= set(wms.contents)
    ortho = wms["bdortho"]
    assert ortho.title.startswith("BD ORTHO")
    west, south, east, north = ortho.boundingBoxWGS84
    assert 3.8 < west < east < 3.95 and 43.55 < south < north < 43.65
    crs = {c[4] if isinstance(c, tuple) else c for c in ortho.crsOptions}
    assert {"EPSG:2154", "EPSG:3857", "EPSG:4326"} <= crs
    assert "image/png" in wms.getOperationByName("GetMap").formatOptions
    assert set(wms["ocsol"].styles) == {"couverture", "usage", "transparence"}


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
@pytest.mark.parametrize("srs", ["EPSG:2154", "EPSG:3857", "EPSG:4326"])
def test_getmap_in_each_crs(base_url, manifest, version, srs):
    wms = WebMapService(f"{base_url}/wms", version=version)
    # The basin: water in the middle of the ortho, at a known place.
    x0, y0, x1, y1 = manifest["basin"]
    box = to_crs((x0 - 50, y0 - 50, x1 + 50, y1 + 50), srs)
    img = wms.getmap(layers=["bdortho"], styles=[""], srs=srs, bbox=box, size=(200, 200), format="image/png")
    data = img.read()
    pixels = decode(data)
    assert pixels.shape == (200, 200, 4)
    centre = pixels[90:110, 90:110, :3].reshape(-1, 3).mean(axis=0)
    red, green, blue = centre
    assert blue > red + 25 and green > red + 15, f"the basin is water-coloured: {centre}"
    # OWSLib's axis handling agrees with a hand-written request.
    if version == "1.3.0" and srs == "EPSG:4326":
        lat_lon = f"{box[1]},{box[0]},{box[3]},{box[2]}"
    else:
        lat_lon = ",".join(str(v) for v in box)
    key = "CRS" if version == "1.3.0" else "SRS"
    raw = requests.get(
        f"{base_url}/wms",
        params={"SERVICE": "WMS", "VERSION": version, "REQUEST": "GetMap", "LAYERS": "bdortho", "STYLES": "",
                key: srs, "BBOX": lat_lon, "WIDTH": 200, "HEIGHT": 200, "FORMAT": "image/png"},
        timeout=30,
    )
    assert raw.status_code == 200
    assert (decode(raw.content) == pixels).all()


def test_getmap_errors_raise_service_exceptions(base_url):
    from owslib.util import ServiceException

    wms = WebMapService(f"{base_url}/wms", version="1.3.0")
    with pytest.raises(ServiceException) as info:
        wms.getmap(layers=["nope"], styles=[""], srs="EPSG:2154", bbox=(769000, 6278000, 771000, 6280000),
                   size=(64, 64), format="image/png")
    assert "nope" in str(info.value)


@pytest.mark.parametrize("version", ["1.3.0", "1.1.1"])
def test_getfeatureinfo_finds_the_town_hall(base_url, manifest, version):
    import json

    wms = WebMapService(f"{base_url}/wms", version=version)
    x, y = manifest["landmark_erp"]
    box = (x - 50.5, y - 50.5, x + 50.5, y + 50.5)
    r = wms.getfeatureinfo(layers=["erp"], styles=[""], srs="EPSG:2154", bbox=box, size=(101, 101),
                           format="image/png", query_layers=["erp"], info_format="application/json", xy=(50, 50))
    features = json.loads(r.read())["features"]
    assert features[0]["properties"]["nom"] == "Hôtel de Ville de Montpellier"
