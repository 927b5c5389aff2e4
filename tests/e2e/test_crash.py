"""Crash test: every acknowledged write survives a SIGKILL of the server.

For each durability mode the test starts its own Basalt (BASALT_BIN, default <repo>/build/src/basalt)
on a free 127.0.0.1 port with a temporary --data-dir, loads it with concurrent writers (PutItem and
BatchWriteItem, unique keys), records a write only once its 200 response has been read, SIGKILLs the
server in the middle of the load, restarts it on the same data dir and reads every acknowledged item
back with a strongly consistent GetItem. Both modes must survive a process crash (relaxed only gives
up on power loss). Skipped when BASALT_ENDPOINT points at an external server.
"""

import http.client
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time

import pytest
import requests

REPO = pathlib.Path(__file__).resolve().parents[2]
BASALT_BIN = pathlib.Path(os.environ.get("BASALT_BIN", REPO / "build" / "src" / "basalt"))
AUTH = ("AWS4-HMAC-SHA256 Credential=fakeAccessKeyId/20200101/us-east-1/dynamodb/aws4_request, "
        "SignedHeaders=host, Signature=0")
TABLE = "crash_test"
WRITERS = 8
LOAD_SECONDS = 1.5       # load before the SIGKILL
WRITE_DEADLINE = 10.0    # writers stop by themselves after this even if the kill never comes
BATCH = 10               # items per BatchWriteItem
VERIFY_THREADS = 8

pytestmark = [
    pytest.mark.basalt_only,
    pytest.mark.skipif(bool(os.environ.get("BASALT_ENDPOINT")),
                       reason="crash test starts and kills its own Basalt; BASALT_ENDPOINT is set"),
]


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Conn:
    """A keep-alive HTTP connection (http.client: a lot cheaper per request than requests)."""

    def __init__(self, url, timeout=10):
        host, port = url.split("://", 1)[1].rsplit(":", 1)
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)

    def close(self):
        self.conn.close()


# what a request to a killed server raises
CONN_ERRORS = (OSError, http.client.HTTPException)


def kill_under_load(server, worker, n, stop, seconds=LOAD_SECONDS, join_timeout=15):
    """Runs worker(i) for i in range(n) on daemon threads for `seconds`, SIGKILLs the server in the middle
    of that load, then sets `stop` and waits for the threads. Returns the threads (still alive: hung)."""
    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    server.kill()
    stop.set()
    for t in threads:
        t.join(timeout=join_timeout)
    return threads


def _post(conn, op, body):
    conn.conn.request("POST", "/", body=json.dumps(body), headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "DynamoDB_20120810." + op,
        "Authorization": AUTH,
    })
    r = conn.conn.getresponse()
    data = r.read()
    try:
        parsed = json.loads(data)
    except ValueError:
        parsed = None
    return r.status, parsed


