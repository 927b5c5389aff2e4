"""kill -9 during a backup, a restore, an export and an import: after a restart on the same data dir the
operation either completed or is reported failed (a half-copied backup is gone, a half-restored or
half-imported table is gone, an interrupted export is FAILED), and nothing else changed (the source
table holds exactly what it held)."""

import gzip
import json
import os
import signal
import threading
import time

import pytest

from conftest import raw_call

pytestmark = pytest.mark.basalt_only

ITEMS = 40000
DELAYS = (0.0, 0.03, 0.08)  # seconds between the request and the SIGKILL


def ok(url, op, body):
    res = raw_call(url, op, body)
    assert res.status == 200, res
    return res.body


def load(url, table, n):
    chunks = [list(range(i, min(i + 25, n))) for i in range(0, n, 25)]
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not chunks:
                    return
                c = chunks.pop()
            ok(url, "BatchWriteItem", {"RequestItems": {table: [
                {"PutRequest": {"Item": {"pk": {"S": "k%06d" % i}, "v": {"S": "x" * 60}}}} for i in c]}})
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def count(url, table):
    n, start = 0, None
    while True:
        body = {"TableName": table, "Select": "COUNT"}
        if start:
            body["ExclusiveStartKey"] = start
        page = ok(url, "Scan", body)
        n += page["Count"]
        start = page.get("LastEvaluatedKey")
        if not start:
            return n


def tables(url):
    return ok(url, "ListTables", {})["TableNames"]


@pytest.fixture
def crashy(private_server, tmp_path):
    """start() -> a server on one data dir (and export root); kill() SIGKILLs it."""
    args = ("--data-dir", str(tmp_path / "data"), "--export-root", str(tmp_path / "s3"))

    class Crashy:
        def start(self):
            self.server = private_server(*args)
            return self.server.url

        def kill(self):
            os.kill(self.server.pid, signal.SIGKILL)
            self.server.proc.wait()

    c = Crashy()
    c.root = tmp_path / "s3"
    return c


def make_source(url):
    ok(url, "CreateTable", {"TableName": "src", "BillingMode": "PAY_PER_REQUEST",
                            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]})
    load(url, "src", ITEMS)


@pytest.mark.parametrize("delay", DELAYS)
def test_kill_during_backup(crashy, delay):
    url = crashy.start()
    make_source(url)
    arn = ok(url, "CreateBackup", {"TableName": "src", "BackupName": "crash"})["BackupDetails"]["BackupArn"]
    time.sleep(delay)
    crashy.kill()
    url = crashy.start()
    assert count(url, "src") == ITEMS
    listed = ok(url, "ListBackups", {})["BackupSummaries"]
    print("backup after kill at %.2fs: %s" % (delay, "completed" if listed else "removed"))
    if listed:  # completed before the kill: whole
        assert [b["BackupArn"] for b in listed] == [arn]
        assert listed[0]["BackupStatus"] == "AVAILABLE"
        ok(url, "RestoreTableFromBackup", {"TargetTableName": "copy", "BackupArn": arn})
        deadline = time.monotonic() + 30
        while ok(url, "DescribeTable", {"TableName": "copy"})["Table"]["TableStatus"] != "ACTIVE":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert count(url, "copy") == ITEMS
    else:  # cut short: gone
        assert raw_call(url, "DescribeBackup", {"BackupArn": arn}).code == "BackupNotFoundException"


@pytest.mark.parametrize("delay", DELAYS)
def test_kill_during_restore(crashy, delay):
    url = crashy.start()
    make_source(url)
    arn = ok(url, "CreateBackup", {"TableName": "src", "BackupName": "crash"})["BackupDetails"]["BackupArn"]
    while ok(url, "DescribeBackup", {"BackupArn": arn})["BackupDescription"]["BackupDetails"]["BackupStatus"] \
            != "AVAILABLE":
        time.sleep(0.02)
    ok(url, "RestoreTableFromBackup", {"TargetTableName": "copy", "BackupArn": arn})
    time.sleep(delay)
    crashy.kill()
    url = crashy.start()
    assert count(url, "src") == ITEMS
    print("restore after kill at %.2fs: %s" % (delay, "completed" if "copy" in tables(url) else "removed"))
    if "copy" in tables(url):
        t = ok(url, "DescribeTable", {"TableName": "copy"})["Table"]
        assert t["TableStatus"] == "ACTIVE" and t["RestoreSummary"]["RestoreInProgress"] is False
        assert count(url, "copy") == ITEMS
    assert ok(url, "DescribeBackup", {"BackupArn": arn})["BackupDescription"]["BackupDetails"]["BackupStatus"] \
        == "AVAILABLE"


@pytest.mark.parametrize("delay", DELAYS)
def test_kill_during_import(crashy, delay):
    data = crashy.root / "bkt" / "data"
    data.mkdir(parents=True)
    lines = "".join(json.dumps({"Item": {"pk": {"S": "k%06d" % i}, "v": {"S": "x" * 60}}}) + "\n"
                    for i in range(ITEMS))
    (data / "part.json.gz").write_bytes(gzip.compress(lines.encode()))
    url = crashy.start()
    make_source(url)
    imp = ok(url, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "bkt"}, "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
        "TableCreationParameters": {"TableName": "imported", "BillingMode": "PAY_PER_REQUEST",
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}]}})
    time.sleep(delay)
    crashy.kill()
    url = crashy.start()
    assert count(url, "src") == ITEMS
    print("import after kill at %.2fs: %s" % (delay, "completed" if "imported" in tables(url) else "failed"))
    if "imported" in tables(url):
        assert ok(url, "DescribeTable", {"TableName": "imported"})["Table"]["TableStatus"] == "ACTIVE"
        assert count(url, "imported") == ITEMS
    d = ok(url, "DescribeImport", {"ImportArn": imp["ImportTableDescription"]["ImportArn"]})["ImportTableDescription"]
    assert d["ImportStatus"] == ("COMPLETED" if "imported" in tables(url) else "FAILED"), d


@pytest.mark.parametrize("delay", DELAYS)
def test_kill_during_export(crashy, delay):
    url = crashy.start()
    make_source(url)
    ok(url, "UpdateContinuousBackups", {"TableName": "src",
                                        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
    arn = ok(url, "DescribeTable", {"TableName": "src"})["Table"]["TableArn"]
    e = ok(url, "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "out"})["ExportDescription"]
    time.sleep(delay)
    crashy.kill()
    url = crashy.start()
    assert count(url, "src") == ITEMS
    d = ok(url, "DescribeExport", {"ExportArn": e["ExportArn"]})["ExportDescription"]
    assert d["ExportStatus"] in ("COMPLETED", "FAILED"), d
    print("export after kill at %.2fs: %s" % (delay, d["ExportStatus"]))
    summary = crashy.root / "out" / "AWSDynamoDB" / e["ExportArn"].rsplit("/", 1)[1] / "manifest-summary.json"
    if d["ExportStatus"] == "COMPLETED":
        assert d["ItemCount"] == ITEMS and summary.is_file()
    else:
        assert not summary.is_file()
