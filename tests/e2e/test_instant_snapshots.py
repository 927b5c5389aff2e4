"""Instant snapshots for test suites (Basalt's admin endpoint, beyond DynamoDB): save every table of a
namespace under a name and restore it between tests."""

import time

import pytest
import requests

from conftest import ACCESS_KEY, make_client, table_name

pytestmark = pytest.mark.basalt_only


def test_save_restore_list_delete(private_server):
    server = private_server("--in-memory")
    ddb = make_client(server.url)
    keep, gone = table_name("keep"), table_name("gone")
    for t in (keep, gone):
        ddb.create_table(TableName=t, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                               {"AttributeName": "g", "AttributeType": "S"}],
                         GlobalSecondaryIndexes=[{"IndexName": "byg",
                                                  "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                  "Projection": {"ProjectionType": "ALL"}}],
                         BillingMode="PAY_PER_REQUEST")
    for i in range(20):
        ddb.put_item(TableName=keep, Item={"pk": {"S": "k%d" % i}, "g": {"S": "x"}})
    ddb.delete_table(TableName=gone)
    r = requests.post(server.url + "/basalt/snapshots/fixtures?access_key=" + ACCESS_KEY)
    assert r.status_code == 200, r.text
    assert r.json()["tables"] == 1 and r.json()["items"] == 20

    # A test dirties the instance...
    ddb.delete_item(TableName=keep, Key={"pk": {"S": "k0"}})
    ddb.put_item(TableName=keep, Item={"pk": {"S": "new"}, "g": {"S": "x"}})
    ddb.create_table(TableName=gone, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")

    # ...and the next one starts from the fixtures again.
    start = time.monotonic()
    r = requests.post(server.url + "/basalt/snapshots/fixtures/restore?access_key=" + ACCESS_KEY)
    elapsed = time.monotonic() - start
    assert r.status_code == 200, r.text
    assert ddb.list_tables()["TableNames"] == [keep]
    t = ddb.describe_table(TableName=keep)["Table"]
    assert t["TableStatus"] == "ACTIVE" and t["ItemCount"] == 20
    assert "k0" in {i["pk"]["S"] for i in ddb.scan(TableName=keep)["Items"]}
    assert ddb.query(TableName=keep, IndexName="byg", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "x"}}, Select="COUNT")["Count"] == 20
    print("restore of 1 table / 20 items took %.1f ms" % (elapsed * 1000))

    listed = requests.get(server.url + "/basalt/snapshots?access_key=" + ACCESS_KEY).json()["snapshots"]
    assert [s["name"] for s in listed] == ["fixtures"]
    assert requests.delete(server.url + "/basalt/snapshots/fixtures?access_key=" + ACCESS_KEY).status_code == 200
    assert requests.post(server.url + "/basalt/snapshots/fixtures/restore?access_key=" + ACCESS_KEY).status_code == 404
    assert requests.post(server.url + "/basalt/snapshots/bad%20name?access_key=" + ACCESS_KEY).status_code == 400


def test_namespaces_are_per_region(private_server):
    server = private_server("--in-memory")
    east, west = make_client(server.url), make_client(server.url, region="us-west-2")
    name = table_name("regional")
    for c in (east, west):
        c.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
    assert requests.post(server.url + "/basalt/snapshots/west?region=us-west-2&access_key=" + ACCESS_KEY).status_code == 200
    west.delete_table(TableName=name)
    assert requests.post(server.url + "/basalt/snapshots/west/restore?region=us-west-2&access_key=" + ACCESS_KEY).json()["tables"] == 1
    assert west.list_tables()["TableNames"] == [name]
    assert east.list_tables()["TableNames"] == [name]
