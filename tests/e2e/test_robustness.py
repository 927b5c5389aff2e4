"""Bad clients and bad bytes: every one gets an error or a closed connection,
and the server keeps answering everyone else."""

import json
import socket
import time
import urllib.parse

import pytest

from conftest import AUTH_HEADER, raw_call

pytestmark = pytest.mark.basalt_only


def _addr(endpoint):
    u = urllib.parse.urlparse(endpoint)
    return u.hostname, u.port


def _request(op, body, extra_headers=""):
    return (
        "POST / HTTP/1.1\r\nHost: localhost\r\nX-Amz-Target: DynamoDB_20120810.%s\r\n"
        "Content-Type: application/x-amz-json-1.0\r\nAuthorization: %s\r\n%s"
        "Content-Length: %d\r\n\r\n" % (op, AUTH_HEADER, extra_headers, len(body))
    ).encode() + body


def _read_response(sock, timeout=5):
    sock.settimeout(timeout)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    return head + b"\r\n\r\n" + rest


def _healthy(endpoint):
    status, body, _ = raw_call(endpoint, "ListTables", {})
    return status == 200 and "TableNames" in body


def test_body_over_16_mib_is_refused_before_it_is_sent(endpoint):
    host, port = _addr(endpoint)
    with socket.create_connection((host, port)) as s:
        head = (
            "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.PutItem\r\nAuthorization: %s\r\n"
            "Content-Length: %d\r\n\r\n" % (AUTH_HEADER, 16 * 1024 * 1024 + 1)
        )
        s.sendall(head.encode())  # no body at all: the answer must come from the header alone
        resp = _read_response(s)
    assert resp.startswith(b"HTTP/1.1 413"), resp[:200]
    assert _healthy(endpoint)


def test_body_of_exactly_16_mib_is_read_and_answered(endpoint):
    host, port = _addr(endpoint)
    body = b'{"TableName":"nosuchtable","Pad":"' + b"x" * (16 * 1024 * 1024 - 40) + b'"}'
    assert len(body) <= 16 * 1024 * 1024
    with socket.create_connection((host, port)) as s:
        s.sendall(_request("DescribeTable", body))
        resp = _read_response(s, timeout=30)
    assert resp.startswith(b"HTTP/1.1 400"), resp[:200]
    assert b"ResourceNotFoundException" in resp


def test_client_that_disconnects_mid_body_does_not_hurt_the_server(endpoint):
    host, port = _addr(endpoint)
    for _ in range(20):
        s = socket.create_connection((host, port))
        full = _request("PutItem", b'{"TableName":"x","Item":{"pk":{"S":"' + b"a" * 1000 + b'"}}}')
        s.sendall(full[: len(full) // 2])
        s.close()
    assert _healthy(endpoint)


def test_slow_client_does_not_block_others(endpoint):
    host, port = _addr(endpoint)
    slow = socket.create_connection((host, port))
    try:
        slow.sendall(b"POST / HTTP/1.1\r\nHost: x\r\n")  # and then nothing
        start = time.time()
        assert _healthy(endpoint)
        assert time.time() - start < 2
    finally:
        slow.close()


def test_a_thousand_idle_connections_leave_the_server_responsive(endpoint):
    host, port = _addr(endpoint)
    idle = []
    try:
        for _ in range(1000):
            idle.append(socket.create_connection((host, port)))
        start = time.time()
        for _ in range(5):
            assert _healthy(endpoint)
        assert time.time() - start < 5
    finally:
        for s in idle:
            s.close()
    assert _healthy(endpoint)


def test_garbage_http_gets_400_and_a_closed_connection(endpoint):
    host, port = _addr(endpoint)
    with socket.create_connection((host, port)) as s:
        s.sendall(b"\x16\x03\x01\x02\x00garbage that is not http\r\n\r\n")
        resp = _read_response(s)
    assert resp.startswith(b"HTTP/1.1 400") or resp == b""
    assert _healthy(endpoint)


@pytest.mark.parametrize("body", [
    b'{"TableName": "abc"',             # truncated
    b'{"TableName": "ab\xff\xfe"}',     # invalid UTF-8
    b'{"TableName": }',                 # malformed
    b"[" * 100000 + b"]" * 100000,     # deep nesting
    b"[" * 1024 + b"]" * 1024,         # the deepest the router parses recursively
    b"[" * 1025 + b"]" * 1025,         # and one deeper, parsed iteratively
    b"",                                # empty
    b'{"a":1} {"b":2}',                 # two documents
])
def test_malformed_bodies_are_serialization_errors(endpoint, body):
    host, port = _addr(endpoint)
    with socket.create_connection((host, port)) as s:
        s.sendall(_request("DescribeTable", body))
        resp = _read_response(s)
    assert resp.startswith(b"HTTP/1.1 400"), resp[:300]
    payload = json.loads(resp.partition(b"\r\n\r\n")[2])
    assert payload["__type"] == "com.amazon.coral.service#SerializationException"


def test_keep_alive_serves_many_requests_on_one_connection(endpoint):
    host, port = _addr(endpoint)
    with socket.create_connection((host, port)) as s:
        for _ in range(50):
            s.sendall(_request("ListTables", b"{}"))
            resp = _read_response(s)
            assert resp.startswith(b"HTTP/1.1 200"), resp[:200]


def test_expect_100_continue_is_honoured(endpoint):
    host, port = _addr(endpoint)
    body = b"{}"
    with socket.create_connection((host, port)) as s:
        head = _request("ListTables", body, "Expect: 100-continue\r\n")[: -len(body)]
        s.sendall(head)
        s.settimeout(5)
        interim = s.recv(4096)
        assert interim.startswith(b"HTTP/1.1 100"), interim
        s.sendall(body)
        resp = interim.partition(b"\r\n\r\n")[2] or _read_response(s)
        if not resp.startswith(b"HTTP/1.1 200"):
            resp = _read_response(s)
        assert resp.startswith(b"HTTP/1.1 200"), resp[:200]
