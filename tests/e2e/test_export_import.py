"""ExportTableToPointInTime / DescribeExport / ListExports and ImportTable / DescribeImport / ListImports, with
S3 mapped to a local directory (--export-root DIR: s3://bucket/prefix is DIR/bucket/prefix), in the layout and
file formats AWS writes. DynamoDB Local has none of these operations."""

import base64
import gzip
import hashlib
import json
import shutil
import subprocess
import time

import pytest

from conftest import make_client, raw_call, table_name

pytestmark = pytest.mark.basalt_only

ITEMS = [
    {"pk": {"S": "a"}, "sk": {"N": "1"}, "g": {"S": "x"}, "n": {"N": "-1.5e3"}, "b": {"B": "AAEC"},
     "t": {"BOOL": True}, "z": {"NULL": True}, "ss": {"SS": ["p", "q"]}, "ns": {"NS": ["1", "2"]},
     "bs": {"BS": ["AQ=="]}, "l": {"L": [{"S": "e"}, {"N": "3"}]}, "m": {"M": {"k": {"S": "v"}}}},
    {"pk": {"S": "a"}, "sk": {"N": "2"}, "g": {"S": "y"}},
    {"pk": {"S": "b"}, "sk": {"N": "1"}},
]

TABLE_PARAMS = {
    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                             {"AttributeName": "sk", "AttributeType": "N"},
                             {"AttributeName": "g", "AttributeType": "S"}],
    "GlobalSecondaryIndexes": [{"IndexName": "byg", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                "Projection": {"ProjectionType": "ALL"}}],
    "BillingMode": "PAY_PER_REQUEST",
}


def call(server, op, body):
    res = raw_call(server.url, op, body)
    return res


def ok(server, op, body):
    res = call(server, op, body)
    assert res.status == 200, res
    return res.body


