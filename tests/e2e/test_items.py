"""Single-item operations: PutItem, GetItem, DeleteItem."""

import base64
import decimal
import json

import botocore.exceptions
import pytest
from boto3.dynamodb.types import Binary

from conftest import (LOCAL_NOT_FOUND_MSG, NOT_FOUND, VALIDATION, assert_client_error, assert_error,
                      constraint_errors, expected, unique)

RETURN_VALUES_MSG = "Return values set to invalid value"
# any Key that is not exactly the table's key attributes with their types
KEY_SCHEMA_MSG = "The provided key element does not match the schema"
LOCAL_KEY_SIZE_MSG = ("Hash primary key values must be under 2048 bytes, and range primary key values must be under "
                      "1024 bytes")
HASH_KEY_SIZE_MSG = expected("One or more parameter values were invalid: Size of hashkey has exceeded the maximum size "
                             "limit of2048 bytes", LOCAL_KEY_SIZE_MSG)  # sic: "of2048"
RANGE_KEY_SIZE_MSG = expected("One or more parameter values were invalid: Aggregated size of all range keys has "
                              "exceeded the size limit of 1024 bytes", LOCAL_KEY_SIZE_MSG)
ITEM_SIZE_MSG = "Item size has exceeded the maximum allowed size"


def missing_key_msg(name):
    """PutItem/BatchWriteItem put whose item lacks key attribute `name`."""
    return expected("One or more parameter values were invalid: Missing the key %s in the item" % name,
                    "One of the required keys was not given a value")


def type_mismatch_msg(name, want, got, local="One or more parameter values were invalid: Type mismatch for key"):
    """PutItem whose key attribute `name` has type `got` instead of `want`."""
    return expected("One or more parameter values were invalid: Type mismatch for key %s expected: %s actual: %s"
                    % (name, want, got), local)


def not_a_number_msg(text):
    service = "The parameter cannot be converted to a numeric value"
    return expected(service + ": " + text if text else service, "A value provided cannot be converted into a number")


TOO_PRECISE_MSG = expected("Attempting to store more than 38 significant digits in a Number",
                           "DynamoDB only supports precision up to 38 digits")
NESTING_MSG = ("Nesting Levels have exceeded supported limits: "
               "Attributes in the item have nested levels beyond supported limit")


def get(raw, table, key, **kw):
    body = {"TableName": table, "Key": key}
    body.update(kw)
    res = raw("GetItem", body)
    assert res.status == 200, res
    return res.body


def put(raw, table, item, **kw):
    body = {"TableName": table, "Item": item}
    body.update(kw)
    return raw("PutItem", body)


