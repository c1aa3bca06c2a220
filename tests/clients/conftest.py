"""Client tests: the libraries partners use, against a running `tuile serve`.

scripts/client-tests.sh starts the server and sets TUILE_URL and TUILE_DATA.
"""
import io
import json
import os
import pathlib

import numpy as np
import pytest
from PIL import Image


@pytest.fixture(scope="session")
def base_url():
    url = os.environ.get("TUILE_URL")
    if not url:
        pytest.fail("TUILE_URL is not set: run these tests through scripts/client-tests.sh")
    return url.rstrip("/")


@pytest.fixture(scope="session")
def manifest():
    data = os.environ.get("TUILE_DATA")
    if not data:
        pytest.fail("TUILE_DATA is not set: run these tests through scripts/client-tests.sh")
    return json.loads((pathlib.Path(data) / "MANIFEST.json").read_text())


def decode(data: bytes) -> np.ndarray:
    """An RGBA array from PNG or JPEG bytes."""
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def around(p, half):
    return (p[0] - half, p[1] - half, p[0] + half, p[1] + half)
