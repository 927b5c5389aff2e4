"""BatchGetItem and BatchWriteItem."""

import pytest

from conftest import LOCAL_NOT_FOUND_MSG, NOT_FOUND, VALIDATION, assert_error, expected, unique

DUPLICATES_MSG = "Provided list of item keys contains duplicates"
KEY_SCHEMA_MSG = "The provided key element does not match the schema"
KEY_TYPE_MSG = expected(KEY_SCHEMA_MSG, "One or more parameter values were invalid: Type mismatch for key")
KEY_CONDITIONS_MSG = expected(KEY_SCHEMA_MSG, "The number of conditions on the keys is invalid")


def put_req(item):
    return {"PutRequest": {"Item": item}}


def del_req(key):
    return {"DeleteRequest": {"Key": key}}


def keys(prefix, n):
    return [{"pk": {"S": "%s-%d" % (prefix, i)}} for i in range(n)]


def bwi(raw, request_items, **kw):
    body = {"RequestItems": request_items}
    body.update(kw)
    return raw("BatchWriteItem", body)


def bgi(raw, request_items, **kw):
    body = {"RequestItems": request_items}
    body.update(kw)
    return raw("BatchGetItem", body)


def by_pk(items):
    return {i["pk"]["S"] + ("/" + i["sk"]["N"] if "sk" in i else ""): i for i in items}


# --------------------------------------------------------------------------- BatchWriteItem

def test_batch_write_25_puts(raw, table_h):
    p = unique()
    res = bwi(raw, {table_h: [put_req(dict(k, v={"N": str(i)})) for i, k in enumerate(keys(p, 25))]})
    assert res.status == 200
    assert res.body == {"UnprocessedItems": {}}
    res = bgi(raw, {table_h: {"Keys": keys(p, 25), "ConsistentRead": True}})
    assert res.status == 200
    got = by_pk(res.body["Responses"][table_h])
    assert len(got) == 25
    assert got[p + "-7"]["v"] == {"N": "7"}


def test_batch_write_puts_and_deletes_multiple_tables(raw, table_h, table_hr):
    p = unique()
    raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": p + "-old"}}})
    res = bwi(raw, {
        table_h: [put_req({"pk": {"S": p + "-new"}, "x": {"S": "1"}}), del_req({"pk": {"S": p + "-old"}})],
        table_hr: [put_req({"pk": {"S": p}, "sk": {"N": "1"}}), put_req({"pk": {"S": p}, "sk": {"N": "2"}})],
    })
    assert res.status == 200
    assert res.body["UnprocessedItems"] == {}
    assert "Item" not in raw("GetItem", {"TableName": table_h, "Key": {"pk": {"S": p + "-old"}}}).body
    assert raw("GetItem", {"TableName": table_h, "Key": {"pk": {"S": p + "-new"}}}).body["Item"]["x"] == {"S": "1"}
    for sk in ("1", "2"):
        assert "Item" in raw("GetItem", {"TableName": table_hr, "Key": {"pk": {"S": p}, "sk": {"N": sk}}}).body


def test_batch_write_delete_missing_item(raw, table_h):
    res = bwi(raw, {table_h: [del_req({"pk": {"S": unique()}})]})
    assert res.status == 200
    assert res.body["UnprocessedItems"] == {}


def test_batch_write_consumed_capacity(raw, table_h, table_hr):
    p = unique()
    res = bwi(raw, {
        table_h: [put_req({"pk": {"S": p}}), put_req({"pk": {"S": p + "-big"}, "a": {"S": "x" * 1500}})],
        table_hr: [put_req({"pk": {"S": p}, "sk": {"N": "1"}})],
    }, ReturnConsumedCapacity="TOTAL")
    assert res.status == 200
    cc = {c["TableName"]: c for c in res.body["ConsumedCapacity"]}
    assert cc == {table_h: {"TableName": table_h, "CapacityUnits": 3.0},
                  table_hr: {"TableName": table_hr, "CapacityUnits": 1.0}}
    res = bwi(raw, {table_h: [put_req({"pk": {"S": p}})]}, ReturnConsumedCapacity="INDEXES")
    assert res.body["ConsumedCapacity"] == [{"TableName": table_h, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}]


def test_batch_write_boto3(ddb, table_h):
    p = unique()
    resp = ddb.batch_write_item(RequestItems={table_h: [put_req(k) for k in keys(p, 3)]})
    assert resp["UnprocessedItems"] == {}
    resp = ddb.batch_get_item(RequestItems={table_h: {"Keys": keys(p, 3)}})
    assert len(resp["Responses"][table_h]) == 3
    assert resp["UnprocessedKeys"] == {}


def test_batch_writer_resource(ddb_resource, table_h):
    p = unique()
    t = ddb_resource.Table(table_h)
    with t.batch_writer() as w:
        for i in range(60):
            w.put_item(Item={"pk": "%s-%d" % (p, i), "n": i})
    assert t.get_item(Key={"pk": p + "-59"})["Item"]["n"] == 59


