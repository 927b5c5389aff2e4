"""Shared fixtures for Basalt's end-to-end tests.

Target selection:
  BASALT_ENDPOINT=http://127.0.0.1:8043   test a server that is already running
  BASALT_TARGET=dynamodb-local            ...and say it is Amazon DynamoDB Local
  (neither set)                           start BASALT_BIN (default <repo>/build/src/basalt)
                                          with --in-memory on a free port and stop it at the end

Markers:
  @pytest.mark.basalt_only                       Basalt-specific behaviour; skipped on DynamoDB Local
  @pytest.mark.local_differs("reason")           real DynamoDB's behaviour where DynamoDB Local differs;
                                                 skipped on DynamoDB Local

Where only the wording differs, tests use expected(service, local) instead of a marker: the real service's
message (which Basalt returns) against Basalt, DynamoDB Local's against Local.
"""

import atexit
import json
import os
import pathlib
import re
import signal
import socket
import subprocess
import tempfile
import time
import uuid

import boto3
import pytest
import requests
from botocore.config import Config

STOP_TIMEOUT = 5  # seconds between SIGTERM and SIGKILL
REPO = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_BIN = REPO / "build" / "src" / "basalt"

TARGET = os.environ.get("BASALT_TARGET", "basalt").strip().lower()
IS_LOCAL = TARGET in ("dynamodb-local", "dynamodb_local", "ddblocal", "local")

REGION = "us-east-1"
ACCESS_KEY = "fakeAccessKeyId"
SECRET_KEY = "fakeSecretAccessKey"


def account_of(access_key):
    """The account an access key id stands for with --auth=none: Basalt derives a 12-digit id from the key
    (FNV-1a, src/db/account.h), so each key is an account of its own; DynamoDB Local shows 000000000000."""
    if IS_LOCAL:
        return "000000000000"
    h = 14695981039346656037
    for c in access_key.encode():
        h = ((h ^ c) * 1099511628211) % (1 << 64)
    return "%012d" % (h % 10**12)


ACCOUNT = account_of(ACCESS_KEY)
AUTH_HEADER = (
    "AWS4-HMAC-SHA256 Credential=%s/20200101/%s/dynamodb/aws4_request, "
    "SignedHeaders=host, Signature=0" % (ACCESS_KEY, REGION)
)


def expected(service, local=None):
    """The value a test should expect from the target under test.

    `service` is the real DynamoDB service's behaviour (usually an error message's wording), which is what
    Basalt returns; `local` is Amazon DynamoDB Local's where it differs. Returns `local` when the target is
    DynamoDB Local and `local` is given, else `service`. Real DynamoDB is the truth: never pass a
    Local-only value as `service`.
    """
    return local if IS_LOCAL and local is not None else service


def constraint_errors(*violations):
    """The service's (Coral) wording for failed member constraints, which Basalt returns:

        N validation error(s) detected: Value 'x' at 'path' failed to satisfy constraint: <constraint>; ...

    Each violation is (value, path, constraint); value None renders as `Value null`.
    """
    parts = ["Value %s at '%s' failed to satisfy constraint: %s" % ("null" if v is None else "'%s'" % v, path, c)
             for v, path, c in violations]
    n = len(parts)
    return "%d validation error%s detected: %s" % (n, "" if n == 1 else "s", "; ".join(parts))


# The service (and Basalt) send error bodies as {"__type", "message"}; DynamoDB Local capitalises "Message".
MESSAGE_KEY = expected("message", "Message")

VALIDATION = "ValidationException"
NOT_FOUND = "ResourceNotFoundException"
IN_USE = "ResourceInUseException"
LOCAL_NOT_FOUND_MSG = "Cannot do operations on a non-existent table"


# --------------------------------------------------------------------------- markers

def pytest_configure(config):
    config.addinivalue_line("markers", "basalt_only: behaviour specific to Basalt; skipped on DynamoDB Local")
    config.addinivalue_line(
        "markers",
        "local_differs(reason): real DynamoDB behaviour that DynamoDB Local does not reproduce; "
        "skipped on DynamoDB Local",
    )


def pytest_collection_modifyitems(config, items):
    if not IS_LOCAL:
        return
    for item in items:
        if item.get_closest_marker("basalt_only"):
            item.add_marker(pytest.mark.skip(reason="Basalt-only behaviour (target is DynamoDB Local)"))
        m = item.get_closest_marker("local_differs")
        if m:
            reason = m.args[0] if m.args else m.kwargs.get("reason", "DynamoDB Local differs")
            item.add_marker(pytest.mark.skip(reason="DynamoDB Local differs: " + reason))


