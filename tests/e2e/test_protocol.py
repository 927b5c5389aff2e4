"""Wire protocol: routing on X-Amz-Target, JSON errors, auth, headers, connections."""

import email.utils
import http.client
import json
import re
import socket
import threading
import time
import urllib.parse
import zlib

import boto3
import botocore.exceptions
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config

from conftest import (AUTH_HEADER, MESSAGE_KEY, REGION, assert_client_error, assert_error, expected, raw_call,
                      unique)

UNKNOWN_OP_MSG = "An unknown operation was requested."
MISSING_AUTH_TYPE = expected("com.amazon.coral.service#MissingAuthenticationTokenException",
                             "com.amazonaws.dynamodb.v20120810#MissingAuthenticationToken")
MISSING_AUTH_CODE = MISSING_AUTH_TYPE.rsplit("#", 1)[-1]
MISSING_AUTH_MSG = expected("Request is missing Authentication Token",
                            "Request must contain either a valid (registered) AWS access key ID or X.509 certificate.")


def test_list_tables_ok(raw):
    res = raw("ListTables", {})
    assert res.status == 200
    assert isinstance(res.body["TableNames"], list)


def test_boto3_round_trip(ddb, table_h, key):
    ddb.put_item(TableName=table_h, Item={"pk": {"S": key}, "v": {"S": "x"}})
    assert ddb.get_item(TableName=table_h, Key={"pk": {"S": key}})["Item"] == {"pk": {"S": key}, "v": {"S": "x"}}


@pytest.mark.parametrize("op", ["Foo", "listTables", "DescribeTables", "ListTable", "Scan2"])
def test_unknown_operation(raw, op):
    res = raw(op, {})
    assert_error(res, "UnknownOperationException", UNKNOWN_OP_MSG)


@pytest.mark.local_differs("Local answers 500 InternalFailure when X-Amz-Target is missing")
def test_missing_target_is_client_error(raw):
    res = raw(None, {})
    assert res.status == 400
    assert res.code == "UnknownOperationException"


def test_missing_target_is_an_error(raw):
    res = raw(None, {})
    assert res.status in (400, 500)
    assert "__type" in res.body


MALFORMED_BODIES = {
    "garbage": "{bad",
    "truncated": '{"Limit": 1',
    "empty": "",
    "not_object_array": "[]",
    "not_object_null": "null",
    "trailing_garbage": '{"Limit": 1} x',
}


@pytest.mark.local_differs("Local answers 500 InternalFailure instead of 400 SerializationException")
@pytest.mark.parametrize("body", list(MALFORMED_BODIES.values()), ids=list(MALFORMED_BODIES))
def test_malformed_json_is_serialization_exception(raw, body):
    res = raw("ListTables", body)
    assert res.status == 400
    assert res.body["__type"] == "com.amazon.coral.service#SerializationException"


INVALID_UTF8 = {
    "lone_continuation": b"\x80",
    "overlong": b"\xc0\xaf",
    "surrogate": b"\xed\xa0\x80",
    "above_u10ffff": b"\xf4\x90\x80\x80",
    "cut_short": b"\xe2\x82",
}


# Strings must be UTF-8. The router checks a whole body at once and lets the JSON parser check
# strings only where that fails, so the bad sequence also comes after a long ASCII run.
@pytest.mark.local_differs("Local answers 500 InternalFailure for a lone continuation byte or a cut-short "
                           "sequence, and reads the other three as characters (then ValidationException)")
@pytest.mark.parametrize("seq", list(INVALID_UTF8.values()), ids=list(INVALID_UTF8))
@pytest.mark.parametrize("before", [b"", b"t" * 40])
def test_invalid_utf8_in_a_string_is_serialization_exception(raw, seq, before):
    res = raw("ListTables", b'{"ExclusiveStartTableName": "' + before + seq + b'"}')
    assert res.status == 400
    assert res.body["__type"] == "com.amazon.coral.service#SerializationException"


