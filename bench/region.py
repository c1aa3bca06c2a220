#!/usr/bin/env python3
"""Region-scale benchmark (`make bench-region`, and the end of `make bench`):
the BD ORTHO delivery of all Occitanie (`tuile demo-data --scale region`:
3,000+ COGs in two editions, indexed with its pyramid) served by tuile's
mosaic source and by MapServer reading the same files through TILEINDEX
layers, with and without the pyramid as its overview layers; and the
10M-address layer against the full demo's 1M.

Scenarios, each replayed by wrk at 1, 8 and 64 connections (the same
randomised list to every server):
  R1 region-wide GetMap, 1400x740 JPEG, EPSG:2154 (the whole region, ±20%)
  R2 cold tiles, z6-10: WMS GetMap 256x256 PNG in EPSG:3857 on the tile grid
  R3 1:25,000 GetMap, 1400x740 JPEG, EPSG:2154, anywhere in the region
  R4 OGC API items, bbox in the Montpellier window, limit=1000: 1M vs 10M
  R5 GetMap adresses 512x512 PNG at 1:5,000 in the same window: 1M vs 10M
and, for tuile alone: start-up time and RSS (3,000 files + 10M features;
30,000 index rows) and the index command (headers from scratch, no-op
update).

Writes the "Region scale" section of BENCHMARKS.md and bench/region-results.csv.

Usage: bench/region.py [--region data/region] [--data data] [--duration S]
                       [--levels 1,8,64] [--scenarios R1,R2,R3,R4,R5]
"""
import argparse
import csv
import datetime
import io
import json
import math
import os
import pathlib
import random
import re
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench/peers"))
sys.path.insert(0, str(ROOT / "bench"))
import scenarios as sc  # noqa: E402
from common import drain, fetch, wait_for  # noqa: E402
from compare import Server, rss_mib, table_row, time_scenario, tree_pids, versions, write_csv  # noqa: E402
import compare  # noqa: E402

RUN = ROOT / "target/bench-region"
PEER_RUN = ROOT / "target/bench-peers/mapserver-region"
TUILE = ROOT / "target/release/tuile"
PORTS = {"tuile": 18220, "tuile-10M": 18220, "tuile-1M": 18220, "mapserver": 18221, "mapserver-tileindex": 18221}
compare.PORTS.update(PORTS)
SEED = 20261201
# The Montpellier window of the full demo: the 1M layer's whole extent, and
# the same points in the 10M layer.
WINDOW = (765_000.0, 6_275_000.0, 775_000.0, 6_285_000.0)
REGION = (430_000.0, 6_143_000.0, 842_000.0, 6_442_000.0)


def base(server):
    return f"http://127.0.0.1:{PORTS[server]}"


def sh(*args, **kw):
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True, **kw).stdout


# ------------------------------------------------------------------ set-up

def ensure_data(region, data):
    if not (region / "MANIFEST.json").exists():
        print(f"generating the region data into {region} (minutes)", flush=True)
        subprocess.run([TUILE, "demo-data", "--scale", "region", "--out", region], check=True)
    if not (data / "adresses.fgb").exists():
        subprocess.run([TUILE, "demo-data", "--scale", "full", "--out", data], check=True)


def tuile_config(region, data):
    """A configuration for the region layers, with the 1M layer beside the 10M."""
    RUN.mkdir(parents=True, exist_ok=True)
    for name in ("adresses", "adresses_1m"):
        (RUN / "styles" / name).mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "styles/adresses/default.sld", RUN / "styles" / name / "default.sld")
    crs = '["EPSG:2154", "EPSG:3857", "EPSG:4326"]'
    text = f"""[server]
metadata = "{ROOT}/capabilities/service.toml"
styles_dir = "styles"
[server.cache]
memory_mb = 1
[server.limits]
max_width = 4096
max_height = 4096

[[layers]]
name = "bdortho"
title = "BD ORTHO (région)"
source = {{ kind = "mosaic", path = "{region}/bdortho/mosaic.fgb" }}
crs = {crs}

[[layers]]
name = "adresses"
title = "Adresses (10M)"
source = {{ kind = "flatgeobuf", path = "{region}/adresses.fgb" }}
styles = ["default"]
crs = {crs}

[[layers]]
name = "adresses_1m"
title = "Adresses (1M)"
source = {{ kind = "flatgeobuf", path = "{data}/adresses.fgb" }}
styles = ["default"]
crs = {crs}
"""
    path = RUN / "tuile.toml"
    path.write_text(text)
    return path


