"""ReturnItemCollectionMetrics: on tables with local secondary indexes, writes report the size of the item
collection they changed (the items of one partition key and their LSI entries); on other tables, nothing.

DynamoDB Local never returns ItemCollectionMetrics, so these tests encode the service's documented
behaviour and are skipped there. The 10 GB collection limit is covered by the unit tests (db_test), with a
small limit."""

import pytest

from conftest import table_name, raw_call, _create_table, _drop_table

pytestmark = pytest.mark.local_differs("DynamoDB Local does not return ItemCollectionMetrics")

SMALL = [0.0, 1.0]  # SizeEstimateRangeGB of a collection under 1 GB


@pytest.fixture(scope="module")
def lsi_table(endpoint):
    name = table_name("e2e_icm")
    _create_table(endpoint, name, range_key=("sk", "S"),
                  AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk", "l")],
                  LocalSecondaryIndexes=[{"IndexName": "by_l", "KeySchema": [
                      {"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "l", "KeyType": "RANGE"}],
                      "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    yield name
    _drop_table(endpoint, name)


def metrics(pk):
    return {"ItemCollectionKey": {"pk": {"S": pk}}, "SizeEstimateRangeGB": SMALL}


@pytest.mark.parametrize("op,body", [
    ("PutItem", {"Item": {"pk": {"S": "m1"}, "sk": {"S": "s"}, "l": {"S": "x"}}}),
    ("UpdateItem", {"Key": {"pk": {"S": "m1"}, "sk": {"S": "s"}}, "UpdateExpression": "SET a = :a",
                    "ExpressionAttributeValues": {":a": {"S": "a"}}}),
    ("DeleteItem", {"Key": {"pk": {"S": "m1"}, "sk": {"S": "s"}}}),
])
def test_writes_report_their_item_collection(raw, lsi_table, op, body):
    res = raw(op, dict(body, TableName=lsi_table, ReturnItemCollectionMetrics="SIZE"))
    assert res.status == 200, res
    assert res.body["ItemCollectionMetrics"] == metrics("m1")
    res = raw(op, dict(body, TableName=lsi_table, ReturnItemCollectionMetrics="NONE"))
    assert res.status == 200 and "ItemCollectionMetrics" not in res.body, res


def test_batch_write_reports_each_collection_once(raw, lsi_table):
    puts = [{"PutRequest": {"Item": {"pk": {"S": pk}, "sk": {"S": sk}}}}
            for pk, sk in (("b1", "x"), ("b1", "y"), ("b2", "x"))]
    res = raw("BatchWriteItem", {"RequestItems": {lsi_table: puts}, "ReturnItemCollectionMetrics": "SIZE"})
    assert res.status == 200, res
    got = res.body["ItemCollectionMetrics"][lsi_table]
    assert sorted(got, key=lambda m: m["ItemCollectionKey"]["pk"]["S"]) == [metrics("b1"), metrics("b2")]


def test_tables_without_lsis_report_nothing(raw, table_hr):
    res = raw("PutItem", {"TableName": table_hr, "Item": {"pk": {"S": "icm"}, "sk": {"N": "1"}},
                          "ReturnItemCollectionMetrics": "SIZE"})
    assert res.status == 200 and "ItemCollectionMetrics" not in res.body, res
