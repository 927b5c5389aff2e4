"""Point-in-time recovery: UpdateContinuousBackups, DescribeContinuousBackups and RestoreTableToPointInTime,
with boto3 and raw requests (RecoveryPeriodInDays is newer than Debian's botocore). DynamoDB Local answers
UnknownOperationException; the service's model and documentation are the reference."""

import time

import pytest
from botocore.exceptions import ClientError

from conftest import assert_client_error, assert_error, constraint_errors, table_name
from test_backups import scan_all, wait_table

pytestmark = pytest.mark.basalt_only


def drop_tables(ddb, names):
    """Deletes the restore targets a test made, those that exist."""
    for name in names:
        try:
            ddb.delete_table(TableName=name)
        except ClientError:
            pass


def describe(ddb, table):
    return ddb.describe_continuous_backups(TableName=table)["ContinuousBackupsDescription"]


def test_enable_describe_disable(ddb, raw, make_table):
    t = make_table()
    d = describe(ddb, t)
    assert d == {"ContinuousBackupsStatus": "ENABLED",
                 "PointInTimeRecoveryDescription": {"PointInTimeRecoveryStatus": "DISABLED"}}
    res = raw("UpdateContinuousBackups", {"TableName": t, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 7}})
    assert res.status == 200, res
    p = res.body["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert p["PointInTimeRecoveryStatus"] == "ENABLED" and p["RecoveryPeriodInDays"] == 7
    assert p["EarliestRestorableDateTime"] <= p["LatestRestorableDateTime"] <= time.time() + 1
    d = ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={
        "PointInTimeRecoveryEnabled": False})["ContinuousBackupsDescription"]
    assert d["PointInTimeRecoveryDescription"] == {"PointInTimeRecoveryStatus": "DISABLED"}


