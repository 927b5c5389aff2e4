"""TagResource, UntagResource and ListTagsOfResource on table ARNs.

DynamoDB Local does not implement tagging ("Tagging is not currently supported in DynamoDB Local."), so
these tests are Basalt-only. The error messages follow the service as documented and remembered; they are
not verified against a reference implementation."""

import pytest

from conftest import ACCOUNT, assert_error, constraint_errors

pytestmark = pytest.mark.basalt_only

ARN = "arn:aws:dynamodb:us-east-1:%s:table/" % ACCOUNT


def tags_of(raw, arn):
    res = raw("ListTagsOfResource", {"ResourceArn": arn})
    assert res.status == 200, res
    return {t["Key"]: t["Value"] for t in res.body["Tags"]}


def test_tag_list_untag(raw, make_table):
    t = make_table(Tags=[{"Key": "team", "Value": "a"}])
    arn = ARN + t
    assert tags_of(raw, arn) == {"team": "a"}
    res = raw("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "team", "Value": "b"}, {"Key": "env", "Value": ""}]})
    assert res.status == 200 and res.body == {}, res
    assert tags_of(raw, arn) == {"team": "b", "env": ""}
    res = raw("UntagResource", {"ResourceArn": arn, "TagKeys": ["team", "absent"]})
    assert res.status == 200 and res.body == {}, res
    assert tags_of(raw, arn) == {"env": ""}
    desc = raw("DescribeTable", {"TableName": t}).body["Table"]
    assert desc["TableArn"] == arn


def test_boto3_tagging(ddb, make_table):
    t = make_table()
    arn = ARN + t
    ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == [{"Key": "k", "Value": "v"}]
    ddb.untag_resource(ResourceArn=arn, TagKeys=["k"])
    assert ddb.list_tags_of_resource(ResourceArn=arn)["Tags"] == []


def test_limits_and_reserved_prefix(raw, make_table):
    t = make_table()
    arn = ARN + t
    too_many = [{"Key": "k%d" % i, "Value": "v"} for i in range(51)]
    assert_error(raw("TagResource", {"ResourceArn": arn, "Tags": too_many}), "ValidationException",
                 "One or more parameter values were invalid: Too many tags")
    assert raw("TagResource", {"ResourceArn": arn, "Tags": too_many[:50]}).status == 200
    assert_error(raw("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "one-more", "Value": "v"}]}),
                 "ValidationException", "One or more parameter values were invalid: Too many tags")
    assert len(tags_of(raw, arn)) == 50
    assert_error(raw("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "aws:owner", "Value": "v"}]}),
                 "ValidationException",
                 "One or more parameter values were invalid: Tag keys starting with aws: are reserved")
    assert_error(raw("TagResource", {"ResourceArn": arn, "Tags": [{"Key": "k" * 129, "Value": "v"}]}),
                 "ValidationException",
                 constraint_errors(("k" * 129, "tags.1.member.key", "Member must have length less than or equal to 128")))


@pytest.mark.parametrize("op,body,message", [
    ("TagResource", {"Tags": []}, constraint_errors((None, "resourceArn", "Member must not be null"))),
    ("TagResource", {"ResourceArn": ARN + "x_tbl"}, constraint_errors((None, "tags", "Member must not be null"))),
    ("UntagResource", {"ResourceArn": ARN + "x_tbl"}, constraint_errors((None, "tagKeys", "Member must not be null"))),
    ("ListTagsOfResource", {"ResourceArn": "not-an-arn"},
     "Invalid TableArn: Invalid ResourceArn provided as input not-an-arn"),
    ("ListTagsOfResource", {"ResourceArn": ARN + "t/index/i"},
     "Invalid TableArn: Invalid ResourceArn provided as input " + ARN + "t/index/i"),
])
def test_validations(raw, op, body, message):
    assert_error(raw(op, body), "ValidationException", message)


def test_unknown_table_and_other_region(raw, make_table):
    t = make_table()
    for arn in (ARN + "no_such_table", "arn:aws:dynamodb:eu-west-1:%s:table/" % ACCOUNT + t):
        assert_error(raw("ListTagsOfResource", {"ResourceArn": arn}), "ResourceNotFoundException",
                     "Requested resource not found: ResourcArn: %s not found" % arn)
