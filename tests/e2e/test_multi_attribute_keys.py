"""Global secondary indexes with multi-attribute keys (DynamoDB, November 2025): up to four HASH attributes
followed by up to four RANGE attributes, in KeySchema order.

CreateTable, UpdateTable (online creation with backfill) and DescribeTable with such key schemas and their
validation; which items the index holds (sparse: every key attribute present with its declared type), the key
size limits and empty values; Query on the index (equality on every HASH attribute, RANGE attributes constrained
left to right, ordering by the RANGE attributes in order for S, N and B, checked against a brute-force model),
every invalid key condition, legacy KeyConditions, Limit/ExclusiveStartKey/LastEvaluatedKey, Select COUNT,
filters and projections; index maintenance on PutItem, UpdateItem, DeleteItem, TransactWriteItems and
BatchWriteItem; Scan of the index.

Facts come from DynamoDB Local 3.x (which implements the feature). The service's messages for the new
multi-attribute shapes are not documented anywhere (see ../shared/reference/newer-features.md), so where a
constant below is DynamoDB Local's wording only, its comment says so, and the test expects that wording from
both. Where the service's wording for the same family is known (single-attribute index keys), the test uses
expected(service, local) as test_indexes.py does. Debian's botocore 1.29 checks no maximum length of KeySchema,
so boto3 can send these key schemas as they are; most tests use raw requests to see the exact bodies.
"""

import base64
import itertools
import re
import time
from decimal import Decimal

import pytest

from conftest import (NOT_FOUND, VALIDATION, _drop_table, _wait_active, assert_error, constraint_errors, expected,
                      raw_call, table_name)

INVALID = "One or more parameter values were invalid: "
ALL = {"ProjectionType": "ALL"}
KEYS_ONLY = {"ProjectionType": "KEYS_ONLY"}


def ks(hashes, ranges=()):
    return ([{"AttributeName": a, "KeyType": "HASH"} for a in hashes] +
            [{"AttributeName": a, "KeyType": "RANGE"} for a in ranges])


def ad(**types):
    return [{"AttributeName": k, "AttributeType": v} for k, v in types.items()]


def gsi(name, hashes, ranges=(), projection=ALL):
    return {"IndexName": name, "KeySchema": ks(hashes, ranges), "Projection": projection}


def b64(data):
    return base64.b64encode(data).decode()


