#!/usr/bin/env python3
"""Side-by-side benchmark (`make bench`): tuile against MapServer, TiTiler,
MapProxy and pygeoapi on the same full demo data, in one run.

Every server runs on loopback with 2 workers (the machine's 2 cores). For
each scenario, one randomised request list (fixed seed) is built and
replayed in the same order to every server by wrk (bench/replay.lua) at 1,
8 and 64 connections. Before timing, sample answers of every server are
checked (status, image size and content, feature count): a misconfigured
peer is reported, not timed. Each run reports requests/s, p50, p99, errors,
the peak RSS of the server's processes and their CPU time per request.

Writes BENCHMARKS.md (the table, ratios, machine, versions, command) and
bench/results.csv.

Usage: bench/compare.py [--data DIR] [--duration S] [--levels 1,8,64]
                        [--scenarios 1,2,3,4,5,6] [--no-install]
"""
import argparse
import csv
import datetime
import io
import json
import os
import pathlib
import platform
import random
import re
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench/peers"))
import scenarios as sc  # noqa: E402
from common import drain, fetch, replay, wait_for  # noqa: E402

OUT = ROOT / "target/bench"
PORTS = {
    "tuile": 18210, "tuile-cached": 18211, "bare-actix": 18212,
    "mapserver": 18201, "pygeoapi": 18202, "titiler": 18203, "mapproxy": 18204,
    # S7/S8: a second tuile and MapProxy cascading tuile-cached's WMTS (one
    # process each serves the cold and the cached layer).
    "tuile-cascade": 18213, "tuile-cascade-cold": 18213,
    "mapproxy-cascade": 18205, "mapproxy-cold": 18205,
}
SEED = 20261129


def base(server):
    return f"http://127.0.0.1:{PORTS[server]}"


# ------------------------------------------------------------------ processes

def tree_pids(roots):
    """The processes under `roots` (themselves included)."""
    parents = {}
    for d in pathlib.Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
                parents[int(d.name)] = int(stat[stat.rindex(")") + 2:].split()[1])
            except OSError:
                pass
    pids = set(roots)
    grew = True
    while grew:
        grew = False
        for pid, ppid in parents.items():
            if ppid in pids and pid not in pids:
                pids.add(pid)
                grew = True
    return pids


def rss_mib(pids):
    total = 0
    for pid in pids:
        try:
            total += int(re.search(r"VmRSS:\s+(\d+)", pathlib.Path(f"/proc/{pid}/status").read_text()).group(1))
        except (OSError, AttributeError):
            pass
    return total / 1024


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids):
    """User + system CPU seconds of each process (with its reaped children),
    from the kernel's own accounting: the figure that stays stable when the
    machine is busy, unlike requests/s."""
    out = {}
    for pid in pids:
        try:
            stat = pathlib.Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        # After the command name: state is field 3, utime..cstime 14..17.
        fields = stat[stat.rindex(")") + 2:].split()
        out[pid] = sum(int(v) for v in fields[11:15]) / CLOCK_TICKS
    return out


def cpu_ms_per_request(before, after, requests):
    """CPU spent by the server's process tree between two samples, per request."""
    spent = sum(t - before.get(pid, 0.0) for pid, t in after.items())
    return 1000 * spent / requests if requests else float("nan")


class Server:
    """A server's root processes: ours (tuile, bare handler) or a peer's pid files."""

    def __init__(self, name, procs=(), peer=None):
        self.name, self.procs, self.peer = name, list(procs), peer

    def roots(self):
        if self.peer:
            pids = []
            for f in (ROOT / "target/bench-peers" / self.peer).glob("*.pid"):
                pids += [int(p) for p in f.read_text().split()]
            return pids
        return [p.pid for p in self.procs]

    def stop(self):
        if self.peer:
            subprocess.run([str(ROOT / "bench/peers/stop.sh"), self.peer], capture_output=True)
        for p in self.procs:
            p.terminate()
            p.wait()


def start_tuile(name, data, extra_env, config=None):
    env = dict(os.environ, TUILE_DATA=str(data), RUST_LOG="warn", **extra_env)
    args = ["--config", str(config)] if config else []
    p = subprocess.Popen([str(ROOT / "target/release/tuile"), "serve", "--bind", f"127.0.0.1:{PORTS[name]}"] + args,
                         env=env, cwd=ROOT)
    wait_for(f"{base(name)}/ready")
    return Server(name, [p])


