"""Access-pattern recording and the modeling report (Basalt's own, beyond DynamoDB): a small single-table
shop with planted problems is driven by a script, and the generated dynamodb_data_model.md must name each
problem with the right numbers and cost what a hand computation from the consumed capacity costs."""

import os
import pathlib
import re
import subprocess
import tempfile

import pytest
import requests

from conftest import ACCOUNT, ACCESS_KEY, make_client

pytestmark = pytest.mark.basalt_only

BINARY = pathlib.Path(os.environ.get("BASALT_BIN", pathlib.Path(__file__).resolve().parents[2] / "build/src/basalt"))
MONTH_SECONDS = 2_592_000
RRU, WRU, STORAGE = 0.125, 0.625, 0.25  # the method's prices


def usd(x):
    return "$%.4f" % x if x != 0 and abs(x) < 0.01 else "$%.2f" % x


def report(url, fmt="json", doc="model"):
    r = requests.get("%s/basalt/report?format=%s&doc=%s&access_key=%s" % (url, fmt, doc, ACCESS_KEY))
    assert r.status_code == 200, r.text
    return r.json() if fmt == "json" else r.text


def create_shop(ddb):
    s = {"AttributeType": "S"}
    ddb.create_table(
        TableName="Shop", BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
        AttributeDefinitions=[dict(AttributeName=n, **s) for n in ("PK", "SK", "name", "customer", "created", "open_since")],
        GlobalSecondaryIndexes=[
            # Never read: users by name.
            {"IndexName": "ByName", "KeySchema": [{"AttributeName": "name", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}},
            # Over-projected: orders by customer, read only for the order's SK and total.
            {"IndexName": "ByCustomer", "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                                                      {"AttributeName": "created", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}},
            # Sparse: only open orders carry open_since.
            {"IndexName": "OpenOrders", "KeySchema": [{"AttributeName": "open_since", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "KEYS_ONLY"}},
        ])


class Capacity:
    """The capacity every request reported (ReturnConsumedCapacity=INDEXES), by table or index."""

    def __init__(self):
        self.read, self.write = {}, {}

    def add(self, resp, write):
        c = resp["ConsumedCapacity"]
        into = self.write if write else self.read
        into["Shop"] = into.get("Shop", 0) + c.get("Table", {}).get("CapacityUnits", 0)
        for name, u in c.get("GlobalSecondaryIndexes", {}).items():
            into["Shop." + name] = into.get("Shop." + name, 0) + u["CapacityUnits"]


def drive(ddb):
    """The shop's traffic; returns the capacity it consumed."""
    cap = Capacity()
    rc = {"ReturnConsumedCapacity": "INDEXES"}
    for u in range(20):
        cap.add(ddb.put_item(TableName="Shop", Item={"PK": {"S": "USER#%d" % u}, "SK": {"S": "PROFILE"},
                                                     "name": {"S": "user %d" % u}, "email": {"S": "u%d@x.test" % u}},
                             **rc), True)
    for o in range(60):
        u = o % 20
        item = {"PK": {"S": "USER#%d" % u}, "SK": {"S": "ORDER#%03d" % o}, "customer": {"S": "USER#%d" % u},
                "created": {"S": "2026-12-%02d" % (1 + o % 28)}, "total": {"N": str(10 + o)},
                "status": {"S": "CANCELLED" if o in (7, 8) else "DONE"}, "note": {"S": "gift wrap " * 3}}
        if o % 10 == 0:
            item["open_since"] = {"S": "2026-12-01"}
        cap.add(ddb.put_item(TableName="Shop", Item=item, **rc), True)
        for i in range(2):
            cap.add(ddb.put_item(TableName="Shop", Item={"PK": {"S": "ORDER#%03d" % o}, "SK": {"S": "ITEM#%d" % i},
                                                         "qty": {"N": "1"}, "price": {"N": "9.5"}}, **rc), True)
    # The hot key: the first user's profile, read 200 times.
    for _ in range(200):
        cap.add(ddb.get_item(TableName="Shop", Key={"PK": {"S": "USER#0"}, "SK": {"S": "PROFILE"}}, **rc), False)
    for u in range(1, 20):
        cap.add(ddb.get_item(TableName="Shop", Key={"PK": {"S": "USER#%d" % u}, "SK": {"S": "PROFILE"}}, **rc), False)
    for u in range(20):
        cap.add(ddb.query(TableName="Shop", KeyConditionExpression="PK = :p AND begins_with(SK, :o)",
                          ExpressionAttributeValues={":p": {"S": "USER#%d" % u}, ":o": {"S": "ORDER#"}}, **rc), False)
        cap.add(ddb.query(TableName="Shop", IndexName="ByCustomer", KeyConditionExpression="customer = :c",
                          ProjectionExpression="SK, #t", ExpressionAttributeNames={"#t": "total"},
                          ExpressionAttributeValues={":c": {"S": "USER#%d" % u}}, **rc), False)
    for _ in range(10):
        cap.add(ddb.query(TableName="Shop", IndexName="OpenOrders", KeyConditionExpression="open_since = :d",
                          ExpressionAttributeValues={":d": {"S": "2026-12-01"}}, **rc), False)
    # Strongly consistent reads of order items.
    for o in range(10):
        cap.add(ddb.get_item(TableName="Shop", Key={"PK": {"S": "ORDER#%03d" % o}, "SK": {"S": "ITEM#0"}},
                             ConsistentRead=True, **rc), False)
    # The scan that should be a query: cancelled orders, 2 of 200 items, five times.
    for _ in range(5):
        r = ddb.scan(TableName="Shop", FilterExpression="#s = :c", ExpressionAttributeNames={"#s": "status"},
                     ExpressionAttributeValues={":c": {"S": "CANCELLED"}}, **rc)
        assert (r["Count"], r["ScannedCount"]) == (2, 200)
        cap.add(r, False)
    return cap


def cost_rows(md):
    rows = {}
    for line in md.split("## Cost Estimates")[1].split("\n\n")[0].splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == 5 and cells[1].startswith("$"):
            rows[cells[0]] = cells[1:]
    return rows


def finding(md, kind):
    lines = [l for l in md.splitlines() if l.startswith("- **%s**" % kind)]
    assert lines, "no %s finding in:\n%s" % (kind, md.split("## Trade-offs")[1])
    return lines[0]


def test_report_names_each_planted_problem_with_its_numbers(private_server, tmp_path):
    server = private_server("--in-memory")
    ddb = make_client(server.url)
    create_shop(ddb)
    cap = drive(ddb)
    data = report(server.url)
    md = report(server.url, "md")
    window = data["window_seconds"]
    assert window >= 1

    # The cost table against a hand computation from the capacity the requests reported.
    rows = cost_rows(md)
    describe = ddb.describe_table(TableName="Shop")["Table"]
    sizes = {"Shop": describe["TableSizeBytes"]}
    for g in describe["GlobalSecondaryIndexes"]:
        sizes["Shop." + g["IndexName"]] = g["IndexSizeBytes"]
    for name, size in sizes.items():
        read = cap.read.get(name, 0) / window * MONTH_SECONDS * RRU / 1e6
        write = cap.write.get(name, 0) / window * MONTH_SECONDS * WRU / 1e6
        storage = size / 2**30 * STORAGE
        assert rows[name] == [usd(read), usd(write), usd(storage), usd(read + write + storage)], (name, rows)

    # The scan that should be a query: 5 scans read 1,000 items to return 10.
    line = finding(md, "scan_should_be_query")
    assert "read 1,000 items to return 10 in 5 requests (ScannedCount/Count = 100)" in line
    assert "sparse GSI keyed on status" in line
    # The GSI never read, with what it costs.
    line = finding(md, "gsi_never_read")
    assert "GSI ByName of Shop was never read" in line and "holds 20 items" in line
    assert "%s WCU/s on average" % fmt_rate(cap.write["Shop.ByName"] / window) in line
    # The over-projected GSI: its reads ask for SK and total only.
    line = finding(md, "gsi_over_projected")
    assert "GSI ByCustomer of Shop projects ALL but its reads" in line and "ask only for SK, total" in line
    assert "note" in line and "status" in line and "Project INCLUDE (SK, total)" in line
    # The hot key: USER#0 with its share of the keyed requests.
    line = finding(md, "hot_key")
    shop = [t for t in data["tables"] if t["name"] == "Shop" and t["index"] is None][0]
    hot = shop["hot_keys"][0]
    assert hot["key"] == "USER#0"
    # 200 profile reads, 1 profile write, 3 order writes and 1 query of its orders.
    assert hot["rps"] * window == pytest.approx(205)
    assert "Partition key USER#0 of Shop took %.1f%% of its" % (hot["share"] * 100) in line
    # Strongly consistent reads of order items.
    assert "GetItem Shop: PK = ORDER#:v AND SK = ITEM#:v, consistent" in finding(md, "strong_reads")
    # The sparse GSI is described as such: 6 of 200 items.
    assert "- **Sparse**: yes: 6 of 200 items (3%) carry open_since" in md
    assert finding(md, "billing_mode")
    # Attribute usage and the busiest keys' item collections (a profile and three orders under USER#0).
    assert "filtered or tested status" in md and "- **Item Collections**: the busiest keys' collections hold `USER#0`" in md
    assert shop["collections"][0]["key"] == "USER#0" and 0 < shop["collections"][0]["bytes"] <= 8192
    assert "status" in shop["attributes"]["filtered"] and shop["attributes"]["all_read"] is True

    # The JSON has the shape the console reads.
    kinds = {f["kind"] for f in data["findings"]}
    assert {"scan_should_be_query", "gsi_never_read", "gsi_over_projected", "hot_key", "strong_reads",
            "billing_mode"} <= kinds
    scan = [p for p in data["patterns"] if p["operation"] == "Scan"][0]
    assert (scan["count"], scan["items_scanned"], scan["items_returned"]) == (5, 1000, 10)
    assert scan["shape"] == "Scan Shop: filter status = :v"
    assert scan["index"] is None and set(scan["errors"]) == {"conditional", "throttled", "conflicts", "other"}
    get = [p for p in data["patterns"] if p["shape"] == "GetItem Shop: PK = USER#:v AND SK = :v"][0]
    assert get["count"] == 219 and get["rcu"] == pytest.approx(219 * 0.5)
    assert [p["id"] for p in data["patterns"]][:2] == ["AP1", "AP2"]

    # The requirement document lists every pattern.
    req = report(server.url, "md", "requirement")
    assert "## Access Patterns Analysis" in req
    assert len([l for l in req.splitlines() if re.match(r"\| AP\d+ \|", l)]) == len(data["patterns"])

    # basalt report writes both documents.
    out = tmp_path / "docs"
    subprocess.run([str(BINARY), "report", "--endpoint", server.url, "--out", str(out), "--account", ACCOUNT],
                   check=True, capture_output=True)
    assert (out / "dynamodb_requirement.md").read_text().startswith("# DynamoDB Modeling Session")
    written = (out / "dynamodb_data_model.md").read_text()
    assert written.startswith("# DynamoDB Data Model") and "gsi_over_projected" in written


def fmt_rate(x):
    """FormatRate of patterns/report.cc."""
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return "{:,.0f}".format(x)
    s = "%.1f" % x if abs(x) >= 100 else "%.2f" % x if abs(x) >= 0.1 else "%.4f" % x
    return s.rstrip("0").rstrip(".") if "." in s else s


def test_patterns_survive_a_restart_and_reset_forgets_them(private_server):
    data_dir = tempfile.mkdtemp(prefix="basalt-patterns-")
    server = private_server("--data-dir", data_dir)
    ddb = make_client(server.url)
    ddb.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    for i in range(7):
        ddb.put_item(TableName="Tab", Item={"pk": {"S": "k%d" % i}})
        ddb.get_item(TableName="Tab", Key={"pk": {"S": "k%d" % i}})
    before = {p["shape"]: p["count"] for p in report(server.url)["patterns"]}
    assert before == {"PutItem Tab: pk = :v, item (pk)": 7, "GetItem Tab: pk = :v": 7}
    server.stop()  # SIGTERM: saved at shutdown

    server = private_server("--data-dir", data_dir)
    ddb = make_client(server.url)
    assert {p["shape"]: p["count"] for p in report(server.url)["patterns"]} == before
    ddb.get_item(TableName="Tab", Key={"pk": {"S": "k1"}})
    assert {p["shape"]: p["count"] for p in report(server.url)["patterns"]}["GetItem Tab: pk = :v"] == 8

    r = requests.post(server.url + "/basalt/report/reset")
    assert r.status_code == 200 and r.json() == {"reset": True}
    assert report(server.url)["patterns"] == []
    server.stop()
    server = private_server("--data-dir", data_dir)
    assert report(server.url)["patterns"] == []  # the reset reached the stored state too


def test_record_patterns_off_records_nothing(private_server):
    server = private_server("--in-memory", "--record-patterns=off")
    ddb = make_client(server.url)
    ddb.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.put_item(TableName="Tab", Item={"pk": {"S": "a"}})
    data = report(server.url)
    assert data["recording"] is False and data["patterns"] == []
    assert [t["name"] for t in data["tables"]] == ["Tab"]  # the tables are still described


def test_partiql_statements_are_normalised(private_server):
    server = private_server("--in-memory")
    ddb = make_client(server.url)
    ddb.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    for i in range(3):
        ddb.execute_statement(Statement="INSERT INTO \"Tab\" VALUE {'pk': 'k%d', 'n': %d}" % (i, i))
        ddb.execute_statement(Statement="SELECT * FROM \"Tab\" WHERE pk = 'k%d'" % i)
    shapes = {p["shape"]: p["count"] for p in report(server.url)["patterns"]}
    assert shapes == {"ExecuteStatement: INSERT INTO \"Tab\" VALUE {'pk': ?, 'n': ?}": 3,
                      "ExecuteStatement: SELECT * FROM \"Tab\" WHERE pk = ?": 3}


def test_bad_report_parameters(private_server):
    server = private_server("--in-memory")
    assert requests.get(server.url + "/basalt/report?format=xml").status_code == 400
    assert requests.get(server.url + "/basalt/report/reset").status_code == 405


def test_report_needs_the_roots_signature_under_sigv4(private_server, tmp_path, monkeypatch):
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    from auth_helpers import ROOT_KEY, ROOT_SECRET

    monkeypatch.setenv("BASALT_ROOT_ACCESS_KEY_ID", ROOT_KEY)
    monkeypatch.setenv("BASALT_ROOT_SECRET_ACCESS_KEY", ROOT_SECRET)
    monkeypatch.setenv("BASALT_AUTH_KEY", "ab" * 32)
    server = private_server("--auth=sigv4", "--data-dir", str(tmp_path / "data"), "--durability=relaxed")
    ddb = make_client(server.url, access_key=ROOT_KEY, secret_key=ROOT_SECRET)
    ddb.create_table(TableName="Tab", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
    ddb.put_item(TableName="Tab", Item={"pk": {"S": "a"}})

    def signed(method, path):
        req = AWSRequest(method=method, url=server.url + path, data=b"")
        SigV4Auth(Credentials(ROOT_KEY, ROOT_SECRET), "dynamodb", "us-east-1").add_auth(req)
        return requests.request(method, server.url + path, headers=dict(req.headers.items()), data=b"", timeout=30)

    assert requests.get(server.url + "/basalt/report?format=json").status_code == 400
    assert requests.post(server.url + "/basalt/report/reset").status_code == 400
    # The root's account is the default one (000000000000); the endpoint maps a signer's key id as
    # --auth=none does (server/request_namespace.h), so the account is named.
    r = signed("GET", "/basalt/report?format=json&account=000000000000")
    assert r.status_code == 200, r.text
    assert [p["shape"] for p in r.json()["patterns"]] == ["PutItem Tab: pk = :v, item (pk)"]
    assert signed("POST", "/basalt/report/reset").json() == {"reset": True}