def start_tuile(config):
    """Starts tuile; returns the server, its start-up time (to /ready) and RSS then."""
    t0 = time.time()
    p = subprocess.Popen([TUILE, "serve", "--config", config, "--bind", f"127.0.0.1:{PORTS['tuile']}"],
                         env=dict(os.environ, RUST_LOG="warn"), cwd=ROOT)
    wait_for(f"{base('tuile')}/ready")
    startup = time.time() - t0
    return Server("tuile", [p]), startup, rss_mib(tree_pids([p.pid]))


def index_rows(index):
    """The rows of a tile index: edition, level, resolution, path."""
    out = sh("ogr2ogr", "-f", "CSV", "/vsistdout/", index, "-select", "edition,level,resolution,path")
    return list(csv.DictReader(io.StringIO(out)))


def mapfile(region):
    """MapServer's configuration: per edition and pyramid level, a shapefile
    tile index (gdaltindex's `location` field, shptree'd); the group
    `bdortho` switches to the pyramid at the scales tuile does, the group
    `bdortho_tileindex` reads the delivered tiles at every scale."""
    index = region / "bdortho/mosaic.fgb"
    rows = index_rows(index)
    levels = {}
    for r in rows:
        levels.setdefault((r["edition"], int(r["level"])), float(r["resolution"]))
        levels[(r["edition"], int(r["level"]))] = min(levels[(r["edition"], int(r["level"]))], float(r["resolution"]))
    PEER_RUN.mkdir(parents=True, exist_ok=True)
    layers = []
    editions = sorted({e for e, _ in levels})
    for group in ("bdortho", "bdortho_tileindex"):
        for e in editions:
            mine = sorted(l for ed, l in levels if ed == e)
            for l in (mine if group == "bdortho" else [0]):
                shp = PEER_RUN / f"index_{e}_L{l}.shp"
                if not shp.exists():
                    sql = (f"SELECT '{region}/bdortho/' || path AS location, * FROM tiles "
                           f"WHERE edition = '{e}' AND level = {l}")
                    sh("ogr2ogr", "-f", "ESRI Shapefile", shp, index, "-dialect", "sqlite", "-sql", sql)
                    sh("shptree", shp)
                scales = ""
                if group == "bdortho":
                    lo = levels[(e, l)] / 0.00028 if l > 0 else None
                    nxt = [levels[(e, k)] for k in mine if k > l]
                    hi = nxt[0] / 0.00028 if nxt else None
                    scales = (f"    MINSCALEDENOM {lo:.0f}\n" if lo else "") + (f"    MAXSCALEDENOM {hi:.0f}\n" if hi else "")
                layers.append(f"""  LAYER
    NAME "{group}_{e}_L{l}"
    GROUP "{group}"
    TYPE RASTER
    STATUS ON
    TILEINDEX "{shp}"
    TILEITEM "location"
    PROJECTION "init=epsg:2154" END
    PROCESSING "RESAMPLE=BILINEAR"
{scales}    METADATA "ows_title" "{group} {e} L{l}" END
  END
""")
    text = f"""MAP
  NAME "region"
  EXTENT {REGION[0]} {REGION[1]} {REGION[2]} {REGION[3]}
  SIZE 512 512
  MAXSIZE 4096
  UNITS METERS
  IMAGECOLOR 255 255 255
  RESOLUTION 90.714
  DEFRESOLUTION 90.714
  FONTSET "{PEER_RUN}/fonts.txt"
  PROJECTION "init=epsg:2154" END
  OUTPUTFORMAT NAME "png" DRIVER AGG/PNG MIMETYPE "image/png" IMAGEMODE RGBA EXTENSION "png" TRANSPARENT ON END
  OUTPUTFORMAT NAME "jpeg" DRIVER AGG/JPEG MIMETYPE "image/jpeg" IMAGEMODE RGB EXTENSION "jpg" FORMATOPTION "QUALITY=85" END
  WEB
    METADATA
      "ows_title" "tuile region benchmark peer (MapServer)"
      "ows_srs" "EPSG:2154 EPSG:3857 EPSG:4326"
      "ows_enable_request" "*"
      "wms_getmap_formatlist" "image/png,image/jpeg"
    END
  END
{''.join(layers)}END
"""
    (PEER_RUN / "tuile.map").write_text(text)


