"""The container image definition (Dockerfile), a drop-in for amazon/dynamodb-local.

No container runtime runs on the machines this project's tests run on (a docker client without a daemon, and no
registry to pull debian:12 from), so the image is not built here. What is checked instead: the Dockerfile's shape
(two stages, port 8000, the health check, the entrypoint and default command of the amazon/dynamodb-local image,
every file it copies exists) and, against the Basalt under test, the image's entrypoint script run exactly as the
image runs it, with the command lines amazon/dynamodb-local users write: -sharedDb, -dbPath (data kept across a
restart), -inMemory, JVM options and -jar DynamoDBLocal.jar, and the health check.
"""

import os
import pathlib
import re
import signal
import socket
import subprocess
import time

import pytest
import requests

from conftest import make_client

REPO = pathlib.Path(__file__).resolve().parents[2]
BINARY = pathlib.Path(os.environ.get("BASALT_BIN", REPO / "build" / "src" / "basalt")).resolve()
ENTRYPOINT = REPO / "packaging" / "dynamodb-local-entrypoint.sh"

pytestmark = pytest.mark.basalt_only


def test_dockerfile_is_multi_stage_and_shaped_like_dynamodb_local():
    text = (REPO / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+)(?: AS (\S+))?", text, re.M)
    assert stages == [("debian:12", "build"), ("debian:12-slim", "")]
    assert re.search(r"^EXPOSE 8000$", text, re.M)
    assert re.search(r"^WORKDIR /home/dynamodblocal$", text, re.M)
    assert re.search(r'^HEALTHCHECK .*"--health"\]$', text, re.M)
    assert re.search(r'^ENTRYPOINT \["/usr/local/bin/dynamodb-local-entrypoint"\]$', text, re.M)
    assert re.search(r'^CMD \["-jar", "DynamoDBLocal.jar", "-inMemory"\]$', text, re.M)
    for source in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
        assert (REPO / source).exists(), source
    assert "--target basalt" in text and "BASALT_BUILD_TESTS=OFF" in text


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Container:
    """The entrypoint run as the image runs it: in a working directory of its own, with its own TMPDIR."""

    def __init__(self, home):
        self.home = home
        self.proc = None

    def run(self, *command):
        env = dict(os.environ, BASALT_BIN=str(BINARY), TMPDIR=str(self.home))
        self.log = open(self.home / "log", "ab")
        self.proc = subprocess.Popen([str(ENTRYPOINT), *command], cwd=self.home, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        return self

    def health(self):
        env = dict(os.environ, TMPDIR=str(self.home))
        return subprocess.run([str(ENTRYPOINT), "--health"], env=env, capture_output=True, timeout=10).returncode

    def wait_healthy(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, (self.home / "log").read_text()
            if self.health() == 0:
                return
            time.sleep(0.05)
        raise AssertionError("not healthy: " + (self.home / "log").read_text())

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def container(tmp_path):
    if os.environ.get("BASALT_ENDPOINT"):
        pytest.skip("starts its own Basalt; BASALT_ENDPOINT is set")
    c = Container(tmp_path)
    yield c
    c.stop()


def test_shared_db_path_and_jvm_options_as_compose_files_write_them(container):
    port = _free_port()
    command = ["-Djava.library.path=./DynamoDBLocal_lib", "-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath",
               "./data", "-port", str(port), "-optimizeDbBeforeStartup"]
    container.run(*command).wait_healthy()
    url = "http://127.0.0.1:%d" % port
    assert requests.get(url + "/").text.startswith("healthy")
    make_client(url, region="us-east-1").create_table(
        TableName="shared", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    make_client(url).put_item(TableName="shared", Item={"pk": {"S": "a"}})
    # -sharedDb: one set of tables whatever the region.
    assert "shared" in make_client(url, region="eu-west-1").list_tables()["TableNames"]
    container.stop()
    assert (container.home / "data").is_dir()  # -dbPath ./data, relative to the working directory
    container.run(*command).wait_healthy()
    assert make_client(url).get_item(TableName="shared", Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}


def test_default_command_is_in_memory_on_port_8000_or_as_given(container):
    port = _free_port()
    container.run("-jar", "DynamoDBLocal.jar", "-inMemory", "-port", str(port)).wait_healthy()
    url = "http://127.0.0.1:%d" % port
    make_client(url).create_table(
        TableName="gone", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}], BillingMode="PAY_PER_REQUEST")
    container.stop()
    assert not any(p.name not in ("log", "basalt.port") for p in container.home.iterdir())  # nothing on disk
    container.run("-jar", "DynamoDBLocal.jar", "-inMemory", "-port", str(port)).wait_healthy()
    assert make_client(url).list_tables()["TableNames"] == []
    container.stop()
    assert container.health() != 0  # the health check fails once the server is gone
