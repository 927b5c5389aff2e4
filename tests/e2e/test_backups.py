"""On-demand backups: CreateBackup, DescribeBackup, ListBackups, DeleteBackup and RestoreTableFromBackup,
with boto3 (the operations are old enough for Debian's botocore) and raw requests for the validations.

DynamoDB Local answers UnknownOperationException to all of them, so these tests are Basalt-only; the shapes,
statuses and error types follow the service's model and documentation
(shared/reference/backups-pitr-export.md)."""

import re
import time

import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, assert_error, constraint_errors, table_name

pytestmark = pytest.mark.basalt_only

ARN_RE = re.compile(r"arn:aws:dynamodb:us-east-1:\d{12}:table/(?P<table>[^/]+)/backup/\d{14}-[0-9a-f]{8}")
MISSING_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/nope/backup/01489173575360-b308cd7d"


def wait_backup(ddb, arn, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
        if d["BackupDetails"]["BackupStatus"] == "AVAILABLE":
            return d
        time.sleep(0.05)
    raise AssertionError("backup %s not AVAILABLE" % arn)


def wait_table(ddb, name, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        t = ddb.describe_table(TableName=name)["Table"]
        if t["TableStatus"] == "ACTIVE":
            return t
        time.sleep(0.05)
    raise AssertionError("table %s not ACTIVE" % name)


def scan_all(ddb, table, index=None):
    kw = {"TableName": table}
    if index:
        kw["IndexName"] = index
    items = []
    while True:
        page = ddb.scan(**kw)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            break
        kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
    return sorted(items, key=lambda i: repr(sorted(i.items())))


@pytest.fixture
def indexed(make_table):
    """A table (pk S, sk N) with a GSI on g and a KEYS_ONLY LSI on l, holding a few items."""
    def make():
        t = make_table(range_key=("sk", "N"),
                       AttributeDefinitions=[{"AttributeName": n, "AttributeType": ty}
                                             for n, ty in (("pk", "S"), ("sk", "N"), ("g", "S"), ("l", "S"))],
                       GlobalSecondaryIndexes=[{"IndexName": "byg",
                                                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                "Projection": {"ProjectionType": "ALL"}}],
                       LocalSecondaryIndexes=[{"IndexName": "byl",
                                               "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                             {"AttributeName": "l", "KeyType": "RANGE"}],
                                               "Projection": {"ProjectionType": "KEYS_ONLY"}}])
        return t
    return make


def put(ddb, table, pk, sk, **attrs):
    item = {"pk": {"S": pk}, "sk": {"N": str(sk)}}
    for k, v in attrs.items():
        item[k] = {"S": v}
    ddb.put_item(TableName=table, Item=item)


def test_backup_and_restore_round_trip(ddb, indexed, make_table):
    src = indexed()
    put(ddb, src, "a", 1, g="x", l="p", data="one")
    put(ddb, src, "a", 2, g="y")
    put(ddb, src, "b", 1, g="x", l="q")
    before = {None: scan_all(ddb, src), "byg": scan_all(ddb, src, "byg"), "byl": scan_all(ddb, src, "byl")}
    details = ddb.create_backup(TableName=src, BackupName="nightly.1")["BackupDetails"]
    assert ARN_RE.fullmatch(details["BackupArn"]).group("table") == src
    assert details["BackupName"] == "nightly.1"
    assert details["BackupType"] == "USER"
    assert details["BackupStatus"] in ("CREATING", "AVAILABLE")
    put(ddb, src, "c", 1, g="z")  # after the cut: not in the backup
    d = wait_backup(ddb, details["BackupArn"])
    assert d["BackupDetails"]["BackupSizeBytes"] > 0
    s = d["SourceTableDetails"]
    assert s["TableName"] == src and s["ItemCount"] == 3 and s["BillingMode"] == "PAY_PER_REQUEST"
    assert s["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}]
    f = d["SourceTableFeatureDetails"]
    assert [i["IndexName"] for i in f["GlobalSecondaryIndexes"]] == ["byg"]
    assert [i["IndexName"] for i in f["LocalSecondaryIndexes"]] == ["byl"]

    target = table_name("restored")
    res = ddb.restore_table_from_backup(TargetTableName=target, BackupArn=details["BackupArn"])["TableDescription"]
    try:
        assert res["TableName"] == target
        assert res["TableStatus"] == "CREATING"
        assert res["RestoreSummary"]["SourceBackupArn"] == details["BackupArn"]
        assert res["RestoreSummary"]["SourceTableArn"].endswith(":table/" + src)
        assert res["RestoreSummary"]["RestoreInProgress"] is True
        t = wait_table(ddb, target)
        assert t["RestoreSummary"]["RestoreInProgress"] is False
        assert t["ItemCount"] == 3
        assert "StreamSpecification" not in t
        for index, items in before.items():
            assert scan_all(ddb, target, index) == items
    finally:
        ddb.delete_table(TableName=target)


def test_backup_survives_table_deletion(ddb, indexed):
    src = indexed()
    put(ddb, src, "a", 1, g="x")
    arn = ddb.create_backup(TableName=src, BackupName="keep")["BackupDetails"]["BackupArn"]
    wait_backup(ddb, arn)
    ddb.delete_table(TableName=src)
    d = ddb.describe_backup(BackupArn=arn)["BackupDescription"]
    assert d["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    ddb.restore_table_from_backup(TargetTableName=src, BackupArn=arn)
    wait_table(ddb, src)
    assert scan_all(ddb, src) == [{"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}}]
    deleted = ddb.delete_backup(BackupArn=arn)["BackupDescription"]
    assert deleted["BackupDetails"]["BackupStatus"] == "DELETED"
    with pytest.raises(ClientError) as e:
        ddb.describe_backup(BackupArn=arn)
    assert_client_error(e, "BackupNotFoundException", "Backup not found for the given BackupARN")


def test_restore_with_overrides(ddb, indexed):
    src = indexed()
    put(ddb, src, "a", 1, g="x", l="p")
    arn = ddb.create_backup(TableName=src, BackupName="bk1")["BackupDetails"]["BackupArn"]
    wait_backup(ddb, arn)
    target = table_name("lean")
    ddb.restore_table_from_backup(
        TargetTableName=target, BackupArn=arn, BillingModeOverride="PROVISIONED",
        ProvisionedThroughputOverride={"ReadCapacityUnits": 7, "WriteCapacityUnits": 3},
        GlobalSecondaryIndexOverride=[], LocalSecondaryIndexOverride=[],
        SSESpecificationOverride={"Enabled": False})
    try:
        t = wait_table(ddb, target)
        assert t["ProvisionedThroughput"]["ReadCapacityUnits"] == 7
        assert "GlobalSecondaryIndexes" not in t and "LocalSecondaryIndexes" not in t
        assert [a["AttributeName"] for a in t["AttributeDefinitions"]] == ["pk", "sk"]
        assert scan_all(ddb, target) == scan_all(ddb, src)
    finally:
        ddb.delete_table(TableName=target)


def test_list_backups_filters_and_pages(ddb, indexed):
    one, two = indexed(), indexed()
    arns = [ddb.create_backup(TableName=t, BackupName="bk%d" % i)["BackupDetails"]["BackupArn"]
            for i, t in enumerate((one, two, one))]
    for a in arns:
        wait_backup(ddb, a)
    mine = ddb.list_backups(TableName=one)["BackupSummaries"]
    assert [b["BackupArn"] for b in mine] == [arns[0], arns[2]]
    assert {b["TableName"] for b in mine} == {one}
    assert all(b["BackupStatus"] == "AVAILABLE" and b["BackupType"] == "USER" for b in mine)
    page = ddb.list_backups(TableName=one, Limit=1)
    assert [b["BackupArn"] for b in page["BackupSummaries"]] == [arns[0]]
    assert page["LastEvaluatedBackupArn"] == arns[0]
    page = ddb.list_backups(TableName=one, Limit=1, ExclusiveStartBackupArn=arns[0])
    assert [b["BackupArn"] for b in page["BackupSummaries"]] == [arns[2]]
    assert "LastEvaluatedBackupArn" not in page
    assert ddb.list_backups(TableName=one, BackupType="SYSTEM")["BackupSummaries"] == []
    assert len(ddb.list_backups(TableName=one, BackupType="ALL")["BackupSummaries"]) == 2
    created = mine[0]["BackupCreationDateTime"]
    later = ddb.list_backups(TableName=one, TimeRangeLowerBound=created.timestamp() + 3600)["BackupSummaries"]
    assert later == []
    for a in arns:
        ddb.delete_backup(BackupArn=a)


def test_errors(ddb, raw, indexed):
    with pytest.raises(ClientError) as e:
        ddb.create_backup(TableName="no_such_table", BackupName="bkp")
    assert_client_error(e, "TableNotFoundException", "Table not found: no_such_table")
    for op in ("describe_backup", "delete_backup"):
        with pytest.raises(ClientError) as e:
            getattr(ddb, op)(BackupArn=MISSING_ARN)
        assert_client_error(e, "BackupNotFoundException", "Backup not found for the given BackupARN")
    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(TargetTableName="whatever", BackupArn=MISSING_ARN)
    assert_client_error(e, "BackupNotFoundException")
    src = indexed()
    arn = ddb.create_backup(TableName=src, BackupName="bkp")["BackupDetails"]["BackupArn"]
    wait_backup(ddb, arn)
    with pytest.raises(ClientError) as e:
        ddb.restore_table_from_backup(TargetTableName=src, BackupArn=arn)
    assert_client_error(e, "TableAlreadyExistsException", "Table already exists: %s" % src)
    ddb.delete_backup(BackupArn=arn)


def test_validations(raw):
    assert_error(raw("CreateBackup", {}), "ValidationException",
                 constraint_errors((None, "tableName", "Member must not be null"),
                                   (None, "backupName", "Member must not be null")))
    assert_error(raw("CreateBackup", {"TableName": "abc", "BackupName": "a b"}), "ValidationException",
                 constraint_errors(("a b", "backupName", "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+")))
    assert_error(raw("DescribeBackup", {"BackupArn": "short"}), "ValidationException",
                 constraint_errors(("short", "backupArn", "Member must have length greater than or equal to 37")))
    assert_error(raw("ListBackups", {"Limit": 0, "BackupType": "MINE"}), "ValidationException",
                 constraint_errors(("0", "limit", "Member must have value greater than or equal to 1"),
                                   ("MINE", "backupType", "Member must satisfy enum value set: [USER, SYSTEM, AWS_BACKUP, ALL]")))
    assert_error(raw("RestoreTableFromBackup", {"TargetTableName": "x", "BackupArn": MISSING_ARN,
                                                "BillingModeOverride": "FREE"}), "ValidationException",
                 constraint_errors(("x", "targetTableName", "Member must have length greater than or equal to 3"),
                                   ("FREE", "billingModeOverride",
                                    "Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]")))


def test_backups_survive_restart(private_server, tmp_path):
    import requests  # noqa: F401  (the raw helper below uses conftest's session)
    from conftest import make_client
    server = private_server("--data-dir", str(tmp_path / "data"))
    ddb = make_client(server.url)
    name = table_name("durable")
    ddb.create_table(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     BillingMode="PAY_PER_REQUEST")
    wait_table(ddb, name)
    for i in range(50):
        ddb.put_item(TableName=name, Item={"pk": {"S": "k%d" % i}})
    arn = ddb.create_backup(TableName=name, BackupName="disk")["BackupDetails"]["BackupArn"]
    wait_backup(ddb, arn)
    server.stop()
    server = private_server("--data-dir", str(tmp_path / "data"))
    ddb = make_client(server.url)
    assert ddb.describe_backup(BackupArn=arn)["BackupDescription"]["BackupDetails"]["BackupStatus"] == "AVAILABLE"
    ddb.restore_table_from_backup(TargetTableName=name + "_r", BackupArn=arn)
    wait_table(ddb, name + "_r")
    assert len(scan_all(ddb, name + "_r")) == 50
