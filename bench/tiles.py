#!/usr/bin/env python3
"""Cached-tile throughput (a benchmark, not a test): tuile serving a WMTS
tile from its memory cache, next to a bare actix-web handler returning the
same bytes with the same headers (bench/bare_handler.rs), in one run, with
wrk at 64 connections.

Usage: bench/tiles.py [--data DIR] [--duration SECONDS] [--connections N]
Prints requests/s, p50 and p99 for both, and the ratio.
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
TUILE = "127.0.0.1:18182"
BARE = "127.0.0.1:18183"


def wait_for(url):
    for _ in range(200):
        try:
            with urllib.request.urlopen(url) as r:
                return r.read()
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer")


def wrk(url, duration, connections):
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    return {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": re.search(r"^\s+50(?:\.000)?%\s+(\S+)", out, re.M).group(1),
        "p99": re.search(r"^\s+99(?:\.000)?%\s+(\S+)", out, re.M).group(1),
    }


def tile_url(base):
    """A tile over the demo data's centre: the middle of the level-16 limits."""
    caps = urllib.request.urlopen(f"{base}/wmts/1.0.0/WMTSCapabilities.xml").read().decode()
    layer = caps[caps.index("<ows:Identifier>ocsol</ows:Identifier>"):]
    block = layer[layer.index("<TileMatrix>16</TileMatrix>"):]
    lim = {k: int(re.search(rf"<{k}>(\d+)</{k}>", block).group(1))
           for k in ("MinTileRow", "MaxTileRow", "MinTileCol", "MaxTileCol")}
    row = (lim["MinTileRow"] + lim["MaxTileRow"]) // 2
    col = (lim["MinTileCol"] + lim["MaxTileCol"]) // 2
    return f"{base}/wmts/1.0.0/ocsol/couverture/WebMercatorQuad/16/{row}/{col}.png"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=64)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--release", "--example", "bare-handler"], cwd=ROOT, check=True)

    env = dict(os.environ, TUILE_DATA=str(pathlib.Path(args.data).resolve()), RUST_LOG="warn")
    procs = [subprocess.Popen([str(ROOT / "target/release/tuile"), "serve", "--bind", TUILE], env=env, cwd=ROOT)]
    try:
        base = f"http://{TUILE}"
        wait_for(f"{base}/collections")
        url = tile_url(base)
        body = wait_for(url)  # renders the metatile once; from here on it is cached
        with tempfile.NamedTemporaryFile(suffix=".png", delete=False) as f:
            f.write(body)
        procs.append(subprocess.Popen([str(ROOT / "target/release/examples/bare-handler"), f.name, BARE, "2"]))
        wait_for(f"http://{BARE}/")
        results = {
            "tile": url.replace(base, ""),
            "bytes": len(body),
            "connections": args.connections,
            "tuile": wrk(url, args.duration, args.connections),
            "bare_actix": wrk(f"http://{BARE}/", args.duration, args.connections),
        }
        results["ratio"] = round(results["tuile"]["requests_per_s"] / results["bare_actix"]["requests_per_s"], 3)
        print(json.dumps(results, indent=2))
        out = ROOT / "target/bench"
        out.mkdir(parents=True, exist_ok=True)
        (out / "tiles.json").write_text(json.dumps(results, indent=2))
        os.unlink(f.name)
    finally:
        for p in procs:
            p.terminate()
            p.wait()


if __name__ == "__main__":
    main()
