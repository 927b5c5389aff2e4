"""Backups, point-in-time recovery, export and import through the AWS CLI (`aws dynamodb ...
--endpoint-url`). Skipped when `aws` is not installed; Basalt-only (DynamoDB Local has none of these)."""

import json
import os
import shutil
import subprocess
import time

import pytest

from conftest import table_name

AWS = shutil.which("aws")

pytestmark = [pytest.mark.skipif(AWS is None, reason="AWS CLI (aws) is not installed"), pytest.mark.basalt_only]


def make_cli(endpoint, home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "fakeAccessKeyId", "AWS_SECRET_ACCESS_KEY": "fakeSecretAccessKey",
                "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(home / "config"),
                "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"), "AWS_PAGER": "", "AWS_MAX_ATTEMPTS": "1"})

    def run(*args, check=True):
        cmd = [AWS, "dynamodb", *args, "--endpoint-url", endpoint, "--output", "json"]
        p = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=60)
        if check:
            assert p.returncode == 0, "%s\nstdout: %s\nstderr: %s" % (cmd, p.stdout, p.stderr)
            return json.loads(p.stdout) if p.stdout.strip() else {}
        return p
    return run


def wait(fn, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out")


def create(cli, name):
    cli("create-table", "--table-name", name, "--attribute-definitions", "AttributeName=pk,AttributeType=S",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST")
    for k in ("a", "b"):
        cli("put-item", "--table-name", name, "--item", json.dumps({"pk": {"S": k}}))


def active(cli, name):
    return cli("describe-table", "--table-name", name)["Table"]["TableStatus"] == "ACTIVE"


def count(cli, name):
    return cli("scan", "--table-name", name, "--select", "COUNT")["Count"]


def test_backup_and_pitr_flows(endpoint, tmp_path):
    cli = make_cli(endpoint, tmp_path)
    src = table_name("cli")
    create(cli, src)
    arn = cli("create-backup", "--table-name", src, "--backup-name", "cli-backup")["BackupDetails"]["BackupArn"]
    wait(lambda: cli("describe-backup", "--backup-arn", arn)["BackupDescription"]["BackupDetails"]["BackupStatus"]
         == "AVAILABLE")
    assert [b["BackupArn"] for b in cli("list-backups", "--table-name", src)["BackupSummaries"]] == [arn]
    cli("restore-table-from-backup", "--target-table-name", src + "_r", "--backup-arn", arn)
    wait(lambda: active(cli, src + "_r"))
    assert count(cli, src + "_r") == 2
    p = cli("delete-backup", "--backup-arn", arn, check=False)
    assert p.returncode == 0
    missing = cli("describe-backup", "--backup-arn", arn, check=False)
    assert missing.returncode != 0 and "BackupNotFoundException" in missing.stderr

    d = cli("update-continuous-backups", "--table-name", src, "--point-in-time-recovery-specification",
            "PointInTimeRecoveryEnabled=true,RecoveryPeriodInDays=10")["ContinuousBackupsDescription"]
    assert d["PointInTimeRecoveryDescription"]["RecoveryPeriodInDays"] == 10
    d = cli("describe-continuous-backups", "--table-name", src)["ContinuousBackupsDescription"]
    assert d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"] == "ENABLED"
    cli("put-item", "--table-name", src, "--item", json.dumps({"pk": {"S": "c"}}))
    cli("restore-table-to-point-in-time", "--source-table-name", src, "--target-table-name", src + "_p",
        "--use-latest-restorable-time")
    wait(lambda: active(cli, src + "_p"))
    assert count(cli, src + "_p") == 3
    bad = cli("restore-table-to-point-in-time", "--source-table-name", src, "--target-table-name", src + "_q",
              "--restore-date-time", "2001-01-01T00:00:00Z", check=False)
    assert bad.returncode != 0 and "InvalidRestoreTimeException" in bad.stderr
    for t in (src, src + "_r", src + "_p"):
        cli("delete-table", "--table-name", t)


def test_export_and_import_flows(private_server, tmp_path):
    server = private_server("--in-memory", "--export-root", str(tmp_path / "s3"))
    cli = make_cli(server.url, tmp_path)
    src = table_name("cli")
    create(cli, src)
    cli("update-continuous-backups", "--table-name", src, "--point-in-time-recovery-specification",
        "PointInTimeRecoveryEnabled=true")
    arn = cli("describe-table", "--table-name", src)["Table"]["TableArn"]
    e = cli("export-table-to-point-in-time", "--table-arn", arn, "--s3-bucket", "bkt")["ExportDescription"]
    e = wait(lambda: (lambda d: d if d["ExportStatus"] == "COMPLETED" else None)(
        cli("describe-export", "--export-arn", e["ExportArn"])["ExportDescription"]))
    assert e["ItemCount"] == 2
    assert [x["ExportArn"] for x in cli("list-exports", "--table-arn", arn)["ExportSummaries"]] == [e["ExportArn"]]
    export_id = e["ExportArn"].rsplit("/", 1)[1]
    i = cli("import-table", "--s3-bucket-source", "S3Bucket=bkt,S3KeyPrefix=AWSDynamoDB/%s/data/" % export_id,
            "--input-format", "DYNAMODB_JSON", "--input-compression-type", "GZIP",
            "--table-creation-parameters", json.dumps({
                "TableName": src + "_i", "BillingMode": "PAY_PER_REQUEST",
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}))["ImportTableDescription"]
    wait(lambda: cli("describe-import", "--import-arn", i["ImportArn"])["ImportTableDescription"]["ImportStatus"]
         == "COMPLETED")
    assert count(cli, src + "_i") == 2
    assert len(cli("list-imports")["ImportSummaryList"]) == 1
