"""DynamoDB Streams: StreamSpecification on CreateTable/UpdateTable, and the DynamoDBStreams_20120810 API (ListStreams,
DescribeStream, GetShardIterator, GetRecords) on the same endpoint.

Behaviour was taken from DynamoDB Local (see the findings notes of the Streams work). Where a message below is only
DynamoDB Local's wording and the service's could not be checked, the constant says so; where Local's behaviour is a
known bug (500s, missing Coral validation, UNKNOWN_TO_SDK_VERSION), the service's behaviour is asserted under
local_differs.
"""

import base64
import datetime
import re
import time
from decimal import Context

import pytest

from conftest import (IS_LOCAL, REGION, _drop_table, _wait_active, assert_error, constraint_errors, expected,
                      make_client, table_name, unique)

VALIDATION = "ValidationException"
NOT_FOUND = "ResourceNotFoundException"
VIEW_TYPES = ["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
STREAMS_PREFIX = "DynamoDBStreams_20120810."

ARN_REGION = expected(REGION, "ddblocal")       # Local puts "ddblocal" in ARNs and in awsRegion
LABEL_RE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}"
SEQ_RE = re.compile(r"\d{21,40}")
SHARD_RE = re.compile(r"shardId-\d{20}-[0-9a-f]{8}")
RECORD_KEYS = {"eventID", "eventName", "eventVersion", "eventSource", "awsRegion", "dynamodb"}

# DynamoDB Local's wording; the service's is believed to be the same (unverified).
NO_VIEW_TYPE = "Invalid StreamViewType: Stream ViewType must not be null or empty when enabling streams."
VIEW_TYPE_WHEN_DISABLED = "Invalid StreamViewType: Stream StreamEnabled was false but a StreamViewType was present."
ALREADY_ENABLED = "Table already has an enabled stream"
NOTHING_TO_DISABLE = "Table has no stream to disable"
LIST_LIMIT_MAX = "One or more parameter values were invalid: Limit cannot be greater than the maximum allowed size: 100"
DESCRIBE_LIMIT_MAX = "One or more parameter values were invalid: Limit cannot be greater than the maximum: 100"
RECORDS_LIMIT_MAX = "One or more parameter values were invalid: Limit should be less than or equal to 1000"
SEQ_REQUIRED = "One or more parameter values were invalid: Invalid SequenceNumber"
SEQ_NOT_ALLOWED = ("One or more parameter values were invalid: SequenceNumber should not be passed for this iterator "
                   "type")
SEQ_BEFORE_SHARD = "Invalid SequenceNumber for the shard"
SHARD_MISSING = "Shard does not exist"
STREAM_MISSING = "Stream does not exist"
INVALID_ITERATOR = "Invalid ShardIterator"

STREAM_ENABLED_NULL = expected(
    constraint_errors((None, "streamSpecification.streamEnabled", "Member must not be null")),
    "Stream StreamEnabled was null")


def limit_min(value):
    return constraint_errors((value, "limit", "Member must have value greater than or equal to 1"))


def stream_not_found(arn):
    return "Requested resource not found: Stream: %s not found" % arn


# --------------------------------------------------------------------------- item sizes (for SizeBytes)

def _number_size(s):
    ctx = Context(prec=60)
    d = ctx.create_decimal(s)
    if d == 0:
        return 1
    sign, digits, exp = d.normalize(ctx).as_tuple()
    ds = "".join(map(str, digits))
    if exp % 2:
        ds += "0"
    if len(ds) % 2:
        ds = "0" + ds
    return len(ds) // 2 + 1 + (1 if sign else 0)


def _value_size(v):
    (t, x), = v.items()
    if t == "S":
        return len(x.encode())
    if t == "N":
        return _number_size(x)
    if t == "B":
        return len(base64.b64decode(x))
    if t in ("BOOL", "NULL"):
        return 1
    if t == "SS":
        return sum(len(e.encode()) for e in x)
    if t == "NS":
        return sum(_number_size(e) for e in x)
    if t == "BS":
        return sum(len(base64.b64decode(e)) for e in x)
    if t == "L":
        return 3 + sum(1 + _value_size(e) for e in x)
    if t == "M":
        return 3 + sum(1 + len(k.encode()) + _value_size(e) for k, e in x.items())
    raise ValueError(t)


def item_size(item):
    return sum(len(k.encode()) + _value_size(v) for k, v in (item or {}).items())


# --------------------------------------------------------------------------- helpers

@pytest.fixture
def streams(raw):
    """streams(op, body) -> RawResult, with X-Amz-Target DynamoDBStreams_20120810.<op>."""

    def call(op, body=None):
        return raw(None, body, headers={"X-Amz-Target": STREAMS_PREFIX + op})

    return call


@pytest.fixture
def create(endpoint, raw):
    """create(spec, range_key=False) -> (name, RawResult of CreateTable); spec None omits StreamSpecification.
    Tables are dropped after the test."""
    names = []

    def call(spec, range_key=False):
        name = table_name("e2e_st")
        names.append(name)
        ks = [{"AttributeName": "pk", "KeyType": "HASH"}]
        ad = [{"AttributeName": "pk", "AttributeType": "S"}]
        if range_key:
            ks.append({"AttributeName": "sk", "KeyType": "RANGE"})
            ad.append({"AttributeName": "sk", "AttributeType": "N"})
        body = {"TableName": name, "KeySchema": ks, "AttributeDefinitions": ad, "BillingMode": "PAY_PER_REQUEST"}
        if spec is not None:
            body["StreamSpecification"] = spec
        res = raw("CreateTable", body)
        if res.status == 200:
            _wait_active(endpoint, name)
        return name, res

    yield call
    for name in names:
        _drop_table(endpoint, name)


