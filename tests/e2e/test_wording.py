"""Today's service wording where it differs from DynamoDB Local's (and from what older tests expected), family by
family: missing required parameters, constraint violations on map-keyed members (BatchGetItem/BatchWriteItem
RequestItems), several invalid enums in one "N validation errors detected" message, Segment/TotalSegments
combinations, Limit below 1, duplicate AttributesToGet, mismatched operands of ADD/DELETE, tagging an ARN that
does not exist, a TransactGetItems key that does not match the schema, the total size of ExpressionAttributeNames
and ExpressionAttributeValues, and DeleteTable's response.

Sources for the service's wording: ../shared/reference/error-messages.md where it gives the text (quoted there
from real responses); otherwise the validation messages of dynalite (a DynamoDB emulator whose messages were
recorded from the service's responses; its npm package, validations/*.js), named "recorded" below. Coral's
constraint form (constraint_errors in conftest.py) is the service's for every member constraint of the model. Where
only DynamoDB Local's wording is known, the test expects it from both and its comment says so.
"""

import re

import pytest

from conftest import (ACCOUNT, NOT_FOUND, VALIDATION, _drop_table, _wait_active, assert_error, constraint_errors, expected,
                      table_name, unique)

INVALID = "One or more parameter values were invalid: "
LOCAL_LIMIT = "Limit must be greater than or equal to 1"
LOCAL_NAME_MSG = ("Invalid table/index name.  Table/index names must be between 3 and 255 characters long, "
                  "and may contain only the characters a-z, A-Z, 0-9, '_', '-', and '.'")
KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]


def coral_null(path):
    """Local's form of a null member: the Coral message without its "1 validation error detected: " prefix."""
    return "Value null at '%s' failed to satisfy constraint: Member must not be null" % path


# --------------------------------------------------------------------------- missing required parameters

# error-messages.md: "The parameter 'TableName' is required but was not present in the request" (DescribeTable,
# from a real response). The control-plane operations that take a table name as their subject answer so (recorded
# for DescribeTable, DeleteTable, UpdateTable, CreateTable, DescribeTimeToLive); the data-plane operations keep the
# Coral "Value null at 'tableName'" form (error-messages.md too; see test_items.py).
REQUIRED_TABLE_NAME = "The parameter 'TableName' is required but was not present in the request"


@pytest.mark.parametrize("op,body,local", [
    ("DescribeTable", {}, coral_null("tableName")),
    ("DeleteTable", {}, coral_null("tableName")),
    ("UpdateTable", {"DeletionProtectionEnabled": True}, coral_null("tableName")),
    ("DescribeTimeToLive", {}, coral_null("tableName")),
    ("CreateTable", {"KeySchema": KS, "AttributeDefinitions": AD, "BillingMode": "PAY_PER_REQUEST"}, LOCAL_NAME_MSG),
])
def test_missing_table_name_of_a_table_operation(raw, op, body, local):
    assert_error(raw(op, body), VALIDATION, expected(REQUIRED_TABLE_NAME, local))


@pytest.mark.parametrize("op,body", [("GetItem", {"Key": {"pk": {"S": "a"}}}), ("Scan", {}),
                                     ("PutItem", {"Item": {"pk": {"S": "a"}}})])
def test_missing_table_name_of_an_item_operation_is_a_constraint(raw, op, body):
    assert_error(raw(op, body), VALIDATION, expected(constraint_errors((None, "tableName", "Member must not be null")),
                                                     coral_null("tableName")))


# --------------------------------------------------------------------------- map-keyed members

# The service validates RequestItems' map keys (table names) and map values (lists) with Coral constraints:
# "Map keys must satisfy constraint: [...]" / "Map value must satisfy constraint: [...]" at 'requestItems', listing
# every constraint of the key or value (recorded), and members inside a map value at
# 'requestItems.<table>.member.<member>'. The rejected value is rendered with Java's toString, which a test
# cannot know, so it is matched loosely.
MAP_KEYS = ("Map keys must satisfy constraint: [Member must have length less than or equal to 255, Member must have "
            "length greater than or equal to 3, Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+]")
WRITE_LIST = ("Map value must satisfy constraint: [Member must have length less than or equal to 25, Member must have "
              "length greater than or equal to 1]")


def one_error(path, constraint):
    return re.compile(re.escape("1 validation error detected: Value '") + ".*" +
                      re.escape("' at '%s' failed to satisfy constraint: %s" % (path, constraint)), re.S)


