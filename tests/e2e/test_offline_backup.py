"""Offline operations for self-hosters: `basalt backup --data-dir D --to DIR` of a stopped instance,
`POST /basalt/backup?to=DIR` of a running one, and `basalt restore --from DIR --data-dir D`: the restored
instance has every table, item and index, and its backups."""

import os
import pathlib
import subprocess

import pytest

from conftest import DEFAULT_BIN, make_client, table_name

pytestmark = pytest.mark.basalt_only
BIN = pathlib.Path(os.environ.get("BASALT_BIN", DEFAULT_BIN))


def basalt(*args):
    return subprocess.run([str(BIN), *args], capture_output=True, text=True, timeout=120)


def fill(ddb, name):
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"}],
                     GlobalSecondaryIndexes=[{"IndexName": "byg",
                                              "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                              "Projection": {"ProjectionType": "ALL"}}],
                     BillingMode="PAY_PER_REQUEST")
    for i in range(300):
        ddb.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}, "g": {"S": "x"}})


def check(ddb, name):
    assert ddb.scan(TableName=name, Select="COUNT")["Count"] == 300
    assert ddb.query(TableName=name, IndexName="byg", KeyConditionExpression="g = :g",
                     ExpressionAttributeValues={":g": {"S": "x"}}, Select="COUNT")["Count"] == 300


def test_backup_of_a_stopped_instance_and_restore(private_server, tmp_path):
    data, copy, restored = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    server = private_server("--data-dir", str(data))
    ddb = make_client(server.url)
    name = table_name("offline")
    fill(ddb, name)
    arn = ddb.create_backup(TableName=name, BackupName="inside")["BackupDetails"]["BackupArn"]
    running = basalt("backup", "--data-dir", str(data), "--to", str(copy))
    assert running.returncode == 1 and "POST" in running.stderr, running  # it is running: ask it instead
    server.stop()
    done = basalt("backup", "--data-dir", str(data), "--to", str(copy))
    assert done.returncode == 0, done
    again = basalt("backup", "--data-dir", str(data), "--to", str(copy))
    assert again.returncode == 1 and "exists already" in again.stderr
    r = basalt("restore", "--from", str(copy), "--data-dir", str(restored))
    assert r.returncode == 0, r
    assert basalt("restore", "--from", str(copy), "--data-dir", str(restored)).returncode == 1  # not empty
    server = private_server("--data-dir", str(restored))
    ddb = make_client(server.url)
    check(ddb, name)
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] in (
        "AVAILABLE", "CREATING")


def test_backup_of_a_running_instance(private_server, tmp_path):
    import requests
    data, copy, restored = tmp_path / "data", tmp_path / "backup", tmp_path / "restored"
    server = private_server("--data-dir", str(data))
    ddb = make_client(server.url)
    name = table_name("online")
    fill(ddb, name)
    r = requests.post(server.url + "/basalt/backup", params={"to": str(copy)})
    assert r.status_code == 200, r.text
    ddb.put_item(TableName=name, Item={"pk": {"S": "after"}})  # not in the copy
    assert basalt("restore", "--from", str(copy), "--data-dir", str(restored)).returncode == 0
    other = private_server("--data-dir", str(restored))
    check(make_client(other.url), name)
    mem = private_server("--in-memory")
    assert requests.post(mem.url + "/basalt/backup", params={"to": str(tmp_path / "x")}).status_code == 400
