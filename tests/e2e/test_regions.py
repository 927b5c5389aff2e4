"""Regions are separate namespaces: a table made in one region is invisible from another.

DynamoDB Local is started with -sharedDb by shared/tools/dynamodb-local, so it ignores the region."""

import pytest

from conftest import make_client, table_name

KS = [{"AttributeName": "pk", "KeyType": "HASH"}]
AD = [{"AttributeName": "pk", "AttributeType": "S"}]


@pytest.fixture
def clients(endpoint):
    return make_client(endpoint, region="us-east-1"), make_client(endpoint, region="eu-west-1")


def test_table_usable_from_its_region(clients):
    east, _ = clients
    name = table_name("reg")
    east.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    try:
        east.put_item(TableName=name, Item={"pk": {"S": "a"}})
        assert east.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"] == {"pk": {"S": "a"}}
    finally:
        east.delete_table(TableName=name)


@pytest.mark.local_differs("DynamoDB Local runs with -sharedDb: one database for every region")
def test_table_not_visible_from_other_region(clients):
    east, west = clients
    name = table_name("reg")
    east.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    try:
        with pytest.raises(west.exceptions.ResourceNotFoundException):
            west.describe_table(TableName=name)
        with pytest.raises(west.exceptions.ResourceNotFoundException):
            west.put_item(TableName=name, Item={"pk": {"S": "a"}})
        names = []
        kwargs = {}
        while True:
            page = west.list_tables(**kwargs)
            names += page["TableNames"]
            if "LastEvaluatedTableName" not in page:
                break
            kwargs["ExclusiveStartTableName"] = page["LastEvaluatedTableName"]
        assert name not in names
    finally:
        east.delete_table(TableName=name)


@pytest.mark.local_differs("DynamoDB Local runs with -sharedDb: one database for every region")
def test_same_name_in_two_regions(clients):
    east, west = clients
    name = table_name("reg")
    east.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD, BillingMode="PAY_PER_REQUEST")
    try:
        west.create_table(TableName=name, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "N"}],
                          BillingMode="PAY_PER_REQUEST")
        try:
            east.put_item(TableName=name, Item={"pk": {"S": "east"}})
            west.put_item(TableName=name, Item={"id": {"N": "1"}})
            assert east.describe_table(TableName=name)["Table"]["KeySchema"][0]["AttributeName"] == "pk"
            assert west.describe_table(TableName=name)["Table"]["KeySchema"][0]["AttributeName"] == "id"
            assert "Item" not in east.get_item(TableName=name, Key={"pk": {"S": "west"}})
        finally:
            west.delete_table(TableName=name)
        # deleting in one region leaves the other alone
        assert east.get_item(TableName=name, Key={"pk": {"S": "east"}})["Item"] == {"pk": {"S": "east"}}
    finally:
        east.delete_table(TableName=name)


@pytest.mark.local_differs("DynamoDB Local's ARNs name the region 'ddblocal'")
def test_table_arn_names_region(clients):
    east, west = clients
    name = table_name("reg")
    for client, region in ((east, "us-east-1"), (west, "eu-west-1")):
        d = client.create_table(TableName=name, KeySchema=KS, AttributeDefinitions=AD,
                                BillingMode="PAY_PER_REQUEST")["TableDescription"]
        try:
            assert d["TableArn"].startswith("arn:aws:dynamodb:%s:" % region)
            assert d["TableArn"].endswith(":table/" + name)
        finally:
            client.delete_table(TableName=name)