def test_batch_get_empty_keys_of_a_table(raw, table_h):
    res = raw("BatchGetItem", {"RequestItems": {table_h: {"Keys": []}}})
    assert_error(res, VALIDATION, expected(
        constraint_errors(("[]", "requestItems.%s.member.keys" % table_h,
                           "Member must have length greater than or equal to 1")),
        "The list of keys in RequestItems for BatchGetItem is required: %s has empty list" % table_h))


def test_batch_get_101_keys_of_a_table(raw, table_h):
    keys = [{"pk": {"S": "k%d" % i}} for i in range(101)]
    res = raw("BatchGetItem", {"RequestItems": {table_h: {"Keys": keys}}})
    assert_error(res, VALIDATION, expected(
        one_error("requestItems.%s.member.keys" % table_h, "Member must have length less than or equal to 100"),
        "Too many items requested for the BatchGetItem call"))


def test_batch_get_over_100_keys_across_tables(raw, table_h, table_hr):
    # each list is within its constraint: the operation's own limit (both)
    res = raw("BatchGetItem", {"RequestItems": {
        table_h: {"Keys": [{"pk": {"S": "k%d" % i}} for i in range(51)]},
        table_hr: {"Keys": [{"pk": {"S": "k"}, "sk": {"N": str(i)}} for i in range(50)]}}})
    assert_error(res, VALIDATION, "Too many items requested for the BatchGetItem call")


@pytest.mark.parametrize("name", ["ab", "bad name!"])
def test_batch_get_invalid_table_name(raw, name):
    res = raw("BatchGetItem", {"RequestItems": {name: {"Keys": [{"pk": {"S": "a"}}]}}})
    assert_error(res, VALIDATION, expected(one_error("requestItems", MAP_KEYS), LOCAL_NAME_MSG))


@pytest.mark.local_differs("Local accepts an empty AttributesToGet in BatchGetItem")
def test_batch_get_empty_attributes_to_get(raw, table_h):
    res = raw("BatchGetItem", {"RequestItems": {table_h: {"Keys": [{"pk": {"S": "a"}}], "AttributesToGet": []}}})
    assert_error(res, VALIDATION, constraint_errors(("[]", "requestItems.%s.member.attributesToGet" % table_h,
                                                     "Member must have length greater than or equal to 1")))


def test_batch_write_empty_list_of_a_table(raw, table_h):
    res = raw("BatchWriteItem", {"RequestItems": {table_h: []}})
    assert_error(res, VALIDATION, expected(
        one_error("requestItems", WRITE_LIST),
        "The batch write request list for a table cannot be null or empty: %s" % table_h))


def test_batch_write_26_requests_for_a_table(raw, table_h):
    puts = [{"PutRequest": {"Item": {"pk": {"S": "k%d" % i}}}} for i in range(26)]
    res = raw("BatchWriteItem", {"RequestItems": {table_h: puts}})
    assert_error(res, VALIDATION, expected(one_error("requestItems", WRITE_LIST),
                                           "Too many items requested for the BatchWriteItem call"))


@pytest.mark.parametrize("name", ["ab", "bad name!"])
def test_batch_write_invalid_table_name(raw, name):
    res = raw("BatchWriteItem", {"RequestItems": {name: [{"PutRequest": {"Item": {"pk": {"S": "a"}}}}]}})
    assert_error(res, VALIDATION, expected(one_error("requestItems", MAP_KEYS), LOCAL_NAME_MSG))


# --------------------------------------------------------------------------- several errors in one message

SELECT_ENUM = ("Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, "
               "ALL_PROJECTED_ATTRIBUTES]")
CAPACITY_ENUM = "Member must satisfy enum value set: [INDEXES, TOTAL, NONE]"
OPERATOR_ENUM = "Member must satisfy enum value set: [OR, AND]"
RETURN_VALUES_ENUM = "Member must satisfy enum value set: [ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]"
METRICS_ENUM = "Member must satisfy enum value set: [SIZE, NONE]"