def wait_for(fn, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(0.05)
    raise AssertionError("timed out")


def scan_all(ddb, table, index=None):
    kw = {"TableName": table}
    if index:
        kw["IndexName"] = index
    return sorted(ddb.scan(**kw)["Items"], key=repr)


def wait_import(server, arn):
    def done():
        d = ok(server, "DescribeImport", {"ImportArn": arn})["ImportTableDescription"]
        return d if d["ImportStatus"] != "IN_PROGRESS" else None
    return wait_for(done)


@pytest.fixture
def server(private_server, tmp_path):
    s = private_server("--in-memory", "--export-root", str(tmp_path / "s3"))
    s.root = tmp_path / "s3"
    return s


def test_export_then_import_round_trip(server):
    ddb = make_client(server.url)
    src = table_name("src")
    ok(server, "CreateTable", dict(TABLE_PARAMS, TableName=src))
    for item in ITEMS:
        ok(server, "PutItem", {"TableName": src, "Item": item})
    arn = ddb.describe_table(TableName=src)["Table"]["TableArn"]
    res = call(server, "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "bucket1"})
    assert res.code == "PointInTimeRecoveryUnavailableException", res
    ddb.update_continuous_backups(TableName=src, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    d = ok(server, "ExportTableToPointInTime",
           {"TableArn": arn, "S3Bucket": "bucket1", "S3Prefix": "exports/daily"})["ExportDescription"]
    assert d["ExportStatus"] == "IN_PROGRESS" and d["ExportFormat"] == "DYNAMODB_JSON"
    assert d["ExportType"] == "FULL_EXPORT" and "/export/" in d["ExportArn"]
    d = wait_for(lambda: (lambda e: e if e["ExportStatus"] != "IN_PROGRESS" else None)(
        ok(server, "DescribeExport", {"ExportArn": d["ExportArn"]})["ExportDescription"]))
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ItemCount"] == 3
    export_id = d["ExportArn"].rsplit("/", 1)[1]
    base = server.root / "bucket1" / "exports" / "daily" / "AWSDynamoDB" / export_id
    assert d["ExportManifest"] == "exports/daily/AWSDynamoDB/%s/manifest-summary.json" % export_id
    for name in ("_started", "manifest-summary.json", "manifest-summary.checksum", "manifest-files.json",
                 "manifest-files.checksum"):
        assert (base / name).is_file(), name
    summary = json.loads((base / "manifest-summary.json").read_text())
    assert summary["version"] == "2020-06-30" and summary["itemCount"] == 3
    assert summary["exportArn"] == d["ExportArn"] and summary["outputFormat"] == "DYNAMODB_JSON"
    assert summary["manifestFilesS3Key"] == "exports/daily/AWSDynamoDB/%s/manifest-files.json" % export_id
    files = [json.loads(line) for line in (base / "manifest-files.json").read_text().splitlines()]
    assert sum(f["itemCount"] for f in files) == 3
    lines = []
    for f in files:
        data = (server.root / "bucket1" / f["dataFileS3Key"]).read_bytes()
        assert f["dataFileS3Key"].endswith(".json.gz")
        assert base64.b64decode(f["md5Checksum"]) == hashlib.md5(data).digest()
        lines += gzip.decompress(data).decode().splitlines()
    stored = ok(server, "Scan", {"TableName": src})["Items"]  # the items as the table holds them
    assert sorted(json.dumps(json.loads(l)["Item"], sort_keys=True) for l in lines) == \
        sorted(json.dumps(i, sort_keys=True) for i in stored)
    listed = ok(server, "ListExports", {"TableArn": arn})["ExportSummaries"]
    assert [e["ExportArn"] for e in listed] == [d["ExportArn"]]

    target = table_name("imported")
    imp = ok(server, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "bucket1", "S3KeyPrefix": "exports/daily/AWSDynamoDB/%s/data/" % export_id},
        "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
        "TableCreationParameters": dict(TABLE_PARAMS, TableName=target)})["ImportTableDescription"]
    assert imp["ImportStatus"] == "IN_PROGRESS" and imp["TableArn"].endswith(":table/" + target)
    done = wait_import(server, imp["ImportArn"])
    assert done["ImportStatus"] == "COMPLETED" and done["ImportedItemCount"] == 3 and done["ErrorCount"] == 0, done
    assert "FailureCode" not in done
    assert ddb.describe_table(TableName=target)["Table"]["TableStatus"] == "ACTIVE"
    assert scan_all(ddb, target) == scan_all(ddb, src)
    assert scan_all(ddb, target, "byg") == scan_all(ddb, src, "byg")
    assert [i["ImportArn"] for i in ok(server, "ListImports", {})["ImportSummaryList"]] == [imp["ImportArn"]]


def test_import_of_a_hand_written_aws_layout_counts_bad_rows(server):
    ddb = make_client(server.url)
    # As an export from DynamoDB lays it out: gzip JSON Lines of {"Item": ...}, two files.
    data = server.root / "fixture" / "AWSDynamoDB" / "01234567890123-a1b2c3d4" / "data"
    data.mkdir(parents=True)
    (data / "x7kq2mzkqe4mtjqdb6lr3n5fcy.json.gz").write_bytes(gzip.compress(
        b'{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"g":{"S":"x"}}}\n'
        b'{"Item":{"sk":{"N":"2"}}}\n'                           # no partition key: a bad row
        b'{"Item":{"pk":{"S":"a"},"sk":{"N":"1"},"v":{"N":"7"}}}\n'))  # same key again: overwrites
    (data / "zz3mtjqdb6lr3n5fcyx7kq2mzk.json.gz").write_bytes(gzip.compress(
        b'{"Item":{"pk":{"S":"b"},"sk":{"N":"1"},"ss":{"SS":["u"]}}}\nnot json\n'))
    target = table_name("fixture")
    imp = ok(server, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "fixture", "S3KeyPrefix": "AWSDynamoDB/01234567890123-a1b2c3d4/data/"},
        "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "GZIP",
        "TableCreationParameters": dict(TABLE_PARAMS, TableName=target)})["ImportTableDescription"]
    d = wait_import(server, imp["ImportArn"])
    assert d["ImportStatus"] == "COMPLETED", d
    assert d["ProcessedItemCount"] == 5 and d["ErrorCount"] == 2
    assert d["FailureCode"] == "ItemValidationError"
    assert d["FailureMessage"] == ("Some of the items failed validation checks and were not imported. "
                                   "Please check CloudWatch error logs for more details.")
    assert scan_all(ddb, target) == [{"pk": {"S": "a"}, "sk": {"N": "1"}, "v": {"N": "7"}},
                                     {"pk": {"S": "b"}, "sk": {"N": "1"}, "ss": {"SS": ["u"]}}]
    t = ddb.describe_table(TableName=target)["Table"]
    assert t["ItemCount"] == 2
    assert t["GlobalSecondaryIndexes"][0]["ItemCount"] == 0  # the overwrite took g away