class Server:
    """One Basalt process on a fresh port; always stopped by PID."""

    def __init__(self, data_dir, durability, log_path, extra_args=()):
        self.port = _free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log_path = log_path
        with open(log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(BASALT_BIN), "--host", "127.0.0.1", "--port", str(self.port),
                 "--data-dir", str(data_dir), "--durability=" + durability, *extra_args],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError("basalt exited with %s at startup; log:\n%s" % (self.proc.returncode, self.log()))
            try:
                requests.get(self.url + "/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.02)
        self.stop()
        raise AssertionError("basalt did not answer on %s; log:\n%s" % (self.url, self.log()))

    def log(self):
        try:
            return pathlib.Path(self.log_path).read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def kill(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)


def _item(tid, seq, via="PutItem"):
    """A distinctive item per key, with most attribute types, so a torn or mixed-up record shows."""
    pk = "w%02d-%07d" % (tid, seq)
    return {
        "pk": {"S": pk},
        "via": {"S": via},
        "sk": {"N": str(seq)},
        "payload": {"S": ("%s:" % pk) * 8},
        "n": {"N": str(tid * 1000003 + seq)},
        "b": {"B": "AAECAwQFBgc="},
        "flag": {"BOOL": seq % 2 == 0},
        "nothing": {"NULL": True},
        "list": {"L": [{"S": pk}, {"N": str(seq)}]},
        "map": {"M": {"tid": {"N": str(tid)}, "seq": {"N": str(seq)}}},
        "tags": {"SS": ["a-%d" % seq, "b-%d" % tid]},
    }


def _key(item):
    return {"pk": item["pk"], "sk": item["sk"]}


def _normalize(item):
    """Sets are unordered in DynamoDB: compare them sorted."""
    out = {}
    for name, value in item.items():
        (tag, v), = value.items()
        out[name] = {tag: sorted(v)} if tag in ("SS", "NS", "BS") else value
    return out


def _writer(tid, url, stop, acked, failures):
    session = Conn(url)
    seq = 0   # next unused key number of this writer
    ops = 0
    deadline = time.monotonic() + WRITE_DEADLINE
    try:
        while not stop.is_set() and time.monotonic() < deadline:
            ops += 1
            try:
                if ops % 5 == 0:  # every fifth request a BatchWriteItem, the others PutItem
                    items = [_item(tid, seq + i, "BatchWriteItem") for i in range(BATCH)]
                    seq += BATCH
                    status, body = _post(session, "BatchWriteItem", {
                        "RequestItems": {TABLE: [{"PutRequest": {"Item": it}} for it in items]}})
                    if status == 200:
                        unprocessed = {json.dumps(_key(r["PutRequest"]["Item"]), sort_keys=True)
                                       for r in (body.get("UnprocessedItems") or {}).get(TABLE, [])}
                        acked.extend(it for it in items
                                     if json.dumps(_key(it), sort_keys=True) not in unprocessed)
                    else:
                        failures.append(("BatchWriteItem", status, body))
                else:
                    it = _item(tid, seq)
                    seq += 1
                    status, body = _post(session, "PutItem", {"TableName": TABLE, "Item": it})
                    if status == 200:
                        acked.append(it)
                    else:
                        failures.append(("PutItem", status, body))
            except CONN_ERRORS:
                # the server is gone (killed): this write was never acknowledged; stop writing
                break
    finally:
        session.close()


def _verify(url, items, missing, wrong, errors):
    session = Conn(url)
    try:
        for it in items:
            try:
                status, body = _post(session, "GetItem",
                                     {"TableName": TABLE, "Key": _key(it), "ConsistentRead": True})
            except CONN_ERRORS as e:
                errors.append(repr(e))
                session.close()
                session = Conn(url)
                continue
            if status != 200:
                errors.append((status, body))
            elif "Item" not in body:
                missing.append(it["pk"]["S"])
            elif _normalize(body["Item"]) != _normalize(it):
                wrong.append((it, body["Item"]))
    finally:
        session.close()


@pytest.mark.parametrize("durability", ["sync", "relaxed"])
def test_acknowledged_writes_survive_sigkill(durability, tmp_path):
    if not BASALT_BIN.exists():
        pytest.fail("basalt binary not found at %s (set BASALT_BIN)" % BASALT_BIN)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    log_path = tmp_path / "basalt.log"
    servers = []
    try:
        # ---- first life: create the table, load it, SIGKILL mid-load
        first = Server(data_dir, durability, log_path)
        servers.append(first)
        session = Conn(first.url)
        status, body = _post(session, "CreateTable", {
            "TableName": TABLE,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                          {"AttributeName": "sk", "KeyType": "RANGE"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "sk", "AttributeType": "N"}],
            "BillingMode": "PAY_PER_REQUEST",
        })
        assert status == 200, body
        session.close()

        stop = threading.Event()
        acked, failures = [], []   # list.append/extend are atomic under the GIL
        writers = kill_under_load(first, lambda t: _writer(t, first.url, stop, acked, failures), WRITERS, stop)
        acked_before_kill = len(acked)  # nothing is acknowledged after the kill
        assert not any(w.is_alive() for w in writers), "a writer thread hung after the server was killed"
        assert not failures, "non-200 answers during the load: %r" % failures[:5]
        assert acked_before_kill > 0, "no write was acknowledged before the kill; log:\n" + first.log()

        # ---- second life: same data dir; the table and every acknowledged item must be there
        second = Server(data_dir, durability, log_path)
        servers.append(second)
        session = Conn(second.url)
        status, body = _post(session, "DescribeTable", {"TableName": TABLE})
        assert status == 200, "table lost after SIGKILL + restart: %s %s\nlog:\n%s" % (status, body, second.log())
        assert body["Table"]["TableStatus"] == "ACTIVE"
        assert [k["AttributeName"] for k in body["Table"]["KeySchema"]] == ["pk", "sk"]
        status, body = _post(session, "ListTables", {})
        assert status == 200 and TABLE in body["TableNames"], body

        items = list(acked)
        missing, wrong, errors = [], [], []
        chunks = [items[i::VERIFY_THREADS] for i in range(VERIFY_THREADS)]
        verifiers = [threading.Thread(target=_verify, args=(second.url, c, missing, wrong, errors), daemon=True)
                     for c in chunks]
        for v in verifiers:
            v.start()
        for v in verifiers:
            v.join(timeout=60)
        assert not errors, "GetItem errors after restart: %r" % errors[:5]
        assert not missing, "%d of %d acknowledged writes lost (%s), e.g. %s" % (
            len(missing), len(items), durability, missing[:10])
        assert not wrong, "%d items differ after restart, e.g. %r" % (len(wrong), wrong[:2])

        # ---- the restarted server still takes writes
        it = _item(99, 0)
        status, body = _post(session, "PutItem", {"TableName": TABLE, "Item": it})
        assert status == 200, body
        status, body = _post(session, "GetItem",
                             {"TableName": TABLE, "Key": _key(it), "ConsistentRead": True})
        assert status == 200 and _normalize(body.get("Item", {})) == _normalize(it), body
        session.close()
        batched = sum(1 for it in items if it["via"]["S"] == "BatchWriteItem")
        print("%s: %d acknowledged writes (%d by BatchWriteItem), all present after SIGKILL + restart" % (
            durability, len(items), batched))
    finally:
        for s in servers:
            try:
                s.stop()
            except Exception:
                s.kill()