def test_restore_to_point_in_time(ddb, make_table):
    t = make_table(range_key=("sk", "N"),
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "sk", "AttributeType": "N"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byg",
                                            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    ddb.put_item(TableName=t, Item={"pk": {"S": "base"}, "sk": {"N": "0"}, "g": {"S": "x"}})
    ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}})
    time.sleep(1.1)
    then = time.time()
    before = scan_all(ddb, t), scan_all(ddb, t, "byg")
    time.sleep(1.1)
    ddb.delete_item(TableName=t, Key={"pk": {"S": "base"}, "sk": {"N": "0"}})
    ddb.put_item(TableName=t, Item={"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "y"}})
    targets = [table_name("pitr"), table_name("latest")]
    try:
        d = ddb.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=targets[0],
                                               RestoreDateTime=then)["TableDescription"]
        assert d["TableStatus"] == "CREATING"
        assert d["RestoreSummary"]["SourceTableArn"].endswith(":table/" + t)
        assert "SourceBackupArn" not in d["RestoreSummary"]
        wait_table(ddb, targets[0])
        assert (scan_all(ddb, targets[0]), scan_all(ddb, targets[0], "byg")) == before
        arn = ddb.describe_table(TableName=t)["Table"]["TableArn"]
        ddb.restore_table_to_point_in_time(SourceTableArn=arn, TargetTableName=targets[1],
                                           UseLatestRestorableTime=True)
        wait_table(ddb, targets[1])
        assert scan_all(ddb, targets[1]) == scan_all(ddb, t)
        assert describe(ddb, targets[1])["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "DISABLED"
    finally:
        drop_tables(ddb, targets)


def test_restore_uses_the_definition_in_force_at_the_restore_time(ddb, make_table):
    """The service restores 'provisioned RCU/WCU as of the restore point' and the table's indexes then: a GSI
    deleted after the restore time comes back (rebuilt from the items), one deleted before does not."""
    tp = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 4}
    t = make_table(billing="PROVISIONED", ProvisionedThroughput=tp,
                   AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                   GlobalSecondaryIndexes=[{"IndexName": "byg",
                                            "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                            "Projection": {"ProjectionType": "ALL"},
                                            "ProvisionedThroughput": tp}])
    ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for i in range(5):
        ddb.put_item(TableName=t, Item={"pk": {"S": "k%d" % i}, "g": {"S": "x" if i % 2 else "y"}})
    time.sleep(1.1)
    then = time.time()
    gsi_then = scan_all(ddb, t, "byg")
    time.sleep(1.1)
    ddb.update_table(TableName=t, GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "byg"}}])
    wait_table(ddb, t)
    ddb.update_table(TableName=t, ProvisionedThroughput={"ReadCapacityUnits": 9, "WriteCapacityUnits": 8})
    wait_table(ddb, t)
    targets = [table_name("pitrdef"), table_name("pitrnow")]
    try:
        ddb.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=targets[0], RestoreDateTime=then)
        d = wait_table(ddb, targets[0])
        assert [i["IndexName"] for i in d["GlobalSecondaryIndexes"]] == ["byg"]
        gsi = d["GlobalSecondaryIndexes"][0]
        assert gsi["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
        assert gsi["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
        assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
        assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 4
        deadline = time.monotonic() + 30
        while ddb.describe_table(TableName=targets[0])["Table"]["GlobalSecondaryIndexes"][0]["IndexStatus"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        key = lambda item: item["pk"]["S"]
        assert sorted(scan_all(ddb, targets[0], "byg"), key=key) == sorted(gsi_then, key=key)
        q = ddb.query(TableName=targets[0], IndexName="byg", KeyConditionExpression="g = :g",
                      ExpressionAttributeValues={":g": {"S": "x"}})
        assert sorted(i["pk"]["S"] for i in q["Items"]) == ["k1", "k3"]

        ddb.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=targets[1],
                                           UseLatestRestorableTime=True)
        d = wait_table(ddb, targets[1])
        assert "GlobalSecondaryIndexes" not in d
        assert d["ProvisionedThroughput"]["ReadCapacityUnits"] == 9
        assert d["ProvisionedThroughput"]["WriteCapacityUnits"] == 8
    finally:
        drop_tables(ddb, targets)


def test_deleting_a_table_with_pitr_leaves_a_deleted_table_backup(ddb, raw, make_table):
    t = make_table()
    ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    for i in range(5):
        ddb.put_item(TableName=t, Item={"pk": {"S": "k%d" % i}, "v": {"N": str(i)}})
    before = scan_all(ddb, t)
    ddb.delete_table(TableName=t)
    assert ddb.list_backups(TableName=t)["BackupSummaries"] == []  # USER backups by default

    def system_backup():
        found = ddb.list_backups(TableName=t, BackupType="SYSTEM")["BackupSummaries"]
        return found[0] if found and found[0]["BackupStatus"] == "AVAILABLE" else None
    deadline = time.time() + 30
    while not system_backup() and time.time() < deadline:
        time.sleep(0.1)
    b = system_backup()
    assert b, ddb.list_backups(TableName=t, BackupType="ALL")
    assert b["BackupName"] == t + "$DeletedTableBackup" and b["BackupType"] == "SYSTEM"
    expiry = (b["BackupExpiryDateTime"] - b["BackupCreationDateTime"]).total_seconds()
    assert expiry == pytest.approx(35 * 86400, abs=1)
    assert [x["BackupArn"] for x in ddb.list_backups(TableName=t, BackupType="ALL")["BackupSummaries"]] == \
        [b["BackupArn"]]
    details = ddb.describe_backup(BackupArn=b["BackupArn"])["BackupDescription"]["BackupDetails"]
    assert details["BackupType"] == "SYSTEM" and "BackupExpiryDateTime" in details
    target = table_name("undeleted")
    try:
        ddb.restore_table_from_backup(TargetTableName=target, BackupArn=b["BackupArn"])
        wait_table(ddb, target)
        assert scan_all(ddb, target) == before
    finally:
        try:
            ddb.delete_table(TableName=target)
        except ClientError:
            pass
        ddb.delete_backup(BackupArn=b["BackupArn"])


def test_errors(ddb, raw, make_table):
    t = make_table()
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=t + "_r", UseLatestRestorableTime=True)
    assert_client_error(e, "PointInTimeRecoveryUnavailableException",
                        "Point in time recovery is not enabled for table '%s'" % t)
    with pytest.raises(ClientError) as e:
        ddb.describe_continuous_backups(TableName="no_such_table")
    assert_client_error(e, "TableNotFoundException", "Table not found: no_such_table")
    with pytest.raises(ClientError) as e:
        ddb.update_continuous_backups(TableName="no_such_table",
                                      PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    assert_client_error(e, "TableNotFoundException")
    ddb.update_continuous_backups(TableName=t, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=t + "_r",
                                           RestoreDateTime=time.time() - 3600)
    assert_client_error(e, "InvalidRestoreTimeException",
                        "RestoreDateTime must be between EarliestRestorableDateTime and LatestRestorableDateTime")
    with pytest.raises(ClientError) as e:
        ddb.restore_table_to_point_in_time(SourceTableName=t, TargetTableName=t, UseLatestRestorableTime=True)
    assert_client_error(e, "TableAlreadyExistsException", "Table already exists: %s" % t)
    assert_error(raw("UpdateContinuousBackups", {"TableName": t, "PointInTimeRecoverySpecification": {
        "PointInTimeRecoveryEnabled": True, "RecoveryPeriodInDays": 36}}), "ValidationException",
        constraint_errors(("36", "pointInTimeRecoverySpecification.recoveryPeriodInDays",
                           "Member must have value less than or equal to 35")))
    assert_error(raw("UpdateContinuousBackups", {"TableName": t}), "ValidationException",
                 constraint_errors((None, "pointInTimeRecoverySpecification", "Member must not be null")))