@pytest.mark.parametrize("body", ["{bad", '{"Limit": 1', ""], ids=["garbage", "truncated", "empty"])
def test_malformed_json_is_rejected(raw, body):
    res = raw("ListTables", body)
    assert res.status in (400, 500)
    assert res.body is not None and "__type" in res.body


WRONG_TYPES = [
    ("ListTables", {"Limit": "x"}),
    ("ListTables", {"Limit": True}),
    ("DescribeTable", {"TableName": 5}),
    ("DescribeTable", {"TableName": ["t_x"]}),
    ("GetItem", {"TableName": "t_x", "Key": []}),
    ("GetItem", {"TableName": "t_x", "Key": {"pk": {"S": "a"}}, "ConsistentRead": "yes"}),
    ("PutItem", {"TableName": "t_x", "Item": "x"}),
    ("PutItem", {"TableName": "t_x", "Item": {"pk": "x"}}),
    ("CreateTable", {"TableName": "t_x", "KeySchema": {"AttributeName": "pk"}}),
]


@pytest.mark.local_differs("Local coerces some mistyped members and answers 500 InternalFailure for others")
@pytest.mark.parametrize("op,body", WRONG_TYPES, ids=[f"{o}-{i}" for i, (o, _) in enumerate(WRONG_TYPES)])
def test_wrong_json_type_is_serialization_exception(raw, op, body):
    res = raw(op, body)
    assert res.status == 400
    assert res.body["__type"] == "com.amazon.coral.service#SerializationException"


def test_unknown_members_are_ignored(raw):
    res = raw("ListTables", {"Bogus": 1, "AlsoBogus": {"x": [1, 2]}})
    assert res.status == 200
    assert "TableNames" in res.body


def test_missing_authorization(raw):
    res = raw("ListTables", {}, headers={"Authorization": None})
    assert_error(res, MISSING_AUTH_CODE, MISSING_AUTH_MSG)
    assert res.body["__type"] == MISSING_AUTH_TYPE


def test_missing_authorization_before_operation_dispatch(raw, table_h):
    res = raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": unique()}}}, headers={"Authorization": None})
    assert_error(res, MISSING_AUTH_CODE, MISSING_AUTH_MSG)


def test_missing_authorization_boto3(endpoint):
    client = boto3.client("dynamodb", endpoint_url=endpoint, region_name=REGION,
                          config=Config(signature_version=UNSIGNED, retries={"total_max_attempts": 1}))
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        client.list_tables()
    assert_client_error(ei, MISSING_AUTH_CODE, MISSING_AUTH_MSG)


def test_error_type_namespaces(raw):
    res = raw("DescribeTable", {"TableName": "no_such_table_" + unique()})
    assert res.body["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"
    res = raw("ListTables", {"Limit": 0})
    assert res.body["__type"] == "com.amazon.coral.validate#ValidationException"
    res = raw("Foo", {})
    assert res.body["__type"].endswith("#UnknownOperationException")


def test_error_body_has_only_type_and_message(raw):
    res = raw("ListTables", {"Limit": 0})
    assert set(res.body) == {"__type", MESSAGE_KEY}


@pytest.mark.basalt_only
def test_health_check_get_root(endpoint):
    r = requests.get(endpoint + "/", timeout=5)
    assert r.status_code == 200


def test_response_content_type(raw):
    res = raw("ListTables", {})
    assert res.headers["Content-Type"] == "application/x-amz-json-1.0"
    res = raw("ListTables", {"Limit": 0})
    assert res.headers["Content-Type"] == "application/x-amz-json-1.0"


def test_crc32_header_on_success(endpoint, http, table_h, key):
    # a body with non-ASCII text, so the CRC must be computed over the exact bytes sent
    raw_body = json.dumps({"TableName": table_h, "Item": {"pk": {"S": key}, "t": {"S": "héllo ☃"}}})
    h = {"Content-Type": "application/x-amz-json-1.0", "Authorization": AUTH_HEADER}
    r = http.post(endpoint + "/", data=raw_body.encode(), headers=dict(h, **{"X-Amz-Target": "DynamoDB_20120810.PutItem"}))
    assert r.status_code == 200
    for op, body in [("ListTables", {}), ("GetItem", {"TableName": table_h, "Key": {"pk": {"S": key}}})]:
        r = http.post(endpoint + "/", data=json.dumps(body), headers=dict(h, **{"X-Amz-Target": "DynamoDB_20120810." + op}))
        assert r.status_code == 200
        assert "x-amz-crc32" in r.headers
        assert int(r.headers["x-amz-crc32"]) == zlib.crc32(r.content)


@pytest.mark.local_differs("Local only sends x-amz-crc32 on 200 responses")
def test_crc32_header_on_error(raw):
    res = raw("DescribeTable", {"TableName": "no_such_table_" + unique()})
    assert res.status == 400
    assert "x-amz-crc32" in res.headers


def test_request_id_header(raw):
    ids = set()
    for body in ({}, {"Limit": 0}):
        res = raw("ListTables", body)
        rid = res.headers.get("x-amzn-RequestId")
        assert rid and len(rid) >= 16
        ids.add(rid)
    assert len(ids) == 2, "request ids must be unique per request"


def test_request_id_on_unknown_operation(raw):
    res = raw("Foo", {})
    assert res.headers.get("x-amzn-RequestId")


def test_boto3_exposes_request_id(ddb):
    meta = ddb.list_tables()["ResponseMetadata"]
    assert meta["HTTPStatusCode"] == 200
    assert meta["RequestId"]


def _conn(endpoint):
    u = urllib.parse.urlparse(endpoint)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=10)


