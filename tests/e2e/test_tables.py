"""Control plane: CreateTable, DescribeTable, ListTables, DeleteTable, UpdateTable, DescribeLimits, DescribeEndpoints."""

import re
import time

import botocore.exceptions
import pytest

from conftest import (IN_USE, LOCAL_NOT_FOUND_MSG, NOT_FOUND, VALIDATION, assert_client_error, assert_error,
                      constraint_errors, expected, table_name, unique)

# DynamoDB Local's single message for every malformed table name
LOCAL_NAME_MSG = ("Invalid table/index name.  Table/index names must be between 3 and 255 characters long, "
                  "and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'")
NAME_PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"
NAME_MIN = "Member must have length greater than or equal to 3"
NAME_MAX = "Member must have length less than or equal to 255"
NOT_NULL = "Member must not be null"
AT_LEAST_1 = "Member must have value greater than or equal to 1"
NO_THROUGHPUT_MSG = "No provisioned throughput specified for the table"
LOCAL_THROUGHPUT_MIN_MSG = "Table read and write throughput must be at least 1, and cannot be null"


def name_msg(name, path="tableName"):
    """Expected message for an invalid table name given as `path`."""
    findings = []
    if name is None:
        findings.append((None, path, NOT_NULL))
    else:
        if not re.fullmatch(r"[a-zA-Z0-9_.-]+", name):
            findings.append((name, path, NAME_PATTERN))
        if len(name) < 3:
            findings.append((name, path, NAME_MIN))
        if len(name) > 255:
            findings.append((name, path, NAME_MAX))
    return expected(constraint_errors(*findings), LOCAL_NAME_MSG)


def throughput_msg(read, write):
    findings = [(v, "provisionedThroughput." + m, AT_LEAST_1)
                for v, m in ((read, "readCapacityUnits"), (write, "writeCapacityUnits")) if v < 1]
    return expected(constraint_errors(*findings), LOCAL_THROUGHPUT_MIN_MSG)


# error-messages.md: DescribeTable without a TableName; the same for the other table operations (test_wording.py)
NULL_TABLE_NAME_MSG = expected("The parameter 'TableName' is required but was not present in the request",
                               "Value null at 'tableName' failed to satisfy constraint: Member must not be null")
PROTECTED_MSG = ("Resource cannot be deleted as it is currently protected against deletion. "
                 "Disable deletion protection first.")

KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]


def create_body(**overrides):
    body = {"TableName": table_name(), "KeySchema": KS, "AttributeDefinitions": AD, "BillingMode": "PAY_PER_REQUEST"}
    for k, v in overrides.items():
        if v is None:
            body.pop(k, None)
        else:
            body[k] = v
    return body


def ks(*pairs):
    return [{"AttributeName": n, "KeyType": t} for n, t in pairs]


def ad(*pairs):
    return [{"AttributeName": n, "AttributeType": t} for n, t in pairs]


# --------------------------------------------------------------------------- CreateTable success shapes

def check_arn(arn, name):
    assert re.fullmatch(r"arn:aws:dynamodb:[a-z0-9-]+:\d{12}:table/" + re.escape(name), arn), arn


def test_create_table_pay_per_request_shape(raw, ddb):
    body = create_body()
    name = body["TableName"]
    before = time.time()
    res = raw("CreateTable", body)
    try:
        assert res.status == 200, res
        assert set(res.body) == {"TableDescription"}
        d = res.body["TableDescription"]
        assert d["TableName"] == name
        assert d["KeySchema"] == KS
        assert d["AttributeDefinitions"] == AD
        assert d["TableStatus"] in ("CREATING", "ACTIVE")
        assert isinstance(d["CreationDateTime"], (int, float))
        assert before - 120 <= d["CreationDateTime"] <= time.time() + 120
        pt = d["ProvisionedThroughput"]
        assert pt["ReadCapacityUnits"] == 0 and pt["WriteCapacityUnits"] == 0
        assert pt["NumberOfDecreasesToday"] == 0
        assert d["TableSizeBytes"] == 0
        assert d["ItemCount"] == 0
        check_arn(d["TableArn"], name)
        assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
        assert isinstance(d["BillingModeSummary"]["LastUpdateToPayPerRequestDateTime"], (int, float))
        assert d["DeletionProtectionEnabled"] is False
        assert "GlobalSecondaryIndexes" not in d and "LocalSecondaryIndexes" not in d
    finally:
        raw("DeleteTable", {"TableName": name})


