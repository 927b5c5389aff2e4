#!/usr/bin/python3
"""Backup, restore and point-in-time-restore throughput, and instant snapshot save/restore times.

    /usr/bin/python3 bench/backups.py [ITEMS] [--disk]     (ITEMS default 200000; --disk: a --data-dir server)

Starts its own Basalt (BASALT_BIN, default build/src/basalt) on port 8311, preloads ITEMS items of ~100
bytes (bench/compare.py's item) with BatchWriteItem, then times, from the request to the status that says
it is done (polled every 10 ms):
  backup      CreateBackup until AVAILABLE
  restore     RestoreTableFromBackup until the table is ACTIVE
  pitr        UpdateContinuousBackups (enable; the base copy of ITEMS items), ITEMS overwrites logged,
              then RestoreTableToPointInTime (latest) until ACTIVE: replays 2 x ITEMS log records
  export      ExportTableToPointInTime (FULL, DYNAMODB_JSON and ION) until COMPLETED: ITEMS items
              written as gzipped data files under --export-root
  import      ImportTable of each export (GZIP) into a new table until COMPLETED: ITEMS items
  snapshot    POST /basalt/snapshots/NAME and POST .../restore (one table of ITEMS items)
and prints items/s for each."""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

here = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(here))
import compare  # noqa: E402

PORT = 8311
URL = "http://127.0.0.1:%d" % PORT


def ok(op, body):
    st, res = compare.call(URL, op, body, timeout=600)
    if st != 200:
        sys.exit("%s: %s %s" % (op, st, res))
    return res


def wait(pred):
    while not pred():
        time.sleep(0.01)


def table_active(name):
    return ok("DescribeTable", {"TableName": name})["Table"]["TableStatus"] == "ACTIVE"


def post(path):
    # The bench table's namespace is that of compare.py's access key (each key id is its own account).
    req = urllib.request.Request(URL + path, method="POST", headers={"Authorization": compare.AUTH})
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.read()


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 200000
    disk = "--disk" in sys.argv
    binary = os.environ.get("BASALT_BIN", str(here.parent / "build" / "src" / "basalt"))
    data = tempfile.mkdtemp(prefix="basalt-bench-backups-")
    flags = (["--data-dir", data] if disk else ["--in-memory"]) + ["--export-root", os.path.join(data, "s3")]
    proc = subprocess.Popen([binary, "--host", "127.0.0.1", "--port", str(PORT)] + flags,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        compare.cmd_wait(URL)
        compare.cmd_create(URL, "bench")
        t = time.monotonic()
        compare.cmd_preload(URL, "bench", n)
        print("preload     %8d items  %7.2f s" % (n, time.monotonic() - t))
        figures = {}

        t = time.monotonic()
        arn = ok("CreateBackup", {"TableName": "bench", "BackupName": "bench"})["BackupDetails"]["BackupArn"]
        wait(lambda: ok("DescribeBackup", {"BackupArn": arn})["BackupDescription"]["BackupDetails"]["BackupStatus"]
             == "AVAILABLE")
        figures["backup"] = (n, time.monotonic() - t)

        t = time.monotonic()
        ok("RestoreTableFromBackup", {"TargetTableName": "restored", "BackupArn": arn})
        wait(lambda: table_active("restored"))
        figures["restore"] = (n, time.monotonic() - t)

        ok("UpdateContinuousBackups", {"TableName": "bench",
                                       "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
        compare.cmd_preload(URL, "bench", n)  # n logged changes on top of the base copy
        t = time.monotonic()
        ok("RestoreTableToPointInTime", {"SourceTableName": "bench", "TargetTableName": "pitr",
                                         "UseLatestRestorableTime": True})
        wait(lambda: table_active("pitr"))
        figures["pitr restore"] = (n, time.monotonic() - t)
        count = ok("DescribeTable", {"TableName": "pitr"})["Table"]["ItemCount"]
        if count != n:
            sys.exit("pitr restore holds %d items, not %d" % (count, n))

        arn_of_bench = ok("DescribeTable", {"TableName": "bench"})["Table"]["TableArn"]
        for fmt in ("DYNAMODB_JSON", "ION"):
            t = time.monotonic()
            export = ok("ExportTableToPointInTime", {"TableArn": arn_of_bench, "S3Bucket": "bench",
                                                     "ExportFormat": fmt})["ExportDescription"]["ExportArn"]
            wait(lambda: ok("DescribeExport", {"ExportArn": export})["ExportDescription"]["ExportStatus"]
                 != "IN_PROGRESS")
            figures["export " + fmt] = (n, time.monotonic() - t)
            done = ok("DescribeExport", {"ExportArn": export})["ExportDescription"]
            if done["ExportStatus"] != "COMPLETED" or done["ItemCount"] != n:
                sys.exit("export %s: %s" % (fmt, json.dumps(done)))
            target = "imported_" + fmt.lower()
            t = time.monotonic()
            imp = ok("ImportTable", {
                "S3BucketSource": {"S3Bucket": "bench",
                                   "S3KeyPrefix": "AWSDynamoDB/%s/data/" % export.rsplit("/", 1)[1]},
                "InputFormat": fmt, "InputCompressionType": "GZIP",
                "TableCreationParameters": {
                    "TableName": target, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST"}})["ImportTableDescription"]["ImportArn"]
            wait(lambda: ok("DescribeImport", {"ImportArn": imp})["ImportTableDescription"]["ImportStatus"]
                 != "IN_PROGRESS")
            figures["import " + fmt] = (n, time.monotonic() - t)
            done = ok("DescribeImport", {"ImportArn": imp})["ImportTableDescription"]
            if done["ImportStatus"] != "COMPLETED" or done["ImportedItemCount"] != n or done["ErrorCount"]:
                sys.exit("import %s: %s" % (fmt, json.dumps(done)))
            ok("DeleteTable", {"TableName": target})

        for t_name in ("restored", "pitr"):
            ok("DeleteTable", {"TableName": t_name})
        for path, figure in (("/basalt/snapshots/bench", "snapshot save"),
                             ("/basalt/snapshots/bench/restore", "snapshot restore")):
            t = time.monotonic()
            items = json.loads(post(path))["items"]
            figures[figure] = (n, time.monotonic() - t)
            if items != n:
                sys.exit("%s covered %d items, not %d" % (figure, items, n))

        print("(%s server, %d items of ~100 bytes)" % ("on-disk" if disk else "in-memory", n))
        for name, (items, secs) in figures.items():
            print("%-21s %8d items  %7.3f s  %10.0f items/s" % (name, items, secs, items / secs))
    finally:
        proc.terminate()
        proc.wait()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