def pytest_report_header(config):
    return "basalt e2e target: %s (%s)" % (
        TARGET, os.environ.get("BASALT_ENDPOINT") or "start %s" % os.environ.get("BASALT_BIN", DEFAULT_BIN))


# --------------------------------------------------------------------------- server process

class _Server:
    def __init__(self):
        self.proc = None
        self.log = None

    def start(self, binary, args=("--in-memory", "--ttl-sweep-interval", "1"), nofile=None):
        """Starts `binary` with `args` on a free 127.0.0.1 port; `nofile` limits its descriptors (prlimit)."""
        port = _free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="basalt-e2e-", suffix=".log", delete=False)
        prefix = ["prlimit", "--nofile=%d:%d" % (nofile, nofile)] if nofile else []  # prlimit execs: same PID
        self.proc = subprocess.Popen(
            prefix + [str(binary), "--host", "127.0.0.1", "--port", str(port)] + list(args),
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        atexit.register(self.stop)
        url = "http://127.0.0.1:%d" % port
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("basalt exited with %s during startup; log:\n%s" % (self.proc.returncode, self.log_text()))
            try:
                requests.get(url + "/", timeout=1)
                return url
            except requests.RequestException:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("basalt did not answer GET / on %s within 30s; log:\n%s" % (url, self.log_text()))

    def log_text(self):
        try:
            return pathlib.Path(self.log.name).read_text(errors="replace")[-4000:]
        except Exception:
            return "(no log)"

    def stop(self):
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        except ProcessLookupError:
            pass


    @property
    def pid(self):
        return self.proc.pid


@pytest.fixture
def private_server():
    """private_server(*args, nofile=None) -> a started _Server (.url, .pid, .log_text()) running
    BASALT_BIN with these flags; stopped by PID after the test, also when it fails."""
    if os.environ.get("BASALT_ENDPOINT"):
        pytest.skip("starts its own Basalt; BASALT_ENDPOINT is set")
    binary = pathlib.Path(os.environ.get("BASALT_BIN", DEFAULT_BIN))
    servers = []

    def start(*args, nofile=None):
        server = _Server()
        servers.append(server)
        server.url = server.start(binary, args=args, nofile=nofile)
        return server

    yield start
    for server in servers:
        server.stop()


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def endpoint():
    env = os.environ.get("BASALT_ENDPOINT")
    if env:
        yield env.rstrip("/")
        return
    binary = pathlib.Path(os.environ.get("BASALT_BIN", DEFAULT_BIN))
    if not binary.exists():
        pytest.exit("basalt binary not found at %s (set BASALT_BIN or BASALT_ENDPOINT)" % binary, returncode=2)
    server = _Server()
    try:
        yield server.start(binary)
    finally:
        server.stop()


# --------------------------------------------------------------------------- clients

def make_client(endpoint, region=REGION, service="dynamodb", resource=False, **kw):
    session = boto3.session.Session(
        aws_access_key_id=kw.pop("access_key", ACCESS_KEY),
        aws_secret_access_key=kw.pop("secret_key", SECRET_KEY),
        region_name=region,
    )
    cfg = Config(retries={"total_max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=30,
                 parameter_validation=kw.pop("parameter_validation", True))
    factory = session.resource if resource else session.client
    return factory(service, endpoint_url=endpoint, config=cfg, verify=kw.pop("verify", None))


@pytest.fixture(scope="session")
def ddb(endpoint):
    return make_client(endpoint)


@pytest.fixture(scope="session")
def ddb_resource(endpoint):
    return make_client(endpoint, resource=True)


@pytest.fixture(scope="session")
def ddb_noval(endpoint):
    """A client without botocore's client-side parameter validation, to reach server-side checks."""
    return make_client(endpoint, parameter_validation=False)


class RawResult(tuple):
    """(status, json body or None, headers) with a few conveniences."""

    @property
    def status(self):
        return self[0]

    @property
    def body(self):
        return self[1]

    @property
    def headers(self):
        return self[2]

    @property
    def code(self):
        b = self[1] if isinstance(self[1], dict) else {}
        return str(b.get("__type", "")).rsplit("#", 1)[-1]

    @property
    def message(self):
        """The error message, read from the member the target uses (see MESSAGE_KEY)."""
        b = self[1] if isinstance(self[1], dict) else {}
        return b.get(MESSAGE_KEY)


@pytest.fixture(scope="session")
def http(endpoint):
    s = requests.Session()
    yield s
    s.close()


_SESSION = requests.Session()


def raw_call(endpoint, op, body=None, headers=None, session=None):
    """POST one request; returns RawResult (status, parsed json or None, headers).

    body may be a dict/list (JSON-encoded), or str/bytes (sent verbatim). op=None omits X-Amz-Target.
    A header given with value None is removed.
    """
    h = {
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH_HEADER,
    }
    if op is not None:
        h["X-Amz-Target"] = "DynamoDB_20120810." + op
    for k, v in (headers or {}).items():
        if v is None:
            h.pop(k, None)
        else:
            h[k] = v
    if body is None:
        body = {}
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    r = (session or _SESSION).post(endpoint + "/", data=data, headers=h, timeout=30)
    try:
        parsed = r.json()
    except ValueError:
        parsed = None
    return RawResult((r.status_code, parsed, r.headers))


@pytest.fixture(scope="session")
def raw(endpoint, http):
    """raw(op, body, headers=None) -> (status, parsed json or None, headers)."""

    def call(op, body=None, headers=None):
        return raw_call(endpoint, op, body, headers, session=http)

    return call


# --------------------------------------------------------------------------- helpers

def unique(prefix="k"):
    return "%s-%s" % (prefix, uuid.uuid4().hex[:16])


def table_name(prefix="e2e"):
    return "%s_%s" % (prefix, uuid.uuid4().hex[:12])


def _message_matches(actual, message):
    if isinstance(message, re.Pattern):
        return actual is not None and message.fullmatch(actual) is not None
    return actual == message


def assert_error(res, code, message=None, status=400):
    """Assert a RawResult is the given error (code = suffix of __type).

    message is the exact text, or a compiled regular expression that must match all of it."""
    assert res.status == status, res
    assert res.code == code, res
    if message is not None:
        assert _message_matches(res.message, message), res


def assert_client_error(excinfo, code, message=None):
    err = excinfo.value.response["Error"]
    assert err["Code"] == code, excinfo.value.response
    if message is not None:
        assert _message_matches(err.get("Message"), message), excinfo.value.response


def _create_table(endpoint, name, hash_key=("pk", "S"), range_key=None, billing="PAY_PER_REQUEST", **extra):
    # raw requests, so that members unknown to the installed botocore (DeletionProtectionEnabled) work
    ks = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    ad = [{"AttributeName": hash_key[0], "AttributeType": hash_key[1]}]
    if range_key:
        ks.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
        ad.append({"AttributeName": range_key[0], "AttributeType": range_key[1]})
    body = dict(TableName=name, KeySchema=ks, AttributeDefinitions=ad, BillingMode=billing)
    if billing == "PROVISIONED" and "ProvisionedThroughput" not in extra:
        body["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    body.update(extra)
    res = raw_call(endpoint, "CreateTable", body)
    assert res.status == 200, res
    _wait_active(endpoint, name)
    return res.body


def _wait_active(endpoint, name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        res = raw_call(endpoint, "DescribeTable", {"TableName": name})
        assert res.status == 200, res
        if res.body["Table"]["TableStatus"] == "ACTIVE":
            return
        time.sleep(0.1)
    raise AssertionError("table %s not ACTIVE after %ss" % (name, timeout))


def _drop_table(endpoint, name):
    try:
        raw_call(endpoint, "UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
        raw_call(endpoint, "DeleteTable", {"TableName": name})
    except Exception:
        pass


@pytest.fixture(scope="session")
def table_h(endpoint):
    """Session-wide table with hash key pk (S)."""
    name = table_name("e2e_h")
    _create_table(endpoint, name)
    yield name
    _drop_table(endpoint, name)


@pytest.fixture(scope="session")
def table_hr(endpoint):
    """Session-wide table with hash key pk (S) and range key sk (N)."""
    name = table_name("e2e_hr")
    _create_table(endpoint, name, range_key=("sk", "N"))
    yield name
    _drop_table(endpoint, name)


@pytest.fixture
def make_table(endpoint):
    """make_table(hash_key=("pk","S"), range_key=None, billing=..., name=None, **extra) -> name.

    Creates a uniquely named table and deletes it after the test."""
    created = []

    def make(hash_key=("pk", "S"), range_key=None, billing="PAY_PER_REQUEST", name=None, **extra):
        name = name or table_name()
        created.append(name)
        _create_table(endpoint, name, hash_key=hash_key, range_key=range_key, billing=billing, **extra)
        return name

    yield make
    for name in created:
        _drop_table(endpoint, name)


@pytest.fixture
def key():
    """A fresh random key string, so tests can share tables."""
    return unique()