def stream_table(make_table, raw, view_type, range_key=None):
    name = make_table(range_key=range_key,
                      StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type})
    return name, describe_table(raw, name)["LatestStreamArn"]


def describe_table(raw, name):
    res = raw("DescribeTable", {"TableName": name})
    assert res.status == 200, res
    return res.body["Table"]


def update_stream(raw, name, spec):
    return raw("UpdateTable", {"TableName": name, "StreamSpecification": spec})


def describe_stream(streams, arn, **kw):
    res = streams("DescribeStream", dict(kw, StreamArn=arn))
    assert res.status == 200, res
    return res.body["StreamDescription"]


def shard_of(streams, arn):
    shards = describe_stream(streams, arn)["Shards"]
    assert len(shards) == 1, shards
    return shards[0]


def iterator(streams, arn, kind="TRIM_HORIZON", seq=None, shard=None):
    body = {"StreamArn": arn, "ShardId": shard or shard_of(streams, arn)["ShardId"], "ShardIteratorType": kind}
    if seq is not None:
        body["SequenceNumber"] = seq
    res = streams("GetShardIterator", body)
    assert res.status == 200, res
    assert set(res.body) == {"ShardIterator"}, res
    return res.body["ShardIterator"]


def get_records(streams, it, limit=None):
    body = {"ShardIterator": it}
    if limit is not None:
        body["Limit"] = limit
    res = streams("GetRecords", body)
    assert res.status == 200, res
    return res.body


def drain(streams, it, max_calls=20):
    """Records readable now from `it`: GetRecords until a call returns none or the shard ends.
    Returns (records, next iterator or None)."""
    out = []
    for _ in range(max_calls):
        body = get_records(streams, it)
        out.extend(body["Records"])
        it = body.get("NextShardIterator")
        if not body["Records"] or it is None:
            return out, it
    raise AssertionError("stream did not drain in %d calls" % max_calls)


def all_records(streams, arn):
    return drain(streams, iterator(streams, arn))[0]


def seqs(records):
    return [r["dynamodb"]["SequenceNumber"] for r in records]


def expected_record(view_type, event, keys, new=None, old=None):
    d = {"Keys": keys, "StreamViewType": view_type}
    if view_type in ("NEW_IMAGE", "NEW_AND_OLD_IMAGES") and event != "REMOVE":
        d["NewImage"] = new
    if view_type in ("OLD_IMAGE", "NEW_AND_OLD_IMAGES") and event != "INSERT":
        d["OldImage"] = old
    d["SizeBytes"] = item_size(keys) + item_size(d.get("NewImage")) + item_size(d.get("OldImage"))
    return event, d


def check_records(records, wanted):
    """Exact comparison of records with expected_record() tuples, apart from eventID/time/sequence number."""
    assert len(records) == len(wanted), records
    for r, (event, d) in zip(records, wanted):
        assert set(r) == RECORD_KEYS, r
        assert r["eventName"] == event, r
        assert r["eventVersion"] == "1.1", r
        assert r["eventSource"] == "aws:dynamodb", r
        assert r["awsRegion"] == ARN_REGION, r
        assert isinstance(r["eventID"], str) and r["eventID"], r
        dyn = dict(r["dynamodb"])
        ts = dyn.pop("ApproximateCreationDateTime")
        assert isinstance(ts, (int, float)) and abs(ts - time.time()) < 180, r   # Local truncates to the minute
        assert SEQ_RE.fullmatch(dyn.pop("SequenceNumber")), r
        assert dyn == d, r
    numbers = [int(s) for s in seqs(records)]
    assert numbers == sorted(set(numbers)), records


def key(pk, sk=None):
    k = {"pk": {"S": pk}}
    if sk is not None:
        k["sk"] = {"N": str(sk)}
    return k


def ok(res):
    assert res.status == 200, res
    return res.body


# --------------------------------------------------------------------------- CreateTable / UpdateTable

@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_create_table_with_stream(raw, create, view_type):
    before = time.time()
    name, res = create({"StreamEnabled": True, "StreamViewType": view_type})
    assert res.status == 200, res
    td = res.body["TableDescription"]
    assert td["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": view_type}
    label = td["LatestStreamLabel"]
    assert re.fullmatch(LABEL_RE, label), td
    assert td["LatestStreamArn"] == td["TableArn"] + "/stream/" + label
    assert re.fullmatch(r"arn:aws:dynamodb:%s:\d{12}:table/%s/stream/%s" % (ARN_REGION, name, LABEL_RE),
                        td["LatestStreamArn"])
    when = datetime.datetime.strptime(label, "%Y-%m-%dT%H:%M:%S.%f").replace(tzinfo=datetime.timezone.utc)
    assert before - 5 < when.timestamp() < time.time() + 5      # the label is the creation time in UTC
    d = describe_table(raw, name)
    assert d["StreamSpecification"] == td["StreamSpecification"]
    assert (d["LatestStreamArn"], d["LatestStreamLabel"]) == (td["LatestStreamArn"], label)


def test_create_table_with_stream_disabled(raw, streams, create):
    name, res = create({"StreamEnabled": False})
    assert res.status == 200, res
    for td in (res.body["TableDescription"], describe_table(raw, name)):
        assert not {"StreamSpecification", "LatestStreamArn", "LatestStreamLabel"} & set(td), td
    assert ok(streams("ListStreams", {"TableName": name})) == {"Streams": []}


@pytest.mark.parametrize("spec,message", [
    ({"StreamEnabled": True}, NO_VIEW_TYPE),
    ({"StreamEnabled": False, "StreamViewType": "KEYS_ONLY"}, VIEW_TYPE_WHEN_DISABLED),
    ({"StreamViewType": "KEYS_ONLY"}, STREAM_ENABLED_NULL),
], ids=["enabled_without_type", "disabled_with_type", "no_stream_enabled"])
def test_create_table_stream_spec_errors(raw, create, spec, message):
    name, res = create(spec)
    assert_error(res, VALIDATION, message)
    assert raw("DescribeTable", {"TableName": name}).code == NOT_FOUND


