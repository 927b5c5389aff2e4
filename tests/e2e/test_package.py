"""The Debian package (packaging/cpack.cmake): built with CPack from the build tree under test, named
basalt_<version>_amd64.deb, with a systemd unit that `systemd-analyze verify` accepts; the packaged binary, started
as the unit starts it, serves requests and keeps its data across a restart.

Installing it under systemd needs a machine (or container) running systemd: this checks what can be checked
without one (see README, "Packages and images").
"""

import os
import pathlib
import re
import shlex
import shutil
import subprocess

import pytest

from conftest import _Server, make_client

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("BASALT_BIN", REPO / "build" / "src" / "basalt")).resolve()
BUILD = BINARY.parents[1]

pytestmark = pytest.mark.basalt_only


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    if os.environ.get("BASALT_ENDPOINT"):
        pytest.skip("tests a build tree; BASALT_ENDPOINT is set")
    if not (BUILD / "CPackConfig.cmake").exists():
        pytest.fail("no CPack configuration in %s" % BUILD)
    run = subprocess.run(["cpack", "-G", "DEB"], cwd=BUILD, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    version = re.search(r"basalt (\S+)", subprocess.run([str(BINARY), "--version"], capture_output=True,
                                                        text=True).stdout).group(1)
    deb = BUILD / ("basalt_%s_amd64.deb" % version)
    assert deb.exists(), run.stdout
    root = tmp_path_factory.mktemp("root")
    subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return deb, root


def test_package_metadata_and_contents(package):
    deb, root = package
    info = subprocess.run(["dpkg-deb", "-f", str(deb), "Package", "Architecture", "Depends"], capture_output=True,
                          text=True, check=True).stdout
    assert "Package: basalt" in info and "Architecture: amd64" in info
    assert "libsnappy" in info and "adduser" in info  # shared libraries found by dpkg-shlibdeps
    control = subprocess.run(["dpkg-deb", "-I", str(deb)], capture_output=True, text=True, check=True).stdout
    for script in ("postinst", "prerm", "postrm", "conffiles"):
        assert script in control
    for path in ("usr/bin/basalt", "usr/lib/systemd/system/basalt.service", "etc/default/basalt",
                 "usr/share/basalt/console/web/index.html", "usr/share/basalt/console/web/app.js"):
        assert (root / path).exists(), path
    if (REPO / "console" / "node_modules" / "uplot").is_dir():  # the console's charts, from npm
        assert (root / "usr/share/basalt/console/node_modules/uplot/dist/uPlot.iife.min.js").exists()
    out = subprocess.run([str(root / "usr/bin/basalt"), "--version"], capture_output=True, text=True).stdout
    assert re.match(r"basalt \d+\.\d+\.\d+ \(commit [0-9a-z.-]+\)", out), out


def test_unit_is_hardened_and_verifies(package, tmp_path):
    _, root = package
    unit = (root / "usr/lib/systemd/system/basalt.service").read_text()
    for setting in ("User=basalt", "StateDirectory=basalt", "NoNewPrivileges=yes", "ProtectSystem=strict",
                    "ProtectHome=yes", "PrivateTmp=yes", "CapabilityBoundingSet=", "SystemCallFilter=@system-service"):
        assert setting in unit.splitlines(), setting
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed")
    # verify checks that ExecStart's binary exists: point it at the packaged one.
    copy = tmp_path / "basalt.service"
    copy.write_text(unit.replace("/usr/bin/basalt", str(root / "usr/bin/basalt")))
    run = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True)
    assert run.returncode == 0 and run.stderr.strip() == "", run.stderr


def test_packaged_server_keeps_its_data_across_a_restart(package, tmp_path):
    _, root = package
    # ExecStart's flags with /etc/default/basalt's BASALT_OPTS, as systemd would run them (host/port are the test's).
    defaults = (root / "etc/default/basalt").read_text()
    opts = shlex.split(re.search(r'^BASALT_OPTS="(.*)"', defaults, re.M).group(1))
    assert opts == ["--host", "127.0.0.1", "--port", "8000"]
    data = tmp_path / "var-lib-basalt"
    data.mkdir()
    binary = root / "usr/bin/basalt"
    server = _Server()
    try:
        url = server.start(binary, args=("--data-dir", str(data)))
        ddb = make_client(url)
        ddb.create_table(TableName="kept", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                         BillingMode="PAY_PER_REQUEST")
        ddb.put_item(TableName="kept", Item={"pk": {"S": "a"}, "v": {"S": "survives"}})
        server.stop()
        url = server.start(binary, args=("--data-dir", str(data)))
        item = make_client(url).get_item(TableName="kept", Key={"pk": {"S": "a"}})["Item"]
        assert item["v"] == {"S": "survives"}
    finally:
        server.stop()
