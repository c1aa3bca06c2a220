"""Checks every benchmark scenario on the running peers.

    target/venv/bin/python bench/peers/verify.py DATA_DIR \
        [--mapserver PORT] [--pygeoapi PORT] [--titiler PORT] [--mapproxy PORT]

Only the peers given are checked. Each request must answer 200 with the right
content type; an image must decode at the requested size and not be blank
(ocsol must be mostly the SLD's class colours); GeoJSON must hold about the
requested number of features, inside the bbox. Needs Pillow and numpy.
MapProxy's tiles are checked at the zooms given (default 14-18): seed them
first (seed.sh) to check cache hits rather than fills.
"""
import argparse
import io
import json
import os
import re
import sys
import time
import urllib.request

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import scenarios as sc  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
results = []


def fetch(url):
    t = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read(), time.monotonic() - t
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read(), time.monotonic() - t


def report(peer, scenario, url, problem, ms):
    results.append(problem is None)
    print(f"{'ok  ' if problem is None else 'FAIL'} {peer:9} {scenario:3} {ms:7.0f} ms  {url}"
          + ("" if problem is None else f"\n     -> {problem}"))


def answer_problem(status, ctype, body, wanted):
    """What is wrong with an answer's status or content type, if anything."""
    if status != 200:
        return f"HTTP {status}: {body[:200]!r}"
    if wanted not in ctype:
        return f"content type {ctype}: {body[:200]!r}"
    return None


def check_image(peer, scenario, url, mime, size, palette=None):
    status, ctype, body, dt = fetch(url)
    problem = answer_problem(status, ctype, body, mime)
    if problem is None:
        img = Image.open(io.BytesIO(body))
        img.load()
        a = np.asarray(img.convert("RGBA"))
        rgb = a[..., :3][a[..., 3] > 0]
        if img.size != size:
            problem = f"size {img.size}, not {size}"
        elif len(rgb) < 0.5 * size[0] * size[1]:
            problem = f"mostly transparent ({len(rgb)} opaque pixels)"
        elif rgb.std() < 5 or len(np.unique(rgb, axis=0)) < 16:
            problem = "blank (uniform colour)"
        elif palette is not None:
            share = np.isin(rgb @ [65536, 256, 1], [int(c, 16) for c in palette]).mean()
            if share < 0.5:
                problem = f"only {share:.0%} of pixels in the SLD's class colours"
    report(peer, scenario, url, problem, dt * 1000)


def check_geojson(peer, scenario, url, bbox, limit):
    status, ctype, body, dt = fetch(url)
    problem = answer_problem(status, ctype, body, "json")
    if problem is None:
        fc = json.loads(body)
        feats = fc.get("features", [])
        pts = [f["geometry"]["coordinates"] for f in feats]
        # both peers filter on the bbox reprojected to Lambert-93 (its
        # envelope), so points a little outside the CRS84 bbox are fine
        eps = 0.02 * (bbox[2] - bbox[0])
        outside = sum(1 for x, y in pts if not (bbox[0] - eps <= x <= bbox[2] + eps and bbox[1] - eps <= y <= bbox[3] + eps))
        if fc.get("type") != "FeatureCollection" or not 0.9 * limit <= len(feats) <= limit:
            problem = f"{len(feats)} features, {limit} asked"
        elif outside:
            problem = f"{outside} features outside the bbox"
    report(peer, scenario, url, problem, dt * 1000)


def check_capabilities(peer, scenario, url):
    status, ctype, body, dt = fetch(url)
    problem = answer_problem(status, ctype, body, "xml")
    if problem is None:
        names = set(re.findall(rb"<Name>([^<]*)</Name>", body))
        missing = {b"bdortho", b"ocsol", b"adresses"} - names
        if missing:
            problem = f"layers missing: {missing}"
    report(peer, scenario, url, problem, dt * 1000)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data_dir")
    for p in ("mapserver", "pygeoapi", "titiler", "mapproxy"):
        ap.add_argument(f"--{p}", type=int, metavar="PORT")
    ap.add_argument("--zooms", default="14-18", help="S1/S4 zoom range (default 14-18)")
    args = ap.parse_args()
    data = os.path.abspath(args.data_dir)
    area = sc.test_area(data)
    lon, lat = area["lonlat"]
    z0, z1 = map(int, args.zooms.split("-"))
    tiles = [(z, *sc.tile_of(lon, lat, z)) for z in range(z0, z1 + 1)]
    sld = open(os.path.join(REPO, "styles/ocsol/couverture.sld")).read()
    palette = re.findall(r'name="fill">#([0-9a-fA-F]{6})<', sld)
    url = lambda port: f"http://127.0.0.1:{port}"  # noqa: E731

    if args.mapserver:
        ms = url(args.mapserver)
        for z, x, y in tiles:
            check_image("mapserver", "S1", sc.s1_mapserver(ms, z, x, y), "image/png", (256, 256))
        check_image("mapserver", "S2", sc.s2_mapserver(ms, area["s2_bbox"]), "image/jpeg", (1024, 768))
        check_image("mapserver", "S3", sc.s3_mapserver(ms, area["s3_bbox"]), "image/png", (512, 512), palette)
        check_geojson("mapserver", "S5", sc.s5_mapserver(ms, area["s5_bbox"]), area["s5_bbox"], 1000)
        check_capabilities("mapserver", "S6", sc.s6_mapserver(ms))
    if args.titiler:
        for z, x, y in tiles:
            check_image("titiler", "S1", sc.s1_titiler(url(args.titiler), data, z, x, y), "image/png", (256, 256))
    if args.mapproxy:
        for z, x, y in tiles:
            check_image("mapproxy", "S4", sc.s4_mapproxy(url(args.mapproxy), z, x, y), "image/png", (256, 256))
    if args.pygeoapi:
        check_geojson("pygeoapi", "S5", sc.s5_pygeoapi(url(args.pygeoapi), area["s5_bbox"]), area["s5_bbox"], 1000)

    passed = sum(results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if results and passed == len(results) else 1)


if __name__ == "__main__":
    main()
