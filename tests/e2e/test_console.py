"""The web console at /console (docs/console.md).

Over HTTP: files with their Content-Type and caching headers, 404s, refused traversal, --no-console, and
which paths need a signature under --auth=sigv4. In a browser: console/test/console.test.mjs drives the
console in headless Chromium (Debian's chromium, through puppeteer-core from console/node_modules) against
two Basalts started here, one with --auth=none and one with --auth=sigv4; it saves a screenshot per step
in the directory printed below and checks each page's elements; then the same in Firefox (Debian's
firefox-esr, through WebDriver BiDi). Each is skipped, saying so, only where its browser is not installed;
console/node_modules missing fails (scripts/setup.sh installs all three).
"""

import http.client
import os
import pathlib
import shutil
import subprocess
import urllib.parse

import pytest
import requests
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

pytestmark = pytest.mark.basalt_only

REPO = pathlib.Path(__file__).resolve().parents[2]
CONSOLE_DIR = REPO / "console"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FIREFOX = os.environ.get("FIREFOX", "/usr/bin/firefox-esr")
ROOT_KEY, ROOT_SECRET = "AKIACONSOLEROOT0001", "console-root-secret"
TIMEOUT = 240  # seconds for the browser run


def raw_get(url, path, headers=None):
    """GET with the path exactly as given (no client-side normalisation of '..')."""
    u = urllib.parse.urlparse(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def signed_get(url, path, key=ROOT_KEY, secret=ROOT_SECRET):
    req = AWSRequest(method="GET", url=url + path)
    SigV4Auth(Credentials(key, secret), "dynamodb", "us-east-1").add_auth(req)
    return requests.get(url + path, headers=dict(req.headers), timeout=10)


def test_console_files_types_and_refusals(private_server):
    server = private_server("--in-memory")
    status, headers, body = raw_get(server.url, "/console")
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert headers["cache-control"] == "no-cache"
    assert "default-src 'self'" in headers["content-security-policy"]
    assert b'<script type="module" src="/console/app.js">' in body
    for path, content_type in [("/console/app.js", "text/javascript; charset=utf-8"),
                               ("/console/style.css", "text/css; charset=utf-8"),
                               ("/console/vendor/uplot/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8")]:
        status, headers, body = raw_get(server.url, path)
        assert (status, headers["content-type"]) == (200, content_type), path
        assert len(body) > 0
        again = raw_get(server.url, path, {"If-None-Match": headers["etag"]})
        assert again[0] == 304, path
    assert raw_get(server.url, "/console/nothing.js")[0] == 404
    for path in ["/console/../CMakeLists.txt", "/console/%2e%2e/%2e%2e/etc/passwd", "/console/vendor/../package.json",
                 "/console/vendor/%2e%2e/%2e%2e/console/web/app.js", "/console/.gitignore"]:
        status, _, body = raw_get(server.url, path)
        assert status == 400, (path, body)
    report = raw_get(server.url, "/console/report")
    assert report[0] == 200 and report[1]["cache-control"] == "no-store"
    assert b'<article id="access-pattern-report"' in report[2]
    # the console's paths are not the DynamoDB API's: a POST there is refused, not routed
    assert requests.post(server.url + "/console/", data="{}", timeout=10).status_code == 405


def test_no_console_turns_it_off(private_server):
    server = private_server("--in-memory", "--no-console")
    status, headers, _ = raw_get(server.url, "/console/")
    assert status != 200 and "text/html" not in headers.get("content-type", "")


def test_console_under_sigv4_serves_files_openly_and_data_to_the_root(private_server, monkeypatch):
    monkeypatch.setenv("BASALT_ROOT_ACCESS_KEY_ID", ROOT_KEY)
    monkeypatch.setenv("BASALT_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
    server = private_server("--in-memory", "--auth=sigv4")
    assert raw_get(server.url, "/console/")[0] == 200  # the page and its scripts hold no data
    assert raw_get(server.url, "/console/sigv4.js")[0] == 200
    status, _, body = raw_get(server.url, "/console/report")
    assert status == 400 and b"MissingAuthenticationToken" in body
    assert signed_get(server.url, "/console/report").status_code == 200
    wrong = signed_get(server.url, "/console/report", secret="not-the-secret")
    assert wrong.status_code in (400, 403) and "signature" in wrong.text.lower()


def _run_browser_tests(private_server, monkeypatch, tmp_path, name, browser_env):
    if not (CONSOLE_DIR / "node_modules" / "puppeteer-core").is_dir():
        pytest.fail("%s is missing: run scripts/setup.sh (it runs `npm ci` in console/)" % (CONSOLE_DIR / "node_modules"))
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is not installed: run scripts/setup.sh")
    open_server = private_server("--in-memory")
    monkeypatch.setenv("BASALT_ROOT_ACCESS_KEY_ID", ROOT_KEY)
    monkeypatch.setenv("BASALT_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
    signed_server = private_server("--in-memory", "--auth=sigv4")
    build = REPO / "build"
    shots = (build if build.is_dir() else tmp_path) / ("console-screenshots-" + name)
    shutil.rmtree(shots, ignore_errors=True)
    print("console screenshots (%s): %s" % (name, shots))
    env = dict(os.environ, CONSOLE_URL=open_server.url, CONSOLE_SIGV4_URL=signed_server.url, CONSOLE_ROOT_KEY=ROOT_KEY,
               CONSOLE_ROOT_SECRET=ROOT_SECRET, SCREENSHOTS=str(shots), **browser_env)
    env.pop("NODE_OPTIONS", None)
    try:
        proc = subprocess.run([node, "--test", "--test-reporter=spec", "test/"], cwd=CONSOLE_DIR, env=env,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              timeout=TIMEOUT)
    except subprocess.TimeoutExpired as e:
        out = (e.stdout or b"").decode(errors="replace")
        pytest.fail("the console's browser tests did not finish within %ds; output:\n%s" % (TIMEOUT, out[-20000:]))
    out = proc.stdout.decode(errors="replace")
    if proc.returncode != 0:
        pytest.fail("node --test console/test (%s) exited with %d; output:\n%s" % (name, proc.returncode, out[-20000:]),
                    pytrace=False)
    assert "# skip" not in out and "﹣" not in out, out  # both browser tests ran
    names = sorted(p.name for p in shots.glob("*.png"))
    for expected in ("04-items.png", "05-query.png", "06-partiql.png", "08b-report-charts.png",
                     "09-report-without-javascript.png", "12-sigv4-signed.png"):
        assert expected in names, names
    print("%d screenshots in %s" % (len(names), shots))


def test_console_in_headless_chromium(private_server, monkeypatch, tmp_path):
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip("chromium is not installed at %s: the console's browser tests need it "
                    "(scripts/setup.sh installs Debian's chromium; CHROMIUM=PATH names another)" % CHROMIUM)
    _run_browser_tests(private_server, monkeypatch, tmp_path, "chromium", {"CHROMIUM": CHROMIUM})


def test_console_in_headless_firefox(private_server, monkeypatch, tmp_path):
    if not os.access(FIREFOX, os.X_OK):
        pytest.skip("firefox is not installed at %s: the console's Firefox run needs it "
                    "(scripts/setup.sh installs Debian's firefox-esr; FIREFOX=PATH names another)" % FIREFOX)
    _run_browser_tests(private_server, monkeypatch, tmp_path, "firefox", {"FIREFOX": FIREFOX})
