"""The legacy parameters older SDKs still send: Expected with
ConditionalOperator, and AttributeUpdates."""

import pytest

from conftest import assert_error, unique

CCF = "ConditionalCheckFailedException"
INVALID = "One or more parameter values were invalid: "


@pytest.fixture
def item(raw, table_h):
    k = unique()
    assert raw("PutItem", {"TableName": table_h, "Item": {
        "pk": {"S": k}, "s": {"S": "abc"}, "n": {"N": "5"}, "ss": {"SS": ["x", "y"]}}}).status == 200
    return k


def put_if(raw, table, k, expected, op=None):
    body = {"TableName": table, "Item": {"pk": {"S": k}, "s": {"S": "abc"}, "n": {"N": "5"},
                                         "ss": {"SS": ["x", "y"]}}, "Expected": expected}
    if op:
        body["ConditionalOperator"] = op
    return raw("PutItem", body)


@pytest.mark.parametrize("expected,holds", [
    ({"s": {"Value": {"S": "abc"}}}, True),
    ({"s": {"Value": {"S": "abd"}}}, False),
    ({"s": {"Exists": True, "Value": {"S": "abc"}}}, True),
    ({"missing": {"Exists": False}}, True),
    ({"s": {"Exists": False}}, False),
    ({"n": {"ComparisonOperator": "GT", "AttributeValueList": [{"N": "4.99"}]}}, True),
    ({"n": {"ComparisonOperator": "LE", "AttributeValueList": [{"N": "4"}]}}, False),
    ({"n": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"N": "5"}, {"N": "6"}]}}, True),
    ({"n": {"ComparisonOperator": "IN", "AttributeValueList": [{"N": "1"}, {"N": "5.0"}]}}, True),
    ({"s": {"ComparisonOperator": "BEGINS_WITH", "AttributeValueList": [{"S": "ab"}]}}, True),
    ({"s": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "bc"}]}}, True),
    ({"ss": {"ComparisonOperator": "CONTAINS", "AttributeValueList": [{"S": "y"}]}}, True),
    ({"ss": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "z"}]}}, True),
    ({"missing": {"ComparisonOperator": "NOT_CONTAINS", "AttributeValueList": [{"S": "z"}]}}, False),
    ({"missing": {"ComparisonOperator": "NE", "AttributeValueList": [{"S": "z"}]}}, True),
    ({"missing": {"ComparisonOperator": "NULL"}}, True),
    ({"s": {"ComparisonOperator": "NOT_NULL"}}, True),
    ({"s": {"ComparisonOperator": "EQ", "AttributeValueList": [{"N": "1"}]}}, False),
])
def test_expected_operators(raw, table_h, item, expected, holds):
    res = put_if(raw, table_h, item, expected)
    if holds:
        assert res.status == 200, res
    else:
        assert_error(res, CCF, "The conditional request failed")


def test_conditional_operator_or_and_and(raw, table_h, item):
    expected = {"s": {"Value": {"S": "nope"}}, "n": {"Value": {"N": "5"}}}
    assert put_if(raw, table_h, item, expected, "OR").status == 200
    assert_error(put_if(raw, table_h, item, expected, "AND"), CCF)
    assert_error(put_if(raw, table_h, item, expected), CCF)