# The service reports every violated constraint in one message, in its own member order (recorded: for Scan
# select, totalSegments, returnConsumedCapacity, tableName, conditionalOperator, ..., segment, limit; for PutItem
# returnConsumedCapacity, tableName, item, conditionalOperator, expected, returnValues, returnItemCollectionMetrics).
def test_several_invalid_enums_in_a_scan(raw, table_h):
    res = raw("Scan", {"TableName": table_h, "Select": "X", "ReturnConsumedCapacity": "Y", "ConditionalOperator": "Z"})
    assert_error(res, VALIDATION, expected(
        constraint_errors(("X", "select", SELECT_ENUM), ("Y", "returnConsumedCapacity", CAPACITY_ENUM),
                          ("Z", "conditionalOperator", OPERATOR_ENUM)),
        "ConditionalOperator cannot be used without Filter or Expected"))


def test_several_invalid_enums_in_a_put(raw, table_h):
    res = raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": unique()}}, "ReturnValues": "X",
                          "ReturnConsumedCapacity": "Y", "ReturnItemCollectionMetrics": "Z"})
    assert_error(res, VALIDATION, expected(
        constraint_errors(("Y", "returnConsumedCapacity", CAPACITY_ENUM), ("X", "returnValues", RETURN_VALUES_ENUM),
                          ("Z", "returnItemCollectionMetrics", METRICS_ENUM)),
        "Return values set to invalid value"))


def test_enum_and_range_violations_together(raw, table_h):
    res = raw("Scan", {"TableName": table_h, "Select": "X", "Segment": -1, "TotalSegments": 0, "Limit": 0})
    assert_error(res, VALIDATION, expected(
        constraint_errors(("X", "select", SELECT_ENUM),
                          ("0", "totalSegments", "Member must have value greater than or equal to 1"),
                          ("-1", "segment", "Member must have value greater than or equal to 0"),
                          ("0", "limit", "Member must have value greater than or equal to 1")),
        LOCAL_LIMIT))


@pytest.mark.local_differs("Local answers 500 InternalFailure for an unknown BillingMode or KeyType")
def test_several_invalid_enums_in_create_table(raw):
    body = {"TableName": table_name(), "KeySchema": [{"AttributeName": "pk", "KeyType": "X"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}], "BillingMode": "Y"}
    res = raw("CreateTable", body)
    if res.status == 200:
        raw("DeleteTable", {"TableName": body["TableName"]})
    assert res.status == 400 and res.code == VALIDATION, res
    # order of the two not pinned: no recorded source for CreateTable's member order
    m = re.fullmatch(r"2 validation errors detected: (.*); (.*)", res.message)
    assert m, res
    assert sorted(m.groups()) == sorted([
        "Value 'X' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: "
        "[HASH, RANGE]",
        "Value 'Y' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: "
        "[PROVISIONED, PAY_PER_REQUEST]"]), res


# --------------------------------------------------------------------------- Segment / TotalSegments, Limit

SEGMENT_CASES = [
    ("segment_without_total", {"Segment": 1},
     "The TotalSegments parameter is required but was not present in the request when Segment parameter is present",
     "If segment is specified, total segment must also be specified"),
    ("total_without_segment", {"TotalSegments": 2},
     "The Segment parameter is required but was not present in the request when parameter TotalSegments is present",
     "If total segments is specified, a particular segment must also be specified for this request"),
    ("segment_equal_to_total", {"Segment": 2, "TotalSegments": 2},
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 2 is not less than "
     "TotalSegments: 2",
     constraint_errors(("2", "segment", "Member must have value less than or equal to 1"))),
    ("segment_above_total", {"Segment": 5, "TotalSegments": 3},
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 5 is not less than "
     "TotalSegments: 3",
     constraint_errors(("5", "segment", "Member must have value less than or equal to 2"))),
    ("negative_segment", {"Segment": -1, "TotalSegments": 2},
     constraint_errors(("-1", "segment", "Member must have value greater than or equal to 0")),
     constraint_errors(("-1", "segment", "Member must have value less than or equal to 1"))),
    ("zero_total", {"Segment": 0, "TotalSegments": 0},
     constraint_errors(("0", "totalSegments", "Member must have value greater than or equal to 1")),
     constraint_errors(("0", "segment", "Member must have value less than or equal to -1"))),
    ("segment_over_max", {"Segment": 1000000, "TotalSegments": 1000000},
     "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 1000000 is not "
     "less than TotalSegments: 1000000",
     constraint_errors(("1000000", "segment", "Member must have value less than or equal to 999999"))),
    ("total_over_max", {"Segment": 0, "TotalSegments": 1000001},
     constraint_errors(("1000001", "totalSegments", "Member must have value less than or equal to 1000000")), None),
]


