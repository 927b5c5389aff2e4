"""Time to Live: UpdateTimeToLive and DescribeTimeToLive with DynamoDB's validations, and the sweeper that
deletes expired items (Basalt's runs every second in these tests: --ttl-sweep-interval 1; DynamoDB Local
deletes within about a second too, the service within about two days)."""

import time

import pytest

from conftest import assert_error, constraint_errors, expected, unique

VALIDATION = "ValidationException"
LOCAL_MISSING = "Cannot do operations on a non-existent table"


def update(raw, table, spec):
    body = {"TableName": table}
    if spec is not None:
        body["TimeToLiveSpecification"] = spec
    return raw("UpdateTimeToLive", body)


def describe(raw, table):
    res = raw("DescribeTimeToLive", {"TableName": table})
    assert res.status == 200, res
    return res.body["TimeToLiveDescription"]


def test_enable_describe_disable(raw, make_table):
    t = make_table()
    assert describe(raw, t) == {"TimeToLiveStatus": "DISABLED"}
    res = update(raw, t, {"AttributeName": "expires", "Enabled": True})
    assert res.status == 200, res
    assert res.body == {"TimeToLiveSpecification": {"Enabled": True, "AttributeName": "expires"}}
    assert describe(raw, t) == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"}
    # DynamoDB Local's wording; the service's is believed to be the same
    assert_error(update(raw, t, {"AttributeName": "expires", "Enabled": True}), VALIDATION,
                 "TimeToLive is already enabled")
    assert_error(update(raw, t, {"AttributeName": "other", "Enabled": True}), VALIDATION,
                 "TimeToLive is active on a different AttributeName")
    assert_error(update(raw, t, {"AttributeName": "other", "Enabled": False}), VALIDATION,
                 "TimeToLive is active on a different AttributeName")
    res = update(raw, t, {"AttributeName": "expires", "Enabled": False})
    assert res.status == 200 and res.body["TimeToLiveSpecification"] == {"Enabled": False, "AttributeName": "expires"}
    assert describe(raw, t) == {"TimeToLiveStatus": "DISABLED"}
    assert_error(update(raw, t, {"AttributeName": "expires", "Enabled": False}), VALIDATION,
                 "TimeToLive is already disabled")


@pytest.mark.parametrize("spec,message", [
    (None, expected(constraint_errors((None, "timeToLiveSpecification", "Member must not be null")),
                    "TimeToLiveSpecification cannot be null")),
    ({"Enabled": True}, expected(
        constraint_errors((None, "timeToLiveSpecification.attributeName", "Member must not be null")),
        "AttributeName cannot be null when time to live is being enabled")),
    ({"AttributeName": "ttl"}, expected(
        constraint_errors((None, "timeToLiveSpecification.enabled", "Member must not be null")),
        "AttributeName cannot be null when time to live is being enabled")),
    ({"AttributeName": "", "Enabled": True}, expected(
        constraint_errors(("", "timeToLiveSpecification.attributeName",
                           "Member must have length greater than or equal to 1")),
        "Names of key attributes and attributes projected into an index must be between 1 and 255 characters, "
        "inclusive")),
])
def test_update_validations(raw, table_h, spec, message):
    assert_error(update(raw, table_h, spec), VALIDATION, message)


def test_unknown_table(raw):
    for op, body in (("DescribeTimeToLive", {}),
                     ("UpdateTimeToLive", {"TimeToLiveSpecification": {"AttributeName": "t", "Enabled": True}})):
        res = raw(op, dict(body, TableName="no_such_table_" + unique()[-8:]))
        assert_error(res, "ResourceNotFoundException", expected("Requested resource not found", LOCAL_MISSING))


def test_sweeper_deletes_expired_items_and_their_index_entries(raw, make_table):
    t = make_table(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "by_g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"}}])
    assert update(raw, t, {"AttributeName": "exp", "Enabled": True}).status == 200
    now = int(time.time())
    items = {
        "past": {"N": str(now - 100)},
        "future": {"N": str(now + 3600)},
        "decimal_past": {"N": str(now - 10) + ".5"},
        "string": {"S": str(now - 100)},
        "ancient": {"N": str(now - 6 * 365 * 24 * 3600)},  # over five years ago: ignored, as by DynamoDB
        "none": None,
    }
    for name, exp in items.items():
        item = {"pk": {"S": name}, "g": {"S": "G"}}
        if exp is not None:
            item["exp"] = exp
        assert raw("PutItem", {"TableName": t, "Item": item}).status == 200
    expired = {"past", "decimal_past"}
    deadline = time.monotonic() + 15
    while True:
        left = {i["pk"]["S"] for i in raw("Scan", {"TableName": t}).body["Items"]}
        if not (left & expired) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert left == set(items) - expired
    in_index = {i["pk"]["S"] for i in raw("Query", {"TableName": t, "IndexName": "by_g", "KeyConditionExpression": "g = :g",
                                                    "ExpressionAttributeValues": {":g": {"S": "G"}}}).body["Items"]}
    assert in_index == left