@pytest.mark.local_differs("Local accepts any StreamViewType and reports it as UNKNOWN_TO_SDK_VERSION")
@pytest.mark.parametrize("view_type", ["BOGUS", "keys_only"])
def test_create_table_invalid_view_type(create, view_type):
    _, res = create({"StreamEnabled": True, "StreamViewType": view_type})
    assert_error(res, VALIDATION, re.compile(re.escape(constraint_errors(
        (view_type, "streamSpecification.streamViewType", "Member must satisfy enum value set: ["))) + r".*\]"))


def test_update_table_stream_lifecycle(raw, streams, make_table):
    t = make_table()
    assert "StreamSpecification" not in describe_table(raw, t)
    assert_error(update_stream(raw, t, {"StreamEnabled": False}), VALIDATION, NOTHING_TO_DISABLE)
    assert_error(update_stream(raw, t, {"StreamEnabled": True}), VALIDATION, NO_VIEW_TYPE)

    res = update_stream(raw, t, {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
    td = ok(res)["TableDescription"]
    assert td["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"}
    first_arn, first_label = td["LatestStreamArn"], td["LatestStreamLabel"]
    assert first_arn == td["TableArn"] + "/stream/" + first_label
    d = describe_table(raw, t)
    assert (d["StreamSpecification"], d["LatestStreamArn"], d["LatestStreamLabel"]) == (
        td["StreamSpecification"], first_arn, first_label)
    assert describe_stream(streams, first_arn)["StreamStatus"] == "ENABLED"

    for view_type in ("NEW_IMAGE", "KEYS_ONLY"):
        assert_error(update_stream(raw, t, {"StreamEnabled": True, "StreamViewType": view_type}), VALIDATION,
                     ALREADY_ENABLED)
    assert_error(update_stream(raw, t, {"StreamEnabled": False, "StreamViewType": "NEW_IMAGE"}), VALIDATION,
                 VIEW_TYPE_WHEN_DISABLED)
    assert_error(update_stream(raw, t, {"StreamViewType": "NEW_IMAGE"}), VALIDATION, STREAM_ENABLED_NULL)

    td = ok(update_stream(raw, t, {"StreamEnabled": False}))["TableDescription"]
    d = describe_table(raw, t)
    for desc in (td, d):    # the specification goes, the latest stream stays
        assert "StreamSpecification" not in desc, desc
        assert (desc["LatestStreamArn"], desc["LatestStreamLabel"]) == (first_arn, first_label)
    assert describe_stream(streams, first_arn)["StreamStatus"] == "DISABLED"
    assert_error(update_stream(raw, t, {"StreamEnabled": False}), VALIDATION, NOTHING_TO_DISABLE)

    time.sleep(0.01)   # labels have millisecond precision
    td = ok(update_stream(raw, t, {"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"}))["TableDescription"]
    assert td["StreamSpecification"] == {"StreamEnabled": True, "StreamViewType": "OLD_IMAGE"}
    assert td["LatestStreamArn"] != first_arn and td["LatestStreamLabel"] != first_label
    assert td["LatestStreamArn"] == td["TableArn"] + "/stream/" + td["LatestStreamLabel"]
    assert describe_stream(streams, td["LatestStreamArn"])["StreamViewType"] == "OLD_IMAGE"
    assert describe_stream(streams, first_arn)["StreamStatus"] == "DISABLED"
    listed = ok(streams("ListStreams", {"TableName": t}))["Streams"]
    assert sorted(listed, key=lambda s: s["StreamArn"]) == sorted([
        {"StreamArn": first_arn, "TableName": t, "StreamLabel": first_label},
        {"StreamArn": td["LatestStreamArn"], "TableName": t, "StreamLabel": td["LatestStreamLabel"]},
    ], key=lambda s: s["StreamArn"])


# --------------------------------------------------------------------------- ListStreams

def test_list_streams(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    label = describe_table(raw, t)["LatestStreamLabel"]
    entry = {"StreamArn": arn, "TableName": t, "StreamLabel": label}
    assert ok(streams("ListStreams", {"TableName": t})) == {"Streams": [entry]}
    everything, body = [], {}
    for _ in range(1000):      # all streams of all tables, 100 a page by default
        page = {"ExclusiveStartStreamArn": body["LastEvaluatedStreamArn"]} if "LastEvaluatedStreamArn" in body else {}
        body = ok(streams("ListStreams", page))
        assert len(body["Streams"]) <= 100
        everything += body["Streams"]
        if "LastEvaluatedStreamArn" not in body:
            break
    assert entry in everything
    for s in everything:
        assert set(s) == {"StreamArn", "TableName", "StreamLabel"}, s
        assert s["StreamArn"].endswith("table/%s/stream/%s" % (s["TableName"], s["StreamLabel"])), s
    plain = make_table()
    assert ok(streams("ListStreams", {"TableName": plain})) == {"Streams": []}
    # A table that does not exist lists nothing (DynamoDB Local; believed to match the service)
    assert ok(streams("ListStreams", {"TableName": "no_such_table_" + unique()[-8:]})) == {"Streams": []}


def test_list_streams_pagination(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    arns = [arn]
    for view_type in ("NEW_IMAGE", "OLD_IMAGE"):
        ok(update_stream(raw, t, {"StreamEnabled": False}))
        time.sleep(0.01)
        ok(update_stream(raw, t, {"StreamEnabled": True, "StreamViewType": view_type}))
        arns.append(describe_table(raw, t)["LatestStreamArn"])
    assert len(set(arns)) == 3

    page1 = ok(streams("ListStreams", {"TableName": t, "Limit": 2}))
    assert len(page1["Streams"]) == 2
    assert page1["LastEvaluatedStreamArn"] in [s["StreamArn"] for s in page1["Streams"]]
    page2 = ok(streams("ListStreams", {"TableName": t, "Limit": 2,
                                       "ExclusiveStartStreamArn": page1["LastEvaluatedStreamArn"]}))
    assert len(page2["Streams"]) == 1 and "LastEvaluatedStreamArn" not in page2, page2
    seen = [s["StreamArn"] for s in page1["Streams"] + page2["Streams"]]
    assert sorted(seen) == sorted(arns)
    # Limit larger than what is left: no LastEvaluatedStreamArn
    assert "LastEvaluatedStreamArn" not in ok(streams("ListStreams", {"TableName": t, "Limit": 100}))


@pytest.mark.parametrize("limit,message", [
    (0, limit_min(0)),
    (-1, limit_min(-1)),
    (101, LIST_LIMIT_MAX),
])
def test_list_streams_limit_errors(streams, limit, message):
    assert_error(streams("ListStreams", {"Limit": limit}), VALIDATION, message)


# --------------------------------------------------------------------------- DescribeStream

def test_describe_stream_shape(raw, streams, make_table):
    before = time.time()
    t, arn = stream_table(make_table, raw, "NEW_AND_OLD_IMAGES", range_key=("sk", "N"))
    td = describe_table(raw, t)
    desc = describe_stream(streams, arn)
    assert set(desc) == {"StreamArn", "StreamLabel", "StreamStatus", "StreamViewType", "CreationRequestDateTime",
                         "TableName", "KeySchema", "Shards"}, desc
    assert desc["StreamArn"] == arn and desc["StreamLabel"] == td["LatestStreamLabel"]
    assert desc["StreamStatus"] == "ENABLED"
    assert desc["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert desc["TableName"] == t
    assert desc["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"},
                                 {"AttributeName": "sk", "KeyType": "RANGE"}]
    created = desc["CreationRequestDateTime"]
    assert isinstance(created, (int, float)) and before - 5 < created < time.time() + 5
    ms = round(created * 1000)
    stamp = datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    assert desc["StreamLabel"] == "%s.%03d" % (stamp, ms % 1000)
    (shard,) = desc["Shards"]
    assert set(shard) == {"ShardId", "SequenceNumberRange"}, shard
    assert SHARD_RE.fullmatch(shard["ShardId"]), shard
    assert set(shard["SequenceNumberRange"]) == {"StartingSequenceNumber"}, shard
    assert SEQ_RE.fullmatch(shard["SequenceNumberRange"]["StartingSequenceNumber"]), shard


def test_describe_stream_shard_paging(raw, streams, make_table):
    _, arn = stream_table(make_table, raw, "KEYS_ONLY")
    full = describe_stream(streams, arn)
    assert describe_stream(streams, arn, Limit=1) == full
    assert describe_stream(streams, arn, Limit=100) == full
    after = describe_stream(streams, arn, ExclusiveStartShardId=full["Shards"][0]["ShardId"])
    assert after["Shards"] == [] and "LastEvaluatedShardId" not in after
    assert_error(streams("DescribeStream", {"StreamArn": arn, "Limit": 0}), VALIDATION, limit_min(0))
    assert_error(streams("DescribeStream", {"StreamArn": arn, "Limit": 101}), VALIDATION, DESCRIBE_LIMIT_MAX)
    assert_error(streams("DescribeStream", {"StreamArn": arn, "ExclusiveStartShardId": "bogus"}), VALIDATION,
                 constraint_errors(("bogus", "exclusiveStartShardId", "Member must have length greater than or "
                                                                       "equal to 28")))


def test_describe_stream_not_found(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    for bad in (arn.replace(":table/%s/" % t, ":table/no_such_table_%s/" % unique()[-8:]),
                arn[:-3] + ("000" if not arn.endswith("000") else "001"),
                describe_table(raw, t)["TableArn"] + "/stream/1999-01-01T00:00:00.000"):
        assert bad != arn
        assert_error(streams("DescribeStream", {"StreamArn": bad}), NOT_FOUND, stream_not_found(bad))


@pytest.mark.local_differs("Local skips the StreamArn length constraints and answers ResourceNotFoundException")
@pytest.mark.parametrize("arn,constraint", [
    ("garbage", "Member must have length greater than or equal to 37"),
    ("x" * 1025, "Member must have length less than or equal to 1024"),
])
def test_describe_stream_arn_length(streams, arn, constraint):
    assert_error(streams("DescribeStream", {"StreamArn": arn}), VALIDATION,
                 constraint_errors((arn, "streamArn", constraint)))


def test_describe_stream_missing_arn(streams):
    assert_error(streams("DescribeStream", {}), VALIDATION,
                 expected(constraint_errors((None, "streamArn", "Member must not be null")), "Invalid StreamArn"))


def test_stream_closes_on_disable_and_survives_table_delete(endpoint, raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "NEW_IMAGE")
    ok(raw("PutItem", {"TableName": t, "Item": key("a")}))
    ok(raw("PutItem", {"TableName": t, "Item": key("b")}))
    it = iterator(streams, arn)
    ok(update_stream(raw, t, {"StreamEnabled": False}))
    ok(raw("PutItem", {"TableName": t, "Item": key("c")}))       # not recorded: the stream is off

    desc = describe_stream(streams, arn)
    assert desc["StreamStatus"] == "DISABLED"
    (shard,) = desc["Shards"]
    records, nxt = drain(streams, it)
    assert [r["dynamodb"]["Keys"] for r in records] == [key("a"), key("b")]
    assert nxt is None                                               # a closed shard ends
    rng = shard["SequenceNumberRange"]
    assert rng["EndingSequenceNumber"] == records[-1]["dynamodb"]["SequenceNumber"]
    assert int(rng["StartingSequenceNumber"]) <= int(records[0]["dynamodb"]["SequenceNumber"])

    _drop_table(endpoint, t)
    desc = describe_stream(streams, arn)
    assert desc["StreamStatus"] == "DISABLED" and desc["TableName"] == t
    assert [r["dynamodb"]["Keys"] for r in all_records(streams, arn)] == [key("a"), key("b")]
    assert [s["StreamArn"] for s in ok(streams("ListStreams", {"TableName": t}))["Streams"]] == [arn]


def test_delete_table_writes_no_records(endpoint, raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    ok(raw("PutItem", {"TableName": t, "Item": key("a")}))
    _drop_table(endpoint, t)
    assert [r["eventName"] for r in all_records(streams, arn)] == ["INSERT"]
    assert describe_stream(streams, arn)["StreamStatus"] == "DISABLED"


# --------------------------------------------------------------------------- GetShardIterator

def test_iterator_types(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    latest = iterator(streams, arn, "LATEST")
    assert get_records(streams, latest)["Records"] == []
    for i in range(5):
        ok(raw("PutItem", {"TableName": t, "Item": key("k%d" % i)}))
    records = all_records(streams, arn)
    s = seqs(records)
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["k0", "k1", "k2", "k3", "k4"]
    assert seqs(drain(streams, latest)[0]) == s                     # LATEST taken before the writes sees them
    assert drain(streams, iterator(streams, arn, "LATEST"))[0] == []
    assert seqs(drain(streams, iterator(streams, arn, "AT_SEQUENCE_NUMBER", s[2]))[0]) == s[2:]
    assert seqs(drain(streams, iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", s[2]))[0]) == s[3:]
    assert seqs(drain(streams, iterator(streams, arn, "AT_SEQUENCE_NUMBER", s[-1]))[0]) == s[-1:]
    assert drain(streams, iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", s[-1]))[0] == []
    assert seqs(drain(streams, iterator(streams, arn, "AT_SEQUENCE_NUMBER", s[0]))[0]) == s
    ok(raw("PutItem", {"TableName": t, "Item": key("k5")}))
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in
            drain(streams, iterator(streams, arn, "AFTER_SEQUENCE_NUMBER", s[-1]))[0]] == ["k5"]


def test_get_shard_iterator_errors(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    shard = shard_of(streams, arn)
    sid, start = shard["ShardId"], shard["SequenceNumberRange"]["StartingSequenceNumber"]
    ok(raw("PutItem", {"TableName": t, "Item": key("a")}))
    seq = seqs(all_records(streams, arn))[0]

    def gsi(**body):
        return streams("GetShardIterator", dict({"StreamArn": arn, "ShardId": sid}, **body))

    for kind in ("AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER"):
        assert_error(gsi(ShardIteratorType=kind), VALIDATION, SEQ_REQUIRED)
        assert_error(gsi(ShardIteratorType=kind, SequenceNumber="abc"), VALIDATION, constraint_errors(
            ("abc", "sequenceNumber", "Member must have length greater than or equal to 21")))
        assert_error(gsi(ShardIteratorType=kind, SequenceNumber="9" * 41), VALIDATION, constraint_errors(
            ("9" * 41, "sequenceNumber", "Member must have length less than or equal to 40")))
        if int(start) > 0:
            before = str(int(start) - 1).zfill(len(start))
            assert_error(gsi(ShardIteratorType=kind, SequenceNumber=before), VALIDATION, SEQ_BEFORE_SHARD)
    for kind in ("TRIM_HORIZON", "LATEST"):
        assert_error(gsi(ShardIteratorType=kind, SequenceNumber=seq), VALIDATION, SEQ_NOT_ALLOWED)

    other = sid[:-8] + ("0" * 8 if not sid.endswith("0" * 8) else "1" * 8)
    assert_error(streams("GetShardIterator", {"StreamArn": arn, "ShardId": other, "ShardIteratorType": "LATEST"}),
                 NOT_FOUND, SHARD_MISSING)
    missing = arn.replace(":table/%s/" % t, ":table/no_such_table_%s/" % unique()[-8:])
    assert_error(streams("GetShardIterator", {"StreamArn": missing, "ShardId": sid, "ShardIteratorType": "LATEST"}),
                 NOT_FOUND, STREAM_MISSING)
    assert_error(streams("GetShardIterator", {"ShardId": sid, "ShardIteratorType": "LATEST"}), VALIDATION,
                 expected(constraint_errors((None, "streamArn", "Member must not be null")),
                          "One or more parameter values were invalid: streamArn cannot be empty or null."))
    assert_error(streams("GetShardIterator", {"StreamArn": arn, "ShardIteratorType": "LATEST"}), VALIDATION,
                 expected(constraint_errors((None, "shardId", "Member must not be null")), "No ShardId specified."))


@pytest.mark.local_differs("Local answers 500 InternalFailure for a missing or unknown ShardIteratorType and "
                           "ResourceNotFoundException for a too-short ShardId")
def test_get_shard_iterator_constraints(raw, streams, make_table):
    _, arn = stream_table(make_table, raw, "KEYS_ONLY")
    sid = shard_of(streams, arn)["ShardId"]
    assert_error(streams("GetShardIterator", {"StreamArn": arn, "ShardId": sid}), VALIDATION,
                 constraint_errors((None, "shardIteratorType", "Member must not be null")))
    assert_error(streams("GetShardIterator", {"StreamArn": arn, "ShardId": sid, "ShardIteratorType": "BOGUS"}),
                 VALIDATION, constraint_errors(("BOGUS", "shardIteratorType", "Member must satisfy enum value set: "
                                                "[TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER]")))
    assert_error(streams("GetShardIterator", {"StreamArn": arn, "ShardId": "bogus", "ShardIteratorType": "LATEST"}),
                 VALIDATION, constraint_errors(("bogus", "shardId", "Member must have length greater than or equal "
                                                                    "to 28")))


# --------------------------------------------------------------------------- GetRecords

ITEM_V1 = {"v": {"S": "hello"}, "n": {"N": "12.50"}, "l": {"L": [{"N": "1"}, {"NULL": True}, {"BOOL": False}]},
           "m": {"M": {"x": {"B": "AAE="}, "y": {"S": "z"}}}}
ITEM_V2 = {"v": {"S": "world"}, "n": {"N": "-3.3"}}


def normalised(item):
    """The stored form of ITEM_*: numbers without trailing zeros."""
    out = dict(item)
    if out.get("n") == {"N": "12.50"}:
        out["n"] = {"N": "12.5"}
    return out


@pytest.mark.parametrize("view_type", VIEW_TYPES)
def test_records_for_each_view_type(raw, streams, make_table, view_type):
    t, arn = stream_table(make_table, raw, view_type, range_key=("sk", "N"))
    k = key("a", 1)
    i1 = dict(k, **ITEM_V1)
    i2 = dict(k, **ITEM_V2)
    ok(raw("PutItem", {"TableName": t, "Item": i1}))
    ok(raw("PutItem", {"TableName": t, "Item": i2}))
    ok(raw("UpdateItem", {"TableName": t, "Key": k, "UpdateExpression": "SET w = :w REMOVE n",
                          "ExpressionAttributeValues": {":w": {"SS": ["p"]}}}))
    i3 = dict(k, v={"S": "world"}, w={"SS": ["p"]})
    ok(raw("DeleteItem", {"TableName": t, "Key": k}))
    records = all_records(streams, arn)
    check_records(records, [
        expected_record(view_type, "INSERT", k, new=normalised(i1)),
        expected_record(view_type, "MODIFY", k, new=i2, old=normalised(i1)),
        expected_record(view_type, "MODIFY", k, new=i3, old=i2),
        expected_record(view_type, "REMOVE", k, old=i3),
    ])
    assert len({r["eventID"] for r in records}) == 4


def test_size_bytes(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "NEW_AND_OLD_IMAGES")
    ok(raw("PutItem", {"TableName": t, "Item": {"pk": {"S": "a"}, "v": {"S": "hello"}}}))
    ok(raw("PutItem", {"TableName": t, "Item": {"pk": {"S": "a"}, "v": {"S": "world"}, "n": {"N": "12.5"}}}))
    ok(raw("DeleteItem", {"TableName": t, "Key": {"pk": {"S": "a"}}}))
    # Keys (pk: 2+1) + NewImage + OldImage, each by DynamoDB's item-size rules
    assert [r["dynamodb"]["SizeBytes"] for r in all_records(streams, arn)] == [3 + 9, 3 + 13 + 9, 3 + 13]


def test_no_record_for_writes_that_change_nothing(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "NEW_AND_OLD_IMAGES")
    item = {"pk": {"S": "a"}, "v": {"S": "x"}, "q": {"N": "1"}}
    ok(raw("PutItem", {"TableName": t, "Item": item}))
    it = iterator(streams, arn, "LATEST")
    ok(raw("PutItem", {"TableName": t, "Item": item}))                                      # identical
    ok(raw("PutItem", {"TableName": t, "Item": dict(item, q={"N": "1.0"})}))               # same number
    ok(raw("UpdateItem", {"TableName": t, "Key": key("a"), "UpdateExpression": "SET v = :v",
                          "ExpressionAttributeValues": {":v": {"S": "x"}}}))
    ok(raw("UpdateItem", {"TableName": t, "Key": key("a"), "UpdateExpression": "ADD q :z",
                          "ExpressionAttributeValues": {":z": {"N": "0"}}}))
    ok(raw("UpdateItem", {"TableName": t, "Key": key("a"), "UpdateExpression": "REMOVE nothing_here"}))
    ok(raw("UpdateItem", {"TableName": t, "Key": key("a")}))
    ok(raw("DeleteItem", {"TableName": t, "Key": key("missing")}))
    assert_error(raw("PutItem", {"TableName": t, "Item": dict(item, v={"S": "y"}),
                                 "ConditionExpression": "attribute_not_exists(pk)"}), "ConditionalCheckFailedException")
    assert_error(raw("DeleteItem", {"TableName": t, "Key": key("a"), "ConditionExpression": "v = :n",
                                    "ExpressionAttributeValues": {":n": {"S": "no"}}}),
                 "ConditionalCheckFailedException")
    ok(raw("BatchWriteItem", {"RequestItems": {t: [{"PutRequest": {"Item": item}},
                                                   {"DeleteRequest": {"Key": key("missing2")}}]}}))
    ok(raw("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": t, "Item": item}},
                                                    {"Delete": {"TableName": t, "Key": key("missing3")}}]}))
    assert_error(raw("TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": t, "Item": {"pk": {"S": "b"}}}},
        {"ConditionCheck": {"TableName": t, "Key": key("a"), "ConditionExpression": "attribute_not_exists(pk)"}},
    ]}), "TransactionCanceledException")
    assert get_records(streams, it)["Records"] == []
    ok(raw("PutItem", {"TableName": t, "Item": dict(item, v={"S": "changed"})}))            # a real change
    check_records(drain(streams, it)[0], [
        expected_record("NEW_AND_OLD_IMAGES", "MODIFY", key("a"), new=dict(item, v={"S": "changed"}), old=item)])


def test_update_of_missing_item_is_an_insert(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "NEW_AND_OLD_IMAGES")
    ok(raw("UpdateItem", {"TableName": t, "Key": key("a")}))
    ok(raw("UpdateItem", {"TableName": t, "Key": key("b"), "UpdateExpression": "REMOVE x"}))
    ok(raw("UpdateItem", {"TableName": t, "Key": key("c"), "UpdateExpression": "SET x = :x",
                          "ExpressionAttributeValues": {":x": {"N": "7"}}}))
    check_records(all_records(streams, arn), [
        expected_record("NEW_AND_OLD_IMAGES", "INSERT", key("a"), new=key("a")),
        expected_record("NEW_AND_OLD_IMAGES", "INSERT", key("b"), new=key("b")),
        expected_record("NEW_AND_OLD_IMAGES", "INSERT", key("c"), new=dict(key("c"), x={"N": "7"})),
    ])


def test_batch_write_records(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "NEW_AND_OLD_IMAGES")
    old_a = {"pk": {"S": "a"}, "v": {"S": "x"}}
    old_d = {"pk": {"S": "d"}, "v": {"S": "gone"}}
    ok(raw("PutItem", {"TableName": t, "Item": old_a}))
    ok(raw("PutItem", {"TableName": t, "Item": old_d}))
    it = iterator(streams, arn, "LATEST")
    new_a = {"pk": {"S": "a"}, "v": {"S": "y"}}
    new_b = {"pk": {"S": "b"}}
    res = raw("BatchWriteItem", {"RequestItems": {t: [
        {"PutRequest": {"Item": new_b}},
        {"PutRequest": {"Item": new_a}},
        {"DeleteRequest": {"Key": key("d")}},
        {"DeleteRequest": {"Key": key("missing")}},
    ]}})
    assert ok(res)["UnprocessedItems"] == {}
    records = sorted(drain(streams, it)[0], key=lambda r: r["dynamodb"]["Keys"]["pk"]["S"])
    by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in records}
    assert sorted(by_key) == ["a", "b", "d"]
    check_records([by_key["a"]], [expected_record("NEW_AND_OLD_IMAGES", "MODIFY", key("a"), new=new_a, old=old_a)])
    check_records([by_key["b"]], [expected_record("NEW_AND_OLD_IMAGES", "INSERT", key("b"), new=new_b)])
    check_records([by_key["d"]], [expected_record("NEW_AND_OLD_IMAGES", "REMOVE", key("d"), old=old_d)])


def test_transact_write_records(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "NEW_AND_OLD_IMAGES")
    old_a = {"pk": {"S": "a"}, "v": {"S": "x"}}
    old_d = {"pk": {"S": "d"}}
    ok(raw("PutItem", {"TableName": t, "Item": old_a}))
    ok(raw("PutItem", {"TableName": t, "Item": old_d}))
    ok(raw("PutItem", {"TableName": t, "Item": {"pk": {"S": "c"}}}))
    it = iterator(streams, arn, "LATEST")
    new_t = {"pk": {"S": "t"}, "q": {"N": "1"}}
    ok(raw("TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": t, "Item": new_t}},
        {"Update": {"TableName": t, "Key": key("a"), "UpdateExpression": "SET v = :v",
                    "ExpressionAttributeValues": {":v": {"S": "tt"}}}},
        {"Delete": {"TableName": t, "Key": key("d")}},
        {"ConditionCheck": {"TableName": t, "Key": key("c"), "ConditionExpression": "attribute_exists(pk)"}},
    ]}))
    records = drain(streams, it)[0]
    by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in records}
    assert len(records) == 3 and sorted(by_key) == ["a", "d", "t"]       # nothing for the ConditionCheck
    check_records([by_key["t"]], [expected_record("NEW_AND_OLD_IMAGES", "INSERT", key("t"), new=new_t)])
    check_records([by_key["a"]], [expected_record("NEW_AND_OLD_IMAGES", "MODIFY", key("a"),
                                                  new={"pk": {"S": "a"}, "v": {"S": "tt"}}, old=old_a)])
    check_records([by_key["d"]], [expected_record("NEW_AND_OLD_IMAGES", "REMOVE", key("d"), old=old_d)])