def start_peer(name, data, extra=None):
    args = [str(ROOT / "bench/peers/start.sh"), name, str(data), str(PORTS[name])] + ([extra] if extra else [])
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return Server(name, peer=name)


# ------------------------------------------------------------------ requests

def extents(data):
    info = json.loads(subprocess.run(["gdalinfo", "-json", f"{data}/bdortho/bdortho.vrt"],
                                     check=True, capture_output=True, text=True).stdout)
    c = info["cornerCoordinates"]
    ring = info["wgs84Extent"]["coordinates"][0]
    lons, lats = [p[0] for p in ring], [p[1] for p in ring]
    return {
        "l93": (c["lowerLeft"][0], c["lowerLeft"][1], c["upperRight"][0], c["upperRight"][1]),
        "lonlat": (max(lons[0], lons[1]), max(lats[1], lats[2]), min(lons[2], lons[3]), min(lats[0], lats[3])),
    }


def request_lists(data, ext):
    """For each scenario, {server: [path...]}: the same requests, in the same
    order, in each server's own URL form."""
    rnd = random.Random(SEED)
    w, s, e, n = ext["lonlat"]
    lists = {}

    # S1: every tile of z14-18 wholly inside the orthophoto, shuffled.
    tiles = []
    for z in range(14, 19):
        x0, y0 = sc.tile_of(w, n, z)
        x1, y1 = sc.tile_of(e, s, z)
        tiles += [(z, x, y) for x in range(x0 + 1, x1) for y in range(y0 + 1, y1)]
    rnd.shuffle(tiles)
    lists[1] = {
        "tuile": [sc.s1_mapserver("", *t) for t in tiles],
        "mapserver": [sc.s1_mapserver("", *t) for t in tiles],
        "titiler": [sc.s1_titiler("", data, *t) for t in tiles],
    }

    # S2: 1024x768 at 1:1,000-1:25,000 (0.28 mm pixels), centres over the orthophoto.
    minx, miny, maxx, maxy = ext["l93"]
    boxes = []
    for _ in range(2000):
        px = rnd.uniform(1000, 25000) * 0.00028
        cx, cy = rnd.uniform(minx, maxx), rnd.uniform(miny, maxy)
        boxes.append((cx - 512 * px, cy - 384 * px, cx + 512 * px, cy + 384 * px))
    lists[2] = {k: [sc.s2_mapserver("", b) for b in boxes] for k in ("tuile", "mapserver")}

    # S3: ocsol 512x512 at 1:5,000.
    half = 256 * 5000 * 0.00028
    boxes = []
    for _ in range(2000):
        cx, cy = rnd.uniform(minx + half, maxx - half), rnd.uniform(miny + half, maxy - half)
        boxes.append((cx - half, cy - half, cx + half, cy + half))
    lists[3] = {k: [sc.s3_mapserver("", b) for b in boxes] for k in ("tuile", "mapserver")}

    # S4: cached tiles, z16-18 over the centre of the orthophoto (seeded first).
    cw, cs, ce, cn = w + (e - w) * 0.3, s + (n - s) * 0.3, w + (e - w) * 0.7, s + (n - s) * 0.7
    cached = []
    for z in range(16, 19):
        x0, y0 = sc.tile_of(cw, cn, z)
        x1, y1 = sc.tile_of(ce, cs, z)
        cached += [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]
    rnd.shuffle(cached)
    lists[4] = {
        "tuile-cached": [f"/wmts/1.0.0/bdortho/default/WebMercatorQuad/{z}/{y}/{x}.png" for z, x, y in cached],
        "mapproxy": [sc.s4_mapproxy("", z, x, y) for z, x, y in cached],
        "bare-actix": [f"/{z}/{x}/{y}.png" for z, x, y in cached],
    }
    lists["s4_bbox"] = (cw, cs, ce, cn)

    # S5: 0.01-degree boxes in the middle half of the data (over 1,000 addresses each).
    boxes = []
    for _ in range(500):
        x = rnd.uniform(w + (e - w) * 0.25, w + (e - w) * 0.75 - 0.01)
        y = rnd.uniform(s + (n - s) * 0.25, s + (n - s) * 0.75 - 0.01)
        boxes.append((x, y, x + 0.01, y + 0.01))
    lists[5] = {
        "tuile": [sc.s5_pygeoapi("", b) for b in boxes],
        "pygeoapi": [sc.s5_pygeoapi("", b) for b in boxes],
        "mapserver": [sc.s5_mapserver("", b) for b in boxes],
    }

    # S7/S8: the same tiles, from a server cascading the partner's LAMB93
    # tiles into WebMercatorQuad: with no cache (S7) and cached (S8).
    lists[7] = {
        "tuile-cascade-cold": [f"/wmts/1.0.0/bdortho_cold/default/WebMercatorQuad/{z}/{y}/{x}.png"
                               for z, x, y in cached],
        "mapproxy-cold": [f"/wmts/bdortho_cold/WebMercatorQuad/{z}/{x}/{y}.png" for z, x, y in cached],
    }
    lists[8] = {
        "tuile-cascade": [f"/wmts/1.0.0/bdortho/default/WebMercatorQuad/{z}/{y}/{x}.png" for z, x, y in cached],
        "mapproxy-cascade": [f"/wmts/bdortho/WebMercatorQuad/{z}/{x}/{y}.png" for z, x, y in cached],
    }

    # S6: WMS GetCapabilities.
    lists[6] = {k: [sc.s6_mapserver("")] for k in ("tuile", "mapserver")}
    return lists