# 26 requests for one table and an empty list for a table: the service's Coral wording, test_wording.py
BATCH_WRITE_INVALID = [
    ("dup_puts", DUPLICATES_MSG),
    ("put_and_delete_same_key", DUPLICATES_MSG),
    ("empty", "BatchWriteItem cannot have a null or no requests set"),
    ("put_missing_key", expected("One or more parameter values were invalid: Missing the key pk in the item",
                                 "One of the required keys was not given a value")),
    ("put_bad_item", "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ("delete_wrong_key_type", KEY_TYPE_MSG),
    ("delete_extra_key_attr", KEY_CONDITIONS_MSG),
]


@pytest.mark.parametrize("request_items,message", BATCH_WRITE_INVALID, ids=[c[0] for c in BATCH_WRITE_INVALID])
def test_batch_write_validation(raw, table_h, request_items, message):
    k = {"pk": {"S": unique()}}
    cases = {
        "dup_puts": {table_h: [put_req(k), put_req(k)]},
        "put_and_delete_same_key": {table_h: [put_req(k), del_req(k)]},
        "empty": {},
        "put_missing_key": {table_h: [put_req({"x": {"S": "a"}})]},
        "put_bad_item": {table_h: [put_req(dict(k, v={}))]},
        "delete_wrong_key_type": {table_h: [del_req({"pk": {"N": "1"}})]},
        "delete_extra_key_attr": {table_h: [del_req(dict(k, x={"S": "1"}))]},
    }
    res = bwi(raw, cases[request_items])
    assert_error(res, VALIDATION, message.format(table=table_h))


def test_batch_write_duplicates_across_tables_are_fine(raw, table_h, make_table):
    other = make_table()
    k = {"pk": {"S": unique()}}
    res = bwi(raw, {table_h: [put_req(k)], other: [put_req(k)]})
    assert res.status == 200 and res.body["UnprocessedItems"] == {}


def test_batch_write_26_across_tables(raw, table_h, table_hr):
    p = unique()
    res = bwi(raw, {table_h: [put_req(x) for x in keys(p, 13)],
                    table_hr: [put_req({"pk": {"S": p}, "sk": {"N": str(i)}}) for i in range(13)]})
    assert_error(res, VALIDATION, "Too many items requested for the BatchWriteItem call")


def test_batch_write_missing_request_items(raw):
    assert_error(raw("BatchWriteItem", {}), VALIDATION, "BatchWriteItem cannot have a null or no requests set")


def test_batch_write_missing_table(raw, table_h):
    res = bwi(raw, {"no_such_table_" + unique(): [put_req({"pk": {"S": "a"}})]})
    assert_error(res, NOT_FOUND, expected("Requested resource not found", LOCAL_NOT_FOUND_MSG))


def test_batch_write_is_validated_before_writing(raw, table_h):
    good = {"pk": {"S": unique()}}
    res = bwi(raw, {table_h: [put_req(good), put_req({"x": {"S": "no key"}})]})
    assert res.status == 400
    assert "Item" not in raw("GetItem", {"TableName": table_h, "Key": good}).body


def test_batch_write_empty_write_request_rejected(raw, table_h):
    res = bwi(raw, {table_h: [{}]})
    assert res.status == 400 and res.code == VALIDATION


# --------------------------------------------------------------------------- BatchGetItem

def test_batch_get_100_keys(raw, table_h):
    p = unique()
    bwi(raw, {table_h: [put_req(k) for k in keys(p, 25)]})
    res = bgi(raw, {table_h: {"Keys": keys(p, 100)}})
    assert res.status == 200
    assert set(res.body) == {"Responses", "UnprocessedKeys"}
    assert res.body["UnprocessedKeys"] == {}
    assert sorted(i["pk"]["S"] for i in res.body["Responses"][table_h]) == sorted(k["pk"]["S"] for k in keys(p, 25))


def test_batch_get_none_found(raw, table_h):
    res = bgi(raw, {table_h: {"Keys": [{"pk": {"S": unique()}}]}})
    assert res.status == 200
    assert res.body == {"Responses": {table_h: []}, "UnprocessedKeys": {}}


def test_batch_get_multiple_tables(raw, table_h, table_hr):
    p = unique()
    raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": p}, "a": {"S": "h"}}})
    raw("PutItem", {"TableName": table_hr, "Item": {"pk": {"S": p}, "sk": {"N": "5"}, "a": {"S": "hr"}}})
    res = bgi(raw, {
        table_h: {"Keys": [{"pk": {"S": p}}, {"pk": {"S": p + "-missing"}}]},
        table_hr: {"Keys": [{"pk": {"S": p}, "sk": {"N": "5"}}, {"pk": {"S": p}, "sk": {"N": "6"}}]},
    })
    assert res.status == 200
    assert res.body["Responses"][table_h] == [{"pk": {"S": p}, "a": {"S": "h"}}]
    assert res.body["Responses"][table_hr] == [{"pk": {"S": p}, "sk": {"N": "5"}, "a": {"S": "hr"}}]
    assert res.body["UnprocessedKeys"] == {}


def test_batch_get_projection_expression(raw, table_h):
    p = unique()
    raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": p}, "a": {"S": "1"}, "b": {"S": "2"}, "c": {"S": "3"}}})
    res = bgi(raw, {table_h: {"Keys": [{"pk": {"S": p}}], "ProjectionExpression": "#a, c",
                              "ExpressionAttributeNames": {"#a": "a"}}})
    assert res.body["Responses"][table_h] == [{"a": {"S": "1"}, "c": {"S": "3"}}]
    res = bgi(raw, {table_h: {"Keys": [{"pk": {"S": p}}], "ProjectionExpression": "#k",
                              "ExpressionAttributeNames": {"#k": "pk"}}})
    assert res.body["Responses"][table_h] == [{"pk": {"S": p}}]


def test_batch_get_attributes_to_get(raw, table_h):
    p = unique()
    raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": p}, "a": {"S": "1"}, "b": {"S": "2"}}})
    res = bgi(raw, {table_h: {"Keys": [{"pk": {"S": p}}], "AttributesToGet": ["b", "zz"]}})
    assert res.body["Responses"][table_h] == [{"b": {"S": "2"}}]


def test_batch_get_consumed_capacity(raw, table_h, table_hr):
    p = unique()
    raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": p + "-1"}}})
    raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": p + "-2"}, "a": {"S": "x" * 5000}}})
    raw("PutItem", {"TableName": table_hr, "Item": {"pk": {"S": p}, "sk": {"N": "1"}}})
    res = bgi(raw, {
        table_h: {"Keys": [{"pk": {"S": p + "-1"}}, {"pk": {"S": p + "-2"}}]},
        table_hr: {"Keys": [{"pk": {"S": p}, "sk": {"N": "1"}}]},
    }, ReturnConsumedCapacity="TOTAL")
    cc = {c["TableName"]: c for c in res.body["ConsumedCapacity"]}
    # eventual: 0.5 (small item) + 1.0 (5 KB item = 2 read units, halved)
    assert cc == {table_h: {"TableName": table_h, "CapacityUnits": 1.5},
                  table_hr: {"TableName": table_hr, "CapacityUnits": 0.5}}
    res = bgi(raw, {table_h: {"Keys": [{"pk": {"S": p + "-1"}}, {"pk": {"S": p + "-2"}}], "ConsistentRead": True}},
              ReturnConsumedCapacity="INDEXES")
    assert res.body["ConsumedCapacity"] == [{"TableName": table_h, "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}}]


# 101 keys and no keys for one table: the service's Coral wording, test_wording.py
BATCH_GET_INVALID = [
    ("too_many_across_tables", "Too many items requested for the BatchGetItem call"),
    ("duplicates", DUPLICATES_MSG),
    ("empty", "BatchGetItem must have some requests set"),
    ("wrong_key_type", KEY_TYPE_MSG),
    ("missing_range", KEY_CONDITIONS_MSG),
    ("both_projections", "Can not use both expression and non-expression parameters in the same request: "
                         "Non-expression parameters: {{AttributesToGet}} Expression parameters: {{ProjectionExpression}}"),
    ("unused_names", "Value provided in ExpressionAttributeNames unused in expressions: keys: {{#u}}"),
]


@pytest.mark.parametrize("case,message", BATCH_GET_INVALID, ids=[c[0] for c in BATCH_GET_INVALID])
def test_batch_get_validation(raw, table_h, table_hr, case, message):
    k = {"pk": {"S": unique()}}
    cases = {
        "too_many_across_tables": {table_h: {"Keys": keys(unique(), 51)},
                                   table_hr: {"Keys": [{"pk": {"S": "a"}, "sk": {"N": str(i)}} for i in range(50)]}},
        "duplicates": {table_h: {"Keys": [k, k]}},
        "empty": {},
        "wrong_key_type": {table_h: {"Keys": [{"pk": {"N": "1"}}]}},
        "missing_range": {table_hr: {"Keys": [{"pk": {"S": "a"}}]}},
        "both_projections": {table_h: {"Keys": [k], "AttributesToGet": ["pk"], "ProjectionExpression": "pk"}},
        "unused_names": {table_h: {"Keys": [k], "ProjectionExpression": "pk", "ExpressionAttributeNames": {"#u": "x"}}},
    }
    assert_error(bgi(raw, cases[case]), VALIDATION, message.format(table=table_h))


def test_batch_get_missing_table(raw):
    assert_error(bgi(raw, {"no_such_table_" + unique(): {"Keys": [{"pk": {"S": "a"}}]}}), NOT_FOUND,
                 expected("Requested resource not found", LOCAL_NOT_FOUND_MSG))


def test_batch_get_missing_request_items(raw):
    assert_error(raw("BatchGetItem", {}), VALIDATION, "BatchGetItem must have some requests set")


def test_batch_get_boto3_resource(ddb_resource, table_h):
    p = unique()
    t = ddb_resource.Table(table_h)
    t.put_item(Item={"pk": p, "n": 3, "s": {"a", "b"}})
    resp = ddb_resource.batch_get_item(RequestItems={table_h: {"Keys": [{"pk": p}], "ConsistentRead": True}})
    assert resp["Responses"][table_h] == [{"pk": p, "n": 3, "s": {"a", "b"}}]
    assert resp["UnprocessedKeys"] == {}
