"""pytest fixtures that run Basalt for a test session, in place of DynamoDB Local.

Use: put this file on the path (copy it, or add contrib/pytest to `pythonpath` in pytest.ini) and in conftest.py

    pytest_plugins = ["basalt_pytest"]

Fixtures:
  basalt_endpoint    (session) the URL of a Basalt started with --in-memory on a free 127.0.0.1 port, stopped at the
                     end of the session; the binary is $BASALT_BIN or `basalt` on PATH; $BASALT_ARGS adds flags
                     (for example "--trigger Orders=http://127.0.0.1:9000/"). With $BASALT_ENDPOINT set, that
                     server is used and nothing is started.
  dynamodb_client    (session) a boto3 DynamoDB client for it (fake credentials, us-east-1)
  dynamodb_resource  (session) the boto3 resource
  dynamodb_table     (function) a factory: dynamodb_table(hash_key="pk", range_key=None, stream=None) creates a
                     table with a unique name and deletes it after the test
"""

import os
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid

import pytest

_CREDENTIALS = {"region_name": "us-east-1", "aws_access_key_id": "local", "aws_secret_access_key": "local"}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url, proc, log, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError("basalt exited with %s: %s" % (proc.returncode, log.read().decode(errors="replace")))
        try:
            with urllib.request.urlopen(url + "/", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("basalt did not become healthy at %s" % url)


@pytest.fixture(scope="session")
def basalt_endpoint():
    if os.environ.get("BASALT_ENDPOINT"):
        yield os.environ["BASALT_ENDPOINT"].rstrip("/")
        return
    binary = os.environ.get("BASALT_BIN") or shutil.which("basalt")
    if not binary:
        pytest.skip("no basalt binary: set BASALT_BIN or put basalt on PATH")
    port = _free_port()
    log = tempfile.TemporaryFile()
    args = [binary, "--in-memory", "--host", "127.0.0.1", "--port", str(port)]
    args += shlex.split(os.environ.get("BASALT_ARGS", ""))
    proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    url = "http://127.0.0.1:%d" % port
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()


@pytest.fixture(scope="session")
def dynamodb_client(basalt_endpoint):
    boto3 = pytest.importorskip("boto3")
    return boto3.client("dynamodb", endpoint_url=basalt_endpoint, **_CREDENTIALS)


@pytest.fixture(scope="session")
def dynamodb_resource(basalt_endpoint):
    boto3 = pytest.importorskip("boto3")
    return boto3.resource("dynamodb", endpoint_url=basalt_endpoint, **_CREDENTIALS)


@pytest.fixture
def dynamodb_table(dynamodb_resource):
    created = []

    def make(hash_key="pk", range_key=None, stream=None):
        keys = [(hash_key, "HASH")] + ([(range_key, "RANGE")] if range_key else [])
        extra = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": stream}} if stream else {}
        table = dynamodb_resource.create_table(
            TableName="t-" + uuid.uuid4().hex[:12],
            KeySchema=[{"AttributeName": n, "KeyType": t} for n, t in keys],
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n, _ in keys],
            BillingMode="PAY_PER_REQUEST", **extra)
        table.wait_until_exists()
        created.append(table)
        return table

    yield make
    for table in created:
        table.delete()
