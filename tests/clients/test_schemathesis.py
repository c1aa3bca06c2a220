"""Contract fuzzing: schemathesis against tuile's own OpenAPI document.

No 5xx, no response that breaks the document (status codes, content types,
headers, JSON schemas), 405 for undeclared methods. `make test` runs a short
version (TUILE_SCHEMATHESIS_EXAMPLES, 25 cases per operation by default);
`make fuzz` a longer one. The seed is fixed so that a failure replays.
"""
import os
import pathlib
import re
import subprocess
import sys

import requests

HERE = pathlib.Path(__file__).parent


def panics(base_url):
    text = requests.get(f"{base_url}/metrics", timeout=10).text
    return int(re.search(r"^tuile_panics_total (\d+)", text, re.M).group(1))


def test_the_api_keeps_its_own_contract(base_url, tmp_path):
    examples = os.environ.get("TUILE_SCHEMATHESIS_EXAMPLES", "25")
    st = pathlib.Path(sys.executable).with_name("st")
    before = panics(base_url)
    run = subprocess.run(
        [
            str(st), "--config-file", str(HERE / "schemathesis.toml"), "--no-color",
            "run", f"{base_url}/api",
            "--max-examples", examples, "--seed", "20261129",
            "--generation-database", "none", "--workers", "2",
        ],
        capture_output=True, text=True, cwd=tmp_path, timeout=1800,
    )
    out = run.stdout + run.stderr
    assert run.returncode == 0, out[-6000:]
    generated = int(re.search(r"(\d+) generated", out).group(1))
    print(f"schemathesis: {generated} cases, {examples} examples per operation")
    assert generated >= 7 * int(examples) // 2, out[-2000:]
    assert panics(base_url) == before, "no panic was caught while fuzzing"
