"""Hostile clients and long runs (issue 22): what a client can hold is bounded, and deleted tables give their
space back.

Each test starts its own Basalt (the `private_server` fixture: 127.0.0.1, stopped by PID, also on failure),
often with a low descriptor limit (prlimit) or shortened timeouts. One test per finding of the issue:

  1. descriptors exhausted: no busy accept loop, waiting clients refused at once, over-limit connections get a 503
  2. silent, slowloris, idle keep-alive and stalled-body connections are closed within the timeouts
  3. bodies in flight stay within the memory budget, and the memory goes back after them
  5. a deleted table's space is reclaimed while running, on disk and in memory
  6. HTTP-level errors come in DynamoDB's JSON shape

The heaviest checks (7,000 attacking connections, 80 bodies of 16 MiB, 200k items) run only with
BASALT_SLOW_TESTS=1; the rest take about a minute together.
"""

import http.client
import json
import os
import pathlib
import resource
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import pytest

from conftest import AUTH_HEADER, make_client

pytestmark = pytest.mark.basalt_only

SLOW = os.environ.get("BASALT_SLOW_TESTS") == "1"
slow = pytest.mark.skipif(not SLOW, reason="heavy; set BASALT_SLOW_TESTS=1 to run")
MIB = 1024 * 1024
HOSTILE = pathlib.Path(__file__).resolve().parent / "hostile.py"


# --------------------------------------------------------------------------- process figures

def rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def fd_count(pid):
    return len(os.listdir("/proc/%d/fd" % pid))


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def disk_bytes(path):
    """Bytes of disk a directory takes (allocated blocks, as du counts them)."""
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total