def test_create_table_provisioned_hash_range_shape(raw):
    body = create_body(KeySchema=ks(("pk", "HASH"), ("sk", "RANGE")),
                       AttributeDefinitions=ad(("pk", "S"), ("sk", "N")),
                       BillingMode=None,
                       ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    name = body["TableName"]
    res = raw("CreateTable", body)
    try:
        assert res.status == 200, res
        d = res.body["TableDescription"]
        assert d["KeySchema"] == ks(("pk", "HASH"), ("sk", "RANGE"))
        assert d["AttributeDefinitions"] == ad(("pk", "S"), ("sk", "N"))
        assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
        assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 7
        assert d["ProvisionedThroughput"]["NumberOfDecreasesToday"] == 0
        assert "BillingModeSummary" not in d
        assert d["DeletionProtectionEnabled"] is False
    finally:
        raw("DeleteTable", {"TableName": name})


def test_create_table_explicit_provisioned(make_table, ddb):
    name = make_table(billing="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 3, "WriteCapacityUnits": 4})
    d = ddb.describe_table(TableName=name)["Table"]
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 3
    assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
    assert d.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED") == "PROVISIONED"


@pytest.mark.parametrize("attr_type", ["S", "N", "B"])
def test_create_table_key_types(make_table, ddb, attr_type):
    name = make_table(hash_key=("h", attr_type), range_key=("r", attr_type))
    d = ddb.describe_table(TableName=name)["Table"]
    assert d["AttributeDefinitions"] == ad(("h", attr_type), ("r", attr_type))


@pytest.mark.parametrize("name", ["abc", "A-b_c.9", "x" * 255, "...", "___", "0123"])
def test_create_table_valid_names(make_table, ddb, name):
    # names are global per endpoint: add randomness where the length allows it
    if len(name) < 200:
        name = name + "-" + unique("")[1:]
    make_table(name=name)
    assert ddb.describe_table(TableName=name)["Table"]["TableName"] == name


def test_describe_table_shape_matches_create(raw):
    body = create_body()
    name = body["TableName"]
    created = raw("CreateTable", body).body["TableDescription"]
    try:
        res = raw("DescribeTable", {"TableName": name})
        assert res.status == 200
        assert set(res.body) == {"Table"}
        d = res.body["Table"]
        assert d["TableStatus"] == "ACTIVE"
        for k in ("TableName", "KeySchema", "AttributeDefinitions", "CreationDateTime", "TableArn",
                  "DeletionProtectionEnabled", "ItemCount", "TableSizeBytes"):
            assert d[k] == created[k], k
        assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    finally:
        raw("DeleteTable", {"TableName": name})


def test_create_table_via_resource(ddb_resource):
    name = table_name()
    t = ddb_resource.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    try:
        t.wait_until_exists()
        assert t.table_status == "ACTIVE"
        assert t.key_schema == KS
    finally:
        t.delete()


def test_create_table_with_deletion_protection(raw):
    body = create_body(DeletionProtectionEnabled=True)
    name = body["TableName"]
    res = raw("CreateTable", body)
    try:
        assert res.status == 200
        assert res.body["TableDescription"]["DeletionProtectionEnabled"] is True
        assert_error(raw("DeleteTable", {"TableName": name}), VALIDATION, PROTECTED_MSG)
        assert raw("DescribeTable", {"TableName": name}).status == 200
    finally:
        raw("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
        raw("DeleteTable", {"TableName": name})


def test_create_existing_table(raw, table_h):
    res = raw("CreateTable", create_body(TableName=table_h))
    assert_error(res, IN_USE, expected("Table already exists: " + table_h, "Cannot create preexisting table"))
    assert res.body["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceInUseException"


def test_create_existing_table_boto3(ddb, table_h):
    with pytest.raises(ddb.exceptions.ResourceInUseException):
        ddb.create_table(TableName=table_h, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")


# --------------------------------------------------------------------------- CreateTable validation

CREATE_INVALID = [
    ("missing_table_name", dict(TableName=None),
     expected("The parameter 'TableName' is required but was not present in the request", LOCAL_NAME_MSG)),
    ("bad_chars", dict(TableName="bad name!"), name_msg("bad name!")),
    ("bad_char_slash", dict(TableName="a/bc"), name_msg("a/bc")),
    ("too_short", dict(TableName="ab"), name_msg("ab")),
    ("too_long", dict(TableName="a" * 256), name_msg("a" * 256)),
    ("empty_name", dict(TableName=""), name_msg("")),
    ("missing_key_schema", dict(KeySchema=None),
     expected(constraint_errors((None, "keySchema", NOT_NULL)),
              "No defined key schema.  A key schema containing at least a hash key must be defined for all tables")),
    ("empty_key_schema", dict(KeySchema=[]),
     expected(constraint_errors(("[]", "keySchema", "Member must have length greater than or equal to 1")),
              "No defined key schema.  A key schema containing at least a hash key must be defined for all tables")),
    ("missing_attribute_definitions", dict(AttributeDefinitions=None),
     expected(constraint_errors((None, "attributeDefinitions", NOT_NULL)), "No Attribute Schema Defined")),
    # KeySchema lost its model maximum of 2 with multi-attribute GSI keys (2025-11), so no Coral constraint now;
    # DynamoDB Local 3.x's wording (the service's is not documented; see test_multi_attribute_keys.py)
    ("three_keys", dict(KeySchema=ks(("a", "HASH"), ("b", "RANGE"), ("c", "RANGE")),
                        AttributeDefinitions=ad(("a", "S"), ("b", "S"), ("c", "S"))),
     "Key Schema too big.  Key Schema must at most consist of the hash and range key of a table"),
    ("two_hash", dict(KeySchema=ks(("a", "HASH"), ("b", "HASH")), AttributeDefinitions=ad(("a", "S"), ("b", "S"))),
     expected("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type",
              "Too many hash keys specified.  All Dynamo DB tables must have exactly one hash key")),
    ("range_only", dict(KeySchema=ks(("a", "RANGE")), AttributeDefinitions=ad(("a", "S"))),
     expected("Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
              "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key")),
    ("range_before_hash", dict(KeySchema=ks(("b", "RANGE"), ("a", "HASH")), AttributeDefinitions=ad(("a", "S"), ("b", "S"))),
     expected("Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
              "Invalid key order. Hash Key must be specified first in key schema, Range Key must be specifed second")),
    ("same_name_hash_range", dict(KeySchema=ks(("pk", "HASH"), ("pk", "RANGE"))),
     expected("Both the Hash Key and the Range Key element in the KeySchema have the same name",
              "Two keys can not have the same name")),
    ("key_not_in_definitions", dict(AttributeDefinitions=ad(("other", "S"))),
     expected("One or more parameter values were invalid: Some index key attributes are not defined in "
              "AttributeDefinitions. Keys: [pk], AttributeDefinitions: [other]",
              "Hash Key not specified in Attribute Definitions.  Type unknown.")),
    ("extra_definition", dict(AttributeDefinitions=ad(("pk", "S"), ("extra", "S"))),
     expected("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match "
              "number of attributes defined in AttributeDefinitions",
              "The number of attributes in key schema must match the number of attributes defined in attribute "
              "definitions.")),
    ("duplicate_definition", dict(AttributeDefinitions=ad(("pk", "S"), ("pk", "S"))),
     "Cannot have two attributes with the same name"),
    ("attribute_type_X", dict(AttributeDefinitions=ad(("pk", "X"))),
     expected(constraint_errors(("X", "attributeDefinitions.1.member.attributeType",
                                 "Member must satisfy enum value set: [B, N, S]")),
              "Member must satisfy enum value set: [B, N, S]")),
    ("attribute_type_BOOL", dict(AttributeDefinitions=ad(("pk", "BOOL"))),
     expected(constraint_errors(("BOOL", "attributeDefinitions.1.member.attributeType",
                                 "Member must satisfy enum value set: [B, N, S]")),
              "Member must satisfy enum value set: [B, N, S]")),
    ("key_type_X", dict(KeySchema=ks(("pk", "X"))),
     expected(constraint_errors(("X", "keySchema.1.member.keyType", "Member must satisfy enum value set: [HASH, RANGE]")),
              "No Hash Key specified in schema.  All Dynamo DB tables must have exactly one hash key")),
    ("empty_attribute_name", dict(KeySchema=ks(("", "HASH")), AttributeDefinitions=ad(("", "S"))),
     expected(constraint_errors(("", "keySchema.1.member.attributeName", "Member must have length greater than or equal to 1"),
                                ("", "attributeDefinitions.1.member.attributeName",
                                 "Member must have length greater than or equal to 1")),
              "Names of key attributes and attributes projected into an index must be between 1 and 255 characters, "
              "inclusive")),
    ("provisioned_without_throughput", dict(BillingMode="PROVISIONED"), NO_THROUGHPUT_MSG),
    ("default_billing_without_throughput", dict(BillingMode=None), NO_THROUGHPUT_MSG),
    ("throughput_zero", dict(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 0}),
     throughput_msg(0, 0)),
    ("read_throughput_zero", dict(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}),
     throughput_msg(0, 1)),
    ("write_throughput_zero", dict(BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 0}),
     throughput_msg(1, 0)),
]


@pytest.mark.parametrize("overrides,message", [c[1:] for c in CREATE_INVALID], ids=[c[0] for c in CREATE_INVALID])
def test_create_table_validation(raw, overrides, message):
    body = create_body(**overrides)
    res = raw("CreateTable", body)
    if res.status == 200:
        raw("DeleteTable", {"TableName": body["TableName"]})
    assert_error(res, VALIDATION, message)
    assert res.body["__type"] == "com.amazon.coral.validate#ValidationException"


def test_create_table_validation_creates_nothing(raw):
    body = create_body(KeySchema=ks(("a", "HASH"), ("b", "HASH")), AttributeDefinitions=ad(("a", "S"), ("b", "S")))
    assert raw("CreateTable", body).status == 400
    assert_error(raw("DescribeTable", {"TableName": body["TableName"]}), NOT_FOUND)


@pytest.mark.local_differs("Local accepts ProvisionedThroughput with PAY_PER_REQUEST")
def test_create_table_pay_per_request_with_throughput(raw):
    body = create_body(ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    res = raw("CreateTable", body)
    if res.status == 200:
        raw("DeleteTable", {"TableName": body["TableName"]})
    assert_error(res, VALIDATION, "One or more parameter values were invalid: Neither ReadCapacityUnits nor "
                                  "WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")


@pytest.mark.local_differs("Local answers 500 InternalFailure for an unknown BillingMode")
def test_create_table_bad_billing_mode(raw):
    res = raw("CreateTable", create_body(BillingMode="X"))
    assert res.status == 400
    assert res.code == VALIDATION


def test_create_table_boto3_client_error(ddb_noval):
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        ddb_noval.create_table(TableName="ab", KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    assert_client_error(ei, VALIDATION, name_msg("ab"))


# --------------------------------------------------------------------------- DescribeTable / DeleteTable

def missing_table_msg(name):
    return expected("Requested resource not found: Table: %s not found" % name, LOCAL_NOT_FOUND_MSG)


def test_describe_missing_table(raw):
    res = raw("DescribeTable", {"TableName": table_name("missing")})
    assert_error(res, NOT_FOUND)
    assert res.body["__type"] == "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"


def test_delete_missing_table(raw):
    assert_error(raw("DeleteTable", {"TableName": table_name("missing")}), NOT_FOUND)


@pytest.mark.parametrize("op,extra", [("DescribeTable", {}), ("DeleteTable", {}),
                                      ("UpdateTable", {"DeletionProtectionEnabled": True})],
                         ids=["DescribeTable", "DeleteTable", "UpdateTable"])
def test_missing_table_message(raw, op, extra):
    name = table_name("missing")
    assert_error(raw(op, dict(extra, TableName=name)), NOT_FOUND, missing_table_msg(name))


def test_describe_table_without_name(raw):
    assert_error(raw("DescribeTable", {}), VALIDATION, NULL_TABLE_NAME_MSG)


@pytest.mark.parametrize("name", ["ab", "bad name", "x" * 256])
def test_describe_table_invalid_name(raw, name):
    assert_error(raw("DescribeTable", {"TableName": name}), VALIDATION, name_msg(name))


def test_describe_missing_table_boto3(ddb):
    with pytest.raises(ddb.exceptions.ResourceNotFoundException):
        ddb.describe_table(TableName=table_name("missing"))


def test_delete_table(raw, ddb):
    body = create_body()
    name = body["TableName"]
    assert raw("CreateTable", body).status == 200
    res = raw("DeleteTable", {"TableName": name})
    assert res.status == 200
    d = res.body["TableDescription"]
    assert d["TableName"] == name
    assert d["TableStatus"] in ("DELETING", "ACTIVE")
    assert d["KeySchema"] == KS
    assert_error(raw("DescribeTable", {"TableName": name}), NOT_FOUND)
    assert name not in ddb.list_tables(Limit=100, ExclusiveStartTableName=name[:-1])["TableNames"]
    assert_error(raw("DeleteTable", {"TableName": name}), NOT_FOUND)


def test_delete_table_removes_items(ddb, raw):
    name = table_name()
    ddb.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}})
    ddb.delete_table(TableName=name)
    ddb.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    try:
        assert "Item" not in ddb.get_item(TableName=name, Key={"pk": {"S": "a"}})
        assert ddb.describe_table(TableName=name)["Table"]["ItemCount"] == 0
    finally:
        ddb.delete_table(TableName=name)


def test_item_count_and_size(make_table, ddb):
    name = make_table()
    ddb.put_item(TableName=name, Item={"pk": {"S": "a"}, "x": {"S": "hello"}})
    d = ddb.describe_table(TableName=name)["Table"]
    assert d["ItemCount"] == 1
    assert d["TableSizeBytes"] == 9  # "pk"+"a" + "x"+"hello"


# --------------------------------------------------------------------------- ListTables

def test_list_tables_includes_created(ddb, table_h, table_hr):
    names = []
    kwargs = {}
    while True:
        page = ddb.list_tables(**kwargs)
        names += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
    assert table_h in names and table_hr in names
    assert names == sorted(names)
    assert len(names) == len(set(names))


def test_list_tables_pagination(ddb, make_table):
    prefix = "e2e_pg_" + unique("")[1:9]
    mine = sorted(make_table(name="%s_%d" % (prefix, i)) for i in range(5))
    # walk from just before our prefix in pages of 2
    start = prefix  # sorts immediately before prefix + "_0"
    seen = []
    pages = 0
    kwargs = {"Limit": 2, "ExclusiveStartTableName": start}
    while True:
        page = ddb.list_tables(**kwargs)
        pages += 1
        assert len(page["TableNames"]) <= 2
        seen += page["TableNames"]
        if "LastEvaluatedTableName" not in page:
            break
        assert page["LastEvaluatedTableName"] == page["TableNames"][-1]
        assert len(page["TableNames"]) == 2
        kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
        if all(n in seen for n in mine):
            break
    assert [n for n in seen if n.startswith(prefix)] == mine
    assert seen == sorted(seen)


def test_list_tables_exclusive_start(ddb, make_table):
    prefix = "e2e_xs_" + unique("")[1:9]
    a, b, c = (make_table(name="%s_%s" % (prefix, s)) for s in "abc")
    page = ddb.list_tables(ExclusiveStartTableName=a, Limit=2)
    assert page["TableNames"] == [b, c]
    page = ddb.list_tables(ExclusiveStartTableName=prefix + "_bb", Limit=1)
    assert page["TableNames"] == [c]


def test_list_tables_limit_one(raw, table_h):
    res = raw("ListTables", {"Limit": 1})
    assert res.status == 200
    assert len(res.body["TableNames"]) == 1
    assert res.body["LastEvaluatedTableName"] == res.body["TableNames"][0]


def test_list_tables_last_page_has_no_cursor(raw, make_table):
    name = make_table(name="zzzz_e2e_last_" + unique("")[1:])
    res = raw("ListTables", {"ExclusiveStartTableName": name})
    assert res.status == 200
    assert "LastEvaluatedTableName" not in res.body
    res = raw("ListTables", {"ExclusiveStartTableName": name[:-1], "Limit": 100})
    assert name in res.body["TableNames"]


def test_list_tables_limit_100(raw):
    res = raw("ListTables", {"Limit": 100})
    assert res.status == 200
    assert len(res.body["TableNames"]) <= 100


def limit_msg(limit):
    if limit < 1:
        return expected(constraint_errors((limit, "limit", AT_LEAST_1)), "Limit must be greater than or equal to 1")
    return expected(constraint_errors((limit, "limit", "Member must have value less than or equal to 100")),
                    "Limit in ListTables must be <= 100")


@pytest.mark.parametrize("body,message", [
    ({"Limit": 0}, limit_msg(0)),
    ({"Limit": -1}, limit_msg(-1)),
    ({"Limit": 101}, limit_msg(101)),
    ({"Limit": 1000}, limit_msg(1000)),
    ({"ExclusiveStartTableName": "ab"}, name_msg("ab", "exclusiveStartTableName")),
    ({"ExclusiveStartTableName": "bad name"}, name_msg("bad name", "exclusiveStartTableName")),
], ids=["limit0", "limit-1", "limit101", "limit1000", "start_short", "start_bad_chars"])
def test_list_tables_validation(raw, body, message):
    assert_error(raw("ListTables", body), VALIDATION, message)


def test_list_tables_paginator(ddb, table_h):
    names = []
    for page in ddb.get_paginator("list_tables").paginate(PaginationConfig={"PageSize": 3}):
        names += page["TableNames"]
    assert table_h in names
    assert names == sorted(names)


# --------------------------------------------------------------------------- UpdateTable

def test_update_table_nothing_to_update(raw, table_h):
    assert_error(raw("UpdateTable", {"TableName": table_h}), VALIDATION, "Nothing to update")


def test_update_missing_table(raw):
    assert_error(raw("UpdateTable", {"TableName": table_name("missing"), "DeletionProtectionEnabled": True}), NOT_FOUND)


def test_update_table_without_name(raw):
    assert_error(raw("UpdateTable", {"DeletionProtectionEnabled": True}), VALIDATION, NULL_TABLE_NAME_MSG)


def test_deletion_protection_toggle(raw, make_table):
    name = make_table()
    res = raw("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": True})
    assert res.status == 200
    assert res.body["TableDescription"]["DeletionProtectionEnabled"] is True
    assert raw("DescribeTable", {"TableName": name}).body["Table"]["DeletionProtectionEnabled"] is True
    res = raw("DeleteTable", {"TableName": name})
    assert_error(res, VALIDATION, PROTECTED_MSG)
    assert res.body["__type"] == "com.amazon.coral.validate#ValidationException"
    res = raw("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False})
    assert res.status == 200
    assert res.body["TableDescription"]["DeletionProtectionEnabled"] is False
    assert raw("DeleteTable", {"TableName": name}).status == 200


def test_deletion_protection_boto3(ddb, make_table):
    name = make_table(DeletionProtectionEnabled=True)
    with pytest.raises(botocore.exceptions.ClientError) as ei:
        ddb.delete_table(TableName=name)
    assert_client_error(ei, VALIDATION, PROTECTED_MSG)


def test_update_throughput(raw, make_table):
    name = make_table(billing="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    res = raw("UpdateTable", {"TableName": name, "ProvisionedThroughput": {"ReadCapacityUnits": 6, "WriteCapacityUnits": 7}})
    assert res.status == 200
    pt = res.body["TableDescription"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (6, 7)
    pt = raw("DescribeTable", {"TableName": name}).body["Table"]["ProvisionedThroughput"]
    assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (6, 7)


def test_update_throughput_equal_to_current(raw, make_table):
    name = make_table(billing="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 7})
    res = raw("UpdateTable", {"TableName": name, "ProvisionedThroughput": {"ReadCapacityUnits": 5, "WriteCapacityUnits": 7}})
    assert_error(res, VALIDATION, expected(
        "The provisioned throughput for the table will not change. The requested value equals the current value. "
        "Current ReadCapacityUnitsForTable: 5. Requested ReadCapacityUnitsForTable: 5. "
        "Current WriteCapacityUnitsForTable: 7. Requested WriteCapacityUnitsForTable: 7. "
        "Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.",
        "The requested throughput value equals the current value"))


def test_update_throughput_zero(raw, make_table):
    name = make_table(billing="PROVISIONED")
    res = raw("UpdateTable", {"TableName": name, "ProvisionedThroughput": {"ReadCapacityUnits": 0, "WriteCapacityUnits": 1}})
    assert_error(res, VALIDATION, throughput_msg(0, 1))


def test_update_billing_mode_to_pay_per_request(raw, make_table):
    name = make_table(billing="PROVISIONED")
    res = raw("UpdateTable", {"TableName": name, "BillingMode": "PAY_PER_REQUEST"})
    assert res.status == 200
    d = res.body["TableDescription"]
    assert d["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 0
    assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 0


def test_update_billing_mode_to_provisioned(raw, make_table):
    name = make_table()
    assert_error(raw("UpdateTable", {"TableName": name, "BillingMode": "PROVISIONED"}), VALIDATION, NO_THROUGHPUT_MSG)
    res = raw("UpdateTable", {"TableName": name, "BillingMode": "PROVISIONED",
                              "ProvisionedThroughput": {"ReadCapacityUnits": 1, "WriteCapacityUnits": 2}})
    assert res.status == 200
    d = res.body["TableDescription"]
    assert d["BillingModeSummary"]["BillingMode"] == "PROVISIONED"
    assert (d["ProvisionedThroughput"]["ReadCapacityUnits"], d["ProvisionedThroughput"]["WriteCapacityUnits"]) == (1, 2)


def test_update_table_keeps_items(ddb, raw, make_table):
    name = make_table(billing="PROVISIONED")
    ddb.put_item(TableName=name, Item={"pk": {"S": "keep"}})
    assert raw("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": True}).status == 200
    ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
    assert raw("UpdateTable", {"TableName": name, "DeletionProtectionEnabled": False}).status == 200
    assert ddb.get_item(TableName=name, Key={"pk": {"S": "keep"}})["Item"] == {"pk": {"S": "keep"}}


# --------------------------------------------------------------------------- DescribeLimits / DescribeEndpoints

def test_describe_limits(raw, ddb):
    res = raw("DescribeLimits", {})
    assert res.status == 200
    assert set(res.body) == {"AccountMaxReadCapacityUnits", "AccountMaxWriteCapacityUnits",
                             "TableMaxReadCapacityUnits", "TableMaxWriteCapacityUnits"}
    for v in res.body.values():
        assert isinstance(v, int) and v > 0
    assert res.body["AccountMaxReadCapacityUnits"] >= res.body["TableMaxReadCapacityUnits"]
    assert res.body["AccountMaxWriteCapacityUnits"] >= res.body["TableMaxWriteCapacityUnits"]
    assert ddb.describe_limits()["TableMaxReadCapacityUnits"] == res.body["TableMaxReadCapacityUnits"]


@pytest.mark.local_differs("Local does not implement DescribeEndpoints (UnknownOperationException)")
def test_describe_endpoints(raw, ddb):
    res = raw("DescribeEndpoints", {})
    assert res.status == 200
    eps = res.body["Endpoints"]
    assert len(eps) == 1
    assert eps[0]["Address"]
    assert eps[0]["CachePeriodInMinutes"] == 1440
    assert ddb.describe_endpoints()["Endpoints"][0]["CachePeriodInMinutes"] == 1440