def test_sequence_numbers_increase(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    start = int(shard_of(streams, arn)["SequenceNumberRange"]["StartingSequenceNumber"])
    for i in range(10):
        ok(raw("PutItem", {"TableName": t, "Item": key("k%d" % (i % 4)), }))
        ok(raw("PutItem", {"TableName": t, "Item": dict(key("k%d" % (i % 4)), n={"N": str(i)})}))
    records = all_records(streams, arn)
    numbers = [int(s) for s in seqs(records)]
    assert all(SEQ_RE.fullmatch(s) for s in seqs(records))
    assert len(numbers) == 20 and numbers == sorted(set(numbers)) and numbers[0] >= start
    assert len({r["eventID"] for r in records}) == 20


def test_streams_are_per_table(raw, streams, make_table):
    t1, arn1 = stream_table(make_table, raw, "KEYS_ONLY")
    t2, arn2 = stream_table(make_table, raw, "KEYS_ONLY")
    for i in range(3):
        ok(raw("PutItem", {"TableName": t1, "Item": key("one%d" % i)}))
        ok(raw("PutItem", {"TableName": t2, "Item": key("two%d" % i)}))
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in all_records(streams, arn1)] == ["one0", "one1", "one2"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in all_records(streams, arn2)] == ["two0", "two1", "two2"]


