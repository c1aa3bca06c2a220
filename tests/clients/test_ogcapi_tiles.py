"""OGC API - Tiles through GDAL: its MVT driver decodes the vector tiles
(features where the items API puts them, in Web Mercator and Lambert-93),
and its TileMatrixSet reader takes tuile's tile matrix sets (the COG driver
aligns a file on LAMB93 from its URL).

GDAL 3.6 (Debian 12) cannot read OGC API tiles through its OGCAPI driver:
its vector-tile branch is not built in Debian's package, and a collection
offering both map and vector tilesets loses the map ones (the second
tileset list's result replaces the first's). GDAL's WMTS driver reads the
same map tiles (test_wmts_clients.py)."""
import json
import subprocess

import requests

def tile_features(path, base_url, tmp_path, tms, z, row, col):
    """The features of one vector tile as GDAL's MVT driver reads them, in the
    tile matrix set's CRS (the driver places WebMercatorQuad tiles itself;
    other sets get their georeferencing from the tile's bounds)."""
    r = requests.get(f"{base_url}{path}/{tms}/{z}/{row}/{col}")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    f = tmp_path / f"{z}-{row}-{col}.mvt"
    f.write_bytes(r.content)
    args = ["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", str(f)]
    if tms == "WebMercatorQuad":
        args += ["-oo", f"Z={z}", "-oo", f"X={col}", "-oo", f"Y={row}"]
    out = subprocess.run(args, check=True, capture_output=True, timeout=120).stdout
    return json.loads(out)["features"]


def tile_box(base_url, tms, z, row, col):
    m = next(m for m in requests.get(f"{base_url}/tileMatrixSets/{tms}").json()["tileMatrices"] if m["id"] == str(z))
    span = m["cellSize"] * m["tileWidth"]
    x0, y1 = m["pointOfOrigin"]
    return (x0 + col * span, y1 - (row + 1) * span, x0 + (col + 1) * span, y1 - row * span)


def first_tile(base_url, collection, tms, level):
    limits = requests.get(f"{base_url}/collections/{collection}/tiles/{tms}").json()["tileMatrixSetLimits"]
    lim = limits[level]
    return int(lim["tileMatrix"]), lim["minTileRow"], lim["minTileCol"]


def test_gdal_mvt_driver_reads_erp_tiles_where_the_items_are(base_url, tmp_path):
    z, row, col = first_tile(base_url, "erp", "WebMercatorQuad", 1)
    feats = tile_features("/collections/erp/tiles", base_url, tmp_path, "WebMercatorQuad", z, row, col)
    box = tile_box(base_url, "WebMercatorQuad", z, row, col)
    inside = {f["properties"]["id"] for f in feats
              if box[0] < f["geometry"]["coordinates"][0] < box[2] and box[1] < f["geometry"]["coordinates"][1] < box[3]}
    items = requests.get(f"{base_url}/collections/erp/items", params={
        "bbox": ",".join(map(str, box)), "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857", "limit": 10000}).json()
    ids = {f["id"] for f in items["features"]}
    assert ids, "the first tiles of the level hold ERPs"
    # The tile's points are its items (rounded to 1/4096 of the tile: a
    # point on an edge may go either way).
    assert len(ids ^ inside) <= 1, (ids ^ inside)
    assert {"type_erp", "nom", "id"} <= set(feats[0]["properties"])


def test_gdal_mvt_driver_reads_lambert93_land_cover(base_url, tmp_path):
    z, row, col = first_tile(base_url, "ocsol", "LAMB93", 3)
    feats = tile_features("/collections/ocsol/tiles", base_url, tmp_path, "LAMB93", z, row, col)
    assert len(feats) > 10
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in feats)
    assert all(f["properties"]["code_cs"].startswith("CS") for f in feats)


def test_gdal_cog_driver_aligns_on_tuiles_lamb93_set(base_url, tmp_path, manifest):
    """GDAL 3.6 reads tuile's TMS 2.0 definitions (it needs the TMS 1.0
    names tuile writes beside the 2.0 ones)."""
    src = tmp_path / "src.tif"
    subprocess.run(["gdal_create", "-of", "GTiff", "-outsize", "500", "500", "-bands", "1",
                    "-a_srs", "EPSG:2154", "-a_ullr", "769000", "6280000", "770000", "6279000", str(src)],
                   check=True, capture_output=True)
    out = tmp_path / "aligned.tif"
    subprocess.run(["gdal_translate", "-q", "-of", "COG", "-co", f"TILING_SCHEME={base_url}/tileMatrixSets/LAMB93",
                    str(src), str(out)], check=True, capture_output=True, timeout=120)
    info = json.loads(subprocess.run(["gdalinfo", "-json", str(out)], check=True, capture_output=True).stdout)
    x0, res = info["geoTransform"][0], info["geoTransform"][1]
    sets = requests.get(f"{base_url}/tileMatrixSets/LAMB93").json()["tileMatrices"]
    m = next(m for m in sets if abs(m["cellSize"] - res) < 1e-9)
    # The file's corner is on a tile corner of the matching matrix.
    offset = (x0 - m["pointOfOrigin"][0]) / (m["cellSize"] * m["tileWidth"])
    assert abs(offset - round(offset)) < 1e-6
