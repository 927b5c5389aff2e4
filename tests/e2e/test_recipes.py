"""The test-framework drop-ins of contrib/ run as a user would run them, against the Basalt under test."""

import os
import pathlib
import shutil
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("BASALT_BIN", REPO / "build" / "src" / "basalt"))

pytestmark = pytest.mark.basalt_only


def test_pytest_fixture_recipe():
    env = dict(os.environ, BASALT_BIN=str(BINARY))
    env.pop("BASALT_ENDPOINT", None)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(REPO / "contrib/pytest/example")],
                         env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "3 passed" in run.stdout
