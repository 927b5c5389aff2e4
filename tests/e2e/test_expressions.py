"""Conditions and updates end to end: conditional writes, UpdateItem with
every clause and ReturnValues, optimistic locking under concurrency."""

import threading
from decimal import Decimal

import pytest
from boto3.dynamodb.conditions import Attr
from botocore.exceptions import ClientError

from conftest import assert_client_error, assert_error, unique

CCF = "ConditionalCheckFailedException"


def test_conditional_put_creates_only_when_absent(ddb_resource, table_h):
    t = ddb_resource.Table(table_h)
    k = unique()
    t.put_item(Item={"pk": k, "v": 1}, ConditionExpression=Attr("pk").not_exists())
    with pytest.raises(ClientError) as e:
        t.put_item(Item={"pk": k, "v": 2}, ConditionExpression=Attr("pk").not_exists())
    assert_client_error(e, CCF, "The conditional request failed")
    assert t.get_item(Key={"pk": k}, ConsistentRead=True)["Item"]["v"] == 1


def test_conditional_delete_checks_the_current_value(ddb_resource, table_h):
    t = ddb_resource.Table(table_h)
    k = unique()
    t.put_item(Item={"pk": k, "state": "open"})
    with pytest.raises(ClientError) as e:
        t.delete_item(Key={"pk": k}, ConditionExpression=Attr("state").eq("closed"))
    assert_client_error(e, CCF)
    t.delete_item(Key={"pk": k}, ConditionExpression=Attr("state").eq("open"))
    assert "Item" not in t.get_item(Key={"pk": k}, ConsistentRead=True)


def test_condition_failure_returns_old_item_when_asked(raw, table_h):
    k = unique()
    assert raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": k}, "n": {"N": "7"}}}).status == 200
    res = raw("PutItem", {
        "TableName": table_h, "Item": {"pk": {"S": k}},
        "ConditionExpression": "attribute_not_exists(pk)",
        "ReturnValuesOnConditionCheckFailure": "ALL_OLD"})
    assert_error(res, CCF)
    assert res.body["Item"] == {"pk": {"S": k}, "n": {"N": "7"}}
    res = raw("PutItem", {
        "TableName": table_h, "Item": {"pk": {"S": k}},
        "ConditionExpression": "attribute_not_exists(pk)"})
    assert_error(res, CCF)
    assert "Item" not in res.body


def test_update_creates_the_item_when_absent(ddb_resource, table_h):
    t = ddb_resource.Table(table_h)
    k = unique()
    r = t.update_item(Key={"pk": k}, UpdateExpression="SET a = :a", ExpressionAttributeValues={":a": "x"},
                      ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": k, "a": "x"}


def test_update_clauses_together(ddb_resource, table_h):
    t = ddb_resource.Table(table_h)
    k = unique()
    t.put_item(Item={"pk": k, "count": 5, "tags": {"a", "b"}, "stale": {"a", "x"}, "gone": 1, "doc": {"entries": [1, 2, 3]}})
    r = t.update_item(
        Key={"pk": k},
        UpdateExpression="SET doc.entries[1] = :v, #n = if_not_exists(#n, :zero) + :one "
                         "REMOVE gone, doc.entries[0] ADD #c :one, tags :more DELETE stale :less",
        ExpressionAttributeNames={"#n": "fresh", "#c": "count"},
        ExpressionAttributeValues={":v": 20, ":zero": 0, ":one": 1, ":more": {"c"}, ":less": {"a"}},
        ReturnValues="ALL_NEW")
    assert r["Attributes"] == {"pk": k, "count": 6, "fresh": 1, "tags": {"a", "b", "c"}, "stale": {"x"}, "doc": {"entries": [20, 3]}}


@pytest.mark.parametrize("rv,expected", [
    ("NONE", None),
    ("ALL_OLD", {"a": 1, "b": 2}),
    ("UPDATED_OLD", {"a": 1}),
    ("ALL_NEW", {"a": 2, "b": 2}),
    ("UPDATED_NEW", {"a": 2}),
])
def test_update_return_values(ddb_resource, table_h, rv, expected):
    t = ddb_resource.Table(table_h)
    k = unique()
    t.put_item(Item={"pk": k, "a": 1, "b": 2})
    r = t.update_item(Key={"pk": k}, UpdateExpression="SET a = a + :one", ExpressionAttributeValues={":one": 1},
                      ReturnValues=rv)
    if expected is None:
        assert "Attributes" not in r
    else:
        if rv.startswith("ALL"):
            expected = dict(expected, pk=k)
        assert r["Attributes"] == expected


def test_counter_with_add_is_exact_decimal(ddb_resource, table_h):
    t = ddb_resource.Table(table_h)
    k = unique()
    for _ in range(10):
        t.update_item(Key={"pk": k}, UpdateExpression="ADD n :x", ExpressionAttributeValues={":x": Decimal("0.1")})
    assert t.get_item(Key={"pk": k}, ConsistentRead=True)["Item"]["n"] == Decimal("1")


def test_update_of_a_key_attribute_is_refused(raw, table_h):
    res = raw("UpdateItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}},
                             "UpdateExpression": "SET pk = :v", "ExpressionAttributeValues": {":v": {"S": "x"}}})
    assert_error(res, "ValidationException",
                 "One or more parameter values were invalid: Cannot update attribute pk. "
                 "This attribute is part of the key")