def wait_indexes(endpoint, name, timeout=60):
    """Polls DescribeTable until the table and all its GSIs are ACTIVE; returns the description."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = raw_call(endpoint, "DescribeTable", {"TableName": name}).body["Table"]
        if t["TableStatus"] == "ACTIVE" and all(g["IndexStatus"] == "ACTIVE"
                                                for g in t.get("GlobalSecondaryIndexes", [])):
            return t
        time.sleep(0.1)
    raise AssertionError("indexes of %s not ACTIVE after %ss" % (name, timeout))


def create_body(attrs, gsis=None, lsis=None, key=(("pk",), ())):
    body = {"TableName": table_name("e2e_mak"), "KeySchema": ks(*key), "AttributeDefinitions": ad(**attrs),
            "BillingMode": "PAY_PER_REQUEST"}
    if gsis is not None:
        body["GlobalSecondaryIndexes"] = gsis
    if lsis is not None:
        body["LocalSecondaryIndexes"] = lsis
    return body


@pytest.fixture
def make(endpoint):
    """make(attrs, gsis=None, lsis=None, key=...) -> (name, CreateTable body); the table is ACTIVE, with its
    indexes, and dropped after the test."""
    created = []

    def call(attrs, **kw):
        body = create_body(attrs, **kw)
        res = raw_call(endpoint, "CreateTable", body)
        assert res.status == 200, res
        created.append(body["TableName"])
        _wait_active(endpoint, body["TableName"])
        wait_indexes(endpoint, body["TableName"])
        return body["TableName"], res.body["TableDescription"]

    yield call
    for name in created:
        _drop_table(endpoint, name)


# --------------------------------------------------------------------------- CreateTable / DescribeTable

NAMES = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
TYPES = {"a": "S", "b": "N", "c": "B", "d": "S", "e": "N", "f": "S", "g": "B", "h": "N", "i": "S"}


def shape(n_hash, n_range):
    hashes, ranges = NAMES[:n_hash], NAMES[n_hash:n_hash + n_range]
    return hashes, ranges, {n: TYPES[n] for n in hashes + ranges}


@pytest.mark.parametrize("n_hash,n_range", [(1, 0), (2, 0), (4, 0), (1, 4), (2, 1), (3, 2), (4, 4)],
                         ids=lambda v: str(v))
def test_create_table_with_multi_attribute_gsi_key(raw, endpoint, make, n_hash, n_range):
    hashes, ranges, types = shape(n_hash, n_range)
    name, td = make(dict(pk="S", **types), gsis=[gsi("multi", hashes, ranges)])
    (g,) = td["GlobalSecondaryIndexes"]
    assert g["KeySchema"] == ks(hashes, ranges)
    assert g["Projection"] == ALL and g["IndexArn"] == td["TableArn"] + "/index/multi"
    assert td["KeySchema"] == ks(["pk"])
    desc = wait_indexes(endpoint, name)
    (g,) = desc["GlobalSecondaryIndexes"]
    assert g["KeySchema"] == ks(hashes, ranges)        # the full key schema, in order
    assert g["IndexStatus"] == "ACTIVE"
    assert sorted((d["AttributeName"], d["AttributeType"]) for d in desc["AttributeDefinitions"]) == \
        sorted([("pk", "S")] + list(types.items()))


def test_table_key_attributes_may_be_parts_of_a_multi_attribute_key(make):
    _, td = make(dict(pk="S", sk="N", a="S", b="N"), key=(("pk",), ("sk",)),
                 gsis=[gsi("mixed", ["pk", "a"], ["sk", "b"])])
    assert td["GlobalSecondaryIndexes"][0]["KeySchema"] == ks(["pk", "a"], ["sk", "b"])


def test_boto3_sends_multi_attribute_key_schemas(ddb, endpoint):
    # botocore 1.29's model still says KeySchema max 2, but its client-side validation checks no maximum
    name = table_name("e2e_mak")
    try:
        td = ddb.create_table(TableName=name, KeySchema=ks(["pk"]), BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=ad(pk="S", a="S", b="S", c="S"),
                              GlobalSecondaryIndexes=[gsi("by_abc", ["a", "b"], ["c"])])["TableDescription"]
        assert td["GlobalSecondaryIndexes"][0]["KeySchema"] == ks(["a", "b"], ["c"])
        wait_indexes(endpoint, name)
        ddb.put_item(TableName=name, Item={"pk": {"S": "1"}, "a": {"S": "A"}, "b": {"S": "B"}, "c": {"S": "C"}})
        items = ddb.query(TableName=name, IndexName="by_abc", KeyConditionExpression="a = :a AND b = :b",
                          ExpressionAttributeValues={":a": {"S": "A"}, ":b": {"S": "B"}})["Items"]
        assert items == [{"pk": {"S": "1"}, "a": {"S": "A"}, "b": {"S": "B"}, "c": {"S": "C"}}]
    finally:
        _drop_table(endpoint, name)


# DynamoDB Local's wording for the new shapes; the service's is not documented (none found in any source).
TOO_MANY_HASH = "Too many partition keys. GSI can have at most 4 partition keys"
TOO_MANY_RANGE = "Too many sort keys. GSI can have at most 4 sort keys"
TOO_BIG = "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"
KEY_ORDER = "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second"
SAME_NAME = "Two keys can not have the same name"
FIRST_NOT_HASH = expected("Invalid KeySchema: The first KeySchemaElement is not a HASH key type", KEY_ORDER)
UNDEFINED_KEYS = re.compile(re.escape(INVALID + "Some index key attributes are not defined in AttributeDefinitions. "
                                                "Keys: [") + ".*")  # the service's, as in test_indexes.py


def undefined(attr):
    return expected(UNDEFINED_KEYS, "Attribute %s is not defined in AttributeDefinitions" % attr)


def attribute_type(value, position):
    return expected(constraint_errors((value, "attributeDefinitions.%d.member.attributeType" % position,
                                       "Member must satisfy enum value set: [B, N, S]")),
                    "Member must satisfy enum value set: [B, N, S]")


def elements(*pairs):
    return [{"AttributeName": a, "KeyType": k} for a, k in pairs]


def g1(key_schema):
    return [{"IndexName": "gsi1", "KeySchema": key_schema, "Projection": ALL}]


ALL_ATTRS = dict(pk="S", sk="S", **TYPES)
H, R = "HASH", "RANGE"
CREATE_INVALID = [
    ("five_hash", dict(gsis=g1(ks(NAMES[:5]))), TOO_MANY_HASH),
    ("five_range", dict(gsis=g1(ks(["a"], NAMES[1:6]))), TOO_MANY_RANGE),
    ("nine_elements_5h_4r", dict(gsis=g1(ks(NAMES[:5], NAMES[5:9]))), TOO_BIG),  # the size is checked first
    ("nine_elements_4h_5r", dict(gsis=g1(ks(NAMES[:4], NAMES[4:9]))), TOO_BIG),
    # the service's wording for a first element that is not HASH is known (test_tables.py, test_indexes.py)
    ("range_before_hash", dict(gsis=g1(elements(("b", R), ("a", H)))), FIRST_NOT_HASH),
    ("hash_after_range", dict(gsis=g1(elements(("a", H), ("b", R), ("c", H)))), KEY_ORDER),
    ("hash_after_two_ranges", dict(gsis=g1(elements(("a", H), ("b", R), ("c", R), ("d", H)))), KEY_ORDER),
    ("same_hash_twice", dict(gsis=g1(ks(["a", "a"]))), SAME_NAME),
    ("same_range_twice", dict(gsis=g1(ks(["a"], ["b", "b"]))), SAME_NAME),
    ("same_attribute_hash_and_range", dict(gsis=g1(ks(["a", "b"], ["a"]))), SAME_NAME),
    ("second_hash_not_defined", dict(gsis=g1(ks(["a", "zz"]))), undefined("zz")),
    ("third_range_not_defined", dict(gsis=g1(ks(["a"], ["b", "c", "zz"]))), undefined("zz")),
    # Local sizes LSIs and tables as before: one HASH and at most one RANGE
    ("lsi_two_ranges", dict(key=(("pk",), ("sk",)), lsis=[{"IndexName": "lsi1", "KeySchema": ks(["pk"], ["a", "b"]),
                                                           "Projection": ALL}]), TOO_BIG),
    ("lsi_two_hashes", dict(key=(("pk",), ("sk",)), lsis=[{"IndexName": "lsi1", "KeySchema": ks(["pk", "a"], ["b"]),
                                                           "Projection": ALL}]), TOO_BIG),
    # the service's wording for two table HASH elements is known from before the feature (test_tables.py)
    ("table_two_hashes", dict(key=(("pk", "a"), ())),
     expected("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
              "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key")),
    ("table_two_ranges", dict(key=(("pk",), ("sk", "a"))), TOO_BIG),
    ("table_two_hashes_and_a_range", dict(key=(("pk", "a"), ("sk",))), TOO_BIG),
]


@pytest.mark.parametrize("kw,message", [c[1:] for c in CREATE_INVALID], ids=[c[0] for c in CREATE_INVALID])
def test_create_table_multi_attribute_key_validation(raw, kw, message):
    key = kw.get("key", (("pk",), ()))
    used = {e["AttributeName"] for g in kw.get("gsis", []) + kw.get("lsis", []) for e in g["KeySchema"]}
    used |= set(key[0]) | set(key[1])
    attrs = {n: t for n, t in ALL_ATTRS.items() if n in used}
    body = create_body(attrs, **kw)
    res = raw("CreateTable", body)
    if res.status == 200:
        raw("DeleteTable", {"TableName": body["TableName"]})
    assert_error(res, VALIDATION, message)
    assert_error(raw("DescribeTable", {"TableName": body["TableName"]}), NOT_FOUND)


@pytest.mark.parametrize("bad", ["M", "BOOL", "SS", "L", "NULL"])
def test_multi_attribute_key_types_must_be_scalar(raw, bad):
    body = create_body(dict(pk="S", a="S", b=bad), gsis=g1(ks(["a"], ["b"])))
    res = raw("CreateTable", body)
    if res.status == 200:
        raw("DeleteTable", {"TableName": body["TableName"]})
    assert_error(res, VALIDATION, attribute_type(bad, 3))


# --------------------------------------------------------------------------- UpdateTable: online creation

def test_update_table_creates_a_multi_attribute_index_online(raw, endpoint, make):
    name, _ = make(dict(pk="S"))
    items = []
    for i in range(12):
        item = {"pk": {"S": "p%02d" % i}, "a": {"S": "A%d" % (i % 2)}, "b": {"N": str(i % 3)}, "c": {"S": "c%02d" % i},
                "d": {"B": b64(bytes([i]))}, "x": {"S": "x%d" % i}}
        if i % 4 == 3:
            del item["d"]          # not in the index: a key attribute is missing
        items.append(item)
        assert raw("PutItem", {"TableName": name, "Item": item}).status == 200
    create = {"Create": {"IndexName": "by_ab_cd", "KeySchema": ks(["a", "b"], ["c", "d"]),
                         "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["x"]}}}
    res = raw("UpdateTable", {"TableName": name, "AttributeDefinitions": ad(pk="S", a="S", b="N", c="S", d="B"),
                              "GlobalSecondaryIndexUpdates": [create]})
    assert res.status == 200, res
    (g,) = res.body["TableDescription"]["GlobalSecondaryIndexes"]
    assert g["IndexName"] == "by_ab_cd" and g["IndexStatus"] == "CREATING"
    assert g["KeySchema"] == ks(["a", "b"], ["c", "d"])
    desc = wait_indexes(endpoint, name)
    (g,) = desc["GlobalSecondaryIndexes"]
    assert g["KeySchema"] == ks(["a", "b"], ["c", "d"]) and g["ItemCount"] == 9
    for a, b in itertools.product(range(2), range(3)):
        res = raw("Query", {"TableName": name, "IndexName": "by_ab_cd", "KeyConditionExpression": "a = :a AND b = :b",
                            "ExpressionAttributeValues": {":a": {"S": "A%d" % a}, ":b": {"N": str(b)}}})
        assert res.status == 200, res
        want = [i for i in items if i["a"]["S"] == "A%d" % a and i["b"]["N"] == str(b) and "d" in i]
        assert res.body["Items"] == want      # ordered by c, the first RANGE attribute; all attributes projected
    # maintained once ACTIVE
    new = {"pk": {"S": "new"}, "a": {"S": "A0"}, "b": {"N": "0"}, "c": {"S": "c"}, "d": {"B": b64(b"z")}}
    assert raw("PutItem", {"TableName": name, "Item": new}).status == 200
    res = raw("Query", {"TableName": name, "IndexName": "by_ab_cd", "KeyConditionExpression": "a = :a AND b = :b",
                        "ExpressionAttributeValues": {":a": {"S": "A0"}, ":b": {"N": "0"}}})
    assert res.body["Items"][0] == new


UPDATE_INVALID = [
    ("five_hash", ks(NAMES[:5]), TOO_MANY_HASH),
    ("five_range", ks(["a"], NAMES[1:6]), TOO_MANY_RANGE),
    ("nine_elements", ks(NAMES[:4], NAMES[4:9]), TOO_BIG),
    ("range_before_hash", elements(("c", R), ("a", H)), FIRST_NOT_HASH),
    ("same_hash_twice", ks(["a", "a"]), SAME_NAME),
    ("hash_not_defined", ks(["a", "zz"]), undefined("zz")),
]


@pytest.mark.parametrize("key_schema,message", [c[1:] for c in UPDATE_INVALID], ids=[c[0] for c in UPDATE_INVALID])
def test_update_table_multi_attribute_key_validation(raw, make, key_schema, message):
    name, _ = make(dict(pk="S"))
    used = [e["AttributeName"] for e in key_schema if e["AttributeName"] != "zz"]
    res = raw("UpdateTable", {"TableName": name, "AttributeDefinitions": ad(pk="S", **{n: TYPES[n] for n in used}),
                              "GlobalSecondaryIndexUpdates": [{"Create": {"IndexName": "gsi1", "KeySchema": key_schema,
                                                                          "Projection": ALL}}]})
    assert_error(res, VALIDATION, message)
    assert "GlobalSecondaryIndexes" not in raw("DescribeTable", {"TableName": name}).body["Table"]


# --------------------------------------------------------------------------- which items the index holds

# A table with one index: HASH h1 (S), h2 (N); RANGE r1 (S), r2 (B).
SMALL_ATTRS = dict(pk="S", h1="S", h2="N", r1="S", r2="B")
FULL = {"h1": {"S": "H"}, "h2": {"N": "7"}, "r1": {"S": "a"}, "r2": {"B": b64(b"\x00")}}


@pytest.fixture
def small(make):
    name, _ = make(SMALL_ATTRS, gsis=[gsi("by_hr", ["h1", "h2"], ["r1", "r2"])])
    return name


def index_pks(raw, name):
    res = raw("Scan", {"TableName": name, "IndexName": "by_hr"})
    assert res.status == 200, res
    return sorted(i["pk"]["S"] for i in res.body["Items"])


def test_item_missing_any_key_attribute_is_not_in_the_index(raw, endpoint, small):
    assert raw("PutItem", {"TableName": small, "Item": dict(FULL, pk={"S": "full"})}).status == 200
    for attr in FULL:
        item = {k: v for k, v in FULL.items() if k != attr}
        assert raw("PutItem", {"TableName": small, "Item": dict(item, pk={"S": "no-" + attr})}).status == 200
    assert raw("PutItem", {"TableName": small, "Item": {"pk": {"S": "none"}, "x": {"S": "x"}}}).status == 200
    assert index_pks(raw, small) == ["full"]
    res = raw("Query", {"TableName": small, "IndexName": "by_hr", "KeyConditionExpression": "h1 = :h AND h2 = :n",
                        "ExpressionAttributeValues": {":h": {"S": "H"}, ":n": {"N": "7"}}})
    assert [i["pk"]["S"] for i in res.body["Items"]] == ["full"]
    (g,) = wait_indexes(endpoint, small)["GlobalSecondaryIndexes"]
    assert g["ItemCount"] == 1


# Index key type mismatches are refused, as for single-attribute keys (test_indexes.py), even when another key
# attribute is missing and the item would not be in the index.
def mismatch(attr, want, got):
    # Local words a set given for a scalar key as for NULL in test_indexes.py
    return expected("%sType mismatch for Index Key %s Expected: %s Actual: %s IndexName: by_hr" % (INVALID, attr, want,
                                                                                                    got),
                    "Invalid attribute value type" if got in ("NS", "SS", "BS", "NULL", "BOOL", "L", "M")
                    else INVALID + "Type mismatch for Index Key")


@pytest.mark.parametrize("attr,value,want,got", [
    ("h1", {"N": "1"}, "S", "N"), ("h2", {"S": "7"}, "N", "S"), ("r1", {"B": b64(b"a")}, "S", "B"),
    ("r2", {"S": "x"}, "B", "S"), ("h2", {"NS": ["7"]}, "N", "NS"),
], ids=["h1_N", "h2_S", "r1_B", "r2_S", "h2_NS"])
@pytest.mark.parametrize("others", ["all", "none"])
def test_wrong_type_in_any_key_attribute_is_refused(raw, small, attr, value, want, got, others):
    base = dict(FULL) if others == "all" else {}
    base[attr] = value
    assert_error(raw("PutItem", {"TableName": small, "Item": dict(base, pk={"S": "bad"})}), VALIDATION,
                 mismatch(attr, want, got))
    assert "Item" not in raw("GetItem", {"TableName": small, "Key": {"pk": {"S": "bad"}}}).body


def empty_key(kind, attr):
    # DynamoDB's wording, as Local's (test_indexes.py)
    return ("One or more parameter values are not valid. A value specified for a secondary index key is not "
            "supported. The AttributeValue for a key attribute cannot contain an empty %s value. IndexName: by_hr, "
            "IndexKey: %s" % (kind, attr))


@pytest.mark.parametrize("attr,value,kind", [("h1", {"S": ""}, "string"), ("r1", {"S": ""}, "string"),
                                             ("r2", {"B": ""}, "binary")], ids=["h1", "r1", "r2"])
@pytest.mark.parametrize("others", ["all", "none"])
def test_empty_value_in_any_key_attribute_is_refused(raw, small, attr, value, kind, others):
    base = dict(FULL) if others == "all" else {}
    base[attr] = value
    assert_error(raw("PutItem", {"TableName": small, "Item": dict(base, pk={"S": "bad"})}), VALIDATION,
                 empty_key(kind, attr))


# Each key attribute keeps the single-attribute limit (2048 bytes in a HASH position, 1024 in a RANGE one), and
# DynamoDB Local also limits the sum over the HASH attributes to 2048 bytes and over the RANGE attributes to 1024
# (sizes as DynamoDB counts them: UTF-8 bytes, raw bytes for B, the packed size for N). Local's wording; the
# service's is not documented.
SIZE_LIMIT = INVALID + "Size limit exceeded"   # Local's, as in test_indexes.py


def aggregate(kind, attrs, limit, actual):
    return ("Aggregate size for %s key attributes %s of index by_hr has exceeded limit %d bytes, with actual size %d "
            "bytes" % (kind, ", ".join(attrs), limit, actual))


def sized(pk, **kw):
    item = dict(FULL, pk={"S": pk})
    item.update(kw)
    return item


@pytest.mark.parametrize("item,message", [
    (sized("h1_2049", h1={"S": "x" * 2049}), SIZE_LIMIT),
    (sized("r1_1025", r1={"S": "x" * 1025}), SIZE_LIMIT),
    (sized("r2_1025", r2={"B": b64(b"x" * 1025)}), SIZE_LIMIT),
    ({"pk": {"S": "r1_alone"}, "r1": {"S": "x" * 1025}}, SIZE_LIMIT),     # even when the item is not indexed
    (sized("hash_sum", h1={"S": "x" * 2047}), aggregate("HASH", ["h1", "h2"], 2048, 2049)),   # h2 7: 2 bytes
    (sized("hash_sum_n", h1={"S": "x" * 2040}, h2={"N": "1" * 38}),
     aggregate("HASH", ["h1", "h2"], 2048, 2060)),                          # 38 digits: 20 bytes
    (sized("range_sum", r1={"S": "x" * 1024}), aggregate("RANGE", ["r1", "r2"], 1024, 1025)),   # r2: 1 byte
    (sized("range_sum_2", r1={"S": "é" * 400}, r2={"B": b64(b"x" * 300)}),
     aggregate("RANGE", ["r1", "r2"], 1024, 1100)),                         # é: 2 bytes in UTF-8
], ids=["h1_2049", "r1_1025", "r2_1025", "r1_1025_unindexed", "hash_sum", "hash_sum_number", "range_sum",
        "range_sum_utf8"])
def test_key_size_limits(raw, small, item, message):
    assert_error(raw("PutItem", {"TableName": small, "Item": item}), VALIDATION, message)
    assert_error(raw("BatchWriteItem", {"RequestItems": {small: [{"PutRequest": {"Item": item}}]}}), VALIDATION,
                 message)
    assert "Item" not in raw("GetItem", {"TableName": small, "Key": {"pk": item["pk"]}}).body


def test_key_sizes_at_the_limits_are_accepted(raw, small):
    items = [sized("hash_2048", h1={"S": "x" * 2046}),                                   # + h2 (2 bytes)
             sized("range_1024", r1={"S": "x" * 1023}),                                  # + r2 (1 byte)
             sized("range_1024_b", r1={"S": "x"}, r2={"B": b64(b"y" * 1023)})]
    for item in items:
        res = raw("PutItem", {"TableName": small, "Item": item})
        assert res.status == 200, res
    assert index_pks(raw, small) == sorted(i["pk"]["S"] for i in items)


@pytest.mark.local_differs("Local checks the aggregate key sizes on PutItem and BatchWriteItem but not on UpdateItem")
def test_update_to_a_key_size_over_the_limit_is_refused(raw, small):
    assert raw("PutItem", {"TableName": small, "Item": sized("u")}).status == 200
    res = raw("UpdateItem", {"TableName": small, "Key": {"pk": {"S": "u"}}, "UpdateExpression": "SET r1 = :v",
                             "ExpressionAttributeValues": {":v": {"S": "x" * 1024}}})
    assert_error(res, VALIDATION, aggregate("RANGE", ["r1", "r2"], 1024, 1025))
    assert raw("GetItem", {"TableName": small, "Key": {"pk": {"S": "u"}}}).body["Item"] == sized("u")


# --------------------------------------------------------------------------- Query: the grid

# Table pk (S) + sk (N); three indexes on HASH h1 (S), h2 (N) and RANGE r1 (S), r2 (N), r3 (B), projecting ALL,
# KEYS_ONLY and INCLUDE [x]. The partition ("H", 7) holds every combination of the RANGE values below: first
# RANGE values that share prefixes ("a" < "a\0b" < "ab"; the later attributes decide among equal ones),
# negative and fractional numbers, and binary values with 0x00 and 0xff bytes. Other partitions differ in one
# HASH attribute only.
R1 = ["a", "a\x00b", "ab", "b", "\u00e9"]
R2 = ["-10", "-1.5", "0", "3", "25"]
R3 = [b"\x00", b"\x01\x02", b"\x01", b"\xff"]
GRID_GSIS = [gsi("by_hr", ["h1", "h2"], ["r1", "r2", "r3"]),
             gsi("by_hr_keys", ["h1", "h2"], ["r1", "r2", "r3"], KEYS_ONLY),
             gsi("by_hr_incl", ["h1", "h2"], ["r1", "r2", "r3"], {"ProjectionType": "INCLUDE",
                                                                  "NonKeyAttributes": ["x"]})]
HV = {":h1": {"S": "H"}, ":h2": {"N": "7"}}
HASH_COND = "h1 = :h1 AND h2 = :h2"


def grid_items():
    items = []
    for n, (r1, r2, r3) in enumerate(itertools.product(R1, R2, R3)):
        items.append({"pk": {"S": "p%03d" % n}, "sk": {"N": str(n)}, "h1": {"S": "H"}, "h2": {"N": "7"},
                      "r1": {"S": r1}, "r2": {"N": r2}, "r3": {"B": b64(r3)}, "x": {"N": str(n % 3)},
                      "y": {"S": "y%d" % n}})
    return items


OTHER_PARTITIONS = [("H", "8"), ("I", "7"), ("h", "7"), ("H", "-7")]


@pytest.fixture(scope="module")
def grid(endpoint):
    body = create_body(dict(pk="S", sk="N", h1="S", h2="N", r1="S", r2="N", r3="B"), gsis=GRID_GSIS,
                       key=(("pk",), ("sk",)))
    res = raw_call(endpoint, "CreateTable", body)
    assert res.status == 200, res
    name = body["TableName"]
    try:
        _wait_active(endpoint, name)
        wait_indexes(endpoint, name)
        items = grid_items()
        others = []
        for n, (h1, h2) in enumerate(OTHER_PARTITIONS):
            others.append({"pk": {"S": "o%d" % n}, "sk": {"N": "0"}, "h1": {"S": h1}, "h2": {"N": h2},
                           "r1": {"S": "a"}, "r2": {"N": "0"}, "r3": {"B": b64(b"\x00")}})
        puts = [{"PutRequest": {"Item": i}} for i in items + others]
        for start in range(0, len(puts), 25):
            res = raw_call(endpoint, "BatchWriteItem", {"RequestItems": {name: puts[start:start + 25]}})
            assert res.status == 200 and not res.body["UnprocessedItems"], res
        yield name, items
    finally:
        _drop_table(endpoint, name)


def sort_key(item):
    return (item["r1"]["S"].encode(), Decimal(item["r2"]["N"]), base64.b64decode(item["r3"]["B"]))


def model(items, *preds):
    """The grid items matching every predicate, in index order."""
    return sorted((i for i in items if all(p(i) for p in preds)), key=sort_key)


def query(raw, name, cond, values=None, index="by_hr", **kw):
    body = dict(kw, TableName=name, IndexName=index, KeyConditionExpression=cond,
                ExpressionAttributeValues=dict(HV, **(values or {})))
    return raw("Query", body)


def query_all(raw, name, cond, values=None, **kw):
    res = query(raw, name, cond, values, **kw)
    assert res.status == 200, res
    assert "LastEvaluatedKey" not in res.body
    return res.body["Items"]


def pks(items):
    return [i["pk"]["S"] for i in items]


def S(v):
    return {"S": v}


def N(v):
    return {"N": str(v)}


def B(v):
    return {"B": b64(v)}


r1_ = lambda i: i["r1"]["S"].encode()               # noqa: E731
r2_ = lambda i: Decimal(i["r2"]["N"])               # noqa: E731
r3_ = lambda i: base64.b64decode(i["r3"]["B"])      # noqa: E731

# (id, condition on the RANGE attributes, values, predicates of the model)
CONDITIONS = [
    ("hash_only", "", {}, []),
    ("r1_eq", "r1 = :a", {":a": S("ab")}, [lambda i: r1_(i) == b"ab"]),
    ("r1_eq_prefix_of_others", "r1 = :a", {":a": S("a")}, [lambda i: r1_(i) == b"a"]),
    ("r1_lt", "r1 < :a", {":a": S("ab")}, [lambda i: r1_(i) < b"ab"]),
    ("r1_le", "r1 <= :a", {":a": S("a\x00b")}, [lambda i: r1_(i) <= b"a\x00b"]),
    ("r1_gt", "r1 > :a", {":a": S("a")}, [lambda i: r1_(i) > b"a"]),
    ("r1_ge", "r1 >= :a", {":a": S("b")}, [lambda i: r1_(i) >= b"b"]),
    ("r1_between", "r1 BETWEEN :a AND :b", {":a": S("a\x00"), ":b": S("ab")},
     [lambda i: b"a\x00" <= r1_(i) <= b"ab"]),
    ("r1_begins_with", "begins_with(r1, :a)", {":a": S("a")}, [lambda i: r1_(i).startswith(b"a")]),
    ("r1_begins_with_nul", "begins_with(r1, :a)", {":a": S("a\x00")}, [lambda i: r1_(i).startswith(b"a\x00")]),
    ("r1_begins_with_utf8", "begins_with(r1, :a)", {":a": S("\u00e9")}, [lambda i: r1_(i) == "\u00e9".encode()]),
    ("r1_eq_r2_eq", "r1 = :a AND r2 = :n", {":a": S("a"), ":n": N("-1.5")},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) == Decimal("-1.5")]),
    ("r1_eq_r2_lt_negative", "r1 = :a AND r2 < :n", {":a": S("a"), ":n": N("-1")},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) < -1]),
    ("r1_eq_r2_le", "r1 = :a AND r2 <= :n", {":a": S("ab"), ":n": N("0")},
     [lambda i: r1_(i) == b"ab", lambda i: r2_(i) <= 0]),
    ("r1_eq_r2_gt", "r1 = :a AND r2 > :n", {":a": S("ab"), ":n": N("-1.5")},
     [lambda i: r1_(i) == b"ab", lambda i: r2_(i) > Decimal("-1.5")]),
    ("r1_eq_r2_ge_fraction", "r1 = :a AND r2 >= :n", {":a": S("b"), ":n": N("2.999")},
     [lambda i: r1_(i) == b"b", lambda i: r2_(i) >= Decimal("2.999")]),
    ("r1_eq_r2_between", "r1 = :a AND r2 BETWEEN :lo AND :hi", {":a": S("a\x00b"), ":lo": N("-2"), ":hi": N("3")},
     [lambda i: r1_(i) == b"a\x00b", lambda i: -2 <= r2_(i) <= 3]),
    ("all_eq", "r1 = :a AND r2 = :n AND r3 = :b", {":a": S("a"), ":n": N("0"), ":b": B(b"\x01")},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) == 0, lambda i: r3_(i) == b"\x01"]),
    ("r3_lt", "r1 = :a AND r2 = :n AND r3 < :b", {":a": S("a"), ":n": N("0"), ":b": B(b"\x01\x02")},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) == 0, lambda i: r3_(i) < b"\x01\x02"]),
    ("r3_gt", "r1 = :a AND r2 = :n AND r3 > :b", {":a": S("b"), ":n": N("25"), ":b": B(b"\x01")},
     [lambda i: r1_(i) == b"b", lambda i: r2_(i) == 25, lambda i: r3_(i) > b"\x01"]),
    ("r3_between", "r1 = :a AND r2 = :n AND r3 BETWEEN :lo AND :hi",
     {":a": S("ab"), ":n": N("-10"), ":lo": B(b"\x00\x00"), ":hi": B(b"\x01\x01")},
     [lambda i: r1_(i) == b"ab", lambda i: r2_(i) == -10, lambda i: b"\x00\x00" <= r3_(i) <= b"\x01\x01"]),
    ("r3_begins_with", "r1 = :a AND r2 = :n AND begins_with(r3, :b)", {":a": S("a"), ":n": N("3"), ":b": B(b"\x01")},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) == 3, lambda i: r3_(i).startswith(b"\x01")]),
    ("conditions_in_any_order", "r3 >= :b AND r2 = :n AND r1 = :a", {":a": S("a"), ":n": N("3"), ":b": B(b"\x01")},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) == 3, lambda i: r3_(i) >= b"\x01"]),
    ("no_match", "r1 = :a AND r2 > :n", {":a": S("a"), ":n": N("25")}, [lambda i: False]),
]


@pytest.mark.parametrize("forward", [True, False], ids=["forward", "backward"])
@pytest.mark.parametrize("cond,values,preds", [c[1:] for c in CONDITIONS], ids=[c[0] for c in CONDITIONS])
def test_query_matches_a_brute_force_model(raw, grid, cond, values, preds, forward):
    name, items = grid
    want = model(items, *preds)
    if not forward:
        want.reverse()
    full = HASH_COND + (" AND " + cond if cond else "")
    got = query_all(raw, name, full, values, ScanIndexForward=forward)
    assert pks(got) == pks(want)
    assert got == want                                 # projection ALL: whole items


def test_hash_condition_may_come_in_any_order(raw, grid):
    name, items = grid
    got = query_all(raw, name, "r1 = :a AND h2 = :h2 AND h1 = :h1", {":a": S("b")})
    assert pks(got) == pks(model(items, lambda i: r1_(i) == b"b"))


def test_each_hash_attribute_selects_the_partition(raw, grid):
    name, _ = grid
    for n, (h1, h2) in enumerate(OTHER_PARTITIONS):
        res = raw("Query", {"TableName": name, "IndexName": "by_hr", "KeyConditionExpression": HASH_COND,
                            "ExpressionAttributeValues": {":h1": S(h1), ":h2": N(h2)}})
        assert pks(res.body["Items"]) == ["o%d" % n], (h1, h2)
    res = raw("Query", {"TableName": name, "IndexName": "by_hr", "KeyConditionExpression": HASH_COND,
                        "ExpressionAttributeValues": {":h1": S("H"), ":h2": N("9")}})
    assert res.body["Items"] == [] and res.body["Count"] == 0


def test_number_hash_attribute_matches_by_value(raw, grid):
    name, items = grid
    # 7.0 and 7E0 are the number 7
    for v in ("7.0", "7E0", "0.7e1"):
        res = query(raw, name, HASH_COND + " AND r1 = :a", {":h2": N(v), ":a": S("b")}, Select="COUNT")
        assert res.body["Count"] == len(R2) * len(R3), v


def test_select_count(raw, grid):
    name, items = grid
    res = query(raw, name, HASH_COND + " AND begins_with(r1, :a)", {":a": S("a")}, Select="COUNT")
    assert res.status == 200, res
    n = len(model(items, lambda i: r1_(i).startswith(b"a")))
    assert res.body == {"Count": n, "ScannedCount": n}


def test_filter_on_non_key_attributes(raw, grid):
    name, items = grid
    res = query(raw, name, HASH_COND + " AND r1 = :a", {":a": S("ab"), ":x": N(1)}, FilterExpression="x = :x")
    want = model(items, lambda i: r1_(i) == b"ab", lambda i: i["x"]["N"] == "1")
    assert pks(res.body["Items"]) == pks(want)
    assert res.body["ScannedCount"] == len(R2) * len(R3)


@pytest.mark.parametrize("attr", ["h1", "h2", "r1", "r2", "r3"])
def test_filter_on_an_index_key_attribute_is_refused(raw, grid, attr):
    name, _ = grid
    res = query(raw, name, HASH_COND, {":v": S("x")}, FilterExpression="#a = :v", ExpressionAttributeNames={"#a": attr})
    assert_error(res, VALIDATION,
                 "Filter Expression can only contain non-primary key attributes: Primary key attribute: " + attr)


def test_filter_on_the_table_key_is_allowed(raw, grid):
    name, items = grid
    res = query(raw, name, HASH_COND + " AND r1 = :a", {":a": S("b"), ":s": N(70)}, FilterExpression="sk < :s")
    assert pks(res.body["Items"]) == pks(model(items, lambda i: r1_(i) == b"b", lambda i: int(i["sk"]["N"]) < 70))


INDEX_KEY = {"h1", "h2", "r1", "r2", "r3", "pk", "sk"}


@pytest.mark.parametrize("index,attrs", [("by_hr_keys", INDEX_KEY), ("by_hr_incl", INDEX_KEY | {"x"})])
def test_projections(raw, grid, index, attrs):
    name, items = grid
    got = query_all(raw, name, HASH_COND + " AND r1 = :a AND r2 = :n", {":a": S("a"), ":n": N(0)}, index=index)
    want = model(items, lambda i: r1_(i) == b"a", lambda i: r2_(i) == 0)
    assert got == [{k: v for k, v in i.items() if k in attrs} for i in want]


def test_all_projected_attributes_and_specific_attributes(raw, grid):
    name, items = grid
    got = query_all(raw, name, HASH_COND + " AND r1 = :a AND r2 = :n", {":a": S("b"), ":n": N(3)},
                    index="by_hr_incl", Select="ALL_PROJECTED_ATTRIBUTES")
    assert all(set(i) == INDEX_KEY | {"x"} for i in got) and len(got) == len(R3)
    got = query_all(raw, name, HASH_COND + " AND r1 = :a AND r2 = :n", {":a": S("b"), ":n": N(3)},
                    ProjectionExpression="r2, y")
    assert got == [{"r2": N(3), "y": i["y"]} for i in model(items, lambda i: r1_(i) == b"b", lambda i: r2_(i) == 3)]


@pytest.mark.parametrize("forward", [True, False], ids=["forward", "backward"])
@pytest.mark.parametrize("limit", [1, 7, 25])
def test_pagination_visits_every_item_once_in_order(raw, grid, forward, limit):
    name, items = grid
    want = model(items, lambda i: r1_(i) < b"b")
    if not forward:
        want.reverse()
    seen, start, pages = [], None, 0
    while True:
        kw = {"ExclusiveStartKey": start} if start else {}
        res = query(raw, name, HASH_COND + " AND r1 < :a", {":a": S("b")}, Limit=limit, ScanIndexForward=forward,
                    **kw)
        assert res.status == 200, res
        body = res.body
        seen += body["Items"]
        pages += 1
        start = body.get("LastEvaluatedKey")
        if start is None:
            break
        last = body["Items"][-1]
        # all the index's key attributes, plus the table's key
        assert start == {k: last[k] for k in INDEX_KEY}
        assert pages < 200
    assert pks(seen) == pks(want)


def test_last_evaluated_key_of_keys_only_index_and_scan(raw, grid):
    name, _ = grid
    res = query(raw, name, HASH_COND, index="by_hr_keys", Limit=1)
    assert set(res.body["LastEvaluatedKey"]) == INDEX_KEY
    res = raw("Scan", {"TableName": name, "IndexName": "by_hr", "Limit": 3})
    assert set(res.body["LastEvaluatedKey"]) == INDEX_KEY


def test_exclusive_start_key_need_not_be_an_item(raw, grid):
    name, items = grid
    start = {"pk": S("zzz"), "sk": N(0), "h1": S("H"), "h2": N(7), "r1": S("a"), "r2": N("-1.4"), "r3": B(b"\x00")}
    got = query_all(raw, name, HASH_COND + " AND r1 = :a", {":a": S("a")}, ExclusiveStartKey=start)
    assert pks(got) == pks(model(items, lambda i: r1_(i) == b"a", lambda i: r2_(i) > Decimal("-1.4")))


GRID_START = {"pk": S("p000"), "sk": N(0), "h1": S("H"), "h2": N(7), "r1": S("a"), "r2": N(-10), "r3": B(b"\x00")}
BAD_START = expected(re.compile(r"The provided starting key is invalid(: .*)?"), "The provided starting key is invalid")


@pytest.mark.parametrize("start,message", [
    ({k: v for k, v in GRID_START.items() if k != "r3"}, BAD_START),
    ({k: v for k, v in GRID_START.items() if k != "h2"}, BAD_START),
    ({k: v for k, v in GRID_START.items() if k != "sk"}, BAD_START),
    (dict(GRID_START, x=N(1)), BAD_START),
    (dict(GRID_START, h2=N(8)), "The provided starting key does not match the range key predicate"),
], ids=["no_r3", "no_h2", "no_table_range_key", "extra_attribute", "other_partition"])
def test_exclusive_start_key_validation(raw, grid, start, message):
    name, _ = grid
    assert_error(query(raw, name, HASH_COND, ExclusiveStartKey=start), VALIDATION, message)


def test_scan_of_the_index(raw, grid):
    name, items = grid
    seen, start = [], None
    while True:
        body = {"TableName": name, "IndexName": "by_hr", "Limit": 17}
        if start:
            body["ExclusiveStartKey"] = start
        res = raw("Scan", body)
        assert res.status == 200, res
        seen += res.body["Items"]
        start = res.body.get("LastEvaluatedKey")
        if not start:
            break
    assert sorted(pks(seen)) == sorted(pks(items) + ["o%d" % n for n in range(len(OTHER_PARTITIONS))])
    # within a partition, a Scan of the index returns the index order
    in_grid = [i for i in seen if i["pk"]["S"].startswith("p")]
    assert pks(in_grid) == pks(model(items))


# --------------------------------------------------------------------------- Query: invalid shapes

# DynamoDB Local's wording; the service's for these shapes is not documented.
def hash_eq(*attrs):
    return "HASH key attributes %s must have equality conditions specified in the query" % ", ".join(attrs)


def range_eq(attrs, because):
    return ("RANGE key attributes %s must have equality conditions specified in the query because a condition is "
            "present on key attribute %s" % (", ".join(attrs), because))


ONE_PER_KEY = "KeyConditionExpressions must only contain one condition per key"   # as for single-attribute keys
# Local names no attribute here (for single-attribute keys too); the service's form is not verified
MISSED_KEY = expected(re.compile(r"Query condition missed key schema element(: \w+)?"),
                      "Query condition missed key schema element")
COND_TYPE = INVALID + "Condition parameter type does not match schema type"

INVALID_SHAPES = [
    ("missing_h2", "h1 = :h1", {":h1": S("H")}, hash_eq("h2")),
    ("missing_h1", "h2 = :h2", {":h2": N(7)}, hash_eq("h1")),
    ("missing_h1_with_range", "h2 = :h2 AND r1 = :a", {":h2": N(7), ":a": S("a")}, hash_eq("h1")),
    ("no_hash_at_all", "r1 = :a", {":a": S("a")}, hash_eq("h1", "h2")),
    ("range_condition_on_h2", "h1 = :h1 AND h2 > :h2", HV, hash_eq("h2")),
    ("between_on_h2", "h1 = :h1 AND h2 BETWEEN :h2 AND :h2", HV, hash_eq("h2")),
    ("begins_with_on_h1", "begins_with(h1, :h1) AND h2 = :h2", HV, hash_eq("h1")),
    ("skip_r1", "h1 = :h1 AND h2 = :h2 AND r2 = :n", dict(HV, **{":n": N(0)}), range_eq(["r1"], "r2")),
    ("skip_r1_r2", "h1 = :h1 AND h2 = :h2 AND r3 = :b", dict(HV, **{":b": B(b"\x00")}), range_eq(["r1", "r2"], "r3")),
    ("skip_r2", "h1 = :h1 AND h2 = :h2 AND r1 = :a AND r3 = :b", dict(HV, **{":a": S("a"), ":b": B(b"\x00")}),
     range_eq(["r2"], "r3")),
    ("range_on_r1_then_r2", "h1 = :h1 AND h2 = :h2 AND r1 > :a AND r2 = :n", dict(HV, **{":a": S("a"), ":n": N(0)}),
     range_eq(["r1"], "r2")),
    ("begins_with_on_r1_then_r2", "h1 = :h1 AND h2 = :h2 AND begins_with(r1, :a) AND r2 = :n",
     dict(HV, **{":a": S("a"), ":n": N(0)}), range_eq(["r1"], "r2")),
    ("range_on_r2_then_r3", "h1 = :h1 AND h2 = :h2 AND r1 = :a AND r2 < :n AND r3 = :b",
     dict(HV, **{":a": S("a"), ":n": N(0), ":b": B(b"\x00")}), range_eq(["r2"], "r3")),
    ("two_conditions_on_r1", "h1 = :h1 AND h2 = :h2 AND r1 > :a AND r1 < :b", dict(HV, **{":a": S("a"), ":b": S("b")}),
     ONE_PER_KEY),
    ("two_equalities_on_r2", "h1 = :h1 AND h2 = :h2 AND r1 = :a AND r2 = :n AND r2 = :m",
     dict(HV, **{":a": S("a"), ":n": N(0), ":m": N(1)}), ONE_PER_KEY),
    ("h1_twice", "h1 = :h1 AND h1 = :h1 AND h2 = :h2", HV, ONE_PER_KEY),
    ("non_key_attribute", "h1 = :h1 AND h2 = :h2 AND x = :n", dict(HV, **{":n": N(0)}), MISSED_KEY),
    ("table_hash_key", "h1 = :h1 AND h2 = :h2 AND pk = :p", dict(HV, **{":p": S("p000")}), MISSED_KEY),
    ("table_range_key", "h1 = :h1 AND h2 = :h2 AND sk = :n", dict(HV, **{":n": N(0)}), MISSED_KEY),
    ("h2_wrong_type", "h1 = :h1 AND h2 = :h2", {":h1": S("H"), ":h2": S("7")}, COND_TYPE),
    ("r2_wrong_type", "h1 = :h1 AND h2 = :h2 AND r1 = :a AND r2 > :n", dict(HV, **{":a": S("a"), ":n": S("0")}),
     COND_TYPE),
    ("r3_wrong_type", "h1 = :h1 AND h2 = :h2 AND r1 = :a AND r2 = :n AND r3 = :b",
     dict(HV, **{":a": S("a"), ":n": N(0), ":b": S("x")}), COND_TYPE),
    ("begins_with_on_number", "h1 = :h1 AND h2 = :h2 AND r1 = :a AND begins_with(r2, :n)",
     dict(HV, **{":a": S("a"), ":n": N(1)}),
     "Invalid KeyConditionExpression: Incorrect operand type for operator or function; operator or function: "
     "begins_with, operand type: N"),
    ("or", "h1 = :h1 OR h2 = :h2", HV, "Invalid operator used in KeyConditionExpression: OR"),
    ("in", "h1 IN (:h1) AND h2 = :h2", HV, "Invalid operator used in KeyConditionExpression: IN"),
    ("not_equal", "h1 = :h1 AND h2 = :h2 AND r1 <> :a", dict(HV, **{":a": S("a")}),
     "Invalid operator used in KeyConditionExpression: <>"),
]


@pytest.mark.parametrize("cond,values,message", [c[1:] for c in INVALID_SHAPES], ids=[c[0] for c in INVALID_SHAPES])
def test_invalid_key_condition_shapes(raw, grid, cond, values, message):
    name, _ = grid
    res = raw("Query", {"TableName": name, "IndexName": "by_hr", "KeyConditionExpression": cond,
                        "ExpressionAttributeValues": values})
    assert_error(res, VALIDATION, message)


# --------------------------------------------------------------------------- legacy KeyConditions

def kc(op, *values):
    return {"ComparisonOperator": op, "AttributeValueList": list(values)}


HASH_KC = {"h1": kc("EQ", S("H")), "h2": kc("EQ", N(7))}

LEGACY = [
    ("hash_only", {}, []),
    ("r1_eq", {"r1": kc("EQ", S("ab"))}, [lambda i: r1_(i) == b"ab"]),
    ("r1_begins_with", {"r1": kc("BEGINS_WITH", S("a"))}, [lambda i: r1_(i).startswith(b"a")]),
    ("r1_eq_r2_gt", {"r1": kc("EQ", S("a")), "r2": kc("GT", N(0))},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) > 0]),
    ("r1_eq_r2_between", {"r1": kc("EQ", S("b")), "r2": kc("BETWEEN", N(-5), N(3))},
     [lambda i: r1_(i) == b"b", lambda i: -5 <= r2_(i) <= 3]),
    ("r3_le", {"r1": kc("EQ", S("a")), "r2": kc("EQ", N(3)), "r3": kc("LE", B(b"\x01"))},
     [lambda i: r1_(i) == b"a", lambda i: r2_(i) == 3, lambda i: r3_(i) <= b"\x01"]),
]


@pytest.mark.parametrize("conds,preds", [c[1:] for c in LEGACY], ids=[c[0] for c in LEGACY])
def test_legacy_key_conditions(raw, grid, conds, preds):
    name, items = grid
    res = raw("Query", {"TableName": name, "IndexName": "by_hr", "KeyConditions": dict(HASH_KC, **conds)})
    assert res.status == 200, res
    assert pks(res.body["Items"]) == pks(model(items, *preds))


@pytest.mark.parametrize("conds,message", [
    ({"h1": kc("EQ", S("H"))}, hash_eq("h2")),
    ({"h1": kc("EQ", S("H")), "h2": kc("GT", N(7))}, hash_eq("h2")),
    (dict(HASH_KC, r2=kc("EQ", N(0))), range_eq(["r1"], "r2")),
    (dict(HASH_KC, r1=kc("GT", S("a")), r2=kc("EQ", N(0))), range_eq(["r1"], "r2")),
], ids=["missing_h2", "range_on_h2", "skip_r1", "range_on_r1_then_r2"])
def test_legacy_key_conditions_invalid_shapes(raw, grid, conds, message):
    name, _ = grid
    assert_error(raw("Query", {"TableName": name, "IndexName": "by_hr", "KeyConditions": conds}), VALIDATION, message)


# --------------------------------------------------------------------------- writes move index entries

@pytest.fixture
def moving(make):
    name, _ = make(dict(pk="S", h1="S", h2="N", r1="S", r2="N"), gsis=[gsi("by_hr", ["h1", "h2"], ["r1", "r2"])])
    return name


def entries(raw, name, h1="H", h2=7):
    """{pk: (r1, r2)} of the partition (h1, h2), checking the order."""
    res = raw("Query", {"TableName": name, "IndexName": "by_hr", "KeyConditionExpression": HASH_COND,
                        "ExpressionAttributeValues": {":h1": S(h1), ":h2": N(h2)}})
    assert res.status == 200, res
    got = [(i["r1"]["S"], Decimal(i["r2"]["N"])) for i in res.body["Items"]]
    assert got == sorted(got, key=lambda t: (t[0].encode(), t[1]))
    return {i["pk"]["S"]: (i["r1"]["S"], int(i["r2"]["N"])) for i in res.body["Items"]}


def item(pk, r1="a", r2=1, h1="H", h2=7, **extra):
    return dict({"pk": S(pk), "h1": S(h1), "h2": N(h2), "r1": S(r1), "r2": N(r2)}, **extra)


def ok(res):
    assert res.status == 200, res
    return res.body


def test_put_and_update_move_the_entry(raw, moving):
    t = moving
    ok(raw("PutItem", {"TableName": t, "Item": item("a", "m", 5)}))
    ok(raw("PutItem", {"TableName": t, "Item": item("b", "m", 3)}))
    assert entries(raw, t) == {"a": ("m", 5), "b": ("m", 3)}
    ok(raw("PutItem", {"TableName": t, "Item": item("a", "c", 5)}))                    # first RANGE attribute
    assert entries(raw, t) == {"a": ("c", 5), "b": ("m", 3)}
    ok(raw("UpdateItem", {"TableName": t, "Key": {"pk": S("b")}, "UpdateExpression": "SET r2 = r2 - :n",
                          "ExpressionAttributeValues": {":n": N(10)}}))                # second RANGE attribute
    assert entries(raw, t) == {"a": ("c", 5), "b": ("m", -7)}
    ok(raw("UpdateItem", {"TableName": t, "Key": {"pk": S("b")}, "UpdateExpression": "SET h2 = :n",
                          "ExpressionAttributeValues": {":n": N(8)}}))                 # a HASH attribute
    assert entries(raw, t) == {"a": ("c", 5)}
    assert entries(raw, t, h2=8) == {"b": ("m", -7)}
    ok(raw("UpdateItem", {"TableName": t, "Key": {"pk": S("a")}, "UpdateExpression": "REMOVE r2"}))
    assert entries(raw, t) == {}                                                        # now sparse
    ok(raw("UpdateItem", {"TableName": t, "Key": {"pk": S("a")}, "UpdateExpression": "SET r2 = :n",
                          "ExpressionAttributeValues": {":n": N(0)}}))
    assert entries(raw, t) == {"a": ("c", 0)}
    ok(raw("UpdateItem", {"TableName": t, "Key": {"pk": S("a")},
                          "AttributeUpdates": {"h1": {"Action": "PUT", "Value": S("G")}}}))   # legacy
    assert entries(raw, t) == {} and entries(raw, t, h1="G") == {"a": ("c", 0)}
    ok(raw("UpdateItem", {"TableName": t, "Key": {"pk": S("a")}, "UpdateExpression": "SET x = :x",
                          "ExpressionAttributeValues": {":x": S("x")}}))               # no key change
    assert entries(raw, t, h1="G") == {"a": ("c", 0)}
    ok(raw("PutItem", {"TableName": t, "Item": {"pk": S("a")}}))                        # replaced without keys
    assert entries(raw, t, h1="G") == {}


def test_delete_removes_the_entry(raw, moving):
    t = moving
    for pk in ("a", "b", "c"):
        ok(raw("PutItem", {"TableName": t, "Item": item(pk, pk, 1)}))
    ok(raw("DeleteItem", {"TableName": t, "Key": {"pk": S("b")}}))
    assert entries(raw, t) == {"a": ("a", 1), "c": ("c", 1)}
    assert pks(raw("Scan", {"TableName": t, "IndexName": "by_hr"}).body["Items"]) == ["a", "c"]


def test_transact_write_items_move_entries(raw, moving):
    t = moving
    for pk in ("a", "b", "c"):
        ok(raw("PutItem", {"TableName": t, "Item": item(pk, pk, 1)}))
    ok(raw("TransactWriteItems", {"TransactItems": [
        {"Put": {"TableName": t, "Item": item("d", "d", 4)}},
        {"Update": {"TableName": t, "Key": {"pk": S("a")}, "UpdateExpression": "SET r1 = :v",
                    "ExpressionAttributeValues": {":v": S("z")}}},
        {"Update": {"TableName": t, "Key": {"pk": S("b")}, "UpdateExpression": "SET h1 = :v",
                    "ExpressionAttributeValues": {":v": S("G")}}},
        {"Delete": {"TableName": t, "Key": {"pk": S("c")}}},
    ]}))
    assert entries(raw, t) == {"a": ("z", 1), "d": ("d", 4)}
    assert entries(raw, t, h1="G") == {"b": ("b", 1)}


def test_transact_write_refuses_a_wrong_key_type(raw, moving):
    t = moving
    bad = item("a")
    bad["r2"] = S("x")
    res = raw("TransactWriteItems", {"TransactItems": [{"Put": {"TableName": t, "Item": bad}}]})
    assert res.status == 400 and res.code == "TransactionCanceledException", res
    assert res.body["CancellationReasons"] == [{"Code": "ValidationError", "Message": expected(
        INVALID + "Type mismatch for Index Key r2 Expected: N Actual: S IndexName: by_hr",
        INVALID + "Type mismatch for Index Key")}]
    assert entries(raw, t) == {}


def test_batch_write_items_move_entries(raw, moving):
    t = moving
    for pk in ("a", "b"):
        ok(raw("PutItem", {"TableName": t, "Item": item(pk, pk, 1)}))
    body = ok(raw("BatchWriteItem", {"RequestItems": {t: [
        {"PutRequest": {"Item": item("a", "a", -1)}},
        {"DeleteRequest": {"Key": {"pk": S("b")}}},
        {"PutRequest": {"Item": item("c", "c", 2, h2=9)}},
    ]}}))
    assert body["UnprocessedItems"] == {}
    assert entries(raw, t) == {"a": ("a", -1)}
    assert entries(raw, t, h2=9) == {"c": ("c", 2)}


def test_index_item_count_follows_writes(raw, endpoint, moving):
    t = moving
    for pk in ("a", "b", "c"):
        ok(raw("PutItem", {"TableName": t, "Item": item(pk)}))
    ok(raw("UpdateItem", {"TableName": t, "Key": {"pk": S("a")}, "UpdateExpression": "REMOVE h1"}))
    ok(raw("DeleteItem", {"TableName": t, "Key": {"pk": S("b")}}))
    (g,) = wait_indexes(endpoint, t)["GlobalSecondaryIndexes"]
    assert g["ItemCount"] == 1