EXPECT = {  # scenario: (content type, image size, features)
    1: ("image/png", (256, 256), None),
    2: ("image/jpeg", (1024, 768), None),
    3: ("image/png", (512, 512), None),
    4: ("image/png", (256, 256), None),
    5: ("application/", None, 1000),
    6: ("", None, None),
    7: ("image/png", (256, 256), None),
    8: ("image/png", (256, 256), None),
}


def check(scenario, server, paths, samples=8):
    """Problems with a server's answers to a sample of the list; [] when right."""
    import numpy as np
    from PIL import Image

    mime, size, features = EXPECT[scenario]
    problems = []
    step = max(1, len(paths) // samples)
    for path in paths[::step][:samples]:
        status, ctype, body = fetch(base(server) + path)
        if status != 200 or not ctype.startswith(mime):
            problems.append(f"{path}: HTTP {status} {ctype} {body[:120]!r}")
        elif size:
            img = Image.open(io.BytesIO(body))
            a = np.asarray(img.convert("RGBA")).astype(float)
            if img.size != size:
                problems.append(f"{path}: {img.size}, not {size}")
            elif a[..., 3].max() == 0 or a[..., :3].std() < 2:
                problems.append(f"{path}: a blank image")
        elif features:
            got = len(json.loads(body)["features"])
            if got != features:
                problems.append(f"{path}: {got} features, not {features}")
        else:
            root = ET.fromstring(body)
            if not root.tag.endswith("WMS_Capabilities"):
                problems.append(f"{path}: root {root.tag}")
    return problems


# ------------------------------------------------------------------ load

def run_wrk(server, paths, connections, duration, srv):
    # Lets the server finish what the last run's wrk hung up on.
    if server.startswith("tuile"):
        drain(base(server))
    time.sleep(2)
    OUT.mkdir(parents=True, exist_ok=True)
    url_file = OUT / "urls.txt"
    url_file.write_text("\n".join(paths) + "\n")
    pids = tree_pids(srv.roots())
    peak = [rss_mib(pids)]
    done = threading.Event()

    def sample():
        while not done.wait(0.25):
            peak[0] = max(peak[0], rss_mib(tree_pids(srv.roots())))

    t = threading.Thread(target=sample, daemon=True)
    t.start()
    cpu_before = cpu_seconds(tree_pids(srv.roots()))
    r = replay(base(server), url_file, connections, duration)
    cpu_after = cpu_seconds(tree_pids(srv.roots()))
    done.set()
    t.join()
    r["peak_rss_mib"] = peak[0]
    r["cpu_ms"] = cpu_ms_per_request(cpu_before, cpu_after, r["requests"])
    return r


def time_scenario(s, lists, check, servers, args, rows, problems, width=12):
    """Checks each server's answers to scenario `s` (check(s, server, paths)
    gives what is wrong), then replays its list with wrk at every level;
    a server whose answers are wrong is not timed."""
    for server, paths in lists.items():
        bad = check(s, server, paths)
        if bad:
            problems.setdefault(s, []).append(f"{server}: " + "; ".join(bad[:3]))
            print(f"   {server}: answers are wrong, not timed: {bad[:3]}", flush=True)
            continue
        for c in args.levels:
            r = run_wrk(server, paths, c, args.duration, servers[server])
            r.update(scenario=s, server=server, connections=c)
            rows.append(r)
            print(f"   {server:{width}} c={c:<3} {r['rps']:9.1f} req/s  p50 {r['p50_ms']:7.1f} ms  "
                  f"p99 {r['p99_ms']:7.1f} ms  errors {r['errors']}  peak RSS {r['peak_rss_mib']:.0f} MiB",
                  flush=True)


# ------------------------------------------------------------------ report

TITLES = {
    1: "S1 WMS GetMap bdortho 256×256 PNG, EPSG:3857, z14–18 tiles, cold",
    2: "S2 WMS GetMap bdortho 1024×768 JPEG, EPSG:2154, 1:1,000–1:25,000",
    3: "S3 WMS GetMap ocsol 512×512 PNG, EPSG:2154, 1:5,000, couverture",
    4: "S4 WMTS cached tiles, WebMercatorQuad",
    5: "S5 OGC API items adresses, bbox, limit=1000",
    6: "S6 WMS GetCapabilities",
    7: "S7 Cascading a partner's WMTS, LAMB93 tiles reprojected to WebMercatorQuad, no cache",
    8: "S8 Cascading a partner's WMTS, LAMB93 tiles reprojected to WebMercatorQuad, cached",
}
PEERS = {1: ["mapserver", "titiler"], 2: ["mapserver"], 3: ["mapserver"], 4: ["mapproxy", "bare-actix"],
         5: ["pygeoapi", "mapserver"], 6: ["mapserver"], 7: ["mapproxy-cold"], 8: ["mapproxy-cascade"]}
OURS = {4: "tuile-cached", 7: "tuile-cascade-cold", 8: "tuile-cascade"}

CASCADE_CONFIG = """
[server]
metadata = "{root}/capabilities/service.toml"
styles_dir = "{root}/styles"

[upstreams."127.0.0.1:{port}"]
max_concurrent = 16

[[layers]]
name = "bdortho"
source = {{ kind = "wmts", url = "{upstream}/wmts", layer = "bdortho", format = "image/png", matrix_set = "LAMB93" }}
crs = ["EPSG:2154", "EPSG:3857"]

[[layers]]
name = "bdortho_cold"
source = {{ kind = "wmts", url = "{upstream}/wmts", layer = "bdortho", format = "image/png", matrix_set = "LAMB93", stale_grace_s = 0 }}
crs = ["EPSG:2154", "EPSG:3857"]
cache_ttl = 0
"""


def start_cascades(data, lists):
    """A second tuile and MapProxy, both cascading tuile-cached's LAMB93
    tiles; the cached layers warmed with every tile of S8 (and so is the
    partner's own cache, for both)."""
    OUT.mkdir(parents=True, exist_ok=True)
    config = OUT / "cascade.toml"
    config.write_text(CASCADE_CONFIG.format(root=ROOT, port=PORTS["tuile-cached"], upstream=base("tuile-cached")))
    tuile = start_tuile("tuile-cascade", data, {}, config)
    mapproxy = start_peer("mapproxy-cascade", data, base("tuile-cached"))
    for server in ("tuile-cascade", "mapproxy-cascade"):
        for path in lists[8][server]:
            fetch(base(server) + path)
    return {"tuile-cascade": tuile, "tuile-cascade-cold": tuile,
            "mapproxy-cascade": mapproxy, "mapproxy-cold": mapproxy}


def versions():
    def cmd(*a):
        try:
            return subprocess.run(a, capture_output=True, text=True).stdout.strip()
        except OSError:
            return "?"
    pip = ROOT / "target/bench-venv/bin/pip"
    frozen = dict(l.split("==") for l in cmd(str(pip), "freeze").splitlines() if "==" in l)
    mapserv = re.search(r"MapServer version (\S+)", cmd("mapserv", "-v"))
    wrk_v = re.search(r"wrk (\S+)", cmd("wrk", "-v"))
    return {
        "tuile": cmd(str(ROOT / "target/release/tuile"), "--version").replace("tuile ", ""),
        "MapServer": mapserv.group(1) if mapserv else "?",
        "pygeoapi": frozen.get("pygeoapi", "?"),
        "titiler.core": frozen.get("titiler-core", frozen.get("titiler.core", "?")),
        "MapProxy": frozen.get("MapProxy", "?"),
        "GDAL": cmd("gdal-config", "--version"),
        "wrk": wrk_v.group(1) if wrk_v else "?",
    }


def table_row(server, r, mine, is_ours, digits=1):
    """A results row: figures, then tuile's ratios to this server (none on tuile's own rows)."""
    ratio = cpu_ratio = ""
    if not is_ours and mine:
        if r["rps"]:
            ratio = f"{mine['rps'] / r['rps']:.{digits}f}×"
        if mine.get("cpu_ms", 0) > 0 and r.get("cpu_ms", 0) > 0:
            cpu_ratio = f"{r['cpu_ms'] / mine['cpu_ms']:.{digits}f}×"
    return (f"| {server} | {r['connections']} | {r['rps']:.1f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
            f"{r['errors']} | {r['peak_rss_mib']:.0f} | {r.get('cpu_ms', float('nan')):.2f} | {ratio} | {cpu_ratio} |")


def write_csv(path, rows):
    """The raw figures, a row per scenario, server and connection count."""
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["scenario", "server", "connections", "requests_per_s", "p50_ms", "p99_ms", "errors",
                    "requests", "peak_rss_mib", "cpu_ms_per_request"])
        for r in rows:
            w.writerow([r["scenario"], r["server"], r["connections"], f"{r['rps']:.1f}", f"{r['p50_ms']:.2f}",
                        f"{r['p99_ms']:.2f}", r["errors"], r["requests"], f"{r['peak_rss_mib']:.0f}",
                        f"{r['cpu_ms']:.3f}"])


