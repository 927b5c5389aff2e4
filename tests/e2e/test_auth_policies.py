"""Authorization beyond the identity policies of test_auth.py (issue 15): PartiQL statements, which are
authorized on the table their parse tree names with the condition keys of their plan; resource-based
policies (PutResourcePolicy and CreateTable's ResourcePolicy, gone with the table); and attribute-based
access with aws:ResourceTag."""

import pytest

from auth_helpers import admin, call
from conftest import make_client, table_name
from test_auth import AD, KS, _policy, _type, root_client, sigv4  # noqa: F401 (sigv4 is a fixture)

pytestmark = pytest.mark.basalt_only

# --------------------------------------------------------------------------- PartiQL

def test_partiql_is_authorized_on_the_table_the_statement_names(sigv4):
    url = sigv4.url
    root = root_client(url)
    open_name, secret_name = table_name("pql_open"), table_name("pql_secret")
    open_arn = root.create_table(TableName=open_name, KeySchema=KS, AttributeDefinitions=AD,
                                 BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    root.create_table(TableName=secret_name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    root.put_item(TableName=secret_name, Item={"pk": {"S": "k"}, "v": {"S": "kept"}})
    admin(url, "CreateUser", {"UserName": "pql"})
    admin(url, "PutUserPolicy", {"UserName": "pql", "PolicyName": "open-only", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": ["dynamodb:PartiQLSelect", "dynamodb:PartiQLInsert", "dynamodb:PartiQLUpdate"],
         "Resource": open_arn})})
    key = admin(url, "CreateAccessKey", {"UserName": "pql"})["AccessKey"]
    user = make_client(url, access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    user.execute_statement(Statement="INSERT INTO \"%s\" VALUE {'pk': 'a', 'v': 'x'}" % open_name)
    got = user.execute_statement(Statement="select *\nfrom\t\"%s\"\nwhere pk = 'a'" % open_name)["Items"]
    assert got == [{"pk": {"S": "a"}, "v": {"S": "x"}}]
    # The allowed table's name inside a string literal does not authorize the statement's own table.
    for statement, action in [
            ("UPDATE \"%s\" SET v = ' FROM \"%s\"' WHERE pk = 'k'" % (secret_name, open_name), "PartiQLUpdate"),
            ("SELECT * FROM \"%s\" WHERE pk = 'k' AND v <> ' FROM %s'" % (secret_name, open_name), "PartiQLSelect"),
            ("INSERT INTO \"%s\" VALUE {'pk': 'n', 'v': ' INTO %s'}" % (secret_name, open_name), "PartiQLInsert")]:
        with pytest.raises(user.exceptions.ClientError) as e:
            user.execute_statement(Statement=statement)
        err = e.value.response["Error"]
        assert err["Code"] == "AccessDeniedException", statement
        assert "dynamodb:%s on resource: %s" % (action, open_arn.replace(open_name, secret_name)) in err["Message"]
    # A transaction is authorized statement by statement.
    with pytest.raises(user.exceptions.ClientError) as e:
        user.execute_transaction(TransactStatements=[
            {"Statement": "UPDATE \"%s\" SET v = 'y' WHERE pk = 'a'" % open_name},
            {"Statement": "UPDATE \"%s\" SET v = 'y' WHERE pk = 'k'" % secret_name}])
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert root.get_item(TableName=secret_name, Key={"pk": {"S": "k"}})["Item"]["v"] == {"S": "kept"}
    assert root.get_item(TableName=open_name, Key={"pk": {"S": "a"}})["Item"]["v"] == {"S": "x"}


def test_partiql_statements_are_held_to_leading_keys(sigv4):
    """A user limited to the partition named after them (dynamodb:LeadingKeys) reaches no other partition through
    PartiQL: literal and parameter keys, IN lists, writes and transactions carry their partition keys, and a
    SELECT that scans carries dynamodb:FullTableScan, which the policy denies."""
    url = sigv4.url
    root = root_client(url)
    name = table_name("pql_fgac")
    arn = root.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                            BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    root.put_item(TableName=name, Item={"pk": {"S": "carol"}, "v": {"S": "hers"}})
    admin(url, "CreateUser", {"UserName": "dave"})
    admin(url, "PutUserPolicy", {"UserName": "dave", "PolicyName": "own-partition", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": "dynamodb:PartiQL*", "Resource": arn,
         "Condition": {"ForAllValues:StringEquals": {"dynamodb:LeadingKeys": ["${aws:username}"]}}},
        {"Effect": "Deny", "Action": "dynamodb:PartiQLSelect", "Resource": arn,
         "Condition": {"Bool": {"dynamodb:FullTableScan": "true"}}})})
    key = admin(url, "CreateAccessKey", {"UserName": "dave"})["AccessKey"]
    user = make_client(url, access_key=key["AccessKeyId"], secret_key=key["SecretAccessKey"])
    user.execute_statement(Statement="INSERT INTO \"%s\" VALUE {'pk': 'dave', 'v': 'mine'}" % name)
    user.execute_statement(Statement="UPDATE \"%s\" SET v = ? WHERE pk = ?" % name,
                           Parameters=[{"S": "still mine"}, {"S": "dave"}])
    got = user.execute_statement(Statement="SELECT * FROM \"%s\" WHERE pk = 'dave'" % name)["Items"]
    assert got == [{"pk": {"S": "dave"}, "v": {"S": "still mine"}}]
    denied = [
        ("SELECT * FROM \"%s\" WHERE pk = 'carol'" % name, None),
        ("SELECT * FROM \"%s\" WHERE pk = ?" % name, [{"S": "carol"}]),
        ("SELECT * FROM \"%s\" WHERE pk IN ['dave', 'carol']" % name, None),
        ("SELECT * FROM \"%s\" WHERE v = 'hers'" % name, None),
        ("UPDATE \"%s\" SET v = 'taken' WHERE pk = 'carol'" % name, None),
        ("DELETE FROM \"%s\" WHERE pk = ?" % name, [{"S": "carol"}]),
        ("INSERT INTO \"%s\" VALUE {'pk': 'eve', 'v': 'x'}" % name, None),
    ]
    for statement, params in denied:
        kw = {"Parameters": params} if params else {}
        with pytest.raises(user.exceptions.ClientError) as e:
            user.execute_statement(Statement=statement, **kw)
        assert e.value.response["Error"]["Code"] == "AccessDeniedException", statement
    with pytest.raises(user.exceptions.ClientError) as e:
        user.execute_transaction(TransactStatements=[
            {"Statement": "UPDATE \"%s\" SET v = 'y' WHERE pk = 'dave'" % name},
            {"Statement": "DELETE FROM \"%s\" WHERE pk = 'carol'" % name}])
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    with pytest.raises(user.exceptions.ClientError) as e:  # a batch is authorized statement by statement
        user.batch_execute_statement(Statements=[
            {"Statement": "SELECT * FROM \"%s\" WHERE pk = 'dave'" % name},
            {"Statement": "SELECT * FROM \"%s\" WHERE pk = 'carol'" % name}])
    assert e.value.response["Error"]["Code"] == "AccessDeniedException"
    assert root.get_item(TableName=name, Key={"pk": {"S": "carol"}})["Item"]["v"] == {"S": "hers"}
    assert "Item" not in root.get_item(TableName=name, Key={"pk": {"S": "eve"}})


