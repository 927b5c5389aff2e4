"""OnDemandThroughput, WarmThroughput and SSESpecification: accepted by CreateTable and UpdateTable (tables and
GSIs), shown in DescribeTable, kept by restores, and (OnDemandThroughput) enforced with --capacity=enforce.

Debian's botocore 1.29 predates OnDemandThroughput and WarmThroughput, so those go over raw HTTP. DynamoDB Local
3.3.0 validates OnDemandThroughput but ignores all three (it describes none of them): the descriptions are
local_differs.
"""

import time

import pytest

from conftest import ACCOUNT, REGION, VALIDATION, assert_error, constraint_errors, raw_call, table_name

NOT_NULL = "Table read and write throughput must be at least 1, and cannot be null"


def on_demand_table(raw, name, **extra):
    body = {"TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST"}
    body.update(extra)
    return raw("CreateTable", body)


@pytest.mark.local_differs("DynamoDB Local accepts the settings but describes none of them")
def test_settings_are_described_after_create_and_update(raw):
    name = table_name("settings")
    body = {
        "TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                 {"AttributeName": "g", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
        "OnDemandThroughput": {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": -1},
        "WarmThroughput": {"ReadUnitsPerSecond": 15000},
        "SSESpecification": {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"},
        "GlobalSecondaryIndexes": [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                    "Projection": {"ProjectionType": "ALL"},
                                    "OnDemandThroughput": {"MaxWriteRequestUnits": 7}}],
    }
    res = raw("CreateTable", body)
    assert res.status == 200, res
    d = res.body["TableDescription"]
    assert d["OnDemandThroughput"] == {"MaxReadRequestUnits": 100, "MaxWriteRequestUnits": -1}
    # The member not given shows what an on-demand table starts with.
    assert d["WarmThroughput"] == {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"}
    assert d["SSEDescription"] == {
        "Status": "ENABLED", "SSEType": "KMS",
        "KMSMasterKeyArn": "arn:aws:kms:%s:%s:key/1234abcd-12ab-34cd-56ef-1234567890ab" % (REGION, ACCOUNT)}
    assert d["GlobalSecondaryIndexes"][0]["OnDemandThroughput"] == {"MaxReadRequestUnits": -1,
                                                                   "MaxWriteRequestUnits": 7}

    # -1 removes a cap; Enabled false goes back to the AWS owned key, which is not described.
    res = raw("UpdateTable", {"TableName": name, "OnDemandThroughput": {"MaxReadRequestUnits": -1},
                              "SSESpecification": {"Enabled": False}})
    assert res.status == 200, res
    d = raw("DescribeTable", {"TableName": name}).body["Table"]
    assert "OnDemandThroughput" not in d
    assert "SSEDescription" not in d
    assert d["WarmThroughput"]["ReadUnitsPerSecond"] == 15000

    # A GSI's caps change through GlobalSecondaryIndexUpdates' Update, without ProvisionedThroughput.
    res = raw("UpdateTable", {"TableName": name, "GlobalSecondaryIndexUpdates": [
        {"Update": {"IndexName": "byg", "OnDemandThroughput": {"MaxReadRequestUnits": 9}}}]})
    assert res.status == 200, res
    gsi = raw("DescribeTable", {"TableName": name}).body["Table"]["GlobalSecondaryIndexes"][0]
    assert gsi["OnDemandThroughput"] == {"MaxReadRequestUnits": 9, "MaxWriteRequestUnits": 7}


@pytest.mark.local_differs("DynamoDB Local does not describe SSE")
def test_sse_key_forms(raw):
    for key, arn in [(None, "arn:aws:kms:%s:%s:alias/aws/dynamodb" % (REGION, ACCOUNT)),
                     ("alias/mine", "arn:aws:kms:%s:%s:alias/mine" % (REGION, ACCOUNT)),
                     ("arn:aws:kms:eu-west-1:111122223333:key/k1", "arn:aws:kms:eu-west-1:111122223333:key/k1")]:
        sse = {"Enabled": True}
        if key:
            sse["KMSMasterKeyId"] = key
        res = on_demand_table(raw, table_name("sse"), SSESpecification=sse)
        assert res.status == 200, res
        assert res.body["TableDescription"]["SSEDescription"]["KMSMasterKeyArn"] == arn
    res = on_demand_table(raw, table_name("sse"), SSESpecification={"Enabled": False})
    assert "SSEDescription" not in res.body["TableDescription"]


@pytest.mark.parametrize("caps, message", [
    ({"MaxReadRequestUnits": 0}, NOT_NULL),
    ({}, NOT_NULL),
    ({"MaxReadRequestUnits": -2, "MaxWriteRequestUnits": 5},
     "One or more parameter values were invalid: Requested MaxReadRequestUnits for OnDemandThroughput for table "
     "is outside of valid range"),
    ({"MaxReadRequestUnits": 50000, "MaxWriteRequestUnits": 5},
     "Cannot increase provisioned throughput to more than 40,000 units per table"),
])
def test_bad_on_demand_throughput_is_refused(raw, caps, message):
    # DynamoDB Local 3.3.0's messages (the service's are not documented).
    assert_error(on_demand_table(raw, table_name("caps"), OnDemandThroughput=caps), VALIDATION, message)


@pytest.mark.local_differs("DynamoDB Local does not check WarmThroughput nor SSEType")
def test_bad_warm_throughput_and_sse_type_are_constraint_errors(raw):
    res = on_demand_table(raw, table_name("warm"), WarmThroughput={"ReadUnitsPerSecond": 0},
                          SSESpecification={"SSEType": "XX"})
    assert_error(res, VALIDATION, constraint_errors(
        ("0", "warmThroughput.readUnitsPerSecond", "Member must have value greater than or equal to 1"),
        ("XX", "sSESpecification.sSEType", "Member must satisfy enum value set: [AES256, KMS]")))


@pytest.mark.local_differs("DynamoDB Local 3.3.0 answers InternalFailure to an UpdateTable of OnDemandThroughput alone")
def test_update_with_only_settings_is_not_nothing_to_update(raw):
    name = table_name("upd")
    assert on_demand_table(raw, name).status == 200
    res = raw("UpdateTable", {"TableName": name, "OnDemandThroughput": {"MaxWriteRequestUnits": 10}})
    assert res.status == 200, res
    assert_error(raw("UpdateTable", {"TableName": name}), VALIDATION, "Nothing to update")


@pytest.mark.basalt_only
def test_restore_keeps_caps_and_key_and_takes_overrides(raw):
    name = table_name("rsrc")
    assert on_demand_table(raw, name, OnDemandThroughput={"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 60},
                           SSESpecification={"Enabled": True, "KMSMasterKeyId": "alias/k"}).status == 200
    backup = raw("CreateBackup", {"TableName": name, "BackupName": "settings-backup"}).body["BackupDetails"]["BackupArn"]
    for _ in range(100):
        if raw("DescribeBackup", {"BackupArn": backup}).body["BackupDescription"]["BackupDetails"][
                "BackupStatus"] == "AVAILABLE":
            break
        time.sleep(0.05)
    same = table_name("rsame")
    d = raw("RestoreTableFromBackup", {"TargetTableName": same, "BackupArn": backup}).body["TableDescription"]
    assert d["OnDemandThroughput"] == {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 60}
    assert d["SSEDescription"]["KMSMasterKeyArn"].endswith(":alias/k")
    other = table_name("rover")
    res = raw("RestoreTableFromBackup", {"TargetTableName": other, "BackupArn": backup,
                                         "OnDemandThroughputOverride": {"MaxWriteRequestUnits": -1},
                                         "SSESpecificationOverride": {"Enabled": False}})
    assert res.status == 200, res
    d = res.body["TableDescription"]
    assert d["OnDemandThroughput"] == {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": -1}
    assert "SSEDescription" not in d


@pytest.mark.basalt_only
def test_settings_survive_a_restart(private_server, tmp_path):
    server = private_server("--data-dir", str(tmp_path / "data"))
    name = table_name("keep")
    assert on_demand_table(lambda op, body: raw_call(server.url, op, body), name,
                           OnDemandThroughput={"MaxReadRequestUnits": 11},
                           WarmThroughput={"WriteUnitsPerSecond": 6000},
                           SSESpecification={"Enabled": True}).status == 200
    server.stop()
    server = private_server("--data-dir", str(tmp_path / "data"))
    d = raw_call(server.url, "DescribeTable", {"TableName": name}).body["Table"]
    assert d["OnDemandThroughput"] == {"MaxReadRequestUnits": 11, "MaxWriteRequestUnits": -1}
    assert d["WarmThroughput"] == {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 6000, "Status": "ACTIVE"}
    assert d["SSEDescription"]["KMSMasterKeyArn"].endswith(":alias/aws/dynamodb")


@pytest.mark.basalt_only
def test_on_demand_cap_throttles_with_capacity_enforce(private_server):
    server = private_server("--in-memory", "--capacity=enforce")
    name = table_name("capped")
    call = lambda op, body: raw_call(server.url, op, body)
    assert on_demand_table(call, name, OnDemandThroughput={"MaxWriteRequestUnits": 5}).status == 200
    throttled = None
    for i in range(40):
        res = call("PutItem", {"TableName": name, "Item": {"pk": {"S": "k%d" % i}}})
        if res.status != 200:
            throttled = res
            break
    assert throttled is not None, "40 writes in a burst were all admitted under a 5 WRU cap"
    assert throttled.code == "ThrottlingException", throttled
    reasons = throttled.body.get("throttlingReasons")
    assert reasons and reasons[0]["reason"] == "TableWriteMaxOnDemandThroughputExceeded", throttled
    # Reads are not capped.
    for i in range(40):
        assert call("GetItem", {"TableName": name, "Key": {"pk": {"S": "k0"}}}).status == 200