@pytest.mark.parametrize("expected,op,message", [
    ({"a": {"ComparisonOperator": "EQ", "AttributeValueList": []}}, None,
     INVALID + "Invalid number of argument(s) for the EQ ComparisonOperator"),
    ({"a": {"ComparisonOperator": "EQ"}}, None,
     INVALID + "Value or AttributeValueList must be used with ComparisonOperator: EQ for Attribute: a"),
    ({"a": {"Exists": True}}, None, INVALID + "Value must be provided when Exists is true for Attribute: a"),
    ({"a": {}}, None, INVALID + "Value must be provided when Exists is null for Attribute: a"),
    ({"a": {"Exists": False, "Value": {"S": "q"}}}, None,
     INVALID + "Value cannot be used when Exists is false for Attribute: a"),
    ({"a": {"Value": {"S": "x"}, "ComparisonOperator": "EQ", "AttributeValueList": [{"S": "x"}]}}, None,
     INVALID + "Value and AttributeValueList cannot be used together for Attribute: a"),
    ({"a": {"ComparisonOperator": "LT", "AttributeValueList": [{"SS": ["a"]}]}}, None,
     INVALID + "ComparisonOperator LT is not valid for SS AttributeValue type"),
    ({"a": {"ComparisonOperator": "BOGUS", "AttributeValueList": [{"S": "a"}]}}, None,
     "Comparison type does not exist in DynamoDB"),
    ({"a": {"ComparisonOperator": "BETWEEN", "AttributeValueList": [{"S": "z"}, {"S": "a"}]}}, None,
     "The BETWEEN condition was provided a range where the lower bound is greater than the upper bound"),
    ({"a": {"ComparisonOperator": "IN", "AttributeValueList": [{"S": "a"}, {"N": "1"}]}}, None,
     INVALID + "AttributeValues inside AttributeValueList must be of same type"),
    ({"a": {"Value": {"S": "x"}}}, "OR",
     "ConditionalOperator can only be used when Filter or Expected has two or more elements"),
])
def test_expected_validation(raw, table_h, expected, op, message):
    assert_error(put_if(raw, table_h, unique(), expected, op), "ValidationException", message)


def test_conditional_operator_without_expected(raw, table_h):
    res = raw("PutItem", {"TableName": table_h, "Item": {"pk": {"S": unique()}}, "ConditionalOperator": "OR"})
    assert_error(res, "ValidationException", "ConditionalOperator cannot be used without Filter or Expected")


def test_attribute_updates_put_add_delete(raw, table_h, item):
    res = raw("UpdateItem", {"TableName": table_h, "Key": {"pk": {"S": item}}, "ReturnValues": "ALL_NEW",
                             "AttributeUpdates": {
                                 "s": {"Action": "PUT", "Value": {"S": "new"}},
                                 "n": {"Action": "ADD", "Value": {"N": "2.5"}},
                                 "ss": {"Action": "DELETE", "Value": {"SS": ["x"]}},
                                 "fresh": {"Action": "ADD", "Value": {"SS": ["q"]}},
                                 "l": {"Action": "ADD", "Value": {"L": [{"S": "a"}]}},
                             }})
    assert res.status == 200, res
    assert res.body["Attributes"] == {"pk": {"S": item}, "s": {"S": "new"}, "n": {"N": "7.5"},
                                      "ss": {"SS": ["y"]}, "fresh": {"SS": ["q"]}, "l": {"L": [{"S": "a"}]}}


def test_attribute_updates_delete_without_value_removes(raw, table_h, item):
    res = raw("UpdateItem", {"TableName": table_h, "Key": {"pk": {"S": item}}, "ReturnValues": "ALL_NEW",
                             "AttributeUpdates": {"s": {"Action": "DELETE"}}})
    assert res.status == 200, res
    assert "s" not in res.body["Attributes"]


def test_attribute_updates_with_expected(raw, table_h, item):
    res = raw("UpdateItem", {"TableName": table_h, "Key": {"pk": {"S": item}},
                             "AttributeUpdates": {"s": {"Action": "PUT", "Value": {"S": "new"}}},
                             "Expected": {"n": {"Value": {"N": "6"}}}})
    assert_error(res, CCF)


def test_attribute_updates_and_update_expression_cannot_be_mixed(raw, table_h):
    res = raw("UpdateItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}},
                             "AttributeUpdates": {"s": {"Action": "PUT", "Value": {"S": "new"}}},
                             "UpdateExpression": "SET a = :a", "ExpressionAttributeValues": {":a": {"S": "x"}}})
    assert_error(res, "ValidationException",
                 "Can not use both expression and non-expression parameters in the same request: "
                 "Non-expression parameters: {AttributeUpdates} Expression parameters: {UpdateExpression}")


def test_attribute_updates_put_without_value_is_refused(raw, table_h):
    res = raw("UpdateItem", {"TableName": table_h, "Key": {"pk": {"S": unique()}},
                             "AttributeUpdates": {"s": {"Action": "PUT"}}})
    assert_error(res, "ValidationException",
                 INVALID + "Only DELETE action is allowed when no attribute value is specified")