def _post(conn, op, body):
    data = json.dumps(body)
    conn.request("POST", "/", body=data, headers={
        "Content-Type": "application/x-amz-json-1.0",
        "Authorization": AUTH_HEADER,
        "X-Amz-Target": "DynamoDB_20120810." + op,
    })
    resp = conn.getresponse()
    payload = resp.read()
    return resp, payload


def test_keep_alive_reuses_connection(endpoint):
    conn = _conn(endpoint)
    try:
        resp, _ = _post(conn, "ListTables", {})
        assert resp.status == 200
        sock = conn.sock
        assert sock is not None
        for _ in range(5):
            resp, payload = _post(conn, "ListTables", {"Limit": 1})
            assert resp.status == 200
            assert (resp.getheader("Connection") or "").lower() != "close"
            assert conn.sock is sock, "server closed a keep-alive connection"
            json.loads(payload)
    finally:
        conn.close()


def test_keep_alive_survives_error_responses(endpoint):
    conn = _conn(endpoint)
    try:
        resp, _ = _post(conn, "ListTables", {"Limit": 0})
        assert resp.status == 400
        sock = conn.sock
        resp, _ = _post(conn, "Foo", {})
        assert resp.status == 400
        resp, _ = _post(conn, "ListTables", {})
        assert resp.status == 200
        assert conn.sock is sock
    finally:
        conn.close()


def test_server_survives_bad_requests(raw):
    for body in ("{bad", "", "[]", '{"TableName": {"a": [1, {"b": null}]}}'):
        raw("PutItem", body)
    raw(None, "{}")
    assert raw("ListTables", {}).status == 200


def test_concurrent_clients(endpoint, table_h):
    errors = []

    def worker(n):
        try:
            s = requests.Session()
            h = {"Content-Type": "application/x-amz-json-1.0", "Authorization": AUTH_HEADER}
            for i in range(10):
                k = "conc-%d-%d-%s" % (n, i, unique())
                r = s.post(endpoint + "/", data=json.dumps({"TableName": table_h, "Item": {"pk": {"S": k}, "n": {"N": str(i)}}}),
                           headers=dict(h, **{"X-Amz-Target": "DynamoDB_20120810.PutItem"}), timeout=30)
                assert r.status_code == 200, r.text
                r = s.post(endpoint + "/", data=json.dumps({"TableName": table_h, "Key": {"pk": {"S": k}}, "ConsistentRead": True}),
                           headers=dict(h, **{"X-Amz-Target": "DynamoDB_20120810.GetItem"}), timeout=30)
                assert r.json()["Item"]["n"] == {"N": str(i)}
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors


# --------------------------------------------------------------------------- HTTP details (issue 14)

IMF_FIXDATE = re.compile(r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                         r"\d{4} \d\d:\d\d:\d\d GMT")


def test_date_header_on_every_response(raw):
    for res in (raw("ListTables", {}), raw("ListTables", {"Limit": 0}), raw("Foo", {})):
        date = res.headers["Date"]
        assert IMF_FIXDATE.fullmatch(date), date
        assert abs(email.utils.parsedate_to_datetime(date).timestamp() - time.time()) < 120


@pytest.mark.local_differs("Local sends Jetty's Server header, 'Jetty(12.0.31)'")
def test_server_header_is_the_services(raw):
    # DynamoDB's responses say "Server: Server" (see server/main.cc for the source).
    for res in (raw("ListTables", {}), raw("DescribeTable", {"TableName": "no_such_" + unique()})):
        assert res.headers["Server"] == "Server"


def test_get_of_another_path_is_a_request_not_the_health_check(endpoint):
    # DynamoDB Local treats a GET of any path as a request (credentials, then X-Amz-Target); Basalt too,
    # keeping its health answer for "/" alone.
    r = requests.get(endpoint + "/foo", timeout=10)
    assert r.status_code == 400
    assert r.json()["__type"] == MISSING_AUTH_TYPE
    assert r.json()[MESSAGE_KEY] == MISSING_AUTH_MSG


@pytest.mark.local_differs("Local answers 500 InternalFailure, as to any request without X-Amz-Target")
def test_get_of_another_path_with_credentials_is_an_unknown_operation(endpoint):
    r = requests.get(endpoint + "/foo/bar", headers={"Authorization": AUTH_HEADER}, timeout=10)
    assert r.status_code == 400
    assert r.json()["__type"] == "com.amazon.coral.service#UnknownOperationException"
    assert int(r.headers["x-amz-crc32"]) == zlib.crc32(r.content)


@pytest.mark.basalt_only
def test_health_check_only_at_root_with_any_query(endpoint):
    assert requests.get(endpoint + "/?probe=1", timeout=5).text.startswith("healthy: ")
    assert requests.get(endpoint + "/healthy", timeout=5).status_code == 400


def _exchange(endpoint, payload, wait=5.0):
    """Sends raw bytes on a new connection; returns (everything received, whether the server closed)."""
    u = urllib.parse.urlparse(endpoint)
    s = socket.create_connection((u.hostname, u.port), timeout=wait)
    try:
        s.sendall(payload)
        data, deadline = b"", time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                return data, False
            if not chunk:
                return data, True
            data += chunk
        return data, False
    finally:
        s.close()


def _raw_post(version, extra=b"", body=b"{}"):
    return (b"POST / HTTP/" + version + b"\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n"
            b"Content-Type: application/x-amz-json-1.0\r\nAuthorization: " + AUTH_HEADER.encode() + b"\r\n" + extra +
            b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)


def test_http10_request_is_answered_then_closed(endpoint):
    data, closed = _exchange(endpoint, _raw_post(b"1.0"))
    assert closed, data
    assert re.match(rb"HTTP/1\.[01] 200 ", data), data
    assert b'"TableNames"' in data


@pytest.mark.local_differs("Jetty answers an HTTP/1.0 request with an HTTP/1.1 status line")
def test_http10_request_gets_an_http10_response(endpoint):
    data, _ = _exchange(endpoint, _raw_post(b"1.0"))
    assert data.startswith(b"HTTP/1.0 200 OK\r\n"), data
    assert b"keep-alive" not in data.lower()


def test_http10_keep_alive_keeps_the_connection(endpoint):
    data, closed = _exchange(endpoint, _raw_post(b"1.0", b"Connection: keep-alive\r\n") * 2, wait=1.5)
    assert not closed, data
    assert len(re.findall(rb"HTTP/1\.[01] 200 ", data)) == 2, data
    assert data.lower().count(b"connection: keep-alive\r\n") == 2, data