def norm_sets(value):
    """Sets have no defined order on the wire: sort them for comparison."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if k in ("SS", "BS"):
                out[k] = sorted(v)
            elif k == "NS":
                out[k] = sorted(v, key=decimal.Decimal)
            else:
                out[k] = norm_sets(v)
        return out
    if isinstance(value, list):
        return [norm_sets(v) for v in value]
    return value


ALL_TYPES = {
    "s": {"S": "hello world"},
    "n": {"N": "-12.5"},
    "b": {"B": base64.b64encode(bytes(range(256))).decode()},
    "ss": {"SS": ["b", "a", "c", ""]},
    "ns": {"NS": ["3", "-5", "20", "0.25"]},
    "bs": {"BS": ["AQ==", "Ag==", "/w=="]},
    "m": {"M": {"inner": {"S": "x"}, "num": {"N": "7"}, "deeper": {"M": {"flag": {"BOOL": True}}}, "empty": {"M": {}}}},
    "l": {"L": [{"S": "a"}, {"N": "1"}, {"NULL": True}, {"L": []}, {"M": {"k": {"SS": ["z"]}}}, {"B": "AAE="}]},
    "null": {"NULL": True},
    "bool_t": {"BOOL": True},
    "bool_f": {"BOOL": False},
}


# --------------------------------------------------------------------------- round trips

def test_all_types_round_trip_raw(raw, table_h, key):
    item = dict(ALL_TYPES, pk={"S": key})
    assert put(raw, table_h, item).status == 200
    got = get(raw, table_h, {"pk": {"S": key}}, ConsistentRead=True)["Item"]
    assert set(got) == set(item)
    assert norm_sets(got) == norm_sets(item)
    # exact wire form for scalars
    assert got["b"] == ALL_TYPES["b"]
    assert got["null"] == {"NULL": True}
    assert got["bool_f"] == {"BOOL": False}


@pytest.mark.parametrize("name", sorted(ALL_TYPES))
def test_each_type_round_trip(raw, table_h, name):
    k = unique()
    item = {"pk": {"S": k}, "v": ALL_TYPES[name]}
    assert put(raw, table_h, item).status == 200
    got = get(raw, table_h, {"pk": {"S": k}})["Item"]
    assert norm_sets(got) == norm_sets(item)


def test_all_types_round_trip_boto3_resource(ddb_resource, table_h, key):
    t = ddb_resource.Table(table_h)
    item = {
        "pk": key,
        "s": "text ☃",
        "n": decimal.Decimal("3.14"),
        "big": decimal.Decimal("12345678901234567890123456789012345678"),
        "b": Binary(b"\x00\x01\xfe\xff"),
        "ss": {"x", "y"},
        "ns": {decimal.Decimal(1), decimal.Decimal("2.5")},
        "bs": {Binary(b"\x01"), Binary(b"\x02")},
        "m": {"a": [1, "two", None, True], "b": {"c": Binary(b"\x00")}},
        "l": [decimal.Decimal(0), "", {"x": False}],
        "nul": None,
        "t": True,
        "f": False,
    }
    t.put_item(Item=item)
    got = t.get_item(Key={"pk": key}, ConsistentRead=True)["Item"]
    assert got == item


def test_binary_all_byte_values_boto3(ddb, table_h, key):
    data = bytes(range(256)) * 3
    ddb.put_item(TableName=table_h, Item={"pk": {"S": key}, "b": {"B": data}, "bs": {"BS": [b"\x00", b"\xff\x00"]}})
    got = ddb.get_item(TableName=table_h, Key={"pk": {"S": key}})["Item"]
    assert got["b"]["B"] == data
    assert sorted(got["bs"]["BS"]) == [b"\x00", b"\xff\x00"]


def test_binary_hash_key(raw, make_table):
    t = make_table(hash_key=("id", "B"))
    k = base64.b64encode(b"\x00\xffkey").decode()
    assert put(raw, t, {"id": {"B": k}, "v": {"S": "x"}}).status == 200
    assert get(raw, t, {"id": {"B": k}})["Item"] == {"id": {"B": k}, "v": {"S": "x"}}
    assert "Item" not in get(raw, t, {"id": {"B": base64.b64encode(b"\x00\xffkez").decode()}})


def test_number_hash_key_is_numeric(raw, make_table):
    t = make_table(hash_key=("id", "N"))
    assert put(raw, t, {"id": {"N": "1.50"}, "v": {"S": "x"}}).status == 200
    # 1.5 and 1.50 are the same key
    assert get(raw, t, {"id": {"N": "1.5"}})["Item"] == {"id": {"N": "1.5"}, "v": {"S": "x"}}
    assert get(raw, t, {"id": {"N": "15e-1"}})["Item"]["v"] == {"S": "x"}


def test_unicode_strings_and_names(raw, table_h, key):
    item = {"pk": {"S": key}, "ünïcödé ☃": {"S": "héllo ☃ 𝄞 中文"}, "emoji": {"SS": ["😀", "ß"]}}
    assert put(raw, table_h, item).status == 200
    got = get(raw, table_h, {"pk": {"S": key}})["Item"]
    assert norm_sets(got) == norm_sets(item)


def test_unicode_sent_as_utf8_bytes(raw, table_h, key):
    # json.dumps escapes non-ASCII by default; here the body carries the UTF-8 bytes themselves (2, 3 and
    # 4-byte sequences, some after 16 or more ASCII bytes), as most SDKs send them.
    item = {"pk": {"S": key}, "ünïcödé ☃": {"S": "x" * 20 + "héllo ☃ 𝄞 中文"}, "emoji": {"SS": ["😀", "ß"]}}
    body = json.dumps({"TableName": table_h, "Item": item}, ensure_ascii=False).encode()
    assert raw("PutItem", body).status == 200
    got = get(raw, table_h, {"pk": {"S": key}})["Item"]
    assert norm_sets(got) == norm_sets(item)


def test_control_characters_come_back_escaped(raw, table_h, key):
    # Every byte below 0x20 (ESC starts a terminal colour code), some alone amid 40 plain bytes, where a
    # 16-byte scan looks at them: JSON requires them escaped, and requests' strict parser rejects a
    # response that has one raw (RapidJSON's SSE2 scan let a lone 0x1A-0x1F through).
    text = ("x" * 40 + "\x1b" + "y" * 40 + "\x1f" + "z" * 40 + "".join(chr(c) for c in range(1, 0x20)) +
            "\x1b[31mred\x1b[0m")
    item = {"pk": {"S": key}, "s": {"S": text}, "ss": {"SS": [text]}, "m": {"M": {"k\x1f": {"S": text}}}}
    assert put(raw, table_h, item).status == 200
    assert get(raw, table_h, {"pk": {"S": key}})["Item"] == item  # written from the stored item
    res = raw("GetItem", {"TableName": table_h, "Key": {"pk": {"S": key}}, "ProjectionExpression": "s"})
    assert res.body["Item"] == {"s": {"S": text}}  # written from the typed item
    res = raw("BatchGetItem", {"RequestItems": {table_h: {"Keys": [{"pk": {"S": key}}]}}})
    assert res.body["Responses"][table_h] == [item]
    res = raw("Query", {"TableName": table_h, "KeyConditionExpression": "pk = :k",
                        "ExpressionAttributeValues": {":k": {"S": key}}})
    assert res.body["Items"] == [item]


def test_unicode_key(raw, table_h):
    k = "ключ-𝄞-" + unique()
    assert put(raw, table_h, {"pk": {"S": k}}).status == 200
    assert get(raw, table_h, {"pk": {"S": k}})["Item"] == {"pk": {"S": k}}


def test_empty_string_and_binary_non_key(raw, table_h, key):
    item = {"pk": {"S": key}, "s": {"S": ""}, "b": {"B": ""}, "ss": {"SS": [""]}, "l": {"L": [{"S": ""}]}}
    assert put(raw, table_h, item).status == 200
    assert get(raw, table_h, {"pk": {"S": key}})["Item"] == item


def test_hash_range_items_are_distinct(raw, table_hr, key):
    for sk in ("1", "2", "-3.5"):
        assert put(raw, table_hr, {"pk": {"S": key}, "sk": {"N": sk}, "v": {"S": "v" + sk}}).status == 200
    for sk in ("1", "2", "-3.5"):
        got = get(raw, table_hr, {"pk": {"S": key}, "sk": {"N": sk}})["Item"]
        assert got["v"] == {"S": "v" + sk}
    assert "Item" not in get(raw, table_hr, {"pk": {"S": key}, "sk": {"N": "4"}})


def test_put_replaces_whole_item(raw, table_h, key):
    put(raw, table_h, {"pk": {"S": key}, "a": {"S": "1"}, "b": {"S": "2"}})
    put(raw, table_h, {"pk": {"S": key}, "c": {"N": "3"}})
    assert get(raw, table_h, {"pk": {"S": key}})["Item"] == {"pk": {"S": key}, "c": {"N": "3"}}


def test_get_missing_item(raw, table_h):
    res = raw("GetItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}}})
    assert res.status == 200
    assert res.body == {}


@pytest.mark.parametrize("consistent", [True, False])
def test_read_your_write(raw, table_h, key, consistent):
    put(raw, table_h, {"pk": {"S": key}, "v": {"N": "1"}})
    assert get(raw, table_h, {"pk": {"S": key}}, ConsistentRead=consistent)["Item"]["v"] == {"N": "1"}


# --------------------------------------------------------------------------- numbers

NUMBER_FORMS = [
    ("1.0", "1"), ("01", "1"), ("1e2", "100"), ("1E+2", "100"), ("-0", "0"), ("-0.0", "0"), ("0.000", "0"),
    ("0e10", "0"), ("0.10", "0.1"), ("+1", "1"), (".5", "0.5"), ("5.", "5"), ("-1.500", "-1.5"),
    ("1e-5", "0.00001"), ("1.23e10", "12300000000"), ("00.00100", "0.001"), ("123.456e3", "123456"),
    ("1.5e-3", "0.0015"), ("1e+0", "1"), ("100", "100"), ("-7", "-7"),
    ("12345678901234567890123456789012345678", "12345678901234567890123456789012345678"),
    ("1e125", "1" + "0" * 125),
    ("9.9999999999999999999999999999999999999E+125", "9" * 38 + "0" * 88),
    ("1e-130", "0." + "0" * 129 + "1"),
    ("-1e-130", "-0." + "0" * 129 + "1"),
    ("1.00000000000000000000000000000000000000000000000000", "1"),
    ("1" + "0" * 48, "1" + "0" * 48),
]


@pytest.mark.parametrize("given,canonical", NUMBER_FORMS, ids=[g[:20] for g, _ in NUMBER_FORMS])
def test_number_canonical_form(raw, table_h, given, canonical):
    k = unique()
    assert put(raw, table_h, {"pk": {"S": k}, "v": {"N": given}}).status == 200
    assert get(raw, table_h, {"pk": {"S": k}})["Item"]["v"] == {"N": canonical}


def test_number_set_canonical_form(raw, table_h, key):
    assert put(raw, table_h, {"pk": {"S": key}, "v": {"NS": ["3", "1.0", "20", "-5", "0.50"]}}).status == 200
    got = get(raw, table_h, {"pk": {"S": key}})["Item"]["v"]["NS"]
    assert sorted(got, key=decimal.Decimal) == ["-5", "0.5", "1", "3", "20"]


@pytest.mark.parametrize("value,message", [
    ("abc", not_a_number_msg("abc")), ("", not_a_number_msg("")), (" 1", not_a_number_msg(" 1")),
    ("0x10", not_a_number_msg("0x10")), ("Infinity", not_a_number_msg("Infinity")), ("NaN", not_a_number_msg("NaN")),
    ("1e", not_a_number_msg("1e")), ("--1", not_a_number_msg("--1")),
    ("1" * 39, TOO_PRECISE_MSG),
    ("1.0000000000000000000000000000000000000000001", TOO_PRECISE_MSG),
    ("1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("-1e126", "Number overflow. Attempting to store a number with magnitude larger than supported range"),
    ("1e-131", "Number underflow. Attempting to store a number with magnitude smaller than supported range"),
], ids=["abc", "empty", "space", "hex", "inf", "nan", "1e", "--1", "39digits", "44digits", "overflow",
        "neg_overflow", "underflow"])
def test_invalid_numbers(raw, table_h, value, message):
    assert_error(put(raw, table_h, {"pk": {"S": unique()}, "v": {"N": value}}), VALIDATION, message)


# --------------------------------------------------------------------------- ReturnValues

def test_return_values_none(raw, table_h, key):
    put(raw, table_h, {"pk": {"S": key}, "a": {"S": "old"}})
    res = put(raw, table_h, {"pk": {"S": key}, "a": {"S": "new"}}, ReturnValues="NONE")
    assert res.status == 200
    assert res.body == {}


def test_return_values_default_is_none(raw, table_h, key):
    put(raw, table_h, {"pk": {"S": key}, "a": {"S": "old"}})
    res = put(raw, table_h, {"pk": {"S": key}, "a": {"S": "new"}})
    assert res.body == {}


def test_return_values_all_old(raw, table_h, key):
    old = {"pk": {"S": key}, "a": {"S": "old"}, "n": {"N": "1"}, "l": {"L": [{"BOOL": True}]}}
    put(raw, table_h, old)
    res = put(raw, table_h, {"pk": {"S": key}, "b": {"S": "new"}}, ReturnValues="ALL_OLD")
    assert res.status == 200
    assert res.body == {"Attributes": old}


def test_return_values_all_old_without_previous(raw, table_h):
    res = put(raw, table_h, {"pk": {"S": unique()}}, ReturnValues="ALL_OLD")
    assert res.status == 200
    assert res.body == {}


RETURN_VALUES_ENUM = "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_put_invalid_return_values(raw, table_h, rv):
    assert_error(put(raw, table_h, {"pk": {"S": unique()}}, ReturnValues=rv), VALIDATION, RETURN_VALUES_MSG)


@pytest.mark.parametrize("op,body", [("PutItem", {"Item": {"pk": {"S": "a"}}}), ("DeleteItem", {"Key": {"pk": {"S": "a"}}})],
                         ids=["PutItem", "DeleteItem"])
def test_unknown_return_values(raw, table_h, op, body):
    res = raw(op, dict(body, TableName=table_h, ReturnValues="BOGUS"))
    assert_error(res, VALIDATION,
                 expected(constraint_errors(("BOGUS", "returnValues", RETURN_VALUES_ENUM)), RETURN_VALUES_MSG))


def test_put_return_values_all_new_boto3(ddb, table_h):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        ddb.put_item(TableName=table_h, Item={"pk": {"S": unique()}}, ReturnValues="ALL_NEW")
    assert_client_error(ei, VALIDATION, RETURN_VALUES_MSG)


def test_delete_item_all_old(raw, table_h, key):
    item = {"pk": {"S": key}, "a": {"SS": ["x"]}}
    put(raw, table_h, item)
    res = raw("DeleteItem", {"TableName": table_h, "Key": {"pk": {"S": key}}, "ReturnValues": "ALL_OLD"})
    assert res.status == 200
    assert norm_sets(res.body) == {"Attributes": item}
    assert get(raw, table_h, {"pk": {"S": key}}) == {}
    res = raw("DeleteItem", {"TableName": table_h, "Key": {"pk": {"S": key}}, "ReturnValues": "ALL_OLD"})
    assert res.status == 200
    assert "Attributes" not in res.body


def test_delete_item_default(raw, table_hr, key):
    put(raw, table_hr, {"pk": {"S": key}, "sk": {"N": "1"}})
    put(raw, table_hr, {"pk": {"S": key}, "sk": {"N": "2"}})
    res = raw("DeleteItem", {"TableName": table_hr, "Key": {"pk": {"S": key}, "sk": {"N": "1"}}})
    assert res.status == 200 and res.body == {}
    assert get(raw, table_hr, {"pk": {"S": key}, "sk": {"N": "1"}}) == {}
    assert "Item" in get(raw, table_hr, {"pk": {"S": key}, "sk": {"N": "2"}})


def test_delete_missing_item_is_ok(raw, table_h):
    res = raw("DeleteItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}}})
    assert res.status == 200
    assert "Attributes" not in res.body


@pytest.mark.local_differs("Local returns ConsumedCapacity for a DeleteItem of a missing item even when not asked")
def test_delete_missing_item_empty_response(raw, table_h):
    res = raw("DeleteItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}}})
    assert res.status == 200 and res.body == {}


@pytest.mark.parametrize("rv", ["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"])
def test_delete_invalid_return_values(raw, table_h, rv):
    res = raw("DeleteItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}}, "ReturnValues": rv})
    assert_error(res, VALIDATION, RETURN_VALUES_MSG)


# --------------------------------------------------------------------------- projections

def test_get_projection_expression(raw, table_h, key):
    put(raw, table_h, {"pk": {"S": key}, "a": {"S": "hello"}, "b": {"N": "2"}, "c": {"BOOL": True}})
    assert get(raw, table_h, {"pk": {"S": key}}, ProjectionExpression="a")["Item"] == {"a": {"S": "hello"}}
    got = get(raw, table_h, {"pk": {"S": key}}, ProjectionExpression="#x, c", ExpressionAttributeNames={"#x": "b"})
    assert got["Item"] == {"b": {"N": "2"}, "c": {"BOOL": True}}


def test_get_projection_nested_paths(raw, table_h, key):
    put(raw, table_h, {"pk": {"S": key}, "m": {"M": {"x": {"S": "1"}, "y": {"N": "2"}}},
                       "l": {"L": [{"S": "a"}, {"S": "b"}, {"S": "c"}]}, "top": {"S": "t"}})
    got = get(raw, table_h, {"pk": {"S": key}}, ProjectionExpression="m.x, l[1], #t",
              ExpressionAttributeNames={"#t": "top"})
    assert got["Item"] == {"m": {"M": {"x": {"S": "1"}}}, "l": {"L": [{"S": "b"}]}, "top": {"S": "t"}}


def test_get_projection_of_missing_attribute(raw, table_h, key):
    put(raw, table_h, {"pk": {"S": key}, "a": {"S": "x"}})
    assert get(raw, table_h, {"pk": {"S": key}}, ProjectionExpression="nope") == {"Item": {}}


def test_get_attributes_to_get(raw, table_h, key):
    put(raw, table_h, {"pk": {"S": key}, "a": {"S": "hello"}, "b": {"N": "2"}})
    got = get(raw, table_h, {"pk": {"S": key}}, AttributesToGet=["a", "missing"])
    assert got["Item"] == {"a": {"S": "hello"}}


@pytest.mark.parametrize("extra,message", [
    ({"AttributesToGet": ["a"], "ProjectionExpression": "a"},
     "Can not use both expression and non-expression parameters in the same request: "
     "Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}"),
    ({"ProjectionExpression": "a", "ExpressionAttributeNames": {"#unused": "b"}},
     "Value provided in ExpressionAttributeNames unused in expressions: keys: {#unused}"),
    ({"ProjectionExpression": "#u"},
     "Invalid ProjectionExpression: An expression attribute name used in the document path is not defined; "
     "attribute name: #u"),
    ({"AttributesToGet": ["a", "a"]}, expected("One or more parameter values were invalid: Duplicate value in "
                                               "attribute name: a", "Cannot have two attributes with the same name")),
    ({"ProjectionExpression": ""}, "Invalid ProjectionExpression: The expression can not be empty;"),
    ({"ProjectionExpression": "m.x, m"},
     "Invalid ProjectionExpression: Two document paths overlap with each other; must remove or rewrite one of "
     "these paths; path one: [m, x], path two: [m]"),
    ({"ExpressionAttributeNames": {"#t": "top"}},
     "ExpressionAttributeNames can only be specified when using expressions"),
], ids=["both", "unused_name", "undefined_name", "dup_attributes_to_get", "empty_projection", "overlap",
        "names_without_expression"])
def test_get_projection_validation(raw, table_h, extra, message):
    body = {"TableName": table_h, "Key": {"pk": {"S": unique()}}}
    body.update(extra)
    assert_error(raw("GetItem", body), VALIDATION, message)


# --------------------------------------------------------------------------- consumed capacity

def sized_item(key, size):
    """Item of exactly `size` bytes: pk (2 + len(key)) + attribute 'a' (1 + len(value))."""
    n = size - (2 + len(key)) - 1
    assert n >= 0
    return {"pk": {"S": key}, "a": {"S": "x" * n}}


@pytest.mark.parametrize("size,units", [
    (30, 1.0), (1024, 1.0), (1025, 2.0), (2048, 2.0), (2049, 3.0), (4096, 4.0), (4097, 5.0), (8193, 9.0),
    (400 * 1024, 400.0),
])
def test_put_consumed_capacity(raw, table_h, size, units):
    k = unique()
    res = put(raw, table_h, sized_item(k, size), ReturnConsumedCapacity="TOTAL")
    assert res.status == 200
    assert res.body == {"ConsumedCapacity": {"TableName": table_h, "CapacityUnits": units}}


@pytest.mark.parametrize("size,consistent,eventual", [
    (30, 1.0, 0.5), (4096, 1.0, 0.5), (4097, 2.0, 1.0), (8192, 2.0, 1.0), (8193, 3.0, 1.5), (400 * 1024, 100.0, 50.0),
])
def test_get_consumed_capacity(raw, table_h, size, consistent, eventual):
    k = unique()
    put(raw, table_h, sized_item(k, size))
    for cr, units in ((True, consistent), (False, eventual)):
        body = get(raw, table_h, {"pk": {"S": k}}, ReturnConsumedCapacity="TOTAL", ConsistentRead=cr)
        assert body["ConsumedCapacity"] == {"TableName": table_h, "CapacityUnits": units}
        assert "Item" in body


def test_get_missing_item_consumed_capacity(raw, table_h):
    k = {"pk": {"S": unique()}}
    assert get(raw, table_h, k, ReturnConsumedCapacity="TOTAL") == \
        {"ConsumedCapacity": {"TableName": table_h, "CapacityUnits": 0.5}}
    assert get(raw, table_h, k, ReturnConsumedCapacity="TOTAL", ConsistentRead=True) == \
        {"ConsumedCapacity": {"TableName": table_h, "CapacityUnits": 1.0}}


def test_get_projection_does_not_reduce_capacity(raw, table_h, key):
    put(raw, table_h, sized_item(key, 5000))
    body = get(raw, table_h, {"pk": {"S": key}}, ProjectionExpression="pk", ReturnConsumedCapacity="TOTAL",
               ConsistentRead=True)
    assert body["ConsumedCapacity"]["CapacityUnits"] == 2.0


def test_replacing_put_charges_larger_item(raw, table_h, key):
    put(raw, table_h, sized_item(key, 4097))
    res = put(raw, table_h, sized_item(key, 30), ReturnConsumedCapacity="TOTAL")
    assert res.body["ConsumedCapacity"]["CapacityUnits"] == 5.0
    res = put(raw, table_h, sized_item(key, 3000), ReturnConsumedCapacity="TOTAL")
    assert res.body["ConsumedCapacity"]["CapacityUnits"] == 3.0


def test_delete_consumed_capacity(raw, table_h, key):
    put(raw, table_h, sized_item(key, 4097))
    body = {"TableName": table_h, "Key": {"pk": {"S": key}}, "ReturnConsumedCapacity": "TOTAL"}
    res = raw("DeleteItem", body)
    assert res.body == {"ConsumedCapacity": {"TableName": table_h, "CapacityUnits": 5.0}}
    res = raw("DeleteItem", body)
    assert res.body == {"ConsumedCapacity": {"TableName": table_h, "CapacityUnits": 1.0}}


def test_consumed_capacity_indexes_shape(raw, table_h, key):
    res = put(raw, table_h, sized_item(key, 100), ReturnConsumedCapacity="INDEXES")
    assert res.body == {"ConsumedCapacity": {"TableName": table_h, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}}
    body = get(raw, table_h, {"pk": {"S": key}}, ReturnConsumedCapacity="INDEXES", ConsistentRead=True)
    assert body["ConsumedCapacity"] == {"TableName": table_h, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}
    res = raw("DeleteItem", {"TableName": table_h, "Key": {"pk": {"S": key}}, "ReturnConsumedCapacity": "INDEXES"})
    assert res.body == {"ConsumedCapacity": {"TableName": table_h, "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}}}


def test_consumed_capacity_none(raw, table_h, key):
    assert put(raw, table_h, {"pk": {"S": key}}, ReturnConsumedCapacity="NONE").body == {}
    assert "ConsumedCapacity" not in get(raw, table_h, {"pk": {"S": key}}, ReturnConsumedCapacity="NONE")


def test_consumed_capacity_counts_names_and_utf8(raw, table_h):
    # 'é' is 2 bytes in UTF-8: "pk" + key (2 + 18) + "aé" (3) + value (1002) = 1025 bytes -> 2 units,
    # where counting characters instead of bytes would give 1024 -> 1 unit
    k = unique()
    assert len(k) == 18
    item = {"pk": {"S": k}, "aé": {"S": "x" * 1002}}
    res = put(raw, table_h, item, ReturnConsumedCapacity="TOTAL")
    assert res.body["ConsumedCapacity"]["CapacityUnits"] == 2.0


def test_consumed_capacity_boto3(ddb, table_h, key):
    resp = ddb.put_item(TableName=table_h, Item={"pk": {"S": key}}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": table_h, "CapacityUnits": 1.0}
    resp = ddb.get_item(TableName=table_h, Key={"pk": {"S": key}}, ReturnConsumedCapacity="TOTAL")
    assert resp["ConsumedCapacity"] == {"TableName": table_h, "CapacityUnits": 0.5}


# --------------------------------------------------------------------------- item validation

def nest(depth, kind="L"):
    v = {"S": "leaf"}
    for _ in range(depth):
        v = {"L": [v]} if kind == "L" else {"M": {"a": v}}
    return v


ITEM_INVALID = [
    ("missing_key", {"x": {"S": "a"}}, missing_key_msg("pk")),
    ("empty_item", {}, missing_key_msg("pk")),
    ("key_wrong_type", {"pk": {"N": "1"}}, type_mismatch_msg("pk", "S", "N")),
    ("key_set_type", {"pk": {"SS": ["a"]}}, type_mismatch_msg("pk", "S", "SS", local="Invalid attribute value type")),
    ("key_bool_type", {"pk": {"BOOL": True}}, type_mismatch_msg("pk", "S", "BOOL", local="Invalid attribute value type")),
    ("empty_string_key", {"pk": {"S": ""}},
     "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
     "string value. Key: pk"),
    ("empty_ss", {"s": {"SS": []}}, "One or more parameter values were invalid: An string set  may not be empty"),
    ("empty_ns", {"s": {"NS": []}}, "One or more parameter values were invalid: An number set  may not be empty"),
    ("empty_bs", {"s": {"BS": []}}, "One or more parameter values were invalid: Binary sets should not be empty"),
    ("dup_ss", {"s": {"SS": ["x", "x"]}},
     "One or more parameter values were invalid: Input collection [x, x] contains duplicates"),
    ("dup_ns_1_1.0", {"s": {"NS": ["1", "1.0"]}}, "Input collection contains duplicates"),
    ("dup_ns_1_1", {"s": {"NS": ["1", "1"]}}, "Input collection contains duplicates"),
    ("dup_bs", {"s": {"BS": ["AQ==", "AQ=="]}},
     "One or more parameter values were invalid: Input collection of type BS contains duplicates."),
    ("two_types", {"v": {"S": "a", "N": "1"}},
     "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"),
    ("no_type", {"v": {}},
     "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ("nested_no_type", {"v": {"M": {"x": {}}}},
     "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"),
    ("null_false", {"v": {"NULL": False}},
     "One or more parameter values were invalid: Null attribute value types must have the value of true"),
    ("empty_attribute_name", {"": {"S": "x"}}, "Empty attribute name"),
    ("bad_number", {"v": {"N": "abc"}}, not_a_number_msg("abc")),
    ("bad_number_in_set", {"v": {"NS": ["1", "x"]}}, not_a_number_msg("x")),
    ("nesting_32_lists", {"v": nest(32)}, NESTING_MSG),
    ("nesting_33_maps", {"v": nest(33, "M")}, NESTING_MSG),
]


@pytest.mark.parametrize("case,attrs,message", ITEM_INVALID, ids=[c[0] for c in ITEM_INVALID])
def test_put_item_validation(raw, table_h, case, attrs, message):
    item = dict(attrs)
    if "pk" not in item and case not in ("missing_key", "empty_item"):
        item["pk"] = {"S": unique()}
    res = put(raw, table_h, item)
    assert_error(res, VALIDATION, message)
    assert res.body["__type"] == "com.amazon.coral.validate#ValidationException"


def test_nesting_31_levels_ok(raw, table_h, key):
    assert put(raw, table_h, {"pk": {"S": key}, "v": nest(31)}).status == 200
    assert get(raw, table_h, {"pk": {"S": key}})["Item"]["v"] == nest(31)


def test_put_range_key_missing(raw, table_hr):
    assert_error(put(raw, table_hr, {"pk": {"S": unique()}}), VALIDATION, missing_key_msg("sk"))


def test_put_range_key_wrong_type(raw, table_hr):
    assert_error(put(raw, table_hr, {"pk": {"S": unique()}, "sk": {"S": "x"}}), VALIDATION,
                 type_mismatch_msg("sk", "N", "S"))


def test_put_empty_string_range_key(raw, make_table):
    t = make_table(range_key=("sk", "S"))
    res = put(raw, t, {"pk": {"S": "a"}, "sk": {"S": ""}})
    assert_error(res, VALIDATION, "One or more parameter values are not valid. The AttributeValue for a key attribute "
                                  "cannot contain an empty string value. Key: sk")


def test_put_empty_number_range_key(raw, table_hr):
    assert_error(put(raw, table_hr, {"pk": {"S": unique()}, "sk": {"N": ""}}), VALIDATION, not_a_number_msg(""))


def test_put_empty_binary_key(raw, make_table):
    t = make_table(hash_key=("pk", "B"))
    assert_error(put(raw, t, {"pk": {"B": ""}}), VALIDATION,
                 "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain "
                 "an empty binary value. Key: pk")


@pytest.mark.local_differs("Local answers 500 InternalFailure for invalid base64")
@pytest.mark.parametrize("b64", ["!!!", "AQ", "A===", "QQ=Q"])
def test_put_invalid_base64(raw, table_h, b64):
    res = put(raw, table_h, {"pk": {"S": unique()}, "b": {"B": b64}})
    assert res.status == 400
    assert res.code in ("SerializationException", VALIDATION)


def test_put_invalid_base64_is_rejected(raw, table_h):
    res = put(raw, table_h, {"pk": {"S": unique()}, "b": {"B": "!!!"}})
    assert res.status in (400, 500)


def test_item_size_limit(raw, table_h):
    k = unique()
    assert put(raw, table_h, sized_item(k, 400 * 1024)).status == 200
    assert_error(put(raw, table_h, sized_item(k, 400 * 1024 + 1)), VALIDATION, ITEM_SIZE_MSG)
    assert_error(put(raw, table_h, {"pk": {"S": k}, "v": {"S": "x" * (400 * 1024)}}), VALIDATION, ITEM_SIZE_MSG)
    # the failed put left the old item alone
    assert len(get(raw, table_h, {"pk": {"S": k}})["Item"]["a"]["S"]) == 400 * 1024 - len(k) - 3


def test_item_size_counts_utf8_bytes(raw, table_h):
    k = unique()
    # 2-byte characters: 204800 of them = 409600 bytes, plus key and name → too large
    assert_error(put(raw, table_h, {"pk": {"S": k}, "a": {"S": "é" * 204800}}), VALIDATION, ITEM_SIZE_MSG)


def test_hash_key_size_limit(raw, table_h):
    assert put(raw, table_h, {"pk": {"S": "k" * 2048}}).status == 200
    assert_error(put(raw, table_h, {"pk": {"S": "k" * 2049}}), VALIDATION, HASH_KEY_SIZE_MSG)
    # limit is in UTF-8 bytes
    assert_error(put(raw, table_h, {"pk": {"S": "é" * 1025}}), VALIDATION, HASH_KEY_SIZE_MSG)


def test_range_key_size_limit(raw, make_table):
    t = make_table(range_key=("sk", "S"))
    assert put(raw, t, {"pk": {"S": "a"}, "sk": {"S": "k" * 1024}}).status == 200
    assert_error(put(raw, t, {"pk": {"S": "a"}, "sk": {"S": "k" * 1025}}), VALIDATION, RANGE_KEY_SIZE_MSG)


def test_get_key_size_limit(raw, table_h):
    assert_error(raw("GetItem", {"TableName": table_h, "Key": {"pk": {"S": "k" * 2049}}}), VALIDATION, HASH_KEY_SIZE_MSG)


def test_put_missing_item(raw, table_h):
    assert_error(raw("PutItem", {"TableName": table_h}), VALIDATION,
                 expected(constraint_errors((None, "item", "Member must not be null")),
                          "Item to put in PutItem cannot be null"))


def test_put_missing_table_name(raw):
    assert_error(raw("PutItem", {"Item": {"pk": {"S": "a"}}}), VALIDATION,
                 expected(constraint_errors((None, "tableName", "Member must not be null")),
                          "Value null at 'tableName' failed to satisfy constraint: Member must not be null"))


def test_table_name_validated_before_item(raw):
    res = put(raw, "ab", {"v": {"S": "a", "N": "1"}})
    assert_error(res, VALIDATION, expected(
        constraint_errors(("ab", "tableName", "Member must have length greater than or equal to 3")),
        "Invalid table/index name.  Table/index names must be between 3 and 255 characters long, and may contain "
        "only the characters a-z, A-Z, 0-9, '_', '-', and '.'"))


@pytest.mark.local_differs("Local ignores an unknown ReturnConsumedCapacity")
def test_invalid_return_consumed_capacity(raw, table_h):
    res = put(raw, table_h, {"pk": {"S": unique()}}, ReturnConsumedCapacity="X")
    assert_error(res, VALIDATION, constraint_errors(
        ("X", "returnConsumedCapacity", "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]")))


@pytest.mark.parametrize("op,body", [
    ("PutItem", {"Item": {"pk": {"S": "a"}}}),
    ("GetItem", {"Key": {"pk": {"S": "a"}}}),
    ("DeleteItem", {"Key": {"pk": {"S": "a"}}}),
])
def test_missing_table(raw, op, body):
    res = raw(op, dict(body, TableName="no_such_table_" + unique()))
    assert_error(res, NOT_FOUND, expected("Requested resource not found", LOCAL_NOT_FOUND_MSG))


def test_missing_table_boto3(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.get_item(TableName="no_such_table_" + unique(), Key={"pk": {"S": "a"}})


# --------------------------------------------------------------------------- key validation (GetItem/DeleteItem)

KEY_CONDITIONS_MSG = expected(KEY_SCHEMA_MSG, "The number of conditions on the keys is invalid")
KEY_TYPE_MSG = expected(KEY_SCHEMA_MSG, "One or more parameter values were invalid: Type mismatch for key")

KEY_INVALID = [
    ("range_part_missing", "hr", {"pk": {"S": "a"}}, KEY_CONDITIONS_MSG),
    ("extra_attribute", "h", {"pk": {"S": "a"}, "extra": {"S": "x"}}, KEY_CONDITIONS_MSG),
    ("extra_attribute_hr", "hr", {"pk": {"S": "a"}, "sk": {"N": "1"}, "x": {"N": "1"}}, KEY_CONDITIONS_MSG),
    ("empty_key", "h", {}, KEY_CONDITIONS_MSG),
    ("wrong_name", "h", {"zz": {"S": "a"}}, expected(KEY_SCHEMA_MSG, "One of the required keys was not given a value")),
    ("wrong_type", "h", {"pk": {"N": "1"}}, KEY_TYPE_MSG),
    ("non_scalar_type", "h", {"pk": {"L": [{"S": "a"}]}}, expected(KEY_SCHEMA_MSG, "Invalid attribute value type")),
    ("wrong_range_type", "hr", {"pk": {"S": "a"}, "sk": {"S": "1"}}, KEY_TYPE_MSG),
    ("empty_string", "h", {"pk": {"S": ""}},
     "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty "
     "string value. Key: pk"),
]


@pytest.mark.parametrize("op", ["GetItem", "DeleteItem"])
@pytest.mark.parametrize("which,key_value,message", [c[1:] for c in KEY_INVALID], ids=[c[0] for c in KEY_INVALID])
def test_key_validation(raw, table_h, table_hr, op, which, key_value, message):
    table = table_h if which == "h" else table_hr
    assert_error(raw(op, {"TableName": table, "Key": key_value}), VALIDATION, message)


@pytest.mark.parametrize("op", ["GetItem", "DeleteItem"])
def test_key_missing(raw, table_h, op):
    assert_error(raw(op, {"TableName": table_h}), VALIDATION,
                 expected(constraint_errors((None, "key", "Member must not be null")),
                          "Cannot have null key for GetItem, DeleteItem, or UpdateItem"))


def test_key_validation_boto3(ddb, table_hr):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        ddb.get_item(TableName=table_hr, Key={"pk": {"S": "a"}})
    assert_client_error(ei, VALIDATION, KEY_CONDITIONS_MSG)