def test_csv_import(server):
    ddb = make_client(server.url)
    (server.root / "csv").mkdir(parents=True)
    (server.root / "csv" / "rows.csv").write_text('pk;sk;note\nk1;1;"semi;colon"\nk2;2;\n')
    target = table_name("csv")
    imp = ok(server, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "csv"}, "InputFormat": "CSV",
        "InputFormatOptions": {"Csv": {"Delimiter": ";"}},
        "TableCreationParameters": dict(TABLE_PARAMS, TableName=target)})["ImportTableDescription"]
    d = wait_import(server, imp["ImportArn"])
    assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == 2, d
    assert scan_all(ddb, target) == [{"pk": {"S": "k1"}, "sk": {"N": "1"}, "note": {"S": "semi;colon"}},
                                     {"pk": {"S": "k2"}, "sk": {"N": "2"}}]


def test_errors(server):
    ddb = make_client(server.url)
    src = table_name("src")
    ok(server, "CreateTable", dict(TABLE_PARAMS, TableName=src))
    res = call(server, "ImportTable", {"S3BucketSource": {"S3Bucket": "nope"}, "InputFormat": "DYNAMODB_JSON",
                                       "TableCreationParameters": dict(TABLE_PARAMS, TableName=src)})
    assert (res.code, res.message) == ("ResourceInUseException", "Table already exists: %s" % src), res
    target = table_name("nobucket")
    imp = ok(server, "ImportTable", {"S3BucketSource": {"S3Bucket": "nope"}, "InputFormat": "DYNAMODB_JSON",
                                     "TableCreationParameters": dict(TABLE_PARAMS, TableName=target)})
    d = wait_import(server, imp["ImportTableDescription"]["ImportArn"])
    assert (d["ImportStatus"], d["FailureCode"]) == ("FAILED", "S3NoSuchBucket"), d
    assert target not in ddb.list_tables()["TableNames"]
    res = call(server, "DescribeExport", {"ExportArn": "arn:aws:dynamodb:us-east-1:000000000000:table/t/export/"
                                                       "01234567890123-a1b2c3d4"})
    assert res.code == "ExportNotFoundException", res
    res = call(server, "DescribeImport", {"ImportArn": "arn:aws:dynamodb:us-east-1:000000000000:table/t/import/"
                                                       "01234567890123-a1b2c3d4"})
    assert res.code == "ImportNotFoundException", res
    res = call(server, "ExportTableToPointInTime", {"TableArn": "arn:aws:dynamodb:us-east-1:000000000000:table/none",
                                                    "S3Bucket": "b"})
    assert res.code == "TableNotFoundException", res


@pytest.mark.skipif(shutil.which("zstd") is None, reason="the zstd command is not installed")
def test_zstd_import(server):
    ddb = make_client(server.url)
    src = server.root / "zst" / "part.json"
    src.parent.mkdir(parents=True)
    src.write_text("".join(json.dumps({"Item": {"pk": {"S": "k%d" % i}, "sk": {"N": str(i)}}}) + "\n"
                           for i in range(1000)))
    subprocess.run(["zstd", "-q", "--rm", str(src)], check=True)  # part.json.zst, the source removed
    target = table_name("zstd")
    imp = ok(server, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "zst"}, "InputFormat": "DYNAMODB_JSON", "InputCompressionType": "ZSTD",
        "TableCreationParameters": dict(TABLE_PARAMS, TableName=target)})["ImportTableDescription"]
    d = wait_import(server, imp["ImportArn"])
    assert d["ImportStatus"] == "COMPLETED" and d["ImportedItemCount"] == 1000 and d["ErrorCount"] == 0, d
    assert ddb.describe_table(TableName=target)["Table"]["ItemCount"] == 1000


