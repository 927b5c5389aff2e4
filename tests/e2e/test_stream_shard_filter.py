"""DynamoDB Streams: DescribeStream's ShardFilter (Type CHILD_SHARDS, ShardId: the parent) and its validation, the
errors for malformed and unknown stream ARNs, shard ids, iterators and ExclusiveStart* members that test_streams.py
does not cover, and an UpdateItem that creates nothing (it writes no stream record).

ShardFilter is in the Streams model since 2024 (DynamoDB Local 3.2+), not in Debian's botocore 1.29, so these tests
send raw requests. DynamoDB Local never closes a shard (thousands of records stay in one), so the children of a
real parent are checked on a Basalt of the test's own with --stream-shard-records (as test_stream_consumer.py
does); against Local only the empty answers and the validation are checked.

Messages: the service's are not documented for these cases (newer-features.md gives the model's constraints
only), so where a constant is DynamoDB Local's wording the comment says so; constraint violations use the
service's Coral form where the model gives the constraint, and Local's text via expected() where it differs.
"""

import contextlib
import os

import pytest

from conftest import (_drop_table, _wait_active, assert_error, constraint_errors, expected, raw_call, table_name,
                      unique)

VALIDATION = "ValidationException"
NOT_FOUND = "ResourceNotFoundException"
STREAMS = "DynamoDBStreams_20120810."


def streams_call(endpoint, op, body):
    return raw_call(endpoint, None, body, headers={"X-Amz-Target": STREAMS + op})


@pytest.fixture
def streams(endpoint):
    return lambda op, body=None: streams_call(endpoint, op, body or {})


def ok(res):
    assert res.status == 200, res
    return res.body


def create_stream_table(endpoint, name, view="NEW_AND_OLD_IMAGES"):
    res = raw_call(endpoint, "CreateTable", {
        "TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": view}})
    assert res.status == 200, res
    _wait_active(endpoint, name)
    return res.body["TableDescription"]["LatestStreamArn"]


@pytest.fixture
def stream_table(endpoint):
    """stream_table(view=...) -> (table name, stream ARN); tables dropped after the test."""
    created = []

    def make(view="NEW_AND_OLD_IMAGES"):
        name = table_name("e2e_sf")
        created.append(name)
        return name, create_stream_table(endpoint, name, view)

    yield make
    for name in created:
        _drop_table(endpoint, name)


def describe(streams, arn, **kw):
    return ok(streams("DescribeStream", dict(kw, StreamArn=arn)))["StreamDescription"]


def only_shard(streams, arn):
    (shard,) = describe(streams, arn)["Shards"]
    return shard["ShardId"]


def child_filter(shard_id):
    return {"Type": "CHILD_SHARDS", "ShardId": shard_id}


# --------------------------------------------------------------------------- ShardFilter: answers

def test_open_shard_has_no_children(streams, stream_table):
    _, arn = stream_table()
    whole = describe(streams, arn)
    shard = only_shard(streams, arn)
    desc = describe(streams, arn, ShardFilter=child_filter(shard))
    assert desc["Shards"] == [] and "LastEvaluatedShardId" not in desc
    # the rest of the description is the stream's, as without a filter
    assert {k: v for k, v in desc.items() if k != "Shards"} == {k: v for k, v in whole.items() if k != "Shards"}


def test_unknown_parent_shard_has_no_children(streams, stream_table):
    _, arn = stream_table()
    shard = only_shard(streams, arn)
    other = shard[:-8] + ("0" * 8 if not shard.endswith("0" * 8) else "1" * 8)
    for parent in (other, "shardId-00000000000000000000-00000000"):
        assert describe(streams, arn, ShardFilter=child_filter(parent))["Shards"] == []


def test_filter_without_shard_id_matches_nothing(streams, stream_table):
    # DynamoDB Local's answer; ShardId is optional in the model
    _, arn = stream_table()
    assert describe(streams, arn, ShardFilter={"Type": "CHILD_SHARDS"})["Shards"] == []


def test_filter_on_a_stream_that_does_not_exist(streams, stream_table):
    t, arn = stream_table()
    missing = arn.replace(":table/%s/" % t, ":table/no_such_table_%s/" % unique()[-8:])
    res = streams("DescribeStream", {"StreamArn": missing, "ShardFilter": child_filter(
        "shardId-00000000000000000000-00000000")})
    assert_error(res, NOT_FOUND, "Requested resource not found: Stream: %s not found" % missing)