# --------------------------------------------------------------------------- resource-based policies

def test_resource_policies(sigv4):
    url = sigv4.url
    root = root_client(url)
    name = table_name("rp")
    arn = root.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                            BillingMode="PAY_PER_REQUEST")["TableDescription"]["TableArn"]
    root.put_item(TableName=name, Item={"pk": {"S": "a"}})
    admin(url, "CreateUser", {"UserName": "bob"})
    key = admin(url, "CreateAccessKey", {"UserName": "bob"})["AccessKey"]
    bob_arn = "arn:aws:iam::000000000000:user/bob"
    bob = dict(key=key["AccessKeyId"], secret=key["SecretAccessKey"])

    status, out = call(url, "GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}}, **bob)
    assert (status, _type(out)) == (400, "AccessDeniedException")
    status, out = call(url, "GetResourcePolicy", {"ResourceArn": arn})
    assert (status, _type(out)) == (400, "PolicyNotFoundException"), out

    # The table's policy grants bob what no identity policy does.
    doc = _policy({"Effect": "Allow", "Principal": {"AWS": bob_arn}, "Action": "dynamodb:GetItem", "Resource": arn})
    status, out = call(url, "PutResourcePolicy", {"ResourceArn": arn, "Policy": doc})
    assert status == 200, out
    revision = out["RevisionId"]
    assert call(url, "PutResourcePolicy", {"ResourceArn": arn, "Policy": doc})[1]["RevisionId"] == revision
    status, out = call(url, "GetResourcePolicy", {"ResourceArn": arn})
    assert (out["Policy"], out["RevisionId"]) == (doc, revision)
    status, out = call(url, "GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}}, **bob)
    assert status == 200 and out["Item"] == {"pk": {"S": "a"}}, out
    status, out = call(url, "PutItem", {"TableName": name, "Item": {"pk": {"S": "b"}}}, **bob)
    assert (status, _type(out)) == (400, "AccessDeniedException")

    # A Deny in the resource policy beats an identity policy's Allow.
    admin(url, "PutUserPolicy", {"UserName": "bob", "PolicyName": "all", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"})})
    deny = _policy({"Effect": "Deny", "Principal": "*", "Action": "dynamodb:DeleteTable", "Resource": arn})
    status, out = call(url, "PutResourcePolicy", {"ResourceArn": arn, "Policy": deny, "ExpectedRevisionId": "1"})
    assert (status, _type(out)) == (400, "PolicyNotFoundException")
    status, out = call(url, "PutResourcePolicy", {"ResourceArn": arn, "Policy": deny, "ExpectedRevisionId": revision})
    assert status == 200 and out["RevisionId"] != revision
    status, out = call(url, "DeleteTable", {"TableName": name}, **bob)
    assert (status, _type(out)) == (400, "AccessDeniedException")
    assert out["message"] == ("User: %s is not authorized to perform: dynamodb:DeleteTable on resource: %s because "
                              "with an explicit deny in a resource-based policy" % (bob_arn, arn))

    status, out = call(url, "DeleteResourcePolicy", {"ResourceArn": arn})
    assert status == 200 and out["RevisionId"]
    assert _type(call(url, "GetResourcePolicy", {"ResourceArn": arn})[1]) == "PolicyNotFoundException"
    assert call(url, "DeleteResourcePolicy", {"ResourceArn": arn}) == (200, {"RevisionId": ""})
    status, out = call(url, "GetResourcePolicy", {"ResourceArn": arn + "-missing"})
    assert (status, _type(out)) == (400, "ResourceNotFoundException")


def test_create_table_resource_policy_and_deleting_the_table_drops_it(sigv4):
    """CreateTable's ResourcePolicy is in force when CreateTable answers (the service applies it strongly
    consistently) and needs dynamodb:PutResourcePolicy as well as CreateTable; deleting the table deletes its
    policy, so a table created again under the same name (the same ARN) does not inherit its grants."""
    url = sigv4.url
    name = table_name("rpct")
    admin(url, "CreateUser", {"UserName": "erin"})
    key = admin(url, "CreateAccessKey", {"UserName": "erin"})["AccessKey"]
    erin_arn = "arn:aws:iam::000000000000:user/erin"
    erin = dict(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + name
    doc = _policy({"Effect": "Allow", "Principal": {"AWS": erin_arn}, "Action": "dynamodb:GetItem", "Resource": arn})
    create = {"TableName": name, "KeySchema": KS, "AttributeDefinitions": AD, "BillingMode": "PAY_PER_REQUEST"}

    # Erin may create tables but not attach policies: a CreateTable with a ResourcePolicy is refused whole.
    admin(url, "PutUserPolicy", {"UserName": "erin", "PolicyName": "create", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": "dynamodb:CreateTable", "Resource": "*"})})
    status, out = call(url, "CreateTable", dict(create, ResourcePolicy=doc), **erin)
    assert (status, _type(out)) == (400, "AccessDeniedException")
    assert "dynamodb:PutResourcePolicy on resource: " + arn in out["message"]
    assert _type(call(url, "DescribeTable", {"TableName": name})[1]) == "ResourceNotFoundException"
    # A document that is not a policy is refused before the table is made.
    status, out = call(url, "CreateTable", dict(create, ResourcePolicy="{not json"))
    assert (status, _type(out)) == (400, "ValidationException"), out
    assert _type(call(url, "DescribeTable", {"TableName": name})[1]) == "ResourceNotFoundException"

    status, out = call(url, "CreateTable", dict(create, ResourcePolicy=doc))
    assert status == 200, out
    status, out = call(url, "GetResourcePolicy", {"ResourceArn": arn})
    assert status == 200 and out["Policy"] == doc
    status, out = call(url, "GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}}, **erin)
    assert status == 200, out

    assert call(url, "DeleteTable", {"TableName": name})[0] == 200
    assert call(url, "CreateTable", create)[0] == 200
    status, out = call(url, "GetResourcePolicy", {"ResourceArn": arn})
    assert (status, _type(out)) == (400, "PolicyNotFoundException")
    status, out = call(url, "GetItem", {"TableName": name, "Key": {"pk": {"S": "a"}}}, **erin)
    assert (status, _type(out)) == (400, "AccessDeniedException")
    assert call(url, "DeleteTable", {"TableName": name})[0] == 200


def test_attribute_based_access_with_resource_tags(sigv4):
    """aws:ResourceTag/<key> is the table's tags, for the table and its indexes: access follows the tag."""
    url = sigv4.url
    root = root_client(url)
    blue, red = table_name("abac_blue"), table_name("abac_red")
    for name, team in ((blue, "blue"), (red, "red")):
        root.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST",
                          Tags=[{"Key": "team", "Value": team}])
    admin(url, "CreateUser", {"UserName": "frank"})
    admin(url, "PutUserPolicy", {"UserName": "frank", "PolicyName": "blue-team", "PolicyDocument": _policy(
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"], "Resource": "*",
         "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}})})
    key = admin(url, "CreateAccessKey", {"UserName": "frank"})["AccessKey"]
    frank = dict(key=key["AccessKeyId"], secret=key["SecretAccessKey"])
    assert call(url, "PutItem", {"TableName": blue, "Item": {"pk": {"S": "a"}}}, **frank)[0] == 200
    status, out = call(url, "PutItem", {"TableName": red, "Item": {"pk": {"S": "a"}}}, **frank)
    assert (status, _type(out)) == (400, "AccessDeniedException")
    red_arn = root.describe_table(TableName=red)["Table"]["TableArn"]
    root.tag_resource(ResourceArn=red_arn, Tags=[{"Key": "team", "Value": "blue"}])
    assert call(url, "GetItem", {"TableName": red, "Key": {"pk": {"S": "a"}}}, **frank)[0] == 200
    root.untag_resource(ResourceArn=red_arn, TagKeys=["team"])
    status, out = call(url, "GetItem", {"TableName": red, "Key": {"pk": {"S": "a"}}}, **frank)
    assert (status, _type(out)) == (400, "AccessDeniedException")