# ------------------------------------------------------------------ requests

def lonlat(x, y):
    """Lambert-93 to lon/lat (the inverse projection, enough for tile picking)."""
    out = sh("gdaltransform", "-s_srs", "EPSG:2154", "-t_srs", "EPSG:4326", "-output_xy",
             input=f"{x} {y}\n").split()
    return float(out[0]), float(out[1])


def land_tiles(region):
    """The (x0, y1) corners of the delivered tiles, from their names
    (`34-2024-0700-6280-LA93-…`: km): maps centred on them show land."""
    rows = index_rows(region / "bdortho/mosaic.fgb")
    corners = set()
    for r in rows:
        m = re.search(r"-(\d{4})-(\d{4})-LA93", r["path"])
        if m and r["level"] == "0":
            corners.add((int(m.group(1)) * 1000.0, int(m.group(2)) * 1000.0))
    return sorted(corners)


def request_lists(region):
    rnd = random.Random(SEED)
    lists = {}
    x0, y0, x1, y1 = REGION
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    # R1: the region in a 1400x740 window, zoomed 0.8-1.2, nudged.
    boxes = []
    for _ in range(300):
        k = rnd.uniform(0.8, 1.2)
        half_w = (x1 - x0) / 2 * k
        half_h = half_w * 740 / 1400
        dx, dy = rnd.uniform(-20_000, 20_000), rnd.uniform(-20_000, 20_000)
        boxes.append((cx + dx - half_w, cy + dy - half_h, cx + dx + half_w, cy + dy + half_h))
    lists["R1"] = {s: [sc.wms_getmap("", layer(s), "EPSG:2154", b, 1400, 740, "image/jpeg") for b in boxes]
                   for s in ("tuile", "mapserver", "mapserver-tileindex")}
    # R2: every tile of z6-10 over the region's middle, shuffled.
    w, s = lonlat(x0 + 60_000, y0 + 60_000)
    e, n = lonlat(x1 - 60_000, y1 - 60_000)
    tiles = []
    for z in range(6, 11):
        tx0, ty0 = sc.tile_of(w, n, z)
        tx1, ty1 = sc.tile_of(e, s, z)
        tiles += [(z, x, y) for x in range(tx0, tx1 + 1) for y in range(ty0, ty1 + 1)]
    rnd.shuffle(tiles)
    lists["R2"] = {s: [sc.wms_getmap("", layer(s), "EPSG:3857", sc.tile_bbox_3857(*t), 256, 256, "image/png")
                       for t in tiles] for s in ("tuile", "mapserver", "mapserver-tileindex")}
    # R3: 1:25,000 (7 m pixels) centred anywhere on land.
    px = 25000 * 0.00028
    land = land_tiles(region)
    boxes = []
    for _ in range(1000):
        tx, ty = rnd.choice(land)
        mx, my = tx + rnd.uniform(0, 5000), ty - rnd.uniform(0, 5000)
        boxes.append((mx - 700 * px, my - 370 * px, mx + 700 * px, my + 370 * px))
    lists["R3"] = {s: [sc.wms_getmap("", layer(s), "EPSG:2154", b, 1400, 740, "image/jpeg") for b in boxes]
                   for s in ("tuile", "mapserver", "mapserver-tileindex")}
    # R4: 0.01-degree boxes in the middle of the Montpellier window (the same
    # features in both layers).
    w, s = lonlat(WINDOW[0] + 2500, WINDOW[1] + 2500)
    e, n = lonlat(WINDOW[2] - 2500, WINDOW[3] - 2500)
    boxes = []
    for _ in range(500):
        x, y = rnd.uniform(w, e - 0.01), rnd.uniform(s, n - 0.01)
        boxes.append((x, y, x + 0.01, y + 0.01))
    lists["R4"] = {
        "tuile-10M": [sc.s5_pygeoapi("", b) for b in boxes],
        "tuile-1M": [sc.s5_pygeoapi("", b).replace("/adresses/", "/adresses_1m/") for b in boxes],
    }
    # R5: addresses at 1:5,000, 512x512, in the same window.
    half = 256 * 5000 * 0.00028
    boxes = []
    for _ in range(1000):
        mx, my = rnd.uniform(WINDOW[0] + half, WINDOW[2] - half), rnd.uniform(WINDOW[1] + half, WINDOW[3] - half)
        boxes.append((mx - half, my - half, mx + half, my + half))
    lists["R5"] = {
        "tuile-10M": [sc.wms_getmap("", "adresses", "EPSG:2154", b, 512, 512, "image/png") for b in boxes],
        "tuile-1M": [sc.wms_getmap("", "adresses_1m", "EPSG:2154", b, 512, 512, "image/png") for b in boxes],
    }
    return lists


