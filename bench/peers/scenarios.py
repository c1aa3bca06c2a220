"""Request URLs of the benchmark scenarios on the peer servers (see README.md).

Standard library only, so that the harness can import it from any Python:

    sys.path.insert(0, "bench/peers"); import scenarios
    scenarios.s1_mapserver("http://127.0.0.1:8081", 16, 33471, 23929)

`base` is the peer's root URL, without a trailing slash.
"""
import json
import math
import subprocess
from urllib.parse import urlencode

WEBMERCATOR_HALF = 20037508.342789244  # half the side of WebMercatorQuad, metres


def tile_bbox_3857(z, x, y):
    """Bounds (minx, miny, maxx, maxy) of WebMercatorQuad tile z/x/y (y from the top)."""
    size = 2 * WEBMERCATOR_HALF / 2**z
    minx = -WEBMERCATOR_HALF + x * size
    maxy = WEBMERCATOR_HALF - y * size
    return (minx, maxy - size, minx + size, maxy)


def tile_of(lon, lat, z):
    """WebMercatorQuad (x, y) of the tile holding lon/lat at zoom z."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


def _bbox(b):
    return ",".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in b)


def wms_getmap(base, layer, crs, bbox, width, height, fmt):
    """MapServer WMS 1.3.0 GetMap. EPSG:3857 and EPSG:2154 take BBOX as x,y
    (easting first); EPSG:4326 would take lat,lon."""
    q = {
        "SERVICE": "WMS", "VERSION": "1.3.0", "REQUEST": "GetMap",
        "LAYERS": layer, "STYLES": "", "CRS": crs, "BBOX": _bbox(bbox),
        "WIDTH": width, "HEIGHT": height, "FORMAT": fmt,
    }
    return f"{base}/wms?{urlencode(q)}"


# S1: 256x256 PNG tile of bdortho in EPSG:3857
def s1_mapserver(base, z, x, y):
    return wms_getmap(base, "bdortho", "EPSG:3857", tile_bbox_3857(z, x, y), 256, 256, "image/png")


def s1_titiler(base, data_dir, z, x, y):
    """Bilinear like tuile and MapServer (TiTiler's default is nearest)."""
    q = urlencode({"url": f"{data_dir}/bdortho/bdortho.vrt", "resampling": "bilinear", "reproject": "bilinear"})
    return f"{base}/cog/tiles/WebMercatorQuad/{z}/{x}/{y}.png?{q}"


# S2: bdortho 1024x768 JPEG in EPSG:2154
def s2_mapserver(base, bbox_2154):
    return wms_getmap(base, "bdortho", "EPSG:2154", bbox_2154, 1024, 768, "image/jpeg")


# S3: ocsol 512x512 PNG in EPSG:2154 (couverture colours, latest millesime)
def s3_mapserver(base, bbox_2154):
    return wms_getmap(base, "ocsol", "EPSG:2154", bbox_2154, 512, 512, "image/png")


# S4: MapProxy WMTS REST tile: TileCol = x, TileRow = y (from the top), as XYZ
def s4_mapproxy(base, z, x, y, ext="png"):
    return f"{base}/wmts/bdortho/WebMercatorQuad/{z}/{x}/{y}.{ext}"


# S5: adresses items in a CRS84 bbox, GeoJSON
def s5_pygeoapi(base, bbox_crs84, limit=1000):
    return f"{base}/collections/adresses/items?{urlencode({'bbox': _bbox(bbox_crs84), 'limit': limit, 'f': 'json'})}"


def s5_mapserver(base, bbox_crs84, limit=1000):
    return f"{base}/tuile/ogcapi/collections/adresses/items?{urlencode({'bbox': _bbox(bbox_crs84), 'limit': limit, 'f': 'json'})}"


# S6: WMS GetCapabilities
def s6_mapserver(base):
    return f"{base}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"


def test_area(data_dir):
    """Sample request areas at the centre of the data set's orthophoto:
    lon/lat of the centre, a 2154 bbox for S2 (0.5 m/px) and S3 (1 km, 1:7 000),
    a CRS84 bbox for S5 (0.01 degree square)."""
    info = json.loads(subprocess.run(
        ["gdalinfo", "-json", f"{data_dir}/bdortho/bdortho.vrt"],
        check=True, capture_output=True, text=True).stdout)
    c = info["cornerCoordinates"]["center"]
    ring = info["wgs84Extent"]["coordinates"][0]
    lon = sum(p[0] for p in ring[:4]) / 4
    lat = sum(p[1] for p in ring[:4]) / 4
    return {
        "lonlat": (lon, lat),
        "s2_bbox": (c[0] - 256, c[1] - 192, c[0] + 256, c[1] + 192),
        "s3_bbox": (c[0] - 500, c[1] - 500, c[0] + 500, c[1] + 500),
        "s5_bbox": (lon - 0.005, lat - 0.005, lon + 0.005, lat + 0.005),
    }