# --------------------------------------------------------------------------- ShardFilter: validation

# DynamoDB Local reads an unknown enum value as null, and names the constraint "Member must be CHILD_SHARDS"
LOCAL_TYPE_MSG = ("1 validation error detected: Value 'null' at 'shardFilter.type' failed to satisfy constraint: "
                  "Member must be CHILD_SHARDS")
# DynamoDB Local's wording; the service's is not documented
FILTER_AND_START = "ShardFilter and ExclusiveStartShardId both should not be specified in the request."


@pytest.mark.parametrize("shard_filter,message", [
    ({"Type": "PARENT_SHARDS", "ShardId": "shardId-00000000000000000000-00000000"},
     expected(constraint_errors(("PARENT_SHARDS", "shardFilter.type", "Member must satisfy enum value set: "
                                                                      "[CHILD_SHARDS]")), LOCAL_TYPE_MSG)),
    ({"Type": "child_shards", "ShardId": "shardId-00000000000000000000-00000000"},
     expected(constraint_errors(("child_shards", "shardFilter.type", "Member must satisfy enum value set: "
                                                                     "[CHILD_SHARDS]")), LOCAL_TYPE_MSG)),
    # Type without a value: Local's wording only (the service's is not documented)
    ({"ShardId": "shardId-00000000000000000000-00000000"}, LOCAL_TYPE_MSG),
    ({}, LOCAL_TYPE_MSG),
    ({"Type": "CHILD_SHARDS", "ShardId": "shardId-0000"},
     constraint_errors(("shardId-0000", "shardFilter.shardId", "Member must have length greater than or equal to 28"))),
    ({"Type": "CHILD_SHARDS", "ShardId": "s" * 66},
     constraint_errors(("s" * 66, "shardFilter.shardId", "Member must have length less than or equal to 65"))),
], ids=["unknown_type", "lower_case_type", "missing_type", "empty_filter", "short_shard_id", "long_shard_id"])
def test_shard_filter_validation(streams, stream_table, shard_filter, message):
    _, arn = stream_table()
    assert_error(streams("DescribeStream", {"StreamArn": arn, "ShardFilter": shard_filter}), VALIDATION, message)


def test_shard_filter_with_exclusive_start_shard_id(streams, stream_table):
    _, arn = stream_table()
    shard = only_shard(streams, arn)
    res = streams("DescribeStream", {"StreamArn": arn, "ShardFilter": child_filter(shard),
                                     "ExclusiveStartShardId": shard})
    assert_error(res, VALIDATION, FILTER_AND_START)


# --------------------------------------------------------------------------- ShardFilter: real children

OWN_SERVER = pytest.mark.skipif(bool(os.environ.get("BASALT_ENDPOINT")),
                                reason="starts its own Basalt; BASALT_ENDPOINT is set")


@contextlib.contextmanager
def own_basalt(tmp_path, *flags):
    import test_crash
    server = test_crash.Server(tmp_path / "data", "relaxed", tmp_path / "basalt.log", list(flags))
    try:
        yield server.url
    finally:
        server.stop()


@pytest.mark.basalt_only
@OWN_SERVER
def test_children_of_closed_shards(tmp_path):
    """Shards of 2 records: every shard but the last has exactly one child, the next one in the lineage."""
    with own_basalt(tmp_path, "--stream-shard-records", "2") as url:
        arn = create_stream_table(url, "rolled", "KEYS_ONLY")
        for i in range(7):
            assert raw_call(url, "PutItem", {"TableName": "rolled", "Item": {"pk": {"S": "k%d" % i}}}).status == 200
        whole = ok(streams_call(url, "DescribeStream", {"StreamArn": arn}))["StreamDescription"]["Shards"]
        assert len(whole) == 4
        for parent, child in zip(whole, whole[1:] + [None]):
            desc = ok(streams_call(url, "DescribeStream", {"StreamArn": arn,
                                                           "ShardFilter": child_filter(parent["ShardId"])}))
            desc = desc["StreamDescription"]
            assert desc["Shards"] == ([child] if child else []), parent
            assert "LastEvaluatedShardId" not in desc
            if child:
                assert child["ParentShardId"] == parent["ShardId"]
        # Limit applies to the filtered list too
        desc = ok(streams_call(url, "DescribeStream", {"StreamArn": arn, "Limit": 1,
                                                       "ShardFilter": child_filter(whole[0]["ShardId"])}))
        assert desc["StreamDescription"]["Shards"] == [whole[1]]