@pytest.mark.parametrize("body,service,local", [c[1:] for c in SEGMENT_CASES], ids=[c[0] for c in SEGMENT_CASES])
def test_segment_and_total_segments(raw, table_h, body, service, local):
    assert_error(raw("Scan", dict(body, TableName=table_h)), VALIDATION, expected(service, local))


def test_last_segment_is_valid(raw, table_h):
    assert raw("Scan", {"TableName": table_h, "Segment": 0, "TotalSegments": 1}).status == 200
    assert raw("Scan", {"TableName": table_h, "Segment": 999999, "TotalSegments": 1000000}).status == 200




@pytest.mark.parametrize("op,body", [
    ("Scan", {}), ("Query", {"KeyConditionExpression": "pk = :p", "ExpressionAttributeValues": {":p": {"S": "p"}}}),
    ("ListTables", None),
])
@pytest.mark.parametrize("limit", [0, -1])
def test_limit_below_one(raw, table_h, op, body, limit):
    body = {"Limit": limit} if body is None else dict(body, TableName=table_h, Limit=limit)
    assert_error(raw(op, body), VALIDATION, expected(
        constraint_errors((str(limit), "limit", "Member must have value greater than or equal to 1")), LOCAL_LIMIT))


# --------------------------------------------------------------------------- duplicate AttributesToGet

# recorded for GetItem, Query, Scan and BatchGetItem; Local says so for BatchGetItem only
DUPLICATE_NAME = INVALID + "Duplicate value in attribute name: a"


