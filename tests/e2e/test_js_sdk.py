"""The AWS SDK for JavaScript v3 against the target: runs tests/js/*.test.mjs with node's test runner.

The SDK packages are pinned in tests/js/package.json and package-lock.json and installed by scripts/setup.sh
(`npm ci` in tests/js). A missing install fails the test rather than skipping it.
"""

import os
import pathlib
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
JS_DIR = REPO / "tests" / "js"
TIMEOUT = 120  # seconds for one node --test run


def _node():
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run scripts/setup.sh")
    return node


@pytest.mark.parametrize("script", ["streams.test.mjs", "partiql.test.mjs", "compression.test.mjs", "backups.test.mjs"])
def test_js_sdk(endpoint, script):
    if not (JS_DIR / "node_modules").is_dir():
        pytest.fail("%s is missing: run scripts/setup.sh (it runs `npm ci` in tests/js)" % (JS_DIR / "node_modules"))
    path = JS_DIR / script
    env = dict(os.environ, BASALT_ENDPOINT=endpoint)
    env.pop("NODE_OPTIONS", None)
    try:
        proc = subprocess.run([_node(), "--test", "--test-reporter=spec", str(path)], cwd=JS_DIR, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        pytest.fail("node --test %s did not finish within %ds; output:\n%s" % (script, TIMEOUT, out[-20000:]))
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        pytest.fail("node --test %s exited with %d; output:\n%s" % (script, proc.returncode, out[-20000:]),
                    pytrace=False)
