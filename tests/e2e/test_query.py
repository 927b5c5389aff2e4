"""Query and Scan on tables (indexes come later): key conditions, order,
Limit before the filter, pagination, Select, parallel scan, validations."""

import pytest
from boto3.dynamodb.conditions import Attr, Key

from conftest import assert_error, constraint_errors, expected, unique


@pytest.fixture
def collection(ddb_resource, table_hr):
    """One partition with sort keys 0..9 and a payload, in a shared table (pk S, sk N)."""
    t = ddb_resource.Table(table_hr)
    pk = unique("q")
    with t.batch_writer() as b:
        for i in range(10):
            b.put_item(Item={"pk": pk, "sk": i, "kind": "even" if i % 2 == 0 else "odd", "n": i * 10})
    return t, pk


def sks(items):
    return [int(i["sk"]) for i in items]


@pytest.mark.parametrize("cond,expected_sks", [
    (lambda pk: Key("pk").eq(pk), list(range(10))),
    (lambda pk: Key("pk").eq(pk) & Key("sk").eq(3), [3]),
    (lambda pk: Key("pk").eq(pk) & Key("sk").lt(3), [0, 1, 2]),
    (lambda pk: Key("pk").eq(pk) & Key("sk").lte(3), [0, 1, 2, 3]),
    (lambda pk: Key("pk").eq(pk) & Key("sk").gt(7), [8, 9]),
    (lambda pk: Key("pk").eq(pk) & Key("sk").gte(7), [7, 8, 9]),
    (lambda pk: Key("pk").eq(pk) & Key("sk").between(2, 4), [2, 3, 4]),
])
def test_key_conditions(collection, cond, expected_sks):
    t, pk = collection
    assert sks(t.query(KeyConditionExpression=cond(pk))["Items"]) == expected_sks


def test_reverse_order_with_limit(collection):
    t, pk = collection
    r = t.query(KeyConditionExpression=Key("pk").eq(pk), ScanIndexForward=False, Limit=3)
    assert sks(r["Items"]) == [9, 8, 7]
    assert r["LastEvaluatedKey"] == {"pk": pk, "sk": 7}
    r2 = t.query(KeyConditionExpression=Key("pk").eq(pk), ScanIndexForward=False, Limit=3,
                 ExclusiveStartKey=r["LastEvaluatedKey"])
    assert sks(r2["Items"]) == [6, 5, 4]


def test_limit_counts_items_before_the_filter(collection):
    t, pk = collection
    r = t.query(KeyConditionExpression=Key("pk").eq(pk), FilterExpression=Attr("kind").eq("odd"), Limit=4)
    assert sks(r["Items"]) == [1, 3]
    assert r["Count"] == 2 and r["ScannedCount"] == 4
    assert r["LastEvaluatedKey"]["sk"] == 3


def test_pagination_visits_every_item_once(collection):
    t, pk = collection
    seen, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        r = t.query(KeyConditionExpression=Key("pk").eq(pk), Limit=3, **kw)
        seen += sks(r["Items"])
        start = r.get("LastEvaluatedKey")
        if not start:
            break
    assert seen == list(range(10))


def test_begins_with_on_a_string_sort_key(ddb_resource, make_table):
    name = make_table(range_key=("sk", "S"))
    t = ddb_resource.Table(name)
    for sk in ["ORDER#1", "ORDER#2", "ORDERX", "USER#1", "ORD"]:
        t.put_item(Item={"pk": "c1", "sk": sk})
    r = t.query(KeyConditionExpression=Key("pk").eq("c1") & Key("sk").begins_with("ORDER#"))
    assert [i["sk"] for i in r["Items"]] == ["ORDER#1", "ORDER#2"]


def test_select_count_and_projection(collection):
    t, pk = collection
    r = t.query(KeyConditionExpression=Key("pk").eq(pk), Select="COUNT")
    assert r["Count"] == 10 and "Items" not in r
    r = t.query(KeyConditionExpression=Key("pk").eq(pk), ProjectionExpression="sk, n")
    assert r["Items"][2] == {"sk": 2, "n": 20}


def test_query_consumed_capacity_sums_sizes_before_rounding(collection):
    t, pk = collection
    r = t.query(KeyConditionExpression=Key("pk").eq(pk), ReturnConsumedCapacity="TOTAL")
    assert r["ConsumedCapacity"]["CapacityUnits"] == 0.5
    r = t.query(KeyConditionExpression=Key("pk").eq(pk), ReturnConsumedCapacity="TOTAL", ConsistentRead=True)
    assert r["ConsumedCapacity"]["CapacityUnits"] == 1.0


def test_scan_pages_cover_the_table(ddb_resource, make_table):
    name = make_table()
    t = ddb_resource.Table(name)
    with t.batch_writer() as b:
        for i in range(50):
            b.put_item(Item={"pk": "k%03d" % i})
    seen, start = [], None
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        r = t.scan(Limit=7, **kw)
        seen += [i["pk"] for i in r["Items"]]
        start = r.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(seen) == ["k%03d" % i for i in range(50)]


