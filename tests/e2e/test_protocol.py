"""Wire protocol: routing on X-Amz-Target, JSON errors, auth, headers, connections."""

import http.client
import json
import threading
import urllib.parse
import zlib

import boto3
import botocore.exceptions
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config

from conftest import AUTH_HEADER, MESSAGE_KEY, REGION, assert_client_error, assert_error, expected, unique

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