def test_ion_export(server):
    src = table_name("ion")
    ok(server, "CreateTable", dict(TABLE_PARAMS, TableName=src))
    ok(server, "PutItem", {"TableName": src, "Item": ITEMS[0]})
    ok(server, "UpdateContinuousBackups", {"TableName": src,
                                           "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True}})
    arn = ok(server, "DescribeTable", {"TableName": src})["Table"]["TableArn"]
    d = ok(server, "ExportTableToPointInTime", {"TableArn": arn, "S3Bucket": "ionb", "ExportFormat": "ION"})
    arn = d["ExportDescription"]["ExportArn"]
    d = wait_for(lambda: (lambda e: e if e["ExportStatus"] != "IN_PROGRESS" else None)(
        ok(server, "DescribeExport", {"ExportArn": arn})["ExportDescription"]))
    assert d["ExportStatus"] == "COMPLETED" and d["ExportFormat"] == "ION", d
    base = server.root / "ionb" / "AWSDynamoDB" / arn.rsplit("/", 1)[1]
    assert json.loads((base / "manifest-summary.json").read_text())["outputFormat"] == "ION"
    (data,) = list((base / "data").iterdir())
    assert data.name.endswith(".ion.gz")
    line = gzip.decompress(data.read_bytes()).decode().strip()
    assert line == ('$ion_1_0 {Item:{b:{{AAEC}},bs:$dynamodb_BS::[{{AQ==}}],g:"x",l:["e",3.],m:{k:"v"},'
                    'n:-1500.,ns:$dynamodb_NS::[1.,2.],pk:"a",sk:1.,ss:$dynamodb_SS::["p","q"],t:true,z:null}}')

    # The export reads back through ImportTable (InputFormat ION): the same item, every type intact.
    export_id = arn.rsplit("/", 1)[1]
    imp = ok(server, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "ionb", "S3KeyPrefix": "AWSDynamoDB/%s/data/" % export_id},
        "InputFormat": "ION", "InputCompressionType": "GZIP",
        "TableCreationParameters": dict(TABLE_PARAMS, TableName=table_name("ionback"))})["ImportTableDescription"]
    done = wait_import(server, imp["ImportArn"])
    assert done["ImportStatus"] == "COMPLETED" and done["ImportedItemCount"] == 1 and done["ErrorCount"] == 0, done
    back = ok(server, "Scan", {"TableName": imp["TableArn"].rsplit("/", 1)[1]})["Items"]
    assert back == ok(server, "Scan", {"TableName": src})["Items"]


def test_ion_import_of_hand_written_text_counts_bad_values(server):
    # Ion text as people write it: comments, symbols in quotes, a long string, a blob, an int in
    # hex, a decimal with an exponent; a value that is not an item, and one whose set repeats a
    # member, are errors counted by the import, the rest goes in.
    folder = server.root / "ionhand" / "in"
    folder.mkdir(parents=True)
    (folder / "items.ion").write_text(
        "$ion_1_0\n"
        "// the first item\n"
        "{Item: {'pk': \"h1\", sk: 0x10, note: '''long ''' '''string''', bin: {{aGk=}}, d: 12d-1}}\n"
        "{Item: {pk: \"h2\", sk: 2., tags: $dynamodb_SS::[\"x\", \"x\"]}}\n"
        "[1, 2]\n"
        "/* block comment */ {Item: {pk: \"h3\", sk: 3, ok: true, m: {a: [null, false]}}}\n")
    imp = ok(server, "ImportTable", {
        "S3BucketSource": {"S3Bucket": "ionhand", "S3KeyPrefix": "in/"}, "InputFormat": "ION",
        "InputCompressionType": "NONE",
        "TableCreationParameters": dict(TABLE_PARAMS, TableName=table_name("ionhand"))})["ImportTableDescription"]
    done = wait_import(server, imp["ImportArn"])
    assert done["ImportStatus"] == "COMPLETED", done
    assert (done["ImportedItemCount"], done["ErrorCount"]) == (2, 2), done
    items = sorted(ok(server, "Scan", {"TableName": imp["TableArn"].rsplit("/", 1)[1]})["Items"],
                   key=lambda i: i["pk"]["S"])
    assert items == [
        {"pk": {"S": "h1"}, "sk": {"N": "16"}, "note": {"S": "long string"}, "bin": {"B": "aGk="},
         "d": {"N": "1.2"}},
        {"pk": {"S": "h3"}, "sk": {"N": "3"}, "ok": {"BOOL": True},
         "m": {"M": {"a": {"L": [{"NULL": True}, {"BOOL": False}]}}}},
    ]