# --------------------------------------------------------------------------- ARNs, shard ids, iterators, paging

def test_malformed_stream_arn_of_valid_length_is_not_found(streams):
    # Local (and Basalt) answer ResourceNotFoundException; the service's answer is not documented
    for arn in ("not-an-arn-" + "x" * 40, "arn:aws:dynamodb:us-east-1:000000000000:table/" + "t" * 20,
                "arn:aws:dynamodb:us-east-1:000000000000:table/t123/stream/not-a-label"):
        assert_error(streams("DescribeStream", {"StreamArn": arn}), NOT_FOUND,
                     "Requested resource not found: Stream: %s not found" % arn)
        res = streams("GetShardIterator", {"StreamArn": arn, "ShardId": "shardId-00000000000000000000-00000000",
                                           "ShardIteratorType": "LATEST"})
        assert_error(res, NOT_FOUND, "Stream does not exist")       # Local's wording


def test_shard_of_another_stream_does_not_exist(streams, stream_table):
    _, arn1 = stream_table()
    _, arn2 = stream_table()
    shard2 = only_shard(streams, arn2)
    res = streams("GetShardIterator", {"StreamArn": arn1, "ShardId": shard2, "ShardIteratorType": "TRIM_HORIZON"})
    assert_error(res, NOT_FOUND, "Shard does not exist")             # Local's wording


def test_exclusive_start_shard_id_that_does_not_exist_pages_from_its_place(streams, stream_table):
    # Not an error (DynamoDB Local; the service's behaviour is not documented): the shards after it are listed
    _, arn = stream_table()
    whole = describe(streams, arn)["Shards"]
    shard = whole[0]["ShardId"]
    assert describe(streams, arn, ExclusiveStartShardId="shardId-00000000000000000000-00000000")["Shards"] == whole
    assert describe(streams, arn, ExclusiveStartShardId="shardId-99999999999999999999-ffffffff")["Shards"] == []
    assert describe(streams, arn, ExclusiveStartShardId=shard)["Shards"] == []


def test_exclusive_start_shard_id_length(streams, stream_table):
    _, arn = stream_table()
    assert_error(streams("DescribeStream", {"StreamArn": arn, "ExclusiveStartShardId": "s" * 66}), VALIDATION,
                 constraint_errors(("s" * 66, "exclusiveStartShardId",
                                    "Member must have length less than or equal to 65")))


def test_exclusive_start_stream_arn_that_does_not_exist(streams, stream_table):
    # Not an error (DynamoDB Local; the service's behaviour is not documented): the streams after it are listed
    t, arn = stream_table()
    listed = ok(streams("ListStreams", {"TableName": t}))["Streams"]
    assert [s["StreamArn"] for s in listed] == [arn]
    before = arn.replace(":table/%s/" % t, ":table/%s/" % (t[:-1] + chr(ord(t[-1]) - 1)))
    assert ok(streams("ListStreams", {"TableName": t, "ExclusiveStartStreamArn": before}))["Streams"] == listed
    after = arn + "9"
    assert ok(streams("ListStreams", {"TableName": t, "ExclusiveStartStreamArn": after}))["Streams"] == []


@pytest.mark.local_differs("Local skips the ExclusiveStartStreamArn length constraints and lists nothing")
@pytest.mark.parametrize("arn,constraint", [
    ("garbage", "Member must have length greater than or equal to 37"),
    ("a" * 1025, "Member must have length less than or equal to 1024"),
])
def test_exclusive_start_stream_arn_length(streams, arn, constraint):
    assert_error(streams("ListStreams", {"ExclusiveStartStreamArn": arn}), VALIDATION,
                 constraint_errors((arn, "exclusiveStartStreamArn", constraint)))


