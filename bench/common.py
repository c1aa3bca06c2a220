"""What the load scripts (compare.py, soak.py) share: HTTP fetches, waiting
for a server, letting tuile drain, and wrk replaying a URL list with
bench/replay.lua."""
import json
import os
import pathlib
import re
import subprocess
import time
import urllib.error
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
ERROR_KINDS = ("connect", "read", "write", "timeout", "status")


def fetch(url, timeout=60):
    """(status, content type, body), for error statuses too."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()


def get(url):
    """The body of a 200; anything else raises OSError."""
    status, _, body = fetch(url)
    if status != 200:
        raise OSError(f"HTTP {status}: {body[:200]!r}")
    return body


def wait_for(url, seconds=60):
    end = time.time() + seconds
    while time.time() < end:
        try:
            if fetch(url, 5)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer")


def drain(base, seconds=60):
    """Waits until tuile at `base` has no render in flight: wrk hangs up on
    the requests it had running, and the server finishes them."""
    end = time.time() + seconds
    while time.time() < end:
        if re.search(r"^tuile_renders_in_flight 0$", get(f"{base}/metrics").decode(), re.M):
            return
        time.sleep(0.25)


def replay(base, url_file, connections, duration):
    """wrk replaying the paths of `url_file` against `base`: requests, req/s,
    p50/p99/max in ms, and the errors (socket errors and non-2xx answers)."""
    out = subprocess.run(
        ["wrk", f"-t{min(2, connections)}", f"-c{connections}", f"-d{duration}s", "--timeout", "30s",
         "--latency", "-s", str(ROOT / "bench/replay.lua"), base],
        capture_output=True, text=True, check=True, env=dict(os.environ, BENCH_URLS=str(url_file)),
    ).stdout
    r = json.loads(re.search(r"^RESULT (.*)$", out, re.M).group(1))
    return {
        "requests": r["requests"],
        "rps": r["requests"] / (r["duration_us"] / 1e6),
        "p50_ms": r["p50_us"] / 1000,
        "p99_ms": r["p99_us"] / 1000,
        "max_ms": r["max_us"] / 1000,
        "errors": sum(r[k] for k in ERROR_KINDS),
        "errors_by_kind": {k: r[k] for k in ERROR_KINDS},
    }