def test_get_records_limit_next_iterator_and_reuse(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "KEYS_ONLY")
    it0 = iterator(streams, arn)
    body = get_records(streams, it0)
    assert body["Records"] == [] and body["NextShardIterator"]            # open shard: always a next iterator
    for i in range(3):
        ok(raw("PutItem", {"TableName": t, "Item": key("k%d" % i)}))
    it, got = it0, []
    for _ in range(3):
        body = get_records(streams, it, limit=1)
        assert len(body["Records"]) == 1, body
        got.append(body["Records"][0]["dynamodb"]["Keys"]["pk"]["S"])
        it = body["NextShardIterator"]
    assert got == ["k0", "k1", "k2"]
    body = get_records(streams, it)
    assert body["Records"] == [] and body["NextShardIterator"]
    # an iterator can be used again and reads the same records
    first = get_records(streams, it0)["Records"]
    assert [r["eventID"] for r in first] == [r["eventID"] for r in get_records(streams, it0)["Records"]]
    assert len(first) == 3
    assert len(get_records(streams, it0, limit=1000)["Records"]) == 3


def test_get_records_errors(raw, streams, make_table):
    _, arn = stream_table(make_table, raw, "KEYS_ONLY")
    it = iterator(streams, arn)
    for limit in (0, -1):
        assert_error(streams("GetRecords", {"ShardIterator": it, "Limit": limit}), VALIDATION, limit_min(limit))
    assert_error(streams("GetRecords", {"ShardIterator": it, "Limit": 1001}), VALIDATION, RECORDS_LIMIT_MAX)
    for bad in ("garbage", it.split("|")[0] + "|001|AAAA", "x" * 300):
        assert_error(streams("GetRecords", {"ShardIterator": bad}), VALIDATION, INVALID_ITERATOR)
    assert_error(streams("GetRecords", {}), VALIDATION, expected(
        constraint_errors((None, "shardIterator", "Member must not be null")), INVALID_ITERATOR))
    assert_error(streams("GetRecords", {"ShardIterator": ""}), VALIDATION, expected(
        constraint_errors(("", "shardIterator", "Member must have length greater than or equal to 1")),
        INVALID_ITERATOR))


