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


def test_jest_global_setup_recipe():
    jest_dir = REPO / "contrib" / "jest"
    if not (jest_dir / "node_modules").is_dir():
        pytest.fail("%s is missing: run scripts/setup.sh (it runs `npm ci` there)" % (jest_dir / "node_modules"))
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run scripts/setup.sh")
    env = dict(os.environ, BASALT_BIN=str(BINARY))
    env.pop("NODE_OPTIONS", None)
    run = subprocess.run([node, str(jest_dir / "node_modules" / "jest" / "bin" / "jest.js"), "--ci"], cwd=jest_dir,
                         env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "2 passed" in run.stderr, run.stderr