def test_connection_close_is_honoured(endpoint):
    # The second request on the connection is never answered: the server closes after the first.
    data, closed = _exchange(endpoint, _raw_post(b"1.1", b"Connection: close\r\n") + _raw_post(b"1.1"))
    assert closed, data
    assert data.startswith(b"HTTP/1.1 200 OK\r\n"), data
    assert b"\r\nConnection: close\r\n" in data
    assert data.count(b"HTTP/1.1 ") == 1


PREFLIGHT = {"Origin": "http://app.example", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization,content-type,x-amz-date,x-amz-target,x-amz-user-agent"}


def test_preflight_is_answered_even_without_cors(endpoint):
    # As DynamoDB Local 3.3.0 does: the requested method and headers echoed, 20 days of Max-Age, an empty body,
    # and no Access-Control-Allow-Origin unless -cors allows the origin.
    r = requests.options(endpoint + "/", headers=PREFLIGHT, timeout=10)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Methods"] == "POST"
    assert r.headers["Access-Control-Allow-Headers"] == PREFLIGHT["Access-Control-Request-Headers"]
    assert r.headers["Access-Control-Max-Age"] == "1728000"
    assert "Access-Control-Allow-Origin" not in r.headers
    assert r.content == b""


def test_preflight_without_request_headers_is_a_validation_error(endpoint):
    # DynamoDB Local's answer (its words); the service has no such flag.
    headers = {k: v for k, v in PREFLIGHT.items() if k != "Access-Control-Request-Headers"}
    r = requests.options(endpoint + "/", headers=headers, timeout=10)
    assert r.status_code == 400
    assert r.json() == {"__type": "com.amazon.coral.validate#ValidationException",
                        MESSAGE_KEY: "Invalid PreFlight Headers"}


def test_no_allow_origin_without_cors(endpoint):
    res = raw_call(endpoint, "ListTables", {}, headers={"Origin": "http://app.example"})
    assert res.status == 200
    assert "Access-Control-Allow-Origin" not in res.headers


def _origin_of(url, origin, op="ListTables", body=None):
    return raw_call(url, op, body or {}, headers={"Origin": origin}).headers.get("Access-Control-Allow-Origin")


def test_cors_with_a_list_of_origins(private_server):
    # Observed on DynamoDB Local 3.3.0 with -cors "http://a.example,http://b.example": each listed origin is
    # echoed in Access-Control-Allow-Origin on successes, errors and preflights; any other gets none.
    server = private_server("--in-memory", "-cors", "http://a.example, http://b.example")
    assert _origin_of(server.url, "http://a.example") == "http://a.example"
    assert _origin_of(server.url, "http://b.example", "DescribeTable", {"TableName": "nope_" + unique()}) == \
        "http://b.example"
    assert _origin_of(server.url, "http://c.example") is None
    assert _origin_of(server.url, "http://a.example:8080") is None
    res = raw_call(server.url, "ListTables", {}, headers={"Origin": "http://a.example"})
    assert res.headers["Access-Control-Expose-Headers"] == "x-amzn-RequestId,x-amz-crc32"
    r = requests.options(server.url + "/", headers=dict(PREFLIGHT, Origin="http://b.example"), timeout=10)
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == "http://b.example"
    r = requests.options(server.url + "/", headers=dict(PREFLIGHT, Origin="http://c.example"), timeout=10)
    assert r.status_code == 200 and "Access-Control-Allow-Origin" not in r.headers


def test_cors_star_allows_every_origin(private_server):
    # DynamoDB Local's documentation: "*" allows public access. (Local 3.3.0 itself matches "*" literally,
    # so only a request whose Origin is "*" gets the header: a difference kept on purpose.)
    server = private_server("--in-memory", "-cors", "*")
    assert _origin_of(server.url, "http://anything.example") == "http://anything.example"
    assert _origin_of(server.url, "https://other.example:3000") == "https://other.example:3000"
    res = raw_call(server.url, "ListTables", {})
    assert "Access-Control-Allow-Origin" not in res.headers  # no Origin, no CORS headers
