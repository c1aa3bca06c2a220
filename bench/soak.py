#!/usr/bin/env python3
"""Soak (`make soak`): a bounded loopback load that mixes WMS GetMap and
GetFeatureInfo, WMTS tiles (Web Mercator and Lambert-93) and OGC API items,
with wrk at 64 connections for 10 minutes, against the demo data.

It reports the requests, the errors (socket errors and non-2xx answers),
p50/p99 latency, and the server's RSS and open file descriptors after the
warm-up and at the end, sampled every 10 s into target/soak/samples.csv.
It fails when there is an error or when RSS grows by more than 10 % after
the warm-up.

Usage: bench/soak.py [--data DIR] [--duration S] [--warmup S] [--connections N]
"""
import argparse
import json
import os
import pathlib
import random
import re
import subprocess
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from common import drain, get, replay, wait_for  # noqa: E402

BIND = "127.0.0.1:18184"
BASE = f"http://{BIND}"
OUT = ROOT / "target/soak"


def fetch(path):
    return get(BASE + path)


def urls(n_each=400, seed=7):
    """The request mix, from what the server advertises: tile limits from
    the WMTS capabilities, boxes from the WMS capabilities, extents from the
    collections. Random but repeatable."""
    rnd = random.Random(seed)
    out = []
    caps = fetch("/wmts/1.0.0/WMTSCapabilities.xml").decode()
    for layer, style, ext in [("bdortho", "default", "jpeg"), ("ocsol", "couverture", "png"),
                              ("erp", "default", "png"), ("adresses", "default", "png")]:
        block = caps[caps.index(f"<ows:Identifier>{layer}</ows:Identifier>"):]
        block = block[:block.index("</Layer>")]
        for tms in ("WebMercatorQuad", "LAMB93"):
            links = block[block.index(f"<TileMatrixSet>{tms}</TileMatrixSet>"):]
            links = links[:links.index("</TileMatrixSetLink>")]
            limits = re.findall(r"<TileMatrix>(\d+)</TileMatrix>\s*<MinTileRow>(\d+)</MinTileRow>\s*"
                                r"<MaxTileRow>(\d+)</MaxTileRow>\s*<MinTileCol>(\d+)</MinTileCol>\s*"
                                r"<MaxTileCol>(\d+)</MaxTileCol>", links)
            deep = [l for l in limits if int(l[0]) >= len(limits) - 8]
            for _ in range(n_each // 4):
                z, r0, r1, c0, c1 = rnd.choice(deep)
                out.append(f"/wmts/1.0.0/{layer}/{style}/{tms}/{z}/{rnd.randint(int(r0), int(r1))}/"
                           f"{rnd.randint(int(c0), int(c1))}.{ext}")

    wms = fetch("/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").decode()
    box = re.search(r'<BoundingBox CRS="EPSG:2154" minx="([-\d.e]+)" miny="([-\d.e]+)" '
                    r'maxx="([-\d.e]+)" maxy="([-\d.e]+)"', wms)
    minx, miny, maxx, maxy = map(float, box.groups())
    for _ in range(n_each):
        size = rnd.choice([256, 512, 800, 1024])
        span = rnd.choice([200, 500, 1000, 2500])
        x = rnd.uniform(minx, max(minx, maxx - span))
        y = rnd.uniform(miny, max(miny, maxy - span))
        layers = rnd.choice(["bdortho", "ocsol", "bdortho,ocsol,erp", "erp,adresses", "ocsol,adresses"])
        fmt = "image/jpeg" if layers == "bdortho" else "image/png"
        q = (f"SERVICE=WMS&VERSION=1.3.0&CRS=EPSG:2154&BBOX={x:.1f},{y:.1f},{x + span:.1f},{y + span:.1f}"
             f"&WIDTH={size}&HEIGHT={size}&LAYERS={layers}&STYLES=")
        out.append(f"/wms?REQUEST=GetMap&{q}&FORMAT={fmt}")
        out.append(f"/wms?REQUEST=GetFeatureInfo&{q}&QUERY_LAYERS={layers.split(',')[-1]}"
                   f"&INFO_FORMAT=application/json&I={size // 2}&J={size // 2}&FEATURE_COUNT=5")

    for coll, limit in [("ocsol", 100), ("erp", 50), ("adresses", 500)]:
        doc = json.loads(fetch(f"/collections/{coll}"))
        w, s, e, n = doc["extent"]["spatial"]["bbox"][0]
        for _ in range(n_each // 2):
            d = rnd.choice([0.002, 0.005, 0.01])
            x, y = rnd.uniform(w, e - d), rnd.uniform(s, n - d)
            out.append(f"/collections/{coll}/items?bbox={x:.5f},{y:.5f},{x + d:.5f},{y + d:.5f}&limit={limit}")
    out.append("/collections/erp/items?filter=categorie_erp%3C%3D2&limit=100")
    rnd.shuffle(out)
    return out


def process_figures(pid):
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
    fds = len(os.listdir(f"/proc/{pid}/fd"))
    return rss, fds


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--duration", type=int, default=600)
    ap.add_argument("--warmup", type=int, default=120)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, TUILE_DATA=str(pathlib.Path(args.data).resolve()), RUST_LOG="warn")
    server = subprocess.Popen([str(ROOT / "target/release/tuile"), "serve", "--bind", BIND], env=env, cwd=ROOT)
    try:
        wait_for(BASE + "/ready")
        mix = urls()
        url_file = OUT / "urls.txt"
        url_file.write_text("\n".join(mix) + "\n")
        # Every URL answers 200 before the load: a non-2xx under load is then a fault.
        bad = []
        for u in mix[:: max(1, len(mix) // 300)]:
            try:
                fetch(u)
            except OSError as e:
                bad.append(f"{u}: {e}")
        if bad:
            raise SystemExit("URLs of the mix fail before the load:\n" + "\n".join(bad[:10]))

        print(f"warm-up: {args.warmup} s, {len(mix)} distinct requests", flush=True)
        warm = replay(BASE, url_file, args.connections, args.warmup)
        drain(BASE)
        rss0, fds0 = process_figures(server.pid)

        samples = [("seconds", "rss_mib", "fds")]
        done = threading.Event()

        def sample():
            t0 = time.time()
            while not done.wait(10):
                rss, fds = process_figures(server.pid)
                samples.append((round(time.time() - t0), round(rss, 1), fds))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        print(f"soak: {args.duration} s at {args.connections} connections", flush=True)
        run = replay(BASE, url_file, args.connections, args.duration)
        done.set()
        sampler.join()
        rss1, fds1 = process_figures(server.pid)
        metrics = fetch("/metrics").decode()
        panics = int(float(re.search(r"^tuile_panics_total (\S+)", metrics, re.M).group(1)))
        (OUT / "samples.csv").write_text("\n".join(",".join(map(str, s)) for s in samples) + "\n")
        report = {
            "duration_s": args.duration,
            "connections": args.connections,
            "distinct_requests": len(mix),
            "warmup_requests": warm["requests"],
            "requests": run["requests"],
            "requests_per_s": round(run["rps"], 1),
            "errors": run["errors"],
            "errors_by_kind": run["errors_by_kind"],
            "p50_ms": run["p50_ms"],
            "p99_ms": run["p99_ms"],
            "max_ms": run["max_ms"],
            "rss_mib_after_warmup": round(rss0, 1),
            "rss_mib_end": round(rss1, 1),
            "rss_growth": round(rss1 / rss0 - 1, 4),
            "fds_after_warmup": fds0,
            "fds_end": fds1,
            "panics": panics,
        }
        (OUT / "report.json").write_text(json.dumps(report, indent=2) + "\n")
        print(json.dumps(report, indent=2))
        failures = []
        if run["errors"]:
            failures.append(f"{run['errors']} errors")
        if report["rss_growth"] > 0.10:
            failures.append(f"RSS grew by {report['rss_growth']:.1%}")
        if fds1 > fds0 + args.connections:
            failures.append(f"file descriptors grew from {fds0} to {fds1}")
        if panics:
            failures.append(f"{panics} panics")
        if failures:
            sys.exit("soak failed: " + ", ".join(failures))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