def test_unused_expression_values_are_reported(raw, table_h):
    res = raw("UpdateItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}},
                             "UpdateExpression": "SET a = :a",
                             "ExpressionAttributeValues": {":a": {"S": "x"}, ":b": {"S": "y"}}})
    assert_error(res, "ValidationException",
                 "Value provided in ExpressionAttributeValues unused in expressions: keys: {:b}")


def test_undefined_expression_value_is_reported(raw, table_h):
    res = raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": unique()}},
                          "ConditionExpression": "a = :missing"})
    assert_error(res, "ValidationException",
                 "Invalid ConditionExpression: An expression attribute value used in expression is not defined; "
                 "attribute value: :missing")


def test_legacy_and_expression_parameters_cannot_be_mixed(raw, table_h):
    res = raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": unique()}},
                          "ConditionExpression": "attribute_not_exists(pk)",
                          "Expected": {"pk": {"Exists": False}}})
    assert_error(res, "ValidationException",
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {Expected} Expression parameters: {ConditionExpression}")


def test_optimistic_locking_loses_no_update(ddb_resource, table_h, endpoint):
    """N clients increment a counter guarded by a version attribute, retrying
    on ConditionalCheckFailed: the final count equals the successful updates."""
    from conftest import make_client
    k = unique()
    ddb_resource.Table(table_h).put_item(Item={"pk": k, "version": 0, "count": 0})
    successes = []
    conflicts = []

    def client(n):
        t = make_client(endpoint, resource=True).Table(table_h)
        done = 0
        while done < n:
            item = t.get_item(Key={"pk": k}, ConsistentRead=True)["Item"]
            try:
                t.update_item(Key={"pk": k}, UpdateExpression="SET #c = #c + :one, version = :next",
                              ConditionExpression=Attr("version").eq(item["version"]),
                              ExpressionAttributeNames={"#c": "count"},
                              ExpressionAttributeValues={":one": 1, ":next": item["version"] + 1})
                done += 1
            except ClientError as e:
                assert e.response["Error"]["Code"] == CCF
                conflicts.append(1)
        successes.append(done)

    threads = [threading.Thread(target=client, args=(25,)) for _ in range(8)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    item = ddb_resource.Table(table_h).get_item(Key={"pk": k}, ConsistentRead=True)["Item"]
    assert item["count"] == sum(successes) == 200
    assert item["version"] == 200
    print("optimistic locking: 200 updates, %d conflicts retried" % len(conflicts))