@pytest.mark.local_differs("Local writes an empty map in a stream image as {} instead of {\"M\": {}}")
def test_empty_map_in_image(raw, streams, make_table):
    t, arn = stream_table(make_table, raw, "NEW_IMAGE")
    item = {"pk": {"S": "a"}, "m": {"M": {}}, "l": {"L": [{"M": {}}]}, "mm": {"M": {"e": {"M": {}}}}}
    ok(raw("PutItem", {"TableName": t, "Item": item}))
    check_records(all_records(streams, arn), [expected_record("NEW_IMAGE", "INSERT", key("a"), new=item)])


@pytest.mark.local_differs("Local names a TTL deletion's record UNKNOWN_TO_SDK_VERSION and gives it no userIdentity")
def test_ttl_deletion_record(raw, streams, make_table):
    """The TTL sweeper deletes through the write path: a REMOVE record from the service principal, and the item
    leaves its GSI too (Basalt sweeps every second in these tests)."""
    t = make_table(StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])
    arn = describe_table(raw, t)["LatestStreamArn"]
    ok(raw("UpdateTimeToLive", {"TableName": t, "TimeToLiveSpecification": {"AttributeName": "exp", "Enabled": True}}))
    item = {"pk": {"S": "a"}, "g": {"S": "group"}, "exp": {"N": str(int(time.time()) - 3600)}}
    ok(raw("PutItem", {"TableName": t, "Item": item}))
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if "Item" not in ok(raw("GetItem", {"TableName": t, "Key": key("a")})):
            break
        time.sleep(0.25)
    records = all_records(streams, arn)
    assert [r["eventName"] for r in records] == ["INSERT", "REMOVE"]
    removal = records[1]
    assert "userIdentity" not in records[0]
    assert removal["userIdentity"] == {"type": "Service", "principalId": "dynamodb.amazonaws.com"}
    assert {k: v for k, v in removal["dynamodb"].items() if k in ("Keys", "OldImage", "NewImage", "SizeBytes")} == {
        "Keys": key("a"), "OldImage": item, "SizeBytes": item_size(key("a")) + item_size(item)}
    on_index = ok(raw("Query", {"TableName": t, "IndexName": "by_g", "KeyConditionExpression": "g = :g",
                                "ExpressionAttributeValues": {":g": {"S": "group"}}}))
    assert on_index["Items"] == []