def layer(server):
    return "bdortho_tileindex" if server == "mapserver-tileindex" else "bdortho"


TITLES = {
    "R1": "R1 region-wide GetMap bdortho 1400×740 JPEG, EPSG:2154",
    "R2": "R2 cold tiles z6–10: GetMap bdortho 256×256 PNG, EPSG:3857",
    "R3": "R3 GetMap bdortho 1400×740 JPEG at 1:25,000, EPSG:2154",
    "R4": "R4 OGC API items adresses, bbox 0.01°, limit=1000: 10M vs 1M features",
    "R5": "R5 GetMap adresses 512×512 PNG at 1:5,000: 10M vs 1M features",
}
EXPECT = {"R1": ("image/jpeg", (1400, 740)), "R2": ("image/png", (256, 256)), "R3": ("image/jpeg", (1400, 740)),
          "R4": ("application/", None), "R5": ("image/png", (512, 512))}


# An answer slower than this is reported with its time, not replayed by wrk.
SLOW_S = 20


def check(scenario, server, paths, samples=8):
    import numpy as np
    from PIL import Image

    mime, size = EXPECT[scenario]
    problems, counts = [], []
    if server.startswith("tuile"):
        # The previous run's hung-up requests are finished first (else 503s).
        drain(base(server))
    step = max(1, len(paths) // samples)
    for path in paths[::step][:samples]:
        t0 = time.time()
        try:
            status, ctype, body = fetch(base(server) + path, timeout=300)
        except OSError as e:
            problems.append(f"no answer after {time.time() - t0:.0f} s ({e})")
            break
        took = time.time() - t0
        if took > SLOW_S:
            problems.append(f"one answer (HTTP {status}) took {took:.0f} s: too slow to replay")
            break
        if status != 200 or not ctype.startswith(mime):
            problems.append(f"{path}: HTTP {status} {ctype} {body[:160]!r}")
        elif size:
            img = Image.open(io.BytesIO(body))
            a = np.asarray(img.convert("RGB")).astype(float)
            if img.size != size:
                problems.append(f"{path}: {img.size}, not {size}")
            elif a.std() < 2:
                problems.append(f"{path}: a blank image")
        else:
            counts.append(len(json.loads(body)["features"]))
    return problems, counts


# ------------------------------------------------------------------ tuile alone

def startup_30k(region, config_text):
    """Start-up with an index of 30,000 rows (the region's ×10, shifted)."""
    big = RUN / "mosaic-30k.fgb"
    if not big.exists():
        src = region / "bdortho/mosaic.fgb"
        parts = []
        for k in range(10):
            dx = (k % 5) * 500_000
            dy = (k // 5) * 400_000
            part = RUN / f"part{k}.fgb"
            sql = (f"SELECT ST_Translate(geometry, {dx}, {dy}, 0) AS geometry, '{region}/bdortho/' || path AS path, "
                   "edition, level, resolution, epsg, bands, mask, nodata, modified, size, inputs FROM tiles")
            sh("ogr2ogr", "-f", "FlatGeobuf", part, src, "-dialect", "sqlite", "-sql", sql, "-nln", "tiles")
            parts.append(part)
        sh("ogr2ogr", "-f", "FlatGeobuf", big, parts[0], "-nln", "tiles")
        for p in parts[1:]:
            sh("ogr2ogr", "-append", "-f", "FlatGeobuf", big, p, "-nln", "tiles")
        # FlatGeobuf's spatial index is written on a fresh copy.
        tmp = RUN / "mosaic-30k-indexed.fgb"
        sh("ogr2ogr", "-f", "FlatGeobuf", "-lco", "SPATIAL_INDEX=YES", tmp, big)
        tmp.replace(big)
    rows = int(re.search(r"Feature Count: (\d+)", sh("ogrinfo", "-so", "-al", big)).group(1))
    cfg = RUN / "tuile-30k.toml"
    cfg.write_text(config_text.replace(f"{region}/bdortho/mosaic.fgb", str(big)))
    srv, startup, rss = start_tuile(cfg)
    srv.stop()
    return rows, startup, rss


def index_timing(region):
    """`tuile index` from scratch (headers only) and again (nothing changed)."""
    out = RUN / "index-timing/mosaic.fgb"
    shutil.rmtree(out.parent, ignore_errors=True)
    out.parent.mkdir(parents=True)
    lst = out.parent / "files.txt"
    tifs = sorted(str(p) for p in (region / "bdortho").rglob("*.tif") if "pyramid" not in p.parts)
    lst.write_text("\n".join(tifs) + "\n")
    t0 = time.time()
    subprocess.run([TUILE, "index", "--no-pyramid", "--out", out, lst], check=True, capture_output=True)
    scratch = time.time() - t0
    t0 = time.time()
    subprocess.run([TUILE, "index", "--no-pyramid", "--out", out, lst], check=True, capture_output=True)
    again = time.time() - t0
    return len(tifs), scratch, again


# ------------------------------------------------------------------ report

def earlier_results(keep):
    """The rows and notes of the last run for the scenarios in `keep`, so
    that `--scenarios R5` updates R5 and leaves the others as they were."""
    rows, problems = [], {}
    try:
        with open(ROOT / "bench/region-results.csv") as f:
            for r in csv.DictReader(f):
                if r["scenario"] in keep:
                    rows.append({"scenario": r["scenario"], "server": r["server"], "connections": int(r["connections"]),
                                 "rps": float(r["requests_per_s"]), "p50_ms": float(r["p50_ms"]),
                                 "p99_ms": float(r["p99_ms"]), "errors": int(r["errors"]),
                                 "requests": int(r["requests"]), "peak_rss_mib": float(r["peak_rss_mib"]),
                                 "cpu_ms": float(r.get("cpu_ms_per_request") or "nan")})
        notes = json.loads((ROOT / "bench/region-notes.json").read_text())
        problems = {k: v for k, v in notes.items() if k in keep}
    except (OSError, ValueError, KeyError):
        pass
    return rows, problems


def write_report(rows, extra, problems, args, started):
    others = [s for s in TITLES if s not in args.scenarios]
    old_rows, old_problems = earlier_results(others)
    rows, problems = old_rows + rows, {**old_problems, **problems}
    (ROOT / "bench/region-notes.json").write_text(json.dumps(problems, indent=1) + "\n")
    write_csv(ROOT / "bench/region-results.csv", rows)
    by = {(r["scenario"], r["server"], r["connections"]): r for r in rows}
    lines = [
        "## Region scale",
        "",
        f"Generated by `{args.command}` on {started:%Y-%m-%d %H:%M} UTC"
        + (f" ({', '.join(sorted({r['scenario'] for r in old_rows}))} from the run before)" if old_rows else "")
        + "; raw figures in [`bench/region-results.csv`](bench/region-results.csv).",
        "",
        f"- Data: `tuile demo-data --scale region`: {extra['files']} COGs of 5 km (1024 px, two editions: 2021 "
        "everywhere, 2024 in five départements) indexed by `tuile index` with its pyramid; 10M BAN addresses "
        "whose Montpellier window is the full demo's 1M, point for point.",
        "- tuile: one `mosaic` layer on the index; MapServer: the same files through shapefile TILEINDEX "
        "layers (gdaltindex's `location`, shptree'd), one per edition, 2024 drawn over 2021. "
        "`mapserver` switches to the pyramid cells (one TILEINDEX layer per level, MIN/MAXSCALEDENOM at the "
        "scales where tuile switches): the overview layer MapServer users would configure. "
        "`mapserver-tileindex` reads the delivered tiles at every scale.",
        "- tuile runs with a 1 MiB tile cache (every map is drawn); both on loopback with 2 workers; "
        f"wrk replays the same list for {args.duration} s per level.",
        "",
        "| tuile alone | figure |",
        "|---|---:|",
        f"| start-up to /ready, {extra['files']} mosaic files + 10M + 1M features | {extra['startup']:.2f} s |",
        f"| resident memory after start-up | {extra['rss']:.0f} MiB |",
        f"| start-up with a {extra['rows_30k']:,}-row index | {extra['startup_30k']:.2f} s "
        f"({extra['rss_30k']:.0f} MiB) |",
        f"| `tuile index --no-pyramid`, {extra['files']} headers from scratch | {extra['index_scratch']:.1f} s |",
        f"| `tuile index` again, nothing changed | {extra['index_again']:.2f} s |",
        "",
        "Ratio = tuile's requests/s ÷ the peer's (R4, R5: the 10M layer's ÷ the 1M layer's); CPU ratio = "
        "the peer's CPU time per request ÷ tuile's (process tree, from /proc).",
        "",
    ]
    for s in [s for s in TITLES if s in args.scenarios or s in {r["scenario"] for r in rows}]:
        servers = sorted({k[1] for k in by if k[0] == s}, key=lambda n: (not n.startswith("tuile"), n != "tuile-10M", n))
        ours = "tuile-10M" if s in ("R4", "R5") else "tuile"
        lines += [f"### {TITLES[s]}", "",
                  "| server | conns | req/s | p50 ms | p99 ms | errors | peak RSS MiB | CPU ms/req "
                  "| ratio | CPU ratio |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for server in servers:
            for c in args.levels:
                r = by.get((s, server, c))
                if not r:
                    continue
                lines.append(table_row(server, r, by.get((s, ours, c)), server == ours, digits=2))
        for p in problems.get(s, []):
            lines.append(f"\n**Not timed**: {p}")
        lines.append("")
    section = "\n".join(lines) + "\n"
    bench = ROOT / "BENCHMARKS.md"
    text = bench.read_text() if bench.exists() else ""
    text = text.split("## Region scale")[0].rstrip() + "\n\n" + section if text else section
    bench.write_text(text)
    (ROOT / "bench/region-section.md").write_text(section)


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--region", default=str(ROOT / "data/region"))
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--levels", default="1,8,64")
    ap.add_argument("--scenarios", default="R1,R2,R3,R4,R5")
    args = ap.parse_args()
    args.command = "make bench-region" if os.environ.get("MAKELEVEL") else " ".join(["bench/region.py"] + sys.argv[1:])
    args.levels = [int(x) for x in args.levels.split(",")]
    args.scenarios = args.scenarios.split(",")
    region, data = pathlib.Path(args.region).resolve(), pathlib.Path(args.data).resolve()
    started = datetime.datetime.now(datetime.timezone.utc)
    subprocess.run([str(ROOT / "bench/peers/install.sh")], check=True)
    ensure_data(region, data)
    config = tuile_config(region, data)

    extra = {}
    extra["files"], extra["index_scratch"], extra["index_again"] = index_timing(region)
    print(f"index: {extra['files']} headers in {extra['index_scratch']:.1f} s, again in {extra['index_again']:.2f} s",
          flush=True)
    extra["rows_30k"], extra["startup_30k"], extra["rss_30k"] = startup_30k(region, config.read_text())
    print(f"start-up with {extra['rows_30k']} rows: {extra['startup_30k']:.2f} s", flush=True)

    mapfile(region)
    lists = request_lists(region)
    rows, problems, servers = [], {}, {}
    try:
        srv, extra["startup"], extra["rss"] = start_tuile(config)
        print(f"tuile: ready in {extra['startup']:.2f} s, {extra['rss']:.0f} MiB", flush=True)
        servers["tuile"] = servers["tuile-10M"] = servers["tuile-1M"] = srv
        subprocess.run([ROOT / "bench/peers/start.sh", "mapserver-region", region, str(PORTS["mapserver"])],
                       check=True, stdout=subprocess.DEVNULL)
        peer = Server("mapserver", peer="mapserver-region")
        servers["mapserver"] = servers["mapserver-tileindex"] = peer
        for s in args.scenarios:
            print(f"== {TITLES[s]}", flush=True)
            counts = {}

            def checked(s, server, paths):
                bad, counts[server] = check(s, server, paths)
                return bad

            time_scenario(s, lists[s], checked, servers, args, rows, problems, width=20)
            if s == "R4" and counts.get("tuile-10M") != counts.get("tuile-1M"):
                problems.setdefault(s, []).append(f"result sizes differ: {counts}")
    finally:
        for srv in {id(v): v for v in servers.values()}.values():
            srv.stop()
    write_report(rows, extra, problems, args, started)
    print((ROOT / "bench/region-section.md").read_text())


if __name__ == "__main__":
    main()
