#!/usr/bin/env python3
"""OGC API - Features benchmark on the full demo data (not a test: it
reports figures and asserts nothing).

Starts its own `tuile serve` so that its memory is measured alone, then:
  1. items/s for a bbox query returning 1,000 addresses (wrk, 2 threads);
  2. time to page through all `erp` by following next links, with the
     default page size and with ogr2ogr (GDAL's OAPIF driver, page size 10);
  3. the server's resident memory while a client pages through all
     `adresses` (sampled every 20 ms, and the kernel's high-water mark).

Usage: bench/features.py [--data DIR] [--duration SECONDS]
"""
import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
PORT = 18181
BASE = f"http://127.0.0.1:{PORT}"


def rss_kib(pid, field="VmRSS"):
    text = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(re.search(rf"^{field}:\s+(\d+) kB", text, re.M).group(1))


def get_json(url):
    with urllib.request.urlopen(url) as r:
        return json.load(r)


def page_through(collection, limit):
    """Follows next links to the end; returns (features, pages, seconds)."""
    url = f"{BASE}/collections/{collection}/items?limit={limit}"
    n = pages = 0
    t = time.perf_counter()
    while url:
        doc = get_json(url)
        n += len(doc["features"])
        pages += 1
        url = next((l["href"] for l in doc["links"] if l["rel"] == "next"), None)
    return n, pages, time.perf_counter() - t


def bbox_of_1000_addresses():
    """A square around the data's centre holding at least 1,000 addresses, in CRS84."""
    c = get_json(f"{BASE}/collections/adresses")["extent"]["spatial"]["bbox"][0]
    cx, cy = (c[0] + c[2]) / 2, (c[1] + c[3]) / 2
    half = 0.001
    while True:
        box = f"{cx - half},{cy - half},{cx + half},{cy + half}"
        doc = get_json(f"{BASE}/collections/adresses/items?limit=1000&bbox={box}")
        if doc["numberReturned"] == 1000:
            return box
        half *= 1.5


def wrk(url, duration):
    out = subprocess.run(["wrk", "-t2", "-c4", f"-d{duration}s", "--latency", url],
                         capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"^\s+50(?:\.000)?%\s+(\S+)", out, re.M).group(1)
    p99 = re.search(r"^\s+99(?:\.000)?%\s+(\S+)", out, re.M).group(1)
    return rps, p50, p99


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--duration", type=int, default=10)
    args = ap.parse_args()
    manifest = json.loads((pathlib.Path(args.data) / "MANIFEST.json").read_text())
    if manifest.get("scale") != "full":
        sys.exit(f"{args.data} is not the full demo data (tuile demo-data --scale full)")

    env = dict(os.environ, TUILE_DATA=str(pathlib.Path(args.data).resolve()), RUST_LOG="warn")
    server = subprocess.Popen([str(ROOT / "target/release/tuile"), "serve", "--bind", f"127.0.0.1:{PORT}"],
                              env=env, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                get_json(f"{BASE}/collections")
                break
            except OSError:
                time.sleep(0.1)
        results = {}

        box = bbox_of_1000_addresses()
        url = f"{BASE}/collections/adresses/items?limit=1000&bbox={box}"
        rps, p50, p99 = wrk(url, args.duration)
        results["bbox_1000_addresses"] = {"bbox": box, "requests_per_s": rps, "items_per_s": rps * 1000,
                                          "p50": p50, "p99": p99}

        n, pages, secs = page_through("erp", 100)
        results["page_erp_limit_100"] = {"features": n, "pages": pages, "seconds": round(secs, 3)}
        n, pages, secs = page_through("erp", 10000)
        results["page_erp_limit_10000"] = {"features": n, "pages": pages, "seconds": round(secs, 3)}
        t = time.perf_counter()
        subprocess.run(["ogr2ogr", "-f", "GeoJSON", "/vsistdout/", f"OAPIF:{BASE}", "erp"],
                       check=True, stdout=subprocess.DEVNULL)
        results["ogr2ogr_erp_page_size_10"] = {"seconds": round(time.perf_counter() - t, 3)}

        for limit in (1000, 10000):
            before = rss_kib(server.pid)
            peak = [before]
            done = threading.Event()

            def sample():
                while not done.is_set():
                    peak[0] = max(peak[0], rss_kib(server.pid))
                    time.sleep(0.02)

            sampler = threading.Thread(target=sample)
            sampler.start()
            n, pages, secs = page_through("adresses", limit)
            done.set()
            sampler.join()
            results[f"page_adresses_limit_{limit}"] = {
                "features": n, "pages": pages, "seconds": round(secs, 2),
                "features_per_s": round(n / secs), "rss_before_mib": round(before / 1024, 1),
                "rss_peak_mib": round(peak[0] / 1024, 1),
                "rss_after_mib": round(rss_kib(server.pid) / 1024, 1),
                "vmhwm_mib": round(rss_kib(server.pid, "VmHWM") / 1024, 1),
            }
        print(json.dumps(results, indent=2))
        out = ROOT / "target/bench"
        out.mkdir(parents=True, exist_ok=True)
        (out / "features.json").write_text(json.dumps(results, indent=2))
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