def write_report(rows, problems, args, started):
    write_csv(ROOT / "bench/results.csv", rows)
    by = {(r["scenario"], r["server"], r["connections"]): r for r in rows}
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem = int(re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read()).group(1)) // 1024 // 1024
    lines = [
        "# Benchmarks: tuile side by side with MapServer, TiTiler, MapProxy and pygeoapi",
        "",
        f"Generated by `{args.command}` on {started:%Y-%m-%d %H:%M} UTC; raw figures in "
        "[`bench/results.csv`](bench/results.csv). Do not edit: run it again.",
        "",
        f"- Machine: {cpu}, {os.cpu_count()} cores, {mem} GB, {platform.platform()}",
        "- Data: the full demo set (`tuile demo-data --scale full`): 16 COGs + VRT, OCS GE, BAN addresses "
        "in FlatGeobuf; every server reads the same files.",
        "- Every server on loopback with 2 workers; wrk replays the same request list (fixed seed) to each, "
        f"for {args.duration} s per level, after a check of sample answers.",
        "- tuile for S1–S3, S5, S6 runs with a 1 MiB tile cache (cold: every map is drawn); S4 with its "
        "default cache, warmed with the same tiles MapProxy has seeded.",
        "- S7/S8 (cascading): a second tuile and MapProxy (2 gunicorn workers) both republish tuile-cached's "
        "bdortho LAMB93 tiles (PNG) as WebMercatorQuad tiles, reprojected; S7 with nothing kept (tuile "
        "`cache_ttl = 0`, MapProxy `disable_storage`), S8 from each one's cache, warmed with every tile of "
        "the list first. CPU is the cascading server's; the partner's (tuile-cached, serving cached tiles) "
        "is the same for both.",
        "- S4's bare-actix is the ceiling: a bare actix-web handler (`bench/bare_handler.rs`) answering each "
        "path with the same tile bytes tuile has cached and the same headers, from a HashMap. wrk shares the "
        "2 cores with the servers: at tens of thousands of req/s it takes about half of them (its Lua replay "
        "and the kernel's receive side), for tuile as for the bare handler; `bench/tiles.py` measures one "
        "tile with plain wrk.",
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions().items()),
        "",
        "Ratio = tuile's requests/s ÷ the peer's, at the same connection count. CPU ms/req: user + system "
        "time of the server's whole process tree over the run (from /proc), per answered request; "
        "CPU ratio = the peer's ÷ tuile's (above 1: tuile spends less per request). CPU time is the "
        "figure to trust when the machine is shared: requests/s moves with the load around it.",
        "",
    ]
    for s in args.scenarios:
        ours = OURS.get(s, "tuile")
        lines += [f"## {TITLES[s]}", "",
                  "| server | conns | req/s | p50 ms | p99 ms | errors | peak RSS MiB | CPU ms/req "
                  "| tuile ÷ peer | CPU ratio |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for server in [ours] + PEERS[s]:
            for c in args.levels:
                r = by.get((s, server, c))
                if not r:
                    continue
                lines.append(table_row(server, r, by.get((s, ours, c)), server == ours))
        for p in problems.get(s, []):
            lines.append(f"\n**Not timed**: {p}")
        lines.append("")
    # The region-scale section (bench/region.py) stays until that runs again.
    region = ROOT / "bench/region-section.md"
    if region.exists():
        lines += ["", region.read_text()]
    (ROOT / "BENCHMARKS.md").write_text("\n".join(lines) + "\n")


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=str(ROOT / "data"))
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--levels", default="1,8,64")
    ap.add_argument("--scenarios", default="1,2,3,4,5,6,7,8")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--report-only", action="store_true", help="rewrite BENCHMARKS.md from bench/results.csv")
    args = ap.parse_args()
    args.command = "make bench" if os.environ.get("MAKELEVEL") else " ".join(["bench/compare.py"] + sys.argv[1:])
    args.levels = [int(x) for x in args.levels.split(",")]
    args.scenarios = [int(x) for x in args.scenarios.split(",")]
    data = pathlib.Path(args.data).resolve()
    started = datetime.datetime.now(datetime.timezone.utc)
    if args.report_only:
        rows = []
        with open(ROOT / "bench/results.csv") as f:
            for r in csv.DictReader(f):
                rows.append({"scenario": int(r["scenario"]), "server": r["server"],
                             "connections": int(r["connections"]), "rps": float(r["requests_per_s"]),
                             "p50_ms": float(r["p50_ms"]), "p99_ms": float(r["p99_ms"]),
                             "errors": int(r["errors"]), "requests": int(r["requests"]),
                             "peak_rss_mib": float(r["peak_rss_mib"])})
        args.command = "bench/compare.py --data " + str(args.data)
        write_report(rows, {}, args, started)
        return
    if not args.no_install:
        subprocess.run([str(ROOT / "bench/peers/install.sh")], check=True)
    subprocess.run(["cargo", "build", "--release", "--locked", "--example", "bare-handler"], cwd=ROOT, check=True)

    ext = extents(data)
    lists = request_lists(str(data), ext)
    servers = {}
    rows, problems = [], {}
    try:
        servers["tuile"] = start_tuile("tuile", data, {"TUILE_SERVER__CACHE__MEMORY_MB": "1"})
        servers["tuile-cached"] = start_tuile("tuile-cached", data, {})
        for peer in ("mapserver", "pygeoapi", "titiler"):
            servers[peer] = start_peer(peer, data)
        if 4 in args.scenarios:
            servers["mapproxy"] = start_peer("mapproxy", data, f"{base('tuile-cached')}/wms")
            cw, cs, ce, cn = lists["s4_bbox"]
            subprocess.run([str(ROOT / "bench/peers/seed.sh"), f"{cw},{cs},{ce},{cn}", "16", "18", "EPSG:4326"],
                           check=True)
            # tuile's cache gets the same tiles, and the bare handler all of
            # them too, each at its own path: the same working set.
            tiles = OUT / "bare-tiles"
            shutil.rmtree(tiles, ignore_errors=True)
            for path, bare_path in zip(lists[4]["tuile-cached"], lists[4]["bare-actix"]):
                out = tiles / bare_path.lstrip("/")
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(fetch(base("tuile-cached") + path)[2])
            bare = subprocess.Popen([str(ROOT / "target/release/examples/bare-handler"), str(tiles),
                                     f"127.0.0.1:{PORTS['bare-actix']}", "2"])
            servers["bare-actix"] = Server("bare-actix", [bare])
            wait_for(base("bare-actix") + lists[4]["bare-actix"][0])

        if {7, 8} & set(args.scenarios):
            servers.update(start_cascades(data, lists))

        for s in args.scenarios:
            print(f"== {TITLES[s]}", flush=True)
            time_scenario(s, lists[s], check, servers, args, rows, problems)
    finally:
        for srv in servers.values():
            srv.stop()
    write_report(rows, problems, args, started)
    print((ROOT / "BENCHMARKS.md").read_text())


if __name__ == "__main__":
    main()