def wait_until(predicate, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def raise_fd_limit(wanted):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
        except (ValueError, OSError):
            pass
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        pytest.skip("needs %d descriptors in the test process, has %d" % (wanted, soft))


# --------------------------------------------------------------------------- raw HTTP

def addr(url):
    host, port = url.split("://", 1)[1].rsplit(":", 1)
    return host, int(port)


def request_bytes(op, body, extra=""):
    return ("POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.%s\r\n"
            "Content-Type: application/x-amz-json-1.0\r\nAuthorization: %s\r\n%sContent-Length: %d\r\n\r\n"
            % (op, AUTH_HEADER, extra, len(body))).encode() + body


def read_response(sock, timeout=5):
    """(status, {header: value}, body) of one response; None if the server closed or reset without one.
    Raises socket.timeout when nothing came in time."""
    sock.settimeout(timeout)
    data = b""
    try:
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                return None
            data += chunk
    except ConnectionResetError:
        return None
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        rest += chunk
    return int(lines[0].split()[1]), headers, rest


def dynamo_error(resp):
    """The `__type` suffix of a DynamoDB-shaped error response, checking the shape on the way."""
    status, headers, body = resp
    assert headers.get("content-type") == "application/x-amz-json-1.0", resp
    payload = json.loads(body)
    assert set(payload) == {"__type", "message"} and payload["message"], payload
    return payload["__type"].rsplit("#", 1)[-1]


def healthy(url):
    try:
        with socket.create_connection(addr(url), timeout=5) as s:
            s.sendall(request_bytes("ListTables", b"{}"))
            resp = read_response(s)
        return resp is not None and resp[0] == 200
    except OSError:
        return False


def wait_closed(socks, timeout):
    """Reads and drops what the server sends until each socket is closed by the server (EOF or reset) or
    `timeout` passes. Returns {socket: seconds until closed}; sockets still open are missing."""
    start = time.monotonic()
    closed = {}
    poller = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        poller.register(fd, select.POLLIN)
    while len(closed) < len(socks) and time.monotonic() - start < timeout:
        for fd, _ in poller.poll(100):
            s = by_fd[fd]
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:
                closed[s] = time.monotonic() - start
                poller.unregister(fd)
    return closed


# --------------------------------------------------------------------------- 1. descriptors

def test_out_of_descriptors_the_accept_loop_backs_off_and_waiting_clients_are_refused(private_server):
    # A connection limit above the descriptor limit, so that accept itself runs out of descriptors.
    server = private_server("--in-memory", "--max-connections", "100000", nofile=64)
    host_port = addr(server.url)
    held = []
    try:
        for _ in range(80):  # more than the server can hold: the last ones wait in the backlog
            held.append(socket.create_connection(host_port, timeout=5))
        time.sleep(1)
        cpu0 = cpu_seconds(server.pid)
        time.sleep(2)
        cpu = cpu_seconds(server.pid) - cpu0
        # Before: the accept loop spun on EMFILE, a whole core (~2 s of CPU in 2 s).
        assert cpu < 0.4, "server used %.2f s of CPU in 2 s while out of descriptors" % cpu

        # A new client hears at once instead of waiting for its timeout.
        with socket.create_connection(host_port, timeout=5) as s:
            s.sendall(request_bytes("ListTables", b"{}"))
            start = time.monotonic()
            resp = read_response(s, timeout=3)
            assert time.monotonic() - start < 2
        if resp is not None:
            assert resp[0] == 503 and dynamo_error(resp) == "ServiceUnavailable", resp
        # The condition is logged, but not once per failed accept.
        lines = [l for l in server.log_text().splitlines() if "accept failed" in l]
        assert 1 <= len(lines) <= 2, lines
    finally:
        for s in held:
            s.close()
    assert wait_until(lambda: healthy(server.url), 10)


def test_connections_beyond_the_limit_get_a_503_in_dynamodbs_shape(private_server):
    # With 256 descriptors, the default limit leaves a share for storage and the process: connections are
    # refused before the server runs out of descriptors (before: accepted until accept failed, then left
    # waiting in the backlog).
    server = private_server("--in-memory", nofile=256)
    host_port = addr(server.url)
    held = []
    try:
        resp = None
        while len(held) < 300:
            s = socket.create_connection(host_port, timeout=5)
            s.sendall(request_bytes("ListTables", b"{}"))
            try:
                resp = read_response(s, timeout=3)
            except socket.timeout:
                resp = "timeout"
            if resp is None or resp == "timeout" or resp[0] != 200:
                s.close()
                break
            held.append(s)  # kept alive
        assert resp is not None and resp != "timeout", "connection %d: no answer" % (len(held) + 1)
        assert resp[0] == 503 and dynamo_error(resp) == "ServiceUnavailable", resp
        assert 50 <= len(held) <= 200, len(held)
        assert str(len(held)) in next(l for l in server.log_text().splitlines() if "limits:" in l)
        for _ in range(20):
            with socket.create_connection(host_port, timeout=5) as s:
                s.sendall(request_bytes("ListTables", b"{}"))
                resp = read_response(s, timeout=3)
            assert resp is not None, "refused without a response"
            assert resp[0] == 503 and dynamo_error(resp) == "ServiceUnavailable", resp
        # Refusals cost no descriptor: the server stays clear of its limit.
        assert fd_count(server.pid) < 256 - 40
        # The connections within the limit are still served.
        held[0].sendall(request_bytes("ListTables", b"{}"))
        assert read_response(held[0])[0] == 200
    finally:
        for s in held:
            s.close()
    assert wait_until(lambda: healthy(server.url), 10)


# --------------------------------------------------------------------------- 2. timeouts

def _trickle(socks, stop, interval=0.5):
    """Slowloris: a header line now and then, never the end of the headers."""
    for s in socks:
        try:
            s.sendall(b"POST / HTTP/1.1\r\n")
        except OSError:
            pass
    while not stop.is_set():
        for s in socks:
            try:
                s.sendall(b"X-Slow: 1\r\n")
            except OSError:
                pass
        stop.wait(interval)


def test_silent_slow_idle_and_stalled_connections_are_closed_within_the_timeouts(private_server):
    server = private_server("--in-memory", "--header-timeout", "2", "--idle-timeout", "3", "--body-timeout", "2")
    host_port = addr(server.url)
    baseline_fds = fd_count(server.pid)
    silent = [socket.create_connection(host_port) for _ in range(20)]
    slow_headers = [socket.create_connection(host_port) for _ in range(20)]
    idle = [socket.create_connection(host_port) for _ in range(20)]
    stalled = [socket.create_connection(host_port) for _ in range(20)]
    stop = threading.Event()
    trickler = threading.Thread(target=_trickle, args=(slow_headers, stop), daemon=True)
    try:
        for s in idle:
            s.sendall(request_bytes("ListTables", b"{}"))
            assert read_response(s)[0] == 200
        for s in stalled:
            s.sendall(request_bytes("PutItem", b"x" * 1000)[:-990])
        trickler.start()
        closed = wait_closed(silent + slow_headers + idle + stalled, timeout=8)
        for name, group, limit in (("silent", silent, 2), ("slowloris", slow_headers, 2), ("idle", idle, 3),
                                   ("stalled body", stalled, 2)):
            times = [closed.get(s) for s in group]
            assert None not in times, "%s connections left open: %d" % (name, times.count(None))
            assert max(times) < limit + 1.5, (name, max(times))
        assert wait_until(lambda: fd_count(server.pid) <= baseline_fds, 3), fd_count(server.pid)
    finally:
        stop.set()
        for s in silent + slow_headers + idle + stalled:
            s.close()
    assert healthy(server.url)


def _normal_client_latencies(url, n):
    host, port = addr(url)
    conn = http.client.HTTPConnection(host, port, timeout=10)
    body = json.dumps({"TableName": "normal", "Key": {"pk": {"S": "k"}}})
    headers = {"Content-Type": "application/x-amz-json-1.0", "Authorization": AUTH_HEADER,
               "X-Amz-Target": "DynamoDB_20120810.GetItem"}
    latencies = []
    for _ in range(n):
        start = time.perf_counter()
        conn.request("POST", "/", body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        latencies.append(time.perf_counter() - start)
        assert resp.status == 200
    conn.close()
    latencies.sort()
    return latencies


def _p99(latencies):
    return latencies[int(len(latencies) * 0.99) - 1]


def _p99_of_runs(url, runs=7, n=400):
    """The best of `runs` p99s of `n` requests each. The machine is shared (2 cores, other jobs' builds):
    a single p99 swung between 0.17 and 4 ms with no attack at all, while a slowdown caused by the attack
    would show in every run, the best included."""
    return min(_p99(_normal_client_latencies(url, n)) for _ in range(runs))


@slow
def test_2000_slowloris_and_5000_idle_connections_leave_a_normal_client_fast(private_server):
    header_timeout = 30
    server = private_server("--in-memory", "--header-timeout", str(header_timeout), "--idle-timeout", "30")
    ddb = make_client(server.url)
    ddb.create_table(TableName="normal", KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName="normal", Item={"pk": {"S": "k"}, "v": {"S": "x" * 100}})
    _normal_client_latencies(server.url, 200)  # warm up
    unloaded = _p99_of_runs(server.url)
    baseline_fds = fd_count(server.pid)

    # The attackers run in their own process, so that they do not hold this interpreter's lock.
    attack = subprocess.Popen([sys.executable, str(HOSTILE), "hold", server.url, "--idle", "5000",
                               "--slowloris", "2000", "--interval", "5"], stdout=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        assert attack.stdout.readline().startswith("ready 7000")
        # (A few descriptors of the warm-up's connections may still be closing: some slack.)
        assert wait_until(lambda: fd_count(server.pid) >= baseline_fds + 6990, 15), fd_count(server.pid)
        loaded = _p99_of_runs(server.url)
        assert fd_count(server.pid) >= baseline_fds + 6990, "attackers were closed during the measurement"
        print("normal client p99: unloaded %.2f ms, under 2,000 slowloris and 5,000 idle connections %.2f ms" % (
            unloaded * 1e3, loaded * 1e3))
        assert loaded <= 2 * unloaded, (unloaded, loaded)

        # The attackers stop (and keep their sockets): the server closes every one within the header timeout.
        attack.send_signal(signal.SIGUSR1)
        assert wait_until(lambda: fd_count(server.pid) <= baseline_fds, header_timeout + 5 - (time.monotonic() - started)), \
            "%d descriptors open, %d before the attack" % (fd_count(server.pid), baseline_fds)
        print("every attacker closed %.1f s after the attack began (header timeout %d s)" % (
            time.monotonic() - started, header_timeout))
    finally:
        attack.kill()
        attack.wait()


# --------------------------------------------------------------------------- 3. memory

def _flood(url, connections, body_bytes):
    """`connections` clients each send a DescribeTable of `body_bytes` at once; returns their outcomes."""
    pad = body_bytes - len(b'{"TableName":"nosuchtable","Pad":""}')
    body = b'{"TableName":"nosuchtable","Pad":"' + b"x" * pad + b'"}'
    assert len(body) == body_bytes
    payload = request_bytes("DescribeTable", body)
    outcomes = [None] * connections

    def client(i):
        try:
            with socket.create_connection(addr(url), timeout=60) as s:
                s.sendall(payload)
                resp = read_response(s, timeout=60)
            outcomes[i] = "closed" if resp is None else dynamo_error(resp)
        except OSError as e:
            outcomes[i] = "reset: %s" % e

    threads = [threading.Thread(target=client, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return outcomes


def _check_flood(private_server, budget_mib, connections):
    args = ["--in-memory"] + (["--memory-budget", str(budget_mib)] if budget_mib != 256 else [])
    server = private_server(*args)
    baseline = rss_mb(server.pid)
    peak = [baseline]
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mb(server.pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        outcomes = _flood(server.url, connections, 16 * MIB - 1)
    finally:
        stop.set()
        sampler.join()
    print("RSS: %.0f MB before, %.0f MB at most during %d bodies of 16 MiB (budget %d MiB); outcomes %s" % (
        baseline, peak[0], connections, budget_mib,
        {o: outcomes.count(o) for o in set(outcomes)}))
    assert peak[0] < budget_mib + 100, peak[0]
    assert "ResourceNotFoundException" in outcomes  # some were served...
    assert set(outcomes) <= {"ResourceNotFoundException", "ThrottlingException"}, outcomes  # ...the rest throttled
    start = time.monotonic()
    assert wait_until(lambda: rss_mb(server.pid) < baseline + 48, 60, interval=1), (baseline, rss_mb(server.pid))
    print("RSS back to %.0f MB after %.1f s" % (rss_mb(server.pid), time.monotonic() - start))
    assert healthy(server.url)


def test_bodies_in_flight_stay_within_the_memory_budget_and_their_memory_goes_back(private_server):
    # Before: each connection could buffer 16 MiB, with no overall cap, and nothing went back.
    _check_flood(private_server, budget_mib=64, connections=24)


@slow
def test_80_bodies_of_16_mib_stay_within_the_default_budget(private_server):
    _check_flood(private_server, budget_mib=256, connections=80)


# --------------------------------------------------------------------------- 5. reclamation

def _load(ddb, table, items):
    ddb.create_table(TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    for i in range(0, items, 25):
        pad = os.urandom(500).hex()  # 1 KB that does not compress
        ddb.batch_write_item(RequestItems={table: [
            {"PutRequest": {"Item": {"pk": {"S": "k%d" % j}, "v": {"S": pad}}}} for j in range(i, min(i + 25, items))]})


def _check_disk_reclamation(private_server, items):
    data_dir = tempfile.mkdtemp(prefix="basalt-reclaim-")
    try:
        server = private_server("--data-dir", os.path.join(data_dir, "data"), "--durability", "relaxed")
        empty = disk_bytes(data_dir)
        ddb = make_client(server.url)
        _load(ddb, "reclaimed", items)
        loaded = disk_bytes(data_dir)
        ddb.delete_table(TableName="reclaimed")
        start = time.monotonic()
        ok = wait_until(lambda: disk_bytes(data_dir) <= empty * 1.1, 60, interval=0.5)
        print("data directory: %.1f MB empty, %.1f MB with %d items, %.1f MB %.1f s after DeleteTable" % (
            empty / 1e6, loaded / 1e6, items, disk_bytes(data_dir) / 1e6, time.monotonic() - start))
        assert loaded > empty * 3
        assert ok, "data directory still %d bytes (empty: %d)" % (disk_bytes(data_dir), empty)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def test_a_deleted_tables_space_on_disk_is_reclaimed_within_a_minute(private_server):
    # Before: the space stayed until a restart (236 MB for 5 minutes in the issue).
    _check_disk_reclamation(private_server, 30000)


@slow
def test_200k_items_of_1_kb_are_reclaimed_within_a_minute(private_server):
    _check_disk_reclamation(private_server, 200000)


def _check_memory_cycles(private_server, items, cycles=10):
    server = private_server("--in-memory")
    ddb = make_client(server.url)
    after = []
    for cycle in range(cycles):
        table = "cycle_%s" % uuid.uuid4().hex[:8]
        _load(ddb, table, items)
        ddb.delete_table(TableName=table)
        # Reclamation takes a moment; then RSS settles.
        last = [rss_mb(server.pid)]

        def settled():
            now = rss_mb(server.pid)
            done = now >= last[0] - 1
            last[0] = now
            return done

        time.sleep(1)
        wait_until(settled, 15, interval=1)
        after.append(rss_mb(server.pid))
    print("in-memory RSS after each of %d load-and-delete cycles of %d items: %s MB" % (
        cycles, items, ", ".join("%.0f" % r for r in after)))
    # Before: RSS grew with every cycle (196 MB to ~760 MB in the issue).
    assert after[-1] <= after[0] * 1.2, after


def test_in_memory_load_and_delete_cycles_keep_rss_flat(private_server):
    _check_memory_cycles(private_server, 12000)


@slow
def test_in_memory_cycles_of_50k_items_keep_rss_flat(private_server):
    _check_memory_cycles(private_server, 50000)


# --------------------------------------------------------------------------- 6. HTTP-level errors

@pytest.mark.parametrize("raw, why", [
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\n", "bad Content-Length"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", "two Content-Lengths"),
    (b"POST / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 70000 + b"\r\n\r\n", "oversized headers"),
    (b"POST /" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", "oversized request line"),
    (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "HTTP/2 preface"),
    (b"\x16\x03\x01\x02\x00garbage that is not http\r\n\r\n", "TLS hello"),
])
def test_http_level_errors_are_answered_in_dynamodbs_json_shape(endpoint, raw, why):
    with socket.create_connection(addr(endpoint), timeout=5) as s:
        s.sendall(raw)
        resp = read_response(s)
    assert resp is not None, why
    assert resp[0] == 400, (why, resp)
    assert dynamo_error(resp) == "SerializationException", (why, resp)
    assert resp[1].get("connection") == "close"
    assert healthy(endpoint)


def test_a_malformed_request_line_is_answered_before_the_rest_of_the_head(endpoint):
    """The line arrives alone, then one header and no end of head: the 400 comes at once, not at
    the header timeout (10 s) when the connection would be closed without an answer."""
    with socket.create_connection(addr(endpoint), timeout=5) as s:
        s.sendall(b"GET  / HTTP/1.1\r\n")
        time.sleep(0.2)
        s.sendall(b"Host: x\r\n")
        resp = read_response(s, timeout=3)
    assert resp is not None and resp[0] == 400, resp
    assert dynamo_error(resp) == "SerializationException", resp
    assert healthy(endpoint)


def test_a_body_over_16_mib_is_refused_in_dynamodbs_json_shape(endpoint):
    with socket.create_connection(addr(endpoint), timeout=5) as s:
        s.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (16 * MIB + 1))
        resp = read_response(s)
    assert resp[0] == 413 and dynamo_error(resp) == "RequestEntityTooLargeException", resp