def test_iterator_of_a_deleted_tables_stream_reads_what_is_left(endpoint, streams, stream_table):
    t, arn = stream_table("KEYS_ONLY")
    shard = only_shard(streams, arn)
    it = ok(streams("GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                         "ShardIteratorType": "TRIM_HORIZON"}))["ShardIterator"]
    ok(raw_call(endpoint, "PutItem", {"TableName": t, "Item": {"pk": {"S": "a"}}}))
    _drop_table(endpoint, t)
    body = ok(streams("GetRecords", {"ShardIterator": it}))
    assert [r["dynamodb"]["Keys"] for r in body["Records"]] == [{"pk": {"S": "a"}}]


@pytest.mark.parametrize("iterator", [
    "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2020-01-01T00:00:00.000|001|",
    "arn:aws:dynamodb:us-east-1:000000000000:table/t/stream/2020-01-01T00:00:00.000|001|bm90IGFuIGl0ZXJhdG9y",
    "x|y|z",
], ids=["no_payload", "foreign_payload", "bars_only"])
def test_malformed_iterators(streams, iterator):
    # more in test_streams.py::test_get_records_errors
    assert_error(streams("GetRecords", {"ShardIterator": iterator}), VALIDATION, "Invalid ShardIterator")


# --------------------------------------------------------------------------- writes that create nothing

def read_all(streams, arn):
    shard = only_shard(streams, arn)
    it = ok(streams("GetShardIterator", {"StreamArn": arn, "ShardId": shard,
                                         "ShardIteratorType": "TRIM_HORIZON"}))["ShardIterator"]
    return ok(streams("GetRecords", {"ShardIterator": it}))["Records"]


@pytest.mark.local_differs("Local creates the item (and writes an INSERT record) for AttributeUpdates DELETE actions")
def test_update_deleting_attributes_of_a_missing_item_creates_nothing(endpoint, streams, stream_table):
    """The AttributeUpdates reference: "If no item with the specified Key is found: ... DELETE - Nothing happens;
    there is no attribute to delete." No item, so no stream record."""
    t, arn = stream_table()
    for i, updates in enumerate([{"x": {"Action": "DELETE"}},
                                 {"s": {"Action": "DELETE", "Value": {"SS": ["a"]}}},
                                 {"x": {"Action": "DELETE"}, "y": {"Action": "DELETE"}}]):
        key = {"pk": {"S": "missing%d" % i}}
        ok(raw_call(endpoint, "UpdateItem", {"TableName": t, "Key": key, "AttributeUpdates": updates}))
        assert "Item" not in ok(raw_call(endpoint, "GetItem", {"TableName": t, "Key": key, "ConsistentRead": True}))
    assert ok(raw_call(endpoint, "Scan", {"TableName": t}))["Count"] == 0
    # a PUT or ADD among them creates the item as usual
    ok(raw_call(endpoint, "UpdateItem", {"TableName": t, "Key": {"pk": {"S": "made"}}, "AttributeUpdates": {
        "x": {"Action": "DELETE"}, "n": {"Action": "ADD", "Value": {"N": "1"}}}}))
    records = read_all(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["Keys"]) for r in records] == [("INSERT", {"pk": {"S": "made"}})]
    assert records[0]["dynamodb"]["NewImage"] == {"pk": {"S": "made"}, "n": {"N": "1"}}


def test_update_expressions_on_a_missing_item_create_it(endpoint, streams, stream_table):
    """An UpdateExpression always creates the item, even when its actions change nothing (as DynamoDB Local does
    and test_streams.py checks for REMOVE): the item is the key, and its INSERT record is written."""
    t, arn = stream_table()
    exprs = [{}, {"UpdateExpression": "REMOVE x"},
             {"UpdateExpression": "DELETE s :v", "ExpressionAttributeValues": {":v": {"SS": ["a"]}}}]
    for i, extra in enumerate(exprs):
        ok(raw_call(endpoint, "UpdateItem", dict(extra, TableName=t, Key={"pk": {"S": "k%d" % i}})))
    records = read_all(streams, arn)
    assert [(r["eventName"], r["dynamodb"]["NewImage"]) for r in records] == [
        ("INSERT", {"pk": {"S": "k%d" % i}}) for i in range(len(exprs))]


def test_failed_or_empty_writes_on_missing_items_write_no_record(endpoint, streams, stream_table):
    t, arn = stream_table()
    key = {"pk": {"S": "missing"}}
    ok(raw_call(endpoint, "DeleteItem", {"TableName": t, "Key": key}))
    res = raw_call(endpoint, "UpdateItem", {"TableName": t, "Key": key, "UpdateExpression": "REMOVE x",
                                            "ConditionExpression": "attribute_exists(pk)"})
    assert_error(res, "ConditionalCheckFailedException")
    res = raw_call(endpoint, "UpdateItem", {"TableName": t, "Key": key, "UpdateExpression": "SET n = n + :one",
                                            "ExpressionAttributeValues": {":one": {"N": "1"}}})
    assert_error(res, VALIDATION, "The provided expression refers to an attribute that does not exist in the item")
    assert read_all(streams, arn) == []
    assert ok(raw_call(endpoint, "Scan", {"TableName": t}))["Count"] == 0