@pytest.mark.parametrize("total", [1, 2, 3, 7, 64])
def test_parallel_scan_segments_are_disjoint_and_cover_the_table(ddb_resource, make_table, total):
    name = make_table()
    t = ddb_resource.Table(name)
    with t.batch_writer() as b:
        for i in range(40):
            b.put_item(Item={"pk": "p%d" % i})
    seen = []
    for seg in range(total):
        r = t.scan(Segment=seg, TotalSegments=total)
        assert "LastEvaluatedKey" not in r
        seen += [i["pk"] for i in r["Items"]]
    assert sorted(seen) == sorted("p%d" % i for i in range(40))


def test_large_items_page_at_one_megabyte(ddb_resource, make_table):
    name = make_table(range_key=("sk", "N"))
    t = ddb_resource.Table(name)
    blob = "x" * 100_000
    with t.batch_writer() as b:
        for i in range(15):
            b.put_item(Item={"pk": "big", "sk": i, "blob": blob})
    r = t.query(KeyConditionExpression=Key("pk").eq("big"), ProjectionExpression="sk")
    assert 0 < r["Count"] < 15 and "LastEvaluatedKey" in r
    r2 = t.query(KeyConditionExpression=Key("pk").eq("big"), ProjectionExpression="sk",
                 ExclusiveStartKey=r["LastEvaluatedKey"])
    assert r["Count"] + r2["Count"] == 15


QUERY_ERRORS = [
    ({"KeyConditionExpression": "x = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}},
     "Query condition missed key schema element"),
    ({"KeyConditionExpression": "sk = :n", "ExpressionAttributeValues": {":n": {"N": "2"}}},
     "Query condition missed key schema element"),
    ({"KeyConditionExpression": "pk < :p", "ExpressionAttributeValues": {":p": {"S": "p"}}},
     "Query key condition not supported"),
    ({"KeyConditionExpression": "pk = :n", "ExpressionAttributeValues": {":n": {"N": "2"}}},
     "One or more parameter values were invalid: Condition parameter type does not match schema type"),
    ({}, "Either the KeyConditions or KeyConditionExpression parameter must be specified in the request."),
    ({"KeyConditionExpression": "pk = :p", "FilterExpression": "sk > :n",
      "ExpressionAttributeValues": {":p": {"S": "p"}, ":n": {"N": "2"}}},
     "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"),
    ({"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}},
      "ExclusiveStartKey": {"pk": {"S": "q"}, "sk": {"N": "1"}}},
     "The provided starting key does not match the range key predicate"),
    ({"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}},
      "ExclusiveStartKey": {"pk": {"S": "p"}}},
     "Exclusive Start Key must have same size as table's key schema"),
    ({"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}},
      "Select": "ALL_PROJECTED_ATTRIBUTES"},
     "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName"),
    ({"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}},
      "Select": "COUNT", "ProjectionExpression": "x"},
     "Cannot specify the ProjectionExpression when choosing to get only the Count"),
    ({"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}},
      "Select": "SPECIFIC_ATTRIBUTES"},
     "Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES"),
    ({"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}, "IndexName": "nope"},
     "The table does not have the specified index: nope"),
]


@pytest.mark.parametrize("body,message", QUERY_ERRORS)
def test_query_validation(raw, table_hr, body, message):
    assert_error(raw("Query", dict(body, TableName=table_hr)), "ValidationException", message)


def test_query_limit_zero(raw, table_hr):
    res = raw("Query", {"TableName": table_hr, "KeyConditionExpression": "pk = :p",
                        "ExpressionAttributeValues": {":p": {"S": "p"}}, "Limit": 0})
    assert_error(res, "ValidationException", expected(
        service=constraint_errors(("0", "limit", "Member must have value greater than or equal to 1")),
        local="Limit must be greater than or equal to 1"))


# Segment/TotalSegments combinations: test_wording.py
@pytest.mark.parametrize("body,message", [
    ({"Segment": 0, "TotalSegments": 1000001}, "1 validation error detected: Value '1000001' at 'totalSegments' "
                                                "failed to satisfy constraint: Member must have value less than or "
                                                "equal to 1000000"),
    ({"ExclusiveStartKey": {"pk": {"S": "p"}}}, "Exclusive Start Key must have same size as table's key schema"),
])
def test_scan_validation(raw, table_hr, body, message):
    assert_error(raw("Scan", dict(body, TableName=table_hr)), "ValidationException", message)


def test_legacy_key_conditions_and_query_filter(raw, collection):
    _, pk = collection
    res = raw("Query", {"TableName": collection[0].name,
                        "KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": pk}]},
                                          "sk": {"ComparisonOperator": "GE", "AttributeValueList": [{"N": "5"}]}},
                        "QueryFilter": {"kind": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "even"}]}}})
    assert res.status == 200, res
    assert [int(i["sk"]["N"]) for i in res.body["Items"]] == [6, 8]
    assert res.body["ScannedCount"] == 5