@pytest.mark.parametrize("op,body", [
    ("GetItem", {"Key": {"pk": {"S": "x"}}}),
    ("Scan", {}),
    ("Query", {"KeyConditions": {"pk": {"ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}}}),
])
def test_duplicate_attributes_to_get(raw, table_h, op, body):
    res = raw(op, dict(body, TableName=table_h, AttributesToGet=["a", "b", "a"]))
    assert_error(res, VALIDATION, expected(DUPLICATE_NAME, "Cannot have two attributes with the same name"))


def test_duplicate_attributes_to_get_in_batch_get(raw, table_h):
    res = raw("BatchGetItem", {"RequestItems": {table_h: {"Keys": [{"pk": {"S": "x"}}],
                                                          "AttributesToGet": ["a", "a"]}}})
    assert_error(res, VALIDATION, DUPLICATE_NAME)


# --------------------------------------------------------------------------- ADD / DELETE operands

# Today's service names the allowed type set ("typeSet: ALLOWED_FOR_ADD_OPERAND"), as Local does; older
# recordings end at "operand type: STRING". The evaluation error (the attribute's type differs from the
# operand's) is the ValidationError text in the TransactWriteItems reference (error-messages.md).
OPERAND = "An operand in the update expression has an incorrect data type"


def operand_type(op, kind):
    return ("Invalid UpdateExpression: Incorrect operand type for operator or function; operator: %s, operand type: "
            "%s, typeSet: ALLOWED_FOR_%s_OPERAND" % (op, kind, op))


ADD_DELETE = [
    ("add_number_to_string", "ADD str :v", {"N": "1"}, OPERAND),
    ("add_number_to_string_set", "ADD ss :v", {"N": "1"}, OPERAND),
    ("add_number_set_to_string_set", "ADD ss :v", {"NS": ["1"]}, OPERAND),
    ("add_string_set_to_number", "ADD n :v", {"SS": ["a"]}, OPERAND),
    ("delete_number_set_from_string_set", "DELETE ss :v", {"NS": ["1"]}, OPERAND),
    ("delete_number_set_from_number", "DELETE n :v", {"NS": ["1"]}, OPERAND),
    ("add_string", "ADD n :v", {"S": "x"}, operand_type("ADD", "STRING")),
    ("add_list", "ADD ss :v", {"L": []}, operand_type("ADD", "LIST")),
    ("add_map", "ADD fresh :v", {"M": {}}, operand_type("ADD", "MAP")),
    ("add_boolean", "ADD fresh :v", {"BOOL": True}, operand_type("ADD", "BOOLEAN")),
    ("delete_string", "DELETE ss :v", {"S": "x"}, operand_type("DELETE", "STRING")),
    ("delete_number", "DELETE ss :v", {"N": "1"}, operand_type("DELETE", "NUMBER")),
]


@pytest.fixture
def operands(raw, table_h):
    key = {"pk": {"S": unique()}}
    item = dict(key, n={"N": "1"}, ss={"SS": ["a", "b"]}, str={"S": "x"})
    assert raw("PutItem", {"TableName": table_h, "Item": item}).status == 200
    return key, item


@pytest.mark.parametrize("expr,value,message", [c[1:] for c in ADD_DELETE], ids=[c[0] for c in ADD_DELETE])
def test_mismatched_add_and_delete_operands(raw, table_h, operands, expr, value, message):
    key, item = operands
    res = raw("UpdateItem", {"TableName": table_h, "Key": key, "UpdateExpression": expr,
                             "ExpressionAttributeValues": {":v": value}})
    assert_error(res, VALIDATION, message)
    assert raw("GetItem", {"TableName": table_h, "Key": key}).body["Item"] == item


@pytest.mark.parametrize("attr,action,value,message", [
    ("n", "ADD", {"S": "x"}, INVALID + "ADD action is not supported for the type STRING"),
    ("ss", "DELETE", {"S": "x"}, INVALID + "DELETE action with value is not supported for the type STRING"),
    ("ss", "ADD", {"NS": ["1"]}, "Type mismatch for attribute to update"),
    ("ss", "DELETE", {"NS": ["1"]}, "Type mismatch for attribute to update"),
    ("str", "ADD", {"N": "1"}, "Type mismatch for attribute to update"),
], ids=["add_string", "delete_string_value", "add_number_set_to_string_set", "delete_number_set_from_string_set",
        "add_number_to_string"])
def test_mismatched_legacy_add_and_delete(raw, table_h, operands, attr, action, value, message):
    key, item = operands
    res = raw("UpdateItem", {"TableName": table_h, "Key": key,
                             "AttributeUpdates": {attr: {"Action": action, "Value": value}}})
    assert_error(res, VALIDATION, message)
    assert raw("GetItem", {"TableName": table_h, "Key": key}).body["Item"] == item


# --------------------------------------------------------------------------- tagging an ARN that does not exist

# Recorded: TagResource and ListTagsOfResource name the ARN (with the service's "ResourcArn" typo, as
# test_tags.py has for ListTagsOfResource); UntagResource does not. Local does not implement tagging.
@pytest.mark.basalt_only
def test_tag_resource_that_does_not_exist(raw, make_table):
    t = make_table()
    for arn in ("arn:aws:dynamodb:us-east-1:%s:table/no_such_table_" % ACCOUNT + unique()[-8:],
                "arn:aws:dynamodb:eu-west-1:%s:table/" % ACCOUNT + t):
        assert_error(raw("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "v"}]}), NOT_FOUND,
                     "Requested resource not found: ResourcArn: %s not found" % arn)
        assert_error(raw("UntagResource", {"ResourceArn": arn, "TagKeys": ["k"]}), NOT_FOUND,
                     "Requested resource not found")
    assert raw("ListTagsOfResource", {"ResourceArn": "arn:aws:dynamodb:us-east-1:%s:table/" % ACCOUNT + t}).body == \
        {"Tags": []}


# --------------------------------------------------------------------------- TransactGetItems key mismatch

TCE = "TransactionCanceledException"
CANCELLED = "Transaction cancelled, please refer cancellation reasons for specific reasons [%s]"
KEY_SCHEMA = "The provided key element does not match the schema"


# The TransactGetItems reference: a request is cancelled when "there is a user error, such as an invalid data
# format"; the cancellation reasons list one entry per item, ValidationError for the bad one, with the message
# GetItem gives for the same key (error-messages.md). Local answers a TransactionCanceledException without
# CancellationReasons whose message is the validation message itself.
@pytest.mark.parametrize("bad_key,local", [
    ({"pk": {"N": "1"}}, INVALID + "Type mismatch for key"),
    ({"zz": {"S": "a"}}, "One of the required keys was not given a value"),
    ({"pk": {"S": "a"}, "sk": {"S": "b"}}, "The number of conditions on the keys is invalid"),
], ids=["wrong_type", "wrong_name", "extra_attribute"])
def test_transact_get_key_mismatch_is_a_cancellation_reason(raw, table_h, bad_key, local):
    res = raw("TransactGetItems", {"TransactItems": [{"Get": {"TableName": table_h, "Key": {"pk": {"S": "x"}}}},
                                                     {"Get": {"TableName": table_h, "Key": bad_key}}]})
    assert res.status == 400 and res.code == TCE, res
    assert res.body.get("Message") == expected(CANCELLED % "None, ValidationError", local), res
    assert res.body.get("CancellationReasons", "absent") == expected(
        [{"Code": "None"}, {"Code": "ValidationError", "Message": KEY_SCHEMA}], "absent"), res


# --------------------------------------------------------------------------- expression substitution sizes

# The limits page: "The maximum length of all substitution variables in an expression is 2 MB. This is the sum of
# the lengths of all ExpressionAttributeNames and ExpressionAttributeValues." Local counts each entry as the length
# of its placeholder plus the size of its name or value, and refuses a sum over 2,097,152 bytes. Local's wording;
# the service's is not documented.
MB2 = 2 * 1024 * 1024


def test_expression_attribute_values_total_size(raw, table_h):
    # two placeholders ":v0", ":v1" (3 bytes each) and their strings: one byte over
    half = (MB2 - 6) // 2
    values = {":v0": {"S": "x" * half}, ":v1": {"S": "y" * (MB2 - 6 - half + 1)}}
    res = raw("Scan", {"TableName": table_h, "FilterExpression": "a = :v0 OR a = :v1",
                       "ExpressionAttributeValues": values})
    assert_error(res, VALIDATION, "ExpressionAttributeValues exceeds max size")
    values = {":v%d" % i: {"S": "x" * 800000} for i in range(3)}
    res = raw("Scan", {"TableName": table_h, "FilterExpression": "a IN (:v0, :v1, :v2)",
                       "ExpressionAttributeValues": values})
    assert_error(res, VALIDATION, "ExpressionAttributeValues exceeds max size")
    values = {":v%d" % i: {"S": "x" * 50000} for i in range(20)}           # 1 MB in all: fine
    res = raw("Scan", {"TableName": table_h, "FilterExpression": "a IN (%s)" % ", ".join(values),
                       "ExpressionAttributeValues": values})
    assert res.status == 200, res


def test_expression_attribute_names_total_size(raw, table_h):
    # 33 names of under 64 KB each (placeholders "#n00".."#n32", 4 bytes each): one byte over
    total = MB2 - 33 * 4 + 1
    sizes = [total // 33] * 32 + [total - total // 33 * 32]
    names = {"#n%02d" % i: "%02d" % i + "x" * (n - 2) for i, n in enumerate(sizes)}
    res = raw("Scan", {"TableName": table_h, "ProjectionExpression": ", ".join(names),
                       "ExpressionAttributeNames": names})
    assert_error(res, VALIDATION, "ExpressionAttributeNames exceeds max size")


# --------------------------------------------------------------------------- DeleteTable's response

def test_delete_table_describes_the_table_as_deleting(raw, endpoint):
    """The DeleteTable reference's example answer: TableName, TableStatus DELETING, ItemCount, TableSizeBytes and
    ProvisionedThroughput {NumberOfDecreasesToday, ReadCapacityUnits, WriteCapacityUnits}; the service adds the
    table's ARN and id. Local describes the table as ACTIVE."""
    name = table_name()
    res = raw("CreateTable", {"TableName": name, "KeySchema": KS, "AttributeDefinitions": AD,
                              "BillingMode": "PROVISIONED",
                              "ProvisionedThroughput": {"ReadCapacityUnits": 3, "WriteCapacityUnits": 4}})
    assert res.status == 200, res
    try:
        _wait_active(endpoint, name)
        assert raw("PutItem", {"TableName": name, "Item": {"pk": {"S": "a"}}}).status == 200
        res = raw("DeleteTable", {"TableName": name})
        assert res.status == 200, res
        td = res.body["TableDescription"]
        assert td["TableName"] == name
        assert td["TableStatus"] == expected("DELETING", "ACTIVE")
        assert td["TableArn"].endswith(":table/" + name)
        assert isinstance(td["ItemCount"], int) and isinstance(td["TableSizeBytes"], int)
        pt = td["ProvisionedThroughput"]
        assert (pt["ReadCapacityUnits"], pt["WriteCapacityUnits"]) == (3, 4)
        assert pt["NumberOfDecreasesToday"] == 0
        # gone, or still DELETING for a moment
        res = raw("DescribeTable", {"TableName": name})
        assert res.code == NOT_FOUND or res.body["Table"]["TableStatus"] == "DELETING", res
        res = raw("DeleteTable", {"TableName": name})
        assert res.code in (NOT_FOUND, "ResourceInUseException"), res
    finally:
        _drop_table(endpoint, name)