def _export_lines(server, bucket, d):
    """The JSON lines of a finished export's data files, as its manifest lists them."""
    base = server.root / bucket / d["ExportManifest"].rsplit("/", 1)[0]
    lines = []
    for f in (json.loads(l) for l in (base / "manifest-files.json").read_text().splitlines()):
        lines += [json.loads(l) for l in gzip.decompress((server.root / bucket / f["dataFileS3Key"]).read_bytes())
                  .decode().splitlines()]
    return lines


def test_incremental_export_writes_each_changed_item_once(server):
    ddb = make_client(server.url)
    src = table_name("incr")
    ok(server, "CreateTable", dict(TABLE_PARAMS, TableName=src))
    arn = ddb.describe_table(TableName=src)["Table"]["TableArn"]
    put = lambda pk, sk, **attrs: ok(server, "PutItem", {"TableName": src, "Item": dict(
        {"pk": {"S": pk}, "sk": {"N": str(sk)}}, **{k: {"S": v} for k, v in attrs.items()})})
    put("keep", 1, v="same")
    put("upd", 1, v="before")
    put("gone", 1, v="x")
    ddb.update_continuous_backups(TableName=src, PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
    time.sleep(1.1)
    start = time.time()
    time.sleep(0.05)
    put("upd", 1, v="middle")
    put("upd", 1, v="after")
    put("new", 1, v="n")
    ok(server, "DeleteItem", {"TableName": src, "Key": {"pk": {"S": "gone"}, "sk": {"N": "1"}}})
    put("brief", 1, v="b")
    ok(server, "DeleteItem", {"TableName": src, "Key": {"pk": {"S": "brief"}, "sk": {"N": "1"}}})
    time.sleep(0.05)
    end = time.time()
    time.sleep(1.1)
    put("late", 1, v="outside the window")
    time.sleep(1.1)

    def finish(d):
        return wait_for(lambda: (lambda e: e if e["ExportStatus"] != "IN_PROGRESS" else None)(
            ok(server, "DescribeExport", {"ExportArn": d["ExportArn"]})["ExportDescription"]))

    d = finish(ok(server, "ExportTableToPointInTime", {
        "TableArn": arn, "S3Bucket": "bucket1", "S3Prefix": "inc", "ExportType": "INCREMENTAL_EXPORT",
        "IncrementalExportSpecification": {"ExportFromTime": start, "ExportToTime": end}})["ExportDescription"])
    assert d["ExportStatus"] == "COMPLETED", d
    assert d["ExportType"] == "INCREMENTAL_EXPORT" and "ExportTime" not in d
    spec = d["IncrementalExportSpecification"]
    assert spec["ExportViewType"] == "NEW_AND_OLD_IMAGES"
    assert abs(spec["ExportFromTime"] - start) < 0.01 and abs(spec["ExportToTime"] - end) < 0.01
    assert d["ItemCount"] == 3, d  # upd, new, gone (brief was created and deleted inside the window)
    lines = _export_lines(server, "bucket1", d)
    by_key = {l["Keys"]["pk"]["S"]: l for l in lines}
    assert sorted(by_key) == ["gone", "new", "upd"]
    for l in lines:
        assert set(l["Keys"]) == {"pk", "sk"}
        assert start * 1e6 <= int(l["Metadata"]["WriteTimestampMicros"]["N"]) < end * 1e6
    assert by_key["upd"]["OldImage"]["v"] == {"S": "before"} and by_key["upd"]["NewImage"]["v"] == {"S": "after"}
    assert "OldImage" not in by_key["new"] and by_key["new"]["NewImage"]["v"] == {"S": "n"}
    assert by_key["gone"]["OldImage"]["v"] == {"S": "x"} and "NewImage" not in by_key["gone"]
    # The data files are in the folder incremental exports share; the manifests are the export's own.
    export_id = d["ExportArn"].rsplit("/", 1)[1]
    assert d["ExportManifest"] == "inc/AWSDynamoDB/%s/manifest-summary.json" % export_id
    summary = json.loads((server.root / "bucket1" / d["ExportManifest"]).read_text())
    assert summary["exportType"] == "INCREMENTAL_EXPORT" and summary["itemCount"] == 3
    files = [json.loads(l) for l in (server.root / "bucket1" / "inc" / "AWSDynamoDB" / export_id /
                                     "manifest-files.json").read_text().splitlines()]
    assert all(f["dataFileS3Key"].startswith("inc/AWSDynamoDB/data/") for f in files)

    # NEW_IMAGE leaves the old images out; ExportToTime defaults to the latest restorable time.
    d = finish(ok(server, "ExportTableToPointInTime", {
        "TableArn": arn, "S3Bucket": "bucket1", "ExportType": "INCREMENTAL_EXPORT",
        "IncrementalExportSpecification": {"ExportFromTime": start, "ExportViewType": "NEW_IMAGE"}})["ExportDescription"])
    lines = _export_lines(server, "bucket1", d)
    assert sorted(l["Keys"]["pk"]["S"] for l in lines) == ["gone", "late", "new", "upd"]
    assert not any("OldImage" in l for l in lines)

    # ION: the same lines in Ion text, into .ion.gz files of the shared data folder.
    d = finish(ok(server, "ExportTableToPointInTime", {
        "TableArn": arn, "S3Bucket": "bucket1", "S3Prefix": "incion", "ExportType": "INCREMENTAL_EXPORT",
        "ExportFormat": "ION",
        "IncrementalExportSpecification": {"ExportFromTime": start, "ExportToTime": end}})["ExportDescription"])
    assert d["ExportStatus"] == "COMPLETED" and d["ExportFormat"] == "ION" and d["ItemCount"] == 3, d
    base = server.root / "bucket1" / d["ExportManifest"].rsplit("/", 1)[0]
    ion = {}
    for f in (json.loads(l) for l in (base / "manifest-files.json").read_text().splitlines()):
        assert f["dataFileS3Key"].startswith("incion/AWSDynamoDB/data/") and f["dataFileS3Key"].endswith(".ion.gz")
        for line in gzip.decompress((server.root / "bucket1" / f["dataFileS3Key"]).read_bytes()).decode().splitlines():
            ion[line.split('Keys:{pk:"', 1)[1].split('"', 1)[0]] = line
    assert sorted(ion) == ["gone", "new", "upd"]
    micros = int(by_key["upd"]["Metadata"]["WriteTimestampMicros"]["N"])
    assert ion["upd"] == ('$ion_1_0 {Metadata:{WriteTimestampMicros:%d.},Keys:{pk:"upd",sk:1.},'
                          'OldImage:{pk:"upd",sk:1.,v:"before"},NewImage:{pk:"upd",sk:1.,v:"after"}}' % micros)
    assert ion["gone"].endswith(',Keys:{pk:"gone",sk:1.},OldImage:{pk:"gone",sk:1.,v:"x"}}')
    assert ion["new"].endswith(',Keys:{pk:"new",sk:1.},NewImage:{pk:"new",sk:1.,v:"n"}}')

    # Errors: no ExportFromTime, a window outside the point-in-time window, an empty window.
    base = {"TableArn": arn, "S3Bucket": "bucket1", "ExportType": "INCREMENTAL_EXPORT"}
    res = call(server, "ExportTableToPointInTime", base)
    assert res.code == "ValidationException", res
    for spec in ({"ExportFromTime": start - 3600}, {"ExportFromTime": end, "ExportToTime": start}):
        res = call(server, "ExportTableToPointInTime", dict(base, IncrementalExportSpecification=spec))
        assert res.code == "InvalidExportTimeException", res
    res = call(server, "ExportTableToPointInTime", dict(base, IncrementalExportSpecification={
        "ExportFromTime": start, "ExportViewType": "OLD_IMAGE"}))
    assert res.code == "ValidationException" and "exportViewType" in res.message, res