# --------------------------------------------------------------------------- protocol

@pytest.mark.parametrize("target", ["DynamoDBStreams_20120810.PutItem", "DynamoDBStreams_20120810.ListTables",
                                    "DynamoDB_20120810.ListStreams", "DynamoDB_20120810.GetRecords"])
def test_operations_belong_to_their_prefix(raw, target):
    res = raw(None, {}, headers={"X-Amz-Target": target})
    assert_error(res, "UnknownOperationException", "An unknown operation was requested.")


def test_boto3_streams_client(endpoint, raw, make_table):
    t, arn = stream_table(make_table, raw, "NEW_IMAGE")
    ok(raw("PutItem", {"TableName": t, "Item": {"pk": {"S": "a"}, "v": {"N": "5"}}}))
    client = make_client(endpoint, service="dynamodbstreams")
    assert [s["StreamArn"] for s in client.list_streams(TableName=t)["Streams"]] == [arn]
    desc = client.describe_stream(StreamArn=arn)["StreamDescription"]
    it = client.get_shard_iterator(StreamArn=arn, ShardId=desc["Shards"][0]["ShardId"],
                                   ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    (record,) = client.get_records(ShardIterator=it)["Records"]
    assert record["eventName"] == "INSERT"
    assert record["dynamodb"]["NewImage"] == {"pk": {"S": "a"}, "v": {"N": "5"}}
    assert isinstance(record["dynamodb"]["ApproximateCreationDateTime"], datetime.datetime)
